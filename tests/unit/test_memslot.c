// SPDX-License-Identifier: GPL-2.0
/*
 * The dirty bitmaps of /dev/kvm slots (kernel/memslot.c) on a real EPT table in
 * host memory: KEEL_MEM_LOG slots get a bitmap, kept across a same-size
 * change; their writable pages are mapped clean, 4 KiB only; a logged
 * write sets its bit; KEEL_UNMAP_CLEAN makes pages clean again; a fetch
 * moves and clears words, waiting for the vCPUs first from word 0.
 */
#include <stdlib.h>

#include "arch/x86/vmx/ept.h"
#include "kernel/errno.h"
#include "kernel/memslot.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"
#include "test.h"

#define EPT_DIRTY (1ULL << 9)

static unsigned int nr_waits;
static u64 fetch_page[KEEL_DIRTY_FETCH_WORDS];
static struct vm caller;

void vm_wait_exits(struct vm *vm)
{
	nr_waits++;
}

void vm_free_stale_tables(struct vm *vm)
{
}

void *kzalloc(size_t size)
{
	return calloc(1, size);
}

void kfree(void *p)
{
	free(p);
}

/* The caller's RAM: one page at guest-physical 0x1000. */
void *gpa_to_hva_access(struct vm *vm, u64 gpa, size_t len, bool write)
{
	return vm == &caller && gpa == 0x1000 && len <= sizeof(fetch_page) ? fetch_page : NULL;
}

static void *tables[64];
static int nr_tables;

static u64 table_page(void *ctx)
{
	void *page = aligned_alloc(4096, 4096);

	memset(page, 0, 4096);
	tables[nr_tables++] = page;
	return (u64)(uintptr_t)page;
}

static void *to_virt(void *ctx, u64 pa)
{
	return (void *)(uintptr_t)pa;
}

static void setup(struct vm *vm, bool write_log)
{
	*vm = (struct vm){ .write_log = write_log };
	vm->gpt = (struct pagetable){ .fmt = &pt_format_ept, .max_leaf_level = 2,
				      .alloc = table_page, .to_virt = to_virt };
	CHECK_EQ(pt_init(&vm->gpt), 0);
	CHECK_EQ(memslots_create(vm), 0);
}

/* The EPT leaf that maps @gpa (4 KiB). */
static u64 *leaf_at(struct vm *vm, u64 gpa)
{
	u64 *t = (u64 *)(uintptr_t)vm->gpt.root;

	for (int l = 4; l > 1; l--)
		t = (u64 *)(uintptr_t)(t[(gpa >> (12 + 9 * (l - 1))) & 511] & 0x000ffffffffff000ULL);
	return &t[(gpa >> 12) & 511];
}

static u64 leaf(struct vm *vm, u64 gpa)
{
	return *leaf_at(vm, gpa);
}

static void teardown(struct vm *vm)
{
	memslots_free(vm);
	while (nr_tables)
		free(tables[--nr_tables]);
}

static int set(struct vm *vm, u32 slot, u32 flags, u64 gpa, u64 size)
{
	struct keel_memslot m = { .slot = slot, .flags = flags, .gpa = gpa, .size = size };

	return memslot_set(vm, &m);
}

TEST(log_needs_the_cpu)
{
	struct vm vm;

	setup(&vm, false);
	CHECK_EQ(set(&vm, 1, KEEL_MEM_LOG, 0x100000, 0x10000), -EINVAL);
	CHECK_EQ(set(&vm, 1, 0, 0x100000, 0x10000), 0);
	CHECK_EQ(memslot_clean(&vm, 0x100000, 0x1000), -EINVAL);
	CHECK_EQ(memslot_dirty_fetch(&vm, 1, 0, &caller, 0x1000), -EINVAL);
	teardown(&vm);
}

TEST(logged_pages_map_clean)
{
	struct vm vm;

	setup(&vm, true);
	CHECK_EQ(set(&vm, 1, KEEL_MEM_LOG, 0x200000, 0x400000), 0);
	CHECK_EQ(set(&vm, 2, 0, 0x800000, 0x200000), 0);
	CHECK_EQ(memslot_map(&vm, 0x201000, 0x40001000, PAGE_SIZE, PT_W), 0);
	CHECK(leaf(&vm, 0x201000) & 2);
	CHECK(!(leaf(&vm, 0x201000) & EPT_DIRTY));	/* its first write is logged */
	CHECK_EQ(memslot_map(&vm, 0x202000, 0x40002000, PAGE_SIZE, 0), 0);
	CHECK(leaf(&vm, 0x202000) & EPT_DIRTY);		/* read-only: nothing to log */
	CHECK_EQ(memslot_map(&vm, 0x400000, 0x40400000, 0x200000, PT_W), -EINVAL);
	CHECK_EQ(memslot_map(&vm, 0x800000, 0x40800000, PAGE_SIZE, PT_W), 0);
	CHECK(leaf(&vm, 0x800000) & EPT_DIRTY);		/* not logged */
	teardown(&vm);
}

TEST(writes_fetch_and_clean)
{
	struct vm vm;

	setup(&vm, true);
	CHECK_EQ(set(&vm, 3, KEEL_MEM_LOG, 0x1000000, 65 * 64 * PAGE_SIZE), 0);
	memslot_log_write(&vm, 0x1000000 + 5 * PAGE_SIZE + 0x123);
	memslot_log_write(&vm, 0x1000000 + (64 * 64 + 1) * PAGE_SIZE);
	memslot_log_write(&vm, 0x5000);		/* in no slot */
	nr_waits = 0;
	CHECK_EQ(memslot_dirty_fetch(&vm, 3, 0, &caller, 0x1000), 65);
	CHECK_EQ(nr_waits, 1);
	CHECK(fetch_page[0] == 1 << 5 && fetch_page[64] == 2 && !fetch_page[1]);
	CHECK_EQ(memslot_dirty_fetch(&vm, 3, 64, &caller, 0x1000), 1);
	CHECK(fetch_page[0] == 0 && nr_waits == 1);	/* cleared by the first fetch; no wait */
	CHECK_EQ(memslot_dirty_fetch(&vm, 3, 65, &caller, 0x1000), -EINVAL);
	CHECK_EQ(memslot_dirty_fetch(&vm, 3, 0, &caller, 0x2000), -EFAULT);
	CHECK_EQ(memslot_dirty_fetch(&vm, 4, 0, &caller, 0x1000), -EINVAL);
	/* The CPU set the dirty flag of a written page: cleaning clears it, the mapping stays. */
	CHECK_EQ(memslot_map(&vm, 0x1000000, 0x40000000, PAGE_SIZE, PT_W), 0);
	*leaf_at(&vm, 0x1000000) |= EPT_DIRTY;
	CHECK_EQ(memslot_clean(&vm, 0x1000000, 2 * PAGE_SIZE), 0);
	CHECK_EQ(leaf(&vm, 0x1000000) & ~0xfffULL, 0x40000000);
	CHECK(!(leaf(&vm, 0x1000000) & EPT_DIRTY) && (leaf(&vm, 0x1000000) & 2));
	CHECK_EQ(memslot_clean(&vm, 0x1000000 - PAGE_SIZE, 0x2000), -EINVAL);	/* not all logged */
	CHECK_EQ(memslot_clean(&vm, 0x1000000, 513 * PAGE_SIZE), -EINVAL);	/* too long */
	teardown(&vm);
}

/* Set again at the same size, a logged slot keeps its bits; at another size it starts empty. */
TEST(bitmap_kept_across_a_move)
{
	struct vm vm;

	setup(&vm, true);
	CHECK_EQ(set(&vm, 1, KEEL_MEM_LOG, 0x100000, 0x10000), 0);
	memslot_log_write(&vm, 0x102000);
	CHECK_EQ(set(&vm, 1, KEEL_MEM_LOG, 0x300000, 0x10000), 0);
	CHECK_EQ(memslot_dirty_fetch(&vm, 1, 0, &caller, 0x1000), 1);
	CHECK_EQ(fetch_page[0], 1 << 2);
	memslot_log_write(&vm, 0x302000);
	CHECK_EQ(set(&vm, 1, KEEL_MEM_LOG, 0x300000, 0x20000), 0);
	CHECK_EQ(memslot_dirty_fetch(&vm, 1, 0, &caller, 0x1000), 1);
	CHECK_EQ(fetch_page[0], 0);
	CHECK_EQ(set(&vm, 1, 0, 0x300000, 0), 0);
	CHECK_EQ(memslot_dirty_fetch(&vm, 1, 0, &caller, 0x1000), -EINVAL);
	teardown(&vm);
}

TEST_MAIN("memslot", T(log_needs_the_cpu), T(logged_pages_map_clean), T(writes_fetch_and_clean),
	  T(bitmap_kept_across_a_move))
