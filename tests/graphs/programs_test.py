#!/usr/bin/python3
"""The graph programs as a user runs them, as processes.

  reproducible  each program, run twice with the same seed, saves the same weights, byte for byte
  resume        golden_feature: 4 epochs, or 2 with --checkpoint then --resume to 4, save the same weights
  interrupt     a SIGINT (or SIGTERM) to a training program: it finishes the step, writes its checkpoint
                (or --save file), says where, exits 130 (143), and --resume goes on from it
  second        a second signal ends it at once: exit 128 + signal, no file touched
  seeds         --seeds A-B --jobs N: each seed's line and the findings' counts; a seed of a sweep is the
                --seed run bit for bit; a failing seed fails the sweep and is named; bad values exit 2
  seeds_signal  a SIGINT to a sweep reaches each worker once: each checkpoints and exits 130, so does the sweep
  threads       --threads N: golden_feature and attention_column save the same weights, byte for byte, on 2
                and 3 threads (the result does not depend on N above 1), within rounding of one thread's
                and learning what it learns; digits_attention (one grain) says it trains on one thread;
                bad values exit 2
  seeds_mpi     (a build with MPI) mpirun -n 2 spreads a sweep's seeds over the ranks; rank 0 prints the
                report of the same sweep run without mpirun
  data_parallel (a build with MPI) mpirun -n 2 golden_feature --data-parallel, with and without --sync-every:
                the ranks end with the same model and it learns; without mpirun, or with --checkpoint, exit 2
  prefetch      (x86-64, with objdump) each program holds fit's prefetch of the next batch's rows: g++ 12
                once deleted every call to it, as a pure function, and nothing else noticed

Usage: programs_test.py BUILD_DIR TEST [...]   (TEST: reproducible, ..., seeds_mpi)
"""
import hashlib
import os
import platform
import shutil
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


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f]


def seeds(build, tmp):
    program = os.path.join(build, "graphs", "digits_attention")
    quick = QUICK["digits_attention"]
    out = os.path.join(tmp, "sweep")
    r = run(program, quick + ["--seeds", "1-3", "--jobs", "2", "--out", out, "--save", os.path.join(tmp, "w.npz")])
    check(r.returncode == 0, f"a sweep of seeds 1-3 with --jobs 2 exits 0 ({r.stderr.strip()[-300:]})")
    table = read_tsv(os.path.join(out, "seeds.tsv"))
    check([row[0] for row in table] == ["seed", "1", "2", "3"], f"seeds.tsv has a row per seed: {table}")
    finding = "hundreds digits get the most attention"
    column = table[0].index(finding) if finding in table[0] else None
    check(column is not None, f"seeds.tsv has a column for the finding: {table[0]}")
    if column is None:
        return
    # Each seed's line holds what that seed's own results.tsv says.
    for row in table[1:]:
        results = {line[1]: line[2] for line in read_tsv(os.path.join(out, f"seed_{row[0]}", "results.tsv"))}
        check(row[column] == results[finding] and row[1] == results["test MSE"],
              f"seed {row[0]}'s line is its results.tsv: {row}")
        check(any(line.split()[:1] == [row[0]] and row[column] in line for line in r.stdout.splitlines()),
              f"seed {row[0]}'s line is printed")
    held = [row[0] for row in table[1:] if row[column] == "yes"]
    count = f"{finding}: {len(held)} of 3 seeds" + (f" ({', '.join(held)})" if held else "") + "; the tutorial: yes"
    check(count in r.stdout, f"the count is printed: '{count}'")
    counted = read_tsv(os.path.join(out, "findings.tsv"))
    check(counted == [["digits_attention", finding, count.split(": ")[1].split(";")[0], "yes"]],
          f"findings.tsv holds the count: {counted}")

    # Seed 2 of the sweep is the --seed 2 run, bit for bit.
    alone = os.path.join(tmp, "alone")
    r = run(program, quick + ["--seed", "2", "--out", alone, "--save", os.path.join(tmp, "alone.npz")])
    check(r.returncode == 0, "the --seed 2 run exits 0")
    check(digest(os.path.join(tmp, "w_seed2.npz")) == digest(os.path.join(tmp, "alone.npz")),
          "seed 2 of the sweep saves (to w_seed2.npz) the weights of the --seed 2 run, byte for byte")
    check(digest(os.path.join(out, "seed_2", "results.tsv")) == digest(os.path.join(alone, "results.tsv")),
          "seed 2 of the sweep writes the results.tsv of the --seed 2 run")
    check(not os.path.exists(os.path.join(alone, "summary.tsv")), "a run without --seeds writes no summary.tsv")

    # A failing seed: the others finish, the sweep exits 1 and names it with its log's end.
    ck = os.path.join(tmp, "ck")
    r = run(program, quick + ["--seeds", "1-3", "--jobs", "2", "--out", out, "--checkpoint", ck])
    check(r.returncode == 0 and sorted(os.listdir(ck)) == ["seed_1", "seed_2", "seed_3"],
          f"--checkpoint in a sweep writes DIR/seed_K ({r.stderr.strip()[-200:]})")
    shutil.rmtree(os.path.join(ck, "seed_2"))
    r = run(program, ["--samples", "4000", "--epochs", "3", "--seeds", "1-3", "--jobs", "2", "--out", out,
                      "--resume", ck])
    check(r.returncode == 1, f"a sweep with a failing seed exits 1 (got {r.returncode})")
    check("seed 2 failed (exit 2)" in r.stderr and f"--resume: folder '{ck}/seed_2' does not exist" in r.stderr,
          f"it names the seed and shows why: {r.stderr.strip()}")
    check("Resuming from" in open(os.path.join(out, "seed_3", "log.txt")).read() and
          f"{finding}: " in r.stdout and "of 2 seeds" in r.stdout, "the other seeds resumed and are counted")
    blocked = os.path.join(tmp, "blocked")
    os.makedirs(blocked)
    open(os.path.join(blocked, "seed_2"), "w").close()  # a file where seed 2's folder goes
    r = run(program, quick + ["--seeds", "1-3", "--jobs", "2", "--out", blocked])
    check(r.returncode == 1 and "seed 2 could not start" in r.stderr and "seed_2" in r.stderr,
          f"an unusable seed folder fails that seed: {r.stderr.strip()}")

    # Bad values: exit 2 and a message naming the option.
    for args, says in [(["--seeds", "5-3"], "the last seed is smaller than the first"),
                       (["--seeds", "1-x"], "is not a seed or a range of seeds"),
                       (["--seeds", ""], "is not a seed"),
                       (["--seeds", "2", "--seed", "2"], "--seeds and --seed exclude each other"),
                       (["--seeds", "1-2", "--jobs", "-1"], "--jobs: '-1' is not a number of processes"),
                       (["--seeds", "1-2", "--jobs", "many"], "--jobs: 'many' is not a number of processes"),
                       (["--jobs", "2"], "--jobs requires --seeds")]:
        r = run(program, args + ["--out", out])
        check(r.returncode == 2 and says in r.stderr, f"{args}: exit 2 saying '{says}' ({r.returncode}, {r.stderr.strip()})")


def seeds_signal(build, tmp):
    program = os.path.join(build, "graphs", "golden_feature")
    ck = os.path.join(tmp, "ck")
    out = os.path.join(tmp, "out")
    p = subprocess.Popen([program, "--samples", str(SAMPLES), "--epochs", "10000", "--seeds", "1-3", "--jobs", "2",
                          "--checkpoint", ck, "--out", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Both workers are past epoch 1 once each has its first checkpoint.
    written = [os.path.join(ck, f"seed_{k}", "checkpoint.npz") for k in (1, 2)]
    for _ in range(1200):
        if all(os.path.exists(f) for f in written) or p.poll() is not None:
            break
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    stdout, err = p.communicate(timeout=120)
    check(p.returncode == 130, f"SIGINT to a sweep: exit {p.returncode}, expected 130 ({err.strip()[-300:]})")
    for k in (1, 2):
        log = open(os.path.join(out, f"seed_{k}", "log.txt")).read()
        check(log.count("interrupted by SIGINT after batch") == 1 and f"wrote {ck}/seed_{k}/checkpoint.npz" in log,
              f"worker {k} was stopped once and wrote its checkpoint: {log.strip()[-200:]}")
    check("not started" in stdout and not os.path.exists(os.path.join(out, "seed_3")),
          f"seed 3 was not started: {stdout.strip()[-300:]}")
    check("the sweep was interrupted by SIGINT" in err, "the sweep says it was interrupted")


def threads(build, tmp):
    for name in ("golden_feature", "attention_column"):
        program = os.path.join(build, "graphs", name)
        weights = {}
        for n in (1, 2, 3):
            saved = os.path.join(tmp, f"{name}_{n}.npz")
            r = run(program, QUICK[name] + ["--seed", "3", "--threads", str(n), "--out", os.path.join(tmp, name),
                                            "--save", saved])
            check(r.returncode == 0, f"{name} --threads {n} exits 0 ({r.stderr.strip()[-200:]})")
            weights[n] = np.load(saved) if r.returncode == 0 else None
        if any(w is None for w in weights.values()):
            continue
        check(digest(os.path.join(tmp, f"{name}_2.npz")) == digest(os.path.join(tmp, f"{name}_3.npz")),
              f"{name}: --threads 2 and --threads 3 save byte-identical weights")
        # Two epochs of Adam from the same start: the threaded sums round differently, the weights stay close.
        worst = max(float(np.max(np.abs(weights[2][k] - weights[1][k]))) for k in weights[1].files)
        check(worst < 2e-3, f"{name}: --threads 2 trains within rounding of one thread (largest difference {worst:.2g})")
    program = os.path.join(build, "graphs", "digits_attention")
    r = run(program, QUICK["digits_attention"] + ["--threads", "2", "--out", os.path.join(tmp, "digits")])
    check(r.returncode == 0 and "is 1 grain of work: training on 1 thread" in r.stdout,
          "digits_attention --threads 2 trains on one thread, and says so: " + r.stdout[-300:] + r.stderr[-200:])
    program = os.path.join(build, "graphs", "golden_feature")
    for bad in ("-1", "two", "1.5"):
        r = run(program, ["--threads", bad, "--out", os.path.join(tmp, "bad")])
        check(r.returncode == 2 and "--threads" in r.stderr, f"--threads {bad} exits 2 naming the option")


def seeds_mpi(build, tmp):
    program = os.path.join(build, "graphs", "digits_attention")
    args = QUICK["digits_attention"] + ["--seeds", "1-4"]
    here = os.path.join(tmp, "here")
    r = run(program, args + ["--jobs", "2", "--out", here])
    check(r.returncode == 0, f"the sweep without mpirun exits 0 ({r.stderr.strip()[-200:]})")
    ranks = os.path.join(tmp, "ranks")
    # As root, Open MPI's mpirun wants to be told that this is meant.
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    r = subprocess.run(["mpirun", "--oversubscribe", "-n", "2", program] + args + ["--out", ranks],
                       capture_output=True, text=True, env=env, timeout=240)
    check(r.returncode == 0, f"mpirun -n 2 exits 0 ({r.stderr.strip()[-300:]})")
    check("seeds 1-4 over 2 ranks" in r.stdout, f"rank 0 says it spreads the seeds: {r.stdout[:300]}")
    lines = r.stdout.splitlines()
    for seed, rank in [(1, 0), (2, 1), (3, 0), (4, 1)]:  # every size-th seed from the rank's
        check(any(f"seed {seed}: done" in line and f"(rank {rank})" in line for line in lines),
              f"seed {seed} ran on rank {rank}")
    check(os.path.exists(os.path.join(ranks, "seeds.tsv")) and
          digest(os.path.join(ranks, "seeds.tsv")) == digest(os.path.join(here, "seeds.tsv")),
          "rank 0 writes the seeds.tsv of the sweep without mpirun")
    check(r.stdout.count("hundreds digits get the most attention: ") == 1 and
          open(os.path.join(ranks, "findings.tsv")).read() == open(os.path.join(here, "findings.tsv")).read(),
          "the count is printed once, and is the sweep's without mpirun")


def data_parallel(build, tmp):
    program = os.path.join(build, "graphs", "golden_feature")
    args = QUICK["golden_feature"] + ["--data-parallel"]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    for extra, says in [([], "gradients summed every step"), (["--sync-every", "4"], "weights averaged every 4 steps")]:
        out = os.path.join(tmp, "dp" + "".join(extra))
        r = subprocess.run(["mpirun", "--oversubscribe", "-n", "2", program] + args + extra + ["--out", out],
                           capture_output=True, text=True, env=env, timeout=240)
        check(r.returncode == 0, f"mpirun -n 2 {' '.join(extra)} exits 0 ({r.stderr.strip()[-300:]})")
        check(r.stdout.count(f"data-parallel over 2 ranks: {says}") == 1, f"rank 0 alone prints: {says}")
        reports = [os.path.join(out, "results.tsv"), os.path.join(out, "rank_1", "results.tsv")]
        if not all(os.path.exists(f) for f in reports):
            check(False, f"rank 0 writes OUT/results.tsv, rank 1 OUT/rank_1/results.tsv {' '.join(extra)}")
            continue
        rows = [dict(line.split("\t")[1:3] for line in open(f).read().splitlines()) for f in reports]
        # The train rows are each rank's own shard's; the test set is the same on both, and so is the model.
        for metric in ["test accuracy", "attention on the golden feature"]:
            check(rows[0][metric] == rows[1][metric], f"{' '.join(extra)} ranks agree on {metric}: {rows[0][metric]}")
        check(float(rows[0]["test accuracy"]) > 0.95, f"{' '.join(extra)} learns: test accuracy {rows[0]['test accuracy']}")
    r = run(program, args + ["--out", os.path.join(tmp, "alone")])
    check(r.returncode == 2 and "not started by mpirun" in r.stderr, f"without mpirun: exit 2, says why ({r.stderr.strip()})")
    r = run(program, args + ["--checkpoint", os.path.join(tmp, "ck"), "--out", os.path.join(tmp, "ck_out")])
    check(r.returncode == 2 and "--data-parallel and --checkpoint exclude each other" in r.stderr,
          f"with --checkpoint: exit 2, says why ({r.stderr.strip()})")


def prefetch(build, tmp):
    objdump = shutil.which("objdump")
    if platform.machine() not in ("x86_64", "AMD64") or objdump is None:
        print(f"prefetch: skipped on {platform.machine()} {'without objdump' if objdump is None else ''}")
        return
    for name in ("digits_attention", "golden_feature", "iris_qkv"):
        code = subprocess.run([objdump, "-d", "--no-show-raw-insn", os.path.join(build, "graphs", name)],
                              capture_output=True, text=True, check=True).stdout
        # train/fit.hpp's prefetch_rows asks with locality 1: prefetcht2.
        count = code.count("prefetcht2")
        check(count > 0, f"{name} holds fit's prefetches ({count} prefetcht2 instructions)")


def main():
    build, tests = sys.argv[1], sys.argv[2:]
    for test in tests:
        with tempfile.TemporaryDirectory(prefix="ctgraph_programs_") as tmp:
            tests = {"reproducible": reproducible, "resume": resume, "interrupt": interrupt, "second": second,
                     "seeds": seeds, "seeds_signal": seeds_signal, "seeds_mpi": seeds_mpi, "threads": threads,
                     "data_parallel": data_parallel, "prefetch": prefetch}
            tests[test](build, tmp)
    if failures:
        print(f"{len(failures)} failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
