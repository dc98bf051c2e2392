"""The SPARQL twins (queries/sparql/*.rq) parse offline and give the same answers as their Cypher queries.

The RDF graph is the projection of the hand-built territory of test_queries.py
(``graph.rdf.store_to_rdf``); each twin runs through ``graph.runner.run_sparql``
(``prepareQuery(..., initNs=...)`` and ``initBindings``) with the parameter sets of
the Cypher golden tests it accepts, and must return the Cypher query's rows on its
columns (a list column of the Cypher query is a ``|``-joined text in SPARQL).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from graph.exceptions import ParameterError, UnknownQuery
from graph.falkor import FalkorStore
from graph.queries import QUERY_DIR, load_query, query_names
from graph.runner import run_query, run_sparql
from ontology.namespace import PREFIXES
from test_queries import GOLDEN, TODAY, gap_territory, write_records

RQ_FILES = sorted((QUERY_DIR / "sparql").glob("*.rq"))


@pytest.fixture(scope="module")
def twin_stores(falkor_db):
    """The hand-built territory in FalkorDB and its RDF projection."""
    from graph.rdf import store_to_rdf

    name = "gap_territory_sparql"
    if falkor_db.connection.exists(name):
        falkor_db.connection.delete(name)
    store = FalkorStore(falkor_db, name)
    write_records(store, gap_territory())
    yield store, store_to_rdf(store)
    falkor_db.connection.delete(name)


@pytest.mark.parametrize("path", RQ_FILES, ids=[p.name for p in RQ_FILES])
def test_rq_parses_offline(path: Path):
    """Every .rq parses with rdflib's prepareQuery and has a header."""
    from rdflib.plugins.sparql import prepareQuery

    query = load_query(path.stem, "sparql")
    prepareQuery(query.text, initNs=PREFIXES)
    assert query.title and query.description


@pytest.mark.parametrize("path", RQ_FILES, ids=[p.name for p in RQ_FILES])
def test_rq_has_a_cypher_twin(path: Path):
    """Every .rq has the Cypher query of the same name, title and columns."""
    sparql, cypher = load_query(path.stem, "sparql"), load_query(path.stem)
    assert sparql.title == cypher.title
    assert set(sparql.columns) <= set(cypher.columns)
    assert {p.name for p in sparql.params} <= {p.name for p in cypher.params}


def test_at_least_a_few_twins():
    """The library has several SPARQL twins."""
    assert len(query_names("sparql")) >= 5


def _cases():
    """(name, params) of the golden tests that a SPARQL twin accepts, plus a filter that finds nothing."""
    twins = set(query_names("sparql"))
    out = []
    for name, params, _expected in GOLDEN:
        if name in twins:
            declared = {p.name for p in load_query(name, "sparql").user_params}
            if set(params) <= declared:
                out.append((name, params))
    out += [("members_without_pathway", {"territory": "cpts-test"}),
            ("members_without_pathway", {"territory": "other-cpts"}),
            ("professionals_not_members", {"territory": "other-cpts"}),
            ("structures_without_cpts_partnership", {"territory": "cpts-test", "signed_only": "oui"})]
    return out


def _normal(value, like):
    """A SPARQL value shaped as its Cypher twin's (``a|b`` text as a sorted list)."""
    if isinstance(like, list):
        return sorted(v for v in (value or "").split("|") if v)
    return value


CASES = _cases()


@pytest.mark.parametrize("name, params", CASES,
                         ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}" for n, p in CASES])
def test_twin_gives_the_cypher_answers(twin_stores, name, params):
    """Same rows, in the same order, on the SPARQL twin's columns."""
    store, rdf = twin_stores
    cypher = run_query(store, name, params, today=TODAY)
    sparql = run_sparql(rdf, name, params, today=TODAY)
    assert set(sparql.columns) <= set(cypher.columns)
    index = [cypher.columns.index(c) for c in sparql.columns]
    expected = [[sorted(row[i]) if isinstance(row[i], list) else row[i] for i in index] for row in cypher.rows]
    got = [[_normal(v, expected_row[j]) for j, v in enumerate(row)]
           for row, expected_row in zip(sparql.rows, expected)]
    assert len(sparql.rows) == len(cypher.rows)
    assert got == expected


def test_twins_agree_with_the_golden_answers_too(twin_stores):
    """Not only agreement: a twin finds the known answer (bpco has no référent)."""
    _store, rdf = twin_stores
    assert run_sparql(rdf, "pathways_without_referent").rows == [["bpco", "BPCO", "HAS, guide BPCO 2019", 1]]


def test_sparql_bad_input(twin_stores):
    """Unknown twin and ill-typed parameter: the same errors as for Cypher."""
    _store, rdf = twin_stores
    with pytest.raises(UnknownQuery, match="unknown query 'handoffs_without_link'"):
        run_sparql(rdf, "handoffs_without_link")
    with pytest.raises(ParameterError, match="parameter 'days' expects int, got 'soon'"):
        run_sparql(rdf, "members_not_verified", {"days": "soon"})
