// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler's policy (kernel/sched_policy.h): weighted fair share of CPU
 * time across VMs and within each, caps, affinity; and the queue helpers the
 * mechanics in kernel/sched.c and the unit tests' simulation share.
 */
#include "kernel/sched_policy.h"
#include "kernel/string.h"

#define ARRIVAL_LAG (4 * slice_ticks)

static u64 cap_period = 1, slice_ticks;

void sched_policy_setup(u64 period, u64 slice)
{
	cap_period = period ? period : 1;
	slice_ticks = slice;
}

void sched_group_init(struct sched_group *g)
{
	memset(g, 0, sizeof(*g));
	g->weight = SCHED_WEIGHT_DEFAULT;
}

void sched_entity_init(struct sched_entity *e, struct sched_group *g)
{
	memset(e, 0, sizeof(*e));
	e->group = g;
	e->weight = SCHED_WEIGHT_DEFAULT;
	memset(e->affinity, 0xff, sizeof(e->affinity));
}

bool sched_affine(const struct sched_entity *e, unsigned int cpu)
{
	return cpu < SCHED_MAX_CPUS && (e->affinity[cpu / 64] & BIT(cpu % 64));
}

void sched_set_affinity(struct sched_entity *e, const u64 *mask)
{
	memcpy(e->affinity, mask, sizeof(e->affinity));
}

void sched_queue_add(struct sched_queue *q, struct sched_entity *e)
{
	e->next = NULL;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->nr++;
}

bool sched_queue_remove(struct sched_queue *q, struct sched_entity *e)
{
	struct sched_entity **pp = &q->head, *prev = NULL;

	while (*pp && *pp != e) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (!*pp)
		return false;
	*pp = e->next;
	if (q->tail == e)
		q->tail = prev;
	q->nr--;
	return true;
}

bool sched_queue_has(const struct sched_queue *q, const struct sched_entity *e)
{
	for (const struct sched_entity *p = q->head; p; p = p->next)
		if (p == e)
			return true;
	return false;
}

/* @a is behind @b: virtual times wrap, and only their difference counts. */
static bool behind(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

/*
 * The lowest virtual times of the awake entities @ok accepts: the floors a
 * waking one rises to. With none awake, the group floor is the lowest of the
 * other groups still queued here, asleep: one that comes to a CPU whose
 * vCPUs all sleep does not get it for as long as its virtual time lags theirs.
 */
static void floors(struct sched_queue *q, const struct sched_entity *w,
		   bool (*ok)(struct sched_entity *e, void *ctx), void *ctx, u64 *gf, u64 *ef)
{
	u64 asleep = 0;
	bool awake = false;

	*gf = *ef = 0;
	for (struct sched_entity *e = q->head; e; e = e->next) {
		if (e == w)
			continue;
		if (e->group != w->group && (!asleep || behind(e->group->vtime, asleep)))
			asleep = e->group->vtime;
		if (e->sleeping || !ok(e, ctx))
			continue;
		if (!awake || behind(e->group->vtime, *gf))
			*gf = e->group->vtime;
		awake = true;
		if (e->group == w->group && (!*ef || behind(e->vtime, *ef)))
			*ef = e->vtime;
	}
	if (!awake)
		*gf = asleep;
}

void sched_arrive(const struct sched_policy *p, struct sched_queue *q, struct sched_entity *e,
		  bool (*ok)(struct sched_entity *e, void *ctx), void *ctx)
{
	u64 gf, ef;

	floors(q, e, ok, ctx, &gf, &ef);
	p->wake(e, gf ? gf - ARRIVAL_LAG : 0, ef ? ef - ARRIVAL_LAG : 0);
}

struct sched_entity *sched_best(const struct sched_policy *p, struct sched_queue *q, u64 now,
				bool (*ok)(struct sched_entity *e, void *ctx), void *ctx,
				u64 *retry)
{
	struct sched_entity *best = NULL;
	u64 gf, ef, until;

	for (struct sched_entity *e = q->head; e; e = e->next) {
		if (!ok(e, ctx))
			continue;
		if (e->sleeping) {
			floors(q, e, ok, ctx, &gf, &ef);
			p->wake(e, gf, ef);
		}
		until = p->throttled_until(e->group, now);
		if (until) {
			if (retry && until < *retry)
				*retry = until;
			continue;
		}
		if (!best || p->before(e, best))
			best = e;
	}
	return best;
}

/* ------------------------------------------------ the fair policy */

static u64 budget(const struct sched_group *g)
{
	return cap_period * g->cap / 100;
}

/*
 * Rolls the cap's period forward when it has passed; under g->lock. What the
 * last slice ran past the budget (its timer is never exact) is carried into
 * the next period, so the cap holds on average.
 */
static void roll_period(struct sched_group *g, u64 now)
{
	u64 periods;

	if (!g->period_started) {
		g->period_started = true;
		g->period_start = now;
	}
	/* @now was read before the lock: another CPU may have rolled past it */
	if ((s64)(now - g->period_start) < (s64)cap_period)
		return;
	periods = (now - g->period_start) / cap_period;
	if (!periods)
		return;
	g->period_start += periods * cap_period;
	g->period_used = periods == 1 && g->period_used > budget(g) ? g->period_used - budget(g) : 0;
}

static u64 fair_throttled_until(struct sched_group *g, u64 now)
{
	u64 flags, until = 0;

	if (!g->cap)
		return 0;
	flags = spin_lock_irqsave(&g->lock);
	roll_period(g, now);
	if (g->period_used >= budget(g))
		until = g->period_start + cap_period;
	spin_unlock_irqrestore(&g->lock, flags);
	return until;
}

/* The group furthest behind first; within a group, the entity furthest behind. */
static bool fair_before(const struct sched_entity *a, const struct sched_entity *b)
{
	if (a->group != b->group && a->group->vtime != b->group->vtime)
		return behind(a->group->vtime, b->group->vtime);
	return behind(a->vtime, b->vtime);
}

static void fair_charge(struct sched_entity *e, u64 ticks, u64 now)
{
	struct sched_group *g = e->group;
	u64 flags;

	__atomic_fetch_add(&g->vtime, ticks * SCHED_WEIGHT_DEFAULT / g->weight, __ATOMIC_RELAXED);
	__atomic_fetch_add(&g->ran, ticks, __ATOMIC_RELAXED);
	e->vtime += ticks * SCHED_WEIGHT_DEFAULT / e->weight;
	e->ran += ticks;
	e->sleeping = false;
	if (!g->cap)
		return;
	flags = spin_lock_irqsave(&g->lock);
	roll_period(g, now);
	g->period_used += ticks;
	spin_unlock_irqrestore(&g->lock, flags);
}

/*
 * A VM or vCPU that slept does not get back the time it did not want: it
 * rises to the lowest virtual time of those it now competes with here.
 */
static void fair_wake(struct sched_entity *e, u64 group_floor, u64 entity_floor)
{
	struct sched_group *g = e->group;
	u64 v = g->vtime;

	while (group_floor && behind(v, group_floor) &&
	       !__atomic_compare_exchange_n(&g->vtime, &v, group_floor, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED))
		;
	if (entity_floor && behind(e->vtime, entity_floor))
		e->vtime = entity_floor;
	e->sleeping = false;
}

static u64 fair_slice_end(struct sched_entity *e, u64 now, u64 slice)
{
	struct sched_group *g = e->group;
	u64 flags, left;

	if (!g->cap)
		return now + slice;
	flags = spin_lock_irqsave(&g->lock);
	roll_period(g, now);
	left = budget(g) > g->period_used ? budget(g) - g->period_used : 0;
	spin_unlock_irqrestore(&g->lock, flags);
	return now + MIN(slice, left);
}

/*
 * Another CPU's waiting vCPU is taken when it is further behind than the one
 * this CPU would run by more than a slice's worth: vCPUs move to even out
 * shares, not back and forth at every pick.
 */
static bool fair_pull(const struct sched_entity *remote, const struct sched_entity *local)
{
	if (!local)
		return true;
	if (remote->group != local->group)
		return behind(remote->group->vtime + slice_ticks, local->group->vtime);
	return behind(remote->vtime + slice_ticks, local->vtime);
}

const struct sched_policy sched_fair = {
	.name = "fair",
	.throttled_until = fair_throttled_until,
	.before = fair_before,
	.charge = fair_charge,
	.wake = fair_wake,
	.slice_end = fair_slice_end,
	.pull = fair_pull,
};
