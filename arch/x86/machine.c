// SPDX-License-Identifier: GPL-2.0
#include "asm/processor.h"
#include "arch/x86/apic.h"
#include "asm/machine.h"
#include "drivers/acpi.h"
#include "kernel/coverage.h"
#include "kernel/panic.h"
#include "kernel/printk.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
#define MACHINE_PANIC_STATUS 0x7f

static const struct acpi_info *machine_acpi;
static bool exit_port;

void machine_set_acpi(const struct acpi_info *acpi)
{
	machine_acpi = acpi;
}

void machine_set_exit_port(bool enabled)
{
	exit_port = enabled;
}

void machine_exit(u8 status)
{
	pr_notice("keel: halt status=%u\n", status);
	coverage_dump();
	if (exit_port) {
		outb(ISA_DEBUG_EXIT_PORT, status);
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (u8)*s);
	}
	cpu_stop();
}

void machine_panic_exit(void)
{
	if (exit_port)
		machine_exit(MACHINE_PANIC_STATUS);
}

/* FADT RESET_REG (ACPI 6.5 4.8.3.6), only when RESET_REG_SUP and in I/O space. */
static void acpi_reset(void)
{
	const struct acpi_info *a = machine_acpi;

	if (a && a->have_fadt && (a->fadt_flags & BIT(10)) && a->reset_reg.space_id == 1 &&
	    a->reset_reg.address && a->reset_reg.address <= 0xffff)
		outb((u16)a->reset_reg.address, a->reset_value);
}

void machine_reset(void)
{
	pr_notice("keel: resetting the machine\n");
	irq_disable();
	acpi_reset();
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);	/* PCI reset control: hard reset */
	for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
		cpu_relax();
	outb(0x64, 0xfe);	/* keyboard controller: pulse reset */
	cpu_stop();
}

void machine_stop_others(void)
{
	apic_send_nmi_others();
}
