// SPDX-License-Identifier: GPL-2.0
/*
 * The control guest's physical interrupts. References are to the Intel SDM
 * Vol. 3A chapter 11.
 *
 * Control vCPU i runs only on physical CPU i and carries that CPU's APIC ID
 * (and, in xAPIC mode, the logical ID the guest gives it: LDR and DFR are
 * mirrored into the physical APIC). So the I/O APIC entries and MSI messages
 * the guest programs with its own APIC IDs reach the CPU whose vCPU they
 * name, and passthrough_irq() moves the vector into that vCPU's vLAPIC. A
 * level-triggered vector stays in service in the physical APIC until the
 * guest's EOI, or the still-asserted line would fire again at once (11.8.5).
 */
#include "arch/x86/apic.h"
#include "arch/x86/control/passthrough.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/traps.h"
#include "kernel/percpu.h"
#include "kernel/vecset.h"

#define APIC_TMR 0x180

/*
 * The guest retired a level-triggered vector. A physical EOI retires the
 * highest vector in service (11.8.5), and only deferred vectors are in
 * service while a guest runs: EOIs go out while the highest deferred vector
 * is one the guest has retired, so each retires the right one.
 */
static void level_eoi(struct vcpu *v, u8 vector)
{
	struct percpu *pc = this_cpu();
	int h;

	if (!(pc->eoi_deferred[vector / 64] & BIT(vector % 64)))
		return;
	pc->eoi_retired[vector / 64] |= BIT(vector % 64);
	while ((h = vecset_highest(pc->eoi_deferred)) >= 0 && (pc->eoi_retired[h / 64] & BIT(h % 64))) {
		pc->eoi_deferred[h / 64] &= ~BIT(h % 64);
		pc->eoi_retired[h / 64] &= ~BIT(h % 64);
		apic_eoi();
	}
}

/* Keel never uses logical destinations itself, so the physical APIC can answer to the guest's. */
static void reg_written(struct vcpu *v, u32 off, u32 val)
{
	if ((off == LAPIC_LDR || off == LAPIC_DFR) && !apic_x2apic())
		apic_write(off, val);
}

const struct irqchip_platform passthrough_platform = {
	.level_eoi = level_eoi,
	.reg_written = reg_written,
};

static bool physical_level(u8 vector)
{
	return apic_read(APIC_TMR + (vector / 32) * 0x10) & BIT(vector % 32);
}

/*
 * A device vector: into the IRR of this CPU's control vCPU. An edge is
 * retired at once; a level stays in service until the guest's EOI, unless
 * its vLAPIC drops it (software-disabled), which no EOI would then follow.
 */
static void passthrough_irq(struct regs *r)
{
	struct vcpu *v = this_cpu()->control_vcpu;
	u8 vector = (u8)r->vector;
	bool level = physical_level(vector);

	if (v && irqchip_set_irq(v, vector, level) && level)
		this_cpu()->eoi_deferred[vector / 64] |= BIT(vector % 64);
	else
		apic_eoi();
}

void passthrough_setup(void)
{
	irq_set_device_handler(passthrough_irq);
}
