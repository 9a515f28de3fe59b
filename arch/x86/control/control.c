// SPDX-License-Identifier: GPL-2.0
/*
 * The control guest (docs/control-guest.md): an unmodified Linux whose
 * bzImage is the GRUB module "keel.control CMDLINE" and whose initramfs is
 * "keel.initrd". It gets the machine less Keel: every byte of RAM but Keel's
 * own, identity-mapped (guest-physical == host-physical) with the largest
 * pages that fit; every port but COM1, which Keel shares with it line by line
 * through a virtual 16550; every device page but the local APIC (virtual,
 * arch/x86/control/passthrough.c) and the I/O APICs (reached through Keel,
 * arch/x86/control/ioapic_proxy.c); one vCPU per physical CPU it is given,
 * pinned there.
 */
#include "asm/processor.h"
#include "arch/x86/control/ioapic_proxy.h"
#include "asm/machine.h"
#include "arch/x86/timer.h"
#include "arch/x86/control/passthrough.h"
#include "arch/x86/irqchip/irqchip.h"
#include "arch/x86/virt/vcpu.h"
#include "arch/x86/control/control.h"
#include "kernel/coverage.h"
#include "kernel/errno.h"
#include "kernel/format.h"
#include "kernel/keel.h"
#include "arch/x86/control/linux_boot.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/string.h"
#include "kernel/vm.h"
#include "kernel/vuart.h"

#define KERNEL_TAG "keel.control"
#define INITRD_TAG "keel.initrd"
#define BOOT_CS 0x10		/* __BOOT_CS; __BOOT_DS follows (boot.rst, 64-bit boot protocol) */
#define COM1 0x3f8
#define COM1_IRQ 4
#define LINE_QUIET_MS 50
#define PM1_CNT_LEN 2
#define PM1_SLP_EN BIT(13)
#define MAX_PHYS_BITS 46	/* bounds the device map's tables: 64 TiB */
#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL

/* What the 64-bit entry needs below 1 MiB; the guest's e820 gives it as ACPI tables (control_start()). */
struct low_pages {
	struct boot_params bp;
	char cmdline[PAGE_SIZE];
	u64 gdt[PAGE_SIZE / 16];
	u8 rsdp[PAGE_SIZE / 2];
	u64 pml4[512];
	u64 pdpt[512];
	u64 pd[4][512];		/* the first 4 GiB in 2 MiB pages */
	u8 madt[2 * PAGE_SIZE];	/* when the guest has fewer CPUs than the machine */
};

_Static_assert(sizeof(struct low_pages) == 11 * PAGE_SIZE, "low pages layout");

static struct {
	struct vm *vm;
	unsigned int nr_cpus;
	unsigned int cpus[MAX_CPUS];	/* vCPU i runs on CPU cpus[i] */
	struct spinlock lock;	/* the UART and the line */
	struct vuart uart;
	bool irq_line;
	char line[160];
	unsigned int len;
	u64 last_tx;		/* TSC of the last byte the guest sent */
} ctl = { .lock = SPINLOCK_INIT };

static struct memmap e820;

static bool has_tag(const char *s, const char *tag)
{
	size_t n = strlen(tag);

	return !strncmp(s, tag, n) && (s[n] == ' ' || s[n] == '\0');
}

static const struct boot_module *find_module(const struct boot_info *bi, const char *tag)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		if (has_tag(bi->modules[i].cmdline, tag))
			return &bi->modules[i];
	return NULL;
}

bool control_configured(const struct boot_info *bi)
{
	return find_module(bi, KERNEL_TAG) != NULL;
}

/* ------------------------------------------------ the console: COM1, shared line by line */

static void flush_line(void)
{
	if (ctl.len)
		printk(LOG_NOTICE, "%.*s\n", (int)ctl.len, ctl.line);
	ctl.len = 0;
}

static void uart_tx(void *ctx, u8 c)
{
	ctl.last_tx = rdtsc();
	if (c == '\n' || ctl.len == sizeof(ctl.line))
		flush_line();
	if (c != '\n' && c != '\r')
		ctl.line[ctl.len++] = (char)c;
}

/* The UART's interrupt goes where the guest routed ISA IRQ 4, on the line's rising edge. */
static bool uart_edge(void)
{
	bool line = vuart_irq(&ctl.uart), edge = line && !ctl.irq_line;

	ctl.irq_line = line;
	return edge;
}

static void raise_uart_irq(void)
{
	struct vlapic_ipi m;

	if (!ioapic_isa_message(COM1_IRQ, &m))
		irqchip_deliver(ctl.vm, &m, NULL);
}

static int uart_in(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 *val)
{
	u64 flags = spin_lock_irqsave(&ctl.lock);
	bool edge;

	*val = vuart_read(&ctl.uart, port - COM1);
	edge = uart_edge();
	spin_unlock_irqrestore(&ctl.lock, flags);
	if (edge)
		raise_uart_irq();
	return 0;
}

static int uart_out(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 val)
{
	u64 flags = spin_lock_irqsave(&ctl.lock);
	bool edge;

	vuart_write(&ctl.uart, port - COM1, (u8)val);
	edge = uart_edge();
	spin_unlock_irqrestore(&ctl.lock, flags);
	if (edge)
		raise_uart_irq();
	return 0;
}

/*
 * On CPU 0's timer: what was typed on the physical COM1 goes to the guest,
 * and a line left open (a shell prompt) is printed after 50 ms of quiet.
 */
static void poll_console(void)
{
	u64 flags = spin_lock_irqsave(&ctl.lock);
	bool edge;
	u8 lsr;

	/* An LSR of all ones is no UART at all (an empty bus), not data ready. */
	while (ctl.uart.rx_len < VUART_FIFO && (lsr = inb(COM1 + 5)) != 0xff && (lsr & 1))
		vuart_receive(&ctl.uart, inb(COM1));
	if (ctl.len && rdtsc() - ctl.last_tx > LINE_QUIET_MS * tsc_khz)
		flush_line();
	edge = uart_edge();
	spin_unlock_irqrestore(&ctl.lock, flags);
	if (edge)
		raise_uart_irq();
}

/* ------------------------------------------------ memory */

/* The machine's map with Keel's own ranges reserved: what the guest's e820 says. */
static void build_e820(void)
{
	e820 = mm.machine;
	for (unsigned int i = 0; i < mm.keel.nr; i++) {
		const struct mem_range *r = &mm.keel.r[i];

		if (r->type == MEM_KEEL)
			memmap_set(&e820, r->base, r->size, MEM_KEEL);
	}
	memmap_set(&e820, ALIGN_DOWN(keel.boot.mbi_start, PAGE_SIZE),
		   ALIGN_UP(keel.boot.mbi_end, PAGE_SIZE) - ALIGN_DOWN(keel.boot.mbi_start, PAGE_SIZE),
		   MEM_RESERVED);
}

static int unmap_page_range(struct vm *vm, u64 base, u64 size)
{
	u64 start = ALIGN_DOWN(base, PAGE_SIZE);

	return pt_unmap(&vm->gpt, start, ALIGN_UP(base + size, PAGE_SIZE) - start);
}

/*
 * Everything up to the top of the physical address space as uncached
 * device memory, RAM over it write-back (ACPI 6.5 15.1: AddressRangeACPI is
 * RAM too), then holes where Keel's memory, the local APIC and the I/O
 * APICs are.
 */
static int map_machine(struct vm *vm)
{
	u64 top = 1ULL << MIN(keel.cpu.phys_addr_bits, MAX_PHYS_BITS);
	int r = vm_map_identity(vm, 0, top, PT_W | PT_X | PT_USER | PT_UC);

	for (unsigned int i = 0; !r && i < e820.nr; i++)
		if (e820.r[i].type == MEM_USABLE || e820.r[i].type == MEM_ACPI_RECLAIM)
			r = vm_map_identity(vm, e820.r[i].base, e820.r[i].size, PT_W | PT_X | PT_USER);
	for (unsigned int i = 0; !r && i < e820.nr; i++)
		if (e820.r[i].type == MEM_KEEL)
			r = unmap_page_range(vm, e820.r[i].base, e820.r[i].size);
	if (!r)
		r = unmap_page_range(vm, APIC_BASE_DEFAULT, PAGE_SIZE);
	for (unsigned int i = 0; !r && i < keel.acpi.nr_ioapics; i++)
		r = unmap_page_range(vm, keel.acpi.ioapics[i].addr, PAGE_SIZE);
	return r;
}

/* ------------------------------------------------ loading Linux */

static const void *acpi_direct(void *ctx, u64 pa, size_t len)
{
	return pa + len >= pa && pa + len <= mm.direct_map_end ? (const void *)(uintptr_t)pa : NULL;
}

static u64 madt_pa(void)
{
	for (unsigned int i = 0; i < keel.acpi.nr_tables; i++)
		if (!memcmp(keel.acpi.tables[i].sig, "APIC", 4) && keel.acpi.tables[i].checksum_ok)
			return keel.acpi.tables[i].pa;
	return 0;
}

/*
 * With fewer vCPUs than CPUs, the MADT lists only the CPUs the guest has, as
 * enabled. A MADT that cannot be copied (too large, or malformed) is left as
 * it is when the guest has every online CPU: then nr_cpus= alone keeps Linux
 * to the first ones, which are Keel's CPUs in order.
 */
static int guest_madt(struct low_pages *lp, const struct acpi_mem *mem, struct acpi_table_subst *s)
{
	u32 ids[MAX_CPUS];
	int r;

	s->from = madt_pa();
	s->to = (u64)(uintptr_t)lp->madt;
	if (!s->from || ctl.nr_cpus >= keel.acpi.nr_cpus) {
		s->from = 0;
		return 0;
	}
	for (unsigned int i = 0; i < ctl.nr_cpus; i++)
		ids[i] = percpu[ctl.cpus[i]].apic_id;
	r = acpi_copy_madt(mem, s->from, lp->madt, sizeof(lp->madt), ids, ctl.nr_cpus);
	if (r >= 0)
		return 0;
	s->from = 0;
	if (ctl.cpus[0] != 0)
		return r;
	pr_warn("keel: control: the MADT cannot be copied (%d): the guest sees it whole\n", r);
	return 0;
}

/*
 * The firmware's ACPI tables less DMAR and IVRS (Keel owns the IOMMU), with
 * the guest's own MADT: a copy of the RSDP and root tables in @lp. 0 and
 * *rsdp (0 if the machine has no ACPI), or -EINVAL if the copy cannot be made.
 */
static int guest_rsdp(struct low_pages *lp, u64 *rsdp, const char **why)
{
	const struct acpi_mem mem = { acpi_direct, NULL, NULL };
	struct acpi_table_subst subst[] = {
		{ keel.acpi.dmar_pa, 0 }, { keel.acpi.ivrs_pa, 0 }, { 0, 0 }
	};
	const void *src = keel.boot.rsdp;
	size_t len = keel.boot.rsdp_len;

	*rsdp = 0;
	if (!src && keel.acpi.rsdp_pa) {
		src = (const void *)(uintptr_t)keel.acpi.rsdp_pa;
		len = 36;
	}
	if (!src)
		return 0;
	*why = "cannot copy the MADT for the control guest's CPUs";
	if (guest_madt(lp, &mem, &subst[2]))
		return -EINVAL;
	*rsdp = (u64)(uintptr_t)lp->rsdp;
	*why = "cannot copy the ACPI root tables without DMAR and IVRS";
	return acpi_copy_roots(&mem, src, len, lp->rsdp, sizeof(lp->rsdp), *rsdp, subst,
			       ARRAY_SIZE(subst));
}

/* The entry's GDT and page tables: the first 4 GiB in 2 MiB pages. */
static void fill_low_pages(struct low_pages *lp)
{
	memset(lp, 0, sizeof(*lp));
	lp->gdt[BOOT_CS / 8] = 0x00af9a000000ffffULL;		/* 64-bit code, DPL 0 */
	lp->gdt[BOOT_CS / 8 + 1] = 0x00cf92000000ffffULL;	/* flat data */
	lp->pml4[0] = (u64)(uintptr_t)lp->pdpt | PTE_P | PTE_RW;
	for (unsigned int i = 0; i < 4; i++) {
		lp->pdpt[i] = (u64)(uintptr_t)lp->pd[i] | PTE_P | PTE_RW;
		for (unsigned int j = 0; j < 512; j++)
			lp->pd[i][j] = ((u64)(i * 512 + j) << 21) | PTE_P | PTE_RW | PTE_PS;
	}
}

/* The module string after the tag, and nr_cpus= when the guest gets fewer vCPUs than the MADT lists. */
static int set_cmdline(struct low_pages *lp, const char *modstr, unsigned int nr, const char **why)
{
	const char *s = modstr + strlen(KERNEL_TAG);
	int n;

	while (*s == ' ')
		s++;
	n = snformat(lp->cmdline, sizeof(lp->cmdline), nr < keel.acpi.nr_cpus ? "%s nr_cpus=%u" : "%s",
		     s, nr);
	if (n >= (int)sizeof(lp->cmdline)) {
		*why = "the kernel command line is longer than a page";
		return -E2BIG;
	}
	return n;
}

static int load_linux(const struct boot_module *k, const struct boot_module *initrd,
		      struct low_pages *lp, unsigned int nr, u64 *entry, const char **why)
{
	const u8 *image = (const u8 *)(uintptr_t)k->start;
	struct linux_image img;
	u64 load, rsdp;
	int len, r = linux_plan(image, k->end - k->start, &img, why);

	fill_low_pages(lp);
	if (!r)
		r = guest_rsdp(lp, &rsdp, why);
	if (!r)
		r = linux_choose_load(&img, &mm.keel, &load, why);
	if (r)
		return r;
	if (load + img.init_size > SZ_4G) {
		*why = "no room for the kernel below 4 GiB";
		return -ENOMEM;
	}
	len = set_cmdline(lp, k->cmdline, nr, why);
	if (len < 0)
		return len;
	memcpy((void *)(uintptr_t)load, image + img.kernel_offset, img.kernel_size);
	*entry = load + img.entry_offset;
	return linux_build_params(&lp->bp, &img, &e820, (u64)(uintptr_t)lp->cmdline, (u32)len,
				  initrd ? initrd->start : 0, initrd ? initrd->end - initrd->start : 0,
				  rsdp, why);
}

/* ------------------------------------------------ the VM */

/*
 * The CPUs of the control guest's vCPUs: the last keel.control_cpus online
 * ones (all by default), so CPU 0 is the last to carry a control vCPU. It
 * keeps Keel's console poll; and under QEMU's multi-threaded TCG, a CPU 0
 * that runs no guest is safe from QEMU 7.2's cpu_clear_ignne() race
 * (docs/control-guest.md, "CPUs").
 */
static void choose_cpus(void)
{
	unsigned int want = keel.opts.control_cpus, online = 0, skip;

	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++)
		online += percpu[cpu].online;
	skip = want && want < online ? online - want : 0;
	ctl.nr_cpus = 0;
	for (unsigned int cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!percpu[cpu].online)
			continue;
		if (skip)
			skip--;
		else
			ctl.cpus[ctl.nr_cpus++] = cpu;
	}
}

static void print_vcpu(struct vcpu *v)
{
	pr_err("keel: control vcpu %u: rip %#llx rsp %#llx rflags %#llx cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx\n",
	       v->id, (unsigned long long)v->arch.regs.rip,
	       (unsigned long long)v->arch.regs.gpr[GPR_RSP], (unsigned long long)v->arch.regs.rflags,
	       (unsigned long long)virt->get_cr(v, 0), (unsigned long long)virt->get_cr(v, 3),
	       (unsigned long long)virt->get_cr(v, 4), (unsigned long long)virt->get_efer(v));
}

/* The control guest ended without powering the machine off: log it, then reset or halt. */
static void control_ended(struct vm *vm)
{
	pr_err("keel: control guest stopped reason=%s\n", vm->stop_reason ? vm->stop_reason : "exit");
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i]->nr_entries)
			print_vcpu(vm->vcpus[i]);
	if (keel.opts.control_crash_halt)
		machine_exit(1);
	pr_err("keel: resetting the machine (keel.on_control_crash=halt keeps it)\n");
	machine_reset();
}

/* ------------------------------------------------ power: S5 only */

/*
 * ACPI sleep states other than S5 would hand the machine to the firmware's
 * waking vector without Keel (S3), so the PM1 control registers (ACPI 6.5
 * 4.8.3.2.1) are Keel's: a write with SLP_EN goes through only if SLP_TYP is
 * the \_S5 value the DSDT gives. Without one, no sleep request goes through;
 * Linux then halts its CPUs and Keel ends the machine as after a crash.
 */
static struct {
	bool known;
	u8 typ[2];	/* SLP_TYPa, SLP_TYPb */
} s5;

static void find_s5(void)
{
	const u8 *dsdt = acpi_direct(NULL, keel.acpi.dsdt_pa, 36);
	u32 len;

	if (!dsdt || !keel.acpi.dsdt_pa)
		return;
	memcpy(&len, dsdt + 4, sizeof(len));
	if (len >= 36 && acpi_direct(NULL, keel.acpi.dsdt_pa, len))
		s5.known = !acpi_s5_sleep_types(dsdt, len, &s5.typ[0], &s5.typ[1]);
	if (!s5.known)
		pr_warn("keel: no \\_S5 in the DSDT: the control guest cannot power the machine off\n");
}

static bool is_pm1b(u16 port)
{
	return keel.acpi.pm1b_cnt && port - keel.acpi.pm1b_cnt < PM1_CNT_LEN;
}

static int pm1_in(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 *val)
{
	*val = size == 1 ? inb(port) : size == 2 ? inw(port) : inl(port);
	return 0;
}

static int pm1_out(struct vcpu *v, void *opaque, u64 port, unsigned int size, u64 val)
{
	bool b = is_pm1b(port);
	u32 word = val << (8 * (port - (b ? keel.acpi.pm1b_cnt : keel.acpi.pm1a_cnt)));
	static unsigned int refused;

	if ((word & PM1_SLP_EN) && (!s5.known || ((word >> 10) & 7) != s5.typ[b])) {
		if (!refused++)
			pr_warn("keel: control guest asked for ACPI sleep type %u: refused, only S5 (power-off)\n",
				(word >> 10) & 7);
		return 0;
	}
	if (word & PM1_SLP_EN)
		coverage_dump();	/* S5: the machine goes off with this write */
	if (size == 1)
		outb(port, (u8)val);
	else if (size == 2)
		outw(port, (u16)val);
	else
		outl(port, val);
	return 0;
}

/* PM1a and PM1b control exit to Keel; every other port passes through but COM1. */
static int claim_ports(struct vm *vm)
{
	static const struct io_dev_ops pm1 = { pm1_in, pm1_out };
	const u32 cnt[] = { keel.acpi.pm1a_cnt, keel.acpi.pm1b_cnt };
	int r = 0;

	virt->io_intercept(vm, 0, 0x10000, false);
	for (unsigned int i = 0; !r && i < ARRAY_SIZE(cnt); i++) {
		/* PM1b is optional; firmware that names PM1a's ports again means no second block */
		if (!cnt[i] || cnt[i] > 0xffff - PM1_CNT_LEN || (i && cnt[i] == cnt[0]))
			continue;
		virt->io_intercept(vm, (u16)cnt[i], PM1_CNT_LEN, true);
		r = io_bus_register(&vm->pio, cnt[i], PM1_CNT_LEN, &pm1, NULL);
	}
	virt->io_intercept(vm, COM1, 8, true);
	return r;
}

/*
 * Keel's own ranges read as all ones and drop writes, like the rest of the
 * holes. Reads happen (Linux scans low memory for firmware tables; /dev/mem),
 * but a write there is a bug or an attack: the first few are logged with
 * where the guest was.
 */
static int keel_read(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	*val = ~0ULL;
	return 0;
}

static int keel_write(struct vcpu *v, void *opaque, u64 gpa, unsigned int size, u64 val)
{
	static unsigned int reported;

	if (__atomic_fetch_add(&reported, 1, __ATOMIC_RELAXED) < 8)
		pr_warn("keel: control vcpu %u wrote to Keel's memory at %#llx (rip %#llx, cr3 %#llx)\n",
			v->id, (unsigned long long)gpa, (unsigned long long)v->arch.regs.rip,
			(unsigned long long)virt->get_cr(v, 3));
	return 0;
}

static int add_keel_ranges(struct vm *vm)
{
	static const struct io_dev_ops keel_range = { keel_read, keel_write };
	int r = 0;

	for (unsigned int i = 0; !r && i < e820.nr; i++)
		if (e820.r[i].type == MEM_KEEL)
			r = io_bus_register(&vm->mmio, e820.r[i].base, e820.r[i].size, &keel_range, NULL);
	return r;
}

static int add_devices(struct vm *vm)
{
	static const struct io_dev_ops com1 = { uart_in, uart_out };
	int r = io_bus_register(&vm->pio, COM1, 8, &com1, NULL);

	if (!r)
		r = add_keel_ranges(vm);
	if (!r)
		r = irqchip_add_mmio(vm);
	if (!r)
		r = ioapic_proxy_add(vm);
	if (!r)
		r = claim_ports(vm);
	vuart_init(&ctl.uart, uart_tx, NULL);
	return r;
}

static int create_vm(unsigned int nr, const char **why)
{
	struct vm *vm = vm_create("control", 0, nr);
	int r = vm ? 0 : -ENOMEM;

	*why = "out of Keel's memory for the VM";
	if (!r) {
		vm->kind = VM_KIND_CONTROL;
		r = map_machine(vm);
	}
	if (!r)
		r = add_devices(vm);
	for (unsigned int i = 0; !r && i < nr; i++) {
		r = irqchip_configure(vm->vcpus[i], percpu[ctl.cpus[i]].apic_id, false);
		vm->vcpus[i]->pin_cpu = (int)ctl.cpus[i];
	}
	if (!r)
		vm->arch.irq_platform = &passthrough_platform;
	if (r && vm)
		vm_destroy(vm);
	ctl.vm = r ? NULL : vm;
	return r;
}

static void warn_boot_vms(const struct boot_info *bi)
{
	for (unsigned int i = 0; i < bi->nr_modules; i++)
		if (!strncmp(bi->modules[i].cmdline, "keel.vm=", 8))
			pr_warn("keel: module %u '%s' ignored: boot-time VMs do not run beside a control guest yet\n",
				i, bi->modules[i].cmdline);
}

int control_start(const struct boot_info *bi)
{
	const struct boot_module *k = find_module(bi, KERNEL_TAG), *initrd = find_module(bi, INITRD_TAG);
	unsigned int nr;
	const char *why = "no free RAM below 1 MiB for the boot parameters";
	struct low_pages *lp;
	u64 low, entry;
	int r;

	warn_boot_vms(bi);
	choose_cpus();
	nr = ctl.nr_cpus;
	find_s5();
	build_e820();
	r = memmap_find_top(&mm.keel, sizeof(*lp), PAGE_SIZE, SZ_1M, &low);
	lp = (struct low_pages *)(uintptr_t)low;
	/*
	 * The guest reads the copies of the RSDP, the root tables and the MADT
	 * long after its entry (its ACPI processor objects look the MADT up),
	 * when Linux's real-mode trampoline has taken the highest free pages
	 * below 1 MiB: so its e820 gives these pages as ACPI tables, not RAM.
	 */
	if (!r && memmap_set(&e820, low, sizeof(*lp), MEM_ACPI_RECLAIM)) {
		why = "no room in the e820 for the boot pages";
		r = -ENOSPC;
	}
	if (!r)
		r = load_linux(k, initrd, lp, nr, &entry, &why);
	if (!r)
		r = create_vm(nr, &why);
	if (r) {
		pr_err("keel: control guest not started: %s\n", why);
		return r;
	}
	pr_notice("keel: control: e820 ram=%llu MiB, %u vcpus on cpus %u-%u, kernel entry %#llx, initrd %llu KiB\n",
		  (unsigned long long)(memmap_total(&e820, MEM_USABLE) / SZ_1M), nr, ctl.cpus[0],
		  ctl.cpus[nr - 1],
		  (unsigned long long)entry,
		  (unsigned long long)(initrd ? (initrd->end - initrd->start) / SZ_1K : 0));
	ctl.vm->ram_bytes = memmap_total(&e820, MEM_USABLE);
	for (unsigned int i = 0; i < nr; i++)
		percpu[ctl.cpus[i]].control_vcpu = ctl.vm->vcpus[i];
	vcpu_set_long64_state(ctl.vm->vcpus[0], (u64)(uintptr_t)lp->pml4, (u64)(uintptr_t)lp->gdt,
			      BOOT_CS, entry);
	ctl.vm->vcpus[0]->arch.regs.gpr[GPR_RSI] = low;
	ctl.vm->on_end = control_ended;
	passthrough_setup();
	sched_set_poll(poll_console);
	vcpu_start(ctl.vm->vcpus[0], NULL, 0);	/* its state is set */
	return 0;
}
