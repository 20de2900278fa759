#!/usr/bin/env python3
"""The bench-overload scenario written with SimPy, to check stormsim's results and speed against it.

It reads its parameters from the scenario file itself (default: scenarios/bench-overload.json), so both tools run
the same workload: open-loop Poisson clients calling one service with W workers, exponential service times and a
bounded FIFO queue. Each attempt has a timeout; an attempt abandoned by its caller still takes a worker (wasted
work). A timed-out or rejected attempt is retried after capped exponential backoff with full jitter,
U[0, min(max, base * multiplier^(n-1))), up to maxAttempts attempts.

The random numbers differ from stormsim's (one Python stream instead of keyed streams), so single runs differ;
means over a few seeds agree within their standard deviations.

    pip install simpy
    python3 bench/simpy_overload.py --seeds 5
"""
import argparse
import json
import math
import random
import statistics
import sys
import time

import simpy


def seconds(text):
    """A stormsim duration ("100ms", "1s", "2m") in seconds."""
    for unit, scale in (("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).replace("e", "", 1).lstrip("-").isdigit():
            return float(text[: -len(unit)]) * scale
    raise ValueError(f"not a duration: {text!r}")


def workload(path):
    """The parameters this model supports, read from a stormsim scenario; an error for anything else."""
    with open(path) as f:
        sc = json.load(f)
    clients, service = sc["clients"], sc["services"][0]
    arrival, policy = clients["arrival"], clients.get("policy", {})
    backoff = policy.get("backoff", {})
    if arrival["type"] != "poisson" or len(sc["services"]) != 1 or service["serviceTime"]["dist"] != "exponential":
        sys.exit(f"{path}: this model runs one service with exponential service times and Poisson clients")
    if policy.get("jitter", "full") != "full" or backoff.get("type", "exponential") != "exponential":
        sys.exit(f"{path}: this model runs exponential backoff with full jitter")
    return dict(
        rate=clients["count"] * arrival["rate"], until=seconds(arrival.get("until", sc["duration"])),
        workers=service["workers"], capacity=service.get("queue", {}).get("capacity", 1000),
        service_mean=seconds(service["serviceTime"]["mean"]), timeout=seconds(policy["timeout"]),
        attempts=policy.get("maxAttempts", 1), base=seconds(backoff.get("base", "100ms")),
        multiplier=backoff.get("multiplier", 2), cap=seconds(backoff.get("max", "20s")))


def simulate(w, seed):
    """One run; returns its metrics (named as in stormsim's summary.csv) and the wall time of env.run()."""
    rng = random.Random(seed)
    env = simpy.Environment()
    workers = simpy.Resource(env, capacity=w["workers"])
    m = dict(requests=0, attempts=0, succeeded=0, failed=0, timeouts=0, rejected=0, wasted=0, latency=0.0)

    def served(answer, call):
        with workers.request() as turn:
            yield turn
            yield env.timeout(rng.expovariate(1.0 / w["service_mean"]))
        if call["abandoned"]:
            m["wasted"] += 1
        else:
            answer.succeed()

    def request():
        start = env.now
        for n in range(1, w["attempts"] + 1):
            m["attempts"] += 1
            if len(workers.queue) >= w["capacity"]:
                m["rejected"] += 1
            else:
                answer, call = env.event(), {"abandoned": False}
                env.process(served(answer, call))
                yield answer | env.timeout(w["timeout"])
                if answer.triggered:
                    m["succeeded"] += 1
                    m["latency"] += env.now - start
                    return
                call["abandoned"] = True
                m["timeouts"] += 1
            if n == w["attempts"]:
                m["failed"] += 1
                return
            yield env.timeout(rng.uniform(0, min(w["cap"], w["base"] * w["multiplier"] ** (n - 1))))

    def clients():
        while True:
            yield env.timeout(rng.expovariate(w["rate"]))
            if env.now >= w["until"]:
                return
            m["requests"] += 1
            env.process(request())

    env.process(clients())
    wall = time.perf_counter()
    env.run()
    wall = time.perf_counter() - wall
    r = max(1, m["requests"])
    return dict(requests=m["requests"], attempts=m["attempts"], amplification=m["attempts"] / r,
                success_rate=m["succeeded"] / r, timeouts=m["timeouts"], rejected=m["rejected"],
                latency_mean_ms=1000 * m["latency"] / max(1, m["succeeded"]), makespan_s=env.now), wall


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("scenario", nargs="?", default="scenarios/bench-overload.json")
    p.add_argument("--seed", type=int, default=1, help="the first seed")
    p.add_argument("--seeds", type=int, default=1, help="run this many seeds and print means and standard deviations")
    a = p.parse_args()
    w = workload(a.scenario)
    runs = [simulate(w, a.seed + k) for k in range(a.seeds)]
    for name in runs[0][0]:
        values = [r[0][name] for r in runs]
        sd = f" (sd {statistics.stdev(values):.4g})" if len(values) > 1 else ""
        print(f"{name}={statistics.mean(values):.6g}{sd}")
    print(f"env_run_s={min(r[1] for r in runs):.4f} (fastest of {len(runs)})")


if __name__ == "__main__":
    main()
