/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coalesced MMIO and PIO of a /dev/kvm VM (KVM_REGISTER_COALESCED_MMIO,
 * api.rst 4.116): writes to the VMM's zones go into a ring it reads at its
 * leisure instead of exiting, as KVM's virt/kvm/coalesced_mmio.c.
 */
#ifndef KEEL_COALESCED_H
#define KEEL_COALESCED_H

#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "keel/hypercall.h"

struct vm;

struct coalesced {
	struct keel_coalesced_ring *ring;	/* the control guest's page, set once */
	struct spinlock lock;			/* serializes appends: the VMM only moves first */
};

/* KEEL_HC_COALESCED for @vm, made by @caller (whose RAM holds the ring). */
int coalesced_call(struct vm *vm, u64 op, u64 addr, u64 size, struct vm *caller);
/* Appends @len bytes of @val written at @addr; false when the ring is full (or bad). */
bool coalesced_ring_append(struct keel_coalesced_ring *ring, bool pio, u64 addr, unsigned int len,
			   u64 val);

#endif
