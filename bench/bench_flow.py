"""bench_flow.py - wall time and peak memory of one finn-run process.

Usage: bench_flow.py FINN_RUN RECIPE [RUNS] [extra finn-run args...]
Each run goes through bench/spawn_peak (built next to FINN_RUN's build, in
BUILD/bench), which times the process and reads its own peak resident
memory (a child of Python would also be charged Python's memory).
Runs `FINN_RUN RECIPE --set save_intermediate_models=false ...` RUNS times
(default 5) and prints the median and minimum wall time of the whole
process (model load to reports written) and its peak resident memory,
twice: rebuilding into the same output folder (the recipe's, or the
--output-dir given), and into a fresh output folder each time (a first
build).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile


def run(cmd, runs, peaks, fresh_dir=None):
    times = []
    for _ in range(runs):
        args = list(cmd)
        if fresh_dir:
            shutil.rmtree(fresh_dir, ignore_errors=True)
            args += ["--output-dir", fresh_dir]
        r = subprocess.run([SPAWN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        ms, rss_kb, code = r.stdout.split()
        if int(code) not in (0, 3):
            sys.exit("finn-run failed: " + r.stderr)
        times.append(float(ms) / 1e3)
        peaks.append(int(rss_kb) / 1024.0)
    return times


def main():
    global SPAWN
    finn_run, recipe = sys.argv[1], sys.argv[2]
    SPAWN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(finn_run))), "bench",
                         "spawn_peak")
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    extra = sys.argv[4:]
    cmd = [finn_run, recipe, "--set", "save_intermediate_models=false"] + extra
    run(cmd, 1, [])  # warm the page cache and the output folder
    peaks = []
    again = run(cmd, runs, peaks)
    scratch = tempfile.mkdtemp(prefix="bench_flow_")
    try:
        fresh = run(cmd, runs, peaks, os.path.join(scratch, "out"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for label, times in (("rebuild into the same output folder", again),
                         ("first build (fresh output folder)", fresh)):
        print("%s, %s: median %.1f ms, min %.1f ms over %d runs"
              % (recipe, label, statistics.median(times) * 1e3, min(times) * 1e3, runs))
    print("%s: peak memory (resident set of one finn-run process) median %.1f MiB, max %.1f MiB"
          % (recipe, statistics.median(peaks), max(peaks)))


main()
