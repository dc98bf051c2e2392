"""The fast RDF path (graph/rdf_fast.py) writes exactly the triples of the Projector (graph/rdf.py)."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph.rdf import (Projector, UndeclaredTerm, iter_store, project, store_to_oxigraph, store_to_rdf,
                       vocabulary)
from graph.rdf_fast import (NTriplesProjector, iter_ntriples, iter_pages, load_oxigraph, read_rows,
                            store_to_ntriples)
from ontology.namespace import MAI
from test_rdf import load
from test_shacl import sample_records

ID = "https://maillage.fr/id/"

#: strings an N-Triples writer must escape or keep as they are
NASTY = [
    'a "quoted" name', "back\\slash \\n not a newline", "two\nlines\r\nand a tab\t.", "café – “typographic” ’",
    "emoji 🚑 and 漢字", "control \x01\x02\x1f\x7f end", "line\u2028separator", "  spaces  ", "trailing \\",
    "<not an iri>", "'single'", "{braces} |pipe| ^caret `tick`",
]


def reference_triples(store, *, strict=True, batch_size=5000):
    """The Projector's triples as pyoxigraph terms (built as the earlier store_to_oxigraph built them)."""
    p = Projector(vocabulary(), strict=strict)

    def term(o):
        if o[0] == "i":
            return ox.NamedNode(o[1])
        _, lex, dt, lang = o
        if lang:
            return ox.Literal(lex, language=lang)
        return ox.Literal(lex, datatype=ox.NamedNode(dt)) if dt else ox.Literal(lex)

    triples = [ox.Triple(ox.NamedNode(s), ox.NamedNode(pr), term(o))
               for s, pr, o in project(iter_store(store, batch_size=batch_size), projector=p)]
    return triples, p.undeclared


def reference_lines(store, *, strict=True, batch_size=5000):
    """The Projector's triples as canonical N-Triples, and the undeclared terms."""
    triples, undeclared = reference_triples(store, strict=strict, batch_size=batch_size)
    return {str(t) for t in triples}, undeclared


def fast_lines(store, *, strict=True, batch_size=20_000):
    """The fast path's N-Triples, parsed by pyoxigraph and written back canonically."""
    nt = NTriplesProjector(strict=strict)
    data = b"".join(iter_ntriples(store, batch_size=batch_size, chunk=1000, projector=nt))
    return {str(t) for t in ox.parse(data, ox.RdfFormat.N_TRIPLES)}, nt.undeclared, data


def store_lines(ox_store):
    """The triples of a pyoxigraph store, canonical."""
    return {str(q.triple) for q in ox_store}


def reference_store(store, *, strict=True):
    """The projection loaded quad by quad, as the earlier store_to_oxigraph did (typed literals normalised)."""
    s = ox.Store()
    s.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                  for t in reference_triples(store, strict=strict)[0])
    return s


@pytest.fixture
def nasty_store(store):
    """The sample territory plus nodes with nasty strings, odd ids and odd values."""
    load(store, sample_records())
    rows = [
        {"id": f"5900{i:05d}", "name": text, "address": text, "city": text, "source": "finess.csv",
         "source_line": i, "synthetic": i % 2 == 0, "lat": 50.0 + i / 7, "lon": -0.0 if i == 0 else 1e-05 * i}
        for i, text in enumerate(NASTY)
    ]
    rows += [
        {"id": 'odd "id" \\ with spaces/slash#hash%pct', "name": "odd id", "opened": "31/12/2015",
         "closed": "2020-02-30", "updated": "2024-06-01", "source": "elsewhere.csv"},
        {"id": "accentué:é/ü 漢", "name": "unicode id", "lat": 1e16, "lon": 123456789.125, "source_line": "12",
         "synthetic": "TRUE", "phone": 33327000000, "email": True},
        {"id": "newline\nid", "name": "newline in id", "source_line": "+7", "lat": "50.5", "lon": "x"},
    ]
    store.merge_nodes("Structure", rows)
    store.merge_nodes("Commune", [{"id": "59999", "name": "Liste", "department": "59",
                                   "postal_codes": ["59000", "5\n9", 'q"uote'], "population": -3}])
    store.merge_edges("LOCATED_IN", "Structure", "Commune",
                      [{"src": r["id"], "dst": "59999", "props": {}} for r in rows])
    store.merge_edges("HAS_CATEGORY", "Structure", "Concept",
                      [{"src": r["id"], "dst": "FINESS_CAT:603", "props": {}} for r in rows])
    return store


def test_demo_fast_path_equals_the_projector(demo_store):
    ref, ref_undeclared = reference_lines(demo_store)
    fast, undeclared, data = fast_lines(demo_store)
    assert fast == ref
    assert len(ref) > 50_000
    assert undeclared == ref_undeclared == set()
    # the same triples as the rdflib projection too (rdflib parses what the fast path wrote)
    g = Graph().parse(data=data.decode("utf-8"), format="nt")
    assert isomorphic(g, store_to_rdf(demo_store))


def test_demo_oxigraph_store_equals_the_earlier_loading(demo_store):
    ox_store = store_to_oxigraph(demo_store)
    assert store_lines(ox_store) == store_lines(reference_store(demo_store))
    assert len(ox_store) == len(store_to_rdf(demo_store))


def test_nasty_strings_odd_ids_and_odd_values(nasty_store):
    ref, _ = reference_lines(nasty_store)
    for batch_size in (3, 20_000):  # pages of ids (IN $ids, odd ids in the parameters) and one page per label
        fast, undeclared, data = fast_lines(nasty_store, batch_size=batch_size)
        assert fast == ref
        assert undeclared == set()
    g = Graph().parse(data=data.decode("utf-8"), format="nt")
    names = {str(o) for o in g.objects(None, MAI.name)}
    assert set(NASTY) <= names
    assert isomorphic(g, store_to_rdf(nasty_store))
    odd = URIRef(f"{ID}structure/odd%20%22id%22%20%5C%20with%20spaces%2Fslash%23hash%25pct")
    assert g.value(odd, MAI.opened) == Literal("31/12/2015")  # does not fit xsd:date: a plain string
    assert (URIRef(f"{ID}structure/accentu%C3%A9:%C3%A9%2F%C3%BC%20%E6%BC%A2"), MAI.name,
            Literal("unicode id")) in g


def test_nasty_strings_in_an_oxigraph_store(nasty_store):
    assert store_lines(store_to_oxigraph(nasty_store, batch_size=4)) == store_lines(reference_store(nasty_store))


def test_every_node_and_relationship_is_read_once(nasty_store):
    counts = nasty_store.counts()
    for batch_size in (1, 2, 7, 20_000):
        nodes, rels = {}, {}
        for label, props, edges in iter_pages(nasty_store, batch_size=batch_size):
            nodes[label] = nodes.get(label, 0) + len(props)
            for _src, rtype, *_ in edges:
                rels[rtype] = rels.get(rtype, 0) + 1
        assert nodes == counts["nodes"]
        assert rels == counts["relationships"]


def test_compact_reply_rows_equal_the_store_rows(nasty_store):
    for query in ("MATCH (n:Structure) RETURN properties(n) AS props",
                  "MATCH (n:Commune) RETURN n.id, n.postal_codes, n.population, n.lat, properties(n), 1.5, true, null",
                  "MATCH (n:Structure)-[r]->(b) RETURN n.id, type(r), labels(b), labels(b)[0], b.id, properties(r)",
                  "MATCH (n:Source) RETURN n.id, {a: 1, b: [n.id, false]} AS m, point({latitude: 1.5, longitude: 2})"):
        assert read_rows(nasty_store, query) == nasty_store.run(query).rows


@pytest.mark.parametrize("item, message", [
    ("MERGE (n:Structure {id: '590000099'}) SET n.couleur = 'bleu'", "property 'couleur' of Structure"),
    ("MERGE (n:Patient {id: '1'})", "node label 'Patient'"),
    ("MATCH (a:Professional), (b:Professional) WHERE a.id < b.id MERGE (a)-[:KNOWS]->(b)",
     "relationship type 'KNOWS'"),
    ("MATCH (a:Stage {id: 'ic.depistage'}), (b:Stage {id: 'ic.suivi'}) MERGE (a)-[r:NEXT]->(b) SET r.weight = 1",
     "property 'weight' of relationship NEXT"),
    ("MATCH (a:Structure {id: '590000014'}) MERGE (a)-[:LOCATED_IN]->(:Patient {id: '2'})", "node label 'Patient'"),
])
def test_undeclared_terms_strict_and_not(store, item, message):
    load(store, sample_records())
    store.write(item)
    with pytest.raises(UndeclaredTerm, match=f"{message} is not declared"):
        reference_lines(store)
    with pytest.raises(UndeclaredTerm, match=f"{message} is not declared"):
        store_to_oxigraph(store)
    with pytest.raises(UndeclaredTerm, match=f"{message} is not declared"):
        list(iter_ntriples(store))
    ref, ref_undeclared = reference_lines(store, strict=False)
    fast, undeclared, _ = fast_lines(store, strict=False)
    assert fast == ref
    assert undeclared == ref_undeclared
    assert any(u.startswith(message) for u in undeclared)
    nt = NTriplesProjector(strict=False)
    assert store_lines(store_to_oxigraph(store, strict=False, projector=nt)) == \
        store_lines(reference_store(store, strict=False))
    assert nt.undeclared == ref_undeclared


def test_on_disk_store_loaded_by_a_child_process(nasty_store, tmp_path):
    path = tmp_path / "ox"
    ox_store = store_to_oxigraph(nasty_store, path, batch_size=5)
    assert store_lines(ox_store) == store_lines(reference_store(nasty_store))
    del ox_store
    assert len(ox.Store.read_only(str(path))) == len(store_lines(reference_store(nasty_store)))


def test_on_disk_store_in_this_process(nasty_store, tmp_path):
    ox_store = load_oxigraph(iter_ntriples(nasty_store), tmp_path / "ox", child_process=False)
    assert store_lines(ox_store) == store_lines(reference_store(nasty_store))


def test_an_error_while_projecting_stops_the_child_and_is_raised(store, tmp_path):
    load(store, sample_records())
    store.write("MERGE (n:Structure {id: '590000099'}) SET n.couleur = 'bleu'")
    with pytest.raises(UndeclaredTerm, match="property 'couleur' of Structure"):
        store_to_oxigraph(store, tmp_path / "ox")
    with pytest.raises(UndeclaredTerm, match="property 'couleur' of Structure"):
        load_oxigraph(iter_ntriples(store), tmp_path / "ox2", child_process=False)
    with pytest.raises(UndeclaredTerm, match="property 'couleur' of Structure"):
        load_oxigraph(iter_ntriples(store))


def test_a_loader_failure_is_reported(tmp_path):
    from graph.rdf import RdfError

    with pytest.raises(RdfError, match="pyoxigraph could not load"):
        load_oxigraph([b"<https://x/a> <https://x/b> not n-triples .\n"], tmp_path / "ox")


def test_ntriples_file(nasty_store, tmp_path):
    path = tmp_path / "out.nt"
    summary = store_to_ntriples(nasty_store, path)
    parsed = {str(t) for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}
    assert parsed == reference_lines(nasty_store)[0]
    assert summary == {"lines": len(path.read_bytes().splitlines()), "undeclared": []}


def test_empty_store(store, tmp_path):
    assert list(iter_ntriples(store)) == []
    assert len(store_to_oxigraph(store)) == 0
    assert len(store_to_oxigraph(store, tmp_path / "ox")) == 0
