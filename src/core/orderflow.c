/* The order state machine (see orderflow.h). */
#include "core/orderflow.h"
#include <string.h>

static const char *const names[ORDER_STATUS_COUNT] = {
	[ORDER_SUBMITTED] = "submitted",
	[ORDER_ACCEPTED] = "accepted",
	[ORDER_DISPATCHED] = "dispatched",
	[ORDER_IN_SERVICE] = "in_service",
	[ORDER_DELIVERED] = "delivered",
	[ORDER_RATED] = "rated",
	[ORDER_CLOSED] = "closed",
	[ORDER_DECLINED] = "declined",
	[ORDER_CANCELLED] = "cancelled",
};

/* moves[from] is the set of statuses from may move to, one bit each.
 * A provider may give back an order it accepted (declined) until
 * volunteers are out; a dispatched order whose volunteers all declined
 * goes back to accepted; nothing is cancelled once service has begun. */
#define B(s) (1u << (s))
static const unsigned moves[ORDER_STATUS_COUNT] = {
	[ORDER_SUBMITTED] = B(ORDER_ACCEPTED) | B(ORDER_DECLINED) | B(ORDER_CANCELLED),
	[ORDER_ACCEPTED] = B(ORDER_DISPATCHED) | B(ORDER_DECLINED) | B(ORDER_CANCELLED),
	[ORDER_DISPATCHED] = B(ORDER_IN_SERVICE) | B(ORDER_ACCEPTED) | B(ORDER_CANCELLED),
	[ORDER_IN_SERVICE] = B(ORDER_DELIVERED),
	[ORDER_DELIVERED] = B(ORDER_RATED) | B(ORDER_CLOSED),
	[ORDER_RATED] = B(ORDER_CLOSED),
	[ORDER_CLOSED] = 0,
	[ORDER_DECLINED] = B(ORDER_SUBMITTED) | B(ORDER_ACCEPTED) | B(ORDER_CANCELLED),
	[ORDER_CANCELLED] = 0,
};

const char *order_status_name(enum order_status s)
{
	return (unsigned)s < ORDER_STATUS_COUNT ? names[s] : "";
}

bool order_status_parse(const char *name, enum order_status *out)
{
	for (int i = 0; name && i < ORDER_STATUS_COUNT; i++) {
		if (strcmp(names[i], name) == 0) {
			*out = (enum order_status)i;
			return true;
		}
	}
	return false;
}

bool order_can_move(enum order_status from, enum order_status to)
{
	if ((unsigned)from >= ORDER_STATUS_COUNT || (unsigned)to >= ORDER_STATUS_COUNT)
		return false;
	return (moves[from] & B(to)) != 0;
}

bool order_is_final(enum order_status s)
{
	return s == ORDER_CLOSED || s == ORDER_CANCELLED;
}

bool order_is_open_work(enum order_status s)
{
	return s == ORDER_ACCEPTED || s == ORDER_DISPATCHED || s == ORDER_IN_SERVICE;
}
