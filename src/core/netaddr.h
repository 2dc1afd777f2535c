/* Client addresses: parsing IPv4 and IPv6 addresses and CIDR blocks, a
 * list of trusted proxies, and finding the client behind them in an
 * X-Forwarded-For chain. Pure; no sockets. */
#ifndef ZY_NETADDR_H
#define ZY_NETADDR_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An address as 16 bytes: IPv4 is kept IPv4-mapped (::ffff:a.b.c.d), so a
 * block written as IPv4 also matches a peer seen on a dual-stack socket. */
struct netaddr {
	uint8_t b[16];
};

struct netblock {
	struct netaddr addr;   /* bits past prefix are zero */
	unsigned prefix;       /* 0-128, counted on the 16-byte form */
};

#define NETLIST_MAX 32
#define NETADDR_TEXT 46   /* INET6_ADDRSTRLEN */

struct netlist {
	struct netblock blocks[NETLIST_MAX];
	int n;
};

/* Parses an IPv4 or IPv6 address of exactly len bytes ("10.0.0.1",
 * "::1", "::ffff:10.0.0.1"); no ports, brackets or zone ids. 0 or -1. */
int netaddr_parse(const char *s, size_t len, struct netaddr *out);

/* Writes the address as text (IPv4-mapped ones as plain IPv4) into out
 * of at least NETADDR_TEXT bytes. */
void netaddr_format(const struct netaddr *a, char *out, size_t outlen);

/* Parses a comma-separated list of addresses and CIDR blocks
 * ("127.0.0.1, 10.0.0.0/8, fd00::/8"); spaces around items are ignored,
 * an empty string gives an empty list. 0, or -1 on a bad item, a prefix
 * too long for its family, host bits set past the prefix, or more than
 * NETLIST_MAX items. */
int netlist_parse(const char *spec, struct netlist *out);

/* Whether a falls within one of l's addresses or blocks (the first
 * prefix bits of the block equal a's). */
bool netlist_match(const struct netlist *l, const struct netaddr *a);

/* The client of a request that came from peer with the X-Forwarded-For
 * values xff (all header lines joined with commas, or NULL). Only when
 * the peer is in trusted is the chain read: from the right, hops that are
 * trusted proxies are skipped, and the first that is not is the client.
 * An item that is no address ends the walk at the hop before it (which
 * was trusted to append it), and a chain of trusted hops only gives its
 * leftmost one. Without trust, or without the header, the client is the
 * peer. */
struct netaddr netaddr_client(const struct netlist *trusted, const struct netaddr *peer, const char *xff);

/* Adds one X-Forwarded-For header line to the chain kept in chain (cap
 * bytes, NUL-terminated; start with ""), joined to what is there with a
 * comma. A chain that does not fit loses hops from its left: the trusted
 * proxies append on the right, while the left is whatever the client
 * wrote, so a client that pads the header only pushes out its own words.
 * What is kept starts at a hop boundary (a cut hop could read as another
 * address), so it is at most cap - 1 bytes and may be shorter. */
void netaddr_xff_append(char *chain, size_t cap, const char *value);

#endif
