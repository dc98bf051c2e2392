"""The embedded FalkorDB store: batches, idempotence, atomic swap, read-only guard, timeout, persistence."""
from __future__ import annotations

import pytest

from graph.exceptions import QuerySyntaxError, QueryTimeout, WriteRefused
from graph.falkor import EmbeddedServer, FalkorStore
from graph.model import Commune, Professional, Structure
from graph.store import StoreConfig, looks_like_write
from graph.writer import GraphWriter


def _records():
    return [
        Commune(id="59178", name="Douai", department="59", postal_codes=["59500"], lat=50.37853, lon=3.10037),
        Structure(id="590000014", name="CH SOMAIN", category_code="355", commune="59178"),
        Professional(id="819900000001", id_type="RPPS", identifier="19900000001", last_name="MARTIN",
                     profession_code="60"),
    ]


def _write(store, records, batch_size=1000):
    w = GraphWriter(store, batch_size=batch_size)
    w.prepare()
    w.add_all(records)
    w.flush()
    return w


def test_writer_creates_nodes_and_relationships(store):
    w = _write(store, _records())
    counts = store.counts()
    assert counts["nodes"] == {"Commune": 1, "Structure": 1, "Professional": 1}
    assert counts["relationships"] == {"LOCATED_IN": 1}
    # the profession concept is not loaded: the relationship is reported, not silently dropped
    assert w.unresolved_summary() == [
        "1 HAS_CATEGORY relationship(s) from Structure to Concept not created: the Concept is not in the "
        "loaded sources (e.g. 590000014->FINESS_CAT:355)",
        "1 HAS_PROFESSION relationship(s) from Professional to Concept not created: the Concept is not in the "
        "loaded sources (e.g. 819900000001->TRE_G15:60)"]


def test_writing_twice_gives_the_same_graph(store):
    _write(store, _records())
    first = (store.counts(), store.run("MATCH (n) RETURN n ORDER BY n.id").rows)
    _write(store, _records(), batch_size=1)
    assert (store.counts(), store.run("MATCH (n) RETURN n ORDER BY n.id").rows) == first


def test_relationship_waits_for_a_node_that_comes_later(store):
    records = list(reversed(_records()))  # the structure arrives before its commune
    w = _write(store, records, batch_size=1)
    assert store.counts()["relationships"] == {"LOCATED_IN": 1}
    assert not [e for e in w.unresolved if e.type == "LOCATED_IN"]


def test_staging_load_swaps_in_atomically(store):
    _write(store, _records()[:1])
    staging = store.begin_load()
    _write(staging, _records())
    assert store.counts()["nodes"] == {"Commune": 1}  # live graph untouched until commit
    staging.commit_load()
    assert store.counts()["nodes"] == {"Commune": 1, "Structure": 1, "Professional": 1}


def test_aborted_load_leaves_previous_graph_intact(store):
    _write(store, _records())
    before = store.run("MATCH (n) RETURN n ORDER BY n.id").rows
    staging = store.begin_load()
    _write(staging, [Commune(id="62001", name="Ablain-Saint-Nazaire", department="62")])
    staging.abort_load()
    assert store.run("MATCH (n) RETURN n ORDER BY n.id").rows == before


def test_read_only_path_refuses_writes_and_changes_nothing(store):
    _write(store, _records())
    with pytest.raises(WriteRefused, match="DETACH changes the graph"):
        store.run("MATCH (n) DETACH DELETE n")
    with pytest.raises(WriteRefused, match="SET changes the graph"):
        store.run("MATCH (n) WITH n CALL { WITH n SET n.x = 1 } RETURN n")
    assert store.counts()["nodes"] == {"Commune": 1, "Structure": 1, "Professional": 1}
    assert store.run("MATCH (n) WHERE n.x IS NOT NULL RETURN count(n)").scalar() == 0


def test_database_read_only_mode_is_enforced_below_the_text_check(store):
    _write(store, _records())
    with pytest.raises(Exception, match="read-only"):
        store.graph.ro_query("MATCH (n) SET n.x = 1")


def test_syntax_error_and_timeout_are_converted(store):
    _write(store, _records())
    with pytest.raises(QuerySyntaxError, match="Invalid input"):
        store.run("MATCH (n RETURN n")
    store.write("UNWIND range(1, 60) AS i CREATE (:Tmp {id: toString(i)})")
    with pytest.raises(QueryTimeout):  # 13 million rows: stopped by the server after 20 ms
        store.run("MATCH (a:Tmp), (b:Tmp), (c:Tmp), (d:Tmp) RETURN count(*)", timeout_ms=20)


@pytest.mark.parametrize(
    "query, clause",
    [
        ("MATCH (n) RETURN n", None),
        ("MATCH (n) RETURN 'CREATE' AS word", None),
        ("// DELETE everything\nMATCH (n) RETURN n", None),
        ("MATCH (n) SET n.a = 1", "SET"),
        ("merge (n:X {id: 1})", "MERGE"),
        ("CALL db.labels()", None),  # the catalogue procedures only read
        ("CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType", None),
        ("CALL db.idx.fulltext.createNodeIndex('X', 'name')", "CALL"),
        ("CALL { MATCH (n) DETACH DELETE n }", "DETACH"),
        ("CALL db.labels() YIELD label CALL db.clearQueryCaches()", "CALL"),
    ],
)
def test_write_detection_ignores_literals_and_comments(query, clause):
    assert looks_like_write(query) == clause


def test_reading_a_graph_never_loaded_gives_no_rows(store):
    assert store.run("MATCH (n) RETURN n").rows == []
    assert store.counts() == {"nodes": {}, "relationships": {}}


def test_embedded_server_persists_across_restarts(tmp_path):
    s = FalkorStore.embedded(tmp_path / "data", graph="g")
    assert s.server is not None and s.server.owned
    _write(s, _records())
    s.close()
    assert not EmbeddedServer(tmp_path / "data").alive()
    again = FalkorStore.embedded(tmp_path / "data", graph="g")
    try:
        assert again.counts()["nodes"] == {"Commune": 1, "Structure": 1, "Professional": 1}
    finally:
        again.close()


def test_snapshots_are_written_once_and_not_again_at_exit(tmp_path):
    s = FalkorStore.embedded(tmp_path / "data", graph="g")
    _write(s, _records())
    s.server.save()
    s.server.save()
    client = s.server._patient_client()  # a national SAVE takes seconds: no timeout, never sent twice
    assert client.connection_pool.connection_kwargs.get("socket_timeout") is None
    assert client.get_retry()._retries == 0
    s.close()  # nothing changed since the last save: the server stops without another snapshot
    log = (tmp_path / "data" / "falkordb.log").read_text()
    assert log.count("DB saved on disk") == 2 and "Saving the final RDB snapshot" not in log
    again = FalkorStore.embedded(tmp_path / "data", graph="g")
    try:
        assert again.counts()["nodes"] == {"Commune": 1, "Structure": 1, "Professional": 1}
    finally:
        again.close()


def test_second_process_shares_a_running_server(falkor_server):
    other = EmbeddedServer(falkor_server.data_dir)
    other.start()
    assert not other.owned  # it found the running server and did not start another


def test_config_reads_the_same_variables_as_the_cli():
    c = StoreConfig.from_env({"MAILLAGE_DATA_DIR": "/tmp/x", "MAILLAGE_GRAPH": "g"})
    assert (c.backend, str(c.data_dir), c.graph) == ("falkordb", "/tmp/x", "g")
    c = StoreConfig.from_env({"MAILLAGE_NEO4J_URI": "neo4j://h:7687", "MAILLAGE_NEO4J_DATABASE": "cpts"})
    assert (c.backend, c.neo4j_uri, c.neo4j_database) == ("neo4j", "neo4j://h:7687", "cpts")


@pytest.mark.neo4j
def test_neo4j_store_runs_the_same_writer(neo4j_store):
    staging = neo4j_store.begin_load()
    _write(staging, _records())
    staging.commit_load()
    assert neo4j_store.counts()["nodes"] == {"Commune": 1, "Structure": 1, "Professional": 1}
    with pytest.raises(WriteRefused):
        neo4j_store.run("MATCH (n) DETACH DELETE n")
