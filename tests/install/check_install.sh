#!/bin/sh
# check_install.sh SOURCE_DIR BUILD_DIR: what a packager and a library user do with an install.
#   1. install into a scratch prefix; every file is where the README says;
#   2. the installed `peerlink risk score` without --model scores a shipped example from another
#      working directory, also after the whole prefix has been moved (relocatable);
#   3. a program using risk.h and json.h types builds with `pkg-config --cflags --libs peerlink`
#      alone and runs;
#   4. the installed man page renders with `man -l` (skipped, visibly, without man);
#   5. the .pc file of a /usr-like layout (multiarch libdir) resolves to that layout.
set -eu
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset PEERLINK_DATADIR PEERLINK_MODEL || true
fail() { echo "FAIL: $*"; exit 1; }

# ---- 1. files
prefix=$tmp/inst
cmake --install "$build" --prefix "$prefix" >/dev/null
pc=$(find "$prefix" -name peerlink.pc)
[ -n "$pc" ] || fail "peerlink.pc not installed"
for f in bin/peerlink share/man/man1/peerlink.1 include/peerlink/assign.h \
         include/peerlink/peerlink.h include/peerlink/version.h \
         share/peerlink/models/default.json share/peerlink/models/MODEL_CARD.md; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done
for m in "$src"/models/*.json; do
  [ -f "$prefix/share/peerlink/models/$(basename "$m")" ] || fail "models/$(basename "$m") not installed"
done
[ ! -e "$prefix/include/peerlink/version.h.in" ] || fail "the version.h template was installed"

# ---- 2. the installed CLI finds its data directory (and its library) relative to itself
score() { # score PREFIX: risk score a shipped example from an unrelated folder, default model
  mkdir -p "$tmp/elsewhere"
  (cd "$tmp/elsewhere" && "$1/bin/peerlink" risk score --no-timing \
     --input "$src/datasets/examples/cohort_20.json" >"$tmp/score.json") ||
    fail "installed risk score without --model failed"
  grep -q '"tier":' "$tmp/score.json" || fail "installed risk score gave no tiers"
}
score "$prefix"
mv "$prefix" "$tmp/moved"
prefix=$tmp/moved
pc=$(find "$prefix" -name peerlink.pc)
score "$prefix"
echo '{"costs": [[3, 1], [1, 3]]}' | "$prefix/bin/peerlink" solve assignment --no-timing |
  grep -q '"total":2.0' || fail "installed solve assignment"

# ---- 3. a program on the public API through pkg-config only (jansson comes via Requires)
cat >"$tmp/use.c" <<'C'
#include <peerlink/peerlink.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
	double c[] = { 1, 2, 2, 1 };
	pl_assign_result r;
	pl_risk_model m;
	pl_error e = PL_ERROR_INIT;
	json_error_t je;
	json_t *doc = json_loads("{\"days\": 7}", 0, &je);
	long long days = 0;

	if (argc != 2 || !doc || strcmp(pl_version(), PEERLINK_VERSION_STRING) != 0)
		return 1;
	if (pl_json_get_integer(doc, "days", "", 1, &days, &e) != PL_OK)
		return 2;
	json_decref(doc);
	if (pl_assign_solve(c, 2, 2, NULL, &r, &e) != PL_OK)
		return 3;
	memset(&m, 0, sizeof(m));
	if (pl_risk_model_read_file(argv[1], &m, &e) != PL_OK)
		return 4;
	printf("%g %lld %d\n", r.total, days, m.horizon_days);
	pl_assign_result_release(&r);
	pl_risk_model_release(&m);
	return 0;
}
C
build_and_run() { # build_and_run PKG_CONFIG_DIR: compile use.c with pkg-config only, run it
  PKG_CONFIG_PATH=$1 pkg-config --exists peerlink || fail "pkg-config does not find peerlink in $1"
  # shellcheck disable=SC2046
  cc -o "$tmp/use" "$tmp/use.c" $(PKG_CONFIG_PATH=$1 pkg-config --cflags --libs peerlink) ||
    fail "a program using risk.h and json.h does not build through pkg-config"
  data=$(PKG_CONFIG_PATH=$1 pkg-config --variable=pkgdatadir peerlink)
  out=$(LD_LIBRARY_PATH=$(PKG_CONFIG_PATH=$1 pkg-config --variable=libdir peerlink) \
        "$tmp/use" "$data/models/default.json") || fail "the pkg-config-built program failed"
  [ "$out" = "2 7 7" ] || fail "the pkg-config-built program printed '$out'"
}
build_and_run "$(dirname "$pc")"
[ "$(cd "$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=prefix peerlink)" && pwd -P)" = \
  "$(cd "$prefix" && pwd -P)" ] || fail "the .pc prefix is not the install prefix"

# ---- 4. the man page renders
if command -v man >/dev/null 2>&1; then
  LC_ALL=C MANWIDTH=80 man -l "$prefix/share/man/man1/peerlink.1" >"$tmp/man.txt" 2>"$tmp/man.err" ||
    fail "man -l on the installed page failed"
  grep -q "risk score" "$tmp/man.txt" || fail "the rendered man page lacks 'risk score'"
  [ ! -s "$tmp/man.err" ] || { cat "$tmp/man.err"; fail "man -l warned"; }
else
  echo "SKIPPED: man -l on the installed page (man is not installed)"
fi

# ---- 5. a /usr-like layout: prefix /usr, multiarch libdir. Configure (not build) a tree with
# that layout for its .pc, and place the installed files in the same layout under a fake root.
cmake -S "$src" -B "$tmp/usrbuild" -DCMAKE_INSTALL_PREFIX=/usr \
  -DCMAKE_INSTALL_LIBDIR=lib/x86_64-linux-gnu -DPEERLINK_TESTS=OFF >/dev/null ||
  fail "configuring a /usr build"
fake=$tmp/fakeroot/usr
mkdir -p "$fake/lib/x86_64-linux-gnu/pkgconfig" "$fake/include" "$fake/share"
cp "$tmp/usrbuild/peerlink.pc" "$fake/lib/x86_64-linux-gnu/pkgconfig/"
cp -P "$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --variable=libdir peerlink)"/libpeerlink.so* \
  "$fake/lib/x86_64-linux-gnu/"
cp -R "$prefix/include/peerlink" "$fake/include/"
cp -R "$prefix/share/peerlink" "$fake/share/"
build_and_run "$fake/lib/x86_64-linux-gnu/pkgconfig"
[ "$(cd "$(PKG_CONFIG_PATH=$fake/lib/x86_64-linux-gnu/pkgconfig pkg-config --variable=prefix peerlink)" && pwd -P)" = \
  "$(cd "$fake" && pwd -P)" ] || fail "the /usr-layout .pc prefix is not the layout's /usr"
echo "install ok"
