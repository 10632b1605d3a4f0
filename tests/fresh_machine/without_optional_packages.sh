#!/usr/bin/env bash
# A machine without the optional packages, for real: in a mount namespace of its own,
# the headers, pkg-config files and CMake configs of libtorch, dlib, Google Benchmark,
# PLplot and Open MPI, python3-torch's module and the MPI compiler wrappers, are hidden
# behind empty folders (and /bin/false). ctgraph must configure there without error,
# say in one line each what it skips, build a program, and the program must train
# (saying it writes no charts) and sweep seeds.
#   without_optional_packages.sh SOURCE_DIR
set -euo pipefail

if [ "${1:-}" != --inside ]; then
  src=$(cd "$1" && pwd)
  if [ "$(id -u)" -ne 0 ] || ! unshare --mount --propagation private true 2>/dev/null; then
    echo "skipped: hiding packages needs root and unshare --mount"
    exit 77  # meson's "skipped"
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  unshare --mount --propagation private "$0" --inside "$src" "$tmp"
  exit
fi

src=$2 tmp=$3
arch_lib=/usr/lib/$(gcc -print-multiarch)
hide() {  # an empty folder over each that exists
  for d in "$@"; do
    if [ -d "$d" ]; then
      mkdir -p "$tmp/empty"
      mount --bind "$tmp/empty" "$d"
    fi
  done
}
hide /usr/include/{torch,ATen,c10,caffe2,dlib,benchmark,plplot} \
  "$arch_lib"/cmake/{Torch,Caffe2,ATen,dlib,benchmark,plplot} \
  "$arch_lib"/openmpi/include \
  /usr/lib/python3/dist-packages/torch
# mpicxx and friends are links to one wrapper, which meson asks when pkg-config does not know MPI
if [ -e /usr/bin/opal_wrapper ]; then mount --bind /bin/false /usr/bin/opal_wrapper; fi
# pkg-config's folder, less the optional packages' files (copies: links would point back into the mount)
mkdir "$tmp/pkgconfig"
for pc in "$arch_lib"/pkgconfig/*.pc; do
  case "$(basename "$pc")" in
    plplot*|dlib*|benchmark*|torch*|mpi*|ompi*|orte*) ;;
    *) cp "$pc" "$tmp/pkgconfig/" ;;
  esac
done
mount --bind "$tmp/pkgconfig" "$arch_lib/pkgconfig"

if [ -e /usr/include/plplot/plstream.h ] || [ -e /usr/include/torch/csrc ] || /usr/bin/python3 -c 'import torch.nn' 2>/dev/null ||
   mpicxx --showme >/dev/null 2>&1; then
  echo "FAIL: the optional packages are still visible"
  exit 1
fi

echo "--- meson setup, without libtorch, dlib, Google Benchmark, PLplot, Open MPI, python3-torch"
meson setup "$tmp/build" "$src" 2>&1 | tee "$tmp/setup.log"
for line in 'charts: PLplot (libplplot-dev) not found' \
            'parity: /usr/bin/python3 cannot import torch' \
            'peers: libtorch (libtorch-dev) not found' \
            'peers: dlib (libdlib-dev) not found' \
            'benchmarks: Google Benchmark (libbenchmark-dev) not found' \
            'sweeps: no MPI (libopenmpi-dev)'; do
  grep -qF "$line" "$tmp/setup.log" || { echo "FAIL: meson setup did not say: $line"; exit 1; }
done

echo "--- a program builds without them"
meson compile -C "$tmp/build" graphs/golden_feature

echo "--- the program trains, and says it writes no charts"
"$tmp/build/graphs/golden_feature" --epochs 1 --samples 4000 --out "$tmp/out" | tee "$tmp/run.log"
grep -q '^charts skipped: built without PLplot' "$tmp/run.log" || { echo "FAIL: no line saying the charts are skipped"; exit 1; }
[ -s "$tmp/out/results.tsv" ] || { echo "FAIL: no results.tsv"; exit 1; }
if ls "$tmp/out"/*.png >/dev/null 2>&1; then echo "FAIL: a chart was written without PLplot"; exit 1; fi

echo "--- a sweep over seeds runs without MPI"
"$tmp/build/graphs/golden_feature" --epochs 1 --samples 4000 --seeds 1-2 --jobs 2 --out "$tmp/sweep" >"$tmp/sweep.log"
[ "$(wc -l <"$tmp/sweep/seeds.tsv")" -eq 3 ] || { echo "FAIL: the sweep's seeds.tsv has not a row per seed"; cat "$tmp/sweep.log"; exit 1; }
echo "ok: configured, built and trained without the optional packages"
