/*
 * core/fft.h (internal to libpeerlink): the discrete Fourier transform of a real series of any
 * length, for risk ews's phase-randomized surrogates.
 *
 * Why our own: GSL's gsl_fft_real_* allocate their wavetables and workspaces through GSL's
 * process-wide error handler, whose default aborts the program when memory runs out, and the
 * library never aborts its caller (error.h). Here every allocation happens in pl_fft_new, which
 * returns NULL when memory runs out; the transforms themselves cannot fail.
 *
 * Layout of a spectrum ("halfcomplex", the same as GSL's, so callers index it the same way):
 * X[0] = Re F_0; for k = 1 .. (n-1)/2, X[2k-1] = Re F_k and X[2k] = Im F_k; when n is even,
 * X[n-1] = Re F_{n/2}. F_k = sum_t x_t exp(-2 pi i k t / n); the inverse divides by n, so
 * inverse(forward(x)) == x up to rounding.
 *
 * Ownership: pl_fft_new returns a plan for one length that pl_fft_free (NULL is fine) releases.
 * A plan holds scratch space: one plan per thread.
 */
#ifndef PEERLINK_CORE_FFT_H
#define PEERLINK_CORE_FFT_H

#include <stddef.h>

typedef struct pl_fft pl_fft;

/* A plan for series of n >= 1 values; NULL when n is 0, too large, or memory runs out. */
pl_fft *pl_fft_new(size_t n);
void pl_fft_free(pl_fft *p);

/* x[0..n): a real series in, its halfcomplex spectrum out (in place). */
void pl_fft_forward(pl_fft *p, double *x);
/* x[0..n): a halfcomplex spectrum in, the real series out (in place, divided by n). */
void pl_fft_inverse(pl_fft *p, double *x);

#endif
