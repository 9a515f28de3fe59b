/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Coalesced MMIO and PIO of a /dev/kvm VM (KVM_REGISTER_COALESCED_MMIO,
 * api.rst 4.116): writes to the VMM's zones go into a ring it reads at its
 * leisure instead of exiting, as KVM's virt/kvm/coalesced_mmio.c.
 */
#ifndef KEEL_COALESCED_H
#define KEEL_COALESCED_H

#include "kernel/iobus.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "keel/hypercall.h"

struct vm;

struct coalesced {
	struct io_bus zones[2];			/* [0] MMIO, [1] ports; a zone's opaque: its last byte */
	struct keel_coalesced_ring *ring;	/* the control guest's page, set once */
	struct spinlock lock;			/* serializes appends: the VMM only moves first */
	struct spinlock change_lock;		/* serializes changes of zones, waits and frees */
};

void coalesced_init(struct coalesced *c);
void coalesced_destroy(struct coalesced *c);
/* KEEL_HC_COALESCED for @vm, made by @caller (whose RAM holds the ring). */
int coalesced_call(struct vm *vm, u64 op, u64 addr, u64 size, struct vm *caller);
/* Appends @len bytes of @val written at @addr; false when the ring is full (or bad). */
bool coalesced_ring_append(struct keel_coalesced_ring *ring, bool pio, u64 addr, unsigned int len,
			   u64 val);
/* Whether a zone of @c took the write; else it goes to the VMM as before. */
bool coalesced_write(struct vcpu *v, struct coalesced *c, bool pio, u64 addr, unsigned int len,
		     u64 val);

/* Whether the VM has zones on that bus: the one test a write to the VMM pays without. */
static inline bool coalesced_any(struct coalesced *c, bool pio)
{
	return __atomic_load_n(&c->zones[pio].table, __ATOMIC_RELAXED);
}

#endif
