"""Silos: communities of the collaboration graph, and the links that would join them.

Communities are found by Louvain modularity (``networkx.community.louvain_communities``,
fixed seed, so the same graph gives the same answer) on the collaboration graph
without its isolated actors (reported by :mod:`graph.analysis.isolation`), parallel
links counted as weight. Each community is labelled by the care sector most of
its actors belong to (``hôpital``, ``ville``, ``médico-social``, ``coordination``:
a structure's FINESS category; a professional's sector is ``ville`` when they
practise in libéral mode or at a city site, else that of the structures they work
at), which shows silos such as hospital versus ville.

A **joining link** is a pair of actors of two communities that are not yet
linked, scored by what they already share: consecutive stages of a pathway (a
hand-off that is not backed by any link: 3 points), the same pathway (2), a
practice commune (1); ties go to the better-connected actors. When two
communities share nothing, their best-connected actors are proposed.
"""
from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any, Iterable

import networkx as nx
from networkx.utils import not_implemented_for

from graph.analysis.projection import actor_nodes, collaboration_graph, gc_paused, induced_collaboration

__all__ = ["silos", "joining_links"]


@not_implemented_for("directed")
def silos(G: nx.Graph, *, seed: int = 0, resolution: float = 1.0, min_size: int = 2,
          within: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The communities of the linked actors, largest first.

    Parameters
    ----------
    G : the collaboration graph.
    seed : Louvain's random seed (fixed: the answer is reproducible).
    resolution : Louvain's resolution (above 1: smaller communities).
    min_size : smaller communities are left out.
    within : INSEE codes: only the actors practising or intervening there (the territory) are grouped.

    Returns
    -------
    list of dict
        ``{"id", "actors", "size", "sectors", "sector", "internal_links", "external_links"}``;
        ``id`` counts from 1, ``sector`` is the majority sector.

    Examples
    --------
    >>> G = nx.Graph([("h1", "h2"), ("h2", "h3"), ("h1", "h3"), ("v1", "v2"), ("v2", "v3"), ("v1", "v3"),
    ...               ("h1", "v1")])
    >>> for n in G: G.nodes[n]["sector"] = "hôpital" if n[0] == "h" else "ville"
    >>> [(c["actors"], c["sector"], c["external_links"]) for c in silos(G)]
    [(['h1', 'h2', 'h3'], 'hôpital', 1), (['v1', 'v2', 'v3'], 'ville', 1)]
    """
    H = collaboration_graph(G)
    if within is not None:
        H = induced_collaboration(G, actor_nodes(G, within), collapsed=H)
    linked = H.subgraph([n for n in H if H.degree(n) > 0])
    if linked.number_of_edges() == 0:
        return []
    with gc_paused():
        parts = nx.community.louvain_communities(linked, weight="weight", resolution=resolution, seed=seed)
    comms = sorted((sorted(c) for c in parts if len(c) >= min_size), key=lambda c: (-len(c), c[0]))
    member = {n: i for i, c in enumerate(comms) for n in c}
    out = []
    for i, actors in enumerate(comms):
        sectors = Counter(H.nodes[n].get("sector") or "?" for n in actors)
        internal = external = 0
        for n in actors:
            for v in H.adj[n]:
                if member.get(v) == i:
                    internal += 1
                else:
                    external += 1
        out.append({"id": i + 1, "actors": actors, "size": len(actors),
                    "sectors": dict(sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))),
                    "sector": min(sectors, key=lambda s: (-sectors[s], s)),
                    "internal_links": internal // 2, "external_links": external})
    return out


def _score(G: nx.Graph, u: str, v: str, next_stage: dict[str, str]) -> tuple[int, str]:
    """How much two actors already share (hand-off, pathway, commune) and why, in French."""
    su, sv = set(G.nodes[u].get("stages") or ()), set(G.nodes[v].get("stages") or ())
    names = G.graph.get("stages") or {}

    def name(s: str) -> str:
        return (names.get(s) or {}).get("name") or s

    for a, b in ((su, sv), (sv, su)):
        for s in sorted(a):
            if next_stage.get(s) in b:
                return 3, f"relais {name(s)} → {name(next_stage[s])}"
    pu = set(G.nodes[u].get("pathways") or ())
    common = sorted(pu & set(G.nodes[v].get("pathways") or ()))
    if common:
        return 2, f"même parcours ({', '.join(common)})"
    cu = set(G.nodes[u].get("communes") or ())
    shared = sorted(cu & set(G.nodes[v].get("communes") or ()))
    if shared:
        return 1, f"même commune d'exercice ({', '.join(shared)})"
    return 0, "acteurs les mieux reliés de chaque groupe"


def joining_links(G: nx.Graph, communities: Iterable[dict[str, Any]], *, per_pair: int = 3,
                  max_communities: int = 12, max_candidates: int = 40) -> list[dict[str, Any]]:
    """Links that would join pairs of communities, best first for each pair.

    Parameters
    ----------
    G : the collaboration graph.
    communities : the result of :func:`silos`.
    per_pair : suggestions per pair of communities.
    max_communities : only the largest communities are paired (pairs grow as the square).
    max_candidates : per community, only its best-connected actors are tried.

    Returns
    -------
    list of dict
        ``{"a", "b", "existing_links", "suggestions": [{"u", "v", "score", "why"}]}``, pairs with
        the fewest existing links first; an actor appears once in a pair's suggestions.

    Examples
    --------
    >>> G = nx.Graph([("h1", "h2"), ("v1", "v2")])
    >>> G.nodes["h1"]["stages"] = ["ic.sortie"]; G.nodes["v2"]["stages"] = ["ic.suivi"]
    >>> G.graph["pathways"] = {"ic": {"id": "ic", "stages": ["ic.sortie", "ic.suivi"]}}
    >>> comms = [{"id": 1, "actors": ["h1", "h2"]}, {"id": 2, "actors": ["v1", "v2"]}]
    >>> joining_links(G, comms, per_pair=1)[0]["suggestions"]
    [{'u': 'h1', 'v': 'v2', 'score': 3, 'why': 'relais ic.sortie → ic.suivi'}]
    """
    H = collaboration_graph(G)
    comms = list(communities)[:max_communities]
    next_stage = {}
    for pw in (G.graph.get("pathways") or {}).values():
        for s1, s2 in zip(pw["stages"], pw["stages"][1:]):
            next_stage[s1] = s2
    best = {c["id"]: sorted(c["actors"], key=lambda n: (-H.degree(n), n))[:max_candidates] for c in comms}
    out = []
    for ca, cb in combinations(comms, 2):
        sb = set(cb["actors"])
        existing = sum(1 for n in ca["actors"] for v in H.adj[n] if v in sb)
        cands = []
        for u in best[ca["id"]]:
            for v in best[cb["id"]]:
                if H.has_edge(u, v):
                    continue
                score, why = _score(H, u, v, next_stage)
                cands.append((-score, -(H.degree(u) + H.degree(v)), u, v, score, why))
        cands.sort()
        chosen, used = [], set()
        for *_k, u, v, score, why in cands:  # each actor once per pair of communities, when possible
            if u in used or v in used:
                continue
            chosen.append({"u": u, "v": v, "score": score, "why": why})
            used.update((u, v))
            if len(chosen) == per_pair:
                break
        out.append({"a": ca["id"], "b": cb["id"], "existing_links": existing, "suggestions": chosen})
    out.sort(key=lambda r: (r["existing_links"], r["a"], r["b"]))
    return out
