// SPDX-License-Identifier: GPL-2.0
#include "asm/processor-flags.h"
#include "arch/x86/apic.h"
#include "asm/processor.h"
#include "arch/x86/traps.h"
#include "arch/x86/vectors.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"

extern const struct extable_entry _extable_start[], _extable_end[];
static irq_handler_t irq_handlers[256];
static irq_handler_t device_handler;

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
	"#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"#HV hypervisor injection", "#VC VMM communication", "#SX security", "reserved 31",
};

void irq_register(unsigned int vector, irq_handler_t h)
{
	if (vector >= VEC_DEVICE_FIRST && vector < ARRAY_SIZE(irq_handlers))
		irq_handlers[vector] = h;
}

void irq_set_device_handler(irq_handler_t h)
{
	device_handler = h;
}

static bool fixup_exception(struct regs *r)
{
	for (const struct extable_entry *e = _extable_start; e < _extable_end; e++) {
		if (e->insn == r->rip) {
			r->rip = e->fixup;
			r->rax = r->vector;
			return true;
		}
	}
	return false;
}

static void exception(struct regs *r)
{
	if (r->vector == X86_EXC_NMI) {
		if (panic_in_progress())
			cpu_stop();
		this_cpu()->nmis++;	/* no printk: this CPU may hold the log lock */
		return;
	}
	if (fixup_exception(r))
		return;
	panic_regs(r, "%s (vector %llu, error code %#llx) at rip %#llx",
		   exception_names[r->vector], (unsigned long long)r->vector,
		   (unsigned long long)r->error_code, (unsigned long long)r->rip);
}

void trap_dispatch(struct regs *r)
{
	irq_handler_t h;

	if (r->vector < 32) {
		exception(r);
		return;
	}
	this_cpu()->irqs++;
	if (r->vector == VEC_SPURIOUS)
		return;	/* no EOI for the spurious vector (SDM Vol. 3A 11.9) */
	if (r->vector <= VEC_DEVICE_LAST && device_handler) {
		device_handler(r);	/* it decides when the APIC gets the EOI */
		return;
	}
	h = irq_handlers[r->vector];
	if (h)
		h(r);
	else
		pr_warn("keel: cpu %u: unexpected interrupt vector %#llx\n", this_cpu()->cpu,
			(unsigned long long)r->vector);
	apic_eoi();
}
