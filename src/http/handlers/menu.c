/* Handlers of the menu's catalog (app/menu/catalog.h): menu items with
 * their providers, hotlines, and the public menu. */
#include "http/handlers/common.h"
#include "app/menu/catalog.h"

enum MHD_Result h_menu_item_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = catalog_item_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_menu_items(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = catalog_tree(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_menu_item_get(struct http_req *req, json_t *in)
{
	return with_id(req, 200, catalog_item_get);
}

enum MHD_Result h_menu_item_update(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, catalog_item_update);
}

enum MHD_Result h_menu_item_retire(struct http_req *req, json_t *in)
{
	return with_id(req, 200, catalog_item_retire);
}

enum MHD_Result h_menu_item_restore(struct http_req *req, json_t *in)
{
	return with_id(req, 200, catalog_item_restore);
}

enum MHD_Result h_menu_hotline_create(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = catalog_hotline_create(&req->app, in, &out);
	return reply(req, rc, 201, out);
}

enum MHD_Result h_menu_hotlines(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	int rc = catalog_hotlines(&req->app, &out);
	return reply(req, rc, 200, out);
}

enum MHD_Result h_menu_hotline_update(struct http_req *req, json_t *in)
{
	return with_id_in(req, in, 200, catalog_hotline_update);
}

enum MHD_Result h_menu_hotline_retire(struct http_req *req, json_t *in)
{
	return with_id(req, 200, catalog_hotline_retire);
}

enum MHD_Result h_public_menu(struct http_req *req, json_t *in)
{
	json_t *out = NULL;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	int rc = catalog_public(&req->app, &out);
	return reply(req, rc, 200, out);
}
