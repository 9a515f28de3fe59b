// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual local APIC (see vlapic.h). Section and table numbers are those
 * of the Intel SDM Vol. 3A chapter 11.
 *
 * Reserved bits: writes keep only the bits a register implements, in both
 * modes (as KVM does), but the ICR keeps all but delivery status, as KVM's
 * does (Linux's xapic_state_test reads back what it wrote). x2APIC WRMSR
 * faults for bits 63:32 (except ICR), a non-zero EOI or ESR write and SELF
 * IPI bits 31:8 (11.12.1.3, 11.12.11);
 * other reserved bits are dropped rather than faulted on, so a guest never
 * takes a #GP for a bit some real APIC implements and this one does not.
 */
#include "arch/x86/irqchip/vlapic.h"
#include "kernel/errno.h"
#include "kernel/string.h"

#define XA_R	BIT(0)	/* readable through the xAPIC page */
#define XA_W	BIT(1)	/* writable through the xAPIC page */
#define X2_R	BIT(2)	/* readable by RDMSR in x2APIC mode */
#define X2_W	BIT(3)	/* writable by WRMSR in x2APIC mode */
#define RO	(XA_R | X2_R)
#define RW	(XA_R | XA_W | X2_R | X2_W)

#define NR_VECTORS_RESERVED	16	/* 0-15 are illegal (11.5.2) */
#define DFR_FLAT		0xf	/* DFR[31:28] model (11.6.2.2) */
#define XAPIC_BROADCAST		0xffu
#define X2APIC_BROADCAST	0xffffffffu
#define BUS_KHZ_DEFAULT		1000000u
#define KHZ_LIMIT		(1u << 24)

/* The LVT entries of a version-0x50014 APIC (11.5.1, max LVT entry 5: no CMCI). */
static const u32 lvt_regs[] = {
	LAPIC_LVT_TIMER, LAPIC_LVT_THERMAL, LAPIC_LVT_PERF,
	LAPIC_LVT_LINT0, LAPIC_LVT_LINT1, LAPIC_LVT_ERROR,
};

static u32 reg(const struct vlapic *l, u32 off)
{
	return l->regs[off >> 2];
}

static void set_reg(struct vlapic *l, u32 off, u32 val)
{
	l->regs[off >> 2] = val;
}

/* ------------------------------------------------ vector bitmaps: IRR, ISR, TMR */

static u32 *vec_word(struct vlapic *l, u32 base, u8 v)
{
	return &l->regs[(base >> 2) + (v >> 5) * 4];
}

static bool vec_test(struct vlapic *l, u32 base, u8 v)
{
	return *vec_word(l, base, v) & BIT(v & 31);
}

static void vec_set(struct vlapic *l, u32 base, u8 v)
{
	*vec_word(l, base, v) |= (u32)BIT(v & 31);
}

static void vec_clear(struct vlapic *l, u32 base, u8 v)
{
	*vec_word(l, base, v) &= ~(u32)BIT(v & 31);
}

static int vec_highest(const struct vlapic *l, u32 base)
{
	for (int i = 7; i >= 0; i--) {
		u32 w = l->regs[(base >> 2) + i * 4];

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

/* ------------------------------------------------ priorities (11.8.3.1) */

static void ppr_update(struct vlapic *l)
{
	u32 tpr = reg(l, LAPIC_TPR);
	int isrv = vec_highest(l, LAPIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	set_reg(l, LAPIC_PPR, (tpr & 0xf0) >= isr_class ? tpr : isr_class);
}

int vlapic_pending(const struct vlapic *l)
{
	int irrv = vec_highest(l, LAPIC_IRR);	/* empty while disabled (reset, no acceptance) */

	if (irrv < 0 || ((u32)irrv & 0xf0) <= (reg(l, LAPIC_PPR) & 0xf0))
		return -1;
	return irrv;
}

int vlapic_highest_irr(const struct vlapic *l)
{
	return vec_highest(l, LAPIC_IRR);
}

static void kick_if_pending(struct vlapic *l)
{
	if (vlapic_pending(l) >= 0)
		l->ops->kick(l->ctx);
}

u8 vlapic_tpr(const struct vlapic *l)
{
	return (u8)reg(l, LAPIC_TPR);
}

void vlapic_set_tpr(struct vlapic *l, u8 tpr)
{
	set_reg(l, LAPIC_TPR, tpr);
	ppr_update(l);
	kick_if_pending(l);
}

/* ------------------------------------------------ local delivery, errors, LVT */

static bool sw_enabled(const struct vlapic *l)
{
	return reg(l, LAPIC_SVR) & LAPIC_SVR_ENABLE;
}

/* The ID a destination is compared with: x2APIC ID, or xAPIC ID[31:24] (11.4.6). */
static u32 cur_id(const struct vlapic *l)
{
	if (vlapic_mode(l) == VLAPIC_X2APIC)
		return reg(l, LAPIC_ID);
	return reg(l, LAPIC_ID) >> 24;
}

static void send_self(struct vlapic *l, u8 dm, u8 vector)
{
	struct vlapic_ipi ipi = {
		.dest = cur_id(l),
		.vector = vector,
		.delivery = dm,
		.shorthand = VLAPIC_SH_SELF,
	};

	l->ops->send_ipi(l->ctx, &ipi);
}

/* Delivery modes an LVT entry may use (11.5.1); timer and error can only hold fixed. */
static u32 lvt_dms(u32 off)
{
	u32 dms = BIT(VLAPIC_DM_FIXED) | BIT(VLAPIC_DM_SMI) | BIT(VLAPIC_DM_NMI);

	if (off == LAPIC_LVT_LINT0 || off == LAPIC_LVT_LINT1)
		dms |= BIT(VLAPIC_DM_INIT) | BIT(VLAPIC_DM_EXTINT);
	return dms;
}

static void lvt_fire(struct vlapic *l, u32 off)
{
	u32 lvt = reg(l, off);
	u8 dm = (lvt >> LAPIC_DM_SHIFT) & 7;

	if ((lvt & LAPIC_LVT_MASKED) || !(lvt_dms(off) & BIT(dm)))
		return;
	if (dm == VLAPIC_DM_FIXED)
		vlapic_set_irq(l, lvt & LAPIC_VECTOR, true, lvt & LAPIC_TRIGGER_LEVEL);
	else
		send_self(l, dm, lvt & LAPIC_VECTOR);
}

/*
 * Records @bits for the next ESR write and signals the error LVT (11.5.3).
 * An illegal vector in the error LVT itself would only report itself again,
 * so it stays recorded without an interrupt.
 */
static void esr_error(struct vlapic *l, u32 bits)
{
	l->esr_pending |= bits;
	if ((reg(l, LAPIC_LVT_ERROR) & LAPIC_VECTOR) >= NR_VECTORS_RESERVED)
		lvt_fire(l, LAPIC_LVT_ERROR);
}

bool vlapic_accepts_fixed(const struct vlapic *l)
{
	return vlapic_mode(l) != VLAPIC_DISABLED && sw_enabled(l);
}

bool vlapic_set_irq(struct vlapic *l, u8 vector, bool level, bool level_trig)
{
	bool fresh;

	if (!vlapic_accepts_fixed(l) || (level_trig && !level))
		return false;
	if (vector < NR_VECTORS_RESERVED) {
		esr_error(l, LAPIC_ESR_RECV_ILLEGAL);
		return false;
	}
	fresh = !vec_test(l, LAPIC_IRR, vector);
	vec_set(l, LAPIC_IRR, vector);
	if (level_trig)
		vec_set(l, LAPIC_TMR, vector);
	else
		vec_clear(l, LAPIC_TMR, vector);
	/*
	 * A new vector kicks even while the PPR masks it, as KVM's
	 * __apic_accept_irq(): the vCPU's TPR threshold (or CR8 intercept)
	 * must follow it, or a CR8 write that unmasks it would not exit.
	 */
	if (fresh)
		l->ops->kick(l->ctx);
	return fresh;
}

void vlapic_ack(struct vlapic *l, u8 vector)
{
	if (!vec_test(l, LAPIC_IRR, vector))
		return;
	vec_clear(l, LAPIC_IRR, vector);
	vec_set(l, LAPIC_ISR, vector);
	ppr_update(l);
}

void vlapic_raise_lvt(struct vlapic *l, u32 lvt)
{
	if (vlapic_mode(l) == VLAPIC_DISABLED)
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		if (lvt_regs[i] == lvt)
			lvt_fire(l, lvt);
}

/* ------------------------------------------------ timer (11.5.4) */

static enum vlapic_timer_mode timer_mode(const struct vlapic *l)
{
	return (reg(l, LAPIC_LVT_TIMER) >> LAPIC_TIMER_MODE_SHIFT) & 3;
}

/* DCR bits 3,1,0: 000 = 2, 001 = 4, ... 110 = 128, 111 = 1 (11.5.4). */
static u32 timer_divisor(const struct vlapic *l)
{
	u32 dcr = reg(l, LAPIC_TIMER_DCR);
	u32 v = ((dcr & 8) >> 1) | (dcr & 3);

	return v == 7 ? 1 : 2u << v;
}

static u64 div_up(u64 a, u64 b)
{
	return a / b + (a % b != 0);
}

/* Both products stay below 2^64: count * 128 < 2^39, times a kHz value < 2^24. */
static u64 count_to_tsc(const struct vlapic *l, u32 count)
{
	return div_up((u64)count * l->timer_div * l->tsc_khz, l->bus_khz);
}

static u64 tsc_to_count(const struct vlapic *l, u64 ticks)
{
	return div_up(ticks * l->bus_khz, (u64)l->tsc_khz * l->timer_div);
}

static void timer_program(struct vlapic *l)
{
	if (l->deadline)
		l->ops->arm_timer(l->ctx, l->deadline);
	else
		l->ops->cancel_timer(l->ctx);
}

static void timer_stop(struct vlapic *l)
{
	l->deadline = 0;
	l->period = 0;
	timer_program(l);
}

/* Loads a count-down from the initial count, starting at @start; a count of 0 stops the timer. */
static void timer_load(struct vlapic *l, u64 start)
{
	u32 count = reg(l, LAPIC_TIMER_ICR);

	l->timer_div = timer_divisor(l);
	l->period = count ? count_to_tsc(l, count) : 0;
	if (l->period && timer_mode(l) == VLAPIC_TIMER_PERIODIC)
		l->period = MAX(l->period, l->min_period);
	l->deadline = count ? start + l->period : 0;
}

/* Current count: the remaining ticks of this count-down in timer counts (11.5.4). */
static u32 timer_current(struct vlapic *l)
{
	u64 now, rem;

	if (!l->deadline || timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
		return 0;
	now = l->ops->now(l->ctx);
	if (now < l->deadline)
		rem = l->deadline - now;
	else if (timer_mode(l) == VLAPIC_TIMER_PERIODIC)
		rem = l->period - (now - l->deadline) % l->period;
	else
		return 0;
	return MIN(tsc_to_count(l, rem), (u64)reg(l, LAPIC_TIMER_ICR));
}

/* Periodic mode reloads at the deadline just passed, skipping whole periods already over. */
static void timer_reload(struct vlapic *l, u64 now)
{
	timer_load(l, l->deadline);
	if (l->deadline && l->deadline <= now)
		l->deadline += ((now - l->deadline) / l->period + 1) * l->period;
	timer_program(l);
}

void vlapic_timer_expired(struct vlapic *l)
{
	u64 now;

	if (!l->deadline)
		return;
	now = l->ops->now(l->ctx);
	if (now < l->deadline) {
		timer_program(l);
		return;
	}
	if (timer_mode(l) == VLAPIC_TIMER_PERIODIC)
		timer_reload(l, now);
	else
		timer_stop(l);	/* TSC-deadline mode: the MSR now reads 0 (11.5.4.1) */
	lvt_fire(l, LAPIC_LVT_TIMER);
}

u64 vlapic_tsc_deadline(const struct vlapic *l)
{
	return timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE ? l->deadline : 0;
}

/* 11.5.4.1: non-zero arms, 0 disarms, a deadline already past fires at once. */
void vlapic_set_tsc_deadline(struct vlapic *l, u64 deadline)
{
	if (vlapic_mode(l) == VLAPIC_DISABLED || timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE)
		return;
	l->deadline = deadline;
	if (deadline && l->ops->now(l->ctx) >= deadline)
		vlapic_timer_expired(l);
	else
		timer_program(l);
}

/* ------------------------------------------------ IPIs (11.6, 11.12.9) */

/*
 * Applies Table 11-3 (valid ICR combinations): reserved delivery modes and
 * non-fixed "self"/"all including self" are invalid; a level-triggered
 * de-assert (INIT level de-assert included) delivers nothing; only fixed
 * and lowest priority keep a level trigger, except to self.
 */
static bool ipi_valid(struct vlapic_ipi *ipi, bool assert)
{
	bool fixed = ipi->delivery == VLAPIC_DM_FIXED || ipi->delivery == VLAPIC_DM_LOWEST;

	if (ipi->delivery == 3 || ipi->delivery == VLAPIC_DM_EXTINT)
		return false;
	if ((ipi->shorthand == VLAPIC_SH_SELF || ipi->shorthand == VLAPIC_SH_ALL) &&
	    ipi->delivery != VLAPIC_DM_FIXED)
		return false;
	if (ipi->level && !assert)
		return false;
	if (!fixed || ipi->shorthand == VLAPIC_SH_SELF)
		ipi->level = false;
	return true;
}

/* Writing the ICR's low word sends; delivery status stays 0 (idle) as delivery is immediate. */
static void icr_write(struct vlapic *l, u32 off, u32 val)
{
	u32 hi = reg(l, LAPIC_ICR_HI);
	struct vlapic_ipi ipi = {
		.dest = vlapic_mode(l) == VLAPIC_X2APIC ? hi : hi >> 24,
		.vector = val & LAPIC_VECTOR,
		.delivery = (val >> LAPIC_DM_SHIFT) & 7,
		.shorthand = (val >> LAPIC_SH_SHIFT) & 3,
		.logical = val & LAPIC_DEST_LOGICAL,
		.level = val & LAPIC_TRIGGER_LEVEL,
	};

	set_reg(l, off, val);
	if (!ipi_valid(&ipi, val & LAPIC_LEVEL_ASSERT))
		return;
	if (ipi.delivery <= VLAPIC_DM_LOWEST && ipi.vector < NR_VECTORS_RESERVED)
		esr_error(l, LAPIC_ESR_SEND_ILLEGAL);
	l->ops->send_ipi(l->ctx, &ipi);
}

/* SELF IPI (11.12.11): a fixed, edge-triggered interrupt to this APIC. */
static void self_ipi_write(struct vlapic *l, u32 off, u32 val)
{
	if (val < NR_VECTORS_RESERVED)
		esr_error(l, LAPIC_ESR_SEND_ILLEGAL);
	vlapic_set_irq(l, val, true, false);
}

static bool match_logical_xapic(const struct vlapic *l, u32 dest)
{
	u32 ldr = reg(l, LAPIC_LDR) >> 24;

	if (dest == XAPIC_BROADCAST)
		return true;
	if (reg(l, LAPIC_DFR) >> 28 == DFR_FLAT)
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster model */
}

/* x2APIC logical (11.12.10.1): cluster in bits 31:16, member bitmap in 15:0. */
static bool match_logical_x2apic(const struct vlapic *l, u32 dest)
{
	u32 ldr = reg(l, LAPIC_LDR);

	if (dest == X2APIC_BROADCAST)
		return true;
	return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
}

bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical, int shorthand, bool self)
{
	bool x2 = vlapic_mode(l) == VLAPIC_X2APIC;

	if (vlapic_mode(l) == VLAPIC_DISABLED)
		return false;
	if (shorthand == VLAPIC_SH_SELF)
		return self;
	if (shorthand == VLAPIC_SH_ALL)
		return true;
	if (shorthand == VLAPIC_SH_ALL_BUT_SELF)
		return !self;
	if (logical)
		return x2 ? match_logical_x2apic(l, dest) : match_logical_xapic(l, dest);
	return dest == (x2 ? X2APIC_BROADCAST : XAPIC_BROADCAST) || dest == cur_id(l);
}

/* ------------------------------------------------ register writes */

static void tpr_write(struct vlapic *l, u32 off, u32 val)
{
	vlapic_set_tpr(l, val);
}

/* EOI (11.8.5): retire the highest in-service vector; level-triggered ones go to the I/O APIC. */
static void eoi_write(struct vlapic *l, u32 off, u32 val)
{
	int v = vec_highest(l, LAPIC_ISR);

	if (v < 0)
		return;
	vec_clear(l, LAPIC_ISR, v);
	ppr_update(l);
	if (vec_test(l, LAPIC_TMR, v))
		l->ops->eoi(l->ctx, v);
	kick_if_pending(l);
}

static void mask_all_lvts(struct vlapic *l)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(lvt_regs); i++)
		set_reg(l, lvt_regs[i], reg(l, lvt_regs[i]) | LAPIC_LVT_MASKED);
}

/* Software disable masks every LVT entry, and they stay masked until enabled (11.4.7.2). */
static void svr_write(struct vlapic *l, u32 off, u32 val)
{
	set_reg(l, off, val);
	if (!sw_enabled(l))
		mask_all_lvts(l);
}

/* An ESR write makes the errors since the previous one readable (11.5.3). */
static void esr_write(struct vlapic *l, u32 off, u32 val)
{
	set_reg(l, off, l->esr_pending);
	l->esr_pending = 0;
}

static void lvt_write(struct vlapic *l, u32 off, u32 val)
{
	set_reg(l, off, sw_enabled(l) ? val : val | LAPIC_LVT_MASKED);
}

/*
 * Entering or leaving TSC-deadline mode disarms the timer (11.5.4.1); a
 * one-shot/periodic switch does not restart the count-down (11.5.4).
 */
static void lvt_timer_write(struct vlapic *l, u32 off, u32 val)
{
	bool was_deadline = timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE;

	lvt_write(l, off, val);
	if (was_deadline != (timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE))
		timer_stop(l);
}

/* The initial count starts a count-down; 0 stops it; TSC-deadline mode ignores it (11.5.4). */
static void timer_icr_write(struct vlapic *l, u32 off, u32 val)
{
	if (timer_mode(l) == VLAPIC_TIMER_TSC_DEADLINE)
		return;
	set_reg(l, off, val);
	timer_load(l, l->ops->now(l->ctx));
	timer_program(l);
}

struct reg_desc {
	u8 access;	/* XA_R, XA_W, X2_R, X2_W; 0: reserved */
	u32 wmask;	/* bits a write sets; the others keep their value */
	u32 x2_gp;	/* x2APIC: writing any of these bits as 1 is a #GP */
	void (*write)(struct vlapic *l, u32 off, u32 val);	/* NULL: store */
};

/* Indexed by offset / 16 (Table 11-1, Table 11-6). */
static const struct reg_desc reg_table[0x40] = {
	[LAPIC_ID >> 4]		 = { XA_R | XA_W | X2_R, 0xff000000, 0, NULL },
	[LAPIC_VER >> 4]	 = { RO, 0, 0, NULL },
	[LAPIC_TPR >> 4]	 = { RW, 0xff, 0, tpr_write },
	[LAPIC_APR >> 4]	 = { XA_R, 0, 0, NULL },
	[LAPIC_PPR >> 4]	 = { RO, 0, 0, NULL },
	[LAPIC_EOI >> 4]	 = { XA_W | X2_W, 0, ~0u, eoi_write },
	[LAPIC_RRD >> 4]	 = { XA_R, 0, 0, NULL },
	[LAPIC_LDR >> 4]	 = { XA_R | XA_W | X2_R, 0xff000000, 0, NULL },
	[LAPIC_DFR >> 4]	 = { XA_R | XA_W, 0xf0000000, 0, NULL },
	[LAPIC_SVR >> 4]	 = { RW, 0x1ff, 0, svr_write },
	[LAPIC_ISR >> 4 ... (LAPIC_IRR >> 4) + 7] = { RO, 0, 0, NULL },
	[LAPIC_ESR >> 4]	 = { RW, 0, ~0u, esr_write },
	[LAPIC_ICR >> 4]	 = { RW, ~(u32)LAPIC_ICR_BUSY, 0, icr_write },
	[LAPIC_ICR_HI >> 4]	 = { XA_R | XA_W, 0xff000000, 0, NULL },
	[LAPIC_LVT_TIMER >> 4]	 = { RW, 0x000700ff, 0, lvt_timer_write },
	[LAPIC_LVT_THERMAL >> 4] = { RW, 0x000107ff, 0, lvt_write },
	[LAPIC_LVT_PERF >> 4]	 = { RW, 0x000107ff, 0, lvt_write },
	[LAPIC_LVT_LINT0 >> 4]	 = { RW, 0x0001a7ff, 0, lvt_write },
	[LAPIC_LVT_LINT1 >> 4]	 = { RW, 0x0001a7ff, 0, lvt_write },
	[LAPIC_LVT_ERROR >> 4]	 = { RW, 0x000100ff, 0, lvt_write },
	[LAPIC_TIMER_ICR >> 4]	 = { RW, ~0u, 0, timer_icr_write },
	[LAPIC_TIMER_CCR >> 4]	 = { RO, 0, 0, NULL },
	[LAPIC_TIMER_DCR >> 4]	 = { RW, 0xb, 0, NULL },
	[LAPIC_SELF_IPI >> 4]	 = { X2_W, 0xff, 0xffffff00, self_ipi_write },
};

/* The register at @off, or NULL for a reserved offset. */
static const struct reg_desc *reg_desc(u32 off)
{
	if (off >= ARRAY_SIZE(reg_table) << 4 || !reg_table[off >> 4].access)
		return NULL;
	return &reg_table[off >> 4];
}

static u32 reg_read(struct vlapic *l, u32 off)
{
	return off == LAPIC_TIMER_CCR ? timer_current(l) : reg(l, off);
}

static void reg_write(struct vlapic *l, const struct reg_desc *d, u32 off, u32 val)
{
	val = (reg(l, off) & ~d->wmask) | (val & d->wmask);
	if (d->write)
		d->write(l, off, val);
	else
		set_reg(l, off, val);
}

/* ------------------------------------------------ xAPIC MMIO and x2APIC MSRs */

bool vlapic_mmio_claims(const struct vlapic *l, u64 gpa)
{
	return vlapic_mode(l) == VLAPIC_XAPIC && (gpa & PAGE_MASK) == (l->base & PAGE_MASK);
}

/* The register an xAPIC access reaches, or NULL; reserved ones are an error (11.5.3). */
static const struct reg_desc *mmio_reg(struct vlapic *l, u32 off, unsigned int size)
{
	const struct reg_desc *d;

	if (vlapic_mode(l) != VLAPIC_XAPIC || size != 4 || off >= PAGE_SIZE || (off & 0xf))
		return NULL;
	d = reg_desc(off);
	if (!d || !(d->access & (XA_R | XA_W))) {
		esr_error(l, LAPIC_ESR_ILLEGAL_REG);
		return NULL;
	}
	return d;
}

u32 vlapic_mmio_read(struct vlapic *l, u32 offset, unsigned int size)
{
	const struct reg_desc *d = mmio_reg(l, offset, size);

	return d && (d->access & XA_R) ? reg_read(l, offset) : 0;
}

void vlapic_mmio_write(struct vlapic *l, u32 offset, unsigned int size, u32 val)
{
	const struct reg_desc *d = mmio_reg(l, offset, size);

	if (d && (d->access & XA_W))
		reg_write(l, d, offset, val);
}

/* The register behind x2APIC MSR @msr if it allows @access, else NULL (#GP). */
static const struct reg_desc *msr_reg(const struct vlapic *l, u32 msr, u8 access)
{
	const struct reg_desc *d;

	if (vlapic_mode(l) != VLAPIC_X2APIC || msr < VLAPIC_MSR_FIRST || msr > VLAPIC_MSR_LAST)
		return NULL;
	d = reg_desc((msr - VLAPIC_MSR_FIRST) << 4);
	return d && (d->access & access) ? d : NULL;
}

int vlapic_msr_read(struct vlapic *l, u32 msr, u64 *val)
{
	u32 off = (msr - VLAPIC_MSR_FIRST) << 4;

	if (!msr_reg(l, msr, X2_R))
		return -EPERM;
	if (off == LAPIC_ICR)
		*val = (u64)reg(l, LAPIC_ICR_HI) << 32 | reg(l, LAPIC_ICR);
	else
		*val = reg_read(l, off);
	return 0;
}

/* The ICR is one 64-bit register, destination in bits 63:32 (11.12.9). */
int vlapic_msr_write(struct vlapic *l, u32 msr, u64 val)
{
	u32 off = (msr - VLAPIC_MSR_FIRST) << 4;
	const struct reg_desc *d = msr_reg(l, msr, X2_W);

	if (!d || ((val >> 32) && off != LAPIC_ICR) || ((u32)val & d->x2_gp))
		return -EPERM;
	if (off == LAPIC_ICR)
		set_reg(l, LAPIC_ICR_HI, val >> 32);
	reg_write(l, d, off, (u32)val);
	return 0;
}

/* ------------------------------------------------ reset and IA32_APIC_BASE */

/* x2APIC ID and the logical ID derived from it (11.12.10.2). */
static void x2apic_ids(struct vlapic *l)
{
	u32 id = l->apic_id;

	set_reg(l, LAPIC_ID, id);
	set_reg(l, LAPIC_LDR, (id >> 4) << 16 | (u32)BIT(id & 0xf));
}

/* Power-up register values (11.4.7.1), with @xapic_id as the xAPIC ID register. */
static void regs_reset(struct vlapic *l, u32 xapic_id)
{
	memset(l->regs, 0, sizeof(l->regs));
	set_reg(l, LAPIC_VER, VLAPIC_VERSION);
	set_reg(l, LAPIC_DFR, 0xffffffff);
	set_reg(l, LAPIC_SVR, 0xff);
	mask_all_lvts(l);
	if (vlapic_mode(l) == VLAPIC_X2APIC)
		x2apic_ids(l);
	else
		set_reg(l, LAPIC_ID, xapic_id);
	l->esr_pending = 0;
	timer_stop(l);
}

void vlapic_reset(struct vlapic *l, bool init)
{
	u32 xapic_id = init ? reg(l, LAPIC_ID) : l->apic_id << 24;

	if (!init)
		l->base = APIC_BASE_DEFAULT | APIC_BASE_EN | (l->bsp ? APIC_BASE_BSP : 0);
	regs_reset(l, xapic_id);
	if (!init && l->virtual_wire)
		set_reg(l, LAPIC_LVT_LINT0, VLAPIC_DM_EXTINT << LAPIC_DM_SHIFT);
}

/* KVM's kvm_apic_accept_pic_intr(): a disabled APIC, or LINT0 unmasked in ExtINT mode (11.6.1). */
bool vlapic_accepts_extint(const struct vlapic *l)
{
	u32 lint0 = reg(l, LAPIC_LVT_LINT0);

	if (vlapic_mode(l) == VLAPIC_DISABLED)
		return true;
	return !(lint0 & LAPIC_LVT_MASKED) && ((lint0 >> LAPIC_DM_SHIFT) & 7) == VLAPIC_DM_EXTINT;
}

int vlapic_init(struct vlapic *l, const struct vlapic_config *cfg)
{
	const struct vlapic_ops *ops = cfg->ops;
	u32 bus_khz = cfg->bus_khz ? cfg->bus_khz : BUS_KHZ_DEFAULT;

	if (!ops || !ops->now || !ops->arm_timer || !ops->cancel_timer || !ops->send_ipi ||
	    !ops->kick || !ops->eoi)
		return -EINVAL;
	if (!cfg->tsc_khz || cfg->tsc_khz >= KHZ_LIMIT || bus_khz >= KHZ_LIMIT ||
	    cfg->phys_bits < 32 || cfg->phys_bits > 52)
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->ops = ops;
	l->ctx = cfg->ctx;
	l->apic_id = cfg->apic_id;
	l->bsp = cfg->bsp;
	l->virtual_wire = cfg->virtual_wire;
	l->tsc_khz = cfg->tsc_khz;
	l->bus_khz = bus_khz;
	l->min_period = (u64)cfg->min_period_us * cfg->tsc_khz / 1000;
	l->base_rsvd = ~0ULL << cfg->phys_bits | 0x2ff | (cfg->x2apic ? 0 : APIC_BASE_EXTD);
	vlapic_reset(l, false);
	return 0;
}

static enum vlapic_mode base_mode(u64 base)
{
	if (!(base & APIC_BASE_EN))
		return VLAPIC_DISABLED;
	return base & APIC_BASE_EXTD ? VLAPIC_X2APIC : VLAPIC_XAPIC;
}

enum vlapic_mode vlapic_mode(const struct vlapic *l)
{
	return base_mode(l->base);
}

u64 vlapic_base(const struct vlapic *l)
{
	return l->base;
}

/* 11.12.5: x2APIC is entered from xAPIC only and left to disabled only. */
static const bool mode_change_ok[3][3] = {
	[VLAPIC_DISABLED] = { [VLAPIC_DISABLED] = true, [VLAPIC_XAPIC] = true },
	[VLAPIC_XAPIC] = { true, true, true },
	[VLAPIC_X2APIC] = { [VLAPIC_DISABLED] = true, [VLAPIC_X2APIC] = true },
};

int vlapic_set_base(struct vlapic *l, u64 val)
{
	enum vlapic_mode from = vlapic_mode(l), to = base_mode(val);

	if ((val & l->base_rsvd) || (val & (APIC_BASE_EN | APIC_BASE_EXTD)) == APIC_BASE_EXTD)
		return -EPERM;	/* reserved bits, or the invalid state EN=0 EXTD=1 */
	if (!mode_change_ok[from][to])
		return -EPERM;
	l->base = val;
	if (to == VLAPIC_DISABLED && from != VLAPIC_DISABLED)
		regs_reset(l, l->apic_id << 24);	/* state may be lost (11.4.3): power-up values */
	else if (to == VLAPIC_X2APIC && from == VLAPIC_XAPIC)
		x2apic_ids(l);
	return 0;
}

/* ------------------------------------------------ KVM_GET/SET_LAPIC */

/*
 * The register page as KVM's kvm_apic_get_state() gives it: the current
 * count in TMCCT, and in x2APIC mode the ID in bits 31:24 (KVM's format
 * without KVM_CAP_X2APIC_API).
 */
void vlapic_get_state(struct vlapic *l, u32 *regs)
{
	memcpy(regs, l->regs, VLAPIC_STATE_SIZE);
	regs[LAPIC_TIMER_CCR / 4] = timer_current(l);
	if (vlapic_mode(l) == VLAPIC_X2APIC)
		regs[LAPIC_ID / 4] = l->apic_id << 24;
}

/*
 * KVM_SET_LAPIC (KVM's kvm_apic_set_state()): the page as given, but the
 * version is the model's, the x2APIC IDs follow the APIC ID, and a
 * count-down restarts from TMCCT (or from TMICT if TMCCT is 0). The base
 * MSR and the TSC-deadline MSR are not in the page.
 */
void vlapic_set_state(struct vlapic *l, const u32 *regs)
{
	u32 left = regs[LAPIC_TIMER_CCR / 4];
	u64 now = l->ops->now(l->ctx);

	memcpy(l->regs, regs, VLAPIC_STATE_SIZE);
	memset((u8 *)l->regs + VLAPIC_STATE_SIZE, 0, sizeof(l->regs) - VLAPIC_STATE_SIZE);
	set_reg(l, LAPIC_VER, VLAPIC_VERSION);
	set_reg(l, LAPIC_TIMER_CCR, 0);
	if (vlapic_mode(l) == VLAPIC_X2APIC)
		x2apic_ids(l);
	l->esr_pending = 0;
	ppr_update(l);
	l->deadline = 0;
	if (timer_mode(l) != VLAPIC_TIMER_TSC_DEADLINE) {
		timer_load(l, now);
		if (l->deadline && left && left < reg(l, LAPIC_TIMER_ICR))
			l->deadline = now + count_to_tsc(l, left);
	}
	timer_program(l);
	kick_if_pending(l);
}
