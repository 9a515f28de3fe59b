// SPDX-License-Identifier: GPL-2.0
/*
 * Memory slots of /dev/kvm VMs and the mappings in their second-level page
 * table. Every change of the slots or of the table happens under
 * vm->mmu_lock, so a page is mapped only while a slot covers it, and an
 * unmap returns only once no vCPU can use what was removed.
 *
 * Where the CPU logs writes (arch_logs_writes(): VMX's PML), a KEEL_MEM_LOG
 * slot has a bitmap of the pages written since the control guest last
 * fetched them, as KVM keeps one per logged slot: its writable pages are
 * mapped PT_LOG (clean), the CPU logs each one's first write and the
 * backend sets its bit at the next exit (memslot_log_write()), as Keel
 * does for its own writes; KEEL_UNMAP_CLEAN makes pages clean again. A
 * bitmap is freed only after the shootdown of its slot's change, so the
 * lockless writers, vCPUs marked in_guest, never touch a freed one.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/memslot.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

/* A 4-level table translates 48 bits (SDM Vol. 3C 29.3.2; APM Vol. 2 15.25.5). */
#define GPA_LIMIT (1ULL << 48)
/* KEEL_UNMAP_CLEAN's largest range: it runs with interrupts off. */
#define CLEAN_MAX (512 * PAGE_SIZE)

struct memslot {
	u64 gpa, size;		/* size 0: unused */
	u32 flags;
	u64 *dirty;		/* KEEL_MEM_LOG: a bit per page, set by writes */
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
	for (unsigned int i = 0; vm->memslots && i < KEEL_MAX_MEMSLOTS; i++)
		kfree(vm->memslots->slot[i].dirty);
	kfree(vm->memslots);
	vm->memslots = NULL;
}

/* 64-bit words of a bitmap of @size bytes of pages. */
static u64 log_words(u64 size)
{
	return ((size >> PAGE_SHIFT) + 63) / 64;
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
	u32 flags = KEEL_MEM_READONLY | (vm->write_log ? KEEL_MEM_LOG : 0);

	if (m->slot >= KEEL_MAX_MEMSLOTS || (m->flags & ~flags) ||
	    !IS_ALIGNED(m->gpa | m->size, PAGE_SIZE) || m->gpa >= GPA_LIMIT ||
	    m->size > GPA_LIMIT - m->gpa)
		return -EINVAL;
	for (unsigned int i = 0; i < KEEL_MAX_MEMSLOTS; i++)
		if (i != m->slot && overlaps(&vm->memslots->slot[i], m->gpa, m->size))
			return -EEXIST;
	return 0;
}

/*
 * Readers without mmu_lock: the callers are vCPUs marked in_guest, and a
 * shootdown waits for those while it holds the lock. A read that
 * overlapped a slot's change (seq odd, or moved) is done again, as a
 * seqcount reader.
 */
static unsigned int read_begin(const struct memslots *ms)
{
	return __atomic_load_n(&ms->seq, __ATOMIC_ACQUIRE);
}

static bool read_again(const struct memslots *ms, unsigned int seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return (seq & 1) || __atomic_load_n(&ms->seq, __ATOMIC_RELAXED) != seq;
}

enum gpa_kind memslot_classify(struct vm *vm, u64 gpa, bool write)
{
	const struct memslot *s;
	unsigned int seq;
	bool ram;

	do {
		seq = read_begin(vm->memslots);
		s = find(vm, gpa);
		ram = s && !(write && (s->flags & KEEL_MEM_READONLY));
	} while (read_again(vm->memslots, seq));
	return ram ? GPA_RAM : GPA_MMIO;
}

void memslot_log_write(struct vm *vm, u64 gpa)
{
	const struct memslot *s;
	u64 *bitmap, page;
	unsigned int seq;

	do {
		seq = read_begin(vm->memslots);
		s = find(vm, gpa);
		bitmap = s ? s->dirty : NULL;
		page = s ? (gpa - s->gpa) >> PAGE_SHIFT : 0;
	} while (read_again(vm->memslots, seq));
	if (bitmap)
		__atomic_fetch_or(&bitmap[page / 64], 1ULL << (page % 64), __ATOMIC_RELAXED);
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
	vm_free_stale_tables(vm);
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
 * The bitmap of @new if it logs: @old's if that logged the same size (a
 * move, or flags unchanged), as KVM keeps a slot's, else a fresh one.
 */
static int take_log(struct memslot *new, struct memslot *old)
{
	if (!(new->flags & KEEL_MEM_LOG) || !new->size)
		return 0;
	if (old->dirty && old->size == new->size) {
		new->dirty = old->dirty;
		old->dirty = NULL;
		return 0;
	}
	new->dirty = kzalloc(log_words(new->size) * sizeof(u64));
	return new->dirty ? 0 : -ENOMEM;
}

/*
 * The old range loses its mappings first: a moved or deleted slot's pages
 * must not stay reachable at the old address, and the exits of that
 * shootdown log what the vCPUs wrote there while the old slot still holds
 * it (into its bitmap, which a move keeps). *@old is what the slot was;
 * its bitmap, unless kept, is the caller's to free. Caller holds mmu_lock.
 */
static int replace(struct vm *vm, unsigned int slot, struct memslot *new, struct memslot *old)
{
	int r;

	*old = vm->memslots->slot[slot];
	r = take_log(new, old);
	if (r) {
		old->dirty = NULL;	/* the slot stays as it was, its bitmap with it */
		return r;
	}
	if (old->size)
		r = unmap_locked(vm, old->gpa, old->size);
	change_slot(vm->memslots, slot, new);
	return r;
}

/* An old bitmap not kept is freed after the shootdown, outside the lock. */
int memslot_set(struct vm *vm, const struct keel_memslot *m)
{
	struct memslot old = { 0 }, new = { m->gpa, m->size, m->flags, NULL };
	u64 flags = spin_lock_irqsave(&vm->mmu_lock);
	int r = check(vm, m);

	if (!r)
		r = replace(vm, m->slot, &new, &old);
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	kfree(old.dirty);
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

/* *@prot for a map into @s: a logged slot's writable pages are clean, 4 KiB each. */
static int map_prot(const struct memslot *s, u64 size, u64 *prot)
{
	if ((*prot & PT_W) && (s->flags & KEEL_MEM_READONLY))
		return -EFAULT;
	if ((*prot & PT_W) && s->dirty && size != PAGE_SIZE)
		return -EINVAL;
	*prot |= PT_X | PT_USER | ((*prot & PT_W) && s->dirty ? PT_LOG : 0);
	return 0;
}

/* What is replaced, cached translations included, must go: a shootdown if anything was mapped. */
int memslot_map(struct vm *vm, u64 gpa, u64 frame, u64 size, u64 prot)
{
	u64 flags = spin_lock_irqsave(&vm->mmu_lock);
	const struct memslot *s = find(vm, gpa);
	int r = -EFAULT;

	if (s && size <= s->size - (gpa - s->gpa)) {
		bool present = any_mapped(vm, gpa, size);

		r = map_prot(s, size, &prot);
		if (!r) {
			/* a map that fails midway has replaced some entries too */
			r = pt_map(&vm->gpt, gpa, frame, size, prot);
			if (present)
				shootdown(vm);
		}
	}
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	return r;
}

/* The logged slot that holds all of [@gpa, @gpa + @size), or NULL. Caller holds mmu_lock. */
static const struct memslot *logged(struct vm *vm, u64 gpa, u64 size)
{
	const struct memslot *s = find(vm, gpa);

	if (!s || !s->dirty || size > s->size - (gpa - s->gpa))
		return NULL;
	return s;
}

/*
 * Each writable leaf is mapped again as PT_LOG, and the shootdown drops
 * cached translations that would let a write pass unlogged (a translation
 * caches the dirty flag, SDM Vol. 3C 29.4.1). A logged slot's writable
 * pages are 4 KiB leaves (map_prot()).
 */
int memslot_clean(struct vm *vm, u64 gpa, u64 size)
{
	u64 flags, hpa, prot;
	bool cleaned = false;
	int level, r = 0;

	if (!IS_ALIGNED(gpa | size, PAGE_SIZE) || !size || size > CLEAN_MAX)
		return -EINVAL;
	flags = spin_lock_irqsave(&vm->mmu_lock);
	if (!logged(vm, gpa, size)) {
		spin_unlock_irqrestore(&vm->mmu_lock, flags);
		return -EINVAL;
	}
	for (u64 at = gpa; !r && at < gpa + size; at += PAGE_SIZE) {
		if (pt_translate(&vm->gpt, at, &hpa, &prot, &level) || !(prot & PT_W))
			continue;
		r = pt_map(&vm->gpt, at, hpa, PAGE_SIZE, prot | PT_LOG);
		cleaned = true;
	}
	if (cleaned)
		shootdown(vm);
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	return r;
}

/*
 * KEEL_HC_DIRTY_FETCH into @buf, a page of the caller @to. From word 0,
 * vm_wait_exits() first: a vCPU in the guest logs what its PML page holds
 * at the exit it is kicked to.
 */
s64 memslot_dirty_fetch(struct vm *vm, u64 slot, u64 word, struct vm *to, u64 buf)
{
	u64 *out = gpa_to_hva_access(to, buf, PAGE_SIZE, true);
	const struct memslot *s;
	s64 r = -EINVAL;
	u64 flags, n;

	if (!out)
		return -EFAULT;
	if (!word)
		vm_wait_exits(vm);
	flags = spin_lock_irqsave(&vm->mmu_lock);
	s = slot < KEEL_MAX_MEMSLOTS ? &vm->memslots->slot[slot] : NULL;
	if (s && s->dirty && word < log_words(s->size)) {
		n = MIN(log_words(s->size) - word, (u64)KEEL_DIRTY_FETCH_WORDS);
		for (u64 i = 0; i < n; i++)
			out[i] = __atomic_exchange_n(&s->dirty[word + i], 0, __ATOMIC_RELAXED);
		r = (s64)n;
	}
	spin_unlock_irqrestore(&vm->mmu_lock, flags);
	return r;
}
