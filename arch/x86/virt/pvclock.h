/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The paravirtual clock's arithmetic (arch/x86/virt/pvclock.c), pure so
 * that host unit tests check it: a guest converts TSC ticks to nanoseconds
 * as ns = (delta << shift) * mul >> 32 (a negative shift shifts right), the
 * scaling of struct pvclock_vcpu_time_info (Linux's
 * Documentation/virt/kvm/x86/msr.rst, MSR_KVM_SYSTEM_TIME_NEW).
 */
#ifndef KEEL_X86_PVCLOCK_H
#define KEEL_X86_PVCLOCK_H

#include "kernel/types.h"

#define NSEC_PER_SEC 1000000000ULL

struct pvclock_scale {
	u32 mul;
	int8_t shift;
};

/* The scale for a TSC of @tsc_hz (1 kHz up): mul in [2^31, 2^32) as far as precision goes. */
struct pvclock_scale pvclock_scale_for(u64 tsc_hz);
/* @delta TSC ticks in nanoseconds, as the guest computes them (64x32-bit product, >> 32). */
u64 pvclock_ns(u64 delta, struct pvclock_scale s);

#endif
