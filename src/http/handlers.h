/* Route handlers: each turns a request into one use-case call and its
 * result into a response (routes.c maps routes to them). They live in
 * src/http/handlers/, one file per app domain, so that the handler of a
 * route is found beside its use case's folder in src/app/. Every handler
 * has the same shape: in is the parsed JSON body (NULL for routes without
 * one), and exactly one response is sent. */
#ifndef ZY_HANDLERS_H
#define ZY_HANDLERS_H
#include "http/internal.h"


/* handlers/system.c: operational endpoints and the audit log */
enum MHD_Result h_healthz(struct http_req *req, json_t *in);
enum MHD_Result h_readyz(struct http_req *req, json_t *in);
enum MHD_Result h_metrics(struct http_req *req, json_t *in);
enum MHD_Result h_openapi(struct http_req *req, json_t *in);
enum MHD_Result h_audit_list(struct http_req *req, json_t *in);

/* handlers/accounts.c: app/accounts: sessions, the own account, tokens, users, claims */
enum MHD_Result h_login(struct http_req *req, json_t *in);
enum MHD_Result h_logout(struct http_req *req, json_t *in);
enum MHD_Result h_me(struct http_req *req, json_t *in);
enum MHD_Result h_password(struct http_req *req, json_t *in);
enum MHD_Result h_tokens_list(struct http_req *req, json_t *in);
enum MHD_Result h_tokens_create(struct http_req *req, json_t *in);
enum MHD_Result h_tokens_revoke(struct http_req *req, json_t *in);
enum MHD_Result h_users_list(struct http_req *req, json_t *in);
enum MHD_Result h_users_create(struct http_req *req, json_t *in);
enum MHD_Result h_users_get(struct http_req *req, json_t *in);
enum MHD_Result h_users_update(struct http_req *req, json_t *in);
enum MHD_Result h_claim_start(struct http_req *req, json_t *in);
enum MHD_Result h_claim_complete(struct http_req *req, json_t *in);
enum MHD_Result h_claim_invite(struct http_req *req, json_t *in);

/* handlers/network.c: app/network: organisations, volunteers, regions, imports, home organisations */
enum MHD_Result h_orgs_list(struct http_req *req, json_t *in);
enum MHD_Result h_orgs_search(struct http_req *req, json_t *in);
enum MHD_Result h_orgs_create(struct http_req *req, json_t *in);
enum MHD_Result h_orgs_get(struct http_req *req, json_t *in);
enum MHD_Result h_orgs_update(struct http_req *req, json_t *in);
enum MHD_Result h_orgs_move(struct http_req *req, json_t *in);
enum MHD_Result h_orgs_dissolve(struct http_req *req, json_t *in);
enum MHD_Result h_orgs_tree(struct http_req *req, json_t *in);
enum MHD_Result h_vol_create(struct http_req *req, json_t *in);
enum MHD_Result h_vol_register(struct http_req *req, json_t *in);
enum MHD_Result h_vol_list(struct http_req *req, json_t *in);
enum MHD_Result h_vol_get(struct http_req *req, json_t *in);
enum MHD_Result h_vol_update(struct http_req *req, json_t *in);
enum MHD_Result h_vol_id_number(struct http_req *req, json_t *in);
enum MHD_Result h_vol_deactivate(struct http_req *req, json_t *in);
enum MHD_Result h_vol_reactivate(struct http_req *req, json_t *in);
enum MHD_Result h_vol_transfer(struct http_req *req, json_t *in);
enum MHD_Result h_vol_export(struct http_req *req, json_t *in);
enum MHD_Result h_me_vol(struct http_req *req, json_t *in);
enum MHD_Result h_me_vol_update(struct http_req *req, json_t *in);
enum MHD_Result h_me_vol_export(struct http_req *req, json_t *in);
enum MHD_Result h_me_vol_delete(struct http_req *req, json_t *in);
enum MHD_Result h_regions_list(struct http_req *req, json_t *in);
enum MHD_Result h_public_regions(struct http_req *req, json_t *in);
enum MHD_Result h_regions_create(struct http_req *req, json_t *in);
enum MHD_Result h_regions_get(struct http_req *req, json_t *in);
enum MHD_Result h_regions_update(struct http_req *req, json_t *in);
enum MHD_Result h_regions_population(struct http_req *req, json_t *in);
enum MHD_Result h_import_volunteers(struct http_req *req, json_t *in);
enum MHD_Result h_import_regions(struct http_req *req, json_t *in);
enum MHD_Result h_import_template(struct http_req *req, json_t *in);
enum MHD_Result h_public_orgs(struct http_req *req, json_t *in);
enum MHD_Result h_my_join_requests(struct http_req *req, json_t *in);
enum MHD_Result h_join_request_create(struct http_req *req, json_t *in);
enum MHD_Result h_join_request_withdraw(struct http_req *req, json_t *in);
enum MHD_Result h_join_requests_list(struct http_req *req, json_t *in);
enum MHD_Result h_join_request_accept(struct http_req *req, json_t *in);
enum MHD_Result h_join_request_decline(struct http_req *req, json_t *in);

/* handlers/service.c: app/service: activities, records, archive, trainings, certificates, calendar */
enum MHD_Result h_act_create(struct http_req *req, json_t *in);
enum MHD_Result h_act_list(struct http_req *req, json_t *in);
enum MHD_Result h_act_get(struct http_req *req, json_t *in);
enum MHD_Result h_rec_create(struct http_req *req, json_t *in);
enum MHD_Result h_rec_list(struct http_req *req, json_t *in);
enum MHD_Result h_my_entries(struct http_req *req, json_t *in);
enum MHD_Result h_rec_get(struct http_req *req, json_t *in);
enum MHD_Result h_rec_approve(struct http_req *req, json_t *in);
enum MHD_Result h_rec_reject(struct http_req *req, json_t *in);
enum MHD_Result h_rec_chain(struct http_req *req, json_t *in);
enum MHD_Result h_rec_batch(struct http_req *req, json_t *in);
enum MHD_Result h_rec_amend(struct http_req *req, json_t *in);
enum MHD_Result h_vol_archive(struct http_req *req, json_t *in);
enum MHD_Result h_vol_archive_csv(struct http_req *req, json_t *in);
enum MHD_Result h_training_create(struct http_req *req, json_t *in);
enum MHD_Result h_training_list(struct http_req *req, json_t *in);
enum MHD_Result h_training_get(struct http_req *req, json_t *in);
enum MHD_Result h_training_attend(struct http_req *req, json_t *in);
enum MHD_Result h_cert_issue(struct http_req *req, json_t *in);
enum MHD_Result h_cert_list(struct http_req *req, json_t *in);
enum MHD_Result h_cert_get(struct http_req *req, json_t *in);
enum MHD_Result h_cert_pdf(struct http_req *req, json_t *in);
enum MHD_Result h_cert_revoke(struct http_req *req, json_t *in);
enum MHD_Result h_cert_public(struct http_req *req, json_t *in);
enum MHD_Result h_calendar_list(struct http_req *req, json_t *in);
enum MHD_Result h_calendar_set(struct http_req *req, json_t *in);
enum MHD_Result h_calendar_delete(struct http_req *req, json_t *in);

/* handlers/bank.c: app/bank: points, star levels, stores and vouchers, pay codes, awards */
enum MHD_Result h_vol_points(struct http_req *req, json_t *in);
enum MHD_Result h_points_movements(struct http_req *req, json_t *in);
enum MHD_Result h_points_adjust(struct http_req *req, json_t *in);
enum MHD_Result h_org_rules_get(struct http_req *req, json_t *in);
enum MHD_Result h_org_rules_set(struct http_req *req, json_t *in);
enum MHD_Result h_org_star_roster(struct http_req *req, json_t *in);
enum MHD_Result h_stars_get(struct http_req *req, json_t *in);
enum MHD_Result h_stars_set(struct http_req *req, json_t *in);
enum MHD_Result h_store_create(struct http_req *req, json_t *in);
enum MHD_Result h_store_list(struct http_req *req, json_t *in);
enum MHD_Result h_goods_create(struct http_req *req, json_t *in);
enum MHD_Result h_goods_list(struct http_req *req, json_t *in);
enum MHD_Result h_goods_stock(struct http_req *req, json_t *in);
enum MHD_Result h_voucher_issue(struct http_req *req, json_t *in);
enum MHD_Result h_voucher_list(struct http_req *req, json_t *in);
enum MHD_Result h_voucher_get(struct http_req *req, json_t *in);
enum MHD_Result h_voucher_redeem(struct http_req *req, json_t *in);
enum MHD_Result h_voucher_cancel(struct http_req *req, json_t *in);
enum MHD_Result h_store_sale(struct http_req *req, json_t *in);
enum MHD_Result h_store_update(struct http_req *req, json_t *in);
enum MHD_Result h_pay_code_create(struct http_req *req, json_t *in);
enum MHD_Result h_pay_code_current(struct http_req *req, json_t *in);
enum MHD_Result h_store_reconcile(struct http_req *req, json_t *in);
enum MHD_Result h_award_types(struct http_req *req, json_t *in);
enum MHD_Result h_award_type_create(struct http_req *req, json_t *in);
enum MHD_Result h_award_round_create(struct http_req *req, json_t *in);
enum MHD_Result h_award_round_list(struct http_req *req, json_t *in);
enum MHD_Result h_award_round_get(struct http_req *req, json_t *in);
enum MHD_Result h_award_candidates(struct http_req *req, json_t *in);
enum MHD_Result h_award_nominate(struct http_req *req, json_t *in);
enum MHD_Result h_nomination_approve(struct http_req *req, json_t *in);
enum MHD_Result h_nomination_reject(struct http_req *req, json_t *in);
enum MHD_Result h_vol_award_external(struct http_req *req, json_t *in);
enum MHD_Result h_honour_roll(struct http_req *req, json_t *in);
enum MHD_Result h_org_rules_clear(struct http_req *req, json_t *in);

/* handlers/projects.c: app/projects: projects, shifts, sign-ups, attendance, agencies */
enum MHD_Result h_project_create(struct http_req *req, json_t *in);
enum MHD_Result h_project_list(struct http_req *req, json_t *in);
enum MHD_Result h_project_get(struct http_req *req, json_t *in);
enum MHD_Result h_project_update(struct http_req *req, json_t *in);
enum MHD_Result h_project_publish(struct http_req *req, json_t *in);
enum MHD_Result h_project_start(struct http_req *req, json_t *in);
enum MHD_Result h_project_complete(struct http_req *req, json_t *in);
enum MHD_Result h_project_cancel(struct http_req *req, json_t *in);
enum MHD_Result h_public_projects(struct http_req *req, json_t *in);
enum MHD_Result h_public_project(struct http_req *req, json_t *in);
enum MHD_Result h_shift_create(struct http_req *req, json_t *in);
enum MHD_Result h_shift_get(struct http_req *req, json_t *in);
enum MHD_Result h_shift_signups(struct http_req *req, json_t *in);
enum MHD_Result h_shift_code(struct http_req *req, json_t *in);
enum MHD_Result h_shift_signup(struct http_req *req, json_t *in);
enum MHD_Result h_signup_cancel(struct http_req *req, json_t *in);
enum MHD_Result h_shift_check_in(struct http_req *req, json_t *in);
enum MHD_Result h_shift_check_out(struct http_req *req, json_t *in);
enum MHD_Result h_my_shifts(struct http_req *req, json_t *in);
enum MHD_Result h_shift_sweep(struct http_req *req, json_t *in);
enum MHD_Result h_agencies(struct http_req *req, json_t *in);

/* handlers/menu.c: app/menu catalog: menu items, providers, hotlines, the public menu */
enum MHD_Result h_menu_item_create(struct http_req *req, json_t *in);
enum MHD_Result h_menu_items(struct http_req *req, json_t *in);
enum MHD_Result h_menu_item_get(struct http_req *req, json_t *in);
enum MHD_Result h_menu_item_update(struct http_req *req, json_t *in);
enum MHD_Result h_menu_item_retire(struct http_req *req, json_t *in);
enum MHD_Result h_menu_item_restore(struct http_req *req, json_t *in);
enum MHD_Result h_menu_hotline_create(struct http_req *req, json_t *in);
enum MHD_Result h_menu_hotlines(struct http_req *req, json_t *in);
enum MHD_Result h_menu_hotline_update(struct http_req *req, json_t *in);
enum MHD_Result h_menu_hotline_retire(struct http_req *req, json_t *in);
enum MHD_Result h_public_menu(struct http_req *req, json_t *in);
/* handlers/orders.c: app/menu orders: public ordering and tracking, intake, lists, detail, accept/decline/cancel */
enum MHD_Result h_public_order_create(struct http_req *req, json_t *in);
enum MHD_Result h_public_order_get(struct http_req *req, json_t *in);
enum MHD_Result h_public_order_cancel(struct http_req *req, json_t *in);
enum MHD_Result h_order_create(struct http_req *req, json_t *in);
enum MHD_Result h_order_list(struct http_req *req, json_t *in);
enum MHD_Result h_order_get(struct http_req *req, json_t *in);
enum MHD_Result h_order_events(struct http_req *req, json_t *in);
enum MHD_Result h_order_accept(struct http_req *req, json_t *in);
enum MHD_Result h_order_decline(struct http_req *req, json_t *in);
enum MHD_Result h_order_cancel(struct http_req *req, json_t *in);
enum MHD_Result h_order_close(struct http_req *req, json_t *in);
enum MHD_Result h_order_closing(struct http_req *req, json_t *in);
/* handlers/dispatch.c: app/menu dispatch: suggestions, assignments, delivery, escalation */
enum MHD_Result h_order_suggestions(struct http_req *req, json_t *in);
enum MHD_Result h_order_assignments(struct http_req *req, json_t *in);
enum MHD_Result h_order_assign(struct http_req *req, json_t *in);
enum MHD_Result h_assignment_accept(struct http_req *req, json_t *in);
enum MHD_Result h_assignment_decline(struct http_req *req, json_t *in);
enum MHD_Result h_assignment_withdraw(struct http_req *req, json_t *in);
enum MHD_Result h_order_start(struct http_req *req, json_t *in);
enum MHD_Result h_order_deliver(struct http_req *req, json_t *in);
enum MHD_Result h_my_orders(struct http_req *req, json_t *in);
enum MHD_Result h_order_escalation(struct http_req *req, json_t *in);

/* handlers/ratings.c: app/menu ratings, cases and statistics */
enum MHD_Result h_public_rating(struct http_req *req, json_t *in);
enum MHD_Result h_order_rating(struct http_req *req, json_t *in);
enum MHD_Result h_order_complaint(struct http_req *req, json_t *in);
enum MHD_Result h_cases_list(struct http_req *req, json_t *in);
enum MHD_Result h_case_get(struct http_req *req, json_t *in);
enum MHD_Result h_case_close(struct http_req *req, json_t *in);
enum MHD_Result h_quality_suggestions(struct http_req *req, json_t *in);
enum MHD_Result h_menu_stats(struct http_req *req, json_t *in);
enum MHD_Result h_menu_stats_csv(struct http_req *req, json_t *in);

/* handlers/menudocs.c: app/menu: the handbook PDF and the HSDS package */
enum MHD_Result h_menu_handbook(struct http_req *req, json_t *in);
enum MHD_Result h_menu_hsds(struct http_req *req, json_t *in);

#endif
