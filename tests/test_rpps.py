"""Annuaire Santé Personne_activite loader, on real rows (2021 and 2023+ layouts) and broken ones."""
from __future__ import annotations

from pathlib import Path

import pytest

from graph.model import Activity, Professional
from loaders.errors import FileFormatError, LoadReport
from loaders.nomenclatures import Nomenclatures, read_nomenclature
from loaders.rpps import read_personne_activite

DATA = Path(__file__).parent / "data" / "rpps"
SAMPLE = DATA / "PS_LibreAcces_Personne_activite_sample_2021.txt"
NEW_FORMAT = DATA / "PS_LibreAcces_Personne_activite_2023_format.txt"
BROKEN = DATA / "PS_LibreAcces_Personne_activite_broken.txt"
NOMENCLATURES = Path(__file__).parents[1] / "loaders" / "demo" / "nomenclatures"


def _load(path, **kw):
    report = LoadReport()
    records = list(read_personne_activite(path, report, **kw))
    return records, report


def test_real_sample_2021_loads_every_person():
    records, report = _load(SAMPLE)
    people = [r for r in records if isinstance(r, Professional)]
    assert len(people) == 22
    assert report.rejected == []
    rpps = next(p for p in people if p.id_type == "RPPS")
    assert (rpps.id, rpps.identifier, rpps.last_name, rpps.profession_code, rpps.specialty_code) == (
        "810106476764", "10106476764", "BENHOUCHAME", "10", "SM20")
    adeli = next(p for p in people if p.id == "0010001949")
    assert (adeli.id_type, adeli.first_name, adeli.profession_label) == ("ADELI", "Odilon", "Ostéopathe")


def test_real_sample_activities_carry_site_and_contacts():
    records, _ = _load(SAMPLE)
    acts = {a.professional: a for a in records if isinstance(a, Activity)}
    fleyriat = acts["0019801570"]
    assert (fleyriat.structure, fleyriat.site_name, fleyriat.commune, fleyriat.postal_code) == (
        "010000024", "CH DE FLEYRIAT", "01451", "01440")
    assert (fleyriat.phone, fleyriat.email) == ("0474454647", "dirg@ch-bourg01.fr")
    # a person with no declared place of practice has no activity
    assert "0010001949" not in acts


def test_identifiers_stay_strings_with_leading_zeros():
    records, _ = _load(SAMPLE)
    assert all(isinstance(r.id, str) for r in records)
    assert any(r.id.startswith("00") for r in records if isinstance(r, Professional))


def test_newer_layout_with_four_more_columns_maps_by_header():
    records, report = _load(NEW_FORMAT)
    assert report.rejected == []
    acts = [r for r in records if isinstance(r, Activity)]
    assert {a.role_code for a in acts} == {"FPRO01"}
    assert len([r for r in records if isinstance(r, Professional)]) == 5


def test_unknown_profession_code_is_a_warning_not_a_reject():
    report = LoadReport()
    noms = Nomenclatures(read_nomenclature(NOMENCLATURES / "TRE_G15_ProfessionSante.csv", report))
    records, report = _load(SAMPLE, nomenclatures=noms)
    assert report.rejected == []
    assert any("TRE_G15 code '71'" in w for w in report.warnings)  # Ostéopathe: ADELI title, not in TRE_G15


@pytest.mark.parametrize(
    "line, column, value, reason",
    [
        (5, "Identifiant PP", "01940X726", "not a valid ADELI number"),
        (6, "Type d'identifiant PP", "5", "unknown identifier type (expected 8 for RPPS or 0 for ADELI)"),
        (7, "Identification nationale PP", "0019600049",
         "should be the identifier type followed by the identifier (0019600048)"),
        (8, None, None, "duplicate of line 2"),
        (9, None, None, "wrong number of fields: 20 instead of 52"),
        (10, "Code commune (coord. structure)", "1004", "not a valid INSEE commune code"),
    ],
)
def test_broken_rows_are_rejected_with_line_column_value_reason(line, column, value, reason):
    records, report = _load(BROKEN)
    by_line = {r.line: r for r in report.rejected}
    assert line in by_line, f"line {line} not rejected: {report.rejected}"
    r = by_line[line]
    assert (r.column, r.value, r.reason) == (column, value, reason)
    assert r.file.endswith("PS_LibreAcces_Personne_activite_broken.txt")
    assert r.raw  # the raw row is kept for the rejects file


def test_broken_file_keeps_loading_good_rows():
    records, report = _load(BROKEN)
    assert len(report.rejected) == 6
    assert sorted(r.id for r in records if isinstance(r, Professional)) == [
        "0018602292", "0019801570", "810106476764"]


def test_scope_filter_keeps_activities_in_the_territory():
    records, report = _load(SAMPLE, keep=lambda code: code == "01053")
    assert sorted(r.professional for r in records if isinstance(r, Activity)) == ["0019402379", "0019600048"]
    assert report.loaded["rpps rows outside the territory (skipped)"] == 20


@pytest.mark.parametrize(
    "path, message",
    [
        (DATA / "missing.txt", "file not found"),
        (DATA / "latin1_not_utf8.txt", "cannot be read as utf-8-sig"),
        (Path(__file__).parent / "data" / "rpps" / "README.md", "missing column(s)"),
    ],
)
def test_file_level_problems_are_one_clear_error(path, message):
    with pytest.raises(FileFormatError) as exc:
        _load(path)
    assert message in str(exc.value)
    assert str(path.name) in str(exc.value)
