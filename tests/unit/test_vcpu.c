// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU lifecycle (kernel/vcpu.c): its transition table, starts, the
 * start latched while a vCPU parks after INIT, HLT accounting that ends a
 * VM whose vCPUs all halted for good, and the last vCPU's retirement.
 */
#include "test.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"

static int queued, ended, on_end_calls, setups;
static bool nmi_pending;
static const char *end_reason;
static u64 setup_arg;

void sched_add(struct vcpu *v)
{
	queued++;
}

void sched_add_on(struct vcpu *v, unsigned int cpu)
{
	queued++;
	v->cpu = cpu;
}

void vm_end_locked(struct vm *vm, u64 status, const char *reason)
{
	if (vm->state != VM_RUNNING)
		return;
	ended++;
	end_reason = reason;
	vm->state = VM_ENDED;
}

void vm_end(struct vm *vm, u64 status, const char *reason)
{
	vm_end_locked(vm, status, reason);
}

bool arch_vcpu_nmi_pending(const struct vcpu *v)
{
	return nmi_pending;
}

static void on_end(struct vm *vm)
{
	on_end_calls++;
}

static void setup(struct vcpu *v, u64 arg)
{
	setups++;
	setup_arg = arg;
}

static struct vm vm;
static struct vcpu cpus[2];

static void reset(void)
{
	memset(&vm, 0, sizeof(vm));
	memset(cpus, 0, sizeof(cpus));
	vm.on_end = on_end;
	for (int i = 0; i < 2; i++) {
		cpus[i].vm = &vm;
		cpus[i].state = VCPU_PARKED;
		vm.vcpus[vm.nr_vcpus++] = &cpus[i];
	}
	queued = ended = on_end_calls = setups = 0;
	end_reason = NULL;
	nmi_pending = false;
}

/* One slice on the vCPU's CPU: taken off the queue, run, back (or halted). */
static void run(struct vcpu *v, bool blocked, bool for_good)
{
	vcpu_run_begin(v);
	CHECK_EQ(v->state, VCPU_RUNNING);
	vcpu_run_end(v, blocked, for_good);
}

TEST(transition_table)
{
	CHECK(vcpu_transition_ok(VCPU_PARKED, VCPU_RUNNABLE));
	CHECK(vcpu_transition_ok(VCPU_RUNNING, VCPU_BLOCKED));
	CHECK(vcpu_transition_ok(VCPU_BLOCKED, VCPU_RUNNING));
	CHECK(vcpu_transition_ok(VCPU_RUNNING, VCPU_PARKED));
	CHECK(vcpu_transition_ok(VCPU_IDLE, VCPU_FROZEN));
	CHECK(!vcpu_transition_ok(VCPU_PARKED, VCPU_RUNNING));	/* only through a run queue */
	CHECK(!vcpu_transition_ok(VCPU_BLOCKED, VCPU_PARKED));	/* INIT parks at the next entry */
	CHECK(!vcpu_transition_ok(VCPU_RUNNING, VCPU_FROZEN));	/* only once it is off its CPU */
	for (int s = 0; s < NR_VCPU_STATES; s++) {
		CHECK(!vcpu_transition_ok(VCPU_DEAD, (enum vcpu_state)s));
		CHECK(s == VCPU_DEAD || vcpu_transition_ok((enum vcpu_state)s, VCPU_DEAD));
	}
	CHECK(!vcpu_transition_ok(NR_VCPU_STATES, VCPU_DEAD));
}

TEST(start_only_parked)
{
	reset();
	CHECK(vcpu_start(&cpus[0], setup, 7));
	CHECK_EQ(cpus[0].state, VCPU_RUNNABLE);
	CHECK_EQ(vm.live_vcpus, 1);
	CHECK_EQ(queued, 1);
	CHECK_EQ(setup_arg, 7);
	CHECK(!vcpu_start(&cpus[0], setup, 8));		/* running: a second start is ignored */
	CHECK_EQ(setups, 1);
	CHECK(vcpu_start(&cpus[1], NULL, 0));		/* state already set */
	CHECK_EQ(vm.live_vcpus, 2);
}

/* Linux on AMD sends the SIPI right after the INIT: the start waits for the park. */
TEST(start_latched_while_parking)
{
	reset();
	vcpu_start(&cpus[0], NULL, 0);
	run(&cpus[0], false, false);
	CHECK(vcpu_request_park(&cpus[0]));
	CHECK(vcpu_park_requested(&cpus[0]));
	CHECK(vcpu_start(&cpus[0], setup, 0x9a));
	CHECK_EQ(setups, 0);
	vcpu_run_begin(&cpus[0]);
	vcpu_park(&cpus[0]);
	CHECK_EQ(setups, 1);
	CHECK_EQ(setup_arg, 0x9a);
	CHECK_EQ(cpus[0].state, VCPU_RUNNABLE);
	CHECK(!vcpu_park_requested(&cpus[0]));
	CHECK_EQ(vm.live_vcpus, 1);
	CHECK_EQ(queued, 2);
}

TEST(park_without_start_and_init_of_parked)
{
	reset();
	CHECK(!vcpu_request_park(&cpus[1]));		/* parked already: nothing to request */
	vcpu_start(&cpus[0], NULL, 0);
	vcpu_start(&cpus[1], NULL, 0);
	CHECK(vcpu_request_park(&cpus[0]));
	vcpu_run_begin(&cpus[0]);
	vcpu_park(&cpus[0]);
	CHECK_EQ(cpus[0].state, VCPU_PARKED);
	CHECK_EQ(vm.live_vcpus, 1);
	CHECK_EQ(ended, 0);				/* cpus[1] still runs */
	CHECK(vcpu_start(&cpus[0], setup, 1));
	CHECK_EQ(vm.live_vcpus, 2);
}

TEST(all_halted_ends_vm)
{
	reset();
	vcpu_start(&cpus[0], NULL, 0);
	vcpu_start(&cpus[1], NULL, 0);
	run(&cpus[0], true, true);
	CHECK_EQ(cpus[0].state, VCPU_BLOCKED);
	CHECK_EQ(vm.halted_vcpus, 1);
	CHECK_EQ(ended, 0);
	run(&cpus[0], true, true);		/* woken by an NMI, halted again */
	CHECK_EQ(vm.halted_vcpus, 1);
	run(&cpus[1], true, false);		/* an interrupt may still end this HLT */
	CHECK_EQ(ended, 0);
	run(&cpus[1], true, true);
	CHECK_EQ(ended, 1);
	CHECK(!strcmp(end_reason, "halted"));
}

/* An NMI or INIT raised while the exit handler decided "for good" still ends the HLT. */
TEST(wakeups_undo_halt)
{
	reset();
	vcpu_start(&cpus[0], NULL, 0);
	vcpu_start(&cpus[1], NULL, 0);
	run(&cpus[0], true, true);
	nmi_pending = true;			/* raised for cpus[1] before its HLT is counted */
	run(&cpus[1], true, true);
	CHECK_EQ(vm.halted_vcpus, 1);
	CHECK_EQ(ended, 0);
	nmi_pending = false;
	vcpu_unhalt(&cpus[0]);			/* an NMI for the one already counted */
	CHECK_EQ(vm.halted_vcpus, 0);
	CHECK(!cpus[0].halted_for_good);
	run(&cpus[0], true, true);
	CHECK(vcpu_request_park(&cpus[0]));	/* INIT: no longer halted either */
	CHECK_EQ(vm.halted_vcpus, 0);
	run(&cpus[1], true, true);
	CHECK_EQ(ended, 0);
}

/* Parking the last live vCPU ends the VM (nothing can start it) and reports it. */
TEST(last_park_ends_vm)
{
	reset();
	vcpu_start(&cpus[0], NULL, 0);
	vcpu_start(&cpus[1], NULL, 0);
	run(&cpus[1], true, true);
	CHECK(vcpu_request_park(&cpus[0]));
	vcpu_run_begin(&cpus[0]);
	vcpu_park(&cpus[0]);			/* the one left is halted for good */
	CHECK_EQ(ended, 1);
	CHECK_EQ(on_end_calls, 0);
	reset();
	vcpu_start(&cpus[0], NULL, 0);
	CHECK(vcpu_request_park(&cpus[0]));
	vcpu_run_begin(&cpus[0]);
	vcpu_park(&cpus[0]);
	CHECK_EQ(ended, 1);
	CHECK_EQ(on_end_calls, 1);
	CHECK(!vcpu_start(&cpus[0], NULL, 0));	/* an ended VM starts nothing */
}

TEST(last_retire_runs_on_end)
{
	reset();
	vcpu_start(&cpus[0], NULL, 0);
	vcpu_start(&cpus[1], NULL, 0);
	run(&cpus[1], true, true);
	vcpu_retire(&cpus[0]);
	CHECK_EQ(on_end_calls, 0);
	vcpu_retire(&cpus[1]);
	CHECK_EQ(on_end_calls, 1);
	CHECK_EQ(cpus[1].state, VCPU_DEAD);
	CHECK_EQ(vm.halted_vcpus, 0);
	CHECK(!vcpu_request_park(&cpus[1]));
}

/* KVM_RUN through a run queue: claimed, queued elsewhere, back to IDLE at its VMM's exit. */
TEST(claimed_vcpu_queued)
{
	reset();
	cpus[0].state = VCPU_IDLE;
	CHECK(vcpu_claim(&cpus[0], VCPU_RUNNING));
	vcpu_queue(&cpus[0], 3);
	CHECK(cpus[0].state == VCPU_RUNNABLE && cpus[0].cpu == 3 && queued == 1);
	CHECK(!vcpu_claim(&cpus[0], VCPU_FROZEN));	/* the scheduler's now */
	vcpu_run_begin(&cpus[0]);
	vcpu_run_end(&cpus[0], true, false);
	CHECK_EQ(cpus[0].state, VCPU_BLOCKED);
	vcpu_run_begin(&cpus[0]);
	vcpu_unclaim(&cpus[0]);
	CHECK_EQ(cpus[0].state, VCPU_IDLE);
	CHECK_EQ(ended, 0);
}

TEST_MAIN("vcpu", T(transition_table), T(start_only_parked), T(start_latched_while_parking),
	  T(park_without_start_and_init_of_parked), T(all_halted_ends_vm), T(wakeups_undo_halt),
	  T(last_park_ends_vm), T(last_retire_runs_on_end), T(claimed_vcpu_queued))
