/*
 * main.c: `peerlink <command> <subcommand> [options]`: the dispatch table and option parsing.
 *
 * Every subcommand is one row of `commands[]` (after git's builtin table): its name, the function
 * that runs it, a one-line summary and the options it accepts beyond the common ones, each typed
 * with its range and default (cli.h). The whole command line is validated here, once, before the
 * subcommand runs; usage text, validation and dispatch come from the same rows and cannot drift.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* A seed is what a JSON "seed" can hold: 0 to 2^63 - 1. */
#define CLI_SEED_MAX 9223372036854775807LL

static const cli_command commands[] = {
	{ "solve", "assignment", cmd_solve_assignment,
	  "optimal assignment of rows to capacitated columns (min cost or max score)",
	  "Input: {\"costs\": M} (minimize) or {\"scores\": M} (maximize), M an array of rows of "
	  "numbers with null marking a forbidden pair, or {\"npy\": FILE} naming a 2-D float64 .npy "
	  "file (NaN forbidden); optional \"capacities\", one positive integer per column. Assigns "
	  "as many rows as capacities and forbidden pairs allow and, among those assignments, one "
	  "of least total cost (greatest total score), exactly. Answer: {\"assignment\": [column or "
	  "null per row], \"total\", \"stats\"}. See docs/assignment.md.",
	  { { 0 } } },
	{ "solve", "matching", cmd_solve_matching,
	  "maximum-weight matching on a general graph (Edmonds' blossom algorithm)",
	  "Input: {\"n\": vertices, \"edges\": [[u, v, weight], ...]} with optional "
	  "\"max_cardinality\" (true: as many pairs as possible first). Exact maximum-weight "
	  "matching on a general graph, with dual variables as a certificate. Answer: {\"mate\": "
	  "[partner or null per vertex], \"total\", \"stats\"}. See docs/matching.md.",
	  { { 0 } } },
	{ "compat", NULL, cmd_compat,
	  "compatibility scores of two sets of profiles, null = excluded (docs/matching-mentors.md)",
	  "Input: {\"left\": [profiles], \"right\": [profiles]} (right optional: left against "
	  "itself) with optional \"weights\" and \"constraints\". Answer: {\"left_ids\", "
	  "\"right_ids\", \"scores\": [[score or null]], \"stats\"}, null where a hard rule "
	  "excludes the pair. See docs/matching-mentors.md.",
	  { { 0 } } },
	{ "match", "mentors", cmd_match_mentors,
	  "mentees to capacitated mentors (total, maximin or stable) with reasons (docs/matching-mentors.md)",
	  "Input: {\"mentees\": [profiles], \"mentors\": [profiles with \"capacity\"]} with "
	  "optional \"weights\", \"constraints\", \"objective\" (\"total\", \"maximin\" or "
	  "\"stable\"), \"pinned\", \"forbidden\", \"current\" (lists of [mentee id, mentor id]), "
	  "\"top\", \"min_score\", \"stickiness\", \"vocabulary\" (allowed tags per field and "
	  "genders). Profiles may state \"prefers\" (ids, ranked) and \"avoid\" (ids), and a "
	  "mentee a \"priority\" that total and maximin honour. Answer: \"matches\" with reasons, \"unmatched\", "
	  "\"alternatives\", \"summary\", \"stats\". With --jsonl, one request per line and one "
	  "answer per line, in input order. See docs/matching-mentors.md.",
	  { CLI_CHOICE("format", "json|csv", "json",
		       "json, or csv: the roster, one row per person (docs/matching-mentors.md, Roster as CSV)"),
	    { .name = "threads", .type = CLI_OPT_INT, .metavar = "N", .imin = 1,
	      .imax = PL_MENTORS_THREADS_MAX,
	      .dflt_doc = "the processors this process may run on (its CPU affinity mask), at most 16",
	      .help = "threads for the alternatives' searches; the answer does not depend on it" },
	    { 0 } } },
	{ "match", "buddies", cmd_match_buddies,
	  "pair clients as accountability partners (max-weight matching; odd one out as a triad)",
	  "Input: {\"clients\": [profiles]} with optional \"weights\", \"constraints\", \"pinned\", "
	  "\"forbidden\", \"current\" (lists of [id, id] pairs), \"min_score\", \"stickiness\", "
	  "\"top\" and \"odd\" (\"triad\" or \"unmatched\"). Pairs as many clients as possible with "
	  "the largest total compatibility (exact maximum-weight matching); with an odd number the "
	  "one left over joins the pair where it fits best. Answer: \"pairs\", \"unmatched\", "
	  "\"alternatives\", \"summary\", \"stats\". With --jsonl, one request per line and one "
	  "answer per line, in input order. See docs/buddies.md.",
	  { CLI_CHOICE("format", "json|csv", "json",
		       "json, or csv: the roster, one row per person (docs/matching-mentors.md, Roster as "
		       "CSV); csv refuses a client id holding ';' (exit 3): the buddies column separates "
		       "ids with it"),
	    { 0 } } },
	{ "match", "groups", cmd_match_groups,
	  "clients into support groups maximizing within-group compatibility, with bound and gap",
	  "Input: {\"clients\": [profiles]} and either \"groups\" (each with \"id\", \"size\" [min, "
	  "max] and optional \"requires\", \"modality\", \"language\", \"required\" (true: the "
	  "group must run, else exit 4 naming the rule that prevents it), \"facilitator\", "
	  "\"needs\") or \"group_size\" [min, max] with an optional \"group_count\"; optional "
	  "\"facilitators\" (staffed exactly by min-cost flow: limits, slots, skills), \"keep_apart\", "
	  "\"keep_together\", \"social_anxiety_max\", \"size_limit\", \"vocabulary\" (allowed tags "
	  "per field and genders, checked in the clients and in the groups' rules), \"as_of\", "
	  "\"current\", \"rematch\", \"weights\", \"constraints\", \"seed\". Places as many clients "
	  "as possible and maximizes within-group compatibility (a heuristic, deterministic for a "
	  "seed) and reports an upper bound on the optimum and the gap. Answer: \"groups\", "
	  "\"unplaced\", \"summary\", \"stats\". With --jsonl, one request per line and one answer "
	  "per line, in input order. See docs/groups.md.",
	  { CLI_DATE("as-of", NULL,
		     "the date exposure plans are read on (default: the input's \"as_of\")"),
	    CLI_CHOICE("format", "json|csv", "json",
		       "json, or csv: the roster, one row per person (docs/matching-mentors.md, Roster as CSV)"),
	    { 0 } } },
	{ "outreach", NULL, cmd_outreach,
	  "who reaches out to whom today: asks within budgets, clinician list (docs/outreach.md)",
	  "Input: {\"risk\": the answer of risk score (or a FILE name holding it), "
	  "\"relationships\": {\"buddies\", \"mentors\" (lists of [id, id]), \"groups\" "
	  "([{\"id\", \"members\", \"facilitator\"}])}} with optional \"supporters\" "
	  "(availability, budget, asks_this_week), \"budget_per_week\", "
	  "\"silence_limit_days\", \"ask_from\", \"weights\", \"today\". A supporter at high "
	  "risk is never asked; high risk with reported use or silence beyond the limit goes to a "
	  "clinician; asks are an exact capacitated assignment (most clients reached, then "
	  "closest relationships). Answer: \"asks\", \"needs_clinician\", \"over_budget\", "
	  "\"excluded_supporters\", \"unreached\", \"stats\". See docs/outreach.md.",
	  { { 0 } } },
	{ "risk", "score", cmd_risk_score,
	  "risk of a lapse within the model's horizon, tier, signals, contributions (docs/risk.md)",
	  "Input: {\"clients\": [client, ...]} (row or columnar check-in form) with optional "
	  "\"measures\", \"as_of\" and \"top_contributions\", or with --jsonl one client per line "
	  "(answers one per line, in input order). Answer: per client \"risk\", \"tier\", "
	  "\"signals\", \"contributions\" and \"data_quality\", plus \"model\" and \"stats\". See "
	  "docs/risk.md.",
	  { { .name = "model", .type = CLI_OPT_STRING, .metavar = "FILE",
	      .dflt_doc = "models/default.json in the data directory", .help = "model file" },
	    { .name = "as-of", .type = CLI_OPT_DATE, .metavar = "DATE",
	      .dflt_doc = "the input's \"as_of\", else the latest date in the input",
	      .help = "score every client as of this date" },
	    { .name = "top", .type = CLI_OPT_INT, .metavar = "N", .imin = 0, .imax = 100000,
	      .dflt_doc = "the input's \"top_contributions\", else 10",
	      .help = "contributions listed per client, largest first (0 = all)" },
	    { .name = "actions", .type = CLI_OPT_STRING, .metavar = "FILE",
	      .dflt_doc = "models/actions.json in the data directory",
	      .help = "suggested-actions table (docs/risk.md, Actions)" },
	    { 0 } } },
	{ "risk", "train", cmd_risk_train,
	  "fit a calibrated relapse-risk model on labelled check-in histories (docs/risk.md)",
	  "Input: labelled clients (the forms of risk score, with \"events\") and optional "
	  "\"features\", \"horizon_days\", \"l2\", \"calibration\", \"folds\", \"seed\", "
	  "\"alert_rate\", \"sensitivity\", \"min_checkins\", \"stride\"; command-line options win "
	  "over the document. Answer: the model file that risk score --model reads. See "
	  "docs/risk.md and models/MODEL_CARD.md.",
	  { { .name = "horizon", .type = CLI_OPT_INT, .metavar = "DAYS", .imin = 1, .imax = 365,
	      .dflt_doc = "the input's \"horizon_days\", else 7", .help = "days ahead a lapse counts" },
	    { .name = "l2", .type = CLI_OPT_REAL, .metavar = "X", .rmin = 0, .rmax = 1e9,
	      .choices = "auto", .dflt_doc = "the input's \"l2\", else 1",
	      .help = "ridge penalty on standardized coefficients, or auto: chosen by the "
		      "client-grouped training folds (docs/risk.md)" },
	    { .name = "calibration", .type = CLI_OPT_CHOICE, .metavar = "WORD",
	      .choices = "platt|isotonic|none", .dflt_doc = "the input's \"calibration\", else platt",
	      .help = "probability calibration" },
	    { .name = "folds", .type = CLI_OPT_INT, .metavar = "K", .imin = 2, .imax = 100,
	      .dflt_doc = "the input's \"folds\", else 5",
	      .help = "cross-validation folds, grouped by client" },
	    { .name = "alert-rate", .type = CLI_OPT_REAL, .metavar = "X", .rmin = 0, .rmax = 1,
	      .dflt_doc = "the input's \"alert_rate\", else 0.05",
	      .help = "high tier: at most this fraction of client-days" },
	    { .name = "sensitivity", .type = CLI_OPT_REAL, .metavar = "X", .rmin = 0, .rmax = 1,
	      .dflt_doc = "the input's \"sensitivity\", else 0.5",
	      .help = "moderate tier: sensitivity target" },
	    { .name = "min-checkins", .type = CLI_OPT_INT, .metavar = "N", .imin = 1, .imax = 365,
	      .dflt_doc = "the input's \"min_checkins\", else 7",
	      .help = "check-ins a client needs before it is scored" },
	    { .name = "stride", .type = CLI_OPT_INT, .metavar = "K", .imin = 1, .imax = 365,
	      .dflt_doc = "the input's \"stride\", else 1",
	      .help = "train on every k-th day of each client" },
	    { .name = "as-of", .type = CLI_OPT_DATE, .metavar = "DATE",
	      .dflt_doc = "the input's \"as_of\", else the latest date in the input",
	      .help = "the data's last day: follow-up of every client ends here at the latest" },
	    { 0 } } },
	{ "risk", "evaluate", cmd_risk_evaluate,
	  "metrics with bootstrap intervals, subgroups, oracle and baselines (docs/datasets.md)",
	  "Input: labelled clients (or --jsonl lines), optionally with \"attributes\" (subgroups) "
	  "and \"truth\" (the oracle). Scores come from --model FILE or from client-grouped K-fold "
	  "cross-validation (--cv K, seeded); exactly one of the two. Answer: every metric with a "
	  "cluster-bootstrap 95% interval, the reliability table, subgroups, the oracle and, with "
	  "--baselines, three simple baselines. See docs/datasets.md.",
	  { CLI_STRING("model", "FILE", NULL, "evaluate this model file"),
	    CLI_INT("cv", "K", 2, 100, NULL,
		    "or: client-grouped K-fold cross-validation of the default model"),
	    CLI_INT("horizon", "DAYS", 1, 365, "7", "with --cv: days ahead a lapse counts"),
	    CLI_INT("stride", "K", 1, 365, "1", "with --cv: train on every k-th day of each client"),
	    CLI_REAL_OR("l2", "X", 1e-6, 1e6, "auto", "1",
			"with --cv: ridge penalty of every fold's model, or auto: chosen per fold by "
			"nested client-grouped cross-validation. Without --l2 and --features: auto "
			"and --features auto on a small cohort (below 10 events per feature), else 1"),
	    CLI_STRING("compare", "WHAT", NULL,
		       "paired comparison on the same rows: baseline:NAME, model:FILE or (with --cv) "
		       "cv:FEATURES[@L2], a second recipe trained in the same folds"),
	    CLI_STRING("features", "SET", NULL,
		       "with --cv: default, compact, state, auto (chosen per fold by nested CV), "
		       "average (their models averaged) or a "
		       "comma-separated list of feature names (docs/risk.md)"),
	    CLI_FLAG("baselines", "also score last craving, missed-check-in streak and EWS-only"),
	    CLI_INT("bootstrap", "N", 0, 100000, "200",
		    "bootstrap replicates for the 95% intervals (0 = none)"),
	    CLI_REAL("budget", "X", 0.01, 1e6, "20",
		     "alert budget: one alert per this many client-weeks"),
	    CLI_INT("lead-window", "DAYS", 1, 3650, "28",
		    "days before a lapse searched for the first high alert"),
	    CLI_INT("threads", "N", 0, 64, "0",
		    "worker threads (0 = one per processor); the answer does not depend on it"),
	    CLI_STRING("rows", "FILE", NULL,
		       "also write the scored rows to FILE, one JSON line each: client, date, risk, label"),
	    CLI_STRING("generator", "FILE", NULL,
		       "generated data: the generator's parameter file (or 'default'); adds the "
		       "observable reference (a Kalman filter with the structural parameters)"),
	    CLI_INT("generator-seed", "N", 0, 4294967295LL, NULL,
		    "with --generator: the cohort's seed; adds the full-information oracle (Monte Carlo)"),
	    CLI_INT("oracle-draws", "N", 1, 100000, "100",
		    "simulated futures per row for the full-information oracle"),
	    { 0 } } },
	{ "risk", "ews", cmd_risk_ews,
	  "early-warning indicators, Kendall trends, surrogate p-values, EWMA/CUSUM, change points (docs/ews.md)",
	  "Input: {\"series\": [number or null per day]} with optional \"window\", "
	  "\"min_observed\", \"detrend\", \"moments\", \"indicators\", \"surrogates\", \"seed\", "
	  "\"control\" and \"changepoints\". Answer: rolling indicators with Kendall tau and "
	  "surrogate p-values, EWMA and CUSUM charts, BOCPD change points, \"stats\". See "
	  "docs/ews.md.",
	  { { 0 } } },
	{ "dataset", "generate checkins", cmd_dataset_generate_checkins,
	  "seeded synthetic check-in cohort with the true daily hazard (docs/datasets.md)",
	  "No input is read. Answer: {\"clients\": [...], \"stats\"} with each client in the "
	  "columnar risk input form and, unless --no-truth, its true daily hazard and state; with "
	  "--jsonl one client per line and nothing else. See docs/datasets.md.",
	  { CLI_INT("clients", "N", 0, 10000000, "20", "number of clients"),
	    CLI_INT("days", "N", 1, 36600, "180", "days per client"),
	    CLI_STRING("params", "FILE", NULL, "JSON file overriding generator parameters"),
	    CLI_FLAG("no-truth", "leave out each client's \"truth\" (hazard and state)"),
	    { 0 } } },
	{ "dataset", "generate profiles", cmd_dataset_generate_profiles,
	  "seeded synthetic matching program with planted communities (docs/datasets.md)",
	  "No input is read. Answer: {\"mentees\", \"mentors\", \"clients\" (when --clients is "
	  "above 0), \"communities\", \"stats\"}, profiles in the form the matchers read. See "
	  "docs/datasets.md.",
	  { { .name = "mentees", .type = CLI_OPT_INT, .metavar = "N", .imin = 0, .imax = 1000000,
	      .dflt_doc = "the parameter file's, else 40", .help = "number of mentees" },
	    { .name = "mentors", .type = CLI_OPT_INT, .metavar = "N", .imin = 0, .imax = 1000000,
	      .dflt_doc = "the parameter file's, else 12", .help = "number of mentors" },
	    { .name = "clients", .type = CLI_OPT_INT, .metavar = "N", .imin = 0, .imax = 1000000,
	      .dflt_doc = "the parameter file's, else 0",
	      .help = "number of clients for buddies and groups" },
	    CLI_STRING("params", "FILE", NULL, "JSON file overriding generator parameters"),
	    { 0 } } },
	{ "dataset", "import", cmd_dataset_import,
	  "long-format CSV or openESM check-ins into the risk input format (datasets/README.md)",
	  "Input: {\"format\": \"csv\" or \"openesm\", \"data\": FILE, ...}: a long-format CSV or TSV "
	  "spec or an "
	  "openESM dataset (files named relative to the input file). Answer: the risk input row "
	  "form; every cell is validated and an error names the row and column, never the cell. See "
	  "datasets/README.md.",
	  { { 0 } } },
	{ "dataset", "import profiles", cmd_dataset_import_profiles,
	  "a spreadsheet of people (CSV, one row a person) into matching profiles (docs/datasets.md)",
	  "Input: {\"data\": FILE, \"delimiter\": \",\", \"vocabulary\": {field: [names]}}: a CSV "
	  "with a header row naming profile columns (id, role, experiences, ...; tags as "
	  "';'-separated cells), the file named relative to the input file. Answer: {\"mentees\", "
	  "\"mentors\", \"clients\", \"vocabulary\"}, ready for match mentors, buddies or groups; "
	  "every cell is checked and an error names the row and column, never the cell. See "
	  "docs/datasets.md.",
	  { { 0 } } },
	{ "report", "risk", cmd_report_risk,
	  "risk score answer as one self-contained HTML page: overview, timelines, trajectories (docs/report.md)",
	  "Reads the answer of risk score (--input) and writes one HTML file (--output) with inline CSS "
	  "and SVG, no script and nothing loaded from the network: a cohort overview sorted by risk "
	  "(tier, days since the last check-in, top measure, suggested action) and, for the riskiest "
	  "clients, a section each (anchor #client-K) with a timeline of every 0-10 measure (missed "
	  "check-ins, reported use, lapses and high-risk days marked), the risk trajectory against "
	  "the tier bands and the top contributions.",
	  { CLI_STRING("checkins", "FILE", NULL, "the scored check-in input (timelines, days since check-in)"),
	    CLI_STRING("model", "FILE", NULL, "the model that scored it (risk trajectories)"),
	    CLI_INT("detail", "N", 0, 100000000, "100", "client sections for the N riskiest clients"),
	    CLI_INT("weeks", "N", 1, 52, "12", "timeline length in weeks"),
	    { 0 } } },
	{ "report", "matches", cmd_report_matches,
	  "match mentors/buddies/groups answers as one HTML page: tables, reasons, load (docs/report.md)",
	  "Reads the answer of match mentors, match buddies or match groups (--input, recognised by "
	  "its members) and writes one self-contained HTML file: each matching as a table with its "
	  "reasons, the mentors' load against capacity and the groups' sizes as bar charts, and "
	  "everyone left out with the reason.",
	  { CLI_STRING("mentors", "FILE", NULL, "add the match mentors answer"),
	    CLI_STRING("buddies", "FILE", NULL, "add the match buddies answer"),
	    CLI_STRING("groups", "FILE", NULL, "add the match groups answer"),
	    { 0 } } },
	{ "report", "evaluation", cmd_report_evaluation,
	  "risk evaluate answer as one HTML page: ROC, PR, reliability, decision curve, forest plots (docs/report.md)",
	  "Reads the answer of risk evaluate and writes one self-contained HTML file: the metrics with "
	  "their intervals, ROC and precision-recall curves and the decision curve (from the answer's "
	  "curve points, or from per-row predictions given with --rows), the reliability diagram, lead "
	  "time and lapses detected, and forest plots of AUROC by reference score and subgroup.",
	  { CLI_STRING("rows", "FILE", NULL, "per-row predictions, JSON Lines of {\"risk\", \"label\"} (curves)"),
	    { 0 } } },
	{ "report", "ews", cmd_report_ews,
	  "risk ews answer as one HTML page: series, indicators, EWMA/CUSUM, change points (docs/report.md)",
	  "Reads the answer of risk ews and writes one self-contained HTML file: the series (from the "
	  "command's input, --series) with its trend and change points, each rolling indicator with "
	  "its Kendall tau, the EWMA and CUSUM charts and the change-point probabilities.",
	  { CLI_STRING("series", "FILE", NULL, "the risk ews input (the series itself)"),
	    { 0 } } },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Commands that read one document and write one answer: with --jsonl they run once per input
 * line, one request per line and one answer per line (records.c). */
static const cli_fn jsonl_record_commands[] = { cmd_match_mentors, cmd_match_buddies,
						cmd_match_groups };

int cli_jsonl_records(const cli_command *cmd)
{
	for (size_t k = 0; k < sizeof(jsonl_record_commands) / sizeof(jsonl_record_commands[0]); k++)
		if (cmd->run == jsonl_record_commands[k])
			return 1;
	return 0;
}

/* The options every subcommand accepts. */
static const cli_option common_options[] = {
	{ .name = "input", .type = CLI_OPT_STRING, .metavar = "FILE", .dflt_doc = "standard input",
	  .help = "read the JSON input from FILE (short: -i)" },
	{ .name = "output", .type = CLI_OPT_STRING, .metavar = "FILE", .dflt_doc = "standard output",
	  .help = "write the JSON answer to FILE, atomically (short: -o)" },
	CLI_FLAG("pretty", "indent the JSON answer"),
	CLI_FLAG("no-timing", "report timings as 0 so that runs compare byte for byte"),
	{ .name = "seed", .type = CLI_OPT_INT, .metavar = "N", .imin = 0, .imax = CLI_SEED_MAX,
	  .dflt_doc = "the input's \"seed\", else 1 for dataset generate and risk evaluate, 0 for "
		      "the others that draw random numbers (risk train, risk ews, match groups)",
	  .help = "seed for every random choice; it wins over the input's \"seed\"" },
	CLI_FLAG("jsonl", "JSON Lines in and out, where the subcommand supports it"),
	CLI_FLAG("help", "show this help (short: -h)"),
	{ 0 },
};

static void usage_error(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
static void usage_error(const char *fmt, ...)
{
	pl_error err = PL_ERROR_INIT;
	va_list ap;

	va_start(ap, fmt);
	pl_error_setv(&err, PL_ERR_USAGE, "", fmt, ap);
	va_end(ap);
	cli_print_error(&err, 0, 0);
}

/* "--folds K    cross-validation folds (an integer from 2 to 100; default: 5)" */
static void print_options(const cli_option *opts)
{
	for (; opts->name; opts++) {
		char left[48], what[160];
		snprintf(left, sizeof(left), "--%s%s%s", opts->name, opts->metavar ? " " : "",
			 opts->metavar ? opts->metavar : "");
		printf("  %-24s %s", left, opts->help);
		what[0] = '\0';
		if (opts->type != CLI_OPT_FLAG && opts->type != CLI_OPT_STRING)
			cli_opt_describe(opts, what, sizeof(what));
		if (opts->dflt || opts->dflt_doc)
			printf(" (%s%sdefault: %s)", what, what[0] ? "; " : "",
			       opts->dflt ? opts->dflt : opts->dflt_doc);
		else if (what[0])
			printf(" (%s)", what);
		printf("\n");
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

/* The table's commands (command NULL) or one command's subcommands, each once, in table order:
 * "solve, compat, match, ...". What the user typed is never repeated (it may be anything). */
static void list_words(char *buf, size_t size, const char *command)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < NCOMMANDS; k++) {
		const char *w = command ? commands[k].subcommand : commands[k].command;
		int seen = 0;
		if (!w || (command && strcmp(commands[k].command, command) != 0))
			continue;
		for (size_t j = 0; j < k && !command; j++)
			seen |= strcmp(commands[j].command, w) == 0;
		if (seen || used + strlen(w) + 3 > size)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", w);
	}
}

static int has_subcommands(const char *command)
{
	for (size_t k = 0; k < NCOMMANDS; k++)
		if (strcmp(commands[k].command, command) == 0 && commands[k].subcommand)
			return 1;
	return 0;
}

/* Look `name` (len bytes) up among the common options, then the command's extras (*is_extra);
 * returns the row's index, or -1. */
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

static void set_common(cli_ctx *ctx, const char *name, const cli_value *v)
{
	if (strcmp(name, "input") == 0)
		ctx->input_path = v->s;
	else if (strcmp(name, "output") == 0)
		ctx->output_path = v->s;
	else if (strcmp(name, "pretty") == 0)
		ctx->pretty = 1;
	else if (strcmp(name, "no-timing") == 0)
		ctx->no_timing = 1;
	else if (strcmp(name, "jsonl") == 0)
		ctx->jsonl = 1;
	else if (strcmp(name, "seed") == 0) {
		ctx->seed = (unsigned long)v->i;
		ctx->have_seed = 1;
	}
}

/* Defaults of the options not given, parsed like a command-line value; a bad table default is a
 * programming error, reported as internal (the man-page test runs every row through here). */
static int apply_defaults(const cli_option *opts, cli_value *values, pl_error *err)
{
	for (int k = 0; k < CLI_MAX_EXTRA && opts[k].name; k++) {
		if (values[k].given || !opts[k].dflt)
			continue;
		if (cli_opt_parse(&opts[k], opts[k].dflt, &values[k], err) != PL_OK) {
			pl_error_set(err, PL_ERR_INTERNAL, "", "option table: bad default for '--%s'",
				     opts[k].name);
			return CLI_EXIT_FAILURE;
		}
	}
	return -1;
}

/* Every row of a table is well formed (cli_opt_check_row); -1, or an exit code with err set. */
static int check_rows(const cli_option *opts, pl_error *err)
{
	for (int k = 0; k < CLI_MAX_EXTRA && opts[k].name; k++)
		if (cli_opt_check_row(&opts[k], err) != PL_OK)
			return CLI_EXIT_FAILURE;
	return -1;
}

/* `peerlink --man`: the manual page from the table, after checking every row (so a malformed
 * row or a bad default fails the man-page test instead of one rarely used subcommand). */
static int print_man(void)
{
	pl_error err = PL_ERROR_INIT;
	int rc = check_rows(common_options, &err);

	for (size_t k = 0; rc < 0 && k < NCOMMANDS; k++)
		rc = check_rows(commands[k].extra, &err);
	if (rc >= 0) {
		cli_print_error(&err, 0, 0);
		return rc;
	}
	cli_print_man(stdout, commands, NCOMMANDS, common_options);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/* The option name as typed, without any "=value" (which must never be echoed). */
static void unknown_option(const char *name, size_t len)
{
	char shown[64];
	snprintf(shown, sizeof(shown), "--%.*s", (int)(len < 40 ? len : 40), name);
	usage_error("unknown option '%s' (see --help)", shown);
}

/* Returns -1 to continue, or an exit code (help printed, or a usage error reported). */
static int parse_options(cli_ctx *ctx, int argc, char **argv)
{
	for (int a = 0; a < argc; a++) {
		const char *arg = argv[a], *name, *eq, *value = "";
		const cli_option *opt;
		cli_value v;
		int is_extra, k;
		size_t len;

		if (strcmp(arg, "-h") == 0)
			arg = "--help";
		else if (strcmp(arg, "-i") == 0)
			arg = "--input";
		else if (strcmp(arg, "-o") == 0)
			arg = "--output";
		if (strncmp(arg, "--", 2) != 0) {
			usage_error("unexpected argument (options start with '--'; see --help)");
			return CLI_EXIT_USAGE;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		k = lookup_option(ctx->cmd, name, len, &is_extra, &opt);
		if (k < 0) {
			unknown_option(name, len);
			return CLI_EXIT_USAGE;
		}
		if (opt->type != CLI_OPT_FLAG) {
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
		}
		if (cli_opt_parse(opt, value, &v, &ctx->err) != PL_OK) {
			cli_print_error(&ctx->err, 0, 0);
			return CLI_EXIT_USAGE;
		}
		v.given = 1;
		if (is_extra) {
			ctx->extra[k] = v;
		} else if (strcmp(opt->name, "help") == 0) {
			print_subcommand_help(ctx->cmd);
			return CLI_EXIT_OK;
		} else {
			set_common(ctx, opt->name, &v);
		}
	}
	if (apply_defaults(ctx->cmd->extra, ctx->extra, &ctx->err) >= 0) {
		cli_print_error(&ctx->err, 0, 0);
		return CLI_EXIT_FAILURE;
	}
	/* Checked here, before any input is read, so that the error is about the options (pointer
	 * ""), not about the first JSON Lines record (it was "/0"). */
	if (ctx->jsonl && cli_format_csv(ctx)) {
		usage_error("'--format csv' writes one roster; it does not combine with '--jsonl'");
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/* The whole CLI as a function (entry.c's main() calls it; the fuzz targets call it in-process):
 * it returns the exit code and never calls exit(). peerlink-mpi calls cli_main_with() with its
 * own runner: the same table, options and checks, other execution. */
int cli_run_default(cli_ctx *ctx)
{
	if (ctx->jsonl && cli_jsonl_records(ctx->cmd))
		return cli_run_lines(ctx, cli_record_document, NULL);
	return ctx->cmd->run(ctx);
}

int cli_main(int argc, char **argv)
{
	return cli_main_with(argc, argv, cli_run_default);
}

int cli_main_with(int argc, char **argv, cli_runner runner)
{
	cli_ctx ctx;
	const cli_command *cmd;
	const char *sub = NULL;
	int known, first_opt = 2, rc;

	/* GSL's error handler is left alone (its default aborts): the library calls no GSL routine
	 * that can reach it (docs/HACKING.md, "GSL and its error handler"), and tests/unit/test_nomem.c
	 * runs those paths with failing allocations under the default handler. */
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_main_help();
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("peerlink %s\n", pl_version());
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--man") == 0) /* hidden: regenerates docs/peerlink.1 */
		return print_man();
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
		char words[200];
		list_words(words, sizeof(words), known ? argv[1] : NULL);
		if (known)
			usage_error("unknown subcommand (the word after '%s'); its subcommands are: %s (see "
				    "peerlink %s --help)", argv[1], words, argv[1]);
		else
			usage_error("unknown command (the first word); the commands are: %s (see peerlink "
				    "--help)", words);
		return CLI_EXIT_USAGE;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.cmd = cmd;
	rc = parse_options(&ctx, argc - first_opt, argv + first_opt);
	if (rc >= 0)
		return rc;
	rc = runner(&ctx);
	if (rc != CLI_EXIT_OK)
		cli_print_error(&ctx.err, ctx.err_line, ctx.err_column);
	return rc;
}
