/*
 * mpi_main.c: main() of peerlink-mpi (docs/scale.md): the peerlink CLI on every MPI rank, with a
 * runner that spreads the heavy commands over the ranks:
 *   match mentors|buddies|groups --jsonl   programs (lines) dealt to ranks    (mpi_farm.c)
 *   risk score --jsonl                     clients (lines) dealt to ranks     (mpi_risk.c)
 *   risk train                             clients split, fit sums reduced    (mpi_risk.c)
 *   risk evaluate                          clients, folds, replicates split   (mpi_risk.c)
 * Every other command runs on rank 0 alone, exactly as peerlink runs it. Output is byte for byte
 * the single-process CLI's (with --no-timing) for any number of ranks; tests/mpi/ checks it.
 */
#include "mpi_cli.h"

#include <stdio.h>

/* Ranks other than 0 never write answers or errors: rank 0 reports for the run. */
static void quiet(void)
{
	if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
		return; /* nothing better to do: the rank just stays talkative */
}

static int run(cli_ctx *ctx)
{
	mpi_world w;
	int rc;

	mpi_world_get(&w);
	if (ctx->jsonl && cli_jsonl_records(ctx->cmd)) {
		mpi_farm_spec spec = { .fn = cli_record_document, .write = 1 };
		return mpi_farm_lines(&w, ctx, &spec);
	}
	if (ctx->jsonl && ctx->cmd->run == cmd_risk_score)
		return mpi_risk_score(&w, ctx);
	if (ctx->cmd->run == cmd_risk_train)
		return mpi_risk_train(&w, ctx);
	if (ctx->cmd->run == cmd_risk_evaluate)
		return mpi_risk_evaluate(&w, ctx);
	/* Everything else: rank 0 alone; every rank returns its exit code. */
	rc = w.rank == 0 ? cli_run_default(ctx) : CLI_EXIT_OK;
	MPI_Bcast(&rc, 1, MPI_INT, 0, w.comm);
	return rc;
}

int main(int argc, char **argv)
{
	int rank, rc;

	/* as peerlink does (process.c), before MPI_Init: MPI's own memory settings, if it has
	 * any, then come after ours and stand */
	cli_process_setup();
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	if (rank != 0)
		quiet();
	rc = cli_main_with(argc, argv, run);
	MPI_Finalize();
	return rc;
}
