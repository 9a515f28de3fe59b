// SPDX-License-Identifier: GPL-2.0
/*
 * keelctl: Keel's administration from its control guest, through
 * keel-kvm's /dev/keel (guest-abi/keel/keelctl.h; docs/keelctl.md).
 *
 *   keelctl [--json] info          Keel's version, CPUs, virtualization, memory, uptime
 *   keelctl [--json] list          every VM: id, kind, name, VMM pid, vCPUs, memory, CPU time
 *   keelctl [--json] stats         each physical CPU's counters, then every VM's
 *   keelctl [--json] stats VM      a VM's counters and each of its vCPUs'
 *   keelctl [--json] dump VM       each vCPU's state, and registers where it is not in use
 *   keelctl log [-f]               Keel's log; -f follows it
 *   keelctl top [-b] [-n N] [-d S] CPU % and exits in each S seconds, of each VM and vCPU
 *   keelctl [--json] sched VM [--vcpu N] [--weight W] [--cap PCT] [--affinity CPUS]
 *                                  gets, or sets, how Keel's scheduler shares the CPUs
 *
 * Exit status: 0, 1 for an error (no /dev/keel, no such VM), 2 for a usage
 * error. Built static, so that it runs in any control guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "keel/keelctl.h"

#define USAGE "usage: keelctl [--json] info | list | stats [VM] | dump VM | log [-f] |\n" \
	      "       top [-b] [-n N] [-d SECONDS] |\n" \
	      "       sched VM [--vcpu N] [--weight 1-65535] [--cap 0-10000] [--affinity 0,2-3]\n"

static int json;

static const char *const stat_names[KEEL_NR_VCPU_STATS] = { KEEL_STAT_NAMES };

static void __attribute__((noreturn)) usage(void)
{
	fputs(USAGE, stderr);
	exit(2);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("keelctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	exit(1);
}

static int open_dev(void)
{
	int fd = open("/dev/keel", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("/dev/keel: %s (is keel-kvm loaded, and are you root?)\n", strerror(errno));
	return fd;
}

/* Every VM, in *vms (malloc'd): their number. */
static unsigned int list_vms(int fd, struct keel_vm_info **vms)
{
	struct keel_ioctl_vm_list a = { 0 };
	int n = 0;

	*vms = NULL;
	for (;;) {
		n = ioctl(fd, KEEL_IOCTL_VM_LIST, &a);
		if (n < 0)
			die("KEEL_IOCTL_VM_LIST: %s\n", strerror(errno));
		if ((unsigned int)n <= a.n)
			return (unsigned int)n;
		free(*vms);
		a.n = (unsigned int)n + 8 < KEEL_MAX_LISTED_VMS ? (unsigned int)n + 8 :
			KEEL_MAX_LISTED_VMS;
		*vms = calloc(a.n, sizeof(**vms));
		if (!*vms)
			die("out of memory\n");
		a.vms = (uintptr_t)*vms;
	}
}

/* VM @id's vCPU @vcpu's counters (or the VM's, KEEL_STATS_VM); -1 if there is no such VM. */
static int vm_stats(int fd, unsigned int id, unsigned int vcpu, uint64_t *s)
{
	struct keel_ioctl_vm_stats a = { .id = id, .vcpu = vcpu, .n = KEEL_NR_VCPU_STATS,
					 .stats = (uintptr_t)s };

	memset(s, 0, KEEL_NR_VCPU_STATS * sizeof(*s));
	if (ioctl(fd, KEEL_IOCTL_VM_STATS, &a) >= 0)
		return 0;
	if (errno != EINVAL)
		die("KEEL_IOCTL_VM_STATS: %s\n", strerror(errno));
	return -1;
}

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = { "boot", "control", "kvm" };

	return kind < 3 ? names[kind] : "?";
}

static const char *vendor_name(uint32_t v)
{
	return v == KEEL_VENDOR_INTEL ? "intel" : v == KEEL_VENDOR_AMD ? "amd" : "other";
}

static const char *virt_name(uint32_t v)
{
	return v == KEEL_VIRT_VMX ? "vmx" : v == KEEL_VIRT_SVM ? "svm" : "none";
}

static int cmd_info(int fd)
{
	struct keel_hv_info i;

	if (ioctl(fd, KEEL_IOCTL_INFO, &i) < 0)
		die("KEEL_IOCTL_INFO: %s\n", strerror(errno));
	if (json) {
		printf("{\"version\": \"%s\", \"abi\": %u, \"cpus\": %u, \"vendor\": \"%s\", "
		       "\"virt\": \"%s\", \"tsc_khz\": %u, \"reserved_bytes\": %" PRIu64 ", "
		       "\"reserved_free_bytes\": %" PRIu64 ", \"heap_used_bytes\": %" PRIu64 ", "
		       "\"guest_free_bytes\": %" PRIu64 ", \"uptime_ns\": %" PRIu64 "}\n",
		       i.version, i.abi_version, i.nr_cpus, vendor_name(i.vendor), virt_name(i.virt),
		       i.tsc_khz, i.reserved_bytes, i.reserved_free_bytes, i.heap_used_bytes,
		       i.guest_free_bytes, i.uptime_ns);
		return 0;
	}
	printf("keel:    %s, hypercall ABI %u\n", i.version, i.abi_version);
	printf("cpus:    %u (%s, %s)\n", i.nr_cpus, vendor_name(i.vendor), virt_name(i.virt));
	printf("tsc:     %u kHz\n", i.tsc_khz);
	printf("memory:  Keel holds %" PRIu64 " MiB (%" PRIu64 " MiB free, %" PRIu64
	       " KiB of heap in use); %" PRIu64 " MiB free for VMs\n",
	       i.reserved_bytes >> 20, i.reserved_free_bytes >> 20, i.heap_used_bytes >> 10,
	       i.guest_free_bytes >> 20);
	printf("uptime:  %.1f s\n", i.uptime_ns / 1e9);
	return 0;
}

static void print_vm(const struct keel_vm_info *v, int first)
{
	const char *state = v->ended ? "ended" : "running";

	if (json) {
		printf("%s{\"id\": %u, \"kind\": \"%s\", \"name\": \"%.16s\", \"vmm_pid\": %" PRIu64
		       ", \"vcpus\": %u, \"mem_bytes\": %" PRIu64 ", \"run_ns\": %" PRIu64
		       ", \"exits\": %" PRIu64 ", \"state\": \"%s\"}",
		       first ? "" : ", ", v->id, kind_name(v->kind), v->name, v->vmm_pid, v->nr_vcpus,
		       v->mem_bytes, v->run_ns, v->exits, state);
		return;
	}
	printf("%-4u %-8s %-16.16s ", v->id, kind_name(v->kind), v->name);
	if (v->vmm_pid)
		printf("%7" PRIu64, v->vmm_pid);
	else
		printf("%7s", "-");
	printf(" %5u %8" PRIu64 " %10.3f %12" PRIu64 " %s\n", v->nr_vcpus, v->mem_bytes >> 20,
	       v->run_ns / 1e9, v->exits, state);
}

static int cmd_list(int fd)
{
	struct keel_vm_info *vms;
	unsigned int n = list_vms(fd, &vms);

	if (json)
		printf("[");
	else
		printf("%-4s %-8s %-16s %7s %5s %8s %10s %12s %s\n", "ID", "KIND", "NAME", "PID",
		       "VCPUS", "MEM_MIB", "CPU_S", "EXITS", "STATE");
	for (unsigned int i = 0; i < n; i++)
		print_vm(&vms[i], !i);
	if (json)
		printf("]\n");
	free(vms);
	return 0;
}

static const char *const cpu_stat_names[KEEL_NR_CPU_STATS] = {
	[KEEL_CPU_STAT_IRQS] = "irqs", [KEEL_CPU_STAT_TIMER_TICKS] = "timer_ticks",
	[KEEL_CPU_STAT_SLICES] = "slices", [KEEL_CPU_STAT_IDLE_NS] = "idle_ns",
	[KEEL_CPU_STAT_VCPUS] = "vcpus", [KEEL_CPU_STAT_SWITCHES] = "switches",
	[KEEL_CPU_STAT_SWITCH_NS] = "switch_ns",
};

static void print_cpu(unsigned int cpu, const uint64_t *s, int first)
{
	if (!json) {
		printf("%-4u %10" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10.3f %6" PRIu64 " %9" PRIu64
		       " %9.0f\n", cpu, s[KEEL_CPU_STAT_IRQS], s[KEEL_CPU_STAT_TIMER_TICKS],
		       s[KEEL_CPU_STAT_SLICES], s[KEEL_CPU_STAT_IDLE_NS] / 1e9, s[KEEL_CPU_STAT_VCPUS],
		       s[KEEL_CPU_STAT_SWITCHES], s[KEEL_CPU_STAT_SWITCHES] ?
		       (double)s[KEEL_CPU_STAT_SWITCH_NS] / s[KEEL_CPU_STAT_SWITCHES] : 0.0);
		return;
	}
	printf("%s{\"cpu\": %u", first ? "" : ", ", cpu);
	for (unsigned int k = 0; k < KEEL_NR_CPU_STATS; k++)
		printf(", \"%s\": %" PRIu64, cpu_stat_names[k], s[k]);
	printf("}");
}

/* Every online CPU's counters (their indices may have gaps), then the VMs as list shows them. */
static int cmd_stats_all(int fd)
{
	struct keel_hv_info info;
	uint64_t s[KEEL_NR_CPU_STATS];
	struct keel_ioctl_cpu_stats a = { .n = KEEL_NR_CPU_STATS, .stats = (uintptr_t)s };
	unsigned int found = 0;

	if (ioctl(fd, KEEL_IOCTL_INFO, &info) < 0)
		die("KEEL_IOCTL_INFO: %s\n", strerror(errno));
	if (json)
		printf("{\"cpus\": [");
	else
		printf("%-4s %10s %12s %10s %10s %6s %9s %9s\n", "CPU", "IRQS", "TIMER_TICKS", "SLICES",
		       "IDLE_S", "VCPUS", "SWITCHES", "SWITCH_NS");
	for (a.cpu = 0; a.cpu < 4096 && found < info.nr_cpus; a.cpu++) {
		if (ioctl(fd, KEEL_IOCTL_CPU_STATS, &a) < 0) {
			if (errno != EINVAL)
				die("KEEL_IOCTL_CPU_STATS: %s\n", strerror(errno));
			continue;
		}
		print_cpu(a.cpu, s, !found++);
	}
	printf(json ? "], \"vms\": " : "\n");
	cmd_list(fd);
	if (json)
		printf("}\n");
	return 0;
}

/* The VM an argument names, from the list: exits 2 for no number, 1 for no VM. */
static struct keel_vm_info find_vm(int fd, const char *arg)
{
	struct keel_vm_info *vms, found = { 0 };
	unsigned int n, i;
	char *end;
	unsigned long id = strtoul(arg, &end, 10);

	if (!*arg || *end || id == 0 || id > UINT32_MAX)
		usage();
	n = list_vms(fd, &vms);
	for (i = 0; i < n && vms[i].id != id; i++)
		;
	if (i == n)
		die("no VM %lu (keelctl list shows them)\n", id);
	found = vms[i];
	free(vms);
	return found;
}

static void print_counters(const char *label, const uint64_t *s, unsigned int n, int first)
{
	if (json)
		printf("%s{\"vcpu\": %s", first ? "" : ", ", label);
	else
		printf("%-6s", label);
	for (unsigned int k = 0; k < n; k++)
		printf(json ? ", \"%s\": %" PRIu64 : " %s=%" PRIu64, stat_names[k], s[k]);
	printf(json ? "}" : "\n");
}

static int cmd_stats(int fd, const char *arg)
{
	struct keel_vm_info vm = find_vm(fd, arg);
	uint64_t s[KEEL_NR_VCPU_STATS];
	char label[16];

	if (vm_stats(fd, vm.id, KEEL_STATS_VM, s))
		die("no VM %u\n", vm.id);
	if (json)
		printf("{\"id\": %u, \"remote_tlb_flush\": %" PRIu64 ", \"vcpus\": [", vm.id,
		       s[KEEL_VM_STAT_REMOTE_TLB_FLUSH]);
	else
		printf("vm %u (%.16s): remote_tlb_flush=%" PRIu64 "\n", vm.id, vm.name,
		       s[KEEL_VM_STAT_REMOTE_TLB_FLUSH]);
	for (unsigned int i = 0; i < vm.nr_vcpus; i++) {
		if (vm_stats(fd, vm.id, i, s))
			break;	/* the VM went meanwhile */
		snprintf(label, sizeof(label), json ? "%u" : "vcpu%u", i);
		print_counters(label, s, KEEL_NR_VCPU_STATS, !i);
	}
	if (json)
		printf("]}\n");
	return 0;
}

static const char *const state_names[] = {
	[KEEL_VCPU_IDLE] = "idle", [KEEL_VCPU_PARKED] = "parked", [KEEL_VCPU_RUNNABLE] = "runnable",
	[KEEL_VCPU_RUNNING] = "running", [KEEL_VCPU_BLOCKED] = "blocked",
	[KEEL_VCPU_FROZEN] = "frozen", [KEEL_VCPU_DEAD] = "dead",
};

static const char *const gpr_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

static const char *const seg_names[8] = { "es", "cs", "ss", "ds", "fs", "gs", "ldt", "tr" };

/* Real, protected or long mode, from CR0.PE and EFER.LMA (SDM Vol. 3A 2.2). */
static const char *cpu_mode(const struct keel_sregs *s)
{
	if (!(s->cr0 & 1))
		return "real";
	return s->efer & (1 << 10) ? "long" : "protected";
}

static void print_regs_json(const struct keel_vcpu_dump *d)
{
	const struct keel_sregs *s = &d->sregs;

	printf(", \"mode\": \"%s\", \"rip\": %" PRIu64 ", \"rflags\": %" PRIu64, cpu_mode(s),
	       d->regs.rip, d->regs.rflags);
	for (int i = 0; i < 16; i++)
		printf(", \"%s\": %" PRIu64, gpr_names[i], d->regs.gpr[i]);
	for (int i = 0; i < 8; i++)
		printf(", \"%s\": {\"selector\": %u, \"base\": %" PRIu64 ", \"limit\": %u}",
		       seg_names[i], s->seg[i].selector, s->seg[i].base, s->seg[i].limit);
	printf(", \"cr0\": %" PRIu64 ", \"cr2\": %" PRIu64 ", \"cr3\": %" PRIu64 ", \"cr4\": %"
	       PRIu64 ", \"efer\": %" PRIu64, s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
}

static void print_regs(const struct keel_vcpu_dump *d)
{
	const struct keel_sregs *s = &d->sregs;

	printf("  %s mode  rip=%016" PRIx64 " rflags=%08" PRIx64 "\n", cpu_mode(s), d->regs.rip,
	       d->regs.rflags);
	for (int i = 0; i < 16; i++)
		printf("%s%-3s=%016" PRIx64 "%s", i % 4 ? " " : "  ", gpr_names[i], d->regs.gpr[i],
		       i % 4 == 3 ? "\n" : "");
	for (int i = 0; i < 8; i++)
		printf("  %-3s sel=%04x base=%016" PRIx64 " limit=%08x\n", seg_names[i],
		       s->seg[i].selector, s->seg[i].base, s->seg[i].limit);
	printf("  cr0=%" PRIx64 " cr2=%" PRIx64 " cr3=%" PRIx64 " cr4=%" PRIx64 " efer=%" PRIx64 "\n",
	       s->cr0, s->cr2, s->cr3, s->cr4, s->efer);
}

static void print_dump(unsigned int i, const struct keel_vcpu_dump *d)
{
	const char *state = d->state < 7 ? state_names[d->state] : "?";

	if (json) {
		printf("%s{\"vcpu\": %u, \"state\": \"%s\", \"cpu\": %u, \"entries\": %" PRIu64,
		       i ? ", " : "", i, state, d->cpu, d->entries);
		if (d->flags & KEEL_DUMP_REGS)
			print_regs_json(d);
		printf("}");
		return;
	}
	printf("vcpu%u: %s, on cpu %u, %" PRIu64 " entries%s\n", i, state, d->cpu, d->entries,
	       d->flags & KEEL_DUMP_REGS ? "" : " (its registers are not read while it is in use)");
	if (d->flags & KEEL_DUMP_REGS)
		print_regs(d);
}

static int cmd_dump(int fd, const char *arg)
{
	struct keel_vm_info vm = find_vm(fd, arg);
	struct keel_vcpu_dump d;
	struct keel_ioctl_vm_dump a = { .id = vm.id, .dump = (uintptr_t)&d };

	if (json)
		printf("{\"id\": %u, \"vcpus\": [", vm.id);
	else
		printf("vm %u (%.16s, %s)\n", vm.id, vm.name, kind_name(vm.kind));
	for (a.vcpu = 0; a.vcpu < vm.nr_vcpus; a.vcpu++) {
		if (ioctl(fd, KEEL_IOCTL_VM_DUMP, &a) < 0) {
			if (errno != EINVAL)
				die("KEEL_IOCTL_VM_DUMP: %s\n", strerror(errno));
			break;	/* the VM went meanwhile */
		}
		print_dump(a.vcpu, &d);
	}
	if (json)
		printf("]}\n");
	return 0;
}

/* Keel's log to stdout; with @follow, what is logged later too, until killed. */
static int cmd_log(int fd, int follow)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			die("reading Keel's log: %s\n", strerror(errno));
		if (n > 0 && fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 1;
		if (n == 0 && !follow)
			return 0;
		if (n == 0) {
			fflush(stdout);
			usleep(200000);
		}
	}
}

/* What top compares between two looks: each VM's vCPUs' counters. */
struct sample {
	unsigned int n;
	struct keel_vm_info *vms;
	uint64_t (*s)[KEEL_NR_VCPU_STATS];	/* vms[i]'s vCPU j at first[i] + j */
	unsigned int *first;
	struct timespec at;
};

static void take_sample(int fd, struct sample *sm)
{
	unsigned int total = 0;

	sm->n = list_vms(fd, &sm->vms);
	sm->first = calloc(sm->n + 1, sizeof(*sm->first));
	for (unsigned int i = 0; sm->first && i < sm->n; i++) {
		sm->first[i] = total;
		total += sm->vms[i].nr_vcpus;
	}
	sm->s = calloc(total + 1, sizeof(*sm->s));
	if (!sm->first || !sm->s)
		die("out of memory\n");
	for (unsigned int i = 0; i < sm->n; i++)
		for (unsigned int j = 0; j < sm->vms[i].nr_vcpus; j++)
			if (vm_stats(fd, sm->vms[i].id, j, sm->s[sm->first[i] + j]))
				sm->vms[i].nr_vcpus = j;	/* it went meanwhile: no rows */
	clock_gettime(CLOCK_MONOTONIC, &sm->at);
}

static void free_sample(struct sample *sm)
{
	free(sm->vms);
	free(sm->s);
	free(sm->first);
}

/* @cur's counters of VM @i's vCPU @j less @prev's, if @prev had it. */
static void delta(const struct sample *prev, const struct sample *cur, unsigned int i,
		  unsigned int j, uint64_t *d)
{
	const uint64_t *now = cur->s[cur->first[i] + j];
	unsigned int p;

	for (p = 0; p < prev->n && prev->vms[p].id != cur->vms[i].id; p++)
		;
	for (unsigned int k = 0; k < KEEL_NR_VCPU_STATS; k++)
		d[k] = now[k];
	if (p == prev->n || j >= prev->vms[p].nr_vcpus)
		return;
	for (unsigned int k = 0; k < KEEL_NR_VCPU_STATS; k++)
		d[k] -= prev->s[prev->first[p] + j][k];
}

static void top_row(const char *vm, const char *vcpu, const uint64_t *d, double secs)
{
	printf("%-20s %-5s %6.1f %10" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 "\n",
	       vm, vcpu, d[KEEL_STAT_RUN_NS] / (secs * 1e7), d[KEEL_STAT_EXITS],
	       d[KEEL_STAT_IO_EXITS], d[KEEL_STAT_HALT_EXITS], d[KEEL_STAT_IRQ_EXITS],
	       d[KEEL_STAT_HYPERCALLS]);
}

/* One screen: each VM's sums, then its vCPUs: CPU % and the exits of the interval. */
static void top_screen(const struct sample *prev, const struct sample *cur)
{
	double secs = (cur->at.tv_sec - prev->at.tv_sec) + (cur->at.tv_nsec - prev->at.tv_nsec) / 1e9;
	uint64_t d[KEEL_NR_VCPU_STATS], sum[KEEL_NR_VCPU_STATS];
	char name[32], idx[12];

	printf("%-20s %-5s %6s %10s %9s %9s %9s %9s   (over %.1f s)\n", "VM", "VCPU", "CPU%",
	       "EXITS", "IO", "HALT", "IRQ", "HCALL", secs);
	for (unsigned int i = 0; i < cur->n; i++) {
		memset(sum, 0, sizeof(sum));
		for (unsigned int j = 0; j < cur->vms[i].nr_vcpus; j++) {
			delta(prev, cur, i, j, d);
			for (unsigned int k = 0; k < KEEL_NR_VCPU_STATS; k++)
				sum[k] += d[k];
		}
		snprintf(name, sizeof(name), "%u %.16s", cur->vms[i].id, cur->vms[i].name);
		top_row(name, "all", sum, secs);
		for (unsigned int j = 0; j < cur->vms[i].nr_vcpus; j++) {
			delta(prev, cur, i, j, d);
			snprintf(idx, sizeof(idx), "%u", j);
			top_row("", idx, d, secs);
		}
	}
}

static int cmd_top(int fd, int batch, long iterations, double interval)
{
	struct sample prev, cur;

	take_sample(fd, &prev);
	if (batch) {
		/* What came after this line is in the first screen. */
		printf("keelctl top: sampling every %.1f s\n", interval);
		fflush(stdout);
	}
	for (long it = 0; iterations <= 0 || it < iterations; it++) {
		usleep((useconds_t)(interval * 1e6));
		take_sample(fd, &cur);
		if (!batch)
			printf("\033[H\033[2J");
		top_screen(&prev, &cur);
		printf("\n");
		fflush(stdout);
		free_sample(&prev);
		prev = cur;
	}
	free_sample(&prev);
	return 0;
}

static int top_args(int fd, int argc, char **argv)
{
	int batch = 0;
	long n = 0;
	double d = 1.0;
	char *end;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-b")) {
			batch = 1;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtol(argv[++i], &end, 10);
			if (*end || n <= 0)
				usage();
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			d = strtod(argv[++i], &end);
			if (*end || !(d >= 0.1 && d <= 3600))
				usage();
		} else {
			usage();
		}
	}
	return cmd_top(fd, batch, n, d);
}

/* What keelctl sched was asked to change; -1: leave it. */
struct sched_args {
	long vcpu, weight, cap;
	int affinity_set;
	uint64_t affinity[4];
};

static long number(const char *arg, long max)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < 0 || v > max)
		usage();
	return v;
}

/* "0,2-3" into @mask, as keel.vm_cpus= and a boot-time VM's affinity= take it. */
static void cpu_list(const char *s, uint64_t *mask)
{
	char *end;

	memset(mask, 0, 4 * sizeof(*mask));
	for (;;) {
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s || lo < 0)
			usage();
		if (*end == '-') {
			s = end + 1;
			hi = strtol(s, &end, 10);
			if (end == s)
				usage();
		}
		if (hi < lo || hi > 255 || (*end && *end != ','))
			usage();
		for (long c = lo; c <= hi; c++)
			mask[c / 64] |= 1ULL << (c % 64);
		if (!*end)
			return;
		s = end + 1;
	}
}

static void print_cpu_list(const uint64_t *mask)
{
	const char *sep = "";

	for (int c = 0; c < 256; c++) {
		int hi = c;

		if (!(mask[c / 64] >> (c % 64) & 1))
			continue;
		while (hi < 255 && (mask[(hi + 1) / 64] >> ((hi + 1) % 64) & 1))
			hi++;
		printf(hi > c ? "%s%d-%d" : "%s%d", sep, c, hi);
		sep = ",";
		c = hi;
	}
}

static int sched_call(int fd, unsigned int id, unsigned int vcpu, struct keel_sched *s, int set)
{
	struct keel_ioctl_sched a = { .id = id, .vcpu = vcpu, .sched = *s };

	a.op = set ? KEEL_SCHED_SET : KEEL_SCHED_GET;
	if (ioctl(fd, KEEL_IOCTL_SCHED, &a) < 0)
		return -errno;
	*s = a.sched;
	return 0;
}

static void print_sched(unsigned int id, unsigned int vcpu, const struct keel_sched *s, int first)
{
	if (vcpu == KEEL_SCHED_VM) {
		if (json)
			printf("{\"id\": %u, \"weight\": %u, \"cap\": %u, \"vcpus\": [", id,
			       s->weight, s->cap);
		else
			printf("vm %u: weight %u, cap %u%%\n", id, s->weight, s->cap);
		return;
	}
	if (json)
		printf("%s{\"vcpu\": %u, \"weight\": %u, \"affinity\": \"", first ? "" : ", ", vcpu,
		       s->weight);
	else
		printf("vcpu%-3u weight %u, affinity ", vcpu, s->weight);
	print_cpu_list(s->affinity);
	printf(json ? "\", \"ran_on\": \"" : ", ran on ");
	print_cpu_list(s->ran_on);
	printf(json ? "\"}" : "\n");
}

/* VM @id's (vcpu KEEL_SCHED_VM) or a vCPU's scheduling, once what @a asks of it is set. */
static void sched_one(int fd, unsigned int id, unsigned int vcpu, const struct sched_args *a,
		      int first)
{
	struct keel_sched s = { 0 };
	int is_vm = vcpu == KEEL_SCHED_VM, set = 0, r = sched_call(fd, id, vcpu, &s, 0);

	if (a->weight >= 0 && is_vm == (a->vcpu < 0)) {
		s.weight = (uint32_t)a->weight;
		set = 1;
	}
	if (is_vm && a->cap >= 0) {
		s.cap = (uint32_t)a->cap;
		set = 1;
	}
	if (!is_vm && a->affinity_set) {
		memcpy(s.affinity, a->affinity, sizeof(s.affinity));
		set = 1;
	}
	if (!r && set)
		r = sched_call(fd, id, vcpu, &s, 1);
	if (r && is_vm)
		die("VM %u: %s\n", id, strerror(-r));
	if (r)
		die("VM %u vCPU %u: %s\n", id, vcpu, strerror(-r));
	print_sched(id, vcpu, &s, first);
}

/* The VM, then each of its vCPUs (only --vcpu's, if given). */
static int cmd_sched(int fd, const char *arg, const struct sched_args *a)
{
	struct keel_vm_info vm = find_vm(fd, arg);

	if (a->vcpu >= (long)vm.nr_vcpus)
		die("VM %u has no vCPU %ld\n", vm.id, a->vcpu);
	sched_one(fd, vm.id, KEEL_SCHED_VM, a, 1);
	for (unsigned int i = 0; i < vm.nr_vcpus; i++)
		if (a->vcpu < 0 || a->vcpu == i)
			sched_one(fd, vm.id, i, a, a->vcpu >= 0 || !i);
	if (json)
		printf("]}\n");
	return 0;
}

static int sched_args(int argc, char **argv)
{
	struct sched_args a = { .vcpu = -1, .weight = -1, .cap = -1 };

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--vcpu"))
			a.vcpu = number(argv[i + 1], KEEL_MAX_VCPUS - 1);
		else if (!strcmp(argv[i], "--weight"))
			a.weight = number(argv[i + 1], 65535);
		else if (!strcmp(argv[i], "--cap"))
			a.cap = number(argv[i + 1], 10000);
		else if (!strcmp(argv[i], "--affinity") && ++a.affinity_set)
			cpu_list(argv[i + 1], a.affinity);
		else
			usage();
	}
	if (argc < 1 || !(argc & 1) || !a.weight || (a.cap >= 0 && a.vcpu >= 0))
		usage();
	return cmd_sched(open_dev(), argv[0], &a);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc > 1 && !strcmp(argv[1], "--json")) {
		json = 1;
		argv++;
		argc--;
	}
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "info") && argc == 2)
		return cmd_info(open_dev());
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list(open_dev());
	if (!strcmp(argv[1], "stats") && argc == 2)
		return cmd_stats_all(open_dev());
	if (!strcmp(argv[1], "stats") && argc == 3)
		return cmd_stats(open_dev(), argv[2]);
	if (!strcmp(argv[1], "dump") && argc == 3)
		return cmd_dump(open_dev(), argv[2]);
	if (!strcmp(argv[1], "log") && !json && (argc == 2 || (argc == 3 && !strcmp(argv[2], "-f"))))
		return cmd_log(open_dev(), argc == 3);
	if (!strcmp(argv[1], "sched") && argc >= 3)
		return sched_args(argc - 2, argv + 2);
	if (!strcmp(argv[1], "top") && !json) {
		fd = open_dev();
		return top_args(fd, argc - 2, argv + 2);
	}
	usage();
}
