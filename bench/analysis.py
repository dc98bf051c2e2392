"""Benchmark of the network analyses: projection from the store, isolation, points of failure, silos, coverage.

Usage::

    python -m bench.analysis --load-demo              # the demo territory, loaded into the graph 'bench_demo'
    python -m bench.analysis --graph maillage         # any loaded graph of the configured store
    python -m bench.analysis --synthetic 700000       # a national-size collaboration graph built in memory
    python -m bench.analysis --load-demo --synthetic 700000 --json

On a store it prints the time of each step: the projection (``store_to_networkx``:
the queries, the big ones page by page, and the NetworkX build), the isolated actors and actors
outside the main component (and the same lists read straight from the store into
a union-find, ``graph.analysis.links``: ``links_isolation_s``, with
``links_same_answers``), the whole graph's articulation points and bridges,
silos (Louvain), and per pathway the coverage matrix, the points-of-failure
report and the engagement targets, plus one what-if (these four on the
territory's communes, or on a CPTS-sized zone when the graph has no territory:
the 35 communes nearest to the 100th most populated one), in wall-clock seconds; the isolation step also gives its CPU
seconds, which other processes do not inflate. ``--synthetic N`` times the pure analyses on a graph
of N professionals and N/7 structures with the shape of the national files (one
professional in three at a FINESS site, small group cabinets, a few
partnerships): the target is to flag isolated actors on the national graph in
under 10 s. Figures, not tests. Exit codes: 0 done, 2 nothing
to measure (empty graph) or bad arguments.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable

import networkx as nx

from graph.analysis.communities import silos
from graph.analysis.coverage import CoverageIndex, coverage_matrix
from graph.analysis.engagement import engagement_targets
from graph.analysis.isolation import isolated_actors, network_summary, outside_main_component
from graph.analysis.links import links_from_store
from graph.analysis.projection import build_network, collaboration_graph, store_to_networkx
from graph.analysis.spof import pathway_spof
from graph.analysis.whatif import remove_actor

__all__ = ["timed", "bench_store", "synthetic_graph", "bench_synthetic", "main"]

TARGET_ISOLATION_S = 10.0


def timed(figures: dict[str, Any], name: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn``, store its wall-clock duration in seconds under ``name``, return its result."""
    t = time.perf_counter()
    out = fn()
    figures[name] = round(time.perf_counter() - t, 3)
    print(f"[bench.analysis] {name} {figures[name]}", file=sys.stderr, flush=True)  # progress of long runs
    return out


def cpts_like_zone(G: nx.Graph, size: int = 35, rank: int = 100) -> list[str]:
    """A CPTS-sized zone for a graph without territory: the ``size`` communes nearest to the ``rank``-th
    most populated commune (a mid-size town and its neighbours, as CA Douaisis Agglo)."""
    from loaders.communes import haversine_km

    communes = G.graph.get("communes") or {}
    placed = [c for c, d in communes.items() if d.get("lat") is not None and d.get("lon") is not None]
    if not placed:
        return sorted(communes)[:size]
    by_pop = sorted(placed, key=lambda c: -(communes[c].get("population") or 0))
    centre = communes[by_pop[min(rank, len(by_pop)) - 1]]
    return sorted(placed, key=lambda c: haversine_km(centre["lat"], centre["lon"], communes[c]["lat"],
                                                     communes[c]["lon"]))[:size]


def bench_store(store: Any, louvain: bool = True) -> dict[str, Any]:
    """Time the projection and every analysis on a store's graph."""
    f: dict[str, Any] = {"backend": store.backend, "graph": getattr(store, "graph_name", None)}
    G = timed(f, "projection_s", lambda: store_to_networkx(store))
    if G.number_of_nodes() == 0:
        raise SystemExit("bench.analysis: the graph has no actor: load a territory first (--load-demo)")
    f.update(actors=G.number_of_nodes(), links=collaboration_graph(G).number_of_edges(),
             multigraph_edges=G.number_of_edges(), pathways=len(G.graph["pathways"]))
    within = G.graph.get("territory_communes") or None
    zone = within or cpts_like_zone(G)
    f["territory_communes"] = len(within or ())
    f["zone_communes"] = len(zone)
    cpu = time.process_time()
    isolated = timed(f, "isolated_s", lambda: isolated_actors(G, within=within))
    outside = timed(f, "outside_main_s", lambda: outside_main_component(G, within=within))
    f["isolated"] = timed(f, "summary_s", lambda: network_summary(G, within=within))["isolated"]
    f["isolation_cpu_s"] = round(time.process_time() - cpu, 3)
    # the same lists without NetworkX: read from the store into a union-find (graph.analysis.links)
    t, cpu = time.perf_counter(), time.process_time()
    links = links_from_store(store)
    same = links.isolated(within=within) == isolated and links.outside_main(within=within) == outside
    f["links_isolation_s"] = round(time.perf_counter() - t, 3)
    f["links_isolation_cpu_s"] = round(time.process_time() - cpu, 3)
    f["links_same_answers"] = same
    del links
    H = collaboration_graph(G)
    timed(f, "articulation_points_s", lambda: list(nx.articulation_points(H)))
    timed(f, "bridges_s", lambda: list(nx.bridges(H)))
    if louvain:
        f["silos"] = len(timed(f, "silos_s", lambda: silos(G, within=zone)))
    t = time.perf_counter()
    context = timed(f, "coverage_index_s", lambda: CoverageIndex(G))
    for pw in sorted(G.graph["pathways"]):
        cells = timed(f, f"coverage_{pw}_s", lambda: coverage_matrix(G, pw, communes=zone, context=context))
        timed(f, f"spof_{pw}_s", lambda: pathway_spof(G, pw, cells=cells))
        timed(f, f"engagement_{pw}_s", lambda: engagement_targets(G, pathways=[pw], communes=zone, cells=cells))
    f["all_pathways_s"] = round(time.perf_counter() - t, 3)
    hub = max(H.nodes, key=H.degree)
    timed(f, "whatif_hub_s", lambda: remove_actor(G, hub, communes=zone))
    return f


def synthetic_graph(professionals: int, seed: int = 2026) -> nx.MultiGraph:
    """A collaboration graph with the national files' shape (no pathway data: the pure network analyses)."""
    rng = random.Random(seed)
    structures = max(1, professionals // 7)
    rows: dict[str, list[dict[str, Any]]] = {
        "professionals": [{"id": f"8{i:011d}", "last_name": f"P{i}", "profession_code": rng.choice(
            ["10", "10", "60", "60", "60", "70", "21", "40", "50", "91"])} for i in range(professionals)],
        "structures": [{"id": f"{59 + i % 40:02d}{i:07d}", "name": f"S{i}", "category_code": rng.choice(
            ["620", "620", "603", "124", "355", "500", "460", "611"]), "commune": None} for i in range(structures)],
        "activities": [],
        "parties": [],
    }
    # a heavy tail of big sites (hospitals) and many small ones
    weights = [1.0 / (1 + i) ** 0.8 for i in range(structures)]
    finess_sites = rng.choices(range(structures), weights=weights, k=professionals // 3)
    for i, s in zip(range(professionals // 3), finess_sites):
        sid = rows["structures"][s]["id"]
        rows["activities"].append({"professional": f"8{i:011d}", "structure": sid, "finess": sid})
    i = professionals // 3
    cabinet = 0
    while i < professionals:  # the rest: group cabinets of 1 to 6
        size = rng.choice([1, 1, 1, 2, 2, 3, 4, 6])
        for j in range(i, min(i + size, professionals)):
            rows["activities"].append({"professional": f"8{j:011d}", "ref": f"cab{cabinet}"})
        i += size
        cabinet += 1
    for k in range(professionals // 40):  # a few partnerships
        a, b = rng.randrange(professionals), rng.randrange(professionals)
        for p in (a, b):
            rows["parties"].append({"partnership": f"pt{k}", "kind": "informel", "label": "Professional",
                                    "actor": f"8{p:011d}"})
    return build_network(rows)


def bench_synthetic(professionals: int, seed: int = 2026, louvain: bool = False) -> dict[str, Any]:
    """Time the pure analyses on a national-size synthetic graph."""
    f: dict[str, Any] = {"synthetic_professionals": professionals}
    G = timed(f, "build_s", lambda: synthetic_graph(professionals, seed))
    f.update(actors=G.number_of_nodes(), multigraph_edges=G.number_of_edges())
    t, cpu = time.perf_counter(), time.process_time()
    iso = isolated_actors(G)
    outside = outside_main_component(G)
    f["isolation_s"] = round(time.perf_counter() - t, 3)
    f["isolation_cpu_s"] = round(time.process_time() - cpu, 3)  # apart from other processes' load
    f.update(isolated=len(iso), outside_main=len(outside))
    H = timed(f, "collapse_s", lambda: collaboration_graph(G))
    f["links"] = H.number_of_edges()
    timed(f, "articulation_points_s", lambda: list(nx.articulation_points(H)))
    timed(f, "bridges_s", lambda: list(nx.bridges(H)))
    if louvain:
        f["silos"] = len(timed(f, "silos_s", lambda: silos(G)))
    f["target_isolation_s"] = TARGET_ISOLATION_S
    return f


def _print(figures: dict[str, Any]) -> None:
    """Print figures as aligned lines."""
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key.ljust(width)}  {value}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="folder of the embedded store [env MAILLAGE_DATA_DIR]")
    parser.add_argument("--graph", default=None, help="graph name [default: maillage, or bench_demo with --load-demo]")
    parser.add_argument("--load-demo", action="store_true", help="load the demo territory into the graph first")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N",
                        help="also time the analyses on an in-memory graph of N professionals")
    parser.add_argument("--no-store", action="store_true", help="skip the store (with --synthetic)")
    parser.add_argument("--no-louvain", action="store_true", help="skip the silos (Louvain) on the store's graph")
    parser.add_argument("--louvain-synthetic", action="store_true", help="time Louvain on the synthetic graph too")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.synthetic < 0:
        parser.error("--synthetic must be a number of professionals (0 to skip)")
    if args.no_store and not args.synthetic:
        parser.error("--no-store needs --synthetic N")
    out: dict[str, Any] = {}
    if not args.no_store:
        from graph.exceptions import GraphError
        from graph.store import StoreConfig, open_store

        config = StoreConfig.from_env()
        if args.data_dir:
            config.data_dir = args.data_dir
        config.graph = args.graph or ("bench_demo" if args.load_demo else config.graph)
        try:
            store = open_store(config)
        except GraphError as err:
            print(f"bench.analysis: {err}", file=sys.stderr)
            return 2
        try:
            if args.load_demo:
                from loaders.territory import demo_territory_path, load_territory, read_territory_file

                t = time.perf_counter()
                load_territory(read_territory_file(demo_territory_path()), store)
                out["demo_load_s"] = round(time.perf_counter() - t, 2)
            try:
                out.update(bench_store(store, louvain=not args.no_louvain))
            except SystemExit as err:
                print(err, file=sys.stderr)
                return 2
        finally:
            store.close()
    if args.synthetic:
        out["synthetic"] = bench_synthetic(args.synthetic, args.seed, louvain=args.louvain_synthetic)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    synthetic = out.pop("synthetic", None)
    if out:
        _print(out)
    if synthetic:
        print()
        _print(synthetic)
        verdict = "OK" if synthetic["isolation_s"] < TARGET_ISOLATION_S else "ABOVE TARGET"
        print(f"isolation vs target  {synthetic['isolation_s']} s < {TARGET_ISOLATION_S:g} s: {verdict}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
