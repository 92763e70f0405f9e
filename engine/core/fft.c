/*
 * fft.c: the real discrete Fourier transform of any length (core/fft.h says why it is ours).
 *
 * Method: an iterative radix-2 Cooley-Tukey transform (Cooley & Tukey 1965; Press et al.,
 * Numerical Recipes, 3rd ed., section 12.2) when the length is a power of two, and Bluestein's
 * chirp-z algorithm otherwise (Bluestein 1970; Rabiner, Schafer & Rader 1969): with
 * k t = (k^2 + t^2 - (k - t)^2) / 2, the DFT of length n becomes a convolution with the chirp
 * exp(i pi j^2 / n), done with power-of-two transforms of length m >= 2n - 1. A real series is
 * transformed as a complex one with zero imaginary parts (the series here are short; clarity
 * over the factor of two). Every twiddle and chirp value is computed directly from its angle
 * (the chirp's j^2 reduced modulo 2n in integers first), so rounding does not build up along a
 * recurrence; the error is O(log m) units in the last place of the largest value.
 */
#include "core/fft.h"

#include <math.h>
#include <stdlib.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Longest series: far above any check-in history (36,600 days), and small enough that j^2 and
 * the buffers' sizes cannot overflow. */
#define FFT_MAX_N ((size_t)1 << 26)

struct pl_fft {
	size_t n;      /* series length */
	size_t m;      /* length of the power-of-two transforms (n itself when n is a power of two) */
	double *tw;    /* m/2 twiddles exp(-2 pi i j / m), as (re, im) pairs */
	double *chirp; /* Bluestein: n values exp(-i pi j^2 / n); NULL when m == n */
	double *kern;  /* Bluestein: the transform of the conjugate chirp, m values */
	double *work;  /* m complex values of scratch */
};

static int is_pow2(size_t n)
{
	return n && !(n & (n - 1));
}

/* In place on m = p->m complex values a: forward (exp(-...)) or, with inverse, the transform
 * with conjugate twiddles (not divided by m). */
static void fft_pow2(const pl_fft *p, double *a, int inverse)
{
	size_t m = p->m;

	for (size_t i = 1, j = 0; i < m; i++) {
		size_t bit = m >> 1;
		for (; j & bit; bit >>= 1)
			j ^= bit;
		j |= bit;
		if (i < j) {
			double r = a[2 * i], im = a[2 * i + 1];
			a[2 * i] = a[2 * j];
			a[2 * i + 1] = a[2 * j + 1];
			a[2 * j] = r;
			a[2 * j + 1] = im;
		}
	}
	for (size_t len = 2; len <= m; len <<= 1) {
		size_t half = len / 2, step = m / len;
		for (size_t s = 0; s < m; s += len)
			for (size_t k = 0; k < half; k++) {
				double wr = p->tw[2 * k * step], wi = p->tw[2 * k * step + 1];
				double *u = a + 2 * (s + k), *v = a + 2 * (s + k + half), tr, ti;
				if (inverse)
					wi = -wi;
				tr = v[0] * wr - v[1] * wi;
				ti = v[0] * wi + v[1] * wr;
				v[0] = u[0] - tr;
				v[1] = u[1] - ti;
				u[0] += tr;
				u[1] += ti;
			}
	}
}

/* The forward DFT of the n complex values in p->work[0..2n), in place. */
static void dft(pl_fft *p)
{
	double *a = p->work, scale = 1.0 / (double)p->m;
	size_t n = p->n, m = p->m;

	if (!p->chirp) {
		fft_pow2(p, a, 0);
		return;
	}
	for (size_t t = 0; t < n; t++) {
		double wr = p->chirp[2 * t], wi = p->chirp[2 * t + 1], xr = a[2 * t], xi = a[2 * t + 1];
		a[2 * t] = xr * wr - xi * wi;
		a[2 * t + 1] = xr * wi + xi * wr;
	}
	for (size_t t = 2 * n; t < 2 * m; t++)
		a[t] = 0.0;
	fft_pow2(p, a, 0);
	for (size_t j = 0; j < m; j++) {
		double kr = p->kern[2 * j], ki = p->kern[2 * j + 1], xr = a[2 * j], xi = a[2 * j + 1];
		a[2 * j] = xr * kr - xi * ki;
		a[2 * j + 1] = xr * ki + xi * kr;
	}
	fft_pow2(p, a, 1);
	for (size_t k = 0; k < n; k++) {
		double wr = p->chirp[2 * k], wi = p->chirp[2 * k + 1];
		double xr = a[2 * k] * scale, xi = a[2 * k + 1] * scale;
		a[2 * k] = xr * wr - xi * wi;
		a[2 * k + 1] = xr * wi + xi * wr;
	}
}

/* Bluestein's tables: the chirp and the transform of its conjugate, wrapped around m. */
static void make_chirp(pl_fft *p)
{
	size_t n = p->n, m = p->m;
	unsigned long long two_n = 2ULL * n;

	for (size_t j = 0; j < n; j++) {
		double th = M_PI * (double)(((unsigned long long)j * j) % two_n) / (double)n;
		p->chirp[2 * j] = cos(th);
		p->chirp[2 * j + 1] = -sin(th);
	}
	for (size_t j = 0; j < 2 * m; j++)
		p->kern[j] = 0.0;
	for (size_t j = 0; j < n; j++) {
		p->kern[2 * j] = p->chirp[2 * j];
		p->kern[2 * j + 1] = -p->chirp[2 * j + 1];
		if (j > 0) {
			p->kern[2 * (m - j)] = p->kern[2 * j];
			p->kern[2 * (m - j) + 1] = p->kern[2 * j + 1];
		}
	}
	fft_pow2(p, p->kern, 0);
}

pl_fft *pl_fft_new(size_t n)
{
	pl_fft *p;
	size_t m = 1;

	if (n == 0 || n > FFT_MAX_N)
		return NULL;
	if (is_pow2(n))
		m = n;
	else
		while (m < 2 * n - 1)
			m <<= 1;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->n = n;
	p->m = m;
	p->tw = malloc((m > 1 ? m : 2) * sizeof(double));
	p->work = malloc(2 * m * sizeof(double));
	if (m != n) {
		p->chirp = malloc(2 * n * sizeof(double));
		p->kern = malloc(2 * m * sizeof(double));
	}
	if (!p->tw || !p->work || (m != n && (!p->chirp || !p->kern))) {
		pl_fft_free(p);
		return NULL;
	}
	for (size_t j = 0; j < m / 2; j++) {
		double th = 2.0 * M_PI * (double)j / (double)m;
		p->tw[2 * j] = cos(th);
		p->tw[2 * j + 1] = -sin(th);
	}
	if (m != n)
		make_chirp(p);
	return p;
}

void pl_fft_free(pl_fft *p)
{
	if (!p)
		return;
	free(p->tw);
	free(p->chirp);
	free(p->kern);
	free(p->work);
	free(p);
}

void pl_fft_forward(pl_fft *p, double *x)
{
	size_t n = p->n;
	double *a = p->work;

	for (size_t t = 0; t < n; t++) {
		a[2 * t] = x[t];
		a[2 * t + 1] = 0.0;
	}
	dft(p);
	x[0] = a[0];
	for (size_t k = 1; 2 * k < n; k++) {
		x[2 * k - 1] = a[2 * k];
		x[2 * k] = a[2 * k + 1];
	}
	if (n % 2 == 0 && n > 1)
		x[n - 1] = a[n];
}

void pl_fft_inverse(pl_fft *p, double *x)
{
	size_t n = p->n;
	double *a = p->work, scale = 1.0 / (double)n;

	/* The full Hermitian spectrum, conjugated: the inverse DFT is conj(DFT(conj(F))) / n, and
	 * only the real part of the (real) result is kept. */
	a[0] = x[0];
	a[1] = 0.0;
	for (size_t k = 1; 2 * k < n; k++) {
		a[2 * k] = x[2 * k - 1];
		a[2 * k + 1] = -x[2 * k];
		a[2 * (n - k)] = x[2 * k - 1];
		a[2 * (n - k) + 1] = x[2 * k];
	}
	if (n % 2 == 0 && n > 1) {
		a[n] = x[n - 1];
		a[n + 1] = 0.0;
	}
	dft(p);
	for (size_t t = 0; t < n; t++)
		x[t] = a[2 * t] * scale;
}
