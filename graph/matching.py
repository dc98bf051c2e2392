"""Who can take this patient at this stage: the matching engine.

Input: a pathway, one of its stages, the patient's commune (INSEE code, name or
postal code; accents and case ignored) and options (home visit needed, radius,
profession, maximum results). For each role the stage requires, the engine
returns the ranked candidates with the reasons they fit, the actors of a fitting
profession that were set aside with the reason, and a *point de rupture* for each
required role nobody can take, with the nearest actor outside the radius.

How a match runs:

1. each role's search zone is the disc of 1.5 times its radius (at least the radius
   + 5 km) around the patient's commune; distances are computed in Python between
   commune points (:class:`CommuneIndex`) and the store is asked by lists of commune
   codes (``queries/cypher/match_*.cypher``, portable to FalkorDB and Neo4j);
2. the actors of the zone whose profession and specialty, or structure category,
   fit the role are judged by the rules of :mod:`graph.ranking`, with those who
   declare the commune in their intervention zone or cover it as the CPTS's
   structure; candidates are ranked, set-aside actors sorted nearest first (as many
   shown as the ``limit``, the others counted);
3. a role without candidate gets the nearest actor beyond its radius: in the zone,
   then in a ring four times wider, then anywhere;
4. names, sites and contacts are read for the actors shown only.

What the engine knows of a loaded graph (commune index, pathway catalogue, the
CPTS's own facts, the actors by commune) is built once per load by
:mod:`graph.match_data`.
"""
from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from graph.exceptions import (AmbiguousCommune, BadParameter, MatchInputError, UnknownCommune,
                              UnknownPathway, UnknownStage)
from graph.match_data import (DISTANCE_CACHE_KM, MatchData, PathwayInfo, StageInfo, load_match_query,
                              match_data, role_dict, run_query)
from graph.model import Commune
from graph.ranking import Actor, Assessment, Place, Role, assess, assessment_dict, fits, format_km, rank
from graph.store import GraphStore
from loaders.communes import CommuneIndex

__all__ = [
    "MatchInputError",
    "UnknownPathway",
    "UnknownStage",
    "UnknownCommune",
    "AmbiguousCommune",
    "BadParameter",
    "StageInfo",
    "PathwayInfo",
    "MatchData",
    "MatchRequest",
    "match_data",
    "resolve_commune",
    "resolve_stage",
    "match",
    "run_match",
    "load_match_query",
    "DEFAULT_RADIUS_KM",
    "MAX_RADIUS_KM",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "DEFAULT_STALE_DAYS",
]

DEFAULT_RADIUS_KM = 20.0  # a role whose pathway gives no radius
MAX_RADIUS_KM = 200.0
DEFAULT_LIMIT = 10
MAX_LIMIT = 200
DEFAULT_STALE_DAYS = 365
SEARCH_FACTOR = 1.5  # actors up to 1.5 times the radius (at least radius + SEARCH_MARGIN_KM) are looked at
SEARCH_MARGIN_KM = 5.0
NEAREST_RING_FACTOR = 4.0  # a role without candidate: look that much farther before looking everywhere
SET_ASIDE_FACTOR = 1  # set-aside actors shown per role (nearest first): as many as the candidates at most
NEAREST_BATCH = 20  # actors fetched when looking everywhere for the nearest one outside the radius
DENSE_ZONE = 60  # above this many fitting actors in a search zone, only the nearest communes are read
BIG_COMMUNE = 200  # above this many fitting professionals in one commune, only the first ones by id are read
FIRST_REACH_KM = 30.0  # distances computed first from the patient's commune (then wider when needed)
_PROFESSION_RE = re.compile(r"^\d{1,3}$")
_CODE_IN_PARENS_RE = re.compile(r"\((\w{5})\)\s*$")


# --- resolving the user's words ---------------------------------------------


def _commune_choice(c: Commune) -> dict[str, Any]:
    """A commune offered as a choice."""
    return {"id": c.id, "name": c.name, "postal_codes": list(c.postal_codes), "department": c.department}


def _label(c: Commune) -> str:
    """``Name (code)``."""
    return f"{c.name} ({c.id})"


def resolve_commune(index: CommuneIndex, text: str | None, *, code_first: bool = True) -> Commune:
    """The one commune meant by an INSEE code, a postal code or a name (accents and case ignored).

    ``Douai (59178)``, as the suggestions write it, is read as its code. Five digits that are
    both a commune's INSEE code and another's postal code (3,002 of the 34,976 codes) are read
    as the INSEE code when ``code_first`` (the API, the CLI: machines send codes); otherwise
    (a person typing in the viewer) both readings are offered as choices.

    Raises
    ------
    BadParameter
        The text is empty.
    UnknownCommune
        No commune of the graph matches.
    AmbiguousCommune
        Several communes match; ``choices`` lists them.

    Examples
    --------
    >>> idx = CommuneIndex([Commune(id="59178", name="Douai", department="59", postal_codes=["59500"]),
    ...                     Commune(id="59350", name="Lille", department="59", postal_codes=["59000"])])
    >>> [resolve_commune(idx, t).id for t in ("59178", "59000", "DOUAI", "Lille (59350)")]
    ['59178', '59350', '59178', '59350']
    """
    raw = (text or "").strip()
    if not raw:
        raise BadParameter("the commune is missing (an INSEE code, a name or a postal code)",
                           "Indiquez la commune du patient (nom, code postal ou code INSEE).", param="commune")
    m = _CODE_IN_PARENS_RE.search(raw)
    if m and m.group(1).upper() in index:
        return index.by_code[m.group(1).upper()]
    if raw.upper() in index:
        found = index.by_code[raw.upper()]
        others = [] if code_first else [c for c in index.by_postal(raw) if c != found.id]
        if not others:
            return found
        postal = sorted((index.by_code[c] for c in others), key=lambda c: (c.name, c.id))
        listed = ", ".join(_label(c) for c in postal)
        raise AmbiguousCommune(
            f"{raw} is the INSEE code of {_label(found)} and the postal code of {listed}; choose one",
            f"« {raw} » est le code INSEE de {_label(found)} et le code postal de {listed}. "
            "Choisissez la commune du patient.",
            param="commune", choices=[_commune_choice(c) for c in [*postal, found]])
    codes: list[str] = []
    if raw.isdigit() and len(raw) == 5:
        codes = index.by_postal(raw)
        what, what_fr = f"postal code {raw}", f"le code postal {raw}"
    else:
        codes = index.by_name(raw)
        if not codes and re.match(r"^\d{5}\s+\S", raw):
            found = index.resolve_postal(raw)
            codes = [found] if found else []
        what, what_fr = f"name {raw!r}", f"le nom « {raw} »"
    if len(codes) == 1:
        return index.by_code[codes[0]]
    if len(codes) > 1:
        communes = sorted((index.by_code[c] for c in codes), key=lambda c: (c.name, c.id))
        listed = ", ".join(_label(c) for c in communes)
        raise AmbiguousCommune(
            f"several communes match the {what}: {listed}; give the INSEE code",
            f"Plusieurs communes correspondent à {what_fr} : {listed}. Choisissez la commune du patient.",
            param="commune", choices=[_commune_choice(c) for c in communes])
    suggestions = [] if raw.isdigit() else index.search(raw, limit=5)
    hint = f" Vouliez-vous dire : {', '.join(_label(c) for c in suggestions)} ?" if suggestions else ""
    hint_en = f" (did you mean {', '.join(_label(c) for c in suggestions)}?)" if suggestions else ""
    raise UnknownCommune(
        f"unknown commune {raw!r}: no commune of the loaded territory has this INSEE code, postal code or name"
        + hint_en,
        f"Commune inconnue : « {raw} ». Aucune commune du territoire chargé n'a ce nom, ce code postal "
        f"ou ce code INSEE.{hint}", param="commune", choices=[_commune_choice(c) for c in suggestions])


def resolve_stage(catalog: Mapping[str, PathwayInfo], pathway: str | None,
                  stage: str | None) -> tuple[PathwayInfo, StageInfo]:
    """The pathway and stage the user names (stage key ``suivi`` or full id ``ic.suivi``).

    Raises
    ------
    BadParameter
        The pathway or the stage is missing.
    UnknownPathway, UnknownStage
        No such pathway, or no such stage in it; ``choices`` lists the known ones.
    """
    pid = (pathway or "").strip()
    key = (stage or "").strip()
    if not pid and "." in key:
        pid = key.split(".", 1)[0]
    if not pid:
        raise BadParameter("the pathway is missing (--pathway, e.g. ic)", "Choisissez un parcours.", param="pathway")
    info = catalog.get(pid)
    if info is None:
        known = ", ".join(catalog) or "none loaded"
        raise UnknownPathway(
            f"unknown pathway {pid!r} (known: {known})",
            f"Parcours inconnu : « {pid} ». Parcours disponibles : "
            f"{', '.join(p.name for p in catalog.values()) or 'aucun'}.",
            param="pathway", choices=[{"id": p.id, "name": p.name} for p in catalog.values()])
    if not key:
        raise BadParameter(f"the stage is missing (--stage, one of {', '.join(s.key for s in info.stages)})",
                           f"Choisissez une étape du parcours « {info.name} ».", param="stage",
                           choices=[{"id": s.id, "key": s.key, "name": s.name} for s in info.stages])
    if "." in key and not key.startswith(pid + "."):
        found = None
    else:
        found = info.stage(key)
    if found is None:
        raise UnknownStage(
            f"unknown stage {key!r} of pathway {pid!r} (stages: {', '.join(s.key for s in info.stages)})",
            f"Étape inconnue : « {key} » dans le parcours « {info.name} ». Étapes : "
            f"{', '.join(s.name for s in info.stages)}.",
            param="stage", choices=[{"id": s.id, "key": s.key, "name": s.name} for s in info.stages])
    return info, found


# --- the request ------------------------------------------------------------

_TRUE = {"1", "true", "on", "oui", "yes", "o", "y"}
_FALSE = {"", "0", "false", "off", "non", "no", "n"}


@dataclass
class MatchRequest:
    """A validated match request."""

    pathway: str
    stage: str
    commune: str
    home_visit: bool = False
    radius_km: float | None = None
    profession: str | None = None
    limit: int = DEFAULT_LIMIT
    stale_days: int = DEFAULT_STALE_DAYS
    today: date | None = None
    code_first: bool = True  # five digits: an INSEE code first (False: a person typed them, see resolve_commune)

    def __post_init__(self) -> None:
        if self.radius_km is not None and not (0 < self.radius_km <= MAX_RADIUS_KM):
            raise BadParameter(
                f"radius out of range: {self.radius_km:g} km (between 0 and {MAX_RADIUS_KM:g} km)",
                f"Rayon hors limites : {self.radius_km:g} km. Indiquez un rayon entre 0 et {MAX_RADIUS_KM:g} km.",
                param="radius_km")
        if not (1 <= self.limit <= MAX_LIMIT):
            raise BadParameter(f"limit out of range: {self.limit} (between 1 and {MAX_LIMIT})",
                               f"Nombre de résultats hors limites : {self.limit} (entre 1 et {MAX_LIMIT}).",
                               param="limit")
        if not (1 <= self.stale_days <= 36500):
            raise BadParameter(f"stale_days out of range: {self.stale_days} (between 1 and 36500)",
                               f"Ancienneté des données hors limites : {self.stale_days} jours.", param="stale_days")
        if self.profession is not None and not _PROFESSION_RE.match(self.profession):
            raise BadParameter(f"malformed profession code {self.profession!r} (a TRE_G15 code such as 60)",
                               f"Code de profession invalide : « {self.profession} » (code TRE_G15, par exemple 60).",
                               param="profession")

    @classmethod
    def from_args(cls, args: Mapping[str, Any], *, today: date | None = None,
                  stale_days: int = DEFAULT_STALE_DAYS, code_first: bool = True) -> "MatchRequest":
        """Parse query-string arguments (all strings); a malformed value raises :class:`BadParameter`.

        >>> args = {"pathway": "ic", "stage": "suivi", "commune": "Douai", "radius_km": "2,5"}
        >>> MatchRequest.from_args(args).radius_km
        2.5
        """
        def text(name: str) -> str:
            """One argument as stripped text ("" when absent)."""
            value = args.get(name)
            return "" if value is None else str(value).strip()

        home = text("home_visit").lower()
        if home not in _TRUE | _FALSE:
            raise BadParameter(f"malformed home_visit {home!r} (expected 1 or 0)",
                               f"Valeur invalide pour la visite à domicile : « {home} » (oui ou non).",
                               param="home_visit")
        radius_text = text("radius_km") or text("radius")
        radius = None
        if radius_text:
            try:
                radius = float(radius_text.replace(",", "."))
            except ValueError as err:
                raise BadParameter(f"malformed radius {radius_text!r} (a number of km)",
                                   f"Rayon invalide : « {radius_text} ». Indiquez un nombre de kilomètres.",
                                   param="radius_km") from err
            if radius != radius or radius in (float("inf"), float("-inf")):
                radius = -1.0  # NaN or infinite: refused as out of range below
        limit = _int_arg(text("limit"), "limit", DEFAULT_LIMIT, "Nombre de résultats")
        stale = _int_arg(text("stale_days"), "stale_days", stale_days, "Ancienneté des données")
        day = today
        if text("today"):
            try:
                day = date.fromisoformat(text("today"))
            except ValueError as err:
                raise BadParameter(f"malformed date {text('today')!r} (expected YYYY-MM-DD)",
                                   f"Date invalide : « {text('today')} » (AAAA-MM-JJ).", param="today") from err
        return cls(pathway=text("pathway"), stage=text("stage"), commune=text("commune"),
                   home_visit=home in _TRUE, radius_km=radius, profession=text("profession") or None,
                   limit=limit, stale_days=stale, today=day, code_first=code_first)


def _int_arg(value: str, name: str, default: int, label_fr: str) -> int:
    """Parse an integer argument (empty gives the default)."""
    if not value:
        return default
    try:
        return int(value)
    except ValueError as err:
        raise BadParameter(f"malformed {name} {value!r} (an integer)",
                           f"{label_fr} invalide : « {value} » (un nombre entier).", param=name) from err


# --- the match ---------------------------------------------------------------


def _role_radius(role: Role, req: MatchRequest) -> float:
    """The radius used for a role: the user's, else the pathway's, else the default."""
    return float(req.radius_km or role.radius_km or DEFAULT_RADIUS_KM)


def _outer(radius: float) -> float:
    """How far around a role's radius actors are looked at (those beyond the radius are set aside as too far)."""
    return round(max(radius * SEARCH_FACTOR, radius + SEARCH_MARGIN_KM), 3)


def _by_distance(a: Assessment) -> tuple[Any, ...]:
    """Sort key: nearest first, unknown distance last, then the name and the id."""
    return (a.actor.distance_km is None, a.actor.distance_km or 0.0, a.actor.name, a.actor.id)


@dataclass
class _RoleAnswer:
    """One role being answered: its radius, who was assessed, candidates, set-aside actors, nearest one."""

    role: Role
    radius: float
    kw: dict[str, Any]
    assessed: dict[str, Assessment]
    candidates: list[Assessment]
    set_aside: list[Assessment]
    set_aside_more: int = 0
    nearest: Assessment | None = None
    more: int | None = None  # candidates beyond those read (dense zones: an estimate)


class _Search:
    """One match in progress: the actors met so far, with their distances to the patient's commune."""

    def __init__(self, store: GraphStore, data: MatchData, req: MatchRequest, stage: StageInfo,
                 origin: Commune) -> None:
        self.store, self.data, self.req, self.stage, self.origin = store, data, req, stage, origin
        self.actors: dict[str, Actor] = {}
        self.reach = 0.0  # distances known up to this many km (computed when first needed, then wider)
        self.km: dict[str, float] = {origin.id: 0.0}
        self.ranked: list[tuple[float, str]] = [(0.0, origin.id)]
        self.neighbours = [s for s in (stage.previous, stage.next) if s]
        self._dense: dict[tuple[str, float], bool] = {}
        self._far: dict[str, float | None] = {}  # distances to communes beyond the ones computed

    def reach_to(self, radius: float) -> None:
        """Make sure the distances to the communes within ``radius`` km are known."""
        if radius > self.reach and self.reach < DISTANCE_CACHE_KM:
            self.reach = min(max(radius, FIRST_REACH_KM), DISTANCE_CACHE_KM)
            self.km, self.ranked = self.data.distances(self.origin.id, self.reach)

    def within(self, radius: float) -> list[str]:
        """Codes of the communes within ``radius`` km, nearest first."""
        self.reach_to(radius)
        return [c for _d, c in self.ranked[:bisect_right(self.ranked, (radius, "~"))]]

    def distance(self, commune: str | None) -> float | None:
        """Distance from the patient's commune to ``commune`` (None when unknown)."""
        if not commune:
            return None
        if commune in self.km:
            return self.km[commune]
        d = self._far.get(commune, -1.0)
        if d == -1.0:
            d = self._far[commune] = self.data.index.distance(self.origin.id, commune)
        return d

    def add(self, kind: str, aid: str, code: Any, specialty: Any, commune: str | None) -> Actor:
        """The actor of this id (made on first sight), with one more place of practice when it is new."""
        actor = self.actors.get(aid)
        if actor is None:
            roster, stage, origin = self.data.roster, self.stage.id, self.origin.id
            pro = kind == "professional"
            actor = self.actors[aid] = Actor(
                id=aid, kind=kind, name=aid, profession_code=code if pro else None, specialty_code=specialty,
                category_code=None if pro else code,
                intervenes=aid in roster.interventions.get(origin, ()), covers=aid in roster.covers.get(origin, ()),
                memberships=roster.memberships.get(aid, []), participation=roster.participations.get((aid, stage)),
                partners=roster.partners(aid, self.neighbours) if aid in roster.partnerships else [])
        if commune is not None and all(p.commune != commune for p in actor.places):
            c = self.data.index.get(commune)
            actor.places.append(Place(commune=commune, commune_name=c.name if c else None,
                                      distance_km=self.distance(commune)))
        return actor

    def keys(self, role: Role) -> list[tuple[str, str]]:
        """The ``(kind, code)`` keys of the actors fitting ``role`` (and the request's profession)."""
        keys = []
        if self.req.profession is None or self.req.profession in role.professions:
            keys += [("professional", c) for c in role.professions
                     if self.req.profession is None or c == self.req.profession]
        if self.req.profession is None:
            keys += [("structure", c) for c in role.categories]
        return keys

    def _take(self, role: Role, keys: list[tuple[str, str]], communes: Iterable[str],
              out: dict[str, Actor]) -> None:
        """Add to ``out`` the actors of ``communes`` (read already) fitting ``role``."""
        located = self.data.located
        for commune in communes:
            for key in keys:
                for aid, specialty in located(commune, key):
                    if role.specialties and key[0] == "professional" and specialty not in role.specialties:
                        continue
                    out[aid] = self.add(key[0], aid, key[1], specialty, commune)

    def dense(self, role: Role, radius: float) -> bool:
        """True when the zone holds so many fitting actors that only the nearest are read (national graphs)."""
        if self.data.preloaded:
            return False
        held = self._dense.get((role.key, radius))
        if held is None:  # the rows a full read would bring: every specialty of the role's professions
            count = self.data.zone_count(self.store, self.within(radius), self.keys(role))
            held = self._dense[(role.key, radius)] = count > DENSE_ZONE
        return held

    def prefetch(self, roles: list[tuple[Role, float]]) -> None:
        """Read at once the actors of the roles' search zones that are not dense (a few queries for the stage)."""
        if self.data.preloaded:
            return
        self.reach_to(max((_outer(radius) for _role, radius in roles), default=0.0))  # one distance pass
        wanted: dict[str, set[tuple[str, str]]] = {}
        for role, radius in roles:
            outer = _outer(radius)
            if not self.dense(role, outer):
                keys = self.keys(role)
                for c in self.within(outer):
                    wanted.setdefault(c, set()).update(keys)
        self.data.ensure_located_keys(self.store, wanted)

    def pool(self, role: Role, radius: float) -> dict[str, Actor]:
        """The actors fitting ``role`` who practise (or are located) within ``radius`` km."""
        keys = self.keys(role)
        communes = self.within(radius)
        self.data.ensure_located(self.store, communes, keys)
        out: dict[str, Actor] = {}
        self._take(role, keys, communes, out)
        return out

    def nearest_first(self, role: Role, low: float, high: float, need: int) -> dict[str, Actor]:
        """The ``need`` nearest actors fitting ``role`` beyond ``low`` km and within ``high`` km (``inf``:
        anywhere), with every actor the CPTS knows in that ring.

        Only communes where the per-commune counts say a fitting actor practises are
        read, nearest first, until ``need`` actors the CPTS does not know were met: any
        actor not read is farther than those (an actor's distance is that of its nearest
        commune of practice). Distances are computed in widening bands.
        """
        keys, specs = self.keys(role), role.specialties
        pro_keys = [k for k in keys if k[0] == "professional"]
        out: dict[str, Actor] = {}
        roster = self.data.roster_places(self.store)
        roster_at: dict[str, int] = {}  # commune -> fitting actors of the CPTS practising there
        for kind, code in keys:
            for aid, specialty, commune in self.data.roster_by_key(self.store).get((kind, code), ()):
                if specs and kind == "professional" and specialty not in specs:
                    continue
                roster_at[commune] = roster_at.get(commune, 0) + 1
                d = self.distance(commune)
                if d is not None and low < d <= high:
                    out[aid] = self.add(kind, aid, code, specialty, commune)
        occupied = self.data.occupied(self.store, keys, specs)
        # a full read of a commune brings every specialty of the professions: judge its size on that
        pros_at = self.data.occupied(self.store, pro_keys) if pro_keys else {}
        self.reach_to(min(high, max(self.reach, FIRST_REACH_KM)))
        found, lo = 0, low
        while found < need and lo < high:
            if lo >= self.reach:  # beyond the distances computed: only the communes where such actors practise
                ring = sorted((d, c) for d, c in ((self.distance(c), c) for c in occupied)
                              if d is not None and lo < d <= high)
                hi = high
            else:
                hi = min(high, self.reach)
                ring = self.ranked[bisect_right(self.ranked, (lo, "~")):bisect_right(self.ranked, (hi, "~"))]
            chunk: list[str] = []
            expected = 0
            last = len(ring) - 1
            for i, (_d, c) in enumerate(ring):
                n = occupied.get(c)
                if n:
                    chunk.append(c)
                    expected += n
                if chunk and (expected >= need - found or i == last):
                    before = set(out)
                    big = [c for c in chunk if pros_at.get(c, 0) > BIG_COMMUNE]
                    if big:  # thousands of them in one commune: read the first ones by id (the ranking's tie-break)
                        self._first_in(role, pro_keys, big, need - found, roster_at, out)
                        struct_keys = [k for k in keys if k[0] == "structure"]
                        self.data.ensure_located(self.store, big, struct_keys)
                        self._take(role, struct_keys, big, out)
                    rest = [c for c in chunk if c not in big]
                    self.data.ensure_located(self.store, rest, keys)
                    self._take(role, keys, rest, out)
                    found += sum(1 for a in out.keys() - before if a not in roster)
                    chunk, expected = [], 0
                    if found >= need:
                        break
            lo = hi
        return out

    def _first_in(self, role: Role, keys: list[tuple[str, str]], communes: list[str], need: int,
                  roster_at: Mapping[str, int], out: dict[str, Actor]) -> None:
        """Add the first ``need`` professionals by id (plus as many as the CPTS actors there) of each commune."""
        professions = [code for _kind, code in keys]
        for c in communes:
            for row in run_query(self.store, "match_first_professionals_in_commune", commune=c,
                                 professions=professions, specialties=list(role.specialties),
                                 limit=need + roster_at.get(c, 0)):
                out[row["id"]] = self.add("professional", row["id"], row["code"], row["specialty"], c)

    def fetch_ids(self, ids: Iterable[str], roles: list[Role]) -> None:
        """Add the actors of ``ids`` not met yet whose codes (known from the roster) may fit ``roles``."""
        roster = self.data.roster
        pros, structures = [], []
        for i in sorted(set(ids) - set(self.actors)):
            label, codes = roster.labels.get(i), roster.codes.get(i)
            if codes is not None:
                probe = Actor(id=i, kind="professional" if label == "Professional" else "structure", name=i,
                              profession_code=codes[0], specialty_code=codes[1], category_code=codes[2])
                if not any(fits(probe, r, self.req.profession) for r in roles):
                    continue
            (pros if label == "Professional" else structures if label == "Structure" else []).append(i)
        if pros or structures:
            for row in run_query(self.store, "match_actors_by_id", professionals=pros, structures=structures):
                self.add(row["kind"], row["id"], row["code"], row["specialty"], row["commune"])

    def fill_contacts(self, named: list[Actor], reached: list[Actor]) -> None:
        """Read the names of the actors shown, and the site and contacts of the nearest place of ``reached`` ones."""
        todo = {a.id: a for a in named + reached if not a.named}
        reach = {a.id for a in reached if a.nearest is not None and a.nearest.site is None}
        if not todo and not reach:
            return
        rows = run_query(self.store, "match_contacts",
                         professionals=sorted(i for i, a in todo.items() if a.kind == "professional"),
                         with_contacts=sorted(i for i in reach if self.actors[i].kind == "professional"),
                         structures=sorted({i for i, a in todo.items() if a.kind == "structure"}
                                           | {i for i in reach if self.actors[i].kind == "structure"}))
        for row in rows:
            actor = self.actors[row["actor"]]
            if row.get("name") is not None and not actor.named:
                actor.name, actor.synthetic, actor.named = row["name"] or actor.id, bool(row.get("synthetic")), True
                if row.get("category_label"):
                    actor.category_label = row["category_label"]
            place = actor.nearest
            if actor.id in reach and place is not None and place.site is None and row.get("commune") == place.commune:
                place.site, place.address = row.get("site"), row.get("address")
                place.postal_code, place.city = row.get("postal_code"), row.get("city")
                place.phone, place.email = row.get("phone"), row.get("email")

    def answer(self, role: Role, radius: float, kw: dict[str, Any], extra: Iterable[Actor]) -> _RoleAnswer:
        """Assess the actors of a role's search zone (and ``extra`` ones); rank the candidates.

        In a dense zone (national graphs: more than :data:`DENSE_ZONE` fitting actors) only
        the nearest actors within the radius are read, with every actor the CPTS knows in
        the search zone; how many more candidates and set-aside actors there are is then
        an estimate (``estimated``).
        """
        outer = _outer(radius)
        keep = SET_ASIDE_FACTOR * self.req.limit
        dense = self.dense(role, outer)
        pool = self.nearest_first(role, -1.0, outer, 0) if dense else self.pool(role, outer)
        if dense:  # every CPTS actor of the zone is in; add the nearest others within the radius
            for aid, actor in self.nearest_first(role, -1.0, radius, self.req.limit + 1).items():
                pool.setdefault(aid, actor)
        for a in extra:
            if a.id not in pool and fits(a, role, self.req.profession):
                pool[a.id] = a
        assessed = {i: assess(a, role, **kw) for i, a in pool.items()}
        shown = [a for a in assessed.values() if a.candidate or (a.actor.distance_km is not None
                                                                 and a.actor.distance_km <= outer)]
        aside = sorted((a for a in shown if not a.candidate), key=lambda a: (a.actor.distance_km is None,
                                                                            a.actor.distance_km or 0.0, a.actor.id))
        candidates = rank(a for a in shown if a.candidate)
        ans = _RoleAnswer(role, radius, kw, assessed, candidates, aside[:keep], max(0, len(aside) - keep))
        if dense:
            keys, specs = self.keys(role), role.specialties
            inside = self.data.zone_count(self.store, self.within(radius), keys, specs)
            ring = self.data.zone_count(self.store, self.within(outer), keys, specs) - inside
            read_inside = sum(1 for a in assessed.values() if a.actor.distance_km is not None
                              and a.actor.distance_km <= radius)
            ans.more = max(0, len(candidates) - self.req.limit) + max(0, inside - read_inside)
            ans.set_aside_more += max(0, ring - sum(1 for a in aside if a.actor.distance_km is not None
                                                    and a.actor.distance_km > radius))
        return ans

    def nearest(self, ans: _RoleAnswer) -> Assessment | None:
        """The nearest fitting actor outside the radius; one that distance alone sets aside if there is one.

        Looked for in the search zone, then in a ring NEAREST_RING_FACTOR times wider, then anywhere.
        """
        role, radius, kw = ans.role, ans.radius, ans.kw

        def pick(actors: Iterable[Actor], limit: float) -> Assessment | None:
            """Assess the actors beyond the radius nearest first, until one is set aside for distance only."""
            outside = sorted((a for a in actors if a.distance_km is not None and radius < a.distance_km <= limit),
                             key=lambda a: (a.distance_km, a.id))
            first = None
            for actor in outside:
                judged = ans.assessed.get(actor.id) or assess(actor, role, **kw)
                if judged.only_too_far:
                    return judged
                first = first or judged
            return first

        if not self.data.preloaded:  # a national graph: the communes where such actors practise, nearest first
            near = {a.actor.id: a.actor for a in ans.assessed.values()}
            near.update(self.nearest_first(role, radius, math.inf, 1))
            return pick(near.values(), math.inf)
        best = pick((a.actor for a in ans.assessed.values()), _outer(radius))
        if best is not None and best.only_too_far:
            return best
        ring = min(_outer(radius) * NEAREST_RING_FACTOR, DISTANCE_CACHE_KM)
        best = pick(self.pool(role, ring).values(), ring) or best
        if best is not None and best.only_too_far:
            return best
        far: list[tuple[float, str]] = []
        if role.professions and (self.req.profession is None or self.req.profession in role.professions):
            profs = [self.req.profession] if self.req.profession else role.professions
            far += self._anywhere("Professional", "match_nearest_professionals",
                                  professions=profs, specialties=role.specialties)
        if role.categories and self.req.profession is None:
            far += self._anywhere("Structure", "match_nearest_structures", categories=role.categories)
        far.sort()
        ids = [i for _d, i in far[:NEAREST_BATCH]]
        self.fetch_ids(ids, [role])
        found = [self.actors[i] for i in ids if i in self.actors and fits(self.actors[i], role, self.req.profession)]
        return pick(found, float("inf")) or best

    def _anywhere(self, label: str, name: str, **params: Any) -> list[tuple[float, str]]:
        """(distance, id) of every actor a nearest-anywhere query returns."""
        out = []
        for row in run_query(self.store, name, **params):
            dists = [d for d in (self.distance(c) for c in row.get("communes") or []) if d is not None]
            if dists:
                out.append((min(dists), row["id"]))
                self.data.roster.labels.setdefault(row["id"], label)
        return out


def run_match(store: GraphStore, req: MatchRequest, *, cache: dict[Any, Any] | None = None) -> dict[str, Any]:
    """Answer a validated :class:`MatchRequest` (see :func:`match`)."""
    data = match_data(store, cache)
    pathway, stage = resolve_stage(data.catalog, req.pathway, req.stage)
    origin = resolve_commune(data.index, req.commune, code_first=req.code_first)
    today = req.today or date.today()
    roles = [r for r in stage.roles if req.profession is None or req.profession in r.professions]
    if req.profession is not None and not roles:
        label = data.label("TRE_G15", req.profession)
        raise BadParameter(
            f"profession {req.profession} is not required at stage {stage.id}",
            f"La profession « {label} » n'intervient pas à l'étape « {stage.name} ».", param="profession")
    search = _Search(store, data, req, stage, origin)
    roster = data.roster
    # actors who serve the commune without being located near it: intervention zone, CPTS covering it
    serving = roster.interventions.get(origin.id, set()) | roster.covers.get(origin.id, set())
    search.fetch_ids(serving, roles)
    extra = [search.actors[i] for i in sorted(serving) if i in search.actors]
    stage_names = {s.id: s.name for s in pathway.stages}
    answers = []
    search.prefetch([(role, _role_radius(role, req)) for role in roles])
    for role in roles:
        radius = _role_radius(role, req)
        kw = dict(radius_km=radius, commune_name=origin.name, stage_name=stage.name, home_visit=req.home_visit,
                  today=today, stale_days=req.stale_days, stage_names=stage_names, explain=False)
        answers.append(search.answer(role, radius, kw, extra))
    for ans in answers:
        if not ans.candidates:
            ans.nearest = search.nearest(ans)
    # the reasons, names and contacts are read and written for the actors shown only
    for ans in answers:
        kw = {**ans.kw, "explain": True}
        ans.candidates[:req.limit] = [assess(a.actor, ans.role, **kw) for a in ans.candidates[:req.limit]]
        if ans.nearest is not None:
            ans.nearest = assess(ans.nearest.actor, ans.role, **kw)
    search.fill_contacts([a.actor for ans in answers for a in ans.set_aside],
                         [a.actor for ans in answers for a in ans.candidates[:req.limit]]
                         + [ans.nearest.actor for ans in answers if ans.nearest is not None])

    label = data.label
    out_roles: list[dict[str, Any]] = []
    ruptures: list[dict[str, Any]] = []
    for ans in answers:
        role, radius = ans.role, ans.radius
        ans.set_aside.sort(key=_by_distance)
        entry: dict[str, Any] = {
            **role_dict(role),
            "radius_km": radius,
            "home_visit_required": req.home_visit and role.home_visit,
            "candidates": [assessment_dict(a, label, i) for i, a in enumerate(ans.candidates[:req.limit], 1)],
            "more": max(0, len(ans.candidates) - req.limit) if ans.more is None else ans.more,
            "estimated": ans.more is not None,
            "set_aside": [assessment_dict(a, label, brief=True) for a in ans.set_aside],
            "set_aside_more": ans.set_aside_more,
            "rupture": not ans.candidates and not role.optional,
            "nearest": assessment_dict(ans.nearest, label) if ans.nearest else None,
        }
        if entry["rupture"]:
            text = f"Aucun acteur disponible pour le rôle « {role.label} » dans un rayon de {format_km(radius)}"
            n = len(ans.set_aside) + ans.set_aside_more
            if n:
                text += f" ({n} écarté{'s' if n > 1 else ''})"
            ruptures.append({"role": role.key, "label": role.label, "radius_km": radius, "message": text + ".",
                             "set_aside": n, "nearest": entry["nearest"]})
        out_roles.append(entry)
    return {
        "ok": True,
        "query": {"pathway": pathway.id, "stage": stage.key, "commune": origin.id, "home_visit": req.home_visit,
                  "radius_km": req.radius_km, "profession": req.profession, "limit": req.limit,
                  "stale_days": req.stale_days, "today": today.isoformat()},
        "pathway": {"id": pathway.id, "name": pathway.name},
        "stage": {k: v for k, v in stage.to_dict().items() if k != "roles"}
        | {"previous_name": stage_names.get(stage.previous or ""), "next_name": stage_names.get(stage.next or "")},
        "commune": _commune_choice(origin),
        "roles": out_roles,
        "ruptures": ruptures,
        "skipped_roles": [r.key for r in stage.roles if r not in roles],
    }


def match(store: GraphStore, pathway: str, stage: str, commune: str, *, home_visit: bool = False,
          radius_km: float | None = None, profession: str | None = None, limit: int = DEFAULT_LIMIT,
          stale_days: int = DEFAULT_STALE_DAYS, today: date | None = None,
          cache: dict[str, Any] | None = None) -> dict[str, Any]:
    """Who can take a patient of ``commune`` at ``stage`` of ``pathway``.

    Parameters
    ----------
    store : the graph store.
    pathway : pathway id (``ic``).
    stage : stage key (``suivi``) or full stage id (``ic.suivi``).
    commune : INSEE code, postal code or name of the patient's commune.
    home_visit : the patient needs home visits.
    radius_km : search radius for every role (default: each role's own radius).
    profession : keep only professionals of this TRE_G15 profession code.
    limit : maximum candidates shown per role (the rest are counted in ``more``).
    stale_days : CPTS data verified longer ago than this set the actor aside.
    today : the date freshness is measured from (default: today).
    cache : a dict the caller keeps between matches for the commune index and pathway catalogue.

    Returns
    -------
    dict
        ``query``, ``pathway``, ``stage`` (its fiche), ``commune``, ``roles`` (each with ranked
        ``candidates``, ``set_aside`` actors, ``rupture`` and ``nearest``), ``ruptures``.

    Raises
    ------
    MatchInputError
        Unknown pathway, stage or commune, ambiguous commune, bad option (French text in ``message_fr``).

    Examples
    --------
    >>> from graph.model import Commune
    >>> resolve_commune(CommuneIndex([Commune(id="59178", name="Douai", department="59")]), "douai").id
    '59178'
    """
    req = MatchRequest(pathway=pathway, stage=stage, commune=commune, home_visit=home_visit, radius_km=radius_km,
                       profession=profession, limit=limit, stale_days=stale_days, today=today)
    return run_match(store, req, cache=cache)
