/* SPDX-License-Identifier: GPL-2.0 */
/* The control guest's physical device interrupts, delivered into its vLAPICs. */
#ifndef KEEL_X86_CONTROL_PASSTHROUGH_H
#define KEEL_X86_CONTROL_PASSTHROUGH_H

#include "arch/x86/irqchip/irqchip.h"

/* The control VM's irq_platform: deferred physical EOIs and the mirrored logical APIC ID. */
extern const struct irqchip_platform passthrough_platform;
/* Physical device vectors (0x20-0xEB) go to the control vCPU of the CPU that took them. */
void passthrough_setup(void);

#endif
