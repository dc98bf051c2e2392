"""Benchmark of the matching engine: latency of random (pathway, stage, commune) matches.

Usage::

    python -m bench.match                         # the graph of the configured store (maillage load --demo first)
    python -m bench.match --load-demo             # load the demo territory into the graph 'bench_demo' first
    python -m bench.match --graph maillage --n 1000 --json

It prints p50 / p95 / p99 / max latency in milliseconds and matches per second
(one thread, commune index and pathway catalogue already built, as in the
viewer), plus the time of the first match, which builds them. The target is a
p95 under 50 ms on the demo territory; the national figure is the benchmark
issue's. Exit codes: 0 done, 2 nothing to measure (empty graph) or bad arguments.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["run", "percentile", "main"]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` percentile (0-100) of ``values`` by linear interpolation.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    """
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def run(store: Any, n: int = 500, seed: int = 2026, warmup: int = 20, home_share: float = 0.25) -> dict[str, Any]:
    """Time ``n`` random matches on ``store``; return the figures.

    Communes are drawn among the communes of the graph; a quarter of the requests
    ask for a home visit.
    """
    from graph.matching import MatchRequest, match_data, run_match

    cache: dict[Any, Any] = {}
    t0 = time.perf_counter()
    data = match_data(store, cache)
    stages = [(p.id, s.key) for p in data.catalog.values() for s in p.stages]
    communes = sorted(data.index.by_code)
    if not stages or not communes:
        raise SystemExit("bench.match: the graph has no pathway or no commune: load a territory first "
                         "(maillage load --demo, or --load-demo)")
    rng = random.Random(seed)

    def request() -> MatchRequest:
        """A random request."""
        pathway, stage = rng.choice(stages)
        return MatchRequest(pathway=pathway, stage=stage, commune=rng.choice(communes),
                            home_visit=rng.random() < home_share)

    first = run_match(store, request(), cache=cache)
    cold_ms = (time.perf_counter() - t0) * 1000
    for _ in range(warmup):
        run_match(store, request(), cache=cache)
    times: list[float] = []
    candidates = ruptures = 0
    start = time.perf_counter()
    for _ in range(n):
        req = request()
        t = time.perf_counter()
        ans = run_match(store, req, cache=cache)
        times.append((time.perf_counter() - t) * 1000)
        candidates += sum(len(r["candidates"]) for r in ans["roles"])
        ruptures += len(ans["ruptures"])
    wall = time.perf_counter() - start
    del first
    return {
        "backend": store.backend,
        "graph": getattr(store, "graph_name", None),
        "matches": n,
        "communes": len(communes),
        "stages": len(stages),
        "first_match_ms": round(cold_ms, 2),
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "p99_ms": round(percentile(times, 99), 2),
        "max_ms": round(max(times), 2),
        "mean_ms": round(statistics.fmean(times), 2),
        "matches_per_s": round(n / wall, 1),
        "candidates_per_match": round(candidates / n, 1),
        "ruptures_per_match": round(ruptures / n, 2),
        "target_p95_ms": 50,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.match", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="folder of the embedded store [env MAILLAGE_DATA_DIR]")
    parser.add_argument("--graph", default=None, help="graph name [default: maillage, or bench_demo with --load-demo]")
    parser.add_argument("--load-demo", action="store_true", help="load the demo territory into the graph first")
    parser.add_argument("--n", type=int, default=500, help="matches to time (default 500)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed matches first (default 20)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.n < 1 or args.warmup < 0:
        parser.error("--n must be at least 1 and --warmup at least 0")

    from graph.store import StoreConfig, open_store

    config = StoreConfig.from_env()
    if args.data_dir:
        config.data_dir = args.data_dir
    config.graph = args.graph or ("bench_demo" if args.load_demo else config.graph)
    store = open_store(config)
    try:
        load_s = None
        if args.load_demo:
            from loaders.territory import demo_territory_path, load_territory, read_territory_file

            t = time.perf_counter()
            load_territory(read_territory_file(demo_territory_path()), store)
            load_s = round(time.perf_counter() - t, 2)
        try:
            figures = run(store, n=args.n, seed=args.seed, warmup=args.warmup)
        except SystemExit as err:
            print(err, file=sys.stderr)
            return 2
        if load_s is not None:
            figures["demo_load_s"] = load_s
    finally:
        store.close()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        width = max(len(k) for k in figures)
        for key, value in figures.items():
            print(f"{key.ljust(width)}  {value}")
        verdict = "OK" if figures["p95_ms"] < figures["target_p95_ms"] else "ABOVE TARGET"
        print(f"{'p95 vs target'.ljust(width)}  {figures['p95_ms']} ms < 50 ms: {verdict}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
