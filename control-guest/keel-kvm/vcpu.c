// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU fds: KVM_RUN (api.rst 4.10), the kvm_run mapping (api.rst 5), and
 * the register state (4.11-4.14). Keel runs the vCPU on this CPU in
 * KEEL_HC_VCPU_RUN and describes each exit in the vCPU's keel_run page;
 * this file turns it into KVM's kvm_run, checking it first: a size or
 * count Keel should never give is -EPROTO, not trusted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/irq_vectors.h>

#include "keel_kvm.h"

static vm_fault_t keel_vcpu_fault(struct vm_fault *vmf)
{
	struct keel_vcpu *vcpu = vmf->vma->vm_file->private_data;
	void *addr;

	if (vmf->pgoff == 0)
		addr = vcpu->run;
	else if (vmf->pgoff == KEEL_PIO_PAGE_OFFSET)
		addr = vcpu->pio_data;
	else if (vmf->pgoff == KEEL_COALESCED_MMIO_PAGE_OFFSET)
		addr = vcpu->vm->ring;
	else
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(addr);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct keel_vcpu_vm_ops = {
	.fault = keel_vcpu_fault,
};

static int keel_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &keel_vcpu_vm_ops;
	return 0;
}

/*
 * An IN asks for @count elements (an INS's read-ahead, as KVM's); what the
 * VMM is to answer is noted from Keel's page, never from the VMM's.
 */
static int report_io(struct keel_vcpu *vcpu)
{
	const struct keel_run *k = vcpu->krun;
	struct kvm_run *run = vcpu->run;
	u8 size = k->exit.io.size, in = k->exit.io.in;
	u32 count = k->exit.io.count;
	u64 data = k->exit.io.data;

	if ((size != 1 && size != 2 && size != 4) || !count || count > KEEL_PIO_MAX / size ||
	    (!in && count != 1))
		return -EPROTO;
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = k->exit.io.port;
	run->io.count = count;
	run->io.data_offset = KEEL_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (in) {
		memset(vcpu->pio_data, 0, size * count);	/* as KVM: no stale bytes */
		vcpu->read_kind = KVM_EXIT_IO;
		vcpu->read_size = size * count;
	} else {
		memcpy(vcpu->pio_data, &data, size);
	}
	return 0;
}

static int report_mmio(struct keel_vcpu *vcpu)
{
	const struct keel_run *k = vcpu->krun;
	struct kvm_run *run = vcpu->run;
	u32 len = k->exit.mmio.len;
	u64 data = k->exit.mmio.data;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EPROTO;
	run->exit_reason = KVM_EXIT_MMIO;
	vcpu->own_stats[KEEL_OWN_MMIO_EXITS]++;
	run->mmio.phys_addr = k->exit.mmio.gpa;
	run->mmio.len = len;
	run->mmio.is_write = !!k->exit.mmio.write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (k->exit.mmio.write) {
		memcpy(run->mmio.data, &data, len);
	} else {
		vcpu->read_kind = KVM_EXIT_MMIO;
		vcpu->read_size = len;
	}
	return 0;
}

/* A RDMSR or WRMSR for the VMM (KVM_CAP_X86_USER_SPACE_MSR): error and data come back. */
static int report_msr(struct keel_vcpu *vcpu)
{
	const struct keel_run *k = vcpu->krun;
	struct kvm_run *run = vcpu->run;

	run->exit_reason = k->exit.msr.write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR;
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.reason = k->exit.msr.reason;
	run->msr.index = k->exit.msr.index;
	run->msr.data = k->exit.msr.data;
	vcpu->read_kind = run->exit_reason;
	return 0;
}

static int report_internal(struct keel_vcpu *vcpu)
{
	const struct keel_run *k = vcpu->krun;
	struct kvm_run *run = vcpu->run;
	u32 n = min_t(u32, k->exit.internal.ndata, ARRAY_SIZE(k->exit.internal.data));

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = k->exit.internal.suberror;
	run->internal.ndata = n;
	for (u32 i = 0; i < n; i++)
		run->internal.data[i] = k->exit.internal.data[i];
	return 0;
}

/* What KVM's post_kvm_run_save() reports, then the exit itself. */
static int report_exit(struct keel_vcpu *vcpu, u32 reason)
{
	const struct keel_run *k = vcpu->krun;
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(k->flags & KEEL_RUN_IF);
	run->cr8 = k->cr8;
	run->apic_base = k->apic_base;
	run->ready_for_interrupt_injection = !!(k->flags & KEEL_RUN_READY);
	switch (reason) {
	case KEEL_EXIT_IRQ_WINDOW:
		run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
		vcpu->own_stats[KEEL_OWN_REQUEST_IRQ_EXITS]++;
		return 0;
	case KEEL_EXIT_IO:
		return report_io(vcpu);
	case KEEL_EXIT_MMIO:
		return report_mmio(vcpu);
	case KEEL_EXIT_HLT:
		run->exit_reason = KVM_EXIT_HLT;
		return 0;
	case KEEL_EXIT_IOAPIC_EOI:
		run->exit_reason = KVM_EXIT_IOAPIC_EOI;
		run->eoi.vector = (u8)k->exit.eoi.vector;
		return 0;
	case KEEL_EXIT_SHUTDOWN:
		run->exit_reason = KVM_EXIT_SHUTDOWN;
		return 0;
	case KEEL_EXIT_FAIL_ENTRY:
		run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		run->fail_entry.hardware_entry_failure_reason = k->exit.fail_entry.reason;
		run->fail_entry.cpu = raw_smp_processor_id();
		return 0;
	case KEEL_EXIT_INTERNAL_ERROR:
		return report_internal(vcpu);
	case KEEL_EXIT_MSR:
		return report_msr(vcpu);
	default:
		return -EPROTO;
	}
}

/*
 * The VMM's answer to the read the last exit asked for, taken at the next
 * KVM_RUN (api.rst 5), of the size report_io() or report_mmio() noted; or
 * to an MSR access, with its error.
 */
static void complete_read(struct keel_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct keel_run *k = vcpu->krun;
	u64 data = 0;

	if (vcpu->read_kind == KVM_EXIT_IO) {
		memcpy(k->pio, vcpu->pio_data, vcpu->read_size);
	} else if (vcpu->read_kind == KVM_EXIT_MMIO) {
		memcpy(&data, run->mmio.data, vcpu->read_size);
		k->exit.mmio.data = data;
	} else if (vcpu->read_kind) {	/* KVM_EXIT_X86_RDMSR or _WRMSR */
		k->exit.msr.data = run->msr.data;
		k->exit.msr.error = run->msr.error;
	}
	vcpu->read_kind = 0;
}

/* Keel has taken the interrupt and NMI the VMM queued: they go in at the next entry. */
static void keel_took_requests(struct keel_vcpu *vcpu)
{
	vcpu->krun->interrupt = 0;
	vcpu->krun->request &= ~KEEL_REQ_NMI;
	vcpu->nmi_queued = false;
}

/*
 * What this thread has waited to run, for the vCPU's steal time (KVM's
 * record_steal_time() reads the same).
 */
static u64 keel_run_delay(void)
{
#ifdef CONFIG_SCHED_INFO
	return current->sched_info.run_delay;
#else
	return 0;
#endif
}

/*
 * Keel returns KEEL_EXIT_NONE when this CPU has an interrupt to take, or
 * when a signal made sched.c ask for the vCPU back: the
 * loop re-enters unless a signal is pending, and yields first if this
 * thread should (KVM's vcpu_run() does both). A fault, or a write that an
 * ioeventfd or a coalesced zone takes, is answered here and the guest runs on.
 */
static int run_loop(struct keel_vcpu *vcpu)
{
	struct keel_run *k = vcpu->krun;
	long ret;
	int r;

	for (;;) {
		if (signal_pending(current)) {
			vcpu->run->exit_reason = KVM_EXIT_INTR;
			vcpu->own_stats[KEEL_OWN_SIGNAL_EXITS]++;
			return -EINTR;
		}
		cond_resched();
		k->run_delay = keel_run_delay();
		/* Keel's scheduler may run it on another CPU (sched.c). */
		ret = keel_hypercall(KEEL_HC_VCPU_RUN, vcpu->vm->handle, vcpu->id, 0,
				     POSTED_INTR_WAKEUP_VECTOR);
		if (ret == KEEL_RUN_QUEUED)
			ret = keel_sched_wait(vcpu);
		if (ret)
			return keel_errno(ret);
		keel_took_requests(vcpu);
		switch (READ_ONCE(k->exit_reason)) {
		case KEEL_EXIT_NONE:
			continue;
		case KEEL_EXIT_FAULT:
			r = keel_vm_fault_in(vcpu->vm, k->exit.fault.gpa, k->exit.fault.write);
			if (r)
				return r;
			continue;
		default:
			if (keel_iodev_write(vcpu))
				continue;
			return report_exit(vcpu, k->exit_reason);
		}
	}
}

/*
 * immediate_exit (api.rst 5): -EINTR with exit_reason untouched, as
 * kvm_arch_vcpu_ioctl_run() leaves it, once the I/O the VMM answered is
 * complete, so that a VMM can finish an exit without letting the guest run.
 */
static int complete_only(struct keel_vcpu *vcpu)
{
	long ret;

	vcpu->krun->run_delay = keel_run_delay();
	ret = keel_hypercall(KEEL_HC_VCPU_RUN, vcpu->vm->handle, vcpu->id,
			     KEEL_RUN_COMPLETE_ONLY, 0);

	if (ret)
		return keel_errno(ret);
	keel_took_requests(vcpu);
	return -EINTR;
}

/*
 * KVM's order (kvm_arch_vcpu_ioctl_run()): s.regs in, CR8, the pending
 * read, then immediate_exit; s.regs out whatever the outcome.
 */
static int keel_vcpu_run(struct keel_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	sigset_t saved;
	int r;

	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &saved);
	r = keel_sync_regs_in(vcpu);
	if (r)
		goto out;
	vcpu->krun->cr8 = READ_ONCE(run->cr8);
	vcpu->krun->request = (READ_ONCE(run->request_interrupt_window) ? KEEL_REQ_IRQ_WINDOW : 0) |
			      (vcpu->nmi_queued ? KEEL_REQ_NMI : 0);
	complete_read(vcpu);
	if (READ_ONCE(run->immediate_exit))
		r = complete_only(vcpu);
	else
		r = run_loop(vcpu);
out:
	if (READ_ONCE(run->kvm_valid_regs))
		keel_sync_regs_out(vcpu);
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &saved, NULL);
	return r;
}

static long set_signal_mask(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_signal_mask mask;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&mask, argp, sizeof(mask)))
		return -EFAULT;
	if (mask.len != sizeof(sigset_t))
		return -EINVAL;
	if (copy_from_user(&set, (u8 __user *)argp + sizeof(mask), sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

/*
 * KVM_INTERRUPT without an in-kernel irqchip (api.rst 4.16): the vector
 * goes in at the next entry, whatever the guest's IF; the VMM is to wait
 * for ready_for_interrupt_injection first.
 */
static long queue_interrupt(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= KVM_NR_INTERRUPTS)
		return -EINVAL;
	vcpu->krun->interrupt = KEEL_IRQ_PENDING | irq.irq;
	return 0;
}

/* KVM_ENABLE_CAP on a vCPU (api.rst 4.37): flags 0; of x86's vCPU capabilities, only this one. */
static long enable_cap(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags || cap.cap != KVM_CAP_ENFORCE_PV_FEATURE_CPUID)
		return -EINVAL;
	return keel_enable_cap(vcpu->vm, KEEL_CAP_ENFORCE_PV_CPUID, vcpu->id, !!cap.args[0]);
}

/*
 * KVM_SET_VAPIC_ADDR (api.rst 4.48): the TPR mirror in guest memory of
 * KVM_CAP_VAPIC, which is not offered; QEMU still sets address 0 (none)
 * at each reset, which is accepted with an in-kernel LAPIC, as KVM.
 */
static long set_vapic_addr(struct keel_vcpu *vcpu, void __user *argp)
{
	struct kvm_vapic_addr va;

	if (copy_from_user(&va, argp, sizeof(va)))
		return -EFAULT;
	return keel_irqchip_in_kernel(vcpu->vm) && !va.vapic_addr ? 0 : -EINVAL;
}

static long vcpu_ioctl_locked(struct keel_vcpu *vcpu, unsigned int ioctl, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_RUN:
		return arg ? -EINVAL : keel_vcpu_run(vcpu);
	case KVM_NMI:
		vcpu->nmi_queued = true;
		return 0;
	case KVM_SET_SIGNAL_MASK:
		return set_signal_mask(vcpu, argp);
	case KVM_INTERRUPT:
		/* The PIC is in Keel: nothing goes past it (KVM's -ENXIO). */
		return vcpu->vm->irqchip_full ? -ENXIO : queue_interrupt(vcpu, argp);
	case KVM_SET_VAPIC_ADDR:
		return set_vapic_addr(vcpu, argp);
	case KVM_GET_TSC_KHZ:
	case KVM_SET_TSC_KHZ:
		return keel_tsc_khz_ioctl(ioctl, arg);
	case KVM_KVMCLOCK_CTRL:
		return keel_kvmclock_ctrl(vcpu);
	case KVM_HAS_DEVICE_ATTR:
	case KVM_GET_DEVICE_ATTR:
	case KVM_SET_DEVICE_ATTR:
		return keel_vcpu_attr_ioctl(vcpu, ioctl, argp);
	case KVM_ENABLE_CAP:
		return enable_cap(vcpu, argp);
	case KVM_GET_STATS_FD:
		return keel_get_stats_fd(vcpu->vm, vcpu);
	default:
		return keel_state_ioctl(vcpu, ioctl, argp);
	}
}

/* One ioctl at a time per vCPU, and only from the VM's own VMM, as kvm_vcpu_ioctl(). */
static long keel_vcpu_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct keel_vcpu *vcpu = filp->private_data;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	r = vcpu_ioctl_locked(vcpu, ioctl, arg);
	mutex_unlock(&vcpu->mutex);
	return r;
}

/* The vCPU lives as long as its VM: Keel keeps using its page until the VM is destroyed. */
static int keel_vcpu_release(struct inode *inode, struct file *filp)
{
	struct keel_vcpu *vcpu = filp->private_data;

	keel_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations keel_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = keel_vcpu_release,
	.unlocked_ioctl = keel_vcpu_ioctl,
	.compat_ioctl = keel_vcpu_ioctl,
	.mmap = keel_vcpu_mmap,
	.llseek = noop_llseek,
};

void keel_vcpu_free(struct keel_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->run);
	free_page((unsigned long)vcpu->pio_data);
	free_page((unsigned long)vcpu->krun);
	kfree(vcpu->cpuid);
	kfree(vcpu);
}

static struct keel_vcpu *vcpu_alloc(struct keel_vm *vm, u32 id)
{
	struct keel_vcpu *vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);

	if (!vcpu)
		return NULL;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->pid = task_pid_nr(current);
	mutex_init(&vcpu->mutex);
	init_waitqueue_head(&vcpu->wait);
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_data = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->krun = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_data || !vcpu->krun) {
		keel_vcpu_free(vcpu);
		return NULL;
	}
	return vcpu;
}

/* Keel's vCPU is made before the fd, as KVM makes it: without an fd it lives as long as the VM. */
static int add_vcpu(struct keel_vm *vm, struct keel_vcpu *vcpu)
{
	char name[16];
	long ret;
	int fd;

	ret = keel_hypercall(KEEL_HC_VCPU_CREATE, vm->handle, vcpu->id, virt_to_phys(vcpu->krun),
			     vcpu->id == vm->bsp_id ? KEEL_VCPU_BSP : 0);
	if (ret) {
		keel_vcpu_free(vcpu);
		return keel_errno(ret);
	}
	vm->vcpus[vm->nr_vcpus++] = vcpu;
	snprintf(name, sizeof(name), "kvm-vcpu:%u", vcpu->id);
	kref_get(&vm->kref);
	fd = anon_inode_getfd(name, &keel_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		keel_vm_put(vm);
	return fd;
}

/* KVM_CREATE_VCPU (api.rst 4.7): ids below KVM_CAP_MAX_VCPU_ID as set, each once (-EEXIST). */
int keel_create_vcpu(struct keel_vm *vm, unsigned long id)
{
	struct keel_vcpu *vcpu;
	int r;

	if (id >= KEEL_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	r = -EINVAL;
	if (vm->max_vcpu_ids && id >= vm->max_vcpu_ids)
		goto out;
	r = -EEXIST;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->id == id)
			goto out;
	r = -ENOMEM;
	vcpu = vcpu_alloc(vm, id);
	if (vcpu)
		r = add_vcpu(vm, vcpu);
out:
	mutex_unlock(&vm->lock);
	return r;
}
