"""Shared fixtures: a real embedded FalkorDB server for the session, a fresh graph per test.

- ``falkor_server``: the embedded server the project starts itself (session scope);
- ``store``: a :class:`graph.falkor.FalkorStore` on a new, empty graph of that server;
- ``demo_store``: the shipped demo territory loaded once (session scope, read-only use);
- ``neo4j_store``: a Neo4j store when ``MAILLAGE_NEO4J_URI`` is set (tests marked ``neo4j``
  are skipped with the reason otherwise).
"""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from graph.falkor import EmbeddedServer, FalkorStore
from graph.store import StoreConfig

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
TEST_DATA = Path(__file__).parent / "data"
_graph_names = itertools.count()


def pytest_collection_modifyitems(config, items):
    """Skip Neo4j tests, saying why, when no server is configured."""
    if os.environ.get("MAILLAGE_NEO4J_URI"):
        return
    skip = pytest.mark.skip(reason="Neo4j tests need MAILLAGE_NEO4J_URI (and _USER, _PASSWORD, _DATABASE)")
    for item in items:
        if "neo4j" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def falkor_server(tmp_path_factory):
    """The embedded FalkorDB server, started by the project itself, for the whole session."""
    server = EmbeddedServer(tmp_path_factory.mktemp("falkordb"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def falkor_db(falkor_server):
    """A client connection to the session's server."""
    from falkordb import FalkorDB

    db = FalkorDB(unix_socket_path=str(falkor_server.socket))
    yield db
    db.connection.close()


@pytest.fixture
def store(falkor_db):
    """A store on a fresh, empty graph (dropped after the test)."""
    name = f"test_{next(_graph_names)}"
    s = FalkorStore(falkor_db, name)
    yield s
    for suffix in ("", "__staging", "__previous"):
        if falkor_db.connection.exists(name + suffix):
            falkor_db.connection.delete(name + suffix)


@pytest.fixture(scope="session")
def demo_store(falkor_db):
    """The demo territory, loaded once for the session (tests must not write to it)."""
    from loaders.territory import demo_territory_path, load_territory, read_territory_file

    s = FalkorStore(falkor_db, "demo")
    report = load_territory(read_territory_file(demo_territory_path()), s)
    s.load_report = report  # type: ignore[attr-defined]
    return s


@pytest.fixture
def neo4j_store():
    """A Neo4j store from the MAILLAGE_NEO4J_* variables (tests using it carry @pytest.mark.neo4j)."""
    from graph.neo4j_store import Neo4jStore

    s = Neo4jStore(StoreConfig.from_env())
    yield s
    s.close()


@pytest.fixture
def shared_data():
    """The larger real samples beside the repository (skipped when absent, as for a user's clone)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (a user's clone has no ../shared)")
    return SHARED


# --- the viewer and a real headless browser --------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def app(store):
    """The viewer on a fresh, empty graph."""
    from web import create_app

    return create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "test"})


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def runner():
    """A click CLI runner."""
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture(scope="session")
def demo_app(demo_store):
    """The viewer on the demo territory (session scope)."""
    from web import create_app

    return create_app({"TESTING": True, "STORE": demo_store, "SECRET_KEY": "test"})


class LiveServer:
    """A Flask app served by werkzeug in a thread, on a free loopback port."""

    def __init__(self, app):
        import threading

        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        """Stop serving."""
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_demo(demo_app):
    """The demo viewer on a real HTTP port, for the browser tests."""
    server = LiveServer(demo_app)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the test command installs Debian's chromium (make test)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path):
    """A fresh page; console errors and page errors are collected in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    p = context.new_page()
    p.errors = []  # type: ignore[attr-defined]
    p.on("console", lambda msg: p.errors.append(msg.text) if msg.type == "error" else None)
    p.on("pageerror", lambda exc: p.errors.append(str(exc)))
    yield p
    context.close()


SCREENSHOTS = REPO / "tests" / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/screenshots/ (git-ignored) and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
