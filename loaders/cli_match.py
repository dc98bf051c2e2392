"""``maillage match`` and ``maillage pathways``: who can take this patient at this stage, from the shell.

``maillage match --pathway ic --stage suivi --commune Douai`` prints, role by
role, the ranked candidates with their reasons, the actors set aside and the
points de rupture; ``--format json`` prints the same answer as
``GET /api/match``. ``maillage pathways`` lists the pathways with their stage
identifiers. Bad input (unknown pathway, stage or commune, an ambiguous commune,
a radius out of range) exits with code 2 and one clear message.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import click

from graph.exceptions import GraphError
from graph.matching import (DEFAULT_LIMIT, DEFAULT_STALE_DAYS, MAX_LIMIT, MatchInputError, MatchRequest, match_data,
                            run_match)
from graph.ranking import format_km
from loaders.output import emit, format_option

__all__ = ["match", "pathways", "COMMANDS", "render_answer"]

#: commune index and pathway catalogue, kept for the life of the process (one per store)
_CACHE: dict[Any, Any] = {}


def _parse_date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Parse ``--today`` (YYYY-MM-DD)."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)") from err


def _hint(err: MatchInputError) -> str | None:
    """A fix hint for a bad input: the choices, or where to find them."""
    if err.param == "commune" and err.choices:
        return "use one of the INSEE codes: " + ", ".join(f"{c['id']} ({c['name']})" for c in err.choices)
    if err.param in ("pathway", "stage"):
        return "maillage pathways lists the pathways and their stages"
    return None


def render_answer(answer: dict[str, Any]) -> None:
    """Print a match answer as text: a table of candidates per role, then set-aside actors and ruptures."""
    st, c = answer["stage"], answer["commune"]
    q = answer["query"]
    click.echo(f"{answer['pathway']['name']} > {st['name']} ({st['id']}) - patient in {c['name']} ({c['id']})")
    opts = ["home visit needed" if q["home_visit"] else "", f"radius {q['radius_km']:g} km" if q["radius_km"] else "",
            f"profession {q['profession']}" if q["profession"] else ""]
    if any(opts):
        click.echo("Options: " + ", ".join(o for o in opts if o))
    for role in answer["roles"]:
        flags = [f"radius {role['radius_km']:g} km"] + (["home visits"] if role["home_visit"] else []) + (
            ["optional"] if role["optional"] else [])
        n = len(role["candidates"]) + role["more"]
        about = "about " if role.get("estimated") else ""
        plural = "s" if n != 1 else ""
        click.echo(f"\n== {role['label']} [{role['key']}] ({', '.join(flags)}): {about}{n} candidate{plural}")
        if role["candidates"]:
            rows = [[x["rank"], x["name"], x["category"] or x["profession"] or "",
                     x["commune"]["name"] if x["commune"] else "", format_km(x["distance_km"])
                     if x["distance_km"] is not None else "", x["phone"] or "", x["mssante"] or x["email"] or ""]
                    for x in role["candidates"]]
            emit(None, "table", ["rank", "name", "profession", "commune", "distance", "phone", "mssante/e-mail"], rows)
            for x in role["candidates"]:
                click.echo(f"  {x['rank']}. {x['name']}: " + "; ".join(r["text"] for r in x["reasons"] + x["notes"]))
            if role["more"]:
                click.echo(f"... and {about}{role['more']} more (--limit)")
        for s in role["set_aside"]:
            where = f"{s['commune']['name']}, " if s["commune"] else ""
            dist = format_km(s["distance_km"]) if s["distance_km"] is not None else "distance unknown"
            click.echo(f"  set aside: {s['name']} ({where}{dist}): {'; '.join(r['text'] for r in s['set_aside'])}")
        if role["set_aside_more"]:
            click.echo(f"  ... and {about}{role['set_aside_more']} more set aside (--limit)")
        if not role["candidates"]:
            nearest = role["nearest"]
            head = "POINT DE RUPTURE" if role["rupture"] else "no candidate (optional role)"
            where = nearest["commune"]["name"] if nearest and nearest["commune"] else "?"
            tail = (f"; nearest outside the radius: {nearest['name']} ({where}, {format_km(nearest['distance_km'])})"
                    if nearest else "; no such actor in the graph")
            click.echo(f"  {head}{tail}")
    click.echo()
    if answer["ruptures"]:
        roles = ", ".join(r["role"] for r in answer["ruptures"])
        click.echo(f"{len(answer['ruptures'])} point(s) de rupture: {roles}")
    else:
        click.echo("No point de rupture: every required role has a candidate.")


@click.command("match")
@click.option("--pathway", "-p", required=True, help="Pathway id (maillage pathways lists them), e.g. ic.")
@click.option("--stage", "-s", required=True, help="Stage key (suivi) or stage id (ic.suivi).")
@click.option("--commune", "-c", required=True, help="Patient's commune: INSEE code, postal code or name.")
@click.option("--home-visit", is_flag=True, help="The patient needs home visits.")
@click.option("--radius", "radius_km", type=float, default=None,
              help="Search radius in km for every role [default: each role's own radius].")
@click.option("--profession", default=None, help="Keep only professionals of this TRE_G15 code (e.g. 60).")
@click.option("--limit", type=int, default=DEFAULT_LIMIT, show_default=True,
              help=f"Maximum candidates per role (1-{MAX_LIMIT}).")
@click.option("--stale-days", type=int, default=DEFAULT_STALE_DAYS, show_default=True,
              help="Set aside actors whose CPTS data were verified longer ago than this.")
@click.option("--today", callback=_parse_date, default=None, metavar="YYYY-MM-DD",
              help="Measure freshness from this date [default: today].")
@format_option("table", "json")
@click.pass_context
def match(ctx: click.Context, pathway: str, stage: str, commune: str, home_visit: bool, radius_km: float | None,
          profession: str | None, limit: int, stale_days: int, today: date | None, fmt: str) -> None:
    """Who can take a patient of COMMUNE at STAGE of PATHWAY: ranked candidates, reasons, ruptures."""
    from loaders.cli import fail, open_cli_store

    try:
        req = MatchRequest(pathway=pathway, stage=stage, commune=commune, home_visit=home_visit,
                           radius_km=radius_km, profession=profession, limit=limit, stale_days=stale_days,
                           today=today)
    except MatchInputError as err:
        raise fail(str(err), _hint(err)) from err
    store = open_cli_store(ctx)
    try:
        answer = run_match(store, req, cache=_CACHE)
    except MatchInputError as err:
        hint = _hint(err)
        if err.param == "pathway" and not match_data(store, _CACHE).catalog:
            hint = "the graph has no pathway: load a territory first (maillage load --demo)"
        raise fail(str(err), hint) from err
    except GraphError as err:
        raise fail(str(err)) from err
    if fmt == "json":
        emit(answer, "json")
    else:
        render_answer(answer)


@click.command("pathways")
@format_option("table", "json")
@click.pass_context
def pathways(ctx: click.Context, fmt: str) -> None:
    """List the pathways and their stage identifiers (for maillage match --pathway/--stage)."""
    from loaders.cli import fail, open_cli_store

    store = open_cli_store(ctx)
    try:
        catalog = match_data(store, _CACHE).catalog
    except GraphError as err:
        raise fail(str(err)) from err
    if fmt == "json":
        emit({"ok": True, "pathways": [p.to_dict() for p in catalog.values()]}, "json")
        return
    if not catalog:
        click.echo("No pathway in the graph: load a territory first (maillage load --demo).")
        return
    rows = [[p.id, s.key, s.id, s.order, s.name, len(s.roles)] for p in catalog.values() for s in p.stages]
    emit(None, "table", ["pathway", "stage", "stage id", "order", "name", "roles"], rows)
    click.echo()
    emit(None, "table", ["pathway", "name", "source"], [[p.id, p.name, p.source or ""] for p in catalog.values()])


COMMANDS = (match, pathways)
