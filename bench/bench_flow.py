"""bench_flow.py - wall time and peak memory of one finn-run process.

Usage: bench_flow.py FINN_RUN RECIPE [RUNS] [extra finn-run args...]
Runs `FINN_RUN RECIPE --set save_intermediate_models=false ...` RUNS times
(default 5) and prints the median and minimum wall time of the whole
process (model load to reports written) and its peak resident memory,
twice: rebuilding into the same output folder (the recipe's, or the
--output-dir given), and into a fresh output folder each time (a first
build).
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd, runs, fresh_dir=None):
    times = []
    for _ in range(runs):
        args = list(cmd)
        if fresh_dir:
            shutil.rmtree(fresh_dir, ignore_errors=True)
            args += ["--output-dir", fresh_dir]
        t0 = time.perf_counter()
        r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode not in (0, 3):
            sys.exit("finn-run failed: " + r.stderr)
    return times


def main():
    finn_run, recipe = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    extra = sys.argv[4:]
    cmd = [finn_run, recipe, "--set", "save_intermediate_models=false"] + extra
    run(cmd, 1)  # warm the page cache and the output folder
    again = run(cmd, runs)
    scratch = tempfile.mkdtemp(prefix="bench_flow_")
    try:
        fresh = run(cmd, runs, os.path.join(scratch, "out"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    for label, times in (("rebuild into the same output folder", again),
                         ("first build (fresh output folder)", fresh)):
        print("%s, %s: median %.1f ms, min %.1f ms over %d runs"
              % (recipe, label, statistics.median(times) * 1e3, min(times) * 1e3, runs))
    print("%s: peak memory %.1f MiB" % (recipe, peak))


main()
