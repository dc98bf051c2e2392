"""The demo territory: synthetic professionals of CA Douaisis Agglo at the real FINESS sites.

Reads the real subsets shipped in ``loaders/demo`` (communes, EPCI, the 231 FINESS
establishments of the 35 communes) and writes
``PS_LibreAcces_Personne_activite_synthetique.txt`` in the exact 2021 format:

- libéral professionals in proportion to population (densities in
  :mod:`bench.synth_rpps`), each in an invented cabinet of a commune drawn in
  proportion to population (specialists concentrated in the larger towns), in a
  group cabinet shared with colleagues, in one of the four real MSP, or — for
  specialists — at the real private clinics;
- pharmacists at each real officine (a titulaire, sometimes two, and adjoints);
- salaried professionals at the real sites (CH de Douai, EHPAD, SSIAD, HAD,
  centres de santé, CMP, dialysis, laboratories…);
- about 10 % with a second activity, some of them outside the territory, and a
  handful of professionals of the neighbouring communes (10–25 km), so that
  "too far / out of territory" cases exist; a few registered professionals with
  no activity at all.

It returns the actors (professionals and structures) from which
:mod:`bench.synth_roster` draws the CPTS roster and partnerships.
"""
from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from bench.synth_base import (COMPLEMENTS_GEO, EMAIL_DOMAIN, Commune, Picker, acheminement, ascii_upper, haversine_km,
                              phone_number, read_communes, rpps_number, street, synthetic_siren, synthetic_siret)
from bench.synth_roster import Actor
from bench.synth_rpps import (PROFESSION_BY_KEY, PROFESSIONS, SECTION_BY_KEY, Person, Profession, Site, activity_line,
                              bare_line,
                              cabinet_name, cabinet_part, employer_class, header_line, new_person,
                              secteur_for_category)

__all__ = ["EPCI_DOUAISIS", "CPTS_ID", "CPTS_FINESS", "PA_TERRITORY_NAME", "Territory", "load_territory",
           "generate_professionals", "read_flat_sites", "site_class"]

EPCI_DOUAISIS = "200044618"
CPTS_ID = "cpts-grand-douai"
CPTS_FINESS = "590063194"
PA_TERRITORY_NAME = "PS_LibreAcces_Personne_activite_synthetique.txt"
CH_DOUAI = "590001004"
CLINICS = ("590816310", "590780094")  # Clinique Saint-Amé (365), Centre Léonard de Vinci (129)

_TYPES = {"R": "Rue", "AV": "Avenue", "BD": "Boulevard", "PL": "Place", "RTE": "Route", "CHE": "Chemin",
          "QU": "Quai", "SQ": "Square", "ALL": "Allée", "IMP": "Impasse", "RES": "Résidence", "FG": "Faubourg",
          "CRS": "Cours", "ZI": "Zone industrielle", "ZA": "Zone artisanale", "PARC": "Parc", "CITE": "Cité"}
_ADDRESS_RE = re.compile(r"^(?:(\d+)\s+)?(?:([A-Z]+)\s+)?(.*)$")
#: Professions that practise in the four MSP of the territory.
_MSP_PROFESSIONS = ("mg", "infirmier", "kine", "dieteticien", "podologue", "orthophoniste", "sage_femme", "ipa",
                    "psychologue")
_GROUP_SHARE = {"mg": 0.45, "infirmier": 0.6, "kine": 0.6, "dentiste": 0.45, "orthophoniste": 0.35,
                "sage_femme": 0.3, "radiologue": 0.9, "ophtalmo": 0.5, "cardio": 0.5}
_SPECIALIST_CODE = "10"


@dataclass
class Territory:
    """The real inputs of the demo territory."""

    communes: list[Commune]  # the 35 communes of the EPCI
    ring: list[Commune]  # neighbouring communes 10-25 km from the territory's centre
    all_communes: dict[str, Commune]
    sites: list[Site]
    agregat: dict[str, str]  # FINESS category -> agrégat
    skipped_sites: list[str] = field(default_factory=list)

    @property
    def population(self) -> int:
        """Population of the territory."""
        return sum(c.pop for c in self.communes)


def _norm(name: str) -> str:
    """Comparable form of a commune name (``DOUAI CEDEX`` -> ``DOUAI``, ``Râches`` -> ``RACHES``)."""
    n = ascii_upper(name).replace("-", " ").replace("'", " ")
    n = re.sub(r"\s+CEDEX(\s+\d+)?$", "", n).strip()
    return re.sub(r"\s+", " ", n)


def _clean(name: str) -> str:
    """A site name without the quotes a double CSV conversion left in a few FINESS names."""
    return re.sub(r"\s+", " ", name.replace('"', " ")).strip()


def read_flat_sites(path: Path, communes: list[Commune]) -> tuple[list[Site], dict[str, str], list[str]]:
    """Read the flat FINESS CSV of the territory; return sites, category -> agrégat, and rows left out."""
    by_name = {_norm(c.name): c for c in communes}
    by_postal = {c.postal: c for c in communes}
    sites, agregat, skipped = [], {}, []
    with open(path, encoding="utf-8-sig", newline="") as fp:
        for row in csv.DictReader(fp, delimiter=";"):
            commune = by_name.get(_norm(row["ville"])) or by_postal.get(row["code_postal"])
            if commune is None:
                skipped.append(f"{row['nofinesset']} {row['rs']} ({row['ville']})")
                continue
            m = _ADDRESS_RE.match(row["adresse_ligne1"].strip())
            num, typ, voie = m.groups() if m else ("", "", row["adresse_ligne1"])
            if typ and typ not in _TYPES:
                voie, typ = f"{typ} {voie}".strip(), ""
            agregat[row["categetab"]] = row["categagretab"]
            sites.append(Site(
                finess=row["nofinesset"], ej=row["nofinessej"], rs=_clean(row["rs"]), cat=row["categetab"],
                sph=row["codesph"], num=num or "", typ=typ or "", typ_label=_TYPES.get(typ or "", ""),
                voie=voie, distrib=row["adresse_ligne2"], cp=row["code_postal"],
                bureau=f"{row['code_postal']} {row['ville']}", insee=commune.insee, commune=commune.name,
                tel=row["telephone"], siret=row["siret"], lat=float(row["latitude"]), lon=float(row["longitude"]),
            ))
    return sites, agregat, skipped


def load_territory(demo_dir: Path) -> Territory:
    """Load the real communes, EPCI membership and FINESS sites of CA Douaisis Agglo from ``demo_dir``."""
    all_communes = {c.insee: c for c in read_communes(demo_dir / "communes_59_62.csv")}
    with open(demo_dir / "epci_59_62.csv", encoding="utf-8-sig", newline="") as fp:
        codes = sorted(r["commune_code"] for r in csv.DictReader(fp) if r["epci_code"] == EPCI_DOUAISIS)
    communes = [all_communes[c] for c in codes if c in all_communes]
    pop = sum(c.pop for c in communes)
    lat = sum(c.lat * c.pop for c in communes) / pop
    lon = sum(c.lon * c.pop for c in communes) / pop
    inside = set(codes)
    ring = [c for c in all_communes.values()
            if c.insee not in inside and c.pop >= 2000 and 10 <= haversine_km(lat, lon, c.lat, c.lon) <= 25]
    sites, agregat, skipped = read_flat_sites(demo_dir / "finess_douaisis_flat.csv", communes)
    return Territory(communes, sorted(ring, key=lambda c: c.insee), all_communes, sites, agregat, skipped)


def site_class(site: Site) -> str:
    """Employer class of a site; psychiatric units of general hospitals count as ``psy``."""
    if re.search(r"\bPSY|\bCMP\b|UTAFA", site.rs):
        return "psy"
    return employer_class(site.cat)


class _Builder:
    """Accumulates persons, their lines and the actors of the roster, in RPPS order."""

    def __init__(self, rng: random.Random, territory: Territory):
        """Prepare pickers over communes and sites."""
        self.rng = rng
        self.t = territory
        self.inside = {c.insee for c in territory.communes}
        self.seq = 0
        self.cab_seq = 0
        self.lines: list[tuple[int, int, str]] = []  # (person seq, activity order, line)
        self.persons: dict[int, Person] = {}
        self.practices: dict[int, list[dict]] = {}
        self.seen: dict[int, set[str]] = {}  # lines of each person (membership tests only)
        self.groups: dict[tuple[str, str], list[dict]] = {}
        self.by_class: dict[str, list[Site]] = {}
        for s in territory.sites:
            self.by_class.setdefault(site_class(s), []).append(s)
        self.pick_general = Picker(territory.communes, [c.pop for c in territory.communes])
        self.pick_urban = Picker(territory.communes, [c.pop ** 1.6 for c in territory.communes])
        self.msp = [s for s in territory.sites if s.cat == "603"]
        self.clinics = [s for s in territory.sites if s.finess in CLINICS]
        self.officines = [s for s in territory.sites if s.cat in ("620", "628")]

    # -- persons and lines ------------------------------------------------------

    def person(self, prof: Profession) -> Person:
        """A new professional with the next synthetic RPPS number."""
        self.seq += 1
        p = new_person(self.rng, self.seq, rpps_number(self.seq), prof)
        self.persons[p.seq] = p
        self.practices[p.seq] = []
        return p

    def emit(self, p: Person, mode: str, part: str, secteur: str, insee: str, *, section: str = "",
             site: Site | None = None, phone: str = "", email: str = "") -> None:
        """Record one activity line of ``p`` and what the roster needs to know about it."""
        order = len(self.practices[p.seq])
        section = section or SECTION_BY_KEY.get(p.prof.key, "")
        line = activity_line(p, mode, part, secteur, section)
        if line in self.seen.setdefault(p.seq, set()):
            return  # the same place twice: one line only, as in the real file
        self.seen[p.seq].add(line)
        self.lines.append((p.seq, order, line))
        self.practices[p.seq].append({"mode": mode, "insee": insee, "site": site, "phone": phone, "email": email,
                                      "secteur": secteur})

    # -- places -------------------------------------------------------------------

    def _address(self, commune: Commune) -> dict:
        """An invented address in ``commune`` with its phone (in the 03 fiction block, Nord and Pas-de-Calais alike)."""
        num, rep, typ, typ_label, voie = street(self.rng)
        return {"num": num, "rep": rep, "typ": typ, "typ_label": typ_label, "voie": voie, "cp": commune.postal,
                "bureau": acheminement(commune.postal, commune.name), "insee": commune.insee,
                "commune": commune.name, "tel": phone_number(self.rng) if self.rng.random() < 0.88 else ""}

    def cabinet(self, p: Person, commune: Commune, *, group: bool, societe: bool = False) -> None:
        """A libéral activity in an individual or group cabinet of ``commune``."""
        rng = self.rng
        email = p.email(EMAIL_DOMAIN) if rng.random() < 0.15 else ""
        if group:
            key = (commune.insee, p.prof.code + p.prof.sf)
            cabs = [c for c in self.groups.get(key, []) if c["members"] < 5]
            if cabs and rng.random() < 0.7:
                cab = rng.choice(cabs)
            else:
                self.cab_seq += 1
                addr = self._address(commune)
                cab = {"seq": 19900000000000 + self.cab_seq, "addr": addr, "members": 0,
                       "rs": cabinet_name(rng, p.prof, addr["voie"], p.last)}
                self.groups.setdefault(key, []).append(cab)
            cab["members"] += 1
            addr = cab["addr"]
            part = cabinet_part(rng, p, cab["seq"], rs=cab["rs"], email=email, **addr)
            secteur = "SA08"
        else:
            self.cab_seq += 1
            addr = self._address(commune)
            if rng.random() < 0.02:  # as in the real file: no INSEE code, only postal code and delivery line
                addr = dict(addr, insee="", commune="")
            siret = ""
            if societe:
                siret = synthetic_siret(synthetic_siren(rng), 1)
            geo = rng.choice(COMPLEMENTS_GEO) if rng.random() < 0.1 else ""
            part = cabinet_part(rng, p, 19900000000000 + self.cab_seq, email=email, siret=siret, geo=geo,
                                rs=f"SELARL {'DR ' if p.dr else ''}{p.last}"[:38] if societe else None, **addr)
            secteur = "SA09" if societe else "SA07"
        self.emit(p, "L", part, secteur, commune.insee, phone=addr["tel"], email=email)

    def at_site(self, p: Person, site: Site, mode: str, *, section: str = "", secteur: str | None = None) -> None:
        """An activity at a real FINESS site."""
        secteur = secteur or secteur_for_category(site.cat, self.t.agregat.get(site.cat, ""), site.sph)
        self.emit(p, mode, site.part, secteur, site.insee, section=section, site=site, phone=site.tel)

    def employer(self, prof: Profession) -> Site | None:
        """A real site where a salaried professional of ``prof`` works, or None when the territory has none."""
        rng = self.rng
        weights = {k: w for k, w in prof.employers.items() if self.by_class.get(k)}
        if not weights:
            return None
        cls = Picker(list(weights), list(weights.values())).pick(rng)
        sites = self.by_class[cls]
        if cls == "hopital":
            med = prof.code == "10"
            return Picker(sites, [150 if s.finess == CH_DOUAI else (20 if med and s.finess in CLINICS else 4)
                                  for s in sites]).pick(rng)
        return rng.choice(sites)


def _count(density: float, population: int) -> int:
    """Number of professionals for a density per 100,000 (rounded half up)."""
    return int(density * population / 100000 + 0.5)


def _liberal(b: _Builder, p: Person, commune: Commune) -> None:
    """The main libéral activity of ``p`` in ``commune``: MSP, clinic, group or individual cabinet."""
    rng, key = b.rng, p.prof.key
    msp_here = [s for s in b.msp if s.insee == commune.insee]
    if key in _MSP_PROFESSIONS and msp_here and rng.random() < 0.15:
        b.at_site(p, rng.choice(msp_here), "L", secteur="SA52")
    elif p.prof.code == _SPECIALIST_CODE and key != "mg" and b.clinics and rng.random() < 0.35:
        b.at_site(p, rng.choice(b.clinics), "L", secteur="SA04")
    else:
        group = rng.random() < _GROUP_SHARE.get(key, 0.25)
        societe = not group and p.prof.code in ("10", "40", "70") and rng.random() < 0.1
        b.cabinet(p, commune, group=group, societe=societe)


def _second_activity(b: _Builder, p: Person) -> None:
    """A second activity: EHPAD coordination, hospital vacations, a second cabinet (sometimes outside)."""
    rng, key = b.rng, p.prof.key
    first = b.practices[p.seq][0]
    if rng.random() < 0.15 and b.t.ring:
        b.cabinet(p, rng.choice(b.t.ring), group=False)
        return
    if first["mode"] == "L":
        if key == "mg" and rng.random() < 0.5 and b.by_class.get("ehpad"):
            b.at_site(p, rng.choice(b.by_class["ehpad"]), "S")
            return
        if key == "infirmier" and rng.random() < 0.4 and b.by_class.get("domicile"):
            b.at_site(p, rng.choice(b.by_class["domicile"]), "S")
            return
        site = b.employer(p.prof) if p.prof.employers and rng.random() < 0.5 else None
        if site is not None:
            b.at_site(p, site, "S")
            return
        other = b.pick_general.pick(rng)
        b.cabinet(p, other, group=False)
    else:
        if p.prof.territory[0] > 0:
            _liberal(b, p, b.pick_urban.pick(rng) if p.prof.code == "10" else b.pick_general.pick(rng))
        else:
            site = b.employer(p.prof)
            if site is not None and site is not first["site"]:
                b.at_site(p, site, "S")


def _pharmacists(b: _Builder) -> None:
    """Titulaires and adjoints at every real officine; hospital pharmacists and biologists."""
    rng = b.rng
    for site in b.officines:
        miniere = site.cat == "628"
        secteur = "SA38" if miniere else "SA33"
        n_tit = 0 if miniere else (2 if rng.random() < 0.25 else 1)
        for _ in range(n_tit):
            b.at_site(b.person(PROFESSION_BY_KEY["pharm_a"]), site, "L", section="A", secteur=secteur)
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3)) + (1 if miniere else 0)):
            b.at_site(b.person(PROFESSION_BY_KEY["pharm_d"]), site, "S", section="D", secteur=secteur)
    for key, section in (("pharm_h", "H"), ("pharm_g", "G")):
        prof = PROFESSION_BY_KEY[key]
        for _ in range(_count(prof.territory[1], b.t.population)):
            site = b.employer(prof)
            if site is not None:
                mode = "L" if key == "pharm_g" and rng.random() < prof.liberal else "S"
                b.at_site(b.person(prof), site, mode, section=section)


def generate_professionals(rng: random.Random, territory: Territory) -> tuple[list[str], list[Actor], dict]:
    """Draw the territory's professionals; return (lines with header, actors, summary counts)."""
    b = _Builder(rng, territory)
    pop = territory.population
    for prof in PROFESSIONS:
        n_lib, n_sal = (_count(d, pop) for d in prof.territory)
        if prof.key.startswith("pharm_"):
            continue
        for _ in range(n_lib):
            p = b.person(prof)
            commune = b.pick_urban.pick(rng) if prof.code == _SPECIALIST_CODE and prof.key != "mg" \
                else b.pick_general.pick(rng)
            _liberal(b, p, commune)
        for _ in range(n_sal):
            site = b.employer(prof)
            if site is None:
                continue
            b.at_site(b.person(prof), site, "S")
    _pharmacists(b)
    # neighbouring communes: professionals just outside the territory
    neighbours = ["mg"] * 8 + ["infirmier"] * 6 + ["kine"] * 4 + ["dentiste"] * 2 + ["pneumo", "cardio",
                                                                                      "orthophoniste", "podologue"]
    for key in neighbours:
        p = b.person(PROFESSION_BY_KEY[key])
        b.cabinet(p, rng.choice(territory.ring), group=False)
    # second activities (~10 %)
    for seq in sorted(b.persons):
        p = b.persons[seq]
        if b.practices[seq] and rng.random() < 0.105:
            _second_activity(b, p)
    # registered, no activity (retired, on leave)
    for key in ("mg", "infirmier", "kine", "sage_femme", "dentiste"):
        p = b.person(PROFESSION_BY_KEY[key])
        b.lines.append((p.seq, 0, bare_line(p, "2021")))
    b.lines.sort()
    lines = [header_line("2021")] + [line for _, _, line in b.lines]
    actors = _actors(b)
    summary = {
        "population": pop,
        "professionals": len(b.persons),
        "rows": len(lines) - 1,
        "with_two_activities": sum(1 for v in b.practices.values() if len(v) > 1),
        "outside_territory": sum(1 for v in b.practices.values() if v and v[0]["insee"] not in b.inside),
        "by_profession": _by_profession(b),
    }
    return lines, actors, summary


def _by_profession(b: _Builder) -> dict[str, int]:
    """Count of professionals per profession key."""
    out: dict[str, int] = {}
    for p in b.persons.values():
        out[p.prof.key] = out.get(p.prof.key, 0) + 1
    return dict(sorted(out.items()))


def _actors(b: _Builder) -> list[Actor]:
    """Professionals (with a first activity) and structures, as the roster builder sees them."""
    actors = []
    for seq in sorted(b.persons):
        p, practices = b.persons[seq], b.practices[seq]
        if not practices:
            continue
        main = next((x for x in practices if x["insee"] in b.inside), practices[0])
        actors.append(Actor(
            kind="PS", id=p.national_id, name=p.display_name, what=p.prof.key, insee=main["insee"],
            liberal=main["mode"] == "L", phone=main["phone"], first=p.first, last=p.last,
            in_territory=main["insee"] in b.inside, site=main["site"].finess if main["site"] else "",
        ))
    for s in b.t.sites:
        actors.append(Actor(kind="ES", id=s.finess, name=s.rs, what=s.cat, insee=s.insee, liberal=False,
                            phone=s.tel, first="", last=s.rs, in_territory=True, site=s.finess))
    return actors
