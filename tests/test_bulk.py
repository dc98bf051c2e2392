"""The FalkorDB bulk path (graph/bulk.py): GRAPH.BULK gives the same graph as the UNWIND writer."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graph.bulk import BulkWriter, encode_value
from graph.exceptions import GraphError
from graph.falkor import FalkorStore
from graph.model import (Commune, Concept, Edge, Intervention, Membership, Partnership, Pathway, Professional,
                         RoleRequirement, Stage, Structure)
from graph.writer import GraphWriter
from loaders.cli import cli
from loaders.territory import load_territory, read_territory_file

TERRITORY = Path(__file__).parent / "data" / "territory" / "territory.yaml"


def _typed(value):
    """A value with its type spelled out, so 5 and 5.0, 1 and True, "1" and 1 differ."""
    if isinstance(value, list):
        return ("list", tuple(_typed(v) for v in value))
    if isinstance(value, dict):
        return tuple(sorted((k, _typed(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def dump(store, drop=()):
    """Every node (labels, typed properties) and relationship (ends, type, typed properties) of a graph."""
    nodes = sorted(_typed({k: v for k, v in n.items() if k not in drop})
                   for (n,) in store.run("MATCH (n) RETURN n").rows)
    rels = sorted((a, b, c, d, e, _typed(r)) for a, b, c, d, e, r in store.run(
        "MATCH (a)-[r]->(b) RETURN labels(a)[0], a.id, type(r), labels(b)[0], b.id, r").rows)
    return nodes, rels


@pytest.fixture
def other_store(falkor_db):
    """A second fresh graph on the session's server, to compare two loads side by side."""
    s = FalkorStore(falkor_db, "test_bulk_other")
    yield s
    for suffix in ("", "__staging", "__previous"):
        if falkor_db.connection.exists(s.graph_name + suffix):
            falkor_db.connection.delete(s.graph_name + suffix)


def _write(writer, records):
    """prepare, add_all, flush: the writer protocol."""
    writer.prepare()
    writer.add_all(records)
    writer.flush()
    return writer


def test_test_territory_loads_the_same_graph_with_both_writers(store, other_store):
    tf = read_territory_file(TERRITORY)
    unwind = load_territory(tf, store, writer="unwind")
    bulk = load_territory(tf, other_store, writer="bulk")
    # Source.loaded_at is the clock time of each load; everything else must be identical, types included
    a, b = dump(store, drop={"loaded_at"}), dump(other_store, drop={"loaded_at"})
    assert len(a[0]) == 702 and len(a[1]) == 385
    assert a == b
    assert bulk.nodes == unwind.nodes and bulk.relationships == unwind.relationships
    assert bulk.warnings == unwind.warnings
    assert [(r.line, r.column, r.value) for r in bulk.rejected] == [(r.line, r.column, r.value)
                                                                    for r in unwind.rejected]
    assert other_store.counts() == store.counts()


def test_auto_is_the_bulk_path_on_falkordb_and_indexes_are_there(other_store):
    report = load_territory(read_territory_file(TERRITORY), other_store)
    assert report.nodes["Professional"] == 9
    indexed = {r[0] for r in other_store.run("CALL db.indexes() YIELD label RETURN label", read_only=False).rows}
    assert {"Professional", "Structure", "Commune", "Activity", "Stage", "Concept"} <= indexed


def _typed_records():
    """Records with every property type: lists, booleans, floats, ints, odd strings, None."""
    return [
        Commune(id="59178", name="Douai", department="59", postal_codes=["59500", "59508"], population=39700,
                lat=50.37853, lon=3.10037),
        Commune(id="59350", name="None", department="59", postal_codes=["59000"], lat=50.0, lon=3.0),
        Structure(id="590000014", name='CH "Somain"\nsite nord', category_code="355", commune="59178",
                  address="12 rue\x01bis", synthetic=True, source_line=0, phone=None),
        Professional(id="819900000001", id_type="RPPS", identifier="19900000001", last_name="ÉLÉONORE d'Ô \x03",
                     first_name="", profession_code="60", synthetic=False),
        RoleRequirement(id="ic.suivi.idel", stage="ic.suivi", key="idel", label="IDEL", professions=["60"],
                        specialties=[], radius_km=5, home_visit=True),
        Stage(id="ic.suivi", pathway="ic", key="suivi", order=3, name="Suivi", partage=["MSSanté", "DMP"]),
        Pathway(id="ic", name="Insuffisance cardiaque", references=[]),
        Membership(id="m:1", territory="t", actor_label="Professional", actor="819900000001",
                   accepting_new_patients=False, home_visits=None),
    ]


def test_property_types_round_trip_as_with_unwind(store, other_store):
    _write(GraphWriter(store), _typed_records())
    _write(BulkWriter(other_store), _typed_records())
    assert dump(other_store) == dump(store)
    by_id = {n["id"]: n for (n,) in other_store.run("MATCH (n) RETURN n").rows}
    c, c2, s, p, r = (by_id[i] for i in ("59178", "59350", "590000014", "819900000001", "ic.suivi.idel"))
    assert c["postal_codes"] == ["59500", "59508"] and c["population"] == 39700 and c["lat"] == 50.37853
    assert c2["name"] == "None"
    assert s["name"] == 'CH "Somain"\nsite nord' and s["synthetic"] is True and s["source_line"] == 0
    assert s["address"] == "12 rue\x01bis"
    assert "phone" not in s
    assert p["last_name"] == "ÉLÉONORE d'Ô \x03" and p["first_name"] == "" and p["synthetic"] is False
    assert r["radius_km"] == 5 and type(r["radius_km"]) is int and r["home_visit"] is True
    assert "specialties" not in r  # an empty list is not stored, as node_props() leaves it out


def test_many_calls_and_small_tokens_keep_node_ids_right(store, other_store):
    records = [Commune(id=f"{59000 + i}", name=f"C{i}", department="59") for i in range(50)]
    records += [Structure(id=f"5900{i:05d}", name=f"S{i}", commune=f"{59000 + (i * 7) % 50}") for i in range(80)]
    records += [Professional(id=f"8{i:011d}", id_type="RPPS", identifier=f"{i:011d}", last_name=f"P{i}")
                for i in range(30)]
    records += [Membership(id=f"m{i}", territory="t", actor_label="Structure", actor=f"5900{i:05d}")
                for i in range(0, 80, 3)]
    _write(GraphWriter(store), records)
    w = _write(BulkWriter(other_store, buffer_bytes=1, edge_chunk=3), records)  # one call per node, 3 edges a token
    assert dump(other_store) == dump(store)
    assert w.edge_counts == {"LOCATED_IN": 80, "HAS_MEMBERSHIP": 27}


def test_duplicates_merge_like_merge_set(store, other_store):
    records = [
        Commune(id="59178", name="Douai", department="59", population=100),
        Commune(id="59178", name="DOUAI", department="59", region="32"),  # population kept, name replaced
        Structure(id="590000014", name="A", commune="59178"),
        Structure(id="590000014", name="A", commune="59178", phone="0327000000"),  # same edge again
        Pathway(id="ic", name="IC"),
        Stage(id="ic.a", pathway="ic", key="a", order=1, name="A"),
        Stage(id="ic.a", pathway="ic", key="a", order=2, name="A"),  # HAS_STAGE again, order 2 wins
        Intervention(actor_label="Structure", actor="590000014", commune="59178"),
        Intervention(actor_label="Structure", actor="590000014", commune="59178"),
    ]
    # one row per query: MERGE + SET n += row in sequence (inside one UNWIND batch FalkorDB 4 keeps the
    # first value of a key set twice on a node the same query created, where Neo4j keeps the last)
    _write(GraphWriter(store, batch_size=1), records)
    w = _write(BulkWriter(other_store), records)
    assert dump(other_store) == dump(store)
    douai = other_store.run("MATCH (c:Commune) RETURN c").rows[0][0]
    assert (douai["name"], douai["population"], douai["region"]) == ("DOUAI", 100, "32")
    assert other_store.run("MATCH (:Pathway)-[r:HAS_STAGE]->(:Stage) RETURN r.order").rows == [[2]]
    assert w.node_counts == {"Commune": 1, "Structure": 1, "Pathway": 1, "Stage": 1}
    assert other_store.counts()["relationships"] == {"LOCATED_IN": 1, "HAS_STAGE": 1, "INTERVENES_IN": 1}


def test_unresolved_ends_are_reported_like_the_unwind_writer(store, other_store):
    records = [
        Structure(id="590000014", name="CH SOMAIN", category_code="355", commune="59178"),  # commune comes later
        Professional(id="819900000001", id_type="RPPS", identifier="19900000001", last_name="MARTIN",
                     profession_code="60"),
        Commune(id="59178", name="Douai", department="59"),
        Partnership(id="conv", name="Convention", kind="convention",
                    parties=[("Structure", "590000014"), ("Structure", "999999999")]),
    ]
    g = _write(GraphWriter(store), records)
    b = _write(BulkWriter(other_store), records)
    assert b.unresolved_summary() == g.unresolved_summary() == [
        "1 HAS_CATEGORY relationship(s) from Structure to Concept not created: the Concept is not in the "
        "loaded sources (e.g. 590000014->FINESS_CAT:355)",
        "1 HAS_PROFESSION relationship(s) from Professional to Concept not created: the Concept is not in the "
        "loaded sources (e.g. 819900000001->TRE_G15:60)",
        "1 PARTY_TO relationship(s) from Structure to Partnership not created: the Structure is not in the "
        "loaded sources (e.g. 999999999->conv)"]
    assert dump(other_store) == dump(store)
    assert b.has("Commune", "59178") and not b.has("Commune", "59350")


def test_generic_nodes_with_new_columns_midway(store, other_store):
    rows = [("Concept", {"id": "A:1", "scheme": "A", "code": "1", "label": "un"}),
            ("Concept", {"id": "A:2", "scheme": "A", "code": "2", "label": "deux", "status": "active"}),
            ("Concept", {"id": "A:3", "scheme": "A", "code": "3", "label": "trois"})]
    w = BulkWriter(other_store)
    w.prepare()
    for label, props in rows:
        w.add_node(label, props)
    w.add_edge(Edge("BROADER", "Concept", "A:3", "Concept", "A:1", {}))
    w.flush()
    for label, props in rows:  # what the UNWIND writer sends, row by row
        store.merge_nodes(label, [props])
    store.merge_edges("BROADER", "Concept", "Concept", [{"src": "A:3", "dst": "A:1", "props": {}}])
    assert dump(other_store) == dump(store)


@pytest.mark.parametrize("value, message", [
    ("a\x00b", "the string 'a\\x00b' holds a NUL character, which GRAPH.BULK cannot carry"),
    ({"a": 1}, "cannot store a value of type dict in the graph: {'a': 1}"),
    (1 << 70, "the integer 1180591620717411303424 does not fit in 64 bits"),
])
def test_values_the_protocol_cannot_carry_are_refused_with_the_value(value, message):
    with pytest.raises(GraphError) as err:
        encode_value(value)
    assert str(err.value) == message


def test_bulk_needs_an_empty_graph(store):
    _write(GraphWriter(store), _typed_records()[:1])
    with pytest.raises(GraphError, match="graph 'test_[0-9]+' already holds nodes: the bulk writer loads a new"):
        BulkWriter(store).prepare()


def test_without_prepare_the_first_call_creates_the_graph(store, other_store):
    w = BulkWriter(other_store)  # no prepare(): BEGIN creates the graph, the indexes come at flush
    w.add_all(_typed_records())
    w.flush()
    _write(GraphWriter(store), _typed_records())
    assert dump(other_store) == dump(store)


def test_writes_once(other_store):
    w = _write(BulkWriter(other_store), _typed_records()[:1])
    with pytest.raises(GraphError, match=r"BulkWriter writes once: add\(\) after flush\(\) is not supported"):
        w.add(_typed_records()[1])


def test_a_failed_bulk_load_leaves_the_live_graph(store):
    load_territory(read_territory_file(TERRITORY), store, writer="bulk")
    before = dump(store)
    bad = [Concept(id="X:1", scheme="X", code="1", label="bad\x00label")]
    with pytest.raises(GraphError, match="NUL character"):
        load_territory(read_territory_file(TERRITORY), store,
                       writer=lambda staging: _Failing(staging, bad))
    assert dump(store) == before


class _Failing(BulkWriter):
    """A bulk writer that meets a bad record at the end of the load."""

    def __init__(self, store, bad):
        """Set up the instance."""
        super().__init__(store)
        self.bad = bad

    def flush(self):
        """Add the bad record, then flush."""
        self.add_all(self.bad)
        super().flush()


def test_cli_load_takes_the_writer_option(runner, tmp_path):
    data = tmp_path / "data"
    for writer in ("unwind", "bulk"):
        result = runner.invoke(cli, ["--data-dir", str(data), "--graph", writer, "load", str(TERRITORY),
                                     "--writer", writer, "--report-dir", str(tmp_path / writer)])
        assert result.exit_code == 1, result.output  # the test territory has two bad rows
        assert "2 row(s) rejected" in result.output
    result = runner.invoke(cli, ["--data-dir", str(data), "load", str(TERRITORY), "--writer", "fast"])
    assert result.exit_code == 2
    assert "Invalid value for '--writer': 'fast' is not one of 'auto', 'bulk', 'unwind'." in result.output


# --- batches of node rows and bulk rows (the faster path of a national load) ------------------------------------

TRICKY = ["Douai", "", "Été", "Gœulzin", "\x01", "\x02", "a\x03", "x\x03\x01\x00"[:-1], "None", "a\x02b"]


@pytest.mark.parametrize("repeat", [1, 8])  # one value per row, or each value on many rows (its column cached)
def test_the_row_encoder_gives_the_bytes_of_encode_value(repeat):
    from graph.bulk_encoding import _RowEncoder, record_columns

    layout = record_columns(Professional)
    names = TRICKY * repeat
    rows = [layout.values(Professional(id=f"8{i:011d}", id_type="RPPS", identifier=f"{i:011d}", last_name=name,
                                       first_name=names[-1 - i], civility=None if i % 3 else "M",
                                       source_line=i if i % 4 else None, synthetic=bool(i % 2)))
            for i, name in enumerate(names)]
    encoder = _RowEncoder(layout)
    for batch in (rows[:len(rows) // 2], rows[len(rows) // 2:], rows):  # caches are decided on the first batch
        assert encoder.encode(batch) == b"".join(encode_value(v) for row in batch for v in row)
    assert (encoder.caches[layout.columns.index("last_name")] is False) == (repeat == 1)


@pytest.mark.parametrize("value, message", [
    ("a\x00b", "holds a NUL character"),
    (["x"], "cannot store"),  # not in a string column: unhashable, then encoded as an array
    (1 << 70, "the integer 1180591620717411303424 does not fit in 64 bits"),
])
def test_the_row_encoder_names_a_value_the_protocol_cannot_carry(value, message):
    from graph.bulk_encoding import _RowEncoder, record_columns

    layout = record_columns(Professional)
    good = Professional(id="819900000001", id_type="RPPS", identifier="19900000001", last_name="A", source_line=1)
    bad = Professional(id="819900000002", id_type="RPPS", identifier="19900000002", last_name="B", source_line=2)
    if isinstance(value, int):
        bad.source_line = value
    else:
        bad.last_name = value
    rows = [layout.values(r) for r in (good, bad)]
    if isinstance(value, list):  # a list is a valid value (an array): it is encoded, not refused
        assert _RowEncoder(layout).encode(rows) == b"".join(encode_value(v) for row in rows for v in row)
        return
    with pytest.raises(GraphError, match=message):
        _RowEncoder(layout).encode(rows)


class _Rows:
    """An iterable of records that also offers them as bulk rows (as loaders.rpps.PersonneActivite does)."""

    def __init__(self, rows):
        """Keep the rows: (class, field values, relationships)."""
        self.rows = rows

    def __iter__(self):
        """The records."""
        return iter([cls(*values) for cls, values, _ in self.rows])

    def bulk_rows(self):
        """The bulk rows."""
        return iter(self.rows)


def _professional_row(n, last_name, profession="60"):
    """A bulk row of a Professional: its field values and its relationships."""
    record = Professional(id=f"8{n:011d}", id_type="RPPS", identifier=f"{n:011d}", last_name=last_name,
                          profession_code=profession, source_line=n)
    values = tuple(getattr(record, f.name) for f in dataclasses.fields(record))
    return Professional, values, [e[:5] for e in record.edges()]


def test_bulk_rows_give_the_graph_of_the_records_duplicates_included(store, other_store):
    concept = Concept(id="TRE_G15:60", scheme="TRE_G15", code="60", label="Infirmier")
    rows = [_professional_row(1, "A"), _professional_row(2, "B", profession="99")]
    again = [_professional_row(1, "A bis")]  # seen before: merged as MERGE ... SET n += props
    by_records, by_rows = BulkWriter(store), BulkWriter(other_store)
    for writer, wrap in ((by_records, lambda r: iter(_Rows(r))), (by_rows, _Rows)):
        writer.prepare()
        writer.add(concept)
        assert writer.add_all(wrap(rows)) == 2 and writer.add_all(wrap(again)) == 1
        writer.flush()
    assert dump(other_store) == dump(store)
    assert other_store.run("MATCH (p:Professional {id: '800000000001'}) RETURN p.last_name").rows == [["A bis"]]
    assert by_rows.unresolved_summary() == by_records.unresolved_summary() == [
        "1 HAS_PROFESSION relationship(s) from Professional to Concept not created: the Concept is not in the "
        "loaded sources (e.g. 800000000002->TRE_G15:99)"]


def test_a_bulk_row_that_is_not_its_record_is_refused(other_store):
    cls, values, edges = _professional_row(1, "A")
    w = BulkWriter(other_store)
    with pytest.raises(GraphError, match="the bulk row of Professional '800000000001' is not its record"):
        w.add_all(_Rows([(cls, values, edges[:0])]))  # a relationship left out
