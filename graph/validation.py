"""SHACL checks across registries, reported in plain terms: which actor, which rule, which value.

:func:`validate_store` projects the store to RDF (reading only), mixes in the
ontology (whose nomenclature concepts are the reference code lists) and runs
pySHACL with ``ontology/shapes.ttl``. Each SHACL result becomes a
:class:`Finding`: the rule (its French name from the shapes), the node it is
about and the actor concerned (the member behind a membership, the
professional behind an activity), the offending value and the French message.

Two values of the shapes are set for each run: ``maish:today`` (the day of the
check: a site closed by then is flagged) and ``maish:staleBefore`` (today minus
``stale_days``: a member not verified since then is flagged as a *warning*,
not a violation). Validation never changes the store nor the graph given.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from graph.rdf import RdfError, iri_to_node, load_ontology, load_turtle, store_to_rdf
from ontology.namespace import MAI, MAISH, SHAPES_PATH

__all__ = [
    "DEFAULT_STALE_DAYS",
    "LABELS_FR",
    "Finding",
    "ValidationReport",
    "load_shapes",
    "validate_graph",
    "validate_store",
]

DEFAULT_STALE_DAYS = 365

#: French names of the node labels, for messages and pages
LABELS_FR = {
    "Professional": "Professionnel", "Structure": "Établissement", "LegalEntity": "Entité juridique",
    "Activity": "Activité", "Commune": "Commune", "Epci": "EPCI", "Territory": "CPTS",
    "Membership": "Adhésion", "Participation": "Participation", "Partnership": "Partenariat",
    "Pathway": "Parcours", "Stage": "Étape", "RoleRequirement": "Rôle requis", "Source": "Source",
    "Concept": "Code de nomenclature",
}
_SEVERITIES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
#: the actor behind a node that is not itself an actor: (relationship into it)
_ACTOR_VIA = {"Membership": MAI.hasMembership, "Participation": MAI.participates, "Activity": MAI.hasActivity}


@dataclass
class Finding:
    """One SHACL result, in plain terms."""

    severity: str  # violation | warning | info
    rule: str  # the rule's id (local name of its shape in ontology/shapes.ttl)
    rule_label: str  # the rule's French name
    message: str  # what is wrong, in French
    focus: str  # IRI of the node the result is about
    node_label: str | None = None  # its label in the property graph
    node_id: str | None = None
    node_name: str | None = None
    actor_label: str | None = None  # the actor concerned (the node itself, or its member / professional)
    actor_id: str | None = None
    actor_name: str | None = None
    path: str | None = None  # the property checked
    value: str | None = None  # the offending value
    source: str | None = None  # the source file of the node (or of the actor), and its line, when known
    line: int | None = None

    def where(self) -> str:
        """The actor (and node) concerned, as a short French phrase."""
        who = f"{LABELS_FR.get(self.actor_label or '', self.actor_label or 'Nœud')} {self.actor_id or self.focus}"
        if self.actor_name:
            who += f" ({self.actor_name})"
        if self.node_id and (self.node_label, self.node_id) != (self.actor_label, self.actor_id):
            who += f", {LABELS_FR.get(self.node_label or '', self.node_label or '').lower()} {self.node_id}"
        return who

    def origin(self) -> str | None:
        """``file:line`` (or the file) the finding's data came from, when known."""
        if not self.source:
            return None
        return f"{self.source}:{self.line}" if self.line else self.source


@dataclass
class ValidationReport:
    """The outcome of a validation: every finding, with the parameters of the run."""

    findings: list[Finding] = field(default_factory=list)
    checked_on: str = ""
    stale_days: int = DEFAULT_STALE_DAYS
    triples: int = 0

    @property
    def violations(self) -> list[Finding]:
        """Findings of severity violation."""
        return [f for f in self.findings if f.severity == "violation"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity warning (and info)."""
        return [f for f in self.findings if f.severity != "violation"]

    @property
    def conforms(self) -> bool:
        """True when there is no violation (warnings do not count)."""
        return not self.violations

    def by_rule(self) -> list[tuple[str, str, str, list[Finding]]]:
        """Findings grouped by rule: (rule, French name, severity, findings), violations first."""
        groups: "OrderedDict[tuple[str, str], list[Finding]]" = OrderedDict()
        for f in sorted(self.findings, key=lambda f: (f.severity != "violation", f.rule_label, f.actor_id or "")):
            groups.setdefault((f.rule, f.severity), []).append(f)
        return [(rule, items[0].rule_label, sev, items) for (rule, sev), items in groups.items()]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "conforms": self.conforms,
            "violations": len(self.violations),
            "warnings": len(self.warnings),
            "checked_on": self.checked_on,
            "stale_days": self.stale_days,
            "triples": self.triples,
            "findings": [asdict(f) for f in self.findings],
        }

    def text(self) -> str:
        """The report as plain text, one block per rule (rules and messages in French)."""
        lines = [f"SHACL: {len(self.violations)} violation(s), {len(self.warnings)} warning(s) on "
                 f"{self.triples} triples (checked on {self.checked_on}; data not verified for more than "
                 f"{self.stale_days} days is a warning)."]
        for _rule, label, severity, items in self.by_rule():
            lines.append("")
            lines.append(f"[{severity}] {label} ({len(items)})")
            for f in items:
                value = f" [valeur : « {f.value} »]" if f.value is not None else ""
                origin = f" ({f.origin()})" if f.origin() else ""
                lines.append(f"  - {f.where()} : {f.message}{value}{origin}")
        return "\n".join(lines)


def load_shapes(path: str | Path | None = None, *, today: date | None = None,
                stale_days: int = DEFAULT_STALE_DAYS) -> Graph:
    """Parse the shapes and set the day of the check and the staleness limit.

    Raises
    ------
    RdfSyntaxError
        The shapes file does not parse (with its line).
    ValueError
        ``stale_days`` is negative.
    """
    if stale_days < 0:
        raise ValueError(f"stale_days must be 0 or more, not {stale_days!r}")
    today = today or date.today()
    g = load_turtle(path or SHAPES_PATH)
    settings = {
        MAISH.today: Literal(today.isoformat(), datatype=XSD.date),
        MAISH.staleBefore: Literal((today - timedelta(days=stale_days)).isoformat(), datatype=XSD.date),
        MAISH.staleDays: Literal(stale_days, datatype=XSD.integer),
    }
    for pred, value in settings.items():
        for shape in list(g.subjects(pred, None)):
            g.set((shape, pred, value))
    return g


def _name(g: Graph, node: URIRef) -> str | None:
    """A human name of a node of the data graph."""
    label = iri_to_node(node)
    if label and label[0] == "Professional":
        parts = [g.value(node, MAI.civility), g.value(node, MAI.firstName), g.value(node, MAI.lastName)]
        text = " ".join(str(p) for p in parts if p)
        return text or None
    for pred in (MAI.name, MAI.label, MAI.siteName, MAI.file):
        v = g.value(node, pred)
        if v is not None:
            return str(v)
    return None


def _actor(g: Graph, node: URIRef) -> URIRef:
    """The actor concerned by a result on ``node`` (the node itself for an actor)."""
    label = iri_to_node(node)
    via = _ACTOR_VIA.get(label[0]) if label else None
    if via is not None:
        owner = g.value(None, via, node)
        if isinstance(owner, URIRef):
            return owner
    return node


def _text(value: Any) -> str | None:
    """A result value as text."""
    if value is None:
        return None
    if isinstance(value, URIRef):
        node = iri_to_node(value)
        return node[1] if node else str(value)
    if isinstance(value, BNode):
        return None
    return str(value)


def _copy(g: Graph) -> Graph:
    """A copy of a graph (the caller's shapes are left as they are)."""
    out = Graph()
    out += g
    return out


def _finding(data: Graph, shapes: Graph, *, severity: Any, rule_node: Any, message: Any, focus: Any,
             path: Any = None, value: Any = None) -> Finding:
    """One finding, with the node and the actor concerned looked up in the data."""
    rule = str(rule_node).rsplit("#", 1)[-1] if isinstance(rule_node, URIRef) else "shape"
    rule_label = shapes.value(rule_node, RDFS.label) if rule_node is not None else None
    node = iri_to_node(focus) if isinstance(focus, URIRef) else None
    actor = _actor(data, focus) if isinstance(focus, URIRef) else focus
    actor_node = iri_to_node(actor) if isinstance(actor, URIRef) else None
    source, line = _origin(data, focus, actor)
    return Finding(
        severity=_SEVERITIES.get(severity, "violation"),
        rule=rule, rule_label=str(rule_label or rule), message=str(message or ""),
        focus=str(focus), node_label=node[0] if node else None, node_id=node[1] if node else None,
        node_name=_name(data, focus) if isinstance(focus, URIRef) else None,
        actor_label=actor_node[0] if actor_node else None, actor_id=actor_node[1] if actor_node else None,
        actor_name=_name(data, actor) if isinstance(actor, URIRef) else None,
        path=str(path).rsplit("#", 1)[-1] if isinstance(path, URIRef) else None,
        value=None if value is None or value == focus else _text(value), source=source, line=line,
    )


def _origin(data: Graph, *nodes: Any) -> tuple[str | None, int | None]:
    """The source file name and line of the first of ``nodes`` that has one (a node read from a row)."""
    for node in nodes:
        if not isinstance(node, URIRef):
            continue
        source = data.value(node, MAI.source)
        if source is not None and iri_to_node(node) and iri_to_node(node)[0] != "Pathway":
            line = data.value(node, MAI.sourceLine)
            return Path(str(source)).name, int(line) if line is not None else None
    return None, None


def _findings(results: Graph, shapes: Graph, data: Graph) -> list[Finding]:
    """Translate pySHACL's results graph into findings."""
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        rule_node = results.value(result, SH.sourceConstraint)
        if not (isinstance(rule_node, URIRef) and str(rule_node).startswith(str(MAISH))):
            rule_node = results.value(result, SH.sourceShape)
        out.append(_finding(
            data, shapes, severity=results.value(result, SH.resultSeverity), rule_node=rule_node,
            message=results.value(result, SH.resultMessage), focus=results.value(result, SH.focusNode),
            path=results.value(result, SH.resultPath), value=results.value(result, SH.value)))
    return out


# --- SHACL-SPARQL, evaluated set-at-a-time ----------------------------------------
#
# pySHACL runs a SPARQL constraint once per focus node (10,000 queries on the demo
# territory, most of the validation time). The same solutions come from one query per
# rule where $this is a free variable restricted to the shape's targets: the rules are
# taken out of the shapes given to pySHACL and run here, with the same messages.

@dataclass
class _SparqlRule:
    """A SPARQL-based constraint of a shape, ready to run on the whole graph."""

    rule_node: URIRef
    shape: URIRef
    query: str
    messages: list[str]
    severity: URIRef
    path: URIRef | None = None
    params: dict[str, Any] = field(default_factory=dict)


def _prefixes(shapes: Graph, node: Any) -> str:
    """The PREFIX lines of a constraint's ``sh:prefixes``."""
    lines = []
    for owner in shapes.objects(node, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            lines.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines)))


def _restricted(select: str, shapes: Graph, shape: URIRef) -> str | None:
    """The query with ``$this`` free but restricted to the targets of ``shape`` (None: targets not supported)."""
    classes = list(shapes.objects(shape, SH.targetClass))
    if not classes or set(shapes.predicates(shape, None)) & {SH.targetNode, SH.targetSubjectsOf,
                                                              SH.targetObjectsOf, SH.target}:
        return None
    head, brace, body = select.partition("{")
    if not brace or "WHERE" not in head.upper():
        return None
    values = " ".join(c.n3() for c in classes)
    return f"{head}{{ VALUES ?__class {{ {values} }} ?this a ?__class . {body}".replace("$this", "?this")


def _take_sparql_rules(shapes: Graph) -> list[_SparqlRule]:
    """Take the SPARQL constraints and SPARQL-based components out of ``shapes``; return them as rules."""
    rules = []
    for shape, constraint in list(shapes.subject_objects(SH.sparql)):
        select = shapes.value(constraint, SH.select)
        query = _restricted(str(select), shapes, shape) if select is not None else None
        if query is None:
            continue  # left to pySHACL
        rules.append(_SparqlRule(
            constraint, shape, _prefixes(shapes, constraint) + "\n" + query,
            [str(m) for m in shapes.objects(constraint, SH.message)],
            shapes.value(shape, SH.severity) or SH.Violation, shapes.value(shape, SH.path)))
        shapes.remove((shape, SH.sparql, constraint))
    for component in list(shapes.subjects(RDF.type, SH.ConstraintComponent)):
        params = [shapes.value(p, SH.path) for p in shapes.objects(component, SH.parameter)]
        validator = shapes.value(component, SH.propertyValidator)
        select = shapes.value(validator, SH.select) if validator is not None else None
        if select is None or not params:
            continue
        for shape in set(shapes.subjects(params[0], None)):
            path = shapes.value(shape, SH.path)
            values = {p: shapes.value(shape, p) for p in params}
            if not isinstance(path, URIRef) or any(v is None for v in values.values()):
                continue
            text = str(select).replace("$PATH", path.n3()).replace("$value", "?value")
            for p, v in values.items():
                text = text.replace("$" + str(p).rsplit("#", 1)[-1], v.n3())
            query = _restricted(text, shapes, shape)
            if query is None:
                continue
            messages = [str(m) for m in shapes.objects(validator, SH.message)]
            for p, v in values.items():
                messages = [m.replace("{$" + str(p).rsplit("#", 1)[-1] + "}", str(v)) for m in messages]
            rules.append(_SparqlRule(shape, shape, _prefixes(shapes, validator) + "\n" + query, messages,
                                     shapes.value(shape, SH.severity) or SH.Violation, path))
            for p in params:
                shapes.remove((shape, p, None))
    return rules


def _to_oxigraph(*graphs: Graph):
    """A pyoxigraph store holding the triples of rdflib graphs (its SPARQL engine is much faster)."""
    import pyoxigraph as ox

    cache: dict[Any, Any] = {}

    def term(t: Any):
        """The pyoxigraph term of an rdflib one (cached)."""
        o = cache.get(t)
        if o is None:
            if isinstance(t, URIRef):
                o = ox.NamedNode(str(t))
            elif isinstance(t, BNode):
                o = ox.BlankNode(str(t))
            elif t.language:
                o = ox.Literal(str(t), language=t.language)
            elif t.datatype is not None:
                o = ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
            else:
                o = ox.Literal(str(t))
            cache[t] = o
        return o

    store = ox.Store()
    for g in graphs:
        store.bulk_extend([ox.Quad(term(s), term(p), term(o), ox.DefaultGraph()) for s, p, o in g])
    return store


def _from_oxigraph(o: Any) -> Any:
    """An rdflib term from a pyoxigraph one (``xsd:string`` literals become plain literals, as rdflib has them)."""
    import pyoxigraph as ox

    if o is None:
        return None
    if isinstance(o, ox.NamedNode):
        return URIRef(o.value)
    if isinstance(o, ox.BlankNode):
        return BNode(o.value)
    if o.language:
        return Literal(o.value, lang=o.language)
    if o.datatype is None or o.datatype.value == str(XSD.string):
        return Literal(o.value)
    return Literal(o.value, datatype=URIRef(o.datatype.value))


def _run_sparql_rules(store: Any, shapes: Graph, data: Graph, rules: list[_SparqlRule]) -> list[Finding]:
    """Run the rules taken out of the shapes, one query each, on a pyoxigraph store of the data."""
    out = []
    for rule in rules:
        seen = set()
        solutions = store.query(rule.query)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            bound = {name: _from_oxigraph(solution[name]) for name in names if solution[name] is not None}
            focus, value = bound.get("this"), bound.get("value", bound.get("this"))
            if (focus, value) in seen:
                continue
            seen.add((focus, value))
            message = rule.messages[0] if rule.messages else ""
            for name, term in bound.items():
                message = message.replace("{?" + name + "}", str(term)).replace("{$" + name + "}", str(term))
            out.append(_finding(data, shapes, severity=rule.severity, rule_node=rule.rule_node, message=message,
                                focus=focus, path=rule.path, value=value))
    return out


def _undeclared_findings(terms: Iterable[str]) -> list[Finding]:
    """Findings for terms the store holds but the ontology does not declare."""
    return [Finding(severity="violation", rule="UndeclaredTerm", rule_label="Terme déclaré dans l'ontologie",
                    message=f"Le graphe contient un terme absent de l'ontologie : {t}", focus="", value=t)
            for t in terms]


def validate_graph(data: Graph, *, today: date | None = None, stale_days: int = DEFAULT_STALE_DAYS,
                   shapes: str | Path | Graph | None = None, ontology: str | Path | Graph | None = None
                   ) -> ValidationReport:
    """Validate an RDF graph of the territory with the SHACL shapes.

    Parameters
    ----------
    data : rdflib.Graph
        The projection (:func:`graph.rdf.store_to_rdf`); it is not modified.
    today : date, optional
        The day of the check (default: today).
    stale_days : int
        Data of members not verified for more days than this is a warning.
    shapes, ontology : path or Graph, optional
        Other shapes or ontology than the shipped ones.

    Returns
    -------
    ValidationReport

    Raises
    ------
    RdfSyntaxError
        A shapes or ontology file does not parse.

    Examples
    --------
    >>> from graph.model import Commune
    >>> from graph.rdf import records_to_rdf
    >>> report = validate_graph(records_to_rdf([Commune(id="2A004", name="Ajaccio", department="2A"),
    ...                                         Commune(id="20004", name="Ajaccio", department="2A")]))
    >>> [(f.rule, f.node_id, f.value) for f in report.violations]
    [('CommuneInseeFormat', '20004', '20004')]
    """
    import pyshacl

    today = today or date.today()
    shapes_graph = shapes if isinstance(shapes, Graph) else load_shapes(shapes, today=today, stale_days=stale_days)
    ont = ontology if isinstance(ontology, Graph) else load_ontology(ontology)
    shapes_graph = _copy(shapes_graph)
    rules = _take_sparql_rules(shapes_graph)
    try:
        # core constraints: pySHACL, in place (it only reads the data graph without inference or rules)
        _conforms, results, _text_report = pyshacl.validate(
            data, shacl_graph=shapes_graph, inference="none", allow_warnings=True,
            inplace=True, abort_on_first=False, advanced=False,
        )
        if not isinstance(results, Graph):  # pySHACL returns a ValidationFailure for a broken shapes graph
            raise RdfError(f"SHACL validation could not run: {results}")
        findings = _findings(results, shapes_graph, data)
        # SPARQL constraints: one query per rule over the data and the ontology (its nomenclature
        # concepts are the reference code lists), in pyoxigraph
        findings += _run_sparql_rules(_to_oxigraph(data, ont), shapes_graph, data, rules)
    except RdfError:
        raise
    except Exception as err:  # pySHACL, rdflib and pyoxigraph report broken shapes with their own exceptions
        raise RdfError(f"SHACL validation could not run: {err}") from err
    findings.sort(key=lambda f: (f.severity != "violation", f.rule, f.actor_id or "", f.node_id or "", f.value or ""))
    findings.extend(_undeclared_findings(getattr(data, "undeclared", ())))
    return ValidationReport(findings=findings, checked_on=today.isoformat(), stale_days=stale_days,
                            triples=len(data))


def validate_store(store: Any, *, today: date | None = None, stale_days: int = DEFAULT_STALE_DAYS,
                   shapes: str | Path | Graph | None = None, ontology: str | Path | Graph | None = None
                   ) -> ValidationReport:
    """Validate the graph held by a store (read-only: the store is not changed).

    Terms the store holds but the ontology does not declare are reported as
    violations (rule ``UndeclaredTerm``) instead of stopping the check.

    Raises
    ------
    GraphError
        The store cannot be read.
    RdfSyntaxError
        A shapes or ontology file does not parse.
    """
    from graph.rdf import vocabulary

    vocab = None
    if ontology is not None and not isinstance(ontology, Graph):
        vocab = vocabulary(ontology)
    data = store_to_rdf(store, strict=False, vocab=vocab)
    return validate_graph(data, today=today, stale_days=stale_days, shapes=shapes, ontology=ontology)
