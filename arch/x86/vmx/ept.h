/* SPDX-License-Identifier: GPL-2.0 */
/* EPT paging-structure entries for the shared walker (kernel/pagetable.c). */
#ifndef KEEL_VMX_EPT_H
#define KEEL_VMX_EPT_H

#include "kernel/pagetable.h"

extern const struct pt_format pt_format_ept;

#endif
