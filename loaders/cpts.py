"""The CPTS's own files: roster of members, partnerships, pathway definitions.

Formats are documented, with one example each, in ``loaders/templates/``:

- roster (``roster.template.csv``, ``;``, UTF-8, header): one row per member, a
  professional (``PS``: RPPS, ADELI or Identification nationale PP) or a structure
  (``ES``: FINESS ET), with the pathway stages it takes part in, its flags and the
  communes it serves. Each row gives one :class:`Membership`, one
  :class:`Participation` per stage and one :class:`Intervention` per commune;
- partnerships (``partnerships.template.csv``, ``;``, UTF-8, header): conventions,
  protocoles de coopération and informal links between parties;
- pathway definitions (``pathway.template.yaml``, YAML): a PCPP and its ordered
  stages, each with qui / quoi / quand / comment / partage and the roles it needs.
  The four shipped definitions (``loaders/pathways/*.yaml``) are written from the
  HAS guides they name.

A bad CSV row is rejected with file, line, column, value and reason, and the load
goes on. A pathway file is all or nothing: the first problem raises
:class:`FileFormatError` with the file, the path in the document
(``stages[2].roles[0].professions``) and the line.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from graph.model import (
    Intervention,
    Membership,
    Participation,
    Partnership,
    Record,
    Stage,
)
from loaders.cleaning import (
    check_finess,
    check_insee,
    clean_phone,
    parse_bool,
    parse_date,
    unique,
)
from loaders.errors import LoadReport, RowError
from loaders.identifiers import LOCAL_ID_RE, PS_ID_REASON, parse_party, professional_id
from loaders.pathway_defs import SHIPPED_PATHWAYS, read_pathway, shipped_pathways
from loaders.reading import read_csv_rows

__all__ = [
    "PS_ID_REASON",
    "CPTS_DELIMITER",
    "CPTS_ENCODING",
    "ROSTER_COLUMNS",
    "PARTNERSHIP_COLUMNS",
    "MEMBER_ROLES",
    "PARTNERSHIP_KINDS",
    "SHIPPED_PATHWAYS",
    "professional_id",
    "parse_party",
    "read_roster",
    "read_partnerships",
    "read_pathway",
    "shipped_pathways",
    "pathway_stages",
]

CPTS_DELIMITER = ";"
CPTS_ENCODING = "utf-8-sig"  # UTF-8, a BOM (Excel) is stripped

ROSTER_COLUMNS = (
    "identifiant", "type", "nom", "parcours_etapes", "accepte_nouveaux_patients", "visites_domicile",
    "communes_intervention", "role", "adherent_depuis", "derniere_verification", "mssante", "telephone",
)
ROSTER_REQUIRED = ("identifiant", "type", "parcours_etapes")
PARTNERSHIP_COLUMNS = (
    "identifiant", "nom", "type", "parties", "parcours", "date_debut", "date_fin", "signe", "description",
)
PARTNERSHIP_REQUIRED = ("identifiant", "nom", "type", "parties")

MEMBER_ROLES = ("membre", "referent", "bureau", "coordination")
PARTNERSHIP_KINDS = ("convention", "protocole_cooperation", "informel")
_KIND_ALIASES = {
    "protocole_de_cooperation": "protocole_cooperation",
    "protocole": "protocole_cooperation",
    "informelle": "informel",
}


_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_STAGE_REF_RE = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*|\*)$")
_EMAIL_RE = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_LIST_SPLIT_RE = re.compile(r"[,\s]+")


def _fold(value: str) -> str:
    """Lower-case, strip accents, spaces and hyphens to ``_`` (``Protocole de coopération``)."""
    v = unicodedata.normalize("NFKD", value or "")
    v = "".join(c for c in v if not unicodedata.combining(c)).lower().strip()
    return re.sub(r"[\s\-']+", "_", v)


def _split(value: str) -> list[str]:
    """Split a list cell on commas and spaces, dropping empty items."""
    return [x for x in _LIST_SPLIT_RE.split((value or "").strip()) if x]


# --- roster -----------------------------------------------------------------


def pathway_stages(records: Iterable[Record]) -> dict[str, list[str]]:
    """Map each pathway id to its stage ids in order, from the records of :func:`read_pathway`.

    Examples
    --------
    >>> recs = [Stage(id="ic.suivi", pathway="ic", key="suivi", order=2, name="Suivi"),
    ...         Stage(id="ic.depistage", pathway="ic", key="depistage", order=1, name="Dépistage")]
    >>> pathway_stages(recs)
    {'ic': ['ic.depistage', 'ic.suivi']}
    """
    found: dict[str, list[tuple[int, str]]] = {}
    for r in records:
        if isinstance(r, Stage):
            found.setdefault(r.pathway, []).append((r.order, r.id))
    return {p: [sid for _, sid in sorted(stages)] for p, stages in found.items()}


def _resolve_stages(
    raw: str, known: set[str] | None, by_pathway: dict[str, list[str]] | None
) -> list[str]:
    """Turn a ``parcours_etapes`` cell into stage ids, expanding ``<pathway>.*``."""
    out: list[str] = []
    for item in _split(raw.lower()):
        m = _STAGE_REF_RE.match(item)
        if not m:
            raise RowError("not a pathway stage id (expected <pathway>.<stage>, e.g. ic.suivi, or ic.*)",
                           column="parcours_etapes", value=item)
        pathway, key = m.groups()
        if key == "*":
            if by_pathway is None:
                raise RowError(f"cannot expand {item!r} without the pathway definitions (load the pathways first)",
                               column="parcours_etapes", value=item)
            if pathway not in by_pathway:
                raise RowError(f"unknown pathway {pathway!r} in {item!r} (known: {', '.join(sorted(by_pathway))})",
                               column="parcours_etapes", value=item)
            out.extend(by_pathway[pathway])
            continue
        if known is not None and item not in known:
            if by_pathway and pathway in by_pathway:
                keys = ", ".join(s.split(".", 1)[1] for s in by_pathway[pathway])
                hint = f"stages of {pathway}: {keys}"
            else:
                hint = f"no pathway {pathway!r}; known: {', '.join(sorted(by_pathway or {}))}"
            raise RowError(f"unknown pathway stage {item!r} ({hint})", column="parcours_etapes", value=item)
        out.append(item)
    return unique(out)


def _parse_role(value: str) -> str:
    """Return a roster role (membre, referent, bureau, coordination); empty is ``membre``."""
    v = _fold(value)
    if not v:
        return "membre"
    if v not in MEMBER_ROLES:
        raise RowError(f"unknown role (expected {', '.join(MEMBER_ROLES[:-1])} or {MEMBER_ROLES[-1]})",
                       column="role", value=value)
    return v


def _parse_phone(value: str) -> str | None:
    """Clean a phone number; a value with another count of digits than a phone number is an error."""
    v = (value or "").strip()
    if not v:
        return None
    phone = clean_phone(v) or ""
    digits = sum(c.isdigit() for c in phone)
    if not 10 <= digits <= 15:
        raise RowError("not a phone number (expected 10 digits, e.g. 03 27 00 00 00)", column="telephone", value=value)
    return phone


def _parse_mssante(value: str) -> str | None:
    """Return an MSSanté (e-mail) address, or None when empty."""
    v = (value or "").strip()
    if not v:
        return None
    if not _EMAIL_RE.match(v):
        raise RowError("not an e-mail address (e.g. prenom.nom@medecin.mssante.fr)", column="mssante", value=value)
    return v


def read_roster(
    path: str | Path,
    report: LoadReport,
    *,
    territory_id: str,
    known_stages: set[str] | None = None,
    pathway_stages: dict[str, list[str]] | None = None,
    synthetic: bool = False,
    today: date | None = None,
) -> Iterator[Record]:
    """Yield the records of a CPTS roster: per row a Membership, Participations and Interventions.

    Parameters
    ----------
    path : str or Path
        The roster CSV (``;``, UTF-8, header; see ``loaders/templates/README.md``).
    report : LoadReport
        Rejected rows (and unknown columns, as warnings) are added to it.
    territory_id : str
        Id of the CPTS (:class:`~graph.model.Territory`) the members belong to.
    known_stages : set of str, optional
        Stage ids (``ic.suivi``) that exist; a row naming another is rejected.
        When omitted but ``pathway_stages`` is given, its stages are the known ones.
    pathway_stages : dict, optional
        Pathway id -> its stage ids in order, to expand ``ic.*``
        (see :func:`pathway_stages`). Derived from ``known_stages`` when omitted.
    synthetic : bool
        Mark the records as synthetic (demo data).
    today : date, optional
        The date a ``derniere_verification`` may not exceed (default: today).

    Returns
    -------
    iterator of Record
        For each good row: one :class:`Membership` (id ``m:<territory>:<actor>``),
        one :class:`Participation` per stage (id ``p:<actor>:<stage>``) and one
        :class:`Intervention` per commune. A row is kept or rejected whole.

    Raises
    ------
    FileFormatError
        Missing file, not UTF-8, or a required column missing from the header.

    Examples
    --------
    >>> import tempfile, os
    >>> head = "identifiant;type;nom;parcours_etapes;accepte_nouveaux_patients;visites_domicile;"
    >>> head += "communes_intervention;role;adherent_depuis;derniere_verification;mssante;telephone"
    >>> row = "10101234567;PS;Dr A;ic.suivi;oui;non;59178;membre;2023-01-15;2026-10-01;;"
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
    ...     _ = f.write(head + "\\n" + row + "\\n")
    >>> report = LoadReport()
    >>> [type(r).__name__ for r in read_roster(f.name, report, territory_id="cpts-x")]
    ['Membership', 'Participation', 'Intervention']
    >>> os.unlink(f.name)
    """
    path_s = str(path)
    today = today or date.today()
    if known_stages is None and pathway_stages is not None:
        known_stages = {s for stages in pathway_stages.values() for s in stages}
    if pathway_stages is None and known_stages is not None:
        grouped: dict[str, list[str]] = {}
        for s in sorted(known_stages):
            grouped.setdefault(s.split(".", 1)[0], []).append(s)
        pathway_stages = grouped
    seen: dict[tuple[str, str], int] = {}
    header_checked = False
    for line, row, raw in read_csv_rows(path, CPTS_DELIMITER, CPTS_ENCODING, ROSTER_REQUIRED):
        if not header_checked:
            header_checked = True
            unknown = [c for c in row if c not in ROSTER_COLUMNS and c != "__error__"]
            if unknown:
                report.warnings.append(f"{path_s}: unknown column(s) {', '.join(map(repr, unknown))} ignored")
        if "__error__" in row:
            report.reject(row["__error__"], raw)
            continue
        try:
            kind = row["type"].strip().upper()
            if kind == "PS":
                label, actor = "Professional", professional_id(row["identifiant"])
            elif kind == "ES":
                label, actor = "Structure", check_finess(row["identifiant"], "identifiant")
            else:
                raise RowError("unknown type (expected PS for a professional or ES for a structure)",
                               column="type", value=row["type"])
            if (label, actor) in seen:
                raise RowError(f"duplicate identifier: already on line {seen[(label, actor)]}",
                               column="identifiant", value=row["identifiant"])
            stages = _resolve_stages(row["parcours_etapes"], known_stages, pathway_stages)
            accepting = parse_bool(row.get("accepte_nouveaux_patients", ""), "accepte_nouveaux_patients")
            home = parse_bool(row.get("visites_domicile", ""), "visites_domicile")
            communes = unique(check_insee(c, "communes_intervention")
                               for c in _split(row.get("communes_intervention", "")))
            role = _parse_role(row.get("role", ""))
            since = parse_date(row.get("adherent_depuis", ""), "adherent_depuis")
            verified = parse_date(row.get("derniere_verification", ""), "derniere_verification")
            if verified is not None and verified > today.isoformat():
                raise RowError(f"last verified date is in the future (today is {today.isoformat()})",
                               column="derniere_verification", value=row["derniere_verification"])
            mssante = _parse_mssante(row.get("mssante", ""))
            phone = _parse_phone(row.get("telephone", ""))
        except RowError as err:
            err.file, err.line = path_s, line
            report.reject(err, raw)
            continue
        seen[(label, actor)] = line
        yield Membership(
            id=f"m:{territory_id}:{actor}", territory=territory_id, actor_label=label, actor=actor,
            role=role, since=since, accepting_new_patients=accepting, home_visits=home,
            last_verified=verified, mssante=mssante, phone=phone, source=path_s, source_line=line,
            synthetic=synthetic,
        )
        report.count("Membership")
        for stage in stages:
            yield Participation(
                id=f"p:{actor}:{stage}", actor_label=label, actor=actor, stage=stage,
                accepting_new_patients=accepting, home_visits=home, last_verified=verified,
                source=path_s, synthetic=synthetic,
            )
        report.count("Participation", len(stages))
        for code in communes:
            yield Intervention(actor_label=label, actor=actor, commune=code)
        report.count("Intervention", len(communes))


# --- partnerships -------------------------------------------------------------


def _parse_kind(value: str) -> str:
    """Return a partnership kind: convention, protocole_cooperation or informel."""
    v = _fold(value)
    v = _KIND_ALIASES.get(v, v)
    if v not in PARTNERSHIP_KINDS:
        raise RowError("unknown partnership type (expected convention, protocole_cooperation or informel)",
                       column="type", value=value)
    return v


def read_partnerships(
    path: str | Path,
    report: LoadReport,
    *,
    known_pathways: set[str] | None = None,
    synthetic: bool = False,
) -> Iterator[Partnership]:
    """Yield :class:`Partnership` records from a partnerships CSV.

    An ``informel`` partnership marked ``signe = oui`` is rejected: a signed
    agreement is a ``convention`` (or a ``protocole_cooperation``).

    Parameters
    ----------
    path : str or Path
        The partnerships CSV (``;``, UTF-8, header; see ``loaders/templates/README.md``).
    report : LoadReport
        Rejected rows are added to it.
    known_pathways : set of str, optional
        Pathway ids that exist; a row naming another is rejected.
    synthetic : bool
        Mark the records as synthetic (demo data).

    Returns
    -------
    iterator of Partnership
        One per good row, id = the row's ``identifiant``.

    Raises
    ------
    FileFormatError
        Missing file, not UTF-8, or a required column missing from the header.

    Examples
    --------
    >>> import tempfile, os
    >>> text = "identifiant;nom;type;parties;parcours;date_debut;date_fin;signe;description\\n"
    >>> text += "conv-1;Convention HAD;convention;ES:590000014,CPTS:cpts-x;ic;2024-01-01;;oui;\\n"
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
    ...     _ = f.write(text)
    >>> [p.parties for p in read_partnerships(f.name, LoadReport())]
    [[('Structure', '590000014'), ('Territory', 'cpts-x')]]
    >>> os.unlink(f.name)
    """
    path_s = str(path)
    seen: dict[str, int] = {}
    known_list = ", ".join(sorted(known_pathways or ()))
    for line, row, raw in read_csv_rows(path, CPTS_DELIMITER, CPTS_ENCODING, PARTNERSHIP_REQUIRED):
        if "__error__" in row:
            report.reject(row["__error__"], raw)
            continue
        try:
            ident = row["identifiant"].strip()
            if not LOCAL_ID_RE.match(ident):
                raise RowError("not a valid partnership identifier (letters, digits, - _ . : only)",
                               column="identifiant", value=row["identifiant"])
            if ident in seen:
                raise RowError(f"duplicate identifier: already on line {seen[ident]}",
                               column="identifiant", value=ident)
            name = row["nom"].strip()
            if not name:
                raise RowError("empty name", column="nom", value=row["nom"])
            kind = _parse_kind(row["type"])
            parties = unique(parse_party(p) for p in (row["parties"] or "").split(",") if p.strip())
            if len(parties) < 2:
                raise RowError(f"a partnership needs at least 2 distinct parties (found {len(parties)})",
                               column="parties", value=row["parties"])
            pathways = unique(_split((row.get("parcours") or "").lower()))
            for p in pathways:
                if not _ID_RE.match(p):
                    raise RowError("not a pathway id (e.g. ic, bpco)", column="parcours", value=p)
                if known_pathways is not None and p not in known_pathways:
                    raise RowError(f"unknown pathway {p!r} (known: {known_list})", column="parcours", value=p)
            start = parse_date(row.get("date_debut", ""), "date_debut")
            end = parse_date(row.get("date_fin", ""), "date_fin")
            if start and end and end < start:
                raise RowError(f"date_fin is before date_debut ({start})", column="date_fin", value=row["date_fin"])
            signed = parse_bool(row.get("signe", ""), "signe")
            if kind == "informel" and signed:
                raise RowError("an informal partnership cannot be signed (use type convention, or signe non)",
                               column="signe", value=row["signe"])
        except RowError as err:
            err.file, err.line = path_s, line
            report.reject(err, raw)
            continue
        seen[ident] = line
        report.count("Partnership")
        yield Partnership(
            id=ident, name=name, kind=kind, parties=parties, pathways=pathways, start=start, end=end,
            signed=bool(signed), description=(row.get("description") or "").strip() or None,
            source=path_s, source_line=line, synthetic=synthetic,
        )
