// SPDX-License-Identifier: GPL-2.0
/* Selftests of the x86 layer: exceptions, page protections, timers, SMP. */
#include "asm/processor-flags.h"
#include "asm/processor.h"
#include "asm/msr.h"
#include "arch/x86/smp.h"
#include "arch/x86/timer.h"
#include "arch/x86/traps.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/vectors.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "kernel/vm.h"

extern const u8 _text_start[], _rodata_start[];
static const u64 selftest_rodata = 0x6b65656c;

static u64 trap_ud2(void)
{
	u64 vector = 0;

	asm volatile("1: ud2\n2:\n\t" EXTABLE(1b, 2b) : "+a"(vector));
	return vector;
}

static u64 trap_write(volatile u64 *p)
{
	u64 vector = 0;

	asm volatile("1: movq $1, (%1)\n2:\n\t" EXTABLE(1b, 2b) : "+a"(vector) : "r"(p) : "memory");
	return vector;
}

/* The IDT delivers, and the fixup resumes: #UD, and #PF on a write to read-only data (CR0.WP). */
SELFTEST(exceptions)
{
	if (trap_ud2() != X86_EXC_UD)
		return -EINVAL;
	if (trap_write((volatile u64 *)&selftest_rodata) != X86_EXC_PF || selftest_rodata != 0x6b65656c)
		return -EFAULT;
	if (trap_write((volatile u64 *)(uintptr_t)_text_start) != X86_EXC_PF)
		return -EFAULT;
	return 0;
}

/* Keel's page tables: W^X image, reservation mapped writable, non-executable. */
SELFTEST(paging)
{
	u64 pa, prot;
	int level;

	if (pt_translate(&keel_pt, (u64)(uintptr_t)_text_start, &pa, &prot, &level) ||
	    (prot & PT_W) || !(prot & PT_X))
		return -EFAULT;
	if (pt_translate(&keel_pt, (u64)(uintptr_t)_rodata_start, &pa, &prot, &level) ||
	    (prot & (PT_W | PT_X)))
		return -EFAULT;
	if (pt_translate(&keel_pt, mm.reserve_base, &pa, &prot, &level) || pa != mm.reserve_base ||
	    !(prot & PT_W) || (prot & PT_X))
		return -EFAULT;
	if (pt_translate(&keel_pt, APIC_BASE_DEFAULT, &pa, &prot, &level) || !(prot & PT_UC))
		return -EFAULT;
	return read_cr3() == keel_pt.root ? 0 : -EINVAL;
}

/*
 * The armed timer fires, not before its time, and once per period at most:
 * without TSC-deadline mode the LAPIC timer is periodic until the handler
 * re-arms it, so a CPU held up between the interrupt and the handler (an
 * emulator's thread descheduled on a busy host: 2 ticks in 5.4 ms seen on
 * QEMU) takes another tick per armed period (timer.h).
 */
SELFTEST(timer)
{
	const u64 period = 1000000;
	u64 ticks = this_cpu()->timer_ticks, start = rdtsc(), fired, ns;

	timer_arm_ns(period);
	irq_enable();
	while (this_cpu()->timer_ticks == ticks && tsc_to_ns(rdtsc() - start) < 1000000000)
		safe_halt();
	irq_disable();
	fired = this_cpu()->timer_ticks - ticks;
	ns = tsc_to_ns(rdtsc() - start);
	if (!fired || ns < period || fired - 1 > ns / period) {
		pr_err("keel: selftest timer: %llu ticks in %llu ns\n", (unsigned long long)fired,
		       (unsigned long long)ns);
		return -ETIMEDOUT;
	}
	return 0;
}

static void note_cpu(void *arg)
{
	__atomic_fetch_or((u64 *)arg + this_cpu()->cpu / 64, BIT(this_cpu()->cpu % 64), __ATOMIC_SEQ_CST);
}

static void arm_timer(void *arg)
{
	timer_arm_ns(1000000);
}

/*
 * Arms @cpu's timer from a call and watches its tick count from here: the
 * call runs in the IPI handler, whose in-service vector (0xFC) would hold
 * back the lower-priority timer vector until its EOI (SDM Vol. 3A 11.8.3).
 */
static int check_remote_timer(unsigned int cpu)
{
	u64 ticks = percpu[cpu].timer_ticks, start = rdtsc();

	if (smp_call(cpu, arm_timer, NULL))
		return -EBUSY;
	while (percpu[cpu].timer_ticks == ticks)
		if (tsc_to_ns(rdtsc() - start) > 1000000000)
			return -ETIMEDOUT;
	return 0;
}

/* Every CPU in the MADT came up, answers a cross-CPU call, and runs its own timer. */
SELFTEST(smp)
{
	u64 seen[MAX_CPUS / 64] = { 0 };
	unsigned int ran;

	if (nr_cpus_online != nr_cpus_possible) {
		pr_err("keel: %u of %u cpus online\n", nr_cpus_online, nr_cpus_possible);
		return -ENODEV;
	}
	ran = smp_call_all(note_cpu, seen);
	for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++)
		if (!(seen[cpu / 64] & BIT(cpu % 64)))
			return -ENODEV;
	for (unsigned int cpu = 1; cpu < nr_cpus_online; cpu++) {
		int r = check_remote_timer(cpu);

		if (r)
			return r;
	}
	return ran == nr_cpus_online ? 0 : -ENODEV;
}

static struct spinlock counter_lock = SPINLOCK_INIT;
static u64 counter;

#define LOCK_ROUNDS 2000

static void count_under_lock(void *arg)
{
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		spin_lock(&counter_lock);
		counter++;
		spin_unlock(&counter_lock);
	}
}

/* All CPUs hammer one lock at once (each call returns when its CPU is done). */
SELFTEST(spinlock)
{
	counter = 0;
	return smp_call_all(count_under_lock, NULL) * (u64)LOCK_ROUNDS == counter ? 0 : -EIO;
}

static void panic_here(void *arg)
{
	panic("selftest: deliberate panic on cpu %u", this_cpu()->cpu);
}

/* panic() on the last CPU: it must report and stop all CPUs (the boot test reads the console). */
SELFTEST_NAMED_ONLY(panic)
{
	smp_call(nr_cpus_online - 1, panic_here, NULL);
	return -EINVAL;
}

/* An unexpected #GP (a non-canonical address) must be reported with the CPU state, then panic. */
SELFTEST_NAMED_ONLY(fault)
{
	volatile u64 *bad = (volatile u64 *)0x8000000000000000ULL;

	return (int)*bad;
}

/*
 * Paging with EFER.LME but without CR4.PAE fails the entry checks of both
 * VMRUN (APM Vol. 2 15.5.1) and VM entry (SDM Vol. 3C 27.3.1.1): the VM
 * must end with reason entry-failure, and Keel go on.
 */
SELFTEST(entryfail)
{
	struct vm *vm;
	struct vcpu *v;
	enum vcpu_action a;
	bool ok;

	if (!virt) {
		pr_notice("keel: selftest entryfail: no hardware virtualization to test\n");
		return SELFTEST_SKIP;
	}
	vm = vm_create("entryfail", SZ_2M, 1);
	if (!vm)
		return -ENOMEM;
	v = vm->vcpus[0];
	vcpu_set_flat32_state(v, 0, 0x1000);
	virt->set_efer(v, EFER_LME);
	virt->set_cr(v, 0, BIT(31) | BIT(4) | BIT(0));
	irq_disable();
	arch_vcpu_load(v);
	a = arch_vcpu_run_once(v);
	arch_vcpu_put(v);
	arch_vcpu_retire(v);
	irq_enable();
	ok = a == VCPU_STOP && vm->stop_reason && !strcmp(vm->stop_reason, "entry-failure") &&
	     v->exits[EXIT_ENTRY_FAILURE] == 1;
	vm_destroy(vm);
	return ok ? 0 : -EINVAL;
}
