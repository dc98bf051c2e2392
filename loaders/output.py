"""Printing data from the CLI: one helper for table, CSV and JSON output."""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Sequence

import click

__all__ = ["emit", "format_option", "render_table"]


def format_option(*choices: str, default: str = "table"):
    """A ``--format`` option with the given choices."""
    return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default, show_default=True,
                        help="Output format.")


def _cell(value: Any) -> str:
    """A value as table/CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def render_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_width: int = 60) -> str:
    """A plain-text table with a header line.

    >>> print(render_table(["a", "b"], [[1, "x"]]))
    a  b
    -  -
    1  x
    """
    cells = [[_cell(v)[:max_width] for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip(),
             "  ".join("-" * w for w in widths).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def emit(data: Any, fmt: str, columns: Sequence[str] | None = None, rows: Sequence[Sequence[Any]] | None = None) -> None:
    """Print ``data`` as JSON, or ``columns``/``rows`` as a table or CSV."""
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    columns = list(columns or [])
    rows = list(rows or [])
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
        click.echo(buf.getvalue(), nl=False)
        return
    click.echo(render_table(columns, rows))
