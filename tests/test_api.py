"""The JSON API on the hand-built territory: match, actors, pathways, commune suggestions."""
from __future__ import annotations

import pytest

from test_matching import build, pid
from web import create_app


@pytest.fixture
def api(store):
    """A test client on the hand-built territory, today pinned to 2026-11-22."""
    build(store)
    return create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t", "TODAY": "2026-11-22"}).test_client()


def _role(answer: dict, key: str) -> dict:
    """One role of an answer."""
    return next(r for r in answer["roles"] if r["key"] == key)


def test_match(api):
    """The ranked candidates, set-aside actors and ruptures of the hand-built territory."""
    r = api.get("/api/match?pathway=tp&stage=b&commune=Alpha")
    assert r.status_code == 200 and r.mimetype == "application/json"
    ans = r.get_json()
    assert ans["ok"] is True
    assert ans["query"] == {"pathway": "tp", "stage": "b", "commune": "59001", "home_visit": False,
                            "radius_km": None, "profession": None, "limit": 10, "stale_days": 365,
                            "today": "2026-11-22"}
    nurse = _role(ans, "infirmier")
    assert [c["id"] for c in nurse["candidates"]] == [pid(n) for n in (1, 9, 11, 2, 10, 3, 4)]
    assert [s["id"] for s in nurse["set_aside"]] == [pid(n) for n in (5, 7, 6)]
    assert set(nurse["candidates"][0]) == {
        "rank", "id", "kind", "name", "profession", "specialty", "category", "site", "address", "commune",
        "distance_km", "phone", "email", "mssante", "member", "participates", "accepting_new_patients",
        "home_visits", "last_verified", "synthetic", "reasons", "notes"}
    assert [(r["role"], r["nearest"]["id"]) for r in ans["ruptures"]] == [("cardiologue", pid(22)),
                                                                          ("dieteticien", pid(30))]


def test_match_stale_days_setting(store):
    """The STALE_DAYS setting is the default the API uses; stale_days= overrides it."""
    build(store)
    client = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t", "TODAY": "2026-11-22",
                         "STALE_DAYS": 800}).test_client()
    nurse = _role(client.get("/api/match?pathway=tp&stage=b&commune=59001").get_json(), "infirmier")
    assert pid(7) in [c["id"] for c in nurse["candidates"]]
    nurse = _role(client.get("/api/match?pathway=tp&stage=b&commune=59001&stale_days=365").get_json(), "infirmier")
    assert pid(7) in [s["id"] for s in nurse["set_aside"]]


@pytest.mark.parametrize("query, error", [
    ("pathway=xx&stage=b&commune=59001", "Parcours inconnu : « xx ». Parcours disponibles : Parcours test."),
    ("pathway=tp&stage=zz&commune=59001",
     "Étape inconnue : « zz » dans le parcours « Parcours test ». Étapes : Étape A, Étape B, Étape C."),
    ("pathway=tp&stage=b&commune=Omega", "Commune inconnue : « Omega ». Aucune commune du territoire chargé n'a ce "
                                         "nom, ce code postal ou ce code INSEE."),
    ("pathway=tp&stage=b", "Indiquez la commune du patient (nom, code postal ou code INSEE)."),
    ("pathway=tp&stage=b&commune=59001&radius_km=-2",
     "Rayon hors limites : -2 km. Indiquez un rayon entre 0 et 200 km."),
    ("pathway=tp&stage=b&commune=59001&radius_km=abc", "Rayon invalide : « abc ». Indiquez un nombre de kilomètres."),
    ("pathway=tp&stage=b&commune=59001&home_visit=2",
     "Valeur invalide pour la visite à domicile : « 2 » (oui ou non)."),
    ("pathway=tp&stage=b&commune=59001&profession=x1",
     "Code de profession invalide : « x1 » (code TRE_G15, par exemple 60)."),
    ("pathway=tp&stage=b&commune=59001&today=hier", "Date invalide : « hier » (AAAA-MM-JJ)."),
])
def test_match_bad_input(api, query, error):
    """Each bad input: a 400 with the error shape and a French message."""
    r = api.get(f"/api/match?{query}")
    assert r.status_code == 400
    body = r.get_json()
    choices = [c["id"] for c in body.pop("choices", [])]
    assert body == {"ok": False, "error": error, "status": 400}
    # an unknown pathway or stage offers the known ones
    expected = {"pathway=xx": ["tp"], "stage=zz": ["tp.a", "tp.b", "tp.c"]}
    assert choices == next((v for k, v in expected.items() if k in query), [])


def test_match_ambiguous_commune_offers_choices(api):
    """An ambiguous commune: a 400 whose choices are the communes."""
    r = api.get("/api/match?pathway=tp&stage=b&commune=59100")
    assert r.status_code == 400
    assert r.get_json() == {
        "ok": False, "status": 400,
        "error": "Plusieurs communes correspondent à le code postal 59100 : Alpha (59001), Béta-sur-Scarpe (59002). "
                 "Choisissez la commune du patient.",
        "choices": [{"id": "59001", "name": "Alpha", "postal_codes": ["59100"], "department": "59"},
                    {"id": "59002", "name": "Béta-sur-Scarpe", "postal_codes": ["59100"], "department": "59"}]}


def test_actor_professional(api):
    """A professional: identity, activities, memberships, participations, partnerships, provenance."""
    r = api.get(f"/api/actors/{pid(1)}")
    assert r.status_code == 200
    a = r.get_json()["actor"]
    assert (a["id"], a["kind"], a["name"], a["profession"]) == (pid(1), "professional", "Inès UN", "Infirmier")
    assert [x["site_name"] for x in a["activities"]] == ["Cabinet Un"]
    assert [(m["territory_name"], m["last_verified"]) for m in a["memberships"]] == [("CPTS Test", "2026-10-01")]
    assert [(p["pathway"], p["stage_key"]) for p in a["participations"]] == [("tp", "b")]
    assert [(p["id"], [o["id"] for o in p["others"]], [w["id"] for w in p["pathways"]])
            for p in a["partnerships"]] == [("CONV-1", [pid(20)], ["tp"])]
    assert a["last_verified"] == "2026-10-01"
    assert a["source"] == {"file": None, "line": None, "updated": None, "synthetic": True}


def test_actor_structure(api):
    """A structure: category, the CPTS it is registered as, its intervention zone."""
    a = api.get("/api/actors/590000604").get_json()["actor"]
    assert (a["kind"], a["name"], a["category"]) == ("structure", "CPTS Test", "CPTS")
    assert a["registered_as"] == [{"id": "cpts-test", "name": "CPTS Test"}]
    assert a["memberships"] == [] and a["partnerships"] == []
    a = api.get(f"/api/actors/{pid(4)}").get_json()["actor"]
    assert a["interventions"] == [{"id": "59001", "name": "Alpha"}]


def test_actor_unknown(api):
    """An unknown id: a 404 with the error shape."""
    r = api.get("/api/actors/000000000")
    assert r.status_code == 404
    assert r.get_json() == {"ok": False, "status": 404,
                            "error": "Aucun professionnel ni aucune structure n'a l'identifiant « 000000000 »."}


def test_pathways(api):
    """Every pathway with its stage ids, fiches and roles; one pathway by id."""
    r = api.get("/api/pathways")
    assert r.status_code == 200
    pathways = r.get_json()["pathways"]
    assert [p["id"] for p in pathways] == ["tp"]
    assert [(s["id"], s["key"], s["order"], s["previous"], s["next"]) for s in pathways[0]["stages"]] == [
        ("tp.a", "a", 1, None, "tp.b"), ("tp.b", "b", 2, "tp.a", "tp.c"), ("tp.c", "c", 3, "tp.b", None)]
    b = pathways[0]["stages"][1]
    assert b["roles"][3] == {"key": "infirmier", "label": "Infirmier libéral", "professions": ["60"],
                             "specialties": [], "categories": [], "radius_km": 5.0, "home_visit": True,
                             "optional": False}
    assert api.get("/api/pathways/tp").get_json()["pathway"] == pathways[0]
    r = api.get("/api/pathways/nope")
    assert r.status_code == 404
    assert r.get_json() == {"ok": False, "status": 404, "error": "Parcours inconnu : « nope »."}


@pytest.mark.parametrize("q, expected", [
    ("alpha", ["59001"]),
    ("ALP", ["59001"]),
    ("beta", ["59002"]),
    ("gamma", ["59003", "62001"]),
    ("59300", ["59003"]),
    ("5910", ["59001", "59002"]),
    ("62", ["62001"]),
    ("", []),
    ("zzz", []),
])
def test_commune_suggestions(api, q, expected):
    """Suggestions by name prefix (accents, case ignored), postal code or code prefix."""
    r = api.get("/api/communes", query_string={"q": q})
    assert r.status_code == 200
    assert [c["id"] for c in r.get_json()["communes"]] == expected


def test_commune_suggestion_labels(api):
    """A suggestion's label is what the resolver reads back."""
    c = api.get("/api/communes?q=b%C3%A9ta").get_json()["communes"][0]
    assert c == {"id": "59002", "name": "Béta-sur-Scarpe", "postal_codes": ["59100"], "department": "59",
                 "label": "Béta-sur-Scarpe (59002)"}
    r = api.get("/api/match", query_string={"pathway": "tp", "stage": "b", "commune": c["label"]})
    assert r.get_json()["commune"]["id"] == "59002"


def test_commune_suggestions_text_too_long(api):
    """A suggestion text longer than 100 characters is a 400."""
    r = api.get("/api/communes", query_string={"q": "x" * 101})
    assert r.status_code == 400
    assert r.get_json() == {"ok": False, "status": 400, "error": "Texte trop long (plus de 100 caractères)."}
