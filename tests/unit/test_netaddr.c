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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
		cmocka_unit_test(lists),
		cmocka_unit_test(matching),
		cmocka_unit_test(forwarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
