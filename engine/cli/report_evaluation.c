/*
 * report_evaluation.c: `peerlink report evaluation`: the `risk evaluate` answer (--input) as an
 * HTML page; --rows adds per-row predictions (JSON Lines of {"risk", "label"}) from which the ROC,
 * precision-recall and decision curves are drawn when the answer does not carry them.
 */
#include "report_cli.h"

#include <peerlink/report.h>

int cmd_report_evaluation(cli_ctx *ctx)
{
	json_t *answer = NULL, *rows = NULL;
	pl_buf page = PL_BUF_INIT;
	const char *path;
	int rc;

	if ((rc = cli_read_input(ctx, &answer)) != CLI_EXIT_OK)
		goto out;
	if ((path = cli_opt_str(ctx, "rows")) &&
	    (rc = cli_report_read_jsonl(ctx, "rows", path, &rows)) != CLI_EXIT_OK)
		goto out;
	rc = cli_exit_for(pl_report_evaluation(answer, rows, &page, &ctx->err));
	if (rc == CLI_EXIT_OK)
		rc = cli_report_write(ctx, &page);
out:
	json_decref(answer);
	json_decref(rows);
	pl_buf_release(&page);
	return rc;
}
