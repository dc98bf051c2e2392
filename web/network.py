"""The network page (/reseau): the collaboration graph drawn with pyvis, filtered, served offline.

Nodes are actors coloured by kind (professional, structure, CPTS) and sized by
degree; isolated actors and points of failure (articulation points, and bridges
for the links) are marked; filters choose a pathway, a stage, a profession (or
structure category) and a commune. Above :data:`MAX_ACTORS` actors the page
draws an aggregate (actors grouped by commune, or by profession inside one
commune) that a click opens. pyvis builds the nodes, edges and options; its
HTML is rendered with our own template (``network_graph.html``) that loads the
vendored vis-network and embeds the data with ``tojson`` (every name escaped),
served at /reseau/graphe.html inside the page.

This module also holds the helpers the other analysis pages share: the
projected graph, cached per app until the store changes (:func:`get_graph`,
:func:`memo`), actor links, CSV responses.
"""
from __future__ import annotations

import csv
import io
import math
import re
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote, urlencode

import networkx as nx
from flask import Blueprint, Response, current_app, render_template, request, url_for

from graph.analysis.coverage import STALE_DAYS, CoverageCell, CoverageIndex, coverage_matrix
from graph.analysis.isolation import isolated_actors
from graph.analysis.projection import actor_nodes, collaboration_graph, induced_collaboration, store_to_networkx
from graph.analysis.spof import pathway_actors, pathway_subgraph
from graph.analysis.whatif import remove_actor
from web.store import app_cache, get_store

__all__ = ["bp", "MAX_ACTORS", "get_graph", "memo", "coverage", "departure", "actor_url", "csv_response", "what",
           "commune_name", "stage_name", "select_actors", "Selection", "KIND_FR", "EDGE_FR"]

bp = Blueprint("network", __name__)

#: above this many actors the page draws an aggregate instead of every actor
MAX_ACTORS = 300

KIND_COLOURS = {"Professional": "#2f80c1", "Structure": "#2e9e6b", "CPTS": "#7a4fc4"}
KIND_SHAPES = {"Professional": "dot", "Structure": "square", "CPTS": "hexagon"}
KIND_FR = {"Professional": "Professionnel", "Structure": "Structure", "CPTS": "CPTS"}
EDGE_FR = {"partnership": "partenariat", "works_at": "exerce dans la structure", "shared_site": "même site d'exercice",
           "handoff": "relais entre étapes d'un parcours"}
EDGE_STYLE = {  # the strongest kind of a pair decides its look
    "handoff": {"color": "#7a4fc4", "width": 3},
    "partnership": {"color": "#344054", "width": 2},
    "shared_site": {"color": "#98a2b3", "width": 1, "dashes": [3, 4]},
    "works_at": {"color": "#b8c2cc", "width": 1},
}
ISOLATED_BORDER, SPOF_BORDER, BRIDGE_COLOUR = "#b42318", "#f79009", "#d92d20"
#: fill of a group by its share of isolated actors: (upper bound, colour)
GROUP_COLOURS = ((0.10, "#8fb8de"), (0.30, "#fdb022"), (1.0, "#f97066"))


# --- shared helpers of the analysis pages ------------------------------------


def _fingerprint() -> tuple[Any, ...]:
    """A cheap signature of the store's content: node and relationship counts, last load time."""
    store = get_store()
    nodes = store.run("MATCH (n) RETURN count(n) AS n").scalar()
    rels = store.run("MATCH ()-[r]->() RETURN count(r) AS n").scalar()
    loaded = store.run("MATCH (s:Source) RETURN max(s.loaded_at) AS t").scalar()
    return (nodes, rels, loaded)


def get_graph() -> nx.MultiGraph:
    """The collaboration graph of the app's store, projected once and kept until the store changes."""
    cache = app_cache()
    key = _fingerprint()
    entry = cache.get("analysis")
    if entry is None or entry["key"] != key:
        entry = {"key": key, "graph": store_to_networkx(get_store()), "memo": {}}
        cache["analysis"] = entry
    return entry["graph"]


def memo(name: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A derived result (coverage, silos...) kept as long as the graph it came from (call get_graph first)."""
    entry = app_cache()["analysis"]
    if name not in entry["memo"]:
        entry["memo"][name] = compute()
    return entry["memo"][name]


def coverage(G: nx.Graph, pathway: str) -> list[CoverageCell]:
    """The coverage matrix of a pathway on the app's graph, today, with the app's ``STALE_DAYS`` (cached)."""
    today = date.today()
    stale = int(current_app.config.get("STALE_DAYS") or STALE_DAYS)
    context = memo(("coverage_index",), lambda: CoverageIndex(G))
    return memo(("coverage", pathway, today.isoformat(), stale),
                lambda: coverage_matrix(G, pathway, today=today, stale_days=stale, context=context))


def departure(G: nx.Graph, actor: str) -> dict[str, Any]:
    """What breaks without ``actor`` (:func:`graph.analysis.whatif.remove_actor`), today, cached."""
    today = date.today()
    stale = int(current_app.config.get("STALE_DAYS") or STALE_DAYS)
    return memo(("whatif", actor, today.isoformat(), stale),
                lambda: remove_actor(G, actor, today=today, stale_days=stale))


def actor_url(actor: str) -> str:
    """The actor's page: the app's ``/acteur(s)/<id>`` route when one is registered, else ``/acteurs/<id>``."""
    cache = app_cache()
    if "actor_rule" not in cache:
        cache["actor_rule"] = None
        for rule in current_app.url_map.iter_rules():
            if re.fullmatch(r"/acteurs?/<(?:[a-z]+:)?[a-z_]+>", rule.rule) and len(rule.arguments) == 1:
                cache["actor_rule"] = (rule.endpoint, next(iter(rule.arguments)))
                break
    if cache["actor_rule"]:
        endpoint, arg = cache["actor_rule"]
        return url_for(endpoint, **{arg: actor})
    return "/acteurs/" + quote(actor, safe="")


def csv_response(filename: str, columns: list[str], rows: Iterable[Iterable[Any]]) -> Response:
    """A CSV download (UTF-8 with BOM, ``;`` as French spreadsheets expect)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(columns)
    for row in rows:
        w.writerow(["oui" if v is True else "non" if v is False else "" if v is None else
                    ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v for v in row])
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def what(attrs: dict[str, Any]) -> str:
    """An actor's profession (specialty when known) or structure category, in French as the sources say."""
    if attrs.get("kind") == "Professional":
        return (attrs.get("specialty_label") or attrs.get("profession_label")
                or f"profession {attrs.get('profession_code') or '?'}")
    return attrs.get("category_label") or KIND_FR.get(attrs.get("kind"), "")


def commune_name(G: nx.Graph, code: str) -> str:
    """A commune's name (its code when unknown)."""
    return ((G.graph.get("communes") or {}).get(code) or {}).get("name") or code


def stage_name(G: nx.Graph, stage: str) -> str:
    """A stage's name, prefixed with its pathway's name."""
    st = (G.graph.get("stages") or {}).get(stage)
    if not st:
        return stage
    pw = (G.graph.get("pathways") or {}).get(st["pathway"]) or {}
    return f"{pw.get('name', st['pathway'])} — {st['name']}"


# --- selection ----------------------------------------------------------------


class Selection:
    """The actors chosen by the page's filters, the filter values, and a French error when one is wrong."""

    def __init__(self, G: nx.Graph, args: Any) -> None:
        self.pathway = (args.get("parcours") or "").strip()
        self.stage = (args.get("etape") or "").strip()
        self.profession = (args.get("profession") or "").strip()
        self.commune = (args.get("commune") or "").strip()
        self.scope = args.get("portee") if args.get("portee") in ("territoire", "tout") else "territoire"
        self.error: str | None = None
        self.status = 200
        territory = G.graph.get("territory_communes")
        nodes = set(actor_nodes(G, territory)) if self.scope == "territoire" and territory else set(G.nodes)
        if self.stage:
            st = (G.graph.get("stages") or {}).get(self.stage)
            if st is None:
                self.fail(f"L'étape « {self.stage} » n'existe pas.")
            else:
                self.pathway = self.pathway or st["pathway"]
                if st["pathway"] != self.pathway:
                    self.fail(f"L'étape « {st['name']} » n'appartient pas au parcours « {self.pathway} ».")
                nodes &= {n for n in nodes if self.stage in (G.nodes[n].get("stages") or ())}
        if self.pathway and not self.error:
            if self.pathway not in (G.graph.get("pathways") or {}):
                self.fail(f"Le parcours « {self.pathway} » n'existe pas.")
            else:
                nodes &= set(pathway_actors(G, self.pathway))
        if self.profession:
            kind, _, code = self.profession.partition(":")
            field = {"p": "profession_code", "c": "category_code"}.get(kind)
            if field is None or not code:
                self.fail(f"Le filtre de profession « {self.profession} » n'est pas reconnu.", 400)
            else:
                nodes = {n for n in nodes if G.nodes[n].get(field) == code}
        if self.commune:
            if self.commune not in (G.graph.get("communes") or {}):
                self.fail(f"La commune « {self.commune} » n'est pas dans le graphe.")
            else:
                nodes = {n for n in nodes if self.commune in (G.nodes[n].get("communes") or ())
                         or self.commune in (G.nodes[n].get("intervenes") or ())}
        self.nodes = set() if self.error else nodes

    def fail(self, message: str, status: int = 404) -> None:
        """Record the first error."""
        if self.error is None:
            self.error, self.status = message, status

    def params(self, **override: str) -> dict[str, str]:
        """The filter values as query parameters (empty ones left out)."""
        values = {"parcours": self.pathway, "etape": self.stage, "profession": self.profession,
                  "commune": self.commune, "portee": "tout" if self.scope == "tout" else ""}
        values.update(override)
        return {k: v for k, v in values.items() if v}

    @property
    def active(self) -> bool:
        """True when at least one filter is set (the territory scope is the default, not a filter)."""
        return bool(self.params())


def select_actors(G: nx.Graph, args: Any) -> Selection:
    """Apply the page's filters (``parcours``, ``etape``, ``profession``, ``commune``) to the graph."""
    return Selection(G, args)


def _choices(G: nx.Graph) -> dict[str, Any]:
    """Values offered by the filter form."""
    professions: dict[str, str] = {}
    for _n, d in G.nodes(data=True):
        if d.get("kind") == "Professional" and d.get("profession_code"):
            professions.setdefault("p:" + d["profession_code"], d.get("profession_label") or d["profession_code"])
        elif d.get("category_code"):
            professions.setdefault("c:" + d["category_code"], "Structure : " + (d.get("category_label")
                                                                              or d["category_code"]))
    used = {c for _n, d in G.nodes(data=True) for c in d.get("communes") or ()}
    communes = sorted(((c, commune_name(G, c)) for c in used), key=lambda x: x[1])
    pathways = [(p, v.get("name") or p, [(s, G.graph["stages"][s]["name"]) for s in v["stages"]])
                for p, v in sorted((G.graph.get("pathways") or {}).items())]
    return {"professions": sorted(professions.items(), key=lambda x: (x[0][0] == "c", x[1])),
            "communes": communes, "pathways": pathways}


def _failure_points(G: nx.Graph, sel: Selection) -> tuple[set[str], set[tuple[str, str]]]:
    """Articulation points and bridges: of the chosen pathway's subgraph, else of the whole graph."""
    def compute() -> tuple[set[str], set[tuple[str, str]]]:
        H = pathway_subgraph(G, sel.pathway) if sel.pathway else collaboration_graph(G)
        return set(nx.articulation_points(H)), {tuple(sorted(e)) for e in nx.bridges(H)}
    return memo(("failure_points", sel.pathway), compute)


# --- pyvis --------------------------------------------------------------------


def _network(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], options: dict[str, Any]) -> str:
    """pyvis's HTML for these nodes and edges, rendered with our offline template."""
    from pyvis.edge import Edge
    from pyvis.network import Network

    net = Network(height="100%", width="100%", bgcolor="#ffffff", cdn_resources="remote")
    net.set_template_dir(str(Path(current_app.root_path) / "templates") + "/", "network_graph.html")
    net.templateEnv.globals["vendor"] = url_for("static", filename="vendor/vis-network/vis-network.min.js")
    net.templateEnv.globals["stylesheet"] = url_for("static", filename="network.css")
    for n in nodes:
        net.add_node(n.pop("id"), **n)
    for e in edges:  # pairs are already unique: skip pyvis's quadratic duplicate check
        net.edges.append(Edge(e.pop("from"), e.pop("to"), False, **e).options)
    net.options = options
    return net.generate_html(name="reseau.html")


def _tooltip(G: nx.Graph, n: str, degree: int, isolated: bool, spof: bool) -> str:
    """The plain-text tooltip of an actor (vis-network shows text, never HTML)."""
    d = G.nodes[n]
    lines = [d.get("label") or n, f"{what(d)} — {KIND_FR.get(d.get('kind'), '')}"]
    if d.get("communes"):
        lines.append("Exerce à : " + ", ".join(commune_name(G, c) for c in d["communes"]))
    lines.append("Adhérent de la CPTS" if d.get("member") else "Non adhérent")
    if d.get("stages"):
        lines.append("Étapes : " + "; ".join(stage_name(G, s) for s in d["stages"]))
    lines.append(f"{degree} acteur(s) relié(s)")
    if isolated:
        lines.append("ISOLÉ : aucun lien déclaré")
    if spof:
        lines.append("POINT DE RUPTURE : son départ couperait le réseau")
    return "\n".join(lines)


def _actor_view(G: nx.Graph, sel: Selection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One vis node per actor, one edge per linked pair, with the marks."""
    H = collaboration_graph(G)
    iso = set(memo(("isolated",), lambda: isolated_actors(G)))
    points, bridges = _failure_points(G, sel)
    nodes = []
    for n in sorted(sel.nodes):
        d = H.nodes[n]
        degree = H.degree(n)
        kind = d.get("kind", "Professional")
        node = {"id": n, "label": d.get("label") or n, "title": _tooltip(G, n, degree, n in iso, n in points),
                "color": {"background": KIND_COLOURS.get(kind, "#667085"), "border": KIND_COLOURS.get(kind)},
                "shape": KIND_SHAPES.get(kind, "dot"), "size": round(8 + 4 * math.sqrt(degree), 1),
                "borderWidth": 1, "url": actor_url(n), "kind": kind, "isolated": n in iso, "spof": n in points}
        if n in iso:
            node.update(borderWidth=4, color={"background": KIND_COLOURS.get(kind), "border": ISOLATED_BORDER},
                        shapeProperties={"borderDashes": [4, 3]})
        elif n in points:
            node.update(borderWidth=5, color={"background": KIND_COLOURS.get(kind), "border": SPOF_BORDER})
        nodes.append(node)
    edges = []
    for u, v, data in induced_collaboration(G, sel.nodes).edges(data=True):
        kinds = data.get("kinds") or []
        strongest = next((k for k in EDGE_STYLE if k in kinds), "works_at")
        style = dict(EDGE_STYLE[strongest])
        names = []
        for _k, e in (G.get_edge_data(u, v) or {}).items():
            if e.get("kind") == "partnership":
                names.append(f"{e.get('partnership_kind') or 'partenariat'} : {e.get('name') or e.get('partnership')}")
        title = "\n".join([f"{G.nodes[u].get('label')} — {G.nodes[v].get('label')}"]
                          + [EDGE_FR.get(k, k) for k in kinds] + names)
        bridge = tuple(sorted((u, v))) in bridges
        if bridge:
            style.update(color=BRIDGE_COLOUR, width=4)
            title += "\nPONT : seul lien entre deux parties du réseau"
        edges.append({"from": u, "to": v, "title": title, "bridge": bridge, **style})
    return nodes, edges


def _aggregate_view(G: nx.Graph, sel: Selection) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """Actors grouped by commune (or by profession inside a chosen commune): one node per group."""
    iso = set(memo(("isolated",), lambda: isolated_actors(G)))
    points, _bridges = _failure_points(G, sel)
    by = "profession" if sel.commune else "commune"
    group_of: dict[str, str] = {}
    labels: dict[str, str] = {}
    for n in sel.nodes:
        d = G.nodes[n]
        if by == "commune":
            key = (d.get("communes") or d.get("intervenes") or ["?"])[0]
            labels[key] = commune_name(G, key)
        else:
            key = ("p:" + (d.get("profession_code") or "?")) if d.get("kind") == "Professional" else \
                ("c:" + (d.get("category_code") or "?"))
            labels[key] = what(d) if d.get("kind") != "Professional" else (d.get("profession_label") or key)
        group_of[n] = key
    members: dict[str, list[str]] = {}
    for n, key in group_of.items():
        members.setdefault(key, []).append(n)
    nodes = []
    for key, ns in sorted(members.items(), key=lambda kv: labels[kv[0]]):
        n_iso = sum(1 for n in ns if n in iso)
        n_spof = sum(1 for n in ns if n in points)
        share = n_iso / len(ns)
        colour = next(c for limit, c in GROUP_COLOURS if share <= limit)
        params = sel.params(**({"commune": key} if by == "commune" else {"profession": key}))
        nodes.append({"id": "g:" + key, "label": f"{labels[key]} ({len(ns)})", "shape": "dot",
                      "size": round(10 + 3 * math.sqrt(len(ns)), 1),
                      "title": f"{labels[key]}\n{len(ns)} acteur(s)\n{n_iso} isolé(s) ({share:.0%})"
                               f"\n{n_spof} point(s) de rupture\nCliquer pour voir les acteurs",
                      "color": {"background": colour, "border": SPOF_BORDER if n_spof else "#475467"},
                      "borderWidth": 3 if n_spof else 1, "url": url_for("network.page") + "?" + urlencode(params),
                      "kind": "group", "isolated": n_iso, "spof": n_spof})
    weights: dict[tuple[str, str], int] = {}
    for u, v in induced_collaboration(G, sel.nodes).edges():
        a, b = sorted((group_of[u], group_of[v]))
        if a != b:
            weights[(a, b)] = weights.get((a, b), 0) + 1
    edges = [{"from": "g:" + a, "to": "g:" + b, "title": f"{w} lien(s) entre {labels[a]} et {labels[b]}",
              "width": round(1 + math.log2(w), 1), "color": "#98a2b3"} for (a, b), w in sorted(weights.items())]
    return nodes, edges, by


def _options(n_nodes: int) -> dict[str, Any]:
    """vis-network options: stabilise, then freeze; tooltips as text; no navigation buttons needed."""
    return {
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False, "keyboard": False},
        "physics": {"enabled": True, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 90, "avoidOverlap": 0.3},
                    "stabilization": {"enabled": True, "iterations": 250 if n_nodes < 150 else 150, "fit": True}},
        "nodes": {"font": {"size": 12, "face": "system-ui, sans-serif"}},
        "edges": {"smooth": False},
    }


def _build(G: nx.Graph, sel: Selection, view: str) -> dict[str, Any]:
    """The drawing of a selection: the actors, or an aggregate when there are too many."""
    aggregate = view == "groupes" or (view != "acteurs" and len(sel.nodes) > MAX_ACTORS)
    if aggregate:
        nodes, edges, by = _aggregate_view(G, sel)
    else:
        nodes, edges = _actor_view(G, sel)
        by = None
    return {"nodes": nodes, "edges": edges, "aggregate_by": by}


@bp.route("/reseau")
def page():
    """The network page: filters, legend, figures, and the drawing in a frame."""
    G = get_graph()
    if G.number_of_nodes() == 0:
        return render_template("network.html", title="Réseau du territoire", empty=True, sel=None, choices=None), 200
    sel = select_actors(G, request.args)
    view = request.args.get("vue", "auto")
    H = collaboration_graph(G)
    drawing = figures = None
    if not sel.error and sel.nodes:
        drawing = _build(G, sel, view)
        iso = set(memo(("isolated",), lambda: isolated_actors(G)))
        points, bridges = _failure_points(G, sel)
        figures = {"actors": len(sel.nodes), "links": induced_collaboration(G, sel.nodes).number_of_edges(),
                   "isolated": len(iso & sel.nodes), "spof": len(points & sel.nodes),
                   "bridges": sum(1 for u, v in bridges if u in sel.nodes and v in sel.nodes)}
    query = urlencode({**sel.params(), **({"vue": view} if view != "auto" else {})})
    return render_template(
        "network.html", title="Réseau du territoire", empty=False, sel=sel, choices=_choices(G), drawing=drawing,
        figures=figures, no_links=H.number_of_edges() == 0, max_actors=MAX_ACTORS, view=view,
        frame_url=url_for("network.graph") + ("?" + query if query else ""),
    ), sel.status


@bp.route("/reseau/graphe.html")
def graph():
    """The pyvis drawing alone (shown in the network page's frame)."""
    G = get_graph()
    sel = select_actors(G, request.args)
    if G.number_of_nodes() == 0 or sel.error or not sel.nodes:
        message = ("Le graphe est vide : chargez un territoire (maillage load --demo)." if G.number_of_nodes() == 0
                   else sel.error or "Aucun acteur ne correspond à ces filtres.")
        return render_template("error.html", title="Réseau", message=message, status=404), 404
    drawing = _build(G, sel, request.args.get("vue", "auto"))
    html = _network(drawing["nodes"], drawing["edges"], _options(len(drawing["nodes"])))
    return Response(html, mimetype="text/html")
