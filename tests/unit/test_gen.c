/*
 * test_gen.c: the synthetic data generators: determinism under a seed, and the properties the
 * models plant (docs/datasets.md): lapses follow the stated hazard, variance and autocorrelation
 * of the latent state rise before lapses, check-ins go missing more as the state worsens.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <peerlink/gen.h>
#include <peerlink/json_data.h>
#include "testutil.h"

/* A program drawn by the core and written by the JSON layer, as the CLI does. */
static pl_status gen_program(const pl_gen_profiles_params *p, gsl_rng *r, json_t **doc,
			     pl_error *err)
{
	pl_gen_program *g = NULL;
	pl_status st = pl_gen_program_new(p, r, &g, err);

	*doc = st == PL_OK ? pl_json_write_gen_program(g) : NULL;
	pl_gen_program_free(g);
	return st;
}

static char *cohort_text(unsigned long seed, size_t n, size_t days)
{
	pl_gen_checkins_params p;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	json_t *arr = json_array();
	char *s;

	pl_gen_checkins_params_init(&p);
	gsl_rng_set(r, seed);
	for (size_t i = 0; i < n; i++) {
		pl_gen_client c = PL_GEN_CLIENT_INIT;
		pl_error err = PL_ERROR_INIT;
		ck_assert_int_eq(pl_gen_checkins_client(&p, r, days, &c, &err), PL_OK);
		json_array_append_new(arr, pl_json_write_gen_client(&c, "x", 1));
		pl_gen_client_release(&c);
	}
	s = json_dumps(arr, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(arr);
	gsl_rng_free(r);
	return s;
}

START_TEST(test_deterministic)
{
	char *a = cohort_text(11, 30, 60), *b = cohort_text(11, 30, 60), *c = cohort_text(12, 30, 60);
	ck_assert_str_eq(a, b);
	ck_assert(strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
}
END_TEST

/* The CLI too: same seed, byte-identical output; the first clients do not depend on --clients. */
START_TEST(test_cli_deterministic)
{
	const char *a1[] = { "dataset", "generate", "checkins", "--clients", "5", "--days", "30",
			     "--seed", "9", "--jsonl", NULL };
	const char *a2[] = { "dataset", "generate", "checkins", "--clients", "3", "--days", "30",
			     "--seed", "9", "--jsonl", NULL };
	tu_run r1, r2, r3;

	ck_assert_int_eq(tu_run_cli(a1, "", &r1), 0);
	ck_assert_int_eq(tu_run_cli(a1, "", &r2), 0);
	ck_assert_int_eq(tu_run_cli(a2, "", &r3), 0);
	ck_assert_int_eq(r1.exit_code, 0);
	ck_assert_str_eq(r1.out, r2.out);
	ck_assert(strncmp(r1.out, r3.out, strlen(r3.out)) == 0);
	tu_run_release(&r1);
	tu_run_release(&r2);
	tu_run_release(&r3);
}
END_TEST

/* Compact output is streamed; it must equal the same document dumped whole (--pretty parsed). */
START_TEST(test_stream_equals_whole)
{
	const char *a1[] = { "dataset", "generate", "checkins", "--clients", "4", "--days", "20",
			     "--seed", "2", "--no-timing", NULL };
	const char *a2[] = { "dataset", "generate", "checkins", "--clients", "4", "--days", "20",
			     "--seed", "2", "--no-timing", "--pretty", NULL };
	tu_run r1, r2;
	json_t *d1, *d2;

	ck_assert_int_eq(tu_run_cli(a1, "", &r1), 0);
	ck_assert_int_eq(tu_run_cli(a2, "", &r2), 0);
	d1 = json_loads(r1.out, 0, NULL);
	d2 = json_loads(r2.out, 0, NULL);
	ck_assert_ptr_nonnull(d1);
	ck_assert_ptr_nonnull(d2);
	ck_assert(json_equal(d1, d2));
	json_decref(d1);
	json_decref(d2);
	tu_run_release(&r1);
	tu_run_release(&r2);
}
END_TEST

typedef struct cohort_stats {
	double lapses, expected, expected_var;
	size_t immune_lapses;
	double var_pre, var_base, ac_pre, ac_base;
	size_t npre;
	double miss_high, n_high, miss_low, n_low;
} cohort_stats;

static double var_of(const double *x, size_t n)
{
	double m = 0, v = 0;
	for (size_t k = 0; k < n; k++)
		m += x[k];
	m /= (double)n;
	for (size_t k = 0; k < n; k++)
		v += (x[k] - m) * (x[k] - m);
	return v / (double)n;
}

static double ac1_of(const double *x, size_t n)
{
	double m = 0, num = 0, den = 0;
	for (size_t k = 0; k < n; k++)
		m += x[k];
	m /= (double)n;
	for (size_t k = 0; k < n; k++) {
		den += (x[k] - m) * (x[k] - m);
		if (k + 1 < n)
			num += (x[k] - m) * (x[k + 1] - m);
	}
	return den > 0 ? num / den : 0;
}

static void run_cohort(const pl_gen_checkins_params *p, unsigned long seed, size_t n, size_t days,
		       cohort_stats *s)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	memset(s, 0, sizeof(*s));
	gsl_rng_set(r, seed);
	for (size_t i = 0; i < n; i++) {
		pl_gen_client c = PL_GEN_CLIENT_INIT;
		pl_error err = PL_ERROR_INIT;
		ck_assert_int_eq(pl_gen_checkins_client(p, r, days, &c, &err), PL_OK);
		for (size_t t = 0; t < days; t++) {
			int missing = isnan(c.values[(size_t)PL_GEN_CRAVING * days + t]);
			s->lapses += c.lapse[t];
			s->expected += c.hazard[t];
			s->expected_var += c.hazard[t] * (1 - c.hazard[t]);
			if (c.immune)
				s->immune_lapses += c.lapse[t];
			if (c.hazard[t] < 0 || c.hazard[t] > 1)
				ck_abort_msg("hazard outside [0, 1]");
			if (c.state[t] > 1.5) {
				s->n_high++;
				s->miss_high += missing;
			} else if (c.state[t] < 0) {
				s->n_low++;
				s->miss_low += missing;
			}
			/* the 14 days before a lapse against 14 days four weeks earlier */
			if (c.lapse[t] && t >= 42) {
				s->var_pre += var_of(c.state + t - 14, 14);
				s->var_base += var_of(c.state + t - 42, 14);
				s->ac_pre += ac1_of(c.state + t - 14, 14);
				s->ac_base += ac1_of(c.state + t - 42, 14);
				s->npre++;
			}
		}
		pl_gen_client_release(&c);
	}
	gsl_rng_free(r);
}

/* Lapses are Bernoulli draws with the reported hazard: their count is within 4 standard
 * deviations of the sum of hazards; immune clients never lapse. */
START_TEST(test_hazard_matches_lapses)
{
	pl_gen_checkins_params p;
	cohort_stats s;

	pl_gen_checkins_params_init(&p);
	run_cohort(&p, 5, 600, 180, &s);
	ck_assert(s.lapses > 100);
	ck_assert_msg(fabs(s.lapses - s.expected) < 4 * sqrt(s.expected_var),
		      "lapses %g, expected %g", s.lapses, s.expected);
	ck_assert_uint_eq(s.immune_lapses, 0);

	/* a steeper hazard gives more lapses, and so does a larger intercept */
	{
		cohort_stats s2;
		p.hazard_intercept = -5.5;
		run_cohort(&p, 5, 600, 180, &s2);
		ck_assert(s2.lapses > 1.5 * s.lapses);
		ck_assert(fabs(s2.lapses - s2.expected) < 4 * sqrt(s2.expected_var));
	}
}
END_TEST

/* Critical slowing down: on average, variance and lag-1 autocorrelation of the state are higher
 * in the two weeks before a lapse than in two weeks a month earlier. */
START_TEST(test_slowing_down_before_lapses)
{
	pl_gen_checkins_params p;
	cohort_stats s;

	pl_gen_checkins_params_init(&p);
	run_cohort(&p, 17, 800, 180, &s);
	ck_assert(s.npre > 100);
	ck_assert_msg(s.var_pre > 1.2 * s.var_base, "variance %g vs %g", s.var_pre / (double)s.npre,
		      s.var_base / (double)s.npre);
	ck_assert_msg(s.ac_pre > s.ac_base + 0.03 * (double)s.npre, "ac1 %g vs %g",
		      s.ac_pre / (double)s.npre, s.ac_base / (double)s.npre);

	/* Without erosion (no episodes) the rise disappears: the signal is planted, not an artefact
	 * of conditioning on a lapse. */
	p.episode_rate = 0;
	p.hazard_intercept = -4.5;
	run_cohort(&p, 17, 800, 180, &s);
	ck_assert(s.npre > 50);
	ck_assert_msg(s.ac_pre < s.ac_base + 0.03 * (double)s.npre, "ac1 without episodes %g vs %g",
		      s.ac_pre / (double)s.npre, s.ac_base / (double)s.npre);
}
END_TEST

START_TEST(test_missing_rises_with_state)
{
	pl_gen_checkins_params p;
	cohort_stats s;

	pl_gen_checkins_params_init(&p);
	run_cohort(&p, 3, 300, 180, &s);
	ck_assert(s.n_high > 100 && s.n_low > 100);
	ck_assert(s.miss_high / s.n_high > s.miss_low / s.n_low + 0.05);
}
END_TEST

START_TEST(test_params_json)
{
	pl_gen_checkins_params p, q;
	pl_error err = PL_ERROR_INIT;
	json_t *j, *bad;

	pl_gen_checkins_params_init(&p);
	p.drift = 2.25;
	p.session_days = 0x15;
	j = pl_json_write_gen_checkins_params(&p);
	pl_gen_checkins_params_init(&q);
	ck_assert_int_eq(pl_json_read_gen_checkins_params(&q, j, "", &err), PL_OK);
	ck_assert(memcmp(&p, &q, sizeof(p)) == 0);
	json_decref(j);

	bad = json_pack("{s:f}", "immune_fraction", 1.5);
	ck_assert_int_eq(pl_json_read_gen_checkins_params(&q, bad, "/p", &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/p/immune_fraction");
	json_decref(bad);
	bad = json_pack("{s:s}", "start", "2026-02-30");
	ck_assert_int_eq(pl_json_read_gen_checkins_params(&q, bad, "", &err), PL_ERR_INVALID);
	ck_assert_str_eq(err.pointer, "/start");
	json_decref(bad);
}
END_TEST

START_TEST(test_dates)
{
	int32_t d;
	char buf[16];

	ck_assert_int_eq(pl_gen_date_parse("1970-01-01", &d), 0);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(pl_gen_date_parse("2000-03-01", &d), 0);
	ck_assert_int_eq(d, 11017);
	ck_assert_int_eq(pl_gen_date_parse("2024-02-29", &d), 0);
	pl_gen_date_format(d + 1, buf);
	ck_assert_str_eq(buf, "2024-03-01");
	ck_assert_int_eq(pl_gen_date_parse("2023-02-29", &d), -1);
	ck_assert_int_eq(pl_gen_date_parse("2023-2-28", &d), -1);
}
END_TEST

/* ---- matching programs ---- */

static double jaccard_field(json_t *a, json_t *b, const char *field)
{
	json_t *x = json_object_get(a, field), *y = json_object_get(b, field), *u, *v;
	size_t i, j, inter = 0, na = json_array_size(x), nb = json_array_size(y);
	json_array_foreach(x, i, u)
		json_array_foreach(y, j, v)
			inter += json_equal(u, v);
	return na + nb - inter ? (double)inter / (double)(na + nb - inter) : 0.0;
}

static void community_similarity(double structure, double *same, double *diff)
{
	pl_gen_profiles_params p;
	pl_error err = PL_ERROR_INIT;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	json_t *doc, *m;
	double ns = 0, nd = 0;

	pl_gen_profiles_params_init(&p);
	p.mentees = 240;
	p.structure = structure;
	gsl_rng_set(r, 4);
	ck_assert_int_eq(gen_program(&p, r, &doc, &err), PL_OK);
	m = json_object_get(doc, "mentees");
	*same = *diff = 0;
	for (size_t i = 0; i < json_array_size(m); i++)
		for (size_t j = i + 1; j < json_array_size(m); j++) {
			json_t *a = json_array_get(m, i), *b = json_array_get(m, j);
			double sim = jaccard_field(a, b, "experiences") + jaccard_field(a, b, "substances") +
				     jaccard_field(a, b, "goals") +
				     json_equal(json_object_get(a, "recovery_pathway"),
						json_object_get(b, "recovery_pathway"));
			int k1 = (int)json_integer_value(json_object_get(json_object_get(a, "extra"), "community"));
			int k2 = (int)json_integer_value(json_object_get(json_object_get(b, "extra"), "community"));
			if (k1 == k2) {
				*same += sim;
				ns++;
			} else {
				*diff += sim;
				nd++;
			}
		}
	*same /= ns;
	*diff /= nd;
	json_decref(doc);
	gsl_rng_free(r);
}

/* The planted structure: people of one community share more tags than people of two; with
 * structure 0 the community label carries no information. */
START_TEST(test_profiles_structure)
{
	double same, diff;
	community_similarity(0.7, &same, &diff);
	ck_assert_msg(same > diff + 0.3, "same %g diff %g", same, diff);
	community_similarity(0.0, &same, &diff);
	ck_assert_msg(fabs(same - diff) < 0.05, "same %g diff %g", same, diff);
}
END_TEST

/* Couples name each other, excludes name real mentors, capacities are in range. */
START_TEST(test_profiles_references)
{
	pl_gen_profiles_params p;
	pl_error err = PL_ERROR_INIT;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	json_t *doc, *me, *mo, *x;
	size_t i, couples = 0, excl = 0;

	pl_gen_profiles_params_init(&p);
	p.mentees = 300;
	p.mentors = 80;
	p.couple_fraction = 0.1;
	p.exclude_fraction = 0.1;
	gsl_rng_set(r, 8);
	ck_assert_int_eq(gen_program(&p, r, &doc, &err), PL_OK);
	me = json_object_get(doc, "mentees");
	mo = json_object_get(doc, "mentors");
	ck_assert_uint_eq(json_array_size(me), 300);
	ck_assert_uint_eq(json_array_size(mo), 80);
	json_array_foreach(me, i, x) {
		json_t *pid = json_object_get(x, "partner_id"), *ex = json_object_get(x, "exclude");
		if (pid) {
			size_t j;
			json_t *y;
			int found = 0;
			couples++;
			json_array_foreach(me, j, y)
				if (json_equal(json_object_get(y, "id"), pid)) {
					found = 1;
					ck_assert(j != i);
					ck_assert(json_equal(json_object_get(y, "partner_id"), json_object_get(x, "id")));
				}
			ck_assert(found);
		}
		if (ex) {
			size_t j;
			json_t *y;
			int found = 0;
			excl++;
			json_array_foreach(mo, j, y)
				found |= json_equal(json_object_get(y, "id"), json_array_get(ex, 0));
			ck_assert(found);
		}
	}
	ck_assert_uint_eq(couples, 30);
	ck_assert(excl > 10 && excl < 60);
	json_array_foreach(mo, i, x) {
		json_int_t c = json_integer_value(json_object_get(x, "capacity"));
		ck_assert(c >= 1 && c <= p.capacity_max);
	}
	json_decref(doc);
	gsl_rng_free(r);
}
END_TEST

/* Issue 9 finding 4: an odd count with couple_fraction 1 asked for one pair too many and read
 * past the shuffled index array. Every extreme count and fraction must give a program whose
 * references hold: couples name each other, excludes name real mentors. */
static void check_program(json_t *doc, const pl_gen_profiles_params *p)
{
	static const char *const lists[] = { "mentees", "clients" };
	json_t *mo = json_object_get(doc, "mentors");

	ck_assert_uint_eq(json_array_size(json_object_get(doc, "mentees")), (size_t)p->mentees);
	ck_assert_uint_eq(json_array_size(mo), (size_t)p->mentors);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "clients")), (size_t)p->clients);
	for (int l = 0; l < 2; l++) {
		json_t *list = json_object_get(doc, lists[l]), *x;
		size_t i, couples = 0, n = json_array_size(list);
		json_array_foreach(list, i, x) {
			json_t *pid = json_object_get(x, "partner_id"), *ex = json_object_get(x, "exclude");
			if (pid) {
				size_t j;
				json_t *y;
				int found = 0;
				couples++;
				json_array_foreach(list, j, y)
					if (j != i && json_equal(json_object_get(y, "id"), pid))
						found = json_equal(json_object_get(y, "partner_id"),
								   json_object_get(x, "id"));
				ck_assert(found);
			}
			if (ex) {
				size_t j;
				json_t *y;
				int found = 0;
				ck_assert(p->mentors > 0);
				json_array_foreach(mo, j, y)
					found |= json_equal(json_object_get(y, "id"), json_array_get(ex, 0));
				ck_assert(found);
			}
		}
		/* couple_fraction 1 pairs everyone but the odd one out; 0 pairs nobody */
		if (p->couple_fraction == 1.0)
			ck_assert_uint_eq(couples, n - n % 2);
		if (p->couple_fraction == 0.0)
			ck_assert_uint_eq(couples, 0);
	}
}

START_TEST(test_profiles_extremes)
{
	static const long counts[] = { 0, 1, 2, 3, 5 };
	static const double fractions[] = { 0.0, 1.0 };

	for (size_t a = 0; a < 5; a++)
		for (size_t b = 0; b < 3; b++)
			for (size_t f = 0; f < 2; f++) {
				pl_gen_profiles_params p;
				pl_error err = PL_ERROR_INIT;
				gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
				json_t *doc;

				pl_gen_profiles_params_init(&p);
				p.mentees = counts[a];
				p.clients = counts[4 - a];
				p.mentors = counts[b];
				p.couple_fraction = p.exclude_fraction = fractions[f];
				p.structure = p.same_gender_preference = p.age_range_fraction = fractions[f];
				p.communities = f ? 64 : 1;
				p.capacity_max = f ? 100 : 1;
				gsl_rng_set(r, 5 + a);
				ck_assert_int_eq(gen_program(&p, r, &doc, &err), PL_OK);
				if (!json_object_get(doc, "clients"))
					ck_assert_int_eq(p.clients, 0);
				check_program(doc, &p);
				json_decref(doc);
				gsl_rng_free(r);
			}
}
END_TEST

static Suite *gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("checkins");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_cli_deterministic);
	tcase_add_test(tc, test_stream_equals_whole);
	tcase_add_test(tc, test_hazard_matches_lapses);
	tcase_add_test(tc, test_slowing_down_before_lapses);
	tcase_add_test(tc, test_missing_rises_with_state);
	tcase_add_test(tc, test_params_json);
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_profiles_structure);
	tcase_add_test(tc, test_profiles_references);
	tcase_add_test(tc, test_profiles_extremes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gen_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
