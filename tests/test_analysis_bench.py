"""The analysis benchmark runs (its figures are printed, never asserted: speed is not a test)."""
from __future__ import annotations

import json

from bench.analysis import main, synthetic_graph
from graph.analysis.isolation import isolated_actors


def test_synthetic_graph_shape():
    G = synthetic_graph(700, seed=1)
    assert 700 < G.number_of_nodes() <= 800 and G.number_of_edges() > 0  # the structures that host someone
    assert {d["kind"] for _n, d in G.nodes(data=True)} == {"Professional", "Structure"}
    assert isolated_actors(G)  # solo cabinets without partner


def test_bench_on_a_store_and_a_synthetic_graph(store, capsys):
    from test_analysis_projection import territory_records, write

    from bench.analysis import bench_store

    write(store, territory_records())
    figures = bench_store(store)
    assert figures["actors"] == 10 and figures["isolated"] == 1 and "coverage_ic_s" in figures
    assert main(["--no-store", "--synthetic", "300", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["synthetic"]["synthetic_professionals"] == 300 and "isolation_cpu_s" in out["synthetic"]


def test_bench_bad_arguments(capsys):
    import pytest

    with pytest.raises(SystemExit) as err:
        main(["--no-store"])
    assert err.value.code == 2 and "--no-store needs --synthetic N" in capsys.readouterr().err
