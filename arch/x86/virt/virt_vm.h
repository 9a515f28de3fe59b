/* SPDX-License-Identifier: GPL-2.0 */
/* Per-VM hardware resources both backends set up alike: the I/O bitmap and the TLB tag. */
#ifndef KEEL_X86_VIRT_VM_H
#define KEEL_X86_VIRT_VM_H

#include "kernel/types.h"

struct vm;

/* @vm's I/O bitmap, 2^@order pages with every port exiting, as vm->arch.io_bitmap; -ENOMEM. */
int vm_io_bitmap_alloc(struct vm *vm, unsigned int order);
void vm_io_bitmap_free(struct vm *vm, unsigned int order);
/* The virt_ops io_intercept of both backends. */
void vm_io_intercept(struct vm *vm, u16 port, u32 count, bool on);
/* The next ASID or VPID of @nr_tags (tag 0 is the host's), round-robin. */
u32 vm_tag_alloc(u32 nr_tags);

#endif
