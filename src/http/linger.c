/* Connections' ends: whether a connection's last request was answered in
 * full, and the lingering close of one that was refused early. */
#include "http/internal.h"
#include "util/timeutil.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Per connection: whether its last request was answered in full (then a
 * close needs no lingering unless input is pending). Cleared when the
 * next request line arrives (linger_request_line), so that a keep-alive
 * connection's later request that MHD refuses itself is not taken for
 * the earlier one. */
struct conn_state {
	bool settled;
};

/* MHD's URI log callback: a request line has arrived, before its headers
 * are read. MHD may refuse those headers itself (431) without calling
 * on_request, so this is the one place that sees every request start.
 * The NULL returned is on_request's first *con_cls. */
void *linger_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)uri;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci ? ci->socket_context : NULL;
	if (cs)
		cs->settled = false;
	return NULL;
}

void linger_settle(struct MHD_Connection *conn, bool settled)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci ? ci->socket_context : NULL;
	if (cs)
		cs->settled = settled;
}

/* Lingering close. When MHD closes a connection whose request it refused
 * early (431 for a header past the connection's memory, 400 for ambiguous
 * framing, 413), the client may still be sending; closing a socket with
 * unread input makes the kernel send a reset, and a client busy writing
 * then never reads the answer. Such a socket is kept open on a copy of
 * its descriptor and read to the end (or for LINGER_MS, at most
 * LINGER_BYTES) before the copy is closed. At most LINGER_MAX at once:
 * past that a reset is what the sender gets. */
#define LINGER_MAX 32
#define LINGER_MS 2000
#define LINGER_BYTES (1u << 20)

static atomic_int lingering;

static void *linger_thread(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char sink[4096];
	size_t total = 0;
	int64_t deadline = time_mono_ns() + (int64_t)LINGER_MS * 1000000;
	shutdown(fd, SHUT_WR);
	while (total < LINGER_BYTES) {
		int64_t left_ms = (deadline - time_mono_ns()) / 1000000;
		if (left_ms <= 0)
			break;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, (int)left_ms) <= 0)
			break;
		ssize_t n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR)))
			break;
		if (n > 0)
			total += (size_t)n;
	}
	close(fd);
	atomic_fetch_sub(&lingering, 1);
	return NULL;
}

void linger_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = calloc(1, sizeof(struct conn_state));
		return;
	}
	struct conn_state *st = *socket_context;
	bool settled = st && st->settled;
	free(st);
	*socket_context = NULL;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int pending = 0;
	if (!ci || ci->connect_fd == MHD_INVALID_SOCKET || ioctl(ci->connect_fd, FIONREAD, &pending) != 0)
		return;
	/* refused before its end (431, 400, 413, a timeout): more may be on
	 * the way even when nothing is pending yet */
	if (settled && pending <= 0)
		return;
	if (atomic_fetch_add(&lingering, 1) >= LINGER_MAX) {
		atomic_fetch_sub(&lingering, 1);
		return;
	}
	int fd = fcntl(ci->connect_fd, F_DUPFD_CLOEXEC, 0);
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (fd < 0 || pthread_create(&t, &attr, linger_thread, (void *)(intptr_t)fd) != 0) {
		if (fd >= 0)
			close(fd);
		atomic_fetch_sub(&lingering, 1);
	}
	pthread_attr_destroy(&attr);
}
