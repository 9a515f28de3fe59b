// SPDX-License-Identifier: GPL-2.0
/*
 * bench: exit round trips timed with RDTSC by tests/bench/loops.S, the same
 * loops the Linux-KVM baseline runs (tests/bench/loops.h explains the
 * numbers). Prints "bench: NAME N" lines for loop (calibration), cpuid,
 * out-ioeventfd (OUT to port 0xE0) and vmmcall/vmcall (an unknown number).
 * The command line may set iters=N and rounds=N.
 */
#include "guest.h"
#include "loops.h"

/* The hypercall the loops will use, once, so a #UD is reported and skipped. */
static bool hypercall_works(void)
{
	struct cpuid_regs v = cpuid(0, 0);
	unsigned long ax = BENCH_HCALL_UNKNOWN;

	if (!memcmp(&v.ebx, "Auth", 4) || !memcmp(&v.ebx, "Hygo", 4))
		asm volatile(ASM_TRY_BEGIN "vmmcall" ASM_TRY_END : "+a"(ax) : : "memory");
	else
		asm volatile(ASM_TRY_BEGIN "vmcall" ASM_TRY_END : "+a"(ax) : : "memory");
	if (last_trap.vector == TRAP_NONE)
		return true;
	printf("hypercall raised %s: not timed\n", vector_name(last_trap.vector));
	return false;
}

void guest_main(void)
{
	static struct bench_results res;
	unsigned long iters = BENCH_DEFAULT_ITERS, rounds = BENCH_DEFAULT_ROUNDS;
	u64 mask = BENCH_DEFAULT_MASK;

	cmdline_ulong("iters", &iters);
	cmdline_ulong("rounds", &rounds);
	if (!hypercall_works())
		mask &= ~(1ULL << BENCH_OP_HCALL);
	printf("%lu rounds of %lu iterations\n", rounds, iters);
	bench_run(&res, iters, rounds, mask);
	check_eq(res.magic, BENCH_MAGIC, "bench_run finished");
	check(res.loop_ticks > 0, "calibration loop took time");
	for (unsigned int op = 0; op < BENCH_NR_OPS; op++)
		if (mask & (1ULL << op))
			checkf(res.op[op].ticks > 0, "op %u took no time", op);
}
