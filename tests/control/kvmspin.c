// SPDX-License-Identifier: GPL-2.0
/*
 * kvmspin VMS VCPUS: a VMM of VMS VMs with VCPUS vCPUs each, every vCPU a
 * thread in KVM_RUN whose guest only spins, adding 1 to its own counter in
 * guest memory: no exit ever, so only the scheduler decides who runs, and
 * the counters are the guests' own measure of the CPU time they got
 * (tests/control/init, check_sched).
 *
 * Each guest first turns on steal time (MSR_KVM_STEAL_TIME), to see what
 * it waited. Prints "kvmspin: running PID" once every vCPU counted; on each
 * SIGUSR1, "kvmspin: steal" and every vCPU's steal time (ns), then
 * "kvmspin: counts" and every vCPU's counter, VM by VM; on SIGTERM each
 * thread is signalled out of KVM_RUN (which must return EINTR, KVM's
 * answer) and it exits: status 0, or 1 if any step failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CODE_GPA 0x1000
#define COUNTER_GPA 0x2000
#define MEM_SIZE 0x10000
#define MAX_VCPUS 64

struct vcpu {
	pthread_t thread;
	int fd;
	struct kvm_run *run;
	volatile uint64_t *counter;	/* the guest's, a 64-bit count in two halves */
	volatile uint64_t *steal;	/* its kvm_steal_time's steal, ns */
	volatile int failed;
};

static struct vcpu vcpus[MAX_VCPUS];
static unsigned int nr;
static volatile int stopping;

static void on_kick(int sig __attribute__((unused)))
{
}

/*
 * Real mode at CODE_GPA: steal time on (its record STEAL_OFFSET past the
 * counter, Documentation/virt/kvm/x86/msr.rst), then the count:
 *	mov ecx, MSR_KVM_STEAL_TIME; lea eax, [bx + STEAL_OFFSET + 1]; xor edx, edx; wrmsr
 * 1:	add dword [bx], 1; adc dword [bx + 4], 0; jmp 1b
 */
#define STEAL_OFFSET 0x1000
static const unsigned char code[] = {
	0x66, 0xb9, 0x03, 0x4d, 0x56, 0x4b, 0x66, 0x8d, 0x87, 0x01, 0x10, 0x66, 0x31, 0xd2,
	0x0f, 0x30, 0x66, 0x83, 0x07, 0x01, 0x66, 0x83, 0x57, 0x04, 0x00, 0xeb, 0xf5 };

static int start(int fd, unsigned int i)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rbx = COUNTER_GPA + 64 * i, .rflags = 2 };

	if (ioctl(fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &sregs) < 0)
		return -1;
	return ioctl(fd, KVM_SET_REGS, &regs);
}

/* Each KVM_RUN must end in EINTR, and only once kvmspin asked. */
static void *run(void *arg)
{
	struct vcpu *v = arg;

	while (!stopping) {
		if (ioctl(v->fd, KVM_RUN, 0) == 0 || errno != EINTR) {
			fprintf(stderr, "kvmspin: KVM_RUN: exit reason %u, %s\n", v->run->exit_reason,
				strerror(errno));
			v->failed = 1;
			return NULL;
		}
	}
	return NULL;
}

static int make_vm(int kvm, unsigned int per_vm)
{
	struct kvm_userspace_memory_region slot = { .memory_size = MEM_SIZE };
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	long size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	unsigned char *mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (vm < 0 || size <= 0 || mem == MAP_FAILED)
		return -1;
	memcpy(mem + CODE_GPA, code, sizeof(code));
	slot.userspace_addr = (uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return -1;
	for (unsigned int i = 0; i < per_vm; i++) {
		struct vcpu *v = &vcpus[nr];

		v->fd = ioctl(vm, KVM_CREATE_VCPU, i);
		if (v->fd < 0 || start(v->fd, i) < 0)
			return -1;
		v->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED)
			return -1;
		v->counter = (volatile uint64_t *)(mem + COUNTER_GPA + 64 * i);
		v->steal = (volatile uint64_t *)(mem + COUNTER_GPA + STEAL_OFFSET + 64 * i);
		nr++;
	}
	return 0;
}

static void print_counts(void)
{
	printf("kvmspin: steal");
	for (unsigned int i = 0; i < nr; i++)
		printf(" %" PRIu64, *vcpus[i].steal);
	printf("\nkvmspin: counts");
	for (unsigned int i = 0; i < nr; i++)
		printf(" %" PRIu64, *vcpus[i].counter);
	printf("\n");
	fflush(stdout);
}

static int all_counted(void)
{
	for (unsigned int i = 0; i < nr; i++)
		if (!*vcpus[i].counter)
			return 0;
	return 1;
}

/* immediate_exit first, so that a thread between two KVM_RUNs stops too (api.rst 5). */
static int stop(void)
{
	int failed = 0;

	stopping = 1;
	for (unsigned int i = 0; i < nr; i++) {
		vcpus[i].run->immediate_exit = 1;
		pthread_kill(vcpus[i].thread, SIGUSR2);
	}
	for (unsigned int i = 0; i < nr; i++) {
		pthread_join(vcpus[i].thread, NULL);
		failed |= vcpus[i].failed;
	}
	return failed;
}

static int serve(void)
{
	sigset_t set;
	int sig;

	for (int tries = 0; !all_counted(); tries++) {
		if (tries == 300) {
			fprintf(stderr, "kvmspin: a vCPU never counted in 30 s\n");
			print_counts();
			return 1;
		}
		usleep(100000);
	}
	printf("kvmspin: running %d\n", getpid());
	fflush(stdout);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	while (!sigwait(&set, &sig) && sig == SIGUSR1)
		print_counts();
	return stop();
}

int main(int argc, char **argv)
{
	unsigned long vms = argc == 3 ? strtoul(argv[1], NULL, 10) : 0;
	unsigned long per_vm = argc == 3 ? strtoul(argv[2], NULL, 10) : 0;
	struct sigaction kick = { .sa_handler = on_kick };	/* no SA_RESTART: KVM_RUN ends */
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	sigset_t set;

	if (!vms || !per_vm || vms * per_vm > MAX_VCPUS) {
		fprintf(stderr, "usage: kvmspin VMS VCPUS (at most %d vCPUs in all)\n", MAX_VCPUS);
		return 2;
	}
	if (kvm < 0) {
		perror("/dev/kvm");
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);	/* the main thread's, by sigwait() */
	sigaction(SIGUSR2, &kick, NULL);
	for (unsigned long i = 0; i < vms; i++)
		if (make_vm(kvm, (unsigned int)per_vm) < 0) {
			perror("kvmspin: setting up a VM");
			return 1;
		}
	for (unsigned int i = 0; i < nr; i++)
		if (pthread_create(&vcpus[i].thread, NULL, run, &vcpus[i])) {
			fprintf(stderr, "kvmspin: pthread_create failed\n");
			return 1;
		}
	return serve();
}
