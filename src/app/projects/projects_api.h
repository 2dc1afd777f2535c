/* Projects (项目化运行): what organisations and social-work agencies
 * publish to recruit volunteers. A project has an owner organisation, an
 * optional partner agency with its social workers (社工+义工), a domain
 * (社会公益/社会建设/社会治理/社会援助), a service category, and a status
 * draft → published → in_progress → completed, or cancelled. Its shifts
 * (shifts.h) are activities, so the records of its service hang off it.
 *
 * The projects domain is the one writer of projects and
 * project_social_workers (projects.c). Each use case runs its own
 * transaction on r->store; 0, or -1 with r->err set.
 *
 * The projects' use cases for http/ and within the domain; other domains
 * use projects.h only. */
#ifndef ZY_PROJECTS_API_H
#define ZY_PROJECTS_API_H
#include "app/projects/projects.h"
#include "store/store.h"

/* POST /projects {"title","org_id","domain","category","brand",
 * "description","beneficiaries","place","region_code","starts_on",
 * "ends_on","contact_name","contact_phone","agency_org_id",
 * "social_worker_ids"} (staff of the owner's scope) → the project. */
int projects_create(struct app_req *r, json_t *in, json_t **out);
/* PATCH /projects/{id} with any of those fields but org_id; not once the
 * project is completed or cancelled. */
int projects_update(struct app_req *r, int64_t id, json_t *in, json_t **out);
/* GET /projects/{id}: the project with its social workers and shifts. */
int projects_get(struct app_req *r, int64_t id, json_t **out);
/* GET /projects?org_id=&status=&limit=&cursor= within the caller's scope. */
int projects_list(struct app_req *r, const char *org_id, const char *status, const char *limit,
		  const char *cursor, json_t **out);
/* POST /projects/{id}/publish | start | complete | cancel: to is
 * "published", "in_progress", "completed" or "cancelled"; a move the
 * status flow does not allow is 409 invalid_status. Cancelling ends every
 * live sign-up of its shifts. */
int projects_transition(struct app_req *r, int64_t id, const char *to, json_t **out);

/* GET /social-work-agencies: every active social-work agency with its
 * active social workers, for staff choosing a project's partner (agencies
 * usually sit outside a station's scope). */
int projects_agencies(struct app_req *r, json_t **out);

/* GET /public/projects?q=&domain=&category=&region=&org_id=&date=&open=
 * &limit=&cursor=: published and running projects, for anyone. */
struct project_query {
	const char *q, *domain, *category, *region, *org_id, *date, *open, *limit, *cursor;
};
int projects_public_list(struct app_req *r, const struct project_query *q, json_t **out);
/* GET /public/projects/{id}: a published or running project and its
 * upcoming shifts with their open places. */
int projects_public_get(struct app_req *r, int64_t id, json_t **out);

/* What use cases need to know of a project (projects.c). */
struct project_ref {
	int64_t id, org_id;
	const char *path, *status, *title, *region;
};
/* Project id for the caller (projref.c): 404 when unknown, then the
 * authorisation of action on its organisation (any paired social worker
 * passes too; none when action < 0). Reads only; *ref's strings live in
 * r->arena. Returns 0 or -1. */
int project_access(struct app_req *r, int64_t id, int action, struct project_ref *ref);

#endif
