// SPDX-License-Identifier: MIT
/*
 * kvm-bench: runs the exit benchmark (loops.S) in a one-vCPU VM through
 * /dev/kvm: Linux's own KVM (the baseline) or keel-kvm in Keel's control
 * guest, the same program on both.
 *
 *   kvm-bench [-i ITERS] [-r ROUNDS] [-m MASK] [-t SECONDS]
 *   kvm-bench -l WAKEUPS [-p PERIOD_US] [-I] [-t SECONDS]
 *   kvm-bench -w WAKEUPS [-p PERIOD_US] [-t SECONDS]
 *
 * The guest starts straight in 64-bit mode (identity-mapped 2 MiB pages set
 * up here, as kvm-unit-tests and kvmtool do), calls bench_run and HLTs when
 * it returns. OUT to BENCH_PORT_FAST completes in the kernel through an
 * ioeventfd; OUT to and IN from BENCH_PORT_USER and reads of
 * BENCH_MMIO_ADDR come back here and are resumed at once; the guest's COM1
 * bytes go to stdout, so the "bench: NAME N" lines appear exactly as the
 * guest prints them. An op whose capability /dev/kvm does not offer is
 * left out with a "bench: skipped NAME WHY" line. A summary of the raw
 * figures goes to stderr. Exits 0 when the guest finished and every op it
 * ran reported.
 *
 * -l measures instead how late a timer wakes a task on the CPU a VM keeps
 * busy (see measure_wakeups()); -I measures it with the CPU idle instead.
 * -w measures how long a halted vCPU takes from an irqfd's signal to its
 * interrupt handler's exit to the VMM (see run_wake()).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <x86intrin.h>
#include <time.h>
#include <unistd.h>

#include "loops.h"

/* Guest-physical layout. */
#define MEM_SIZE	(4UL << 20)
#define PML4_GPA	0x1000UL
#define PDPT_GPA	0x2000UL
#define PD_GPA		0x3000UL
#define HLT_GPA		0x8000UL	/* bench_run returns here */
#define RESULTS_GPA	0x9000UL
#define SPIN_COUNT_GPA	0xa000UL	/* bench_spin's counter */
#define IDT_GPA		0xb000UL	/* gates up to BENCH_IRQ_VECTOR */
#define GDT_GPA		0xc000UL	/* what an interrupt and IRETQ load CS and SS from */
#define BLOB_GPA	0x10000UL
#define STACK_TOP	0x80000UL

#define PTE_P		(1UL << 0)
#define PTE_W		(1UL << 1)
#define PTE_PS		(1UL << 7)
#define CR0_PE		(1UL << 0)
#define CR0_MP		(1UL << 1)
#define CR0_ET		(1UL << 4)
#define CR0_NE		(1UL << 5)
#define CR0_WP		(1UL << 16)
#define CR0_PG		(1UL << 31)
#define CR4_PAE		(1UL << 5)
#define EFER_LME	(1UL << 8)
#define EFER_LMA	(1UL << 10)

#define ALL_OPS		((1UL << BENCH_NR_OPS) - 1)
#define LAT_PRIORITY	90	/* the measuring task's SCHED_FIFO priority */
#define IOAPIC_PINS	24	/* KVM_CAP_SPLIT_IRQCHIP's, as QEMU's q35 */
#define IRQ_GSI		IOAPIC_PINS	/* -w's MSI route: the first GSI past the pins */
#define IDT_LIMIT	(16 * (BENCH_IRQ_VECTOR + 1) - 1)
#define GATE_INTR64	0x8e		/* present, DPL 0, 64-bit interrupt gate */

_Static_assert(BENCH_MMIO_ADDR >= MEM_SIZE && BENCH_MMIO_ADDR < (1UL << 30) &&
	       !(BENCH_MMIO_ADDR & ((2UL << 20) - 1)), "BENCH_MMIO_ADDR: one 2 MiB page of PD_GPA");

struct opts {
	unsigned long iters, rounds, mask, seconds;
	unsigned long wakeups, period_us;	/* -l, -p */
	unsigned long irq_wakeups;		/* -w */
	int idle;				/* -I */
};

static volatile sig_atomic_t deadline_passed, child_done;
/* Set to stop KVM_RUN at once (KVM_CAP_IMMEDIATE_EXIT) when a signal comes. */
static struct kvm_run *volatile stop_run;

static void die(const char *fmt, ...)
{
	va_list ap;
	int err = errno;

	fflush(stdout);
	fputs("kvm-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (fmt[strlen(fmt) - 1] == ':')
		fprintf(stderr, " %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

/* ioctl that must succeed; @what names it in the error. */
static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int ret = ioctl(fd, req, arg);

	if (ret < 0)
		die("%s:", what);
	return ret;
}

static void on_signal(int sig)
{
	if (sig == SIGALRM)
		deadline_passed = 1;
	else
		child_done = 1;
	if (stop_run)
		stop_run->immediate_exit = 1;
}

/* Identity-maps the first MEM_SIZE bytes and BENCH_MMIO_ADDR's page with 2 MiB pages. */
static void build_page_tables(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(mem + PDPT_GPA);
	uint64_t *pd = (uint64_t *)(mem + PD_GPA);
	uint64_t addr;

	pml4[0] = PDPT_GPA | PTE_P | PTE_W;
	pdpt[0] = PD_GPA | PTE_P | PTE_W;
	for (addr = 0; addr < MEM_SIZE; addr += 2UL << 20)
		pd[addr >> 21] = addr | PTE_P | PTE_W | PTE_PS;
	pd[BENCH_MMIO_ADDR >> 21] = BENCH_MMIO_ADDR | PTE_P | PTE_W | PTE_PS;
}

static void set_long_mode(int vcpu)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 1 << 3,
		.type = 11, .present = 1, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = 2 << 3,
		.type = 3, .present = 1, .s = 1, .db = 1, .g = 1,
	};
	struct kvm_segment tss = {
		.limit = 0x67, .selector = 3 << 3, .type = 11, .present = 1,
	};
	struct kvm_sregs sregs;

	xioctl(vcpu, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = tss;
	sregs.ldt.unusable = 1;
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = IDT_LIMIT;
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = CR4_PAE;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.efer = EFER_LME | EFER_LMA;
	xioctl(vcpu, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
}

/*
 * The code and data descriptors set_long_mode() loads, in a GDT (SDM Vol.
 * 3A 3.4.5), which an interrupt and IRETQ read, and
 * BENCH_IRQ_VECTOR's gate (6.14.1) to bench_irq_handler in code selector 8.
 */
static void set_descriptors(uint8_t *mem)
{
	uint64_t handler = BLOB_GPA + ((const char *)bench_irq_handler - bench_blob_start);
	uint64_t *gate = (uint64_t *)(mem + IDT_GPA + 16 * BENCH_IRQ_VECTOR);
	uint64_t *gdt = (uint64_t *)(mem + GDT_GPA);

	gdt[1] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0, accessed */
	gdt[2] = 0x00cf93000000ffffULL;	/* data, 4 GiB, writable, accessed */

	gate[0] = (handler & 0xffff) | (1UL << 3) << 16 | (uint64_t)GATE_INTR64 << 40 |
		  (handler >> 16 & 0xffff) << 48;
	gate[1] = handler >> 32;
}

/* Gives the vCPU the CPUID KVM supports (long mode needs CPUID.LM). */
static void set_cpuid(int kvm, int vcpu)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 64;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			die("out of memory");
		cpuid->nent = nent;
		if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			break;
		if (errno != E2BIG || nent >= 4096)
			die("KVM_GET_SUPPORTED_CPUID:");
		free(cpuid);
		nent *= 2;
	}
	xioctl(vcpu, KVM_SET_CPUID2, cpuid, "KVM_SET_CPUID2");
	free(cpuid);
}

static void add_ioeventfd(int vm, uint16_t port)
{
	struct kvm_ioeventfd ioev = {
		.addr = port, .len = 1, .flags = KVM_IOEVENTFD_FLAG_PIO,
	};

	ioev.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ioev.fd < 0)
		die("eventfd:");
	xioctl(vm, KVM_IOEVENTFD, &ioev, "KVM_IOEVENTFD");
}

static void dump_regs(int vcpu)
{
	struct kvm_regs r;

	if (ioctl(vcpu, KVM_GET_REGS, &r) < 0)
		return;
	fprintf(stderr, "kvm-bench: rip %llx rsp %llx rax %llx rflags %llx\n",
		r.rip, r.rsp, r.rax, r.rflags);
}

/* Handles one KVM_EXIT_IO; returns 0, or -1 for an unexpected port. */
static int handle_io(struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	size_t len = (size_t)run->io.size * run->io.count;

	if (run->io.direction == KVM_EXIT_IO_IN) {
		if (run->io.port != BENCH_PORT_USER || run->io.size != 1) {
			fprintf(stderr, "kvm-bench: unexpected IN of %u bytes from port %#x\n",
				run->io.size, run->io.port);
			return -1;
		}
		memset(data, 0xff, len);
		return 0;
	}
	switch (run->io.port) {
	case BENCH_UART:
		fwrite(data, 1, len, stdout);
		return 0;
	case BENCH_PORT_USER:
		return 0;
	default:
		fprintf(stderr, "kvm-bench: unexpected OUT to port %#x%s\n",
			run->io.port, run->io.port == BENCH_PORT_FAST ?
			" (the ioeventfd did not take it)" : "");
		return -1;
	}
}

/* Says what an exit the guest should not make was. */
static void bad_exit(const struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, "kvm-bench: entry failed, reason %#llx\n",
			run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "kvm-bench: internal error, suberror %u\n",
			run->internal.suberror);
		break;
	case KVM_EXIT_MMIO:
		fprintf(stderr, "kvm-bench: MMIO at %#llx\n", run->mmio.phys_addr);
		break;
	default:
		fprintf(stderr, "kvm-bench: exit reason %u\n", run->exit_reason);
		break;
	}
}

/* Answers the guest's 4-byte read at BENCH_MMIO_ADDR; -1 for any other access. */
static int handle_mmio(struct kvm_run *run)
{
	if (run->mmio.is_write || run->mmio.phys_addr != BENCH_MMIO_ADDR ||
	    run->mmio.len != 4) {
		fprintf(stderr, "kvm-bench: unexpected MMIO %s of %u bytes at %#llx\n",
			run->mmio.is_write ? "write" : "read", run->mmio.len,
			run->mmio.phys_addr);
		return -1;
	}
	memset(run->mmio.data, 0xff, run->mmio.len);
	return 0;
}

/* Runs the vCPU until the guest HLTs; returns 0 on HLT. */
static int run_vcpu(int vcpu, struct kvm_run *run)
{
	for (;;) {
		if (deadline_passed) {
			fprintf(stderr, "kvm-bench: deadline passed\n");
			return -1;
		}
		if (ioctl(vcpu, KVM_RUN, NULL) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN:");
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (handle_io(run) < 0)
				return -1;
			break;
		case KVM_EXIT_MMIO:
			if (handle_mmio(run) < 0)
				return -1;
			break;
		case KVM_EXIT_HLT:
			return 0;
		case KVM_EXIT_INTR:
			break;
		default:
			bad_exit(run);
			return -1;
		}
	}
}

/* N of loops.h without the rounding, for the summary. */
static double exact(const struct bench_results *res, int op)
{
	static const int overhead[BENCH_NR_OPS] = {
		BENCH_OVERHEAD_CPUID, BENCH_OVERHEAD_OUT,
		BENCH_OVERHEAD_HCALL, BENCH_OVERHEAD_OUT,
		BENCH_OVERHEAD_IN, BENCH_OVERHEAD_MMIO,
	};
	double insns = (double)res->op[op].ticks * res->loop_insns /
		       res->loop_ticks;

	return (insns - BENCH_FRAME_INSNS) / res->iters - overhead[op];
}

static const char *const op_names[BENCH_NR_OPS] = {
	"cpuid", "out-ioeventfd", "hypercall", "out-user", "in-user", "mmio-read",
};

/* Checks and prints the raw figures the guest left; returns 0 if complete. */
static int report(const struct bench_results *res, uint64_t mask)
{
	int op, bad = 0;

	if (res->magic != BENCH_MAGIC) {
		fprintf(stderr, "kvm-bench: the guest did not finish\n");
		return -1;
	}
	fprintf(stderr, "kvm-bench: %llu rounds x %llu iterations; calibration "
		"%llu instructions in %llu ticks\n",
		(unsigned long long)res->rounds, (unsigned long long)res->iters,
		(unsigned long long)res->loop_insns,
		(unsigned long long)res->loop_ticks);
	for (op = 0; op < BENCH_NR_OPS; op++) {
		if (!(mask & (1UL << op)))
			continue;
		fprintf(stderr, "kvm-bench: %-13s %llu ticks per round, %lld "
			"(%.2f) instructions per round trip\n", op_names[op],
			(unsigned long long)res->op[op].ticks,
			(long long)res->op[op].insns, exact(res, op));
		if (!res->op[op].ticks)
			bad = -1;
	}
	return bad;
}

/*
 * The ops of @mask this /dev/kvm can run: one that needs a capability it
 * does not offer is left out, and a line says so (a skipped op is not a
 * missing figure).
 */
static unsigned long usable_ops(int kvm, unsigned long mask)
{
	if ((mask & (1UL << BENCH_OP_OUT)) &&
	    ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) <= 0) {
		printf("bench: skipped %s no-KVM_CAP_IOEVENTFD\n", op_names[BENCH_OP_OUT]);
		mask &= ~(1UL << BENCH_OP_OUT);
	}
	if (!mask)
		die("no op left to run");
	return mask;
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end)
		die("not a number: %s", s);
	return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	int opt;

	*o = (struct opts){ .mask = ALL_OPS, .seconds = 120, .period_us = 1000 };
	while ((opt = getopt(argc, argv, "i:r:m:t:l:p:Iw:")) != -1) {
		switch (opt) {
		case 'i': o->iters = number(optarg); break;
		case 'r': o->rounds = number(optarg); break;
		case 'm': o->mask = number(optarg); break;
		case 't': o->seconds = number(optarg); break;
		case 'l': o->wakeups = number(optarg); break;
		case 'p': o->period_us = number(optarg); break;
		case 'I': o->idle = 1; break;
		case 'w': o->irq_wakeups = number(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-i iters] [-r rounds] [-m mask] "
				"[-t seconds]\n       %s -l wakeups [-p period_us] "
				"[-I] [-t seconds]\n       %s -w wakeups [-p period_us] "
				"[-t seconds]\n", argv[0], argv[0], argv[0]);
			exit(2);
		}
	}
	if (!o->mask || (o->mask & ~ALL_OPS))
		die("-m %#lx: the ops are bits 0-%d", o->mask, BENCH_NR_OPS - 1);
	if ((o->idle && !o->wakeups) || ((o->wakeups || o->irq_wakeups) && !o->period_us))
		die("-I needs -l, and -l or -w a period above 0");
	if (o->wakeups && o->irq_wakeups)
		die("-l or -w, not both");
}

static int open_kvm(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		die("/dev/kvm:");
	if (ioctl(kvm, KVM_GET_API_VERSION, NULL) != KVM_API_VERSION)
		die("KVM API version is not %d", KVM_API_VERSION);
	return kvm;
}

/* A VM whose memory holds the page tables, the benchmark blob and a HLT. */
static int create_vm(int kvm, uint8_t **memp)
{
	size_t blob_size = bench_blob_end - bench_blob_start;
	struct kvm_userspace_memory_region region;
	uint8_t *mem;
	int vm = xioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");

	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap guest memory:");
	region = (struct kvm_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	xioctl(vm, KVM_SET_USER_MEMORY_REGION, &region,
	       "KVM_SET_USER_MEMORY_REGION");
	build_page_tables(mem);
	if (blob_size > STACK_TOP - BLOB_GPA - 0x1000)
		die("the benchmark blob is too big (%zu bytes)", blob_size);
	memcpy(mem + BLOB_GPA, bench_blob_start, blob_size);
	mem[HLT_GPA] = 0xf4;				/* hlt */
	set_descriptors(mem);
	*(uint64_t *)(mem + STACK_TOP - 8) = HLT_GPA;	/* return address */
	*memp = mem;
	return vm;
}

/*
 * The vCPU in 64-bit mode, its kvm_run mapped. KVM needs the guest's CPUID
 * (CPUID.LM) before long mode's SREGS; a /dev/kvm without
 * KVM_CAP_EXT_CPUID answers CPUID by itself, and the guest gets that.
 */
static int create_vcpu(int kvm, int vm, struct kvm_run **runp)
{
	int vcpu = xioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	int run_size = xioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0,
			      "KVM_GET_VCPU_MMAP_SIZE");

	*runp = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (*runp == MAP_FAILED)
		die("mmap kvm_run:");
	if (ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) > 0)
		set_cpuid(kvm, vcpu);
	else
		fprintf(stderr, "kvm-bench: no KVM_CAP_EXT_CPUID: the guest sees "
			"the hypervisor's own CPUID\n");
	set_long_mode(vcpu);
	return vcpu;
}

/* Starts the vCPU at blob function @entry (its address in this program) with four arguments. */
static void set_entry(int vcpu, const void *entry, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint64_t a3)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	regs.rip = BLOB_GPA + ((const char *)entry - bench_blob_start);
	regs.rsp = STACK_TOP - 8;
	regs.rdi = a0;
	regs.rsi = a1;
	regs.rdx = a2;
	regs.rcx = a3;
	xioctl(vcpu, KVM_SET_REGS, &regs, "KVM_SET_REGS");
}

/* The exit ops: bench_run(RESULTS_GPA, iters, rounds, mask) until its HLT. */
static int run_ops(int kvm, const struct opts *o)
{
	unsigned long mask = usable_ops(kvm, o->mask);
	struct kvm_run *run;
	uint8_t *mem;
	int vm, vcpu, rc;

	vm = create_vm(kvm, &mem);
	if (mask & (1UL << BENCH_OP_OUT))
		add_ioeventfd(vm, BENCH_PORT_FAST);
	vcpu = create_vcpu(kvm, vm, &run);
	set_entry(vcpu, bench_run, RESULTS_GPA, o->iters, o->rounds, mask);
	rc = run_vcpu(vcpu, run);
	fflush(stdout);
	if (rc < 0) {
		dump_regs(vcpu);
		return rc;
	}
	return report((struct bench_results *)(mem + RESULTS_GPA), mask);
}

static int64_t ns_since(const struct timespec *t0, const struct timespec *t1)
{
	return (int64_t)(t1->tv_sec - t0->tv_sec) * 1000000000 +
	       (t1->tv_nsec - t0->tv_nsec);
}

static void add_us(struct timespec *t, unsigned long us)
{
	t->tv_nsec += (long)(us % 1000000) * 1000;
	t->tv_sec += us / 1000000 + t->tv_nsec / 1000000000;
	t->tv_nsec %= 1000000000;
}

/*
 * The measuring task of -l, cyclictest's loop: at SCHED_FIFO, so that a
 * timer's wakeup preempts the VMM at once, it sleeps to absolute deadlines
 * @period_us apart and notes how late it runs again after each, which is
 * the timer interrupt's delay plus its handling and the switch to this
 * task. Starts when a byte comes on @go; prints "bench: timer-max-TAG NS"
 * and "bench: timer-avg-TAG NS" (CLOCK_MONOTONIC nanoseconds).
 */
static int measure_wakeups(const struct opts *o, int go, const char *tag)
{
	struct sched_param sp = { .sched_priority = LAT_PRIORITY };
	struct timespec next, now;
	int64_t late, max = 0, sum = 0;
	int rc;
	char c;

	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		die("SCHED_FIFO:");
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		die("mlockall:");
	if (read(go, &c, 1) != 1)
		die("the VMM did not start");
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (unsigned long i = 0; i < o->wakeups; i++) {
		add_us(&next, o->period_us);
		while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL)))
			if (rc != EINTR)
				die("clock_nanosleep: %s", strerror(rc));
		clock_gettime(CLOCK_MONOTONIC, &now);
		late = ns_since(&next, &now);
		max = late > max ? late : max;
		sum += late;
	}
	printf("bench: timer-max-%s %lld\nbench: timer-avg-%s %lld\n", tag,
	       (long long)max, tag, (long long)(sum / (int64_t)o->wakeups));
	fprintf(stderr, "kvm-bench: %lu wakeups %lu us apart (%s): at most %lld ns "
		"late, %lld ns on average\n", o->wakeups, o->period_us, tag,
		(long long)max, (long long)(sum / (int64_t)o->wakeups));
	return 0;
}

/*
 * Keeps the vCPU in bench_spin until the measuring task ends (SIGCHLD).
 * Only signals may stop it: any other exit is a failure.
 */
static int spin_vcpu(int vcpu, struct kvm_run *run, unsigned long *stops)
{
	stop_run = run;
	for (;;) {
		if (child_done || deadline_passed)
			break;
		if (ioctl(vcpu, KVM_RUN, NULL) == 0) {
			fprintf(stderr, "kvm-bench: the spinning VM exited\n");
			bad_exit(run);
			return -1;
		}
		if (errno != EINTR && errno != EAGAIN)
			die("KVM_RUN:");
		(*stops)++;
	}
	stop_run = NULL;
	run->immediate_exit = 0;
	if (deadline_passed)
		fprintf(stderr, "kvm-bench: deadline passed\n");
	return deadline_passed ? -1 : 0;
}

/* The VM side of -l: bench_spin on this CPU while the child measures. */
static int spin_vm(int kvm, int go)
{
	unsigned long stops = 0;
	struct kvm_run *run;
	uint8_t *mem;
	int vm, vcpu, rc;

	vm = create_vm(kvm, &mem);
	vcpu = create_vcpu(kvm, vm, &run);
	set_entry(vcpu, bench_spin, SPIN_COUNT_GPA, 0, 0, 0);
	if (write(go, "g", 1) != 1)
		die("write:");
	rc = spin_vcpu(vcpu, run, &stops);
	fprintf(stderr, "kvm-bench: the VM looped %llu times; KVM_RUN was "
		"interrupted %lu times\n",
		(unsigned long long)*(uint64_t *)(mem + SPIN_COUNT_GPA), stops);
	if (rc < 0)
		dump_regs(vcpu);
	return rc;
}

/*
 * A child process that reads what this one writes to a pipe, forked before
 * any VM exists, so that no page of a VM is ever shared copy-on-write with
 * it. Returns 0 in the child and its pid in the parent; *@go is the pipe's
 * read end in the child, its write end in the parent.
 */
static pid_t fork_child(int *go)
{
	int pipefd[2];
	pid_t pid;

	if (pipe(pipefd) < 0)
		die("pipe:");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork:");
	close(pipefd[pid == 0]);
	*go = pipefd[pid != 0];
	return pid;
}

/* Reaps child @pid, killed first if @rc < 0 or the deadline passes; -1 if it failed. */
static int reap_child(pid_t pid, int rc, const char *what)
{
	int status;

	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die("waitpid:");
		if (deadline_passed)
			kill(pid, SIGKILL);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "kvm-bench: the %s failed (status %#x)\n", what, status);
		rc = -1;
	}
	return rc;
}

/*
 * -l: a child measures timer wakeups (measure_wakeups()) while this
 * process keeps a VM spinning on the same CPU, or (-I) sleeps.
 */
static int run_latency(int kvm, const struct opts *o)
{
	int go, rc = 0;
	pid_t pid = fork_child(&go);

	if (pid == 0)
		exit(measure_wakeups(o, go, o->idle ? "idle" : "spin") ? 1 : 0);
	if (o->idle) {
		if (write(go, "g", 1) != 1)
			die("write:");
	} else {
		rc = spin_vm(kvm, go);
	}
	return reap_child(pid, rc, "measuring task");
}

/*
 * -w's in-kernel LAPIC and its interrupt: the split irqchip (api.rst 7.23
 * KVM_CAP_SPLIT_IRQCHIP, before the vCPU exists), GSI IRQ_GSI routed as an
 * MSI to LAPIC 0's BENCH_IRQ_VECTOR (4.52 KVM_SET_GSI_ROUTING; fixed,
 * edge, SDM Vol. 3A 11.11), and @efd signalling it (4.75 KVM_IRQFD).
 */
static void add_irqfd(int vm, int efd)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args = { IOAPIC_PINS },
	};
	struct {
		struct kvm_irq_routing head;
		struct kvm_irq_routing_entry e;
	} routes = {
		.head = { .nr = 1 },
		.e = { .gsi = IRQ_GSI, .type = KVM_IRQ_ROUTING_MSI,
		       .u.msi = { .address_lo = 0xfee00000, .data = BENCH_IRQ_VECTOR } },
	};
	struct kvm_irqfd irqfd = { .fd = efd, .gsi = IRQ_GSI };

	xioctl(vm, KVM_ENABLE_CAP, &cap, "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)");
	xioctl(vm, KVM_SET_GSI_ROUTING, &routes, "KVM_SET_GSI_ROUTING");
	xioctl(vm, KVM_IRQFD, &irqfd, "KVM_IRQFD");
}

/*
 * The signalling side of -w, a process of its own: for each byte on @go
 * it sleeps @period_us, time for the vCPU to halt again, notes the TSC in
 * *@t0 and signals @efd. Ends when @go closes.
 */
static int signal_irqfd(int efd, int go, volatile uint64_t *t0, unsigned long period_us)
{
	struct timespec period = {
		.tv_sec = period_us / 1000000, .tv_nsec = (long)(period_us % 1000000) * 1000,
	};
	uint64_t one = 1;
	char c;

	while (read(go, &c, 1) == 1) {
		struct timespec left = period;

		while (nanosleep(&left, &left) < 0 && errno == EINTR)
			;
		*t0 = __rdtsc();
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			die("write irqfd:");
	}
	return 0;
}

/* Runs the vCPU to its next OUT to BENCH_PORT_USER; *@t1 = the TSC when it came. */
static int next_wake(int vcpu, struct kvm_run *run, uint64_t *t1)
{
	for (;;) {
		if (deadline_passed || child_done) {
			fprintf(stderr, "kvm-bench: %s\n", deadline_passed ? "deadline passed" :
				"the signalling process ended");
			return -1;
		}
		if (ioctl(vcpu, KVM_RUN, NULL) < 0) {
			if (errno != EINTR && errno != EAGAIN)
				die("KVM_RUN:");
			continue;
		}
		*t1 = __rdtsc();
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == BENCH_PORT_USER &&
		    run->io.direction == KVM_EXIT_IO_OUT)
			return 0;
		bad_exit(run);
		return -1;
	}
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @ticks and prints the median and the least ("bench: irqfd-wake N", "-min N"). */
static void report_wakes(uint64_t *ticks, const struct opts *o)
{
	unsigned long n = o->irq_wakeups;

	qsort(ticks, n, sizeof(*ticks), by_value);
	printf("bench: irqfd-wake %llu\nbench: irqfd-wake-min %llu\n",
	       (unsigned long long)ticks[n / 2], (unsigned long long)ticks[0]);
	fprintf(stderr, "kvm-bench: %lu irqfd wakeups %lu us apart: TSC ticks from the "
		"signal to the handler's OUT: least %llu, median %llu, most %llu\n", n,
		o->period_us, (unsigned long long)ticks[0], (unsigned long long)ticks[n / 2],
		(unsigned long long)ticks[n - 1]);
}

/*
 * The VMM side of -w: a halted vCPU, woken o->irq_wakeups times by the
 * irqfd once its LAPIC is on (the first OUT); a byte on @go asks the
 * signalling process for the next.
 */
static int collect_wakes(int kvm, int efd, int go, volatile uint64_t *t0, const struct opts *o)
{
	uint64_t *ticks = calloc(o->irq_wakeups, sizeof(*ticks));
	struct kvm_run *run;
	uint8_t *mem;
	int vm, vcpu;

	if (!ticks)
		die("out of memory");
	vm = create_vm(kvm, &mem);
	add_irqfd(vm, efd);
	vcpu = create_vcpu(kvm, vm, &run);
	set_entry(vcpu, bench_irq_wait, 0, 0, 0, 0);
	if (next_wake(vcpu, run, &ticks[0]) < 0) {
		dump_regs(vcpu);
		return -1;
	}
	for (unsigned long i = 0; i < o->irq_wakeups; i++) {
		if (write(go, "g", 1) != 1)
			die("write:");
		if (next_wake(vcpu, run, &ticks[i]) < 0) {
			dump_regs(vcpu);
			return -1;
		}
		ticks[i] -= *t0;
	}
	report_wakes(ticks, o);
	return 0;
}

/*
 * -w: how long a halted vCPU takes from an irqfd's signal to its interrupt
 * handler (bench_irq_handler), timed by the TSC in the VMM's own processes:
 * from the write() of the eventfd to the return of KVM_RUN with the
 * handler's OUT, so it holds one exit to the VMM besides the wake-up.
 */
static int run_wake(int kvm, const struct opts *o)
{
	int go, rc, efd = eventfd(0, EFD_CLOEXEC);
	volatile uint64_t *t0 = mmap(NULL, sizeof(*t0), PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (efd < 0 || t0 == MAP_FAILED)
		die("eventfd or mmap:");
	pid = fork_child(&go);
	if (pid == 0)
		exit(signal_irqfd(efd, go, t0, o->period_us));
	rc = collect_wakes(kvm, efd, go, t0, o);
	close(go);
	return reap_child(pid, rc, "signalling process");
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct opts o;
	int kvm, rc;

	parse_args(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;	/* a child gone: write() says EPIPE, and why */
	sigaction(SIGPIPE, &sa, NULL);
	alarm(o.seconds);

	kvm = open_kvm();
	if (o.wakeups)
		rc = run_latency(kvm, &o);
	else if (o.irq_wakeups)
		rc = run_wake(kvm, &o);
	else
		rc = run_ops(kvm, &o);
	return rc < 0 ? 1 : 0;
}
