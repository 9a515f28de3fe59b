// SPDX-License-Identifier: GPL-2.0
/*
 * VM fds: memory slots (KVM_SET_USER_MEMORY_REGION, api.rst 4.35) whose
 * pages Keel maps one by one as the guest first touches them, and the MMU
 * notifier that has Keel unmap a page before this kernel frees, moves or
 * copies it. The fault path follows KVM's protocol (virt/kvm/kvm_main.c):
 * a page pinned outside the lock is mapped only if no invalidation started
 * since, and the pin is dropped once Keel maps it, since the notifier will
 * unmap it before the page can go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "keel_kvm.h"

#define KEEL_MEM_MAX_NR_PAGES ((1UL << 31) - 1)	/* KVM's KVM_MEM_MAX_NR_PAGES */

static struct keel_vm *mn_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct keel_vm, mn);
}

/* Keel unmaps what the slots map of [start, end) of the VMM's addresses. Caller holds mmu_lock. */
static void unmap_hva_range(struct keel_vm *vm, unsigned long start, unsigned long end)
{
	for (unsigned int i = 0; i < KEEL_MAX_MEMSLOTS; i++) {
		const struct keel_slot *s = &vm->slots[i];
		unsigned long from = max(start, s->uaddr), to = min(end, s->uaddr + s->size);
		long ret;

		if (!s->size || from >= to)
			continue;
		ret = keel_hypercall(KEEL_HC_UNMAP, vm->handle, s->gpa + (from - s->uaddr),
				     to - from, 0);
		WARN_ONCE(ret, "Keel refused to unmap: %ld\n", ret);
	}
}

static int keel_mn_invalidate_range_start(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *range)
{
	struct keel_vm *vm = mn_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_in_progress++;
	vm->mmu_seq++;
	unmap_hva_range(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static void keel_mn_invalidate_range_end(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *range)
{
	struct keel_vm *vm = mn_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_in_progress--;
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
}

/* The VMM's address space is going away: nothing of it may stay mapped. */
static void keel_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct keel_vm *vm = mn_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	unmap_hva_range(vm, 0, ULONG_MAX);
	spin_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops keel_mn_ops = {
	.invalidate_range_start = keel_mn_invalidate_range_start,
	.invalidate_range_end = keel_mn_invalidate_range_end,
	.release = keel_mn_release,
};

/* Caller holds mmu_lock. */
static const struct keel_slot *find_slot(struct keel_vm *vm, u64 gpa)
{
	for (unsigned int i = 0; i < KEEL_MAX_MEMSLOTS; i++)
		if (vm->slots[i].size && gpa - vm->slots[i].gpa < vm->slots[i].size)
			return &vm->slots[i];
	return NULL;
}

/*
 * The page behind @hva: writable if asked, or if it already is (no
 * copy-on-write broken for a read, as KVM's hva_to_pfn()).
 */
static struct page *pin_page(unsigned long hva, bool write, bool may_write, bool *writable)
{
	struct page *page;

	*writable = write;
	if (!write && may_write && get_user_page_fast_only(hva, FOLL_WRITE, &page)) {
		*writable = true;
		return page;
	}
	if (get_user_pages_unlocked(hva, 1, &page, write ? FOLL_WRITE : 0) != 1)
		return NULL;
	return page;
}

/*
 * Whether the VMM maps @hva with a 2 MiB (or larger) page, as KVM's
 * host_pfn_mapping_level() finds out: a lockless walk of its page tables
 * with interrupts off, so no table is freed meanwhile. Caller holds
 * mmu_lock with no invalidation since the page was pinned, so the mapping
 * it sees is the one the pin found.
 */
static bool hva_is_huge(struct mm_struct *mm, unsigned long hva)
{
	unsigned long flags;
	bool huge = false;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (!pgd_present(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (!p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (!pud_present(pud))
		goto out;
	huge = pud_large(pud);
	if (!huge) {
		pmd = READ_ONCE(*pmd_offset(&pud, hva));
		huge = pmd_present(pmd) && pmd_large(pmd);
	}
out:
	local_irq_restore(flags);
	return huge;
}

/* The 2 MiB around @gpa lie in @s at the same offset as in the VMM's memory. */
static bool huge_fits(const struct keel_slot *s, u64 gpa, unsigned long hva)
{
	u64 base = ALIGN_DOWN(gpa, PMD_SIZE);

	return !((gpa ^ hva) & (PMD_SIZE - 1)) && base >= s->gpa &&
	       base + PMD_SIZE <= s->gpa + s->size;
}

/* Caller holds mmu_lock, with no invalidation since @page was pinned. */
static long map_page(struct keel_vm *vm, const struct keel_slot *s, u64 gpa, unsigned long hva,
		     struct page *page, bool writable)
{
	u64 flags = writable ? KEEL_MAP_WRITE : 0;

	atomic64_inc(&keel_stats.fault_ins);
	if (!s->dirty && huge_fits(s, gpa, hva) && hva_is_huge(vm->mm, hva)) {
		atomic64_inc(&keel_stats.huge_maps);
		return keel_hypercall(KEEL_HC_MAP, vm->handle, ALIGN_DOWN(gpa, PMD_SIZE),
				      ALIGN_DOWN(page_to_phys(page), PMD_SIZE),
				      flags | KEEL_MAP_2M);
	}
	return keel_hypercall(KEEL_HC_MAP, vm->handle, gpa, page_to_phys(page), flags);
}

/*
 * KEEL_EXIT_FAULT: 0 once mapped, or when the slot changed meanwhile (the
 * guest faults again and the next try sees the new state); -EFAULT when
 * the VMM's memory is not there, as KVM_RUN fails for it. A logged slot's
 * page is mapped writable only for a write, which marks it dirty (dirty.c),
 * unless the CPU logs writes: then Keel maps it clean (KEEL_MEM_LOG).
 */
int keel_vm_fault_in(struct keel_vm *vm, u64 gpa, bool write)
{
	const struct keel_slot *s;
	unsigned long hva, seq;
	struct page *page;
	bool ro, logged, writable;
	long ret = 0;

	spin_lock(&vm->mmu_lock);
	s = find_slot(vm, gpa);
	hva = s ? s->uaddr + (gpa - s->gpa) : 0;
	ro = s && (s->flags & KVM_MEM_READONLY);
	logged = s && s->dirty;
	seq = vm->mmu_seq;
	spin_unlock(&vm->mmu_lock);
	if (!s || (write && ro))
		return 0;
	page = pin_page(hva, write, !ro && (!logged || keel_write_log), &writable);
	if (!page)
		return -EFAULT;
	spin_lock(&vm->mmu_lock);
	s = find_slot(vm, gpa);
	if (s && !vm->mmu_in_progress && vm->mmu_seq == seq) {
		ret = map_page(vm, s, gpa, hva, page, writable);
		if (!ret && write && s->dirty)
			set_bit((gpa - s->gpa) >> PAGE_SHIFT, s->dirty);
	}
	spin_unlock(&vm->mmu_lock);
	put_page(page);
	return ret ? keel_errno(ret) : 0;
}

/* The checks of KVM's __kvm_set_memory_region(), in its order. */
static int check_region(const struct kvm_userspace_memory_region *m)
{
	if (m->flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY))
		return -EINVAL;
	if ((m->memory_size & ~PAGE_MASK) || (m->guest_phys_addr & ~PAGE_MASK))
		return -EINVAL;
	if ((m->userspace_addr & ~PAGE_MASK) ||
	    !access_ok((void __user *)(unsigned long)m->userspace_addr, m->memory_size))
		return -EINVAL;
	if ((m->slot >> 16) || (u16)m->slot >= KEEL_MAX_MEMSLOTS)
		return -EINVAL;	/* one address space: no SMM */
	if (m->guest_phys_addr + m->memory_size < m->guest_phys_addr)
		return -EINVAL;
	if ((m->memory_size >> PAGE_SHIFT) > KEEL_MEM_MAX_NR_PAGES)
		return -EINVAL;
	return 0;
}

static bool overlaps(struct keel_vm *vm, unsigned int id, u64 gpa, u64 size)
{
	for (unsigned int i = 0; i < KEEL_MAX_MEMSLOTS; i++) {
		const struct keel_slot *s = &vm->slots[i];

		if (i != id && s->size && gpa < s->gpa + s->size && s->gpa < gpa + size)
			return true;
	}
	return false;
}

/*
 * 1: nothing changes; 0: go ahead (a new slot, a move, a deletion or other
 * flags); else KVM's errno for a change of an existing slot.
 */
static int check_change(struct keel_vm *vm, const struct kvm_userspace_memory_region *m)
{
	const struct keel_slot *old = &vm->slots[(u16)m->slot];

	if (!m->memory_size)
		return old->size ? 0 : -EINVAL;
	if (old->size) {
		if (m->userspace_addr != old->uaddr || m->memory_size != old->size ||
		    ((m->flags ^ old->flags) & KVM_MEM_READONLY))
			return -EINVAL;
		if (m->guest_phys_addr == old->gpa && m->flags == old->flags)
			return 1;
	}
	return overlaps(vm, (u16)m->slot, m->guest_phys_addr, m->memory_size) ? -EEXIST : 0;
}

/*
 * The new slot's dirty log: none, the old slot's if it logged too (KVM
 * keeps it across a move or a flags change), or a new one.
 */
static unsigned long *new_log(struct keel_vm *vm, const struct kvm_userspace_memory_region *m)
{
	const struct keel_slot *old = &vm->slots[(u16)m->slot];

	if (!m->memory_size || !(m->flags & KVM_MEM_LOG_DIRTY_PAGES))
		return NULL;
	if (old->dirty)
		return old->dirty;
	return keel_dirty_alloc(vm, m->memory_size) ?: ERR_PTR(-ENOMEM);
}

/*
 * Keel learns the slot under mmu_lock, so the fault path never maps by a
 * stale one. Keel unmaps what the old slot mapped; for logging turned on
 * that is the write protection of every page, huge ones included.
 */
static int change_slot(struct keel_vm *vm, const struct kvm_userspace_memory_region *m)
{
	unsigned int id = (u16)m->slot;
	unsigned long *dirty = new_log(vm, m), *old_dirty = vm->slots[id].dirty;
	long ret;

	if (IS_ERR(dirty))
		return PTR_ERR(dirty);
	vm->hc_slot = (struct keel_memslot){ .slot = id, .gpa = m->guest_phys_addr,
		.size = m->memory_size,
		.flags = (m->flags & KVM_MEM_READONLY ? KEEL_MEM_READONLY : 0) |
			 (dirty && keel_write_log ? KEEL_MEM_LOG : 0) };
	spin_lock(&vm->mmu_lock);
	ret = keel_hypercall(KEEL_HC_MEMSLOT, vm->handle, virt_to_phys(&vm->hc_slot), 0, 0);
	if (!ret)
		vm->slots[id] = (struct keel_slot){ m->guest_phys_addr, m->memory_size,
						    m->userspace_addr, m->flags, dirty };
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
	if (dirty != old_dirty)
		kvfree(ret ? dirty : old_dirty);
	return ret ? keel_errno(ret) : 0;
}

static int set_memory_region(struct keel_vm *vm, const struct kvm_userspace_memory_region *m)
{
	int r = check_region(m);

	if (r)
		return r;
	mutex_lock(&vm->lock);
	r = check_change(vm, m);
	if (!r)
		r = change_slot(vm, m);
	mutex_unlock(&vm->lock);
	return r < 0 ? r : 0;
}

static void keel_vm_free(struct kref *kref)
{
	struct keel_vm *vm = container_of(kref, struct keel_vm, kref);
	long ret;

	keel_debugfs_del_vm(vm);
	keel_irq_free(vm);
	mmu_notifier_unregister(&vm->mn, vm->mm);
	mmdrop(vm->mm);
	ret = keel_hypercall(KEEL_HC_VM_DESTROY, vm->handle, 0, 0, 0);
	WARN_ONCE(ret, "Keel refused to destroy VM %#llx: %ld\n", vm->handle, ret);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		keel_vcpu_free(vm->vcpus[i]);
	for (unsigned int i = 0; i < KEEL_MAX_MEMSLOTS; i++)
		kvfree(vm->slots[i].dirty);
	keel_iodev_free(vm);
	kfree(vm);
}

void keel_vm_put(struct keel_vm *vm)
{
	kref_put(&vm->kref, keel_vm_free);
}

static int keel_vm_release(struct inode *inode, struct file *filp)
{
	keel_vm_put(filp->private_data);
	return 0;
}

static long set_region_ioctl(struct keel_vm *vm, void __user *argp)
{
	struct kvm_userspace_memory_region m;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	return set_memory_region(vm, &m);
}

/*
 * KVM_SET_IDENTITY_MAP_ADDR and KVM_SET_BOOT_CPU_ID hold only before the
 * first vCPU (KVM's -EINVAL and -EBUSY); Keel needs neither the identity
 * map nor the real-mode TSS (KVM_SET_TSS_ADDR) that VMX without
 * unrestricted guests needs, so it accepts both addresses as KVM on AMD does.
 */
static long vm_setup_ioctl(struct keel_vm *vm, unsigned int ioctl, unsigned long arg)
{
	u64 addr;
	long r = 0;

	mutex_lock(&vm->lock);
	if (ioctl == KVM_SET_IDENTITY_MAP_ADDR) {
		if (copy_from_user(&addr, (void __user *)arg, sizeof(addr)))
			r = -EFAULT;
		else if (vm->nr_vcpus)
			r = -EINVAL;
	} else if (ioctl == KVM_SET_BOOT_CPU_ID) {
		if (vm->nr_vcpus)
			r = -EBUSY;
		else if (arg >= KEEL_MAX_VCPUS)
			r = -EINVAL;
		else
			vm->bsp_id = arg;
	}
	mutex_unlock(&vm->lock);
	return r;
}

/* KEEL_HC_ENABLE_CAP: KVM takes any args[0] other than 0 as on. */
long keel_enable_cap(struct keel_vm *vm, u64 cap, u64 id, u64 val)
{
	long ret = keel_hypercall(KEEL_HC_ENABLE_CAP, vm->handle, cap, id, val);

	return ret ? keel_errno(ret) : 0;
}

#define KEEL_MIN_MMU_PAGES 64	/* KVM_MIN_ALLOC_MMU_PAGES */

/*
 * KVM_SET/GET_NR_MMU_PAGES (api.rst 4.34): the cap on pages of a shadow
 * MMU. Keel has none (guest memory is mapped by NPT or EPT only), as KVM's
 * TDP MMU ignores the number too, so it is kept for the VMM to read back:
 * set (at least 64, as KVM), or KVM's default of 2% of the slots' pages,
 * at least 64, once there is memory.
 */
static long nr_mmu_pages_ioctl(struct keel_vm *vm, unsigned int ioctl, unsigned long arg)
{
	u64 pages = 0;
	unsigned int i;

	if (ioctl == KVM_SET_NR_MMU_PAGES) {
		if (arg < KEEL_MIN_MMU_PAGES)
			return -EINVAL;
		WRITE_ONCE(vm->nr_mmu_pages, arg);
		return 0;
	}
	if (READ_ONCE(vm->nr_mmu_pages))
		return READ_ONCE(vm->nr_mmu_pages);
	mutex_lock(&vm->lock);
	for (i = 0; i < KEEL_MAX_MEMSLOTS; i++)
		pages += vm->slots[i].size >> PAGE_SHIFT;
	mutex_unlock(&vm->lock);
	return pages ? max_t(u64, pages * 20 / 1000, KEEL_MIN_MMU_PAGES) : 0;
}

/*
 * KVM_CAP_MAX_VCPU_ID: vCPU ids below args[0] (at most KEEL_MAX_VCPUS);
 * once, or again with the same value, as KVM (its kvm_vm_ioctl_enable_cap()).
 */
static long set_max_vcpu_ids(struct keel_vm *vm, const struct kvm_enable_cap *cap)
{
	long r = -EINVAL;

	if (cap->args[0] > KEEL_MAX_VCPUS)
		return r;
	mutex_lock(&vm->lock);
	if (!vm->max_vcpu_ids || vm->max_vcpu_ids == cap->args[0]) {
		vm->max_vcpu_ids = cap->args[0];
		r = 0;
	}
	mutex_unlock(&vm->lock);
	return r;
}

static_assert(KEEL_QUIRKS == (KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT |
			     KVM_X86_QUIRK_FIX_HYPERCALL_INSN |
			     KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS), "Keel's quirk bits are KVM's");

#define USER_MSR_REASONS (KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_UNKNOWN | \
			  KVM_MSR_EXIT_REASON_FILTER)
static_assert(USER_MSR_REASONS == (KEEL_MSR_EXIT_INVAL | KEEL_MSR_EXIT_UNKNOWN |
				   KEEL_MSR_EXIT_FILTER), "Keel's MSR exit reasons are KVM's");
static_assert(sizeof(struct keel_msr_filter) ==
	      8 + KVM_MSR_FILTER_MAX_RANGES * (16 + KVM_MSR_FILTER_MAX_BITMAP_SIZE),
	      "Keel's MSR filter has room for KVM's");
static_assert((KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE << 4 |
	       KVM_MSR_FILTER_DEFAULT_DENY << 8) ==
	      (KEEL_MSR_FILTER_READ | KEEL_MSR_FILTER_WRITE << 4 |
	       KEEL_MSR_FILTER_DEFAULT_DENY << 8), "Keel's MSR filter flags are KVM's");

/* KVM_CAP_X86_USER_SPACE_MSR: args[0] the reasons that exit (api.rst 7.21). */
static long enable_user_msr(struct keel_vm *vm, const struct kvm_enable_cap *cap)
{
	if (cap->args[0] & ~(u64)USER_MSR_REASONS)
		return -EINVAL;
	return keel_enable_cap(vm, KEEL_CAP_USER_MSR, KEEL_CAP_VM, cap->args[0]);
}

/*
 * KVM_ENABLE_CAP: KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, _SPLIT_IRQCHIP,
 * _MAX_VCPU_ID, _MSR_PLATFORM_INFO, _DISABLE_QUIRKS2 (the quirks that
 * KVM_CHECK_EXTENSION names, else -EINVAL) and _X86_USER_SPACE_MSR; no
 * other capability offered here can be enabled, as KVM answers for those.
 */
static long enable_cap(struct keel_vm *vm, void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.cap == KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)
		return keel_enable_manual_dirty(vm, &cap);
	if (cap.cap == KVM_CAP_SPLIT_IRQCHIP)
		return keel_enable_split_irqchip(vm, &cap);
	if (cap.cap == KVM_CAP_MAX_VCPU_ID)
		return set_max_vcpu_ids(vm, &cap);
	if (cap.cap == KVM_CAP_MSR_PLATFORM_INFO)
		return keel_enable_cap(vm, KEEL_CAP_PLATFORM_INFO, KEEL_CAP_VM, !!cap.args[0]);
	if (cap.cap == KVM_CAP_DISABLE_QUIRKS2)
		return keel_enable_cap(vm, KEEL_CAP_QUIRKS, KEEL_CAP_VM, cap.args[0]);
	if (cap.cap == KVM_CAP_X86_USER_SPACE_MSR)
		return enable_user_msr(vm, &cap);
	return -EINVAL;
}

/* KVM's checks of kvm_vm_ioctl_set_msr_filter(), before a bitmap is read. */
static long check_msr_filter(const struct kvm_msr_filter *f)
{
	bool empty = true;

	if (f->flags & ~KVM_MSR_FILTER_DEFAULT_DENY)
		return -EINVAL;
	for (int i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		empty &= !f->ranges[i].nmsrs;
	if (empty && (f->flags & KVM_MSR_FILTER_DEFAULT_DENY))
		return -EINVAL;
	for (int i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
		const struct kvm_msr_filter_range *r = &f->ranges[i];

		if (!r->nmsrs)
			continue;
		if (!r->flags || (r->flags & ~(KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE)) ||
		    BITS_TO_LONGS(r->nmsrs) * sizeof(long) > KVM_MSR_FILTER_MAX_BITMAP_SIZE)
			return -EINVAL;
	}
	return 0;
}

/* KVM_X86_SET_MSR_FILTER (api.rst 4.97): Keel keeps the filter and applies it. */
static long set_msr_filter(struct keel_vm *vm, void __user *argp)
{
	struct kvm_msr_filter f;
	struct keel_msr_filter *k;
	long r;

	if (copy_from_user(&f, argp, sizeof(f)))
		return -EFAULT;
	r = check_msr_filter(&f);
	if (r)
		return r;
	k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k)
		return -ENOMEM;
	k->flags = f.flags;
	for (int i = 0; i < KVM_MSR_FILTER_MAX_RANGES && !r; i++) {
		const struct kvm_msr_filter_range *u = &f.ranges[i];

		if (!u->nmsrs)
			continue;
		k->ranges[i] = (struct keel_msr_range){ u->flags, u->nmsrs, u->base };
		if (copy_from_user(k->bitmaps[i], u->bitmap,
				   BITS_TO_LONGS(u->nmsrs) * sizeof(long)))
			r = -EFAULT;
	}
	if (!r) {
		mutex_lock(&vm->lock);	/* one filter change at a time, as KVM's kvm->lock */
		r = keel_hypercall(KEEL_HC_MSR_FILTER, vm->handle, 0, virt_to_phys(k), 0);
		mutex_unlock(&vm->lock);
	}
	kfree(k);
	return r ? keel_errno(r) : 0;
}

/* The interrupt controllers, their routes and lines: what kvm_arch_vm_ioctl() has for them. */
static long vm_irq_ioctl(struct keel_vm *vm, unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_CREATE_IRQCHIP:
	case KVM_GET_IRQCHIP:
	case KVM_SET_IRQCHIP:
	case KVM_CREATE_PIT:
	case KVM_CREATE_PIT2:
	case KVM_GET_PIT:
	case KVM_SET_PIT:
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
	case KVM_REINJECT_CONTROL:
		return keel_irqchip_ioctl(vm, ioctl, argp);
	case KVM_SET_GSI_ROUTING:
		return keel_set_gsi_routing(vm, argp);
	case KVM_SIGNAL_MSI:
		return keel_signal_msi(vm, argp);
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
		return keel_irq_line(vm, argp, ioctl == KVM_IRQ_LINE_STATUS);
	case KVM_IRQFD:
		return keel_irqfd(vm, argp);
	default:
		return -ENOTTY;	/* as kvm_arch_vm_ioctl() for an ioctl it does not know */
	}
}

/* Only the VMM that created the VM may use it, as kvm_vm_ioctl() requires (-EIO). */
static long keel_vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct keel_vm *vm = filp->private_data;

	if (vm->mm != current->mm)
		return -EIO;
	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return keel_check_extension(arg);
	case KVM_SET_USER_MEMORY_REGION:
		return set_region_ioctl(vm, (void __user *)arg);
	case KVM_CREATE_VCPU:
		return keel_create_vcpu(vm, arg);
	case KVM_SET_TSS_ADDR:
		return 0;
	case KVM_SET_NR_MMU_PAGES:
	case KVM_GET_NR_MMU_PAGES:
		return nr_mmu_pages_ioctl(vm, ioctl, arg);
	case KVM_SET_IDENTITY_MAP_ADDR:
	case KVM_SET_BOOT_CPU_ID:
		return vm_setup_ioctl(vm, ioctl, arg);
	case KVM_ENABLE_CAP:
		return enable_cap(vm, (void __user *)arg);
	case KVM_GET_DIRTY_LOG:
		return keel_get_dirty_log(vm, (void __user *)arg);
	case KVM_CLEAR_DIRTY_LOG:
		return keel_clear_dirty_log(vm, (void __user *)arg);
	case KVM_GET_CLOCK:
	case KVM_SET_CLOCK:
		return keel_clock_ioctl(vm, ioctl, (void __user *)arg);
	case KVM_IOEVENTFD:
		return keel_ioeventfd(vm, (void __user *)arg);
	case KVM_REGISTER_COALESCED_MMIO:
	case KVM_UNREGISTER_COALESCED_MMIO:
		return keel_coalesced_mmio(vm, (void __user *)arg,
					   ioctl == KVM_REGISTER_COALESCED_MMIO);
	case KVM_GET_STATS_FD:
		return keel_get_stats_fd(vm, NULL);
	case KVM_X86_SET_MSR_FILTER:
		return set_msr_filter(vm, (void __user *)arg);
	default:
		return vm_irq_ioctl(vm, ioctl, (void __user *)arg);
	}
}

static const struct file_operations keel_vm_fops = {
	.owner = THIS_MODULE,
	.release = keel_vm_release,
	.unlocked_ioctl = keel_vm_ioctl,
	.compat_ioctl = keel_vm_ioctl,
	.llseek = noop_llseek,
};

static struct keel_vm *vm_alloc(void)
{
	struct keel_vm *vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);

	if (!vm)
		return NULL;
	vm->ring = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->ring) {
		kfree(vm);
		return NULL;
	}
	keel_iodev_init(vm);
	INIT_LIST_HEAD(&vm->debugfs_node);
	keel_irq_init(vm);
	kref_init(&vm->kref);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->mmu_lock);
	vm->mn.ops = &keel_mn_ops;
	vm->mm = current->mm;
	vm->pid = task_pid_nr(current);
	mmgrab(vm->mm);
	return vm;
}

/* What vm_alloc() made, before the VM has anything else. */
static void vm_unalloc(struct keel_vm *vm)
{
	mmdrop(vm->mm);
	free_page((unsigned long)vm->ring);
	kfree(vm);
}

/* As kvm_dev_ioctl_create_vm(): debugfs names the fd before a close can come. */
static int install_vm_fd(struct keel_vm *vm)
{
	struct file *file;
	int fd = get_unused_fd_flags(O_CLOEXEC);

	if (fd < 0) {
		keel_vm_put(vm);
		return fd;
	}
	file = anon_inode_getfile("kvm-vm", &keel_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		keel_vm_put(vm);
		return PTR_ERR(file);
	}
	keel_debugfs_add_vm(vm, fd);
	fd_install(fd, file);
	return fd;
}

/* The coalesced MMIO ring: Keel appends to it (KEEL_HC_COALESCED), the VMM maps it. */
static int keel_vm_ring(struct keel_vm *vm)
{
	long r = keel_hypercall(KEEL_HC_COALESCED, vm->handle, KEEL_COALESCED_RING,
				virt_to_phys(vm->ring), 0);

	return r ? keel_errno(r) : 0;
}

/* KVM_CREATE_VM: machine type 0 only (api.rst 4.2); Keel's handle is checked before use. */
int keel_create_vm(unsigned long type)
{
	struct keel_vm *vm;
	long handle;
	int fd;

	if (type)
		return -EINVAL;
	vm = vm_alloc();
	if (!vm)
		return -ENOMEM;
	handle = keel_hypercall(KEEL_HC_VM_CREATE, task_tgid_nr(current), 0, 0, 0);
	if (handle <= 0) {
		vm_unalloc(vm);
		return handle ? keel_errno(handle) : -EPROTO;
	}
	vm->handle = handle;
	fd = keel_vm_ring(vm) ?: keel_vm_clock_init(vm) ?:
	     mmu_notifier_register(&vm->mn, current->mm);
	if (fd) {
		keel_hypercall(KEEL_HC_VM_DESTROY, vm->handle, 0, 0, 0);
		vm_unalloc(vm);
		return fd;
	}
	return install_vm_fd(vm);
}
