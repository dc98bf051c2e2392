"""The national benchmark: département, region or France in the real file formats, written streaming.

For a scale it writes into the output folder:

- ``etalab-cs1100507-stock-<date>-0000.csv`` — raw FINESS (:mod:`bench.synth_finess`);
- ``PS_LibreAcces_Personne_activite_<scale>.txt`` — 2023+ format (56 columns), about
  1.2 lines per professional, ~2 million lines for France; salaried activities
  at the generated FINESS sites, libéral ones in invented cabinets;
- ``communes_<scale>.csv`` — the real communes file, restricted to the scale;
- ``roster.csv`` and ``partnerships.csv`` — a CPTS on the communes of CA
  Douaisis Agglo (present at every scale), drawn as for the demo;
- ``territory.yaml`` — the territory file that loads all of the above.

Lines are built with plain string joins and written in chunks of about 20,000;
only the établissements (about 100,000 for France) and the professionals of the
CPTS communes are kept in memory.
"""
from __future__ import annotations

import csv
import random
import shutil
import sys
import time
from pathlib import Path
from typing import TextIO

from bench.synth_base import (EMAIL_DOMAIN, REFERENCE_DATE, Commune, Picker, acheminement, ascii_upper, phone_number,
                              read_communes, rpps_number, street, synthetic_siren, synthetic_siret)
from bench.synth_finess import (FINESS_TOTAL_FRANCE, Establishment, comment_line, draw_establishments,
                                finess_file_name, read_categories, site_weight, structureet_line)
from bench.synth_roster import PARTNERSHIP_HEADER, ROSTER_HEADER, Actor, build_partnerships, build_roster, to_csv
from bench.synth_rpps import (PROFESSIONS, Person, Profession, Site, activity_line, bare_line, cabinet_name,
                              cabinet_part, employer_class, header_line, new_person, secteur_for_category,
                              site_part)

__all__ = ["SCALE_DEPARTEMENTS", "SCALE_NAMES", "generate_national", "find_communes_file"]

SCALE_DEPARTEMENTS = {"departement": ("59",), "region": ("02", "59", "60", "62", "80"), "france": None}
SCALE_NAMES = {"departement": "Nord (59)", "region": "Hauts-de-France (02, 59, 60, 62, 80)",
               "france": "France entière"}
EPCI_DOUAISIS = "200044618"
NATIONAL_RPPS_START = 1_000_000
NO_ACTIVITY = 0.08  # share of registered professionals with no declared activity
ACTIVITY_COUNTS = Picker([1, 2, 3, 4], [79, 15.5, 4.3, 1.2])  # 1.27 activities on average
CHUNK = 20_000
_SPECIALISTS = {p.key for p in PROFESSIONS if p.code == "10" and p.key != "mg"}
_COMPANY = {"industrie": ("SA32", "LABORATOIRES"), "appareillage": ("SA42", "OPTIQUE AUDITION"),
            "imagerie": ("SA08", "CABINET DE RADIOLOGIE"), "cabinet": ("SA08", "CABINET DENTAIRE")}


def find_communes_file(demo_dir: Path) -> tuple[Path, bool]:
    """The national communes file next to the project (``../shared/data/communes``), else the demo's 59/62 one.

    Returns the path and whether it covers all of France.
    """
    shared = demo_dir.parent.parent.parent / "shared" / "data" / "communes" / "communes_france_2024.csv"
    if shared.is_file():
        return shared, True
    return demo_dir / "communes_59_62.csv", False


def _copy_communes(src: Path, dst: Path, deps: set[str] | None) -> int:
    """Copy the rows of ``src`` whose département is in ``deps`` (all when None); return the row count."""
    n = 0
    with open(src, encoding="utf-8-sig", newline="") as fin, open(dst, "w", encoding="utf-8", newline="") as fout:
        reader = csv.reader(fin)
        writer = csv.writer(fout, lineterminator="\n")
        header = next(reader)
        dep_col = header.index("insee_dep")
        writer.writerow(header)
        for row in reader:
            if deps is None or row[dep_col] in deps:
                writer.writerow(row)
                n += 1
    return n


class _Sites:
    """The generated sites, indexed by département and employer class, with weighted pickers."""

    def __init__(self, establishments: list[Establishment], agregat: dict[str, str]):
        """Group the sites; pickers are built lazily."""
        self.agregat = agregat
        self.by_dep_class: dict[tuple[str, str], list[Site]] = {}
        self.by_class: dict[str, list[Site]] = {}
        for e in establishments:
            cls = employer_class(e.site.cat)
            self.by_dep_class.setdefault((e.commune.dep, cls), []).append(e.site)
            self.by_class.setdefault(cls, []).append(e.site)
        self._pickers: dict[tuple[str, str], Picker] = {}

    def pick(self, rng: random.Random, dep: str, cls: str) -> Site | None:
        """A site of class ``cls`` in ``dep`` (else anywhere in the scale), weighted by size; None if none."""
        key = (dep, cls)
        if key not in self._pickers:
            sites = self.by_dep_class.get(key) or self.by_class.get(cls) or []
            self._pickers[key] = Picker(sites, [site_weight(s) for s in sites])
        picker = self._pickers[key]
        return picker.pick(rng) if picker else None

    def secteur(self, site: Site) -> str:
        """TRE_R02 secteur of a salaried activity at ``site``."""
        return secteur_for_category(site.cat, self.agregat.get(site.cat, ""), site.sph)


class _PaWriter:
    """Draws professionals département by département and streams their lines."""

    def __init__(self, rng: random.Random, fp: TextIO, sites: _Sites, territory: set[str], max_rows: int | None):
        """Prepare counters and the chunk buffer."""
        self.rng, self.fp, self.sites, self.territory, self.max_rows = rng, fp, sites, territory, max_rows
        self.seq = NATIONAL_RPPS_START
        self.cab_seq = 0
        self.rows = 0
        self.persons = 0
        self.buf: list[str] = []
        self.actors: list[Actor] = []
        self.next_report = 250_000
        self.start = time.perf_counter()

    @property
    def full(self) -> bool:
        """True once ``max_rows`` lines are written."""
        return self.max_rows is not None and self.rows >= self.max_rows

    def flush(self) -> None:
        """Write the buffered lines."""
        self.fp.write("".join(self.buf))
        self.buf.clear()

    def _line(self, line: str) -> None:
        """Buffer one line, flush in chunks, report progress."""
        self.buf.append(line)
        self.rows += 1
        if len(self.buf) >= CHUNK:
            self.flush()
        if self.rows >= self.next_report:
            rate = self.rows / max(1e-9, time.perf_counter() - self.start)
            print(f"  Personne_activite: {self.rows:,} rows ({rate:,.0f} rows/s)", flush=True)
            self.next_report += 250_000

    # -- activities ------------------------------------------------------------

    def _cabinet(self, p: Person, commune: Commune) -> tuple[str, str, str]:
        """An invented libéral cabinet in ``commune``: (structure fields, secteur, phone)."""
        rng = self.rng
        self.cab_seq += 1
        num, rep, typ, typ_label, voie = street(rng)
        tel = phone_number(rng, region=commune.reg) if rng.random() < 0.85 else ""
        r = rng.random()
        secteur, siret, rs = "SA07", "", None
        if r < 0.3:
            secteur, rs = "SA08", cabinet_name(rng, p.prof, voie, p.last)
        elif r < 0.38 and p.prof.code in ("10", "40", "70"):
            secteur, siret = "SA09", synthetic_siret(synthetic_siren(rng), 1)
            rs = f"SELARL {'DR ' if p.dr else ''}{p.last}"[:38]
        insee, name = (commune.insee, commune.name) if rng.random() > 0.02 else ("", "")
        email = p.email(EMAIL_DOMAIN) if rng.random() < 0.12 else ""
        part = cabinet_part(rng, p, 19910000000000 + self.cab_seq, num=num, rep=rep, typ=typ, typ_label=typ_label,
                            voie=voie, cp=commune.postal, bureau=acheminement(commune.postal, commune.name),
                            insee=insee, commune=name, tel=tel, rs=rs, email=email, siret=siret)
        return part, secteur, tel

    def _company(self, p: Person, commune: Commune, cls: str) -> tuple[str, str, str]:
        """A non-FINESS employer (industry, optician, imaging or dental practice): structure, secteur, phone."""
        rng = self.rng
        secteur, kind = _COMPANY.get(cls, ("SA41", "ASSOCIATION"))
        siret = synthetic_siret(synthetic_siren(rng), rng.randint(1, 40))
        num, rep, typ, typ_label, voie = street(rng)
        tel = phone_number(rng, region=commune.reg)
        rs = f"{kind} {rng.choice(('DU CENTRE', ascii_upper(commune.name), p.last))}"[:38]
        part = site_part(siret=siret, tech_id="C" + siret, rs=rs, dest=rs, num=num, rep=rep, typ=typ,
                         typ_label=typ_label, voie=voie, bureau=acheminement(commune.postal, commune.name),
                         cp=commune.postal, insee=commune.insee, commune=commune.name, tel=tel, ancien="3" + siret)
        return part, secteur, tel

    def _role(self, p: Person, mode: str, secteur: str, section: str) -> tuple[str, str]:
        """(TRE_R21 rôle, TRE_R22 genre) of an activity."""
        genre = "GENR04" if p.prof.key in ("pharm_b", "sante_pub") else "GENR01"
        if section:
            return {"A": "FON-03", "D": "FON-05", "G": "FON-41"}.get(section, "FON-33"), genre
        if mode == "S":
            return ("FON-63" if p.prof.key == "mg" and secteur == "SA17" else "FON-33"), genre
        if secteur == "SA09":
            return "FON-02", genre
        r = self.rng.random()
        return ("FON-01", genre) if r < 0.88 else ("FON-17", genre) if r < 0.96 else ("FON-22", "GENR02")

    def activity(self, p: Person, dep: str, commune: Commune, liberal: bool) -> tuple[str, str, str, Site | None]:
        """Draw one activity of ``p``; return (line, commune INSEE, phone, FINESS site or None)."""
        rng, prof, key = self.rng, p.prof, p.prof.key
        section, site = "", None
        if key == "pharm_a" or (key == "pharm_g" and liberal):
            site = self.sites.pick(rng, dep, "officine" if key == "pharm_a" else "lbm")
            liberal, section = True, "A" if key == "pharm_a" else "G"
        elif key.startswith("pharm_"):
            section = {"pharm_d": "D", "pharm_h": "H", "pharm_g": "G", "pharm_b": "B"}[key]
            liberal = False
        if liberal and site is None and key in _SPECIALISTS and rng.random() < 0.25:
            site = self.sites.pick(rng, dep, "hopital")
            if site is not None and site.cat not in ("365", "128", "129", "122"):
                site = None
        company = None
        if not liberal and site is None:
            weights = prof.employers or {"hopital": 1}
            cls = Picker(list(weights), list(weights.values())).pick(rng)
            site = self.sites.pick(rng, dep, cls) if cls not in _COMPANY else None
            if site is None:
                company = cls
        mode = "L" if liberal else "S"
        if site is not None:
            secteur = self.sites.secteur(site)
            if key == "pharm_a":
                secteur = "SA33" if site.cat != "628" else "SA38"
            if liberal and site.cat in ("365", "128", "129", "122"):
                secteur = "SA04"
            part, insee, phone = site.part, site.insee, site.tel
        elif company is not None:
            part, secteur, phone = self._company(p, commune, company)
            insee = commune.insee
        else:
            part, secteur, phone = self._cabinet(p, commune)
            insee = commune.insee
        line = activity_line(p, mode, part, secteur, section, self._role(p, mode, secteur, section))
        return line, insee, phone, site

    def professional(self, prof: Profession, dep: str, pick_commune: Picker) -> None:
        """Draw one professional of ``prof`` in ``dep`` and write all their lines."""
        rng = self.rng
        self.seq += 1
        self.persons += 1
        p = new_person(rng, self.seq, rpps_number(self.seq), prof)
        if rng.random() < NO_ACTIVITY:
            self._line(bare_line(p, "2023"))
            return
        first = None
        written: list[str] = []
        for i in range(ACTIVITY_COUNTS.pick(rng)):
            liberal = rng.random() < (prof.liberal if i == 0 else 0.5)
            commune = pick_commune.pick(rng)
            line, insee, phone, site = self.activity(p, dep, commune, liberal)
            if line in written:  # the same place twice: one line only, as in the real file
                continue
            written.append(line)
            self._line(line)
            if first is None:
                first = (insee, phone, site, liberal)
        if first and first[0] in self.territory:
            insee, phone, site, liberal = first
            self.actors.append(Actor(kind="PS", id=p.national_id, name=p.display_name, what=prof.key, insee=insee,
                                     liberal=liberal, phone=phone, first=p.first, last=p.last, in_territory=True,
                                     site=site.finess if site else ""))


def _stochastic_round(rng: random.Random, x: float) -> int:
    """``floor(x)`` plus one with probability ``frac(x)``."""
    n = int(x)
    return n + (1 if rng.random() < x - n else 0)


def _territory_yaml(scale: str, files: dict[str, str], referents: dict[str, str]) -> str:
    """The territory file of a benchmark scale."""
    refs = "".join(f"  {k}: \"PS:{v}\"\n" for k, v in referents.items())
    return (
        f"# Synthetic national benchmark, written by: python -m bench.generate --scale {scale}\n"
        f"# Every file here is synthetic except the communes (INSEE / La Poste, Licence Ouverte)\n"
        f"# and the nomenclatures (ANS, copied from the demo).\n"
        f"# The roster and partnerships are those of a CPTS on the 35 communes of CA Douaisis Agglo.\n"
        f"id: bench-{scale}\n"
        f"name: \"Benchmark synthétique — {SCALE_NAMES[scale]}\"\n"
        f"communes: all\n"
        + (f"referents:\n{refs}" if refs else "")
        + "sources:\n"
        f"  nomenclatures: nomenclatures\n"
        f"  communes: {files['communes']}\n"
        f"  finess:\n    - {{path: {files['finess']}, format: raw}}\n"
        f"  rpps:\n    - {{path: {files['rpps']}, synthetic: true}}\n"
        f"  roster: roster.csv\n"
        f"  partnerships: partnerships.csv\n"
    )


def generate_national(scale: str, out: Path, seed: int, *, max_rows: int | None, demo_dir: Path) -> dict:
    """Write the benchmark files of ``scale`` into ``out``; print progress; return the counts.

    Parameters
    ----------
    scale : ``departement``, ``region`` or ``france``.
    out : an existing, writable folder.
    seed : random seed (same seed, same bytes).
    max_rows : stop after about this many Personne_activite lines (FINESS: a tenth as many sites).
    demo_dir : ``loaders/demo`` (nomenclatures, EPCI file, fallback communes).
    """
    t0 = time.perf_counter()
    deps = SCALE_DEPARTEMENTS[scale]
    communes_src, national = find_communes_file(demo_dir)
    if not national and scale != "departement":
        print(f"  warning: {communes_src} covers only départements 59 and 62; the {scale} scale is cut to them",
              file=sys.stderr)
    communes = [c for c in read_communes(communes_src, deps) if c.pop > 0]
    population = sum(c.pop for c in communes)
    files = {"communes": f"communes_{scale}.csv", "finess": finess_file_name(),
             "rpps": f"PS_LibreAcces_Personne_activite_{scale}.txt"}
    n_communes = _copy_communes(communes_src, out / files["communes"], set(deps) if deps else None)
    print(f"{scale}: {SCALE_NAMES[scale]}, {len(communes):,} communes, {population:,} inhabitants "
          f"(communes file: {n_communes:,} rows)", flush=True)

    # FINESS
    categories = read_categories(demo_dir / "nomenclatures" / "finess_categories_etablissement_2021.csv")
    total = FINESS_TOTAL_FRANCE * population / 67_400_000
    if max_rows is not None:
        total = min(total, max(30, max_rows // 10))
    establishments = draw_establishments(random.Random(f"{seed}:finess"), categories, communes, total)
    with open(out / files["finess"], "w", encoding="iso-8859-1", newline="\n") as fp:
        fp.write(comment_line())
        for i in range(0, len(establishments), CHUNK):
            fp.write("".join(structureet_line(e) for e in establishments[i:i + CHUNK]))
        for i in range(0, len(establishments), CHUNK):
            fp.write("".join(e.geo for e in establishments[i:i + CHUNK]))
    n_geo = sum(1 for e in establishments if e.geo)
    t1 = time.perf_counter()
    print(f"  {out / files['finess']}: {len(establishments):,} structureet + {n_geo:,} geolocalisation lines "
          f"({t1 - t0:.1f} s)", flush=True)

    # Personne_activite
    with open(demo_dir / "epci_59_62.csv", encoding="utf-8-sig", newline="") as fp:
        territory = {r["commune_code"] for r in csv.DictReader(fp) if r["epci_code"] == EPCI_DOUAISIS}
    sites = _Sites(establishments, {c.code: c.agr for c in categories})
    rng = random.Random(f"{seed}:rpps")
    by_dep: dict[str, list[Commune]] = {}
    for c in communes:
        by_dep.setdefault(c.dep, []).append(c)
    with open(out / files["rpps"], "w", encoding="utf-8", newline="\n") as fp:
        fp.write(header_line("2023"))
        w = _PaWriter(rng, fp, sites, territory, max_rows)
        for dep in sorted(by_dep):
            dep_communes = by_dep[dep]
            dep_pop = sum(c.pop for c in dep_communes)
            general = Picker(dep_communes, [c.pop ** 1.05 for c in dep_communes])
            urban = Picker(dep_communes, [c.pop ** 1.3 for c in dep_communes])
            for prof in PROFESSIONS:
                n = _stochastic_round(rng, prof.national * dep_pop / 100000 / (1 - NO_ACTIVITY))
                picker = urban if prof.key in _SPECIALISTS else general
                for _ in range(n):
                    if w.full:
                        break
                    w.professional(prof, dep, picker)
        w.flush()
    t2 = time.perf_counter()
    print(f"  {out / files['rpps']}: {w.rows:,} rows, {w.persons:,} professionals ({t2 - t1:.1f} s)", flush=True)

    # CPTS roster and partnerships on the communes of CA Douaisis Agglo
    cpts_communes = {c.insee: c for c in communes if c.insee in territory}
    actors = list(w.actors) + [
        Actor(kind="ES", id=e.site.finess, name=e.site.rs, what=e.site.cat, insee=e.site.insee, liberal=False,
              phone=e.site.tel, first="", last=e.site.rs, in_territory=True, site=e.site.finess)
        for e in establishments if e.commune.insee in territory]
    roster, info = build_roster(random.Random(f"{seed}:roster"), actors, cpts_communes,
                                {c.insee: c for c in communes}) if cpts_communes \
        else ([], {"referents": {}, "members": []})
    partnerships = build_partnerships(random.Random(f"{seed}:partnerships"), info, actors, f"bench-{scale}") \
        if cpts_communes else []
    (out / "roster.csv").write_text(to_csv(roster or [ROSTER_HEADER]), encoding="utf-8", newline="\n")
    (out / "partnerships.csv").write_text(to_csv(partnerships or [PARTNERSHIP_HEADER]), encoding="utf-8",
                                          newline="\n")
    shutil.copytree(demo_dir / "nomenclatures", out / "nomenclatures", dirs_exist_ok=True)  # real ANS codes
    (out / "territory.yaml").write_text(_territory_yaml(scale, files, info["referents"]), encoding="utf-8",
                                        newline="\n")
    print(f"  roster.csv: {max(0, len(roster) - 1)} members; partnerships.csv: {max(0, len(partnerships) - 1)} "
          f"rows; territory.yaml", flush=True)
    sizes = {name: (out / name).stat().st_size for name in list(files.values()) +
             ["roster.csv", "partnerships.csv", "territory.yaml"]}
    print("  sizes: " + ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in sizes.items()))
    print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    return {"communes": n_communes, "establishments": len(establishments), "rows": w.rows,
            "professionals": w.persons, "roster": max(0, len(roster) - 1),
            "partnerships": max(0, len(partnerships) - 1), "sizes": sizes, "reference_date": REFERENCE_DATE}
