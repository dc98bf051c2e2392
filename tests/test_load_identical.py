"""The faster load gives the graph, records and rejects of the loader before it was made faster.

``tests/data/load_identical/golden.json`` was written by :func:`golden` with the code of commit
289d168 (before the per-row work of loaders/reading.py, loaders/rpps.py and graph/bulk.py was
cut): the digest of the demo territory's canonical graph dump and load report, and every record,
rejected row and warning read from each Annuaire Santé test extract, as given and with its fields
padded with whitespace (the careful path of rows that need stripping). Regenerate it only for a
change that is meant to change the graph: ``python tests/test_load_identical.py``.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import pytest

from graph.model import Record
from loaders.communes import CommuneIndex, read_communes
from loaders.errors import LoadReport
from loaders.nomenclatures import Nomenclatures, read_nomenclature_folder
from loaders.rpps import read_personne_activite
from loaders.territory import DEMO_DIR, demo_territory_path, load_territory, read_territory_file

#: the repository whose code runs (paths under it are written as <repo>: the golden was made in a copy)
REPO = str(DEMO_DIR.parents[1])

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "load_identical" / "golden.json"
RPPS_FILES = ("PS_LibreAcces_Personne_activite_sample_2021.txt", "PS_LibreAcces_Personne_activite_2023_format.txt",
              "PS_LibreAcces_Personne_activite_broken.txt")
#: whitespace put around fields by :func:`padded` (str.strip removes each of them)
PADS = (" ", "  ", "\t", "\xa0", "\u2003", " \x1f")


def _typed(value):
    """A JSON-ready value with its type spelled out (5 and 5.0, 1 and True, "1" and 1 differ)."""
    if isinstance(value, (list, tuple)):
        return ["list", [_typed(v) for v in value]]
    return [type(value).__name__, value]


def canonical_dump(store) -> list[str]:
    """Every node (labels, typed properties) and relationship (type, ends' labels and ids, typed properties), sorted.

    ``loaded_at`` (the clock time of a load) is left out; paths in the repository start with ``<repo>``.
    """
    lines = []
    for labels, props in store.run("MATCH (n) RETURN labels(n), properties(n)").rows:
        props.pop("loaded_at", None)
        lines.append("N " + json.dumps([sorted(labels), sorted((k, _typed(v)) for k, v in props.items())],
                                       ensure_ascii=False))
    for row in store.run("MATCH (a)-[r]->(b) RETURN labels(a), a.id, type(r), labels(b), b.id, properties(r)").rows:
        a, a_id, rtype, b, b_id, props = row
        lines.append("R " + json.dumps([sorted(a), a_id, rtype, sorted(b), b_id,
                                        sorted((k, _typed(v)) for k, v in props.items())], ensure_ascii=False))
    return sorted(line.replace(REPO, "<repo>") for line in lines)


def report_lines(report: LoadReport, path: Path | None = None) -> list[str]:
    """The parts of a load report that do not depend on the clock or the machine's paths (``path``: by its name)."""
    lines = ([json.dumps(asdict(r), ensure_ascii=False, sort_keys=True) for r in report.rejected] + report.warnings
             + [json.dumps([sorted(report.loaded.items()), sorted(report.nodes.items()),
                            sorted(report.relationships.items())])])
    if path is not None:
        lines = [line.replace(str(path), path.name) for line in lines]
    return [line.replace(REPO, "<repo>") for line in lines]


def demo_inputs() -> str:
    """SHA-256 of the demo territory's input files (the demo data may change: the golden is for these inputs)."""
    from loaders.cpts import shipped_pathways

    h = hashlib.sha256()
    for path in sorted(p for p in DEMO_DIR.rglob("*") if p.is_file() and p.name != "README.md") + shipped_pathways():
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _digest(lines: list[str]) -> str:
    """SHA-256 of the lines, one per line."""
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def record_lines(records: list[Record]) -> list[str]:
    """Each record as its class, node properties and relationships, in the order read."""
    return [json.dumps([type(r).__name__, sorted((k, _typed(v)) for k, v in r.node_props().items()),
                        [list(e) for e in r.edges()]], ensure_ascii=False) for r in records]


def padded(src: Path, dst: Path) -> Path:
    """A copy of an Annuaire Santé file whose fields are padded with whitespace, in a fixed pattern.

    Every third field of a data row gets one of :data:`PADS` before and after it; an empty
    ``Libellé civilité d'exercice`` becomes whitespace only (which is not empty before stripping).
    """
    lines = src.read_text(encoding="utf-8-sig").split("\n")
    header = lines[0].split("|")
    civ = header.index("Libellé civilité d'exercice") if "Libellé civilité d'exercice" in header else -1
    out = [lines[0]]
    for n, line in enumerate(lines[1:]):
        fields = line.split("|")
        for i in range(len(fields) - 1):
            if (i + n) % 3 == 0:
                pad = PADS[(i + n) % len(PADS)]
                fields[i] = pad + fields[i] + pad
            elif i == civ and not fields[i].strip():
                fields[i] = "  "
        out.append("|".join(fields))
    dst.write_text("\n".join(out), encoding="utf-8")
    return dst


def _demo_lookups() -> tuple[CommuneIndex, Nomenclatures]:
    """The demo's commune index and nomenclatures (to resolve communes and check codes)."""
    report = LoadReport()
    noms = Nomenclatures()
    for concept in read_nomenclature_folder(DEMO_DIR / "nomenclatures", report):
        noms.add(concept)
    return CommuneIndex(read_communes(DEMO_DIR / "communes_59_62.csv", report)), noms


def read_case(path: Path, scoped: bool) -> dict[str, list[str]]:
    """Records, rejects and warnings of one Annuaire Santé file (paths replaced by the file's name)."""
    communes, noms = _demo_lookups()
    report = LoadReport()
    keep = (lambda code: code is not None and code[-1] in "02468") if scoped else None
    records = list(read_personne_activite(path, report, communes=communes, nomenclatures=noms, keep=keep))
    return {"records": record_lines(records),
            "report": report_lines(report, path)}


def golden(tmp: Path) -> dict:
    """Everything the golden file holds, computed with the code on the path (see the module docstring)."""
    from falkordb import FalkorDB

    from graph.falkor import EmbeddedServer, FalkorStore

    out: dict = {"rpps": {}}
    for name in RPPS_FILES:
        for scoped in (False, True):
            out["rpps"][f"{name} scoped={scoped}"] = read_case(DATA / "rpps" / name, scoped)
            path = padded(DATA / "rpps" / name, tmp / name)
            out["rpps"][f"{name} padded scoped={scoped}"] = read_case(path, scoped)
    server = EmbeddedServer(tmp / "falkordb")
    server.start()
    try:
        store = FalkorStore(FalkorDB(unix_socket_path=str(server.socket)), "golden")
        report = load_territory(read_territory_file(demo_territory_path()), store, writer="bulk")
        dump = canonical_dump(store)
        out["demo"] = {"inputs": demo_inputs(), "nodes": sum(1 for line in dump if line[0] == "N"),
                       "graph": _digest(dump), "report": _digest(report_lines(report))}
    finally:
        server.stop()
    return out


@pytest.fixture(scope="module")
def expected():
    """The golden file."""
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("writer", ["bulk", "unwind"])
def test_the_demo_territory_loads_the_golden_graph_and_report(store, expected, writer):
    if demo_inputs() != expected["demo"]["inputs"]:
        pytest.skip("the demo data changed since the golden file was written (the bulk and UNWIND loads are still "
                    "compared by test_the_demo_territory_loads_the_same_graph_with_both_writers)")
    report = load_territory(read_territory_file(demo_territory_path()), store, writer=writer)
    dump = canonical_dump(store)
    assert sum(1 for line in dump if line[0] == "N") == expected["demo"]["nodes"]
    assert _digest(dump) == expected["demo"]["graph"]
    assert _digest(report_lines(report)) == expected["demo"]["report"]


def test_the_demo_territory_loads_the_same_graph_with_both_writers(store, falkor_db):
    from graph.falkor import FalkorStore

    tf = read_territory_file(demo_territory_path())
    bulk = load_territory(tf, store, writer="bulk")
    other = FalkorStore(falkor_db, store.graph_name + "_unwind")
    try:
        unwind = load_territory(tf, other, writer="unwind")
        assert canonical_dump(store) == canonical_dump(other)
    finally:
        for suffix in ("", "__staging", "__previous"):
            falkor_db.connection.delete(other.graph_name + suffix)
    assert report_lines(bulk) == report_lines(unwind)


@pytest.mark.parametrize("name", RPPS_FILES)
@pytest.mark.parametrize("pad", [False, True])
@pytest.mark.parametrize("scoped", [False, True])
def test_annuaire_records_rejects_and_warnings_are_the_golden_ones(tmp_path, expected, name, pad, scoped):
    path = padded(DATA / "rpps" / name, tmp_path / name) if pad else DATA / "rpps" / name
    got = read_case(path, scoped)
    want = expected["rpps"][f"{name}{' padded' if pad else ''} scoped={scoped}"]
    assert got["report"] == want["report"]
    assert got["records"] == want["records"]


@pytest.mark.parametrize("name", RPPS_FILES)
def test_the_same_with_small_blocks(tmp_path, monkeypatch, expected, name):
    import loaders.reading as reading

    monkeypatch.setattr(reading, "BLOCK_BYTES", 700)
    for pad in (False, True):
        path = padded(DATA / "rpps" / name, tmp_path / name) if pad else DATA / "rpps" / name
        assert read_case(path, False) == expected["rpps"][f"{name}{' padded' if pad else ''} scoped=False"]


@pytest.mark.parametrize("path", [DATA / "rpps" / name for name in RPPS_FILES]
                         + [DEMO_DIR / "PS_LibreAcces_Personne_activite_synthetique.txt"], ids=lambda p: p.name)
def test_bulk_rows_are_the_records_and_their_relationships(path):
    # the GRAPH.BULK path takes the Annuaire Santé records as rows; every row is its record, relationships included
    communes, noms = _demo_lookups()
    rows = list(read_personne_activite(path, LoadReport(), communes=communes, nomenclatures=noms).bulk_rows())
    records = list(read_personne_activite(path, LoadReport(), communes=communes, nomenclatures=noms))
    assert len(rows) == len(records) > 0
    for (cls, values, edges), record in zip(rows, records):
        assert cls(*values) == record
        assert [(*e, {}) for e in edges] == [tuple(e) for e in record.edges()]


def test_the_broken_extract_is_rejected_row_by_row(expected):
    # the golden file itself holds the rejects of every defect of the broken extract
    lines = expected["rpps"]["PS_LibreAcces_Personne_activite_broken.txt scoped=False"]["report"]
    reasons = [json.loads(line)["reason"] for line in lines if line.startswith("{")]
    assert len(reasons) == 6 and any(r.startswith("duplicate of line") for r in reasons)


if __name__ == "__main__":  # regenerate the golden file (only for a change meant to change the graph)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(golden(Path(folder)), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
