#!/usr/bin/env python3
"""Times stormsim against the SimPy model of bench-overload, in turns, the way users run them.

Each round runs, one after the other: the SimPy model as a process (`python3 bench/simpy_overload.py`), stormsim as
a process (`stormsim run scenarios/bench-overload.json`), and each tool's own timer around the simulation
(SimPy's `env.run()`; `stormsim bench --workload bench-overload`, best of 5 in one process). Running in turns lets
the machine's slow spells hit both alike. Prints the fastest and median of each, and the ratios.

    pip install simpy && swift build -c release
    python3 bench/compare_simpy.py --rounds 10
"""
import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--stormsim", default=".build/release/stormsim")
    a = p.parse_args()
    times = {"simpy process": [], "stormsim process": [], "simpy env.run()": [], "stormsim in-process": []}
    with tempfile.TemporaryDirectory() as out:
        for k in range(a.rounds):
            seed = str(k + 1)
            wall, text = timed([sys.executable, "bench/simpy_overload.py", "--seed", seed])
            times["simpy process"].append(wall)
            times["simpy env.run()"].append(float(re.search(r"env_run_s=([0-9.]+)", text).group(1)))
            wall, _ = timed([a.stormsim, "run", "scenarios/bench-overload.json", "--seed", seed, "--out", f"{out}/r", "--quiet"])
            times["stormsim process"].append(wall)
            _, text = timed([a.stormsim, "bench", "--workload", "bench-overload"])
            times["stormsim in-process"].append(float(re.search(r"wall=([0-9.]+)", text).group(1)))
    for name, values in times.items():
        print(f"{name:22s} fastest {min(values):.4f} s   median {statistics.median(values):.4f} s")
    for what, s, t in (("whole process", "simpy process", "stormsim process"), ("simulation only", "simpy env.run()", "stormsim in-process")):
        print(f"{what}: stormsim is {statistics.median(times[s]) / statistics.median(times[t]):.0f}x faster (medians), "
              f"{min(times[s]) / min(times[t]):.0f}x (fastest)")


if __name__ == "__main__":
    main()
