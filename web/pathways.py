"""The pathway pages: the list of pathways, and one pathway with its stages in order.

Each stage shows its fiche (qui, quoi, quand, comment, partage d'information) and the
roles it requires, with a link to the search for that stage.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from graph.matching import MatchData, PathwayInfo
from web.search import current_match_data

__all__ = ["bp", "get_pathway", "role_codes"]

bp = Blueprint("pathways", __name__)


def get_pathway(pathway_id: str) -> PathwayInfo:
    """The pathway of this id.

    :raise 404: no pathway has this id.
    """
    info = current_match_data().catalog.get(pathway_id)
    if info is None:
        abort(404, f"Parcours inconnu : « {pathway_id} ».")
    return info


def role_codes(data: MatchData, info: PathwayInfo) -> dict[str, dict[str, list[str]]]:
    """Labels of each role's professions, specialties and categories, by role id."""
    out: dict[str, dict[str, list[str]]] = {}
    for stage in info.stages:
        for role in stage.roles:
            out[role.id or f"{stage.id}.{role.key}"] = {
                "professions": [data.label("TRE_G15", c) for c in role.professions],
                "specialties": [data.label("TRE_R38", c) for c in role.specialties],
                "categories": [data.label("FINESS_CAT", c) for c in role.categories],
            }
    return out


@bp.route("/parcours")
def pathways():
    """Every pathway of the graph."""
    data = current_match_data()
    return render_template("pathways.html", title="Parcours", pathways=list(data.catalog.values()))


@bp.route("/parcours/<pathway_id>")
def pathway(pathway_id: str):
    """One pathway, its stages in order."""
    info = get_pathway(pathway_id)
    data = current_match_data()
    labels: dict[str, Any] = role_codes(data, info)
    return render_template("pathway.html", title=info.name, pathway=info, labels=labels,
                           stage_names={s.id: s.name for s in info.stages})
