/* Addresses, CIDR blocks and the X-Forwarded-For walk (netaddr.h). */
#include "core/netaddr.h"
#include <arpa/inet.h>
#include <string.h>

#define ADDR_TEXT_MAX 64

int netaddr_parse(const char *s, size_t len, struct netaddr *out)
{
	char t[ADDR_TEXT_MAX];
	if (len == 0 || len >= sizeof(t))
		return -1;
	memcpy(t, s, len);
	t[len] = 0;
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, t, out->b + 12) == 1) {
		out->b[10] = 0xff;
		out->b[11] = 0xff;
		return 0;
	}
	return inet_pton(AF_INET6, t, out->b) == 1 ? 0 : -1;
}

static bool is_mapped(const struct netaddr *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(a->b, prefix, sizeof(prefix)) == 0;
}

void netaddr_format(const struct netaddr *a, char *out, size_t outlen)
{
	const char *r = is_mapped(a) ? inet_ntop(AF_INET, a->b + 12, out, (socklen_t)outlen)
				     : inet_ntop(AF_INET6, a->b, out, (socklen_t)outlen);
	if (!r && outlen)
		out[0] = 0;
}

static bool prefix_equal(const struct netaddr *a, const struct netaddr *b, unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;
	if (memcmp(a->b, b->b, whole) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a->b[whole] & mask) == (b->b[whole] & mask);
}

static int block_parse(const char *s, size_t len, struct netblock *out)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	if (netaddr_parse(s, alen, &out->addr) != 0)
		return -1;
	bool v4 = is_mapped(&out->addr) && memchr(s, ':', alen) == NULL;
	unsigned max = v4 ? 32 : 128;
	unsigned prefix = max;
	if (slash) {
		const char *p = slash + 1, *end = s + len;
		if (p == end || end - p > 3)
			return -1;
		prefix = 0;
		for (; p < end; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			prefix = prefix * 10 + (unsigned)(*p - '0');
		}
		if (prefix > max)
			return -1;
	}
	out->prefix = v4 ? prefix + 96 : prefix;
	/* "10.0.0.1/8" is more likely a typo than a wish: refuse host bits */
	struct netaddr masked = out->addr;
	for (unsigned bit = out->prefix; bit < 128; bit++)
		masked.b[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	return memcmp(&masked, &out->addr, sizeof(masked)) == 0 ? 0 : -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims spaces around [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

int netlist_parse(const char *spec, struct netlist *out)
{
	out->n = 0;
	const char *p = spec;
	const char *end = spec + strlen(spec);
	const char *s = p, *e = end;
	trim(&s, &e);
	if (s == e)
		return 0;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end;
		const char *a = p, *b = item_end;
		trim(&a, &b);
		if (out->n == NETLIST_MAX || block_parse(a, (size_t)(b - a), &out->blocks[out->n]) != 0)
			return -1;
		out->n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

bool netlist_match(const struct netlist *l, const struct netaddr *a)
{
	for (int i = 0; i < l->n; i++)
		if (prefix_equal(&l->blocks[i].addr, a, l->blocks[i].prefix))
			return true;
	return false;
}

struct netaddr netaddr_client(const struct netlist *trusted, const struct netaddr *peer, const char *xff)
{
	struct netaddr client = *peer;
	if (!xff || !netlist_match(trusted, peer))
		return client;
	const char *end = xff + strlen(xff);
	while (end > xff) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		const char *a = start, *b = end;
		trim(&a, &b);
		end = start > xff ? start - 1 : xff;
		if (a == b)
			continue;   /* "a,,b" or a trailing comma: no hop */
		struct netaddr hop;
		if (netaddr_parse(a, (size_t)(b - a), &hop) != 0)
			break;
		client = hop;
		if (!netlist_match(trusted, &hop))
			break;
	}
	return client;
}

/* Byte i of chain + "," + value, the chain that netaddr_xff_append joins,
 * without building it (len bytes of chain, sep 0 or 1 commas). */
static char joined_at(const char *chain, size_t len, size_t sep, const char *value, size_t i)
{
	if (i < len)
		return chain[i];
	if (i < len + sep)
		return ',';
	return value[i - len - sep];
}

void netaddr_xff_append(char *chain, size_t cap, const char *value)
{
	if (cap == 0)
		return;
	size_t len = strnlen(chain, cap - 1), vlen = strlen(value);
	size_t sep = len ? 1 : 0, total = len + sep + vlen, keep = cap - 1;
	/* the first byte kept: the joined chain's last keep bytes, moved on
	 * to the start of a hop */
	size_t from = total > keep ? total - keep : 0;
	while (from > 0 && from < total && joined_at(chain, len, sep, value, from - 1) != ',')
		from++;
	size_t out = 0;
	if (from < len) {
		memmove(chain, chain + from, len - from);
		out = len - from;
	}
	if (sep && from <= len)
		chain[out++] = ',';
	size_t vfrom = from > len + sep ? from - len - sep : 0;
	memcpy(chain + out, value + vfrom, vlen - vfrom);
	out += vlen - vfrom;
	chain[out] = 0;
}
