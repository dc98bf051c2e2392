"""The store holds only declared terms: every node label, relationship type and property is in the ontology.

The ontology (ontology/maillage.ttl) is the single schema: a class per node
label, an object property per relationship type, a datatype property per
property key, each carrying its property-graph name (``mai:pgName``). These
tests read the labels, relationship types, property keys and (source label,
type, target label) patterns of a loaded store and check each against the file:
the name is declared, and the term's ``sdo:domainIncludes`` / ``sdo:rangeIncludes``
name the labels it is found on. Run on the shipped demo territory and on a
hand-built territory.
"""
from __future__ import annotations

import pytest
from rdflib import URIRef

from graph.rdf import load_ontology, vocabulary
from graph.writer import GraphWriter
from ontology.namespace import MAI, SDO
from test_shacl import sample_records


def schema_problems(store) -> list[str]:
    """Every label, relationship type, property or pattern of the store the ontology does not declare."""
    onto, v = load_ontology(), vocabulary()
    problems = []
    counts = store.counts()
    for label in counts["nodes"]:
        if label not in v.classes:
            problems.append(f"node label {label} is not a class")
    for rtype in counts["relationships"]:
        if rtype not in v.relations:
            problems.append(f"relationship type {rtype} is not an object property")
    for name, keys in store.property_keys().items():
        if name in v.classes:
            cls = v.classes[name]
            for key in sorted(keys):
                term = v.properties.get(key)
                if term is None:
                    problems.append(f"property {name}.{key} is not a datatype property")
                elif (term[0], SDO.domainIncludes, cls) not in onto:
                    problems.append(f"property {key} ({term[0]}) does not list {name} in sdo:domainIncludes")
        elif name in counts["relationships"]:
            rel = v.relations.get(name)
            allowed = {str(onto.value(p, MAI.pgName)) for p in onto.objects(rel, MAI.pgEdgeProperty)} if rel else set()
            for key in sorted(keys):
                if key not in allowed:
                    problems.append(f"property {key} of relationship {name} is not a declared mai:pgEdgeProperty")
        else:
            problems.append(f"{name} holds properties but is neither a class nor an object property")
    patterns = store.run("MATCH (a)-[r]->(b) RETURN DISTINCT labels(a)[0] AS src, type(r) AS type, "
                         "labels(b)[0] AS dst ORDER BY src, type, dst").rows
    for src, rtype, dst in patterns:
        rel = v.relations.get(rtype)
        if rel is None or src not in v.classes or dst not in v.classes:
            continue  # reported above
        if (rel, SDO.domainIncludes, v.classes[src]) not in onto:
            problems.append(f"{src}-{rtype}->{dst}: {src} is not in the sdo:domainIncludes of {rel}")
        if (rel, SDO.rangeIncludes, v.classes[dst]) not in onto:
            problems.append(f"{src}-{rtype}->{dst}: {dst} is not in the sdo:rangeIncludes of {rel}")
    for label in counts["nodes"]:
        multi = store.run(f"MATCH (n:{label}) WHERE size(labels(n)) > 1 RETURN count(n)").scalar()
        if multi:
            problems.append(f"{multi} {label} node(s) carry more than one label")
    return problems


def test_demo_store_holds_only_declared_terms(request):
    from loaders.territory import demo_territory_path

    if not demo_territory_path().exists():
        pytest.skip(f"the demo territory file {demo_territory_path()} is not there yet")
    demo_store = request.getfixturevalue("demo_store")
    counts = demo_store.counts()
    assert counts["nodes"] and counts["relationships"]
    assert schema_problems(demo_store) == []


def test_hand_built_store_holds_only_declared_terms(store):
    w = GraphWriter(store)
    w.prepare()
    w.add_all(sample_records())
    w.flush()
    assert set(store.counts()["nodes"]) == set(vocabulary().classes)  # every label is exercised
    assert schema_problems(store) == []


def test_an_undeclared_property_is_caught(store):
    w = GraphWriter(store)
    w.prepare()
    w.add_all(sample_records())
    w.flush()
    store.write("MATCH (s:Structure {id: $id}) SET s.couleur = $v", {"id": "590000014", "v": "bleu"})
    store.write("MATCH (a:Structure {id: $a}), (b:Structure {id: $b}) CREATE (a)-[:VOISIN_DE {km: 1}]->(b)",
                {"a": "590000014", "b": "590063194"})
    store.write("MATCH (p:Professional {id: $id})-[r:HAS_ACTIVITY]->(a) SET r.depuis = $v",
                {"id": "810101234567", "v": "2020"})
    store.write("MATCH (c:Commune {id: $c}), (p:Professional {id: $p}) CREATE (c)-[:COVERS]->(p)",
                {"c": "59178", "p": "810101234567"})
    assert sorted(schema_problems(store)) == [
        "Commune-COVERS->Professional: Commune is not in the sdo:domainIncludes of "
        "https://maillage.fr/ontology#covers",
        "Commune-COVERS->Professional: Professional is not in the sdo:rangeIncludes of "
        "https://maillage.fr/ontology#covers",
        "property Structure.couleur is not a datatype property",
        "property depuis of relationship HAS_ACTIVITY is not a declared mai:pgEdgeProperty",
        "property km of relationship VOISIN_DE is not a declared mai:pgEdgeProperty",
        "relationship type VOISIN_DE is not an object property",
    ]


def test_has_stage_order_is_the_only_relationship_property():
    onto, v = load_ontology(), vocabulary()
    carried = {(name, str(onto.value(p, MAI.pgName))) for name, rel in v.relations.items()
               for p in onto.objects(rel, MAI.pgEdgeProperty)}
    assert carried == {("HAS_STAGE", "order")}
    assert isinstance(v.relations["HAS_STAGE"], URIRef)
