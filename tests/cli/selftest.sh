#!/bin/sh
# selftest.sh JSON_COMPARE RUN_CASE: proves the golden harness can fail (POSIX sh).
# 1. json_compare on pairs that must match and pairs that must not (one change each).
# 2. run_case.sh on a made-up case run by a stand-in program: the right answer passes; stray
#    stdout on an error, a changed integer, string, exit code or error message each fail.
set -u
cmp_json=$1
run_case=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

# pair match|differ EXPECTED ACTUAL: the two texts go to files verbatim (newlines included).
pair() {
  printf '%s\n' "$2" >"$tmp/want"
  printf '%s\n' "$3" >"$tmp/got"
  "$cmp_json" "$tmp/want" "$tmp/got" >"$tmp/log" 2>&1
  rc=$?
  case "$1:$rc" in
    match:0 | differ:1) ;;
    *) echo "FAIL ($1 expected, json_compare exit $rc): $2  vs  $3"; cat "$tmp/log"; bad=1 ;;
  esac
}

pair match '{"a": 1, "b": [true, false, null], "c": "x"}' '{"a":1,"b":[true,false,null],"c":"x"}'
pair match '{"p": 0.305777245157624}' '{"p": 0.305777245157623}'
pair match '{"p": 1234.56789012345}' '{"p": 1234.56789012346}'
pair match '{"p": 0.0}' '{"p": -1.3e-17}'
pair match '{"p": 1e300}' '{"p": 1.0000000001e300}'
pair match '[1.5, "s"]' '[1.50000000000001, "s"]'
pair match '"caf\u00e9"' '"café"'
pair match '{"a": 1}
{"a": 2}' '{"a":1}
{"a":2}'
pair differ '{"a": 1}' '{"a": 2}'
pair differ '{"a": 1}' '{"a": 1.0}'
pair differ '{"a": 2.0}' '{"a": 2}'
pair differ '{"a": "x"}' '{"a": "y"}'
pair differ '{"a": "x"}' '{"a": "x "}'
pair differ '{"a": true}' '{"a": false}'
pair differ '{"a": null}' '{"a": 0}'
pair differ '{"a": 1, "b": 2}' '{"b": 2, "a": 1}'
pair differ '{"a": 1, "b": 2}' '{"a": 1}'
pair differ '{"a": 1}' '{"a": 1, "b": 2}'
pair differ '[1, 2]' '[1, 2, 3]'
pair differ '[1, 2, 3]' '[1, 2]'
pair differ '{"p": 0.3057772}' '{"p": 0.3057773}'
pair differ '{"p": 1.0}' '{"p": 1.000000002}'
pair differ '{"p": 0.0}' '{"p": 1e-11}'
pair differ '{"p": 1e-3}' '{"p": -1e-3}'
pair differ '{"a": 1}' ''
pair differ '{"a": 1}' '{"a": 1} {"a": 1}'
pair differ '{"a": 1}
{"a": 2}' '{"a":1}
{"a":3}'
pair differ '{"a": 1}
{"a": 2}' '{"a":1}
{"a":2}
{"a":3}'
pair differ '{"a": 1}
{"a": 2}' '{"a":1}'

# The pointer of the first difference names the place, escaped as RFC 6901 says.
pair differ '{"x/y": [0, {"k~": 1}]}' '{"x/y": [0, {"k~": 2}]}'
grep -q '"/x~1y/1/k~0"' "$tmp/log" || { echo "FAIL: pointer not reported:"; cat "$tmp/log"; bad=1; }

# A stand-in for peerlink: prints $FAKE_OUT on stdout, $FAKE_ERR on stderr, exits $FAKE_RC.
fake="$tmp/fake"
printf '#!/bin/sh\nprintf "%%s" "$FAKE_OUT"\nprintf "%%s" "$FAKE_ERR" >&2\nexit "$FAKE_RC"\n' >"$fake"
chmod +x "$fake"
mkdir "$tmp/ok" "$tmp/err"
echo 'x --no-timing' >"$tmp/ok/args"
echo '{"n": 3, "s": "a", "r": 0.5}' >"$tmp/ok/expected.json"
echo 'x' >"$tmp/err/args"
echo 3 >"$tmp/err/exit_code"
echo '{"error":{"code":"invalid_input","message":"m","pointer":"/a"}}' >"$tmp/err/expected_error.json"

# case pass|fail DIR OUT ERR RC
case_run() {
  FAKE_OUT=$3 FAKE_ERR=$4 FAKE_RC=$5 sh "$run_case" "$fake" "$cmp_json" "$tmp/$2" >"$tmp/log" 2>&1
  rc=$?
  case "$1:$rc" in
    pass:0 | fail:1) ;;
    *) echo "FAIL (run_case should $1 on $2 with stdout '$3', stderr '$4', exit $5):"
       cat "$tmp/log"; bad=1 ;;
  esac
}
export FAKE_OUT FAKE_ERR FAKE_RC
E='{"error":{"code":"invalid_input","message":"m","pointer":"/a"}}'
case_run pass ok '{"n":3,"s":"a","r":0.50000000000000011}' '' 0
case_run fail ok '{"n":4,"s":"a","r":0.5}' '' 0
case_run fail ok '{"n":3,"s":"b","r":0.5}' '' 0
case_run fail ok '{"n":3,"s":"a","r":0.5}' '' 1
case_run fail ok '{"n":3,"s":"a","r":0.5}' 'warning' 0
case_run fail ok '' '' 0
case_run pass err '' "$E" 3
case_run fail err '{}' "$E" 3
case_run fail err ' ' "$E" 3
case_run fail err '' "$E" 1
case_run fail err '' '{"error":{"code":"invalid_input","message":"other","pointer":"/a"}}' 3
case_run fail err '' '{"error":{"code":"invalid_input","message":"m","pointer":"/b"}}' 3
case_run fail err '' '{"error":{"code":"infeasible","message":"m","pointer":"/a"}}' 3
case_run fail err '' '{"error":{"code":"invalid_input","message":"m","pointer":"/a","line":1,"column":2}}' 3
case_run fail err '' '' 3

[ "$bad" = 0 ] && echo "harness self-test: all pairs and cases behave"
exit $bad
