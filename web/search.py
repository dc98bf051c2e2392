"""The search page and the results page: "Qui peut prendre ce patient à cette étape ?".

``/`` shows the form (pathway, then its stages, the patient's commune with
suggestions as you type, options); ``/recherche`` answers with the candidates of
each role, ranked with their reasons, the set-aside actors folded, the points de
rupture highlighted and the stage's fiche. Bad input (unknown pathway, stage or
commune, an ambiguous commune, a radius out of range...) shows the form again
with a French message and, when there are some, the choices.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from flask import Blueprint, current_app, render_template, request, url_for

from graph.matching import AmbiguousCommune, MatchData, MatchInputError, MatchRequest, match_data, run_match
from graph.ranking import format_km
from web.store import app_cache, get_store

__all__ = ["bp", "current_match_data", "answer_args", "config_today", "FORM_FIELDS"]

bp = Blueprint("search", __name__)

#: query-string fields of the search form, kept from one page to the next
FORM_FIELDS = ("pathway", "stage", "commune", "home_visit", "radius_km", "profession", "limit")


def current_match_data() -> MatchData:
    """The commune index and pathway catalogue of the app's store (cached per loaded graph)."""
    return match_data(get_store(), app_cache())


def config_today() -> date | None:
    """The ``TODAY`` setting (tests pin it), else None for the real date."""
    value = current_app.config.get("TODAY")
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def answer_args(args: Mapping[str, Any], *, code_first: bool = True) -> dict[str, Any]:
    """Parse query-string arguments and run the match (raises :class:`MatchInputError` on bad input).

    ``code_first=False`` when a person typed the commune: five digits that are two communes'
    codes are then a choice (see :func:`graph.matching.resolve_commune`).
    """
    req = MatchRequest.from_args(args, today=config_today(),
                                 stale_days=int(current_app.config.get("STALE_DAYS") or 365), code_first=code_first)
    return run_match(get_store(), req, cache=app_cache())


def _form(args: Mapping[str, Any]) -> dict[str, str]:
    """The form's current values (strings), from the query string."""
    return {name: str(args.get(name) or "").strip() for name in FORM_FIELDS}


def _form_context(form: Mapping[str, str]) -> dict[str, Any]:
    """What the form template needs: pathways with their stages, professions, current values."""
    data = current_match_data()
    stage = form.get("stage") or ""
    pathway = form.get("pathway") or (stage.split(".", 1)[0] if "." in stage else "")
    if pathway and stage and "." not in stage:
        stage = f"{pathway}.{stage}"
    values = dict(form, pathway=pathway, stage=stage)
    return {"catalog": list(data.catalog.values()), "professions": data.professions(), "form": values}


def _choice_url(param: str, choice: Mapping[str, Any], form: Mapping[str, str]) -> str:
    """Where a choice offered with an error leads: the same search with that value."""
    args = {k: v for k, v in form.items() if v}
    if param == "pathway":
        return url_for("search.index", pathway=choice["id"])
    args[param] = _choice_label(choice) if param == "commune" else choice["id"]  # ``Douai (59178)``: one reading
    return url_for("search.results", **args)


@bp.app_template_filter("km_fr")
def km_fr(value: float | None) -> str:
    """A distance in km, French style ("2,5 km"); empty when unknown."""
    return "" if value is None else format_km(float(value))


@bp.app_template_filter("date_fr")
def date_fr(value: str | None) -> str:
    """An ISO date (or timestamp) as JJ/MM/AAAA; empty when unknown."""
    if not value:
        return ""
    text = str(value)[:10]
    parts = text.split("-")
    return f"{parts[2]}/{parts[1]}/{parts[0]}" if len(parts) == 3 else text


@bp.route("/")
def index():
    """The search form."""
    form = _form(request.args)
    return render_template("search.html", title="Qui peut prendre ce patient ?", error=None, choices=[],
                           **_form_context(form))


@bp.route("/recherche")
def results():
    """The results of a search, or the form again with a French message on bad input."""
    form = _form(request.args)
    try:
        answer = answer_args(request.args, code_first=False)  # a person typed the commune
    except MatchInputError as err:
        choices = [{"label": _choice_label(c), "url": _choice_url(err.param, c, form)} for c in err.choices]
        # several communes of that name is a choice to make, not a mistake: 200; anything else is a 400
        status = 200 if isinstance(err, AmbiguousCommune) else 400
        return render_template("search.html", title="Précisez la recherche", error=err.message_fr, choices=choices,
                               **_form_context(form)), status
    stage = answer["stage"]
    nav = {}
    form["commune"] = _choice_label(answer["commune"])
    for which in ("previous", "next"):
        if stage.get(which):
            args = {k: v for k, v in form.items() if v}
            args.update(pathway=answer["pathway"]["id"], stage=stage[which])
            nav[which] = url_for("search.results", **args)
    json_args = {k: v for k, v in form.items() if v}
    json_args.update(pathway=answer["pathway"]["id"], stage=stage["id"], commune=answer["commune"]["id"])
    return render_template("results.html", title=f"{stage['name']} — {answer['commune']['name']}", answer=answer,
                           nav=nav, json_url=url_for("api.api_match", **json_args), **_form_context(form))


def _choice_label(choice: Mapping[str, Any]) -> str:
    """How a choice is written: ``Douai (59178)`` for a commune, the name for the rest."""
    if "postal_codes" in choice:
        return f"{choice['name']} ({choice['id']})"
    return str(choice.get("name") or choice["id"])
