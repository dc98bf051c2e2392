"""The viewer's search, results, actor and pathway pages, with the Flask test client, on the hand-built territory."""
from __future__ import annotations

import re
from html import unescape

import pytest

from test_matching import build, pid
from web import create_app


@pytest.fixture
def tclient(store):
    """A test client on the hand-built territory, today pinned to 2026-11-22."""
    build(store)
    app = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test", "TODAY": "2026-11-22"})
    return app.test_client()


def _section(html: str, role: str) -> str:
    """The HTML of one role's section of the results page."""
    start = html.index(f'id="role-{role}"')
    return html[start:html.index("</section>", start)]


def _names(html: str) -> list[str]:
    """Candidate names, in order."""
    return [unescape(n) for n in re.findall(r'class="cand-name" href="[^"]*">([^<]*)</a>', html)]


def test_search_page_lists_pathways_and_stages(tclient):
    """The form offers the pathways, their stages (full ids) and the professions."""
    r = tclient.get("/")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>Qui peut prendre ce patient à cette étape ?</h1>" in html
    assert '<option value="tp">Parcours test</option>' in html
    assert '<optgroup label="Parcours test" data-pathway="tp">' in html
    assert re.findall(r'<option value="(tp\.\w)"', html) == ["tp.a", "tp.b", "tp.c"]
    assert '<option value="60">Infirmier</option>' in html
    assert 'data-suggest-url="/api/communes"' in html


def test_search_page_preselects_from_the_pathway_page(tclient):
    """A link from a pathway's stage arrives with the pathway and stage chosen."""
    html = tclient.get("/?pathway=tp&stage=tp.b").get_data(as_text=True)
    assert '<option value="tp" selected>Parcours test</option>' in html
    assert '<option value="tp.b" selected>2. Étape B</option>' in html


def test_results_page(tclient):
    """Candidates ranked per role with reasons, set-aside actors folded, ruptures, the stage's fiche."""
    r = tclient.get("/recherche?pathway=tp&stage=b&commune=alpha")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    nurses = _section(html, "infirmier")
    assert _names(nurses) == ["Inès UN", "Nina NEUF", "Isaac ONZE", "Ivan DEUX", "Irène DIX", "Iris TROIS",
                              "Igor QUATRE"]
    assert "<summary>Acteurs écartés (3)</summary>" in nurses
    assert ('<span class="set-aside-reason" data-rule="stale">Données non vérifiées depuis 690 jours (plus de 365)'
            '</span>') in nurses
    assert ('<li class="reason" data-rule="partnership">Convention « Suivi partagé » avec Marc MEDECIN, qui participe '
            'à l&#39;étape « Étape A »</li>') in nurses
    assert 'href="tel:0600000001"' in nurses and "ines.un@infirmier.mssante.fr" in nurses
    assert f'href="/acteurs/{pid(1)}"' in nurses
    # ruptures highlighted at the top, and in their roles
    assert '<h2 id="ruptures-title">Points de rupture (2)</h2>' in html
    assert "Aucun acteur disponible pour le rôle « Cardiologue » dans un rayon de 10 km (1 écarté)." in html
    assert 'class="role role-rupture" id="role-cardiologue"' in html
    assert "Aucun candidat pour ce rôle facultatif" in _section(html, "had")
    # the fiche, escaped
    assert "<dt>Quoi</dt><dd>Suivre &lt;le patient&gt; &amp; l&#39;aider</dd>" in html
    assert "<dt>Partage d'information</dt><dd>MSSanté, DMP</dd>" in html
    assert 'href="/recherche?pathway=tp&amp;stage=tp.a&amp;commune=Alpha+(59001)"' in html  # previous stage
    assert 'href="/api/match?pathway=tp&amp;stage=tp.b&amp;commune=59001"' in html


def test_results_with_options(tclient):
    """Home visit asked and a wider radius change the answer and show in the summary."""
    html = tclient.get("/recherche?pathway=tp&stage=tp.b&commune=59001&home_visit=1&radius_km=15&limit=3"
                       ).get_data(as_text=True)
    assert '<span class="badge warn">visite à domicile nécessaire</span>' in html
    nurses = _section(html, "infirmier")
    assert _names(nurses) == ["Inès UN", "Isaac ONZE", "Ivan DEUX"]
    assert "… et 4 autres candidats" in nurses
    assert '<input type="checkbox" name="home_visit" value="1" checked>' in html


@pytest.mark.parametrize("query, status, message", [
    ("pathway=xx&stage=b&commune=59001", 400, "Parcours inconnu : « xx ». Parcours disponibles : Parcours test."),
    ("pathway=tp&stage=zz&commune=59001", 400,
     "Étape inconnue : « zz » dans le parcours « Parcours test ». Étapes : Étape A, Étape B, Étape C."),
    ("pathway=tp&stage=b&commune=Omega", 400,
     "Commune inconnue : « Omega ». Aucune commune du territoire chargé n'a ce nom, ce code postal ou ce code INSEE."),
    ("pathway=tp&stage=b&commune=", 400, "Indiquez la commune du patient (nom, code postal ou code INSEE)."),
    ("pathway=tp&stage=b&commune=59001&radius_km=500", 400,
     "Rayon hors limites : 500 km. Indiquez un rayon entre 0 et 200 km."),
    ("pathway=tp&stage=b&commune=59001&radius_km=loin", 400,
     "Rayon invalide : « loin ». Indiquez un nombre de kilomètres."),
    ("pathway=tp&stage=b&commune=59001&limit=-3", 400, "Nombre de résultats hors limites : -3 (entre 1 et 200)."),
    ("pathway=&stage=&commune=59001", 400, "Choisissez un parcours."),
    ("pathway=tp&stage=b&commune=Gamma", 200, "Plusieurs communes correspondent à le nom « Gamma » : Gamma (59003), "
                                               "Gamma (62001). Choisissez la commune du patient."),
])
def test_bad_input_gets_a_french_message(tclient, query, status, message):
    """Each bad input shows the form again with its French message."""
    r = tclient.get(f"/recherche?{query}")
    assert r.status_code == status
    html = r.get_data(as_text=True)
    escaped = message.replace("&", "&amp;").replace("'", "&#39;")
    assert f'<div class="error-message" role="alert">\n  <p>{escaped}</p>' in html
    assert '<form class="panel match-form"' in html


def test_ambiguous_commune_offers_choices(tclient):
    """An ambiguous name offers one link per commune, keeping the other fields."""
    html = tclient.get("/recherche?pathway=tp&stage=b&commune=Gamma&home_visit=1").get_data(as_text=True)
    links = re.findall(r'<li><a href="([^"]*)">([^<]*)</a></li>', html)
    assert links == [
        ("/recherche?pathway=tp&amp;stage=b&amp;commune=Gamma+(59003)&amp;home_visit=1", "Gamma (59003)"),
        ("/recherche?pathway=tp&amp;stage=b&amp;commune=Gamma+(62001)&amp;home_visit=1", "Gamma (62001)"),
    ]
    assert tclient.get(unescape(links[1][0])).status_code == 200


def test_five_digits_that_are_two_communes_codes_are_a_choice(store):
    """A person typing 59004 may mean Delta (INSEE 59004) or Eta (postal code 59004): both are offered,
    and each choice leads to its own results page, not back to the choice."""
    build(store)
    store.write("CREATE (:Commune {id: '62002', name: 'Eta', department: '62', postal_codes: ['59004'], "
                "lat: 50.1, lon: 3.0})")
    client = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test", "TODAY": "2026-11-22"}).test_client()
    page = client.get("/recherche?pathway=tp&stage=b&commune=59004")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "« 59004 » est le code INSEE de Delta (59004) et le code postal de Eta (62002)" in unescape(html)
    links = re.findall(r'<li><a href="([^"]*)">([^<]*)</a></li>', html)
    assert [label for _url, label in links] == ["Eta (62002)", "Delta (59004)"]
    for url, label in links:
        chosen = client.get(unescape(url))
        assert chosen.status_code == 200 and f"Étape B — {label.split(' (')[0]}" in unescape(chosen.get_data(as_text=True))
    # the API and the CLI are sent codes by programs: the INSEE code is read as such
    assert client.get("/api/match?pathway=tp&stage=b&commune=59004").get_json()["commune"]["id"] == "59004"


def test_actor_page_professional(tclient):
    """Identity, activities, membership, pathways, partnerships, source and last verified date."""
    r = tclient.get(f"/acteurs/{pid(1)}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<h1>Inès UN" in html
    assert "<dt>Profession</dt><dd>Infirmier</dd>" in html
    assert "Cabinet Un" in html and "Alpha <span class=\"muted\">(59001)</span>" in html
    assert "<td>CPTS Test</td>" in html and "<td>01/10/2026</td>" in html
    assert '<a href="/parcours/tp#etape-b">Parcours test › Étape B</a>' in html
    assert f'<a href="/acteurs/{pid(20)}">Marc MEDECIN</a>' in html
    assert "<dt>Dernière vérification par la CPTS</dt><dd>01/10/2026</dd>" in html


def test_actor_page_structure(tclient):
    """A structure: category, commune, the CPTS it is registered as."""
    html = tclient.get("/acteurs/590000604").get_data(as_text=True)
    assert "<dt>Catégorie</dt><dd>CPTS <span class=\"muted\">(604)</span></dd>" in html
    assert "(commune : Epsilon, 59005)" in html
    assert "<dt>CPTS</dt><dd>CPTS Test</dd>" in html


def test_unknown_actor_is_a_french_404(tclient):
    """An unknown id: the French error page."""
    r = tclient.get("/acteurs/123456789")
    assert r.status_code == 404
    html = r.get_data(as_text=True)
    assert "Aucun professionnel ni aucune structure n&#39;a l&#39;identifiant « 123456789 »." in html


def test_pathway_pages(tclient):
    """The list of pathways, and one pathway's stages in order with their roles and a search link."""
    html = tclient.get("/parcours").get_data(as_text=True)
    assert '<a href="/parcours/tp">Parcours test</a>' in html
    html = tclient.get("/parcours/tp").get_data(as_text=True)
    assert re.findall(r'<h3>(\d\. [^<]*) <code', html) == ["1. Étape A", "2. Étape B", "3. Étape C"]
    assert "<td>Médecin, Cardiologie et maladies vasculaires</td>" in html
    assert 'href="/?pathway=tp&amp;stage=tp.b"' in html
    assert tclient.get("/parcours/nope").status_code == 404


def test_names_from_open_data_are_escaped(store):
    """A name carrying markup is shown as text on the results and actor pages."""
    from graph.model import Activity, Professional
    from graph.writer import GraphWriter
    from test_matching import hand_built_records

    w = GraphWriter(store)
    w.prepare()
    w.add_all(hand_built_records() + [
        Professional(id="810000000099", id_type="RPPS", identifier="10000000099", first_name="<b>Jo</b>",
                     last_name="<script>alert('x')</script>", profession_code="60"),
        Activity(id="810000000099:1", professional="810000000099", site_name="<img src=x onerror=alert(1)>",
                 commune="59001")])
    w.flush()
    client = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t", "TODAY": "2026-11-22"}).test_client()
    for url in ("/recherche?pathway=tp&stage=b&commune=59001", "/acteurs/810000000099"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert(" not in html and "<img src=x" not in html and "<b>Jo</b>" not in html
        assert "&lt;b&gt;Jo&lt;/b&gt; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_empty_graph_says_what_to_do(client):
    """With nothing loaded, the search page says how to load a territory."""
    html = client.get("/").get_data(as_text=True)
    assert "Aucun parcours n'est chargé dans le graphe." in html
