"""« Qualité des données »: the SHACL checks of the graph, by rule, with links to the actors concerned.

``/qualite`` runs :func:`graph.validation.validate_store` (read-only) and lists
the findings grouped by rule: violations first, then warnings (data not
verified for more than N days, ``?jours=N``). Each row links to the fiche of
the actor concerned, ``/qualite/fiche/<label>/<id>``: its properties, its
relationships, its findings, and for a professional or a structure a link to
its actor page. ``/api/qualite`` returns the same report as JSON.

A report is computed once per graph state (node and relationship counts) and
settings, and kept in the app cache; ``?relancer=1`` runs the checks again.
"""
from __future__ import annotations

import json
import threading
from datetime import date
from functools import lru_cache
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from werkzeug.routing import BuildError

from graph.rdf import vocabulary
from graph.validation import DEFAULT_STALE_DAYS, LABELS_FR, Finding, ValidationReport, validate_store
from web.store import app_cache, get_store

__all__ = ["bp", "current_report", "node_fiche"]

bp = Blueprint("quality", __name__)

#: rows shown per rule before « … et N autres »
ROWS_PER_RULE = 200
_SEVERITY_FR = {"violation": "erreur", "warning": "avertissement", "info": "information"}
_LOCK = threading.Lock()


def _stale_days() -> int:
    """The ``jours`` argument (default: the app's STALE_DAYS setting).

    :raise 400: not a whole number of days between 0 and 3650.
    """
    default = int(current_app.config.get("STALE_DAYS") or DEFAULT_STALE_DAYS)
    raw = request.args.get("jours", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) > 3650:
        abort(400, f"« {raw} » n'est pas un nombre de jours valide (un entier entre 0 et 3650).")
    return int(raw)


def current_report(stale_days: int, refresh: bool = False) -> tuple[ValidationReport, dict[str, Any]]:
    """The validation report of the app's store (cached per graph state, day and setting) and its counts."""
    store = get_store()
    counts = store.counts()
    key = json.dumps([counts, stale_days, date.today().isoformat()], sort_keys=True)
    cache = app_cache()
    with _LOCK:
        entry = cache.get("quality")
        if refresh or entry is None or entry[0] != key:
            report = validate_store(store, stale_days=stale_days)
            entry = cache["quality"] = (key, report)
    return entry[1], counts


def _fiche_url(label: str | None, node_id: str | None) -> str | None:
    """The quality fiche of a node."""
    if not label or not node_id:
        return None
    return url_for("quality.fiche", label=label, node_id=node_id)


def _actor_page(label: str | None, node_id: str | None) -> str | None:
    """The actor page of a professional or a structure (web/actors.py), when the viewer has one."""
    if label not in ("Professional", "Structure") or not node_id:
        return None
    try:
        return url_for("actors.actor", actor_id=node_id)
    except BuildError:
        return None


def _row(f: Finding) -> dict[str, Any]:
    """A finding as the template shows it."""
    return {
        "actor_kind": LABELS_FR.get(f.actor_label or "", f.actor_label or "Élément"),
        "actor_id": f.actor_id, "actor_name": f.actor_name, "actor_url": _fiche_url(f.actor_label, f.actor_id),
        "node_kind": LABELS_FR.get(f.node_label or "", f.node_label or ""), "node_id": f.node_id,
        "node_url": _fiche_url(f.node_label, f.node_id),
        "same": (f.node_label, f.node_id) == (f.actor_label, f.actor_id),
        "value": f.value, "message": f.message, "path": f.path,
        "origin": (f"{f.source}, ligne {f.line}" if f.line else f.source) if f.source else None,
    }


@bp.route("/qualite")
def quality():
    """The findings of the SHACL checks, by rule."""
    stale_days = _stale_days()
    severity = request.args.get("gravite", "toutes")
    if severity not in ("toutes", "violation", "warning"):
        abort(400, f"Gravité inconnue : « {severity} » (toutes, violation ou warning).")
    report, counts = current_report(stale_days, refresh=request.args.get("relancer") == "1")
    groups = []
    for rule, label, sev, items in report.by_rule():
        if severity != "toutes" and sev != severity:
            continue
        groups.append({"rule": rule, "label": label, "severity": sev, "severity_fr": _SEVERITY_FR.get(sev, sev),
                       "count": len(items), "rows": [_row(f) for f in items[:ROWS_PER_RULE]],
                       "more": max(0, len(items) - ROWS_PER_RULE)})
    return render_template(
        "quality.html", title="Qualité des données", report=report, groups=groups, severity=severity,
        stale_days=stale_days, empty=not counts.get("nodes"),
    )


@bp.route("/api/qualite")
def quality_api():
    """The validation report as JSON."""
    report, _counts = current_report(_stale_days(), refresh=request.args.get("relancer") == "1")
    return jsonify({"ok": True, **report.to_dict()})


@lru_cache(maxsize=1)
def _french_labels() -> dict[str, str]:
    """French label of each property key and relationship type, from the ontology."""
    from rdflib.namespace import RDFS

    from graph.rdf import load_ontology
    from ontology.namespace import MAI

    onto = load_ontology()
    out = {}
    for term, name in onto.subject_objects(MAI.pgName):
        for label in onto.objects(term, RDFS.label):
            if getattr(label, "language", None) == "fr":
                out[str(name)] = str(label)
    return out


def _display(props: dict[str, Any]) -> str:
    """A node's name for a page."""
    if props.get("last_name"):
        return " ".join(str(props[k]) for k in ("civility", "first_name", "last_name") if props.get(k))
    for key in ("name", "label", "site_name", "file"):
        if props.get(key):
            return str(props[key])
    return str(props.get("id", ""))


def node_fiche(store: Any, label: str, node_id: str) -> dict[str, Any] | None:
    """Properties and relationships of one node (None when absent); ``label`` must be a declared class."""
    if label not in vocabulary().classes:
        return None
    rows = store.run(f"MATCH (n:{label} {{id: $id}}) RETURN properties(n) AS p", {"id": node_id}).rows
    if not rows:
        return None
    props = rows[0][0]
    links = []
    for direction, pattern in (("sortante", f"(n:{label} {{id: $id}})-[r]->(m)"),
                               ("entrante", f"(n:{label} {{id: $id}})<-[r]-(m)")):
        result = store.run(f"MATCH {pattern} RETURN type(r) AS type, labels(m)[0] AS label, properties(m) AS p "
                           "ORDER BY type, label LIMIT 300", {"id": node_id})
        for rtype, other_label, other in result.rows:
            links.append({"direction": direction, "type": rtype, "type_fr": _french_labels().get(rtype, rtype),
                          "kind": LABELS_FR.get(other_label, other_label), "id": other.get("id"),
                          "name": _display(other), "url": _fiche_url(other_label, other.get("id"))})
    return {"label": label, "kind": LABELS_FR.get(label, label), "id": node_id, "name": _display(props),
            "properties": [(key, _french_labels().get(key, key), value) for key, value in sorted(props.items())],
            "links": links}


@bp.route("/qualite/fiche/<label>/<path:node_id>")
def fiche(label: str, node_id: str):
    """The fiche of a node named by a finding: its data, its links and its findings.

    :raise 404: no node of this kind has this id.
    """
    node = node_fiche(get_store(), label, node_id)
    if node is None:
        abort(404, f"Aucun élément « {LABELS_FR.get(label, label)} » n'a l'identifiant « {node_id} ».")
    report, _counts = current_report(_stale_days())
    findings = [_row(f) | {"rule_label": f.rule_label, "severity": f.severity,
                           "severity_fr": _SEVERITY_FR.get(f.severity, f.severity)}
                for f in report.findings
                if (f.node_label, f.node_id) == (label, node_id) or (f.actor_label, f.actor_id) == (label, node_id)]
    return render_template("quality_node.html", title=f"{node['kind']} {node['name']}", node=node,
                           findings=findings, actor_page=_actor_page(label, node_id),
                           synthetic=any(k == "synthetic" and v is True for k, _label, v in node["properties"]))
