/*
 * main.c: `peerlink <command> <subcommand> [options]`: the dispatch table and option parsing.
 *
 * Every subcommand is one row of `commands[]` (after git's builtin table): its name, the function
 * that runs it, a one-line summary and the options it accepts beyond the common ones. Parsing is
 * driven by those tables, so usage text, validation and dispatch cannot drift apart.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

static const cli_command commands[] = {
	{ "solve", "assignment", cmd_solve_assignment,
	  "optimal assignment of rows to capacitated columns (min cost or max score)", { { 0 } } },
	{ "dataset", "generate checkins", cmd_dataset_generate_checkins,
	  "seeded synthetic check-in cohort with the true daily hazard (docs/datasets.md)",
	  { { "clients", 1, "number of clients (default 20)" },
	    { "days", 1, "days per client (default 180)" },
	    { "params", 1, "JSON file overriding generator parameters" },
	    { "no-truth", 0, "leave out each client's \"truth\" (hazard and state)" },
	    { 0 } } },
	{ "dataset", "generate profiles", cmd_dataset_generate_profiles,
	  "seeded synthetic matching program with planted communities (docs/datasets.md)",
	  { { "mentees", 1, "number of mentees (default 40)" },
	    { "mentors", 1, "number of mentors (default 12)" },
	    { "clients", 1, "number of clients for buddies and groups (default 0)" },
	    { "params", 1, "JSON file overriding generator parameters" },
	    { 0 } } },
	{ "dataset", "import", cmd_dataset_import,
	  "long-format CSV or openESM check-ins into the risk input format (datasets/README.md)",
	  { { 0 } } },
	{ "risk", "ews", cmd_risk_ews,
	  "early-warning indicators, Kendall trends, surrogate p-values, EWMA/CUSUM, change points (docs/ews.md)",
	  { { 0 } } },
	{ "risk", "train", cmd_risk_train,
	  "fit a calibrated relapse-risk model on labelled check-in histories (docs/risk.md)",
	  { { "horizon", 1, "days ahead a lapse counts (default 7)" },
	    { "l2", 1, "ridge penalty on standardized coefficients (default 1)" },
	    { "calibration", 1, "platt (default), isotonic or none" },
	    { "folds", 1, "cross-validation folds, grouped by client (default 5)" },
	    { "alert-rate", 1, "high tier: at most this fraction of client-days (default 0.05)" },
	    { "sensitivity", 1, "moderate tier: sensitivity target (default 0.5)" },
	    { "min-checkins", 1, "check-ins a client needs before it is scored (default 7)" },
	    { "stride", 1, "train on every k-th day of each client (default 1)" },
	    { 0 } } },
	{ "risk", "score", cmd_risk_score,
	  "risk of a lapse within the model's horizon, tier, signals, contributions (docs/risk.md)",
	  { { "model", 1, "model file (default: models/default.json, see docs/risk.md)" },
	    { "as-of", 1, "score as of this date YYYY-MM-DD (default: each client's last check-in)" },
	    { "top", 1, "contributions listed per client, largest first (default 10, 0 = all)" },
	    { 0 } } },
	{ "risk", "evaluate", cmd_risk_evaluate,
	  "metrics with bootstrap intervals, subgroups, oracle and baselines (docs/datasets.md)",
	  { { "model", 1, "evaluate this model file" },
	    { "cv", 1, "or: client-grouped K-fold cross-validation of the default model" },
	    { "horizon", 1, "with --cv: days ahead a lapse counts (default 7)" },
	    { "stride", 1, "with --cv: train on every k-th day of each client (default 1)" },
	    { "baselines", 0, "also score last craving, missed-check-in streak and EWS-only" },
	    { "bootstrap", 1, "bootstrap replicates for the 95% intervals (default 200, 0 = none)" },
	    { "budget", 1, "alert budget: one alert per this many client-weeks (default 20)" },
	    { "lead-window", 1, "days before a lapse searched for the first high alert (default 28)" },
	    { 0 } } },
	{ "solve", "matching", cmd_solve_matching,
	  "maximum-weight matching on a general graph (Edmonds' blossom algorithm)", { { 0 } } },
	{ "compat", NULL, cmd_compat,
	  "compatibility scores of two sets of profiles, null = excluded (docs/matching-mentors.md)",
	  { { 0 } } },
	{ "match", "mentors", cmd_match_mentors,
	  "mentees to capacitated mentors (total, maximin or stable) with reasons (docs/matching-mentors.md)", { { 0 } } },
	{ "match", "buddies", cmd_match_buddies,
	  "pair clients as accountability partners (max-weight matching; odd one out as a triad)",
	  { { 0 } } },
	{ "match", "groups", cmd_match_groups,
	  "clients into support groups maximizing within-group compatibility, with bound and gap",
	  { { 0 } } },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The options every subcommand accepts. */
static const cli_option common_options[] = {
	{ "input", 1, "read the JSON input from FILE (default: standard input)" },
	{ "output", 1, "write the JSON answer to FILE, atomically (default: standard output)" },
	{ "pretty", 0, "indent the JSON answer" },
	{ "no-timing", 0, "report timings as 0 so that runs compare byte for byte" },
	{ "seed", 1, "seed for every random choice (a non-negative integer)" },
	{ "jsonl", 0, "JSON Lines in and out, where the subcommand supports it" },
	{ "help", 0, "show this help" },
	{ NULL, 0, NULL },
};

static void usage_error(const char *fmt, const char *arg)
{
	pl_error err = PL_ERROR_INIT;
	pl_error_set(&err, PL_ERR_USAGE, "", fmt, arg);
	cli_print_error(&err, 0, 0);
}

static void print_options(const cli_option *opts)
{
	for (; opts->name; opts++) {
		char left[48];
		snprintf(left, sizeof(left), "--%s%s", opts->name, opts->takes_value ? " VALUE" : "");
		printf("  %-24s %s\n", left, opts->help);
	}
}

static void print_main_help(void)
{
	const char *last = "";

	printf("usage: peerlink <command> <subcommand> [options]\n"
	       "       peerlink --version | --help | <command> --help\n\n"
	       "Matching and relapse-risk early warnings for intensive outpatient programs.\n"
	       "JSON in (--input FILE or stdin), JSON out (--output FILE or stdout).\n\ncommands:\n");
	for (size_t k = 0; k < NCOMMANDS; k++) {
		if (strcmp(last, commands[k].command) != 0)
			printf("  %s\n", commands[k].command);
		last = commands[k].command;
		printf("      %-20s %s\n", commands[k].subcommand ? commands[k].subcommand : "",
		       commands[k].summary);
	}
	printf("\nexit codes: 0 ok, 1 internal or I/O failure, 2 usage, 3 invalid input, 4 infeasible\n"
	       "errors: one JSON object on stderr: {\"error\": {\"code\", \"message\", \"pointer\"}}\n"
	       "See peerlink(1) and README.md.\n");
}

static void print_command_help(const char *command)
{
	printf("usage: peerlink %s <subcommand> [options]\n\nsubcommands:\n", command);
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (strcmp(commands[k].command, command) == 0)
			printf("  %-20s %s\n", commands[k].subcommand ? commands[k].subcommand : "(none)",
			       commands[k].summary);
}

static void print_subcommand_help(const cli_command *cmd)
{
	printf("usage: peerlink %s%s%s [options]\n\n%s\n\noptions:\n", cmd->command,
	       cmd->subcommand ? " " : "", cmd->subcommand ? cmd->subcommand : "", cmd->summary);
	print_options(common_options);
	print_options(cmd->extra);
}

static const cli_command *find_command(const char *command, const char *sub, int *command_known)
{
	*command_known = 0;
	for (size_t k = 0; k < NCOMMANDS; k++) {
		if (strcmp(commands[k].command, command) != 0)
			continue;
		*command_known = 1;
		if (!commands[k].subcommand || (sub && strcmp(commands[k].subcommand, sub) == 0))
			return &commands[k];
	}
	return NULL;
}

static int has_subcommands(const char *command)
{
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (strcmp(commands[k].command, command) == 0 && commands[k].subcommand)
			return 1;
	return 0;
}

static int parse_seed(const char *text, unsigned long *out)
{
	char *end;
	if (!*text || *text == '-')
		return -1;
	*out = strtoul(text, &end, 10);
	return *end ? -1 : 0;
}

/* Look `name` up among the common options (index >= 0) or the command's extras (-1 - index). */
static int lookup_option(const cli_command *cmd, const char *name, size_t len, int *is_extra,
			 const cli_option **opt)
{
	for (int k = 0; common_options[k].name; k++)
		if (strlen(common_options[k].name) == len && strncmp(common_options[k].name, name, len) == 0) {
			*is_extra = 0;
			*opt = &common_options[k];
			return k;
		}
	for (int k = 0; k < CLI_MAX_EXTRA && cmd->extra[k].name; k++)
		if (strlen(cmd->extra[k].name) == len && strncmp(cmd->extra[k].name, name, len) == 0) {
			*is_extra = 1;
			*opt = &cmd->extra[k];
			return k;
		}
	return -1;
}

static void set_common(cli_ctx *ctx, const char *name, const char *value)
{
	if (strcmp(name, "input") == 0)
		ctx->input_path = value;
	else if (strcmp(name, "output") == 0)
		ctx->output_path = value;
	else if (strcmp(name, "pretty") == 0)
		ctx->pretty = 1;
	else if (strcmp(name, "no-timing") == 0)
		ctx->no_timing = 1;
	else if (strcmp(name, "jsonl") == 0)
		ctx->jsonl = 1;
}

/* Returns -1 to continue, or an exit code (help printed, or a usage error reported). */
static int parse_options(cli_ctx *ctx, int argc, char **argv)
{
	for (int a = 0; a < argc; a++) {
		const char *arg = argv[a], *name, *eq, *value = NULL;
		const cli_option *opt;
		int is_extra, k;
		size_t len;

		if (strcmp(arg, "-h") == 0)
			arg = "--help";
		else if (strcmp(arg, "-i") == 0)
			arg = "--input";
		else if (strcmp(arg, "-o") == 0)
			arg = "--output";
		if (strncmp(arg, "--", 2) != 0) {
			usage_error("unexpected argument '%s'", arg);
			return CLI_EXIT_USAGE;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		k = lookup_option(ctx->cmd, name, len, &is_extra, &opt);
		if (k < 0) {
			usage_error("unknown option '%s' (see --help)", arg);
			return CLI_EXIT_USAGE;
		}
		if (opt->takes_value) {
			if (eq)
				value = eq + 1;
			else if (a + 1 < argc)
				value = argv[++a];
			else {
				usage_error("option '--%s' needs a value", opt->name);
				return CLI_EXIT_USAGE;
			}
		} else if (eq) {
			usage_error("option '--%s' takes no value", opt->name);
			return CLI_EXIT_USAGE;
		} else {
			value = "1";
		}
		if (is_extra) {
			ctx->extra_value[k] = value;
		} else if (strcmp(opt->name, "help") == 0) {
			print_subcommand_help(ctx->cmd);
			return CLI_EXIT_OK;
		} else if (strcmp(opt->name, "seed") == 0) {
			if (parse_seed(value, &ctx->seed) != 0) {
				usage_error("option '--%s' needs a non-negative integer", "seed");
				return CLI_EXIT_USAGE;
			}
			ctx->have_seed = 1;
		} else {
			set_common(ctx, opt->name, value);
		}
	}
	return -1;
}

/* The whole CLI as a function (entry.c's main() calls it; the fuzz targets call it in-process):
 * it returns the exit code and never calls exit(). */
int cli_main(int argc, char **argv)
{
	cli_ctx ctx;
	const cli_command *cmd;
	const char *sub = NULL;
	int known, first_opt = 2, rc;

	/* The library must never abort the process: GSL reports through return codes instead. */
	gsl_set_error_handler_off();
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_main_help();
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("peerlink %s\n", pl_version());
		return CLI_EXIT_OK;
	}
	if (has_subcommands(argv[1])) {
		if (argc < 3 || strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
			print_command_help(argv[1]);
			return argc < 3 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
		}
		sub = argv[2];
		first_opt = 3;
	}
	/* Two-word subcommands ("dataset generate checkins") are one table row. */
	cmd = NULL;
	if (sub && argc >= 4 && argv[3][0] != '-') {
		char two[128];
		if ((size_t)snprintf(two, sizeof(two), "%s %s", sub, argv[3]) < sizeof(two) &&
		    (cmd = find_command(argv[1], two, &known)) != NULL)
			first_opt = 4;
	}
	if (!cmd)
		cmd = find_command(argv[1], sub, &known);
	if (!cmd) {
		if (known)
			usage_error("unknown subcommand '%s' (see peerlink <command> --help)", sub);
		else
			usage_error("unknown command '%s' (see peerlink --help)", argv[1]);
		return CLI_EXIT_USAGE;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cmd = cmd;
	rc = parse_options(&ctx, argc - first_opt, argv + first_opt);
	if (rc >= 0)
		return rc;
	rc = cmd->run(&ctx);
	if (rc != CLI_EXIT_OK)
		cli_print_error(&ctx.err, ctx.err_line, ctx.err_column);
	return rc;
}
