// SPDX-License-Identifier: GPL-2.0
/* The selftest runner and the arch-neutral selftests (memory, log). */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/cmdline.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/selftest.h"
#include "kernel/string.h"
#include "kernel/vm.h"

extern const struct selftest _selftests_start[], _selftests_end[];

unsigned int selftests_run(const char *list)
{
	unsigned int passed = 0, failed = 0, skipped = 0;

	for (const struct selftest *t = _selftests_start; t < _selftests_end; t++) {
		int r;

		if (!list_has(list, t->name) || (t->named_only && !strcmp(list, "all")))
			continue;
		r = t->fn();
		pr_notice("keel: selftest %s: %s (%d)\n", t->name,
			  r == SELFTEST_SKIP ? "skipped" : r ? "FAILED" : "ok", r);
		if (r == SELFTEST_SKIP)
			skipped++;
		else if (r)
			failed++;
		else
			passed++;
	}
	if (!passed && !failed && !skipped) {
		pr_err("keel: keel.test=%s names no selftest\n", list);
		failed = 1;
	}
	pr_notice("keel: selftests: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return failed;
}

static bool in_reservation(u64 pa, u64 size)
{
	return pa >= mm.reserve_base && pa + size <= mm.reserve_base + mm.reserve_size;
}

/* Frames come from Keel's reservation only, aligned to their order, and free exactly. */
SELFTEST(frames)
{
	u64 before = frames_free_keel(), pa[8];

	for (unsigned int order = 0; order < ARRAY_SIZE(pa); order++) {
		pa[order] = frame_alloc_keel(order);
		if (!pa[order] || !IS_ALIGNED(pa[order], PAGE_SIZE << order) ||
		    !in_reservation(pa[order], PAGE_SIZE << order))
			return -EFAULT;
		memset((void *)(uintptr_t)pa[order], 0xa5, PAGE_SIZE << order);
	}
	for (unsigned int order = 0; order < ARRAY_SIZE(pa); order++)
		frame_free_keel(pa[order], order);
	return frames_free_keel() == before ? 0 : -ENOSPC;
}

SELFTEST(heap)
{
	static void *p[64];

	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
		size_t size = 8u << (i % 11);

		p[i] = kmalloc(size);
		if (!p[i] || !IS_ALIGNED((u64)(uintptr_t)p[i], 16))
			return -ENOMEM;
		memset(p[i], (int)i, size);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(p); i++) {
		const u8 *b = p[i];

		for (size_t j = 0; j < (8u << (i % 11)); j++)
			if (b[j] != (u8)i)
				return -EFAULT;
		kfree(p[i]);
	}
	return 0;
}

/* The summary line is in the log ring, readable as the control guest will read it. */
SELFTEST(log)
{
	static char buf[LOG_RING_SIZE];
	u64 seq = 0;
	size_t n = log_read(&seq, buf, sizeof(buf) - 1);

	buf[n] = '\0';
	for (size_t i = 0; i + 13 < n; i++)
		if (!memcmp(buf + i, "keel: online ", 13))
			return 0;
	return -ENOENT;
}

static int expect_leaf(struct vm *vm, u64 gpa, int want)
{
	u64 hpa, prot;
	int level;

	if (pt_translate(&vm->gpt, gpa, &hpa, &prot, &level) || level != want ||
	    !(prot & PT_W) || !(prot & PT_X) || ((hpa ^ gpa) & (PAGE_SIZE - 1)))
		return -EFAULT;
	return 0;
}

/*
 * Guest RAM of 1 GiB + 2 MiB + 4 KiB (4 MiB + 4 KiB where guest frames are
 * short) gets one leaf of each size it can, and every frame returns when the
 * VM goes.
 */
SELFTEST(guestmem)
{
	u64 free_guest = guest_frames_free(), free_keel = frames_free_keel();
	bool big = free_guest > (SZ_1G + SZ_4M * 4) / PAGE_SIZE;
	bool have_1g = big && guest_frames_have(18);	/* 1 GiB leaves need 1 GiB of free, aligned frames */
	u64 size = (big ? SZ_1G : SZ_2M) + SZ_2M + PAGE_SIZE;
	struct vm *vm;
	int r, top;

	if (!arch_virt_available()) {
		pr_notice("keel: selftest guestmem: no hardware virtualization to test\n");
		return SELFTEST_SKIP;
	}
	vm = vm_create("selftest", size, 1);
	if (!vm)
		return -ENOMEM;
	top = vm->gpt.max_leaf_level == 3 && have_1g ? 3 : 2;
	pr_info("keel: selftest guestmem: %s leaves at the bottom\n", top == 3 ? "1 GiB" : "2 MiB");
	r = expect_leaf(vm, 0x12345, top);
	if (!r)
		r = expect_leaf(vm, size - SZ_2M - PAGE_SIZE + 0x1000, 2);
	if (!r)
		r = expect_leaf(vm, size - PAGE_SIZE, 1);
	if (!r && (gpa_to_hva(vm, size, 1) || !gpa_to_hva(vm, size - 8, 8)))
		r = -EFAULT;
	vm_destroy(vm);
	if (!r && (guest_frames_free() != free_guest || frames_free_keel() != free_keel))
		r = -ENOSPC;
	return r;
}
