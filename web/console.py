"""The query console (/requetes): run the library's queries from generated forms, or free read-only Cypher.

- ``/requetes``: the library, by French title;
- ``/requetes/<name>``: the query's form (generated from its header), its rows as a table
  once submitted (``?executer=1``), and a CSV download (``/requetes/<name>.csv``);
- ``/requetes/libre``: a free Cypher box with JSON parameters, run read-only with the
  console's time limit; a write is refused before it reaches the store;
- ``/api/requetes/<name>``: the same rows as JSON (the project's error shape on failure).

Every error (unknown query, missing or ill-typed parameter, syntax error, write, timeout)
gives one French message in the page; nothing is ever written to the graph.
"""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Any, Mapping

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from graph.exceptions import (GraphError, ParameterError, QuerySyntaxError, QueryTimeout, StoreUnavailable,
                              UnknownQuery, WriteRefused)
from graph.queries import Param, Query, list_queries, load_query
from graph.runner import MAX_QUERY_CHARS, parse_json_params, run_cypher, run_query
from graph.store import Result
from web.errors import error_response
from web.store import get_store

__all__ = ["bp", "french_message", "cell_text", "field_label", "summary", "csv_response", "SECTIONS",
           "MAX_DISPLAY_ROWS"]

bp = Blueprint("console", __name__)

#: rows shown in the page (the CSV download has them all)
MAX_DISPLAY_ROWS = 1000
#: a submitted form carries this field, so that opening a query's page does not run it
RUN_FIELD = "executer"

_TYPE_FR = {
    "string": "un texte",
    "int": "un nombre entier",
    "float": "un nombre (par exemple 12,5)",
    "bool": "oui ou non",
    "date": "une date AAAA-MM-JJ",
    "list<string>": "une liste de valeurs séparées par des virgules",
    "list<int>": "une liste de nombres entiers séparés par des virgules",
    "list<float>": "une liste de nombres séparés par des virgules",
    "map": "une table calculée",
}

#: the gap-mapping queries by theme, in reading order (others go to a last section)
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Couverture des étapes", ("communes_without_actor_for_stage", "stage_roles_with_few_actors",
                               "stage_roles_with_single_actor")),
    ("Liens entre les acteurs", ("handoffs_without_link", "stages_depending_on_informal_link",
                                 "partnerships_expiring", "structures_without_cpts_partnership")),
    ("Organisation des parcours", ("pathways_without_referent", "stages_without_sharing_channel")),
    ("Adhérents et professionnels", ("professionals_not_members", "members_without_pathway",
                                     "members_not_verified")),
    ("Densité", ("population_per_professional",)),
)
_CLAUSES = {"DETACH": "DETACH DELETE", "LOAD": "LOAD CSV"}
_LABEL_SPLIT = re.compile(r"\s*(?:;|,\s*(?:ex\.|par exemple|e\.g\.)|\(|—)\s*")

#: suggestions offered for well-known parameter names (fixed read-only queries, no user value)
_SUGGESTIONS = {
    "stage": "MATCH (s:Stage) RETURN s.id AS value, s.name AS label ORDER BY value",
    "pathway": "MATCH (p:Pathway) RETURN p.id AS value, p.name AS label ORDER BY value",
    "territory": "MATCH (t:Territory) RETURN t.id AS value, t.name AS label ORDER BY value",
    "profession": "MATCH (p:Professional) WHERE p.profession_code IS NOT NULL "
                  "RETURN DISTINCT p.profession_code AS value, p.profession_label AS label ORDER BY value",
}


def french_message(err: Exception, timeout_ms: int | None = None) -> tuple[str, str | None, int]:
    """The French message, an optional technical detail and the HTTP status of a query error.

    >>> french_message(WriteRefused("x"))[0][:57]
    'Cette console est en lecture seule : cette requête modifi'
    """
    if isinstance(err, UnknownQuery):
        name = getattr(err, "name", "")
        close = getattr(err, "suggestions", None) or []
        hint = f" Vouliez-vous dire : {', '.join(close)} ?" if close else ""
        return f"La requête « {name} » n'existe pas dans la bibliothèque.{hint}", None, 404
    if isinstance(err, ParameterError):
        code, param = getattr(err, "code", None), getattr(err, "param", None)
        expected, value = getattr(err, "expected", None), getattr(err, "value", None)
        if code == "missing":
            return f"Le paramètre « {param} » est obligatoire : renseignez-le.", None, 400
        if code == "type":
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            return (f"Le paramètre « {param} » attend {_TYPE_FR.get(expected or '', expected)} ; "
                    f"« {shown} » ne convient pas."), None, 400
        if code == "unknown":
            return f"Le paramètre « {param} » n'existe pas pour cette requête.", None, 400
        if code == "computed":
            return f"Le paramètre « {param} » est calculé automatiquement ; il ne se saisit pas.", None, 400
        if code == "json":
            return ("Les paramètres doivent être un objet JSON, par exemple {\"commune\": \"59178\"}.",
                    str(err), 400)
        return "Un paramètre ne convient pas.", str(err), 400
    if isinstance(err, WriteRefused):
        clause = _CLAUSES.get(getattr(err, "clause", None) or "", getattr(err, "clause", None))
        what = f"la clause {clause} modifierait le graphe" if clause else "cette requête modifierait le graphe"
        return (f"Cette console est en lecture seule : {what}. La requête n'a pas été exécutée et le graphe "
                "n'a pas changé."), None, 400
    if isinstance(err, QueryTimeout):
        limit = f" de {timeout_ms / 1000:g} s".replace(".", ",") if timeout_ms else ""
        return (f"La requête a dépassé le temps limite{limit} et a été arrêtée. Resserrez-la (paramètres, "
                "LIMIT) puis relancez-la."), None, 408
    if isinstance(err, QuerySyntaxError):
        code = getattr(err, "code", None)
        if code == "empty":
            return "La requête est vide : écrivez une requête Cypher.", None, 400
        if code == "too_long":
            return f"La requête est trop longue ({MAX_QUERY_CHARS} caractères au plus).", None, 400
        return "La base du graphe a refusé cette requête : vérifiez sa syntaxe Cypher.", str(err), 400
    if isinstance(err, StoreUnavailable):
        return "La base du graphe est indisponible. Réessayez dans un instant.", None, 503
    return "Erreur de la base du graphe.", str(err), 500


def cell_text(value: Any) -> str:
    """A value as the text of a table cell or CSV field (lists joined, booleans as oui/non).

    >>> cell_text(["a", "b"]), cell_text(True), cell_text(None), cell_text(2.0)
    ('a, b', 'oui', '', '2')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else str(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(cell_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _csv_safe(text: str) -> str:
    """Neutralise a field a spreadsheet would read as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(columns: list[str], rows: list[list[Any]], filename: str) -> Response:
    """A CSV download for French spreadsheets: UTF-8 with BOM, ``;`` separated."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_safe(cell_text(v)) if isinstance(v, str) else cell_text(v) for v in row])
    return Response(buf.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _timeout_ms() -> int:
    """The console's time limit."""
    return int(current_app.config.get("QUERY_TIMEOUT_MS") or 5000)


def _today() -> date:
    """The day relative dates count from (``TODAY`` setting in tests, else today)."""
    value = current_app.config.get("TODAY")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else date.today()


def _given(query: Query, args: Mapping[str, str]) -> dict[str, Any]:
    """The query's parameters from a form: its declared names only, blanks left out."""
    out: dict[str, Any] = {}
    for key in args:
        if key in (RUN_FIELD, "format"):
            continue
        value = args.get(key, "")
        if value.strip():
            out[key] = value
    return out


def _form_value(param: Param, args: Mapping[str, str], submitted: bool) -> str:
    """What a form field shows: the submitted text, else the default."""
    if submitted or param.name in args:
        return args.get(param.name, "")
    if param.default is None or param.default == "null":
        return ""
    return param.default


def _suggestions(params: tuple[Param, ...]) -> dict[str, list[tuple[str, str]]]:
    """Values to suggest for well-known parameters (stage, pathway, territory, profession)."""
    out: dict[str, list[tuple[str, str]]] = {}
    store = get_store()
    for p in params:
        text = _SUGGESTIONS.get(p.name)
        if text is None:
            continue
        try:
            res = store.run(text, timeout_ms=_timeout_ms())
        except GraphError:
            continue
        out[p.name] = [(str(v), str(label or "")) for v, label in res.rows if v is not None]
    return out


def field_label(param: Param) -> tuple[str, str]:
    """A form field's French label and hint, from the parameter's description.

    >>> from graph.queries import Param
    >>> field_label(Param("stage", "string", None, "identifiant de l'étape, ex. ic.suivi"))
    ("Identifiant de l'étape", 'ex. ic.suivi')
    >>> field_label(Param("n", "int"))
    ('n', '')
    """
    text = param.description.strip()
    if not text:
        return param.name, ""
    m = _LABEL_SPLIT.search(text)
    head, rest = (text[: m.start()], text[m.start():].lstrip(" ;,—")) if m else (text, "")
    head = head.strip() or param.name
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return head[:1].upper() + head[1:], rest.strip()


def summary(query: Query) -> str:
    """The first clause of a query's description, for the catalogue."""
    first = query.description.split(" : ")[0].split(". ")[0].rstrip(". ")
    return first + "."


def _library() -> tuple[list[tuple[str, list[Query]]], list[Query]]:
    """The gap-mapping queries by section, then the matching engine's queries."""
    queries = {q.name: q for q in list_queries()}
    sections: list[tuple[str, list[Query]]] = []
    placed: set[str] = set()
    for title, names in SECTIONS:
        found = [queries[n] for n in names if n in queries]
        placed.update(n for n in names if n in queries)
        if found:
            sections.append((title, found))
    others = [q for n, q in sorted(queries.items()) if n not in placed and not n.startswith("match_")]
    if others:
        sections.append(("Autres requêtes", others))
    return sections, [q for n, q in sorted(queries.items()) if n.startswith("match_")]


def _render(template: str, status: int = 200, **context: Any):
    """Render a console page with the library in the side bar."""
    sections, engine = _library()
    return render_template(template, sections=sections, engine=engine, title=context.pop("title", "Requêtes"),
                           cell_text=cell_text, summary=summary, field_label=field_label,
                           max_rows=MAX_DISPLAY_ROWS, **context), status


@bp.get("/requetes")
def index():
    """The library of queries."""
    return _render("console.html")


@bp.route("/requetes/libre", methods=["GET", "POST"])
def free():
    """A free Cypher box: read-only, with a time limit; values as JSON parameters."""
    text = request.form.get("cypher", "") if request.method == "POST" else request.args.get("cypher", "")
    params_text = request.form.get("params", "") if request.method == "POST" else request.args.get("params", "")
    fmt = request.form.get("format", "html")
    context: dict[str, Any] = {"cypher": text, "params_text": params_text, "result": None, "error": None,
                               "detail": None, "timeout_s": _timeout_ms() / 1000}
    status = 200
    if request.method == "POST":
        try:
            params = parse_json_params(params_text)
            result = run_cypher(get_store(), text, params, timeout_ms=_timeout_ms())
        except GraphError as err:
            context["error"], context["detail"], status = french_message(err, _timeout_ms())
        else:
            if fmt == "csv":
                return csv_response(result.columns, result.rows, "requete_libre.csv")
            context["result"] = result
    return _render("console_free.html", status, title="Requête Cypher libre", **context)


@bp.get("/requetes/<name>.csv")
def query_csv(name: str):
    """A library query's rows as a CSV download."""
    try:
        query = load_query(name)
        result = run_query(get_store(), query, _given(query, request.args), timeout_ms=_timeout_ms(),
                           today=_today())
    except GraphError as err:
        message, detail, status = french_message(err, _timeout_ms())
        return error_response(message + (f" ({detail})" if detail else ""), status)
    columns = result.columns or list(query.columns)
    return csv_response([query.columns.get(c, c) for c in columns], result.rows, f"{name}.csv")


@bp.get("/requetes/<name>")
def query_page(name: str):
    """A library query: its form, and its rows once submitted."""
    try:
        query = load_query(name)
    except GraphError as err:
        message, detail, status = french_message(err)
        return _render("console.html", status, error=message, detail=detail, title="Requête inconnue")
    submitted = RUN_FIELD in request.args
    result: Result | None = None
    error = detail = None
    status = 200
    if submitted:
        try:
            result = run_query(get_store(), query, _given(query, request.args), timeout_ms=_timeout_ms(),
                               today=_today())
        except GraphError as err:
            error, detail, status = french_message(err, _timeout_ms())
    values = {p.name: _form_value(p, request.args, submitted) for p in query.user_params}
    csv_args = {k: v for k, v in request.args.items() if k != RUN_FIELD}
    return _render("console_query.html", status, title=query.title, query=query, values=values,
                   suggestions=_suggestions(query.user_params), result=result, error=error, detail=detail,
                   type_fr=_TYPE_FR, csv_url=url_for("console.query_csv", name=name, **csv_args),
                   columns=(result.columns if result and result.columns else list(query.columns)))


@bp.get("/api/requetes/<name>")
def query_api(name: str):
    """A library query's rows as JSON: ``{"ok": true, "query", "columns", "rows"}``."""
    try:
        query = load_query(name)
        result = run_query(get_store(), query, _given(query, request.args), timeout_ms=_timeout_ms(),
                           today=_today())
    except GraphError as err:
        message, _detail, status = french_message(err, _timeout_ms())
        return error_response(message, status)
    columns = result.columns or list(query.columns)
    return jsonify({"ok": True, "query": name, "title": query.title, "columns": columns,
                    "rows": [dict(zip(columns, r)) for r in result.rows]})
