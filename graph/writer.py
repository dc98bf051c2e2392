"""Write records to a store in batches: nodes first, relationships once both ends exist.

``GraphWriter`` buffers node rows per label and relationship rows per
(type, source label, target label), and flushes each buffer with one
``UNWIND $rows AS row MERGE ...`` query when it reaches ``batch_size``. It keeps
the ids it has written, so a relationship whose end is not (yet) loaded waits
in a deferred list; what is still unresolved at the end is reported, never
dropped silently.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable

from graph.model import Edge, Record, RECORD_TYPES
from graph.store import GraphStore

__all__ = ["GraphWriter", "NODE_LABELS"]

#: every node label of the model, indexed on ``id`` before a load
NODE_LABELS: tuple[str, ...] = tuple(t.LABEL for t in RECORD_TYPES if t.LABEL)


class GraphWriter:
    """Batch records into a store.

    Parameters
    ----------
    store : the (staging) store to write to.
    batch_size : rows per UNWIND query.
    tracer : optional callback ``tracer(kind, key, n)`` called after each flushed batch.
    """

    def __init__(self, store: GraphStore, batch_size: int = 1000,
                 tracer: Callable[[str, str, int], None] | None = None) -> None:
        self.store = store
        self.batch_size = batch_size
        self.tracer = tracer
        self.nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.edges: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        self.deferred: list[Edge] = []
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.node_counts: dict[str, int] = defaultdict(int)
        self.edge_counts: dict[str, int] = defaultdict(int)
        self.unresolved: list[Edge] = []
        self.pending = 0

    def prepare(self) -> None:
        """Create the id indexes before the first row (indexes first, then data)."""
        self.store.ensure_indexes(NODE_LABELS)

    def has(self, label: str, node_id: str) -> bool:
        """True when a node of this label and id was written (or is buffered)."""
        return node_id in self.seen[label]

    def add(self, record: Record) -> None:
        """Buffer one record's node and its relationships."""
        if record.LABEL:
            props = record.node_props()
            node_id = props["id"]
            if node_id not in self.seen[record.LABEL]:
                self.node_counts[record.LABEL] += 1
            self.seen[record.LABEL].add(node_id)
            buf = self.nodes[record.LABEL]
            buf.append(props)
            if len(buf) >= self.batch_size:
                self._flush_nodes(record.LABEL)
        for edge in record.edges():
            self.add_edge(edge)

    def add_all(self, records: Iterable[Record]) -> int:
        """Buffer every record of an iterable; return how many."""
        n = 0
        for n, record in enumerate(records, 1):
            self.add(record)
        return n

    def add_edge(self, edge: Edge) -> None:
        """Buffer a relationship, or defer it while one of its ends is unknown."""
        if edge.src not in self.seen[edge.src_label] or edge.dst not in self.seen[edge.dst_label]:
            self.deferred.append(edge)
            return
        key = (edge.type, edge.src_label, edge.dst_label)
        buf = self.edges[key]
        buf.append({"src": edge.src, "dst": edge.dst, "props": edge.props})
        self.pending += 1
        if len(buf) >= self.batch_size:
            self._flush_all_nodes()
            self._flush_edges(key)

    def _flush_nodes(self, label: str) -> None:
        """Write one label's buffered nodes."""
        rows = self.nodes.pop(label, [])
        if rows:
            self.store.merge_nodes(label, rows)
            if self.tracer:
                self.tracer("nodes", label, len(rows))

    def _flush_all_nodes(self) -> None:
        """Write every buffered node (before any relationship that may need them)."""
        for label in list(self.nodes):
            self._flush_nodes(label)

    def _flush_edges(self, key: tuple[str, str, str]) -> None:
        """Write one relationship type's buffered rows."""
        rows = self.edges.pop(key, [])
        if rows:
            written = self.store.merge_edges(key[0], key[1], key[2], rows)
            self.edge_counts[key[0]] += written
            self.pending -= len(rows)
            if self.tracer:
                self.tracer("relationships", key[0], len(rows))

    def flush(self) -> None:
        """Write everything buffered, retry deferred relationships, record the unresolved."""
        self._flush_all_nodes()
        deferred, self.deferred = self.deferred, []
        for edge in deferred:
            if edge.src in self.seen[edge.src_label] and edge.dst in self.seen[edge.dst_label]:
                self.add_edge(edge)
            else:
                self.unresolved.append(edge)
        self._flush_all_nodes()
        for key in list(self.edges):
            self._flush_edges(key)

    def unresolved_summary(self, limit: int = 5) -> list[str]:
        """One line per relationship type with unresolved ends: count and a few examples."""
        groups: dict[tuple[str, str, str], list[Edge]] = defaultdict(list)
        for e in self.unresolved:
            groups[(e.type, e.src_label, e.dst_label)].append(e)
        lines = []
        for (rtype, src, dst), edges in sorted(groups.items()):
            examples = ", ".join(
                f"{e.src}->{e.dst}" for e in edges[:limit]
            )
            lines.append(f"{len(edges)} {rtype} relationship(s) from {src} to {dst} not created: "
                         f"the {dst if edges[0].src in self.seen[src] else src} is not in the loaded sources "
                         f"(e.g. {examples})")
        return lines
