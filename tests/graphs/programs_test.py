#!/usr/bin/python3
"""The graph programs as a user runs them, as processes.

  reproducible  each program, run twice with the same seed, saves the same weights, byte for byte
  resume        golden_feature: 4 epochs, or 2 with --checkpoint then --resume to 4, save the same weights
  interrupt     a SIGINT (or SIGTERM) to a training program: it finishes the step, writes its checkpoint
                (or --save file), says where, exits 130 (143), and --resume goes on from it
  second        a second signal ends it at once: exit 128 + signal, no file touched

Usage: programs_test.py BUILD_DIR TEST [...]   (TEST: reproducible, resume, interrupt, second)
"""
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

# Small settings: each run takes a second or two.
QUICK = {
    "golden_feature": ["--samples", "4000", "--epochs", "2"],
    "digits_attention": ["--samples", "4000", "--epochs", "2"],
    "fib_rnn_attention": ["--model", "attention", "--epochs", "2"],
    "iris_qkv": ["--model", "attention", "--epochs", "50"],
    "attention_column": ["--samples", "2000", "--epochs", "2"],
}

failures = []
SAMPLES = 1_000_000  # golden_feature's samples when it is to be interrupted


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(program, args, **kw):
    return subprocess.run([program] + args, capture_output=True, text=True, **kw)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def reproducible(build, tmp):
    for name, args in QUICK.items():
        program = os.path.join(build, "graphs", name)
        saved = []
        for i in range(2):
            out = os.path.join(tmp, f"{name}_{i}")
            r = run(program, args + ["--seed", "3", "--out", out, "--save", os.path.join(tmp, f"{name}_{i}.npz")])
            check(r.returncode == 0, f"{name} run {i + 1} exits 0 ({r.stderr.strip()[-200:]})")
            saved.append(digest(os.path.join(tmp, f"{name}_{i}.npz")) if r.returncode == 0 else i)
        check(saved[0] == saved[1], f"{name}: two runs with seed 3 save byte-identical weights")
        other = os.path.join(tmp, f"{name}_seed4.npz")
        r = run(program, args + ["--seed", "4", "--out", os.path.join(tmp, name), "--save", other])
        check(r.returncode == 0 and digest(other) != saved[0], f"{name}: seed 4 saves other weights")


def resume(build, tmp):
    program = os.path.join(build, "graphs", "golden_feature")
    base = ["--samples", "4000", "--seed", "2", "--out", os.path.join(tmp, "out")]
    whole = os.path.join(tmp, "whole.npz")
    resumed = os.path.join(tmp, "resumed.npz")
    ck = os.path.join(tmp, "ck")
    r = run(program, base + ["--epochs", "4", "--save", whole])
    check(r.returncode == 0, "4 epochs in one run exit 0")
    r = run(program, base + ["--epochs", "2", "--checkpoint", ck])
    check(r.returncode == 0 and os.path.exists(os.path.join(ck, "checkpoint.npz")), "2 epochs write a checkpoint")
    r = run(program, base + ["--epochs", "4", "--resume", ck, "--save", resumed])
    check(r.returncode == 0 and "Resuming from" in r.stdout, "--resume to 4 epochs exits 0: " + r.stderr[-200:])
    check(r.stdout.count("Epoch ") == 2, "the resumed run trains epochs 3 and 4 only")
    check(digest(whole) == digest(resumed), "4 epochs and 2 + resumed 2 save byte-identical weights")


def start_training(build, args):
    """golden_feature on enough data to train for minutes, returned once its first epoch has ended."""
    program = os.path.join(build, "graphs", "golden_feature")
    p = subprocess.Popen([program, "--samples", str(SAMPLES), "--epochs", "10000"] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stdout:  # the first flushed line is epoch 1's
        if line.startswith("Epoch 1/"):
            time.sleep(0.05)  # into epoch 2 (an epoch takes about 0.4 s): the signal lands between two steps
            return p
    p.kill()
    raise SystemExit("golden_feature ended before its first epoch: " + p.stderr.read())


def interrupt(build, tmp):
    for sig, code in [(signal.SIGINT, 130), (signal.SIGTERM, 143)]:
        name = signal.Signals(sig).name
        ck = os.path.join(tmp, f"ck_{name}")
        p = start_training(build, ["--checkpoint", ck, "--out", os.path.join(tmp, "out")])
        p.send_signal(sig)
        _, err = p.communicate(timeout=60)
        check(p.returncode == code, f"{name}: exit code {p.returncode}, expected {code}")
        check(f"interrupted by {name} after batch" in err and f"wrote {ck}/checkpoint.npz" in err,
              f"{name}: says it stopped and where it wrote: {err.strip()}")
        state = np.load(os.path.join(ck, "checkpoint.npz"))
        epochs_done, batches_done = int(state["fit.counters"][1]), int(state["fit.counters"][2])
        check(epochs_done >= 1 and np.all(np.isfinite(state["dense_1.kernel"])),
              f"{name}: the checkpoint holds {epochs_done} epochs and {batches_done} batches, finite weights")
        leftovers = [f for f in os.listdir(ck) if f != "checkpoint.npz"]
        check(leftovers == [], f"{name}: no temporary left beside the checkpoint ({leftovers})")
        # It goes on: one more epoch from where it stopped.
        program = os.path.join(build, "graphs", "golden_feature")
        r = run(program, ["--samples", str(SAMPLES), "--epochs", str(epochs_done + 1), "--resume", ck,
                          "--out", os.path.join(tmp, "out")], timeout=120)
        check(r.returncode == 0, f"{name}: --resume goes on to epoch {epochs_done + 1}: {r.stderr[-200:]}")

    # Without --checkpoint, the --save file is what is written.
    save = os.path.join(tmp, "w.npz")
    p = start_training(build, ["--save", save, "--out", os.path.join(tmp, "out")])
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    check(p.returncode == 130 and f"wrote {save}" in err, f"SIGINT with --save: exit 130, {err.strip()}")
    check(os.path.exists(save) and len(np.load(save).files) == 8, "the --save file holds the 8 parameters")


def snapshot(folder):
    return {f: digest(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}


def second(build, tmp):
    ck = os.path.join(tmp, "ck")
    save = os.path.join(tmp, "w.npz")
    p = start_training(build, ["--checkpoint", ck, "--save", save, "--out", os.path.join(tmp, "out")])
    # Epoch 1's checkpoint is in place, and no write is under way (the next is an epoch away).
    for _ in range(200):
        names = os.listdir(ck) if os.path.isdir(ck) else []
        if names == ["checkpoint.npz"]:
            break
        time.sleep(0.05)
    # Stopped, the process receives both signals before it runs again: the first asks fit to stop,
    # the second (delivered at once after it) must end the process before fit writes anything.
    p.send_signal(signal.SIGSTOP)
    time.sleep(0.2)
    before = snapshot(ck)
    p.send_signal(signal.SIGINT)
    p.send_signal(signal.SIGTERM)
    p.send_signal(signal.SIGCONT)
    _, err = p.communicate(timeout=60)
    check(p.returncode in (130, 143), f"two signals: exit code {p.returncode}, expected 130 or 143")
    check("interrupted" not in err, "two signals: it did not stop as after one (no message)")
    check(before and snapshot(ck) == before, f"two signals: the checkpoint folder is as it was ({list(before)})")
    check(not os.path.exists(save), "two signals: no --save file written")


def main():
    build, tests = sys.argv[1], sys.argv[2:]
    for test in tests:
        with tempfile.TemporaryDirectory(prefix="ctgraph_programs_") as tmp:
            {"reproducible": reproducible, "resume": resume, "interrupt": interrupt, "second": second}[test](build, tmp)
    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
