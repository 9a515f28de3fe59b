/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time of /dev/kvm vCPUs (arch/x86/virt/kvmclock.c): the TSC offset with
 * KVM's semantics for IA32_TSC writes, and the kvmclock MSRs with the
 * pages they name (Linux's Documentation/virt/kvm/x86/msr.rst).
 */
#ifndef KEEL_X86_KVMCLOCK_H
#define KEEL_X86_KVMCLOCK_H

#include "kernel/types.h"

struct vcpu;
struct vm;

#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_KVM_STEAL_TIME 0x4b564d03
/* The first kvmclock's numbers: KVM takes them as the new ones, and QEMU writes both. */
#define MSR_KVM_WALL_CLOCK 0x11
#define MSR_KVM_SYSTEM_TIME 0x12

/* The VM's clock starts at 0 now; a new vCPU's TSC as KVM's: 0, or the VM's if set lately. */
void kvmclock_vm_init(struct vm *vm);
void kvmclock_vcpu_init(struct vcpu *v);
/*
 * IA32_TSC and the kvmclock MSRs of a /dev/kvm vCPU: 0, -EPERM (#GP),
 * -ENOENT (not one of them), or, for a guest's write, -EAGAIN when the
 * page it names must be faulted in first (v->run says which; the WRMSR is
 * carried out again).
 */
int kvmclock_msr_read(struct vcpu *v, u32 msr, u64 *val);
int kvmclock_msr_write(struct vcpu *v, u32 msr, u64 val, bool host);
/*
 * Before @v runs: its kvmclock page rewritten if the clock changed, its steal
 * time record brought up to date; false if a page must be faulted in first.
 */
bool kvmclock_refresh(struct vcpu *v);

#endif
