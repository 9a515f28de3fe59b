/*
 * guestbench: the control guest's side of tests/bench/control-bench.sh.
 * Runs in the initramfs of Debian's kernel, under Keel and on the bare
 * (emulated) machine. Under QEMU -icount shift=0,sleep=off the TSC counts
 * retired instructions, so every figure is in instructions.
 *
 *   guestbench tsc          prints "bench: init-tsc N": the TSC now (instructions
 *                           since machine reset, when /init runs it first);
 *                           then logs the TSC through /dev/kmsg, whose console
 *                           line carries the kernel's clock (for the report)
 *   guestbench cpu [ITERS]  an integer xorshift/multiply chain of ITERS steps
 *                           (default 50M, 13 instructions each); prints
 *                           "bench: cpu-loop N", the TSC ticks of the loop alone
 *   guestbench mem [PASSES] a pointer chase over 64 MiB: every load lands on
 *                           another 4 KiB page in a fixed random order, so
 *                           each one misses the TLB, and depends on the one
 *                           before. The buffer is faulted in and the chain
 *                           built and walked once before timing. PASSES walks
 *                           of the whole chain (default 1536: 25M loads, 11
 *                           instructions each with the path's checksum);
 *                           prints "bench: mem-loop N".
 *   guestbench vm CMD ARG...  runs CMD (tests/bench/vm-bench.sh: QEMU booting a
 *                           Linux VM on /dev/kvm) with each line of its output
 *                           copied through as "vm-tsc N LINE"; prints "bench:
 *                           vm-init N" when the first line saying "vm: init"
 *                           (the VM's /init) comes, and "bench: vm-exit N" when
 *                           CMD ends, N the TSC ticks since CMD was started;
 *                           exits with CMD's status.
 * Under TCG a load that misses costs QEMU host time but no more instructions
 * than one that hits: the sizes aim at 0.2-0.7 s of emulated time while
 * keeping the memory loop's host time down (it dominates: ~0.3 us a load bare).
 * Each loop prints "bench: info cpu|mem start" just before it starts (and
 * waits for the UART to send it), for the host's clock, and after it
 * "bench: note cpu|mem timer-irqs=N", the LAPIC timer interrupts during the
 * loop (-1 without /proc).
 * The loops' results are printed (as "bench: info ...") so the compiler
 * keeps them; everything is seeded with constants, so the work is the same
 * on every run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#define MEM_BYTES (64UL << 20)
#define PAGE 4096UL
#define PAGES (MEM_BYTES / PAGE)

static uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static unsigned long arg(int argc, char **argv, unsigned long dflt)
{
	char *end;
	unsigned long v;

	if (argc < 3)
		return dflt;
	v = strtoul(argv[2], &end, 0);
	if (*end || v == 0) {
		fprintf(stderr, "guestbench: bad count %s\n", argv[2]);
		exit(2);
	}
	return v;
}

/*
 * The TSC now; then, for the report only, the TSC again through the kernel's
 * log (/dev/kmsg, made here: nothing is mounted yet), whose timestamp on the
 * console is the kernel's clock: the TSC minus the kernel's clock is where
 * that clock started, early in the kernel's boot.
 */
static int bench_tsc(void)
{
	char line[64];
	int fd, n;

	printf("bench: init-tsc %llu\n", (unsigned long long)rdtsc_ordered());
	if (mknod("/dev/kmsg", S_IFCHR | 0600, makedev(1, 11)) && access("/dev/kmsg", W_OK))
		return 0;
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd < 0)
		return 0;
	/* One write(), one record (dprintf() does not get through to /dev/kmsg). */
	n = snprintf(line, sizeof(line), "<1>bench: kmsg tsc=%llu\n", (unsigned long long)rdtsc_ordered());
	if (write(fd, line, (size_t)n) != n)
		perror("guestbench: /dev/kmsg");
	close(fd);
	return 0;
}

/* The local APIC timer's interrupts so far (/proc/interrupts' LOC line, all
 * CPUs), or -1 without /proc. */
static long long timer_irqs(void)
{
	char line[512], *q, *end;
	long long n = -1, v;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		q = line + strspn(line, " ");
		if (strncmp(q, "LOC:", 4))
			continue;
		n = 0;
		for (q += 4;; q = end) {
			v = strtoll(q, &end, 10);
			if (end == q)
				break;
			n += v;
		}
		break;
	}
	fclose(f);
	return n;
}

/* Prints a line and waits until the UART has sent it, so that its interrupts
 * do not fall into the timed loop that follows. */
static void say_drained(const char *line)
{
	printf("%s\n", line);
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
}

static int bench_cpu(unsigned long iters)
{
	uint64_t s = 0x9e3779b97f4a7c15ULL, acc = 1, t0, t1;
	long long irqs;
	unsigned long i;

	say_drained("bench: info cpu start");
	irqs = timer_irqs();
	t0 = rdtsc_ordered();
	for (i = 0; i < iters; i++)
		acc = acc * 0xff51afd7ed558ccdULL + xorshift64(&s);
	t1 = rdtsc_ordered();
	irqs = timer_irqs() - irqs;
	printf("bench: info cpu iters=%lu result=%016llx\n", iters, (unsigned long long)acc);
	printf("bench: note cpu timer-irqs=%lld\n", irqs);
	printf("bench: cpu-loop %llu\n", (unsigned long long)(t1 - t0));
	return 0;
}

static int bench_mem(unsigned long passes)
{
	uint64_t s = 0x2545f4914f6cdd1dULL, h = 0, t0, t1;
	uint32_t *order;
	char *buf;
	void **p;
	unsigned long i, steps;
	long long irqs;
	int ok;

	buf = mmap(NULL, MEM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	order = malloc(PAGES * sizeof(*order));
	if (buf == MAP_FAILED || !order) {
		perror("guestbench: 64 MiB");
		return 1;
	}
	/* 4 KiB pages, so that every step needs its own TLB entry. */
	madvise(buf, MEM_BYTES, MADV_NOHUGEPAGE);
	/* Fault every page in now: the timed walk takes no page faults. */
	memset(buf, 0x5a, MEM_BYTES);

	/* A random cyclic order of the pages (Fisher-Yates, fixed seed). */
	for (i = 0; i < PAGES; i++)
		order[i] = (uint32_t)i;
	for (i = PAGES - 1; i > 0; i--) {
		unsigned long j = xorshift64(&s) % (i + 1);
		uint32_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	/* Node k sits in page order[k], at a cache line that varies with k. */
#define NODE(k) ((void **)(buf + (unsigned long)order[k] * PAGE + ((k) % (PAGE / 64)) * 64))
	for (i = 0; i < PAGES; i++)
		*NODE(i) = NODE((i + 1) % PAGES);

	/* One untimed pass warms the caches and the guest's page tables. */
	p = NODE(0);
	for (i = 0; i < PAGES; i++)
		p = *p;

	steps = passes * PAGES;
	/* For the host's clock (control-bench.sh stamps the console's lines). */
	say_drained("bench: info mem start");
	irqs = timer_irqs();
	t0 = rdtsc_ordered();
	for (i = 0; i < steps; i++) {
		p = *p;
		/* A checksum of the path, off the loads' critical path. */
		h = (h ^ (uint64_t)((char *)p - buf)) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	t1 = rdtsc_ordered();
	irqs = timer_irqs() - irqs;
	/* The chase ends where it started: steps is a multiple of PAGES. */
	ok = p == NODE(0);
#undef NODE
	printf("bench: info mem passes=%lu loads=%lu back-at-start=%d path=%016llx\n", passes, steps,
	       ok, (unsigned long long)h);
	printf("bench: note mem timer-irqs=%lld\n", irqs);
	printf("bench: mem-loop %llu\n", (unsigned long long)(t1 - t0));
	return ok ? 0 : 1;
}

/* The child of bench_vm(): CMD with stdout and stderr on the pipe. */
static void exec_piped(int fds[2], char **cmd)
{
	dup2(fds[1], STDOUT_FILENO);
	dup2(fds[1], STDERR_FILENO);
	close(fds[0]);
	close(fds[1]);
	execvp(cmd[0], cmd);
	perror(cmd[0]);
	_exit(127);
}

static int bench_vm(char **cmd)
{
	char line[1024];
	uint64_t t0;
	int fds[2], status, seen = 0;
	pid_t pid;
	FILE *in;

	if (!cmd[0] || pipe(fds)) {
		fprintf(stderr, "usage: guestbench vm CMD [ARG...]\n");
		return 2;
	}
	t0 = rdtsc_ordered();
	pid = fork();
	if (pid == 0)
		exec_piped(fds, cmd);
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && fgets(line, sizeof(line), in)) {
		unsigned long long t = rdtsc_ordered() - t0;

		if (!seen && strstr(line, "vm: init")) {
			printf("bench: vm-init %llu\n", t);
			seen = 1;
		}
		printf("vm-tsc %llu %s", t, line);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	printf("bench: vm-exit %llu\n", (unsigned long long)(rdtsc_ordered() - t0));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(what, "tsc"))
		return bench_tsc();
	if (!strcmp(what, "cpu"))
		return bench_cpu(arg(argc, argv, 50000000UL));
	if (!strcmp(what, "mem"))
		return bench_mem(arg(argc, argv, 1536UL));
	if (!strcmp(what, "vm"))
		return bench_vm(argv + 2);
	fprintf(stderr, "usage: guestbench tsc | cpu [ITERS] | mem [PASSES] | vm CMD [ARG...]\n");
	return 2;
}
