"""SHACL shapes (ontology/shapes.ttl) on a hand-built territory: clean, then broken one way at a time.

The clean territory passes; each deliberately broken copy gives exactly the
expected findings (rule, node, value). ``sample_records`` is also used by the
RDF, CLI and quality-page tests.
"""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.model import (Activity, Commune, Concept, Epci, Intervention, LegalEntity, Membership, Participation,
                         Partnership, Pathway, Professional, RoleRequirement, Source, Stage, Structure, Territory)
from graph.rdf import RdfSyntaxError, records_to_rdf, store_to_rdf
from graph.validation import load_shapes, validate_graph, validate_store
from graph.writer import GraphWriter
from ontology.namespace import MAI

TODAY = date(2026, 6, 1)
SHA = "a" * 64
LOADED = "2026-05-01T10:00:00+00:00"
MARTIN, DURAND = "810101234567", "0591234567"


def sample_records():
    """A small, clean CPTS territory: 2 professionals, 2 FINESS sites, 1 pathway of 2 stages, 1 partnership."""
    return [
        Source(id="nomenclature:nomenclatures", kind="nomenclature", file="nomenclatures", sha256="", rows=6,
               loaded_at=LOADED),
        Source(id="communes:communes.csv", kind="communes", file="communes.csv", sha256=SHA, rows=3, loaded_at=LOADED),
        Source(id="epci:epci.csv", kind="epci", file="epci.csv", sha256=SHA, rows=1, loaded_at=LOADED),
        Source(id="finess:finess.csv", kind="finess", file="finess.csv", sha256=SHA, rows=2, loaded_at=LOADED,
               extracted="2021-01-08"),
        Source(id="rpps:ps.txt", kind="rpps", file="ps.txt", sha256=SHA, rows=2, loaded_at=LOADED, synthetic=True),
        Source(id="pathway:ic.yaml", kind="pathway", file="ic.yaml", sha256=SHA, rows=5, loaded_at=LOADED),
        Source(id="roster:roster.csv", kind="roster", file="roster.csv", sha256=SHA, rows=2, loaded_at=LOADED),
        Source(id="partnerships:partnerships.csv", kind="partnerships", file="partnerships.csv", sha256=SHA,
               rows=1, loaded_at=LOADED),
        Concept(id="TRE_G15:10", scheme="TRE_G15", code="10", label="Médecin"),
        Concept(id="TRE_G15:60", scheme="TRE_G15", code="60", label="Infirmier"),
        Concept(id="TRE_R38:SM54", scheme="TRE_R38", code="SM54", label="Médecine générale (SM)",
                short_label="Médecine générale"),
        Concept(id="FINESS_AGR:2103", scheme="FINESS_AGR", code="2103", label="Autres structures d'exercice libéral"),
        Concept(id="FINESS_CAT:603", scheme="FINESS_CAT", code="603", label="Maison de santé (L.6223-3)",
                broader="FINESS_AGR:2103"),
        Concept(id="FINESS_CAT:604", scheme="FINESS_CAT", code="604",
                label="Communautés professionnelles territoriales de santé (CPTS)", broader="FINESS_AGR:2103"),
        Epci(id="200044618", name="CA Douaisis Agglo", kind="CA", population=130000),
        Commune(id="59178", name="Douai", department="59", region="32", postal_codes=["59500"], population=39700,
                lat=50.3714, lon=3.08, epci="200044618"),
        Commune(id="59165", name="Cuincy", department="59", region="32", postal_codes=["59553"], population=6400,
                lat=50.379, lon=3.0379, epci="200044618"),
        Commune(id="59350", name="Lille", department="59", region="32", postal_codes=["59000", "59160"],
                population=236000, lat=50.6365, lon=3.0635),
        LegalEntity(id="590000105", name="SISA MSP de Douai"),
        Structure(id="590000014", name="MSP de Douai", category_code="603", legal_entity="590000105",
                  commune="59178", opened="2015-01-01", phone="0327000000", lat=50.37, lon=3.08,
                  source="finess.csv", source_line=2),
        Structure(id="590063194", name="CPTS du Grand Douai", category_code="604", commune="59178",
                  opened="2020-01-01", source="finess.csv", source_line=3),
        Professional(id=MARTIN, id_type="RPPS", identifier="10101234567", last_name="MARTIN", first_name="Jean",
                     civility="Dr", profession_code="10", profession_label="Médecin", specialty_code="SM54",
                     source="ps.txt", source_line=2, synthetic=True),
        Professional(id=DURAND, id_type="ADELI", identifier="591234567", last_name="DURAND", first_name="Claire",
                     profession_code="60", profession_label="Infirmier", source="ps.txt", source_line=3,
                     synthetic=True),
        Activity(id=f"a:{MARTIN}:1", professional=MARTIN, mode_code="L", structure="590000014",
                 site_name="MSP de Douai", commune="59178", source="ps.txt", source_line=2, synthetic=True),
        Activity(id=f"a:{DURAND}:1", professional=DURAND, mode_code="L", commune="59165", source="ps.txt",
                 source_line=3, synthetic=True),
        Pathway(id="ic", name="Insuffisance cardiaque", theme="IC", source="HAS, Guide du parcours IC (2014)",
                file="loaders/pathways/ic.yaml", referent=MARTIN, referent_label="Professional"),
        Stage(id="ic.depistage", pathway="ic", key="depistage", order=1, name="Dépistage", qui="Médecin traitant",
              partage=["MSSanté", "DMP"], next_stage="ic.suivi"),
        Stage(id="ic.suivi", pathway="ic", key="suivi", order=2, name="Suivi"),
        RoleRequirement(id="ic.depistage.mt", stage="ic.depistage", key="mt", label="Médecin traitant",
                        professions=["10"], specialties=["SM54"], radius_km=15.0),
        RoleRequirement(id="ic.suivi.ide", stage="ic.suivi", key="ide", label="Infirmier", professions=["60"],
                        home_visit=True),
        Territory(id="cpts-grand-douai", name="CPTS du Grand Douai", finess="590063194",
                  communes=["59178", "59165"], epcis=["200044618"], source="territory.yaml"),
        Membership(id=f"m:cpts-grand-douai:{MARTIN}", territory="cpts-grand-douai", actor_label="Professional",
                   actor=MARTIN, role="referent", since="2023-01-15", accepting_new_patients=True,
                   home_visits=False, last_verified="2026-03-01", source="/cpts/roster.csv", source_line=2),
        Membership(id=f"m:cpts-grand-douai:{DURAND}", territory="cpts-grand-douai", actor_label="Professional",
                   actor=DURAND, role="membre", since="2023-03-01", accepting_new_patients=True, home_visits=True,
                   last_verified="2026-02-01", source="/cpts/roster.csv", source_line=3),
        Participation(id=f"p:{MARTIN}:ic.depistage", actor_label="Professional", actor=MARTIN, stage="ic.depistage",
                      accepting_new_patients=True, last_verified="2026-03-01", source="/cpts/roster.csv"),
        Participation(id=f"p:{DURAND}:ic.suivi", actor_label="Professional", actor=DURAND, stage="ic.suivi",
                      home_visits=True, last_verified="2026-02-01", source="/cpts/roster.csv"),
        Intervention(actor_label="Professional", actor=DURAND, commune="59178"),
        Partnership(id="conv-1", name="Convention MSP - CPTS", kind="convention",
                    parties=[("Structure", "590000014"), ("Territory", "cpts-grand-douai")], pathways=["ic"],
                    start="2024-01-01", end="2026-12-31", signed=True, source="/cpts/partnerships.csv",
                    source_line=2),
    ]


def changed(records, record_id, **changes):
    """A copy of the records where the record of this id has other field values."""
    out = []
    for r in records:
        if getattr(r, "id", None) == record_id:
            r = dataclasses.replace(r, **changes)
        out.append(r)
    return out


def without(records, *record_ids):
    """A copy of the records without those ids."""
    return [r for r in records if getattr(r, "id", None) not in record_ids]


def found(report, severity="violation"):
    """(rule, node id, value) of the findings of a severity."""
    return sorted((f.rule, f.node_id, f.value) for f in report.findings if f.severity == severity)


def check(records, **kwargs):
    """Validate records on the fixed day of these tests."""
    return validate_graph(records_to_rdf(records), today=kwargs.pop("today", TODAY), **kwargs)


def test_clean_territory_conforms():
    report = check(sample_records())
    assert report.findings == []
    assert report.conforms


# --- identifier formats -----------------------------------------------------


@pytest.mark.parametrize("extra, expected", [
    (Professional(id="810101234560", id_type="RPPS", identifier="10101234561", last_name="X"),
     [("ProfessionalIdMatches", "810101234560", "10101234561")]),
    (Professional(id="81010123456", id_type="RPPS", identifier="1010123456", last_name="X"),
     [("ProfessionalIdFormat", "81010123456", "81010123456"), ("RppsFormat", "81010123456", "1010123456")]),
    (Professional(id="059123456", id_type="ADELI", identifier="59123456", last_name="X"),
     [("AdeliFormat", "059123456", "59123456"), ("ProfessionalIdFormat", "059123456", "059123456")]),
    (Professional(id="02A1234567", id_type="ADELI", identifier="2A1234567", last_name="Corse"), []),
    (Professional(id="810101234568", id_type="RPPS+", identifier="10101234568", last_name="X"),
     [("ProfessionalIdType", "810101234568", "RPPS+")]),
    (Structure(id="59000001", name="Trop court"), [("StructureFinessFormat", "59000001", "59000001")]),
    (Structure(id="2A0000019", name="Corse-du-Sud", commune="2A004"), []),
    (Structure(id="590000022", name="Commune fausse", commune="20004"),
     [("StructureCommuneFormat", "590000022", "20004")]),
    (LegalEntity(id="59000010X"), [("LegalEntityFinessFormat", "59000010X", "59000010X")]),
    (Commune(id="20004", name="Ajaccio (ancien code)", department="2A"),
     [("CommuneInseeFormat", "20004", "20004")]),
    (Commune(id="2A004", name="Ajaccio", department="2A", postal_codes=["20000"]), []),
    (Commune(id="2B033", name="Bastia", department="2B"), []),
    (Commune(id="97411", name="Saint-Denis", department="974"), []),
    (Commune(id="5917", name="Quatre chiffres", department="59", postal_codes=["5950"]),
     [("CommuneInseeFormat", "5917", "5917"), ("CommunePostalCodes", "5917", "5950")]),
    (Epci(id="20004461", name="SIREN court"), [("EpciSirenFormat", "20004461", "20004461")]),
], ids=["national-id-mismatch", "national-id-and-rpps", "adeli-8-chars", "adeli-corsica-ok", "id-type",
        "finess-8-chars", "finess-corsica-ok", "structure-insee", "legal-entity-finess", "insee-20xxx",
        "insee-2A-ok", "insee-2B-ok", "insee-overseas-ok", "insee-4-digits", "epci-siren"])
def test_identifier_formats(extra, expected):
    assert found(check(sample_records() + [extra])) == expected


def test_activity_finess_and_commune_formats():
    records = changed(sample_records(), f"a:{DURAND}:1", structure="59A000014", commune="2C001")
    assert found(check(records)) == [
        ("ActivityCommuneFormat", f"a:{DURAND}:1", "2C001"),
        ("ActivityFinessFormat", f"a:{DURAND}:1", "59A000014"),
        ("ActivitySiteKnown", f"a:{DURAND}:1", "59A000014"),
    ]


# --- required properties and well-formed values -----------------------------


@pytest.mark.parametrize("record_id, changes, expected", [
    (MARTIN, {"last_name": None}, [("ProfessionalLastName", MARTIN, None)]),
    ("590000014", {"name": None}, [("StructureName", "590000014", None)]),
    ("59165", {"department": None}, [("CommuneDepartment", "59165", None)]),
    ("conv-1", {"kind": "accord"}, [("PartnershipKind", "conv-1", "accord")]),
    ("conv-1", {"start": "01/02/2024"},  # not a date, so not comparable with the end date either
     [("PartnershipDatesOrdered", "conv-1", "01/02/2024"), ("PartnershipStartDate", "conv-1", "01/02/2024")]),
    (f"m:cpts-grand-douai:{DURAND}", {"role": "président"},
     [("MembershipRole", f"m:cpts-grand-douai:{DURAND}", "président")]),
    (f"m:cpts-grand-douai:{DURAND}", {"last_verified": "2026-02-30"},
     [("MembershipVerifiedDate", f"m:cpts-grand-douai:{DURAND}", "2026-02-30")]),
    ("ic.suivi", {"name": None}, [("StageName", "ic.suivi", None)]),
    ("ic.suivi.ide", {"radius_km": 0.0}, [("RoleRadius", "ic.suivi.ide", "0.0")]),
    ("ic.suivi.ide", {"professions": []}, [("RoleHasCodes", "ic.suivi.ide", None)]),
    ("rpps:ps.txt", {"sha256": "abc"}, [("SourceChecksum", "rpps:ps.txt", "abc")]),
], ids=["last-name", "structure-name", "department", "partnership-kind", "date-format", "member-role",
        "impossible-date", "stage-name", "radius", "role-without-codes", "checksum"])
def test_required_properties_and_values(record_id, changes, expected):
    assert found(check(changed(sample_records(), record_id, **changes))) == expected


def test_a_partnership_needs_two_parties():
    records = changed(sample_records(), "conv-1", parties=[("Structure", "590000014")])
    assert found(check(records)) == [("PartnershipParties", "conv-1", None)]


# --- checks across registries ------------------------------------------------


def test_activity_site_missing_from_finess():
    records = changed(sample_records(), f"a:{DURAND}:1", structure="590099999")
    report = check(records)
    assert found(report) == [("ActivitySiteKnown", f"a:{DURAND}:1", "590099999")]
    finding = report.violations[0]
    assert (finding.actor_label, finding.actor_id, finding.actor_name) == ("Professional", DURAND, "Claire DURAND")
    assert (finding.source, finding.line, finding.origin()) == ("ps.txt", 3, "ps.txt:3")
    assert finding.rule_label == "Site FINESS de l'activité présent au FINESS"
    assert finding.message == "Le site FINESS 590099999 déclaré à l'Annuaire Santé est absent du fichier FINESS chargé"


def test_activity_site_closed():
    g = records_to_rdf(sample_records())
    g.add((URIRef("https://maillage.fr/id/structure/590000014"), MAI.closed, Literal("2026-04-30", datatype=XSD.date)))
    report = validate_graph(g, today=TODAY)
    assert found(report) == [("ActivitySiteOpen", f"a:{MARTIN}:1", "590000014")]
    # closed after the day of the check: still open
    assert validate_graph(g, today=date(2026, 4, 29)).findings == []


def test_activity_site_not_yet_open():
    records = changed(sample_records(), "590000014", opened="2026-09-01")
    assert found(check(records)) == [("ActivitySiteOpen", f"a:{MARTIN}:1", "590000014")]


def test_member_practises_in_the_territory():
    records = [r for r in changed(sample_records(), f"a:{DURAND}:1", commune="59350")
               if not isinstance(r, Intervention)]
    report = check(records)
    assert found(report) == [("MemberPractisesInTerritory", f"m:cpts-grand-douai:{DURAND}", DURAND)]
    assert report.violations[0].actor_id == DURAND


def test_intervention_commune_counts_as_practising_in_the_territory():
    records = changed(sample_records(), f"a:{DURAND}:1", commune="59350")  # the intervention in Douai remains
    assert found(check(records)) == []


def test_stage_has_at_least_one_role():
    report = check(without(sample_records(), "ic.suivi.ide"))
    assert found(report) == [("StageHasRole", "ic.suivi", None)]
    assert report.violations[0].message == "L'étape ne dit pas qui intervient : aucun rôle requis"


def test_partnership_dates_are_ordered():
    records = changed(sample_records(), "conv-1", start="2025-01-01", end="2024-12-31")
    report = check(records)
    assert found(report) == [("PartnershipDatesOrdered", "conv-1", "2025-01-01")]
    assert check(changed(sample_records(), "conv-1", start="2025-01-01", end="2025-01-01")).findings == []


def test_participation_stage_belongs_to_its_pathway():
    g = records_to_rdf(sample_records() + [Pathway(id="dt2", name="Diabète de type 2")])
    suivi = URIRef("https://maillage.fr/id/stage/ic.suivi")
    g.remove((URIRef("https://maillage.fr/id/pathway/ic"), MAI.hasStage, suivi))
    g.add((URIRef("https://maillage.fr/id/pathway/dt2"), MAI.hasStage, suivi))
    report = validate_graph(g, today=TODAY)
    assert found(report) == [("ParticipationStageInPathway", f"p:{DURAND}:ic.suivi", "ic.suivi")]
    assert report.violations[0].actor_id == DURAND


def test_stale_data_is_a_warning_not_a_violation():
    report = check(sample_records(), today=date(2027, 3, 1), stale_days=365)
    # Martin was verified on 2026-03-01 (exactly 365 days before), Durand on 2026-02-01
    assert found(report, "warning") == [("MembershipFreshness", f"m:cpts-grand-douai:{DURAND}", "2026-02-01")]
    assert report.violations == [] and report.conforms
    assert report.warnings[0].message == ("Données non vérifiées depuis plus de 365 jours "
                                          "(dernière vérification : 2026-02-01)")


def test_stale_days_is_a_parameter():
    report = check(sample_records(), stale_days=30)
    assert found(report, "warning") == [
        ("MembershipFreshness", f"m:cpts-grand-douai:{DURAND}", "2026-02-01"),
        ("MembershipFreshness", f"m:cpts-grand-douai:{MARTIN}", "2026-03-01"),
    ]
    assert "plus de 30 jours" in report.warnings[0].message


def test_never_verified_is_a_warning():
    records = changed(sample_records(), f"m:cpts-grand-douai:{DURAND}", last_verified=None)
    assert found(check(records), "warning") == [("MembershipVerified", f"m:cpts-grand-douai:{DURAND}", None)]


@pytest.mark.parametrize("record_id, changes, expected", [
    (MARTIN, {"profession_code": "99"}, [("ProfessionCodeKnown", MARTIN, "99")]),
    (MARTIN, {"specialty_code": "SM99"}, [("SpecialtyCodeKnown", MARTIN, "SM99")]),
    ("590000014", {"category_code": "999"}, [("StructureCategoryKnown", "590000014", "999")]),
    ("ic.depistage.mt", {"professions": ["10", "97"]}, [("RoleProfessionKnown", "ic.depistage.mt", "97")]),
    ("ic.depistage.mt", {"specialties": ["XX01"]}, [("RoleSpecialtyKnown", "ic.depistage.mt", "XX01")]),
    ("ic.suivi.ide", {"categories": ["123"]}, [("RoleCategoryKnown", "ic.suivi.ide", "123")]),
], ids=["profession", "specialty", "finess-category", "role-profession", "role-specialty", "role-category"])
def test_unknown_codes(record_id, changes, expected):
    assert found(check(changed(sample_records(), record_id, **changes))) == expected


def test_codes_are_checked_against_the_ontology_even_without_loaded_nomenclatures():
    records = [r for r in sample_records() if not isinstance(r, Concept)]
    assert found(check(records)) == []


def test_informal_partnership_cannot_be_signed():
    records = changed(sample_records(), "conv-1", kind="informel")
    assert found(check(records)) == [("InformalNotSigned", "conv-1", "true")]


def test_cpts_registered_under_another_category():
    records = changed(sample_records(), "590063194", category_code="603")
    assert found(check(records)) == [("TerritoryRegisteredAsCpts", "cpts-grand-douai", "590063194")]


# --- the report ------------------------------------------------------------


def test_report_groups_by_rule_and_reads_in_french():
    records = changed(changed(sample_records(), MARTIN, identifier="123"), DURAND, identifier="12")
    report = check(records)
    groups = report.by_rule()
    assert [(rule, label, sev, len(items)) for rule, label, sev, items in groups] == [
        ("AdeliFormat", "Format du numéro ADELI", "violation", 1),
        ("RppsFormat", "Format du numéro RPPS", "violation", 1),
        ("ProfessionalIdMatches", "Identification nationale cohérente avec le numéro RPPS ou ADELI", "violation", 2),
    ]
    text = report.text()
    assert "[violation] Format du numéro RPPS (1)" in text
    assert ("  - Professionnel 810101234567 (Dr Jean MARTIN) : Le numéro RPPS 123 doit compter 11 chiffres "
            "[valeur : « 123 »]") in text
    data = report.to_dict()
    assert (data["conforms"], data["violations"], data["warnings"]) == (False, 4, 0)


def test_validation_does_not_change_the_data_graph():
    g = records_to_rdf(changed(sample_records(), MARTIN, identifier="123"))
    before = set(g)
    validate_graph(g, today=TODAY)
    assert set(g) == before


def test_validation_reads_the_store_and_never_changes_it(store):
    records = changed(sample_records(), "conv-1", start="2025-01-01", end="2024-12-31")
    w = GraphWriter(store)
    w.prepare()
    w.add_all(records)
    w.flush()
    counts = store.counts()
    before = set(store_to_rdf(store))
    report = validate_store(store, today=TODAY)
    assert found(report) == [("PartnershipDatesOrdered", "conv-1", "2025-01-01")]
    assert store.counts() == counts
    assert set(store_to_rdf(store)) == before


def test_undeclared_terms_of_the_store_are_reported(store):
    w = GraphWriter(store)
    w.prepare()
    w.add_all(sample_records())
    w.flush()
    store.write("MATCH (c:Commune {id: $id}) SET c.maire = $v", {"id": "59178", "v": "X"})
    report = validate_store(store, today=TODAY)
    assert found(report) == [("UndeclaredTerm", None, "property 'maire' of Commune")]


def test_empty_graph_conforms():
    report = validate_graph(Graph(), today=TODAY)
    assert report.conforms and report.findings == [] and report.triples == 0


def test_shapes_file_that_does_not_parse(tmp_path):
    bad = tmp_path / "shapes.ttl"
    bad.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n<a> sh:path <b> ;\n  sh:minCount 1 \n<c> .\n",
                   encoding="utf-8")
    with pytest.raises(RdfSyntaxError) as err:
        load_shapes(bad)
    assert (err.value.file, err.value.line) == (str(bad), 5)


def test_negative_stale_days_is_refused():
    with pytest.raises(ValueError, match="stale_days must be 0 or more, not -1"):
        load_shapes(stale_days=-1)


def test_demo_territory_conforms(request):
    from loaders.territory import demo_territory_path

    if not demo_territory_path().exists():
        pytest.skip(f"the demo territory file {demo_territory_path()} is not there yet")
    report = validate_store(request.getfixturevalue("demo_store"))
    assert [(f.rule, f.node_id, f.value) for f in report.violations] == [], (
        "the clean demo must pass SHACL; MemberPractisesInTerritory here means roster members whose every "
        "practice and intervention commune is outside the CPTS territory (see bench/synth_roster.py)")
    assert {f.rule for f in report.warnings} <= {"MembershipFreshness", "MembershipVerified"}
