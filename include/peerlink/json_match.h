/*
 * peerlink/json_match.h: the JSON layer for matching programs: read profiles, compatibility
 * parameters and whole `match mentors | buddies | groups` requests into the core's plain structs
 * (peerlink/program.h), and write their answers back as documents (docs/matching-mentors.md,
 * docs/buddies.md, docs/groups.md describe every field).
 *
 * A reader checks every field and names it by JSON Pointer; when a core rule refuses an entry it
 * reports the entry's index and the reader turns it into the pointer ("/pinned/3"). No message
 * contains a value. Writers return a new reference (NULL when out of memory); their scores are
 * rounded to 4 decimals (pl_json_round). Documents are borrowed: a reader copies what it keeps,
 * so the caller may free the document as soon as the reader returns.
 */
#ifndef PEERLINK_JSON_MATCH_H
#define PEERLINK_JSON_MATCH_H

#include <stddef.h>
#include <peerlink/assign.h>
#include <peerlink/blossom.h>
#include <peerlink/json.h>
#include <peerlink/program.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- profiles (engine/json/profiles.c) ---- */

/* Read doc[key], an array of profiles, into P (pointers /key/k/...); idx[k] is the population
 * index of the k-th profile (malloc'ed, also on failure: free it). is_mentor: accept
 * "capacity". */
pl_status pl_json_read_profiles(json_t *doc, const char *key, int required, int is_mentor,
				pl_profiles *P, size_t **idx, size_t *n, pl_error *err);
/* "weights" and "constraints" of doc into prm (defaults for what is absent). */
pl_status pl_json_read_compat_params(json_t *doc, pl_compat_params *prm, pl_error *err);

/* One list of profiles of a request: doc[key] into *idx / *n (as pl_json_read_profiles). */
typedef struct pl_json_profile_list {
	const char *key;
	int required, is_mentor;
	size_t **idx;
	size_t *n;
} pl_json_profile_list;

/* Check a matching request's top-level members: the command's own NULL-terminated `allowed`
 * keys, plus the members other peerlink commands write into a program document (the answer
 * metadata `stats`, the generator's planted `communities`, and the other matchers' population
 * lists), which are ignored so that `dataset generate|import profiles` pipes into `match`
 * unedited. Anything else is PL_ERR_INVALID with its pointer. */
pl_status pl_json_check_program_keys(json_t *doc, const char *const *allowed, pl_error *err);

/* A request's population: its compatibility parameters, then each list in order, then
 * pl_profiles_finalize (which checks the population as a whole). */
pl_status pl_json_read_population(json_t *doc, pl_compat_params *prm, pl_profiles *P,
				  const pl_json_profile_list *lists, size_t nlists, pl_error *err);
/* {"summary": text, "contributions": {criterion: number, "prefers": raise}, "shared":
 * {criterion: [tags]}} for the pair (a, b) of population indexes, a the client; numbers
 * rounded to 1/scale. */
json_t *pl_json_pair_reasons(const pl_profiles *P, const pl_compat_params *prm, size_t a,
			     size_t b, double scale);
/* The same for a pair of one set against itself (buddies): the symmetric score's terms. */
json_t *pl_json_pair_reasons_self(const pl_profiles *P, const pl_compat_params *prm, size_t a,
				  size_t b, double scale);
/* x rounded to a multiple of 1/scale, with -0 printed as 0. */
double pl_json_round(double x, double scale);

/* How a list of [[id, id], ...] names its two sides. */
typedef struct pl_json_pair_roles {
	const long *position[2];        /* population index -> position in each side's list, -1 */
	const char *entry_message;      /* the message for an entry that is not two strings */
	const char *unknown_message[2]; /* for an id that names nobody on that side */
	int distinct;                   /* 1: the two ids must name different people */
} pl_json_pair_roles;

/* doc[key] (optional) into 2 * npairs positions (malloc'ed, also on failure: free it). */
pl_status pl_json_read_id_pairs(json_t *doc, const char *key, const pl_profiles *P,
				const pl_json_pair_roles *roles, size_t **pairs, size_t *npairs,
				pl_error *err);
/* Point err at list/index (a core check reported the index of the entry it refused). */
void pl_json_point_at(pl_error *err, const char *list, size_t index);

/* The timings an answer's stats end with (ms; the caller zeroes them for byte-comparable runs).
 * compat_ms or explain_ms < 0: not reported. */
typedef struct pl_json_timings {
	double parse_ms, compat_ms, solve_ms, explain_ms;
} pl_json_timings;

/* Append "parse_ms", "compat_ms", "solve_ms" (and "explain_ms") to stats. */
void pl_json_add_timings(json_t *stats, const pl_json_timings *t);

/* ---- match mentors (engine/json/mentors.c) ---- */

/* The whole request into m (initialised by the reader; release it also on failure). */
pl_status pl_json_read_mentors_program(json_t *doc, pl_mentors_program *m, pl_error *err);
/* {"matches", "unmatched", "alternatives", "summary"}: S is the mentees x mentors score matrix,
 * alts/nalts what pl_mentors_alternatives gave for m->top. Read back from the text of
 * pl_json_mentors_answer_text (one writer for both forms). NULL when out of memory. */
json_t *pl_json_mentors_answer(const pl_mentors_program *m, const double *S,
			       const pl_mentors_result *res, const pl_mentors_alt *alts,
			       const size_t *nalts);
/* The same answer as compact JSON text (malloc'ed, NUL-terminated, *len its length), byte for
 * byte pl_json_dumps_compact of pl_json_mentors_answer with "changes" (when not NULL) added last,
 * written without building the tree (engine/json/writer_int.h). NULL when out of memory. */
char *pl_json_mentors_answer_text(const pl_mentors_program *m, const double *S,
				  const pl_mentors_result *res, const pl_mentors_alt *alts,
				  const size_t *nalts, const json_t *changes, size_t *len);
/* Its two halves, which pl_json_mentors_answer_text joins: the head {"matches", "unmatched"},
 * which does not depend on the alternatives (so it can be written while they are computed: it
 * reads m, S and res only, and uses jansson only for a real that needs jansson's printing), and
 * the tail {"alternatives", "summary"[, "changes"]}. Each malloc'ed, NULL when out of memory. */
char *pl_json_mentors_answer_head(const pl_mentors_program *m, const double *S,
				  const pl_mentors_result *res, size_t *len);
char *pl_json_mentors_answer_tail(const pl_mentors_program *m, const pl_mentors_result *res,
				  const pl_mentors_alt *alts, const size_t *nalts,
				  const json_t *changes, size_t *len);
/* The answer's stats, ending with the timings. */
json_t *pl_json_mentors_stats(const pl_mentors_program *m, const pl_mentors_result *res,
			      const pl_json_timings *t);

/* ---- match buddies (engine/json/buddies.c) ---- */

pl_status pl_json_read_buddies_program(json_t *doc, pl_buddies_program *b, pl_error *err);
json_t *pl_json_buddies_answer(const pl_buddies_program *b, const double *S,
			       const pl_buddies_result *res);
json_t *pl_json_buddies_stats(const pl_buddies_program *b, const pl_buddies_problem *pb,
			      const pl_buddies_result *res, const pl_json_timings *t);

/* ---- re-matching (engine/json/rematch.c) ---- */

/* {"kept", "moved", "ended", "mentees": [...]}: for every mentee with a current mentor, whether
 * it keeps it and, if not, where it goes, the two scores and why (a rule, or the exact cost of
 * keeping the pair from a re-solve of pb with it pinned). pb is the problem that was solved. */
json_t *pl_json_mentors_changes(const pl_mentors_program *m, const double *S,
				const pl_mentors_problem *pb, const pl_mentors_result *res);
/* {"kept", "split", "pairs": [...]}: for every current pair, kept or split, with whom each
 * client is now, the scores and why. */
json_t *pl_json_buddies_changes(const pl_buddies_program *b, const double *S,
				const pl_buddies_result *res);

/* ---- match groups (engine/json/groups.c) ---- */

/* g->has_seed: the request gave "seed" (which wins over a caller's default). */
pl_status pl_json_read_groups_program(json_t *doc, pl_groups_program *g, pl_error *err);
json_t *pl_json_groups_answer(const pl_groups_program *g, const double *S,
			      const pl_groups_result *res);
json_t *pl_json_groups_stats(const pl_groups_program *g, const pl_groups_result *res,
			     const pl_json_timings *t);
/* An error of pl_groups_solve about group k ("/groups/k..."): name the group by its id in the
 * message (the core knows only its index). */
void pl_json_groups_name_error(const pl_groups_program *g, pl_error *err);

/* ---- solve assignment and solve matching (engine/json/solvers.c) ---- */

/* doc["capacities"] (optional): one positive integer (at most 2^40) per column; NULL when absent. */
pl_status pl_json_read_capacities(json_t *doc, size_t ncols, long **cap, pl_error *err);
/* The solver names an entry relative to the matrix ("/row/col", or "" for the whole matrix):
 * point it into the request's field, or at the .npy file that held the matrix. */
void pl_json_point_into_matrix(pl_error *err, const char *field, int from_npy);
/* {"assignment", "total", "stats"}: maximize says the request gave scores (res solved -scores). */
json_t *pl_json_assignment_answer(const pl_assign_result *res, int maximize,
				  const pl_json_timings *t);

/* A `solve matching` request as plain arrays (edge k joins eu[k] and ev[k] with weight w[k]). */
typedef struct pl_json_graph {
	size_t n, m;
	long *eu, *ev;
	double *w;
	int max_cardinality;
	int all_integer; /* every weight was a JSON integer: the total prints as one while exact */
} pl_json_graph;

pl_status pl_json_read_graph(json_t *doc, pl_json_graph *g, pl_error *err);
void pl_json_graph_release(pl_json_graph *g);
json_t *pl_json_matching_answer(const pl_json_graph *g, const pl_blossom_result *res,
				const pl_json_timings *t);

#ifdef __cplusplus
}
#endif
#endif
