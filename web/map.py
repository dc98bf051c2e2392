"""The coverage map (/carte): communes coloured by the coverage of a chosen pathway stage, actors as markers.

A commune is drawn as a circle at its INSEE point, its area growing with its
population (commune shapes are not available offline); its colour is the
stage's status there (:func:`graph.analysis.coverage.stage_status`): red when a
required role has no available actor (a rupture), orange when one has a single
actor, green otherwise. Markers are the actors available for the stage in at
least one commune of the territory, at their structure's point or, for a
professional, near their practice commune's point. The page uses the vendored
Leaflet (no CDN, no tile server: the background is blank unless ``MAP_TILES``
names a tile URL the users can reach).
"""
from __future__ import annotations

import hashlib
import math
from typing import Any

import networkx as nx
from flask import Blueprint, current_app, render_template, request, url_for

from graph.analysis.coverage import CoverageCell, fits_role, stage_status
from web.network import actor_url, commune_name, coverage, csv_response, get_graph, what

__all__ = ["bp", "MAX_MARKERS", "map_data"]

bp = Blueprint("map", __name__)

#: at most this many actor markers are drawn (the rest are counted)
MAX_MARKERS = 2000

BASES = {"disponibles": "available", "engages": "engaged"}


def _jitter(actor: str) -> tuple[float, float]:
    """A small, stable offset (about 300 m) so that actors of one commune do not hide each other."""
    h = int(hashlib.sha1(actor.encode()).hexdigest()[:8], 16)
    angle, r = (h % 360) * math.pi / 180, 0.0012 + (h >> 9) % 100 * 0.00002
    return r * math.sin(angle), r * math.cos(angle) * 1.5


def _position(G: nx.Graph, actor: str, zone: set[str]) -> tuple[float, float] | None:
    """Where to draw an actor: its structure's point, else its practice commune's point (in the zone first)."""
    d = G.nodes[actor]
    if d.get("lat") is not None and d.get("lon") is not None:
        return d["lat"], d["lon"]
    communes = G.graph.get("communes") or {}
    places = sorted(d.get("communes") or (), key=lambda c: (c not in zone, c))
    for c in places + sorted(d.get("intervenes") or ()):
        info = communes.get(c) or {}
        if info.get("lat") is not None and info.get("lon") is not None:
            dy, dx = _jitter(actor)
            return info["lat"] + dy, info["lon"] + dx
    return None


def map_data(G: nx.Graph, pathway: str, stage: str, basis: str, cells: list[CoverageCell]) -> dict[str, Any]:
    """The communes (status, roles) and actors (position, kind) of one stage, ready for the map script."""
    stage_cells = [c for c in cells if c.stage == stage]
    status = stage_status(stage_cells, basis)
    info = G.graph.get("communes") or {}
    roles = G.graph["stages"][stage]["roles"]
    communes, unplaced = [], []
    for code in sorted({c.commune for c in stage_cells}):
        c = info.get(code) or {}
        row = {"code": code, "name": c.get("name") or code, "population": c.get("population") or 0,
               "lat": c.get("lat"), "lon": c.get("lon"), "status": status.get((stage, code), 0),
               "roles": [{"label": cell.role_label, "optional": cell.optional, "n": cell.count(basis),
                          "aside": len(cell.set_aside)} for cell in stage_cells if cell.commune == code]}
        (communes if row["lat"] is not None and row["lon"] is not None else unplaced).append(row)
    counted = {n for cell in stage_cells for n in (cell.engaged if basis == "engaged" else cell.available)}
    zone = {c.commune for c in stage_cells}
    actors, hidden = [], 0
    for n in sorted(counted, key=lambda n: (G.nodes[n].get("label") or n, n)):
        pos = _position(G, n, zone)
        if pos is None or len(actors) >= MAX_MARKERS:
            hidden += 1
            continue
        d = G.nodes[n]
        actors.append({"id": n, "label": d.get("label") or n, "what": what(d), "kind": d.get("kind"),
                       "lat": round(pos[0], 6), "lon": round(pos[1], 6), "url": actor_url(n),
                       "engaged": stage in (d.get("stages") or ()), "member": bool(d.get("member")),
                       "roles": [r["label"] for r in roles if fits_role(d, r)]})
    return {"communes": communes, "unplaced": unplaced, "actors": actors, "hidden": hidden,
            "tiles": current_app.config.get("MAP_TILES") or None}


def _parse(G: nx.Graph) -> tuple[str, str, str, str | None]:
    """The pathway, stage and basis asked for (defaults: first pathway, its first stage), and an error."""
    pathways = G.graph.get("pathways") or {}
    pathway = (request.args.get("parcours") or "").strip()
    stage = (request.args.get("etape") or "").strip()
    basis = request.args.get("base") or "disponibles"
    if basis not in BASES:
        return pathway, stage, "disponibles", f"La base « {basis} » n'est pas reconnue (disponibles ou engages)."
    if not pathway and stage:
        pathway = stage.split(".", 1)[0]
    if not pathway:
        pathway = "ic" if "ic" in pathways else min(pathways)
    if pathway not in pathways:
        return pathway, stage, basis, f"Le parcours « {pathway} » n'existe pas."
    if not stage:
        stage = pathways[pathway]["stages"][0] if pathways[pathway]["stages"] else ""
    if stage not in pathways[pathway]["stages"]:
        return pathway, stage, basis, f"L'étape « {stage} » n'existe pas dans le parcours « {pathway} »."
    return pathway, stage, basis, None


@bp.route("/carte")
def page():
    """The map of a stage's coverage over the territory's communes."""
    G = get_graph()
    if G.number_of_nodes() == 0 or not G.graph.get("pathways"):
        message = ("Le graphe est vide : chargez un territoire (maillage load --demo)." if G.number_of_nodes() == 0
                   else "Aucun parcours n'est chargé : la carte de couverture a besoin des parcours.")
        return render_template("map.html", title="Carte de couverture", error=message, choices=None), 200
    pathway, stage, basis, error = _parse(G)
    pathways = [(p, v.get("name") or p, [(s, G.graph["stages"][s]["name"]) for s in v["stages"]])
                for p, v in sorted(G.graph["pathways"].items())]
    ctx: dict[str, Any] = {"title": "Carte de couverture", "choices": pathways, "pathway": pathway, "stage": stage,
                           "basis": basis, "error": error}
    if error:
        return render_template("map.html", **ctx), 404 if "n'existe pas" in error else 400
    cells = coverage(G, pathway)
    data = map_data(G, pathway, stage, BASES[basis], cells)
    if not data["communes"] and not data["unplaced"]:
        ctx["error"] = "Le territoire n'a aucune commune : vérifiez le fichier du territoire."
        return render_template("map.html", **ctx), 200
    rows = sorted(data["communes"] + data["unplaced"], key=lambda r: (r["status"], -r["population"], r["name"]))
    ctx.update(data=data, rows=rows, stage_label=G.graph["stages"][stage]["name"],
               pathway_label=G.graph["pathways"][pathway].get("name") or pathway,
               counts={k: sum(1 for r in rows if (r["status"] >= 2 if k == 2 else r["status"] == k))
                       for k in (0, 1, 2)},
               csv_url=url_for("map.coverage_csv", parcours=pathway))
    return render_template("map.html", **ctx)


@bp.route("/carte/couverture.csv")
def coverage_csv():
    """The coverage matrix of a pathway as CSV (one row per stage × commune × role)."""
    G = get_graph()
    pathway = (request.args.get("parcours") or "").strip()
    if pathway not in (G.graph.get("pathways") or {}):
        from web.errors import error_response

        return error_response(f"Le parcours « {pathway} » n'existe pas." if pathway else
                              "Choisissez un parcours (paramètre parcours).", 404)
    cells = coverage(G, pathway)
    columns = ["parcours", "etape", "etape_nom", "commune", "commune_nom", "role", "role_libelle", "optionnel",
               "disponibles", "engages", "ecartes", "acteurs_disponibles"]
    rows = ([c.pathway, c.stage, G.graph["stages"][c.stage]["name"], c.commune, commune_name(G, c.commune), c.role,
             c.role_label, c.optional, len(c.available), len(c.engaged), len(c.set_aside), " ".join(c.available)]
            for c in cells)
    return csv_response(f"couverture-{pathway}.csv", columns, rows)
