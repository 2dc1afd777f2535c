/* The one authorisation decision. Every use case asks it before touching
 * data; nothing else in the code decides who may do what. */
#ifndef ZY_AUTHZ_H
#define ZY_AUTHZ_H
#include "app/kernel/app.h"

enum authz_action {
	AUTHZ_SELF,          /* own profile, password, tokens: any signed-in user */
	AUTHZ_USERS_READ,    /* accounts of an organisation */
	AUTHZ_USERS_WRITE,   /* create, edit, disable accounts */
	AUTHZ_AUDIT_READ,    /* the audit log of a scope */
	AUTHZ_ORGS_READ,     /* organisations */
	AUTHZ_ORGS_WRITE,    /* create organisations under a parent */
	AUTHZ_VOLUNTEERS_READ,   /* volunteer files */
	AUTHZ_VOLUNTEERS_WRITE,  /* register, edit, deactivate, transfer */
	AUTHZ_ID_NUMBER_READ,    /* the full ID number: an explicit grant */
	AUTHZ_REGIONS_WRITE,     /* the region table: admins of the root */
	AUTHZ_RECORDS_READ,      /* activities and service records */
	AUTHZ_RECORDS_WRITE,     /* create activities, enter records */
	AUTHZ_RECORDS_APPROVE,   /* decide on records (see records.c for own records) */
	AUTHZ_CERTIFICATES_REVOKE, /* revoke certificates issued in one's scope */
	AUTHZ_POINTS_READ,       /* the points ledger of a scope */
	AUTHZ_POINTS_ADJUST,     /* grant or deduct points by hand */
	AUTHZ_POINTS_RULES,      /* set an organisation's earning rules */
	AUTHZ_STARS_WRITE,       /* star-level thresholds: admins of the root */
	AUTHZ_MARKET_ADMIN,      /* open love supermarkets */
	AUTHZ_MARKET_COUNTER,    /* goods, stock and redemption at a store */
	AUTHZ_VOUCHERS_ISSUE,    /* turn a volunteer's points into a voucher */
	AUTHZ_PROJECTS_WRITE,    /* projects and their shifts */
	AUTHZ_SHIFTS_STAFF,      /* sign others up, codes, check people in and out */
	AUTHZ_MAINTENANCE,       /* upkeep jobs through the API: admins of the root */
	AUTHZ_JOINS_DECIDE,      /* list, accept and decline volunteers' join requests */
	AUTHZ_MENU_WRITE,        /* the service menu and hotlines: admins of the root */
	AUTHZ_ORDERS_READ,       /* residents' orders of a scope (masked in lists) */
	AUTHZ_ORDERS_DISPATCH,   /* take orders by phone, accept, decline, send volunteers, deliver */
	AUTHZ_ORDERS_CASES,      /* close the cases low ratings and complaints open */
};

/* Whether the principal's scope (its organisation's subtree) contains the
 * organisation at target_path. */
bool authz_in_scope(const struct principal *who, const char *target_path);

/* Whether the comma-separated permission list (as users store it; NULL is
 * empty) names name exactly. */
bool authz_list_has(const char *list, const char *name);

/* The same decision without failing the request: NULL when who may
 * perform action on data at target_path, else why not: "unauthenticated",
 * "forbidden" (the role), "out_of_scope" or "permission_required". For
 * answers that tell a user beforehand what they may do (e.g. the approval
 * queue's can_approve), so they follow the very rules that authz_check
 * enforces. */
const char *authz_refusal(const struct principal *who, enum authz_action action, const char *target_path);

/* Decides whether r->who may perform action on data of the organisation
 * at target_path (NULL when the action has no target organisation, such
 * as listing within one's own scope). Returns 0, or -1 with r->err set to
 * 401 unauthenticated or 403 forbidden. */
int authz_check(struct app_req *r, enum authz_action action, const char *target_path);

#endif
