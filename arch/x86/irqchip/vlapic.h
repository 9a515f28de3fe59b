/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual local APIC, one per vCPU: the xAPIC register page (MMIO) and the
 * x2APIC MSRs, interrupt acceptance and priority (IRR/ISR/TMR, TPR/PPR),
 * EOI, the APIC timer (one-shot, periodic, TSC-deadline), error reporting
 * and IPI generation. References are to the Intel SDM Vol. 3A chapter 11.
 *
 * Pure logic without locking (callers lock) and without knowledge of vCPUs:
 * time, the host timer, IPI routing and wake-ups go through struct
 * vlapic_ops. The flow of a fixed interrupt:
 *   source          -> vlapic_set_irq(target)       IRR (and TMR), kick
 *   before VM entry -> v = vlapic_pending(); inject v; vlapic_ack(v)
 *   guest EOI write -> ISR cleared; ops->eoi(v) if it was level-triggered
 * An IPI the guest sends (ICR write) reaches ops->send_ipi; the caller finds
 * the targets with vlapic_match_dest() and calls vlapic_set_irq() on each
 * for fixed delivery, injects an NMI, or does INIT (vlapic_reset(t, true)
 * and wait-for-SIPI) and SIPI itself.
 */
#ifndef KEEL_X86_VLAPIC_H
#define KEEL_X86_VLAPIC_H

#include "asm/msr.h"
#include "kernel/types.h"

/* Register offsets in the APIC page (Table 11-1); x2APIC MSR = 0x800 + offset / 16 (Table 11-6). */
#define LAPIC_ID		0x020
#define LAPIC_VER		0x030
#define LAPIC_TPR		0x080
#define LAPIC_APR		0x090	/* xAPIC only */
#define LAPIC_PPR		0x0a0
#define LAPIC_EOI		0x0b0
#define LAPIC_RRD		0x0c0	/* xAPIC only */
#define LAPIC_LDR		0x0d0
#define LAPIC_DFR		0x0e0	/* xAPIC only */
#define LAPIC_SVR		0x0f0
#define LAPIC_ISR		0x100	/* 8 registers of 32 vectors, 16 bytes apart */
#define LAPIC_TMR		0x180
#define LAPIC_IRR		0x200
#define LAPIC_ESR		0x280
#define LAPIC_ICR		0x300	/* x2APIC: the whole 64-bit ICR at MSR 0x830 */
#define LAPIC_ICR_HI		0x310	/* xAPIC only (as a register) */
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_LVT_THERMAL	0x330
#define LAPIC_LVT_PERF		0x340
#define LAPIC_LVT_LINT0		0x350
#define LAPIC_LVT_LINT1		0x360
#define LAPIC_LVT_ERROR		0x370
#define LAPIC_TIMER_ICR		0x380	/* initial count */
#define LAPIC_TIMER_CCR		0x390	/* current count */
#define LAPIC_TIMER_DCR		0x3e0	/* divide configuration */
#define LAPIC_SELF_IPI		0x3f0	/* x2APIC only */

#define VLAPIC_MSR_FIRST	0x800
#define VLAPIC_MSR_LAST		0x8ff

/* Version register (11.4.8): integrated APIC 0x14, 6 LVT entries (no CMCI), no EOI suppression. */
#define VLAPIC_VERSION		0x50014

/* IA32_APIC_BASE's bits (11.4.4, Figure 11-26) are asm/msr.h's APIC_BASE_*. */

/* ICR and LVT fields (11.5.1, 11.6.1). */
#define LAPIC_VECTOR		0xffu
#define LAPIC_DM_SHIFT		8
#define LAPIC_DEST_LOGICAL	BIT(11)
#define LAPIC_ICR_BUSY		BIT(12)	/* delivery status: reads 0, an IPI is sent at once */
#define LAPIC_LEVEL_ASSERT	BIT(14)
#define LAPIC_TRIGGER_LEVEL	BIT(15)
#define LAPIC_LVT_MASKED	BIT(16)
#define LAPIC_TIMER_MODE_SHIFT	17
#define LAPIC_SH_SHIFT		18
#define LAPIC_SVR_ENABLE	BIT(8)

/* Error status register bits (11.5.3) this model reports. */
#define LAPIC_ESR_SEND_ILLEGAL	BIT(5)
#define LAPIC_ESR_RECV_ILLEGAL	BIT(6)
#define LAPIC_ESR_ILLEGAL_REG	BIT(7)

enum vlapic_mode {
	VLAPIC_DISABLED,	/* IA32_APIC_BASE.EN = 0 */
	VLAPIC_XAPIC,		/* EN = 1, EXTD = 0 */
	VLAPIC_X2APIC,		/* EN = 1, EXTD = 1 */
};

/* Delivery modes, ICR/LVT bits 10:8 (11.5.1, 11.6.1). */
enum vlapic_dm {
	VLAPIC_DM_FIXED = 0,
	VLAPIC_DM_LOWEST = 1,
	VLAPIC_DM_SMI = 2,
	VLAPIC_DM_NMI = 4,
	VLAPIC_DM_INIT = 5,
	VLAPIC_DM_SIPI = 6,
	VLAPIC_DM_EXTINT = 7,	/* LVT LINT0/1 only */
};

/* Destination shorthands, ICR bits 19:18 (11.6.1). */
enum vlapic_shorthand {
	VLAPIC_SH_NONE = 0,
	VLAPIC_SH_SELF = 1,
	VLAPIC_SH_ALL = 2,
	VLAPIC_SH_ALL_BUT_SELF = 3,
};

/* Timer modes, LVT timer bits 18:17 (11.5.4); 3 is reserved and runs as one-shot. */
enum vlapic_timer_mode {
	VLAPIC_TIMER_ONESHOT = 0,
	VLAPIC_TIMER_PERIODIC = 1,
	VLAPIC_TIMER_TSC_DEADLINE = 2,
};

/*
 * An interrupt message for the caller to route: an ICR write, or an LVT
 * entry whose delivery mode is not fixed (NMI, SMI, INIT, ExtINT), which
 * comes as shorthand "self". Never reported: reserved delivery modes,
 * combinations Table 11-3 calls invalid, level de-asserts (INIT de-assert).
 */
struct vlapic_ipi {
	u32 dest;		/* destination field: 8 bits in xAPIC mode, 32 in x2APIC mode */
	u8 vector;		/* SIPI: the start page */
	u8 delivery;		/* enum vlapic_dm */
	u8 shorthand;		/* enum vlapic_shorthand */
	bool logical;		/* logical destination mode */
	bool level;		/* level-triggered (fixed and lowest priority only) */
};

/*
 * Callbacks, all required; @ctx is vlapic_config.ctx. Time is in TSC ticks
 * of the guest's time base (the TSC the guest reads and IA32_TSC_DEADLINE
 * compares against).
 */
struct vlapic_ops {
	u64 (*now)(void *ctx);
	/* Call vlapic_timer_expired() once the TSC reaches @deadline; replaces any earlier one. */
	void (*arm_timer)(void *ctx, u64 deadline);
	void (*cancel_timer)(void *ctx);
	void (*send_ipi)(void *ctx, const struct vlapic_ipi *ipi);
	/* An interrupt became deliverable (vlapic_pending() >= 0): wake or interrupt the vCPU. */
	void (*kick)(void *ctx);
	/* EOI of a level-triggered vector (11.8.5): for the I/O APIC's remote IRR. */
	void (*eoi)(void *ctx, u8 vector);
};

struct vlapic_config {
	const struct vlapic_ops *ops;
	void *ctx;
	u32 apic_id;		/* initial APIC ID, also the x2APIC ID */
	bool bsp;
	bool x2apic;		/* x2APIC offered (CPUID.1:ECX[21]): IA32_APIC_BASE.EXTD writable */
	u8 phys_bits;		/* MAXPHYADDR, 32..52: higher IA32_APIC_BASE bits are reserved */
	u32 tsc_khz;		/* 1..2^24-1 (below 16.7 GHz keeps the timer arithmetic in 64 bits) */
	/*
	 * Timer input clock before the divider (11.5.4), 1..2^24-1 kHz; 0 means
	 * 1 GHz, KVM's choice, so one tick is 1 ns whatever the host's TSC is.
	 */
	u32 bus_khz;
	/*
	 * Shortest period of the periodic mode, in microseconds (0: none): a
	 * guest cannot make its timer fire faster (KVM's min_timer_period_us).
	 */
	u32 min_period_us;
	/*
	 * Power-on reset leaves LINT0 unmasked in ExtINT mode (virtual wire), so
	 * interrupts of an 8259-like controller reach the CPU before the guest
	 * programs its APIC: KVM does so for the BSP (its LINT0_REENABLED quirk).
	 */
	bool virtual_wire;
};

struct vlapic {
	/*
	 * The register page in the hardware layout (Table 11-1): a 32-bit
	 * register at each 16-byte offset. It is the struct's first member, so
	 * a page-aligned struct vlapic is also a virtual-APIC/AVIC backing page.
	 */
	u32 regs[PAGE_SIZE / 4];
	const struct vlapic_ops *ops;
	void *ctx;
	u64 base;		/* IA32_APIC_BASE */
	u64 base_rsvd;		/* its reserved bits: a write setting one is a #GP */
	u64 deadline;		/* TSC of the next timer expiry, 0: stopped; TSC-deadline mode: the MSR */
	u64 period;		/* TSC ticks of one count-down from the initial count */
	u32 timer_div;		/* divisor the running count-down was loaded with */
	u32 apic_id;
	u32 esr_pending;	/* errors since the last ESR write (11.5.3) */
	u32 tsc_khz;
	u32 bus_khz;
	u64 min_period;		/* TSC ticks, from min_period_us */
	bool bsp;
	bool virtual_wire;
};

/* Power-on reset; -EINVAL for a bad configuration. */
int vlapic_init(struct vlapic *l, const struct vlapic_config *cfg);
/*
 * Power-on (11.4.7.1) or, with @init, INIT reset (11.4.7.3): the same
 * register values, but the APIC ID, IA32_APIC_BASE and the mode are kept.
 */
void vlapic_reset(struct vlapic *l, bool init);

enum vlapic_mode vlapic_mode(const struct vlapic *l);
u64 vlapic_base(const struct vlapic *l);
/* WRMSR IA32_APIC_BASE: -EPERM (#GP) for reserved bits and illegal transitions (11.12.5). */
int vlapic_set_base(struct vlapic *l, u64 val);

/* Whether the guest-physical address @gpa is in the xAPIC register page. */
bool vlapic_mmio_claims(const struct vlapic *l, u64 gpa);
/*
 * xAPIC accesses at @offset in the page. Only 4-byte accesses at 16-byte
 * register offsets act (11.4.1); others read 0 and writes are dropped.
 */
u32 vlapic_mmio_read(struct vlapic *l, u32 offset, unsigned int size);
void vlapic_mmio_write(struct vlapic *l, u32 offset, unsigned int size, u32 val);

/* RDMSR/WRMSR of 0x800-0x8ff (11.12.1.2): -EPERM means #GP (also outside x2APIC mode). */
int vlapic_msr_read(struct vlapic *l, u32 msr, u64 *val);
int vlapic_msr_write(struct vlapic *l, u32 msr, u64 val);

/* IA32_TSC_DEADLINE (11.5.4.1): reads 0 and ignores writes outside TSC-deadline mode. */
u64 vlapic_tsc_deadline(const struct vlapic *l);
void vlapic_set_tsc_deadline(struct vlapic *l, u64 deadline);

/* TPR, for CR8 accesses (CR8 = TPR[7:4], 11.8.6). */
u8 vlapic_tpr(const struct vlapic *l);
void vlapic_set_tpr(struct vlapic *l, u8 tpr);

/*
 * A fixed interrupt arrives: into IRR, and TMR when @level_trig (11.8.4).
 * @level is the message's assert flag; a level-triggered de-assert is no
 * interrupt. Dropped while the APIC is disabled in IA32_APIC_BASE or in
 * SVR (11.4.7.2); vectors 0-15 are recorded in ESR instead (11.5.2).
 * True if the vector was newly set in IRR (false also when coalesced).
 */
bool vlapic_set_irq(struct vlapic *l, u8 vector, bool level, bool level_trig);
/* Whether fixed interrupts are accepted: enabled in IA32_APIC_BASE and in SVR (11.4.7.2). */
bool vlapic_accepts_fixed(const struct vlapic *l);
/* Whether an interrupt controller outside the APIC (an 8259) reaches the CPU through it. */
bool vlapic_accepts_extint(const struct vlapic *l);
/* Signals LVT entry @lvt (LAPIC_LVT_*), e.g. LINT0/LINT1 from outside. */
void vlapic_raise_lvt(struct vlapic *l, u32 lvt);
/* Highest IRR vector whose priority class is above PPR's (11.8.3.1, 11.8.4), or -1. */
int vlapic_pending(const struct vlapic *l);
/* Highest IRR vector, or -1. */
int vlapic_highest_irr(const struct vlapic *l);
/* @vector was injected: IRR -> ISR. */
void vlapic_ack(struct vlapic *l, u8 vector);
/* The armed deadline passed: raise the timer LVT, re-arm in periodic mode. */
void vlapic_timer_expired(struct vlapic *l);

/* KVM_GET/SET_LAPIC's image: the first 1 KiB of the register page (struct kvm_lapic_state). */
#define VLAPIC_STATE_SIZE 1024
void vlapic_get_state(struct vlapic *l, u32 *regs);
void vlapic_set_state(struct vlapic *l, const u32 *regs);

/*
 * Whether @l is a destination of a message to @dest in physical or
 * @logical mode (11.6.2, 11.12.10) with @shorthand (enum vlapic_shorthand);
 * @self: @l belongs to the sender. A disabled APIC matches nothing.
 */
bool vlapic_match_dest(const struct vlapic *l, u32 dest, bool logical, int shorthand, bool self);

#endif
