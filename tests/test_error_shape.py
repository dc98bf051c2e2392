"""One error shape under /api: ``{"ok": false, "error": <message>, "status": <code>}``, whatever went wrong."""
from __future__ import annotations

import pytest

from test_matching import build
from web import create_app

API_ERRORS = [
    ("GET", "/api/match?pathway=xx&stage=b&commune=59001", 400),
    ("GET", "/api/match?pathway=tp&stage=zz&commune=59001", 400),
    ("GET", "/api/match?pathway=tp&stage=b&commune=Omega", 400),
    ("GET", "/api/match?pathway=tp&stage=b&commune=Gamma", 400),
    ("GET", "/api/match?pathway=tp&stage=b&commune=59001&radius_km=1000", 400),
    ("GET", "/api/match?pathway=tp&stage=b&commune=59001&limit=x", 400),
    ("GET", "/api/match", 400),
    ("GET", "/api/actors/nobody", 404),
    ("GET", "/api/actors/" + "9" * 80, 404),
    ("GET", "/api/pathways/nope", 404),
    ("GET", "/api/communes?q=" + "x" * 200, 400),
    ("GET", "/api/no-such-endpoint", 404),
    ("POST", "/api/match?pathway=tp&stage=b&commune=59001", 405),
    ("DELETE", "/api/pathways", 405),
]


@pytest.fixture
def api(store):
    """A test client on the hand-built territory."""
    build(store)
    return create_app({"TESTING": True, "STORE": store, "SECRET_KEY": "t"}).test_client()


@pytest.mark.parametrize("method, url, status", API_ERRORS, ids=[f"{m} {u[:60]}" for m, u, _ in API_ERRORS])
def test_api_errors_have_one_shape(api, method, url, status):
    """Every API error is JSON with ok, error and status (and, for an ambiguous commune, choices)."""
    r = api.open(url, method=method)
    assert r.status_code == status
    assert r.mimetype == "application/json"
    body = r.get_json()
    assert set(body) - {"choices"} == {"ok", "error", "status"}
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize("url, status", [
    ("/recherche?pathway=xx&stage=b&commune=59001", 400),
    ("/recherche?pathway=tp&stage=b&commune=59001&radius_km=1000", 400),
    ("/acteurs/nobody", 404),
    ("/parcours/nope", 404),
])
def test_page_errors_are_french_pages(api, url, status):
    """Outside /api, an error is a French HTML page, not JSON."""
    r = api.get(url)
    assert r.status_code == status
    assert r.mimetype == "text/html"
    assert '<html lang="fr">' in r.get_data(as_text=True)
