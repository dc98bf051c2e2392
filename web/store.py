"""Graph access for the views: one store per app, in ``app.extensions["maillage"]``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app

from graph.store import GraphStore, StoreConfig, open_store

__all__ = ["init_app", "get_store", "config_from_app"]


def config_from_app(app: Flask) -> StoreConfig:
    """The store settings of an app (MAILLAGE_* settings over the environment's)."""
    config = StoreConfig.from_env()
    c = app.config
    if c.get("DATA_DIR"):
        config.data_dir = Path(c["DATA_DIR"])
    config.graph = c.get("GRAPH") or config.graph
    if c.get("NEO4J_URI"):
        config.backend, config.neo4j_uri = "neo4j", c["NEO4J_URI"]
        config.neo4j_user = c.get("NEO4J_USER") or "neo4j"
        config.neo4j_password = c.get("NEO4J_PASSWORD") or ""
        config.neo4j_database = c.get("NEO4J_DATABASE") or "neo4j"
    config.timeout_ms = int(c.get("QUERY_TIMEOUT_MS") or config.timeout_ms)
    return config


def init_app(app: Flask) -> None:
    """Register the extension slot; a ``STORE`` setting (tests) is used as is."""
    app.extensions["maillage"] = {"store": app.config.get("STORE"), "cache": {}}


def get_store() -> GraphStore:
    """The app's store, opened on first use (the embedded server starts then)."""
    ext: dict[str, Any] = current_app.extensions["maillage"]
    if ext["store"] is None:
        ext["store"] = open_store(config_from_app(current_app))
    return ext["store"]


def app_cache() -> dict[str, Any]:
    """A per-app dict for derived data (commune index, projected networks...)."""
    return current_app.extensions["maillage"]["cache"]
