/*
 * kalman.c: the Kalman filter of peerlink/kalman.h on GSL vectors and matrices.
 *
 * Why plain loops and not gsl_blas_dsymv / dsyr: the states here have 1 to 8 components, where a
 * BLAS call costs more in dispatch than in arithmetic, and the CBLAS the library links
 * (OpenBLAS) runs a thread pool that stalls under load and after fork(): with it, the features
 * of a 120-day client took 40 times longer on a busy machine. The loops are the same level-2
 * operations (P h, then the rank-one update P - w w' / f), on the full matrix.
 *
 * Why sequential scalar updates: a day brings at most a handful of readings with independent
 * errors, so updating with each in turn (Durbin & Koopman 2012, section 6.4) needs no matrix
 * inverse, skips missing readings for free and costs O(n^2) per reading.
 */
#include <peerlink/kalman.h>

#include <math.h>
#include <string.h>


pl_status pl_kalman_init(pl_kalman *k, size_t n, pl_error *err)
{
	memset(k, 0, sizeof(*k));
	if (n == 0)
		return pl_error_set(err, PL_ERR_INTERNAL, "", "a state-space model needs a state");
	/* gsl_*_calloc return NULL when memory runs out (after calling the error handler, which the
	 * CLI leaves off); check every one. */
	k->a = gsl_vector_calloc(n);
	k->P = gsl_matrix_calloc(n, n);
	k->h = gsl_vector_calloc(n);
	k->w = gsl_vector_calloc(n);
	k->n = n;
	if (!k->a || !k->P || !k->h || !k->w) {
		pl_kalman_release(k);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	}
	return PL_OK;
}

void pl_kalman_release(pl_kalman *k)
{
	if (!k)
		return;
	if (k->a)
		gsl_vector_free(k->a);
	if (k->P)
		gsl_matrix_free(k->P);
	if (k->h)
		gsl_vector_free(k->h);
	if (k->w)
		gsl_vector_free(k->w);
	memset(k, 0, sizeof(*k));
}

void pl_kalman_set_prior(pl_kalman *k, size_t i, double m, double v)
{
	gsl_vector_set(k->a, i, m);
	for (size_t j = 0; j < k->n; j++) {
		gsl_matrix_set(k->P, i, j, 0.0);
		gsl_matrix_set(k->P, j, i, 0.0);
	}
	gsl_matrix_set(k->P, i, i, v);
}

void pl_kalman_predict(pl_kalman *k, size_t i, double phi, double q)
{
	/* T = I except T_ii = phi: a_i scales, row and column i of P scale, P_ii gets phi^2 + q. */
	gsl_vector_set(k->a, i, phi * gsl_vector_get(k->a, i));
	for (size_t j = 0; j < k->n; j++) {
		gsl_matrix_set(k->P, i, j, phi * gsl_matrix_get(k->P, i, j));
		gsl_matrix_set(k->P, j, i, phi * gsl_matrix_get(k->P, j, i));
	}
	gsl_matrix_set(k->P, i, i, gsl_matrix_get(k->P, i, i) + q);
}

/* w = P h on the full matrix; returns h' w. */
static double times_P(const pl_kalman *k, const double *h, double *w)
{
	const gsl_matrix *P = k->P;
	double hw = 0;

	for (size_t i = 0; i < k->n; i++) {
		const double *row = P->data + i * P->tda;
		double acc = 0;
		for (size_t j = 0; j < k->n; j++)
			acc += row[j] * h[j * k->h->stride];
		w[i * k->w->stride] = acc;
		hw += h[i * k->h->stride] * acc;
	}
	return hw;
}

double pl_kalman_update(pl_kalman *k, double y, double r, double *innovation)
{
	double v = y, f, *w = k->w->data, *a = k->a->data;
	const double *h = k->h->data;
	size_t n = k->n, sa = k->a->stride, sw = k->w->stride;

	/* v = y - h'a, w = P h, f = h' w + r; a += w v / f, P -= w w' / f (Durbin & Koopman
	 * eq. 4.24-4.25 with a scalar reading). */
	for (size_t i = 0; i < n; i++)
		v -= h[i * k->h->stride] * a[i * sa];
	f = times_P(k, h, w) + r;
	if (innovation)
		*innovation = v;
	if (!(f > 0) || !isfinite(f))
		return NAN;
	for (size_t i = 0; i < n; i++) {
		double *row = k->P->data + i * k->P->tda, wi = w[i * sw] / f;
		a[i * sa] += wi * v;
		for (size_t j = 0; j < n; j++)
			row[j] -= wi * w[j * sw];
	}
	return f;
}

double pl_kalman_mean_of(const pl_kalman *k, const double *c)
{
	double m = 0;
	for (size_t i = 0; i < k->n; i++)
		m += c[i] * gsl_vector_get(k->a, i);
	return m;
}

double pl_kalman_var_of(const pl_kalman *k, const double *c)
{
	double *w = k->w->data;
	double v = 0;

	/* w = P c with c read at stride 1 */
	for (size_t i = 0; i < k->n; i++) {
		const double *row = k->P->data + i * k->P->tda;
		double acc = 0;
		for (size_t j = 0; j < k->n; j++)
			acc += row[j] * c[j];
		w[i * k->w->stride] = acc;
		v += c[i] * acc;
	}
	return v;
}

double pl_kalman_local_level_steady_var(double q, double r)
{
	return 0.5 * (q + sqrt(q * q + 4.0 * q * r));
}
