#!/usr/bin/env bash
# Compile-fail check for one file:  check.sh FILE -- COMPILER ARGS...
#
# FILE holds a line `// expect: <text>`. It is compiled with -fsyntax-only
#   (a) as is: the correct twin must compile;
#   (b) with -DEXPECT_ERROR: the compile must fail, and its output must
#       contain <text> (a fixed string, not a pattern).
#   (c) exactly one error: a mistake that cascades into follow-on errors fails;
#   (d) no line of the output longer than 400 characters: the first such line is
#       printed, cut to 300 characters. (The long lines are context lines that spell
#       out a graph's type: the library keeps the types users see short.)
# On success one line is printed with the size of the error output and its
# longest line.
# Paths are used as given: nothing here depends on the working directory.
set -u

# An error output longer than this is flagged in the success line.
readonly long_error_lines=40
# A line of the output longer than this fails the case.
readonly max_line_chars=400

usage() {
  echo "usage: check.sh FILE -- COMPILER [ARGS...]" >&2
  exit 2
}

(($# >= 3)) || usage
file=$1
[[ $2 == -- ]] || usage
shift 2

if [[ ! -r $file ]]; then
  echo "FAIL: cannot read $file"
  exit 1
fi
name=$(basename -- "$file" .cpp)

expect=$(sed -n 's|^[[:space:]]*// expect:[[:space:]]*||p' -- "$file" | head -n 1)
expect=${expect%$'\r'}
if [[ -z $expect ]]; then
  echo "FAIL: $name: no '// expect: <text>' line in $file"
  exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/ctgraph-compile-error.XXXXXX") || exit 1
trap 'rm -f -- "$log"' EXIT

# Plain text: no colour codes between the words that are grepped for.
compile() { "$@" -fsyntax-only -fdiagnostics-color=never "$file" >"$log" 2>&1; }

# (a) The twin compiles.
if ! compile "$@"; then
  echo "FAIL: $name: the correct twin (without -DEXPECT_ERROR) does not compile:"
  cat -- "$log"
  exit 1
fi

# (b) The mistake does not, and says why.
compile "$@" -DEXPECT_ERROR
status=$?
lines=$(wc -l <"$log")
lines=${lines//[[:space:]]/}
if ((status == 0)); then
  echo "FAIL: $name: compiled with -DEXPECT_ERROR, but must fail with: $expect"
  head -n 40 -- "$log"
  exit 1
fi
if ! grep -qF -- "$expect" "$log"; then
  echo "FAIL: $name: with -DEXPECT_ERROR the compiler failed (status $status, $lines lines of output)," \
    "but not with: $expect"
  echo "--- first 40 lines of the compiler's output:"
  head -n 40 -- "$log"
  exit 1
fi

errors=$(grep -cE ': (fatal )?error:' -- "$log")
chars=$(wc -c <"$log")
chars=${chars//[[:space:]]/}
longest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$log")
if ((errors != 1)); then
  echo "FAIL: $name: $errors errors for one mistake (a cascade); the compiler's errors:"
  grep -E ': (fatal )?error:' -- "$log" | cut -c1-300
  exit 1
fi
notes=""
((lines > long_error_lines)) && notes+="; LONG: more than $long_error_lines lines"
if ((longest > max_line_chars)); then
  echo "FAIL: $name: a line of $longest characters (at most $max_line_chars); the first such line, cut to 300:"
  awk -v max="$max_line_chars" 'length($0) > max { print NR ": " substr($0, 1, 300); exit }' "$log"
  exit 1
fi
echo "ok: $name (error: $lines lines, $chars characters, longest line $longest$notes)"
