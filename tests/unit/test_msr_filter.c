// SPDX-License-Identifier: GPL-2.0
/*
 * A /dev/kvm VM's MSR filter (arch/x86/virt/msr_filter.c): KVM's checks of
 * KVM_X86_SET_MSR_FILTER, its decision (the first range holding the MSR for
 * that access, else the default; x2APIC MSRs always allowed), and a new MSR
 * bitmap with each filter, the old pair freed after the vCPUs were waited
 * for. The control guest's memory, the heap, the frames, the wait and the
 * backend are test doubles.
 */
#include <stdlib.h>
#include "arch/x86/virt/msr_filter.h"
#include "arch/x86/virt/virt.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/vm.h"
#include "test.h"

#define FILTER_GPA 0x1000
#define FS_BASE 0xc0000100
#define POWER_CTL 0x1fc

static struct keel_msr_filter user;
static struct vm vm, control;
static int bitmaps_built, bitmaps_live, live, waits, no_memory;
static bool denied_fs_read;	/* what the last bitmap built intercepts */

void *kzalloc(size_t size)
{
	live++;
	return calloc(1, size);
}

void kfree(void *p)
{
	live -= p != NULL;
	free(p);
}

int vm_read_phys(struct vm *from, u64 gpa, void *dst, size_t len)
{
	if (from != &control || gpa != FILTER_GPA || len != sizeof(user))
		return -EFAULT;
	memcpy(dst, &user, len);
	return 0;
}

static u64 build_bitmap(const struct msr_filter *f)
{
	if (no_memory)
		return 0;
	bitmaps_built++;
	bitmaps_live++;
	denied_fs_read = msr_filter_denies(f, FS_BASE, false);
	return 0x1000ULL * (u64)bitmaps_built;
}

void frame_free_keel(u64 pa, unsigned int order)
{
	bitmaps_live--;
}

void vm_wait_exits(struct vm *v)
{
	waits++;
}

static const struct virt_ops ops = { .msr_bitmap = build_bitmap };
const struct virt_ops *virt = &ops;

static void range(unsigned int i, u32 flags, u32 base, u32 nmsrs, u8 fill)
{
	user.ranges[i] = (struct keel_msr_range){ flags, nmsrs, base, 0 };
	memset(user.bitmaps[i], fill, sizeof(user.bitmaps[i]));
}

static int set(void)
{
	return arch_vm_msr_filter(&vm, FILTER_GPA, &control);
}

static void reset(void)
{
	msr_filter_free(&vm);
	memset(&user, 0, sizeof(user));
	bitmaps_built = bitmaps_live = 0;
}

TEST(refused_as_kvm)
{
	reset();
	user.flags = 2;
	CHECK_EQ(set(), -EINVAL);			/* unknown flags */
	user.flags = KEEL_MSR_FILTER_DEFAULT_DENY;
	CHECK_EQ(set(), -EINVAL);			/* denies everything */
	range(0, 0, FS_BASE, 1, 0);
	CHECK_EQ(set(), -EINVAL);			/* a range without flags */
	range(0, 4, FS_BASE, 1, 0);
	CHECK_EQ(set(), -EINVAL);
	range(0, KEEL_MSR_FILTER_READ, 0, KEEL_MSR_FILTER_BITMAP * 8 + 1, 0);
	CHECK_EQ(set(), -EINVAL);			/* past its bitmap */
	range(0, 0, FS_BASE, 0, 0);			/* no MSRs: unused, so denying all */
	CHECK_EQ(set(), -EINVAL);
	CHECK_EQ(arch_vm_msr_filter(&vm, FILTER_GPA + 8, &control), -EFAULT);
	CHECK_EQ(bitmaps_built, 0);
	CHECK(vm.arch.msr_filter == NULL);
	CHECK(msr_filter_allows(&vm, FS_BASE, false));
}

TEST(ranges_by_access)
{
	reset();
	range(0, KEEL_MSR_FILTER_READ, FS_BASE, 1, 0);	/* reads of FS_BASE denied */
	CHECK_EQ(set(), 0);
	CHECK_EQ(bitmaps_built, 1);
	CHECK(denied_fs_read);				/* the bitmap intercepts them */
	CHECK_EQ(vm.arch.msr_bitmap, 0x1000);
	CHECK(!msr_filter_allows(&vm, FS_BASE, false));
	CHECK(msr_filter_allows(&vm, FS_BASE, true));
	CHECK(msr_filter_allows(&vm, FS_BASE + 1, false));	/* past the range: default */
	CHECK(msr_filter_allows(&vm, FS_BASE - 1, false));
}

TEST(first_range_decides)
{
	reset();
	user.flags = KEEL_MSR_FILTER_DEFAULT_DENY;
	range(0, KEEL_MSR_FILTER_WRITE, 0, 0x2000, 0xff);
	range(1, KEEL_MSR_FILTER_READ | KEEL_MSR_FILTER_WRITE, POWER_CTL, 1, 0);
	CHECK_EQ(set(), 0);
	CHECK(msr_filter_allows(&vm, POWER_CTL, true));		/* range 0 allows it */
	CHECK(!msr_filter_allows(&vm, POWER_CTL, false));	/* range 1 is the first for reads */
	CHECK(!msr_filter_allows(&vm, FS_BASE, true));		/* in none: denied by default */
	CHECK(msr_filter_allows(&vm, 0x808, false));		/* x2APIC: never filtered */
	CHECK(msr_filter_allows(&vm, 0x8ff, true));
	CHECK(!msr_filter_allows(&vm, 0x900, false));	/* just past them: filtered */
}

/* A range's bitmap is whole longs, KVM's size: bit 64 of 65 MSRs is read. */
TEST(bitmap_in_longs)
{
	reset();
	user.flags = KEEL_MSR_FILTER_DEFAULT_DENY;
	range(3, KEEL_MSR_FILTER_READ, 0x100, 65, 0);
	user.bitmaps[3][8] = 1;				/* MSR 0x140 */
	CHECK_EQ(set(), 0);
	CHECK(msr_filter_allows(&vm, 0x140, false));
	CHECK(!msr_filter_allows(&vm, 0x13f, false));
	CHECK(!msr_filter_allows(&vm, 0x141, false));	/* past nmsrs, though its bit is there */
}

TEST(replaced_and_freed)
{
	int before;

	reset();
	before = live;
	waits = 0;
	range(0, KEEL_MSR_FILTER_READ, FS_BASE, 1, 0);
	CHECK_EQ(set(), 0);
	range(0, KEEL_MSR_FILTER_READ, FS_BASE, 1, 1);	/* now allowed */
	CHECK_EQ(set(), 0);
	CHECK_EQ(bitmaps_built, 2);
	CHECK(!denied_fs_read);
	CHECK_EQ(vm.arch.msr_bitmap, 0x2000);		/* the new one, whole */
	CHECK_EQ(waits, 2);				/* the vCPUs waited for ... */
	CHECK_EQ(bitmaps_live, 1);			/* ... before the old bitmap went */
	CHECK(msr_filter_allows(&vm, FS_BASE, false));
	CHECK_EQ(live, before + 1);			/* the old filter and the copies freed */
	msr_filter_free(&vm);
	CHECK_EQ(live, before);
	CHECK_EQ(bitmaps_live, 0);
	CHECK(vm.arch.msr_filter == NULL && !vm.arch.msr_bitmap);
}

/* Without memory for the bitmap the old filter and bitmap stay, whole. */
TEST(no_memory_keeps_the_old)
{
	int before;

	reset();
	range(0, KEEL_MSR_FILTER_READ, FS_BASE, 1, 0);
	CHECK_EQ(set(), 0);
	before = live;
	no_memory = 1;
	range(0, KEEL_MSR_FILTER_READ, FS_BASE, 1, 1);
	CHECK_EQ(set(), -ENOMEM);
	no_memory = 0;
	CHECK(!msr_filter_allows(&vm, FS_BASE, false));
	CHECK_EQ(vm.arch.msr_bitmap, 0x1000 * (u64)bitmaps_built);
	CHECK_EQ(live, before);
}

TEST_MAIN("msr_filter",
	T(refused_as_kvm),
	T(ranges_by_access),
	T(first_range_decides),
	T(bitmap_in_longs),
	T(replaced_and_freed),
	T(no_memory_keeps_the_old))
