/*
 * compat.c: compatibility scores of profile pairs (see peerlink/compat.h and
 * docs/matching-mentors.md for the formula).
 *
 * Why vectors and one GEMM: a program compares every mentee with every mentor (2,000 x 500 in the
 * benchmark), and almost all of the score is a sum of dot products:
 *   - tag criteria: the share of the client's tags that the candidate shares, |A n B| / |A|
 *     (the candidate's "recall" of the client's list; averaged over both directions for a set
 *     against itself this is Kulczynski's second coefficient, Kulczynski 1927, see Choi, Cha &
 *     Tappert 2010, "A survey of binary similarity and distance measures"), is the dot product
 *     of the client's multi-hot vector divided by |A| with the candidate's plain one. Why not
 *     the cosine (Ochiai) used before: it divides by sqrt(|B|) too, so a mentor who shares both
 *     of a client's two experiences but lists two more scored lower than one who shares only
 *     one and lists nothing else (issue 13); with |A n B| / |A| more shared tags always score
 *     higher and extra tags on the candidate's side never cost anything;
 *   - personality: 1 - |a - b|^2 / K = 1 - |a|^2/K - |b|^2/K + (2/K) a.b, a dot product once the
 *     squared norms ride along as two extra columns (and a presence column makes it vanish when
 *     either side gave no personality).
 * So each profile becomes one vector (weights folded into the left side), and the numerators of
 * all scores are L R^T: one cblas_dgemm. Age (a clipped absolute difference) is not a dot
 * product and is added elementwise, and so is the denominator, the sum of the weights of the
 * criteria both sides filled in, looked up by the AND of two presence bit masks.
 * pl_compat_explain computes the same score directly from the definition; tests check that the
 * two agree.
 */
#include <peerlink/compat.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

static const char *const rule_names[PL_RULE_COUNT] = {
	"language", "modality", "gender", "age", "exclude", "partner", "availability", "self",
	"avoid", "couples",
};

const char *pl_rule_name(pl_rule r)
{
	return (unsigned)r < PL_RULE_COUNT ? rule_names[r] : "";
}

int pl_rule_from_name(const char *name)
{
	for (int r = 0; r < PL_RULE_COUNT; r++)
		if (strcmp(rule_names[r], name) == 0)
			return r;
	return -1;
}

void pl_compat_params_init(pl_compat_params *prm)
{
	static const double defaults[PL_CRIT_COUNT] = {
		[PL_CRIT_EXPERIENCES] = 2.0, [PL_CRIT_SUBSTANCES] = 1.0,
		[PL_CRIT_GOALS] = 1.5, [PL_CRIT_RECOVERY_PATHWAY] = 2.0,
		[PL_CRIT_LIFE_STAGE] = 2.0, [PL_CRIT_LANGUAGES] = 0.5,
		[PL_CRIT_MODALITIES] = 0.5, [PL_CRIT_AVAILABILITY] = 1.0,
		[PL_CRIT_PERSONALITY] = 1.0, [PL_CRIT_AGE] = 1.0,
	};
	memcpy(prm->weight, defaults, sizeof(defaults));
	prm->rules = PL_RULES_DEFAULT;
	prm->min_availability_overlap = 0;
	prm->age_scale = 20.0;
	prm->preference = 0.5;
}

/* |A n B| of two sorted id lists. */
static size_t intersect_count(const pl_tags *a, const pl_tags *b)
{
	size_t i = 0, j = 0, n = 0;
	while (i < a->n && j < b->n) {
		if (a->ids[i] < b->ids[j])
			i++;
		else if (a->ids[i] > b->ids[j])
			j++;
		else {
			n++;
			i++;
			j++;
		}
	}
	return n;
}

size_t pl_compat_shared_tags(const pl_profiles *P, size_t a, size_t b, pl_criterion c, int *out,
			     size_t max)
{
	const pl_tags *x = &P->items[a].tags[c], *y = &P->items[b].tags[c];
	size_t i = 0, j = 0, n = 0;
	if ((unsigned)c >= PL_TAG_CRITERIA)
		return 0;
	while (i < x->n && j < y->n) {
		if (x->ids[i] < y->ids[j])
			i++;
		else if (x->ids[i] > y->ids[j])
			j++;
		else {
			if (n < max)
				out[n] = x->ids[i];
			n++;
			i++;
			j++;
		}
	}
	return n;
}

/* Does `who`'s gender preference accept `other`? A preference that cannot be checked (the other
 * side's gender is unknown) is not met. */
static int gender_ok(const pl_profile *who, const pl_profile *other)
{
	switch (who->gpref) {
	case PL_GPREF_ANY: return 1;
	case PL_GPREF_SAME: return who->gender >= 0 && other->gender == who->gender;
	case PL_GPREF_GENDER: return other->gender >= 0 && other->gender == who->gpref_gender;
	}
	return 1;
}

static int age_ok(const pl_profile *who, const pl_profile *other)
{
	if (!who->has_age_range)
		return 1;
	return other->has_age && other->age >= who->age_lo && other->age <= who->age_hi;
}

/* Does the id list idx[0..n) hold other? */
static int lists(const long *idx, size_t n, long other)
{
	for (size_t k = 0; k < n; k++)
		if (idx[k] == other)
			return 1;
	return 0;
}

/* The rules that do not look at tags: self, gender, age, the id lists, partners. */
static unsigned id_rules_failed(const pl_profile *x, const pl_profile *y, unsigned on, size_t a,
				size_t b)
{
	unsigned f = 0;

	if (a == b)
		f |= PL_RULE_BIT(PL_RULE_SELF);
	if ((on & PL_RULE_BIT(PL_RULE_GENDER)) && !(gender_ok(x, y) && gender_ok(y, x)))
		f |= PL_RULE_BIT(PL_RULE_GENDER);
	if ((on & PL_RULE_BIT(PL_RULE_AGE)) && !(age_ok(x, y) && age_ok(y, x)))
		f |= PL_RULE_BIT(PL_RULE_AGE);
	if ((on & PL_RULE_BIT(PL_RULE_EXCLUDE)) &&
	    (lists(x->exclude_idx, x->nexclude, (long)b) || lists(y->exclude_idx, y->nexclude, (long)a)))
		f |= PL_RULE_BIT(PL_RULE_EXCLUDE);
	if ((on & PL_RULE_BIT(PL_RULE_AVOID)) &&
	    (lists(x->avoid_idx, x->navoid, (long)b) || lists(y->avoid_idx, y->navoid, (long)a)))
		f |= PL_RULE_BIT(PL_RULE_AVOID);
	if ((on & PL_RULE_BIT(PL_RULE_PARTNER)) && (x->partner == (long)b || y->partner == (long)a))
		f |= PL_RULE_BIT(PL_RULE_PARTNER);
	return f;
}

unsigned pl_compat_rules_failed(const pl_profiles *P, const pl_compat_params *prm, size_t a,
				size_t b)
{
	const pl_profile *x = &P->items[a], *y = &P->items[b];
	unsigned on = prm->rules | PL_RULE_BIT(PL_RULE_SELF), f = id_rules_failed(x, y, on, a, b);

	if ((on & PL_RULE_BIT(PL_RULE_LANGUAGE)) && x->tags[PL_CRIT_LANGUAGES].n &&
	    y->tags[PL_CRIT_LANGUAGES].n &&
	    intersect_count(&x->tags[PL_CRIT_LANGUAGES], &y->tags[PL_CRIT_LANGUAGES]) == 0)
		f |= PL_RULE_BIT(PL_RULE_LANGUAGE);
	if ((on & PL_RULE_BIT(PL_RULE_MODALITY)) && x->tags[PL_CRIT_MODALITIES].n &&
	    y->tags[PL_CRIT_MODALITIES].n &&
	    intersect_count(&x->tags[PL_CRIT_MODALITIES], &y->tags[PL_CRIT_MODALITIES]) == 0)
		f |= PL_RULE_BIT(PL_RULE_MODALITY);
	if ((on & PL_RULE_BIT(PL_RULE_AVAILABILITY)) && prm->min_availability_overlap > 0 &&
	    intersect_count(&x->tags[PL_CRIT_AVAILABILITY], &y->tags[PL_CRIT_AVAILABILITY]) <
		    (size_t)prm->min_availability_overlap)
		f |= PL_RULE_BIT(PL_RULE_AVAILABILITY);
	return f;
}

/*
 * The same rules over a whole matrix, which is most of the cost of scoring a program when done
 * pair by pair (merging sorted tag lists). Tag ids are dense per criterion, so when the
 * population uses at most 64 languages, modalities and availability slots, each profile's lists
 * become bit masks (mask_of) and a pair's tag rules are an AND (and a bit count); a non-empty
 * list is a non-zero mask. Otherwise rules_failed_masked is not used (masks_fit).
 */
enum { MASK_LANG, MASK_MOD, MASK_AVAIL, NMASK };

static int masks_fit(const pl_profiles *P)
{
	return P->tags[PL_CRIT_LANGUAGES].n <= 64 && P->tags[PL_CRIT_MODALITIES].n <= 64 &&
	       P->tags[PL_CRIT_AVAILABILITY].n <= 64;
}

static void mask_of(const pl_profile *p, uint64_t *mask)
{
	static const pl_criterion crit[NMASK] = { PL_CRIT_LANGUAGES, PL_CRIT_MODALITIES,
						  PL_CRIT_AVAILABILITY };
	for (int k = 0; k < NMASK; k++) {
		const pl_tags *t = &p->tags[crit[k]];
		mask[k] = 0;
		for (size_t i = 0; i < t->n; i++)
			mask[k] |= (uint64_t)1 << t->ids[i];
	}
}

/* The set bits of x, without a loop (the SWAR count of Hacker's Delight, sec. 5-1). */
static size_t bit_count(uint64_t x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (size_t)((x * 0x0101010101010101ULL) >> 56);
}

static unsigned rules_failed_masked(const pl_profiles *P, const pl_compat_params *prm, size_t a,
				    size_t b, const uint64_t *ma, const uint64_t *mb)
{
	unsigned on = prm->rules | PL_RULE_BIT(PL_RULE_SELF);
	unsigned f = id_rules_failed(&P->items[a], &P->items[b], on, a, b);

	if ((on & PL_RULE_BIT(PL_RULE_LANGUAGE)) && ma[MASK_LANG] && mb[MASK_LANG] &&
	    !(ma[MASK_LANG] & mb[MASK_LANG]))
		f |= PL_RULE_BIT(PL_RULE_LANGUAGE);
	if ((on & PL_RULE_BIT(PL_RULE_MODALITY)) && ma[MASK_MOD] && mb[MASK_MOD] &&
	    !(ma[MASK_MOD] & mb[MASK_MOD]))
		f |= PL_RULE_BIT(PL_RULE_MODALITY);
	if ((on & PL_RULE_BIT(PL_RULE_AVAILABILITY)) && prm->min_availability_overlap > 0 &&
	    bit_count(ma[MASK_AVAIL] & mb[MASK_AVAIL]) < (size_t)prm->min_availability_overlap)
		f |= PL_RULE_BIT(PL_RULE_AVAILABILITY);
	return f;
}

/*
 * The per-profile facts the pair rules read, packed so that the pair loop of mark_rules stays in
 * a few cache lines (reading them from pl_profile cost more than the scores' GEMM). A gender
 * preference becomes the one gender it accepts: `want` -2 accepts anyone, -3 no one (a "same"
 * preference of a profile without a gender, which pl_compat_rules_failed never meets either).
 */
typedef struct rule_facts {
	uint64_t mask[NMASK];
	int gender, want, has_age, has_range;
	double age, lo, hi;
} rule_facts;

static void facts_of(const pl_profile *p, rule_facts *r)
{
	mask_of(p, r->mask);
	r->gender = p->gender;
	r->want = -2;
	if (p->gpref == PL_GPREF_SAME)
		r->want = p->gender >= 0 ? p->gender : -3;
	else if (p->gpref == PL_GPREF_GENDER)
		r->want = p->gpref_gender >= 0 ? p->gpref_gender : -3;
	r->has_age = p->has_age;
	r->age = p->age;
	r->has_range = p->has_age_range;
	r->lo = p->age_lo;
	r->hi = p->age_hi;
}

/*
 * The right side's facts by field, one array each, so that one profile's rules against the whole
 * list are a few plain loops over arrays (which the compiler turns into vector code) with no
 * branch per pair. Whether a pair breaks a rule is data the processor cannot predict (about half
 * the pairs of a realistic program do): the per-pair form with && and || cost 0.6 million
 * mispredicted branches on 2,000 x 500, more than its arithmetic.
 */
typedef struct col_facts {
	size_t n;
	int *gender, *want;
	unsigned char *has_age, *has_range;
	double *age, *lo, *hi;
	uint64_t *mask[NMASK];
	int any_range; /* some profile of the list has an age range */
} col_facts;

static void col_facts_release(col_facts *C)
{
	free(C->gender);
	free(C->want);
	free(C->has_age);
	free(C->has_range);
	free(C->age);
	free(C->lo);
	free(C->hi);
	for (int k = 0; k < NMASK; k++)
		free(C->mask[k]);
	memset(C, 0, sizeof(*C));
}

/* The facts of the profiles list[0..n). Returns -1 when out of memory (C released). */
static int col_facts_init(col_facts *C, const pl_profiles *P, const size_t *list, size_t n)
{
	size_t m = n ? n : 1;
	int ok;

	memset(C, 0, sizeof(*C));
	C->n = n;
	C->gender = malloc(m * sizeof(int));
	C->want = malloc(m * sizeof(int));
	C->has_age = malloc(m);
	C->has_range = malloc(m);
	C->age = malloc(m * sizeof(double));
	C->lo = malloc(m * sizeof(double));
	C->hi = malloc(m * sizeof(double));
	ok = C->gender && C->want && C->has_age && C->has_range && C->age && C->lo && C->hi;
	for (int k = 0; k < NMASK; k++)
		ok = (C->mask[k] = malloc(m * sizeof(uint64_t))) != NULL && ok;
	if (!ok) {
		col_facts_release(C);
		return -1;
	}
	for (size_t j = 0; j < n; j++) {
		rule_facts f;
		facts_of(&P->items[list[j]], &f);
		C->gender[j] = f.gender;
		C->want[j] = f.want;
		C->has_age[j] = f.has_age != 0;
		C->has_range[j] = f.has_range != 0;
		C->any_range |= C->has_range[j];
		C->age[j] = f.age;
		C->lo[j] = f.lo;
		C->hi[j] = f.hi;
		for (int k = 0; k < NMASK; k++)
			C->mask[k][j] = f.mask[k];
	}
	return 0;
}

/* 1 when v != 0, else 0, in 64-bit arithmetic only (so that a loop of it is vector code on
 * plain x86-64, which has no 64-bit vector compare). */
static inline unsigned nonzero(uint64_t v)
{
	return (unsigned)((v | (0 - v)) >> 63);
}

/* bit when cond (0 or 1), else 0. */
static inline unsigned bit_if(unsigned bit, unsigned cond)
{
	return bit & (0u - cond);
}

/*
 * out[j]: the rules of rules_failed_masked that need no id list (gender, age and the tag masks;
 * not self) that x and column j break, PL_RULE_BIT set, for every column. A pair breaks
 *   gender   when x wants a gender j does not have, or j wants one x does not have
 *            (want -2: anyone; -3: no one);
 *   age      when x has a range j's age is not in (or j has no age), or the other way round;
 *   language, modality  when both list some and share none;
 *   availability  when they share fewer slots than min_availability_overlap.
 * Tests on x and prm are the same for the whole row, so they stay branches.
 */
static void row_facts_failed(const pl_compat_params *prm, unsigned on, const rule_facts *x,
			     const col_facts *C, unsigned *out)
{
	size_t n = C->n;

	for (size_t j = 0; j < n; j++)
		out[j] = 0;
	if (on & PL_RULE_BIT(PL_RULE_GENDER)) {
		unsigned b = PL_RULE_BIT(PL_RULE_GENDER);
		int w = x->want, g = x->gender;
		if (w != -2)
			for (size_t j = 0; j < n; j++)
				out[j] |= bit_if(b, (unsigned)(C->gender[j] != w));
		for (size_t j = 0; j < n; j++)
			out[j] |= bit_if(b, (unsigned)(C->want[j] != -2) & (unsigned)(C->want[j] != g));
	}
	if (on & PL_RULE_BIT(PL_RULE_AGE)) {
		unsigned b = PL_RULE_BIT(PL_RULE_AGE), xa = x->has_age != 0;
		double lo = x->lo, hi = x->hi, age = x->age;
		if (x->has_range)
			for (size_t j = 0; j < n; j++)
				out[j] |= bit_if(b, ((unsigned)C->has_age[j] & (unsigned)(C->age[j] >= lo) &
						     (unsigned)(C->age[j] <= hi)) ^ 1u);
		if (C->any_range)
			for (size_t j = 0; j < n; j++)
				out[j] |= bit_if(b, (unsigned)C->has_range[j] &
							 ((xa & (unsigned)(age >= C->lo[j]) & (unsigned)(age <= C->hi[j])) ^ 1u));
	}
	for (int k = MASK_LANG; k <= MASK_MOD; k++) {
		unsigned b = PL_RULE_BIT(k == MASK_LANG ? PL_RULE_LANGUAGE : PL_RULE_MODALITY);
		uint64_t mx = x->mask[k];
		const uint64_t *my = C->mask[k];
		if (!(on & b) || mx == 0)
			continue; /* x lists none: never broken */
		for (size_t j = 0; j < n; j++)
			out[j] |= bit_if(b, (unsigned)(nonzero(my[j]) & (nonzero(my[j] & mx) ^ 1u)));
	}
	if ((on & PL_RULE_BIT(PL_RULE_AVAILABILITY)) && prm->min_availability_overlap > 0) {
		unsigned b = PL_RULE_BIT(PL_RULE_AVAILABILITY);
		size_t least = (size_t)prm->min_availability_overlap;
		for (size_t j = 0; j < n; j++)
			out[j] |= bit_if(b, (unsigned)(bit_count(x->mask[MASK_AVAIL] & C->mask[MASK_AVAIL][j]) < least));
	}
}

/* x, or NaN when fail (0 or 1), without a branch (see col_facts). */
static inline double nan_if(double x, unsigned fail)
{
	static const double nan_value = NAN;
	uint64_t bx, bn, mask = (uint64_t)0 - (uint64_t)fail;

	memcpy(&bx, &x, sizeof(bx));
	memcpy(&bn, &nan_value, sizeof(bn));
	bx = (bx & ~mask) | (bn & mask);
	memcpy(&x, &bx, sizeof(x));
	return x;
}

/* NaN at (i, pos[b]) for each population index b of list[0..n) that is in the other list. */
static void mark_listed(const long *list, size_t n, const long *pos, double *scores, size_t i,
			int rows, size_t nr)
{
	for (size_t k = 0; k < n; k++) {
		long j = list[k] >= 0 ? pos[list[k]] : -1;
		if (j >= 0)
			scores[rows ? i * nr + (size_t)j : (size_t)j * nr + i] = NAN;
	}
}

/* The rules that name ids (exclude, avoid, partner) from each profile's own short lists,
 * instead of asking every pair. from/nfrom: one side; pos maps population indexes to positions
 * in the other side (-1: not in it); rows: `from` is the matrix's rows. */
static void mark_id_rules(const pl_profiles *P, unsigned on, const size_t *from, size_t nfrom,
			  const long *pos, int rows, size_t nr, double *scores)
{
	for (size_t i = 0; i < nfrom; i++) {
		const pl_profile *x = &P->items[from[i]];
		if (on & PL_RULE_BIT(PL_RULE_EXCLUDE))
			mark_listed(x->exclude_idx, x->nexclude, pos, scores, i, rows, nr);
		if (on & PL_RULE_BIT(PL_RULE_AVOID))
			mark_listed(x->avoid_idx, x->navoid, pos, scores, i, rows, nr);
		if (on & PL_RULE_BIT(PL_RULE_PARTNER))
			mark_listed(&x->partner, 1, pos, scores, i, rows, nr);
	}
}

/* Population index -> position in list (-1: absent). Returns -1 when an index repeats (the
 * list-driven marking needs one position per profile) or memory runs out. */
static long *positions_unique(const pl_profiles *P, const size_t *list, size_t n)
{
	long *pos = malloc((P->n ? P->n : 1) * sizeof(long));
	if (!pos)
		return NULL;
	for (size_t k = 0; k < P->n; k++)
		pos[k] = -1;
	for (size_t i = 0; i < n; i++) {
		if (pos[list[i]] >= 0) {
			free(pos);
			return NULL;
		}
		pos[list[i]] = (long)i;
	}
	return pos;
}

/* mark_rules when the masks fit and every profile appears once per side: the pair loop on packed
 * facts, then the id rules from the profiles' lists. Returns 0 when it could not run (out of
 * memory, a repeated profile): the caller then takes the pair-by-pair path. */
static int mark_rules_packed(const pl_profiles *P, const pl_compat_params *prm, const size_t *left,
			     size_t nl, const size_t *right, size_t nr, double *scores)
{
	unsigned on = prm->rules | PL_RULE_BIT(PL_RULE_SELF), *fail = malloc((nr ? nr : 1) * sizeof(unsigned));
	long *posl = positions_unique(P, left, nl), *posr = positions_unique(P, right, nr);
	col_facts C;
	int ok = fail && posl && posr && col_facts_init(&C, P, right, nr) == 0;

	if (ok) {
		for (size_t i = 0; i < nl; i++) {
			double *row = scores + i * nr;
			rule_facts x;
			facts_of(&P->items[left[i]], &x);
			row_facts_failed(prm, on, &x, &C, fail);
			for (size_t j = 0; j < nr; j++)
				row[j] = nan_if(row[j], fail[j] != 0);
			if (posr[left[i]] >= 0) /* the profile is on both sides: rule self */
				row[posr[left[i]]] = NAN;
		}
		mark_id_rules(P, on, left, nl, posr, 1, nr, scores);
		mark_id_rules(P, on, right, nr, posl, 0, nr, scores);
		col_facts_release(&C);
	}
	free(fail);
	free(posl);
	free(posr);
	return ok;
}

/* NaN on every pair of left x right that breaks an enabled rule. */
static pl_status mark_rules(const pl_profiles *P, const pl_compat_params *prm, const size_t *left,
			    size_t nl, const size_t *right, size_t nr, double *scores, pl_error *err)
{
	uint64_t *ml, *mr;

	if (masks_fit(P) && mark_rules_packed(P, prm, left, nl, right, nr, scores))
		return PL_OK;
	if (!masks_fit(P)) {
		for (size_t i = 0; i < nl; i++)
			for (size_t j = 0; j < nr; j++)
				if (pl_compat_rules_failed(P, prm, left[i], right[j]))
					scores[i * nr + j] = NAN;
		return PL_OK;
	}
	ml = malloc((nl ? nl : 1) * NMASK * sizeof(uint64_t));
	mr = malloc((nr ? nr : 1) * NMASK * sizeof(uint64_t));
	if (!ml || !mr) {
		free(ml);
		free(mr);
		return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory for the hard rules");
	}
	for (size_t i = 0; i < nl; i++)
		mask_of(&P->items[left[i]], ml + i * NMASK);
	for (size_t j = 0; j < nr; j++)
		mask_of(&P->items[right[j]], mr + j * NMASK);
	for (size_t i = 0; i < nl; i++)
		for (size_t j = 0; j < nr; j++)
			if (rules_failed_masked(P, prm, left[i], right[j], ml + i * NMASK, mr + j * NMASK))
				scores[i * nr + j] = NAN;
	free(ml);
	free(mr);
	return PL_OK;
}

/*
 * The rules of one profile against a whole list, for the explanations (which rule excluded how
 * many mentors): the list's facts are packed once, then each row costs a few operations per
 * pair instead of pl_compat_rules_failed's walk over both profiles. Same answers: without packed
 * facts (more than 64 tags, a repeated profile) each pair goes through pl_compat_rules_failed.
 */
struct pl_compat_rules {
	const pl_profiles *P;
	const pl_compat_params *prm;
	const size_t *right;
	size_t nr;
	col_facts C;         /* right's facts, when packed */
	int packed;          /* 0: pair by pair */
	long *posr;          /* population index -> position in right */
	unsigned char *lists; /* right[j] names ids (exclude, avoid, partner) */
};

pl_compat_rules *pl_compat_rules_new(const pl_profiles *P, const pl_compat_params *prm,
				     const size_t *right, size_t nr)
{
	pl_compat_rules *R = calloc(1, sizeof(*R));

	if (!R)
		return NULL;
	R->P = P;
	R->prm = prm;
	R->right = right;
	R->nr = nr;
	if (!masks_fit(P))
		return R;
	R->lists = malloc(nr ? nr : 1);
	R->posr = positions_unique(P, right, nr);
	if (!R->lists || !R->posr || col_facts_init(&R->C, P, right, nr) != 0) {
		/* a repeated profile or no memory for the packed form: pair by pair */
		free(R->lists);
		free(R->posr);
		R->lists = NULL;
		R->posr = NULL;
		return R;
	}
	R->packed = 1;
	for (size_t j = 0; j < nr; j++) {
		const pl_profile *y = &P->items[right[j]];
		R->lists[j] = y->nexclude > 0 || y->navoid > 0 || y->partner >= 0;
	}
	return R;
}

void pl_compat_rules_free(pl_compat_rules *R)
{
	if (!R)
		return;
	col_facts_release(&R->C);
	free(R->lists);
	free(R->posr);
	free(R);
}

/* Set bit r of out[pos[b]] for each population index b of list[0..n) in the other list. */
static void or_listed(const long *list, size_t n, const long *pos, unsigned bit, unsigned *out)
{
	for (size_t k = 0; k < n; k++)
		if (list[k] >= 0 && pos[list[k]] >= 0)
			out[pos[list[k]]] |= bit;
}

void pl_compat_rules_row(const pl_compat_rules *R, size_t a, const double *scores, unsigned *out)
{
	const pl_compat_params *prm = R->prm;
	const pl_profile *x = &R->P->items[a];
	unsigned on = prm->rules | PL_RULE_BIT(PL_RULE_SELF);
	rule_facts fa;

	if (!R->packed) {
		for (size_t j = 0; j < R->nr; j++)
			out[j] = scores && !isnan(scores[j]) ? 0 : pl_compat_rules_failed(R->P, prm, a, R->right[j]);
		return;
	}
	facts_of(x, &fa);
	/* every pair's rules, then none where there is a score (masks, not branches: see
	 * col_facts) */
	row_facts_failed(prm, on, &fa, &R->C, out);
	if (R->posr[a] >= 0)
		out[R->posr[a]] |= PL_RULE_BIT(PL_RULE_SELF);
	if (on & PL_RULE_BIT(PL_RULE_EXCLUDE))
		or_listed(x->exclude_idx, x->nexclude, R->posr, PL_RULE_BIT(PL_RULE_EXCLUDE), out);
	if (on & PL_RULE_BIT(PL_RULE_AVOID))
		or_listed(x->avoid_idx, x->navoid, R->posr, PL_RULE_BIT(PL_RULE_AVOID), out);
	if (on & PL_RULE_BIT(PL_RULE_PARTNER))
		or_listed(&x->partner, 1, R->posr, PL_RULE_BIT(PL_RULE_PARTNER), out);
	if (scores) /* a pair with a score breaks no rule: the lists above may have marked it */
		for (size_t j = 0; j < R->nr; j++)
			out[j] &= 0u - (unsigned)isnan(scores[j]);
	for (size_t j = 0; j < R->nr; j++) {
		const pl_profile *y;
		if (!R->lists[j] || (scores && !isnan(scores[j])))
			continue;
		y = &R->P->items[R->right[j]];
		if ((on & PL_RULE_BIT(PL_RULE_EXCLUDE)) && lists(y->exclude_idx, y->nexclude, (long)a))
			out[j] |= PL_RULE_BIT(PL_RULE_EXCLUDE);
		if ((on & PL_RULE_BIT(PL_RULE_AVOID)) && lists(y->avoid_idx, y->navoid, (long)a))
			out[j] |= PL_RULE_BIT(PL_RULE_AVOID);
		if ((on & PL_RULE_BIT(PL_RULE_PARTNER)) && y->partner == (long)a)
			out[j] |= PL_RULE_BIT(PL_RULE_PARTNER);
	}
}

static double age_similarity(const pl_compat_params *prm, double a, double b)
{
	double s = 1.0 - fabs(a - b) / prm->age_scale;
	return s > 0 ? s : 0.0;
}

/* Bit c set when the profile fills criterion c in. */
static unsigned presence(const pl_profile *p)
{
	unsigned m = 0;
	for (int c = 0; c < PL_TAG_CRITERIA; c++)
		if (p->tags[c].n)
			m |= 1u << c;
	if (p->traits)
		m |= 1u << PL_CRIT_PERSONALITY;
	if (p->has_age)
		m |= 1u << PL_CRIT_AGE;
	return m;
}

/* 1 - beta (k - r + 1) / k when who ranks other r-th (1-based) of k in `prefers`, else 1. */
static double prefers_factor(const pl_profile *who, const pl_compat_params *prm, long other)
{
	for (size_t r = 0; r < who->nprefers; r++)
		if (who->prefers_idx[r] == other)
			return 1.0 - prm->preference * (double)(who->nprefers - r) / (double)who->nprefers;
	return 1.0;
}

double pl_compat_preference_factor(const pl_profiles *P, const pl_compat_params *prm, size_t a,
				   size_t b)
{
	return prefers_factor(&P->items[a], prm, (long)b) * prefers_factor(&P->items[b], prm, (long)a);
}

/* base -> score: stated preferences close part of the gap to 1. */
static double raise(double base, double factor)
{
	return factor < 1.0 ? 1.0 - (1.0 - base) * factor : base;
}

static void finish_detail(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
			  pl_compat_detail *out)
{
	out->score = raise(out->base, pl_compat_preference_factor(P, prm, a, b));
	out->preference = out->score - out->base;
}

static void explain_base(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
			 pl_compat_detail *out)
{
	const pl_profile *x = &P->items[a], *y = &P->items[b];
	unsigned both = presence(x) & presence(y);
	double den = 0.0, num = 0.0;
	size_t K = P->traits.n;

	memset(out, 0, sizeof(*out));
	out->failed = pl_compat_rules_failed(P, prm, a, b);
	for (int c = 0; c < PL_CRIT_COUNT; c++) {
		double s = 0.0;
		if (!(both & (1u << c)) || !(prm->weight[c] > 0))
			continue;
		if (c < PL_TAG_CRITERIA) {
			s = (double)intersect_count(&x->tags[c], &y->tags[c]) / (double)x->tags[c].n;
		} else if (c == PL_CRIT_PERSONALITY) {
			double d2 = 0.0;
			for (size_t k = 0; k < K; k++)
				d2 += (x->traits[k] - y->traits[k]) * (x->traits[k] - y->traits[k]);
			s = 1.0 - d2 / (double)K;
		} else {
			s = age_similarity(prm, x->age, y->age);
		}
		out->present[c] = 1;
		out->similarity[c] = s;
		den += prm->weight[c];
		num += prm->weight[c] * s;
	}
	if (den > 0) {
		for (int c = 0; c < PL_CRIT_COUNT; c++)
			out->contribution[c] = out->present[c] ? prm->weight[c] * out->similarity[c] / den : 0.0;
		out->base = num / den;
	}
}

void pl_compat_explain(const pl_profiles *P, const pl_compat_params *prm, size_t a, size_t b,
		       pl_compat_detail *out)
{
	explain_base(P, prm, a, b, out);
	finish_detail(P, prm, a, b, out);
}

void pl_compat_explain_self(const pl_profiles *P, const pl_compat_params *prm, size_t a,
			    size_t b, pl_compat_detail *out)
{
	pl_compat_detail back;

	explain_base(P, prm, a, b, out);
	explain_base(P, prm, b, a, &back);
	for (int c = 0; c < PL_CRIT_COUNT; c++) {
		out->similarity[c] = 0.5 * (out->similarity[c] + back.similarity[c]);
		out->contribution[c] = 0.5 * (out->contribution[c] + back.contribution[c]);
	}
	out->base = 0.5 * (out->base + back.base);
	finish_detail(P, prm, a, b, out);
}

/* Column layout of the compatibility vectors. */
typedef struct layout {
	size_t off[PL_CRIT_COUNT]; /* first column of each vector block */
	size_t d;                   /* vector length */
	int tag_on[PL_TAG_CRITERIA];
	int pers_on;
	size_t K;
} layout;

static void make_layout(const pl_profiles *P, const pl_compat_params *prm, layout *L)
{
	memset(L, 0, sizeof(*L));
	for (int c = 0; c < PL_TAG_CRITERIA; c++) {
		L->tag_on[c] = prm->weight[c] > 0 && P->tags[c].n > 0;
		L->off[c] = L->d;
		if (L->tag_on[c])
			L->d += P->tags[c].n;
	}
	L->K = P->traits.n;
	L->pers_on = prm->weight[PL_CRIT_PERSONALITY] > 0 && L->K > 0;
	L->off[PL_CRIT_PERSONALITY] = L->d;
	if (L->pers_on)
		L->d += L->K + 2;
}

/* One profile's vector; `left` vectors carry the weights. */
static void fill_vector(const layout *L, const pl_profiles *P, const pl_compat_params *prm,
			const pl_profile *p, int left, double *row)
{
	memset(row, 0, L->d * sizeof(double));
	for (int c = 0; c < PL_TAG_CRITERIA; c++) {
		const pl_tags *t = &p->tags[c];
		double val;
		if (!L->tag_on[c] || t->n == 0)
			continue;
		val = left ? prm->weight[c] / (double)t->n : 1.0;
		for (size_t k = 0; k < t->n; k++)
			row[L->off[c] + (size_t)t->ids[k]] = val;
	}
	if (L->pers_on && p->traits) {
		double w = prm->weight[PL_CRIT_PERSONALITY], K = (double)L->K, n2 = 0.0;
		double *r = row + L->off[PL_CRIT_PERSONALITY];
		for (size_t k = 0; k < L->K; k++)
			n2 += p->traits[k] * p->traits[k];
		if (left) {
			for (size_t k = 0; k < L->K; k++)
				r[k] = w * 2.0 / K * p->traits[k];
			r[L->K] = w * (1.0 - n2 / K);
			r[L->K + 1] = w;
		} else {
			for (size_t k = 0; k < L->K; k++)
				r[k] = p->traits[k];
			r[L->K] = 1.0;
			r[L->K + 1] = -n2 / K;
		}
	}
}

/* The base scores (no preferences, no rules) of left x right into scores. */
static pl_status matrix_base(const pl_profiles *P, const pl_compat_params *prm, const size_t *left,
			     size_t nl, const size_t *right, size_t nr, double *scores, pl_error *err)
{
	layout L;
	double *Lv = NULL, *Rv = NULL, wsum[1u << PL_CRIT_COUNT];
	unsigned *pl_ = NULL, *pr_ = NULL, active = 0;
	int age_on = prm->weight[PL_CRIT_AGE] > 0;
	pl_status st = PL_OK;

	if (!P->finalized)
		return pl_error_set(err, PL_ERR_USAGE, "", "the profiles were not finalized");
	if (nl == 0 || nr == 0)
		return PL_OK;
	make_layout(P, prm, &L);
	for (int c = 0; c < PL_CRIT_COUNT; c++)
		if (prm->weight[c] > 0)
			active |= 1u << c;
	/* Denominator for every presence pattern: sum of the weights of the criteria in it. */
	for (unsigned m = 0; m < (1u << PL_CRIT_COUNT); m++) {
		double s = 0.0;
		for (int c = 0; c < PL_CRIT_COUNT; c++)
			if (m & active & (1u << c))
				s += prm->weight[c];
		wsum[m] = s;
	}
	pl_ = malloc(nl * sizeof(unsigned));
	pr_ = malloc(nr * sizeof(unsigned));
	if (L.d > 0) {
		Lv = malloc(nl * L.d * sizeof(double));
		Rv = malloc(nr * L.d * sizeof(double));
	}
	if (!pl_ || !pr_ || (L.d > 0 && (!Lv || !Rv))) {
		st = pl_error_set(err, PL_ERR_NOMEM, "", "out of memory for the compatibility vectors");
		goto out;
	}
	for (size_t i = 0; i < nl; i++) {
		const pl_profile *p = &P->items[left[i]];
		pl_[i] = presence(p);
		if (L.d > 0)
			fill_vector(&L, P, prm, p, 1, Lv + i * L.d);
	}
	for (size_t j = 0; j < nr; j++) {
		const pl_profile *p = &P->items[right[j]];
		pr_[j] = presence(p);
		if (L.d > 0)
			fill_vector(&L, P, prm, p, 0, Rv + j * L.d);
	}
	if (L.d > 0)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nl, (int)nr, (int)L.d, 1.0, Lv,
			    (int)L.d, Rv, (int)L.d, 0.0, scores, (int)nr);
	else
		memset(scores, 0, nl * nr * sizeof(double));

	for (size_t i = 0; i < nl; i++) {
		const pl_profile *x = &P->items[left[i]];
		double *row = scores + i * nr;
		for (size_t j = 0; j < nr; j++) {
			const pl_profile *y = &P->items[right[j]];
			double den = wsum[pl_[i] & pr_[j]], s = row[j];
			if (age_on && x->has_age && y->has_age)
				s += prm->weight[PL_CRIT_AGE] * age_similarity(prm, x->age, y->age);
			s = den > 0 ? s / den : 0.0;
			/* rounding in the GEMM may step a hair outside [0, 1] */
			row[j] = s < 0 ? 0.0 : (s > 1 ? 1.0 : s);
		}
	}
out:
	free(Lv);
	free(Rv);
	free(pl_);
	free(pr_);
	return st;
}

/* Multiply the gap to 1 of every pair that `who` (a profile of `from`) ranks in `prefers` by
 * its factor; col maps population indexes to positions in the other list (-1: not in it).
 * rows: who's list is the matrix's rows. */
static void apply_prefers(const pl_profiles *P, const pl_compat_params *prm, const size_t *from,
			  size_t nfrom, const long *col, int rows, size_t nr, double *scores)
{
	for (size_t i = 0; i < nfrom; i++) {
		const pl_profile *who = &P->items[from[i]];
		for (size_t r = 0; r < who->nprefers; r++) {
			long j = col[who->prefers_idx[r]];
			double *s;
			if (j < 0)
				continue;
			s = rows ? &scores[i * nr + (size_t)j] : &scores[(size_t)j * nr + i];
			*s = 1.0 - (1.0 - *s) * prefers_factor(who, prm, who->prefers_idx[r]);
		}
	}
}

/* Preferences (when anyone states some) and hard rules on a base matrix. */
static pl_status finish_matrix(const pl_profiles *P, const pl_compat_params *prm, const size_t *left,
			       size_t nl, const size_t *right, size_t nr, double *scores,
			       pl_error *err)
{
	int any = 0;

	for (size_t i = 0; i < P->n && !any; i++)
		any = P->items[i].nprefers > 0;
	if (any && prm->preference > 0) {
		long *posl = malloc(P->n * sizeof(long)), *posr = malloc(P->n * sizeof(long));
		if (!posl || !posr) {
			free(posl);
			free(posr);
			return pl_error_set(err, PL_ERR_NOMEM, "", "out of memory for the preferences");
		}
		for (size_t k = 0; k < P->n; k++)
			posl[k] = posr[k] = -1;
		for (size_t i = 0; i < nl; i++)
			posl[left[i]] = (long)i;
		for (size_t j = 0; j < nr; j++)
			posr[right[j]] = (long)j;
		apply_prefers(P, prm, left, nl, posr, 1, nr, scores);
		apply_prefers(P, prm, right, nr, posl, 0, nr, scores);
		free(posl);
		free(posr);
	}
	return mark_rules(P, prm, left, nl, right, nr, scores, err);
}

pl_status pl_compat_matrix(const pl_profiles *P, const pl_compat_params *prm, const size_t *left,
			   size_t nl, const size_t *right, size_t nr, double *scores, pl_error *err)
{
	pl_status st = matrix_base(P, prm, left, nl, right, nr, scores, err);
	return st == PL_OK ? finish_matrix(P, prm, left, nl, right, nr, scores, err) : st;
}

pl_status pl_compat_matrix_self(const pl_profiles *P, const pl_compat_params *prm,
				const size_t *set, size_t n, double *scores, pl_error *err)
{
	pl_status st = matrix_base(P, prm, set, n, set, n, scores, err);

	if (st != PL_OK)
		return st;
	/* the mean of both directions, written to both halves so that the matrix is exactly
	 * symmetric */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			double m = 0.5 * (scores[i * n + j] + scores[j * n + i]);
			scores[i * n + j] = scores[j * n + i] = m;
		}
	return finish_matrix(P, prm, set, n, set, n, scores, err);
}
