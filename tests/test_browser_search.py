"""The search, results, actor and pathway pages in a real headless chromium (Debian's), with screenshots."""
from __future__ import annotations

import re

import pytest

from conftest import LiveServer, screenshot
from graph.model import Pathway, RoleRequirement, Stage
from graph.writer import GraphWriter
from test_matching import hand_built_records, pid
from web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live(store):
    """The viewer on the hand-built territory (plus a second pathway), on a real port."""
    records = hand_built_records() + [
        Pathway(id="zz", name="Autre parcours", source="Guide"),
        Stage(id="zz.x", pathway="zz", key="x", order=1, name="Étape X"),
        RoleRequirement(id="zz.x.inf", stage="zz.x", key="inf", label="Infirmier", professions=["60"], radius_km=5),
    ]
    w = GraphWriter(store)
    w.prepare()
    w.add_all(records)
    w.flush()
    app = create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t", "TODAY": "2026-11-22"})
    server = LiveServer(app)
    yield server
    server.stop()


def _visible_stage_options(page) -> list[str]:
    """Values of the stage options the user can pick."""
    return page.eval_on_selector_all(
        "#stage optgroup:not([hidden]) option", "opts => opts.map(o => o.value)")


def test_search_then_results(live, page):
    """Pick a pathway, its stage, a commune from the suggestions, an option; read the ranked answer."""
    page.goto(live.url + "/")
    assert page.inner_text("h1") == "Qui peut prendre ce patient à cette étape ?"
    page.select_option("#pathway", "tp")
    assert _visible_stage_options(page) == ["tp.a", "tp.b", "tp.c"]
    page.select_option("#stage", "tp.b")
    page.fill("#commune", "alp")
    page.wait_for_selector("#commune-suggestions li")
    assert page.inner_text("#commune-suggestions li").startswith("Alpha (59001)")
    screenshot(page, "match-search-suggestions")
    page.click("#commune-suggestions li")
    assert page.input_value("#commune") == "Alpha (59001)"
    page.check("input[name=home_visit]")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/recherche\?.*"))
    assert page.inner_text("h1") == "Qui peut prendre ce patient ?"
    names = page.eval_on_selector_all("#role-infirmier .cand-name", "els => els.map(e => e.textContent)")
    assert names == ["Inès UN", "Isaac ONZE", "Ivan DEUX", "Iris TROIS", "Irène DIX", "Igor QUATRE"]
    assert page.is_visible("#ruptures-title")
    assert page.inner_text("#ruptures-title") == "Points de rupture (2)"
    # the set-aside actors are folded until asked for
    details = page.locator("#role-infirmier details.set-aside")
    assert not details.locator("table").is_visible()
    details.locator("summary").click()
    assert details.locator("table").is_visible()
    assert "Ne fait pas de visites à domicile" in details.inner_text()
    assert "Fiche de l'étape" in page.inner_text("aside.stage-fiche")
    screenshot(page, "match-results")
    assert page.errors == []


def test_stage_list_follows_the_pathway(live, page):
    """Changing the pathway shows only its stages and picks its first one."""
    page.goto(live.url + "/")
    page.select_option("#pathway", "zz")
    assert _visible_stage_options(page) == ["zz.x"]
    assert page.input_value("#stage") == "zz.x"
    page.select_option("#pathway", "tp")
    assert page.input_value("#stage") == "tp.a"
    assert page.errors == []


def test_keyboard_picks_a_suggestion(live, page):
    """Arrow down and Enter pick a suggestion; Escape closes the list."""
    page.goto(live.url + "/?pathway=tp&stage=tp.b")
    page.fill("#commune", "bet")
    page.wait_for_selector("#commune-suggestions li")
    page.press("#commune", "ArrowDown")
    page.press("#commune", "Enter")
    assert page.input_value("#commune") == "Béta-sur-Scarpe (59002)"
    assert page.is_hidden("#commune-suggestions")
    page.fill("#commune", "gam")
    page.wait_for_selector("#commune-suggestions li")
    assert page.locator("#commune-suggestions li").count() == 2
    page.press("#commune", "Escape")
    assert page.is_hidden("#commune-suggestions")
    assert page.errors == []


def test_ambiguous_commune_offers_a_choice(live, page):
    """Two communes named Gamma: the page says so in French and offers both."""
    page.goto(live.url + "/?pathway=tp&stage=tp.b")
    page.fill("#commune", "Gamma")
    page.press("#commune", "Escape")
    page.click("button[type=submit]")
    page.wait_for_selector(".error-message")
    assert "Plusieurs communes correspondent à le nom « Gamma »" in page.inner_text(".error-message")
    screenshot(page, "match-search-ambiguous")
    page.click(".choices a >> text=Gamma (62001)")
    page.wait_for_selector("#role-infirmier")
    assert "patient à Gamma (62001)" in page.inner_text(".query-summary")
    assert page.errors == []


def test_actor_page_from_the_results(live, page):
    """A candidate's name leads to its page: identity, practice, membership, partnerships, source."""
    page.goto(live.url + "/recherche?pathway=tp&stage=tp.b&commune=59001")
    page.click("#role-infirmier .cand-name >> nth=0")
    page.wait_for_url(re.compile(rf".*/acteurs/{pid(1)}$"))
    assert page.inner_text("h1").startswith("Inès UN")
    body = page.inner_text("main")
    for text in ("Identité", "Lieux d'exercice (1)", "Adhésion à la CPTS", "Parcours test › Étape B",
                 "Partenariats (1)", "Suivi partagé", "Dernière vérification par la CPTS"):
        assert text in body
    screenshot(page, "match-actor")
    page.click("text=Marc MEDECIN")
    page.wait_for_url(re.compile(rf".*/acteurs/{pid(20)}$"))
    assert page.errors == []


def test_pathway_page_leads_to_the_search(live, page):
    """The pathway page lists the stages in order; a stage's button opens the search on it."""
    page.goto(live.url + "/parcours/tp")
    assert page.eval_on_selector_all("ol.stages > li h3", "els => els.map(e => e.firstChild.textContent.trim())") == [
        "1. Étape A", "2. Étape B", "3. Étape C"]
    screenshot(page, "match-pathway")
    page.click("#etape-b a.button")
    assert page.input_value("#stage") == "tp.b"
    assert page.input_value("#pathway") == "tp"
    assert page.errors == []


def test_markup_in_names_is_shown_as_text(store, page):
    """A name with a script tag is displayed, not run."""
    from graph.model import Activity, Professional

    w = GraphWriter(store)
    w.prepare()
    w.add_all(hand_built_records() + [
        Professional(id="810000000099", id_type="RPPS", identifier="10000000099", first_name="<b>Jo</b>",
                     last_name="<script>alert(1)</script>", profession_code="60"),
        Activity(id="810000000099:1", professional="810000000099", site_name="<img src=x onerror=alert(2)>",
                 commune="59001")])
    w.flush()
    server = LiveServer(create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t", "TODAY": "2026-11-22"}))
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for url in ("/recherche?pathway=tp&stage=b&commune=59001", "/acteurs/810000000099"):
            page.goto(server.url + url)
            assert "<b>Jo</b> <script>alert(1)</script>" in page.inner_text("main")
    finally:
        server.stop()
    assert dialogs == []
    assert page.errors == []


def test_demo_territory(live_demo, page):
    """On the demo territory (CPTS du Grand Douai): the IC follow-up stage for a patient in Douai."""
    page.goto(live_demo.url + "/")
    page.select_option("#pathway", "ic")
    page.select_option("#stage", "ic.suivi")
    page.fill("#commune", "douai")
    page.wait_for_selector("#commune-suggestions li")
    page.click("#commune-suggestions li >> nth=0")
    assert page.input_value("#commune") == "Douai (59178)"
    page.click("button[type=submit]")
    page.wait_for_selector("section.role")
    assert "Insuffisance cardiaque" in page.inner_text(".query-summary")
    assert page.locator("#role-medecin_traitant .candidate").count() >= 1
    assert page.locator("#role-infirmier .candidate").count() == 10
    screenshot(page, "match-demo-results")
    page.click("#role-infirmier .cand-name >> nth=0")
    page.wait_for_selector("h1")
    screenshot(page, "match-demo-actor")
    page.goto(live_demo.url + "/parcours/ic")
    assert page.locator("ol.stages > li").count() == 6
    screenshot(page, "match-demo-pathway")
    assert page.errors == []
