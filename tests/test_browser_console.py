"""The query console in a real headless browser (Debian's chromium through Playwright).

On the hand-built territory: a query run from its generated form shows the golden rows
and downloads as CSV; a write typed in the free box is refused with a French message and
leaves the graph unchanged. On the demo territory: a coordinator's path through the
library. Screenshots go to tests/screenshots/.
"""
from __future__ import annotations

import csv
import io

import pytest

from conftest import LiveServer, screenshot
from test_queries import gap_territory, write_records
from web import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def gap_live(store):
    """The viewer on the hand-built territory, served on a free loopback port ("today" fixed)."""
    write_records(store, gap_territory())
    server = LiveServer(create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test", "TODAY": "2026-01-15"}))
    yield server
    server.stop()


def _only_http_status_errors(errors: list[str], status: int) -> bool:
    """True when the console errors are only the browser's note of the page's own HTTP status."""
    return all(f"status of {status}" in e for e in errors)


def test_run_a_query_from_its_form_and_download_csv(gap_live, page):
    """Pick a query, fill its form, read the golden rows, download them as CSV."""
    page.goto(gap_live.url + "/requetes")
    page.click("text=Communes sans acteur disponible pour un rôle d'une étape")
    page.fill("#p-stage", "ic.suivi")
    page.fill("#p-radius_km", "3")
    page.click("button[name=executer]")
    page.wait_for_selector(".console-table")
    cells = page.eval_on_selector_all(".console-table tbody tr",
                                      "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert cells == [["59001", "Alpha", "ic.suivi", "cardiologue", "Cardiologue", "3"],
                     ["59003", "Gamma", "ic.suivi", "cardiologue", "Cardiologue", "3"],
                     ["59004", "Delta", "ic.suivi", "cardiologue", "Cardiologue", "3"],
                     ["59004", "Delta", "ic.suivi", "infirmier", "Infirmier", "3"]]
    assert page.input_value("#p-radius_km") == "3"
    headers = page.eval_on_selector_all(".console-table th", "ths => ths.map(t => t.textContent)")
    assert headers == ["Code INSEE", "Commune", "Étape", "Rôle", "Libellé du rôle", "Rayon (km)"]
    screenshot(page, "console_query")
    with page.expect_download() as info:
        page.click("text=Télécharger en CSV")
    download = info.value
    assert download.suggested_filename == "communes_without_actor_for_stage.csv"
    with open(download.path(), encoding="utf-8-sig") as fp:
        text = fp.read()
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Code INSEE" and len(rows) == 5
    assert page.errors == []


def test_write_in_the_free_box_is_refused_and_changes_nothing(gap_live, store, page):
    """A write typed in the free box: a French message, and the graph exactly as before."""
    before = store.counts()
    page.goto(gap_live.url + "/requetes/libre")
    page.fill("#cypher", "MATCH (n) DETACH DELETE n")
    page.click("button[value=html]")
    alert = page.wait_for_selector("[role=alert]")
    assert "Cette console est en lecture seule : la clause DETACH DELETE modifierait le graphe." \
        in alert.text_content()
    assert page.input_value("#cypher") == "MATCH (n) DETACH DELETE n"
    screenshot(page, "console_write_refused")
    assert store.counts() == before
    assert _only_http_status_errors(page.errors, 400)


def test_free_query_with_parameters_and_ctrl_enter(gap_live, page):
    """Ctrl+Enter runs the free query; the values travel as JSON parameters."""
    page.goto(gap_live.url + "/requetes/libre")
    page.fill("#cypher", "MATCH (c:Commune) WHERE c.population >= $min\n"
                         "RETURN c.id AS code, c.name AS nom, c.population AS population ORDER BY population DESC")
    page.fill("#params", '{"min": 2000}')
    page.press("#cypher", "Control+Enter")
    page.wait_for_selector(".console-table")
    cells = page.eval_on_selector_all(".console-table tbody tr",
                                      "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert cells == [["59005", "Epsilon", "9000"], ["59001", "Alpha", "4000"], ["59002", "Beta", "2000"]]
    screenshot(page, "console_free")
    assert page.errors == []


def test_bad_parameter_shows_a_french_message(gap_live, page):
    """An ill-typed parameter in the address: the French message in the page, the form kept."""
    page.goto(gap_live.url + "/requetes/members_not_verified?days=bient%C3%B4t&executer=1")
    alert = page.wait_for_selector("[role=alert]")
    assert alert.text_content().strip() == \
        "Le paramètre « days » attend un nombre entier ; « bientôt » ne convient pas."
    assert _only_http_status_errors(page.errors, 400)


def test_coordinator_path_on_the_demo(live_demo, page):
    """On the demo territory: library, a query, its rows, no browser error."""
    page.goto(live_demo.url + "/")
    page.click("header nav >> text=Requêtes")
    page.wait_for_selector("h1")
    assert page.text_content("h1") == "Requêtes : les points de rupture du territoire"
    screenshot(page, "console_library_demo")
    page.click(".console-main >> text=Structures du territoire sans partenariat avec la CPTS")
    page.click("button[name=executer]")
    page.wait_for_selector(".console-table")
    assert page.locator(".console-table tbody tr").count() > 0
    assert page.locator(".console-library [aria-current=page]").text_content().strip() == \
        "Structures du territoire sans partenariat avec la CPTS"
    screenshot(page, "console_demo_structures")
    assert page.errors == []
