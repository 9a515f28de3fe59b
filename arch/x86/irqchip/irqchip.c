// SPDX-License-Identifier: GPL-2.0
/*
 * Every vCPU's interrupt path: its vLAPIC wired to Keel's time, IPIs and
 * run loop, the ExtINT line, and NMIs. References are to the Intel SDM
 * Vol. 3A chapter 11 unless noted.
 *
 * Locking: each vLAPIC has a lock, taken with interrupts off. A vCPU never
 * holds its own lock while it takes another's: the messages its register
 * writes send are queued and delivered after it let go. Whoever makes an
 * interrupt pending sets VCPU_REQ_EVENT and kicks the vCPU's CPU, so the
 * run loop looks at interrupts only when something changed.
 */
#include "arch/x86/apic.h"
#include "asm/processor.h"
#include "arch/x86/irqchip/irqchip.h"
#include "asm/msr.h"
#include "arch/x86/timer.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "arch/x86/vectors.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/string.h"
#include "kernel/vecset.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"

#define MIN_TIMER_PERIOD_US 200	/* as KVM: a periodic timer cannot storm its CPU */

static struct irqchip *chip(const struct vcpu *v)
{
	return v->arch.irqchip;
}

/* Something changed: the run loop looks again, and a vCPU on another CPU leaves guest mode or idle HLT. */
static void kick_vcpu(struct vcpu *v)
{
	__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
	sched_boost(v);
	if (v->cpu != this_cpu()->cpu)
		apic_send_ipi(percpu[v->cpu].apic_id, VEC_KICK);
}

static u64 now(void *ctx)
{
	return rdtsc();
}

/* The run loop arms the host timer from irqchip_deadline() before every entry: nothing to do here. */
static void arm_timer(void *ctx, u64 deadline)
{
}

static void cancel_timer(void *ctx)
{
}

static void queue_ipi(void *ctx, const struct vlapic_ipi *ipi)
{
	struct irqchip *c = ctx;

	if (c->nr_queued < IRQCHIP_MAX_QUEUED)
		c->queued[c->nr_queued++] = *ipi;
}

static void kick(void *ctx)
{
	kick_vcpu(((struct irqchip *)ctx)->vcpu);
}

/*
 * Under the vLAPIC's lock: noted, and sent after it is dropped (written()),
 * since the platform's I/O APIC takes its own lock and delivers to vLAPICs.
 */
static void eoi(void *ctx, u8 vector)
{
	struct irqchip *c = ctx;

	__atomic_fetch_or(&c->eoi_pending[vector / 64], BIT(vector % 64), __ATOMIC_SEQ_CST);
}

static void send_eois(struct vcpu *v)
{
	const struct irqchip_platform *p = v->vm->arch.irq_platform;
	struct irqchip *c = chip(v);

	for (unsigned int w = 0; w < 4; w++) {
		u64 bits = __atomic_exchange_n(&c->eoi_pending[w], 0, __ATOMIC_SEQ_CST);

		for (unsigned int b = 0; bits && b < 64; b++)
			if ((bits & BIT(b)) && p && p->level_eoi)
				p->level_eoi(v, (u8)(w * 64 + b));
	}
}

static const struct vlapic_ops lapic_ops = {
	.now = now, .arm_timer = arm_timer, .cancel_timer = cancel_timer,
	.send_ipi = queue_ipi, .kick = kick, .eoi = eoi,
};

/*
 * The timer counts the core crystal clock where CPUID 0x15 states it (SDM
 * Vol. 3A 11.5.4), as the control guest and boot VMs see that leaf (Linux
 * then takes its period from it, uncalibrated); /dev/kvm VMs get KVM's 1 GHz.
 */
int irqchip_configure(struct vcpu *v, u32 apic_id, bool virtual_wire)
{
	struct irqchip *c = chip(v);
	const struct vlapic_config cfg = {
		.ops = &lapic_ops, .ctx = c, .apic_id = apic_id, .bsp = v->id == 0, .x2apic = true,
		.phys_bits = keel.cpu.phys_addr_bits, .tsc_khz = (u32)tsc_khz,
		.bus_khz = v->vm->kind == VM_KIND_KVM ? 0 : tsc_crystal_khz,
		.min_period_us = MIN_TIMER_PERIOD_US, .virtual_wire = virtual_wire,
	};

	return vlapic_init(&c->lapic, &cfg);
}

int irqchip_create(struct vcpu *v)
{
	struct irqchip *c = kzalloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->vcpu = v;
	v->arch.irqchip = c;
	return irqchip_configure(v, v->id, false);
}

void irqchip_free(struct vcpu *v)
{
	kfree(v->arch.irqchip);
	v->arch.irqchip = NULL;
}

static void deliver_queued(struct vcpu *v)
{
	struct irqchip *c = chip(v);
	struct vlapic_ipi q[IRQCHIP_MAX_QUEUED];
	unsigned int n;
	u64 flags = spin_lock_irqsave(&c->lock);

	n = c->nr_queued;
	memcpy(q, c->queued, n * sizeof(q[0]));
	c->nr_queued = 0;
	spin_unlock_irqrestore(&c->lock, flags);
	for (unsigned int i = 0; i < n; i++)
		irqchip_deliver(v->vm, &q[i], v);
}

/* A /dev/kvm guest's CR8 reads its LAPIC's TPR bits 7:4 (SDM Vol. 3A 11.8.6.1). */
static void tpr_to_cr8(struct vcpu *v)
{
	if (v->vm->arch.lapic_in_kernel)
		virt->set_cr(v, 8, vlapic_tpr(&chip(v)->lapic) >> 4);
}

/*
 * After every register write (@off ~0: IA32_APIC_BASE or TSC_DEADLINE): a
 * TPR or EOI write can make an interrupt deliverable.
 */
static void written(struct vcpu *v, u32 off)
{
	const struct irqchip_platform *p = v->vm->arch.irq_platform;

	if (off == LAPIC_TPR)
		tpr_to_cr8(v);

	if (p && p->reg_written && off != ~0u)
		p->reg_written(v, off, chip(v)->lapic.regs[off / 4]);
	__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
	send_eois(v);
	deliver_queued(v);
}

/* The page follows IA32_APIC_BASE: relocated or disabled, it is not the APIC's (11.4.4). */
static int mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	struct irqchip *c = chip(v);
	u64 flags = spin_lock_irqsave(&c->lock);
	int r = IO_NOT_MINE;

	if (vlapic_mmio_claims(&c->lapic, gpa)) {
		*val = vlapic_mmio_read(&c->lapic, gpa & (PAGE_SIZE - 1), size);
		r = IO_HANDLED;
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return r;
}

static int mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 val)
{
	struct irqchip *c = chip(v);
	u32 off = gpa & (PAGE_SIZE - 1);
	u64 flags = spin_lock_irqsave(&c->lock);
	bool claimed = vlapic_mmio_claims(&c->lapic, gpa);

	if (claimed)
		vlapic_mmio_write(&c->lapic, off, size, (u32)val);
	spin_unlock_irqrestore(&c->lock, flags);
	if (!claimed)
		return IO_NOT_MINE;
	written(v, off & ~0xfu);
	return IO_HANDLED;
}

/* A MOV to CR8: the TPR's bits 7:4 (SDM Vol. 3A 11.8.6.1), bits 3:0 cleared. */
void irqchip_set_cr8(struct vcpu *v, u64 cr8)
{
	struct irqchip *c = chip(v);
	u64 flags = spin_lock_irqsave(&c->lock);

	vlapic_set_tpr(&c->lapic, (u8)(cr8 << 4));
	spin_unlock_irqrestore(&c->lock, flags);
	written(v, LAPIC_TPR);
}

/* Only the vCPU itself writes its TPR while it runs, so the unlocked read is current. */
void irqchip_sync_cr8(struct vcpu *v, u64 cr8)
{
	if (cr8 != (u64)(vlapic_tpr(&chip(v)->lapic) >> 4))
		irqchip_set_cr8(v, cr8);
}

/* KVM's update_cr8_intercept(): VMX's TPR threshold (SDM Vol. 3C 29.1.2), SVM's intercept. */
u8 irqchip_tpr_threshold(struct vcpu *v)
{
	struct irqchip *c = chip(v);
	u64 flags = spin_lock_irqsave(&c->lock);
	int irr = vlapic_highest_irr(&c->lapic);
	u8 tpr = vlapic_tpr(&c->lapic) >> 4;

	spin_unlock_irqrestore(&c->lock, flags);
	if (irr < 0 || tpr < (u8)((u32)irr >> 4))
		return 0;
	return (u8)((u32)irr >> 4);
}

int irqchip_add_mmio(struct vm *vm)
{
	static const struct io_dev_ops ops = { mmio_read, mmio_write };

	return io_bus_register(&vm->mmio, APIC_BASE_DEFAULT, PAGE_SIZE, &ops, NULL);
}

/*
 * IA32_TSC_DEADLINE counts in the guest's TSC (host TSC + offset), the
 * vLAPIC's timers in the host's, as KVM turns the MSR into a host timer
 * when it is written. 0 means disarmed either way.
 */
static u64 deadline_to_host(const struct vcpu *v, u64 guest)
{
	u64 host = guest - v->arch.tsc_offset;

	return guest && !host ? 1 : host;
}

static u64 deadline_to_guest(const struct vcpu *v, u64 host)
{
	return host ? host + v->arch.tsc_offset : 0;
}

static bool apic_msr(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= VLAPIC_MSR_FIRST && msr <= VLAPIC_MSR_LAST);
}

int irqchip_msr_read(struct vcpu *v, u32 msr, u64 *val)
{
	struct irqchip *c = chip(v);
	int r = 0;
	u64 flags;

	if (!apic_msr(msr))
		return -ENOENT;
	flags = spin_lock_irqsave(&c->lock);
	if (msr == MSR_IA32_APIC_BASE)
		*val = vlapic_base(&c->lapic);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		*val = deadline_to_guest(v, vlapic_tsc_deadline(&c->lapic));
	else
		r = vlapic_msr_read(&c->lapic, msr, val);
	spin_unlock_irqrestore(&c->lock, flags);
	return r;
}

int irqchip_msr_write(struct vcpu *v, u32 msr, u64 val)
{
	struct irqchip *c = chip(v);
	int r = 0;
	u64 flags;

	if (!apic_msr(msr))
		return -ENOENT;
	flags = spin_lock_irqsave(&c->lock);
	if (msr == MSR_IA32_APIC_BASE)
		r = vlapic_set_base(&c->lapic, val);
	else if (msr == MSR_IA32_TSC_DEADLINE)
		vlapic_set_tsc_deadline(&c->lapic, deadline_to_host(v, val));
	else
		r = vlapic_msr_write(&c->lapic, msr, val);
	spin_unlock_irqrestore(&c->lock, flags);
	if (r)
		return r;
	/* IA32_APIC_BASE too: a disabled APIC lets the ExtINT line through (11.4.3) */
	if (msr >= VLAPIC_MSR_FIRST)
		written(v, (msr - VLAPIC_MSR_FIRST) << 4);
	else
		written(v, ~0u);
	return 0;
}

/* ---------------------------------------------------------------- sources */

bool irqchip_set_irq(struct vcpu *v, u8 vector, bool level)
{
	struct irqchip *c = chip(v);
	u64 flags = spin_lock_irqsave(&c->lock);
	bool taken = vlapic_accepts_fixed(&c->lapic);

	vlapic_set_irq(&c->lapic, vector, true, level);
	spin_unlock_irqrestore(&c->lock, flags);
	return taken;
}

static void set_extint(struct irqchip *c, u8 vector)
{
	__atomic_fetch_or(&c->extint[vector / 64], BIT(vector % 64), __ATOMIC_SEQ_CST);
	kick_vcpu(c->vcpu);
}

/*
 * An NMI from another vCPU (or device) also undoes a HLT counted as for good;
 * a due NMI deadline needs not, as no vCPU with one is counted so, and the
 * scheduler checks deadlines with its run-queue lock held, inside which
 * vcpu->lock must not be taken.
 */
static void set_nmi_pending(struct vcpu *v)
{
	__atomic_store_n(&v->arch.nmi_pending, true, __ATOMIC_SEQ_CST);
	__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
}

static void set_nmi(struct vcpu *v)
{
	set_nmi_pending(v);
	vcpu_unhalt(v);
	kick_vcpu(v);
}

void irqchip_raise_extint(struct vcpu *v, u8 vector, u64 delay_tsc)
{
	struct irqchip *c = chip(v);

	if (!delay_tsc) {
		set_extint(c, vector);
		return;
	}
	c->extint_vector = vector;
	c->extint_deadline = rdtsc() + delay_tsc;
}

void irqchip_raise_nmi(struct vcpu *v, u64 delay_tsc)
{
	if (delay_tsc)
		chip(v)->nmi_deadline = rdtsc() + delay_tsc;
	else
		set_nmi(v);
}

/*
 * INIT (9.4.4.1, 11.4.7.3): a parked vCPU's vLAPIC is reset at once and it
 * waits for a SIPI; a running one parks itself and resets at that point.
 */
/*
 * The park is requested before the vCPU waits for a SIPI: a SIPI that sees
 * it waiting then finds it parked or latches its start, never a running
 * vCPU that would drop it.
 */
static void deliver_init(struct irqchip *t)
{
	bool running;

	if (vcpu_has_vmm(t->vcpu)) {
		__atomic_store_n(&t->init_pending, true, __ATOMIC_SEQ_CST);
		kick_vcpu(t->vcpu);
		return;
	}
	running = vcpu_request_park(t->vcpu);
	u64 flags = spin_lock_irqsave(&t->lock);

	if (!running)
		vlapic_reset(&t->lapic, true);
	t->wait_for_sipi = true;
	spin_unlock_irqrestore(&t->lock, flags);
	if (running)
		kick_vcpu(t->vcpu);
}

static void sipi_state(struct vcpu *v, u64 vector)
{
	vcpu_set_sipi_state(v, (u8)vector);
}

/* SIPI: a vCPU that had an INIT starts in real mode at vector << 12; later SIPIs are ignored. */
static void deliver_sipi(struct irqchip *t, u8 vector)
{
	u64 flags;

	if (vcpu_has_vmm(t->vcpu)) {
		t->sipi_vector = vector;
		__atomic_store_n(&t->sipi_pending, true, __ATOMIC_SEQ_CST);
		kick_vcpu(t->vcpu);
		return;
	}
	flags = spin_lock_irqsave(&t->lock);
	bool start = t->wait_for_sipi;

	t->wait_for_sipi = false;
	spin_unlock_irqrestore(&t->lock, flags);
	if (start)
		vcpu_start(t->vcpu, sipi_state, vector);
}

static bool matches(struct irqchip *t, const struct vlapic_ipi *m, struct vcpu *src)
{
	u64 flags = spin_lock_irqsave(&t->lock);
	bool r = vlapic_match_dest(&t->lapic, m->dest, m->logical, m->shorthand, t->vcpu == src);

	spin_unlock_irqrestore(&t->lock, flags);
	return r;
}

static void deliver_one(struct irqchip *t, const struct vlapic_ipi *m)
{
	switch (m->delivery) {
	case VLAPIC_DM_FIXED:
	case VLAPIC_DM_LOWEST:
		irqchip_set_irq(t->vcpu, m->vector, m->level);
		break;
	case VLAPIC_DM_NMI:
		set_nmi(t->vcpu);
		break;
	case VLAPIC_DM_INIT:
		deliver_init(t);
		break;
	case VLAPIC_DM_SIPI:
		deliver_sipi(t, m->vector);
		break;
	default:
		break;	/* SMI and ExtINT messages: nothing answers them */
	}
}

/* Lowest priority goes to the first match, as KVM does without priority arbitration (11.6.2.4). */
int irqchip_deliver(struct vm *vm, const struct vlapic_ipi *m, struct vcpu *src)
{
	unsigned int n = __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE);
	int reached = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct irqchip *t = chip(vm->vcpus[i]);

		if (!matches(t, m, src))
			continue;
		deliver_one(t, m);
		reached++;
		if (m->delivery == VLAPIC_DM_LOWEST)
			break;
	}
	return reached;
}

/*
 * The MSI format (11.11.1, 11.11.2): destination ID in address bits 19:12,
 * destination mode bit 2; vector in data bits 7:0, delivery mode 10:8,
 * trigger mode bit 15. An edge-triggered message always asserts.
 */
int irqchip_deliver_msi(struct vm *vm, u64 address, u32 data)
{
	const struct vlapic_ipi m = {
		.dest = (u32)(address >> 12) & 0xff, .logical = address & BIT(2),
		.vector = (u8)data, .delivery = (data >> 8) & 7, .level = data & BIT(15),
	};

	return irqchip_deliver(vm, &m, NULL);
}

void irqchip_get_lapic(struct vcpu *v, void *regs)
{
	struct irqchip *c = chip(v);
	u64 flags = spin_lock_irqsave(&c->lock);

	vlapic_get_state(&c->lapic, regs);
	spin_unlock_irqrestore(&c->lock, flags);
}

void irqchip_set_lapic(struct vcpu *v, const void *regs)
{
	struct irqchip *c = chip(v);
	u64 flags = spin_lock_irqsave(&c->lock);

	vlapic_set_state(&c->lapic, regs);
	spin_unlock_irqrestore(&c->lock, flags);
	tpr_to_cr8(v);
	__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
}

/* ---------------------------------------------------------------- the run loop */

void irqchip_kick(struct vcpu *v)
{
	kick_vcpu(v);
}

/* The platform's 8259, if it has one and this LAPIC lets it through (LINT0 ExtINT or disabled). */
static int platform_extint(struct vcpu *v, bool ack)
{
	const struct irqchip_platform *p = v->vm->arch.irq_platform;
	struct irqchip *c = chip(v);
	bool through;
	u64 flags;

	if (!p || !p->extint)
		return -1;
	flags = spin_lock_irqsave(&c->lock);
	through = vlapic_accepts_extint(&c->lapic);
	spin_unlock_irqrestore(&c->lock, flags);
	return through ? p->extint(v, ack) : -1;
}

/* The ExtINT line first: an 8259 ahead of the APIC, as KVM's kvm_cpu_get_interrupt(). */
int irqchip_pending(struct vcpu *v)
{
	struct irqchip *c = chip(v);
	int vec = platform_extint(v, false);
	u64 flags;

	if (vec >= 0)
		return vec | IRQCHIP_FROM_PLATFORM;
	if (c->extint[0] | c->extint[1] | c->extint[2] | c->extint[3]) {
		flags = spin_lock_irqsave(&c->lock);
		if (vlapic_accepts_extint(&c->lapic))
			vec = vecset_highest(c->extint);
		spin_unlock_irqrestore(&c->lock, flags);
		if (vec >= 0)
			return vec | IRQCHIP_FROM_EXTINT;
	}
	flags = spin_lock_irqsave(&c->lock);
	vec = vlapic_pending(&c->lapic);
	spin_unlock_irqrestore(&c->lock, flags);
	return vec;
}

void irqchip_ack(struct vcpu *v, int pending)
{
	struct irqchip *c = chip(v);
	u8 vector = (u8)pending;
	u64 flags;

	if (pending & IRQCHIP_FROM_PLATFORM) {
		platform_extint(v, true);
		return;
	}
	if (pending & IRQCHIP_FROM_EXTINT) {
		__atomic_fetch_and(&c->extint[vector / 64], ~BIT(vector % 64), __ATOMIC_SEQ_CST);
		return;
	}
	flags = spin_lock_irqsave(&c->lock);
	vlapic_ack(&c->lapic, vector);
	spin_unlock_irqrestore(&c->lock, flags);
}

void irqchip_check_timers(struct vcpu *v)
{
	struct irqchip *c = chip(v);
	u64 t = rdtsc(), flags;

	if (c->lapic.deadline && t >= c->lapic.deadline) {
		flags = spin_lock_irqsave(&c->lock);
		vlapic_timer_expired(&c->lapic);
		spin_unlock_irqrestore(&c->lock, flags);
		deliver_queued(v);
	}
	if (c->extint_deadline && t >= c->extint_deadline) {
		c->extint_deadline = 0;
		set_extint(c, c->extint_vector);
	}
	if (c->nmi_deadline && t >= c->nmi_deadline) {
		c->nmi_deadline = 0;
		set_nmi_pending(v);
	}
	if (c->platform_deadline && t >= c->platform_deadline)
		v->vm->arch.irq_platform->timer(v);
}

bool irqchip_wakeable(struct vcpu *v, bool if_set)
{
	irqchip_check_timers(v);
	return v->arch.nmi_pending || (if_set && irqchip_pending(v) >= 0);
}

bool irqchip_nmi_due(const struct vcpu *v)
{
	return chip(v)->nmi_deadline;
}

void irqchip_init_reset(struct vcpu *v)
{
	struct irqchip *c = chip(v);
	u64 flags = spin_lock_irqsave(&c->lock);

	vlapic_reset(&c->lapic, true);
	memset(c->extint, 0, sizeof(c->extint));
	c->extint_deadline = c->nmi_deadline = 0;
	spin_unlock_irqrestore(&c->lock, flags);
	tpr_to_cr8(v);	/* CR8 is 0 after INIT (SDM Vol. 3A 9.1.1, table 9-1) */
	v->arch.nmi_pending = false;
	__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);	/* a new TPR threshold */
}

bool irqchip_is_bsp(const struct vcpu *v)
{
	return irqchip_apic_base(v) & APIC_BASE_BSP;
}

u64 irqchip_apic_base(const struct vcpu *v)
{
	return vlapic_base(&chip(v)->lapic);
}
