// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty logging (api.rst 4.37 KVM_GET_DIRTY_LOG, 4.117 KVM_CLEAR_DIRTY_LOG,
 * 7.18 KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2), in 4 KiB pages, one of two ways:
 *
 * - Where the CPU logs writes (KEEL_FEATURE_WRITE_LOG: VMX's PML), Keel
 *   keeps a bitmap for each logged slot (KEEL_MEM_LOG) and maps its pages
 *   writable but clean: the CPU logs each page's first write, and Keel sets
 *   its bit, as for its own writes; fetch() moves Keel's bits into the
 *   slot's. To protect a page again Keel makes it clean (KEEL_UNMAP_CLEAN).
 *   No write exits.
 * - Elsewhere (SVM) a logged slot's pages are mapped read-only until the
 *   guest writes them: the write faults, and the fault path (vm.c) maps the
 *   page writable and sets its bit. To protect a page again Keel unmaps it,
 *   so the next access faults in as a read.
 *
 * Bits change under mmu_lock; slots do not change under vm->lock.
 */
#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "keel_kvm.h"

#define MANUAL_CAPS (KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET)
#define X86_ADDRESS_SPACES 2		/* KVM_ADDRESS_SPACE_NUM: normal and SMM */

static unsigned long bitmap_bytes(u64 size)
{
	return ALIGN(size >> PAGE_SHIFT, BITS_PER_LONG) / 8;
}

/*
 * Twice the log's size, as KVM's: the second half is the buffer that
 * KVM_GET/CLEAR_DIRTY_LOG work in. All set if the VMM asked for
 * KVM_DIRTY_LOG_INITIALLY_SET (api.rst 7.18).
 */
unsigned long *keel_dirty_alloc(struct keel_vm *vm, u64 size)
{
	unsigned long *bitmap = kvzalloc(2 * bitmap_bytes(size), GFP_KERNEL_ACCOUNT);

	if (bitmap && (vm->manual_dirty & KVM_DIRTY_LOG_INITIALLY_SET))
		bitmap_set(bitmap, 0, size >> PAGE_SHIFT);
	return bitmap;
}

/* Keel cleans or unmaps the pages of @mask, at page @first of @s: each run of set bits at once. */
static void protect(struct keel_vm *vm, const struct keel_slot *s, unsigned long first,
		    unsigned long mask)
{
	unsigned long bit = find_first_bit(&mask, BITS_PER_LONG), end;
	u64 gpa;
	long ret;

	while (bit < BITS_PER_LONG) {
		end = find_next_zero_bit(&mask, BITS_PER_LONG, bit);
		gpa = s->gpa + ((first + bit) << PAGE_SHIFT);
		ret = keel_hypercall(KEEL_HC_UNMAP, vm->handle, gpa, (end - bit) << PAGE_SHIFT,
				     keel_write_log ? KEEL_UNMAP_CLEAN : 0);
		WARN_ONCE(ret, "Keel refused to unmap: %ld\n", ret);
		bit = find_next_bit(&mask, BITS_PER_LONG, end);
	}
}

/* Keel's @n words of slot @s's log from word @first, ORed into the module's. */
static void merge(struct keel_vm *vm, struct keel_slot *s, unsigned long first, const u64 *words,
		  long n)
{
	long pages = 0;

	spin_lock(&vm->mmu_lock);
	for (long i = 0; i < n; i++) {
		s->dirty[first + i] |= words[i];
		pages += hweight64(words[i]);
	}
	spin_unlock(&vm->mmu_lock);
	atomic64_add(pages, &keel_stats.write_logged);
}

/*
 * Where the CPU logs writes: Keel's bits of slot @id move into @s's before
 * its log is read, as KVM flushes the vCPUs' PML buffers then
 * (kvm_arch_sync_dirty_log()). Caller holds vm->lock.
 */
static int fetch(struct keel_vm *vm, struct keel_slot *s, u16 id)
{
	unsigned long words = bitmap_bytes(s->size) / sizeof(u64), w;
	long n = 0;
	u64 *buf;

	if (!keel_write_log)
		return 0;
	buf = (u64 *)__get_free_page(GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (w = 0; w < words; w += n) {
		n = keel_hypercall(KEEL_HC_DIRTY_FETCH, vm->handle, id, w, virt_to_phys(buf));
		if (n <= 0)
			break;
		merge(vm, s, w, buf, n);
	}
	free_page((unsigned long)buf);
	return n < 0 ? keel_errno(n) : 0;
}

/*
 * The logged slot @id names (api.rst: the address space in bits 16-31).
 * As on x86 KVM, address space 1 (SMM) has no log here (-ENOENT) and
 * higher ones are -EINVAL. Caller holds vm->lock.
 */
static struct keel_slot *logged_slot(struct keel_vm *vm, u32 id, int *err)
{
	struct keel_slot *s;

	*err = -EINVAL;
	if ((id >> 16) > X86_ADDRESS_SPACES - 1)
		return NULL;
	*err = -ENOENT;
	if ((id >> 16) || (u16)id >= KEEL_MAX_MEMSLOTS)
		return NULL;
	s = &vm->slots[(u16)id];
	return s->size && s->dirty ? s : NULL;
}

/*
 * Keel's bits first, then, without manual protection, each set bit is
 * cleared and its page protected before the log is copied out: a write
 * after that is in the next log, a write before it is in the page the VMM
 * copies after this.
 */
static int get_dirty_log(struct keel_vm *vm, const struct kvm_dirty_log *log)
{
	struct keel_slot *s;
	unsigned long n, *buf;
	int r;

	s = logged_slot(vm, log->slot, &r);
	if (!s)
		return r;
	r = fetch(vm, s, (u16)log->slot);
	if (r)
		return r;
	n = bitmap_bytes(s->size);
	buf = s->dirty;
	if (!(vm->manual_dirty & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)) {
		buf = s->dirty + n / sizeof(long);
		spin_lock(&vm->mmu_lock);
		for (unsigned long i = 0; i < n / sizeof(long); i++) {
			buf[i] = s->dirty[i];
			s->dirty[i] = 0;
			if (buf[i])
				protect(vm, s, i * BITS_PER_LONG, buf[i]);
		}
		spin_unlock(&vm->mmu_lock);
	}
	return copy_to_user(log->dirty_bitmap, buf, n) ? -EFAULT : 0;
}

long keel_get_dirty_log(struct keel_vm *vm, void __user *argp)
{
	struct kvm_dirty_log log;
	int r;

	if (copy_from_user(&log, argp, sizeof(log)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	r = get_dirty_log(vm, &log);
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM's checks in kvm_clear_dirty_log_protect(), in its order. */
static struct keel_slot *clear_slot(struct keel_vm *vm, const struct kvm_clear_dirty_log *log,
				    int *err)
{
	struct keel_slot *s;
	u64 npages;

	*err = -EINVAL;
	if ((log->slot >> 16) > X86_ADDRESS_SPACES - 1 || (log->first_page & 63))
		return NULL;
	s = logged_slot(vm, log->slot, err);
	if (!s)
		return NULL;
	npages = s->size >> PAGE_SHIFT;
	*err = -EINVAL;
	if (log->first_page > npages || log->num_pages > npages - log->first_page ||
	    (log->num_pages < npages - log->first_page && (log->num_pages & 63)))
		return NULL;
	return s;
}

/*
 * The bits the VMM names that are set are cleared, and only those pages
 * protected again. Keel's bits are not fetched first, as KVM syncs here:
 * the VMM names only pages it saw dirty, and those log nothing new until
 * they are protected again.
 */
static int clear_dirty_log(struct keel_vm *vm, const struct kvm_clear_dirty_log *log)
{
	unsigned long n, i, first, *buf;
	struct keel_slot *s;
	int r;

	s = clear_slot(vm, log, &r);
	if (!s)
		return r;
	n = DIV_ROUND_UP(log->num_pages, BITS_PER_LONG);
	buf = s->dirty + bitmap_bytes(s->size) / sizeof(long);
	if (copy_from_user(buf, log->dirty_bitmap, n * sizeof(long)))
		return -EFAULT;
	first = log->first_page / BITS_PER_LONG;
	spin_lock(&vm->mmu_lock);
	for (i = 0; i < n; i++) {
		unsigned long mask = buf[i] & s->dirty[first + i];

		s->dirty[first + i] &= ~mask;
		if (mask)
			protect(vm, s, (first + i) * BITS_PER_LONG, mask);
	}
	spin_unlock(&vm->mmu_lock);
	return 0;
}

long keel_clear_dirty_log(struct keel_vm *vm, void __user *argp)
{
	struct kvm_clear_dirty_log log;
	int r;

	if (copy_from_user(&log, argp, sizeof(log)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	r = clear_dirty_log(vm, &log);
	mutex_unlock(&vm->lock);
	return r;
}

/* KVM_ENABLE_CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2): INITIALLY_SET only with ENABLE, as KVM. */
int keel_enable_manual_dirty(struct keel_vm *vm, const struct kvm_enable_cap *cap)
{
	u64 allowed = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;

	if (cap->args[0] & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)
		allowed = MANUAL_CAPS;
	if (cap->flags || (cap->args[0] & ~allowed))
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->manual_dirty = cap->args[0];
	mutex_unlock(&vm->lock);
	return 0;
}

int keel_dirty_caps(void)
{
	return MANUAL_CAPS;
}
