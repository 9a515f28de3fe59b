// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/kvm, as kvm.ko lays it out (virt/kvm/kvm_main.c): a
 * file per counter holding its sum over every VM, and a folder "PID-FD" per
 * VM whose files hold that VM's counters, a vCPU counter summed over its
 * vCPUs. The counters are the binary stats fds' (stats.c), read anew at
 * each read. A VM leaves the list, then loses its folder, before it is
 * freed: debugfs waits for the readers of its files.
 */
#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mutex.h>

#include "keel_kvm.h"

static struct dentry *kvm_dir;
static LIST_HEAD(vms);
static DEFINE_MUTEX(vms_lock);		/* guards vms */
static struct keel_debugfs_stat totals[KEEL_NR_DEBUGFS_STATS];

static int stat_get(void *data, u64 *val)
{
	const struct keel_debugfs_stat *s = data;
	struct keel_vm *vm;
	u64 one;
	int r = 0;

	if (s->vm)
		return keel_stats_sum(s->vm, s->index, val);
	*val = 0;
	mutex_lock(&vms_lock);
	list_for_each_entry(vm, &vms, debugfs_node) {
		r = keel_stats_sum(vm, s->index, &one);
		if (r)
			break;
		*val += one;
	}
	mutex_unlock(&vms_lock);
	return r;
}

DEFINE_DEBUGFS_ATTRIBUTE(stat_fops, stat_get, NULL, "%llu\n");

static void add_files(struct dentry *dir, struct keel_debugfs_stat *s, struct keel_vm *vm)
{
	for (u32 i = 0; i < KEEL_NR_DEBUGFS_STATS; i++) {
		s[i] = (struct keel_debugfs_stat){ .vm = vm, .index = i };
		debugfs_create_file_unsafe(keel_stat_name(i), 0444, dir, &s[i], &stat_fops);
	}
}

/* Failures are no error: debugfs is for debugging, as for kvm.ko. */
void keel_debugfs_init(void)
{
	kvm_dir = debugfs_create_dir("kvm", NULL);
	add_files(kvm_dir, totals, NULL);
}

void keel_debugfs_exit(void)
{
	debugfs_remove_recursive(kvm_dir);
}

/* Before the VM's fd @fd is installed, so that no close can come first. */
void keel_debugfs_add_vm(struct keel_vm *vm, int fd)
{
	char name[32];

	snprintf(name, sizeof(name), "%d-%d", task_pid_nr(current), fd);
	vm->debugfs = debugfs_create_dir(name, kvm_dir);
	add_files(vm->debugfs, vm->debugfs_stats, vm);
	mutex_lock(&vms_lock);
	list_add_tail(&vm->debugfs_node, &vms);
	mutex_unlock(&vms_lock);
}

void keel_debugfs_del_vm(struct keel_vm *vm)
{
	mutex_lock(&vms_lock);
	list_del_init(&vm->debugfs_node);
	mutex_unlock(&vms_lock);
	debugfs_remove_recursive(vm->debugfs);
}
