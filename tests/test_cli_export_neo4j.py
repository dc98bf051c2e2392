"""``maillage export --format neo4j-import``: the CLI road from a loaded graph to neo4j-admin."""
from __future__ import annotations

from pathlib import Path

from loaders.cli import cli

TERRITORY = Path(__file__).parent / "data" / "territory" / "territory.yaml"


def test_export_neo4j_import_writes_the_files_and_prints_the_command(runner, tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli, [*data, "load", str(TERRITORY)]).exit_code == 1  # two rows rejected on purpose
    out = tmp_path / "neo4j"
    result = runner.invoke(cli, [*data, "export", "--format", "neo4j-import", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "neo4j-admin database import full" in result.output
    assert f"--nodes={out / 'nodes_Professional.csv'}" in result.output
    header = (out / "nodes_Professional.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("id:ID(Professional)")
    assert len((out / "nodes_Professional.csv").read_text(encoding="utf-8").splitlines()) == 1 + 9


def test_export_neo4j_import_needs_a_folder(runner, tmp_path):
    data = ["--data-dir", str(tmp_path / "data")]
    runner.invoke(cli, [*data, "load", str(TERRITORY)])
    result = runner.invoke(cli, [*data, "export", "--format", "neo4j-import", "-o", "-"])
    assert result.exit_code == 2
    assert "give -o DIR" in result.output
