"""What-if: remove an actor (a retirement, a closing MSP) and list what breaks.

The answer is a recomputation, not an estimate: the coverage matrix of each
pathway is computed with and without the actor (:func:`coverage_matrix` with
``exclude``), and the collaboration graph is read through a view without it.
Reported:

- ``lost``: cells (pathway, stage, commune, role) that had at least one available
  actor and have none left; ``stages_lost`` groups the required ones by stage;
- ``now_single``: cells left with exactly one actor (a new single point of failure);
- ``lost_engaged``: the same as ``lost`` counting only actors engaged in the stage;
- ``newly_isolated``: actors whose only link was the removed actor;
- ``cut_off``: actors of the main component that no longer reach it;
- ``pathway_cut_off``: for each pathway of the actor, the pathway's actors cut off from
  the main part of the pathway's subgraph (:func:`graph.analysis.spof.pathway_subgraph`);
- ``handoffs_broken``: hand-offs between stages that lose their last connection.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, Iterable

import networkx as nx
from networkx.utils import not_implemented_for

from graph.analysis.coverage import (STALE_DAYS, CoverageCell, CoverageIndex, coverage_matrix, fits_role,
                                     get_pathway)
from graph.analysis.isolation import main_component
from graph.analysis.projection import collaboration_graph, induced_collaboration
from graph.analysis.spof import handoff_report, pathway_actors
from graph.exceptions import NodeNotFound

__all__ = ["get_actor", "coverage_diff", "remove_actor"]


def get_actor(G: nx.Graph, actor: str) -> dict[str, Any]:
    """The attributes of an actor.

    Raises
    ------
    NodeNotFound
        No actor of the graph has that id.
    """
    if actor not in G:
        raise NodeNotFound(f"no actor has id {actor!r} (a professional's national id such as 810001234567, "
                           "or a structure's FINESS number)")
    return G.nodes[actor]


def _key(cell: CoverageCell) -> tuple[str, str, str, str]:
    """The address of a cell."""
    return (cell.pathway, cell.stage, cell.commune, cell.role)


def coverage_diff(before: Iterable[CoverageCell], after: Iterable[CoverageCell]) -> dict[str, list[dict[str, Any]]]:
    """Cells that lose their last actor (``lost``, ``lost_engaged``) or keep only one (``now_single``).

    >>> b = [CoverageCell("ic", "ic.s", "A", "r", "R", False, ("x", "y"), ("x",))]
    >>> a = [CoverageCell("ic", "ic.s", "A", "r", "R", False, ("y",), ())]
    >>> d = coverage_diff(b, a)
    >>> len(d["lost"]), d["now_single"][0]["remaining"], len(d["lost_engaged"])
    (0, 'y', 1)
    """
    after_by = {_key(c): c for c in after}
    out: dict[str, list[dict[str, Any]]] = {"lost": [], "now_single": [], "lost_engaged": []}
    for cell in before:
        new = after_by.get(_key(cell))
        if new is None:
            continue
        row = {"pathway": cell.pathway, "stage": cell.stage, "commune": cell.commune, "role": cell.role,
               "role_label": cell.role_label, "optional": cell.optional}
        if cell.available and not new.available:
            out["lost"].append(row)
        elif len(cell.available) >= 2 and len(new.available) == 1:
            out["now_single"].append({**row, "remaining": new.available[0]})
        if cell.engaged and not new.engaged:
            out["lost_engaged"].append(row)
    return out


@not_implemented_for("directed")
def remove_actor(G: nx.Graph, actor: str, *, pathways: Iterable[str] | None = None,
                 communes: Iterable[str] | None = None, today: date | None = None,
                 stale_days: int = STALE_DAYS) -> dict[str, Any]:
    """What breaks when ``actor`` leaves: coverage lost, new single points, actors cut off.

    Parameters
    ----------
    G : the collaboration graph.
    actor : id of the actor removed.
    pathways : pathways to check (default: all).
    communes : rows of the coverage matrices (default: the territory's communes).
    today, stale_days : the freshness rule of the coverage (see :func:`coverage_matrix`).

    Returns
    -------
    dict
        ``actor``, ``lost``, ``stages_lost`` ({stage: [communes]}, required roles only),
        ``now_single``, ``lost_engaged``, ``newly_isolated``, ``cut_off``, ``pathway_cut_off``
        ({pathway: [actors]}), ``handoffs_broken``.

    Raises
    ------
    NodeNotFound
        Unknown actor or pathway.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")], pathways={}, stages={})
    >>> r = remove_actor(G, "b")
    >>> r["newly_isolated"], r["cut_off"]
    (['a'], ['a'])
    """
    get_actor(G, actor)
    pathway_ids = sorted(G.graph.get("pathways") or {}) if pathways is None else list(pathways)
    if communes is not None:
        communes = list(communes)
    lost: list[dict[str, Any]] = []
    now_single: list[dict[str, Any]] = []
    lost_engaged: list[dict[str, Any]] = []
    context = CoverageIndex(G)
    attrs = G.nodes[actor]
    for pw in pathway_ids:
        # only the stages with a role the actor fits can change
        stages = [s for s in get_pathway(G, pw)["stages"]
                  if any(fits_role(attrs, role) for role in G.graph["stages"][s]["roles"])]
        if not stages:
            continue
        kw = dict(communes=communes, stages=stages, context=context, today=today, stale_days=stale_days)
        before = coverage_matrix(G, pw, **kw)
        if not any(actor in c.available for c in before):
            continue
        after = coverage_matrix(G, pw, exclude={actor}, **kw)
        diff = coverage_diff(before, after)
        lost += diff["lost"]
        now_single += diff["now_single"]
        lost_engaged += diff["lost_engaged"]
    stages_lost: dict[str, list[str]] = defaultdict(list)
    for row in lost:
        if not row["optional"] and row["commune"] not in stages_lost[row["stage"]]:
            stages_lost[row["stage"]].append(row["commune"])

    H = collaboration_graph(G)
    view = nx.restricted_view(H, [actor], [])
    newly_isolated = sorted(v for v in H.adj[actor] if v != actor and view.degree(v) == 0)
    main_before = main_component(H) - {actor}
    main_after = main_component(view)
    cut_off = sorted(main_before - main_after) if actor in main_component(H) else []
    broken = []
    pathway_cut: dict[str, list[str]] = {}
    for pw in pathway_ids:
        members = pathway_actors(G, pw)
        if actor not in members:
            continue
        P = induced_collaboration(G, members, collapsed=H)
        main_p = main_component(P)
        if actor in main_p:
            lost_p = sorted(main_p - {actor} - main_component(nx.restricted_view(P, [actor], [])))
            if lost_p:
                pathway_cut[pw] = lost_p
    for pw in sorted(G.nodes[actor].get("pathways") or ()):
        if pw not in pathway_ids:
            continue
        after = {(h["from_stage"], h["to_stage"]): h for h in handoff_report(nx.restricted_view(G, [actor], []), pw)}
        for h in handoff_report(G, pw):
            new = after[(h["from_stage"], h["to_stage"])]
            if h["status"] in ("ok", "fragile") and new["status"] in ("rupture", "empty"):
                broken.append({"pathway": pw, "from_stage": h["from_stage"], "to_stage": h["to_stage"],
                               "status": new["status"]})
    return {
        "actor": actor,
        "lost": lost,
        "stages_lost": {s: sorted(cs) for s, cs in sorted(stages_lost.items())},
        "now_single": now_single,
        "lost_engaged": lost_engaged,
        "newly_isolated": newly_isolated,
        "cut_off": cut_off,
        "pathway_cut_off": pathway_cut,
        "handoffs_broken": broken,
    }
