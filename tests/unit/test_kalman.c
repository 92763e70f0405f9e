/*
 * test_kalman.c: the Kalman filter against hand-computed values (a scalar random walk with
 * noise; the steady-state gain of the local-level model, Harvey 1989 section 3.3.3), the
 * sequential scalar updates against the joint update, and the references of `risk evaluate`
 * (reference.c): the full-information oracle's Monte Carlo is deterministic under a seed,
 * converges as draws grow and equals the exact answer when the future is deterministic; the
 * observable reference reads no day after the one it scores.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <peerlink/gen.h>
#include <peerlink/kalman.h>
#include <peerlink/rng.h>
#include "reference_int.h"
#include "testutil.h"

START_TEST(scalar_random_walk_by_hand)
{
	pl_kalman k;
	pl_error err = PL_ERROR_INIT;
	double v, f;

	ck_assert_int_eq(pl_kalman_init(&k, 1, &err), PL_OK);
	pl_kalman_set_prior(&k, 0, 0.0, 10.0);
	gsl_vector_set(k.h, 0, 1.0);
	/* y = 2, r = 1: f = 11, a = 20/11, P = 10 - 100/11 = 10/11 */
	f = pl_kalman_update(&k, 2.0, 1.0, &v);
	ck_assert_double_eq_tol(f, 11.0, 1e-12);
	ck_assert_double_eq_tol(v, 2.0, 1e-12);
	ck_assert_double_eq_tol(gsl_vector_get(k.a, 0), 20.0 / 11.0, 1e-12);
	ck_assert_double_eq_tol(gsl_matrix_get(k.P, 0, 0), 10.0 / 11.0, 1e-12);
	/* random walk step with q = 0.5: P = 10/11 + 1/2 = 31/22; then y = 1, r = 1:
	 * f = 53/22, gain 31/53, a = 20/11 + (31/53)(1 - 20/11), P = (31/22)(22/53) = 31/53 */
	pl_kalman_predict(&k, 0, 1.0, 0.5);
	ck_assert_double_eq_tol(gsl_matrix_get(k.P, 0, 0), 31.0 / 22.0, 1e-12);
	f = pl_kalman_update(&k, 1.0, 1.0, NULL);
	ck_assert_double_eq_tol(f, 53.0 / 22.0, 1e-12);
	ck_assert_double_eq_tol(gsl_vector_get(k.a, 0), 20.0 / 11.0 + 31.0 / 53.0 * (1.0 - 20.0 / 11.0),
				1e-12);
	ck_assert_double_eq_tol(gsl_matrix_get(k.P, 0, 0), 31.0 / 53.0, 1e-12);
	/* AR(1) prediction: a scales by phi, P by phi^2, plus q */
	pl_kalman_predict(&k, 0, 0.5, 0.25);
	ck_assert_double_eq_tol(gsl_matrix_get(k.P, 0, 0), 0.25 * 31.0 / 53.0 + 0.25, 1e-12);
	pl_kalman_release(&k);
}
END_TEST

START_TEST(local_level_steady_state_gain)
{
	const double q = 0.3, r = 1.2;
	double P = pl_kalman_local_level_steady_var(q, r);
	pl_kalman k;
	pl_error err = PL_ERROR_INIT;
	tu_rng rng = { 7 };

	/* the fixed point of P = P r / (P + r) + q */
	ck_assert_double_eq_tol(P, P * r / (P + r) + q, 1e-12);
	ck_assert_int_eq(pl_kalman_init(&k, 1, &err), PL_OK);
	pl_kalman_set_prior(&k, 0, 0.0, 100.0);
	gsl_vector_set(k.h, 0, 1.0);
	for (int t = 0; t < 200; t++) {
		double f = pl_kalman_update(&k, tu_uniform(&rng), r, NULL);
		/* after many steps the predicted variance is the steady one, the gain P / (P + r) */
		if (t > 100) {
			ck_assert_double_eq_tol(f - r, P, 1e-9);
			ck_assert_double_eq_tol((f - r) / f, P / (P + r), 1e-9);
		}
		pl_kalman_predict(&k, 0, 1.0, q);
	}
	pl_kalman_release(&k);
}
END_TEST

/* Two readings with independent errors, one after the other, give the joint update
 * a + P H'(H P H' + R)^-1 (y - H a) (Durbin & Koopman 2012, section 6.4). */
START_TEST(sequential_equals_joint_update)
{
	double P0[4] = { 2.0, 0.3, 0.3, 1.0 }, a0[2] = { 0.5, -1.0 };
	double H[4] = { 1.0, 1.0, 0.5, -2.0 }, R[2] = { 0.7, 1.5 }, y[2] = { 1.0, 3.0 };
	double S[4], PHt[4], inn[2], sol[2], c[2];
	pl_kalman k;
	pl_error err = PL_ERROR_INIT;
	int sign;

	ck_assert_int_eq(pl_kalman_init(&k, 2, &err), PL_OK);
	for (int i = 0; i < 2; i++) {
		gsl_vector_set(k.a, (size_t)i, a0[i]);
		for (int j = 0; j < 2; j++)
			gsl_matrix_set(k.P, (size_t)i, (size_t)j, P0[2 * i + j]);
	}
	for (int i = 0; i < 2; i++) {
		gsl_vector_set(k.h, 0, H[2 * i]);
		gsl_vector_set(k.h, 1, H[2 * i + 1]);
		pl_kalman_update(&k, y[i], R[i], NULL);
	}
	/* the joint update by hand with GSL's LU */
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++) {
			PHt[2 * i + j] = P0[2 * i] * H[2 * j] + P0[2 * i + 1] * H[2 * j + 1];
		}
	for (int i = 0; i < 2; i++) {
		inn[i] = y[i] - (H[2 * i] * a0[0] + H[2 * i + 1] * a0[1]);
		for (int j = 0; j < 2; j++)
			S[2 * i + j] = H[2 * i] * PHt[j] + H[2 * i + 1] * PHt[2 + j] + (i == j ? R[i] : 0);
	}
	{
		gsl_matrix_view Sv = gsl_matrix_view_array(S, 2, 2);
		gsl_vector_view iv = gsl_vector_view_array(inn, 2), sv = gsl_vector_view_array(sol, 2);
		gsl_permutation *perm = gsl_permutation_alloc(2);
		gsl_linalg_LU_decomp(&Sv.matrix, perm, &sign);
		gsl_linalg_LU_solve(&Sv.matrix, perm, &iv.vector, &sv.vector);
		gsl_permutation_free(perm);
	}
	for (int i = 0; i < 2; i++) {
		double want = a0[i] + PHt[2 * i] * sol[0] + PHt[2 * i + 1] * sol[1];
		ck_assert_double_eq_tol(gsl_vector_get(k.a, (size_t)i), want, 1e-12);
	}
	c[0] = 1.0;
	c[1] = 0.0;
	ck_assert_double_eq_tol(pl_kalman_mean_of(&k, c), gsl_vector_get(k.a, 0), 1e-15);
	ck_assert_double_eq_tol(pl_kalman_var_of(&k, c), gsl_matrix_get(k.P, 0, 0), 1e-15);
	pl_kalman_release(&k);
}
END_TEST

/* A client drawn with its latent record. */
static void draw(const pl_gen_checkins_params *p, unsigned long seed, size_t days, pl_gen_client *c,
		 pl_gen_latent *lat)
{
	gsl_rng *r = pl_rng_new(seed, PL_RNG_GEN_CHECKINS);
	pl_error err = PL_ERROR_INIT;
	ck_assert_int_eq(pl_gen_checkins_client_latent(p, r, days, c, lat, &err), PL_OK);
	pl_rng_free(r);
}

START_TEST(latent_draws_the_same_client)
{
	pl_gen_checkins_params p;
	pl_gen_client a = PL_GEN_CLIENT_INIT, b = PL_GEN_CLIENT_INIT;
	pl_gen_latent lat;
	gsl_rng *r = pl_rng_new(11, PL_RNG_GEN_CHECKINS);
	pl_error err = PL_ERROR_INIT;

	pl_gen_checkins_params_init(&p);
	ck_assert_int_eq(pl_gen_checkins_client(&p, r, 90, &a, &err), PL_OK);
	draw(&p, 11, 90, &b, &lat);
	for (size_t t = 0; t < 90; t++) {
		ck_assert(a.state[t] == b.state[t]);
		ck_assert(a.hazard[t] == b.hazard[t]);
		ck_assert(lat.prime_days[t] <= 7);
		ck_assert(lat.episode_pos[t] <= lat.episode_len[t]);
	}
	pl_rng_free(r);
	pl_gen_client_release(&a);
	pl_gen_client_release(&b);
	pl_gen_latent_release(&lat);
}
END_TEST

static double oracle(const pl_gen_checkins_params *p, const pl_gen_client *c,
		     const pl_gen_latent *lat, size_t t, size_t draws, unsigned long seed)
{
	gsl_rng *r = pl_rng_new(seed, PL_RNG_ORACLE);
	double v = pl_gen_checkins_window_risk(p, c, lat, t, 7, draws, r);
	pl_rng_free(r);
	return v;
}

START_TEST(oracle_deterministic_and_converges)
{
	pl_gen_checkins_params p;
	pl_gen_client c = PL_GEN_CLIENT_INIT;
	pl_gen_latent lat;
	double worst = 0;

	pl_gen_checkins_params_init(&p);
	p.immune_fraction = 0;
	p.hazard_intercept = -5; /* lapses common enough to matter */
	draw(&p, 3, 120, &c, &lat);
	for (size_t t = 10; t < 120; t += 11) {
		double a = oracle(&p, &c, &lat, t, 200, 5), b = oracle(&p, &c, &lat, t, 200, 5);
		double big1 = oracle(&p, &c, &lat, t, 20000, 1), big2 = oracle(&p, &c, &lat, t, 20000, 2);
		ck_assert(a == b);                 /* the same seed, the same answer */
		ck_assert(a > 0 && a < 1);
		ck_assert(fabs(a - big1) < 0.05);  /* 200 draws already close */
		/* two independent 20,000-draw estimates agree to Monte Carlo precision */
		if (fabs(big1 - big2) > worst)
			worst = fabs(big1 - big2);
	}
	ck_assert_msg(worst < 0.004, "20,000-draw estimates differ by %g", worst);
	pl_gen_client_release(&c);
	pl_gen_latent_release(&lat);
}
END_TEST

/* With no noise, no episodes, no use and no medication the future is one path: the oracle is
 * 1 - prod (1 - logistic(alpha + slope x_{t+s})), x_{t+s} = mu + phi^s (x_t - mu). */
START_TEST(oracle_exact_when_future_is_certain)
{
	pl_gen_checkins_params p;
	pl_gen_client c = PL_GEN_CLIENT_INIT;
	pl_gen_latent lat;

	pl_gen_checkins_params_init(&p);
	p.immune_fraction = 0;
	p.noise_sd = 0;
	p.episode_rate = 0;
	p.use_priming = 0;
	p.unrecorded_use = -50;
	p.medication_fraction = 0;
	p.baseline_sd = 1.0;
	p.hazard_intercept = -3;
	draw(&p, 9, 40, &c, &lat);
	for (size_t t = 0; t < 40; t++) {
		double x = c.state[t], surv = 1, want;
		for (int s = 1; s <= 7; s++) {
			double f = s == 1 && c.lapse[t] ? p.reset_fraction : lat.phi;
			x = lat.mu + f * (x - lat.mu);
			surv *= 1 - 1 / (1 + exp(-(lat.alpha + p.hazard_slope * x)));
		}
		want = 1 - surv;
		ck_assert_double_eq_tol(oracle(&p, &c, &lat, t, 3, 1), want, 1e-12);
	}
	pl_gen_client_release(&c);
	pl_gen_latent_release(&lat);
}
END_TEST

/* A generated client as the evaluation reads it (standard catalogue, lapse events). */
static void as_client(const pl_gen_client *g, size_t days, pl_client *c)
{
	pl_error err = PL_ERROR_INIT;
	size_t ne = 0;

	memset(c, 0, sizeof(*c));
	ck_assert_int_eq(pl_client_alloc_grid(c, days, PL_M_NSTANDARD, &err), PL_OK);
	c->start = g->start;
	for (size_t m = 0; m < PL_M_NSTANDARD; m++)
		for (size_t t = 0; t < days; t++)
			c->values[m * days + t] = g->values[m * g->days + t];
	for (size_t t = 0; t < days; t++) {
		c->checked_in[t] = !isnan(g->values[t]);
		ne += g->lapse[t];
	}
	c->events = malloc((ne ? ne : 1) * sizeof(pl_event));
	for (size_t t = 0; t < days; t++)
		if (g->lapse[t])
			c->events[c->nevents++] = (pl_event){ g->start + (int32_t)t, PL_EVENT_LAPSE };
}

START_TEST(observable_reference_is_causal)
{
	pl_gen_checkins_params p;
	pl_gen_client g = PL_GEN_CLIENT_INIT;
	pl_gen_latent lat;
	pl_client full, part;
	pl_error err = PL_ERROR_INIT;
	double rf[150], rp[80];

	pl_gen_checkins_params_init(&p);
	p.hazard_intercept = -5;
	draw(&p, 21, 150, &g, &lat);
	as_client(&g, 150, &full);
	as_client(&g, 80, &part);
	ck_assert_int_eq(pl__reference_observable(&p, &full, 1, 7, rf, &err), PL_OK);
	ck_assert_int_eq(pl__reference_observable(&p, &part, 1, 7, rp, &err), PL_OK);
	for (size_t t = 0; t < 80; t++) {
		ck_assert(rf[t] == rp[t]);
		ck_assert(rf[t] >= 0 && rf[t] <= 1);
	}
	pl_client_release(&full);
	pl_client_release(&part);
	pl_gen_client_release(&g);
	pl_gen_latent_release(&lat);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kalman");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, scalar_random_walk_by_hand);
	tcase_add_test(tc, local_level_steady_state_gain);
	tcase_add_test(tc, sequential_equals_joint_update);
	tcase_add_test(tc, latent_draws_the_same_client);
	tcase_add_test(tc, oracle_deterministic_and_converges);
	tcase_add_test(tc, oracle_exact_when_future_is_certain);
	tcase_add_test(tc, observable_reference_is_causal);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
