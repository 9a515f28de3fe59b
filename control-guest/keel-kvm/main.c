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

#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>
#include <linux/slab.h>
#include <linux/io.h>
#include <asm/processor.h>

#include "keel_kvm.h"

static bool use_vmmcall;

/* VMMCALL where the CPU prefers it (AMD, Hygon), VMCALL elsewhere: the other one raises #UD. */
long keel_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		    unsigned long a3)
{
	long ret;

	if (use_vmmcall)
		asm volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	else
		asm volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	return ret;
}

/* Keel's errors are Linux's numbers; anything else from it is a broken promise. */
int keel_errno(long ret)
{
	switch (-ret) {
	case KEEL_EPERM: case KEEL_ENOENT: case KEEL_E2BIG: case KEEL_EAGAIN: case KEEL_ENOMEM:
	case KEEL_EFAULT:
	case KEEL_EBUSY:
	case KEEL_EEXIST: case KEEL_EINVAL: case KEEL_ENOSPC: case KEEL_ENOSYS:
		return (int)ret;
	default:
		WARN_ONCE(1, "keel-kvm: Keel answered %ld\n", ret);
		return -EPROTO;
	}
}

u32 keel_tsc_khz;
bool keel_write_log;

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

/* KEEL_HC_GET_INFO into @info (kernel memory), believed only if sane: 0 or -EPROTO. */
int keel_get_info(struct keel_hv_info *info)
{
	long ret = keel_hypercall(KEEL_HC_GET_INFO, virt_to_phys(info), sizeof(*info), 0, 0);

	return info_sane(info, ret) ? 0 : -EPROTO;
}

/* Keel's ABI version and facts, each checked before it is believed. */
static int keel_probe(void)
{
	struct keel_hv_info *info;
	long ret = keel_hypercall(KEEL_HC_VERSION, 0, 0, 0, 0);
	int r = 0;

	if (ret != KEEL_ABI_VERSION) {
		pr_err("Keel speaks hypercall ABI %ld, this module %d\n", ret, KEEL_ABI_VERSION);
		return -EPROTO;
	}
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	ret = keel_hypercall(KEEL_HC_GET_INFO, virt_to_phys(info), sizeof(*info), 0, 0);
	if (ret == -KEEL_EPERM) {
		pr_err("Keel refuses its management calls here: not the control guest?\n");
		kfree(info);
		return -EPERM;
	}
	if (info_sane(info, ret) && info->tsc_khz)
		keel_tsc_khz = info->tsc_khz;
	else
		r = -EPROTO;
	if (!r)
		keel_write_log = info->features & KEEL_FEATURE_WRITE_LOG;
	if (!r)
		pr_info("Keel %s, hypercall ABI %u, %u CPUs, %s, %llu MiB free for VMs, dirty log by %s\n",
			info->version, info->abi_version, info->nr_cpus,
			info->virt == KEEL_VIRT_VMX ? "VMX" : "SVM",
			(unsigned long long)(info->guest_free_bytes >> 20),
			keel_write_log ? "the CPU (PML)" : "write protection");
	if (r)
		pr_err("Keel's KEEL_HC_GET_INFO answer is malformed (returned %ld)\n", ret);
	kfree(info);
	return r;
}

/*
 * /sys/module/keel_kvm/parameters/hv_memory (read-only): Keel's free
 * reserved bytes, its heap bytes in use and the bytes free for VMs, as
 * KEEL_HC_GET_INFO reports them now; the lifecycle test compares them
 * before and after many VMs came and went.
 */
static int hv_memory_get(char *buf, const struct kernel_param *kp)
{
	struct keel_hv_info *info = kzalloc(sizeof(*info), GFP_KERNEL);
	int n;

	if (!info)
		return -ENOMEM;
	n = keel_get_info(info);
	if (!n)
		n = sysfs_emit(buf, "%llu %llu %llu\n", info->reserved_free_bytes,
			       info->heap_used_bytes, info->guest_free_bytes);
	kfree(info);
	return n;
}

static const struct kernel_param_ops hv_memory_ops = {
	.get = hv_memory_get,
};

module_param_cb(hv_memory, &hv_memory_ops, NULL, 0444);
MODULE_PARM_DESC(hv_memory, "Keel's free reserved bytes, heap bytes in use, bytes free for VMs");

struct keel_stats keel_stats;

/*
 * /sys/module/keel_kvm/parameters/stats: "fault_ins N huge_maps N
 * write_logged N" since the module loaded.
 */
static int stats_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "fault_ins %lld huge_maps %lld write_logged %lld\n",
			  (long long)atomic64_read(&keel_stats.fault_ins),
			  (long long)atomic64_read(&keel_stats.huge_maps),
			  (long long)atomic64_read(&keel_stats.write_logged));
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};

module_param_cb(stats, &stats_ops, NULL, 0444);
MODULE_PARM_DESC(stats, "Pages mapped for VMs since the module loaded, how many as 2 MiB pages, dirty pages from Keel");

/* The capabilities that are simply there: KVM_CHECK_EXTENSION answers 1. */
static const unsigned int caps_on[] = {
	KVM_CAP_USER_MEMORY, KVM_CAP_IMMEDIATE_EXIT, KVM_CAP_READONLY_MEM, KVM_CAP_SYNC_MMU,
	KVM_CAP_EXT_CPUID, KVM_CAP_DESTROY_MEMORY_REGION_WORKS, KVM_CAP_JOIN_MEMORY_REGIONS_WORKS,
	KVM_CAP_MP_STATE, KVM_CAP_USER_NMI, KVM_CAP_SET_TSS_ADDR, KVM_CAP_SET_IDENTITY_MAP_ADDR,
	KVM_CAP_SET_BOOT_CPU_ID, KVM_CAP_INTERNAL_ERROR_DATA, KVM_CAP_VCPU_EVENTS,
	KVM_CAP_DEBUGREGS, KVM_CAP_INTR_SHADOW, KVM_CAP_XSAVE, KVM_CAP_IOEVENTFD,
	KVM_CAP_IOEVENTFD_NO_LENGTH, KVM_CAP_IOEVENTFD_ANY_LENGTH, KVM_CAP_COALESCED_PIO,
	KVM_CAP_GET_TSC_KHZ, KVM_CAP_KVMCLOCK_CTRL, KVM_CAP_MMU_SHADOW_CACHE_CONTROL,
	KVM_CAP_MSR_PLATFORM_INFO, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, KVM_CAP_TSC_DEADLINE_TIMER,
	KVM_CAP_SPLIT_IRQCHIP, KVM_CAP_IRQCHIP, KVM_CAP_PIT, KVM_CAP_PIT2, KVM_CAP_PIT_STATE2,
	KVM_CAP_REINJECT_CONTROL, KVM_CAP_SIGNAL_MSI, KVM_CAP_IRQFD, KVM_CAP_IRQ_INJECT_STATUS,
	KVM_CAP_VCPU_ATTRIBUTES, KVM_CAP_BINARY_STATS_FD, KVM_CAP_GET_MSR_FEATURES,
	KVM_CAP_X86_USER_SPACE_MSR, KVM_CAP_X86_MSR_FILTER,
};

static int cap_on(unsigned long cap)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(caps_on); i++)
		if (caps_on[i] == cap)
			return 1;
	return 0;
}

/*
 * What works is offered, nothing else (api.rst 4.4): a VMM must be able to
 * rely on every capability it sees. The same answers on the VM fd.
 */
int keel_check_extension(unsigned long cap)
{
	switch (cap) {
	case KVM_CAP_IRQ_ROUTING:
		return KEEL_MAX_IRQ_ROUTES;
	case KVM_CAP_ADJUST_CLOCK:
		return KEEL_CLOCK_FLAGS;
	case KVM_CAP_SYNC_REGS:
		return KVM_SYNC_X86_VALID_FIELDS;
	case KVM_CAP_COALESCED_MMIO:
		return KEEL_COALESCED_MMIO_PAGE_OFFSET;
	case KVM_CAP_XSAVE2:
		return sizeof(struct kvm_xsave);
	case KVM_CAP_XCRS:	/* XCR0 is the guest's where Keel gives it XSAVE */
		return boot_cpu_has(X86_FEATURE_XSAVE);
	case KVM_CAP_NR_MEMSLOTS:
		return KEEL_MAX_MEMSLOTS;
	case KVM_CAP_DISABLE_QUIRKS2:
		return KEEL_QUIRKS;
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return keel_dirty_caps();
	case KVM_CAP_NR_VCPUS:
		return min_t(int, num_online_cpus(), KEEL_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return KEEL_MAX_VCPUS;
	default:
		return cap_on(cap);
	}
}

static long keel_kvm_dev_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return keel_check_extension(arg);
	case KVM_CREATE_VM:
		return keel_create_vm(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : KEEL_VCPU_MMAP_PAGES * PAGE_SIZE;
	case KVM_GET_SUPPORTED_CPUID:
		return keel_get_supported_cpuid((void __user *)arg);
	case KVM_GET_MSR_INDEX_LIST:
		return keel_get_msr_index_list((void __user *)arg, false);
	case KVM_GET_MSR_FEATURE_INDEX_LIST:
		return keel_get_msr_index_list((void __user *)arg, true);
	case KVM_GET_MSRS:
		return keel_get_feature_msrs((void __user *)arg);
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
	if (!r)
		r = keel_msr_list_init();
	if (!r)
		r = keel_irq_module_init();
	if (r)
		return r;
	keel_debugfs_init();
	keel_sched_init();
	/* /dev/kvm last: once it is there, VMMs may use it. */
	r = keel_admin_init();
	if (!r) {
		r = misc_register(&keel_kvm_dev);
		if (r == -EBUSY)
			pr_err("/dev/kvm (misc minor %d) is taken: is kvm.ko loaded?\n", KVM_MINOR);
		if (r)
			keel_admin_exit();
	}
	if (r) {
		keel_sched_exit();
		keel_debugfs_exit();
		keel_irq_module_exit();
	}
	return r;
}

static void __exit keel_kvm_exit(void)
{
	misc_deregister(&keel_kvm_dev);
	keel_admin_exit();
	keel_sched_exit();
	keel_debugfs_exit();
	keel_irq_module_exit();
}

module_init(keel_kvm_init);
module_exit(keel_kvm_exit);
MODULE_DESCRIPTION("/dev/kvm for VMs run by the Keel hypervisor");
MODULE_LICENSE("GPL");
