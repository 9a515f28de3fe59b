/* SPDX-License-Identifier: GPL-2.0 */
/* A /dev/kvm VM's MSR filter (arch/x86/virt/msr_filter.c). */
#ifndef KEEL_X86_MSR_FILTER_H
#define KEEL_X86_MSR_FILTER_H

#include "kernel/types.h"

struct vm;
struct msr_filter;

/* Whether @vm's guest may RDMSR (@write false) or WRMSR @msr, by its filter. */
bool msr_filter_allows(struct vm *vm, u32 msr, bool write);
/* Whether filter @f denies that access (a backend's bitmap, virt_ops.msr_bitmap). */
bool msr_filter_denies(const struct msr_filter *f, u32 msr, bool write);
/* At the VM's end: its filter and bitmap. */
void msr_filter_free(struct vm *vm);

#endif
