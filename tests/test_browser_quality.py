"""« Qualité des données » (/qualite): findings by rule, actor links that work, in the test client and in chromium."""
from __future__ import annotations

import re

import pytest

from graph.writer import GraphWriter
from test_shacl import DURAND, MARTIN, changed, sample_records
from web import create_app

EVIL = '<script>alert("x")</script>'


def broken_records():
    """The sample territory with three problems (RPPS format with a hostile name, stale member, dates)."""
    records = changed(sample_records(), MARTIN, identifier="123", first_name=EVIL)
    records = changed(records, f"m:cpts-grand-douai:{DURAND}", last_verified="2020-01-01")
    return changed(records, "conv-1", start="2027-01-01", end="2026-12-31")


@pytest.fixture
def broken_app(store):
    """The viewer on the broken sample territory."""
    w = GraphWriter(store)
    w.prepare()
    w.add_all(broken_records())
    w.flush()
    return create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test", "STALE_DAYS": 365})


@pytest.fixture
def broken_client(broken_app):
    """A test client on it."""
    return broken_app.test_client()


def test_page_lists_rules_with_their_findings(broken_client):
    resp = broken_client.get("/qualite")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<h1>Qualité des données</h1>" in html
    rules = re.findall(r'<section class="rule rule-(\w+)" id="regle-(\w+)">', html)
    assert rules == [("violation", "PartnershipDatesOrdered"), ("violation", "RppsFormat"),
                     ("violation", "ProfessionalIdMatches"), ("warning", "MembershipFreshness")]
    assert "La date de fin du partenariat précède sa date de début" in html
    assert "Le numéro RPPS 123 doit compter 11 chiffres" in html
    assert '<div class="origin">Source : ps.txt, ligne 2</div>' in html
    assert '<span class="tally-n">3</span>' in html and '<span class="tally-n">1</span>' in html


def test_names_from_open_data_are_escaped(broken_client):
    html = broken_client.get("/qualite").get_data(as_text=True)
    assert EVIL not in html
    assert "Dr &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; MARTIN" in html


def test_every_actor_link_works(broken_client):
    html = broken_client.get("/qualite").get_data(as_text=True)
    links = sorted(set(re.findall(r'<a class="actor-link" href="([^"]+)"', html)))
    assert links == ["/qualite/fiche/Partnership/conv-1", f"/qualite/fiche/Professional/{DURAND}",
                     f"/qualite/fiche/Professional/{MARTIN}"]
    for link in links:
        assert broken_client.get(link).status_code == 200, link


def test_actor_fiche_shows_data_links_and_findings(broken_client, broken_app):
    html = broken_client.get(f"/qualite/fiche/Professional/{MARTIN}").get_data(as_text=True)
    assert "Le numéro RPPS 123 doit compter 11 chiffres" in html
    assert '<dt>Nom d&#39;exercice <code class="key">last_name</code></dt>\n  <dd>MARTIN</dd>' in html
    assert f'href="/qualite/fiche/Activity/a:{MARTIN}:1"' in html  # its practice, one click away
    assert EVIL not in html
    if "actors.actor" in broken_app.view_functions:
        assert f'href="/acteurs/{MARTIN}"' in html
        assert broken_client.get(f"/acteurs/{MARTIN}").status_code == 200


def test_membership_finding_points_to_the_member(broken_client):
    html = broken_client.get(f"/qualite/fiche/Professional/{DURAND}").get_data(as_text=True)
    assert "Données non vérifiées depuis plus de 365 jours (dernière vérification : 2020-01-01)" in html
    assert f'href="/qualite/fiche/Membership/m:cpts-grand-douai:{DURAND}"' in html


def test_stale_days_and_severity_filters(broken_client):
    html = broken_client.get("/qualite?jours=3650&gravite=warning").get_data(as_text=True)
    assert html.count('<section class="rule') == 0
    assert "Aucun résultat pour cette gravité." in html
    html = broken_client.get("/qualite?gravite=warning").get_data(as_text=True)
    assert re.findall(r'id="regle-(\w+)"', html) == ["MembershipFreshness"]


@pytest.mark.parametrize("url, status, message", [
    ("/qualite?jours=abc", 400, "« abc » n&#39;est pas un nombre de jours valide"),
    ("/qualite?gravite=grave", 400, "Gravité inconnue : « grave »"),
    ("/qualite/fiche/Professional/999", 404, "Aucun élément « Professionnel » n&#39;a l&#39;identifiant « 999 »."),
    ("/qualite/fiche/Patient/1", 404, "Aucun élément « Patient » n&#39;a l&#39;identifiant « 1 »."),
])
def test_bad_requests_get_a_french_page(broken_client, url, status, message):
    resp = broken_client.get(url)
    assert resp.status_code == status
    assert message in resp.get_data(as_text=True)


def test_api(broken_client):
    data = broken_client.get("/api/qualite").get_json()
    assert (data["ok"], data["conforms"], data["violations"], data["warnings"]) == (True, False, 3, 1)
    assert broken_client.get("/api/qualite?jours=x").get_json() == {
        "ok": False, "status": 400, "error": "« x » n'est pas un nombre de jours valide (un entier entre 0 et 3650)."}


def test_empty_graph(client):
    html = client.get("/qualite").get_data(as_text=True)
    assert "Le graphe est vide" in html


def test_clean_territory(store):
    w = GraphWriter(store)
    w.prepare()
    w.add_all(sample_records())
    w.flush()
    app = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test", "STALE_DAYS": 3650})
    html = app.test_client().get("/qualite").get_data(as_text=True)
    assert "Aucun problème détecté : toutes les règles sont respectées." in html


# --- in a real browser ---------------------------------------------------------


@pytest.fixture
def live_broken(broken_app):
    """The broken territory's viewer on a real port."""
    from conftest import LiveServer

    server = LiveServer(broken_app)
    yield server
    server.stop()


@pytest.mark.browser
def test_quality_page_in_chromium(live_broken, page):
    from conftest import screenshot

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{live_broken.url}/qualite")
    assert page.locator("h1").inner_text() == "Qualité des données"
    assert page.locator("section.rule").count() == 4
    assert page.locator(".tally.bad .tally-n").inner_text() == "3"
    screenshot(page, "quality_broken")
    page.locator("#regle-RppsFormat a.actor-link").first.click()
    page.wait_for_url(f"**/qualite/fiche/Professional/{MARTIN}")
    assert page.locator("h1").inner_text().startswith(f'Professionnel Dr {EVIL} MARTIN')
    assert "Le numéro RPPS 123 doit compter 11 chiffres" in page.locator("table.findings").inner_text()
    screenshot(page, "quality_fiche")
    page.locator("a", has_text="Activité a:").first.click()
    page.wait_for_url("**/qualite/fiche/Activity/**")
    assert page.locator("h1").inner_text().startswith("Activité")
    assert dialogs == [] and page.errors == []


@pytest.mark.browser
def test_quality_page_of_the_demo_in_chromium(request, page):
    from conftest import screenshot
    from loaders.territory import demo_territory_path

    if not demo_territory_path().exists():
        pytest.skip(f"the demo territory file {demo_territory_path()} is not there yet")
    live_demo = request.getfixturevalue("live_demo")
    page.goto(f"{live_demo.url}/qualite", timeout=300_000)
    assert page.locator("h1").inner_text() == "Qualité des données"
    screenshot(page, "quality_demo")
    links = page.locator("a.actor-link")
    hrefs = sorted({links.nth(i).get_attribute("href") for i in range(links.count())})
    assert hrefs, "the demo has findings (at least stale members)"
    for href in hrefs[:25]:
        response = page.request.get(f"{live_demo.url}{href}")
        assert response.status == 200, href
    # the clean demo has warnings only (stale members), folded: unfold them as a coordinator would
    page.locator("details summary").first.click()
    page.locator("a.actor-link:visible").first.click()
    page.wait_for_load_state()
    assert page.locator("h2", has_text="Constats du contrôle").count() == 1
    screenshot(page, "quality_demo_fiche")
    assert page.errors == []
