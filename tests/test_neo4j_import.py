"""``neo4j-admin database import full`` files (graph/neo4j_import.py): headers, typed values, completeness.

No Neo4j server runs here, so the files are checked the way neo4j-admin reads them:
typed headers, one ID space per label, quoted strings, ``;``-joined arrays, empty = no property.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graph.exceptions import GraphError
from graph.model import Commune, Edge, Professional, RoleRequirement, Stage, Structure
from graph.neo4j_import import Neo4jImportWriter, export_neo4j_import, import_command, write_neo4j_import
from loaders.territory import load_territory, read_territory_file

TERRITORY = Path(__file__).parent / "data" / "territory" / "territory.yaml"


def read_export(folder: Path):
    """Nodes {(label, id): props} and relationships {(type, src label, src, dst label, dst): props}, typed."""
    def typed(value: str, kind: str):
        """A field's value read back with its header type."""
        if value == "":
            return None
        if kind.endswith("[]"):
            return [typed(v, kind[:-2]) for v in value.split(";")]
        return {"long": int, "double": float, "boolean": lambda v: {"true": True, "false": False}[v]}.get(
            kind, str)(value)

    nodes, rels = {}, {}
    for path in sorted(folder.glob("nodes_*.csv")):
        with path.open(encoding="utf-8", newline="") as fp:
            reader = csv.reader(fp)
            header = next(reader)
            assert header[0] == f"id:ID({path.stem[6:]})" and header[1] == ":LABEL"
            cols = [h.split(":") for h in header[2:]]
            for row in reader:
                props = {"id": row[0]}
                props.update({name: typed(v, kind) for (name, kind), v in zip(cols, row[2:]) if v != ""})
                nodes[(row[1], row[0])] = props
    for path in sorted(folder.glob("rels_*.csv")):
        with path.open(encoding="utf-8", newline="") as fp:
            reader = csv.reader(fp)
            header = next(reader)
            src, dst = header[0][len(":START_ID("):-1], header[1][len(":END_ID("):-1]
            cols = [h.split(":") for h in header[3:]]
            for row in reader:
                rels[(row[2], src, row[0], dst, row[1])] = {n: typed(v, k) for (n, k), v in zip(cols, row[3:])
                                                           if v != ""}
    return nodes, rels


def store_content(store):
    """The same two dicts read from a loaded store."""
    nodes = {(n["_labels"][0], n["id"]): {k: v for k, v in n.items() if k != "_labels"}
             for (n,) in store.run("MATCH (n) RETURN n").rows}
    rels = {(t, a, s, b, d): {k: v for k, v in r.items() if k != "_type"} for a, s, t, b, d, r in store.run(
        "MATCH (x)-[r]->(y) RETURN labels(x)[0], x.id, type(r), labels(y)[0], y.id, r").rows}
    return nodes, rels


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The test territory exported straight from its sources."""
    out = tmp_path_factory.mktemp("neo4j-import")
    return out, export_neo4j_import(TERRITORY, out)


def test_headers_are_typed_from_the_model(exported):
    out, _ = exported
    first = {p.name: p.read_text(encoding="utf-8").splitlines()[0] for p in out.glob("*.csv")}
    assert first["nodes_Commune.csv"] == ("id:ID(Commune),:LABEL,name:string,department:string,region:string,"
                                          "postal_codes:string[],population:long,lat:double,lon:double,kind:string")
    # the model grows: check the typed columns that matter rather than every column of these two
    role = first["nodes_RoleRequirement.csv"].split(",")
    assert role[:2] == ["id:ID(RoleRequirement)", ":LABEL"]
    assert {"professions:string[]", "specialties:string[]", "categories:string[]", "radius_km:double",
            "home_visit:boolean", "optional:boolean"} <= set(role)
    membership = first["nodes_Membership.csv"].split(",")
    assert membership[:2] == ["id:ID(Membership)", ":LABEL"] and "territory:string" not in membership
    assert {"accepting_new_patients:boolean", "home_visits:boolean", "source_line:long"} <= set(membership)
    assert first["rels_HAS_STAGE_Pathway_Stage.csv"] == ":START_ID(Pathway),:END_ID(Stage),:TYPE,order:long"
    assert first["rels_LOCATED_IN_Activity_Commune.csv"] == ":START_ID(Activity),:END_ID(Commune),:TYPE"
    assert first["rels_PARTY_TO_Territory_Partnership.csv"] == ":START_ID(Territory),:END_ID(Partnership),:TYPE"
    assert sorted(p.name for p in out.glob("nodes_*.csv")) == [
        f"nodes_{label}.csv" for label in ("Activity", "Commune", "Concept", "Epci", "LegalEntity", "Membership",
                                           "Participation", "Partnership", "Pathway", "Professional",
                                           "RoleRequirement", "Source", "Stage", "Structure", "Territory")]


def test_typed_values_are_written_as_neo4j_admin_reads_them(exported):
    out, _ = exported
    nodes, rels = read_export(out)
    commune = nodes[("Commune", "01004")]
    assert commune == {"id": "01004", "name": "Ambérieu-en-Bugey", "department": "01", "region": "84",
                       "postal_codes": ["01500"], "population": 14854, "lat": 45.95747, "lon": 5.37057,
                       "kind": "COM"}
    role = nodes[("RoleRequirement", "ic.depistage.medecin_traitant")]
    assert role["specialties"] == ["SM54", "SM26", "SM53"] and role["radius_km"] == 10.0
    assert role["home_visit"] is False and "categories" not in role
    assert nodes[("Stage", "ic.depistage")]["partage"] == ["MSSanté", "DMP"]
    assert rels[("HAS_STAGE", "Pathway", "ic", "Stage", "ic.depistage")] == {"order": 1}
    line = next(ln for ln in (out / "nodes_Structure.csv").read_text(encoding="utf-8").splitlines()
                if ln.startswith('"010000024"'))
    assert line.startswith('"010000024",Structure,"CH DE FLEYRIAT","355",')  # strings quoted, label bare
    assert ",,," in line  # missing values are empty fields (no property), not ""


def test_every_node_and_relationship_of_the_territory_is_there(exported, store):
    out, _ = exported
    load_territory(read_territory_file(TERRITORY), store)
    nodes, rels = read_export(out)
    want_nodes, want_rels = store_content(store)
    assert len(nodes) == 702 and len(rels) == 385
    assert set(nodes) == set(want_nodes) and set(rels) == set(want_rels)
    for key, props in want_nodes.items():
        got = nodes[key]
        if key[0] == "Source":  # the clock time of each load
            props, got = {**props, "loaded_at": None}, {**got, "loaded_at": None}
        props = {k: v for k, v in props.items() if v != ""}  # "" is written "" (csv.reader reads it as empty)
        # a model float given as an int (radius_km: 10 in YAML) is a double for Neo4j
        assert got == {k: float(v) if isinstance(got.get(k), float) else v for k, v in props.items()}, key
    assert rels == want_rels
    source = next(ln for ln in (out / "nodes_Source.csv").read_text(encoding="utf-8").splitlines()
                  if ln.startswith('"nomenclature:nomenclatures"'))
    assert ',"",' in source  # the folder's empty sha256 stays an empty string, not a missing property


def test_the_command_names_every_file(exported):
    out, command = exported
    lines = command.split(" \\\n  ")
    assert lines[:2] == ["neo4j-admin database import full neo4j", "--id-type=string --array-delimiter=';'"]
    assert sorted(lines[2:]) == sorted([f"--nodes={p.resolve()}" for p in out.glob("nodes_*.csv")] +
                                       [f"--relationships={p.resolve()}" for p in out.glob("rels_*.csv")])
    script = (out / "neo4j-admin-import.sh").read_text(encoding="utf-8")
    assert script.startswith("#!/bin/sh\n") and script.endswith(command + "\n")
    assert "CREATE CONSTRAINT professional_id IF NOT EXISTS FOR (n:Professional) REQUIRE n.id IS UNIQUE;" in (
        out / "constraints.cypher").read_text(encoding="utf-8")


def test_export_from_a_loaded_store_gives_the_same_rows(store, tmp_path):
    load_territory(read_territory_file(TERRITORY), store)
    export_neo4j_import(store, tmp_path / "from-store")
    export_neo4j_import(TERRITORY, tmp_path / "from-files")
    a, b = read_export(tmp_path / "from-store"), read_export(tmp_path / "from-files")
    for nodes in (a[0], b[0]):
        for key in [k for k in nodes if k[0] == "Source"]:
            nodes[key].pop("loaded_at")
    assert a == b


def test_the_export_command_adapter_summarises(store, tmp_path):
    load_territory(read_territory_file(TERRITORY), store)
    summary = write_neo4j_import(store, tmp_path / "out", "rdflib")
    assert {k: summary[k] for k in ("format", "nodes", "relationships", "files", "warnings")} == {
        "format": "neo4j-import", "nodes": 702, "relationships": 385, "files": 15 + 26, "warnings": []}
    assert summary["command"] in (tmp_path / "out" / "neo4j-admin-import.sh").read_text(encoding="utf-8")
    with pytest.raises(GraphError, match="give a folder with -o DIR, not -o -"):
        write_neo4j_import(store, None, "rdflib")


def test_duplicates_merge_and_unresolved_ends_are_left_out(tmp_path):
    w = Neo4jImportWriter(tmp_path)
    w.add_all([
        Commune(id="59178", name="Douai", department="59", population=100),
        Structure(id="590000014", name='CH "Somain"\nsite nord', commune="59178", category_code="355"),
        Commune(id="59178", name="DOUAI", department="59", region="32"),
        Structure(id="590000014", name='CH "Somain"\nsite nord', commune="59178", category_code="355"),
    ])
    w.add_edge(Edge("INTERVENES_IN", "Professional", "819900000001", "Commune", "59178", {}))
    w.flush()
    nodes, rels = read_export(tmp_path)
    assert nodes[("Commune", "59178")] == {"id": "59178", "name": "DOUAI", "department": "59", "region": "32",
                                           "population": 100, "kind": "COM"}
    assert nodes[("Structure", "590000014")]["name"] == 'CH "Somain"\nsite nord'
    assert list(rels) == [("LOCATED_IN", "Structure", "590000014", "Commune", "59178")]  # written once
    assert w.unresolved_summary() == [  # each record's relationship counted, as GraphWriter does
        "2 HAS_CATEGORY relationship(s) from Structure to Concept not created: the Concept is not in the loaded "
        "sources (e.g. 590000014->FINESS_CAT:355, 590000014->FINESS_CAT:355)",
        "1 INTERVENES_IN relationship(s) from Professional to Commune not created: the Professional is not in the "
        "loaded sources (e.g. 819900000001->59178)"]
    assert "--multiline-fields=true" in w.command  # a name spans two lines


def test_an_array_element_holding_the_delimiter_is_refused(tmp_path):
    with Neo4jImportWriter(tmp_path) as w, pytest.raises(GraphError) as err:
        w.add(Stage(id="ic.a", pathway="ic", key="a", order=1, name="A", partage=["MSSanté; DMP"]))
    assert str(err.value) == ("Stage 'ic.a'.partage: the array element 'MSSanté; DMP' contains the array "
                              "delimiter ';'; choose another one")
    w = Neo4jImportWriter(tmp_path / "pipe", array_delimiter="|")
    w.add(Stage(id="ic.a", pathway="ic", key="a", order=1, name="A", partage=["MSSanté; DMP", "visio"]))
    w.flush()
    assert '"MSSanté; DMP|visio"' in (tmp_path / "pipe" / "nodes_Stage.csv").read_text(encoding="utf-8")
    assert "--array-delimiter='|'" in w.command


@pytest.mark.parametrize("record, message", [
    (Professional(id="8", id_type="RPPS", identifier="1", last_name="X", source_line="12"),
     "Professional '8'.source_line: expected an integer, got '12'"),
    (RoleRequirement(id="r", stage="s", key="k", label="L", home_visit="yes"),
     "RoleRequirement 'r'.home_visit: expected a boolean, got 'yes'"),
])
def test_a_value_of_the_wrong_type_is_named(tmp_path, record, message):
    with Neo4jImportWriter(tmp_path) as w, pytest.raises(GraphError) as err:
        w.add(record)
    assert str(err.value) == message


def test_an_unwritable_folder_is_one_sentence(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(GraphError, match=r"cannot create the export folder '.*file/out': Not a directory"):
        Neo4jImportWriter(tmp_path / "file" / "out")


def test_import_command_quotes_paths(tmp_path):
    cmd = import_command(tmp_path, "my db", [tmp_path / "nodes_A B.csv"], [], multiline=True)
    assert cmd == ("neo4j-admin database import full 'my db' \\\n"
                   "  --id-type=string --array-delimiter=';' --multiline-fields=true \\\n"
                   f"  --nodes='{tmp_path.resolve()}/nodes_A B.csv'")
