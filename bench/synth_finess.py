"""Synthetic FINESS établissements and their raw ``etalab-cs1100507`` lines.

Format (ministry spec, ``../shared/data/finess/format_etalab_cs1100507.csv``):
ISO-8859-1, ``;``, no header; a comment line ``finess;etalab;<n>;<AAAA-MM-JJ>``
(``<n>`` is the extraction's sequence number, 111 in May 2026; we write
:data:`FINESS_SEQUENCE`), then one ``structureet`` line per ET (31 fields and a
trailing ``;``, i.e. 32 when split), then one ``geolocalisation`` line per ET
(``geolocalisation;nofinesset;X;Y;sourcecoordet;datemaj``, Lambert-93 in
metropolitan France, UTM overseas, ``sourcecoordet`` in the 2021 style
``1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93``).

Category counts are those of the real 2021-01-08 extraction
(``loaders/demo/nomenclatures/finess_categories_etablissement_2021.csv``, 95,333 ET)
scaled to 100,000 for France and to the population share of smaller scales;
sites are placed in communes in proportion to population (hospitals favour
large towns). Numbers: département + ``9`` + 5 digits + Luhn key for ET,
département + ``8`` + 5 digits + key for EJ (overseas ``9701``…``9805`` + 4
digits + key): a synthetic range, valid for ``[0-9][0-9AB][0-9]{7}``.
"""
from __future__ import annotations

import csv
import math
import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.synth_base import (DEPARTEMENTS, REFERENCE_DATE, Commune, Picker, acheminement, ascii_upper, lambert93,
                              luhn_key, phone_number, random_date, street, synthetic_siren, synthetic_siret, utm,
                              LAST_NAMES)
from bench.synth_rpps import SITE_WEIGHT, Site

__all__ = ["FINESS_SEQUENCE", "FINESS_TOTAL_FRANCE", "Category", "read_categories", "Establishment",
           "draw_establishments", "site_weight", "structureet_line", "geolocalisation_line", "comment_line",
           "finess_file_name"]

FINESS_SEQUENCE = 117
FINESS_TOTAL_FRANCE = 100_000
_REAL_TOTAL_2021 = 95_333
_OVERSEAS = {"971": ("9A", "9701", 20, False, "UTM_N20"), "972": ("9B", "9702", 20, False, "UTM_N20"),
             "973": ("9C", "9703", 22, False, "UTM_N22"), "974": ("9D", "9704", 40, True, "UTM_S40"),
             "976": ("9F", "9805", 38, True, "UTM_S38")}
_HOSPITAL_CATS = {"101", "106", "355", "292", "365", "128", "129", "109", "362", "131", "114", "122", "127", "146",
                  "141"}
_PUBLIC_CATS = {"101", "106", "355", "292", "362"}
_NICE = ["LES TILLEULS", "LES GLYCINES", "LE CLOS FLEURI", "LES JARDINS", "LES CHARMILLES", "LA ROSERAIE",
         "LES MYOSOTIS", "LE BOIS JOLI", "LES HORTENSIAS", "LES PEUPLIERS", "LA SOURCE", "LES LILAS", "LE PARC",
         "LES ACACIAS", "SAINTE MARIE", "SAINT JOSEPH", "LES CEDRES", "LES VIOLETTES", "LES ORCHIDEES", "LE VERGER",
         "LES SAULES", "LA CHENAIE", "LES BLEUETS", "BELLEVUE", "LE SOLEIL"]
_APE = {"620": "4773Z", "611": "8690B", "500": "8710A", "202": "8730A", "355": "8610Z", "101": "8610Z",
        "106": "8610Z", "365": "8610Z", "109": "8610Z", "124": "8621Z", "603": "8621Z", "354": "8810A",
        "460": "8810A", "604": "8621Z", "292": "8610Z", "146": "8610Z", "182": "8810C", "183": "8891B"}
_MFT = {"public": ("03", "ARS établissements Publics de santé dotation globale"),
        "private": ("07", "ARS établissements de santé non financés dotation globale"),
        "free": ("01", "Etablissement Tarif Libre"),
        "ehpad": ("40", "ARS/PCD, Tarif global, habilité aide sociale, recours PUI"),
        "handicap": ("57", "DGS ARS & hébergement PCD - sous CPOM"),
        "cd": ("08", "Président du Conseil Départemental"),
        "none": ("99", "Indéterminé")}
_SPH = {"1": "Etablissement public de santé", "6": "Etablissement de santé privé d'intérêt collectif",
        "0": "Non concerné"}


@dataclass(frozen=True)
class Category:
    """A FINESS category with its agrégat and its national count (2021)."""

    code: str
    label: str
    agr: str
    agr_label: str
    count: int


def read_categories(path: Path) -> list[Category]:
    """Read ``finess_categories_etablissement_2021.csv`` (``;``, UTF-8)."""
    with open(path, encoding="utf-8-sig", newline="") as fp:
        return [Category(r["categetab"], r["libcategetab"], r["categagretab"], r["libcategagretab"],
                         int(r["nb_etablissements_france_20210108"])) for r in csv.DictReader(fp, delimiter=";")]


@dataclass(slots=True)
class Establishment:
    """A generated FINESS ET: its raw fields, its position, and the :class:`Site` the RPPS rows point to."""

    fields: list[str]  # the 31 structureet fields (without the section name)
    commune: Commune
    lat: float
    lon: float
    geo: str  # the geolocalisation line ("" when the ET has none, as happens in the real file)
    site: Site


def _exponent(cat: str) -> float:
    """How strongly a category favours large communes (population ** exponent)."""
    if cat in ("101", "131", "114"):
        return 1.9
    if cat in _HOSPITAL_CATS or cat in ("611", "156", "292", "124"):
        return 1.3
    if cat in ("620", "500", "202", "460", "354", "603"):
        return 0.9
    return 1.1


def _name(rng: random.Random, cat: Category, commune: Commune) -> tuple[str, str]:
    """Raison sociale (38 characters at most) and a longer name (or "")."""
    town = ascii_upper(commune.name)
    nice = rng.choice(_NICE)
    last = rng.choice(LAST_NAMES)
    c = cat.code
    if c == "620":
        rs = rng.choice([f"PHARMACIE {last}", "PHARMACIE DU CENTRE", "PHARMACIE DE LA GARE",
                         f"SELARL PHARMACIE {last}", "PHARMACIE DE LA MAIRIE", f"PHARMACIE {nice}"])
    elif c in ("500", "501", "502"):
        rs = f"EHPAD {nice}"
    elif c == "202":
        rs = f"RESIDENCE AUTONOMIE {nice}"
    elif c == "101":
        rs = f"CHU DE {town}"
    elif c in ("355", "106"):
        rs = f"CH DE {town}"
    elif c == "292":
        rs = f"EPSM DE {town}"
    elif c in ("365", "128", "129"):
        rs = rng.choice([f"CLINIQUE {nice}", f"POLYCLINIQUE DE {town}", f"CLINIQUE DE {town}"])
    elif c == "109":
        rs = rng.choice([f"SMR {nice}", f"CENTRE DE READAPTATION DE {town}"])
    elif c == "124":
        rs = rng.choice([f"CENTRE DE SANTE DE {town}", f"CENTRE DE SANTE DENTAIRE {town}", f"CSI {town}"])
    elif c == "603":
        rs = rng.choice([f"MSP DE {town}", f"MAISON DE SANTE {town}"])
    elif c == "604":
        rs = f"CPTS {town}"
    elif c == "354":
        rs = rng.choice([f"SSIAD {town}", f"SSIAD ADMR {town}", f"SSIAD CCAS {town}"])
    elif c == "460":
        rs = rng.choice([f"SAAD ADMR {town}", f"AIDE A DOMICILE {town}", f"SAAD CCAS {town}"])
    elif c == "611":
        rs = rng.choice([f"LBM BIOLOGIE {town}", f"LABORATOIRE DE BIOLOGIE {town}"])
    elif c == "156":
        rs = rng.choice([f"CMP ADULTES {town}", f"CMP ENFANTS {town}"])
    elif c == "127":
        rs = f"HAD {town}"
    elif c == "146":
        rs = f"UNITE D'AUTODIALYSE {town}"
    else:
        m = re.search(r"\(([A-Z][A-Z.\s]*)\)", cat.label)
        abbr = m.group(1).replace(".", "").replace(" ", "") if m else " ".join(
            ascii_upper(cat.label).replace("'", " ").split()[:3])
        rs = f"{abbr} {town}"
    long = f"{rs} {town}" if rng.random() < 0.4 and town not in rs else ""
    return rs[:38].strip(), long[:60].strip()


def _status(rng: random.Random, cat: Category) -> tuple[str, tuple[str, str]]:
    """(codesph, (codemft, libmft)) of a category."""
    c, agr = cat.code, cat.agr
    if c in _PUBLIC_CATS:
        return "1", _MFT["public"]
    if c in _HOSPITAL_CATS:
        sph = "6" if rng.random() < 0.4 else "0"
        return sph, _MFT["public"] if sph == "6" else _MFT["private"]
    if c in ("620", "611", "603", "604", "124", "627", "628", "629", "632"):
        return "", _MFT["free"]
    if c in ("500", "501"):
        return "", _MFT["ehpad"]
    if agr.startswith(("41", "43")):
        return "", _MFT["handicap"] if rng.random() < 0.6 else _MFT["cd"]
    if agr.startswith(("44", "45", "46", "51")):
        return "", _MFT["cd"]
    return "", _MFT["none"]


def _numbers(dep: str, et_seq: int, ej_seq: int) -> tuple[str, str]:
    """Synthetic FINESS ET and EJ numbers (Luhn key; for Corse the letter counts as 0)."""
    if dep in _OVERSEAS:
        prefix = _OVERSEAS[dep][1]
        et, ej = f"{prefix}{5000 + et_seq % 5000:04d}", f"{prefix}{ej_seq % 5000:04d}"
    else:
        et, ej = f"{dep}9{et_seq % 100000:05d}", f"{dep}8{ej_seq % 100000:05d}"
    return (et + luhn_key(et.replace("A", "0").replace("B", "0")),
            ej + luhn_key(ej.replace("A", "0").replace("B", "0")))


def _jitter(rng: random.Random, c: Commune) -> tuple[float, float]:
    """A point in a disc around the commune's point, radius growing with its area (3 km at most)."""
    r = min(3.0, 0.35 * math.sqrt(max(c.area, 0.5))) * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    lat = c.lat + r * math.sin(a) / 111.2
    lon = c.lon + r * math.cos(a) / (111.2 * math.cos(math.radians(c.lat)))
    return lat, lon


_SOURCES = [("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,", 84), ("1,ATLASANTE,90,IGN,BD_ADRESSE,V2.2,", 7),
            ("1,ATLASANTE,40,IGN,BD_ADRESSE,V2.2,", 5), ("1,ATLASANTE,30,IGN,BD_ADRESSE,V2.2,", 4)]
_SOURCE_PICKER = Picker([s for s, _ in _SOURCES], [w for _, w in _SOURCES])


def draw_establishments(
    rng: random.Random, categories: list[Category], communes: list[Commune], total: int,
) -> list[Establishment]:
    """Draw ``total`` (about) établissements over ``communes``, in the national category proportions.

    Returned sorted by FINESS ET number, the order of the real extract.
    """
    national = sum(c.count for c in categories)
    pickers: dict[float, Picker] = {}
    drawn: list[tuple[str, Category, Commune]] = []
    for cat in categories:
        expected = cat.count * total / national
        n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        exp = _exponent(cat.code)
        if exp not in pickers:
            pickers[exp] = Picker(communes, [c.pop ** exp for c in communes])
        for _ in range(n):
            c = pickers[exp].pick(rng)
            drawn.append((c.dep, cat, c))
    drawn.sort(key=lambda t: (t[0], t[2].insee, t[1].code))
    out: list[Establishment] = []
    seq: dict[str, list[int]] = {}
    gestionnaires: dict[str, list[str]] = {}
    for dep, cat, commune in drawn:
        et_seq, ej_seq = seq.setdefault(dep, [0, 0])
        seq[dep][0] += 1
        pool = gestionnaires.setdefault(dep, [])
        if pool and rng.random() < 0.25:
            ej = rng.choice(pool)
            et = _numbers(dep, et_seq, 0)[0]
        else:
            seq[dep][1] += 1
            et, ej = _numbers(dep, et_seq, ej_seq)
            if len(pool) < 200:
                pool.append(ej)
        out.append(_establishment(rng, cat, commune, et, ej))
    return out


def _establishment(rng: random.Random, cat: Category, commune: Commune, et: str, ej: str) -> Establishment:
    """One ET: raw fields, position, geolocalisation line and Site."""
    dep = commune.dep
    fin_dep, _, zone, south, utm_name = _OVERSEAS.get(dep, (dep, "", 0, False, ""))
    rs, rslongue = _name(rng, cat, commune)
    num, rep, typ, typ_label, voie = street(rng)
    compvoie = "B" if num and rng.random() < 0.02 else ""
    lieudit = f"BP {rng.randint(1, 399)}" if rng.random() < 0.05 else ""
    ligne = acheminement(commune.postal, commune.name)
    if lieudit and rng.random() < 0.5:
        ligne = f"{ligne} CEDEX"[:32]
    tel = phone_number(rng, region=commune.reg) if rng.random() < 0.9 else ""
    fax = phone_number(rng, region=commune.reg) if rng.random() < 0.4 else ""
    sph, (mft, libmft) = _status(rng, cat)
    siret = synthetic_siret(synthetic_siren(rng), rng.randint(1, 99)) if rng.random() < 0.7 else ""
    ape = _APE.get(cat.code, "") if rng.random() < 0.8 else ""
    start = date(2014, 1, 1) if cat.code in ("603", "604") else date(1960, 1, 1)
    ouv = random_date(rng, start, date(2025, 12, 31))
    autor = random_date(rng, date(max(1950, ouv.year - 2), 1, 1), ouv) if rng.random() < 0.6 else None
    maj = random_date(rng, max(ouv, date(2015, 1, 1)), date(2026, 11, 10))
    fields = [et, ej, rs, rslongue, "", "", num, typ, voie[:27], compvoie, lieudit, commune.insee[-3:], fin_dep,
              DEPARTEMENTS.get(dep, ""), ligne, tel, fax, cat.code, cat.label, cat.agr, cat.agr_label, siret, ape,
              mft, libmft, sph, _SPH.get(sph, ""), ouv.isoformat(), autor.isoformat() if autor else "",
              maj.isoformat()]
    lat, lon = _jitter(rng, commune)
    geo = ""
    if rng.random() >= 0.003:  # a few ET have no geolocalisation line, as in the real file
        x, y = utm(lat, lon, zone, south) if zone else lambert93(lat, lon)
        source = _SOURCE_PICKER.pick(rng) + (utm_name or "LAMBERT_93")
        geo_date = random_date(rng, date(2026, 9, 1), REFERENCE_DATE)
        geo = f"geolocalisation;{et};{x:.1f};{y:.1f};{source};{geo_date.isoformat()}\n"
    site = Site(finess=et, ej=ej, rs=rs, cat=cat.code, sph=sph, num=num, typ=typ, typ_label=typ_label,
                voie=voie[:27], distrib=lieudit, cp=commune.postal, bureau=ligne, insee=commune.insee,
                commune=commune.name, tel=tel, siret=siret, lat=lat, lon=lon)
    return Establishment(fields, commune, lat, lon, geo, site)


def site_weight(site: Site) -> float:
    """Relative staff of a site (for drawing where a salaried professional works)."""
    return SITE_WEIGHT.get(site.cat, 1.0)


def structureet_line(e: Establishment) -> str:
    """The ``structureet`` line (31 fields and a trailing ``;``)."""
    return "structureet;" + ";".join(e.fields) + ";\n"


def geolocalisation_line(e: Establishment) -> str:
    """The ``geolocalisation`` line, or "" for an ET without one."""
    return e.geo


def comment_line(day: date = REFERENCE_DATE) -> str:
    """The first line ``finess;etalab;<n>;<AAAA-MM-JJ>``."""
    return f"finess;etalab;{FINESS_SEQUENCE};{day.isoformat()}\n"


def finess_file_name(day: date = REFERENCE_DATE) -> str:
    """``etalab-cs1100507-stock-<AAAAMMJJ>-0000.csv``."""
    return f"etalab-cs1100507-stock-{day:%Y%m%d}-0000.csv"
