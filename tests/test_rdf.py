"""The RDF projection (graph/rdf.py): IRIs, typed literals, provenance, store = records, round trips."""
from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, PROV, RDF, SKOS, XSD

from graph.model import Commune, Stage, Structure
from graph.rdf import (RDF_FORMATS, RdfSyntaxError, UndeclaredTerm, iri_to_node, node_iri, parse_rdf_file, project,
                       records_to_rdf, store_to_oxigraph, store_to_rdf, vocabulary)
from ontology.namespace import MAI
from test_queries import write_records
from test_shacl import DURAND, MARTIN, sample_records

ID = "https://maillage.fr/id/"
G15 = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"


@pytest.fixture(scope="module")
def sample_graph():
    """The projection of the sample territory."""
    return records_to_rdf(sample_records())


def load(store, records):
    """Write records to a store; every link must resolve."""
    assert write_records(store, records).unresolved == []


@pytest.mark.parametrize("label, node_id, iri", [
    ("Professional", MARTIN, f"{ID}professional/{MARTIN}"),
    ("Professional", DURAND, f"{ID}professional/{DURAND}"),
    ("Structure", "590000014", f"{ID}structure/590000014"),
    ("LegalEntity", "590000105", f"{ID}legal-entity/590000105"),
    ("Commune", "2A004", f"{ID}commune/2A004"),
    ("Epci", "200044618", f"{ID}epci/200044618"),
    ("Membership", f"m:cpts-grand-douai:{MARTIN}", f"{ID}membership/m:cpts-grand-douai:{MARTIN}"),
    ("Stage", "ic.suivi", f"{ID}stage/ic.suivi"),
    ("RoleRequirement", "ic.suivi.ide", f"{ID}role/ic.suivi.ide"),
    ("Source", "finess:finess douai.csv", f"{ID}source/finess:finess%20douai.csv"),
    ("Partnership", "conv/1#a", f"{ID}partnership/conv%2F1%23a"),
    ("Concept", "TRE_G15:60", f"{G15}/60"),
    ("Concept", "FINESS_CAT:603", f"{ID}scheme/FINESS_CAT/603"),
    ("Concept", "XYZ:1", f"{ID}scheme/XYZ/1"),
])
def test_stable_iris_and_back(label, node_id, iri):
    assert node_iri(label, node_id) == iri
    if label != "Concept":
        assert iri_to_node(iri) == (label, node_id)


def test_unknown_label_has_no_iri():
    with pytest.raises(UndeclaredTerm, match="node label 'Patient' has no IRI pattern"):
        node_iri("Patient", "1")


def test_professional_triples(sample_graph):
    g, me = sample_graph, URIRef(f"{ID}professional/{MARTIN}")
    assert set(g.predicate_objects(me)) == {
        (RDF.type, MAI.Professional),
        (MAI.id, Literal(MARTIN)),
        (MAI.idType, Literal("RPPS")),
        (MAI.identifier, Literal("10101234567")),
        (MAI.lastName, Literal("MARTIN")),
        (MAI.firstName, Literal("Jean")),
        (MAI.civility, Literal("Dr")),
        (MAI.professionCode, Literal("10")),
        (MAI.professionLabel, Literal("Médecin")),
        (MAI.specialtyCode, Literal("SM54")),
        (MAI.source, Literal("ps.txt")),
        (MAI.sourceLine, Literal(2)),
        (MAI.synthetic, Literal(True)),
        (MAI.hasProfession, URIRef(f"{G15}/10")),
        (MAI.hasSpecialty,
         URIRef("https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale/SM54")),
        (MAI.hasActivity, URIRef(f"{ID}activity/a:{MARTIN}:1")),
        (MAI.hasMembership, URIRef(f"{ID}membership/m:cpts-grand-douai:{MARTIN}")),
        (MAI.participates, URIRef(f"{ID}participation/p:{MARTIN}:ic.depistage")),
        (PROV.wasDerivedFrom, URIRef(f"{ID}source/rpps:ps.txt")),
    }


def test_literals_are_typed_by_the_ontology(sample_graph):
    g = sample_graph
    douai = URIRef(f"{ID}commune/59178")
    assert g.value(douai, MAI.lat) == Literal("50.3714", datatype=XSD.decimal)
    assert g.value(douai, MAI.population) == Literal(39700)
    assert set(g.objects(URIRef(f"{ID}commune/59350"), MAI.postalCodes)) == {Literal("59000"), Literal("59160")}
    assert g.value(URIRef(f"{ID}membership/m:cpts-grand-douai:{MARTIN}"), MAI.lastVerified) == \
        Literal("2026-03-01", datatype=XSD.date)
    assert g.value(URIRef(f"{ID}source/rpps:ps.txt"), MAI.loadedAt) == \
        Literal("2026-05-01T10:00:00+00:00", datatype=XSD.dateTime)
    assert g.value(URIRef(f"{ID}role/ic.depistage.mt"), MAI.radiusKm) == Literal("15.0", datatype=XSD.decimal)
    assert set(g.objects(URIRef(f"{ID}stage/ic.depistage"), MAI.partage)) == {Literal("MSSanté"), Literal("DMP")}


def test_a_value_that_does_not_fit_its_range_stays_a_plain_string():
    g = records_to_rdf([Structure(id="590000014", name="MSP", opened="31/12/2015")])
    assert g.value(URIRef(f"{ID}structure/590000014"), MAI.opened) == Literal("31/12/2015")


def test_concepts_are_skos(sample_graph):
    g = sample_graph
    inf, cat = URIRef(f"{G15}/60"), URIRef(f"{ID}scheme/FINESS_CAT/603")
    assert set(g.objects(inf, RDF.type)) == {MAI.Concept, SKOS.Concept}
    assert g.value(inf, SKOS.inScheme) == URIRef(G15)
    assert g.value(inf, SKOS.notation) == Literal("60")
    assert g.value(inf, SKOS.prefLabel) == Literal("Infirmier", lang="fr")
    assert g.value(cat, SKOS.broader) == URIRef(f"{ID}scheme/FINESS_AGR/2103")
    assert g.value(cat, MAI.broader) == URIRef(f"{ID}scheme/FINESS_AGR/2103")
    assert g.value(cat, SKOS.exactMatch) == URIRef(f"{R66}/603")


def test_deprecated_concept():
    from graph.model import Concept

    g = records_to_rdf([Concept(id="TRE_G15:99", scheme="TRE_G15", code="99", label="Ancien", status="deprecated")])
    assert g.value(URIRef(f"{G15}/99"), OWL.deprecated) == Literal(True)


@pytest.mark.parametrize("node, source", [
    ("structure/590000014", "finess:finess.csv"),  # by its source file name
    ("legal-entity/590000105", "finess:finess.csv"),  # the only FINESS source
    (f"membership/m:cpts-grand-douai:{DURAND}", "roster:roster.csv"),  # a full path, matched by name
    (f"participation/p:{DURAND}:ic.suivi", "roster:roster.csv"),
    ("pathway/ic", "pathway:ic.yaml"),  # by its definition file
    ("stage/ic.suivi", "pathway:ic.yaml"),  # by its pathway
    ("role/ic.suivi.ide", "pathway:ic.yaml"),
    ("commune/59165", "communes:communes.csv"),
    ("epci/200044618", "epci:epci.csv"),
])
def test_provenance_of_each_node(sample_graph, node, source):
    assert sample_graph.value(URIRef(ID + node), PROV.wasDerivedFrom) == URIRef(f"{ID}source/{source}")


def test_provenance_of_a_nomenclature_code(sample_graph):
    assert sample_graph.value(URIRef(f"{G15}/60"), PROV.wasDerivedFrom) == \
        URIRef(f"{ID}source/nomenclature:nomenclatures")


def test_sources_carry_file_checksum_and_load_date(sample_graph):
    src = URIRef(f"{ID}source/finess:finess.csv")
    g = sample_graph
    assert (src, RDF.type, PROV.Entity) in g and (src, RDF.type, MAI.Source) in g
    assert g.value(src, MAI.file) == Literal("finess.csv")
    assert g.value(src, MAI.sha256) == Literal("a" * 64)
    assert g.value(src, MAI.extracted) == Literal("2021-01-08", datatype=XSD.date)


def test_no_provenance_when_the_source_is_unknown():
    g = records_to_rdf([Commune(id="59178", name="Douai", department="59")])
    assert g.value(URIRef(f"{ID}commune/59178"), PROV.wasDerivedFrom) is None


def test_has_stage_order_lives_on_the_stage(sample_graph):
    g = sample_graph
    assert (URIRef(f"{ID}pathway/ic"), MAI.hasStage, URIRef(f"{ID}stage/ic.suivi")) in g
    assert g.value(URIRef(f"{ID}stage/ic.suivi"), MAI.order) == Literal(2)
    assert (URIRef(f"{ID}stage/ic.depistage"), MAI.next, URIRef(f"{ID}stage/ic.suivi")) in g


def test_only_declared_terms_are_written(sample_graph):
    used = {p for p in sample_graph.predicates() if str(p).startswith(str(MAI._NS))}
    used |= {o for o in sample_graph.objects(None, RDF.type) if str(o).startswith(str(MAI._NS))}
    assert used <= {MAI[name] for name in MAI.__annotations__}


@pytest.mark.parametrize("item, message", [
    (("node", "Structure", {"id": "590000014", "couleur": "bleu"}), "property 'couleur' of Structure"),
    (("node", "Patient", {"id": "1"}), "node label 'Patient'"),
    (("edge", "KNOWS", "Professional", "1", "Professional", "2", {}), "relationship type 'KNOWS'"),
    (("edge", "NEXT", "Stage", "a.b", "Stage", "a.c", {"weight": 1}), "property 'weight' of relationship NEXT"),
])
def test_undeclared_terms_are_refused(item, message):
    with pytest.raises(UndeclaredTerm, match=f"{message} is not declared in ontology/maillage.ttl"):
        list(project([item]))


def test_undeclared_terms_are_listed_when_not_strict():
    g = records_to_rdf([Structure(id="590000014", name="MSP")], strict=False)
    assert g.undeclared == []
    from graph.rdf import Projector, _to_graph

    p = Projector(vocabulary(), strict=False)
    g = _to_graph(project([("node", "Structure", {"id": "590000014", "couleur": "bleu"})], projector=p), p)
    assert g.undeclared == ["property 'couleur' of Structure"]
    assert (URIRef(f"{ID}structure/590000014"), RDF.type, MAI.Structure) in g


def test_store_projection_equals_records_projection(store, sample_graph):
    load(store, sample_records())
    g = store_to_rdf(store, batch_size=3)  # several batches per label
    assert isomorphic(g, sample_graph)
    assert len(g) == len(sample_graph)


def test_store_projection_reads_only(store):
    load(store, sample_records())
    before = store.counts()
    store_to_rdf(store)
    assert store.counts() == before


def test_empty_store_gives_an_empty_graph(store):
    assert len(store_to_rdf(store)) == 0


@pytest.mark.parametrize("fmt", sorted(RDF_FORMATS))
def test_serialisations_parse_back_isomorphic(tmp_path, sample_graph, fmt):
    rdflib_fmt, _ox, suffix = RDF_FORMATS[fmt]
    path = tmp_path / f"territory{suffix}"
    sample_graph.serialize(destination=str(path), format=rdflib_fmt, encoding="utf-8")
    assert isomorphic(parse_rdf_file(path), sample_graph)


def canonical_decimals(g):
    """The graph with xsd:decimal literals in canonical form (pyoxigraph writes 15.0 as 15)."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def test_oxigraph_projection_holds_the_same_triples(store, tmp_path, sample_graph):
    import pyoxigraph as ox

    load(store, sample_records())
    ox_store = store_to_oxigraph(store)
    assert len(ox_store) == len(sample_graph)
    path = tmp_path / "ox.nt"
    ox_store.dump(str(path), ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert isomorphic(canonical_decimals(parse_rdf_file(path)), canonical_decimals(sample_graph))


def test_stage_without_its_pathway_source_has_no_provenance():
    g = records_to_rdf([Stage(id="x.a", pathway="x", key="a", order=1, name="A")])
    assert g.value(URIRef(f"{ID}stage/x.a"), PROV.wasDerivedFrom) is None


@pytest.mark.parametrize("text, suffix, line, reason", [
    ('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', ".ttl", 3,
     "not valid Turtle: newline found in string literal"),
    ("@prefix ex: <http://ex/> .\n\nex:a ex:b ex:c ex:d .\n", ".ttl", 3,
     "not valid Turtle: expected '.' or '}' or ']' at end of statement"),
])
def test_turtle_that_does_not_parse(tmp_path, text, suffix, line, reason):
    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RdfSyntaxError) as err:
        parse_rdf_file(path)
    assert (err.value.file, err.value.line, err.value.reason) == (str(path), line, reason)
    assert str(err.value) == f"{path}:{line}: {reason}"


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(RdfSyntaxError, match="file not found"):
        parse_rdf_file(tmp_path / "absent.ttl")
    bad = tmp_path / "latin1.ttl"
    bad.write_bytes('<http://ex/a> <http://ex/b> "café" .\n'.encode("latin-1"))
    with pytest.raises(RdfSyntaxError) as err:
        parse_rdf_file(bad)
    assert err.value.file == str(bad)


def test_demo_turtle_export_parses_back_isomorphic(request, tmp_path):
    from loaders.territory import demo_territory_path

    if not demo_territory_path().exists():
        pytest.skip(f"the demo territory file {demo_territory_path()} is not there yet")
    demo_store = request.getfixturevalue("demo_store")
    g = store_to_rdf(demo_store)
    path = tmp_path / "demo.ttl"
    g.serialize(destination=str(path), format="turtle")
    back = parse_rdf_file(path)
    assert len(back) == len(g) > 50_000
    assert isomorphic(back, g)
