"""``maillage isolated``, ``maillage analyse spof|whatif|silos|engagement``, ``maillage coverage``.

The network analyses of :mod:`graph.analysis` from the command line, on the
collaboration graph projected from the configured store. Links are *declared*
links (partnerships, shared sites, pathway hand-offs), not observed patient
sharing. Exit code 2, with an English message, on an empty graph, an unknown
pathway, stage or actor.
"""
from __future__ import annotations

from typing import Any

import click
import networkx as nx

from graph.exceptions import GraphError, NodeNotFound
from loaders.output import emit, format_option

__all__ = ["isolated", "analyse", "coverage", "COMMANDS"]


def _graph(ctx: click.Context) -> nx.MultiGraph:
    """Project the store to the collaboration graph; exit 2 when it fails or holds no actor."""
    from graph.analysis.projection import store_to_networkx
    from loaders.cli import fail, open_cli_store

    store = open_cli_store(ctx)
    try:
        G = store_to_networkx(store)
    except GraphError as err:
        raise fail(f"cannot read the graph: {err}") from err
    if G.number_of_nodes() == 0:
        raise fail("the graph holds no professional or structure", "load a territory first: maillage load --demo")
    return G


def _within(G: nx.Graph, scope: str) -> list[str] | None:
    """The territory's communes when ``scope`` is ``territory`` and the graph has a territory."""
    return (G.graph.get("territory_communes") or None) if scope == "territory" else None


def _commune_names(G: nx.Graph, codes: list[str]) -> str:
    """Commune names (code when unknown), comma-separated."""
    info = G.graph.get("communes") or {}
    return ", ".join((info.get(c) or {}).get("name") or c for c in codes)


def _what(attrs: dict[str, Any]) -> str:
    """An actor's profession (and specialty) or structure category."""
    if attrs.get("kind") == "Professional":
        return attrs.get("specialty_label") or attrs.get("profession_label") or attrs.get("profession_code") or ""
    return attrs.get("category_label") or attrs.get("kind") or ""


def _checked(fn, *args: Any, **kwargs: Any) -> Any:
    """Call an analysis; an unknown pathway, stage or actor exits 2 with its message."""
    from loaders.cli import fail

    try:
        return fn(*args, **kwargs)
    except NodeNotFound as err:
        raise fail(str(err)) from err


scope_option = click.option("--scope", type=click.Choice(["territory", "all"]), default="territory",
                            show_default=True,
                            help="List the actors of the CPTS territory's communes, or every actor of the graph.")


@click.command()
@scope_option
@click.option("--by", "by", type=click.Choice(["actor", "profession", "commune"]), default="actor",
              show_default=True, help="List actors, or count them by profession or by commune.")
@format_option("table", "csv", "json")
@click.pass_context
def isolated(ctx: click.Context, scope: str, by: str, fmt: str) -> None:
    """Isolated actors (no declared link) and actors outside the main component."""
    from graph.analysis.isolation import isolated_actors, isolation_summary, network_summary, outside_main_component

    G = _graph(ctx)
    within = _within(G, scope)
    summary = network_summary(G, within=within)
    if summary["links"] == 0:
        click.echo("note: the graph has no declared link at all (partnership, shared site, hand-off): "
                   "every actor is isolated.", err=True)
    if by != "actor":
        rows = isolation_summary(G, by, within=within)
        columns = [by, "actors", "isolated", "outside_main"]
        if fmt == "json":
            emit({"summary": summary, "by": by, "groups": rows}, "json")
        else:
            emit(None, fmt, columns, [[r["group"], r["actors"], r["isolated"], r["outside_main"]] for r in rows])
        return
    rows = [{"status": "isolated", "actor": n, "component": None, "size": 1} for n in isolated_actors(G, within=within)]
    rows += [{"status": "outside_main", **r} for r in outside_main_component(G, within=within)]
    for r in rows:
        attrs = G.nodes[r["actor"]]
        r.update(name=attrs.get("label"), kind=attrs.get("kind"), what=_what(attrs),
                 communes=_commune_names(G, attrs.get("communes") or []), member=bool(attrs.get("member")))
    if fmt == "json":
        emit({"summary": summary, "actors": rows}, "json")
        return
    columns = ["status", "actor", "name", "kind", "what", "communes", "member", "component", "size"]
    emit(None, fmt, columns, [[r[c] for c in columns] for r in rows])
    if fmt == "table":
        click.echo(f"\n{summary['isolated']} isolated, {summary['outside_main']} outside the main component "
                   f"({summary['main_component']} actors), out of {summary['actors']} actors and "
                   f"{summary['links']} links.")


@click.group()
def analyse() -> None:
    """Network analyses: single points of failure, what-if, silos, engagement targets."""


@analyse.command()
@click.option("--pathway", "-p", required=True, help="Pathway id (ic, bpco, dt2, pa_domicile...).")
@click.option("--basis", type=click.Choice(["available", "engaged"]), default="available", show_default=True,
              help="Count every available actor, or only those taking part in the stage.")
@format_option("table", "csv", "json")
@click.pass_context
def spof(ctx: click.Context, pathway: str, basis: str, fmt: str) -> None:
    """Single points of failure of a pathway: articulation points, bridges, hand-offs, single-actor roles."""
    from graph.analysis.spof import pathway_spof

    G = _graph(ctx)
    report = _checked(pathway_spof, G, pathway, basis=basis)
    if fmt == "json":
        emit(report, "json")
        return
    label = lambda n: f"{n} {G.nodes[n].get('label')}" if n in G else n  # noqa: E731
    rows: list[list[Any]] = []
    for a in report["articulation_points"]:
        rows.append(["articulation_point", label(a["actor"]), "", "", f"cuts off {a['cut_off']} actor(s)"])
    for b in report["bridges"]:
        rows.append(["bridge", label(b["u"]), label(b["v"]), ", ".join(b["kinds"]),
                     f"cuts off {b['cut_off']} actor(s)"])
    for h in report["handoffs"]:
        if h["status"] != "ok":
            rows.append([f"handoff_{h['status']}", h["from_stage"], h["to_stage"], "",
                         f"{len(h['links'])} link(s), {len(h['shared'])} shared actor(s)"])
    for s in report["single_actor"]:
        rows.append(["single_actor", s["stage"], s["role_label"], label(s["actor"]),
                     _commune_names(G, s["communes"])])
    for s in report["ruptures"]:
        rows.append(["rupture", s["stage"], s["role_label"], "", _commune_names(G, s["communes"])])
    emit(None, fmt, ["type", "what", "with", "detail", "impact"], rows)
    if fmt == "table":
        click.echo(f"\nPathway {report['name']} ({pathway}): {report['actors']} actors, {report['links']} links "
                   f"between them; links are declared links, not observed patient sharing.")


@analyse.command()
@click.option("--remove", "actor", required=True, help="Id of the actor removed (national PP id or FINESS).")
@format_option("table", "csv", "json")
@click.pass_context
def whatif(ctx: click.Context, actor: str, fmt: str) -> None:
    """Remove an actor (retirement, closing MSP) and list the stages and communes that lose coverage."""
    from graph.analysis.whatif import remove_actor

    G = _graph(ctx)
    r = _checked(remove_actor, G, actor.strip())
    if fmt == "json":
        emit({**r, "name": G.nodes[r["actor"]].get("label")}, "json")
        return
    rows: list[list[Any]] = []
    for x in r["lost"]:
        rows.append(["coverage_lost", x["stage"], x["role_label"] + (" (optional)" if x["optional"] else ""),
                     _commune_names(G, [x["commune"]]), ""])
    for x in r["now_single"]:
        rows.append(["now_single", x["stage"], x["role_label"], _commune_names(G, [x["commune"]]),
                     f"{x['remaining']} {G.nodes[x['remaining']].get('label')}"])
    engaged: dict[tuple[str, str], list[str]] = {}
    for x in r["lost_engaged"]:
        if not x["optional"]:
            engaged.setdefault((x["stage"], x["role_label"]), []).append(x["commune"])
    for (stage, role), communes in sorted(engaged.items()):
        rows.append(["last_engaged_lost", stage, role, f"{len(communes)} commune(s)", ""])
    for x in r["handoffs_broken"]:
        rows.append([f"handoff_{x['status']}", x["from_stage"], x["to_stage"], "", ""])
    for n in r["newly_isolated"]:
        rows.append(["newly_isolated", n, G.nodes[n].get("label"), "", ""])
    for n in r["cut_off"]:
        rows.append(["cut_off", n, G.nodes[n].get("label"), "", ""])
    for pw, actors in sorted(r["pathway_cut_off"].items()):
        rows += [[f"pathway_cut_off:{pw}", n, G.nodes[n].get("label"), "", ""] for n in actors]
    emit(None, fmt, ["effect", "what", "role_or_name", "commune", "remaining"], rows)
    if fmt == "table":
        cut_pw = len({n for ns in r["pathway_cut_off"].values() for n in ns})
        click.echo(f"\nWithout {actor} ({G.nodes[actor].get('label')}): {len(r['stages_lost'])} stage(s) lose "
                   f"coverage in some commune, {len(engaged)} role(s) lose their last engaged actor, "
                   f"{len(r['now_single'])} cell(s) keep a single actor, {len(r['cut_off'])} actor(s) cut off "
                   f"from the main component, {cut_pw} from a pathway's network.")


@analyse.command()
@click.option("--seed", default=0, show_default=True, help="Louvain seed (same seed, same answer).")
@format_option("table", "csv", "json")
@click.pass_context
def silos(ctx: click.Context, seed: int, fmt: str) -> None:
    """Communities of the collaboration graph (silos) and the links that would join them."""
    from graph.analysis.communities import joining_links
    from graph.analysis.communities import silos as find_silos

    G = _graph(ctx)
    comms = find_silos(G, seed=seed)
    links = joining_links(G, comms)
    if fmt == "json":
        emit({"communities": comms, "joining_links": links}, "json")
        return
    rows = [[c["id"], c["size"], c["sector"], ", ".join(f"{k} {v}" for k, v in c["sectors"].items()),
             c["internal_links"], c["external_links"]] for c in comms]
    emit(None, fmt, ["community", "actors", "sector", "sectors", "internal_links", "external_links"], rows)
    if fmt == "table" and links:
        click.echo("\nLinks that would join them:")
        rows = [[f"{j['a']}-{j['b']}", j["existing_links"], s["u"], G.nodes[s["u"]].get("label"), s["v"],
                 G.nodes[s["v"]].get("label"), s["why"]] for j in links[:10] for s in j["suggestions"]]
        emit(None, "table", ["pair", "existing", "u", "u_name", "v", "v_name", "why"], rows)


@analyse.command()
@click.option("--pathway", "-p", "pathways", multiple=True, help="Pathway id (repeat; default: every pathway).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@format_option("table", "csv", "json")
@click.pass_context
def engagement(ctx: click.Context, pathways: tuple[str, ...], limit: int, fmt: str) -> None:
    """Professionals of the territory, not CPTS members, ranked by the uncovered stages they could fill."""
    from graph.analysis.engagement import engagement_targets

    G = _graph(ctx)
    targets = _checked(engagement_targets, G, pathways=list(pathways) or None, limit=limit)
    if fmt == "json":
        emit(targets, "json")
        return
    emit(None, fmt, ["actor", "name", "profession", "stages", "cells", "communes", "population"],
         [[t["actor"], t["label"], t["profession"], t["stages"], t["cells"], _commune_names(G, t["communes"]),
           t["population"]] for t in targets])


@click.command()
@click.option("--pathway", "-p", required=True, help="Pathway id (ic, bpco, dt2, pa_domicile...).")
@click.option("--stage", "-s", "stages", multiple=True, help="Stage id (ic.suivi; repeat; default: every stage).")
@format_option("table", "csv", "json")
@click.pass_context
def coverage(ctx: click.Context, pathway: str, stages: tuple[str, ...], fmt: str) -> None:
    """The coverage matrix pathway × stage × commune: available and engaged actors for each role.

    An actor is available when it fits the role and serves the commune (the matching
    engine's rule), and is not set aside (takes no new patients, stale CPTS data).
    """
    from graph.analysis.coverage import coverage_matrix

    G = _graph(ctx)
    cells = _checked(coverage_matrix, G, pathway, stages=list(stages) or None)
    if fmt == "json":
        emit([c.to_dict() for c in cells], "json")
        return
    info = G.graph.get("communes") or {}
    columns = ["pathway", "stage", "commune", "commune_name", "role", "role_label", "optional", "available",
               "engaged", "set_aside", "available_actors"]
    emit(None, fmt, columns, [[c.pathway, c.stage, c.commune, (info.get(c.commune) or {}).get("name"), c.role,
                               c.role_label, c.optional, len(c.available), len(c.engaged), len(c.set_aside),
                               " ".join(c.available)] for c in cells])


COMMANDS = (isolated, analyse, coverage)
