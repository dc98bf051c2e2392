"""Run the library's queries: coerce parameters from the header, compute the geographic ones, run read-only.

A query's header declares its parameters (see :mod:`graph.queries`). The
runner turns what a caller gives (text from a form or the command line, or
Python values) into typed values, fills defaults, computes the parameters a
header marks ``computed:`` (commune distances from the store's Commune nodes,
dates relative to today), and runs the query read-only with a timeout through
``store.run``. Geography is done here, in Python, so the Cypher stays the same
on FalkorDB and Neo4j (no ``distance()`` / ``point.distance()``).

Errors are :class:`~graph.exceptions.ParameterError` (with ``code``, ``param``,
``value`` and ``expected`` attributes so a French page can say the same thing),
:class:`~graph.exceptions.UnknownQuery`, :class:`~graph.exceptions.WriteRefused`,
:class:`~graph.exceptions.QuerySyntaxError` and :class:`~graph.exceptions.QueryTimeout`;
none of them changes the graph.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Mapping

from graph.exceptions import ParameterError, QuerySyntaxError, WriteRefused
from graph.model import Commune
from graph.queries import Param, Query, load_query
from graph.store import GraphStore, Result, looks_like_write

__all__ = [
    "COMPUTED",
    "RunContext",
    "coerce_value",
    "coerce_params",
    "prepare_params",
    "run_query",
    "run_cypher",
    "commune_index",
    "parse_json_params",
    "run_sparql",
    "MAX_QUERY_CHARS",
]

#: longest free query accepted (characters)
MAX_QUERY_CHARS = 20_000
_TRUE = {"true", "1", "yes", "oui", "o", "y", "on", "vrai"}
_FALSE = {"false", "0", "no", "non", "n", "off", "faux"}
#: radius used for commune distances when neither the caller nor any role gives one
DEFAULT_RADIUS_KM = 10.0


def _error(code: str, message: str, param: str | None = None, value: Any = None,
           expected: str | None = None) -> ParameterError:
    """A ParameterError carrying what a translated message needs."""
    err = ParameterError(message)
    err.code = code  # type: ignore[attr-defined]
    err.param = param  # type: ignore[attr-defined]
    err.value = value  # type: ignore[attr-defined]
    err.expected = expected  # type: ignore[attr-defined]
    return err


def _scalar(value: Any, ptype: str, name: str) -> Any:
    """Coerce one scalar to ``ptype`` (string, int, float, bool, date)."""
    def bad() -> ParameterError:
        """The error for this value."""
        return _error("type", f"parameter {name!r} expects {ptype}, got {value!r}", name, value, ptype)

    if ptype == "string":
        if isinstance(value, (dict, list, tuple, bool)):
            raise bad()
        return str(value).strip()
    if ptype == "int":
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if value.is_integer():
                return int(value)
            raise bad()
        try:
            return int(str(value).strip())
        except ValueError as err:
            raise bad() from err
    if ptype == "float":
        if isinstance(value, bool):
            raise bad()
        try:
            out = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
        except (TypeError, ValueError) as err:
            raise bad() from err
        if math.isnan(out) or math.isinf(out):
            raise bad()
        return out
    if ptype == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad()
    if ptype == "date":
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError as err:
            raise _error("type", f"parameter {name!r} expects a date YYYY-MM-DD, got {value!r}",
                         name, value, ptype) from err
    raise _error("type", f"parameter {name!r} has type {ptype}, which cannot be given", name, value, ptype)


def coerce_value(param: Param, value: Any) -> Any:
    """Coerce one given value to its declared type (lists from comma-separated text).

    Returns None for an empty value (None, blank text, a list text with no item); a list
    given as a Python list stays a list, even empty.

    Raises
    ------
    ParameterError
        The value does not fit the type (``err.code == "type"``).

    Examples
    --------
    >>> from graph.queries import Param
    >>> coerce_value(Param("days", "int"), " 30 ")
    30
    >>> coerce_value(Param("codes", "list<string>"), "10, 60,")
    ['10', '60']
    >>> coerce_value(Param("days", "int"), "trente")
    Traceback (most recent call last):
    ...
    graph.exceptions.ParameterError: parameter 'days' expects int, got 'trente'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if param.type.startswith("list<"):
        inner = param.type[5:-1]
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, (list, tuple)):
            raise _error("type", f"parameter {param.name!r} expects {param.type}, got {value!r}",
                         param.name, value, param.type)
        out = [_scalar(v, inner, param.name) for v in items if not (isinstance(v, str) and not v.strip())]
        return out if out or not isinstance(value, str) else None
    if param.type == "map":
        raise _error("computed", f"parameter {param.name!r} is computed and cannot be given", param.name, value)
    return _scalar(value, param.type, param.name)


def coerce_params(query: Query, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check and coerce the parameters a caller gives; fill defaults.

    Parameters
    ----------
    query : the query whose header declares the parameters.
    given : name -> value (text or Python values); blank values count as not given.

    Returns
    -------
    dict
        Every non-computed parameter, typed (None for an empty optional one).

    Raises
    ------
    ParameterError
        An unknown or computed parameter is given (``code`` ``unknown`` / ``computed``),
        a required one is missing (``missing``) or a value has the wrong type (``type``).

    Examples
    --------
    >>> from graph.queries import parse_query
    >>> q = parse_query("x", "// title: T\\n// description: D\\n// param: days int = 30 — jours\\nRETURN $days")
    >>> coerce_params(q, {})
    {'days': 30}
    >>> coerce_params(q, {"day": "3"})
    Traceback (most recent call last):
    ...
    graph.exceptions.ParameterError: unknown parameter 'day' for query 'x' (its parameters: days)
    """
    given = dict(given or {})
    for key in given:
        p = query.param(key)
        if p is None:
            names = ", ".join(p.name for p in query.user_params) or "none"
            raise _error("unknown", f"unknown parameter {key!r} for query {query.name!r} (its parameters: {names})",
                         key, given[key])
        if p.computed:
            raise _error("computed", f"parameter {key!r} of query {query.name!r} is computed from "
                         f"{p.computed}({', '.join(p.args)}) and cannot be given", key, given[key])
    out: dict[str, Any] = {}
    for p in query.user_params:
        value = coerce_value(p, given.get(p.name))
        if value is None and p.default is not None and p.default != "null":
            value = coerce_value(p, p.default)
        if value is None and p.required:
            raise _error("missing", f"missing parameter {p.name!r} ({p.type}) for query {query.name!r}"
                         + (f": {p.description}" if p.description else ""), p.name, None, p.type)
        out[p.name] = value
    return out


# --- computed parameters -----------------------------------------------------


@dataclass
class RunContext:
    """What computed parameters may use: the store, the day to count from, a cache for derived data."""

    store: GraphStore | None
    today: date = field(default_factory=date.today)
    cache: dict[str, Any] = field(default_factory=dict)
    timeout_ms: int | None = None


def commune_index(store: GraphStore, cache: dict[str, Any] | None = None, timeout_ms: int | None = None):
    """A :class:`loaders.communes.CommuneIndex` of the store's Commune nodes (cached in ``cache``)."""
    from loaders.communes import CommuneIndex

    if cache is not None and "commune_index" in cache:
        return cache["commune_index"]
    res = store.run("MATCH (c:Commune) RETURN c.id AS id, c.name AS name, c.department AS department, "
                    "c.population AS population, c.lat AS lat, c.lon AS lon, c.postal_codes AS postal_codes",
                    timeout_ms=timeout_ms)
    index = CommuneIndex(
        Commune(id=r["id"], name=r["name"] or r["id"], department=r["department"] or "",
                population=r["population"], lat=r["lat"], lon=r["lon"], postal_codes=list(r["postal_codes"] or []))
        for r in res.dicts()
    )
    if cache is not None:
        cache["commune_index"] = index
    return index


def _today(ctx: RunContext) -> str:
    """Today's date, ISO."""
    return ctx.today.isoformat()


def _days_ago(ctx: RunContext, days: int | None) -> str:
    """The ISO date ``days`` days before today."""
    return (ctx.today - timedelta(days=int(days or 0))).isoformat()


def _days_ahead(ctx: RunContext, days: int | None) -> str:
    """The ISO date ``days`` days after today."""
    return (ctx.today + timedelta(days=int(days or 0))).isoformat()


def _commune_distances(ctx: RunContext, radius_km: float | None = None,
                       territory: str | None = None) -> dict[str, dict[str, float]]:
    """For each commune of the territory, the communes within the radius and their distance in km.

    Without a radius, the largest ``radius_km`` of the stage roles in the store is
    used (at least 10 km), so that a query may apply each role's own radius.
    """
    if ctx.store is None:
        raise _error("computed", "commune_distances needs the graph store (not available to SPARQL)", "radius_km")
    radius = radius_km
    if radius is None:
        res = ctx.store.run("MATCH (r:RoleRequirement) RETURN max(r.radius_km) AS r", timeout_ms=ctx.timeout_ms)
        radius = max(float(res.scalar() or 0), DEFAULT_RADIUS_KM)
    if radius < 0:
        raise _error("type", f"radius_km must be positive, got {radius_km!r}", "radius_km", radius_km, "float")
    covered = ctx.store.run(
        "MATCH (t:Territory)-[:COVERS]->(c:Commune) WHERE $territory IS NULL OR t.id = $territory "
        "RETURN DISTINCT c.id AS id", {"territory": territory}, timeout_ms=ctx.timeout_ms)
    index = commune_index(ctx.store, ctx.cache, ctx.timeout_ms)
    return {code: index.within(code, float(radius)) for (code,) in covered.rows}


#: computed-parameter functions a header may name: ``computed: <name>(<param>, ...)``
COMPUTED: dict[str, Callable[..., Any]] = {
    "today": _today,
    "days_ago": _days_ago,
    "days_ahead": _days_ahead,
    "commune_distances": _commune_distances,
}


def prepare_params(query: Query, given: Mapping[str, Any] | None, ctx: RunContext) -> dict[str, Any]:
    """Coerce the given parameters, then add the computed ones.

    Raises
    ------
    ParameterError
        As :func:`coerce_params`, or the header names an unknown computed function.
    """
    params = coerce_params(query, given)
    for p in query.computed_params:
        fn = COMPUTED.get(p.computed or "")
        if fn is None:
            raise _error("computed", f"query {query.name!r}: unknown computed function {p.computed!r} "
                         f"(known: {', '.join(sorted(COMPUTED))})", p.name)
        params[p.name] = fn(ctx, *(params.get(a) for a in p.args))
    return params


def run_query(store: GraphStore, query: str | Query, params: Mapping[str, Any] | None = None, *,
              timeout_ms: int | None = None, today: date | None = None,
              cache: dict[str, Any] | None = None) -> Result:
    """Run a library query read-only, with a timeout, and return its rows.

    Parameters
    ----------
    store : the configured store (embedded FalkorDB or Neo4j).
    query : a query name (``queries/cypher/<name>.cypher``) or a loaded :class:`Query`.
    params : the caller's parameters (text or Python values), checked against the header.
    timeout_ms : time limit; the store's default when None.
    today : the day relative dates count from (tests fix it); today when None.
    cache : a dict kept between calls for derived data (the commune index).

    Returns
    -------
    Result
        Column names and rows.

    Raises
    ------
    UnknownQuery, ParameterError, WriteRefused, QuerySyntaxError, QueryTimeout, StoreUnavailable

    Examples
    --------
    >>> run_query(store, "members_without_pathway").columns  # doctest: +SKIP
    ['actor', 'name', 'kind', 'profession', 'role', 'since']
    """
    q = load_query(query) if isinstance(query, str) else query
    if q.language != "cypher":
        raise QuerySyntaxError(f"query {q.name!r} is {q.language}; run it with graph.sparql")
    ctx = RunContext(store=store, today=today or date.today(), cache=cache if cache is not None else {},
                     timeout_ms=timeout_ms)
    values = prepare_params(q, params, ctx)
    return store.run(q.text, values, read_only=True, timeout_ms=timeout_ms)


def parse_json_params(text: str | None) -> dict[str, Any]:
    """Parse the JSON object of a free query's parameters (empty text gives no parameter).

    >>> parse_json_params('{"commune": "59178"}')
    {'commune': '59178'}
    """
    if text is None or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _error("json", f"parameters are not valid JSON ({err.msg}, line {err.lineno} column {err.colno})",
                     None, text) from err
    if not isinstance(data, dict):
        raise _error("json", f"parameters must be a JSON object such as {{\"commune\": \"59178\"}}, got {text!r}",
                     None, text)
    return data


def run_cypher(store: GraphStore, text: str, params: Mapping[str, Any] | None = None, *,
               timeout_ms: int | None = None) -> Result:
    """Run a free Cypher query read-only with a timeout; refuse writes before sending them.

    Parameters
    ----------
    store : the configured store.
    text : the Cypher text; values belong in ``params`` (``$name``), never pasted in.
    params : parameter values (JSON-like).
    timeout_ms : time limit; the store's default when None.

    Raises
    ------
    WriteRefused
        The text contains a write clause (CREATE, MERGE, SET, DELETE, REMOVE, DROP,
        LOAD CSV, FOREACH, CALL); ``err.clause`` names it. Nothing is sent.
    QuerySyntaxError
        Empty or too long text, or the store rejects it.
    QueryTimeout
        The query ran past its time limit.

    Examples
    --------
    >>> run_cypher(store, "MATCH (n) DETACH DELETE n")  # doctest: +SKIP
    Traceback (most recent call last):
    graph.exceptions.WriteRefused: DETACH changes the graph; only read queries are allowed here
    """
    if not text or not text.strip():
        err = QuerySyntaxError("the query is empty")
        err.code = "empty"  # type: ignore[attr-defined]
        raise err
    if len(text) > MAX_QUERY_CHARS:
        err = QuerySyntaxError(f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
        err.code = "too_long"  # type: ignore[attr-defined]
        raise err
    clause = looks_like_write(text)
    if clause:
        refused = WriteRefused(f"{clause} changes the graph; only read queries are allowed here")
        refused.clause = clause  # type: ignore[attr-defined]
        raise refused
    if params is not None and not isinstance(params, Mapping):
        raise _error("json", f"parameters must be a mapping, got {params!r}", None, params)
    return store.run(text, dict(params or {}), read_only=True, timeout_ms=timeout_ms)


def _rdf_literal(value: Any, ptype: str):
    """A typed parameter value as an rdflib Literal (dates as xsd:date)."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    if ptype == "date":
        return Literal(date.fromisoformat(value), datatype=XSD.date)
    return Literal(value)


def _python(term: Any) -> Any:
    """An rdflib term of a SPARQL result as a plain value (dates as ISO text, IRIs as text)."""
    from rdflib import Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, date):
            return value.isoformat()
        return value if not isinstance(value, Literal) else str(value)
    return str(term)


def run_sparql(graph: Any, query: str | Query, params: Mapping[str, Any] | None = None, *,
               today: date | None = None) -> Result:
    """Run a SPARQL twin of the library (``queries/sparql/<name>.rq``) over an RDF graph.

    Parameters are checked and typed from the header as for Cypher, then bound with
    ``initBindings`` on a query prepared with ``prepareQuery(..., initNs=PREFIXES)``;
    an empty optional parameter stays unbound. A parameter bound to the variable of
    the same name as a result column acts as a filter on it.

    Parameters
    ----------
    graph : rdflib.Graph
        The RDF projection of the store (:func:`graph.rdf.store_to_rdf`).
    query : a query name or a loaded SPARQL :class:`Query`.
    params : the caller's parameters.
    today : the day relative dates count from.

    Returns
    -------
    Result
        Columns (the SELECT variables) and rows of plain values.

    Raises
    ------
    UnknownQuery, ParameterError, QuerySyntaxError

    Examples
    --------
    >>> from rdflib import Graph
    >>> run_sparql(Graph(), "pathways_without_referent").rows
    []
    """
    from rdflib import Variable
    from rdflib.plugins.sparql import prepareQuery

    from ontology.namespace import PREFIXES

    q = load_query(query, "sparql") if isinstance(query, str) else query
    if q.language != "sparql":
        raise QuerySyntaxError(f"query {q.name!r} is {q.language}; run it with run_query")
    ctx = RunContext(store=None, today=today or date.today())
    values = prepare_params(q, params, ctx)
    try:
        prepared = prepareQuery(q.text, initNs=PREFIXES)
    except Exception as err:  # pyparsing's ParseException and friends
        raise QuerySyntaxError(f"SPARQL query {q.name!r} does not parse: {err}") from err
    bindings = {Variable(name): _rdf_literal(v, q.param(name).type)  # type: ignore[union-attr]
                for name, v in values.items() if v is not None and not isinstance(v, (list, dict))}
    res = graph.query(prepared, initBindings=bindings)
    columns = [str(v) for v in res.vars or []]
    return Result(columns, [[_python(term) for term in row] for row in res])
