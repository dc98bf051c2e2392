"""Connectivity of the collaboration graph at national scale: isolated actors and cut-off groups, no NetworkX.

:mod:`graph.analysis.projection` builds the collaboration graph as a NetworkX
multigraph with every attribute the analyses read: at national scale (1.6 million
actors) that takes minutes and gigabytes. The isolation analysis needs only who is
linked to whom, so this module reads the same graph in a compact form:

- the same **actors** (professionals; care structures; a CPTS as its registered
  structure, else its own node), interned as integers;
- the same **links**, for connectivity only, merged in a union-find: ``works_at``
  (a professional and the structure of an activity), ``shared_site`` (the
  professionals of one site, by the same ``finess:`` / ``ref:`` / ``siret:`` key),
  ``partnership`` (the co-parties of a partnership). A site or a partnership of
  *n* actors costs *n* unions (a star on its first actor), never *n²/2* pairs.
  Hand-offs double existing links: they change nothing here.

:class:`Links` answers as :func:`graph.analysis.isolation.isolated_actors` and
:func:`~graph.analysis.isolation.outside_main_component` do on
:func:`~graph.analysis.projection.store_to_networkx` (the tests check it), with
the same ``within`` filter (actors practising in, intervening in or covering
these communes; practice places are asked of the store only when a ``within`` is given).

Reading two million activities costs as much in the client's decoding of each
value as in the server, so the big query (``practice``) returns **one string
per row** (the professional id, :data:`SEP`, the site key) and is read in pages
of :data:`PAGE_SIZE` professionals, the server computing the next page while
this one is processed. Three facts of the loaded graph are used, and checked
(any difference and everything is read again, in one page, without them):

- pages by ``SKIP`` / ``LIMIT`` (no order: cheap) hold every professional once:
  as many distinct ids as ``count`` of the label;
- a professional's rows come one after another, so a new id is a new actor
  with no look-up (no id twice);
- ``works_at`` is the site's FINESS number when a structure has that id, as the
  loaders write ``AT_STRUCTURE``: as many as there are ``AT_STRUCTURE`` relationships.

The queries are portable Cypher (no ``COUNT {}``, ``EXISTS {}`` or procedure):
they run unchanged on FalkorDB and Neo4j.
"""
from __future__ import annotations

from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from itertools import compress
from typing import Any, Callable, Container, Iterable, Iterator, Mapping, Sequence

from graph.analysis.projection import gc_paused

__all__ = ["SEP", "LINK_QUERIES", "ZONE_QUERIES", "PAGE_SIZE", "Links", "build_links", "links_from_store",
           "practice_row"]

#: joins the values of a packed row (ASCII unit separator: in no id, code or site key)
SEP = "\x1f"

_SITE = "coalesce('finess:' + a.structure, 'ref:' + a.structure_ref, 'siret:' + a.siret)"

#: read-only, portable queries; rows are read by position, in the order of each RETURN
LINK_QUERIES: dict[str, str] = {
    "professionals": "MATCH (p:Professional) RETURN count(p) AS n",
    "at_structure": "MATCH ()-[r:AT_STRUCTURE]->() RETURN count(r) AS n",
    "role_categories": (
        "MATCH (:Pathway)-[:HAS_STAGE]->(:Stage)-[:REQUIRES]->(r:RoleRequirement) RETURN r.categories AS categories"
    ),
    "structures": "MATCH (s:Structure) RETURN s.id AS id, s.category_code IN $categories AS role",
    "territories": (
        "MATCH (t:Territory) OPTIONAL MATCH (t)-[:REGISTERED_AS]->(s:Structure) RETURN t.id AS id, s.id AS structure"
    ),
    "covers": "MATCH (t:Territory)-[:COVERS]->(c:Commune) RETURN t.id AS territory, c.id AS commune",
    "memberships": (
        "MATCH (x)-[:HAS_MEMBERSHIP]->(:Membership)-[:OF_TERRITORY]->(:Territory) "
        "RETURN DISTINCT labels(x)[0] AS label, x.id AS actor"
    ),
    "participations": (
        "MATCH (x)-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(:Stage) "
        "RETURN DISTINCT labels(x)[0] AS label, x.id AS actor"
    ),
    "interventions": (
        "MATCH (x)-[:INTERVENES_IN]->(c:Commune) RETURN labels(x)[0] AS label, x.id AS actor, c.id AS commune"
    ),
    "referents": "MATCH (:Pathway)-[:HAS_REFERENT]->(x) RETURN DISTINCT labels(x)[0] AS label, x.id AS actor",
    "parties": (
        "MATCH (x)-[:PARTY_TO]->(pt:Partnership) RETURN pt.id AS partnership, labels(x)[0] AS label, x.id AS actor"
    ),
    # paged: every professional, one packed row per activity (the id alone when it has none)
    "practice": (
        "MATCH (p:Professional) WITH p SKIP $skip LIMIT $limit OPTIONAL MATCH (p)-[:HAS_ACTIVITY]->(a:Activity) "
        "RETURN p.id + coalesce($sep + " + _SITE + ", '') AS row"
    ),
    # read only when the AT_STRUCTURE relationships are not those of the activities' FINESS numbers
    "works_at": (
        "MATCH (p:Professional)-[:HAS_ACTIVITY]->(:Activity)-[:AT_STRUCTURE]->(s:Structure) "
        "RETURN p.id + $sep + s.id AS row"
    ),
}

#: the practice places of a ``within`` (the other places are read with the links)
ZONE_QUERIES: dict[str, str] = {
    "practising": (
        "MATCH (p:Professional)-[:HAS_ACTIVITY]->(a:Activity) WHERE a.commune IN $codes RETURN DISTINCT p.id AS actor"
    ),
    "located": "MATCH (s:Structure) WHERE s.commune IN $codes RETURN s.id AS actor",
}

#: professionals per page of ``practice`` (SKIP / LIMIT: checked, see :func:`links_from_store`)
PAGE_SIZE = 250_000
#: pages computed by the server at a time, while the client reads the previous one
PAGES_AHEAD = 2
_ALL = 2**31 - 1  # LIMIT of one page of everything (FalkorDB reads LIMIT as a 32-bit integer)

Rows = Iterable[Sequence[Any]]
_UNSEEN = -(1 << 40)  # in ``first``: the site of a structure that is no actor yet


def practice_row(professional: str, site: str | None = None) -> list[str]:
    """A ``practice`` row as the store returns it.

    >>> practice_row("p1", "ref:cab") == ["p1" + SEP + "ref:cab"]
    True
    """
    return [professional + (SEP + site if site else "")]


class Links:
    """The actors of the collaboration graph and their connected components.

    Made by :func:`links_from_store` or :func:`build_links`. ``ids[i]`` is the id of actor ``i``,
    ``root[i]`` the root of its component; an actor with no link is a component of its own (no
    self-loop is kept). ``components`` counts the groups of two actors or more, ``main_size`` the
    largest.
    """

    def __init__(self, ids: list[str], known: Container[str], parent: list[int], places: list[tuple[int, str]],
                 zone: Callable[[list[str]], Iterable[str]]) -> None:
        self.ids, self._known = ids, known
        self._places, self._zone_of, self._zones = places, zone, {}
        for x in range(len(parent)):  # every actor straight under its root
            r = parent[x]
            if parent[r] != r:
                while parent[r] != r:
                    parent[r] = r = parent[parent[r]]
                parent[x] = r
        self.root = parent
        sizes = Counter(parent)
        self._alone = [r for r, k in sizes.items() if k == 1]
        groups = {r: k for r, k in sizes.items() if k > 1}
        self.components = len(groups)  # groups of two actors or more
        self.main_size = best = max(groups.values(), default=0)
        ties = [r for r, k in groups.items() if k == best]
        # the members of every group but the main one (of the tied largest ones too, to break the tie)
        members: dict[int, list[int]] = {r: [] for r, k in groups.items() if len(ties) > 1 or k != best}
        for x in compress(range(len(parent)), map(members.__contains__, parent)):
            members[parent[x]].append(x)
        self.main = min(ties, key=lambda r: min(ids[i] for i in members[r])) if len(ties) > 1 else \
            (ties[0] if ties else -1)
        members.pop(self.main, None)
        self._cut = sorted((sorted(ids[i] for i in m) for m in members.values()),
                           key=lambda names: (-len(names), names[0]))

    def __len__(self) -> int:
        return len(self.ids)

    def zone(self, within: Iterable[str]) -> set[str]:
        """The actors practising in, intervening in or covering one of these communes."""
        codes = sorted(set(within))
        key = tuple(codes)
        if key not in self._zones:
            wanted = set(codes)
            found = {self.ids[a] for a, c in self._places if c in wanted}
            found.update(a for a in (self._zone_of(codes) if codes else ()) if a in self._known)
            self._zones = {key: found}  # the last zone only
        return self._zones[key]

    def isolated(self, within: Iterable[str] | None = None) -> list[str]:
        """The actors with no link at all, in id order (as ``isolation.isolated_actors``)."""
        ids = self.ids
        if within is None:
            return sorted(ids[x] for x in self._alone)
        zone = self.zone(within)
        return sorted(n for n in (ids[x] for x in self._alone) if n in zone)

    def main_component(self) -> set[str]:
        """The ids of the largest group of linked actors (ties: smallest actor id); empty without links."""
        main, ids = self.main, self.ids
        return {ids[x] for x, r in enumerate(self.root) if r == main} if main >= 0 else set()

    def outside_main(self, within: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The linked actors outside the main component: ``{"actor", "component", "size"}`` rows, as
        ``isolation.outside_main_component`` gives them (groups numbered from 1 = the largest)."""
        zone = None if within is None else self.zone(within)
        return [{"actor": n, "component": k, "size": len(names)} for k, names in enumerate(self._cut, 1)
                for n in names if zone is None or n in zone]

    def summary(self, within: Iterable[str] | None = None) -> dict[str, int]:
        """Headline figures: actors, isolated, outside main, main component, groups of linked actors."""
        return {"actors": len(self.ids) if within is None else len(self.zone(within)),
                "isolated": len(self.isolated(within)), "outside_main": len(self.outside_main(within)),
                "main_component": self.main_size, "components": self.components}


def build_links(rows: Mapping[str, Rows], *, derive_works_at: bool = True,
                zone: Callable[[list[str]], Iterable[str]] | None = None) -> Links:
    """Build :class:`Links` from the rows of :data:`LINK_QUERIES` (sequences in the order of each RETURN).

    ``practice`` and ``works_at`` rows are packed strings (see :func:`practice_row`). With
    ``derive_works_at`` the ``works_at`` links are the activities' FINESS sites that are
    structures; else they are the ``works_at`` rows. ``zone(codes)`` gives the actors practising
    or located in these communes (default: from ``practising`` and ``located`` rows of
    (actor, commune) pairs). A missing name counts as no rows.

    Examples
    --------
    >>> links = build_links({
    ...     "practice": [practice_row("p1", "ref:cab"), practice_row("p2", "ref:cab"), practice_row("p3"),
    ...                  practice_row("p4", "finess:s1")],
    ...     "structures": [("s1", False)], "practising": [("p3", "59170")]})
    >>> links.isolated()
    ['p3']
    >>> links.outside_main()
    [{'actor': 'p4', 'component': 1, 'size': 2}, {'actor': 's1', 'component': 1, 'size': 2}]
    >>> links.isolated(within=["59178"]), links.isolated(within=["59170"]), links.summary()["main_component"]
    ([], ['p3'], 2)
    """
    if zone is None:
        pairs = [(a, c) for name in ("practising", "located") for a, c in rows.get(name) or ()]
        zone = lambda codes: {a for a, c in pairs if c in codes}  # noqa: E731
    with gc_paused():
        links, _derived = _build(rows, derive_works_at, zone)
        if links is None:  # an id came back: intern every id
            links, _derived = _build(rows, derive_works_at, zone, runs=False)
    return links  # type: ignore[return-value]


def _build(rows: Mapping[str, Rows], derive: bool, zone: Callable[[list[str]], Iterable[str]],
           runs: bool = True, professionals: int | None = None) -> tuple[Links | None, int]:
    """The body of :func:`build_links`; also returns how many ``works_at`` links were derived from FINESS sites.

    With ``runs`` the ``practice`` rows of a professional are taken to follow one another (as the
    query gives them): a new id starts a new actor, with no look-up. When an id comes back (or a
    professional has the id of a structure), or when the rows do not name ``professionals``
    professionals (when given), the result is None: build again without ``runs``.
    """
    get = lambda name: rows.get(name) or ()  # noqa: E731
    ids: list[str] = []
    index: dict[str, int] = {}  # with runs, filled only after the activities are read
    parent: list[int] = []  # the union-find: an actor's parent, itself for a root (path halving)
    places: list[tuple[int, str]] = []  # (actor, commune) read with the links: covers, interventions

    def new(ident: str) -> int:
        """Intern an actor id (once)."""
        i = index.get(ident)
        if i is None:
            i = index[ident] = len(ids)
            ids.append(ident)
            parent.append(i)
        return i

    def join(a: int, b: int) -> None:
        """A link between two actors: their components merge (a self-loop links nobody)."""
        while parent[a] != a:
            parent[a] = a = parent[parent[a]]
        while parent[b] != b:
            parent[b] = b = parent[parent[b]]
        if a != b:
            parent[a] = b

    # --- the structures that are actors before any activity is read (as projection.build_network)
    structures: set[str] = set()
    linked_ids: set[str] = set()
    for sid, role in get("structures"):
        if sid is not None:
            structures.add(sid)
            if role:
                linked_ids.add(sid)
    actor_rows = {name: list(get(name)) for name in ("memberships", "participations", "interventions",
                                                      "parties", "referents")}
    linked_ids.update(r[1] for name in ("memberships", "participations", "interventions", "referents")
                      for r in actor_rows[name] if r[0] == "Structure")
    linked_ids.update(r[2] for r in actor_rows["parties"] if r[1] == "Structure")
    registered = {t: s for t, s in get("territories")}
    linked_ids.update(s for s in registered.values() if s)
    for sid in sorted(linked_ids & structures):
        new(sid)
    covers: dict[str, list[str]] = {}
    for t, c in get("covers"):
        covers.setdefault(t, []).append(c)
    for t, s in registered.items():
        if s in index:
            places.extend((index[s], c) for c in covers.get(t, ()))

    # --- professionals and their activities. A site is a star on its first actor, or, when its
    # FINESS number is a structure (~actor in ``first``, _UNSEEN before it is one), on that
    # structure: its works_at and shared_site links at once.
    first: dict[str, int] = {}
    if derive:
        first.update(("finess:" + sid, ~index[sid] if sid in index else _UNSEEN) for sid in structures)
    setfirst, add_id, grow = first.setdefault, ids.append, parent.append
    n, derived, last, i = len(ids), 0, None, -1
    for (row,) in get("practice"):
        if row is None:
            continue  # a professional without id: no node (NetworkX refuses None)
        pid, _, site = row.partition(SEP)
        if pid != last:
            last = pid
            if runs:
                i = n
                add_id(pid)
                grow(n)
                n += 1
            else:
                i = new(pid)
        if not site:
            continue
        f = setfirst(site, i)
        if f == i:
            continue
        if f < 0:
            derived += 1
            if f == _UNSEEN:
                f = new(site[7:])
                first[site] = ~f
                n = len(ids)
            else:
                f = ~f
        while parent[f] != f:
            parent[f] = f = parent[parent[f]]
        a = i
        while parent[a] != a:
            parent[a] = a = parent[parent[a]]
        if a != f:
            parent[a] = f
    del first
    known: set[str] | dict[str, int] = index
    if runs:  # every id once (the others are in index)? then look up only the ids the other rows name
        known = set(ids)
        if len(known) != len(ids) or professionals not in (None, len(ids) - len(index)):
            return None, derived
        if derive:
            wanted = {r[2] if name == "parties" else r[1] for name, found in actor_rows.items() for r in found}
            wanted.difference_update(index)
            index.update((ids[k], k) for k in compress(range(len(ids)), map(wanted.__contains__, ids)))
        else:  # the works_at rows name any professional
            index.update(zip(ids, range(len(ids))))
    if not derive:
        for (row,) in get("works_at"):
            pid, _, sid = row.partition(SEP)
            if pid in index and sid in structures:
                join(index[pid], new(sid))

    def actor(label: str | None, ident: str) -> int | None:
        """The actor of a (label, id) pair: a CPTS is its registered structure, else its own node."""
        if label == "Territory":
            s = registered.get(ident)
            if s is not None and s in index:
                return index[s]
            if ident not in index:  # a CPTS node, covering its territory
                i = new(ident)
                places.extend((i, c) for c in (covers.get(ident, ()) if ident in registered else ()))
            return index[ident]
        return index.get(ident)

    for name in ("memberships", "participations", "referents"):
        for label, ident in actor_rows[name]:
            actor(label, ident)
    for label, ident, commune in actor_rows["interventions"]:
        node = actor(label, ident)
        if node is not None and commune:
            places.append((node, commune))
    # --- partnerships: the co-parties, a star on the first one
    party: dict[str, int] = {}
    for pid, label, ident in actor_rows["parties"]:
        node = actor(label, ident)
        if node is not None:
            join(node, party.setdefault(pid, node))
    return Links(ids, known, parent, places, zone), derived


class _Paged:
    """The rows of ``practice``, page after page of :data:`PAGE_SIZE` professionals (``pages`` of them,
    None: one page of all); the server computes the next pages (:data:`PAGES_AHEAD`) while this
    one is read, from the moment the object is made."""

    def __init__(self, run: Callable[[str, dict[str, Any]], list], pages: int | None) -> None:
        self._params = deque({"skip": k * PAGE_SIZE, "limit": PAGE_SIZE} for k in range(pages)) \
            if pages is not None else deque([{"skip": 0, "limit": _ALL}])
        self._pool = ThreadPoolExecutor(max_workers=PAGES_AHEAD)
        self._pending: deque = deque()
        self._run = run
        self._fill()

    def _fill(self) -> None:
        while self._params and len(self._pending) < PAGES_AHEAD:
            self._pending.append(self._pool.submit(self._run, "practice", {"sep": SEP, **self._params.popleft()}))

    def __iter__(self) -> Iterator[Sequence[Any]]:
        try:
            while self._pending:
                rows = self._pending.popleft().result()
                self._fill()
                yield from rows
                del rows
        finally:
            self.close()

    def close(self) -> None:
        """Wait for the pages under way, read no more."""
        self._params.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)


def links_from_store(store: Any, timeout_ms: int | None = 600_000) -> Links:
    """Read the actors and links of a store (FalkorDB or Neo4j) into :class:`Links`.

    The ``practice`` pages (SKIP / LIMIT, no order) are checked: as many professionals as the
    label holds, each once, and as many ``works_at`` links as ``AT_STRUCTURE`` relationships.
    Otherwise everything is read again in one page, with the relationships themselves.

    Raises
    ------
    GraphError
        The store failed (unavailable, timeout).
    """
    def run(name: str, params: dict[str, Any] | None = None) -> list:
        return store.run(LINK_QUERIES[name], params, timeout_ms=timeout_ms).rows

    def zone(codes: list[str]) -> set[str]:
        return {r[0] for name in ZONE_QUERIES
                for r in store.run(ZONE_QUERIES[name], {"codes": codes}, timeout_ms=timeout_ms).rows}

    count = lambda name: sum(r[0] for r in run(name))  # noqa: E731  (no row: the graph does not exist yet)
    with gc_paused():  # the pages too: millions of small lists, no cycle
        professionals = count("professionals")
        practice = _Paged(run, -(-professionals // PAGE_SIZE))  # under way while the small queries are read
        try:
            at_structure = count("at_structure")
            categories = sorted({c for (cats,) in run("role_categories") for c in cats or ()}, key=repr)
            rows: dict[str, Rows] = {"structures": run("structures", {"categories": categories})}
            rows.update((name, run(name)) for name in ("territories", "covers", "memberships", "participations",
                                                       "interventions", "referents", "parties"))
            links, derived = _build({**rows, "practice": practice}, True, zone, professionals=professionals)
            if links is None or derived != at_structure:  # read again, with the relationships themselves
                practice.close()
                practice = _Paged(run, None)
                links, _ = _build({**rows, "practice": practice, "works_at": run("works_at", {"sep": SEP})},
                                  False, zone, runs=False)
        finally:
            practice.close()
    return links  # type: ignore[return-value]
