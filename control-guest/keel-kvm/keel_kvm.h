/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel-kvm's objects: a VM of a VMM (its Keel handle, memory slots and MMU
 * notifier) and its vCPUs (the kvm_run page the VMM maps and the keel_run
 * page Keel writes). Locks: vcpu->mutex (one ioctl at a time, as KVM's),
 * then vm->lock (slots and vCPU creation), then vm->mmu_lock (a spinlock:
 * the slots as the fault path and the MMU notifier read them).
 */
#ifndef KEEL_KVM_H
#define KEEL_KVM_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/kvm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>

#include <keel/hypercall.h>

/*
 * The vCPU mapping's pages after kvm_run, as KVM's on x86: the data of an
 * I/O exit (kvm_run.io.data_offset) and the VM's coalesced MMIO ring (the
 * offset KVM_CAP_COALESCED_MMIO answers).
 */
#define KEEL_PIO_PAGE_OFFSET 1
#define KEEL_COALESCED_MMIO_PAGE_OFFSET 2
#define KEEL_VCPU_MMAP_PAGES 3

#define KEEL_MAX_IRQ_ROUTES 4096	/* KVM_MAX_IRQ_ROUTES: GSIs 0..4095 */

/* CPUID bits of KVM_GET_SUPPORTED_CPUID (cpuid.c) */
#define CPUID1_ECX_OSXSAVE BIT(27)		/* CR4's, not the CPU's */
#define CPUID_D1_EAX_XSAVEC BIT(1)		/* leaf 0xD.1: compacted sizes in EBX */
#define CPUID_D1_EAX_XSAVES BIT(3)

struct keel_slot {
	u64 gpa, size;			/* size 0: unused */
	unsigned long uaddr;
	u32 flags;			/* KVM_MEM_* */
	unsigned long *dirty;		/* KVM_MEM_LOG_DIRTY_PAGES: the log (dirty.c) */
};

/* The exits to the VMM that this module counts (stats.c), beside Keel's KEEL_STAT_*. */
enum {
	KEEL_OWN_MMIO_EXITS,
	KEEL_OWN_SIGNAL_EXITS,
	KEEL_OWN_REQUEST_IRQ_EXITS,
	KEEL_NR_OWN_STATS
};

/* debugfs's counters: each vCPU counter (Keel's, then the module's), then the VM's. */
#define KEEL_NR_DEBUGFS_STATS (KEEL_NR_VCPU_STATS + KEEL_NR_OWN_STATS + KEEL_NR_VM_STATS)

struct keel_vm;

/* A debugfs file: counter @index of @vm, or summed over every VM (@vm NULL). */
struct keel_debugfs_stat {
	struct keel_vm *vm;
	u32 index;
};

struct keel_vm {
	u64 handle;			/* Keel's name for it (KEEL_HC_VM_CREATE) */
	pid_t pid;			/* its creator's: KVM names the VM's stats "kvm-PID" */
	struct kref kref;		/* the VM fd's and one per vCPU fd */
	struct mm_struct *mm;		/* the VMM's: only it may use the VM, as with KVM */
	struct mutex lock;
	struct keel_slot slots[KEEL_MAX_MEMSLOTS];
	struct keel_memslot hc_slot;	/* KEEL_HC_MEMSLOT's argument: kmalloc'd memory, not stack */
	struct keel_vcpu *vcpus[KEEL_MAX_VCPUS];
	unsigned int nr_vcpus;
	u32 bsp_id;			/* KVM_SET_BOOT_CPU_ID */
	u32 max_vcpu_ids;		/* KVM_CAP_MAX_VCPU_ID as enabled, 0: KEEL_MAX_VCPUS */
	u64 manual_dirty;		/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2's flags */
	unsigned long nr_mmu_pages;	/* KVM_SET_NR_MMU_PAGES, 0: not set */
	struct mmu_notifier mn;
	spinlock_t mmu_lock;
	unsigned long mmu_seq;		/* bumped by each invalidation */
	long mmu_in_progress;		/* invalidations started and not ended */
	struct list_head ioeventfds;	/* iodev.c: an RCU list, changed under lock */
	struct list_head zones;		/* coalesced MMIO and PIO, Keel's too (KEEL_HC_COALESCED) */
	unsigned int nr_bus_devs[3];	/* MMIO, PIO, virtio-ccw: as KVM's buses count */
	struct kvm_coalesced_mmio_ring *ring;	/* Keel appends, the VMM maps it (vcpu.c) */
	bool split_irqchip;		/* irq.c: KVM_CAP_SPLIT_IRQCHIP, the LAPIC in Keel */
	bool irqchip_full;		/* irqchip.c: KVM_CREATE_IRQCHIP, also the PIC and I/O APIC */
	bool has_pit;			/* KVM_CREATE_PIT2 */
	u32 nr_ioapic_pins;		/* GSIs below this are the VMM's I/O APIC pins */
	struct keel_routes __rcu *routes;	/* KVM_SET_GSI_ROUTING */
	struct list_head irqfds;
	spinlock_t irqfd_lock;
	unsigned long eoi_exits[256 / BITS_PER_LONG];	/* KEEL_IRQCHIP_EOI_EXITS' argument */
	struct list_head debugfs_node;	/* debugfs.c's list of VMs */
	struct dentry *debugfs;		/* its folder "PID-FD" */
	struct keel_debugfs_stat debugfs_stats[KEEL_NR_DEBUGFS_STATS];
};

struct keel_vcpu {
	struct keel_vm *vm;
	u32 id;
	pid_t pid;			/* its creator's: its stats are "kvm-VMPID/vcpu-ID" */
	struct mutex mutex;
	struct kvm_run *run;		/* page 0 of the VMM's mapping */
	void *pio_data;			/* page KEEL_PIO_PAGE_OFFSET */
	struct keel_run *krun;		/* shared with Keel, never mapped to user space */
	u32 read_kind;			/* KVM_EXIT_IO, _MMIO, _X86_RDMSR, _X86_WRMSR: the VMM answers ... */
	u32 read_size;			/* ... of this many bytes (Keel's figures, not the VMM's page) */
	bool sigset_active;
	sigset_t sigset;
	bool nmi_queued;		/* KVM_NMI, until Keel takes it */
	struct kvm_cpuid_entry2 *cpuid;	/* KVM_SET_CPUID2's table, for KVM_GET_CPUID2 */
	u32 nr_cpuid;
	struct kvm_sync_regs sync;	/* state.c: s.regs and the state ioctls' copy */
	u64 own_stats[KEEL_NR_OWN_STATS];	/* under mutex; read by stats.c with READ_ONCE */
	wait_queue_head_t wait;		/* sched.c: its thread, while Keel's scheduler runs it */
	struct list_head wait_node;	/* ... on sched.c's list of those */
};

/* Counters for tests and administrators (/sys/module/keel_kvm/parameters/stats). */
struct keel_stats {
	atomic64_t fault_ins;		/* pages Keel was asked to map */
	atomic64_t huge_maps;		/* ... of those, mapped as 2 MiB pages */
	atomic64_t write_logged;	/* dirty pages from Keel's bitmaps (PML, Keel's writes) */
};

extern struct keel_stats keel_stats;
extern u32 keel_tsc_khz;		/* Keel's TSC rate: every vCPU's (no TSC scaling) */
extern bool keel_write_log;		/* the CPU logs writes (KEEL_FEATURE_WRITE_LOG) */

/* The KVM_GET_CLOCK flags keel-kvm reports (KVM_CAP_ADJUST_CLOCK). */
#define KEEL_CLOCK_FLAGS (KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC)

long keel_hypercall(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		    unsigned long a3);
/* Keel's negative KEEL_E* result as the errno KVM returns for the same cause. */
int keel_errno(long ret);
/* KEEL_HC_GET_INFO into kernel memory, checked: 0 or -EPROTO. */
int keel_get_info(struct keel_hv_info *info);

/* /dev/keel, the administrator's device (admin.c, guest-abi/keel/keelctl.h). */
int keel_admin_init(void);
void keel_admin_exit(void);

int keel_create_vm(unsigned long type);
void keel_vm_put(struct keel_vm *vm);
int keel_vm_fault_in(struct keel_vm *vm, u64 gpa, bool write);
int keel_create_vcpu(struct keel_vm *vm, unsigned long id);
void keel_vcpu_free(struct keel_vcpu *vcpu);
int keel_check_extension(unsigned long cap);

/* ioeventfds and coalesced MMIO (iodev.c). */
void keel_iodev_init(struct keel_vm *vm);
void keel_iodev_free(struct keel_vm *vm);
long keel_ioeventfd(struct keel_vm *vm, void __user *argp);
long keel_coalesced_mmio(struct keel_vm *vm, void __user *argp, bool reg);
bool keel_iodev_write(struct keel_vcpu *vcpu);

static inline bool keel_irqchip_in_kernel(const struct keel_vm *vm)
{
	return vm->split_irqchip || vm->irqchip_full;
}

/* The full in-kernel irqchip and the PIT (irqchip.c). */
long keel_irqchip_ioctl(struct keel_vm *vm, unsigned int ioctl, void __user *argp);
int keel_default_routes(struct keel_vm *vm);

/* After KEEL_RUN_QUEUED: sleeps while Keel runs the vCPU on another CPU; 0 once it is back (sched.c). */
long keel_sched_wait(struct keel_vcpu *vcpu);
void keel_sched_init(void);
void keel_sched_exit(void);

/* The in-kernel LAPIC's interrupts (irq.c). */
int keel_irq_module_init(void);
void keel_irq_module_exit(void);
void keel_irq_init(struct keel_vm *vm);
void keel_irq_free(struct keel_vm *vm);
int keel_enable_split_irqchip(struct keel_vm *vm, const struct kvm_enable_cap *cap);
long keel_set_gsi_routing(struct keel_vm *vm, void __user *argp);
long keel_signal_msi(struct keel_vm *vm, void __user *argp);
long keel_irq_line(struct keel_vm *vm, void __user *argp, bool status);
long keel_irqfd(struct keel_vm *vm, void __user *argp);

/* kvmclock and the TSC rate (clock.c). */
int keel_vm_clock_init(struct keel_vm *vm);
long keel_clock_ioctl(struct keel_vm *vm, unsigned int ioctl, void __user *argp);
long keel_tsc_khz_ioctl(unsigned int ioctl, unsigned long arg);
long keel_kvmclock_ctrl(struct keel_vcpu *vcpu);
long keel_vcpu_attr_ioctl(struct keel_vcpu *vcpu, unsigned int ioctl, void __user *argp);
long keel_enable_cap(struct keel_vm *vm, u64 cap, u64 id, u64 val);

/* KVM_GET_STATS_FD (stats.c): of @vcpu, or of @vm if @vcpu is NULL. */
long keel_get_stats_fd(struct keel_vm *vm, struct keel_vcpu *vcpu);
/* debugfs's counter @i of @vm (a vCPU counter summed over its vCPUs), and its name. */
int keel_stats_sum(struct keel_vm *vm, u32 i, u64 *val);
const char *keel_stat_name(u32 i);

/* /sys/kernel/debug/kvm (debugfs.c). */
void keel_debugfs_init(void);
void keel_debugfs_exit(void);
void keel_debugfs_add_vm(struct keel_vm *vm, int fd);
void keel_debugfs_del_vm(struct keel_vm *vm);

/* Dirty logging (dirty.c). */
unsigned long *keel_dirty_alloc(struct keel_vm *vm, u64 size);
long keel_get_dirty_log(struct keel_vm *vm, void __user *argp);
long keel_clear_dirty_log(struct keel_vm *vm, void __user *argp);
int keel_enable_manual_dirty(struct keel_vm *vm, const struct kvm_enable_cap *cap);
int keel_dirty_caps(void);

/* KVM_GET/SET_REGS, _SREGS, _FPU, _MSRS, _CPUID2 ... (state.c): -EINVAL for another ioctl. */
long keel_state_ioctl(struct keel_vcpu *vcpu, unsigned int ioctl, void __user *argp);
int keel_sync_regs_in(struct keel_vcpu *vcpu);
void keel_sync_regs_out(struct keel_vcpu *vcpu);

/* /dev/kvm's lists (cpuid.c): KVM_GET_SUPPORTED_CPUID, the MSR lists and feature MSRs. */
int keel_msr_list_init(void);
long keel_get_supported_cpuid(void __user *argp);
long keel_get_msr_index_list(void __user *argp, bool features);
long keel_get_feature_msrs(void __user *argp);

#endif
