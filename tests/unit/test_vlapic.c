// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual local APIC tests. A fake vCPU context supplies a clock the tests
 * move by hand and records timer arming, IPIs, kicks and level EOIs.
 * Section numbers are those of the Intel SDM Vol. 3A chapter 11.
 */
#include "test.h"
#include "kernel/errno.h"
#include "arch/x86/irqchip/vlapic.h"

#define MAX_RECORDS 32

struct fake {
	u64 now;
	u64 armed;		/* deadline of the armed host timer, 0: none */
	int arms, cancels, kicks;
	int nr_ipis, nr_eois;
	struct vlapic_ipi ipis[MAX_RECORDS];
	u8 eois[MAX_RECORDS];
};

static struct fake fk, fk2;
static struct vlapic lapic, lapic2;

static u64 f_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static void f_arm(void *ctx, u64 deadline)
{
	struct fake *f = ctx;

	f->armed = deadline;
	f->arms++;
}

static void f_cancel(void *ctx)
{
	struct fake *f = ctx;

	f->armed = 0;
	f->cancels++;
}

static void f_send_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
	struct fake *f = ctx;

	if (f->nr_ipis < MAX_RECORDS)
		f->ipis[f->nr_ipis] = *ipi;
	f->nr_ipis++;
}

static void f_kick(void *ctx)
{
	((struct fake *)ctx)->kicks++;
}

static void f_eoi(void *ctx, u8 vector)
{
	struct fake *f = ctx;

	if (f->nr_eois < MAX_RECORDS)
		f->eois[f->nr_eois] = vector;
	f->nr_eois++;
}

static const struct vlapic_ops fake_ops = {
	.now = f_now,
	.arm_timer = f_arm,
	.cancel_timer = f_cancel,
	.send_ipi = f_send_ipi,
	.kick = f_kick,
	.eoi = f_eoi,
};

/* 2 GHz TSC, the default 1 GHz timer clock, x2APIC offered, MAXPHYADDR 46. */
static struct vlapic_config config(struct fake *f, u32 id, bool bsp)
{
	return (struct vlapic_config){
		.ops = &fake_ops, .ctx = f, .apic_id = id, .bsp = bsp,
		.x2apic = true, .phys_bits = 46, .tsc_khz = 2000000,
	};
}

static struct vlapic *setup_at(struct vlapic *l, struct fake *f, u32 id, bool bsp)
{
	struct vlapic_config cfg = config(f, id, bsp);

	memset(f, 0, sizeof(*f));
	CHECK_EQ(vlapic_init(l, &cfg), 0);
	return l;
}

static struct vlapic *setup(u32 id)
{
	return setup_at(&lapic, &fk, id, true);
}

static u32 rd(struct vlapic *l, u32 off)
{
	return vlapic_mmio_read(l, off, 4);
}

static void wr(struct vlapic *l, u32 off, u32 val)
{
	vlapic_mmio_write(l, off, 4, val);
}

static u32 msr(u32 off)
{
	return VLAPIC_MSR_FIRST + (off >> 4);
}

static u64 rdmsr(struct vlapic *l, u32 off)
{
	u64 v = 0xdeadbeef;

	CHECK_EQ(vlapic_msr_read(l, msr(off), &v), 0);
	return v;
}

static void sw_enable(struct vlapic *l)
{
	wr(l, LAPIC_SVR, 0x1ff);
}

static void to_x2apic(struct vlapic *l)
{
	CHECK_EQ(vlapic_set_base(l, vlapic_base(l) | APIC_BASE_EXTD), 0);
	CHECK_EQ(vlapic_mode(l), VLAPIC_X2APIC);
}

/* ESR as software reads it: write, then read (11.5.3). */
static u32 esr(struct vlapic *l)
{
	wr(l, LAPIC_ESR, 0);
	return rd(l, LAPIC_ESR);
}

static bool bit(const struct vlapic *l, u32 base, unsigned int v)
{
	return l->regs[(base >> 2) + (v >> 5) * 4] & (1u << (v & 31));
}

static void eoi(struct vlapic *l)
{
	wr(l, LAPIC_EOI, 0);
}

static const u32 lvts[] = {
	LAPIC_LVT_TIMER, LAPIC_LVT_THERMAL, LAPIC_LVT_PERF,
	LAPIC_LVT_LINT0, LAPIC_LVT_LINT1, LAPIC_LVT_ERROR,
};

/* ------------------------------------------------------------ reset and modes */

TEST(reset_values)
{
	struct vlapic *l = setup(3);

	CHECK_EQ(vlapic_base(l), 0xfee00900);
	CHECK_EQ(vlapic_mode(l), VLAPIC_XAPIC);
	CHECK_EQ(rd(l, LAPIC_ID), 3u << 24);
	CHECK_EQ(rd(l, LAPIC_VER), 0x50014);
	CHECK_EQ(rd(l, LAPIC_TPR), 0);
	CHECK_EQ(rd(l, LAPIC_APR), 0);
	CHECK_EQ(rd(l, LAPIC_PPR), 0);
	CHECK_EQ(rd(l, LAPIC_LDR), 0);
	CHECK_EQ(rd(l, LAPIC_DFR), 0xffffffff);
	CHECK_EQ(rd(l, LAPIC_SVR), 0xff);
	CHECK_EQ(rd(l, LAPIC_ESR), 0);
	CHECK_EQ(rd(l, LAPIC_ICR), 0);
	CHECK_EQ(rd(l, LAPIC_ICR_HI), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(lvts); i++)
		CHECK_EQ(rd(l, lvts[i]), LAPIC_LVT_MASKED);
	for (u32 i = 0; i < 8; i++) {
		CHECK_EQ(rd(l, LAPIC_ISR + i * 16), 0);
		CHECK_EQ(rd(l, LAPIC_TMR + i * 16), 0);
		CHECK_EQ(rd(l, LAPIC_IRR + i * 16), 0);
	}
	CHECK_EQ(rd(l, LAPIC_TIMER_ICR), 0);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
	CHECK_EQ(rd(l, LAPIC_TIMER_DCR), 0);
	CHECK_EQ(vlapic_pending(l), -1);
	CHECK_EQ(vlapic_base(setup_at(&lapic2, &fk2, 4, false)), 0xfee00800);
}

TEST(init_config_checked)
{
	struct vlapic_config cfg = config(&fk, 0, true);
	struct vlapic_ops no_eoi = fake_ops;

	cfg.tsc_khz = 0;
	CHECK_EQ(vlapic_init(&lapic, &cfg), -EINVAL);
	cfg.tsc_khz = 1u << 24;
	CHECK_EQ(vlapic_init(&lapic, &cfg), -EINVAL);
	cfg = config(&fk, 0, true);
	cfg.bus_khz = 1u << 24;
	CHECK_EQ(vlapic_init(&lapic, &cfg), -EINVAL);
	cfg = config(&fk, 0, true);
	cfg.phys_bits = 53;
	CHECK_EQ(vlapic_init(&lapic, &cfg), -EINVAL);
	cfg = config(&fk, 0, true);
	no_eoi.eoi = NULL;
	cfg.ops = &no_eoi;
	CHECK_EQ(vlapic_init(&lapic, &cfg), -EINVAL);
}

TEST(init_reset_keeps_id_base_and_mode)
{
	struct vlapic *l = setup(3);

	sw_enable(l);
	wr(l, LAPIC_ID, 7u << 24);
	wr(l, LAPIC_TPR, 0x20);
	wr(l, LAPIC_LVT_LINT0, 0x700);
	wr(l, LAPIC_TIMER_ICR, 100);
	CHECK(fk.armed != 0);
	CHECK(vlapic_set_irq(l, 0x40, true, false));
	CHECK_EQ(vlapic_set_base(l, 0xfec00000 | APIC_BASE_EN), 0);

	vlapic_reset(l, true);	/* 11.4.7.3 */
	CHECK_EQ(vlapic_base(l), 0xfec00000 | APIC_BASE_EN);
	CHECK_EQ(rd(l, LAPIC_ID), 7u << 24);
	CHECK_EQ(rd(l, LAPIC_TPR), 0);
	CHECK_EQ(rd(l, LAPIC_SVR), 0xff);
	CHECK_EQ(rd(l, LAPIC_LVT_LINT0), LAPIC_LVT_MASKED);
	CHECK_EQ(rd(l, LAPIC_TIMER_ICR), 0);
	CHECK_EQ(fk.armed, 0);
	CHECK(!bit(l, LAPIC_IRR, 0x40));

	l = setup(0x35);
	to_x2apic(l);
	vlapic_reset(l, true);	/* INIT keeps x2APIC mode (11.12.5.1) */
	CHECK_EQ(vlapic_mode(l), VLAPIC_X2APIC);
	CHECK_EQ(rdmsr(l, LAPIC_ID), 0x35);
	CHECK_EQ(rdmsr(l, LAPIC_LDR), 0x00030020);
	vlapic_reset(l, false);
	CHECK_EQ(vlapic_mode(l), VLAPIC_XAPIC);
	CHECK_EQ(vlapic_base(l), 0xfee00900);
	CHECK_EQ(rd(l, LAPIC_ID), 0x35u << 24);
}

TEST(mode_transitions_legal)
{
	struct vlapic *l = setup(1);
	u64 base = vlapic_base(l);
	u64 off = base & ~(APIC_BASE_EN | APIC_BASE_EXTD);

	CHECK_EQ(vlapic_set_base(l, base & ~APIC_BASE_BSP), 0);	/* xAPIC -> xAPIC */
	CHECK_EQ(vlapic_set_base(l, base | APIC_BASE_EXTD), 0);	/* xAPIC -> x2APIC */
	CHECK_EQ(vlapic_mode(l), VLAPIC_X2APIC);
	CHECK_EQ(rdmsr(l, LAPIC_ID), 1);
	CHECK_EQ(rdmsr(l, LAPIC_LDR), 0x2);
	CHECK_EQ(vlapic_set_base(l, base | APIC_BASE_EXTD), 0);	/* x2APIC -> x2APIC */
	CHECK_EQ(vlapic_set_base(l, off), 0);				/* x2APIC -> disabled */
	CHECK_EQ(vlapic_mode(l), VLAPIC_DISABLED);
	CHECK_EQ(vlapic_set_base(l, base), 0);				/* disabled -> xAPIC */
	CHECK_EQ(vlapic_mode(l), VLAPIC_XAPIC);
	CHECK_EQ(rd(l, LAPIC_ID), 1u << 24);
	CHECK_EQ(rd(l, LAPIC_LDR), 0);
	CHECK_EQ(vlapic_set_base(l, off), 0);				/* xAPIC -> disabled */
	CHECK_EQ(vlapic_mode(l), VLAPIC_DISABLED);
}

TEST(mode_transitions_illegal)
{
	struct vlapic *l = setup(1);
	u64 base = vlapic_base(l);
	u64 off = base & ~(APIC_BASE_EN | APIC_BASE_EXTD);
	struct vlapic_config cfg = config(&fk, 1, true);

	CHECK_EQ(vlapic_set_base(l, off | APIC_BASE_EXTD), -EPERM);	/* invalid state */
	CHECK_EQ(vlapic_set_base(l, base | BIT(9)), -EPERM);		/* reserved bits */
	CHECK_EQ(vlapic_set_base(l, base | BIT(0)), -EPERM);
	CHECK_EQ(vlapic_set_base(l, base | BIT(46)), -EPERM);
	CHECK_EQ(vlapic_base(l), base);
	CHECK_EQ(vlapic_set_base(l, base | BIT(45)), 0);		/* below MAXPHYADDR */

	to_x2apic(l);
	CHECK_EQ(vlapic_set_base(l, base), -EPERM);			/* x2APIC -> xAPIC */
	CHECK_EQ(vlapic_mode(l), VLAPIC_X2APIC);
	CHECK_EQ(vlapic_set_base(l, off), 0);
	CHECK_EQ(vlapic_set_base(l, base | APIC_BASE_EXTD), -EPERM);	/* disabled -> x2APIC */
	CHECK_EQ(vlapic_mode(l), VLAPIC_DISABLED);

	cfg.x2apic = false;						/* EXTD is reserved */
	CHECK_EQ(vlapic_init(l, &cfg), 0);
	CHECK_EQ(vlapic_set_base(l, base | APIC_BASE_EXTD), -EPERM);
	CHECK_EQ(vlapic_mode(l), VLAPIC_XAPIC);
}

TEST(disabled_apic_is_inert)
{
	struct vlapic *l = setup(1);
	u64 v;

	sw_enable(l);
	wr(l, LAPIC_TPR, 0x10);
	CHECK(vlapic_set_irq(l, 0x40, true, false));
	CHECK_EQ(vlapic_set_base(l, 0xfee00000), 0);
	/* Back to power-up values (11.4.3), seen in the page itself. */
	CHECK_EQ(l->regs[LAPIC_SVR >> 2], 0xff);
	CHECK_EQ(l->regs[LAPIC_TPR >> 2], 0);
	CHECK(!bit(l, LAPIC_IRR, 0x40));
	CHECK(!vlapic_mmio_claims(l, 0xfee00000));
	CHECK_EQ(rd(l, LAPIC_VER), 0);
	CHECK_EQ(vlapic_msr_read(l, msr(LAPIC_VER), &v), -EPERM);
	CHECK(!vlapic_set_irq(l, 0x40, true, false));
	CHECK_EQ(vlapic_pending(l), -1);
	CHECK(!vlapic_match_dest(l, 1, false, VLAPIC_SH_ALL, false));
}

TEST(mmio_page_follows_base)
{
	struct vlapic *l = setup(0);

	CHECK(vlapic_mmio_claims(l, 0xfee00000));
	CHECK(vlapic_mmio_claims(l, 0xfee00ff0));
	CHECK(!vlapic_mmio_claims(l, 0xfee01000));
	CHECK(!vlapic_mmio_claims(l, 0xfedff000));
	CHECK_EQ(vlapic_set_base(l, 0x12345000 | APIC_BASE_EN), 0);	/* 11.4.5 */
	CHECK(vlapic_mmio_claims(l, 0x12345030));
	CHECK(!vlapic_mmio_claims(l, 0xfee00030));
	to_x2apic(l);
	CHECK(!vlapic_mmio_claims(l, 0x12345030));
}

/* ------------------------------------------------------------ register access */

TEST(xapic_mmio_semantics)
{
	struct vlapic *l = setup(2);

	CHECK_EQ(vlapic_mmio_read(l, LAPIC_VER, 2), 0);		/* 11.4.1: 32-bit only */
	CHECK_EQ(vlapic_mmio_read(l, LAPIC_VER, 8), 0);
	CHECK_EQ(vlapic_mmio_read(l, LAPIC_VER + 4, 4), 0);
	vlapic_mmio_write(l, LAPIC_TPR, 1, 0x30);
	vlapic_mmio_write(l, LAPIC_TPR + 8, 4, 0x30);
	CHECK_EQ(rd(l, LAPIC_TPR), 0);
	wr(l, LAPIC_TPR, 0x130);
	CHECK_EQ(rd(l, LAPIC_TPR), 0x30);
	wr(l, LAPIC_VER, 0);					/* read-only: ignored */
	wr(l, LAPIC_PPR, 0);
	wr(l, LAPIC_IRR, ~0u);
	CHECK_EQ(rd(l, LAPIC_VER), 0x50014);
	CHECK_EQ(rd(l, LAPIC_PPR), 0x30);
	CHECK_EQ(rd(l, LAPIC_IRR), 0);
	wr(l, LAPIC_ID, 0x05ffffff);				/* read/write in xAPIC mode */
	CHECK_EQ(rd(l, LAPIC_ID), 0x05000000);
	wr(l, LAPIC_LDR, 0x01ffffff);
	CHECK_EQ(rd(l, LAPIC_LDR), 0x01000000);
	wr(l, LAPIC_DFR, 0);					/* bits 27:0 stay 1 */
	CHECK_EQ(rd(l, LAPIC_DFR), 0x0fffffff);
	wr(l, LAPIC_TIMER_DCR, 0xff);
	CHECK_EQ(rd(l, LAPIC_TIMER_DCR), 0xb);
	CHECK_EQ(rd(l, LAPIC_EOI), 0);
	CHECK_EQ(esr(l), 0);
}

TEST(xapic_reserved_registers_are_errors)
{
	static const u32 reserved[] = { 0x000, 0x010, 0x040, 0x070, 0x2a0, 0x2f0, 0x3f0, 0x400,
					0xff0 };
	struct vlapic *l = setup(2);

	for (unsigned int i = 0; i < ARRAY_SIZE(reserved); i++) {
		CHECK_EQ(rd(l, reserved[i]), 0);
		CHECK_EQ(rd(l, LAPIC_ESR), 0);	/* latched only by an ESR write */
		CHECK_EQ(esr(l), LAPIC_ESR_ILLEGAL_REG);
		wr(l, reserved[i], 0x42);
		CHECK_EQ(esr(l), LAPIC_ESR_ILLEGAL_REG);
		CHECK_EQ(esr(l), 0);
	}
	/* An unmasked error LVT signals the error (11.5.3). */
	sw_enable(l);
	wr(l, LAPIC_LVT_ERROR, 0xfe);
	rd(l, 0x3f0);
	CHECK_EQ(vlapic_pending(l), 0xfe);
}

TEST(x2apic_msr_semantics)
{
	static const u32 read_only[] = { LAPIC_ID, LAPIC_VER, LAPIC_PPR, LAPIC_LDR, LAPIC_ISR,
					 LAPIC_TMR + 0x70, LAPIC_IRR, LAPIC_TIMER_CCR };
	static const u32 reserved[] = { 0x801, 0x809, 0x80c, 0x80e, 0x82f, 0x831, 0x83a,
					0x840, 0x8ff, 0x7ff, 0x900 };
	struct vlapic *l = setup(0x123);
	u64 v;

	CHECK_EQ(vlapic_msr_read(l, msr(LAPIC_VER), &v), -EPERM);	/* xAPIC mode */
	sw_enable(l);
	to_x2apic(l);
	CHECK_EQ(rdmsr(l, LAPIC_ID), 0x123);
	CHECK_EQ(rdmsr(l, LAPIC_LDR), 0x00120008);	/* 11.12.10.2 */
	CHECK_EQ(rdmsr(l, LAPIC_VER), 0x50014);
	CHECK_EQ(rdmsr(l, LAPIC_SVR), 0x1ff);
	for (unsigned int i = 0; i < ARRAY_SIZE(read_only); i++)
		CHECK_EQ(vlapic_msr_write(l, msr(read_only[i]), 0), -EPERM);
	for (unsigned int i = 0; i < ARRAY_SIZE(reserved); i++) {
		CHECK_EQ(vlapic_msr_read(l, reserved[i], &v), -EPERM);
		CHECK_EQ(vlapic_msr_write(l, reserved[i], 0), -EPERM);
	}
	CHECK_EQ(vlapic_msr_read(l, msr(LAPIC_EOI), &v), -EPERM);	/* write-only */
	CHECK_EQ(vlapic_msr_read(l, msr(LAPIC_SELF_IPI), &v), -EPERM);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_EOI), 1), -EPERM);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_EOI), 0), 0);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ESR), 1), -EPERM);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ESR), 0), 0);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_SELF_IPI), 0x140), -EPERM);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_TPR), BIT(32) | 0x20), -EPERM);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_TPR), 0x120), 0);	/* reserved bits dropped */
	CHECK_EQ(rdmsr(l, LAPIC_TPR), 0x20);
	CHECK_EQ(rdmsr(l, LAPIC_PPR), 0x20);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_TIMER_DCR), 0x9), 0);
	CHECK_EQ(rdmsr(l, LAPIC_TIMER_DCR), 0x9);
	CHECK_EQ(fk.nr_ipis, 0);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ICR), 0x0000000500000040ULL), 0);
	CHECK_EQ(rdmsr(l, LAPIC_ICR), 0x0000000500000040ULL);
	CHECK_EQ(fk.nr_ipis, 1);
	CHECK_EQ(fk.ipis[0].dest, 5);
	CHECK_EQ(rd(l, LAPIC_VER), 0);		/* no MMIO in x2APIC mode */
}

/* ------------------------------------------------------------ priorities and EOI */

TEST(priority_with_tpr_and_ppr)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	CHECK(vlapic_set_irq(l, 0x31, true, false));
	CHECK(vlapic_set_irq(l, 0x45, true, false));
	CHECK(vlapic_set_irq(l, 0x52, true, false));
	CHECK_EQ(vlapic_pending(l), 0x52);
	wr(l, LAPIC_TPR, 0x50);			/* class 5 is not above PPR's class 5 */
	CHECK_EQ(rd(l, LAPIC_PPR), 0x50);
	CHECK_EQ(vlapic_pending(l), -1);
	wr(l, LAPIC_TPR, 0x4f);
	CHECK_EQ(rd(l, LAPIC_PPR), 0x4f);
	CHECK_EQ(vlapic_pending(l), 0x52);
	vlapic_ack(l, 0x52);
	CHECK(bit(l, LAPIC_ISR, 0x52) && !bit(l, LAPIC_IRR, 0x52));
	CHECK_EQ(rd(l, LAPIC_PPR), 0x50);	/* ISRV[7:4] > TPR[7:4]: PPR = ISRV & 0xf0 */
	CHECK_EQ(vlapic_pending(l), -1);
	wr(l, LAPIC_TPR, 0x57);			/* TPR[7:4] >= ISRV[7:4]: PPR = TPR */
	CHECK_EQ(rd(l, LAPIC_PPR), 0x57);
	wr(l, LAPIC_TPR, 0);
	CHECK_EQ(rd(l, LAPIC_PPR), 0x50);
	eoi(l);
	CHECK_EQ(rd(l, LAPIC_PPR), 0);
	CHECK_EQ(vlapic_pending(l), 0x45);
	vlapic_set_tpr(l, 0xf0);		/* CR8 = 15 */
	CHECK_EQ(vlapic_tpr(l), 0xf0);
	CHECK_EQ(vlapic_pending(l), -1);
	vlapic_ack(l, 0x99);			/* not requested: ignored */
	CHECK(!bit(l, LAPIC_ISR, 0x99));
}

TEST(eoi_of_nested_interrupts)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	vlapic_set_irq(l, 0x40, true, false);
	vlapic_ack(l, 0x40);
	vlapic_set_irq(l, 0x60, true, false);
	CHECK_EQ(vlapic_pending(l), 0x60);	/* a higher class nests */
	vlapic_ack(l, 0x60);
	CHECK_EQ(rd(l, LAPIC_PPR), 0x60);
	vlapic_set_irq(l, 0x41, true, false);
	vlapic_set_irq(l, 0x65, true, false);
	CHECK_EQ(vlapic_pending(l), -1);	/* same or lower class waits */
	eoi(l);					/* retires 0x60, the highest */
	CHECK(!bit(l, LAPIC_ISR, 0x60) && bit(l, LAPIC_ISR, 0x40));
	CHECK_EQ(rd(l, LAPIC_PPR), 0x40);
	CHECK_EQ(vlapic_pending(l), 0x65);
	vlapic_ack(l, 0x65);
	eoi(l);
	CHECK(!bit(l, LAPIC_ISR, 0x65) && bit(l, LAPIC_ISR, 0x40));
	CHECK_EQ(vlapic_pending(l), -1);
	eoi(l);
	CHECK_EQ(vlapic_pending(l), 0x41);
	vlapic_ack(l, 0x41);
	eoi(l);
	eoi(l);					/* nothing in service: no effect */
	for (u32 i = 0; i < 8; i++)
		CHECK_EQ(rd(l, LAPIC_ISR + i * 16), 0);
	CHECK_EQ(fk.nr_eois, 0);
}

TEST(level_triggered_eoi_callback)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	CHECK(vlapic_set_irq(l, 0x70, true, true));
	CHECK(bit(l, LAPIC_TMR, 0x70));
	vlapic_ack(l, 0x70);
	eoi(l);
	CHECK_EQ(fk.nr_eois, 1);
	CHECK_EQ(fk.eois[0], 0x70);
	vlapic_set_irq(l, 0x71, true, false);
	vlapic_ack(l, 0x71);
	eoi(l);
	CHECK_EQ(fk.nr_eois, 1);		/* edge: no broadcast */
	CHECK(!vlapic_set_irq(l, 0x72, false, true));	/* level de-assert */
	CHECK(!bit(l, LAPIC_IRR, 0x72));
	vlapic_set_irq(l, 0x73, true, true);
	vlapic_set_irq(l, 0x73, true, false);	/* TMR follows the last acceptance */
	CHECK(!bit(l, LAPIC_TMR, 0x73));
}

TEST(same_vector_in_irr_and_isr)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	CHECK(vlapic_set_irq(l, 0x50, true, false));
	vlapic_ack(l, 0x50);
	CHECK(vlapic_set_irq(l, 0x50, true, false));	/* one in IRR, one in ISR (11.8.4) */
	CHECK(!vlapic_set_irq(l, 0x50, true, false));	/* further ones collapse */
	CHECK(bit(l, LAPIC_IRR, 0x50) && bit(l, LAPIC_ISR, 0x50));
	CHECK_EQ(vlapic_pending(l), -1);
	eoi(l);
	CHECK_EQ(vlapic_pending(l), 0x50);
}

TEST(software_disable)
{
	struct vlapic *l = setup(0);

	CHECK(!vlapic_accepts_fixed(l));
	CHECK(!vlapic_set_irq(l, 0x40, true, false));	/* SVR 0xff: disabled (11.4.7.2) */
	wr(l, LAPIC_LVT_LINT0, 0x30);
	CHECK_EQ(rd(l, LAPIC_LVT_LINT0), 0x10030);	/* mask cannot be cleared */
	sw_enable(l);
	CHECK(vlapic_accepts_fixed(l));
	wr(l, LAPIC_LVT_LINT0, 0x30);
	wr(l, LAPIC_LVT_TIMER, 0x31);
	CHECK_EQ(rd(l, LAPIC_LVT_LINT0), 0x30);
	CHECK(vlapic_set_irq(l, 0x40, true, false));
	wr(l, LAPIC_SVR, 0xff);
	for (unsigned int i = 0; i < ARRAY_SIZE(lvts); i++)
		CHECK(rd(l, lvts[i]) & LAPIC_LVT_MASKED);
	CHECK_EQ(rd(l, LAPIC_LVT_TIMER), 0x10031);
	CHECK_EQ(vlapic_pending(l), 0x40);		/* held IRR is still delivered */
}

/* Who takes an 8259's interrupt: LINT0 in ExtINT mode, or a disabled APIC (KVM's rule). */
TEST(extint_acceptance)
{
	struct vlapic_config cfg = config(&fk, 0, true);
	struct vlapic *l = setup(0);

	CHECK(!vlapic_accepts_extint(l));		/* reset: LINT0 masked */
	sw_enable(l);
	wr(l, LAPIC_LVT_LINT0, VLAPIC_DM_EXTINT << LAPIC_DM_SHIFT);
	CHECK(vlapic_accepts_extint(l));
	wr(l, LAPIC_LVT_LINT0, VLAPIC_DM_NMI << LAPIC_DM_SHIFT);
	CHECK(!vlapic_accepts_extint(l));
	CHECK_EQ(vlapic_set_base(l, APIC_BASE_DEFAULT), 0);	/* EN = 0 */
	CHECK(vlapic_accepts_extint(l));

	cfg.virtual_wire = true;
	CHECK_EQ(vlapic_init(l, &cfg), 0);
	CHECK_EQ(rd(l, LAPIC_LVT_LINT0), VLAPIC_DM_EXTINT << LAPIC_DM_SHIFT);
	CHECK(vlapic_accepts_extint(l));
	vlapic_reset(l, true);				/* INIT masks it as 11.4.7.3 says */
	CHECK(!vlapic_accepts_extint(l));
}

/* Each new vector kicks, masked or not; a TPR or EOI that unmasks one kicks again. */
TEST(kick_when_accepted_or_deliverable)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	wr(l, LAPIC_TPR, 0x80);
	vlapic_set_irq(l, 0x40, true, false);
	CHECK_EQ(fk.kicks, 1);
	vlapic_set_irq(l, 0x40, true, false);	/* already in the IRR */
	CHECK_EQ(fk.kicks, 1);
	wr(l, LAPIC_TPR, 0);
	CHECK_EQ(fk.kicks, 2);
	vlapic_set_irq(l, 0x90, true, false);
	CHECK_EQ(fk.kicks, 3);
	vlapic_ack(l, 0x90);
	vlapic_set_irq(l, 0x91, true, false);	/* masked by 0x90 in service */
	CHECK_EQ(fk.kicks, 4);
	eoi(l);
	CHECK_EQ(fk.kicks, 5);
}

/* ------------------------------------------------------------ timer */

TEST(timer_one_shot)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	wr(l, LAPIC_LVT_TIMER, 0x40);
	wr(l, LAPIC_TIMER_DCR, 0);		/* /2: a count is 2 ns, 4 TSC ticks */
	fk.now = 1000;
	wr(l, LAPIC_TIMER_ICR, 1000);
	CHECK_EQ(fk.armed, 5000);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 1000);
	fk.now = 2000;
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 750);
	fk.now = 4999;
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 1);
	fk.now = 4000;
	fk.arms = 0;
	vlapic_timer_expired(l);		/* early: armed again, nothing raised */
	CHECK_EQ(fk.arms, 1);
	CHECK_EQ(fk.armed, 5000);
	CHECK(!bit(l, LAPIC_IRR, 0x40));
	fk.now = 5000;
	vlapic_timer_expired(l);
	CHECK(bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
	CHECK_EQ(rd(l, LAPIC_TIMER_ICR), 1000);
	vlapic_ack(l, 0x40);
	eoi(l);
	fk.now = 9000;
	vlapic_timer_expired(l);		/* fires once */
	CHECK(!bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
}

TEST(timer_stop_and_mask)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	wr(l, LAPIC_LVT_TIMER, 0x40);
	wr(l, LAPIC_TIMER_ICR, 100);
	CHECK(fk.armed != 0);
	wr(l, LAPIC_TIMER_ICR, 0);		/* 0 stops the timer */
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
	wr(l, LAPIC_LVT_TIMER, 0x10040);	/* masked: counts, raises nothing */
	wr(l, LAPIC_TIMER_ICR, 100);
	fk.now = fk.armed;
	vlapic_timer_expired(l);
	CHECK(!bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
}

TEST(timer_periodic)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	wr(l, LAPIC_LVT_TIMER, 0x40 | VLAPIC_TIMER_PERIODIC << LAPIC_TIMER_MODE_SHIFT);
	wr(l, LAPIC_TIMER_DCR, 0xb);		/* /1: a count is 1 ns, 2 TSC ticks */
	wr(l, LAPIC_TIMER_ICR, 500);
	CHECK_EQ(fk.armed, 1000);
	fk.now = 1000;
	vlapic_timer_expired(l);
	CHECK(bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(fk.armed, 2000);		/* re-armed one period on */
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 500);
	fk.now = 1250;
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 375);
	vlapic_ack(l, 0x40);
	eoi(l);
	fk.now = 5500;				/* periods missed: one interrupt, same phase */
	vlapic_timer_expired(l);
	CHECK(bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(fk.armed, 6000);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 250);
	fk.now = 6100;				/* reloaded even before the expiry is handled */
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 450);
	vlapic_ack(l, 0x40);
	eoi(l);
	wr(l, LAPIC_LVT_TIMER, 0x40);		/* to one-shot: keeps counting (11.5.4) */
	CHECK_EQ(fk.armed, 6000);
	vlapic_timer_expired(l);
	CHECK(bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(fk.armed, 0);
}

/* A periodic timer no faster than min_period_us; one-shot and first expiry alike. */
TEST(timer_periodic_minimum)
{
	struct vlapic_config cfg = config(&fk, 0, true);
	struct vlapic *l = &lapic;

	memset(&fk, 0, sizeof(fk));
	cfg.min_period_us = 200;		/* 400000 ticks of the 2 GHz TSC */
	CHECK_EQ(vlapic_init(l, &cfg), 0);
	sw_enable(l);
	wr(l, LAPIC_TIMER_DCR, 0xb);
	wr(l, LAPIC_LVT_TIMER, 0x40 | VLAPIC_TIMER_PERIODIC << LAPIC_TIMER_MODE_SHIFT);
	wr(l, LAPIC_TIMER_ICR, 1);
	CHECK_EQ(fk.armed, 400000);
	fk.now = 400000;
	vlapic_timer_expired(l);
	CHECK(bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(fk.armed, 800000);
	wr(l, LAPIC_LVT_TIMER, 0x40);		/* one-shot: the count as written */
	wr(l, LAPIC_TIMER_ICR, 1);
	CHECK_EQ(fk.armed, 400002);
}

TEST(timer_divide_encodings)
{
	static const u32 dcr[] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb };
	static const u32 divisor[] = { 2, 4, 8, 16, 32, 64, 128, 1 };	/* 11.5.4 */
	struct vlapic_config cfg = config(&fk, 0, true);
	struct vlapic *l = &lapic;

	cfg.tsc_khz = 1000000;			/* TSC ticks = timer clock ticks */
	CHECK_EQ(vlapic_init(l, &cfg), 0);
	sw_enable(l);
	wr(l, LAPIC_LVT_TIMER, 0x40);
	for (unsigned int i = 0; i < ARRAY_SIZE(dcr); i++) {
		fk.now = 1000;
		wr(l, LAPIC_TIMER_DCR, dcr[i]);
		wr(l, LAPIC_TIMER_ICR, 10);
		CHECK_EQ(fk.armed, 1000 + 10 * divisor[i]);
		CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 10);
		fk.now += divisor[i];
		CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 9);
		fk.now += divisor[i] / 2;	/* partial counts round up */
		CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 9);
		fk.now += (divisor[i] + 1) / 2;
		CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 8);
	}
}

/* A timer clock faster than the TSC: counts are rounded, never above the initial count. */
TEST(timer_slow_tsc)
{
	struct vlapic_config cfg = config(&fk, 0, true);
	struct vlapic *l = &lapic;

	cfg.tsc_khz = 100000;			/* 100 MHz: one TSC tick is 10 timer ticks at /1 */
	CHECK_EQ(vlapic_init(l, &cfg), 0);
	wr(l, LAPIC_TIMER_DCR, 0xb);
	fk.now = 50;
	wr(l, LAPIC_TIMER_ICR, 15);		/* 1.5 TSC ticks, armed 2 ticks on */
	CHECK_EQ(fk.armed, 52);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 15);
	fk.now = 51;
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 10);
	fk.now = 52;
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
}

TEST(timer_tsc_deadline)
{
	u32 deadline_mode = VLAPIC_TIMER_TSC_DEADLINE << LAPIC_TIMER_MODE_SHIFT;
	struct vlapic *l = setup(0);

	sw_enable(l);
	vlapic_set_tsc_deadline(l, 5000);	/* not in TSC-deadline mode: ignored */
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(vlapic_tsc_deadline(l), 0);
	wr(l, LAPIC_LVT_TIMER, 0x40 | deadline_mode);
	vlapic_set_tsc_deadline(l, 5000);
	CHECK_EQ(fk.armed, 5000);
	CHECK_EQ(vlapic_tsc_deadline(l), 5000);
	wr(l, LAPIC_TIMER_ICR, 100);		/* initial count ignored, current reads 0 */
	CHECK_EQ(rd(l, LAPIC_TIMER_ICR), 0);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
	CHECK_EQ(fk.armed, 5000);
	vlapic_set_tsc_deadline(l, 0);		/* 0 disarms */
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(vlapic_tsc_deadline(l), 0);

	vlapic_set_tsc_deadline(l, 7000);
	fk.now = 7000;
	vlapic_timer_expired(l);
	CHECK(bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(vlapic_tsc_deadline(l), 0);	/* disarmed by firing */
	CHECK_EQ(fk.armed, 0);
	vlapic_ack(l, 0x40);
	eoi(l);
	fk.now = 8000;
	vlapic_set_tsc_deadline(l, 100);	/* in the past: fires at once */
	CHECK(bit(l, LAPIC_IRR, 0x40));
	CHECK_EQ(vlapic_tsc_deadline(l), 0);

	vlapic_set_tsc_deadline(l, 9000);
	wr(l, LAPIC_LVT_TIMER, 0x40);		/* leaving the mode disarms */
	CHECK_EQ(fk.armed, 0);
	wr(l, LAPIC_LVT_TIMER, 0x40 | deadline_mode);
	CHECK_EQ(vlapic_tsc_deadline(l), 0);
	wr(l, LAPIC_LVT_TIMER, 0x40);
	wr(l, LAPIC_TIMER_ICR, 100);
	CHECK(fk.armed != 0);
	CHECK_EQ(vlapic_tsc_deadline(l), 0);	/* the MSR reads 0 in other modes */
	wr(l, LAPIC_LVT_TIMER, 0x40 | deadline_mode);	/* so does entering it */
	CHECK_EQ(fk.armed, 0);
	CHECK_EQ(rd(l, LAPIC_TIMER_CCR), 0);
}

/* ------------------------------------------------------------ IPIs */

static void check_ipi(const struct vlapic_ipi *ipi, u32 dest, u8 vector, u8 dm, u8 sh,
		      bool logical, bool level)
{
	CHECK_EQ(ipi->dest, dest);
	CHECK_EQ(ipi->vector, vector);
	CHECK_EQ(ipi->delivery, dm);
	CHECK_EQ(ipi->shorthand, sh);
	CHECK_EQ(ipi->logical, logical);
	CHECK_EQ(ipi->level, level);
}

/* Sends @icr (low word) and checks that exactly @sent IPIs came out. */
static const struct vlapic_ipi *send(struct vlapic *l, u32 icr, int sent)
{
	int before = fk.nr_ipis;

	wr(l, LAPIC_ICR, icr);
	CHECK_EQ(fk.nr_ipis - before, sent);
	return &fk.ipis[before];
}

TEST(icr_xapic)
{
	struct vlapic *l = setup(1);

	sw_enable(l);
	wr(l, LAPIC_ICR_HI, 0x02ffffff);
	CHECK_EQ(rd(l, LAPIC_ICR_HI), 0x02000000);
	check_ipi(send(l, 0x4031, 1), 2, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_NONE, false, false);
	CHECK_EQ(rd(l, LAPIC_ICR), 0x4031);	/* delivery status: idle */
	check_ipi(send(l, 0x0831, 1), 2, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_NONE, true, false);
	check_ipi(send(l, 0xc031, 1), 2, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_NONE, false, true);
	send(l, 0x8031, 0);			/* level de-assert */
	check_ipi(send(l, 0x4131, 1), 2, 0x31, VLAPIC_DM_LOWEST, VLAPIC_SH_NONE, false, false);
	check_ipi(send(l, 0x4400, 1), 2, 0, VLAPIC_DM_NMI, VLAPIC_SH_NONE, false, false);
	check_ipi(send(l, 0xc500, 1), 2, 0, VLAPIC_DM_INIT, VLAPIC_SH_NONE, false, false);
	send(l, 0x8500, 0);			/* INIT level de-assert */
	check_ipi(send(l, 0x4608, 1), 2, 0x08, VLAPIC_DM_SIPI, VLAPIC_SH_NONE, false, false);
	send(l, 0x4300, 0);			/* reserved delivery modes */
	send(l, 0x4700, 0);
	CHECK_EQ(esr(l), 0);
	check_ipi(send(l, 0x4005, 1), 2, 0x05, VLAPIC_DM_FIXED, VLAPIC_SH_NONE, false, false);
	CHECK_EQ(esr(l), LAPIC_ESR_SEND_ILLEGAL);
}

TEST(icr_shorthands)
{
	struct vlapic *l = setup(1);

	sw_enable(l);
	check_ipi(send(l, 0x4c031, 1), 0, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_SELF, false, false);
	send(l, 0x44400, 0);			/* self: fixed only (Table 11-3) */
	check_ipi(send(l, 0x84031, 1), 0, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_ALL, false, false);
	send(l, 0x84500, 0);			/* all including self: fixed only */
	check_ipi(send(l, 0xc4031, 1), 0, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_ALL_BUT_SELF, false,
		  false);
	check_ipi(send(l, 0xc4500, 1), 0, 0, VLAPIC_DM_INIT, VLAPIC_SH_ALL_BUT_SELF, false, false);
	check_ipi(send(l, 0xc4610, 1), 0, 0x10, VLAPIC_DM_SIPI, VLAPIC_SH_ALL_BUT_SELF, false,
		  false);
	check_ipi(send(l, 0xc4400, 1), 0, 0, VLAPIC_DM_NMI, VLAPIC_SH_ALL_BUT_SELF, false, false);
}

TEST(icr_x2apic_and_self_ipi)
{
	struct vlapic *l = setup(1);

	sw_enable(l);
	to_x2apic(l);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ICR), 0x0001234500004031ULL), 0);
	CHECK_EQ(fk.nr_ipis, 1);
	check_ipi(&fk.ipis[0], 0x12345, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_NONE, false, false);
	CHECK_EQ(rdmsr(l, LAPIC_ICR), 0x0001234500004031ULL);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ICR), 0x0002000100000831ULL), 0);
	check_ipi(&fk.ipis[1], 0x00020001, 0x31, VLAPIC_DM_FIXED, VLAPIC_SH_NONE, true, false);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ICR), 0x0000000300008500ULL), 0);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ICR), 0x0000000300004608ULL), 0);
	CHECK_EQ(fk.nr_ipis, 3);		/* the INIT de-assert is dropped */
	check_ipi(&fk.ipis[2], 3, 0x08, VLAPIC_DM_SIPI, VLAPIC_SH_NONE, false, false);

	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_SELF_IPI), 0x55), 0);	/* 11.12.11 */
	CHECK_EQ(fk.nr_ipis, 3);
	CHECK(bit(l, LAPIC_IRR, 0x55) && !bit(l, LAPIC_TMR, 0x55));
	CHECK_EQ(vlapic_pending(l), 0x55);
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_SELF_IPI), 5), 0);
	CHECK(!bit(l, LAPIC_IRR, 5));
	CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_ESR), 0), 0);
	CHECK_EQ(rdmsr(l, LAPIC_ESR), LAPIC_ESR_SEND_ILLEGAL | LAPIC_ESR_RECV_ILLEGAL);
}

/* ------------------------------------------------------------ destinations */

TEST(match_physical)
{
	struct vlapic *l = setup(2);

	CHECK(vlapic_match_dest(l, 2, false, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 3, false, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0xff, false, VLAPIC_SH_NONE, false));	/* broadcast */
	wr(l, LAPIC_ID, 9u << 24);
	CHECK(vlapic_match_dest(l, 9, false, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 2, false, VLAPIC_SH_NONE, false));

	l = setup(0x102);
	to_x2apic(l);
	CHECK(vlapic_match_dest(l, 0x102, false, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0x02, false, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0xff, false, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0xffffffff, false, VLAPIC_SH_NONE, false));
}

TEST(match_logical_flat_and_cluster)
{
	struct vlapic *l = setup(0);

	wr(l, LAPIC_LDR, 0x05000000);		/* flat model: a bitmap (11.6.2.2) */
	CHECK(vlapic_match_dest(l, 0x04, true, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0x81, true, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0x02, true, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0xff, true, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0x05, false, VLAPIC_SH_NONE, false));

	wr(l, LAPIC_DFR, 0x0fffffff);		/* cluster model: cluster 3, member bit 1 */
	wr(l, LAPIC_LDR, 0x32000000);
	CHECK(vlapic_match_dest(l, 0x32, true, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0x36, true, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0x34, true, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0x22, true, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0xff, true, VLAPIC_SH_NONE, false));
}

TEST(match_logical_x2apic_cluster)
{
	struct vlapic *l = setup(0x23);

	to_x2apic(l);
	CHECK_EQ(rdmsr(l, LAPIC_LDR), 0x00020008);	/* cluster 2, member bit 3 (11.12.10.2) */
	CHECK(vlapic_match_dest(l, 0x00020008, true, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0x0002000c, true, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0x00020001, true, VLAPIC_SH_NONE, false));
	CHECK(!vlapic_match_dest(l, 0x00030008, true, VLAPIC_SH_NONE, false));
	CHECK(vlapic_match_dest(l, 0xffffffff, true, VLAPIC_SH_NONE, false));
	l = setup(0x10);
	to_x2apic(l);
	CHECK_EQ(rdmsr(l, LAPIC_LDR), 0x00010001);
}

TEST(match_shorthands)
{
	struct vlapic *l = setup(5);

	CHECK(vlapic_match_dest(l, 0, false, VLAPIC_SH_SELF, true));
	CHECK(!vlapic_match_dest(l, 5, false, VLAPIC_SH_SELF, false));
	CHECK(vlapic_match_dest(l, 0, false, VLAPIC_SH_ALL, true));
	CHECK(vlapic_match_dest(l, 0, true, VLAPIC_SH_ALL, false));
	CHECK(!vlapic_match_dest(l, 5, false, VLAPIC_SH_ALL_BUT_SELF, true));
	CHECK(vlapic_match_dest(l, 0, false, VLAPIC_SH_ALL_BUT_SELF, false));
}

/* Routes fk's IPIs to two APICs as a caller would: the sender (lapic) and lapic2. */
TEST(ipi_routing_between_apics)
{
	struct vlapic *a = setup(0), *b = setup_at(&lapic2, &fk2, 1, false);
	struct vlapic *all[] = { a, b };
	int hits = 0;

	sw_enable(a);
	sw_enable(b);
	wr(b, LAPIC_LDR, 0x02000000);
	wr(a, LAPIC_ICR_HI, 0x02000000);
	wr(a, LAPIC_ICR, 0x4841);		/* logical 0x02, vector 0x41 */
	CHECK_EQ(fk.nr_ipis, 1);
	for (int i = 0; i < 2; i++) {
		const struct vlapic_ipi *ipi = &fk.ipis[0];

		if (vlapic_match_dest(all[i], ipi->dest, ipi->logical, ipi->shorthand, i == 0)) {
			vlapic_set_irq(all[i], ipi->vector, true, ipi->level);
			hits++;
		}
	}
	CHECK_EQ(hits, 1);
	CHECK_EQ(vlapic_pending(b), 0x41);
	CHECK_EQ(fk2.kicks, 1);
	CHECK_EQ(vlapic_pending(a), -1);
}

/* ------------------------------------------------------------ errors and LVT delivery */

TEST(illegal_vectors_in_esr)
{
	struct vlapic *l = setup(0);

	sw_enable(l);
	for (unsigned int v = 0; v < 16; v++)
		CHECK(!vlapic_set_irq(l, v, true, false));	/* 11.5.2 */
	CHECK_EQ(rd(l, LAPIC_IRR), 0);
	CHECK_EQ(rd(l, LAPIC_ESR), 0);
	CHECK_EQ(esr(l), LAPIC_ESR_RECV_ILLEGAL);
	CHECK_EQ(esr(l), 0);
	CHECK(vlapic_set_irq(l, 16, true, false));
	wr(l, LAPIC_LVT_ERROR, 0xfe);		/* the error interrupt (11.5.3) */
	vlapic_set_irq(l, 15, true, false);
	CHECK_EQ(vlapic_pending(l), 0xfe);
	CHECK_EQ(esr(l), LAPIC_ESR_RECV_ILLEGAL);
	wr(l, LAPIC_LVT_ERROR, 0x03);		/* an illegal error vector just records */
	vlapic_set_irq(l, 4, true, false);
	CHECK_EQ(esr(l), LAPIC_ESR_RECV_ILLEGAL);
	CHECK(!bit(l, LAPIC_IRR, 3));
	wr(l, LAPIC_LVT_LINT0, 0x08);		/* an LVT with an illegal vector */
	vlapic_raise_lvt(l, LAPIC_LVT_LINT0);
	CHECK_EQ(esr(l), LAPIC_ESR_RECV_ILLEGAL);
}

TEST(lvt_delivery_modes)
{
	struct vlapic *l = setup(6);
	const struct vlapic_ipi *ipi = &fk.ipis[0];

	sw_enable(l);
	wr(l, LAPIC_LVT_LINT1, 0x10400);	/* masked NMI */
	vlapic_raise_lvt(l, LAPIC_LVT_LINT1);
	CHECK_EQ(fk.nr_ipis, 0);
	wr(l, LAPIC_LVT_LINT1, 0x400);
	vlapic_raise_lvt(l, LAPIC_LVT_LINT1);
	CHECK_EQ(fk.nr_ipis, 1);
	check_ipi(ipi, 6, 0, VLAPIC_DM_NMI, VLAPIC_SH_SELF, false, false);
	wr(l, LAPIC_LVT_LINT0, 0x700);
	vlapic_raise_lvt(l, LAPIC_LVT_LINT0);
	check_ipi(ipi + 1, 6, 0, VLAPIC_DM_EXTINT, VLAPIC_SH_SELF, false, false);
	wr(l, LAPIC_LVT_PERF, 0x700);		/* ExtINT is LINT-only (11.5.1) */
	vlapic_raise_lvt(l, LAPIC_LVT_PERF);
	CHECK_EQ(fk.nr_ipis, 2);
	wr(l, LAPIC_LVT_PERF, 0x400);
	vlapic_raise_lvt(l, LAPIC_LVT_PERF);
	check_ipi(ipi + 2, 6, 0, VLAPIC_DM_NMI, VLAPIC_SH_SELF, false, false);
	wr(l, LAPIC_LVT_LINT0, 0x8030);		/* fixed, level-triggered */
	vlapic_raise_lvt(l, LAPIC_LVT_LINT0);
	CHECK(bit(l, LAPIC_IRR, 0x30) && bit(l, LAPIC_TMR, 0x30));
	wr(l, LAPIC_LVT_TIMER, 0x440);		/* no delivery mode field */
	CHECK_EQ(rd(l, LAPIC_LVT_TIMER), 0x40);
	vlapic_raise_lvt(l, LAPIC_TPR);		/* not an LVT entry */
	CHECK_EQ(fk.nr_ipis, 3);
}

/* ------------------------------------------------------------ randomized */

struct model {
	bool irr[256], isr[256], tmr[256];
	u8 tpr;
	int eois;
};

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u32 next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (u32)(rng >> 32);
}

static int model_highest(const bool *set)
{
	for (int v = 255; v >= 0; v--)
		if (set[v])
			return v;
	return -1;
}

static u32 model_ppr(const struct model *m)
{
	int isrv = model_highest(m->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	return (m->tpr & 0xf0) >= isr_class ? m->tpr : isr_class;
}

static int model_pending(const struct model *m)
{
	int v = model_highest(m->irr);

	return v >= 0 && ((u32)v & 0xf0) > (model_ppr(m) & 0xf0) ? v : -1;
}

static void check_invariants(const struct vlapic *l, const struct model *m, u32 ppr)
{
	bool class_used[16] = { false };
	int pending = vlapic_pending(l);
	int bad_bits = 0, bad_nesting = 0, bad_double = 0;

	for (int v = 0; v < 256; v++) {
		bad_bits += bit(l, LAPIC_IRR, v) != m->irr[v] || bit(l, LAPIC_ISR, v) != m->isr[v] ||
			    bit(l, LAPIC_TMR, v) != m->tmr[v];
		if (!m->isr[v])
			continue;
		/* Only a higher class nests: at most one in-service vector per class. */
		bad_nesting += class_used[v >> 4];
		class_used[v >> 4] = true;
		/* A vector both requested and in service must wait for its EOI. */
		bad_double += m->irr[v] && pending == v;
	}
	CHECK_EQ(bad_bits, 0);
	CHECK_EQ(bad_nesting, 0);
	CHECK_EQ(bad_double, 0);
	CHECK_EQ(ppr, model_ppr(m));
	CHECK_EQ(pending, model_pending(m));
	CHECK_EQ(fk.nr_eois, m->eois);
}

static void random_step(struct vlapic *l, struct model *m, bool x2)
{
	u32 r = next_rand(), op = r % 8;
	int v;

	if (op < 3) {
		v = 16 + (r >> 8) % 240;
		vlapic_set_irq(l, v, true, r & BIT(30));
		m->irr[v] = true;
		m->tmr[v] = r & BIT(30);
	} else if (op < 5) {
		v = vlapic_pending(l);
		if (v >= 0) {
			vlapic_ack(l, v);
			m->irr[v] = false;
			m->isr[v] = true;
		}
	} else if (op < 7) {
		v = model_highest(m->isr);
		if (x2)
			CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_EOI), 0), 0);
		else
			eoi(l);
		if (v >= 0) {
			m->isr[v] = false;
			m->eois += m->tmr[v];
		}
	} else {
		m->tpr = (r >> 8) & 0xff;
		if (x2)
			CHECK_EQ(vlapic_msr_write(l, msr(LAPIC_TPR), m->tpr), 0);
		else
			wr(l, LAPIC_TPR, m->tpr);
	}
}

TEST(randomized_priority_invariants)
{
	struct vlapic *l = setup(0);
	static struct model m;
	int failed = test_failed_checks;
	u64 ppr;

	memset(&m, 0, sizeof(m));
	sw_enable(l);
	for (int i = 0; i < 40000; i++) {
		bool x2 = i >= 20000;

		if (i == 20000)
			to_x2apic(l);	/* the state carries over into x2APIC mode */
		random_step(l, &m, x2);
		ppr = x2 ? rdmsr(l, LAPIC_PPR) : rd(l, LAPIC_PPR);
		check_invariants(l, &m, ppr);
		if (test_failed_checks != failed) {
			fprintf(stderr, "randomized: first failure at step %d\n", i);
			return;
		}
	}
	CHECK(fk.nr_eois > 100);
	CHECK(model_highest(m.isr) >= 0 || model_highest(m.irr) >= 0);
}

TEST_MAIN("vlapic",
	  T(reset_values), T(init_config_checked), T(init_reset_keeps_id_base_and_mode),
	  T(mode_transitions_legal), T(mode_transitions_illegal), T(disabled_apic_is_inert),
	  T(mmio_page_follows_base), T(xapic_mmio_semantics), T(xapic_reserved_registers_are_errors),
	  T(x2apic_msr_semantics), T(priority_with_tpr_and_ppr), T(eoi_of_nested_interrupts),
	  T(level_triggered_eoi_callback), T(same_vector_in_irr_and_isr), T(software_disable), T(extint_acceptance),
	  T(kick_when_accepted_or_deliverable), T(timer_one_shot), T(timer_stop_and_mask), T(timer_periodic), T(timer_periodic_minimum),
	  T(timer_divide_encodings), T(timer_slow_tsc), T(timer_tsc_deadline), T(icr_xapic), T(icr_shorthands),
	  T(icr_x2apic_and_self_ipi), T(match_physical), T(match_logical_flat_and_cluster),
	  T(match_logical_x2apic_cluster), T(match_shorthands), T(ipi_routing_between_apics),
	  T(illegal_vectors_in_esr), T(lvt_delivery_modes), T(randomized_priority_invariants))
