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
from typing import Any, Iterable, Iterator

import yaml

from graph.model import (
    Intervention,
    Membership,
    Participation,
    Partnership,
    Pathway,
    Record,
    RoleRequirement,
    Stage,
)
from loaders.cleaning import (
    ADELI_RE,
    RPPS_RE,
    check_finess,
    check_insee,
    clean_phone,
    parse_bool,
    parse_date,
)
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.reading import open_text, read_csv_rows

__all__ = [
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
PATHWAY_ENCODING = "utf-8-sig"

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

SHIPPED_PATHWAYS = ("ic", "bpco", "dt2", "pa_domicile")
_PATHWAY_DIR = Path(__file__).resolve().parent / "pathways"

PS_ID_REASON = (
    "not a valid professional identifier (RPPS: 11 digits, ADELI: 9 characters, "
    "or Identification nationale PP: 8+RPPS, 0+ADELI)"
)
_NATIONAL_RPPS_RE = re.compile(r"^8\d{11}$")
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_STAGE_REF_RE = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*|\*)$")
_LOCAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]*$")
_EMAIL_RE = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_LIST_SPLIT_RE = re.compile(r"[,\s]+")


# --- identifiers -----------------------------------------------------------


def professional_id(value: str, column: str = "identifiant") -> str:
    """Return the Identification nationale PP of an RPPS, an ADELI or an already-national id.

    The graph id of a :class:`~graph.model.Professional` is the Identification
    nationale PP: ``8`` + RPPS or ``0`` + ADELI, as in the Annuaire Santé.

    Parameters
    ----------
    value : str
        An RPPS (11 digits), an ADELI (9 characters), or an Identification
        nationale PP (12 digits starting with 8, or 10 characters starting with 0).
    column : str
        Column name used in the error.

    Returns
    -------
    str
        The Identification nationale PP.

    Raises
    ------
    RowError
        The value is none of these forms.

    Examples
    --------
    >>> professional_id("10101234567"), professional_id("810101234567")
    ('810101234567', '810101234567')
    >>> professional_id("591234567"), professional_id("0591234567")
    ('0591234567', '0591234567')
    """
    v = (value or "").strip()
    if RPPS_RE.match(v):
        return "8" + v
    if _NATIONAL_RPPS_RE.match(v):
        return v
    if len(v) == 10 and v.startswith("0") and ADELI_RE.match(v[1:]):
        return v
    if ADELI_RE.match(v):
        return "0" + v
    raise RowError(PS_ID_REASON, column=column, value=value)


def parse_party(value: str, column: str = "parties", *, allow_cpts: bool = True) -> tuple[str, str]:
    """Parse ``PS:<id>``, ``ES:<FINESS>`` or ``CPTS:<territory id>`` to ``(label, graph id)``.

    Parameters
    ----------
    value : str
        The prefixed identifier (prefix case ignored).
    column : str
        Column name used in the error.
    allow_cpts : bool
        Accept the ``CPTS:`` prefix (a territory).

    Returns
    -------
    tuple of str
        The node label (``Professional``, ``Structure`` or ``Territory``) and the id.

    Raises
    ------
    RowError
        Unknown prefix or bad identifier.

    Examples
    --------
    >>> parse_party("PS:10101234567"), parse_party("es:590000014"), parse_party("CPTS:cpts-douaisis")
    (('Professional', '810101234567'), ('Structure', '590000014'), ('Territory', 'cpts-douaisis'))
    """
    item = (value or "").strip()
    prefix, sep, ident = item.partition(":")
    prefix = prefix.strip().upper()
    ident = ident.strip()
    expected = "PS:<RPPS or ADELI>, ES:<FINESS>" + (" or CPTS:<territory id>" if allow_cpts else "")
    if not sep or not ident or prefix not in ("PS", "ES", "CPTS") or (prefix == "CPTS" and not allow_cpts):
        raise RowError(f"bad party {item!r} (expected {expected})", column=column, value=item)
    try:
        if prefix == "PS":
            return "Professional", professional_id(ident, column)
        if prefix == "ES":
            return "Structure", check_finess(ident, column)
    except RowError as err:
        raise RowError(f"bad party {item!r}: {err.reason}", column=column, value=item) from err
    if not _LOCAL_ID_RE.match(ident):
        raise RowError(f"bad party {item!r}: not a valid territory id (letters, digits, - _ . :)",
                       column=column, value=item)
    return "Territory", ident


def _fold(value: str) -> str:
    """Lower-case, strip accents, spaces and hyphens to ``_`` (``Protocole de coopération``)."""
    v = unicodedata.normalize("NFKD", value or "")
    v = "".join(c for c in v if not unicodedata.combining(c)).lower().strip()
    return re.sub(r"[\s\-']+", "_", v)


def _split(value: str) -> list[str]:
    """Split a list cell on commas and spaces, dropping empty items."""
    return [x for x in _LIST_SPLIT_RE.split((value or "").strip()) if x]


def _unique(items: Iterable[Any]) -> list[Any]:
    """Keep the first occurrence of each item, in order."""
    seen: set[Any] = set()
    out = []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


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
    return _unique(out)


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
            communes = _unique(check_insee(c, "communes_intervention")
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
            if not _LOCAL_ID_RE.match(ident):
                raise RowError("not a valid partnership identifier (letters, digits, - _ . : only)",
                               column="identifiant", value=row["identifiant"])
            if ident in seen:
                raise RowError(f"duplicate identifier: already on line {seen[ident]}",
                               column="identifiant", value=ident)
            name = row["nom"].strip()
            if not name:
                raise RowError("empty name", column="nom", value=row["nom"])
            kind = _parse_kind(row["type"])
            parties = _unique(parse_party(p) for p in (row["parties"] or "").split(",") if p.strip())
            if len(parties) < 2:
                raise RowError(f"a partnership needs at least 2 distinct parties (found {len(parties)})",
                               column="parties", value=row["parties"])
            pathways = _unique(_split((row.get("parcours") or "").lower()))
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


# --- pathway definitions (YAML) -----------------------------------------------

_PATHWAY_KEYS = {
    "id": True, "name": True, "theme": False, "description": False, "source": True, "references": False,
    "version": False, "updated": False, "referent": False, "stages": True,
}
_SOURCE_KEYS = {"title": True, "publisher": False, "year": False, "url": False}
_STAGE_KEYS = {
    "key": True, "name": True, "qui": False, "quoi": False, "quand": False, "comment": False,
    "partage": False, "roles": True,
}
_ROLE_KEYS = {
    "key": True, "label": True, "professions": False, "specialties": False, "categories": False,
    "radius_km": False, "home_visit": False, "optional": False,
}
_CODE_PATTERNS = {
    "professions": (re.compile(r"^\d{2}$"), "TRE_G15 profession", '["60"]'),
    "specialties": (re.compile(r"^[A-Z]{2,4}\d{2}$"), "TRE_R38 specialty", "[SM54]"),
    "categories": (re.compile(r"^\d{3}$"), "FINESS category", '["354"]'),
}


class _Doc:
    """A parsed YAML document with the line of every path in it, to word errors."""

    def __init__(self, file: str, lines: dict[str, int]) -> None:
        """Keep the file name and the line of each path."""
        self.file = file
        self.lines = lines

    def line(self, path: str) -> int | None:
        """Line of ``path`` or of its nearest parent that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)

    def fail(self, path: str, reason: str) -> FileFormatError:
        """A FileFormatError naming the file, the path in the document and its line."""
        where = f"{path}: " if path else ""
        return FileFormatError(f"{where}{reason}", file=self.file, line=self.line(path))


def _child(path: str, key: str | int) -> str:
    """Path of a mapping key or a sequence item under ``path``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _index_lines(node: yaml.Node, path: str, lines: dict[str, int], file: str) -> None:
    """Record the line of every path under ``node``; refuse duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise FileFormatError(f"{path or 'document'}: a key must be a plain name",
                                      file=file, line=key_node.start_mark.line + 1)
            sub = _child(path, key_node.value)
            if sub in lines:
                raise FileFormatError(f"{sub}: duplicate key {key_node.value!r} (first on line {lines[sub]})",
                                      file=file, line=key_node.start_mark.line + 1)
            lines[sub] = key_node.start_mark.line + 1
            _index_lines(value_node, sub, lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = _child(path, i)
            lines[sub] = item.start_mark.line + 1
            _index_lines(item, sub, lines, file)


def _load_yaml(path: str | Path) -> tuple[Any, _Doc]:
    """Parse a YAML file strictly; return the data and a :class:`_Doc` for error lines."""
    file = str(path)
    fp = open_text(path, PATHWAY_ENCODING)
    try:
        with fp:
            text = fp.read()
    except UnicodeDecodeError as err:
        line = err.object[:err.start].count(b"\n") + 1
        raise FileFormatError(f"cannot be read as UTF-8: byte {err.object[err.start:err.start + 1]!r} is not valid",
                              file=file, line=line) from err
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise FileFormatError("file is empty (expected a pathway definition)", file=file)
        lines: dict[str, int] = {"": node.start_mark.line + 1}
        _index_lines(node, "", lines, file)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = ": ".join(x for x in (err.context, err.problem) if x)
        raise FileFormatError(f"not valid YAML: {what}", file=file,
                              line=mark.line + 1 if mark else None) from err
    except yaml.YAMLError as err:
        raise FileFormatError(f"not valid YAML: {err}", file=file) from err
    finally:
        loader.dispose()
    return data, _Doc(file, lines)


def _fields(doc: _Doc, value: Any, spec: dict[str, bool], path: str) -> dict[str, Any]:
    """Check that ``value`` is a mapping with the required keys of ``spec`` and no other."""
    if not isinstance(value, dict):
        what = "a pathway" if not path else "this entry"
        raise doc.fail(path, f"{what} must be a mapping of fields (key: value), not {type(value).__name__}")
    for key in value:
        if key not in spec:
            raise doc.fail(_child(path, str(key)),
                           f"unknown field {key!r} (expected one of: {', '.join(spec)})")
    for key, required in spec.items():
        if not required:
            continue
        if value.get(key) is None:
            raise doc.fail(path, f"missing required field {key!r}")
        if value[key] == "" or value[key] == []:
            raise doc.fail(_child(path, key), "must not be empty")
    return value


def _text(doc: _Doc, m: dict[str, Any], key: str, path: str) -> str | None:
    """A free-text field: a string (numbers are accepted and turned into text)."""
    v = m.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise doc.fail(_child(path, key), "must be text (put it in quotes)")
    v = str(v).strip()
    return v or None


def _ident(doc: _Doc, m: dict[str, Any], key: str, path: str) -> str:
    """An id field: lower-case letters, digits and ``_``."""
    v = m.get(key)
    if not isinstance(v, str) or not _ID_RE.match(v):
        raise doc.fail(_child(path, key), f"not a valid id {v!r} (lower-case letters, digits and _, e.g. suivi)")
    return v


def _codes(doc: _Doc, m: dict[str, Any], key: str, path: str) -> list[str]:
    """A list of nomenclature codes (``professions``, ``specialties``, ``categories``)."""
    v = m.get(key)
    pattern, what, example = _CODE_PATTERNS[key]
    if v is None:
        return []
    if not isinstance(v, list):
        raise doc.fail(_child(path, key), f"must be a list, e.g. {example}")
    out = []
    for i, item in enumerate(v):
        code = str(item).strip() if isinstance(item, (str, int)) and not isinstance(item, bool) else None
        if code is None or not pattern.match(code):
            raise doc.fail(_child(_child(path, key), i), f"not a {what} code: {item!r} (e.g. {example})")
        out.append(code)
    return _unique(out)


def _text_list(doc: _Doc, m: dict[str, Any], key: str, path: str) -> list[str]:
    """A list of short texts (``partage``)."""
    v = m.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        raise doc.fail(_child(path, key), "must be a list, e.g. [MSSanté, DMP]")
    out = []
    for i, item in enumerate(v):
        if not isinstance(item, str) or not item.strip():
            raise doc.fail(_child(_child(path, key), i), f"must be a non-empty text, not {item!r}")
        out.append(item.strip())
    return _unique(out)


def _flag(doc: _Doc, m: dict[str, Any], key: str, path: str) -> bool:
    """A true/false field (default false)."""
    v = m.get(key, False)
    if not isinstance(v, bool):
        raise doc.fail(_child(path, key), f"must be true or false, not {v!r}")
    return v


def _source(doc: _Doc, value: Any, path: str) -> tuple[str, str | None]:
    """Check a source mapping; return its citation text and URL."""
    m = _fields(doc, value, _SOURCE_KEYS, path)
    title = _text(doc, m, "title", path) or ""
    publisher = _text(doc, m, "publisher", path)
    year = m.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100):
        raise doc.fail(_child(path, "year"), f"must be a year such as 2014, not {year!r}")
    url = _text(doc, m, "url", path)
    if url is not None and not url.startswith(("https://", "http://")):
        raise doc.fail(_child(path, "url"), f"must be a web address starting with https://, not {url!r}")
    detail = ", ".join(str(x) for x in (publisher, year) if x)
    return (f"{title} ({detail})" if detail else title), url


def _role(doc: _Doc, value: Any, path: str, stage_id: str) -> RoleRequirement:
    """Check one role of a stage and build its :class:`RoleRequirement`."""
    m = _fields(doc, value, _ROLE_KEYS, path)
    key = _ident(doc, m, "key", path)
    professions = _codes(doc, m, "professions", path)
    specialties = _codes(doc, m, "specialties", path)
    categories = _codes(doc, m, "categories", path)
    if not professions and not categories:
        raise doc.fail(path, "a role needs professions or categories (at least one code)")
    if specialties and not professions:
        raise doc.fail(_child(path, "specialties"), 'specialties need professions (e.g. ["10"])')
    radius = m.get("radius_km")
    if radius is not None and (isinstance(radius, bool) or not isinstance(radius, (int, float))
                               or not 0 < radius <= 300):
        raise doc.fail(_child(path, "radius_km"), f"must be a distance in km between 0 and 300, not {radius!r}")
    return RoleRequirement(
        id=f"{stage_id}.{key}", stage=stage_id, key=key, label=_text(doc, m, "label", path) or key,
        professions=professions, specialties=specialties, categories=categories,
        radius_km=float(radius) if radius is not None else None,
        home_visit=_flag(doc, m, "home_visit", path), optional=_flag(doc, m, "optional", path),
    )


def _display_path(file: str) -> str:
    """A shipped file as a repository-relative path (same on every clone), any other as given."""
    p = Path(file).resolve()
    root = _PATHWAY_DIR.parent.parent
    return p.relative_to(root).as_posix() if p.is_relative_to(root) else file


def _pathway_records(data: Any, doc: _Doc) -> list[Record]:
    """Check a whole pathway document and build its records (nothing on the first error)."""
    m = _fields(doc, data, _PATHWAY_KEYS, "")
    pid = _ident(doc, m, "id", "")
    source, source_url = _source(doc, m["source"], "source")
    refs = m.get("references")
    if refs is not None:
        if not isinstance(refs, list):
            raise doc.fail("references", "must be a list of sources (title, publisher, year, url)")
        for i, ref in enumerate(refs):
            _source(doc, ref, _child("references", i))
    updated = m.get("updated")
    if updated is not None:
        try:
            updated = updated.isoformat() if isinstance(updated, date) else parse_date(str(updated), "updated")
        except RowError as err:
            raise doc.fail("updated", f"{err.reason}: {updated!r}") from err
    referent = referent_label = None
    if m.get("referent") is not None:
        try:
            referent_label, referent = parse_party(str(m["referent"]), "referent", allow_cpts=False)
        except RowError as err:
            raise doc.fail("referent", err.reason) from err
    stages_raw = m["stages"]
    if not isinstance(stages_raw, list):
        raise doc.fail("stages", "must be a list of stages")
    stages: list[Stage] = []
    roles: list[RoleRequirement] = []
    keys: dict[str, int] = {}
    for i, raw in enumerate(stages_raw):
        path = _child("stages", i)
        s = _fields(doc, raw, _STAGE_KEYS, path)
        key = _ident(doc, s, "key", path)
        if key in keys:
            raise doc.fail(_child(path, "key"), f"duplicate stage key {key!r} (already stages[{keys[key]}])")
        keys[key] = i
        stage_id = f"{pid}.{key}"
        if not isinstance(s["roles"], list):
            raise doc.fail(_child(path, "roles"), "must be a list of roles")
        role_keys: set[str] = set()
        for j, role_raw in enumerate(s["roles"]):
            role = _role(doc, role_raw, _child(_child(path, "roles"), j), stage_id)
            if role.key in role_keys:
                raise doc.fail(_child(_child(_child(path, "roles"), j), "key"), f"duplicate role key {role.key!r}")
            role_keys.add(role.key)
            roles.append(role)
        stages.append(Stage(
            id=stage_id, pathway=pid, key=key, order=i + 1, name=_text(doc, s, "name", path) or key,
            qui=_text(doc, s, "qui", path), quoi=_text(doc, s, "quoi", path), quand=_text(doc, s, "quand", path),
            comment=_text(doc, s, "comment", path), partage=_text_list(doc, s, "partage", path),
        ))
    for current, following in zip(stages, stages[1:]):
        current.next_stage = following.id
    version = m.get("version")
    pathway = Pathway(
        id=pid, name=_text(doc, m, "name", "") or pid, theme=_text(doc, m, "theme", ""),
        description=_text(doc, m, "description", ""), source=source, source_url=source_url,
        referent=referent, referent_label=referent_label,
        version=None if version is None else str(version), updated=updated, file=_display_path(doc.file),
    )
    return [pathway, *stages, *roles]


def read_pathway(path: str | Path, report: LoadReport) -> Iterator[Record]:
    """Yield the records of a pathway definition: Pathway, its Stages, their RoleRequirements.

    The file is checked whole before anything is yielded: a broken definition
    is never partly loaded.

    Parameters
    ----------
    path : str or Path
        A pathway YAML file (see ``loaders/templates/pathway.template.yaml``).
    report : LoadReport
        Counts of the records are added to it.

    Returns
    -------
    iterator of Record
        One :class:`Pathway`, its :class:`Stage` records (id ``<pathway>.<key>``,
        ``order`` 1..n, ``next_stage`` linking each to the following one), then
        the :class:`RoleRequirement` records (id ``<stage id>.<role key>``).

    Raises
    ------
    FileFormatError
        Missing file, not UTF-8, not YAML (with PyYAML's line), or not the
        schema (missing or unknown field, stage without roles, duplicate key,
        bad code...): the message names the file, the path in the document and
        the line.

    Examples
    --------
    >>> recs = list(read_pathway(shipped_pathways()[0], LoadReport()))
    >>> [r.id for r in recs if isinstance(r, Stage)][:2]
    ['ic.depistage', 'ic.diagnostic']
    """
    data, doc = _load_yaml(path)
    records = _pathway_records(data, doc)
    report.count("Pathway")
    report.count("Stage", sum(isinstance(r, Stage) for r in records))
    report.count("RoleRequirement", sum(isinstance(r, RoleRequirement) for r in records))
    yield from records


def shipped_pathways() -> list[Path]:
    """Return the pathway definitions shipped with maillage (IC, BPCO, DT2, personne âgée).

    Examples
    --------
    >>> [p.name for p in shipped_pathways()]
    ['ic.yaml', 'bpco.yaml', 'dt2.yaml', 'pa_domicile.yaml']
    """
    return [_PATHWAY_DIR / f"{name}.yaml" for name in SHIPPED_PATHWAYS]
