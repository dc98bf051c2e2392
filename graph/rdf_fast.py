"""The RDF projection at national volume: linear reads, N-Triples text, pyoxigraph's bulk loader.

:mod:`graph.rdf` defines the projection (:class:`~graph.rdf.Projector`); this
module writes the very same triples, fast enough for France (3.6 million nodes,
5 million relationships, 65 million triples):

- **reading** (:func:`iter_pages`): each label's ids are read once, then its
  nodes page by page with ``n.id IN $ids`` (index seeks), each page followed
  by the relationships leaving its nodes: portable, read-only Cypher, linear
  in the size of the graph (``ORDER BY n.id LIMIT`` keyset pages made
  FalkorDB sort every remaining node again for each page). The next page is
  read in a thread while this one is projected; on the embedded FalkorDB the
  rows are decoded straight from the compact reply (the client's generic
  parser and ``graph.falkor._plain`` cost more than the query itself);
- **projecting** (:class:`NTriplesProjector`): per label and per property key,
  the predicate IRI and the literal formatter are looked up once; each triple
  is one N-Triples line made by string concatenation. Nodes whose triples
  depend on other nodes or are few and special (sources, pathways, stages,
  role requirements, concepts), undeclared terms and unusual values go
  through the :class:`~graph.rdf.Projector` and :func:`graph.rdf._lexical`
  themselves, so that the two paths cannot drift apart;
- **loading** (:func:`load_oxigraph`): pyoxigraph's ``Store.bulk_load`` parses
  the text in Rust, into memory or into an on-disk store. pyoxigraph keeps the
  GIL while it loads, so an on-disk store is loaded by a child process fed
  through a pipe while this process reads and projects. Memory stays bounded:
  a few pages of rows and blocks of text here, the loader's batches there.

:func:`store_to_ntriples` writes the text to a file without any RDF store.
``tests/test_rdf_fast.py`` checks, on the demo territory and on nasty strings,
odd ids and odd values, that these triples equal the Projector's exactly.
"""
from __future__ import annotations

import io
import queue
import re
import threading
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from rdflib.namespace import PROV, RDF, SKOS, XSD

from graph.rdf import (IRI_KINDS, Obj, Projector, RdfError, Vocabulary, _check_name, _label_order, _lexical,
                       _segment, node_iri, vocabulary)
from graph.store import gc_paused

__all__ = [
    "GENERIC_LABELS",
    "iter_pages",
    "read_rows",
    "NTriplesProjector",
    "iter_ntriples",
    "store_to_ntriples",
    "load_oxigraph",
]

#: labels always projected by the Projector itself: their triples depend on other nodes
#: (sources, pathways and their stages and roles) or are few and special (SKOS concepts)
GENERIC_LABELS = frozenset({"Source", "Pathway", "Stage", "RoleRequirement", "Concept"})

_STRING = str(XSD.string)
_INTEGER = str(XSD.integer)
_DECIMAL = str(XSD.decimal)
_BOOLEAN = str(XSD.boolean)
_DATE = str(XSD.date)
_DATETIME = str(XSD.dateTime)
_RDF_TYPE = str(RDF.type)
_DERIVED = str(PROV.wasDerivedFrom)
_BROADER = str(SKOS.broader)


# --- reading the store ----------------------------------------------------------------------------------

def _falkor_value(cell: Sequence[Any], graph: Any) -> Any:
    """A value of FalkorDB's compact reply, as ``FalkorStore.run`` would give it (plain types)."""
    kind, value = cell
    if kind == 2 and type(value) is str or kind == 3:
        return value
    if kind == 1:
        return None
    if kind == 4:
        return value == "true" if type(value) is str else value == b"true"
    if kind == 5:
        return float(value)
    if kind == 6:
        return [_falkor_value(v, graph) for v in value]
    if kind == 10:
        return {(value[i] if type(value[i]) is str else value[i].decode()): _falkor_value(value[i + 1], graph)
                for i in range(0, len(value), 2)}
    from falkordb.query_result import parse_scalar

    from graph.falkor import _plain

    return _plain(parse_scalar(cell, graph))


def _falkor_map(value: list[Any], graph: Any) -> dict[str, Any]:
    """A property map of the compact reply (the hot loop: most values are strings or integers)."""
    out = {}
    for i in range(0, len(value), 2):
        cell = value[i + 1]
        kind = cell[0]
        out[value[i]] = cell[1] if kind == 2 or kind == 3 else _falkor_value(cell, graph)
    return out


def _falkor_rows(store: Any, query: str, params: dict[str, Any], timeout_ms: int | None) -> list[list[Any]]:
    """The rows of a read-only query on the embedded FalkorDB, decoded from the compact reply."""
    from graph.falkor import _convert_error

    graph = store.graph
    timeout = store.timeout_ms if timeout_ms is None else timeout_ms
    command: list[Any] = ["GRAPH.RO_QUERY", graph.name, graph._build_params_header(params) + query, "--compact"]
    if timeout:
        command += ["timeout", int(timeout)]
    try:
        response = graph.execute_command(*command)
    except Exception as err:
        if "empty key" in str(err) and not store.exists():
            return []  # nothing loaded yet
        raise _convert_error(err, query) from err
    if response and isinstance(response[-1], Exception):
        raise _convert_error(response[-1], query) from response[-1]
    if len(response) < 3:
        return []
    rows = response[1]
    if rows and rows[0] and len(rows[0]) == 1 and rows[0][0][0] == 10:  # one property map per row
        return [[_falkor_map(row[0][1], graph)] for row in rows]
    value = _falkor_value
    return [[value(cell, graph) for cell in row] for row in rows]


def read_rows(store: Any, query: str, params: dict[str, Any] | None = None,
              timeout_ms: int | None = None) -> list[list[Any]]:
    """The rows of a read-only query, as ``store.run(...).rows`` gives them (faster on the embedded FalkorDB)."""
    if _compact_reply(store):
        return _falkor_rows(store, query, dict(params or {}), timeout_ms)
    return store.run(query, params or {}, timeout_ms=timeout_ms).rows


def _compact_reply(store: Any) -> bool:
    """True when the store is the embedded FalkorDB with the client this module decodes (text replies)."""
    from graph.falkor import FalkorStore

    if not isinstance(store, FalkorStore) or not hasattr(store.graph, "_build_params_header"):
        return False
    try:
        return bool(store.db.connection.connection_pool.connection_kwargs.get("decode_responses"))
    except AttributeError:
        return False


def _id_pages(store: Any, label: str, count: int, batch_size: int,
              timeout_ms: int | None) -> list[list[str] | None]:
    """The pages of a label: None for one page holding them all, else lists of ``batch_size`` ids.

    Ids are read once (one index scan) and each page fetched by ``n.id IN $ids``
    (index seeks): linear, exact whatever the ids look like. Id ranges
    (``n.id >= $lo AND n.id < $hi``) would need no id list, but FalkorDB's
    index answers an upper bound on a string with the nodes sharing its first
    character only, and without the index each page scans the whole label.
    """
    if count <= batch_size:
        return [None]
    rows = read_rows(store, f"MATCH (n:{label}) WHERE n.id > '' RETURN n.id AS id", {}, timeout_ms)
    ids = list(dict.fromkeys(r[0] for r in rows if isinstance(r[0], str)))  # one page per id value
    del rows
    return [ids[i:i + batch_size] for i in range(0, len(ids), batch_size)]


#: one page: (label, node property maps, relationship rows (src id, type, dst label, dst id, props))
Page = tuple[str, list[dict[str, Any]], list[list[Any]]]


def _read_pages(store: Any, batch_size: int, timeout_ms: int | None) -> Iterator[Page]:
    """The pages of :func:`iter_pages`, read one after the other."""
    counts = store.counts().get("nodes", {})
    labels = sorted((_check_name(label, "node label") for label in counts), key=_label_order)
    for label in labels:
        for ids in _id_pages(store, label, int(counts[label] or 0), batch_size, timeout_ms):
            where, params = ("n.id > ''", {}) if ids is None else ("n.id IN $ids", {"ids": ids})
            nodes = read_rows(store, f"MATCH (n:{label}) WHERE {where} RETURN properties(n) AS props",
                              params, timeout_ms)
            edges = read_rows(store, f"MATCH (n:{label})-[r]->(b) WHERE {where} RETURN n.id AS src, "
                                     "type(r) AS type, labels(b)[0] AS dst_label, b.id AS dst, "
                                     "properties(r) AS props", params, timeout_ms)
            yield label, [row[0] for row in nodes], edges


def _ahead(items: Iterator[Any], depth: int = 1) -> Iterator[Any]:
    """The items of an iterator, each made in a thread while the previous one is used.

    The database works on the next page while the caller projects this one
    (waiting for a reply releases the GIL). An error of the thread is raised
    here; closing this generator stops the thread.
    """
    end = object()
    box: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    failure: list[BaseException] = []

    def put(item: Any) -> bool:
        """Queue an item unless the consumer has gone."""
        while not stop.is_set():
            try:
                box.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        """Make the items (reader thread)."""
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as err:  # raised by the consumer
            failure.append(err)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()
        put(end)

    thread = threading.Thread(target=work, name="rdf-pages", daemon=True)
    thread.start()
    try:
        while True:
            item = box.get()
            if item is end:
                break
            yield item
            del item
        if failure:
            raise failure[0]
    finally:
        stop.set()
        thread.join()


def iter_pages(store: Any, *, batch_size: int = 20_000, timeout_ms: int | None = None,
               prefetch: bool = True) -> Iterator[Page]:
    """Every node and relationship of a store, a page of nodes of one label at a time (read-only, portable).

    Labels come Sources first, then Pathways, then the others by name (the
    provenance of a node needs its source, a stage's needs its pathway). Each
    page holds the property maps of its nodes and the relationships leaving
    them as ``[src id, type, dst label, dst id, properties]``. Nodes without a
    string id are left out (as the id-ordered pages of earlier versions did).
    With ``prefetch``, the next page is read in a thread while this one is used.

    Raises
    ------
    GraphError
        The store cannot be read.
    RdfError
        A label read from the store is not a plain name.
    """
    pages = _read_pages(store, batch_size, timeout_ms)
    return _ahead(pages) if prefetch else pages


# --- N-Triples ------------------------------------------------------------------------------------------

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_.\-~:@!$'()*+,;=]*").fullmatch  # what _segment leaves as it is
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\]').search
_ESCAPES = {i: f"\\u{i:04X}" for i in range(0x20)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def _quoted(text: str) -> str:
    """An N-Triples string literal."""
    return '"' + (text.translate(_ESCAPES) if _NEEDS_ESCAPE(text) else text) + '"'


def _segment_fast(value: Any) -> str:
    """:func:`graph.rdf._segment`, without calling ``quote`` for the usual ids."""
    if type(value) is str and _SAFE_SEGMENT(value):
        return value
    return _segment(str(value))


def nt_object(o: Obj) -> str:
    """The N-Triples text of a projected object."""
    if o[0] == "i":
        return "<" + o[1] + ">"
    _, lex, dt, lang = o  # type: ignore[misc]
    if lang:
        return _quoted(lex) + "@" + lang
    return _quoted(lex) + "^^<" + dt + ">" if dt else _quoted(lex)


def nt_line(s: str, p: str, o: Obj) -> str:
    """One N-Triples line of a projected triple."""
    return "<" + s + "> <" + p + "> " + nt_object(o) + " .\n"


def _generic_literal(value: Any, range_: str) -> str:
    """The N-Triples literal of a value for a property's range (:func:`graph.rdf._lexical`)."""
    lex, dt = _lexical(value, range_)
    return _quoted(lex) if dt == _STRING else _quoted(lex) + "^^<" + dt + ">"


def _formatter(range_: str) -> Callable[[Any], str]:
    """The N-Triples literal maker of one range: the usual values inline, the others by :func:`_lexical`."""
    typed = '"^^<' + range_ + ">"
    if range_ == _STRING:
        def fmt(v: Any) -> str:
            text = v if type(v) is str else str(v)
            return '"' + (text.translate(_ESCAPES) if _NEEDS_ESCAPE(text) else text) + '"'
    elif range_ == _INTEGER:
        def fmt(v: Any) -> str:
            return '"' + str(v) + typed if type(v) is int else _generic_literal(v, range_)
    elif range_ == _DECIMAL:
        def fmt(v: Any) -> str:
            if type(v) is float:
                text = repr(v)  # without exponent, repr is what format(Decimal(repr(v)), "f") gives
                if "e" not in text and "n" not in text:
                    return '"' + text + typed
            return _generic_literal(v, range_)
    elif range_ == _BOOLEAN:
        true, false = '"true' + typed, '"false' + typed

        def fmt(v: Any) -> str:
            return true if v is True else false if v is False else _generic_literal(v, range_)
    elif range_ in (_DATE, _DATETIME):
        cache: dict[str, str] = {}

        def fmt(v: Any) -> str:
            if type(v) is not str:
                return _generic_literal(v, range_)
            out = cache.get(v)
            if out is None:
                if len(cache) > 100_000:
                    cache.clear()
                out = cache[v] = _generic_literal(v, range_)
            return out
    else:
        def fmt(v: Any) -> str:
            return _generic_literal(v, range_)
    return fmt


class _LabelPlan:
    """What the fast path needs for the nodes of one label."""

    __slots__ = ("label", "prefix", "type_tail", "keys", "sources")

    def __init__(self, label: str, kind: str, cls: str, vocab: Vocabulary,
                 formatters: dict[str, Callable[[Any], str]]) -> None:
        from ontology.namespace import MAI_ID

        self.label = label
        self.prefix = f"<{MAI_ID}{kind}/"
        self.type_tail = f" <{_RDF_TYPE}> <{cls}> .\n"
        self.keys: dict[str, tuple[str, Callable[[Any], str]]] = {
            key: (f" <{term}> ", formatters.setdefault(str(range_), _formatter(str(range_))))
            for key, (term, range_) in vocab.properties.items()
        }
        self.sources: dict[str | None, str] = {}  # source file name -> provenance line tail ("" when unknown)


class NTriplesProjector:
    """The triples of :class:`graph.rdf.Projector`, as N-Triples lines, made in bulk.

    Feed it the pages of :func:`iter_pages` (or nodes and relationships of one
    label); it appends the lines to a list. The wrapped :attr:`projector` keeps
    the state the triples depend on (sources, pathways) and lists the
    undeclared terms (``projector.undeclared``) when not strict.
    """

    def __init__(self, vocab: Vocabulary | None = None, *, strict: bool = True,
                 projector: Projector | None = None) -> None:
        """A projector on a vocabulary (the shipped ontology's by default)."""
        self.projector = projector or Projector(vocab or vocabulary(), strict=strict)
        self.vocab = self.projector.vocab
        self._formatters: dict[str, Callable[[Any], str]] = {}
        self._plans: dict[str, _LabelPlan | None] = {}
        self._edge_plans: dict[tuple[str, str, Any], Any] = {}
        self._iris: dict[str, str] = {}  # concept id -> "<iri>"

    @property
    def undeclared(self) -> set[str]:
        """The undeclared terms met (when not strict)."""
        return self.projector.undeclared

    # --- nodes

    def _plan(self, label: str) -> _LabelPlan | None:
        """The fast plan of a label, or None when its nodes go through the Projector."""
        if label not in self._plans:
            cls, kind = self.vocab.classes.get(label), IRI_KINDS.get(label)
            fast = cls is not None and kind is not None and label not in GENERIC_LABELS
            self._plans[label] = _LabelPlan(label, kind, str(cls), self.vocab, self._formatters) if fast else None
        return self._plans[label]

    def _generic_nodes(self, label: str, rows: Iterable[dict[str, Any]], out: list[str]) -> None:
        """Nodes projected by the Projector itself."""
        append, node = out.append, self.projector.node
        for props in rows:
            for s, p, o in node(label, props):
                append(nt_line(s, p, o))
            if label == "Source":  # the provenance of the other labels may change
                for plan in self._plans.values():
                    if plan is not None:
                        plan.sources.clear()

    def _provenance(self, plan: _LabelPlan, name: Any) -> str:
        """The provenance line tail of a node read from file ``name`` ("" when the source cannot be told)."""
        key = name if isinstance(name, str) and name else None
        tail = plan.sources.get(key)
        if tail is None:
            src = self.projector._source_for(plan.label, {"source": key})
            tail = plan.sources[key] = f" <{_DERIVED}> <{src}> .\n" if src is not None else ""
        return tail

    def nodes(self, label: str, rows: Iterable[dict[str, Any]], out: list[str]) -> None:
        """Append the N-Triples lines of nodes of one label (property maps with their ``id``) to ``out``.

        Raises
        ------
        UndeclaredTerm
            An undeclared label or property (``strict``).
        RdfError
            A node has no id.
        """
        plan = self._plan(label)
        if plan is None:
            self._generic_nodes(label, rows, out)
            return
        append, prefix, type_tail, keys = out.append, plan.prefix, plan.type_tail, plan.keys
        sources, undeclared = plan.sources, self.projector._undeclared
        for props in rows:
            node_id = props.get("id")
            if node_id is None or node_id == "":
                raise RdfError(f"a {label} node has no id: {props!r}")
            s = prefix + (node_id if type(node_id) is str and _SAFE_SEGMENT(node_id) else _segment(str(node_id))) + ">"
            append(s + type_tail)
            for key, value in props.items():
                term = keys.get(key)
                if term is None:
                    undeclared(f"property {key!r} of {label}")
                    continue
                pred, fmt = term
                if type(value) is list or type(value) is tuple:
                    for v in value:
                        if v is not None:
                            append(s + pred + fmt(v) + " .\n")
                elif value is not None:
                    append(s + pred + fmt(value) + " .\n")
            name = props.get("source")
            tail = sources.get(name if isinstance(name, str) and name else None)
            if tail is None:
                tail = self._provenance(plan, name)
            if tail:
                append(s + tail)

    # --- relationships

    def _node_ref(self, label: str, node_id: Any) -> str:
        """``<iri>`` of a node (:func:`graph.rdf.node_iri`)."""
        if label == "Concept" and type(node_id) is str:
            ref = self._iris.get(node_id)
            if ref is None:
                if len(self._iris) > 200_000:
                    self._iris.clear()
                ref = self._iris[node_id] = "<" + node_iri(label, node_id, self.vocab) + ">"
            return ref
        return "<" + node_iri(label, node_id, self.vocab) + ">"

    def _edge_plan(self, rel_type: str, src_label: str, dst_label: str) -> Any:
        """(predicate, extra predicate, allowed keys, target IRI prefix) of a relationship, or None (Projector)."""
        pred = self.vocab.relations.get(rel_type)
        classes = self.vocab.classes
        if pred is None or src_label not in classes or dst_label not in classes:
            return None
        if src_label not in IRI_KINDS and src_label != "Concept":
            return None
        if dst_label not in IRI_KINDS and dst_label != "Concept":
            return None
        from ontology.namespace import MAI_ID

        src_prefix = None if src_label == "Concept" else f"<{MAI_ID}{IRI_KINDS[src_label]}/"
        dst_prefix = None if dst_label == "Concept" else f"<{MAI_ID}{IRI_KINDS[dst_label]}/"
        extra = f" <{_BROADER}> " if rel_type == "BROADER" else None
        return f" <{pred}> ", extra, self.vocab.edge_properties.get(rel_type, set()), src_prefix, dst_prefix

    def edges(self, src_label: str, rows: Iterable[Sequence[Any]], out: list[str]) -> None:
        """Append the lines of relationships leaving nodes of ``src_label``.

        ``rows`` are ``(src id, type, dst label, dst id, properties)``, as :func:`iter_pages` reads them.

        Raises
        ------
        UndeclaredTerm
            An undeclared relationship type, edge property or label (``strict``).
        """
        append, plans, edge = out.append, self._edge_plans, self.projector.edge
        missing = plans  # a sentinel no plan can be
        for src, rel_type, dst_label, dst, props in rows:
            dst_label = dst_label or ""
            key = (rel_type, src_label, dst_label)
            plan = plans.get(key, missing)
            if plan is missing:
                plan = plans[key] = self._edge_plan(rel_type, src_label, dst_label)
            if plan is None or (props and not plan[2].issuperset(props)):
                for s, p, o in edge(rel_type, src_label, src, dst_label, dst, props or {}):
                    append(nt_line(s, p, o))
                continue
            pred, extra, _allowed, src_prefix, dst_prefix = plan
            s = (src_prefix + _segment_fast(src) + ">") if src_prefix is not None else self._node_ref(src_label, src)
            o = (dst_prefix + _segment_fast(dst) + ">") if dst_prefix is not None else self._node_ref(dst_label, dst)
            append(s + pred + o + " .\n")
            if extra is not None:
                append(s + extra + o + " .\n")

    def page(self, page: Page, out: list[str]) -> None:
        """Append the lines of one page of :func:`iter_pages`."""
        label, nodes, edges = page
        self.nodes(label, nodes, out)
        self.edges(label, edges, out)


def iter_ntriples(store: Any, *, strict: bool = True, vocab: Vocabulary | None = None, batch_size: int = 20_000,
                  chunk: int = 200_000, projector: NTriplesProjector | None = None,
                  timeout_ms: int | None = None) -> Iterator[bytes]:
    """The projection of a store as N-Triples text (UTF-8), in blocks of about ``chunk`` lines.

    Raises
    ------
    UndeclaredTerm
        The store holds a term the ontology does not declare (``strict``).
    GraphError
        The store cannot be read.
    """
    nt = projector or NTriplesProjector(vocab, strict=strict)
    step = max(1, chunk // 32)  # nodes per slice: a node makes some 10 to 30 lines
    out: list[str] = []
    with gc_paused():
        for label, nodes, edges in iter_pages(store, batch_size=batch_size, timeout_ms=timeout_ms):
            for i in range(0, len(nodes), step):
                nt.nodes(label, nodes[i:i + step], out)
                if len(out) >= chunk:
                    yield "".join(out).encode("utf-8")
                    out = []
            del nodes
            for i in range(0, len(edges), 4 * step):
                nt.edges(label, edges[i:i + 4 * step], out)
                if len(out) >= chunk:
                    yield "".join(out).encode("utf-8")
                    out = []
            del edges
        if out:
            yield "".join(out).encode("utf-8")


def store_to_ntriples(store: Any, output: str | Path | Any, *, strict: bool = True, vocab: Vocabulary | None = None,
                      batch_size: int = 20_000) -> dict[str, Any]:
    """Write the projection of a store as N-Triples to a file (a path, or a binary file object).

    The fastest export: no RDF store in between (one line per triple in the
    order the store is read; a triple the projection makes twice is written twice).

    Returns
    -------
    dict
        ``lines`` written and ``undeclared`` terms (when not strict).
    """
    nt = NTriplesProjector(vocab, strict=strict)
    lines = 0

    def write(f: Any) -> None:
        nonlocal lines
        for block in iter_ntriples(store, batch_size=batch_size, projector=nt):
            lines += block.count(b"\n")
            f.write(block)

    if isinstance(output, (str, Path)):
        with open(output, "wb") as f:
            write(f)
    else:
        write(output)
    return {"lines": lines, "undeclared": sorted(nt.undeclared)}


# --- pyoxigraph -----------------------------------------------------------------------------------------

class _BlockReader(io.RawIOBase):
    """A binary file over blocks of bytes made on demand (what ``bulk_load`` reads).

    An error while making the blocks ends the file; it is kept in :attr:`error`
    for the caller to raise once the loader has stopped (raised through the
    Rust reader it would come back as a bare ``OSError``).
    """

    def __init__(self, blocks: Iterable[bytes]) -> None:
        super().__init__()
        self.blocks = iter(blocks)
        self.error: BaseException | None = None
        self.block = memoryview(b"")
        self.pos = 0

    def readable(self) -> bool:
        """Readable."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Copy the next bytes into ``buffer``; 0 at the end."""
        while self.pos >= len(self.block):
            try:
                item = next(self.blocks)
            except StopIteration:
                return 0
            except BaseException as err:  # raised by load_oxigraph after the load
                self.error = err
                return 0
            self.block, self.pos = memoryview(item), 0
        n = min(len(buffer), len(self.block) - self.pos)
        buffer[:n] = self.block[self.pos:self.pos + n]
        self.pos += n
        return n


#: the child process that bulk-loads N-Triples read on its standard input into the store at argv[1]
_LOADER = ("import sys, pyoxigraph as ox\n"
           "with open(sys.stdin.fileno(), 'rb', buffering=1 << 20, closefd=False) as f:\n"
           "    ox.Store(sys.argv[1]).bulk_load(f, ox.RdfFormat.N_TRIPLES)\n")


def _load_in_child(blocks: Iterable[bytes], path: Path) -> None:
    """Bulk-load N-Triples blocks into the on-disk store at ``path`` in a child process.

    pyoxigraph keeps the GIL while it parses and loads; in a child process the
    loading runs on one core while this process reads and projects on the other.
    """
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen([sys.executable, "-c", _LOADER, str(path)], stdin=subprocess.PIPE, stderr=err)
        assert child.stdin is not None
        try:
            for block in blocks:
                child.stdin.write(block)
        except BrokenPipeError:
            pass  # the child failed: its message follows
        except BaseException:
            child.kill()  # the projection failed: the store keeps what was loaded before
            raise
        finally:
            try:
                child.stdin.close()
            except BrokenPipeError:
                pass
            child.wait()
        if child.returncode != 0:
            err.seek(0)
            lines = err.read().decode("utf-8", "replace").strip().splitlines()
            raise RdfError(f"pyoxigraph could not load the projection into {path}: "
                           f"{lines[-1] if lines else f'exit code {child.returncode}'}")


def load_oxigraph(blocks: Iterable[bytes], path: str | Path | None = None, *, child_process: bool = True):
    """Bulk-load N-Triples blocks into a pyoxigraph ``Store`` (on disk at ``path``, else in memory).

    With a ``path`` and ``child_process``, a child process loads the blocks
    while this one makes them (see :func:`_load_in_child`); the store is
    opened here once it is complete.

    Raises
    ------
    Exception
        Whatever making the blocks raised (once the loader has stopped; an
        on-disk store keeps what was loaded before).
    RdfError
        The loader failed (a block is not valid N-Triples, the disk is full...).
    """
    import pyoxigraph as ox

    if path is not None and child_process:
        Path(path).mkdir(parents=True, exist_ok=True)
        _load_in_child(blocks, Path(path))
        return ox.Store(str(path))
    ox_store = ox.Store(str(path)) if path is not None else ox.Store()
    reader = _BlockReader(blocks)
    ox_store.bulk_load(io.BufferedReader(reader, 1 << 20), format=ox.RdfFormat.N_TRIPLES)
    if reader.error is not None:
        raise reader.error
    return ox_store
