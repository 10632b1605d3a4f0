#!/usr/bin/env bash
# Builds one libFuzzer harness with clang++ under AddressSanitizer and UndefinedBehaviorSanitizer
# and runs it for a bounded time over its seed corpus. A crash fails the test and its input is
# kept in BUILD/fuzz/crashes/ (rerun it: BUILD/fuzz/NAME_fuzz FILE). Without clang++ or libFuzzer
# the test is skipped (exit 77) with one line saying so.
#   run.sh SOURCE_DIR BUILD_DIR NAME [SECONDS]    (SECONDS: default $CTGRAPH_FUZZ_SECONDS or 30)
set -euo pipefail
source_dir=$1 build_dir=$2 name=$3
seconds=${4:-${CTGRAPH_FUZZ_SECONDS:-30}}
cxx=${CTGRAPH_FUZZ_CXX:-clang++}
out=$build_dir/fuzz
mkdir -p "$out/crashes" "$out/corpus_$name"

if ! command -v "$cxx" >/dev/null ||
   ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
     "$cxx" -x c++ -fsanitize=fuzzer,address,undefined -o "$out/.probe_$name" - 2>/dev/null; then
  echo "fuzz $name: skipped: $cxx with libFuzzer not found (apt-get install clang libfuzzer-14-dev libclang-rt-14-dev)"
  exit 77
fi

binary=$out/${name}_fuzz
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -I"$source_dir/include" -I"$source_dir/graphs" $(pkg-config --cflags openblas libzip plplot-c++))
# Rebuilt when the harness or any header is newer than the binary.
if [ ! -x "$binary" ] ||
   [ -n "$(find "$source_dir/include" "$source_dir/graphs" "$source_dir/tests/fuzz" -newer "$binary" -name '*.[hc]pp' -print -quit)" ]; then
  "$cxx" "${flags[@]}" "$source_dir/tests/fuzz/${name}_fuzz.cpp" -o "$binary" $(pkg-config --libs openblas libzip)
fi

seeds=("$source_dir/tests/fuzz/corpus/$name")
[ "$name" = load_weights ] && seeds+=("$source_dir/tests/io/fixtures")  # numpy's own archives, good and bad
# New inputs go to the build's corpus (the first folder); the repository's seeds are only read.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1
if "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$out/crashes/${name}-" "$out/corpus_$name" "${seeds[@]}" 2>"$out/$name.log"; then
  grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$out/$name.log" | tr '\n' ' '
  echo
  echo "fuzz $name: no crash in ${seconds} s"
else
  tail -60 "$out/$name.log"
  echo "fuzz $name: FAILED; the input is kept in $out/crashes/:"
  ls -t "$out/crashes" | head -3
  exit 1
fi
