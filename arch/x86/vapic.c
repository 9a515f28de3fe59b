// SPDX-License-Identifier: GPL-2.0
/*
 * The control guest's local APICs. References are to the Intel SDM Vol. 3A
 * chapter 11.
 *
 * Control vCPU i runs only on physical CPU i and carries that CPU's APIC ID
 * (and, in xAPIC mode, the logical ID the guest gives it: LDR and DFR are
 * mirrored into the physical APIC). So the I/O APIC entries and MSI messages
 * the guest programs with its own APIC IDs reach the CPU whose vCPU they
 * name, and vapic_device_irq() moves the vector into that vCPU's vLAPIC. A
 * level-triggered vector stays in service in the physical APIC until the
 * guest's EOI, or the still-asserted line would fire again at once (11.8.5).
 *
 * Locking: each vLAPIC has a lock, taken with interrupts off. A vCPU never
 * holds its own lock while it takes another's: the messages its register
 * writes send are queued and delivered after it let go.
 */
#include "arch/x86/apic.h"
#include "arch/x86/asm.h"
#include "arch/x86/msr.h"
#include "arch/x86/timer.h"
#include "arch/x86/traps.h"
#include "arch/x86/vapic.h"
#include "arch/x86/vcpu.h"
#include "arch/x86/vectors.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "kernel/vm.h"

#define APIC_PAGE 0xfee00000ULL
#define APIC_TMR 0x180
#define MAX_QUEUED 4
#define MSR_TSC_DEADLINE 0x6e0
#define MIN_TIMER_PERIOD_US 200	/* as KVM: a periodic timer cannot storm its CPU */

struct vapic {
	struct vlapic lapic;
	struct spinlock lock;
	struct vcpu *vcpu;
	unsigned int cpu;		/* the physical CPU it runs on */
	bool wait_for_sipi;		/* INIT received while stopped (11.4.7.3) */
	bool init_pending;		/* INIT for the running vCPU, which parks itself */
	bool parking;			/* ... and has not finished: a SIPI now is latched */
	bool sipi_latched;
	u8 sipi_vector;
	unsigned int nr_queued;
	struct vlapic_ipi queued[MAX_QUEUED];
};

static u64 now(void *ctx)
{
	return rdtsc();
}

/* The run loop arms the host timer from vapic_deadline() before every entry: nothing to do here. */
static void arm_timer(void *ctx, u64 deadline)
{
}

static void cancel_timer(void *ctx)
{
}

static void queue_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
	struct vapic *a = ctx;

	if (a->nr_queued < MAX_QUEUED)
		a->queued[a->nr_queued++] = *ipi;
}

/* A vCPU on another CPU learns of its interrupt at once: the IPI ends its guest mode or idle HLT. */
static void kick(void *ctx)
{
	struct vapic *a = ctx;

	if (a->cpu != this_cpu()->cpu)
		apic_send_ipi(percpu[a->cpu].apic_id, VEC_KICK);
}

static int highest(const u64 *bits)
{
	for (int i = 3; i >= 0; i--)
		if (bits[i])
			return i * 64 + 63 - __builtin_clzll(bits[i]);
	return -1;
}

/*
 * The guest retired a level-triggered vector. A physical EOI retires the
 * highest vector in service (SDM Vol. 3A 11.8.5), and only deferred vectors
 * are in service while a guest runs: EOIs go out while the highest deferred
 * vector is one the guest has retired, so each retires the right one.
 */
static void eoi(void *ctx, u8 vector)
{
	struct percpu *pc = this_cpu();
	int v;

	if (!(pc->eoi_deferred[vector / 64] & BIT(vector % 64)))
		return;
	pc->eoi_retired[vector / 64] |= BIT(vector % 64);
	while ((v = highest(pc->eoi_deferred)) >= 0 && (pc->eoi_retired[v / 64] & BIT(v % 64))) {
		pc->eoi_deferred[v / 64] &= ~BIT(v % 64);
		pc->eoi_retired[v / 64] &= ~BIT(v % 64);
		apic_eoi();
	}
}

static const struct vlapic_ops vapic_ops = {
	.now = now, .arm_timer = arm_timer, .cancel_timer = cancel_timer,
	.send_ipi = queue_ipi, .kick = kick, .eoi = eoi,
};

static void irq_noop(struct regs *r)
{
}

int vapic_create(struct vcpu *v, unsigned int cpu, bool bsp)
{
	struct vapic *a = kzalloc(sizeof(*a));
	const struct vlapic_config cfg = {
		.ops = &vapic_ops, .ctx = a, .apic_id = percpu[cpu].apic_id, .bsp = bsp,
		.x2apic = true, .phys_bits = keel.cpu.phys_addr_bits, .tsc_khz = (u32)tsc_khz,
		.min_period_us = MIN_TIMER_PERIOD_US,
	};

	if (!a)
		return -ENOMEM;
	if (vlapic_init(&a->lapic, &cfg)) {
		kfree(a);
		return -EINVAL;
	}
	a->vcpu = v;
	a->cpu = cpu;
	v->arch.apic = a;
	return 0;
}

void vapic_setup(void)
{
	irq_register(VEC_KICK, irq_noop);
	irq_set_device_handler(vapic_device_irq);
}

void vapic_free(struct vcpu *v)
{
	kfree(v->arch.apic);
	v->arch.apic = NULL;
}

static void deliver_queued(struct vcpu *v)
{
	struct vapic *a = v->arch.apic;
	struct vlapic_ipi q[MAX_QUEUED];
	unsigned int n;
	u64 flags = spin_lock_irqsave(&a->lock);

	n = a->nr_queued;
	memcpy(q, a->queued, n * sizeof(q[0]));
	a->nr_queued = 0;
	spin_unlock_irqrestore(&a->lock, flags);
	for (unsigned int i = 0; i < n; i++)
		vapic_deliver(v->vm, &q[i], v);
}

/* Keel never uses logical destinations itself, so the physical APIC can answer to the guest's. */
static void mirror_logical_id(struct vlapic *l, u32 off)
{
	if ((off == LAPIC_LDR || off == LAPIC_DFR) && !apic_x2apic())
		apic_write(off, l->regs[off / 4]);
}

/* A relocated or disabled xAPIC leaves the page to whatever else is there: not mine. */
static int mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	struct vapic *a = v->arch.apic;
	u64 flags = spin_lock_irqsave(&a->lock);
	int r = IO_NOT_MINE;

	if (vlapic_mmio_claims(&a->lapic, gpa)) {
		*val = vlapic_mmio_read(&a->lapic, gpa & (PAGE_SIZE - 1), size);
		r = IO_HANDLED;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	return r;
}

static int mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 val)
{
	struct vapic *a = v->arch.apic;
	u32 off = gpa & (PAGE_SIZE - 1);
	u64 flags = spin_lock_irqsave(&a->lock);
	int r = IO_NOT_MINE;

	if (vlapic_mmio_claims(&a->lapic, gpa)) {
		vlapic_mmio_write(&a->lapic, off, size, (u32)val);
		mirror_logical_id(&a->lapic, off);
		r = IO_HANDLED;
	}
	spin_unlock_irqrestore(&a->lock, flags);
	deliver_queued(v);
	return r;
}

int vapic_add_mmio(struct vm *vm)
{
	static const struct io_dev_ops ops = { mmio_read, mmio_write };

	return io_bus_register(&vm->mmio, APIC_PAGE, PAGE_SIZE, &ops, NULL);
}

static bool apic_msr(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_TSC_DEADLINE ||
	       (msr >= VLAPIC_MSR_FIRST && msr <= VLAPIC_MSR_LAST);
}

int vapic_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct vapic *a = v->arch.apic;
	int r = 0;
	u64 flags;

	if (!apic_msr(msr))
		return -ENOENT;
	flags = spin_lock_irqsave(&a->lock);
	if (msr == MSR_IA32_APIC_BASE)
		*val = vlapic_base(&a->lapic);
	else if (msr == MSR_TSC_DEADLINE)
		*val = vlapic_tsc_deadline(&a->lapic);
	else
		r = vlapic_msr_read(&a->lapic, msr, val);
	spin_unlock_irqrestore(&a->lock, flags);
	return r;
}

int vapic_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct vapic *a = v->arch.apic;
	int r = 0;
	u64 flags;

	if (!apic_msr(msr))
		return -ENOENT;
	flags = spin_lock_irqsave(&a->lock);
	if (msr == MSR_IA32_APIC_BASE)
		r = vlapic_set_base(&a->lapic, val);
	else if (msr == MSR_TSC_DEADLINE)
		vlapic_set_tsc_deadline(&a->lapic, val);
	else
		r = vlapic_msr_write(&a->lapic, msr, val);
	spin_unlock_irqrestore(&a->lock, flags);
	deliver_queued(v);
	return r;
}

int vapic_pending(struct vcpu *v)
{
	struct vapic *a = v->arch.apic;
	u64 flags = spin_lock_irqsave(&a->lock);
	int vec = vlapic_pending(&a->lapic);

	spin_unlock_irqrestore(&a->lock, flags);
	return vec;
}

void vapic_ack(struct vcpu *v, u8 vector)
{
	struct vapic *a = v->arch.apic;
	u64 flags = spin_lock_irqsave(&a->lock);

	vlapic_ack(&a->lapic, vector);
	spin_unlock_irqrestore(&a->lock, flags);
}

u64 vapic_deadline(const struct vcpu *v)
{
	return v->arch.apic->lapic.deadline;
}

void vapic_check_timer(struct vcpu *v)
{
	struct vapic *a = v->arch.apic;
	u64 flags;

	if (!a->lapic.deadline || rdtsc() < a->lapic.deadline)
		return;
	flags = spin_lock_irqsave(&a->lock);
	vlapic_timer_expired(&a->lapic);
	spin_unlock_irqrestore(&a->lock, flags);
	deliver_queued(v);
}

/*
 * INIT (9.4.4.1, 11.4.7.3): a stopped vCPU waits for a SIPI at once; a
 * running one is told to park itself (Linux INITs a CPU it brings back
 * online, or that kexec restarts).
 */
static void deliver_init(struct vapic *t)
{
	u64 flags = spin_lock_irqsave(&t->lock);
	bool running = t->vcpu->state != VCPU_STOPPED && t->vcpu->state != VCPU_STARTING;

	if (running) {
		t->init_pending = t->parking = true;
		t->sipi_latched = false;
	} else if (t->vcpu->state == VCPU_STOPPED) {
		vlapic_reset(&t->lapic, true);
	}
	if (running || t->vcpu->state == VCPU_STOPPED)
		t->wait_for_sipi = true;
	spin_unlock_irqrestore(&t->lock, flags);
	if (running)
		kick(t);
}

bool vapic_init_pending(const struct vcpu *v)
{
	return v->arch.apic->init_pending;
}

bool vapic_take_init(struct vcpu *v)
{
	struct vapic *a = v->arch.apic;
	u64 flags;
	bool init;

	if (!a->init_pending)
		return false;
	flags = spin_lock_irqsave(&a->lock);
	init = a->init_pending;
	a->init_pending = false;
	if (init)
		vlapic_reset(&a->lapic, true);
	spin_unlock_irqrestore(&a->lock, flags);
	return init;
}

/* Real mode at the SIPI's page, on its own CPU's queue again. */
static void start_at(struct vapic *t, u8 vector)
{
	struct vcpu *v = t->vcpu;

	vcpu_set_sipi_state(v, vector);
	__atomic_fetch_add(&v->vm->live_vcpus, 1, __ATOMIC_SEQ_CST);
	sched_add_on(v, t->cpu);
}

/*
 * Off its CPU and queue now. A SIPI that came while it was parking (Linux
 * sends it right after the INIT on AMD family 0Fh and later) starts it at
 * once; else it waits for one.
 */
void vapic_parked(struct vcpu *v)
{
	struct vapic *a = v->arch.apic;
	u64 flags = spin_lock_irqsave(&a->lock);
	bool start = a->sipi_latched;

	v->arch.nmi_pending = false;
	__atomic_sub_fetch(&v->vm->live_vcpus, 1, __ATOMIC_SEQ_CST);
	v->state = start ? VCPU_STARTING : VCPU_STOPPED;
	a->parking = a->sipi_latched = false;
	spin_unlock_irqrestore(&a->lock, flags);
	if (start)
		start_at(a, a->sipi_vector);
}

/*
 * SIPI: a vCPU waiting for one starts in real mode at vector << 12
 * (8.4.4.1); one still parking after its INIT is latched; later SIPIs are
 * ignored.
 */
static void deliver_sipi(struct vapic *t, u8 vector)
{
	struct vcpu *v = t->vcpu;
	u64 flags = spin_lock_irqsave(&t->lock);
	bool start = t->wait_for_sipi && v->state == VCPU_STOPPED && !t->parking;

	if (t->wait_for_sipi && t->parking) {
		t->sipi_latched = true;
		t->sipi_vector = vector;
	}
	t->wait_for_sipi = false;
	if (start)
		v->state = VCPU_STARTING;	/* a racing INIT or SIPI finds it no longer stopped */
	spin_unlock_irqrestore(&t->lock, flags);
	if (start)
		start_at(t, vector);
}

static void deliver_fixed(struct vapic *t, const struct vlapic_ipi *m)
{
	u64 flags = spin_lock_irqsave(&t->lock);

	vlapic_set_irq(&t->lapic, m->vector, true, m->level);
	spin_unlock_irqrestore(&t->lock, flags);
}

static bool matches(struct vapic *t, const struct vlapic_ipi *m, struct vcpu *src)
{
	u64 flags = spin_lock_irqsave(&t->lock);
	bool r = vlapic_match_dest(&t->lapic, m->dest, m->logical, m->shorthand, t->vcpu == src);

	spin_unlock_irqrestore(&t->lock, flags);
	return r;
}

/* Lowest priority goes to the first match, as KVM does without priority arbitration (11.6.2.4). */
void vapic_deliver(struct vm *vm, const struct vlapic_ipi *m, struct vcpu *src)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vapic *t = vm->vcpus[i]->arch.apic;

		if (!t || !matches(t, m, src))
			continue;
		switch (m->delivery) {
		case VLAPIC_DM_FIXED:
		case VLAPIC_DM_LOWEST:
			deliver_fixed(t, m);
			if (m->delivery == VLAPIC_DM_LOWEST)
				return;
			break;
		case VLAPIC_DM_NMI:
			t->vcpu->arch.nmi_pending = true;
			kick(t);
			break;
		case VLAPIC_DM_INIT:
			deliver_init(t);
			break;
		case VLAPIC_DM_SIPI:
			deliver_sipi(t, m->vector);
			break;
		default:
			break;	/* SMI and ExtINT: nothing in the control guest answers them */
		}
	}
}

static bool physical_level(u8 vector)
{
	return apic_read(APIC_TMR + (vector / 32) * 0x10) & BIT(vector % 32);
}

/*
 * A device vector: into the IRR of this CPU's control vCPU. An edge is
 * retired at once; a level stays in service until the guest's EOI, unless
 * its vLAPIC drops it (software-disabled), which no EOI would then follow.
 */
void vapic_device_irq(struct regs *r)
{
	struct vcpu *v = this_cpu()->control_vcpu;
	u8 vector = (u8)r->vector;
	bool level = physical_level(vector), taken = false;
	struct vapic *a;
	u64 flags;

	if (v) {
		a = v->arch.apic;
		flags = spin_lock_irqsave(&a->lock);
		taken = vlapic_mode(&a->lapic) != VLAPIC_DISABLED &&
			(a->lapic.regs[LAPIC_SVR / 4] & LAPIC_SVR_ENABLE);
		vlapic_set_irq(&a->lapic, vector, true, level);
		spin_unlock_irqrestore(&a->lock, flags);
	}
	if (level && taken)
		this_cpu()->eoi_deferred[vector / 64] |= BIT(vector % 64);
	else
		apic_eoi();
}
