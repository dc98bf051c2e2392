"""The viewer's answers as JSON: match, actors, pathways, commune suggestions.

- ``GET /api/match?pathway=&stage=&commune=&home_visit=&radius_km=&profession=&limit=&stale_days=&today=``
  the same answer as ``maillage match --format json``;
- ``GET /api/actors/<id>`` one professional or structure;
- ``GET /api/pathways`` and ``GET /api/pathways/<id>`` the pathways, their stages and roles;
- ``GET /api/communes?q=`` commune suggestions (name, postal code or INSEE code).

Every error has one shape, ``{"ok": false, "error": <French message>, "status": <code>}``;
an unknown pathway or stage, or an unknown or ambiguous commune, adds ``choices``.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request

from graph.matching import MatchInputError
from web.actors import get_actor
from web.search import answer_args, current_match_data

__all__ = ["bp", "input_error"]

bp = Blueprint("api", __name__, url_prefix="/api")

_MAX_QUERY = 100
_MAX_SUGGESTIONS = 20


def input_error(err: MatchInputError):
    """A 400 in the error shape, with the choices when the input was ambiguous."""
    body: dict[str, Any] = {"ok": False, "error": err.message_fr, "status": 400}
    if err.choices:
        body["choices"] = err.choices
    return jsonify(body), 400


@bp.route("/match")
def api_match():
    """Who can take a patient of this commune at this stage (see :func:`graph.matching.match`)."""
    try:
        return jsonify(answer_args(request.args))
    except MatchInputError as err:
        return input_error(err)


@bp.route("/actors/<actor_id>")
def api_actor(actor_id: str):
    """One actor: identity, activities, memberships, participations, partnerships.

    :raise 404: no professional or structure has this id.
    """
    return jsonify({"ok": True, "actor": get_actor(actor_id)})


@bp.route("/pathways")
def api_pathways():
    """Every pathway with its stages (ids ``<pathway>.<key>``), fiches and roles."""
    data = current_match_data()
    return jsonify({"ok": True, "pathways": [p.to_dict() for p in data.catalog.values()]})


@bp.route("/pathways/<pathway_id>")
def api_pathway(pathway_id: str):
    """One pathway.

    :raise 404: no pathway has this id.
    """
    info = current_match_data().catalog.get(pathway_id)
    if info is None:
        abort(404, f"Parcours inconnu : « {pathway_id} ».")
    return jsonify({"ok": True, "pathway": info.to_dict()})


@bp.route("/communes")
def api_communes():
    """Communes matching the text typed so far (``q``), most populated first."""
    q = (request.args.get("q") or "").strip()
    if len(q) > _MAX_QUERY:
        return jsonify({"ok": False, "error": f"Texte trop long (plus de {_MAX_QUERY} caractères).",
                        "status": 400}), 400
    index = current_match_data().index
    if q.isdigit() and len(q) < 5:  # the start of a postal code or an INSEE code
        found = sorted((c for c in index.by_code.values()
                        if c.id.startswith(q) or any(p.startswith(q) for p in c.postal_codes)),
                       key=lambda c: (-(c.population or 0), c.name))
    else:
        found = index.search(q, limit=_MAX_SUGGESTIONS) if q else []
    return jsonify({"ok": True, "communes": [
        {"id": c.id, "name": c.name, "postal_codes": list(c.postal_codes), "department": c.department,
         "label": f"{c.name} ({c.id})"} for c in found[:_MAX_SUGGESTIONS]]})
