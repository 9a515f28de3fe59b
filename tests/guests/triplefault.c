// SPDX-License-Identifier: GPL-2.0
/*
 * triplefault: INT3 with an IDT of limit 0. The #BP cannot be delivered
 * (#GP), nor can the #GP (#DF), nor the #DF: a triple fault, which ends
 * this VM only (SDM Vol. 3A 6.15, interrupt 8; docs/boot-vms.md). Keel
 * prints "keel: vm NAME stopped reason=triple-fault". Reaching the end of
 * this function is a failure.
 */
#include "guest.h"

struct desc_ptr32 {
	u16 limit;
	u32 base;
} __packed;

void guest_main(void)
{
	static const struct desc_ptr32 empty = { 0, 0 };

	printf("loading an empty IDT, then INT3: expect a triple fault\n");
	asm volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
	fail("still running after INT3 with an empty IDT");
}
