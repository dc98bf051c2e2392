"""Golden tests of the gap-mapping queries on a small hand-built territory whose answers are known.

The territory (``gap_territory``): five communes on a north-south line (Alpha, Beta,
Gamma and Delta in the CPTS, Epsilon outside, 33 km beyond Delta), a few structures,
eight professionals, memberships, stage participations, partnerships and two pathways.
Distances: Alpha-Beta 4.45 km, Alpha-Gamma 8.90, Beta-Gamma 4.45, Gamma-Delta 13.34,
Beta-Delta 17.79, Alpha-Delta 22.24. "Today" is fixed at 2026-01-15.

Other test modules import ``gap_territory``, ``TODAY`` and ``write_records`` from here.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from graph.falkor import FalkorStore
from graph.model import (Activity, Commune, Intervention, Membership, Participation, Partnership, Pathway,
                         Professional, Record, RoleRequirement, Stage, Structure, Territory)
from graph.queries import QUERY_DIR, load_query
from graph.runner import run_query
from graph.writer import GraphWriter

TODAY = date(2026, 1, 15)
T = "cpts-test"
GP1, GP2, IDE1, CARDIO, PHARMA, KINE, OUTSIDER, IDE2 = (f"8100000000{i:02d}" for i in range(1, 9))
MSP, CH, LABO, LABO2, HAD, EHPAD, EHPAD2, SSIAD, SMR, CPTS = (
    "590000010", "590000020", "590000030", "590000031", "590000040", "590000050", "590000051", "590000060",
    "590000070", "590000099")


def _pro(pid: str, last: str, first: str, code: str, label: str, specialty: str | None = None) -> Professional:
    """A professional (RPPS-style id)."""
    return Professional(id=pid, id_type="RPPS", identifier=pid[1:], last_name=last, first_name=first,
                        profession_code=code, profession_label=label, specialty_code=specialty, synthetic=True)


def _site(sid: str, name: str, cat: str, label: str, commune: str) -> Structure:
    """A FINESS structure."""
    return Structure(id=sid, name=name, category_code=cat, category_label=label, commune=commune, synthetic=True)


def _member(actor: str, label: str = "Professional", **flags) -> Membership:
    """A membership of the test CPTS."""
    return Membership(id=f"m:{T}:{actor}", territory=T, actor_label=label, actor=actor, **flags)


def _part(actor: str, stage: str, label: str = "Professional", **flags) -> Participation:
    """A participation in a stage."""
    return Participation(id=f"p:{actor}:{stage}", actor_label=label, actor=actor, stage=stage, **flags)


def _role(stage: str, key: str, label: str, **kw) -> RoleRequirement:
    """A role a stage requires."""
    return RoleRequirement(id=f"{stage}.{key}", stage=stage, key=key, label=label, **kw)


def gap_territory(drop: tuple[str, ...] = ()) -> list[Record]:
    """The hand-built territory's records; ``drop`` leaves out records by id (variants of a test)."""
    records: list[Record] = [
        Commune(id="59001", name="Alpha", department="59", population=4000, lat=50.000, lon=3.0),
        Commune(id="59002", name="Beta", department="59", population=2000, lat=50.040, lon=3.0),
        Commune(id="59003", name="Gamma", department="59", population=1000, lat=50.080, lon=3.0),
        Commune(id="59004", name="Delta", department="59", population=500, lat=50.200, lon=3.0),
        Commune(id="59005", name="Epsilon", department="59", population=9000, lat=50.500, lon=3.0),
        _site(MSP, "MSP ALPHA", "603", "Maison de santé (L.6223-3)", "59001"),
        _site(CH, "CH BETA", "355", "Centre Hospitalier (C.H.)", "59002"),
        _site(LABO, "LABO ALPHA", "611", "Laboratoire de Biologie Médicale", "59001"),
        _site(LABO2, "LABO EPSILON", "611", "Laboratoire de Biologie Médicale", "59005"),
        _site(HAD, "HAD GAMMA", "127", "Hospitalisation à Domicile", "59003"),
        _site(EHPAD, "EHPAD LES TILLEULS", "500", "EHPAD", "59004"),
        _site(EHPAD2, "EHPAD LES ROSES", "500", "EHPAD", "59003"),
        _site(SSIAD, "SSIAD BETA", "354", "SSIAD", "59002"),
        _site(SMR, "SMR EPSILON", "109", "Etablissement de santé privé autorisé en SSR", "59005"),
        _site(CPTS, "CPTS DU VAL TEST", "604", "CPTS", "59001"),
        Territory(id=T, name="CPTS du Val Test", finess=CPTS, communes=["59001", "59002", "59003", "59004"]),
        _pro(GP1, "Martin", "Anne", "10", "Médecin", "SM54"),
        _pro(GP2, "Bernard", "Paul", "10", "Médecin", "SM54"),
        _pro(IDE1, "Durand", "Claire", "60", "Infirmier"),
        _pro(CARDIO, "Petit", "Marc", "10", "Médecin", "SM04"),
        _pro(PHARMA, "Leroy", "Julie", "21", "Pharmacien"),
        _pro(KINE, "Moreau", "Luc", "70", "Masseur-Kinésithérapeute"),
        _pro(OUTSIDER, "Garnier", "Louis", "10", "Médecin", "SM54"),
        _pro(IDE2, "Roux", "Emma", "60", "Infirmier"),
        Activity(id="act1", professional=GP1, commune="59001", structure=MSP),
        Activity(id="act1b", professional=GP1, commune="59001"),
        Activity(id="act2", professional=GP2, commune="59004"),
        Activity(id="act2b", professional=GP2, commune="59004"),
        Activity(id="act3", professional=IDE1, commune="59001", structure=MSP),
        Activity(id="act4", professional=CARDIO, commune="59002", structure=CH),
        Activity(id="act5", professional=PHARMA, commune="59003"),
        Activity(id="act6", professional=KINE, commune="59002"),
        Activity(id="act7", professional=OUTSIDER, commune="59005"),
        Activity(id="act8", professional=IDE2, commune="59004"),
        _member(GP1, role="referent", since="2023-01-15", accepting_new_patients=True, home_visits=False,
                last_verified="2025-12-01", mssante="anne.martin@medecin.mssante.fr", phone="03 27 00 00 01"),
        _member(IDE1, role="membre", accepting_new_patients=True, home_visits=True, last_verified="2024-01-10",
                phone="06 00 00 00 03"),
        _member(CARDIO, role="membre", accepting_new_patients=True),
        _member(KINE, role="bureau", since="2024-06-15", last_verified="2025-11-01"),
        _member(IDE2, role="membre", accepting_new_patients=False, last_verified="2025-10-01"),
        _member(HAD, "Structure", role="membre", accepting_new_patients=True, home_visits=True,
                last_verified="2025-06-01"),
        Pathway(id="ic", name="Insuffisance cardiaque", source="HAS, guide IC 2014", referent=GP1,
                referent_label="Professional"),
        Pathway(id="bpco", name="BPCO", source="HAS, guide BPCO 2019"),
        Stage(id="ic.depistage", pathway="ic", key="depistage", order=1, name="Dépistage précoce",
              partage=["MSSanté", "DMP"], next_stage="ic.suivi"),
        Stage(id="ic.suivi", pathway="ic", key="suivi", order=2, name="Suivi", partage=["téléphone"],
              next_stage="ic.sortie"),
        Stage(id="ic.sortie", pathway="ic", key="sortie", order=3, name="Sortie d'hospitalisation"),
        Stage(id="bpco.suivi", pathway="bpco", key="suivi", order=1, name="Suivi BPCO"),
        _role("ic.depistage", "medecin_traitant", "Médecin traitant", professions=["10"], specialties=["SM54"],
              radius_km=10),
        _role("ic.depistage", "laboratoire", "Laboratoire", categories=["611"], radius_km=10),
        _role("ic.depistage", "pharmacien", "Pharmacien", professions=["21"], radius_km=5, optional=True),
        _role("ic.suivi", "infirmier", "Infirmier", professions=["60"], radius_km=5, home_visit=True),
        _role("ic.suivi", "cardiologue", "Cardiologue", professions=["10"], specialties=["SM04"], radius_km=30),
        _role("ic.sortie", "had", "HAD", categories=["127"], radius_km=30),
        _role("ic.sortie", "infirmier", "Infirmier", professions=["60"], radius_km=5, home_visit=True),
        _role("bpco.suivi", "kine", "Kinésithérapeute", professions=["70"], radius_km=10),
        _role("bpco.suivi", "pneumologue", "Pneumologue", professions=["10"], specialties=["SM41"], radius_km=30),
        _part(GP1, "ic.depistage", accepting_new_patients=True),
        _part(GP1, "ic.suivi", accepting_new_patients=True),
        _part(IDE1, "ic.suivi", accepting_new_patients=True, home_visits=True),
        _part(IDE1, "ic.sortie", accepting_new_patients=True, home_visits=True),
        _part(CARDIO, "ic.suivi", accepting_new_patients=True),
        _part(HAD, "ic.sortie", "Structure", accepting_new_patients=True),
        Intervention(actor_label="Professional", actor=IDE1, commune="59002"),
        Intervention(actor_label="Professional", actor=IDE1, commune="59003"),
        Partnership(id="CONV-SSIAD", name="Convention CPTS - SSIAD", kind="convention", signed=True,
                    parties=[("Territory", T), ("Structure", SSIAD)], pathways=["ic"], start="2024-01-01",
                    end="2026-03-01"),
        Partnership(id="CONV-HAD-GP", name="Retours à domicile", kind="convention", signed=True,
                    parties=[("Professional", GP1), ("Structure", HAD)], pathways=["ic"], start="2025-01-01",
                    end="2026-06-30"),
        Partnership(id="INF-STAFF", name="Staff ville-hôpital", kind="informel", signed=False,
                    parties=[("Territory", T), ("Structure", CH), ("Professional", CARDIO)], pathways=["ic"],
                    start="2025-09-01"),
        Partnership(id="OLD-CARDIO-HAD", name="Ancienne convention", kind="convention", signed=True,
                    parties=[("Professional", CARDIO), ("Structure", HAD)], pathways=["ic"], start="2023-01-01",
                    end="2025-06-30"),
        Partnership(id="CONV-DRAFT", name="Convention en projet", kind="convention", signed=False,
                    parties=[("Professional", IDE1), ("Professional", KINE)], pathways=["ic"], end="2026-12-31"),
        Partnership(id="CONV-EHPAD2", name="Convention CPTS - EHPAD", kind="convention", signed=True,
                    parties=[("Structure", CPTS), ("Structure", EHPAD2)], end="2027-12-31"),
    ]
    return [r for r in records if getattr(r, "id", None) not in drop]


def write_records(store, records: list[Record]) -> GraphWriter:
    """Write records into a store through the project's writer; return it (its ``unresolved`` links)."""
    w = GraphWriter(store)
    w.prepare()
    w.add_all(records)
    w.flush()
    return w


@pytest.fixture(scope="module", params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def gap_store(request, falkor_db):
    """The hand-built territory, shared by this module's read-only tests, on each backend.

    FalkorDB: a graph of its own on the embedded server. Neo4j (with MAILLAGE_NEO4J_URI): written as
    one load generation into an empty database and deleted afterwards (``abort_load``).
    """
    if request.param == "neo4j":
        from graph.neo4j_store import Neo4jStore
        from graph.store import StoreConfig

        live = Neo4jStore(StoreConfig.from_env())
        if live.exists():
            live.close()
            pytest.skip("the golden tests need an empty Neo4j database (MAILLAGE_NEO4J_DATABASE)")
        staging = live.begin_load()
        try:
            write_records(staging, gap_territory())
            yield staging
        finally:
            staging.abort_load()
            live.close()
        return
    name = "gap_territory_queries"
    if falkor_db.connection.exists(name):
        falkor_db.connection.delete(name)
    s = FalkorStore(falkor_db, name)
    write_records(s, gap_territory())
    yield s
    falkor_db.connection.delete(name)


def rows(store, name: str, **params) -> list[tuple]:
    """Run a library query on the fixed day and return its rows as tuples."""
    return [tuple(r) for r in run_query(store, name, params, today=TODAY).rows]


# --- golden answers ------------------------------------------------------------------------------

HOLE = "communes_without_actor_for_stage"
GOLDEN = [
    # coverage holes of a stage
    (HOLE, {"stage": "ic.depistage"},
     [("59004", "Delta", "ic.depistage", "laboratoire", "Laboratoire", 10.0)]),
    (HOLE, {"stage": "ic.depistage", "include_optional": "true"},
     [("59001", "Alpha", "ic.depistage", "pharmacien", "Pharmacien", 5.0),
      ("59004", "Delta", "ic.depistage", "laboratoire", "Laboratoire", 10.0),
      ("59004", "Delta", "ic.depistage", "pharmacien", "Pharmacien", 5.0)]),
    (HOLE, {"stage": "ic.depistage", "participants_only": True},
     [("59001", "Alpha", "ic.depistage", "laboratoire", "Laboratoire", 10.0),
      ("59002", "Beta", "ic.depistage", "laboratoire", "Laboratoire", 10.0),
      ("59003", "Gamma", "ic.depistage", "laboratoire", "Laboratoire", 10.0),
      ("59004", "Delta", "ic.depistage", "laboratoire", "Laboratoire", 10.0),
      ("59004", "Delta", "ic.depistage", "medecin_traitant", "Médecin traitant", 10.0)]),
    # IDE2 in Delta said she takes no new patient: Delta stays a hole for nurses
    (HOLE, {"stage": "ic.suivi"},
     [("59004", "Delta", "ic.suivi", "infirmier", "Infirmier", 5.0)]),
    # a 3 km radius: Beta's cardiologist no longer reaches the others; IDE1's zone still covers Beta, Gamma
    (HOLE, {"stage": "ic.suivi", "radius_km": "3"},
     [("59001", "Alpha", "ic.suivi", "cardiologue", "Cardiologue", 3.0),
      ("59003", "Gamma", "ic.suivi", "cardiologue", "Cardiologue", 3.0),
      ("59004", "Delta", "ic.suivi", "cardiologue", "Cardiologue", 3.0),
      ("59004", "Delta", "ic.suivi", "infirmier", "Infirmier", 3.0)]),
    (HOLE, {"stage": "ic.sortie"},
     [("59004", "Delta", "ic.sortie", "infirmier", "Infirmier", 5.0)]),
    (HOLE, {"stage": "bpco.suivi"},
     [("59001", "Alpha", "bpco.suivi", "pneumologue", "Pneumologue", 30.0),
      ("59002", "Beta", "bpco.suivi", "pneumologue", "Pneumologue", 30.0),
      ("59003", "Gamma", "bpco.suivi", "pneumologue", "Pneumologue", 30.0),
      ("59004", "Delta", "bpco.suivi", "kine", "Kinésithérapeute", 10.0),
      ("59004", "Delta", "bpco.suivi", "pneumologue", "Pneumologue", 30.0)]),
    (HOLE, {"stage": "ic.suivi", "territory": "other-cpts"}, []),
    (HOLE, {"stage": "no.such.stage"}, []),
    # few and single actors
    ("stage_roles_with_few_actors", {},
     [("bpco", "bpco.suivi", "Suivi BPCO", "kine", "Kinésithérapeute", 1),
      ("bpco", "bpco.suivi", "Suivi BPCO", "pneumologue", "Pneumologue", 0),
      ("ic", "ic.depistage", "Dépistage précoce", "laboratoire", "Laboratoire", 1),
      ("ic", "ic.suivi", "Suivi", "cardiologue", "Cardiologue", 1),
      ("ic", "ic.suivi", "Suivi", "infirmier", "Infirmier", 1),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", "had", "HAD", 1),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", "infirmier", "Infirmier", 1)]),
    ("stage_roles_with_few_actors", {"min_actors": 3, "pathway": "ic", "include_optional": "oui"},
     [("ic", "ic.depistage", "Dépistage précoce", "laboratoire", "Laboratoire", 1),
      ("ic", "ic.depistage", "Dépistage précoce", "medecin_traitant", "Médecin traitant", 2),
      ("ic", "ic.depistage", "Dépistage précoce", "pharmacien", "Pharmacien", 1),
      ("ic", "ic.suivi", "Suivi", "cardiologue", "Cardiologue", 1),
      ("ic", "ic.suivi", "Suivi", "infirmier", "Infirmier", 1),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", "had", "HAD", 1),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", "infirmier", "Infirmier", 1)]),
    ("stage_roles_with_few_actors", {"min_actors": 1}, [
        ("bpco", "bpco.suivi", "Suivi BPCO", "pneumologue", "Pneumologue", 0)]),
    ("stage_roles_with_single_actor", {},
     [("bpco", "bpco.suivi", "Suivi BPCO", "kine", "Kinésithérapeute", KINE, "Luc Moreau", "professionnel"),
      ("ic", "ic.depistage", "Dépistage précoce", "laboratoire", "Laboratoire", LABO, "LABO ALPHA", "structure"),
      ("ic", "ic.suivi", "Suivi", "cardiologue", "Cardiologue", CARDIO, "Marc Petit", "professionnel"),
      ("ic", "ic.suivi", "Suivi", "infirmier", "Infirmier", IDE1, "Claire Durand", "professionnel"),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", "had", "HAD", HAD, "HAD GAMMA", "structure"),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", "infirmier", "Infirmier", IDE1, "Claire Durand",
       "professionnel")]),
    # hand-offs: the cardiologist of "suivi" has no link with the actors of "sortie" (his convention
    # with the HAD ended in 2025); GP1 is linked to the HAD by a convention and to IDE1 by the MSP
    ("handoffs_without_link", {},
     [("ic", "ic.suivi", "Suivi", "ic.sortie", "Sortie d'hospitalisation", 3, 2, 1, ["Marc Petit"], False)]),
    ("handoffs_without_link", {"pathway": "bpco"}, []),
    # referent, sharing channels
    ("pathways_without_referent", {}, [("bpco", "BPCO", "HAS, guide BPCO 2019", 1)]),
    ("stages_without_sharing_channel", {},
     [("bpco", "bpco.suivi", "Suivi BPCO", []), ("ic", "ic.sortie", "Sortie d'hospitalisation", [])]),
    ("stages_without_sharing_channel", {"channels": "MSSanté,DMP"},
     [("bpco", "bpco.suivi", "Suivi BPCO", []), ("ic", "ic.suivi", "Suivi", ["téléphone"]),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", [])]),
    ("stages_without_sharing_channel", {"channels": ["MSSanté"], "pathway": "ic"},
     [("ic", "ic.suivi", "Suivi", ["téléphone"]), ("ic", "ic.sortie", "Sortie d'hospitalisation", [])]),
    # structures without a partnership with the CPTS (EHPAD2's is with the CPTS's FINESS structure)
    ("structures_without_cpts_partnership", {},
     [(HAD, "HAD GAMMA", "127", "Hospitalisation à Domicile", "59003", "Gamma", T),
      (EHPAD, "EHPAD LES TILLEULS", "500", "EHPAD", "59004", "Delta", T)]),
    ("structures_without_cpts_partnership", {"signed_only": True},
     [(HAD, "HAD GAMMA", "127", "Hospitalisation à Domicile", "59003", "Gamma", T),
      (CH, "CH BETA", "355", "Centre Hospitalier (C.H.)", "59002", "Beta", T),
      (EHPAD, "EHPAD LES TILLEULS", "500", "EHPAD", "59004", "Delta", T)]),
    ("structures_without_cpts_partnership", {"categories": "611,603"},
     [(MSP, "MSP ALPHA", "603", "Maison de santé (L.6223-3)", "59001", "Alpha", T),
      (LABO, "LABO ALPHA", "611", "Laboratoire de Biologie Médicale", "59001", "Alpha", T)]),
    # partnerships expiring
    ("partnerships_expiring", {},
     [("CONV-SSIAD", "Convention CPTS - SSIAD", "convention", True, "2026-03-01",
       ["CPTS du Val Test", "SSIAD BETA"], ["ic"])]),
    ("partnerships_expiring", {"days": 400},
     [("CONV-SSIAD", "Convention CPTS - SSIAD", "convention", True, "2026-03-01",
       ["CPTS du Val Test", "SSIAD BETA"], ["ic"]),
      ("CONV-HAD-GP", "Retours à domicile", "convention", True, "2026-06-30", ["Anne Martin", "HAD GAMMA"], ["ic"]),
      ("CONV-DRAFT", "Convention en projet", "convention", False, "2026-12-31", ["Claire Durand", "Luc Moreau"],
       ["ic"])]),
    ("partnerships_expiring", {"days": 10}, []),
    # stages depending on an unsigned link
    ("stages_depending_on_informal_link", {},
     [("ic", "ic.suivi", "Suivi", "CONV-DRAFT", "Convention en projet", "convention", ["Claire Durand"]),
      ("ic", "ic.suivi", "Suivi", "INF-STAFF", "Staff ville-hôpital", "informel", ["Marc Petit"]),
      ("ic", "ic.sortie", "Sortie d'hospitalisation", "CONV-DRAFT", "Convention en projet", "convention",
       ["Claire Durand"])]),
    ("stages_depending_on_informal_link", {"pathway": "bpco"}, []),
    # professionals practising in the territory who are not members (the outsider practises in Epsilon)
    ("professionals_not_members", {},
     [("10", "Médecin", "59004", "Delta", 1, ["Paul Bernard"]),
      ("21", "Pharmacien", "59003", "Gamma", 1, ["Julie Leroy"])]),
    ("professionals_not_members", {"profession": "21"}, [("21", "Pharmacien", "59003", "Gamma", 1, ["Julie Leroy"])]),
    # members
    ("members_without_pathway", {},
     [(IDE2, "Emma Roux", "professionnel", "Infirmier", "membre", None),
      (KINE, "Luc Moreau", "professionnel", "Masseur-Kinésithérapeute", "bureau", "2024-06-15")]),
    ("members_not_verified", {},
     [(CARDIO, "Marc Petit", "professionnel", None, None, None),
      (IDE1, "Claire Durand", "professionnel", "2024-01-10", "06 00 00 00 03", None)]),
    ("members_not_verified", {"days": "200"},
     [(CARDIO, "Marc Petit", "professionnel", None, None, None),
      (IDE1, "Claire Durand", "professionnel", "2024-01-10", "06 00 00 00 03", None),
      (HAD, "HAD GAMMA", "structure", "2025-06-01", None, None)]),
    # density
    ("population_per_professional", {},
     [("59003", "Gamma", 1000, 0, None, True), ("59001", "Alpha", 4000, 1, 4000, True),
      ("59002", "Beta", 2000, 1, 2000, True), ("59004", "Delta", 500, 1, 500, False)]),
    ("population_per_professional", {"specialties": "SM54,SM26", "threshold": 400},
     [("59002", "Beta", 2000, 0, None, True), ("59003", "Gamma", 1000, 0, None, True),
      ("59001", "Alpha", 4000, 1, 4000, True), ("59004", "Delta", 500, 1, 500, True)]),
    ("population_per_professional", {"profession": "70", "threshold": 2000},
     [("59001", "Alpha", 4000, 0, None, True), ("59003", "Gamma", 1000, 0, None, True),
      ("59004", "Delta", 500, 0, None, True), ("59002", "Beta", 2000, 1, 2000, False)]),
]


@pytest.mark.parametrize("name, params, expected", GOLDEN,
                         ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}"
                              for n, p, _ in GOLDEN])
def test_golden(gap_store, name, params, expected):
    """Each query returns exactly the rows known for the hand-built territory."""
    assert rows(gap_store, name, **params) == expected


def test_golden_covers_every_gap_query():
    """Every query of the library except the matching engine's has golden answers here."""
    names = {p.stem for p in (QUERY_DIR / "cypher").glob("*.cypher") if not p.stem.startswith("match_")}
    assert names <= {name for name, _params, _expected in GOLDEN}


def test_columns_are_labelled_in_french(gap_store):
    """Each gap query names a French label for every column it returns."""
    for name in sorted({n for n, _p, _e in GOLDEN}):
        query = load_query(name)
        result = run_query(gap_store, query, dict(GOLDEN[[n for n, _p, _e in GOLDEN].index(name)][1]), today=TODAY)
        assert list(query.columns) == result.columns, name


@pytest.mark.parametrize("drop, expected", [
    # without IDE1's activity at the MSP, GP1 is still linked to the HAD by a convention
    (("act3",), [("ic", "ic.suivi", "Suivi", "ic.sortie", "Sortie d'hospitalisation", 3, 2, 1, ["Marc Petit"],
                  False)]),
    # without the convention, GP1 is still linked to IDE1 by the MSP where both practise
    (("CONV-HAD-GP",), [("ic", "ic.suivi", "Suivi", "ic.sortie", "Sortie d'hospitalisation", 3, 2, 1,
                         ["Marc Petit"], False)]),
    # without both, GP1 hands off into the void
    (("act3", "CONV-HAD-GP"), [("ic", "ic.suivi", "Suivi", "ic.sortie", "Sortie d'hospitalisation", 3, 2, 2,
                                ["Anne Martin", "Marc Petit"], False)]),
    # GP1 no longer declared on "suivi" and not at the MSP with IDE1: the first hand-off is broken
    (("act3", "p:810000000001:ic.suivi"), [
        ("ic", "ic.depistage", "Dépistage précoce", "ic.suivi", "Suivi", 1, 2, 1, ["Anne Martin"], True),
        ("ic", "ic.suivi", "Suivi", "ic.sortie", "Sortie d'hospitalisation", 2, 2, 1, ["Marc Petit"], False)]),
])
def test_handoff_links_by_partnership_and_by_site(store, drop, expected):
    """A hand-off counts a partnership in force and a shared FINESS site as links, each on its own."""
    write_records(store, gap_territory(drop=drop))
    assert rows(store, "handoffs_without_link") == expected


def test_dates_count_from_the_day_given(gap_store):
    """Relative dates are computed from ``today``: in June 2026 the SSIAD convention has ended."""
    later = date(2026, 6, 1)
    res = run_query(gap_store, "structures_without_cpts_partnership", {}, today=later)
    assert [r[0] for r in res.rows] == [HAD, SSIAD, EHPAD]
    res = run_query(gap_store, "partnerships_expiring", {"days": 30}, today=later)
    assert [r[0] for r in res.rows] == ["CONV-HAD-GP"]


def test_queries_run_on_an_empty_graph(store):
    """Every gap query runs on an empty graph and returns no row (no error on missing labels)."""
    for name in sorted({n for n, _p, _e in GOLDEN}):
        params = next(p for n, p, _e in GOLDEN if n == name)
        assert run_query(store, name, dict(params), today=TODAY).rows == [], name


# --- every file of queries/cypher: header, parameters, execution --------------------------------

CYPHER_FILES = sorted((QUERY_DIR / "cypher").glob("*.cypher"))
_PARAM_USE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@pytest.mark.parametrize("path", CYPHER_FILES, ids=[p.name for p in CYPHER_FILES])
def test_header_declares_exactly_the_parameters_used(path: Path):
    """Every ``$name`` of the body is declared, and every declared parameter is used (by the body or a computed one)."""
    query = load_query(path.stem)
    in_body = set(_PARAM_USE.findall(query.body))
    used = in_body | {a for p in query.computed_params for a in p.args}
    declared = {p.name for p in query.params}
    assert in_body <= declared, f"undeclared: {sorted(in_body - declared)}"
    assert used == declared, f"declared but unused: {sorted(declared - used)}"
    assert query.title and query.description


@pytest.mark.parametrize("path", CYPHER_FILES, ids=[p.name for p in CYPHER_FILES])
def test_every_query_executes_on_the_embedded_store(gap_store, path: Path):
    """Every file of queries/cypher runs read-only on FalkorDB with its header's defaults and examples."""
    query = load_query(path.stem)
    result = run_query(gap_store, query, query.example_params(), today=TODAY)
    assert result.columns
    if query.columns:
        assert list(query.columns) == result.columns
