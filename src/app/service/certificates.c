/* Certificates of volunteer service (志愿服务记录证明): issued over a period
 * from the approved records, numbered, registered, revocable, rendered as
 * a PDF with a QR code, and checkable by anyone with serial and code. */
#include "app/service/certificates.h"
#include "app/kernel/kernel.h"
#include "app/service/records.h"
#include "core/cursor.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/certpdf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CERT_COLUMNS "c.serial, c.verify_code, c.volunteer_id, c.volunteer_number, c.volunteer_name," \
	" c.period_from, c.period_to, c.minutes, c.issuer, c.issued_on, c.status, c.revoke_reason," \
	" c.id_type, c.id_number_masked, c.content_summary, c.person_in_charge, c.handler, c.contact," \
	" c.notes, o.path, c.revoked_at, c.id, c.org_id"

static const char *hours_text(struct app_req *r, int64_t minutes)
{
	/* one decimal, no floating point */
	return arena_printf(r->arena, "%lld.%lld", (long long)(minutes / 60), (long long)(minutes % 60 * 10 / 60));
}

static json_t *cert_json(struct app_req *r, struct store_stmt *st)
{
	const char *serial = store_col_text(st, 0);
	return json_pack("{ss ss sI ss ss ss ss sI ss ss ss ss ss? ss}",
		"serial", serial,
		"verify_code", store_col_text(st, 1),
		"volunteer_id", (json_int_t)store_col_int(st, 2),
		"volunteer_number", store_col_text(st, 3),
		"volunteer_name", store_col_text(st, 4),
		"from", store_col_text(st, 5),
		"to", store_col_text(st, 6),
		"minutes", (json_int_t)store_col_int(st, 7),
		"hours", hours_text(r, store_col_int(st, 7)),
		"issuer", store_col_text(st, 8),
		"issued_on", store_col_text(st, 9),
		"status", store_col_text(st, 10),
		"revoke_reason", store_col_text(st, 11),
		"pdf_url", arena_printf(r->arena, "/api/v1/certificates/%s.pdf", serial));
}

struct issue_ctx {
	struct app_req *r;
	int64_t volunteer_id, org_id, minutes;
	const char *from, *to, *org_path, *region, *issuer, *person, *contact, *handler;
	const char *vname, *id_type, *id_masked, *vnumber, *summary, *notes;
	char code[16];
	const char *serial;
};

static int issue_tx(struct store *s, void *vctx)
{
	struct issue_ctx *c = vctx;
	int year = app_today_ymd() / 10000;
	int64_t seq = 0;
	int rc = app_next_seq(s, arena_printf(c->r->arena, "cert/%.6s/%d", c->region, year), &seq);
	if (rc != STORE_OK)
		return rc;
	struct store_stmt *st;
	c->serial = arena_printf(c->r->arena, "ZY-%.6s-%d-%06lld", c->region, year, (long long)seq);
	st = store_prepare(s,
		"INSERT INTO certificates (serial, verify_code, volunteer_id, org_id, region_code, period_from,"
		" period_to, minutes, content_summary, volunteer_name, id_type, id_number_masked, volunteer_number,"
		" issuer, person_in_charge, handler, contact, notes, issued_on, issued_by, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,"
		" $20, $21) RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->serial);
	store_bind_text(st, 2, c->code);
	store_bind_int(st, 3, c->volunteer_id);
	store_bind_int(st, 4, c->org_id);
	store_bind_text(st, 5, c->region);
	store_bind_text(st, 6, c->from);
	store_bind_text(st, 7, c->to);
	store_bind_int(st, 8, c->minutes);
	store_bind_text(st, 9, c->summary);
	store_bind_text(st, 10, c->vname);
	store_bind_text(st, 11, c->id_type);
	store_bind_text(st, 12, c->id_masked);
	store_bind_text(st, 13, c->vnumber);
	store_bind_text(st, 14, c->issuer);
	store_bind_text(st, 15, c->person);
	store_bind_text(st, 16, c->handler);
	store_bind_text(st, 17, c->contact);
	store_bind_text(st, 18, c->notes);
	store_bind_text(st, 19, app_today(c->r));
	store_bind_int(st, 20, c->r->who->user_id);
	store_bind_int(st, 21, app_now());
	rc = store_step(st);
	int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	json_t *detail = json_pack("{ss sI ss ss}", "serial", c->serial, "minutes", (json_int_t)c->minutes,
				   "from", c->from, "to", c->to);
	rc = audit_write(c->r, s, "certificate.issue", "certificate", id, c->org_id, c->org_path, detail);
	json_decref(detail);
	return rc;
}

/* Approved minutes in [from, to] (China dates), each record at its latest
 * approved amendment, and the names of the activities served. */
static int period_service(struct app_req *r, struct issue_ctx *c, int64_t t0, int64_t t1)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT s.id, s.minutes, a.name,"
		" (SELECT m.minutes FROM service_records m WHERE m.amends_id = s.id AND m.status = 'approved'"
		"  ORDER BY m.id DESC LIMIT 1)"
		" FROM service_records s JOIN activities a ON a.id = s.activity_id"
		" WHERE s.volunteer_id = $1 AND s.amends_id IS NULL AND s.status = 'approved'"
		" AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c->volunteer_id);
	store_bind_int(st, 2, t0);
	store_bind_int(st, 3, t1);
	struct buf names;
	buf_init(&names, 1800);
	int rc, shown = 0;
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t m = store_col_null(st, 3) ? store_col_int(st, 1) : store_col_int(st, 3);
		c->minutes += m;
		const char *name = store_col_text(st, 2);
		if (m > 0 && shown < 12 && !strstr(names.data ? names.data : "", name)) {
			if (names.len)
				buf_puts(&names, "、");
			if (buf_puts(&names, name) == 0)
				shown++;
		}
	}
	store_done(st);
	c->summary = arena_strdup(r->arena, names.data ? names.data : "");
	buf_release(&names);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

int certificates_issue(struct app_req *r, json_t *in, json_t **out)
{
	struct issue_ctx c = { .r = r };
	int ymd_from, ymd_to;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	/* a certificate's QR code must verify from anyone's phone: without
	 * a reachable address it would point at this machine */
	if (!valid_public_url(app_config(r->app)->public_url))
		return app_fail(r, APP_ECONFLICT, "public_url_required", NULL);
	if (in_id(r, in, "volunteer_id", true, &c.volunteer_id, NULL) != 0 ||
	    in_text(r, in, "from", true, 10, &c.from) != 0 ||
	    in_text(r, in, "to", true, 10, &c.to) != 0 ||
	    in_text(r, in, "notes", false, 100, &c.notes) != 0)
		return -1;
	if (!valid_date(c.from, &ymd_from))
		return app_fail(r, APP_EINVALID, "invalid_date", "from");
	if (!valid_date(c.to, &ymd_to) || ymd_to < ymd_from)
		return app_fail(r, APP_EINVALID, "invalid_date", "to");
	/* a certificate covers the records up to its end, and there are none
	 * after today: an end after today is today (the console's picker
	 * offers no later day; docs/decisions.md) */
	if (ymd_to > app_today_ymd()) {
		ymd_to = app_today_ymd();
		c.to = app_today(r);
	}
	if (ymd_from > ymd_to)
		return app_fail(r, APP_EINVALID, "invalid_date", "from");
	/* the person themselves, or staff of the volunteer's scope; the
	 * issuing unit is the caller's organisation (the person's home
	 * organisation when they ask themselves) */
	struct store_stmt *st = store_prepare(r->store,
		"SELECT v.user_id, o.path, v.name, v.id_type, v.id_masked, v.volunteer_number, v.home_org_id, v.status"
		" FROM volunteers v JOIN orgs o ON o.id = v.home_org_id WHERE v.id = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, c.volunteer_id);
	int rc = store_step(st);
	bool own = false, deleted = false;
	int64_t home = 0;
	const char *path = NULL;
	if (rc == STORE_ROW) {
		own = !store_col_null(st, 0) && store_col_int(st, 0) == r->who->user_id;
		path = arena_strdup(r->arena, store_col_text(st, 1));
		c.vname = arena_strdup(r->arena, store_col_text(st, 2));
		c.id_type = arena_strdup(r->arena, store_col_text(st, 3));
		c.id_masked = arena_strdup(r->arena, store_col_text(st, 4));
		c.vnumber = arena_strdup(r->arena, store_col_text(st, 5));
		home = store_col_int(st, 6);
		deleted = strcmp(store_col_text(st, 7), "deleted") == 0;
	}
	store_done(st);
	if (rc == STORE_DONE)
		return app_fail(r, APP_EINVALID, "volunteer_not_found", "volunteer_id");
	if (rc != STORE_ROW)
		return app_store_fail(r, rc);
	if (!own && authz_check(r, AUTHZ_VOLUNTEERS_READ, path) != 0)
		return -1;
	if (deleted)
		return app_fail(r, APP_ECONFLICT, "volunteer_deleted", NULL);
	c.org_id = own ? home : r->who->org_id;
	struct org_ref org;
	if ((rc = org_fetch(r, r->store, c.org_id, &org)) != STORE_ROW)
		return app_store_fail(r, rc);
	c.issuer = org.name;
	c.org_path = org.path;
	c.region = org.region;
	c.person = *org.contact_name ? org.contact_name : "—";
	c.contact = *org.contact_phone ? org.contact_phone : "—";
	c.handler = r->who->display_name && *r->who->display_name ? r->who->display_name : r->who->username;
	int64_t t0, t1;
	char iso0[32], iso1[32];
	snprintf(iso0, sizeof(iso0), "%sT00:00:00+08:00", c.from);
	snprintf(iso1, sizeof(iso1), "%sT00:00:00+08:00", c.to);
	if (time_parse_iso(iso0, &t0) != 0 || time_parse_iso(iso1, &t1) != 0)
		return app_fail(r, APP_EINVALID, "invalid_date", "from");
	if (period_service(r, &c, t0, t1 + 86400) != 0)
		return -1;
	if (c.minutes <= 0)
		return app_fail(r, APP_EINVALID, "no_service_in_period", "from");
	secret_password_generate(c.code, 8);
	rc = store_tx(r->store, issue_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return certificates_get(r, c.serial, out);
}

/* Loads a certificate by serial for staff in the issuing scope or the
 * person themselves; the statement stays on the row. */
static int load_cert(struct app_req *r, const char *serial, bool write, struct store_stmt **out)
{
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (strlen(serial) > 40)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " CERT_COLUMNS ", v.user_id FROM certificates c JOIN orgs o ON o.id = c.org_id"
		" JOIN volunteers v ON v.id = c.volunteer_id WHERE c.serial = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, serial);
	int rc = store_step(st);
	if (rc != STORE_ROW) {
		store_done(st);
		return rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL) : app_store_fail(r, rc);
	}
	bool own = !store_col_null(st, 23) && store_col_int(st, 23) == r->who->user_id;
	if ((write || !own) &&
	    authz_check(r, write ? AUTHZ_CERTIFICATES_REVOKE : AUTHZ_VOLUNTEERS_READ, store_col_text(st, 19)) != 0) {
		store_done(st);
		return -1;
	}
	*out = st;
	return 0;
}

int certificates_get(struct app_req *r, const char *serial, json_t **out)
{
	struct store_stmt *st;
	if (load_cert(r, serial, false, &st) != 0)
		return -1;
	*out = cert_json(r, st);
	store_done(st);
	return 0;
}

int certificates_list(struct app_req *r, const char *volunteer_s, json_t **out)
{
	int64_t vid;
	if (authz_check(r, AUTHZ_SELF, NULL) != 0)
		return -1;
	if (!volunteer_s || parse_id(volunteer_s, &vid) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "volunteer_id");
	json_t *file;
	/* whoever may see the archive may see its certificates */
	if (records_archive_access(r, vid, &file) != 0)
		return -1;
	json_decref(file);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " CERT_COLUMNS " FROM certificates c JOIN orgs o ON o.id = c.org_id"
		" WHERE c.volunteer_id = $1 ORDER BY c.id DESC LIMIT 200");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_int(st, 1, vid);
	json_t *items = json_array();
	while (store_step(st) == STORE_ROW)
		json_array_append_new(items, cert_json(r, st));
	store_done(st);
	*out = json_pack("{so sn}", "items", items, "next_cursor");
	return 0;
}

struct revoke_ctx {
	struct app_req *r;
	const char *serial, *reason, *path;
	int64_t id, org_id;
};

static int revoke_tx(struct store *s, void *vctx)
{
	struct revoke_ctx *c = vctx;
	struct store_stmt *st = store_prepare(s,
		"UPDATE certificates SET status = 'revoked', revoked_at = $2, revoke_reason = $3"
		" WHERE serial = $1 AND status = 'valid' RETURNING id");
	if (!st)
		return STORE_ERROR;
	store_bind_text(st, 1, c->serial);
	store_bind_int(st, 2, app_now());
	store_bind_text(st, 3, c->reason);
	int rc = store_step(st);
	store_done(st);
	if (rc == STORE_DONE) {
		app_fail(c->r, APP_ECONFLICT, "already_revoked", NULL);
		return STORE_ERROR;
	}
	if (rc != STORE_ROW)
		return rc;
	json_t *detail = json_pack("{ss ss}", "serial", c->serial, "reason", c->reason);
	rc = audit_write(c->r, s, "certificate.revoke", "certificate", c->id, c->org_id, c->path, detail);
	json_decref(detail);
	return rc;
}

int certificates_revoke(struct app_req *r, const char *serial, json_t *in, json_t **out)
{
	struct store_stmt *st;
	struct revoke_ctx c = { .r = r, .serial = serial };
	if (load_cert(r, serial, true, &st) != 0)
		return -1;
	c.path = arena_strdup(r->arena, store_col_text(st, 19));
	c.id = store_col_int(st, 21);
	c.org_id = store_col_int(st, 22);
	store_done(st);
	if (in_text(r, in, "reason", true, 200, &c.reason) != 0)
		return -1;
	int rc = store_tx(r->store, revoke_tx, &c);
	if (rc != STORE_OK)
		return app_store_fail(r, rc);
	return certificates_get(r, serial, out);
}

static const char *id_type_label(const char *t)
{
	static const struct { const char *type, *label; } map[] = {
		{ "resident_id", "居民身份证" }, { "hk_macao_permit", "港澳居民来往内地通行证" },
		{ "taiwan_permit", "台湾居民来往大陆通行证" }, { "passport", "护照" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].type, t) == 0)
			return map[i].label;
	return t;
}

/* "2026-11-28" as "2026年11月28日". */
static const char *cn_date(struct app_req *r, const char *d)
{
	return arena_printf(r->arena, "%.4s年%.2s月%.2s日", d, d + 5, d + 8);
}

int certificates_pdf(struct app_req *r, const char *serial, const char *public_url,
		     unsigned char **pdf, size_t *len)
{
	struct store_stmt *st;
	if (!valid_public_url(public_url))
		return app_fail(r, APP_ECONFLICT, "public_url_required", NULL);
	if (load_cert(r, serial, false, &st) != 0)
		return -1;
	struct cert_data d = {
		.serial = arena_strdup(r->arena, store_col_text(st, 0)),
		.verify_code = arena_strdup(r->arena, store_col_text(st, 1)),
		.volunteer_number = arena_strdup(r->arena, store_col_text(st, 3)),
		.volunteer_name = arena_strdup(r->arena, store_col_text(st, 4)),
		.period = arena_printf(r->arena, "%s至%s", cn_date(r, store_col_text(st, 5)), cn_date(r, store_col_text(st, 6))),
		.hours = hours_text(r, store_col_int(st, 7)),
		.issuer = arena_strdup(r->arena, store_col_text(st, 8)),
		.issue_date = cn_date(r, store_col_text(st, 9)),
		.id_type_label = id_type_label(store_col_text(st, 12)),
		.id_number_masked = arena_strdup(r->arena, store_col_text(st, 13)),
		.content_summary = arena_strdup(r->arena, store_col_text(st, 14)),
		.person_in_charge = arena_strdup(r->arena, store_col_text(st, 15)),
		.handler = arena_strdup(r->arena, store_col_text(st, 16)),
		.contact = arena_strdup(r->arena, store_col_text(st, 17)),
		.notes = store_col_null(st, 18) ? NULL : arena_strdup(r->arena, store_col_text(st, 18)),
	};
	bool revoked = strcmp(store_col_text(st, 10), "revoked") == 0;
	store_done(st);
	if (revoked)
		d.notes = arena_printf(r->arena, "本证明已撤销。%s", d.notes ? d.notes : "");
	d.verify_url = arena_printf(r->arena, "%s/verify/%s?code=%s", public_url, d.serial, d.verify_code);
	char err[256];
	if (certpdf_render(&d, pdf, len, err, sizeof(err)) != 0) {
		r->err.detail = arena_strdup(r->arena, err);
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	}
	return 0;
}


int certificates_public(struct app_req *r, const char *serial, const char *code, json_t **out)
{
	if (!code || strlen(code) > 16 || strlen(serial) > 40)
		return app_fail(r, APP_ENOTFOUND, "not_found", NULL);
	struct store_stmt *st = store_prepare(r->store,
		"SELECT " CERT_COLUMNS " FROM certificates c JOIN orgs o ON o.id = c.org_id WHERE c.serial = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, serial);
	int rc = store_step(st);
	if (rc != STORE_ROW || !app_secret_equal(store_col_text(st, 1), code)) {
		store_done(st);
		return rc == STORE_ROW || rc == STORE_DONE ? app_fail(r, APP_ENOTFOUND, "not_found", NULL)
							   : app_store_fail(r, rc);
	}
	*out = json_pack("{ss ss ss ss ss ss ss ss ss so}",
		"serial", store_col_text(st, 0),
		"volunteer_name_masked", app_mask_name(r, store_col_text(st, 4)),
		"volunteer_number", store_col_text(st, 3),
		"from", store_col_text(st, 5),
		"to", store_col_text(st, 6),
		"hours", hours_text(r, store_col_int(st, 7)),
		"issuer", store_col_text(st, 8),
		"issued_on", store_col_text(st, 9),
		"status", store_col_text(st, 10),
		"revoked_at", store_col_null(st, 20) ? json_null() : json_string(app_iso(r, store_col_int(st, 20))));
	store_done(st);
	return 0;
}
