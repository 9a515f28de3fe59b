// SPDX-License-Identifier: GPL-2.0
/*
 * kvmapi: the KVM API conformance program. It runs in the control guest
 * against keel-kvm.ko and, as the harness check, against Linux's own
 * kvm_amd on the bare machine: every expectation is what real KVM does
 * (Documentation/virt/kvm/api.rst). Prints "kvmapi: PASS|FAIL what" lines
 * and "kvmapi: N passed, N failed"; exits 0 only if nothing failed.
 *
 * What keel-kvm offers so far is the /dev/kvm device and empty VMs; memory,
 * vCPUs and KVM_RUN come next, and their checks with them.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define KVM_MINOR 232		/* include/linux/miscdevice.h */
#define MISC_MAJOR 10
#define UNKNOWN_CAP 0x7fffffff
#define UNKNOWN_IOCTL _IO(KVMIO, 0xfe)	/* no KVM ioctl has this number */
#define BAD_VM_TYPE 0xdead
#define MANY_VMS 16
#define VM_CYCLES 200

static int passed, failed;

static void check(int ok, const char *what)
{
	printf("kvmapi: %s %s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

/* ioctl()'s result as KVM's convention has it: >= 0, or -errno. */
static int kvm_ioctl(int fd, unsigned long req, unsigned long arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static void check_device(void)
{
	struct stat st;
	int ok = !stat("/dev/kvm", &st);

	check(ok && S_ISCHR(st.st_mode), "/dev/kvm is a character device");
	check(ok && major(st.st_rdev) == MISC_MAJOR && minor(st.st_rdev) == KVM_MINOR,
	      "/dev/kvm is misc minor 232 (KVM_MINOR)");
}

static void check_system_ioctls(int kvm)
{
	check(kvm_ioctl(kvm, KVM_GET_API_VERSION, 0) == KVM_API_VERSION,
	      "KVM_GET_API_VERSION returns 12");
	check(kvm_ioctl(kvm, KVM_GET_API_VERSION, 1) == -EINVAL,
	      "KVM_GET_API_VERSION with an argument: -EINVAL");
	check(kvm_ioctl(kvm, KVM_CHECK_EXTENSION, UNKNOWN_CAP) == 0,
	      "KVM_CHECK_EXTENSION of an unknown capability: 0");
	check(kvm_ioctl(kvm, UNKNOWN_IOCTL, 0) == -EINVAL, "an unknown /dev/kvm ioctl: -EINVAL");
}

/* A VM fd answers as kvm.ko's does; it outlives the /dev/kvm fd that made it. */
static void check_vm_fd(int kvm)
{
	int vm = kvm_ioctl(kvm, KVM_CREATE_VM, 0);

	check(vm >= 0, "KVM_CREATE_VM(0) returns a VM fd");
	check(kvm_ioctl(kvm, KVM_CREATE_VM, BAD_VM_TYPE) == -EINVAL,
	      "KVM_CREATE_VM of an unknown machine type: -EINVAL");
	if (vm < 0)
		return;
	check(kvm_ioctl(vm, KVM_CHECK_EXTENSION, UNKNOWN_CAP) == 0,
	      "KVM_CHECK_EXTENSION on the VM fd, unknown capability: 0");
	check(kvm_ioctl(vm, UNKNOWN_IOCTL, 0) == -ENOTTY, "an unknown VM ioctl: -ENOTTY");
	check(kvm_ioctl(vm, KVM_GET_API_VERSION, 0) == -ENOTTY,
	      "a /dev/kvm-only ioctl on the VM fd: -ENOTTY");
	check(!close(vm), "close the VM fd");
}

/* Many VMs at once, then VMs made and dropped in a loop: every one is freed. */
static void check_vm_lifecycle(int kvm)
{
	int fds[MANY_VMS], ok = 1;

	for (int i = 0; i < MANY_VMS; i++) {
		fds[i] = kvm_ioctl(kvm, KVM_CREATE_VM, 0);
		ok &= fds[i] >= 0;
	}
	for (int i = 0; i < MANY_VMS; i++)
		ok &= fds[i] < 0 || !close(fds[i]);
	check(ok, "16 VMs at once, then closed");
	for (int i = 0; i < VM_CYCLES && ok; i++) {
		int vm = kvm_ioctl(kvm, KVM_CREATE_VM, 0);

		ok = vm >= 0 && !close(vm);
	}
	check(ok, "200 VMs created and closed in turn");
}

int main(void)
{
	int kvm, keeper;

	setvbuf(stdout, NULL, _IOLBF, 0);
	check_device();
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	check(kvm >= 0, "open /dev/kvm");
	if (kvm >= 0) {
		/*
		 * A VM held open throughout, so that kvm.ko does not turn
		 * virtualization on and off on every CPU (by IPI) for each
		 * VM made and closed while none other lives: QEMU's TCG
		 * with 2 CPUs hangs in that now and then (bare runs).
		 */
		keeper = kvm_ioctl(kvm, KVM_CREATE_VM, 0);
		check_system_ioctls(kvm);
		check_vm_fd(kvm);
		check_vm_lifecycle(kvm);
		if (keeper >= 0)
			close(keeper);
		check(!close(kvm), "close /dev/kvm");
	}
	printf("kvmapi: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
