// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots of /dev/kvm VMs and the mappings in their second-level page
 * table. Every change of the slots or of the table happens under
 * vm->mmu_lock, so a page is mapped only while a slot covers it, and an
 * unmap returns only once no vCPU can use what was removed.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/memslot.h"
#include "kernel/mm.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

/* A 4-level table translates 48 bits (SDM Vol. 3C 29.3.2; APM Vol. 2 15.25.5). */
#define GPA_LIMIT (1ULL << 48)

struct memslot {
	u64 gpa, size;		/* size 0: unused */
	u32 flags;
};

struct memslots {
	unsigned int seq;	/* odd while a slot changes: see memslot_classify() */
	unsigned int nr;	/* 1 + the highest slot in use: lookups scan no further */
	struct memslot slot[KEEL_MAX_MEMSLOTS];
};

/* Guest-physical space is all the table translates; only mapped pages are RAM to gpa_to_hva(). */
u64 memslots_bytes(struct vm *vm)
{
	u64 sum = 0;

	for (unsigned int i = 0; i < KEEL_MAX_MEMSLOTS; i++)
		sum += __atomic_load_n(&vm->memslots->slot[i].size, __ATOMIC_RELAXED);
	return sum;
}

int memslots_create(struct vm *vm)
{
	vm->mem_size = GPA_LIMIT;
	vm->memslots = kzalloc(sizeof(*vm->memslots));
	return vm->memslots ? 0 : -ENOMEM;
}

void memslots_free(struct vm *vm)
{
	kfree(vm->memslots);
	vm->memslots = NULL;
}

static bool overlaps(const struct memslot *s, u64 gpa, u64 size)
{
	return s->size && gpa < s->gpa + s->size && s->gpa < gpa + size;
}

/* Caller holds mmu_lock, or reads as memslot_classify() does. */
static const struct memslot *find(struct vm *vm, u64 gpa)
{
	for (unsigned int i = 0; i < vm->memslots->nr; i++) {
		const struct memslot *s = &vm->memslots->slot[i];

		if (s->size && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

static int check(struct vm *vm, const struct keel_memslot *m)
{
	if (m->slot >= KEEL_MAX_MEMSLOTS || (m->flags & ~KEEL_MEM_READONLY) ||
	    !IS_ALIGNED(m->gpa | m->size, PAGE_SIZE) || m->gpa >= GPA_LIMIT ||
	    m->size > GPA_LIMIT - m->gpa)
		return -EINVAL;
	for (unsigned int i = 0; i < KEEL_MAX_MEMSLOTS; i++)
		if (i != m->slot && overlaps(&vm->memslots->slot[i], m->gpa, m->size))
			return -EEXIST;
	return 0;
}

/*
 * Without mmu_lock: the callers are vCPUs marked in_guest, and a shootdown
 * waits for those while it holds the lock. A read that overlapped a slot's
 * change (seq odd, or moved) is done again, as a seqcount reader.
 */
enum gpa_kind memslot_classify(struct vm *vm, u64 gpa, bool write)
{
	const struct memslot *s;
	unsigned int seq;
	bool ram;

	do {
		seq = __atomic_load_n(&vm->memslots->seq, __ATOMIC_ACQUIRE);
		s = find(vm, gpa);
		ram = s && !(write && (s->flags & KEEL_MEM_READONLY));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || __atomic_load_n(&vm->memslots->seq, __ATOMIC_RELAXED) != seq);
	return ram ? GPA_RAM : GPA_MMIO;
}

/* A slot's change, seen whole or not at all by memslot_classify(). Caller holds mmu_lock. */
static void change_slot(struct memslots *ms, unsigned int slot, const struct memslot *to)
{
	__atomic_store_n(&ms->seq, ms->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ms->slot[slot] = *to;
	ms->nr = MAX(ms->nr, slot + 1);
	__atomic_store_n(&ms->seq, ms->seq + 1, __ATOMIC_RELEASE);
}

/*
 * Waits until no vCPU of @vm runs with what it saw before the bumped
 * vm->gpa_gen (vm_wait_exits()): one that enters later sees the new
 * generation and flushes (flush_stale() reads it after setting in_guest).
 */
static void shootdown(struct vm *vm)
{
	__atomic_fetch_add(&vm->gpa_gen, 1, __ATOMIC_SEQ_CST);
	vm_wait_exits(vm);
}

/* Caller holds mmu_lock. */
static int unmap_locked(struct vm *vm, u64 gpa, u64 size)
{
	int r = pt_unmap(&vm->gpt, gpa, size);

	shootdown(vm);
	return r;
}

int memslot_unmap(struct vm *vm, u64 gpa, u64 size)
{
	u64 flags;
	int r;

	if (!IS_ALIGNED(gpa | size, PAGE_SIZE) || gpa >= GPA_LIMIT || size > GPA_LIMIT - gpa)
		return -EINVAL;
	flags = spin_lock_irqsave(&vm->mmu_lock);
	r = unmap_locked(vm, gpa, size);
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	return r;
}

/*
 * The old range loses its mappings before the call returns: a moved or
 * deleted slot's pages must not stay reachable at the old address.
 */
int memslot_set(struct vm *vm, const struct keel_memslot *m)
{
	u64 flags = spin_lock_irqsave(&vm->mmu_lock);
	struct memslot old;
	int r = check(vm, m);

	if (!r) {
		old = vm->memslots->slot[m->slot];
		change_slot(vm->memslots, m->slot, &(struct memslot){ m->gpa, m->size, m->flags });
		if (old.size)
			r = unmap_locked(vm, old.gpa, old.size);
	}
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	return r;
}

/* Whether anything of [@gpa, @gpa+@size) is mapped. Caller holds mmu_lock. */
static bool any_mapped(struct vm *vm, u64 gpa, u64 size)
{
	u64 hpa, prot;
	int level;

	for (u64 at = gpa; at < gpa + size; at += PAGE_SIZE)
		if (!pt_translate(&vm->gpt, at, &hpa, &prot, &level))
			return true;
	return false;
}

/* What is replaced, cached translations included, must go: a shootdown if anything was mapped. */
int memslot_map(struct vm *vm, u64 gpa, u64 frame, u64 size, u64 prot)
{
	u64 flags = spin_lock_irqsave(&vm->mmu_lock);
	const struct memslot *s = find(vm, gpa);
	int r = -EFAULT;

	if (s && size <= s->size - (gpa - s->gpa) &&
	    !((prot & PT_W) && (s->flags & KEEL_MEM_READONLY))) {
		bool present = any_mapped(vm, gpa, size);

		r = pt_map(&vm->gpt, gpa, frame, size, PT_X | PT_USER | prot);
		if (present)
			shootdown(vm);
	}
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	return r;
}

/*
 * Each writable 4 KiB leaf is mapped again as PT_LOG, and the shootdown
 * drops cached translations that would let a write pass unlogged (a
 * translation caches the dirty flag, SDM Vol. 3C 29.4.1). A logged slot
 * is mapped in 4 KiB pages (KEEL_MAP_LOG refuses 2 MiB).
 */
int memslot_clean(struct vm *vm, u64 gpa, u64 size)
{
	u64 flags, hpa, prot;
	bool cleaned = false;
	int level, r = 0;

	if (!IS_ALIGNED(gpa | size, PAGE_SIZE) || gpa >= GPA_LIMIT || size > GPA_LIMIT - gpa)
		return -EINVAL;
	flags = spin_lock_irqsave(&vm->mmu_lock);
	for (u64 at = gpa; at < gpa + size && !r; at += PAGE_SIZE) {
		if (pt_translate(&vm->gpt, at, &hpa, &prot, &level) || level != 1 || !(prot & PT_W))
			continue;
		r = pt_map(&vm->gpt, at, hpa, PAGE_SIZE, prot | PT_LOG);
		cleaned = true;
	}
	if (cleaned)
		shootdown(vm);
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	return r;
}
