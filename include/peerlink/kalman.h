/*
 * peerlink/kalman.h: a small linear-Gaussian state-space filter (the Kalman filter) for the
 * latent-state references and features of the risk model (docs/risk.md, "State-space features";
 * docs/datasets.md, "References").
 *
 * Model (Durbin & Koopman, Time Series Analysis by State Space Methods, 2nd ed. 2012, ch. 4;
 * Harvey, Forecasting, Structural Time Series Models and the Kalman Filter, 1989, ch. 3):
 *   state     a_{t+1} = T a_t + eta_t,   eta_t ~ N(0, Q)
 *   readings  y_t = h' a_t + e_t,        e_t ~ N(0, r)
 * Transitions here are diagonal (each component is kept or scaled: an AR(1) deviation, a
 * constant client baseline), so a prediction step scales one component at a time. Several
 * readings of one day are taken one after the other as scalar updates, which is exact for
 * independent reading errors (Durbin & Koopman 2012, section 6.4, "univariate treatment of
 * multivariate series"); a missing reading is simply no update.
 *
 * Ownership: pl_kalman_init allocates the contents of a caller's struct, pl_kalman_release
 * frees them (a zeroed struct is fine).
 */
#ifndef PEERLINK_KALMAN_H
#define PEERLINK_KALMAN_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <peerlink/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pl_kalman {
	size_t n;      /* state dimension */
	gsl_vector *a; /* state mean */
	gsl_matrix *P; /* state covariance (full, symmetric) */
	gsl_vector *h; /* a reading's loadings (work) */
	gsl_vector *w; /* work: P h */
} pl_kalman;

/* Dimension n, mean 0, covariance 0 (set the prior with pl_kalman_set_prior). */
pl_status pl_kalman_init(pl_kalman *k, size_t n, pl_error *err);
void pl_kalman_release(pl_kalman *k);
/* Component i starts with mean m and variance v, independent of the others. */
void pl_kalman_set_prior(pl_kalman *k, size_t i, double m, double v);
/* Prediction of component i: a_i <- phi a_i + eta, var(eta) = q; other components are kept. */
void pl_kalman_predict(pl_kalman *k, size_t i, double phi, double q);
/* Update with one reading y = h' a + e, var(e) = r > 0, the loadings in k->h (set them before
 * the call). Returns the innovation variance f = h' P h + r (Durbin & Koopman eq. 4.24), or NaN
 * when f is not positive (no update). *innovation receives y - h' a (may be NULL). */
double pl_kalman_update(pl_kalman *k, double y, double r, double *innovation);
/* c' a and c' P c for a weight vector c (length n). */
double pl_kalman_mean_of(const pl_kalman *k, const double *c);
double pl_kalman_var_of(const pl_kalman *k, const double *c);
/* Steady state of the local-level model (random walk with variance q observed with noise r):
 * the predicted variance solves P = P r / (P + r) + q, so P = (q + sqrt(q^2 + 4 q r)) / 2 and
 * the gain is P / (P + r) (Harvey 1989, section 3.3.3; Durbin & Koopman 2012, section 2.11). */
double pl_kalman_local_level_steady_var(double q, double r);

#ifdef __cplusplus
}
#endif
#endif
