#!/usr/bin/env python3
"""SimPy reference for the engine benchmark: M/M/100 at load 95, 1,000,000 customers.

The same system as scenarios/bench-mm100.toml: Poisson arrivals at 100 per
minute, exponential service of mean 0.95 minute, c = 100 servers, a FIFO
line with no limit and no abandonment; the run ends at the last arrival.
Waits are summed so the model does the same bookkeeping as ours (mean wait
and P(wait)). Prints one line of `key=value` pairs that scripts/bench.sh
reads, e.g.

    python3 scripts/simpy_mm100.py            # needs `pip install simpy`

Theory (Erlang C, c = 100, a = 95): P(wait) ~ 0.51, mean wait ~ 5.9 s.
"""

import argparse
import random
import resource
import sys
import time

try:
    import simpy
except ImportError:  # bench.sh checks this and skips the reference
    sys.exit("simpy is not installed: pip install simpy")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--servers", type=int, default=100)
    ap.add_argument("--load", type=float, default=95.0, help="offered load in erlangs")
    ap.add_argument("--service-mean", type=float, default=0.95, help="minutes")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    arrival_rate = args.load / args.service_mean  # per minute
    service_rate = 1.0 / args.service_mean
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=args.servers)
    stats = {"served": 0, "waited": 0, "wait_sum": 0.0}

    def customer(env):
        joined = env.now
        with servers.request() as req:
            yield req
            wait = env.now - joined
            stats["wait_sum"] += wait
            stats["waited"] += wait > 0
            yield env.timeout(rng.expovariate(service_rate))
        stats["served"] += 1

    def source(env):
        for _ in range(args.customers):
            yield env.timeout(rng.expovariate(arrival_rate))
            env.process(customer(env))

    t0, c0 = time.perf_counter(), time.process_time()
    env.run(until=env.process(source(env)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0

    admitted = args.customers - len(servers.queue)
    peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"simpy={simpy.__version__} customers={args.customers} servers={args.servers} "
        f"load={args.load} sim_minutes={env.now:.1f} served={stats['served']} "
        f"p_wait={stats['waited'] / admitted:.4f} "
        f"wait_mean_s={60 * stats['wait_sum'] / admitted:.3f} "
        f"wall_s={wall:.3f} cpu_s={cpu:.3f} customers_per_s={args.customers / wall:.0f} "
        f"peak_rss_kb={peak_rss_kb}"
    )


if __name__ == "__main__":
    main()
