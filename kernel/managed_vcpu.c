// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs of the VMs the control guest creates (/dev/kvm). KVM_RUN is one
 * hypercall from the control guest's vCPU that called it. Where the
 * scheduler puts the vCPU on that CPU, it runs there in the caller's place
 * until it needs its VMM or the caller has an interrupt to take, as Linux
 * KVM runs a vCPU in its VMM's thread (the fast path). Otherwise it joins
 * the run queue of the CPU the scheduler chose and comes back, by a vector
 * in the caller's LAPIC, when it needs its VMM (docs/kvm-api.md, "Running").
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/managed_vm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/vm.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "kernel/vm_list.h"
#include "keel/hypercall.h"

#define STATE_PARTS (KEEL_STATE_REGS | KEEL_STATE_SREGS | KEEL_STATE_FPU | KEEL_STATE_EVENTS | \
		     KEEL_STATE_DEBUGREGS | KEEL_STATE_LAPIC | KEEL_STATE_MP | KEEL_STATE_XCR)

static struct vcpu *find(struct vm *vm, u64 id)
{
	unsigned int n = __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		if (vm->vcpus[i]->id == id)
			return vm->vcpus[i];
	return NULL;
}

/* The run page is the caller's RAM, checked once here: Keel keeps its address. */
int managed_vcpu_create(struct vm *vm, u64 id, u64 run_frame, u64 how, struct vm *caller_vm)
{
	struct keel_run *run = gpa_to_hva(caller_vm, run_frame, PAGE_SIZE);
	struct vcpu *v;
	u64 flags;
	int r = 0;

	if (id >= KEEL_MAX_VCPUS || !IS_ALIGNED(run_frame, PAGE_SIZE) || (how & ~(u64)KEEL_VCPU_BSP))
		return -EINVAL;
	if (!run)
		return -EFAULT;
	flags = spin_lock_irqsave(&vm->lock);
	if (find(vm, id)) {
		r = -EEXIST;
	} else {
		v = vcpu_alloc(vm, (unsigned int)id, VCPU_IDLE);
		if (v) {
			v->run = run;
			sched_set_affinity(&v->se, keel.opts.vm_cpus);
			arch_vcpu_init_vmm(v, how & KEEL_VCPU_BSP);
			vcpu_publish(v);
		} else {
			r = -ENOMEM;
		}
	}
	spin_unlock_irqrestore(&vm->lock, flags);
	return r;
}

static void report_internal(struct keel_run *run, u32 suberror, u64 data)
{
	run->exit_reason = KEEL_EXIT_INTERNAL_ERROR;
	run->exit.internal.suberror = suberror;
	run->exit.internal.ndata = 1;
	run->exit.internal.data[0] = data;
}

/*
 * Whether the caller wants its CPU back: its slice ended or another CPU
 * kicked this one (need_resched), an interrupt or NMI came for it (either
 * sets a request), or its own timer is due, looked at only when the timer
 * fired since the caller's entry or the last look, each of which armed it
 * for the caller: the hypercall's exit handler runs before this CPU takes
 * any interrupt (irq_poll()), so no tick came between that entry and
 * run_until_vmm(). The control guest's end is seen by its run loop once the
 * caller is back, at the latest when its slice ends.
 */
static bool caller_wants_cpu(struct vcpu *caller, struct percpu *pc, u64 *ticks)
{
	u64 deadline;

	if (pc->rq.need_resched || caller->requests)
		return true;
	if (pc->timer_ticks == *ticks)
		return false;
	*ticks = pc->timer_ticks;
	deadline = arch_vcpu_deadline(caller);
	if (deadline && arch_now() >= deadline)
		return true;
	if (deadline)
		sched_timer_at(&pc->rq, deadline);
	return false;
}

/*
 * A vCPU that waits (HLT, or for INIT and SIPI with the in-kernel LAPIC)
 * keeps the caller's CPU, idle, until an interrupt comes: its own timer's,
 * a kick when an event reaches it, or the caller's. The request is cleared
 * before the last look, so a kick after that look ends the idle at once.
 */
static void wait_here(struct vcpu *v, struct vcpu *caller)
{
	u64 mine = arch_vcpu_deadline(v), callers = arch_vcpu_deadline(caller);
	struct runqueue *rq = &this_cpu()->rq;

	__atomic_and_fetch(&v->requests, ~VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
	if (!arch_vcpu_waits(v))
		return;
	if (mine)
		sched_timer_at(rq, mine);
	if (callers)
		sched_timer_at(rq, callers);
	if (!(__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) & VCPU_REQ_EVENT))
		arch_idle();
}

/*
 * One entry, on the fast path (run_until_vmm()) or from a run queue
 * (kernel/sched.c run_slice()): what needs the VMM is VCPU_EXIT_TO_VMM; a
 * HLT or a wait for INIT or SIPI is VCPU_BLOCK, whatever its interrupt flag
 * (its VMM may still send it an interrupt, an NMI or a signal).
 */
static inline enum vcpu_action run_once(struct vcpu *v)
{
	enum vcpu_action a;

	if (v->requests & VCPU_REQ_STOP) {
		v->run->exit_reason = KEEL_EXIT_NONE;
		return VCPU_EXIT_TO_VMM;
	}
	if (arch_vcpu_waits(v))
		return VCPU_BLOCK;
	a = arch_vcpu_run_once(v);
	if (a == VCPU_BLOCK || a == VCPU_HALT) {
		arch_vcpu_halt(v);
		return VCPU_BLOCK;
	}
	if (a != VCPU_CONTINUE && a != VCPU_EXIT_TO_VMM) {
		report_internal(v->run, KEEL_INTERNAL_UNEXPECTED_EXIT, a);
		return VCPU_EXIT_TO_VMM;
	}
	return a;
}

enum vcpu_action managed_vcpu_run_once(struct vcpu *v)
{
	return run_once(v);
}

/*
 * The time in the guest and in the exit's handler is the vCPU's and its
 * VM's (KEEL_STAT_RUN_NS, keel_vm_info.run_ns, its share), not its waits
 * in HLT, and not the lending control vCPU's: summed in *@ran and charged
 * once the call returns (run_here()), not at every exit.
 */
static enum vcpu_action run_once_timed(struct vcpu *v, u64 *ran)
{
	u64 start = arch_now();
	enum vcpu_action a = run_once(v);

	*ran += arch_now() - start;
	return a;
}

/*
 * Until an exit needs the VMM, or the caller's CPU is wanted back
 * (KEEL_EXIT_NONE; the module calls again unless its thread has a signal
 * to take). What could want it back comes with an interrupt on this CPU
 * (a device's, a timer's, another CPU's kick), which exits the guest: so
 * the caller is looked at only once more interrupts were taken.
 */
static void run_until_vmm(struct vcpu *v, struct vcpu *caller, u64 *ran)
{
	struct percpu *pc = this_cpu();
	u64 ticks = pc->timer_ticks, irqs = pc->irqs - 1;
	enum vcpu_action a;

	for (;;) {
		if (pc->irqs != irqs) {
			irqs = pc->irqs;
			if (caller_wants_cpu(caller, pc, &ticks))
				break;
		}
		a = run_once_timed(v, ran);
		if (a == VCPU_EXIT_TO_VMM)
			return;
		if (a == VCPU_BLOCK)
			wait_here(v, caller);
	}
	v->run->exit_reason = KEEL_EXIT_NONE;
}

/* The caller's own state leaves the CPU for the vCPU's and comes back after. */
static void run_here(struct vcpu *v, struct vcpu *caller)
{
	u64 ran = 0;

	v->cpu = this_cpu()->cpu;
	arch_vcpu_put(caller);
	arch_vcpu_load(v);
	run_until_vmm(v, caller, &ran);
	arch_vcpu_put(v);
	arch_vcpu_load(caller);
	sched_charge_lent(v, ran);
}

/*
 * Onto a run queue, holding a reference on its VM (a control guest that
 * destroyed the VM meanwhile would otherwise free a queued vCPU), until
 * managed_vcpu_hand_back(): another CPU's, or this one's for a VM with a
 * cap, which only a slice of the queue's can hold to its budget.
 */
static bool queue(struct vcpu *v, struct vcpu *caller, u8 vector)
{
	struct percpu *pc = this_cpu();
	bool capped = __atomic_load_n(&v->vm->sg.cap, __ATOMIC_RELAXED);
	unsigned int cpu;

	/* The fast path is decided once per slice of the caller's CPU, not at every exit. */
	if (!capped && v->cpu == pc->cpu && v->fast_slice == pc->rq.slices)
		return false;
	cpu = sched_place_vmm(v);
	if (cpu == pc->cpu && !capped) {
		v->fast_slice = pc->rq.slices;
		return false;
	}
	managed_vm_hold(v->vm);
	v->waiter = caller;
	v->wake_vector = vector;
	__atomic_store_n(&v->run->in_keel, 1, __ATOMIC_SEQ_CST);
	vcpu_queue(v, cpu);
	return true;
}

int managed_vcpu_run(struct vm *vm, u64 id, struct vcpu *caller, u64 how, u64 vector)
{
	struct vcpu *v = find(vm, id);
	int r;

	if (!v)
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_RUNNING))
		return -EBUSY;
	if (v->requests & VCPU_REQ_STOP)	/* a kick that came after the vCPU was back */
		__atomic_and_fetch(&v->requests, ~VCPU_REQ_STOP, __ATOMIC_SEQ_CST);
	r = arch_vcpu_resume_vmm(v);
	if (!r && (how & KEEL_RUN_COMPLETE_ONLY)) {
		v->run->exit_reason = KEEL_EXIT_NONE;
	} else if (!r) {
		if (vector && queue(v, caller, (u8)vector))
			return KEEL_RUN_QUEUED;
		run_here(v, caller);
	}
	vcpu_unclaim(v);
	return r < 0 ? r : 0;	/* 1: finishing the VMM's answer made the next exit already */
}

/*
 * Off Keel's queues, the exit in its page: the VMM may claim it again as
 * soon as in_keel reads 0, so the state goes first, and the reference
 * keeps the vCPU until the vector is sent.
 */
void managed_vcpu_hand_back(struct vcpu *v)
{
	struct vcpu *waiter = v->waiter;
	u8 vector = v->wake_vector;
	struct vm *vm = v->vm;

	__atomic_and_fetch(&v->requests, ~VCPU_REQ_STOP, __ATOMIC_SEQ_CST);
	vcpu_unclaim(v);
	__atomic_store_n(&v->run->in_keel, 0, __ATOMIC_SEQ_CST);
	arch_vcpu_notify(waiter, vector);
	managed_vm_put(vm);
}

/*
 * A queued vCPU's CPU ends its slice: the vCPU, running or waiting there,
 * goes back first (kernel/sched.c boosted()).
 */
static void stop(struct vcpu *v)
{
	if (!__atomic_load_n(&v->run->in_keel, __ATOMIC_SEQ_CST))
		return;
	__atomic_fetch_or(&v->requests, VCPU_REQ_STOP, __ATOMIC_SEQ_CST);
	if (v->cpu != this_cpu()->cpu)
		arch_kick_cpu(v->cpu);
	else
		this_cpu()->rq.need_resched = true;
}

/* KEEL_HC_VCPU_KICK. */
int managed_vcpu_kick(struct vm *vm, u64 id)
{
	struct vcpu *v = find(vm, id);

	if (!v)
		return -EINVAL;
	stop(v);
	return 0;
}

/* Its handle gone, no VMM can kick a queued vCPU again: each comes back now. */
void managed_vcpu_stop_all(struct vm *vm)
{
	unsigned int n = __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		stop(vm->vcpus[i]);
}

int managed_vcpu_state(struct vm *vm, u64 id, u64 op, u64 mask)
{
	struct vcpu *v = find(vm, id);
	int r;

	if (!v || op > KEEL_STATE_SET || !mask || (mask & ~(u64)STATE_PARTS))
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return -EBUSY;
	r = arch_vcpu_state(v, op == KEEL_STATE_SET, (u32)mask);
	vcpu_unclaim(v);
	return r;
}

/* Each entry is read from the caller and, for a read, written back before the next one. */
static int do_msrs(struct vcpu *v, u64 gpa, u32 n, bool set, struct vm *caller_vm)
{
	struct keel_msr_entry e;
	u32 i;

	for (i = 0; i < n; i++) {
		u64 at = gpa + i * sizeof(e);

		if (vm_read_phys(caller_vm, at, &e, sizeof(e)))
			return -EFAULT;
		if (arch_vcpu_msr(v, e.index, &e.data, set))
			break;
		if (!set && vm_write_phys(caller_vm, at, &e, sizeof(e)))
			return -EFAULT;
	}
	return (int)i;
}

int managed_vcpu_msrs(struct vm *vm, u64 id, u64 gpa, u64 arg, struct vm *caller_vm)
{
	struct vcpu *v = find(vm, id);
	u32 n = (u32)arg;
	int r;

	if (!v || (arg >> 32 & ~1ULL) || n > KEEL_MAX_MSR_ENTRIES)
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return -EBUSY;
	r = do_msrs(v, gpa, n, arg & KEEL_MSRS_SET, caller_vm);
	vcpu_unclaim(v);
	return r;
}

/* A new table; once the vCPU has run, only the one it has (kvm_vcpu_has_run()). */
static int set_cpuid(struct vcpu *v, u64 gpa, u32 n, struct vm *caller_vm)
{
	struct keel_cpuid_entry *e = kzalloc(n * sizeof(*e) + 1);
	int r;

	if (!e)
		return -ENOMEM;
	if (vm_read_phys(caller_vm, gpa, e, n * sizeof(*e))) {
		kfree(e);
		return -EFAULT;
	}
	if (!v->nr_entries) {
		arch_vcpu_set_cpuid(v, e, n);	/* @v owns @e from here */
		return 0;
	}
	r = arch_vcpu_cpuid_same(v, e, n) ? 0 : -EINVAL;
	kfree(e);
	return r;
}

/* The table as the guest reads it now, written to the caller's @gpa. */
static int get_cpuid(struct vcpu *v, u64 gpa, u32 max, struct vm *caller_vm)
{
	struct keel_cpuid_entry *e = kzalloc(max * sizeof(*e) + 1);
	int n;

	if (!e)
		return -ENOMEM;
	n = arch_vcpu_get_cpuid(v, e, max);
	if (n > 0 && vm_write_phys(caller_vm, gpa, e, (u32)n * sizeof(*e)))
		n = -EFAULT;
	kfree(e);
	return n;
}

int managed_vcpu_cpuid(struct vm *vm, u64 id, u64 gpa, u64 arg, struct vm *caller_vm)
{
	struct vcpu *v = find(vm, id);
	u32 n = (u32)arg;
	int r;

	if (!v || (arg >> 32) > 1 || n > KEEL_MAX_CPUID_ENTRIES)
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return -EBUSY;
	if (arg & KEEL_CPUID_SET)
		r = set_cpuid(v, gpa, n, caller_vm);
	else
		r = get_cpuid(v, gpa, n, caller_vm);
	vcpu_unclaim(v);
	return r;
}

/* KEEL_HC_ENABLE_CAP: the VM's capability, or a vCPU's with the vCPU frozen. */
int managed_enable_cap(struct vm *vm, u64 cap, u64 id, u64 val)
{
	struct vcpu *v;
	int r;

	if (id == KEEL_CAP_VM)
		return arch_enable_cap(vm, NULL, cap, val);
	v = find(vm, id);
	if (!v)
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return -EBUSY;
	r = arch_enable_cap(vm, v, cap, val);
	vcpu_unclaim(v);
	return r;
}

int managed_vcpu_clock_stopped(struct vm *vm, u64 id)
{
	struct vcpu *v = find(vm, id);
	int r;

	if (!v)
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return -EBUSY;
	r = arch_vcpu_clock_stopped(v);
	vcpu_unclaim(v);
	return r;
}

int managed_vcpu_tsc_offset(struct vm *vm, u64 id, bool set, u64 val, struct vm *caller_vm)
{
	struct vcpu *v = find(vm, id);
	u64 offset;

	if (!v)
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return -EBUSY;
	if (set)
		arch_vcpu_set_tsc_offset(v, val);
	offset = arch_vcpu_tsc_offset(v);
	vcpu_unclaim(v);
	if (!set && vm_write_phys(caller_vm, val, &offset, sizeof(offset)))
		return -EFAULT;
	return 0;
}

s64 managed_vcpu_translate(struct vm *vm, u64 id, u64 gva)
{
	struct vcpu *v = find(vm, id);
	u64 gpa;
	int r;

	if (!v)
		return -EINVAL;
	if (!vcpu_claim(v, VCPU_FROZEN))
		return -EBUSY;
	r = arch_vcpu_translate(v, gva, &gpa);
	vcpu_unclaim(v);
	return r ? r : (s64)gpa;
}

s64 managed_stats(struct vm *vm, u64 id, u64 gpa, u64 n, struct vm *caller_vm)
{
	struct vcpu *v = NULL;

	if (id != KEEL_STATS_VM && !(v = find(vm, id)))
		return -EINVAL;
	return vm_stats_write(vm, v, caller_vm, gpa, n);
}
