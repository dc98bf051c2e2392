"""``maillage export``, ``maillage validate`` and ``maillage sparql``: the graph as linked data.

- ``export --format turtle|jsonld|ntriples -o FILE`` writes the RDF projection of
  the store (``--engine oxigraph`` for national volumes). Other formats plug in
  with :func:`register_exporter` from their own module (``neo4j-import``...).
- ``validate`` runs the SHACL shapes over the projection and prints which actor
  breaks which rule with which value (``--format json`` for machines); it can
  also check an RDF file (``--data``) or a territory file before it is loaded
  (``--territory``: loaded into a scratch graph, then dropped). Exit code 1 when
  there are violations (warnings alone give 0), 2 on error.
- ``sparql FILE.rq`` (or ``--query``) runs a read-only SPARQL query over the
  projection (or over an RDF file with ``--data``), with ``--param`` bindings.

All three only read the store.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import click

from graph.exceptions import GraphError
from loaders.output import emit, format_option

__all__ = ["export", "validate", "sparql", "Exporter", "EXPORTERS", "register_exporter", "COMMANDS"]


@dataclass
class Exporter:
    """One ``export`` format: ``write(store, output, engine) -> summary dict``, a help line, its output kind."""

    write: Callable[[Any, Path | None, str], dict[str, Any]]
    help: str
    writes_file: bool = False  # True: -o must be a file in an existing folder (checked before reading)


#: format name -> exporter; other modules add theirs with :func:`register_exporter`
EXPORTERS: dict[str, Exporter] = {}


def register_exporter(name: str, write: Callable[[Any, Path | None, str], dict[str, Any]], help: str, *,
                      writes_file: bool = False) -> None:
    """Add an ``export --format NAME``.

    ``write(store, output, engine)`` gets ``output`` None for ``-o -`` (standard
    output) and returns a summary dict (``triples``, ``nodes``, ``relationships``,
    ``files``, ``command``... are printed when present); it raises ``GraphError``
    with a clear message on bad input. ``writes_file`` makes the command check
    that ``-o`` is a file in an existing folder; otherwise the writer checks its
    output itself (a folder, say).
    """
    EXPORTERS[name] = Exporter(write, help, writes_file)


def _write_rdf(fmt: str) -> Callable[[Any, Path | None, str], dict[str, Any]]:
    """The writer of one RDF format."""

    def write(store: Any, output: Path | None, engine: str) -> dict[str, Any]:
        """Write the projection of ``store`` to ``output`` (standard output when None)."""
        from graph.rdf import RDF_FORMATS, store_to_oxigraph, store_to_rdf
        from ontology.namespace import PREFIXES

        rdflib_fmt, ox_fmt, _suffix = RDF_FORMATS[fmt]
        if engine == "oxigraph":  # an on-disk store in a temporary folder: bounded memory at national scale
            import tempfile

            import pyoxigraph as ox

            kwargs: dict[str, Any] = {"from_graph": ox.DefaultGraph()}
            if fmt == "turtle":
                kwargs["prefixes"] = PREFIXES
            with tempfile.TemporaryDirectory(prefix="maillage-export-") as tmp:
                ox_store = store_to_oxigraph(store, Path(tmp) / "store")
                triples = len(ox_store)
                ox_store.dump(str(output) if output is not None else sys.stdout.buffer,
                              getattr(ox.RdfFormat, ox_fmt), **kwargs)  # streamed, never whole in memory
                del ox_store
            sys.stdout.flush()
            return {"format": fmt, "engine": engine, "triples": triples, "output": str(output) if output else "-"}
        g = store_to_rdf(store)
        extra = {"context": PREFIXES, "auto_compact": True} if fmt == "jsonld" else {}
        data = g.serialize(format=rdflib_fmt, encoding="utf-8", **extra)
        triples = len(g)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            output.write_bytes(data)
        return {"format": fmt, "engine": engine, "triples": triples, "output": str(output) if output else "-"}

    return write


register_exporter("turtle", _write_rdf("turtle"), "RDF Turtle", writes_file=True)
register_exporter("jsonld", _write_rdf("jsonld"), "RDF JSON-LD (maillage's prefixes as context)", writes_file=True)
register_exporter("ntriples", _write_rdf("ntriples"), "RDF N-Triples (one triple per line, streams well)",
                  writes_file=True)


def _write_neo4j_import(store: Any, output: Path | None, engine: str) -> dict[str, Any]:
    """Write the neo4j-admin import CSV files of the loaded graph into the folder ``output``."""
    from graph.exceptions import GraphError
    from graph.neo4j_import import export_neo4j_import

    if output is None:
        raise GraphError("neo4j-import writes a folder of CSV files: give -o DIR")
    command = export_neo4j_import(store, output)
    return {"format": "neo4j-import", "output": str(output), "command": command}


register_exporter("neo4j-import", _write_neo4j_import,
                  "CSV files and the command for neo4j-admin database import full (-o DIR)")


class _ExportFormat(click.ParamType):
    """A format among those registered when the command runs."""

    name = "format"

    def get_metavar(self, param: click.Parameter, *args: Any, **kwargs: Any) -> str:
        """The choices, in help."""
        return "[" + "|".join(EXPORTERS) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Check the value against the registered formats."""
        if value in EXPORTERS:
            return value
        self.fail(f"unknown export format {value!r} (known: {', '.join(EXPORTERS)})", param, ctx)


def _store_or_fail(ctx: click.Context) -> Any:
    """The CLI store, refusing an empty graph with a hint."""
    from loaders.cli import fail, open_cli_store

    store = open_cli_store(ctx)
    try:
        nodes = store.counts().get("nodes", {})
    except GraphError as err:
        raise fail(str(err)) from err
    if not nodes:
        raise fail("the graph is empty: nothing to read", "load a territory first: maillage load --demo")
    return store


@click.command()
@click.option("--format", "fmt", type=_ExportFormat(), default="turtle", show_default=True,
              help="Output format: turtle, jsonld, ntriples (and any registered by other modules).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="File to write ('-' for standard output).")
@click.option("--engine", type=click.Choice(["rdflib", "oxigraph"]), default="rdflib", show_default=True,
              help="RDF library: oxigraph is several times faster on national volumes.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path, engine: str) -> None:
    """Export the graph: RDF (Turtle, JSON-LD, N-Triples) with stable IRIs and provenance."""
    from graph.rdf import RdfError
    from loaders.cli import fail

    target: Path | None = None if str(output) == "-" else output
    if target is not None and EXPORTERS[fmt].writes_file:
        if target.is_dir():
            raise fail(f"{target} is a folder; give a file name", f"-o {target / ('territory' + _suffix(fmt))}")
        if not target.parent.exists():
            raise fail(f"folder {target.parent} does not exist", "create it first, or choose another -o")
    store = _store_or_fail(ctx)
    try:
        summary = EXPORTERS[fmt].write(store, target, engine)
    except (GraphError, RdfError) as err:
        raise fail(f"export failed: {err}") from err
    except OSError as err:
        raise fail(f"cannot write {output}: {err.strerror or err}") from err
    if target is not None:
        counts = ", ".join(f"{summary[k]} {k}" for k in ("triples", "nodes", "relationships", "files")
                           if summary.get(k) is not None)
        click.echo(f"Exported {counts or 'the graph'} to {target} ({fmt}, {engine}).", err=True)
        if summary.get("command"):
            click.echo(str(summary["command"]))


def _suffix(fmt: str) -> str:
    """The usual file suffix of an export format."""
    from graph.rdf import RDF_FORMATS

    return RDF_FORMATS.get(fmt, ("", "", ""))[2]


def _parse_day(value: str | None) -> date | None:
    """A --today value (AAAA-MM-JJ)."""
    from loaders.cli import fail

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise fail(f"--today {value!r} is not a date (expected YYYY-MM-DD)") from err


def _data_graph(ctx: click.Context, data: Path | None, ontology: Path | None):
    """The graph to work on: an RDF file (--data) or the projection of the store."""
    from graph.rdf import RdfError, parse_rdf_file, store_to_rdf, vocabulary
    from loaders.cli import fail

    try:
        if data is not None:
            return parse_rdf_file(data)
        store = _store_or_fail(ctx)
        vocab = vocabulary(ontology) if ontology is not None else None
        return store_to_rdf(store, strict=False, vocab=vocab)
    except (RdfError, GraphError) as err:
        raise fail(str(err)) from err


def _territory_graph(ctx: click.Context, path: Path):
    """Load a territory file into a scratch graph beside the live one, project it, drop the scratch graph."""
    from graph.falkor import FalkorStore
    from graph.rdf import store_to_rdf
    from loaders.cli import fail, open_cli_store
    from loaders.errors import LoaderError
    from loaders.territory import load_territory, read_territory_file

    try:
        tf = read_territory_file(path)
    except LoaderError as err:
        raise fail(str(err)) from err
    store = open_cli_store(ctx)
    if not isinstance(store, FalkorStore):
        raise fail("--territory needs the embedded store (it loads the files into a scratch graph)",
                   "validate the loaded graph instead: maillage load FILE, then maillage validate")
    scratch = FalkorStore(store.db, store.graph_name + "__validate", timeout_ms=store.timeout_ms)
    try:
        report = load_territory(tf, scratch)
        graph = store_to_rdf(scratch, strict=False)
    except (LoaderError, GraphError) as err:
        raise fail(str(err)) from err
    finally:
        for name in (scratch.graph_name, scratch.graph_name + "__staging", scratch.graph_name + "__previous"):
            if store.db.connection.exists(name):
                store.db.connection.delete(name)
    if report.rejected:
        click.echo(f"{len(report.rejected)} row(s) of the territory's files would be rejected by the load "
                   f"(first: {report.rejected[0].file}:{report.rejected[0].line}: {report.rejected[0].reason}).",
                   err=True)
    return graph


@click.command()
@format_option("text", "json", default="text")
@click.option("--stale-days", default=365, show_default=True, type=click.IntRange(0, 36500),
              help="Members not verified for more days than this are reported (warning).")
@click.option("--today", metavar="YYYY-MM-DD", help="Day of the check (default: today), for reproducible reports.")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="Validate this RDF file (Turtle, N-Triples, JSON-LD) instead of the store.")
@click.option("--territory", type=click.Path(dir_okay=False, path_type=Path),
              help="Validate a territory file (YAML) and its sources before loading them (the live graph is "
                   "not touched).")
@click.option("--shapes", type=click.Path(dir_okay=False, path_type=Path),
              help="Other SHACL shapes than ontology/shapes.ttl.")
@click.option("--ontology", type=click.Path(dir_okay=False, path_type=Path),
              help="Other ontology than ontology/maillage.ttl.")
@click.pass_context
def validate(ctx: click.Context, fmt: str, stale_days: int, today: str | None, data: Path | None,
             territory: Path | None, shapes: Path | None, ontology: Path | None) -> None:
    """Check the graph with the SHACL shapes: which actor breaks which rule, with which value.

    Exit code 0 when there is no violation (warnings are listed), 1 when there
    are violations, 2 on error. The graph is only read.
    """
    from graph.rdf import RdfError, load_ontology
    from graph.validation import load_shapes, validate_graph
    from loaders.cli import fail

    day = _parse_day(today) or date.today()
    try:
        shapes_graph = load_shapes(shapes, today=day, stale_days=stale_days)
        ontology_graph = load_ontology(ontology)
    except RdfError as err:
        raise fail(str(err)) from err
    if data is not None and territory is not None:
        raise fail("give --data or --territory, not both")
    graph = _territory_graph(ctx, territory) if territory is not None else _data_graph(ctx, data, ontology)
    try:
        report = validate_graph(graph, today=day, stale_days=stale_days, shapes=shapes_graph,
                                ontology=ontology_graph)
    except RdfError as err:
        raise fail(str(err)) from err
    if fmt == "json":
        emit(report.to_dict(), "json")
    else:
        click.echo(report.text())
    ctx.exit(0 if report.conforms else 1)


# --- sparql ----------------------------------------------------------------------

_UPDATE_RE = re.compile(r"^\s*(?:(?:PREFIX|BASE)\s+[^\n]*\n\s*)*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b",
                        re.I)
_PARAM_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::(str|int|float|bool|iri))?=(.*)$", re.S)


def _binding(spec: str):
    """Parse ``--param name[:type]=value`` into (name, rdflib term)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    from loaders.cli import fail

    m = _PARAM_RE.match(spec)
    if not m:
        raise fail(f"bad --param {spec!r}", "use name=value, or name:int=3, name:float=2.5, name:bool=true, "
                                           "name:iri=https://...")
    name, kind, value = m.group(1), m.group(2) or "str", m.group(3)
    try:
        if kind == "int":
            return name, Literal(int(value), datatype=XSD.integer)
        if kind == "float":
            return name, Literal(str(float(value)), datatype=XSD.decimal)
        if kind == "bool":
            if value.lower() not in ("true", "false"):
                raise ValueError(value)
            return name, Literal(value.lower() == "true")
    except ValueError as err:
        raise fail(f"--param {name}: {value!r} is not a {kind}") from err
    if kind == "iri":
        return name, URIRef(value)
    return name, Literal(value)


def _cell(term: Any) -> Any:
    """A SPARQL result term as a plain value (node ids for maillage IRIs are kept as IRIs)."""
    from rdflib import Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, (str, int, float, bool)) else str(term)
    return str(term)


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--query", "-q", "text", help="The query text (instead of FILE).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME[:TYPE]=VALUE",
              help="Bind ?NAME before the query runs (types: str, int, float, bool, iri). Repeatable.")
@click.option("--data", type=click.Path(dir_okay=False, path_type=Path),
              help="Query this RDF file instead of the store's projection.")
@format_option("table", "csv", "json")
@click.pass_context
def sparql(ctx: click.Context, file: Path | None, text: str | None, params: tuple[str, ...], data: Path | None,
           fmt: str) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the graph."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import prepareQuery

    from loaders.cli import fail
    from ontology.namespace import PREFIXES, bind_namespaces

    if (file is None) == (text is None):
        raise fail("give either a query FILE or --query TEXT", "maillage sparql queries/sparql/x.rq")
    where = "--query"
    if file is not None:
        where = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError as err:
            raise fail(f"{file}: file not found") from err
        except (OSError, UnicodeDecodeError) as err:
            raise fail(f"{file}: cannot be read as UTF-8 text: {err}") from err
    assert text is not None
    m = _UPDATE_RE.match(text)
    if m:
        raise fail(f"{where}: {m.group(1).upper()} is a SPARQL update; only queries are allowed (the graph is read-only)")
    try:
        query = prepareQuery(text, initNs=PREFIXES)
    except ParseBaseException as err:
        found = getattr(err, "found", None)
        detail = f"{err.msg}, found {found}" if found else err.msg
        raise fail(f"{where}:{err.lineno}:{err.col}: SPARQL syntax error: {detail}") from err
    except Exception as err:  # rdflib's algebra errors (unknown prefix...)
        raise fail(f"{where}: SPARQL error: {err}") from err
    bindings = dict(_binding(p) for p in params)
    graph = _data_graph(ctx, data, None)
    try:
        result = graph.query(query, initBindings=bindings)
    except Exception as err:
        raise fail(f"{where}: the query failed: {err}") from err
    if result.type == "ASK":
        if fmt == "json":
            emit({"ask": bool(result.askAnswer)}, "json")
        else:
            click.echo("true" if result.askAnswer else "false")
        return
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = bind_namespaces(result.graph).serialize(format="json-ld" if fmt == "json" else "turtle")
        click.echo(out)
        return
    columns = [str(v) for v in result.vars or []]
    rows = [[_cell(row[i]) for i in range(len(columns))] for row in result]
    if fmt == "json":
        emit({"columns": columns, "rows": rows, "count": len(rows)}, "json")
    else:
        emit(None, fmt, columns, rows)


COMMANDS = (export, validate, sparql)
