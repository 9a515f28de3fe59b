/*
 * keelinfo: what the control guest can learn about Keel from inside, for
 * tests/control/init.
 *
 *   keelinfo sig              exit 0 if CPUID 0x40000000 says "Keel"
 *   keelinfo reserved         print Keel's reserved range (CPUID 0x40000002)
 *                             as "BASE SIZE" in hex
 *   keelinfo peek BASE SIZE   read the first, a middle and the last 4 KiB page
 *                             of [BASE, BASE+SIZE) from /dev/mem; exit 0 only
 *                             if every byte is 0xff (Keel's unmapped memory)
 *
 * Exit status: 0 yes/ok, 1 no (no signature, Keel data visible), 2 usage or
 * an error that stopped the check (no /dev/mem, unreadable page).
 *
 * Built static (gcc -static -Os) with the Makefile's warnings; it must never
 * crash on a machine without Keel, only say so.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <unistd.h>

#include "keel/hypercall.h"

#define PAGE 4096u

struct regs {
	uint32_t a, b, c, d;
};

static struct regs cpuid(uint32_t leaf)
{
	struct regs r;

	/* __cpuid, not __get_cpuid: hypervisor leaves are above the basic maximum. */
	__cpuid(leaf, r.a, r.b, r.c, r.d);
	return r;
}

/* Whether CPUID 0x40000000 says "Keel"; VERBOSE prints what it says. */
static int has_sig(int verbose)
{
	struct regs r = cpuid(KEEL_CPUID_LEAF_SIGNATURE);
	char text[13];

	memcpy(text, &r.b, 4);
	memcpy(text + 4, &r.c, 4);
	memcpy(text + 8, &r.d, 4);
	for (int i = 0; i < 12; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			text[i] = '.';
	text[12] = '\0';
	if (verbose)
		printf("sig: cpuid 0x40000000 eax=%#" PRIx32 " ebx=%#" PRIx32 " ecx=%#" PRIx32
		       " edx=%#" PRIx32 " \"%s\"\n", r.a, r.b, r.c, r.d, text);
	return r.b == KEEL_CPUID_SIGNATURE && r.c == KEEL_CPUID_SIGNATURE &&
	       r.d == KEEL_CPUID_SIGNATURE;
}

static int cmd_sig(void)
{
	if (has_sig(1)) {
		puts("sig: Keel");
		return 0;
	}
	puts("sig: no Keel signature");
	return 1;
}

static int cmd_reserved(void)
{
	struct regs r;

	/* Leaf 0x40000002 is only Keel's if the signature says so; stdout
	 * carries nothing but "BASE SIZE", for `keelinfo peek $(keelinfo reserved)`. */
	if (!has_sig(0)) {
		fputs("reserved: no Keel signature, leaf 0x40000002 means nothing\n", stderr);
		return 1;
	}
	r = cpuid(KEEL_CPUID_LEAF_RESERVED);
	printf("%#" PRIx64 " %#" PRIx64 "\n", (uint64_t)r.b << 32 | r.a,
	       (uint64_t)r.d << 32 | r.c);
	return 0;
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/*
 * One page through a mapping of /dev/mem, with 32-bit loads: the range is
 * MMIO from the guest's point of view, and plain MOVs are what a hypervisor's
 * MMIO emulation handles best. A SIGBUS/SIGSEGV is reported, not fatal.
 */
static int read_mmap(int fd, uint64_t addr, unsigned char *buf)
{
	volatile uint32_t *p;
	void *map;
	int sig;

	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, (off_t)addr);
	if (map == MAP_FAILED)
		return -errno;
	p = map;
	sig = sigsetjmp(fault_jmp, 1);
	if (sig == 0) {
		for (unsigned i = 0; i < PAGE / 4; i++) {
			uint32_t v = p[i];
			memcpy(buf + 4 * i, &v, 4);
		}
	}
	munmap(map, PAGE);
	return sig ? -EFAULT : 0;
}

/*
 * One page: pread first; /dev/mem refuses it (EFAULT) above the guest's
 * high_memory, where Keel's range may well lie, so mmap is the fallback.
 */
static int read_page(int fd, uint64_t addr, unsigned char *buf, const char **how)
{
	ssize_t n = pread(fd, buf, PAGE, (off_t)addr);
	int pread_err = n < 0 ? errno : EIO;

	*how = "pread";
	if (n == (ssize_t)PAGE)
		return 0;
	*how = "mmap";
	if (read_mmap(fd, addr, buf) == 0)
		return 0;
	return -pread_err;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || end == s || *end != '\0' ? -1 : 0;
}

static int cmd_peek(const char *base_s, const char *size_s)
{
	static unsigned char buf[PAGE];
	uint64_t base, size, pages[3];
	int bad = 0, fd;

	if (parse_u64(base_s, &base) || parse_u64(size_s, &size) || base % PAGE ||
	    size % PAGE || size == 0 || base + size < base) {
		fprintf(stderr, "peek: BASE and SIZE must be page-aligned numbers, SIZE > 0\n");
		return 2;
	}
	pages[0] = base;
	pages[1] = base + (size / 2 / PAGE) * PAGE;
	pages[2] = base + size - PAGE;

	fd = open("/dev/mem", O_RDONLY | O_SYNC);
	if (fd < 0) {
		printf("peek: /dev/mem: %s\n", strerror(errno));
		return 2;
	}
	signal(SIGBUS, on_fault);
	signal(SIGSEGV, on_fault);
	for (int i = 0; i < 3; i++) {
		const char *how;
		int err = read_page(fd, pages[i], buf, &how);
		unsigned off;

		if (err) {
			printf("peek: page %#" PRIx64 ": unreadable (pread and mmap): %s\n",
			       pages[i], strerror(-err));
			close(fd);
			return 2;
		}
		for (off = 0; off < PAGE && buf[off] == 0xff; off++)
			;
		if (off == PAGE) {
			printf("peek: page %#" PRIx64 " (%s): all 0xff\n", pages[i], how);
		} else {
			printf("peek: page %#" PRIx64 " (%s): byte %#x at %#" PRIx64
			       " (first non-0xff)\n", pages[i], how, buf[off], pages[i] + off);
			bad = 1;
		}
	}
	close(fd);
	puts(bad ? "peek: Keel's memory is visible" : "peek: 3 pages, all 0xff");
	return bad;
}

/*
 * Writes a word at the page-aligned BASE through /dev/mem and reads it back:
 * Keel's memory must drop the write and still read as all ones.
 */
static int cmd_poke(const char *base_s)
{
	volatile uint32_t *p;
	uint64_t base;
	volatile uint32_t got = 0;
	void *map;
	int fd;

	if (parse_u64(base_s, &base) || base % PAGE) {
		fprintf(stderr, "poke: BASE must be a page-aligned number\n");
		return 2;
	}
	fd = open("/dev/mem", O_RDWR | O_SYNC);
	map = fd < 0 ? MAP_FAILED : mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)base);
	if (map == MAP_FAILED) {
		printf("poke: /dev/mem at %#" PRIx64 ": %s\n", base, strerror(errno));
		return 2;
	}
	signal(SIGBUS, on_fault);
	signal(SIGSEGV, on_fault);
	p = map;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		p[0] = 0x4b45454c;
		got = p[0];
	}
	munmap(map, PAGE);
	close(fd);
	printf("poke: wrote 0x4b45454c at %#" PRIx64 ", read back %#x\n", base, got);
	return got == 0xffffffffu ? 0 : 1;
}

/*
 * Writes SLP_TYP = TYPE with SLP_EN to the PM1a control port PORT (ACPI 6.5
 * 4.8.3.2.1): a sleep request. Under Keel anything but S5 must be refused,
 * so this returns; on a machine that obeys, it sleeps.
 */
static int cmd_sleep(const char *port_s, const char *type_s)
{
	uint64_t port, type;

	if (parse_u64(port_s, &port) || parse_u64(type_s, &type) || port > 0xfffe || type > 7) {
		fprintf(stderr, "sleep: PORT up to 0xfffe, TYPE 0-7\n");
		return 2;
	}
	if (ioperm((unsigned long)port, 2, 1)) {
		printf("sleep: ioperm %#" PRIx64 ": %s\n", port, strerror(errno));
		return 2;
	}
	outw((uint16_t)(type << 10 | 1u << 13), (uint16_t)port);
	printf("sleep: SLP_TYP %" PRIu64 " with SLP_EN written to %#" PRIx64 ", still running\n", type, port);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "sig") == 0)
		return cmd_sig();
	if (argc == 2 && strcmp(argv[1], "reserved") == 0)
		return cmd_reserved();
	if (argc == 4 && strcmp(argv[1], "peek") == 0)
		return cmd_peek(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "poke") == 0)
		return cmd_poke(argv[2]);
	if (argc == 4 && strcmp(argv[1], "sleep") == 0)
		return cmd_sleep(argv[2], argv[3]);
	fputs("usage: keelinfo sig | reserved | peek BASE SIZE | poke BASE | sleep PORT TYPE\n", stderr);
	return 2;
}
