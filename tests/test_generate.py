"""Tests of the synthetic data generator (bench/generate.py): formats, determinism, references, errors."""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from bench.generate import DEMO_DIR, main
from bench.synth_base import REFERENCE_DATE, lambert93, luhn_key, utm
from bench.synth_roster import PARTNERSHIP_HEADER, ROSTER_HEADER, STAGES
from bench.synth_rpps import HEADER_2021, HEADER_2023_EXTRA
from bench.synth_territory import PA_TERRITORY_NAME

ROOT = Path(__file__).resolve().parent.parent
REAL_SAMPLE = ROOT.parent / "shared" / "data" / "rpps" / "PS_LibreAcces_Personne_activite_sample_2021.txt"
TERRITORY_FILES = (PA_TERRITORY_NAME, "roster.csv", "partnerships.csv")
ALL_STAGES = {f"{p}.{s}" for p, stages in STAGES.items() for s in stages}
FINESS_RE = re.compile(r"^[0-9][0-9AB][0-9]{7}$")


def _luhn_ok(number: str) -> bool:
    """True when the last digit is the Luhn key of the others."""
    return luhn_key(number[:-1]) == number[-1]


@pytest.fixture(scope="module")
def territory(tmp_path_factory) -> Path:
    """The demo territory generated once (default seed) into a temporary folder."""
    out = tmp_path_factory.mktemp("territory")
    assert main(["--scale", "territory", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A tiny département-scale benchmark (300 rows)."""
    out = tmp_path_factory.mktemp("departement")
    assert main(["--scale", "departement", "--out", str(out), "--max-rows", "300"]) == 0
    return out


def _lines(path: Path, encoding: str = "utf-8") -> list[str]:
    """The lines of a file, without line ends."""
    return path.read_text(encoding=encoding).split("\n")[:-1]


def _rows(path: Path) -> list[dict[str, str]]:
    """Rows of a ``;`` CSV with a header."""
    with open(path, encoding="utf-8", newline="") as fp:
        return list(csv.DictReader(fp, delimiter=";"))


# --- determinism ------------------------------------------------------------------


def test_territory_same_seed_same_bytes(territory, tmp_path):
    assert main(["--scale", "territory", "--out", str(tmp_path)]) == 0
    for name in TERRITORY_FILES:
        assert (tmp_path / name).read_bytes() == (territory / name).read_bytes(), name


def test_territory_other_seed_other_rows(territory, tmp_path):
    assert main(["--scale", "territory", "--out", str(tmp_path), "--seed", "7"]) == 0
    assert (tmp_path / PA_TERRITORY_NAME).read_bytes() != (territory / PA_TERRITORY_NAME).read_bytes()


def test_departement_same_seed_same_bytes(tiny, tmp_path):
    assert main(["--scale", "departement", "--out", str(tmp_path), "--max-rows", "300"]) == 0
    for path in sorted(p for p in tiny.rglob("*") if p.is_file()):
        rel = path.relative_to(tiny)
        assert (tmp_path / rel).read_bytes() == path.read_bytes(), rel
    assert (tmp_path / "nomenclatures" / "TRE_G15_ProfessionSante.csv").is_file()  # the real codes, for labels


# --- Personne_activite, 2021 and 2023+ -----------------------------------------------


def test_territory_header_is_the_real_2021_header(territory):
    header = _lines(territory / PA_TERRITORY_NAME)[0]
    assert header == "|".join(HEADER_2021) + "|"
    if not REAL_SAMPLE.is_file():
        pytest.skip(f"real sample not found at {REAL_SAMPLE}")
    assert header == REAL_SAMPLE.read_text(encoding="utf-8").split("\n")[0]


def test_territory_rows_have_52_fields_and_a_trailing_bar(territory):
    lines = _lines(territory / PA_TERRITORY_NAME)
    assert 900 < len(lines) < 2000
    assert len(set(lines)) == len(lines), "a repeated line would be rejected as a duplicate"
    for n, line in enumerate(lines, 1):
        fields = line.split("|")
        assert len(fields) == 53 and fields[-1] == "", (n, len(fields))
        assert '"' not in line


def test_territory_file_is_small(territory):
    assert (territory / PA_TERRITORY_NAME).stat().st_size < 600_000


def test_territory_identifiers_are_synthetic_rpps(territory):
    lines = _lines(territory / PA_TERRITORY_NAME)[1:]
    for line in lines:
        f = line.split("|")
        assert f[0] == "8"
        assert re.fullmatch(r"199\d{8}", f[1]) and _luhn_ok(f[1]), f[1]
        assert f[2] == "8" + f[1]


def test_territory_codes_and_sites(territory):
    rows = [dict(zip(HEADER_2021, line.split("|"), strict=False))
            for line in _lines(territory / PA_TERRITORY_NAME)[1:]]
    with open(DEMO_DIR / "finess_douaisis_flat.csv", encoding="utf-8") as fp:
        real = {r["nofinesset"]: r for r in csv.DictReader(fp, delimiter=";")}
    people: dict[str, dict] = {}
    for r in rows:
        people.setdefault(r["Identification nationale PP"], r)
        assert r["Code mode exercice"] in ("L", "S", "")
        if r["Numéro FINESS site"]:
            site = real[r["Numéro FINESS site"]]  # every FINESS site is a real one of the territory
            assert r["Raison sociale site"] == " ".join(site["rs"].replace('"', " ").split())
            assert r["Code postal (coord. structure)"] == site["code_postal"]
            assert r["Code commune (coord. structure)"].startswith("59")
        if r["Code profession"] == "10":
            assert r["Code type savoir-faire"] == "S" and re.fullmatch(r"SM\d\d", r["Code savoir-faire"])
        if r["Code secteur d'activité"] == "SA33":
            assert r["Code section tableau pharmaciens"] in ("A", "D")
    gps = [r for r in people.values() if r["Code savoir-faire"] == "SM54"]
    nurses = [r for r in people.values() if r["Code profession"] == "60"]
    # ~149,000 inhabitants: 80 + 10 GPs and 150 + 50 nurses per 100,000, plus a few neighbours
    assert 120 <= len(gps) <= 170
    assert 260 <= len(nurses) <= 360
    assert any(r["Code secteur d'activité"] == "SA52" for r in rows)  # MSP
    assert sum(1 for r in rows if r["Code commune (coord. structure)"][:2] == "62") >= 1  # out of territory


def test_tiny_departement_is_2023_format(tiny):
    (pa,) = tiny.glob("PS_LibreAcces_Personne_activite_departement.txt")
    lines = _lines(pa)
    assert lines[0] == "|".join(HEADER_2021 + HEADER_2023_EXTRA) + "|"
    assert 250 <= len(lines) - 1 <= 310
    for line in lines[1:]:
        fields = line.split("|")
        assert len(fields) == 57 and fields[-1] == ""
        assert re.fullmatch(r"199\d{8}", fields[1]) and int(fields[1][:10]) >= 1991000000


# --- FINESS raw -----------------------------------------------------------------------


def test_tiny_finess_raw_format(tiny):
    (path,) = tiny.glob("etalab-cs1100507-stock-*-0000.csv")
    raw = path.read_bytes()
    text = raw.decode("iso-8859-1")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # accented labels are Latin-1 bytes
    lines = text.split("\n")[:-1]
    assert lines[0] == f"finess;etalab;117;{REFERENCE_DATE.isoformat()}"
    structures = [line for line in lines[1:] if line.startswith("structureet;")]
    geo = [line for line in lines[1:] if line.startswith("geolocalisation;")]
    assert len(structures) + len(geo) == len(lines) - 1
    assert 25 <= len(structures) <= 40 and len(geo) <= len(structures)
    ids = []
    for line in structures:
        f = line.split(";")
        assert len(f) == 32 and f[-1] == ""
        assert FINESS_RE.match(f[1]) and FINESS_RE.match(f[2]) and f[1].startswith("59")
        assert _luhn_ok(f[1])
        assert re.fullmatch(r"\d{3}", f[12]) and f[13] == "59" and f[14] == "NORD"
        assert re.fullmatch(r"\d{5} .+", f[15])
        ids.append(f[1])
    assert ids == sorted(ids)
    for line in geo:
        f = line.split(";")
        assert len(f) == 6 and f[1] in ids
        x, y = float(f[2]), float(f[3])
        assert 600_000 < x < 800_000 and 6_950_000 < y < 7_130_000  # Nord in Lambert-93
        assert f[4].endswith("LAMBERT_93")


# --- roster, partnerships, territory file ---------------------------------------------


def _pa_ids(folder: Path) -> set[str]:
    """Identification nationale PP of every line of the Personne_activite file(s) in ``folder``."""
    ids = set()
    for path in folder.glob("PS_LibreAcces_Personne_activite_*.txt"):
        ids |= {line.split("|")[2] for line in _lines(path)[1:]}
    return ids


def test_territory_roster(territory):
    rows = _rows(territory / "roster.csv")
    assert (territory / "roster.csv").read_text(encoding="utf-8").split("\n")[0] == ";".join(ROSTER_HEADER)
    with open(DEMO_DIR / "finess_douaisis_flat.csv", encoding="utf-8") as fp:
        finess = {r["nofinesset"] for r in csv.DictReader(fp, delimiter=";")}
    ps_ids = _pa_ids(territory)
    for r in rows:
        assert r["type"] in ("PS", "ES")
        assert r["identifiant"] in (ps_ids if r["type"] == "PS" else finess), r["identifiant"]
        assert set(filter(None, r["parcours_etapes"].split(","))) <= ALL_STAGES
        assert r["accepte_nouveaux_patients"] in ("oui", "non") and r["visites_domicile"] in ("oui", "non")
        assert all(re.fullmatch(r"59\d{3}", c) for c in r["communes_intervention"].split())
        assert r["role"] in ("membre", "referent", "bureau", "coordination")
        assert r["adherent_depuis"] <= r["derniere_verification"] <= "2026-11-01"
        assert not r["mssante"] or r["mssante"].endswith("@mssante.example")
    ps = [r for r in rows if r["type"] == "PS"]
    professionals = {line.split("|")[2] for line in _lines(territory / PA_TERRITORY_NAME)[1:]}
    assert 0.30 <= len(ps) / len(professionals) <= 0.47
    assert {"590001004", "590032108"} <= {r["identifiant"] for r in rows if r["type"] == "ES"}  # CH, HAD
    referents = [r for r in rows if r["role"] == "referent"]
    assert sorted({r["parcours_etapes"].split(".")[0] for r in referents}) == sorted(STAGES)
    assert all(len({s.split(".")[0] for s in r["parcours_etapes"].split(",")}) == 1 for r in referents)
    stale = sum(1 for r in rows if r["derniere_verification"] < "2025-05-01")
    assert 0.05 <= stale / len(rows) <= 0.15
    diagnostic = [r for r in rows if "bpco.diagnostic" in r["parcours_etapes"].split(",")]
    assert len(diagnostic) == 1  # a single pneumologist: a point de rupture to show


def test_territory_partnerships(territory):
    rows = _rows(territory / "partnerships.csv")
    assert (territory / "partnerships.csv").read_text(encoding="utf-8").split("\n")[0] == \
        ";".join(PARTNERSHIP_HEADER)
    assert 15 <= len(rows) <= 30
    ps_ids = _pa_ids(territory)
    with open(DEMO_DIR / "finess_douaisis_flat.csv", encoding="utf-8") as fp:
        finess = {r["nofinesset"] for r in csv.DictReader(fp, delimiter=";")}
    for r in rows:
        assert r["type"] in ("convention", "protocole_cooperation", "informel")
        assert not (r["type"] == "informel" and r["signe"] == "oui")
        for party in r["parties"].split(","):
            kind, _, ident = party.partition(":")
            assert ident in {"PS": ps_ids, "ES": finess, "CPTS": {"cpts-grand-douai"}}[kind], party
        assert set(filter(None, r["parcours"].split(","))) <= set(STAGES)
    soon = [r for r in rows if r["date_fin"] and
            REFERENCE_DATE < date.fromisoformat(r["date_fin"]) <= REFERENCE_DATE + timedelta(days=60)]
    assert len(soon) >= 1
    assert any(r["type"] == "protocole_cooperation" and "kinésithérapeute" in r["nom"] for r in rows)
    assert any("ES:590001004" in r["parties"] and r["type"] == "convention" for r in rows)


def test_tiny_roster_ids_exist(tiny):
    (finess_path,) = tiny.glob("etalab-cs1100507-*.csv")
    finess = {line.split(";")[1] for line in _lines(finess_path, "iso-8859-1") if line.startswith("structureet;")}
    ps_ids = _pa_ids(tiny)
    for r in _rows(tiny / "roster.csv"):
        assert r["identifiant"] in (ps_ids if r["type"] == "PS" else finess)


def test_tiny_territory_yaml(tiny):
    doc = yaml.safe_load((tiny / "territory.yaml").read_text(encoding="utf-8"))
    assert doc["id"] == "bench-departement" and doc["communes"] == "all"
    src = doc["sources"]
    assert (tiny / src["communes"]).is_file() and (tiny / src["roster"]).is_file()
    assert src["finess"][0]["format"] == "raw" and (tiny / src["finess"][0]["path"]).is_file()
    assert src["rpps"][0]["synthetic"] is True and (tiny / src["rpps"][0]["path"]).is_file()
    with open(tiny / src["communes"], encoding="utf-8") as fp:
        assert {r["insee_dep"] for r in csv.DictReader(fp)} == {"59"}


# --- projections -------------------------------------------------------------------------


def test_projections_match_pyproj():
    pyproj = pytest.importorskip("pyproj")
    to93 = pyproj.Transformer.from_crs(4326, 2154, always_xy=True)
    for lat, lon in [(50.37, 3.08), (46.2, 5.2), (43.3, -1.5), (42.5, 9.3)]:
        x, y = lambert93(lat, lon)
        ex, ey = to93.transform(lon, lat)
        assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01
    toutm = pyproj.Transformer.from_crs(4326, 2975, always_xy=True)  # RGR92 / UTM 40S (La Réunion)
    x, y = utm(-21.0, 55.5, 40, True)
    ex, ey = toutm.transform(55.5, -21.0)
    assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("argv, message", [
    (["--scale", "canton"], "error: unknown scale 'canton': choose territory, departement, region or france."),
    (["--scale", "departement", "--max-rows", "0"], "error: --max-rows must be a positive number, not 0."),
])
def test_bad_arguments_exit_2(argv, message, tmp_path, capsys):
    assert main(argv + ["--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == message
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_exit_2(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["--scale", "territory", "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write to the output folder '{blocker / 'out'}'")
    assert err.count("\n") == 1


def test_cli_exit_code():
    done = subprocess.run([sys.executable, "-m", "bench.generate", "--scale", "monde"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == "error: unknown scale 'monde': choose territory, departement, region or france.\n"
    assert done.stdout == ""


# --- the project's loaders read the generated files without rejects ------------------------


def test_loaders_accept_generated_files(territory, tiny):
    from loaders.cpts import read_partnerships, read_roster
    from loaders.errors import LoadReport
    from loaders.finess import read_finess_raw
    from loaders.rpps import read_personne_activite

    (finess_path,) = tiny.glob("etalab-cs1100507-*.csv")
    checks = [
        (read_personne_activite, territory / PA_TERRITORY_NAME, {}),
        (read_roster, territory / "roster.csv", {"territory_id": "cpts-grand-douai", "today": REFERENCE_DATE}),
        (read_partnerships, territory / "partnerships.csv", {}),
        (read_finess_raw, finess_path, {}),
        (read_personne_activite, tiny / "PS_LibreAcces_Personne_activite_departement.txt", {}),
    ]
    for reader, path, kwargs in checks:
        report = LoadReport()
        records = list(reader(path, report, **kwargs))
        assert records, path.name
        assert not report.rejected, (path.name, report.rejected[:3])


def test_scripts_run_from_a_clone_as_the_readme_says(tmp_path):
    """``python bench/generate.py`` and ``python bench/run.py`` work without installing ``bench``."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ""}
    bad = subprocess.run([sys.executable, "bench/generate.py", "--scale", "nowhere", "--out", str(tmp_path)],
                         cwd=repo, capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "unknown scale 'nowhere'" in bad.stderr
    ok = subprocess.run([sys.executable, "bench/generate.py", "--scale", "departement", "--max-rows", "100",
                         "--out", str(tmp_path)], cwd=repo, capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "territory.yaml").is_file()
    helped = subprocess.run([sys.executable, "bench/run.py", "--help"], cwd=repo, capture_output=True, text=True,
                            env=env)
    assert helped.returncode == 0 and "--nx-projection" in helped.stdout
