/* SPDX-License-Identifier: GPL-2.0 */
/* Exit handling written once for VMX and SVM. */
#ifndef KEEL_X86_EXIT_H
#define KEEL_X86_EXIT_H

#include "arch/x86/virt/virt.h"
#include "kernel/arch.h"

enum vcpu_action handle_exit(struct vcpu *v, struct vm_exit *e);
/* The CPUID a guest sees for (@leaf, @subleaf). */
void cpuid_policy(u32 leaf, u32 subleaf, u32 out[4]);
/* The bits of @out that follow @v: OSXSAVE with CR4, leaf 0xD's sizes with XCR0. */
void cpuid_runtime(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4]);
/*
 * RDMSR and WRMSR as the guest's instructions do them: 0, or #GP for an MSR
 * Keel does not know (-ENOENT) or a value it refuses (-EPERM).
 * @host: the VMM reads or writes it (KVM_GET/SET_MSRS) while @v is loaded on no CPU.
 */
int vcpu_read_msr(struct vcpu *v, u32 msr, u64 *val, bool host);
int vcpu_write_msr(struct vcpu *v, u32 msr, u64 val, bool host);

#endif
