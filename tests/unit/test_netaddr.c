/* Unit tests for core/netaddr: addresses, CIDR lists for --trusted-proxy
 * and the X-Forwarded-For walk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/netaddr.h"

static struct netaddr addr(const char *s)
{
	struct netaddr a;
	assert_int_equal(netaddr_parse(s, strlen(s), &a), 0);
	return a;
}

static void addresses(void **state)
{
	(void)state;
	struct netaddr a;
	char t[NETADDR_TEXT];
	a = addr("10.1.2.3");
	netaddr_format(&a, t, sizeof(t));
	assert_string_equal(t, "10.1.2.3");
	a = addr("::ffff:10.1.2.3");   /* a peer on a dual-stack socket */
	netaddr_format(&a, t, sizeof(t));
	assert_string_equal(t, "10.1.2.3");
	a = addr("2001:DB8::1");
	netaddr_format(&a, t, sizeof(t));
	assert_string_equal(t, "2001:db8::1");
	const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4:80", "[::1]", "::1%lo",
			      "fe80::1::2", " 1.2.3.4", "unknown", "01234567890123456789012345678901234567890123456789012345678901234" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(netaddr_parse(bad[i], strlen(bad[i]), &a), -1);
	/* the length counts, not a terminator */
	assert_int_equal(netaddr_parse("10.0.0.1xyz", 8, &a), 0);
	netaddr_format(&a, t, sizeof(t));
	assert_string_equal(t, "10.0.0.1");
}

static void lists(void **state)
{
	(void)state;
	struct netlist l;
	assert_int_equal(netlist_parse("", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(netlist_parse("  ", &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(netlist_parse("127.0.0.1, 10.0.0.0/8 ,fd00::/8,192.168.1.0/24,0.0.0.0/0", &l), 0);
	assert_int_equal(l.n, 5);
	assert_int_equal(l.blocks[0].prefix, 128);
	assert_int_equal(l.blocks[1].prefix, 104);
	assert_int_equal(l.blocks[2].prefix, 8);
	assert_int_equal(l.blocks[4].prefix, 96);
	const char *bad[] = { "10.0.0.0/33", "fd00::/129", "10.0.0.1/8", "10.0.0.0/", "10.0.0.0/8x", "10.0.0.0/-1",
			      "1.2.3.4,", ",1.2.3.4", "1.2.3.4,,5.6.7.8", "localhost", "10.0.0.0/0008", "::/1 2" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(netlist_parse(bad[i], &l), -1);
	char many[40 * 16];
	size_t used = 0;
	for (int i = 0; i <= NETLIST_MAX; i++)
		used += (size_t)snprintf(many + used, sizeof(many) - used, "%s10.0.0.%d", i ? "," : "", i);
	assert_int_equal(netlist_parse(many, &l), -1);
}

static void matching(void **state)
{
	(void)state;
	struct netlist l;
	assert_int_equal(netlist_parse("127.0.0.1,10.0.0.0/8,172.16.0.0/12,fd00::/8,::1", &l), 0);
	struct netaddr in[] = { addr("127.0.0.1"), addr("::ffff:127.0.0.1"), addr("10.255.0.9"), addr("172.31.255.255"),
				addr("fdab::1"), addr("::1") };
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		assert_true(netlist_match(&l, &in[i]));
	struct netaddr out[] = { addr("127.0.0.2"), addr("11.0.0.1"), addr("172.32.0.0"), addr("172.15.255.255"),
				 addr("fe00::1"), addr("::2"), addr("::a00:1") /* 10.0.0.1 IPv4-compatible, not mapped */ };
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		assert_false(netlist_match(&l, &out[i]));
	struct netlist none;
	assert_int_equal(netlist_parse("", &none), 0);
	assert_false(netlist_match(&none, &in[0]));
	struct netlist all;
	assert_int_equal(netlist_parse("0.0.0.0/0", &all), 0);
	assert_true(netlist_match(&all, &out[1]));
	assert_false(netlist_match(&all, &out[4]));   /* IPv4's all is not IPv6's */
}

static const char *client(const struct netlist *l, const char *peer, const char *xff)
{
	static char t[NETADDR_TEXT];
	struct netaddr p = addr(peer);
	struct netaddr c = netaddr_client(l, &p, xff);
	netaddr_format(&c, t, sizeof(t));
	return t;
}

static void forwarded(void **state)
{
	(void)state;
	struct netlist l;
	assert_int_equal(netlist_parse("127.0.0.1,10.0.0.0/8", &l), 0);
	/* an untrusted peer's header is ignored */
	assert_string_equal(client(&l, "203.0.113.9", "198.51.100.1"), "203.0.113.9");
	/* a trusted peer without the header is the client */
	assert_string_equal(client(&l, "127.0.0.1", NULL), "127.0.0.1");
	assert_string_equal(client(&l, "127.0.0.1", "198.51.100.1"), "198.51.100.1");
	/* the rightmost untrusted hop: what the client wrote itself is left of it */
	assert_string_equal(client(&l, "127.0.0.1", "1.1.1.1, 198.51.100.1"), "198.51.100.1");
	assert_string_equal(client(&l, "127.0.0.1", "1.1.1.1, 198.51.100.1, 10.0.0.7"), "198.51.100.1");
	assert_string_equal(client(&l, "127.0.0.1", "2001:db8::5,10.1.1.1"), "2001:db8::5");
	/* only trusted hops: the leftmost */
	assert_string_equal(client(&l, "127.0.0.1", "10.0.0.3, 10.0.0.7"), "10.0.0.3");
	/* garbage stops the walk at the hop that appended it */
	assert_string_equal(client(&l, "127.0.0.1", "1.1.1.1, unknown"), "127.0.0.1");
	assert_string_equal(client(&l, "127.0.0.1", "1.1.1.1, junk, 10.0.0.7"), "10.0.0.7");
	assert_string_equal(client(&l, "127.0.0.1", "198.51.100.1:4711"), "127.0.0.1");
	/* empty items and spaces are no hops */
	assert_string_equal(client(&l, "127.0.0.1", " , 198.51.100.1 ,, "), "198.51.100.1");
	assert_string_equal(client(&l, "127.0.0.1", ""), "127.0.0.1");
	assert_string_equal(client(&l, "127.0.0.1", ","), "127.0.0.1");
	/* no trusted proxies: never read */
	struct netlist none;
	assert_int_equal(netlist_parse("", &none), 0);
	assert_string_equal(client(&none, "127.0.0.1", "198.51.100.1"), "127.0.0.1");
}

/* The chain joined from header lines into a buffer of cap bytes. */
static const char *joined(char *buf, size_t cap, const char *const *lines, int n)
{
	buf[0] = 0;
	for (int i = 0; i < n; i++)
		netaddr_xff_append(buf, cap, lines[i]);
	return buf;
}

static void long_chains(void **state)
{
	(void)state;
	char b[16];
	/* lines are joined with commas while they fit */
	const char *two[] = { "1.1.1.1", "2.2.2.2" };
	assert_string_equal(joined(b, sizeof(b), two, 2), "1.1.1.1,2.2.2.2");
	/* past cap - 1 bytes the left goes, cut at a hop boundary: "10.1.1.1"
	 * cut inside would read as the address "0.1.1.1" */
	const char *over[] = { "10.1.1.1, 10.2.2.2" };
	assert_string_equal(joined(b, sizeof(b), over, 1), " 10.2.2.2");
	const char *lines[] = { "10.1.1.1", "2.2.2.2", "3.3.3.3" };
	assert_string_equal(joined(b, sizeof(b), lines, 2), "2.2.2.2");
	assert_string_equal(joined(b, sizeof(b), lines, 3), "2.2.2.2,3.3.3.3");
	/* a cut just before a comma drops the comma too; one just after it
	 * keeps the next hop whole */
	const char *before[] = { "9,123456789,1234" };    /* 16 bytes: "9" must go */
	assert_string_equal(joined(b, sizeof(b), before, 1), "123456789,1234");
	const char *after[] = { "1,123456789,12345" };    /* 17 bytes: "1," must go */
	assert_string_equal(joined(b, sizeof(b), after, 1), "123456789,12345");
	/* no boundary in what fits: nothing is kept, and a later line starts afresh */
	const char *blob[] = { "aaaaaaaaaaaaaaaaaaaaaaaaa", "4.4.4.4" };
	assert_string_equal(joined(b, sizeof(b), blob, 1), "");
	assert_string_equal(joined(b, sizeof(b), blob, 2), "4.4.4.4");
	/* exactly cap - 1 bytes fit as they are */
	const char *full[] = { "1.1.1.1", "2.2.2.2" };   /* 15 bytes joined */
	assert_string_equal(joined(b, sizeof(b), full, 2), "1.1.1.1,2.2.2.2");
	const char *more[] = { "1.1.1.1", "2.2.2.2", "" };
	assert_string_equal(joined(b, sizeof(b), more, 3), "2.2.2.2,");

	/* the walk sees the right end of a padded chain: a client that pads
	 * the header on the left (where it writes) is still found */
	struct netlist l;
	assert_int_equal(netlist_parse("127.0.0.1,10.0.0.0/8", &l), 0);
	static char pad[8192], chain[2049];
	size_t n = 0;
	while (n + 9 < sizeof(pad) - 1) {
		memcpy(pad + n, "6.6.6.6, ", 9);
		n += 9;
	}
	pad[n] = 0;
	const char *padded[] = { pad, "198.51.100.7, 10.0.0.9" };
	joined(chain, sizeof(chain), padded, 2);
	assert_true(strlen(chain) <= 2048);
	assert_string_equal(client(&l, "127.0.0.1", chain), "198.51.100.7");
	/* one line holding both */
	static char one[8300];
	snprintf(one, sizeof(one), "%s198.51.100.8, 10.0.0.9", pad);
	const char *single[] = { one };
	assert_string_equal(client(&l, "127.0.0.1", joined(chain, sizeof(chain), single, 1)), "198.51.100.8");
	/* a padding without commas: the hop after it is still the client */
	memset(pad, 'x', 5000);
	pad[5000] = 0;
	const char *blobbed[] = { pad, "198.51.100.9" };
	assert_string_equal(client(&l, "127.0.0.1", joined(chain, sizeof(chain), blobbed, 2)), "198.51.100.9");
	snprintf(one, sizeof(one), "%s, 198.51.100.9", pad);
	assert_string_equal(client(&l, "127.0.0.1", joined(chain, sizeof(chain), single, 1)), "198.51.100.9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
		cmocka_unit_test(lists),
		cmocka_unit_test(matching),
		cmocka_unit_test(forwarded),
		cmocka_unit_test(long_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
