"""Single points of failure of a pathway, on the hand-built territory."""
from __future__ import annotations

import pytest

from graph.analysis.spof import handoff_report, pathway_actors, pathway_spof
from graph.exceptions import NodeNotFound
from test_analysis_projection import (CAMBRAI, CARDIO, DECHY, DOUAI, GP1, GP2, MASNY, MSP_A, MSP_B, NURSE1, NURSE2,
                                      NURSE3, SIN)
from test_analysis_projection import G, territory_store  # noqa: F401 (fixtures)

ALL = sorted([DOUAI, SIN, DECHY, MASNY, CAMBRAI])


def test_pathway_actors(G):
    assert pathway_actors(G, "ic") == sorted([GP1, GP2, NURSE1, NURSE2, CARDIO, MSP_A, MSP_B])


def test_the_bridge_between_two_msps_and_the_articulation_points(G):
    report = pathway_spof(G, "ic")
    assert report["actors"] == 7 and report["links"] == 8
    assert report["bridges"] == [
        {"u": MSP_A, "v": MSP_B, "kinds": ["partnership"], "cut_off": 3},
        {"u": GP1, "v": CARDIO, "kinds": ["handoff", "partnership"], "cut_off": 1},
    ]
    assert report["articulation_points"] == [
        {"actor": MSP_A, "cut_off": 3},
        {"actor": MSP_B, "cut_off": 2},
        {"actor": GP1, "cut_off": 1},
    ]


def test_the_single_cardiologist(G):
    report = pathway_spof(G, "ic")
    assert report["single_actor"] == [
        {"stage": "ic.diagnostic", "role": "ic.diagnostic.cardiologue", "role_label": "Cardiologue",
         "optional": False, "actor": CARDIO, "communes": ALL},
        {"stage": "ic.suivi", "role": "ic.suivi.infirmier", "role_label": "Infirmier libéral",
         "optional": False, "actor": NURSE3, "communes": [MASNY]},
    ]
    assert report["ruptures"] == [
        {"stage": "ic.depistage", "role": "ic.depistage.medecin_traitant", "role_label": "Médecin généraliste",
         "optional": False, "communes": [CAMBRAI]},
        {"stage": "ic.suivi", "role": "ic.suivi.infirmier", "role_label": "Infirmier libéral",
         "optional": False, "communes": [CAMBRAI]},
    ]


def test_engaged_basis_counts_only_participants(G):
    report = pathway_spof(G, "ic", basis="engaged")
    assert [(r["stage"], r["communes"]) for r in report["ruptures"]] == [
        ("ic.depistage", [CAMBRAI]), ("ic.suivi", sorted([MASNY, CAMBRAI]))]


def test_handoffs(G):
    assert handoff_report(G, "ic") == [
        {"from_stage": "ic.depistage", "to_stage": "ic.diagnostic", "from_actors": 2, "to_actors": 1,
         "shared": [], "links": [[GP1, CARDIO]], "status": "fragile"},
        {"from_stage": "ic.diagnostic", "to_stage": "ic.suivi", "from_actors": 1, "to_actors": 2,
         "shared": [], "links": [], "status": "rupture"},
    ]


def test_unknown_pathway(G):
    with pytest.raises(NodeNotFound, match=r"unknown pathway 'xx' \(known: ic\)"):
        pathway_spof(G, "xx")
