"""``maillage load`` and ``maillage stats``: exit codes, messages, reports, on real files."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from loaders.cli import cli

TERRITORY = Path(__file__).parent / "data" / "territory" / "territory.yaml"


@pytest.fixture
def data_dir(tmp_path):
    """A data folder of its own: the CLI starts and stops its own embedded server there."""
    return tmp_path / "data"


def test_load_with_rejected_rows_exits_1_and_writes_the_rejects(runner, data_dir, tmp_path):
    result = runner.invoke(cli, ["--data-dir", str(data_dir), "load", str(TERRITORY),
                                 "--report-dir", str(tmp_path / "report")])
    assert result.exit_code == 1, result.output
    assert "2 row(s) rejected" in result.output
    assert "roster.csv:5: column 'identifiant', value '0019999999'" in result.output
    with (tmp_path / "report" / "rejects.csv").open(encoding="utf-8") as fp:
        rows = list(csv.DictReader(fp, delimiter=";"))
    assert [(Path(r["file"]).name, r["line"]) for r in rows] == [("roster.csv", "5"), ("partnerships.csv", "4")]
    assert rows[0]["raw"].startswith("019999999;PS;Inconnu")
    report = json.loads((tmp_path / "report" / "load-report.json").read_text(encoding="utf-8"))
    assert report["rejected_count"] == 2 and report["nodes"]["Structure"] == 1


def test_stats_reads_what_load_wrote(runner, data_dir):
    runner.invoke(cli, ["--data-dir", str(data_dir), "load", str(TERRITORY)])
    result = runner.invoke(cli, ["--data-dir", str(data_dir), "stats", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["backend"] == "falkordb"
    assert data["nodes"]["Professional"] == 9 and data["nodes"]["Pathway"] == 4
    assert data["relationships"]["NEXT"] == 18


def test_stats_on_an_empty_store_says_what_to_do(runner, data_dir):
    result = runner.invoke(cli, ["--data-dir", str(data_dir), "stats"])
    assert result.exit_code == 0
    assert "load a territory first (maillage load --demo)" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["load"], "give either a TERRITORY file or --demo"),
        (["load", "nowhere.yaml"], "nowhere.yaml: territory file not found"),
        (["load", str(TERRITORY), "--demo"], "give either a TERRITORY file or --demo"),
        (["load", str(TERRITORY), "--batch-size", "0"], "Invalid value for '--batch-size'"),
    ],
)
def test_user_mistakes_exit_2_with_one_message(runner, data_dir, args, message):
    result = runner.invoke(cli, ["--data-dir", str(data_dir), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_failed_load_exits_2_and_keeps_the_graph(runner, data_dir, tmp_path):
    assert runner.invoke(cli, ["--data-dir", str(data_dir), "load", str(TERRITORY)]).exit_code == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nname: y\ncommunes: ['01004']\nsources: {communes: missing.csv}\n", encoding="utf-8")
    result = runner.invoke(cli, ["--data-dir", str(data_dir), "load", str(bad)])
    assert result.exit_code == 2
    assert "load failed, the graph is unchanged" in result.output and "missing.csv: file not found" in result.output
    stats = json.loads(runner.invoke(cli, ["--data-dir", str(data_dir), "stats", "--format", "json"]).output)
    assert stats["nodes"]["Professional"] == 9


def test_wrong_encoding_is_one_clear_sentence(runner, data_dir, tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    latin1 = Path(__file__).parent / "data" / "rpps" / "latin1_not_utf8.txt"
    (folder / "territory.yaml").write_text(
        f"id: x\nname: y\ncommunes: ['01004']\nsources:\n  communes: {TERRITORY.parent / 'communes_ain.csv'}\n"
        f"  rpps: [{latin1}]\n", encoding="utf-8")
    result = runner.invoke(cli, ["--data-dir", str(data_dir), "load", str(folder / "territory.yaml")])
    assert result.exit_code == 2
    assert "latin1_not_utf8.txt:1: cannot be read as utf-8-sig" in result.output
    assert "Traceback" not in result.output
