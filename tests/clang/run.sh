#!/usr/bin/env bash
# Builds test files with clang++ (-Wall -Wextra -Werror, one binary with tests/doctest_main.cpp) and runs
# them: the library is built with g++ everywhere else, and a user's clang once rejected what g++
# took (a variable template named in its own initializer through a fold: detail/plan.hpp's
# visited_once). Skipped (exit 77) with one line without clang++.
#   run.sh SOURCE_DIR BUILD_DIR TEST_FILE...    (CTGRAPH_CLANG_CXX: the compiler, clang++)
set -euo pipefail
source_dir=$1 build_dir=$2
shift 2
cxx=${CTGRAPH_CLANG_CXX:-clang++}
if ! command -v "$cxx" >/dev/null; then
  echo "clang: skipped: $cxx not found (apt-get install clang)"
  exit 77
fi
out=$build_dir/clang
mkdir -p "$out"
binary=$out/clang_tests
sources=()
for f in "$@"; do sources+=("$source_dir/$f"); done
"$cxx" -std=c++20 -O1 -march=native -fno-math-errno -Wall -Wextra -Werror -I"$source_dir/include" \
  -I"$source_dir/tests" $(pkg-config --cflags openblas) "$source_dir/tests/doctest_main.cpp" "${sources[@]}" \
  -o "$binary" $(pkg-config --libs openblas)
"$binary"
