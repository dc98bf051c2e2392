"""``maillage match`` and ``maillage pathways`` on the hand-built territory: same answers as the API, exit codes."""
from __future__ import annotations

import json

import pytest

from loaders.cli import cli
from test_matching import build, pid
from web import create_app


@pytest.fixture
def territory(store):
    """The hand-built territory in a fresh graph."""
    build(store)
    return store


@pytest.fixture
def invoke(runner, falkor_server, territory):
    """Run ``maillage`` on the test graph (it joins the session's embedded server)."""
    def run(*args: str):
        """Invoke the CLI with these arguments."""
        return runner.invoke(cli, ["--data-dir", str(falkor_server.data_dir), "--graph", territory.graph_name,
                                   *args], obj={})
    return run


@pytest.mark.parametrize("cli_args, api_query", [
    (["-p", "tp", "-s", "b", "-c", "Alpha"], "pathway=tp&stage=b&commune=Alpha"),
    (["-p", "tp", "-s", "tp.b", "-c", "59001", "--home-visit", "--radius", "15", "--limit", "3"],
     "pathway=tp&stage=tp.b&commune=59001&home_visit=1&radius_km=15&limit=3"),
    (["-p", "tp", "-s", "b", "-c", "59300", "--profession", "60", "--stale-days", "800"],
     "pathway=tp&stage=b&commune=59300&profession=60&stale_days=800"),
])
def test_cli_and_api_agree(invoke, territory, cli_args, api_query):
    """``--format json`` prints exactly what ``/api/match`` answers."""
    result = invoke("match", *cli_args, "--today", "2026-11-22", "--format", "json")
    assert result.exit_code == 0, result.output
    client = create_app({"TESTING": True, "STORE": territory, "SECRET_KEY": "t"}).test_client()
    api = client.get(f"/api/match?{api_query}&today=2026-11-22")
    assert api.status_code == 200
    assert json.loads(result.output) == api.get_json()


def test_match_table(invoke):
    """The table format: candidates per role with their reasons, set-aside actors, ruptures."""
    result = invoke("match", "--pathway", "tp", "--stage", "b", "--commune", "alpha", "--profession", "60",
                    "--limit", "2", "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Parcours test > Étape B (tp.b) - patient in Alpha (59001)",
        "Options: profession 60",
        "",
        "== Infirmier libéral [infirmier] (radius 5 km, home visits): 7 candidates",
        "rank  name       profession  commune  distance  phone           mssante/e-mail",
        "----  ---------  ----------  -------  --------  --------------  ----------------------------",
        "1     Inès UN    Infirmier   Alpha    0 km      06 00 00 00 01  ines.un@infirmier.mssante.fr",
        "2     Nina NEUF  Infirmier   Alpha    0 km                      nina.neuf@example.org",
        "  1. Inès UN: Exerce dans la commune du patient (Alpha); Participe à l'étape « Étape B » de ce parcours; "
        "Adhérent de la CPTS Test; Accepte de nouveaux patients; Convention « Suivi partagé » avec Marc MEDECIN, "
        "qui participe à l'étape « Étape A »; Données vérifiées le 01/10/2026 (il y a 52 jours)",
        "  2. Nina NEUF: Exerce dans la commune du patient (Alpha); Participe à l'étape « Étape B » de ce parcours; "
        "Adhérent de la CPTS Test; Accepte de nouveaux patients; Données vérifiées le 01/08/2026 (il y a 113 jours)",
        "... and 5 more (--limit)",
        "  set aside: Claire CINQ (Alpha, 0 km): N'accepte pas de nouveaux patients",
        "  set aside: Sophie SEPT (Alpha, 0 km): Données non vérifiées depuis 690 jours (plus de 365)",
        "  ... and 1 more set aside (--limit)",
        "",
        "No point de rupture: every required role has a candidate.",
    ]


def test_match_table_ruptures(invoke):
    """Ruptures are named, with the nearest actor outside the radius."""
    result = invoke("match", "-p", "tp", "-s", "b", "-c", "59001", "--today", "2026-11-22")
    assert result.exit_code == 0
    out = result.output
    assert "  POINT DE RUPTURE; nearest outside the radius: Carl CARDIO (Epsilon, 25 km)" in out
    assert "  POINT DE RUPTURE; nearest outside the radius: Denis DIET (Gamma, 80 km)" in out
    assert "  no candidate (optional role); no such actor in the graph" in out
    assert out.rstrip().endswith("2 point(s) de rupture: cardiologue, dieteticien")


@pytest.mark.parametrize("args, message", [
    (["-p", "xx", "-s", "b", "-c", "59001"],
     "Error: unknown pathway 'xx' (known: tp)\nHint: maillage pathways lists the pathways and their stages\n"),
    (["-p", "tp", "-s", "zz", "-c", "59001"],
     "Error: unknown stage 'zz' of pathway 'tp' (stages: a, b, c)\n"
     "Hint: maillage pathways lists the pathways and their stages\n"),
    (["-p", "tp", "-s", "b", "-c", "Omega"],
     "Error: unknown commune 'Omega': no commune of the loaded territory has this INSEE code, postal code or name\n"),
    (["-p", "tp", "-s", "b", "-c", "Gamma"],
     "Error: several communes match the name 'Gamma': Gamma (59003), Gamma (62001); give the INSEE code\n"
     "Hint: use one of the INSEE codes: 59003 (Gamma), 62001 (Gamma)\n"),
    (["-p", "tp", "-s", "b", "-c", "59001", "--radius", "500"],
     "Error: radius out of range: 500 km (between 0 and 200 km)\n"),
    (["-p", "tp", "-s", "b", "-c", "59001", "--limit", "0"], "Error: limit out of range: 0 (between 1 and 200)\n"),
    (["-p", "tp", "-s", "b", "-c", "59001", "--profession", "70"],
     "Error: profession 70 is not required at stage tp.b\n"),
])
def test_match_bad_input_exits_2(invoke, args, message):
    """Bad input: exit code 2 and one clear English message, no traceback."""
    result = invoke("match", *args)
    assert result.exit_code == 2
    assert result.output == message


def test_match_malformed_options_exit_2(invoke):
    """Malformed option values are refused by click with exit code 2."""
    for args in (["--radius", "loin"], ["--today", "22/11/2026"], ["--format", "xml"]):
        result = invoke("match", "-p", "tp", "-s", "b", "-c", "59001", *args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output
    result = invoke("match", "-p", "tp", "-s", "b", "-c", "59001", "--today", "22/11/2026")
    assert "'22/11/2026' is not a date (expected YYYY-MM-DD)" in result.output


def test_pathways_table_and_json(invoke, territory):
    """``maillage pathways`` lists the stage ids; its JSON is the API's."""
    result = invoke("pathways")
    assert result.exit_code == 0
    assert result.output.splitlines()[:5] == [
        "pathway  stage  stage id  order  name     roles",
        "-------  -----  --------  -----  -------  -----",
        "tp       a      tp.a      1      Étape A  1",
        "tp       b      tp.b      2      Étape B  7",
        "tp       c      tp.c      3      Étape C  1",
    ]
    result = invoke("pathways", "--format", "json")
    client = create_app({"TESTING": True, "STORE": territory, "SECRET_KEY": "t"}).test_client()
    assert json.loads(result.output) == client.get("/api/pathways").get_json()


def test_empty_graph(runner, falkor_server, store):
    """On an empty graph: pathways says how to load one; match exits 2 with the same hint."""
    base = ["--data-dir", str(falkor_server.data_dir), "--graph", store.graph_name]
    result = runner.invoke(cli, [*base, "pathways"], obj={})
    assert (result.exit_code, result.output) == (
        0, "No pathway in the graph: load a territory first (maillage load --demo).\n")
    result = runner.invoke(cli, [*base, "match", "-p", "ic", "-s", "suivi", "-c", "Douai"], obj={})
    assert result.exit_code == 2
    assert result.output == ("Error: unknown pathway 'ic' (known: none loaded)\n"
                             "Hint: the graph has no pathway: load a territory first (maillage load --demo)\n")


def test_candidate_ids_in_json(invoke):
    """The JSON answer carries the ids the actor pages and the API use."""
    result = invoke("match", "-p", "tp", "-s", "b", "-c", "59001", "--today", "2026-11-22", "--format", "json")
    nurse = next(r for r in json.loads(result.output)["roles"] if r["key"] == "infirmier")
    assert nurse["candidates"][0]["id"] == pid(1)
