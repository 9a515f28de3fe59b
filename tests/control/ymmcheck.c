// SPDX-License-Identifier: GPL-2.0
/*
 * ymmcheck SECONDS: the control guest's AVX registers keep their values.
 * Each round loads YMM0-15 with a pattern of its own, spins with them
 * live, stores them and compares. While they are live the vCPU exits,
 * other vCPUs may take its CPU (Keel switches x87/SSE/AVX state with
 * XSAVE), and with two copies on one CPU the guest kernel switches
 * between them (its own XSAVE/XRSTOR of each task). Prints "ymmcheck: N
 * rounds, intact" and exits 0, or prints the first round whose registers
 * changed and exits 1 (tests/control/init, check sched). Needs AVX
 * enabled by the kernel: exits 2 without it.
 */
#include <cpuid.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REGS 16
#define SPIN 20000

static uint8_t in[REGS][32] __attribute__((aligned(32)));
static uint8_t out[REGS][32] __attribute__((aligned(32)));

/* CPUID.1:ECX.OSXSAVE and AVX, and XCR0 enabling SSE and AVX state (SDM Vol. 1 14.3). */
static int avx_enabled(void)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;
}

#define LOAD(n) "vmovdqa " #n "*32(%[in]), %%ymm" #n "\n\t"
#define STORE(n) "vmovdqa %%ymm" #n ", " #n "*32(%[out])\n\t"

static void round_trip(void)
{
	unsigned int spin = SPIN;

	__asm__ volatile(LOAD(0) LOAD(1) LOAD(2) LOAD(3) LOAD(4) LOAD(5) LOAD(6) LOAD(7)
			 LOAD(8) LOAD(9) LOAD(10) LOAD(11) LOAD(12) LOAD(13) LOAD(14) LOAD(15)
			 "1: pause\n\tdec %%ecx\n\tjnz 1b\n\t"
			 STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7)
			 STORE(8) STORE(9) STORE(10) STORE(11) STORE(12) STORE(13) STORE(14) STORE(15)
			 : "+c"(spin) : [in] "r"(in), [out] "r"(out)
			 : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
			   "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

static void report(uint64_t round)
{
	printf("ymmcheck: round %" PRIu64 " changed the registers:\n", round);
	for (int r = 0; r < REGS; r++) {
		printf("ymm%d", r);
		for (int i = 0; i < 32; i++)
			printf(" %02x/%02x", out[r][i], in[r][i]);
		printf("\n");
	}
}

int main(int argc, char **argv)
{
	time_t end = time(NULL) + (argc == 2 ? atoi(argv[1]) : 0);
	uint64_t round;

	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: ymmcheck SECONDS\n");
		return 2;
	}
	if (!avx_enabled()) {
		printf("ymmcheck: no AVX enabled\n");
		return 2;
	}
	for (round = 0; time(NULL) < end; round++) {
		for (int r = 0; r < REGS; r++)
			for (int i = 0; i < 32; i++)
				in[r][i] = (uint8_t)(round * 97 + r * 32 + i + 1);
		round_trip();
		if (memcmp(in, out, sizeof(in))) {
			report(round);
			return 1;
		}
	}
	printf("ymmcheck: %" PRIu64 " rounds, intact\n", round);
	return 0;
}
