// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel irqchip of a /dev/kvm VM (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2):
 * a PC's pair of 8259s (arch/x86/irqchip/pic.c), its I/O APIC (ioapic.c)
 * and its 8254 (pit.c), wired as a PC wires them and as KVM does: the PIC's
 * INT reaches the LAPICs' LINT0 (ExtINT), the I/O APIC sends messages to
 * the LAPICs and hears their EOIs, the PIT's channel 0 drives ISA IRQ 0
 * (PIC pin 0, I/O APIC pin 2 as the MADT's override says). One lock covers
 * the three models; it is taken before a vLAPIC's, never after: EOIs reach
 * here once the vLAPIC's lock is dropped (irqchip.c).
 */
#include "asm/processor.h"
#include "arch/x86/irqchip/ioapic.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/irqchip/pic.h"
#include "arch/x86/irqchip/pit.h"
#include "arch/x86/timer.h"
#include "arch/x86/virt/vmm_exit.h"
#include "kernel/errno.h"
#include "kernel/iobus.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

#define IOAPIC_MMIO_BASE 0xfec00000ULL
#define IOAPIC_MMIO_LEN 0x100		/* KVM's IOAPIC_MEM_LENGTH */
#define PIT_IRQ 0			/* ISA IRQ 0 ... */
#define PIT_IOAPIC_PIN 2		/* ... on I/O APIC pin 2 (the MADT's interrupt override) */
#define SPEAKER_PORT 0x61

struct vmm_platform {
	struct spinlock lock;
	struct vm *vm;
	struct pic pic;
	struct ioapic ioapic;
	struct pit pit;
	bool has_pit;
	u64 epoch;			/* TSC at creation: the PIT's clock counts from it */
};

static struct vmm_platform *platform_of(struct vm *vm)
{
	return vm->arch.platform;
}

/* The PIT's time: ns since the platform was made, from the TSC every CPU shares. */
static s64 pit_now(void *ctx)
{
	struct vmm_platform *p = ctx;

	return (s64)tsc_to_ns(rdtsc() - p->epoch);
}

static const struct pit_ops pit_ops = { .now_ns = pit_now };

/* The BSP looks again when the PIC's INT rises; any vCPU might take it, so all look. */
static void kick_all(struct vmm_platform *p)
{
	unsigned int n = __atomic_load_n(&p->vm->nr_vcpus, __ATOMIC_ACQUIRE);

	for (unsigned int i = 0; i < n; i++)
		irqchip_kick(p->vm->vcpus[i]);
}

static void ioapic_deliver(void *ctx, const struct ioapic_msg *m)
{
	struct vmm_platform *p = ctx;
	const struct vlapic_ipi ipi = {
		.dest = m->dest, .vector = m->vector, .delivery = m->delivery,
		.logical = m->logical, .level = m->level,
	};

	irqchip_deliver(p->vm, &ipi, NULL);
}

static const struct ioapic_ops ioapic_ops = { .deliver = ioapic_deliver };

/* Caller holds p->lock. A pin of both controllers, as KVM's default routes pair them. */
static void set_isa_irq(struct vmm_platform *p, unsigned int irq, bool level)
{
	pic_set_irq(&p->pic, irq, level);
	ioapic_set_irq(&p->ioapic, irq == PIT_IRQ ? PIT_IOAPIC_PIN : irq, level);
}

/* Caller holds p->lock: where vCPU 0 must run the PIT's timer next. */
static void arm_pit(struct vmm_platform *p)
{
	s64 ns = p->has_pit ? pit_next_irq_ns(&p->pit) : 0;
	struct vcpu *v = __atomic_load_n(&p->vm->nr_vcpus, __ATOMIC_ACQUIRE) ?
			 p->vm->vcpus[0] : NULL;

	if (v)
		v->arch.irqchip->platform_deadline = ns > 0 ? p->epoch + arch_ns_to_ticks((u64)ns) : 0;
}

/* Caller holds p->lock: a pulse on IRQ 0 (edge-triggered at both controllers). */
static void pulse_pit_irq(struct vmm_platform *p)
{
	set_isa_irq(p, PIT_IRQ, true);
	set_isa_irq(p, PIT_IRQ, false);
	/*
	 * With IRQ 0 masked at the PIC and its I/O APIC pin open, it went
	 * through the I/O APIC, whose edge-triggered EOIs Keel's vLAPIC does
	 * not report: the tick counts as taken once sent, with any a late timer
	 * owed (one edge carries them), so that reinjection never waits for an
	 * ack that cannot come. (Acking it as one tick left the ones owed
	 * holding IRQ 0 back for good: seen on Bochs, whose timers are late.)
	 * Masked at both, as Linux's i8259 code masks it during its handler,
	 * the tick stays in flight for the PIC's ack.
	 */
	if ((p->pic.chip[0].imr & BIT(PIT_IRQ)) &&
	    !(p->ioapic.s.redirtbl[PIT_IOAPIC_PIN] & IOAPIC_RTE_MASKED))
		pit_drop_owed(&p->pit);
}

/* Channel 0's tick. */
static void platform_timer(struct vcpu *v)
{
	struct vmm_platform *p = platform_of(v->vm);
	u64 flags = spin_lock_irqsave(&p->lock);
	bool raise = pit_timer_expired(&p->pit);

	if (raise)
		pulse_pit_irq(p);
	arm_pit(p);
	spin_unlock_irqrestore(&p->lock, flags);
	if (raise && pic_output(&p->pic))
		kick_all(p);
}

/* An INTA of IRQ 0's vector is the PIT's ack: a tick owed may follow (reinjection). */
static int platform_extint(struct vcpu *v, bool ack)
{
	struct vmm_platform *p = platform_of(v->vm);
	u64 flags = spin_lock_irqsave(&p->lock);
	int vec = ack ? pic_ack(&p->pic) : pic_peek(&p->pic);

	if (ack && p->has_pit && vec == p->pic.chip[0].irq_base + PIT_IRQ &&
	    pit_irq_acked(&p->pit))
		pulse_pit_irq(p);
	spin_unlock_irqrestore(&p->lock, flags);
	return vec;
}

static void platform_eoi(struct vcpu *v, u8 vector)
{
	struct vmm_platform *p = platform_of(v->vm);
	u64 flags = spin_lock_irqsave(&p->lock);

	ioapic_eoi(&p->ioapic, vector);
	spin_unlock_irqrestore(&p->lock, flags);
}

static const struct irqchip_platform kvm_platform = {
	.level_eoi = platform_eoi, .extint = platform_extint, .timer = platform_timer,
};

/* ---------------------------------------------------------------- buses */

/* Caller holds p->lock: IRQ 0 masked at the PIC (bit 0) and at its I/O APIC pin (bit 1). */
static u32 irq0_masks(const struct vmm_platform *p)
{
	return (p->pic.chip[0].imr & BIT(PIT_IRQ) ? 1 : 0) |
	       (p->ioapic.s.redirtbl[PIT_IOAPIC_PIN] & IOAPIC_RTE_MASKED ? 2 : 0);
}

/*
 * Caller holds p->lock. IRQ 0 unmasked at a chip since @before: the ticks
 * owed and one in flight are forgotten, as KVM's mask notifier resets
 * reinjection (pit_mask_notifer()): a tick raised while masked may never be
 * acked, and would hold every later one back.
 */
static void irq0_unmasked(struct vmm_platform *p, u32 before)
{
	if (p->has_pit && (before & ~irq0_masks(p)))
		pit_drop_owed(&p->pit);
}

static int pio_read(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 *val)
{
	struct vmm_platform *p = opaque;
	u64 flags;

	*val = 0;
	if (size != 1)
		return IO_HANDLED;	/* as KVM: wider accesses read 0 */
	flags = spin_lock_irqsave(&p->lock);
	if (pic_io_claims((u16)port))
		*val = pic_io_read(&p->pic, (u16)port);
	else
		*val = pit_io_read(&p->pit, (u16)port);
	spin_unlock_irqrestore(&p->lock, flags);
	return IO_HANDLED;
}

/*
 * vCPU 0 runs the PIT's timer: when another vCPU programs the PIT, vCPU 0
 * looks at its new deadline now (a halted one would take it only at its
 * next wake), as KVM's PIT runs on an hrtimer of its own.
 */
static int pio_write(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 val)
{
	struct vmm_platform *p = opaque;
	bool out, rearm = false;
	u64 flags;

	if (size != 1)
		return IO_HANDLED;	/* as KVM: wider accesses are dropped */
	flags = spin_lock_irqsave(&p->lock);
	if (pic_io_claims((u16)port)) {
		u32 masks = irq0_masks(p);

		pic_io_write(&p->pic, (u16)port, (u8)val);
		irq0_unmasked(p, masks);
	} else {
		pit_io_write(&p->pit, (u16)port, (u8)val);
		arm_pit(p);
		rearm = v != p->vm->vcpus[0];
	}
	out = pic_output(&p->pic);
	spin_unlock_irqrestore(&p->lock, flags);
	if (out)
		kick_all(p);
	else if (rearm)
		irqchip_kick(p->vm->vcpus[0]);
	return IO_HANDLED;
}

static const struct io_dev_ops pio_ops = { pio_read, pio_write };

static int mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	struct vmm_platform *p = opaque;
	u64 flags = spin_lock_irqsave(&p->lock);

	*val = size == 4 ? ioapic_mmio_read(&p->ioapic, (u32)(gpa & (IOAPIC_MMIO_LEN - 1))) : 0;
	spin_unlock_irqrestore(&p->lock, flags);
	return IO_HANDLED;
}

static int mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 val)
{
	struct vmm_platform *p = opaque;
	u64 flags = spin_lock_irqsave(&p->lock);
	u32 masks = irq0_masks(p);

	if (size == 4)
		ioapic_mmio_write(&p->ioapic, (u32)(gpa & (IOAPIC_MMIO_LEN - 1)), (u32)val);
	irq0_unmasked(p, masks);
	spin_unlock_irqrestore(&p->lock, flags);
	return IO_HANDLED;
}

static const struct io_dev_ops mmio_ops = { mmio_read, mmio_write };

static int register_pic(struct vm *vm, struct vmm_platform *p)
{
	static const u16 bases[] = { 0x20, 0xa0, 0x4d0 };
	int r = 0;

	for (unsigned int i = 0; !r && i < ARRAY_SIZE(bases); i++)
		r = io_bus_register(&vm->pio, bases[i], 2, &pio_ops, p);
	return r ?: io_bus_register(&vm->mmio, IOAPIC_MMIO_BASE, IOAPIC_MMIO_LEN, &mmio_ops, p);
}

/* KEEL_IRQCHIP_FULL: the split irqchip's LAPICs plus the PIC and I/O APIC. */
int vmm_platform_create(struct vm *vm)
{
	struct vmm_platform *p = kzalloc(sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->vm = vm;
	p->epoch = rdtsc();
	pic_reset(&p->pic);
	ioapic_init(&p->ioapic, &ioapic_ops, p);
	vm->arch.platform = p;
	if (register_pic(vm, p))
		return -ENOMEM;	/* freed with the VM */
	vm->arch.irq_platform = &kvm_platform;
	return 0;
}

/* KEEL_IRQCHIP_PIT: the 8254 on ports 0x40-0x43, and the speaker port if asked. */
int vmm_platform_add_pit(struct vm *vm, bool speaker)
{
	struct vmm_platform *p = platform_of(vm);
	u64 flags;

	if (!p)
		return -EINVAL;
	if (p->has_pit)
		return -EEXIST;
	flags = spin_lock_irqsave(&p->lock);
	pit_init(&p->pit, &pit_ops, p);
	p->has_pit = true;
	spin_unlock_irqrestore(&p->lock, flags);
	if (io_bus_register(&vm->pio, 0x40, 4, &pio_ops, p))
		return -ENOMEM;
	return speaker && io_bus_register(&vm->pio, SPEAKER_PORT, 1, &pio_ops, p) ? -ENOMEM : 0;
}

void vmm_platform_free(struct vm *vm)
{
	kfree(vm->arch.platform);
}

/* KEEL_IRQCHIP_PIN: an input of the PIC (chips 0, 1) or the I/O APIC (chip 2), KVM's numbering. */
int vmm_platform_pin(struct vm *vm, u32 chip, u32 pin, bool level)
{
	struct vmm_platform *p = platform_of(vm);
	bool out;
	u64 flags;

	if (!p || chip > KEEL_CHIP_IOAPIC || pin >= (chip == KEEL_CHIP_IOAPIC ? 24u : 8u))
		return -EINVAL;
	flags = spin_lock_irqsave(&p->lock);
	if (chip == KEEL_CHIP_IOAPIC)
		ioapic_set_irq(&p->ioapic, pin, level);
	else
		pic_set_irq(&p->pic, chip * 8 + pin, level);
	out = pic_output(&p->pic);
	spin_unlock_irqrestore(&p->lock, flags);
	if (out)
		kick_all(p);
	return 1;
}

/*
 * KVM_GET/SET_IRQCHIP and KVM_GET/SET_PIT2: the models' state structs are
 * KVM's byte for byte (their _Static_asserts), copied whole under the lock.
 */
int vmm_platform_state(struct vm *vm, u32 which, void *buf, bool set)
{
	struct vmm_platform *p = platform_of(vm);
	u64 flags;

	if (!p || which > KEEL_CHIP_PIT || (which == KEEL_CHIP_PIT && !p->has_pit))
		return -EINVAL;
	flags = spin_lock_irqsave(&p->lock);
	if (which == KEEL_CHIP_IOAPIC && set)
		ioapic_set_state(&p->ioapic, buf);
	else if (which == KEEL_CHIP_IOAPIC)
		memcpy(buf, &p->ioapic.s, sizeof(p->ioapic.s));
	else if (which == KEEL_CHIP_PIT && set)
		pit_set_state(&p->pit, buf);
	else if (which == KEEL_CHIP_PIT)
		pit_get_state(&p->pit, buf);
	else if (set)
		pic_set_state(&p->pic, which, buf);
	else
		memcpy(buf, &p->pic.chip[which], sizeof(p->pic.chip[which]));
	if (which == KEEL_CHIP_PIT)
		arm_pit(p);
	spin_unlock_irqrestore(&p->lock, flags);
	if (set)	/* a new state may raise an output: each vCPU looks (kvm_pic_update_irq()) */
		kick_all(p);
	return 0;
}

int vmm_platform_reinject(struct vm *vm, bool on)
{
	struct vmm_platform *p = platform_of(vm);
	u64 flags;

	if (!p || !p->has_pit)
		return -EINVAL;
	flags = spin_lock_irqsave(&p->lock);
	pit_set_reinject(&p->pit, on);
	spin_unlock_irqrestore(&p->lock, flags);
	return 0;
}
