/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The RAM of a /dev/kvm VM: slots of guest-physical space that its VMM's
 * memory backs (KVM_SET_USER_MEMORY_REGION), mapped page by page as the
 * guest touches them (KEEL_EXIT_FAULT, KEEL_HC_MAP) and unmapped when the
 * control guest's kernel takes a page back (its MMU notifier,
 * KEEL_HC_UNMAP). Keel never owns these frames: it maps only frames that
 * are the control guest's RAM, and forgets them on request.
 */
#ifndef KEEL_MEMSLOT_H
#define KEEL_MEMSLOT_H

#include "kernel/types.h"

struct keel_memslot;
struct vm;

/* How an access to a guest-physical address of a /dev/kvm VM is served. */
enum gpa_kind {
	GPA_MMIO,	/* no slot, or a write to a read-only one: the VMM emulates it */
	GPA_RAM,	/* a slot: its page is to be mapped (KEEL_EXIT_FAULT) */
};

int memslots_create(struct vm *vm);
void memslots_free(struct vm *vm);
/* KEEL_HC_MEMSLOT's checks and effect (guest-abi/keel/hypercall.h). */
int memslot_set(struct vm *vm, const struct keel_memslot *m);
/* The bytes @vm's slots cover now (a snapshot: slots may change meanwhile). */
u64 memslots_bytes(struct vm *vm);
enum gpa_kind memslot_classify(struct vm *vm, u64 gpa, bool write);
/*
 * KEEL_HC_MAP of @size bytes at @frame, already checked to be the control
 * guest's RAM, at @gpa, with PT_W if asked.
 */
int memslot_map(struct vm *vm, u64 gpa, u64 frame, u64 size, u64 prot);
/* KEEL_HC_UNMAP: when it returns, no vCPU of @vm reaches [@gpa, @gpa + @size) through a stale translation. */
int memslot_unmap(struct vm *vm, u64 gpa, u64 size);
/* KEEL_UNMAP_CLEAN: the same for a write that would not be logged. */
int memslot_clean(struct vm *vm, u64 gpa, u64 size);
/*
 * A write to @gpa, by the guest (the CPU logged it) or by Keel: its bit if
 * a KEEL_MEM_LOG slot holds it. From a vCPU marked in_guest.
 */
void memslot_log_write(struct vm *vm, u64 gpa);
/* KEEL_HC_DIRTY_FETCH of slot @slot's words from @word into @to's page @buf. */
s64 memslot_dirty_fetch(struct vm *vm, u64 slot, u64 word, struct vm *to, u64 buf);

#endif
