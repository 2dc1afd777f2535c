/* The menu and hotlines as an Open Referral HSDS 3.0 tabular data package:
 * datapackage.json (the Frictionless descriptor: each resource's fields,
 * primary and foreign keys) and one CSV per HSDS table, zipped. The
 * mapping is in docs/hsds.md: each shown sub-item is a service of the
 * publishing (root) organisation, delivered at its providers' locations
 * and through the hotlines that take it (hotlines are virtual locations
 * with their phone and hours); categories and items are an embedded
 * taxonomy, vulnerable groups the eligibility. Identifiers are UUIDs
 * derived from the district and the row's own id, so that an export
 * made again keeps them. The zip's member times are the menu's last
 * change: the same menu gives the same bytes. */
#include "app/menu/menudocs.h"
#include "app/menu/menudocs_int.h"
#include "util/arena.h"
#include "util/buf.h"
#include "core/chinatime.h"
#include "core/validate.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#define HSDS_MAX_CSV (32u << 20)     /* bytes of any one table */

/* The tables written, in the descriptor's order. Columns are "name:type"
 * (s string, n number, d date); opens_at and closes_at carry a UTC
 * offset ("08:30+08:00"), strings as the canonical HSDS schema has them as HSDS 3.0 names them. */
enum { T_ORG, T_SERVICE, T_LOCATION, T_SAL, T_PHONE, T_SCHEDULE, T_AREA, T_TAXONOMY, T_TERM, T_ATTR, T_COUNT };

static const struct {
	const char *name, *path, *cols;
	const char *fkeys;   /* "field>resource" separated by spaces */
} TABLES[T_COUNT] = {
	[T_ORG] = { "organization", "organizations.csv",
		"id:s name:s alternate_name:s description:s email:s website:s year_incorporated:n legal_status:s"
		" logo:s uri:s parent_organization_id:s", "parent_organization_id>organization" },
	[T_SERVICE] = { "service", "services.csv",
		"id:s organization_id:s program_id:s name:s alternate_name:s description:s url:s email:s status:s"
		" interpretation_services:s application_process:s fees_description:s accreditations:s"
		" eligibility_description:s minimum_age:n maximum_age:n assured_date:d assurer_email:s alert:s",
		"organization_id>organization" },
	[T_LOCATION] = { "location", "locations.csv",
		"id:s location_type:s url:s organization_id:s name:s alternate_name:s description:s"
		" transportation:s latitude:n longitude:n external_identifier:s external_identifier_type:s",
		"organization_id>organization" },
	[T_SAL] = { "service_at_location", "service_at_location.csv",
		"id:s service_id:s location_id:s description:s", "service_id>service location_id>location" },
	[T_PHONE] = { "phone", "phones.csv",
		"id:s location_id:s service_id:s organization_id:s contact_id:s service_at_location_id:s number:s"
		" extension:n type:s description:s", "location_id>location organization_id>organization" },
	[T_SCHEDULE] = { "schedule", "schedules.csv",
		"id:s service_id:s location_id:s service_at_location_id:s valid_from:d valid_to:d dtstart:d"
		" timezone:n until:d count:n wkst:s freq:s interval:n byday:s byweekno:s bymonthday:s byyearday:s"
		" description:s opens_at:s closes_at:s schedule_link:s attending_type:s notes:s",
		"service_id>service location_id>location" },
	[T_AREA] = { "service_area", "service_areas.csv",
		"id:s service_id:s name:s description:s extent:s extent_type:s uri:s", "service_id>service" },
	[T_TAXONOMY] = { "taxonomy", "taxonomies.csv", "id:s name:s description:s uri:s version:s", "" },
	[T_TERM] = { "taxonomy_term", "taxonomy_terms.csv",
		"id:s code:s name:s description:s parent_id:s taxonomy:s language:s taxonomy_id:s term_uri:s",
		"parent_id>taxonomy_term taxonomy_id>taxonomy" },
	[T_ATTR] = { "attribute", "attributes.csv",
		"id:s link_id:s taxonomy_term_id:s link_type:s link_entity:s value:s", "taxonomy_term_id>taxonomy_term" },
};

struct pkg {
	struct app_req *r;
	const struct md_menu *m;
	const char *ns;                  /* the district part of every identifier */
	const char *public_url;
	struct buf csv[T_COUNT];
	int ncols[T_COUNT];
	bool full;                       /* a table passed its limit */
};

/* A UUID (RFC 9562 version 8, "custom") made of the BLAKE2b digest of
 * "zhiyuan-hsds:<district>:<kind>:<a>:<b>", in r->arena. */
static const char *uuid_of(struct pkg *p, const char *kind, int64_t a, int64_t b)
{
	char name[160];
	snprintf(name, sizeof(name), "zhiyuan-hsds:%s:%s:%lld:%lld", p->ns, kind, (long long)a, (long long)b);
	unsigned char h[16];
	crypto_generichash(h, sizeof(h), (const unsigned char *)name, strlen(name), NULL, 0);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x80);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	return arena_printf(p->r->arena,
		"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]);
}

/* ---- CSV (RFC 4180: comma, CRLF, quotes only where needed) ---- */

static void cell(struct buf *b, const char *s, bool *full)
{
	if (!s)
		s = "";
	bool quote = strpbrk(s, ",\"\r\n") != NULL;
	int rc = 0;
	if (!quote) {
		rc = buf_puts(b, s);
	} else {
		rc |= buf_puts(b, "\"");
		for (const char *c = s; *c && rc == 0; c++)
			rc |= *c == '"' ? buf_puts(b, "\"\"") : buf_append(b, c, 1);
		rc |= buf_puts(b, "\"");
	}
	if (rc)
		*full = true;
}

/* One row of table t: exactly as many values as it has columns. */
static void row(struct pkg *p, int t, const char *const *v)
{
	for (int i = 0; i < p->ncols[t]; i++) {
		if (i > 0 && buf_puts(&p->csv[t], ",") != 0)
			p->full = true;
		cell(&p->csv[t], v[i], &p->full);
	}
	if (buf_puts(&p->csv[t], "\r\n") != 0)
		p->full = true;
}

static void header(struct pkg *p, int t)
{
	const char *c = TABLES[t].cols;
	int n = 0;
	while (*c) {
		const char *colon = strchr(c, ':');
		if (n > 0)
			buf_puts(&p->csv[t], ",");
		buf_append(&p->csv[t], c, (size_t)(colon - c));
		n++;
		c = colon + 2;
		while (*c == ' ')
			c++;
	}
	buf_puts(&p->csv[t], "\r\n");
	p->ncols[t] = n;
}

/* ---- values ---- */

static const char *num(struct pkg *p, int64_t v)
{
	return arena_printf(p->r->arena, "%lld", (long long)v);
}

/* "MO,TU,WE" of a weekday bit set (bit 0 Monday). */
static const char *byday(struct pkg *p, int weekdays)
{
	static const char *code[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };
	const char *s = "";
	for (int i = 0; i < 7; i++)
		if (weekdays & (1 << i))
			s = arena_printf(p->r->arena, "%s%s%s", s, *s ? "," : "", code[i]);
	return s;
}

/* Minutes after China midnight as "HH:MM+08:00"; the end of the day is
 * 23:59 (HSDS times are within a day). */
static const char *clock_at(struct pkg *p, int minutes)
{
	if (minutes >= 1440)
		minutes = 1439;
	if (minutes < 0)
		minutes = 0;
	return arena_printf(p->r->arena, "%02d:%02d+08:00", minutes / 60, minutes % 60);
}

/* A China date "YYYY-MM-DD" of unix seconds. */
static const char *china_date(struct pkg *p, int64_t t)
{
	int ymd = china_ymd(t);
	return arena_printf(p->r->arena, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static const char *kind_label(const char *kind)
{
	if (strcmp(kind, "federation") == 0)
		return "志愿服务联合会";
	if (strcmp(kind, "association") == 0)
		return "镇（街道）志愿服务协会";
	if (strcmp(kind, "team") == 0)
		return "志愿服务队";
	if (strcmp(kind, "station") == 0)
		return "村（社区）志愿服务工作站";
	return kind;
}

static void schedule_row(struct pkg *p, const char *id, const char *service_id, const char *location_id,
			 int weekdays, int from, int to)
{
	const char *v[] = { id, service_id, location_id, "", "", "", "", "8", "", "", "", "WEEKLY", "1",
		byday(p, weekdays), "", "", "", menudocs_when(p->r, weekdays, from, to),
		clock_at(p, from), clock_at(p, to), "", "", "" };
	row(p, T_SCHEDULE, v);
}

/* ---- the tables ---- */

static void write_orgs(struct pkg *p)
{
	const struct md_menu *m = p->m;
	for (size_t i = 0; i < m->n_orgs; i++) {
		const struct md_org *o = &m->orgs[i];
		const char *year = strlen(o->founded_on) >= 4 ? arena_strndup(p->r->arena, o->founded_on, 4) : "";
		const char *v[] = { uuid_of(p, "organization", o->id, 0), o->name, "", kind_label(o->kind), "", "",
			year, "", "", "", o->parent_id ? uuid_of(p, "organization", o->parent_id, 0) : "" };
		row(p, T_ORG, v);
	}
}

/* Whether org id provides some shown sub-item. */
static bool provides(const struct md_menu *m, int64_t id)
{
	for (size_t i = 0; i < m->n_items; i++)
		for (size_t j = 0; j < m->items[i].n_providers; j++)
			if (m->items[i].level == 3 && m->items[i].providers[j] == id)
				return true;
	return false;
}

static void write_locations(struct pkg *p)
{
	const struct md_menu *m = p->m;
	for (size_t i = 0; i < m->n_orgs; i++) {
		const struct md_org *o = &m->orgs[i];
		if (!provides(m, o->id))
			continue;
		const char *oid = uuid_of(p, "organization", o->id, 0);
		const char *v[] = { uuid_of(p, "location", o->id, 0), "physical", "", oid, o->name, "",
			o->address, "", "", "", o->region_code, *o->region_code ? "cn_region_code" : "" };
		row(p, T_LOCATION, v);
	}
	for (size_t h = 0; h < m->n_hotlines; h++) {
		const struct md_hotline *hl = &m->hotlines[h];
		const char *lid = uuid_of(p, "hotline", hl->id, 0);
		const char *oid = uuid_of(p, "organization", hl->org_id, 0);
		const char *desc = arena_printf(p->r->arena, "服务热线 %s", hl->number);
		const char *v[] = { lid, "virtual", "", oid, hl->name, "", desc, "", "", "", "", "" };
		row(p, T_LOCATION, v);
		const char *ph[] = { uuid_of(p, "phone", hl->id, 0), lid, "", oid, "", "", hl->number, "", "voice",
			hl->name };
		row(p, T_PHONE, ph);
		if (hl->weekdays & 127)
			schedule_row(p, uuid_of(p, "schedule-hotline", hl->id, 0), "", lid, hl->weekdays,
				     hl->day_from, hl->day_to);
	}
}

static const char *eligibility(struct pkg *p, const struct md_item *it)
{
	const char *s = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(it->groups, i, v) {
		if (!json_is_string(v))
			continue;
		const char *label = menudocs_group_label(json_string_value(v));
		s = s ? arena_printf(p->r->arena, "%s、%s", s, label) : label;
	}
	return s ? arena_printf(p->r->arena, "优先服务：%s", s) : "";
}

static void write_service(struct pkg *p, const struct md_item *it, const struct md_item *parent)
{
	const struct md_menu *m = p->m;
	const char *sid = uuid_of(p, "service", it->id, 0);
	const char *url = p->public_url && *p->public_url ?
		arena_printf(p->r->arena, "%s/menu/order/%lld", p->public_url, (long long)it->id) : "";
	const char *v[] = { sid, uuid_of(p, "organization", m->root_id, 0), "", it->name, "", it->description,
		url, "", "active", "",
		"在线点单或拨打受理该项目的服务热线；提供单位接单后派志愿者上门服务，服务后请评价。",
		"免费", "", eligibility(p, it), "", "", china_date(p, it->updated_at), "", "" };
	row(p, T_SERVICE, v);

	for (size_t j = 0; j < it->n_providers; j++) {
		const char *w[] = { uuid_of(p, "sal-provider", it->id, it->providers[j]), sid,
			uuid_of(p, "location", it->providers[j], 0), "提供单位" };
		row(p, T_SAL, w);
	}
	/* a hotline taking an item or a whole category takes its sub-items */
	for (size_t h = 0; h < m->n_hotlines; h++) {
		bool takes = false;
		for (size_t k = 0; k < m->hotlines[h].n_items; k++) {
			int64_t x = m->hotlines[h].items[k];
			takes |= x == it->id || (parent && (x == parent->id || x == parent->parent_id));
		}
		if (takes) {
			const char *w[] = { uuid_of(p, "sal-hotline", it->id, m->hotlines[h].id), sid,
				uuid_of(p, "hotline", m->hotlines[h].id, 0), "服务热线受理" };
			row(p, T_SAL, w);
		}
	}
	if (it->weekdays & 127)
		schedule_row(p, uuid_of(p, "schedule", it->id, 0), sid, "", it->weekdays, it->day_from, it->day_to);

	size_t i;
	json_t *r;
	size_t n = 0;
	json_array_foreach(it->regions, i, r) {
		if (!json_is_string(r))
			continue;
		const char *code = json_string_value(r);
		const char *name = menudocs_region_name(p->r, code);
		const char *w[] = { uuid_of(p, "area", it->id, (int64_t)i), sid, *name ? name : code,
			arena_printf(p->r->arena, "区划代码 %s", code), "", "", "" };
		row(p, T_AREA, w);
		n++;
	}
	if (n == 0) {   /* offered everywhere: the publisher's region */
		const struct md_org *root = menudocs_org(m, m->root_id);
		const char *code = root ? root->region_code : "";
		const char *name = menudocs_region_name(p->r, code);
		const char *w[] = { uuid_of(p, "area", it->id, 0), sid, *name ? name : code,
			arena_printf(p->r->arena, "区划代码 %s（全域）", code), "", "", "" };
		row(p, T_AREA, w);
	}

	if (parent) {
		const char *w[] = { uuid_of(p, "attribute-menu", it->id, 0), sid, uuid_of(p, "term-menu", parent->id, 0),
			"service_category", "service", "" };
		row(p, T_ATTR, w);
	}
	json_array_foreach(it->groups, i, r) {
		if (!json_is_string(r))
			continue;
		char kind[96];
		snprintf(kind, sizeof(kind), "term-group-%s", json_string_value(r));
		const char *w[] = { uuid_of(p, "attribute-group", it->id, (int64_t)i), sid, uuid_of(p, kind, 0, 0),
			"eligibility", "service", "" };
		row(p, T_ATTR, w);
	}
}


static void write_taxonomy(struct pkg *p)
{
	const struct md_menu *m = p->m;
	const char *menu_tax = uuid_of(p, "taxonomy", 1, 0), *group_tax = uuid_of(p, "taxonomy", 2, 0);
	const char *t1[] = { menu_tax, "志愿服务菜单", "本区志愿服务菜单的类别与项目（类别 → 项目）", "", "" };
	row(p, T_TAXONOMY, t1);
	for (size_t i = 0; i < m->n_items; i++) {
		const struct md_item *it = &m->items[i];
		if (it->level > 2)
			continue;
		const char *v[] = { uuid_of(p, "term-menu", it->id, 0), num(p, it->id), it->name,
			*it->description ? it->description : it->name,
			it->level == 2 ? uuid_of(p, "term-menu", it->parent_id, 0) : "", "志愿服务菜单", "zh",
			menu_tax, "" };
		row(p, T_TERM, v);
	}
	bool any = false;
	/* every group code that some sub-item names, in first-seen order */
	const char **seen = arena_alloc(p->r->arena, sizeof(char *) * 256);
	size_t n_seen = 0;
	for (size_t i = 0; i < m->n_items; i++) {
		size_t k;
		json_t *v;
		if (m->items[i].level != 3)
			continue;
		json_array_foreach(m->items[i].groups, k, v) {
			if (!json_is_string(v))
				continue;
			const char *code = json_string_value(v);
			bool dup = false;
			for (size_t s = 0; s < n_seen; s++)
				dup |= strcmp(seen[s], code) == 0;
			if (dup || n_seen == 256)
				continue;
			seen[n_seen++] = code;
			if (!any) {
				const char *t2[] = { group_tax, "服务对象", "志愿服务菜单优先服务的困难群体", "", "" };
				row(p, T_TAXONOMY, t2);
				any = true;
			}
			char kind[96];
			snprintf(kind, sizeof(kind), "term-group-%s", code);
			const char *label = menudocs_group_label(code);
			const char *w[] = { uuid_of(p, kind, 0, 0), code, label, label, "", "服务对象", "zh", group_tax, "" };
			row(p, T_TERM, w);
		}
	}
}

/* ---- the descriptor ---- */

static json_t *descriptor(struct pkg *p)
{
	const struct md_menu *m = p->m;
	const struct md_org *root = menudocs_org(m, m->root_id);
	json_t *res = json_array();
	for (int t = 0; t < T_COUNT; t++) {
		json_t *fields = json_array();
		const char *c = TABLES[t].cols;
		while (*c) {
			const char *colon = strchr(c, ':');
			const char *type = colon[1] == 'n' ? "number" : colon[1] == 'd' ? "date" : "string";
			json_t *f = json_pack("{s:s%, s:s}", "name", c, (size_t)(colon - c), "type", type);
			if (strncmp(c, "id:", 3) == 0)
				json_object_set_new(f, "constraints", json_pack("{s:b, s:b}", "required", 1, "unique", 1));
			json_array_append_new(fields, f);
			c = colon + 2;
			while (*c == ' ')
				c++;
		}
		json_t *fk = json_array();
		/* "field>resource field>resource" */
		for (const char *k = TABLES[t].fkeys; *k;) {
			const char *gt = strchr(k, '>'), *end = strchr(gt, ' ');
			if (!end)
				end = gt + strlen(gt);
			json_array_append_new(fk, json_pack("{s:s%, s:{s:s%, s:s}}", "fields", k, (size_t)(gt - k),
				"reference", "resource", gt + 1, (size_t)(end - gt - 1), "fields", "id"));
			k = *end ? end + 1 : end;
		}
		json_array_append_new(res, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:o, s:s, s:o}}",
			"name", TABLES[t].name, "path", TABLES[t].path, "profile", "tabular-data-resource",
			"format", "csv", "mediatype", "text/csv", "encoding", "utf-8",
			"schema", "fields", fields, "primaryKey", "id", "foreignKeys", fk));
	}
	const char *pub = root ? root->name : "";
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
		"name", "zhiyuan-service-menu",
		"title", arena_printf(p->r->arena, "%s志愿服务菜单与服务热线", pub),
		"description", "志愿服务菜单（类别、项目、服务子项）与服务热线，按 Open Referral 人类服务数据规范"
			       "（HSDS 3.0）表格数据包发布；字段对应见 docs/hsds.md。",
		"profile", "tabular-data-package",
		"hsds_version", "3.0",
		"created", app_iso(p->r, m->updated_at),
		"resources", res);
	if (d && p->public_url && *p->public_url)
		json_object_set_new(d, "homepage", json_string(arena_printf(p->r->arena, "%s/menu", p->public_url)));
	return d;
}

/* ---- the zip ---- */

static int add_member(zip_t *za, const char *name, const char *data, size_t len, time_t mtime)
{
	zip_source_t *src = zip_source_buffer(za, data, len, 0);
	if (!src)
		return -1;
	zip_int64_t idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
	if (idx < 0) {
		zip_source_free(src);
		return -1;
	}
	return zip_file_set_mtime(za, (zip_uint64_t)idx, mtime, 0) == 0 ? 0 : -1;
}

/* Zips the descriptor and the tables into a malloc'd block. */
static int zip_package(struct pkg *p, const char *desc, unsigned char **out, size_t *len)
{
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
	int rc = -1;
	if (!za) {
		if (mem)
			zip_source_free(mem);
		goto out;
	}
	zip_source_keep(mem);
	/* the menu's last change, as a time zip can hold (from 1980) */
	time_t mtime = p->m->updated_at > 315532800 ? (time_t)p->m->updated_at : 315532800;
	if (add_member(za, "datapackage.json", desc, strlen(desc), mtime) != 0)
		goto discard;
	for (int t = 0; t < T_COUNT; t++)
		if (add_member(za, TABLES[t].path, p->csv[t].data, p->csv[t].len, mtime) != 0)
			goto discard;
	if (zip_close(za) != 0)
		goto discard;
	zip_stat_t st;
	zip_stat_init(&st);
	if (zip_source_stat(mem, &st) != 0 || zip_source_open(mem) != 0)
		goto free_mem;
	*out = malloc(st.size ? st.size : 1);
	if (!*out)
		abort();
	zip_int64_t got = zip_source_read(mem, *out, st.size);
	zip_source_close(mem);
	if (got < 0 || (zip_uint64_t)got != st.size) {
		free(*out);
		*out = NULL;
		goto free_mem;
	}
	*len = (size_t)st.size;
	rc = 0;
	goto free_mem;
discard:
	zip_discard(za);
free_mem:
	zip_source_free(mem);
out:
	zip_error_fini(&ze);
	return rc;
}

int menudocs_hsds_zip(struct app_req *r, const char *public_url, unsigned char **zip, size_t *len)
{
	*zip = NULL;
	*len = 0;
	struct md_menu m;
	if (menudocs_read(r, &m) != 0)
		return -1;
	/* links only to an address people can reach */
	struct pkg p = { .r = r, .m = &m, .public_url = valid_public_url(public_url) ? public_url : NULL };
	const struct md_org *root = menudocs_org(&m, m.root_id);
	p.ns = root && *root->region_code ? root->region_code : "0";
	for (int t = 0; t < T_COUNT; t++) {
		buf_init(&p.csv[t], HSDS_MAX_CSV);
		header(&p, t);
	}
	write_orgs(&p);
	write_locations(&p);
	const struct md_item *parent = NULL;
	for (size_t i = 0; i < m.n_items; i++) {
		if (m.items[i].level == 2)
			parent = &m.items[i];
		else if (m.items[i].level == 3)
			write_service(&p, &m.items[i], parent);
	}
	write_taxonomy(&p);
	int rc = -1;
	json_t *d = descriptor(&p);
	char *desc = d ? json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(d);
	if (p.full) {
		rc = app_fail(r, APP_EINVALID, "too_many", NULL);
	} else if (!desc || zip_package(&p, desc, zip, len) != 0) {
		r->err.detail = "cannot write the zip";
		rc = app_fail(r, APP_EINTERNAL, "internal", NULL);
	} else {
		rc = 0;
	}
	free(desc);
	for (int t = 0; t < T_COUNT; t++)
		buf_release(&p.csv[t]);
	menudocs_release(&m);
	return rc;
}
