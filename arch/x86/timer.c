// SPDX-License-Identifier: GPL-2.0
#include "arch/x86/apic.h"
#include "asm/processor.h"
#include "asm/msr.h"
#include "arch/x86/timer.h"
#include "arch/x86/traps.h"
#include "arch/x86/vectors.h"
#include "drivers/hpet.h"
#include "kernel/errno.h"
#include "kernel/percpu.h"

#define PIT_HZ 1193182ULL
#define CALIBRATE_MS 10
#define APIC_DIV_16 0x3
#define BACKSTOP_NS 10000000ULL
#define MIN_PERIOD_NS 20000ULL

u64 tsc_khz;
u32 tsc_crystal_khz;
static u64 apic_khz;
static bool deadline_mode;
static void (*expiry_handler)(void);

/* PIT channel 2 in mode 0, gated by port 0x61 bit 0; OUT2 shows in port 0x61 bit 5. */
static int calibrate_pit(u64 *khz)
{
	u16 count = PIT_HZ * CALIBRATE_MS / 1000;
	u64 t0, t1;
	long spins = 0;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		if (++spins > 100000000)
			return -ENODEV;
	t1 = rdtsc();
	*khz = (t1 - t0) / CALIBRATE_MS;
	return 0;
}

static int calibrate_hpet(u64 base, u64 *khz)
{
	u64 h0, t0, ticks, t1, us;

	if (hpet_init(base))
		return -ENODEV;
	ticks = CALIBRATE_MS * 1000000000000ULL / hpet_period_fs();
	h0 = hpet_read();
	t0 = rdtsc();
	for (long spins = 0; hpet_read() - h0 < ticks; spins++)
		if (spins > 100000000)
			return -ENODEV;
	t1 = rdtsc();
	us = (hpet_read() - h0) * hpet_period_fs() / 1000000000ULL;
	*khz = (t1 - t0) * 1000 / (us ? us : 1);
	return 0;
}

/*
 * The TSC's rate as CPUID 0x15 states it (SDM Vol. 2A CPUID, leaf 15H: the
 * core crystal clock's ECX Hz times EBX / EAX); 0 where it does not: no such
 * leaf, or a ratio without the crystal's frequency, which a guest then guesses
 * from its model or from leaf 16H.
 */
static u64 cpuid_tsc_khz(u32 *crystal_khz)
{
	struct cpuid_regs r;

	if (cpuid(0).eax < 0x15)
		return 0;
	r = cpuid_count(0x15, 0);
	if (!r.eax || !r.ebx || !r.ecx)
		return 0;
	*crystal_khz = r.ecx / 1000;
	return (u64)r.ecx * r.ebx / r.eax / 1000;
}

/*
 * A rate CPUID states is exact where the measurement is not, so it is taken
 * when the two agree within 1%; otherwise guests do not see leaves 15H and
 * 16H (cpuid_policy()). Bochs gives a ratio without the crystal, from which,
 * with leaf 16H's 3.5 GHz, Linux made a TSC of 3.5 GHz, trusted it, and ran
 * its clock 175 times slow: Bochs's TSC counts its instructions, 20 MHz here.
 */
int tsc_calibrate(u64 hpet_base, const char **source)
{
	u64 measured = 0, stated;
	u32 crystal = 0;

	*source = "hpet";
	if (!hpet_base || calibrate_hpet(hpet_base, &measured) || !measured) {
		*source = "pit";
		if (calibrate_pit(&measured) || !measured)
			return -ENODEV;
	}
	tsc_khz = measured;
	stated = cpuid_tsc_khz(&crystal);
	if (stated * 100 >= measured * 99 && stated * 100 <= measured * 101) {
		tsc_khz = stated;
		tsc_crystal_khz = crystal;
	}
	return 0;
}

u64 tsc_to_ns(u64 ticks)
{
	if (!tsc_khz)
		return 0;
	return ticks / tsc_khz * 1000000 + ticks % tsc_khz * 1000000 / tsc_khz;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + us * tsc_khz / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

/*
 * LAPIC timer counts for @ns, within [MIN_PERIOD_NS, BACKSTOP_NS]: a shorter
 * period could expire again before the handler has re-armed, and QEMU's
 * main loop, re-running a timer already due, never lets the CPU take it.
 */
static u32 apic_count(u64 ns)
{
	return (u32)(MAX(MIN(ns, BACKSTOP_NS), MIN_PERIOD_NS) * apic_khz / 1000000);
}

/*
 * Without TSC-deadline mode the LAPIC timer runs periodic (SDM Vol. 3A
 * 11.5.4), at most BACKSTOP_NS apart, and each expiry first sets that period
 * before its handler re-arms: a CPU whose timer interrupt was lost is asked
 * again within BACKSTOP_NS instead of never. QEMU 7.2's TCG loses one now and
 * then: helper_vmrun() sets CPU_INTERRUPT_VIRQ in interrupt_request without
 * the lock under which the APIC sets CPU_INTERRUPT_POLL, so the APIC's request
 * can vanish with its IRR bit left set, and a CPU idle or in a guest that
 * makes no exit waits for an interrupt that is never signalled again.
 */
static void timer_irq(struct regs *r)
{
	if (!deadline_mode)
		apic_write(APIC_TIMER_INIT, apic_count(BACKSTOP_NS));
	this_cpu()->timer_ticks++;
	if (expiry_handler)
		expiry_handler();
}

/* LAPIC timer ticks per ms, counted down over a TSC-timed interval. */
static void calibrate_apic_timer(void)
{
	u32 left;

	apic_write(APIC_TIMER_DIV, APIC_DIV_16);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	udelay(CALIBRATE_MS * 1000);
	left = apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	apic_khz = (0xffffffffULL - left) / CALIBRATE_MS;
}

void timer_init_cpu(bool tsc_deadline)
{
	if (this_cpu()->cpu == 0) {
		deadline_mode = tsc_deadline;
		irq_register(VEC_TIMER, timer_irq);
		if (!deadline_mode)
			calibrate_apic_timer();
	}
	if (deadline_mode) {
		apic_write(APIC_LVT_TIMER, APIC_TIMER_TSC_DEADLINE | VEC_TIMER);
		return;
	}
	apic_write(APIC_TIMER_DIV, APIC_DIV_16);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | VEC_TIMER);
}

void timer_arm_ns(u64 ns)
{
	if (deadline_mode) {
		wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + MAX(ns * tsc_khz / 1000000, 1));
		return;
	}
	apic_write(APIC_TIMER_INIT, apic_count(ns));
}

void timer_arm_tsc(u64 deadline)
{
	u64 now = rdtsc();

	if (deadline_mode) {
		wrmsr(MSR_IA32_TSC_DEADLINE, MAX(deadline, now + 1));
		return;
	}
	timer_arm_ns(deadline > now ? tsc_to_ns(deadline - now) : 0);
}

void timer_set_handler(void (*fn)(void))
{
	expiry_handler = fn;
}

bool timer_uses_tsc_deadline(void)
{
	return deadline_mode;
}
