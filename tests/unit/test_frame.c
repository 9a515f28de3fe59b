// SPDX-License-Identifier: GPL-2.0
/*
 * Frame allocator tests. Memory maps are filled in by hand (sorted,
 * non-overlapping) so these tests do not depend on memmap.c; the pool only
 * ever touches its bitmap, so addresses far above the host's memory are fine.
 */
#include "test.h"
#include "kernel/errno.h"
#include "kernel/frame.h"

static struct memmap map;
static struct frame_pool pool;
static void *bitmap;

static void map_reset(void)
{
	map.nr = 0;
}

static void map_add(u64 base, u64 size, u32 type)
{
	map.r[map.nr++] = (struct mem_range){ base, size, type };
}

/* (Re)builds the pool from the map's MEM_USABLE ranges. */
static int pool_setup(void)
{
	free(bitmap);
	bitmap = malloc(frame_pool_bitmap_bytes(&map, MEM_USABLE) + 1);
	return frame_pool_init(&pool, &map, MEM_USABLE, bitmap);
}

static u64 free_in_regions(void)
{
	u64 sum = 0;

	for (unsigned int k = 0; k < pool.nr; k++)
		sum += pool.r[k].nr_free;
	return sum;
}

TEST(regions_with_holes)
{
	map_reset();
	map_add(0, 0x9f000, MEM_USABLE);
	map_add(0x9f000, 0x61000, MEM_RESERVED);
	map_add(0x100000, 0x700000, MEM_USABLE);
	map_add(0x800000, 0x800, MEM_USABLE);		/* no whole page */
	map_add(0x900800, 0x3000, MEM_USABLE);		/* rounds to 0x901000..0x903000 */
	map_add(0x903800, 0x100, MEM_ACPI_NVS);
	map_add(0xa00000, 0x200000, MEM_KEEL);
	CHECK_EQ(frame_pool_bitmap_bytes(&map, MEM_USABLE), (3 + 28 + 1) * 8);
	CHECK_EQ(frame_pool_bitmap_bytes(&map, MEM_KEEL), 8 * 8);
	CHECK_EQ(frame_pool_bitmap_bytes(&map, MEM_BAD), 0);
	CHECK_EQ(pool_setup(), 0);
	CHECK_EQ(pool.nr, 3);
	CHECK_EQ(pool.r[0].base, 0);
	CHECK_EQ(pool.r[0].nr_frames, 0x9f);
	CHECK_EQ(pool.r[1].base, 0x100000);
	CHECK_EQ(pool.r[1].nr_frames, 0x700);
	CHECK_EQ(pool.r[2].base, 0x901000);
	CHECK_EQ(pool.r[2].nr_frames, 2);
	CHECK_EQ(pool.nr_frames, 0x9f + 0x700 + 2);
	CHECK_EQ(pool.nr_free, pool.nr_frames - 1);	/* frame 0 */
	CHECK_EQ(free_in_regions(), pool.nr_free);
	CHECK(frame_in_pool(&pool, 0x1000));
	CHECK(!frame_in_pool(&pool, 0x9f000));
	CHECK(!frame_in_pool(&pool, 0xfffff));
	CHECK(frame_in_pool(&pool, 0x7fffff));
	CHECK(!frame_in_pool(&pool, 0x800000));
	CHECK(!frame_in_pool(&pool, 0x900fff));
	CHECK(frame_in_pool(&pool, 0x902fff));
	CHECK(!frame_in_pool(&pool, 0x903000));

	/* Every frame handed out lies in a region, never in a hole. */
	for (u64 pa; (pa = frame_alloc(&pool, 0));)
		CHECK(frame_in_pool(&pool, pa));
	CHECK_EQ(pool.nr_free, 0);
	CHECK_EQ(free_in_regions(), 0);

	/* A pool of another type. */
	free(bitmap);
	bitmap = malloc(frame_pool_bitmap_bytes(&map, MEM_KEEL));
	CHECK_EQ(frame_pool_init(&pool, &map, MEM_KEEL, bitmap), 0);
	CHECK_EQ(pool.nr, 1);
	CHECK_EQ(pool.nr_free, 0x200);
	CHECK_EQ(frame_alloc(&pool, 9), 0xa00000);
}

TEST(empty_and_too_many_regions)
{
	map_reset();
	CHECK_EQ(frame_pool_bitmap_bytes(&map, MEM_USABLE), 0);
	CHECK_EQ(pool_setup(), 0);
	CHECK_EQ(pool.nr, 0);
	CHECK_EQ(frame_alloc(&pool, 0), 0);
	CHECK_EQ(frame_free(&pool, 0x1000, 0), -EINVAL);

	for (u64 i = 0; i < FRAME_MAX_REGIONS; i++)
		map_add(SZ_1M + i * 2 * PAGE_SIZE, PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	CHECK_EQ(pool.nr, FRAME_MAX_REGIONS);
	CHECK_EQ(pool.nr_free, FRAME_MAX_REGIONS);
	map_add(SZ_1G, 0x10, MEM_USABLE);	/* no whole page: not a region */
	CHECK_EQ(pool_setup(), 0);
	map_add(SZ_4G, PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), -ENOSPC);
	CHECK_EQ(pool.nr, 0);
	CHECK_EQ(frame_alloc(&pool, 0), 0);
}

TEST(above_4g)
{
	const u64 hi = 1ULL << 46;

	map_reset();
	map_add(SZ_1M, SZ_1M, MEM_USABLE);
	map_add(SZ_4G, 60 * SZ_1G, MEM_USABLE);
	map_add(hi + PAGE_SIZE, SZ_4G, MEM_USABLE);
	/* A range running off the top of the address space is clamped. */
	map_add(~0ULL - 3 * PAGE_SIZE, 16 * PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	CHECK_EQ(pool.nr, 4);
	CHECK_EQ(pool.r[1].nr_frames, 60 * SZ_1G / PAGE_SIZE);
	CHECK_EQ(pool.r[3].base, ~0ULL - 3 * PAGE_SIZE + 1);
	/* The very last page would end at 2^64, which a u64 cannot hold. */
	CHECK_EQ(pool.r[3].nr_frames, 2);
	CHECK_EQ(pool.nr_free, pool.nr_frames);

	/* The low region cannot hold 1 GiB, the first one above 4 GiB can. */
	CHECK_EQ(frame_alloc(&pool, FRAME_MAX_ORDER), SZ_4G);
	CHECK_EQ(frame_alloc(&pool, FRAME_MAX_ORDER), SZ_4G + SZ_1G);
	CHECK_EQ(frame_alloc(&pool, FRAME_MAX_ORDER + 1), 0);
	for (int i = 2; i < 60; i++)
		CHECK_EQ(frame_alloc(&pool, FRAME_MAX_ORDER), SZ_4G + i * SZ_1G);
	/* hi + 4 KiB is not 1 GiB aligned: the region holds three aligned GiBs. */
	for (int i = 1; i < 4; i++)
		CHECK_EQ(frame_alloc(&pool, FRAME_MAX_ORDER), hi + i * SZ_1G);
	CHECK_EQ(frame_alloc(&pool, FRAME_MAX_ORDER), 0);
	CHECK_EQ(frame_alloc(&pool, 1), SZ_1M);
	CHECK_EQ(frame_free(&pool, SZ_4G + 7 * SZ_1G, FRAME_MAX_ORDER), 0);
	CHECK_EQ(frame_free(&pool, SZ_4G + 7 * SZ_1G, FRAME_MAX_ORDER), -EINVAL);
	CHECK_EQ(frame_alloc(&pool, 12), SZ_4G + 7 * SZ_1G);
	CHECK_EQ(frame_free(&pool, ~0ULL - 2 * PAGE_SIZE + 1, 0), -EINVAL);
	CHECK_EQ(free_in_regions(), pool.nr_free);
	CHECK(frame_in_pool(&pool, ~0ULL - PAGE_SIZE));
	CHECK(!frame_in_pool(&pool, ~0ULL));
	CHECK(!frame_in_pool(&pool, hi));
}

TEST(exhaust_free_reuse)
{
	u64 got[100];

	map_reset();
	map_add(SZ_1M, 100 * PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	for (int i = 0; i < 100; i++) {
		got[i] = frame_alloc(&pool, 0);
		CHECK_EQ(got[i], SZ_1M + i * PAGE_SIZE);
	}
	CHECK_EQ(frame_alloc(&pool, 0), 0);
	CHECK_EQ(pool.nr_free, 0);
	CHECK_EQ(frame_free(&pool, got[42], 0), 0);
	CHECK_EQ(pool.nr_free, 1);
	CHECK_EQ(frame_alloc(&pool, 1), 0);
	CHECK_EQ(frame_alloc(&pool, 0), got[42]);
	CHECK_EQ(frame_alloc(&pool, 0), 0);

	/* Next fit: freed frames are found again after the hint wraps. */
	CHECK_EQ(frame_free(&pool, got[3], 0), 0);
	CHECK_EQ(frame_free(&pool, got[97], 0), 0);
	CHECK_EQ(frame_alloc(&pool, 0), got[97]);
	CHECK_EQ(frame_alloc(&pool, 0), got[3]);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(frame_free(&pool, got[i], 0), 0);
	CHECK_EQ(pool.nr_free, 100);
	CHECK_EQ(frame_alloc(&pool, 6), SZ_1M);
	CHECK_EQ(frame_alloc(&pool, 5), SZ_1M + 64 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 2), SZ_1M + 96 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 0), 0);
}

TEST(order_alignment)
{
	const u64 base = 3 * PAGE_SIZE, size = 8 * SZ_1M;

	map_reset();
	map_add(base, size, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	for (unsigned int order = 11; order-- > 0;) {
		u64 before = pool.nr_free;
		u64 pa = frame_alloc(&pool, order);

		CHECK(pa >= base);
		CHECK(IS_ALIGNED(pa, PAGE_SIZE << order));
		CHECK(pa + (PAGE_SIZE << order) <= base + size);
		CHECK_EQ(before - pool.nr_free, 1ULL << order);
	}
	CHECK_EQ(free_in_regions(), pool.nr_free);

	/* Only three whole 2 MiB blocks fit in [12 KiB, 8 MiB + 12 KiB). */
	CHECK_EQ(pool_setup(), 0);
	for (int i = 1; i <= 3; i++)
		CHECK_EQ(frame_alloc(&pool, 9), i * SZ_2M);
	CHECK_EQ(frame_alloc(&pool, 9), 0);
	CHECK_EQ(frame_alloc(&pool, 11), 0);
	CHECK_EQ(frame_alloc(&pool, FRAME_MAX_ORDER + 1), 0);
	/* The head below 2 MiB: 4 KiB-aligned pieces 3..511. */
	CHECK_EQ(frame_alloc(&pool, 8), 256 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 7), 128 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 6), 64 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 2), 4 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 0), 3 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 1), 8 * PAGE_SIZE);

	/* One used frame in the middle of each 64 KiB block pushes order 4 past it. */
	CHECK_EQ(pool_setup(), 0);
	for (u64 pa = 16 * PAGE_SIZE; pa < SZ_1M; pa += 16 * PAGE_SIZE)
		frame_pool_reserve(&pool, pa + 9 * PAGE_SIZE, 1);
	CHECK_EQ(frame_alloc(&pool, 4), SZ_1M);
	CHECK_EQ(frame_alloc(&pool, 3), 8 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 3), 16 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 3), 32 * PAGE_SIZE);
	CHECK_EQ(frame_alloc(&pool, 3), 48 * PAGE_SIZE);
}

TEST(free_validation)
{
	u64 a, b, e, before;

	map_reset();
	map_add(0, SZ_1M, MEM_USABLE);
	map_add(2 * SZ_1M, SZ_1M, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	a = frame_alloc(&pool, 0);
	e = frame_alloc(&pool, 0);
	b = frame_alloc(&pool, 2);
	CHECK_EQ(a, PAGE_SIZE);
	CHECK_EQ(e, 2 * PAGE_SIZE);
	CHECK_EQ(b, 4 * PAGE_SIZE);
	before = pool.nr_free;

	CHECK_EQ(frame_free(&pool, 0, 0), -EINVAL);		/* frame 0 */
	CHECK_EQ(frame_free(&pool, a, 1), -EINVAL);		/* misaligned for order 1 */
	CHECK_EQ(frame_free(&pool, e, 1), -EINVAL);		/* wrong order: frame 3 is free */
	CHECK_EQ(frame_free(&pool, b, 3), -EINVAL);		/* misaligned for order 3 */
	CHECK_EQ(frame_free(&pool, b + 0x800, 0), -EINVAL);	/* not page aligned */
	CHECK_EQ(frame_free(&pool, b + PAGE_SIZE, 1), -EINVAL);	/* misaligned */
	CHECK_EQ(frame_free(&pool, 20 * PAGE_SIZE, 0), -EINVAL);	/* never allocated */
	CHECK_EQ(frame_free(&pool, SZ_1M + PAGE_SIZE, 0), -EINVAL);	/* hole */
	CHECK_EQ(frame_free(&pool, 8 * SZ_1M, 0), -EINVAL);		/* past the end */
	CHECK_EQ(frame_free(&pool, 0, 8), -EINVAL);
	CHECK_EQ(frame_free(&pool, a, FRAME_MAX_ORDER + 1), -EINVAL);
	CHECK_EQ(pool.nr_free, before);
	CHECK_EQ(free_in_regions(), before);

	/* A block running past its region's end. */
	frame_pool_reserve(&pool, 2 * SZ_1M, SZ_1M);
	CHECK_EQ(frame_free(&pool, 2 * SZ_1M, 9), -EINVAL);
	CHECK_EQ(frame_free(&pool, 2 * SZ_1M, 8), 0);
	CHECK_EQ(pool.nr_free, before);

	CHECK_EQ(frame_free(&pool, b, 2), 0);
	CHECK_EQ(frame_free(&pool, b, 2), -EINVAL);		/* double free */
	CHECK_EQ(frame_free(&pool, a, 0), 0);
	CHECK_EQ(frame_free(&pool, a, 0), -EINVAL);
	CHECK_EQ(frame_free(&pool, e, 0), 0);
	CHECK_EQ(pool.nr_free, pool.nr_frames - 1);
	CHECK_EQ(free_in_regions(), pool.nr_free);
}

TEST(reserve)
{
	u64 pa;

	map_reset();
	map_add(SZ_1M, 16 * PAGE_SIZE, MEM_USABLE);
	map_add(SZ_2M, 16 * PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	CHECK_EQ(pool.nr_free, 32);

	/* Rounded outward: [0x10f800, 0x200800) takes the frame at either end. */
	frame_pool_reserve(&pool, SZ_1M + 15 * PAGE_SIZE + 0x800, SZ_1M - 15 * PAGE_SIZE);
	CHECK_EQ(pool.nr_free, 30);
	CHECK_EQ(pool.r[0].nr_free, 15);
	CHECK_EQ(pool.r[1].nr_free, 15);
	frame_pool_reserve(&pool, SZ_1M + 15 * PAGE_SIZE, 1);	/* again: no change */
	CHECK_EQ(pool.nr_free, 30);
	frame_pool_reserve(&pool, SZ_1M + PAGE_SIZE, 0);	/* empty */
	CHECK_EQ(pool.nr_free, 30);
	frame_pool_reserve(&pool, 0, SZ_1M);			/* outside the pool */
	frame_pool_reserve(&pool, SZ_4G, SZ_4G);
	CHECK_EQ(pool.nr_free, 30);
	frame_pool_reserve(&pool, SZ_2M + 0xfff, 2);		/* frames 0 (again) and 1 */
	CHECK_EQ(pool.r[1].nr_free, 14);
	frame_pool_reserve(&pool, SZ_2M + 10 * PAGE_SIZE, ~0ULL);	/* to the top */
	CHECK_EQ(pool.r[1].nr_free, 8);
	CHECK_EQ(free_in_regions(), pool.nr_free);

	while ((pa = frame_alloc(&pool, 0))) {
		CHECK(pa != SZ_1M + 15 * PAGE_SIZE);
		CHECK(pa < SZ_2M + 10 * PAGE_SIZE);
		CHECK(pa >= SZ_2M + 2 * PAGE_SIZE || pa < SZ_2M);
	}
	CHECK_EQ(pool.nr_free, 0);
	/* Reserved frames read as in use, so reserving after allocating counts nothing twice. */
	frame_pool_reserve(&pool, 0, SZ_4G);
	CHECK_EQ(pool.nr_free, 0);
	CHECK_EQ(free_in_regions(), 0);
}

TEST(frame_zero_excluded)
{
	u64 n = 0, pa;

	map_reset();
	map_add(0, 64 * PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	CHECK_EQ(pool.nr_frames, 64);
	CHECK_EQ(pool.nr_free, 63);
	CHECK(frame_in_pool(&pool, 0));
	CHECK_EQ(frame_alloc(&pool, 6), 0);
	CHECK_EQ(frame_alloc(&pool, 5), 32 * PAGE_SIZE);
	while ((pa = frame_alloc(&pool, 0))) {
		CHECK(pa < 32 * PAGE_SIZE);
		n++;
	}
	CHECK_EQ(n, 31);
	CHECK_EQ(frame_free(&pool, 0, 0), -EINVAL);
	CHECK_EQ(pool.nr_free, 0);

	/* A region that does not start at 0 loses nothing. */
	map_reset();
	map_add(PAGE_SIZE, 64 * PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	CHECK_EQ(pool.nr_free, 64);
}

/*
 * Stress: random allocations and frees checked against a shadow copy of
 * every frame's state, including that a failed allocation really had no
 * aligned free run anywhere.
 */
#define S_REGIONS 3
#define S_FRAMES 700
#define S_LIVE 512

static const u64 s_base[S_REGIONS] = { 0, 5 * SZ_1M + 3 * PAGE_SIZE, SZ_4G + 37 * PAGE_SIZE };
static bool shadow[S_REGIONS][S_FRAMES];
static struct {
	u64 pa;
	unsigned int order;
} live[S_LIVE];
static unsigned int nr_live;
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool *shadow_of(u64 pa)
{
	for (int k = 0; k < S_REGIONS; k++)
		if (pa >= s_base[k] && pa < s_base[k] + S_FRAMES * PAGE_SIZE)
			return &shadow[k][(pa - s_base[k]) / PAGE_SIZE];
	return NULL;
}

static bool shadow_has_run(unsigned int order)
{
	u64 n = 1ULL << order;

	for (int k = 0; k < S_REGIONS; k++) {
		for (u64 pa = ALIGN_UP(s_base[k], PAGE_SIZE * n);
		     pa + n * PAGE_SIZE <= s_base[k] + S_FRAMES * PAGE_SIZE; pa += n * PAGE_SIZE) {
			u64 i = 0;

			while (i < n && !*shadow_of(pa + i * PAGE_SIZE))
				i++;
			if (i == n)
				return true;
		}
	}
	return false;
}

static u64 shadow_free(void)
{
	u64 n = 0;

	for (int k = 0; k < S_REGIONS; k++)
		for (int i = 0; i < S_FRAMES; i++)
			n += !shadow[k][i];
	return n;
}

static void stress_alloc(void)
{
	static const unsigned int orders[] = { 0, 0, 0, 0, 1, 1, 2, 3, 4, 6, 8 };
	unsigned int order = orders[rng() % ARRAY_SIZE(orders)];
	u64 pa = frame_alloc(&pool, order);

	if (!pa) {
		CHECK(!shadow_has_run(order));
		return;
	}
	CHECK(IS_ALIGNED(pa, PAGE_SIZE << order));
	for (u64 i = 0; i < (1ULL << order); i++) {
		bool *s = shadow_of(pa + i * PAGE_SIZE);

		CHECK(s && !*s);
		if (s)
			*s = true;
	}
	live[nr_live].pa = pa;
	live[nr_live++].order = order;
}

static void stress_free(void)
{
	unsigned int j = rng() % nr_live;
	u64 pa = live[j].pa;
	unsigned int order = live[j].order;

	/* Now and then a bad free first, which must change nothing. */
	if (rng() % 8 == 0) {
		u64 before = pool.nr_free;

		if (order)
			CHECK_EQ(frame_free(&pool, pa + PAGE_SIZE, order), -EINVAL);
		CHECK_EQ(frame_free(&pool, pa + 0x10, order), -EINVAL);
		CHECK_EQ(pool.nr_free, before);
	}
	CHECK_EQ(frame_free(&pool, pa, order), 0);
	for (u64 i = 0; i < (1ULL << order); i++)
		*shadow_of(pa + i * PAGE_SIZE) = false;
	if (rng() % 8 == 0)
		CHECK_EQ(frame_free(&pool, pa, order), -EINVAL);
	live[j] = live[--nr_live];
}

TEST(stress_against_shadow)
{
	map_reset();
	for (int k = 0; k < S_REGIONS; k++)
		map_add(s_base[k], S_FRAMES * PAGE_SIZE, MEM_USABLE);
	CHECK_EQ(pool_setup(), 0);
	memset(shadow, 0, sizeof(shadow));
	shadow[0][0] = true;
	nr_live = 0;
	frame_pool_reserve(&pool, s_base[1] + 100 * PAGE_SIZE, 50 * PAGE_SIZE);
	for (int i = 100; i < 150; i++)
		shadow[1][i] = true;

	for (int step = 0; step < 40000; step++) {
		/* Drift between nearly empty and nearly full. */
		bool grow = (step / 4000) % 2 == 0;

		if (nr_live < S_LIVE && (nr_live == 0 || rng() % 10 < (grow ? 7u : 3u)))
			stress_alloc();
		else
			stress_free();
		if (step % 97 == 0) {
			CHECK_EQ(pool.nr_free, shadow_free());
			CHECK_EQ(free_in_regions(), pool.nr_free);
		}
	}
	while (nr_live)
		stress_free();
	CHECK_EQ(pool.nr_free, pool.nr_frames - 1 - 50);
	CHECK_EQ(pool.nr_free, shadow_free());
}

TEST_MAIN("frame",
	  T(regions_with_holes),
	  T(empty_and_too_many_regions),
	  T(above_4g),
	  T(exhaust_free_reuse),
	  T(order_alignment),
	  T(free_validation),
	  T(reserve),
	  T(frame_zero_excluded),
	  T(stress_against_shadow))
