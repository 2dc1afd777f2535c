/* Synthetic district generator: deterministic, so two runs give the same
 * people, and fast enough to load ten districts in minutes. */
#include "app/setup/demo.h"
#include "app/service/service.h"
#include "app/network/network.h"
#include "app/kernel/kernel.h"
#include "app/bank/bank.h"
#include "app/menu/menu.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdlib.h>
#include <string.h>

static const char *const surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
	"郭", "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "欧阳", "司马",
};
static const char *const given[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
	"明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "文", "建", "兰",
	"鑫", "宇", "浩", "欣", "怡", "晨", "佳", "琪", "博", "睿",
};
static const char *const skills[] = { "医疗", "法律", "心理", "教育", "驾驶", "摄影", "外语", "计算机", "急救", "维修" };
static const char *const categories[] = { "社会公益", "社会建设", "社会治理", "社会援助", "扶老助残", "关爱儿童",
					  "环境保护", "文明劝导", "应急救援", "文化体育" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A small deterministic generator (splitmix64): same input, same person. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Person i: a resident ID that is valid and unique for i < 20 million
 * (20,000 birth dates × 1,000 sequence numbers), never a real one in
 * practice because the people are generated, not collected. */
static void person_id(int64_t i, char out[19], char birth[16])
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	/* born 1950-01-01 plus up to 20,000 days (into 2004): all adults */
	int64_t day = i % 20000, seq = (i / 20000) % 1000;
	/* civil date from a day count (H. Hinnant's algorithm); 1950-01-01 is
	 * 7,305 days before the Unix epoch */
	int64_t z = day - 7305 + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	unsigned uy = (unsigned)y % 10000, um = (unsigned)m % 100, ud = (unsigned)d % 100;
	snprintf(birth, 16, "%04u-%02u-%02u", uy, um, ud);
	char body[24];
	snprintf(body, sizeof(body), "510115%04u%02u%02u%03u", uy, um, ud, (unsigned)seq % 1000);
	int s = 0;
	for (int k = 0; k < 17; k++)
		s += (body[k] - '0') * w[k];
	memcpy(out, body, 17);
	out[17] = check[s % 11];
	out[18] = 0;
}

static void person_name(int64_t i, char *out, size_t n)
{
	uint64_t h = mix((uint64_t)i);
	const char *s = surnames[h % N(surnames)];
	const char *g1 = given[(h >> 8) % N(given)];
	if ((h >> 16) % 3 == 0)
		snprintf(out, n, "%s%s", s, g1);
	else
		snprintf(out, n, "%s%s%s", s, g1, given[(h >> 24) % N(given)]);
}

static void person_tags(uint64_t h, const char *const *list, size_t count, char *out, size_t n)
{
	out[0] = 0;
	int k = (int)(h % 3);
	for (int j = 0; j < k; j++) {
		const char *t = list[(h >> (8 * (j + 1))) % count];
		if (strstr(out, t))
			continue;
		snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? "、" : "", t);
	}
}

int demo_write_csv(FILE *out, int64_t first, int64_t count)
{
	/* residents of the district's communities and villages, as shipped */
	static char homes[REGIONS_PUBLIC_MAX][13];
	size_t nhomes = regions_builtin_codes("510115", 5, homes, REGIONS_PUBLIC_MAX);
	if (!nhomes)
		return -1;
	fputs(imports_volunteer_template() + 3, out);   /* without the BOM */
	struct buf b;
	buf_init(&b, 4096);
	for (int64_t i = first; i < first + count; i++) {
		char id[19], birth[16], name[32], sk[96], ca[96];
		uint64_t h = mix((uint64_t)i * 7 + 1);
		person_id(i, id, birth);
		person_name(i, name, sizeof(name));
		person_tags(h, skills, N(skills), sk, sizeof(sk));
		person_tags(h >> 3, categories, N(categories), ca, sizeof(ca));
		char phone[16];
		snprintf(phone, sizeof(phone), "13%09lld", (long long)(i % 1000000000));
		/* through the one CSV writer (exports.h), like every CSV we write */
		const char *cells[16] = { name, "", "", "居民身份证", id, phone, homes[(h >> 20) % nhomes], sk, ca,
					  "周末", "", "", "", "", "", "" };
		b.len = 0;
		for (size_t c = 0; c < 16; c++)
			export_csv_cell(&b, cells[c], c == 15);
		fwrite(b.data, 1, b.len, out);
	}
	buf_release(&b);
	return ferror(out) ? -1 : 0;
}

/* The associations: the district's streets and towns. */
static const struct { const char *name, *code; } towns[11] = {
	{ "柳城街道志愿服务协会", "510115001000" }, { "公平街道志愿服务协会", "510115002000" },
	{ "涌泉街道志愿服务协会", "510115003000" }, { "天府街道志愿服务协会", "510115004000" },
	{ "金马街道志愿服务协会", "510115005000" }, { "永宁街道志愿服务协会", "510115006000" },
	{ "和盛镇志愿服务协会", "510115101000" }, { "万春镇志愿服务协会", "510115105000" },
	{ "寿安镇志愿服务协会", "510115106000" }, { "海峡科技园志愿服务协会", "510115400000" },
	{ "农业科技园志愿服务协会", "510115401000" },
};
static const char *const professions[] = { "医疗", "法律", "心理", "应急救援", "教育", "文化", "科技", "环保" };

static int64_t make_org(struct app_req *r, const char *name, const char *kind, int64_t parent,
			const char *region, bool professional)
{
	json_t *in = json_pack("{ss ss sI ss sb}", "name", name, "kind", kind, "parent_id",
			       (json_int_t)parent, "region_code", region, "professional", professional);
	json_t *out = NULL;
	int rc = orgs_create(r, in, &out);
	json_decref(in);
	int64_t id = rc == 0 ? json_integer_value(json_object_get(out, "id")) : -1;
	json_decref(out);
	return id;
}

#define DEMO_PER_ACTIVITY 50

struct demo_records {
	struct app_req *r;
	const int64_t *vol, *home;   /* volunteers and their home organisations */
	size_t nvol;
	int64_t user, first_activity, activities, total_activities, base;
};

/* The region code of an organisation (demo organisations all have one). */
static const char *org_region(struct app_req *r, struct store *s, int64_t org)
{
	struct org_ref o;
	return org_fetch(r, s, org, &o) == STORE_ROW ? o.region : "510115";
}

static int demo_records_tx(struct store *s, void *vctx)
{
	struct demo_records *c = vctx;
	static const char *const quality[] = { "good", "excellent", "good", "pass", "good", "excellent" };
	static const char *const content[] = { "陪伴独居老人聊天、打扫卫生", "社区环境清洁与垃圾分类宣传", "文明交通劝导",
					       "为辖区儿童辅导作业", "义诊与健康咨询", "防汛应急值守" };
	for (int64_t k = c->first_activity; k < c->first_activity + c->activities; k++) {
		size_t at = (size_t)(k * DEMO_PER_ACTIVITY) % c->nvol;
		int64_t org = c->home[at];
		const char *region = org_region(c->r, s, org);
		/* oldest first, so the chain runs in the order things happened */
		int64_t start = c->base - (c->total_activities - k) * 3 * 3600, end = start + 2 * 3600;
		uint64_t h = mix((uint64_t)k);
		const char *cat = categories[h % N(categories)], *what = content[(h >> 8) % N(content)];
		char name[96];
		snprintf(name, sizeof(name), "%s志愿服务活动（第%lld期）", cat, (long long)k + 1);
		struct activity_new act = {
			.org_id = org, .name = name, .starts_at = start, .ends_at = end, .place = "温江区",
			.content = what, .leader = "王老师", .category = cat, .region = region, .created_by = c->user,
			.created_at = end + 86400,
		};
		int rc = activity_insert(s, &act);
		if (rc != STORE_OK)
			return rc;
		for (int j = 0; j < DEMO_PER_ACTIVITY && (size_t)j < c->nvol; j++) {
			uint64_t hj = mix(h + (uint64_t)j);
			/* approved a day after entry: joins the chain and the totals */
			struct record_new n = {
				.activity_id = act.id, .volunteer_id = c->vol[(at + (size_t)j) % c->nvol], .org_id = org,
				.starts_at = start, .ends_at = end, .minutes = 60 + 30 * (int64_t)(hj % 3),
				.place = "温江区", .beneficiary = "社区居民", .has_count = true,
				.beneficiary_count = 1 + (int64_t)(hj >> 8) % 40, .content = what,
				.quality = quality[(hj >> 16) % N(quality)], .source = "recorder", .recorder_id = c->user,
				.approver_id = c->user, .decided_at = end + 2 * 86400, .created_at = end + 86400,
				.category = cat, .rules = RECORD_REFUSE,
			};
			if ((rc = record_insert(c->r, s, &n)) != STORE_OK)
				return rc;
		}
	}
	return STORE_OK;
}

/* count approved records on activities of 50 volunteers each. */
static int demo_records(struct app_req *r, int64_t count, FILE *progress)
{
	struct demo_records c = { .r = r };
	int64_t *vol = NULL, *home = NULL;
	size_t cap = 0;
	int rc = -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT min(id) FROM users");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	if (store_step(st) == STORE_ROW)
		c.user = store_col_int(st, 0);
	store_done(st);
	st = store_prepare(r->store, "SELECT id, home_org_id FROM volunteers ORDER BY id");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	while (store_step(st) == STORE_ROW) {
		if (c.nvol == cap) {
			cap = cap ? 2 * cap : 4096;
			int64_t *v2 = realloc(vol, cap * sizeof(*vol)), *h2 = v2 ? realloc(home, cap * sizeof(*home)) : NULL;
			if (!v2 || !h2)
				abort();
			vol = v2;
			home = h2;
		}
		vol[c.nvol] = store_col_int(st, 0);
		home[c.nvol++] = store_col_int(st, 1);
	}
	store_done(st);
	if (!c.nvol || !c.user) {
		rc = 0;   /* nobody to record */
		goto done;
	}
	c.vol = vol;
	c.home = home;
	c.total_activities = (count + DEMO_PER_ACTIVITY - 1) / DEMO_PER_ACTIVITY;
	c.base = app_now() - 30 * 86400;
	/* 100 activities (5,000 records) per transaction */
	for (c.first_activity = 0; c.first_activity < c.total_activities; c.first_activity += 100) {
		c.activities = c.total_activities - c.first_activity < 100 ? c.total_activities - c.first_activity : 100;
		int t = store_tx(r->store, demo_records_tx, &c);
		if (t != STORE_OK) {
			app_store_fail(r, t);
			goto done;
		}
		if (progress && ((c.first_activity + c.activities) % 2000 == 0 || c.first_activity + c.activities == c.total_activities))
			fprintf(progress, "service records: %lld of %lld\n",
				(long long)((c.first_activity + c.activities) * DEMO_PER_ACTIVITY), (long long)(c.total_activities * DEMO_PER_ACTIVITY));
	}
	rc = 0;
done:
	free(vol);
	free(home);
	return rc;
}

int demo_load(struct app_req *r, int scale, int64_t people, int64_t records, FILE *progress)
{
	int64_t root;
	struct store_stmt *st = store_prepare(r->store, "SELECT count(*) FROM orgs");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	int64_t norgs = store_step(st) == STORE_ROW ? store_col_int(st, 0) : -1;
	store_done(st);
	if (norgs != 1)
		return app_fail(r, APP_ECONFLICT, "demo_needs_empty", NULL);
	if (app_root_org(r, &root) != 0)
		return -1;
	int64_t assoc[11], stations[114], teams[204];
	size_t nst = 0, nteam = 0;
	char name[128], code[13];
	for (int a = 0; a < 11; a++)
		if ((assoc[a] = make_org(r, towns[a].name, "association", root, towns[a].code, false)) < 0)
			return -1;
	/* each workstation serves one of its town's shipped communities */
	static char places[11][16][13];
	size_t nplaces[11];
	for (int a = 0; a < 11; a++) {
		char prefix[10];
		snprintf(prefix, sizeof(prefix), "%.9s", towns[a].code);
		nplaces[a] = regions_builtin_codes(prefix, 5, places[a], 16);
	}
	for (int s = 0; s < 114; s++) {
		int a = s % 11;
		snprintf(name, sizeof(name), "%.*s第%d社区志愿服务工作站", (int)(strlen(towns[a].name) - strlen("志愿服务协会")),
			 towns[a].name, s / 11 + 1);
		if (nplaces[a])
			snprintf(code, sizeof(code), "%s", places[a][(size_t)(s / 11) % nplaces[a]]);
		else
			snprintf(code, sizeof(code), "%.9s%03d", towns[a].code, s / 11 + 1);
		if ((stations[nst++] = make_org(r, name, "station", assoc[a], code, false)) < 0)
			return -1;
	}
	/* 39 professional teams at district level, then department teams,
	 * town teams and community teams: 204 in all */
	for (int t = 0; t < 204; t++) {
		bool pro = t < 39;
		int64_t parent = root;
		const char *region = "510115";
		if (pro)
			snprintf(name, sizeof(name), "%s专业志愿服务队（%d）", professions[t % N(professions)], t / (int)N(professions) + 1);
		else if (t < 80)
			snprintf(name, sizeof(name), "区级部门志愿服务队%d", t - 38);
		else if (t < 140) {
			int a = t % 11;
			parent = assoc[a];
			region = towns[a].code;
			snprintf(name, sizeof(name), "%.*s志愿服务队%d", (int)(strlen(towns[a].name) - strlen("志愿服务协会")),
				 towns[a].name, (t - 80) / 11 + 1);
		} else {
			parent = stations[t % 114];
			region = towns[(t % 114) % 11].code;
			snprintf(name, sizeof(name), "社区志愿服务队%d", t - 139);
		}
		if ((teams[nteam++] = make_org(r, name, "team", parent, region, pro)) < 0)
			return -1;
	}
	for (int g = 0; g < 9; g++) {
		snprintf(name, sizeof(name), "温江区社会工作服务中心%d", g + 1);
		if (make_org(r, name, "social_work_agency", root, "510115", false) < 0)
			return -1;
	}
	if (progress)
		fprintf(progress, "organisations: 1 federation, 11 associations, 114 stations, 204 teams (39 professional), 9 agencies\n");
	/* regions and household population of the district and its towns (the
	 * project's estimate, see data/regions), as a new installation loads
	 * them at first start; scaled with the district */
	int seeded = 0;
	if (regions_seed(r, &seeded) != 0)
		return -1;
	if (scale > 1) {
		int prc = regions_population_scale(r->store, scale);
		if (prc != STORE_OK)
			return app_store_fail(r, prc);
	}

	/* the example service menu (data/menu/): its providers and hotlines
	 * name the associations, professional teams and social-work centres
	 * made above */
	json_t *menu = NULL;
	if (menu_load_example(r, &menu) != 0)
		return -1;
	if (progress)
		fprintf(progress, "service menu: %lld items, %lld hotlines\n",
			(long long)json_integer_value(json_object_get(menu, "items_created")),
			(long long)json_integer_value(json_object_get(menu, "hotlines_created")));
	json_decref(menu);

	/* volunteers: most belong to workstations, the rest to teams */
	int64_t total = people ? people : (int64_t)DEMO_VOLUNTEERS * scale, done = 0;
	const int64_t chunk = 20000;
	size_t homes = nst + nteam;
	for (int64_t first = 0; first < total; first += chunk) {
		int64_t count = total - first < chunk ? total - first : chunk;
		/* each chunk goes to a few homes, as an import per organisation would */
		for (int part = 0; part < 4; part++) {
			int64_t from = first + count * part / 4, n = count * (part + 1) / 4 - count * part / 4;
			size_t k = (size_t)((first / chunk) * 4 + part) % homes;
			int64_t home = k < nst ? stations[k] : teams[k - nst];
			char *buf = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&buf, &len);
			if (!mem)
				abort();
			demo_write_csv(mem, from, n);
			fclose(mem);
			json_t *report = NULL;
			char org[24];
			snprintf(org, sizeof(org), "%lld", (long long)home);
			int rc = imports_volunteers(r, org, buf, len, &report);
			free(buf);
			if (rc != 0)
				return -1;
			done += json_integer_value(json_object_get(report, "imported"));
			json_decref(report);
		}
		if (progress)
			fprintf(progress, "volunteers: %lld of %lld\n", (long long)done, (long long)total);
	}
	return records > 0 ? demo_records(r, records, progress) : 0;
}

struct demo_moves {
	struct app_req *r;
	const int64_t *vol, *acct;   /* volunteers and their accounts */
	size_t nvol;
	int64_t first, count, adj, root;
};

static int demo_moves_tx(struct store *s, void *vctx)
{
	struct demo_moves *c = vctx;
	for (int64_t i = c->first; i < c->first + c->count; i++) {
		/* each volunteer gets 5, then gives 3 back, and so on */
		size_t k = (size_t)(i / 2) % c->nvol;
		int64_t v = c->vol[k], acct = c->acct[k];
		int rc;
		bool grant = i % 2 == 0;
		struct point_move m = { .from = grant ? c->adj : acct, .to = grant ? acct : c->adj, .amount = grant ? 5 : 3,
					.cause = "adjust", .reason = grant ? "演示发放" : "演示扣减", .volunteer_id = v,
					.org_id = c->root };
		if ((rc = points_move(s, &m)) != STORE_OK)
			return rc;
	}
	return STORE_OK;
}

int demo_movements(struct app_req *r, int64_t count, FILE *progress)
{
	struct demo_moves c = { .r = r };
	int64_t *vol = NULL, *acct = NULL;
	size_t cap = 0;
	if (app_root_org(r, &c.root) != 0)
		return -1;
	struct store_stmt *st = store_prepare(r->store, "SELECT id FROM volunteers ORDER BY id LIMIT 100000");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	while (store_step(st) == STORE_ROW) {
		if (c.nvol == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(vol = realloc(vol, cap * sizeof(*vol))) || !(acct = realloc(acct, cap * sizeof(*acct))))
				abort();
		}
		vol[c.nvol++] = store_col_int(st, 0);
	}
	store_done(st);
	int rc = 0;
	if (!c.nvol)
		goto done;
	c.vol = vol;
	c.acct = acct;
	if (points_account(r->store, "adjustment", c.root, &c.adj) != STORE_OK) {
		rc = app_store_fail(r, STORE_ERROR);
		goto done;
	}
	for (size_t k = 0; k < c.nvol; k++)
		if (points_account(r->store, "volunteer", vol[k], &acct[k]) != STORE_OK) {
			rc = app_store_fail(r, STORE_ERROR);
			goto done;
		}
	for (c.first = 0; c.first < count; c.first += 20000) {
		c.count = count - c.first < 20000 ? count - c.first : 20000;
		int t = store_tx(r->store, demo_moves_tx, &c);
		if (t != STORE_OK) {
			rc = app_store_fail(r, t);
			goto done;
		}
		if (progress && ((c.first + c.count) % 1000000 == 0 || c.first + c.count == count))
			fprintf(progress, "ledger movements: %lld of %lld\n", (long long)(c.first + c.count), (long long)count);
	}
done:
	free(vol);
	free(acct);
	return rc;
}
