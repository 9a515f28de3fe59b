// SPDX-License-Identifier: GPL-2.0
/*
 * spin: counts loop rounds for 10^10 TSC cycles (about 4 s), then prints
 * how many, for the scheduler's test (tests/e2e/sched.sh). VMs of it spinning
 * side by side share their CPUs as their weights, caps and affinity say; the
 * rounds each counted are its own measure of the CPU time it got, beside
 * Keel's. The TSC runs at wall-clock rate whether the vCPU runs or not.
 */
#include "guest.h"

#define SPIN_CYCLES 10000000000ULL

void guest_main(void)
{
	u64 start = rdtsc(), now = start, rounds = 0;

	while (now - start < SPIN_CYCLES) {
		rounds++;
		now = rdtsc();
	}
	printf("spin: rounds=%llu tsc=%llu\n", (unsigned long long)rounds,
	       (unsigned long long)(now - start));
}
