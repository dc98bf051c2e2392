"""``maillage isolated``, ``analyse spof|whatif|silos|engagement`` and ``coverage`` on the hand-built territory."""
from __future__ import annotations

import csv
import io
import json

import pytest

from loaders.cli import cli
from test_analysis_projection import CAMBRAI, CARDIO, MASNY, MSP_A, MSP_B, NURSE3, PHARMACIST, PHARMACY
from test_analysis_projection import territory_store  # noqa: F401 (fixtures)


def invoke(runner, store, *args):
    """Run the CLI on a given store."""
    return runner.invoke(cli, list(args), obj={"store": store})


def test_isolated_table(runner, territory_store):
    r = invoke(runner, territory_store, "isolated")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split() == ["status", "actor", "name", "kind", "what", "communes", "member", "component", "size"]
    assert lines[2].split()[:2] == ["isolated", NURSE3]
    assert "1 isolated, 2 outside the main component (7 actors), out of 10 actors and 9 links." in r.output


def test_isolated_csv(runner, territory_store):
    r = invoke(runner, territory_store, "isolated", "--format", "csv")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert [(x["status"], x["actor"], x["communes"], x["member"]) for x in rows] == [
        ("isolated", NURSE3, "Dechy", "non"),
        ("outside_main", PHARMACY, "Douai", "non"),
        ("outside_main", PHARMACIST, "Douai", "non"),
    ]


def test_isolated_json_by_profession(runner, territory_store):
    r = invoke(runner, territory_store, "isolated", "--by", "profession", "--format", "json")
    data = json.loads(r.output)
    assert data["summary"]["isolated"] == 1
    assert data["groups"][0] == {"group": "Infirmier", "key": "Infirmier", "actors": 3, "isolated": 1,
                                 "outside_main": 0}


def test_spof_table_and_json(runner, territory_store):
    r = invoke(runner, territory_store, "analyse", "spof", "--pathway", "ic", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.output)))
    kinds = [row[0] for row in rows[1:]]
    assert kinds == ["articulation_point"] * 3 + ["bridge"] * 2 + ["handoff_fragile", "handoff_rupture"] + \
        ["single_actor"] * 2 + ["rupture"] * 2
    assert rows[4][1].startswith(MSP_A) and rows[4][2].startswith(MSP_B)
    data = json.loads(invoke(runner, territory_store, "analyse", "spof", "-p", "ic", "--format", "json").output)
    assert data["single_actor"][0]["actor"] == CARDIO


def test_whatif(runner, territory_store):
    r = invoke(runner, territory_store, "analyse", "whatif", "--remove", CARDIO, "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert list(data["stages_lost"]) == ["ic.diagnostic"] and len(data["stages_lost"]["ic.diagnostic"]) == 5
    r = invoke(runner, territory_store, "analyse", "whatif", "--remove", NURSE3)
    assert "coverage_lost  ic.suivi  Infirmier libéral  Masny" in r.output
    assert "Without 810000000013 (Test Infirmier-Isole): 1 stage(s) lose coverage" in r.output


def test_silos_and_engagement(runner, territory_store):
    r = invoke(runner, territory_store, "analyse", "silos", "--format", "json")
    assert r.exit_code == 0, r.output
    assert sum(c["size"] for c in json.loads(r.output)["communities"]) == 9
    r = invoke(runner, territory_store, "analyse", "engagement", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert [(x["actor"], x["stages"], x["communes"], x["population"]) for x in rows] == [
        (NURSE3, "ic.suivi", "Masny", "4056")]


def test_coverage_csv(runner, territory_store):
    r = invoke(runner, territory_store, "coverage", "--pathway", "ic", "--stage", "ic.suivi", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert len(rows) == 10
    masny = [x for x in rows if x["commune"] == MASNY and x["role"] == "ic.suivi.infirmier"][0]
    assert (masny["commune_name"], masny["available"], masny["engaged"], masny["available_actors"]) == \
        ("Masny", "1", "0", NURSE3)
    data = json.loads(invoke(runner, territory_store, "coverage", "-p", "ic", "--format", "json").output)
    assert len(data) == 20 and {"available", "engaged", "available_actors"} <= set(data[0])
    cambrai = [c for c in data if c["commune"] == CAMBRAI and c["role"] == "ic.depistage.medecin_traitant"][0]
    assert cambrai["available"] == 0


@pytest.mark.parametrize("args, message", [
    (["analyse", "spof", "--pathway", "xx"], "Error: unknown pathway 'xx' (known: ic)"),
    (["coverage", "--pathway", "bpco"], "Error: unknown pathway 'bpco' (known: ic)"),
    (["coverage", "--pathway", "ic", "--stage", "ic.nope"], "Error: unknown stage 'ic.nope'"),
    (["analyse", "whatif", "--remove", "12345"], "Error: no actor has id '12345'"),
])
def test_bad_input_exits_2(runner, territory_store, args, message):
    r = invoke(runner, territory_store, *args)
    assert r.exit_code == 2
    assert message in r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize("args", [["isolated"], ["analyse", "spof", "-p", "ic"], ["coverage", "-p", "ic"],
                                  ["analyse", "whatif", "--remove", "x"]])
def test_empty_graph_exits_2(runner, store, args):
    r = invoke(runner, store, *args)
    assert r.exit_code == 2
    assert "Error: the graph holds no professional or structure\nHint: load a territory first: maillage load --demo" \
        in r.output


def test_graph_with_no_links(runner, store):
    from test_analysis_projection import write

    from graph.model import Professional

    write(store, [Professional(id="810000000099", id_type="RPPS", identifier="10000000099", last_name="Seul",
                               profession_code="60")])
    r = invoke(runner, store, "isolated", "--scope", "all", "--format", "csv")
    assert r.exit_code == 0
    assert "note: the graph has no declared link at all" in r.stderr
    assert r.stdout.splitlines()[1].startswith("isolated,810000000099,Seul")
