// SPDX-License-Identifier: GPL-2.0
/*
 * The fair policy (kernel/sched_policy.c) on a deterministic simulation of
 * CPUs with their own queues, run as kernel/sched.c runs them: each CPU in
 * turn picks its best runnable entity for a slice (or until its VM's cap is
 * spent), or the best waiting one of another queue that it may run when the
 * policy would pull it, and charges it. Time is in ticks of 1 us. Shares, caps and
 * affinity must hold within 2%.
 */
#include "test.h"
#include "kernel/sched_policy.h"

#define NCPU_MAX 8
#define NENT_MAX 16
#define SLICE 10000ULL			/* 10 ms */
#define PERIOD 100000ULL		/* the cap's 100 ms */

struct sim {
	unsigned int ncpu, nent;
	struct sched_queue q[NCPU_MAX];
	struct sched_group g[NENT_MAX];
	struct sched_entity e[NENT_MAX];
	unsigned int cpu_of[NENT_MAX];
	u64 sleep_until[NENT_MAX];	/* blocked until then */
	u64 ran_on[NENT_MAX][NCPU_MAX];
	const struct sched_entity *running[NCPU_MAX];
	u64 busy_until[NCPU_MAX];
	u64 now;
};

static struct sim s;

struct pick_ctx {
	unsigned int cpu;
	bool steal;
};

static unsigned int index_of(const struct sched_entity *e)
{
	return (unsigned int)(e - s.e);
}

static bool runnable(struct sched_entity *e, void *ctx)
{
	const struct pick_ctx *c = ctx;
	unsigned int i = index_of(e);

	if (s.sleep_until[i] > s.now)
		return false;
	if (!c->steal)
		return true;
	for (unsigned int cpu = 0; cpu < s.ncpu; cpu++)
		if (s.running[cpu] == e)
			return false;
	return sched_affine(e, c->cpu);
}

static void sim_reset(unsigned int ncpu)
{
	memset(&s, 0, sizeof(s));
	s.ncpu = ncpu;
	sched_policy_setup(PERIOD, SLICE);
}

/* Entity @i of group @g, queued on @cpu. */
static void add(unsigned int i, unsigned int g, unsigned int cpu)
{
	if (!s.g[g].weight)
		sched_group_init(&s.g[g]);
	sched_entity_init(&s.e[i], &s.g[g]);
	s.cpu_of[i] = cpu;
	sched_queue_add(&s.q[cpu], &s.e[i]);
	if (i >= s.nent)
		s.nent = i + 1;
}

/* The best entity waiting on another queue that may run here, if the policy pulls it over @local. */
static struct sched_entity *steal(unsigned int cpu, struct sched_entity *local)
{
	struct pick_ctx c = { cpu, true };
	struct sched_entity *best = NULL, *e;
	unsigned int from = 0;

	for (unsigned int o = 0; o < s.ncpu; o++) {
		if (o == cpu)
			continue;
		e = sched_best(&sched_fair, &s.q[o], s.now, runnable, &c, NULL);
		if (e && (!best || sched_fair.before(e, best))) {
			best = e;
			from = o;
		}
	}
	if (best && !sched_fair.pull(best, local))
		best = NULL;
	if (best) {
		struct pick_ctx here = { cpu, false };

		sched_queue_remove(&s.q[from], best);
		sched_queue_add(&s.q[cpu], best);
		s.cpu_of[index_of(best)] = cpu;
		sched_arrive(&sched_fair, &s.q[cpu], best, runnable, &here);
	}
	return best;
}

/* Runs the machine for @ticks: each CPU picks when its last choice is used up. */
static void run(u64 ticks)
{
	u64 end = s.now + ticks;

	for (; s.now < end; s.now++) {
		for (unsigned int cpu = 0; cpu < s.ncpu; cpu++) {
			struct pick_ctx c = { cpu, false };
			struct sched_entity *e, *far;
			u64 until;

			if (s.busy_until[cpu] > s.now)
				continue;
			s.running[cpu] = NULL;
			e = sched_best(&sched_fair, &s.q[cpu], s.now, runnable, &c, NULL);
			far = steal(cpu, e);
			if (far)
				e = far;
			if (!e)
				continue;
			until = sched_fair.slice_end(e, s.now, SLICE);
			until = MIN(until, end);
			if (until <= s.now)
				continue;
			s.running[cpu] = e;
			s.busy_until[cpu] = until;
			sched_fair.charge(e, until - s.now, until);
			s.ran_on[index_of(e)][cpu] += until - s.now;
		}
	}
}

static u64 ran(unsigned int i)
{
	return s.e[i].ran;
}

/* @a / @b within 2% of @want. */
static bool ratio_near(u64 a, u64 b, double want)
{
	double r = (double)a / (double)b;

	return r > want * 0.98 && r < want * 1.02;
}

/* Two VMs of one vCPU on one CPU, weights 512 and 256: 2:1. */
TEST(weights_one_cpu)
{
	sim_reset(1);
	add(0, 0, 0);
	add(1, 1, 0);
	s.g[0].weight = 512;
	run(2000000);
	CHECK(ratio_near(ran(0), ran(1), 2.0));
	CHECK_EQ(ran(0) + ran(1), 2000000);
}

/* The mix: two VMs of two spinning vCPUs on three CPUs, weights 2:1. */
TEST(weights_two_vms_three_cpus)
{
	sim_reset(3);
	add(0, 0, 0);
	add(1, 0, 1);
	add(2, 1, 2);
	add(3, 1, 0);
	s.g[0].weight = 512;
	run(3000000);
	CHECK(ratio_near(s.g[0].ran, s.g[1].ran, 2.0));
	CHECK(ratio_near(ran(0), ran(1), 1.0));
	CHECK(ratio_near(ran(2), ran(3), 1.0));
}

/* Within a VM, vCPU weights share the VM's time: 3:1. */
TEST(weights_within_vm)
{
	sim_reset(1);
	add(0, 0, 0);
	add(1, 0, 0);
	s.e[0].weight = 768;
	run(2000000);
	CHECK(ratio_near(ran(0), ran(1), 3.0));
}

/* A 25% cap holds alone on a CPU, and beside an uncapped VM that takes the rest. */
TEST(cap_quarter)
{
	sim_reset(1);
	add(0, 0, 0);
	s.g[0].cap = 25;
	run(2000000);
	CHECK(ratio_near(ran(0), 500000, 1.0));

	sim_reset(1);
	add(0, 0, 0);
	add(1, 1, 0);
	s.g[0].cap = 25;
	s.g[0].weight = 4096;
	run(2000000);
	CHECK(ratio_near(ran(0), 500000, 1.0));
	CHECK(ratio_near(ran(1), 1500000, 1.0));
}

/* A cap over one CPU: 150% for a VM of two vCPUs on two CPUs. */
TEST(cap_over_one_cpu)
{
	sim_reset(2);
	add(0, 0, 0);
	add(1, 0, 1);
	s.g[0].cap = 150;
	run(2000000);
	CHECK(ratio_near(s.g[0].ran, 3000000, 1.0));
}

/* A vCPU held to CPU 1 never runs elsewhere, though CPU 0 idles and pulls. */
TEST(affinity_held)
{
	u64 only1[SCHED_AFFINITY_WORDS] = { BIT(1) };

	sim_reset(2);
	add(0, 0, 1);
	add(1, 1, 1);
	add(2, 2, 1);
	sched_set_affinity(&s.e[0], only1);
	run(1000000);
	CHECK_EQ(s.ran_on[0][0], 0);
	CHECK(ran(0) > 0);
	CHECK(ran(1) + ran(2) > 0);
	CHECK(!sched_affine(&s.e[0], 0) && sched_affine(&s.e[1], 0));
	CHECK(!sched_affine(&s.e[1], SCHED_MAX_CPUS));
}

/*
 * A VM that ran alone on its CPU for 10 s (the control guest on its own CPU
 * since boot) is not starved there once four VMs held to the other CPU until
 * now may come too: those that come arrive at most 4 slices behind its
 * virtual time, not the 7.5 s they lag (before, it got nothing for 14 s).
 * Three come and the four share CPU 1; the one that stays keeps CPU 0 while
 * it catches up (a lag of its own, on the CPU it never left).
 */
TEST(arrivals_bring_no_lag)
{
	u64 only0[SCHED_AFFINITY_WORDS] = { BIT(0) }, only1[SCHED_AFFINITY_WORDS] = { BIT(1) };
	u64 both[SCHED_AFFINITY_WORDS] = { BIT(0) | BIT(1) }, before;

	sim_reset(2);
	add(0, 0, 1);
	sched_set_affinity(&s.e[0], only1);
	for (unsigned int i = 1; i <= 4; i++) {
		add(i, i, 0);
		sched_set_affinity(&s.e[i], only0);
	}
	run(10000000);
	for (unsigned int i = 1; i <= 4; i++)
		sched_set_affinity(&s.e[i], both);
	run(1000000);
	before = ran(0);
	run(1000000);
	CHECK(ratio_near(ran(0) - before, 250000, 1.0));
}

/*
 * A VM that ends leaves nothing behind on its CPU: the control guest's vCPU
 * there, asleep while that VM ran alone for 10 s, wakes without its group
 * jumping ahead, so its busy sibling on the other CPU keeps half of it beside
 * another VM.
 */
TEST(ended_vm_sets_no_floor)
{
	u64 only0[SCHED_AFFINITY_WORDS] = { BIT(0) }, only1[SCHED_AFFINITY_WORDS] = { BIT(1) };
	u64 before;

	sim_reset(2);
	add(0, 0, 0);
	add(1, 0, 1);
	add(2, 1, 0);
	add(3, 2, 1);
	sched_set_affinity(&s.e[0], only0);
	sched_set_affinity(&s.e[2], only0);
	sched_set_affinity(&s.e[1], only1);
	sched_set_affinity(&s.e[3], only1);
	s.sleep_until[1] = ~0ULL;
	s.e[1].sleeping = true;
	run(10000000);
	sched_queue_remove(&s.q[1], &s.e[3]);
	s.sleep_until[3] = ~0ULL;
	s.sleep_until[1] = 0;
	run(10000);
	s.sleep_until[1] = ~0ULL;
	s.e[1].sleeping = true;
	before = ran(0);
	run(2000000);
	CHECK(ratio_near(ran(0) - before, 1000000, 1.0));
}

/* Eight vCPUs of eight VMs on two CPUs: each gets a quarter of a CPU. */
TEST(more_vcpus_than_cpus)
{
	sim_reset(2);
	for (unsigned int i = 0; i < 8; i++)
		add(i, i, 0);
	run(4000000);
	for (unsigned int i = 0; i < 8; i++)
		CHECK(ratio_near(ran(i), 1000000, 1.0));
}

/*
 * A VM that blocks for a second does not get that second back when it
 * wakes: from then on the two share the CPU evenly.
 */
TEST(sleeper_gets_no_burst)
{
	u64 a, b;

	sim_reset(1);
	add(0, 0, 0);
	add(1, 1, 0);
	run(100000);
	s.sleep_until[0] = s.now + 1000000;
	s.e[0].sleeping = true;
	run(1000000);
	a = ran(0);
	b = ran(1);
	run(1000000);
	CHECK(ratio_near(ran(0) - a, ran(1) - b, 1.0));
}

/*
 * A VM that starts after another ran alone for a second (queued as
 * sched_add() queues it: sleeping, so it rises to the queue's virtual time)
 * shares the CPU evenly from then on, and does not run until it caught up.
 */
TEST(newcomer_gets_no_burst)
{
	u64 a;

	sim_reset(1);
	add(0, 0, 0);
	run(1000000);
	add(1, 1, 0);
	s.e[1].sleeping = true;
	a = ran(0);
	run(1000000);
	CHECK(ratio_near(ran(0) - a, ran(1), 1.0));
}

/* The queue helpers: order kept, removal anywhere, a stranger ignored. */
TEST(queue_ops)
{
	struct sched_queue q = { 0 };
	struct sched_entity other;

	sim_reset(1);
	add(0, 0, 0);
	add(1, 0, 0);
	add(2, 0, 0);
	CHECK(sched_queue_remove(&s.q[0], &s.e[2]));
	CHECK(s.q[0].tail == &s.e[1] && s.q[0].nr == 2);
	sched_queue_remove(&s.q[0], &s.e[0]);
	CHECK(s.q[0].head == &s.e[1] && s.q[0].nr == 1);
	CHECK(!sched_queue_remove(&s.q[0], &other));
	CHECK_EQ(s.q[0].nr, 1);
	sched_queue_remove(&s.q[0], &s.e[1]);
	CHECK(!s.q[0].head && !s.q[0].tail && !s.q[0].nr);
	CHECK(!q.head);
}

/* A throttled VM is skipped, and the caller learns when it may run again. */
TEST(retry_when_throttled)
{
	struct pick_ctx c = { 0, false };
	u64 retry = ~0ULL;

	sim_reset(1);
	add(0, 0, 0);
	s.g[0].cap = 10;
	run(10000);
	CHECK(!sched_best(&sched_fair, &s.q[0], s.now, runnable, &c, &retry));
	CHECK_EQ(retry, PERIOD);
}

TEST_MAIN("sched_policy", T(weights_one_cpu), T(weights_two_vms_three_cpus), T(weights_within_vm),
	  T(cap_quarter), T(cap_over_one_cpu), T(affinity_held), T(arrivals_bring_no_lag),
	  T(ended_vm_sets_no_floor),
	  T(more_vcpus_than_cpus),
	  T(sleeper_gets_no_burst), T(newcomer_gets_no_burst), T(queue_ops),
	  T(retry_when_throttled))
