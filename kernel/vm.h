/* SPDX-License-Identifier: GPL-2.0 */
/* VMs and vCPUs: the objects the scheduler runs and the exit handlers act on. */
#ifndef KEEL_VM_H
#define KEEL_VM_H

#include "arch/x86/emulate.h"
#include "arch/x86/virt.h"
#include "kernel/iobus.h"
#include "kernel/pagetable.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"

#define VM_NAME_LEN 16
#define VM_MAX_VCPUS 256	/* the control guest: one per CPU */

enum vcpu_state {
	VCPU_STOPPED,	/* not started yet (secondary vCPUs) */
	VCPU_STARTING,	/* being started; not on a run queue yet */
	VCPU_RUNNABLE,
	VCPU_BLOCKED,	/* HLT: waits for an interrupt */
	VCPU_DEAD,
};

struct vapic;

struct vcpu_arch {
	struct x86_regs regs;	/* RSP is synced with the VMCS/VMCB by the backend */
	struct x86_event event;	/* injected at the next entry */
	u64 irr[4];		/* pending external interrupt vectors */
	void *hw;		/* the backend's per-vCPU state */
	bool window;		/* an interrupt-window exit is requested */
	bool nmi_pending;	/* one NMI waits; more collapse into it (SDM Vol. 3A 6.7.1) */
	bool nmi_window;	/* an NMI-window exit is requested */
	unsigned int last_cpu;	/* physical CPU of the previous entry */
	u64 flush_gen;		/* vm->gpa_gen this vCPU's TLB entries reflect */
	u64 tsc_aux;
	u8 fxsave[512] __aligned(16);	/* x87/SSE state while another vCPU has the CPU */
	u64 dr[4];			/* DR0-DR3, likewise: neither VMRUN nor VM entry switches them */
	struct vapic *apic;		/* the control guest's virtual LAPIC, NULL for boot-time VMs */
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	volatile enum vcpu_state state;
	bool halted;			/* counted in vm->halted_vcpus (HLT with interrupts off) */
	unsigned int cpu;		/* the run queue it is on */
	struct vcpu *rq_next;
	u64 irq_deadline;		/* TSC of a test-device interrupt, 0 if none */
	u8 irq_deadline_vector;
	u64 nmi_deadline;		/* TSC of a test-device NMI, 0 if none */
	u64 exits[NR_EXIT_KINDS];
	u64 nr_entries;
	struct vcpu_arch arch;
};

struct vm;
struct vm_mem;

enum vm_state { VM_RUNNING, VM_ENDED };

struct vm {
	char name[VM_NAME_LEN];
	u64 mem_size;
	struct pagetable gpt;		/* EPT or NPT */
	u64 gpa_gen;			/* bumped when gpt loses or changes mappings */
	u32 asid;			/* SVM ASID or VMX VPID */
	void *hw;			/* the backend's per-VM state */
	struct vm_mem *mem;		/* host frames backing guest RAM */
	unsigned int nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	volatile enum vm_state state;
	u64 status;
	const char *stop_reason;	/* NULL: exited through its exit port */
	volatile unsigned int live_vcpus;
	volatile unsigned int halted_vcpus;	/* stopped by HLT with interrupts off */
	struct spinlock lock;
	struct io_bus pio;		/* ports 0-0xFFFF */
	struct io_bus mmio;		/* guest-physical addresses outside RAM */
	/*
	 * What an access no device claims (IO_NOT_MINE) becomes, decided by the
	 * VM's owner. NULL, as for the control guest and boot-time VMs: reads
	 * return all ones and writes are dropped, as on a bus with nothing on it.
	 * The hook for VMs created through /dev/kvm: their ops will describe the
	 * access in kvm_run (KVM_EXIT_IO, KVM_EXIT_MMIO) and answer a code that
	 * makes the exit handler return to the VMM, completing the instruction
	 * with the VMM's data at the next KVM_RUN.
	 */
	const struct io_dev_ops *unclaimed_pio, *unclaimed_mmio;
	void *platform;			/* the boot-time VM's devices */
	void (*on_end)(struct vm *vm);
};

/*
 * Creates a VM with @mem_size bytes of RAM at guest-physical 0, in 1 GiB,
 * 2 MiB or 4 KiB pages as alignment, the backend's tables and free frames allow.
 */
struct vm *vm_create(const char *name, u64 mem_size, unsigned int nr_vcpus);
/*
 * Maps guest-physical [@gpa, @gpa+@size) to the same host-physical range
 * (the control guest); PT_UC marks device memory, which is never accessed
 * through gpa_to_hva().
 */
int vm_map_identity(struct vm *vm, u64 gpa, u64 size, u64 prot);
/* Host-virtual address of guest-physical @gpa if [gpa, gpa+len) is RAM within one page, else NULL. */
void *gpa_to_hva(struct vm *vm, u64 gpa, size_t len);
/* Copies to / from guest-physical memory; -EFAULT if any byte is not RAM. */
int vm_write_phys(struct vm *vm, u64 gpa, const void *src, size_t len);
int vm_read_phys(struct vm *vm, u64 gpa, void *dst, size_t len);
/* Ends the VM: @reason NULL for a clean exit with @status. Safe from any vCPU; the first call wins. */
void vm_end(struct vm *vm, u64 status, const char *reason);
/* Frees what vm_create() allocated once its last vCPU is dead. */
void vm_destroy(struct vm *vm);
void vcpu_raise_irq(struct vcpu *v, u8 vector);
const char *exit_kind_name(enum exit_kind k);

#endif
