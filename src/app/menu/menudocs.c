/* The published menu read once for the documents made of it (the
 * handbook PDF here, the HSDS package in hsds.c): active entries whose
 * parents are active too, in the menu's order, their providers, active
 * hotlines and the sub-items they take, and the organisations named with
 * their ancestors (so that parent links in the export resolve). Reads
 * only; catalog.c writes these tables. */
#include "app/menu/menudocs.h"
#include "app/menu/menudocs_int.h"
#include "util/arena.h"
#include "util/handbookpdf.h"
#include "core/validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *dup_col(struct app_req *r, struct store_stmt *st, int col)
{
	return store_col_null(st, col) ? "" : arena_strdup(r->arena, store_col_text(st, col));
}

/* A stored JSON array of strings; an unreadable one reads as empty. */
static json_t *array_col(struct store_stmt *st, int col)
{
	json_t *a = store_col_null(st, col) ? NULL : json_loads(store_col_text(st, col), 0, NULL);
	if (!json_is_array(a)) {
		json_decref(a);
		a = json_array();
	}
	return a;
}

void menudocs_release(struct md_menu *m)
{
	for (size_t i = 0; i < m->n_items; i++) {
		json_decref(m->items[i].skills);
		json_decref(m->items[i].certificates);
		json_decref(m->items[i].regions);
		json_decref(m->items[i].groups);
	}
	m->n_items = 0;
}

const struct md_item *menudocs_item(const struct md_menu *m, int64_t id)
{
	for (size_t i = 0; i < m->n_items; i++)
		if (m->items[i].id == id)
			return &m->items[i];
	return NULL;
}

const struct md_org *menudocs_org(const struct md_menu *m, int64_t id)
{
	for (size_t i = 0; i < m->n_orgs; i++)
		if (m->orgs[i].id == id)
			return &m->orgs[i];
	return NULL;
}

/* ---- reading ---- */

/* Every active entry, by level then position: the tree is put in reading
 * order afterwards (an entry under a retired one is left out). */
static int read_items(struct app_req *r, struct md_item **out, size_t *n)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, parent_id, level, name, description, skills, certificates, regions,"
		" vulnerable_groups, duration_minutes, weekdays, day_from, day_to, needs_social_worker,"
		" updated_at FROM menu_items WHERE status = 'active' ORDER BY level, position, id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	struct md_item *v = arena_alloc(r->arena, sizeof(*v) * MENUDOCS_MAX_ITEMS);
	size_t k = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (k == MENUDOCS_MAX_ITEMS) {
			store_done(st);
			for (size_t i = 0; i < k; i++) {
				json_decref(v[i].skills);
				json_decref(v[i].certificates);
				json_decref(v[i].regions);
				json_decref(v[i].groups);
			}
			return app_fail(r, APP_EINVALID, "too_many", NULL);
		}
		v[k] = (struct md_item){
			.id = store_col_int(st, 0),
			.parent_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1),
			.level = (int)store_col_int(st, 2),
			.name = dup_col(r, st, 3), .description = dup_col(r, st, 4),
			.skills = array_col(st, 5), .certificates = array_col(st, 6),
			.regions = array_col(st, 7), .groups = array_col(st, 8),
			.duration = store_col_null(st, 9) ? 0 : store_col_int(st, 9),
			.weekdays = (int)store_col_int(st, 10),
			.day_from = (int)store_col_int(st, 11), .day_to = (int)store_col_int(st, 12),
			.social_worker = store_col_int(st, 13) != 0,
			.updated_at = store_col_int(st, 14),
		};
		k++;
	}
	store_done(st);
	*out = v;
	*n = k;
	if (rc != STORE_DONE) {
		struct md_menu tmp = { .items = v, .n_items = k };
		menudocs_release(&tmp);
		*n = 0;
		return app_store_fail(r, rc);
	}
	return 0;
}

/* Appends src[i]'s children (by level order, so already by position) and
 * their children after it. */
static void put_tree(struct md_item *src, size_t n, bool *used, int64_t parent, int level,
		     struct md_item *dst, size_t *k)
{
	for (size_t i = 0; i < n; i++) {
		if (used[i] || src[i].level != level || src[i].parent_id != parent)
			continue;
		used[i] = true;
		dst[(*k)++] = src[i];
		if (level < 3)
			put_tree(src, n, used, src[i].id, level + 1, dst, k);
	}
}

static int read_links(struct app_req *r, const char *sql, int64_t **a, int64_t **b, size_t *n)
{
	struct store_stmt *st = store_prepare(r->store, sql);
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	*a = arena_alloc(r->arena, sizeof(int64_t) * MENUDOCS_MAX_LINKS);
	*b = arena_alloc(r->arena, sizeof(int64_t) * MENUDOCS_MAX_LINKS);
	size_t k = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (k == MENUDOCS_MAX_LINKS) {
			store_done(st);
			return app_fail(r, APP_EINVALID, "too_many", NULL);
		}
		(*a)[k] = store_col_int(st, 0);
		(*b)[k] = store_col_int(st, 1);
		k++;
	}
	store_done(st);
	*n = k;
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

static int read_hotlines(struct app_req *r, struct md_menu *m)
{
	struct store_stmt *st = store_prepare(r->store,
		"SELECT id, org_id, number, name, weekdays, day_from, day_to, updated_at"
		" FROM menu_hotlines WHERE status = 'active' ORDER BY id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	m->hotlines = arena_alloc(r->arena, sizeof(*m->hotlines) * MENUDOCS_MAX_HOTLINES);
	m->n_hotlines = 0;
	int rc;
	while ((rc = store_step(st)) == STORE_ROW) {
		if (m->n_hotlines == MENUDOCS_MAX_HOTLINES) {
			store_done(st);
			return app_fail(r, APP_EINVALID, "too_many", NULL);
		}
		m->hotlines[m->n_hotlines++] = (struct md_hotline){
			.id = store_col_int(st, 0), .org_id = store_col_int(st, 1),
			.number = dup_col(r, st, 2), .name = dup_col(r, st, 3),
			.weekdays = (int)store_col_int(st, 4),
			.day_from = (int)store_col_int(st, 5), .day_to = (int)store_col_int(st, 6),
			.updated_at = store_col_int(st, 7),
		};
	}
	store_done(st);
	return rc == STORE_DONE ? 0 : app_store_fail(r, rc);
}

/* Reads organisation id into m->orgs unless it is there; then its
 * parent, up to the root. */
static int need_org(struct app_req *r, struct md_menu *m, size_t cap, int64_t id)
{
	while (id > 0 && !menudocs_org(m, id)) {
		if (m->n_orgs == cap)
			return app_fail(r, APP_EINVALID, "too_many", NULL);
		struct store_stmt *st = store_prepare_once(r->store,
			"SELECT id, parent_id, name, kind, region_code, address, founded_on FROM orgs WHERE id = $1");
		if (!st)
			return app_store_fail(r, STORE_ERROR);
		store_bind_id(st, 1, id);
		int rc = store_step(st);
		if (rc != STORE_ROW) {
			store_done(st);
			if (rc == STORE_DONE)
				return 0;   /* a reference to nothing: nothing to add */
			return app_store_fail(r, rc);
		}
		struct md_org *o = &m->orgs[m->n_orgs++];
		*o = (struct md_org){
			.id = store_col_int(st, 0),
			.parent_id = store_col_null(st, 1) ? 0 : store_col_int(st, 1),
			.name = dup_col(r, st, 2), .kind = dup_col(r, st, 3),
			.region_code = dup_col(r, st, 4), .address = dup_col(r, st, 5),
			.founded_on = dup_col(r, st, 6),
		};
		store_done(st);
		id = o->parent_id;
	}
	return 0;
}

static int read_all(struct app_req *r, struct md_menu *m)
{
	struct md_item *raw = NULL;
	size_t n = 0;
	if (read_items(r, &raw, &n) != 0)
		return -1;
	bool *used = arena_alloc(r->arena, n + 1);
	memset(used, 0, n + 1);
	m->items = arena_alloc(r->arena, sizeof(*m->items) * (n + 1));
	m->n_items = 0;
	put_tree(raw, n, used, 0, 1, m->items, &m->n_items);
	for (size_t i = 0; i < n; i++)      /* under a retired entry: not shown */
		if (!used[i]) {
			json_decref(raw[i].skills);
			json_decref(raw[i].certificates);
			json_decref(raw[i].regions);
			json_decref(raw[i].groups);
		}

	int64_t *a, *b;
	size_t nl;
	if (read_links(r, "SELECT item_id, org_id FROM menu_item_providers ORDER BY item_id, org_id",
		       &a, &b, &nl) != 0)
		return -1;
	for (size_t i = 0; i < m->n_items; i++) {
		struct md_item *it = &m->items[i];
		it->providers = arena_alloc(r->arena, sizeof(int64_t) * (nl + 1));
		for (size_t j = 0; j < nl; j++)
			if (a[j] == it->id)
				it->providers[it->n_providers++] = b[j];
	}

	if (read_hotlines(r, m) != 0 ||
	    read_links(r, "SELECT hotline_id, item_id FROM menu_hotline_items ORDER BY hotline_id, item_id",
		       &a, &b, &nl) != 0)
		return -1;
	for (size_t h = 0; h < m->n_hotlines; h++) {
		struct md_hotline *hl = &m->hotlines[h];
		hl->items = arena_alloc(r->arena, sizeof(int64_t) * (nl + 1));
		/* in menu order, shown sub-items only */
		for (size_t i = 0; i < m->n_items; i++)
			for (size_t j = 0; j < nl; j++)
				if (a[j] == hl->id && b[j] == m->items[i].id)
					hl->items[hl->n_items++] = b[j];
	}

	if (app_root_org(r, &m->root_id) != 0)
		return -1;
	size_t cap = 64 + m->n_hotlines * 8;
	for (size_t i = 0; i < m->n_items; i++)
		cap += m->items[i].n_providers * 8;
	m->orgs = arena_alloc(r->arena, sizeof(*m->orgs) * cap);
	m->n_orgs = 0;
	if (need_org(r, m, cap, m->root_id) != 0)
		return -1;
	for (size_t i = 0; i < m->n_items; i++)
		for (size_t j = 0; j < m->items[i].n_providers; j++)
			if (need_org(r, m, cap, m->items[i].providers[j]) != 0)
				return -1;
	for (size_t h = 0; h < m->n_hotlines; h++)
		if (need_org(r, m, cap, m->hotlines[h].org_id) != 0)
			return -1;

	for (size_t i = 0; i < m->n_items; i++) {
		const struct md_item *it = &m->items[i];
		if (it->updated_at > m->updated_at)
			m->updated_at = it->updated_at;
		m->n_categories += it->level == 1;
		m->n_entries2 += it->level == 2;
		m->n_sub += it->level == 3;
	}
	for (size_t h = 0; h < m->n_hotlines; h++)
		if (m->hotlines[h].updated_at > m->updated_at)
			m->updated_at = m->hotlines[h].updated_at;
	return 0;
}

int menudocs_read(struct app_req *r, struct md_menu *m)
{
	memset(m, 0, sizeof(*m));
	if (read_all(r, m) != 0) {
		menudocs_release(m);
		return -1;
	}
	return 0;
}

/* ---- words ---- */

const char *menudocs_region_name(struct app_req *r, const char *code)
{
	struct store_stmt *st = store_prepare_once(r->store, "SELECT name FROM regions WHERE code = $1");
	if (!st)
		return "";
	/* a 6-digit GB/T 2260 code names the same place as its 12-digit form */
	char full[16];
	snprintf(full, sizeof(full), "%s000000", code);
	store_bind_text(st, 1, strlen(code) == 6 ? full : code);
	const char *name = store_step(st) == STORE_ROW ? dup_col(r, st, 0) : "";
	store_done(st);
	return name;
}

const char *menudocs_when(struct app_req *r, int weekdays, int day_from, int day_to)
{
	static const char *day[] = { "一", "二", "三", "四", "五", "六", "日" };
	weekdays &= 127;
	const char *days;
	if (weekdays == 127)
		days = "每天";
	else if (weekdays == 31)
		days = "周一至周五";
	else if (weekdays == 96)
		days = "周六、周日";
	else if (weekdays == 0)
		days = "暂停";
	else {
		days = "周";
		bool first = true;
		for (int i = 0; i < 7; i++)
			if (weekdays & (1 << i)) {
				days = arena_printf(r->arena, "%s%s%s", days, first ? "" : "、", day[i]);
				first = false;
			}
	}
	if (day_from <= 0 && day_to >= 1440)
		return arena_printf(r->arena, "%s 全天", days);
	return arena_printf(r->arena, "%s %02d:%02d–%02d:%02d", days, day_from / 60, day_from % 60,
			    day_to / 60, day_to % 60);
}

const char *menudocs_group_label(const char *code)
{
	static const struct { const char *code, *label; } map[] = {
		{ "elderly_alone", "独居老人" }, { "elderly", "老年人" }, { "disabled", "残疾人" },
		{ "left_behind_children", "留守儿童" }, { "low_income", "困难家庭" },
		{ "seriously_ill", "重病患者" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].code, code) == 0)
			return map[i].label;
	return code;
}

/* ---- the handbook ---- */

/* The strings of a JSON array joined with "、", mapped through label
 * when given; NULL when the array is empty. */
static const char *joined(struct app_req *r, json_t *a, const char *(*label)(const char *))
{
	const char *s = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			continue;
		const char *t = label ? label(json_string_value(v)) : json_string_value(v);
		s = s ? arena_printf(r->arena, "%s、%s", s, t) : t;
	}
	return s;
}

static const char *org_name(const struct md_menu *m, int64_t id)
{
	const struct md_org *o = menudocs_org(m, id);
	return o ? o->name : "";
}

/* "标签：值" lines of a sub-item. */
static const char *item_facts(struct app_req *r, const struct md_menu *m, const struct md_item *it)
{
	const char *f = arena_printf(r->arena, "服务时间：%s",
				     menudocs_when(r, it->weekdays, it->day_from, it->day_to));
	if (it->duration > 0)
		f = arena_printf(r->arena, "%s\n服务时长：约 %lld 分钟", f, (long long)it->duration);
	const char *where = NULL;
	size_t i;
	json_t *v;
	json_array_foreach(it->regions, i, v) {
		if (!json_is_string(v))
			continue;
		const char *name = menudocs_region_name(r, json_string_value(v));
		if (!*name)
			name = json_string_value(v);
		where = where ? arena_printf(r->arena, "%s、%s", where, name) : name;
	}
	f = arena_printf(r->arena, "%s\n服务范围：%s", f, where ? where : "全区");
	const char *groups = joined(r, it->groups, menudocs_group_label);
	if (groups)
		f = arena_printf(r->arena, "%s\n服务对象：%s", f, groups);
	const char *prov = NULL;
	for (size_t j = 0; j < it->n_providers; j++) {
		const char *name = org_name(m, it->providers[j]);
		prov = prov ? arena_printf(r->arena, "%s、%s", prov, name) : name;
	}
	if (prov)
		f = arena_printf(r->arena, "%s\n提供单位：%s", f, prov);
	const char *skills = joined(r, it->skills, NULL);
	const char *certs = joined(r, it->certificates, NULL);
	if (skills || certs)
		f = arena_printf(r->arena, "%s\n志愿者要求：%s%s%s", f, skills ? skills : "",
				 skills && certs ? "；持" : certs ? "持" : "", certs ? certs : "");
	if (it->social_worker)
		f = arena_printf(r->arena, "%s\n需社会工作者参与", f);
	return f;
}

static const char *hotline_facts(struct app_req *r, const struct md_menu *m, const struct md_hotline *h)
{
	const char *f = arena_printf(r->arena, "接听单位：%s　　服务时间：%s", org_name(m, h->org_id),
				     menudocs_when(r, h->weekdays, h->day_from, h->day_to));
	const char *items = NULL;
	for (size_t i = 0; i < h->n_items; i++) {
		const struct md_item *it = menudocs_item(m, h->items[i]);
		if (!it)
			continue;
		items = items ? arena_printf(r->arena, "%s、%s", items, it->name) : it->name;
	}
	if (items)
		f = arena_printf(r->arena, "%s\n受理项目：%s", f, items);
	return f;
}

/* Text as the PDF accepts it: control characters become spaces (line
 * breaks too unless multiline), so that one odd row cannot stop the whole
 * handbook; in r->arena. */
static const char *clean(struct app_req *r, const char *s, bool multiline)
{
	if (!s)
		return NULL;
	char *c = arena_strdup(r->arena, s);
	for (char *p = c; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if ((ch < 0x20 && !(multiline && ch == '\n')) || ch == 0x7f)
			*p = ' ';
	}
	return c;
}

/* 429 too_many_downloads past 20 handbooks in 15 minutes from one address. */
#define HANDBOOK_FREE 20

int menudocs_handbook_pdf(struct app_req *r, const char *public_url, unsigned char **pdf, size_t *len)
{
	*pdf = NULL;
	*len = 0;
	const char *key = arena_printf(r->arena, "handbook:%s", r->client_addr ? r->client_addr : "-");
	if (app_throttle_take(r, key, HANDBOOK_FREE, 30, 900, "too_many_downloads") != 0)
		return -1;
	struct md_menu m;
	if (menudocs_read(r, &m) != 0)
		return -1;
	struct hb_entry *e = arena_alloc(r->arena, sizeof(*e) * (m.n_items + 1));
	for (size_t i = 0; i < m.n_items; i++) {
		const struct md_item *it = &m.items[i];
		e[i] = (struct hb_entry){ .level = it->level, .title = clean(r, it->name, false),
			.description = clean(r, it->description, true),
			.facts = it->level == 3 ? clean(r, item_facts(r, &m, it), true) : NULL };
	}
	struct hb_hotline *h = arena_alloc(r->arena, sizeof(*h) * (m.n_hotlines + 1));
	for (size_t i = 0; i < m.n_hotlines; i++)
		h[i] = (struct hb_hotline){ .number = clean(r, m.hotlines[i].number, false),
			.name = clean(r, m.hotlines[i].name, false),
			.facts = clean(r, hotline_facts(r, &m, &m.hotlines[i]), true) };
	const char *today = app_today(r);
	struct hb_doc d = {
		.title = "志愿服务手册",
		.publisher = clean(r, org_name(&m, m.root_id), false),
		.edition = arena_printf(r->arena, "%.4s年%.2s月版", today, today + 5),
		.summary = arena_printf(r->arena, "%d 类 %d 项 %d 个服务子项 · %zu 条服务热线",
					m.n_categories, m.n_entries2, m.n_sub, m.n_hotlines),
		.preface = "本手册汇集本区志愿服务菜单与服务热线。居民可拨打热线或在线“点菜”下单，"
			   "由提供单位接单、派出志愿者上门服务，服务完成后请为本次服务评价。"
			   "志愿服务免费提供，服务对象的个人信息依法予以保护。",
		.entries = e, .n_entries = m.n_items,
		.hotlines = h, .n_hotlines = m.n_hotlines,
		/* a loopback or unset address would send residents nowhere */
		.menu_url = valid_public_url(public_url) ? arena_printf(r->arena, "%s/menu", public_url) : NULL,
	};
	if (!*d.publisher)
		d.publisher = "志愿服务联合会";
	char err[256];
	int rc = handbookpdf_render(&d, pdf, len, NULL, err, sizeof(err));
	menudocs_release(&m);
	if (rc != 0) {
		r->err.detail = arena_strdup(r->arena, err);
		return app_fail(r, APP_EINTERNAL, "internal", NULL);
	}
	return 0;
}
