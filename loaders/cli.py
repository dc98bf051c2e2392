"""The ``maillage`` command line: load a territory, inspect the graph, and (in sibling modules) query it.

Exit codes: 0 ok, 1 rows were rejected (the good rows are loaded), 2 error
(nothing changed). Connection settings come from the same ``MAILLAGE_*``
variables as the viewer and the tests.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable

import click

from graph.exceptions import GraphError
from graph.store import GraphStore, StoreConfig, open_store
from loaders.errors import LoaderError
from loaders.output import emit, format_option

__all__ = ["cli", "open_cli_store", "fail"]

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2


class _ExitError(click.ClickException):
    """A user-facing error with exit code 2."""

    exit_code = EXIT_ERROR


def fail(message: str, hint: str | None = None) -> _ExitError:
    """A click error (exit 2) with an optional fix hint."""
    return _ExitError(message + (f"\nHint: {hint}" if hint else ""))


def open_cli_store(ctx: click.Context) -> GraphStore:
    """Open the configured store once per command and close it when the command ends."""
    obj = ctx.ensure_object(dict)
    if "store" not in obj:
        config: StoreConfig = obj["config"]
        try:
            store = open_store(config)
        except GraphError as err:
            raise fail(str(err), "check MAILLAGE_DATA_DIR, or MAILLAGE_NEO4J_URI/USER/PASSWORD for Neo4j") from err
        obj["store"] = store
        ctx.call_on_close(store.close)
    return obj["store"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", envvar="MAILLAGE_DATA_DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of the embedded FalkorDB store [env MAILLAGE_DATA_DIR].")
@click.option("--graph", "graph_name", envvar="MAILLAGE_GRAPH", default="maillage", show_default=True,
              help="Graph name in the store [env MAILLAGE_GRAPH].")
@click.option("--neo4j-uri", envvar="MAILLAGE_NEO4J_URI", help="Use Neo4j at this URI [env MAILLAGE_NEO4J_URI].")
@click.option("--neo4j-user", envvar="MAILLAGE_NEO4J_USER", default="neo4j", show_default=True)
@click.option("--neo4j-password", envvar="MAILLAGE_NEO4J_PASSWORD", default="")
@click.option("--neo4j-database", envvar="MAILLAGE_NEO4J_DATABASE", default="neo4j", show_default=True)
@click.version_option(package_name="maillage")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, graph_name: str, neo4j_uri: str | None, neo4j_user: str,
        neo4j_password: str, neo4j_database: str) -> None:
    """maillage: the knowledge graph of a CPTS territory."""
    config = StoreConfig.from_env()
    if data_dir is not None:
        config.data_dir = data_dir
    config.graph = graph_name
    if neo4j_uri:
        config.backend, config.neo4j_uri = "neo4j", neo4j_uri
        config.neo4j_user, config.neo4j_password, config.neo4j_database = neo4j_user, neo4j_password, neo4j_database
    ctx.ensure_object(dict)["config"] = config


def _progress(enabled: bool) -> Callable[[str], None] | None:
    """A progress printer on stderr (step name and elapsed seconds)."""
    if not enabled:
        return None
    t0 = time.perf_counter()

    def say(step: str) -> None:
        click.echo(f"[{time.perf_counter() - t0:6.1f}s] {step}…", err=True)

    return say


@cli.command()
@click.argument("territory", required=False, type=click.Path(path_type=Path))
@click.option("--demo", is_flag=True, help="Load the shipped demo territory (CPTS du Grand Douai).")
@click.option("--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Rows per UNWIND batch.")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write load-report.json and rejects.csv [default: <data-dir>/reports/<territory>].")
@click.option("--progress/--no-progress", default=None, help="Print each step on stderr [default: when a terminal].")
@click.option("--writer", type=click.Choice(["auto", "bulk", "unwind"]), default="auto", show_default=True,
              help="bulk: FalkorDB's GRAPH.BULK into the new staging graph; unwind: batched MERGE queries; "
                   "auto: bulk on FalkorDB, unwind on Neo4j.")
@format_option("table", "json")
@click.pass_context
def load(ctx: click.Context, territory: Path | None, demo: bool, batch_size: int, report_dir: Path | None,
         progress: bool | None, writer: str, fmt: str) -> None:
    """Load a territory file (YAML) and all its sources into the graph, atomically.

    Exit code 0 when every row loaded, 1 when rows were rejected (see the rejects
    file), 2 when the load failed (the previous graph is left as it was).
    """
    from loaders.territory import demo_territory_path, load_territory, read_territory_file

    if demo == (territory is not None):
        raise fail("give either a TERRITORY file or --demo", "maillage load --demo")
    path = demo_territory_path() if demo else territory
    try:
        tf = read_territory_file(path)
    except LoaderError as err:
        raise fail(str(err)) from err
    store = open_cli_store(ctx)
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        if writer == "bulk" and store.backend != "falkordb":
            raise fail(f"--writer bulk needs the embedded FalkorDB store, not {store.backend}",
                       "use --writer unwind (or auto) with Neo4j")
        report = load_territory(tf, store, batch_size=batch_size, progress=_progress(progress), writer=writer)
    except LoaderError as err:
        raise fail(f"load failed, the graph is unchanged: {err}") from err
    except GraphError as err:
        raise fail(f"load failed, the graph is unchanged: {err}") from err
    folder = report_dir or (ctx.obj["config"].data_dir / "reports" / tf.id)
    report_path, rejects_path = report.write(folder)
    data = report.to_dict()
    data.update(territory=tf.id, report=str(report_path), rejects=str(rejects_path))
    if fmt == "json":
        data["rejected"] = data["rejected"][:100]
        emit(data, "json")
    else:
        click.echo(f"Territory {tf.name} ({tf.id}) loaded in {report.seconds:.1f} s into {store.backend}.")
        emit(None, "table", ["label", "nodes"], sorted(report.nodes.items()))
        click.echo(f"{sum(report.relationships.values())} relationships.")
        for w in report.warnings:
            click.echo(f"warning: {w}")
        for r in report.rejected[:20]:
            click.echo(f"rejected: {r.file}:{r.line}: column {r.column!r}, value {r.value!r}: {r.reason}")
        if len(report.rejected) > 20:
            click.echo(f"… {len(report.rejected) - 20} more rejected rows")
        click.echo(f"{len(report.rejected)} row(s) rejected. Report: {report_path}  Rejects: {rejects_path}")
    ctx.exit(EXIT_REJECTED if report.rejected else EXIT_OK)


@cli.command()
@format_option("table", "json")
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Count nodes by label and relationships by type."""
    store = open_cli_store(ctx)
    try:
        counts = store.counts()
    except GraphError as err:
        raise fail(str(err)) from err
    if not counts["nodes"]:
        if fmt == "json":
            emit({"backend": store.backend, **counts}, "json")
            return
        click.echo("The graph is empty: load a territory first (maillage load --demo).")
        return
    if fmt == "json":
        emit({"backend": store.backend, **counts}, "json")
        return
    emit(None, "table", ["label", "nodes"], sorted(counts["nodes"].items()))
    click.echo()
    emit(None, "table", ["relationship", "count"], sorted(counts["relationships"].items()))


def _register_extensions() -> None:
    """Add the commands defined in sibling ``loaders/cli_*.py`` modules (``COMMANDS`` tuples)."""
    import importlib
    import pkgutil

    import loaders

    for info in sorted(pkgutil.iter_modules(loaders.__path__), key=lambda i: i.name):
        if info.name.startswith("cli_"):
            mod = importlib.import_module(f"loaders.{info.name}")
            for command in getattr(mod, "COMMANDS", ()):
                cli.add_command(command)


_register_extensions()


def main() -> Any:  # pragma: no cover - console entry point
    """Entry point of the ``maillage`` script."""
    return cli(obj={})
