/* SPDX-License-Identifier: GPL-2.0 */
/* Ticket spinlocks: FIFO, so no CPU starves under contention. */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include "asm/processor.h"
#include "kernel/types.h"

struct spinlock {
	volatile u32 next;
	volatile u32 owner;
};

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock(struct spinlock *l)
{
	u32 ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
}

static inline bool spin_trylock(struct spinlock *l)
{
	u32 owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	u32 expect = owner;

	return __atomic_compare_exchange_n(&l->next, &expect, owner + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

/* Interrupt-safe variants: the flags word restores the caller's IF. */
#ifdef HOST_TEST	/* unit tests run in user mode, where CLI and STI fault */
static inline u64 spin_lock_irqsave(struct spinlock *l)
{
	spin_lock(l);
	return 0;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	spin_unlock(l);
}
#else
static inline u64 spin_lock_irqsave(struct spinlock *l)
{
	u64 flags = read_rflags();

	irq_disable();
	spin_lock(l);
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, u64 flags)
{
	spin_unlock(l);
	if (flags & BIT(9))
		irq_enable();
}
#endif

#endif
