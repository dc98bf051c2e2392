"""Isolated actors (/isoles), points of failure (/points-de-rupture) and the what-if form (/simulation).

The lists of :mod:`graph.analysis` in French, each with a CSV download. The
graph's links are declared links (partnerships, shared sites, pathway
hand-offs), not observed patient sharing: the pages say so.
"""
from __future__ import annotations

from typing import Any, Callable

import networkx as nx
from flask import Blueprint, render_template, request, url_for

from graph.analysis.communities import joining_links, silos
from graph.analysis.engagement import engagement_targets
from graph.analysis.isolation import (actor_groups, isolated_actors, isolation_summary, network_summary,
                                      outside_main_component)
from graph.analysis.projection import collaboration_graph
from graph.analysis.spof import articulation_report, pathway_spof
from loaders.cleaning import normalize_name
from web.network import (EDGE_FR, KIND_FR, actor_url, commune_name, coverage, csv_response, departure, get_graph,
                         memo, stage_name, what)

__all__ = ["bp", "actor_row", "find_actors"]

bp = Blueprint("isolated", __name__)

STATUS_FR = {"isolated": "isolé", "outside_main": "hors de la composante principale"}
HANDOFF_FR = {"ok": "relié", "fragile": "un seul lien", "rupture": "aucun lien", "empty": "étape sans participant"}
BASES = {"disponibles": "available", "engages": "engaged"}

#: rows shown in each list of the isolated-actors page (the CSV has them all)
LIST_LIMIT = 100


def actor_row(G: nx.Graph, n: str) -> dict[str, Any]:
    """What the pages show of an actor: id, name, link, kind, profession, communes, membership."""
    d = G.nodes[n]
    return {"id": n, "label": d.get("label") or n, "url": actor_url(n), "kind": KIND_FR.get(d.get("kind"), ""),
            "what": what(d), "communes": ", ".join(commune_name(G, c) for c in d.get("communes") or ()),
            "member": bool(d.get("member")), "synthetic": bool(d.get("synthetic"))}


def _scope(G: nx.Graph) -> tuple[str, list[str] | None]:
    """The ``portee`` argument: ``territoire`` (the CPTS's communes, when known) or ``tout``."""
    scope = request.args.get("portee") or "territoire"
    if scope not in ("territoire", "tout"):
        scope = "territoire"
    within = (G.graph.get("territory_communes") or None) if scope == "territoire" else None
    return scope, within


def _empty_page(template: str, title: str, **ctx: Any):
    """The page of an empty graph: a French message, no table."""
    return render_template(template, title=title, empty=True, **ctx)


def _list_filter(G: nx.Graph) -> tuple[dict[str, str], Callable[[str], bool], str | None]:
    """The list filters (``profession``: a profession or category label, ``commune``: an INSEE code)."""
    profession = (request.args.get("profession") or "").strip()
    commune = (request.args.get("commune") or "").strip()
    error = None
    if commune and commune not in (G.graph.get("communes") or {}):
        error, commune = f"La commune « {commune} » n'est pas dans le graphe.", ""

    def keep(n: str) -> bool:
        d = G.nodes[n]
        if profession and profession not in [k for k, _name in actor_groups(d, "profession")]:
            return False
        return not commune or commune in (d.get("communes") or ())

    return {k: v for k, v in (("profession", profession), ("commune", commune)) if v}, keep, error


@bp.route("/isoles")
def page():
    """Isolated actors, actors outside the main component, counts by profession and commune, silos."""
    G = get_graph()
    if G.number_of_nodes() == 0:
        return _empty_page("isolated.html", "Acteurs isolés")
    scope, within = _scope(G)
    filters, keep, error = _list_filter(G)
    summary = memo(("summary", scope), lambda: network_summary(G, within=within))
    iso = [actor_row(G, n) for n in memo(("isolated", scope), lambda: isolated_actors(G, within=within)) if keep(n)]
    outside = [r for r in memo(("outside", scope), lambda: outside_main_component(G, within=within))
               if keep(r["actor"])]
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in outside[:LIST_LIMIT]:
        groups.setdefault(r["component"], []).append({**actor_row(G, r["actor"]), "size": r["size"]})
    comms = memo(("silos", scope), lambda: silos(G, within=within))
    links = memo(("joining", scope), lambda: joining_links(G, comms))
    by_profession = memo(("by", "profession", scope), lambda: isolation_summary(G, "profession", within=within))
    by_commune = memo(("by", "commune", scope), lambda: isolation_summary(G, "commune", within=within))
    filter_label = ", ".join(([filters["profession"]] if "profession" in filters else [])
                             + ([commune_name(G, filters["commune"])] if "commune" in filters else []))
    return render_template(
        "isolated.html", title="Acteurs isolés", empty=False, scope=scope, has_territory=bool(
            G.graph.get("territory_communes")), summary=summary, isolated=iso[:LIST_LIMIT], n_isolated=len(iso),
        groups=sorted(groups.items()), n_outside=len(outside), limit=LIST_LIMIT, filters=filters,
        filter_label=filter_label, error=error, by_profession=by_profession[:20], by_commune=by_commune[:20],
        silos=comms[:12], links=[j for j in links if j["suggestions"]][:8], actor=lambda n: actor_row(G, n),
        csv_url=url_for("isolated.page_csv", portee=scope, **filters)), 404 if error else 200


@bp.route("/isoles.csv")
def page_csv():
    """Isolated actors and actors outside the main component, as CSV (same filters as the page)."""
    G = get_graph()
    scope, within = _scope(G)
    _filters, keep, _error = _list_filter(G)
    rows = [("isolated", n, None, 1) for n in isolated_actors(G, within=within) if keep(n)]
    rows += [("outside_main", r["actor"], r["component"], r["size"])
             for r in outside_main_component(G, within=within) if keep(r["actor"])]
    columns = ["statut", "identifiant", "nom", "type", "profession_ou_categorie", "communes", "adherent", "groupe",
               "taille_groupe"]
    out = []
    for status, n, group, size in rows:
        a = actor_row(G, n)
        out.append([STATUS_FR[status], n, a["label"], a["kind"], a["what"], a["communes"], a["member"], group, size])
    return csv_response(f"acteurs-isoles-{scope}.csv", columns, out)


def _pathway_arg(G: nx.Graph) -> tuple[str, str, str | None]:
    """The ``parcours`` and ``base`` arguments (defaults: ic or the first pathway, disponibles) and an error."""
    pathways = G.graph.get("pathways") or {}
    pathway = (request.args.get("parcours") or "").strip() or ("ic" if "ic" in pathways else min(pathways))
    basis = request.args.get("base") or "disponibles"
    if basis not in BASES:
        return pathway, "disponibles", f"La base « {basis} » n'est pas reconnue (disponibles ou engages)."
    if pathway not in pathways:
        return pathway, basis, f"Le parcours « {pathway} » n'existe pas."
    return pathway, basis, None


def _spof(G: nx.Graph, pathway: str, basis: str) -> dict[str, Any]:
    """The points-of-failure report of a pathway, on the cached coverage matrix."""
    cells = coverage(G, pathway)
    return memo(("spof", pathway, basis, id(cells)), lambda: pathway_spof(G, pathway, basis=BASES[basis], cells=cells))


@bp.route("/points-de-rupture")
def spof():
    """A pathway's points of failure, ruptures, fragile hand-offs and the professionals to engage."""
    G = get_graph()
    if G.number_of_nodes() == 0 or not G.graph.get("pathways"):
        return _empty_page("spof.html", "Points de rupture", no_pathway=G.number_of_nodes() > 0)
    pathway, basis, error = _pathway_arg(G)
    choices = [(p, v.get("name") or p) for p, v in sorted(G.graph["pathways"].items())]
    if error:
        return render_template("spof.html", title="Points de rupture", empty=False, error=error, choices=choices,
                               pathway=pathway, basis=basis), 404 if "n'existe pas" in error else 400
    report = _spof(G, pathway, basis)
    cells = coverage(G, pathway)
    targets = memo(("engagement", pathway, id(cells)),
                   lambda: engagement_targets(G, pathways=[pathway], cells=cells))
    return render_template(
        "spof.html", title="Points de rupture", empty=False, error=None, choices=choices, pathway=pathway,
        basis=basis, report=report, targets=targets[:20], n_targets=len(targets), actor=lambda n: actor_row(G, n),
        stage_name=lambda s: stage_name(G, s), communes=lambda cs: ", ".join(commune_name(G, c) for c in cs),
        kinds=lambda ks: ", ".join(EDGE_FR.get(k, k) for k in ks), handoff_fr=HANDOFF_FR,
        csv_url=url_for("isolated.spof_csv", parcours=pathway, base=basis))


@bp.route("/points-de-rupture.csv")
def spof_csv():
    """A pathway's points of failure as CSV (one row per finding)."""
    G = get_graph()
    if not G.graph.get("pathways"):
        from web.errors import error_response

        return error_response("Aucun parcours n'est chargé.", 404)
    pathway, basis, error = _pathway_arg(G)
    if error:
        from web.errors import error_response

        return error_response(error, 404)
    r = _spof(G, pathway, basis)
    name = lambda n: G.nodes[n].get("label") if n in G else ""  # noqa: E731
    rows: list[list[Any]] = []
    for a in r["articulation_points"]:
        rows.append(["point d'articulation", "", "", a["actor"], name(a["actor"]), "", "", "", a["cut_off"]])
    for b in r["bridges"]:
        rows.append(["pont", "", ", ".join(b["kinds"]), b["u"], name(b["u"]), b["v"], name(b["v"]), "",
                     b["cut_off"]])
    for h in r["handoffs"]:
        rows.append([f"relais : {HANDOFF_FR[h['status']]}", f"{h['from_stage']} > {h['to_stage']}", "", "", "", "",
                     "", "", len(h["links"]) + len(h["shared"])])
    for s in r["single_actor"]:
        rows.append(["un seul acteur", s["stage"], s["role_label"], s["actor"], name(s["actor"]), "", "",
                     " ".join(s["communes"]), len(s["communes"])])
    for s in r["ruptures"]:
        rows.append(["rupture", s["stage"], s["role_label"], "", "", "", "", " ".join(s["communes"]),
                     len(s["communes"])])
    columns = ["type", "etape", "role_ou_liens", "acteur", "nom", "acteur_2", "nom_2", "communes", "impact"]
    return csv_response(f"points-de-rupture-{pathway}.csv", columns, rows)


def find_actors(G: nx.Graph, text: str, limit: int = 20) -> list[str]:
    """Actors whose id is ``text``, else whose name contains all of its words (accents and case ignored)."""
    text = (text or "").strip()
    if text in G:
        return [text]
    words = normalize_name(text).split()
    if not words:
        return []
    found = [n for n, d in G.nodes(data=True) if all(w in normalize_name(d.get("label") or "") for w in words)]
    found.sort(key=lambda n: (G.nodes[n].get("label") or "", n))
    return found[:limit + 1]


@bp.route("/simulation")
def whatif():
    """The what-if form: remove an actor and list the stages and communes that lose coverage."""
    G = get_graph()
    if G.number_of_nodes() == 0:
        return _empty_page("whatif.html", "Simuler un départ")
    query = (request.args.get("acteur") or "").strip()
    ctx: dict[str, Any] = {"title": "Simuler un départ", "empty": False, "query": query, "matches": [],
                           "result": None, "error": None, "actor": lambda n: actor_row(G, n),
                           "stage_name": lambda s: stage_name(G, s),
                           "communes": lambda cs: ", ".join(commune_name(G, c) for c in cs)}
    if not query:
        H = collaboration_graph(G)
        ctx["critical"] = memo(("critical",), lambda: articulation_report(H)[:10]) if H.number_of_edges() else []
        return render_template("whatif.html", **ctx)
    matches = find_actors(G, query)
    if not matches:
        ctx["error"] = f"Aucun acteur ne correspond à « {query} » (identifiant national, FINESS ou nom)."
        return render_template("whatif.html", **ctx), 404
    if len(matches) > 1:
        ctx["matches"] = [actor_row(G, n) for n in matches[:20]]
        ctx["more"] = len(matches) > 20
        return render_template("whatif.html", **ctx)
    chosen = matches[0]
    result = departure(G, chosen)
    lost_by_stage = [(s, cs) for s, cs in result["stages_lost"].items()]
    optional_lost = [x for x in result["lost"] if x["optional"]]
    engaged: dict[tuple[str, str], list[str]] = {}
    for x in result["lost_engaged"]:
        if not x["optional"]:
            engaged.setdefault((x["stage"], x["role_label"]), []).append(x["commune"])
    pathways = G.graph.get("pathways") or {}
    cut_by_pathway = [((pathways.get(pw) or {}).get("name") or pw, [actor_row(G, n) for n in ns])
                      for pw, ns in sorted(result["pathway_cut_off"].items())]
    ctx.update(result=result, chosen=actor_row(G, chosen), lost_by_stage=lost_by_stage, optional_lost=optional_lost,
               lost_engaged=sorted(engaged.items()), cut_by_pathway=cut_by_pathway,
               n_pathway_cut=len({n for ns in result["pathway_cut_off"].values() for n in ns}))
    return render_template("whatif.html", **ctx)
