// SPDX-License-Identifier: GPL-2.0
/*
 * keel-kvm: /dev/kvm in Keel's control guest.
 *
 * The VMs a VMM creates through /dev/kvm are run by Keel, not by this
 * kernel; this module speaks the KVM ioctl API (Documentation/virt/kvm/
 * api.rst) and reaches Keel only through the hypercalls of
 * guest-abi/keel/hypercall.h. It checks every answer Keel gives.
 *
 * What works so far: the /dev/kvm device (misc minor KVM_MINOR, as kvm.ko
 * registers it, so devtmpfs and udev name it), KVM_GET_API_VERSION,
 * KVM_CHECK_EXTENSION, which offers no capability until one works, and
 * KVM_CREATE_VM, whose VM fd owns an empty VM in Keel until its last
 * reference goes. Other ioctls fail as kvm.ko fails ones it does not know:
 * -EINVAL on /dev/kvm, -ENOTTY on a VM fd.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <asm/processor.h>

#include <keel/hypercall.h>

static bool use_vmmcall;

/* VMMCALL where the CPU prefers it (AMD, Hygon), VMCALL elsewhere: the other one raises #UD. */
static long keel_hypercall(unsigned long nr, unsigned long a0, unsigned long a1)
{
	long ret;

	if (use_vmmcall)
		asm volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(0), "S"(0)
			     : "memory");
	else
		asm volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(0), "S"(0)
			     : "memory");
	return ret;
}

/* Keel's leaf 0x40000000: "KeelKeelKeel" and at least the ABI leaf (SDM Vol. 2A CPUID). */
static bool under_keel(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return false;
	cpuid(KEEL_CPUID_LEAF_SIGNATURE, &eax, &ebx, &ecx, &edx);
	return ebx == KEEL_CPUID_SIGNATURE && ecx == KEEL_CPUID_SIGNATURE &&
	       edx == KEEL_CPUID_SIGNATURE && eax >= KEEL_CPUID_LEAF_ABI;
}

static bool info_sane(const struct keel_hv_info *info, long ret)
{
	return ret == sizeof(*info) && info->abi_version == KEEL_ABI_VERSION &&
	       info->size == sizeof(*info) && info->nr_cpus >= 1 &&
	       info->vendor <= KEEL_VENDOR_AMD &&
	       info->virt == (use_vmmcall ? KEEL_VIRT_SVM : KEEL_VIRT_VMX) &&
	       memchr(info->version, 0, sizeof(info->version));
}

/* Keel's ABI version and facts, each checked before it is believed. */
static int keel_probe(void)
{
	struct keel_hv_info *info;
	long ret = keel_hypercall(KEEL_HC_VERSION, 0, 0);
	int r = 0;

	if (ret != KEEL_ABI_VERSION) {
		pr_err("Keel speaks hypercall ABI %ld, this module %d\n", ret, KEEL_ABI_VERSION);
		return -EPROTO;
	}
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	ret = keel_hypercall(KEEL_HC_GET_INFO, virt_to_phys(info), sizeof(*info));
	if (ret == -KEEL_EPERM) {
		pr_err("Keel refuses its management calls here: not the control guest?\n");
		kfree(info);
		return -EPERM;
	}
	if (info_sane(info, ret))
		pr_info("Keel %s, hypercall ABI %u, %u CPUs, %s, %llu MiB free for VMs\n",
			info->version, info->abi_version, info->nr_cpus,
			info->virt == KEEL_VIRT_VMX ? "VMX" : "SVM",
			(unsigned long long)(info->guest_free_bytes >> 20));
	else
		r = -EPROTO;
	if (r)
		pr_err("Keel's KEEL_HC_GET_INFO answer is malformed (returned %ld)\n", ret);
	kfree(info);
	return r;
}

/* A VM of a VMM, run by Keel: @handle names it to Keel (KEEL_HC_VM_CREATE). */
struct keel_vm {
	u64 handle;
};

static void keel_vm_destroy(struct keel_vm *vm)
{
	long ret = keel_hypercall(KEEL_HC_VM_DESTROY, vm->handle, 0);

	WARN_ONCE(ret, "Keel refused to destroy VM %#llx: %ld\n", vm->handle, ret);
	kfree(vm);
}

static int keel_vm_release(struct inode *inode, struct file *filp)
{
	keel_vm_destroy(filp->private_data);
	return 0;
}

static long keel_vm_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return 0;	/* the same answers as on /dev/kvm: nothing offered yet */
	default:
		return -ENOTTY;	/* as kvm_arch_vm_ioctl() for an ioctl it does not know */
	}
}

static const struct file_operations keel_vm_fops = {
	.owner = THIS_MODULE,
	.release = keel_vm_release,
	.unlocked_ioctl = keel_vm_ioctl,
	.compat_ioctl = keel_vm_ioctl,
	.llseek = noop_llseek,
};

/* KVM_CREATE_VM: machine type 0 only (api.rst 4.2); Keel's handle is checked before use. */
static int keel_create_vm(unsigned long type)
{
	struct keel_vm *vm;
	long handle;
	int fd;

	if (type)
		return -EINVAL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	handle = keel_hypercall(KEEL_HC_VM_CREATE, 0, 0);
	if (handle <= 0) {
		kfree(vm);
		return handle == -KEEL_ENOSPC || handle == -KEEL_ENOMEM ? (int)handle : -EPROTO;
	}
	vm->handle = handle;
	fd = anon_inode_getfd("kvm-vm", &keel_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		keel_vm_destroy(vm);
	return fd;
}

static long keel_kvm_dev_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return 0;	/* no capability works yet: none is offered */
	case KVM_CREATE_VM:
		return keel_create_vm(arg);
	default:
		return -EINVAL;
	}
}

static const struct file_operations keel_kvm_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = keel_kvm_dev_ioctl,
	.compat_ioctl = keel_kvm_dev_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice keel_kvm_dev = {
	.minor = KVM_MINOR,
	.name = "kvm",
	.fops = &keel_kvm_dev_fops,
};

static int __init keel_kvm_init(void)
{
	int r;

	if (!under_keel()) {
		pr_err("not running under Keel (no Keel CPUID signature at 0x40000000)\n");
		return -ENODEV;
	}
	use_vmmcall = boot_cpu_has(X86_FEATURE_VMMCALL);
	r = keel_probe();
	if (r)
		return r;
	r = misc_register(&keel_kvm_dev);
	if (r == -EBUSY)
		pr_err("/dev/kvm (misc minor %d) is taken: is kvm.ko loaded?\n", KVM_MINOR);
	return r;
}

static void __exit keel_kvm_exit(void)
{
	misc_deregister(&keel_kvm_dev);
}

module_init(keel_kvm_init);
module_exit(keel_kvm_exit);
MODULE_DESCRIPTION("/dev/kvm for VMs run by the Keel hypervisor");
MODULE_LICENSE("GPL");
