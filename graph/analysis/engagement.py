"""Engagement targets: professionals of the territory, not yet CPTS members, who could fill uncovered stages.

A stage is **uncovered** in a commune for a required role when no actor is
*engaged* there (available for the role, see :mod:`graph.analysis.coverage`,
and declaring that it takes part in the stage). A target is a professional who
practises or intervenes in the territory, is not a member of a CPTS, and is
*available* for such an uncovered role in at least one commune. Targets are
ranked by the number of distinct uncovered stages they could fill, then the
number of (stage, commune) cells, then the population of the communes they
would serve.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

import networkx as nx

from graph.analysis.coverage import CoverageCell, CoverageIndex, coverage_matrix
from graph.analysis.projection import actor_nodes

__all__ = ["uncovered_cells", "engagement_targets"]


def uncovered_cells(cells: Iterable[CoverageCell]) -> list[CoverageCell]:
    """The cells of required roles where no actor is engaged.

    >>> uncovered_cells([CoverageCell("ic", "ic.s", "A", "r", "R", False, ("x",), ()),
    ...                  CoverageCell("ic", "ic.s", "A", "o", "O", True, ("x",), ())])[0].role
    'r'
    """
    return [c for c in cells if not c.optional and not c.engaged]


def engagement_targets(G: nx.Graph, *, pathways: Iterable[str] | None = None,
                       communes: Iterable[str] | None = None, limit: int | None = None,
                       cells: Iterable[CoverageCell] | None = None) -> list[dict[str, Any]]:
    """Non-member professionals ranked by the uncovered stages they could fill.

    Parameters
    ----------
    G : the collaboration graph.
    pathways : pathway ids (default: all).
    communes : the territory's communes (default: ``G.graph["territory_communes"]``, else all).
    limit : keep the first ``limit`` targets.
    cells : coverage cells already computed for these pathways and communes.

    Returns
    -------
    list of dict
        ``{"actor", "label", "profession", "stages", "cells", "communes", "population"}``
        where ``stages`` are the uncovered stage ids, ``cells`` the number of (stage,
        commune) pairs and ``communes`` those they would serve.

    Raises
    ------
    NodeNotFound
        Unknown pathway.

    Examples
    --------
    >>> G = nx.Graph(communes={"A": {"id": "A", "population": 900}}, territory_communes=["A"],
    ...              pathways={"ic": {"id": "ic", "stages": ["ic.s"]}},
    ...              stages={"ic.s": {"id": "ic.s", "pathway": "ic", "name": "Suivi", "roles": [
    ...                  {"id": "ic.s.inf", "label": "Infirmier", "professions": ["60"], "radius_km": 5}]}})
    >>> G.add_node("n1", kind="Professional", profession_code="60", communes=["A"], member=False)
    >>> G.add_node("n2", kind="Professional", profession_code="60", communes=["A"], member=True)
    >>> [(t["actor"], t["stages"], t["population"]) for t in engagement_targets(G)]
    [('n1', ['ic.s'], 900)]
    """
    if communes is None:
        communes = G.graph.get("territory_communes") or sorted(G.graph.get("communes") or {})
    communes = sorted(set(communes))
    if cells is None:
        ids = sorted(G.graph.get("pathways") or {}) if pathways is None else list(pathways)
        context = CoverageIndex(G)
        cells = [c for pw in ids for c in coverage_matrix(G, pw, communes=communes, context=context)]
    candidates = {n for n in actor_nodes(G, communes)
                  if G.nodes[n].get("kind") == "Professional" and not G.nodes[n].get("member")}
    stages: dict[str, set[str]] = defaultdict(set)
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for cell in uncovered_cells(cells):
        for n in cell.available:
            if n in candidates:
                stages[n].add(cell.stage)
                pairs[n].add((cell.stage, cell.commune))
    info = G.graph.get("communes") or {}
    out = []
    for n in stages:
        attrs = G.nodes[n]
        reached = sorted({c for _s, c in pairs[n]})
        out.append({
            "actor": n, "label": attrs.get("label") or n,
            "profession": attrs.get("specialty_label") or attrs.get("profession_label")
            or attrs.get("profession_code"),
            "stages": sorted(stages[n]), "cells": len(pairs[n]), "communes": reached,
            "population": sum((info.get(c) or {}).get("population") or 0 for c in reached),
        })
    out.sort(key=lambda t: (-len(t["stages"]), -t["cells"], -t["population"], t["label"], t["actor"]))
    return out[:limit] if limit is not None else out
