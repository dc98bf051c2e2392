"""Territory loads on real data: counts, rejects, idempotence, atomicity, the territory file's errors."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loaders.errors import FileFormatError
from loaders.territory import load_territory, read_territory_file

TERRITORY = Path(__file__).parent / "data" / "territory" / "territory.yaml"


def _dump(store):
    """Every node and relationship, sorted, to compare graphs."""
    nodes = store.run("MATCH (n) RETURN labels(n)[0] AS l, n ORDER BY l, n.id").rows
    rels = store.run("MATCH (a)-[r]->(b) RETURN a.id, type(r), b.id, properties(r) "
                     "ORDER BY a.id, type(r), b.id").rows
    for _label, node in nodes:  # the load timestamp of Source nodes differs from one load to the next
        node.pop("loaded_at", None)
    return nodes, rels


def test_real_territory_loads_with_its_rejects(store):
    report = load_territory(read_territory_file(TERRITORY), store)
    counts = store.counts()["nodes"]
    assert counts["Commune"] == 5  # 01004, 01034 and the 3 communes of the EPCI in the file
    assert counts["Structure"] == 1  # CH de Fleyriat, the only metropolitan establishment of the excerpt
    assert counts["Professional"] == 9  # real Annuaire Santé rows practising in those communes
    assert (counts["Pathway"], counts["Stage"]) == (4, 22)
    assert counts["Membership"] == 3 and counts["Partnership"] == 2
    assert [(r.file.rsplit("/", 1)[1], r.line, r.column) for r in report.rejected] == [
        ("roster.csv", 5, "identifiant"), ("partnerships.csv", 4, "parties")]
    assert report.rejected[0].raw.startswith("019999999;PS;")


def test_facts_of_the_territory_are_in_the_graph(store):
    load_territory(read_territory_file(TERRITORY), store)
    rows = store.run(
        "MATCH (p:Professional {id: '0019402726'})-[:HAS_MEMBERSHIP]->(m:Membership)-[:OF_TERRITORY]->(t:Territory) "
        "MATCH (pw:Pathway {id: 'pa_domicile'})-[:HAS_REFERENT]->(p) "
        "RETURN p.last_name, m.role, m.home_visits, t.id").rows
    assert rows == [["CHEPY", "referent", True, "cpts-test-bresse"]]
    stages = store.run("MATCH (:Professional {id: '0019402726'})-[:PARTICIPATES]->(:Participation)-[:IN_STAGE]->(s) "
                       "RETURN s.id ORDER BY s.id").rows
    assert stages == [["pa_domicile.evaluation"], ["pa_domicile.maintien"]]
    located = store.run("MATCH (s:Structure {id: '010000024'})-[:LOCATED_IN]->(c:Commune) RETURN c.id, s.lat IS NULL")
    assert located.rows == [["01451", True]]  # cs1100502 has no geolocalisation section


def test_loading_twice_gives_the_same_graph(store):
    tf = read_territory_file(TERRITORY)
    load_territory(tf, store)
    first = _dump(store)
    load_territory(tf, store, batch_size=7)
    assert _dump(store) == first


def test_failed_load_leaves_the_previous_graph_intact(store, tmp_path):
    load_territory(read_territory_file(TERRITORY), store)
    before = _dump(store)
    # a copy of the territory whose pathway file is broken: the failure comes after the registries were written
    folder = tmp_path / "t"
    shutil.copytree(TERRITORY.parent, folder)
    text = (folder / "territory.yaml").read_text(encoding="utf-8")
    for rel in ("../../../loaders/demo/nomenclatures", "../finess/", "../rpps/"):
        text = text.replace(rel, str((TERRITORY.parent / rel).resolve()) + ("/" if rel.endswith("/") else ""))
    (folder / "broken.yaml").write_text("id: x\nname: [unclosed\n", encoding="utf-8")
    text = text.replace("pathways: shipped", "pathways: [broken.yaml]")
    (folder / "territory.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError, match="broken.yaml"):
        load_territory(read_territory_file(folder / "territory.yaml"), store)
    assert _dump(store) == before
    assert not store.db.connection.exists(store.graph_name + "__staging")


@pytest.mark.parametrize(
    "text, message",
    [
        ("id: x\nname: y\nsources: {communes: c.csv}\n", "name the territory's communes, epci or departements"),
        ("id: x\nname: y\ncommunes: [01004]\n", "missing key 'sources'"),
        ("id: x\nname: y\ncommunes: ['01004']\nsources: {communes: c.csv, rpps2: a}\n", "unknown source kind(s) rpps2"),
        ("id: x\nname: y\ncolor: red\nsources: {}\n", "unknown key(s) color"),
        ("id: x\nname: [y\n", "not valid YAML"),
        ("id: x\nname: y\nepci: ['200071751']\nsources: {communes: c.csv}\n", "names EPCI codes but no EPCI file"),
    ],
)
def test_territory_file_errors_are_one_sentence(tmp_path, text, message):
    path = tmp_path / "territory.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError) as exc:
        read_territory_file(path)
    assert message in str(exc.value)
    assert "territory.yaml" in str(exc.value)


def test_missing_source_file_stops_before_touching_the_graph(store, tmp_path):
    path = tmp_path / "territory.yaml"
    path.write_text("id: x\nname: y\ncommunes: ['01004']\nsources: {communes: nowhere.csv}\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="nowhere.csv: file not found"):
        load_territory(read_territory_file(path), store)
    assert store.counts() == {"nodes": {}, "relationships": {}}


def test_whole_pas_de_calais_gives_one_structure_per_establishment(store, tmp_path, shared_data):
    path = tmp_path / "territory.yaml"
    path.write_text(
        "id: pas-de-calais\nname: Pas-de-Calais\ndepartements: ['62']\nsources:\n"
        f"  communes: {shared_data / 'communes' / 'communes_france_2024.csv'}\n"
        f"  finess: [{{path: {shared_data / 'finess' / 'finess_fhir_20210108_dep62.ndjson'}, format: fhir}}]\n",
        encoding="utf-8")
    report = load_territory(read_territory_file(path), store)
    assert store.counts()["nodes"]["Structure"] == 1936
    assert report.rejected == []
    unlocated = store.run("MATCH (s:Structure) WHERE NOT (s)-[:LOCATED_IN]->(:Commune) RETURN count(s)").scalar()
    assert unlocated <= 1  # one CEDEX label cannot be resolved to a commune; it is kept, with a warning
