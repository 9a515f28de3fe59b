// SPDX-License-Identifier: GPL-2.0
/*
 * smp (cpus=4): vCPU 0 starts vCPUs 1..3 through the test device (EIP in
 * 0x60, EBX in 0x68, then the index to 0x58). Each checks in with LOCK XADD
 * on a shared counter, records its entry state (lib/entry.S), enters long
 * mode and then waits in STI; HLT. vCPU 0 waits for all of them, bounded
 * by the TSC, and checks what each one saw. With fewer physical CPUs than
 * vCPUs this needs Keel to schedule the spinning vCPU 0 and the others.
 */
#include "testdev.h"

#define NR_VCPUS	4
#define TIMEOUT_CYCLES	20000000000ULL	/* ~10 s at 2 GHz */

static volatile u32 arrived;
static volatile u32 order[NR_VCPUS];		/* XADD result per vCPU */
static volatile unsigned long seen_magic[NR_VCPUS], seen_ebx[NR_VCPUS];

void ap_start(unsigned long magic, unsigned long ebx)
{
	u32 one = 1;

	if (ebx >= NR_VCPUS)
		halt_forever();
	seen_magic[ebx] = magic;
	seen_ebx[ebx] = ebx;
	idt_load();
	asm volatile("lock xaddl %0, %1" : "+r"(one), "+m"(arrived) : : "memory");
	order[ebx] = one + 1;
	for (;;)
		asm volatile("sti\n\thlt" : : : "memory");
}

static void start_vcpu(unsigned int i)
{
	mmio_write32(td_addr(TD_START_EIP), (u32)(unsigned long)ap_entry);
	mmio_write32(td_addr(TD_START_EBX), i);
	check_eq(mmio_read32(td_addr(TD_START_EIP)), (u32)(unsigned long)ap_entry,
		 "start EIP register reads back");
	check_eq(mmio_read32(td_addr(TD_START_EBX)), i, "start EBX register reads back");
	mmio_write32(td_addr(TD_START), i);
}

static void check_vcpu(unsigned int i)
{
	const u32 *es = ap_entry_state[i];

	checkf(seen_magic[i] == AP_BOOT_MAGIC, "vCPU %u: EAX %#lx at entry", i, seen_magic[i]);
	checkf(seen_ebx[i] == i, "vCPU %u: EBX %#lx at entry", i, seen_ebx[i]);
	checkf(es[AS_CS] == SEL_CODE32 && es[AS_DS] == SEL_DATA && es[AS_SS] == SEL_DATA,
	       "vCPU %u: CS %#x DS %#x SS %#x at entry", i, es[AS_CS], es[AS_DS], es[AS_SS]);
	checkf(es[AS_CR0] == (CR0_PE | CR0_ET), "vCPU %u: CR0 %#x at entry", i, es[AS_CR0]);
	checkf(es[AS_EFLAGS] == 0x2, "vCPU %u: EFLAGS %#x at entry", i, es[AS_EFLAGS]);
	checkf(order[i] >= 1 && order[i] < NR_VCPUS, "vCPU %u: arrival %u", i, order[i]);
}

void guest_main(void)
{
	u64 start;
	unsigned long cpus = NR_VCPUS;

	td_require();
	cmdline_ulong("cpus", &cpus);
	check_eq(cpus, NR_VCPUS, "cpus= on the command line");
	for (unsigned int i = 1; i < NR_VCPUS; i++)
		start_vcpu(i);
	start = rdtsc();
	while (arrived < NR_VCPUS - 1 && rdtsc() - start < TIMEOUT_CYCLES)
		pause();
	printf("%u of %u vCPUs arrived after %llu TSC cycles\n", arrived, NR_VCPUS - 1,
	       (unsigned long long)(rdtsc() - start));
	check_eq(arrived, NR_VCPUS - 1, "vCPUs that incremented the counter");
	for (unsigned int i = 1; i < NR_VCPUS; i++)
		check_vcpu(i);
	check((order[1] ^ order[2] ^ order[3]) == (1 ^ 2 ^ 3) &&
	      order[1] != order[2] && order[2] != order[3] && order[1] != order[3],
	      "LOCK XADD handed out 1, 2, 3 once each");
}
