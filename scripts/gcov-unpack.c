// SPDX-License-Identifier: GPL-2.0
/*
 * gcov-unpack STREAM DIR: writes the .gcda files of one coverage stream of a
 * COVERAGE=1 Keel (kernel/coverage/gcov.c: records of "KGCO", the file's
 * name, its length and its bytes, then "KEND"). Each name must be a .gcda
 * path under DIR, the build's object folder, where its .gcno lies.
 * Exit status: 0 with "gcov-unpack: N files", 1 for a stream that is cut
 * short (a machine that did not end cleanly) or malformed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_MAGIC 0x4f43474bU	/* "KGCO" */
#define END_MAGIC 0x444e454bU		/* "KEND" */
#define MAX_NAME 4096
#define MAX_DATA (64U << 20)

static int get_u32(FILE *f, uint32_t *v)
{
	return fread(v, sizeof(*v), 1, f) == 1 ? 0 : -1;
}

static int name_ok(const char *name, const char *dir)
{
	size_t n = strlen(name), d = strlen(dir);

	return n > d + 6 && !strncmp(name, dir, d) && name[d] == '/' && !strstr(name, "/../") &&
	       !strcmp(name + n - 5, ".gcda");
}

/* One record after its magic: 0, or -1 with the reason on stderr. */
static int unpack_one(FILE *in, const char *dir)
{
	static char name[MAX_NAME + 1];
	uint32_t len;
	char *data;
	FILE *out;

	if (get_u32(in, &len) || len == 0 || len > MAX_NAME || fread(name, 1, len, in) != len)
		return fprintf(stderr, "gcov-unpack: a bad file name\n"), -1;
	name[len] = 0;
	if (!name_ok(name, dir))
		return fprintf(stderr, "gcov-unpack: %s is not a .gcda under %s\n", name, dir), -1;
	if (get_u32(in, &len) || len > MAX_DATA)
		return fprintf(stderr, "gcov-unpack: %s: a bad length\n", name), -1;
	data = malloc(len ? len : 1);
	if (!data || fread(data, 1, len, in) != len)
		return fprintf(stderr, "gcov-unpack: %s: cut short\n", name), free(data), -1;
	out = fopen(name, "wb");
	if (!out || fwrite(data, 1, len, out) != len || fclose(out))
		return perror(name), free(data), -1;
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	FILE *in = argc == 3 ? fopen(argv[1], "rb") : NULL;
	unsigned int files = 0;
	uint32_t magic = 0;

	if (!in) {
		fprintf(stderr, "usage: gcov-unpack STREAM DIR (an absolute path)\n");
		return 2;
	}
	while (!get_u32(in, &magic) && magic == RECORD_MAGIC) {
		if (unpack_one(in, argv[2]))
			return 1;
		files++;
	}
	if (feof(in) || magic != END_MAGIC) {
		fprintf(stderr, "gcov-unpack: %s: no end mark after %u files\n", argv[1], files);
		return 1;
	}
	printf("gcov-unpack: %u files\n", files);
	return 0;
}
