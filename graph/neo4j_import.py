"""Write the graph as the CSV files ``neo4j-admin database import full`` reads: the fast road into Neo4j.

Transactional loading (UNWIND batches through the driver) is fine for a CPTS;
for a region or all of France, Neo4j's offline importer builds a new database
from CSV files far faster. This module writes them, either straight from a
territory's sources (the loaders stream their records into
:class:`Neo4jImportWriter`, nothing is held in memory but the node ids) or
from a loaded store:

- ``nodes_<Label>.csv`` — header ``id:ID(<Label>),:LABEL,name:string,population:long,
  lat:double,synthetic:boolean,postal_codes:string[],...``: one ID space per label,
  property types from the model's annotations (``graph/model.py``);
- ``rels_<TYPE>_<Src>_<Dst>.csv`` — header ``:START_ID(<Src>),:END_ID(<Dst>),:TYPE``
  plus typed properties (``order:long`` on HAS_STAGE);
- ``constraints.cypher`` — the ``id`` uniqueness constraints the store creates
  (run it with cypher-shell once the database is started);
- ``neo4j-admin-import.sh`` — the import command, also returned.

Values: strings always quoted (``""`` escapes a quote), an empty field is a
missing property, arrays joined with ``;`` (``--array-delimiter``), booleans
``true``/``false``. Records seen twice are merged (later values win), repeated
relationships written once, and relationships whose end is missing are left
out and reported, exactly as the store writers do.

Examples
--------
>>> neo4j_type("list[str]"), neo4j_type("int | None"), neo4j_type("bool")
('string[]', 'long', 'boolean')
"""
from __future__ import annotations

import dataclasses
import os
import re
import shlex
from array import array
from pathlib import Path
from typing import Any, Callable, Iterable

from graph.bulk import StreamWriter, _Layout
from graph.exceptions import GraphError
from graph.model import RECORD_TYPES, Edge

__all__ = ["Neo4jImportWriter", "export_neo4j_import", "write_neo4j_import", "neo4j_type", "import_command",
           "ExportTarget"]

_TYPES = {"str": "string", "int": "long", "float": "double", "bool": "boolean"}
_MODEL = {cls.LABEL: cls for cls in RECORD_TYPES if cls.LABEL}
_FIELD_RE = re.compile(r'"(?:[^"]|"")*"|[^,"]*')


def neo4j_type(annotation: str) -> str:
    """The neo4j-admin header type of a model annotation (``str | None`` -> ``string``).

    Raises
    ------
    GraphError
        An annotation the importer has no type for.

    Examples
    --------
    >>> neo4j_type("float | None")
    'double'
    """
    text = str(annotation).replace(" ", "").replace("|None", "").replace("None|", "")
    if text in _TYPES:
        return _TYPES[text]
    m = re.fullmatch(r"(?:list|tuple)\[(\w+)(?:,\.\.\.)?\]", text)
    if m and m.group(1) in _TYPES:
        return _TYPES[m.group(1)] + "[]"
    raise GraphError(f"no neo4j-admin type for the annotation {annotation!r}")


def _value_type(value: Any) -> str:
    """The neo4j-admin type of a Python value (for properties outside the model)."""
    if isinstance(value, (list, tuple)):
        return (_value_type(value[0]) if value else "string") + "[]"
    return {bool: "boolean", int: "long", float: "double"}.get(type(value), "string")


def _split_fields(line: str) -> list[str]:
    """The raw fields of one CSV row written here (quotes kept, so "" and an empty field stay apart).

    >>> _split_fields('"say ""hi"" now",,1,"x,y"')
    ['"say ""hi"" now"', '', '1', '"x,y"']
    """
    fields, pos = [], 0
    while True:
        m = _FIELD_RE.match(line, pos)
        fields.append(m.group(0))  # type: ignore[union-attr]
        pos = m.end()  # type: ignore[union-attr]
        if pos >= len(line):
            return fields
        if line[pos] != ",":
            raise GraphError(f"malformed CSV row at column {pos}: {line[:80]!r}")
        pos += 1


def _quote(text: str) -> str:
    """A quoted CSV field."""
    return '"' + text.replace('"', '""') + '"'


class _Formatter:
    """Formats the values of one column type; remembers whether a value spans lines."""

    def __init__(self, array_delimiter: str) -> None:
        """Set up the instance."""
        self.delim = array_delimiter
        self.multiline = False

    def field(self, value: Any, kind: str, where: Any) -> str:
        """One CSV field for ``value`` in a column of type ``kind``.

        ``where`` names the value in an error message: a string, or a tuple of
        parts joined only when there is an error (this runs for every value).
        """
        t = type(value)
        if t is str and kind == "string":  # most values: no other test
            return '"' + value.replace('"', '""') + '"'
        if value is None or (isinstance(value, (list, tuple)) and not value):
            return ""
        if kind.endswith("[]"):
            if not isinstance(value, (list, tuple)):
                value = [value]
            base = kind[:-2]
            parts = [self.field(v, base, where) for v in value]
            if base == "string":
                parts = [p[1:-1].replace('""', '"') for p in parts]
                bad = [p for p in parts if self.delim in p]
                if bad:
                    raise GraphError(f"{_where(where)}: the array element {bad[0]!r} contains the array "
                                     f"delimiter {self.delim!r}; choose another one")
            return _quote(self.delim.join(parts))
        if kind == "string":
            return _quote(str(value))
        if kind == "boolean":
            if t is not bool:
                raise GraphError(f"{_where(where)}: expected a boolean, got {value!r}")
            return "true" if value else "false"
        if kind == "long":
            if t is bool or not isinstance(value, int):
                raise GraphError(f"{_where(where)}: expected an integer, got {value!r}")
            return str(value)
        if kind == "double":
            if t is bool or not isinstance(value, (int, float)):
                raise GraphError(f"{_where(where)}: expected a number, got {value!r}")
            return repr(float(value))
        raise GraphError(f"{_where(where)}: unknown column type {kind!r}")


def _where(where: Any) -> str:
    """The name of a value in an error: ``Label 'id'.property``."""
    if isinstance(where, tuple):
        label, node_id, name = where
        return f"{label} {node_id!r}.{name}"
    return str(where)


class _NodeFile:
    """One ``nodes_<Label>.csv``: its columns and the byte offset of every row."""

    def __init__(self, path: Path, label: str, columns: list[tuple[str, str]]) -> None:
        """Set up the instance."""
        self.path, self.label, self.columns = path, label, columns
        header = [f"id:ID({label})", ":LABEL"] + [f"{name}:{kind}" for name, kind in columns if name != "id"]
        self.fp = path.open("w", encoding="utf-8", newline="")
        self.fp.write(",".join(header) + "\n")
        self.offsets = array("Q")
        self.position = self.fp.tell()
        self.names = {name for name, _ in columns}


class Neo4jImportWriter(StreamWriter):
    """A writer (GraphWriter's interface) that writes neo4j-admin import CSV files instead of a store.

    Parameters
    ----------
    out_dir : folder of the files (created; files of an earlier export are replaced).
    database : the Neo4j database the printed command imports into.
    array_delimiter : separator of array elements (``--array-delimiter``).

    Examples
    --------
    >>> import tempfile
    >>> from graph.model import Epci
    >>> w = Neo4jImportWriter(tempfile.mkdtemp())
    >>> w.add(Epci(id="200044618", name="CA Douaisis Agglo", population=146000)); w.flush()
    >>> (w.out_dir / "nodes_Epci.csv").read_text().splitlines()
    ['id:ID(Epci),:LABEL,name:string,kind:string,population:long', '"200044618",Epci,"CA Douaisis Agglo",,146000']
    """

    def __init__(self, out_dir: str | Path, *, database: str = "neo4j", array_delimiter: str = ";") -> None:
        """Set up the instance."""
        super().__init__()
        self.out_dir = Path(out_dir)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise GraphError(f"cannot create the export folder {str(self.out_dir)!r}: {err.strerror}") from err
        if len(array_delimiter) != 1 or array_delimiter in ',"\n':
            raise GraphError(f"the array delimiter must be one character other than a comma, quote or newline, "
                             f"not {array_delimiter!r}")
        for old in list(self.out_dir.glob("nodes_*.csv")) + list(self.out_dir.glob("rels_*.csv")):
            old.unlink()
        self.database = database
        self.fmt = _Formatter(array_delimiter)
        self.files: dict[str, _NodeFile] = {}
        self.rel_files: list[Path] = []
        self.command = ""

    def close(self) -> None:
        """Close the node files left open (a load that stopped before flush)."""
        for nf in self.files.values():
            nf.fp.close()

    def __enter__(self) -> "Neo4jImportWriter":
        """Enter the context."""
        return self

    def __exit__(self, *exc: Any) -> None:
        """Leave the context."""
        self.close()

    # --- nodes -------------------------------------------------------------

    def _columns(self, label: str, props: dict[str, Any] | None) -> list[tuple[str, str]]:
        """Typed columns of a label: the model's fields, else the first row's keys."""
        cls = _MODEL.get(label)
        if cls is not None:
            return [(f.name, neo4j_type(f.type)) for f in dataclasses.fields(cls) if f.name not in cls.EDGE_FIELDS]
        return [(k, _value_type(v)) for k, v in (props or {}).items() if not k.startswith("_")]

    def _file(self, label: str, props: dict[str, Any] | None) -> _NodeFile:
        """The open file of a label (created with its header on first use)."""
        nf = self.files.get(label)
        if nf is None:
            nf = self.files[label] = _NodeFile(self.out_dir / f"nodes_{label}.csv", label,
                                               self._columns(label, props))
        return nf

    def _row(self, nf: _NodeFile, props: dict[str, Any]) -> list[str]:
        """The fields of one node row (id, label, then the typed columns)."""
        extra = [k for k in props if k not in nf.names and not k.startswith("_")]
        if extra:
            raise GraphError(f"{nf.label} {props.get('id')!r}: property {extra[0]!r} is not a column of "
                             f"{nf.path.name} (the model's fields are: {', '.join(sorted(nf.names))})")
        node_id, field, label = props["id"], self.fmt.field, nf.label
        fields = [field(node_id, "string", f"{label}.id"), label]
        fields += [field(props.get(name), kind, (label, node_id, name)) for name, kind in nf.columns if name != "id"]
        return fields

    def _write_node(self, label: str, layout: _Layout | None, source: Any, index: int) -> None:
        """Append one node row to its label's file."""
        if layout is not None:  # the record's fields, read without node_props()'s deep copy
            values = layout.strings(source) if layout.strings else ()
            props = dict(zip(layout.columns, values + (layout.others(source) if layout.others else ())))
        else:
            props = source
        nf = self._file(label, props)
        line = ",".join(self._row(nf, props)) + "\n"
        if not self.fmt.multiline and ("\r" in line or "\n" in line[:-1]):
            self.fmt.multiline = True  # a value spans lines: neo4j-admin needs --multiline-fields
        nf.offsets.append(nf.position)
        nf.fp.write(line)
        nf.position += len(line.encode())

    def _apply_duplicates(self, nf: _NodeFile) -> None:
        """Rewrite the rows of records seen more than once, later values over earlier ones."""
        dups = self.duplicates.get(nf.label)
        if not dups:
            return
        index = self.seen[nf.label]
        patches = {index[node_id]: props for node_id, props in dups.items()}
        data = nf.path.read_bytes()
        ends = list(nf.offsets[1:]) + [len(data)]
        out, last = [], 0
        for i in sorted(patches):
            start, stop = nf.offsets[i], ends[i]
            old = _split_fields(data[start:stop - 1].decode())  # each row ends with one newline
            new = self._row(nf, {"id": self.ids[nf.label][i], **patches[i]})
            merged = [n if n != "" else o for n, o in zip(new, old)]
            out += [data[last:start], (",".join(merged) + "\n").encode()]
            last = stop
        out.append(data[last:])
        nf.path.write_bytes(b"".join(out))

    # --- flush -------------------------------------------------------------

    def flush(self) -> None:
        """Close the node files, merge duplicates, write the relationship files and the command."""
        if self.flushed:
            return
        for nf in self.files.values():
            nf.fp.close()
            self._apply_duplicates(nf)
        self.resolve_deferred()
        for (rtype, src_label, dst_label), src, dst, props in self.edge_groups():
            self._write_rels(rtype, src_label, dst_label, src, dst, props)
            self.edge_counts[rtype] += len(src)
        self.flushed = True
        self.command = import_command(self.out_dir, self.database, [nf.path for nf in self.files.values()],
                                      self.rel_files, array_delimiter=self.fmt.delim,
                                      multiline=self.fmt.multiline)
        labels = sorted(self.files)
        (self.out_dir / "constraints.cypher").write_text("".join(
            f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE;\n"
            for label in labels), encoding="utf-8")
        script = self.out_dir / "neo4j-admin-import.sh"
        script.write_text("#!/bin/sh\n# Stop the database first; then create the id constraints:\n"
                          f"#   cypher-shell -d {self.database} -f {shlex.quote(str(self.out_dir.resolve()))}"
                          "/constraints.cypher\n" + self.command + "\n", encoding="utf-8")
        script.chmod(0o755)

    def _write_rels(self, rtype: str, src_label: str, dst_label: str, src: array, dst: array,
                    props: dict[int, dict]) -> None:
        """Write one relationship file."""
        columns = sorted({k: _value_type(v) for p in props.values() for k, v in p.items()}.items())
        path = self.out_dir / f"rels_{rtype}_{src_label}_{dst_label}.csv"
        src_ids, dst_ids = self.ids[src_label], self.ids[dst_label]
        field = self.fmt.field
        with path.open("w", encoding="utf-8", newline="") as fp:
            header = [f":START_ID({src_label})", f":END_ID({dst_label})", ":TYPE"]
            fp.write(",".join(header + [f"{k}:{t}" for k, t in columns]) + "\n")
            lines = []
            for i in range(len(src)):
                row = [_quote(src_ids[src[i]]), _quote(dst_ids[dst[i]]), rtype]
                if columns:
                    p = props.get(i, {})
                    row += [field(p.get(k), t, f"{rtype}.{k}") for k, t in columns]
                lines.append(",".join(row))
                if len(lines) >= 50_000:
                    fp.write("\n".join(lines) + "\n")
                    lines.clear()
            if lines:
                fp.write("\n".join(lines) + "\n")
        self.rel_files.append(path)


def import_command(out_dir: str | Path, database: str, node_files: Iterable[Path], rel_files: Iterable[Path], *,
                   array_delimiter: str = ";", multiline: bool = False) -> str:
    """The ``neo4j-admin database import full`` command for the files of an export.

    Examples
    --------
    >>> print(import_command("/x", "neo4j", [Path("/x/nodes_Epci.csv")], []))
    neo4j-admin database import full neo4j \\
      --id-type=string --array-delimiter=';' \\
      --nodes=/x/nodes_Epci.csv
    """
    options = [f"--id-type=string --array-delimiter={shlex.quote(array_delimiter)}"]
    if multiline:
        options[0] += " --multiline-fields=true"
    lines = [f"neo4j-admin database import full {shlex.quote(database)}", *options]
    lines += [f"--nodes={shlex.quote(str(Path(p).resolve()))}" for p in sorted(node_files)]
    lines += [f"--relationships={shlex.quote(str(Path(p).resolve()))}" for p in sorted(rel_files)]
    return " \\\n  ".join(lines)


class ExportTarget:
    """A stand-in store for ``load_territory``: the load "commits" into the export files."""

    backend = "neo4j-import"

    def __init__(self, writer: Neo4jImportWriter) -> None:
        """Set up the instance."""
        self.writer = writer

    def begin_load(self) -> "ExportTarget":
        """The export itself is the staging area."""
        return self

    def commit_load(self) -> None:
        """Nothing to swap: the files are written."""

    def abort_load(self) -> None:
        """Remove the files of a failed export."""
        self.writer.close()
        for path in list(self.writer.out_dir.glob("nodes_*.csv")) + list(self.writer.out_dir.glob("rels_*.csv")):
            path.unlink()


def _from_store(store: Any, writer: Neo4jImportWriter, page: int = 50_000) -> None:
    """Feed every node and relationship of a loaded store to the writer."""
    counts = store.counts()
    falkor = getattr(store, "backend", "") == "falkordb"
    top = int(store.run("MATCH (n) RETURN max(id(n))").scalar() or 0) + 1 if falkor else 0
    for label in sorted(counts["nodes"]):
        if falkor:
            for lo in range(0, top, page):
                for (node,) in store.run(f"MATCH (n:`{label}`) WHERE id(n) >= $lo AND id(n) < $hi RETURN n",
                                         {"lo": lo, "hi": lo + page}, timeout_ms=0).rows:
                    writer.add_node(label, {k: v for k, v in node.items() if k != "_labels"})
        else:
            for (node,) in store.run(f"MATCH (n:`{label}`) RETURN n", timeout_ms=0).rows:
                writer.add_node(label, {k: v for k, v in node.items() if k != "_labels"})
    query = "MATCH (a)-[r:`{t}`]->(b) {where} RETURN labels(a)[0], a.id, labels(b)[0], b.id, r"
    for rtype in sorted(counts["relationships"]):
        ranges = [(lo, lo + page) for lo in range(0, top, page)] if falkor else [None]
        for rng in ranges:
            where = "WHERE id(a) >= $lo AND id(a) < $hi" if rng else ""
            params = {"lo": rng[0], "hi": rng[1]} if rng else {}
            for sl, s, dl, d, rel in store.run(query.format(t=rtype, where=where), params, timeout_ms=0).rows:
                props = {k: v for k, v in rel.items() if k != "_type" and not k.startswith("_")}
                writer.add_edge(Edge(rtype, sl, s, dl, d, props))


def export_neo4j_import(source: Any, out_dir: str | Path, *, database: str = "neo4j", array_delimiter: str = ";",
                        progress: Callable[[str], None] | None = None) -> str:
    """Write the neo4j-admin import files of a territory (from its sources) or of a loaded store.

    Parameters
    ----------
    source : a territory file path, a :class:`loaders.territory.TerritoryFile`, or a store
        (anything with ``run`` and ``counts``). From a territory the sources are read
        and streamed as by ``maillage load`` (rejected rows are left out the same way).
    out_dir : the folder to write into.
    database : the database named in the command.
    array_delimiter : separator of array elements.
    progress : optional callback receiving one line per step (territory source).

    Returns
    -------
    str
        The ``neo4j-admin database import full`` command (also in ``neo4j-admin-import.sh``).

    Raises
    ------
    GraphError
        The folder cannot be written, or a value does not fit its column type.
    LoaderError
        A territory source is missing or unreadable.

    Examples
    --------
    >>> import tempfile
    >>> from loaders.territory import demo_territory_path
    >>> cmd = export_neo4j_import(demo_territory_path(), tempfile.mkdtemp())  # doctest: +SKIP
    >>> cmd.startswith("neo4j-admin database import full neo4j")  # doctest: +SKIP
    True
    """
    return _export(source, out_dir, database=database, array_delimiter=array_delimiter, progress=progress).command


def _export(source: Any, out_dir: str | Path, **options: Any) -> Neo4jImportWriter:
    """Run an export; return the writer (files, counts, unresolved relationships, command)."""
    progress = options.pop("progress", None)
    writer = Neo4jImportWriter(out_dir, **options)
    if hasattr(source, "run") and hasattr(source, "counts"):
        try:
            _from_store(source, writer)
            writer.flush()
        finally:
            writer.close()
    else:
        from loaders.territory import TerritoryFile, load_territory, read_territory_file

        tf = source if isinstance(source, TerritoryFile) else read_territory_file(Path(os.fspath(source)))
        writer.report = load_territory(tf, ExportTarget(writer), progress=progress,  # type: ignore[attr-defined]
                                       writer=lambda staging: writer)
    return writer


def write_neo4j_import(store: Any, output: Path | None, engine: str = "") -> dict[str, Any]:
    """``maillage export --format neo4j-import -o DIR``: the files of a loaded store and the command.

    The signature of ``loaders.cli_rdf.register_exporter`` (``engine`` is not used).

    Raises
    ------
    GraphError
        No folder given (``-o -``), or the files cannot be written.
    """
    if output is None:
        raise GraphError("neo4j-import writes several files: give a folder with -o DIR, not -o -")
    writer = _export(store, output)
    return {"format": "neo4j-import", "output": str(output), "nodes": sum(writer.node_counts.values()),
            "relationships": sum(writer.edge_counts.values()),
            "files": len(writer.files) + len(writer.rel_files), "warnings": writer.unresolved_summary(),
            "command": writer.command}
