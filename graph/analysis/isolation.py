"""Isolated actors: no declared link at all, or links only inside a small group cut off from the rest.

Definitions (on the collaboration graph of :mod:`graph.analysis.projection`,
parallel links collapsed):

- an **isolated actor** has degree 0: no partnership, no shared site, no
  activity at a structure of the graph, no hand-off;
- the **main component** is the largest connected component (ties broken by the
  smallest actor id); an actor **outside the main component** has at least one
  link but only with actors that are all cut off from the main component (a
  pharmacy and its pharmacist, two colleagues of a cabinet without partners).

``within`` restricts the *lists* to actors practising (or intervening) in these
communes; links are always counted on the whole graph, so an actor of the
territory linked to one just outside is not isolated.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

import networkx as nx
from networkx.utils import not_implemented_for

from graph.analysis.projection import actor_nodes, gc_paused

__all__ = [
    "isolated_actors",
    "main_component",
    "outside_main_component",
    "isolation_summary",
    "network_summary",
    "actor_groups",
]


def _linked(nbrs: Any, n: Any) -> bool:
    """True when a node's neighbours include another node (a self-loop does not count)."""
    return len(nbrs) > 1 or (len(nbrs) == 1 and n not in nbrs)


@not_implemented_for("directed")
def isolated_actors(G: nx.Graph, *, within: Iterable[str] | None = None) -> list[str]:
    """The actors with no link at all, in id order.

    Parameters
    ----------
    G : the collaboration graph (a MultiGraph or Graph of actors).
    within : INSEE codes; when given, only actors practising or intervening there are listed.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")]); G.add_node("nurse")
    >>> isolated_actors(G)
    ['nurse']
    """
    with gc_paused():
        alone = [n for n, nbrs in G.adjacency() if not _linked(nbrs, n)]
    if within is None:
        return sorted(alone)
    keep = set(actor_nodes(G.subgraph(alone), within))
    return sorted(n for n in alone if n in keep)


def _groups(G: nx.Graph) -> list[set[str]]:
    """The connected components with at least one link, largest first (ties: smallest actor id)."""
    with gc_paused():
        comps = [c for c in nx.connected_components(G) if len(c) > 1]
    keyed = [(-len(c), min(c), c) for c in comps]
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [c for _n, _m, c in keyed]


@not_implemented_for("directed")
def main_component(G: nx.Graph) -> set[str]:
    """The largest connected component with at least one link (empty when there is no link).

    >>> sorted(main_component(nx.Graph([("a", "b"), ("b", "c"), ("d", "e")])))
    ['a', 'b', 'c']
    """
    groups = _groups(G)
    return set(groups[0]) if groups else set()


@not_implemented_for("directed")
def outside_main_component(G: nx.Graph, *, within: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The linked actors outside the main component, with their group.

    Returns
    -------
    list of dict
        ``{"actor", "component", "size"}``: ``component`` numbers the cut-off groups
        (1 = the largest), ``size`` is the group's number of actors. In group order,
        then actor id.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("d", "e")]); G.add_node("f")
    >>> outside_main_component(G)
    [{'actor': 'd', 'component': 1, 'size': 2}, {'actor': 'e', 'component': 1, 'size': 2}]
    """
    groups = _groups(G)[1:]
    keep = None if within is None else set(actor_nodes(G.subgraph(set().union(*groups)), within))
    out = []
    with gc_paused():
        for i, comp in enumerate(groups, 1):
            out.extend({"actor": n, "component": i, "size": len(comp)} for n in sorted(comp)
                       if keep is None or n in keep)
    return out


def actor_groups(attrs: dict[str, Any], by: str, communes: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The group(s) of an actor as (key, name): its profession (or structure category), or its practice communes.

    >>> actor_groups({"kind": "Professional", "profession_label": "Infirmier"}, "profession")
    [('Infirmier', 'Infirmier')]
    >>> actor_groups({"communes": ["59178"]}, "commune", {"59178": {"name": "Douai"}})
    [('59178', 'Douai')]
    """
    if by == "profession":
        if attrs.get("kind") == "Professional":
            name = attrs.get("profession_label") or f"profession {attrs.get('profession_code') or '?'}"
        else:
            name = attrs.get("category_label") or attrs.get("kind") or "?"
        return [(name, name)]
    groups = [(c, ((communes or {}).get(c) or {}).get("name") or c) for c in attrs.get("communes") or ()]
    return groups or [("", "(commune inconnue)")]


@not_implemented_for("directed")
def isolation_summary(G: nx.Graph, by: str = "profession", *,
                      within: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Counts of actors, isolated actors and actors outside the main component, by profession or commune.

    Parameters
    ----------
    by : ``"profession"`` (a structure counts under its FINESS category) or ``"commune"``
        (an actor practising in two communes counts in both).

    Returns
    -------
    list of dict
        ``{"group", "key", "actors", "isolated", "outside_main"}``, most isolated first; ``key``
        is the profession (or category) label, or the commune's INSEE code.

    Examples
    --------
    >>> G = nx.Graph([("a", "b")]); G.add_node("c")
    >>> for n in "abc": G.nodes[n].update(kind="Professional", profession_label="Infirmier", communes=["X"])
    >>> isolation_summary(G)
    [{'group': 'Infirmier', 'key': 'Infirmier', 'actors': 3, 'isolated': 1, 'outside_main': 0}]
    """
    if by not in ("profession", "commune"):
        raise ValueError(f"by must be 'profession' or 'commune', not {by!r}")
    keep = actor_nodes(G, within)
    iso = set(isolated_actors(G, within=within))
    out_main = {r["actor"] for r in outside_main_component(G, within=within)}
    communes = G.graph.get("communes") or {}
    total: Counter[tuple[str, str]] = Counter()
    n_iso: Counter[tuple[str, str]] = Counter()
    n_out: Counter[tuple[str, str]] = Counter()
    for n in keep:
        for g in actor_groups(G.nodes[n], by, communes):
            total[g] += 1
            n_iso[g] += n in iso
            n_out[g] += n in out_main
    rows = [{"group": g[1], "key": g[0], "actors": total[g], "isolated": n_iso[g], "outside_main": n_out[g]}
            for g in total]
    rows.sort(key=lambda r: (-r["isolated"], -r["outside_main"], -r["actors"], r["group"]))
    return rows


@not_implemented_for("directed")
def network_summary(G: nx.Graph, *, within: Iterable[str] | None = None) -> dict[str, int]:
    """Headline figures: actors, links (distinct linked pairs), isolated, outside main, components.

    >>> network_summary(nx.Graph([("a", "b"), ("c", "d")]))
    {'actors': 4, 'links': 2, 'isolated': 0, 'outside_main': 2, 'main_component': 2, 'components': 2}
    """
    pairs = sum(sum(1 for v in nbrs if v != n) for n, nbrs in G.adjacency()) // 2
    groups = _groups(G)
    return {
        "actors": len(actor_nodes(G, within)) if within is not None else G.number_of_nodes(),
        "links": pairs,
        "isolated": len(isolated_actors(G, within=within)),
        "outside_main": len(outside_main_component(G, within=within)),
        "main_component": len(groups[0]) if groups else 0,
        "components": len(groups),
    }
