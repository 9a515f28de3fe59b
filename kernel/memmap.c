// SPDX-License-Identifier: GPL-2.0
/*
 * Physical memory maps. Every range ends at base + size, which never wraps:
 * memmap_add() and memmap_set() reject such ranges and memmap_normalize()
 * clamps any it finds to end at the top of the address space. Everything
 * works in place on the caller's map, because a struct memmap is too large
 * for the 16 KiB kernel stack.
 */
#include "kernel/memmap.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/types.h"

static u64 range_end(const struct mem_range *r)
{
	return r->base + r->size;
}

static bool range_ok(u64 base, u64 size)
{
	return size && size <= UINT64_MAX - base;
}

/* Overlap resolution order: anything beats MEM_USABLE, then higher numbers win. */
static bool outranks(u32 a, u32 b)
{
	u64 pa = a == MEM_USABLE ? 0 : (u64)a + 1;
	u64 pb = b == MEM_USABLE ? 0 : (u64)b + 1;

	return pa > pb;
}

static void remove_at(struct memmap *m, unsigned int i)
{
	memmove(&m->r[i], &m->r[i + 1], (m->nr - i - 1) * sizeof(m->r[0]));
	m->nr--;
}

/* Inserts @r at its sorted place at or after index @from; the caller ensures room. */
static void insert_sorted(struct memmap *m, unsigned int from, struct mem_range r)
{
	unsigned int j = from;

	while (j < m->nr && m->r[j].base <= r.base)
		j++;
	memmove(&m->r[j + 1], &m->r[j], (m->nr - j) * sizeof(m->r[0]));
	m->r[j] = r;
	m->nr++;
}

/* Shrinks @r to whole pages; it ends up empty if it holds none. */
static void page_trim(struct mem_range *r)
{
	u64 end = ALIGN_DOWN(range_end(r), PAGE_SIZE);

	if (r->base > end) {
		r->size = 0;
		return;
	}
	/* r->base <= end and end is page-aligned, so rounding up cannot wrap. */
	r->base = ALIGN_UP(r->base, PAGE_SIZE);
	r->size = end - r->base;
}

void memmap_init(struct memmap *m)
{
	m->nr = 0;
}

int memmap_add(struct memmap *m, u64 base, u64 size, u32 type)
{
	if (!range_ok(base, size))
		return -EINVAL;
	if (m->nr >= MEMMAP_MAX)
		return -ENOSPC;
	m->r[m->nr++] = (struct mem_range){ .base = base, .size = size, .type = type };
	return 0;
}

/* Drops empty ranges and clamps wrapping ones (the map may have been filled directly). */
static void drop_invalid(struct memmap *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr; i++) {
		struct mem_range r = m->r[i];

		if (r.size > UINT64_MAX - r.base)
			r.size = UINT64_MAX - r.base;
		if (r.size)
			m->r[n++] = r;
	}
	m->nr = n;
}

/* Insertion sort by base: at most MEMMAP_MAX entries, no extra storage. */
static void sort_by_base(struct memmap *m)
{
	unsigned int i, j;

	for (i = 1; i < m->nr; i++) {
		struct mem_range r = m->r[i];

		for (j = i; j && m->r[j - 1].base > r.base; j--)
			m->r[j] = m->r[j - 1];
		m->r[j] = r;
	}
}

/* r[i] and r[i+1] overlap with the same type: one range covers both. */
static void absorb_next(struct memmap *m, unsigned int i)
{
	struct mem_range *a = &m->r[i];
	u64 end = MAX(range_end(a), range_end(&m->r[i + 1]));

	a->size = end - a->base;
	remove_at(m, i + 1);
}

/* r[i] outranks the overlapping r[i+1]: only the part of r[i+1] past r[i] survives. */
static void clip_next(struct memmap *m, unsigned int i)
{
	struct mem_range b = m->r[i + 1];
	u64 a_end = range_end(&m->r[i]), b_end = range_end(&b);

	remove_at(m, i + 1);
	if (b_end > a_end)
		insert_sorted(m, i + 1, (struct mem_range){
			.base = a_end, .size = b_end - a_end, .type = b.type });
}

/*
 * r[i+1] outranks the overlapping r[i]: r[i] keeps what lies before r[i+1]
 * and, as a new range, what lies after it. A full map has no room for that
 * new range, so r[i+1] is stretched over it instead: the stricter type then
 * covers it, which never exposes memory that was not usable.
 */
static void split_around_next(struct memmap *m, unsigned int i)
{
	struct mem_range a = m->r[i], b = m->r[i + 1];
	u64 a_end = range_end(&a), b_end = range_end(&b);
	unsigned int bi = i + 1;

	if (b.base == a.base) {
		remove_at(m, i);
		bi = i;
	} else {
		m->r[i].size = b.base - a.base;
	}
	if (a_end <= b_end)
		return;
	if (m->nr < MEMMAP_MAX)
		insert_sorted(m, bi + 1, (struct mem_range){
			.base = b_end, .size = a_end - b_end, .type = a.type });
	else
		m->r[bi].size = a_end - b.base;
}

/*
 * Sweeps the sorted map once. Everything before index i is final: it ends at
 * or before r[i].base, and every later range starts at or after r[i].base,
 * so only r[i] and r[i+1] can overlap. Each step either advances i, drops a
 * range, or moves a range's base forward past r[i].
 */
static void resolve_overlaps(struct memmap *m)
{
	unsigned int i = 0;

	while (i + 1 < m->nr) {
		const struct mem_range *a = &m->r[i], *b = &m->r[i + 1];

		if (b->base >= range_end(a))
			i++;
		else if (a->type == b->type)
			absorb_next(m, i);
		else if (outranks(a->type, b->type))
			clip_next(m, i);
		else
			split_around_next(m, i);
	}
}

static void merge_adjacent(struct memmap *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr; i++) {
		struct mem_range *prev = n ? &m->r[n - 1] : NULL;

		if (prev && prev->type == m->r[i].type && range_end(prev) == m->r[i].base)
			prev->size += m->r[i].size;
		else
			m->r[n++] = m->r[i];
	}
	m->nr = n;
}

/* Merged first, so that usable fragments sharing a page keep that page. */
static void trim_usable(struct memmap *m)
{
	unsigned int i, n = 0;

	for (i = 0; i < m->nr; i++) {
		struct mem_range r = m->r[i];

		if (r.type == MEM_USABLE)
			page_trim(&r);
		if (r.size)
			m->r[n++] = r;
	}
	m->nr = n;
}

void memmap_normalize(struct memmap *m)
{
	drop_invalid(m);
	sort_by_base(m);
	resolve_overlaps(m);
	merge_adjacent(m);
	trim_usable(m);
}

/*
 * The pieces that replace the window of ranges @lo..@hi-1 (all those that
 * overlap @mid or touch it with the same type): what sticks out of @mid on
 * either side keeps its type, same-typed ranges merge into @mid, and usable
 * pieces are trimmed to pages. Returns the number of pieces (at most 3).
 */
static unsigned int carve(const struct memmap *m, unsigned int lo, unsigned int hi,
			  struct mem_range mid, struct mem_range *piece)
{
	struct mem_range left = { 0 }, right = { 0 };
	unsigned int i, n = 0;
	u64 end = range_end(&mid);

	if (lo < hi) {
		const struct mem_range *first = &m->r[lo], *last = &m->r[hi - 1];

		if (first->type == mid.type)
			mid.base = MIN(mid.base, first->base);
		else if (first->base < mid.base)
			left = (struct mem_range){ .base = first->base,
						   .size = mid.base - first->base,
						   .type = first->type };
		if (last->type == mid.type)
			end = MAX(end, range_end(last));
		else if (range_end(last) > end)
			right = (struct mem_range){ .base = end,
						    .size = range_end(last) - end,
						    .type = last->type };
	}
	mid.size = end - mid.base;
	piece[0] = left;
	piece[1] = mid;
	piece[2] = right;
	for (i = 0; i < 3; i++) {
		if (piece[i].type == MEM_USABLE)
			page_trim(&piece[i]);
		if (piece[i].size)
			piece[n++] = piece[i];
	}
	return n;
}

/*
 * Returns 0, -EINVAL for an empty or wrapping range, or -ENOSPC (map left
 * unchanged) if the result would not fit. The room needed is known exactly
 * before anything moves: only the window's ranges change.
 */
int memmap_set(struct memmap *m, u64 base, u64 size, u32 type)
{
	struct mem_range piece[3];
	unsigned int lo = 0, hi, n;
	u64 end;

	if (!range_ok(base, size))
		return -EINVAL;
	end = base + size;
	while (lo < m->nr && (range_end(&m->r[lo]) < base ||
			      (range_end(&m->r[lo]) == base && m->r[lo].type != type)))
		lo++;
	hi = lo;
	while (hi < m->nr && (m->r[hi].base < end ||
			      (m->r[hi].base == end && m->r[hi].type == type)))
		hi++;
	n = carve(m, lo, hi, (struct mem_range){ .base = base, .size = size, .type = type }, piece);
	if (m->nr - (hi - lo) + n > MEMMAP_MAX)
		return -ENOSPC;
	memmove(&m->r[lo + n], &m->r[hi], (m->nr - hi) * sizeof(m->r[0]));
	memcpy(&m->r[lo], piece, n * sizeof(piece[0]));
	m->nr = m->nr - (hi - lo) + n;
	return 0;
}

u64 memmap_total(const struct memmap *m, u32 type)
{
	unsigned int i;
	u64 total = 0;

	for (i = 0; i < m->nr; i++)
		if (m->r[i].type == type)
			total += m->r[i].size;
	return total;
}

u64 memmap_end(const struct memmap *m, u32 type)
{
	unsigned int i;
	u64 end = 0;

	for (i = 0; i < m->nr; i++)
		if (m->r[i].type == type)
			end = MAX(end, range_end(&m->r[i]));
	return end;
}

/* Also -EINVAL for a zero @size or an @align that is not a power of two. */
int memmap_find_top(const struct memmap *m, u64 size, u64 align, u64 limit, u64 *out)
{
	unsigned int i;
	bool found = false;
	u64 best = 0;

	if (!size || !align || (align & (align - 1)))
		return -EINVAL;
	for (i = 0; i < m->nr; i++) {
		const struct mem_range *r = &m->r[i];
		u64 top = MIN(range_end(r), limit), cand;

		if (r->type != MEM_USABLE || top < r->base || top - r->base < size)
			continue;
		cand = ALIGN_DOWN(top - size, align);
		if (cand >= r->base && (!found || cand > best)) {
			best = cand;
			found = true;
		}
	}
	if (!found)
		return -ENOMEM;
	*out = best;
	return 0;
}

/*
 * Walks from @base through consecutive ranges of @type, so a block spanning
 * two touching ranges counts even before normalization. An empty or wrapping
 * block is never covered: callers use this to validate what they are given.
 */
bool memmap_covers(const struct memmap *m, u64 base, u64 size, u32 type)
{
	u64 cur = base, end;
	unsigned int i;
	bool moved = true;

	if (!range_ok(base, size))
		return false;
	end = base + size;
	while (cur < end && moved) {
		moved = false;
		for (i = 0; i < m->nr; i++) {
			const struct mem_range *r = &m->r[i];

			if (r->type == type && r->base <= cur && cur < range_end(r)) {
				cur = range_end(r);
				moved = true;
			}
		}
	}
	return cur >= end;
}
