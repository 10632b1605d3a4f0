#!/usr/bin/env bash
# ctgraph as its users get it: installed into a fresh prefix with `meson install`,
# then each project in examples/ built against that prefix with nothing but
# pkg-config (meson) or find_package (CMake), and run: each exits 0 only when it
# learned. Then a parent project that takes ctgraph as a meson subproject.
#   installed_and_used.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
# The examples build as a user's would, with the flags the guide recommends.
flags="-march=native -fno-math-errno"

echo "--- meson install into $prefix"
meson setup "$tmp/ctgraph" "$src" --prefix="$prefix" -Dnative=false >"$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; exit 1; }
meson install -C "$tmp/ctgraph" --no-rebuild --quiet
pc_dir=$(dirname "$(find "$prefix" -name ctgraph.pc)")
config=$(find "$prefix" -name ctgraphConfig.cmake)
[ -f "$prefix/include/ctgraph/ctgraph.hpp" ] || { echo "FAIL: no headers under $prefix/include/ctgraph"; exit 1; }
[ -n "$config" ] || { echo "FAIL: no ctgraphConfig.cmake under $prefix"; exit 1; }
PKG_CONFIG_PATH=$pc_dir pkg-config --print-errors --cflags --libs ctgraph
# The core include needs no PLplot: a file that includes it builds with ctgraph.pc's flags alone.
echo '#include <ctgraph/ctgraph.hpp>
int main() { return 0; }' >"$tmp/core_only.cpp"
c++ -std=c++20 -fsyntax-only -H $(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags ctgraph) "$tmp/core_only.cpp" 2>"$tmp/includes.txt"
if grep -q plplot "$tmp/includes.txt"; then echo "FAIL: ctgraph.hpp includes PLplot"; exit 1; fi

# Configured and built two at a time (the machine has two cores), each into its own log;
# then run one after another, so that their outputs and timings stay apart.
build_example() {
  local example=$1 name
  name=$(basename "$example")
  if [ -f "$example/meson.build" ]; then
    echo "examples/$name: meson, dependency('ctgraph') through pkg-config"
    PKG_CONFIG_PATH=$pc_dir meson setup "$tmp/$name" "$example" -Dcpp_args="$flags" && meson compile -C "$tmp/$name"
  elif [ -f "$example/CMakeLists.txt" ]; then
    echo "examples/$name: CMake, find_package(ctgraph)"
    cmake -S "$example" -B "$tmp/$name" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$flags" && cmake --build "$tmp/$name"
  else
    echo "examples/$name has neither meson.build nor CMakeLists.txt"
    return 1
  fi
}
examples=("$src"/examples/*/)
pids=()
for i in "${!examples[@]}"; do
  build_example "${examples[$i]}" >"$tmp/build-$i.log" 2>&1 &
  pids+=($!)
  if (( ${#pids[@]} == 2 )); then wait "${pids[0]}" || true; pids=("${pids[@]:1}"); fi
done
wait || true
for i in "${!examples[@]}"; do
  name=$(basename "${examples[$i]}")
  echo "--- examples/$name"
  if ! grep -q . "$tmp/build-$i.log" || [ -z "$(find "$tmp/$name" -maxdepth 1 -type f -executable 2>/dev/null | head -1)" ]; then
    cat "$tmp/build-$i.log"
    echo "FAIL: examples/$name did not build (its output above)"
    exit 1
  fi
  head -1 "$tmp/build-$i.log"
  binary=$(find "$tmp/$name" -maxdepth 1 -type f -executable | head -1)
  "$binary"
done

echo "--- a parent project with ctgraph as a subproject: dependency('ctgraph')"
cp -r "$src/tests/consumers/subproject_parent" "$tmp/parent"
mkdir -p "$tmp/parent/subprojects"
ln -s "$src" "$tmp/parent/subprojects/ctgraph"
meson setup "$tmp/parent-build" "$tmp/parent" >"$tmp/parent.log" 2>&1 || { cat "$tmp/parent.log"; exit 1; }
meson compile -C "$tmp/parent-build"
"$tmp/parent-build/parent"
echo "ok: installed, found by pkg-config, CMake and as a subproject; every example learned"
