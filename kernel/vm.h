/* SPDX-License-Identifier: GPL-2.0 */
/* VMs and vCPUs: the objects the scheduler runs and the exit handlers act on. */
#ifndef KEEL_VM_H
#define KEEL_VM_H

#include "asm/vm.h"
#include "kernel/coalesced.h"
#include "kernel/iobus.h"
#include "kernel/pagetable.h"
#include "kernel/sched_policy.h"
#include "kernel/spinlock.h"
#include "kernel/types.h"
#include "kernel/vcpu.h"

#define VM_NAME_LEN 16
#define VM_MAX_VCPUS 256	/* the control guest: one per CPU */

/* vcpu->requests: work for the run loop before the next entry. */
#define VCPU_REQ_EVENT BIT(0)	/* an interrupt source changed: look for something to inject */
#define VCPU_REQ_PARK BIT(1)	/* INIT: park before the next entry (kernel/vcpu.c) */
#define VCPU_REQ_STOP BIT(2)	/* a queued /dev/kvm vCPU: back to its VMM (KEEL_HC_VCPU_KICK) */

struct vcpu {
	struct vm *vm;
	unsigned int id;
	struct spinlock lock;		/* guards the lifecycle fields below (kernel/vcpu.c) */
	volatile enum vcpu_state state;
	bool halted_for_good;		/* counted in vm->halted_vcpus */
	bool start_latched;		/* a start came while parking: */
	void (*start_setup)(struct vcpu *v, u64 arg);	/* ... its vcpu_start() arguments */
	u64 start_arg;
	volatile u32 requests;		/* VCPU_REQ_* */
	int pin_cpu;			/* the only CPU it runs on, or -1 */
	unsigned int cpu;		/* the run queue it is on */
	struct sched_entity se;		/* its share, time and place on that queue */
	u64 runnable_since;		/* when it last became RUNNABLE on its queue */
	volatile u64 wait_ticks;	/* how long it was RUNNABLE and not run: its steal time */
	u64 lent_pending;		/* fast-path time not yet charged (sched_charge_lent()) */
	u64 fast_slice;			/* the calling CPU's slice in which it last took the fast path */
	volatile bool in_guest;		/* from entry to its exit handled (kernel/memslot.c, shootdown()) */
	u64 exits[NR_EXIT_KINDS];
	volatile u64 nr_entries;
	struct keel_run *run;		/* a /dev/kvm vCPU's page shared with the control guest, else NULL */
	struct vcpu *waiter;		/* queued by KEEL_HC_VCPU_RUN: the control vCPU to tell, */
	u8 wake_vector;			/* ... by this vector, when it needs its VMM */
	struct vcpu_arch arch;
};

struct vm;
struct vm_mem;
struct memslots;
struct keel_run;

enum vm_state { VM_RUNNING, VM_ENDED };

/*
 * Who the VM is, which decides the hypercalls it may make (kernel/hypercall.c):
 * the management calls are the control guest's alone.
 */
enum vm_kind {
	VM_KIND_BOOT,		/* a boot-time VM (arch/x86/bootvm/) */
	VM_KIND_CONTROL,	/* the control guest (arch/x86/control/) */
	VM_KIND_KVM,		/* made for a VMM of the control guest (kernel/managed_vm.c) */
	NR_VM_KINDS,
};

struct vm {
	char name[VM_NAME_LEN];
	enum vm_kind kind;
	u32 id;				/* Keel's, never reused (kernel/vm_list.c) */
	struct vm *list_next;
	u64 vmm_pid;			/* VM_KIND_KVM: its VMM's pid in the control guest */
	u64 mem_size;
	u64 ram_bytes;			/* its RAM, for the administrator (a /dev/kvm VM's: its slots) */
	struct pagetable gpt;		/* the second-level (nested) page table */
	u64 gpa_gen;			/* bumped when gpt loses or changes mappings */
	u64 stale_tables;		/* unlinked tables of gpt, a list: freed after a shootdown */
	struct vm_mem *mem;		/* host frames backing guest RAM */
	struct memslots *memslots;	/* a /dev/kvm VM's RAM: its VMM's memory (kernel/memslot.c) */
	bool write_log;			/* a /dev/kvm VM where the CPU logs writes (kernel/memslot.c) */
	struct spinlock mmu_lock;	/* serializes changes of gpt and memslots */
	unsigned int refs;		/* a /dev/kvm VM's users (kernel/managed_vm.c) */
	unsigned int nr_vcpus;
	struct vcpu *vcpus[VM_MAX_VCPUS];
	volatile enum vm_state state;
	u64 status;
	const char *stop_reason;	/* NULL: exited through its exit port */
	struct sched_group sg;		/* its weight, cap and CPU time (kernel/sched_policy.h) */
	unsigned int live_vcpus;	/* started and not parked or dead; under lock */
	unsigned int halted_vcpus;	/* of those, in a HLT no event can end; under lock */
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
	struct coalesced coalesced;	/* a /dev/kvm VM's zones and ring (KEEL_HC_COALESCED) */
	void *platform;			/* the boot-time VM's devices */
	void (*on_end)(struct vm *vm);
	struct vm_arch arch;
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
/* The same for a write if @write: NULL also where the guest may only read (a read-only slot's page). */
void *gpa_to_hva_access(struct vm *vm, u64 gpa, size_t len, bool write);
/*
 * The host-physical base of [@gpa, @gpa+@size) if all of it is RAM backed
 * by contiguous host memory (the control guest's, mapped 1:1), else 0.
 */
u64 gpa_range_to_hpa(struct vm *vm, u64 gpa, u64 size);
/* Copies to / from guest-physical memory; -EFAULT if any byte is not RAM. */
int vm_write_phys(struct vm *vm, u64 gpa, const void *src, size_t len);
int vm_read_phys(struct vm *vm, u64 gpa, void *dst, size_t len);
/*
 * Waits until no vCPU of @vm runs, in guest mode or in its exit handler,
 * with what it read before the call (each one marked in_guest is kicked and
 * waited for): what the caller replaced may then be freed.
 */
void vm_wait_exits(struct vm *vm);
/* Frees the tables a /dev/kvm VM's gpt unlinked, once vm_wait_exits() returned. */
void vm_free_stale_tables(struct vm *vm);
/* Ends the VM: @reason NULL for a clean exit with @status. Safe from any vCPU; the first call wins. */
void vm_end(struct vm *vm, u64 status, const char *reason);
/* The same with vm->lock held. */
void vm_end_locked(struct vm *vm, u64 status, const char *reason);
/* A new vCPU @id of @vm in @state, not yet in vm->vcpus; NULL if out of memory. */
struct vcpu *vcpu_alloc(struct vm *vm, unsigned int id, enum vcpu_state state);
/*
 * Adds @v to vm->vcpus, published by vm->nr_vcpus (read it with acquire);
 * the caller serializes additions and checks VM_MAX_VCPUS.
 */
void vcpu_publish(struct vcpu *v);
/* Frees what vm_create() allocated once its last vCPU is dead. */
void vm_destroy(struct vm *vm);
const char *exit_kind_name(enum exit_kind k);

#endif
