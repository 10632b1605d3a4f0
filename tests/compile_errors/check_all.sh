#!/usr/bin/env bash
# Every compile-fail case with one compiler:  check_all.sh -- COMPILER [ARGS...] -- FILE...
#
# Each FILE is checked by check.sh (its twin compiles; with -DEXPECT_ERROR exactly one error,
# with the `// expect:` text; no line over 400 characters). ctgraph.hpp is parsed once, into a
# precompiled header the cases share (nine tenths of each check was parsing it); the cases
# then run as many at a time as the machine has cores. One line per case; a failing case
# prints its whole report. Exit 1 if any case fails.
set -u

usage() {
  echo "usage: check_all.sh -- COMPILER [ARGS...] -- FILE..." >&2
  exit 2
}
[[ ${1:-} == -- ]] || usage
shift
compiler=()
while (($#)) && [[ $1 != -- ]]; do
  compiler+=("$1")
  shift
done
[[ ${1:-} == -- ]] || usage
shift
(($# >= 1 && ${#compiler[@]} >= 1)) || usage
files=("$@")
# ccache neither caches -fsyntax-only nor precompiled headers: call the compiler itself.
[[ $(basename -- "${compiler[0]}") == ccache ]] && compiler=("${compiler[@]:1}")

here=$(cd "$(dirname -- "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ctgraph-compile-errors.XXXXXX") || exit 1
trap 'rm -rf -- "$work"' EXIT

# The precompiled header: g++ takes DIR/ctgraph/ctgraph.hpp.gch in place of the header when DIR
# is searched first (so it goes before the other -I); clang++ takes it by -include-pch.
printf '#include <ctgraph/ctgraph.hpp>\n' >"$work/pch.hpp"
if "${compiler[@]}" --version 2>/dev/null | grep -qi clang; then
  pch_build=(-x c++-header "$work/pch.hpp" -o "$work/ctgraph.pch")
  pch_use=(-include-pch "$work/ctgraph.pch")
else
  mkdir -p "$work/pch/ctgraph"
  pch_build=(-x c++-header "$work/pch.hpp" -o "$work/pch/ctgraph/ctgraph.hpp.gch")
  pch_use=(-I"$work/pch" -Winvalid-pch)
fi
if ! "${compiler[@]}" "${pch_build[@]}" >"$work/pch.log" 2>&1; then
  echo "FAIL: the precompiled ctgraph.hpp does not build with ${compiler[*]}:"
  cat -- "$work/pch.log"
  exit 1
fi

jobs=$(nproc 2>/dev/null || echo 2)
i=0
for file in "${files[@]}"; do
  i=$((i + 1))
  # At most $jobs at once; each writes its report to its own file, printed in order below.
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
  ("$here/check.sh" "$file" -- "${compiler[0]}" "${pch_use[@]}" "${compiler[@]:1}" >"$work/$i.out" 2>&1; echo $? >"$work/$i.rc") &
done
wait

failed=0
for ((k = 1; k <= i; k++)); do
  cat -- "$work/$k.out"
  [[ $(cat -- "$work/$k.rc" 2>/dev/null) == 0 ]] || failed=$((failed + 1))
done
echo "${compiler[0]}: $((i - failed)) of $i compile-fail cases pass"
((failed == 0))
