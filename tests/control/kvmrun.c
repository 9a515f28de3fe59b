// SPDX-License-Identifier: GPL-2.0
/*
 * kvmrun: conformance of memory slots, vCPUs and KVM_RUN. Like kvmapi it runs
 * in the control guest against keel-kvm.ko and, on the bare machine, against
 * Linux's own kvm_amd, so every expectation is what real KVM does
 * (Documentation/virt/kvm/api.rst). Its guests are kvmrun-guests.S, in the
 * guest-physical layout of kvmrun.h. Prints "kvmrun: PASS|FAIL what" lines
 * (a FAIL may be followed by "kvmrun:   got ..." lines saying what happened)
 * and "kvmrun: N passed, N failed"; exits 0 only if nothing failed. Every
 * KVM_RUN is bounded by a timer: a guest that does not exit is a FAIL.
 *
 * What real KVM does where api.rst does not say, as kvm_amd (Debian's 6.1)
 * showed it and the checks below expect:
 * - After a KVM_EXIT_IO exit of an IN or OUT, RIP is still at the
 *   instruction; the next KVM_RUN completes it (an IN takes the VMM's data
 *   at data_offset, merged into EAX for 1 and 2 bytes) and steps past it.
 *   (Port 0x7e is the exception, KVM_X86_QUIRK_OUT_7E_INC_RIP; not used.)
 * - REP OUTSB is one exit per byte, each with count 1; RIP stays at the
 *   instruction until the KVM_RUN after the last byte. (RCX and RSI have
 *   already stepped at each exit; not checked.)
 * - REP INSB reads ahead: an exit asks for as many bytes as RCX, 1 KiB and
 *   the rest of RDI's page allow (count), RIP at the instruction.
 * - After an MMIO write exit RIP is past the write: KVM has completed it.
 *   After an MMIO read exit RIP is at the read until KVM_RUN completes it.
 * - HLT exits (no in-kernel irqchip) with RIP past it; KVM_RUN resumes.
 * - An unknown hypercall returns -KVM_ENOSYS in RAX, cut to 32 bits outside
 *   64-bit mode: RAX 0xfffffc18 in real mode, 0xfffffffffffffc18 in long mode.
 * - immediate_exit: -EINTR with exit_reason left as it was (not
 *   KVM_EXIT_INTR, so not checked), but a pending IN is completed first. A
 *   signal gives -EINTR with exit_reason KVM_EXIT_INTR.
 * - After KVM_EXIT_SHUTDOWN kvm_amd has reset the vCPU (RIP 0xfff0);
 *   kvm_intel does not, so the state after it is not checked.
 * - A new vCPU has RDX 0x600 (no CPUID set) and, on kvm_amd, CS type 10,
 *   TR type 3: vendor details, not checked.
 * - KVM_GET_CPUID2 leaves nent as the caller gave it when it succeeds
 *   (6.1 sets it only on -E2BIG, and copies it back only on success).
 * - A new vCPU's XSAVE header has XSTATE_BV 0: KVM_GET_XSAVE shows the
 *   initial x87/SSE state (MXCSR 0x1f80, where KVM_GET_FPU says 0), and what
 *   KVM_SET_FPU writes reaches neither KVM_GET_XSAVE nor the guest (its XMM0
 *   reads 0) until XSTATE_BV has FP and SSE (a KVM_SET_XSAVE with them, or a
 *   run); KVM_GET_FPU reads it back all the same.
 * - Not every capability KVM_CHECK_EXTENSION answers 0 for is refused by
 *   KVM_ENABLE_CAP: KVM_CAP_X86_BUS_LOCK_EXIT with args 0 is accepted.
 * - KVM_TRANSLATE of an unmapped address: valid 0, physical_address ~0.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvmrun.h"

#define PAGE_SIZE 4096
#define KVM_ENOSYS 1000			/* include/uapi/linux/kvm_para.h */
#define RUN_TIMEOUT_S 10		/* no guest here runs for more than a moment */
#define SIGNAL_AFTER_US 50000
#define UNKNOWN_MEM_FLAG (1u << 7)	/* no KVM_MEM_* flag has this bit */
#define VM_CYCLES 100

#define RFLAGS_FIXED 0x2		/* bit 1 is always set */
#define CR0_PE (1u << 0)
#define CR0_ET (1u << 4)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define PTE_P (1u << 0)
#define PTE_RW (1u << 1)
#define PTE_PS (1u << 7)
#define CR4_OSFXSR (1u << 9)
#define APIC_BASE_BSP (1u << 8)
#define DR6_RESET 0xffff0ff0ull
#define DR7_RESET 0x400ull		/* bit 10 reads as 1 */
#define DR7_L0 0x1ull
#define FCW_RESET 0x37f
#define NMI_VECTOR 2

#define TSS_ADDR 0xfffbd000		/* where QEMU puts them */
#define IDENTITY_MAP_ADDR 0xfeffc000
#define MAX_CPUID_ENTRIES 256		/* KVM_MAX_CPUID_ENTRIES */
#define MAX_MSR_LIST 1024		/* room enough for any MSR index list */
#define MAX_IO_MSRS 256			/* KVM_GET/SET_MSRS take fewer entries */
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_LSTAR 0xc0000082
#define MSR_FS_BASE 0xc0000100
#define MSR_IA32_TSC 0x10
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define MSR_KVM_SYSTEM_TIME 0x12
#define MSR_KVM_STEAL_TIME 0x4b564d03
#define MSR_PLATFORM_INFO 0xce
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_UCODE_REV 0x8b
#define MISC_ENABLE_UNAVAIL 0x1800		/* branch trace store and PEBS unavailable */
#define MISC_ENABLE_MWAIT (1ULL << 18)
#define CPUID1_SSE3 1u
#define CPUID1_MONITOR (1u << 3)
#define KVM_CPUID_SIGNATURE 0x40000000
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_STEAL_TIME (1u << 5)
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (1u << 24)
#define CLOCK_FLAGS (KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)
#define NSEC_PER_SEC 1000000000ull
#define IOAPIC_PINS 24			/* as QEMU reserves with KVM_CAP_SPLIT_IRQCHIP */
#define MSI_ADDRESS 0xfee00000u		/* physical destination 0 (SDM Vol. 3A 11.11.1) */
#define APIC_REG_ID 0x20
#define APIC_REG_VER 0x30
#define APIC_REG_TPR 0x80
#define APIC_REG_SVR 0xf0
#define APIC_REG_LVTT 0x320
#define LATER_US 100000			/* a thread acts this long after KVM_RUN began */
#define UNKNOWN_EVENT_FLAG 0x80		/* no KVM_VCPUEVENT_VALID_* has this bit */
#define KERNEL_SIGSET_SIZE 8		/* the kernel's sigset_t on x86-64 */
#define FXSAVE_FCW 0			/* offsets in the FXSAVE image */
#define FXSAVE_XMM 160
#define XSAVE_XSTATE_BV 512		/* in the XSAVE header after it */
#define XSAVE_XCOMP_BV 520
#define XSAVE_YMM_HI 576		/* AVX's upper YMM halves (SDM Vol. 1 13.5.3) */
#define XFEATURE_MASK_FPSSE 0x3
#define COALESCED_PAGE 2		/* KVM_COALESCED_MMIO_PAGE_OFFSET on x86 */
#define UNKNOWN_IOEVENTFD_FLAG (1u << 5)	/* past KVM_IOEVENTFD_VALID_FLAG_MASK */

enum mode { REAL, PROTECTED, LONG };

struct vm {
	int fd;			/* the VM */
	int vcpu;		/* its vCPU 0 */
	struct kvm_run *run;	/* the vCPU's mmap */
	uint8_t *ram;		/* slot 0: RAM_SIZE bytes at GPA 0 */
};

static int passed, failed;
static int kvm_fd, mmap_size, nr_memslots;
static volatile sig_atomic_t alarm_fired, usr1_fired;

static void __attribute__((format(printf, 2, 3))) check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("kvmrun: %s ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		passed++;
	else
		failed++;
}

/* ioctl()'s result as KVM's convention has it: >= 0, or -errno. */
static int kvm_ioctl(int fd, unsigned long req, unsigned long arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static int extension(int fd, long cap)
{
	return kvm_ioctl(fd, KVM_CHECK_EXTENSION, cap);
}

static void on_alarm(int sig __attribute__((unused)))
{
	alarm_fired = 1;
}

static void on_usr1(int sig __attribute__((unused)))
{
	usr1_fired = 1;
}

/*
 * SIGALRM in usec; 0 disarms the timer and leaves alarm_fired as it is, for
 * the caller to read after.
 */
static void arm_timer(long usec)
{
	struct itimerval t = {
		.it_value = { .tv_sec = usec / 1000000, .tv_usec = usec % 1000000 },
	};

	if (usec)
		alarm_fired = 0;
	setitimer(ITIMER_REAL, &t, NULL);
}

static void *map_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int set_slot(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
		    const void *mem)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	return kvm_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region);
}

/* A real-mode IVT entry: vector's handler at label, in the guests' CS. */
static void set_ivt(uint8_t *ram, unsigned int vector, const uint8_t *label)
{
	uint16_t entry[2] = { label - guest_start, CODE_GPA >> 4 };

	memcpy(ram + IVT_GPA + 4 * vector, entry, sizeof(entry));
}

/*
 * The guests at CODE_GPA, the real-mode handlers of the NMI and of
 * IRQ_VECTOR in the IVT and, for long mode, an identity map of 0-2 MiB.
 */
static void load_guest(uint8_t *ram)
{
	uint64_t *pml4 = (uint64_t *)(ram + PML4_GPA);
	uint64_t *pdpt = (uint64_t *)(ram + PDPT_GPA);
	uint64_t *pd = (uint64_t *)(ram + PD_GPA);

	memcpy(ram + CODE_GPA, guest_start, guest_end - guest_start);
	set_ivt(ram, NMI_VECTOR, rm_nmi_handler);
	set_ivt(ram, IRQ_VECTOR, rm_irq_handler);
	pml4[0] = PDPT_GPA | PTE_P | PTE_RW;
	pdpt[0] = PD_GPA | PTE_P | PTE_RW;
	pd[0] = 0 | PTE_P | PTE_RW | PTE_PS;
}

static void vm_destroy(struct vm *vm)
{
	if (vm->run)
		munmap(vm->run, mmap_size);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->ram)
		munmap(vm->ram, RAM_SIZE);
}

static int enable_cap(int fd, uint32_t cap, uint64_t arg)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg } };

	return kvm_ioctl(fd, KVM_ENABLE_CAP, (unsigned long)&c);
}

/*
 * A VM with RAM in slot 0 and vCPU 0, with the in-kernel LAPIC if @split is
 * 1 (KVM_CAP_SPLIT_IRQCHIP), the whole irqchip if 2 (KVM_CREATE_IRQCHIP);
 * else a FAIL line naming the step.
 */
static int vm_create_with(struct vm *vm, const char *test, int split)
{
	const char *step = "KVM_CREATE_VM";
	int r;

	*vm = (struct vm){ .fd = -1, .vcpu = -1 };
	vm->fd = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0);
	r = vm->fd;
	if (r < 0)
		goto fail;
	step = split == 2 ? "KVM_CREATE_IRQCHIP" : "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)";
	r = split == 2 ? kvm_ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) :
	    split ? enable_cap(vm->fd, KVM_CAP_SPLIT_IRQCHIP, IOAPIC_PINS) : 0;
	if (r)
		goto fail;
	step = "mmap of guest RAM";
	r = -ENOMEM;
	vm->ram = map_pages(RAM_SIZE);
	if (!vm->ram || guest_end - guest_start > CODE_SIZE)
		goto fail;
	load_guest(vm->ram);
	step = "KVM_SET_USER_MEMORY_REGION";
	r = set_slot(vm->fd, 0, 0, 0, RAM_SIZE, vm->ram);
	if (r)
		goto fail;
	step = "KVM_CREATE_VCPU";
	vm->vcpu = kvm_ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	r = vm->vcpu;
	if (r < 0)
		goto fail;
	step = "mmap of the vCPU fd";
	vm->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->run != MAP_FAILED)
		return 0;
	r = -errno;
	vm->run = NULL;
fail:
	check(0, "%s: %s: %s", test, step, strerror(-r));
	vm_destroy(vm);
	return -1;
}

static int vm_create(struct vm *vm, const char *test)
{
	return vm_create_with(vm, test, 0);
}

static uint64_t guest_ip(enum mode mode, const uint8_t *label)
{
	uint64_t offset = label - guest_start;

	return mode == REAL ? offset : CODE_GPA + offset;
}

/* Flat 4 GiB segments, as a 32-bit or 64-bit kernel sets them up. */
static void flat_segments(struct kvm_sregs *s, int code64)
{
	struct kvm_segment code = {
		.limit = 0xffffffff, .selector = 0x8, .type = 0xb, .present = 1,
		.s = 1, .db = !code64, .l = code64, .g = 1,
	};
	struct kvm_segment data = {
		.limit = 0xffffffff, .selector = 0x10, .type = 0x3, .present = 1,
		.s = 1, .db = 1, .g = 1,
	};

	s->cs = code;
	s->ds = data;
	s->es = data;
	s->fs = data;
	s->gs = data;
	s->ss = data;
}

/*
 * Real mode: CS base CODE_GPA, as kvmtool and the selftests load code, the
 * other segments as reset left them. Protected mode: CR0.PE and flat
 * segments. Long mode: also 4-level paging (CR4.PAE, EFER.LME|LMA, CR0.PG)
 * and a 64-bit CS.
 */
static int set_mode(struct vm *vm, enum mode mode)
{
	struct kvm_sregs s;

	if (kvm_ioctl(vm->vcpu, KVM_GET_SREGS, (unsigned long)&s))
		return -1;
	if (mode == REAL) {
		s.cs.selector = CODE_GPA >> 4;
		s.cs.base = CODE_GPA;
	} else {
		flat_segments(&s, mode == LONG);
		s.cr0 = CR0_PE | CR0_ET;
	}
	if (mode == LONG) {
		s.cr3 = PML4_GPA;
		s.cr4 = CR4_PAE;
		s.efer = EFER_LME | EFER_LMA;
		s.cr0 |= CR0_PG;
	}
	return kvm_ioctl(vm->vcpu, KVM_SET_SREGS, (unsigned long)&s);
}

/*
 * Points the vCPU at label in mode, with RAX and RBX given, RSP at
 * STACK_TOP (interrupts and NMIs push there) and the rest 0.
 */
static int start(struct vm *vm, enum mode mode, const uint8_t *label, uint64_t rax,
		 uint64_t rbx)
{
	struct kvm_regs regs = {
		.rax = rax, .rbx = rbx, .rsp = STACK_TOP, .rip = guest_ip(mode, label),
		.rflags = RFLAGS_FIXED,
	};

	if (set_mode(vm, mode) ||
	    kvm_ioctl(vm->vcpu, KVM_SET_REGS, (unsigned long)&regs)) {
		check(0, "KVM_SET_SREGS/KVM_SET_REGS to start a guest");
		return -1;
	}
	return 0;
}

/* A VM whose vCPU is about to run label; else a FAIL line. */
static int guest_open(struct vm *vm, const char *test, enum mode mode, const uint8_t *label)
{
	if (vm_create(vm, test))
		return -1;
	if (!start(vm, mode, label, 0, 0))
		return 0;
	vm_destroy(vm);
	return -1;
}

/* KVM_RUN until the next exit: 0, -errno, or -ETIME if the timer ended it. */
static int run_vcpu(struct vm *vm)
{
	int r;

	arm_timer(RUN_TIMEOUT_S * 1000000L);
	r = kvm_ioctl(vm->vcpu, KVM_RUN, 0);
	arm_timer(0);
	return r == -EINTR && alarm_fired ? -ETIME : r;
}

/* The port I/O data of the last exit, if it lies inside the vCPU's mmap. */
static uint8_t *io_data(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	if (run->io.data_offset < sizeof(*run) ||
	    run->io.data_offset + (uint64_t)run->io.size * run->io.count > (uint64_t)mmap_size)
		return NULL;
	return (uint8_t *)run + run->io.data_offset;
}

static uint64_t io_value(struct vm *vm)
{
	uint8_t *data = io_data(vm);
	uint64_t v = 0;

	if (data && vm->run->io.size <= sizeof(v))
		memcpy(&v, data, vm->run->io.size);
	return v;
}

/* What the last KVM_RUN did, under a FAIL line. */
static void show_exit(struct vm *vm, int r)
{
	struct kvm_run *run = vm->run;

	if (r) {
		printf("kvmrun:   got KVM_RUN %s\n", r == -ETIME ? "timed out" : strerror(-r));
		return;
	}
	printf("kvmrun:   got exit_reason %u", run->exit_reason);
	if (run->exit_reason == KVM_EXIT_IO)
		printf(" (io %s size %u port %#x count %u data_offset %#llx data %#llx)",
		       run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.size,
		       run->io.port, run->io.count, (unsigned long long)run->io.data_offset,
		       (unsigned long long)io_value(vm));
	if (run->exit_reason == KVM_EXIT_MMIO)
		printf(" (mmio %s phys_addr %#llx len %u data %02x%02x%02x%02x%02x%02x%02x%02x)",
		       run->mmio.is_write ? "write" : "read",
		       (unsigned long long)run->mmio.phys_addr, run->mmio.len,
		       run->mmio.data[7], run->mmio.data[6], run->mmio.data[5], run->mmio.data[4],
		       run->mmio.data[3], run->mmio.data[2], run->mmio.data[1], run->mmio.data[0]);
	printf("\n");
}

/* Runs the vCPU: 1 if it exits with reason, else 0 (and what it did). */
static int run_exit(struct vm *vm, uint32_t reason)
{
	int r = run_vcpu(vm);

	if (!r && vm->run->exit_reason == reason)
		return 1;
	show_exit(vm, r);
	return 0;
}

/* Runs the vCPU: 1 if it exits with one port I/O of size bytes at port. */
static int run_io(struct vm *vm, uint8_t dir, uint8_t size, uint16_t port)
{
	struct kvm_run *run = vm->run;
	int r = run_vcpu(vm);

	if (!r && run->exit_reason == KVM_EXIT_IO && run->io.direction == dir &&
	    run->io.size == size && run->io.port == port && run->io.count == 1 && io_data(vm))
		return 1;
	show_exit(vm, r);
	return 0;
}

/* Runs the vCPU: 1 if it exits with an OUT of value (size bytes) to port. */
static int run_out(struct vm *vm, uint8_t size, uint16_t port, uint32_t value)
{
	if (!run_io(vm, KVM_EXIT_IO_OUT, size, port))
		return 0;
	if (io_value(vm) == value)
		return 1;
	show_exit(vm, 0);
	return 0;
}

/*
 * Runs the vCPU: 1 if it exits with an IN of size bytes from port, which
 * the VMM answers with value: the next KVM_RUN hands it to the guest.
 */
static int run_in(struct vm *vm, uint8_t size, uint16_t port, uint32_t value)
{
	if (!run_io(vm, KVM_EXIT_IO_IN, size, port))
		return 0;
	memcpy(io_data(vm), &value, size);
	return 1;
}

/* Runs the vCPU: 1 if it exits with this MMIO access (value for a write). */
static int run_mmio(struct vm *vm, int is_write, uint64_t addr, uint32_t len, uint64_t value)
{
	struct kvm_run *run = vm->run;
	uint64_t data = 0;
	int r = run_vcpu(vm);

	if (!r && run->exit_reason == KVM_EXIT_MMIO && run->mmio.len == len &&
	    len <= sizeof(data)) {
		memcpy(&data, run->mmio.data, len);
		if (run->mmio.is_write == is_write && run->mmio.phys_addr == addr &&
		    (!is_write || data == value))
			return 1;
	}
	show_exit(vm, r);
	return 0;
}

static void mmio_answer(struct vm *vm, uint64_t value)
{
	memcpy(vm->run->mmio.data, &value, sizeof(value));
}

/* 1 if KVM_GET_REGS has value in the register at offset, named name. */
static int reg_is(struct vm *vm, const char *name, size_t offset, uint64_t value)
{
	struct kvm_regs regs;
	uint64_t got;

	if (kvm_ioctl(vm->vcpu, KVM_GET_REGS, (unsigned long)&regs)) {
		printf("kvmrun:   got KVM_GET_REGS %s\n", strerror(errno));
		return 0;
	}
	memcpy(&got, (uint8_t *)&regs + offset, sizeof(got));
	if (got == value)
		return 1;
	printf("kvmrun:   got %s %#llx\n", name, (unsigned long long)got);
	return 0;
}

#define REG_IS(vm, reg, value) reg_is(vm, #reg, offsetof(struct kvm_regs, reg), value)

static int rip_is(struct vm *vm, enum mode mode, const uint8_t *label)
{
	return REG_IS(vm, rip, guest_ip(mode, label));
}

/* What /dev/kvm says about vCPUs and memory. */
static void check_system(void)
{
	int nr, max, max_id;

	mmap_size = kvm_ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	check(mmap_size >= PAGE_SIZE && mmap_size % PAGE_SIZE == 0,
	      "KVM_GET_VCPU_MMAP_SIZE: whole pages, at least one (%d)", mmap_size);
	check(extension(kvm_fd, KVM_CAP_USER_MEMORY) > 0, "KVM_CAP_USER_MEMORY offered");
	nr_memslots = extension(kvm_fd, KVM_CAP_NR_MEMSLOTS);
	check(nr_memslots > 0, "KVM_CAP_NR_MEMSLOTS > 0 (%d)", nr_memslots);
	nr = extension(kvm_fd, KVM_CAP_NR_VCPUS);
	max = extension(kvm_fd, KVM_CAP_MAX_VCPUS);
	max_id = extension(kvm_fd, KVM_CAP_MAX_VCPU_ID);
	check(nr > 0 && nr <= max && max <= max_id,
	      "0 < KVM_CAP_NR_VCPUS (%d) <= KVM_CAP_MAX_VCPUS (%d) <= KVM_CAP_MAX_VCPU_ID (%d)",
	      nr, max, max_id);
	check(extension(kvm_fd, KVM_CAP_IMMEDIATE_EXIT) > 0, "KVM_CAP_IMMEDIATE_EXIT offered");
	check(extension(kvm_fd, KVM_CAP_READONLY_MEM) > 0, "KVM_CAP_READONLY_MEM offered");
	check(extension(kvm_fd, KVM_CAP_SYNC_MMU) > 0, "KVM_CAP_SYNC_MMU offered");
}

/* A VM fd answers these as /dev/kvm does (QEMU asks the VM fd). */
static void check_vm_extensions(void)
{
	static const long caps[] = {
		KVM_CAP_USER_MEMORY, KVM_CAP_NR_MEMSLOTS, KVM_CAP_NR_VCPUS, KVM_CAP_MAX_VCPUS,
		KVM_CAP_MAX_VCPU_ID, KVM_CAP_IMMEDIATE_EXIT, KVM_CAP_READONLY_MEM, KVM_CAP_SYNC_MMU,
	};
	int vm = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0), ok = vm >= 0;

	for (size_t i = 0; ok && i < sizeof(caps) / sizeof(caps[0]); i++)
		ok = extension(vm, caps[i]) == extension(kvm_fd, caps[i]);
	check(ok, "KVM_CHECK_EXTENSION on a VM fd: the same answers");
	if (vm >= 0)
		close(vm);
}

/* KVM_SET_USER_MEMORY_REGION's refusals (api.rst 4.35), on a VM of its own. */
static void check_memslot_errors(int vm, uint8_t *mem)
{
	check(set_slot(vm, 1, 0, 0x20800, PAGE_SIZE, mem) == -EINVAL,
	      "memory region: guest_phys_addr not page-aligned: -EINVAL");
	check(set_slot(vm, 1, 0, 0x20000, 0x800, mem) == -EINVAL,
	      "memory region: memory_size not page-aligned: -EINVAL");
	check(set_slot(vm, 1, 0, 0x20000, PAGE_SIZE, mem + 0x800) == -EINVAL,
	      "memory region: userspace_addr not page-aligned: -EINVAL");
	check(nr_memslots > 0 && set_slot(vm, nr_memslots, 0, 0x20000, PAGE_SIZE, mem) == -EINVAL,
	      "memory region: slot KVM_CAP_NR_MEMSLOTS: -EINVAL");
	check(set_slot(vm, 1, UNKNOWN_MEM_FLAG, 0x20000, PAGE_SIZE, mem) == -EINVAL,
	      "memory region: an unknown flag: -EINVAL");
	check(set_slot(vm, 1, 0, 0xf000, 2 * PAGE_SIZE, mem) == -EEXIST,
	      "memory region: a new slot overlapping another: -EEXIST");
	check(set_slot(vm, 0, 0, 0x10000, 2 * PAGE_SIZE, mem) == -EINVAL,
	      "memory region: a slot's size changed without deleting it: -EINVAL");
}

static void check_memslots(void)
{
	int vm = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0);
	uint8_t *mem = map_pages(2 * PAGE_SIZE);
	int ok;

	if (vm < 0 || !mem) {
		check(0, "memory region: a VM and 2 pages");
		return;
	}
	check(set_slot(vm, 0, 0, 0x10000, PAGE_SIZE, mem) == 0,
	      "memory region: slot 0, a page at 0x10000");
	check_memslot_errors(vm, mem);
	ok = set_slot(vm, 0, 0, 0x10000, 0, mem) == 0 &&
	     set_slot(vm, 0, 0, 0x10000, 2 * PAGE_SIZE, mem) == 0;
	check(ok, "memory region: slot 0 deleted (size 0), then added again, 2 pages");
	check(set_slot(vm, 1, 0, 0x40000, PAGE_SIZE, mem) == 0 &&
	      set_slot(vm, 0, 0, 0x3f000, 2 * PAGE_SIZE, mem) == -EEXIST,
	      "memory region: a slot moved onto another: -EEXIST");
	check(set_slot(vm, 0, 0, 0x30000, 2 * PAGE_SIZE, mem) == 0,
	      "memory region: slot 0 moved (same id and size, new guest_phys_addr)");
	close(vm);
	munmap(mem, 2 * PAGE_SIZE);
}

/* The byte at gpa, as the guest reads it, or -1. */
static int peek(struct vm *vm, uint64_t gpa)
{
	int value;

	if (start(vm, REAL, rm_peek, 0, gpa) || !run_io(vm, KVM_EXIT_IO_OUT, 1, 0x40))
		return -1;
	value = io_value(vm);
	return run_exit(vm, KVM_EXIT_HLT) ? value : -1;
}

#define SYNC_ALL (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | KVM_SYNC_X86_EVENTS)

/* KVM_RUN with unknown bits in kvm_valid_regs or kvm_dirty_regs: both -EINVAL. */
static int sync_bits_refused(struct vm *vm)
{
	int valid, dirty;

	vm->run->kvm_valid_regs = SYNC_ALL | 8;
	valid = kvm_ioctl(vm->vcpu, KVM_RUN, 0);
	vm->run->kvm_valid_regs = 0;
	vm->run->kvm_dirty_regs = 8;
	dirty = kvm_ioctl(vm->vcpu, KVM_RUN, 0);
	vm->run->kvm_dirty_regs = 0;
	return valid == -EINVAL && dirty == -EINVAL;
}

/*
 * KVM_CAP_SYNC_REGS (api.rst 6, s.regs): a dirty part is set before the
 * guest runs and its flag cleared; valid parts are written at the exit.
 * rm_peek reads the byte at RBX, which only s.regs points at DATA_GPA.
 */
static void check_sync_regs(void)
{
	struct kvm_sync_regs *s;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct vm vm;

	check(extension(kvm_fd, KVM_CAP_SYNC_REGS) == SYNC_ALL,
	      "KVM_CAP_SYNC_REGS: REGS | SREGS | EVENTS");
	if (guest_open(&vm, "sync regs", REAL, rm_peek))
		return;
	s = &vm.run->s.regs;
	check(sync_bits_refused(&vm), "KVM_RUN with bit 3 in kvm_valid_regs or kvm_dirty_regs: -EINVAL");
	vm.ram[DATA_GPA] = 0x5a;
	kvm_ioctl(vm.vcpu, KVM_GET_REGS, (unsigned long)&s->regs);
	s->regs.rbx = DATA_GPA;
	vm.run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	vm.run->kvm_valid_regs = SYNC_ALL;
	check(run_out(&vm, 1, 0x40, 0x5a) && !vm.run->kvm_dirty_regs,
	      "s.regs' RBX (kvm_dirty_regs REGS) is the guest's: it reads 0x5a there; the flag is cleared");
	check(!kvm_ioctl(vm.vcpu, KVM_GET_REGS, (unsigned long)&regs) &&
	      !kvm_ioctl(vm.vcpu, KVM_GET_SREGS, (unsigned long)&sregs) &&
	      !memcmp(&regs, &s->regs, sizeof(regs)) && sregs.cs.base == s->sregs.cs.base &&
	      sregs.cr0 == s->sregs.cr0 && s->regs.rbx == DATA_GPA,
	      "at the exit s.regs holds what KVM_GET_REGS and KVM_GET_SREGS read");
	vm.run->kvm_valid_regs = 0;
	vm_destroy(&vm);
}

/* 1 if a guest read of the byte at gpa exits as MMIO (and completes). */
static int peek_mmio(struct vm *vm, uint64_t gpa)
{
	if (start(vm, REAL, rm_peek, 0, gpa) || !run_mmio(vm, 0, gpa, 1, 0))
		return 0;
	mmio_answer(vm, 0x6d);
	return run_out(vm, 1, 0x40, 0x6d) && run_exit(vm, KVM_EXIT_HLT);
}

/* 1 if the guest wrote value to the byte at gpa. */
static int poke(struct vm *vm, uint64_t gpa, uint8_t value)
{
	return !start(vm, REAL, rm_poke, value, gpa) && run_exit(vm, KVM_EXIT_HLT);
}

/* What the guest sees of a slot added, moved, deleted and added again. */
static void check_memslot_guest(void)
{
	uint8_t *page = map_pages(PAGE_SIZE);
	struct vm vm;
	int ok;

	if (!page || vm_create(&vm, "memory region seen by the guest"))
		return;
	page[0] = 0x5b;
	ok = set_slot(vm.fd, 2, 0, MOVE_GPA, PAGE_SIZE, page) == 0 && peek(&vm, MOVE_GPA) == 0x5b;
	check(ok, "memory region: a slot added at 0xb000: the guest reads its memory there");
	ok = set_slot(vm.fd, 2, 0, MOVED_GPA, PAGE_SIZE, page) == 0 && peek(&vm, MOVED_GPA) == 0x5b;
	check(ok, "memory region: the slot moved to 0xc000: the guest reads the same memory there");
	check(peek_mmio(&vm, MOVE_GPA),
	      "memory region: after the move, a read at 0xb000 exits as MMIO");
	ok = set_slot(vm.fd, 2, 0, MOVED_GPA, 0, page) == 0 && peek_mmio(&vm, MOVED_GPA);
	check(ok, "memory region: the slot deleted: a read at 0xc000 exits as MMIO");
	ok = set_slot(vm.fd, 2, 0, MOVED_GPA, PAGE_SIZE, page) == 0 && peek(&vm, MOVED_GPA) == 0x5b;
	check(ok, "memory region: the slot added again: the guest reads its memory");
	vm_destroy(&vm);
	munmap(page, PAGE_SIZE);
}

/* The log of slot, its first 64 pages, or -errno (as a negative 64-bit number). */
static int64_t dirty_log(struct vm *vm, uint32_t slot)
{
	uint64_t bits = 0;
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = &bits };
	int r = kvm_ioctl(vm->fd, KVM_GET_DIRTY_LOG, (unsigned long)&log);

	return r ? r : (int64_t)bits;
}

static int clear_log(struct vm *vm, uint32_t slot, uint64_t first, uint32_t num, uint64_t bits)
{
	struct kvm_clear_dirty_log log = {
		.slot = slot, .first_page = first, .num_pages = num, .dirty_bitmap = &bits,
	};

	return kvm_ioctl(vm->fd, KVM_CLEAR_DIRTY_LOG, (unsigned long)&log);
}

/*
 * KVM_GET_DIRTY_LOG without manual protection (api.rst 4.37): a guest
 * write sets its page's bit, a read does not, and each call clears what it
 * returned and write-protects those pages again. Logging turned on and off
 * on an existing slot (a flags-only change).
 */
static void check_dirty_log(void)
{
	uint8_t *mem = map_pages(2 * PAGE_SIZE);
	struct vm vm;
	int ok;

	if (!mem || vm_create(&vm, "dirty log"))
		return;
	ok = set_slot(vm.fd, 3, KVM_MEM_LOG_DIRTY_PAGES, DIRTY_GPA, 2 * PAGE_SIZE, mem) == 0;
	check(ok && dirty_log(&vm, 3) == 0, "dirty log: a logged slot; no page dirty yet");
	ok = poke(&vm, DIRTY_GPA + 0x10, 0xaa) && mem[0x10] == 0xaa;
	check(ok && dirty_log(&vm, 3) == 1, "dirty log: a guest write to page 0: log 0x1");
	check(dirty_log(&vm, 3) == 0, "dirty log: read again: 0 (the last call cleared it)");
	ok = poke(&vm, DIRTY_GPA + 0x11, 0xab) && mem[0x11] == 0xab;
	check(ok && dirty_log(&vm, 3) == 1, "dirty log: page 0 written again: 0x1 (protected again)");
	ok = peek(&vm, DIRTY_GPA + PAGE_SIZE) == 0 && dirty_log(&vm, 3) == 0;
	check(ok, "dirty log: a guest read of page 1: 0");
	ok = poke(&vm, DIRTY_GPA + PAGE_SIZE, 0xac) && dirty_log(&vm, 3) == 2;
	check(ok, "dirty log: a guest write to page 1: 0x2");
	check(dirty_log(&vm, 0) == -ENOENT && dirty_log(&vm, 100) == -ENOENT &&
	      dirty_log(&vm, 1u << 16 | 3) == -ENOENT && dirty_log(&vm, 2u << 16) == -EINVAL,
	      "dirty log: a slot without logging, none, or in address space 1 (SMM): ENOENT; "
	      "address space 2: EINVAL");
	ok = set_slot(vm.fd, 0, KVM_MEM_LOG_DIRTY_PAGES, 0, RAM_SIZE, vm.ram) == 0 &&
	     poke(&vm, DATA2_GPA, 0x5a) && vm.ram[DATA2_GPA] == 0x5a;
	check(ok && (dirty_log(&vm, 0) & (1 << (DATA2_GPA / PAGE_SIZE))),
	      "dirty log: logging turned on for slot 0: its written page is in the log");
	ok = set_slot(vm.fd, 0, 0, 0, RAM_SIZE, vm.ram) == 0 && dirty_log(&vm, 0) == -ENOENT;
	check(ok && poke(&vm, DATA2_GPA, 0x5b) && vm.ram[DATA2_GPA] == 0x5b,
	      "dirty log: turned off again: ENOENT, and the guest still writes");
	vm_destroy(&vm);
	munmap(mem, 2 * PAGE_SIZE);
}

/* The set bits of slot 4's log (MANY_PAGES pages), or -errno. */
static int many_log(struct vm *vm)
{
	uint64_t bits[(MANY_PAGES + 63) / 64] = { 0 };
	struct kvm_dirty_log log = { .slot = 4, .dirty_bitmap = bits };
	int r = kvm_ioctl(vm->fd, KVM_GET_DIRTY_LOG, (unsigned long)&log), n = 0;

	for (unsigned int i = 0; !r && i < sizeof(bits) / sizeof(bits[0]); i++)
		n += __builtin_popcountll(bits[i]);
	return r ? r : n;
}

/* pm_dirty_many over @pages pages of slot 4, the VMM answering each pause: 1 once it halts. */
static int write_many(struct vm *vm, uint32_t pages, uint32_t pause_mask)
{
	int r = start(vm, PROTECTED, pm_dirty_many, 0, MANY_GPA), pauses = 0;
	struct kvm_regs regs;

	if (r || kvm_ioctl(vm->vcpu, KVM_GET_REGS, (unsigned long)&regs))
		return 0;
	regs.rcx = pages;
	regs.rdx = pause_mask;
	if (kvm_ioctl(vm->vcpu, KVM_SET_REGS, (unsigned long)&regs))
		return 0;
	while (pauses++ <= MANY_PAGES && run_vcpu(vm) == 0 &&
	       vm->run->exit_reason == KVM_EXIT_IO && vm->run->io.port == MANY_PORT)
		;
	return vm->run->exit_reason == KVM_EXIT_HLT;
}

/*
 * A page the hypervisor writes for the guest (kvmclock's, named by a
 * real-mode guest first), as KVM's mark_page_dirty() logs it; then more
 * pages written in one KVM_RUN than a CPU's page-modification log holds
 * (512 entries; SDM Vol. 3C 29.3.6), and fewer, each page's bit every
 * time. The first pass faults each page in, so it pauses every 256 pages
 * (each KVM_RUN stays short); the others, with the pages mapped, run
 * without a pause.
 */
static void check_dirty_log_many(void)
{
	uint8_t *mem = map_pages(MANY_PAGES * PAGE_SIZE);
	uint32_t version;
	struct vm vm;
	int ok;

	if (!mem || vm_create(&vm, "dirty log of many pages"))
		return;
	ok = set_slot(vm.fd, 4, KVM_MEM_LOG_DIRTY_PAGES, MANY_GPA, MANY_PAGES * PAGE_SIZE, mem) == 0 &&
	     !start(&vm, REAL, rm_wrmsr, MSR_KVM_SYSTEM_TIME_NEW, (MANY_GPA + 5 * PAGE_SIZE) | 1) &&
	     run_exit(&vm, KVM_EXIT_HLT);
	memcpy(&version, mem + 5 * PAGE_SIZE, sizeof(version));
	check(ok && version && many_log(&vm) == 1,
	      "dirty log: the kvmclock page the guest names in a logged slot: written, 1 bit");
	check(write_many(&vm, MANY_PAGES, 0xff) && many_log(&vm) == MANY_PAGES,
	      "dirty log: 2600 pages written, faulted in 256 at a time: 2600 bits");
	check(write_many(&vm, MANY_PAGES, ~0u) && many_log(&vm) == MANY_PAGES,
	      "dirty log: the 2600 pages written again in one KVM_RUN: 2600 bits");
	check(write_many(&vm, 300, ~0u) && many_log(&vm) == 300,
	      "dirty log: 300 of them written again: 300 bits");
	check(many_log(&vm) == 0 && mem[0] == 1 && mem[(MANY_PAGES - 1) * PAGE_SIZE] == 1,
	      "dirty log: read again: 0; the writes are in the VMM's memory");
	vm_destroy(&vm);
	munmap(mem, MANY_PAGES * PAGE_SIZE);
}

static int enable_manual(int vm_fd, uint64_t flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, .args = { flags },
	};

	return kvm_ioctl(vm_fd, KVM_ENABLE_CAP, (unsigned long)&cap);
}

/*
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 with KVM_DIRTY_LOG_INITIALLY_SET, as
 * QEMU enables it (api.rst 7.18): the log starts all set, KVM_GET_DIRTY_LOG
 * clears nothing, KVM_CLEAR_DIRTY_LOG clears and protects what it names.
 */
static void check_clear_dirty_log(void)
{
	uint64_t both = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET;
	uint8_t *mem = map_pages(2 * PAGE_SIZE);
	struct vm vm;
	int ok;

	check(extension(kvm_fd, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) == (int)both,
	      "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: ENABLE | INITIALLY_SET");
	if (!mem || vm_create(&vm, "manual dirty log"))
		return;
	check(enable_manual(vm.fd, KVM_DIRTY_LOG_INITIALLY_SET) == -EINVAL &&
	      enable_manual(vm.fd, both | 4) == -EINVAL && enable_manual(vm.fd, both) == 0,
	      "manual dirty log: INITIALLY_SET alone or an unknown flag: EINVAL; both: 0");
	ok = set_slot(vm.fd, 3, KVM_MEM_LOG_DIRTY_PAGES, DIRTY_GPA, 2 * PAGE_SIZE, mem) == 0;
	check(ok && dirty_log(&vm, 3) == 3 && dirty_log(&vm, 3) == 3,
	      "manual dirty log: a new logged slot is all dirty, and stays so when read");
	check(clear_log(&vm, 3, 1, 1, 1) == -EINVAL && clear_log(&vm, 3, 0, 3, 7) == -EINVAL &&
	      clear_log(&vm, 0, 0, 1, 1) == -ENOENT,
	      "KVM_CLEAR_DIRTY_LOG: first_page not a multiple of 64 or past the slot: EINVAL; "
	      "no log: ENOENT");
	ok = clear_log(&vm, 3, 0, 2, 3) == 0 && dirty_log(&vm, 3) == 0;
	check(ok, "KVM_CLEAR_DIRTY_LOG of both pages: the log reads 0");
	ok = poke(&vm, DIRTY_GPA + PAGE_SIZE + 1, 0xad) && dirty_log(&vm, 3) == 2 &&
	     dirty_log(&vm, 3) == 2;
	check(ok, "manual dirty log: a guest write to page 1: 0x2, and it stays");
	ok = clear_log(&vm, 3, 0, 2, 1) == 0 && dirty_log(&vm, 3) == 2 &&
	     clear_log(&vm, 3, 0, 2, 2) == 0 && dirty_log(&vm, 3) == 0;
	check(ok, "KVM_CLEAR_DIRTY_LOG clears only the bits it names");
	ok = poke(&vm, DIRTY_GPA + PAGE_SIZE + 2, 0xae) && mem[PAGE_SIZE + 2] == 0xae;
	check(ok && dirty_log(&vm, 3) == 2, "manual dirty log: page 1 written again: 0x2");
	vm_destroy(&vm);
	munmap(mem, 2 * PAGE_SIZE);
}

/* A segment as reset leaves the data segments: selector 0, base 0, 64 KiB. */
static int reset_segment(const struct kvm_segment *seg)
{
	return seg->selector == 0 && seg->base == 0 && seg->limit == 0xffff;
}

/*
 * 4. The state KVM gives a new vCPU: the architectural reset values (SDM
 * vol. 3A table 9-1, APM vol. 2 14.1.3). Segment attributes and RDX are
 * not compared: they differ between kvm_amd and kvm_intel.
 */
static void check_reset_state(int vcpu)
{
	struct kvm_regs regs;
	struct kvm_sregs s;
	int ok = !kvm_ioctl(vcpu, KVM_GET_REGS, (unsigned long)&regs) &&
		 !kvm_ioctl(vcpu, KVM_GET_SREGS, (unsigned long)&s);

	check(ok && regs.rip == 0xfff0 && regs.rflags == RFLAGS_FIXED,
	      "reset: RIP 0xfff0, RFLAGS 0x2");
	check(ok && s.cs.selector == 0xf000 && s.cs.base == 0xffff0000 && s.cs.limit == 0xffff,
	      "reset: CS selector 0xf000, base 0xffff0000, limit 0xffff");
	check(ok && reset_segment(&s.ds) && reset_segment(&s.es) && reset_segment(&s.fs) &&
	      reset_segment(&s.gs) && reset_segment(&s.ss),
	      "reset: DS, ES, FS, GS, SS selector 0, base 0, limit 0xffff");
	check(ok && s.gdt.base == 0 && s.gdt.limit == 0xffff && s.idt.base == 0 &&
	      s.idt.limit == 0xffff, "reset: GDTR and IDTR base 0, limit 0xffff");
	check(ok && s.cr0 == 0x60000010 && !s.cr2 && !s.cr3 && !s.cr4 && !s.efer,
	      "reset: CR0 0x60000010 (CD, NW, ET), CR2, CR3, CR4 and EFER 0");
}

/* KVM_SET_REGS/KVM_SET_SREGS then KVM_GET_*: the same values come back. */
static void check_round_trips(int vcpu)
{
	struct kvm_regs regs, regs_back;
	struct kvm_sregs s, s_back;
	uint64_t *gpr = (uint64_t *)&regs;

	for (unsigned int i = 0; i < sizeof(regs) / sizeof(*gpr); i++)
		gpr[i] = 0x0101010101010101ull * (i + 1);
	regs.rip = 0x1234;
	regs.rflags = RFLAGS_FIXED | 0x8d5;	/* CF, PF, AF, ZF, SF, OF */
	check(!kvm_ioctl(vcpu, KVM_SET_REGS, (unsigned long)&regs) &&
	      !kvm_ioctl(vcpu, KVM_GET_REGS, (unsigned long)&regs_back) &&
	      !memcmp(&regs, &regs_back, sizeof(regs)),
	      "KVM_SET_REGS, then KVM_GET_REGS: the same registers");
	if (kvm_ioctl(vcpu, KVM_GET_SREGS, (unsigned long)&s)) {
		check(0, "KVM_GET_SREGS");
		return;
	}
	/* Real-mode values like those a VMM loads a kernel with. */
	s.cs.selector = 0x100;
	s.cs.base = 0x1000;
	s.ds.selector = 0x200;
	s.ds.base = 0x2000;
	s.es = s.ds;
	s.gdt.base = 0x5000;
	s.gdt.limit = 0x27;
	s.idt.base = 0x6000;
	s.idt.limit = 0x3ff;
	s.cr2 = 0x12345000;
	s.cr3 = 0x7000;
	check(!kvm_ioctl(vcpu, KVM_SET_SREGS, (unsigned long)&s) &&
	      !kvm_ioctl(vcpu, KVM_GET_SREGS, (unsigned long)&s_back) &&
	      !memcmp(&s, &s_back, sizeof(s)),
	      "KVM_SET_SREGS, then KVM_GET_SREGS: the same registers");
}

/* KVM_CREATE_VCPU (api.rst 4.7) and the vCPU fd's mmap (4.5). */
static void check_vcpus(void)
{
	int vm = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0);
	int max_id = extension(kvm_fd, KVM_CAP_MAX_VCPU_ID);
	int vcpu = kvm_ioctl(vm, KVM_CREATE_VCPU, 0);
	void *run;

	check(vcpu >= 0, "KVM_CREATE_VCPU 0 returns a vCPU fd");
	check(kvm_ioctl(vm, KVM_CREATE_VCPU, 0) == -EEXIST, "KVM_CREATE_VCPU 0 again: -EEXIST");
	check(max_id > 0 && kvm_ioctl(vm, KVM_CREATE_VCPU, max_id) == -EINVAL,
	      "KVM_CREATE_VCPU KVM_CAP_MAX_VCPU_ID: -EINVAL");
	if (vcpu >= 0) {
		run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
		check(run != MAP_FAILED, "mmap of the vCPU fd, KVM_GET_VCPU_MMAP_SIZE bytes at 0");
		if (run != MAP_FAILED)
			munmap(run, mmap_size);
		check_reset_state(vcpu);
		check_round_trips(vcpu);
		close(vcpu);
	}
	if (vm >= 0)
		close(vm);
}

/* Real mode OUT of each size (api.rst 5, KVM_EXIT_IO). */
static void check_out(void)
{
	struct vm vm;

	if (guest_open(&vm, "OUT", REAL, rm_out))
		return;
	check(run_out(&vm, 1, 0x10, 0x12),
	      "OUT imm8, AL: KVM_EXIT_IO out, size 1, port 0x10, count 1, data 0x12");
	check(rip_is(&vm, REAL, rm_out_insn),
	      "after an OUT exit RIP is still at the OUT (the next KVM_RUN completes it)");
	check(run_out(&vm, 2, 0x11, 0x3456),
	      "OUT imm8, AX: KVM_EXIT_IO out, size 2, port 0x11, data 0x3456");
	check(run_out(&vm, 4, 0x12, 0x789abcde),
	      "OUT DX, EAX: KVM_EXIT_IO out, size 4, port 0x12, data 0x789abcde");
	check(run_exit(&vm, KVM_EXIT_HLT), "HLT after the OUTs: KVM_EXIT_HLT");
	vm_destroy(&vm);
}

/* IN of each size: the VMM's data reaches the guest, which OUTs all of EAX. */
static void check_in(void)
{
	struct vm vm;

	if (guest_open(&vm, "IN", REAL, rm_in))
		return;
	check(run_in(&vm, 1, 0x20, 0xa5),
	      "IN AL, imm8: KVM_EXIT_IO in, size 1, port 0x20, count 1");
	check(rip_is(&vm, REAL, rm_in_insn), "after an IN exit RIP is still at the IN");
	check(run_out(&vm, 4, 0x21, 0x112233a5),
	      "the next KVM_RUN completes the IN: AL 0xa5, the rest of EAX kept");
	check(run_in(&vm, 2, 0x22, 0xbeef), "IN AX, imm8: KVM_EXIT_IO in, size 2, port 0x22");
	check(run_out(&vm, 4, 0x23, 0x1122beef),
	      "the 2-byte IN completes: AX 0xbeef, the rest of EAX kept");
	check(run_in(&vm, 4, 0x24, 0xdeadbeef), "IN EAX, DX: KVM_EXIT_IO in, size 4, port 0x24");
	check(run_out(&vm, 4, 0x25, 0xdeadbeef),
	      "the 4-byte IN completes: EAX 0xdeadbeef");
	vm_destroy(&vm);
}

/*
 * REP OUTSB of 4 bytes: KVM emulates string I/O one element per exit, each
 * with count 1 and RIP still at the instruction; the KVM_RUN after the last
 * goes on past it.
 */
static void check_outsb(void)
{
	struct vm vm;
	int ok = 1;

	if (guest_open(&vm, "REP OUTSB", REAL, rm_outsb))
		return;
	memcpy(vm.ram + DATA_GPA, "KEEL", 4);
	for (int i = 0; i < 4 && ok; i++)
		ok = run_out(&vm, 1, 0x30, "KEEL"[i]) && rip_is(&vm, REAL, rm_outsb_insn);
	check(ok, "REP OUTSB, 4 bytes: 4 exits, each size 1, count 1, a byte; RIP at REP OUTSB");
	check(run_exit(&vm, KVM_EXIT_HLT) && REG_IS(&vm, rcx, 0) && REG_IS(&vm, rsi, DATA_GPA + 4),
	      "the KVM_RUN after the 4th goes on: HLT, RCX 0, RSI past the bytes");
	vm_destroy(&vm);
}

/*
 * Runs the vCPU: 1 if it exits with an INS of count bytes from port at the
 * string instruction @insn, which the VMM answers with bytes.
 */
static int run_ins(struct vm *vm, uint16_t port, uint32_t count, const char *bytes,
		   const uint8_t *insn)
{
	struct kvm_run *run = vm->run;
	int r = run_vcpu(vm);

	if (!r && run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_IN &&
	    run->io.size == 1 && run->io.port == port && run->io.count == count &&
	    rip_is(vm, REAL, insn)) {
		memcpy((char *)run + run->io.data_offset, bytes, count);
		return 1;
	}
	show_exit(vm, r);
	return 0;
}

/*
 * REP INSB of 4 bytes across a page's end: KVM reads ahead (its emulator's
 * pio_in_emulated()) as many elements as RCX, 1 KiB and the rest of RDI's
 * page allow, so one exit asks for the 2 bytes before the page's end and
 * the next for the other 2.
 */
static void check_insb(void)
{
	struct vm vm;

	if (guest_open(&vm, "REP INSB", REAL, rm_insb))
		return;
	check(run_ins(&vm, 0x31, 2, "KE", rm_insb_insn),
	      "REP INSB, 4 bytes from 2 before a page's end: an exit with count 2, RIP at REP INSB");
	check(run_ins(&vm, 0x31, 2, "EL", rm_insb_insn), "then an exit with count 2 for the rest");
	check(run_exit(&vm, KVM_EXIT_HLT) && REG_IS(&vm, rcx, 0) &&
	      REG_IS(&vm, rdi, DATA_GPA + 0x1002) && !memcmp(vm.ram + DATA_GPA + 0xffe, "KEEL", 4),
	      "the KVM_RUN after the 2nd goes on: HLT, RCX 0, RDI past the bytes, which are the VMM's");
	vm_destroy(&vm);
}

/* HLT exits to the VMM (no in-kernel irqchip); KVM_RUN goes on after it. */
static void check_hlt(void)
{
	struct vm vm;

	if (guest_open(&vm, "HLT", REAL, rm_hlt))
		return;
	check(run_exit(&vm, KVM_EXIT_HLT) && rip_is(&vm, REAL, rm_hlt_next),
	      "HLT: KVM_EXIT_HLT, RIP past the HLT");
	check(run_out(&vm, 1, 0x14, 0x66), "the next KVM_RUN goes on after the HLT");
	vm_destroy(&vm);
}

static int cpu_is_intel(void)
{
	unsigned int eax, ebx, ecx, edx;

	return __get_cpuid(0, &eax, &ebx, &ecx, &edx) && ebx == 0x756e6547;	/* "Genu" */
}

/*
 * An unknown hypercall (Documentation/virt/kvm/x86/hypercalls.rst): RAX
 * becomes -KVM_ENOSYS, cut to 32 bits outside 64-bit mode; the guest goes on.
 */
static void check_hypercall(enum mode mode, const uint8_t *amd, const uint8_t *intel)
{
	const char *insn = cpu_is_intel() ? "VMCALL" : "VMMCALL";
	uint64_t rax = mode == LONG ? -(uint64_t)KVM_ENOSYS : (uint32_t)-KVM_ENOSYS;
	struct vm vm;

	if (guest_open(&vm, insn, mode, cpu_is_intel() ? intel : amd))
		return;
	check(run_out(&vm, 4, 0x45, (uint32_t)-KVM_ENOSYS) && REG_IS(&vm, rax, rax),
	      "%s %s, unknown number: RAX %#llx (-KVM_ENOSYS), the guest goes on",
	      mode == LONG ? "64-bit" : "real mode", insn, (unsigned long long)rax);
	vm_destroy(&vm);
}

/*
 * The other vendor's hypercall instruction (VMCALL on AMD, VMMCALL on
 * Intel) raises #UD, which KVM takes: it rewrites the instruction in guest
 * memory into the CPU's own (KVM_X86_QUIRK_FIX_HYPERCALL_INSN, on by
 * default) and the guest runs that. In 64-bit mode: KVM writes at RIP as a
 * linear address, leaving out CS's base, which real mode here has.
 */
static void check_foreign_hypercall(void)
{
	const uint8_t *label = cpu_is_intel() ? lm_vmmcall : lm_vmcall;
	uint8_t native = cpu_is_intel() ? 0xc1 : 0xd9;
	const uint8_t *code;
	struct vm vm;
	int i, ok;

	if (guest_open(&vm, "foreign hypercall", LONG, label))
		return;
	code = vm.ram + CODE_GPA + (label - guest_start);
	for (i = 0; i < 8 && !(code[i] == 0x0f && code[i + 1] == 0x01); i++)
		;
	ok = run_out(&vm, 4, 0x45, (uint32_t)-KVM_ENOSYS) && REG_IS(&vm, rax, -(uint64_t)KVM_ENOSYS);
	check(ok && i < 8 && code[i + 2] == native,
	      "64-bit %s: RAX -KVM_ENOSYS, the instruction rewritten into %s (0f 01 %02x)",
	      cpu_is_intel() ? "VMMCALL" : "VMCALL", cpu_is_intel() ? "VMCALL" : "VMMCALL",
	      code[i + 2]);
	vm_destroy(&vm);
}

/* KVM_CAP_DISABLE_QUIRKS2 (api.rst 7.28): the VM's @quirks turned off. */
static int quirks_off(struct vm *vm, uint64_t quirks)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_DISABLE_QUIRKS2, .args = { quirks } };

	return kvm_ioctl(vm->fd, KVM_ENABLE_CAP, (unsigned long)&cap);
}

/*
 * KVM_CAP_DISABLE_QUIRKS2 (api.rst 7.28) with KVM_X86_QUIRK_FIX_HYPERCALL_INSN:
 * the other vendor's instruction is left alone and its #UD is the guest's
 * (no IDT here: a triple fault).
 */
static void check_quirk_off(void)
{
	const uint8_t *label = cpu_is_intel() ? lm_vmmcall : lm_vmcall;
	uint8_t foreign = cpu_is_intel() ? 0xd9 : 0xc1;
	const uint8_t *code;
	struct vm vm;
	int i, r;

	check(extension(kvm_fd, KVM_CAP_DISABLE_QUIRKS2) & KVM_X86_QUIRK_FIX_HYPERCALL_INSN,
	      "KVM_CAP_DISABLE_QUIRKS2 names KVM_X86_QUIRK_FIX_HYPERCALL_INSN");
	if (guest_open(&vm, "quirk off", LONG, label))
		return;
	r = quirks_off(&vm, KVM_X86_QUIRK_FIX_HYPERCALL_INSN);
	code = vm.ram + CODE_GPA + (label - guest_start);
	for (i = 0; i < 8 && !(code[i] == 0x0f && code[i + 1] == 0x01); i++)
		;
	check(!r && run_exit(&vm, KVM_EXIT_SHUTDOWN) && i < 8 && code[i + 2] == foreign,
	      "... turned off (%d): the guest's %s raises #UD (a triple fault here) and stays as it was",
	      r, cpu_is_intel() ? "VMMCALL" : "VMCALL");
	vm_destroy(&vm);
}

/* MMIO: accesses outside every slot exit as KVM_EXIT_MMIO. */
static void check_mmio(void)
{
	struct vm vm;

	if (guest_open(&vm, "MMIO", REAL, rm_mmio))
		return;
	check(run_mmio(&vm, 1, MMIO_GPA, 1, 0x5a),
	      "a 1-byte write outside all slots: KVM_EXIT_MMIO write, phys_addr 0xe000, len 1, data 0x5a");
	check(rip_is(&vm, REAL, rm_mmio_next),
	      "after an MMIO write exit RIP is past the write (KVM has completed it)");
	check(run_mmio(&vm, 1, MMIO_GPA + 2, 2, 0x1234),
	      "a 2-byte write: KVM_EXIT_MMIO write, phys_addr 0xe002, len 2, data 0x1234");
	check(run_mmio(&vm, 1, MMIO_GPA + 4, 4, 0x89abcdef),
	      "a 4-byte write: KVM_EXIT_MMIO write, phys_addr 0xe004, len 4, data 0x89abcdef");
	check(run_mmio(&vm, 0, MMIO_GPA + 8, 2, 0),
	      "a 2-byte read: KVM_EXIT_MMIO read, phys_addr 0xe008, len 2");
	check(rip_is(&vm, REAL, rm_mmio_read), "after an MMIO read exit RIP is still at the read");
	mmio_answer(&vm, 0x4321);
	check(run_out(&vm, 2, 0x42, 0x4321),
	      "the next KVM_RUN completes the read with the VMM's data (0x4321)");
	vm_destroy(&vm);
}

static int ioeventfd(struct vm *vm, uint32_t flags, uint64_t addr, uint32_t len, uint64_t match,
		     int fd)
{
	struct kvm_ioeventfd e = {
		.datamatch = match, .addr = addr, .len = len, .fd = fd, .flags = flags,
	};

	return kvm_ioctl(vm->fd, KVM_IOEVENTFD, (unsigned long)&e);
}

/* What the eventfd counted since the last read: 0 if nothing (it is non-blocking). */
static uint64_t signalled(int fd)
{
	uint64_t n = 0;

	return read(fd, &n, sizeof(n)) == sizeof(n) ? n : 0;
}

/* KVM_IOEVENTFD's refusals (virt/kvm/eventfd.c). */
static void check_ioeventfd_errors(struct vm *vm, int fd)
{
	check(ioeventfd(vm, KVM_IOEVENTFD_FLAG_PIO, 0x10, 3, 0, fd) == -EINVAL &&
	      ioeventfd(vm, UNKNOWN_IOEVENTFD_FLAG, MMIO_GPA, 4, 0, fd) == -EINVAL &&
	      ioeventfd(vm, KVM_IOEVENTFD_FLAG_DATAMATCH, MMIO_GPA, 0, 0, fd) == -EINVAL &&
	      ioeventfd(vm, 0, ~0ull, 8, 0, fd) == -EINVAL,
	      "KVM_IOEVENTFD: length 3, an unknown flag, datamatch with length 0, an address "
	      "range that wraps: EINVAL");
	check(ioeventfd(vm, 0, MMIO_GPA, 4, 0, -1) == -EBADF, "KVM_IOEVENTFD: fd -1: EBADF");
	check(ioeventfd(vm, KVM_IOEVENTFD_FLAG_DEASSIGN, MMIO_GPA, 4, 0, fd) == -ENOENT,
	      "KVM_IOEVENTFD: deassigning one never assigned: ENOENT");
}

/*
 * KVM_IOEVENTFD (api.rst 4.59): a guest write that matches signals the
 * eventfd and does not exit; one that does not match exits as before.
 * rm_out writes port 0x10 (1 byte), 0x11 (2) and 0x12 (4), rm_mmio writes
 * 0xe000 (1), 0xe002 (2), 0xe004 (4) and then reads 0xe008.
 */
static void check_ioeventfd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct vm vm;
	int ok;

	check(extension(kvm_fd, KVM_CAP_IOEVENTFD) == 1 &&
	      extension(kvm_fd, KVM_CAP_IOEVENTFD_ANY_LENGTH) == 1,
	      "KVM_CAP_IOEVENTFD and _ANY_LENGTH: 1");
	if (fd < 0 || guest_open(&vm, "ioeventfd", REAL, rm_out))
		return;
	check_ioeventfd_errors(&vm, fd);
	ok = ioeventfd(&vm, KVM_IOEVENTFD_FLAG_PIO, 0x10, 1, 0, fd) == 0 &&
	     ioeventfd(&vm, KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH, 0x11, 2,
		       0x3456, fd) == 0 &&
	     ioeventfd(&vm, KVM_IOEVENTFD_FLAG_PIO, 0x12, 0, 0, fd) == 0;
	check(ok, "KVM_IOEVENTFD: ports 0x10 (1 byte), 0x11 (2 bytes, data 0x3456), 0x12 (any)");
	check(ioeventfd(&vm, KVM_IOEVENTFD_FLAG_PIO, 0x12, 4, 0, fd) == -EEXIST,
	      "KVM_IOEVENTFD: one that could match the same writes: EEXIST");
	check(run_exit(&vm, KVM_EXIT_HLT) && signalled(fd) == 3,
	      "the three OUTs signal the eventfd (3 times) without an exit: KVM_EXIT_HLT");
	ok = ioeventfd(&vm, KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DEASSIGN |
		       KVM_IOEVENTFD_FLAG_DATAMATCH, 0x11, 2, 0x3456, fd) == 0 &&
	     ioeventfd(&vm, KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH, 0x11, 2,
		       0x1111, fd) == 0 &&
	     !start(&vm, REAL, rm_out, 0, 0) && run_out(&vm, 2, 0x11, 0x3456);
	check(ok && signalled(fd) == 1,
	      "port 0x11 matched to 0x1111 instead: its write of 0x3456 exits, the others do not");
	check(run_exit(&vm, KVM_EXIT_HLT) && signalled(fd) == 1, "and port 0x12 still signals");
	ok = ioeventfd(&vm, 0, MMIO_GPA, 1, 0, fd) == 0 &&
	     ioeventfd(&vm, KVM_IOEVENTFD_FLAG_DATAMATCH, MMIO_GPA + 2, 2, 0x1234, fd) == 0 &&
	     ioeventfd(&vm, 0, MMIO_GPA + 4, 0, 0, fd) == 0 &&
	     !start(&vm, REAL, rm_mmio, 0, 0) && run_mmio(&vm, 0, MMIO_GPA + 8, 2, 0);
	check(ok && signalled(fd) == 3,
	      "MMIO writes matched by length, data, any length: signalled, the read exits");
	vm_destroy(&vm);
	close(fd);
}

static int coalesce(struct vm *vm, unsigned long req, uint64_t addr, uint32_t size, uint32_t pio)
{
	struct kvm_coalesced_mmio_zone z = { .addr = addr, .size = size, .pio = pio };

	return kvm_ioctl(vm->fd, req, (unsigned long)&z);
}

/* The ring holds exactly the writes given, in order; the VMM's part: emptied after. */
static int ring_has(struct vm *vm, uint32_t pio, const uint64_t (*want)[3], uint32_t n)
{
	struct kvm_coalesced_mmio_ring *ring = (void *)((uint8_t *)vm->run + COALESCED_PAGE * PAGE_SIZE);
	uint32_t at = ring->first, i;
	int ok;

	for (i = 0; i < n; i++, at = (at + 1) % KVM_COALESCED_MMIO_MAX) {
		struct kvm_coalesced_mmio *e = &ring->coalesced_mmio[at];
		uint64_t data = 0;

		memcpy(&data, e->data, sizeof(data));
		if (at == ring->last || e->phys_addr != want[i][0] || e->len != want[i][1] ||
		    e->len > 8 || (data & (~0ull >> (64 - 8 * e->len))) != want[i][2] || e->pio != pio)
			break;
	}
	ok = i == n && at == ring->last;
	if (!ok)
		printf("kvmrun:   got ring first %u last %u, entry %u differs\n", ring->first,
		       ring->last, i);
	ring->first = ring->last;
	return ok;
}

/* rm_stos's bytes @first up to @first + @n in the ring, and nothing else. */
static int ring_has_stos(struct vm *vm, uint32_t first, uint32_t n)
{
	static uint64_t want[STOS_COUNT][3];

	for (uint32_t i = 0; i < n; i++) {
		want[i][0] = MMIO_GPA + first + i;
		want[i][1] = 1;
		want[i][2] = 0x77;
	}
	return ring_has(vm, 0, (const uint64_t (*)[3])want, n);
}

/*
 * The entries the ring takes before KVM's coalesced_mmio_has_room() says
 * full: (first - last - 1) % KVM_COALESCED_MMIO_MAX is 0, the subtraction
 * wrapping in 32 bits first (85 entries from an empty ring at its start).
 */
static uint32_t ring_room(struct vm *vm)
{
	struct kvm_coalesced_mmio_ring *ring = (void *)((uint8_t *)vm->run + COALESCED_PAGE * PAGE_SIZE);
	uint32_t last = ring->last, n = 0;

	while ((ring->first - last - 1) % KVM_COALESCED_MMIO_MAX) {
		last = (last + 1) % KVM_COALESCED_MMIO_MAX;
		n++;
	}
	return n;
}

/*
 * A REP STOSB into a zone: each byte an entry, until the ring is full;
 * the next exits as an MMIO write and the rest go into the emptied ring.
 */
static void check_coalesced_stos(struct vm *vm)
{
	const uint32_t room = ring_room(vm);
	int ok;

	ok = coalesce(vm, KVM_REGISTER_COALESCED_MMIO, MMIO_GPA, 256, 0) == 0 &&
	     !start(vm, REAL, rm_stos, 0, 0) && run_mmio(vm, 1, MMIO_GPA + room, 1, 0x77) &&
	     ring_has_stos(vm, 0, room);
	check(ok && room < STOS_COUNT, "REP STOSB into a zone: the ring fills, the write after it exits");
	check(ok && run_exit(vm, KVM_EXIT_HLT) && ring_has_stos(vm, room + 1, STOS_COUNT - room - 1),
	      "... and the rest of the string goes into the emptied ring");
}

/*
 * Coalesced MMIO and PIO (api.rst 4.66): writes into a zone go into the
 * ring at page KVM_CAP_COALESCED_MMIO of the vCPU mapping without an exit;
 * reads and writes elsewhere exit as before.
 */
static void check_coalesced(void)
{
	static const uint64_t mmio[][3] = {
		{ MMIO_GPA, 1, 0x5a }, { MMIO_GPA + 2, 2, 0x1234 }, { MMIO_GPA + 4, 4, 0x89abcdef },
	};
	static const uint64_t pio[][3] = { { 0x10, 1, 0x12 }, { 0x11, 2, 0x3456 } };
	struct vm vm;
	int ok;

	check(extension(kvm_fd, KVM_CAP_COALESCED_MMIO) == COALESCED_PAGE &&
	      extension(kvm_fd, KVM_CAP_COALESCED_PIO) == 1 &&
	      mmap_size >= (COALESCED_PAGE + 1) * PAGE_SIZE,
	      "KVM_CAP_COALESCED_MMIO: page 2 of the vCPU mapping; _COALESCED_PIO: 1");
	if (mmap_size < (COALESCED_PAGE + 1) * PAGE_SIZE ||
	    guest_open(&vm, "coalesced MMIO", REAL, rm_mmio))
		return;
	check(coalesce(&vm, KVM_REGISTER_COALESCED_MMIO, MMIO_GPA, 8, 2) == -EINVAL,
	      "KVM_REGISTER_COALESCED_MMIO: pio 2: EINVAL");
	ok = coalesce(&vm, KVM_REGISTER_COALESCED_MMIO, MMIO_GPA, 8, 0) == 0 &&
	     run_mmio(&vm, 0, MMIO_GPA + 8, 2, 0);
	check(ok && ring_has(&vm, 0, mmio, 3),
	      "writes into a zone of 0xe000-0xe007 go into the ring, in order; the read exits");
	mmio_answer(&vm, 0);
	ok = run_out(&vm, 2, 0x42, 0) &&
	     coalesce(&vm, KVM_UNREGISTER_COALESCED_MMIO, MMIO_GPA, 8, 0) == 0 &&
	     !start(&vm, REAL, rm_mmio, 0, 0) && run_mmio(&vm, 1, MMIO_GPA, 1, 0x5a);
	check(ok, "KVM_UNREGISTER_COALESCED_MMIO: the writes exit again");
	ok = coalesce(&vm, KVM_REGISTER_COALESCED_MMIO, 0x10, 3, 1) == 0 &&
	     !start(&vm, REAL, rm_out, 0, 0) && run_out(&vm, 4, 0x12, 0x789abcde);
	check(ok && ring_has(&vm, 1, pio, 2),
	      "coalesced PIO, ports 0x10-0x12: the OUTs to 0x10 and 0x11 in the ring, the 4 bytes to 0x12 exit");
	check_coalesced_stos(&vm);
	vm_destroy(&vm);
}

/* A KVM_MEM_READONLY slot: reads see its memory, writes exit as MMIO. */
static void check_readonly(void)
{
	uint8_t *page = map_pages(PAGE_SIZE);
	struct vm vm;

	if (!page || guest_open(&vm, "read-only slot", REAL, rm_readonly))
		return;
	page[0] = 0x7e;
	page[1] = 0x1f;
	check(set_slot(vm.fd, 1, KVM_MEM_READONLY, RO_GPA, PAGE_SIZE, page) == 0,
	      "a KVM_MEM_READONLY slot at 0xa000");
	check(run_out(&vm, 1, 0x43, 0x7e), "a guest read of it returns its memory");
	check(run_mmio(&vm, 1, RO_GPA + 1, 1, 0x99),
	      "a guest write to it: KVM_EXIT_MMIO write, phys_addr 0xa001, len 1, data 0x99");
	check(run_out(&vm, 1, 0x43, 0x1f) && page[1] == 0x1f,
	      "the write did not reach its memory (the guest and the VMM read 0x1f)");
	vm_destroy(&vm);
	munmap(page, PAGE_SIZE);
}

/* A flat 32-bit protected-mode guest: OUT, IN, MMIO, RAM and HLT. */
static void check_protected_mode(void)
{
	struct vm vm;
	uint32_t ram_word;

	if (guest_open(&vm, "protected mode", PROTECTED, pm_guest))
		return;
	check(run_out(&vm, 1, 0x50, 0x32), "protected mode: OUT imm8, AL");
	check(run_in(&vm, 4, 0x51, 0x13579bdf), "protected mode: IN EAX, imm8");
	check(run_out(&vm, 4, 0x52, 0x13579bdf), "protected mode: the IN completes");
	check(run_mmio(&vm, 1, MMIO_GPA, 4, 0xfeedface), "protected mode: a 4-byte MMIO write");
	check(run_mmio(&vm, 0, MMIO_GPA + 8, 4, 0), "protected mode: a 4-byte MMIO read");
	mmio_answer(&vm, 0x2468ace0);
	check(run_out(&vm, 4, 0x53, 0x2468ace0), "protected mode: the MMIO read completes");
	check(run_exit(&vm, KVM_EXIT_HLT), "protected mode: HLT");
	memcpy(&ram_word, vm.ram + DATA_GPA, sizeof(ram_word));
	check(ram_word == 0x32323232,
	      "protected mode: the guest's write to RAM is in the VMM's mapping");
	vm_destroy(&vm);
}

/* A 64-bit guest under 4-level paging: OUT, IN, 8-byte MMIO, RAM and HLT. */
static void check_long_mode(void)
{
	struct vm vm;
	uint32_t ram_word;

	if (guest_open(&vm, "long mode", LONG, lm_guest))
		return;
	check(run_out(&vm, 1, 0x60, 0x64), "long mode: OUT imm8, AL");
	check(run_in(&vm, 4, 0x61, 0x600df00d), "long mode: IN EAX, imm8");
	check(run_out(&vm, 4, 0x62, 0x600df00d), "long mode: the IN completes");
	check(run_mmio(&vm, 1, MMIO_GPA, 8, 0x0123456789abcdefull),
	      "long mode: an 8-byte MMIO write");
	check(run_mmio(&vm, 0, MMIO_GPA + 8, 8, 0), "long mode: an 8-byte MMIO read");
	mmio_answer(&vm, 0x1122334455667788ull);
	check(run_out(&vm, 4, 0x63, 0x55667788) &&
	      run_out(&vm, 4, 0x63, 0x11223344),
	      "long mode: the MMIO read completes with all 8 bytes");
	check(run_exit(&vm, KVM_EXIT_HLT), "long mode: HLT");
	memcpy(&ram_word, vm.ram + DATA_GPA, sizeof(ram_word));
	check(ram_word == 0x64646464,
	      "long mode: the guest's write to RAM is in the VMM's mapping");
	vm_destroy(&vm);
}

/* A triple fault ends KVM_RUN with KVM_EXIT_SHUTDOWN. */
static void check_shutdown(void)
{
	struct kvm_sregs s;
	struct vm vm;

	if (guest_open(&vm, "triple fault", REAL, rm_int3))
		return;
	if (kvm_ioctl(vm.vcpu, KVM_GET_SREGS, (unsigned long)&s) == 0) {
		s.idt.limit = 0;
		kvm_ioctl(vm.vcpu, KVM_SET_SREGS, (unsigned long)&s);
	}
	check(run_exit(&vm, KVM_EXIT_SHUTDOWN),
	      "INT3 with an IDT limit of 0 (a triple fault): KVM_EXIT_SHUTDOWN");
	vm_destroy(&vm);
}

/* immediate_exit (api.rst 5, with KVM_CAP_IMMEDIATE_EXIT). */
static void check_immediate_exit(void)
{
	struct vm vm;
	int r;

	if (guest_open(&vm, "immediate_exit", REAL, rm_out))
		return;
	vm.run->immediate_exit = 1;
	r = run_vcpu(&vm);
	check(r == -EINTR && rip_is(&vm, REAL, rm_out),
	      "immediate_exit = 1: KVM_RUN returns -EINTR and the guest does not run");
	vm.run->immediate_exit = 0;
	check(run_out(&vm, 1, 0x10, 0x12), "immediate_exit = 0: the guest runs");
	vm_destroy(&vm);
}

/*
 * immediate_exit still completes a pending IN: api.rst 5 gives it as the way
 * to finish an I/O exit without letting the guest run further.
 */
static void check_immediate_exit_completes(void)
{
	struct vm vm;
	int ok;

	if (guest_open(&vm, "immediate_exit after an IN", REAL, rm_in))
		return;
	ok = run_in(&vm, 1, 0x20, 0xa5);
	vm.run->immediate_exit = 1;
	ok = ok && run_vcpu(&vm) == -EINTR;
	check(ok && rip_is(&vm, REAL, rm_in_next) && REG_IS(&vm, rax, 0x112233a5),
	      "immediate_exit = 1 after an IN exit: -EINTR, the IN completed (AL, RIP past it)");
	vm_destroy(&vm);
}

/* A signal while the guest spins: KVM_RUN returns -EINTR, KVM_EXIT_INTR. */
static void check_signal(void)
{
	struct vm vm;
	int r;

	if (guest_open(&vm, "signal", REAL, rm_spin))
		return;
	arm_timer(SIGNAL_AFTER_US);
	r = kvm_ioctl(vm.vcpu, KVM_RUN, 0);
	check(r == -EINTR && alarm_fired && vm.run->exit_reason == KVM_EXIT_INTR,
	      "SIGALRM while the guest spins: KVM_RUN returns -EINTR, exit_reason KVM_EXIT_INTR");
	arm_timer(0);
	check(rip_is(&vm, REAL, rm_spin), "the interrupted guest's RIP is in its loop");
	vm_destroy(&vm);
}

/*
 * Guest memory is the VMM's memory, page for page, and follows changes to
 * its backing (api.rst 4.35, with KVM_CAP_SYNC_MMU).
 */
static void check_shared_memory(void)
{
	struct vm vm;

	if (vm_create(&vm, "guest memory"))
		return;
	check(poke(&vm, DATA_GPA, 0x5a) && vm.ram[DATA_GPA] == 0x5a,
	      "a guest write to RAM appears in the VMM's mapping");
	vm.ram[DATA_GPA + 1] = 0xa5;
	check(peek(&vm, DATA_GPA + 1) == 0xa5, "a VMM write to RAM is seen by the guest");
	vm.ram[DATA_GPA] = 0x44;
	check(peek(&vm, DATA_GPA) == 0x44 &&
	      !madvise(vm.ram + DATA_GPA, PAGE_SIZE, MADV_DONTNEED) && peek(&vm, DATA_GPA) == 0,
	      "after MADV_DONTNEED on a guest page the guest reads 0");
	check(poke(&vm, DATA_GPA, 0x55) && vm.ram[DATA_GPA] == 0x55,
	      "a guest write after MADV_DONTNEED appears in the VMM's mapping");
	vm_destroy(&vm);
}

/*
 * The child of check_fork: once told to go, sends the byte at DATA_GPA as
 * it sees it, then writes both data pages. Only its ends of the pipes stay
 * open, so neither side waits for good on one that died.
 */
static void __attribute__((noreturn)) fork_child(struct vm *vm, int go[2], int back[2])
{
	uint8_t seen;

	close(go[1]);
	close(back[0]);
	if (read(go[0], &seen, 1) != 1)
		_exit(1);
	seen = vm->ram[DATA_GPA];
	vm->ram[DATA_GPA] = 0x22;
	vm->ram[DATA2_GPA] = 0x55;
	_exit(write(back[1], &seen, 1) == 1 ? 0 : 1);
}

/* The parent's side: the child's view of DATA_GPA, or -1 (also if fork failed). */
static int fork_parent(pid_t pid, int go[2], int back[2])
{
	uint8_t seen;
	int status, ok;

	close(go[0]);
	close(back[1]);
	ok = pid > 0 && write(go[1], "", 1) == 1 && read(back[0], &seen, 1) == 1;
	close(go[1]);
	close(back[0]);
	ok = pid > 0 && waitpid(pid, &status, 0) == pid && ok && status == 0;
	return ok ? seen : -1;
}

/*
 * After fork() guest RAM is copy-on-write for both processes. In the
 * parent, a write by its guest (DATA_GPA) or by itself (DATA2_GPA) takes a
 * copy that the guest then uses; the child keeps the pages as they were and
 * its own writes, done after the parent's, reach neither.
 */
static void check_fork(void)
{
	int go[2], back[2], seen;
	struct vm vm;
	pid_t pid;

	if (vm_create(&vm, "fork"))
		return;
	/* Both pages mapped writable for the guest before the fork. */
	if (!poke(&vm, DATA_GPA, 0x11) || !poke(&vm, DATA2_GPA, 0x21) || pipe(go) || pipe(back)) {
		check(0, "fork: guest writes before fork(), two pipes");
		vm_destroy(&vm);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		fork_child(&vm, go, back);
	vm.ram[DATA2_GPA] = 0x44;
	check(pid > 0 && poke(&vm, DATA_GPA, 0x33) && vm.ram[DATA_GPA] == 0x33,
	      "after fork(), a guest write in the parent appears in the parent's mapping");
	seen = fork_parent(pid, go, back);
	check(seen == 0x11, "the child sees the page as it was at fork(), not that write");
	check(seen >= 0 && peek(&vm, DATA_GPA) == 0x33,
	      "the child's later write to that page is not seen by the parent's guest");
	check(seen >= 0 && peek(&vm, DATA2_GPA) == 0x44,
	      "after fork(), the guest sees the parent's write to a page, not the child's later one");
	vm_destroy(&vm);
}

/* The vCPU fd holds the VM: KVM_RUN works after the VM fd is closed. */
static void check_vm_fd_closed(void)
{
	struct vm vm;

	if (guest_open(&vm, "VM fd closed", REAL, rm_hlt))
		return;
	close(vm.fd);
	vm.fd = -1;
	check(run_exit(&vm, KVM_EXIT_HLT), "KVM_RUN after the VM fd is closed: KVM_EXIT_HLT");
	vm_destroy(&vm);
}

/* VMs with memory and a vCPU, run and closed in turn: each is freed. */
static void check_vm_cycles(void)
{
	struct vm vm;
	int ok = 1, i;

	for (i = 0; i < VM_CYCLES && ok; i++) {
		if (guest_open(&vm, "VM cycles", REAL, rm_hlt))
			break;
		ok = run_exit(&vm, KVM_EXIT_HLT);
		vm_destroy(&vm);
	}
	check(ok && i == VM_CYCLES,
	      "%d VMs with RAM and a vCPU created, run to HLT and closed in turn", VM_CYCLES);
}

/* IA32_APIC_BASE of a vCPU as KVM_GET_SREGS reports it, or 0. */
static uint64_t apic_base(int vcpu)
{
	struct kvm_sregs s;

	return vcpu >= 0 && !kvm_ioctl(vcpu, KVM_GET_SREGS, (unsigned long)&s) ? s.apic_base : 0;
}

/* Of a VM whose boot vCPU is 1: 1 if only vCPU 1 has the BSP bit. */
static int boot_cpu_is_1(int vcpu0, int vcpu1)
{
	uint64_t base0 = apic_base(vcpu0), base1 = apic_base(vcpu1);

	if (base1 & APIC_BASE_BSP && base0 && !(base0 & APIC_BASE_BSP))
		return 1;
	printf("kvmrun:   got IA32_APIC_BASE %#llx (vCPU 0), %#llx (vCPU 1)\n",
	       (unsigned long long)base0, (unsigned long long)base1);
	return 0;
}

/*
 * The VM ioctls a VMM makes before its vCPUs (api.rst 4.36, 4.40, 4.41):
 * the TSS address is accepted (kvm_amd needs none), the identity map and
 * the boot vCPU only while no vCPU exists, and the boot vCPU is the one
 * whose IA32_APIC_BASE has the BSP bit. The addresses are QEMU's. The
 * shadow MMU's page cap (4.34) is kept and read back, at least 64.
 */
static void check_vm_setup(void)
{
	int vm = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0), vcpu0, vcpu1;
	uint64_t ident = IDENTITY_MAP_ADDR;

	if (vm < 0) {
		check(0, "VM setup: KVM_CREATE_VM: %s", strerror(-vm));
		return;
	}
	check(kvm_ioctl(vm, KVM_SET_TSS_ADDR, TSS_ADDR) == 0, "KVM_SET_TSS_ADDR 0xfffbd000: 0");
	check(extension(kvm_fd, KVM_CAP_MMU_SHADOW_CACHE_CONTROL) == 1 &&
	      kvm_ioctl(vm, KVM_GET_NR_MMU_PAGES, 0) == 0 &&
	      kvm_ioctl(vm, KVM_SET_NR_MMU_PAGES, 63) == -EINVAL &&
	      kvm_ioctl(vm, KVM_SET_NR_MMU_PAGES, 1000) == 0 &&
	      kvm_ioctl(vm, KVM_GET_NR_MMU_PAGES, 0) == 1000,
	      "KVM_GET_NR_MMU_PAGES of a VM without memory: 0; SET of 63: -EINVAL; of 1000: "
	      "0, and GET reads 1000");
	check(kvm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, (unsigned long)&ident) == 0,
	      "KVM_SET_IDENTITY_MAP_ADDR 0xfeffc000 before any vCPU: 0");
	check(kvm_ioctl(vm, KVM_SET_BOOT_CPU_ID, 1) == 0, "KVM_SET_BOOT_CPU_ID 1 before any vCPU: 0");
	vcpu0 = kvm_ioctl(vm, KVM_CREATE_VCPU, 0);
	vcpu1 = kvm_ioctl(vm, KVM_CREATE_VCPU, 1);
	check(kvm_ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, (unsigned long)&ident) == -EINVAL,
	      "KVM_SET_IDENTITY_MAP_ADDR once a vCPU exists: -EINVAL");
	check(kvm_ioctl(vm, KVM_SET_BOOT_CPU_ID, 0) == -EBUSY,
	      "KVM_SET_BOOT_CPU_ID once a vCPU exists: -EBUSY");
	check(boot_cpu_is_1(vcpu0, vcpu1),
	      "boot vCPU 1: its IA32_APIC_BASE has the BSP bit (0x100), vCPU 0's does not");
	if (vcpu1 >= 0)
		close(vcpu1);
	if (vcpu0 >= 0)
		close(vcpu0);
	close(vm);
}

/*
 * KVM_ENABLE_CAP (api.rst 4.37) works only for capabilities that can be
 * enabled. KVM_CAP_S390_IRQCHIP, another architecture's, is one no x86
 * KVM offers. (Not every capability answered 0 is refused: kvm_amd 6.1
 * answers 0 for KVM_CAP_X86_BUS_LOCK_EXIT yet enables it with args 0.)
 */
static void check_enable_cap(void)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_S390_IRQCHIP };
	int vm = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0);

	check(vm >= 0 && extension(vm, cap.cap) == 0 &&
	      kvm_ioctl(vm, KVM_ENABLE_CAP, (unsigned long)&cap) == -EINVAL,
	      "KVM_ENABLE_CAP of a capability KVM_CHECK_EXTENSION answers 0 for: -EINVAL");
	if (vm >= 0)
		close(vm);
}

static struct kvm_cpuid2 *cpuid_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));

	if (cpuid)
		cpuid->nent = nent;
	return cpuid;
}

/* The entry for function (index 0) among n, or NULL. */
static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *cpuid, uint32_t n, uint32_t function)
{
	for (uint32_t i = 0; i < n; i++)
		if (cpuid->entries[i].function == function && cpuid->entries[i].index == 0)
			return &cpuid->entries[i];
	return NULL;
}

/* KVM_GET_SUPPORTED_CPUID (api.rst 4.46): -E2BIG with nent unchanged if too small. */
static int kvm_leaves_offered(struct kvm_cpuid2 *cpuid)
{
	struct kvm_cpuid_entry2 *sig = cpuid_find(cpuid, cpuid->nent, KVM_CPUID_SIGNATURE);
	struct kvm_cpuid_entry2 *f = cpuid_find(cpuid, cpuid->nent, KVM_CPUID_SIGNATURE + 1);
	uint32_t want = KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_CLOCKSOURCE_STABLE_BIT |
			KVM_FEATURE_STEAL_TIME;
	char name[13] = "";

	if (!sig || !f)
		return 0;
	memcpy(name, &sig->ebx, 4);
	memcpy(name + 4, &sig->ecx, 4);
	memcpy(name + 8, &sig->edx, 4);
	return !strcmp(name, "KVMKVMKVM") && (f->eax & want) == want;
}

#define CPUID1_ECX_X2APIC (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

static void check_supported_cpuid(void)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(MAX_CPUID_ENTRIES);
	struct kvm_cpuid_entry2 *leaf1;
	int r;

	if (!cpuid)
		return;
	cpuid->nent = 1;
	r = kvm_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)cpuid);
	check(r == -E2BIG && cpuid->nent == 1,
	      "KVM_GET_SUPPORTED_CPUID with nent 1: -E2BIG, nent left at 1");
	cpuid->nent = MAX_CPUID_ENTRIES;
	r = kvm_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)cpuid);
	check(r == 0 && cpuid->nent <= MAX_CPUID_ENTRIES && cpuid_find(cpuid, cpuid->nent, 0),
	      "KVM_GET_SUPPORTED_CPUID with room for 256: 0, leaf 0 among the entries");
	check(r == 0 && kvm_leaves_offered(cpuid),
	      "KVM_GET_SUPPORTED_CPUID: \"KVMKVMKVM\" at 0x40000000, kvmclock (CLOCKSOURCE2, "
	      "STABLE_BIT) and STEAL_TIME at 0x40000001");
	leaf1 = r == 0 ? cpuid_find(cpuid, cpuid->nent, 1) : NULL;
	check(leaf1 && (leaf1->ecx & CPUID1_ECX_X2APIC) && !(leaf1->ecx & CPUID1_ECX_TSC_DEADLINE),
	      "KVM_GET_SUPPORTED_CPUID leaf 1: x2APIC (the in-kernel LAPIC's), not TSC-deadline "
	      "(KVM_CAP_TSC_DEADLINE_TIMER says it)");
	free(cpuid);
}

static struct kvm_msr_list *msr_list_alloc(uint32_t nmsrs)
{
	struct kvm_msr_list *list = calloc(1, sizeof(*list) + nmsrs * sizeof(list->indices[0]));

	if (list)
		list->nmsrs = nmsrs;
	return list;
}

static int msr_listed(const struct kvm_msr_list *list, uint32_t index)
{
	for (uint32_t i = 0; i < list->nmsrs; i++)
		if (list->indices[i] == index)
			return 1;
	return 0;
}

/*
 * KVM_GET_MSR_INDEX_LIST (api.rst 4.3): -E2BIG with nmsrs written back if
 * the array is too small; the list has the MSRs every x86 VMM saves.
 */
static void check_msr_index_list(void)
{
	struct kvm_msr_list *list = msr_list_alloc(MAX_MSR_LIST);
	uint32_t n;
	int r;

	if (!list)
		return;
	list->nmsrs = 0;
	r = kvm_ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, (unsigned long)list);
	n = list->nmsrs;
	check(r == -E2BIG && n > 0, "KVM_GET_MSR_INDEX_LIST with nmsrs 0: -E2BIG, nmsrs written back");
	list->nmsrs = MAX_MSR_LIST;
	r = kvm_ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, (unsigned long)list);
	check(r == 0 && list->nmsrs == n && msr_listed(list, MSR_IA32_SYSENTER_CS) &&
	      msr_listed(list, MSR_LSTAR),
	      "KVM_GET_MSR_INDEX_LIST with room: 0, as many, SYSENTER_CS (0x174) and LSTAR (0xc0000082) among them");
	check(msr_listed(list, MSR_IA32_TSC) && msr_listed(list, MSR_KVM_SYSTEM_TIME_NEW) &&
	      msr_listed(list, MSR_KVM_WALL_CLOCK_NEW),
	      "KVM_GET_MSR_INDEX_LIST: IA32_TSC and the kvmclock MSRs among them");
	free(list);
}

static struct kvm_msrs *msrs_alloc(uint32_t nmsrs)
{
	struct kvm_msrs *msrs = calloc(1, sizeof(*msrs) + nmsrs * sizeof(msrs->entries[0]));

	if (msrs)
		msrs->nmsrs = nmsrs;
	return msrs;
}

/*
 * The feature MSRs (api.rst 4.3, 4.18): KVM_CAP_GET_MSR_FEATURES; KVM_GET_MSRS
 * on /dev/kvm reads those KVM_GET_MSR_FEATURE_INDEX_LIST names, every one,
 * the microcode revision among them.
 */
static void check_msr_features(void)
{
	struct kvm_msr_list *list = msr_list_alloc(MAX_MSR_LIST);
	struct kvm_msrs *msrs = msrs_alloc(MAX_MSR_LIST);
	int r;

	if (!list || !msrs)
		goto out;
	r = kvm_ioctl(kvm_fd, KVM_GET_MSR_FEATURE_INDEX_LIST, (unsigned long)list);
	check(extension(kvm_fd, KVM_CAP_GET_MSR_FEATURES) > 0, "KVM_CAP_GET_MSR_FEATURES offered");
	check(r == 0 && list->nmsrs <= MAX_MSR_LIST && msr_listed(list, MSR_IA32_UCODE_REV),
	      "KVM_GET_MSR_FEATURE_INDEX_LIST with room: 0, IA32_UCODE_REV (0x8b) among them");
	msrs->nmsrs = 0;
	check(kvm_ioctl(kvm_fd, KVM_GET_MSRS, (unsigned long)msrs) == 0,
	      "KVM_GET_MSRS on /dev/kvm with nmsrs 0: 0");
	msrs->nmsrs = r == 0 ? list->nmsrs : 0;
	for (uint32_t i = 0; i < msrs->nmsrs; i++)
		msrs->entries[i].index = list->indices[i];
	check(r == 0 && kvm_ioctl(kvm_fd, KVM_GET_MSRS, (unsigned long)msrs) == (int)list->nmsrs,
	      "KVM_GET_MSRS on /dev/kvm of the feature list: all read (%u)", r == 0 ? list->nmsrs : 0);
	msrs->nmsrs = 2;
	msrs->entries[0].index = MSR_IA32_UCODE_REV;
	msrs->entries[1] = (struct kvm_msr_entry){ .index = MSR_UNKNOWN, .data = 0xdead };
	r = kvm_ioctl(kvm_fd, KVM_GET_MSRS, (unsigned long)msrs);
	check(r == 1 && !msrs->entries[1].data,
	      "... an MSR that is not a feature MSR ends it, its data cleared (%d, %#llx)", r,
	      (unsigned long long)msrs->entries[1].data);
out:
	free(list);
	free(msrs);
}

/* GET_CPUID2 into room for 8 entries: 1 if it has the leaf set as want. */
static int cpuid2_has(int vcpu, const struct kvm_cpuid_entry2 *want)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(8);
	struct kvm_cpuid_entry2 *got;
	int ok;

	if (!cpuid)
		return 0;
	ok = kvm_ioctl(vcpu, KVM_GET_CPUID2, (unsigned long)cpuid) == 0;
	got = ok ? cpuid_find(cpuid, 8, want->function) : NULL;
	ok = got && got->eax == want->eax && got->ebx == want->ebx && got->ecx == want->ecx &&
	     got->edx == want->edx;
	free(cpuid);
	return ok;
}

/*
 * KVM_SET_CPUID2/KVM_GET_CPUID2 (api.rst 4.20): the table set comes back
 * and the guest's CPUID answers from it. kvm_amd 6.1 leaves nent as the
 * caller gave it when KVM_GET_CPUID2 succeeds, so only the entry is looked for.
 */
static void check_cpuid2(void)
{
	static const struct kvm_cpuid_entry2 leaf = {
		.function = CPUID_LEAF, .eax = 0x11111111, .ebx = 0x22222222,
		.ecx = 0x33333333, .edx = 0x44444444,
	};
	struct kvm_cpuid2 *cpuid = cpuid_alloc(1);
	struct vm vm;

	if (!cpuid || guest_open(&vm, "KVM_SET_CPUID2", REAL, rm_cpuid))
		goto out;
	cpuid->entries[0] = leaf;
	check(kvm_ioctl(vm.vcpu, KVM_SET_CPUID2, (unsigned long)cpuid) == 0,
	      "KVM_SET_CPUID2 of one leaf, 0x40000123: 0");
	check(cpuid2_has(vm.vcpu, &leaf), "KVM_GET_CPUID2: 0, that leaf with its EAX..EDX");
	cpuid->nent = 0;
	check(kvm_ioctl(vm.vcpu, KVM_GET_CPUID2, (unsigned long)cpuid) == -E2BIG,
	      "KVM_GET_CPUID2 with nent 0: -E2BIG");
	check(run_out(&vm, 4, 0x70, leaf.eax) && run_out(&vm, 4, 0x70, leaf.ebx) &&
	      run_out(&vm, 4, 0x70, leaf.ecx) && run_out(&vm, 4, 0x70, leaf.edx),
	      "the guest's CPUID 0x40000123: EAX..EDX 0x11111111..0x44444444 as set");
	vm_destroy(&vm);
out:
	free(cpuid);
}

/* KVM_SET_MSRS or KVM_GET_MSRS of index (data in and out), then index2 if not 0. */
static int msrs_io(int vcpu, unsigned long req, uint32_t index, uint64_t *data, uint32_t index2)
{
	struct kvm_msrs *msrs = msrs_alloc(index2 ? 2 : 1);
	int r;

	if (!msrs)
		return -ENOMEM;
	msrs->entries[0].index = index;
	msrs->entries[0].data = *data;
	if (index2)
		msrs->entries[1].index = index2;
	r = kvm_ioctl(vcpu, req, (unsigned long)msrs);
	*data = msrs->entries[0].data;
	free(msrs);
	return r;
}

/* Starts rm_rdmsr of @msr with an IDT limit of 0: a #GP is a triple fault. */
static int start_rdmsr(struct vm *vm, uint32_t msr)
{
	struct kvm_sregs s;

	if (start(vm, REAL, rm_rdmsr, msr, 0) || kvm_ioctl(vm->vcpu, KVM_GET_SREGS, (unsigned long)&s))
		return -1;
	s.idt.limit = 0;
	return kvm_ioctl(vm->vcpu, KVM_SET_SREGS, (unsigned long)&s);
}

/*
 * MSR_PLATFORM_INFO (KVM_CAP_MSR_PLATFORM_INFO, on for a new VM): the
 * guest reads what the VMM set; with the capability off its RDMSR raises
 * #GP, while the VMM still reads the MSR.
 */
static void check_platform_info(void)
{
	uint64_t v = 0xff00;
	struct vm vm;
	int ok;

	check(extension(kvm_fd, KVM_CAP_MSR_PLATFORM_INFO) == 1, "KVM_CAP_MSR_PLATFORM_INFO: 1");
	if (vm_create(&vm, "platform info"))
		return;
	check(msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_PLATFORM_INFO, &v, 0) == 1 &&
	      !start_rdmsr(&vm, MSR_PLATFORM_INFO) && run_out(&vm, 4, RDMSR_PORT, 0xff00),
	      "KVM_SET_MSRS of MSR_PLATFORM_INFO 0xff00: the guest's RDMSR reads it");
	check(enable_cap(vm.fd, KVM_CAP_MSR_PLATFORM_INFO, 0) == 0 &&
	      !start_rdmsr(&vm, MSR_PLATFORM_INFO) && run_exit(&vm, KVM_EXIT_SHUTDOWN),
	      "KVM_ENABLE_CAP(KVM_CAP_MSR_PLATFORM_INFO, 0): the guest's RDMSR raises #GP "
	      "(no IDT: KVM_EXIT_SHUTDOWN)");
	v = 0;
	ok = msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_PLATFORM_INFO, &v, 0) == 1;
	check(ok && v == 0xff00, "... and KVM_GET_MSRS still reads it (%#llx)",
	      (unsigned long long)v);
	vm_destroy(&vm);
}

/*
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID (a vCPU's): a kvmclock MSR exists only
 * if the vCPU's CPUID 0x40000001 EAX names it. Here it names
 * KVM_FEATURE_CLOCKSOURCE (MSR 0x12), not _CLOCKSOURCE2 (0x4b564d01).
 */
static void check_pv_cpuid(void)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(2);
	uint64_t v = 0;
	struct vm vm;

	check(extension(kvm_fd, KVM_CAP_ENFORCE_PV_FEATURE_CPUID) == 1,
	      "KVM_CAP_ENFORCE_PV_FEATURE_CPUID: 1");
	if (!cpuid || vm_create(&vm, "PV CPUID"))
		goto out;
	cpuid->entries[0] = (struct kvm_cpuid_entry2){ .function = 0x40000000, .eax = 0x40000001,
		.ebx = 0x4b4d564b, .ecx = 0x564b4d56, .edx = 0x4d };
	cpuid->entries[1] = (struct kvm_cpuid_entry2){ .function = 0x40000001, .eax = 1 };
	check(!kvm_ioctl(vm.vcpu, KVM_SET_CPUID2, (unsigned long)cpuid) &&
	      !enable_cap(vm.vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1) &&
	      !start_rdmsr(&vm, MSR_KVM_SYSTEM_TIME) && run_out(&vm, 4, RDMSR_PORT, 0),
	      "enforced, CPUID names CLOCKSOURCE: the guest reads MSR_KVM_SYSTEM_TIME (0)");
	check(msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_KVM_SYSTEM_TIME_NEW, &v, 0) == 0,
	      "... not CLOCKSOURCE2: KVM_GET_MSRS of MSR_KVM_SYSTEM_TIME_NEW reads none");
	check(!start_rdmsr(&vm, MSR_KVM_SYSTEM_TIME_NEW) && run_exit(&vm, KVM_EXIT_SHUTDOWN),
	      "... and the guest's RDMSR of it raises #GP (no IDT: KVM_EXIT_SHUTDOWN)");
	vm_destroy(&vm);
out:
	free(cpuid);
}

/*
 * The microcode revision, a feature MSR: a new vCPU's is KVM's (0x100000000
 * from kvm_intel, 0x1000065 from kvm_amd), and what the VMM writes reads back
 * (QEMU gives its guests one).
 */
static void check_ucode_rev(void)
{
	uint64_t rev = 0, want = cpu_is_intel() ? 0x100000000ULL : 0x1000065;
	struct vm vm;
	int r;

	if (vm_create(&vm, "IA32_UCODE_REV"))
		return;
	r = msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_IA32_UCODE_REV, &rev, 0);
	check(r == 1 && rev == want, "a new vCPU's IA32_UCODE_REV: KVM's %#llx (%d, %#llx)",
	      (unsigned long long)want, r, (unsigned long long)rev);
	rev = 0x1234500000000ULL;
	r = msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_IA32_UCODE_REV, &rev, 0);
	rev = 0;
	check(r == 1 && msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_IA32_UCODE_REV, &rev, 0) == 1 &&
	      rev == 0x1234500000000ULL, "... the VMM's KVM_SET_MSRS of it reads back (%#llx)",
	      (unsigned long long)rev);
	vm_destroy(&vm);
}

/* A VM about to run lm_mwait with @quirks off and, if @ecx, CPUID leaf 1's ECX set to it. */
static int mwait_open(struct vm *vm, uint64_t quirks, uint32_t ecx)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(1);
	int r = -1;

	if (cpuid && !guest_open(vm, "MONITOR/MWAIT", LONG, lm_mwait)) {
		cpuid->entries[0] = (struct kvm_cpuid_entry2){ .function = 1, .ecx = ecx };
		r = quirks_off(vm, quirks) || (ecx && kvm_ioctl(vm->vcpu, KVM_SET_CPUID2,
							       (unsigned long)cpuid));
		if (r) {
			check(0, "KVM_ENABLE_CAP of KVM_CAP_DISABLE_QUIRKS2 %#llx, KVM_SET_CPUID2",
			      (unsigned long long)quirks);
			vm_destroy(vm);
		}
	}
	free(cpuid);
	return r;
}

/*
 * MONITOR and MWAIT run as NOPs even where CPUID hides them
 * (KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS); with that quirk off they raise #UD
 * (a triple fault here) unless CPUID shows MONITOR, which with
 * KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT off follows IA32_MISC_ENABLE bit 18,
 * whose change then needs SSE3 (as Linux's monitor_mwait_test asks).
 */
static void check_mwait(void)
{
	const uint64_t both = KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS | KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT;
	uint64_t misc = 0;
	struct vm vm;
	int r;

	check((extension(kvm_fd, KVM_CAP_DISABLE_QUIRKS2) & both) == both,
	      "KVM_CAP_DISABLE_QUIRKS2 names the MWAIT_NEVER_UD_FAULTS and MISC_ENABLE_NO_MWAIT quirks");
	if (mwait_open(&vm, 0, 0))
		return;
	r = msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_IA32_MISC_ENABLE, &misc, 0);
	check(r == 1 && misc == MISC_ENABLE_UNAVAIL,
	      "a new vCPU's IA32_MISC_ENABLE: BTS and PEBS unavailable (%d, %#llx)", r,
	      (unsigned long long)misc);
	check(run_out(&vm, 4, 0x45, 0), "MONITOR and MWAIT that CPUID hides run as NOPs");
	vm_destroy(&vm);
	if (mwait_open(&vm, both, 0))
		return;
	misc = MISC_ENABLE_UNAVAIL | MISC_ENABLE_MWAIT;
	r = msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_IA32_MISC_ENABLE, &misc, 0);
	check(r == 0 && run_exit(&vm, KVM_EXIT_SHUTDOWN),
	      "both quirks off: IA32_MISC_ENABLE's MWAIT bit refused without SSE3 (%d), MONITOR #UD", r);
	vm_destroy(&vm);
	if (mwait_open(&vm, both, CPUID1_SSE3))
		return;
	r = msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_IA32_MISC_ENABLE, &misc, 0);
	check(r == 1 && run_out(&vm, 4, 0x45, CPUID1_SSE3 | CPUID1_MONITOR),
	      "... with SSE3 it is taken (%d): CPUID shows MONITOR, and MONITOR and MWAIT run", r);
	vm_destroy(&vm);
}

/* KVM_X86_SET_MSR_FILTER with @flags and one range (nmsrs 0: none). */
static int msr_filter(struct vm *vm, uint32_t flags, uint32_t range_flags, uint32_t base,
		      uint32_t nmsrs, uint8_t *bitmap)
{
	struct kvm_msr_filter f = { .flags = flags };

	f.ranges[0] = (struct kvm_msr_filter_range){ range_flags, nmsrs, base, bitmap };
	return kvm_ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, (unsigned long)&f);
}

/* The last exit was an MSR access of the VMM's to answer: @kind (RDMSR or WRMSR) of @index. */
static int msr_exit_is(struct vm *vm, uint32_t kind, uint32_t index, uint32_t reason)
{
	struct kvm_run *run = vm->run;
	int r = run_vcpu(vm);

	if (!r && run->exit_reason == kind && run->msr.index == index && run->msr.reason == reason)
		return 1;
	show_exit(vm, r);
	return 0;
}

/* The filter's errors, KVM's (kvm_vm_ioctl_set_msr_filter()), in its order. */
static void check_msr_filter_errors(struct vm *vm)
{
	uint8_t bits[KVM_MSR_FILTER_MAX_BITMAP_SIZE] = { 0 };

	check(enable_cap(vm->fd, KVM_CAP_X86_USER_SPACE_MSR, 8) == -EINVAL,
	      "KVM_CAP_X86_USER_SPACE_MSR with an unknown reason: EINVAL");
	check(msr_filter(vm, 2, 0, 0, 0, NULL) == -EINVAL &&
	      msr_filter(vm, KVM_MSR_FILTER_DEFAULT_DENY, 0, 0, 0, NULL) == -EINVAL,
	      "KVM_X86_SET_MSR_FILTER: unknown flags, or deny all without a range: EINVAL");
	check(msr_filter(vm, 0, 0, MSR_FS_BASE, 1, bits) == -EINVAL &&
	      msr_filter(vm, 0, KVM_MSR_FILTER_READ, 0, sizeof(bits) * 8 + 1, bits) == -EINVAL &&
	      msr_filter(vm, 0, KVM_MSR_FILTER_READ, 0, 1, NULL) == -EFAULT,
	      "... a range without flags or past its bitmap: EINVAL; a bad bitmap pointer: EFAULT");
}

/*
 * KVM_CAP_X86_USER_SPACE_MSR and KVM_X86_SET_MSR_FILTER (api.rst 7.21,
 * 4.97): an unknown MSR's RDMSR and WRMSR exit to the VMM, which answers the
 * read; FS_BASE, which the CPU would pass through, exits once the filter
 * denies its read, and the VMM's error raises #GP (a triple fault here).
 */
static void check_user_msr(void)
{
	uint8_t deny = 0;
	struct vm vm;
	int ok;

	check(extension(kvm_fd, KVM_CAP_X86_USER_SPACE_MSR) == 1 &&
	      extension(kvm_fd, KVM_CAP_X86_MSR_FILTER) == 1,
	      "KVM_CAP_X86_USER_SPACE_MSR and KVM_CAP_X86_MSR_FILTER: 1");
	if (guest_open(&vm, "user space MSRs", LONG, lm_user_msr))
		return;
	check_msr_filter_errors(&vm);
	ok = !enable_cap(vm.fd, KVM_CAP_X86_USER_SPACE_MSR,
			 KVM_MSR_EXIT_REASON_UNKNOWN | KVM_MSR_EXIT_REASON_FILTER) &&
	     !msr_filter(&vm, 0, KVM_MSR_FILTER_READ, MSR_FS_BASE, 1, &deny);
	check(ok && msr_exit_is(&vm, KVM_EXIT_X86_RDMSR, MSR_UNKNOWN, KVM_MSR_EXIT_REASON_UNKNOWN),
	      "RDMSR of an unknown MSR: KVM_EXIT_X86_RDMSR, reason UNKNOWN");
	vm.run->msr.data = 0x1122334455667788ULL;
	check(run_out(&vm, 4, 0x47, 0x55667788) && run_out(&vm, 4, 0x47, 0x11223344),
	      "... the VMM's data lands in EDX:EAX");
	ok = msr_exit_is(&vm, KVM_EXIT_X86_WRMSR, MSR_UNKNOWN, KVM_MSR_EXIT_REASON_UNKNOWN);
	check(ok && vm.run->msr.data == 0xbb000000aaULL,
	      "WRMSR of it: KVM_EXIT_X86_WRMSR with EDX:EAX (%#llx)",
	      ok ? (unsigned long long)vm.run->msr.data : 0);
	check(msr_exit_is(&vm, KVM_EXIT_X86_RDMSR, MSR_FS_BASE, KVM_MSR_EXIT_REASON_FILTER),
	      "RDMSR of FS_BASE, which the filter denies: reason FILTER");
	vm.run->msr.error = 1;
	check(run_exit(&vm, KVM_EXIT_SHUTDOWN), "... the VMM's error: #GP (a triple fault here)");
	vm_destroy(&vm);
}

/* KVM_GET_MSRS or KVM_SET_MSRS of n SYSENTER_CS entries. */
static int msrs_many(int vcpu, unsigned long req, uint32_t n)
{
	struct kvm_msrs *msrs = msrs_alloc(n);
	int r = -ENOMEM;

	if (!msrs)
		return r;
	for (uint32_t i = 0; i < n; i++)
		msrs->entries[i] = (struct kvm_msr_entry){ .index = MSR_IA32_SYSENTER_CS, .data = 8 };
	r = kvm_ioctl(vcpu, req, (unsigned long)msrs);
	free(msrs);
	return r;
}

/*
 * KVM_SET_MSRS/KVM_GET_MSRS (api.rst 4.18, 4.19): in order until one
 * fails, the count done returned; at most 255 entries (KVM's MAX_IO_MSRS).
 */
static void check_msrs(int vcpu)
{
	uint64_t data = 0x10, got = 0;
	int set, get;

	set = msrs_io(vcpu, KVM_SET_MSRS, MSR_IA32_SYSENTER_CS, &data, 0);
	get = msrs_io(vcpu, KVM_GET_MSRS, MSR_IA32_SYSENTER_CS, &got, 0);
	check(set == 1 && get == 1 && got == 0x10,
	      "KVM_SET_MSRS SYSENTER_CS 0x10, then KVM_GET_MSRS: 1, 0x10");
	data = 0x20;
	got = 0;
	set = msrs_io(vcpu, KVM_SET_MSRS, MSR_IA32_SYSENTER_CS, &data, MSR_UNKNOWN);
	get = msrs_io(vcpu, KVM_GET_MSRS, MSR_IA32_SYSENTER_CS, &got, MSR_UNKNOWN);
	check(set == 1, "KVM_SET_MSRS [SYSENTER_CS, unknown 0x12345]: 1 (stops at the unknown)");
	check(get == 1 && got == 0x20,
	      "KVM_GET_MSRS [SYSENTER_CS, unknown 0x12345]: 1, SYSENTER_CS 0x20");
	check(msrs_many(vcpu, KVM_GET_MSRS, MAX_IO_MSRS) == -E2BIG &&
	      msrs_many(vcpu, KVM_SET_MSRS, MAX_IO_MSRS) == -E2BIG,
	      "KVM_GET_MSRS and KVM_SET_MSRS of 256 entries: -E2BIG");
	check(msrs_many(vcpu, KVM_GET_MSRS, MAX_IO_MSRS - 1) == MAX_IO_MSRS - 1,
	      "KVM_GET_MSRS of 255 entries: 255");
}

/* 1 if KVM_GET_XSAVE's legacy area has KVM_GET_FPU's FCW and XMM registers. */
static int xsave_matches_fpu(int vcpu)
{
	struct kvm_xsave *xsave = calloc(1, sizeof(*xsave));
	uint8_t *area = (uint8_t *)xsave;	/* region[]: the FXSAVE image first */
	struct kvm_fpu fpu;
	int ok;

	ok = xsave && !kvm_ioctl(vcpu, KVM_GET_XSAVE, (unsigned long)xsave) &&
	     !kvm_ioctl(vcpu, KVM_GET_FPU, (unsigned long)&fpu) &&
	     !memcmp(area + FXSAVE_FCW, &fpu.fcw, sizeof(fpu.fcw)) &&
	     !memcmp(area + FXSAVE_XMM, fpu.xmm, sizeof(fpu.xmm));
	free(xsave);
	return ok;
}

/*
 * KVM_SET_XSAVE (api.rst 4.43) of XMM0's first byte 0x5a: KVM_GET_FPU sees
 * it. XSTATE_BV gets FP and SSE: a component whose bit is clear is in its
 * initial state and the bytes of its area are ignored, and kvm_amd's new
 * vCPU has XSTATE_BV 0 (there even KVM_SET_FPU's XMM registers never reach
 * the guest: it reads 0).
 */
static int xsave_sets_xmm(int vcpu)
{
	struct kvm_xsave *xsave = calloc(1, sizeof(*xsave));
	uint8_t *area = (uint8_t *)xsave;
	struct kvm_fpu fpu;
	uint64_t bv;
	int ok;

	ok = xsave && !kvm_ioctl(vcpu, KVM_GET_XSAVE, (unsigned long)xsave);
	if (ok) {
		area[FXSAVE_XMM] = 0x5a;
		memcpy(&bv, area + XSAVE_XSTATE_BV, sizeof(bv));
		bv |= XFEATURE_MASK_FPSSE;
		memcpy(area + XSAVE_XSTATE_BV, &bv, sizeof(bv));
	}
	ok = ok && !kvm_ioctl(vcpu, KVM_SET_XSAVE, (unsigned long)xsave) &&
	     !kvm_ioctl(vcpu, KVM_GET_FPU, (unsigned long)&fpu) && fpu.xmm[0][0] == 0x5a;
	free(xsave);
	return ok;
}

/* Sets CR4.OSFXSR, without which SSE instructions raise #UD. */
static int enable_sse(struct vm *vm)
{
	struct kvm_sregs s;

	if (kvm_ioctl(vm->vcpu, KVM_GET_SREGS, (unsigned long)&s))
		return 0;
	s.cr4 |= CR4_OSFXSR;
	return !kvm_ioctl(vm->vcpu, KVM_SET_SREGS, (unsigned long)&s);
}

/*
 * KVM_GET/SET_FPU (api.rst 4.22, 4.23) and KVM_GET/SET_XSAVE (4.42, 4.43),
 * whose first 512 bytes are the same FXSAVE image. A new vCPU's MXCSR is
 * not compared: kvm_amd's KVM_GET_FPU says 0, its KVM_GET_XSAVE 0x1f80.
 */
static void check_fpu(void)
{
	static const uint8_t xmm0[4] = { 0x78, 0x56, 0x34, 0x12 };
	struct kvm_fpu fpu, back;
	struct vm vm;
	int ok;

	if (guest_open(&vm, "KVM_GET_FPU", REAL, rm_xmm))
		return;
	ok = !kvm_ioctl(vm.vcpu, KVM_GET_FPU, (unsigned long)&fpu);
	check(ok && fpu.fcw == FCW_RESET, "KVM_GET_FPU of a new vCPU: FCW 0x37f");
	check(xsave_matches_fpu(vm.vcpu),
	      "KVM_GET_XSAVE of a new vCPU: the legacy area has KVM_GET_FPU's FCW and XMM registers");
	check(xsave_sets_xmm(vm.vcpu),
	      "KVM_SET_XSAVE of XMM0 byte 0 0x5a (XSTATE_BV FP|SSE): KVM_GET_FPU sees it");
	ok = !kvm_ioctl(vm.vcpu, KVM_GET_FPU, (unsigned long)&fpu);
	fpu.fcw = 0x27f;
	memcpy(fpu.xmm[0], xmm0, sizeof(xmm0));
	ok = ok && !kvm_ioctl(vm.vcpu, KVM_SET_FPU, (unsigned long)&fpu) &&
	     !kvm_ioctl(vm.vcpu, KVM_GET_FPU, (unsigned long)&back);
	check(ok && back.fcw == fpu.fcw && !memcmp(back.xmm, fpu.xmm, sizeof(fpu.xmm)),
	      "KVM_SET_FPU FCW 0x27f, XMM0 0x12345678, then KVM_GET_FPU: the same");
	check(xsave_matches_fpu(vm.vcpu), "KVM_GET_XSAVE then: the legacy area has them too");
	check(enable_sse(&vm) && run_out(&vm, 4, 0x71, 0x12345678),
	      "a guest's MOVD of XMM0 (CR4.OSFXSR): 0x12345678, as KVM_SET_FPU put it");
	vm_destroy(&vm);
}

/* 1 if KVM_GET_DEBUGREGS worked and has DR6 and DR7 as given. */
static int dr67_are(const struct kvm_debugregs *dr, int ok, uint64_t dr6, uint64_t dr7)
{
	if (ok && dr->dr6 == dr6 && dr->dr7 == dr7)
		return 1;
	printf("kvmrun:   got %s, DR6 %#llx, DR7 %#llx\n", ok ? "0" : "an error",
	       (unsigned long long)dr->dr6, (unsigned long long)dr->dr7);
	return 0;
}

/* KVM_GET/SET_DEBUGREGS (api.rst 4.33, 4.34). */
static void check_debugregs(int vcpu)
{
	struct kvm_debugregs dr = { 0 }, back;
	int ok = !kvm_ioctl(vcpu, KVM_GET_DEBUGREGS, (unsigned long)&dr);

	check(dr67_are(&dr, ok, DR6_RESET, DR7_RESET),
	      "KVM_GET_DEBUGREGS of a new vCPU: DR6 0xffff0ff0, DR7 0x400");
	dr.db[0] = 0x1000;
	dr.dr7 = DR7_RESET | DR7_L0;
	ok = ok && !kvm_ioctl(vcpu, KVM_SET_DEBUGREGS, (unsigned long)&dr) &&
	     !kvm_ioctl(vcpu, KVM_GET_DEBUGREGS, (unsigned long)&back);
	check(ok && back.db[0] == 0x1000 && back.dr7 == (DR7_RESET | DR7_L0),
	      "KVM_SET_DEBUGREGS DR0 0x1000, DR7 0x401, then KVM_GET_DEBUGREGS: the same");
	dr.flags = 1;
	check(kvm_ioctl(vcpu, KVM_SET_DEBUGREGS, (unsigned long)&dr) == -EINVAL,
	      "KVM_SET_DEBUGREGS with flags 1: -EINVAL");
	dr.flags = 0;
	dr.dr7 |= 1ull << 32;
	check(kvm_ioctl(vcpu, KVM_SET_DEBUGREGS, (unsigned long)&dr) == -EINVAL,
	      "KVM_SET_DEBUGREGS with DR7 bit 32 set: -EINVAL");
}

/* KVM_GET/SET_MP_STATE (api.rst 4.38, 4.39) without an in-kernel irqchip. */
static void check_mp_state(int vcpu)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_HALTED };

	check(!kvm_ioctl(vcpu, KVM_GET_MP_STATE, (unsigned long)&mp) &&
	      mp.mp_state == KVM_MP_STATE_RUNNABLE,
	      "KVM_GET_MP_STATE of a new vCPU: KVM_MP_STATE_RUNNABLE");
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	check(kvm_ioctl(vcpu, KVM_SET_MP_STATE, (unsigned long)&mp) == 0,
	      "KVM_SET_MP_STATE KVM_MP_STATE_RUNNABLE: 0");
	mp.mp_state = KVM_MP_STATE_HALTED;
	check(kvm_ioctl(vcpu, KVM_SET_MP_STATE, (unsigned long)&mp) == -EINVAL,
	      "KVM_SET_MP_STATE KVM_MP_STATE_HALTED (no in-kernel irqchip): -EINVAL");
}

/* The state ioctls that need no guest run, on a vCPU of their own. */
static void check_vcpu_state(void)
{
	struct vm vm;

	if (vm_create(&vm, "vCPU state"))
		return;
	check_msrs(vm.vcpu);
	check_debugregs(vm.vcpu);
	check_mp_state(vm.vcpu);
	vm_destroy(&vm);
}

/* Nothing pending or being delivered. */
static int events_idle(const struct kvm_vcpu_events *ev)
{
	return !ev->exception.injected && !ev->exception.pending && !ev->interrupt.injected &&
	       !ev->nmi.injected && !ev->nmi.pending;
}

/* KVM_SET_VCPU_EVENTS's refusals (api.rst 4.32), from ev as GET gave it. */
static void check_event_errors(int vcpu, const struct kvm_vcpu_events *ev)
{
	struct kvm_vcpu_events bad = *ev;

	bad.flags = 0;
	bad.exception.injected = 1;
	bad.exception.nr = NMI_VECTOR;
	check(kvm_ioctl(vcpu, KVM_SET_VCPU_EVENTS, (unsigned long)&bad) == -EINVAL,
	      "KVM_SET_VCPU_EVENTS with exception 2 (the NMI) injected: -EINVAL");
	bad.exception.nr = 32;
	check(kvm_ioctl(vcpu, KVM_SET_VCPU_EVENTS, (unsigned long)&bad) == -EINVAL,
	      "KVM_SET_VCPU_EVENTS with exception 32 injected: -EINVAL");
	bad = *ev;
	bad.flags = UNKNOWN_EVENT_FLAG;
	check(kvm_ioctl(vcpu, KVM_SET_VCPU_EVENTS, (unsigned long)&bad) == -EINVAL,
	      "KVM_SET_VCPU_EVENTS with an unknown flag (0x80): -EINVAL");
}

/*
 * KVM_GET/SET_VCPU_EVENTS (api.rst 4.31, 4.32): an NMI made pending is
 * delivered at the next KVM_RUN, in real mode through the IVT's vector 2.
 */
static void check_vcpu_events(void)
{
	const uint32_t valid = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	struct kvm_vcpu_events ev, set, got;
	struct vm vm;
	int ok;

	if (guest_open(&vm, "KVM_GET_VCPU_EVENTS", REAL, rm_spin))
		return;
	ok = !kvm_ioctl(vm.vcpu, KVM_GET_VCPU_EVENTS, (unsigned long)&ev);
	check(ok && (ev.flags & valid) == valid && events_idle(&ev),
	      "KVM_GET_VCPU_EVENTS of a new vCPU: flags VALID_NMI_PENDING, VALID_SHADOW; nothing pending");
	set = ev;
	set.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	set.nmi.pending = 1;
	check(ok && !kvm_ioctl(vm.vcpu, KVM_SET_VCPU_EVENTS, (unsigned long)&set) &&
	      !kvm_ioctl(vm.vcpu, KVM_GET_VCPU_EVENTS, (unsigned long)&got) && got.nmi.pending,
	      "KVM_SET_VCPU_EVENTS nmi.pending 1 (VALID_NMI_PENDING): KVM_GET_VCPU_EVENTS has it pending");
	check(run_out(&vm, 1, EVENT_PORT, NMI_MARKER),
	      "the next KVM_RUN delivers it: the guest's NMI handler (IVT vector 2) runs");
	if (ok)
		check_event_errors(vm.vcpu, &ev);
	vm_destroy(&vm);
}

/* KVM_NMI (api.rst 4.64): the NMI is delivered at the next KVM_RUN. */
static void check_nmi(void)
{
	struct vm vm;

	if (guest_open(&vm, "KVM_NMI", REAL, rm_spin))
		return;
	check(kvm_ioctl(vm.vcpu, KVM_NMI, 0) == 0 && run_out(&vm, 1, EVENT_PORT, NMI_MARKER),
	      "KVM_NMI: 0; the next KVM_RUN runs the guest's NMI handler");
	vm_destroy(&vm);
}

/* 1 if the last exit says an interrupt can be injected now. */
static int ready_for_irq(struct vm *vm)
{
	if (vm->run->if_flag == 1 && vm->run->ready_for_interrupt_injection == 1)
		return 1;
	printf("kvmrun:   got if_flag %u, ready_for_interrupt_injection %u\n", vm->run->if_flag,
	       vm->run->ready_for_interrupt_injection);
	return 0;
}

/* 1 if KVM_GET_VCPU_EVENTS shows no interrupt shadow. */
static int no_shadow(int vcpu)
{
	struct kvm_vcpu_events ev;

	if (!kvm_ioctl(vcpu, KVM_GET_VCPU_EVENTS, (unsigned long)&ev) && !ev.interrupt.shadow)
		return 1;
	printf("kvmrun:   got interrupt.shadow %u\n", ev.interrupt.shadow);
	return 0;
}

/*
 * KVM_INTERRUPT (api.rst 4.16) without an in-kernel irqchip: the vector is
 * injected at the next KVM_RUN, here through the IVT to the guest's handler.
 * After STI; HLT the HLT has completed, so no STI shadow is left.
 */
static void check_interrupt(void)
{
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	struct vm vm;

	if (guest_open(&vm, "KVM_INTERRUPT", REAL, rm_sti_hlt))
		return;
	check(run_exit(&vm, KVM_EXIT_HLT) && ready_for_irq(&vm),
	      "STI; HLT: KVM_EXIT_HLT with if_flag 1, ready_for_interrupt_injection 1");
	check(no_shadow(vm.vcpu), "after that HLT exit: no interrupt shadow (KVM_GET_VCPU_EVENTS)");
	check(!kvm_ioctl(vm.vcpu, KVM_INTERRUPT, (unsigned long)&irq) &&
	      run_out(&vm, 1, EVENT_PORT, IRQ_MARKER),
	      "KVM_INTERRUPT 0x30: 0; the next KVM_RUN runs the guest's handler of vector 0x30");
	irq.irq = 256;
	check(kvm_ioctl(vm.vcpu, KVM_INTERRUPT, (unsigned long)&irq) == -EINVAL,
	      "KVM_INTERRUPT 256: -EINVAL");
	vm_destroy(&vm);
}

/* request_interrupt_window (api.rst 5): an exit as soon as the guest can take one. */
static void check_irq_window(void)
{
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	struct vm vm;

	if (guest_open(&vm, "interrupt window", REAL, rm_sti_spin))
		return;
	vm.run->request_interrupt_window = 1;
	check(run_exit(&vm, KVM_EXIT_IRQ_WINDOW_OPEN) && ready_for_irq(&vm),
	      "request_interrupt_window 1, the guest at STI: KVM_EXIT_IRQ_WINDOW_OPEN, if_flag 1, ready_for_interrupt_injection 1");
	vm.run->request_interrupt_window = 0;
	check(!kvm_ioctl(vm.vcpu, KVM_INTERRUPT, (unsigned long)&irq) &&
	      run_out(&vm, 1, EVENT_PORT, IRQ_MARKER),
	      "KVM_INTERRUPT 0x30 then: the next KVM_RUN runs its handler");
	vm_destroy(&vm);
}

/* KVM_SET_SIGNAL_MASK with len bytes of sigset, sig (if not 0) blocked. */
static int set_vcpu_sigmask(int vcpu, uint32_t len, int sig)
{
	union {
		struct kvm_signal_mask mask;
		uint8_t bytes[sizeof(struct kvm_signal_mask) + KERNEL_SIGSET_SIZE];
	} m = { .mask.len = len };
	uint64_t set = sig ? 1ull << (sig - 1) : 0;

	memcpy(m.mask.sigset, &set, sizeof(set));
	return kvm_ioctl(vcpu, KVM_SET_SIGNAL_MASK, (unsigned long)&m);
}

/*
 * KVM_SET_SIGNAL_MASK (api.rst 4.21): during KVM_RUN the vCPU's mask
 * replaces the thread's. A SIGUSR1 is kept pending, blocked by the thread:
 * a vCPU mask that blocks it too lets the guest spin until SIGALRM; one
 * that does not has KVM_RUN return at once, and the signal stays pending.
 */
static void check_signal_mask(void)
{
	sigset_t usr1, old;
	struct vm vm;
	int r;

	if (guest_open(&vm, "KVM_SET_SIGNAL_MASK", REAL, rm_spin))
		return;
	check(kvm_ioctl(vm.vcpu, KVM_SET_SIGNAL_MASK, 0) == 0, "KVM_SET_SIGNAL_MASK NULL: 0");
	check(set_vcpu_sigmask(vm.vcpu, 4, 0) == -EINVAL,
	      "KVM_SET_SIGNAL_MASK with len 4 (not 8): -EINVAL");
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	usr1_fired = 0;
	raise(SIGUSR1);
	r = set_vcpu_sigmask(vm.vcpu, KERNEL_SIGSET_SIZE, SIGUSR1);
	arm_timer(SIGNAL_AFTER_US);
	r = r ? r : kvm_ioctl(vm.vcpu, KVM_RUN, 0);
	arm_timer(0);
	check(r == -EINTR && alarm_fired && !usr1_fired,
	      "SIGUSR1 pending, blocked by the vCPU's mask: KVM_RUN goes on until SIGALRM (-EINTR)");
	r = set_vcpu_sigmask(vm.vcpu, KERNEL_SIGSET_SIZE, 0);
	r = r ? r : run_vcpu(&vm);
	check(r == -EINTR && vm.run->exit_reason == KVM_EXIT_INTR && !usr1_fired,
	      "a vCPU mask without SIGUSR1: it ends KVM_RUN at once (-EINTR, KVM_EXIT_INTR), still pending after");
	sigprocmask(SIG_SETMASK, &old, NULL);
	kvm_ioctl(vm.vcpu, KVM_SET_SIGNAL_MASK, 0);
	vm_destroy(&vm);
}

/* 1 if KVM_TRANSLATE of linear says valid and, if valid, the same address. */
static int translates(int vcpu, uint64_t linear, uint8_t valid)
{
	struct kvm_translation tr = { .linear_address = linear };
	int r = kvm_ioctl(vcpu, KVM_TRANSLATE, (unsigned long)&tr);

	if (!r && tr.valid == valid && (!valid || tr.physical_address == linear))
		return 1;
	printf("kvmrun:   got %d, valid %u, physical_address %#llx\n", r, tr.valid,
	       (unsigned long long)tr.physical_address);
	return 0;
}

/*
 * KVM_TRANSLATE (api.rst 4.15) walks the guest's page tables: those of the
 * long-mode guests map 0-2 MiB to themselves and nothing else.
 */
static void check_translate(void)
{
	struct vm vm;

	if (guest_open(&vm, "KVM_TRANSLATE", LONG, lm_guest))
		return;
	check(translates(vm.vcpu, 0x1234, 1),
	      "KVM_TRANSLATE 0x1234 (long mode, before a run): valid 1, 0x1234");
	check(translates(vm.vcpu, 0x40001000, 0),
	      "KVM_TRANSLATE 0x40001000 (above 1 GiB, not mapped): valid 0");
	check(run_out(&vm, 1, 0x60, 0x64) && translates(vm.vcpu, 0x1ff000, 1),
	      "KVM_TRANSLATE 0x1ff000 after the guest ran: valid 1, 0x1ff000");
	vm_destroy(&vm);
}

static uint64_t tsc_of(int vcpu)
{
	uint64_t tsc = 0;

	return msrs_io(vcpu, KVM_GET_MSRS, MSR_IA32_TSC, &tsc, 0) == 1 ? tsc : ~0ull;
}

static int64_t clock_of(struct vm *vm)
{
	struct kvm_clock_data d = { 0 };
	int r = kvm_ioctl(vm->fd, KVM_GET_CLOCK, (unsigned long)&d);

	return r ? r : (int64_t)d.clock;
}

static int set_clock(struct vm *vm, uint64_t ns, uint32_t flags)
{
	struct kvm_clock_data d = { .clock = ns, .flags = flags };

	return kvm_ioctl(vm->fd, KVM_SET_CLOCK, (unsigned long)&d);
}

/* The guest's RDTSC, or ~0 (rm_rdtsc's two OUTs). */
/* A TSC the running guest sends with two OUTs (ports 0x50, 0x51), or ~0. */
static uint64_t tsc_out(struct vm *vm)
{
	uint64_t lo, hi;

	if (!run_io(vm, KVM_EXIT_IO_OUT, 4, 0x50))
		return ~0ull;
	lo = io_value(vm);
	if (!run_io(vm, KVM_EXIT_IO_OUT, 4, 0x51))
		return ~0ull;
	hi = io_value(vm);
	return hi << 32 | lo;
}

static uint64_t guest_tsc(struct vm *vm)
{
	uint64_t tsc;

	if (start(vm, REAL, rm_rdtsc, 0, 0))
		return ~0ull;
	tsc = tsc_out(vm);
	return run_exit(vm, KVM_EXIT_HLT) ? tsc : ~0ull;
}

/*
 * The TSC as KVM gives it (kvm_synchronize_tsc()): a new vCPU's starts at
 * 0, a VMM's write sets it, and the guest's RDTSC reads it. (Whether a
 * second vCPU written with 0 keeps the first one's TSC depends on the
 * host's: kvm_amd does so only where the host's TSC is stable, not on a
 * 2-CPU TCG machine, so it is not checked.)
 */
static void check_tsc(void)
{
	uint64_t second, tsc, base = 1ull << 40;
	long khz = 0;
	struct vm vm;

	if (vm_create(&vm, "TSC"))
		return;
	khz = kvm_ioctl(vm.vcpu, KVM_GET_TSC_KHZ, 0);
	second = (uint64_t)khz * 1000;
	check(extension(kvm_fd, KVM_CAP_GET_TSC_KHZ) == 1 && khz > 0 &&
	      kvm_ioctl(vm.vcpu, KVM_SET_TSC_KHZ, khz) == 0,
	      "KVM_GET_TSC_KHZ: the rate (%ld kHz); KVM_SET_TSC_KHZ of it: 0", khz);
	tsc = tsc_of(vm.vcpu);
	check(tsc < 10 * second, "a new vCPU's IA32_TSC starts at 0 (%llu after)",
	      (unsigned long long)tsc);
	tsc = base;
	check(msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_IA32_TSC, &tsc, 0) == 1 &&
	      tsc_of(vm.vcpu) - base < 10 * second,
	      "KVM_SET_MSRS of IA32_TSC 2^40: KVM_GET_MSRS reads on from there");
	tsc = guest_tsc(&vm);
	check(tsc - base < 10 * second, "the guest's RDTSC reads on from 2^40 too (%#llx)",
	      (unsigned long long)tsc);
	vm_destroy(&vm);
}

static int tsc_attr(int vcpu, unsigned long req, uint32_t group, uint64_t attr, uint64_t *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uintptr_t)val };

	return kvm_ioctl(vcpu, req, (unsigned long)&a);
}

static inline uint64_t host_rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * KVM_VCPU_TSC_OFFSET (devices/vcpu.rst, a vCPU attribute of group
 * KVM_VCPU_TSC_CTRL): the offset of the vCPU's TSC from the host's, which
 * is this kernel's TSC; the guest's RDTSC reads the host's plus it.
 */
static void check_tsc_offset(void)
{
	uint64_t off = 1ull << 40, got = 0, start_tsc, end_tsc, tsc;
	struct vm vm;

	if (vm_create(&vm, "TSC offset"))
		return;
	check(extension(kvm_fd, KVM_CAP_VCPU_ATTRIBUTES) == 1 &&
	      tsc_attr(vm.vcpu, KVM_HAS_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, NULL) == 0,
	      "KVM_CAP_VCPU_ATTRIBUTES: 1; KVM_HAS_DEVICE_ATTR of KVM_VCPU_TSC_OFFSET: 0");
	check(tsc_attr(vm.vcpu, KVM_HAS_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, 1, NULL) == -ENXIO &&
	      tsc_attr(vm.vcpu, KVM_HAS_DEVICE_ATTR, 1, KVM_VCPU_TSC_OFFSET, NULL) == -ENXIO,
	      "... of another attribute or group: ENXIO");
	check(!tsc_attr(vm.vcpu, KVM_SET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, &off) &&
	      !tsc_attr(vm.vcpu, KVM_GET_DEVICE_ATTR, KVM_VCPU_TSC_CTRL, KVM_VCPU_TSC_OFFSET, &got) &&
	      got == off, "KVM_SET_DEVICE_ATTR of an offset of 2^40: KVM_GET_DEVICE_ATTR reads it (%#llx)",
	      (unsigned long long)got);
	start_tsc = host_rdtsc() + off;
	tsc = guest_tsc(&vm);
	end_tsc = host_rdtsc() + off;
	check(tsc >= start_tsc && tsc <= end_tsc,
	      "the guest's RDTSC is the host's plus it (%#llx in [%#llx, %#llx])",
	      (unsigned long long)tsc, (unsigned long long)start_tsc, (unsigned long long)end_tsc);
	vm_destroy(&vm);
}

/* What the guest computes from its struct pvclock_vcpu_time_info at its TSC @tsc. */
static uint64_t pvclock_read(const uint8_t *p, uint64_t tsc)
{
	uint64_t stamp, system_time, delta;
	uint32_t mul;
	int8_t shift;

	memcpy(&stamp, p + 8, 8);
	memcpy(&system_time, p + 16, 8);
	memcpy(&mul, p + 24, 4);
	memcpy(&shift, p + 28, 1);
	delta = tsc - stamp;
	delta = shift < 0 ? delta >> -shift : delta << shift;
	return system_time + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

#define PVCLOCK_FLAGS 29		/* struct pvclock_vcpu_time_info's flags */
#define PVCLOCK_GUEST_STOPPED 2

/* A KVM_SET_CLOCK rewrites @page at the next entry: its flags then. */
static int pvclock_flags_after_entry(struct vm *vm, const uint8_t *page)
{
	if (set_clock(vm, 0, 0) || start(vm, REAL, rm_wrmsr, MSR_KVM_WALL_CLOCK_NEW, DATA2_GPA + 0x100) ||
	    !run_exit(vm, KVM_EXIT_HLT))
		return -1;
	return page[PVCLOCK_FLAGS];
}

/*
 * KVM_KVMCLOCK_CTRL (api.rst 4.65) with the guest's kvmclock on at @page:
 * the next entry sets PVCLOCK_GUEST_STOPPED, which then stays until the
 * guest clears it (KVM's kvm_setup_guest_pvclock()).
 */
static void check_kvmclock_ctrl(struct vm *vm, uint8_t *page)
{
	int flags;

	check(extension(kvm_fd, KVM_CAP_KVMCLOCK_CTRL) == 1, "KVM_CAP_KVMCLOCK_CTRL offered");
	flags = kvm_ioctl(vm->vcpu, KVM_KVMCLOCK_CTRL, 0) ? -1 : pvclock_flags_after_entry(vm, page);
	check(flags >= 0 && (flags & PVCLOCK_GUEST_STOPPED),
	      "KVM_KVMCLOCK_CTRL: the page says PVCLOCK_GUEST_STOPPED after the next entry (%#x)", flags);
	flags = pvclock_flags_after_entry(vm, page);
	check(flags >= 0 && (flags & PVCLOCK_GUEST_STOPPED),
	      "... and keeps it at the next rewrite (%#x)", flags);
	page[PVCLOCK_FLAGS] &= ~PVCLOCK_GUEST_STOPPED;
	flags = pvclock_flags_after_entry(vm, page);
	check(flags >= 0 && !(flags & PVCLOCK_GUEST_STOPPED),
	      "... until the guest clears it (%#x)", flags);
}

/* This thread's wait to run so far (ns): the second field of its schedstat. */
static uint64_t run_delay(void)
{
	unsigned long long run = 0, wait = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");

	if (f && fscanf(f, "%llu %llu", &run, &wait) != 2)
		wait = 0;
	if (f)
		fclose(f);
	return wait;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000 + (uint64_t)t.tv_nsec;
}

/*
 * MSR_KVM_STEAL_TIME (msr.rst): its reserved bits 1-5 are refused; once on,
 * the guest's record is brought up to its VMM thread's run_delay before an
 * entry (KVM's record_steal_time()), with an even version. Under Keel's
 * scheduler a vCPU queued on another CPU also counts its waits there
 * (docs/scheduler.md), which this VM had only since it was made.
 */
static void check_steal_time(void)
{
	uint64_t v = DATA2_GPA | 2, steal, t0 = monotonic_ns();
	uint32_t version;
	uint8_t *st;
	struct vm vm;
	int ok;

	if (vm_create(&vm, "steal time"))
		return;
	st = vm.ram + DATA2_GPA + 0x200;
	check(msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_KVM_STEAL_TIME, &v, 0) == 0,
	      "KVM_SET_MSRS of MSR_KVM_STEAL_TIME with reserved bit 1: not set");
	ok = !start(&vm, REAL, rm_wrmsr, MSR_KVM_STEAL_TIME, (DATA2_GPA + 0x200) | 1) &&
	     run_exit(&vm, KVM_EXIT_HLT) && !start(&vm, REAL, rm_hlt, 0, 0) &&
	     run_exit(&vm, KVM_EXIT_HLT);
	memcpy(&steal, st, 8);
	memcpy(&version, st + 8, 4);
	check(ok && version && !(version & 1) && st[16] == 0 &&
	      steal <= run_delay() + (monotonic_ns() - t0),
	      "the guest turns it on at 0x7200: after the next entry, an even version (%u), "
	      "preempted 0, steal %llu ns <= the thread's run_delay and the time since", version,
	      (unsigned long long)steal);
	v = 0;
	ok = msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_KVM_STEAL_TIME, &v, 0) == 1;
	check(ok && v == ((DATA2_GPA + 0x200) | 1), "KVM_GET_MSRS reads it back (%#llx)",
	      (unsigned long long)v);
	vm_destroy(&vm);
}

/*
 * KVM_GET/SET_CLOCK (api.rst 4.79, 4.80) and kvmclock (msr.rst): the page
 * MSR_KVM_SYSTEM_TIME_NEW names tells the guest the VM's clock; the one
 * MSR_KVM_WALL_CLOCK_NEW names, the real time at kvmclock 0.
 */
static void check_kvmclock(void)
{
	uint8_t *page;
	int64_t c0, c1, ns;
	uint32_t version, sec;
	struct vm vm;

	check(extension(kvm_fd, KVM_CAP_ADJUST_CLOCK) == CLOCK_FLAGS,
	      "KVM_CAP_ADJUST_CLOCK: TSC_STABLE | REALTIME | HOST_TSC");
	if (vm_create(&vm, "kvmclock"))
		return;
	c0 = clock_of(&vm);
	c1 = clock_of(&vm);
	check(c0 >= 0 && c1 >= c0, "KVM_GET_CLOCK: it runs (%lld, %lld)", (long long)c0,
	      (long long)c1);
	ns = 1000 * NSEC_PER_SEC;
	c0 = set_clock(&vm, ns, 0) ? -1 : clock_of(&vm);
	check(c0 >= ns && c0 - ns < (int64_t)NSEC_PER_SEC,
	      "KVM_SET_CLOCK of 1000 s: KVM_GET_CLOCK reads on from there (%lld)", (long long)c0);
	check(set_clock(&vm, ns, 1u << 7) == -EINVAL, "KVM_SET_CLOCK with an unknown flag: EINVAL");
	page = vm.ram + DATA2_GPA;
	memset(page, 0, PAGE_SIZE);
	check(kvm_ioctl(vm.vcpu, KVM_KVMCLOCK_CTRL, 0) == -EINVAL,
	      "KVM_KVMCLOCK_CTRL before the guest turns kvmclock on: EINVAL");
	check(!start(&vm, REAL, rm_wrmsr, MSR_KVM_SYSTEM_TIME_NEW, DATA2_GPA | 1) &&
	      run_exit(&vm, KVM_EXIT_HLT),
	      "the guest writes MSR_KVM_SYSTEM_TIME_NEW (0x7000, enabled)");
	memcpy(&version, page, 4);
	c0 = clock_of(&vm);
	ns = (int64_t)pvclock_read(page, tsc_of(vm.vcpu));
	c1 = clock_of(&vm);
	check(version && !(version & 1) && ns >= c0 - 1000000 && ns <= c1 + 1000000,
	      "its page: an even version, and the time it gives the guest is KVM_GET_CLOCK's "
	      "(%lld in [%lld, %lld])", (long long)ns, (long long)c0, (long long)c1);
	check(!start(&vm, REAL, rm_wrmsr, MSR_KVM_WALL_CLOCK_NEW, DATA2_GPA + 0x100) &&
	      run_exit(&vm, KVM_EXIT_HLT),
	      "the guest writes MSR_KVM_WALL_CLOCK_NEW (0x7100)");
	memcpy(&version, page + 0x100, 4);
	memcpy(&sec, page + 0x104, 4);
	c0 = (int64_t)time(NULL) - clock_of(&vm) / (int64_t)NSEC_PER_SEC;
	check(version && !(version & 1) && sec >= c0 - 2 && sec <= c0 + 2,
	      "its page: the real time at kvmclock 0 (%u s, want %lld)", sec, (long long)c0);
	check_kvmclock_ctrl(&vm, page);
	vm_destroy(&vm);
}

/* ---------------------------------------------------------------- split irqchip */

static int signal_msi(struct vm *vm, uint32_t data)
{
	struct kvm_msi m = { .address_lo = MSI_ADDRESS, .data = data };

	return kvm_ioctl(vm->fd, KVM_SIGNAL_MSI, (unsigned long)&m);
}

static int route_msi(struct vm *vm, uint32_t gsi, uint32_t data)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[1];
	} t = {
		.r = { .nr = 1 },
		.e = { { .gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
			 .u.msi = { .address_lo = MSI_ADDRESS, .data = data } } },
	};

	return kvm_ioctl(vm->fd, KVM_SET_GSI_ROUTING, (unsigned long)&t);
}

static int irq_line(struct vm *vm, uint32_t gsi, uint32_t level, int *status)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };
	int r = kvm_ioctl(vm->fd, KVM_IRQ_LINE_STATUS, (unsigned long)&l);

	*status = l.status;
	return r;
}

static int mp_state(int vcpu)
{
	struct kvm_mp_state mp = { 0 };
	int r = kvm_ioctl(vcpu, KVM_GET_MP_STATE, (unsigned long)&mp);

	return r ? r : (int)mp.mp_state;
}

static uint32_t lapic_reg(const struct kvm_lapic_state *s, unsigned int off)
{
	uint32_t v;

	memcpy(&v, s->regs + off, 4);
	return v;
}

static void set_lapic_reg(struct kvm_lapic_state *s, unsigned int off, uint32_t v)
{
	memcpy(s->regs + off, &v, 4);
}

/* What a thread does LATER_US after it starts, while the vCPU waits in KVM_RUN. */
struct later {
	struct vm *vm;
	int efd;		/* >= 0: write it (an irqfd); else KVM_SIGNAL_MSI */
	int result;
};

static void *act_later(void *arg)
{
	struct later *l = arg;
	uint64_t one = 1;

	usleep(LATER_US);
	if (l->efd >= 0)
		l->result = write(l->efd, &one, sizeof(one)) == sizeof(one) ? 0 : -errno;
	else
		l->result = signal_msi(l->vm, IRQ_VECTOR);
	return NULL;
}

/* The guest at STI; HLT waits in KVM_RUN until the thread's interrupt runs its handler. */
static int woken_by(struct vm *vm, int efd, int *result)
{
	struct later l = { .vm = vm, .efd = efd };
	pthread_t t;
	int ok;

	if (start(vm, REAL, rm_sti_hlt, 0, 0) || pthread_create(&t, NULL, act_later, &l))
		return 0;
	ok = run_out(vm, 1, EVENT_PORT, IRQ_MARKER);
	pthread_join(t, NULL);
	*result = l.result;
	return ok;
}

/* Without KVM_CAP_SPLIT_IRQCHIP (or KVM_CREATE_IRQCHIP) none of it is there, as KVM says. */
static void check_no_irqchip(void)
{
	struct kvm_lapic_state s;
	struct vm vm;
	int status;

	if (vm_create(&vm, "no irqchip"))
		return;
	check(irq_line(&vm, 0, 1, &status) == -ENXIO && route_msi(&vm, 0, IRQ_VECTOR) == -EINVAL &&
	      signal_msi(&vm, IRQ_VECTOR) == -EINVAL &&
	      kvm_ioctl(vm.vcpu, KVM_GET_LAPIC, (unsigned long)&s) == -EINVAL,
	      "no in-kernel irqchip: KVM_IRQ_LINE ENXIO, KVM_SET_GSI_ROUTING, KVM_SIGNAL_MSI and "
	      "KVM_GET_LAPIC EINVAL");
	check(enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, IOAPIC_PINS) == -EEXIST,
	      "KVM_CAP_SPLIT_IRQCHIP once a vCPU exists: EEXIST");
	vm_destroy(&vm);
}

/* A split VM's LAPICs: IDs, version, what KVM_SET_LAPIC sets, mp_state of the BSP and an AP. */
static int check_lapic_state(struct vm *vm, int ap, struct kvm_lapic_state *s)
{
	struct kvm_lapic_state ap_s, back;

	check(mp_state(vm->vcpu) == KVM_MP_STATE_RUNNABLE &&
	      mp_state(ap) == KVM_MP_STATE_UNINITIALIZED,
	      "split irqchip: the BSP is RUNNABLE, an AP UNINITIALIZED (it waits for INIT)");
	if (kvm_ioctl(vm->vcpu, KVM_GET_LAPIC, (unsigned long)s) ||
	    kvm_ioctl(ap, KVM_GET_LAPIC, (unsigned long)&ap_s))
		return -1;
	check(lapic_reg(s, APIC_REG_ID) == 0 && lapic_reg(&ap_s, APIC_REG_ID) == 1u << 24 &&
	      (lapic_reg(s, APIC_REG_VER) & 0xff) == 0x14 && lapic_reg(s, APIC_REG_SVR) == 0xff,
	      "KVM_GET_LAPIC: IDs 0 and 1 in bits 31:24, version 0x14, SVR 0xff (disabled)");
	set_lapic_reg(s, APIC_REG_SVR, 0x1ff);
	check(!kvm_ioctl(vm->vcpu, KVM_SET_LAPIC, (unsigned long)s) &&
	      !kvm_ioctl(vm->vcpu, KVM_GET_LAPIC, (unsigned long)&back) &&
	      lapic_reg(&back, APIC_REG_SVR) == 0x1ff,
	      "KVM_SET_LAPIC with SVR 0x1ff: KVM_GET_LAPIC reads it back (the APIC is enabled)");
	return 0;
}

/*
 * With the LAPIC in the kernel CR8 is its TPR's bits 7:4 (SDM Vol. 3A
 * 11.8.6.1, KVM's kvm_set_cr8()): a MOV to CR8 shows in KVM_GET_LAPIC and
 * KVM_GET_SREGS, a KVM_SET_LAPIC in the guest's CR8. (A value over 15 is #GP
 * under Keel, as on a real CPU; kvm_amd leaves the write to QEMU's TCG, which
 * drops the high bits, so it is not checked here.)
 */
static void check_cr8(void)
{
	struct kvm_lapic_state s;
	struct kvm_sregs sr;
	struct vm vm;
	int ok;

	if (vm_create_with(&vm, "CR8", 1))
		return;
	if (start(&vm, LONG, lm_cr8, 0, 0)) {
		vm_destroy(&vm);
		return;
	}
	ok = run_out(&vm, 4, 0x46, 5) && !kvm_ioctl(vm.vcpu, KVM_GET_LAPIC, (unsigned long)&s) &&
	     !kvm_ioctl(vm.vcpu, KVM_GET_SREGS, (unsigned long)&sr);
	check(ok && lapic_reg(&s, APIC_REG_TPR) == 0x50 && sr.cr8 == 5,
	      "MOV to CR8 from R9: CR8 reads 5, the LAPIC's TPR %#x (0x50), KVM_GET_SREGS cr8 %llu",
	      ok ? lapic_reg(&s, APIC_REG_TPR) : 0, ok ? (unsigned long long)sr.cr8 : 0);
	set_lapic_reg(&s, APIC_REG_TPR, 0x3c);
	check(!kvm_ioctl(vm.vcpu, KVM_SET_LAPIC, (unsigned long)&s) && run_out(&vm, 4, 0x46, 3),
	      "KVM_SET_LAPIC with TPR 0x3c: the guest's CR8 reads 3");
	vm_destroy(&vm);
}

#define CPUID1_ECX_XSAVE (1u << 26)
#define CPUID1_ECX_OSXSAVE (1u << 27)
#define CPUID1_ECX_AVX (1u << 28)

/* KVM_GET_SUPPORTED_CPUID's whole table, or NULL. */
static struct kvm_cpuid2 *supported_cpuid(void)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(MAX_CPUID_ENTRIES);

	if (cpuid && kvm_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)cpuid)) {
		free(cpuid);
		return NULL;
	}
	return cpuid;
}

/*
 * KVM_SET_XSAVE of the vCPU's own image with the byte at off set to val
 * (and XSTATE_BV's AVX bit where with_avx): the ioctl's result.
 */
static int xsave_poke(int vcpu, unsigned int off, uint32_t val, int with_avx)
{
	struct kvm_xsave *xs = calloc(1, sizeof(*xs));
	uint8_t *area = (uint8_t *)xs;
	uint64_t bv;
	int r = xs ? kvm_ioctl(vcpu, KVM_GET_XSAVE, (unsigned long)xs) : -ENOMEM;

	if (!r) {
		memcpy(area + off, &val, sizeof(val));
		memcpy(&bv, area + XSAVE_XSTATE_BV, sizeof(bv));
		bv |= with_avx ? 7 : 0;
		memcpy(area + XSAVE_XSTATE_BV, &bv, sizeof(bv));
		r = kvm_ioctl(vcpu, KVM_SET_XSAVE, (unsigned long)xs);
	}
	free(xs);
	return r;
}

/* KVM_GET_XSAVE's dword at off, ~0 if it fails. */
static uint32_t xsave_peek(int vcpu, unsigned int off)
{
	struct kvm_xsave *xs = calloc(1, sizeof(*xs));
	uint32_t val = ~0u;

	if (xs && !kvm_ioctl(vcpu, KVM_GET_XSAVE, (unsigned long)xs))
		memcpy(&val, (uint8_t *)xs + off, sizeof(val));
	free(xs);
	return val;
}

/* XCR0 as KVM_GET_XCRS reports it (one entry, XCR 0), ~0 otherwise. */
static uint64_t get_xcr0(int vcpu)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	if (kvm_ioctl(vcpu, KVM_GET_XCRS, (unsigned long)&x) || x.nr_xcrs != 1 || x.xcrs[0].xcr)
		return ~0ull;
	return x.xcrs[0].value;
}

static int set_xcr0(int vcpu, uint64_t value)
{
	struct kvm_xcrs x;

	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].value = value;
	return kvm_ioctl(vcpu, KVM_SET_XCRS, (unsigned long)&x);
}

/* The guest of check_xsave() from its start, each result as expected. */
static void run_xsave_guest(struct vm *vm)
{
	check(!start(vm, LONG, lm_xsave, 0, 0) && run_io(vm, KVM_EXIT_IO_OUT, 4, XSAVE_PORT) &&
	      (io_value(vm) & CPUID1_ECX_OSXSAVE),
	      "the guest sets CR4.OSXSAVE: its CPUID leaf 1 has OSXSAVE");
	check(run_out(vm, 4, XSAVE_PORT, 7), "XGETBV reads XCR0 7, as KVM_SET_XCRS set it");
	check(run_out(vm, 4, XSAVE_PORT, 832), "CPUID 0xD.0 EBX then: 832, the size XCR0 7 needs");
	check(run_out(vm, 4, XSAVE_PORT, 0xfeedf00d),
	      "VEXTRACTF128 of YMM0's upper half: what KVM_SET_XSAVE put there");
	check(get_xcr0(vm->vcpu) == 7 && xsave_peek(vm->vcpu, XSAVE_YMM_HI) == 0xfeedf00d,
	      "after the run: KVM_GET_XCRS reads XCR0 7, KVM_GET_XSAVE YMM0's upper half");
}

/*
 * After the XSAVE guest ran: KVM_GET_CPUID2 shows leaf 1's OSXSAVE as CR4
 * has it and leaf 0xD.0's EBX as XCR0 7 makes it (KVM's
 * kvm_update_cpuid_runtime()); KVM_SET_CPUID2 then takes that table again
 * but not one with a leaf changed (api.rst 4.20, kvm_cpuid_check_equal()).
 */
static void check_cpuid_after_run(int vcpu, uint32_t nent)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(nent);
	struct kvm_cpuid_entry2 *leaf1 = NULL, *leafd = NULL;

	if (cpuid && !kvm_ioctl(vcpu, KVM_GET_CPUID2, (unsigned long)cpuid)) {
		leaf1 = cpuid_find(cpuid, nent, 1);
		leafd = cpuid_find(cpuid, nent, 0xd);
	}
	check(leaf1 && leafd && (leaf1->ecx & CPUID1_ECX_OSXSAVE) && leafd->ebx == 832,
	      "KVM_GET_CPUID2 after the run: leaf 1 has OSXSAVE, leaf 0xD EBX 832");
	check(leaf1 && !kvm_ioctl(vcpu, KVM_SET_CPUID2, (unsigned long)cpuid),
	      "KVM_SET_CPUID2 of that table after the run: 0");
	if (leaf1)
		leaf1->ecx ^= CPUID1_ECX_AVX;
	check(leaf1 && kvm_ioctl(vcpu, KVM_SET_CPUID2, (unsigned long)cpuid) == -EINVAL,
	      "KVM_SET_CPUID2 after the run with leaf 1's AVX changed: -EINVAL");
	free(cpuid);
}

/*
 * XSAVE state (SDM Vol. 1 13) with all of KVM_GET_SUPPORTED_CPUID set:
 * XCR0 and YMM registers through KVM_GET/SET_XCRS (api.rst 4.45, 4.46) and
 * KVM_GET/SET_XSAVE, as the guest's own instructions see them; the header
 * and XCR0 values XRSTOR and XSETBV would fault on are refused. The guest
 * does not XSETBV: QEMU 7.2's SVM lets it through its intercept, so
 * kvm_amd there never learns the guest's XCR0 and puts its own back.
 */
static void check_xsave(void)
{
	struct kvm_cpuid2 *cpuid = supported_cpuid();
	struct kvm_cpuid_entry2 *leaf1 = cpuid ? cpuid_find(cpuid, cpuid->nent, 1) : NULL;
	struct vm vm;

	if (!leaf1 || (leaf1->ecx & (CPUID1_ECX_XSAVE | CPUID1_ECX_AVX)) !=
		      (CPUID1_ECX_XSAVE | CPUID1_ECX_AVX)) {
		check(0, "KVM_GET_SUPPORTED_CPUID offers XSAVE and AVX (QEMU's -cpu max has them)");
		free(cpuid);
		return;
	}
	check(!(leaf1->ecx & CPUID1_ECX_OSXSAVE) &&
	      kvm_ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) == 1,
	      "KVM_GET_SUPPORTED_CPUID leaf 1: no OSXSAVE (CR4's); KVM_CAP_XCRS 1");
	if (!vm_create(&vm, "XSAVE")) {
		check(!kvm_ioctl(vm.vcpu, KVM_SET_CPUID2, (unsigned long)cpuid) &&
		      get_xcr0(vm.vcpu) == 1, "KVM_GET_XCRS of a new vCPU: XCR0 1 (x87)");
		check(xsave_poke(vm.vcpu, XSAVE_YMM_HI, 0xfeedf00d, 1) == 0,
		      "KVM_SET_XSAVE of YMM0's upper half, XSTATE_BV x87|SSE|AVX: 0");
		check(set_xcr0(vm.vcpu, 7) == 0, "KVM_SET_XCRS of x87|SSE|AVX: 0");
		run_xsave_guest(&vm);
		check_cpuid_after_run(vm.vcpu, cpuid->nent);
		check(set_xcr0(vm.vcpu, 5) == -EINVAL, "KVM_SET_XCRS of AVX without SSE: -EINVAL");
		check(set_xcr0(vm.vcpu, 3) == 0 && get_xcr0(vm.vcpu) == 3,
		      "KVM_SET_XCRS of 3: KVM_GET_XCRS reads it");
		check(xsave_poke(vm.vcpu, XSAVE_XCOMP_BV + 4, 0x80000000, 0) == -EINVAL,
		      "KVM_SET_XSAVE with XCOMP_BV bit 63 (the compacted form): -EINVAL");
		check(xsave_poke(vm.vcpu, XSAVE_XSTATE_BV, 0x100, 0) == -EINVAL,
		      "KVM_SET_XSAVE with XSTATE_BV bit 8 (PT, a supervisor state): -EINVAL");
		vm_destroy(&vm);
	}
	free(cpuid);
}

/* Interrupts into a guest halted in KVM_RUN: KVM_SIGNAL_MSI, an irqfd, KVM_IRQ_LINE_STATUS. */
static void check_split_wakeups(struct vm *vm, const struct kvm_lapic_state *s)
{
	int efd = eventfd(0, EFD_CLOEXEC), result = -1, status = -1;
	struct kvm_irqfd irqfd = { .fd = (uint32_t)efd, .gsi = 10 };

	check(woken_by(vm, -1, &result) && result == 1,
	      "STI; HLT waits in KVM_RUN; a KVM_SIGNAL_MSI from another thread (1: delivered) "
	      "runs the handler");
	kvm_ioctl(vm->vcpu, KVM_SET_LAPIC, (unsigned long)s);	/* its ISR clear again */
	check(route_msi(vm, 10, IRQ_VECTOR) == 0 &&
	      kvm_ioctl(vm->fd, KVM_IRQFD, (unsigned long)&irqfd) == 0 &&
	      woken_by(vm, efd, &result) && result == 0,
	      "GSI 10 routed to an MSI, an irqfd on it: a write to the eventfd runs the handler");
	irqfd.flags = KVM_IRQFD_FLAG_DEASSIGN;
	check(kvm_ioctl(vm->fd, KVM_IRQFD, (unsigned long)&irqfd) == 0,
	      "KVM_IRQFD deassign: 0");
	kvm_ioctl(vm->vcpu, KVM_SET_LAPIC, (unsigned long)s);
	check(!start(vm, REAL, rm_sti_hlt, 0, 0) && irq_line(vm, 10, 1, &status) == 0 &&
	      status == 1 && run_out(vm, 1, EVENT_PORT, IRQ_MARKER),
	      "KVM_IRQ_LINE_STATUS of GSI 10: status 1, and the handler runs");
	close(efd);
}

/*
 * An in-kernel LAPIC in TSC-deadline mode (SDM Vol. 3A 11.5.4.1): CPUID
 * says it has the mode (KVM's timer_mode_mask follows it), the APIC is
 * enabled and LVTT holds IRQ_VECTOR in that mode.
 */
static int tsc_deadline_mode(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid = cpuid_alloc(1);
	struct kvm_lapic_state s;
	int r = -ENOMEM;

	if (!cpuid)
		return r;
	cpuid->entries[0] = (struct kvm_cpuid_entry2){ .function = 1, .ecx = 1u << 24 };
	r = kvm_ioctl(vm->vcpu, KVM_SET_CPUID2, (unsigned long)cpuid);
	free(cpuid);
	if (r || (r = kvm_ioctl(vm->vcpu, KVM_GET_LAPIC, (unsigned long)&s)))
		return r;
	set_lapic_reg(&s, APIC_REG_SVR, 0x1ff);
	set_lapic_reg(&s, APIC_REG_LVTT, IRQ_VECTOR | 2u << 17);
	return kvm_ioctl(vm->vcpu, KVM_SET_LAPIC, (unsigned long)&s);
}

/*
 * KVM_CAP_TSC_DEADLINE_TIMER: IA32_TSC_DEADLINE counts in the guest's TSC,
 * here 2^50 (KVM_SET_MSRS of IA32_TSC), far from the host's. A deadline the
 * VMM sets reads back as set; one the guest arms 20 ms ahead runs the
 * handler at a guest TSC no sooner, and then reads 0.
 */
static void check_tsc_deadline(void)
{
	uint64_t tsc = 1ull << 50, d, khz, at;
	struct vm vm;
	int ok;

	check(extension(kvm_fd, KVM_CAP_TSC_DEADLINE_TIMER) == 1, "KVM_CAP_TSC_DEADLINE_TIMER: 1");
	if (vm_create_with(&vm, "TSC deadline", 2))
		return;
	khz = (uint64_t)kvm_ioctl(vm.vcpu, KVM_GET_TSC_KHZ, 0);
	d = tsc + 3600 * 1000 * khz;
	check(!tsc_deadline_mode(&vm) && msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_IA32_TSC, &tsc, 0) == 1 &&
	      msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_TSC_DEADLINE, &d, 0) == 1 &&
	      msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_TSC_DEADLINE, &d, 0) == 1 &&
	      d == tsc + 3600 * 1000 * khz,
	      "TSC-deadline mode, IA32_TSC 2^50, IA32_TSC_DEADLINE an hour on: it reads back (%#llx)",
	      (unsigned long long)d);
	d = 0;
	msrs_io(vm.vcpu, KVM_SET_MSRS, MSR_TSC_DEADLINE, &d, 0);
	set_ivt(vm.ram, IRQ_VECTOR, rm_tsc_handler);
	d = start(&vm, REAL, rm_tsc_deadline, 0, 20 * khz) ? ~0ull : tsc_out(&vm);
	at = tsc_out(&vm);
	check(d != ~0ull && at != ~0ull && at >= d, "the guest arms it 20 ms ahead (%#llx) and "
	      "halts: its handler runs at TSC %#llx, no sooner", (unsigned long long)d,
	      (unsigned long long)at);
	d = 1;
	ok = msrs_io(vm.vcpu, KVM_GET_MSRS, MSR_TSC_DEADLINE, &d, 0) == 1;
	check(ok && d == 0, "then IA32_TSC_DEADLINE reads 0 (%#llx)", (unsigned long long)d);
	vm_destroy(&vm);
}

/* KVM_CAP_SPLIT_IRQCHIP (api.rst 7.23): the LAPIC in the kernel, the rest in the VMM. */
static void check_split_irqchip(void)
{
	struct kvm_lapic_state s;
	struct vm vm;
	int ap;

	check(extension(kvm_fd, KVM_CAP_SPLIT_IRQCHIP) == 1 && extension(kvm_fd, KVM_CAP_IRQFD) == 1 &&
	      extension(kvm_fd, KVM_CAP_SIGNAL_MSI) == 1 &&
	      extension(kvm_fd, KVM_CAP_IRQ_ROUTING) >= IOAPIC_PINS,
	      "KVM_CAP_SPLIT_IRQCHIP, _IRQFD, _SIGNAL_MSI: 1; KVM_CAP_IRQ_ROUTING: room for 24 pins");
	check_no_irqchip();
	if (vm_create_with(&vm, "split irqchip", 1))
		return;
	check(enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, 4097) == -EINVAL &&
	      enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, IOAPIC_PINS) == -EEXIST,
	      "KVM_CAP_SPLIT_IRQCHIP with 4097 pins: EINVAL; again: EEXIST");
	ap = kvm_ioctl(vm.fd, KVM_CREATE_VCPU, 1);
	if (ap >= 0 && !check_lapic_state(&vm, ap, &s))
		check_split_wakeups(&vm, &s);
	if (ap >= 0)
		close(ap);
	vm_destroy(&vm);
}

/* ---------------------------------------------------------------- the full irqchip */

static int get_chip(struct vm *vm, uint32_t id, struct kvm_irqchip *c)
{
	memset(c, 0, sizeof(*c));
	c->chip_id = id;
	return kvm_ioctl(vm->fd, KVM_GET_IRQCHIP, (unsigned long)c);
}

/* The PIC master at vector 0x30 (IRQ_VECTOR), only the lines in @unmasked let through. */
static int set_pic(struct vm *vm, uint8_t unmasked)
{
	struct kvm_irqchip c;

	if (get_chip(vm, KVM_IRQCHIP_PIC_MASTER, &c))
		return -1;
	c.chip.pic.irq_base = IRQ_VECTOR;
	c.chip.pic.imr = (uint8_t)~unmasked;
	c.chip.pic.isr = 0;
	c.chip.pic.init_state = 0;
	return kvm_ioctl(vm->fd, KVM_SET_IRQCHIP, (unsigned long)&c);
}

/* I/O APIC pin @pin: vector IRQ_VECTOR, fixed, physical destination 0, edge, unmasked. */
static int set_ioapic_pin(struct vm *vm, unsigned int pin)
{
	struct kvm_irqchip c;

	if (get_chip(vm, KVM_IRQCHIP_IOAPIC, &c))
		return -1;
	c.chip.ioapic.redirtbl[pin].bits = IRQ_VECTOR;
	return kvm_ioctl(vm->fd, KVM_SET_IRQCHIP, (unsigned long)&c);
}

/* KVM_CREATE_IRQCHIP's chips as they start: KVM's reset values. */
static void check_irqchip_reset(struct vm *vm)
{
	struct kvm_irqchip m, s, io;
	int masked = 1;

	check(!get_chip(vm, KVM_IRQCHIP_PIC_MASTER, &m) && !get_chip(vm, KVM_IRQCHIP_PIC_SLAVE, &s) &&
	      m.chip.pic.elcr_mask == 0xf8 && s.chip.pic.elcr_mask == 0xde,
	      "KVM_GET_IRQCHIP of both PICs: ELCR masks 0xf8 and 0xde, as the PIIX has them");
	if (get_chip(vm, KVM_IRQCHIP_IOAPIC, &io))
		masked = 0;
	for (int i = 0; masked && i < KVM_IOAPIC_NUM_PINS; i++)
		masked = io.chip.ioapic.redirtbl[i].fields.mask;
	check(masked && io.chip.ioapic.base_address == 0xfec00000,
	      "KVM_GET_IRQCHIP of the I/O APIC: at 0xfec00000, its 24 pins masked");
	io.chip_id = 3;
	check(kvm_ioctl(vm->fd, KVM_GET_IRQCHIP, (unsigned long)&io) == -EINVAL,
	      "KVM_GET_IRQCHIP of chip 3: EINVAL");
}

/* Interrupts from the PIC (ExtINT through the BSP's LINT0) and from the I/O APIC. */
static void check_irqchip_lines(struct vm *vm)
{
	struct kvm_interrupt irq = { .irq = IRQ_VECTOR };
	struct kvm_lapic_state s;
	struct kvm_irqchip m;
	int status = -1;

	check(kvm_ioctl(vm->vcpu, KVM_INTERRUPT, (unsigned long)&irq) == -ENXIO,
	      "KVM_INTERRUPT with the PIC in the kernel: ENXIO");
	set_ivt(vm->ram, IRQ_VECTOR + 1, rm_irq_handler);
	check(!set_pic(vm, 1u << 1) && !start(vm, REAL, rm_sti_hlt, 0, 0) &&
	      irq_line(vm, 1, 1, &status) == 0 && irq_line(vm, 1, 0, &status) == 0 &&
	      run_out(vm, 1, EVENT_PORT, IRQ_MARKER),
	      "the PIC at 0x30, GSI 1 pulsed: the guest halted in KVM_RUN takes 0x31's handler");
	check(!get_chip(vm, KVM_IRQCHIP_PIC_MASTER, &m) && m.chip.pic.isr == 1u << 1,
	      "KVM_GET_IRQCHIP: IRQ 1 in service at the PIC (no EOI yet)");
	check(!kvm_ioctl(vm->vcpu, KVM_GET_LAPIC, (unsigned long)&s) &&
	      (set_lapic_reg(&s, APIC_REG_SVR, 0x1ff), !kvm_ioctl(vm->vcpu, KVM_SET_LAPIC,
								 (unsigned long)&s)) &&
	      !set_pic(vm, 0) && !set_ioapic_pin(vm, 5) && !start(vm, REAL, rm_sti_hlt, 0, 0) &&
	      irq_line(vm, 5, 1, &status) == 0 && irq_line(vm, 5, 0, &status) == 0 &&
	      run_out(vm, 1, EVENT_PORT, IRQ_MARKER),
	      "I/O APIC pin 5 at 0x30, GSI 5 pulsed: the handler runs");
}

/* KVM_CREATE_PIT2: the guest's own PIT ticks wake it from HLT through the PIC. */
static void check_pit(struct vm *vm)
{
	struct kvm_pit_config config = { .flags = 0 };
	struct kvm_reinject_control rc = { .pit_reinject = 1 };
	struct kvm_pit_state2 ps;

	check(kvm_ioctl(vm->fd, KVM_CREATE_PIT2, (unsigned long)&config) == 0 &&
	      kvm_ioctl(vm->fd, KVM_CREATE_PIT2, (unsigned long)&config) == -EEXIST,
	      "KVM_CREATE_PIT2: 0, again EEXIST");
	check(kvm_ioctl(vm->fd, KVM_REINJECT_CONTROL, (unsigned long)&rc) == 0 &&
	      kvm_ioctl(vm->fd, KVM_GET_PIT2, (unsigned long)&ps) == 0,
	      "KVM_REINJECT_CONTROL and KVM_GET_PIT2: 0");
	check(!set_pic(vm, 1u << 0) && !start(vm, REAL, rm_pit, 0, 0) &&
	      run_out(vm, 1, EVENT_PORT, IRQ_MARKER) &&
	      !kvm_ioctl(vm->fd, KVM_GET_PIT2, (unsigned long)&ps) && ps.channels[0].mode == 2 &&
	      ps.channels[0].count == 1193,
	      "the guest sets the PIT's channel 0 (mode 2, 1 ms) and halts: its tick runs the "
	      "handler of IRQ 0 (0x30); KVM_GET_PIT2 shows mode 2, count 1193");
}

struct ap_run {
	struct vm ap;		/* the VM's second vCPU as a struct vm, for start() and run_out() */
	int ok;
};

/* Not run_vcpu(): its timer is the process's, which vCPU 0's KVM_RUN holds meanwhile. */
static void *run_ap_later(void *arg)
{
	struct ap_run *a = arg;

	usleep(LATER_US);
	a->ok = kvm_ioctl(a->ap.vcpu, KVM_RUN, 0) == 0 && a->ap.run->exit_reason == KVM_EXIT_IO &&
		a->ap.run->io.port == EVENT_PORT && io_value(&a->ap) == PIT_AP_MARKER;
	return NULL;
}

/* vCPU 1 as a struct vm beside @vm, runnable (an AP starts waiting for a SIPI), about to run @label. */
static int ap_open(struct vm *vm, struct vm *ap, const uint8_t *label)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	*ap = *vm;
	ap->run = NULL;
	ap->vcpu = kvm_ioctl(vm->fd, KVM_CREATE_VCPU, 1);
	if (ap->vcpu < 0)
		return -1;
	ap->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, ap->vcpu, 0);
	if (ap->run == MAP_FAILED) {
		ap->run = NULL;
		return -1;
	}
	if (kvm_ioctl(ap->vcpu, KVM_SET_MP_STATE, (unsigned long)&mp))
		return -1;
	return start(ap, REAL, label, 0, 0);
}

/*
 * vCPU 0 halts with no timer armed; vCPU 1 then programs the PIT, whose
 * IRQ 0 goes to vCPU 0 (LINT0 ExtINT): the tick must wake it.
 */
static void check_pit_from_ap(void)
{
	struct kvm_pit_config config = { .flags = 0 };
	struct ap_run a = { .ap = { .fd = -1, .vcpu = -1 } };
	struct vm vm;
	pthread_t t;
	int ok;

	if (vm_create_with(&vm, "PIT from vCPU 1", 2))
		return;
	ok = !kvm_ioctl(vm.fd, KVM_CREATE_PIT2, (unsigned long)&config) && !set_pic(&vm, 1u << 0) &&
	     !ap_open(&vm, &a.ap, rm_pit_ap) && !start(&vm, REAL, rm_sti_hlt, 0, 0) &&
	     !pthread_create(&t, NULL, run_ap_later, &a);
	if (ok) {
		ok = run_out(&vm, 1, EVENT_PORT, IRQ_MARKER);
		pthread_join(t, NULL);
	}
	check(ok && a.ok, "vCPU 1 programs the PIT while vCPU 0 halts: IRQ 0 wakes vCPU 0");
	if (a.ap.run)
		munmap(a.ap.run, mmap_size);
	if (a.ap.vcpu >= 0)
		close(a.ap.vcpu);
	vm_destroy(&vm);
}

/* KVM_CREATE_IRQCHIP (api.rst 4.24): the PIC pair, the I/O APIC and the LAPICs in the kernel. */
static void check_irqchip(void)
{
	struct vm vm;
	int r;

	check(extension(kvm_fd, KVM_CAP_IRQCHIP) == 1 && extension(kvm_fd, KVM_CAP_PIT2) == 1 &&
	      extension(kvm_fd, KVM_CAP_PIT_STATE2) == 1,
	      "KVM_CAP_IRQCHIP, _PIT2, _PIT_STATE2: 1");
	vm = (struct vm){ .fd = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0), .vcpu = -1 };
	r = vm.fd >= 0 ? kvm_ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0) : vm.fd;
	check(r == 0 && kvm_ioctl(vm.fd, KVM_CREATE_IRQCHIP, 0) == -EEXIST &&
	      enable_cap(vm.fd, KVM_CAP_SPLIT_IRQCHIP, IOAPIC_PINS) == -EEXIST,
	      "KVM_CREATE_IRQCHIP: 0; again, or the split one after it: EEXIST");
	if (vm.fd >= 0)
		close(vm.fd);
	if (vm_create_with(&vm, "irqchip", 2))
		return;
	check_irqchip_reset(&vm);
	check_irqchip_lines(&vm);
	check_pit(&vm);
	vm_destroy(&vm);
	check_pit_from_ap();
}

/* A stats fd (KVM_GET_STATS_FD) with its header and descriptors read. */
struct stats {
	int fd;
	struct kvm_stats_header h;
	char *desc;
};

static int stats_open(int fd, struct stats *st)
{
	size_t len;

	st->desc = NULL;
	st->fd = kvm_ioctl(fd, KVM_GET_STATS_FD, 0);
	if (st->fd < 0)
		return -1;
	if (pread(st->fd, &st->h, sizeof(st->h), 0) == sizeof(st->h)) {
		len = st->h.num_desc * (sizeof(struct kvm_stats_desc) + st->h.name_size);
		st->desc = malloc(len ? len : 1);
		if (st->desc && pread(st->fd, st->desc, len, st->h.desc_offset) == (ssize_t)len)
			return 0;
	}
	free(st->desc);
	st->desc = NULL;
	close(st->fd);
	return -1;
}

static void stats_close(struct stats *st)
{
	free(st->desc);
	close(st->fd);
}

/* The counter called name, read alone with pread; -1 if there is none or it is not one u64. */
static int64_t stat_get(const struct stats *st, const char *name)
{
	size_t size = sizeof(struct kvm_stats_desc) + st->h.name_size;
	uint64_t v;

	for (uint32_t i = 0; i < st->h.num_desc; i++) {
		const struct kvm_stats_desc *d = (const void *)(st->desc + i * size);

		if (strncmp(d->name, name, st->h.name_size))
			continue;
		if (d->size != 1 || pread(st->fd, &v, sizeof(v), st->h.data_offset + d->offset) != 8)
			return -1;
		return (int64_t)v;
	}
	return -1;
}

/* The id string says whose counters these are: "kvm-PID", and "/vcpu-N" for a vCPU's. */
static int stats_id_is(const struct stats *st, const char *want)
{
	char id[256] = "";

	if (st->h.name_size >= sizeof(id))
		return 0;
	return pread(st->fd, id, st->h.name_size, st->h.id_offset) == (ssize_t)st->h.name_size &&
	       !strcmp(id, want);
}

static const char *const vcpu_stat_names[] = {
	"exits", "io_exits", "halt_exits", "irq_window_exits", "nmi_window_exits", "irq_exits",
	"hypercalls", "irq_injections", "nmi_injections", "mmio_exits", "signal_exits",
	"request_irq_exits",
};

static int has_vcpu_stats(const struct stats *st)
{
	for (size_t i = 0; i < sizeof(vcpu_stat_names) / sizeof(vcpu_stat_names[0]); i++)
		if (stat_get(st, vcpu_stat_names[i]) < 0)
			return 0;
	return 1;
}

/* Where the data block ends: each descriptor's size counts u64s (KVM's histograms have many). */
static size_t stats_len(const struct stats *st)
{
	size_t size = sizeof(struct kvm_stats_desc) + st->h.name_size, len = st->h.data_offset;

	for (uint32_t i = 0; i < st->h.num_desc; i++)
		len += ((const struct kvm_stats_desc *)(st->desc + i * size))->size * sizeof(uint64_t);
	return len;
}

/*
 * read() in 7-byte pieces from the start (the fd's own offset) until it
 * gives 0: all of the file, ending at the data block's end at the earliest,
 * and the same bytes one pread gives.
 */
static int stats_read_whole(const struct stats *st)
{
	size_t len = stats_len(st), got = 0, max = len + 65536;
	char *a = malloc(len), *b = malloc(max);
	ssize_t r = 1;
	int ok = 0;

	if (a && b && pread(st->fd, a, len, 0) == (ssize_t)len) {
		while (got + 7 <= max && (r = read(st->fd, b + got, 7)) > 0)
			got += (size_t)r;
		ok = r == 0 && got >= len && !memcmp(a, b, len);
	}
	free(a);
	free(b);
	return ok;
}

/*
 * A GDT with the flat 64-bit code segment at 8 (the selector flat_segments()
 * gives CS) and an IDT whose IRQ_VECTOR gate leads to lm_irq_handler.
 */
static int long_mode_idt(struct vm *vm)
{
	static const uint64_t gdt[3] = { 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL };
	uint64_t handler = guest_ip(LONG, lm_irq_handler);
	uint64_t gate[2] = {
		(handler & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
		((handler >> 16 & 0xffff) << 48),
		handler >> 32,
	};
	struct kvm_sregs s;

	memcpy(vm->ram + TABLES_GPA, gdt, sizeof(gdt));
	memcpy(vm->ram + TABLES_GPA + 0x100 + IRQ_VECTOR * 16, gate, sizeof(gate));
	if (kvm_ioctl(vm->vcpu, KVM_GET_SREGS, (unsigned long)&s))
		return -1;
	s.gdt = (struct kvm_dtable){ .base = TABLES_GPA, .limit = sizeof(gdt) - 1 };
	s.idt = (struct kvm_dtable){ .base = TABLES_GPA + 0x100, .limit = IRQ_VECTOR * 16 + 15 };
	return kvm_ioctl(vm->vcpu, KVM_SET_SREGS, (unsigned long)&s);
}

/* SVR's software enable (SDM Vol. 3A 11.4.7.2) through KVM_SET_LAPIC. */
static int lapic_enable(struct vm *vm)
{
	struct kvm_lapic_state s;

	if (kvm_ioctl(vm->vcpu, KVM_GET_LAPIC, (unsigned long)&s))
		return -1;
	set_lapic_reg(&s, APIC_REG_SVR, 0x1ff);
	return kvm_ioctl(vm->vcpu, KVM_SET_LAPIC, (unsigned long)&s);
}

/* The vCPU's "exits" counter (KVM_GET_STATS_FD), -1 if unread. */
static int64_t vcpu_exits(struct vm *vm)
{
	struct stats st;
	int64_t n = -1;

	if (!stats_open(vm->vcpu, &st)) {
		n = stat_get(&st, "exits");
		stats_close(&st);
	}
	return n;
}

/*
 * CR8 writes that matter and those that do not: an interrupt the TPR holds
 * back is taken as soon as the guest lowers CR8 (the write exits, or on
 * VMX the TPR falls below its threshold), while 1000 writes with nothing
 * pending take (almost) no exits, as KVM's update_cr8_intercept() arranges.
 */
static void check_cr8_irq(void)
{
	struct vm vm;
	int64_t before;

	if (vm_create_with(&vm, "CR8 and interrupts", 1))
		return;
	if (lapic_enable(&vm) || start(&vm, LONG, lm_cr8_irq, 0, 0) || long_mode_idt(&vm)) {
		check(0, "a long-mode guest with an IDT and its LAPIC enabled");
		vm_destroy(&vm);
		return;
	}
	check(run_out(&vm, 1, CR8_PORT, 15) && signal_msi(&vm, IRQ_VECTOR) == 1 &&
	      run_out(&vm, 1, EVENT_PORT, IRQ_MARKER),
	      "an MSI held back by CR8 15 runs its handler as soon as the guest lowers CR8 to 0");
	before = vcpu_exits(&vm);
	check(before >= 0 && !start(&vm, LONG, lm_cr8_loop, 0, 0) && run_out(&vm, 1, CR8_PORT, 0) &&
	      vcpu_exits(&vm) - before < 100,
	      "1000 MOVs to CR8 with nothing pending: fewer than 100 exits");
	vm_destroy(&vm);
}

/*
 * KVM_GET_STATS_FD (api.rst 4.133): the vCPU's counters, named as Linux
 * KVM names them, count exactly the exits the guest made: three OUTs and a
 * HLT. An MMIO read adds one mmio_exit.
 */
static void check_stats(void)
{
	char id[64];
	struct stats vs, ms;
	struct vm vm;
	int64_t io, halt, exits, mmio;
	int ok;

	check(extension(kvm_fd, KVM_CAP_BINARY_STATS_FD) > 0, "KVM_CAP_BINARY_STATS_FD offered");
	if (guest_open(&vm, "stats", REAL, rm_out))
		return;
	if (stats_open(vm.vcpu, &vs)) {
		check(0, "KVM_GET_STATS_FD on a vCPU fd");
		vm_destroy(&vm);
		return;
	}
	snprintf(id, sizeof(id), "kvm-%d/vcpu-0", (int)getpid());
	check(stats_id_is(&vs, id) && vs.h.desc_offset >= sizeof(vs.h) &&
	      vs.h.data_offset >= vs.h.desc_offset + vs.h.num_desc *
	      (sizeof(struct kvm_stats_desc) + vs.h.name_size),
	      "vCPU stats fd: id %s, descriptors after the header, data after them", id);
	check(has_vcpu_stats(&vs), "vCPU stats: exits, io_exits, halt_exits, mmio_exits ... as KVM's");
	io = stat_get(&vs, "io_exits");
	halt = stat_get(&vs, "halt_exits");
	exits = stat_get(&vs, "exits");
	mmio = stat_get(&vs, "mmio_exits");
	check(run_out(&vm, 1, 0x10, 0x12) && run_out(&vm, 2, 0x11, 0x3456) &&
	      run_out(&vm, 4, 0x12, 0x789abcde) && run_exit(&vm, KVM_EXIT_HLT),
	      "stats: the guest makes three OUTs and a HLT");
	check(stat_get(&vs, "io_exits") == io + 3 && stat_get(&vs, "halt_exits") == halt + 1,
	      "stats: io_exits grew by 3 (%lld), halt_exits by 1 (%lld)",
	      (long long)(stat_get(&vs, "io_exits") - io),
	      (long long)(stat_get(&vs, "halt_exits") - halt));
	check(stat_get(&vs, "exits") >= exits + 4 && stat_get(&vs, "mmio_exits") == mmio,
	      "stats: exits grew by 4 or more, mmio_exits not at all");
	check(!start(&vm, REAL, rm_mmio_read, 0, 0) && run_exit(&vm, KVM_EXIT_MMIO) &&
	      stat_get(&vs, "mmio_exits") == mmio + 1, "stats: an MMIO read: mmio_exits grew by 1");
	check(stats_read_whole(&vs), "stats: read() in pieces to the end gives what pread gives");
	snprintf(id, sizeof(id), "kvm-%d", (int)getpid());
	ok = !stats_open(vm.fd, &ms);
	check(ok && stats_id_is(&ms, id) && stat_get(&ms, "remote_tlb_flush") >= 0,
	      "KVM_GET_STATS_FD on the VM fd: id %s, remote_tlb_flush", id);
	if (ok)
		stats_close(&ms);
	io = stat_get(&vs, "io_exits");
	vm_destroy(&vm);
	check(io > 0 && stat_get(&vs, "io_exits") == io,
	      "stats: the vCPU's fd still reads its counters once the VM and vCPU fds are closed");
	stats_close(&vs);
}

static void check_all(void)
{
	check_system();
	check_supported_cpuid();
	check_msr_index_list();
	check_msr_features();
	check_ucode_rev();
	check_vm_extensions();
	check_vm_setup();
	check_sync_regs();
	check_platform_info();
	check_pv_cpuid();
	check_enable_cap();
	check_memslots();
	check_vcpus();
	check_vcpu_state();
	check_cpuid2();
	check_fpu();
	check_out();
	check_in();
	check_outsb();
	check_insb();
	check_hlt();
	check_hypercall(REAL, rm_vmmcall, rm_vmcall);
	check_hypercall(LONG, lm_vmmcall, lm_vmcall);
	check_foreign_hypercall();
	check_quirk_off();
	check_mwait();
	check_user_msr();
	check_mmio();
	check_ioeventfd();
	check_coalesced();
	check_tsc();
	check_tsc_offset();
	check_kvmclock();
	check_steal_time();
	check_readonly();
	check_memslot_guest();
	check_dirty_log();
	check_dirty_log_many();
	check_clear_dirty_log();
	check_protected_mode();
	check_long_mode();
	check_translate();
	check_shutdown();
	check_vcpu_events();
	check_nmi();
	check_interrupt();
	check_irq_window();
	check_split_irqchip();
	check_cr8();
	check_cr8_irq();
	check_xsave();
	check_tsc_deadline();
	check_irqchip();
	check_immediate_exit();
	check_immediate_exit_completes();
	check_signal();
	check_signal_mask();
	check_shared_memory();
	check_fork();
	check_vm_fd_closed();
	check_stats();
	check_vm_cycles();
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct sigaction usr1 = { .sa_handler = on_usr1 };
	int keeper;

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &usr1, NULL);
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	check(kvm_fd >= 0, "open /dev/kvm");
	if (kvm_fd >= 0) {
		/*
		 * A VM held open throughout, so that kvm.ko does not turn
		 * virtualization on and off on every CPU (by IPI) for each
		 * VM made and closed while none other lives: QEMU's TCG
		 * with 2 CPUs hangs in that now and then (bare runs).
		 */
		keeper = kvm_ioctl(kvm_fd, KVM_CREATE_VM, 0);
		check_all();
		if (keeper >= 0)
			close(keeper);
		close(kvm_fd);
	}
	printf("kvmrun: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
