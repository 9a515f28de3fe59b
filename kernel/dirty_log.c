// SPDX-License-Identifier: GPL-2.0
/*
 * The log is a set, kept as an unordered array: the vCPUs' exits append,
 * the control guest's fetch takes from the end. Its size bounds Keel's
 * memory per VM; a vCPU whose buffer does not fit keeps the rest and,
 * once that buffer is full, exits to its VMM to have the log fetched
 * (KEEL_EXIT_DIRTY).
 */
#include "kernel/arch.h"
#include "kernel/dirty_log.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/spinlock.h"
#include "kernel/string.h"
#include "kernel/vm.h"

#define DIRTY_LOG_ENTRIES 2044	/* with its lock, count and the heap's header: 4 pages */
#define FETCH_MAX (PAGE_SIZE / sizeof(u64))

struct dirty_log {
	struct spinlock lock;
	unsigned int count;
	u64 gpa[DIRTY_LOG_ENTRIES];
};

int dirty_log_create(struct vm *vm)
{
	if (!arch_logs_writes())
		return 0;
	vm->dirty_log = kzalloc(sizeof(*vm->dirty_log));	/* zeroed: an unlocked lock */
	return vm->dirty_log ? 0 : -ENOMEM;
}

void dirty_log_free(struct vm *vm)
{
	kfree(vm->dirty_log);
	vm->dirty_log = NULL;
}

unsigned int dirty_log_add(struct vm *vm, const u64 *gpa, unsigned int n)
{
	struct dirty_log *d = vm->dirty_log;
	u64 flags = spin_lock_irqsave(&d->lock);

	n = MIN(n, DIRTY_LOG_ENTRIES - d->count);
	memcpy(&d->gpa[d->count], gpa, n * sizeof(u64));
	d->count += n;
	spin_unlock_irqrestore(&d->lock, flags);
	return n;
}

/*
 * vm_wait_exits() first: a vCPU in the guest moves its buffer into the log
 * at the exit it is kicked to, so the call sees what was written before it.
 */
s64 dirty_log_fetch(struct vm *vm, struct vm *to, u64 buf, u64 max)
{
	struct dirty_log *d = vm->dirty_log;
	unsigned int n;
	u64 flags;
	int r;

	if (!d || !max || max > FETCH_MAX)
		return -EINVAL;
	vm_wait_exits(vm);
	flags = spin_lock_irqsave(&d->lock);
	n = MIN(d->count, (unsigned int)max);
	r = vm_write_phys(to, buf, &d->gpa[d->count - n], n * sizeof(u64));
	if (!r)
		d->count -= n;
	spin_unlock_irqrestore(&d->lock, flags);
	return r ? r : (s64)n;
}
