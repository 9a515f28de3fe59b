/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the arch-neutral core (kernel/vm.c, vcpu.c, sched.c, selftest.c)
 * asks of the architecture, and nothing more: arch/x86/virt/vcpu.c
 * implements the VM and vCPU hooks, arch/x86/hooks.c the CPU ones.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include "kernel/types.h"

struct keel_cpuid_entry;
struct keel_regs;
struct keel_sregs;
struct pt_format;
struct vcpu;
struct vm;

enum vcpu_action {
	VCPU_CONTINUE,	/* enter the guest again */
	VCPU_BLOCK,	/* HLT: wait for an interrupt */
	VCPU_HALT,	/* HLT that no event of its own can end (interrupts off, no NMI due) */
	VCPU_STOP,	/* its VM ended */
	VCPU_PARK,	/* INIT: off the run queue until it is started again */
	VCPU_EXIT_TO_VMM,	/* a /dev/kvm vCPU needs its VMM: vcpu->run says why */
};

/* Whether this machine runs guests (hardware virtualization with nested paging was found and enabled). */
bool arch_virt_available(void);
/* The entry format of a VM's second-level page table. */
const struct pt_format *arch_gpt_format(void);
/* A new VM's hardware state, once its page table exists; undone by arch_vm_free(). */
int arch_vm_init(struct vm *vm);
void arch_vm_free(struct vm *vm);
/* A new vCPU's hardware state and interrupt controller; undone by arch_vcpu_destroy(). */
int arch_vcpu_create(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);
/*
 * A /dev/kvm vCPU, loaded, starts a slice of Keel's scheduler: its kvmclock
 * and steal-time records are brought up to date (one whose page must be
 * faulted in first waits for the next KVM_RUN).
 */
void arch_vcpu_sched_in(struct vcpu *v);
/* After a put: @v may next run on another CPU, so its state leaves this one's registers. */
void arch_vcpu_release(struct vcpu *v);
/* A fixed interrupt of @vector for @v (the control guest's: a queued vCPU came back). */
void arch_vcpu_notify(struct vcpu *v, u8 vector);
/* @v will not run again on this CPU: forget any state of it the CPU holds. */
void arch_vcpu_retire(struct vcpu *v);
/* One guest entry and the handling of its exit. */
enum vcpu_action arch_vcpu_run_once(struct vcpu *v);
/* @v took an INIT: its interrupt state is reset before it parks. */
void arch_vcpu_init_reset(struct vcpu *v);
/* Whether an NMI waits for @v (it ends a HLT with interrupts off). */
bool arch_vcpu_nmi_pending(const struct vcpu *v);
/* True if an event is pending that ends @v's HLT (or a /dev/kvm vCPU's wait for INIT or SIPI). */
bool arch_vcpu_wakeable(struct vcpu *v);
/* TSC of @v's earliest timer (virtual LAPIC, delayed device events), 0 if none is armed. */
u64 arch_vcpu_deadline(struct vcpu *v);

/*
 * VMs of /dev/kvm (kernel/managed_vm.c). arch_vm_init_vmm: accesses no
 * device claims become exits to the VMM. arch_vcpu_init_vmm: a new vCPU's
 * architectural reset state. arch_vcpu_resume_vmm: takes the VMM's
 * answers from v->run (the data of a read): 0, 1 if that already makes
 * the next exit to the VMM (v->run says which), -EINVAL for a bad answer. arch_vcpu_state: copies the
 * KEEL_STATE_* parts @mask between @v and v->run (@set: into @v), -EINVAL
 * for a state the architecture forbids.
 */
void arch_vm_init_vmm(struct vm *vm);
/* The CPU logs a guest's first write to a page mapped PT_LOG (VMX's PML): kernel/memslot.c. */
bool arch_logs_writes(void);
void arch_vcpu_init_vmm(struct vcpu *v, bool bsp);
int arch_vcpu_resume_vmm(struct vcpu *v);
int arch_vcpu_state(struct vcpu *v, bool set, u32 mask);
/*
 * A frozen /dev/kvm vCPU's MSR (KEEL_HC_VCPU_MSRS: 0 or -EPERM), CPUID
 * table (@e kzalloc'd, owned by @v from now on; freed with it), whether
 * @e reads as its table does, that table as the guest reads it (at most
 * @max entries: their number, or -E2BIG) and page walk
 * (KEEL_HC_VCPU_TRANSLATE); the MSRs a VMM saves (KEEL_HC_MSR_LIST: their
 * number, at most @max written).
 */
int arch_vcpu_msr(struct vcpu *v, u32 index, u64 *data, bool set);
void arch_vcpu_set_cpuid(struct vcpu *v, struct keel_cpuid_entry *e, u32 n);
bool arch_vcpu_cpuid_same(struct vcpu *v, const struct keel_cpuid_entry *e, u32 n);
int arch_vcpu_get_cpuid(struct vcpu *v, struct keel_cpuid_entry *out, u32 max);
int arch_vcpu_translate(struct vcpu *v, u64 gva, u64 *gpa);
u32 arch_vmm_msr_list(u32 *out, u32 max);
/*
 * The in-kernel LAPIC of /dev/kvm vCPUs: KEEL_HC_VM_IRQCHIP on @vm (@caller
 * made the call); before each entry, whether @v waits (HLT, INIT, SIPI)
 * instead of running; and a HLT that made it wait.
 */
s64 arch_vm_irqchip(struct vm *vm, u64 op, u64 a, u64 b, struct vm *caller);
bool arch_vcpu_waits(struct vcpu *v);
void arch_vcpu_halt(struct vcpu *v);
/* KEEL_HC_VM_CLOCK on @vm: KEEL_CLOCK_GET returns its clock; KEEL_CLOCK_SET sets it and the wall clock. */
s64 arch_vm_clock(struct vm *vm, u64 op, u64 ns, u64 wall_ns);
/* KEEL_CLOCK_STOPPED on frozen @v: its next kvmclock page says the guest was paused. */
int arch_vcpu_clock_stopped(struct vcpu *v);
/* @v frozen: its TSC offset from the host's, or a new one that becomes the VM's too. */
u64 arch_vcpu_tsc_offset(struct vcpu *v);
void arch_vcpu_set_tsc_offset(struct vcpu *v, u64 offset);
/* Frozen @v's registers, as KEEL_STATE_GET gives them, for KEEL_HC_VM_DUMP. */
void arch_vcpu_dump(struct vcpu *v, struct keel_regs *regs, struct keel_sregs *sregs);
/* @v's counters, KEEL_NR_VCPU_STATS of them (KEEL_HC_STATS); it may be running. */
void arch_vcpu_stats(const struct vcpu *v, u64 *stats);
/* KEEL_HC_ENABLE_CAP: capability @cap of @vm (@v NULL) or of frozen @v, set to @val (0 or 1). */
int arch_enable_cap(struct vm *vm, struct vcpu *v, u64 cap, u64 val);
/* KEEL_HC_MSR_FILTER: the filter at @gpa of @caller_vm becomes @vm's. */
int arch_vm_msr_filter(struct vm *vm, u64 gpa, struct vm *caller_vm);

/* The CPU: its time (TSC ticks), its timer, waking another CPU, waiting for an interrupt. */
u64 arch_now(void);
u64 arch_ns_to_ticks(u64 ns);
u64 arch_ticks_to_ns(u64 ticks);
/* COVERAGE=1 builds: @len bytes out to the host (kernel/coverage/gcov.c). */
void arch_coverage_write(const void *buf, size_t len);
void arch_timer_arm(u64 when);
void arch_kick_cpu(unsigned int cpu);
/* Enables interrupts and halts until one arrives; returns with interrupts off again. */
void arch_idle(void);
/* @tick runs on each expiry of this CPU's timer, @resched when arch_kick_cpu() names it; both in interrupt context. */
void arch_sched_setup(void (*tick)(void), void (*resched)(void));

#endif
