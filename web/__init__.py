"""The maillage viewer: a Flask app factory (flaskr style), in French for coordinators.

Blueprints are the modules of this package that define ``bp`` (one per page
family: search, pathways, actors, console, network, quality, api); they are
registered last, in name order. The graph store lives in
``app.extensions["maillage"]`` and views reach it through :func:`web.store.get_store`.
"""
from __future__ import annotations

import importlib
import pkgutil
import secrets
from typing import Any, Mapping

from flask import Flask

__all__ = ["create_app", "SETTINGS"]

#: (name, default, help) of every setting; each can be set as MAILLAGE_<NAME> in the environment
SETTINGS: tuple[tuple[str, Any, str], ...] = (
    ("SECRET_KEY", None, "Flask secret key (random per process unless MAILLAGE_SECRET_KEY is set)"),
    ("DATA_DIR", None, "folder of the embedded FalkorDB store (default: XDG data folder)"),
    ("GRAPH", "maillage", "graph name in the store"),
    ("NEO4J_URI", None, "use Neo4j at this URI instead of the embedded store"),
    ("NEO4J_USER", "neo4j", "Neo4j user"),
    ("NEO4J_PASSWORD", "", "Neo4j password"),
    ("NEO4J_DATABASE", "neo4j", "Neo4j database"),
    ("QUERY_TIMEOUT_MS", 5000, "time limit of console and API queries, in milliseconds"),
    ("STALE_DAYS", 365, "data not verified for more days than this are flagged as stale"),
    ("MAP_TILES", None, "URL of a tile server the users can reach; blank map background when unset"),
    ("TODAY", None, "day relative dates count from, YYYY-MM-DD (tests; default: today)"),
)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the viewer.

    Parameters
    ----------
    test_config : settings that replace the environment (tests pass ``STORE``, a ready store).
    """
    app = Flask(__name__)
    app.config.from_mapping({name: default for name, default, _help in SETTINGS})
    app.config["JSON_AS_ASCII"] = False
    if test_config is None:
        app.config.from_prefixed_env("MAILLAGE")
    else:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(16)

    from web import errors, store

    store.init_app(app)
    errors.init_app(app)
    for bp in _blueprints():
        app.register_blueprint(bp)
    return app


def _blueprints() -> list[Any]:
    """Every ``bp`` defined by a module of this package, in module-name order."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        bp = getattr(module, "bp", None)
        if bp is not None:
            found.append(bp)
    return found
