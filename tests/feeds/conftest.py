"""Fixtures of the ingest tests: a local HTTP server and fast politeness settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from streams.core.settings import Settings
from tests.feeds.server import Reply, TestServer


@pytest.fixture
def server() -> Iterator[TestServer]:
    srv = TestServer()
    srv.routes["/robots.txt"] = Reply(
        200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}
    )
    try:
        yield srv
    finally:
        srv.close()


def fast(**kw: object) -> Settings:
    """Settings for tests: no per-host gap, short timeouts and back-off."""
    base: dict[str, object] = dict(
        ingest_host_interval=0.0, ingest_host_concurrency=8, ingest_timeout=2.0, ingest_backoff_base=0.05,
        ingest_backoff_max=0.2, ingest_max_page_bytes=200_000,
    )  # fmt: skip
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]
