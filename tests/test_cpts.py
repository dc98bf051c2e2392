"""Tests of loaders.cpts: pathway definitions, roster and partnerships of a CPTS."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from graph.model import Intervention, Membership, Participation, Partnership, Pathway, RoleRequirement, Stage
from loaders.cpts import (
    PS_ID_REASON,
    ROSTER_COLUMNS,
    pathway_stages,
    parse_party,
    professional_id,
    read_partnerships,
    read_pathway,
    read_roster,
    shipped_pathways,
)
from loaders.errors import FileFormatError, LoadReport, RowError

DATA = Path(__file__).parent / "data" / "cpts"
TEMPLATES = Path(__file__).parent.parent / "loaders" / "templates"
TODAY = date(2026, 11, 22)

EXPECTED_STAGES = {
    "ic": ["depistage", "diagnostic", "initiation", "suivi", "decompensation", "sortie_hospitalisation"],
    "bpco": ["depistage", "diagnostic", "prise_en_charge_initiale", "rehabilitation", "suivi", "exacerbation"],
    "dt2": ["depistage", "initiation", "education", "suivi_complications", "suivi"],
    "pa_domicile": ["reperage", "evaluation", "plan", "maintien", "hospitalisation"],
}


def _codes(name: str, column: str, *, active_only: bool = True) -> set[str]:
    """Codes of a nomenclature copied in tests/data/cpts (only active ones when it has a status)."""
    with (DATA / name).open(encoding="utf-8") as fp:
        rows = list(csv.DictReader(fp, delimiter=";"))
    return {r[column] for r in rows if not active_only or r.get("statut", "active") == "active"}


@pytest.fixture(scope="module")
def shipped() -> dict[str, list]:
    """Records of each shipped pathway, by pathway id."""
    out = {}
    for path in shipped_pathways():
        recs = list(read_pathway(path, LoadReport()))
        out[recs[0].id] = recs
    return out


@pytest.fixture(scope="module")
def stages_by_pathway(shipped) -> dict[str, list[str]]:
    """Pathway id -> stage ids, from the shipped definitions."""
    return pathway_stages(r for recs in shipped.values() for r in recs)


# --- shipped pathway definitions ----------------------------------------------


def test_shipped_pathways_are_the_four_files():
    """The four shipped definitions exist, in a fixed order."""
    assert [p.name for p in shipped_pathways()] == ["ic.yaml", "bpco.yaml", "dt2.yaml", "pa_domicile.yaml"]
    assert all(p.is_file() for p in shipped_pathways())


@pytest.mark.parametrize("pathway", list(EXPECTED_STAGES))
def test_shipped_pathway_has_fixed_stages_in_order(shipped, pathway):
    """Stage ids, order and NEXT links are the fixed ones; every fiche is filled in."""
    recs = shipped[pathway]
    assert isinstance(recs[0], Pathway) and recs[0].id == pathway
    stages = [r for r in recs if isinstance(r, Stage)]
    assert [s.key for s in stages] == EXPECTED_STAGES[pathway]
    assert [s.id for s in stages] == [f"{pathway}.{k}" for k in EXPECTED_STAGES[pathway]]
    assert [s.order for s in stages] == list(range(1, len(stages) + 1))
    assert [s.next_stage for s in stages] == [s.id for s in stages[1:]] + [None]
    for s in stages:
        assert s.name and s.qui and s.quoi and s.quand and s.comment and s.partage, s.id


@pytest.mark.parametrize("pathway", list(EXPECTED_STAGES))
def test_shipped_pathway_roles(shipped, pathway):
    """Every stage has a required role; every role has codes and a radius."""
    recs = shipped[pathway]
    stage_ids = {r.id for r in recs if isinstance(r, Stage)}
    roles = [r for r in recs if isinstance(r, RoleRequirement)]
    for stage_id in stage_ids:
        stage_roles = [r for r in roles if r.stage == stage_id]
        assert stage_roles, f"{stage_id} has no role"
        assert any(not r.optional for r in stage_roles), f"{stage_id} has only optional roles"
    for r in roles:
        assert r.id == f"{r.stage}.{r.key}"
        assert r.professions or r.categories, r.id
        assert r.radius_km is not None and 0 < r.radius_km <= 60, r.id
        if r.home_visit:
            assert r.radius_km <= 50, r.id


def test_shipped_pathway_codes_exist_in_nomenclatures(shipped):
    """Every profession, specialty and category code is an active nomenclature code."""
    professions = _codes("TRE_G15_ProfessionSante.csv", "code")
    specialties = _codes("TRE_R38_SpecialiteOrdinale.csv", "code")
    categories = _codes("finess_categories_etablissement_2021.csv", "categetab", active_only=False)
    categories |= _codes("TRE_R66_CategorieEtablissement_extrait.csv", "code")  # 606 DAC is newer than 2021
    for recs in shipped.values():
        for r in recs:
            if isinstance(r, RoleRequirement):
                assert set(r.professions) <= professions, (r.id, r.professions)
                assert set(r.specialties) <= specialties, (r.id, r.specialties)
                assert set(r.categories) <= categories, (r.id, r.categories)


def test_shipped_pathway_roles_are_realistic(shipped):
    """A few roles carry the codes and radii a coordinator expects."""
    roles = {r.id: r for recs in shipped.values() for r in recs if isinstance(r, RoleRequirement)}
    assert roles["ic.suivi.infirmier"].home_visit and roles["ic.suivi.infirmier"].radius_km == 5
    assert roles["ic.diagnostic.cardiologue"].specialties == ["SM04", "SM73"]
    assert roles["ic.diagnostic.cardiologue"].radius_km == 30
    assert roles["bpco.diagnostic.pneumologue"].specialties == ["SM41"]
    assert roles["bpco.rehabilitation.kinesitherapeute"].professions == ["70"]
    assert roles["ic.sortie_hospitalisation.dac"].categories == ["606"]
    assert roles["pa_domicile.maintien.ssiad"].categories == ["354", "209"]
    assert roles["ic.decompensation.had"].categories == ["127"]
    assert roles["pa_domicile.hospitalisation.ehpad"].categories == ["500"]
    assert roles["dt2.suivi_complications.podologue"].professions == ["80"]


@pytest.mark.parametrize("pathway", list(EXPECTED_STAGES))
def test_shipped_pathway_names_its_source(shipped, pathway):
    """Each pathway names its HAS source with a URL."""
    p = shipped[pathway][0]
    assert "HAS" in p.source
    assert p.source_url.startswith("https://www.has-sante.fr/jcms/")
    assert p.file == f"loaders/pathways/{pathway}.yaml"
    assert p.theme in ("maladie chronique", "population")


def test_read_pathway_counts_in_report():
    """The report counts the records of a pathway."""
    report = LoadReport()
    recs = list(read_pathway(shipped_pathways()[0], report))
    assert report.loaded == {"Pathway": 1, "Stage": 6, "RoleRequirement": len(recs) - 7}


def test_pathway_template_loads():
    """The documented template is itself a valid definition."""
    recs = list(read_pathway(TEMPLATES / "pathway.template.yaml", LoadReport()))
    p = recs[0]
    assert (p.id, p.referent, p.referent_label, p.updated) == ("exemple", "810000000001", "Professional", "2026-11-01")
    assert [r.id for r in recs if isinstance(r, Stage)] == ["exemple.depistage", "exemple.suivi"]
    pharmacien = next(r for r in recs if isinstance(r, RoleRequirement) and r.key == "pharmacien")
    assert (pharmacien.professions, pharmacien.categories, pharmacien.radius_km) == (["21"], ["620"], 5.0)


# --- pathway schema errors ------------------------------------------------------

BASE_YAML = """\
id: demo
name: Démo
source:
  title: Guide
  url: https://www.has-sante.fr/x
stages:
  - key: a
    name: Étape A
    roles:
      - key: mt
        label: Médecin traitant
        professions: ["10"]
        specialties: [SM54]
  - key: b
    name: Étape B
    roles:
      - key: idel
        label: Infirmier
        professions: ["60"]
        radius_km: 5
        home_visit: true
"""


def test_base_yaml_is_valid(tmp_path):
    """The base document of the error cases loads."""
    path = tmp_path / "demo.yaml"
    path.write_text(BASE_YAML, encoding="utf-8")
    recs = list(read_pathway(path, LoadReport()))
    assert [type(r).__name__ for r in recs] == ["Pathway", "Stage", "Stage", "RoleRequirement", "RoleRequirement"]
    assert recs[4] == RoleRequirement(id="demo.b.idel", stage="demo.b", key="idel", label="Infirmier",
                                      professions=["60"], radius_km=5.0, home_visit=True, order=1)
    assert recs[0].source == "Guide" and recs[0].source_url == "https://www.has-sante.fr/x"


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("source:\n  title: Guide\n  url: https://www.has-sante.fr/x\n", "", 1,
         "missing required field 'source'"),
        ("    roles:\n      - key: idel\n        label: Infirmier\n        professions: [\"60\"]\n"
         "        radius_km: 5\n        home_visit: true\n", "    roles: []\n", 16,
         "stages[1].roles: must not be empty"),
        ("        specialties: [SM54]\n", "        specialties: [SM54]\n        colour: red\n", 14,
         "stages[0].roles[0].colour: unknown field 'colour' (expected one of: key, label, professions, "
         "specialties, categories, radius_km, home_visit, optional)"),
        ("  - key: b\n", "  - key: a\n", 14, "stages[1].key: duplicate stage key 'a' (already stages[0])"),
        ('professions: ["60"]', 'professions: "60"', 19,
         'stages[1].roles[0].professions: must be a list, e.g. ["60"]'),
        ("specialties: [SM54]", "specialties: [médecine]", 13,
         "stages[0].roles[0].specialties[0]: not a TRE_R38 specialty code: 'médecine' (e.g. [SM54])"),
        ('        professions: ["60"]\n', "", 17,
         "stages[1].roles[0]: a role needs professions or categories (at least one code)"),
        ('        professions: ["10"]\n', "", 10,
         "stages[0].roles[0]: a role needs professions or categories (at least one code)"),
        ("radius_km: 5", "radius_km: -5", 20,
         "stages[1].roles[0].radius_km: must be a distance in km between 0 and 300, not -5"),
        ("home_visit: true", "home_visit: peut-être", 21,
         "stages[1].roles[0].home_visit: must be true or false, not 'peut-être'"),
        ("url: https://www.has-sante.fr/x", "url: www.has-sante.fr/x", 5,
         "source.url: must be a web address starting with https://, not 'www.has-sante.fr/x'"),
        ("id: demo", "id: Démo", 1, "id: not a valid id 'Démo' (lower-case letters, digits and _, e.g. suivi)"),
        ("name: Démo\n", "name: Démo\nreferent: XX:1\n", 3,
         "referent: bad party 'XX:1' (expected PS:<RPPS or ADELI>, ES:<FINESS>)"),
        ("home_visit: true\n", "home_visit: true\nname: Autre\n", 22, "name: duplicate key 'name' (first on line 2)"),
        ("  - key: b\n    name: Étape B\n", "  - key: b\n    name: Étape B\n    roles: oui\n", 17,
         "stages[1].roles: duplicate key 'roles' (first on line 16)"),
        ("label: Infirmier", 'label: "Infirmier', 19,
         "not valid YAML: while parsing a block mapping: expected <block end>, but found '<scalar>'"),
        ("  - key: b\n", "  - key: b\n\tname: x\n", 15,
         "not valid YAML: while scanning for the next token: found character '\\t' that cannot start any token"),
        ("  - key: a\n", "  - key: a\n    weight: 2\n", 8,
         "stages[0].weight: unknown field 'weight' (expected one of: key, name, qui, quoi, quand, comment, "
         "partage, roles)"),
    ],
    ids=["missing-key", "stage-without-roles", "unknown-field", "duplicate-stage", "professions-not-list",
         "bad-specialty", "no-codes", "no-codes-first-role", "bad-radius", "bad-bool", "bad-url", "bad-id",
         "bad-referent", "duplicate-yaml-key", "duplicate-yaml-key-nested", "yaml-unclosed-quote", "yaml-tab",
         "unknown-stage-field"],
)
def test_read_pathway_schema_errors(tmp_path, old, new, line, message):
    """Each schema or syntax error names the file, the line and the path in the document."""
    assert BASE_YAML.count(old) == 1
    path = tmp_path / "demo.yaml"
    path.write_text(BASE_YAML.replace(old, new), encoding="utf-8")
    report = LoadReport()
    with pytest.raises(FileFormatError) as exc:
        list(read_pathway(path, report))
    assert str(exc.value) == f"{path}:{line}: {message}"
    assert exc.value.file == str(path) and exc.value.line == line
    assert report.loaded == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "{path}: file is empty (expected a pathway definition)"),
        ("# rien\n", "{path}: file is empty (expected a pathway definition)"),
        ("- a\n- b\n", "{path}:1: a pathway must be a mapping of fields (key: value), not list"),
        ("id: x\n---\nid: y\n",
         "{path}:2: not valid YAML: expected a single document in the stream: but found another document"),
    ],
    ids=["empty", "only-comment", "list", "two-documents"],
)
def test_read_pathway_file_errors(tmp_path, text, message):
    """Empty, non-mapping and multi-document files get one clear message."""
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError) as exc:
        list(read_pathway(path, LoadReport()))
    assert str(exc.value) == message.format(path=path)


def test_read_pathway_missing_and_not_utf8(tmp_path):
    """A missing file or a Latin-1 file is a FileFormatError."""
    with pytest.raises(FileFormatError, match="file not found"):
        list(read_pathway(tmp_path / "none.yaml", LoadReport()))
    path = tmp_path / "latin1.yaml"
    path.write_bytes(BASE_YAML.encode("latin-1"))
    with pytest.raises(FileFormatError) as exc:
        list(read_pathway(path, LoadReport()))
    assert str(exc.value) == f"{path}:2: cannot be read as UTF-8: byte b'\\xe9' is not valid"


def test_read_pathway_is_all_or_nothing(tmp_path):
    """A broken definition yields no record at all."""
    path = tmp_path / "demo.yaml"
    path.write_text(BASE_YAML.replace('professions: ["60"]', "professions: 60"), encoding="utf-8")
    records = read_pathway(path, LoadReport())
    with pytest.raises(FileFormatError):
        next(records)  # the first stage is fine, yet nothing is yielded before the error


def test_read_pathway_accepts_unquoted_codes(tmp_path):
    """Codes written as YAML numbers are read as text."""
    path = tmp_path / "demo.yaml"
    path.write_text(BASE_YAML.replace('professions: ["60"]', "professions: [60]\n        categories: [354]"),
                    encoding="utf-8")
    role = list(read_pathway(path, LoadReport()))[-1]
    assert (role.professions, role.categories) == (["60"], ["354"])


# --- identifiers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10101234567", "810101234567"),  # RPPS
        (" 10101234567 ", "810101234567"),
        ("810101234567", "810101234567"),  # national, from RPPS
        ("591234567", "0591234567"),  # ADELI
        ("2A1234567", "02A1234567"),  # ADELI of Corse-du-Sud
        ("0591234567", "0591234567"),  # national, from ADELI
    ],
)
def test_professional_id(value, expected):
    """RPPS, ADELI and national ids give the Identification nationale PP."""
    assert professional_id(value) == expected


@pytest.mark.parametrize("value", ["", "12345", "1010123456789", "710101234567", "1591234567", "ABCDEFGHI"])
def test_professional_id_rejects(value):
    """Other values are refused with the column and value."""
    with pytest.raises(RowError) as exc:
        professional_id(value)
    assert (exc.value.reason, exc.value.column, exc.value.value) == (PS_ID_REASON, "identifiant", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PS:10101234567", ("Professional", "810101234567")),
        ("ps: 591234567", ("Professional", "0591234567")),
        ("ES:590000014", ("Structure", "590000014")),
        ("CPTS:cpts-douaisis", ("Territory", "cpts-douaisis")),
    ],
)
def test_parse_party(value, expected):
    """Prefixed parties give a label and a graph id."""
    assert parse_party(value) == expected


# --- roster --------------------------------------------------------------------------

ROSTER_HEADER = ";".join(ROSTER_COLUMNS)
GOOD_ROW = dict(
    identifiant="10000000001", type="PS", nom="Médecin A", parcours_etapes="ic.suivi",
    accepte_nouveaux_patients="oui", visites_domicile="non", communes_intervention="59178", role="membre",
    adherent_depuis="2023-01-15", derniere_verification="2026-10-01", mssante="", telephone="",
)


def _row(**changes: str) -> str:
    """A roster line: the good row with some columns changed."""
    values = {**GOOD_ROW, **changes}
    return ";".join(values[c] for c in ROSTER_COLUMNS)


def test_read_roster_sample(stages_by_pathway):
    """The sample roster gives the expected records and rejects its one bad row."""
    report = LoadReport()
    path = DATA / "roster.csv"
    recs = list(read_roster(path, report, territory_id="cpts-test", pathway_stages=stages_by_pathway, today=TODAY))
    members = [r for r in recs if isinstance(r, Membership)]
    parts = [r for r in recs if isinstance(r, Participation)]
    zones = [r for r in recs if isinstance(r, Intervention)]
    assert [m.id for m in members] == [
        "m:cpts-test:810000000001", "m:cpts-test:810000000002", "m:cpts-test:0599900001",
        "m:cpts-test:0599900002", "m:cpts-test:590000001", "m:cpts-test:590000011",
    ]
    assert [m.actor_label for m in members] == ["Professional"] * 4 + ["Structure"] * 2
    assert members[0] == Membership(
        id="m:cpts-test:810000000001", territory="cpts-test", actor_label="Professional", actor="810000000001",
        role="referent", since="2023-01-15", accepting_new_patients=True, home_visits=False,
        last_verified="2026-10-01", mssante="medecin.a@medecin.mssante.fr", phone="0327000001",
        source=str(path), source_line=2,
    )
    assert members[1].role == "membre" and members[2].since == "2024-06-15"
    assert members[3].accepting_new_patients is None and members[3].last_verified is None
    assert len(parts) == 15 and len(zones) == 9
    first = [p.stage for p in parts if p.actor == "810000000001"]
    assert first == [f"ic.{k}" for k in EXPECTED_STAGES["ic"]] + ["bpco.suivi"]
    assert parts[0] == Participation(
        id="p:810000000001:ic.depistage", actor_label="Professional", actor="810000000001", stage="ic.depistage",
        accepting_new_patients=True, home_visits=False, last_verified="2026-10-01", source=str(path),
    )
    assert zones[2:5] == [Intervention(actor_label="Professional", actor="810000000002", commune=c)
                          for c in ("59178", "59170", "59569")]
    assert report.loaded == {"Membership": 6, "Participation": 15, "Intervention": 9}
    assert [(r.line, r.column, r.value, r.reason) for r in report.rejected] == [
        (8, "identifiant", "12345", PS_ID_REASON)
    ]
    assert report.rejected[0].raw.startswith("12345;PS;Identifiant faux G;")


@pytest.mark.parametrize(
    ("changes", "column", "value", "reason"),
    [
        (dict(identifiant="12345"), "identifiant", "12345", PS_ID_REASON),
        (dict(identifiant="5900", type="ES"), "identifiant", "5900", "not a valid FINESS number (9 characters)"),
        (dict(identifiant="10000000003", type="PM"), "type", "PM",
         "unknown type (expected PS for a professional or ES for a structure)"),
        (dict(identifiant="810000000001"), "identifiant", "810000000001", "duplicate identifier: already on line 2"),
        (dict(parcours_etapes="ic.suivi,ic.suivix", identifiant="10000000003"), "parcours_etapes", "ic.suivix",
         "unknown pathway stage 'ic.suivix' (stages of ic: depistage, diagnostic, initiation, suivi, "
         "decompensation, sortie_hospitalisation)"),
        (dict(parcours_etapes="xx.suivi", identifiant="10000000003"), "parcours_etapes", "xx.suivi",
         "unknown pathway stage 'xx.suivi' (no pathway 'xx'; known: bpco, dt2, ic, pa_domicile)"),
        (dict(parcours_etapes="xx.*", identifiant="10000000003"), "parcours_etapes", "xx.*",
         "unknown pathway 'xx' in 'xx.*' (known: bpco, dt2, ic, pa_domicile)"),
        (dict(parcours_etapes="ic", identifiant="10000000003"), "parcours_etapes", "ic",
         "not a pathway stage id (expected <pathway>.<stage>, e.g. ic.suivi, or ic.*)"),
        (dict(adherent_depuis="2023-13-01", identifiant="10000000003"), "adherent_depuis", "2023-13-01",
         "impossible date (month must be in 1..12)"),
        (dict(adherent_depuis="15-01-2023", identifiant="10000000003"), "adherent_depuis", "15-01-2023",
         "not a date (expected AAAA-MM-JJ or JJ/MM/AAAA)"),
        (dict(derniere_verification="2026-12-01", identifiant="10000000003"), "derniere_verification",
         "2026-12-01", "last verified date is in the future (today is 2026-11-22)"),
        (dict(accepte_nouveaux_patients="peut-être", identifiant="10000000003"), "accepte_nouveaux_patients",
         "peut-être", "not a yes/no value (expected oui or non)"),
        (dict(visites_domicile="?", identifiant="10000000003"), "visites_domicile", "?",
         "not a yes/no value (expected oui or non)"),
        (dict(communes_intervention="59178 5917", identifiant="10000000003"), "communes_intervention", "5917",
         "not a valid INSEE commune code"),
        (dict(role="président", identifiant="10000000003"), "role", "président",
         "unknown role (expected membre, referent, bureau or coordination)"),
        (dict(mssante="pas-une-adresse", identifiant="10000000003"), "mssante", "pas-une-adresse",
         "not an e-mail address (e.g. prenom.nom@medecin.mssante.fr)"),
        (dict(telephone="0327", identifiant="10000000003"), "telephone", "0327",
         "not a phone number (expected 10 digits, e.g. 03 27 00 00 00)"),
    ],
    ids=["bad-rpps", "bad-finess", "unknown-type", "duplicate", "unknown-stage", "unknown-pathway",
         "unknown-wildcard", "not-a-stage-id", "impossible-date", "bad-date-format", "verified-in-future",
         "bad-yes-no", "bad-yes-no-home", "bad-insee", "unknown-role", "bad-mssante", "bad-phone"],
)
def test_read_roster_rejects(tmp_path, stages_by_pathway, changes, column, value, reason):
    """Each bad row is rejected with line, column, value and reason; the others load."""
    path = tmp_path / "roster.csv"
    bad = _row(**changes)
    path.write_text("\n".join([ROSTER_HEADER, _row(), bad, _row(identifiant="10000000009")]) + "\n",
                    encoding="utf-8")
    report = LoadReport()
    recs = list(read_roster(path, report, territory_id="t", pathway_stages=stages_by_pathway, today=TODAY))
    members = [r.actor for r in recs if isinstance(r, Membership)]
    assert members == ["810000000001", "810000000009"]  # the good rows load, before and after the bad one
    assert [(r.file, r.line, r.column, r.value, r.reason, r.raw) for r in report.rejected] == [
        (str(path), 3, column, value, reason, bad)
    ]


def test_read_roster_rejection_message(tmp_path):
    """A rejection reads as one sentence with file, line, column and value."""
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([ROSTER_HEADER, _row(identifiant="12345")]) + "\n", encoding="utf-8")
    report = LoadReport()
    assert list(read_roster(path, report, territory_id="t")) == []
    err = RowError(report.rejected[0].reason, file=report.rejected[0].file, line=report.rejected[0].line,
                   column=report.rejected[0].column, value=report.rejected[0].value)
    assert str(err) == f"{path}:2: column 'identifiant', value '12345': {PS_ID_REASON}"


def test_read_roster_wrong_field_count(tmp_path):
    """A row with too few fields is rejected, not misread."""
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([ROSTER_HEADER, "10000000003;PS;X", _row()]) + "\n", encoding="utf-8")
    report = LoadReport()
    assert len([r for r in read_roster(path, report, territory_id="t") if isinstance(r, Membership)]) == 1
    assert [(r.line, r.column, r.reason) for r in report.rejected] == [
        (2, None, "wrong number of fields: 3 instead of 12")
    ]


def test_read_roster_without_pathways(tmp_path):
    """Without the pathways, stage ids are not checked but wildcards are refused."""
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([ROSTER_HEADER, _row(parcours_etapes="ic.anything"),
                               _row(identifiant="10000000002", parcours_etapes="ic.*")]) + "\n", encoding="utf-8")
    report = LoadReport()
    recs = list(read_roster(path, report, territory_id="t"))
    assert [r.stage for r in recs if isinstance(r, Participation)] == ["ic.anything"]
    assert [r.reason for r in report.rejected] == [
        "cannot expand 'ic.*' without the pathway definitions (load the pathways first)"
    ]


def test_read_roster_known_stages_only(tmp_path):
    """known_stages alone checks ids and expands wildcards."""
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([ROSTER_HEADER, _row(parcours_etapes="ic.*, IC.suivi")]) + "\n", encoding="utf-8")
    report = LoadReport()
    recs = list(read_roster(path, report, territory_id="t", known_stages={"ic.suivi", "ic.depistage"}))
    assert [r.stage for r in recs if isinstance(r, Participation)] == ["ic.depistage", "ic.suivi"]
    assert report.ok


def test_read_roster_empty_stages_and_bom(tmp_path):
    """A member with no stage loads; a BOM is stripped; an extra column is a warning."""
    path = tmp_path / "roster.csv"
    text = "\n".join([ROSTER_HEADER + ";commentaire", _row(parcours_etapes="") + ";à rappeler"]) + "\n"
    path.write_bytes(text.encode("utf-8-sig"))
    report = LoadReport()
    recs = list(read_roster(path, report, territory_id="t", synthetic=True))
    assert [type(r).__name__ for r in recs] == ["Membership", "Intervention"]
    assert recs[0].synthetic
    assert report.warnings == [f"{path}: unknown column(s) 'commentaire' ignored"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("identifiant;nom;parcours_etapes\n1;2;3\n".encode(),
         "{path}:1: missing column(s) 'type' in the header (is the delimiter ';' right? header read as 3 column(s))"),
        ("identifiant,type,parcours_etapes\n".encode(),
         "{path}:1: missing column(s) 'identifiant', 'type', 'parcours_etapes' in the header "
         "(is the delimiter ';' right? header read as 1 column(s))"),
        (b"", "{path}: file is empty (expected a header line)"),
    ],
    ids=["missing-column", "wrong-delimiter", "empty"],
)
def test_read_roster_file_errors(tmp_path, content, message):
    """File-level problems stop the load with one message."""
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    with pytest.raises(FileFormatError) as exc:
        list(read_roster(path, LoadReport(), territory_id="t"))
    assert str(exc.value) == message.format(path=path)


def test_read_roster_not_utf8(tmp_path):
    """A Latin-1 roster is a FileFormatError, not a traceback."""
    path = tmp_path / "roster.csv"
    path.write_bytes((ROSTER_HEADER + "\n" + _row(nom="Médecin é") + "\n").encode("latin-1"))
    with pytest.raises(FileFormatError) as exc:
        list(read_roster(path, LoadReport(), territory_id="t"))
    assert exc.value.file == str(path)
    assert exc.value.reason.startswith("cannot be read as utf-8-sig: byte b'\\xe9' is not valid")


def test_roster_template_loads(stages_by_pathway):
    """The roster template loads without rejection."""
    report = LoadReport()
    recs = list(read_roster(TEMPLATES / "roster.template.csv", report, territory_id="cpts-exemple",
                            pathway_stages=stages_by_pathway, today=TODAY))
    assert report.ok, report.rejected
    assert report.loaded["Membership"] == 4
    assert {r.actor for r in recs if isinstance(r, Membership)} == {
        "810000000001", "810000000002", "0599900001", "590000001"}


# --- partnerships -------------------------------------------------------------------------

PARTNERSHIP_HEADER = "identifiant;nom;type;parties;parcours;date_debut;date_fin;signe;description"
GOOD_PARTNERSHIP = dict(identifiant="P-1", nom="Convention", type="convention",
                        parties="ES:590000001,CPTS:cpts-x", parcours="ic", date_debut="2025-01-01",
                        date_fin="", signe="oui", description="")
PARTNERSHIP_KEYS = list(GOOD_PARTNERSHIP)
KNOWN_PATHWAYS = set(EXPECTED_STAGES)


def _prow(**changes: str) -> str:
    """A partnerships line: the good row with some columns changed."""
    values = {**GOOD_PARTNERSHIP, **changes}
    return ";".join(values[c] for c in PARTNERSHIP_KEYS)


def test_read_partnerships_sample():
    """The sample partnerships load and the bad row is rejected."""
    path = DATA / "partnerships.csv"
    report = LoadReport()
    recs = list(read_partnerships(path, report, known_pathways=KNOWN_PATHWAYS))
    assert [p.id for p in recs] == ["PC-KINE-CHEVILLE", "CONV-HAD", "INF-STAFF-IC", "CONV-SSIAD"]
    assert recs[0] == Partnership(
        id="PC-KINE-CHEVILLE",
        name="Prise en charge du traumatisme en torsion de la cheville par le masseur-kinésithérapeute dans le "
             "cadre d'une structure pluri-professionnelle",
        kind="protocole_cooperation",
        parties=[("Professional", "810000000001"), ("Professional", "0599900001"), ("Structure", "590000002")],
        pathways=[], start="2024-01-15", end=None, signed=True, description="Arrêté du 6 mars 2020",
        source=str(path), source_line=2,
    )
    assert recs[1].parties == [("Territory", "cpts-exemple"), ("Structure", "590000011")]
    assert recs[1].pathways == ["ic", "bpco", "pa_domicile"] and recs[1].end == "2027-12-31"
    assert (recs[2].kind, recs[2].signed) == ("informel", False)
    assert (recs[3].name, recs[3].kind, recs[3].start) == ("Convention SSIAD; astreinte", "convention", "2024-02-01")
    assert [(r.line, r.column, r.value, r.reason) for r in report.rejected] == [
        (6, "date_fin", "2024-06-01", "date_fin is before date_debut (2025-06-01)")
    ]
    assert report.loaded == {"Partnership": 4}


@pytest.mark.parametrize(
    ("changes", "column", "value", "reason"),
    [
        (dict(identifiant="P-1"), "identifiant", "P-1", "duplicate identifier: already on line 2"),
        (dict(identifiant="P 2"), "identifiant", "P 2",
         "not a valid partnership identifier (letters, digits, - _ . : only)"),
        (dict(nom=" "), "nom", " ", "empty name"),
        (dict(type="contrat"), "type", "contrat",
         "unknown partnership type (expected convention, protocole_cooperation or informel)"),
        (dict(parties="ES:590000001"), "parties", "ES:590000001",
         "a partnership needs at least 2 distinct parties (found 1)"),
        (dict(parties="ES:590000001, es:590000001"), "parties", "ES:590000001, es:590000001",
         "a partnership needs at least 2 distinct parties (found 1)"),
        (dict(parties="PS:10000000001,PS:810000000001"), "parties", "PS:10000000001,PS:810000000001",
         "a partnership needs at least 2 distinct parties (found 1)"),
        (dict(parties="XX:1,ES:590000001"), "parties", "XX:1",
         "bad party 'XX:1' (expected PS:<RPPS or ADELI>, ES:<FINESS> or CPTS:<territory id>)"),
        (dict(parties="590000001,ES:590000002"), "parties", "590000001",
         "bad party '590000001' (expected PS:<RPPS or ADELI>, ES:<FINESS> or CPTS:<territory id>)"),
        (dict(parties="ES:590000001, PS:123"), "parties", "PS:123", f"bad party 'PS:123': {PS_ID_REASON}"),
        (dict(parties="ES:12,CPTS:x"), "parties", "ES:12",
         "bad party 'ES:12': not a valid FINESS number (9 characters)"),
        (dict(parcours="ic,xx"), "parcours", "xx", "unknown pathway 'xx' (known: bpco, dt2, ic, pa_domicile)"),
        (dict(parcours="ic.suivi"), "parcours", "ic.suivi", "not a pathway id (e.g. ic, bpco)"),
        (dict(date_fin="2024-01-01"), "date_fin", "2024-01-01", "date_fin is before date_debut (2025-01-01)"),
        (dict(date_debut="2025-02-30"), "date_debut", "2025-02-30", "impossible date (day is out of range for month)"),
        (dict(type="informel", signe="oui"), "signe", "oui",
         "an informal partnership cannot be signed (use type convention, or signe non)"),
        (dict(signe="signé"), "signe", "signé", "not a yes/no value (expected oui or non)"),
    ],
    ids=["duplicate", "bad-identifier", "empty-name", "unknown-type", "one-party", "same-party-twice",
         "rpps-and-national", "bad-prefix", "no-prefix", "bad-ps", "bad-es", "unknown-pathway", "stage-not-pathway",
         "end-before-start", "impossible-date", "signed-informal", "bad-yes-no"],
)
def test_read_partnerships_rejects(tmp_path, changes, column, value, reason):
    """Each bad partnership row is rejected with line, column, value and reason."""
    path = tmp_path / "partnerships.csv"
    bad = _prow(identifiant="P-2", **{k: v for k, v in changes.items() if k != "identifiant"}) \
        if "identifiant" not in changes else _prow(**changes)
    path.write_text("\n".join([PARTNERSHIP_HEADER, _prow(), bad, _prow(identifiant="P-3")]) + "\n",
                    encoding="utf-8")
    report = LoadReport()
    recs = list(read_partnerships(path, report, known_pathways=KNOWN_PATHWAYS))
    assert [p.id for p in recs] == ["P-1", "P-3"]
    assert [(r.file, r.line, r.column, r.value, r.reason, r.raw) for r in report.rejected] == [
        (str(path), 3, column, value, reason, bad)
    ]


@pytest.mark.parametrize(
    ("changes", "kind", "signed"),
    [
        (dict(type="Protocole de coopération"), "protocole_cooperation", True),
        (dict(type="protocole_cooperation", signe="non"), "protocole_cooperation", False),
        (dict(type="CONVENTION", signe=""), "convention", False),
        (dict(type="informel", signe=""), "informel", False),
    ],
)
def test_read_partnerships_kinds(tmp_path, changes, kind, signed):
    """Type spellings are normalised; signe defaults to unsigned."""
    path = tmp_path / "partnerships.csv"
    path.write_text("\n".join([PARTNERSHIP_HEADER, _prow(**changes)]) + "\n", encoding="utf-8")
    (p,) = read_partnerships(path, LoadReport())
    assert (p.kind, p.signed) == (kind, signed)


def test_read_partnerships_unknown_pathways_allowed_without_list(tmp_path):
    """Without known_pathways, any pathway id is kept."""
    path = tmp_path / "partnerships.csv"
    path.write_text("\n".join([PARTNERSHIP_HEADER, _prow(parcours="sante_mentale, ic")]) + "\n", encoding="utf-8")
    (p,) = read_partnerships(path, LoadReport(), synthetic=True)
    assert p.pathways == ["sante_mentale", "ic"] and p.synthetic


def test_partnerships_template_has_the_kine_protocols():
    """The template carries the two kiné direct-access protocols."""
    report = LoadReport()
    recs = list(read_partnerships(TEMPLATES / "partnerships.template.csv", report, known_pathways=KNOWN_PATHWAYS))
    assert report.ok, report.rejected
    kine = [p for p in recs if p.kind == "protocole_cooperation"]
    assert [p.name for p in kine] == [
        "Prise en charge du traumatisme en torsion de la cheville par le masseur-kinésithérapeute dans le "
        "cadre d'une structure pluri-professionnelle",
        "Prise en charge de la douleur lombaire aiguë inférieure à 4 semaines par le masseur-kinésithérapeute "
        "dans le cadre d'une structure pluri-professionnelle",
    ]
    for p in kine:
        assert "arrêté du 6 mars 2020" in p.description
        assert [label for label, _ in p.parties] == ["Professional", "Professional", "Structure"]
    assert {p.kind for p in recs} == {"protocole_cooperation", "convention", "informel"}


def test_templates_readme_documents_every_column():
    """The README documents every column and the kiné protocol."""
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    for column in [*ROSTER_COLUMNS, *PARTNERSHIP_KEYS]:
        assert f"`{column}`" in readme, column
    assert "6 March 2020" in readme and "informel" in readme
