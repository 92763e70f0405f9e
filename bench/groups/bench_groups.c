/*
 * bench_groups.c: timing and quality of pl_groups_solve on the benchmark size (500
 * clients into groups of 6-10) and a few others, with the upper bound and gap it reports.
 *
 * Two kinds of score matrix: "uniform" (independent U(0,1) scores: no structure, the hardest case
 * for any bound) and "tags" (each client has 3-6 tags out of 24 clustered themes plus a few
 * numeric traits, scored like peerlink compat: Jaccard overlap mixed with trait similarity), which
 * is what `match groups` sees in practice. Build and run with bench/groups/run.sh.
 */
#define _POSIX_C_SOURCE 200809L
#include <peerlink/groups.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rs;
static double unif(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this process: the machine is shared, so wall time alone can mislead. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double *make_scores(size_t n, int tags)
{
	double *s = malloc(n * n * sizeof(double));
	uint32_t *t = malloc(n * sizeof(uint32_t));
	double *x = malloc(n * 3 * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		int theme = (int)(unif() * 4), k = 3 + (int)(unif() * 4);
		t[i] = 0;
		for (int a = 0; a < k; a++) /* mostly tags of the client's theme (6 each), some others */
			t[i] |= 1u << (unif() < 0.7 ? theme * 6 + (int)(unif() * 6) : (int)(unif() * 24));
		for (int d = 0; d < 3; d++)
			x[i * 3 + d] = unif();
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++) {
			double v;
			if (!tags) {
				v = unif();
			} else {
				double jac = (double)__builtin_popcount(t[i] & t[j]) /
					     (double)__builtin_popcount(t[i] | t[j]);
				double dist = 0;
				for (int d = 0; d < 3; d++)
					dist += fabs(x[i * 3 + d] - x[j * 3 + d]);
				v = 0.7 * jac + 0.3 * (1.0 - dist / 3.0);
			}
			s[i * n + j] = s[j * n + i] = i == j ? 0.0 : v;
		}
	free(t);
	free(x);
	return s;
}

static unsigned long opt_steps, opt_restarts, opt_bound;

static void run(size_t n, size_t lo, size_t hi, int tags, unsigned long seed)
{
	size_t G = (n + hi - 1) / hi;
	size_t *mn = malloc(G * sizeof(size_t)), *mx = malloc(G * sizeof(size_t));
	double *s, t0, c0, ms, cms;
	pl_groups_problem p = PL_GROUPS_PROBLEM_INIT;
	pl_groups_result r;
	pl_error err = PL_ERROR_INIT;

	rs = seed;
	s = make_scores(n, tags);
	for (size_t g = 0; g < G; g++) {
		mn[g] = lo;
		mx[g] = hi;
	}
	p.n = n;
	p.score = s;
	p.ngroups = G;
	p.min_size = mn;
	p.max_size = mx;
	p.seed = seed;
	p.steps = opt_steps;
	p.restarts = (unsigned)opt_restarts;
	p.bound_iterations = (unsigned)opt_bound;
	t0 = now_ms();
	c0 = cpu_ms();
	if (pl_groups_solve(&p, &r, &err) != PL_OK) {
		printf("error: %s\n", err.message);
		exit(1);
	}
	ms = now_ms() - t0;
	cms = cpu_ms() - c0;
	printf("%-8s n=%4zu groups=%3zu size=[%zu,%zu] seed=%lu  placed=%zu objective=%.3f "
	       "bound=%.3f (simple %.3f) gap=%.1f%%  %.0f ms (cpu %.0f ms)\n",
	       tags ? "tags" : "uniform", n, G, lo, hi, seed, r.placed, r.objective, r.upper_bound,
	       r.simple_bound, 100 * r.gap, ms, cms);
	pl_groups_result_release(&r);
	free(s);
	free(mn);
	free(mx);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)atol(argv[1]) : 500;
	/* optional: annealing steps per run, runs, bound iterations (0: the library's defaults) */
	opt_steps = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
	opt_restarts = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	opt_bound = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
	for (unsigned long seed = 1; seed <= 3; seed++) {
		run(n, 6, 10, 1, seed);
		run(n, 6, 10, 0, seed);
	}
	return 0;
}
