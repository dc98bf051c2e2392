"""Isolated actors and actors outside the main component, on the hand-built territory."""
from __future__ import annotations

import networkx as nx
import pytest

from graph.analysis.isolation import (isolated_actors, isolation_summary, main_component, network_summary,
                                      outside_main_component)
from test_analysis_projection import (CARDIO, DECHY, DOUAI, GP1, GP2, MSP_A, MSP_B, NURSE1, NURSE2, NURSE3,
                                      PHARMACIST, PHARMACY, SIN)
from test_analysis_projection import G, territory_store  # noqa: F401 (fixtures)


def test_the_isolated_nurse(G):
    assert isolated_actors(G) == [NURSE3]


def test_main_component_and_the_group_outside(G):
    assert main_component(G) == {GP1, GP2, NURSE1, NURSE2, CARDIO, MSP_A, MSP_B}
    assert outside_main_component(G) == [{"actor": PHARMACY, "component": 1, "size": 2},
                                         {"actor": PHARMACIST, "component": 1, "size": 2}]


def test_within_filters_the_lists_not_the_links(G):
    assert isolated_actors(G, within=[DOUAI]) == []
    assert isolated_actors(G, within=[DECHY]) == [NURSE3]
    assert [r["actor"] for r in outside_main_component(G, within=[DECHY])] == []


def test_summary_by_profession(G):
    rows = isolation_summary(G, "profession")
    assert all(r.pop("key") == r["group"] for r in rows)
    assert rows == [
        {"group": "Infirmier", "actors": 3, "isolated": 1, "outside_main": 0},
        {"group": "Pharmacie d'Officine", "actors": 1, "isolated": 0, "outside_main": 1},
        {"group": "Pharmacien", "actors": 1, "isolated": 0, "outside_main": 1},
        {"group": "Médecin", "actors": 3, "isolated": 0, "outside_main": 0},
        {"group": "Maison de santé", "actors": 2, "isolated": 0, "outside_main": 0},
    ]


def test_summary_by_commune(G):
    assert isolation_summary(G, "commune") == [
        {"group": "Dechy", "key": DECHY, "actors": 1, "isolated": 1, "outside_main": 0},
        {"group": "Douai", "key": DOUAI, "actors": 6, "isolated": 0, "outside_main": 2},
        {"group": "Sin-le-Noble", "key": SIN, "actors": 3, "isolated": 0, "outside_main": 0},
    ]


def test_summary_rejects_an_unknown_grouping(G):
    with pytest.raises(ValueError, match="'specialty'"):
        isolation_summary(G, "specialty")


def test_network_summary(G):
    assert network_summary(G) == {"actors": 10, "links": 9, "isolated": 1, "outside_main": 2,
                                  "main_component": 7, "components": 2}


def test_a_graph_with_no_links():
    G = nx.MultiGraph()
    G.add_nodes_from(["a", "b"])
    assert isolated_actors(G) == ["a", "b"]
    assert main_component(G) == set() and outside_main_component(G) == []


def test_directed_graphs_are_refused():
    with pytest.raises(nx.NetworkXNotImplemented):
        isolated_actors(nx.DiGraph([("a", "b")]))
