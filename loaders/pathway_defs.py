"""Pathway definitions (PCPP) in YAML: a pathway, its ordered stages and the roles each requires.

The format is documented in ``loaders/templates/pathway.template.yaml``; the four
shipped definitions (``loaders/pathways/*.yaml``) are written from the HAS guides
they name. A pathway file is all or nothing: the first problem raises
:class:`FileFormatError` with the file, the path in the document
(``stages[2].roles[0].professions``) and the line.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import yaml

from graph.model import Pathway, Record, RoleRequirement, Stage
from loaders.cleaning import parse_date, unique
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.identifiers import parse_party
from loaders.reading import open_text

__all__ = ["PATHWAY_ENCODING", "SHIPPED_PATHWAYS", "read_pathway", "shipped_pathways"]

PATHWAY_ENCODING = "utf-8-sig"
SHIPPED_PATHWAYS = ("ic", "bpco", "dt2", "pa_domicile")
_PATHWAY_DIR = Path(__file__).resolve().parent / "pathways"
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


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
    return unique(out)


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
    return unique(out)


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


def _role(doc: _Doc, value: Any, path: str, stage_id: str, order: int) -> RoleRequirement:
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
        home_visit=_flag(doc, m, "home_visit", path), optional=_flag(doc, m, "optional", path), order=order,
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
            role = _role(doc, role_raw, _child(_child(path, "roles"), j), stage_id, j + 1)
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
