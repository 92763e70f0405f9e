/*
 * report_risk.c: `peerlink report risk`: the `risk score` answer (--input) as an HTML page; with
 * --checkins (the scored input) the per-client timelines, with --model the risk trajectories.
 */
#include "report_cli.h"

#include <string.h>

#include <peerlink/json_risk.h>
#include <peerlink/report.h>

int cmd_report_risk(cli_ctx *ctx)
{
	json_t *answer = NULL, *checkins = NULL;
	pl_risk_model model;
	int have_model = 0, rc;
	pl_report_risk_options o;
	pl_buf page = PL_BUF_INIT;
	const char *path;

	memset(&model, 0, sizeof(model));
	pl_report_risk_options_init(&o);
	o.detail = (size_t)cli_opt_int(ctx, "detail");
	o.weeks = (int)cli_opt_int(ctx, "weeks");
	if ((rc = cli_read_input(ctx, &answer)) != CLI_EXIT_OK)
		goto out;
	if ((path = cli_opt_str(ctx, "checkins")) &&
	    (rc = cli_report_read_json(ctx, "checkins", path, &checkins)) != CLI_EXIT_OK)
		goto out;
	if ((path = cli_opt_str(ctx, "model"))) {
		pl_status st = pl_risk_model_read_file(path, &model, &ctx->err);
		if (st != PL_OK) {
			rc = cli_exit_for(st);
			cli_report_blame(ctx, "model");
			goto out;
		}
		have_model = 1;
	}
	o.checkins = checkins;
	o.model = have_model ? &model : NULL;
	rc = cli_exit_for(pl_report_risk(answer, &o, &page, &ctx->err));
	if (rc == CLI_EXIT_OK)
		rc = cli_report_write(ctx, &page);
out:
	if (have_model)
		pl_risk_model_release(&model);
	json_decref(answer);
	json_decref(checkins);
	pl_buf_release(&page);
	return rc;
}
