"""bench_flow.py - wall time and peak memory of one finn-run process.

Usage: bench_flow.py FINN_RUN RECIPE [RUNS] [extra finn-run args...]
Runs `FINN_RUN RECIPE --set save_intermediate_models=false ...` RUNS times
(default 5) and prints the median and minimum wall time of the whole
process (model load to reports written) and its peak resident memory.
"""
import resource
import statistics
import subprocess
import sys
import time


def main():
    finn_run, recipe = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    extra = sys.argv[4:]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run([finn_run, recipe, "--set", "save_intermediate_models=false"] + extra,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode not in (0, 3):
            sys.exit("finn-run failed: " + r.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print("%s: median %.1f ms, min %.1f ms over %d runs; peak memory %.1f MiB"
          % (recipe, statistics.median(times) * 1e3, min(times) * 1e3, runs, peak))


main()
