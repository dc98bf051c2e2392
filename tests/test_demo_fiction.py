"""The contacts of the synthetic files can reach no one: fiction phone blocks, reserved e-mail domains.

The shipped demo files (``loaders/demo``) and what the generator writes are checked against the
blocks ARCEP's plan national de numérotation keeps for fiction (§2.5.12, « numéros pour œuvres
audiovisuelles »), written out here rather than imported, so that a change of the generator's
constant cannot make these tests pass with real-looking numbers; and against ``.example``, the
domain RFC 2606 / RFC 6761 reserve. The one exception: an activity at a real FINESS site of the
demo carries that site's own published number, taken from the real FINESS file.
"""
from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest

from bench.generate import DEMO_DIR, main
from bench.synth_base import _PHONE_ZONE, FICTION_PHONE_BLOCKS, is_fiction_phone, phone_number, spaced_phone
from bench.synth_territory import PA_TERRITORY_NAME

#: ARCEP, plan national de numérotation, §2.5.12: 6-digit roots, any 4 digits after them.
ARCEP_FICTION_ROOTS = ("019900", "026191", "035301", "046571", "053649", "063998")
RESERVED_DOMAIN = ".example"
SYNTHETIC_FILES = (PA_TERRITORY_NAME, "roster.csv", "partnerships.csv")
#: Anything that looks like a French phone number (10 digits, spaced, dotted or not) or an e-mail address.
PHONE_RE = re.compile(r"(?<!\d)0[1-9](?:[ .]?\d\d){4}(?!\d)")
EMAIL_RE = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
PA_PHONES = ("Téléphone (coord. structure)", "Téléphone 2 (coord. structure)", "Télécopie (coord. structure)")


def _in_fiction(number: str) -> bool:
    """True when ``number`` is 10 digits starting with one of the ARCEP roots (independent of the generator)."""
    digits = re.sub(r"[ .]", "", number)
    return len(digits) == 10 and digits.isdigit() and digits[:6] in ARCEP_FICTION_ROOTS


def _rows(path: Path, sep: str) -> list[dict[str, str]]:
    """Rows of a headed file, no quoting (as the Annuaire Santé writes it)."""
    with open(path, encoding="utf-8-sig", newline="") as fp:
        return list(csv.DictReader(fp, delimiter=sep, quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def finess_phones() -> dict[str, str]:
    """FINESS ET -> the phone the real FINESS file publishes for it (digits)."""
    return {r["nofinesset"]: r["telephone"] for r in _rows(DEMO_DIR / "finess_douaisis_flat.csv", ";")
            if r["telephone"]}


# --- the generator -----------------------------------------------------------------------------


def test_the_constant_is_arceps_list():
    assert sorted(FICTION_PHONE_BLOCKS.values()) == sorted(ARCEP_FICTION_ROOTS)
    assert all(root.startswith(zone) for zone, root in FICTION_PHONE_BLOCKS.items())


@pytest.mark.parametrize("kwargs", [{}, {"prefix": "0321"}, {"prefix": "01"}, {"prefix": "0612"},
                                    {"prefix": "0712"}, {"region": "99"}]
                         + [{"region": r} for r in sorted(_PHONE_ZONE)])
def test_phone_number_stays_in_the_fiction_blocks(kwargs):
    rng = random.Random(2026)
    numbers = [phone_number(rng, **kwargs) for _ in range(2000)]
    assert all(_in_fiction(n) and is_fiction_phone(n) for n in numbers), [n for n in numbers if not _in_fiction(n)]
    assert all(_in_fiction(spaced_phone(n)) for n in numbers)
    assert len(set(numbers)) > 1500  # the 4 free digits are drawn, not fixed


def test_phone_number_keeps_the_zone():
    rng = random.Random(7)
    assert phone_number(rng).startswith("035301")  # Douaisis: zone 03
    assert phone_number(rng, region="11").startswith("019900")  # Île-de-France: zone 01
    assert phone_number(rng, region="93").startswith("046571")  # PACA: zone 04
    assert phone_number(rng, region="04").startswith("026191")  # La Réunion 0262: zone 02
    assert phone_number(rng, prefix="0612").startswith("063998")  # mobile


def test_is_fiction_phone_refuses_real_looking_numbers():
    assert not any(map(is_fiction_phone, ("0327930909", "03 21 00 00 00", "0353021234", "035301123", "")))


# --- the shipped demo files -------------------------------------------------------------------


def test_demo_personne_activite_contacts(finess_phones):
    rows = _rows(DEMO_DIR / PA_TERRITORY_NAME, "|")
    fiction = 0
    for r in rows:
        for col in PA_PHONES:
            if not r[col]:
                continue
            if _in_fiction(r[col]):
                fiction += 1
            else:  # only a real FINESS site's own number
                assert r[col] == finess_phones.get(r["Numéro FINESS site"]), (r["Identification nationale PP"], col)
        mail = r["Adresse e-mail (coord. structure)"]
        assert not mail or mail.endswith("@sante" + RESERVED_DOMAIN), mail
    assert fiction > 500  # the invented cabinets do have phones


def test_demo_roster_contacts(finess_phones):
    sites_of: dict[str, set[str]] = {}
    for r in _rows(DEMO_DIR / PA_TERRITORY_NAME, "|"):
        sites_of.setdefault(r["Identification nationale PP"], set()).add(r["Numéro FINESS site"])
    for r in _rows(DEMO_DIR / "roster.csv", ";"):
        phone = r["telephone"]
        if phone and not _in_fiction(phone):
            sites = {r["identifiant"]} if r["type"] == "ES" else sites_of.get(r["identifiant"], set())
            assert phone.replace(" ", "") in {finess_phones.get(s) for s in sites}, (r["identifiant"], phone)
        assert not r["mssante"] or r["mssante"].endswith("@mssante" + RESERVED_DOMAIN), r["mssante"]


@pytest.mark.parametrize("name", SYNTHETIC_FILES)
def test_demo_files_hold_no_other_contact(name, finess_phones):
    """Whatever the column: every phone-like string is fiction or a real site's, every domain reserved."""
    text = (DEMO_DIR / name).read_text(encoding="utf-8")
    real = set(finess_phones.values())
    assert [p for p in PHONE_RE.findall(text) if not _in_fiction(p) and p.replace(" ", "") not in real] == []
    assert [d for d in EMAIL_RE.findall(text) if not d.endswith(RESERVED_DOMAIN)] == []


# --- the national benchmark ---------------------------------------------------------------------


def test_national_files_hold_only_fiction(tmp_path):
    """At the national scales nothing is real but the communes: every phone is fiction, FINESS included."""
    assert main(["--scale", "departement", "--out", str(tmp_path), "--max-rows", "300"]) == 0
    phones = 0
    for path in sorted(tmp_path.glob("*.*")):
        if path.name.startswith("communes_"):
            continue
        text = path.read_text(encoding="latin-1" if path.name.startswith("etalab-") else "utf-8")
        found = PHONE_RE.findall(text)
        phones += len(found)
        assert [p for p in found if not _in_fiction(p)] == [], path.name
        assert [d for d in EMAIL_RE.findall(text) if not d.endswith(RESERVED_DOMAIN)] == [], path.name
    assert phones > 100
