/*
 * report_matches.c: `peerlink report matches`: the answer of match mentors, buddies or groups
 * (--input, recognised by its members) as an HTML page; --mentors, --buddies and --groups add the
 * other answers to the same page.
 */
#include "report_cli.h"

#include <string.h>

#include <peerlink/report.h>

static const char *const kinds[3] = { "mentors", "buddies", "groups" };

int cmd_report_matches(cli_ctx *ctx)
{
	json_t *doc[3] = { NULL, NULL, NULL }, *input = NULL;
	pl_buf page = PL_BUF_INIT;
	const char *kind;
	int rc;

	if ((rc = cli_read_input(ctx, &input)) != CLI_EXIT_OK)
		goto out;
	kind = pl_report_match_kind(input);
	if (!kind) {
		rc = cli_fail(ctx, PL_ERR_INVALID, "/matches", "a matches report reads the answer of "
			      "match mentors (\"matches\"), match buddies (\"pairs\") or match groups "
			      "(\"groups\")");
		goto out;
	}
	for (int k = 0; k < 3; k++) {
		const char *path = cli_opt_str(ctx, kinds[k]);
		if (strcmp(kind, kinds[k]) == 0) {
			if (path) {
				rc = cli_fail(ctx, PL_ERR_USAGE, "", "--%s given, but the input is already "
					      "the %s answer", kinds[k], kinds[k]);
				goto out;
			}
			doc[k] = json_incref(input);
		} else if (path && (rc = cli_report_read_json(ctx, kinds[k], path, &doc[k])) != CLI_EXIT_OK) {
			goto out;
		}
	}
	rc = cli_exit_for(pl_report_matches(doc[0], doc[1], doc[2], &page, &ctx->err));
	if (rc == CLI_EXIT_OK)
		rc = cli_report_write(ctx, &page);
	else if (ctx->err.code == PL_ERR_INVALID && strstr(ctx->err.message, "this document is not"))
		cli_report_blame(ctx, ctx->err.pointer[1] == 'm' ? "mentors"
				      : ctx->err.pointer[1] == 'p' ? "buddies" : "groups");
out:
	for (int k = 0; k < 3; k++)
		json_decref(doc[k]);
	json_decref(input);
	pl_buf_release(&page);
	return rc;
}
