/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading a Linux bzImage by the x86 boot protocol (the kernel's
 * Documentation/arch/x86/boot.rst, "boot.rst" below, and zero-page.rst):
 * header validation, the choice of load address and the boot_params
 * ("zero page") for the 64-bit entry. Pure logic, unit-tested on the host.
 */
#ifndef KEEL_LINUX_BOOT_H
#define KEEL_LINUX_BOOT_H

#include "kernel/memmap.h"
#include "kernel/types.h"

/* loadflags (boot.rst, "Details of Header Fields") */
#define LINUX_LOADED_HIGH BIT(0)

/* xloadflags */
#define LINUX_XLF_KERNEL_64 BIT(0)		/* 64-bit entry at load address + 0x200 */
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G BIT(1)	/* kernel, boot_params, cmdline, initrd */

#define LINUX_HDR_OFFSET 0x1f1		/* the setup header, in the file and in boot_params */
#define LINUX_HDR_MAX 0x90		/* its longest possible extent (boot.rst, kernel_info) */
#define LINUX_ENTRY64 0x200		/* startup_64, from the load address */
#define LINUX_E820_MAX 128		/* e820_table entries in the zero page */
#define LINUX_TYPE_OF_LOADER 0xff	/* "undefined" boot loader id */

/* E820 types as the kernel reads them from e820_table. */
#define LINUX_E820_RAM 1
#define LINUX_E820_RESERVED 2
#define LINUX_E820_ACPI 3
#define LINUX_E820_NVS 4
#define LINUX_E820_UNUSABLE 5

/* The setup header (boot.rst, "The Real-Mode Kernel Header"), at 0x1f1. */
struct setup_header {
	u8 setup_sects;
	u16 root_flags;
	u32 syssize;
	u16 ram_size;
	u16 vid_mode;
	u16 root_dev;
	u16 boot_flag;
	u16 jump;
	u32 header;
	u16 version;
	u32 realmode_swtch;
	u16 start_sys_seg;
	u16 kernel_version;
	u8 type_of_loader;
	u8 loadflags;
	u16 setup_move_size;
	u32 code32_start;
	u32 ramdisk_image;
	u32 ramdisk_size;
	u32 bootsect_kludge;
	u16 heap_end_ptr;
	u8 ext_loader_ver;
	u8 ext_loader_type;
	u32 cmd_line_ptr;
	u32 initrd_addr_max;
	u32 kernel_alignment;
	u8 relocatable_kernel;
	u8 min_alignment;
	u16 xloadflags;
	u32 cmdline_size;
	u32 hardware_subarch;
	u64 hardware_subarch_data;
	u32 payload_offset;
	u32 payload_length;
	u64 setup_data;
	u64 pref_address;
	u32 init_size;
	u32 handover_offset;
	u32 kernel_info_offset;
} __packed;

struct boot_e820_entry {
	u64 addr;
	u64 size;
	u32 type;
} __packed;

/*
 * The zero page (zero-page.rst): only the fields Keel fills are named; the
 * rest stays zero, which also leaves the sentinel at 0x1ef clear.
 */
struct boot_params {
	u8 _pad0[0x70];
	u64 acpi_rsdp_addr;			/* 0x070 */
	u8 _pad1[0x48];
	u32 ext_ramdisk_image;			/* 0x0c0 */
	u32 ext_ramdisk_size;			/* 0x0c4 */
	u32 ext_cmd_line_ptr;			/* 0x0c8 */
	u8 _pad2[0x11c];
	u8 e820_entries;			/* 0x1e8 */
	u8 _pad3[6];
	u8 sentinel;				/* 0x1ef */
	u8 _pad4;
	struct setup_header hdr;		/* 0x1f1 */
	u8 _pad5[0x2d0 - 0x1f1 - sizeof(struct setup_header)];
	struct boot_e820_entry e820_table[LINUX_E820_MAX];	/* 0x2d0 */
	u8 _pad6[0x1000 - 0xcd0];
} __packed;

/* What linux_plan() found in a bzImage. */
struct linux_image {
	u16 version;		/* boot protocol, 0x020f for 2.15 */
	u16 xloadflags;
	bool relocatable;
	u64 kernel_offset;	/* protected-mode kernel in the file: (setup_sects + 1) * 512 */
	u64 kernel_size;	/* ... to the end of the file */
	u64 pref_address;	/* where it decompresses itself (it never runs below this) */
	u32 kernel_alignment;
	u32 init_size;		/* contiguous memory it needs from its load address */
	u32 cmdline_size;	/* longest command line, without the NUL */
	u32 initrd_addr_max;	/* highest byte an initrd may occupy (without XLF bit 1) */
	u32 entry_offset;	/* 64-bit entry from the load address: LINUX_ENTRY64 */
	u32 hdr_len;		/* setup header bytes: 0x1f1 up to 0x202 + the byte at 0x201 */
	u8 hdr[LINUX_HDR_MAX];	/* ... as in the file, for boot_params */
};

/*
 * Validates the bzImage @bzimage (@size bytes) for the 64-bit boot protocol
 * and fills @out. 0, or -ENOEXEC with *why set: truncated, no boot sector or
 * "HdrS" magic, protocol older than 2.12, no 64-bit entry, not a bzImage,
 * setup or syssize running past the end of the file, bad alignment or sizes.
 */
int linux_plan(const u8 *bzimage, size_t size, struct linux_image *out, const char **why);

/*
 * Picks the load address in identity-mapped guest memory: the lowest
 * address at or above pref_address (so pref_address itself when it fits)
 * aligned to kernel_alignment, whose init_size bytes are all MEM_USABLE in
 * @ram and, without XLF_CAN_BE_LOADED_ABOVE_4G, below 4 GiB. A kernel that
 * is not relocatable gets pref_address or nothing. Everything that must
 * survive the kernel's start (its own bzImage, the initrd, boot_params, the
 * command line) must not be MEM_USABLE in @ram. 0, or -ENOMEM with *why set.
 */
int linux_choose_load(const struct linux_image *img, const struct memmap *ram, u64 *load_addr,
		      const char **why);

/* The highest byte address an initrd may occupy. */
u64 linux_initrd_max(const struct linux_image *img);

/*
 * Fills @bp for @img: the setup header from the file, then the loader's
 * fields: command line at @cmdline_pa (@cmdline_len bytes, without the NUL
 * that must follow them), initrd at @initrd_pa (none if @initrd_size is 0),
 * the RSDP at @rsdp_pa (0: none; protocol 2.14+ only) and the e820 table
 * from @e820 (adjacent ranges of one E820 type merged). 0, or with *why set
 * -E2BIG (command line longer than cmdline_size, more than 128 e820
 * entries), -ERANGE (initrd or command line where the kernel cannot reach
 * them) or -EINVAL (empty map).
 */
int linux_build_params(struct boot_params *bp, const struct linux_image *img,
		       const struct memmap *e820, u64 cmdline_pa, u32 cmdline_len, u64 initrd_pa,
		       u64 initrd_size, u64 rsdp_pa, const char **why);

#endif
