// SPDX-License-Identifier: GPL-2.0
/*
 * kvmouts N: a VMM whose VM makes exactly N OUTs to port 0x80 and one HLT,
 * then stays until the process is killed, so that tests/control/init can
 * look at it with keelctl (list, stats, top, log). Each SIGUSR1 runs the
 * same N OUTs and HLT again.
 *
 * Prints "kvmouts: N outs, halted" each time the guest halted; exit status
 * 1 if any step failed.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_GPA 0x1000

static volatile sig_atomic_t again;

static void on_usr1(int sig __attribute__((unused)))
{
	again = 1;
}

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* Real mode at CODE_GPA: mov cx, N; 1: out 0x80, al; loop 1b; hlt */
static void write_guest(unsigned char *mem, unsigned int n)
{
	const unsigned char code[] = { 0xb9, n & 0xff, n >> 8, 0xe6, 0x80, 0xe2, 0xfc, 0xf4 };

	memcpy(mem + CODE_GPA, code, sizeof(code));
}

static int start(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return -1;
	return ioctl(vcpu, KVM_SET_REGS, &regs);
}

/* Runs to the HLT: the number of OUTs to port 0x80 on the way, or -1. */
static long run(int vcpu, struct kvm_run *r)
{
	long outs = 0;

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return -1;
		if (r->exit_reason == KVM_EXIT_HLT)
			return outs;
		if (r->exit_reason != KVM_EXIT_IO || r->io.port != 0x80)
			return -1;
		outs += r->io.count;
	}
}

int main(int argc, char **argv)
{
	unsigned long n = argc == 2 ? strtoul(argv[1], NULL, 10) : 0;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, vcpu;
	struct kvm_userspace_memory_region slot = { .memory_size = 0x10000 };
	unsigned char *mem;
	struct kvm_run *r;
	sigset_t usr1, others;
	long outs;

	if (argc != 2 || n == 0 || n > 0xffff) {
		fprintf(stderr, "usage: kvmouts N (1-65535)\n");
		return 2;
	}
	if (kvm < 0)
		return fail("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED)
		return fail("KVM_CREATE_VM");
	slot.userspace_addr = (unsigned long)mem;
	write_guest(mem, (unsigned int)n);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0 || vcpu < 0 || start(vcpu) < 0)
		return fail("setting up the VM");
	r = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		 MAP_SHARED, vcpu, 0);
	if (r == MAP_FAILED)
		return fail("mmap of the vCPU");
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &others);	/* taken only inside sigsuspend() */
	signal(SIGUSR1, on_usr1);
	for (;;) {
		again = 0;
		outs = run(vcpu, r);
		if (outs != (long)n) {
			fprintf(stderr, "kvmouts: %ld outs, exit reason %u\n", outs, r->exit_reason);
			return 1;
		}
		printf("kvmouts: %ld outs, halted\n", outs);
		fflush(stdout);
		while (!again)
			sigsuspend(&others);
		if (start(vcpu) < 0)
			return fail("KVM_SET_REGS");
	}
}
