/* SPDX-License-Identifier: GPL-2.0 */
/* The control guest: Linux from GRUB modules, given the machine (arch/x86/control/control.c). */
#ifndef KEEL_CONTROL_H
#define KEEL_CONTROL_H

#include "kernel/types.h"

struct boot_info;

/* True if a module "keel.control ..." names a control guest's kernel. */
bool control_configured(const struct boot_info *bi);
/* Loads and starts it; 0, or a negative errno after a message on the console. */
int control_start(const struct boot_info *bi);

#endif
