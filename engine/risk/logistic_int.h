/*
 * logistic_int.h: the choice of the Hessian's rank-k kernel in logistic.c, for tests. Not part of
 * the public API: pl_logistic_fit* always take the fastest kernel this CPU has (PL__SYRK_AUTO);
 * tests run both kernels on one machine, so the one this machine would not pick is tested too.
 */
#ifndef PEERLINK_LOGISTIC_INT_H
#define PEERLINK_LOGISTIC_INT_H

#include <peerlink/risk.h>

typedef enum pl__syrk_kernel {
	PL__SYRK_AUTO = 0, /* AVX2 where the CPU has AVX2 and FMA, else BLAS */
	PL__SYRK_BLAS,     /* cblas_dsyrk */
	PL__SYRK_AVX2      /* our register-tiled AVX2/FMA kernel (x86-64 only) */
} pl__syrk_kernel;

/* 1 when this build and this CPU can run PL__SYRK_AVX2 (checked once per process). */
int pl__syrk_avx2_available(void);

/* H += Z^T Z on the upper triangle of the first q columns (Z: nb rows, H: q rows; both with row
 * stride qs >= q, a multiple of 8 for PL__SYRK_AVX2, whose tiles also write elements below the
 * diagonal and in the columns q .. qs - 1). Returns 0, or -1 when the kernel is not available
 * here (H untouched). */
int pl__syrk_upper(pl__syrk_kernel kernel, size_t q, size_t qs, size_t nb, const double *Z,
		   double *H);

/* pl_logistic_fit_blocks with the given kernel; PL_ERR_INVALID when it is not available here. */
pl_status pl__logistic_fit_kernel(const double *X, const double *y, const double *w, size_t p,
				  double l2, const pl_logistic_blocks *blocks, int warm,
				  double *beta, pl_logistic_info *info, pl__syrk_kernel kernel,
				  pl_error *err);

#endif
