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

import re
from hashlib import sha1
from pathlib import Path
from typing import Callable, Iterator

from graph.model import Activity, Professional, Record
from loaders.cleaning import ADELI_RE, FINESS_RE, INSEE_RE, RPPS_RE
from loaders.communes import CommuneIndex
from loaders.errors import LoadReport, RowError
from loaders.nomenclatures import Nomenclatures
from loaders.reading import read_csv_lists

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
#: read when present (2021 and 2023+ headers differ); a missing one reads as empty
_OPTIONAL_COLUMNS = (C_CIV, C_CIV2, C_CAT, C_SF_L, C_MODE_L, C_SIRET, C_ENSEIGNE, C_NUM, C_REP, C_TYPVOIE, C_VOIE,
                     C_TEL2, C_SECTOR_L, C_ROLE)
_ID_TYPES = {"8": ("RPPS", RPPS_RE), "0": ("ADELI", ADELI_RE)}


_PHONE_JUNK = re.compile(r"[^\d+]")
#: the columns of an activity's key, in this order (their stripped values joined by "|", then SHA-1)
_KEY_COLUMNS = (C_TECH, C_SIRET, C_FINESS, C_RS, C_NUM, C_VOIE, C_CP, C_COMMUNE, C_MODE, C_SECTOR)


def _key_of(parts: tuple[str, ...]) -> str:
    """A stable key of the practice place of a row, from the stripped values of :data:`_KEY_COLUMNS`.

    Same place, same key: the activity id is ``<national id>:<key>``.

    >>> _key_of(("123", "", "", "", "", "", "59500", "", "", ""))
    'd3aff050613a'
    """
    return sha1("|".join(parts).encode()).hexdigest()[:12]


def _phone(value: str) -> str | None:
    """:func:`loaders.cleaning.clean_phone`, without the regex for a value of digits only.

    >>> _phone("0327930909"), _phone("03 27 93 09 09"), _phone(""), _phone("+33 3")
    ('0327930909', '0327930909', None, '+333')
    """
    if value.isdecimal():  # exactly the characters \d keeps (Unicode category Nd)
        return value
    return _PHONE_JUNK.sub("", value) or None


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

    Notes
    -----
    This runs once per row of a 1.9-million-row file: a row stays the list of its
    fields (columns found once in the header) and the checks are inlined.
    """
    spath = str(path)
    name = Path(path).name
    reject = report.reject
    header, rows = read_csv_lists(path, RPPS_DELIMITER, RPPS_ENCODING, REQUIRED_COLUMNS,
                                  trailing_delimiter=True, on_error=reject)
    width = len(header)
    col = {c: i for i, c in enumerate(header)}  # a repeated column: the last one, as dict(zip(header, row))
    # an optional column that is missing reads the empty field added at the end of every row
    pad = any(c not in col for c in _OPTIONAL_COLUMNS)
    (i_type, i_id, i_nat, i_last, i_first, i_prof, i_prof_l, i_sf_type, i_sf, i_mode, i_finess, i_tech, i_rs,
     i_cp, i_commune, i_commune_l, i_tel, i_mail, i_sector) = (col[c] for c in REQUIRED_COLUMNS)
    (i_civ, i_civ2, i_cat, i_sf_l, i_mode_l, i_siret, i_enseigne, i_num, i_rep, i_typvoie, i_voie, i_tel2,
     i_sector_l, i_role) = (col.get(c, width) for c in _OPTIONAL_COLUMNS)
    people: set[str] = set()
    activities: set[str] = set()
    raw_seen: dict[int, int] = {}
    seen_get = raw_seen.setdefault
    unknown_codes: dict[tuple[str, str], int] = {}
    known: dict[tuple[str, str], bool] = {}  # (scheme, code) -> in its nomenclature, or that one is not loaded

    def is_known(scheme: str, code: str) -> bool:
        """Whether a code may be kept without a warning (each code is looked up once)."""
        ok = known.get((scheme, code))
        if ok is None:
            ok = known[scheme, code] = (not nomenclatures.has_scheme(scheme)  # type: ignore[union-attr]
                                        or nomenclatures.knows(scheme, code))  # type: ignore[union-attr]
        return ok
    out_of_scope = 0
    n_people = n_activities = 0
    id_types = _ID_TYPES
    insee_match, finess_match = INSEE_RE.match, FINESS_RE.match
    resolve = communes.resolve_postal if communes is not None else None
    try:
        for line, f, raw in rows:
            first_line = seen_get(hash(raw), line)
            if first_line != line:
                reject(RowError(f"duplicate of line {first_line}", file=spath, line=line), raw)
                continue
            if pad:
                f.append("")
            # the checks, in this order: identifier type, identifier, national id, name, profession, commune, FINESS
            id_type = f[i_type].strip()
            if id_type not in id_types:
                reject(RowError("unknown identifier type (expected 8 for RPPS or 0 for ADELI)", file=spath, line=line,
                                column=C_TYPE, value=id_type), raw)
                continue
            kind, pattern = id_types[id_type]
            ident = f[i_id].strip()
            if not pattern.match(ident):
                reject(RowError(f"not a valid {kind} number", file=spath, line=line, column=C_ID, value=ident), raw)
                continue
            national = f[i_nat].strip()
            if national != id_type + ident:
                reject(RowError(f"should be the identifier type followed by the identifier ({id_type + ident})",
                                file=spath, line=line, column=C_NAT, value=national), raw)
                continue
            last_name = f[i_last].strip()
            if not last_name:
                reject(RowError("empty name", file=spath, line=line, column=C_LAST, value=""), raw)
                continue
            prof_code = f[i_prof].strip()
            if not prof_code:
                reject(RowError("empty profession code", file=spath, line=line, column=C_PROF, value=""), raw)
                continue
            commune = f[i_commune].strip()
            if commune and not insee_match(commune):
                reject(RowError("not a valid INSEE commune code", file=spath, line=line, column=C_COMMUNE,
                                value=commune), raw)
                continue
            finess = f[i_finess].strip()
            if finess and not finess_match(finess):
                reject(RowError("not a valid FINESS number", file=spath, line=line, column=C_FINESS, value=finess), raw)
                continue
            code = commune
            postal = f[i_cp].strip()
            if not commune:
                commune = None
                if resolve is not None and postal:
                    commune = resolve(f[i_cp], f[i_commune_l])
            tech, site = f[i_tech].strip(), f[i_rs].strip()
            has_place = bool(tech or site or postal or code)
            if keep is not None and not keep(commune):
                out_of_scope += 1
                continue
            sf_code = f[i_sf].strip()
            specialty = sf_code if sf_code and f[i_sf_type].strip() == "S" else None
            if nomenclatures is not None:
                if not is_known("TRE_G15", prof_code):
                    unknown_codes["TRE_G15", prof_code] = unknown_codes.get(("TRE_G15", prof_code), 0) + 1
                if specialty and not is_known("TRE_R38", specialty):
                    unknown_codes["TRE_R38", specialty] = unknown_codes.get(("TRE_R38", specialty), 0) + 1
            n = len(people)
            people.add(national)
            if len(people) != n:  # a new professional
                n_people += 1
                yield Professional(
                    id=national, id_type=kind, identifier=ident,
                    last_name=last_name, first_name=f[i_first].strip() or None,
                    civility=(f[i_civ] or f[i_civ2]).strip() or None,
                    profession_code=prof_code, profession_label=f[i_prof_l].strip() or None,
                    category_code=f[i_cat].strip() or None,
                    specialty_code=specialty,
                    specialty_label=f[i_sf_l].strip() or None if specialty else None,
                    source=name, source_line=line, synthetic=synthetic,
                )
            if not has_place:
                continue  # a person with no declared place of practice (still a professional)
            mode, siret, sector = f[i_mode].strip(), f[i_siret].strip(), f[i_sector].strip()
            num, voie = f[i_num].strip(), f[i_voie].strip()
            act_id = national + ":" + _key_of((tech, siret, finess, site, num, voie, postal, code, mode, sector))
            n = len(activities)
            activities.add(act_id)
            if len(activities) == n:
                continue  # another savoir-faire line of the same activity
            address = " ".join(filter(None, (num, f[i_rep].strip(), f[i_typvoie].strip(), voie)))
            n_activities += 1
            yield Activity(
                id=act_id, professional=national,
                mode_code=mode or None, mode_label=f[i_mode_l].strip() or None,
                sector_code=sector or None, sector_label=f[i_sector_l].strip() or None,
                role_code=f[i_role].strip() or None,
                site_name=(site or f[i_enseigne].strip()) or None,
                structure=finess or None, structure_ref=tech or None,
                siret=siret or None,
                address=address or None, postal_code=postal or None,
                city=f[i_commune_l].strip() or None, commune=commune,
                phone=_phone(f[i_tel]) or _phone(f[i_tel2]),
                email=f[i_mail].strip() or None,
                source=name, source_line=line, synthetic=synthetic,
            )
    finally:
        if n_people:
            report.count("Professional", n_people)
        if n_activities:
            report.count("Activity", n_activities)
    for (scheme, code), n in sorted(unknown_codes.items()):
        report.warnings.append(f"{spath}: {scheme} code {code!r} is not in the loaded nomenclature "
                               f"({n} row(s) kept with the label given in the file)")
    if out_of_scope:
        report.count("rpps rows outside the territory (skipped)", out_of_scope)
