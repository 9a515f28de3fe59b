/* SPDX-License-Identifier: GPL-2.0 */
/* Ending the machine: exit codes for emulators, reset, halt. */
#ifndef KEEL_X86_MACHINE_H
#define KEEL_X86_MACHINE_H

#include "kernel/types.h"

struct acpi_info;

void machine_set_acpi(const struct acpi_info *acpi);
/* With keel.test or keel.exit_when_idle set: exit codes go to emulators. */
void machine_set_exit_port(bool enabled);
/*
 * Ends the machine with @status: prints "keel: halt status=N", then QEMU's
 * isa-debug-exit (port 0xF4; QEMU exits with (N << 1) | 1) and Bochs's
 * shutdown port when enabled, then halts.
 */
void machine_exit(u8 status) __noreturn;
/* The panic path: an NMI to every other CPU, which stops it (cpu_stop()). */
void machine_stop_others(void);
/* The panic path: machine_exit(0x7f) when exit ports are enabled. */
void machine_panic_exit(void);
/* ACPI reset register, then port 0xCF9, then the keyboard controller. */
void machine_reset(void) __noreturn;

#endif
