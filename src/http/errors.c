/* The one mapping from errors to HTTP: status codes for app statuses and
 * the zh-CN / en message of every error code. */
#include "http/internal.h"
#include "util/arena.h"
#include <string.h>

static const struct {
	const char *code, *zh, *en;
} messages[] = {
	{ "invalid_json", "请求体不是有效的 JSON 对象", "request body is not a valid JSON object" },
	{ "body_required", "缺少请求体", "request body is missing" },
	{ "body_too_large", "请求体过大", "request body is too large" },
	{ "ambiguous_framing", "请求的长度信息互相矛盾（多个 Content-Length，或同时有 Transfer-Encoding 和 Content-Length）",
	  "the request's length is ambiguous (several Content-Length headers, or Transfer-Encoding with Content-Length)" },
	{ "too_deep", "JSON 嵌套层数过多", "JSON nesting is too deep" },
	{ "value_too_large", "JSON 中的字符串或数组过长", "a JSON string or array is too long" },
	{ "unsupported_media_type", "请求体须为 application/json", "request body must be application/json" },
	{ "wrong_type", "字段类型错误", "field has the wrong type" },
	{ "required", "缺少必填字段", "required field is missing" },
	{ "too_long", "字段内容过长", "field is too long" },
	{ "invalid_text", "字段含有无效字符", "field contains invalid characters" },
	{ "invalid_value", "字段值无效", "field value is invalid" },
	{ "invalid_id", "编号无效", "id is invalid" },
	{ "invalid_limit", "每页条数须为 1 到 200", "limit must be between 1 and 200" },
	{ "invalid_cursor", "分页游标无效", "cursor is invalid" },
	{ "invalid_username", "用户名须为 3–32 位字母、数字、下划线、点或连字符，并以字母开头",
	  "username must be 3-32 letters, digits, '_', '.' or '-', starting with a letter" },
	{ "invalid_phone", "手机号须为以 1 开头的 11 位数字，如 13800138000；请检查是否多了或少了数字、混入了字母或其他符号",
	  "a mobile number is 11 digits starting with 1, e.g. 13800138000: check for missing or extra digits, letters or other signs" },
	{ "weak_password", "密码长度须为 8–256 个字符", "password must be 8-256 characters long" },
	{ "weak_password.length", "密码长度须为 8–256 个字符", "password must be 8-256 characters long" },
	{ "weak_password.common", "密码太常见（常用密码或字典单词），请换一个不易猜到的密码", "password is too common (a well-known password or a dictionary word): choose one that is hard to guess" },
	{ "weak_password.simple", "密码太简单（如连续、重复或对称的字符），请换一个不易猜到的密码", "password is too simple (sequences, repeats or mirrored characters): choose one that is hard to guess" },
	{ "wrong_password", "原密码错误", "current password is wrong" },
	{ "invalid_role", "角色无效", "role is invalid" },
	{ "invalid_status", "状态须为 active 或 disabled", "status must be active or disabled" },
	{ "invalid_region_code", "行政区划代码须为 6 位或 12 位数字", "region code must be 6 or 12 digits" },
	{ "invalid_org_kind", "组织类型无效", "organisation kind is invalid" },
	{ "invalid_parent_kind", "该类型的组织不能设在此上级组织下", "this kind of organisation cannot sit under that parent" },
	{ "parent_not_found", "上级组织不存在", "parent organisation does not exist" },
	{ "parent_inactive", "上级组织未处于正常状态", "parent organisation is not active" },
	{ "professional_only_teams", "只有志愿服务队可标记为专业队", "only teams can be professional" },
	{ "org_not_found", "组织不存在", "organisation does not exist" },
	{ "invalid_date", "日期无效（格式 YYYY-MM-DD，且不能晚于今天）", "date is invalid (YYYY-MM-DD, not in the future)" },
	{ "not_editable", "该字段不能修改", "this field cannot be changed here" },
	{ "root_stays_active", "根组织不能停用或撤销", "the root organisation cannot be suspended or dissolved" },
	{ "root_cannot_move", "根组织不能移动", "the root organisation cannot move" },
	{ "org_dissolved", "组织已撤销", "the organisation is dissolved" },
	{ "move_into_own_subtree", "不能移到自己的下级组织之下", "an organisation cannot move under its own subtree" },
	{ "org_not_empty", "组织下仍有正常状态的下级组织或志愿者，请先转移", "the organisation still has active child organisations or volunteers; move them first" },
	{ "cannot_change_self", "不能停用自己、取消自己的管理员角色或调离自己的组织",
	  "you cannot disable yourself, drop your own admin role or move yourself" },
	{ "cannot_change_own_access", "不能修改自己的角色或权限，请由其他管理员修改",
	  "you cannot change your own roles or permissions: another admin does" },
	{ "grant_needs_wider_scope", "该账号持有（或将获得）查看完整证件号码的权限，此项修改须由上级组织的管理员进行",
	  "this account holds (or would get) the permission to read full ID numbers: this change needs an admin of a higher organisation" },
	{ "user_changed", "该账号刚被他人同时修改，请刷新后重试", "the account was changed by someone else at the same time: reload and try again" },
	{ "too_many_tokens", "API 令牌数量已达上限", "too many API tokens" },
	{ "not_a_session", "当前登录方式不是浏览器会话", "the request is not signed in by a browser session" },
	{ "id_format", "证件号码格式错误", "the ID number has the wrong format" },
	{ "id_checksum", "身份证号校验位错误", "the ID number's check character is wrong" },
	{ "id_birth_date", "身份证号中的出生日期无效", "the birth date in the ID number is impossible" },
	{ "id_province", "身份证号前两位不是有效的省级代码", "the ID number does not start with a province code" },
	{ "id_legacy_15", "不支持 15 位旧身份证号，请使用 18 位号码", "15-digit first-generation ID numbers are not accepted; use the 18-digit number" },
	{ "invalid_id_type", "证件类型无效", "ID type is invalid" },
	{ "invalid_gender", "性别须为 male 或 female", "gender must be male or female" },
	{ "gender_mismatch", "性别与身份证号不符", "gender does not match the ID number" },
	{ "birth_date_mismatch", "出生日期与身份证号不符", "birth date does not match the ID number" },
	{ "guardian_required", "未满 18 周岁须有监护人同意；未满 14 周岁还须填写监护人姓名和电话",
	  "under 18 a guardian must consent; under 14 the guardian's name and phone are required too" },
	{ "consent_required", "须单独同意处理敏感个人信息", "separate consent to processing sensitive personal data is required" },
	{ "invalid_tag", "标签须为 1–20 个字符", "tags must be 1-20 characters" },
	{ "org_inactive", "组织不在正常状态", "the organisation is not active" },
	{ "volunteer_exists", "该证件号码已登记", "this ID number is already registered" },
	{ "too_many_registrations", "注册过于频繁，请稍后再试", "too many registrations from here, try again later" },
	{ "no_volunteer_file", "当前账号没有志愿者档案", "this account has no volunteer file" },
	{ "volunteer_deleted", "该志愿者档案已注销", "this volunteer file has been deleted" },
	{ "already_active", "志愿者已是正常状态", "the volunteer is already active" },
	{ "already_inactive", "志愿者已停用", "the volunteer is already inactive" },
	{ "same_org", "已在该组织", "already in that organisation" },
	{ "id_number_erased", "证件号码已随注销删除", "the ID number was erased with the file" },
	{ "permission_required", "需要单独授权", "an explicit permission is required" },
	{ "invalid_permission", "权限名称无效", "permission is invalid" },
	{ "missing_column", "表格缺少必需的列", "a required column is missing" },
	{ "unreadable_file", "无法读取文件", "the file cannot be read" },
	{ "empty_file", "文件没有内容", "the file is empty" },
	{ "id_excel_number", "证件号码被 Excel 当成了数字（显示为 5.10115E+17 这样的科学计数法，或末三位变成了 000），号码已无法还原。"
	  "请在 Excel 中选中证件号码列，右键“设置单元格格式”选“文本”，重新输入完整号码（或在号码前加英文单引号 '），保存后再导入",
	  "Excel stored the ID number as a number (shown like 5.10115E+17, or its last three digits became 000) and the number is lost: "
	  "in Excel select the ID number column, right-click, Format Cells, choose Text, type the full numbers again (or start each with an apostrophe '), save and import again" },
	{ "unreadable_row", "此行及以后无法读取", "reading stopped at this row" },
	{ "invalid_parent_region", "上级区划须是更高一级且代码前缀一致", "the parent must be a higher level whose code prefixes this one" },
	{ "region_exists", "该区划代码已存在", "this region code exists already" },
	{ "invalid_multipart", "上传内容格式错误", "the upload is malformed" },
	{ "invalid_time", "时间格式错误，须为带时区的 ISO 8601，如 2026-11-28T09:00:00+08:00", "time must be ISO 8601 with an offset, e.g. 2026-11-28T09:00:00+08:00" },
	{ "ends_before_start", "结束时间须晚于开始时间", "the end must be after the start" },
	{ "activity_too_long", "活动不能超过 7 天", "an activity cannot last more than 7 days" },
	{ "invalid_quality", "服务质量须为 excellent/good/pass/fail（优秀/良好/合格/不合格）", "quality must be excellent, good, pass or fail" },
	{ "invalid_source", "记录来源无效", "source is invalid" },
	{ "evidence_required", "自行申报的记录须提供证明材料说明", "self-declared records need evidence" },
	{ "activity_not_found", "活动不存在", "the activity does not exist" },
	{ "outside_activity", "服务时间须在活动时间之内", "the service must lie within the activity" },
	{ "activity_not_over", "活动尚未结束，不能登记", "the activity has not ended yet" },
	{ "invalid_minutes", "服务时长须大于 0", "minutes must be more than 0" },
	{ "too_short", "服务时长不足一个记录单位", "the service is shorter than the recording unit" },
	{ "longer_than_activity", "服务时长不能超过活动时长", "minutes cannot exceed the activity's length" },
	{ "volunteer_not_found", "志愿者不存在", "the volunteer does not exist" },
	{ "insufficient_points", "积分余额不足", "not enough points" },
	{ "payment_proof_required", "请输入志愿者手机上的付款码或兑换券码", "enter the pay code from the volunteer's phone or a voucher code" },
	{ "pay_code_invalid", "付款码无效或已过期，请志愿者刷新付款码", "the pay code is wrong or expired: ask the volunteer for a new one" },
	{ "voucher_code_invalid", "兑换券码无效", "the voucher code is not valid" },
	{ "one_proof", "付款码、兑换券码与代付只能选其一", "give one of pay code, voucher code or on-behalf sale" },
	{ "on_behalf_not_allowed", "本超市未开启代为结算", "this store does not take sales on a volunteer's behalf" },
	{ "too_many_pay_codes", "付款码尝试过于频繁，请稍后再试", "too many pay code attempts, try again later" },
	{ "insufficient_stock", "库存不足", "not enough in stock" },
	{ "round_closed", "该评选已结束", "the award round is closed" },
	{ "award_type_not_found", "没有这个奖项", "no such award" },
	{ "wrong_nominee", "该奖项的提名对象不对（志愿者或组织）", "this award is for a volunteer or for an organisation, not the other" },
	{ "outside_round", "被提名者不在本次评选的范围内", "the nominee is outside the round's organisation" },
	{ "future_date", "日期不能晚于今天", "the date cannot be in the future" },
	{ "voucher_value", "兑换券面值须为兑换单位（默认 30 积分）的 1–100 倍", "a voucher is worth 1 to 100 times the voucher unit (30 points unless configured)" },
	{ "voucher_not_issued", "兑换券已使用、已取消或已过期", "the voucher was already used, cancelled or expired" },
	{ "voucher_expired", "兑换券已过期，积分已退回", "the voucher has expired; its points went back" },
	{ "over_value", "所选物品超过兑换券面值", "the goods are worth more than the voucher" },
	{ "goods_not_found", "该超市没有此物品", "this store has no such goods" },
	{ "duplicate_goods", "同一物品只能列一次", "list each goods once" },
	{ "store_not_found", "爱心超市不存在", "no such store" },
	{ "thresholds_not_ascending", "星级时长须为 5 个递增的正整数小时", "thresholds must be five ascending whole hours" },
	{ "preset_has_thresholds", "使用预设时不能另给时长", "a preset comes with its own thresholds" },
	{ "too_many", "条目过多", "too many entries" },
	{ "volunteer_inactive", "志愿者不在正常状态", "the volunteer is not active" },
	{ "late_reason_required", "活动结束已超过 10 个工作日，须说明补录原因", "more than 10 working days after the activity: give a reason" },
	{ "record_exists", "该志愿者在此活动已有记录", "this volunteer already has a record for this activity" },
	{ "overlapping_record", "与该志愿者的其他记录时间重叠", "overlaps another record of this volunteer" },
	{ "daily_limit", "该志愿者当日服务时长超过上限", "the volunteer's daily limit would be exceeded" },
	{ "already_decided", "记录已审核", "the record has been decided already" },
	{ "own_record", "不能审核自己登记的记录", "you cannot decide on a record you entered" },
	{ "record_not_found", "要更正的记录不存在", "the record to correct does not exist" },
	{ "not_rejected", "只有被驳回的记录可以更正后重新提交", "only a rejected record can be corrected and entered again" },
	{ "resubmit_mismatch", "重新提交的记录须与被驳回的记录为同一志愿者、同一活动的原始记录",
	  "a resubmission must be for the same volunteer and activity as the rejected original record" },
	{ "resubmit_not_yours", "只能更正自己登记的被驳回记录（或本机构范围内管理员更正）",
	  "you may correct only a rejected record you entered (or, as an admin, one within your scope)" },
	{ "already_resubmitted", "该驳回记录已更正并重新提交过", "this rejected record was corrected and entered again already" },
	{ "idempotency_conflict", "幂等键已被使用", "the Idempotency-Key was used for another request" },
	{ "invalid_idempotency_key", "幂等键无效", "the Idempotency-Key is invalid" },
	{ "amendment_pending", "已有待审核的更正", "a correction is already waiting for a decision" },
	{ "amend_the_original", "请对原始记录提出更正", "corrections refer to the original record" },
	{ "not_approved", "只有已审核通过的记录可以更正", "only approved records can be corrected" },
	{ "duplicate_entry", "同一志愿者在本批中出现多次", "the volunteer appears twice in this batch" },
	{ "no_service_in_period", "该期间没有已审核的服务记录", "no approved service in that period" },
	{ "already_revoked", "证明已撤销", "the certificate is revoked already" },
	{ "calendar_no_change", "节假日须为工作日、调休上班日须为周末", "holidays fall on weekdays and make-up working days on weekends" },
	{ "invalid_credentials", "用户名或密码错误", "wrong username or password" },
	{ "unauthenticated", "请先登录", "sign-in required" },
	{ "session_expired", "登录已过期，请重新登录", "session expired, please sign in again" },
	{ "account_disabled", "账号已停用", "account is disabled" },
	{ "csrf_failed", "缺少或错误的 CSRF 令牌", "missing or wrong CSRF token" },
	{ "forbidden", "无权执行此操作", "not allowed" },
	{ "not_found", "资源不存在", "not found" },
	{ "ui_not_built", "网页控制台尚未构建", "the web console has not been built" },
	{ "method_not_allowed", "不支持该请求方法", "method not allowed" },
	{ "username_taken", "用户名已被使用", "username is already taken" },
	{ "phone_taken", "手机号已被使用", "phone number is already in use" },
	{ "too_many_attempts", "登录失败次数过多，请稍后再试", "too many failed sign-ins, try again later" },
	{ "busy", "系统繁忙，请重试", "the system is busy, please retry" },
	{ "unavailable", "数据库暂不可用", "the database is unavailable" },
	/* projects and shifts */
	{ "invalid_domain", "领域须为社会公益、社会建设、社会治理或社会援助", "domain must be public_welfare, social_construction, social_governance or social_assistance" },
	{ "invalid_day", "日期无效（格式 YYYY-MM-DD）", "date is invalid (YYYY-MM-DD)" },
	{ "region_not_found", "行政区划不存在", "no such region" },
	{ "agency_not_found", "合作社工机构不存在或未处于正常状态", "the partner social-work agency does not exist or is not active" },
	{ "social_worker_not_found", "社工账号不存在或不是社工", "no such active social worker account" },
	{ "invalid_transition", "当前状态不允许此操作", "not allowed in the current status" },
	{ "project_not_open", "项目未发布或已结束，不能报名", "the project is not open for sign-up" },
	{ "signup_closed", "报名已截止", "sign-up for this shift has closed" },
	{ "requirement_age", "年龄不符合该班次要求", "the volunteer's age does not meet this shift's requirement" },
	{ "requirement_training", "须先完成该班次要求的培训", "this shift requires a training the volunteer has not completed" },
	{ "requirement_skill", "不具备该班次要求的技能", "the volunteer lacks a skill this shift requires" },
	{ "no_show_blocked", "近期爽约次数过多，暂不能报名", "too many recent no-shows: sign-up is blocked for a while" },
	{ "shift_full", "该班次名额已满", "this shift is full" },
	{ "shift_overlap", "与已报名的班次时间冲突", "overlaps a shift the volunteer already holds" },
	{ "cancel_too_late", "已过可取消时间", "too late to cancel" },
	{ "invalid_code", "签到码错误", "the check-in code is wrong" },
	{ "code_expired", "签到码已过期，请扫描现场最新的码", "the check-in code has expired: use the current one on site" },
	{ "outside_shift_window", "不在班次的签到时间内", "outside the shift's check-in window" },
	{ "not_signed_up", "未报名该班次", "not signed up for this shift" },
	{ "not_confirmed", "仍在候补名单中，不能签到", "still on the waitlist" },
	{ "not_checked_in", "尚未签到", "not checked in" },
	{ "before_check_in", "签退时间早于签到时间", "check-out before check-in" },
	{ "in_the_future", "时间不能晚于现在", "the time cannot be in the future" },
	{ "out_of_range", "数值超出允许范围", "value out of range" },
	{ "training_not_found", "培训不存在", "no such training" },
	{ "invalid_weekday", "星期须为 1（周一）到 7（周日）", "weekdays are 1 (Monday) to 7 (Sunday)" },
	{ "repeat_too_long", "重复班次最长一年", "a repeating series can run for at most a year" },
	{ "repeat_empty", "所选星期在期间内没有日期", "no date in the period falls on the chosen weekdays" },
	{ "deadline_after_end", "报名截止时间不能晚于班次结束", "the sign-up deadline cannot be after the shift ends" },
	{ "shift_too_long", "一个班次不能超过 24 小时", "a shift cannot last more than 24 hours" },
	{ "project_not_found", "项目不存在", "no such project" },
	{ "project_of_another_org", "活动须由项目所属组织举办", "an activity of a project must be organised by the project's owner" },
	{ "too_many_codes", "签到码错误次数过多，请稍后再试", "too many wrong codes, try again later" },
	{ "public_url_required", "尚未设置本系统的公网访问地址（--public-url 或 ZHIYUAN_PUBLIC_URL），证明上的二维码将无法查验，暂不能出具证明；请联系系统管理员设置",
	  "the console's public address is not set (--public-url or ZHIYUAN_PUBLIC_URL): a certificate's QR code could not be checked, so certificates cannot be issued until an administrator sets it" },
	{ "too_many_claims", "认领请求过于频繁，请稍后再试", "too many claim requests, try again later" },
	{ "claim_code_wrong", "验证码错误", "the code is wrong" },
	{ "claim_expired", "验证码已失效，请重新获取", "the code has expired: ask for a new one" },
	{ "claim_used", "该验证码已使用过，请直接登录或重新获取", "this code has been used: sign in, or ask for a new one" },
	{ "claim_locked", "验证码错误次数过多，请重新获取", "too many wrong codes: ask for a new one" },
	{ "no_mobile_phone", "档案中没有手机号，无法发送验证码", "the file has no mobile number to send a code to" },
	{ "volunteer_inactive", "该志愿者档案未启用", "this volunteer's file is not active" },
	{ "account_exists", "该志愿者已有账号，请其用手机号登录；忘记密码可在认领页用账号手机号重设", "this volunteer already has an account: they sign in with their phone number, and reset a forgotten password on the claim page with that phone" },
	{ "staff_account", "该志愿者已关联工作人员账号，请由管理员重置密码", "this volunteer has a staff account: an administrator resets its password" },
	{ "internal", "服务器内部错误", "internal server error" },
	/* home organisations chosen by volunteers (app/network/homes.c) */
	{ "org_not_joinable", "只能申请加入村社区工作站或志愿服务队", "you can only ask to join a station or a team" },
	{ "join_request_open", "已有一个待处理的加入申请，请等待处理或先撤回", "a join request is already waiting; wait for the answer or withdraw it first" },
	{ "join_request_closed", "该申请已处理或已撤回", "the request has already been decided or withdrawn" },
};

const char *error_message(const char *code, enum lang lang)
{
	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (strcmp(messages[i].code, code) == 0)
			return lang == LANG_EN ? messages[i].en : messages[i].zh;
	return lang == LANG_EN ? "request failed" : "请求失败";
}

unsigned error_status(enum app_status st)
{
	switch (st) {
	case APP_EBADREQ: return 400;
	case APP_EUNAUTH: return 401;
	case APP_EFORBIDDEN: return 403;
	case APP_ENOTFOUND: return 404;
	case APP_ECONFLICT: return 409;
	case APP_EINVALID: return 422;
	case APP_ETHROTTLED: return 429;
	case APP_EUNAVAILABLE: return 503;
	case APP_OK:
	case APP_EINTERNAL:
	default: return 500;
	}
}

enum MHD_Result http_send_error(struct http_req *req, unsigned status, const char *code,
				const char *field)
{
	json_t *e = json_pack("{ss ss}", "code", code, "message", error_message(code, req->lang));
	if (field)
		json_object_set_new(e, "field", json_string(field));
	return http_send_json(req, status, json_pack("{so}", "error", e));
}

enum MHD_Result http_send_app_error(struct http_req *req)
{
	const struct app_error *err = &req->app.err;
	if (err->status == APP_ETHROTTLED) {
		http_add_header(req, "Retry-After",
				arena_printf(req->arena, "%lld", (long long)err->retry_after));
	}
	if (err->detail) {
		/* file errors carry where in the file (row, column) */
		const char *code = err->code ? err->code : "internal";
		json_t *e = json_pack("{ss ss ss}", "code", code, "message",
			arena_printf(req->arena, "%s: %s", error_message(code, req->lang), err->detail),
			"detail", err->detail);
		if (err->field)
			json_object_set_new(e, "field", json_string(err->field));
		return http_send_json(req, error_status(err->status), json_pack("{so}", "error", e));
	}
	if (err->reason && err->code) {
		/* one code, several causes: the cause in its own field and message */
		const char *key = arena_printf(req->arena, "%s.%s", err->code, err->reason);
		json_t *e = json_pack("{ss ss ss}", "code", err->code, "message",
				      error_message(key, req->lang), "reason", err->reason);
		if (err->field)
			json_object_set_new(e, "field", json_string(err->field));
		return http_send_json(req, error_status(err->status), json_pack("{so}", "error", e));
	}
	return http_send_error(req, error_status(err->status), err->code ? err->code : "internal",
			       err->field);
}
