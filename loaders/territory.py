"""A territory file and its load: every source of a CPTS into one graph, atomically.

A territory file (YAML) names the CPTS, its communes (INSEE codes, EPCI SIREN
codes or whole départements) and its source files, with paths relative to the
territory file. ``load_territory`` reads every source in order (nomenclatures,
EPCI, communes, FINESS, Annuaire Santé, pathways, roster, partnerships), writes
the records into a **staging** graph and swaps it in only when all went well:
a failed load leaves the previous graph as it was, and loading twice gives the
same graph.

Example (``loaders/demo/territory.yaml``)::

    id: cpts-grand-douai
    name: CPTS du Grand Douai
    finess: "590063194"
    epci: ["200044618"]
    margin_km: 15
    referents: {ic: "PS:819900000011"}
    sources:
      nomenclatures: nomenclatures
      communes: communes_59_62.csv
      epci: epci_59_62.csv
      finess: [{path: finess_douaisis_flat.csv, format: flat}]
      rpps: [{path: PS_LibreAcces_Personne_activite_synthetique.txt, synthetic: true}]
      pathways: shipped
      roster: roster.csv
      partnerships: partnerships.csv
"""
from __future__ import annotations

import hashlib
import linecache
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import yaml

from graph.model import (LegalEntity, Membership, Participation, Intervention, Partnership, Pathway,
                         Record, Source, Structure, Territory)
from graph.store import GraphStore
from graph.writer import GraphWriter
from loaders.communes import CommuneIndex, epci_members, read_communes, read_epci
from loaders.errors import FileFormatError, LoadReport, RowError
from loaders.nomenclatures import Nomenclatures, read_nomenclature_folder

__all__ = ["TerritoryFile", "read_territory_file", "demo_territory_path", "load_territory", "SourceSpec",
           "WRITERS", "make_writer"]

DEMO_DIR = Path(__file__).parent / "demo"
_KNOWN_KEYS = {"id", "name", "finess", "communes", "epci", "departements", "margin_km", "scope", "referents",
               "sources", "contact_email", "description"}
_SOURCE_KEYS = {"nomenclatures", "communes", "epci", "finess", "rpps", "pathways", "roster", "partnerships"}


def demo_territory_path() -> Path:
    """The shipped demo territory file (CPTS du Grand Douai)."""
    return DEMO_DIR / "territory.yaml"


@dataclass
class SourceSpec:
    """One source file of a territory: path (absolute), format, synthetic flag."""

    path: Path
    format: str | None = None
    synthetic: bool = False


@dataclass
class TerritoryFile:
    """A parsed territory file."""

    path: Path
    id: str
    name: str
    finess: str | None = None
    communes: list[str] = field(default_factory=list)
    epci: list[str] = field(default_factory=list)
    departements: list[str] = field(default_factory=list)
    margin_km: float = 0.0
    scope: str = "territory"  # "territory" (territory + margin) or "all" (every row of every file)
    referents: dict[str, str] = field(default_factory=dict)
    contact_email: str | None = None
    nomenclatures: Path | None = None
    communes_file: Path | None = None
    epci_file: Path | None = None
    finess_files: list[SourceSpec] = field(default_factory=list)
    rpps_files: list[SourceSpec] = field(default_factory=list)
    pathways: list[Path] | None = None  # None = the shipped pathways
    roster: Path | None = None
    partnerships: Path | None = None


def _fail(path: Path, reason: str, key: str | None = None) -> FileFormatError:
    """A territory-file error naming the key."""
    return FileFormatError(reason, file=str(path), column=key)


def _specs(path: Path, base: Path, value: Any, key: str) -> list[SourceSpec]:
    """Parse a list of source entries (a path string or {path, format, synthetic})."""
    if value is None:
        return []
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise _fail(path, "expected a file path or a list of them", f"sources.{key}")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, dict) or "path" not in item:
            raise _fail(path, "expected a path or {path: ..., format: ..., synthetic: ...}", f"sources.{key}[{i}]")
        unknown = set(item) - {"path", "format", "synthetic"}
        if unknown:
            raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))}", f"sources.{key}[{i}]")
        out.append(SourceSpec(path=(base / str(item["path"])).resolve(), format=item.get("format"),
                              synthetic=bool(item.get("synthetic", False))))
    return out


def _codes(path: Path, value: Any, key: str) -> list[str]:
    """A list of codes given as a YAML list or one string."""
    if value is None:
        return []
    if isinstance(value, (str, int)):
        value = [value]
    if not isinstance(value, list):
        raise _fail(path, "expected a list of codes", key)
    return [str(v).strip() for v in value]


def read_territory_file(path: str | Path) -> TerritoryFile:
    """Parse and check a territory file (paths resolved relative to it).

    Raises
    ------
    FileFormatError
        Missing file, YAML that does not parse (with its line), unknown or missing keys.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise FileFormatError("territory file not found", file=str(path))
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise FileFormatError(f"not valid YAML: {err.problem}", file=str(path), line=line) from err
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise FileFormatError(f"not a readable YAML file: {err}", file=str(path)) from err
    if not isinstance(doc, dict):
        raise FileFormatError("expected a mapping with id, name, communes/epci and sources", file=str(path))
    unknown = set(doc) - _KNOWN_KEYS
    if unknown:
        raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    for key in ("id", "name", "sources"):
        if key not in doc:
            raise _fail(path, f"missing key {key!r}")
    sources = doc["sources"]
    if not isinstance(sources, dict):
        raise _fail(path, "expected a mapping of source kinds to files", "sources")
    unknown = set(sources) - _SOURCE_KEYS
    if unknown:
        raise _fail(path, f"unknown source kind(s) {', '.join(sorted(unknown))} "
                          f"(known: {', '.join(sorted(_SOURCE_KEYS))})", "sources")
    base = path.parent
    communes_value = doc.get("communes")
    tf = TerritoryFile(
        path=path, id=str(doc["id"]), name=str(doc["name"]),
        finess=str(doc["finess"]) if doc.get("finess") else None,
        communes=[] if communes_value == "all" else _codes(path, communes_value, "communes"),
        epci=_codes(path, doc.get("epci"), "epci"),
        departements=_codes(path, doc.get("departements"), "departements"),
        margin_km=float(doc.get("margin_km") or 0),
        scope="all" if communes_value == "all" or doc.get("scope") == "all" else "territory",
        referents={str(k): str(v) for k, v in (doc.get("referents") or {}).items()},
        contact_email=doc.get("contact_email"),
    )

    def one(key: str) -> Path | None:
        value = sources.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise _fail(path, "expected one file path", f"sources.{key}")
        return (base / value).resolve()

    tf.nomenclatures = one("nomenclatures")
    tf.communes_file = one("communes")
    tf.epci_file = one("epci")
    tf.roster = one("roster")
    tf.partnerships = one("partnerships")
    tf.finess_files = _specs(path, base, sources.get("finess"), "finess")
    tf.rpps_files = _specs(path, base, sources.get("rpps"), "rpps")
    pw = sources.get("pathways", "shipped")
    tf.pathways = None if pw in (None, "shipped") else [s.path for s in _specs(path, base, pw, "pathways")]
    if tf.communes_file is None:
        raise _fail(path, "a territory needs a communes file (sources.communes)", "sources.communes")
    if tf.epci and tf.epci_file is None:
        raise _fail(path, "the territory names EPCI codes but no EPCI file (sources.epci)", "epci")
    if tf.scope != "all" and not (tf.communes or tf.epci or tf.departements):
        raise _fail(path, "name the territory's communes, epci or departements (or communes: all)")
    return tf


def _sha256(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with path.open("rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Load:
    """The state of one territory load (kept out of the public function for readability)."""

    def __init__(self, tf: TerritoryFile, writer: GraphWriter, report: LoadReport,
                 progress: Callable[[str], None] | None) -> None:
        self.tf, self.writer, self.report, self.progress = tf, writer, report, progress
        self.loaded_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        self.sources: list[Source] = []

    def say(self, text: str) -> None:
        """Report progress."""
        if self.progress:
            self.progress(text)

    def source(self, kind: str, path: Path, before: int, synthetic: bool = False) -> None:
        """Record a source file's provenance."""
        rows = sum(self.report.loaded.values()) - before
        src = Source(id=f"{kind}:{path.name}", kind=kind, file=path.name, sha256=_sha256(path) if path.is_file()
                     else "", rows=rows, loaded_at=self.loaded_at, synthetic=synthetic)
        self.sources.append(src)
        self.report.sources.append({"kind": kind, "file": str(path), "rows": rows, "synthetic": synthetic})

    def write(self, records: Iterable[Record]) -> None:
        """Send records to the writer."""
        self.writer.add_all(records)


WRITERS = ("auto", "bulk", "unwind")


def make_writer(kind: str | Callable[[GraphStore], Any], staging: GraphStore, batch_size: int = 1000) -> Any:
    """The writer of a load: ``bulk`` (FalkorDB GRAPH.BULK), ``unwind`` (batched MERGE), ``auto`` or a factory.

    ``auto`` is the bulk path on the embedded FalkorDB store and UNWIND batches on Neo4j.

    >>> make_writer("sideways", None)
    Traceback (most recent call last):
    ...
    ValueError: unknown writer 'sideways': choose auto, bulk or unwind
    """
    if callable(kind):
        return kind(staging)
    if kind not in WRITERS:
        raise ValueError(f"unknown writer {kind!r}: choose {', '.join(WRITERS[:-1])} or {WRITERS[-1]}")
    if kind == "auto":
        kind = "bulk" if getattr(staging, "backend", None) == "falkordb" else "unwind"
    if kind == "bulk":
        from graph.bulk import BulkWriter

        return BulkWriter(staging, batch_size=batch_size)
    return GraphWriter(staging, batch_size=batch_size)


def load_territory(tf: TerritoryFile, store: GraphStore, *, batch_size: int = 1000,
                   progress: Callable[[str], None] | None = None,
                   writer: str | Callable[[GraphStore], Any] = "auto") -> LoadReport:
    """Load every source of a territory into ``store``, atomically.

    Parameters
    ----------
    tf : the parsed territory file.
    store : the live store; the load goes to ``store.begin_load()`` and is swapped in at the end.
    batch_size : rows per UNWIND query.
    progress : optional callback receiving one line per step.
    writer : ``auto`` (bulk on FalkorDB, UNWIND on Neo4j), ``bulk``, ``unwind``, or a factory
        ``writer(staging_store)`` returning an object with GraphWriter's interface.

    Returns
    -------
    LoadReport
        Counts, rejected rows (with file, line, column, value, reason), warnings.

    Raises
    ------
    FileFormatError
        A source file is missing or unreadable; nothing is changed in the live graph.
    """
    from loaders.cpts import read_partnerships, read_pathway, read_roster, shipped_pathways
    from loaders.finess import read_finess
    from loaders.rpps import read_personne_activite

    t0 = time.perf_counter()
    report = LoadReport()
    staging = store.begin_load()
    try:
        writer = make_writer(writer, staging, batch_size)
        writer.prepare()
        run = _Load(tf, writer, report, progress)

        # 1. nomenclatures
        noms = Nomenclatures()
        if tf.nomenclatures is not None:
            run.say("nomenclatures")
            before = sum(report.loaded.values())
            for concept in read_nomenclature_folder(tf.nomenclatures, report):
                noms.add(concept)
                writer.add(concept)
            run.source("nomenclature", tf.nomenclatures, before)

        # 2. EPCI and communes: the index knows every commune of the file, the graph gets those in scope
        run.say("communes")
        before = sum(report.loaded.values())
        epci_records, epci_of = ([], {})
        if tf.epci_file is not None:
            epci_records, epci_of = read_epci(tf.epci_file, report)
        index = CommuneIndex(read_communes(tf.communes_file, report, epci_of=epci_of))
        territory_communes = set(tf.communes)
        if tf.epci:
            territory_communes |= epci_members(tf.epci_file, tf.epci)
        if tf.departements:
            territory_communes |= {c.id for c in index.by_code.values() if c.department in tf.departements}
        unknown = sorted(c for c in territory_communes if c not in index)
        if unknown and tf.communes:
            bad = [c for c in tf.communes if c not in index]
            if bad:
                raise FileFormatError(f"commune code(s) {', '.join(bad[:10])} not in the communes file "
                                      f"{tf.communes_file.name}", file=str(tf.path), column="communes")
        if tf.scope == "all":
            scope = set(index.by_code)
        else:
            scope = set(territory_communes)
            if tf.margin_km > 0:
                for code in territory_communes:
                    scope.update(index.within(code, tf.margin_km))
        scope_deps = {index.by_code[c].department for c in scope if c in index}
        used_epci = {epci_of.get(c) for c in scope}
        writer.add_all(e for e in epci_records if e.id in used_epci)
        writer.add_all(c for c in index.by_code.values() if c.id in scope)
        run.source("communes", tf.communes_file, before)
        if tf.epci_file is not None:
            run.source("epci", tf.epci_file, sum(report.loaded.values()))

        # 3. FINESS structures in scope (an unresolved commune is kept when its FINESS département is)
        def structure_in_scope(s: Structure) -> bool:
            if s.commune:
                return s.commune in scope
            dep = s.id[:3] if s.id[:2] in ("97", "98") else s.id[:2]  # FINESS numbers start with the département
            return tf.scope == "all" or dep in scope_deps

        for spec in tf.finess_files:
            run.say(f"FINESS {spec.path.name}")
            before = sum(report.loaded.values())
            entities: dict[str, LegalEntity] = {}
            used: set[str] = set()
            skipped = 0
            for rec in read_finess(spec.path, report, format=spec.format, communes=index, synthetic=spec.synthetic):
                if isinstance(rec, LegalEntity):
                    entities[rec.id] = rec
                elif isinstance(rec, Structure):
                    if structure_in_scope(rec):
                        writer.add(rec)
                        if rec.legal_entity:
                            used.add(rec.legal_entity)
                    else:
                        skipped += 1
            writer.add_all(e for k, e in entities.items() if k in used)
            if skipped:
                report.count("FINESS structures outside the territory (skipped)", skipped)
            run.source("finess", spec.path, before, spec.synthetic)

        # 4. Annuaire Santé
        for spec in tf.rpps_files:
            run.say(f"Annuaire Santé {spec.path.name}")
            before = sum(report.loaded.values())
            keep = None if tf.scope == "all" else (lambda code: code is not None and code in scope)
            writer.add_all(read_personne_activite(spec.path, report, communes=index, nomenclatures=noms,
                                                  keep=keep, synthetic=spec.synthetic))
            run.source("rpps", spec.path, before, spec.synthetic)

        # 5. pathways
        run.say("parcours")
        pathway_files = tf.pathways if tf.pathways is not None else shipped_pathways()
        stages: dict[str, list[str]] = {}
        pathway_records: list[Record] = []
        for pfile in pathway_files:
            before = sum(report.loaded.values())
            for rec in read_pathway(pfile, report):
                pathway_records.append(rec)
                if rec.LABEL == "Stage":
                    stages.setdefault(rec.pathway, []).append(rec.id)  # type: ignore[attr-defined]
            run.source("pathway", Path(pfile), before)
        for rec in pathway_records:
            if isinstance(rec, Pathway) and rec.id in tf.referents:
                label, actor = _party(tf.referents[rec.id])
                if not writer.has(label, actor):
                    raise FileFormatError(f"référent {tf.referents[rec.id]!r} of pathway {rec.id!r} is not in the "
                                          "loaded sources", file=str(tf.path), column=f"referents.{rec.id}")
                rec.referent, rec.referent_label = actor, label
            writer.add(rec)
        unknown_ref = set(tf.referents) - set(stages)
        if unknown_ref:
            raise FileFormatError(f"referents name unknown pathway(s) {', '.join(sorted(unknown_ref))}",
                                  file=str(tf.path), column="referents")

        # 6. the territory itself
        writer.add(Territory(id=tf.id, name=tf.name, finess=tf.finess if tf.finess and writer.has(
            "Structure", tf.finess) else None, communes=sorted(c for c in territory_communes if c in index),
            epcis=tf.epci, contact_email=tf.contact_email, source=tf.path.name))

        # 7. roster and partnerships: every actor they name must be loaded
        known_stages = {s for ids in stages.values() for s in ids}
        if tf.roster is not None:
            run.say("adhérents")
            before = sum(report.loaded.values())
            _add_checked(writer, report, read_roster(tf.roster, report, territory_id=tf.id, known_stages=known_stages,
                                                     pathway_stages=stages), tf.roster)
            run.source("roster", tf.roster, before)
        if tf.partnerships is not None:
            run.say("partenariats")
            before = sum(report.loaded.values())
            _add_checked(writer, report, read_partnerships(tf.partnerships, report, known_pathways=set(stages)),
                         tf.partnerships, territory_id=tf.id)
            run.source("partnerships", tf.partnerships, before)

        writer.add_all(run.sources)
        run.say("écriture")
        writer.flush()
        report.warnings.extend(writer.unresolved_summary())
        report.nodes = dict(writer.node_counts)
        report.relationships = dict(writer.edge_counts)
        staging.commit_load()
    except BaseException:
        staging.abort_load()
        raise
    report.seconds = time.perf_counter() - t0
    return report


def _party(value: str) -> tuple[str, str]:
    """Parse ``PS:<id>``, ``ES:<FINESS>`` or ``CPTS:<id>`` into (label, id)."""
    from loaders.cpts import professional_id

    kind, _, ident = value.partition(":")
    if kind == "PS":
        return "Professional", professional_id(ident)
    if kind == "ES":
        return "Structure", ident
    if kind == "CPTS":
        return "Territory", ident
    raise FileFormatError(f"expected PS:<id>, ES:<FINESS> or CPTS:<id>, got {value!r}")


def _raw_line(path: Path, line: int | None) -> str:
    """The raw text of one line of a small file (for the rejects report)."""
    if not line:
        return ""
    return linecache.getline(str(path), line).rstrip("\r\n")


def _add_checked(writer: GraphWriter, report: LoadReport, records: Iterator[Record], path: Path,
                 territory_id: str | None = None) -> None:
    """Write roster/partnership records whose actors exist; reject the others with their line."""
    rejected_actors: set[tuple[str, str]] = set()
    for rec in records:
        if isinstance(rec, Membership):
            if not writer.has(rec.actor_label, rec.actor):
                rejected_actors.add((rec.actor_label, rec.actor))
                what = "professional" if rec.actor_label == "Professional" else "structure"
                report.reject(RowError(f"{what} {rec.actor} is not in the loaded Annuaire Santé / FINESS sources "
                                       "of this territory", file=str(path), line=rec.source_line,
                                       column="identifiant", value=rec.actor), _raw_line(path, rec.source_line))
                continue
        elif isinstance(rec, (Participation, Intervention)):
            if (rec.actor_label, rec.actor) in rejected_actors:
                continue
        elif isinstance(rec, Partnership):
            missing = [f"{label}:{actor}" for label, actor in rec.parties if not writer.has(label, actor)
                       and not (label == "Territory" and actor == territory_id)]
            if missing:
                report.reject(RowError(f"part(ies) {', '.join(missing)} not in the loaded sources of this territory",
                                       file=str(path), line=rec.source_line, column="parties",
                                       value=", ".join(missing)), _raw_line(path, rec.source_line))
                continue
        writer.add(rec)
