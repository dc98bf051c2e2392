"""The matching engine on a hand-built territory whose answers are known: one test per rule.

The territory: communes on a north-south line, 1 km apart per step of latitude
(Alpha, the patient's commune, at 0 km; Béta-sur-Scarpe 2 km; Gamma 4 km;
Delta 8 km; Zeta 12 km; Epsilon 25 km; a second Gamma, in the Pas-de-Calais,
80 km). A pathway ``tp`` with three stages a -> b -> c; stage b requires a nurse
(5 km, home visits), a GP (10 km), a cardiologist (10 km), a dietician (5 km),
a CPTS structure (5 km) and, optionally, a pharmacy (5 km) and an HAD (30 km).
Today is 2026-11-22; data older than 365 days are stale.

Other test modules import :func:`hand_built_records` and :data:`TODAY` from here.
"""
from __future__ import annotations

from datetime import date

import pytest

from graph.matching import (AmbiguousCommune, BadParameter, UnknownCommune, UnknownPathway, UnknownStage,
                            MatchRequest, match, match_data, resolve_commune)
from graph.model import (Activity, Commune, Concept, Intervention, Membership, Participation, Partnership, Pathway,
                         Professional, RoleRequirement, Stage, Structure, Territory)
from graph.writer import GraphWriter

TODAY = date(2026, 11, 22)
KM = 1 / 111.19508  # degrees of latitude per km (haversine radius 6371.0088 km)
TERRITORY = "cpts-test"

COMMUNES = [  # id, name, km north of Alpha, postal code
    ("59001", "Alpha", 0, "59100"),
    ("59002", "Béta-sur-Scarpe", 2, "59100"),
    ("59003", "Gamma", 4, "59300"),
    ("59004", "Delta", 8, "59400"),
    ("59006", "Zeta", 12, "59600"),
    ("59005", "Epsilon", 25, "59500"),
    ("62001", "Gamma", 80, "62000"),
]


def _pro(n: int, first: str, last: str, profession: str, commune: str, specialty: str | None = None,
         phone: str | None = None) -> list:
    """A professional with one activity in a commune."""
    pid = f"8100000000{n:02d}"
    return [
        Professional(id=pid, id_type="RPPS", identifier=pid[1:], first_name=first, last_name=last,
                     profession_code=profession, specialty_code=specialty, synthetic=True),
        Activity(id=f"{pid}:1", professional=pid, site_name=f"Cabinet {last.title()}", commune=commune,
                 phone=phone, email=f"{first.lower()}.{last.lower()}@example.org", synthetic=True),
    ]


def _member(actor: str, label: str = "Professional", *, stages: tuple[str, ...] = (), accepting: bool | None = True,
            home: bool | None = None, verified: str | None = None, mssante: str | None = None,
            phone: str | None = None, communes: tuple[str, ...] = ()) -> list:
    """A roster row: membership, participations, interventions."""
    recs: list = [Membership(id=f"m:{TERRITORY}:{actor}", territory=TERRITORY, actor_label=label, actor=actor,
                             accepting_new_patients=accepting, home_visits=home, last_verified=verified,
                             mssante=mssante, phone=phone)]
    recs += [Participation(id=f"p:{actor}:{s}", actor_label=label, actor=actor, stage=s,
                           accepting_new_patients=accepting, home_visits=home, last_verified=verified)
             for s in stages]
    recs += [Intervention(actor_label=label, actor=actor, commune=c) for c in communes]
    return recs


def pid(n: int) -> str:
    """The id of professional number ``n``."""
    return f"8100000000{n:02d}"


def hand_built_records() -> list:
    """Every record of the hand-built territory."""
    recs: list = [
        Concept(id="TRE_G15:10", scheme="TRE_G15", code="10", label="Médecin"),
        Concept(id="TRE_G15:60", scheme="TRE_G15", code="60", label="Infirmier"),
        Concept(id="TRE_G15:21", scheme="TRE_G15", code="21", label="Pharmacien"),
        Concept(id="TRE_G15:95", scheme="TRE_G15", code="95", label="Diététicien"),
        Concept(id="TRE_R38:SM54", scheme="TRE_R38", code="SM54", label="Médecine générale"),
        Concept(id="TRE_R38:SM04", scheme="TRE_R38", code="SM04", label="Cardiologie et maladies vasculaires"),
        Concept(id="FINESS_CAT:620", scheme="FINESS_CAT", code="620", label="Pharmacie d'Officine"),
        Concept(id="FINESS_CAT:604", scheme="FINESS_CAT", code="604", label="CPTS"),
        Concept(id="FINESS_CAT:127", scheme="FINESS_CAT", code="127", label="Hospitalisation à Domicile"),
    ]
    recs += [Commune(id=c, name=name, department=c[:2], postal_codes=[cp], lat=50.0 + km * KM, lon=3.0)
             for c, name, km, cp in COMMUNES]
    recs += [
        Pathway(id="tp", name="Parcours test", theme="test", source="Guide de test"),
        Stage(id="tp.a", pathway="tp", key="a", order=1, name="Étape A", next_stage="tp.b"),
        Stage(id="tp.b", pathway="tp", key="b", order=2, name="Étape B", qui="Infirmier, médecin",
              quoi="Suivre <le patient> & l'aider", quand="Tous les mois", comment="Par messagerie",
              partage=["MSSanté", "DMP"], next_stage="tp.c"),
        Stage(id="tp.c", pathway="tp", key="c", order=3, name="Étape C"),
        RoleRequirement(id="tp.a.medecin", stage="tp.a", key="medecin", label="Médecin traitant",
                        professions=["10"], specialties=["SM54"], radius_km=10),
        RoleRequirement(id="tp.b.infirmier", stage="tp.b", key="infirmier", label="Infirmier libéral",
                        professions=["60"], radius_km=5, home_visit=True),
        RoleRequirement(id="tp.b.medecin", stage="tp.b", key="medecin", label="Médecin traitant",
                        professions=["10"], specialties=["SM54"], radius_km=10),
        RoleRequirement(id="tp.b.cardiologue", stage="tp.b", key="cardiologue", label="Cardiologue",
                        professions=["10"], specialties=["SM04"], radius_km=10),
        RoleRequirement(id="tp.b.dieteticien", stage="tp.b", key="dieteticien", label="Diététicien",
                        professions=["95"], radius_km=5),
        RoleRequirement(id="tp.b.coordination", stage="tp.b", key="coordination", label="CPTS",
                        categories=["604"], radius_km=5),
        RoleRequirement(id="tp.b.pharmacie", stage="tp.b", key="pharmacie", label="Pharmacie",
                        professions=["21"], categories=["620"], radius_km=5, optional=True),
        RoleRequirement(id="tp.b.had", stage="tp.b", key="had", label="HAD", categories=["127"], radius_km=30,
                        home_visit=True, optional=True),
        RoleRequirement(id="tp.c.infirmier", stage="tp.c", key="infirmier", label="Infirmier libéral",
                        professions=["60"], radius_km=5),
    ]
    # nurses
    recs += _pro(1, "Inès", "UN", "60", "59001", phone="03 00 00 00 01")
    recs += _member(pid(1), stages=("tp.b",), accepting=True, home=True, verified="2026-10-01",
                    mssante="ines.un@infirmier.mssante.fr", phone="06 00 00 00 01")
    recs += _pro(2, "Ivan", "DEUX", "60", "59003")
    recs += _member(pid(2), stages=("tp.b",), accepting=None, home=True, verified="2026-09-01")
    recs += _pro(3, "Iris", "TROIS", "60", "59002")
    recs += _member(pid(3), accepting=True, home=True, verified="2026-06-01")
    recs += _pro(4, "Igor", "QUATRE", "60", "59004")
    recs += [Intervention(actor_label="Professional", actor=pid(4), commune="59001")]
    recs += _pro(5, "Claire", "CINQ", "60", "59001")
    recs += _member(pid(5), stages=("tp.b",), accepting=False, home=True, verified="2026-10-01")
    recs += _pro(6, "Ilan", "SIX", "60", "59004")  # 8 km: too far for a 5 km radius
    recs += _pro(7, "Sophie", "SEPT", "60", "59001")
    recs += _member(pid(7), stages=("tp.b",), accepting=True, home=True, verified="2025-01-01")
    recs += _pro(8, "Iona", "HUIT", "60", "59005")  # 25 km: beyond the search zone, never listed
    recs += _pro(9, "Nina", "NEUF", "60", "59001")
    recs += _member(pid(9), stages=("tp.b",), accepting=True, home=False, verified="2026-08-01")
    recs += _pro(10, "Irène", "DIX", "60", "59002")
    recs += _member(pid(10), accepting=True, home=None, verified="2026-11-01")
    recs += _pro(11, "Isaac", "ONZE", "60", "59003")
    recs += _member(pid(11), stages=("tp.b",), accepting=True, home=True, verified="2026-10-01")
    recs += _pro(12, "Ilse", "DOUZE", "60", "59005")  # far, though she takes part in the stage: not listed
    recs += _member(pid(12), stages=("tp.b",), accepting=True, home=True, verified="2026-10-01")
    # doctors
    recs += _pro(20, "Marc", "MEDECIN", "10", "59002", specialty="SM54")
    recs += _member(pid(20), stages=("tp.a", "tp.b"), accepting=True, verified="2026-10-15")
    recs += _pro(21, "Maud", "LOIN", "10", "59006", specialty="SM54")
    recs += _pro(22, "Carl", "CARDIO", "10", "59005", specialty="SM04")
    recs += _pro(23, "Cécile", "COMPLET", "10", "59001", specialty="SM04")
    recs += _member(pid(23), accepting=False, verified="2026-10-15")
    # dietician, far away (beyond the search zone: found by the nearest-actor fallback)
    recs += _pro(30, "Denis", "DIET", "95", "62001")
    # pharmacy and pharmacist
    recs += _pro(40, "Paul", "PHARMA", "21", "59001")
    recs += [Structure(id="590000620", name="Pharmacie de la Gare", category_code="620", commune="59002",
                       phone="03 00 00 06 20", synthetic=True)]
    recs += _member("590000620", "Structure", accepting=True, verified="2026-11-01")
    # the CPTS itself, registered as a structure 25 km away but covering Alpha
    recs += [Structure(id="590000604", name="CPTS Test", category_code="604", commune="59005", synthetic=True)]
    recs += [Territory(id=TERRITORY, name="CPTS Test", finess="590000604",
                       communes=["59001", "59002", "59003", "59004"])]
    # partnerships with actors of the neighbouring stages (Marc MEDECIN takes part in stage a)
    recs += [
        Partnership(id="CONV-1", name="Suivi partagé", kind="convention",
                    parties=[("Professional", pid(1)), ("Professional", pid(20))], pathways=["tp"], signed=True),
        Partnership(id="INF-11", name="Staff du jeudi", kind="informel",
                    parties=[("Professional", pid(11)), ("Professional", pid(20))]),
    ]
    return recs


def build(store) -> None:
    """Write the hand-built territory into a store."""
    w = GraphWriter(store)
    w.prepare()
    w.add_all(hand_built_records())
    w.flush()


@pytest.fixture
def territory(store):
    """The hand-built territory in a fresh graph."""
    build(store)
    return store


def _role(answer: dict, key: str) -> dict:
    """One role of an answer."""
    return next(r for r in answer["roles"] if r["key"] == key)


def _ids(items: list[dict]) -> list[str]:
    """Ids of candidates or set-aside actors, in order."""
    return [i["id"] for i in items]


def _rules(item: dict, field: str = "reasons") -> list[str]:
    """Rules of an actor's reasons."""
    return [r["rule"] for r in item[field]]


def test_match_nurses_ranked_by_every_rule(territory):
    """participates > member > accepting > distance (km) > partnership > freshness; intervention zone serves."""
    ans = match(territory, "tp", "b", "Alpha", today=TODAY)
    nurse = _role(ans, "infirmier")
    assert _ids(nurse["candidates"]) == [pid(1), pid(9), pid(11), pid(2), pid(10), pid(3), pid(4)]
    assert [c["rank"] for c in nurse["candidates"]] == [1, 2, 3, 4, 5, 6, 7]
    first = nurse["candidates"][0]
    assert _rules(first) == ["within_radius", "participates", "member", "accepting", "partnership", "verified"]
    assert [r["text"] for r in first["reasons"]] == [
        "Exerce dans la commune du patient (Alpha)",
        "Participe à l'étape « Étape B » de ce parcours",
        "Adhérent de la CPTS Test",
        "Accepte de nouveaux patients",
        "Convention « Suivi partagé » avec Marc MEDECIN, qui participe à l'étape « Étape A »",
        "Données vérifiées le 01/10/2026 (il y a 52 jours)",
    ]
    assert first["phone"] == "06 00 00 00 01"  # the roster's phone before the Annuaire Santé's
    assert first["mssante"] == "ines.un@infirmier.mssante.fr"
    assert first["email"] == "inès.un@example.org"
    assert first["site"] == "Cabinet Un"
    assert first["commune"] == {"id": "59001", "name": "Alpha"}
    assert first["distance_km"] == 0.0
    # Igor QUATRE practises 8 km away but declares Alpha in his intervention zone
    last = nurse["candidates"][-1]
    assert _rules(last) == ["intervention_zone"]
    assert _rules(last, "notes") == ["accepting", "verified"]
    assert last["distance_km"] == 8.0
    assert nurse["more"] == 0
    assert nurse["rupture"] is False and nurse["nearest"] is None


def test_rule_distance_beats_partnership(territory):
    """Nina NEUF (0 km, no partnership) comes before Isaac ONZE (4 km, partnership)."""
    nurse = _role(match(territory, "tp", "b", "59001", today=TODAY), "infirmier")
    order = _ids(nurse["candidates"])
    assert order.index(pid(9)) < order.index(pid(11))
    assert "partnership" in _rules(nurse["candidates"][order.index(pid(11))])


def test_rule_partnership_breaks_a_distance_tie(territory):
    """Inès UN and Nina NEUF are alike at 0 km: the partnership with stage A's doctor decides."""
    nurse = _role(match(territory, "tp", "b", "59001", today=TODAY), "infirmier")
    assert _ids(nurse["candidates"])[:2] == [pid(1), pid(9)]


def test_rule_freshness_breaks_the_last_tie(territory):
    """Irène DIX and Iris TROIS (members, 2 km, no stage): the more recently verified first."""
    nurse = _role(match(territory, "tp", "b", "59001", today=TODAY), "infirmier")
    order = _ids(nurse["candidates"])
    assert order.index(pid(10)) == order.index(pid(3)) - 1


def test_rule_accepting_before_unknown(territory):
    """Ivan DEUX (acceptance not known) comes after Isaac ONZE (accepting), same distance."""
    nurse = _role(match(territory, "tp", "b", "59001", today=TODAY), "infirmier")
    ivan = next(c for c in nurse["candidates"] if c["id"] == pid(2))
    assert _rules(ivan, "notes") == ["accepting"]
    assert ivan["accepting_new_patients"] is None
    order = _ids(nurse["candidates"])
    assert order.index(pid(11)) < order.index(pid(2))


def test_set_aside_reasons(territory):
    """Not accepting, stale data, too far (within the search zone, 1.5 times the radius); farther: not listed."""
    nurse = _role(match(territory, "tp", "b", "59001", today=TODAY), "infirmier")
    assert _ids(nurse["set_aside"]) == [pid(5), pid(7), pid(6)]
    by_id = {s["id"]: s for s in nurse["set_aside"]}
    assert by_id[pid(5)]["set_aside"] == [{"rule": "not_accepting", "text": "N'accepte pas de nouveaux patients"}]
    assert by_id[pid(7)]["set_aside"] == [
        {"rule": "stale", "text": "Données non vérifiées depuis 690 jours (plus de 365)"}]
    assert by_id[pid(6)]["set_aside"] == [{"rule": "too_far", "text": "Trop loin : 8 km pour un rayon de 5 km"}]
    # 25 km away, taking part in the stage or not, is beyond the zone searched: not listed
    assert not {pid(8), pid(12)} & set(_ids(nurse["set_aside"]) + _ids(nurse["candidates"]))


def test_stale_days_is_a_parameter(territory):
    """With 800 days allowed, Sophie SEPT's data are fresh enough: she becomes a candidate."""
    nurse = _role(match(territory, "tp", "b", "59001", today=TODAY, stale_days=800), "infirmier")
    assert pid(7) in _ids(nurse["candidates"])
    assert pid(7) not in _ids(nurse["set_aside"])


def test_home_visit_asked(territory):
    """A home visit asked: 'no home visits' sets aside for a home role; known yes ranks before not known."""
    nurse = _role(match(territory, "tp", "b", "59001", home_visit=True, today=TODAY), "infirmier")
    assert nurse["home_visit_required"] is True
    assert _ids(nurse["candidates"]) == [pid(1), pid(11), pid(2), pid(3), pid(10), pid(4)]
    assert _ids(nurse["set_aside"]) == [pid(5), pid(9), pid(7), pid(6)]
    nina = next(s for s in nurse["set_aside"] if s["id"] == pid(9))
    assert nina["set_aside"] == [{"rule": "no_home_visits", "text": "Ne fait pas de visites à domicile"}]
    assert "home_visits" in _rules(nurse["candidates"][0])
    # a role that does not happen at home is not emptied by the request
    gp = _role(match(territory, "tp", "b", "59001", home_visit=True, today=TODAY), "medecin")
    assert gp["home_visit_required"] is False
    assert _ids(gp["candidates"]) == [pid(20)]
    assert _rules(gp["candidates"][0], "notes") == ["home_visits"]


def test_specialty_must_fit(territory):
    """The GP role keeps SM54 doctors; the cardiologists are not even set aside there."""
    gp = _role(match(territory, "tp", "b", "59001", today=TODAY), "medecin")
    assert _ids(gp["candidates"]) == [pid(20)]
    assert _ids(gp["set_aside"]) == [pid(21)]
    assert (gp["candidates"][0]["profession"], gp["candidates"][0]["specialty"]) == ("Médecin", "Médecine générale")


def test_rupture_with_nearest_outside_the_radius(territory):
    """No cardiologist within 10 km: a point de rupture naming the nearest one, 25 km away."""
    ans = match(territory, "tp", "b", "59001", today=TODAY)
    cardio = _role(ans, "cardiologue")
    assert cardio["candidates"] == []
    assert cardio["rupture"] is True
    assert _ids(cardio["set_aside"]) == [pid(23)]
    assert cardio["nearest"]["id"] == pid(22)
    assert cardio["nearest"]["distance_km"] == 25.0
    assert cardio["nearest"]["set_aside"] == [{"rule": "too_far", "text": "Trop loin : 25 km pour un rayon de 10 km"}]
    rupture = next(r for r in ans["ruptures"] if r["role"] == "cardiologue")
    assert rupture["message"] == ("Aucun acteur disponible pour le rôle « Cardiologue » dans un rayon de 10 km "
                                  "(1 écarté).")
    assert rupture["nearest"]["id"] == pid(22)


def test_rupture_nearest_found_beyond_the_search_zone(territory):
    """The only dietician is 80 km away, beyond the zone searched first: still named as the nearest."""
    ans = match(territory, "tp", "b", "59001", today=TODAY)
    diet = _role(ans, "dieteticien")
    assert diet["rupture"] is True and diet["set_aside"] == []
    assert diet["nearest"]["id"] == pid(30)
    assert diet["nearest"]["distance_km"] == 80.0
    assert diet["nearest"]["commune"] == {"id": "62001", "name": "Gamma"}


def test_optional_role_without_candidate_is_not_a_rupture(territory):
    """No HAD anywhere: the optional role is empty, with no nearest actor, and is not a rupture."""
    ans = match(territory, "tp", "b", "59001", today=TODAY)
    had = _role(ans, "had")
    assert had["candidates"] == [] and had["rupture"] is False and had["nearest"] is None
    assert [r["role"] for r in ans["ruptures"]] == ["cardiologue", "dieteticien"]
    # roles without an order in the graph: the required ones first, then the optional ones, by label
    assert [r["key"] for r in ans["roles"]] == ["cardiologue", "coordination", "dieteticien", "infirmier", "medecin",
                                               "had", "pharmacie"]


def test_structures_and_professionals_share_a_role(territory):
    """The pharmacy role: the member pharmacy (a structure) before the non-member pharmacist."""
    pharma = _role(match(territory, "tp", "b", "59001", today=TODAY), "pharmacie")
    assert _ids(pharma["candidates"]) == ["590000620", pid(40)]
    assert [c["kind"] for c in pharma["candidates"]] == ["structure", "professional"]
    assert pharma["candidates"][0]["category"] == "Pharmacie d'Officine"
    assert pharma["candidates"][0]["phone"] == "03 00 00 06 20"
    assert pharma["candidates"][0]["distance_km"] == 2.0


def test_rule_covers_commune(territory):
    """The CPTS structure is 25 km away but the territory it is registered as covers Alpha."""
    coord = _role(match(territory, "tp", "b", "59001", today=TODAY), "coordination")
    assert _ids(coord["candidates"]) == ["590000604"]
    assert _rules(coord["candidates"][0]) == ["covers_commune"]
    # outside the territory (Epsilon) it serves by distance only: 0 km there
    coord = _role(match(territory, "tp", "b", "59005", today=TODAY), "coordination")
    assert _rules(coord["candidates"][0]) == ["within_radius"]


def test_radius_option_applies_to_every_role(territory):
    """A 15 km radius brings Ilan SIX (8 km) in as a candidate."""
    nurse = _role(match(territory, "tp", "b", "59001", radius_km=15, today=TODAY), "infirmier")
    assert nurse["radius_km"] == 15
    assert pid(6) in _ids(nurse["candidates"])


def test_limit_counts_the_rest(territory):
    """limit=2 shows the first two nurses and the two nearest set-aside ones, and counts the others."""
    nurse = _role(match(territory, "tp", "b", "59001", limit=2, today=TODAY), "infirmier")
    assert _ids(nurse["candidates"]) == [pid(1), pid(9)]
    assert nurse["more"] == 5
    assert _ids(nurse["set_aside"]) == [pid(5), pid(7)]
    assert nurse["set_aside_more"] == 1


def test_profession_filter(territory):
    """profession=60 keeps the nurse role only; the other roles are listed as skipped."""
    ans = match(territory, "tp", "b", "59001", profession="60", today=TODAY)
    assert [r["key"] for r in ans["roles"]] == ["infirmier"]
    assert ans["skipped_roles"] == ["cardiologue", "coordination", "dieteticien", "medecin", "had", "pharmacie"]
    with pytest.raises(BadParameter) as err:
        match(territory, "tp", "b", "59001", profession="70", today=TODAY)
    assert str(err.value) == "profession 70 is not required at stage tp.b"
    assert err.value.message_fr == "La profession « 70 » n'intervient pas à l'étape « Étape B »."


def test_stage_fiche_and_neighbours(territory):
    """The answer carries the stage's fiche and its neighbours."""
    ans = match(territory, "tp", "tp.b", "59001", today=TODAY)
    st = ans["stage"]
    assert (st["id"], st["previous"], st["next"], st["previous_name"], st["next_name"]) == (
        "tp.b", "tp.a", "tp.c", "Étape A", "Étape C")
    assert (st["qui"], st["quand"], st["partage"]) == ("Infirmier, médecin", "Tous les mois", ["MSSanté", "DMP"])
    assert ans["commune"] == {"id": "59001", "name": "Alpha", "postal_codes": ["59100"], "department": "59"}
    assert ans["query"]["today"] == "2026-11-22"


@pytest.mark.parametrize("text, expected", [
    ("59001", "59001"),
    ("alpha", "59001"),
    ("ALPHA", "59001"),
    ("beta sur scarpe", "59002"),
    ("Béta-sur-Scarpe", "59002"),
    ("59300", "59003"),
    ("Gamma (62001)", "62001"),
    ("59300 gamma", "59003"),
    ("  Delta  ", "59004"),
])
def test_resolve_commune(territory, text, expected):
    """Codes, postal codes, names without accents or case, suggestion labels."""
    assert resolve_commune(match_data(territory).index, text).id == expected


@pytest.mark.parametrize("text, error, message, choices", [
    ("Gamma", AmbiguousCommune, "several communes match the name 'Gamma': Gamma (59003), Gamma (62001); "
                                "give the INSEE code", ["59003", "62001"]),
    ("59100", AmbiguousCommune, "several communes match the postal code 59100: Alpha (59001), "
                                "Béta-sur-Scarpe (59002); give the INSEE code", ["59001", "59002"]),
    ("Omega", UnknownCommune, "unknown commune 'Omega': no commune of the loaded territory has this INSEE code, "
                              "postal code or name", []),
    ("Alp", UnknownCommune, "unknown commune 'Alp': no commune of the loaded territory has this INSEE code, "
                            "postal code or name (did you mean Alpha (59001)?)", ["59001"]),
    ("  ", BadParameter, "the commune is missing (an INSEE code, a name or a postal code)", []),
])
def test_resolve_commune_errors(territory, text, error, message, choices):
    """Unknown and ambiguous communes say so, and offer the choices."""
    with pytest.raises(error) as err:
        resolve_commune(match_data(territory).index, text)
    assert str(err.value) == message
    assert [c["id"] for c in err.value.choices] == choices


def test_ambiguous_commune_french_message(territory):
    """The viewer's message is French."""
    with pytest.raises(AmbiguousCommune) as err:
        match(territory, "tp", "b", "Gamma", today=TODAY)
    assert err.value.message_fr == ("Plusieurs communes correspondent à le nom « Gamma » : Gamma (59003), "
                                    "Gamma (62001). Choisissez la commune du patient.")


@pytest.mark.parametrize("pathway, stage, error, message", [
    ("xx", "b", UnknownPathway, "unknown pathway 'xx' (known: tp)"),
    ("tp", "zz", UnknownStage, "unknown stage 'zz' of pathway 'tp' (stages: a, b, c)"),
    ("tp", "ic.suivi", UnknownStage, "unknown stage 'ic.suivi' of pathway 'tp' (stages: a, b, c)"),
    ("", "b", BadParameter, "the pathway is missing (--pathway, e.g. ic)"),
    ("tp", "", BadParameter, "the stage is missing (--stage, one of a, b, c)"),
])
def test_unknown_pathway_or_stage(territory, pathway, stage, error, message):
    """Unknown pathway or stage: the message lists the known ones."""
    with pytest.raises(error) as err:
        match(territory, pathway, stage, "59001", today=TODAY)
    assert str(err.value) == message


@pytest.mark.parametrize("args, message", [
    ({"radius_km": "500"}, "radius out of range: 500 km (between 0 and 200 km)"),
    ({"radius_km": "0"}, "radius out of range: 0 km (between 0 and 200 km)"),
    ({"radius_km": "loin"}, "malformed radius 'loin' (a number of km)"),
    ({"radius_km": "nan"}, "radius out of range: -1 km (between 0 and 200 km)"),
    ({"limit": "dix"}, "malformed limit 'dix' (an integer)"),
    ({"limit": "0"}, "limit out of range: 0 (between 1 and 200)"),
    ({"home_visit": "peut-être"}, "malformed home_visit 'peut-être' (expected 1 or 0)"),
    ({"profession": "infirmier"}, "malformed profession code 'infirmier' (a TRE_G15 code such as 60)"),
    ({"today": "22/11/2026"}, "malformed date '22/11/2026' (expected YYYY-MM-DD)"),
])
def test_malformed_parameters(args, message):
    """Each malformed or out-of-range option is refused with its value."""
    with pytest.raises(BadParameter) as err:
        MatchRequest.from_args({"pathway": "tp", "stage": "b", "commune": "59001", **args})
    assert str(err.value) == message


def test_cache_is_reused_and_rebuilt_after_a_load(territory):
    """The commune index and catalogue are built once per loaded graph."""
    cache: dict = {}
    first = match_data(territory, cache)
    assert match_data(territory, cache) is first
    from graph.model import Source

    w = GraphWriter(territory)
    w.add(Source(id="roster:x.csv", kind="roster", file="x.csv", sha256="0", loaded_at="2026-11-22T10:00:00+00:00"))
    w.flush()
    assert match_data(territory, cache) is not first


def test_names_are_data_not_markup(store):
    """A name with markup is carried as text (the viewer escapes it)."""
    recs = hand_built_records()
    recs += _pro(50, "<script>alert(1)</script>", "X&Y", "60", "59001")
    w = GraphWriter(store)
    w.prepare()
    w.add_all(recs)
    w.flush()
    nurse = _role(match(store, "tp", "b", "59001", today=TODAY), "infirmier")
    assert "<script>alert(1)</script> X&Y" in [c["name"] for c in nurse["candidates"]]
