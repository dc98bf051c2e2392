"""The national benchmark: parse floor, load, RDF, matching, isolated actors, Neo4j — side by side per scale.

Usage::

    python bench/run.py                          # every bench-<scale>/ folder here (else generates departement)
    python bench/run.py --scale departement --scale region --json bench-results.json
    python bench/run.py --scale france           # generates bench-france/ first if it is missing
    python bench/run.py /data/bench-fr           # a folder holding a territory.yaml
    MAILLAGE_NEO4J_URI=bolt://... python bench/run.py --scale region   # adds the Neo4j load

For each scale (or folder) a child process measures, on a fresh embedded
FalkorDB in a temporary folder:

- **parse floor**: the time merely to read the same files, with the ``csv``
  module (rows as Python lists, what any Python loader must at least do) and,
  when installed, ``pyarrow`` (columnar, multi-threaded, no Python objects);
  the faster of the two is the floor;
- **load**: ``load_territory`` end to end (parsing, validation, the store's bulk
  path, indexes, atomic swap and RDB snapshot), its steps, its ratio to the
  floor, CPU seconds of Python and of the server;
- **peak memory**: the highest resident size of the Python process and of the
  FalkorDB server during the load and after it (``VmHWM``, reset per phase);
- **RDF**: the projection of the store into pyoxigraph (and rdflib up to
  ``--rdflib-max-nodes``);
- **matching**: p50/p95 and matches per second on random (pathway, stage,
  commune) requests (``bench.match``);
- **isolated actors**: the actors and their links read from the store into a
  union-find (``graph.analysis.links``), then the isolated actors and those
  outside the main component; with ``MAILLAGE_BENCH_NX_PROJECTION=1`` also the
  full NetworkX projection and ``graph.analysis.isolation`` (minutes at France scale);
- **Neo4j** (when ``MAILLAGE_NEO4J_URI`` is set): the same load through the
  UNWIND writer; ``--neo4j-import`` also times the neo4j-admin CSV export.

A missing file or an unreachable Neo4j is named in the table and the rest is
measured. Exit codes: 0 done, 2 bad arguments.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a fresh clone: python bench/run.py
    sys.path.insert(0, str(REPO))

__all__ = ["SCALES", "TARGETS", "measure", "parse_floor", "render_table", "main"]

SCALES = ("territory", "departement", "region", "france")
TARGETS = {"load_over_floor": 3.0, "match_p95_ms": 50.0, "isolation_s": 10.0, "peak_gb": 8.0}
_FINESS_ENCODING = "iso-8859-1"


# --- measuring helpers ------------------------------------------------------------------------------


def _status_kb(pid: int | str, key: str) -> int:
    """A ``/proc/<pid>/status`` value in kB (0 when unreadable)."""
    try:
        m = re.search(rf"^{key}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
        return int(m.group(1)) if m else 0
    except OSError:
        return 0


def _reset_peak(pid: int | str) -> None:
    """Reset a process's peak resident size (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def _cpu_s(pid: int | str) -> float:
    """User + system CPU seconds of a process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class Phase:
    """Wall time, CPU time and peak memory of the worker and the server over one phase."""

    def __init__(self, server_pid: int | None = None) -> None:
        """Set up the instance."""
        self.server_pid = server_pid

    def __enter__(self) -> "Phase":
        """Enter the context."""
        _reset_peak("self")
        if self.server_pid:
            _reset_peak(self.server_pid)
        self.cpu0 = time.process_time()
        self.server_cpu0 = _cpu_s(self.server_pid) if self.server_pid else 0.0
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        """Leave the context."""
        self.seconds = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.cpu0
        self.server_cpu = (_cpu_s(self.server_pid) - self.server_cpu0) if self.server_pid else 0.0
        self.peak_mb = _status_kb("self", "VmHWM") / 1024
        self.server_peak_mb = _status_kb(self.server_pid, "VmHWM") / 1024 if self.server_pid else 0.0

    def figures(self, prefix: str) -> dict[str, float]:
        """The phase's figures under ``prefix_``."""
        return {f"{prefix}_s": round(self.seconds, 2), f"{prefix}_cpu_s": round(self.cpu, 2),
                f"{prefix}_server_cpu_s": round(self.server_cpu, 2),
                f"{prefix}_peak_mb": round(self.peak_mb), f"{prefix}_server_peak_mb": round(self.server_peak_mb)}


def _sources(tf: Any) -> list[tuple[str, Path, str, str, int]]:
    """The tabular source files of a territory: (kind, path, delimiter, encoding, lines to skip)."""
    out = [("communes", tf.communes_file, ",", "utf-8-sig", 0)]
    if tf.epci_file:
        out.append(("epci", tf.epci_file, ",", "utf-8-sig", 0))
    for spec in tf.finess_files:
        raw = (spec.format or "raw") == "raw"
        out.append(("finess", spec.path, ";" if raw else ",", _FINESS_ENCODING if raw else "utf-8", 1 if raw else 0))
    for spec in tf.rpps_files:
        out.append(("rpps", spec.path, "|", "utf-8-sig", 0))
    for kind, path in (("roster", tf.roster), ("partnerships", tf.partnerships)):
        if path is not None:
            out.append((kind, path, ";", "utf-8-sig", 0))
    return [s for s in out if s[1] is not None]


def parse_floor(files: list[tuple[str, Path, str, str, int]]) -> dict[str, Any]:
    """Time the plainest full read of each file with the csv module and with pyarrow (when installed).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "a.csv"; _ = p.write_text("x|y|\\n1|2|\\n")
    >>> f = parse_floor([("rpps", p, "|", "utf-8", 0)])
    >>> f["rows"], f["floor_reader"] in ("csv", "pyarrow")
    (2, True)
    """
    csv_s, rows, arrow_s, arrow_ok = 0.0, 0, 0.0, True
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:
        pa = pacsv = None  # type: ignore[assignment]
    for kind, path, delim, enc, skip in files:
        t0 = time.perf_counter()
        with open(path, encoding=enc, newline="") as fp:
            for _ in range(skip):
                fp.readline()
            for _row in csv.reader(fp, delimiter=delim):
                rows += 1
        csv_s += time.perf_counter() - t0
        if pacsv is None:
            continue
        t0 = time.perf_counter()
        try:
            # every column as a string (no type inference: what a loader reads), quoting as in the format
            ro = pacsv.ReadOptions(skip_rows=skip, autogenerate_column_names=True, block_size=1 << 24,
                                   encoding="latin1" if enc == _FINESS_ENCODING else "utf8")
            po = pacsv.ParseOptions(delimiter=delim, quote_char=False if kind == "rpps" else '"',
                                    invalid_row_handler=(lambda row: "skip") if kind == "finess" else None)
            with open(path, encoding=enc, newline="") as fp:
                first = [fp.readline() for _ in range(skip + 1)][-1]
            width = len(next(csv.reader([first], delimiter=delim)))
            co = pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(width)})
            pacsv.read_csv(path, read_options=ro, parse_options=po, convert_options=co)
        except Exception:  # a layout pyarrow cannot read as one table: the csv time stands for this file
            arrow_ok = False
            arrow_s += csv_s
            continue
        arrow_s += time.perf_counter() - t0
    out = {"rows": rows, "csv_s": round(csv_s, 3)}
    if pacsv is not None:
        out["pyarrow_s"] = round(arrow_s, 3)
        out["pyarrow_all_files"] = arrow_ok
    best = min((v, k) for k, v in (("csv", csv_s), ("pyarrow", arrow_s if pacsv else float("inf"))))
    out["floor_s"], out["floor_reader"] = round(best[0], 3), best[1]
    return out


# --- the phases ----------------------------------------------------------------------------------------


def _present(tf: Any) -> tuple[Any, list[str]]:
    """The territory without its missing source files (named), so the rest can still be measured."""
    missing = []

    def ok(path: Path | None) -> bool:
        """True when the source file is there (else it is named as missing)."""
        if path is not None and not Path(path).is_file() and not Path(path).is_dir():
            missing.append(str(path))
            return False
        return True

    tf = replace(tf, finess_files=[s for s in tf.finess_files if ok(s.path)],
                 rpps_files=[s for s in tf.rpps_files if ok(s.path)],
                 roster=tf.roster if ok(tf.roster) else None,
                 partnerships=tf.partnerships if ok(tf.partnerships) else None,
                 epci_file=tf.epci_file if ok(tf.epci_file) else None,
                 nomenclatures=tf.nomenclatures if ok(tf.nomenclatures) else None)
    if tf.epci_file is None:
        tf = replace(tf, epci=[])
    return tf, missing


def _load(tf: Any, store: Any, writer_kind: str, out: dict[str, Any]) -> None:
    """Load the territory; record the time of each step and the writer's own timings."""
    from loaders.territory import load_territory, make_writer

    steps: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    writers: list[Any] = []

    def factory(staging: Any) -> Any:
        """Make the writer and keep it, to read its timings afterwards."""
        w = make_writer(writer_kind, staging)
        writers.append(w)
        return w

    report = load_territory(tf, store, writer=factory,
                            progress=lambda step: steps.append((step, time.perf_counter() - t0)))
    end = time.perf_counter() - t0
    marks = steps + [("(end)", end)]
    out["load_steps_s"] = {name: round(marks[i + 1][1] - at, 2) for i, (name, at) in enumerate(steps)}
    out["writer"] = type(writers[0]).__name__ if writers else writer_kind
    timings = getattr(writers[0], "timings", {}) if writers else {}
    out["writer_timings_s"] = {k: round(v, 2) for k, v in timings.items()}
    out["nodes"], out["relationships"] = sum(report.nodes.values()), sum(report.relationships.values())
    out["nodes_by_label"] = dict(sorted(report.nodes.items()))
    out["rejected"], out["warnings"] = len(report.rejected), report.warnings[:10]


def _territory(folder: Path) -> tuple[Any, list[str]]:
    """The territory of a benchmark folder, without its missing files (named)."""
    from loaders.territory import read_territory_file

    return _present(read_territory_file(folder / "territory.yaml"))


def phase_load(folder: Path, store: Any, server_pid: int | None, opts: argparse.Namespace) -> dict[str, Any]:
    """The full load into the (empty) embedded store, with its steps, CPU time and peak memory."""
    tf, _ = _territory(folder)
    out: dict[str, Any] = {}
    with Phase(server_pid) as ph:
        _load(tf, store, opts.writer, out)
    out.update(ph.figures("load"))
    return out


def phase_match(folder: Path, store: Any, server_pid: int | None, opts: argparse.Namespace) -> dict[str, Any]:
    """Random (pathway, stage, commune) matches through bench.match."""
    from bench.match import run

    with Phase(server_pid) as ph:
        res = run(store, n=opts.matches)
    return {"match_p50_ms": res["p50_ms"], "match_p95_ms": res["p95_ms"], "match_per_s": res["matches_per_s"],
            "match_first_ms": res["first_match_ms"], "matches": res["matches"], **ph.figures("match")}


def phase_isolation(folder: Path, store: Any, server_pid: int | None, opts: argparse.Namespace) -> dict[str, Any]:
    """Read the actors and links from the store (``graph.analysis.links``: the queries and the union-find go
    together, page by page), then list the isolated actors and those outside the main component.

    With ``--nx-projection`` (or ``MAILLAGE_BENCH_NX_PROJECTION=1``) the NetworkX path is timed too, apart
    (``nx_isolation_*``: ``fetch_rows`` + ``build_network``, then ``graph.analysis.isolation``), and its
    answers compared (``nx_isolation_same``).
    """
    from graph.analysis.links import links_from_store

    out: dict[str, Any] = {}
    with Phase(server_pid) as ph:
        t0 = time.perf_counter()
        links = links_from_store(store)
        out["isolation_read_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        isolated = links.isolated()
        outside = links.outside_main()
        out["isolation_analysis_s"] = round(time.perf_counter() - t0, 2)
    out.update(ph.figures("isolation"))
    out.update(actors=len(links), isolated_actors=len(isolated), outside_main=len(outside),
               main_component=links.main_size)
    del links
    if not (getattr(opts, "nx_projection", False) or os.environ.get("MAILLAGE_BENCH_NX_PROJECTION")):
        return out
    from graph.analysis import isolated_actors, outside_main_component
    from graph.analysis.projection import build_network, fetch_rows

    with Phase(server_pid) as ph:
        t0 = time.perf_counter()
        rows = fetch_rows(store)
        out["nx_isolation_fetch_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        G = build_network(rows)
        out["nx_isolation_build_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        nx_isolated = isolated_actors(G)
        nx_outside = outside_main_component(G)
        out["nx_isolation_analysis_s"] = round(time.perf_counter() - t0, 2)
    out.update(ph.figures("nx_isolation"))
    out["nx_isolation_counts"] = [G.number_of_nodes(), len(nx_isolated), len(nx_outside)]
    out["nx_isolation_same"] = nx_isolated == isolated and nx_outside == outside
    return out


def phase_rdf(folder: Path, store: Any, server_pid: int | None, opts: argparse.Namespace) -> dict[str, Any]:
    """Project the store into an on-disk pyoxigraph store, and into rdflib when the graph is small enough.

    The pyoxigraph store is written under ``--tmp`` by a child process (``graph.rdf_fast``) while
    this one reads and projects; its size on disk and the child's peak memory are reported, then it
    is deleted.
    """
    import resource
    import shutil

    from graph import rdf
    from graph.rdf_fast import NTriplesProjector

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="maillage-rdf-", dir=opts.tmp) as d:
        path = Path(d) / "oxigraph"
        nt = NTriplesProjector(strict=False)
        with Phase(server_pid) as ph:
            ox = rdf.store_to_oxigraph(store, path, strict=False, projector=nt)
        t0 = time.perf_counter()
        out["rdf_triples"] = len(ox)
        out["rdf_count_s"] = round(time.perf_counter() - t0, 2)
        del ox
        out["rdf_oxigraph_s"], out["rdf_oxigraph_peak_mb"] = round(ph.seconds, 2), round(ph.peak_mb)
        out["rdf_oxigraph_cpu_s"], out["rdf_server_cpu_s"] = round(ph.cpu, 2), round(ph.server_cpu, 2)
        out["rdf_loader_peak_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        out["rdf_store_mb"] = round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6)
        out["rdf_us_per_triple"] = round(ph.seconds / max(out["rdf_triples"], 1) * 1e6, 2)
        if nt.undeclared:
            out["rdf_undeclared"] = sorted(nt.undeclared)
        shutil.rmtree(path, ignore_errors=True)
    nodes = sum(store.counts()["nodes"].values())
    if nodes <= opts.rdflib_max_nodes:
        with Phase(server_pid) as ph:
            rdf.store_to_rdf(store, strict=False)
        out["rdf_rdflib_s"], out["rdf_rdflib_peak_mb"] = round(ph.seconds, 2), round(ph.peak_mb)
    else:
        out["rdf_rdflib_error"] = (f"skipped: {nodes:,} nodes > --rdflib-max-nodes {opts.rdflib_max_nodes:,} "
                                   "(rdflib stays the ontology/SHACL store; pyoxigraph holds national volumes)")
    return out


def phase_neo4j(folder: Path, store: Any, server_pid: int | None, opts: argparse.Namespace) -> dict[str, Any]:
    """The same load into Neo4j (MAILLAGE_NEO4J_*) through the UNWIND writer."""
    from graph.store import StoreConfig, open_store
    from loaders.territory import load_territory

    tf, _ = _territory(folder)
    neo = open_store(StoreConfig.from_env())
    try:
        with Phase() as ph:
            report = load_territory(tf, neo, writer="unwind", batch_size=5000)
    finally:
        neo.close()
    return {"neo4j_load_s": round(ph.seconds, 2), "neo4j_nodes": sum(report.nodes.values())}


def phase_neo4j_import(folder: Path, store: Any, server_pid: int | None, opts: argparse.Namespace) -> dict[str, Any]:
    """The neo4j-admin CSV export, straight from the sources."""
    from graph.neo4j_import import export_neo4j_import

    with tempfile.TemporaryDirectory(prefix="maillage-neo4j-import-", dir=opts.tmp) as d:
        with Phase() as ph:
            export_neo4j_import(folder / "territory.yaml", d)
        size = sum(p.stat().st_size for p in Path(d).glob("*.csv"))
    return {"neo4j_import_export_s": round(ph.seconds, 2), "neo4j_import_mb": round(size / 1e6),
            "neo4j_import_peak_mb": round(ph.peak_mb)}


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "load": phase_load, "match": phase_match, "isolation": phase_isolation, "neo4j": phase_neo4j,
    "neo4j-import": phase_neo4j_import, "rdf": phase_rdf,
}


def _phase_child(args: argparse.Namespace) -> int:
    """Child process: run one phase against the scale's server, write its figures as JSON."""
    from graph.falkor import FalkorStore

    store = FalkorStore.embedded(args.data_dir_child, graph="bench", timeout_ms=args.phase_timeout * 1000)
    try:
        out = PHASES[args.phase](Path(args.folder), store, args.server_pid, args)
    except SystemExit as err:
        out = {f"{args.phase}_error": str(err.code if err.code is not None else err)}
    except Exception as err:  # noqa: BLE001 - a benchmark reports and goes on
        out = {f"{args.phase}_error": f"{type(err).__name__}: {err}"[:400]}
    finally:
        store.close()
    Path(args.result).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return 0


def _run_phase(phase: str, folder: Path, data_dir: str, server_pid: int | None, args: argparse.Namespace) -> dict:
    """Run one phase in its own process (own peak memory, killed after --phase-timeout)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        result = Path(tmp.name)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--folder", str(folder),
           "--data-dir-child", data_dir, "--server-pid", str(server_pid or 0), "--result", str(result),
           "--writer", args.writer, "--matches", str(args.matches), "--rdflib-max-nodes", str(args.rdflib_max_nodes),
           "--phase-timeout", str(args.phase_timeout)] + (["--tmp", args.tmp] if args.tmp else []) + (
           ["--nx-projection"] if args.nx_projection else [])
    try:
        subprocess.run(cmd, cwd=REPO, timeout=args.phase_timeout)
        out = json.loads(result.read_text(encoding="utf-8"))
    except subprocess.TimeoutExpired:
        out = {f"{phase}_error": f"stopped after {args.phase_timeout} s (--phase-timeout)"}
    except (OSError, ValueError):
        out = {f"{phase}_error": "the measuring process stopped without figures"}
    result.unlink(missing_ok=True)
    return out


def peak_figures(out: dict[str, Any]) -> dict[str, Any]:
    """The phase whose processes held the most memory at once: its worker, the server and, for the RDF
    phase, the pyoxigraph loader running beside the worker.

    >>> peak_figures({"load_peak_mb": 1200, "load_server_peak_mb": 2900, "rdf_oxigraph_peak_mb": 800,
    ...               "rdf_loader_peak_mb": 1500})
    {'peak_phase': 'rdf_oxigraph', 'peak_mb': 800, 'peak_total_gb': 5.08}
    """
    server_max = max((v for k, v in out.items() if k.endswith("_server_peak_mb")), default=0)
    totals: dict[str, tuple[int, int]] = {}
    for key, value in out.items():
        if key.endswith("_peak_mb") and "server" not in key and key != "rdf_loader_peak_mb":
            phase = key[:-len("_peak_mb")]
            extra = out.get("rdf_loader_peak_mb", 0) if phase == "rdf_oxigraph" else 0
            totals[phase] = (value, value + extra + out.get(f"{phase}_server_peak_mb", server_max))
    if not totals:
        return {}
    phase, (own, total) = max(totals.items(), key=lambda kv: kv[1][1])
    return {"peak_phase": phase, "peak_mb": own, "peak_total_gb": round(total / 1024, 2)}


def measure(name: str, folder: Path, args: argparse.Namespace, say: Callable[[str], None] = print,
            saved: Callable[[dict[str, Any]], None] = lambda out: None) -> dict:
    """Every figure of one scale: the floor here, each other phase in a child process on one server.

    ``saved(out)`` is called after each phase with the figures so far (the JSON file is kept current).
    """
    from graph.falkor import EmbeddedServer

    out: dict[str, Any] = {"scale": name, "folder": str(folder)}
    try:
        tf, missing = _territory(folder)
    except Exception as err:  # noqa: BLE001
        out["error"] = f"{type(err).__name__}: {err}"
        return out
    if missing:
        out["missing_files"] = missing
    files = [f for f in _sources(tf) if Path(f[1]).is_file()]
    out["files_mb"] = {Path(p).name: round(Path(p).stat().st_size / 1e6, 1) for _, p, *_ in files}
    say(f"{name}: parse floor")
    try:
        out.update(parse_floor(files))
    except Exception as err:  # noqa: BLE001
        out["floor_error"] = f"{type(err).__name__}: {err}"
    if not Path(tf.communes_file).is_file():
        out["load_error"] = f"missing communes file {tf.communes_file}: nothing can be loaded"
        return out
    phases = ["load", "match", "isolation"] + (["neo4j"] if os.environ.get("MAILLAGE_NEO4J_URI") else [])
    phases += (["neo4j-import"] if args.neo4j_import else []) + ["rdf"]
    with tempfile.TemporaryDirectory(prefix="maillage-bench-", dir=args.tmp) as data_dir:
        server = EmbeddedServer(data_dir)
        server.start()
        pid = server.process.pid if server.process else None
        try:
            for phase in phases:
                if phase in args.skip:
                    continue
                say(f"{name}: {phase}")
                out.update(_run_phase(phase, folder, data_dir, pid, args))
                saved(out)
                if phase == "load" and "load_s" not in out:
                    break
        finally:
            server.stop()
    if out.get("floor_s") and out.get("load_s"):
        out["load_over_floor"] = round(out["load_s"] / out["floor_s"], 1)
        out["load_over_csv"] = round(out["load_s"] / out["csv_s"], 1)
    if "isolation_s" in out:
        out["isolation_counts"] = [out.get("actors"), out.get("isolated_actors"), out.get("outside_main")]
    out.update(peak_figures(out))
    return out


# --- the table -------------------------------------------------------------------------------------------

_ROWS: list[tuple[str, str, str]] = [
    ("files (MB)", "files_total_mb", ""),
    ("rows read (all files)", "rows", ""),
    ("parse floor, csv module (s)", "csv_s", ""),
    ("parse floor, pyarrow (s)", "pyarrow_s", ""),
    ("floor used (s)", "floor_s", ""),
    ("full load into FalkorDB (s)", "load_s", ""),
    ("  of which Annuaire Santé read+write (s)", "step_rpps", ""),
    ("  of which final write: flush/indexes/swap (s)", "step_write", ""),
    ("  Python CPU / server CPU (s)", "load_cpu", ""),
    ("load / floor", "load_over_floor", "<= 3"),
    ("load / csv-module floor", "load_over_csv", ""),
    ("nodes / relationships", "graph_size", ""),
    ("peak memory: a phase's processes (GB)", "peak_total_gb", "< 8"),
    ("RDF projection, pyoxigraph (s)", "rdf_oxigraph_s", ""),
    ("RDF projection, rdflib (s)", "rdf_rdflib_s", ""),
    ("RDF triples", "rdf_triples", ""),
    ("match p50 (ms)", "match_p50_ms", ""),
    ("match p95 (ms)", "match_p95_ms", "< 50"),
    ("matches per second", "match_per_s", ""),
    ("isolated actors: projection + analysis (s)", "isolation_s", "< 10"),
    ("  actors / isolated / outside main component", "isolation_counts", ""),
    ("Neo4j load, UNWIND (s)", "neo4j_load_s", ""),
    ("neo4j-admin CSV export (s)", "neo4j_import_export_s", ""),
]


def _cell(r: dict[str, Any], key: str) -> str:
    """One table cell: the figure, or why it is missing."""
    if key == "files_total_mb":
        return f"{sum(r.get('files_mb', {}).values()):,.0f}" if r.get("files_mb") else "-"
    if key == "step_rpps":
        steps = r.get("load_steps_s", {})
        v = sum(s for k, s in steps.items() if k.startswith("Annuaire"))
        return f"{v:,.1f}" if steps else "-"
    if key == "step_write":
        steps = r.get("load_steps_s", {})
        return f"{steps['écriture']:,.1f}" if "écriture" in steps else "-"
    if key == "load_cpu":
        return f"{r['load_cpu_s']:,.0f} / {r['load_server_cpu_s']:,.0f}" if "load_cpu_s" in r else "-"
    if key == "graph_size":
        return f"{r['nodes']:,} / {r['relationships']:,}" if "nodes" in r else "-"
    if key == "isolation_counts":
        return (f"{r['actors']:,} / {r['isolated_actors']:,} / {r['outside_main']:,}" if "actors" in r else "-")
    if key in r:
        v = r[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return str(v)
        return f"{v:,.2f}" if abs(v) < 10 and isinstance(v, float) else (f"{v:,.1f}" if abs(v) < 100 and
                                                                         isinstance(v, float) else f"{v:,.0f}")
    prefix = key.split("_")[0]
    for k in (f"{key.rsplit('_', 1)[0]}_error", f"{prefix}_error", "load_error", "error"):
        if k in r:
            return "n/a"
    return "-"


def render_table(results: list[dict[str, Any]]) -> str:
    """The figures of every scale side by side, with the targets, then the errors and missing files.

    >>> print(render_table([{"scale": "x", "load_s": 12.5, "floor_s": 2.0}]).splitlines()[0].split())
    ['measure', 'x', 'target']
    """
    names = [r.get("scale") or Path(r.get("folder", "?")).name for r in results]
    rows = [["measure", *names, "target"]] + [[label, *(_cell(r, key) for r in results), target]
                                              for label, key, target in _ROWS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for name, r in zip(names, results):
        for k, v in r.items():
            if k.endswith("error") and v:
                lines.append(f"{name}: {k.replace('_error', '') or 'run'}: {v}")
        for path in r.get("missing_files", []):
            lines.append(f"{name}: missing file {path} (measured without it)")
    return "\n".join(lines)


# --- driver ----------------------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    """Where the figures come from."""
    cpu = ""
    try:
        cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name")), "")
    except OSError:
        pass
    mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(),
            "system": platform.platform(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def _generate(scale: str, folder: Path, max_rows: int | None) -> float:
    """Run the generator for a scale into ``folder``; return its seconds."""
    cmd = [sys.executable, "-m", "bench.generate", "--scale", scale, "--out", str(folder)]
    if max_rows:
        cmd += ["--max-rows", str(max_rows)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, stdout=sys.stderr, stderr=sys.stderr)
    if done.returncode != 0:
        raise RuntimeError(f"the generator failed for scale {scale!r} (exit {done.returncode})")
    return time.perf_counter() - t0


def _parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("folders", nargs="*", type=Path, help="folders holding a territory.yaml (as the generator writes)")
    p.add_argument("--scale", action="append", default=[], help="departement, region or france (repeatable); "
                   "data in <data-root>/bench-<scale>, generated when missing")
    p.add_argument("--data-root", type=Path, default=Path.cwd(), help="where bench-<scale>/ folders are (default .)")
    p.add_argument("--max-rows", type=int, default=None, help="passed to the generator (quick runs)")
    p.add_argument("--writer", choices=["auto", "bulk", "unwind"], default="auto", help="writer of the load")
    p.add_argument("--matches", type=int, default=500, help="random matches to time (default 500)")
    p.add_argument("--rdflib-max-nodes", type=int, default=300_000,
                   help="project into rdflib too up to this many nodes (default 300,000)")
    p.add_argument("--skip", action="append", default=[], choices=sorted(PHASES),
                   help="leave a phase out (repeatable)")
    p.add_argument("--neo4j-import", action="store_true", help="also time the neo4j-admin CSV export")
    p.add_argument("--nx-projection", action="store_true",
                   help="also time the full NetworkX projection of the isolation phase (minutes at France scale)")
    p.add_argument("--phase-timeout", type=int, default=1800, help="stop a phase after this many seconds")
    p.add_argument("--tmp", default=None, help="folder for the temporary stores (default: the system's)")
    p.add_argument("--json", dest="json_file", default=None, help="write the figures as JSON to this file ('-': stdout)")
    for hidden in ("--phase", "--folder", "--data-dir-child", "--result"):
        p.add_argument(hidden, help=argparse.SUPPRESS)
    p.add_argument("--server-pid", type=int, default=0, help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    """Measure each scale or folder; print the table; write the JSON."""
    args = _parser().parse_args(argv)
    if args.phase:
        args.server_pid = args.server_pid or None
        return _phase_child(args)
    bad = [s for s in args.scale if s not in SCALES[1:]]
    if bad:
        print(f"error: unknown scale {bad[0]!r}: choose departement, region or france.", file=sys.stderr)
        return 2
    args.data_root = args.data_root.resolve()
    targets: list[tuple[str, Path]] = [(s, args.data_root / f"bench-{s}") for s in args.scale]
    targets += [(f.resolve().name, f.resolve()) for f in args.folders]
    if not targets:
        found = [(s, args.data_root / f"bench-{s}") for s in SCALES[1:]
                 if (args.data_root / f"bench-{s}" / "territory.yaml").is_file()]
        targets = found or [("departement", args.data_root / "bench-departement")]
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    results = []
    for name, folder in targets:
        if not (folder / "territory.yaml").is_file():
            if name in SCALES[1:] and not args.folders:
                say(f"{name}: generating {folder}")
                try:
                    generated = round(_generate(name, folder, args.max_rows), 1)
                except (RuntimeError, OSError) as err:
                    results.append({"scale": name, "error": str(err)})
                    continue
            else:
                results.append({"scale": name, "error": f"no territory.yaml in {folder}"})
                continue
        else:
            generated = None
        keep = args.json_file and args.json_file != "-"  # the file stays current if the run stops midway
        result = measure(name, folder, args, say,
                         saved=(lambda out: _write_json(args.json_file, results + [out])) if keep else
                         (lambda out: None))
        if generated is not None:
            result["generate_s"] = generated
        results.append(result)
    machine = _machine()
    print(f"maillage benchmark — {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, "
          f"Python {machine['python']}, load average {machine['load_average']}")
    print(render_table(results))
    if args.json_file:
        _write_json(args.json_file, results, machine)
    return 0


def _write_json(target: str, results: list[dict[str, Any]], machine: dict[str, Any] | None = None) -> None:
    """Write (or print, for '-') the figures with the machine and the targets."""
    payload = json.dumps({"machine": machine or _machine(), "targets": TARGETS, "results": results},
                         ensure_ascii=False, indent=2)
    if target == "-":
        print(payload)
    else:
        Path(target).write_text(payload + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
