"""The page of one actor (a professional or a structure): who, where, with whom, in which pathways.

``/acteurs/<id>`` shows identity, activities (or site), CPTS memberships with their
flags, the pathway stages it takes part in, its intervention zone, its
partnerships, the pathways it is référent of, and where the data come from
(source file and line, last-verified date). ``/api/actors/<id>`` (web/api.py)
returns the same dict as JSON.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from flask import Blueprint, abort, render_template

from graph.matching import load_match_query
from web.search import current_match_data
from web.store import get_store

__all__ = ["bp", "get_actor", "actor_profile"]

bp = Blueprint("actors", __name__)

_ID_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.:\-]{0,63}$")
_PARTNERSHIP_KINDS = {"convention": "Convention", "protocole_cooperation": "Protocole de coopération",
                      "informel": "Informel"}


def _present(items: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Entries of a collected list that are real (OPTIONAL MATCH gives all-null maps)."""
    return [dict(i) for i in items or [] if i and i.get("id")]


def _name(node: Mapping[str, Any]) -> str:
    """Display name of a professional, structure or territory row."""
    if node.get("name"):
        return str(node["name"])
    return " ".join(str(x) for x in (node.get("first_name"), node.get("last_name")) if x) or str(node.get("id"))


def actor_profile(store: Any, actor_id: str) -> dict[str, Any] | None:
    """Everything the actor page shows about ``actor_id``, or None when no actor has this id."""
    if not _ID_RE.match(actor_id or ""):
        return None
    for kind, query in (("professional", "match_actor_professional"), ("structure", "match_actor_structure")):
        rows = store.run(load_match_query(query), {"id": actor_id}).dicts()
        if rows:
            break
    else:
        return None
    row = rows[0]
    actor = dict(row["actor"])
    data = current_match_data()
    out: dict[str, Any] = {"id": actor["id"], "kind": kind, "name": _name(actor), "properties": actor}
    if kind == "professional":
        out["profession"] = actor.get("profession_label") or (
            data.label("TRE_G15", actor["profession_code"]) if actor.get("profession_code") else None)
        out["specialty"] = actor.get("specialty_label") or (
            data.label("TRE_R38", actor["specialty_code"]) if actor.get("specialty_code") else None)
        out["activities"] = sorted(_present(row.get("activities")), key=lambda a: (a.get("site_name") or "", a["id"]))
    else:
        out["category"] = actor.get("category_label") or (
            data.label("FINESS_CAT", actor["category_code"]) if actor.get("category_code") else None)
        out["registered_as"] = _present(row.get("registered_as"))
        out["professionals"] = sorted(({**p, "name": _name(p)} for p in _present(row.get("professionals"))),
                                      key=lambda p: (p["name"], p["id"]))
    out["memberships"] = _present(row.get("memberships"))
    out["participations"] = sorted(_present(row.get("participations")),
                                   key=lambda p: (p.get("pathway_name") or "", p.get("stage_order") or 0))
    out["interventions"] = sorted(_present(row.get("interventions")), key=lambda c: (c.get("name") or "", c["id"]))
    out["referent_of"] = sorted(_present(row.get("referent_of")), key=lambda p: p["id"])
    partnerships = []
    for p in _present(row.get("partnerships")):
        p["others"] = sorted(({"id": o["id"], "name": _name(o), "label": o.get("label")}
                              for o in _present(p.get("others"))), key=lambda o: (o["name"], o["id"]))
        p["pathways"] = sorted(_present(p.get("pathways")), key=lambda x: x["id"])
        p["kind_label"] = _PARTNERSHIP_KINDS.get(p.get("kind") or "", p.get("kind"))
        partnerships.append(p)
    out["partnerships"] = sorted(partnerships, key=lambda p: (p.get("name") or "", p["id"]))
    verified = [m.get("last_verified") for m in out["memberships"] + out["participations"] if m.get("last_verified")]
    out["last_verified"] = max(verified) if verified else None
    out["source"] = {"file": actor.get("source"), "line": actor.get("source_line"),
                     "updated": actor.get("updated"), "synthetic": bool(actor.get("synthetic"))}
    return out


def get_actor(actor_id: str) -> dict[str, Any]:
    """The profile of an actor of the app's store.

    :raise 404: no professional or structure has this id.
    """
    profile = actor_profile(get_store(), actor_id)
    if profile is None:
        abort(404, f"Aucun professionnel ni aucune structure n'a l'identifiant « {actor_id} ».")
    return profile


@bp.route("/acteurs/<actor_id>")
def actor(actor_id: str):
    """The page of one actor."""
    profile = get_actor(actor_id)
    return render_template("actor.html", title=profile["name"], actor=profile)
