// SPDX-License-Identifier: GPL-2.0
/* What KEEL_HC_GET_INFO reports: the CPU, timer and memory facts Keel learned at boot. */
#include "asm/processor.h"
#include "arch/x86/timer.h"
#include "kernel/arch.h"
#include "kernel/hypercall.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/string.h"
#include "keel/hypercall.h"

_Static_assert(sizeof(KEEL_VERSION) <= KEEL_VERSION_LEN, "KEEL_VERSION too long for the ABI");

/* The ABI's numbers are its own: Keel's enums may be renumbered, the ABI may not. */
static u32 abi_vendor(enum cpu_vendor v)
{
	if (v == VENDOR_INTEL)
		return KEEL_VENDOR_INTEL;
	return v == VENDOR_AMD ? KEEL_VENDOR_AMD : KEEL_VENDOR_OTHER;
}

static u32 abi_virt(enum virt_kind v)
{
	if (v == VIRT_VMX)
		return KEEL_VIRT_VMX;
	return v == VIRT_SVM ? KEEL_VIRT_SVM : KEEL_VIRT_NONE;
}

void hv_info_fill(struct keel_hv_info *info)
{
	memcpy(info->version, KEEL_VERSION, sizeof(KEEL_VERSION));
	info->nr_cpus = nr_cpus_online;
	info->vendor = abi_vendor(keel.cpu.vendor);
	info->virt = abi_virt(keel.cpu.virt);
	info->tsc_khz = (u32)tsc_khz;
	info->reserved_bytes = mm.reserve_size + mm.image_size;
	info->reserved_free_bytes = frames_free_keel() * PAGE_SIZE;
	info->guest_free_bytes = guest_frames_free() * PAGE_SIZE;
	info->heap_used_bytes = heap_used_bytes();
	info->uptime_ns = tsc_to_ns(rdtsc());
	info->features = arch_logs_writes() ? KEEL_FEATURE_WRITE_LOG : 0;
}
