"""Shared fixtures: the seed/eval data from ../shared, and a real Kafka broker for integration tests."""

from __future__ import annotations

import asyncio
import inspect
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from streams.core.settings import Settings
from streams.kafka.broker import LocalBroker
from streams.kafka.runner import WorkerProcess, isolated_env

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("WARTA_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (seeds and eval data); tests that need it skip, saying so, when it is absent."""
    if not (SHARED / "seeds").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): seed and eval data are read from it at test time")
    return SHARED


@pytest.fixture(scope="session")
def seed_paths(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBroker]:
    """A real single-node KRaft broker (same code as `warta kafka start`), torn down afterwards."""
    cache = Path(os.environ.get("WARTA_KAFKA_CACHE", ROOT / ".cache" / "kafka"))
    broker = LocalBroker(cache, tmp_path_factory.mktemp("kafka"))
    broker.start(timeout=120)
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def kafka(kafka_broker: LocalBroker) -> str:
    """Bootstrap address of the session broker."""
    state = kafka_broker.status()
    assert state is not None, "the session broker is not running"
    return state.bootstrap


class KafkaEnv:
    """A private namespace on the shared broker: own topics, consumer group and state dir."""

    def __init__(self, bootstrap: str, tmp: Path, **extra: str):
        self.prefix = "t" + uuid.uuid4().hex[:8]
        self.tmp = tmp
        self.env = isolated_env(bootstrap, self.prefix, tmp / "state", **extra)
        self.settings = Settings(**_settings_kwargs(self.env))
        self.workers: list[WorkerProcess] = []

    def worker(self, **extra_env: str) -> WorkerProcess:
        w = WorkerProcess({**self.env, **extra_env}, log_path=self.tmp / f"worker{len(self.workers)}.log")
        self.workers.append(w)
        return w

    def run(self, work: Any) -> Any:
        """Run a coroutine to its end; a value (what a synchronous helper returned) is passed through."""
        return asyncio.run(work) if inspect.iscoroutine(work) else work

    def close(self) -> None:
        for w in self.workers:
            w.stop(timeout=10)


def _settings_kwargs(env: dict[str, str]) -> dict[str, Any]:
    topics = {k.split("__", 1)[1].lower(): v for k, v in env.items() if k.startswith("WARTA_TOPICS__")}
    return {
        "brokers": env["WARTA_BROKERS"],
        "app_id": env["WARTA_APP_ID"],
        "data_dir": Path(env["WARTA_DATA_DIR"]),
        "partitions": int(env["WARTA_PARTITIONS"]),
        "topics": topics,
    }


@pytest.fixture
def kafka_env(kafka: str, tmp_path: Path) -> Iterator[KafkaEnv]:
    """Per-test topics on the session broker, plus helpers to run workers against them."""
    env = KafkaEnv(kafka, tmp_path)
    try:
        yield env
    finally:
        env.close()


@pytest.fixture
def make_kafka_env(kafka: str, tmp_path: Path) -> Iterator[Any]:
    """Like ``kafka_env`` with other settings, e.g. ``make_kafka_env(WARTA_PARTITIONS="6")``."""
    made: list[KafkaEnv] = []

    def make(**extra: str) -> KafkaEnv:
        tmp = tmp_path / f"env{len(made)}"
        tmp.mkdir()
        env = KafkaEnv(kafka, tmp, **extra)
        made.append(env)
        return env

    try:
        yield make
    finally:
        for env in made:
            env.close()
