// SPDX-License-Identifier: GPL-2.0
#include "kernel/errno.h"
#include "kernel/memmap.h"
#include "test.h"

static struct memmap map, copy;

static u64 rng_state;

static u64 rng(void)
{
	/* xorshift64: fixed seed, so a failure always reproduces. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 end_of(const struct mem_range *r)
{
	return r->base + r->size;
}

/* Sorted, non-overlapping, adjacent same-type merged, usable in whole pages. */
static void check_normalized(const struct memmap *m)
{
	CHECK(m->nr <= MEMMAP_MAX);
	for (unsigned int i = 0; i < m->nr; i++) {
		const struct mem_range *r = &m->r[i];

		CHECK(r->size != 0);
		CHECK(r->size <= UINT64_MAX - r->base);
		if (r->type == MEM_USABLE) {
			CHECK(IS_ALIGNED(r->base, PAGE_SIZE));
			CHECK(IS_ALIGNED(r->size, PAGE_SIZE));
		}
		if (i + 1 < m->nr) {
			const struct mem_range *n = &m->r[i + 1];

			CHECK(end_of(r) <= n->base);
			CHECK(end_of(r) != n->base || r->type != n->type);
		}
	}
}

static void check_range(const struct memmap *m, unsigned int i, u64 base, u64 size, u32 type)
{
	CHECK(i < m->nr);
	if (i >= m->nr)
		return;
	CHECK_EQ(m->r[i].base, base);
	CHECK_EQ(m->r[i].size, size);
	CHECK_EQ(m->r[i].type, type);
}

/* Field by field: struct padding is not part of the map. */
static bool same_map(const struct memmap *a, const struct memmap *b)
{
	if (a->nr != b->nr)
		return false;
	for (unsigned int i = 0; i < a->nr; i++)
		if (a->r[i].base != b->r[i].base || a->r[i].size != b->r[i].size ||
		    a->r[i].type != b->r[i].type)
			return false;
	return true;
}

/* The type at @pa, 0 for a hole. */
static u32 type_at(const struct memmap *m, u64 pa)
{
	for (unsigned int i = 0; i < m->nr; i++)
		if (m->r[i].base <= pa && pa < end_of(&m->r[i]))
			return m->r[i].type;
	return 0;
}

/* QEMU's SeaBIOS e820 for a guest with 8 GiB, in scrambled order. */
static void add_qemu_bios_map(struct memmap *m)
{
	memmap_init(m);
	CHECK_EQ(memmap_add(m, 0xfffc0000, 0x40000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_add(m, 0x100000, 0x7fee0000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(m, 0x9fc00, 0x400, MEM_RESERVED), 0);
	CHECK_EQ(memmap_add(m, 0x100000000, 0x180000000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(m, 0xf0000, 0x10000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_add(m, 0x0, 0x9fc00, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(m, 0xfeffc000, 0x4000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_add(m, 0x7ffe0000, 0x20000, MEM_RESERVED), 0);
}

TEST(add_rejects_empty_and_wrapping)
{
	memmap_init(&map);
	CHECK_EQ(map.nr, 0);
	CHECK_EQ(memmap_add(&map, 0x1000, 0, MEM_USABLE), -EINVAL);
	CHECK_EQ(memmap_add(&map, UINT64_MAX - 0xfff, 0x1000, MEM_RESERVED), -EINVAL);
	CHECK_EQ(memmap_add(&map, 0x2000, UINT64_MAX, MEM_USABLE), -EINVAL);
	CHECK_EQ(map.nr, 0);
	CHECK_EQ(memmap_add(&map, UINT64_MAX - 0x1fff, 0x1000, MEM_RESERVED), 0);
	CHECK_EQ(memmap_add(&map, 0, UINT64_MAX, MEM_RESERVED), 0);
	CHECK_EQ(map.nr, 2);
}

TEST(add_full_map)
{
	memmap_init(&map);
	for (unsigned int i = 0; i < MEMMAP_MAX; i++)
		CHECK_EQ(memmap_add(&map, i * 0x2000ULL, 0x1000, MEM_USABLE), 0);
	CHECK_EQ(memmap_add(&map, 0x10000000, 0x1000, MEM_USABLE), -ENOSPC);
	CHECK_EQ(map.nr, MEMMAP_MAX);
	memmap_normalize(&map);
	CHECK_EQ(map.nr, MEMMAP_MAX);
	check_normalized(&map);
}

TEST(qemu_bios_map)
{
	add_qemu_bios_map(&map);
	memmap_normalize(&map);
	check_normalized(&map);
	CHECK_EQ(map.nr, 8);
	check_range(&map, 0, 0x0, 0x9f000, MEM_USABLE);
	check_range(&map, 1, 0x9fc00, 0x400, MEM_RESERVED);
	check_range(&map, 2, 0xf0000, 0x10000, MEM_RESERVED);
	check_range(&map, 3, 0x100000, 0x7fee0000, MEM_USABLE);
	check_range(&map, 4, 0x7ffe0000, 0x20000, MEM_RESERVED);
	check_range(&map, 5, 0xfeffc000, 0x4000, MEM_RESERVED);
	check_range(&map, 6, 0xfffc0000, 0x40000, MEM_RESERVED);
	check_range(&map, 7, 0x100000000, 0x180000000, MEM_USABLE);
	CHECK_EQ(memmap_total(&map, MEM_USABLE), 0x9f000 + 0x7fee0000 + 0x180000000);
	CHECK_EQ(memmap_total(&map, MEM_RESERVED), 0x400 + 0x10000 + 0x20000 + 0x4000 + 0x40000);
	CHECK_EQ(memmap_total(&map, MEM_ACPI_NVS), 0);
	CHECK_EQ(memmap_end(&map, MEM_USABLE), 0x280000000);
	CHECK_EQ(memmap_end(&map, MEM_RESERVED), SZ_4G);
	CHECK_EQ(memmap_end(&map, MEM_KEEL), 0);

	/* Normalizing a normalized map changes nothing. */
	copy = map;
	memmap_normalize(&map);
	CHECK(same_map(&copy, &map));
}

TEST(overlap_stricter_type_wins)
{
	memmap_init(&map);
	memmap_add(&map, 0, 16 * SZ_1M, MEM_USABLE);
	memmap_add(&map, SZ_1M, SZ_1M, MEM_RESERVED);		/* inside usable */
	memmap_add(&map, 4 * SZ_1M, 2 * SZ_1M, MEM_ACPI_NVS);
	memmap_add(&map, 5 * SZ_1M, 2 * SZ_1M, MEM_RESERVED);	/* NVS (4) beats reserved (2) */
	memmap_add(&map, 15 * SZ_1M, 2 * SZ_1M, MEM_ACPI_RECLAIM); /* sticks out past the end */
	memmap_normalize(&map);
	check_normalized(&map);
	CHECK_EQ(map.nr, 7);
	check_range(&map, 0, 0, SZ_1M, MEM_USABLE);
	check_range(&map, 1, SZ_1M, SZ_1M, MEM_RESERVED);
	check_range(&map, 2, 2 * SZ_1M, 2 * SZ_1M, MEM_USABLE);
	check_range(&map, 3, 4 * SZ_1M, 2 * SZ_1M, MEM_ACPI_NVS);
	check_range(&map, 4, 6 * SZ_1M, SZ_1M, MEM_RESERVED);
	check_range(&map, 5, 7 * SZ_1M, 8 * SZ_1M, MEM_USABLE);
	check_range(&map, 6, 15 * SZ_1M, 2 * SZ_1M, MEM_ACPI_RECLAIM);
}

TEST(overlap_same_base_and_nested)
{
	memmap_init(&map);
	memmap_add(&map, 0x10000, 0x10000, MEM_USABLE);
	memmap_add(&map, 0x10000, 0x4000, MEM_BAD);		/* same base, shorter */
	memmap_add(&map, 0x10000, 0x20000, MEM_USABLE);		/* same base, longer */
	memmap_add(&map, 0x18000, 0x1000, MEM_KEEL);
	memmap_add(&map, 0x17000, 0x3000, MEM_RESERVED);	/* around the Keel page */
	memmap_add(&map, 0x10000, 0x4000, MEM_BAD);		/* duplicate */
	memmap_normalize(&map);
	check_normalized(&map);
	CHECK_EQ(map.nr, 6);
	check_range(&map, 0, 0x10000, 0x4000, MEM_BAD);
	check_range(&map, 1, 0x14000, 0x3000, MEM_USABLE);
	check_range(&map, 2, 0x17000, 0x1000, MEM_RESERVED);
	check_range(&map, 3, 0x18000, 0x1000, MEM_KEEL);
	check_range(&map, 4, 0x19000, 0x1000, MEM_RESERVED);
	check_range(&map, 5, 0x1a000, 0x16000, MEM_USABLE);
}

TEST(same_type_overlapping_and_adjacent_merge)
{
	memmap_init(&map);
	memmap_add(&map, 0x5000, 0x3000, MEM_RESERVED);
	memmap_add(&map, 0x1000, 0x2000, MEM_RESERVED);
	memmap_add(&map, 0x2000, 0x3000, MEM_RESERVED);
	memmap_add(&map, 0x8000, 0x1000, MEM_ACPI_RECLAIM);
	memmap_add(&map, 0x9000, 0x1000, MEM_ACPI_RECLAIM);
	memmap_normalize(&map);
	check_normalized(&map);
	CHECK_EQ(map.nr, 2);
	check_range(&map, 0, 0x1000, 0x7000, MEM_RESERVED);
	check_range(&map, 1, 0x8000, 0x2000, MEM_ACPI_RECLAIM);
}

TEST(usable_trimmed_to_pages)
{
	memmap_init(&map);
	memmap_add(&map, 0x1800, 0x3000, MEM_USABLE);		/* -> 0x2000..0x4000 */
	memmap_add(&map, 0x10100, 0xe00, MEM_USABLE);		/* less than a page: dropped */
	memmap_add(&map, 0x20000, 0x800, MEM_USABLE);		/* two halves of one page */
	memmap_add(&map, 0x20800, 0x800, MEM_USABLE);
	memmap_add(&map, 0x30000, 0x1234, MEM_RESERVED);	/* other types stay exact */
	memmap_add(&map, UINT64_MAX - 0x2fff, 0x2fff, MEM_USABLE); /* top of the space */
	memmap_normalize(&map);
	check_normalized(&map);
	CHECK_EQ(map.nr, 4);
	check_range(&map, 0, 0x2000, 0x2000, MEM_USABLE);
	check_range(&map, 1, 0x20000, 0x1000, MEM_USABLE);
	check_range(&map, 2, 0x30000, 0x1234, MEM_RESERVED);
	check_range(&map, 3, UINT64_MAX - 0x2fff, 0x2000, MEM_USABLE);
}

TEST(normalize_drops_zero_and_clamps_wrapping)
{
	/* Ranges written directly, bypassing memmap_add()'s checks. */
	memmap_init(&map);
	map.r[map.nr++] = (struct mem_range){ 0x5000, 0, MEM_RESERVED };
	map.r[map.nr++] = (struct mem_range){ 0x1000, 0x1000, MEM_USABLE };
	map.r[map.nr++] = (struct mem_range){ UINT64_MAX - 0xfff, 0x2000, MEM_RESERVED };
	map.r[map.nr++] = (struct mem_range){ UINT64_MAX, 5, MEM_BAD };
	memmap_normalize(&map);
	check_normalized(&map);
	CHECK_EQ(map.nr, 2);
	check_range(&map, 0, 0x1000, 0x1000, MEM_USABLE);
	check_range(&map, 1, UINT64_MAX - 0xfff, 0xfff, MEM_RESERVED);
}

/* OVMF-style: usable RAM chopped into many descriptors around ACPI and runtime ranges. */
TEST(many_small_fragments)
{
	memmap_init(&map);
	for (u64 pa = 0; pa < 0x3f0000; pa += 0x4000)
		CHECK_EQ(memmap_add(&map, pa, 0x4000, MEM_USABLE), 0);
	memmap_add(&map, 0x7f000, 0x1000, MEM_RESERVED);
	memmap_add(&map, 0x200000, 0x3000, MEM_ACPI_NVS);
	memmap_add(&map, 0x203000, 0x5000, MEM_ACPI_RECLAIM);
	memmap_add(&map, 0x3ec000, 0x4000, MEM_RESERVED);
	CHECK_EQ(map.nr, MEMMAP_MAX);
	memmap_normalize(&map);
	check_normalized(&map);
	CHECK_EQ(map.nr, 7);
	check_range(&map, 0, 0, 0x7f000, MEM_USABLE);
	check_range(&map, 1, 0x7f000, 0x1000, MEM_RESERVED);
	check_range(&map, 2, 0x80000, 0x180000, MEM_USABLE);
	check_range(&map, 3, 0x200000, 0x3000, MEM_ACPI_NVS);
	check_range(&map, 4, 0x203000, 0x5000, MEM_ACPI_RECLAIM);
	check_range(&map, 5, 0x208000, 0x1e4000, MEM_USABLE);
	check_range(&map, 6, 0x3ec000, 0x4000, MEM_RESERVED);
}

/*
 * Random input against a per-unit reference: every unit gets the strictest
 * type of the ranges covering it (or, for memmap_set(), the type set last),
 * and usable survives only in whole pages. 128 inputs split into at most 255
 * ranges, so normalizing never runs out of room and the result must be exact.
 */
#define REF_UNIT 0x400ULL
#define REF_UNITS 512

static const u32 ref_types[] = { MEM_USABLE, MEM_RESERVED, MEM_ACPI_RECLAIM,
				 MEM_ACPI_NVS, MEM_BAD, MEM_KEEL };

static u32 rank(u32 type)
{
	return type == MEM_USABLE ? 0 : type + 1;
}

static void ref_trim_pages(u32 *ref)
{
	const unsigned int per = PAGE_SIZE / REF_UNIT;

	for (unsigned int page = 0; page < REF_UNITS / per; page++) {
		unsigned int u, whole = 1;

		for (u = page * per; u < (page + 1) * per; u++)
			whole &= ref[u] == MEM_USABLE;
		for (u = page * per; u < (page + 1) * per && !whole; u++)
			if (ref[u] == MEM_USABLE)
				ref[u] = 0;
	}
}

static void build_reference(const struct memmap *in, u32 *ref)
{
	memset(ref, 0, REF_UNITS * sizeof(*ref));
	for (unsigned int i = 0; i < in->nr; i++)
		for (u64 u = in->r[i].base / REF_UNIT; u < end_of(&in->r[i]) / REF_UNIT; u++)
			if (!ref[u] || rank(in->r[i].type) > rank(ref[u]))
				ref[u] = in->r[i].type;
	ref_trim_pages(ref);
}

/* A random unit-granular [*base, *base + *len) inside the reference space. */
static void random_span(bool short_one, u64 *base, u64 *len)
{
	u64 a = rng() % REF_UNITS, b = rng() % REF_UNITS;

	*base = a;
	*len = short_one ? 1 + rng() % 8 : 1 + (b > a ? b - a : a - b);
	if (a + *len > REF_UNITS)
		*len = REF_UNITS - a;
}

static void check_against(const struct memmap *m, const u32 *ref)
{
	check_normalized(m);
	for (unsigned int u = 0; u < REF_UNITS; u++)
		CHECK_EQ(type_at(m, u * REF_UNIT), ref[u]);
}

static void random_sets(u32 *ref)
{
	static struct memmap before;

	for (int i = 0; i < 8; i++) {
		u32 type = ref_types[rng() % ARRAY_SIZE(ref_types)];
		u64 base, len;

		random_span(rng() & 1, &base, &len);
		before = map;
		if (memmap_set(&map, base * REF_UNIT, len * REF_UNIT, type) == -ENOSPC) {
			CHECK(same_map(&before, &map));
			continue;
		}
		for (u64 u = base; u < base + len; u++)
			ref[u] = type;
		ref_trim_pages(ref);
		check_against(&map, ref);
	}
}

TEST(random_maps_match_reference)
{
	static struct memmap in;
	int before = test_failed_checks;
	u32 ref[REF_UNITS];

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (int iter = 0; iter < 3000 && test_failed_checks == before; iter++) {
		unsigned int n = 1 + rng() % 128;

		memmap_init(&map);
		for (unsigned int i = 0; i < n; i++) {
			u64 base, len;

			random_span(iter & 1, &base, &len);
			memmap_add(&map, base * REF_UNIT, len * REF_UNIT,
				   ref_types[rng() % ARRAY_SIZE(ref_types)]);
		}
		in = map;
		build_reference(&in, ref);
		memmap_normalize(&map);
		check_against(&map, ref);
		random_sets(ref);
	}
}

/*
 * One usable range with 255 reserved pages inside would need 511 ranges.
 * Without room the reserved ranges take the usable tails: memory is lost,
 * but nothing that was not usable becomes usable.
 */
TEST(normalize_full_map_stays_safe)
{
	static struct memmap in;

	memmap_init(&map);
	memmap_add(&map, 0, 512 * SZ_1M, MEM_USABLE);
	for (unsigned int i = 0; i < MEMMAP_MAX - 1; i++)
		memmap_add(&map, (i + 1) * SZ_1M, PAGE_SIZE, MEM_RESERVED);
	in = map;
	memmap_normalize(&map);
	check_normalized(&map);
	for (unsigned int i = 1; i < in.nr; i++)
		CHECK(memmap_covers(&map, in.r[i].base, in.r[i].size, MEM_RESERVED));
	CHECK(memmap_covers(&map, 0, SZ_1M, MEM_USABLE));
	CHECK(memmap_total(&map, MEM_USABLE) <= 512 * SZ_1M - (MEMMAP_MAX - 1) * PAGE_SIZE);
	for (unsigned int i = 0; i < map.nr; i++)
		CHECK(end_of(&map.r[i]) <= 512 * SZ_1M);
}

TEST(set_carves_keel_region)
{
	add_qemu_bios_map(&map);
	memmap_normalize(&map);
	CHECK_EQ(memmap_set(&map, 64 * SZ_1M, 32 * SZ_1M, MEM_KEEL), 0);
	check_normalized(&map);
	CHECK_EQ(map.nr, 10);
	check_range(&map, 3, SZ_1M, 63 * SZ_1M, MEM_USABLE);
	check_range(&map, 4, 64 * SZ_1M, 32 * SZ_1M, MEM_KEEL);
	check_range(&map, 5, 96 * SZ_1M, 0x7ffe0000 - 96 * SZ_1M, MEM_USABLE);
	CHECK(memmap_covers(&map, 64 * SZ_1M, 32 * SZ_1M, MEM_KEEL));
	CHECK(!memmap_covers(&map, 64 * SZ_1M - PAGE_SIZE, 2 * PAGE_SIZE, MEM_KEEL));
	CHECK_EQ(memmap_total(&map, MEM_KEEL), 32 * SZ_1M);

	/* Growing it, touching the existing Keel range, keeps one range. */
	CHECK_EQ(memmap_set(&map, 96 * SZ_1M, SZ_2M, MEM_KEEL), 0);
	check_normalized(&map);
	CHECK_EQ(map.nr, 10);
	check_range(&map, 4, 64 * SZ_1M, 34 * SZ_1M, MEM_KEEL);

	/* Giving it back restores the original map. */
	CHECK_EQ(memmap_set(&map, 64 * SZ_1M, 34 * SZ_1M, MEM_USABLE), 0);
	check_normalized(&map);
	CHECK_EQ(map.nr, 8);
	check_range(&map, 3, SZ_1M, 0x7fee0000, MEM_USABLE);
}

TEST(set_spanning_ranges_and_holes)
{
	add_qemu_bios_map(&map);
	memmap_normalize(&map);
	/* From inside low usable RAM, over the EBDA, the hole, the BIOS, into high RAM. */
	CHECK_EQ(memmap_set(&map, 0x80000, 0x100000, MEM_RESERVED), 0);
	check_normalized(&map);
	check_range(&map, 0, 0, 0x80000, MEM_USABLE);
	check_range(&map, 1, 0x80000, 0x100000, MEM_RESERVED);
	check_range(&map, 2, 0x180000, 0x7fe60000, MEM_USABLE);
	CHECK_EQ(type_at(&map, 0xa0000), MEM_RESERVED);

	/* Unaligned usable is trimmed, and so are the usable remnants beside a carve. */
	CHECK_EQ(memmap_set(&map, 0x200800, 0x1000, MEM_BAD), 0);
	check_normalized(&map);
	CHECK_EQ(type_at(&map, 0x200000), 0);
	CHECK_EQ(type_at(&map, 0x200800), MEM_BAD);
	CHECK_EQ(type_at(&map, 0x201800), 0);
	CHECK_EQ(type_at(&map, 0x202000), MEM_USABLE);
	CHECK_EQ(memmap_set(&map, 0x300800, 0x1000, MEM_USABLE), 0);
	check_normalized(&map);

	/* Into an empty map and past the end of the last range. */
	memmap_init(&map);
	CHECK_EQ(memmap_set(&map, 0x1000, 0x1000, MEM_KEEL), 0);
	CHECK_EQ(memmap_set(&map, 0x5000, 0x1000, MEM_KEEL), 0);
	CHECK_EQ(memmap_set(&map, 0x2000, 0x3000, MEM_KEEL), 0);
	check_normalized(&map);
	CHECK_EQ(map.nr, 1);
	check_range(&map, 0, 0x1000, 0x5000, MEM_KEEL);
	CHECK_EQ(memmap_set(&map, 0x3000, 0x800, MEM_USABLE), 0);
	check_normalized(&map);
	CHECK_EQ(map.nr, 2);
}

TEST(set_rejects_bad_ranges_and_full_map)
{
	memmap_init(&map);
	CHECK_EQ(memmap_set(&map, 0x1000, 0, MEM_KEEL), -EINVAL);
	CHECK_EQ(memmap_set(&map, UINT64_MAX - 0xfff, 0x1000, MEM_KEEL), -EINVAL);
	for (unsigned int i = 0; i < MEMMAP_MAX; i++)
		memmap_add(&map, i * 0x4000ULL, 0x1000, i & 1 ? MEM_USABLE : MEM_RESERVED);
	memmap_normalize(&map);
	CHECK_EQ(map.nr, MEMMAP_MAX);
	copy = map;

	/* Splitting a range needs two more entries: refused, map untouched. */
	CHECK_EQ(memmap_set(&map, 0x100, 0x100, MEM_KEEL), -ENOSPC);
	/* A new range in a hole needs one. */
	CHECK_EQ(memmap_set(&map, 0x2000, 0x1000, MEM_KEEL), -ENOSPC);
	CHECK(same_map(&copy, &map));
	/* Retyping a whole range, or bridging two same-typed ones, fits. */
	CHECK_EQ(memmap_set(&map, 0x4000, 0x1000, MEM_KEEL), 0);
	CHECK_EQ(map.nr, MEMMAP_MAX);
	CHECK_EQ(memmap_set(&map, 0x1000, 0x7000, MEM_RESERVED), 0);
	CHECK_EQ(map.nr, MEMMAP_MAX - 2);
	check_range(&map, 0, 0, 0x9000, MEM_RESERVED);
	check_normalized(&map);
	/* Setting what is already there changes nothing. */
	copy = map;
	CHECK_EQ(memmap_set(&map, 0x800, 0x100, MEM_RESERVED), 0);
	CHECK(same_map(&copy, &map));
}

TEST(find_top_alignment_and_limit)
{
	u64 pa = 0;

	add_qemu_bios_map(&map);
	memmap_normalize(&map);
	CHECK_EQ(memmap_find_top(&map, SZ_2M, SZ_2M, SZ_4G, &pa), 0);
	CHECK_EQ(pa, 0x7fc00000);
	CHECK_EQ(memmap_find_top(&map, 0x3000, PAGE_SIZE, SZ_4G, &pa), 0);
	CHECK_EQ(pa, 0x7ffe0000 - 0x3000);
	CHECK_EQ(memmap_find_top(&map, SZ_2M, SZ_2M, UINT64_MAX, &pa), 0);
	CHECK_EQ(pa, 0x280000000 - SZ_2M);
	/* A limit inside a range, not aligned. */
	CHECK_EQ(memmap_find_top(&map, PAGE_SIZE, PAGE_SIZE, 0x12345678, &pa), 0);
	CHECK_EQ(pa, 0x12344000);
	/* Block must end at or below the limit. */
	CHECK_EQ(memmap_find_top(&map, SZ_1M, SZ_1M, 0x200000, &pa), 0);
	CHECK_EQ(pa, 0x100000);
	/* Only low RAM fits below 1 MiB. */
	CHECK_EQ(memmap_find_top(&map, 0x8000, PAGE_SIZE, SZ_1M, &pa), 0);
	CHECK_EQ(pa, 0x97000);
	/* 1 GiB aligned below 4 GiB: the range starts at 1 MiB, so no. */
	pa = 0x1234;
	CHECK_EQ(memmap_find_top(&map, SZ_1G, SZ_1G, SZ_4G, &pa), -ENOMEM);
	CHECK_EQ(pa, 0x1234);
	CHECK_EQ(memmap_find_top(&map, SZ_1G, SZ_1G, UINT64_MAX, &pa), 0);
	CHECK_EQ(pa, 0x240000000);
	CHECK_EQ(memmap_find_top(&map, 64 * SZ_1G, PAGE_SIZE, UINT64_MAX, &pa), -ENOMEM);
	CHECK_EQ(memmap_find_top(&map, PAGE_SIZE, PAGE_SIZE, 0, &pa), -ENOMEM);
	CHECK_EQ(memmap_find_top(&map, PAGE_SIZE, PAGE_SIZE, PAGE_SIZE - 1, &pa), -ENOMEM);
	CHECK_EQ(memmap_find_top(&map, 0, PAGE_SIZE, SZ_4G, &pa), -EINVAL);
	CHECK_EQ(memmap_find_top(&map, PAGE_SIZE, 0x3000, SZ_4G, &pa), -EINVAL);
	CHECK_EQ(memmap_find_top(&map, PAGE_SIZE, 0, SZ_4G, &pa), -EINVAL);

	/* Keel's region is no longer usable. */
	memmap_set(&map, 0x7fc00000, 0x3e0000, MEM_KEEL);
	CHECK_EQ(memmap_find_top(&map, SZ_2M, SZ_2M, SZ_4G, &pa), 0);
	CHECK_EQ(pa, 0x7fa00000);
}

TEST(covers)
{
	add_qemu_bios_map(&map);
	memmap_normalize(&map);
	CHECK(memmap_covers(&map, 0, 0x9f000, MEM_USABLE));
	CHECK(!memmap_covers(&map, 0, 0x9f001, MEM_USABLE));
	CHECK(memmap_covers(&map, 0x9fc00, 0x400, MEM_RESERVED));
	CHECK(!memmap_covers(&map, 0x9fc00, 0x800, MEM_RESERVED));	/* into the hole */
	CHECK(memmap_covers(&map, 0x200000, 0x1000, MEM_USABLE));
	CHECK(!memmap_covers(&map, 0x200000, 0x1000, MEM_RESERVED));
	CHECK(!memmap_covers(&map, 0xfffc0000, 0x40001, MEM_RESERVED));
	CHECK(!memmap_covers(&map, 0x200000, 0, MEM_USABLE));
	CHECK(!memmap_covers(&map, 0x200000, UINT64_MAX, MEM_USABLE));
	CHECK(!memmap_covers(&map, 0x300000000, 0x1000, MEM_KEEL));

	/* Touching same-typed ranges, unnormalized and out of order, still cover. */
	memmap_init(&map);
	memmap_add(&map, 0x3000, 0x1000, MEM_RESERVED);
	memmap_add(&map, 0x1000, 0x2000, MEM_RESERVED);
	CHECK(memmap_covers(&map, 0x1800, 0x2000, MEM_RESERVED));
	CHECK(!memmap_covers(&map, 0x1800, 0x3000, MEM_RESERVED));

	memmap_init(&map);
	CHECK(!memmap_covers(&map, 0, 1, MEM_USABLE));
	CHECK_EQ(memmap_total(&map, MEM_USABLE), 0);
	CHECK_EQ(memmap_end(&map, MEM_USABLE), 0);
}

TEST_MAIN("memmap",
	  T(add_rejects_empty_and_wrapping),
	  T(add_full_map),
	  T(qemu_bios_map),
	  T(overlap_stricter_type_wins),
	  T(overlap_same_base_and_nested),
	  T(same_type_overlapping_and_adjacent_merge),
	  T(usable_trimmed_to_pages),
	  T(normalize_drops_zero_and_clamps_wrapping),
	  T(many_small_fragments),
	  T(random_maps_match_reference),
	  T(normalize_full_map_stays_safe),
	  T(set_carves_keel_region),
	  T(set_spanning_ranges_and_holes),
	  T(set_rejects_bad_ranges_and_full_map),
	  T(find_top_alignment_and_limit),
	  T(covers))
