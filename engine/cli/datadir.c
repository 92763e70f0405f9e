/*
 * datadir.c: where the program's data (models/default.json and the other shipped models) is.
 *
 * The data directory is found relative to the running program, like the library through the
 * RPATH, so an installed tree can be moved as a whole and a build folder can live anywhere:
 *   1. $PEERLINK_DATADIR, when set and non-empty (then nothing else is tried);
 *   2. <program's folder>/PEERLINK_DATADIR_FROM_BIN: an install (bin/../share/peerlink);
 *   3. <program's folder>/share/peerlink: a build tree (the build copies models/ there);
 *   4. PEERLINK_DATADIR_FULL, the configured <prefix>/share/peerlink, for a program copied
 *      out of its install tree.
 * The first candidate holding the requested file wins. Both macros come from CMakeLists.txt.
 */
#define _POSIX_C_SOURCE 200809L /* readlink, access */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef PEERLINK_DATADIR_FROM_BIN
#define PEERLINK_DATADIR_FROM_BIN "../share/peerlink"
#endif
#ifndef PEERLINK_DATADIR_FULL
#define PEERLINK_DATADIR_FULL "/usr/local/share/peerlink"
#endif

/* dir + "/" + rel, malloc'ed when that file is readable; else NULL. */
static char *readable(const char *dir, const char *rel)
{
	size_t n = strlen(dir) + strlen(rel) + 2;
	char *path = malloc(n);

	if (!path)
		return NULL;
	snprintf(path, n, "%s/%s", dir, rel);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

/* The folder of the running program (symlinks resolved), or "" when unknown. */
static void program_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		buf[0] = '\0';
}

char *cli_data_file(const char *rel)
{
	static const char *const from_program[] = { PEERLINK_DATADIR_FROM_BIN, "share/peerlink" };
	const char *env = getenv("PEERLINK_DATADIR");
	char exe[PATH_MAX], dir[PATH_MAX + 64];
	char *path;

	if (env && *env)
		return readable(env, rel);
	program_dir(exe, sizeof(exe));
	for (size_t k = 0; exe[0] && k < sizeof(from_program) / sizeof(from_program[0]); k++) {
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", exe, from_program[k]) >= sizeof(dir))
			continue;
		if ((path = readable(dir, rel)) != NULL)
			return path;
	}
	return readable(PEERLINK_DATADIR_FULL, rel);
}
