"""``maillage serve``: the viewer on the configured store (the embedded FalkorDB by default)."""
from __future__ import annotations

import time

import click

__all__ = ["serve", "COMMANDS"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535), help="Port.")
@click.option("--debug/--no-debug", default=False, help="Flask debug mode (never in production).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, debug: bool) -> None:
    """Start the viewer (in French) on the graph."""
    from loaders.cli import open_cli_store
    from web import create_app
    from web.search import current_match_data

    store = open_cli_store(ctx)
    app = create_app()
    app.extensions["maillage"]["store"] = store
    started = time.perf_counter()
    with app.app_context():  # a national graph's counts are read now, not during the first search
        current_match_data().warm(store)
    click.echo(f"maillage: graph ready for searches in {time.perf_counter() - started:.1f} s", err=True)
    click.echo(f"maillage: http://{host}:{port}/  (store: {store.backend}; Ctrl+C to stop)")
    app.run(host=host, port=port, debug=debug, use_reloader=False)


COMMANDS = (serve,)
