"""The network, map, isolated-actors, points-of-failure and what-if pages, on the hand-built territory."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest

from graph.model import Professional
from test_analysis_projection import (CAMBRAI, CARDIO, DECHY, DOUAI, GP1, GP2, MASNY, MSP_A, MSP_B, NURSE1, NURSE2,
                                      NURSE3, PHARMACIST, PHARMACY, SIN, territory_records, write)


@pytest.fixture
def tclient(store):
    """A test client of the viewer on the hand-built territory."""
    from web import create_app

    write(store, territory_records())
    return create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test"}).test_client()


def embedded(html: str, element_id: str):
    """The JSON embedded in a ``<script type="application/json" id=...>``."""
    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, f"no #{element_id} in the page"
    return json.loads(m.group(1))


def graph_data(tclient, query: str = ""):
    """The nodes and edges of the pyvis drawing."""
    r = tclient.get("/reseau/graphe.html" + query)
    assert r.status_code == 200, r.data
    data = embedded(r.get_data(as_text=True), "graph-data")
    return {n["id"]: n for n in data["nodes"]}, data["edges"]


def figures(html: str, element_id: str) -> list[str]:
    """The numbers of a figures list, in order."""
    block = re.search(rf'<ul class="figures" id="{element_id}">(.*?)</ul>', html, re.S).group(1)
    return re.findall(r"<strong>(\d+)</strong>", block)


# --- /reseau ---------------------------------------------------------------


def test_network_page(tclient):
    r = tclient.get("/reseau")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<h1>Réseau du territoire</h1>" in html and "pas des patients partagés observés" in html
    assert figures(html, "network-figures") == ["10", "9", "1", "3", "3"]
    assert 'src="/reseau/graphe.html"' in html


def test_network_drawing_marks_the_isolated_nurse_and_the_bridges(tclient):
    nodes, edges = graph_data(tclient)
    assert sorted(nodes) == sorted([GP1, GP2, NURSE1, NURSE2, CARDIO, NURSE3, PHARMACIST, MSP_A, MSP_B, PHARMACY])
    assert [n for n, d in nodes.items() if d["isolated"]] == [NURSE3]
    assert sorted(n for n, d in nodes.items() if d["spof"]) == sorted([MSP_A, MSP_B, GP1])
    bridges = sorted(tuple(sorted((e["from"], e["to"]))) for e in edges if e["bridge"])
    assert bridges == sorted([(MSP_A, MSP_B), (GP1, CARDIO), (PHARMACY, PHARMACIST)])
    assert nodes[MSP_A]["shape"] == "square" and nodes[GP1]["shape"] == "dot"
    assert nodes[GP1]["size"] > nodes[CARDIO]["size"]  # sized by degree
    assert nodes[NURSE3]["url"] == f"/acteurs/{NURSE3}"
    assert "ISOLÉ : aucun lien déclaré" in nodes[NURSE3]["title"]


def test_network_drawing_is_served_offline(tclient):
    html = tclient.get("/reseau/graphe.html").get_data(as_text=True)
    assert '<script src="/static/vendor/vis-network/vis-network.min.js">' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    with tclient.get("/static/vendor/vis-network/vis-network.min.js") as r:
        assert r.status_code == 200


def test_pathway_filter_marks_the_pathway_points_of_failure(tclient):
    nodes, edges = graph_data(tclient, "?parcours=ic")
    assert sorted(nodes) == sorted([GP1, GP2, NURSE1, NURSE2, CARDIO, MSP_A, MSP_B])
    assert sorted(n for n, d in nodes.items() if d["spof"]) == sorted([MSP_A, MSP_B, GP1])
    handoff = [e for e in edges if {e["from"], e["to"]} == {GP1, CARDIO}][0]
    assert "relais entre étapes d'un parcours" in handoff["title"] and "informel : Staff IC" in handoff["title"]


@pytest.mark.parametrize("query, expected", [
    ("?etape=ic.suivi", [NURSE1, NURSE2]),
    ("?profession=p:60", [NURSE1, NURSE2, NURSE3]),
    ("?profession=c:603", [MSP_A, MSP_B]),
    ("?commune=59569", [GP2, NURSE2, MSP_B]),
    ("?portee=tout&commune=59170", [NURSE3]),
])
def test_filters(tclient, query, expected):
    nodes, _edges = graph_data(tclient, query)
    assert sorted(nodes) == sorted(expected)


def test_aggregate_view(tclient, monkeypatch):
    import web.network

    monkeypatch.setattr(web.network, "MAX_ACTORS", 5)
    html = tclient.get("/reseau").get_data(as_text=True)
    assert 'id="aggregate-note"' in html and "regroupés par commune" in html
    nodes, edges = graph_data(tclient)
    assert {n: d["label"] for n, d in nodes.items()} == {
        f"g:{DOUAI}": "Douai (6)", f"g:{SIN}": "Sin-le-Noble (3)", f"g:{DECHY}": "Dechy (1)"}
    assert nodes[f"g:{DOUAI}"]["url"] == f"/reseau?commune={DOUAI}"
    assert [(e["from"], e["to"]) for e in edges] == [(f"g:{DOUAI}", f"g:{SIN}")]
    nodes, _edges = graph_data(tclient, f"?commune={DOUAI}")  # then by profession inside the commune
    assert sorted(nodes) == sorted(["g:p:10", "g:p:60", "g:p:21", "g:c:603", "g:c:620"])


@pytest.mark.parametrize("query, status, message", [
    ("?parcours=xx", 404, "Le parcours « xx » n&#39;existe pas."),
    ("?etape=ic.nope", 404, "L&#39;étape « ic.nope » n&#39;existe pas."),
    ("?commune=99999", 404, "La commune « 99999 » n&#39;est pas dans le graphe."),
    ("?profession=zz", 400, "Le filtre de profession « zz » n&#39;est pas reconnu."),
    (f"?commune={CAMBRAI}", 200, "Aucun acteur ne correspond à ces filtres."),
])
def test_network_bad_filters(tclient, query, status, message):
    r = tclient.get("/reseau" + query)
    assert r.status_code == status
    assert message in r.get_data(as_text=True)
    assert 'id="network-frame"' not in r.get_data(as_text=True)
    assert tclient.get("/reseau/graphe.html" + query).status_code == 404


def test_names_are_escaped(store):
    from web import create_app

    records = territory_records() + [Professional(id="810000000666", id_type="RPPS", identifier="10000000666",
                                                  last_name="</script><script>alert(1)</script>",
                                                  profession_code="60")]
    write(store, records)
    client = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t"}).test_client()
    html = client.get("/reseau/graphe.html?portee=tout").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in html
    nodes = {n["id"]: n for n in embedded(html, "graph-data")["nodes"]}
    assert nodes["810000000666"]["label"] == "</script><script>alert(1)</script>"
    page = client.get("/isoles?portee=tout").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- /carte ----------------------------------------------------------------


def test_map_page(tclient):
    r = tclient.get("/carte?etape=ic.suivi")
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    data = embedded(html, "map-data")
    status = {c["code"]: c["status"] for c in data["communes"]}
    assert status == {DOUAI: 3, SIN: 3, DECHY: 3, MASNY: 1, CAMBRAI: 0}
    masny = [c for c in data["communes"] if c["code"] == MASNY][0]
    assert masny["roles"] == [{"label": "Infirmier libéral", "optional": False, "n": 1, "aside": 0},
                              {"label": "Pharmacien", "optional": True, "n": 0, "aside": 0}]
    assert sorted(a["id"] for a in data["actors"]) == sorted([NURSE1, NURSE2, NURSE3, PHARMACIST, PHARMACY])
    assert figures(html, "map-figures") == ["1", "1", "3", "5"]
    assert '<script src="/static/vendor/leaflet/leaflet.js">' in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_map_default_and_engaged_basis(tclient):
    html = tclient.get("/carte").get_data(as_text=True)
    assert "Insuffisance cardiaque — Dépistage précoce" in html
    data = embedded(tclient.get("/carte?etape=ic.suivi&base=engages").get_data(as_text=True), "map-data")
    assert {c["code"]: c["status"] for c in data["communes"]} == {DOUAI: 2, SIN: 2, DECHY: 2, MASNY: 0, CAMBRAI: 0}
    assert sorted(a["id"] for a in data["actors"]) == [NURSE1, NURSE2]


def test_map_single_cardiologist(tclient):
    data = embedded(tclient.get("/carte?parcours=ic&etape=ic.diagnostic").get_data(as_text=True), "map-data")
    assert {c["status"] for c in data["communes"]} == {1}
    assert [(a["id"], a["engaged"]) for a in data["actors"]] == [(CARDIO, True)]


@pytest.mark.parametrize("query, status, message", [
    ("?parcours=xx", 404, "Le parcours « xx » n&#39;existe pas."),
    ("?parcours=ic&etape=ic.nope", 404, "L&#39;étape « ic.nope » n&#39;existe pas dans le parcours « ic »."),
    ("?base=toto", 400, "La base « toto » n&#39;est pas reconnue"),
])
def test_map_bad_input(tclient, query, status, message):
    r = tclient.get("/carte" + query)
    assert r.status_code == status and message in r.get_data(as_text=True)
    assert 'id="map-data"' not in r.get_data(as_text=True)


def test_coverage_csv(tclient):
    r = tclient.get("/carte/couverture.csv?parcours=ic")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeffparcours;etape;")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 20
    row = [x for x in rows if x["commune"] == MASNY and x["role"] == "ic.suivi.infirmier"][0]
    assert (row["commune_nom"], row["disponibles"], row["engages"], row["acteurs_disponibles"]) == \
        ("Masny", "1", "0", NURSE3)
    assert tclient.get("/carte/couverture.csv?parcours=xx").status_code == 404


# --- /isoles ---------------------------------------------------------------


def test_isolated_page(tclient):
    html = tclient.get("/isoles").get_data(as_text=True)
    assert figures(html, "isolation-figures") == ["10", "9", "1", "2", "7"]
    table = re.search(r'<table class="compact" id="isolated-table">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-actor="(\d+)"', table) == [NURSE3]
    assert f'<a href="/acteurs/{NURSE3}">Test Infirmier-Isole</a>' in table
    outside = re.search(r'id="outside-table">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-actor="(\d+)"', outside) == [PHARMACY, PHARMACIST]
    assert "Barnett 2011" in html and "hôpital" in html


def test_isolated_filters_and_csv(tclient):
    html = tclient.get(f"/isoles?commune={DOUAI}").get_data(as_text=True)
    assert "Acteurs isolés (0 — Douai)" in html
    html = tclient.get("/isoles?profession=Infirmier").get_data(as_text=True)
    assert "Acteurs isolés (1 — Infirmier)" in html
    r = tclient.get("/isoles.csv")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert [(x["statut"], x["identifiant"], x["communes"]) for x in rows] == [
        ("isolé", NURSE3, "Dechy"), ("hors de la composante principale", PHARMACY, "Douai"),
        ("hors de la composante principale", PHARMACIST, "Douai")]
    r = tclient.get("/isoles?commune=99999")
    assert r.status_code == 404 and "La commune « 99999 » n&#39;est pas dans le graphe." in r.get_data(as_text=True)


# --- /points-de-rupture ----------------------------------------------------


def test_points_of_failure_page(tclient):
    html = tclient.get("/points-de-rupture?parcours=ic").get_data(as_text=True)
    assert figures(html, "spof-figures") == ["7", "8", "3", "2", "2"]
    art = re.search(r'id="articulation-table">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-actor="(\d+)"', art) == [MSP_A, MSP_B, GP1]
    bridges = re.search(r'id="bridges-table">(.*?)</table>', html, re.S).group(1)
    assert "MSP A" in bridges and "MSP B" in bridges and "partenariat" in bridges
    single = re.search(r'id="single-table">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-actor="(\d+)"', single) == [CARDIO, NURSE3]
    assert "Insuffisance cardiaque — Confirmation du diagnostic" in single
    targets = re.search(r'id="targets-table">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'data-actor="(\d+)"', targets) == [NURSE3]
    assert "aucun lien" in re.search(r'id="handoffs-table">(.*?)</table>', html, re.S).group(1)


def test_points_of_failure_csv_and_bad_input(tclient):
    r = tclient.get("/points-de-rupture.csv?parcours=ic")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert [x["type"] for x in rows].count("pont") == 2
    assert [x["acteur"] for x in rows if x["type"] == "un seul acteur"] == [CARDIO, NURSE3]
    r = tclient.get("/points-de-rupture?parcours=xx")
    assert r.status_code == 404 and "Le parcours « xx » n&#39;existe pas." in r.get_data(as_text=True)
    assert tclient.get("/points-de-rupture.csv?parcours=xx").status_code == 404


# --- /simulation -----------------------------------------------------------


def test_whatif_form_lists_critical_actors(tclient):
    html = tclient.get("/simulation").get_data(as_text=True)
    assert 'id="whatif-form"' in html
    table = re.search(r'id="critical-table">(.*?)</table>', html, re.S).group(1)
    assert "MSP A" in table and f"/simulation?acteur={MSP_A}" in table


def test_whatif_the_cardiologist_retires(tclient):
    html = tclient.get(f"/simulation?acteur={CARDIO}").get_data(as_text=True)
    assert figures(html, "whatif-figures") == ["1", "0", "1", "0", "0"]
    lost = re.search(r'id="lost-table">(.*?)</table>', html, re.S).group(1)
    assert "Confirmation du diagnostic" in lost and "Cambrai, Dechy, Douai, Masny, Sin-le-Noble" in lost


def test_whatif_msp_closes(tclient):
    html = tclient.get(f"/simulation?acteur={MSP_A}").get_data(as_text=True)
    assert figures(html, "whatif-figures") == ["0", "0", "0", "3", "3"]
    assert 'id="nothing-lost"' in html and "coupé de la composante principale" in html


def test_whatif_by_name(tclient):
    html = tclient.get("/simulation?acteur=infirmier isole").get_data(as_text=True)
    assert "Sans <a" in html and "Masny" in html
    html = tclient.get("/simulation?acteur=infirmier").get_data(as_text=True)
    assert "Plusieurs acteurs correspondent" in html
    assert len(re.findall(r"/simulation\?acteur=\d+", html)) == 3
    r = tclient.get("/simulation?acteur=zzz")
    assert r.status_code == 404 and "Aucun acteur ne correspond à « zzz »" in r.get_data(as_text=True)


# --- empty graph, graph without links --------------------------------------


@pytest.mark.parametrize("url", ["/reseau", "/carte", "/isoles", "/points-de-rupture", "/simulation"])
def test_empty_graph(client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert "Le graphe est vide" in r.get_data(as_text=True)


def test_graph_without_links(store):
    from web import create_app

    write(store, [Professional(id="810000000099", id_type="RPPS", identifier="10000000099", last_name="Seul",
                               profession_code="60")])
    client = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t"}).test_client()
    html = client.get("/isoles").get_data(as_text=True)
    assert 'id="no-links"' in html and "Aucun lien déclaré" in html
    html = client.get("/reseau").get_data(as_text=True)
    assert "tous les acteurs sont isolés" in html
    assert "Aucun parcours n&#39;est chargé" in client.get("/carte").get_data(as_text=True)
    assert "Aucun parcours n'est chargé" in client.get("/points-de-rupture").get_data(as_text=True)


def test_network_pages_mark_synthetic_actors(demo_store):
    """On the demo, the isolated-actor page badges the invented professionals, not the real FINESS sites."""
    from web import create_app

    client = create_app({"TESTING": True, "STORE": demo_store, "SECRET_KEY": "test"}).test_client()
    html = client.get("/isoles").get_data(as_text=True)
    table = re.search(r'id="isolated-table">(.*?)</table>', html, re.S).group(1)
    rows = re.findall(r'data-actor="(\d+)"><td><a href="/acteurs/\d+">[^<]+</a>'
                      r'( <span class="badge synth">synthétique</span>)?', table)
    pros = [badge for aid, badge in rows if len(aid) > 9]  # RPPS numbers: the invented professionals
    structures = [badge for aid, badge in rows if len(aid) == 9]  # FINESS numbers: real sites
    assert pros and structures and all(pros) and not any(structures)
