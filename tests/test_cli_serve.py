"""``maillage serve``, the README's main job: a real process on the embedded store, answering searches.

The demo territory is loaded into a fresh data folder with ``maillage load --demo``, then
``maillage serve`` is started as a subprocess on a free port; the home page and a search
must answer, in French, from that process.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

MAILLAGE = Path(sys.executable).with_name("maillage")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 (a local URL)
        return r.status, r.read().decode("utf-8")


def _load_demo(data: Path) -> dict[str, str]:
    """Load the demo into the data folder ``data`` with the CLI; return the environment that names it."""
    env = {**os.environ, "MAILLAGE_DATA_DIR": str(data)}
    env.pop("MAILLAGE_NEO4J_URI", None)
    load = subprocess.run([str(MAILLAGE), "load", "--demo", "--no-progress"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert load.returncode in (0, 1), load.stderr  # 1: rows rejected, reported (the demo has none today)
    return env


def _wait_until_served(proc: subprocess.Popen, base: str, log: Path) -> None:
    """Poll the home page until the viewer answers (the process must not have died)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(base + "/")
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"maillage serve did not answer: {log.read_text()}") from None
            time.sleep(0.2)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve-data")
    env = _load_demo(data)
    port = _free_port()
    log = data / "serve.log"
    with open(log, "w", encoding="utf-8") as out, \
            subprocess.Popen([str(MAILLAGE), "serve", "--port", str(port)], env=env, stdout=out,
                             stderr=subprocess.STDOUT) as proc:
        try:
            _wait_until_served(proc, f"http://127.0.0.1:{port}", log)
            yield f"http://127.0.0.1:{port}", log
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def test_serve_answers_the_home_page_in_french(served):
    base, _log = served
    status, html = _get(base + "/")
    assert status == 200 and 'lang="fr"' in html and "Qui peut prendre ce patient" in html


def test_serve_answers_a_search_from_the_loaded_demo(served):
    base, _log = served
    status, body = _get(base + "/api/match?pathway=ic&stage=suivi&commune=59178")
    answer = json.loads(body)
    assert status == 200 and answer["ok"] and answer["commune"]["name"] == "Douai"
    assert any(role["candidates"] for role in answer["roles"])


def test_serve_prepares_the_graph_before_listening(served):
    _base, log = served
    text = log.read_text(encoding="utf-8")
    assert text.index("graph ready for searches in") < text.index("maillage: http://127.0.0.1:")


def test_stopping_the_viewer_stops_the_store_it_started(tmp_path):
    """SIGTERM (kill, systemd, docker stop) on ``maillage serve`` also stops the embedded FalkorDB it started."""
    from graph.falkor import EmbeddedServer

    env = _load_demo(tmp_path)
    port, log = _free_port(), tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as out, \
            subprocess.Popen([str(MAILLAGE), "serve", "--port", str(port)], env=env, stdout=out,
                             stderr=subprocess.STDOUT) as proc:
        _wait_until_served(proc, f"http://127.0.0.1:{port}", log)
        server = EmbeddedServer(tmp_path)
        assert server.alive()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert not server.alive(), "the embedded FalkorDB outlived the viewer that started it"
