// SPDX-License-Identifier: GPL-2.0
#include "arch/x86/apic.h"
#include "asm/processor.h"
#include "asm/cpu.h"
#include "asm/msr.h"
#include "arch/x86/smp.h"
#include "arch/x86/timer.h"
#include "arch/x86/traps.h"
#include "arch/x86/vectors.h"
#include "arch/x86/virt/virt.h"
#include "kernel/panic.h"
#include "kernel/sched.h"
#include "boot/boot.h"
#include "drivers/acpi.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"

#define AP_START_TIMEOUT_US 200000
#define CALL_TIMEOUT_US 5000000	/* generous: emulated CPUs can be slow to answer */

extern const u8 _trampoline_start[], _trampoline_end[];

struct percpu percpu[MAX_CPUS];
unsigned int nr_cpus_possible = 1;
volatile unsigned int nr_cpus_online = 1;

static struct {
	void (*fn)(void *);
	void *arg;
	volatile bool pending;
	struct spinlock lock;	/* held by the caller from sending to completion */
} call_slot[MAX_CPUS];
static bool use_tsc_deadline;

static void call_irq(struct regs *r)
{
	struct percpu *pc = this_cpu();

	if (!call_slot[pc->cpu].pending)
		return;
	call_slot[pc->cpu].fn(call_slot[pc->cpu].arg);
	pc->calls_done++;
	__atomic_store_n(&call_slot[pc->cpu].pending, false, __ATOMIC_RELEASE);
}

static void __noreturn ap_main(u64 cpu)
{
	struct percpu *pc = &percpu[cpu];

	cpu_init(pc, pc->stack_top - STACK_SIZE - 4 * IST_STACK_SIZE);
	cpu_xstate_init();
	apic_init(apic_x2apic());
	timer_init_cpu(use_tsc_deadline);
	if (virt && virt->cpu_enable()) {
		pr_err("keel: cpu %u cannot enable %s; it stays offline\n", pc->cpu, virt->name);
		cpu_stop();
	}
	__atomic_store_n(&pc->online, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
	irq_disable();
	sched_loop();
}

/* Stacks: IST stacks below the kernel stack, all from Keel's frames. */
static int alloc_stacks(struct percpu *pc)
{
	u64 base = frame_alloc_keel(3);	/* 8 pages: 4 IST/guard, 4 kernel stack */

	if (!base)
		return -ENOMEM;
	pc->stack_top = base + 8 * PAGE_SIZE;
	return 0;
}

static void set_param(u64 page, unsigned int off, u64 v)
{
	*(volatile u64 *)(uintptr_t)(page + off) = v;
}

/* INIT-SIPI-SIPI (SDM Vol. 3A 9.4.4.1): INIT, 10 ms, SIPI, 200 us, SIPI if still not up. */
static bool start_ap(unsigned int cpu, u64 tramp)
{
	struct percpu *pc = &percpu[cpu];
	u8 vector = tramp >> PAGE_SHIFT;

	set_param(tramp, TRAMP_CR3, read_cr3());
	set_param(tramp, TRAMP_CR4, read_cr4());
	set_param(tramp, TRAMP_EFER, rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE | EFER_SCE));
	set_param(tramp, TRAMP_ENTRY, (u64)(uintptr_t)ap_main);
	set_param(tramp, TRAMP_STACK, pc->stack_top);
	set_param(tramp, TRAMP_CPU, cpu);
	apic_send_ipi(pc->apic_id, APIC_DM_INIT | APIC_LEVEL_ASSERT);
	udelay(10000);
	for (int sipi = 0; sipi < 2 && !pc->online; sipi++) {
		apic_send_ipi(pc->apic_id, APIC_DM_SIPI | vector);
		udelay(200);
	}
	for (u64 waited = 0; !pc->online && waited < AP_START_TIMEOUT_US; waited += 100)
		udelay(100);
	return pc->online;
}

static bool boot_one(unsigned int cpu, const struct acpi_cpu *c, u64 tramp, bool x2apic)
{
	struct percpu *pc = &percpu[cpu];

	if (!x2apic && c->apic_id > 0xfe) {
		pr_warn("keel: cpu apic id %u needs x2APIC mode; skipped\n", c->apic_id);
		return false;
	}
	pc->cpu = cpu;
	pc->apic_id = c->apic_id;
	if (alloc_stacks(pc)) {
		pr_err("keel: no memory for cpu %u's stacks\n", cpu);
		return false;
	}
	if (!start_ap(cpu, tramp)) {
		/* Park it in wait-for-SIPI, so a late start cannot use the next CPU's parameters. */
		apic_send_ipi(c->apic_id, APIC_DM_INIT | APIC_LEVEL_ASSERT);
		pr_err("keel: cpu %u (apic id %u) did not start\n", cpu, c->apic_id);
		return false;
	}
	return true;
}

unsigned int smp_boot(const struct acpi_info *acpi, bool x2apic, bool tsc_deadline)
{
	u64 tramp = mm_trampoline_page();
	unsigned int next = 1;

	use_tsc_deadline = tsc_deadline;
	irq_register(VEC_CALL, call_irq);
	percpu[0].online = true;
	if (!acpi->have_madt || !tramp)
		return 1;
	memcpy((void *)(uintptr_t)tramp, _trampoline_start, (size_t)(_trampoline_end - _trampoline_start));
	for (unsigned int i = 0; i < acpi->nr_cpus && next < MAX_CPUS; i++) {
		const struct acpi_cpu *c = &acpi->cpus[i];

		if (!c->enabled || c->apic_id == percpu[0].apic_id)
			continue;
		nr_cpus_possible++;
		boot_one(next++, c, tramp, x2apic);	/* a slot is never reused, even for a CPU that failed */
	}
	return nr_cpus_online;
}

static int call_async(unsigned int cpu, void (*fn)(void *), void *arg)
{
	if (cpu >= MAX_CPUS || !percpu[cpu].online)
		return -ENODEV;
	spin_lock(&call_slot[cpu].lock);
	call_slot[cpu].fn = fn;
	call_slot[cpu].arg = arg;
	__atomic_store_n(&call_slot[cpu].pending, true, __ATOMIC_RELEASE);
	apic_send_ipi(percpu[cpu].apic_id, VEC_CALL);
	return 0;
}

/*
 * A CPU that does not answer a cross-call is wedged, and may still be about
 * to run the call with the caller's (soon dead) argument: that is fatal.
 */
static int call_wait(unsigned int cpu)
{
	for (u64 us = 0; __atomic_load_n(&call_slot[cpu].pending, __ATOMIC_ACQUIRE); us++) {
		if (us > CALL_TIMEOUT_US)
			panic("cpu %u did not answer a cross-call within %u s", cpu,
			      CALL_TIMEOUT_US / 1000000);
		udelay(1);
	}
	spin_unlock(&call_slot[cpu].lock);
	return 0;
}

static void call_local(void (*fn)(void *), void *arg)
{
	u64 flags = read_rflags();

	irq_disable();
	fn(arg);
	if (flags & BIT(9))
		irq_enable();
}

int smp_call(unsigned int cpu, void (*fn)(void *), void *arg)
{
	int r;

	if (cpu == this_cpu()->cpu) {
		call_local(fn, arg);
		return 0;
	}
	r = call_async(cpu, fn, arg);
	return r ? r : call_wait(cpu);
}

unsigned int smp_call_all(void (*fn)(void *), void *arg)
{
	unsigned int self = this_cpu()->cpu, ran = 1;
	u64 sent[MAX_CPUS / 64] = { 0 };

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if (cpu != self && !call_async(cpu, fn, arg))
			sent[cpu / 64] |= BIT(cpu % 64);
	call_local(fn, arg);
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		if ((sent[cpu / 64] & BIT(cpu % 64)) && !call_wait(cpu))
			ran++;
	return ran;
}
