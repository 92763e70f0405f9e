/*
 * options.c: typed command-line option values (see the table rows in cli.h and main.c).
 *
 * One strict parser per option type, shared by every subcommand, so that "--folds 5x", "--seed
 * ' -1'", "--l2 nan" and an overflowing integer are refused the same way everywhere: a usage error
 * naming the option and what it accepts, never the value that was given (it may be anything the
 * caller typed, including a client's data pasted in the wrong place).
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <peerlink/checkins.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An optional '-' then decimal digits only; 1 when it does not fit a long long. */
static int parse_integer(const char *text, long long *out)
{
	const char *p = text + (*text == '-');
	char *end;

	if (!*p)
		return -1;
	for (const char *q = p; *q; q++)
		if (!is_digit(*q))
			return -1;
	errno = 0;
	*out = strtoll(text, &end, 10);
	return errno == ERANGE ? 1 : 0;
}

/*
 * A plain decimal number: optional '-', digits with at most one '.', an optional exponent. No
 * spaces, no '+' in front, no hexadecimal, no "inf" or "nan"; over- and underflow are refused.
 * The CLI never calls setlocale(), so strtod reads '.' as the decimal point.
 */
static int parse_real(const char *text, double *out)
{
	const char *p = text + (*text == '-');
	char *end;

	if (!is_digit(*p) && !(*p == '.' && is_digit(p[1])))
		return -1;
	for (const char *q = p; *q; q++)
		if (!is_digit(*q) && !strchr(".eE+-", *q))
			return -1;
	errno = 0;
	*out = strtod(text, &end);
	if (*end || end == text)
		return -1;
	return errno == ERANGE || !isfinite(*out) ? 1 : 0;
}

/* Index of `word` among the '|'-separated `choices`, or -1. */
static int choice_index(const char *choices, const char *word)
{
	size_t len = strlen(word);
	int k = 0;

	for (const char *p = choices; p; k++) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && len > 0 && strncmp(p, word, n) == 0)
			return k;
		p = bar ? bar + 1 : NULL;
	}
	return -1;
}

void cli_opt_describe(const cli_option *opt, char *buf, size_t size)
{
	size_t used = 0;

	switch (opt->type) {
	case CLI_OPT_FLAG:
		snprintf(buf, size, "no value");
		break;
	case CLI_OPT_INT:
		snprintf(buf, size, "an integer from %lld to %lld", opt->imin, opt->imax);
		break;
	case CLI_OPT_REAL:
		snprintf(buf, size, "a number from %g to %g%s%s", opt->rmin, opt->rmax,
			 opt->choices ? " or " : "", opt->choices ? opt->choices : "");
		break;
	case CLI_OPT_STRING:
		snprintf(buf, size, "a non-empty value");
		break;
	case CLI_OPT_DATE:
		snprintf(buf, size, "a date YYYY-MM-DD");
		break;
	case CLI_OPT_CHOICE: {
		/* "a, b or c" */
		int n = 1, k = 0;
		for (const char *p = opt->choices; (p = strchr(p, '|')) != NULL; p++)
			n++;
		buf[0] = '\0';
		for (const char *p = opt->choices; p && used < size; k++) {
			const char *bar = strchr(p, '|');
			int len = bar ? (int)(bar - p) : (int)strlen(p);
			const char *sep = k == 0 ? "" : k == n - 1 ? " or " : ", ";
			int w = snprintf(buf + used, size - used, "%s%.*s", sep, len, p);
			used += w > 0 ? (size_t)w : 0;
			p = bar ? bar + 1 : NULL;
		}
		break;
	}
	}
}

pl_status cli_opt_parse(const cli_option *opt, const char *text, cli_value *out, pl_error *err)
{
	char what[160];
	int bad = 0;
	int32_t day;

	memset(out, 0, sizeof(*out));
	out->s = text;
	switch (opt->type) {
	case CLI_OPT_FLAG:
		out->i = 1;
		break;
	case CLI_OPT_INT:
		bad = parse_integer(text, &out->i) != 0 || out->i < opt->imin || out->i > opt->imax;
		break;
	case CLI_OPT_REAL:
		if (opt->choices && (out->i = choice_index(opt->choices, text)) >= 0) {
			out->i++;
			out->r = NAN;
			break;
		}
		out->i = 0;
		bad = parse_real(text, &out->r) != 0 || !(out->r >= opt->rmin && out->r <= opt->rmax);
		break;
	case CLI_OPT_STRING:
		bad = !*text;
		break;
	case CLI_OPT_CHOICE:
		out->i = choice_index(opt->choices, text);
		bad = out->i < 0;
		break;
	case CLI_OPT_DATE:
		bad = pl_date_parse(text, &day) != 0;
		out->i = day;
		break;
	}
	if (!bad) {
		out->set = 1;
		return PL_OK;
	}
	cli_opt_describe(opt, what, sizeof(what));
	return pl_error_set(err, PL_ERR_USAGE, "", "option '--%s' %s %s", opt->name,
			    opt->type == CLI_OPT_CHOICE ? "must be" : "needs", what);
}

pl_status cli_opt_check_row(const cli_option *opt, pl_error *err)
{
	int ok = opt->help && *opt->help && opt->name[0] && opt->name[0] != '-';

	if (opt->type != CLI_OPT_FLAG)
		ok = ok && opt->metavar && *opt->metavar;
	if (opt->type == CLI_OPT_INT)
		ok = ok && opt->imin <= opt->imax;
	if (opt->type == CLI_OPT_REAL)
		ok = ok && isfinite(opt->rmin) && isfinite(opt->rmax) && opt->rmin <= opt->rmax;
	if (opt->type == CLI_OPT_CHOICE)
		ok = ok && opt->choices && *opt->choices;
	if (ok && opt->dflt) {
		cli_value v;
		ok = cli_opt_parse(opt, opt->dflt, &v, err) == PL_OK;
	}
	if (ok)
		return PL_OK;
	return pl_error_set(err, PL_ERR_INTERNAL, "", "option table: row '--%s' is malformed",
			    opt->name);
}

static const cli_value *lookup(const cli_ctx *ctx, const char *name)
{
	static const cli_value none;

	for (int k = 0; k < CLI_MAX_EXTRA && ctx->cmd->extra[k].name; k++)
		if (strcmp(ctx->cmd->extra[k].name, name) == 0)
			return &ctx->extra[k];
	return &none;
}

int cli_opt_given(const cli_ctx *ctx, const char *name)
{
	return lookup(ctx, name)->given;
}

int cli_opt_flag(const cli_ctx *ctx, const char *name)
{
	return lookup(ctx, name)->given;
}

long long cli_opt_int(const cli_ctx *ctx, const char *name)
{
	return lookup(ctx, name)->i;
}

double cli_opt_real(const cli_ctx *ctx, const char *name)
{
	return lookup(ctx, name)->r;
}

const char *cli_opt_str(const cli_ctx *ctx, const char *name)
{
	const cli_value *v = lookup(ctx, name);
	return v->set ? v->s : NULL;
}
