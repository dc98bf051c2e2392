"""The collaboration graph: a NetworkX view of the territory's actors and their declared links.

Nodes are **actors**:

- every ``Professional``;
- the ``Structure`` nodes that can take part in care: a FINESS category named by
  a pathway role, or a site where a professional practises, or a structure that
  is a CPTS member, takes part in a stage, is party to a partnership, declares an
  intervention zone, is a pathway référent, or is the FINESS entry of a CPTS.
  Other FINESS sites (social centres, schools, hostels...) stay out;
- a CPTS that is party to a partnership is its registered ``Structure``
  (``REGISTERED_AS``), or, when it has none, a node of kind ``CPTS`` (id = the
  territory id).

Edges are **declared links**, not observed patient sharing (the care-density
literature, Pollack 2013, counts shared patients; we have none). Each edge has a
``kind``:

- ``partnership``: two co-parties of a ``Partnership`` (attributes: the
  partnership id, its type ``partnership_kind`` and ``pathways``);
- ``works_at``: a professional's ``Activity`` at a FINESS structure that is a node;
- ``shared_site``: two professionals practising at the same site (same FINESS
  number, else same « identifiant technique de la structure », else same SIRET).
  Sites of more than :data:`CLIQUE_LIMIT` professionals (hospitals) are joined as
  a ring instead of a clique: same connectivity, no false articulation point,
  n edges instead of n²/2;
- ``handoff``: a participant of stage *k* of a pathway and a participant of stage
  *k + 1* who are already linked (partnership, shared site or works_at): the
  link that carries the patient from one stage to the next. It doubles an
  existing link, so it changes no connectivity, but says which links serve a
  pathway's hand-offs.

Membership of the CPTS is **not** a link (every member would otherwise hang
on the CPTS and nobody would look isolated).

Pathways, stages (with their roles), communes and territories are kept in
``G.graph`` so that the analyses of this package are pure functions of ``G``.
The queries are portable Cypher (no ``point.distance``, no ``COUNT {}`` /
``EXISTS {}``): they run unchanged on FalkorDB and Neo4j.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Iterator, Mapping

import networkx as nx

from graph.store import gc_paused

__all__ = [
    "PROJECTION_QUERIES",
    "PAGED_QUERIES",
    "QueryRows",
    "PagedRows",
    "CLIQUE_LIMIT",
    "ACTOR_KINDS",
    "fetch_rows",
    "build_network",
    "store_to_networkx",
    "collaboration_graph",
    "induced_collaboration",
    "gc_paused",
    "actor_nodes",
    "sector_of_category",
]

#: above this many professionals at one site, shared-site edges form a ring, not a clique
CLIQUE_LIMIT = 30

#: the ``kind`` attribute of actor nodes
ACTOR_KINDS = ("Professional", "Structure", "CPTS")

#: one read-only, portable query per kind of row the projection needs
PROJECTION_QUERIES: dict[str, str] = {
    "professionals": (
        "MATCH (p:Professional) WHERE (p.id ENDS WITH $suffix AND $suffix <> '') "
        "OR ($suffix = '' AND NOT right(p.id, 1) IN $digits) "
        "RETURN p.id AS id, p.first_name AS first_name, p.last_name AS last_name, "
        "p.profession_code AS profession_code, p.profession_label AS profession_label, "
        "p.specialty_code AS specialty_code, p.specialty_label AS specialty_label, p.synthetic AS synthetic"
    ),
    "activities": (
        "MATCH (p:Professional)-[:HAS_ACTIVITY]->(a:Activity) WHERE (p.id ENDS WITH $suffix AND $suffix <> '') "
        "OR ($suffix = '' AND NOT right(p.id, 1) IN $digits) "
        "OPTIONAL MATCH (a)-[:AT_STRUCTURE]->(s:Structure) "
        "RETURN p.id AS professional, a.commune AS commune, a.mode_code AS mode, "
        "coalesce('finess:' + a.structure, 'ref:' + a.structure_ref, 'siret:' + a.siret) AS site, "
        "s.id AS structure"
    ),
    "structures": (
        "MATCH (s:Structure) RETURN s.id AS id, s.name AS name, s.category_code AS category_code, "
        "s.category_label AS category_label, s.commune AS commune, s.lat AS lat, s.lon AS lon, "
        "s.phone AS phone, s.synthetic AS synthetic"
    ),
    "parties": (
        "MATCH (x)-[:PARTY_TO]->(pt:Partnership) RETURN pt.id AS partnership, pt.name AS name, pt.kind AS kind, "
        "pt.signed AS signed, labels(x)[0] AS label, x.id AS actor"
    ),
    "partnership_pathways": (
        "MATCH (pt:Partnership)-[:FOR_PATHWAY]->(pw:Pathway) RETURN pt.id AS partnership, pw.id AS pathway"
    ),
    "memberships": (
        "MATCH (x)-[:HAS_MEMBERSHIP]->(m:Membership)-[:OF_TERRITORY]->(t:Territory) "
        "RETURN labels(x)[0] AS label, x.id AS actor, t.id AS territory, m.role AS role, "
        "m.accepting_new_patients AS accepting, m.home_visits AS home_visits, m.last_verified AS last_verified"
    ),
    "participations": (
        "MATCH (x)-[:PARTICIPATES]->(pa:Participation)-[:IN_STAGE]->(st:Stage) "
        "RETURN labels(x)[0] AS label, x.id AS actor, st.id AS stage, pa.accepting_new_patients AS accepting, "
        "pa.home_visits AS home_visits, pa.last_verified AS last_verified"
    ),
    "interventions": (
        "MATCH (x)-[:INTERVENES_IN]->(c:Commune) RETURN labels(x)[0] AS label, x.id AS actor, c.id AS commune"
    ),
    "pathways": "MATCH (pw:Pathway) RETURN pw.id AS id, pw.name AS name, pw.theme AS theme",
    "referents": (
        "MATCH (pw:Pathway)-[:HAS_REFERENT]->(x) RETURN pw.id AS pathway, labels(x)[0] AS label, x.id AS actor"
    ),
    "stages": (
        "MATCH (pw:Pathway)-[:HAS_STAGE]->(st:Stage) RETURN pw.id AS pathway, st.id AS id, st.key AS key, "
        "st.name AS name, st.`order` AS ord"
    ),
    "roles": (
        "MATCH (st:Stage)-[:REQUIRES]->(r:RoleRequirement) RETURN st.id AS stage, r.id AS id, r.key AS key, "
        "r.label AS label, r.professions AS professions, r.specialties AS specialties, "
        "r.categories AS categories, r.radius_km AS radius_km, r.home_visit AS home_visit, r.optional AS optional"
    ),
    "communes": (
        "MATCH (c:Commune) RETURN c.id AS id, c.name AS name, c.department AS department, "
        "c.population AS population, c.lat AS lat, c.lon AS lon"
    ),
    "territories": (
        "MATCH (t:Territory) OPTIONAL MATCH (t)-[:REGISTERED_AS]->(s:Structure) "
        "RETURN t.id AS id, t.name AS name, s.id AS structure"
    ),
    "covers": "MATCH (t:Territory)-[:COVERS]->(c:Commune) RETURN t.id AS territory, c.id AS commune",
}

#: the queries read in pages, one per last character of the professional id (0-9, then any other)
PAGED_QUERIES = ("professionals", "activities")
PAGE_DIGITS = list("0123456789")
PAGE_SUFFIXES = PAGE_DIGITS + [""]

_HOSPITAL = {"101", "106", "109", "122", "127", "128", "129", "131", "146", "156", "161", "355", "362", "365",
             "366", "412", "415", "425", "430", "444", "696", "697", "698"}
_CITY = {"124", "603", "610", "611", "620", "627", "628", "636", "347"}
_COORDINATION = {"604", "606", "463"}


def sector_of_category(code: str | None) -> str:
    """The care sector of a FINESS category: hôpital, ville, coordination or médico-social.

    >>> sector_of_category("355"), sector_of_category("603"), sector_of_category("500")
    ('hôpital', 'ville', 'médico-social')
    """
    if code in _HOSPITAL:
        return "hôpital"
    if code in _CITY:
        return "ville"
    if code in _COORDINATION:
        return "coordination"
    return "médico-social"


class QueryRows:
    """The rows of one query, handed out as dicts made on the fly (a national projection cannot hold
    two million activity rows twice)."""

    def __init__(self, columns: list[str], rows: list[list[Any]]) -> None:
        self.columns = columns
        self.rows = rows

    def __iter__(self) -> Iterator[dict[str, Any]]:
        columns = self.columns
        return (dict(zip(columns, row)) for row in self.rows)

    def __len__(self) -> int:
        return len(self.rows)


class PagedRows:
    """The rows of a paged query (:data:`PAGED_QUERIES`), read page by page as they are iterated.

    Only one page (a tenth of the professionals) is held at a time: the national projection
    would not fit in memory with every row read at once.
    """

    def __init__(self, store: Any, query: str, timeout_ms: int | None) -> None:
        self.store, self.query, self.timeout_ms = store, query, timeout_ms

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for suffix in PAGE_SUFFIXES:
            result = self.store.run(self.query, {"suffix": suffix, "digits": PAGE_DIGITS}, timeout_ms=self.timeout_ms)
            columns, rows = result.columns, result.rows
            del result
            for row in rows:
                yield dict(zip(columns, row))
            del rows


def fetch_rows(store: Any, timeout_ms: int | None = 600_000) -> dict[str, QueryRows | PagedRows]:
    """Run the projection queries on a store and return their rows (iterable as dicts), by query name.

    The small queries are run at once; the two big ones (:data:`PAGED_QUERIES`) are run page
    by page when their rows are iterated.

    Parameters
    ----------
    store : a :class:`graph.store.GraphStore` (FalkorDB or Neo4j).
    timeout_ms : time limit of each query (the projection reads the whole graph).

    Raises
    ------
    GraphError
        The store failed (unavailable, timeout).
    """
    out: dict[str, QueryRows | PagedRows] = {}
    for name, query in PROJECTION_QUERIES.items():
        if name in PAGED_QUERIES:
            out[name] = PagedRows(store, query, timeout_ms)
        else:
            result = store.run(query, timeout_ms=timeout_ms)
            out[name] = QueryRows(result.columns, result.rows)
    return out


def _name(first: str | None, last: str | None) -> str:
    """A professional's display name."""
    return " ".join(p for p in (first, last) if p) or "?"


def _site_key(row: Mapping[str, Any]) -> str | None:
    """The key of a practice site shared by several professionals (``site``, else built from the parts)."""
    if row.get("site"):
        return row["site"]
    if row.get("structure") or row.get("finess"):
        return "finess:" + (row.get("structure") or row["finess"])
    if row.get("ref"):
        return "ref:" + row["ref"]
    if row.get("siret"):
        return "siret:" + row["siret"]
    return None


def _flags(row: Mapping[str, Any]) -> dict[str, Any]:
    """The roster flags of a membership or participation row (None when not given)."""
    return {"accepting_new_patients": None if row.get("accepting") is None else bool(row["accepting"]),
            "home_visits": None if row.get("home_visits") is None else bool(row["home_visits"]),
            "last_verified": row.get("last_verified")}


def build_network(rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> nx.MultiGraph:
    """Build the collaboration multigraph from the rows of :data:`PROJECTION_QUERIES`.

    Parameters
    ----------
    rows : query name -> rows (dicts keyed by the query's column names); a missing
        name counts as no rows.

    Returns
    -------
    networkx.MultiGraph
        Actor nodes with attributes ``kind``, ``label``, ``profession_code``,
        ``specialty_code``, ``category_code``, ``member``, ``sector`` and, only when not
        empty, ``communes`` (practice), ``intervenes``, ``covers``, ``stages``,
        ``pathways``, ``memberships`` and ``participation`` (roster flags:
        ``accepting_new_patients``, ``home_visits``, ``last_verified``; participation by
        stage), ``sites`` (large sites only); edges keyed by kind.
        ``G.graph`` holds ``pathways``, ``stages``, ``communes``, ``territories``,
        ``territory_communes`` and ``partnerships``.

    Examples
    --------
    >>> G = build_network({"professionals": [
    ...     {"id": "p1", "first_name": "Ana", "last_name": "Roy", "profession_code": "60"},
    ...     {"id": "p2", "first_name": "Léo", "last_name": "Roy", "profession_code": "10"}],
    ...     "parties": [{"partnership": "c1", "kind": "informel", "label": "Professional", "actor": "p1"},
    ...                 {"partnership": "c1", "kind": "informel", "label": "Professional", "actor": "p2"}]})
    >>> sorted(G.edges(keys=True))
    [('p1', 'p2', 'partnership:c1')]
    """
    with gc_paused():
        return _build(rows)


def _build(rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> nx.MultiGraph:
    """The body of :func:`build_network`."""
    get = lambda name: rows.get(name) or ()  # noqa: E731  (an iterable: lists or QueryRows)
    common: dict[Any, Any] = {}
    same = lambda value: common.setdefault(value, value)  # noqa: E731  (one copy of repeated labels)
    # built in plain dicts, turned into a MultiGraph at the end (far faster than node by node)
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}

    def link(a: str, b: str, key: str, **attrs: Any) -> None:
        """Add (or update) the edge of this key between two actors."""
        u, v = (a, b) if a <= b else (b, a)
        edges[(u, v, key)] = attrs

    # --- pathways, stages, roles, communes, territories (context in G.graph)
    pathways: dict[str, dict[str, Any]] = {}
    for r in get("pathways"):
        pathways[r["id"]] = {"id": r["id"], "name": r.get("name") or r["id"], "theme": r.get("theme"),
                             "stages": [], "referents": []}
    stages: dict[str, dict[str, Any]] = {}
    for r in sorted(get("stages"), key=lambda r: (r["pathway"], r.get("ord") or 0, r["id"])):
        pathways.setdefault(r["pathway"], {"id": r["pathway"], "name": r["pathway"], "theme": None,
                                           "stages": [], "referents": []})
        stages[r["id"]] = {"id": r["id"], "pathway": r["pathway"], "key": r.get("key"),
                           "name": r.get("name") or r["id"], "order": r.get("ord") or 0, "roles": []}
        pathways[r["pathway"]]["stages"].append(r["id"])
    for r in sorted(get("roles"), key=lambda r: r["id"]):
        if r["stage"] in stages:
            stages[r["stage"]]["roles"].append({
                "id": r["id"], "key": r.get("key"), "label": r.get("label") or r["id"],
                "professions": list(r.get("professions") or []), "specialties": list(r.get("specialties") or []),
                "categories": list(r.get("categories") or []), "radius_km": r.get("radius_km"),
                "home_visit": bool(r.get("home_visit")), "optional": bool(r.get("optional")),
            })
    communes = {r["id"]: dict(r) for r in get("communes")}
    territories: dict[str, dict[str, Any]] = {}
    for r in get("territories"):
        territories[r["id"]] = {"id": r["id"], "name": r.get("name") or r["id"], "structure": r.get("structure"),
                                "communes": []}
    for r in get("covers"):
        if r["territory"] in territories:
            territories[r["territory"]]["communes"].append(r["commune"])
    for t in territories.values():
        t["communes"].sort()
    role_categories = {c for s in stages.values() for role in s["roles"] for c in role["categories"]}

    # --- actors (their sets -- communes, intervenes, covers, stages, structures, referent_of, modes,
    # sites -- are made when first filled: a national graph would hold millions of empty ones)
    def new_actor(node: str, **attrs: Any) -> None:
        base = {"member": False, "member_role": None, "memberships": [], "participation": {}, "synthetic": False}
        base.update(attrs)
        nodes[node] = base

    for r in get("professionals"):
        new_actor(r["id"], kind="Professional", label=_name(r.get("first_name"), r.get("last_name")),
                  profession_code=same(r.get("profession_code")), profession_label=same(r.get("profession_label")),
                  specialty_code=same(r.get("specialty_code")), specialty_label=same(r.get("specialty_label")),
                  category_code=None, category_label=None, synthetic=bool(r.get("synthetic")))
    structures = {r["id"]: r for r in get("structures")}

    def add_structure(sid: str) -> None:
        """Make a FINESS structure an actor (once)."""
        r = structures.get(sid)
        if r is None or sid in nodes:
            return
        new_actor(sid, kind="Structure", label=r.get("name") or sid, profession_code=None, profession_label=None,
                  specialty_code=None, specialty_label=None, category_code=r.get("category_code"),
                  category_label=r.get("category_label"), lat=r.get("lat"), lon=r.get("lon"),
                  sector=sector_of_category(r.get("category_code")), synthetic=bool(r.get("synthetic")))
        if r.get("commune"):
            nodes[sid]["communes"] = {r["commune"]}

    linked = {s for s, r in structures.items() if r.get("category_code") in role_categories}
    for name in ("memberships", "participations", "interventions", "parties", "referents"):
        linked.update(r["actor"] for r in get(name) if r.get("label") == "Structure")
    linked.update(t["structure"] for t in territories.values() if t["structure"])
    for sid in sorted(linked):
        add_structure(sid)  # the sites where professionals practise join while activities are read
    for t in territories.values():
        if t["structure"] in nodes:
            nodes[t["structure"]].setdefault("covers", set()).update(t["communes"])

    def actor(label: str | None, ident: str) -> str | None:
        """The node of a (label, id) pair, mapping a CPTS to its structure or its own node."""
        if label == "Territory":
            t = territories.get(ident)
            if t and t["structure"] in nodes:
                return t["structure"]
            if ident not in nodes:
                new_actor(ident, kind="CPTS", label=t["name"] if t else ident, profession_code=None,
                          profession_label=None, specialty_code=None, specialty_label=None, category_code="604",
                          category_label="CPTS", sector="coordination",
                          covers=set(t["communes"]) if t else set())
            return ident
        return ident if ident in nodes else None

    # --- activities: practice communes, works_at, shared sites
    sites: dict[str, set[str]] = defaultdict(set)
    for r in get("activities"):  # read once: a national projection streams it page by page
        p = r["professional"]
        if p not in nodes:
            continue
        attrs = nodes[p]
        if r.get("commune"):
            attrs.setdefault("communes", set()).add(same(r["commune"]))
        if r.get("mode"):
            attrs.setdefault("modes", set()).add(r["mode"])
        s = r.get("structure")
        if s:
            add_structure(s)
        if s and s in nodes:
            attrs.setdefault("structures", set()).add(s)
            link(p, s, "works_at", kind="works_at")
        key = _site_key(r)
        if key:
            sites[key].add(p)
            attrs.setdefault("sites", set()).add(key)
    for key in sorted(sites):
        members = sorted(sites[key])
        if len(members) < 2:
            continue
        pairs = ([(a, b) for i, a in enumerate(members) for b in members[i + 1:]] if len(members) <= CLIQUE_LIMIT
                 else list(zip(members, members[1:] + members[:1])))
        for a, b in pairs:
            link(a, b, f"shared_site:{key}", kind="shared_site", site=key)
    for p, attrs in nodes.items():
        if attrs["kind"] == "Professional":
            sectors = {nodes[s]["sector"] for s in attrs.get("structures", ())}
            liberal = "L" in attrs.get("modes", ()) or not attrs.get("structures")
            attrs["sector"] = ("ville" if liberal or "ville" in sectors
                               else "hôpital" if "hôpital" in sectors
                               else sorted(sectors)[0])

    # --- the CPTS's own files: memberships, participations, interventions, référents
    for r in get("memberships"):
        node = actor(r.get("label"), r["actor"])
        if node is None:
            continue
        attrs = nodes[node]
        attrs["member"] = True
        attrs["member_role"] = r.get("role") or attrs["member_role"]
        attrs["memberships"].append({"territory": r.get("territory"), **_flags(r)})
    for r in get("participations"):
        node = actor(r.get("label"), r["actor"])
        if node is not None and r["stage"] in stages:
            nodes[node].setdefault("stages", set()).add(r["stage"])
            nodes[node]["participation"][r["stage"]] = _flags(r)
    for r in get("interventions"):
        node = actor(r.get("label"), r["actor"])
        if node is not None:
            nodes[node].setdefault("intervenes", set()).add(r["commune"])
    for r in get("referents"):
        node = actor(r.get("label"), r["actor"])
        if node is not None and r["pathway"] in pathways:
            nodes[node].setdefault("referent_of", set()).add(r["pathway"])
            pathways[r["pathway"]]["referents"].append(node)

    # --- partnerships
    partnerships: dict[str, dict[str, Any]] = {}
    for r in get("parties"):
        pt = partnerships.setdefault(r["partnership"], {"id": r["partnership"], "name": r.get("name"),
                                                        "kind": r.get("kind"), "signed": bool(r.get("signed")),
                                                        "parties": [], "pathways": []})
        node = actor(r.get("label"), r["actor"])
        if node is not None and node not in pt["parties"]:
            pt["parties"].append(node)
    for r in get("partnership_pathways"):
        if r["partnership"] in partnerships:
            partnerships[r["partnership"]]["pathways"].append(r["pathway"])
    for pid in sorted(partnerships):
        pt = partnerships[pid]
        pt["parties"].sort()
        pt["pathways"].sort()
        for i, a in enumerate(pt["parties"]):
            for b in pt["parties"][i + 1:]:
                link(a, b, f"partnership:{pid}", kind="partnership", partnership=pid,
                           partnership_kind=pt["kind"], name=pt["name"], pathways=list(pt["pathways"]))

    # --- pathway hand-offs: consecutive stages' participants already linked
    participants: dict[str, set[str]] = defaultdict(set)
    for node, attrs in nodes.items():
        for st in attrs.get("stages", ()):
            participants[st].add(node)
    involved = set().union(*participants.values()) if participants else set()
    adj: dict[str, set[str]] = defaultdict(set)  # neighbours of the participants only
    for u, v, _k in edges:
        if u in involved:
            adj[u].add(v)
        if v in involved:
            adj[v].add(u)
    for pw in sorted(pathways):
        order = pathways[pw]["stages"]
        for s1, s2 in zip(order, order[1:]):
            nxt = participants.get(s2, set())
            for u in sorted(participants.get(s1, ())):
                for v in sorted(adj[u] & nxt):
                    if v != u:
                        link(u, v, f"handoff:{s1}>{s2}", kind="handoff", pathway=pw,
                                   from_stage=s1, to_stage=s2)

    # keep only what the analyses read, and no empty collection (a national graph has 1.6 million nodes)
    rings = {k for k, v in sites.items() if len(v) > CLIQUE_LIMIT}
    for _n, attrs in nodes.items():
        pathways_of = {stages[s]["pathway"] for s in attrs.get("stages", ())}.union(attrs.get("referent_of", ()))
        if pathways_of:
            attrs["pathways"] = sorted(pathways_of)
        ring = [k for k in attrs.pop("sites", ()) if k in rings]
        if ring:
            attrs["sites"] = sorted(ring)
        attrs.pop("modes", None)
        attrs.pop("structures", None)
        for name in ("communes", "intervenes", "covers", "stages", "referent_of"):
            value = attrs.pop(name, None)
            if value:
                attrs[name] = sorted(value)
        for name in ("memberships", "participation", "member_role"):
            if not attrs[name]:
                del attrs[name]
        for name in [k for k, v in attrs.items() if v is None]:
            del attrs[name]
    all_territory = sorted({c for t in territories.values() for c in t["communes"]})
    G = nx.MultiGraph()
    # hand each node and edge over as it is copied into the graph: never two copies of a national graph
    G.add_nodes_from((n, nodes.pop(n)) for n in list(nodes))
    G.add_edges_from((*key, edges.pop(key)) for key in list(edges))
    G.graph.update(pathways=pathways, stages=stages, communes=communes, territories=territories,
                   territory_communes=all_territory, partnerships=partnerships,
                   ring_sites=sorted(rings))
    return G


def store_to_networkx(store: Any, timeout_ms: int | None = 600_000) -> nx.MultiGraph:
    """Project a store (FalkorDB or Neo4j) to the collaboration multigraph (see the module docstring).

    Named after rdflib's ``rdflib_to_networkx_multidigraph``.

    Raises
    ------
    GraphError
        The store failed.
    """
    return build_network(fetch_rows(store, timeout_ms=timeout_ms))


def collaboration_graph(G: nx.Graph) -> nx.Graph:
    """Collapse parallel links into one simple edge carrying ``kinds`` and ``weight`` (link count).

    Node attributes and ``G.graph`` are kept (shared, not copied).

    >>> M = nx.MultiGraph()
    >>> M.add_edge("a", "b", key="works_at", kind="works_at")
    'works_at'
    >>> M.add_edge("a", "b", key="partnership:c", kind="partnership")
    'partnership:c'
    >>> H = collaboration_graph(M)
    >>> H["a"]["b"]["kinds"], H["a"]["b"]["weight"]
    (['partnership', 'works_at'], 2)
    """
    if not G.is_multigraph():
        return G
    with gc_paused():
        return _collapse(G)


def _collapse(G: nx.MultiGraph) -> nx.Graph:
    """The body of :func:`collaboration_graph`."""
    H = nx.Graph()
    H.graph = G.graph
    H.add_nodes_from(G.nodes(data=True))
    done: set[Any] = set()
    pairs = []
    for u, nbrs in G.adjacency():
        for v, keydict in nbrs.items():
            if v not in done:
                pairs.append((u, v, {"weight": len(keydict),
                                     "kinds": sorted({d.get("kind") for d in keydict.values()})}))
        done.add(u)
    H.add_edges_from(pairs)
    return H


def induced_collaboration(G: nx.Graph, nodes: Iterable[str], collapsed: nx.Graph | None = None) -> nx.Graph:
    """The collapsed collaboration graph induced on ``nodes``, shared sites re-linked among them.

    A large site's professionals are joined as a ring in ``G`` (see :data:`CLIQUE_LIMIT`); in a
    subgraph the ring would break, so the chosen professionals of such a site are joined by a
    ring of their own: two colleagues of a hospital stay linked in a pathway's subgraph.
    ``collapsed`` is :func:`collaboration_graph` of ``G`` when the caller already has it.

    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "a")], ring_sites=["ref:h"])
    >>> for n in "abc": G.nodes[n]["sites"] = ["ref:h"]
    >>> sorted(induced_collaboration(G, ["a", "c"]).edges())
    [('a', 'c')]
    >>> G.remove_edge("c", "a")
    >>> sorted(induced_collaboration(G, ["a", "c"]).edges())
    [('a', 'c')]
    """
    keep = set(nodes)
    if collapsed is not None:
        sub = collapsed.subgraph(keep).copy()
    else:  # collapse the subgraph only, not the whole (national) graph
        sub = collaboration_graph(G.subgraph(keep)) if G.is_multigraph() else G.subgraph(keep).copy()
    rings = set(G.graph.get("ring_sites") or ())
    if rings:
        members: dict[str, list[str]] = defaultdict(list)
        for n in sorted(keep):
            for key in G.nodes[n].get("sites") or ():
                if key in rings:
                    members[key].append(n)
        for key, ns in members.items():
            pairs = zip(ns, ns[1:] + ns[:1]) if len(ns) > 2 else zip(ns, ns[1:])
            for a, b in pairs:
                if not sub.has_edge(a, b):
                    sub.add_edge(a, b, weight=1, kinds=["shared_site"])
    return sub


def actor_nodes(G: nx.Graph, within: Iterable[str] | None = None) -> list[str]:
    """The actors of ``G``, or those practising in (or intervening in) one of the ``within`` communes.

    >>> G = nx.Graph(); G.add_node("a", communes=["59178"], intervenes=[]); G.add_node("b", communes=["62001"])
    >>> actor_nodes(G, within={"59178"})
    ['a']
    """
    if within is None:
        return sorted(G.nodes)
    zone = set(within)
    return sorted(n for n, d in G.nodes(data=True)
                  if zone.intersection(d.get("communes") or ()) or zone.intersection(d.get("intervenes") or ())
                  or zone.intersection(d.get("covers") or ()))
