/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt vectors: 0x20-0xEB are for devices (given to guests), 0xEC-0xFF are Keel's own.
 * Keel's sit in priority class 0xF (SDM Vol. 3A 11.8.3): a device vector of class 0xE
 * kept in service until the control guest's EOI must not hold back Keel's timer.
 * Exception vectors are X86_EXC_* (asm/processor-flags.h).
 */
#ifndef KEEL_X86_VECTORS_H
#define KEEL_X86_VECTORS_H

#define VEC_DEVICE_FIRST 0x20
#define VEC_DEVICE_LAST 0xeb
#define VEC_TIMER 0xf0
#define VEC_KICK 0xfb	/* only makes a CPU leave guest mode or idle to look at its vCPUs */
#define VEC_CALL 0xfc
#define VEC_RESCHED 0xfd
#define VEC_APIC_ERROR 0xfe
#define VEC_SPURIOUS 0xff

#endif
