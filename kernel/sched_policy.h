/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the scheduler's policy decides, apart from how run queues, locks and
 * CPUs work (kernel/sched.c): which runnable vCPU of a queue goes first, how
 * the time it ran is charged, when a capped VM may run again. Pure logic,
 * unit-tested on a deterministic simulation (tests/unit/test_sched_policy.c).
 *
 * A VM is a group with a weight and a cap; each of its vCPUs is an entity
 * with a weight within the group and an affinity mask. The fair policy
 * (sched_fair) gives each VM CPU time in proportion to its weight among the
 * VMs that want it, and each vCPU its share within its VM: every group and
 * entity has a virtual time, the CPU time it got divided by its weight, and
 * a queue runs the entity whose group, then itself, is furthest behind. A
 * cap holds a VM to a percentage of one CPU per period. Virtual times are
 * compared as differences, so they may wrap.
 */
#ifndef KEEL_SCHED_POLICY_H
#define KEEL_SCHED_POLICY_H

#include "kernel/spinlock.h"
#include "kernel/types.h"

#define SCHED_WEIGHT_DEFAULT 256U
#define SCHED_WEIGHT_MAX 65535U
#define SCHED_CAP_MAX 10000U		/* percent of one CPU: up to 100 CPUs */
#define SCHED_CAP_PERIOD_NS 100000000ULL	/* 100 ms */
#define SCHED_MAX_CPUS 256
#define SCHED_AFFINITY_WORDS (SCHED_MAX_CPUS / 64)

struct sched_group {
	struct spinlock lock;		/* the cap's period */
	u32 weight;			/* 1-SCHED_WEIGHT_MAX */
	u32 cap;			/* percent of one CPU per period, 0: none */
	volatile u64 vtime;		/* ticks run, times SCHED_WEIGHT_DEFAULT / weight */
	bool period_started;		/* at its first look: a whole period */
	u64 period_start, period_used;	/* ticks */
	volatile u64 ran;		/* ticks run in all */
};

struct sched_entity {
	struct sched_group *group;
	struct sched_entity *next;	/* on its queue */
	u32 weight;			/* within its group */
	bool sleeping;			/* blocked since it last ran */
	u64 vtime;
	u64 ran;
	u64 affinity[SCHED_AFFINITY_WORDS];	/* the CPUs it may run on */
	u64 ran_on[SCHED_AFFINITY_WORDS];	/* the CPUs it ran on */
};

/* The entities of one CPU, runnable or blocked, in the order they were added. */
struct sched_queue {
	struct sched_entity *head, *tail;
	unsigned int nr;
};

struct sched_policy {
	const char *name;
	/* 0 if @g may run at @now, else the first tick it may run again (its cap is spent). */
	u64 (*throttled_until)(struct sched_group *g, u64 now);
	/* Whether @a goes before @b. */
	bool (*before)(const struct sched_entity *a, const struct sched_entity *b);
	/* @e ran for @ticks, until @now. */
	void (*charge)(struct sched_entity *e, u64 ticks, u64 now);
	/* @e wakes after sleeping: it catches up no time it did not want (the floors). */
	void (*wake)(struct sched_entity *e, u64 group_floor, u64 entity_floor);
	/* The tick by which @e, starting at @now, must stop: @slice on, or sooner at its cap. */
	u64 (*slice_end)(struct sched_entity *e, u64 now, u64 slice);
	/*
	 * Whether a CPU about to run @local (NULL: nothing) takes @remote, waiting
	 * on another CPU's queue, instead: how load is balanced.
	 */
	bool (*pull)(const struct sched_entity *remote, const struct sched_entity *local);
};

extern const struct sched_policy sched_fair;

/* Ticks per cap period and per slice; set once before any charge (sched_init(), or a test). */
void sched_policy_setup(u64 period, u64 slice);
void sched_group_init(struct sched_group *g);
/* An entity of @g that may run on every CPU. */
void sched_entity_init(struct sched_entity *e, struct sched_group *g);
bool sched_affine(const struct sched_entity *e, unsigned int cpu);
void sched_set_affinity(struct sched_entity *e, const u64 *mask);

void sched_queue_add(struct sched_queue *q, struct sched_entity *e);
/* Whether @e was on @q (and is no longer). */
bool sched_queue_remove(struct sched_queue *q, struct sched_entity *e);
/* Whether @e is on @q; @e is only compared, never read. */
bool sched_queue_has(const struct sched_queue *q, const struct sched_entity *e);

/*
 * The entity of @q to run at @now under @p: among those @ok accepts (the
 * caller's runnable, allowed here), not throttled, the first by p->before,
 * after waking the sleeping ones it accepts (to the lowest virtual times of
 * those awake here; with none awake, to the lowest group's still queued).
 * NULL if none; then *@retry (if not NULL) is lowered to the first tick a
 * throttled one may run again.
 */
struct sched_entity *sched_best(const struct sched_policy *p, struct sched_queue *q, u64 now,
				bool (*ok)(struct sched_entity *e, void *ctx), void *ctx,
				u64 *retry);
/*
 * @e, taken from another CPU's queue to run from @q, rises to within four
 * slices of @q's floors (those of the entities @ok accepts): a lag of a few
 * slices is what balancing evens out (p->pull); one of seconds, from a time
 * held to another CPU, is not repaid here by starving this CPU's entities.
 */
void sched_arrive(const struct sched_policy *p, struct sched_queue *q, struct sched_entity *e,
		  bool (*ok)(struct sched_entity *e, void *ctx), void *ctx);

#endif
