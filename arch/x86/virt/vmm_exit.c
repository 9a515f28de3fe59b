// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/kvm vCPUs and their VMM: exits written into the vCPU's struct
 * keel_run, the VMM's answers taken from it, and the state KVM_GET/SET_REGS
 * and _SREGS move. Everything read from the page is read once and checked:
 * the control guest may change it at any time.
 */
#include "asm/msr.h"
#include "asm/processor-flags.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/virt/cr.h"
#include "arch/x86/virt/kvmclock.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/virt/vmm_exit.h"
#include "kernel/errno.h"
#include "kernel/printk.h"
#include "kernel/string.h"
#include "keel/hypercall.h"

#define KVM_HC_VAPIC_POLL_IRQ 1		/* Linux include/uapi/linux/kvm_para.h */
#define KVM_HC_SCHED_YIELD 11
#define KVM_FEATURE_PV_SCHED_YIELD 13
#define KVM_ENOSYS 1000
#define KVM_EPERM EPERM
#define RESET_RDX 0x600			/* KVM's RDX at reset without CPUID: family 6 */

/*
 * Whether the VMM may inject an interrupt now (KVM's
 * kvm_vcpu_ready_for_interrupt_injection()): the guest takes one, and no
 * event waits to go in before it.
 */
bool vmm_irq_ready(struct vcpu *v)
{
	return !v->arch.event.valid && !v->arch.vmm.irq_pending && virt->interruptible(v);
}

/* What KVM's post_kvm_run_save() reports with every exit. */
enum vcpu_action vmm_exit_to(struct vcpu *v, u32 reason)
{
	struct keel_run *run = v->run;

	run->exit_reason = reason;
	run->flags = (v->arch.regs.rflags & X86_RFLAGS_IF ? KEEL_RUN_IF : 0) |
		     (vmm_irq_ready(v) ? KEEL_RUN_READY : 0);
	run->cr8 = virt->get_cr(v, 8);
	run->apic_base = irqchip_apic_base(v);
	return VCPU_EXIT_TO_VMM;
}

/*
 * A read the VMM answered, if this is the access it answers (the instruction
 * carried out again). A PIO answer of several elements (an INS's) gives them
 * in turn.
 */
static bool answered(struct vcpu *v, u8 kind, u64 addr, unsigned int size, u64 *val)
{
	struct vmm_io *io = &v->arch.vmm;

	if (io->answered != kind || io->addr != addr || io->size != size)
		return false;
	if (kind == VMM_MMIO) {
		io->answered = VMM_NONE;
		*val = io->data;
		return true;
	}
	*val = 0;
	memcpy(val, io->ahead + io->ahead_pos, size);
	io->ahead_pos += size;
	if (io->ahead_pos >= io->count * size)
		io->answered = VMM_NONE;
	return true;
}

static void wait_for(struct vcpu *v, u8 kind, u64 addr, unsigned int size, unsigned int count)
{
	struct vmm_io *io = &v->arch.vmm;

	io->waiting = kind;
	io->addr = addr;
	io->size = (u8)size;
	io->count = (u16)count;
	io->exit = true;
}

static void exit_io(struct vcpu *v, u64 port, unsigned int size, bool in, u64 data,
		    unsigned int count)
{
	struct keel_run *run = v->run;

	run->exit.io.port = (u16)port;
	run->exit.io.size = (u8)size;
	run->exit.io.in = in;
	run->exit.io.count = count;
	run->exit.io.data = data;
	vmm_exit_to(v, KEEL_EXIT_IO);
}

static void exit_mmio(struct vcpu *v, u64 gpa, unsigned int size, bool write, u64 data)
{
	struct keel_run *run = v->run;

	run->exit.mmio.gpa = gpa;
	run->exit.mmio.len = size;
	run->exit.mmio.write = write;
	run->exit.mmio.data = data;
	vmm_exit_to(v, KEEL_EXIT_MMIO);
}

static int pio_read(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 *val)
{
	unsigned int count = MAX(v->arch.vmm.read_ahead, 1);

	if (answered(v, VMM_PIO, port, size, val))
		return IO_HANDLED;
	exit_io(v, port, size, true, 0, count);
	wait_for(v, VMM_PIO, port, size, count);
	return IO_EXIT_VMM;
}

/*
 * A write is done as far as the instruction goes; the exit reports it.
 * One per exit: an instruction that writes twice outside RAM is not emulated.
 */
static inline int write_exit(struct vcpu *v, bool pio, u64 addr, unsigned int size, u64 val)
{
	if (v->arch.vmm.exit)
		return -EOPNOTSUPP;
	if (pio)
		exit_io(v, addr, size, false, val, 1);
	else
		exit_mmio(v, addr, size, true, val);
	v->arch.vmm.exit = true;
	return IO_HANDLED;
}

/*
 * A VM with coalesced zones (kernel/coalesced.c) looks there first. Out of
 * line and reached by a tail call, so that a write to the VMM in a VM
 * without zones pays one test and no register saves.
 */
static noinline int zoned_write(struct vcpu *v, bool pio, u64 addr, unsigned int size, u64 val)
{
	if (coalesced_write(v, &v->vm->coalesced, pio, addr, size, val))
		return IO_HANDLED;
	return write_exit(v, pio, addr, size, val);
}

static int pio_write(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 val)
{
	if (coalesced_any(&v->vm->coalesced, true))
		return zoned_write(v, true, port, size, val);
	return write_exit(v, true, port, size, val);
}

static int mmio_read(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	if (answered(v, VMM_MMIO, gpa, size, val))
		return IO_HANDLED;
	if (v->arch.vmm.exit)
		return -EOPNOTSUPP;
	exit_mmio(v, gpa, size, false, 0);
	wait_for(v, VMM_MMIO, gpa, size, 1);
	return IO_EXIT_VMM;
}

static int mmio_write(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 val)
{
	if (coalesced_any(&v->vm->coalesced, false))
		return zoned_write(v, false, gpa, size, val);
	return write_exit(v, false, gpa, size, val);
}

static const struct io_dev_ops pio_ops = { pio_read, pio_write };
static const struct io_dev_ops mmio_ops = { mmio_read, mmio_write };

void arch_vm_init_vmm(struct vm *vm)
{
	kvmclock_vm_init(vm);
	vm->unclaimed_pio = &pio_ops;
	vm->unclaimed_mmio = &mmio_ops;
}

void arch_vcpu_init_vmm(struct vcpu *v, bool bsp)
{
	vcpu_set_reset_state(v);
	v->arch.regs.gpr[GPR_RDX] = RESET_RDX;
	if (v->vm->arch.lapic_in_kernel && bsp)
		irqchip_configure(v, v->id, true);	/* LINT0 ExtINT, as KVM resets a BSP's */
	irqchip_msr_write(v, MSR_IA32_APIC_BASE,
			  APIC_BASE_DEFAULT | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0));
	kvmclock_vcpu_init(v);
	vmm_irq_vcpu_init(v, bsp);
	vmm_msr_vcpu_init(v);
}

/* KVM_INTERRUPT, KVM_NMI and request_interrupt_window: the injection happens at the next entry. */
static void take_requests(struct vcpu *v)
{
	struct vmm_io *io = &v->arch.vmm;
	u32 request = __atomic_load_n(&v->run->request, __ATOMIC_RELAXED);
	u32 irq = __atomic_load_n(&v->run->interrupt, __ATOMIC_RELAXED);

	io->want_window = request & KEEL_REQ_IRQ_WINDOW;
	if (request & KEEL_REQ_NMI)
		v->arch.nmi_pending = true;	/* more collapse into one (SDM Vol. 3A 6.7.1) */
	if (irq & KEEL_IRQ_PENDING) {
		io->irq_pending = true;
		io->irq = (u8)irq;
	}
	if (request || io->irq_pending)
		__atomic_fetch_or(&v->requests, VCPU_REQ_EVENT, __ATOMIC_SEQ_CST);
}

enum vcpu_action vmm_exit_msr(struct vcpu *v, u8 len, u32 reason, bool write, u64 val)
{
	struct keel_run *run = v->run;

	run->exit.msr.index = (u32)v->arch.regs.gpr[GPR_RCX];
	run->exit.msr.reason = reason;
	run->exit.msr.data = write ? val : 0;
	run->exit.msr.write = write;
	run->exit.msr.error = 0;
	v->arch.vmm.waiting = VMM_MSR;
	v->arch.vmm.msr_write = write;
	vmm_exit_to(v, KEEL_EXIT_MSR);
	return vmm_exit_out(v, len);
}

/*
 * The VMM's answer to KEEL_EXIT_MSR, as KVM's complete_emulated_msr_access():
 * an error raises #GP(0) at the instruction, else a RDMSR takes its data and
 * the instruction completes. A VMM that moved RIP meanwhile gets neither.
 */
static void finish_msr(struct vcpu *v)
{
	struct vmm_io *io = &v->arch.vmm;
	u64 data = __atomic_load_n(&v->run->exit.msr.data, __ATOMIC_RELAXED);

	if (v->arch.regs.rip != io->skip_rip)
		return;
	if (__atomic_load_n(&v->run->exit.msr.error, __ATOMIC_RELAXED)) {
		io->skip_len = 0;
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
	} else if (!io->msr_write) {
		v->arch.regs.gpr[GPR_RAX] = (u32)data;
		v->arch.regs.gpr[GPR_RDX] = data >> 32;
	}
}

/*
 * The VMM's CR8 (without an in-kernel LAPIC), requests, interrupt and
 * answer to the read or MSR access it was asked (each read once: the page
 * is shared); the OUT it took, the IN it answered or the MSR access
 * completes unless the VMM moved RIP meanwhile (KVM's complete_fast_pio_out()
 * and _in() check the same).
 */
int arch_vcpu_resume_vmm(struct vcpu *v)
{
	struct vmm_io *io = &v->arch.vmm;
	u64 cr8 = __atomic_load_n(&v->run->cr8, __ATOMIC_RELAXED);

	/* With the LAPIC in Keel, CR8 is its TPR's and kvm_run.cr8 is only reported (api.rst). */
	if (!v->vm->arch.lapic_in_kernel) {
		if (cr8 > 15)
			return -EINVAL;
		virt->set_cr(v, 8, cr8);
	}
	take_requests(v);
	if (io->waiting == VMM_MSR) {
		finish_msr(v);
		io->waiting = VMM_NONE;
	}
	if (io->waiting == VMM_PIO)	/* count and size are Keel's own: within KEEL_PIO_MAX */
		memcpy(io->ahead, v->run->pio, io->count * io->size);
	else if (io->waiting == VMM_MMIO)
		io->data = __atomic_load_n(&v->run->exit.mmio.data, __ATOMIC_RELAXED);
	if (io->waiting) {
		io->ahead_pos = 0;
		io->answered = io->waiting;
		io->waiting = VMM_NONE;
	}
	if (io->skip_len && v->arch.regs.rip == io->skip_rip) {
		if (io->in_pending && io->answered == VMM_PIO) {
			u32 val = 0;

			memcpy(&val, io->ahead, io->size);
			vmm_finish_in(v, val);
			io->answered = VMM_NONE;
		}
		v->arch.regs.rip += io->skip_len;
	}
	io->skip_len = 0;
	io->in_pending = false;
	io->exit = false;
	if (io->answered == VMM_MMIO && vmm_finish_mmio(v) == VCPU_EXIT_TO_VMM)
		return 1;
	return kvmclock_refresh(v) ? 0 : 1;
}

enum vcpu_action vmm_exit_out(struct vcpu *v, u8 len)
{
	v->arch.vmm.skip_rip = v->arch.regs.rip;
	v->arch.vmm.skip_len = len;
	return VCPU_EXIT_TO_VMM;
}

enum vcpu_action vmm_exit_in(struct vcpu *v, u8 len)
{
	v->arch.vmm.in_pending = true;
	return vmm_exit_out(v, len);
}

enum vcpu_action vmm_exit_hlt(struct vcpu *v)
{
	return vmm_exit_to(v, KEEL_EXIT_HLT);
}

/*
 * Why a VM stops, in Keel's log (keelctl log): what ends it is its VMM's
 * call, so at debug level, as its creation and destruction (managed_vm.c).
 */
enum vcpu_action vmm_exit_shutdown(struct vcpu *v)
{
	pr_debug("keel: vm %u (%s) vcpu %u: triple fault, shut down\n", v->vm->id, v->vm->name, v->id);
	return vmm_exit_to(v, KEEL_EXIT_SHUTDOWN);
}

enum vcpu_action vmm_exit_fail_entry(struct vcpu *v, const struct vm_exit *e)
{
	pr_debug("keel: vm %u (%s) vcpu %u: entry failed, reason %#x\n", v->vm->id, v->vm->name,
		 v->id, e->raw_reason);
	v->run->exit.fail_entry.reason = e->raw_reason;
	v->run->exit.fail_entry.qual = e->qual;
	return vmm_exit_to(v, KEEL_EXIT_FAIL_ENTRY);
}

enum vcpu_action vmm_exit_internal(struct vcpu *v, u32 suberror, const struct vm_exit *e)
{
	pr_debug("keel: vm %u (%s) vcpu %u: internal error %u, exit %#x\n", v->vm->id, v->vm->name,
		 v->id, suberror, e->raw_reason);
	v->run->exit.internal.suberror = suberror;
	v->run->exit.internal.ndata = 2;
	v->run->exit.internal.data[0] = e->raw_reason;
	v->run->exit.internal.data[1] = e->qual;
	return vmm_exit_to(v, KEEL_EXIT_INTERNAL_ERROR);
}

enum vcpu_action vmm_exit_fault(struct vcpu *v, u64 gpa, bool write)
{
	v->run->exit.fault.gpa = gpa & ~(u64)(PAGE_SIZE - 1);
	v->run->exit.fault.write = write;
	return vmm_exit_to(v, KEEL_EXIT_FAULT);
}

/*
 * Outside 64-bit mode the result is 32 bits wide, as in kvm_emulate_hypercall().
 * KVM_HC_SCHED_YIELD (a directed yield to the vCPU of APIC ID RBX) is a
 * hint: 0, as KVM answers it whether or not it found someone to yield to,
 * and unless KVM_CAP_ENFORCE_PV_FEATURE_CPUID hides it. Keel yields
 * nothing: a /dev/kvm vCPU runs in its VMM's thread, which Linux schedules,
 * and Keel does not offer KVM_FEATURE_PV_SCHED_YIELD.
 */
void vmm_hypercall(struct vcpu *v)
{
	u64 *rax = &v->arch.regs.gpr[GPR_RAX];
	bool wide = virt->in_64bit_mode(v);
	u64 nr = wide ? *rax : (u32)*rax;
	s64 r = -KVM_ENOSYS;

	if (virt->get_cpl(v))
		r = -KVM_EPERM;
	else if (nr == KVM_HC_VAPIC_POLL_IRQ)
		r = 0;
	else if (nr == KVM_HC_SCHED_YIELD && vmm_pv_has(v, KVM_FEATURE_PV_SCHED_YIELD))
		r = 0;
	*rax = wide ? (u64)r : (u32)r;
}

/*
 * After each exit handled in Keel: the window the VMM asked for is open
 * (KVM checks the same after each entry, vcpu_run()).
 */
enum vcpu_action vmm_check_window(struct vcpu *v, enum vcpu_action a)
{
	if (a == VCPU_CONTINUE && v->arch.vmm.want_window && vmm_irq_ready(v))
		return vmm_exit_to(v, KEEL_EXIT_IRQ_WINDOW);
	return a;
}
