/*
 * replay.c: main() for a fuzz target built without libFuzzer (any compiler): feeds every file
 * named on the command line, or every file inside a folder named there, to
 * LLVMFuzzerTestOneInput once. ctest runs it on tests/fuzz/regress/<target>/ so that every
 * input a fuzzer ever broke stays fixed (and under the ASan build, stays clean).
 */
#define _DEFAULT_SOURCE
#include "fuzz_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return 1;
	}
	do {
		if (len == cap) {
			unsigned char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
			if (!nb) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	printf("replay %s (%zu bytes)\n", path, len);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	int failed = 0, count = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int a = 1; a < argc; a++) {
		struct stat sb;
		struct dirent **list;
		int n;

		if (stat(argv[a], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			failed |= replay_file(argv[a]);
			count++;
			continue;
		}
		n = scandir(argv[a], &list, NULL, by_name);
		for (int k = 0; k < n; k++) {
			char path[4096];
			if (list[k]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[a], list[k]->d_name);
				failed |= replay_file(path);
				count++;
			}
			free(list[k]);
		}
		if (n >= 0)
			free(list);
	}
	printf("replayed %d inputs\n", count);
	return failed;
}
