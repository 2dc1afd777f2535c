/* Handlers of the menu's published documents (app/menu/menudocs.h): the
 * handbook PDF and the HSDS open-data package, public like the menu. */
#include "http/handlers/common.h"
#include "app/menu/menudocs.h"
#include <stdlib.h>

enum MHD_Result h_menu_handbook(struct http_req *req, json_t *in)
{
	unsigned char *pdf = NULL;
	size_t len = 0;
	/* public without a body: the server gives no store (probes), so
	 * the request is made ready here */
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	if (menudocs_handbook_pdf(&req->app, req->srv->cfg.public_url, &pdf, &len) != 0)
		return http_send_app_error(req);
	http_add_header(req, "Content-Disposition", "attachment; filename=\"handbook.pdf\"; "
			"filename*=UTF-8''%E5%BF%97%E6%84%BF%E6%9C%8D%E5%8A%A1%E6%89%8B%E5%86%8C.pdf");
	enum MHD_Result r = http_send_body(req, 200, "application/pdf", pdf, len, true);
	free(pdf);
	return r;
}

enum MHD_Result h_menu_hsds(struct http_req *req, json_t *in)
{
	unsigned char *zip = NULL;
	size_t len = 0;
	if (app_req_init(&req->app, req->srv->app, req->arena, req->client) != 0)
		return http_send_app_error(req);
	if (menudocs_hsds_zip(&req->app, req->srv->cfg.public_url, &zip, &len) != 0)
		return http_send_app_error(req);
	http_add_header(req, "Content-Disposition", "attachment; filename=\"hsds.zip\"");
	enum MHD_Result r = http_send_body(req, 200, "application/zip", zip, len, true);
	free(zip);
	return r;
}
