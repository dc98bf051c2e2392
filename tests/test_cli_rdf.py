"""``maillage export``, ``validate`` and ``sparql`` on a hand-built territory: exit codes and exact output."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from graph.rdf import parse_rdf_file, store_to_rdf
from graph.writer import GraphWriter
from loaders.cli import cli
from loaders.cli_rdf import EXPORTERS, register_exporter
from test_shacl import DURAND, MARTIN, changed, sample_records

TODAY = "2026-06-01"


def load(store, records):
    """Write records to the test store."""
    w = GraphWriter(store)
    w.prepare()
    w.add_all(records)
    w.flush()


@pytest.fixture
def sample_store(store):
    """The test store holding the clean sample territory."""
    load(store, sample_records())
    return store


@pytest.fixture
def invoke(runner, store):
    """Run the CLI on the test store."""

    def run(*args):
        """Invoke the CLI with these arguments."""
        return runner.invoke(cli, list(args), obj={"store": store})

    return run


# --- export ------------------------------------------------------------------


@pytest.mark.parametrize("fmt, suffix", [("turtle", "ttl"), ("jsonld", "jsonld"), ("ntriples", "nt")])
def test_export_formats_parse_back_isomorphic(sample_store, invoke, tmp_path, fmt, suffix):
    out = tmp_path / f"territory.{suffix}"
    result = invoke("export", "--format", fmt, "-o", str(out))
    expected = store_to_rdf(sample_store)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Exported {len(expected)} triples to {out} ({fmt}, rdflib).\n"
    assert isomorphic(parse_rdf_file(out), expected)


def test_export_turtle_has_readable_prefixes(sample_store, invoke, tmp_path):
    out = tmp_path / "t.ttl"
    assert invoke("export", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "@prefix mai: <https://maillage.fr/ontology#> ." in text
    assert "prov:wasDerivedFrom" in text


@pytest.mark.parametrize("fmt, suffix", [("turtle", "ttl"), ("ntriples", "nt"), ("jsonld", "jsonld")])
def test_export_with_oxigraph(sample_store, invoke, tmp_path, fmt, suffix):
    out = tmp_path / f"ox.{suffix}"
    result = invoke("export", "--format", fmt, "--engine", "oxigraph", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(parse_rdf_file(out)) == len(store_to_rdf(sample_store))


def test_export_to_standard_output(sample_store, invoke):
    result = invoke("export", "--format", "ntriples", "-o", "-")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(store_to_rdf(sample_store))
    assert f'<https://maillage.fr/id/professional/{MARTIN}> <https://maillage.fr/ontology#lastName> "MARTIN" .' in lines


@pytest.mark.parametrize("args, message", [
    (["--format", "xml", "-o", "x.xml"], "unknown export format 'xml' (known: turtle, jsonld, ntriples, neo4j-import)"),
    (["-o", "/nonexistent-folder/t.ttl"], "Error: folder /nonexistent-folder does not exist"),
])
def test_export_bad_input(sample_store, invoke, args, message):
    result = invoke("export", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_export_to_a_folder(sample_store, invoke, tmp_path):
    result = invoke("export", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert f"Error: {tmp_path} is a folder; give a file name" in result.output


def test_export_of_an_empty_graph(invoke, tmp_path):
    result = invoke("export", "-o", str(tmp_path / "t.ttl"))
    assert result.exit_code == 2
    assert result.output == ("Error: the graph is empty: nothing to read\n"
                             "Hint: load a territory first: maillage load --demo\n")


def test_another_module_can_add_an_export_format(sample_store, invoke, tmp_path, monkeypatch):
    monkeypatch.setitem(EXPORTERS, "count", EXPORTERS["turtle"])

    def write(store, output, engine):
        """Write the node count into a file of the output folder."""
        output.mkdir(exist_ok=True)
        (output / "n.txt").write_text(str(sum(store.counts()["nodes"].values())), encoding="utf-8")
        return {"files": 1, "command": f"cat {output}/n.txt"}

    register_exporter("count", write, "node count in a folder")
    result = invoke("export", "--format", "count", "-o", str(tmp_path))  # a folder is fine for this format
    assert result.exit_code == 0, result.output
    assert (tmp_path / "n.txt").read_text(encoding="utf-8") == str(len([r for r in sample_records() if r.LABEL]))
    assert result.stderr == f"Exported 1 files to {tmp_path} (count, rdflib).\n"
    assert result.stdout == f"cat {tmp_path}/n.txt\n"
    assert "[turtle|jsonld|ntriples|neo4j-import|count]" in invoke("export", "--help").output


# --- validate ------------------------------------------------------------------


def test_validate_clean_territory(sample_store, invoke):
    result = invoke("validate", "--today", TODAY)
    n = len(store_to_rdf(sample_store))
    assert result.exit_code == 0, result.output
    assert result.output == (f"SHACL: 0 violation(s), 0 warning(s) on {n} triples (checked on {TODAY}; data not "
                             "verified for more than 365 days is a warning).\n")


def test_validate_names_actor_rule_and_value(store, invoke):
    load(store, changed(changed(sample_records(), MARTIN, identifier="123"), "conv-1", start="2027-01-01"))
    result = invoke("validate", "--today", TODAY)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("SHACL: 3 violation(s), 0 warning(s) on ")
    assert lines[1:] == [
        "",
        "[violation] Dates du partenariat dans l'ordre (1)",
        "  - Partenariat conv-1 (Convention MSP - CPTS) : La date de fin du partenariat précède sa date de début "
        "[valeur : « 2027-01-01 »] (partnerships.csv:2)",
        "",
        "[violation] Format du numéro RPPS (1)",
        "  - Professionnel 810101234567 (Dr Jean MARTIN) : Le numéro RPPS 123 doit compter 11 chiffres "
        "[valeur : « 123 »] (ps.txt:2)",
        "",
        "[violation] Identification nationale cohérente avec le numéro RPPS ou ADELI (1)",
        "  - Professionnel 810101234567 (Dr Jean MARTIN) : L'identification nationale PP ne correspond pas au "
        "numéro 123 (8 + RPPS, 0 + ADELI) [valeur : « 123 »] (ps.txt:2)",
    ]


def test_validate_warnings_alone_exit_0(sample_store, invoke):
    result = invoke("validate", "--today", TODAY, "--stale-days", "100")
    assert result.exit_code == 0
    assert "[warning] Données vérifiées récemment (1)" in result.output
    assert (f"  - Professionnel {DURAND} (Claire DURAND), adhésion m:cpts-grand-douai:{DURAND} : Données non "
            "vérifiées depuis plus de 100 jours (dernière vérification : 2026-02-01) [valeur : « 2026-02-01 »] "
            "(roster.csv:3)") in result.output


def test_validate_json(store, invoke):
    load(store, changed(sample_records(), "ic.suivi.ide", stage="ic.depistage"))
    result = invoke("validate", "--today", TODAY, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["conforms"], data["violations"], data["warnings"], data["checked_on"]) == (False, 1, 0, TODAY)
    f = data["findings"][0]
    assert (f["rule"], f["rule_label"], f["node_label"], f["node_id"], f["value"]) == (
        "StageHasRole", "Étape avec au moins un rôle requis", "Stage", "ic.suivi", None)


def test_validate_reads_only(sample_store, invoke):
    before = sample_store.counts()
    invoke("validate", "--today", TODAY)
    assert sample_store.counts() == before


def test_validate_an_rdf_file(store, invoke, tmp_path):
    load(store, changed(sample_records(), "conv-1", kind="informel"))
    out = tmp_path / "t.ttl"
    assert invoke("export", "-o", str(out)).exit_code == 0
    result = runner_without_store(["validate", "--today", TODAY, "--data", str(out)])
    assert result.exit_code == 1
    assert "[violation] Partenariat informel non signé (1)" in result.output


def runner_without_store(args):
    """The CLI with no store at all (reading a file must not need one)."""
    from click.testing import CliRunner

    return CliRunner().invoke(cli, args, obj={"store": None})


@pytest.mark.parametrize("option", ["--data", "--shapes", "--ontology"])
def test_validate_turtle_that_does_not_parse(sample_store, invoke, tmp_path, option):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b \"open .\n", encoding="utf-8")
    result = invoke("validate", option, str(bad))
    assert result.exit_code == 2
    assert result.output == f"Error: {bad}:3: not valid Turtle: newline found in string literal\n"


@pytest.mark.parametrize("args, message", [
    (["--today", "01/06/2026"], "Error: --today '01/06/2026' is not a date (expected YYYY-MM-DD)"),
    (["--stale-days", "-3"], "Invalid value for '--stale-days'"),
    (["--format", "xml"], "Invalid value for '--format'"),
])
def test_validate_bad_options(sample_store, invoke, args, message):
    result = invoke("validate", *args)
    assert result.exit_code == 2
    assert message in result.output


# --- sparql ----------------------------------------------------------------------

QUERY = """SELECT ?id ?name WHERE {
  ?p a mai:Professional ; mai:id ?id ; mai:lastName ?name ; mai:professionCode ?code .
} ORDER BY ?id"""


def test_sparql_query_table(sample_store, invoke):
    result = invoke("sparql", "--query", QUERY)
    assert result.exit_code == 0, result.output
    assert result.output == ("id            name\n"
                             "------------  ------\n"
                             f"{DURAND}    DURAND\n"
                             f"{MARTIN}  MARTIN\n")


def test_sparql_file_with_parameters_csv(sample_store, invoke, tmp_path):
    rq = tmp_path / "by_profession.rq"
    rq.write_text(QUERY, encoding="utf-8")
    result = invoke("sparql", str(rq), "--param", "code=60", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output == f"id,name\n{DURAND},DURAND\n"


def test_sparql_json_and_typed_parameters(sample_store, invoke):
    q = "SELECT ?stage WHERE { ?s mai:order ?order ; mai:id ?stage }"
    result = invoke("sparql", "-q", q, "-p", "order:int=2", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"columns": ["stage"], "rows": [["ic.suivi"]], "count": 1}


def test_sparql_ask_and_construct(sample_store, invoke):
    assert invoke("sparql", "-q", "ASK { ?x a mai:Territory }").output == "true\n"
    result = invoke("sparql", "-q", "CONSTRUCT { ?t mai:name ?n } WHERE { ?t a mai:Territory ; mai:name ?n }")
    assert result.exit_code == 0
    assert '<https://maillage.fr/id/territory/cpts-grand-douai> mai:name "CPTS du Grand Douai" .' in result.output


def test_sparql_on_an_rdf_file(store, invoke, tmp_path):
    load(store, sample_records())
    out = tmp_path / "t.nt"
    assert invoke("export", "--format", "ntriples", "-o", str(out)).exit_code == 0
    result = runner_without_store(["sparql", "--data", str(out), "-q", "SELECT (COUNT(*) AS ?n) WHERE { ?s a mai:Stage }"])
    assert result.exit_code == 0
    assert result.output == "n\n-\n2\n"


@pytest.mark.parametrize("args, message", [
    ([], "Error: give either a query FILE or --query TEXT"),
    (["-q", "SELECT ?x WHERE {\n  ?x a mai:Stage\n  FILTER( }"],
     "Error: --query:3:3: SPARQL syntax error: Expected SelectQuery, found 'FILTER'"),
    (["-q", "PREFIX ex: <http://ex/>\nINSERT DATA { ex:a ex:b ex:c }"],
     "Error: --query: INSERT is a SPARQL update; only queries are allowed (the graph is read-only)"),
    (["-q", "SELECT ?x WHERE { ?x a inconnu:Type }"], "Error: --query:"),
    (["-q", "SELECT ?x WHERE { ?x ?p ?o }", "-p", "x:int=abc"], "Error: --param x: 'abc' is not a int"),
    (["-q", "SELECT ?x WHERE { ?x ?p ?o }", "-p", "=3"], "Error: bad --param '=3'"),
    (["missing.rq"], "Error: missing.rq: file not found"),
])
def test_sparql_bad_input(sample_store, invoke, args, message):
    result = invoke("sparql", *args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(message)
    assert "Traceback" not in result.output


def test_sparql_file_error_names_file_and_line(sample_store, invoke, tmp_path):
    rq = tmp_path / "bad.rq"
    rq.write_text("SELECT ?x WHERE {\n  ?x a mai:Stage .\n  ?x mai:order ?o ) }\n", encoding="utf-8")
    result = invoke("sparql", str(rq))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {rq}:3:")


# --- validate a territory file before loading it ---------------------------------

TEST_TERRITORY = Path(__file__).parent / "data" / "territory" / "territory.yaml"


def test_validate_a_territory_file_leaves_the_live_graph_alone(sample_store, invoke, falkor_db):
    before = sample_store.counts()
    result = invoke("validate", "--today", TODAY, "--territory", str(TEST_TERRITORY))
    assert result.exit_code == 1, result.output
    assert "[violation] CPTS enregistrée au FINESS en catégorie 604 (1)" in result.stdout
    assert "[violation] Site FINESS de l'activité présent au FINESS (6)" in result.stdout
    assert ("  - Professionnel 0019402726 (Monsieur Xavier CHEPY), activité 0019402726:82361e215139 : Le site FINESS "
            "010000032 déclaré à l'Annuaire Santé est absent du fichier FINESS chargé [valeur : « 010000032 »] "
            "(PS_LibreAcces_Personne_activite_sample_2021.txt:") in result.stdout
    assert result.stderr.startswith("2 row(s) of the territory's files would be rejected by the load (first: ")
    assert sample_store.counts() == before
    assert [k for k in falkor_db.connection.keys("*__validate*")] == []


def test_validate_a_territory_file_that_does_not_parse(sample_store, invoke, tmp_path):
    bad = tmp_path / "territory.yaml"
    bad.write_text("id: x\nname: X\nsources:\n  communes: [a.csv\n", encoding="utf-8")
    result = invoke("validate", "--territory", str(bad))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {bad}:5: not valid YAML")


def test_validate_data_and_territory_together(sample_store, invoke, tmp_path):
    result = invoke("validate", "--data", "x.ttl", "--territory", "t.yaml")
    assert result.exit_code == 2
    assert result.output == "Error: give --data or --territory, not both\n"
