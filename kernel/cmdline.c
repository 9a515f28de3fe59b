// SPDX-License-Identifier: GPL-2.0
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/format.h"
#include "kernel/string.h"

struct token {
	const char *key;
	size_t key_len;
	const char *val;	/* NULL for a bare key */
	size_t val_len;
};

static const struct {
	const char *name;
	u16 port;
} uart_names[] = {
	{ "com1", 0x3f8 }, { "com2", 0x2f8 }, { "com3", 0x3e8 }, { "com4", 0x2e8 },
};

void cmdline_defaults(struct keel_options *o)
{
	memset(o, 0, sizeof(*o));
	o->console.uart[0] = 0x3f8;
	o->console.baud = 115200;
	o->console.e9 = true;
	o->console.loglevel = LOG_INFO;
	memset(o->vm_cpus, 0xff, sizeof(o->vm_cpus));
}

/* One CPU number at *@s, advancing it; -1 if none or out of range. */
static int cpu_number(const char **s, const char *end)
{
	int n = 0;

	if (*s >= end || **s < '0' || **s > '9')
		return -1;
	while (*s < end && **s >= '0' && **s <= '9' && n < SCHED_MAX_CPUS)
		n = n * 10 + *(*s)++ - '0';
	return n < SCHED_MAX_CPUS ? n : -1;
}

int parse_cpu_list(const char *s, size_t len, u64 *mask)
{
	const char *end = s + len;

	memset(mask, 0, SCHED_AFFINITY_WORDS * sizeof(u64));
	for (;;) {
		int lo = cpu_number(&s, end), hi = lo;

		if (lo >= 0 && s < end && *s == '-') {
			s++;
			hi = cpu_number(&s, end);
		}
		if (lo < 0 || hi < lo || (s < end && *s != ','))
			return -EINVAL;
		for (int c = lo; c <= hi; c++)
			mask[c / 64] |= BIT(c % 64);
		if (s++ == end)
			return 0;
	}
}

static __printf(2, 3) void report(struct cmdline_errors *err, const char *fmt, ...)
{
	va_list ap;

	if (err->nr < CMDLINE_MAX_ERRORS) {
		va_start(ap, fmt);
		vsnformat(err->msg[err->nr], sizeof(err->msg[0]), fmt, ap);
		va_end(ap);
	}
	err->nr++;
}

int parse_size(const char *s, size_t len, u64 *out)
{
	unsigned int base = 10, shift = 0;
	u64 v = 0;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (len && (s[len - 1] == 'K' || s[len - 1] == 'k'))
		shift = 10;
	else if (len && (s[len - 1] == 'M' || s[len - 1] == 'm'))
		shift = 20;
	else if (len && (s[len - 1] == 'G' || s[len - 1] == 'g'))
		shift = 30;
	if (shift)
		len--;
	if (i >= len)
		return -EINVAL;
	for (; i < len; i++) {
		char c = s[i];
		unsigned int d = c >= '0' && c <= '9' ? (unsigned int)(c - '0') :
				 c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10) :
				 c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10) : 99;

		if (d >= base || v > (~0ULL - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	if (shift && v > (~0ULL >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

static bool word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !strncmp(s, word, len);
}

static int console_item(const char *s, size_t len, struct console_config *c, unsigned int *nr_uarts)
{
	u64 port = 0;

	if (word_is(s, len, "e9")) {
		c->e9 = true;
		return 0;
	}
	if (word_is(s, len, "none"))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(uart_names); i++)
		if (word_is(s, len, uart_names[i].name))
			port = uart_names[i].port;
	if (!port && (parse_size(s, len, &port) || !port || port > 0xfff8))
		return -EINVAL;
	if (*nr_uarts >= CONSOLE_MAX_UARTS)
		return -ENOSPC;
	c->uart[(*nr_uarts)++] = (u16)port;
	return 0;
}

static int parse_console(const struct token *t, struct console_config *c)
{
	struct console_config n = *c;
	unsigned int nr_uarts = 0;
	const char *s = t->val, *end = t->val + t->val_len;

	memset(n.uart, 0, sizeof(n.uart));
	n.e9 = false;
	while (s <= end) {
		const char *comma = s;

		while (comma < end && *comma != ',')
			comma++;
		if (console_item(s, (size_t)(comma - s), &n, &nr_uarts))
			return -EINVAL;
		s = comma + 1;
	}
	*c = n;
	return 0;
}

static int parse_value(const struct token *t, struct keel_options *o)
{
	u64 v;

	if (word_is(t->key, t->key_len, "console"))
		return parse_console(t, &o->console);
	if (word_is(t->key, t->key_len, "loglevel")) {
		if (parse_size(t->val, t->val_len, &v) || v > LOG_DEBUG)
			return -EINVAL;
		o->console.loglevel = (int)v;
		return 0;
	}
	if (word_is(t->key, t->key_len, "keel.baud")) {
		if (parse_size(t->val, t->val_len, &v) || !v || v > 115200 || 115200 % v)
			return -EINVAL;
		o->console.baud = (u32)v;
		return 0;
	}
	if (word_is(t->key, t->key_len, "keel.reserve"))
		return parse_size(t->val, t->val_len, &o->reserve) ? -EINVAL : 0;
	if (word_is(t->key, t->key_len, "keel.control_cpus")) {
		if (parse_size(t->val, t->val_len, &v) || !v || v > 256)
			return -EINVAL;
		o->control_cpus = (unsigned int)v;
		return 0;
	}
	if (word_is(t->key, t->key_len, "keel.vm_cpus")) {
		u64 mask[SCHED_AFFINITY_WORDS];

		if (parse_cpu_list(t->val, t->val_len, mask))
			return -EINVAL;
		memcpy(o->vm_cpus, mask, sizeof(mask));
		return 0;
	}
	if (word_is(t->key, t->key_len, "keel.on_control_crash")) {
		if (!word_is(t->val, t->val_len, "reset") && !word_is(t->val, t->val_len, "halt"))
			return -EINVAL;
		o->control_crash_halt = word_is(t->val, t->val_len, "halt");
		return 0;
	}
	if (word_is(t->key, t->key_len, "keel.test")) {
		if (!t->val_len || t->val_len >= sizeof(o->test))
			return -EINVAL;
		memcpy(o->test, t->val, t->val_len);
		o->test[t->val_len] = '\0';
		return 0;
	}
	return -ENOENT;
}

static void apply(const struct token *t, struct keel_options *o, struct cmdline_errors *err)
{
	int r;

	if (!t->val) {
		if (word_is(t->key, t->key_len, "keel.exit_when_idle"))
			o->exit_when_idle = true;
		else
			report(err, "unknown command-line option '%.*s' (ignored)", (int)t->key_len, t->key);
		return;
	}
	r = parse_value(t, o);
	if (r == -ENOENT)
		report(err, "unknown command-line option '%.*s' (ignored)", (int)t->key_len, t->key);
	else if (r)
		report(err, "bad value '%.*s' for '%.*s' (ignored)", (int)t->val_len, t->val,
		       (int)t->key_len, t->key);
}

static const char *next_token(const char *s, struct token *t)
{
	const char *start, *eq = NULL;

	while (*s == ' ' || *s == '\t')
		s++;
	start = s;
	for (; *s && *s != ' ' && *s != '\t'; s++)
		if (*s == '=' && !eq)
			eq = s;
	t->key = start;
	t->key_len = (size_t)((eq ? eq : s) - start);
	t->val = eq ? eq + 1 : NULL;
	t->val_len = eq ? (size_t)(s - eq - 1) : 0;
	return s;
}

void cmdline_parse(const char *cmdline, struct keel_options *o, struct cmdline_errors *err)
{
	struct token t;
	bool first = true;

	err->nr = 0;
	for (const char *s = next_token(cmdline, &t); t.key_len || t.val; s = next_token(s, &t)) {
		if (!(first && t.key[0] == '/'))
			apply(&t, o, err);
		first = false;
	}
}

bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(list, "all"))
		return true;
	for (const char *s = list; *s; s++) {
		if ((s == list || s[-1] == ',') && !strncmp(s, name, n) && (s[n] == ',' || !s[n]))
			return true;
	}
	return false;
}
