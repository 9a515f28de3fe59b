// SPDX-License-Identifier: GPL-2.0
/*
 * pcirq: the interrupt controllers of QEMU's pc machine as a VMM's in-kernel
 * irqchip provides them (KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2). Not a
 * boot-time VM of Keel: Debian's QEMU loads it with -kernel (multiboot) on
 * /dev/kvm in the control guest, its UART on QEMU's serial port and its exit
 * on QEMU's isa-debug-exit device (tests/e2e/control.sh ... qemu-mb).
 * 1. The LAPIC (SDM Vol. 3A 11.4, 11.5.4): enabled through SVR, a one-shot
 *    timer interrupt taken from HLT.
 * 2. The 8254 (channel 0, mode 2, 1 kHz) through the I/O APIC: ISA IRQ 0 is
 *    GSI 2 on QEMU's pc (the MADT's override), routed to a vector, each
 *    interrupt EOIed at the LAPIC.
 * 3. The same PIT through the 8259A pair: the I/O APIC pin masked, the
 *    master PIC initialised (ICW1-ICW4) at a vector base, IRQ 0 unmasked,
 *    reaching the LAPIC's LINT0 as ExtINT (as SeaBIOS leaves it), each
 *    interrupt EOIed at the PIC.
 */
#include "guest.h"

#define LAPIC_BASE	0xfee00000UL
#define LAPIC_ID	0x20
#define LAPIC_VER	0x30
#define LAPIC_EOI	0xb0
#define LAPIC_SVR	0xf0
#define LAPIC_LVT_TIMER	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_TIMER_ICR	0x380
#define LAPIC_TIMER_DCR	0x3e0
#define IOAPIC_BASE	0xfec00000UL
#define IOAPIC_VER	0x01
#define IOAPIC_REDTBL	0x10
#define PIT_GSI		2

#define VEC_TIMER	0x40
#define VEC_IOAPIC	0x41
#define VEC_PIC		0x50	/* the master PIC's base: IRQ 0 */
#define TICKS		10
#define PIT_1KHZ	1193	/* 1.193182 MHz / 1193 */

static volatile unsigned int hits[3];

static u32 lapic_read(u32 reg)
{
	return *(volatile u32 *)(LAPIC_BASE + reg);
}

static void lapic_write(u32 reg, u32 val)
{
	*(volatile u32 *)(LAPIC_BASE + reg) = val;
}

/* The I/O APIC's registers through IOREGSEL (offset 0) and IOWIN (0x10). */
static u32 ioapic_read(u32 reg)
{
	*(volatile u32 *)IOAPIC_BASE = reg;
	return *(volatile u32 *)(IOAPIC_BASE + 0x10);
}

static void ioapic_write(u32 reg, u32 val)
{
	*(volatile u32 *)IOAPIC_BASE = reg;
	*(volatile u32 *)(IOAPIC_BASE + 0x10) = val;
}

static void on_lapic_irq(struct trap_frame *f)
{
	hits[f->vector == VEC_TIMER ? 0 : 1]++;
	lapic_write(LAPIC_EOI, 0);
}

static void on_pic_irq(struct trap_frame *f)
{
	hits[2]++;
	outb(0x20, 0x20);	/* non-specific EOI to the master */
}

/*
 * STI; HLT until hits[i] reaches @n. An interrupt that never comes leaves the
 * guest halted: the run's deadline fails it (no PASS line), after the line
 * that says what it waited for.
 */
static void wait_hits(unsigned int i, unsigned int n, const char *what)
{
	printf("pcirq: waiting for %s\n", what);
	while (hits[i] < n)
		asm volatile("sti\n\thlt\n\tcli" : : : "memory");
	printf("pcirq: %u interrupts from %s\n", hits[i], what);
}

static void test_lapic_timer(void)
{
	checkf((lapic_read(LAPIC_VER) & 0xff) == 0x14, "LAPIC version %#x (0x14, as KVM's)",
	       lapic_read(LAPIC_VER) & 0xff);
	lapic_write(LAPIC_SVR, 0x1ff);
	lapic_write(LAPIC_TIMER_DCR, 0xb);	/* divide by 1 */
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);	/* one-shot */
	lapic_write(LAPIC_TIMER_ICR, 1000000);
	wait_hits(0, 1, "the LAPIC timer");
}

/* Channel 0, lobyte/hibyte, mode 2 (rate generator): an IRQ 0 every ms. */
static void pit_start(void)
{
	outb(0x43, 0x34);
	outb(0x40, PIT_1KHZ & 0xff);
	outb(0x40, PIT_1KHZ >> 8);
}

static void test_ioapic(void)
{
	u32 ver = ioapic_read(IOAPIC_VER);

	checkf(((ver >> 16) & 0xff) == 23, "I/O APIC version register %#x: 24 pins", ver);
	ioapic_write(IOAPIC_REDTBL + 2 * PIT_GSI + 1, 0);	/* destination APIC 0 */
	ioapic_write(IOAPIC_REDTBL + 2 * PIT_GSI, VEC_IOAPIC);	/* fixed, edge, unmasked */
	pit_start();
	wait_hits(1, TICKS, "the PIT through the I/O APIC");
	ioapic_write(IOAPIC_REDTBL + 2 * PIT_GSI, 1u << 16 | VEC_IOAPIC);	/* masked */
}

/* ICW1-ICW4 of the master (8259A datasheet): edge, cascade, vector base, 8086 mode. */
static void test_pic(void)
{
	lapic_write(LAPIC_LVT_LINT0, 7 << 8);	/* ExtINT */
	outb(0x20, 0x11);
	outb(0x21, VEC_PIC);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0x21, 0xfe);	/* IRQ 0 only */
	wait_hits(2, TICKS, "the PIT through the PIC");
	checkf(hits[0] == 1, "the LAPIC timer's one-shot fired once (%u)", hits[0]);
	outb(0x21, 0xff);
}

void guest_main(void)
{
	/*
	 * SeaBIOS leaves the PIT ticking into the master PIC's IRQ 0 at vector 8
	 * and LINT0 in ExtINT mode: both PICs masked until test_pic().
	 */
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	set_irq_handler(VEC_TIMER, on_lapic_irq);
	set_irq_handler(VEC_IOAPIC, on_lapic_irq);
	set_irq_handler(VEC_PIC, on_pic_irq);
	test_lapic_timer();
	test_ioapic();
	test_pic();
}
