// SPDX-License-Identifier: GPL-2.0
/*
 * Time as KVM gives it to its guests, for /dev/kvm vCPUs only.
 *
 * TSC: a vCPU's TSC is the host's plus an offset (SVM's VMCB TSC offset,
 * VMX's TSC-offsetting control). A new vCPU starts at 0, and a VMM's write
 * to IA32_TSC within a second of the last one, of 0 or of the value the last
 * one's TSC has reached since, takes the VM's current offset instead of its
 * own, so that vCPUs written one after another keep one TSC (KVM's
 * kvm_synchronize_tsc()). A guest's own write just sets its offset.
 *
 * kvmclock: MSR_KVM_SYSTEM_TIME_NEW names a struct pvclock_vcpu_time_info
 * that Keel keeps current: the VM's clock in nanoseconds at a TSC value,
 * and the scale to go on from there. The VM's clock runs with the host's
 * TSC from a base the VMM may set (KVM_SET_CLOCK, KEEL_HC_VM_CLOCK); the
 * page is rewritten when the clock is set or the TSC offset changes.
 * MSR_KVM_WALL_CLOCK_NEW names a struct pvclock_wall_clock: the wall clock
 * at kvmclock 0, which the VMM tells Keel. Both pages are written with
 * the version protocol: odd while changing, even after.
 *
 * Steal time: MSR_KVM_STEAL_TIME names a struct kvm_steal_time whose steal
 * counts the nanoseconds the vCPU wanted to run and could not: its VMM
 * thread's wait to run in the control guest (Linux's sched_info.run_delay,
 * which the module hands Keel at each run: the fast path runs the vCPU in
 * that thread's place), plus its waits on Keel's run queues while RUNNABLE
 * (vcpu->wait_ticks). The record is brought up to date before the vCPU runs:
 * at each KVM_RUN and at each slice Keel's scheduler gives it, as KVM's
 * record_steal_time() does at each vcpu_load.
 */
#include "asm/features.h"
#include "asm/msr.h"
#include "asm/processor.h"
#include "arch/x86/timer.h"
#include "arch/x86/virt/kvmclock.h"
#include "arch/x86/virt/pvclock.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/memslot.h"
#include "kernel/spinlock.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

#define KVMCLOCK_ENABLE 1ULL		/* bit 0 of MSR_KVM_SYSTEM_TIME_NEW */
#define PVCLOCK_TSC_STABLE_BIT 1	/* pvclock flags: the TSC is one across vCPUs */
#define PVCLOCK_GUEST_STOPPED 2		/* the VMM paused the guest; the guest clears it */
#define KVM_FEATURE_CLOCKSOURCE 0	/* CPUID 0x40000001 EAX: MSRs 0x11 and 0x12 */
#define KVM_FEATURE_CLOCKSOURCE2 3	/* ... MSR_KVM_WALL_CLOCK_NEW and _SYSTEM_TIME_NEW */
#define KVM_FEATURE_STEAL_TIME 5	/* ... MSR_KVM_STEAL_TIME */
#define KVM_MSR_ENABLED 1ULL
#define KVM_STEAL_RESERVED_MASK 0x3eULL	/* the record is 64-byte aligned; bit 0 enables it */

struct pvclock_vcpu_time_info {
	u32 version;
	u32 pad0;
	u64 tsc_timestamp;
	u64 system_time;
	u32 tsc_to_system_mul;
	int8_t tsc_shift;
	u8 flags;
	u8 pad[2];
};
_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "pvclock ABI");

struct pvclock_wall_clock {
	u32 version;
	u32 sec;
	u32 nsec;
};
_Static_assert(sizeof(struct pvclock_wall_clock) == 12, "pvclock ABI");

/* Documentation/virt/kvm/x86/msr.rst, MSR_KVM_STEAL_TIME. */
struct kvm_steal_time {
	u64 steal;
	u32 version;
	u32 flags;
	u8 preempted;
	u8 u8_pad[3];
	u32 pad[11];
};
_Static_assert(sizeof(struct kvm_steal_time) == 64, "steal time ABI");

static u64 tsc_hz(void)
{
	return tsc_khz * 1000;
}

/* The VM's clock at host TSC @tsc. Caller holds its lock. */
static u64 clock_at(const struct vm *vm, u64 tsc)
{
	const struct vm_clock *c = &vm->arch.clock;

	return c->base_ns + pvclock_ns(tsc - c->base_tsc, c->scale);
}

void kvmclock_vm_init(struct vm *vm)
{
	vm->arch.clock = (struct vm_clock){ .base_tsc = rdtsc(),
					    .scale = pvclock_scale_for(tsc_hz()) };
}

static void set_offset(struct vcpu *v, u64 offset)
{
	v->arch.tsc_offset = offset;
	v->arch.clock_stale = true;
	virt->set_tsc_offset(v, offset);
}

/* KVM's kvm_synchronize_tsc(), with the host's TSC rate for every vCPU. */
static void host_tsc_write(struct vcpu *v, u64 val)
{
	struct vm_clock *c = &v->vm->arch.clock;
	u64 now, flags = spin_lock_irqsave(&v->vm->arch.clock.lock);
	u64 expected;
	bool sync;

	now = rdtsc();
	expected = c->tsc_written + (now - c->tsc_written_at);
	sync = c->tsc_generation && (!val || (val < expected + tsc_hz() && val + tsc_hz() > expected));
	if (!sync) {
		c->tsc_offset = val - now;
		c->tsc_generation++;
	}
	c->tsc_written = val;
	c->tsc_written_at = now;
	set_offset(v, c->tsc_offset);
	spin_unlock_irqrestore(&v->vm->arch.clock.lock, flags);
}

void kvmclock_vcpu_init(struct vcpu *v)
{
	host_tsc_write(v, 0);
}

u64 arch_vcpu_tsc_offset(struct vcpu *v)
{
	return v->arch.tsc_offset;
}

/*
 * KVM_VCPU_TSC_OFFSET (KVM's kvm_arch_tsc_set_attr()): the offset as given,
 * and the VM's from now on, as if the VMM had written IA32_TSC to match it;
 * a new TSC generation unless it is the VM's already.
 */
void arch_vcpu_set_tsc_offset(struct vcpu *v, u64 offset)
{
	struct vm_clock *c = &v->vm->arch.clock;
	u64 now, flags = spin_lock_irqsave(&c->lock);

	now = rdtsc();
	if (!c->tsc_generation || c->tsc_offset != offset)
		c->tsc_generation++;
	c->tsc_offset = offset;
	c->tsc_written = now + offset;
	c->tsc_written_at = now;
	set_offset(v, offset);
	spin_unlock_irqrestore(&c->lock, flags);
}

/*
 * The page at @gpa for Keel to write, or NULL: then, if it is RAM not
 * mapped writable yet, v->run asks the VMM to fault it in (*@fault);
 * elsewhere (MMIO, a read-only slot) nothing is written, as KVM writes no
 * page it cannot map. The caller has marked @v in_guest (kernel/memslot.c).
 */
static void *page_for(struct vcpu *v, u64 gpa, size_t len, bool *fault)
{
	void *p = gpa_to_hva_access(v->vm, gpa, len, true);

	*fault = !p && memslot_classify(v->vm, gpa, true) == GPA_RAM &&
		 (gpa & PAGE_MASK) == ((gpa + len - 1) & PAGE_MASK);
	if (*fault)
		vmm_exit_fault(v, gpa, true);
	return p;
}

static u32 begin_update(volatile u32 *version)
{
	u32 odd = (*version + 1) | 1;

	*version = odd;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return odd + 1;
}

static void end_update(volatile u32 *version, u32 even)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*version = even;
}

/* The vCPU's page from the VM's clock now; false if it must be faulted in first. */
static bool write_time(struct vcpu *v)
{
	struct pvclock_scale s = v->vm->arch.clock.scale;
	struct pvclock_vcpu_time_info *t;
	u64 flags, tsc, ns;
	bool fault;
	u32 even;

	t = page_for(v, v->arch.system_time & ~KVMCLOCK_ENABLE, sizeof(*t), &fault);
	if (!t)
		return !fault;
	flags = spin_lock_irqsave(&v->vm->arch.clock.lock);
	tsc = rdtsc();
	ns = clock_at(v->vm, tsc);
	spin_unlock_irqrestore(&v->vm->arch.clock.lock, flags);
	even = begin_update(&t->version);
	t->tsc_timestamp = tsc + v->arch.tsc_offset;
	t->system_time = ns;
	t->tsc_to_system_mul = s.mul;
	t->tsc_shift = s.shift;
	/* GUEST_STOPPED stays until the guest clears it (KVM's kvm_setup_guest_pvclock()) */
	t->flags = (keel.cpu.invariant_tsc ? PVCLOCK_TSC_STABLE_BIT : 0) |
		   (t->flags & PVCLOCK_GUEST_STOPPED) |
		   (v->arch.clock_stopped ? PVCLOCK_GUEST_STOPPED : 0);
	end_update(&t->version, even);
	v->arch.clock_stale = false;
	v->arch.clock_stopped = false;
	return true;
}

static bool write_wall_clock(struct vcpu *v, u64 gpa)
{
	u64 ns = v->vm->arch.clock.wall_ns;
	struct pvclock_wall_clock *w;
	bool fault;
	u32 even;

	w = page_for(v, gpa, sizeof(*w), &fault);
	if (!w)
		return !fault;
	even = begin_update(&w->version);
	w->sec = (u32)(ns / NSEC_PER_SEC);
	w->nsec = (u32)(ns % NSEC_PER_SEC);
	end_update(&w->version, even);
	return true;
}

/*
 * KVM's record_steal_time(), with the version protocol of the pvclock pages
 * (an odd version left by the guest is stepped past, as KVM does); preempted
 * is cleared, as KVM does without PV TLB flushes.
 */
static bool write_steal(struct vcpu *v)
{
	u64 run_delay = __atomic_load_n(&v->run->run_delay, __ATOMIC_RELAXED) +
			tsc_to_ns(v->wait_ticks);
	struct kvm_steal_time *st;
	bool fault;
	u32 even;

	st = page_for(v, v->arch.steal_msr & ~(KVM_MSR_ENABLED | KVM_STEAL_RESERVED_MASK),
		      sizeof(*st), &fault);
	if (!st)
		return !fault;
	st->preempted = 0;
	even = begin_update(&st->version);
	st->steal += run_delay - v->arch.steal_last;
	v->arch.steal_last = run_delay;
	end_update(&st->version, even);
	return true;
}

static noinline bool refresh(struct vcpu *v, bool clock)
{
	bool done = true;

	__atomic_store_n(&v->in_guest, true, __ATOMIC_SEQ_CST);
	if (clock)
		done = write_time(v);
	if (done && (v->arch.steal_msr & KVM_MSR_ENABLED))
		done = write_steal(v);
	__atomic_store_n(&v->in_guest, false, __ATOMIC_RELEASE);
	return done;
}

/*
 * Every KVM_RUN passes here: the check stays apart from refresh() so that
 * a vCPU with nothing to write (no kvmclock or steal time) need not pay
 * for refresh()'s frame.
 */
bool kvmclock_refresh(struct vcpu *v)
{
	bool clock = v->arch.clock_stale && (v->arch.system_time & KVMCLOCK_ENABLE);

	if (!clock && !(v->arch.steal_msr & KVM_MSR_ENABLED))
		return true;
	return refresh(v, clock);
}

/*
 * KEEL_CAP_ENFORCE_PV_CPUID: a kvmclock MSR exists, for the guest and its
 * VMM alike, only if the vCPU's CPUID names its feature (KVM's guest_pv_has()).
 */
static bool pv_msr_hidden(const struct vcpu *v, u32 msr)
{
	u32 feature;

	switch (msr) {
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_WALL_CLOCK:
		feature = KVM_FEATURE_CLOCKSOURCE;
		break;
	case MSR_KVM_SYSTEM_TIME_NEW:
	case MSR_KVM_WALL_CLOCK_NEW:
		feature = KVM_FEATURE_CLOCKSOURCE2;
		break;
	case MSR_KVM_STEAL_TIME:
		feature = KVM_FEATURE_STEAL_TIME;
		break;
	default:
		return false;
	}
	return !vmm_pv_has(v, feature);
}

int kvmclock_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	if (pv_msr_hidden(v, msr))
		return -EPERM;
	switch (msr) {
	case MSR_IA32_TSC: *val = rdtsc() + v->arch.tsc_offset; return 0;
	case MSR_IA32_TSC_ADJUST: *val = v->arch.tsc_adjust; return 0;
	case MSR_KVM_SYSTEM_TIME_NEW:
	case MSR_KVM_SYSTEM_TIME: *val = v->arch.system_time; return 0;
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_WALL_CLOCK: *val = v->vm->arch.clock.wall_msr; return 0;
	case MSR_KVM_STEAL_TIME: *val = v->arch.steal_msr; return 0;
	default: return -ENOENT;
	}
}

/*
 * A guest's write of a page address writes the page at once (KVM's
 * kvm_write_wall_clock() and the clock update it requests); a VMM's write
 * (restoring state) only records it, and the page follows before the vCPU
 * runs.
 */
int kvmclock_msr_write(struct vcpu *v, u32 msr, u64 val, bool host)
{
	if (pv_msr_hidden(v, msr))
		return -EPERM;
	switch (msr) {
	case MSR_IA32_TSC:
		if (host) {
			host_tsc_write(v, val);
		} else {
			/* IA32_TSC_ADJUST follows a guest's write (SDM Vol. 3B 18.17.3) */
			v->arch.tsc_adjust += val - (rdtsc() + v->arch.tsc_offset);
			set_offset(v, val - rdtsc());
		}
		return 0;
	case MSR_IA32_TSC_ADJUST:
		/* the guest's write moves its TSC by as much; a VMM's only sets it (KVM's) */
		if (!host)
			set_offset(v, v->arch.tsc_offset + (val - v->arch.tsc_adjust));
		v->arch.tsc_adjust = val;
		return 0;
	case MSR_KVM_SYSTEM_TIME_NEW:
	case MSR_KVM_SYSTEM_TIME:
		v->arch.system_time = val;
		v->arch.clock_stale = true;
		return host || !(val & KVMCLOCK_ENABLE) || write_time(v) ? 0 : -EAGAIN;
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_WALL_CLOCK:
		v->vm->arch.clock.wall_msr = val;
		return host || write_wall_clock(v, val) ? 0 : -EAGAIN;
	case MSR_KVM_STEAL_TIME:
		/* the record is brought up to date before the vCPU runs again */
		if (val & KVM_STEAL_RESERVED_MASK)
			return -EPERM;
		v->arch.steal_msr = val;
		return 0;
	default:
		return -ENOENT;
	}
}

/* KEEL_CLOCK_STOPPED, @v frozen: KVM's kvm_set_guest_paused(). */
int arch_vcpu_clock_stopped(struct vcpu *v)
{
	if (!(v->arch.system_time & KVMCLOCK_ENABLE))
		return -EINVAL;
	v->arch.clock_stopped = true;
	v->arch.clock_stale = true;
	return 0;
}

/* KEEL_HC_VM_CLOCK. */
s64 arch_vm_clock(struct vm *vm, u64 op, u64 ns, u64 wall_ns)
{
	struct vm_clock *c = &vm->arch.clock;
	u64 flags = spin_lock_irqsave(&c->lock);
	unsigned int n = __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE);
	s64 r = 0;

	if (op == KEEL_CLOCK_GET) {
		r = (s64)(clock_at(vm, rdtsc()) & ~(1ULL << 63));
	} else {
		c->base_tsc = rdtsc();
		c->base_ns = ns;
		c->wall_ns = wall_ns;
		for (unsigned int i = 0; i < n; i++)
			vm->vcpus[i]->arch.clock_stale = true;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return r;
}
