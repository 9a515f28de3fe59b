// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/keel: what keelctl asks of Keel (guest-abi/keel/keelctl.h). Each
 * call is one of Keel's administrator hypercalls on a kernel buffer, whose
 * answer is checked before it is copied out: Keel writes only the control
 * guest's RAM it names, and sizes come back bounded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <keel/keelctl.h>

#include "keel_kvm.h"

static long admin_info(void __user *argp)
{
	struct keel_hv_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	long r;

	if (!info)
		return -ENOMEM;
	r = keel_get_info(info);
	if (!r && copy_to_user(argp, info, sizeof(*info)))
		r = -EFAULT;
	kfree(info);
	return r;
}

static long admin_vm_list(void __user *argp)
{
	struct keel_ioctl_vm_list a;
	struct keel_vm_info *vms;
	long ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.pad || a.n > KEEL_MAX_LISTED_VMS)
		return -EINVAL;
	vms = kcalloc(max_t(u32, a.n, 1), sizeof(*vms), GFP_KERNEL);	/* contiguous: Keel's RAM */
	if (!vms)
		return -ENOMEM;
	ret = keel_hypercall(KEEL_HC_VM_LIST, virt_to_phys(vms), a.n, 0, 0);
	if (ret < 0)
		ret = keel_errno(ret);
	else if (copy_to_user(u64_to_user_ptr(a.vms), vms, min_t(u64, ret, a.n) * sizeof(*vms)))
		ret = -EFAULT;
	kfree(vms);
	return ret;
}

/*
 * Counters of Keel's (KEEL_HC_VM_STATS, KEEL_HC_CPU_STATS, whose arguments
 * have one shape): up to @n of at most @max, to the user's @dst.
 */
static long counters_out(unsigned long nr, u32 a0, u32 a1, u32 n, u32 max, u64 dst)
{
	u64 *stats = kcalloc(max, sizeof(*stats), GFP_KERNEL);
	long ret;

	if (!stats)
		return -ENOMEM;
	n = min(n, max);
	ret = keel_hypercall(nr, a0, a1, virt_to_phys(stats), n);
	if (ret < 0)
		ret = keel_errno(ret);
	else if (copy_to_user(u64_to_user_ptr(dst), stats, min_t(u64, ret, n) * sizeof(*stats)))
		ret = -EFAULT;
	kfree(stats);
	return ret;
}

static long admin_vm_stats(void __user *argp)
{
	struct keel_ioctl_vm_stats a;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.pad)
		return -EINVAL;
	return counters_out(KEEL_HC_VM_STATS, a.id, a.vcpu, a.n, KEEL_NR_VCPU_STATS, a.stats);
}

static long admin_cpu_stats(void __user *argp)
{
	struct keel_ioctl_cpu_stats a;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	return counters_out(KEEL_HC_CPU_STATS, a.cpu, 0, a.n, KEEL_NR_CPU_STATS, a.stats);
}

static long admin_vm_dump(void __user *argp)
{
	struct keel_ioctl_vm_dump a;
	struct keel_vcpu_dump *d;
	long ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	ret = keel_hypercall(KEEL_HC_VM_DUMP, a.id, a.vcpu, virt_to_phys(d), sizeof(*d));
	if (ret)
		ret = ret < 0 ? keel_errno(ret) : -EPROTO;
	else if (copy_to_user(u64_to_user_ptr(a.dump), d, sizeof(*d)))
		ret = -EFAULT;
	kfree(d);
	return ret;
}

static long admin_sched(void __user *argp)
{
	struct keel_ioctl_sched *a = kzalloc(sizeof(*a), GFP_KERNEL);
	long ret = -EFAULT;

	if (!a)
		return -ENOMEM;
	if (copy_from_user(a, argp, sizeof(*a)))
		goto out;
	ret = -EINVAL;
	if (a->pad)
		goto out;
	ret = keel_hypercall(KEEL_HC_SCHED, a->id, a->vcpu, a->op, virt_to_phys(&a->sched));
	if (ret)
		ret = ret < 0 ? keel_errno(ret) : -EPROTO;
	else if (copy_to_user(argp, a, sizeof(*a)))
		ret = -EFAULT;
out:
	kfree(a);
	return ret;
}

static long admin_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KEEL_IOCTL_INFO:
		return admin_info(argp);
	case KEEL_IOCTL_VM_LIST:
		return admin_vm_list(argp);
	case KEEL_IOCTL_VM_STATS:
		return admin_vm_stats(argp);
	case KEEL_IOCTL_VM_DUMP:
		return admin_vm_dump(argp);
	case KEEL_IOCTL_CPU_STATS:
		return admin_cpu_stats(argp);
	case KEEL_IOCTL_SCHED:
		return admin_sched(argp);
	default:
		return -ENOTTY;
	}
}

/*
 * Keel's log from sequence number *pos on, a page at most per read. Keel
 * skips what its ring lost: the position moves past the bytes it gave.
 */
static ssize_t admin_read(struct file *filp, char __user *buf, size_t size, loff_t *pos)
{
	struct keel_log_chunk *c = (void *)__get_free_page(GFP_KERNEL);
	long ret;

	if (!c)
		return -ENOMEM;
	size = min_t(size_t, size, PAGE_SIZE - sizeof(*c));
	ret = keel_hypercall(KEEL_HC_LOG_READ, virt_to_phys(c), sizeof(*c) + size, *pos, 0);
	if (ret < 0)
		ret = keel_errno(ret);
	else if (ret > size || c->len != ret || c->seq < *pos)
		ret = -EPROTO;
	else if (copy_to_user(buf, c->data, ret))
		ret = -EFAULT;
	else
		*pos = c->seq + ret;
	free_page((unsigned long)c);
	return ret;
}

static int admin_open(struct inode *inode, struct file *filp)
{
	return capable(CAP_SYS_ADMIN) ? 0 : -EPERM;
}

static const struct file_operations admin_fops = {
	.owner = THIS_MODULE,
	.open = admin_open,
	.read = admin_read,
	.unlocked_ioctl = admin_ioctl,
	.compat_ioctl = admin_ioctl,
	.llseek = default_llseek,
};

static struct miscdevice admin_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "keel",
	.fops = &admin_fops,
	.mode = 0600,
};

int keel_admin_init(void)
{
	return misc_register(&admin_dev);
}

void keel_admin_exit(void)
{
	misc_deregister(&admin_dev);
}
