#!/usr/bin/env bash
# check.sh FILE -- COMPILER ARGS...: compiles FILE with -DSTEPS=20 and -DSTEPS=200 (three
# times each, the least user CPU time of each kept, so that other work on the machine
# weighs little) and fails when the longer sequence takes more than 20% longer to compile.
set -eu
file=$1
[[ $2 == -- ]] || { echo "usage: check.sh FILE -- COMPILER [ARGS...]" >&2; exit 2; }
shift 2
export CCACHE_DISABLE=1  # a cache hit would time nothing
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
best() {
  local least=
  for _ in 1 2 3; do
    local t
    t=$( { /usr/bin/time -f %U "$@" -c "$file" -o "$out/o.o" 2>&1 >/dev/null; } | tail -1)
    if [[ -z $least ]] || awk "BEGIN { exit !($t < $least) }"; then least=$t; fi
  done
  echo "$least"
}
short=$(best "$@" -DSTEPS=20)
long=$(best "$@" -DSTEPS=200)
awk "BEGIN { exit !($short > 0.1) }" || { echo "FAIL: the T = 20 compile took ${short} s: nothing was compiled"; exit 1; }
ratio=$(awk "BEGIN { printf \"%.3f\", $long / $short }")
echo "compile time, user CPU: T = 20: ${short} s, T = 200: ${long} s, ratio ${ratio} (limit 1.2)"
awk "BEGIN { exit !($ratio <= 1.2) }"
