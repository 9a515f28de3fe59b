// SPDX-License-Identifier: GPL-2.0
/*
 * Physical frame allocator: one bitmap per region, bit i standing for the
 * region's i-th frame. The bits past a region's last frame are kept set, so
 * they always read as frames in use.
 */
#include "kernel/frame.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/types.h"

#define WORD_BITS 64ULL
#define ALL_ONES (~0ULL)

/* Written out because __builtin_popcountll would be a libgcc call here. */
static u64 popcount64(u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (x * 0x0101010101010101ULL) >> 56;
}

static u64 next_word(u64 pos)
{
	return ALIGN_DOWN(pos, WORD_BITS) + WORD_BITS;
}

/* The bits of [pos, end) that lie in the word holding bit @pos. */
static u64 word_mask(u64 pos, u64 end)
{
	u64 hi = end - ALIGN_DOWN(pos, WORD_BITS);
	u64 mask = ALL_ONES << (pos % WORD_BITS);

	if (hi < WORD_BITS)
		mask &= BIT(hi) - 1;
	return mask;
}

/*
 * First bit in [pos, end) that is set in the bitmap XOR @flip, or @end:
 * flip 0 finds frames in use, flip ALL_ONES free ones. Words with nothing
 * to find cost one test each.
 */
static u64 bm_find(const u64 *bm, u64 pos, u64 end, u64 flip)
{
	for (; pos < end; pos = next_word(pos)) {
		u64 w = (bm[pos / WORD_BITS] ^ flip) & word_mask(pos, end);

		if (w)
			return ALIGN_DOWN(pos, WORD_BITS) + __builtin_ctzll(w);
	}
	return end;
}

/* Sets the bits [pos, end); returns how many of them were clear. */
static u64 bm_set(u64 *bm, u64 pos, u64 end)
{
	u64 newly = 0;

	for (; pos < end; pos = next_word(pos)) {
		u64 *w = &bm[pos / WORD_BITS];
		u64 mask = word_mask(pos, end);

		newly += popcount64(mask & ~*w);
		*w |= mask;
	}
	return newly;
}

static void bm_clear(u64 *bm, u64 pos, u64 end)
{
	for (; pos < end; pos = next_word(pos))
		bm[pos / WORD_BITS] &= ~word_mask(pos, end);
}

/* Frame number of the first page that starts at or above @pa. */
static u64 pfn_up(u64 pa)
{
	return (pa >> PAGE_SHIFT) + !IS_ALIGNED(pa, PAGE_SIZE);
}

/* One past the last byte of [base, base+size), clamped at the top of the address space. */
static u64 range_end(u64 base, u64 size)
{
	return base + MIN(size, ~base);
}

/*
 * The whole pages of the next range of @type at or after range *i, as frame
 * numbers [*first, *end); ranges without a whole page are skipped.
 */
static bool next_span(const struct memmap *m, u32 type, unsigned int *i,
		      u64 *first, u64 *end)
{
	while (*i < m->nr) {
		const struct mem_range *r = &m->r[(*i)++];

		if (r->type != type)
			continue;
		*first = pfn_up(r->base);
		*end = range_end(r->base, r->size) >> PAGE_SHIFT;
		if (*first < *end)
			return true;
	}
	return false;
}

static u64 bitmap_words(u64 nr_frames)
{
	return ALIGN_UP(nr_frames, WORD_BITS) / WORD_BITS;
}

/* Bitmap words for all regions of @type; their number goes to *nr. */
static u64 span_words(const struct memmap *m, u32 type, unsigned int *nr)
{
	unsigned int i = 0;
	u64 first, end, words = 0;

	*nr = 0;
	while (next_span(m, type, &i, &first, &end)) {
		words += bitmap_words(end - first);
		(*nr)++;
	}
	return words;
}

size_t frame_pool_bitmap_bytes(const struct memmap *m, u32 type)
{
	unsigned int nr;

	return span_words(m, type, &nr) * sizeof(u64);
}

int frame_pool_init(struct frame_pool *p, const struct memmap *m, u32 type, void *bitmap)
{
	u64 *words = bitmap;
	unsigned int i = 0, nr;
	u64 first, end;

	memset(p, 0, sizeof(*p));
	span_words(m, type, &nr);
	if (nr > FRAME_MAX_REGIONS)
		return -ENOSPC;
	while (next_span(m, type, &i, &first, &end)) {
		struct frame_region *r = &p->r[p->nr++];
		u64 nr_words = bitmap_words(end - first);

		r->base = first << PAGE_SHIFT;
		r->nr_frames = end - first;
		r->nr_free = r->nr_frames;
		r->bitmap = words;
		memset(words, 0, nr_words * sizeof(u64));
		bm_set(words, r->nr_frames, nr_words * WORD_BITS);
		words += nr_words;
		p->nr_frames += r->nr_frames;
	}
	p->nr_free = p->nr_frames;
	/* frame_alloc() reports failure as 0, so frame 0 must never be free. */
	frame_pool_reserve(p, 0, PAGE_SIZE);
	return 0;
}

void frame_pool_reserve(struct frame_pool *p, u64 pa, u64 size)
{
	u64 first = pa >> PAGE_SHIFT;
	u64 end = pfn_up(range_end(pa, size));

	if (!size)
		return;
	for (unsigned int k = 0; k < p->nr; k++) {
		struct frame_region *r = &p->r[k];
		u64 rfirst = r->base >> PAGE_SHIFT;
		u64 lo = MAX(first, rfirst);
		u64 hi = MIN(end, rfirst + r->nr_frames);
		u64 newly;

		if (lo >= hi)
			continue;
		newly = bm_set(r->bitmap, lo - rfirst, hi - rfirst);
		r->nr_free -= newly;
		p->nr_free -= newly;
	}
}

/* Next-fit: from the hint to the end, then from the start; nr_frames if full. */
static u64 find_one(struct frame_region *r)
{
	u64 i = bm_find(r->bitmap, r->hint, r->nr_frames, ALL_ONES);

	if (i == r->nr_frames)
		i = bm_find(r->bitmap, 0, r->nr_frames, ALL_ONES);
	if (i < r->nr_frames)
		r->hint = i + 1 == r->nr_frames ? 0 : i + 1;
	return i;
}

/*
 * Lowest run of @n free frames whose physical address is aligned to @n
 * frames, or nr_frames. From a free frame it jumps to the next aligned
 * candidate, and from a frame in use to the next free frame, so used
 * stretches are crossed a word at a time and each bit is looked at about once.
 */
static u64 find_aligned(const struct frame_region *r, u64 n)
{
	u64 pfn = r->base >> PAGE_SHIFT;
	u64 i = 0, busy;

	for (;;) {
		i = bm_find(r->bitmap, i, r->nr_frames, ALL_ONES);
		i = ALIGN_UP(pfn + i, n) - pfn;
		if (i + n > r->nr_frames)
			return r->nr_frames;
		busy = bm_find(r->bitmap, i, i + n, 0);
		if (busy == i + n)
			return i;
		i = busy + 1;
	}
}

u64 frame_alloc(struct frame_pool *p, unsigned int order)
{
	u64 n, i;

	if (order > FRAME_MAX_ORDER)
		return 0;
	n = BIT(order);
	for (unsigned int k = 0; k < p->nr; k++) {
		struct frame_region *r = &p->r[k];

		if (r->nr_free < n)
			continue;
		i = order ? find_aligned(r, n) : find_one(r);
		if (i == r->nr_frames)
			continue;
		bm_set(r->bitmap, i, i + n);
		r->nr_free -= n;
		p->nr_free -= n;
		return r->base + (i << PAGE_SHIFT);
	}
	return 0;
}

/* Index of the region holding @pa, or -1. */
static int region_of(const struct frame_pool *p, u64 pa)
{
	for (unsigned int k = 0; k < p->nr; k++) {
		const struct frame_region *r = &p->r[k];

		if (pa >= r->base && (pa - r->base) >> PAGE_SHIFT < r->nr_frames)
			return (int)k;
	}
	return -1;
}

int frame_free(struct frame_pool *p, u64 pa, unsigned int order)
{
	struct frame_region *r;
	u64 n, i;
	int k;

	/* Frame 0 stays reserved for good (see frame_pool_init()). */
	if (order > FRAME_MAX_ORDER || !pa || !IS_ALIGNED(pa, PAGE_SIZE << order))
		return -EINVAL;
	k = region_of(p, pa);
	if (k < 0)
		return -EINVAL;
	r = &p->r[k];
	n = BIT(order);
	i = (pa - r->base) >> PAGE_SHIFT;
	if (n > r->nr_frames - i || bm_find(r->bitmap, i, i + n, ALL_ONES) != i + n)
		return -EINVAL;
	bm_clear(r->bitmap, i, i + n);
	r->nr_free += n;
	p->nr_free += n;
	return 0;
}

bool frame_in_pool(const struct frame_pool *p, u64 pa)
{
	return region_of(p, pa) >= 0;
}
