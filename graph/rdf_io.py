"""Reading RDF: the errors of the RDF layer, files parsed with their file and line, cached Turtle loads.

:func:`parse_rdf_file` turns a parser's complaint into one :class:`RdfSyntaxError`
naming the file and the line; :func:`load_turtle` parses a Turtle file once per
process while it is unchanged (the ontology and the shapes are read by every
projection and validation) and hands out fresh copies. ``graph.rdf`` re-exports
all of these.
"""
from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from graph.exceptions import RdfError, RdfSyntaxError, UndeclaredTerm
from ontology.namespace import ONTOLOGY_PATH, bind_namespaces

__all__ = [
    "RdfError",
    "RdfSyntaxError",
    "UndeclaredTerm",
    "RDF_FORMATS",
    "parse_rdf_file",
    "load_turtle",
    "load_ontology",
]

# --- errors (to move to graph/exceptions.py, the package's exception module) ------


# --- files ---------------------------------------------------------------------

#: export format name -> (rdflib format, pyoxigraph format attribute, file suffix)
RDF_FORMATS: dict[str, tuple[str, str, str]] = {
    "turtle": ("turtle", "TURTLE", ".ttl"),
    "jsonld": ("json-ld", "JSON_LD", ".jsonld"),
    "ntriples": ("nt", "N_TRIPLES", ".nt"),
}


def parse_rdf_file(path: str | Path, fmt: str | None = None, graph: Graph | None = None) -> Graph:
    """Parse an RDF file into a graph; a syntax error names the file and line.

    Raises
    ------
    RdfSyntaxError
        Missing file, or text that does not parse (``file:line: reason``).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".ttl", delete=False) as f:
    ...     _ = f.write('@prefix ex: <http://ex/> .\\nex:a ex:b "open .\\n')
    >>> try:
    ...     parse_rdf_file(f.name)
    ... except RdfSyntaxError as err:
    ...     print(err.line, err.reason)
    2 not valid Turtle: newline found in string literal
    >>> os.unlink(f.name)
    """
    from rdflib.plugins.parsers.notation3 import BadSyntax
    from rdflib.util import guess_format

    path = Path(path)
    if not path.is_file():
        raise RdfSyntaxError("file not found", file=str(path))
    fmt = fmt or guess_format(str(path)) or "turtle"
    g = graph if graph is not None else Graph()
    name = {"turtle": "Turtle", "nt": "N-Triples", "json-ld": "JSON-LD", "xml": "RDF/XML"}.get(fmt, fmt)
    try:
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            g.parse(str(path), format=fmt)
    except BadSyntax as err:
        raise RdfSyntaxError(f"not valid {name}: {err._why}", file=str(path), line=err.lines + 1) from err
    except UnicodeDecodeError as err:
        raise RdfSyntaxError(f"not UTF-8 text (byte {err.object[err.start:err.start + 1]!r})",
                             file=str(path)) from err
    except Exception as err:  # other parsers (N-Triples, JSON-LD) raise their own errors
        line = getattr(err, "lineno", None) or getattr(err, "line", None)
        raise RdfSyntaxError(f"not valid {name}: {err}", file=str(path),
                             line=line if isinstance(line, int) else None) from err
    return g


@lru_cache(maxsize=8)
def _parsed(path: str, mtime_ns: int, fmt: str) -> Graph:
    """A parsed file, kept while the file is unchanged (callers get copies)."""
    return parse_rdf_file(path, fmt)


def load_turtle(path: str | Path) -> Graph:
    """A fresh graph with the triples of a Turtle file, parsed once per process while it is unchanged.

    Raises
    ------
    RdfSyntaxError
        The file is missing or does not parse (with its line).
    """
    path = Path(path)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as err:
        raise RdfSyntaxError("file not found", file=str(path)) from err
    g = bind_namespaces(Graph())
    g += _parsed(str(path.resolve()), mtime, "turtle")
    return g


def load_ontology(path: str | Path | None = None) -> Graph:
    """The ontology (``ontology/maillage.ttl`` unless another file is given), as a fresh graph.

    Raises
    ------
    RdfSyntaxError
        The file does not parse (with its line).
    """
    return load_turtle(path or ONTOLOGY_PATH)
