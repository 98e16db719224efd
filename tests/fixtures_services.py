"""Downstream test helpers: PostgreSQL 15 (initdb in a temp dir), Alertmanager, hand-built articles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from streams.core.ids import event_id
from streams.core.records import (
    CameoEvent,
    DedupInfo,
    EnrichedArticle,
    Entity,
    Figure,
    SourceInfo,
    Topic,
)

__all__ = ["Receiver", "alertmanager", "article", "free_port", "pg_server", "pg_url"]

PG_BIN = Path(os.environ.get("WARTA_PG_BIN", "/usr/lib/postgresql/15/bin"))
ALERTMANAGER = Path(os.environ.get("WARTA_ALERTMANAGER_BIN", "/usr/bin/prometheus-alertmanager"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_pg_user(cmd: list[str]) -> list[str]:
    """Root cannot run postgres: run it as the Debian package's ``postgres`` user."""
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *cmd]
    return ["su", "postgres", "-c", " ".join(cmd)]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A PostgreSQL server on a free port; yields the base URL (database ``postgres``)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql)")
    base = Path(tempfile.mkdtemp(prefix="warta-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        shutil.chown(sock, "postgres", "postgres")
    port = free_port()
    try:
        subprocess.run(
            _as_pg_user(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_pg_user(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-l",
                    str(base / "log"),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=90,
        )
    except subprocess.CalledProcessError as exc:
        log = (base / "log").read_text() if (base / "log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {exc.stderr.decode(errors='replace')}\n{log}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the session server for one test."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def alertmanager() -> Iterator[str]:
    """Debian's prometheus-alertmanager on a free port with a temp config and storage; yields its URL."""
    if not ALERTMANAGER.exists():
        pytest.skip(f"{ALERTMANAGER} not found (apt-get install prometheus-alertmanager)")
    base = Path(tempfile.mkdtemp(prefix="warta-am-"))
    cfg = base / "alertmanager.yml"
    cfg.write_text(
        "route:\n  receiver: 'null'\n  group_by: ['alertname', 'story_id']\nreceivers:\n  - name: 'null'\n"
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (base / "log").open("wb")
    proc = subprocess.Popen(
        [
            str(ALERTMANAGER),
            f"--config.file={cfg}",
            f"--storage.path={base / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail(f"alertmanager did not start: {(base / 'log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(base, ignore_errors=True)


def article(
    aid: str,
    body: str,
    *,
    title: str | None = None,
    language: str = "id",
    source: str | None = "Kompas",
    story: str | None = None,
    topics: list[tuple[str, float]] = (),  # type: ignore[assignment]
    events: list[str | tuple[str, dict[str, Any]]] = (),  # type: ignore[assignment]
    entities: list[dict[str, Any]] = (),  # type: ignore[assignment]
    figures: list[tuple[str, float]] = (),  # type: ignore[assignment]
    published_at: str | None = "2026-02-05T10:00:00+07:00",
    version: str = "2026.11.1",
) -> EnrichedArticle:
    evs = []
    for e in events:
        code, extra = (e, {}) if isinstance(e, str) else e
        evs.append(CameoEvent(code=code, label=f"cameo {code}", score=0.9, evidence=[(0, 5)], **extra))
    return EnrichedArticle(
        id=aid,
        event_id=event_id(aid, body, version),
        pipeline_version=version,
        title=title,
        body=body,
        lead=body[:80],
        language=language,
        source=SourceInfo(name=source, domain=(source or "x").lower() + ".example"),
        published_at=published_at,
        topics=[
            Topic(
                code=c,
                label=f"topic {c}",
                score=s,
                evidence=[(0, 4)],
                parent="medtop:16000000" if c.startswith("medtop:2") else None,
            )
            for c, s in topics
        ],
        events=evs,
        entities=[
            Entity(**{"text": e.get("name", "x"), "type": "GPE", "confidence": 0.9, "spans": [(0, 3)], **e})
            for e in entities
        ],
        figures=[Figure(kind=k, value=v, text=str(v), span=(10, 13)) for k, v in figures],
        dedup=DedupInfo(content_hash="h-" + aid, story_id=story),
    )


class Receiver:
    """A webhook receiver that fails the first ``fail`` requests with 503."""

    def __init__(self, fail: int = 0, status: int = 503):
        self.fail = fail
        self.status = status
        self.requests: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append(({k: v for k, v in self.headers.items()}, body))
                code = outer.status if len(outer.requests) <= outer.fail else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *a: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
