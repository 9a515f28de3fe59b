/* SPDX-License-Identifier: GPL-2.0 */
/* The x86 page-table entry format for kernel/pagetable.c's walker (arch/x86/pgtable.c). */
#ifndef KEEL_ASM_PGTABLE_H
#define KEEL_ASM_PGTABLE_H

#include "kernel/pagetable.h"

extern const struct pt_format pt_format_x86;

#endif
