#!/bin/sh
# check_install.sh BUILD_DIR: install into a scratch prefix, then build and run a program against
# the installed library through pkg-config, and run the installed CLI: what a packager does.
set -eu
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/peerlink"
test -f "$prefix/share/man/man1/peerlink.1"
test -f "$prefix/include/peerlink/assign.h"
cat >"$prefix/use.c" <<'C'
#include <peerlink/assign.h>
#include <stdio.h>
int main(void)
{
	double c[] = { 1, 2, 2, 1 };
	pl_assign_result r;
	pl_error e = PL_ERROR_INIT;
	if (pl_assign_solve(c, 2, 2, NULL, &r, &e) != PL_OK)
		return 1;
	printf("%g\n", r.total);
	pl_assign_result_release(&r);
	return 0;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc "$prefix/use.c" $(pkg-config --cflags --libs peerlink) -o "$prefix/use"
test "$(LD_LIBRARY_PATH="$prefix/lib" "$prefix/use")" = 2
echo '{"costs": [[3, 1], [1, 3]]}' | "$prefix/bin/peerlink" solve assignment --no-timing | grep -q '"total":2.0'
echo "install ok"
