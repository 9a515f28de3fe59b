// SPDX-License-Identifier: GPL-2.0
/* VM objects and their guest-physical memory. */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/memslot.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "kernel/vm_list.h"

#define ORDER_2M 9
#define ORDER_1G 18

struct guest_chunk {
	u64 hpa;
	unsigned int order;
};

struct vm_mem {
	u64 nr;
	struct guest_chunk chunk[];
};

static u64 gpt_alloc(void *ctx)
{
	return frame_alloc_keel(0);
}

static void *gpt_to_virt(void *ctx, u64 pa)
{
	return (void *)(uintptr_t)pa;
}

/*
 * A /dev/kvm VM's tables change while its vCPUs run, which may still walk
 * an unlinked table through cached paging-structure entries, and even set
 * accessed and dirty flags in it (SDM Vol. 3C 29.4.3): it is freed only
 * after a later shootdown (vm_free_stale_tables()), linked through its
 * entry 0.
 */
static void gpt_free(void *ctx, u64 pa)
{
	struct vm *vm = ctx;

	if (vm->kind != VM_KIND_KVM) {
		frame_free_keel(pa, 0);
		return;
	}
	*(u64 *)(uintptr_t)pa = vm->stale_tables;
	vm->stale_tables = pa;
}

void vm_free_stale_tables(struct vm *vm)
{
	while (vm->stale_tables) {
		u64 pa = vm->stale_tables;

		/* a walk in flight may have set an A/D flag in the link: bits 11:0 */
		vm->stale_tables = *(u64 *)(uintptr_t)pa & ~(u64)(PAGE_SIZE - 1);
		frame_free_keel(pa, 0);
	}
}

static int map_chunk(struct vm *vm, u64 gpa, unsigned int order)
{
	u64 hpa = guest_frame_alloc(order);

	if (!hpa)
		return -ENOMEM;
	vm->mem->chunk[vm->mem->nr++] = (struct guest_chunk){ hpa, order };
	return pt_map(&vm->gpt, gpa, hpa, PAGE_SIZE << order, PT_W | PT_X | PT_USER);
}

/* The largest chunk (1 GiB, 2 MiB, 4 KiB) that fits at @gpa, the tables and the free frames allow. */
static unsigned int map_largest(struct vm *vm, u64 gpa)
{
	static const unsigned int orders[] = { ORDER_1G, ORDER_2M };

	for (size_t i = 0; i < ARRAY_SIZE(orders); i++) {
		u64 size = PAGE_SIZE << orders[i];

		if ((orders[i] == ORDER_1G && vm->gpt.max_leaf_level < 3) || !IS_ALIGNED(gpa, size) ||
		    vm->mem_size - gpa < size)
			continue;
		if (!map_chunk(vm, gpa, orders[i]))
			return orders[i];
	}
	return map_chunk(vm, gpa, 0) ? ~0u : 0;
}

static int alloc_ram(struct vm *vm)
{
	vm->mem = kzalloc(sizeof(*vm->mem) + vm->mem_size / PAGE_SIZE * sizeof(struct guest_chunk));
	if (!vm->mem)
		return -ENOMEM;
	for (u64 gpa = 0; gpa < vm->mem_size;) {
		unsigned int order = map_largest(vm, gpa);

		if (order == ~0u)
			return -ENOMEM;
		gpa += PAGE_SIZE << order;
	}
	return 0;
}

struct vcpu *vcpu_alloc(struct vm *vm, unsigned int id, enum vcpu_state state)
{
	struct vcpu *v = kzalloc(sizeof(*v));

	if (!v)
		return NULL;
	v->vm = vm;
	v->id = id;
	v->state = state;
	v->pin_cpu = -1;
	sched_entity_init(&v->se, &vm->sg);
	if (arch_vcpu_create(v)) {
		arch_vcpu_destroy(v);
		kfree(v);
		return NULL;
	}
	return v;
}

void vcpu_publish(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vm->vcpus[vm->nr_vcpus] = v;
	__atomic_store_n(&vm->nr_vcpus, vm->nr_vcpus + 1, __ATOMIC_RELEASE);
}

static int vcpus_create(struct vm *vm, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct vcpu *v = vcpu_alloc(vm, i, VCPU_PARKED);

		if (!v)
			return -ENOMEM;
		vcpu_publish(v);
	}
	return 0;
}

struct vm *vm_create(const char *name, u64 mem_size, unsigned int nr_vcpus)
{
	struct vm *vm = kzalloc(sizeof(*vm));

	if (!vm)
		return NULL;
	memcpy(vm->name, name, MIN(strlen(name), VM_NAME_LEN - 1));
	sched_group_init(&vm->sg);
	io_bus_init(&vm->pio, 0xffff);
	io_bus_init(&vm->mmio, ~0ULL);
	coalesced_init(&vm->coalesced);
	vm->mem_size = ALIGN_UP(mem_size, PAGE_SIZE);
	vm->ram_bytes = vm->mem_size;
	vm->gpt = (struct pagetable){ .fmt = arch_gpt_format(), .max_leaf_level = 2,
				      .alloc = gpt_alloc, .to_virt = gpt_to_virt,
				      .free = gpt_free, .ctx = vm };
	if (pt_init(&vm->gpt) || arch_vm_init(vm) || alloc_ram(vm) ||
	    nr_vcpus > VM_MAX_VCPUS || vcpus_create(vm, nr_vcpus)) {
		vm_destroy(vm);
		return NULL;
	}
	vm_list_add(vm);
	return vm;
}

/* Table pages are found by walking: every non-leaf entry of the tree is one. */
static void free_tables(struct vm *vm, u64 table, int level)
{
	const struct pt_format *f = vm->gpt.fmt;
	u64 *t = (u64 *)(uintptr_t)table;

	for (unsigned int i = 0; level > 1 && i < 512; i++)
		if (f->present(t[i]) && !f->is_leaf(t[i], level))
			free_tables(vm, f->addr(t[i], level), level - 1);
	frame_free_keel(table, 0);
}

void vm_destroy(struct vm *vm)
{
	vm_list_del(vm);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		arch_vcpu_destroy(vm->vcpus[i]);
		kfree(vm->vcpus[i]);
	}
	memslots_free(vm);
	for (u64 i = 0; vm->mem && i < vm->mem->nr; i++)
		guest_frame_free(vm->mem->chunk[i].hpa, vm->mem->chunk[i].order);
	kfree(vm->mem);
	if (vm->gpt.root)
		free_tables(vm, vm->gpt.root, 4);
	vm_free_stale_tables(vm);
	arch_vm_free(vm);
	io_bus_destroy(&vm->pio);
	io_bus_destroy(&vm->mmio);
	coalesced_destroy(&vm->coalesced);
	kfree(vm->platform);
	kfree(vm);
}

int vm_map_identity(struct vm *vm, u64 gpa, u64 size, u64 prot)
{
	int r = pt_map(&vm->gpt, gpa, gpa, size, prot);

	vm->mem_size = MAX(vm->mem_size, gpa + size);
	__atomic_fetch_add(&vm->gpa_gen, 1, __ATOMIC_SEQ_CST);
	return r;
}

/*
 * A write through the result is Keel's own: where the CPU logs the guest's
 * writes it is logged as well, as KVM's mark_page_dirty() does for its
 * writes to guest memory.
 */
void *gpa_to_hva_access(struct vm *vm, u64 gpa, size_t len, bool write)
{
	u64 hpa, prot;
	int level;

	if (!len || gpa >= vm->mem_size || len > vm->mem_size - gpa ||
	    (gpa & PAGE_MASK) != ((gpa + len - 1) & PAGE_MASK))
		return NULL;
	if (pt_translate(&vm->gpt, gpa, &hpa, &prot, &level) || (prot & PT_UC) ||
	    (write && !(prot & PT_W)))
		return NULL;
	if (write && vm->write_log)
		memslot_log_write(vm, gpa);
	return (void *)(uintptr_t)hpa;
}

void *gpa_to_hva(struct vm *vm, u64 gpa, size_t len)
{
	return gpa_to_hva_access(vm, gpa, len, false);
}

u64 gpa_range_to_hpa(struct vm *vm, u64 gpa, u64 size)
{
	u64 hpa, prot, base = 0;
	int level;

	if (!size || gpa >= vm->mem_size || size > vm->mem_size - gpa)
		return 0;
	for (u64 at = gpa; at < gpa + size;) {
		if (pt_translate(&vm->gpt, at, &hpa, &prot, &level) || (prot & PT_UC))
			return 0;
		if (at == gpa)
			base = hpa;
		else if (hpa != base + (at - gpa))
			return 0;
		at = (at & ~(pt_level_size(level) - 1)) + pt_level_size(level);
	}
	return base;
}

static int copy_phys(struct vm *vm, u64 gpa, void *buf, size_t len, bool to_guest)
{
	while (len) {
		size_t n = MIN(len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
		void *hva = gpa_to_hva_access(vm, gpa, n, to_guest);

		if (!hva)
			return -EFAULT;
		if (to_guest)
			memcpy(hva, buf, n);
		else
			memcpy(buf, hva, n);
		gpa += n;
		buf = (u8 *)buf + n;
		len -= n;
	}
	return 0;
}

int vm_write_phys(struct vm *vm, u64 gpa, const void *src, size_t len)
{
	return copy_phys(vm, gpa, (void *)(uintptr_t)src, len, true);
}

int vm_read_phys(struct vm *vm, u64 gpa, void *dst, size_t len)
{
	return copy_phys(vm, gpa, dst, len, false);
}

void vm_wait_exits(struct vm *vm)
{
	unsigned int me = this_cpu()->cpu;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the caller's stores before any in_guest read */
	for (unsigned int i = 0; i < __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE); i++) {
		struct vcpu *v = vm->vcpus[i];
		u64 entries = v->nr_entries;

		if (!__atomic_load_n(&v->in_guest, __ATOMIC_SEQ_CST) || v->cpu == me)
			continue;
		arch_kick_cpu(v->cpu);
		while (v->in_guest && v->nr_entries == entries)
			cpu_relax();
	}
}

void vm_end_locked(struct vm *vm, u64 status, const char *reason)
{
	if (vm->state != VM_RUNNING)
		return;
	vm->state = VM_ENDED;
	vm->status = status;
	vm->stop_reason = reason;
}

void vm_end(struct vm *vm, u64 status, const char *reason)
{
	u64 flags = spin_lock_irqsave(&vm->lock);

	vm_end_locked(vm, status, reason);
	spin_unlock_irqrestore(&vm->lock, flags);
}
