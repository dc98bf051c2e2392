"""The national search path of the matching engine gives the territory path's answers.

A graph of more than ``PRELOAD_MAX_COMMUNES`` communes (a region, France) is not
read at once: the engine reads the actors of each role's zone, or, in a dense zone,
only the nearest communes where the per-commune counts say a fitting actor
practises, and the first professionals by id of a commune with hundreds of them.
These tests force that path on the demo territory (by lowering the thresholds) and
compare it with the exact, preloaded answers on the same random requests.
"""
from __future__ import annotations

import random
from datetime import date

import pytest

import graph.match_data as md
import graph.matching as mt
from graph.matching import MatchRequest, match_data, run_match

TODAY = date(2026, 11, 22)


def _requests(store, n: int, seed: int) -> list[MatchRequest]:
    data = match_data(store, {})
    stages = [(p.id, s.key) for p in data.catalog.values() for s in p.stages]
    communes = sorted(data.index.by_code)
    rng = random.Random(seed)
    return [MatchRequest(pathway=pw, stage=st, commune=rng.choice(communes), home_visit=rng.random() < 0.3,
                         today=TODAY)
            for pw, st in (rng.choice(stages) for _ in range(n))]


def _answers(store, requests: list[MatchRequest]) -> list[dict]:
    cache: dict = {}
    return [run_match(store, r, cache=cache) for r in requests]


@pytest.fixture(scope="module")
def requests_and_exact(demo_store):
    requests = _requests(demo_store, 60, seed=11)
    assert match_data(demo_store, {}).preloaded  # the demo is a territory: read at once
    return requests, _answers(demo_store, requests)


def _ids(entries: list[dict]) -> list[str]:
    return [e["id"] for e in entries]


@pytest.mark.parametrize("max_rows", [md.LOCATED_MAX_ROWS, 0], ids=["cache-kept", "cache-dropped-each-read"])
def test_national_path_without_dense_zones_gives_identical_answers(demo_store, requests_and_exact, monkeypatch,
                                                                  max_rows):
    requests, exact = requests_and_exact
    monkeypatch.setattr(md, "PRELOAD_MAX_COMMUNES", 0)
    monkeypatch.setattr(md, "LOCATED_MAX_ROWS", max_rows)
    monkeypatch.setattr(mt, "DENSE_ZONE", 10**9)
    national = _answers(demo_store, requests)
    assert not match_data(demo_store, {}).preloaded
    for req, e, n in zip(requests, exact, national):
        for re_, rn in zip(e["roles"], n["roles"]):
            where = (req.pathway, req.stage, req.commune, re_["key"])
            assert _ids(rn["candidates"]) == _ids(re_["candidates"]), where
            assert rn["more"] == re_["more"] and not rn["estimated"], where
            assert _ids(rn["set_aside"]) == _ids(re_["set_aside"]), where
            assert rn["set_aside_more"] == re_["set_aside_more"], where
            assert (rn["nearest"] or {}).get("id") == (re_["nearest"] or {}).get("id"), where
        assert n["ruptures"] == e["ruptures"]


def test_dense_zones_read_the_nearest_only_and_rank_the_same(demo_store, requests_and_exact, monkeypatch):
    requests, exact = requests_and_exact
    monkeypatch.setattr(md, "PRELOAD_MAX_COMMUNES", 0)
    monkeypatch.setattr(mt, "DENSE_ZONE", 0)  # every zone is dense
    monkeypatch.setattr(mt, "BIG_COMMUNE", 0)  # and every commune: the first professionals by id only
    dense = _answers(demo_store, requests)
    estimated = differ = 0
    for req, e, n in zip(requests, exact, dense):
        for re_, rn in zip(e["roles"], n["roles"]):
            where = (req.pathway, req.stage, req.commune, re_["key"])
            assert _ids(rn["candidates"]) == _ids(re_["candidates"]), where
            assert [c["reasons"] for c in rn["candidates"]] == [c["reasons"] for c in re_["candidates"]], where
            assert rn["rupture"] == re_["rupture"], where
            assert (rn["nearest"] or {}).get("id") == (re_["nearest"] or {}).get("id"), where
            # how many more: an estimate from the per-commune counts (an actor in two communes counts twice)
            assert rn["more"] >= re_["more"] if rn["estimated"] else rn["more"] == re_["more"], where
            total_exact = len(re_["set_aside"]) + re_["set_aside_more"]
            assert len(rn["set_aside"]) + rn["set_aside_more"] >= total_exact, where
            estimated += rn["estimated"]
            differ += rn["more"] != re_["more"]
    assert estimated > sum(len(e["roles"]) for e in exact) / 2  # the dense path was taken
    assert differ < estimated / 4  # and its estimates are close: few differ at all


def test_commune_counts_match_the_actors_read(demo_store):
    data = match_data(demo_store, {})
    keys = [("professional", "60")]
    communes = sorted(data.index.by_code)
    data.ensure_located(demo_store, communes, keys)
    for c in communes:
        read = len({aid for aid, _spec in data.located(c, keys[0])})
        assert data.zone_count(demo_store, [c], keys) == read, c
    assert data.zone_count(demo_store, communes, keys) > 100


def test_results_page_says_when_counts_are_estimated(demo_store, monkeypatch):
    from web import create_app

    monkeypatch.setattr(md, "PRELOAD_MAX_COMMUNES", 0)
    monkeypatch.setattr(mt, "DENSE_ZONE", 0)
    app = create_app({"TESTING": True, "STORE": demo_store, "SECRET_KEY": "test"})  # its own, empty cache
    page = app.test_client().get("/recherche", query_string={"pathway": "ic", "stage": "suivi",
                                                             "commune": "Douai (59178)", "limit": "2"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "candidats" in html and "environ " in html and "zone dense" in html

    monkeypatch.setattr(mt, "DENSE_ZONE", 10**9)
    app = create_app({"TESTING": True, "STORE": demo_store, "SECRET_KEY": "test"})
    html = app.test_client().get("/recherche", query_string={"pathway": "ic", "stage": "suivi",
                                                             "commune": "Douai (59178)", "limit": "2"}).get_data(as_text=True)
    assert "candidats" in html and "environ " not in html


def test_national_path_reads_only_communes_where_the_counts_find_someone(demo_store, monkeypatch):
    """Per-commune counts spare the queries: no zone query names a commune without a fitting actor,
    and the structures of the pathways are read once, in one query, instead of zone by zone."""
    monkeypatch.setattr(md, "PRELOAD_MAX_COMMUNES", 0)
    monkeypatch.setattr(mt, "DENSE_ZONE", 10**9)
    calls: list[tuple[str, dict]] = []
    names = {md.load_match_query(n): n for n in ("match_actors_in_communes", "match_structures_located")}
    real_run = demo_store.run

    def spy(query, params=None, **kw):
        if query in names:
            calls.append((names[query], dict(params or {})))
        return real_run(query, params, **kw)

    monkeypatch.setattr(demo_store, "run", spy)
    cache: dict = {}
    for req in _requests(demo_store, 20, seed=5):
        run_match(demo_store, req, cache=cache)
    data = match_data(demo_store, cache)
    assert [n for n, _p in calls].count("match_structures_located") == 1
    zone_calls = [p for n, p in calls if n == "match_actors_in_communes"]
    assert zone_calls and all(not p["categories"] for p in zone_calls)  # structures come from the one read
    for p in zone_calls:
        for c in p["communes"]:
            assert data.zone_count(demo_store, [c], [("professional", code) for code in p["professions"]]) > 0, c
    # the structures read at once are those a zone query would have found
    codes = data.role_codes()[1]
    expected = {(r["commune"], r["id"]) for r in md.run_query(demo_store, "match_actors_in_communes",
                                                              communes=sorted(data.index.by_code),
                                                              professions=[], categories=codes)}
    got = {(c, aid) for c in data.index.by_code for code in codes for aid, _s in data.located(c, ("structure", code))}
    assert got == expected and len(got) > 50


def test_caches_are_frozen_out_of_the_collector(demo_store, monkeypatch):
    """A national graph's caches are taken out of the garbage collector's scans once built (gc.freeze)."""
    import gc

    monkeypatch.setattr(md, "PRELOAD_MAX_COMMUNES", 0)
    gc.unfreeze()
    run_match(demo_store, MatchRequest(pathway="ic", stage="suivi", commune="59178", today=TODAY), cache={})
    assert gc.get_freeze_count() > 10_000
    gc.unfreeze()


def test_warm_reads_what_the_first_national_match_would(demo_store, monkeypatch):
    """``MatchData.warm`` (run by ``maillage serve``) leaves the first search no counts nor structures to read."""
    monkeypatch.setattr(md, "PRELOAD_MAX_COMMUNES", 0)
    cache: dict = {}
    match_data(demo_store, cache).warm(demo_store)
    seen: list[str] = []
    names = {md.load_match_query(n): n for n in ("match_commune_counts", "match_structures_located")}
    real_run = demo_store.run

    def spy(query, params=None, **kw):
        seen.append(names.get(query, "other"))
        return real_run(query, params, **kw)

    monkeypatch.setattr(demo_store, "run", spy)
    run_match(demo_store, MatchRequest(pathway="ic", stage="suivi", commune="59178", today=TODAY), cache=cache)
    assert seen and not set(seen) & {"match_commune_counts", "match_structures_located"}
