"""Annuaire Santé ``PS_LibreAcces_Personne_activite``: professionals and their activities.

Format (ANS « extractions en libre accès »): UTF-8, ``|``-separated, no quoting,
header on line 1, every line ends with a trailing ``|``. One line per person ×
activity (and per savoir-faire). Columns are mapped **by header name**: the 2021
header has 52 columns, 2023+ extractions add ``Code rôle``, ``Libellé rôle``,
``Code genre activité`` and ``Libellé genre activité``.

Each distinct person gives one :class:`Professional` (id = ``Identification
nationale PP``: ``8`` + RPPS or ``0`` + ADELI); each distinct practice place gives
one :class:`Activity`. A second savoir-faire line of the same activity adds
nothing; a line repeated verbatim is rejected as a duplicate.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterator

from graph.model import Activity, Professional, Record
from loaders.cleaning import ADELI_RE, FINESS_RE, INSEE_RE, RPPS_RE, clean_phone
from loaders.communes import CommuneIndex
from loaders.errors import LoadReport, RowError
from loaders.nomenclatures import Nomenclatures
from loaders.reading import read_csv_rows

__all__ = ["RPPS_DELIMITER", "RPPS_ENCODING", "REQUIRED_COLUMNS", "read_personne_activite"]

RPPS_DELIMITER = "|"
RPPS_ENCODING = "utf-8-sig"

C_TYPE = "Type d'identifiant PP"
C_ID = "Identifiant PP"
C_NAT = "Identification nationale PP"
C_CIV = "Libellé civilité d'exercice"
C_CIV2 = "Libellé civilité"
C_LAST = "Nom d'exercice"
C_FIRST = "Prénom d'exercice"
C_PROF = "Code profession"
C_PROF_L = "Libellé profession"
C_CAT = "Code catégorie professionnelle"
C_SF_TYPE = "Code type savoir-faire"
C_SF = "Code savoir-faire"
C_SF_L = "Libellé savoir-faire"
C_MODE = "Code mode exercice"
C_MODE_L = "Libellé mode exercice"
C_SIRET = "Numéro SIRET site"
C_FINESS = "Numéro FINESS site"
C_TECH = "Identifiant technique de la structure"
C_RS = "Raison sociale site"
C_ENSEIGNE = "Enseigne commerciale site"
C_NUM = "Numéro Voie (coord. structure)"
C_REP = "Indice répétition voie (coord. structure)"
C_TYPVOIE = "Libellé type de voie (coord. structure)"
C_VOIE = "Libellé Voie (coord. structure)"
C_CP = "Code postal (coord. structure)"
C_COMMUNE = "Code commune (coord. structure)"
C_COMMUNE_L = "Libellé commune (coord. structure)"
C_TEL = "Téléphone (coord. structure)"
C_TEL2 = "Téléphone 2 (coord. structure)"
C_MAIL = "Adresse e-mail (coord. structure)"
C_SECTOR = "Code secteur d'activité"
C_SECTOR_L = "Libellé secteur d'activité"
C_ROLE = "Code rôle"

REQUIRED_COLUMNS = (C_TYPE, C_ID, C_NAT, C_LAST, C_FIRST, C_PROF, C_PROF_L, C_SF_TYPE, C_SF, C_MODE,
                    C_FINESS, C_TECH, C_RS, C_CP, C_COMMUNE, C_COMMUNE_L, C_TEL, C_MAIL, C_SECTOR)
_ID_TYPES = {"8": ("RPPS", RPPS_RE), "0": ("ADELI", ADELI_RE)}


def _activity_key(row: dict[str, str]) -> str:
    """A stable key of the practice place of a row (same place, same key)."""
    parts = [row.get(c, "").strip() for c in (C_TECH, C_SIRET, C_FINESS, C_RS, C_NUM, C_VOIE, C_CP, C_COMMUNE,
                                                C_MODE, C_SECTOR)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def _check_row(row: dict[str, str], path: str, line: int) -> tuple[str, str, str]:
    """Validate a row's identifiers and codes; return (id type, identifier, national id)."""
    def fail(reason: str, column: str, value: str) -> RowError:
        return RowError(reason, file=path, line=line, column=column, value=value)

    id_type = row[C_TYPE].strip()
    if id_type not in _ID_TYPES:
        raise fail("unknown identifier type (expected 8 for RPPS or 0 for ADELI)", C_TYPE, id_type)
    kind, pattern = _ID_TYPES[id_type]
    ident = row[C_ID].strip()
    if not pattern.match(ident):
        raise fail(f"not a valid {kind} number", C_ID, ident)
    national = row[C_NAT].strip()
    if national != id_type + ident:
        raise fail(f"should be the identifier type followed by the identifier ({id_type + ident})", C_NAT, national)
    if not row[C_LAST].strip():
        raise fail("empty name", C_LAST, "")
    if not row[C_PROF].strip():
        raise fail("empty profession code", C_PROF, "")
    commune = row[C_COMMUNE].strip()
    if commune and not INSEE_RE.match(commune):
        raise fail("not a valid INSEE commune code", C_COMMUNE, commune)
    finess = row[C_FINESS].strip()
    if finess and not FINESS_RE.match(finess):
        raise fail("not a valid FINESS number", C_FINESS, finess)
    return kind, ident, national


def read_personne_activite(
    path: str | Path,
    report: LoadReport,
    *,
    communes: CommuneIndex | None = None,
    nomenclatures: Nomenclatures | None = None,
    keep: Callable[[str | None], bool] | None = None,
    synthetic: bool = False,
) -> Iterator[Record]:
    """Yield :class:`Professional` and :class:`Activity` records from a Personne_activite file.

    Parameters
    ----------
    path : the ``|``-separated extraction (2021 or 2023+ header).
    report : rejected rows and warnings are added to it.
    communes : resolves an activity's commune when the INSEE code is empty.
    nomenclatures : to check profession and specialty codes (unknown codes are warned about).
    keep : ``keep(insee_code)`` says whether an activity is in scope (None keeps all);
        a professional is yielded with its first activity in scope.
    synthetic : mark the records as synthetic (generated rows).

    Raises
    ------
    FileFormatError
        Missing file, not UTF-8, or a header without the expected columns.
    """
    spath = str(path)
    name = Path(path).name
    people: set[str] = set()
    activities: set[str] = set()
    raw_seen: dict[int, int] = {}
    unknown_codes: dict[tuple[str, str], int] = {}
    out_of_scope = 0
    for line, row, raw in read_csv_rows(path, RPPS_DELIMITER, RPPS_ENCODING, REQUIRED_COLUMNS,
                                        trailing_delimiter=True):
        if "__error__" in row:
            report.reject(row["__error__"], raw)
            continue
        digest = hash(raw)
        if digest in raw_seen:
            report.reject(RowError(f"duplicate of line {raw_seen[digest]}", file=spath, line=line), raw)
            continue
        raw_seen[digest] = line
        try:
            kind, ident, national = _check_row(row, spath, line)
        except RowError as err:
            report.reject(err, raw)
            continue
        commune = row[C_COMMUNE].strip() or None
        if commune is None and communes is not None and row[C_CP].strip():
            commune = communes.resolve_postal(row[C_CP], row[C_COMMUNE_L])
        has_place = any(row[c].strip() for c in (C_TECH, C_RS, C_CP, C_COMMUNE))
        if keep is not None and not keep(commune):
            out_of_scope += 1
            continue
        prof_code = row[C_PROF].strip()
        sf_type, sf_code = row[C_SF_TYPE].strip(), row[C_SF].strip()
        specialty = sf_code if sf_type == "S" and sf_code else None
        if nomenclatures is not None:
            for scheme, code in (("TRE_G15", prof_code), ("TRE_R38", specialty)):
                if code and nomenclatures.has_scheme(scheme) and not nomenclatures.knows(scheme, code):
                    unknown_codes[(scheme, code)] = unknown_codes.get((scheme, code), 0) + 1
        if national not in people:
            people.add(national)
            report.count("Professional")
            yield Professional(
                id=national, id_type=kind, identifier=ident,
                last_name=row[C_LAST].strip(), first_name=row[C_FIRST].strip() or None,
                civility=(row.get(C_CIV) or row.get(C_CIV2) or "").strip() or None,
                profession_code=prof_code, profession_label=row[C_PROF_L].strip() or None,
                category_code=(row.get(C_CAT) or "").strip() or None,
                specialty_code=specialty,
                specialty_label=(row.get(C_SF_L) or "").strip() or None if specialty else None,
                source=name, source_line=line, synthetic=synthetic,
            )
        if not has_place:
            continue  # a person with no declared place of practice (still a professional)
        act_id = f"{national}:{_activity_key(row)}"
        if act_id in activities:
            continue  # another savoir-faire line of the same activity
        activities.add(act_id)
        address = " ".join(x for x in (row.get(C_NUM, "").strip(), row.get(C_REP, "").strip(),
                                      row.get(C_TYPVOIE, "").strip(), row.get(C_VOIE, "").strip()) if x)
        report.count("Activity")
        yield Activity(
            id=act_id, professional=national,
            mode_code=row[C_MODE].strip() or None, mode_label=(row.get(C_MODE_L) or "").strip() or None,
            sector_code=row[C_SECTOR].strip() or None, sector_label=(row.get(C_SECTOR_L) or "").strip() or None,
            role_code=(row.get(C_ROLE) or "").strip() or None,
            site_name=(row[C_RS].strip() or (row.get(C_ENSEIGNE) or "").strip()) or None,
            structure=row[C_FINESS].strip() or None, structure_ref=row[C_TECH].strip() or None,
            siret=(row.get(C_SIRET) or "").strip() or None,
            address=address or None, postal_code=row[C_CP].strip() or None,
            city=row[C_COMMUNE_L].strip() or None, commune=commune,
            phone=clean_phone(row[C_TEL]) or clean_phone(row.get(C_TEL2, "")),
            email=row[C_MAIL].strip() or None,
            source=name, source_line=line, synthetic=synthetic,
        )
    for (scheme, code), n in sorted(unknown_codes.items()):
        report.warnings.append(f"{spath}: {scheme} code {code!r} is not in the loaded nomenclature "
                               f"({n} row(s) kept with the label given in the file)")
    if out_of_scope:
        report.count("rpps rows outside the territory (skipped)", out_of_scope)
