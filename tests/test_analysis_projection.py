"""The collaboration graph projected from a real FalkorDB store, on a hand-built territory.

The territory (:func:`territory_records`) is small enough to know every answer:

- five communes with their real INSEE points: Douai, Sin-le-Noble, Dechy, Masny, Cambrai;
- pathway ``ic`` with three stages: dépistage (GP, 10 km), diagnostic (cardiologist,
  30 km), suivi (nurse, 5 km; pharmacy/pharmacist optional, 5 km);
- MSP A in Douai (GP 1, nurse 1) and MSP B in Sin-le-Noble (GP 2, nurse 2), joined
  by one convention: the bridge between two MSPs;
- one cardiologist in Douai, linked to GP 1 by an informal staff: the single
  cardiologist of the diagnostic stage;
- one nurse in Dechy with no link at all, not a member: the isolated nurse (and the
  only nurse within 5 km of Masny);
- a pharmacist working at a pharmacy in Douai: a group of two outside the main component;
- a social centre (FINESS 220) in Douai: not an actor of care, not in the graph.
"""
from __future__ import annotations

import pytest

from graph.analysis.projection import build_network, collaboration_graph, fetch_rows, store_to_networkx
from graph.model import (Activity, Commune, Membership, Participation, Partnership, Pathway, Professional,
                         RoleRequirement, Stage, Structure, Territory)
from test_queries import write_records

DOUAI, SIN, DECHY, MASNY, CAMBRAI = "59178", "59569", "59170", "59390", "59122"
GP1, GP2, NURSE1, NURSE2 = "810000000001", "810000000002", "810000000011", "810000000012"
CARDIO, NURSE3, PHARMACIST = "810000000003", "810000000013", "810000000021"
MSP_A, MSP_B, PHARMACY, SOCIAL = "590000001", "590000002", "590000003", "590000004"
TERRITORY = "cpts-test"


def territory_records() -> list:
    """The hand-built territory described in the module docstring."""
    communes = [
        Commune(id=DOUAI, name="Douai", department="59", population=39648, lat=50.37853, lon=3.10037),
        Commune(id=SIN, name="Sin-le-Noble", department="59", population=15603, lat=50.36723, lon=3.12129),
        Commune(id=DECHY, name="Dechy", department="59", population=5351, lat=50.35233, lon=3.12876),
        Commune(id=MASNY, name="Masny", department="59", population=4056, lat=50.34406, lon=3.19398),
        Commune(id=CAMBRAI, name="Cambrai", department="59", population=31425, lat=50.17217, lon=3.24131),
    ]
    structures = [
        Structure(id=MSP_A, name="MSP A", category_code="603", category_label="Maison de santé", commune=DOUAI,
                  lat=50.379, lon=3.101),
        Structure(id=MSP_B, name="MSP B", category_code="603", category_label="Maison de santé", commune=SIN,
                  lat=50.367, lon=3.121),
        Structure(id=PHARMACY, name="Pharmacie du Beffroi", category_code="620",
                  category_label="Pharmacie d'Officine", commune=DOUAI),
        Structure(id=SOCIAL, name="Centre social", category_code="220", category_label="Centre Social",
                  commune=DOUAI),
    ]

    def pro(ident, last, profession, specialty=None):
        return Professional(id=ident, id_type="RPPS", identifier=ident[1:], last_name=last, first_name="Test",
                            profession_code=profession, specialty_code=specialty,
                            profession_label={"10": "Médecin", "60": "Infirmier", "21": "Pharmacien"}[profession],
                            specialty_label={"SM54": "Médecine générale", "SM04": "Cardiologie"}.get(specialty))

    pros = [pro(GP1, "Generaliste-Un", "10", "SM54"), pro(GP2, "Generaliste-Deux", "10", "SM54"),
            pro(NURSE1, "Infirmier-Un", "60"), pro(NURSE2, "Infirmier-Deux", "60"),
            pro(CARDIO, "Cardiologue", "10", "SM04"), pro(NURSE3, "Infirmier-Isole", "60"),
            pro(PHARMACIST, "Pharmacien", "21")]
    activities = [
        Activity(id="a:gp1", professional=GP1, mode_code="L", structure=MSP_A, commune=DOUAI),
        Activity(id="a:nurse1", professional=NURSE1, mode_code="L", structure=MSP_A, commune=DOUAI),
        Activity(id="a:gp2", professional=GP2, mode_code="L", structure=MSP_B, commune=SIN),
        Activity(id="a:nurse2", professional=NURSE2, mode_code="L", structure=MSP_B, commune=SIN),
        Activity(id="a:cardio", professional=CARDIO, mode_code="L", structure_ref="cab-cardio", commune=DOUAI),
        Activity(id="a:nurse3", professional=NURSE3, mode_code="L", structure_ref="cab-nurse3", commune=DECHY),
        Activity(id="a:ph", professional=PHARMACIST, mode_code="L", structure=PHARMACY, commune=DOUAI),
    ]
    pathway = [
        Pathway(id="ic", name="Insuffisance cardiaque"),
        Stage(id="ic.depistage", pathway="ic", key="depistage", order=1, name="Dépistage précoce",
              next_stage="ic.diagnostic"),
        Stage(id="ic.diagnostic", pathway="ic", key="diagnostic", order=2, name="Confirmation du diagnostic",
              next_stage="ic.suivi"),
        Stage(id="ic.suivi", pathway="ic", key="suivi", order=3, name="Suivi au long cours"),
        RoleRequirement(id="ic.depistage.medecin_traitant", stage="ic.depistage", key="medecin_traitant",
                        label="Médecin généraliste", professions=["10"], specialties=["SM54"], radius_km=10),
        RoleRequirement(id="ic.diagnostic.cardiologue", stage="ic.diagnostic", key="cardiologue",
                        label="Cardiologue", professions=["10"], specialties=["SM04"], radius_km=30),
        RoleRequirement(id="ic.suivi.infirmier", stage="ic.suivi", key="infirmier", label="Infirmier libéral",
                        professions=["60"], radius_km=5, home_visit=True),
        RoleRequirement(id="ic.suivi.pharmacien", stage="ic.suivi", key="pharmacien", label="Pharmacien",
                        professions=["21"], categories=["620"], radius_km=5, optional=True),
    ]
    territory = [Territory(id=TERRITORY, name="CPTS de test", communes=[DOUAI, SIN, DECHY, MASNY, CAMBRAI])]
    members = [Membership(id=f"m:{a}", territory=TERRITORY, actor_label=label, actor=a)
               for label, a in [("Professional", GP1), ("Professional", GP2), ("Professional", NURSE1),
                                ("Professional", NURSE2), ("Professional", CARDIO), ("Structure", MSP_A),
                                ("Structure", MSP_B)]]
    participations = [Participation(id=f"p:{a}:{s}", actor_label="Professional", actor=a, stage=s)
                      for a, s in [(GP1, "ic.depistage"), (GP2, "ic.depistage"), (CARDIO, "ic.diagnostic"),
                                   (NURSE1, "ic.suivi"), (NURSE2, "ic.suivi")]]
    partnerships = [
        Partnership(id="CONV-MSP", name="Convention MSP A - MSP B", kind="convention",
                    parties=[("Structure", MSP_A), ("Structure", MSP_B)], pathways=["ic"], signed=True),
        Partnership(id="STAFF-IC", name="Staff IC", kind="informel",
                    parties=[("Professional", GP1), ("Professional", CARDIO)], pathways=["ic"]),
    ]
    return (communes + structures + pros + activities + pathway + territory + members + participations
            + partnerships)


def write(store, records) -> None:
    """Write records to a store with the project's writer."""
    w = write_records(store, records)
    # no nomenclature is loaded here: only the links to Concept nodes may stay unresolved
    assert all(e.dst_label == "Concept" for e in w.unresolved), w.unresolved_summary()


@pytest.fixture
def territory_store(store):
    """The hand-built territory in a fresh FalkorDB graph."""
    write(store, territory_records())
    return store


@pytest.fixture
def G(territory_store):
    """The projected collaboration graph of the hand-built territory."""
    return store_to_networkx(territory_store)


def test_actors_are_professionals_and_care_structures(G):
    assert sorted(G.nodes) == sorted([GP1, GP2, NURSE1, NURSE2, CARDIO, NURSE3, PHARMACIST, MSP_A, MSP_B,
                                      PHARMACY])
    assert SOCIAL not in G  # a social centre is not an actor of care
    assert G.nodes[GP1]["kind"] == "Professional" and G.nodes[MSP_A]["kind"] == "Structure"
    assert G.nodes[GP1]["label"] == "Test Generaliste-Un"
    assert G.nodes[GP1]["communes"] == [DOUAI]
    assert G.nodes[GP1]["member"] is True and G.nodes[NURSE3]["member"] is False
    assert G.nodes[GP1]["stages"] == ["ic.depistage"] and G.nodes[GP1]["pathways"] == ["ic"]
    assert G.nodes[MSP_A]["sector"] == "ville" and G.nodes[GP1]["sector"] == "ville"


def test_edges_by_kind(G):
    edges = sorted((u, v, d["kind"]) if u < v else (v, u, d["kind"]) for u, v, d in G.edges(data=True))
    assert edges == sorted([
        (MSP_A, GP1, "works_at"), (MSP_A, NURSE1, "works_at"), (GP1, NURSE1, "shared_site"),
        (MSP_B, GP2, "works_at"), (MSP_B, NURSE2, "works_at"), (GP2, NURSE2, "shared_site"),
        (PHARMACY, PHARMACIST, "works_at"),
        (MSP_A, MSP_B, "partnership"), (GP1, CARDIO, "partnership"),
        (GP1, CARDIO, "handoff"),  # dépistage -> diagnostic, carried by the staff
    ])
    data = G.get_edge_data(GP1, CARDIO)
    assert data["partnership:STAFF-IC"]["partnership_kind"] == "informel"
    assert data["handoff:ic.depistage>ic.diagnostic"]["pathway"] == "ic"


def test_context_in_graph_attributes(G):
    assert G.graph["pathways"]["ic"]["stages"] == ["ic.depistage", "ic.diagnostic", "ic.suivi"]
    roles = G.graph["stages"]["ic.suivi"]["roles"]
    assert [(r["key"], r["radius_km"], r["optional"]) for r in roles] == [("infirmier", 5, False),
                                                                        ("pharmacien", 5, True)]
    assert roles[1]["professions"] == ["21"] and roles[1]["categories"] == ["620"]
    assert G.graph["territory_communes"] == sorted([DOUAI, SIN, DECHY, MASNY, CAMBRAI])
    assert G.graph["communes"][MASNY]["population"] == 4056
    assert G.graph["partnerships"]["CONV-MSP"]["parties"] == [MSP_A, MSP_B]


def test_collapsed_graph_counts_parallel_links(G):
    H = collaboration_graph(G)
    assert H.number_of_edges() == 9
    assert H[GP1][CARDIO]["kinds"] == ["handoff", "partnership"] and H[GP1][CARDIO]["weight"] == 2


def test_empty_store_gives_empty_graph(store):
    G = store_to_networkx(store)
    assert G.number_of_nodes() == 0 and G.graph["pathways"] == {} and G.graph["territory_communes"] == []


def test_cpts_party_without_finess_is_a_node(store):
    records = territory_records() + [
        Partnership(id="CONV-HAD", name="Convention CPTS - MSP B", kind="convention",
                    parties=[("Territory", TERRITORY), ("Structure", MSP_B)])]
    write(store, records)
    G = store_to_networkx(store)
    assert G.nodes[TERRITORY]["kind"] == "CPTS"
    assert G.has_edge(TERRITORY, MSP_B)
    assert G.nodes[TERRITORY]["covers"] == sorted([DOUAI, SIN, DECHY, MASNY, CAMBRAI])


def test_large_sites_form_a_ring():
    rows = {"professionals": [{"id": f"p{i:02d}", "last_name": str(i)} for i in range(40)],
            "activities": [{"professional": f"p{i:02d}", "ref": "hopital"} for i in range(40)]}
    G = build_network(rows)
    assert G.number_of_edges() == 40 and all(d == 2 for _n, d in G.degree())
    small = build_network({"professionals": rows["professionals"][:4], "activities": rows["activities"][:4]})
    assert small.number_of_edges() == 6


def test_projection_queries_are_portable(territory_store):
    from graph.analysis.projection import PROJECTION_QUERIES

    for query in PROJECTION_QUERIES.values():
        for forbidden in ("point.distance", "distance(", "COUNT {", "EXISTS {"):
            assert forbidden not in query
    rows = fetch_rows(territory_store)
    assert len(list(rows["activities"])) == 7 and len(rows["roles"]) == 4
    assert len(list(rows["professionals"])) == 7  # read in 11 pages, by the id's last character


def test_projection_queries_pass_neo4j_linter():
    """Neo4j's own linter (tests/cypher_lint, npm @neo4j-cypher/language-support) finds no error."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    from graph.analysis.projection import PROJECTION_QUERIES

    lint = Path(__file__).parent / "cypher_lint"
    if not shutil.which("node") or not (lint / "node_modules").is_dir():
        pytest.skip("the Neo4j Cypher linter is not installed (make cypher-lint)")
    extra = {"fingerprint_nodes": "MATCH (n) RETURN count(n) AS n",
             "fingerprint_rels": "MATCH ()-[r]->() RETURN count(r) AS n",
             "fingerprint_load": "MATCH (s:Source) RETURN max(s.loaded_at) AS t"}
    params = {"suffix": "0", "digits": list("0123456789")}
    request = {"queries": [{"id": k, "text": v, "parameters": params if "$suffix" in v else {}}
                           for k, v in {**PROJECTION_QUERIES, **extra}.items()]}
    out = subprocess.run(["node", str(lint / "lint.mjs")], input=json.dumps(request), capture_output=True,
                         text=True, timeout=120)
    errors = [(q["id"], d["message"]) for q in json.loads(out.stdout) for d in q["diagnostics"]
              if d["severity"] == "error"]
    assert errors == [] and out.returncode == 0
