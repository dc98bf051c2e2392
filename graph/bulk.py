"""Load a new FalkorDB graph with ``GRAPH.BULK``: the store's bulk path, no per-row Cypher.

:class:`BulkWriter` has the interface of :class:`graph.writer.GraphWriter`
(``prepare / add / add_all / has / flush / unresolved_summary``, ``seen``,
``node_counts``, ``edge_counts``, ``unresolved``) and gives the same graph, but
writes it the way the ``falkordb-bulk-loader`` package does: nodes and
relationships travel as binary tokens of the ``GRAPH.BULK`` command, which
creates them in the server without parsing a query or probing an index.

That package is a command-line tool over CSV files (it exits the process on an
error and infers the type of every array element, so ``["59000"]`` would come
back as ``[59000]``); this module speaks the same protocol itself, from the
records, with the exact Python types:

- a token is ``label\\0``, a ``uint32`` property count, the property names
  (``\\0``-terminated), then one row per entity: for a node, one value per
  property; for a relationship, ``uint64`` source and target node ids first;
- a value is a type byte and its payload: ``0`` null (the property is not set),
  ``1`` bool, ``2`` double, ``3`` string (``\\0``-terminated UTF-8), ``4`` int64,
  ``5`` array (``int64`` length, then the values);
- nodes get ids in the order the server receives them, so relationships name
  their ends by that order.

Nodes are sent while the sources are still being read (a background thread
keeps the server busy on the second core); relationships wait in compact arrays
of node numbers until :meth:`BulkWriter.flush`, when every end is known. A
relationship whose end never appears is reported, as GraphWriter does. A record
seen twice is merged as ``MERGE ... SET n += props`` would: the later values are
set on the node after the bulk load. The graph must hold no node yet, which is
what :meth:`graph.falkor.FalkorStore.begin_load` gives (the staging graph,
swapped in atomically by ``commit_load``); :meth:`BulkWriter.prepare` creates
the ``id`` indexes first, and GRAPH.BULK fills them as it creates the nodes.

Per row, Python's work is kept small: node values are encoded by batches of a
label, column by column (:mod:`graph.bulk_encoding`: a repetitive column's values are
encoded once each), the garbage collector rests during :meth:`StreamWriter.add_all`,
and a reader may hand its records over as *bulk rows* (class, field values,
relationships) instead of record objects (:meth:`BulkWriter.add_all`).

Examples
--------
>>> encode_value(["59000", 7, True, None])
b'\\x05\\x04\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x0359000\\x00\\x04\\x07\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01\\x01\\x00'
"""
from __future__ import annotations

import dataclasses
import operator
import struct
import threading
import time
from array import array
from collections import defaultdict
from typing import Any, Callable, Iterable

from graph.bulk_encoding import (_PACK_HEADER_COUNT, encode_value, _Layout, _RowEncoder, record_columns)
from graph.exceptions import GraphError
from graph.model import Edge, Record
from graph.store import gc_paused
from graph.writer import NODE_LABELS

__all__ = ["BulkWriter", "StreamWriter", "encode_value", "record_columns", "merge_edge_pairs"]

def merge_edge_pairs(src: array, dst: array, props: dict[int, dict]) -> tuple[array, array, dict[int, dict]]:
    """Drop repeated (src, dst) pairs, merging their properties in order (``MERGE ... SET r += props``).

    Examples
    --------
    >>> s, d, p = merge_edge_pairs(array("Q", [1, 1, 2]), array("Q", [5, 5, 5]), {1: {"order": 2}})
    >>> list(s), list(d), p
    ([1, 2], [5, 5], {0: {'order': 2}})
    """
    n = len(src)
    # the usual case, at C speed: one end is never repeated (each activity has one commune...), so no pair is;
    # a set of ints is several times cheaper than a set of pairs
    if len(set(src)) == n or len(set(dst)) == n or len(set(zip(src, dst))) == n:
        return src, dst, props
    first: dict[tuple[int, int], int] = {}
    for pos, pair in enumerate(zip(src, dst)):
        first.setdefault(pair, pos)
    if len(first) == len(src):
        return src, dst, props
    keep = sorted(first.values())
    new_pos = {old: new for new, old in enumerate(keep)}
    merged: dict[int, dict] = {}
    for pos, pair in enumerate(zip(src, dst)):
        if pos in props:
            merged.setdefault(new_pos[first[pair]], {}).update(props[pos])
    return array("Q", (src[i] for i in keep)), array("Q", (dst[i] for i in keep)), merged


class StreamWriter:
    """The part shared by the streaming writers: node identities, merged duplicates, relationship arrays.

    A subclass writes each new node in :meth:`_write_node` and everything else
    in :meth:`flush`. Nodes are numbered per label in order of arrival;
    relationships whose two ends are known are kept as pairs of those numbers,
    the others wait in ``deferred`` until :meth:`flush` (then ``unresolved``).
    """

    def __init__(self) -> None:
        """Set up the instance."""
        self.seen: dict[str, dict[str, int]] = defaultdict(dict)
        self.ids: dict[str, list[str]] = defaultdict(list)
        self.duplicates: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.pairs: dict[tuple[str, str, str], array] = {}
        self.edge_props: dict[tuple[str, str, str], dict[int, dict]] = defaultdict(dict)
        self.deferred: list[Edge] = []
        self.unresolved: list[Edge] = []
        self.node_counts: dict[str, int] = defaultdict(int)
        self.edge_counts: dict[str, int] = defaultdict(int)
        self.flushed = False
        self.plans: dict[type, tuple[str, _Layout | None, dict[str, int]]] = {}  # by record class
        self.routes: dict[tuple[str, str, str], list[Any]] = {}  # by relationship group

    # --- GraphWriter's interface -------------------------------------------

    def prepare(self) -> None:
        """Nothing to prepare here (subclasses may check their target)."""

    def has(self, label: str, node_id: str) -> bool:
        """True when a node of this label and id was added."""
        return node_id in self.seen[label]

    def add_all(self, records: Iterable[Record]) -> int:
        """Add every record of an iterable; return how many (the garbage collector rests meanwhile)."""
        n = 0
        add = self.add
        with gc_paused():  # records and rows hold no reference cycle: its passes would only cost time
            for n, record in enumerate(records, 1):
                add(record)
        return n

    def add(self, record: Record) -> None:
        """Add one record's node (merged with an earlier one of the same id) and its relationships."""
        if self.flushed:
            raise GraphError(f"{type(self).__name__} writes once: add() after flush() is not supported")
        plan = self.plans.get(type(record))
        if plan is None:
            plan = self._plan(type(record))
        label, layout, known = plan
        if label:
            if layout is None:
                self._add_props(label, record.node_props(), None)
            else:
                node_id = record.id  # type: ignore[attr-defined]
                if node_id in known:
                    self.duplicates[label].setdefault(node_id, {}).update(record.node_props())
                else:
                    index = known[node_id] = len(known)
                    self.ids[label].append(node_id)
                    self.node_counts[label] += 1
                    self._write_node(label, layout, record, index)
        self._add_edges(record.edges(), False)

    def _add_edges(self, edges: Iterable[tuple], bare: bool) -> None:
        """Keep each relationship as a pair of node numbers, or defer it while an end is unknown.

        ``bare``: the relationships are ``(type, source label, source id, target
        label, target id)`` without properties (bulk rows), else :class:`Edge`.
        This is :meth:`add_edge` inlined: it runs for millions of relationships.
        """
        routes, deferred = self.routes, self.deferred
        for edge in edges:
            route = routes.get((edge[0], edge[1], edge[3]))
            if route is None:
                route = self._route(edge[0], edge[1], edge[3])
            src = route[0].get(edge[2])
            dst = route[1].get(edge[4])
            if src is None or dst is None:
                deferred.append(Edge(*edge, {}) if bare else edge)
                continue
            pairs = route[2]
            if pairs is None:
                pairs = route[2] = self.pairs.setdefault(route[3], array("Q"))
            if not bare and edge[5]:
                self.edge_props[route[3]][len(pairs) // 2] = dict(edge[5])
            pairs.append(src)
            pairs.append(dst)

    def _plan(self, cls: type) -> tuple[str, _Layout | None, dict[str, int]]:
        """What :meth:`add` needs for a record class: its label, its layout, the ids of its label's nodes."""
        label = cls.LABEL  # type: ignore[attr-defined]
        plan = self.plans[cls] = (label, record_columns(cls) if label else None, self.seen[label] if label else {})
        return plan

    def _route(self, rtype: str, src_label: str, dst_label: str) -> list[Any]:
        """What :meth:`add` needs for a relationship group: both ends' ids, its pairs (once made), its key."""
        key = (rtype, src_label, dst_label)
        route = self.routes[key] = [self.seen[src_label], self.seen[dst_label], self.pairs.get(key), key]
        return route

    def add_node(self, label: str, props: dict[str, Any]) -> None:
        """Add a node given as a label and a property dict (``id`` required)."""
        if self.flushed:
            raise GraphError(f"{type(self).__name__} writes once: add_node() after flush() is not supported")
        if "id" not in props:
            raise GraphError(f"a {label} node has no id: {props!r}")
        self._add_props(label, props, None)

    def _add_props(self, label: str, props: dict[str, Any], layout: _Layout | None) -> None:
        """Add a node from its property dict."""
        node_id = props["id"]
        known = self.seen[label]
        if node_id in known:
            self.duplicates[label].setdefault(node_id, {}).update(props)
            return
        index = len(known)
        known[node_id] = index
        self.ids[label].append(node_id)
        self.node_counts[label] += 1
        self._write_node(label, layout, props, index)

    def add_edge(self, edge: Edge) -> None:
        """Keep a relationship as a pair of node numbers, or defer it while an end is unknown."""
        src = self.seen[edge.src_label].get(edge.src)
        dst = self.seen[edge.dst_label].get(edge.dst)
        if src is None or dst is None:
            self.deferred.append(edge)
            return
        key = (edge.type, edge.src_label, edge.dst_label)
        pairs = self.pairs.get(key)
        if pairs is None:
            pairs = self.pairs[key] = array("Q")
        if edge.props:
            self.edge_props[key][len(pairs) // 2] = dict(edge.props)
        pairs.append(src)
        pairs.append(dst)

    def resolve_deferred(self) -> None:
        """Retry the deferred relationships; those still missing an end become ``unresolved``."""
        deferred, self.deferred = self.deferred, []
        for edge in deferred:
            if edge.src in self.seen[edge.src_label] and edge.dst in self.seen[edge.dst_label]:
                self.add_edge(edge)
            else:
                self.unresolved.append(edge)

    def edge_groups(self) -> Iterable[tuple[tuple[str, str, str], array, array, dict[int, dict]]]:
        """Each relationship group with repeated pairs merged: (key, sources, targets, props by position)."""
        for key in sorted(self.pairs):
            pairs = self.pairs[key]
            src, dst, props = merge_edge_pairs(pairs[0::2], pairs[1::2], self.edge_props.get(key, {}))
            yield key, src, dst, props

    def unresolved_summary(self, limit: int = 5) -> list[str]:
        """One line per relationship type with unresolved ends: count and a few examples."""
        groups: dict[tuple[str, str, str], list[Edge]] = defaultdict(list)
        for e in self.unresolved:
            groups[(e.type, e.src_label, e.dst_label)].append(e)
        lines = []
        for (rtype, src, dst), edges in sorted(groups.items()):
            examples = ", ".join(f"{e.src}->{e.dst}" for e in edges[:limit])
            lines.append(f"{len(edges)} {rtype} relationship(s) from {src} to {dst} not created: "
                         f"the {dst if edges[0].src in self.seen[src] else src} is not in the loaded sources "
                         f"(e.g. {examples})")
        return lines

    # --- for subclasses ----------------------------------------------------

    def _write_node(self, label: str, layout: _Layout | None, source: Any, index: int) -> None:
        """Write one new node (``source`` is the record when ``layout`` is given, else a property dict)."""
        raise NotImplementedError

    def flush(self) -> None:
        """Write everything that is waiting."""
        raise NotImplementedError


class _Sender:
    """Sends GRAPH.BULK calls one at a time from a helper thread, so Python keeps reading meanwhile.

    Each call runs in its own short-lived thread; a new call first waits for the
    previous one (the server applies them in order), so nothing is left running
    when a load stops on an error.
    """

    def __init__(self, connection: Any, graph: str) -> None:
        """Set up the instance."""
        self.connection, self.graph = connection, graph
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.begun = False
        self.seconds = 0.0

    def _call(self, args: list[Any]) -> None:
        """Run one call; keep its error for the loading thread."""
        t0 = time.perf_counter()
        try:
            self.connection.execute_command("GRAPH.BULK", self.graph, *args)
        except BaseException as err:  # re-raised by wait()
            self.error = err
        self.seconds += time.perf_counter() - t0

    def send(self, nodes: int, edges: int, node_tokens: list[bytes], edge_tokens: list[bytes]) -> None:
        """Start one call once the previous one is done (the first carries BEGIN: a new graph)."""
        self.wait()
        args: list[Any] = [nodes, edges, len(node_tokens), len(edge_tokens), *node_tokens, *edge_tokens]
        if not self.begun:
            args.insert(0, "BEGIN")
            self.begun = True
        self.thread = threading.Thread(target=self._call, args=(args,), name="graph-bulk", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        """Block until the running call is done; raise its error as a GraphError naming the graph."""
        if self.thread is not None:
            self.thread.join()
            self.thread = None
        if self.error is not None:
            err, self.error = self.error, None
            raise GraphError(f"FalkorDB bulk insert into graph {self.graph!r} failed: {err}") from err


#: bulk rows of each record class checked against their record (see BulkWriter._check_row)
_CHECKED_ROWS = 64
#: node rows of one label encoded at a time by :class:`_RowEncoder`
_BATCH_ROWS = 512


def _token_header(name: str, columns: Iterable[str]) -> bytes:
    """The header of a token: entity name, property count, property names."""
    cols = list(columns)
    return (name.encode() + b"\x00" + _PACK_HEADER_COUNT(len(cols))
            + b"".join(c.encode() + b"\x00" for c in cols))


class _NodeBuffer:
    """Rows of one label waiting to be sent, all with the same columns.

    ``rows`` holds the value tuples not encoded yet (by ``encoder``, for a
    record class's layout), ``chunks`` the encoded rows; ``count`` is how many
    rows ``chunks`` holds.
    """

    __slots__ = ("columns", "header", "encoder", "rows", "chunks", "count", "first")

    def __init__(self, label: str, columns: tuple[str, ...], first: int, encoder: _RowEncoder | None) -> None:
        """Set up the instance."""
        self.columns = columns
        self.header = _token_header(label, columns)
        self.encoder = encoder
        self.rows: list[tuple] = []
        self.chunks: list[bytes] = []
        self.count = 0
        self.first = first

    def encode(self) -> int:
        """Encode the waiting value tuples into ``chunks``; return the number of bytes added."""
        if not self.rows:
            return 0
        chunk = self.encoder.encode(self.rows)  # type: ignore[union-attr]
        self.count += len(self.rows)
        self.rows = []
        self.chunks.append(chunk)
        return len(chunk)


class BulkWriter(StreamWriter):
    """Write records into a new FalkorDB graph with ``GRAPH.BULK`` (same interface and graph as GraphWriter).

    Parameters
    ----------
    store : a :class:`graph.falkor.FalkorStore` on a graph that does not exist yet
        (the staging store of ``begin_load()``).
    buffer_bytes : size of the node rows sent per call.
    edge_chunk : relationships per token.
    batch_size : rows per query when merged duplicates are set after the load.
    tracer : optional callback ``tracer(kind, key, n)`` after each call.

    Examples
    --------
    >>> BulkWriter.__name__
    'BulkWriter'
    """

    def __init__(self, store: Any, *, buffer_bytes: int = 16 << 20, edge_chunk: int = 1 << 20,
                 batch_size: int = 1000, tracer: Callable[[str, str, int], None] | None = None) -> None:
        """Set up the instance."""
        super().__init__()
        if getattr(store, "backend", None) != "falkordb":
            raise GraphError(f"the bulk writer needs the embedded FalkorDB store, not {getattr(store, 'backend', store)!r}")
        self.store = store
        self.buffer_bytes, self.edge_chunk, self.batch_size, self.tracer = buffer_bytes, edge_chunk, batch_size, tracer
        self.buffers: dict[str, _NodeBuffer] = {}
        self.encoders: dict[tuple[str, ...], _RowEncoder] = {}
        self.row_plans: dict[type, list[Any]] = {}  # by record class, for bulk rows
        self.pending = 0
        #: rows of a label encoded at a time (fewer for small buffers, so that a call can carry a single node)
        self.batch_rows = max(1, min(_BATCH_ROWS, buffer_bytes >> 8))
        self.next_id = 0
        self.segments: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # (first local, first id, n)
        self.sender: _Sender | None = None
        self.prepared = False
        self.timings: dict[str, float] = {}

    def prepare(self) -> None:
        """Check that the graph holds no node, then create the ``id`` indexes before the first row.

        GRAPH.BULK fills the indexes as it creates the nodes, on the server's
        thread, while Python is still reading the sources.

        Raises
        ------
        GraphError
            The graph already holds nodes (the bulk path numbers nodes from 0).
        """
        if self.store.exists() and self.store.run("MATCH (n) RETURN n LIMIT 1").rows:
            raise GraphError(f"graph {self.store.graph_name!r} already holds nodes: the bulk writer loads a new "
                             "graph (use store.begin_load(), or the UNWIND writer to add to a graph)")
        self.store.ensure_indexes(NODE_LABELS)
        self.prepared = True

    # --- nodes -------------------------------------------------------------

    def _write_node(self, label: str, layout: _Layout | None, source: Any, index: int) -> None:
        """Keep one node row in its label's buffer; encode it by batches, send the buffers when they are big enough."""
        if layout is not None:
            self._write_values(label, layout, layout.values(source), index)
            return
        buf = self.buffers.get(label)
        columns = buf.columns if buf is not None else ()
        if buf is None or not set(source) <= set(columns):
            buf = self._new_buffer(label, columns + tuple(k for k in source if k not in columns), index, None)
        self.pending += buf.encode()
        row = b"".join([encode_value(source.get(c)) for c in buf.columns])
        buf.chunks.append(row)
        buf.count += 1
        self.pending += len(row)
        if self.pending >= self.buffer_bytes:
            self._send_nodes()

    def _write_values(self, label: str, layout: _Layout, values: tuple, index: int) -> None:
        """Keep the values of one node row (in ``layout.columns`` order) in its label's buffer."""
        buf = self.buffers.get(label)
        if buf is None or buf.columns is not layout.columns:
            buf = self._new_buffer(label, layout.columns, index, self._encoder(layout))
        rows = buf.rows
        rows.append(values)
        if len(rows) >= self.batch_rows:
            self.pending += buf.encode()
            if self.pending >= self.buffer_bytes:
                self._send_nodes()

    # --- bulk rows: records given as (class, field values, relationships) ---------

    def add_all(self, records: Iterable[Record]) -> int:
        """Add every record of an iterable; return how many.

        An iterable with a ``bulk_rows()`` method (such as
        :class:`loaders.rpps.PersonneActivite`) is read through it: each record
        comes as ``(class, field values, relationships)``, where ``class(*values)``
        is the record and the relationships are its ``edges()`` as
        ``(type, source label, source id, target label, target id)`` without
        properties. No record object is built then (but for a node seen before,
        merged as :meth:`add` does); the first rows of each class are checked
        against their record (:meth:`_check_row`).
        """
        bulk_rows = getattr(records, "bulk_rows", None)
        if bulk_rows is None:
            return super().add_all(records)
        if self.flushed:
            raise GraphError(f"{type(self).__name__} writes once: add() after flush() is not supported")
        n = 0
        with gc_paused():
            for n, (cls, values, edges) in enumerate(bulk_rows(), 1):
                self._add_row(cls, values, edges)
        return n

    def _add_row(self, cls: type, values: tuple, edges: Iterable[tuple]) -> None:
        """Add one bulk row: its node (unless already there: then the record goes through :meth:`add`), its edges."""
        plan = self.row_plans.get(cls)
        if plan is None:
            plan = self._row_plan(cls)
        label, layout, known, project, checks = plan
        node_id = values[0]
        if checks:
            edges = tuple(edges)
            self._check_row(cls, values, edges)
        if node_id in known:
            self.add(cls(*values))
            return
        index = known[node_id] = len(known)
        self.ids[label].append(node_id)
        self.node_counts[label] += 1
        self._write_values(label, layout, project(values) if project else values, index)
        self._add_edges(edges, True)

    def _row_plan(self, cls: type) -> list[Any]:
        """What :meth:`_add_row` needs for a record class: label, layout, its nodes' ids, the node values' getter."""
        layout = record_columns(cls)
        fields = [f.name for f in dataclasses.fields(cls)]
        if layout is None or fields[0] != "id":
            raise GraphError(f"bulk rows of {cls.__name__}: the class needs a label, the model's node_props() "
                             "and id as its first field")
        positions = [fields.index(c) for c in layout.columns]
        project = None if positions == list(range(len(fields))) else operator.itemgetter(*positions)
        plan = self.row_plans[cls] = [cls.LABEL, layout, self.seen[cls.LABEL], project, _CHECKED_ROWS]
        return plan

    def _check_row(self, cls: type, values: tuple, edges: Iterable[tuple]) -> None:
        """Check a bulk row against its record: same node values, same relationships (the first rows of a class).

        Raises
        ------
        GraphError
            The row's relationships or node values are not the record's (a reader out of step with the model).
        """
        plan = self.row_plans[cls]
        plan[4] -= 1
        record = cls(*values)
        label, layout, _, project, _ = plan
        want = [tuple(e) for e in record.edges()]
        got = [(*e, {}) for e in edges]
        if got != want or (project(values) if project else values) != layout.values(record):
            raise GraphError(f"the bulk row of {cls.__name__} {values[0]!r} is not its record: relationships {got!r} "
                             f"for {want!r}, or other node values (the reader must follow {cls.__name__})")

    def _new_buffer(self, label: str, columns: tuple[str, ...], first: int,
                    encoder: _RowEncoder | None) -> _NodeBuffer:
        """Start a buffer for new columns (the old one is sent first, to keep the node order)."""
        old = self.buffers.get(label)
        if old is not None and (old.rows or old.chunks):
            self._send_nodes()
        buf = self.buffers[label] = _NodeBuffer(label, columns, first, encoder)
        return buf

    def _encoder(self, layout: _Layout) -> _RowEncoder:
        """The row encoder of a layout (one per record class, its column caches kept for the whole load)."""
        encoder = self.encoders.get(layout.columns)
        if encoder is None:
            encoder = self.encoders[layout.columns] = _RowEncoder(layout)
        return encoder

    def _send_nodes(self) -> None:
        """Send every buffered node row in one call; record the server ids they get."""
        tokens, count = [], 0
        for label, buf in self.buffers.items():
            buf.encode()
            if not buf.chunks:
                continue
            n = buf.count
            self.segments[label].append((buf.first, self.next_id, n))
            self.next_id += n
            count += n
            tokens.append(buf.header + b"".join(buf.chunks))
            buf.first += n
            buf.chunks, buf.count = [], 0
        self.pending = 0
        if tokens:
            self._sender().send(count, 0, tokens, [])
            if self.tracer:
                self.tracer("nodes", "bulk", count)

    def _sender(self) -> _Sender:
        """The background sender (on first use; BEGIN creates the graph unless prepare() did)."""
        if self.sender is None:
            self.sender = _Sender(self.store.db.connection, self.store.graph_name)
            self.sender.begun = self.store.exists()
        return self.sender

    def _server_ids(self, label: str) -> array:
        """The server id of every node of a label, by its local number."""
        out = array("Q")
        for first, start, n in self.segments[label]:
            if first != len(out):  # pragma: no cover - buffers of one label are sent in order
                raise GraphError(f"node order lost for label {label}")
            out.extend(range(start, start + n))
        return out

    # --- flush -------------------------------------------------------------

    def flush(self) -> None:
        """Send the remaining nodes, then every relationship, create the indexes, set merged duplicates."""
        if self.flushed:
            return
        t0 = time.perf_counter()
        try:
            self._send_nodes()
            self.resolve_deferred()
            ids = {label: self._server_ids(label) for label in self.segments}
            for (rtype, src_label, dst_label), src, dst, props in self.edge_groups():
                src_ids, dst_ids = ids[src_label], ids[dst_label]
                src = array("Q", map(src_ids.__getitem__, src))
                dst = array("Q", map(dst_ids.__getitem__, dst))
                self._send_edges(rtype, src, dst, props)
                self.edge_counts[rtype] += len(src)
            if self.sender is not None:
                self.sender.wait()
        finally:
            if self.sender is not None:
                if self.sender.thread is not None:  # after an error: let the last call end, keep the first error
                    self.sender.thread.join()
                self.timings["server_bulk_s"] = self.sender.seconds
                self.sender = None
        self.flushed = True
        self.timings["flush_bulk_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        known = set(NODE_LABELS) if self.prepared else set()
        self.store.ensure_indexes(sorted(set(self.seen) - known))  # labels whose index prepare() did not create
        self._wait_for_indexes()
        self.timings["indexes_s"] = time.perf_counter() - t1
        self._set_duplicates()

    def _send_edges(self, rtype: str, src: array, dst: array, props: dict[int, dict]) -> None:
        """Send one relationship type between two labels, in tokens of ``edge_chunk`` rows."""
        columns = sorted({k for p in props.values() for k in p})
        header = _token_header(rtype, columns)
        for start in range(0, len(src), self.edge_chunk):
            stop = min(len(src), start + self.edge_chunk)
            if not columns:
                both = array("Q", bytes(16 * (stop - start)))
                both[0::2], both[1::2] = src[start:stop], dst[start:stop]
                body = both.tobytes()
            else:
                pack = struct.Struct("=QQ").pack
                body = b"".join(pack(src[i], dst[i]) + b"".join(
                    [encode_value(props.get(i, {}).get(c)) for c in columns]) for i in range(start, stop))
            self._sender().send(0, stop - start, [], [header + body])
            if self.tracer:
                self.tracer("relationships", rtype, stop - start)

    def _wait_for_indexes(self, timeout: float = 600.0) -> None:
        """Wait until FalkorDB has built the new indexes (they are filled in the background)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            res = self.store.graph.query("CALL db.indexes() YIELD label, status RETURN label, status")
            if all(row[1] == "OPERATIONAL" for row in res.result_set or []):
                return
            time.sleep(0.05)

    def _set_duplicates(self) -> None:
        """Set the properties of records seen more than once (later values win, as SET n += props)."""
        for label, rows_by_id in self.duplicates.items():
            rows = list(rows_by_id.values())
            for i in range(0, len(rows), self.batch_size):
                self.store.write(f"UNWIND $rows AS row MATCH (n:{label} {{id: row.id}}) SET n += row",
                                 {"rows": rows[i:i + self.batch_size]})
