// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_STATS_FD on a VM or vCPU fd (api.rst 4.133, KVM_CAP_BINARY_STATS_FD):
 * a read-only file of a header, an id string, descriptors and the counters,
 * laid out as Linux's virt/kvm/binary_stats.c lays them out. Keel counts
 * what happens in the guest (KEEL_HC_STATS); this module counts the exits
 * that reach the VMM. Each counter has the name of the Linux KVM counter
 * that means the same, so kvm_stat and QEMU's "info stats" read them; the
 * one KVM lacks, the time a vCPU ran, is named for Keel.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "keel_kvm.h"

#define NAME_SIZE 48	/* KVM_STATS_NAME_SIZE (include/linux/kvm_host.h): what readers expect */
#define DESC_SIZE (sizeof(struct kvm_stats_desc) + NAME_SIZE)
#define NR_VCPU_STATS (KEEL_NR_VCPU_STATS + KEEL_NR_OWN_STATS)

static const char *const vcpu_names[NR_VCPU_STATS] = {
	KEEL_STAT_NAMES,
	[KEEL_NR_VCPU_STATS + KEEL_OWN_MMIO_EXITS] = "mmio_exits",
	[KEEL_NR_VCPU_STATS + KEEL_OWN_SIGNAL_EXITS] = "signal_exits",
	[KEEL_NR_VCPU_STATS + KEEL_OWN_REQUEST_IRQ_EXITS] = "request_irq_exits",
};

static const char *const vm_names[KEEL_NR_VM_STATS] = {
	[KEEL_VM_STAT_REMOTE_TLB_FLUSH] = "remote_tlb_flush",
};

/* What one stats fd reads: a VM's counters (vcpu NULL) or a vCPU's. */
struct keel_stats_file {
	struct keel_vm *vm;
	struct keel_vcpu *vcpu;
	char id[NAME_SIZE];
};

static u32 nr_stats(const struct keel_stats_file *sf)
{
	return sf->vcpu ? NR_VCPU_STATS : KEEL_NR_VM_STATS;
}

static const char *stat_name(const struct keel_stats_file *sf, u32 i)
{
	return sf->vcpu ? vcpu_names[i] : vm_names[i];
}

/* Keel's counters, then this module's: -EPROTO if Keel has fewer than it promised. */
static int fetch(const struct keel_stats_file *sf, u64 *data)
{
	u32 want = sf->vcpu ? KEEL_NR_VCPU_STATS : KEEL_NR_VM_STATS;
	u32 id = sf->vcpu ? sf->vcpu->id : KEEL_STATS_VM;
	long ret = keel_hypercall(KEEL_HC_STATS, sf->vm->handle, id, virt_to_phys(data), want);

	if (ret < 0)
		return keel_errno(ret);
	if (ret < want)
		return -EPROTO;
	if (sf->vcpu) {
		for (u32 i = 0; i < KEEL_NR_OWN_STATS; i++)
			data[want + i] = READ_ONCE(sf->vcpu->own_stats[i]);
	}
	return 0;
}

const char *keel_stat_name(u32 i)
{
	return i < NR_VCPU_STATS ? vcpu_names[i] : vm_names[i - NR_VCPU_STATS];
}

/* A vCPU counter summed over the VM's vCPUs, as kvm.ko's debugfs files sum them. */
int keel_stats_sum(struct keel_vm *vm, u32 i, u64 *val)
{
	struct keel_stats_file sf = { .vm = vm };
	u64 *data = kcalloc(NR_VCPU_STATS, sizeof(*data), GFP_KERNEL);
	int r = 0;

	if (!data)
		return -ENOMEM;
	*val = 0;
	if (i >= NR_VCPU_STATS) {
		r = fetch(&sf, data);
		*val = data[i - NR_VCPU_STATS];
	}
	mutex_lock(&vm->lock);
	for (u32 v = 0; i < NR_VCPU_STATS && !r && v < vm->nr_vcpus; v++) {
		sf.vcpu = vm->vcpus[v];
		r = fetch(&sf, data);
		*val += data[i];
	}
	mutex_unlock(&vm->lock);
	kfree(data);
	return r;
}

/* The whole file, as KVM orders it: header, id, descriptors, data. */
static void *build(const struct keel_stats_file *sf, size_t *len)
{
	u32 n = nr_stats(sf);
	struct kvm_stats_header *h;
	size_t desc_at = sizeof(*h) + NAME_SIZE, data_at = desc_at + n * DESC_SIZE;
	char *buf = kzalloc(data_at + n * sizeof(u64), GFP_KERNEL);

	if (!buf)
		return ERR_PTR(-ENOMEM);
	h = (struct kvm_stats_header *)buf;
	*h = (struct kvm_stats_header){ .name_size = NAME_SIZE, .num_desc = n,
		.id_offset = sizeof(*h), .desc_offset = desc_at, .data_offset = data_at };
	strscpy(buf + h->id_offset, sf->id, NAME_SIZE);
	for (u32 i = 0; i < n; i++) {
		struct kvm_stats_desc *d = (void *)(buf + desc_at + i * DESC_SIZE);

		d->flags = KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10;
		if (sf->vcpu && i == KEEL_STAT_RUN_NS) {
			d->flags = KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS |
				   KVM_STATS_BASE_POW10;
			d->exponent = -9;	/* nanoseconds, as KVM's halt_wait_ns */
		}
		d->size = 1;
		d->offset = i * sizeof(u64);
		strscpy(d->name, stat_name(sf, i), NAME_SIZE);
	}
	*len = data_at + n * sizeof(u64);
	return buf;
}

static ssize_t stats_read(struct file *file, char __user *user, size_t size, loff_t *pos)
{
	const struct keel_stats_file *sf = file->private_data;
	size_t len, data_at;
	ssize_t r;
	char *buf = build(sf, &len);

	if (IS_ERR(buf))
		return PTR_ERR(buf);
	data_at = ((struct kvm_stats_header *)buf)->data_offset;
	r = *pos < len && *pos + size > data_at ? fetch(sf, (u64 *)(buf + data_at)) : 0;
	if (!r && *pos < len) {
		size = min_t(size_t, size, len - *pos);
		r = copy_to_user(user, buf + *pos, size) ? -EFAULT : size;
		if (r > 0)
			*pos += r;
	}
	kfree(buf);
	return r;
}

static int stats_release(struct inode *inode, struct file *file)
{
	struct keel_stats_file *sf = file->private_data;

	keel_vm_put(sf->vm);
	kfree(sf);
	return 0;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.read = stats_read,
	.release = stats_release,
	.llseek = noop_llseek,
};

/* As kvm_vm_ioctl_get_stats_fd(): read-only, pread allowed, holding the VM. */
long keel_get_stats_fd(struct keel_vm *vm, struct keel_vcpu *vcpu)
{
	struct keel_stats_file *sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	struct file *file;
	int fd;

	if (!sf)
		return -ENOMEM;
	sf->vm = vm;
	sf->vcpu = vcpu;
	if (vcpu)
		snprintf(sf->id, sizeof(sf->id), "kvm-%d/vcpu-%u", vcpu->pid, vcpu->id);
	else
		snprintf(sf->id, sizeof(sf->id), "kvm-%d", vm->pid);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		goto out;
	file = anon_inode_getfile(vcpu ? "kvm-vcpu-stats" : "kvm-vm-stats", &stats_fops, sf,
				  O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		fd = PTR_ERR(file);
		goto out;
	}
	file->f_mode |= FMODE_PREAD;
	kref_get(&vm->kref);
	fd_install(fd, file);
	return fd;
out:
	kfree(sf);
	return fd;
}
