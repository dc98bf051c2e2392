"""Communes, EPCI and nomenclature loaders, and the commune index, on the real files."""
from __future__ import annotations

from pathlib import Path

import pytest

from loaders.communes import CommuneIndex, epci_members, read_communes, read_epci
from loaders.errors import FileFormatError, LoadReport
from loaders.nomenclatures import read_nomenclature, read_nomenclature_folder

DEMO = Path(__file__).parents[1] / "loaders" / "demo"


@pytest.fixture(scope="module")
def index():
    report = LoadReport()
    _epcis, epci_of = read_epci(DEMO / "epci_59_62.csv", report)
    return CommuneIndex(read_communes(DEMO / "communes_59_62.csv", report, epci_of=epci_of))


def test_one_commune_per_insee_code_with_all_its_postal_codes(index):
    assert len(index) == 1538  # 1,551 rows: some communes have several postal codes
    douai = index.get("59178")
    assert (douai.name, douai.department, douai.population, douai.epci) == ("Douai", "59", 39648, "200044618")
    assert douai.postal_codes == ["59500"]
    assert (round(douai.lat, 3), round(douai.lon, 3)) == (50.379, 3.1)


def test_epci_membership_gives_the_demo_territory():
    assert len(epci_members(DEMO / "epci_59_62.csv", ["200044618"])) == 35
    with pytest.raises(FileFormatError, match="unknown EPCI code"):
        epci_members(DEMO / "epci_59_62.csv", ["999999999"])


@pytest.mark.parametrize(
    "text, expected",
    [
        # five digits can be an INSEE code and a postal code: both are offered, the INSEE code first
        ("59178", ["59178", "59100", "59109", "59284", "59403"]),
        ("douai", ["59178"]),
        ("DOUAI", ["59178"]),
        ("59450", ["59450", "59569"]),
        ("59500", ["59500", "59178"]),  # the INSEE code of Ribécourt-la-Tour and the postal code of Douai
        ("Sin le noble", ["59569"]),
        ("Lallaing", ["59327"]),
    ],
)
def test_search_by_code_name_or_postal_code_ignores_case_and_accents(index, text, expected):
    assert [c.id for c in index.search(text)] == expected


def test_resolve_postal_handles_cedex_labels(index):
    assert index.resolve_postal("59507", "DOUAI CEDEX") == "59178"
    assert index.resolve_postal("59500 DOUAI") == "59178"
    assert index.resolve_postal("99999", "NULLE PART") is None


def test_within_radius_and_distance(index):
    near = index.within("59178", 3.0)
    assert near["59178"] == 0.0
    assert "59569" in near and near["59569"] < 3.0  # Sin-le-Noble
    assert all(d <= 3.0 for d in near.values())
    assert index.distance("59178", "59569") == near["59569"]


def test_real_communes_file_has_no_rejects_and_merges_duplicates(shared_data):
    report = LoadReport()
    communes = list(read_communes(shared_data / "communes" / "communes_france_2024.csv", report))
    assert report.rejected == []
    assert len(communes) == len({c.id for c in communes}) == 34976
    teteghem = next(c for c in communes if c.id == "59588")
    assert (teteghem.kind, teteghem.name) == ("COM", "Téteghem-Coudekerque-Village")


def test_bad_commune_rows_are_rejected(tmp_path):
    path = tmp_path / "communes.csv"
    header = (DEMO / "communes_59_62.csv").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(header + "\n"
                    "59178,32,59,Douai,Douai,59500,COM,,50.37853,3.10037,16.87,39713,40718,,,,,,\n"
                    "5917,32,59,X,X,59500,COM,,50.3,3.1,1,1,1,,,,,,\n"
                    "59569,32,59,Sin,Sin,59450,COM,,north,3.1,1,1,1,,,,,,\n"
                    "59570,32,59,Y,Y,59450,COM,,95.0,3.1,1,1,1,,,,,,\n", encoding="utf-8")
    report = LoadReport()
    assert [c.id for c in read_communes(path, report)] == ["59178"]
    assert [(r.line, r.column, r.value, r.reason) for r in report.rejected] == [
        (3, "insee_com", "5917", "not a valid INSEE commune code"),
        (4, "lat", "north", "not a number"),
        (5, "lat", "95.0", "latitude out of range"),
    ]


def test_nomenclatures_become_concepts_with_their_scheme():
    report = LoadReport()
    concepts = {c.id: c for c in read_nomenclature_folder(DEMO / "nomenclatures", report)}
    assert report.rejected == []
    assert concepts["TRE_G15:60"].label == "Infirmier"
    assert concepts["TRE_R38:SM54"].label == "Médecine générale (SM)"
    assert concepts["FINESS_CAT:603"].broader == "FINESS_AGR:2103" or concepts["FINESS_CAT:603"].broader
    assert concepts["TRE_G15:35"].status == "deprecated" and concepts["TRE_G15:35"].end_date == "2024-12-13"


def test_unknown_nomenclature_file_is_refused(tmp_path):
    path = tmp_path / "professions.csv"
    path.write_text("code;libelle\n10;Médecin\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a known nomenclature file"):
        list(read_nomenclature(path, LoadReport()))
