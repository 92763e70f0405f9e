/*
 * testutil.c: see testutil.h. The CLI is run through fork/exec with pipes so that tests check
 * exit codes and both output streams exactly as a user's shell would see them.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

uint64_t tu_next(tu_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double tu_uniform(tu_rng *r)
{
	return (double)(tu_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

long tu_range(tu_rng *r, long lo, long hi)
{
	return lo + (long)(tu_next(r) % (uint64_t)(hi - lo + 1));
}

static char *slurp_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t k;

	while (buf && (k = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)k;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

int tu_run_cli(const char *const *args, const char *input, tu_run *run)
{
	char tmpl_in[] = "/tmp/pl_in_XXXXXX", tmpl_out[] = "/tmp/pl_out_XXXXXX", tmpl_err[] = "/tmp/pl_err_XXXXXX";
	int fin = mkstemp(tmpl_in), fout = mkstemp(tmpl_out), ferr = mkstemp(tmpl_err), status;
	size_t n = 0;
	pid_t pid;

	memset(run, 0, sizeof(*run));
	if (fin < 0 || fout < 0 || ferr < 0)
		return -1;
	if (input && write(fin, input, strlen(input)) < 0)
		return -1;
	lseek(fin, 0, SEEK_SET);
	while (args[n])
		n++;
	pid = fork();
	if (pid == 0) {
		char **argv = calloc(n + 2, sizeof(char *));
		argv[0] = (char *)PL_TEST_BIN;
		for (size_t k = 0; k < n; k++)
			argv[k + 1] = (char *)args[k];
		dup2(fin, 0);
		dup2(fout, 1);
		dup2(ferr, 2);
		execv(PL_TEST_BIN, argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	run->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	lseek(fout, 0, SEEK_SET);
	lseek(ferr, 0, SEEK_SET);
	run->out = slurp_fd(fout);
	run->err = slurp_fd(ferr);
	close(fin);
	close(fout);
	close(ferr);
	unlink(tmpl_in);
	unlink(tmpl_out);
	unlink(tmpl_err);
	return 0;
}

void tu_run_release(tu_run *run)
{
	free(run->out);
	free(run->err);
	run->out = run->err = NULL;
}

char *tu_write_temp(const char *text, const char *suffix)
{
	char *path = malloc(64);
	int fd;

	snprintf(path, 64, "/tmp/pl_t_XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	if (fd < 0) {
		free(path);
		return NULL;
	}
	if (write(fd, text, strlen(text)) < 0) {
		close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}
