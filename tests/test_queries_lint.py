"""Every file of queries/cypher passes Neo4j's own linter (@neo4j-cypher/language-support), Neo4j 5 dialect.

The linter runs in Node (``tests/cypher_lint/lint.mjs``); ``make cypher-lint`` installs it with
``npm ci`` from the pinned ``package-lock.json``, and this module does the same when
``node_modules`` is missing. Each query is linted with the parameters its header declares
(an undeclared ``$param`` is an error), the built-in functions of a Neo4j 5 server (a
FalkorDB-only function is an error) and the labels, relationship types and property keys
of the model (a misspelling is a warning, listed in the test output).
"""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from graph import model
from graph.queries import QUERY_DIR, load_query

LINT_DIR = Path(__file__).parent / "cypher_lint"
CYPHER_FILES = sorted((QUERY_DIR / "cypher").glob("*.cypher"))
SAMPLES = {"string": "x", "int": 1, "float": 1.0, "bool": True, "date": "2026-01-15", "map": {},
           "list<string>": ["x"], "list<int>": [1], "list<float>": [1.0]}


def model_schema() -> dict[str, list[str]]:
    """Labels, relationship types and property keys of the one model (graph/model.py)."""
    labels = sorted({t.LABEL for t in model.RECORD_TYPES if t.LABEL})
    source = Path(model.__file__).read_text(encoding="utf-8")
    rel_types = sorted(set(re.findall(r'Edge\(\s*"([A-Z_]+)"', source)))
    keys = {"id", "order"}  # "order" is the HAS_STAGE relationship's property
    for t in model.RECORD_TYPES:
        keys |= {f.name for f in dataclasses.fields(t)} - set(t.EDGE_FIELDS)
    return {"labels": labels, "relationshipTypes": rel_types, "propertyKeys": sorted(keys)}


def _sample(param) -> object:
    """A value of the parameter's type for the linter (the example or default when there is one)."""
    if param.example is not None:
        return param.example
    return SAMPLES[param.type]


def run_linter(queries: list[dict]) -> list[dict]:
    """Lint ``[{"id", "text", "parameters"}]`` with lint.mjs; return its JSON answer."""
    request = {"queries": queries, "schema": model_schema()}
    proc = subprocess.run(["node", "lint.mjs"], cwd=LINT_DIR, input=json.dumps(request), capture_output=True,
                          text=True, timeout=300)
    if proc.returncode not in (0, 1):
        pytest.fail(f"lint.mjs failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def linter_ready() -> None:
    """Node and the pinned npm package are there (``npm ci`` runs when node_modules is missing)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("node and npm are needed to run Neo4j's Cypher linter (apt-get install nodejs npm)")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        proc = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=LINT_DIR, capture_output=True,
                              text=True, timeout=600)
        if proc.returncode != 0:
            pytest.fail(f"npm ci in {LINT_DIR} failed: {proc.stderr[-2000:]}")


@pytest.fixture(scope="session")
def lint_results(linter_ready) -> dict[str, list[dict]]:
    """Diagnostics of every file of queries/cypher, linted in one Node process."""
    queries = []
    for path in CYPHER_FILES:
        query = load_query(path.stem)
        queries.append({"id": path.name, "text": query.text,
                        "parameters": {p.name: _sample(p) for p in query.params}})
    return {entry["id"]: entry["diagnostics"] for entry in run_linter(queries)}


@pytest.mark.parametrize("path", CYPHER_FILES, ids=[p.name for p in CYPHER_FILES])
def test_query_passes_neo4j_linter(lint_results, path: Path):
    """No diagnostic of severity error; warnings are printed with the test's output."""
    diagnostics = lint_results[path.name]
    for d in diagnostics:
        if d["severity"] != "error":
            print(f"{path.name}:{d['line']}:{d['column']}: {d['severity']}: {d['message']}")
    errors = [f"{path.name}:{d['line']}:{d['column']}: {d['message']}" for d in diagnostics
              if d["severity"] == "error"]
    assert not errors, "\n".join(errors)


BAD = {
    # FalkorDB's distance() is not a Neo4j function (Neo4j has point.distance)
    "falkordb_distance": ("MATCH (c:Commune) RETURN distance(point({latitude: c.lat, longitude: c.lon}), "
                          "point({latitude: 50.0, longitude: 3.0})) AS d",
                          "Function distance is not present in the database"),
    # a parameter the header does not declare
    "undeclared_parameter": ("MATCH (c:Commune {id: $commune}) RETURN c.name AS name",
                             "Parameter $commune is not defined."),
    # Neo4j refuses to mix a grouping key into an aggregation (FalkorDB accepts it)
    "implicit_grouping": ("MATCH (s:Stage) WITH s, [] AS l OPTIONAL MATCH (s)-[:NEXT]->(n:Stage) "
                          "RETURN s.id AS id, l + collect(n.id) AS c", "implicit grouping expressions"),
}


@pytest.fixture(scope="session")
def bad_results(linter_ready) -> dict[str, list[dict]]:
    """Diagnostics of the known-bad texts and of a misspelt property, in one Node process."""
    queries = [{"id": key, "text": text, "parameters": {}} for key, (text, _m) in BAD.items()]
    queries.append({"id": "typo", "text": "MATCH (c:Commune) RETURN c.populaton AS p", "parameters": {}})
    return {entry["id"]: entry["diagnostics"] for entry in run_linter(queries)}


@pytest.mark.parametrize("key", sorted(BAD))
def test_linter_catches_what_neo4j_rejects(bad_results, key):
    """The lint is not a no-op: constructs Neo4j rejects come back as errors."""
    errors = [d["message"] for d in bad_results[key] if d["severity"] == "error"]
    assert any(BAD[key][1] in e for e in errors), errors


def test_linter_warns_on_a_misspelt_property(bad_results):
    """A property key outside the model is a warning (the model's schema is given to the linter)."""
    diagnostics = bad_results["typo"]
    assert [d["severity"] for d in diagnostics] == ["warning"]
    assert "populaton is not present" in diagnostics[0]["message"]


#: constructs FalkorDB rejects (or does differently) though Neo4j accepts them
FALKOR_REJECTS = [r"\bCOUNT\s*\{", r"\bEXISTS\s*\{", r"point\.distance", r"\bdistance\s*\(", r"=~",
                  r"\bCALL\s*\{"]


@pytest.mark.parametrize("path", CYPHER_FILES, ids=[p.name for p in CYPHER_FILES])
def test_query_avoids_what_falkordb_rejects(path: Path):
    """No COUNT {} / EXISTS {} subquery, no distance function, no regular expression, no CALL {}."""
    body = load_query(path.stem).body
    found = [p for p in FALKOR_REJECTS if re.search(p, body, re.I)]
    assert not found, f"{path.name} uses {found}"
