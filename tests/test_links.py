"""The compact connectivity of graph.analysis.links: known answers, and the same answers as the NetworkX path.

The mixed territory (:func:`mixed_records`) has one actor or group per rule of the
projection, each with a known fate:

- a pharmacy (FINESS category named by a pathway role) with nobody: an isolated *structure*;
- a social centre: not an actor at all;
- a clinic and its two salaried nurses: linked only by ``works_at``;
- a professional with two activities at the same cabinet: alone at his site, isolated;
- a professional without any activity: isolated;
- two colleagues of a cabinet (``ref:``), of a FINESS site not loaded as a structure
  (``finess:``), of a SIRET: three groups of two, linked only by their shared site;
- two professionals linked only by a partnership;
- a CPTS registered as a FINESS structure, party to a partnership: its structure is the actor;
- a CPTS without FINESS entry, party to a partnership: its own node (the territory id);
- a CPTS without FINESS entry that only takes part in a stage: its own node, isolated;
- a nurse and the registered CPTS intervening in Masny (``within`` lists them there);
- the only party of a partnership: isolated;
- a hospital of 35 professionals (more than ``CLIQUE_LIMIT``): the main component.
"""
from __future__ import annotations

import pytest

from graph.analysis import links as links_module
from graph.analysis.isolation import isolated_actors, main_component, outside_main_component
from graph.analysis.links import LINK_QUERIES, build_links, links_from_store, practice_row
from graph.analysis.projection import CLIQUE_LIMIT, store_to_networkx
from graph.model import (Activity, Commune, Intervention, Participation, Partnership, Pathway, Professional,
                         RoleRequirement, Stage, Structure, Territory)
from graph.store import Result
from test_analysis_projection import (CARDIO, DECHY, DOUAI, GP1, GP2, MASNY, MSP_A, MSP_B, NURSE1, NURSE2, NURSE3,
                                      PHARMACIST, PHARMACY, SIN, territory_records)
from test_queries import write_records

PHARMA_ALONE, SOCIAL, CLINIC, CPTS_FINESS = "590000010", "590000011", "590000012", "590000013"
UNLOADED_FINESS = "590099999"
NURSE_A, NURSE_B = "820000000001", "820000000002"
SOLO, NO_ACTIVITY = "820000000003", "820000000004"
CAB1, CAB2, FIN1, FIN2, SIRET1, SIRET2 = ("820000000005", "820000000006", "820000000007", "820000000008",
                                          "820000000009", "820000000010")
PART1, PART2, PART3, PART4, LONE_PARTY = ("820000000011", "820000000012", "820000000013", "820000000014",
                                          "820000000015")
ADELI = "0C9876543A"  # an id ending in a letter: read by the last page
HOSPITAL_STAFF = [f"83{i:010d}" for i in range(35)]
T_REGISTERED, T_OWN, T_STAGE = "cpts-registered", "cpts-own", "cpts-stage"


def pro(ident: str) -> Professional:
    """A professional (nurse)."""
    return Professional(id=ident, id_type="RPPS", identifier=ident, last_name=f"N{ident}", profession_code="60")


def act(ident: str, professional: str, commune: str = DOUAI, **site: str) -> Activity:
    """An activity at a site (``structure``, ``structure_ref`` or ``siret``)."""
    return Activity(id=f"a:{ident}", professional=professional, mode_code="L", commune=commune, **site)


def mixed_records() -> list:
    """The mixed territory of the module docstring."""
    communes = [Commune(id=c, name=c, department="59") for c in (DOUAI, SIN, DECHY, MASNY)]
    structures = [
        Structure(id=PHARMA_ALONE, name="Pharmacie seule", category_code="620", commune=MASNY),
        Structure(id=SOCIAL, name="Centre social", category_code="220", commune=DOUAI),
        Structure(id=CLINIC, name="Clinique", category_code="365", commune=SIN),
        Structure(id=CPTS_FINESS, name="CPTS enregistrée", category_code="604", commune=DECHY),
    ]
    pathway = [
        Pathway(id="pw", name="Parcours"),
        Stage(id="pw.s1", pathway="pw", key="s1", order=1, name="Étape"),
        RoleRequirement(id="pw.s1.pharmacie", stage="pw.s1", key="pharmacie", label="Pharmacie",
                        categories=["620"]),
    ]
    pros = [pro(p) for p in [NURSE_A, NURSE_B, SOLO, NO_ACTIVITY, CAB1, CAB2, FIN1, FIN2, SIRET1, SIRET2,
                             PART1, PART2, PART3, PART4, LONE_PARTY, ADELI] + HOSPITAL_STAFF]
    activities = [
        act("na", NURSE_A, SIN, structure=CLINIC), act("nb", NURSE_B, SIN, structure=CLINIC),
        act("solo1", SOLO, DECHY, structure_ref="cab-solo"), act("solo2", SOLO, MASNY, structure_ref="cab-solo"),
        act("cab1", CAB1, structure_ref="cab"), act("cab2", CAB2, structure_ref="cab"),
        act("fin1", FIN1, structure=UNLOADED_FINESS), act("fin2", FIN2, structure=UNLOADED_FINESS),
        act("siret1", SIRET1, siret="12345678900011"), act("siret2", SIRET2, siret="12345678900011"),
        act("part1", PART1, structure_ref="cab-p1"), act("part2", PART2, DECHY, structure_ref="cab-p2"),
        act("part3", PART3, structure_ref="cab-p3"), act("part4", PART4, structure_ref="cab-p4"),
        act("lone", LONE_PARTY, structure_ref="cab-lone"), act("adeli", ADELI, structure_ref="cab-adeli"),
    ] + [act(f"h{i}", p, structure_ref="hospital") for i, p in enumerate(HOSPITAL_STAFF)]
    territories = [Territory(id=T_REGISTERED, name="CPTS A", finess=CPTS_FINESS, communes=[DECHY]),
                   Territory(id=T_OWN, name="CPTS B", communes=[MASNY]),
                   Territory(id=T_STAGE, name="CPTS C", communes=[SIN])]
    partnerships = [
        Partnership(id="pt-pros", name="A", kind="informel",
                    parties=[("Professional", PART1), ("Professional", PART2)]),
        Partnership(id="pt-registered", name="B", kind="convention",
                    parties=[("Territory", T_REGISTERED), ("Professional", PART3)]),
        Partnership(id="pt-own", name="C", kind="convention",
                    parties=[("Territory", T_OWN), ("Professional", PART4)]),
        Partnership(id="pt-lone", name="D", kind="informel", parties=[("Professional", LONE_PARTY)]),
    ]
    participation = [Participation(id="p:stage", actor_label="Territory", actor=T_STAGE, stage="pw.s1")]
    interventions = [Intervention(actor_label="Professional", actor=NURSE_A, commune=MASNY),
                     Intervention(actor_label="Territory", actor=T_REGISTERED, commune=MASNY)]
    return (communes + structures + pathway + pros + activities + territories + partnerships + participation
            + interventions)


def write(store, records) -> None:
    """Write records; only nomenclature concepts and the unloaded FINESS site may stay unresolved."""
    w = write_records(store, records)
    assert all(e.dst_label == "Concept" or e.dst == UNLOADED_FINESS for e in w.unresolved), \
        w.unresolved_summary()


@pytest.fixture
def mixed_store(store):
    """The mixed territory in a fresh FalkorDB graph."""
    write(store, mixed_records())
    return store


def same_answers(store, zones) -> None:
    """Links of the store answer as the isolation analyses of its NetworkX projection, in every zone."""
    links, G = links_from_store(store), store_to_networkx(store)
    assert sorted(links.ids) == sorted(G.nodes)
    assert links.isolated() == isolated_actors(G)
    assert links.outside_main() == outside_main_component(G)
    assert links.main_component() == main_component(G)
    for zone in zones:
        assert links.isolated(within=zone) == isolated_actors(G, within=zone), zone
        assert links.outside_main(within=zone) == outside_main_component(G, within=zone), zone


def test_every_rule_of_the_projection(mixed_store):
    links = links_from_store(mixed_store)
    assert sorted(links.ids) == sorted(
        [NURSE_A, NURSE_B, SOLO, NO_ACTIVITY, CAB1, CAB2, FIN1, FIN2, SIRET1, SIRET2, PART1, PART2, PART3, PART4,
         LONE_PARTY, ADELI, *HOSPITAL_STAFF, PHARMA_ALONE, CLINIC, CPTS_FINESS, T_OWN, T_STAGE])
    assert links.isolated() == sorted([SOLO, NO_ACTIVITY, LONE_PARTY, ADELI, PHARMA_ALONE, T_STAGE])
    assert len(HOSPITAL_STAFF) > CLIQUE_LIMIT
    assert links.main_component() == set(HOSPITAL_STAFF)
    assert links.outside_main() == [
        {"actor": CLINIC, "component": 1, "size": 3}, {"actor": NURSE_A, "component": 1, "size": 3},
        {"actor": NURSE_B, "component": 1, "size": 3},
        {"actor": CPTS_FINESS, "component": 2, "size": 2}, {"actor": PART3, "component": 2, "size": 2},
        {"actor": CAB1, "component": 3, "size": 2}, {"actor": CAB2, "component": 3, "size": 2},
        {"actor": FIN1, "component": 4, "size": 2}, {"actor": FIN2, "component": 4, "size": 2},
        {"actor": SIRET1, "component": 5, "size": 2}, {"actor": SIRET2, "component": 5, "size": 2},
        {"actor": PART1, "component": 6, "size": 2}, {"actor": PART2, "component": 6, "size": 2},
        {"actor": PART4, "component": 7, "size": 2}, {"actor": T_OWN, "component": 7, "size": 2},
    ]
    assert links.summary() == {"actors": 56, "isolated": 6, "outside_main": 15, "main_component": 35,
                               "components": 8}


def test_within_lists_actors_practising_intervening_or_covering(mixed_store):
    links = links_from_store(mixed_store)
    # Masny: the pharmacy's commune, a second practice of SOLO, the commune the CPTS node T_OWN covers,
    # where NURSE_A and the registered CPTS (its structure) intervene
    assert links.isolated(within=[MASNY]) == sorted([SOLO, PHARMA_ALONE])
    assert [r["actor"] for r in links.outside_main(within=[MASNY])] == [NURSE_A, CPTS_FINESS, T_OWN]
    # Dechy: SOLO, PART2, and the structure of the registered CPTS (its commune, and covered)
    assert links.isolated(within=[DECHY]) == [SOLO]
    assert [r["actor"] for r in links.outside_main(within=[DECHY])] == [CPTS_FINESS, PART2]
    # Sin-le-Noble: the clinic and its nurses; the stage-only CPTS covers it
    assert links.isolated(within=[SIN]) == [T_STAGE]
    assert links.summary(within=[SIN])["actors"] == 4


def test_the_same_answers_as_networkx_on_the_mixed_territory(mixed_store):
    same_answers(mixed_store, [[DOUAI], [DECHY], [MASNY], [SIN], [DOUAI, MASNY], []])


def test_the_hand_built_territory(store):
    write(store, territory_records())
    links = links_from_store(store)
    assert links.isolated() == [NURSE3]
    assert links.main_component() == {GP1, GP2, NURSE1, NURSE2, CARDIO, MSP_A, MSP_B}
    assert links.outside_main() == [{"actor": PHARMACY, "component": 1, "size": 2},
                                    {"actor": PHARMACIST, "component": 1, "size": 2}]
    assert links.isolated(within=[DOUAI]) == [] and links.isolated(within=[DECHY]) == [NURSE3]
    same_answers(store, [[DOUAI], [DECHY]])


def test_the_same_answers_as_networkx_on_the_demo(demo_store):
    G = store_to_networkx(demo_store)
    assert isolated_actors(G) and outside_main_component(G)  # the demo has both kinds of answers
    zone = G.graph["territory_communes"]
    assert zone
    same_answers(demo_store, [zone, zone[:3], ["00000"]])


def test_an_empty_store(store):
    links = links_from_store(store)
    assert len(links) == 0 and links.isolated() == [] and links.outside_main() == []
    assert links.main_component() == set()
    assert links.summary() == {"actors": 0, "isolated": 0, "outside_main": 0, "main_component": 0, "components": 0}


def practice(*groups: tuple[str, ...]) -> list[list[str]]:
    """``practice`` rows: the professionals of each group share one cabinet."""
    return [practice_row(p, f"ref:cab{k}") for k, group in enumerate(groups) for p in group]


def test_equal_groups_the_smallest_id_is_main():
    links = build_links({"practice": practice(("p5", "p6"), ("p3", "p9"), ("p4", "p2"), ("p7",))})
    assert links.main_component() == {"p2", "p4"}
    assert links.outside_main() == [{"actor": "p3", "component": 1, "size": 2},
                                    {"actor": "p9", "component": 1, "size": 2},
                                    {"actor": "p5", "component": 2, "size": 2},
                                    {"actor": "p6", "component": 2, "size": 2}]
    assert links.isolated() == ["p7"]


def test_groups_are_ordered_by_size_then_smallest_id():
    links = build_links({"practice": practice(("a", "b", "c", "d"), ("z", "y", "x"), ("e", "f"), ("g", "h", "w"))})
    assert [(r["actor"], r["component"], r["size"]) for r in links.outside_main()] == [
        ("g", 1, 3), ("h", 1, 3), ("w", 1, 3), ("x", 2, 3), ("y", 2, 3), ("z", 2, 3), ("e", 3, 2), ("f", 3, 2)]


def test_sites_and_partnerships_chain_components():
    # p1-p2 share a cabinet, p2 and p3 are partners, p3 works at s1: one group of four
    links = build_links({
        "practice": [practice_row("p1", "ref:c"), practice_row("p2", "ref:c"), practice_row("p3", "finess:s1"),
                     practice_row("p4", "finess:s9")],
        "structures": [("s1", False), ("s2", True)],
        "parties": [("pt", "Professional", "p2"), ("pt", "Professional", "p3"), ("pt", "Commune", "nowhere")],
    })
    assert sorted(links.ids) == ["p1", "p2", "p3", "p4", "s1", "s2"]
    assert links.main_component() == {"p1", "p2", "p3", "s1"}
    assert links.isolated() == ["p4", "s2"] and links.outside_main() == []


def test_works_at_read_from_the_relationships_when_they_differ(mixed_store):
    # an AT_STRUCTURE the loaders would not write: CAB1 also works at the clinic
    mixed_store.write("MATCH (a:Activity {id: 'a:cab1'}), (s:Structure {id: $s}) CREATE (a)-[:AT_STRUCTURE]->(s)",
                      {"s": CLINIC})
    links = links_from_store(mixed_store)
    assert {r["actor"] for r in links.outside_main() if r["component"] == 1} == {CLINIC, NURSE_A, NURSE_B, CAB1,
                                                                                 CAB2}
    same_answers(mixed_store, [[DOUAI], [SIN]])


def test_works_at_only_with_explicit_rows():
    rows = {"practice": [practice_row("p1", "finess:s1"), practice_row("p2", "finess:s2")],
            "structures": [("s1", False), ("s2", False)], "works_at": [["p1\x1fs2"]]}
    assert build_links(rows).isolated() == []
    links = build_links(rows, derive_works_at=False)  # s1 is no actor: nobody works_at it
    assert sorted(links.ids) == ["p1", "p2", "s2"] and links.isolated() == ["p2"]


def test_pages_of_a_few_professionals(mixed_store, monkeypatch):
    whole = links_from_store(mixed_store)
    monkeypatch.setattr(links_module, "PAGE_SIZE", 7)
    paged = links_from_store(mixed_store)
    assert paged.isolated() == whole.isolated() and paged.outside_main() == whole.outside_main()
    assert sorted(paged.ids) == sorted(whole.ids)


class Reshuffled:
    """A store whose ``practice`` pages come in another order, or lose a professional."""

    def __init__(self, store, lose: bool = False) -> None:
        self.store, self.lose, self.queries = store, lose, []

    def run(self, query, params=None, **kw):
        self.queries.append(query)
        result = self.store.run(query, params, **kw)
        if query == LINK_QUERIES["practice"]:
            rows = result.rows
            if self.lose and params["limit"] == links_module.PAGE_SIZE:
                rows = [r for r in rows if not r[0].startswith(rows[0][0].split(links_module.SEP)[0])]
            result = Result(result.columns, rows[::2] + rows[1::2])  # a professional's rows apart
        return result


@pytest.mark.parametrize("lose", [False, True])
def test_pages_that_break_the_checks_are_read_again(mixed_store, lose):
    shuffled = Reshuffled(mixed_store, lose=lose)
    links = links_from_store(shuffled)
    assert shuffled.queries.count(LINK_QUERIES["practice"]) == 2 and LINK_QUERIES["works_at"] in shuffled.queries
    G = store_to_networkx(mixed_store)
    assert sorted(links.ids) == sorted(G.nodes)
    assert links.isolated() == isolated_actors(G) and links.outside_main() == outside_main_component(G)


def test_a_professional_whose_rows_are_apart():
    rows = {"practice": [practice_row("p1", "ref:a"), practice_row("p2", "ref:b"), practice_row("p1", "ref:b"),
                         practice_row("p3")]}
    links = build_links(rows)
    assert sorted(links.ids) == ["p1", "p2", "p3"] and links.isolated() == ["p3"]
    assert links.main_component() == {"p1", "p2"}


def test_the_queries_are_portable():
    """No FalkorDB-only construct, and Neo4j's own linter (tests/cypher_lint) finds no error."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    from graph.analysis.links import ZONE_QUERIES

    queries = {**LINK_QUERIES, **{f"zone_{k}": v for k, v in ZONE_QUERIES.items()}}
    for query in queries.values():
        for forbidden in ("point.distance", "distance(", "COUNT {", "EXISTS {", "CALL "):
            assert forbidden not in query
    lint = Path(__file__).parent / "cypher_lint"
    if not shutil.which("node") or not (lint / "node_modules").is_dir():
        pytest.skip("the Neo4j Cypher linter is not installed (make cypher-lint)")
    values = {"sep": "\x1f", "skip": 0, "limit": 10, "categories": ["620"], "codes": ["59178"]}
    request = {"queries": [{"id": k, "text": v, "parameters": {p: x for p, x in values.items() if f"${p}" in v}}
                           for k, v in queries.items()]}
    out = subprocess.run(["node", str(lint / "lint.mjs")], input=json.dumps(request), capture_output=True,
                         text=True, timeout=120, check=False)
    errors = [(q["id"], d["message"]) for q in json.loads(out.stdout) for d in q["diagnostics"]
              if d["severity"] == "error"]
    assert errors == [] and out.returncode == 0
