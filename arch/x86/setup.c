// SPDX-License-Identifier: GPL-2.0
/* The bootstrap processor's path from the loader to a running machine. */
#include "arch/x86/apic.h"
#include "asm/processor.h"
#include "asm/cpu.h"
#include "arch/x86/virt/xstate.h"
#include "asm/features.h"
#include "asm/machine.h"
#include "arch/x86/smp.h"
#include "arch/x86/timer.h"
#include "arch/x86/traps.h"
#include "boot/boot.h"
#include "drivers/acpi.h"
#include "arch/x86/virt/virt.h"
#include "arch/x86/bootvm/bootvm.h"
#include "kernel/cmdline.h"
#include "arch/x86/control/control.h"
#include "kernel/keel.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"
#include "kernel/panic.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/selftest.h"

#define MBI_MAX_BYTES (1ULL << 20)

extern u8 boot_stack[];
static u8 bsp_ist[4 * IST_STACK_SIZE] __aligned(PAGE_SIZE);

struct keel keel;
const struct virt_ops *virt;

static void parse_boot_info(u32 magic, u64 mbi_pa)
{
	const char *why = NULL;

	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a multiboot2 loader (magic %#x); boot Keel with GRUB's multiboot2 command",
		      magic);
	if (!mbi_pa || (mbi_pa & 7))
		panic("multiboot2 information pointer %#llx is invalid", (unsigned long long)mbi_pa);
	if (mb2_parse((const void *)(uintptr_t)mbi_pa, mbi_pa, MBI_MAX_BYTES, &keel.boot, &why))
		panic("bad multiboot2 boot information: %s", why);
}

static void parse_cmdline(void)
{
	struct cmdline_errors err;

	cmdline_defaults(&keel.opts);
	cmdline_parse(keel.boot.cmdline, &keel.opts, &err);
	console_setup(&keel.opts.console);
	for (unsigned int i = 0; i < MIN(err.nr, CMDLINE_MAX_ERRORS); i++)
		pr_warn("keel: %s\n", err.msg[i]);
	if (err.nr > CMDLINE_MAX_ERRORS)
		pr_warn("keel: ... and %u more command-line problems\n", err.nr - CMDLINE_MAX_ERRORS);
	machine_set_exit_port(keel.opts.test[0] || keel.opts.exit_when_idle);
}

static void probe_cpuid(void *ctx, u32 leaf, u32 sub, u32 out[4])
{
	struct cpuid_regs r = cpuid_count(leaf, sub);

	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}

/* RDMSR of an MSR the CPU lacks raises #GP: the fixup skips clearing @fault. */
static int probe_rdmsr(void *ctx, u32 msr, u64 *val)
{
	u32 lo, hi;
	u64 fault = 1;

	asm volatile("1: rdmsr\n\t"
		     "xorl %k[f], %k[f]\n"
		     "2:\n\t" EXTABLE(1b, 2b)
		     : "=a"(lo), "=d"(hi), [f] "+r"(fault) : "c"(msr));
	if (fault)
		return -1;
	*val = ((u64)hi << 32) | lo;
	return 0;
}

static void detect_cpu(void)
{
	const struct cpu_probe probe = { probe_cpuid, probe_rdmsr, NULL };
	struct cpu_features *f = &keel.cpu;

	cpu_features_detect(&probe, f);
	pr_info("keel: cpu %s family %#x model %#x, %u-bit physical addresses%s%s%s%s%s%s%s\n",
		f->vendor_id, f->family, f->model, f->phys_addr_bits, f->x2apic ? ", x2apic" : "",
		f->tsc_deadline ? ", tsc-deadline" : "", f->invariant_tsc ? ", invariant-tsc" : "",
		f->pages_1g ? ", 1g-pages" : "", f->pcid ? ", pcid" : "", f->xsave ? ", xsave" : "",
		f->xcr0 & XFEATURE_AVX ? ", avx" : "");
	if (f->virt == VIRT_NONE)
		pr_err("keel: no hardware virtualization: %s; guests cannot run\n", f->virt_why);
	else if (f->paging == PAGING_NONE)
		pr_err("keel: %s without %s; guests cannot run\n", virt_name(f->virt),
		       f->virt == VIRT_VMX ? "usable EPT" : "NPT");
}

static const void *acpi_map(void *ctx, u64 pa, size_t len)
{
	if (pa + len < pa || pa + len > mm.direct_map_end)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static void acpi_warn(void *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printk(LOG_WARN, "keel: ACPI: ");
	vprintk(LOG_WARN, fmt, ap);
	printk(LOG_WARN, "\n");
	va_end(ap);
}

/* The RSDP from the loader's tag, else from the BIOS areas (ACPI 6.5 5.2.5.1). */
static void parse_acpi(void)
{
	const struct acpi_mem mem = { acpi_map, NULL, acpi_warn };
	const void *rsdp = keel.boot.rsdp;
	size_t len = keel.boot.rsdp_len;
	u64 pa;

	if (!rsdp && !acpi_find_rsdp(&mem, &pa)) {
		rsdp = acpi_map(NULL, pa, 36);
		len = 36;
	}
	if (!rsdp) {
		pr_err("keel: no ACPI RSDP found; running on the boot CPU only\n");
		return;
	}
	if (acpi_parse(&mem, rsdp, len, &keel.acpi)) {
		pr_err("keel: the ACPI root tables are invalid; running on the boot CPU only\n");
		return;
	}
	if (!keel.acpi.have_madt)
		pr_err("keel: no valid ACPI MADT; running on the boot CPU only\n");
	pr_info("keel: ACPI rev %u: %u tables (%u with bad checksums), %u cpus, %u ioapics%s%s%s%s\n",
		keel.acpi.revision, keel.acpi.nr_tables, keel.acpi.nr_bad_checksums, keel.acpi.nr_cpus,
		keel.acpi.nr_ioapics, keel.acpi.have_hpet ? ", hpet" : "", keel.acpi.nr_mcfg ? ", mcfg" : "",
		keel.acpi.dmar_pa ? ", dmar" : "", keel.acpi.ivrs_pa ? ", ivrs" : "");
	machine_set_acpi(&keel.acpi);
}

/* Legacy 8259s stay masked: Keel takes interrupts through the LAPIC and IOAPIC only. */
static void mask_pic(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void start_time(void)
{
	const char *source;

	if (tsc_calibrate(keel.acpi.have_hpet ? keel.acpi.hpet_addr : 0, &source))
		panic("cannot calibrate the TSC: neither HPET nor PIT ticks");
	timer_init_cpu(keel.cpu.tsc_deadline);
	pr_info("keel: tsc %llu kHz (%s the %s)%s, timer %s\n", (unsigned long long)tsc_khz,
		tsc_crystal_khz ? "CPUID 0x15's, checked against" : "calibrated against", source,
		keel.cpu.invariant_tsc ? ", invariant" : "",
		timer_uses_tsc_deadline() ? "tsc-deadline" : "lapic one-shot");
}

/* The backend is chosen once, from CPUID; without one Keel still runs, with no guests. */
static void select_virt(void)
{
	if (keel.cpu.virt == VIRT_SVM && keel.cpu.paging == PAGING_NPT)
		virt = &svm_ops;
	if (keel.cpu.virt == VIRT_VMX && keel.cpu.paging == PAGING_EPT)
		virt = &vmx_ops;
	if (virt && virt->cpu_enable()) {
		pr_err("keel: cannot enable %s on cpu 0; guests cannot run\n", virt->name);
		virt = NULL;
	}
}

/*
 * A control guest programs interrupt destinations for the physical APICs
 * with the logical IDs of its xAPIC-mode vLAPICs: those only mean the same
 * to physical APICs in xAPIC mode (arch/x86/control/passthrough.c).
 */
static bool use_x2apic(void)
{
	return keel.cpu.x2apic && !control_configured(&keel.boot);
}

static void print_summary(void)
{
	pr_notice("keel: online cpus=%u vendor=%s virt=%s paging=%s ram=%llu reserved=%llu\n",
		  nr_cpus_online, vendor_name(keel.cpu.vendor), virt_name(keel.cpu.virt),
		  paging_name(keel.cpu.paging), (unsigned long long)(mm.ram / SZ_1M),
		  (unsigned long long)((mm.reserve_size + mm.image_size) / SZ_1M));
}

void kmain(u32 magic, u64 mbi_pa);

void kmain(u32 magic, u64 mbi_pa)
{
	percpu[0].stack_top = (u64)(uintptr_t)boot_stack + BOOT_STACK_SIZE;
	idt_init();
	cpu_init(&percpu[0], (u64)(uintptr_t)bsp_ist);
	parse_boot_info(magic, mbi_pa);
	parse_cmdline();
	pr_notice("keel: Keel %s starting (loader: %s%s)\n", KEEL_VERSION, keel.boot.loader,
		  keel.boot.efi ? ", UEFI" : "");
	detect_cpu();
	cpu_xstate_init();
	mm_init(&keel.boot, keel.opts.reserve, &keel.cpu);
	pr_info("keel: ram %llu MiB; Keel reserves %llu MiB at %#llx (image %llu KiB)\n",
		(unsigned long long)(mm.ram / SZ_1M), (unsigned long long)(mm.reserve_size / SZ_1M),
		(unsigned long long)mm.reserve_base, (unsigned long long)(mm.image_size / SZ_1K));
	parse_acpi();
	mask_pic();
	apic_init(use_x2apic());
	percpu[0].apic_id = apic_id();
	percpu[0].online = true;
	start_time();
	select_virt();
	sched_init();
	irq_enable();
	smp_boot(&keel.acpi, use_x2apic(), keel.cpu.tsc_deadline);
	print_summary();
	if (keel.opts.test[0])
		machine_exit(selftests_run(keel.opts.test) ? 1 : 0);
	if (virt && control_configured(&keel.boot)) {
		if (control_start(&keel.boot) && keel.opts.exit_when_idle)
			machine_exit(1);
	} else if (!virt || !bootvm_start_all(&keel.boot, keel.opts.exit_when_idle))
		pr_notice("keel: no guests to run; idling\n");
	irq_disable();
	sched_loop();
}
