// SPDX-License-Identifier: GPL-2.0
/*
 * Page-modification logging (SDM Vol. 3C 29.3.6): with the EPTP's accessed
 * and dirty flags on, each guest write that sets a leaf's dirty flag stores
 * the page's guest-physical address in entry "PML index" of the vCPU's
 * 512-entry page and decrements the index; a write to log while the index
 * is outside 0-511 exits first (PML full, exit reason 62). After every exit
 * Keel moves the entries into the VM's write log (kernel/dirty_log.h), so
 * a vCPU that passed an exit has nothing left unreported, as KVM flushes
 * its PML buffer at every exit (vmx_flush_pml_buffer()).
 */
#include "arch/x86/vmx/pml.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/dirty_log.h"
#include "kernel/mm.h"

#define PML_ENTRIES 512

u64 pml_alloc(struct vm *vm)
{
	return vm->dirty_log ? frame_alloc_keel(0) : 0;
}

void pml_write_controls(u64 pml_pa)
{
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_caps.cpu2 | CPU2_ENABLE_PML);
	vmcs_write(PML_ADDRESS, pml_pa);
	vmcs_write(GUEST_PML_INDEX, PML_ENTRIES - 1);
}

/*
 * The logged entries are index + 1 to 511 (all 512 once the index wrapped
 * to 0xFFFF). The log takes the newest first; what it cannot take stays at
 * the top of the page, the index just below it.
 */
bool pml_drain(struct vm *vm, u64 pml_pa)
{
	u16 index = (u16)vmcs_read(GUEST_PML_INDEX);
	unsigned int first = (u16)(index + 1), taken;

	if (first >= PML_ENTRIES)
		return true;
	taken = dirty_log_add(vm, (const u64 *)(uintptr_t)pml_pa + first, PML_ENTRIES - first);
	vmcs_write(GUEST_PML_INDEX, (u16)(first + taken - 1));
	return first + taken == PML_ENTRIES;
}
