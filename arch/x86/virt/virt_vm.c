// SPDX-License-Identifier: GPL-2.0
/* Per-VM I/O bitmaps, ASID/VPID allocation and the CPU's logging of writes, for VMX and SVM. */
#include "arch/x86/virt/virt_vm.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "kernel/vm.h"

/*
 * Each VM has its own bitmap, every port exiting until io_intercept opens
 * one: SVM's IOPM (APM Vol. 2 15.10.1) or VMX's bitmaps A and B back to
 * back (SDM Vol. 3C 25.6.4), one bit per port either way.
 */
int vm_io_bitmap_alloc(struct vm *vm, unsigned int order)
{
	u64 pa = frame_alloc_keel(order);

	if (!pa)
		return -ENOMEM;
	memset((void *)(uintptr_t)pa, 0xff, PAGE_SIZE << order);
	vm->arch.io_bitmap = (void *)(uintptr_t)pa;
	return 0;
}

void vm_io_bitmap_free(struct vm *vm, unsigned int order)
{
	if (vm->arch.io_bitmap)
		frame_free_keel((u64)(uintptr_t)vm->arch.io_bitmap, order);
}

/* Set = exit; vCPUs share the bitmap, so a change applies from their next entry. */
void vm_io_intercept(struct vm *vm, u16 port, u32 count, bool on)
{
	u8 *bm = vm->arch.io_bitmap;

	for (u32 p = port; p < (u32)port + count && p <= 0xffff; p++) {
		if (on)
			bm[p / 8] |= (u8)(1 << (p % 8));
		else
			bm[p / 8] &= (u8)~(1 << (p % 8));
	}
}

/*
 * ASID 0 (APM Vol. 2 15.16) and VPID 0 (SDM Vol. 3C 29.1) are the host's;
 * VMs share the rest round-robin, so a vCPU flushes its tag when it first
 * runs on a CPU (arch/x86/virt/vcpu.c flush_stale).
 */
u32 vm_tag_alloc(u32 nr_tags)
{
	static u32 next;

	if (nr_tags <= 1)
		return 1;
	return 1 + __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % (nr_tags - 1);
}

/* VMX's page-modification logging (SDM Vol. 3C 29.3.6); SVM has none. */
bool arch_logs_writes(void)
{
	return keel.cpu.virt == VIRT_VMX && keel.cpu.ept.pml;
}
