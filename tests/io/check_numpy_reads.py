#!/usr/bin/python3
"""Checks with numpy itself that a weights file ctgraph wrote is what np.savez
would have written: np.load opens it, every member is a stored (uncompressed)
NAME.npy whose CRC-32 holds, and the names, dtypes, shapes and values are the
expected ones, in order.

  check_numpy_reads.py FILE [--spec SPEC.json] [--expect NAME:DTYPE:SHAPE ...]
  check_numpy_reads.py --write-with PROGRAM [ARG ...]   # PROGRAM FILE ARG... writes FILE (in a temp dir)

SPEC.json (default FILE.json, if there) is {"arrays": [{"name": "dense_1.kernel",
"dtype": "<f4", "shape": [20, 100], "values": [...]}, ...]}, "values" optional;
--expect gives the same without values, e.g. --expect 'dense_1.kernel:<f4:20,100'
(a vector's shape is '100,', a scalar's ''). Exits 1 on the first mismatch."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import numpy as np


def parse_expect(text):
    try:
        name, dtype, shape = text.rsplit(":", 2)
        dims = tuple(int(d) for d in shape.split(",") if d.strip())
        return {"name": name, "dtype": dtype, "shape": list(dims)}
    except ValueError:
        sys.exit(f"check_numpy_reads: --expect {text!r} is not NAME:DTYPE:SHAPE")


def check(file, spec):
    problems = []
    with zipfile.ZipFile(file) as z:
        bad = z.testzip()
        if bad is not None:
            problems.append(f"{bad}: CRC-32 does not match")
        for info in z.infolist():
            if info.compress_type != zipfile.ZIP_STORED:
                problems.append(f"{info.filename}: compressed (method {info.compress_type}), np.savez stores")
            if not info.filename.endswith(".npy"):
                problems.append(f"{info.filename}: not NAME.npy")
            with z.open(info) as member:
                version = np.lib.format.read_magic(member)
            print(f"  member {info.filename}: {info.file_size} bytes, .npy version {version[0]}.{version[1]}")

    with np.load(file, allow_pickle=False) as npz:
        names = list(npz.files)
        expected = [a["name"] for a in spec]
        if names != expected:
            problems.append(f"names {names} in the file, expected {expected}")
        for a in spec:
            if a["name"] not in names:
                continue
            array = npz[a["name"]]
            line = f"{a['name']}: {array.dtype.str} {array.shape}"
            if array.dtype != np.dtype(a["dtype"]):
                problems.append(f"{line}: dtype, expected {a['dtype']}")
            if array.shape != tuple(a["shape"]):
                problems.append(f"{line}: shape, expected {tuple(a['shape'])}")
            if not array.flags.c_contiguous:
                problems.append(f"{line}: not in C order")
            if "values" in a:
                want = np.array(a["values"], dtype=np.dtype(a["dtype"])).reshape(a["shape"])
                if want.shape != array.shape or not np.array_equal(array, want, equal_nan=True):
                    diff = np.argwhere(array != want) if want.shape == array.shape else "shape"
                    problems.append(f"{line}: values differ, first at {diff[0] if len(diff) else diff}")
                else:
                    line += f", {array.size} values exact"
            print("  " + line)
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--spec")
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--write-with", nargs=argparse.REMAINDER, metavar="PROGRAM")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temp:
        file = args.file
        if args.write_with:
            if file is None:
                file = os.path.join(temp, "weights.npz")
            program, *rest = args.write_with
            subprocess.run([program, file, *rest], check=True)
        if file is None:
            parser.error("FILE or --write-with is required")

        spec = [parse_expect(e) for e in args.expect]
        spec_file = args.spec or (file + ".json" if os.path.exists(file + ".json") else None)
        if spec_file:
            with open(spec_file) as f:
                spec += json.load(f)["arrays"]
        if not spec:
            parser.error("nothing to check against: give --spec, --expect, or a FILE.json beside FILE")

        print(f"{file}: numpy {np.__version__}")
        problems = check(file, spec)
    for p in problems:
        print(f"check_numpy_reads: {file}: {p}", file=sys.stderr)
    print(f"{file}: {'FAILED' if problems else 'OK'}: {len(spec)} arrays checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
