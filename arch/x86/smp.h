/* SPDX-License-Identifier: GPL-2.0 */
/* Bringing up the other CPUs, and running functions on them. */
#ifndef KEEL_X86_SMP_H
#define KEEL_X86_SMP_H

#include "kernel/types.h"

struct acpi_info;

/* Starts every enabled CPU of the MADT; returns how many are online (BSP included). */
unsigned int smp_boot(const struct acpi_info *acpi, bool x2apic, bool tsc_deadline);
/* Runs @fn(@arg) on CPU @cpu in interrupt context and waits for it; -ENODEV if offline. A CPU that never answers is a panic. */
int smp_call(unsigned int cpu, void (*fn)(void *), void *arg);
/* smp_call() on every online CPU including this one; returns how many ran it. */
unsigned int smp_call_all(void (*fn)(void *), void *arg);

#endif
