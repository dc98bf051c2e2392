"""FINESS loaders: raw etalab extracts, FHIR ndjson and flat CSV, on real extracts (tests/data/finess)."""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from graph.model import Commune, LegalEntity, Structure
from loaders.communes import CommuneIndex, read_communes
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.finess import (
    FINESS_ENCODING,
    detect_finess_format,
    insee_code,
    read_finess,
    read_finess_fhir,
    read_finess_flat,
    read_finess_raw,
)

DATA = Path(__file__).parent / "data" / "finess"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
EXCERPT = DATA / "etalab-cs1100502-stock-20260512_excerpt15.csv"
RAW507 = DATA / "etalab-cs1100507-stock-test.csv"
FHIR = DATA / "finess_fhir_20210108_dep59_cut.ndjson"
FLAT = DATA / "finess_fhir_20210108_dep59_flat_cut.csv"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared samples not found at {SHARED}")

RAW_LINES = EXCERPT.read_text(encoding=FINESS_ENCODING).splitlines()
COMMENT, FLEYRIAT, CAYENNE = RAW_LINES[0], RAW_LINES[1], RAW_LINES[6]
GEO_FLEYRIAT = ("geolocalisation;010000024;870262.2;6571540.8;"
                "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole);2026-05-04")
FHIR_LINES = FHIR.read_text(encoding="utf-8").splitlines()
FLAT_LINES = FLAT.read_text(encoding="utf-8").splitlines()


def structures(records: list) -> list[Structure]:
    """The Structure records of a list."""
    return [r for r in records if isinstance(r, Structure)]


def load(reader, path: Path, **kwargs) -> tuple[list, LoadReport]:
    """Run a reader to the end; return its records and report."""
    report = LoadReport()
    return list(reader(path, report, **kwargs)), report


def write_raw(tmp_path: Path, lines: list[str], name: str = "etalab-cs1100507-test.csv") -> Path:
    """Write raw FINESS lines in ISO-8859-1."""
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(FINESS_ENCODING))
    return path


def replace_field(line: str, index: int, value: str) -> str:
    """A raw line with field ``index`` (0 = section) replaced."""
    fields = line.split(";")
    fields[index] = value
    return ";".join(fields)


@pytest.fixture
def small_index() -> CommuneIndex:
    """A commune index of real communes of the Nord (INSEE codes, names, postal codes)."""
    return CommuneIndex([
        Commune(id="59574", name="Somain", department="59", postal_codes=["59490"]),
        Commune(id="59286", name="Haubourdin", department="59", postal_codes=["59320"]),
        Commune(id="59051", name="La Bassée", department="59", postal_codes=["59480"]),
        Commune(id="59350", name="Lille", department="59", postal_codes=["59000", "59160", "59260", "59777", "59800"]),
        Commune(id="59360", name="Loos", department="59", postal_codes=["59120"]),
        Commune(id="59527", name="Saint-André-lez-Lille", department="59", postal_codes=["59350"]),
        Commune(id="59599", name="Tourcoing", department="59", postal_codes=["59200"]),
        Commune(id="01451", name="Viriat", department="01", postal_codes=["01440"]),
        Commune(id="01453", name="Bourg-en-Bresse", department="01", postal_codes=["01000"], kind="COMD",
                parent="01451"),
    ])


# --- test data ------------------------------------------------------------------


@needs_shared
def test_excerpt_is_a_verbatim_copy() -> None:
    """The 15-line excerpt in tests/data is byte for byte the shared one."""
    shared = SHARED / "finess" / EXCERPT.name
    assert EXCERPT.read_bytes() == shared.read_bytes()


@pytest.mark.parametrize("path, expected", [(EXCERPT, "raw"), (RAW507, "raw"), (FHIR, "fhir"), (FLAT, "flat")],
                         ids=lambda v: v if isinstance(v, str) else v.name)
def test_detect_finess_format(path: Path, expected: str) -> None:
    """The first line tells the form."""
    assert detect_finess_format(path) == expected


def test_detect_finess_format_refuses_other_files(tmp_path: Path) -> None:
    """A file in none of the forms gets one sentence saying what was expected."""
    path = tmp_path / "communes.csv"
    path.write_text("insee_com,insee_dep\n59350,59\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="not a FINESS file: its first line 'insee_com,insee_dep'"):
        detect_finess_format(path)


def test_read_finess_dispatches_and_checks_the_format_name() -> None:
    """``read_finess`` detects the form or takes it; an unknown name is refused."""
    assert [r.id for r in structures(load(read_finess, FLAT)[0])] == \
        [r.id for r in structures(load(read_finess_flat, FLAT)[0])]
    with pytest.raises(FileFormatError, match="not FHIR ndjson"):
        list(read_finess(FLAT, LoadReport(), format="fhir"))
    with pytest.raises(ValueError, match="unknown FINESS format 'xml'"):
        list(read_finess(FLAT, LoadReport(), format="xml"))


# --- raw: the real excerpt ------------------------------------------------------------


def test_raw_excerpt_loads_every_structure_once() -> None:
    """14 structureet lines give 14 Structures and 13 LegalEntities (one EJ has two sites)."""
    records, report = load(read_finess_raw, EXCERPT)
    assert report.loaded == {"Structure": 14, "LegalEntity": 13}
    assert report.rejected == [] and report.warnings == []
    ejs = [r.id for r in records if isinstance(r, LegalEntity)]
    assert len(ejs) == len(set(ejs)) == 13
    # each LegalEntity comes before its first Structure
    seen: set[str] = set()
    for r in records:
        if isinstance(r, LegalEntity):
            seen.add(r.id)
        else:
            assert r.legal_entity in seen


def test_raw_excerpt_fills_every_field() -> None:
    """The metropolitan line (CH de Fleyriat) maps onto every Structure field."""
    s = structures(load(read_finess_raw, EXCERPT)[0])[0]
    assert s == Structure(
        id="010000024", name="CH DE FLEYRIAT", category_code="355", category_label="Centre Hospitalier (C.H.)",
        aggregate_code="1102", aggregate_label="Centres Hospitaliers", legal_entity="010780054",
        long_name="CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT", address="900 RTE DE PARIS",
        postal_code="01440", city="VIRIAT", commune="01451", phone="0474454647", email=None,
        siret="26010004500012", ape="8610Z", sph_code="1", opened="1979-02-13", updated="2020-02-04",
        lat=None, lon=None, source=EXCERPT.name, source_line=2, synthetic=False,
    )


@pytest.mark.parametrize(
    "finess, commune, city",
    [
        ("970102018", "97701", "ST BARTHELEMY"),  # 9A + 123: Saint-Barthélemy, renumbered in 2007
        ("970100400", "97801", "ST MARTIN"),  # 9A + 127: Saint-Martin
        ("970210126", "97207", "DUCOS"),  # 9B Martinique
        ("970300026", "97302", "CAYENNE CEDEX"),  # 9C Guyane
        ("970400024", "97411", "ST DENIS CEDEX"),  # 9D La Réunion
        ("970409645", "97408", "LA POSSESSION"),
        ("980501506", "97606", "CHIRONGUI"),  # 9F Mayotte
        ("980502199", "97610", "KOUNGOU"),
        ("980600027", "98613", "UVEA"),  # 9J Wallis-et-Futuna
    ],
)
def test_raw_overseas_insee_codes(finess: str, commune: str, city: str) -> None:
    """Overseas INSEE codes are 97/98 + the 3-digit commune, with the 2007 renumberings."""
    by_id = {s.id: s for s in structures(load(read_finess_raw, EXCERPT)[0])}
    assert (by_id[finess].commune, by_id[finess].city) == (commune, city)


def test_raw_excerpt_decodes_latin1_and_quoted_fields() -> None:
    """Accents come from ISO-8859-1; doubled quotes inside a quoted field are undone."""
    by_id = {s.id: s for s in structures(load(read_finess_raw, EXCERPT)[0])}
    mayotte = by_id["980501506"]
    assert mayotte.name == 'LIEU DE VIE "MAVOUNA MEMA 1"'
    assert mayotte.long_name == 'LIEU DE VIE ET D\'ACCUEIL "MAVOUNA MEMA 1"'
    assert by_id["970210126"].category_label == "Centre Médico-Psycho-Pédagogique (C.M.P.P.)"
    assert by_id["970210126"].name == "CMPP INTERSECTORIEL ALOES"  # inner double space collapsed
    assert by_id["980502199"].address == "ZI VALLÉE 3 BP 208"
    assert by_id["970409645"].address == "1 C R RAYMOND BARRE, ZAC MOULIN JOLI"  # numvoie compvoie typvoie voie
    assert by_id["970216057"].address == "ROUTE DES RELIGIEUSES"  # compldistrib
    assert by_id["980600027"].phone is None and by_id["980600027"].address == "BP 4 - MATA'UTU"


# --- raw: the built cs1100507 file -------------------------------------------------------


def test_raw_cs1100507_attaches_converted_coordinates() -> None:
    """Lambert-93 and overseas UTM geolocalisation lines give WGS84 points on the right sites."""
    records, report = load(read_finess_raw, RAW507)
    by_id = {s.id: s for s in structures(records)}
    expected = {
        "010000024": (46.222286, 5.209181),  # Lambert-93, 2026 source label
        "590000014": (50.356121, 3.284513),  # Lambert-93, 2021 source label; = the FHIR/flat position
        "590000113": (50.610831, 3.009659),
        "970300026": (4.9347, -52.3277),  # UTM 22N
        "970400024": (-20.8830, 55.4388),  # UTM 40S
        "980501506": (-12.9190, 45.1493),  # UTM 38S
        "970210126": (14.5868, -60.9822),  # UTM 20N
    }
    for finess, (lat, lon) in expected.items():
        assert by_id[finess].lat == pytest.approx(lat, abs=2e-6), finess
        assert by_id[finess].lon == pytest.approx(lon, abs=2e-6), finess
    assert by_id["590000089"].lat is None and by_id["590000089"].lon is None  # its geolocalisation is bad
    assert report.loaded == {"Structure": 8, "LegalEntity": 7}


def test_raw_cs1100507_rejects_its_bad_rows() -> None:
    """The wrong-width structureet line and the unparseable coordinate are rejected with where and why."""
    _, report = load(read_finess_raw, RAW507)
    got = sorted((r.line, r.column, r.value, r.reason) for r in report.rejected)
    assert got == [
        (5, None, None, "wrong number of fields: 31 instead of 32 for a structureet line"),
        (12, "coordxet", "699081.O", "not a number"),
    ]
    assert all(r.file == str(RAW507) and r.raw for r in report.rejected)
    assert report.warnings == [f"{RAW507.name}: 1 structure(s) without coordinates (no geolocalisation line, "
                               "or a rejected one), e.g. line 4 590000089"]


@pytest.mark.parametrize(
    "lines, rejected, loaded",
    [
        pytest.param([FLEYRIAT.rsplit(";", 3)[0]], [(2, None, "wrong number of fields: 29 instead of 32")], 0,
                     id="too-few-fields"),
        pytest.param([FLEYRIAT + "X;Y"], [(2, None, "wrong number of fields: 33 instead of 32")], 0,
                     id="too-many-fields"),
        pytest.param([replace_field(FLEYRIAT, 1, "01000002X")],
                     [(2, "nofinesset", "not a valid FINESS number")], 0, id="bad-finess-et"),
        pytest.param([replace_field(FLEYRIAT, 2, "0107800")],
                     [(2, "nofinessej", "not a valid FINESS number")], 0, id="bad-finess-ej"),
        pytest.param([replace_field(FLEYRIAT, 28, "1979-02-31")], [(2, "dateouv", "impossible date")], 0,
                     id="impossible-date"),
        pytest.param([replace_field(FLEYRIAT, 30, "04/02/20")], [(2, "datemaj", "not a date")], 0,
                     id="bad-date"),
        pytest.param([replace_field(FLEYRIAT, 18, "35A")], [(2, "categetab", "not a FINESS category")], 0,
                     id="bad-category"),
        pytest.param([replace_field(replace_field(FLEYRIAT, 3, ""), 4, "")], [(2, "rs", "no name")], 0,
                     id="no-name"),
        pytest.param([FLEYRIAT, replace_field(FLEYRIAT, 30, "2021-01-01")],
                     [(3, "nofinesset", "duplicate nofinesset 010000024 (first seen on line 2)")], 1,
                     id="duplicate-site"),
        pytest.param([replace_field(FLEYRIAT, 28, "bad"), FLEYRIAT], [(2, "dateouv", "not a date")], 1,
                     id="duplicate-of-a-rejected-row-loads"),
        pytest.param([FLEYRIAT, "structureeet;010000024"],
                     [(3, "section", "unknown section (expected structureet or geolocalisation)")], 1,
                     id="unknown-section"),
        pytest.param([FLEYRIAT, GEO_FLEYRIAT.replace("870262.2", "870 262,2 m")],
                     [(3, "coordxet", "not a number")], 1, id="unparseable-coordinate"),
        pytest.param([FLEYRIAT, GEO_FLEYRIAT.replace("870262.2;6571540.8", "6571540.8;870262.2")],
                     [(3, "coordxet", "fall outside the area of EPSG:2154")], 1, id="swapped-coordinates"),
        pytest.param([FLEYRIAT, GEO_FLEYRIAT, GEO_FLEYRIAT],
                     [(4, "nofinesset", "duplicate geolocalisation for nofinesset 010000024 (first seen on line 3)")],
                     1, id="duplicate-geolocalisation"),
        pytest.param([FLEYRIAT, "geolocalisation;010000024;870262.2;6571540.8"],
                     [(3, None, "wrong number of fields: 4 instead of 6 for a geolocalisation line")], 1,
                     id="short-geolocalisation"),
        pytest.param([FLEYRIAT, GEO_FLEYRIAT.replace(";010000024;", ";01000002;")],
                     [(3, "nofinesset", "not a valid FINESS number")], 1, id="geolocalisation-bad-finess"),
    ],
)
def test_raw_bad_rows_are_rejected(tmp_path: Path, lines: list[str], rejected: list, loaded: int) -> None:
    """Each bad row is rejected with line, column and reason; the others load."""
    records, report = load(read_finess_raw, write_raw(tmp_path, [COMMENT, *lines]))
    assert [(r.line, r.column) for r in report.rejected] == [(line, col) for line, col, _ in rejected]
    for rejection, (_, _, reason) in zip(report.rejected, rejected):
        assert reason in rejection.reason
    assert report.loaded.get("Structure", 0) == loaded == len(structures(records))


def test_raw_rejected_geolocalisation_keeps_the_site_without_coordinates(tmp_path: Path) -> None:
    """A bad coordinate is never replaced by a guess: the site loads with no lat/lon."""
    path = write_raw(tmp_path, [COMMENT, FLEYRIAT, GEO_FLEYRIAT.replace("870262.2", "abc")])
    (s,) = structures(load(read_finess_raw, path)[0])
    assert (s.id, s.lat, s.lon) == ("010000024", None, None)


@pytest.mark.parametrize(
    "geo, warning",
    [
        pytest.param(GEO_FLEYRIAT.replace("EPSG:2154 RGF93 / Lambert-93", "EPSG:2970 Guadeloupe 1948 / UTM 20N"),
                     "1 geolocalisation line(s) without usable coordinates (sites kept without lat/lon), "
                     "e.g. line 3 010000024: EPSG:2970 not supported", id="unsupported-crs"),
        pytest.param(GEO_FLEYRIAT.replace("EPSG:2154 RGF93 / Lambert-93 (Métropole)", "BAN"),
                     "e.g. line 3 010000024: no projection in '1,ATLASANTE,96,BAN,BAN'", id="no-crs"),
        pytest.param("geolocalisation;010000024;;;;2026-05-04", "010000024: empty coordinates", id="empty"),
    ],
)
def test_raw_unusable_geolocalisation_is_a_warning(tmp_path: Path, geo: str, warning: str) -> None:
    """An unsupported or missing projection leaves lat/lon empty and says so once."""
    records, report = load(read_finess_raw, write_raw(tmp_path, [COMMENT, FLEYRIAT, geo]))
    (s,) = structures(records)
    assert s.lat is None and s.lon is None and report.rejected == []
    assert len(report.warnings) == 1 and warning in report.warnings[0]


def test_raw_geolocalisation_without_site_is_a_warning(tmp_path: Path) -> None:
    """A geolocalisation line for an unknown site is counted in one warning."""
    geo = GEO_FLEYRIAT.replace(";010000024;", ";970300026;")
    _, report = load(read_finess_raw, write_raw(tmp_path, [COMMENT, FLEYRIAT, geo]))
    assert report.warnings[-1].endswith("1 geolocalisation line(s) for a nofinesset with no structureet line, "
                                        "e.g. 970300026")


@pytest.mark.parametrize(
    "departement, commune, message",
    [
        ("01", "45", "commune code is not 3 digits"),
        ("20", "004", "unknown département code"),
        ("9Z", "101", "unknown département code"),
        ("9B", "123", "not a commune of 9B (Martinique: 2xx)"),
    ],
)
def test_insee_code_errors(departement: str, commune: str, message: str) -> None:
    """Unusable commune codes raise a RowError naming the problem."""
    with pytest.raises(RowError, match=re.escape(message)):
        insee_code(departement, commune)


def test_raw_unusable_commune_code_keeps_the_site(tmp_path: Path) -> None:
    """A site whose commune code cannot be derived loads without commune, with one warning."""
    path = write_raw(tmp_path, [COMMENT, replace_field(FLEYRIAT, 12, "45")])
    records, report = load(read_finess_raw, path)
    (s,) = structures(records)
    assert s.commune is None and report.rejected == []
    assert report.warnings == [f"{path.name}: 1 structure(s) kept without an INSEE commune: commune code not "
                               "usable, e.g. line 2 010000024: commune code is not 3 digits ('45')"]


def test_raw_commune_checked_against_the_index(tmp_path: Path, small_index: CommuneIndex) -> None:
    """Known codes stay; a commune déléguée becomes its commune; unknown codes fall back to the postal label."""
    deleguee = replace_field(replace_field(FLEYRIAT, 12, "453"), 1, "010000032")
    unknown = replace_field(replace_field(FLEYRIAT, 12, "999"), 1, "010000040")
    elsewhere = replace_field(replace_field(FLEYRIAT, 15, "99999 NOWHERE"), 1, "010000057")
    path = write_raw(tmp_path, [COMMENT, FLEYRIAT, deleguee, unknown, replace_field(elsewhere, 12, "998")])
    records, report = load(read_finess_raw, path, communes=small_index)
    assert [s.commune for s in structures(records)] == ["01451", "01451", "01451", None]
    assert len(report.warnings) == 1 and "1 structure(s) kept without an INSEE commune" in report.warnings[0]


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(None, "file not found", id="missing"),
        pytest.param(b"", "is empty (expected the comment line 'finess;etalab;<n>;<AAAA-MM-JJ>')", id="empty"),
        pytest.param(FLEYRIAT.encode("latin-1") + b"\n",
                     "the first line should be the FINESS comment line 'finess;etalab;<n>;<AAAA-MM-JJ>' but is "
                     "'structureet;010000024", id="no-comment-line"),
        pytest.param(b"\n" + COMMENT.encode() + b"\n" + FLEYRIAT.encode("latin-1") + b"\n",
                     "the first line should be the FINESS comment line 'finess;etalab;<n>;<AAAA-MM-JJ>' but is empty",
                     id="blank-first-line"),
        pytest.param(b"\xef\xbb\xbf" + COMMENT.encode() + b"\n",
                     ":1: starts with a UTF-8 byte-order mark: FINESS raw extracts are ISO-8859-1", id="utf8-bom"),
        pytest.param((COMMENT + "\n" + FLEYRIAT + "\n").encode("utf-8"),
                     ":2: looks UTF-8-encoded ('Ã©' is UTF-8 'é' read as ISO-8859-1)", id="utf8-text"),
        pytest.param(FLAT_LINES[0].encode() + b"\n" + FLAT_LINES[1].encode() + b"\n",
                     "but is 'nofinesset;nofinessej;rs;", id="flat-file"),
        pytest.param(FHIR_LINES[1].encode() + b"\n", "but is '{\"id\": \"590780052-590000014-loc\"", id="fhir-file"),
        pytest.param(COMMENT.encode() + b"\n", "has no 'structureet' line after the comment line", id="comment-only"),
        pytest.param((COMMENT + "\nnofinesset;rs\n").encode(),
                     "line 2 starts with 'nofinesset': after the comment line a FINESS raw extract has only "
                     "'structureet;' and 'geolocalisation;' lines", id="other-lines"),
    ],
)
def test_raw_file_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    """A file that is not a raw extract gets one FileFormatError sentence, before any record."""
    path = tmp_path / "etalab.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FileFormatError) as info:
        next(read_finess_raw(path, LoadReport()))
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))


def test_raw_windows_line_ends_and_cp1252_characters(tmp_path: Path) -> None:
    """CRLF line ends are read; Windows-1252 bytes in the C1 range (Œ, ’) become their characters."""
    line = replace_field(FLEYRIAT, 3, "\x8cUVRE L\x92ESPOIR")  # bytes 0x8C, 0x92 written as Latin-1
    path = tmp_path / "etalab-crlf.csv"
    path.write_bytes(("\r\n".join([COMMENT, line, GEO_FLEYRIAT]) + "\r\n").encode("latin-1"))
    (s,) = structures(load(read_finess_raw, path)[0])
    assert s.name == "ŒUVRE L’ESPOIR" and s.lat == pytest.approx(46.222286, abs=1e-6)


def test_raw_numuai_and_trailing_delimiter(tmp_path: Path) -> None:
    """A filled last field (numuai, no trailing ';') and one extra trailing ';' are both read."""
    with_uai = FLEYRIAT + "0011234A"
    extra = replace_field(FLEYRIAT, 1, "010000032") + ";"
    records, report = load(read_finess_raw, write_raw(tmp_path, [COMMENT, with_uai, extra]))
    assert [s.id for s in structures(records)] == ["010000024", "010000032"] and report.rejected == []


def test_raw_synthetic_flag_and_idempotence() -> None:
    """``synthetic`` marks every structure; reading twice gives the same records."""
    first = load(read_finess_raw, RAW507, synthetic=True)[0]
    second = load(read_finess_raw, RAW507, synthetic=True)[0]
    assert first == second and all(s.synthetic for s in structures(first))


# --- FHIR ndjson --------------------------------------------------------------------


def test_fhir_cut_loads_organizations_with_their_locations() -> None:
    """Organizations load with their Location's position, whatever the order of the lines."""
    records, report = load(read_finess_fhir, FHIR)
    by_id = {s.id: s for s in structures(records)}
    assert list(by_id) == ["590000014", "590000089", "590000097", "590000105", "590000113", "590012639"]
    assert report.loaded == {"LegalEntity": 5, "Structure": 6}  # 590000089 and 590000113 share an EJ
    location = json.loads(FHIR_LINES[6])["position"]  # the Location line comes before its Organization
    assert (by_id["590000105"].lat, by_id["590000105"].lon) == (location["latitude"], location["longitude"])
    assert by_id["590012639"].name == 'SAD ASSO "AD VITAM"'  # quoting left by the FHIR generator undone
    [rejection] = report.rejected
    assert (rejection.line, rejection.reason.split(" (")[0]) == (13, "not valid JSON")
    assert f"{FHIR.name}: 1 Location(s) whose Organization is not in the file, e.g. 590780227-590000121" \
        in report.warnings


def test_fhir_fills_every_field_it_carries() -> None:
    """CH Somain from FHIR: every field the FHIR form carries is filled."""
    s = structures(load(read_finess_fhir, FHIR)[0])[0]
    assert s == Structure(
        id="590000014", name="CH SOMAIN", category_code="355", category_label="Centre Hospitalier (C.H.)",
        aggregate_code="1102", aggregate_label="Centres Hospitaliers", legal_entity="590780052", long_name=None,
        address="61 R B J BOULIEZ, BP 19", postal_code="59490", city="SOMAIN", commune=None, phone="0327930909",
        siret="26590699000014", ape="8610Z", sph_code="1", opened="1935-05-01", updated="2014-10-22",
        lat=50.35612069325191, lon=3.2845133279800733, source=FHIR.name, source_line=1,
    )


def test_fhir_resolves_communes_cedex_included(small_index: CommuneIndex) -> None:
    """Postal code + city resolve to INSEE codes, CEDEX labels included."""
    records, report = load(read_finess_fhir, FHIR, communes=small_index)
    communes = {s.id: s.commune for s in structures(records)}
    assert communes == {"590000014": "59574", "590000089": "59286", "590000097": "59051",
                        "590000105": "59350", "590000113": "59360", "590012639": "59599"}
    assert not any("INSEE" in w for w in report.warnings)


def test_fhir_line_order_does_not_matter(tmp_path: Path) -> None:
    """All Locations first, or all last, give the same records."""
    good = [line for line in FHIR_LINES[:12]]
    locations = [line for line in good if '"resourceType": "Location"' in line]
    organizations = [line for line in good if line not in locations]
    results = []
    for order in (good, locations + organizations, organizations + locations):
        path = tmp_path / "order.ndjson"
        path.write_text("\n".join(order) + "\n", encoding="utf-8")
        results.append([(s.id, s.lat, s.lon) for s in structures(load(read_finess_fhir, path)[0])])
    assert results[0] == results[1] == results[2] and all(lat for _, lat, _ in results[0])


def _edit(line: str, **changes) -> str:
    """A FHIR line with top-level keys changed (None removes)."""
    res = json.loads(line)
    for key, value in changes.items():
        if value is None:
            res.pop(key, None)
        else:
            res[key] = value
    return json.dumps(res)


ORG, LOC = FHIR_LINES[0], FHIR_LINES[1]


@pytest.mark.parametrize(
    "lines, rejected, loaded, located",
    [
        pytest.param([ORG, LOC, "{not json"], [(3, None, "not valid JSON")], 1, True, id="not-json"),
        pytest.param([ORG, LOC, _edit(ORG, resourceType="Practitioner")],
                     [(3, "resourceType", "expected an Organization or a Location")], 1, True, id="other-resource"),
        pytest.param([ORG.replace('"value": "590000014"', '"value": "59000001"'), LOC],
                     [(1, "nofinesset", "not a valid FINESS number")], 0, False, id="bad-finess"),
        pytest.param([_edit(ORG, meta={"lastUpdated": "2014-13-22T00:00:00+00:00"}), LOC],
                     [(1, "datemaj", "impossible date")], 0, False, id="bad-date"),
        pytest.param([ORG, LOC, ORG], [(3, "nofinesset", "duplicate nofinesset 590000014 (first seen on line 1)")],
                     1, True, id="duplicate-organization"),
        pytest.param([ORG, _edit(LOC, position={"latitude": 95.0, "longitude": 3.28})],
                     [(2, "position.latitude", "latitude missing or out of range")], 1, False, id="bad-latitude"),
        pytest.param([ORG, _edit(LOC, position={"latitude": "50,3x", "longitude": 3.28})],
                     [(2, "position.latitude", "not a number")], 1, False, id="unparseable-latitude"),
        pytest.param([ORG, _edit(LOC, managingOrganization=None)],
                     [(2, "managingOrganization", "no managingOrganization reference")], 1, False, id="no-reference"),
        pytest.param([ORG, LOC, LOC], [(3, "managingOrganization", "duplicate Location")], 1, True,
                     id="duplicate-location"),
    ],
)
def test_fhir_bad_lines_are_rejected(tmp_path: Path, lines: list[str], rejected: list, loaded: int,
                                     located: bool) -> None:
    """Each bad line is rejected with line, column and reason; a bad Location leaves its site unplaced."""
    path = tmp_path / "finess.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records, report = load(read_finess_fhir, path)
    assert [(r.line, r.column) for r in report.rejected] == [(line, col) for line, col, _ in rejected]
    for rejection, (_, _, reason) in zip(report.rejected, rejected):
        assert reason in rejection.reason
    sites = structures(records)
    assert report.loaded.get("Structure", 0) == loaded == len(sites)
    if sites:
        assert (sites[0].lat is not None) is located


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(None, "file not found", id="missing"),
        pytest.param(FLAT_LINES[0].encode() + b"\n", "not FHIR ndjson: line 1 'nofinesset;", id="flat-file"),
        pytest.param(b'["a list"]\n', "not FHIR ndjson: line 1", id="json-list"),
        pytest.param(ORG.replace("SOMAIN", "SOMA\u00cfN").encode("latin-1") + b"\n",
                     "cannot be read as utf-8: byte b'\\xcf' is not valid", id="latin1-bytes"),
    ],
)
def test_fhir_file_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    """A file that is not FINESS FHIR ndjson gets one FileFormatError sentence, before any record."""
    path = tmp_path / "finess.ndjson"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FileFormatError) as info:
        next(read_finess_fhir(path, LoadReport()))
    assert message in str(info.value)


# --- flat CSV -------------------------------------------------------------------------


def test_flat_cut_loads_and_rejects_the_bad_date() -> None:
    """11 good rows load; the impossible datemaj is rejected with its column and value."""
    records, report = load(read_finess_flat, FLAT)
    assert report.loaded == {"LegalEntity": 10, "Structure": 11}
    [rejection] = report.rejected
    assert (rejection.line, rejection.column, rejection.value) == (13, "datemaj", "2010-02-30")
    assert rejection.reason.startswith("impossible date") and rejection.raw == FLAT_LINES[12]
    s = structures(records)[-1]
    assert (s.id, s.name, s.lat, s.lon) == ("590012639", 'SAD ASSO "AD VITAM"', 50.730577, 3.158877)


def test_flat_and_fhir_agree() -> None:
    """The same sites from the flat and FHIR cuts give the same records (positions to 1e-6)."""
    flat = {s.id: s for s in structures(load(read_finess_flat, FLAT)[0])}
    for s in structures(load(read_finess_fhir, FHIR)[0]):
        other = flat[s.id]
        assert s.lat == pytest.approx(other.lat, abs=1e-6) and s.lon == pytest.approx(other.lon, abs=1e-6)
        for name in ("name", "address", "postal_code", "city", "category_code", "siret", "phone", "opened",
                     "updated", "legal_entity", "ape", "sph_code", "aggregate_label"):
            assert getattr(s, name) == getattr(other, name), (s.id, name)


def test_flat_resolves_cedex_and_warns_once_for_the_rest(small_index: CommuneIndex) -> None:
    """CEDEX labels resolve (HAUBOURDIN, LILLE, ST ANDRE); the unresolved are one aggregated warning."""
    records, report = load(read_finess_flat, FLAT, communes=small_index)
    communes = {s.id: s.commune for s in structures(records)}
    assert communes["590000089"] == "59286"  # 59481 HAUBOURDIN CEDEX
    assert communes["590000105"] == communes["590000188"] == "59350"  # 59037 / 59020 LILLE CEDEX
    assert communes["590000212"] == "59527"  # 59872 ST ANDRE CEDEX = Saint-André-lez-Lille
    unresolved = [k for k, v in communes.items() if v is None]
    assert unresolved == ["590000121", "590000337", "590000428"]  # Seclin, Dunkerque, Cambrai: not in the index
    assert report.warnings == [
        f"{FLAT.name}: 3 structure(s) kept without an INSEE commune: not in the commune index (by code, nor by "
        "postal code and city), e.g. line 7 590000121 '59113 SECLIN'; line 10 590000337 '59140 DUNKERQUE'; "
        "line 11 590000428 '59407 CAMBRAI CEDEX'"
    ]


def test_flat_maps_columns_by_name(tmp_path: Path) -> None:
    """Columns are found by header name: reordered, extra or BOM-prefixed headers read the same."""
    header, row = FLAT_LINES[0].split(";"), FLAT_LINES[1].split(";")
    order = list(reversed(range(len(header))))
    path = tmp_path / "flat.csv"
    path.write_text("\ufeff" + ";".join([header[i] for i in order] + ["extra"]) + "\n"
                    + ";".join([row[i] for i in order] + ["x"]) + "\n", encoding="utf-8")
    expected = replace(structures(load(read_finess_flat, FLAT)[0])[0], source=path.name)
    assert structures(load(read_finess_flat, path)[0]) == [expected]


GOOD_ROW = FLAT_LINES[1]


def _flat_row(**changes: str) -> str:
    """A real flat row with some columns changed."""
    row = dict(zip(FLAT_LINES[0].split(";"), GOOD_ROW.split(";")))
    row.update(changes)
    return ";".join(row.values())


@pytest.mark.parametrize(
    "rows, rejected, loaded",
    [
        pytest.param([GOOD_ROW + ";extra"], [(2, None, "wrong number of fields: 21 instead of 20")], 0, id="width"),
        pytest.param([_flat_row(latitude="50,35x")], [(2, "latitude", "not a number")], 0, id="bad-latitude"),
        pytest.param([_flat_row(longitude="203.2")], [(2, "longitude", "longitude missing or out of range")], 0,
                     id="longitude-range"),
        pytest.param([_flat_row(longitude="")], [(2, "longitude", "longitude missing or out of range")], 0,
                     id="half-position"),
        pytest.param([_flat_row(latitude="0", longitude="0")], [(2, "latitude", "placeholder")], 0, id="zero-zero"),
        pytest.param([_flat_row(nofinesset="5900000014")], [(2, "nofinesset", "not a valid FINESS number")], 0,
                     id="bad-finess"),
        pytest.param([GOOD_ROW, GOOD_ROW], [(3, "nofinesset", "duplicate nofinesset 590000014 (first seen on line 2)")],
                     1, id="duplicate"),
        pytest.param([_flat_row(dateouv="1935-5-1")], [(2, "dateouv", "not a date")], 0, id="bad-date"),
    ],
)
def test_flat_bad_rows_are_rejected(tmp_path: Path, rows: list[str], rejected: list, loaded: int) -> None:
    """Each bad row is rejected with line, column and reason; the others load."""
    path = tmp_path / "flat.csv"
    path.write_text("\n".join([FLAT_LINES[0], *rows]) + "\n", encoding="utf-8")
    records, report = load(read_finess_flat, path)
    assert [(r.line, r.column) for r in report.rejected] == [(line, col) for line, col, _ in rejected]
    for rejection, (_, _, reason) in zip(report.rejected, rejected):
        assert reason in rejection.reason
    assert report.loaded.get("Structure", 0) == loaded


def test_flat_without_position_loads_unplaced(tmp_path: Path) -> None:
    """Empty latitude and longitude are allowed: the site loads without a point."""
    path = tmp_path / "flat.csv"
    path.write_text(FLAT_LINES[0] + "\n" + _flat_row(latitude="", longitude="") + "\n", encoding="utf-8")
    (s,) = structures(load(read_finess_flat, path)[0])
    assert s.lat is None and s.lon is None


@pytest.mark.parametrize(
    "content, message",
    [
        pytest.param(None, "file not found", id="missing"),
        pytest.param(FLAT_LINES[0].replace(";latitude;longitude", "").encode() + b"\n",
                     "missing column(s) 'latitude', 'longitude' in the header", id="missing-columns"),
        pytest.param(FLAT_LINES[0].replace(";", ",").encode() + b"\n",
                     "missing column(s) 'nofinesset'", id="comma-delimited"),
        pytest.param((FLAT_LINES[0] + "\n" + FLAT_LINES[1].replace("é", "\xe9") + "\n").encode("latin-1"),
                     "cannot be read as utf-8-sig: byte b'\\xe9' is not valid", id="latin1-bytes"),
        pytest.param(b"", "file is empty (expected a header line)", id="empty"),
    ],
)
def test_flat_file_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    """A file that is not the flat form gets one FileFormatError sentence."""
    path = tmp_path / "flat.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(FileFormatError) as info:
        list(read_finess_flat(path, LoadReport()))
    assert message in str(info.value)


# --- full samples (../shared/data) --------------------------------------------------------


@needs_shared
@pytest.mark.parametrize("dep, count", [("59", 3886), ("62", 1936)])
def test_full_samples_flat_and_fhir_give_the_same_sites(dep: str, count: int) -> None:
    """The whole département files load without rejects; flat and FHIR give the same records."""
    flat, flat_report = load(read_finess_flat, SHARED / "finess" / f"finess_fhir_20210108_dep{dep}_flat.csv")
    fhir, fhir_report = load(read_finess_fhir, SHARED / "finess" / f"finess_fhir_20210108_dep{dep}.ndjson")
    assert flat_report.loaded["Structure"] == fhir_report.loaded["Structure"] == count
    assert flat_report.rejected == fhir_report.rejected == []
    by_id = {s.id: s for s in structures(flat)}
    assert set(by_id) == {s.id for s in structures(fhir)}
    for s in structures(fhir):
        other = by_id[s.id]
        assert abs(s.lat - other.lat) < 1e-6 and abs(s.lon - other.lon) < 1e-6
        assert (s.name, s.address, s.postal_code, s.city, s.category_code, s.opened, s.updated, s.phone) == (
            other.name, other.address, other.postal_code, other.city, other.category_code, other.opened,
            other.updated, other.phone)


@pytest.fixture(scope="module")
def france_index() -> CommuneIndex:
    """The commune index of all of France, from the shared communes file."""
    path = SHARED / "communes" / "communes_france_2024.csv"
    if not path.exists():
        pytest.skip(f"shared communes file not found at {path}")
    return CommuneIndex(read_communes(path, LoadReport()))


@needs_shared
def test_full_sample_dep59_resolves_communes(france_index: CommuneIndex) -> None:
    """With the national commune index, CEDEX labels resolve and over 99.5% of sites get a commune."""
    records, report = load(read_finess_flat, SHARED / "finess" / "finess_fhir_20210108_dep59_flat.csv",
                           communes=france_index)
    sites = structures(records)
    by_id = {s.id: s for s in sites}
    assert by_id["590000089"].commune == "59286"  # 59481 HAUBOURDIN CEDEX
    assert by_id["590000105"].commune == "59350"  # 59037 LILLE CEDEX
    unresolved = [s for s in sites if s.commune is None]
    assert len(unresolved) / len(sites) < 0.005
    assert len(report.warnings) == 1 and report.warnings[0].startswith(
        f"finess_fhir_20210108_dep59_flat.csv: {len(unresolved)} structure(s) kept without an INSEE commune")
    assert all(s.commune.startswith("59") for s in sites if s.commune)


@needs_shared
def test_raw_excerpt_with_national_index(france_index: CommuneIndex) -> None:
    """Derived overseas codes are in the national index, except the COM it does not list."""
    by_id = {s.id: s for s in structures(load(read_finess_raw, EXCERPT, communes=france_index)[0])}
    assert by_id["970210126"].commune == "97207" and by_id["980501506"].commune == "97606"
    assert by_id["010000024"].commune == "01451"
