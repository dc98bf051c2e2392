"""ANS nomenclatures (MOS/NOS ``TRE_*``) and FINESS categories as :class:`Concept` records.

Files (``;``, UTF-8, header) are recognised by name: ``TRE_G15_*.csv`` gives the
scheme ``TRE_G15`` (professions), ``TRE_R38_*`` specialties, ``TRE_R66_*``
structure categories, ... and ``finess_categories_etablissement*.csv`` gives
``FINESS_CAT`` (categetab) with its broader ``FINESS_AGR`` (agrégat).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from graph.model import Concept
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.reading import read_csv_rows

__all__ = [
    "NOMENCLATURE_DELIMITER",
    "NOMENCLATURE_ENCODING",
    "SCHEME_TITLES",
    "read_nomenclature",
    "read_nomenclature_folder",
    "Nomenclatures",
]

NOMENCLATURE_DELIMITER = ";"
NOMENCLATURE_ENCODING = "utf-8-sig"
_TRE_RE = re.compile(r"^(TRE_[A-Z]\d{2})_")

#: human titles of the schemes, used by the ontology export and the viewer
SCHEME_TITLES = {
    "TRE_G15": "Profession de santé (TRE_G15)",
    "TRE_R38": "Spécialité ordinale (TRE_R38)",
    "TRE_R02": "Secteur d'activité (TRE_R02)",
    "TRE_R04": "Type de savoir-faire (TRE_R04)",
    "TRE_R09": "Catégorie professionnelle (TRE_R09)",
    "TRE_R23": "Mode d'exercice (TRE_R23)",
    "TRE_R66": "Catégorie d'établissement (TRE_R66)",
    "FINESS_CAT": "Catégorie d'établissement FINESS",
    "FINESS_AGR": "Agrégat de catégories FINESS",
}


def read_nomenclature(path: str | Path, report: LoadReport) -> Iterator[Concept]:
    """Yield the concepts of one nomenclature file (scheme from the file name).

    Raises
    ------
    FileFormatError
        The file name is not a known nomenclature, or a column is missing.
    """
    path = Path(path)
    if path.name.startswith("finess_categories_etablissement"):
        yield from _read_finess_categories(path, report)
        return
    m = _TRE_RE.match(path.name)
    if not m:
        raise FileFormatError("not a known nomenclature file (expected TRE_<code>_*.csv or "
                              "finess_categories_etablissement*.csv)", file=str(path))
    scheme = m.group(1)
    for line, row, raw in read_csv_rows(path, NOMENCLATURE_DELIMITER, NOMENCLATURE_ENCODING, ("code", "libelle")):
        if "__error__" in row:
            report.reject(row["__error__"], raw)
            continue
        code = row["code"].strip()
        if not code:
            report.reject(RowError("empty code", file=str(path), line=line, column="code", value=""), raw)
            continue
        report.count("Concept")
        yield Concept(
            id=f"{scheme}:{code}", scheme=scheme, code=code, label=row["libelle"].strip(),
            short_label=(row.get("libelle_court") or "").strip() or None,
            status=(row.get("statut") or "").strip() or None,
            end_date=(row.get("date_fin") or "").strip() or None,
        )


def _read_finess_categories(path: Path, report: LoadReport) -> Iterator[Concept]:
    """FINESS categories with their agrégat as the broader concept."""
    aggregates: set[str] = set()
    cols = ("categetab", "libcategetab", "categagretab", "libcategagretab")
    for line, row, raw in read_csv_rows(path, NOMENCLATURE_DELIMITER, NOMENCLATURE_ENCODING, cols):
        if "__error__" in row:
            report.reject(row["__error__"], raw)
            continue
        code, agr = row["categetab"].strip(), row["categagretab"].strip()
        if not re.fullmatch(r"\d{3}", code):
            report.reject(RowError("not a FINESS category code (3 digits)", file=str(path), line=line,
                                   column="categetab", value=code), raw)
            continue
        if agr and agr not in aggregates:
            aggregates.add(agr)
            report.count("Concept")
            yield Concept(id=f"FINESS_AGR:{agr}", scheme="FINESS_AGR", code=agr,
                          label=row["libcategagretab"].strip())
        report.count("Concept")
        yield Concept(id=f"FINESS_CAT:{code}", scheme="FINESS_CAT", code=code,
                      label=row["libcategetab"].strip(), broader=f"FINESS_AGR:{agr}" if agr else None)


def read_nomenclature_folder(folder: str | Path, report: LoadReport) -> Iterator[Concept]:
    """Yield the concepts of every nomenclature file in a folder (sorted by name)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileFormatError("nomenclature folder not found", file=str(folder))
    for path in sorted(folder.glob("*.csv")):
        yield from read_nomenclature(path, report)


class Nomenclatures:
    """Labels by scheme and code, to check and label codes met in other sources.

    >>> n = Nomenclatures([Concept(id="TRE_G15:60", scheme="TRE_G15", code="60", label="Infirmier")])
    >>> n.label("TRE_G15", "60"), n.knows("TRE_G15", "99")
    ('Infirmier', False)
    """

    def __init__(self, concepts=()) -> None:
        self.labels: dict[str, dict[str, str]] = {}
        for c in concepts:
            self.add(c)

    def add(self, c: Concept) -> None:
        """Index one concept."""
        self.labels.setdefault(c.scheme, {})[c.code] = c.label

    def knows(self, scheme: str, code: str) -> bool:
        """True when the scheme is loaded and has this code (an unloaded scheme knows nothing)."""
        return code in self.labels.get(scheme, {})

    def has_scheme(self, scheme: str) -> bool:
        """True when the scheme was loaded."""
        return scheme in self.labels

    def label(self, scheme: str, code: str) -> str | None:
        """The label of a code, or None."""
        return self.labels.get(scheme, {}).get(code)
