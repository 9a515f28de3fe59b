/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Keel's guest ABI: the CPUID leaves and hypercalls a guest of Keel sees.
 *
 * Freestanding on purpose: Keel, the payload guests in tests/guests, host
 * programs built with a libc and the control guest's Linux module all
 * compile against this one file, so it includes nothing but the fixed-width
 * types and uses neither bool nor enums in ABI structures (their sizes are
 * the compiler's choice); assembly (__ASSEMBLY__) gets the constants only. Every structure has its size and every field
 * offset checked below, and padding is explicit.
 *
 * CPUID (0x40000000-0x4FFFFFFF is reserved for hypervisors, SDM Vol. 2A CPUID):
 *   0x40000000  EAX = highest Keel leaf (KEEL_CPUID_LEAF_MAX),
 *               EBX = ECX = EDX = KEEL_CPUID_SIGNATURE ("KeelKeelKeel")
 *   0x40000001  EAX = KEEL_ABI_VERSION, EBX = ECX = EDX = 0
 *   0x40000002  Keel's reserved range: EAX:EBX base (low half in EAX),
 *               ECX:EDX size (low half in ECX)
 *
 * Hypercalls: VMCALL on Intel, VMMCALL on AMD and Hygon (the other one
 * raises #UD). RAX = number, RBX, RCX, RDX, RSI = arguments; the result is in
 * RAX: >= 0 on success, else a negative KEEL_E* value. No other register
 * changes. Outside 64-bit mode only the low 32 bits of each register count,
 * as with KVM's own hypercalls (Linux arch/x86/kvm/x86.c,
 * kvm_emulate_hypercall). Any call from CPL > 0 returns -KEEL_EPERM; an unknown
 * number returns -KEEL_ENOSYS; a call this VM may not make (the management
 * calls are the control guest's) returns -KEEL_EPERM.
 */
#ifndef KEEL_GUEST_ABI_HYPERCALL_H
#define KEEL_GUEST_ABI_HYPERCALL_H

/* 2: KEEL_HC_GET_INFO; 3: KEEL_HC_VM_CREATE and _DESTROY. A new call or structure field bumps it. */
#define KEEL_ABI_VERSION 3

/* No U suffixes: assembly includes these too, and every value fits an int. */
#define KEEL_CPUID_SIGNATURE 0x6c65654b	/* "Keel", little-endian */
#define KEEL_CPUID_LEAF_SIGNATURE 0x40000000
#define KEEL_CPUID_LEAF_ABI 0x40000001
#define KEEL_CPUID_LEAF_RESERVED 0x40000002
#define KEEL_CPUID_LEAF_MAX KEEL_CPUID_LEAF_RESERVED

/* Error numbers: Linux's values, since the guest side is Linux. */
#define KEEL_EPERM 1	/* CPL > 0, or a call this VM may not make */
#define KEEL_E2BIG 7	/* a buffer too small for the result */
#define KEEL_ENOMEM 12	/* Keel is out of memory for it */
#define KEEL_EFAULT 14	/* a guest-physical range that is not all RAM */
#define KEEL_EINVAL 22	/* an argument out of range, or an unused one not 0 */
#define KEEL_ENOSPC 28	/* no room for another object of its kind */
#define KEEL_ENOSYS 38	/* no such hypercall */

/*
 * KEEL_HC_VERSION (any VM): returns KEEL_ABI_VERSION. Its arguments are
 * ignored, so that a caller of any ABI version can always ask.
 */
#define KEEL_HC_VERSION 0

/*
 * KEEL_HC_GET_INFO (the control guest only): writes a struct keel_hv_info to
 * guest-physical RBX; RCX = the buffer's size in bytes; RDX and RSI must be
 * 0. Returns the number of bytes written (sizeof(struct keel_hv_info)),
 * else, checked in this order: -KEEL_EINVAL if RDX or RSI is not 0,
 * -KEEL_E2BIG if RCX is smaller than the structure (KVM's answer to a short
 * buffer, KVM api.rst KVM_GET_SUPPORTED_CPUID), -KEEL_EFAULT if any byte of
 * it would not be guest RAM (as with Linux's copy_to_user, the bytes in the
 * pages before the faulting one may have been written).
 */
#define KEEL_HC_GET_INFO 1

/*
 * KEEL_HC_VM_CREATE (the control guest only): creates an empty VM for a VMM
 * of the control guest (/dev/kvm): no memory, no vCPUs yet; its own
 * hypercalls follow KVM's ABI, not this one. RBX, RCX, RDX, RSI must be 0.
 * Returns the VM's handle (> 0), -KEEL_ENOSPC when KEEL_MAX_VMS exist, or
 * -KEEL_ENOMEM.
 */
#define KEEL_HC_VM_CREATE 2

/*
 * KEEL_HC_VM_DESTROY (the control guest only): RBX = a handle
 * KEEL_HC_VM_CREATE returned; RCX, RDX, RSI must be 0. Frees the VM and all
 * it holds; the handle is never valid again. 0, or -KEEL_EINVAL for a handle
 * that names no VM.
 */
#define KEEL_HC_VM_DESTROY 3

#define KEEL_NR_HYPERCALLS 4
#define KEEL_MAX_VMS 64

#define KEEL_VENDOR_OTHER 0
#define KEEL_VENDOR_INTEL 1
#define KEEL_VENDOR_AMD 2

#define KEEL_VIRT_NONE 0
#define KEEL_VIRT_VMX 1	/* Intel VT-x with EPT */
#define KEEL_VIRT_SVM 2	/* AMD-V with NPT */

#define KEEL_VERSION_LEN 16

#ifndef __ASSEMBLY__
#ifdef __KERNEL__
#include <linux/types.h>
typedef __u32 keel_u32;
typedef __u64 keel_u64;
#else
#include <stdint.h>
typedef uint32_t keel_u32;
typedef uint64_t keel_u64;
#endif

struct keel_hv_info {
	keel_u32 abi_version;		/* KEEL_ABI_VERSION */
	keel_u32 size;			/* sizeof(struct keel_hv_info) as Keel built it */
	char version[KEEL_VERSION_LEN];	/* Keel's version, NUL-terminated */
	keel_u32 nr_cpus;		/* physical CPUs online */
	keel_u32 vendor;		/* KEEL_VENDOR_* */
	keel_u32 virt;			/* KEEL_VIRT_* */
	keel_u32 tsc_khz;		/* the calibrated TSC frequency */
	keel_u64 reserved_bytes;	/* Keel's reservation plus its image */
	keel_u64 reserved_free_bytes;	/* free frames in Keel's reservation */
	keel_u64 guest_free_bytes;	/* free frames for new VMs */
	keel_u64 uptime_ns;		/* TSC time since the processor's reset */
};

_Static_assert(sizeof(struct keel_hv_info) == 72, "keel_hv_info size");
_Static_assert(__builtin_offsetof(struct keel_hv_info, abi_version) == 0, "abi_version");
_Static_assert(__builtin_offsetof(struct keel_hv_info, size) == 4, "size");
_Static_assert(__builtin_offsetof(struct keel_hv_info, version) == 8, "version");
_Static_assert(__builtin_offsetof(struct keel_hv_info, nr_cpus) == 24, "nr_cpus");
_Static_assert(__builtin_offsetof(struct keel_hv_info, vendor) == 28, "vendor");
_Static_assert(__builtin_offsetof(struct keel_hv_info, virt) == 32, "virt");
_Static_assert(__builtin_offsetof(struct keel_hv_info, tsc_khz) == 36, "tsc_khz");
_Static_assert(__builtin_offsetof(struct keel_hv_info, reserved_bytes) == 40, "reserved_bytes");
_Static_assert(__builtin_offsetof(struct keel_hv_info, reserved_free_bytes) == 48,
	       "reserved_free_bytes");
_Static_assert(__builtin_offsetof(struct keel_hv_info, guest_free_bytes) == 56, "guest_free_bytes");
_Static_assert(__builtin_offsetof(struct keel_hv_info, uptime_ns) == 64, "uptime_ns");
#endif /* __ASSEMBLY__ */

#endif
