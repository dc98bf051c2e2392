"""Coverage: which actors are available for a pathway stage in a commune.

One notion, shared with the matching engine ("who can take this patient at
this stage", :mod:`graph.ranking` and :mod:`graph.matching`): an actor is
**available for a role of a stage in a commune** when

1. it **fits the role** (``graph.ranking.fits``): a professional whose profession
   (TRE_G15) is one of the role's ``professions`` and, when the role names
   ``specialties`` (TRE_R38), whose specialty is one of them; a structure (or
   CPTS) whose FINESS category is one of the role's ``categories``. A role naming
   both professions and categories (pharmacist or pharmacy) accepts either;
2. it **serves the commune**: it practises (an activity, or the structure's site)
   in a commune whose point lies within the role's ``radius_km`` of the commune's
   point (:data:`DEFAULT_RADIUS_KM` when the role gives none; haversine distance
   between INSEE commune points, :meth:`loaders.communes.CommuneIndex.within`), or
   it declares the commune in its intervention zone (``INTERVENES_IN``), or it is
   the registered structure of a CPTS that covers the commune
   (``Territory-REGISTERED_AS->Structure``, ``Territory-COVERS->Commune``);
3. and nothing **sets it aside**: it does not declare that it takes no new
   patients (``not_accepting``: the stage participation's flag, else its CPTS
   memberships', any yes winning), and its CPTS data were not last verified more
   than ``stale_days`` days ago (``stale``). The home-visit rule of the matching
   engine applies only when a user asks for a home visit: coverage does not.

An available actor is **engaged** when it also declares that it takes part in
the stage (``PARTICIPATES->Participation-IN_STAGE->Stage``).

The coverage matrix crosses pathway × stage × commune × role; a stage is
covered in a commune when each of its required (non-optional) roles has at
least one available actor: 0 is a rupture, 1 a single point of failure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

import networkx as nx

from graph.exceptions import NodeNotFound

__all__ = [
    "DEFAULT_RADIUS_KM",
    "STALE_DAYS",
    "CoverageCell",
    "CoverageIndex",
    "fits_role",
    "roster_flag",
    "last_verified",
    "set_aside",
    "commune_index",
    "near_communes",
    "actors_serving",
    "coverage_matrix",
    "stage_status",
    "get_pathway",
    "get_stage",
]


#: radius of a role whose pathway gives none (the matching engine's ``DEFAULT_RADIUS_KM``)
DEFAULT_RADIUS_KM = 20.0

#: CPTS data verified longer ago than this set an actor aside (the viewer's ``STALE_DAYS``)
STALE_DAYS = 365


@dataclass(frozen=True)
class CoverageCell:
    """Available (and engaged) actors for one role of one stage in one commune."""

    pathway: str
    stage: str
    commune: str
    role: str
    role_label: str
    optional: bool
    available: tuple[str, ...]
    engaged: tuple[str, ...]
    set_aside: tuple[str, ...] = ()

    def count(self, basis: str = "available") -> int:
        """How many actors, counting all available ones or only the engaged ones."""
        return len(self.engaged if basis == "engaged" else self.available)

    def to_dict(self) -> dict[str, Any]:
        """The cell as plain data (JSON, CSV)."""
        return {"pathway": self.pathway, "stage": self.stage, "commune": self.commune, "role": self.role,
                "role_label": self.role_label, "optional": self.optional, "available": len(self.available),
                "engaged": len(self.engaged), "set_aside": len(self.set_aside),
                "available_actors": list(self.available), "engaged_actors": list(self.engaged),
                "set_aside_actors": list(self.set_aside)}


def _field(role: Any, name: str, default: Any = None) -> Any:
    """A field of a role given as a mapping or as a :class:`graph.model.RoleRequirement`."""
    if isinstance(role, dict) or isinstance(role, Mapping):
        value = role.get(name, default)
    else:
        value = getattr(role, name, default)
    return default if value is None else value


def fits_role(attrs: Mapping[str, Any], role: Any) -> bool:
    """True when an actor (node attributes) fits a role's professions, specialties or categories.

    Examples
    --------
    >>> gp = {"kind": "Professional", "profession_code": "10", "specialty_code": "SM54"}
    >>> fits_role(gp, {"professions": ["10"], "specialties": ["SM54", "SM26"]})
    True
    >>> fits_role(gp, {"professions": ["10"], "specialties": ["SM04"]})
    False
    >>> fits_role({"kind": "Structure", "category_code": "620"}, {"professions": ["21"], "categories": ["620"]})
    True
    """
    if attrs.get("kind") == "Professional":
        if attrs.get("profession_code") not in _field(role, "professions", []):
            return False
        specialties = _field(role, "specialties", [])
        return not specialties or attrs.get("specialty_code") in specialties
    return attrs.get("category_code") in _field(role, "categories", [])


def roster_flag(attrs: Mapping[str, Any], name: str, stage: str | None = None) -> bool | None:
    """A roster flag of an actor: the stage participation's value, else its memberships' (any yes wins).

    >>> a = {"memberships": [{"accepting_new_patients": False}, {"accepting_new_patients": True}],
    ...      "participation": {"ic.suivi": {"accepting_new_patients": False}}}
    >>> roster_flag(a, "accepting_new_patients"), roster_flag(a, "accepting_new_patients", "ic.suivi")
    (True, False)
    """
    part = (attrs.get("participation") or {}).get(stage) if stage else None
    if part and part.get(name) is not None:
        return bool(part[name])
    values = [m.get(name) for m in attrs.get("memberships") or () if m.get(name) is not None]
    if any(values):
        return True
    return False if values else None


def last_verified(attrs: Mapping[str, Any], stage: str | None = None) -> str | None:
    """The most recent date (ISO) the actor's CPTS data were verified, or None."""
    dates = [m.get("last_verified") for m in attrs.get("memberships") or ()]
    part = (attrs.get("participation") or {}).get(stage) if stage else None
    if part:
        dates.append(part.get("last_verified"))
    dates = [d for d in dates if d]
    return max(dates) if dates else None


def set_aside(attrs: Mapping[str, Any], stage: str | None = None, *, today: date | None = None,
              stale_days: int = STALE_DAYS) -> list[str]:
    """The rules that set an available-looking actor aside: ``not_accepting``, ``stale``.

    >>> set_aside({"memberships": [{"accepting_new_patients": False, "last_verified": "2020-01-01"}]},
    ...           today=date(2026, 1, 1))
    ['not_accepting', 'stale']
    """
    out = []
    if roster_flag(attrs, "accepting_new_patients", stage) is False:
        out.append("not_accepting")
    verified = last_verified(attrs, stage)
    if verified:
        try:
            age = ((today or date.today()) - date.fromisoformat(verified[:10])).days
        except ValueError:
            age = None
        if age is not None and age > stale_days:
            out.append("stale")
    return out


def commune_index(G: nx.Graph) -> Any:
    """A :class:`loaders.communes.CommuneIndex` of the communes kept in ``G.graph["communes"]``."""
    from graph.model import Commune
    from loaders.communes import CommuneIndex

    return CommuneIndex(
        Commune(id=c["id"], name=c.get("name") or c["id"], department=c.get("department") or "",
                population=c.get("population"), lat=c.get("lat"), lon=c.get("lon"))
        for c in (G.graph.get("communes") or {}).values()
    )


def near_communes(index: Any, commune: str, radius_km: float | None) -> dict[str, float]:
    """Communes whose point is within ``radius_km`` (default :data:`DEFAULT_RADIUS_KM`) of ``commune``'s."""
    radius = float(radius_km or DEFAULT_RADIUS_KM)
    near = index.within(commune, radius) if commune in index else {}
    near[commune] = 0.0
    return near


def _reason(attrs: Mapping[str, Any], commune: str, near: Mapping[str, float]) -> dict[str, Any] | None:
    """Why an actor serves a commune (the closest practice, the declared zone, CPTS coverage), or None."""
    practice = [(near[c], c) for c in attrs.get("communes") or () if c in near]
    if practice:
        km, via = min(practice)
        return {"reason": "practice", "km": km, "via": via}
    if commune in (attrs.get("intervenes") or ()):
        return {"reason": "intervention", "km": None, "via": commune}
    if commune in (attrs.get("covers") or ()):
        return {"reason": "covers", "km": None, "via": commune}
    return None


def actors_serving(G: nx.Graph, role: Any, commune: str, *, stage: str | None = None, index: Any = None,
                   exclude: Iterable[str] = (), today: date | None = None,
                   stale_days: int = STALE_DAYS) -> dict[str, dict[str, Any]]:
    """The actors available for ``role`` in ``commune``, each with the reason it serves the commune.

    Parameters
    ----------
    G : the collaboration graph (:func:`graph.analysis.projection.store_to_networkx`).
    role : a role (mapping with ``professions``, ``specialties``, ``categories``,
        ``radius_km``, or a :class:`graph.model.RoleRequirement`).
    commune : INSEE code of the patient's commune.
    stage : the stage id, whose participation flags come before the memberships'.
    index : a :class:`loaders.communes.CommuneIndex` (built from ``G`` when omitted).
    exclude : actors to leave out (a what-if).
    today, stale_days : data verified more than ``stale_days`` before ``today`` set an actor aside.

    Returns
    -------
    dict
        actor id -> ``{"reason": "practice" | "intervention" | "covers", "km": float | None,
        "via": commune code}``, in id order.

    Examples
    --------
    >>> G = nx.Graph(communes={"A": {"id": "A", "lat": 50.0, "lon": 3.0}, "B": {"id": "B", "lat": 50.0, "lon": 3.1}})
    >>> G.add_node("nurse", kind="Professional", profession_code="60", communes=["B"])
    >>> G.add_node("gp", kind="Professional", profession_code="10", communes=["A"])
    >>> G.add_node("ssiad", kind="Structure", category_code="354", communes=[], intervenes=["A"])
    >>> actors_serving(G, {"professions": ["60"], "radius_km": 10}, "A")
    {'nurse': {'reason': 'practice', 'km': 7.15, 'via': 'B'}}
    >>> actors_serving(G, {"professions": ["60"], "radius_km": 5}, "A")
    {}
    >>> list(actors_serving(G, {"categories": ["354"]}, "A"))
    ['ssiad']
    >>> G.nodes["nurse"]["memberships"] = [{"accepting_new_patients": False}]
    >>> actors_serving(G, {"professions": ["60"], "radius_km": 10}, "A")
    {}
    """
    index = index if index is not None else commune_index(G)
    near = near_communes(index, commune, _field(role, "radius_km"))
    skip = set(exclude)
    out = {}
    for node in sorted(G.nodes):
        if node in skip:
            continue
        attrs = G.nodes[node]
        if fits_role(attrs, role):
            why = _reason(attrs, commune, near)
            if why is not None and not set_aside(attrs, stage, today=today, stale_days=stale_days):
                out[node] = why
    return out


def get_pathway(G: nx.Graph, pathway: str) -> dict[str, Any]:
    """The pathway of that id, from ``G.graph["pathways"]``.

    Raises
    ------
    NodeNotFound
        No pathway has that id (the message lists the known ones).
    """
    pathways = G.graph.get("pathways") or {}
    if pathway not in pathways:
        known = ", ".join(sorted(pathways)) or "none: load a territory first"
        raise NodeNotFound(f"unknown pathway {pathway!r} (known: {known})")
    return pathways[pathway]


def get_stage(G: nx.Graph, stage: str) -> dict[str, Any]:
    """The stage of that id (``<pathway>.<key>``), from ``G.graph["stages"]``.

    Raises
    ------
    NodeNotFound
        No stage has that id.
    """
    stages = G.graph.get("stages") or {}
    if stage not in stages:
        pathway = stage.split(".", 1)[0]
        known = ", ".join(s for s in sorted(stages) if s.startswith(pathway + ".")) or ", ".join(sorted(stages)[:12])
        raise NodeNotFound(f"unknown stage {stage!r} (known: {known or 'none'})")
    return stages[stage]


class CoverageIndex:
    """What coverage computations on one graph share: the commune index, neighbour lists, actors by code.

    Build it once and pass it to :func:`coverage_matrix` (``context=``) to compute several
    pathways, or the same pathway with and without an actor, without redoing this work.
    It reads ``G`` when built: build a new one after changing the graph (removing actors is
    fine: pass them as ``exclude``, or compute on a subgraph, whose missing nodes are skipped).
    """

    def __init__(self, G: nx.Graph) -> None:
        self.index = commune_index(G)
        self._near: dict[tuple[str, float | None], dict[str, float]] = {}
        self._dist: dict[str, dict[str, float]] = {}
        self._fit: dict[tuple[tuple[str, ...], ...], set[str]] = {}
        radii = [r.get("radius_km") or DEFAULT_RADIUS_KM for st in (G.graph.get("stages") or {}).values()
                 for r in st.get("roles") or ()]
        self.max_radius = float(max(radii, default=DEFAULT_RADIUS_KM))
        self.by_profession: dict[str, list[str]] = {}
        self.by_category: dict[str, list[str]] = {}
        for n, d in G.nodes(data=True):
            if d.get("kind") == "Professional":
                self.by_profession.setdefault(d.get("profession_code"), []).append(n)
            else:
                self.by_category.setdefault(d.get("category_code"), []).append(n)

    def near(self, commune: str, radius_km: float | None) -> dict[str, float]:
        """Communes within the radius of ``commune`` (see :func:`near_communes`), cached."""
        key = (commune, radius_km)
        if key not in self._near:
            radius = float(radius_km or DEFAULT_RADIUS_KM)
            if radius > self.max_radius:
                self._near[key] = near_communes(self.index, commune, radius)
            else:
                if commune not in self._dist:  # one distance computation per commune, for every radius
                    self._dist[commune] = near_communes(self.index, commune, self.max_radius)
                self._near[key] = {c: km for c, km in self._dist[commune].items() if km <= radius}
        return self._near[key]

    def fitting(self, G: nx.Graph, role: Any) -> set[str]:
        """The actors that fit a role (:func:`fits_role`), found through the code indexes (cached by codes)."""
        key = tuple(tuple(_field(role, name, [])) for name in ("professions", "specialties", "categories"))
        if key not in self._fit:
            out = set()
            for code in key[0]:
                out.update(n for n in self.by_profession.get(code, ()) if n in G and fits_role(G.nodes[n], role))
            for code in key[2]:
                out.update(n for n in self.by_category.get(code, ()) if n in G)
            self._fit[key] = out
        return self._fit[key]


def coverage_matrix(G: nx.Graph, pathway: str, *, communes: Iterable[str] | None = None,
                    stages: Iterable[str] | None = None, exclude: Iterable[str] = (), today: date | None = None,
                    stale_days: int = STALE_DAYS, context: CoverageIndex | None = None) -> list[CoverageCell]:
    """The coverage matrix of a pathway: one cell per stage × commune × role.

    Parameters
    ----------
    G : the collaboration graph.
    pathway : pathway id (``ic``).
    communes : INSEE codes of the rows (default: the territory's communes, else every commune of ``G``).
    stages : limit to these stage ids (default: every stage of the pathway).
    exclude : actors to leave out (what-if).
    today, stale_days : data verified more than ``stale_days`` before ``today`` (default: the
        current date) set an actor aside.
    context : a :class:`CoverageIndex` of ``G`` to reuse (built here when omitted).

    Returns
    -------
    list of CoverageCell
        In stage order, then commune, then role id. ``set_aside`` lists the actors that
        fit and serve the commune but are set aside (not accepting new patients, stale data).

    Raises
    ------
    NodeNotFound
        Unknown pathway or stage.

    Examples
    --------
    >>> G = nx.Graph(communes={"A": {"id": "A", "lat": 50.0, "lon": 3.0}},
    ...              pathways={"ic": {"id": "ic", "stages": ["ic.suivi"]}},
    ...              stages={"ic.suivi": {"id": "ic.suivi", "pathway": "ic", "name": "Suivi", "roles": [
    ...                  {"id": "ic.suivi.inf", "label": "Infirmier", "professions": ["60"], "radius_km": 5}]}})
    >>> G.add_node("n1", kind="Professional", profession_code="60", communes=["A"], stages=["ic.suivi"])
    >>> G.add_node("n2", kind="Professional", profession_code="60", communes=["A"], stages=[])
    >>> [(c.commune, c.available, c.engaged) for c in coverage_matrix(G, "ic")]
    [('A', ('n1', 'n2'), ('n1',))]
    """
    pw = get_pathway(G, pathway)
    wanted = list(stages) if stages is not None else list(pw["stages"])
    for s in wanted:
        if get_stage(G, s)["pathway"] != pathway:
            raise NodeNotFound(f"stage {s!r} is not a stage of pathway {pathway!r}")
    if communes is None:
        communes = G.graph.get("territory_communes") or sorted(G.graph.get("communes") or {})
    rows = sorted(set(communes))
    ctx = context if context is not None else CoverageIndex(G)
    skip = set(exclude)
    cells: list[CoverageCell] = []
    today = today or date.today()
    data = G.nodes
    # only actors practising within reach of the rows, or declaring one of them, can serve them
    widest = max((r.get("radius_km") or DEFAULT_RADIUS_KM for st in wanted for r in G.graph["stages"][st]["roles"]),
                 default=DEFAULT_RADIUS_KM)
    reach = set().union(*(ctx.near(c, widest) for c in rows)) if rows else set()
    zone = set(rows)

    close: dict[str, bool] = {}

    def near_enough(n: str) -> bool:
        if n not in close:
            attrs = data[n]
            close[n] = bool(reach.intersection(attrs.get("communes") or ())
                            or zone.intersection(attrs.get("intervenes") or ())
                            or zone.intersection(attrs.get("covers") or ()))
        return close[n]

    for sid in wanted:
        stage = G.graph["stages"][sid]
        aside_of: dict[str, bool] = {}
        for role in stage["roles"]:
            fitting = {n for n in ctx.fitting(G, role) - skip if near_enough(n)}
            for n in fitting:
                if n not in aside_of:
                    attrs = data[n]
                    aside_of[n] = bool((attrs.get("memberships") or attrs.get("participation"))
                                       and set_aside(attrs, sid, today=today, stale_days=stale_days))
            aside = {n for n in fitting if aside_of[n]}
            takes_part = {n for n in fitting if sid in (data[n].get("stages") or ())}
            by_practice: dict[str, set[str]] = {}
            by_zone: dict[str, set[str]] = {}
            for n in fitting:
                attrs = data[n]
                for c in attrs.get("communes") or ():
                    by_practice.setdefault(c, set()).add(n)
                for c in list(attrs.get("intervenes") or ()) + list(attrs.get("covers") or ()):
                    by_zone.setdefault(c, set()).add(n)
            radius = role.get("radius_km")
            for commune in rows:
                found = set(by_zone.get(commune, ()))
                for c in ctx.near(commune, radius):
                    if c in by_practice:
                        found |= by_practice[c]
                available = tuple(sorted(found - aside))
                engaged = tuple(n for n in available if n in takes_part)
                cells.append(CoverageCell(pathway, sid, commune, role["id"], role.get("label") or role["id"],
                                          bool(role.get("optional")), available, engaged,
                                          tuple(sorted(found & aside))))
    return cells


def stage_status(cells: Iterable[CoverageCell], basis: str = "available") -> dict[tuple[str, str], int]:
    """Per (stage, commune): the fewest actors of any required role (0 = rupture, 1 = single actor).

    A stage whose roles are all optional counts the actors of its best-served role.

    >>> c = [CoverageCell("ic", "ic.s", "A", "r1", "R1", False, ("x",), ()),
    ...      CoverageCell("ic", "ic.s", "A", "r2", "R2", False, ("x", "y"), ())]
    >>> stage_status(c)
    {('ic.s', 'A'): 1}
    """
    required: dict[tuple[str, str], int] = {}
    optional: dict[tuple[str, str], int] = {}
    for cell in cells:
        key = (cell.stage, cell.commune)
        n = cell.count(basis)
        if cell.optional:
            optional[key] = max(optional.get(key, 0), n)
        else:
            required[key] = min(required.get(key, n), n)
    out = {}
    for key in sorted(set(required) | set(optional)):
        out[key] = required[key] if key in required else optional[key]
    return out
