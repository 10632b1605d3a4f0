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

for example in "$src"/examples/*/; do
  name=$(basename "$example")
  if [ -f "$example/meson.build" ]; then
    echo "--- examples/$name: meson, dependency('ctgraph') through pkg-config"
    PKG_CONFIG_PATH=$pc_dir meson setup "$tmp/$name" "$example" -Dcpp_args="$flags" >"$tmp/$name.log" 2>&1 ||
      { cat "$tmp/$name.log"; exit 1; }
    meson compile -C "$tmp/$name"
    binary=$(find "$tmp/$name" -maxdepth 1 -type f -executable | head -1)
  elif [ -f "$example/CMakeLists.txt" ]; then
    echo "--- examples/$name: CMake, find_package(ctgraph)"
    cmake -S "$example" -B "$tmp/$name" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_FLAGS="$flags" >"$tmp/$name.log" 2>&1 ||
      { cat "$tmp/$name.log"; exit 1; }
    cmake --build "$tmp/$name"
    binary=$(find "$tmp/$name" -maxdepth 1 -type f -executable | head -1)
  else
    echo "FAIL: examples/$name has neither meson.build nor CMakeLists.txt"
    exit 1
  fi
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
