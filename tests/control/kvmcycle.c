// SPDX-License-Identifier: GPL-2.0
/*
 * kvmcycle: VMs come and go through /dev/kvm, for the lifecycle check of
 * tests/control/init, which compares Keel's memory before and after.
 *
 *   kvmcycle N    N times: a VM with a 64 KiB slot and one vCPU runs a
 *                 real-mode guest that writes to every page of it and
 *                 halts, then every mapping and fd is closed. Every tenth
 *                 time instead, a child VMM is killed by SIGKILL while its
 *                 vCPU spins in KVM_RUN.
 *   kvmcycle huge a protected-mode guest writes to each page of 4 MiB of
 *                 transparent huge pages; under Keel (keel-kvm's stats
 *                 present), they must have been mapped as 2 MiB pages.
 *
 * Prints what it did ("kvmcycle: N cycles, K killed") and exits 0 when
 * every VM did what it should; the first surprise is printed and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE 0x10000UL
#define CODE_GPA 0x1000UL
#define MARK 0x5a

/* Writes MARK to the first byte of each 4 KiB page from 0x2000 up, then HLT. */
static const uint8_t touch[] = {
	0xb8, 0x00, 0x02,		/* mov ax, 0x200: the segment of 0x2000 */
	0x8e, 0xd8,			/* mov ds, ax */
	0xc6, 0x06, 0x00, 0x00, MARK,	/* mov byte [0], MARK */
	0x05, 0x00, 0x01,		/* add ax, 0x100: the next page */
	0x3d, 0x00, 0x10,		/* cmp ax, 0x1000: 64 KiB */
	0x75, 0xf1,			/* jne mov ds, ax */
	0xf4,				/* hlt */
};
static const uint8_t spin[] = { 0xeb, 0xfe };	/* jmp $ */

struct vmm {
	int vm, vcpu;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
};

static int fail(const char *what)
{
	printf("kvmcycle: %s: %s\n", what, errno ? strerror(errno) : "unexpected");
	return -1;
}

static int setup_vcpu(struct vmm *m)
{
	struct kvm_sregs s;

	m->vcpu = ioctl(m->vm, KVM_CREATE_VCPU, 0);
	if (m->vcpu < 0 || ioctl(m->vcpu, KVM_GET_SREGS, &s))
		return fail("KVM_CREATE_VCPU");
	s.cs.selector = CODE_GPA >> 4;
	s.cs.base = CODE_GPA;
	if (ioctl(m->vcpu, KVM_SET_SREGS, &s) ||
	    ioctl(m->vcpu, KVM_SET_REGS, &(struct kvm_regs){ .rflags = 2 }))
		return fail("KVM_SET_SREGS/REGS");
	m->run = mmap(NULL, m->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, m->vcpu, 0);
	return m->run == MAP_FAILED ? fail("mmap kvm_run") : 0;
}

static int setup(int kvm, const uint8_t *code, size_t len, struct vmm *m)
{
	struct kvm_userspace_memory_region r = { .memory_size = MEM_SIZE };

	m->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->mem == MAP_FAILED)
		return fail("mmap");
	memcpy(m->mem + CODE_GPA, code, len);
	r.userspace_addr = (uintptr_t)m->mem;
	m->vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (m->vm < 0 || ioctl(m->vm, KVM_SET_USER_MEMORY_REGION, &r))
		return fail("KVM_CREATE_VM/SET_USER_MEMORY_REGION");
	return setup_vcpu(m);
}

static void teardown(struct vmm *m)
{
	munmap(m->run, m->run_size);
	munmap(m->mem, MEM_SIZE);
	close(m->vcpu);
	close(m->vm);
}

/* One VM that runs to its HLT, having written to each page of its slot. */
static int cycle(int kvm, size_t run_size)
{
	struct vmm m = { .run_size = run_size };
	int r = setup(kvm, touch, sizeof(touch), &m);

	if (!r && (ioctl(m.vcpu, KVM_RUN, 0) || m.run->exit_reason != KVM_EXIT_HLT))
		r = fail("KVM_RUN to HLT");
	for (unsigned long pa = 0x2000; !r && pa < MEM_SIZE; pa += 0x1000)
		if (m.mem[pa] != MARK)
			r = fail("a guest write missing from the VMM's memory");
	teardown(&m);
	return r;
}

/* A VMM killed in KVM_RUN: its fds close as it dies, and the VM with them. */
static int killed(int kvm, size_t run_size)
{
	struct vmm m = { .run_size = run_size };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return fail("fork");
	if (!pid) {
		if (setup(kvm, spin, sizeof(spin), &m))
			_exit(1);
		ioctl(m.vcpu, KVM_RUN, 0);
		_exit(1);
	}
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	kill(pid, SIGKILL);
	if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		return fail("a VMM spinning in KVM_RUN did not die of SIGKILL");
	return 0;
}

#define HUGE_GPA 0x200000UL
#define HUGE_SIZE 0x400000UL
#define STATS "/sys/module/keel_kvm/parameters/stats"

/* 32-bit flat: each 4 KiB page of [HUGE_GPA, HUGE_GPA + HUGE_SIZE) gets MARK, then HLT. */
static const uint8_t touch32[] = {
	0xbf, 0x00, 0x00, 0x20, 0x00,		/* mov edi, HUGE_GPA */
	0xc6, 0x07, MARK,			/* mov byte [edi], MARK */
	0x81, 0xc7, 0x00, 0x10, 0x00, 0x00,	/* add edi, 0x1000 */
	0x81, 0xff, 0x00, 0x00, 0x60, 0x00,	/* cmp edi, HUGE_GPA + HUGE_SIZE */
	0x75, 0xef,				/* jne mov byte */
	0xf4,					/* hlt */
};

static int flat32(int vcpu)
{
	struct kvm_segment code = { .limit = 0xffffffff, .selector = 8, .type = 0xb, .present = 1,
				    .db = 1, .s = 1, .g = 1 };
	struct kvm_segment data = code;
	struct kvm_sregs s;

	data.selector = 16;
	data.type = 3;
	if (ioctl(vcpu, KVM_GET_SREGS, &s))
		return fail("KVM_GET_SREGS");
	s.cs = code;
	s.ds = s.es = s.ss = data;
	s.cr0 |= 1;	/* PE */
	if (ioctl(vcpu, KVM_SET_SREGS, &s) ||
	    ioctl(vcpu, KVM_SET_REGS, &(struct kvm_regs){ .rip = CODE_GPA, .rflags = 2 }))
		return fail("KVM_SET_SREGS/REGS (flat 32-bit)");
	return 0;
}

static int read_stats(long long *faults, long long *huge)
{
	FILE *f = fopen(STATS, "r");
	int n = f ? fscanf(f, "fault_ins %lld huge_maps %lld", faults, huge) : 0;

	if (f)
		fclose(f);
	return n == 2 ? 0 : -1;
}

/* The huge slot, 2 MiB aligned in the VMM's memory too, backed by THP when the kernel can. */
static int huge_slot(int vm, uint8_t **out)
{
	uint8_t *p = mmap(NULL, HUGE_SIZE + 0x200000, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *mem = (uint8_t *)(((uintptr_t)p + 0x1fffff) & ~0x1fffffUL);
	struct kvm_userspace_memory_region r = { .slot = 1, .guest_phys_addr = HUGE_GPA,
						 .memory_size = HUGE_SIZE,
						 .userspace_addr = (uintptr_t)mem };

	if (p == MAP_FAILED || madvise(mem, HUGE_SIZE, MADV_HUGEPAGE))
		return fail("mmap/madvise(MADV_HUGEPAGE)");
	memset(mem, 0, HUGE_SIZE);
	*out = mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r))
		return fail("KVM_SET_USER_MEMORY_REGION (huge)");
	return 0;
}

static int huge(int kvm, size_t run_size)
{
	struct vmm m = { .run_size = run_size };
	long long f0 = 0, h0 = 0, f1 = 0, h1 = 0;
	int keel = !read_stats(&f0, &h0);
	uint8_t *mem = NULL;

	if (setup(kvm, touch32, sizeof(touch32), &m) || flat32(m.vcpu) || huge_slot(m.vm, &mem))
		return -1;
	if (ioctl(m.vcpu, KVM_RUN, 0) || m.run->exit_reason != KVM_EXIT_HLT)
		return fail("KVM_RUN to HLT (huge)");
	for (unsigned long off = 0; off < HUGE_SIZE; off += 0x1000)
		if (mem[off] != MARK)
			return fail("a guest write missing from the VMM's huge pages");
	teardown(&m);
	if (keel && (read_stats(&f1, &h1) || h1 - h0 < 2 || f1 - f0 > 16)) {
		printf("kvmcycle: huge: %lld pages mapped, %lld as 2 MiB pages\n", f1 - f0, h1 - h0);
		return fail("4 MiB of huge pages not mapped as 2 MiB pages");
	}
	printf("kvmcycle: huge: 1024 pages written%s\n", keel ? ", mapped as 2 MiB pages" : "");
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 0, nkilled = 0;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	long size = kvm < 0 ? -1 : ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (size > 0 && argc > 1 && !strcmp(argv[1], "huge"))
		return huge(kvm, (size_t)size) ? 1 : 0;
	if (n <= 0 || size <= 0) {
		fprintf(stderr, "usage: kvmcycle N|huge (and a /dev/kvm)\n");
		return 2;
	}
	/*
	 * One VM stays for the whole run: kvm.ko enables and disables SVM on
	 * every CPU by IPI whenever its first VM comes or its last goes, which
	 * under QEMU TCG with 2 CPUs can stall long enough for soft lockups.
	 */
	if (ioctl(kvm, KVM_CREATE_VM, 0) < 0) {
		fail("KVM_CREATE_VM (kept open)");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		errno = 0;
		if (i % 10 == 9 ? killed(kvm, (size_t)size) : cycle(kvm, (size_t)size))
			return 1;
		nkilled += i % 10 == 9;
	}
	printf("kvmcycle: %ld cycles, %ld killed\n", n, nkilled);
	return 0;
}
