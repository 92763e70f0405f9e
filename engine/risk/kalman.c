/*
 * kalman.c: the Kalman filter of peerlink/kalman.h on GSL vectors and matrices (BLAS level 2:
 * dsymv for P h, dsyr for the rank-one covariance update).
 *
 * Why sequential scalar updates: a day brings at most a handful of readings with independent
 * errors, so updating with each in turn (Durbin & Koopman 2012, section 6.4) needs no matrix
 * inverse, skips missing readings for free and costs O(n^2) per reading.
 */
#include <peerlink/kalman.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>

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

double pl_kalman_update(pl_kalman *k, double y, double r, double *innovation)
{
	double v, f, hw;

	/* v = y - h'a, w = P h, f = h' w + r; a += w v / f, P -= w w' / f (Durbin & Koopman
	 * eq. 4.24-4.25 with a scalar reading). */
	gsl_blas_ddot(k->h, k->a, &v);
	v = y - v;
	gsl_blas_dsymv(CblasLower, 1.0, k->P, k->h, 0.0, k->w);
	gsl_blas_ddot(k->h, k->w, &hw);
	f = hw + r;
	if (innovation)
		*innovation = v;
	if (!(f > 0) || !isfinite(f))
		return NAN;
	gsl_blas_daxpy(v / f, k->w, k->a);
	gsl_blas_dsyr(CblasLower, -1.0 / f, k->w, k->P);
	/* keep the upper triangle equal to the lower one, for readers of single entries */
	for (size_t i = 0; i < k->n; i++)
		for (size_t j = 0; j < i; j++)
			gsl_matrix_set(k->P, j, i, gsl_matrix_get(k->P, i, j));
	return f;
}

double pl_kalman_mean_of(const pl_kalman *k, const double *c)
{
	gsl_vector_const_view cv = gsl_vector_const_view_array(c, k->n);
	double m;
	gsl_blas_ddot(&cv.vector, k->a, &m);
	return m;
}

double pl_kalman_var_of(const pl_kalman *k, const double *c)
{
	gsl_vector_const_view cv = gsl_vector_const_view_array(c, k->n);
	double v;
	gsl_blas_dsymv(CblasLower, 1.0, k->P, &cv.vector, 0.0, k->w);
	gsl_blas_ddot(&cv.vector, k->w, &v);
	return v;
}

double pl_kalman_local_level_steady_var(double q, double r)
{
	return 0.5 * (q + sqrt(q * q + 4.0 * q * r));
}
