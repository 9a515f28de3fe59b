// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs that Keel's scheduler runs on other CPUs. KEEL_HC_VCPU_RUN either
 * runs the vCPU on this CPU (the fast path) or queues it where Keel's
 * policy puts it and returns KEEL_RUN_QUEUED; the VMM's thread then sleeps
 * here until Keel hands the vCPU back, which it says by clearing
 * keel_run.in_keel and raising POSTED_INTR_WAKEUP_VECTOR in this guest's
 * LAPIC: a system vector whose IDT entry every kernel built with
 * CONFIG_HAVE_KVM has, free here since no kvm_intel runs in Keel's control
 * guest. A signal asks Keel to hand the vCPU back at once (as KVM kicks a
 * vCPU out of guest mode) and waits for it: the vCPU never runs while its
 * thread is outside KVM_RUN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <asm/irq.h>
#include <asm/irq_vectors.h>

#include "keel_kvm.h"

static DEFINE_SPINLOCK(waiting_lock);
static LIST_HEAD(waiting);

static bool keel_has_it(struct keel_vcpu *vcpu)
{
	/* Keel writes the exit, then clears in_keel: the exit is read after this. */
	return smp_load_acquire(&vcpu->krun->in_keel);
}

/* In hard interrupt context: each thread whose vCPU came back wakes. */
static void keel_sched_wakeup(void)
{
	struct keel_vcpu *vcpu;

	spin_lock(&waiting_lock);
	list_for_each_entry(vcpu, &waiting, wait_node)
		if (!keel_has_it(vcpu))
			wake_up(&vcpu->wait);
	spin_unlock(&waiting_lock);
}

static void kick(struct keel_vcpu *vcpu)
{
	long ret = keel_hypercall(KEEL_HC_VCPU_KICK, vcpu->vm->handle, vcpu->id, 0, 0);

	WARN_ONCE(ret, "KEEL_HC_VCPU_KICK: %ld\n", ret);
}

/*
 * Until Keel hands the vCPU back: -ERESTARTSYS for a signal first. The
 * vector reaches the CPU that made the call; should that CPU go offline
 * meanwhile, the second's timeout still sees in_keel cleared.
 */
static int wait_for_keel(struct keel_vcpu *vcpu, bool signals)
{
	long left;

	do {
		if (signals)
			left = wait_event_interruptible_timeout(vcpu->wait, !keel_has_it(vcpu), HZ);
		else
			left = wait_event_timeout(vcpu->wait, !keel_has_it(vcpu), HZ);
	} while (!left);
	return left < 0 ? (int)left : 0;
}

long keel_sched_wait(struct keel_vcpu *vcpu)
{
	spin_lock_irq(&waiting_lock);
	list_add(&vcpu->wait_node, &waiting);
	spin_unlock_irq(&waiting_lock);
	if (wait_for_keel(vcpu, true)) {
		kick(vcpu);
		wait_for_keel(vcpu, false);
	}
	spin_lock_irq(&waiting_lock);
	list_del(&vcpu->wait_node);
	spin_unlock_irq(&waiting_lock);
	return 0;
}

void keel_sched_init(void)
{
	kvm_set_posted_intr_wakeup_handler(keel_sched_wakeup);
}

void keel_sched_exit(void)
{
	kvm_set_posted_intr_wakeup_handler(NULL);	/* waits for a handler still running */
}
