/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one interrupt path of every vCPU (arch/x86/irqchip/irqchip.c): its
 * virtual LAPIC (the register model of vlapic.c, with a lock and Keel's
 * timers and IPIs), the ExtINT line of an interrupt controller outside the
 * LAPIC (an 8259's place: the boot-time test device today), and NMIs. The
 * run loop asks it what to inject, acknowledges what it injected, and asks
 * for the next deadline and whether an event ends HLT.
 */
#ifndef KEEL_X86_IRQCHIP_H
#define KEEL_X86_IRQCHIP_H

#include "arch/x86/irqchip/vlapic.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"

struct vcpu;
struct vm;

#define IRQCHIP_MAX_QUEUED 4

struct irqchip {
	struct vlapic lapic;		/* guarded by lock, taken with interrupts off */
	struct spinlock lock;
	struct vcpu *vcpu;
	bool wait_for_sipi;		/* INIT received: the next SIPI starts the vCPU (11.4.7.3) */
	unsigned int nr_queued;		/* messages the guest sent, delivered once lock is dropped */
	struct vlapic_ipi queued[IRQCHIP_MAX_QUEUED];
	u64 extint[4];			/* ExtINT line: vectors pending outside the LAPIC */
	u64 extint_deadline;		/* TSC of a device's delayed ExtINT vector, 0: none */
	u8 extint_vector;
	u64 nmi_deadline;		/* TSC of a device's delayed NMI, 0: none */
	u64 platform_deadline;		/* TSC at which to run the platform's timer, 0: none */
	u64 eoi_pending[4];		/* level EOIs for the platform, sent after the lock is dropped */
	/* /dev/kvm vCPUs: INIT and SIPI wait for the vCPU's own run loop (arch/x86/virt/vmm_irq.c). */
	bool init_pending, sipi_pending;
	u8 sipi_vector;
};

/* What a VM's platform does with its vCPUs' APIC traffic (the control guest's passthrough). */
struct irqchip_platform {
	/* EOI of a level-triggered vector (SDM Vol. 3A 11.8.5), once the vLAPIC's lock is dropped. */
	void (*level_eoi)(struct vcpu *v, u8 vector);
	/* The guest wrote APIC register @offset (xAPIC page or x2APIC MSR). */
	void (*reg_written)(struct vcpu *v, u32 offset, u32 val);
	/*
	 * An 8259 outside the LAPICs (optional): the vector an INTA would
	 * return now (@ack false) or the INTA itself (@ack true), -1 if its
	 * INT line is low; and its timer (the PIT), run on the vCPU whose
	 * platform_deadline the platform sets.
	 */
	int (*extint)(struct vcpu *v, bool ack);
	void (*timer)(struct vcpu *v);
};

/* Every vCPU's, made with the vCPU: APIC ID = vCPU index, vCPU 0 the BSP. */
int irqchip_create(struct vcpu *v);
void irqchip_free(struct vcpu *v);
/*
 * Power-on reset with APIC ID @apic_id; @virtual_wire: LINT0 starts in
 * ExtINT mode (boot-time VMs, whose test device interrupts through it).
 */
int irqchip_configure(struct vcpu *v, u32 apic_id, bool virtual_wire);
/* The xAPIC page at 0xFEE00000 on @vm's MMIO bus. */
int irqchip_add_mmio(struct vm *vm);
/* A MOV to CR8 (0..15) sets the TPR. */
void irqchip_set_cr8(struct vcpu *v, u64 cr8);
/* CR8 as the guest left it at an exit, where its writes need not exit: the TPR follows. */
void irqchip_sync_cr8(struct vcpu *v, u64 cr8);
/*
 * The priority class of the highest vector in IRR where the TPR holds it
 * back, else 0: a CR8 write below it must exit to let it in.
 */
u8 irqchip_tpr_threshold(struct vcpu *v);
/* IA32_APIC_BASE, the x2APIC MSRs and IA32_TSC_DEADLINE: 0, -EPERM (#GP), or -ENOENT (not the APIC's). */
int irqchip_msr_read(struct vcpu *v, u32 msr, u64 *val);
int irqchip_msr_write(struct vcpu *v, u32 msr, u64 val);

/*
 * Sources. An interrupt message (IPI, I/O APIC, device) to the vCPUs of
 * @vm it names; @src sent it. Returns how many LAPICs it reached.
 */
int irqchip_deliver(struct vm *vm, const struct vlapic_ipi *m, struct vcpu *src);
/* A message-signalled interrupt: its address and data as a device writes them (SDM Vol. 3A 11.11). */
int irqchip_deliver_msi(struct vm *vm, u64 address, u32 data);
/* KVM_GET/SET_LAPIC: VLAPIC_STATE_SIZE bytes of the register page. */
void irqchip_get_lapic(struct vcpu *v, void *regs);
void irqchip_set_lapic(struct vcpu *v, const void *regs);
/* A device vector straight into @v's vLAPIC IRR; false if its APIC is disabled (dropped). */
bool irqchip_set_irq(struct vcpu *v, u8 vector, bool level);
/* The ExtINT line raises @vector, or an NMI arrives; after @delay_tsc TSC ticks if not 0. */
void irqchip_raise_extint(struct vcpu *v, u8 vector, u64 delay_tsc);
void irqchip_raise_nmi(struct vcpu *v, u64 delay_tsc);

/*
 * The run loop. What to inject next (ExtINT before the LAPIC, as KVM), or -1:
 * the vector in bits 7:0, IRQCHIP_FROM_EXTINT if the ExtINT line has it.
 */
#define IRQCHIP_FROM_EXTINT 0x100
#define IRQCHIP_FROM_PLATFORM 0x200
int irqchip_pending(struct vcpu *v);
/* What irqchip_pending() returned was injected: off the ExtINT line, or IRR -> ISR (11.8.4). */
void irqchip_ack(struct vcpu *v, int pending);
/* Raises whatever the vCPU's timers (LAPIC, delayed device events) have due. */
void irqchip_check_timers(struct vcpu *v);
/* TSC of the earliest armed timer, 0 if none: inline, as the run loop asks before every entry. */
static inline u64 irqchip_deadline(const struct irqchip *c)
{
	u64 d = c->lapic.deadline;

	if (c->extint_deadline && (!d || c->extint_deadline < d))
		d = c->extint_deadline;
	if (c->nmi_deadline && (!d || c->nmi_deadline < d))
		d = c->nmi_deadline;
	if (c->platform_deadline && (!d || c->platform_deadline < d))
		d = c->platform_deadline;
	return d;
}
/* An NMI ends HLT whatever RFLAGS.IF says, an interrupt only with IF set (SDM Vol. 3A 6.7.1). */
bool irqchip_wakeable(struct vcpu *v, bool if_set);
/* Whether an NMI may still come without another vCPU's doing (a device's delayed NMI). */
bool irqchip_nmi_due(const struct vcpu *v);
/* Something for @v changed outside its LAPIC (the platform's 8259): it looks again, on its CPU. */
void irqchip_kick(struct vcpu *v);
/* Whether @v's LAPIC has IA32_APIC_BASE.BSP. */
bool irqchip_is_bsp(const struct vcpu *v);
/*
 * @v's IA32_APIC_BASE, read by @v's own thread without the lock: only it,
 * or a state call's claim, which excludes its run, changes the value.
 */
u64 irqchip_apic_base(const struct vcpu *v);
/* INIT while running: the vLAPIC's INIT reset, pending NMIs dropped (SDM Vol. 3A 9.1, 11.4.7.3). */
void irqchip_init_reset(struct vcpu *v);

#endif
