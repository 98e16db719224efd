"""`warta topics create`, `publish` and `tail` (kafka-python clients) against the real broker."""

from __future__ import annotations

import os
import subprocess
import sys

import orjson
import pytest

from streams.cli.demo import sample_paths
from streams.kafka.admin import topic_limits

pytestmark = pytest.mark.kafka


def _warta(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streams", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_topics_publish_and_tail_round_trip_quietly(kafka_env) -> None:  # type: ignore[no-untyped-def]
    s, env = kafka_env.settings, {**kafka_env.env, "WARTA_MAX_MESSAGE_BYTES": "2000000"}
    made = _warta(env, "topics", "create")
    assert made.returncode == 0 and s.topics.raw in made.stderr, made.stderr
    assert topic_limits(s, [s.topics.raw]) == {s.topics.raw: 2_000_000}
    assert "nothing (all exist)" in _warta(env, "topics", "create").stderr

    paths = [p for p in sample_paths() if p.endswith(".txt")]
    sent = _warta(env, "publish", *paths)
    assert sent.returncode == 0 and f"published {len(paths)} record(s)" in sent.stderr, sent.stderr

    tail = _warta(env, "tail", "raw", "--json", "--limit", str(len(paths)), "--idle", "20")
    assert tail.returncode == 0, tail.stderr
    ids = sorted(orjson.loads(line)["id"] for line in tail.stdout.splitlines())
    assert ids == sorted(os.path.basename(p)[: -len(".txt")] for p in paths)
    for out in (made, sent, tail):  # the Kafka clients speak only from WARNING
        assert "[kafka." not in out.stderr and "bootstrap" not in out.stderr.lower(), out.stderr
