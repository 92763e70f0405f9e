/*
 * logistic.c: L2-regularized logistic regression by IRLS, Platt and isotonic calibration.
 *
 * Why IRLS: with tens of features and up to a few hundred thousand client-days, Newton's method
 * converges in a handful of iterations, each one pass over the data plus a (p+1)x(p+1) Cholesky
 * solve; the penalized log-likelihood is strictly concave for l2 > 0, so the answer is unique and
 * reproducible, which a stochastic fit is not.
 *
 * Maths (Hastie, Tibshirani & Friedman, The Elements of Statistical Learning, 2nd ed., 4.4.1,
 * eqs. 4.21-4.28, with the ridge term of 4.4.4 / 3.4.1): for rows a_i = (1, x_i), p_i =
 * sigmoid(a_i . beta), weights w_i,
 *   l(beta)  = sum_i w_i [y_i eta_i - log(1 + e^eta_i)] - (l2/2) sum_{j>=1} beta_j^2
 *   gradient g = A^T W (y - p) - l2 * (0, beta_1..p)
 *   Hessian  -H = A^T W diag(p(1-p)) A + l2 * diag(0, 1, ..., 1)
 *   Newton   beta <- beta + H^{-1} g, halving the step while l(beta) would fall (near the
 *            optimum H is kept from an earlier step: the chord method, CHORD_FROM below).
 * A^T D A is accumulated in blocks with BLAS dsyrk, then solved by Cholesky with LAPACK's dpotrf and
 * dpotrs (OpenBLAS exports them). LAPACK reports a matrix that is not positive definite through its
 * `info` argument; GSL's Cholesky would call GSL's process-wide error handler, whose default aborts
 * the program that links us (issue 9). At the optimum the score equations g = 0 hold; tests check
 * them directly.
 *
 * Platt scaling (J. Platt, "Probabilistic outputs for support vector machines", 1999; Lin, Lin &
 * Weng 2007) fits sigmoid(a s + b) to held-out scores s with the smoothed targets
 * (N+ + 1)/(N+ + 2) and 1/(N- + 2), with the slope held at a >= 0: calibration must keep the
 * model's ranking (isotonic is increasing by construction), and a negative fitted slope, which
 * out-of-fold scores of a model with no signal left (a small cohort under a strong penalty) can
 * give, would turn the final model's ranking upside down. On that boundary the maximum-likelihood
 * fit is a = 0 with b the logit of the mean target: every score gets the smoothed base rate. Isotonic calibration (Zadrozny & Elkan 2002) is the
 * least-squares monotone fit by pool-adjacent-violators (Ayer et al. 1955; Barlow et al. 1972).
 */
#include <peerlink/risk.h>
#include "logistic_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cblas.h> /* the CBLAS interface; OpenBLAS provides the symbols */

/* LAPACK's Fortran entry points (column-major; every argument by reference; the trailing length is
 * the hidden length of the character argument that gfortran-built LAPACK expects). Debian's
 * OpenBLAS uses 32-bit integers. */
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info,
		    size_t uplo_len);
extern void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a,
		    const int *lda, double *b, const int *ldb, int *info, size_t uplo_len);

#define BLOCK 2048
/* Near the optimum (a full Newton step of at most this, relative to 1 + max |beta|) the next
 * iterations reuse the factored Hessian (the chord method, Kelley, Iterative Methods for Linear
 * and Nonlinear Equations, SIAM 1995, 5.4): each then costs a gradient pass, about 1/q of a
 * Hessian pass, and converges linearly at a rate of about the step it started from; a chord
 * step that does not shrink at least tenfold brings the Hessian back (issue 12: the same
 * optimum, fewer Hessian passes). */
#define CHORD_FROM 1e-3

static double sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	double e = exp(z);
	return e / (1.0 + e);
}

static double eta_of(const double *x, size_t p, const double *beta)
{
	double e = beta[0];
	for (size_t j = 0; j < p; j++)
		e += x[j] * beta[j + 1];
	return e;
}

/* ---------------------------------------------------------------- the Hessian's rank-k update */

/*
 * H += Z^T Z (upper triangle of the q x q row-major H; Z holds nb rows of q). BLAS dsyrk does it
 * everywhere; on x86-64 CPUs with AVX2 and FMA our own kernel does it instead (issue 12): Debian's
 * OpenBLAS 0.3.21 does not recognise some newer CPUs (AVX-512 Xeons among them) and runs its
 * generic SSE kernel there, where the Hessian alone took a quarter of `risk evaluate`'s CPU. The
 * kernel is the register-tiled outer product of GEMM micro-kernels (Goto & van de Geijn, "Anatomy
 * of high-performance matrix multiplication", ACM TOMS 34(3), 2008): a 4 x 8 tile of H is
 * accumulated in eight AVX registers over a chunk of rows, one fused multiply-add per element and
 * row in row order, then added to H. The order is fixed, so the answer does not depend on the
 * thread count; another CPU may round differently, as with OpenBLAS's own per-CPU kernels (the
 * golden cases compare reals within 1e-9 for that). The upper triangle's tiles also fill a few
 * elements below the diagonal, which nobody reads. The fits take the kernel this CPU allows;
 * logistic_int.h lets the tests run either, so the BLAS path is tested on AVX2 machines too.
 */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PL_SYRK_AVX2 1

/* Rows are taken CHUNK at a time (their Z fits in the L1 cache); for each 4 x 8 tile of H the
 * chunk's products accumulate in registers, then are added to H. Z and H have a row stride qs, a
 * multiple of 8 (zero columns past q), so no tile has a ragged edge. */
#define SYRK_CHUNK 64

__attribute__((target("avx2,fma"))) static void syrk_avx2(size_t qs, size_t nb, const double *Z,
							    double *H)
{
	for (size_t r0 = 0; r0 < nb; r0 += SYRK_CHUNK) {
		size_t r1 = nb - r0 < SYRK_CHUNK ? nb : r0 + SYRK_CHUNK;
		for (size_t jb = 0; jb < qs; jb += 4)
			for (size_t lb = jb / 8 * 8; lb < qs; lb += 8) {
				__m256d c[4][2];
				for (int i = 0; i < 4; i++)
					c[i][0] = c[i][1] = _mm256_setzero_pd();
				for (size_t r = r0; r < r1; r++) {
					const double *z = Z + r * qs;
					__m256d v0 = _mm256_loadu_pd(z + lb), v1 = _mm256_loadu_pd(z + lb + 4);
					for (int i = 0; i < 4; i++) {
						__m256d a = _mm256_broadcast_sd(z + jb + i);
						c[i][0] = _mm256_fmadd_pd(a, v0, c[i][0]);
						c[i][1] = _mm256_fmadd_pd(a, v1, c[i][1]);
					}
				}
				for (int i = 0; i < 4; i++) {
					double *h = H + (jb + (size_t)i) * qs + lb;
					_mm256_storeu_pd(h, _mm256_add_pd(_mm256_loadu_pd(h), c[i][0]));
					_mm256_storeu_pd(h + 4, _mm256_add_pd(_mm256_loadu_pd(h + 4), c[i][1]));
				}
			}
	}
}

/* The CPU's answer, asked once per process: it cannot change while the process runs, and
 * asking it on every Newton pass (as before) cost a call per pass for nothing. pthread_once
 * because the first fits may start on several of the evaluation's threads at once; the two
 * statics are written only inside that one call, and a library user can neither see nor set
 * them (this is a fact about the machine, not state of ours). */
static pthread_once_t avx2_once = PTHREAD_ONCE_INIT;
static int avx2_fma;

static void avx2_check(void)
{
	__builtin_cpu_init();
	avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

int pl__syrk_avx2_available(void)
{
#ifdef PL_SYRK_AVX2
	pthread_once(&avx2_once, avx2_check);
	return avx2_fma;
#else
	return 0;
#endif
}

/* H += Z^T Z on the first q of qs columns (row stride qs: q itself unless fast). */
static void syrk_upper(size_t q, size_t qs, size_t nb, const double *Z, double *H, int fast)
{
#ifdef PL_SYRK_AVX2
	if (fast) {
		syrk_avx2(qs, nb, Z, H);
		return;
	}
#else
	(void)fast;
#endif
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)q, (int)nb, 1.0, Z, (int)qs, 1.0, H,
		    (int)qs);
}

/* kernel resolved for this CPU: 1 the AVX2 kernel, 0 BLAS, -1 not available here. */
static int syrk_choice(pl__syrk_kernel kernel)
{
	switch (kernel) {
	case PL__SYRK_AUTO:
		return pl__syrk_avx2_available();
	case PL__SYRK_BLAS:
		return 0;
	case PL__SYRK_AVX2:
		return pl__syrk_avx2_available() ? 1 : -1;
	}
	return -1;
}

int pl__syrk_upper(pl__syrk_kernel kernel, size_t q, size_t qs, size_t nb, const double *Z,
		   double *H)
{
	int fast = syrk_choice(kernel);

	if (fast < 0 || (fast && qs % 8 != 0))
		return -1;
	syrk_upper(q, qs, nb, Z, H, fast);
	return 0;
}

/* The row stride of Z and of the block's H: a multiple of 8 for the AVX2 kernel. */
static size_t syrk_stride(size_t q, int fast)
{
	return fast ? (q + 7) / 8 * 8 : q;
}

/* ---------------------------------------------------------------- sums over blocks of rows */

/*
 * Every sum over rows (the starting mean, the log-likelihood, the gradient and the Hessian) is
 * taken per block of rows first, and the blocks' partial sums are then added in block order:
 * total = ((0 + s_0) + s_1) + ... Floating-point addition is not associative, so this fixed
 * order is what makes the answer the same whoever computes which blocks. Each process writes its
 * blocks' partial sums into their own slots of a (blocks x len) buffer, zeros elsewhere; summed
 * over the processes (pl_comm_sum, MPI_Allreduce with MPI_SUM) every slot holds one process's
 * number plus zeros, which is exact, and every process then adds the slots in block order as a
 * single process does (Demmel & Nguyen, "Parallel reproducible summation", IEEE TC 2015, survey
 * why a fixed reduction order is needed; we fix the order instead of using exact accumulators).
 */
typedef struct block_sums {
	const pl_logistic_blocks *b;
	size_t len;    /* numbers per block */
	double *slots; /* nblocks x len */
} block_sums;

static pl_status block_sums_alloc(block_sums *s, const pl_logistic_blocks *b, size_t len,
				  pl_error *err)
{
	s->b = b;
	s->len = len;
	s->slots = malloc((b->nblocks ? b->nblocks : 1) * len * sizeof(double));
	if (!s->slots)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	return PL_OK;
}

/* Slot of this process's k-th block, zeroed. */
static double *block_slot(block_sums *s, size_t k)
{
	double *slot = s->slots + (s->b->first + k) * s->len;
	memset(slot, 0, s->len * sizeof(double));
	return slot;
}

/* Zero the slots of other processes' blocks, so that they count as 0 here (this process's own
 * are zeroed by block_slot as it fills them). */
static void block_sums_clear(block_sums *s)
{
	const pl_logistic_blocks *b = s->b;

	memset(s->slots, 0, b->first * s->len * sizeof(double));
	memset(s->slots + (b->first + b->count) * s->len, 0,
	       (b->nblocks - b->first - b->count) * s->len * sizeof(double));
}

/* Every process's slots summed over processes, then the slots added in block order into
 * total[0..len). */
static pl_status block_sums_total(block_sums *s, double *total, pl_error *err)
{
	pl_status st = pl_comm_sum(s->b->comm, s->slots, s->b->nblocks * s->len, err);

	if (st != PL_OK)
		return st;
	memset(total, 0, s->len * sizeof(double));
	for (size_t b = 0; b < s->b->nblocks; b++)
		for (size_t j = 0; j < s->len; j++)
			total[j] += s->slots[b * s->len + j];
	return PL_OK;
}

/* The intercept-only start: b0 = logit(weighted mean of y) over every process's rows. */
static pl_status start_intercept(const double *y, const double *w, block_sums *s, double *b0,
				 pl_error *err)
{
	const pl_logistic_blocks *b = s->b;
	double tot[2];
	pl_status st;

	s->len = 2;
	block_sums_clear(s);
	for (size_t k = 0; k < b->count; k++) {
		double *slot = block_slot(s, k);
		for (size_t i = b->start[k]; i < b->start[k + 1]; i++) {
			slot[0] += (w ? w[i] : 1.0) * y[i];
			slot[1] += w ? w[i] : 1.0;
		}
	}
	if ((st = block_sums_total(s, tot, err)) != PL_OK)
		return st;
	double ybar = tot[1] > 0 ? tot[0] / tot[1] : 0.5;
	*b0 = ybar > 0 && ybar < 1 ? log(ybar / (1 - ybar)) : 0.0;
	return PL_OK;
}

/* One block's rows r0 .. r1 - 1 at beta: slot[0] = sum of w_i [y_i eta_i - log(1 + e^eta_i)];
 * with derivs also the gradient A^T W (y - p) in slot[1 .. q] and A^T W diag(p(1-p)) A (upper
 * triangle, packed by rows) after it, through Z (BLOCK x q rows) and H (q x q). sigmoid(e) and
 * log(1 + e^e) share one exp(-|e|): the same values as computing them apart. */
static void block_pass(const double *X, const double *y, const double *w, size_t p,
		       const double *beta, size_t r0, size_t r1, double *Z, double *H, double *slot,
		       int derivs, int hess, int fast)
{
	size_t q = p + 1, qs = syrk_stride(q, fast);
	double *g = slot + 1, *packed = slot + 1 + q, ll = 0;

	if (hess)
		memset(H, 0, qs * qs * sizeof(double));
	for (size_t i0 = r0; i0 < r1; i0 += BLOCK) {
		size_t nb = r1 - i0 < BLOCK ? r1 - i0 : BLOCK;
		for (size_t r = 0; r < nb; r++) {
			const double *x = X + (i0 + r) * p;
			double wi = w ? w[i0 + r] : 1.0, e = eta_of(x, p, beta);
			double ex = exp(e >= 0 ? -e : e); /* e^-|e| */
			ll += wi * (y[i0 + r] * e - (e > 0 ? e + log1p(ex) : log1p(ex)));
			if (derivs) {
				double pi = e >= 0 ? 1.0 / (1.0 + ex) : ex / (1.0 + ex);
				double d = sqrt(wi * pi * (1 - pi)), resid = wi * (y[i0 + r] - pi);
				double *zr = Z + r * qs;
				g[0] += resid;
				for (size_t j = 0; j < p; j++)
					g[j + 1] += resid * x[j];
				if (hess) {
					zr[0] = d;
					for (size_t j = 0; j < p; j++)
						zr[j + 1] = d * x[j];
					for (size_t j = q; j < qs; j++)
						zr[j] = 0;
				}
			}
		}
		/* H += Z^T Z (upper triangle, row-major). */
		if (hess)
			syrk_upper(q, qs, nb, Z, H, fast);
	}
	slot[0] = ll;
	if (hess)
		for (size_t j = 0, k = 0; j < q; j++)
			for (size_t l = j; l < q; l++)
				packed[k++] = H[j * qs + l];
}

/* One pass over every process's rows at beta: the penalized log-likelihood *ll and, when g is
 * not NULL, the gradient g and the upper triangle of A^T W diag(p(1-p)) A in H (without the
 * penalty; Z, Hb scratch, total room for a block's numbers). The Newton step's trial point is
 * evaluated by this pass, so an accepted step already has the derivatives of the next iteration
 * (one pass per iteration, not two). Every process asks for the same (derivatives or not), since
 * they all hold the same beta. */
static pl_status newton_pass(const double *X, const double *y, const double *w, size_t p,
			     double l2, const double *beta, block_sums *s, double *Z, double *Hb,
			     double *total, double *ll, double *g, double *H, int fast, pl_error *err)
{
	const pl_logistic_blocks *b = s->b;
	size_t q = p + 1;
	double pen = 0;
	pl_status st;

	s->len = g ? 1 + q + (H ? q * (q + 1) / 2 : 0) : 1;
	block_sums_clear(s);
	for (size_t k = 0; k < b->count; k++)
		block_pass(X, y, w, p, beta, b->start[k], b->start[k + 1], Z, Hb, block_slot(s, k),
			   g != NULL, H != NULL, H ? fast : 0);
	if ((st = block_sums_total(s, total, err)) != PL_OK)
		return st;
	for (size_t j = 1; j <= p; j++)
		pen += beta[j] * beta[j];
	*ll = total[0] - 0.5 * l2 * pen;
	if (g)
		memcpy(g, total + 1, q * sizeof(double));
	if (H) {
		for (size_t j = 0, k = 1 + q; j < q; j++)
			for (size_t l = j; l < q; l++)
				H[j * q + l] = total[k++];
	}
	return PL_OK;
}

/* The Newton direction: g <- H^{-1} g for the penalized problem (H from newton_pass; the
 * penalty added here, the lower triangle filled). Returns LAPACK's info (> 0: not positive
 * definite); *gmax receives max |g| before the solve. */
static int newton_direction(double *H, double *g, size_t q, double l2, const double *beta,
			    double *gmax)
{
	int qi = (int)q, one = 1, info_rc = 0;

	*gmax = 0;
	for (size_t j = 1; j < q; j++) {
		g[j] -= l2 * beta[j];
		H[j * q + j] += l2;
	}
	for (size_t j = 0; j < q; j++) {
		if (fabs(g[j]) > *gmax)
			*gmax = fabs(g[j]);
		for (size_t k = 0; k < j; k++)
			H[j * q + k] = H[k * q + j]; /* symmetric: either triangle serves */
	}
	/* H is symmetric, so row- and column-major agree; info > 0: not positive definite. */
	dpotrf_("L", &qi, H, &qi, &info_rc, 1);
	if (info_rc == 0)
		dpotrs_("L", &qi, &one, H, &qi, g, &qi, &info_rc, 1);
	return info_rc;
}

/* The chord direction: g <- F^{-1} g with F the Cholesky factor newton_direction left in its H at
 * an earlier iterate (the penalty is in it); *gmax as there. */
static int chord_direction(const double *F, double *g, size_t q, double l2, const double *beta,
			   double *gmax)
{
	int qi = (int)q, one = 1, info_rc = 0;

	*gmax = 0;
	for (size_t j = 1; j < q; j++)
		g[j] -= l2 * beta[j];
	for (size_t j = 0; j < q; j++)
		if (fabs(g[j]) > *gmax)
			*gmax = fabs(g[j]);
	dpotrs_("L", &qi, &one, F, &qi, g, &qi, &info_rc, 1);
	return info_rc;
}

/* One block holding every row: the single-process fit, cold (warm = 0) or from beta (warm = 1). */
static pl_status fit_one_block(const double *X, const double *y, const double *w, size_t n,
			       size_t p, double l2, int warm, double *beta, pl_logistic_info *info,
			       pl_error *err)
{
	size_t start[2] = { 0, n };
	pl_logistic_blocks one = { .nblocks = 1, .first = 0, .count = 1, .start = start, .comm = NULL };

	if (n == 0) {
		if (info)
			memset(info, 0, sizeof(*info));
		return pl_error_set(err, PL_ERR_INVALID, "", "logistic regression needs data");
	}
	return pl_logistic_fit_blocks(X, y, w, p, l2, &one, warm, beta, info, err);
}

pl_status pl_logistic_fit(const double *X, const double *y, const double *w, size_t n, size_t p,
			  double l2, double *beta, pl_logistic_info *info, pl_error *err)
{
	return fit_one_block(X, y, w, n, p, l2, 0, beta, info, err);
}

pl_status pl_logistic_fit_warm(const double *X, const double *y, const double *w, size_t n,
			       size_t p, double l2, double *beta, pl_logistic_info *info,
			       pl_error *err)
{
	return fit_one_block(X, y, w, n, p, l2, 1, beta, info, err);
}

pl_status pl_logistic_fit_blocks(const double *X, const double *y, const double *w, size_t p,
				 double l2, const pl_logistic_blocks *blocks, int warm,
				 double *beta, pl_logistic_info *info, pl_error *err)
{
	return pl__logistic_fit_kernel(X, y, w, p, l2, blocks, warm, beta, info, PL__SYRK_AUTO,
				       err);
}

pl_status pl__logistic_fit_kernel(const double *X, const double *y, const double *w, size_t p,
				  double l2, const pl_logistic_blocks *blocks, int warm,
				  double *beta, pl_logistic_info *info, pl__syrk_kernel kernel,
				  pl_error *err)
{
	size_t q = p + 1, len = 1 + q + q * (q + 1) / 2;
	double *H = NULL, *g = NULL, *H2 = NULL, *g2 = NULL, *Hb = NULL, *Z = NULL, *trial = NULL;
	double *total = NULL, ll, prev = INFINITY;
	block_sums sums = { 0 };
	int chord = 0, fast = syrk_choice(kernel);
	pl_status st = PL_OK;
	pl_logistic_info local;
	int it;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	if (!(l2 >= 0) || !isfinite(l2))
		return pl_error_set(err, PL_ERR_INVALID, "", "the L2 penalty must be finite and >= 0");
	if (fast < 0)
		return pl_error_set(err, PL_ERR_INVALID, "",
				    "the AVX2 Hessian kernel is not available on this CPU");
	H = malloc(q * q * sizeof(double));
	H2 = malloc(q * q * sizeof(double));
	Hb = malloc(syrk_stride(q, 1) * syrk_stride(q, 1) * sizeof(double));
	g = malloc(q * sizeof(double));
	g2 = malloc(q * sizeof(double));
	Z = malloc(BLOCK * syrk_stride(q, 1) * sizeof(double));
	trial = malloc(q * sizeof(double));
	total = malloc(len * sizeof(double));
	if (!H || !H2 || !Hb || !g || !g2 || !Z || !trial || !total) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	if ((st = block_sums_alloc(&sums, blocks, len, err)) != PL_OK)
		goto out;
	if (!warm) {
		memset(beta, 0, q * sizeof(double));
		if ((st = start_intercept(y, w, &sums, &beta[0], err)) != PL_OK)
			goto out;
	}
	st = newton_pass(X, y, w, p, l2, beta, &sums, Z, Hb, total, &ll, g, H, fast, err);
	for (it = 1; st == PL_OK && it <= 100; it++) {
		double dmax, bmax, step = 1, ll_new, *t;
		int last, keep = 0,
		    rc = chord ? chord_direction(H, g, q, l2, beta, &info->grad_norm)
			       : newton_direction(H, g, q, l2, beta, &info->grad_norm);

		if (rc != 0) {
			st = pl_error_set(err, PL_ERR_INFEASIBLE, "",
					  "the logistic Hessian is singular (perfectly separable data "
					  "or a constant feature); use a positive L2 penalty");
			goto out;
		}
		/* Halve the step while the log-likelihood would fall. A step that ends the fit needs
		 * only the log-likelihood; any other also gets the next iteration's derivatives. */
		for (;;) {
			dmax = bmax = 0;
			for (size_t j = 0; j < q; j++) {
				trial[j] = beta[j] + step * g[j];
				dmax = fmax(dmax, fabs(trial[j] - beta[j]));
				bmax = fmax(bmax, fabs(trial[j]));
			}
			last = dmax <= 1e-10 * (1 + bmax) || it == 100;
			keep = !last && step == 1 && dmax <= CHORD_FROM * (1 + bmax) &&
			       (!chord || dmax <= 0.1 * prev);
			st = newton_pass(X, y, w, p, l2, trial, &sums, Z, Hb, total, &ll_new,
					 last ? NULL : g2, last || keep ? NULL : H2, fast, err);
			if (st != PL_OK)
				goto out;
			if (ll_new >= ll - 1e-12 * fabs(ll) || step < 1e-10)
				break;
			step *= 0.5;
		}
		memcpy(beta, trial, q * sizeof(double));
		ll = ll_new;
		info->iterations = it;
		if (dmax <= 1e-10 * (1 + bmax)) {
			info->converged = 1;
			break;
		}
		if (!keep)
			t = H, H = H2, H2 = t;
		t = g, g = g2, g2 = t;
		chord = keep;
		prev = dmax;
	}
	if (st != PL_OK)
		goto out;
	info->loglik = ll;
	if (!info->converged)
		st = pl_error_set(err, PL_ERR_INFEASIBLE, "",
				  "logistic regression did not converge in 100 Newton steps");
out:
	free(H);
	free(H2);
	free(Hb);
	free(g);
	free(g2);
	free(Z);
	free(trial);
	free(total);
	free(sums.slots);
	return st;
}

/* ---------------------------------------------------------------- calibration */

void pl_calibration_release(pl_calibration *cal)
{
	if (!cal)
		return;
	free(cal->x);
	free(cal->y);
	memset(cal, 0, sizeof(*cal));
}

/* The intercept of sigmoid(0 * s + b) that maximizes the likelihood of targets t: logit(mean t). */
static double platt_base_logit(const double *t, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += t[i];
	sum /= n ? (double)n : 1.0;
	return log(sum / (1 - sum));
}

pl_status pl_calibration_fit_platt(const double *score, const double *y, size_t n,
				   pl_calibration *cal, pl_error *err)
{
	double npos = 0, nneg = 0, tpos, tneg, beta[2];
	double *t = malloc((n ? n : 1) * sizeof(double));
	pl_status st;

	if (!t)
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
	for (size_t i = 0; i < n; i++)
		if (y[i] > 0.5)
			npos++;
		else
			nneg++;
	tpos = (npos + 1) / (npos + 2);
	tneg = 1 / (nneg + 2);
	for (size_t i = 0; i < n; i++)
		t[i] = y[i] > 0.5 ? tpos : tneg;
	st = pl_logistic_fit(score, t, NULL, n, 1, 0.0, beta, NULL, err);
	if (st == PL_OK && beta[1] < 0)
		beta[1] = 0, beta[0] = platt_base_logit(t, n);
	free(t);
	if (st != PL_OK)
		return st;
	memset(cal, 0, sizeof(*cal));
	cal->method = PL_CAL_PLATT;
	cal->a = beta[1];
	cal->b = beta[0];
	return PL_OK;
}

typedef struct sy_pair {
	double s, y;
} sy_pair;

static int cmp_pair(const void *a, const void *b)
{
	const sy_pair *x = a, *z = b;
	return (x->s > z->s) - (x->s < z->s);
}

pl_status pl_calibration_fit_isotonic(const double *score, const double *y, size_t n,
				      pl_calibration *cal, pl_error *err)
{
	sy_pair *v = malloc((n ? n : 1) * sizeof(*v));
	/* Blocks: value (mean y), weight (count), score range. */
	double *val = malloc((n ? n : 1) * sizeof(double)), *wt = malloc((n ? n : 1) * sizeof(double));
	double *lo = malloc((n ? n : 1) * sizeof(double)), *hi = malloc((n ? n : 1) * sizeof(double));
	size_t nb = 0;
	pl_status st = PL_OK;

	memset(cal, 0, sizeof(*cal));
	if (!v || !val || !wt || !lo || !hi) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	if (n == 0) {
		st = pl_error_set(err, PL_ERR_INVALID, "", "isotonic calibration needs data");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		v[i].s = score[i];
		v[i].y = y[i];
	}
	qsort(v, n, sizeof(*v), cmp_pair);
	for (size_t i = 0; i < n;) {
		/* Equal scores form one block first: the fit must be a function of the score. */
		size_t j = i;
		double sum = 0;
		while (j < n && v[j].s == v[i].s)
			sum += v[j++].y;
		val[nb] = sum / (double)(j - i);
		wt[nb] = (double)(j - i);
		lo[nb] = hi[nb] = v[i].s;
		nb++;
		/* Pool adjacent violators: merge backwards while the order is broken. */
		while (nb > 1 && val[nb - 2] >= val[nb - 1]) {
			double w2 = wt[nb - 2] + wt[nb - 1];
			val[nb - 2] = (val[nb - 2] * wt[nb - 2] + val[nb - 1] * wt[nb - 1]) / w2;
			wt[nb - 2] = w2;
			hi[nb - 2] = hi[nb - 1];
			nb--;
		}
		i = j;
	}
	/* Knots: each block's score range at its value; interpolation joins the blocks. */
	cal->x = malloc(2 * nb * sizeof(double));
	cal->y = malloc(2 * nb * sizeof(double));
	if (!cal->x || !cal->y) {
		pl_calibration_release(cal);
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	for (size_t b = 0; b < nb; b++) {
		cal->x[cal->n] = lo[b];
		cal->y[cal->n++] = val[b];
		if (hi[b] > lo[b]) {
			cal->x[cal->n] = hi[b];
			cal->y[cal->n++] = val[b];
		}
	}
	cal->method = PL_CAL_ISOTONIC;
out:
	free(v);
	free(val);
	free(wt);
	free(lo);
	free(hi);
	return st;
}

double pl_calibration_apply(const pl_calibration *cal, double s)
{
	size_t lo, hi;

	switch (cal->method) {
	case PL_CAL_NONE:
		return sigmoid(s);
	case PL_CAL_PLATT:
		return sigmoid(cal->a * s + cal->b);
	case PL_CAL_ISOTONIC:
		if (cal->n == 0)
			return sigmoid(s);
		if (s <= cal->x[0])
			return cal->y[0];
		if (s >= cal->x[cal->n - 1])
			return cal->y[cal->n - 1];
		lo = 0;
		hi = cal->n - 1; /* x[lo] < s < x[hi] */
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (cal->x[mid] <= s)
				lo = mid;
			else
				hi = mid;
		}
		if (cal->x[hi] == cal->x[lo])
			return cal->y[hi];
		return cal->y[lo] + (cal->y[hi] - cal->y[lo]) * (s - cal->x[lo]) / (cal->x[hi] - cal->x[lo]);
	}
	return NAN;
}
