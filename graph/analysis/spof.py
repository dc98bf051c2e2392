"""Single points of failure of a pathway ("points de rupture").

For a pathway P:

- the **pathway's actors** are those who take part in one of its stages, its
  référents, and the parties of partnerships serving it;
- the **pathway subgraph** is the collaboration graph induced on them (every kind
  of link between two of them counts, parallel links collapsed);
- its **articulation points** are the actors whose departure splits it, each with
  the number of actors it would cut off (those no longer joined to the largest
  remaining part of its group); its **bridges** are the pairs whose link is the
  only path between two parts, with the size of the smaller side;
- a **hand-off** from stage *k* to stage *k + 1* is *rupture* when both stages
  have participants but none takes part in both and no participant of *k* is
  linked to one of *k + 1*; *fragile* when exactly one such connection exists;
- **single-actor cells**: the required roles that exactly one actor serves in
  some communes (the coverage matrix, :mod:`graph.analysis.coverage`), grouped by
  actor; **ruptures**: the required roles nobody serves, with the communes.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

import networkx as nx
from networkx.utils import not_implemented_for

from graph.analysis.coverage import CoverageCell, coverage_matrix, get_pathway
from graph.analysis.projection import collaboration_graph, induced_collaboration

__all__ = [
    "pathway_actors",
    "pathway_subgraph",
    "articulation_report",
    "bridge_report",
    "handoff_report",
    "single_actor_cells",
    "rupture_cells",
    "pathway_spof",
]


def pathway_actors(G: nx.Graph, pathway: str) -> list[str]:
    """The actors of a pathway: stage participants, référents, parties of its partnerships.

    Raises
    ------
    NodeNotFound
        Unknown pathway.

    Examples
    --------
    >>> G = nx.Graph(pathways={"ic": {"id": "ic", "stages": ["ic.suivi"], "referents": ["r"]}})
    >>> G.add_nodes_from([("a", {"stages": ["ic.suivi"]}), ("b", {"stages": []}), ("r", {})])
    >>> pathway_actors(G, "ic")
    ['a', 'r']
    """
    pw = get_pathway(G, pathway)
    stages = set(pw["stages"])
    found = {n for n, d in G.nodes(data=True) if stages.intersection(d.get("stages") or ())}
    found.update(r for r in pw.get("referents") or () if r in G)
    for pt in (G.graph.get("partnerships") or {}).values():
        if pathway in pt.get("pathways", ()):
            found.update(p for p in pt["parties"] if p in G)
    return sorted(found)


def pathway_subgraph(G: nx.Graph, pathway: str) -> nx.Graph:
    """The collaboration graph induced on a pathway's actors (a simple graph, with node data).

    Colleagues of a large site stay linked (:func:`graph.analysis.projection.induced_collaboration`).
    """
    return induced_collaboration(G, pathway_actors(G, pathway))


def _cut_off(H: nx.Graph, removed_nodes: Iterable[str] = (), removed_edge: tuple[str, str] | None = None,
             around: str | None = None) -> int:
    """Actors separated from the largest remaining part of ``around``'s component after a removal."""
    comp = nx.node_connected_component(H, around)
    view = nx.restricted_view(H, list(removed_nodes), [removed_edge] if removed_edge else [])
    sub = view.subgraph(comp - set(removed_nodes))
    sizes = [len(c) for c in nx.connected_components(sub)]
    return sum(sizes) - max(sizes) if sizes else 0


@not_implemented_for("directed")
def articulation_report(H: nx.Graph) -> list[dict[str, Any]]:
    """Articulation points with the number of actors each would cut off, most critical first.

    Examples
    --------
    >>> H = nx.Graph([("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("a1", "b1"), ("b1", "b2")])
    >>> articulation_report(H)
    [{'actor': 'a1', 'cut_off': 2}, {'actor': 'b1', 'cut_off': 1}]
    """
    H = collaboration_graph(H)
    rows = [{"actor": a, "cut_off": _cut_off(H, [a], around=a)} for a in nx.articulation_points(H)]
    rows.sort(key=lambda r: (-r["cut_off"], r["actor"]))
    return rows


@not_implemented_for("directed")
def bridge_report(H: nx.Graph) -> list[dict[str, Any]]:
    """Bridges (pairs in id order) with their link kinds and the size of the smaller side.

    Examples
    --------
    >>> H = nx.Graph([("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("b1", "b2"), ("b2", "b3"), ("b1", "b3")])
    >>> H.add_edge("a1", "b1", kinds=["partnership"])
    >>> bridge_report(H)
    [{'u': 'a1', 'v': 'b1', 'kinds': ['partnership'], 'cut_off': 3}]
    """
    H = collaboration_graph(H)
    rows = []
    for u, v in nx.bridges(H):
        u, v = sorted((u, v))
        rows.append({"u": u, "v": v, "kinds": list(H[u][v].get("kinds") or []),
                     "cut_off": _cut_off(H, removed_edge=(u, v), around=u)})
    rows.sort(key=lambda r: (-r["cut_off"], r["u"], r["v"]))
    return rows


def handoff_report(G: nx.Graph, pathway: str) -> list[dict[str, Any]]:
    """Each hand-off between consecutive stages: participants, shared actors, links, status.

    Returns
    -------
    list of dict
        ``{"from_stage", "to_stage", "from_actors", "to_actors", "shared", "links", "status"}``
        where ``links`` lists linked pairs (participant of *k*, participant of *k + 1*) and
        status is ``ok``, ``fragile``, ``rupture`` or ``empty`` (a stage has no participant).

    Examples
    --------
    >>> G = nx.Graph([("a", "b")], pathways={"ic": {"id": "ic", "stages": ["ic.1", "ic.2", "ic.3"]}})
    >>> G.nodes["a"]["stages"] = ["ic.1"]; G.nodes["b"]["stages"] = ["ic.2"]; G.add_node("c", stages=["ic.3"])
    >>> [(h["to_stage"], h["status"]) for h in handoff_report(G, "ic")]
    [('ic.2', 'fragile'), ('ic.3', 'rupture')]
    """
    order = get_pathway(G, pathway)["stages"]
    part: dict[str, set[str]] = defaultdict(set)
    for n, d in G.nodes(data=True):
        for s in d.get("stages") or ():
            part[s].add(n)
    rows = []
    for s1, s2 in zip(order, order[1:]):
        a, b = part.get(s1, set()), part.get(s2, set())
        shared = sorted(a & b)
        links = sorted({tuple(sorted((u, v))) for u in a for v in G.adj[u] if v in b and v != u})
        n = len(shared) + len(links)
        status = "empty" if not a or not b else "rupture" if n == 0 else "fragile" if n == 1 else "ok"
        rows.append({"from_stage": s1, "to_stage": s2, "from_actors": len(a), "to_actors": len(b),
                     "shared": shared, "links": [list(p) for p in links], "status": status})
    return rows


def single_actor_cells(cells: Iterable[CoverageCell], basis: str = "available",
                       include_optional: bool = False) -> list[dict[str, Any]]:
    """The roles served by exactly one actor in some communes, grouped by (stage, role, actor).

    >>> c = [CoverageCell("ic", "ic.diag", "A", "ic.diag.cardio", "Cardiologue", False, ("dr",), ()),
    ...      CoverageCell("ic", "ic.diag", "B", "ic.diag.cardio", "Cardiologue", False, ("dr",), ())]
    >>> [(r["stage"], r["role"], r["actor"], r["communes"]) for r in single_actor_cells(c)]
    [('ic.diag', 'ic.diag.cardio', 'dr', ['A', 'B'])]
    """
    groups: dict[tuple[str, str, str, bool, str], list[str]] = defaultdict(list)
    for cell in cells:
        if cell.optional and not include_optional:
            continue
        actors = cell.engaged if basis == "engaged" else cell.available
        if len(actors) == 1:
            groups[(cell.stage, cell.role, cell.role_label, cell.optional, actors[0])].append(cell.commune)
    return [{"stage": s, "role": r, "role_label": lab, "optional": opt, "actor": a, "communes": sorted(cs)}
            for (s, r, lab, opt, a), cs in groups.items()]


def rupture_cells(cells: Iterable[CoverageCell], basis: str = "available",
                  include_optional: bool = False) -> list[dict[str, Any]]:
    """The roles nobody serves in some communes, grouped by (stage, role).

    >>> rupture_cells([CoverageCell("ic", "ic.s", "A", "ic.s.inf", "Infirmier", False, (), ())])
    [{'stage': 'ic.s', 'role': 'ic.s.inf', 'role_label': 'Infirmier', 'optional': False, 'communes': ['A']}]
    """
    groups: dict[tuple[str, str, str, bool], list[str]] = defaultdict(list)
    for cell in cells:
        if cell.optional and not include_optional:
            continue
        if cell.count(basis) == 0:
            groups[(cell.stage, cell.role, cell.role_label, cell.optional)].append(cell.commune)
    return [{"stage": s, "role": r, "role_label": lab, "optional": opt, "communes": sorted(cs)}
            for (s, r, lab, opt), cs in groups.items()]


def pathway_spof(G: nx.Graph, pathway: str, *, communes: Iterable[str] | None = None,
                 basis: str = "available", cells: list[CoverageCell] | None = None) -> dict[str, Any]:
    """Every single point of failure of a pathway, in one report.

    Parameters
    ----------
    G : the collaboration graph.
    pathway : pathway id.
    communes : rows of the coverage matrix (default: the territory's communes).
    basis : ``available`` (every actor fitting and serving) or ``engaged`` (those taking part in the stage).
    cells : a coverage matrix already computed for this pathway (else computed here).

    Returns
    -------
    dict
        ``pathway``, ``actors``, ``links``, ``articulation_points``, ``bridges``,
        ``handoffs``, ``single_actor``, ``ruptures``.

    Raises
    ------
    NodeNotFound
        Unknown pathway.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")], pathways={"ic": {"id": "ic", "stages": ["ic.1"]}}, stages={
    ...     "ic.1": {"id": "ic.1", "pathway": "ic", "roles": []}})
    >>> for n in "abc": G.nodes[n]["stages"] = ["ic.1"]
    >>> r = pathway_spof(G, "ic", communes=[])
    >>> r["articulation_points"], [(b["u"], b["v"]) for b in r["bridges"]]
    ([{'actor': 'b', 'cut_off': 1}], [('a', 'b'), ('b', 'c')])
    """
    pw = get_pathway(G, pathway)
    H = pathway_subgraph(G, pathway)
    if cells is None:
        cells = coverage_matrix(G, pathway, communes=communes)
    return {
        "pathway": pw["id"],
        "name": pw.get("name", pw["id"]),
        "actors": H.number_of_nodes(),
        "links": H.number_of_edges(),
        "articulation_points": articulation_report(H),
        "bridges": bridge_report(H),
        "handoffs": handoff_report(G, pathway),
        "single_actor": single_actor_cells(cells, basis),
        "ruptures": rupture_cells(cells, basis),
    }
