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
