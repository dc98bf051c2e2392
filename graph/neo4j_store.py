"""The scale-out store: Neo4j through the official driver, same model, same Cypher.

Selected by ``MAILLAGE_NEO4J_URI`` (with ``MAILLAGE_NEO4J_USER``, ``_PASSWORD``,
``_DATABASE``). One long-lived driver per store; reads go through
``execute_query(..., routing_=READ)`` in a read transaction with a timeout.

Atomic loads: Neo4j Community has a single user database, so a load cannot be
built beside the live graph and swapped as on FalkorDB. The loader parses and
validates every source before the first write (``graph.writer`` spools the
records), then writes in batches with a load generation stamp (``_gen``) and
removes the nodes of older generations only once the new one is complete. A load
that fails midway (a server failure: the sources were validated before) has its
new nodes deleted by ``abort_load``; nodes that existed before stay, but values a
partial load wrote onto them are not rolled back. On Neo4j Enterprise, load into
a new database and switch ``MAILLAGE_NEO4J_DATABASE`` for a full swap.
"""
from __future__ import annotations

import time
from typing import Any, Iterable, Mapping, Sequence

from graph.exceptions import GraphError, QuerySyntaxError, QueryTimeout, StoreUnavailable, WriteRefused
from graph.store import Inspection, Result, StoreConfig, looks_like_write

__all__ = ["Neo4jStore"]


def _plain(value: Any) -> Any:
    """Turn driver objects into plain dicts and lists."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **dict(value)}
    if isinstance(value, Relationship):
        return {"_type": value.type, **dict(value)}
    if isinstance(value, Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Neo4jStore(Inspection):
    """A :class:`graph.store.GraphStore` on a Neo4j database."""

    backend = "neo4j"

    def __init__(self, config: StoreConfig, *, generation: int | None = None, parent: "Neo4jStore | None" = None):
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        self.config = config
        self.database = config.neo4j_database
        self.timeout_ms = config.timeout_ms
        self.generation = generation
        self.parent = parent
        if parent is not None:
            self.driver = parent.driver
            return
        try:
            self.driver = GraphDatabase.driver(config.neo4j_uri, auth=(config.neo4j_user, config.neo4j_password))
            self.driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, ValueError, OSError) as err:
            raise StoreUnavailable(f"Neo4j unreachable at {config.neo4j_uri}: {err}") from err

    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            read_only: bool = True, timeout_ms: int | None = None) -> Result:
        """Run a Cypher query; reads in a read transaction with a timeout."""
        from neo4j import Query, READ_ACCESS, WRITE_ACCESS
        from neo4j.exceptions import ClientError, CypherSyntaxError, ServiceUnavailable

        timeout = (self.timeout_ms if timeout_ms is None else timeout_ms) / 1000 or None
        if read_only:
            clause = looks_like_write(query)
            if clause:
                raise WriteRefused(f"{clause} changes the graph; only read queries are allowed here")
        try:
            with self.driver.session(database=self.database,
                                     default_access_mode=READ_ACCESS if read_only else WRITE_ACCESS) as session:
                def work(tx):
                    res = tx.run(Query(query, timeout=timeout), dict(params or {}))
                    return list(res.keys()), [[_plain(v) for v in rec.values()] for rec in res]

                if read_only:
                    columns, rows = session.execute_read(work)
                else:
                    columns, rows = session.execute_write(work)
        except CypherSyntaxError as err:
            raise QuerySyntaxError(err.message or str(err)) from err
        except ServiceUnavailable as err:
            raise StoreUnavailable(f"Neo4j unreachable: {err}") from err
        except ClientError as err:
            code = err.code or ""
            if "TransactionTimedOut" in code or "Terminated" in code:
                raise QueryTimeout(f"query stopped after its time limit: {err.message}") from err
            if "ForbiddenOnReadOnlyDatabase" in code or "WriteOnReadOnlyAccessDatabase" in code or "AccessMode" in code:
                raise WriteRefused(f"only read queries are allowed here: {err.message}") from err
            raise QuerySyntaxError(err.message or str(err)) from err
        return Result(columns, rows)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> Result:
        """Run a writing query (loaders only)."""
        return self.run(query, params, read_only=False, timeout_ms=0)

    def ensure_indexes(self, labels: Iterable[str]) -> None:
        """Create a uniqueness constraint on ``id`` for each label."""
        for label in labels:
            self.write(f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE")

    def merge_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """MERGE a batch of nodes by id, set their properties and this load's generation."""
        if not rows:
            return 0
        self.write(f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) ON CREATE SET n._new = $gen "
                   f"SET n += row SET n._gen = $gen",
                   {"rows": list(rows), "gen": self.generation})
        return len(rows)

    def merge_edges(self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """MERGE a batch of relationships between existing nodes; return how many matched."""
        if not rows:
            return 0
        res = self.write(
            f"UNWIND $rows AS row MATCH (a:{src_label} {{id: row.src}}) MATCH (b:{dst_label} {{id: row.dst}}) "
            f"MERGE (a)-[r:{rel_type}]->(b) SET r += row.props SET r._gen = $gen RETURN count(r)",
            {"rows": list(rows), "gen": self.generation},
        )
        return int(res.scalar() or 0)

    def begin_load(self) -> "Neo4jStore":
        """A store writing a new load generation into the same database."""
        return Neo4jStore(self.config, generation=int(time.time() * 1000), parent=self)

    def commit_load(self) -> None:
        """Remove what older generations left (nodes and relationships not re-written)."""
        if self.parent is None:
            raise GraphError("commit_load() is called on the store returned by begin_load()")
        self.write("MATCH ()-[r]->() WHERE r._gen IS NULL OR r._gen <> $gen "
                   "CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS", {"gen": self.generation})
        self.write("MATCH (n) WHERE n._gen IS NULL OR n._gen <> $gen "
                   "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS", {"gen": self.generation})
        self.write("MATCH (n) WHERE n._new IS NOT NULL REMOVE n._new")

    def abort_load(self) -> None:
        """Delete the nodes this load created; nodes that existed before stay (with any new values)."""
        self.write("MATCH (n) WHERE n._new = $gen CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
                   {"gen": self.generation})

    def exists(self) -> bool:
        """True when the database holds any node."""
        return bool(self.run("MATCH (n) RETURN n LIMIT 1").rows)

    def close(self) -> None:
        """Close the driver (a staging store shares its parent's)."""
        if self.parent is None:
            self.driver.close()
