// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall dispatch: numbers in and out of range, CPL, VM kinds,
 * KEEL_HC_GET_INFO's arguments, the VMs the control guest manages by
 * handle (kernel/managed_vm.c, linked in; vm_create and vm_destroy are
 * test doubles that count live VMs), and the administrator's list of VMs
 * (kernel/vm_list.c, linked in) and log.
 */
#include <stdarg.h>
#include <stdlib.h>
#include "kernel/errno.h"
#include "kernel/hypercall.h"
#include "kernel/managed_vm.h"
#include "kernel/memslot.h"
#include "kernel/percpu.h"
#include "kernel/vm.h"
#include "kernel/vm_list.h"
#include "keel/hypercall.h"
#include "test.h"

/* Guest RAM behind vm_write_phys's test double: guest-physical [RAM_BASE, RAM_BASE + 8 KiB). */
#define RAM_BASE 0x10000ULL
#define HUGE_RAM 0x200000ULL
static _Alignas(4096) u8 ram[8192];
static unsigned int nr_writes;

int vm_write_phys(struct vm *vm, u64 gpa, const void *src, size_t len)
{
	nr_writes++;
	if (gpa < RAM_BASE || gpa - RAM_BASE > sizeof(ram) || len > sizeof(ram) - (gpa - RAM_BASE))
		return -EFAULT;
	memcpy(ram + (gpa - RAM_BASE), src, len);
	return 0;
}

void hv_info_fill(struct keel_hv_info *info)
{
	memcpy(info->version, "test", 5);
	info->nr_cpus = 3;
	info->vendor = KEEL_VENDOR_AMD;
	info->virt = KEEL_VIRT_SVM;
	info->tsc_khz = 2500000;
	info->reserved_bytes = 48ULL << 20;
	info->reserved_free_bytes = 40ULL << 20;
	info->guest_free_bytes = 900ULL << 20;
	info->uptime_ns = 123456789;
	info->heap_used_bytes = 65536;
}

/* The zones' tables (kernel/iobus.c, linked in) come from the host's heap, counted. */
static int live_allocs;

void *kmalloc(size_t size)
{
	live_allocs++;
	return malloc(size);
}

void kfree(void *p)
{
	live_allocs -= !!p;
	free(p);
}

/* No vCPU runs here: a change's wait for the exits returns at once, counted. */
static unsigned int exit_waits;

void vm_wait_exits(struct vm *vm)
{
	exit_waits++;
}

static int live_vms, fail_create;

struct vm *vm_create(const char *name, u64 mem_size, unsigned int nr_vcpus)
{
	struct vm *vm;

	if (fail_create)
		return NULL;
	vm = calloc(1, sizeof(*vm));
	snprintf(vm->name, sizeof(vm->name), "%s", name);
	live_vms++;
	coalesced_init(&vm->coalesced);
	vm_list_add(vm);
	return vm;
}

void vm_destroy(struct vm *vm)
{
	vm_list_del(vm);
	coalesced_destroy(&vm->coalesced);
	live_vms--;
	free(vm);
}

/* The CPU logs writes (VMX's PML) when a test says so; VMs created then log theirs. */
static bool logs_writes;

bool arch_logs_writes(void)
{
	return logs_writes;
}

u64 memslots_bytes(struct vm *vm)
{
	return 0x100000;
}

void arch_vcpu_stats(const struct vcpu *v, u64 *s)
{
	for (unsigned int i = 0; i < KEEL_NR_VCPU_STATS; i++)
		s[i] = v->id * 100 + i;
}

u64 arch_ticks_to_ns(u64 ticks)
{
	return ticks;
}

/* Two CPUs, 0 and 2, are online (percpu[] says so from the first test on). */
struct percpu percpu[MAX_CPUS];

bool sched_mask_online(const u64 *mask)
{
	return mask[0] & (BIT(0) | BIT(2));
}

int sched_cpu_stats(u64 cpu, u64 *stats)
{
	if (cpu != 0 && cpu != 2)
		return -EINVAL;
	for (unsigned int i = 0; i < KEEL_NR_CPU_STATS; i++)
		stats[i] = cpu * 10 + i;
	return 0;
}

bool vcpu_claim(struct vcpu *v, enum vcpu_state to)
{
	if (v->state != VCPU_IDLE)
		return false;
	v->state = to;
	return true;
}

void vcpu_unclaim(struct vcpu *v)
{
	v->state = VCPU_IDLE;
}

void arch_vcpu_dump(struct vcpu *v, struct keel_regs *regs, struct keel_sregs *sregs)
{
	CHECK_EQ(v->state, VCPU_FROZEN);	/* held still while it is read */
	regs->rip = 0x1234;
	sregs->cr0 = 0x10;
}

/* Keel's log double: "0123456789" repeated, the first 100 bytes overwritten. */
size_t log_read(u64 *seq, char *buf, size_t n)
{
	size_t count = 0;

	if (*seq < 100)
		*seq = 100;
	while (count < n && *seq < 1000) {
		buf[count++] = (char)('0' + *seq % 10);
		(*seq)++;
	}
	return count;
}

void printk(int level, const char *fmt, ...)
{
}

/* Doubles of what the VM calls reach: they record their arguments. */
static struct keel_memslot last_slot;
static u64 last_gpa, last_frame, last_size, last_id, last_op;
static bool last_write, last_clean;
static struct vm *last_vm;

int memslots_create(struct vm *vm)
{
	return 0;
}

void arch_vm_init_vmm(struct vm *vm)
{
}

int memslot_set(struct vm *vm, const struct keel_memslot *m)
{
	last_vm = vm;
	last_slot = *m;
	return 0;
}

int memslot_map(struct vm *vm, u64 gpa, u64 frame, u64 size, u64 prot)
{
	last_size = size;
	last_vm = vm;
	last_gpa = gpa;
	last_frame = frame;
	last_write = prot & PT_W;
	return 0;
}

int memslot_unmap(struct vm *vm, u64 gpa, u64 size)
{
	last_gpa = gpa;
	last_size = size;
	last_clean = false;
	return 0;
}

int memslot_clean(struct vm *vm, u64 gpa, u64 size)
{
	last_gpa = gpa;
	last_size = size;
	last_clean = true;
	return 0;
}

s64 memslot_dirty_fetch(struct vm *vm, u64 slot, u64 word, struct vm *to, u64 buf)
{
	last_vm = to;
	last_id = slot;
	last_op = word;
	last_gpa = buf;
	return 7;
}

/* The caller's RAM is ram[]: its "host" address is where the test keeps it. */
void *gpa_to_hva(struct vm *vm, u64 gpa, size_t len)
{
	if (gpa < RAM_BASE || gpa - RAM_BASE >= sizeof(ram) || len > sizeof(ram) - (gpa - RAM_BASE))
		return NULL;
	return ram + (gpa - RAM_BASE);
}

void *gpa_to_hva_access(struct vm *vm, u64 gpa, size_t len, bool write)
{
	return gpa_to_hva(vm, gpa, len);
}

u64 gpa_range_to_hpa(struct vm *vm, u64 gpa, u64 size)
{
	if (gpa == HUGE_RAM)
		return 0x40000000;	/* a 2 MiB frame of the caller's, 1:1 */
	return (u64)(uintptr_t)gpa_to_hva(vm, gpa, size);
}

int vm_read_phys(struct vm *vm, u64 gpa, void *dst, size_t len)
{
	void *src = gpa_to_hva(vm, gpa, len);

	if (!src)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int managed_vcpu_create(struct vm *vm, u64 id, u64 run_frame, u64 how, struct vm *caller_vm)
{
	last_vm = vm;
	last_id = id;
	last_frame = run_frame;
	return 0;
}

static u64 last_vector;

int managed_vcpu_run(struct vm *vm, u64 id, struct vcpu *caller, u64 how, u64 vector)
{
	last_id = id;
	last_vector = vector;
	return 0;
}

int managed_vcpu_kick(struct vm *vm, u64 id)
{
	last_id = id;
	return 0;
}

void managed_vcpu_stop_all(struct vm *vm)
{
}

int managed_vcpu_state(struct vm *vm, u64 id, u64 op, u64 mask)
{
	last_id = id;
	last_op = op;
	return 0;
}

int managed_vcpu_msrs(struct vm *vm, u64 id, u64 gpa, u64 arg, struct vm *caller_vm)
{
	last_id = id;
	return 0;
}

int managed_vcpu_cpuid(struct vm *vm, u64 id, u64 gpa, u64 arg, struct vm *caller_vm)
{
	last_id = id;
	return 0;
}

s64 managed_vcpu_translate(struct vm *vm, u64 id, u64 gva)
{
	return (s64)gva;
}

int managed_vcpu_clock_stopped(struct vm *vm, u64 id)
{
	last_id = id;
	return 0;
}

int managed_vcpu_tsc_offset(struct vm *vm, u64 id, bool set, u64 val, struct vm *caller_vm)
{
	last_id = id;
	last_write = set;
	last_gpa = val;
	last_vm = caller_vm;
	return 0;
}

s64 managed_stats(struct vm *vm, u64 id, u64 gpa, u64 n, struct vm *caller_vm)
{
	last_id = id;
	last_gpa = gpa;
	last_size = n;
	last_vm = caller_vm;
	return KEEL_NR_VCPU_STATS;
}

int managed_enable_cap(struct vm *vm, u64 cap, u64 id, u64 val)
{
	last_op = cap;
	last_id = id;
	return (int)val;
}

s64 arch_vm_clock(struct vm *vm, u64 op, u64 ns, u64 wall_ns)
{
	last_op = op;
	return op == KEEL_CLOCK_GET ? 12345 : (s64)(ns + wall_ns == 3 ? 0 : -1);
}

int arch_vm_msr_filter(struct vm *vm, u64 gpa, struct vm *caller_vm)
{
	last_gpa = gpa;
	last_vm = caller_vm;
	return 0;
}

s64 arch_vm_irqchip(struct vm *vm, u64 op, u64 a, u64 b, struct vm *caller)
{
	last_op = op;
	return 0;
}

u32 arch_vmm_msr_list(u32 *out, u32 max)
{
	for (u32 i = 0; i < 3 && i < max; i++)
		out[i] = 0x170 + i;
	return 3;
}

static struct vm boot_vm = { .name = "boot", .kind = VM_KIND_BOOT };
static struct vm control_vm = { .name = "control", .kind = VM_KIND_CONTROL };

static s64 call(struct vm *vm, unsigned int cpl, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	struct hypercall hc = { .vm = vm, .cpl = cpl, .nr = nr, .arg = { a0, a1, a2, a3 } };

	return hypercall_dispatch(&hc);
}

static s64 get_info(u64 gpa, u64 size)
{
	return call(&control_vm, 0, KEEL_HC_GET_INFO, gpa, size, 0, 0);
}

TEST(version_from_every_kind)
{
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_VERSION, 0, 0, 0, 0), KEEL_ABI_VERSION);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VERSION, 0, 0, 0, 0), KEEL_ABI_VERSION);
	/* Its arguments are ignored: a caller of any ABI version can ask. */
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_VERSION, ~0ULL, 1, 2, 3), KEEL_ABI_VERSION);
}

TEST(unknown_numbers)
{
	static const u64 nrs[] = { KEEL_NR_HYPERCALLS, KEEL_NR_HYPERCALLS + 1, 0xff, 0x1000,
				   0xffffffffULL, 0x100000000ULL, 0x100000001ULL,
				   0x8000000000000000ULL, ~0ULL };

	for (unsigned int i = 0; i < ARRAY_SIZE(nrs); i++) {
		CHECK_EQ(call(&boot_vm, 0, nrs[i], 0, 0, 0, 0), -ENOSYS);
		CHECK_EQ(call(&control_vm, 0, nrs[i], 0, 0, 0, 0), -ENOSYS);
	}
	/* 0x100000000 is not KEEL_HC_VERSION: the dispatch sees all 64 bits (exit.c truncates). */
	CHECK_EQ(call(&control_vm, 0, 0x100000000ULL + KEEL_HC_GET_INFO, RAM_BASE, 4096, 0, 0), -ENOSYS);
}

/* CPL is checked before the number: user space learns nothing, not even which calls exist. */
TEST(cpl_above_0_refused)
{
	for (unsigned int cpl = 1; cpl <= 3; cpl++) {
		for (u64 nr = 0; nr <= KEEL_NR_HYPERCALLS; nr++) {
			CHECK_EQ(call(&boot_vm, cpl, nr, 0, 0, 0, 0), -EPERM);
			CHECK_EQ(call(&control_vm, cpl, nr, RAM_BASE, 4096, 0, 0), -EPERM);
		}
	}
	nr_writes = 0;
	CHECK_EQ(call(&control_vm, 3, KEEL_HC_GET_INFO, RAM_BASE, 4096, 0, 0), -EPERM);
	CHECK_EQ(nr_writes, 0);
}

TEST(management_calls_are_the_control_guests)
{
	struct vm odd = { .name = "odd", .kind = NR_VM_KINDS };

	nr_writes = 0;
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_GET_INFO, RAM_BASE, 4096, 0, 0), -EPERM);
	CHECK_EQ(nr_writes, 0);
	CHECK_EQ(call(&odd, 0, KEEL_HC_VERSION, 0, 0, 0, 0), -EPERM);
	CHECK_EQ(call(&odd, 0, KEEL_HC_GET_INFO, RAM_BASE, 4096, 0, 0), -EPERM);
}

TEST(get_info_arguments)
{
	nr_writes = 0;
	CHECK_EQ(get_info(RAM_BASE, 0), -E2BIG);
	CHECK_EQ(get_info(RAM_BASE, sizeof(struct keel_hv_info) - 1), -E2BIG);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_GET_INFO, RAM_BASE, 4096, 1, 0), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_GET_INFO, RAM_BASE, 4096, 0, 1ULL << 63), -EINVAL);
	CHECK_EQ(nr_writes, 0);
	CHECK_EQ(get_info(0, 4096), -EFAULT);
	CHECK_EQ(get_info(RAM_BASE - 8, 4096), -EFAULT);
	CHECK_EQ(get_info(RAM_BASE + sizeof(ram) - sizeof(struct keel_hv_info) + 1, 4096), -EFAULT);
	CHECK_EQ(get_info(~0ULL - 8, 4096), -EFAULT);
}

TEST(get_info_writes_the_structure)
{
	u64 gpa = RAM_BASE + sizeof(ram) - sizeof(struct keel_hv_info);
	struct keel_hv_info info;

	memset(ram, 0xaa, sizeof(ram));
	CHECK_EQ(get_info(gpa, sizeof(struct keel_hv_info)), sizeof(struct keel_hv_info));
	memcpy(&info, ram + (gpa - RAM_BASE), sizeof(info));
	CHECK_EQ(info.abi_version, KEEL_ABI_VERSION);
	CHECK_EQ(info.size, sizeof(struct keel_hv_info));
	CHECK(!strcmp(info.version, "test"));
	CHECK_EQ(info.version[KEEL_VERSION_LEN - 1], 0);	/* the rest zeroed, not stack contents */
	CHECK_EQ(info.nr_cpus, 3);
	CHECK_EQ(info.vendor, KEEL_VENDOR_AMD);
	CHECK_EQ(info.virt, KEEL_VIRT_SVM);
	CHECK_EQ(info.tsc_khz, 2500000);
	CHECK_EQ(info.reserved_bytes, 48ULL << 20);
	CHECK_EQ(info.reserved_free_bytes, 40ULL << 20);
	CHECK_EQ(info.guest_free_bytes, 900ULL << 20);
	CHECK_EQ(info.uptime_ns, 123456789);
	CHECK_EQ(info.heap_used_bytes, 65536);
	CHECK_EQ(ram[gpa - RAM_BASE - 1], 0xaa);	/* nothing before the buffer */
	/* A larger buffer is fine; only the structure is written. */
	memset(ram, 0xaa, sizeof(ram));
	CHECK_EQ(get_info(RAM_BASE, ~0ULL), sizeof(struct keel_hv_info));
	CHECK_EQ(ram[sizeof(struct keel_hv_info)], 0xaa);
}

static s64 vm_call(u64 nr, u64 a0, u64 a1)
{
	return call(&control_vm, 0, nr, a0, a1, 0, 0);
}

TEST(vm_create_and_destroy)
{
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0), h2;

	CHECK(h > 0);
	CHECK_EQ(live_vms, 1);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_VM_CREATE, 0, 0, 0, 0), -EPERM);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_VM_DESTROY, (u64)h, 0, 0, 0), -EPERM);
	CHECK_EQ(vm_call(KEEL_HC_VM_CREATE, 0, 1), -EINVAL);	/* unused arguments must be 0 */
	CHECK_EQ(vm_call(KEEL_HC_VM_CREATE, 0x80000000, 0), -EINVAL);	/* no pid */
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 1), -EINVAL);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
	CHECK_EQ(live_vms, 0);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), -EINVAL);	/* destroyed: never valid again */
	h2 = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	CHECK(h2 > 0 && h2 != h);				/* the slot's next generation */
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), -EINVAL);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h2, 0), 0);
}

TEST(vm_handles_made_up_or_exhausted)
{
	s64 h[KEEL_MAX_VMS];

	for (u64 bad = 0; bad < 4; bad++)
		CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, bad << 8 | bad, 0), -EINVAL);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, ~0ULL, 0), -EINVAL);
	for (int i = 0; i < KEEL_MAX_VMS; i++)
		h[i] = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	CHECK(h[KEEL_MAX_VMS - 1] > 0);
	CHECK_EQ(vm_call(KEEL_HC_VM_CREATE, 0, 0), -ENOSPC);
	for (int i = 0; i < KEEL_MAX_VMS; i++)
		CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h[i], 0), 0);
	CHECK_EQ(live_vms, 0);
	fail_create = 1;
	CHECK_EQ(vm_call(KEEL_HC_VM_CREATE, 0, 0), -ENOMEM);
	fail_create = 0;
	h[0] = vm_call(KEEL_HC_VM_CREATE, 0, 0);	/* the failed create gave its slot back */
	CHECK(h[0] > 0);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h[0], 0), 0);
}

/* Every call on a VM names it by a live handle, and only the control guest makes them. */
TEST(vm_calls_need_a_handle)
{
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0);

	for (u64 nr = KEEL_HC_MEMSLOT; nr <= KEEL_HC_STATS; nr++) {	/* the calls by handle */
		CHECK_EQ(call(&boot_vm, 0, nr, (u64)h, 0, 0, 0), -EPERM);
		if (nr == KEEL_HC_MSR_LIST)
			continue;	/* names no VM */
		CHECK_EQ(call(&control_vm, 0, nr, (u64)h + 1, 0, 0, 0), -EINVAL);
		CHECK_EQ(call(&control_vm, 0, nr, 0, 0, 0, 0), -EINVAL);
	}
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
	for (u64 nr = KEEL_HC_MEMSLOT; nr <= KEEL_HC_STATS; nr++)
		if (nr != KEEL_HC_MSR_LIST)
			CHECK_EQ(call(&control_vm, 0, nr, (u64)h, 0, 0, 0), -EINVAL);
}

TEST(vm_call_arguments)
{
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	struct keel_memslot m = { .slot = 3, .flags = KEEL_MEM_READONLY, .gpa = 0x1000, .size = 0x2000 };

	memcpy(ram, &m, sizeof(m));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MEMSLOT, (u64)h, RAM_BASE, 0, 0), 0);
	CHECK(!memcmp(&last_slot, &m, sizeof(m)));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MEMSLOT, (u64)h, 0, 0, 0), -EFAULT);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MEMSLOT, (u64)h, RAM_BASE, 1, 0), -EINVAL);
	/* MAP: the frame must be the caller's RAM; it reaches memslot_map() as Keel's address. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x5000, RAM_BASE + 4096, KEEL_MAP_WRITE), 0);
	CHECK(last_gpa == 0x5000 && last_frame == (u64)(uintptr_t)(ram + 4096) && last_write);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x5000, RAM_BASE, 0), 0);
	CHECK(!last_write);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x5000, 0x100000, 0), -EFAULT);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x5000, RAM_BASE + 8, 0), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x5008, RAM_BASE, 0), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x5000, RAM_BASE, 4), -EINVAL);
	CHECK_EQ(last_size, 4096);
	/* 2 MiB: both addresses aligned to it, the whole range the caller's RAM. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x400000, HUGE_RAM, KEEL_MAP_2M), 0);
	CHECK(last_size == 0x200000 && last_frame == 0x40000000 && last_gpa == 0x400000);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x401000, HUGE_RAM, KEEL_MAP_2M), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MAP, (u64)h, 0x400000, RAM_BASE, KEEL_MAP_2M), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_UNMAP, (u64)h, 0x5000, 0x1000, 3), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_STATE, (u64)h, 1, KEEL_STATE_SET, 3), 0);
	CHECK(last_id == 1 && last_op == KEEL_STATE_SET);
	/* VM_CLOCK: GET, SET or a vCPU's STOPPED, and a clock that fits in the positive result. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, KEEL_CLOCK_GET, 0, 0), 12345);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, KEEL_CLOCK_SET, 1, 2), 0);
	CHECK_EQ(last_op, KEEL_CLOCK_SET);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, KEEL_CLOCK_STOPPED, 5, 0), 0);
	CHECK_EQ(last_id, 5);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, KEEL_CLOCK_STOPPED, 5, 1), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, 5, 0, 0), -EINVAL);
	/* TSC_OFFSET_GET and _SET: the vCPU, and the caller's address or the offset, whole. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, KEEL_CLOCK_TSC_OFFSET_GET, 4, 0x2000),
		 0);
	CHECK(last_id == 4 && !last_write && last_gpa == 0x2000 && last_vm == &control_vm);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, KEEL_CLOCK_TSC_OFFSET_SET, 6, ~0ULL),
		 0);
	CHECK(last_id == 6 && last_write && last_gpa == ~0ULL);
	/* ENABLE_CAP: a value of 0 or 1 reaches the VM's or vCPU's capability. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_ENABLE_CAP, (u64)h, KEEL_CAP_ENFORCE_PV_CPUID, 3, 1), 1);
	CHECK(last_op == KEEL_CAP_ENFORCE_PV_CPUID && last_id == 3);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_ENABLE_CAP, (u64)h, KEEL_CAP_PLATFORM_INFO, KEEL_CAP_VM, 2),
		 -EINVAL);
	/* ... and the quirks to turn off, of those Keel has. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_ENABLE_CAP, (u64)h, KEEL_CAP_QUIRKS, KEEL_CAP_VM,
		      KEEL_QUIRK_FIX_HYPERCALL_INSN), KEEL_QUIRK_FIX_HYPERCALL_INSN);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_ENABLE_CAP, (u64)h, KEEL_CAP_QUIRKS, KEEL_CAP_VM, 1),
		 -EINVAL);
	/* ... the reasons a refused MSR access exits to the VMM for, of KVM's three. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_ENABLE_CAP, (u64)h, KEEL_CAP_USER_MSR, KEEL_CAP_VM,
		      KEEL_MSR_EXIT_FILTER | KEEL_MSR_EXIT_UNKNOWN),
		 KEEL_MSR_EXIT_FILTER | KEEL_MSR_EXIT_UNKNOWN);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_ENABLE_CAP, (u64)h, KEEL_CAP_USER_MSR, KEEL_CAP_VM, 8),
		 -EINVAL);
	/* MSR_FILTER: the caller's address in RDX reaches the VM; RCX and RSI must be 0. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MSR_FILTER, (u64)h, 0, RAM_BASE, 0), 0);
	CHECK(last_gpa == RAM_BASE && last_vm == &control_vm);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MSR_FILTER, (u64)h, 1, RAM_BASE, 0), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MSR_FILTER, (u64)h, 0, RAM_BASE, 1), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_CLOCK, (u64)h, KEEL_CLOCK_SET, 1ULL << 63, 0),
		 -EINVAL);
	/* STATS: the vCPU (or the VM), the caller's buffer and its length reach the VM's counters. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_STATS, (u64)h, KEEL_STATS_VM, RAM_BASE, 3),
		 KEEL_NR_VCPU_STATS);
	CHECK(last_id == KEEL_STATS_VM && last_gpa == RAM_BASE && last_size == 3 &&
	      last_vm == &control_vm);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_STATS, (u64)h + 1, 0, RAM_BASE, 3), -EINVAL);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_STATS, (u64)h, 0, RAM_BASE, 3), -EPERM);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
}

TEST(msr_list)
{
	u32 got[3];

	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MSR_LIST, RAM_BASE, 2, 0, 0), -E2BIG);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MSR_LIST, RAM_BASE, 3, 0, 0), 3);
	memcpy(got, ram, sizeof(got));
	CHECK(got[0] == 0x170 && got[2] == 0x172);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MSR_LIST, 0, 3, 0, 0), -EFAULT);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_MSR_LIST, RAM_BASE, 3, 1, 0), -EINVAL);
}

/* A call in progress holds a reference: the VM outlives its handle until the call returns. */
TEST(vm_references)
{
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	struct vm *vm = managed_vm_get((u64)h);

	CHECK(vm != NULL);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
	CHECK_EQ(live_vms, 1);
	CHECK(managed_vm_get((u64)h) == NULL);
	managed_vm_put(vm);
	CHECK_EQ(live_vms, 0);
}

/* Every VM, oldest first, as many as fit; the count says how many there are. */
TEST(vm_list_of_every_vm)
{
	s64 h1 = vm_call(KEEL_HC_VM_CREATE, 100, 0), h2 = vm_call(KEEL_HC_VM_CREATE, 200, 0);
	struct keel_vm_info info[2];

	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_LIST, RAM_BASE, 1, 0, 0), 2);
	memcpy(info, ram, sizeof(info[0]));
	CHECK(info[0].vmm_pid == 100 && info[0].kind == KEEL_VM_KIND_KVM && !info[0].ended &&
	      !info[0].nr_vcpus && !strcmp(info[0].name, "kvm-0"));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_LIST, RAM_BASE, 2, 0, 0), 2);
	memcpy(info, ram, sizeof(info));
	CHECK(info[1].vmm_pid == 200 && info[1].id > info[0].id);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_LIST, RAM_BASE, 0, 0, 0), 2);	/* only counts */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_LIST, 0, 2, 0, 0), -EFAULT);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_LIST, RAM_BASE, 2, 1, 0), -EINVAL);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_VM_LIST, RAM_BASE, 2, 0, 0), -EPERM);
	/* VM_STATS by id: the VM's counters; it has no vCPU 0; an id of no VM. */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_STATS, info[1].id, KEEL_STATS_VM, RAM_BASE, 8),
		 KEEL_NR_VM_STATS);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_STATS, info[1].id, 0, RAM_BASE, 8), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_STATS, 9999, KEEL_STATS_VM, RAM_BASE, 8), -EINVAL);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h1, 0), 0);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_LIST, RAM_BASE, 2, 0, 0), 1);
	memcpy(info, ram, sizeof(info[0]));
	CHECK_EQ(info[0].vmm_pid, 200);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_STATS, info[0].id - 1, KEEL_STATS_VM, RAM_BASE, 8),
		 -EINVAL);	/* the destroyed VM's id names nothing */
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h2, 0), 0);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_LIST, RAM_BASE, 2, 0, 0), 0);
}

/* The log from a sequence number: the chunk says where its bytes start, skipped ones left out. */
TEST(log_read_in_chunks)
{
	struct keel_log_chunk c;

	CHECK_EQ(call(&control_vm, 0, KEEL_HC_LOG_READ, RAM_BASE, 16 + 5, 0, 0), 5);
	memcpy(&c, ram, sizeof(c));
	CHECK(c.seq == 100 && c.len == 5 && !memcmp(ram + 16, "01234", 5));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_LOG_READ, RAM_BASE, 4096, 997, 0), 3);
	memcpy(&c, ram, sizeof(c));
	CHECK(c.seq == 997 && !memcmp(ram + 16, "789", 3));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_LOG_READ, RAM_BASE, 4096, 1000, 0), 0);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_LOG_READ, RAM_BASE, 8192, 100, 0), 900);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_LOG_READ, RAM_BASE, 15, 0, 0), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_LOG_READ, RAM_BASE, 100, 0, 1), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_LOG_READ, 0, 100, 0, 0), -EFAULT);
}

/* A vCPU's state always; its registers only when it could be held still. */
TEST(vm_dump_of_a_vcpu)
{
	static struct vm vm = { .kind = VM_KIND_BOOT };
	struct vcpu v0 = { .vm = &vm, .state = VCPU_IDLE, .cpu = 2, .nr_entries = 7 };
	struct vcpu v1 = { .vm = &vm, .state = VCPU_RUNNING, .cpu = 1 };
	struct keel_vcpu_dump d;

	vm.vcpus[0] = &v0;
	vm.vcpus[1] = &v1;
	vm.nr_vcpus = 2;
	vm_list_add(&vm);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_DUMP, vm.id, 0, RAM_BASE, sizeof(d)), 0);
	memcpy(&d, ram, sizeof(d));
	CHECK(d.state == KEEL_VCPU_IDLE && d.cpu == 2 && d.entries == 7 &&
	      d.flags == KEEL_DUMP_REGS && d.regs.rip == 0x1234 && d.sregs.cr0 == 0x10);
	CHECK_EQ(v0.state, VCPU_IDLE);	/* given back */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_DUMP, vm.id, 1, RAM_BASE, sizeof(d)), 0);
	memcpy(&d, ram, sizeof(d));
	CHECK(d.state == KEEL_VCPU_RUNNING && d.cpu == 1 && !d.flags && !d.regs.rip);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_DUMP, vm.id, 2, RAM_BASE, sizeof(d)), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_DUMP, vm.id, 0, RAM_BASE, sizeof(d) - 1), -E2BIG);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_DUMP, vm.id, 0, 0, sizeof(d)), -EFAULT);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_VM_DUMP, vm.id, 0, RAM_BASE, sizeof(d)), -EPERM);
	vm_list_del(&vm);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VM_DUMP, vm.id, 0, RAM_BASE, sizeof(d)), -EINVAL);
}

/* A CPU's counters by index, as many as the buffer holds; a CPU not online names nothing. */
TEST(cpu_stats)
{
	u64 got[KEEL_NR_CPU_STATS];

	memset(ram, 0, 64);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_CPU_STATS, 2, 0, RAM_BASE, 2), KEEL_NR_CPU_STATS);
	memcpy(got, ram, sizeof(got));
	CHECK(got[0] == 20 && got[1] == 21 && got[2] == 0);	/* only 2 written */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_CPU_STATS, 1, 0, RAM_BASE, 5), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_CPU_STATS, ~0ULL, 0, RAM_BASE, 5), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_CPU_STATS, 0, 1, RAM_BASE, 5), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_CPU_STATS, 0, 0, 0, 5), -EFAULT);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_CPU_STATS, 0, 0, RAM_BASE, 5), -EPERM);
}

/* VCPU_CREATE, and VCPU_RUN's flags and wake vector (a fixed one), VCPU_KICK's vCPU. */
TEST(vcpu_run_arguments)
{
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0);

	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_CREATE, (u64)h, 2, RAM_BASE, KEEL_VCPU_BSP), 0);
	CHECK(last_id == 2 && last_frame == RAM_BASE);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_RUN, (u64)h, 2, KEEL_RUN_COMPLETE_ONLY, 0), 0);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_RUN, (u64)h, 2, 2, 0), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_RUN, (u64)h, 2, 0, 1), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_RUN, (u64)h, 2, 0, 31), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_RUN, (u64)h, 2, 0, 256), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_RUN, (u64)h, 2, 0, 0xf1), 0);
	CHECK_EQ(last_vector, 0xf1);	/* the wake vector: Keel's scheduler may queue it */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_KICK, (u64)h, 3, 0, 0), 0);
	CHECK_EQ(last_id, 3);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_KICK, (u64)h, 3, 1, 0), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_VCPU_KICK, (u64)h + 1, 3, 0, 0), -EINVAL);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_VCPU_KICK, (u64)h, 3, 0, 0), -EPERM);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
}

/*
 * A VM's weight and cap, a vCPU's weight and affinity: checked, then what
 * holds is written back; the control guest's pinned vCPUs are left alone.
 */
TEST(sched_get_and_set)
{
	static struct vm vm = { .kind = VM_KIND_KVM };
	struct vcpu v0 = { .vm = &vm, .pin_cpu = -1 }, v1 = { .vm = &vm, .pin_cpu = 2 };
	struct keel_sched s = { .weight = 512, .cap = 25 };

	percpu[0].online = percpu[2].online = true;
	sched_group_init(&vm.sg);
	sched_entity_init(&v0.se, &vm.sg);
	sched_entity_init(&v1.se, &vm.sg);
	v0.se.ran_on[0] = 1;
	vm.vcpus[0] = &v0;
	vm.vcpus[1] = &v1;
	vm.nr_vcpus = 2;
	vm_list_add(&vm);
	memcpy(ram, &s, sizeof(s));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, KEEL_SCHED_VM, KEEL_SCHED_SET, RAM_BASE), 0);
	CHECK(vm.sg.weight == 512 && vm.sg.cap == 25);
	s = (struct keel_sched){ .weight = 100, .affinity = { 4 } };	/* CPU 2 */
	memcpy(ram, &s, sizeof(s));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, 0, KEEL_SCHED_SET, RAM_BASE), 0);
	memcpy(&s, ram, sizeof(s));
	CHECK(v0.se.weight == 100 && s.weight == 100 && s.cap == 25 && s.affinity[0] == 4 &&
	      s.affinity[1] == 0 && s.ran_on[0] == 0);	/* ran_on starts again */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, 1, KEEL_SCHED_SET, RAM_BASE), -EPERM);
	s.affinity[0] = 2;	/* CPU 1: not online */
	memcpy(ram, &s, sizeof(s));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, 0, KEEL_SCHED_SET, RAM_BASE), -EINVAL);
	s = (struct keel_sched){ .weight = 0 };
	memcpy(ram, &s, sizeof(s));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, KEEL_SCHED_VM, KEEL_SCHED_SET, RAM_BASE),
		 -EINVAL);
	s = (struct keel_sched){ .weight = 1, .cap = 10001 };
	memcpy(ram, &s, sizeof(s));
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, KEEL_SCHED_VM, KEEL_SCHED_SET, RAM_BASE),
		 -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, KEEL_SCHED_VM, KEEL_SCHED_GET, RAM_BASE), 0);
	memcpy(&s, ram, sizeof(s));
	CHECK(s.weight == 512 && s.cap == 25 && s.affinity[0] == ~0ULL);	/* the vCPUs' union */
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, 2, KEEL_SCHED_GET, RAM_BASE), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, 0, 2, RAM_BASE), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, 0, KEEL_SCHED_GET, 0), -EFAULT);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_SCHED, vm.id, 0, KEEL_SCHED_GET, RAM_BASE), -EPERM);
	vm_list_del(&vm);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_SCHED, vm.id, 0, KEEL_SCHED_GET, RAM_BASE), -EINVAL);
}

/*
 * The dirty log's calls reach kernel/memslot.c whole (test_memslot.c tests
 * it); a VM logs its writes if the CPU logged writes when it was created.
 */
TEST(write_log)
{
	s64 plain = vm_call(KEEL_HC_VM_CREATE, 0, 0), h;
	struct vm *vm;

	logs_writes = true;
	h = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	logs_writes = false;
	CHECK(plain > 0 && h > 0);
	vm = managed_vm_get((u64)h);
	CHECK(vm && vm->write_log);
	managed_vm_put(vm);
	vm = managed_vm_get((u64)plain);
	CHECK(vm && !vm->write_log);
	managed_vm_put(vm);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_UNMAP, (u64)h, 0x5000, 0x1000, KEEL_UNMAP_CLEAN), 0);
	CHECK(last_clean && last_gpa == 0x5000 && last_size == 0x1000);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_UNMAP, (u64)h, 0x5000, 0x1000, 2), -EINVAL);
	CHECK_EQ(call(&control_vm, 0, KEEL_HC_DIRTY_FETCH, (u64)h, 3, 64, RAM_BASE), 7);
	CHECK(last_vm == &control_vm && last_id == 3 && last_op == 64 && last_gpa == RAM_BASE);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_DIRTY_FETCH, (u64)h, 3, 64, RAM_BASE), -EPERM);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)plain, 0), 0);
}

static s64 zone_call(s64 h, u64 op, u64 addr, u64 size)
{
	return call(&control_vm, 0, KEEL_HC_COALESCED, (u64)h, op, addr, size);
}

/* The ring once, in the caller's RAM; zones per bus, never overlapping one of theirs. */
TEST(coalesced_calls)
{
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	u64 ring_gpa = RAM_BASE + 0x1000;

	CHECK(h > 0);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_RING, ring_gpa + 8, 0), -EINVAL);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_RING, 0x1000, 0), -EFAULT);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_RING | KEEL_COALESCED_PIO, ring_gpa, 0), -EINVAL);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_RING, ring_gpa, 0), 0);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_RING, ring_gpa, 0), -EEXIST);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD, 0xa0000, 0x20000), 0);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD, 0xb0000, 0x10), -EEXIST);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD | KEEL_COALESCED_PIO, 0xa0000, 1), -EINVAL);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD | KEEL_COALESCED_PIO, 0x70, 1), 0);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD, 0x1000, 0), -EINVAL);
	CHECK_EQ(zone_call(h, 3, 0x1000, 0x1000), -EINVAL);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_DEL, 0xa0000, 0x10000), -ENOENT);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_DEL, 0xa0000, 0x20000), 0);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_DEL | KEEL_COALESCED_PIO, 0x70, 1), 0);
	CHECK_EQ(call(&boot_vm, 0, KEEL_HC_COALESCED, (u64)h, KEEL_COALESCED_ADD, 0, 1), -EPERM);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
}

/* A VMM that adds and removes zones without end: each change waits for the exits and frees its tables. */
TEST(coalesced_changes_free_their_tables)
{
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	unsigned int waits;
	int live;

	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD, 0xa0000, 0x20000), 0);
	live = live_allocs;
	waits = exit_waits;
	for (int i = 0; i < 1000; i++) {
		CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD | KEEL_COALESCED_PIO, 0x70, 2), 0);
		CHECK_EQ(zone_call(h, KEEL_COALESCED_DEL | KEEL_COALESCED_PIO, 0x70, 2), 0);
	}
	CHECK_EQ(live_allocs, live);
	CHECK_EQ(exit_waits, waits + 2000);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_DEL, 0xa0000, 0x20000), 0);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
}

/* A guest's write as Keel's exit handlers make it: true if a zone took it. */
static bool coalesced_write_at(struct vcpu *v, bool pio, u64 addr, unsigned int len, u64 val)
{
	return coalesced_any(&v->vm->coalesced, pio) &&
	       coalesced_write(v, &v->vm->coalesced, pio, addr, len, val);
}

/* A write wholly in a zone lands in the ring while it has room; the VMM's indices are checked. */
TEST(coalesced_writes)
{
	struct keel_coalesced_ring *ring = (void *)(ram + 0x1000);
	s64 h = vm_call(KEEL_HC_VM_CREATE, 0, 0);
	static struct vcpu v;
	unsigned int n;

	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD, 0xa0000, 0x20000), 0);
	CHECK_EQ(zone_call(h, KEEL_COALESCED_ADD | KEEL_COALESCED_PIO, 0x70, 1), 0);
	v.vm = managed_vm_get((u64)h);
	CHECK(!coalesced_write_at(&v, false, 0xa0000, 2, 0x0720));	/* no ring yet */
	ring->first = ring->last = 0;
	CHECK_EQ(zone_call(h, KEEL_COALESCED_RING, RAM_BASE + 0x1000, 0), 0);
	CHECK(coalesced_write_at(&v, false, 0xa0000, 2, 0x0720));
	CHECK(ring->last == 1 && ring->entry[0].phys_addr == 0xa0000 && ring->entry[0].len == 2);
	CHECK(!ring->entry[0].pio && ring->entry[0].data[0] == 0x20 && ring->entry[0].data[1] == 7);
	CHECK(!coalesced_write_at(&v, false, 0xbfffe, 4, 0));	/* runs past the zone */
	CHECK(!coalesced_write_at(&v, false, 0x9fffe, 2, 0));
	CHECK(!coalesced_write_at(&v, true, 0x71, 1, 0));
	CHECK(coalesced_write_at(&v, true, 0x70, 1, 0x8f) && ring->entry[1].pio == 1);
	/* KVM's count of room wraps in 32 bits: full at 85 from first 0 ... */
	for (n = 2; coalesced_write_at(&v, false, 0xb8000, 8, n); n++)
		;
	CHECK_EQ(n, 85);
	/* ... and at one slot free once last is below first. */
	ring->first = 100;
	ring->last = KEEL_COALESCED_MAX - 1;
	for (n = 0; coalesced_write_at(&v, false, 0xb8000, 1, 0); n++)
		;
	CHECK_EQ(n, 100);
	CHECK_EQ(ring->last, 99);
	/* Full, then the VMM took the entry at the end: one more fits, never the one reaching first. */
	ring->first = 0;
	ring->last = KEEL_COALESCED_MAX - 2;
	CHECK(coalesced_write_at(&v, false, 0xb8000, 1, 0));
	CHECK(!coalesced_write_at(&v, false, 0xb8000, 1, 0));
	CHECK_EQ(ring->last, KEEL_COALESCED_MAX - 1);
	ring->last = KEEL_COALESCED_MAX + 3;	/* the VMM's garbage */
	CHECK(!coalesced_write_at(&v, false, 0xb8000, 1, 0));
	managed_vm_put(v.vm);
	CHECK_EQ(vm_call(KEEL_HC_VM_DESTROY, (u64)h, 0), 0);
}

TEST_MAIN("hypercall", T(version_from_every_kind), T(unknown_numbers), T(cpl_above_0_refused),
	  T(management_calls_are_the_control_guests), T(get_info_arguments),
	  T(get_info_writes_the_structure), T(vm_create_and_destroy), T(vm_handles_made_up_or_exhausted),
	  T(vm_calls_need_a_handle), T(vm_call_arguments), T(vm_references), T(msr_list),
	  T(vm_list_of_every_vm), T(log_read_in_chunks), T(vm_dump_of_a_vcpu),
	  T(cpu_stats), T(vcpu_run_arguments), T(sched_get_and_set), T(write_log),
	  T(coalesced_calls), T(coalesced_writes), T(coalesced_changes_free_their_tables))
