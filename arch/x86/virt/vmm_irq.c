// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel LAPIC of /dev/kvm vCPUs (KVM_CAP_SPLIT_IRQCHIP: the VMM
 * keeps the PIC and I/O APIC). Each vCPU's LAPIC is its struct irqchip,
 * the model boot-time VMs use; what differs for these vCPUs is who waits:
 * a HLT, an AP before its INIT and an INIT before its SIPI wait inside
 * KEEL_HC_VCPU_RUN (kernel/managed_vcpu.c), as KVM's vCPUs wait inside
 * KVM_RUN, in the states of KVM's mp_state (api.rst 4.38). INIT and SIPI
 * from another vCPU are only noted (irqchip.c) and taken here, on the
 * target's own CPU, as KVM's kvm_apic_accept_events() does.
 */
#include "asm/processor-flags.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mm.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "keel/hypercall.h"

/* EOI of a level-triggered vector: the VMM's I/O APIC hears of those it asked for (KVM_EXIT_IOAPIC_EOI). */
static void level_eoi(struct vcpu *v, u8 vector)
{
	u64 word = __atomic_load_n(&v->vm->arch.eoi_exits[vector / 64], __ATOMIC_RELAXED);

	if (word & BIT(vector % 64)) {
		v->arch.vmm.eoi_vector = vector;
		v->arch.vmm.eoi_exit = true;
	}
}

static const struct irqchip_platform vmm_platform = { .level_eoi = level_eoi };

/*
 * Before the first vCPU: every vCPU made from now on finds its LAPIC's page
 * claimed; with @full also the PIC and I/O APIC (KVM_CREATE_IRQCHIP).
 */
static int create(struct vm *vm, bool full)
{
	if (vm->arch.lapic_in_kernel || __atomic_load_n(&vm->nr_vcpus, __ATOMIC_ACQUIRE))
		return -EEXIST;
	if (irqchip_add_mmio(vm) || (full && vmm_platform_create(vm)))
		return -ENOMEM;
	if (!full)
		vm->arch.irq_platform = &vmm_platform;
	vm->arch.lapic_in_kernel = true;
	return 0;
}

/* KEEL_IRQCHIP_GET/SET: the state moves through a buffer in Keel, checked by the model's setter. */
static int chip_state(struct vm *vm, u64 chip, u64 gpa, bool set, struct vm *caller)
{
	u8 *buf = kzalloc(KEEL_CHIP_STATE_SIZE);
	int r = -ENOMEM;

	if (!buf)
		return r;
	r = set && vm_read_phys(caller, gpa, buf, KEEL_CHIP_STATE_SIZE) ? -EFAULT : 0;
	if (!r)
		r = vmm_platform_state(vm, (u32)chip, buf, set);
	if (!r && !set && vm_write_phys(caller, gpa, buf, KEEL_CHIP_STATE_SIZE))
		r = -EFAULT;
	kfree(buf);
	return r;
}

static s64 platform_op(struct vm *vm, u64 op, u64 a, u64 b, struct vm *caller)
{
	switch (op) {
	case KEEL_IRQCHIP_PIN:
		return a > KEEL_CHIP_IOAPIC || (b >> 33) ? -EINVAL :
		       vmm_platform_pin(vm, (u32)a, (u32)b, b >> 32);
	case KEEL_IRQCHIP_GET:
	case KEEL_IRQCHIP_SET:
		return a > KEEL_CHIP_PIT ? -EINVAL :
		       chip_state(vm, a, b, op == KEEL_IRQCHIP_SET, caller);
	case KEEL_IRQCHIP_PIT:
		return a > 1 ? -EINVAL : vmm_platform_add_pit(vm, a);
	case KEEL_IRQCHIP_REINJECT:
		return a > 1 ? -EINVAL : vmm_platform_reinject(vm, a);
	default:
		return -EINVAL;
	}
}

static int set_eoi_exits(struct vm *vm, u64 gpa, struct vm *caller)
{
	u64 bits[4];

	if (vm_read_phys(caller, gpa, bits, sizeof(bits)))
		return -EFAULT;
	for (int i = 0; i < 4; i++)
		__atomic_store_n(&vm->arch.eoi_exits[i], bits[i], __ATOMIC_RELAXED);
	return 0;
}

s64 arch_vm_irqchip(struct vm *vm, u64 op, u64 a, u64 b, struct vm *caller)
{
	if (op == KEEL_IRQCHIP_SPLIT || op == KEEL_IRQCHIP_FULL)
		return create(vm, op == KEEL_IRQCHIP_FULL);
	if (!vm->arch.lapic_in_kernel)
		return -EINVAL;
	if (op == KEEL_IRQCHIP_MSI)
		return b >> 32 ? -EINVAL : irqchip_deliver_msi(vm, a, (u32)b);
	if (op == KEEL_IRQCHIP_EOI_EXITS)
		return set_eoi_exits(vm, a, caller);
	return platform_op(vm, op, a, b, caller);
}

/* A new vCPU: with the in-kernel LAPIC an AP waits for INIT and SIPI (KVM's kvm_arch_vcpu_create()). */
void vmm_irq_vcpu_init(struct vcpu *v, bool bsp)
{
	v->arch.vmm.mp_state = v->vm->arch.lapic_in_kernel && !bsp ? KEEL_MP_UNINITIALIZED :
								     KEEL_MP_RUNNABLE;
}

/* INIT (SDM Vol. 3A 9.1): the reset state but for the LAPIC's ID and base; an AP then waits for a SIPI. */
static void take_init(struct vcpu *v)
{
	bool bsp = irqchip_is_bsp(v);

	vcpu_set_reset_state(v);
	arch_vcpu_init_reset(v);
	v->arch.vmm.mp_state = bsp ? KEEL_MP_RUNNABLE : KEEL_MP_INIT_RECEIVED;
}

/* INIT, then SIPI, then the end of HLT; true while the vCPU still waits. */
bool arch_vcpu_waits(struct vcpu *v)
{
	struct irqchip *c = v->arch.irqchip;
	u8 *mp = &v->arch.vmm.mp_state;

	if (!v->vm->arch.lapic_in_kernel)
		return false;
	if (__atomic_exchange_n(&c->init_pending, false, __ATOMIC_SEQ_CST))
		take_init(v);
	if (__atomic_exchange_n(&c->sipi_pending, false, __ATOMIC_SEQ_CST) &&
	    *mp == KEEL_MP_INIT_RECEIVED) {
		vcpu_set_sipi_state(v, c->sipi_vector);
		*mp = KEEL_MP_RUNNABLE;
	}
	if (*mp == KEEL_MP_HALTED && arch_vcpu_wakeable(v)) {
		*mp = KEEL_MP_RUNNABLE;
		__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
	}
	return *mp != KEEL_MP_RUNNABLE;
}

void arch_vcpu_halt(struct vcpu *v)
{
	v->arch.vmm.mp_state = KEEL_MP_HALTED;
}

/* After each exit handled in Keel: an EOI the VMM's I/O APIC wants to see exits now. */
enum vcpu_action vmm_check_eoi(struct vcpu *v, enum vcpu_action a)
{
	if (a != VCPU_CONTINUE)
		return a;
	v->arch.vmm.eoi_exit = false;
	v->run->exit.eoi.vector = v->arch.vmm.eoi_vector;
	return vmm_exit_to(v, KEEL_EXIT_IOAPIC_EOI);
}

/*
 * KVM_SET_MP_STATE (KVM's kvm_arch_vcpu_ioctl_set_mpstate()): only
 * RUNNABLE without the in-kernel LAPIC; SIPI_RECEIVED is INIT_RECEIVED
 * with the last SIPI's vector pending again.
 */
int vmm_set_mp_state(struct vcpu *v, u32 state)
{
	if (!v->vm->arch.lapic_in_kernel)
		return state == KEEL_MP_RUNNABLE ? 0 : -EINVAL;
	if (state > KEEL_MP_SIPI_RECEIVED)
		return -EINVAL;
	if (state == KEEL_MP_SIPI_RECEIVED) {
		__atomic_store_n(&v->arch.irqchip->sipi_pending, true, __ATOMIC_SEQ_CST);
		state = KEEL_MP_INIT_RECEIVED;
	}
	v->arch.vmm.mp_state = (u8)state;
	return 0;
}
