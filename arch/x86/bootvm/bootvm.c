// SPDX-License-Identifier: GPL-2.0
/*
 * Boot-time VMs: multiboot (v1) kernels from GRUB modules, run with a
 * minimal platform (docs/boot-vms.md): a line-buffered UART, an exit port
 * and Keel's test device.
 */
#include "asm/processor.h"
#include "arch/x86/irqchip/irqchip.h"
#include "asm/machine.h"
#include "arch/x86/timer.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/bootvm/bootvm.h"
#include "kernel/errno.h"
#include "kernel/format.h"
#include "arch/x86/bootvm/mb1_load.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/vcpu.h"
#include "kernel/string.h"
#include "kernel/vm.h"

#define UART_BASE 0x3f8
#define EXIT_PORT 0xf4
#define TESTDEV_BASE 0xfebf0000ULL
#define TESTDEV_ID 0x5645445445454bULL	/* "KEETDEV" */
#define GDT_GPA 0x1000
#define TSS_GPA 0x1100
#define INFO_GPA 0x2000
#define MMAP_GPA 0x2100
#define CMDLINE_GPA 0x3000
#define CMDLINE_MAX 0x1000
#define LOAD_MIN 0x10000	/* below: the GDT, TSS and multiboot information above */
#define SECONDARY_EAX 0x4b45454c

struct platform {
	char line[128];
	unsigned int len;
	u8 scratch_port;
	u8 scratch[64];
	u64 writes;
	u32 start_eip, start_ebx;
};

static volatile unsigned int live_boot_vms;
static volatile u64 first_failure;
static bool end_when_idle;
static bool start_failed;

static struct platform *plat(struct vcpu *v)
{
	return v->vm->platform;
}

static void uart_flush(struct vm *vm, struct platform *p)
{
	printk(LOG_NOTICE, "%s: %.*s\n", vm->name, (int)p->len, p->line);
	p->len = 0;
}

static int uart_out(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 val)
{
	struct platform *p = opaque;
	u64 flags;

	if (port == UART_BASE + 7) {
		p->scratch_port = (u8)val;
		return 0;
	}
	if (port != UART_BASE)
		return 0;
	flags = spin_lock_irqsave(&v->vm->lock);
	if ((char)val == '\n' || p->len == sizeof(p->line))
		uart_flush(v->vm, p);
	if ((char)val != '\n' && (char)val != '\r')
		p->line[p->len++] = (char)val;
	spin_unlock_irqrestore(&v->vm->lock, flags);
	return 0;
}

static int uart_in(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 *val)
{
	struct platform *p = opaque;

	*val = port == UART_BASE + 5 ? 0x60 : port == UART_BASE + 7 ? p->scratch_port : 0;
	return 0;
}

static int exit_out(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 val)
{
	vm_end(v->vm, val, NULL);
	return 0;
}

static int testdev_read(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	struct platform *p = opaque;
	u64 off = gpa - TESTDEV_BASE, reg[2] = { 0, 0 };

	if (off + size <= sizeof(p->scratch)) {
		memcpy(val, p->scratch + off, size);
		return 0;
	}
	if (off >= 0x40 && off < 0x58) {
		reg[0] = off < 0x48 ? TESTDEV_ID : off >= 0x50 ? p->writes : 0;
		memcpy(val, (u8 *)reg + (off & 7), size);
	} else if (off == 0x60 || off == 0x68) {
		*val = off == 0x60 ? p->start_eip : p->start_ebx;
	}
	return 0;
}

/* @arg: EIP, EBX << 32. */
static void secondary_state(struct vcpu *s, u64 arg)
{
	vcpu_set_flat32_state(s, GDT_GPA, (u32)arg);
	s->arch.regs.gpr[GPR_RAX] = SECONDARY_EAX;
	s->arch.regs.gpr[GPR_RBX] = arg >> 32;
}

/* A secondary vCPU starts in vCPU 0's entry state at the given EIP (docs/boot-vms.md). */
static void start_secondary(struct vcpu *v, unsigned int index)
{
	struct vm *vm = v->vm;

	if (index == 0 || index >= vm->nr_vcpus)
		return;
	vcpu_start(vm->vcpus[index], secondary_state, plat(v)->start_eip | (u64)plat(v)->start_ebx << 32);
}

/*
 * 0x48: vector 2 is an NMI, 0x20-0xFF an external interrupt, after bits
 * 31:8 microseconds: the device is wired to the ExtINT line, as an 8259 is.
 */
static void raise_later(struct vcpu *v, u32 val)
{
	u64 delay = ((val >> 8) * tsc_khz) / 1000;
	u8 vector = (u8)val;

	if (vector == 2)
		irqchip_raise_nmi(v, delay);
	else if (vector >= 0x20)
		irqchip_raise_extint(v, vector, delay);
}

static int testdev_write(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 val)
{
	struct platform *p = opaque;
	u64 off = gpa - TESTDEV_BASE;

	__atomic_fetch_add(&p->writes, 1, __ATOMIC_SEQ_CST);
	if (off + size <= sizeof(p->scratch)) {
		memcpy(p->scratch + off, &val, size);
	} else if (off == 0x48) {
		raise_later(v, (u32)val);
	} else if (off == 0x58) {
		start_secondary(v, val & 0xff);
	} else if (off == 0x60) {
		p->start_eip = (u32)val;
	} else if (off == 0x68) {
		p->start_ebx = (u32)val;
	}
	return 0;
}

static void report_exits(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		char buf[256];
		int n = 0;

		for (unsigned int k = 0; k < NR_EXIT_KINDS && n < (int)sizeof(buf) - 40; k++)
			if (v->exits[k])
				n += snformat(buf + n, sizeof(buf) - (size_t)n, " %s=%llu", exit_kind_name(k),
					      (unsigned long long)v->exits[k]);
		if (v->nr_entries)
			pr_info("keel: vm %s vcpu %u: %llu entries, ran %llu ms on cpus %#llx, exits:%s\n",
				vm->name, i, (unsigned long long)v->nr_entries,
				(unsigned long long)(v->se.ran / tsc_khz),
				(unsigned long long)v->se.ran_on[0], n ? buf : " none");
	}
}

/* The last vCPU of a boot-time VM is done: report, free, and maybe end the machine. */
static void bootvm_ended(struct vm *vm)
{
	u64 zero = 0;

	if (vm->stop_reason)
		pr_notice("keel: vm %s stopped reason=%s\n", vm->name, vm->stop_reason);
	else
		pr_notice("keel: vm %s exited status=%llu\n", vm->name, (unsigned long long)vm->status);
	if (!vm->stop_reason && vm->status)
		__atomic_compare_exchange_n(&first_failure, &zero, vm->status, false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
	report_exits(vm);
	vm_destroy(vm);
	if (__atomic_sub_fetch(&live_boot_vms, 1, __ATOMIC_SEQ_CST) == 0 && end_when_idle) {
		pr_notice("keel: every boot-time VM has ended\n");
		sched_report();
		machine_exit((u8)(first_failure ? first_failure : start_failed));
	}
}

static int add_devices(struct vm *vm)
{
	static const struct io_dev_ops uart = { uart_in, uart_out };
	static const struct io_dev_ops exitp = { NULL, exit_out };
	static const struct io_dev_ops testdev = { testdev_read, testdev_write };
	struct platform *p = kzalloc(sizeof(*p));
	int r;

	vm->platform = p;
	if (!p)
		return -ENOMEM;
	r = io_bus_register(&vm->pio, UART_BASE, 8, &uart, p);
	if (!r)
		r = io_bus_register(&vm->pio, EXIT_PORT, 4, &exitp, p);
	if (!r)
		r = io_bus_register(&vm->mmio, TESTDEV_BASE, PAGE_SIZE, &testdev, p);
	if (!r)
		r = irqchip_add_mmio(vm);
	for (unsigned int i = 0; !r && i < vm->nr_vcpus; i++)
		r = irqchip_configure(vm->vcpus[i], i, true);
	return r;
}

/* GDT: null, flat code 0x08, flat data 0x10, a 32-bit TSS 0x18 (SDM Vol. 3A 3.4.5, 8.2.2). */
static int write_gdt(struct vm *vm)
{
	u64 gdt[4] = { 0, 0x00cf9a000000ffffULL, 0x00cf92000000ffffULL,
		       0x67 | ((u64)TSS_GPA << 16) | (0x8bULL << 40) };

	return vm_write_phys(vm, GDT_GPA, gdt, sizeof(gdt));
}

struct mb1_mmap_entry {
	u32 size;
	u64 base, len;
	u32 type;
} __packed;

/* The multiboot information (3.3): MEM, CMDLINE and MMAP. */
static int write_info(struct vm *vm, const char *cmdline)
{
	const struct mb1_mmap_entry mmap[] = {
		{ 20, 0, 0x9fc00, 1 }, { 20, 0x9fc00, 0x400, 2 }, { 20, 0xf0000, 0x10000, 2 },
		{ 20, SZ_1M, vm->mem_size - SZ_1M, 1 },
	};
	u32 info[13] = { 0 };
	size_t len = MIN(strlen(cmdline), (size_t)CMDLINE_MAX - 1);

	info[0] = BIT(0) | BIT(2) | BIT(6);
	info[1] = 639;
	info[2] = (u32)((vm->mem_size - SZ_1M) / 1024);
	info[4] = CMDLINE_GPA;
	info[11] = sizeof(mmap);
	info[12] = MMAP_GPA;
	if (vm_write_phys(vm, INFO_GPA, info, sizeof(info)) ||
	    vm_write_phys(vm, MMAP_GPA, mmap, sizeof(mmap)) ||
	    vm_write_phys(vm, CMDLINE_GPA, cmdline, len) ||
	    vm_write_phys(vm, CMDLINE_GPA + len, "", 1))
		return -EFAULT;
	return 0;
}

static int load_image(struct vm *vm, const struct boot_module *m, u32 *entry, const char **why)
{
	const u8 *image = (const u8 *)(uintptr_t)m->start;
	struct mb1_image plan;
	int r = mb1_plan(image, m->end - m->start, LOAD_MIN, vm->mem_size, &plan, why);

	for (unsigned int i = 0; !r && i < plan.nr; i++)
		r = vm_write_phys(vm, plan.seg[i].addr, image + plan.seg[i].file_offset, plan.seg[i].file_size);
	*entry = plan.entry;
	return r;
}

/* The scheduler's knobs (kernel/sched_policy.h); the affinity must name an online CPU. */
static int set_sched(struct vm *vm, const struct bootvm_spec *spec, const char **why)
{
	if (!sched_mask_online(spec->affinity)) {
		*why = "affinity= names no online CPU";
		return -EINVAL;
	}
	vm->sg.weight = spec->weight;
	vm->sg.cap = spec->cap;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		sched_set_affinity(&vm->vcpus[i]->se, spec->affinity);
	return 0;
}

static struct vm *create_one(const struct boot_module *m, const struct bootvm_spec *spec)
{
	struct vm *vm = vm_create(spec->name, spec->mem_mib * SZ_1M, spec->cpus);
	const char *why = "out of guest memory";
	struct vcpu *v0;
	u32 entry;

	if (!vm || set_sched(vm, spec, &why) || add_devices(vm) || write_gdt(vm) ||
	    write_info(vm, m->cmdline) || load_image(vm, m, &entry, &why)) {
		pr_err("keel: vm %s not started: %s\n", spec->name, why);
		if (vm)
			vm_destroy(vm);
		return NULL;
	}
	vm->kind = VM_KIND_BOOT;
	v0 = vm->vcpus[0];
	vcpu_set_flat32_state(v0, GDT_GPA, entry);
	v0->arch.regs.gpr[GPR_RAX] = MB1_BOOT_MAGIC;
	v0->arch.regs.gpr[GPR_RBX] = INFO_GPA;
	vm->on_end = bootvm_ended;
	return vm;
}

unsigned int bootvm_start_all(const struct boot_info *bi, bool exit_when_idle)
{
	struct vm *vms[MB2_MAX_MODULES];
	unsigned int n = 0;

	end_when_idle = exit_when_idle;
	for (unsigned int i = 0; i < bi->nr_modules; i++) {
		struct bootvm_spec spec;
		const char *why;
		int r = bootvm_parse(bi->modules[i].cmdline, &spec, &why);

		if (r < 0) {
			pr_err("keel: module %u '%s': %s\n", i, bi->modules[i].cmdline, why);
			start_failed = true;
		}
		if (r <= 0)
			continue;
		vms[n] = create_one(&bi->modules[i], &spec);
		start_failed |= !vms[n];
		if (vms[n]) {
			pr_notice("keel: vm %s: %llu MiB, %u vcpus, weight %u, cap %u%%\n", spec.name,
				  (unsigned long long)spec.mem_mib, spec.cpus, spec.weight, spec.cap);
			n++;
		}
	}
	live_boot_vms = n;
	for (unsigned int i = 0; i < n; i++)
		vcpu_start(vms[i]->vcpus[0], NULL, 0);	/* its state is set */
	if (!n && exit_when_idle)
		machine_exit(start_failed);
	return n;
}
