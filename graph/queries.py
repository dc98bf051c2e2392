"""The query library: one file per question in ``queries/``, loaded by name with its header.

Every file starts with a comment header (``//`` in Cypher, ``#`` in SPARQL) that
gives its French title, what it shows, and its parameters with types and
defaults; ``queries/README.md`` documents the format. This module parses the
header into a :class:`Query`; :mod:`graph.runner` coerces parameters and runs it.

Header lines are ``<key>: <value>``:

- ``title`` (required, once), ``description`` (required; lines without a key continue it),
  ``limits`` (what the query does not account for);
- ``param: <name> <type> [= <default>] — <description>``; a description that starts with
  ``computed: <function>(<arg>, ...)`` declares a parameter the runner computes in Python;
- ``column: <name> — <French label>`` (one per result column, optional);
- ``example: <name>=<value> ...`` (values used by the tests and shown in the docs).

Examples
--------
>>> q = parse_query("demo", '''// title: Communes
... // description: Les communes d'un département.
... // param: dep string = 59 — code du département
... MATCH (c:Commune) WHERE c.department = $dep RETURN c.id AS commune''')
>>> q.title, [(p.name, p.type, p.default) for p in q.params]
('Communes', [('dep', 'string', '59')])
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.exceptions import GraphError, QueryFileError, UnknownQuery

__all__ = [
    "QUERY_DIR",
    "LANGUAGES",
    "TYPES",
    "Param",
    "Query",
    "parse_query",
    "load_query",
    "list_queries",
    "query_names",
]

#: the library's folder (``queries/`` at the top of the project, shipped as package data)
QUERY_DIR = Path(__file__).resolve().parents[1] / "queries"
#: language -> (sub-folder, file suffix, comment prefix)
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "cypher": ("cypher", ".cypher", "//"),
    "sparql": ("sparql", ".rq", "#"),
}
#: parameter types a header may declare (``map`` only for computed parameters)
TYPES = ("string", "int", "float", "bool", "date", "list<string>", "list<int>", "list<float>", "map")
#: shorter spellings accepted in headers
TYPE_ALIASES = {"list": "list<string>", "str": "string", "integer": "int", "boolean": "bool"}

_NAME_RE = re.compile(r"^[a-z0-9_]+$")
_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEY_RE = re.compile(r"^([a-z]+):\s*(.*)$")
_PARAM_RE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+(?:<[a-z]+>)?)(?P<rest>.*)$")
_DASH_RE = re.compile(r"\s(?:—|--)\s|\s(?:—|--)$|^(?:—|--)(?:\s|$)")
_COMPUTED_RE = re.compile(r"^computed:\s*(?P<fn>[a-z_][a-z0-9_]*)\((?P<args>[^)]*)\)\s*(?:(?:—|--)\s*(?P<text>.*))?$")
_COLUMN_RE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:—|--)\s*(?P<label>.+)$")
_KEYS = ("title", "description", "limits", "param", "column", "example")


@dataclass(frozen=True)
class Param:
    """One declared parameter: name, type, default (raw text), description, or how it is computed."""

    name: str
    type: str
    default: str | None = None  # raw text after "=", "null" for an optional parameter
    description: str = ""
    computed: str | None = None  # function name, e.g. "commune_distances"
    args: tuple[str, ...] = ()  # names of the parameters the function takes
    example: Any = None  # a JSON example value written after the type (``ids list ["810000000001"]``)

    @property
    def required(self) -> bool:
        """True when the caller must give a value (no default, not computed)."""
        return self.default is None and self.computed is None

    @property
    def optional(self) -> bool:
        """True when the parameter may stay empty (default ``null``)."""
        return self.default == "null"


@dataclass(frozen=True)
class Query:
    """A query of the library: its text and what its header says."""

    name: str
    language: str
    text: str
    title: str
    description: str
    params: tuple[Param, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    examples: tuple[dict[str, str], ...] = ()
    limits: str = ""
    path: Path | None = None

    def param(self, name: str) -> Param | None:
        """The declared parameter of that name, or None."""
        for p in self.params:
            if p.name == name:
                return p
        return None

    @property
    def user_params(self) -> tuple[Param, ...]:
        """Parameters a caller gives (the computed ones left out)."""
        return tuple(p for p in self.params if p.computed is None)

    def example_params(self) -> dict[str, Any]:
        """Values to run the query with: the first ``example:`` line, then per-parameter examples.

        Parameters with a default and no example are left out (the default applies).
        """
        out: dict[str, Any] = dict(self.examples[0]) if self.examples else {}
        for p in self.user_params:
            if p.name not in out and p.example is not None:
                out[p.name] = p.example
        return out

    @property
    def computed_params(self) -> tuple[Param, ...]:
        """Parameters the runner computes."""
        return tuple(p for p in self.params if p.computed is not None)

    @property
    def body(self) -> str:
        """The query text without its header comment."""
        prefix = LANGUAGES[self.language][2]
        lines = self.text.splitlines()
        i = 0
        while i < len(lines) and (lines[i].lstrip().startswith(prefix) or not lines[i].strip()):
            i += 1
        return "\n".join(lines[i:]).strip() + "\n"


def _header_error(name: str, line: int, reason: str, text: str) -> GraphError:
    """An error naming the query file, the header line and the bad text."""
    return QueryFileError(f"query {name!r}, header line {line}: {reason}: {text!r}")


def _parse_param(name: str, lineno: int, value: str) -> Param:
    """Parse the value of a ``param:`` header line.

    ``<name> <type> [= <default>] [<JSON example>] [— <description>]``; a description
    starting with ``computed: <function>(<args>)`` marks a computed parameter.
    """
    m = _PARAM_RE.match(value.strip())
    if not m:
        raise _header_error(name, lineno, "expected 'param: <name> <type> [= <default>] — <description>'", value)
    ptype = TYPE_ALIASES.get(m.group("type"), m.group("type"))
    if ptype not in TYPES:
        raise _header_error(name, lineno, f"unknown parameter type (known: {', '.join(TYPES)})", m.group("type"))
    rest = m.group("rest")
    dash = _DASH_RE.search(rest)
    spec, text = (rest[: dash.start()], rest[dash.end():]) if dash else (rest, "")
    spec, text = spec.strip(), text.strip()
    default: str | None = None
    example: Any = None
    if spec.startswith("="):
        default = spec[1:].strip()
        if not default:
            raise _header_error(name, lineno, "empty default (write '= null' for an optional parameter)", value)
        if len(default) >= 2 and default[0] == default[-1] == '"':
            default = default[1:-1]
    elif spec:
        try:
            example = json.loads(spec)
        except json.JSONDecodeError as err:
            raise _header_error(name, lineno, "after the type, expected '= <default>', a JSON example or "
                                "'— <description>'", spec) from err
    c = _COMPUTED_RE.match(text)
    if c:
        if default is not None or example is not None:
            raise _header_error(name, lineno, "a computed parameter has no default or example", value)
        args = tuple(a.strip() for a in c.group("args").split(",") if a.strip())
        for a in args:
            if not _IDENT_RE.match(a):
                raise _header_error(name, lineno, "computed arguments are parameter names", a)
        return Param(m.group("name"), ptype, None, (c.group("text") or "").strip(), c.group("fn"), args)
    if ptype == "map":
        raise _header_error(name, lineno, "type map is only for computed parameters", value)
    return Param(m.group("name"), ptype, default, text, example=example)


def parse_query(name: str, text: str, language: str = "cypher", path: Path | None = None) -> Query:
    """Parse a query file's text: its header and body.

    Parameters
    ----------
    name : the query's name (its file name without suffix).
    text : the whole file.
    language : ``"cypher"`` or ``"sparql"``.

    Returns
    -------
    Query

    Raises
    ------
    GraphError
        The header lacks a title or description, or a line of it does not parse
        (the message names the query, the line and the text).

    Examples
    --------
    >>> q = parse_query("x", "// title: T\\n// description: D\\n// param: n int = 2 — seuil\\nRETURN $n AS n")
    >>> q.param("n").default, q.body
    ('2', 'RETURN $n AS n\\n')
    """
    prefix = LANGUAGES[language][2]
    fields: dict[str, list[str]] = {"title": [], "description": [], "limits": []}
    params: list[Param] = []
    columns: dict[str, str] = {}
    examples: list[dict[str, str]] = []
    last: str | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not stripped:
            if last is None:
                continue
            break
        if not stripped.startswith(prefix):
            break
        content = stripped[len(prefix):].strip()
        if not content:
            continue
        m = _KEY_RE.match(content)
        key = m.group(1) if m and m.group(1) in _KEYS else None
        if key is None:
            if last in ("description", "limits"):
                fields[last].append(content)
                continue
            if m:
                raise _header_error(name, lineno, f"unknown header key (known: {', '.join(_KEYS)})", m.group(1))
            if last is None:
                continue  # a licence or free comment above the header
            raise _header_error(name, lineno, "expected '<key>: <value>'", content)
        value = m.group(2).strip()
        last = key
        if key in fields:
            if key == "title" and fields["title"]:
                raise _header_error(name, lineno, "a second title", value)
            fields[key].append(value)
        elif key == "param":
            p = _parse_param(name, lineno, value)
            if any(q.name == p.name for q in params):
                raise _header_error(name, lineno, "parameter declared twice", p.name)
            params.append(p)
        elif key == "column":
            c = _COLUMN_RE.match(value)
            if not c:
                raise _header_error(name, lineno, "expected 'column: <name> — <label>'", value)
            columns[c.group("name")] = c.group("label").strip()
        elif key == "example":
            example: dict[str, str] = {}
            for item in value.split():
                k, sep, v = item.partition("=")
                if not sep or not _IDENT_RE.match(k):
                    raise _header_error(name, lineno, "expected 'example: <name>=<value> ...'", item)
                example[k] = v
            examples.append(example)
    if not fields["title"]:
        raise QueryFileError(f"query {name!r} has no '{prefix} title:' header line")
    if not fields["description"]:
        raise QueryFileError(f"query {name!r} has no '{prefix} description:' header line")
    declared = {p.name for p in params}
    for p in params:
        for a in p.args:
            if a not in declared:
                raise QueryFileError(f"query {name!r}: computed parameter {p.name!r} uses undeclared parameter {a!r}")
    for ex in examples:
        unknown = set(ex) - declared
        if unknown:
            raise QueryFileError(f"query {name!r}: example names undeclared parameter(s) {', '.join(sorted(unknown))}")
    return Query(
        name=name, language=language, text=text, title=fields["title"][0],
        description=" ".join(fields["description"]), params=tuple(params), columns=columns,
        examples=tuple(examples), limits=" ".join(fields["limits"]), path=path,
    )


def _folder(language: str) -> tuple[Path, str]:
    """The folder and file suffix of a language."""
    if language not in LANGUAGES:
        raise UnknownQuery(f"unknown query language {language!r} (known: {', '.join(LANGUAGES)})")
    sub, suffix, _prefix = LANGUAGES[language]
    return QUERY_DIR / sub, suffix


def query_names(language: str = "cypher") -> list[str]:
    """Names of the library's queries of a language, sorted.

    >>> "members_without_pathway" in query_names()
    True
    """
    folder, suffix = _folder(language)
    return sorted(p.name[: -len(suffix)] for p in folder.glob(f"*{suffix}"))


def load_query(name: str, language: str = "cypher") -> Query:
    """Load a query of the library by name.

    Parameters
    ----------
    name : the file name without its suffix, e.g. ``members_without_pathway``.
    language : ``"cypher"`` (``queries/cypher/*.cypher``) or ``"sparql"`` (``queries/sparql/*.rq``).

    Raises
    ------
    UnknownQuery
        No such query (the message lists the closest names); ``err.name`` is the name asked.
    GraphError
        The file's header does not parse.

    Examples
    --------
    >>> load_query("members_without_pathway").title
    'Adhérents sans parcours'
    >>> load_query("no_such_query")
    Traceback (most recent call last):
    ...
    graph.exceptions.UnknownQuery: unknown query 'no_such_query'; run 'maillage query --list' to see the library
    """
    folder, suffix = _folder(language)
    names = query_names(language)
    if not isinstance(name, str) or not _NAME_RE.match(name) or name not in names:
        close = difflib.get_close_matches(str(name), names, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; run 'maillage query --list' to see the library"
        err = UnknownQuery(f"unknown query {name!r}{hint}")
        err.name = name  # type: ignore[attr-defined]
        err.suggestions = close  # type: ignore[attr-defined]
        raise err
    path = folder / f"{name}{suffix}"
    return parse_query(name, path.read_text(encoding="utf-8"), language, path)


def list_queries(language: str = "cypher") -> list[Query]:
    """Every query of a language, sorted by name.

    >>> all(q.title for q in list_queries())
    True
    """
    return [load_query(n, language) for n in query_names(language)]
