// SPDX-License-Identifier: GPL-2.0
/*
 * Page-modification logging (SDM Vol. 3C 29.3.6): with the EPTP's accessed
 * and dirty flags on, each guest write that sets a leaf's dirty flag stores
 * the page's guest-physical address in entry "PML index" of the vCPU's
 * 512-entry page and decrements the index; a write to log while the index
 * is outside 0-511 exits first (PML full, exit reason 62). After every exit
 * Keel empties the page into the logged slots' bitmaps (kernel/memslot.c),
 * as KVM does (vmx_flush_pml_buffer()), so a vCPU outside the guest never
 * holds a write its VMM cannot see.
 */
#include "arch/x86/vmx/pml.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/memslot.h"
#include "kernel/mm.h"

#define PML_ENTRIES 512

u64 pml_alloc(struct vm *vm)
{
	return vm->write_log ? frame_alloc_keel(0) : 0;
}

void pml_write_controls(u64 pml_pa)
{
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.cpu2 | CPU2_ENABLE_PML);
	vmcs_write(PML_ADDRESS, pml_pa);
	vmcs_write(GUEST_PML_INDEX, PML_ENTRIES - 1);
}

/* The logged entries are index + 1 to 511; an index past 511 (0xFFFF once full) means all 512. */
void pml_drain(struct vm *vm, u64 pml_pa)
{
	u16 index = (u16)vmcs_read(GUEST_PML_INDEX);
	const u64 *entry = (const u64 *)(uintptr_t)pml_pa;

	if (index == PML_ENTRIES - 1)
		return;
	for (unsigned int i = index < PML_ENTRIES ? index + 1 : 0; i < PML_ENTRIES; i++)
		memslot_log_write(vm, entry[i]);
	vmcs_write(GUEST_PML_INDEX, PML_ENTRIES - 1);
}
