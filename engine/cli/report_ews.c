/*
 * report_ews.c: `peerlink report ews`: the `risk ews` answer (--input) as an HTML page; --series
 * names that command's input, whose series the answer does not repeat.
 */
#include "report_cli.h"

#include <string.h>

#include <peerlink/report.h>

int cmd_report_ews(cli_ctx *ctx)
{
	json_t *answer = NULL, *series = NULL;
	pl_buf page = PL_BUF_INIT;
	const char *path;
	int rc;

	if ((rc = cli_read_input(ctx, &answer)) != CLI_EXIT_OK)
		goto out;
	if ((path = cli_opt_str(ctx, "series")) &&
	    (rc = cli_report_read_json(ctx, "series", path, &series)) != CLI_EXIT_OK)
		goto out;
	rc = cli_exit_for(pl_report_ews(answer, series, &page, &ctx->err));
	if (rc == CLI_EXIT_OK)
		rc = cli_report_write(ctx, &page);
	else if (series && ctx->err.pointer[0] && strcmp(ctx->err.pointer, "/series") == 0)
		cli_report_blame(ctx, "series");
out:
	json_decref(answer);
	json_decref(series);
	pl_buf_release(&page);
	return rc;
}
