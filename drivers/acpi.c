// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI table discovery and parsing. Firmware tables are untrusted input:
 * every table is reached through mem->map, its header is mapped first so the
 * declared length can be checked before the whole table is mapped, and every
 * field is copied out with memcpy because nothing in a table is guaranteed
 * to be aligned.
 */
#include "drivers/acpi.h"
#include "drivers/acpi_raw.h"
#include "kernel/errno.h"
#include "kernel/string.h"
#include "kernel/types.h"

/* No real table comes close; a larger length is corruption. */
#define ACPI_MAX_TABLE_LEN SZ_1M
/* The extended RSDP is 36 bytes; allow room for growth, refuse garbage. */
#define ACPI_MAX_RSDP_LEN 4096U
#define ACPI_FADT_V1_LEN 116U
/* MADT revision 5 is ACPI 6.3, which defined the Online Capable flag. */
#define ACPI_MADT_REV_ONLINE_CAPABLE 5
#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_LAPIC_ID_INVALID 0xffU
#define ACPI_X2APIC_ID_INVALID 0xffffffffU

#define acpi_warn(mem, ...)						\
	do {								\
		if ((mem)->warn)					\
			(mem)->warn((mem)->ctx, __VA_ARGS__);		\
	} while (0)

/* Generic Address Structure as stored in tables (5.2.3.2). */
struct acpi_gas_raw {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;

/* Fixed ACPI Description Table (5.2.9), up to the 6.x length. */
struct acpi_fadt {
	struct acpi_sdt_hdr hdr;
	u32 firmware_ctrl;
	u32 dsdt;
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;		/* the ACPI 1.0 FADT ends here, at 116 */
	struct acpi_gas_raw reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas_raw x_pm1a_evt_blk;
	struct acpi_gas_raw x_pm1b_evt_blk;
	struct acpi_gas_raw x_pm1a_cnt_blk;
	struct acpi_gas_raw x_pm1b_cnt_blk;
	struct acpi_gas_raw x_pm2_cnt_blk;
	struct acpi_gas_raw x_pm_tmr_blk;
	struct acpi_gas_raw x_gpe0_blk;
	struct acpi_gas_raw x_gpe1_blk;
	struct acpi_gas_raw sleep_control_reg;
	struct acpi_gas_raw sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;

/* True if a FADT of @len bytes holds all of @field. */
#define FADT_HAS(len, field)						\
	(offsetof(struct acpi_fadt, field) +				\
	 sizeof(((struct acpi_fadt *)0)->field) <= (len))

/* I/O APIC (5.2.12.3). */
struct madt_ioapic {
	u8 type, length;
	u8 id;
	u8 reserved;
	u32 addr;
	u32 gsi_base;
} __packed;

/* Interrupt Source Override (5.2.12.5). */
struct madt_iso {
	u8 type, length;
	u8 bus;
	u8 source;
	u32 gsi;
	u16 flags;
} __packed;

/* Local APIC NMI (5.2.12.7); uid 0xff means all processors. */
struct madt_lapic_nmi {
	u8 type, length;
	u8 uid;
	u16 flags;
	u8 lint;
} __packed;

/* Local APIC Address Override (5.2.12.8). */
struct madt_lapic_override {
	u8 type, length;
	u16 reserved;
	u64 addr;
} __packed;

/* Local x2APIC NMI (5.2.12.13). */
struct madt_x2apic_nmi {
	u8 type, length;
	u16 flags;
	u32 uid;
	u8 lint;
	u8 reserved[3];
} __packed;

/* HPET Description Table (IA-PC HPET spec 1.0a, 3.2.4). */
struct acpi_hpet {
	struct acpi_sdt_hdr hdr;
	u32 block_id;
	struct acpi_gas_raw base;
	u8 number;
	u16 min_tick;
	u8 page_protection;
} __packed;

/* MCFG (PCI Firmware spec 3.2, 4.1.2). */
struct acpi_mcfg_hdr {
	struct acpi_sdt_hdr hdr;
	u8 reserved[8];
} __packed;

struct acpi_mcfg_entry {
	u64 base;
	u16 segment;
	u8 bus_start;
	u8 bus_end;
	u32 reserved;
} __packed;

/* The layouts above are the specs' byte offsets; catch any slip at build time. */
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT layout");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT layout");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout");
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET layout");
_Static_assert(sizeof(struct acpi_mcfg_hdr) == 44, "MCFG layout");
_Static_assert(sizeof(struct acpi_mcfg_entry) == 16, "MCFG layout");

struct madt_state {
	const struct acpi_mem *mem;
	struct acpi_info *out;
	u8 revision;
	unsigned int nr_dropped_cpus;
};

int acpi_check_rsdp(const void *rsdp, size_t len)
{
	struct acpi_rsdp r;

	if (!rsdp || len < ACPI_RSDP_V1_LEN)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memcpy(&r, rsdp, MIN(len, sizeof(r)));
	if (memcmp(r.sig, "RSD PTR ", sizeof(r.sig)) != 0)
		return -EINVAL;
	if (acpi_checksum(rsdp, ACPI_RSDP_V1_LEN) != 0)
		return -EINVAL;
	if (r.revision < 2)
		return 0;
	/* 5.2.5.3: the extended checksum covers the whole structure. */
	if (len < sizeof(r) || r.length < sizeof(r) || r.length > len)
		return -EINVAL;
	if (acpi_checksum(rsdp, r.length) != 0)
		return -EINVAL;
	return 0;
}

/* Validates a candidate RSDP at @pa, mapping no more than it declares. */
static bool rsdp_valid_at(const struct acpi_mem *mem, u64 pa)
{
	const u8 *p;
	u32 len;

	p = mem->map(mem->ctx, pa, ACPI_RSDP_V1_LEN);
	if (!p || memcmp(p, "RSD PTR ", 8) != 0)
		return false;
	if (p[offsetof(struct acpi_rsdp, revision)] < 2)
		return acpi_check_rsdp(p, ACPI_RSDP_V1_LEN) == 0;
	p = mem->map(mem->ctx, pa, sizeof(struct acpi_rsdp));
	if (!p)
		return false;
	memcpy(&len, p + offsetof(struct acpi_rsdp, length), sizeof(len));
	if (len < sizeof(struct acpi_rsdp) || len > ACPI_MAX_RSDP_LEN)
		return false;
	p = mem->map(mem->ctx, pa, len);
	return p && acpi_check_rsdp(p, len) == 0;
}

static int rsdp_scan(const struct acpi_mem *mem, u64 start, u64 end, u64 *rsdp_pa)
{
	u64 pa;

	/*
	 * 5.2.5.1: the RSDP sits on a 16-byte boundary. Like ACPICA, accept
	 * one that starts in the area even if it ends just past it.
	 */
	for (pa = start; pa < end; pa += 16) {
		if (rsdp_valid_at(mem, pa)) {
			*rsdp_pa = pa;
			return 0;
		}
	}
	return -ENOENT;
}

int acpi_find_rsdp(const struct acpi_mem *mem, u64 *rsdp_pa)
{
	const u8 *p;
	u16 ebda_seg;
	u64 ebda;

	/* 5.2.5.1: the EBDA's real-mode segment is the BDA word at 0x40E. */
	p = mem->map(mem->ctx, 0x40e, sizeof(ebda_seg));
	if (p) {
		memcpy(&ebda_seg, p, sizeof(ebda_seg));
		ebda = (u64)ebda_seg << 4;
		if (ebda && rsdp_scan(mem, ebda, ebda + SZ_1K, rsdp_pa) == 0)
			return 0;
	}
	return rsdp_scan(mem, 0xe0000, 0x100000, rsdp_pa);
}

/*
 * Maps the table at @pa and fills @ref. Returns the table, or NULL (with a
 * warning) if it is out of reach, has an impossible length or a bad checksum.
 */
static const u8 *load_table(const struct acpi_mem *mem, u64 pa,
			    struct acpi_table_ref *ref, struct acpi_info *out)
{
	const u8 *t;
	u32 len;

	memset(ref, 0, sizeof(*ref));
	ref->pa = pa;
	t = mem->map(mem->ctx, pa, sizeof(struct acpi_sdt_hdr));
	if (!t) {
		acpi_warn(mem, "acpi: table at %#llx out of reach\n",
			  (unsigned long long)pa);
		return NULL;
	}
	memcpy(ref->sig, t, 4);
	memcpy(&len, t + offsetof(struct acpi_sdt_hdr, length), sizeof(len));
	ref->len = len;
	if (len < sizeof(struct acpi_sdt_hdr) || len > ACPI_MAX_TABLE_LEN) {
		acpi_warn(mem, "acpi: %.4s at %#llx: bad length %u\n", ref->sig,
			  (unsigned long long)pa, len);
		return NULL;
	}
	t = mem->map(mem->ctx, pa, len);
	if (!t) {
		acpi_warn(mem, "acpi: %.4s at %#llx: %u bytes out of reach\n",
			  ref->sig, (unsigned long long)pa, len);
		return NULL;
	}
	if (acpi_checksum(t, len) != 0) {
		acpi_warn(mem, "acpi: %.4s at %#llx: bad checksum\n", ref->sig,
			  (unsigned long long)pa);
		out->nr_bad_checksums++;
		return NULL;
	}
	ref->checksum_ok = true;
	return t;
}

static void add_cpu(struct madt_state *st, u32 apic_id, u32 uid, u32 flags,
		    bool x2apic)
{
	struct acpi_info *out = st->out;
	struct acpi_cpu *cpu;
	bool enabled = flags & ACPI_CPU_ENABLED;
	bool online = st->revision >= ACPI_MADT_REV_ONLINE_CAPABLE &&
		      (flags & ACPI_CPU_ONLINE_CAPABLE);
	unsigned int i;

	if (!enabled && !online)
		return;
	for (i = 0; i < out->nr_cpus; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			acpi_warn(st->mem, "acpi: duplicate APIC ID %#x ignored\n",
				  apic_id);
			return;
		}
	}
	if (out->nr_cpus == ACPI_MAX_CPUS) {
		st->nr_dropped_cpus++;
		return;
	}
	cpu = &out->cpus[out->nr_cpus++];
	cpu->apic_id = apic_id;
	cpu->uid = uid;
	cpu->enabled = enabled;
	cpu->online_capable = online;
	cpu->x2apic = x2apic;
}

static void madt_lapic(struct madt_state *st, const u8 *p)
{
	struct madt_lapic e;

	memcpy(&e, p, sizeof(e));
	if (e.apic_id != ACPI_LAPIC_ID_INVALID)
		add_cpu(st, e.apic_id, e.uid, e.flags, false);
}

static void madt_x2apic(struct madt_state *st, const u8 *p)
{
	struct madt_x2apic e;

	memcpy(&e, p, sizeof(e));
	if (e.apic_id != ACPI_X2APIC_ID_INVALID)
		add_cpu(st, e.apic_id, e.uid, e.flags, true);
}

static void madt_ioapic(struct madt_state *st, const u8 *p)
{
	struct acpi_info *out = st->out;
	struct madt_ioapic e;

	memcpy(&e, p, sizeof(e));
	if (out->nr_ioapics == ACPI_MAX_IOAPICS) {
		acpi_warn(st->mem, "acpi: I/O APIC %u ignored, table full\n", e.id);
		return;
	}
	out->ioapics[out->nr_ioapics].id = e.id;
	out->ioapics[out->nr_ioapics].addr = e.addr;
	out->ioapics[out->nr_ioapics].gsi_base = e.gsi_base;
	out->nr_ioapics++;
}

static void madt_iso(struct madt_state *st, const u8 *p)
{
	struct acpi_info *out = st->out;
	struct acpi_override *o;
	struct madt_iso e;

	memcpy(&e, p, sizeof(e));
	if (out->nr_overrides == ACPI_MAX_OVERRIDES) {
		acpi_warn(st->mem, "acpi: override of IRQ %u ignored, table full\n",
			  e.source);
		return;
	}
	o = &out->overrides[out->nr_overrides++];
	o->bus = e.bus;
	o->source = e.source;
	o->gsi = e.gsi;
	o->flags = e.flags;
}

/* Firmware lists the NMI pin per processor; Keel wires the same LINT on all. */
static void set_nmi_lint(struct madt_state *st, u8 lint)
{
	if (lint > 1) {
		acpi_warn(st->mem, "acpi: NMI on LINT%u ignored\n", lint);
		return;
	}
	if (st->out->have_nmi_lint)
		return;
	st->out->have_nmi_lint = true;
	st->out->nmi_lint = lint;
}

static void madt_lapic_nmi(struct madt_state *st, const u8 *p)
{
	struct madt_lapic_nmi e;

	memcpy(&e, p, sizeof(e));
	set_nmi_lint(st, e.lint);
}

static void madt_x2apic_nmi(struct madt_state *st, const u8 *p)
{
	struct madt_x2apic_nmi e;

	memcpy(&e, p, sizeof(e));
	set_nmi_lint(st, e.lint);
}

static void madt_lapic_override(struct madt_state *st, const u8 *p)
{
	struct madt_lapic_override e;

	memcpy(&e, p, sizeof(e));
	st->out->lapic_addr = e.addr;
}

/* Interrupt Controller Structure types (5.2.12). */
static const struct {
	u8 min_len;
	void (*parse)(struct madt_state *st, const u8 *p);
} madt_types[] = {
	[0] = { sizeof(struct madt_lapic), madt_lapic },
	[1] = { sizeof(struct madt_ioapic), madt_ioapic },
	[2] = { sizeof(struct madt_iso), madt_iso },
	[4] = { sizeof(struct madt_lapic_nmi), madt_lapic_nmi },
	[5] = { sizeof(struct madt_lapic_override), madt_lapic_override },
	[9] = { sizeof(struct madt_x2apic), madt_x2apic },
	[10] = { sizeof(struct madt_x2apic_nmi), madt_x2apic_nmi },
};

static void madt_entry(struct madt_state *st, const u8 *p, u8 len)
{
	u8 type = p[0];

	if (type >= ARRAY_SIZE(madt_types) || !madt_types[type].parse)
		return;
	/* Later spec revisions may append fields; a shorter entry is broken. */
	if (len < madt_types[type].min_len) {
		acpi_warn(st->mem, "acpi: MADT type %u entry too short (%u)\n",
			  type, len);
		return;
	}
	madt_types[type].parse(st, p);
}

static int parse_madt(const struct acpi_mem *mem, const u8 *t, u32 len,
		      u64 pa, struct acpi_info *out)
{
	struct madt_state st = { .mem = mem, .out = out };
	struct acpi_madt m;
	u32 off;

	if (out->have_madt)
		return 0;
	if (len < sizeof(m))
		return -EINVAL;
	memcpy(&m, t, sizeof(m));
	out->have_madt = true;
	out->lapic_addr = m.lapic_addr;
	out->pcat_compat = m.flags & BIT(0);
	st.revision = m.hdr.revision;
	for (off = sizeof(m); off < len; off += t[off + 1]) {
		if (len - off < 2 || t[off + 1] < 2 || t[off + 1] > len - off) {
			acpi_warn(mem, "acpi: bad MADT entry at %u, rest ignored\n",
				  off);
			break;
		}
		madt_entry(&st, t + off, t[off + 1]);
	}
	if (st.nr_dropped_cpus)
		acpi_warn(mem, "acpi: %u CPUs beyond the first %u ignored\n",
			  st.nr_dropped_cpus, ACPI_MAX_CPUS);
	return 0;
}

/*
 * The I/O-space X_ block if the FADT holds one, else the 32-bit legacy port
 * (5.2.9: X_ fields, when nonzero, supersede the legacy ones).
 */
static u32 fadt_port(u32 legacy, const struct acpi_gas_raw *x, bool present)
{
	if (present && x->space_id == ACPI_GAS_SYSTEM_IO && x->address &&
	    x->address <= 0xffff)
		return (u32)x->address;
	return legacy;
}

static u64 fadt_addr(u32 legacy, u64 x, bool present)
{
	return present && x ? x : legacy;
}

static void fadt_ports(const struct acpi_fadt *f, u32 len, struct acpi_info *out)
{
	out->pm1a_evt = fadt_port(f->pm1a_evt_blk, &f->x_pm1a_evt_blk,
				  FADT_HAS(len, x_pm1a_evt_blk));
	out->pm1b_evt = fadt_port(f->pm1b_evt_blk, &f->x_pm1b_evt_blk,
				  FADT_HAS(len, x_pm1b_evt_blk));
	out->pm1a_cnt = fadt_port(f->pm1a_cnt_blk, &f->x_pm1a_cnt_blk,
				  FADT_HAS(len, x_pm1a_cnt_blk));
	out->pm1b_cnt = fadt_port(f->pm1b_cnt_blk, &f->x_pm1b_cnt_blk,
				  FADT_HAS(len, x_pm1b_cnt_blk));
	out->pm_tmr = fadt_port(f->pm_tmr_blk, &f->x_pm_tmr_blk,
				FADT_HAS(len, x_pm_tmr_blk));
}

static void fadt_reset(const struct acpi_fadt *f, u32 len, struct acpi_info *out)
{
	if (!FADT_HAS(len, reset_value))
		return;
	out->reset_reg.space_id = f->reset_reg.space_id;
	out->reset_reg.bit_width = f->reset_reg.bit_width;
	out->reset_reg.bit_offset = f->reset_reg.bit_offset;
	out->reset_reg.access_size = f->reset_reg.access_size;
	out->reset_reg.address = f->reset_reg.address;
	out->reset_value = f->reset_value;
}

static int parse_fadt(const struct acpi_mem *mem, const u8 *t, u32 len,
		      u64 pa, struct acpi_info *out)
{
	struct acpi_fadt f;

	if (out->have_fadt)
		return 0;
	if (len < ACPI_FADT_V1_LEN)
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	memcpy(&f, t, MIN(len, sizeof(f)));
	out->have_fadt = true;
	out->dsdt_pa = fadt_addr(f.dsdt, f.x_dsdt, FADT_HAS(len, x_dsdt));
	out->facs_pa = fadt_addr(f.firmware_ctrl, f.x_firmware_ctrl,
				 FADT_HAS(len, x_firmware_ctrl));
	out->sci_irq = f.sci_int;
	out->smi_cmd = f.smi_cmd;
	out->acpi_enable = f.acpi_enable;
	out->pm_tmr_len = f.pm_tmr_len;
	out->century = f.century;
	out->fadt_flags = f.flags;
	/* IAPC_BOOT_ARCH was reserved in the ACPI 1.0 (revision 1) FADT. */
	if (f.hdr.revision >= 2)
		out->iapc_boot_arch = f.iapc_boot_arch;
	fadt_ports(&f, len, out);
	fadt_reset(&f, len, out);
	return 0;
}

static int parse_hpet(const struct acpi_mem *mem, const u8 *t, u32 len,
		      u64 pa, struct acpi_info *out)
{
	struct acpi_hpet h;

	if (out->have_hpet)
		return 0;
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, t, sizeof(h));
	if (!h.base.address)
		return -EINVAL;
	out->have_hpet = true;
	out->hpet_addr = h.base.address;
	out->hpet_number = h.number;
	out->hpet_min_tick = h.min_tick;
	return 0;
}

static int parse_mcfg(const struct acpi_mem *mem, const u8 *t, u32 len,
		      u64 pa, struct acpi_info *out)
{
	struct acpi_mcfg_entry e;
	struct acpi_mcfg *m;
	u32 off;

	if (out->nr_mcfg)
		return 0;
	if (len < sizeof(struct acpi_mcfg_hdr))
		return -EINVAL;
	for (off = sizeof(struct acpi_mcfg_hdr); len - off >= sizeof(e);
	     off += sizeof(e)) {
		memcpy(&e, t + off, sizeof(e));
		if (e.bus_end < e.bus_start) {
			acpi_warn(mem, "acpi: MCFG buses %u-%u ignored\n",
				  e.bus_start, e.bus_end);
			continue;
		}
		if (out->nr_mcfg == ACPI_MAX_MCFG) {
			acpi_warn(mem, "acpi: MCFG entries beyond %u ignored\n",
				  ACPI_MAX_MCFG);
			break;
		}
		m = &out->mcfg[out->nr_mcfg++];
		m->base = e.base;
		m->segment = e.segment;
		m->bus_start = e.bus_start;
		m->bus_end = e.bus_end;
	}
	return 0;
}

/* The IOMMU tables are parsed by their drivers; only where they are matters here. */
static int record_dmar(const struct acpi_mem *mem, const u8 *t, u32 len,
		       u64 pa, struct acpi_info *out)
{
	if (!out->dmar_pa) {
		out->dmar_pa = pa;
		out->dmar_len = len;
	}
	return 0;
}

static int record_ivrs(const struct acpi_mem *mem, const u8 *t, u32 len,
		       u64 pa, struct acpi_info *out)
{
	if (!out->ivrs_pa) {
		out->ivrs_pa = pa;
		out->ivrs_len = len;
	}
	return 0;
}

/* Only the first table of each signature is used, as Linux does. */
static const struct {
	char sig[4];
	int (*parse)(const struct acpi_mem *mem, const u8 *t, u32 len, u64 pa,
		     struct acpi_info *out);
} table_parsers[] = {
	{ { 'A', 'P', 'I', 'C' }, parse_madt },
	{ { 'F', 'A', 'C', 'P' }, parse_fadt },
	{ { 'H', 'P', 'E', 'T' }, parse_hpet },
	{ { 'M', 'C', 'F', 'G' }, parse_mcfg },
	{ { 'D', 'M', 'A', 'R' }, record_dmar },
	{ { 'I', 'V', 'R', 'S' }, record_ivrs },
};

static void parse_table(const struct acpi_mem *mem, const u8 *t,
			struct acpi_table_ref *ref, struct acpi_info *out)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(table_parsers); i++) {
		if (memcmp(ref->sig, table_parsers[i].sig, 4) != 0)
			continue;
		if (table_parsers[i].parse(mem, t, ref->len, ref->pa, out) < 0) {
			acpi_warn(mem, "acpi: %.4s at %#llx too short (%u)\n",
				  ref->sig, (unsigned long long)ref->pa, ref->len);
			ref->checksum_ok = false;
		}
		return;
	}
}

static void walk_root(const struct acpi_mem *mem, const u8 *root, u32 len,
		      struct acpi_info *out)
{
	size_t esz = out->xsdt ? sizeof(u64) : sizeof(u32);
	size_t off, hdr = sizeof(struct acpi_sdt_hdr);
	struct acpi_table_ref ref;
	const u8 *t;
	u64 pa;

	if ((len - hdr) % esz)
		acpi_warn(mem, "acpi: root table length %u ends mid-entry\n",
			  len);
	for (off = hdr; len - off >= esz; off += esz) {
		pa = 0;
		/* XSDT entries are 8 bytes at a 4-byte offset: never aligned. */
		memcpy(&pa, root + off, esz);
		if (!pa)
			continue;
		t = load_table(mem, pa, &ref, out);
		if (t)
			parse_table(mem, t, &ref, out);
		if (out->nr_tables < ACPI_MAX_TABLES)
			out->tables[out->nr_tables++] = ref;
		else
			acpi_warn(mem, "acpi: %.4s at %#llx not listed, list full\n",
				  ref.sig, (unsigned long long)pa);
	}
}

static const u8 *load_root(const struct acpi_mem *mem, u64 pa, const char *sig,
			   u32 *len, struct acpi_info *out)
{
	struct acpi_table_ref ref;
	const u8 *t;

	t = load_table(mem, pa, &ref, out);
	if (!t)
		return NULL;
	if (memcmp(ref.sig, sig, 4) != 0) {
		acpi_warn(mem, "acpi: expected %s at %#llx, found %.4s\n", sig,
			  (unsigned long long)pa, ref.sig);
		return NULL;
	}
	*len = ref.len;
	return t;
}

/* 5.2.5.3: an ACPI 2.0+ OS uses the XSDT; the RSDT is for 1.0 compatibility. */
static const u8 *select_root(const struct acpi_mem *mem, const struct acpi_rsdp *r,
			     u32 *len, struct acpi_info *out)
{
	const u8 *t;

	if (r->revision >= 2 && r->xsdt_addr) {
		t = load_root(mem, r->xsdt_addr, "XSDT", len, out);
		if (t) {
			out->xsdt = true;
			out->root_pa = r->xsdt_addr;
			return t;
		}
		acpi_warn(mem, "acpi: XSDT unusable, falling back to the RSDT\n");
	}
	if (!r->rsdt_addr)
		return NULL;
	t = load_root(mem, r->rsdt_addr, "RSDT", len, out);
	if (t)
		out->root_pa = r->rsdt_addr;
	return t;
}

/*
 * @rsdp is an image, possibly a copy, so rsdp_pa is left 0; a caller that
 * found the RSDP with acpi_find_rsdp records its address afterwards.
 */
int acpi_parse(const struct acpi_mem *mem, const void *rsdp, size_t len,
	       struct acpi_info *out)
{
	struct acpi_rsdp r;
	const u8 *root;
	u32 root_len;

	memset(out, 0, sizeof(*out));
	if (acpi_check_rsdp(rsdp, len) != 0) {
		acpi_warn(mem, "acpi: invalid RSDP\n");
		return -EINVAL;
	}
	memset(&r, 0, sizeof(r));
	memcpy(&r, rsdp, MIN(len, sizeof(r)));
	out->revision = r.revision;
	root = select_root(mem, &r, &root_len, out);
	if (!root) {
		acpi_warn(mem, "acpi: no usable RSDT or XSDT\n");
		return -EINVAL;
	}
	walk_root(mem, root, root_len, out);
	return 0;
}
