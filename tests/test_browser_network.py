"""The network and map pages in a real headless chromium, with every request outside the viewer blocked.

On the hand-built territory the markers are known exactly (the isolated nurse, the
bridge between the two MSPs, the single cardiologist); on the demo territory every
analysis page renders with markers and without a console error. Screenshots go to
tests/screenshots/.
"""
from __future__ import annotations

import re

import pytest

from conftest import LiveServer, screenshot
from graph.model import Activity, Professional
from test_analysis_projection import CAMBRAI, CARDIO, MASNY, MSP_A, MSP_B, NURSE3, territory_records, write

pytestmark = pytest.mark.browser

EVIL = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def live(store):
    """The viewer on the hand-built territory (plus a professional with a hostile name), on a real port."""
    from web import create_app

    records = territory_records() + [
        Professional(id="810000000666", id_type="RPPS", identifier="10000000666", last_name=EVIL,
                     profession_code="60"),
        Activity(id="a:evil", professional="810000000666", mode_code="L", structure_ref="cab-evil", commune=CAMBRAI),
    ]
    write(store, records)
    server = LiveServer(create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test"}))
    yield server
    server.stop()


def offline(page, base_url: str) -> list[str]:
    """Block every request that does not go to the viewer; return the list of blocked URLs."""
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(base_url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def open_network(page, url: str):
    """Open a network page and wait until the drawing has stabilised; return the drawing's frame."""
    page.goto(url)
    page.frame_locator("#network-frame").locator("body[data-ready='1']").wait_for(timeout=60_000)
    return page.query_selector("#network-frame").content_frame()


def test_network_markers_and_click_through(page, live):
    blocked = offline(page, live.url)
    frame = open_network(page, live.url + "/reseau")
    nodes = {n["id"]: n for n in frame.evaluate("window.maillageGraph.nodes")}
    assert [n for n, d in nodes.items() if d["isolated"]] == sorted([NURSE3, "810000000666"])
    assert sorted(n for n, d in nodes.items() if d["spof"]) == sorted([MSP_A, MSP_B, "810000000001"])
    bridges = frame.evaluate("window.maillageGraph.edges.filter(e => e.bridge).map(e => [e.from, e.to].sort())")
    assert [MSP_A, MSP_B] in bridges
    assert frame.evaluate("document.querySelector('canvas') !== null")
    assert frame.evaluate("window.__xss") is None
    screenshot(page, "reseau-territoire-test")
    assert page.errors == [] and blocked == []

    # click a node that no other node covers (MSP A when it is free) and follow it to the actor's page
    page.evaluate("document.getElementById('network-frame').scrollIntoView()")  # the whole drawing in view
    box = page.query_selector("#network-frame").bounding_box()
    target = frame.evaluate("""(first) => {
        const net = window.maillageGraph.network;
        const ids = [first].concat(window.maillageGraph.nodes.map(n => n.id));
        for (const id of ids) {
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            if (net.getNodeAt(p) === id) { return {id: id, x: p.x, y: p.y}; }
        }
        return null;
    }""", MSP_A)
    with page.expect_navigation():
        page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    assert page.url == f"{live.url}/acteurs/{target['id']}"


def test_map_colours_and_markers(page, live):
    blocked = offline(page, live.url)
    page.goto(live.url + "/carte?parcours=ic&etape=ic.suivi")
    page.wait_for_selector("#map[data-ready='1']")
    # Masny: the isolated nurse only; Cambrai: the nurse with the hostile name only
    assert page.locator("path.commune-fragile").count() == 2
    assert page.locator("path.commune-ok").count() == 3
    assert page.locator("path.actor-marker").count() == 6
    assert page.locator("path.actor-engaged").count() == 2
    page.locator(f"path.commune-{MASNY}").click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Masny (59390)" in popup.inner_text() and "Infirmier libéral : 1 acteur(s)" in popup.inner_text()
    screenshot(page, "carte-suivi-test")
    page.goto(live.url + "/carte?parcours=ic&etape=ic.depistage")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator(f"path.commune-rupture.commune-{CAMBRAI}").count() == 1  # no GP within 10 km
    assert page.locator("path.commune-ok").count() == 4
    assert page.errors == [] and blocked == []


def test_map_escapes_names(page, live):
    offline(page, live.url)
    page.goto(live.url + "/carte?parcours=ic&etape=ic.suivi&base=disponibles")
    page.wait_for_selector("#map[data-ready='1']")
    # the hostile nurse practises in Cambrai: she is the one marker there
    markers = page.evaluate("Object.values(window.maillageMap.actors._layers).map(l => l.getPopup().getContent()"
                            ".querySelector('h3').textContent)")
    assert EVIL in markers
    assert page.evaluate("window.__xss") is None
    assert page.locator(".leaflet-container img[src='x']").count() == 0


def test_single_cardiologist_on_the_map(page, live):
    offline(page, live.url)
    page.goto(live.url + "/carte?parcours=ic&etape=ic.diagnostic")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator("path.commune-fragile").count() == 5
    assert page.locator("path.actor-marker").count() == 1
    assert page.errors == []


def test_lists_and_whatif_pages(page, live):
    blocked = offline(page, live.url)
    page.goto(live.url + "/isoles")
    assert page.locator("#isolated-table tr[data-actor]").count() == 2
    screenshot(page, "isoles-test")
    page.goto(live.url + "/points-de-rupture?parcours=ic")
    assert page.locator("#bridges-table tbody tr").count() == 2
    page.goto(live.url + f"/simulation?acteur={CARDIO}")
    assert "Confirmation du diagnostic" in page.locator("#lost-table").inner_text()
    page.goto(live.url + "/simulation")
    page.fill("#acteur", "MSP A")
    with page.expect_navigation():
        page.click("#whatif-form button")
    assert "Sans MSP A" in page.locator("main h2").first.inner_text()
    assert page.errors == [] and blocked == []


# --- the demo territory ----------------------------------------------------


@pytest.fixture
def demo(request):
    """The demo viewer (skipped, saying why, until the demo territory file exists)."""
    from loaders.territory import demo_territory_path

    if not demo_territory_path().exists():
        pytest.skip(f"{demo_territory_path()} is not written yet: the demo cannot be loaded")
    return request.getfixturevalue("live_demo")


def test_demo_network_pages(page, demo):
    blocked = offline(page, demo.url)
    frame = open_network(page, demo.url + "/reseau")
    nodes = frame.evaluate("window.maillageGraph.nodes")
    assert len(nodes) >= 20 and all(n["kind"] == "group" for n in nodes)  # too many actors: grouped by commune
    assert any(n["label"].startswith("Douai (") for n in nodes)
    screenshot(page, "reseau-demo")
    frame = open_network(page, demo.url + "/reseau?parcours=ic")
    nodes = frame.evaluate("window.maillageGraph.nodes")
    assert len(nodes) <= 300 and {n["kind"] for n in nodes} <= {"Professional", "Structure", "CPTS"}
    assert any(n["isolated"] for n in nodes) and any(n["spof"] for n in nodes)
    screenshot(page, "reseau-demo-ic")
    assert page.errors == [] and blocked == []


def test_demo_map(page, demo):
    blocked = offline(page, demo.url)
    page.goto(demo.url + "/carte?parcours=ic&etape=ic.diagnostic")
    page.wait_for_selector("#map[data-ready='1']")
    communes = page.locator("path.commune").count()
    assert communes == 35  # the communes of CA Douaisis Agglo
    assert page.locator("path.actor-marker").count() > 0
    assert re.search(r"\d+ communes en rupture", page.locator("#map-figures").inner_text())
    screenshot(page, "carte-demo")
    assert page.errors == [] and blocked == []


@pytest.mark.parametrize("path, selector", [
    ("/isoles", "#isolated-table"),
    ("/points-de-rupture?parcours=ic", "#articulation-table"),
    ("/simulation", "#critical-table"),
])
def test_demo_lists(page, demo, path, selector):
    blocked = offline(page, demo.url)
    page.goto(demo.url + path)
    assert page.locator(selector + " tbody tr").count() > 0
    screenshot(page, "demo" + re.sub(r"\W+", "-", path).rstrip("-"))
    assert page.errors == [] and blocked == []


def test_demo_whatif(page, demo):
    offline(page, demo.url)
    page.goto(demo.url + "/simulation")
    with page.expect_navigation():
        page.locator("#critical-table a", has_text="Simuler").first.click()
    assert page.locator("#whatif-figures").count() == 1
    screenshot(page, "simulation-demo")
    assert page.errors == []

