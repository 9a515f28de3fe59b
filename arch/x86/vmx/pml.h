/* SPDX-License-Identifier: GPL-2.0 */
/* Page-modification logging for VMs whose writes the CPU logs (pml.c). */
#ifndef KEEL_VMX_PML_H
#define KEEL_VMX_PML_H

#include "kernel/types.h"

struct vm;

/* A vCPU's log page if the CPU logs @vm's writes, else 0 (or no memory: vmx_vcpu_init() tells). */
u64 pml_alloc(struct vm *vm);
/* With the vCPU's VMCS current: PML on, its page empty. */
void pml_write_controls(u64 pml_pa);
/* After an exit: each page the CPU logged gets its bit in @vm's slots; the page is empty again. */
void pml_drain(struct vm *vm, u64 pml_pa);

#endif
