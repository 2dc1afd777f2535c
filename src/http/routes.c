/* The route table: every API path, its methods, handler, whether it needs
 * a signed-in caller, whether it takes a JSON body, and the query
 * parameters its handler reads (http/query.c). docs/openapi.json
 * must describe exactly these (tests/unit/test_http.c checks), and
 * src/http/route-access.json must say who may call each one (the
 * authorisation matrix, tests/api/matrix.test.mjs, fails without it). */
#include "http/internal.h"
#include "http/handlers.h"
#include "util/arena.h"
#include <stdio.h>
#include <string.h>

const struct route route_table[] = {
	{ "GET", "/healthz", h_healthz, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "GET", "/readyz", h_readyz, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "GET", "/metrics", h_metrics, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/openapi.json", h_openapi, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/sessions", h_login, ROUTE_PUBLIC, BODY_JSON, 0, NULL },
	{ "DELETE", "/api/v1/sessions/current", h_logout, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/me", h_me, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/me/password", h_password, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/tokens", h_tokens_list, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/tokens", h_tokens_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "DELETE", "/api/v1/tokens/{id}", h_tokens_revoke, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/users", h_users_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor q org_id" },
	{ "POST", "/api/v1/users", h_users_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/users/{id}", h_users_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/users/{id}", h_users_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/audit-log", h_audit_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor action actor_id" },
	{ "GET", "/api/v1/organizations", h_orgs_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor parent_id kind q status" },
	{ "POST", "/api/v1/organizations", h_orgs_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/organizations/search", h_orgs_search, ROUTE_AUTH, BODY_NONE, 0, "q kind status limit" },
	{ "GET", "/api/v1/organizations/{id}", h_orgs_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/organizations/{id}", h_orgs_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/organizations/{id}/move", h_orgs_move, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/organizations/{id}/dissolve", h_orgs_dissolve, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/organizations/{id}/tree", h_orgs_tree, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/volunteers", h_vol_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor q id_number skill category org_id status age_min age_max sort include" },
	{ "POST", "/api/v1/volunteers", h_vol_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/volunteers/{id}", h_vol_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/volunteers/{id}", h_vol_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/volunteers/{id}/id-number", h_vol_id_number, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/volunteers/{id}/deactivate", h_vol_deactivate, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/volunteers/{id}/reactivate", h_vol_reactivate, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "POST", "/api/v1/volunteers/{id}/transfer", h_vol_transfer, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/volunteers/{id}/export", h_vol_export, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/public/volunteers", h_vol_register, ROUTE_PUBLIC, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/public/claims", h_claim_start, ROUTE_PUBLIC, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/public/claims/complete", h_claim_complete, ROUTE_PUBLIC, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/volunteers/{id}/claim-invitations", h_claim_invite, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/me/volunteer", h_me_vol, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/me/volunteer", h_me_vol_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/me/volunteer/export", h_me_vol_export, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/me/volunteer/deletion", h_me_vol_delete, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/regions", h_regions_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor parent_code q" },
	{ "POST", "/api/v1/regions", h_regions_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/regions/{code}", h_regions_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/regions/{code}", h_regions_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "PUT", "/api/v1/regions/{code}/population/{year}", h_regions_population, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/imports/regions", h_import_regions, ROUTE_AUTH, BODY_RAW, UPLOAD_MAX, NULL },
	{ "GET", "/api/v1/public/regions", h_public_regions, ROUTE_PUBLIC, BODY_NONE, 0, "parent_code" },
	{ "POST", "/api/v1/imports/volunteers", h_import_volunteers, ROUTE_AUTH, BODY_RAW, UPLOAD_MAX, "org_id" },
	{ "GET", "/api/v1/imports/volunteers/template.csv", h_import_template, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/activities", h_act_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/activities", h_act_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor org_id" },
	{ "GET", "/api/v1/activities/{id}", h_act_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/records", h_rec_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/records", h_rec_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor volunteer_id status activity_id" },
	{ "POST", "/api/v1/records/batch", h_rec_batch, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/records/chain", h_rec_chain, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/records/{id}", h_rec_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/records/{id}/approve", h_rec_approve, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/records/{id}/reject", h_rec_reject, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/records/{id}/amendments", h_rec_amend, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/volunteers/{id}/archive", h_vol_archive, ROUTE_AUTH, BODY_NONE, 0, "limit cursor" },
	{ "GET", "/api/v1/volunteers/{id}/archive.csv", h_vol_archive_csv, ROUTE_AUTH, BODY_NONE, 0, "lang" },
	{ "GET", "/api/v1/volunteers/{id}/points", h_vol_points, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/points/movements", h_points_movements, ROUTE_AUTH, BODY_NONE, 0, "volunteer_id org_id limit cursor" },
	{ "POST", "/api/v1/points/adjustments", h_points_adjust, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/organizations/{id}/point-rules", h_org_rules_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PUT", "/api/v1/organizations/{id}/point-rules", h_org_rules_set, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "DELETE", "/api/v1/organizations/{id}/point-rules", h_org_rules_clear, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/organizations/{id}/star-roster", h_org_star_roster, ROUTE_AUTH, BODY_NONE, 0, "level limit cursor" },
	{ "GET", "/api/v1/star-levels", h_stars_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/stores", h_store_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/stores", h_store_list, ROUTE_AUTH, BODY_NONE, 0, "org_id usable" },
	{ "PATCH", "/api/v1/stores/{id}", h_store_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/me/pay-codes", h_pay_code_create, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/me/pay-codes/current", h_pay_code_current, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/stores/{id}/goods", h_goods_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/stores/{id}/goods", h_goods_list, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/goods/{id}/stock", h_goods_stock, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/stores/{id}/sales", h_store_sale, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/award-types", h_award_types, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/award-types", h_award_type_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/award-rounds", h_award_round_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/award-rounds", h_award_round_list, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/award-rounds/{id}", h_award_round_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/award-rounds/{id}/candidates", h_award_candidates, ROUTE_AUTH, BODY_NONE, 0, "limit" },
	{ "POST", "/api/v1/award-rounds/{id}/nominations", h_award_nominate, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/nominations/{id}/approve", h_nomination_approve, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/nominations/{id}/reject", h_nomination_reject, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/volunteers/{id}/awards", h_vol_award_external, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/public/honour-roll", h_honour_roll, ROUTE_PUBLIC, BODY_NONE, 0, "year" },
	{ "GET", "/api/v1/stores/{id}/reconciliation", h_store_reconcile, ROUTE_AUTH, BODY_NONE, 0, "date" },
	{ "POST", "/api/v1/vouchers", h_voucher_issue, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/vouchers", h_voucher_list, ROUTE_AUTH, BODY_NONE, 0, "volunteer_id" },
	{ "GET", "/api/v1/vouchers/{code}", h_voucher_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/vouchers/{code}/redeem", h_voucher_redeem, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/vouchers/{code}/cancel", h_voucher_cancel, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PUT", "/api/v1/star-levels", h_stars_set, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/trainings", h_training_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/trainings", h_training_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor" },
	{ "GET", "/api/v1/trainings/{id}", h_training_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/trainings/{id}/attendees", h_training_attend, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/certificates", h_cert_issue, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/certificates", h_cert_list, ROUTE_AUTH, BODY_NONE, 0, "volunteer_id" },
	{ "GET", "/api/v1/certificates/{serial}.pdf", h_cert_pdf, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/certificates/{serial}", h_cert_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/certificates/{serial}/revoke", h_cert_revoke, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/public/certificates/{serial}", h_cert_public, ROUTE_PUBLIC, BODY_NONE, 0, "code" },
	{ "GET", "/api/v1/calendar", h_calendar_list, ROUTE_AUTH, BODY_NONE, 0, "year" },
	{ "PUT", "/api/v1/calendar/{date}", h_calendar_set, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "DELETE", "/api/v1/calendar/{date}", h_calendar_delete, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/projects", h_project_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/projects", h_project_list, ROUTE_AUTH, BODY_NONE, 0, "org_id status limit cursor" },
	{ "GET", "/api/v1/projects/{id}", h_project_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/projects/{id}", h_project_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/projects/{id}/publish", h_project_publish, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/projects/{id}/start", h_project_start, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/projects/{id}/complete", h_project_complete, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/projects/{id}/cancel", h_project_cancel, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/projects/{id}/shifts", h_shift_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/public/projects", h_public_projects, ROUTE_PUBLIC, BODY_NONE, 0, "q domain category region org_id date open limit cursor" },
	{ "GET", "/api/v1/public/projects/{id}", h_public_project, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/shifts/sweep", h_shift_sweep, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "GET", "/api/v1/shifts/{id}", h_shift_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/shifts/{id}/signups", h_shift_signups, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/shifts/{id}/signups", h_shift_signup, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "GET", "/api/v1/shifts/{id}/code", h_shift_code, ROUTE_AUTH, BODY_NONE, 0, "at" },
	{ "POST", "/api/v1/shifts/{id}/check-in", h_shift_check_in, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/shifts/{id}/check-out", h_shift_check_out, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "DELETE", "/api/v1/signups/{id}", h_signup_cancel, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/me/shifts", h_my_shifts, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/me/entries", h_my_entries, ROUTE_AUTH, BODY_NONE, 0, "limit page status" },
	{ "GET", "/api/v1/social-work-agencies", h_agencies, ROUTE_AUTH, BODY_NONE, 0, NULL },
	/* home organisations chosen by volunteers (app/homes.h) */
	{ "GET", "/api/v1/public/organizations", h_public_orgs, ROUTE_PUBLIC, BODY_NONE, 0, "q region kind limit" },
	{ "GET", "/api/v1/me/volunteer/join-requests", h_my_join_requests, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/me/volunteer/join-requests", h_join_request_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/me/volunteer/join-requests/{id}/withdraw", h_join_request_withdraw, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/join-requests", h_join_requests_list, ROUTE_AUTH, BODY_NONE, 0, "limit cursor status org_id" },
	{ "POST", "/api/v1/join-requests/{id}/accept", h_join_request_accept, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "POST", "/api/v1/join-requests/{id}/decline", h_join_request_decline, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	/* the menu (app/menu catalog.c) */
	{ "POST", "/api/v1/menu/items", h_menu_item_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/menu/items", h_menu_items, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/menu/items/{id}", h_menu_item_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/menu/items/{id}", h_menu_item_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/menu/items/{id}/retire", h_menu_item_retire, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/menu/items/{id}/restore", h_menu_item_restore, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/menu/hotlines", h_menu_hotline_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/menu/hotlines", h_menu_hotlines, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "PATCH", "/api/v1/menu/hotlines/{id}", h_menu_hotline_update, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/menu/hotlines/{id}/retire", h_menu_hotline_retire, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/public/menu", h_public_menu, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	/* the menu's published documents (app/menu/menudocs.h) */
	{ "GET", "/api/v1/public/menu/handbook.pdf", h_menu_handbook, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/public/menu/hsds.zip", h_menu_hsds, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/public/orders", h_public_order_create, ROUTE_PUBLIC, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/public/orders/{tracking_code}", h_public_order_get, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/public/orders/{tracking_code}/cancel", h_public_order_cancel, ROUTE_PUBLIC, BODY_OPTIONAL, 0, NULL },
	{ "POST", "/api/v1/orders", h_order_create, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/orders", h_order_list, ROUTE_AUTH, BODY_NONE, 0, "org_id status menu_item_id phone channel board limit cursor" },
	{ "GET", "/api/v1/orders/{id}", h_order_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "GET", "/api/v1/orders/{id}/events", h_order_events, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/accept", h_order_accept, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/decline", h_order_decline, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/cancel", h_order_cancel, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/close", h_order_close, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "POST", "/api/v1/orders/closing", h_order_closing, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	/* dispatch of residents' orders (app/menu/dispatch.h) */
	{ "POST", "/api/v1/orders/escalation", h_order_escalation, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "GET", "/api/v1/orders/{id}/suggestions", h_order_suggestions, ROUTE_AUTH, BODY_NONE, 0, "limit" },
	{ "GET", "/api/v1/orders/{id}/assignments", h_order_assignments, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/assignments", h_order_assign, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/start", h_order_start, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/deliver", h_order_deliver, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/assignments/{id}/accept", h_assignment_accept, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "POST", "/api/v1/assignments/{id}/decline", h_assignment_decline, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "POST", "/api/v1/assignments/{id}/withdraw", h_assignment_withdraw, ROUTE_AUTH, BODY_OPTIONAL, 0, NULL },
	{ "GET", "/api/v1/me/orders", h_my_orders, ROUTE_AUTH, BODY_NONE, 0, "status limit cursor" },
	/* menu ratings, cases and statistics (app/menu/ratings.h) */
	{ "POST", "/api/v1/public/orders/{tracking_code}/rating", h_public_rating, ROUTE_PUBLIC, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/rating", h_order_rating, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "POST", "/api/v1/orders/{id}/complaints", h_order_complaint, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/order-cases", h_cases_list, ROUTE_AUTH, BODY_NONE, 0, "org_id status limit cursor" },
	{ "GET", "/api/v1/order-cases/{id}", h_case_get, ROUTE_AUTH, BODY_NONE, 0, NULL },
	{ "POST", "/api/v1/order-cases/{id}/close", h_case_close, ROUTE_AUTH, BODY_JSON, 0, NULL },
	{ "GET", "/api/v1/menu/quality-suggestions", h_quality_suggestions, ROUTE_AUTH, BODY_NONE, 0, "record_ids" },
	{ "GET", "/api/v1/menu/stats", h_menu_stats, ROUTE_AUTH, BODY_NONE, 0, "org_id from to" },
	{ "GET", "/api/v1/menu/stats.csv", h_menu_stats_csv, ROUTE_AUTH, BODY_NONE, 0, "org_id from to lang" },
	{ NULL, NULL, NULL, ROUTE_PUBLIC, BODY_NONE, 0, NULL },
};

const int route_count = (int)(sizeof(route_table) / sizeof(route_table[0])) - 1;

/* Matches path against pattern segment by segment; "{name}" takes one
 * non-empty segment. */
static bool match(const char *pattern, const char *path, const char **params, size_t *lens, int *nparams)
{
	const char *p = pattern, *u = path;
	int n = 0;
	while (*p && *u) {
		if (*p == '{') {
			const char *close = strchr(p, '}');
			const char *seg_end = strchr(u, '/');
			size_t len = seg_end ? (size_t)(seg_end - u) : strlen(u);
			if (!close || len == 0 || n >= MAX_PATH_PARAMS)
				return false;
			/* a literal after the parameter in the same segment
			 * ("{serial}.pdf") must end the path segment */
			const char *lit = close + 1, *lit_end = strchr(lit, '/');
			size_t ll = lit_end ? (size_t)(lit_end - lit) : strlen(lit);
			if (ll >= len || (ll && strncmp(u + len - ll, lit, ll) != 0))
				return false;
			lens[n] = len - ll;
			params[n++] = u;
			p = lit + ll;
			u += len;
			continue;
		}
		if (*p != *u)
			return false;
		p++;
		u++;
	}
	if (*p || *u)
		return false;
	*nparams = n;
	return true;
}

int route_match(struct http_req *req, const char *method, const char *path,
		char *allow, size_t allowlen)
{
	const char *params[MAX_PATH_PARAMS];
	size_t lens[MAX_PATH_PARAMS];
	int nparams = 0, found = -1;
	allow[0] = 0;
	/* the method first: it rules out most of the table for the price of
	 * a compare; the Allow list is only built when nothing matched */
	for (int i = 0; i < route_count && found < 0; i++)
		if (strcmp(route_table[i].method, method) == 0 &&
		    match(route_table[i].pattern, path, params, lens, &nparams))
			found = i;
	if (found < 0) {
		for (int i = 0; i < route_count; i++) {
			int n2;
			if (!match(route_table[i].pattern, path, params, lens, &n2))
				continue;
			size_t n = strlen(allow);
			snprintf(allow + n, allowlen - n, "%s%s", n ? ", " : "", route_table[i].method);
		}
		return allow[0] ? -2 : -1;
	}
	req->nparams = nparams;
	for (int i = 0; i < nparams; i++)
		req->params[i] = arena_strndup(req->arena, params[i], lens[i]);
	return found;
}
