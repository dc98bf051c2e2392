"""What-if: remove an actor; the answer must match a recomputation on the graph without it."""
from __future__ import annotations

import pytest

from graph.analysis.coverage import coverage_matrix
from graph.analysis.isolation import isolated_actors, main_component
from graph.analysis.whatif import remove_actor
from graph.exceptions import NodeNotFound
from test_analysis_projection import (CAMBRAI, CARDIO, DECHY, DOUAI, GP1, GP2, MASNY, MSP_A, MSP_B, NURSE1, NURSE2,
                                      NURSE3, PHARMACIST, PHARMACY, SIN)
from test_analysis_projection import G, territory_store  # noqa: F401 (fixtures)

ALL = sorted([DOUAI, SIN, DECHY, MASNY, CAMBRAI])


def recompute(G, actor):
    """What breaks, recomputed from scratch on a copy of the graph without the actor."""
    H = G.copy()
    H.remove_node(actor)
    before = {(c.stage, c.commune, c.role): c for c in coverage_matrix(G, "ic")}
    after = {(c.stage, c.commune, c.role): c for c in coverage_matrix(H, "ic")}
    lost = sorted(k for k in before if before[k].available and not after[k].available)
    single = sorted(k for k in before if len(before[k].available) >= 2 and len(after[k].available) == 1)
    iso = sorted(set(isolated_actors(H)) - set(isolated_actors(G)))
    main_g = main_component(G)
    cut = sorted(main_g - {actor} - main_component(H)) if actor in main_g else []
    return lost, single, iso, cut


@pytest.mark.parametrize("actor", [CARDIO, MSP_A, MSP_B, GP1, GP2, NURSE1, NURSE2, NURSE3, PHARMACY, PHARMACIST])
def test_whatif_matches_a_recomputation(G, actor):
    r = remove_actor(G, actor)
    lost, single, iso, cut = recompute(G, actor)
    assert sorted((x["stage"], x["commune"], x["role"]) for x in r["lost"]) == lost
    assert sorted((x["stage"], x["commune"], x["role"]) for x in r["now_single"]) == single
    assert r["newly_isolated"] == iso
    assert r["cut_off"] == cut


def test_the_cardiologist_retires(G):
    r = remove_actor(G, CARDIO)
    assert r["stages_lost"] == {"ic.diagnostic": ALL}
    assert len(r["lost_engaged"]) == 5
    assert r["newly_isolated"] == [] and r["cut_off"] == []
    assert r["handoffs_broken"] == [{"pathway": "ic", "from_stage": "ic.depistage", "to_stage": "ic.diagnostic",
                                     "status": "empty"}]


def test_msp_a_closes(G):
    r = remove_actor(G, MSP_A)
    assert r["lost"] == [] and r["stages_lost"] == {}
    assert r["cut_off"] == sorted([GP1, NURSE1, CARDIO])  # MSP B's side stays the main part (tie: smallest id)
    assert r["pathway_cut_off"] == {"ic": sorted([GP1, NURSE1, CARDIO])}


def test_pathway_cut_off_matches_the_articulation_points(G):
    from graph.analysis.spof import pathway_spof

    for a in pathway_spof(G, "ic")["articulation_points"]:
        assert len(remove_actor(G, a["actor"])["pathway_cut_off"]["ic"]) == a["cut_off"]


def test_the_isolated_nurse_leaves(G):
    r = remove_actor(G, NURSE3)
    assert r["stages_lost"] == {"ic.suivi": [MASNY]}
    assert r["lost_engaged"] == [] and r["cut_off"] == []


def test_a_gp_leaves(G):
    r = remove_actor(G, GP2)
    assert [(x["commune"], x["remaining"]) for x in r["now_single"]] == [(DECHY, GP1), (DOUAI, GP1), (MASNY, GP1),
                                                                         (SIN, GP1)]
    assert r["newly_isolated"] == [] and r["cut_off"] == []  # nurse 2 still hangs on MSP B


def test_unknown_actor(G):
    with pytest.raises(NodeNotFound, match="no actor has id '123'"):
        remove_actor(G, "123")
