"""The ontology (ontology/maillage.ttl) and its Python mirror (ontology/namespace.py), both ways.

Like Datasette's test_docs.py compares what is registered with what is
documented: every MAI term is declared in the Turtle file and every term of the
file is in MAI; every term is labelled, explained and aligned; the model's
fields are all declared; the nomenclature section holds the official codes and
labels of the shipped nomenclature files.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph.model import RECORD_TYPES
from graph.rdf import load_ontology, skos_turtle, vocabulary
from ontology.namespace import FHIR, MAI, MAISH, ONTOLOGY_PATH, SHAPES_PATH, SDO, bind_namespaces

NOMENCLATURES = Path(__file__).resolve().parents[1] / "loaders" / "demo" / "nomenclatures"
NS = str(MAI._NS)
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
ALIGNMENTS = (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch,
              SKOS.narrowMatch, SKOS.relatedMatch)


@pytest.fixture(scope="module")
def onto() -> Graph:
    """The parsed ontology."""
    return load_ontology()


def declared(g: Graph) -> set[URIRef]:
    """The mai: terms the file declares (typed as a class or a property)."""
    return {s for kind in KINDS for s in g.subjects(RDF.type, kind) if str(s).startswith(NS)}


def test_every_mai_term_is_declared_in_the_turtle_file(onto):
    assert {MAI[name] for name in MAI.__annotations__} - declared(onto) == set()


def test_every_term_of_the_turtle_file_is_in_mai(onto):
    assert {str(t)[len(NS):] for t in declared(onto)} - set(MAI.__annotations__) == set()


def test_no_term_of_the_file_is_used_without_being_declared(onto):
    used = {t for triple in onto for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
    assert used - declared(onto) == set()


def test_a_typo_is_an_attribute_error():
    with pytest.raises(AttributeError, match="term 'Profesional' not in namespace"):
        MAI.Profesional  # noqa: B018


@pytest.mark.parametrize("term", sorted(MAI.__annotations__))
def test_each_term_is_labelled_explained_and_aligned(onto, term):
    t = MAI[term]
    assert any(lbl.language == "fr" for lbl in onto.objects(t, RDFS.label)), f"{term}: no French rdfs:label"
    assert list(onto.objects(t, RDFS.comment)), f"{term}: no rdfs:comment"
    external = [o for p in ALIGNMENTS for o in onto.objects(t, p) if not str(o).startswith(NS)]
    assert external or list(onto.objects(t, SKOS.editorialNote)), f"{term}: no alignment nor editorial note"


@pytest.mark.parametrize("kind, field", [(OWL.Class, "classes"), (OWL.ObjectProperty, "relations"),
                                         (OWL.DatatypeProperty, "properties")])
def test_each_class_and_property_names_its_property_graph_term_once(onto, kind, field):
    terms = {s for s in onto.subjects(RDF.type, kind) if str(s).startswith(NS)}
    names = [str(onto.value(t, MAI.pgName)) for t in terms]
    assert None not in [onto.value(t, MAI.pgName) for t in terms]
    assert len(names) == len(set(names))
    assert set(getattr(vocabulary(), field)) == set(names)


def test_classes_are_aligned_with_fhir_and_a_w3c_or_schema_org_class(onto):
    for cls in onto.subjects(RDF.type, OWL.Class):
        if not str(cls).startswith(NS):
            continue
        matches = set(onto.objects(cls, SKOS.closeMatch)) | set(onto.objects(cls, SKOS.exactMatch))
        assert any(str(m).startswith(str(FHIR)) for m in matches), f"{cls}: no FHIR resource"
        parents = set(onto.objects(cls, RDFS.subClassOf))
        assert parents and not any(str(p).startswith(NS) for p in parents), f"{cls}: no external superclass"


def test_known_alignments(onto):
    assert (MAI.Activity, SKOS.exactMatch, FHIR.PractitionerRole) in onto
    assert (MAI.Membership, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Membership")) in onto
    assert (MAI.Partnership, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#OrganizationalCollaboration")) in onto
    assert (MAI.Commune, RDFS.subClassOf, URIRef("http://www.opengis.net/ont/geosparql#Feature")) in onto
    assert (MAI.Concept, RDFS.subClassOf, SKOS.Concept) in onto
    assert (MAI.Source, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in onto
    assert (MAI.Professional, RDFS.subClassOf, SDO.Person) in onto


def test_every_field_of_the_model_is_declared_with_its_label_as_domain(onto):
    missing = []
    v = vocabulary()
    for rtype in RECORD_TYPES:
        if not rtype.LABEL:
            continue
        cls = v.classes[rtype.LABEL]
        for f in dataclasses.fields(rtype):
            if f.name in rtype.EDGE_FIELDS:
                continue
            term = v.properties.get(f.name)
            if term is None or (term[0], SDO.domainIncludes, cls) not in onto:
                missing.append(f"{rtype.LABEL}.{f.name}")
    assert missing == []


def _model_relationship_types() -> set[str]:
    """Relationship types the model's records produce (read from the source of graph/model.py)."""
    import re

    import graph.model

    return set(re.findall(r'Edge\("([A-Z_]+)"', Path(graph.model.__file__).read_text(encoding="utf-8")))


def test_relationship_types_of_the_model_are_declared():
    assert _model_relationship_types() - set(vocabulary().relations) == set()


def test_concept_schemes_at_their_mos_canonical_urls():
    schemes = vocabulary().schemes
    assert schemes["TRE_G15"] == ("https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/"
                                  "TRE-G15-ProfessionSante")
    assert schemes["TRE_R38"] == ("https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/"
                                  "TRE-R38-SpecialiteOrdinale")
    assert schemes["FINESS_CAT"] == "https://maillage.fr/id/scheme/FINESS_CAT"
    for code, iri in schemes.items():
        if code.startswith("TRE_"):
            name = iri.split("/NOS/")[1].split("/")[0]
            assert iri == f"https://mos.esante.gouv.fr/NOS/{name}/FHIR/{name.replace('_', '-')}"


def test_nomenclature_section_holds_the_official_codes_and_labels():
    from loaders.errors import LoadReport
    from loaders.nomenclatures import read_nomenclature

    files = ["TRE_G15_ProfessionSante.csv", "TRE_R38_SpecialiteOrdinale.csv",
             "TRE_R66_CategorieEtablissement_extrait.csv", "finess_categories_etablissement_2021.csv"]
    concepts = [c for f in files for c in read_nomenclature(NOMENCLATURES / f, LoadReport())]
    text = ONTOLOGY_PATH.read_text(encoding="utf-8")
    marker = "# GENERATED: nomenclature concepts"
    assert marker in text
    generated = text.split(marker, 1)[1].split("\n", 2)[2].lstrip("\n")
    assert generated == skos_turtle(concepts), "regenerate the section (ontology/README.md)"


@pytest.mark.parametrize("scheme, code, label", [
    ("TRE_G15", "10", "Médecin"),
    ("TRE_G15", "60", "Infirmier"),
    ("TRE_R38", "SM54", "Médecine générale (SM)"),
    ("TRE_R66", "606", "Dispositif d'appui à la coordination (DAC)"),
    ("FINESS_CAT", "603", "Maison de santé (L.6223-3)"),
    ("FINESS_CAT", "604", "Communautés professionnelles territoriales de santé (CPTS)"),
])
def test_some_official_codes(onto, scheme, code, label):
    iri = URIRef(f"{vocabulary().schemes[scheme]}/{code}")
    assert (iri, RDF.type, SKOS.Concept) in onto
    assert str(onto.value(iri, SKOS.prefLabel)) == label
    assert str(onto.value(iri, SKOS.notation)) == code
    assert onto.value(iri, SKOS.inScheme) == URIRef(vocabulary().schemes[scheme])


def test_shapes_parse_and_use_only_declared_terms(onto):
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(NS)}
    assert used - declared(onto) == set()
    text = SHAPES_PATH.read_text(encoding="utf-8")
    import re

    in_queries = {MAI[m] for m in re.findall(r"\bmai:([A-Za-z][A-Za-z0-9]*)", text)}
    assert in_queries - declared(onto) == set()


def test_every_rule_has_a_french_name_and_message():
    shapes = Graph().parse(SHAPES_PATH, format="turtle")
    SH = URIRef("http://www.w3.org/ns/shacl#")
    rules = set()
    for kind in ("PropertyShape", "SPARQLConstraint"):
        rules |= set(shapes.subjects(RDF.type, URIRef(f"{SH}{kind}")))
    for rule in rules:
        assert str(rule).startswith(str(MAISH)), rule
        assert any(lbl.language == "fr" for lbl in shapes.objects(rule, RDFS.label)), rule
        messages = list(shapes.objects(rule, URIRef(f"{SH}message")))
        uses_component = any(shapes.objects(rule, MAISH.today)) or any(shapes.objects(rule, MAISH.staleBefore))
        assert messages or uses_component, f"{rule}: no sh:message"
        assert all(m.language == "fr" for m in messages), rule


def test_bind_namespaces():
    g = bind_namespaces(Graph())
    prefixes = dict(g.namespaces())
    assert str(prefixes["mai"]) == NS and str(prefixes["fhir"]) == "http://hl7.org/fhir/"
    assert str(prefixes["sdo"]) == "https://schema.org/"
