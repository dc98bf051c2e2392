"""The coverage matrix pathway × stage × commune, on the hand-built territory."""
from __future__ import annotations

from datetime import date

import pytest

from graph.analysis.coverage import actors_serving, coverage_matrix, fits_role, stage_status
from graph.exceptions import NodeNotFound
from graph.model import RoleRequirement
from test_analysis_projection import (CAMBRAI, CARDIO, DECHY, DOUAI, GP1, GP2, MASNY, NURSE1, NURSE2, NURSE3,
                                      PHARMACIST, PHARMACY, SIN, territory_records)
from test_analysis_projection import G, territory_store  # noqa: F401 (fixtures)


def test_matrix_cells_of_the_nurse_role(G):
    cells = [c for c in coverage_matrix(G, "ic") if c.role == "ic.suivi.infirmier"]
    assert [(c.commune, c.available, c.engaged) for c in cells] == [
        (CAMBRAI, (), ()),
        (DECHY, (NURSE1, NURSE2, NURSE3), (NURSE1, NURSE2)),  # Douai 3.54 km, Sin 1.74 km, Dechy 0 km
        (DOUAI, (NURSE1, NURSE2, NURSE3), (NURSE1, NURSE2)),
        (MASNY, (NURSE3,), ()),  # Dechy 4.72 km; Sin-le-Noble 5.76 km and Douai 7.67 km are too far
        (SIN, (NURSE1, NURSE2, NURSE3), (NURSE1, NURSE2)),
    ]


def test_matrix_shape_and_order(G):
    cells = coverage_matrix(G, "ic")
    assert len(cells) == 4 * 5  # four roles, five communes
    assert [c.stage for c in cells[::5]] == ["ic.depistage", "ic.diagnostic", "ic.suivi", "ic.suivi"]


def test_pharmacy_or_pharmacist(G):
    cells = coverage_matrix(G, "ic", stages=["ic.suivi"], communes=[DOUAI, MASNY])
    pharma = [(c.commune, c.available, c.optional) for c in cells if c.role == "ic.suivi.pharmacien"]
    assert pharma == [(DOUAI, (PHARMACY, PHARMACIST), True), (MASNY, (), True)]


def test_stage_status(G):
    status = stage_status(coverage_matrix(G, "ic"))
    assert status[("ic.diagnostic", CAMBRAI)] == 1  # the single cardiologist, 25 km away
    assert status[("ic.depistage", CAMBRAI)] == 0
    assert status[("ic.suivi", MASNY)] == 1 and status[("ic.suivi", DOUAI)] == 3
    engaged = stage_status(coverage_matrix(G, "ic"), basis="engaged")
    assert engaged[("ic.suivi", MASNY)] == 0 and engaged[("ic.depistage", DOUAI)] == 2


def test_actors_serving_gives_the_reason(G):
    role = G.graph["stages"]["ic.depistage"]["roles"][0]
    assert actors_serving(G, role, MASNY) == {
        GP1: {"reason": "practice", "km": 7.67, "via": DOUAI},
        GP2: {"reason": "practice", "km": 5.76, "via": SIN},
    }
    assert actors_serving(G, role, MASNY, exclude=[GP1]) == {GP2: {"reason": "practice", "km": 5.76, "via": SIN}}


def test_actors_serving_takes_a_model_role_record(G):
    role = RoleRequirement(id="x", stage="ic.diagnostic", key="c", label="Cardiologue", professions=["10"],
                           specialties=["SM04"], radius_km=20)
    assert list(actors_serving(G, role, MASNY)) == [CARDIO]
    assert actors_serving(G, role, CAMBRAI) == {}  # 25 km


def test_declared_intervention_zone_serves(G):
    G.nodes[NURSE3]["intervenes"] = [CAMBRAI]
    role = G.graph["stages"]["ic.suivi"]["roles"][0]
    assert actors_serving(G, role, CAMBRAI) == {NURSE3: {"reason": "intervention", "km": None, "via": CAMBRAI}}


@pytest.mark.parametrize("attrs, role, expected", [
    ({"kind": "Professional", "profession_code": "10", "specialty_code": None}, {"professions": ["10"],
                                                                               "specialties": ["SM54"]}, False),
    ({"kind": "Professional", "profession_code": "60"}, {"professions": ["60"]}, True),
    ({"kind": "Professional", "profession_code": "60"}, {"categories": ["620"]}, False),
    ({"kind": "Structure", "category_code": "620"}, {"professions": ["21"]}, False),
    ({"kind": "CPTS", "category_code": "604"}, {"categories": ["604"]}, True),
    ({"kind": "Professional", "profession_code": "60"}, {}, False),
])
def test_fits_role(attrs, role, expected):
    assert fits_role(attrs, role) is expected


def test_unknown_stage_or_pathway(G):
    with pytest.raises(NodeNotFound, match="unknown stage 'ic.nope'"):
        coverage_matrix(G, "ic", stages=["ic.nope"])
    with pytest.raises(NodeNotFound, match="unknown pathway 'bpco'"):
        coverage_matrix(G, "bpco")


def test_default_radius_is_the_matching_engines():
    matching = pytest.importorskip("graph.matching")
    from graph.analysis.coverage import DEFAULT_RADIUS_KM, STALE_DAYS

    assert DEFAULT_RADIUS_KM == matching.DEFAULT_RADIUS_KM and STALE_DAYS == matching.DEFAULT_STALE_DAYS


@pytest.fixture
def flagged_store(store):
    """The hand-built territory where GP 2 takes no new patients at dépistage and nurse 1's data are stale."""
    from test_analysis_projection import write

    records = territory_records()
    for r in records:
        if getattr(r, "id", None) == f"p:{GP2}:ic.depistage":
            r.accepting_new_patients = False
        if getattr(r, "id", None) == f"m:{NURSE1}":
            r.last_verified = "2024-01-15"
    write(store, records)
    return store


def test_actors_set_aside_as_the_matching_engine_does(flagged_store):
    from graph.analysis.projection import store_to_networkx

    G = store_to_networkx(flagged_store)
    today = date(2026, 6, 1)
    cells = {(c.stage, c.commune, c.role): c for c in coverage_matrix(G, "ic", today=today)}
    gp = cells[("ic.depistage", DOUAI, "ic.depistage.medecin_traitant")]
    assert (gp.available, gp.set_aside) == ((GP1,), (GP2,))
    nurse = cells[("ic.suivi", DOUAI, "ic.suivi.infirmier")]
    assert (nurse.available, nurse.engaged, nurse.set_aside) == ((NURSE2, NURSE3), (NURSE2,), (NURSE1,))
    # the same data verified recently enough: nurse 1 is back
    fresh = coverage_matrix(G, "ic", stages=["ic.suivi"], communes=[DOUAI], today=date(2024, 6, 1))
    assert fresh[0].available == (NURSE1, NURSE2, NURSE3)


@pytest.mark.parametrize("stage", ["depistage", "diagnostic", "suivi"])
def test_available_actors_are_the_matching_engines_candidates(flagged_store, stage):
    matching = pytest.importorskip("graph.matching")
    from graph.analysis.projection import store_to_networkx

    G = store_to_networkx(flagged_store)
    today = date(2026, 6, 1)
    for cell in coverage_matrix(G, "ic", stages=[f"ic.{stage}"], today=today):
        answer = matching.match(flagged_store, "ic", stage, cell.commune, limit=200, today=today, cache={})
        role = next(r for r in answer["roles"] if cell.role.endswith("." + r["key"]))
        assert tuple(sorted(a["id"] for a in role["candidates"])) == cell.available, (cell.commune, cell.role)
