"""The query runner and ``maillage query``: headers, parameter coercion, computed parameters, read-only runs.

Bad input — an unknown query, a missing or ill-typed parameter, a syntax error, a write,
a timeout — gives one clear English error (exit 2 on the CLI) and changes nothing.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from graph.exceptions import GraphError, ParameterError, QuerySyntaxError, QueryTimeout, UnknownQuery, WriteRefused
from graph.queries import Param, load_query, parse_query
from graph.runner import RunContext, coerce_params, coerce_value, prepare_params, run_cypher, run_query
from loaders.cli import cli
from test_queries import TODAY, gap_territory, write_records

HEADER = "// title: T\n// description: D\n"
SLOW = "UNWIND range(1, 20000) AS x UNWIND range(1, 20000) AS y RETURN count(*) AS n"


@pytest.fixture
def gap(store):
    """The hand-built territory of test_queries.py on a fresh graph."""
    write_records(store, gap_territory())
    return store


# --- headers -----------------------------------------------------------------------------


def test_header_parses_every_form():
    """Defaults, optional, computed, example literal, aliases, columns, examples, continuation lines."""
    q = parse_query("x", HEADER.replace("// description: D\n", "// description: first\n//   second\n") +
                    "// limits: l1\n//   l2\n"
                    "// param: days int = 30 — jours\n"
                    "// param: territory string = null — CPTS\n"
                    "// param: ids list [\"a\", \"b\"] — ids\n"
                    "// param: codes list<int> = 1,2\n"
                    "// param: cutoff date — computed: days_ago(days) — avant\n"
                    "// column: n — Nombre\n"
                    "// example: days=3\n"
                    "RETURN $days AS n")
    assert q.description == "first second" and q.limits == "l1 l2"
    assert [(p.name, p.type, p.default, p.example, p.computed, p.args) for p in q.params] == [
        ("days", "int", "30", None, None, ()), ("territory", "string", "null", None, None, ()),
        ("ids", "list<string>", None, ["a", "b"], None, ()), ("codes", "list<int>", "1,2", None, None, ()),
        ("cutoff", "date", None, None, "days_ago", ("days",))]
    assert q.columns == {"n": "Nombre"} and q.examples == ({"days": "3"},)
    assert q.example_params() == {"days": "3", "ids": ["a", "b"]}
    assert q.param("territory").optional and q.param("ids").required and not q.param("cutoff").required
    assert q.body == "RETURN $days AS n\n"


@pytest.mark.parametrize("header, message", [
    ("// description: D\n", "query 'x' has no '// title:' header line"),
    ("// title: T\n", "query 'x' has no '// description:' header line"),
    (HEADER + "// param: n integr = 3\n", "unknown parameter type (known: string, int"),
    (HEADER + "// param: n int =\n", "empty default (write '= null' for an optional parameter)"),
    (HEADER + "// param: n int = 1\n// param: n int = 2\n", "parameter declared twice: 'n'"),
    (HEADER + "// param: m map = {}\n", "type map is only for computed parameters"),
    (HEADER + "// param: d date — computed: days_ago(days)\n", "uses undeclared parameter 'days'"),
    (HEADER + "// param: n int oops — x\n", "after the type, expected '= <default>', a JSON example"),
    (HEADER + "// colum: n — N\n// title: again\n", "a second title: 'again'"),
    (HEADER + "// example: n:3\n", "expected 'example: <name>=<value> ...': 'n:3'"),
    (HEADER + "// example: n=3\n", "example names undeclared parameter(s) n"),
])
def test_header_errors_name_the_query_line_and_text(header, message):
    """A malformed header is refused with the query, the line and the bad text."""
    with pytest.raises(GraphError) as info:
        parse_query("x", header + "RETURN 1")
    assert message in str(info.value)


def test_unknown_query_suggests_close_names():
    """An unknown name is refused (path tricks too), with close names when there are some."""
    with pytest.raises(UnknownQuery, match="unknown query 'members_not_verifed'; did you mean members_not_verified"):
        load_query("members_not_verifed")
    with pytest.raises(UnknownQuery, match="unknown query '../store'"):
        load_query("../store")
    with pytest.raises(UnknownQuery, match="unknown query language 'sql'"):
        load_query("members_not_verified", "sql")


# --- coercion ----------------------------------------------------------------------------


@pytest.mark.parametrize("ptype, given, expected", [
    ("string", "  ic.suivi ", "ic.suivi"),
    ("int", "12", 12), ("int", 12.0, 12), ("int", " -3 ", -3),
    ("float", "2,5", 2.5), ("float", "10", 10.0), ("float", 3, 3.0),
    ("bool", "oui", True), ("bool", "non", False), ("bool", "true", True), ("bool", "0", False), ("bool", True, True),
    ("date", "2026-01-15", "2026-01-15"), ("date", date(2026, 1, 15), "2026-01-15"),
    ("list<string>", "10, 60,,", ["10", "60"]), ("list<string>", ["10"], ["10"]), ("list<int>", "1,2", [1, 2]),
    ("string", "", None), ("int", "  ", None), ("list<string>", ",", None), ("list<string>", [], []),
])
def test_coerce_value(ptype, given, expected):
    """Text from a form or the command line, or Python values, become typed values."""
    assert coerce_value(Param("p", ptype), given) == expected


@pytest.mark.parametrize("ptype, given, message", [
    ("int", "trente", "parameter 'p' expects int, got 'trente'"),
    ("int", "2.5", "parameter 'p' expects int, got '2.5'"),
    ("int", True, "parameter 'p' expects int, got True"),
    ("float", "nan", "parameter 'p' expects float, got 'nan'"),
    ("float", "dix", "parameter 'p' expects float, got 'dix'"),
    ("bool", "peut-être", "parameter 'p' expects bool, got 'peut-être'"),
    ("date", "15/01/2026", "parameter 'p' expects a date YYYY-MM-DD, got '15/01/2026'"),
    ("list<int>", "1,deux", "parameter 'p' expects int, got 'deux'"),
    ("string", ["a"], "parameter 'p' expects string, got ['a']"),
    ("list<string>", {"a": 1}, "parameter 'p' expects list<string>, got {'a': 1}"),
])
def test_coerce_value_refuses_ill_typed_values(ptype, given, message):
    """An ill-typed value is a ParameterError naming the parameter, the type and the value."""
    with pytest.raises(ParameterError) as info:
        coerce_value(Param("p", ptype), given)
    assert str(info.value) == message
    assert (info.value.code, info.value.param) == ("type", "p")
    assert info.value.value == ("deux" if given == "1,deux" else given)


@pytest.mark.parametrize("given, code, message", [
    ({}, "missing", "missing parameter 'stage' (string) for query 'communes_without_actor_for_stage': "
                    "identifiant de l'étape, ex. ic.suivi"),
    ({"stage": "  "}, "missing", "missing parameter 'stage'"),
    ({"stage": "ic.suivi", "radius": "3"}, "unknown", "unknown parameter 'radius' for query "
                                                      "'communes_without_actor_for_stage' (its parameters: stage, "
                                                      "radius_km, include_optional, participants_only, territory)"),
    ({"stage": "ic.suivi", "distances": "{}"}, "computed", "parameter 'distances' of query "
                                                           "'communes_without_actor_for_stage' is computed from "
                                                           "commune_distances(radius_km, territory)"),
    ({"stage": "ic.suivi", "radius_km": "loin"}, "type", "parameter 'radius_km' expects float, got 'loin'"),
])
def test_coerce_params_errors(given, code, message):
    """Missing, unknown, computed and ill-typed parameters are refused with a clear message."""
    with pytest.raises(ParameterError) as info:
        coerce_params(load_query("communes_without_actor_for_stage"), given)
    assert info.value.code == code
    assert message in str(info.value)


def test_coerce_params_fills_defaults():
    """Defaults are typed; optional parameters are None."""
    assert coerce_params(load_query("communes_without_actor_for_stage"), {"stage": "ic.suivi"}) == {
        "stage": "ic.suivi", "radius_km": None, "include_optional": False, "participants_only": False,
        "territory": None}


# --- computed parameters -----------------------------------------------------------------


def test_commune_distances_from_the_graph(gap):
    """Distances from each territory commune to the communes within the radius, from the Commune nodes."""
    ctx = RunContext(store=gap, today=TODAY)
    params = prepare_params(load_query("communes_without_actor_for_stage"),
                            {"stage": "ic.suivi", "radius_km": 5}, ctx)
    assert params["distances"] == {
        "59001": {"59001": 0.0, "59002": 4.45},
        "59002": {"59001": 4.45, "59002": 0.0, "59003": 4.45},
        "59003": {"59002": 4.45, "59003": 0.0},
        "59004": {"59004": 0.0},
    }
    # without a radius: the largest role radius (30 km) — Epsilon (33 km from Delta) stays out
    params = prepare_params(load_query("communes_without_actor_for_stage"), {"stage": "ic.suivi"}, ctx)
    assert sorted(params["distances"]["59004"]) == ["59001", "59002", "59003", "59004"]
    assert "commune_index" in ctx.cache


def test_relative_dates(gap):
    """today(), days_ago(), days_ahead() count from the context's day."""
    ctx = RunContext(store=gap, today=TODAY)
    assert prepare_params(load_query("members_not_verified"), {"days": 15}, ctx)["cutoff"] == "2025-12-31"
    got = prepare_params(load_query("partnerships_expiring"), {}, ctx)
    assert (got["today"], got["horizon"]) == ("2026-01-15", "2026-04-15")


# --- read-only runs ----------------------------------------------------------------------


@pytest.mark.parametrize("text, clause", [
    ("MATCH (n) DETACH DELETE n", "DETACH"),
    ("CREATE (:Commune {id: 'x'})", "CREATE"),
    ("match (c:Commune) set c.name = 'x' return c", "SET"),
    ("MERGE (c:Commune {id: '59001'})", "MERGE"),
    ("MATCH (c:Commune) REMOVE c.name", "REMOVE"),
    ("MATCH (c:Commune)\n// harmless?\nWITH c DELETE c", "DELETE"),
    ("CALL db.clearQueryCaches()", "CALL"),
    ("UNWIND [1] AS x FOREACH (y IN [1] | CREATE (:X))", "FOREACH"),
])
def test_free_query_refuses_writes_and_leaves_the_graph_unchanged(gap, text, clause):
    """A write is refused before it is sent; the graph keeps every node and relationship."""
    before = gap.counts()
    with pytest.raises(WriteRefused) as info:
        run_cypher(gap, text)
    assert info.value.clause == clause
    assert "only read queries are allowed here" in str(info.value)
    assert gap.counts() == before


def test_database_refuses_a_write_on_the_read_only_path(gap):
    """Behind the text check, FalkorDB's read-only query command refuses a write too."""
    before = gap.counts()
    with pytest.raises(Exception, match="(?i)read.only"):
        gap.graph.ro_query("CREATE (:Commune {id: 'x'})")
    assert gap.counts() == before


def test_free_query_keywords_in_strings_are_not_writes(gap):
    """Words inside string literals or backquoted names are not clauses."""
    res = run_cypher(gap, "MATCH (c:Commune {id: $id}) RETURN c.name AS `create`, 'DELETE me' AS note",
                     {"id": "59001"})
    assert res.columns == ["create", "note"] and res.rows == [["Alpha", "DELETE me"]]


@pytest.mark.parametrize("text, message", [
    ("", "the query is empty"),
    ("   \n", "the query is empty"),
    ("MATCH (c:Commune RETURN c", "Invalid input"),
    ("RETURN " + "1 + " * 6000 + "1", "characters long; the limit is 20000"),
])
def test_free_query_syntax_errors(gap, text, message):
    """An empty, too long or malformed query is a QuerySyntaxError."""
    with pytest.raises(QuerySyntaxError, match=message):
        run_cypher(gap, text)


def _slow_down(store) -> None:
    """Give the test territory 4,000 more communes, so that the gap query takes far longer than 1 ms
    (about 0.5 s here); on the bare test territory it can finish within 1 ms."""
    store.write("MATCH (t:Territory {id: 'cpts-test'}) UNWIND range(1, 4000) AS i "
                "CREATE (t)-[:COVERS]->(:Commune {id: 'X' + toString(i), name: 'Extra ' + toString(i)})")


def test_timeouts_stop_the_query(gap):
    """A query past its time limit is stopped with QueryTimeout, free or from the library."""
    with pytest.raises(QueryTimeout, match="time limit"):
        run_cypher(gap, SLOW, timeout_ms=1)
    _slow_down(gap)
    with pytest.raises(QueryTimeout):
        run_query(gap, "communes_without_actor_for_stage", {"stage": "ic.suivi"}, timeout_ms=1, today=TODAY)


def test_run_query_values_travel_as_parameters(gap):
    """A value that looks like Cypher is only ever a value."""
    res = run_query(gap, "communes_without_actor_for_stage",
                    {"stage": "ic.suivi'}) MATCH (n) DETACH DELETE n //"}, today=TODAY)
    assert res.rows == []
    assert gap.counts()["nodes"]["Commune"] == 5


# --- the CLI -----------------------------------------------------------------------------


def _invoke(runner, store, *args):
    """Run ``maillage`` on a given store."""
    return runner.invoke(cli, list(args), obj={"store": store}, catch_exceptions=False)


def test_cli_list(runner):
    """--list shows every query of the library with its French title."""
    res = runner.invoke(cli, ["query", "--list"])
    assert res.exit_code == 0
    assert "members_not_verified" in res.output and "Adhérents sans parcours" in res.output
    data = json.loads(runner.invoke(cli, ["query", "--list", "--format", "json"]).output)
    entry = next(d for d in data if d["name"] == "partnerships_expiring")
    assert [p["name"] for p in entry["params"]] == ["days", "today", "horizon"]
    assert entry["params"][1]["computed"] == "today"


def test_cli_describe(runner):
    """--describe shows the header and the query text without running it."""
    res = runner.invoke(cli, ["query", "population_per_professional", "--describe"])
    assert res.exit_code == 0
    assert "Limits: Ce n'est pas l'APL" in res.output
    assert "threshold (int, default 1500)" in res.output and "MATCH (t:Territory)" in res.output


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_cli_runs_a_query(runner, gap, fmt):
    """Rows in each format, with list parameters given twice or comma-separated."""
    res = _invoke(runner, gap, "query", "structures_without_cpts_partnership", "-p", "categories=127",
                  "--param", "categories=500,354", "--today", "2026-01-15", "--format", fmt)
    assert res.exit_code == 0, res.output
    if fmt == "json":
        data = json.loads(res.output)
        assert data["params"]["categories"] == ["127", "500", "354"]
        assert [r["finess"] for r in data["rows"]] == ["590000040", "590000050"]
    elif fmt == "csv":
        lines = res.output.splitlines()
        assert lines[0] == "finess,name,category,category_label,commune,commune_name,territory"
        assert lines[1].startswith("590000040,HAD GAMMA,127")
        assert len(lines) == 3
    else:
        assert "HAD GAMMA" in res.output and "EHPAD LES TILLEULS" in res.output
        assert res.output.rstrip().endswith("2 row(s).")


def test_cli_computed_dates_follow_today(runner, gap):
    """--today fixes the day relative dates count from."""
    res = _invoke(runner, gap, "query", "members_not_verified", "-p", "days=200", "--today", "2026-01-15",
                  "--format", "json")
    assert [r["actor"] for r in json.loads(res.output)["rows"]] == ["810000000004", "810000000003", "590000040"]


@pytest.mark.parametrize("args, message", [
    (["query", "nope"], "Error: unknown query 'nope'; run 'maillage query --list' to see the library"),
    (["query", "members_not_verifed"], "did you mean members_not_verified?"),
    (["query"], "Error: give a query NAME, or --list to see the library"),
    (["query", "members_not_verified", "-p", "days=soon"], "Error: parameter 'days' expects int, got 'soon'\n"
                                                            "Hint: maillage query members_not_verified --describe"),
    (["query", "members_not_verified", "-p", "dayz=3"], "Error: unknown parameter 'dayz'"),
    (["query", "members_not_verified", "-p", "days"], "Error: expected --param NAME=VALUE, got 'days'"),
    (["query", "members_not_verified", "-p", "days=3", "-p", "days=4"], "Error: parameter 'days' given twice"),
    (["query", "members_not_verified", "-p", "cutoff=2020-01-01"], "is computed from days_ago(days)"),
    (["query", "communes_without_actor_for_stage"], "Error: missing parameter 'stage' (string)"),
    (["query", "--list", "members_not_verified"], "Error: --list takes no query name or parameter"),
])
def test_cli_bad_input_exits_2_with_one_message(runner, gap, args, message):
    """Bad input: exit 2, one English message, no traceback, the graph unchanged."""
    before = gap.counts()
    res = runner.invoke(cli, args, obj={"store": gap})
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert gap.counts() == before


def test_cli_timeout_exits_2(runner, gap):
    """A timeout on the CLI is an exit 2 with a hint, not a traceback."""
    _slow_down(gap)
    res = runner.invoke(cli, ["query", "communes_without_actor_for_stage", "-p", "stage=ic.suivi",
                              "--timeout-ms", "1"], obj={"store": gap})
    assert res.exit_code == 2
    assert "stopped after its time limit; nothing was changed" in res.output
    assert "raise --timeout-ms" in res.output
