"""What the matching engine knows of a loaded graph, built once per load: pathways, CPTS facts, communes.

- the pathway catalogue: every pathway, its stages in order (fiche, previous and
  next stage) and the roles each stage requires (:class:`PathwayInfo`, :class:`StageInfo`);
- the CPTS's own facts, small enough to keep in memory: memberships and their
  flags, stage participations, intervention zones, partnerships, the communes each
  CPTS covers (:class:`Roster`);
- the commune index (names, postal codes, points) and the distances from the
  communes patients were searched from;
- the labels of the profession, specialty and category codes the roles name.

:func:`match_data` rebuilds them when the graph's fingerprint (source files and
last load time) changes, in a cache dict the caller keeps (the viewer's
``app_cache()``, a module-level dict for the CLI). The queries are the
``queries/cypher/match_*.cypher`` files of the query library.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from graph.model import Commune
from graph.queries import load_query
from graph.ranking import Role
from graph.store import GraphStore
from loaders.cleaning import normalize_name
from loaders.communes import CommuneIndex

__all__ = [
    "StageInfo",
    "PathwayInfo",
    "Roster",
    "MatchData",
    "match_data",
    "load_match_query",
    "run_query",
    "role_dict",
    "actor_name",
    "DISTANCE_CACHE_KM",
]

DISTANCE_CACHE_KM = 400.0  # distances from a patient's commune are kept for the communes this close
LOCATED_MAX_ROWS = 500_000  # actors kept in memory by commune (a few hundred bytes each)
LOCATED_BATCH = 500  # communes per query
ALL = ("*",)  # the specialty of a count over every specialty of a code (no specialty code is a tuple)
PRELOAD_MAX_COMMUNES = 3000  # a graph this small (a territory) has its actors read at once, when first used
FREEZE_EVERY = 20_000  # cache entries added between two gc.freeze() (see settle)
_unfrozen = 0


@lru_cache(maxsize=None)
def load_match_query(name: str) -> str:
    """The Cypher text of one of this engine's ``queries/cypher/match_*.cypher`` queries (header left out).

    >>> "MATCH (c:Commune)" in load_match_query("match_communes")
    True

    Raises
    ------
    UnknownQuery
        No query of that name in the library.
    """
    return load_query(name).body


def run_query(store: GraphStore, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run one named query and return its rows as dicts."""
    return store.run(load_match_query(name), params).dicts()


@dataclass
class StageInfo:
    """A stage of a pathway with its fiche and its roles."""

    id: str
    key: str
    order: int
    name: str
    pathway: str
    qui: str | None = None
    quoi: str | None = None
    quand: str | None = None
    comment: str | None = None
    partage: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    previous: str | None = None
    next: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (roles included)."""
        return {
            "id": self.id, "key": self.key, "order": self.order, "name": self.name, "pathway": self.pathway,
            "qui": self.qui, "quoi": self.quoi, "quand": self.quand, "comment": self.comment,
            "partage": list(self.partage), "previous": self.previous, "next": self.next,
            "roles": [role_dict(r) for r in self.roles],
        }


@dataclass
class PathwayInfo:
    """A pathway with its stages in order."""

    id: str
    name: str
    theme: str | None = None
    description: str | None = None
    source: str | None = None
    source_url: str | None = None
    version: str | None = None
    updated: str | None = None
    referent: dict[str, Any] | None = None
    stages: list[StageInfo] = field(default_factory=list)

    def stage(self, key: str) -> StageInfo | None:
        """The stage of this key (or of this full id ``<pathway>.<key>``)."""
        for s in self.stages:
            if s.key == key or s.id == key:
                return s
        return None

    def to_dict(self, stages: bool = True) -> dict[str, Any]:
        """A JSON-ready view."""
        out: dict[str, Any] = {
            "id": self.id, "name": self.name, "theme": self.theme, "description": self.description,
            "source": self.source, "source_url": self.source_url, "version": self.version,
            "updated": self.updated, "referent": self.referent,
        }
        out["stages"] = [s.to_dict() for s in self.stages] if stages else [
            {"id": s.id, "key": s.key, "order": s.order, "name": s.name} for s in self.stages]
        return out


def role_dict(r: Role) -> dict[str, Any]:
    """A role as JSON."""
    return {"key": r.key, "label": r.label, "professions": list(r.professions), "specialties": list(r.specialties),
            "categories": list(r.categories), "radius_km": r.radius_km, "home_visit": r.home_visit,
            "optional": r.optional}


def actor_name(node: Mapping[str, Any] | None) -> str | None:
    """Display name of a professional or structure row."""
    if not node:
        return None
    if node.get("name"):
        return node["name"]
    return " ".join(x for x in (node.get("first_name"), node.get("last_name")) if x) or node.get("id")


def _load_catalog(store: GraphStore) -> dict[str, PathwayInfo]:
    """Every pathway with its stages and roles, by pathway id."""
    catalog: dict[str, PathwayInfo] = {}
    for row in run_query(store, "match_pathways"):
        p, s = row["pathway"], row["stage"]
        info = catalog.get(p["id"])
        if info is None:
            ref = row.get("referent")
            info = catalog[p["id"]] = PathwayInfo(
                id=p["id"], name=p.get("name") or p["id"], theme=p.get("theme"), description=p.get("description"),
                source=p.get("source"), source_url=p.get("source_url"), version=p.get("version"),
                updated=p.get("updated"),
                referent={"id": ref["id"], "name": actor_name(ref)} if ref and ref.get("id") else None,
            )
        roles_raw = [r for r in row.get("roles") or [] if r and r.get("key")]
        # the pathway file's order when the graph has it, else required roles first, by label
        roles_raw.sort(key=lambda r: (r.get("order") is None, r.get("order") or 0, bool(r.get("optional")),
                                      normalize_name(r.get("label") or ""), r["key"]))
        roles = [Role(key=r["key"], label=r.get("label") or r["key"], professions=list(r.get("professions") or []),
                      specialties=list(r.get("specialties") or []), categories=list(r.get("categories") or []),
                      radius_km=r.get("radius_km"), home_visit=bool(r.get("home_visit")),
                      optional=bool(r.get("optional")), id=r.get("id")) for r in roles_raw]
        info.stages.append(StageInfo(
            id=s["id"], key=s.get("key") or s["id"].split(".", 1)[-1], order=int(s.get("order") or 0),
            name=s.get("name") or s["id"], pathway=p["id"], qui=s.get("qui"), quoi=s.get("quoi"),
            quand=s.get("quand"), comment=s.get("comment"), partage=list(s.get("partage") or []), roles=roles,
            next=row.get("next_stage"),
        ))
    for info in catalog.values():
        info.stages.sort(key=lambda st: (st.order, st.id))
        by_id = {st.id: st for st in info.stages}
        for i, st in enumerate(info.stages):
            if st.next is None and i + 1 < len(info.stages) and not any(o.next for o in info.stages):
                st.next = info.stages[i + 1].id  # a graph without NEXT links: follow the order
            if st.next in by_id:
                by_id[st.next].previous = st.id
    return dict(sorted(catalog.items()))


@dataclass
class Roster:
    """The CPTS's own facts (roster, partnerships, territories): small, kept per loaded graph."""

    labels: dict[str, str] = field(default_factory=dict)  # actor id -> node label
    codes: dict[str, tuple[Any, Any, Any]] = field(default_factory=dict)  # actor -> profession, specialty, category
    names: dict[str, str] = field(default_factory=dict)  # partnership party id -> display name
    memberships: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    participations: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (actor, stage)
    interventions: dict[str, set[str]] = field(default_factory=dict)  # commune -> actors
    partnerships: dict[str, list[tuple[dict[str, Any], str]]] = field(default_factory=dict)  # actor -> (pt, other)
    covers: dict[str, set[str]] = field(default_factory=dict)  # commune -> structures registered as its CPTS

    def note(self, row: Mapping[str, Any]) -> None:
        """Remember an actor's label and codes from a roster row."""
        self.labels[row["actor"]] = row["label"]
        self.codes[row["actor"]] = (row.get("profession"), row.get("specialty"), row.get("category"))

    def partners(self, actor: str, stages: Iterable[str]) -> list[dict[str, Any]]:
        """Partnerships binding ``actor`` to an actor who takes part in one of ``stages``."""
        out = []
        for pt, other in self.partnerships.get(actor, ()):
            for stage in stages:
                if other != actor and (other, stage) in self.participations:
                    out.append({**pt, "other": other, "other_name": self.names.get(other, other), "stage": stage})
        return out


def _load_roster(store: GraphStore) -> Roster:
    """Read memberships, participations, interventions, partnerships and territories."""
    r = Roster()
    for row in run_query(store, "match_roster_memberships"):
        r.note(row)
        r.memberships.setdefault(row["actor"], []).append(
            {**row["membership"], "territory": row["territory"], "territory_name": row["territory_name"]})
    for row in run_query(store, "match_roster_participations"):
        r.note(row)
        r.participations[(row["actor"], row["stage"])] = row["participation"]
    for row in run_query(store, "match_roster_interventions"):
        r.note(row)
        r.interventions.setdefault(row["commune"], set()).add(row["actor"])
    parties: dict[str, list[str]] = {}
    pts: dict[str, dict[str, Any]] = {}
    for row in run_query(store, "match_roster_partnerships"):
        r.labels.setdefault(row["actor"], row["label"])
        r.names[row["actor"]] = actor_name({**row, "id": row["actor"]}) or row["actor"]
        pts[row["partnership"]["id"]] = row["partnership"]
        parties.setdefault(row["partnership"]["id"], []).append(row["actor"])
    for pid, members in parties.items():
        for a in members:
            r.partnerships.setdefault(a, []).extend((pts[pid], o) for o in members if o != a)
    for row in run_query(store, "match_roster_territories"):
        if row.get("structure"):
            r.labels[row["structure"]] = "Structure"
            for c in row.get("communes") or []:
                r.covers.setdefault(c, set()).add(row["structure"])
    return r


@dataclass
class MatchData:
    """What a match needs besides the zone queries: communes, pathways, code labels, the CPTS's own facts."""

    index: CommuneIndex
    catalog: dict[str, PathwayInfo]
    labels: dict[str, str]
    roster: Roster
    version: tuple[Any, ...]
    _distances: dict[str, tuple[float, dict[str, float], list[tuple[float, str]]]] = field(
        default_factory=dict, repr=False)
    _located: dict[str, dict[tuple[str, str], list[tuple[str, Any]]]] = field(default_factory=dict, repr=False)
    _read: dict[str, set[tuple[str, str]]] = field(default_factory=dict, repr=False)  # commune -> keys read
    _located_rows: int = 0
    preloaded: bool = False  # every actor of the graph was read at once (a territory-sized graph)
    _counts: dict[tuple[str, str, Any], dict[str, int]] | None = field(default=None, repr=False)
    _roster_places: dict[str, list[tuple[str, str, Any, Any]]] | None = field(default=None, repr=False)
    _occupied: dict[tuple[Any, Any], dict[str, int]] = field(default_factory=dict, repr=False)
    _structures: dict[str, dict[tuple[str, str], list[tuple[str, Any]]]] | None = field(default=None, repr=False)
    _roster_by_key: dict[tuple[str, str], list[tuple[str, Any, Any]]] | None = field(default=None, repr=False)

    def ensure_located(self, store: GraphStore, communes: Iterable[str],
                       keys: Iterable[tuple[str, str]] | None = None) -> None:
        """Read the actors of ``communes`` with these ``(kind, code)`` keys not read yet.

        ``keys`` are ``("professional", TRE_G15 code)`` and ``("structure", FINESS category)``
        pairs (default: every code some pathway role accepts). Rows are kept by commune,
        then by key, for the life of this loaded graph; at most ``LOCATED_MAX_ROWS`` rows
        (the whole cache is dropped past that).
        """
        if keys is None:
            professions, categories = self.role_codes()
            wanted = {("professional", c) for c in professions} | {("structure", c) for c in categories}
        else:
            wanted = set(keys)
        self.ensure_located_keys(store, {c: wanted for c in communes})

    def ensure_located_keys(self, store: GraphStore, wanted: Mapping[str, set[tuple[str, str]]]) -> None:
        """:meth:`ensure_located` with its own keys for each commune (one query per distinct set of keys)."""
        if self._located_rows > LOCATED_MAX_ROWS:  # too many rows kept: start again
            self._located.clear()
            self._read.clear()
            self._located_rows = 0
        todo: dict[frozenset[tuple[str, str]], list[str]] = {}
        added = 0  # cache entries made (see settle)
        if self._counts is not None:  # a national graph: every structure of the pathways is read at once
            self._ensure_structures(store)
        for c, keys in wanted.items():
            missing = keys - self._read.get(c, set())
            if self._structures is not None:
                missing = {k for k in missing if k[0] != "structure"}
            if missing and self._counts is not None:  # the counts say where nobody of these keys practises
                absent = {k for k in missing if c not in self._counts.get((*k, ALL), ())}
                if absent:
                    self._located.setdefault(c, {}).update((k, ()) for k in absent)
                    self._read.setdefault(c, set()).update(absent)
                    missing -= absent
                    added += 2
            if missing:
                todo.setdefault(frozenset(missing), []).append(c)
        if not todo:
            settle(added)
            return
        for missing, group in todo.items():
            professions = sorted(code for kind, code in missing if kind == "professional")
            categories = sorted(code for kind, code in missing if kind == "structure")
            for i in range(0, len(group), LOCATED_BATCH):
                batch = group[i:i + LOCATED_BATCH]
                for c in batch:
                    at = self._located.setdefault(c, {})
                    for key in missing:
                        if not at.get(key):
                            at[key] = []
                    self._read.setdefault(c, set()).update(missing)
                added += len(batch) * (len(missing) + 2)  # the containers made for them
                for row in run_query(store, "match_actors_in_communes", communes=batch,
                                     professions=professions, categories=categories):
                    self._located[row["commune"]][(row["kind"], row["code"])].append((row["id"], row["specialty"]))
                    self._located_rows += 1
                    added += 1
        settle(added)

    def zone_count(self, store: GraphStore, communes: Iterable[str], keys: Iterable[tuple[str, str]],
                   specialties: Iterable[str] = ()) -> int:
        """How many actors with these keys (and one of ``specialties`` when given) practise in ``communes``.

        Read from per-commune counts made once per loaded graph (one pass over the
        activities). An actor practising in two of the communes is counted twice: the
        figure is an estimate, used to choose how to search and to say how many more
        actors there are when not all were read.
        """
        occupied = self.occupied(store, keys, specialties)
        return sum(occupied.get(c, 0) for c in communes)

    def occupied(self, store: GraphStore, keys: Iterable[tuple[str, str]],
                 specialties: Iterable[str] = ()) -> dict[str, int]:
        """Commune -> how many actors with these keys (and specialties) practise there (non-zero only)."""
        keys, specs = tuple(sorted(keys)), tuple(sorted(specialties))
        held = self._occupied.get((keys, specs))
        if held is not None:
            return held
        counts = self._commune_counts(store)
        parts = [part for kind, code in keys
                 for sp in (specs if specs and kind == "professional" else (ALL,))
                 if (part := counts.get((kind, code, sp)))]
        if len(parts) == 1:
            held = parts[0]  # shared with the counts: callers only read it
        else:
            held = {}
            for part in parts:
                for c, n in part.items():
                    held[c] = held.get(c, 0) + n
        if len(self._occupied) >= 1024:
            self._occupied.clear()
        self._occupied[(keys, specs)] = held
        return held

    def _commune_counts(self, store: GraphStore) -> dict[tuple[str, str, Any], dict[str, int]]:
        """``(kind, code, specialty)`` -> commune -> how many such actors practise there, read once per
        loaded graph; the specialty :data:`ALL` counts every specialty of the code."""
        if self._counts is None:
            counts: dict[tuple[str, str, Any], dict[str, int]] = {}
            for row in run_query(store, "match_commune_counts"):
                c, n = row["commune"], row["n"]
                for sp in (row["specialty"], ALL) if row["kind"] == "professional" else (ALL,):
                    at = counts.setdefault((row["kind"], row["code"], sp), {})
                    at[c] = at.get(c, 0) + n
            self._counts = counts
            settle()
        return self._counts

    def roster_by_key(self, store: GraphStore) -> dict[tuple[str, str], list[tuple[str, Any, Any]]]:
        """The places of the CPTS's own actors by ``(kind, code)``: [(actor id, specialty, commune)]."""
        if self._roster_by_key is None:
            by_key: dict[tuple[str, str], list[tuple[str, Any, Any]]] = {}
            for aid, places in self.roster_places(store).items():
                for kind, code, specialty, commune in places:
                    by_key.setdefault((kind, code), []).append((aid, specialty, commune))
            self._roster_by_key = by_key
        return self._roster_by_key

    def roster_places(self, store: GraphStore) -> dict[str, list[tuple[str, str, Any, Any]]]:
        """The places of the CPTS's own actors (members, participants, partners...): id -> [(kind, code,
        specialty, commune)], read once per loaded graph.

        A search that reads only the nearest communes still meets every actor the CPTS
        knows, whatever its distance.
        """
        if self._roster_places is None:
            pros = sorted(i for i, label in self.roster.labels.items() if label == "Professional")
            structures = sorted(i for i, label in self.roster.labels.items() if label == "Structure")
            places: dict[str, list[tuple[str, str, Any, Any]]] = {}
            for i in range(0, max(len(pros), len(structures)), LOCATED_BATCH):
                for row in run_query(store, "match_actors_by_id", professionals=pros[i:i + LOCATED_BATCH],
                                     structures=structures[i:i + LOCATED_BATCH]):
                    places.setdefault(row["id"], []).append((row["kind"], row["code"], row["specialty"],
                                                             row["commune"]))
            self._roster_places = places
            settle()
        return self._roster_places

    def warm(self, store: GraphStore) -> None:
        """Read now what the first match of a national graph would read: the per-commune counts, the
        pathways' structures, the places of the CPTS's own actors (seconds at France scale).

        Nothing to do on a graph read at once (a territory).
        """
        if not self.preloaded:
            self._commune_counts(store)
            self._ensure_structures(store)
            self.roster_places(store)

    def located(self, commune: str, key: tuple[str, str]) -> Sequence[tuple[str, Any]]:
        """[(actor id, specialty)] of this ``(kind, code)`` in ``commune``, read by :meth:`ensure_located`."""
        if key[0] == "structure" and self._structures is not None:
            return self._structures.get(commune, {}).get(key, ())
        return self._located.get(commune, {}).get(key, ())

    def _ensure_structures(self, store: GraphStore) -> None:
        """Read once every structure of a category some role accepts, by commune.

        A few tens of thousands of rows at France scale: reading them by zone took one
        query of several milliseconds per role, each walking every activity of the zone's
        communes to find the few structures.
        """
        if self._structures is None:
            at: dict[str, dict[tuple[str, str], list[tuple[str, Any]]]] = {}
            for row in run_query(store, "match_structures_located", categories=self.role_codes()[1]):
                at.setdefault(row["commune"], {}).setdefault(("structure", row["code"]), []).append(
                    (row["id"], None))
            self._structures = at
            settle()

    def role_codes(self) -> tuple[list[str], list[str]]:
        """Every profession and every structure category some role of some pathway accepts."""
        roles = [r for p in self.catalog.values() for s in p.stages for r in s.roles]
        return sorted({c for r in roles for c in r.professions}), sorted({c for r in roles for c in r.categories})

    def label(self, scheme: str, code: str) -> str:
        """The label of a code (``TRE_G15``, ``TRE_R38``, ``FINESS_CAT``), or the code itself."""
        return self.labels.get(f"{scheme}:{code}", code)

    def distances(self, origin: str, radius: float = DISTANCE_CACHE_KM) -> tuple[dict[str, float],
                                                                                list[tuple[float, str]]]:
        """Km from ``origin`` to the communes within ``radius`` km at least: by code, and as a sorted list.

        Kept per origin (the last 1024 origins); a wider radius than the one kept is
        computed again (at most ``DISTANCE_CACHE_KM``).
        """
        radius = min(radius, DISTANCE_CACHE_KM)
        held = self._distances.get(origin)
        if held is None or held[0] < radius:
            if held is None and len(self._distances) >= 1024:
                self._distances.clear()
            reach = radius
            km = self.index.within(origin, reach)
            held = self._distances[origin] = (reach, km, sorted((d, c) for c, d in km.items()))
        return held[1], held[2]

    def professions(self) -> list[tuple[str, str]]:
        """(code, label) of every profession some role of some pathway accepts, by label."""
        codes = {c for p in self.catalog.values() for s in p.stages for r in s.roles for c in r.professions}
        return sorted(((c, self.label("TRE_G15", c)) for c in codes), key=lambda x: normalize_name(x[1]))


def settle(grown: int | None = None) -> None:
    """Take the objects alive now out of the garbage collector's scans (:func:`gc.freeze`).

    The caches of a national graph hold millions of small objects (actors by commune,
    per-commune counts). Python's full collections walk them all: at France
    scale a full collection took up to 1.5 s, hitting one match in twenty. These caches
    live as long as the loaded graph, and what they drop is still freed by reference
    counting (they make no reference cycle), so they are frozen once built, and again
    each time they have grown by :data:`FREEZE_EVERY` entries (``grown``: entries just
    added). A reference cycle alive at that moment is never collected, which is why
    freezing stays rare rather than once per match.
    """
    global _unfrozen
    if grown is not None:
        _unfrozen += grown
        if _unfrozen < FREEZE_EVERY:
            return
    _unfrozen = 0
    gc.freeze()


def _version(store: GraphStore) -> tuple[Any, ...]:
    """A cheap fingerprint of the loaded graph (source files and last load time)."""
    rows = run_query(store, "match_graph_version")
    row = rows[0] if rows else {}
    return (getattr(store, "graph_name", None), row.get("sources"), row.get("loaded_at"))


def match_data(store: GraphStore, cache: dict[Any, Any] | None = None) -> MatchData:
    """The derived data of ``store``, rebuilt only when the graph was reloaded.

    Parameters
    ----------
    store : the graph store.
    cache : a dict kept by the caller between matches (None: build every time).
    """
    version = _version(store)
    key = ("graph.matching", id(store))
    if cache is not None:
        held = cache.get(key)
        if held is not None and held.version == version:
            return held
    communes = [Commune(id=r["id"], name=r.get("name") or r["id"], department=r.get("department") or "",
                        postal_codes=list(r.get("postal_codes") or []), population=r.get("population"),
                        lat=r.get("lat"), lon=r.get("lon")) for r in run_query(store, "match_communes")]
    catalog = _load_catalog(store)
    ids = set()
    for p in catalog.values():
        for s in p.stages:
            for r in s.roles:
                ids.update(f"TRE_G15:{c}" for c in r.professions)
                ids.update(f"TRE_R38:{c}" for c in r.specialties)
                ids.update(f"FINESS_CAT:{c}" for c in r.categories)
    labels = {r["id"]: r["label"] for r in run_query(store, "match_concept_labels", ids=sorted(ids)) if r.get("label")}
    data = MatchData(index=CommuneIndex(communes), catalog=catalog, labels=labels, roster=_load_roster(store),
                     version=version)
    if len(communes) <= PRELOAD_MAX_COMMUNES:
        data.ensure_located(store, [c.id for c in communes])
        data.preloaded = True
    if cache is not None:
        cache[key] = data
    settle()
    return data
