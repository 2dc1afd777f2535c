/* Spreadsheet imports of volunteers. Rows are validated by the same code
 * as a registration through the API (volunteers_import_one) and written
 * in batches, so a district's file of tens of thousands of people loads
 * in seconds while each bad row is reported with its row and column. */
#include "app/network/imports.h"
#include "app/kernel/kernel.h"
#include "app/network/volunteers.h"
#include "core/cursor.h"
#include "core/idcard.h"
#include "core/validate.h"
#include "util/arena.h"
#include "util/table.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 2000           /* rows per transaction */
#define REJECTED_MAX 1000    /* rows listed in a report; the count is always exact */

enum col {
	C_NAME, C_GENDER, C_BIRTH, C_ID_TYPE, C_ID, C_PHONE, C_REGION, C_SKILLS, C_CATS,
	C_TIME, C_EDU, C_EMPLOYER, C_EMERG_NAME, C_EMERG_PHONE, C_GUARD_NAME, C_GUARD_PHONE,
	C_COUNT
};

/* Header names accepted per column: the template's Chinese first. */
static const struct column_spec columns[C_COUNT] = {
	[C_NAME] = { "name", { "姓名", "name" }, true },
	[C_GENDER] = { "gender", { "性别", "gender" }, false },
	[C_BIRTH] = { "birth_date", { "出生日期", "birth_date" }, false },
	[C_ID_TYPE] = { "id_type", { "证件类型", "id_type" }, false },
	[C_ID] = { "id_number", { "证件号码", "身份证号", "身份证号码", "id_number" }, true },
	[C_PHONE] = { "phone", { "手机号", "手机号码", "联系电话", "phone" }, true },
	[C_REGION] = { "region_code", { "居住地区划代码", "区划代码", "region_code" }, false },
	[C_SKILLS] = { "skills", { "技能", "专业技能", "skills" }, false },
	[C_CATS] = { "service_categories", { "服务类别", "service_categories" }, false },
	[C_TIME] = { "available_time", { "可服务时间", "服务时间", "available_time" }, false },
	[C_EDU] = { "education", { "学历", "education" }, false },
	[C_EMPLOYER] = { "employer", { "工作单位", "employer" }, false },
	[C_EMERG_NAME] = { "emergency_contact", { "紧急联系人", "emergency_name" }, false },
	[C_EMERG_PHONE] = { "emergency_phone", { "紧急联系人电话", "emergency_phone" }, false },
	[C_GUARD_NAME] = { "guardian_name", { "监护人", "监护人姓名", "guardian_name" }, false },
	[C_GUARD_PHONE] = { "guardian_phone", { "监护人电话", "guardian_phone" }, false },
};

const char *imports_volunteer_template(void)
{
	return "\xef\xbb\xbf" "姓名,性别,出生日期,证件类型,证件号码,手机号,居住地区划代码,技能,服务类别,"
	       "可服务时间,学历,工作单位,紧急联系人,紧急联系人电话,监护人,监护人电话\r\n";
}

static const char *trim(struct app_req *r, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return arena_strndup(r->arena, s, n);
}

/* Splits "医疗、驾驶;摄影" into a JSON array. */
static json_t *split_tags(const char *s)
{
	json_t *a = json_array();
	static const char *const seps[] = { "、", "；", "，", ";", "|", NULL };
	char buf[TABLE_MAX_CELL + 1];
	snprintf(buf, sizeof(buf), "%s", s);
	/* every other separator becomes a comma, then split on commas */
	for (int k = 0; seps[k]; k++) {
		size_t l = strlen(seps[k]);
		for (char *p = strstr(buf, seps[k]); p; p = strstr(p + 1, seps[k])) {
			*p = ',';
			memmove(p + 1, p + l, strlen(p + l) + 1);
		}
	}
	for (char *p = buf; *p;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		while (*p == ' ')
			p++;
		size_t n = strlen(p);
		while (n && p[n - 1] == ' ')
			p[--n] = 0;
		if (*p)
			json_array_append_new(a, json_string(p));
		if (!comma)
			break;
		p = comma + 1;
	}
	return a;
}

static const char *id_type_of(const char *s)
{
	static const struct { const char *label, *type; } map[] = {
		{ "居民身份证", "resident_id" }, { "身份证", "resident_id" },
		{ "港澳居民来往内地通行证", "hk_macao_permit" }, { "港澳通行证", "hk_macao_permit" },
		{ "台湾居民来往大陆通行证", "taiwan_permit" }, { "台胞证", "taiwan_permit" },
		{ "护照", "passport" },
	};
	if (!*s)
		return "resident_id";
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(s, map[i].label) == 0)
			return map[i].type;
	return s;   /* an API name, or refused by validation */
}

static const char *gender_of(const char *s)
{
	if (strcmp(s, "男") == 0)
		return "male";
	if (strcmp(s, "女") == 0)
		return "female";
	return s;
}

/* A phone number as people type it into a spreadsheet ("138 0013 8000",
 * "138-0013-8000", "+86 13800138000", full-width spaces): the digits the
 * API expects. Other characters stay, so validation still refuses them.
 * keep_dash keeps dashes (landline contacts such as 028-82700000). */
static const char *phone_digits(struct app_req *r, const char *s, bool keep_dash)
{
	size_t n = strlen(s);
	char *out = arena_alloc(r->arena, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		const unsigned char *p = (const unsigned char *)s + i;
		if (*p == ' ' || *p == '\t' || (*p == '-' && !keep_dash)) {
			i++;
		} else if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) {          /* U+3000 ideographic space */
			i += 3;
		} else if (p[0] == 0xc2 && p[1] == 0xa0) {                          /* U+00A0 no-break space */
			i += 2;
		} else if (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x8d && !keep_dash) {   /* U+FF0D full-width dash */
			i += 3;
		} else {
			out[k++] = s[i++];
		}
	}
	out[k] = 0;
	/* the country code in front of an 11-digit mobile number */
	if (!keep_dash && k == 14 && strncmp(out, "+86", 3) == 0)
		return out + 3;
	if (!keep_dash && k == 15 && strncmp(out, "0086", 4) == 0)
		return out + 4;
	return out;
}

/* Whether an ID number cell is what Excel makes of a long number typed
 * into a General or Number cell: scientific notation ("5.10115E+17", or
 * the full "5.1011519900101197E+17" an XLSX stores), or 18 digits whose
 * last three became 000 (Excel keeps 15 significant digits) and whose
 * check character no longer fits. Such a number cannot be recovered. */
static bool excel_number(const char *s)
{
	size_t n = strlen(s), i = 0;
	if (n >= 4 && s[0] >= '1' && s[0] <= '9') {
		i = 1;
		if (s[i] == '.')
			for (i++; s[i] >= '0' && s[i] <= '9'; i++)
				;
		if ((s[i] == 'E' || s[i] == 'e') && s[i + 1] == '+' && s[i + 2] >= '0' && s[i + 2] <= '9') {
			for (i += 2; s[i] >= '0' && s[i] <= '9'; i++)
				;
			if (!s[i])
				return true;
		}
	}
	if (n != 18 || strcmp(s + 15, "000") != 0)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return id_validate(ID_RESIDENT, s, 99991231, NULL) == ID_ECHECKSUM;
}

/* A row refused before validation: what is wrong in which field. */
struct row_problem {
	const char *code, *field;
};

/* A row as the body of POST /volunteers. */
static json_t *row_json(struct app_req *r, const char *const *cells, size_t n, const int *idx,
			const char *default_region, struct row_problem *problem)
{
	const char *v[C_COUNT];
	for (int c = 0; c < C_COUNT; c++)
		v[c] = idx[c] >= 0 && (size_t)idx[c] < n ? trim(r, cells[idx[c]]) : "";
	v[C_PHONE] = phone_digits(r, v[C_PHONE], false);
	v[C_EMERG_PHONE] = phone_digits(r, v[C_EMERG_PHONE], true);
	v[C_GUARD_PHONE] = phone_digits(r, v[C_GUARD_PHONE], true);
	*problem = (struct row_problem){ NULL, NULL };
	if (excel_number(v[C_ID]))
		*problem = (struct row_problem){ "id_excel_number", "id_number" };
	json_t *o = json_pack("{ss ss ss ss ss s{sb ss}}",
		"name", v[C_NAME], "id_type", id_type_of(v[C_ID_TYPE]), "id_number", v[C_ID],
		"phone", v[C_PHONE], "region_code", *v[C_REGION] ? v[C_REGION] : default_region,
		"consent", "sensitive", 1, "notice_version", "import");
	if (*v[C_GENDER])
		json_object_set_new(o, "gender", json_string(gender_of(v[C_GENDER])));
	if (*v[C_BIRTH])
		json_object_set_new(o, "birth_date", json_string(v[C_BIRTH]));
	if (*v[C_SKILLS])
		json_object_set_new(o, "skills", split_tags(v[C_SKILLS]));
	if (*v[C_CATS])
		json_object_set_new(o, "service_categories", split_tags(v[C_CATS]));
	if (*v[C_TIME])
		json_object_set_new(o, "available_time", json_string(v[C_TIME]));
	if (*v[C_EDU])
		json_object_set_new(o, "education", json_string(v[C_EDU]));
	if (*v[C_EMPLOYER])
		json_object_set_new(o, "employer", json_string(v[C_EMPLOYER]));
	if (*v[C_EMERG_NAME] || *v[C_EMERG_PHONE])
		json_object_set_new(o, "emergency_contact", json_pack("{ss ss}", "name", v[C_EMERG_NAME],
								       "phone", v[C_EMERG_PHONE]));
	/* a guardian named on the paper form has signed it */
	if (*v[C_GUARD_NAME] || *v[C_GUARD_PHONE])
		json_object_set_new(o, "guardian", json_pack("{ss ss sb}", "name", v[C_GUARD_NAME],
							      "phone", v[C_GUARD_PHONE], "consent", 1));
	return o;
}

/* Which column a field error points at, for the report: the column of
 * the spreadsheet (C_COUNT when none). */
static int column_of(const char *field)
{
	static const struct { const char *field; int col; } map[] = {
		{ "name", C_NAME }, { "gender", C_GENDER }, { "birth_date", C_BIRTH },
		{ "id_type", C_ID_TYPE }, { "id_number", C_ID }, { "phone", C_PHONE },
		{ "region_code", C_REGION }, { "skills", C_SKILLS },
		{ "service_categories", C_CATS }, { "available_time", C_TIME },
		{ "education", C_EDU }, { "employer", C_EMPLOYER },
		{ "emergency_contact", C_EMERG_PHONE }, { "guardian", C_GUARD_NAME },
	};
	for (size_t i = 0; field && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(field, map[i].field) == 0)
			return map[i].col;
	return C_COUNT;
}

/* The spreadsheet's letters of a 0-based column: A … Z, AA … */
static void column_letter(int i, char out[8])
{
	char tmp[8];
	int k = 0;
	for (i++; i > 0 && k < 7; i = (i - 1) / 26)
		tmp[k++] = (char)('A' + (i - 1) % 26);
	for (int j = 0; j < k; j++)
		out[j] = tmp[k - 1 - j];
	out[k] = 0;
}

/* A rejected row of the report: {"row","column","column_letter","code"}
 * (column is the template's header, column_letter where it is in this
 * file). Messages are added in the reader's language by the HTTP layer. */
static json_t *rejection(json_int_t rowno, const char *field, const char *code, const int *idx)
{
	int c = column_of(field);
	json_t *e = json_pack("{sI ss* ss}", "row", rowno, "column", c < C_COUNT ? columns[c].names[0] : field,
			      "code", code);
	if (c < C_COUNT && idx[c] >= 0) {
		char letter[8];
		column_letter(idx[c], letter);
		json_object_set_new(e, "column_letter", json_string(letter));
	}
	return e;
}

struct batch_ctx {
	struct app_req *r;
	int64_t org_id;
	const char *org_path, *org_region;
	const int *idx;      /* the file's column of each C_ */
	json_t *rows;        /* [[rowno, body], …] or [rowno, null, code, field] */
	json_t *rejected;
	int64_t imported, unchanged, rejected_count;
};

static int batch_tx(struct store *s, void *vctx)
{
	struct batch_ctx *c = vctx;
	size_t i;
	json_t *pair;
	int64_t imported = 0, unchanged = 0, bad = 0;
	json_t *rejected = json_array();
	json_array_foreach(c->rows, i, pair) {
		memset(&c->r->err, 0, sizeof(c->r->err));
		json_int_t rowno = json_integer_value(json_array_get(pair, 0));
		if (json_is_null(json_array_get(pair, 1))) {
			bad++;
			json_array_append_new(rejected, rejection(rowno, json_string_value(json_array_get(pair, 3)),
				json_string_value(json_array_get(pair, 2)), c->idx));
			continue;
		}
		int rc = volunteers_import_one(c->r, s, json_array_get(pair, 1), c->org_id, c->org_path,
					       c->org_region);
		if (rc == 0) {
			imported++;
		} else if (rc == 1) {
			unchanged++;
		} else if (c->r->err.status == APP_EINVALID || c->r->err.status == APP_EBADREQ) {
			bad++;
			const char *code = c->r->err.code, *field = c->r->err.field;
			/* a mobile number of the wrong length is refused by the
			 * API as too long; in a spreadsheet say what a mobile
			 * number must look like */
			if (field && strcmp(field, "phone") == 0 &&
			    (strcmp(code, "too_long") == 0 || strcmp(code, "invalid_text") == 0))
				code = "invalid_phone";
			json_array_append_new(rejected, rejection(rowno, field, code, c->idx));
		} else {
			json_decref(rejected);
			return STORE_ERROR;   /* the store failed: the batch rolls back */
		}
	}
	memset(&c->r->err, 0, sizeof(c->r->err));
	c->imported += imported;
	c->unchanged += unchanged;
	c->rejected_count += bad;
	json_array_extend(c->rejected, rejected);
	json_decref(rejected);
	return STORE_OK;
}

static int flush(struct batch_ctx *c)
{
	if (json_array_size(c->rows) == 0)
		return 0;
	int rc = store_tx(c->r->store, batch_tx, c);
	json_array_clear(c->rows);
	return rc == STORE_OK ? 0 : app_store_fail(c->r, rc);
}

struct record_ctx {
	struct app_req *r;
	const char *sha, *org_path;
	int64_t org_id;
	json_t *report;
};

static int record_tx(struct store *s, void *vctx)
{
	struct record_ctx *c = vctx;
	char *text = json_dumps(c->report, JSON_COMPACT);
	struct store_stmt *st = store_prepare(s,
		"INSERT INTO imports (kind, sha256, org_id, actor_id, created_at, report)"
		" VALUES ('volunteers', $1, $2, $3, $4, $5) RETURNING id");
	if (!st) {
		free(text);
		return STORE_ERROR;
	}
	store_bind_text(st, 1, c->sha);
	store_bind_int(st, 2, c->org_id);
	store_bind_int(st, 3, c->r->who->user_id);
	store_bind_int(st, 4, app_now());
	store_bind_text(st, 5, text);
	int rc = store_step(st);
	free(text);   /* after the step: bound text is not copied */
	int64_t id = rc == STORE_ROW ? store_col_int(st, 0) : 0;
	store_done(st);
	if (rc != STORE_ROW)
		return rc;
	json_t *detail = json_pack("{sO sO sO ss}", "imported", json_object_get(c->report, "imported"),
		"unchanged", json_object_get(c->report, "unchanged"),
		"rejected", json_object_get(c->report, "rejected_count"), "sha256", c->sha);
	rc = audit_write(c->r, s, "import.volunteers", "import", id, c->org_id, c->org_path, detail);
	json_decref(detail);
	return rc;
}

int imports_volunteers(struct app_req *r, const char *org_s, const void *data, size_t len, json_t **out)
{
	int64_t org_id;
	const char *path, *region;
	if (authz_check(r, AUTHZ_VOLUNTEERS_WRITE, NULL) != 0)
		return -1;
	if (!org_s)
		return app_fail(r, APP_EINVALID, "required", "org_id");
	if (parse_id(org_s, &org_id) != 0)
		return app_fail(r, APP_EBADREQ, "invalid_id", "org_id");
	/* one read for the whole file: every row goes to this organisation */
	struct org_ref org;
	if (org_target(r, r->store, org_id, AUTHZ_VOLUNTEERS_WRITE, true, &org) != 0)
		return -1;
	path = org.path;
	region = org.region;
	struct store_stmt *st;
	int rc;
	if (len == 0)
		return app_fail(r, APP_EBADREQ, "body_required", NULL);

	unsigned char h[crypto_hash_sha256_BYTES];
	char sha[crypto_hash_sha256_BYTES * 2 + 1];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(sha, sizeof(sha), h, sizeof(h));
	bool seen = false;
	st = store_prepare(r->store, "SELECT 1 FROM imports WHERE kind = 'volunteers' AND sha256 = $1");
	if (!st)
		return app_store_fail(r, STORE_ERROR);
	store_bind_text(st, 1, sha);
	seen = store_step(st) == STORE_ROW;
	store_done(st);

	char err[256];
	struct table *t;
	if (table_open(data, len, &t, err, sizeof(err)) != 0) {
		r->err.detail = arena_strdup(r->arena, err);
		return app_fail(r, APP_EINVALID, "unreadable_file", "file");
	}
	static const char *const formats[] = { "csv-utf8", "csv-gb18030", "xlsx" };
	const char *format = formats[table_format(t)];
	const char *const *cells;
	size_t n, rowno;
	int idx[C_COUNT];
	int ret = -1;
	struct batch_ctx c = { .r = r, .org_id = org_id, .org_path = path, .org_region = region, .idx = idx,
			       .rows = json_array(), .rejected = json_array() };
	int64_t total = 0;
	rc = table_next(t, &cells, &n, &rowno);
	if (rc <= 0) {
		if (rc < 0)
			r->err.detail = arena_strdup(r->arena, table_error(t));
		app_fail(r, APP_EINVALID, rc < 0 ? "unreadable_file" : "empty_file", "file");
		goto out;
	}
	if (app_map_columns(r, cells, n, columns, C_COUNT, idx) != 0)
		goto out;
	while ((rc = table_next(t, &cells, &n, &rowno)) == 1) {
		total++;
		struct row_problem problem;
		json_t *body = row_json(r, cells, n, idx, region, &problem);
		if (problem.code) {
			json_decref(body);
			json_array_append_new(c.rows, json_pack("[I n s s]", (json_int_t)rowno, problem.code, problem.field));
		} else {
			json_array_append_new(c.rows, json_pack("[I o]", (json_int_t)rowno, body));
		}
		if (json_array_size(c.rows) >= BATCH && flush(&c) != 0)
			goto out;
	}
	if (rc < 0) {
		/* rows so far stay imported; the report says where reading stopped */
		json_array_append_new(c.rejected, json_pack("{sI ss ss}", "row", (json_int_t)(rowno + 1),
			"code", "unreadable_row", "message", table_error(t)));
		c.rejected_count++;
	}
	if (flush(&c) != 0)
		goto out;
	while (json_array_size(c.rejected) > REJECTED_MAX)
		json_array_remove(c.rejected, REJECTED_MAX);
	json_t *report = json_pack("{ss ss sI sI sI sI sb so}", "file_sha256", sha, "format", format,
		"total_rows", (json_int_t)total, "imported", (json_int_t)c.imported,
		"unchanged", (json_int_t)c.unchanged, "rejected_count", (json_int_t)c.rejected_count,
		"already_imported", seen, "rejected", json_incref(c.rejected));
	struct record_ctx rec = { r, sha, path, org_id, report };
	rc = store_tx(r->store, record_tx, &rec);
	if (rc != STORE_OK) {
		json_decref(report);
		app_store_fail(r, rc);
		goto out;
	}
	*out = report;
	ret = 0;
out:
	json_decref(c.rows);
	json_decref(c.rejected);
	table_free(t);
	return ret;
}
