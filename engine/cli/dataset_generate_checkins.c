/*
 * dataset_generate_checkins.c: `peerlink dataset generate checkins`: a seeded synthetic cohort of
 * check-in clients with the true daily hazard (docs/datasets.md, "Check-in cohorts").
 *
 * Clients are drawn one after the other and written as they come (the CLI's one writer, flushed
 * per client), so memory stays at one client; --pretty without --jsonl builds the whole document.
 */
#include "dataset.h"

#include <math.h>
#include <stdio.h>

#include <peerlink/rng.h>
#include <peerlink/gen.h>
#include <peerlink/json_data.h>

/* What the stats report about the cohort, counted while it streams by. */
typedef struct cohort_tally {
	size_t lapses, lapsed, immune, slots, filled;
} cohort_tally;

static void tally(cohort_tally *s, const pl_gen_client *c)
{
	s->lapses += c->nlapses;
	s->lapsed += c->nlapses > 0;
	s->immune += (size_t)c->immune;
	for (size_t t = 0; t < c->days; t++) {
		s->slots++;
		s->filled += !isnan(c->values[(size_t)PL_GEN_CRAVING * c->days + t]);
	}
}

static json_t *cohort_stats(cli_ctx *ctx, const pl_gen_checkins_params *par, unsigned long seed,
			    long nclients, long ndays, const cohort_tally *s, double t0)
{
	json_t *stats = json_object();

	json_object_set_new(stats, "algorithm",
			    json_string("AR(1) latent state with erosion episodes and a logistic hazard "
					"(docs/datasets.md)"));
	json_object_set_new(stats, "seed", json_integer((json_int_t)seed));
	json_object_set_new(stats, "clients", json_integer(nclients));
	json_object_set_new(stats, "days", json_integer(ndays));
	json_object_set_new(stats, "lapses", json_integer((json_int_t)s->lapses));
	json_object_set_new(stats, "clients_with_lapse", json_integer((json_int_t)s->lapsed));
	json_object_set_new(stats, "immune_clients", json_integer((json_int_t)s->immune));
	json_object_set_new(stats, "checkin_rate",
			    json_real(s->slots ? round(1e4 * (double)s->filled / (double)s->slots) / 1e4 : 0.0));
	json_object_set_new(stats, "params", pl_json_write_gen_checkins_params(par));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	return stats;
}

/* One client out: into the whole document, or onto the stream (flushed: an exit code whose
 * message says how many clients got out when writing fails). */
static int emit_client(cli_ctx *ctx, cli_out *out, json_t *all, json_t *cj, long i)
{
	if (all) {
		json_array_append_new(all, cj);
		return CLI_EXIT_OK;
	}
	if (!ctx->jsonl && i > 0)
		cli_out_text(out, ",");
	dataset_stream_json(out, cj, JSON_COMPACT);
	if (ctx->jsonl)
		cli_out_text(out, "\n");
	return cli_out_record(ctx, out);
}

int cmd_dataset_generate_checkins(cli_ctx *ctx)
{
	pl_gen_checkins_params par;
	pl_gen_client c = PL_GEN_CLIENT_INIT;
	json_t *all = NULL, *stats;
	gsl_rng *rng = NULL;
	cli_out out = { 0 };
	long nclients = (long)cli_opt_int(ctx, "clients"), ndays = (long)cli_opt_int(ctx, "days");
	unsigned long seed = ctx->have_seed ? ctx->seed : 1;
	cohort_tally counts = { 0, 0, 0, 0, 0 };
	int rc, truth = !cli_opt_flag(ctx, "no-truth"), whole = ctx->pretty && !ctx->jsonl;
	double t0 = cli_now_ms();

	pl_gen_checkins_params_init(&par);
	if ((rc = dataset_read_params(ctx, &par, NULL)) != CLI_EXIT_OK)
		return rc;
	rng = pl_rng_new(seed, PL_RNG_GEN_CHECKINS);
	if (!rng)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	if (whole) {
		all = json_array();
	} else {
		if ((rc = cli_out_open(ctx, &out)) != CLI_EXIT_OK)
			goto done;
		if (!ctx->jsonl)
			cli_out_text(&out, "{\"clients\":[");
	}
	for (long i = 0; i < nclients; i++) {
		char id[32];

		if (pl_gen_checkins_client(&par, rng, (size_t)ndays, &c, &ctx->err) != PL_OK) {
			rc = cli_exit_for(ctx->err.code);
			goto done;
		}
		tally(&counts, &c);
		snprintf(id, sizeof(id), "c%05ld", i + 1);
		rc = emit_client(ctx, &out, all, pl_json_write_gen_client(&c, id, truth), i);
		pl_gen_client_release(&c);
		if (rc != CLI_EXIT_OK)
			goto done;
	}
	stats = cohort_stats(ctx, &par, seed, nclients, ndays, &counts, t0);
	if (whole) {
		json_t *doc = json_object();
		json_object_set_new(doc, "clients", all);
		all = NULL;
		json_object_set_new(doc, "stats", stats);
		rc = cli_write_output(ctx, doc);
		goto done;
	}
	if (ctx->jsonl) {
		json_decref(stats); /* JSON Lines hold clients only */
	} else {
		cli_out_text(&out, "],\"stats\":");
		dataset_stream_json(&out, stats, dataset_dump_flags(ctx));
		cli_out_text(&out, "}\n");
	}
	rc = cli_out_close(ctx, &out);
done:
	cli_out_abandon(&out); /* after an error: no partial file */
	pl_gen_client_release(&c);
	json_decref(all);
	pl_rng_free(rng);
	return rc;
}
