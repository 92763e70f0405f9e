/*
 * dataset_generate_profiles.c: `peerlink dataset generate profiles`: a seeded synthetic matching
 * program (mentees, mentors, clients) with planted communities (docs/datasets.md, "Matching
 * programs").
 */
#include "dataset.h"

#include <peerlink/rng.h>
#include <peerlink/gen.h>
#include <peerlink/json_data.h>

/* The defaults, overridden by the --params file, then by the command line's counts. */
static int read_params(cli_ctx *ctx, pl_gen_profiles_params *par)
{
	static const char *const counts[] = { "mentees", "mentors", "clients" };
	int rc;

	pl_gen_profiles_params_init(par);
	rc = dataset_read_params(ctx, NULL, par);
	for (int k = 0; rc == CLI_EXIT_OK && k < 3; k++) {
		long *field = k == 0 ? &par->mentees : k == 1 ? &par->mentors : &par->clients;
		if (cli_opt_given(ctx, counts[k]))
			*field = (long)cli_opt_int(ctx, counts[k]);
	}
	return rc;
}

int cmd_dataset_generate_profiles(cli_ctx *ctx)
{
	pl_gen_profiles_params par;
	pl_gen_program *prog = NULL;
	json_t *doc, *stats;
	gsl_rng *rng;
	unsigned long seed = ctx->have_seed ? ctx->seed : 1;
	int rc;
	double t0 = cli_now_ms();

	if ((rc = read_params(ctx, &par)) != CLI_EXIT_OK)
		return rc;
	rng = pl_rng_new(seed, PL_RNG_GEN_PROFILES);
	if (!rng)
		return cli_fail(ctx, PL_ERR_NOMEM, "", "out of memory");
	if (pl_gen_program_new(&par, rng, &prog, &ctx->err) != PL_OK) {
		pl_rng_free(rng);
		return cli_exit_for(ctx->err.code);
	}
	pl_rng_free(rng);
	doc = pl_json_write_gen_program(prog);
	pl_gen_program_free(prog);
	stats = json_object();
	json_object_set_new(stats, "algorithm",
			    json_string("latent communities with signature tags (docs/datasets.md)"));
	json_object_set_new(stats, "seed", json_integer((json_int_t)seed));
	json_object_set_new(stats, "params", pl_json_write_gen_profiles_params(&par));
	json_object_set_new(stats, "solve_ms", json_real(cli_ms(ctx, cli_now_ms() - t0)));
	json_object_set_new(doc, "stats", stats);
	return cli_write_output(ctx, doc);
}
