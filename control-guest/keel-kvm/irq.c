// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts with the in-kernel LAPIC (api.rst 7.23 KVM_CAP_SPLIT_IRQCHIP:
 * the VMM keeps the PIC and I/O APIC). Keel owns each vCPU's LAPIC and
 * delivers MSIs to them (KEEL_HC_VM_IRQCHIP); this file keeps what KVM
 * keeps in its kernel for a VMM: the GSI routing table (4.52
 * KVM_SET_GSI_ROUTING, MSI entries only in this mode), KVM_SIGNAL_MSI,
 * KVM_IRQ_LINE on routed GSIs, irqfds (4.75 KVM_IRQFD), and the vectors
 * whose EOI the VMM's I/O APIC must see. The routing table is read under
 * RCU, also by irqfd wake-ups in atomic context: a hypercall does not sleep.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/io.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "keel_kvm.h"

#define MAX_RESERVED_IOAPIC_PINS KEEL_MAX_IRQ_ROUTES	/* KVM's MAX_NR_RESERVED_IOAPIC_PINS */
#define MSI_DATA_LEVEL BIT(15)		/* trigger mode (SDM Vol. 3A 11.11.2) */

/* Where irqfds are taken down: off the eventfd's wait queue, which a wake-up cannot do itself. */
static struct workqueue_struct *irqfd_wq;

struct keel_routes {
	struct rcu_head rcu;
	u32 nr;
	struct kvm_irq_routing_entry e[];
};

struct keel_irqfd {
	struct list_head list;
	struct keel_vm *vm;
	struct eventfd_ctx *ctx;
	u32 gsi;
	wait_queue_entry_t wait;
	poll_table pt;
	wait_queue_head_t *wqh;
	struct work_struct shutdown;
};

static long msi(struct keel_vm *vm, u32 lo, u32 hi, u32 data)
{
	return keel_hypercall(KEEL_HC_VM_IRQCHIP, vm->handle, KEEL_IRQCHIP_MSI,
			      (u64)hi << 32 | lo, data);
}

/* One route: an irqchip pin follows the line; an MSI is sent on an assert only. */
static long set_route(struct keel_vm *vm, const struct kvm_irq_routing_entry *e, bool level)
{
	if (e->type == KVM_IRQ_ROUTING_IRQCHIP)
		return keel_hypercall(KEEL_HC_VM_IRQCHIP, vm->handle, KEEL_IRQCHIP_PIN,
				      e->u.irqchip.irqchip, (u64)level << 32 | e->u.irqchip.pin);
	if (!level)
		return -1;
	return msi(vm, e->u.msi.address_lo, e->u.msi.address_hi, e->u.msi.data);
}

/* KVM's kvm_set_irq(): every route of @gsi; the result adds theirs, -1 if none ran. */
static int set_gsi(struct keel_vm *vm, u32 gsi, bool level)
{
	const struct keel_routes *rt;
	int ret = -1;
	long r;

	rcu_read_lock();
	rt = rcu_dereference(vm->routes);
	for (u32 i = 0; rt && i < rt->nr; i++) {
		if (rt->e[i].gsi != gsi)
			continue;
		r = set_route(vm, &rt->e[i], level);
		if (r >= 0)
			ret = r + max(ret, 0);
	}
	rcu_read_unlock();
	return ret;
}

/* KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP): args[0] I/O APIC pins, before the first vCPU. */
int keel_enable_split_irqchip(struct keel_vm *vm, const struct kvm_enable_cap *cap)
{
	long ret;

	if (cap->args[0] > MAX_RESERVED_IOAPIC_PINS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	ret = vm->nr_vcpus || keel_irqchip_in_kernel(vm) ? -KEEL_EEXIST :
		keel_hypercall(KEEL_HC_VM_IRQCHIP, vm->handle, KEEL_IRQCHIP_SPLIT, 0, 0);
	if (!ret) {
		vm->split_irqchip = true;
		vm->nr_ioapic_pins = cap->args[0];
	}
	mutex_unlock(&vm->lock);
	return ret ? keel_errno(ret) : 0;
}

/*
 * KVM's checks of an entry: a GSI in range, no flags (no device ids on
 * x86), an MSI, or with the full irqchip a pin of the PIC (8 each) or the
 * I/O APIC (24).
 */
static bool route_ok(const struct keel_vm *vm, const struct kvm_irq_routing_entry *e)
{
	const struct kvm_irq_routing_irqchip *c = &e->u.irqchip;

	if (e->gsi >= KEEL_MAX_IRQ_ROUTES || e->flags)
		return false;
	if (e->type == KVM_IRQ_ROUTING_MSI)
		return true;
	return e->type == KVM_IRQ_ROUTING_IRQCHIP && vm->irqchip_full &&
	       c->irqchip < KVM_NR_IRQCHIPS &&
	       c->pin < (c->irqchip == KVM_IRQCHIP_IOAPIC ? KVM_IOAPIC_NUM_PINS : 8);
}

/*
 * The vectors the VMM's I/O APIC pins use level-triggered: their EOI exits
 * (KVM_EXIT_IOAPIC_EOI), as KVM's kvm_scan_ioapic_routes() finds them.
 */
static long push_eoi_exits(struct keel_vm *vm, const struct keel_routes *rt)
{
	memset(vm->eoi_exits, 0, sizeof(vm->eoi_exits));
	for (u32 i = 0; i < rt->nr; i++)
		if (rt->e[i].gsi < vm->nr_ioapic_pins && rt->e[i].type == KVM_IRQ_ROUTING_MSI &&
		    (rt->e[i].u.msi.data & MSI_DATA_LEVEL))
			__set_bit(rt->e[i].u.msi.data & 0xff, vm->eoi_exits);
	return keel_hypercall(KEEL_HC_VM_IRQCHIP, vm->handle, KEEL_IRQCHIP_EOI_EXITS,
			      virt_to_phys(vm->eoi_exits), 0);
}

static struct keel_routes *routes_from_user(struct keel_vm *vm,
					    struct kvm_irq_routing __user *user, u32 nr)
{
	struct keel_routes *rt = kvzalloc(struct_size(rt, e, nr), GFP_KERNEL_ACCOUNT);

	if (!rt)
		return ERR_PTR(-ENOMEM);
	rt->nr = nr;
	if (copy_from_user(rt->e, user->entries, nr * sizeof(rt->e[0]))) {
		kvfree(rt);
		return ERR_PTR(-EFAULT);
	}
	for (u32 i = 0; i < nr; i++) {
		if (!route_ok(vm, &rt->e[i])) {
			kvfree(rt);
			return ERR_PTR(-EINVAL);
		}
	}
	return rt;
}

static void routes_free(struct rcu_head *head)
{
	kvfree(container_of(head, struct keel_routes, rcu));
}

/* Caller holds vm->lock. Readers see the old table or the new one. */
static long install_routes(struct keel_vm *vm, struct keel_routes *rt)
{
	struct keel_routes *old = rcu_replace_pointer(vm->routes, rt, lockdep_is_held(&vm->lock));

	if (old)
		call_rcu(&old->rcu, routes_free);
	return vm->irqchip_full ? 0 : push_eoi_exits(vm, rt);
}

/*
 * KVM_CREATE_IRQCHIP's table (KVM's default_routing): GSIs 0-15 to the PIC
 * pin and the I/O APIC pin of that number, 16-23 to the I/O APIC. Caller
 * holds vm->lock.
 */
int keel_default_routes(struct keel_vm *vm)
{
	struct keel_routes *rt = kvzalloc(struct_size(rt, e, 40), GFP_KERNEL_ACCOUNT);
	u32 n = 0;

	if (!rt)
		return -ENOMEM;
	for (u32 gsi = 0; gsi < KVM_IOAPIC_NUM_PINS; gsi++) {
		rt->e[n++] = (struct kvm_irq_routing_entry){ .gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi } };
		if (gsi < 16)
			rt->e[n++] = (struct kvm_irq_routing_entry){ .gsi = gsi,
				.type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { .irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
							 KVM_IRQCHIP_PIC_SLAVE, .pin = gsi % 8 } };
	}
	rt->nr = n;
	return install_routes(vm, rt);
}

/* KVM_SET_GSI_ROUTING: the whole table is replaced. */
long keel_set_gsi_routing(struct keel_vm *vm, void __user *argp)
{
	struct kvm_irq_routing __user *user = argp;
	struct kvm_irq_routing head;
	struct keel_routes *rt;
	long ret;

	if (copy_from_user(&head, user, sizeof(head)))
		return -EFAULT;
	if (!keel_irqchip_in_kernel(vm) || head.nr > KEEL_MAX_IRQ_ROUTES || head.flags)
		return -EINVAL;
	rt = routes_from_user(vm, user, head.nr);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	mutex_lock(&vm->lock);
	ret = install_routes(vm, rt);
	mutex_unlock(&vm->lock);
	return ret ? keel_errno(ret) : 0;
}

/* KVM_SIGNAL_MSI: the message now, whatever the routes say; -EINVAL for flags x86 lacks. */
long keel_signal_msi(struct keel_vm *vm, void __user *argp)
{
	struct kvm_msi m;
	long ret;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (!keel_irqchip_in_kernel(vm) || (m.flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	ret = msi(vm, m.address_lo, m.address_hi, m.data);
	return ret < 0 ? keel_errno(ret) : ret;
}

/* KVM_IRQ_LINE and _STATUS: -ENXIO without the in-kernel LAPIC, as KVM. */
long keel_irq_line(struct keel_vm *vm, void __user *argp, bool status)
{
	struct kvm_irq_level l;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (!keel_irqchip_in_kernel(vm))
		return -ENXIO;
	l.status = set_gsi(vm, l.irq, l.level);
	if (status && copy_to_user(argp, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

/* ---------------------------------------------------------------- irqfds */

/* Process context: off the eventfd's wait queue, then freed. */
static void irqfd_shutdown(struct work_struct *work)
{
	struct keel_irqfd *f = container_of(work, struct keel_irqfd, shutdown);
	u64 cnt;

	eventfd_ctx_remove_wait_queue(f->ctx, &f->wait, &cnt);
	eventfd_ctx_put(f->ctx);
	kfree(f);
}

/* Caller holds vm->irqfd_lock. */
static void irqfd_deactivate(struct keel_irqfd *f)
{
	list_del_init(&f->list);
	queue_work(irqfd_wq, &f->shutdown);
}

/*
 * The eventfd's wake-up, in atomic context: a signal injects at once (the
 * hypercall does not sleep), as KVM's irqfd_wakeup() does for MSI routes;
 * the eventfd's end removes the irqfd.
 */
static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct keel_irqfd *f = container_of(wait, struct keel_irqfd, wait);
	__poll_t flags = key_to_poll(key);
	unsigned long lock_flags;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(f->ctx, &cnt);
		set_gsi(f->vm, f->gsi, true);
	}
	if (flags & EPOLLHUP) {
		spin_lock_irqsave(&f->vm->irqfd_lock, lock_flags);
		if (!list_empty(&f->list))
			irqfd_deactivate(f);
		spin_unlock_irqrestore(&f->vm->irqfd_lock, lock_flags);
	}
	return 0;
}

static void irqfd_ptable_queue(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct keel_irqfd *f = container_of(pt, struct keel_irqfd, pt);

	f->wqh = wqh;
	add_wait_queue_priority(wqh, &f->wait);
}

/* Registered once per eventfd (-EBUSY for the same one again), as KVM's kvm_irqfd_assign(). */
static int irqfd_add(struct keel_vm *vm, struct keel_irqfd *f)
{
	struct keel_irqfd *other;
	int r = 0;

	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry(other, &vm->irqfds, list)
		if (other->ctx == f->ctx)
			r = -EBUSY;
	if (!r)
		list_add_tail(&f->list, &vm->irqfds);
	spin_unlock_irq(&vm->irqfd_lock);
	return r;
}

static int irqfd_assign(struct keel_vm *vm, const struct kvm_irqfd *args)
{
	struct keel_irqfd *f;
	struct fd file;
	__poll_t events;
	int r;

	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->vm = vm;
	f->gsi = args->gsi;
	INIT_LIST_HEAD(&f->list);
	INIT_WORK(&f->shutdown, irqfd_shutdown);
	file = fdget(args->fd);
	f->ctx = file.file ? eventfd_ctx_fileget(file.file) : ERR_PTR(-EBADF);
	r = IS_ERR(f->ctx) ? PTR_ERR(f->ctx) : 0;
	if (!r) {
		init_waitqueue_func_entry(&f->wait, irqfd_wakeup);
		init_poll_funcptr(&f->pt, irqfd_ptable_queue);
		r = irqfd_add(vm, f);
		if (r)
			eventfd_ctx_put(f->ctx);
	}
	if (r) {
		fdput(file);
		kfree(f);
		return r;
	}
	events = vfs_poll(file.file, &f->pt);	/* queues irqfd_wakeup on the eventfd */
	if (events & EPOLLIN)
		set_gsi(vm, f->gsi, true);	/* signalled before it was assigned */
	fdput(file);
	return 0;
}

/* Every irqfd of this eventfd and GSI goes; 0 even for none, as KVM's kvm_irqfd_deassign(). */
static int irqfd_deassign(struct keel_vm *vm, const struct kvm_irqfd *args)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(args->fd);
	struct keel_irqfd *f, *tmp;

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry_safe(f, tmp, &vm->irqfds, list)
		if (f->ctx == ctx && f->gsi == args->gsi)
			irqfd_deactivate(f);
	spin_unlock_irq(&vm->irqfd_lock);
	eventfd_ctx_put(ctx);
	flush_workqueue(irqfd_wq);
	return 0;
}

/*
 * KVM_IRQFD: resampling (for level-triggered INTx) is not offered: the
 * split irqchip lacks the I/O APIC it needs, as KVM says (-EINVAL), and
 * Keel's own has no ack notifier yet (KVM_CAP_IRQFD_RESAMPLE is 0).
 */
long keel_irqfd(struct keel_vm *vm, void __user *argp)
{
	struct kvm_irqfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (args.flags & KVM_IRQFD_FLAG_DEASSIGN)
		return irqfd_deassign(vm, &args);
	if (!keel_irqchip_in_kernel(vm) || (args.flags & KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	return irqfd_assign(vm, &args);
}

void keel_irq_init(struct keel_vm *vm)
{
	INIT_LIST_HEAD(&vm->irqfds);
	spin_lock_init(&vm->irqfd_lock);
}

/* The VM is going: its irqfds first, so that no wake-up uses it after. */
void keel_irq_free(struct keel_vm *vm)
{
	struct keel_irqfd *f, *tmp;

	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry_safe(f, tmp, &vm->irqfds, list)
		irqfd_deactivate(f);
	spin_unlock_irq(&vm->irqfd_lock);
	flush_workqueue(irqfd_wq);
	kvfree(rcu_dereference_protected(vm->routes, true));
}

int keel_irq_module_init(void)
{
	irqfd_wq = alloc_workqueue("keel-kvm-irqfd", 0, 0);
	return irqfd_wq ? 0 : -ENOMEM;
}

void keel_irq_module_exit(void)
{
	destroy_workqueue(irqfd_wq);
}
