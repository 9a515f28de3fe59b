/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exits of /dev/kvm vCPUs to their VMM, written into the vCPU's struct
 * keel_run (guest-abi/keel/hypercall.h) for keel-kvm.ko, which turns them
 * into KVM's struct kvm_run. The exit handlers (exit.c) call these where a
 * Keel-owned VM would be handled inside Keel or ended.
 */
#ifndef KEEL_X86_VMM_EXIT_H
#define KEEL_X86_VMM_EXIT_H

#include "arch/x86/virt/virt.h"
#include "kernel/arch.h"
#include "kernel/vm.h"

enum { VMM_NONE, VMM_PIO, VMM_MMIO, VMM_MSR };

/* Whether @v belongs to a /dev/kvm VM: its exits may go to a VMM. */
static inline bool vcpu_has_vmm(const struct vcpu *v)
{
	return v->run;
}

/* Whether an interrupt can go in now, with nothing ahead of it (KVM_RUN's ready_for_interrupt_injection). */
bool vmm_irq_ready(struct vcpu *v);
/* Turns @a into an exit to the VMM when the interrupt window it asked for is open. */
enum vcpu_action vmm_check_window(struct vcpu *v, enum vcpu_action a);
enum vcpu_action vmm_exit_hlt(struct vcpu *v);
enum vcpu_action vmm_exit_shutdown(struct vcpu *v);
enum vcpu_action vmm_exit_fail_entry(struct vcpu *v, const struct vm_exit *e);
enum vcpu_action vmm_exit_internal(struct vcpu *v, u32 suberror, const struct vm_exit *e);
/* A guest page in a slot is not mapped yet: the module maps it (KEEL_EXIT_FAULT). */
enum vcpu_action vmm_exit_fault(struct vcpu *v, u64 gpa, bool write);
/*
 * An OUT the VMM takes, or an IN it answers: the instruction of @len bytes
 * completes when the vCPU runs again (an IN with the VMM's data, vmm_finish_in()).
 */
enum vcpu_action vmm_exit_out(struct vcpu *v, u8 len);
enum vcpu_action vmm_exit_in(struct vcpu *v, u8 len);
void vmm_finish_in(struct vcpu *v, u32 data);
/*
 * A RDMSR or WRMSR of @len bytes for the VMM (KEEL_EXIT_MSR, @reason one
 * KEEL_MSR_EXIT_*): it completes with the VMM's answer when the vCPU runs again.
 */
enum vcpu_action vmm_exit_msr(struct vcpu *v, u8 len, u32 reason, bool write, u64 val);
/* Finishes the instruction whose MMIO read the VMM answered, if it waits (exit.c). */
enum vcpu_action vmm_finish_mmio(struct vcpu *v);
/* Exits to the VMM for @reason, with what KVM reports on every exit. */
enum vcpu_action vmm_exit_to(struct vcpu *v, u32 reason);
/*
 * The in-kernel LAPIC (vmm_irq.c): a new vCPU's mp_state; the exit of an
 * EOI the VMM asked to see, after an exit handled in Keel; KVM_SET_MP_STATE.
 */
void vmm_irq_vcpu_init(struct vcpu *v, bool bsp);
enum vcpu_action vmm_check_eoi(struct vcpu *v, enum vcpu_action a);
int vmm_set_mp_state(struct vcpu *v, u32 state);
/*
 * The MTRRs, machine-check MSRs, IA32_MISC_ENABLE and IA32_UCODE_REV
 * (vmm_msr.c): 0, -EPERM (#GP) or -ENOENT (not one of them); a new vCPU's
 * values.
 */
int vmm_msr_read(struct vcpu *v, u32 msr, u64 *val, bool host);
int vmm_msr_write(struct vcpu *v, u32 msr, u64 val, bool host);
void vmm_msr_vcpu_init(struct vcpu *v);
/* The in-kernel PIC, I/O APIC and PIT (vmm_platform.c), for the KEEL_IRQCHIP_* calls. */
int vmm_platform_create(struct vm *vm);
int vmm_platform_add_pit(struct vm *vm, bool speaker);
void vmm_platform_free(struct vm *vm);
int vmm_platform_pin(struct vm *vm, u32 chip, u32 pin, bool level);
int vmm_platform_state(struct vm *vm, u32 which, void *buf, bool set);
int vmm_platform_reinject(struct vm *vm, bool on);
/* CPUID of a /dev/kvm guest: the VMM's table (KVM_SET_CPUID2), zeros for a leaf it lacks. */
void vmm_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4]);
/* Whether its leaf 1 has ECX bit @bit, as the guest reads it. */
#define CPUID1_ECX_SSE3 BIT(0)
#define CPUID1_ECX_MONITOR BIT(3)
#define CPUID1_ECX_XSAVE BIT(26)
#define CPUID1_ECX_OSXSAVE BIT(27)
#define CPUID1_EDX_APIC BIT(9)
bool vmm_cpuid_has(struct vcpu *v, u32 bit);
/* XSETBV's and KVM_SET_XCRS's allowed components for a /dev/kvm vCPU. */
u64 vmm_supported_xcr0(struct vcpu *v);
/* EAX of the KVM features leaf (0x40000001 as QEMU places it) in the VMM's CPUID. */
u32 vmm_kvm_features(const struct vcpu *v);
/*
 * Whether the guest has paravirtual feature @feature (a bit of that leaf's EAX):
 * always, unless KEEL_CAP_ENFORCE_PV_CPUID holds it to its CPUID (KVM's guest_pv_has()).
 */
bool vmm_pv_has(const struct vcpu *v, unsigned int feature);
/* VMMCALL/VMCALL of a /dev/kvm guest: KVM's hypercall ABI (Linux Documentation/virt/kvm/x86/hypercalls.rst). */
void vmm_hypercall(struct vcpu *v);

#endif
