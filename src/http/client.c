/* Who the client is: its address (the peer, or behind trusted proxies the
 * hop X-Forwarded-For names) and the framing headers counted on the way. */
#include "http/internal.h"
#include "core/netaddr.h"
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* The peer's address as seen on the socket. */
static int peer_addr(struct MHD_Connection *c, struct netaddr *out)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return -1;
	const struct sockaddr *sa = ci->client_addr;
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		out->b[10] = out->b[11] = 0xff;
		memcpy(out->b + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out->b, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

enum MHD_Result client_scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct header_scan *h = cls;
	(void)kind;
	if (strcasecmp(key, "Content-Length") == 0)
		h->content_lengths++;
	else if (strcasecmp(key, "Transfer-Encoding") == 0)
		h->transfer_encodings++;
	else if (strcasecmp(key, "X-Forwarded-For") == 0 && value)
		netaddr_xff_append(h->xff, sizeof(h->xff), value);
	return MHD_YES;
}

/* The client's address into req->client: the peer, or when the peer is a
 * trusted proxy the rightmost untrusted hop of X-Forwarded-For
 * (core/netaddr.h). X-Real-IP and Forwarded are not read: one header to
 * configure at the proxy, and one rule (docs/operations.md). */
void client_addr(struct http_req *req, struct header_scan *h)
{
	struct netaddr peer, client;
	snprintf(req->client, sizeof(req->client), "-");
	if (peer_addr(req->conn, &peer) != 0)
		return;
	const struct netlist *trusted = req->srv->cfg.trusted_proxies;
	/* a chain past XFF_MAX is walked in its rightmost part: padding the
	 * left, which the client writes, hides nobody's address */
	client = trusted ? netaddr_client(trusted, &peer, h->xff[0] ? h->xff : NULL) : peer;
	netaddr_format(&client, req->client, sizeof(req->client));
}
