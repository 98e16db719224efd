"""Throttle state of the alerting engine: one entry per (rule, story), kept in a SQLite file.

The consumer delivers an alert, then commits this state, then commits its Kafka offsets. A crash
between the steps re-delivers (sinks are idempotent on alert id + revision) but never forgets
what already fired, so a restart does not fire again.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Protocol

import orjson

from streams.core.errors import WartaError

__all__ = ["AlertState", "MemoryAlertState", "SqliteAlertState"]


class AlertState(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: dict[str, Any]) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


class MemoryAlertState:
    """State for ``warta process`` and tests: staged writes, applied on commit."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}
        self._staged: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        v = self._staged.get(key) or self.data.get(key)
        return orjson.loads(orjson.dumps(v)) if v is not None else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        self._staged[key] = value

    def commit(self) -> None:
        self.data.update(self._staged)
        self._staged.clear()

    def rollback(self) -> None:
        self._staged.clear()

    def close(self) -> None:
        self.commit()


class SqliteAlertState:
    """A SQLite file (WAL); ``put`` writes inside a transaction that ``commit`` makes durable."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, isolation_level="DEFERRED")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS alert_state (key TEXT PRIMARY KEY, value BLOB NOT NULL, updated REAL)"
            )
            self.db.commit()
        except sqlite3.Error as exc:
            raise WartaError(
                "W804",
                f"cannot open alert state {self.path}: {exc}",
                hint="check the path and permissions (setting alert_state_path)",
            ) from exc

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT value FROM alert_state WHERE key = ?", (key,)).fetchone()
        return orjson.loads(row[0]) if row else None

    def put(self, key: str, value: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO alert_state (key, value, updated) VALUES (?, ?, strftime('%s','now')) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated = excluded.updated",
            (key, orjson.dumps(value)),
        )

    def commit(self) -> None:
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM alert_state").fetchone()[0])

    def close(self) -> None:
        self.db.close()
