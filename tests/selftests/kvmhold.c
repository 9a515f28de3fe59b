// SPDX-License-Identifier: MIT
/*
 * kvmhold: opens /dev/kvm, creates one VM and keeps both open until killed.
 * Run in the background on the bare machine during Linux's KVM selftests:
 * kvm.ko enables SVM on every CPU when the first VM is created and disables it
 * when the last one goes, and kvm_amd on QEMU TCG had soft lockups when that
 * happened over and over (each selftest creates and destroys its VMs). With
 * one VM always open SVM stays enabled for the whole run.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm;

	if (kvm < 0) {
		perror("kvmhold: /dev/kvm");
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvmhold: KVM_CREATE_VM");
		return 1;
	}
	printf("kvmhold: holding VM fd %d\n", vm);
	fflush(stdout);
	for (;;)
		pause();
}
