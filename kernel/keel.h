/* SPDX-License-Identifier: GPL-2.0 */
/* What Keel learned at boot, in one place. */
#ifndef KEEL_KEEL_H
#define KEEL_KEEL_H

#include "asm/features.h"
#include "drivers/acpi.h"
#include "kernel/cmdline.h"
#include "kernel/multiboot2.h"

#define KEEL_VERSION "0.1"

struct keel {
	struct boot_info boot;
	struct keel_options opts;
	struct cpu_features cpu;
	struct acpi_info acpi;
};

extern struct keel keel;

#endif
