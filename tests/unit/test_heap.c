// SPDX-License-Identifier: GPL-2.0
/*
 * Heap tests. The page source hands out aligned_alloc()'d pages filled with
 * junk, refuses when told to, and records every block so leaks and frees of
 * the wrong order show up. In recycle mode it keeps returned blocks for
 * reuse instead of freeing them, so a stale pointer can still be read, as
 * in the kernel where pages stay mapped.
 */
#include <stdint.h>

#include "test.h"
#include "kernel/errno.h"
#include "kernel/heap.h"

#define SRC_MAX_BLOCKS 4096
#define SRC_MAX_ORDER 10

struct block {
	void *p;
	unsigned int order;
};

struct page_source {
	long pages_out;
	bool fail;
	bool recycle;
	unsigned int nr, nr_cached;
	struct block blocks[SRC_MAX_BLOCKS];
	struct block cached[SRC_MAX_BLOCKS];
};

static struct page_source src;
static struct heap heap;

/* A cached block of @order, taken off the cache, or NULL. */
static void *src_reuse(struct page_source *s, unsigned int order)
{
	for (unsigned int i = 0; i < s->nr_cached; i++) {
		void *p = s->cached[i].p;

		if (s->cached[i].order != order)
			continue;
		s->cached[i] = s->cached[--s->nr_cached];
		return p;
	}
	return NULL;
}

static void *src_alloc(void *ctx, unsigned int order)
{
	struct page_source *s = ctx;
	void *p;

	if (s->fail || order > SRC_MAX_ORDER || s->nr == SRC_MAX_BLOCKS)
		return NULL;
	p = src_reuse(s, order);
	if (!p) {
		p = aligned_alloc(PAGE_SIZE, PAGE_SIZE << order);
		if (!p)
			return NULL;
		memset(p, 0xa5, PAGE_SIZE << order);
	}
	s->blocks[s->nr].p = p;
	s->blocks[s->nr++].order = order;
	s->pages_out += 1L << order;
	return p;
}

static void src_free(void *ctx, void *p, unsigned int order)
{
	struct page_source *s = ctx;

	for (unsigned int i = 0; i < s->nr; i++) {
		if (s->blocks[i].p != p)
			continue;
		CHECK_EQ(s->blocks[i].order, order);
		if (s->recycle)
			s->cached[s->nr_cached++] = s->blocks[i];
		else
			free(p);
		s->blocks[i] = s->blocks[--s->nr];
		s->pages_out -= 1L << order;
		return;
	}
	CHECK(!"freed a block the page source never handed out");
}

static void setup(void)
{
	const struct heap_ops ops = { src_alloc, src_free, &src };

	while (src.nr_cached)
		free(src.cached[--src.nr_cached].p);
	memset(&src, 0, sizeof(src));
	heap_init(&heap, &ops);
}

static void check_drained(void)
{
	CHECK_EQ(src.pages_out, 0);
	CHECK_EQ(heap.bytes_in_use, 0);
	for (int c = 0; c < HEAP_NR_CLASSES; c++) {
		CHECK(!heap.classes[c].partial);
		CHECK_EQ(heap.classes[c].nr_pages, 0);
	}
}

static bool aligned16(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

static size_t class_of(size_t size)
{
	size_t c = 16;

	while (c < size)
		c *= 2;
	return c;
}

TEST(every_class)
{
	static const size_t sizes[] = { 1, 15, 16, 17, 32, 33, 64, 100, 128, 200,
					256, 257, 512, 1000, 1024, 1025, 2047, 2048 };

	setup();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char *p = heap_alloc(&heap, sizes[i]);

		CHECK(p && aligned16(p));
		if (!p)
			continue;
		memset(p, 0x5a, sizes[i]);
		CHECK_EQ(heap.bytes_in_use, class_of(sizes[i]));
		CHECK_EQ(src.pages_out, 1);
		CHECK_EQ(heap_free(&heap, p), 0);
		check_drained();
	}
	CHECK_EQ(heap.nr_bad_frees, 0);
}

/* Objects of one class fill whole pages, never overlap, and all pages go back. */
static void fill_class(size_t size)
{
	enum { N = 600 };
	static unsigned char *p[N];
	size_t n = size >= 1024 ? 20 : N;

	for (size_t i = 0; i < n; i++) {
		p[i] = heap_alloc(&heap, size);
		CHECK(p[i] && aligned16(p[i]));
		memset(p[i], (int)i, size);
	}
	CHECK_EQ(heap.bytes_in_use, n * size);
	CHECK(src.pages_out >= (long)(n * size / PAGE_SIZE));
	CHECK(src.pages_out <= (long)(n * size / (PAGE_SIZE / 2)) + 1);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < size; j++)
			if (p[i][j] != (unsigned char)i) {
				CHECK(!"object overwritten");
				break;
			}
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(heap_free(&heap, p[i]), 0);
}

TEST(class_pages)
{
	setup();
	for (size_t size = 16; size <= 2048; size *= 2) {
		fill_class(size);
		check_drained();
	}
}

TEST(large)
{
	static const struct {
		size_t size;
		u64 bytes;
	} cases[] = {
		{ 2049, PAGE_SIZE }, { 4000, PAGE_SIZE }, { 4096, 2 * PAGE_SIZE },
		{ 8000, 2 * PAGE_SIZE }, { 8192, 4 * PAGE_SIZE }, { 100000, 32 * PAGE_SIZE },
		{ SZ_1M, 512 * PAGE_SIZE },
	};
	void *keep[ARRAY_SIZE(cases)];
	u64 total = 0;

	setup();
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		keep[i] = heap_alloc(&heap, cases[i].size);
		CHECK(keep[i] && aligned16(keep[i]));
		if (keep[i])
			memset(keep[i], 0x11, cases[i].size);
		total += cases[i].bytes;
		CHECK_EQ(heap.bytes_in_use, total);
		CHECK_EQ(src.pages_out * PAGE_SIZE, total);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_EQ(heap_free(&heap, keep[i]), 0);
	check_drained();
	CHECK_EQ(heap.nr_bad_frees, 0);
}

TEST(zalloc_zeroes)
{
	static const size_t sizes[] = { 8, 48, 2048, 3000, 20000 };

	setup();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		unsigned char *p = heap_alloc(&heap, sizes[i]);
		unsigned char *keep = heap_alloc(&heap, sizes[i]);
		size_t nonzero = 0;

		/* Dirty an object, free it, and get it back zeroed. */
		memset(p, 0xff, sizes[i]);
		CHECK_EQ(heap_free(&heap, p), 0);
		p = heap_zalloc(&heap, sizes[i]);
		CHECK(p != NULL);
		for (size_t j = 0; p && j < sizes[i]; j++)
			nonzero += p[j] != 0;
		CHECK_EQ(nonzero, 0);
		CHECK_EQ(heap_free(&heap, p), 0);
		CHECK_EQ(heap_free(&heap, keep), 0);
	}
	CHECK(heap_zalloc(&heap, 0) == NULL);
	check_drained();
}

TEST(zero_overflow_and_no_pages)
{
	setup();
	CHECK(heap_alloc(&heap, 0) == NULL);
	CHECK(heap_alloc(&heap, SIZE_MAX) == NULL);
	CHECK(heap_alloc(&heap, SIZE_MAX - 15) == NULL);
	CHECK(heap_alloc(&heap, SIZE_MAX / 2) == NULL);
	CHECK(heap_alloc(&heap, (PAGE_SIZE << SRC_MAX_ORDER) + 1) == NULL);
	CHECK(heap_zalloc(&heap, SIZE_MAX) == NULL);
	check_drained();

	src.fail = true;
	CHECK(heap_alloc(&heap, 16) == NULL);
	CHECK(heap_alloc(&heap, 5000) == NULL);
	check_drained();

	/* A class with a partial page still serves when the source is dry. */
	src.fail = false;
	void *a = heap_alloc(&heap, 16);
	src.fail = true;
	void *b = heap_alloc(&heap, 16);
	CHECK(a && b && a != b);
	CHECK(heap_alloc(&heap, 32) == NULL);
	CHECK_EQ(heap_free(&heap, a), 0);
	CHECK_EQ(heap_free(&heap, b), 0);
	CHECK_EQ(heap_free(&heap, NULL), 0);
	check_drained();
	CHECK_EQ(heap.nr_bad_frees, 0);
}

TEST(bad_frees)
{
	unsigned char *a, *b, *big, *page;
	void *foreign;
	u64 bytes;

	setup();
	a = heap_alloc(&heap, 64);
	b = heap_alloc(&heap, 64);
	big = heap_alloc(&heap, 10000);
	memset(a, 0xaa, 64);
	memset(b, 0xbb, 64);
	bytes = heap.bytes_in_use;
	page = (unsigned char *)((uintptr_t)a & ~(uintptr_t)(PAGE_SIZE - 1));

	CHECK_EQ(heap_free(&heap, a + 1), -EINVAL);
	CHECK_EQ(heap_free(&heap, a + 16), -EINVAL);	/* 16-byte aligned, not an object */
	CHECK_EQ(heap_free(&heap, b + 32), -EINVAL);
	CHECK_EQ(heap_free(&heap, page), -EINVAL);		/* the header */
	CHECK_EQ(heap_free(&heap, page + 16), -EINVAL);
	CHECK_EQ(heap_free(&heap, page + PAGE_SIZE - 16), -EINVAL);	/* inside the last object */
	CHECK_EQ(heap_free(&heap, b + 64), -EINVAL);	/* an object never handed out */
	CHECK_EQ(heap_free(&heap, big + 16), -EINVAL);
	CHECK_EQ(heap_free(&heap, big - 16), -EINVAL);
	CHECK_EQ(heap_free(&heap, big + PAGE_SIZE), -EINVAL);
	CHECK_EQ(heap_free(&heap, big + PAGE_SIZE - 16), -EINVAL);

	/* A page that is not the heap's, zeroed and then with junk. */
	foreign = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(foreign, 0, PAGE_SIZE);
	CHECK_EQ(heap_free(&heap, (char *)foreign + 64), -EINVAL);
	memset(foreign, 0xa5, PAGE_SIZE);
	CHECK_EQ(heap_free(&heap, (char *)foreign + 16), -EINVAL);
	/* A copy of a real header at another address is not taken for one. */
	memcpy(foreign, page, PAGE_SIZE);
	CHECK_EQ(heap_free(&heap, (char *)foreign + (a - page)), -EINVAL);
	free(foreign);

	CHECK_EQ(heap.nr_bad_frees, 14);
	CHECK_EQ(heap.bytes_in_use, bytes);
	for (int i = 0; i < 64; i++)
		CHECK(a[i] == 0xaa && b[i] == 0xbb);

	/* Double frees, while the page is still held by another object. */
	CHECK_EQ(heap_free(&heap, a), 0);
	CHECK_EQ(heap_free(&heap, a), -EINVAL);
	CHECK_EQ(heap.bytes_in_use, bytes - 64);
	CHECK(heap_alloc(&heap, 64) == a);
	CHECK_EQ(heap_free(&heap, a), 0);
	CHECK_EQ(heap_free(&heap, b), 0);
	CHECK_EQ(heap_free(&heap, big), 0);
	CHECK_EQ(heap.nr_bad_frees, 15);
	check_drained();

	/* Pages that went back to the source no longer pass as heap pages. */
	src.recycle = true;
	a = heap_alloc(&heap, 64);
	big = heap_alloc(&heap, 5000);
	CHECK_EQ(heap_free(&heap, a), 0);
	CHECK_EQ(heap_free(&heap, big), 0);
	check_drained();
	CHECK_EQ(heap_free(&heap, a), -EINVAL);
	CHECK_EQ(heap_free(&heap, big), -EINVAL);
	CHECK_EQ(heap.nr_bad_frees, 17);
}

TEST(pages_returned_when_empty)
{
	enum { N = 200 };
	void *p[N];
	long peak;

	setup();
	for (int i = 0; i < N; i++)
		p[i] = heap_alloc(&heap, 128);
	peak = src.pages_out;
	CHECK(peak >= 1 + N * 128 / (long)PAGE_SIZE);
	CHECK_EQ(heap.classes[3].nr_pages, peak);

	/* Freeing every other object empties no page. */
	for (int i = 0; i < N; i += 2)
		CHECK_EQ(heap_free(&heap, p[i]), 0);
	CHECK_EQ(src.pages_out, peak);
	/* Objects come from pages with room before a new page is taken. */
	for (int i = 0; i < N; i += 2)
		p[i] = heap_alloc(&heap, 128);
	CHECK_EQ(src.pages_out, peak);
	for (int i = 0; i < N; i++)
		CHECK_EQ(heap_free(&heap, p[i]), 0);
	check_drained();

	/* Freeing in allocation order returns each page as soon as it is empty. */
	for (int i = 0; i < N; i++)
		p[i] = heap_alloc(&heap, 128);
	for (int i = 0; i < N; i++) {
		CHECK_EQ(heap_free(&heap, p[i]), 0);
		CHECK(src.pages_out <= peak - (i + 1) * 128 / (long)PAGE_SIZE);
	}
	check_drained();

	/* Also a one-object class, and the same object allocated back and forth. */
	for (int i = 0; i < 3; i++) {
		void *q = heap_alloc(&heap, 2048);

		CHECK_EQ(src.pages_out, 1);
		CHECK_EQ(heap_free(&heap, q), 0);
		CHECK_EQ(src.pages_out, 0);
	}
	check_drained();
}

/*
 * Stress: random sizes, every byte of every live object holding a pattern
 * of its own, checked when freed; bytes_in_use checked against what each
 * allocation added; bad frees of live and just-freed objects mixed in.
 */
#define S_SLOTS 1500

static struct {
	unsigned char *p;
	size_t size;
	u64 bytes;
	u32 seed;
} slot[S_SLOTS];
static u64 rng_state = 0x243f6a8885a308d3ULL;
static u64 bad_expected;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned char pattern(u32 seed, size_t i)
{
	return (unsigned char)((seed + i * 131) ^ (i >> 8));
}

static size_t random_size(void)
{
	switch (rng() % 10) {
	case 0:
		return 2049 + rng() % 30000;
	case 1:
	case 2:
		return 1 + rng() % 2048;
	default:
		return 1 + rng() % 200;
	}
}

static void stress_fill(int i)
{
	u64 before = heap.bytes_in_use;
	bool zero = rng() % 4 == 0;
	size_t size = random_size();

	slot[i].p = zero ? heap_zalloc(&heap, size) : heap_alloc(&heap, size);
	CHECK(slot[i].p && aligned16(slot[i].p));
	if (!slot[i].p)
		return;
	slot[i].size = size;
	slot[i].bytes = heap.bytes_in_use - before;
	slot[i].seed = (u32)rng();
	CHECK(slot[i].bytes >= size);
	if (size <= 2048)
		CHECK_EQ(slot[i].bytes, class_of(size));
	else
		CHECK(slot[i].bytes % PAGE_SIZE == 0 && slot[i].bytes < 2 * (size + PAGE_SIZE));
	if (zero)
		for (size_t j = 0; j < size; j++)
			if (slot[i].p[j]) {
				CHECK(!"heap_zalloc() memory not zeroed");
				break;
			}
	for (size_t j = 0; j < size; j++)
		slot[i].p[j] = pattern(slot[i].seed, j);
}

/* Pointers inside a live object that is bigger than the smallest class. */
static void stress_bad_inside(int i)
{
	if (slot[i].size <= 16 || rng() % 8)
		return;
	CHECK_EQ(heap_free(&heap, slot[i].p + 16), -EINVAL);
	CHECK_EQ(heap_free(&heap, slot[i].p + 8), -EINVAL);
	CHECK_EQ(heap_free(&heap, slot[i].p - 16), -EINVAL);
	bad_expected += 3;
}

static void stress_release(int i)
{
	u64 before = heap.bytes_in_use;

	for (size_t j = 0; j < slot[i].size; j++)
		if (slot[i].p[j] != pattern(slot[i].seed, j)) {
			CHECK(!"live object overwritten");
			break;
		}
	stress_bad_inside(i);
	CHECK_EQ(heap_free(&heap, slot[i].p), 0);
	CHECK_EQ(before - heap.bytes_in_use, slot[i].bytes);
	/* Safe to try only because recycled pages stay readable. */
	if (rng() % 8 == 0) {
		CHECK_EQ(heap_free(&heap, slot[i].p), -EINVAL);
		bad_expected++;
	}
	slot[i].p = NULL;
}

static int by_address(const void *a, const void *b)
{
	const unsigned char *x = *(unsigned char *const *)a;
	const unsigned char *y = *(unsigned char *const *)b;

	return (x > y) - (x < y);
}

/* No two live objects overlap. */
static void check_disjoint(void)
{
	static unsigned char *sorted[S_SLOTS][2];
	int n = 0;

	for (int i = 0; i < S_SLOTS; i++) {
		if (!slot[i].p)
			continue;
		sorted[n][0] = slot[i].p;
		sorted[n++][1] = slot[i].p + slot[i].size;
	}
	qsort(sorted, n, sizeof(sorted[0]), by_address);
	for (int i = 1; i < n; i++)
		CHECK(sorted[i - 1][1] <= sorted[i][0]);
}

TEST(stress_patterns)
{
	setup();
	src.recycle = true;
	memset(slot, 0, sizeof(slot));
	bad_expected = 0;
	for (int step = 0; step < 60000; step++) {
		int i = rng() % S_SLOTS;

		if (slot[i].p)
			stress_release(i);
		else
			stress_fill(i);
		if (step % 5000 == 4999)
			check_disjoint();
	}
	for (int i = 0; i < S_SLOTS; i++)
		if (slot[i].p)
			stress_release(i);
	check_drained();
	CHECK(bad_expected > 1000);
	CHECK_EQ(heap.nr_bad_frees, bad_expected);
}

TEST_MAIN("heap",
	  T(every_class),
	  T(class_pages),
	  T(large),
	  T(zalloc_zeroes),
	  T(zero_overflow_and_no_pages),
	  T(bad_frees),
	  T(pages_returned_when_empty),
	  T(stress_patterns))
