/*
 * risk_score.c: `peerlink risk score`: calibrated lapse risk for each client with a model.
 *
 * Input  {"clients": [client, ...], "measures": {catalogue}, ...} or, with --jsonl, one client
 *        object per line. Clients are in the row or columnar form of include/peerlink/checkins.h.
 * Output {"clients": [{id, as_of, horizon_days, risk, tier, signals, contributions,
 *        data_quality}], "model": {...}, "stats": {...}}, or one result per line with --jsonl.
 *
 * Scoring runs through risk_pipeline.c, which parses and scores clients on a reader thread plus
 * worker threads and hands them back in input order; the answer of one client is the JSON
 * layer's pl_risk_result_to_json.
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "risk_cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(round(x * 1e6) / 1e6 + 0.0) : json_null();
}

/* The default model: $PEERLINK_MODEL, else models/default.json in the data directory. */
static char *default_model_path(void)
{
	const char *env = getenv("PEERLINK_MODEL");

	if (env && *env)
		return strdup(env);
	return cli_data_file("models/default.json");
}

static pl_status load_model(cli_ctx *ctx, pl_risk_model *m)
{
	const char *given = cli_opt_str(ctx, "model");
	char *path = given ? strdup(given) : default_model_path();
	pl_status st;

	if (!path)
		return pl_error_set(&ctx->err, PL_ERR_IO, "",
				    "no default model found (models/default.json in the data "
				    "directory, see peerlink(1) FILES); give --model FILE");
	st = pl_risk_model_read_file(path, m, &ctx->err);
	free(path);
	return st;
}

/* The actions table: --actions FILE, else models/actions.json in the data directory; without
 * either the answers carry no actions (an empty list). */
static pl_status load_actions(cli_ctx *ctx, pl_action_table *t)
{
	const char *given = cli_opt_str(ctx, "actions");
	char *path = given ? strdup(given) : cli_data_file("models/actions.json");
	pl_status st = PL_OK;

	if (path)
		st = pl_action_table_read_file(path, t, &ctx->err);
	else if (given)
		st = pl_error_set(&ctx->err, PL_ERR_NOMEM, "", "out of memory");
	free(path);
	return st;
}

/* Add the document's own catalogue to the model's (same names must mean the same thing). */
static pl_status merge_catalogue(pl_risk_model *m, json_t *measures, pl_error *err)
{
	pl_catalogue extra = PL_CATALOGUE_INIT;
	pl_status st = pl_catalogue_from_json(&extra, measures, "/measures", err);

	for (size_t k = PL_M_NSTANDARD; st == PL_OK && k < extra.n; k++) {
		char p[PL_POINTER_MAX];
		st = pl_catalogue_add(&m->catalogue, &extra.defs[k],
				      pl_json_ptr(p, sizeof(p), "/measures", extra.defs[k].name), err);
	}
	pl_catalogue_release(&extra);
	return st;
}

/* Answers in input order: trees (for --pretty) or compact texts. */
typedef struct collect_state {
	json_t *arr;
	char **texts;
	size_t n, cap;
} collect_state;

static pl_status collect(void *arg, json_t *answer, char *text, pl_error *err)
{
	collect_state *cs = arg;
	if (answer) {
		json_array_append_new(cs->arr, answer);
		return PL_OK;
	}
	if (cs->n == cs->cap) {
		size_t nc = cs->cap ? 2 * cs->cap : 1024;
		char **nt = realloc(cs->texts, nc * sizeof(*nt));
		if (!nt) {
			free(text);
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		}
		cs->texts = nt;
		cs->cap = nc;
	}
	cs->texts[cs->n++] = text;
	return PL_OK;
}

/* --jsonl answers: one line each through the CLI's writer, flushed per client. */
typedef struct line_sink {
	cli_ctx *ctx;
	cli_out out;
} line_sink;

static pl_status write_line(void *arg, json_t *answer, char *text, pl_error *err)
{
	line_sink *ls = arg;
	(void)answer;
	(void)err; /* cli_out_record reports into ls->ctx->err, which is err */
	cli_out_text(&ls->out, text);
	cli_out_text(&ls->out, "\n");
	free(text);
	return cli_out_record(ls->ctx, &ls->out) == CLI_EXIT_OK ? PL_OK : ls->ctx->err.code;
}

/* The compact document {"clients":[texts...], <rest>} written piece by piece: byte for byte what
 * jansson would print for the whole tree. */
static int write_compact(cli_ctx *ctx, collect_state *cs, json_t *rest)
{
	char *tail = json_dumps(rest, JSON_COMPACT | JSON_REAL_PRECISION(15));
	char **pieces = malloc((2 * cs->n + 3) * sizeof(char *));
	size_t np = 0;
	int rc;

	if (!tail || !pieces) {
		free(tail);
		free(pieces);
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	}
	pieces[np++] = (char *)"{\"clients\":[";
	for (size_t k = 0; k < cs->n; k++) {
		if (k)
			pieces[np++] = (char *)",";
		pieces[np++] = cs->texts[k];
	}
	/* rest is "{...}" (or "{}"): continue after its opening brace. */
	pieces[np++] = (char *)(strcmp(tail, "{}") == 0 ? "]" : "],");
	pieces[np++] = tail + 1;
	rc = cli_out_pieces(ctx, pieces, np);
	free(pieces);
	free(tail);
	return rc;
}

/* The last recorded day of one client text (the fast reader, else jansson); INT32_MIN when the
 * client cannot be read: the scoring pass reports that client's error with its pointer. */
int32_t risk_text_last_day(const char *text, size_t len, const pl_catalogue *cat)
{
	return pl_risk_text_last_day(text, len, cat);
}

/* JSON Lines from a file: the latest recorded day over its lines (a first pass; the file is read
 * again to score). */
static int jsonl_latest_day(void *arg, cli_ctx *ctx, const pl_catalogue *cat, int32_t *latest)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0, len, index = 0;
	int got;

	(void)arg;
	if ((got = cli_open_input(ctx, &f)) != CLI_EXIT_OK)
		return got;
	while ((got = pl_json_read_line(f, &line, &cap, &len, index++, &ctx->err)) > 0) {
		int32_t d = risk_text_last_day(line, len, cat);
		if (d > *latest)
			*latest = d;
	}
	free(line);
	cli_close_input(f);
	return got < 0 ? cli_exit_for(ctx->err.code) : CLI_EXIT_OK;
}

/* One scoring date for the whole request (docs/risk.md, "as_of"): the document's "as_of", else
 * --as-of, else the latest recorded date in the input; never a client's own last check-in, so a
 * client who went quiet is scored on the silence. */
static pl_status resolve_as_of(cli_ctx *ctx, const char *doc_as_of, const risk_input *in,
			       json_t *clients, risk_scorer *s, risk_latest_fn latest_fn, void *arg)
{
	int32_t doc_day = 0, latest = INT32_MIN, opt = 0;
	int has_opt = cli_opt_given(ctx, "as-of");

	if (doc_as_of && pl_date_parse(doc_as_of, &doc_day) != 0)
		return pl_error_set(&ctx->err, PL_ERR_INVALID, "/as_of",
				    "'as_of' must be a calendar date \"YYYY-MM-DD\"");
	if (has_opt)
		opt = (int32_t)cli_opt_int(ctx, "as-of");
	if (doc_as_of && has_opt && opt != doc_day)
		return pl_error_set(&ctx->err, PL_ERR_USAGE, "/as_of",
				    "the input's 'as_of' and --as-of differ: give one scoring date");
	if (!doc_as_of && !has_opt) {
		const pl_catalogue *cat = &s->model.catalogue;
		/* Standard input cannot be read twice, so there --as-of is required. */
		if (ctx->jsonl && (!ctx->input_path || strcmp(ctx->input_path, "-") == 0))
			return pl_error_set(&ctx->err, PL_ERR_USAGE, "",
					    "with --jsonl from standard input give --as-of: every client "
					    "is scored as of one date, and the latest date in the input "
					    "is known only at its end");
		if (ctx->jsonl && (latest_fn ? latest_fn : jsonl_latest_day)(arg, ctx, cat, &latest) !=
					  CLI_EXIT_OK)
			return ctx->err.code;
		if (in && in->have_clients)
			latest = pl_risk_doc_latest_day(in, cat, risk_scoring_threads());
		for (size_t i = 0; i < json_array_size(clients); i++) {
			pl_client c = PL_CLIENT_INIT;
			pl_error err = PL_ERROR_INIT;
			if (pl_client_from_json(json_array_get(clients, i), cat, "", &c, &err) == PL_OK &&
			    pl_client_last_day(&c) > latest)
				latest = pl_client_last_day(&c);
			pl_client_release(&c);
		}
	}
	s->as_of = pl_as_of_resolve(doc_as_of != NULL, doc_day, has_opt, opt, latest);
	return PL_OK;
}

/* The scorer before the input's options: defaults, the model and the actions table. The one
 * setup of risk score and of peerlink-mpi's (risk_scorer_open_jsonl), so they cannot drift. */
static pl_status scorer_open(cli_ctx *ctx, risk_scorer *s)
{
	pl_status st;

	memset(s, 0, sizeof(*s));
	s->as_of = INT32_MIN;
	s->top = 10;
	s->serialize = ctx->jsonl || !ctx->pretty;
	st = load_model(ctx, &s->model);
	if (st == PL_OK)
		st = load_actions(ctx, &s->actions);
	return st;
}

int risk_scorer_open_jsonl(cli_ctx *ctx, risk_scorer *s, risk_latest_fn latest, void *arg)
{
	pl_status st = scorer_open(ctx, s);

	if (st == PL_OK)
		st = resolve_as_of(ctx, NULL, NULL, NULL, s, latest, arg);
	if (st != PL_OK)
		return cli_exit_for(st);
	if (cli_opt_given(ctx, "top"))
		s->top = (int)cli_opt_int(ctx, "top");
	return CLI_EXIT_OK;
}

void risk_scorer_release(risk_scorer *s)
{
	pl_risk_model_release(&s->model);
	pl_action_table_release(&s->actions);
}

/* The request document's own options (not with --jsonl): the keys allowed, "measures" merged
 * into the model's catalogue, "as_of", "top_contributions" and, unless the reader kept the
 * clients itself, the "clients" array (borrowed from doc). */
static pl_status read_request_options(cli_ctx *ctx, json_t *doc, const risk_input *in,
				      risk_scorer *s, const char **as_of, json_t **clients)
{
	static const char *const keys[] = { "clients", "measures", "as_of", "top_contributions",
					    "stats", NULL };
	long long top = s->top;
	pl_status st = pl_json_check_keys(doc, "", keys, &ctx->err);

	if (st == PL_OK)
		st = merge_catalogue(&s->model, json_object_get(doc, "measures"), &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_string(doc, "as_of", "", 0, as_of, &ctx->err);
	if (st == PL_OK)
		st = pl_json_get_integer(doc, "top_contributions", "", 0, &top, &ctx->err);
	if (st == PL_OK && (top < 0 || top > 100000))
		st = pl_error_set(&ctx->err, PL_ERR_INVALID, "/top_contributions",
				  "'top_contributions' must be an integer from 0 (all) up");
	s->top = (int)top;
	if (st == PL_OK && !in->have_clients)
		st = pl_json_get_array(doc, "clients", "", 1, clients, &ctx->err);
	return st;
}

/* The answer's "model": what scored the clients, and the disclaimer every answer carries. */
static json_t *model_json(const pl_risk_model *m)
{
	json_t *model = json_object();

	json_object_set_new(model, "version", json_integer(m->version));
	json_object_set_new(model, "horizon_days", json_integer(m->horizon_days));
	json_object_set_new(model, "features", json_integer((json_int_t)m->nfeatures));
	json_object_set_new(model, "calibration",
			    json_string(m->cal.method == PL_CAL_PLATT      ? "platt"
					: m->cal.method == PL_CAL_ISOTONIC ? "isotonic"
									   : "none"));
	json_object_set_new(model, "thresholds",
			    json_pack("{s:o,s:o}", "moderate", jnum(m->threshold_moderate), "high",
				      jnum(m->threshold_high)));
	json_object_set_new(model, "disclaimer",
			    json_string("Decision support, not a diagnosis: a risk estimate from "
					"check-in data for a clinician to review, trained on "
					"generated data unless the model card says otherwise; "
					"it cannot rule a lapse in or out. See the model card."));
	return model;
}

/* The answer's "stats": the counts of the tally and the timings (t_all: the command's start). */
static json_t *stats_json(const cli_ctx *ctx, const risk_tally *tally, double solve_ms,
			  double t_all)
{
	json_t *stats = json_object(), *tiers = json_object();

	json_object_set_new(stats, "algorithm",
			    json_string("calibrated logistic risk model over check-in features"));
	json_object_set_new(stats, "clients", json_integer((json_int_t)tally->clients));
	json_object_set_new(stats, "scored", json_integer((json_int_t)tally->scored));
	for (int k = 0; k < PL_NTIERS; k++)
		json_object_set_new(tiers, pl_risk_tier_name(k),
				    json_integer((json_int_t)tally->tiers[k]));
	json_object_set_new(stats, "tiers", tiers);
	json_object_set_new(stats, "checkins", json_integer((json_int_t)tally->checkins));
	json_object_set_new(stats, "parse_ms", json_real(cli_ms(ctx, ctx->parse_ms)));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, solve_ms)));
	json_object_set_new(stats, "total_ms", json_real(cli_ms(ctx, cli_now_ms() - t_all)));
	return stats;
}

int cmd_risk_score(cli_ctx *ctx)
{
	risk_scorer s;
	risk_tally tally;
	json_t *clients = NULL;
	const char *as_of = NULL;
	collect_state cs = { 0 };
	risk_input in;
	pl_status st;
	double t0, t_all = cli_now_ms();
	int rc;

	memset(&tally, 0, sizeof(tally));
	memset(&in, 0, sizeof(in));
	st = scorer_open(ctx, &s);
	if (st != PL_OK)
		goto fail;
	if (!ctx->jsonl) {
		rc = risk_read_document(ctx, &in);
		if (rc != CLI_EXIT_OK)
			goto out;
		t0 = cli_now_ms();
		st = read_request_options(ctx, in.doc, &in, &s, &as_of, &clients);
		if (st != PL_OK)
			goto fail;
		ctx->parse_ms += cli_now_ms() - t0;
	}
	t0 = cli_now_ms();
	st = resolve_as_of(ctx, as_of, ctx->jsonl ? NULL : &in, clients, &s, NULL, NULL);
	if (st != PL_OK)
		goto fail;
	ctx->parse_ms += cli_now_ms() - t0;
	if (cli_opt_given(ctx, "top"))
		s.top = (int)cli_opt_int(ctx, "top");
	t0 = cli_now_ms();
	if (ctx->jsonl) {
		line_sink ls = { .ctx = ctx };
		if ((rc = cli_out_open(ctx, &ls.out)) != CLI_EXIT_OK)
			goto out;
		st = risk_score_stream(ctx, &s, NULL, NULL, write_line, &ls, &tally, &ctx->err);
		rc = st == PL_OK ? cli_out_close(ctx, &ls.out) : cli_exit_for(st);
		cli_out_abandon(&ls.out); /* after an error: no partial file */
		goto out;
	}
	cs.arr = s.serialize ? NULL : json_array();
	st = risk_score_stream(ctx, &s, &in, clients, collect, &cs, &tally, &ctx->err);
	risk_input_release(&in);
	if (st != PL_OK)
		goto fail;
	{
		json_t *out = json_object(), *notes;
		double solve_ms = cli_now_ms() - t0;
		if (cs.arr) {
			json_object_set_new(out, "clients", cs.arr);
			cs.arr = NULL;
		}
		json_object_set_new(out, "model", model_json(&s.model));
		if ((notes = pl_risk_model_notes_json(&s.model)))
			json_object_set_new(out, "notes", notes);
		json_object_set_new(out, "stats", stats_json(ctx, &tally, solve_ms, t_all));
		if (s.serialize) {
			rc = write_compact(ctx, &cs, out);
			json_decref(out);
		} else {
			rc = cli_write_output(ctx, out);
		}
	}
	goto out;
fail:
	rc = cli_exit_for(st);
out:
	json_decref(cs.arr);
	for (size_t k = 0; k < cs.n; k++)
		free(cs.texts[k]);
	free(cs.texts);
	risk_input_release(&in);
	risk_scorer_release(&s);
	return rc;
}

