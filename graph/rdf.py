"""The RDF projection of the model: stable IRIs, declared terms only, provenance on every node.

The ontology (``ontology/maillage.ttl``) drives the projection: a node label
becomes its class, a property key its datatype property (typed by the
property's ``rdfs:range``), a relationship type its object property, each
found through the term's ``mai:pgName``. Nothing undeclared is written: an
unknown label, key or type raises :class:`UndeclaredTerm` (or, with
``strict=False``, is left out and listed in ``graph.undeclared``).

IRIs are stable and built from the national identifiers:
``https://maillage.fr/id/professional/<Identification nationale PP>``,
``.../structure/<FINESS ET>``, ``.../commune/<INSEE>``, ``.../epci/<SIREN>``...;
a nomenclature code lives at its MOS canonical URL, a slash and the code
(``https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante/60``).

Provenance: every node is ``prov:wasDerivedFrom`` the :class:`~graph.model.Source`
file it was read from (by its ``source``/``file`` name, or the only source of
its kind), and each source carries its file name, SHA-256 and load date.

The projection is written once, as a stream of plain triples, with two sinks:
rdflib (:func:`records_to_rdf`, :func:`store_to_rdf`) and pyoxigraph for
national volumes (:func:`store_to_oxigraph`), which goes through
:mod:`graph.rdf_fast`: the same triples as N-Triples text, made per label and
per property key and bulk-loaded by pyoxigraph in Rust (checked equal to this
module's by ``tests/test_rdf_fast.py``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Union
from urllib.parse import quote, unquote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from graph.model import Record
from graph.rdf_io import (RDF_FORMATS, RdfError, RdfSyntaxError, UndeclaredTerm, load_ontology, load_turtle,
                          parse_rdf_file)
from ontology.namespace import MAI, MAI_ID, ONTOLOGY_PATH, bind_namespaces

__all__ = [
    "RdfError",
    "RdfSyntaxError",
    "UndeclaredTerm",
    "Vocabulary",
    "Projector",
    "vocabulary",
    "load_ontology",
    "load_turtle",
    "node_iri",
    "iri_to_node",
    "iter_records",
    "iter_store",
    "project",
    "records_to_rdf",
    "store_to_rdf",
    "store_to_oxigraph",
    "parse_rdf_file",
    "RDF_FORMATS",
    "skos_triples",
    "concepts_to_skos",
    "skos_turtle",
]

# --- the vocabulary, read from the ontology -----------------------------------

#: label -> path segment of the node IRIs (Concept IRIs come from their scheme)
IRI_KINDS: dict[str, str] = {
    "Commune": "commune", "Epci": "epci", "LegalEntity": "legal-entity", "Structure": "structure",
    "Professional": "professional", "Activity": "activity", "Territory": "territory",
    "Membership": "membership", "Participation": "participation", "Partnership": "partnership",
    "Pathway": "pathway", "Stage": "stage", "RoleRequirement": "role", "Source": "source",
}
_LABELS_OF_KIND = {v: k for k, v in IRI_KINDS.items()}
#: node label -> the Source ``kind`` its facts come from when the node does not name its file
DEFAULT_SOURCE_KIND = {
    "Concept": "nomenclature", "Commune": "communes", "Epci": "epci", "LegalEntity": "finess",
    "Structure": "finess", "Professional": "rpps", "Activity": "rpps", "Membership": "roster",
    "Participation": "roster", "Partnership": "partnerships", "Pathway": "pathway",
}
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT_RE = re.compile(r"^[+-]?\d+$")


@dataclass
class Vocabulary:
    """The property-graph names of the ontology's terms (read through ``mai:pgName``)."""

    classes: dict[str, URIRef] = field(default_factory=dict)
    relations: dict[str, URIRef] = field(default_factory=dict)
    properties: dict[str, tuple[URIRef, URIRef]] = field(default_factory=dict)  # key -> (term, range)
    edge_properties: dict[str, set[str]] = field(default_factory=dict)  # rel type -> keys
    schemes: dict[str, str] = field(default_factory=dict)  # scheme code -> scheme IRI

    @classmethod
    def from_graph(cls, g: Graph) -> "Vocabulary":
        """Read the vocabulary of an ontology graph."""
        v = cls()
        for term, name in g.subject_objects(MAI.pgName):
            name = str(name)
            if (term, RDF.type, OWL.Class) in g:
                v.classes[name] = URIRef(term)
            elif (term, RDF.type, OWL.ObjectProperty) in g:
                v.relations[name] = URIRef(term)
                keys = {str(g.value(p, MAI.pgName)) for p in g.objects(term, MAI.pgEdgeProperty)}
                if keys:
                    v.edge_properties[name] = keys
            elif (term, RDF.type, OWL.DatatypeProperty) in g:
                v.properties[name] = (URIRef(term), URIRef(g.value(term, RDFS.range) or XSD.string))
        for scheme, code in g.subject_objects(MAI.schemeCode):
            v.schemes[str(code)] = str(scheme)
        return v



@lru_cache(maxsize=4)
def _cached_vocabulary(path: str) -> Vocabulary:
    """The vocabulary of an ontology file, parsed once per process."""
    return Vocabulary.from_graph(load_ontology(path))


def vocabulary(path: str | Path | None = None) -> Vocabulary:
    """The vocabulary of the ontology (cached).

    Examples
    --------
    >>> v = vocabulary()
    >>> v.classes["Professional"], v.relations["HAS_STAGE"] == MAI.hasStage
    (rdflib.term.URIRef('https://maillage.fr/ontology#Professional'), True)
    >>> v.properties["last_verified"][1]
    rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date')
    """
    return _cached_vocabulary(str(Path(path or ONTOLOGY_PATH).resolve()))


# --- IRIs ----------------------------------------------------------------------


def _segment(value: str) -> str:
    """An id as one IRI path segment (``:`` and unreserved characters kept)."""
    return quote(str(value), safe=":@!$'()*+,;=")


def node_iri(label: str, node_id: str, vocab: Vocabulary | None = None) -> str:
    """The stable IRI of a node, from its label and id.

    Examples
    --------
    >>> node_iri("Professional", "810101234567")
    'https://maillage.fr/id/professional/810101234567'
    >>> node_iri("Concept", "TRE_G15:60")
    'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante/60'
    >>> node_iri("Commune", "2A004")
    'https://maillage.fr/id/commune/2A004'
    """
    if label == "Concept":
        scheme, _, code = str(node_id).partition(":")
        base = (vocab or vocabulary()).schemes.get(scheme) or f"{MAI_ID}scheme/{_segment(scheme)}"
        return f"{base}/{_segment(code)}"
    kind = IRI_KINDS.get(label)
    if kind is None:
        raise UndeclaredTerm(f"node label {label!r} has no IRI pattern (known: {', '.join(sorted(IRI_KINDS))})")
    return f"{MAI_ID}{kind}/{_segment(node_id)}"


def iri_to_node(iri: str) -> tuple[str, str] | None:
    """The (label, id) of a node IRI of ``https://maillage.fr/id/``, or None for another IRI.

    Examples
    --------
    >>> iri_to_node("https://maillage.fr/id/membership/m:cpts-x:810101234567")
    ('Membership', 'm:cpts-x:810101234567')
    >>> iri_to_node("https://schema.org/Person") is None
    True
    """
    text = str(iri)
    if not text.startswith(str(MAI_ID)):
        return None
    kind, _, rest = text[len(str(MAI_ID)):].partition("/")
    label = _LABELS_OF_KIND.get(kind)
    if label is None or not rest:
        return None
    return label, unquote(rest)


# --- literals --------------------------------------------------------------------

#: a projected object: ("i", iri) or ("l", lexical form, datatype IRI or None, language or None)
Obj = Union[tuple[str, str], tuple[str, str, Union[str, None], Union[str, None]]]
Triple = tuple[str, str, Obj]
_STRING = str(XSD.string)


def _lexical(value: Any, range_: str) -> tuple[str, str]:
    """The lexical form and datatype of a value for a property's range.

    A value that does not fit the range is kept as a string (a plain literal,
    written without datatype), so that the SHACL datatype checks report it
    instead of the projection failing.
    """
    if range_ == str(XSD.boolean):
        if isinstance(value, bool):
            return ("true" if value else "false"), range_
        if str(value).lower() in ("true", "false"):
            return str(value).lower(), range_
    elif range_ == str(XSD.integer):
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value), range_
        if isinstance(value, str) and _INT_RE.match(value):
            return value, range_
    elif range_ == str(XSD.decimal):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            text = format(Decimal(repr(float(value))), "f")
            return (text if "." in text else text + ".0"), range_
        try:
            Decimal(str(value))
            if re.fullmatch(r"[+-]?\d+\.\d+", str(value)):
                return str(value), range_
        except InvalidOperation:
            pass
    elif range_ == str(XSD.date):
        if isinstance(value, str) and _DATE_RE.match(value):
            try:
                date.fromisoformat(value)
                return value, range_
            except ValueError:
                pass
    elif range_ == str(XSD.dateTime):
        if isinstance(value, str) and "T" in value:
            try:
                datetime.fromisoformat(value)
                return value, range_
            except ValueError:
                pass
    elif range_ == _STRING:
        return str(value), _STRING
    if isinstance(value, bool):
        return ("true" if value else "false"), _STRING
    return str(value), _STRING


# --- the projection ------------------------------------------------------------


class Projector:
    """Turn nodes and relationships (label, id, properties) into triples."""

    def __init__(self, vocab: Vocabulary, *, strict: bool = True) -> None:
        """A projector on a vocabulary; ``strict`` refuses undeclared terms."""
        self.vocab = vocab
        self.strict = strict
        self.undeclared: set[str] = set()
        self.sources_by_file: dict[str, list[tuple[str, str]]] = {}  # file name -> [(kind, iri)]
        self.sources_by_kind: dict[str, list[str]] = {}
        self.pathway_source: dict[str, str] = {}

    def _undeclared(self, message: str) -> None:
        """Refuse an undeclared term, or note it when not strict."""
        if self.strict:
            raise UndeclaredTerm(f"{message} is not declared in ontology/maillage.ttl (add it with its mai:pgName)")
        self.undeclared.add(message)

    def _source_for(self, label: str, props: dict[str, Any]) -> str | None:
        """The IRI of the Source a node was read from, when it can be told."""
        names = [props.get("file")] if label == "Pathway" else [props.get("source")]
        for name in names:
            if isinstance(name, str) and name:
                found = self.sources_by_file.get(Path(name).name, [])
                kind = DEFAULT_SOURCE_KIND.get(label)
                best = [iri for k, iri in found if k == kind] or [iri for _, iri in found]
                if len(best) == 1:
                    return best[0]
        if label in ("Stage", "RoleRequirement"):
            return self.pathway_source.get(str(props.get("id", "")).split(".", 1)[0])
        candidates = self.sources_by_kind.get(DEFAULT_SOURCE_KIND.get(label, ""), [])
        return candidates[0] if len(candidates) == 1 else None

    def node(self, label: str, props: dict[str, Any]) -> Iterator[Triple]:
        """The triples of one node."""
        cls = self.vocab.classes.get(label)
        if cls is None:
            self._undeclared(f"node label {label!r}")
            return
        node_id = props.get("id")
        if node_id is None or node_id == "":
            raise RdfError(f"a {label} node has no id: {props!r}")
        s = node_iri(label, str(node_id), self.vocab)
        yield s, str(RDF.type), ("i", str(cls))
        for key, value in props.items():
            term = self.vocab.properties.get(key)
            if term is None:
                self._undeclared(f"property {key!r} of {label}")
                continue
            pred, range_ = str(term[0]), str(term[1])
            for v in value if isinstance(value, (list, tuple)) else (value,):
                if v is None:
                    continue
                lex, dt = _lexical(v, range_)
                yield s, pred, ("l", lex, None if dt == _STRING else dt, None)
        if label == "Concept":
            yield from self._skos(s, props)
        elif label == "Source":
            yield s, str(RDF.type), ("i", str(PROV.Entity))
            self._register_source(s, props)
            return
        src = self._source_for(label, props)
        if src is not None:
            yield s, str(PROV.wasDerivedFrom), ("i", src)
            if label == "Pathway":
                self.pathway_source[str(node_id)] = src

    def _register_source(self, iri: str, props: dict[str, Any]) -> None:
        """Remember a Source so the nodes read from it can point to it."""
        kind, name = str(props.get("kind") or ""), Path(str(props.get("file") or "")).name
        self.sources_by_file.setdefault(name, []).append((kind, iri))
        self.sources_by_kind.setdefault(kind, []).append(iri)

    def _skos(self, s: str, props: dict[str, Any]) -> Iterator[Triple]:
        """SKOS triples of a nomenclature concept (what SKOS readers expect)."""
        yield from skos_triples(s, props, self.vocab)

    def edge(self, rel_type: str, src_label: str, src: str, dst_label: str, dst: str,
             props: dict[str, Any] | None = None) -> Iterator[Triple]:
        """The triples of one relationship (its declared edge properties live on the target)."""
        pred = self.vocab.relations.get(rel_type)
        if pred is None:
            self._undeclared(f"relationship type {rel_type!r}")
            return
        allowed = self.vocab.edge_properties.get(rel_type, set())
        for key in props or {}:
            if key not in allowed:
                self._undeclared(f"property {key!r} of relationship {rel_type}")
        if src_label not in self.vocab.classes or dst_label not in self.vocab.classes:
            self._undeclared(f"node label {src_label if src_label not in self.vocab.classes else dst_label!r}")
            return
        s, o = node_iri(src_label, src, self.vocab), node_iri(dst_label, dst, self.vocab)
        yield s, str(pred), ("i", o)
        if rel_type == "BROADER":
            yield s, str(SKOS.broader), ("i", o)


def skos_triples(s: str, props: dict[str, Any], vocab: Vocabulary) -> Iterator[Triple]:
    """The SKOS description of a concept node: type, scheme, notation, labels, deprecation, R66 match."""
    scheme = str(props.get("scheme") or str(props.get("id", "")).partition(":")[0])
    code = str(props.get("code") or str(props.get("id", "")).partition(":")[2])
    yield s, str(RDF.type), ("i", str(SKOS.Concept))
    yield s, str(SKOS.inScheme), ("i", vocab.schemes.get(scheme) or f"{MAI_ID}scheme/{_segment(scheme)}")
    yield s, str(SKOS.notation), ("l", code, None, None)
    if props.get("label"):
        yield s, str(SKOS.prefLabel), ("l", str(props["label"]), None, "fr")
    if props.get("short_label"):
        yield s, str(SKOS.altLabel), ("l", str(props["short_label"]), None, "fr")
    if props.get("status") == "deprecated":
        yield s, str(OWL.deprecated), ("l", "true", str(XSD.boolean), None)
    if scheme == "FINESS_CAT" and "TRE_R66" in vocab.schemes:
        yield s, str(SKOS.exactMatch), ("i", f"{vocab.schemes['TRE_R66']}/{_segment(code)}")


# --- sources of nodes and relationships -----------------------------------------

#: an item of the stream: ("node", label, props) or ("edge", type, src label, src, dst label, dst, props)
Item = tuple


def _label_order(label: str) -> tuple[int, str]:
    """Sources first (provenance), then pathways (their stages point to their file), then the rest."""
    return ({"Source": 0, "Pathway": 1}.get(label, 2), label)


def iter_records(records: Iterable[Record]) -> Iterator[Item]:
    """The nodes and relationships of records, Sources and Pathways first."""
    records = sorted(records, key=lambda r: _label_order(r.LABEL or "~"))
    for r in records:
        if r.LABEL:
            yield ("node", r.LABEL, r.node_props())
    for r in records:
        for e in r.edges():
            yield ("edge", e.type, e.src_label, e.src, e.dst_label, e.dst, dict(e.props))


def _check_name(name: str, what: str) -> str:
    """A label or relationship type read from the store, checked before it is written into Cypher."""
    if not _NAME_RE.match(name):
        raise RdfError(f"the store holds a {what} that is not a plain name: {name!r}")
    return name


def iter_store(store: Any, *, batch_size: int = 5000, timeout_ms: int | None = None) -> Iterator[Item]:
    """Every node and relationship of a store, read in pages with portable, read-only Cypher.

    Nodes are read label by label (Sources, then Pathways, then the others), in
    pages of ``batch_size`` nodes fetched by id (``n.id IN $ids``: index seeks,
    no sort, the whole read is linear); each page is followed by the
    relationships leaving its nodes. See :func:`graph.rdf_fast.iter_pages`.
    """
    from graph.rdf_fast import iter_pages

    for label, nodes, edges in iter_pages(store, batch_size=batch_size, timeout_ms=timeout_ms):
        for props in nodes:
            yield ("node", label, props)
        for src, rtype, dst_label, dst, rprops in edges:
            yield ("edge", rtype, label, src, dst_label or "", dst, rprops or {})


def project(items: Iterable[Item], vocab: Vocabulary | None = None, *, strict: bool = True,
            projector: Projector | None = None) -> Iterator[Triple]:
    """Project a stream of nodes and relationships to triples."""
    p = projector or Projector(vocab or vocabulary(), strict=strict)
    for item in items:
        if item[0] == "node":
            yield from p.node(item[1], item[2])
        else:
            yield from p.edge(*item[1:])


# --- sinks -----------------------------------------------------------------------


def _rdflib_object(o: Obj) -> URIRef | Literal:
    """An rdflib term from a projected object."""
    if o[0] == "i":
        return URIRef(o[1])
    _, lex, dt, lang = o  # type: ignore[misc]
    if lang:
        return Literal(lex, lang=lang)
    return Literal(lex, datatype=URIRef(dt) if dt else None)


def _to_graph(triples: Iterable[Triple], projector: Projector) -> Graph:
    """Collect triples in a new rdflib graph with maillage's prefixes (terms built once each)."""
    g = bind_namespaces(Graph())
    iris: dict[str, URIRef] = {}
    literals: dict[Obj, Literal] = {}

    def iri(text: str) -> URIRef:
        """The URIRef of an IRI, built once."""
        term = iris.get(text)
        if term is None:
            term = iris[text] = URIRef(text)
        return term

    def obj(o: Obj) -> URIRef | Literal:
        """The rdflib term of a projected object, built once."""
        if o[0] == "i":
            return iri(o[1])
        term = literals.get(o)
        if term is None:
            term = literals[o] = _rdflib_object(o)  # type: ignore[assignment]
        return term

    g.addN((iri(s), iri(p), obj(o), g) for s, p, o in triples)
    g.undeclared = sorted(projector.undeclared)  # type: ignore[attr-defined]
    return g


def records_to_rdf(records: Iterable[Record], *, strict: bool = True, vocab: Vocabulary | None = None) -> Graph:
    """Project records to an rdflib graph.

    Parameters
    ----------
    records : iterable of Record
        Records of :mod:`graph.model` (Sources give the provenance of the others).
    strict : bool
        Raise on an undeclared term (default); otherwise leave it out and list it in ``graph.undeclared``.
    vocab : Vocabulary, optional
        The vocabulary to use (default: the shipped ontology's).

    Returns
    -------
    rdflib.Graph

    Raises
    ------
    UndeclaredTerm
        A label, property or relationship type is not declared in the ontology (``strict``).

    Examples
    --------
    >>> from graph.model import Commune, Epci
    >>> g = records_to_rdf([Commune(id="59178", name="Douai", department="59", epci="200044618"),
    ...                     Epci(id="200044618", name="CA Douaisis Agglo")])
    >>> douai = URIRef("https://maillage.fr/id/commune/59178")
    >>> g.value(douai, MAI.inEpci)
    rdflib.term.URIRef('https://maillage.fr/id/epci/200044618')
    >>> str(g.value(douai, MAI.name))
    'Douai'
    """
    p = Projector(vocab or vocabulary(), strict=strict)
    return _to_graph(project(iter_records(records), projector=p), p)


def store_to_rdf(store: Any, *, strict: bool = True, vocab: Vocabulary | None = None,
                 batch_size: int = 5000) -> Graph:
    """Project every node and relationship of a store to an rdflib graph (reads only).

    Parameters
    ----------
    store : GraphStore
        The embedded FalkorDB or Neo4j store.
    strict : bool
        Raise on an undeclared term (default); otherwise leave it out and list it in ``graph.undeclared``.
    vocab : Vocabulary, optional
        The vocabulary to use (default: the shipped ontology's).
    batch_size : int
        Nodes per read query.

    Returns
    -------
    rdflib.Graph
        With maillage's prefixes bound; an empty store gives an empty graph.

    Raises
    ------
    UndeclaredTerm
        The store holds a term the ontology does not declare (``strict``).
    GraphError
        The store cannot be read.
    """
    p = Projector(vocab or vocabulary(), strict=strict)
    return _to_graph(project(iter_store(store, batch_size=batch_size), projector=p), p)


def store_to_oxigraph(store: Any, path: str | Path | None = None, *, strict: bool = True,
                      vocab: Vocabulary | None = None, batch_size: int = 20_000, chunk: int = 200_000,
                      projector: Any = None):
    """Project a store into a pyoxigraph ``Store`` (in memory, or on disk at ``path``), for volume.

    The same triples as :func:`store_to_rdf`, written as N-Triples text that
    pyoxigraph's bulk loader parses in Rust (:mod:`graph.rdf_fast`). With a
    ``path`` the loader runs in a child process while this one reads and
    projects, and memory stays bounded (pages of ``batch_size`` nodes, blocks
    of about ``chunk`` lines); France (65 million triples) takes some 7
    minutes on two cores. In memory, count some 400 bytes per triple.

    Parameters
    ----------
    store : GraphStore
        The embedded FalkorDB or Neo4j store (only read).
    path : str or Path, optional
        Folder of an on-disk store (created when missing); national volumes need one.
    strict : bool
        Raise on an undeclared term (default); otherwise leave it out.
    vocab : Vocabulary, optional
        The vocabulary to use (default: the shipped ontology's).
    projector : graph.rdf_fast.NTriplesProjector, optional
        The projector to use (its ``undeclared`` lists the terms left out when not strict).

    Returns
    -------
    pyoxigraph.Store
        Holding the triples in its default graph.

    Raises
    ------
    UndeclaredTerm
        The store holds a term the ontology does not declare (``strict``); an on-disk
        store at ``path`` keeps what was loaded before.
    GraphError
        The store cannot be read.
    """
    from graph.rdf_fast import NTriplesProjector, iter_ntriples, load_oxigraph

    nt = projector or NTriplesProjector(vocab, strict=strict)
    return load_oxigraph(iter_ntriples(store, batch_size=batch_size, chunk=chunk, projector=nt), path)


# --- SKOS ------------------------------------------------------------------------

def concepts_to_skos(concepts: Iterable[Record], vocab: Vocabulary | None = None) -> Graph:
    """SKOS description of nomenclature concepts (the generated part of ``maillage.ttl``)."""
    vocab = vocab or vocabulary()
    g = bind_namespaces(Graph())
    for c in concepts:
        props = c.node_props()
        s = node_iri("Concept", props["id"], vocab)
        g.addN((URIRef(a), URIRef(b), _rdflib_object(o), g) for a, b, o in skos_triples(s, props, vocab))
        broader = getattr(c, "broader", None)
        if broader:
            g.add((URIRef(s), SKOS.broader, URIRef(node_iri("Concept", broader, vocab))))
    return g


def skos_turtle(concepts: Iterable[Record], vocab: Vocabulary | None = None) -> str:
    """The SKOS description of concepts as Turtle statements in a stable order (no prefix lines).

    This is the generated section of ``ontology/maillage.ttl`` (see ontology/README.md).
    """
    g = concepts_to_skos(concepts, vocab)
    nm = g.namespace_manager

    def key(s: URIRef) -> tuple[str, str]:
        """Sort concepts by scheme, then by code (numbers in order)."""
        base, _, code = str(s).rpartition("/")
        return base, code.zfill(8)

    blocks = []
    for s in sorted(set(g.subjects()), key=key):
        preds = sorted({p for p in g.predicates(s) if p != RDF.type}, key=lambda p: p.n3(nm))
        lines = [f"{s.n3(nm)} a skos:Concept"]
        for p in preds:
            objs = sorted(o.n3(nm) for o in g.objects(s, p))
            lines.append(f"    {p.n3(nm)} {' , '.join(objs)}")
        blocks.append(" ;\n".join(lines) + " .\n")
    return "\n".join(blocks)

