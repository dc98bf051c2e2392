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

import dataclasses
import re
from hashlib import sha1
from itertools import starmap
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterator

from graph.model import Activity, Professional, Record
from loaders.cleaning import ADELI_RE, FINESS_RE, INSEE_RE, RPPS_RE
from loaders.communes import CommuneIndex
from loaders.errors import LoadReport, RowError
from loaders.nomenclatures import Nomenclatures
from loaders.reading import read_csv_lists

__all__ = ["RPPS_DELIMITER", "RPPS_ENCODING", "REQUIRED_COLUMNS", "read_personne_activite", "PersonneActivite"]

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
#: places whose key is kept (a cache, emptied when full)
_KEYS_KEPT = 1 << 18
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


#: the columns read stripped by every row, in the order of the names :func:`_bulk_rows` unpacks
_STRIPPED = (C_TYPE, C_ID, C_NAT, C_LAST, C_PROF, C_COMMUNE, C_FINESS, C_CP, C_TECH, C_RS, C_SF, C_SF_TYPE, C_FIRST,
             C_PROF_L, C_CAT, C_SF_L, C_MODE, C_SIRET, C_SECTOR, C_NUM, C_VOIE, C_REP, C_TYPVOIE, C_MODE_L, C_SECTOR_L,
             C_ROLE, C_ENSEIGNE, C_COMMUNE_L, C_MAIL)


def _fields_in_order(cls: type, names: tuple[str, ...]) -> type:
    """Return ``cls`` after checking that its fields are ``names``, in this order (records are built positionally).

    >>> from graph.model import Epci
    >>> _fields_in_order(Epci, ("id", "name", "kind", "population")).__name__
    'Epci'
    """
    got = tuple(f.name for f in dataclasses.fields(cls))
    if got != names:
        raise TypeError(f"{cls.__name__}'s fields are now {got}: update the positional calls in loaders/rpps.py")
    return cls


_PROFESSIONAL = _fields_in_order(Professional, (
    "id", "id_type", "identifier", "last_name", "first_name", "civility", "profession_code", "profession_label",
    "category_code", "specialty_code", "specialty_label", "source", "source_line", "synthetic"))
_ACTIVITY = _fields_in_order(Activity, (
    "id", "professional", "mode_code", "mode_label", "sector_code", "sector_label", "role_code", "site_name",
    "structure", "structure_ref", "siret", "address", "postal_code", "city", "commune", "phone", "email", "source",
    "source_line", "synthetic"))


class _Lookups:
    """Per-distinct-value answers of one file's read: codes checked, communes resolved, unknown codes counted."""

    def __init__(self, communes: CommuneIndex | None, nomenclatures: Nomenclatures | None) -> None:
        """Set up the caches (each code, commune or postal address is looked up once)."""
        self.communes, self.nomenclatures = communes, nomenclatures
        self.insee: set[str] = set()  # codes that passed INSEE_RE
        self.finess: set[str] = set()  # numbers that passed FINESS_RE
        self.resolved: dict[tuple[str, str], str | None] = {}
        self.known: dict[str, dict[str, bool]] = {"TRE_G15": {}, "TRE_R38": {}}
        self.good: dict[str, set[str]] = {"TRE_G15": set(), "TRE_R38": set()}  # codes known to be fine
        self.unknown: dict[tuple[str, str], int] = {}

    def resolve(self, postal: str, city: str) -> str | None:
        """:meth:`CommuneIndex.resolve_postal`, once per (postal code, city) pair."""
        key = (postal, city)
        try:
            return self.resolved[key]
        except KeyError:
            code = self.resolved[key] = self.communes.resolve_postal(postal, city)  # type: ignore[union-attr]
            return code

    def check(self, scheme: str, code: str) -> None:
        """Count a code missing from its loaded nomenclature (each code looked up once; a known one joins ``good``)."""
        known = self.known[scheme]
        ok = known.get(code)
        if ok is None:
            noms = self.nomenclatures
            ok = known[code] = not noms.has_scheme(scheme) or noms.knows(scheme, code)  # type: ignore[union-attr]
            if ok:
                self.good[scheme].add(code)
        if not ok:
            self.unknown[scheme, code] = self.unknown.get((scheme, code), 0) + 1


def read_personne_activite(
    path: str | Path,
    report: LoadReport,
    *,
    communes: CommuneIndex | None = None,
    nomenclatures: Nomenclatures | None = None,
    keep: Callable[[str | None], bool] | None = None,
    synthetic: bool = False,
) -> PersonneActivite:
    """The :class:`Professional` and :class:`Activity` records of a Personne_activite file, as an iterator.

    Parameters
    ----------
    path : the ``|``-separated extraction (2021 or 2023+ header).
    report : rejected rows and warnings are added to it.
    communes : resolves an activity's commune when the INSEE code is empty.
    nomenclatures : to check profession and specialty codes (unknown codes are warned about).
    keep : ``keep(insee_code)`` says whether an activity is in scope (None keeps all);
        a professional is yielded with its first activity in scope.
    synthetic : mark the records as synthetic (generated rows).

    Returns
    -------
    PersonneActivite
        An iterator of records (the file is read as they are taken); the bulk
        writer takes them as rows instead (:meth:`PersonneActivite.bulk_rows`).

    Raises
    ------
    FileFormatError
        Missing file, not UTF-8, or a header without the expected columns (when the first record is taken).
    """
    return PersonneActivite(path, report, communes=communes, nomenclatures=nomenclatures, keep=keep,
                            synthetic=synthetic)


class PersonneActivite:
    """The records of one Personne_activite file: an iterator of records, or of bulk rows.

    Iterating gives :class:`Professional` and :class:`Activity` records;
    :meth:`bulk_rows` gives the same records as ``(class, field values,
    relationships)`` (the protocol of :meth:`graph.bulk.BulkWriter.add_all`), so
    that the GRAPH.BULK path builds no record object. Either way, the file is
    read once.
    """

    def __init__(self, path: str | Path, report: LoadReport, *, communes: CommuneIndex | None = None,
                 nomenclatures: Nomenclatures | None = None, keep: Callable[[str | None], bool] | None = None,
                 synthetic: bool = False) -> None:
        """Keep the arguments of :func:`read_personne_activite`; nothing is read yet."""
        self.path, self.report, self.communes, self.nomenclatures = path, report, communes, nomenclatures
        self.keep, self.synthetic = keep, synthetic
        self._records: Iterator[Record] | None = None

    def __iter__(self) -> PersonneActivite:
        """The records, one by one."""
        return self

    def __next__(self) -> Record:
        """The next record."""
        if self._records is None:
            self._records = starmap(_record, self.bulk_rows())
        return next(self._records)

    def bulk_rows(self) -> Iterator[tuple[type, tuple, tuple]]:
        """Yield each record as ``(class, field values in order, relationships)``: ``class(*values)`` is the record.

        The relationships are those of the record's ``edges()``, as
        ``(type, source label, source id, target label, target id)`` (they carry
        no property).

        Notes
        -----
        This runs once per row of a 1.9-million-row file: a row stays the list of its
        fields (columns found once in the header), the fields it uses are stripped in
        one C-level pass, the checks are inlined, and a value that repeats (commune,
        FINESS number, codes, postal address, place of practice) is checked once.
        """
        return _bulk_rows(self.path, self.report, self.communes, self.nomenclatures, self.keep, self.synthetic)


def _matches(pattern: re.Pattern[str], value: str, good: set[str]) -> bool:
    """Whether ``value`` matches ``pattern``; a value that does joins ``good`` (each value is matched once).

    >>> good = set(); _matches(INSEE_RE, "59178", good), _matches(INSEE_RE, "5917", good), good
    (True, False, {'59178'})
    """
    if pattern.match(value):
        good.add(value)
        return True
    return False


def _record(cls: type, values: tuple, edges: tuple) -> Record:
    """The record of a bulk row."""
    return cls(*values)


def _bulk_rows(path: str | Path, report: LoadReport, communes: CommuneIndex | None,
               nomenclatures: Nomenclatures | None, keep: Callable[[str | None], bool] | None,
               synthetic: bool) -> Iterator[tuple[type, tuple, tuple]]:
    """:meth:`PersonneActivite.bulk_rows` (see it)."""
    spath = str(path)
    name = Path(path).name
    reject = report.reject
    header, rows = read_csv_lists(path, RPPS_DELIMITER, RPPS_ENCODING, REQUIRED_COLUMNS,
                                  trailing_delimiter=True, on_error=reject)
    width = len(header)
    col = {c: i for i, c in enumerate(header)}  # a repeated column: the last one, as dict(zip(header, row))
    # an optional column that is missing reads the empty field added at the end of every row
    pad = any(c not in col for c in _OPTIONAL_COLUMNS)
    stripped = itemgetter(*(col.get(c, width) for c in _STRIPPED))
    i_civ, i_civ2, i_cp, i_commune_l, i_tel, i_tel2 = (col.get(c, width) for c in (C_CIV, C_CIV2, C_CP, C_COMMUNE_L,
                                                                                     C_TEL, C_TEL2))
    people: set[str] = set()
    activities: set[str] = set()
    raw_seen: dict[int, int] = {}
    seen_get = raw_seen.setdefault
    lookups = _Lookups(communes, nomenclatures)
    good_insee, good_finess, check = lookups.insee, lookups.finess, lookups.check
    good_professions, good_specialties = lookups.good["TRE_G15"], lookups.good["TRE_R38"]
    out_of_scope = 0
    n_people = n_activities = 0
    id_types = _ID_TYPES
    resolve = lookups.resolve if communes is not None else None
    strip, digest = str.strip, sha1
    keys: dict[str, str] = {}  # place -> its key
    try:
        for line, f, raw in rows:
            first_line = seen_get(hash(raw), line)
            if first_line != line:
                reject(RowError(f"duplicate of line {first_line}", file=spath, line=line), raw)
                continue
            if pad:
                f.append("")
            (id_type, ident, national, last_name, prof_code, commune, finess, postal, tech, site, sf_code, sf_type,
             first_name, prof_label, category, sf_label, mode, siret, sector, num, voie, rep, typvoie, mode_label,
             sector_label, role, enseigne, city, email) = map(strip, stripped(f))
            # the checks, in this order: identifier type, identifier, national id, name, profession, commune, FINESS
            id_kind = id_types.get(id_type)
            if id_kind is None:
                reject(RowError("unknown identifier type (expected 8 for RPPS or 0 for ADELI)", file=spath, line=line,
                                column=C_TYPE, value=id_type), raw)
                continue
            kind, pattern = id_kind
            if not pattern.match(ident):
                reject(RowError(f"not a valid {kind} number", file=spath, line=line, column=C_ID, value=ident), raw)
                continue
            if national != id_type + ident:
                reject(RowError(f"should be the identifier type followed by the identifier ({id_type + ident})",
                                file=spath, line=line, column=C_NAT, value=national), raw)
                continue
            if not last_name:
                reject(RowError("empty name", file=spath, line=line, column=C_LAST, value=""), raw)
                continue
            if not prof_code:
                reject(RowError("empty profession code", file=spath, line=line, column=C_PROF, value=""), raw)
                continue
            if commune and commune not in good_insee and not _matches(INSEE_RE, commune, good_insee):
                reject(RowError("not a valid INSEE commune code", file=spath, line=line, column=C_COMMUNE,
                                value=commune), raw)
                continue
            if finess and finess not in good_finess and not _matches(FINESS_RE, finess, good_finess):
                reject(RowError("not a valid FINESS number", file=spath, line=line, column=C_FINESS, value=finess),
                       raw)
                continue
            code = commune
            if not commune:
                commune = None
                if resolve is not None and postal:
                    commune = resolve(f[i_cp], f[i_commune_l])
            has_place = bool(tech or site or postal or code)
            if keep is not None and not keep(commune):
                out_of_scope += 1
                continue
            specialty = sf_code if sf_code and sf_type == "S" else None
            if nomenclatures is not None:
                if prof_code not in good_professions:
                    check("TRE_G15", prof_code)
                if specialty and specialty not in good_specialties:
                    check("TRE_R38", specialty)
            n = len(people)
            people.add(national)
            if len(people) != n:  # a new professional
                n_people += 1
                yield _PROFESSIONAL, (
                    national, kind, ident, last_name, first_name or None, (f[i_civ] or f[i_civ2]).strip() or None,
                    prof_code, prof_label or None, category or None, specialty,
                    (sf_label or None) if specialty else None, name, line, synthetic), (
                    (("HAS_PROFESSION", "Professional", national, "Concept", "TRE_G15:" + prof_code),
                     ("HAS_SPECIALTY", "Professional", national, "Concept", "TRE_R38:" + specialty))
                    if specialty else
                    (("HAS_PROFESSION", "Professional", national, "Concept", "TRE_G15:" + prof_code),))
            if not has_place:
                continue  # a person with no declared place of practice (still a professional)
            place = "|".join((tech, siret, finess, site, num, voie, postal, code, mode, sector))
            key = keys.get(place)
            if key is None:  # the activity key, as _key_of (a place shared by several people is hashed once)
                if len(keys) >= _KEYS_KEPT:
                    keys.clear()
                key = keys[place] = digest(place.encode()).hexdigest()[:12]
            act_id = national + ":" + key
            n = len(activities)
            activities.add(act_id)
            if len(activities) == n:
                continue  # another savoir-faire line of the same activity
            n_activities += 1
            edges = [("HAS_ACTIVITY", "Professional", national, "Activity", act_id)]
            if finess:
                edges.append(("AT_STRUCTURE", "Activity", act_id, "Structure", finess))
            if commune:
                edges.append(("LOCATED_IN", "Activity", act_id, "Commune", commune))
            yield _ACTIVITY, (
                act_id, national, mode or None, mode_label or None, sector or None, sector_label or None,
                role or None, (site or enseigne) or None, finess or None, tech or None, siret or None,
                " ".join(filter(None, (num, rep, typvoie, voie))) or None, postal or None, city or None, commune,
                _phone(f[i_tel]) or _phone(f[i_tel2]), email or None, name, line, synthetic), edges
    finally:
        if n_people:
            report.count("Professional", n_people)
        if n_activities:
            report.count("Activity", n_activities)
    for (scheme, code), n in sorted(lookups.unknown.items()):
        report.warnings.append(f"{spath}: {scheme} code {code!r} is not in the loaded nomenclature "
                               f"({n} row(s) kept with the label given in the file)")
    if out_of_scope:
        report.count("rpps rows outside the territory (skipped)", out_of_scope)
