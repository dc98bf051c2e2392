"""``maillage query``: run a query of the library (queries/cypher) read-only, with a timeout.

::

    maillage query --list
    maillage query members_not_verified --param days=180 --format csv
    maillage query communes_without_actor_for_stage -p stage=ic.suivi -p radius_km=15
    maillage query structures_without_cpts_partnership --describe

Parameters are checked and typed from the query's header; geographic ones (communes
within a radius) are computed from the graph's communes. Exit code 2, with one English
message, for an unknown query, a missing or ill-typed parameter, a syntax error, a write
or a timeout; nothing in the graph changes.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import click

from graph.exceptions import (GraphError, ParameterError, QuerySyntaxError, QueryTimeout, StoreUnavailable,
                              UnknownQuery, WriteRefused)
from graph.queries import Query, list_queries, load_query
from loaders.output import emit

__all__ = ["query", "COMMANDS", "parse_param_options"]


def parse_param_options(query: Query, options: tuple[str, ...]) -> dict[str, Any]:
    """Turn ``--param NAME=VALUE`` options into a dict; a list parameter may be given several times.

    >>> from graph.queries import parse_query
    >>> q = parse_query("x", "// title: T\\n// description: D\\n// param: c list<string> = 1 — c\\nRETURN $c")
    >>> parse_param_options(q, ("c=127", "c=500,354"))
    {'c': ['127', '500', '354']}
    """
    from loaders.cli import fail

    out: dict[str, Any] = {}
    for item in options:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise fail(f"expected --param NAME=VALUE, got {item!r}", f"maillage query {query.name} --describe")
        param = query.param(name)
        if name in out:
            if param is None or not param.type.startswith("list<"):
                raise fail(f"parameter {name!r} given twice ({out[name]!r} and {value!r})")
            out[name] = out[name] + [v for v in value.split(",") if v.strip()]
        elif param is not None and param.type.startswith("list<"):
            out[name] = [v for v in value.split(",") if v.strip()]
        else:
            out[name] = value
    return out


def _describe(q: Query) -> None:
    """Print a query's header in readable form, then its text."""
    click.echo(f"{q.name}: {q.title}")
    click.echo(f"\n{q.description}")
    if q.limits:
        click.echo(f"\nLimits: {q.limits}")
    if q.params:
        click.echo("\nParameters:")
        for p in q.params:
            if p.computed:
                what = f"computed: {p.computed}({', '.join(p.args)})"
            elif p.required:
                what = "required" + (f", e.g. {p.example!r}" if p.example is not None else "")
            elif p.optional:
                what = "optional"
            else:
                what = f"default {p.default}"
            click.echo(f"  {p.name} ({p.type}, {what})" + (f": {p.description}" if p.description else ""))
    click.echo(f"\n{q.body}", nl=False)


def _list(fmt: str) -> None:
    """Print the library."""
    queries = list_queries()
    if fmt == "json":
        emit([{"name": q.name, "title": q.title, "description": q.description, "limits": q.limits or None,
               "params": [{"name": p.name, "type": p.type, "default": p.default, "required": p.required,
                           "computed": p.computed, "description": p.description} for p in q.params],
               "columns": q.columns} for q in queries], "json")
        return
    rows = [[q.name, q.title, " ".join(f"{p.name}{'' if p.required else '?'}" for p in q.user_params)]
            for q in queries]
    emit(None, fmt, ["name", "title", "parameters"], rows)


def _error_message(err: GraphError, name: str) -> tuple[str, str | None]:
    """The English message and fix hint of a query error."""
    if isinstance(err, UnknownQuery):
        return str(err), "maillage query --list"
    if isinstance(err, ParameterError):
        return str(err), f"maillage query {name} --describe"
    if isinstance(err, QueryTimeout):
        return f"query {name!r} stopped after its time limit; nothing was changed", \
            "narrow the parameters or raise --timeout-ms"
    if isinstance(err, WriteRefused):
        return f"{err}; nothing was changed", None
    if isinstance(err, QuerySyntaxError):
        return f"the store rejected query {name!r}: {err}", None
    if isinstance(err, StoreUnavailable):
        return str(err), "check MAILLAGE_DATA_DIR, or MAILLAGE_NEO4J_URI/USER/PASSWORD for Neo4j"
    return str(err), None


@click.command("query")
@click.argument("name", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (repeat for several; a list as a,b,c or repeated).")
@click.option("--list", "list_", is_flag=True, help="List the library's queries.")
@click.option("--describe", is_flag=True, help="Show the query's title, parameters and text; do not run it.")
@click.option("--timeout-ms", type=click.IntRange(1, 3_600_000), default=None,
              help="Time limit in milliseconds [default: MAILLAGE_QUERY_TIMEOUT_MS or 10000].")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Count relative dates (N days ago, N days ahead) from this day, YYYY-MM-DD [default: today].")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="Output format.")
@click.pass_context
def query(ctx: click.Context, name: str | None, params: tuple[str, ...], list_: bool, describe: bool,
          timeout_ms: int | None, today, fmt: str) -> None:
    """Run a gap-mapping query of the library, read-only, and print its rows.

    NAME is a file of queries/cypher without its suffix (see --list). Values
    travel as query parameters, never pasted into the query's text.
    """
    from loaders.cli import fail, open_cli_store

    if list_:
        if name or params:
            raise fail("--list takes no query name or parameter", "maillage query --list")
        _list(fmt)
        return
    if not name:
        raise fail("give a query NAME, or --list to see the library", "maillage query --list")
    try:
        q = load_query(name)
    except GraphError as err:
        raise fail(*_error_message(err, name)) from err
    if describe:
        _describe(q)
        return
    given = parse_param_options(q, params)
    from graph.runner import coerce_params, run_query

    try:
        values = coerce_params(q, given)  # check before opening the store
        store = open_cli_store(ctx)
        result = run_query(store, q, given, timeout_ms=timeout_ms,
                           today=today.date() if today else date.today())
    except GraphError as err:
        raise fail(*_error_message(err, name)) from err
    columns = result.columns or list(q.columns)
    if fmt == "json":
        emit({"query": q.name, "title": q.title, "params": values, "columns": columns,
              "rows": [dict(zip(columns, r)) for r in result.rows]}, "json")
        return
    emit(None, fmt, columns, result.rows)
    if fmt == "table":
        click.echo(f"{len(result.rows)} row(s).")


COMMANDS = (query,)
