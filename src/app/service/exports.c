/* Exports for people: a CSV of a volunteer's service archive that opens
 * in Excel as a clerk expects it — UTF-8 with a BOM, China time, and the
 * words the console shows (已通过, 优秀) instead of enum values. */
#include "app/service/exports.h"
#include "app/kernel/kernel.h"
#include "app/service/records.h"
#include "app/service/service_int.h"
#include "util/arena.h"
#include "core/chinatime.h"
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* The one table of words for values in exports, as the console's locale
 * files say them (recStatus.*, quality.*). */
static const struct {
	const char *vocabulary, *value, *zh, *en;
} labels[] = {
	{ "record_status", "submitted", "待审核", "Awaiting approval" },
	{ "record_status", "approved", "已通过", "Approved" },
	{ "record_status", "rejected", "已驳回", "Rejected" },
	{ "quality", "excellent", "优秀", "Excellent" },
	{ "quality", "good", "良好", "Good" },
	{ "quality", "pass", "合格", "Pass" },
	{ "quality", "fail", "不合格", "Fail" },
};

const char *export_label(const char *vocabulary, const char *value, enum export_lang lang)
{
	if (!value)
		return NULL;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].vocabulary, vocabulary) == 0 && strcmp(labels[i].value, value) == 0)
			return lang == EXPORT_EN ? labels[i].en : labels[i].zh;
	return value;
}

void export_csv_cell(struct buf *b, const char *s, bool last)
{
	s = s ? s : "";
	/* a leading TAB or CR is skipped by spreadsheets before they look for
	 * a formula, so it is guarded too */
	bool formula = *s && strchr("=+-@\t\r", *s) != NULL;
	if (formula || strpbrk(s, ",\"\r\n")) {
		buf_puts(b, formula ? "\"'" : "\"");
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				buf_puts(b, "\"");
			buf_append(b, p, 1);
		}
		buf_puts(b, "\"");
	} else {
		buf_puts(b, s);
	}
	buf_puts(b, last ? "\r\n" : ",");
}

void export_csv_int(struct buf *b, int64_t v, bool last)
{
	char num[24];
	snprintf(num, sizeof(num), "%lld", (long long)v);
	buf_puts(b, num);
	buf_puts(b, last ? "\r\n" : ",");
}

enum col_kind { COL_TEXT, COL_TIME, COL_LABEL };

static const struct {
	const char *field, *zh, *en;
	enum col_kind kind;
	const char *vocabulary;
} archive_cols[] = {
	{ "id", "记录编号", "Record no.", COL_TEXT, NULL },
	{ "activity_name", "活动", "Activity", COL_TEXT, NULL },
	{ "starts_at", "开始时间", "Start (China time)", COL_TIME, NULL },
	{ "ends_at", "结束时间", "End (China time)", COL_TIME, NULL },
	{ "minutes", "登记时长(分钟)", "Minutes entered", COL_TEXT, NULL },
	{ "effective_minutes", "有效时长(分钟)", "Minutes counted", COL_TEXT, NULL },
	{ "status", "状态", "Status", COL_LABEL, "record_status" },
	{ "quality", "服务质量", "Quality", COL_LABEL, "quality" },
	{ "beneficiary", "服务对象", "Beneficiary", COL_TEXT, NULL },
	{ "place", "地点", "Place", COL_TEXT, NULL },
	{ "content", "内容", "Content", COL_TEXT, NULL },
	{ "amends_id", "更正的记录", "Corrects record no.", COL_TEXT, NULL },
};
#define ARCHIVE_COLS (sizeof(archive_cols) / sizeof(archive_cols[0]))

struct archive_csv {
	struct buf *out;
	enum export_lang lang;
	int col[ARCHIVE_COLS];   /* each column's record member (REC_COLUMNS); -1: effective_minutes */
	char kind[ARCHIVE_COLS];
};

/* One record of the archive as a CSV line, read from its row as the JSON
 * archive reads it (record_member) and turned into what a clerk reads. */
static void archive_row(void *vctx, struct app_req *r, struct store_stmt *st, int64_t effective)
{
	struct archive_csv *x = vctx;
	for (size_t c = 0; c < ARCHIVE_COLS; c++) {
		int col = x->col[c];
		bool last = c + 1 == ARCHIVE_COLS;
		char num[32];
		if (col < 0) {
			export_csv_int(x->out, effective, last);
			continue;
		}
		const char *text = NULL;
		if (store_col_null(st, col)) {
			text = NULL;
		} else if (x->kind[c] == 'i') {
			/* numbers the server keeps (ids, minutes) stay numbers */
			export_csv_int(x->out, store_col_int(st, col), last);
			continue;
		} else if (archive_cols[c].kind == COL_TIME) {
			/* straight from the stored seconds, to the minute */
			china_format_minute(store_col_int(st, col), num, sizeof(num));
			text = num;
		} else if (x->kind[c] == 't') {
			text = app_iso(r, store_col_int(st, col));
		} else {
			text = store_col_text(st, col);
		}
		if (archive_cols[c].kind == COL_LABEL) {
			text = export_label(archive_cols[c].vocabulary, text, x->lang);
		}
		export_csv_cell(x->out, text, last);
	}
}

int exports_archive_csv(struct app_req *r, int64_t volunteer_id, enum export_lang lang, struct buf *out)
{
	struct archive_csv x = { .out = out, .lang = lang };
	for (size_t c = 0; c < ARCHIVE_COLS; c++) {
		x.col[c] = strcmp(archive_cols[c].field, "effective_minutes") == 0 ? -1
			: record_member(archive_cols[c].field, &x.kind[c]);
		/* every other column is a member of a record's reading */
		assert(x.col[c] >= 0 || strcmp(archive_cols[c].field, "effective_minutes") == 0);
		/* China-time columns are stored seconds */
		assert(archive_cols[c].kind != COL_TIME || x.kind[c] == 't');
	}
	/* the header goes out only once access is known: the rows' reader
	 * checks it before its first row */
	size_t mark = out->len;
	buf_puts(out, "\xef\xbb\xbf");
	for (size_t c = 0; c < ARCHIVE_COLS; c++)
		export_csv_cell(out, lang == EXPORT_EN ? archive_cols[c].en : archive_cols[c].zh, c + 1 == ARCHIVE_COLS);
	if (records_archive_rows(r, volunteer_id, archive_row, &x) != 0) {
		out->len = mark;
		if (out->data)
			out->data[mark] = 0;
		return -1;
	}
	return 0;
}
