"""Durable poller state in SQLite: items (pending/published/dead), validators, host back-off, feeds."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FeedState", "PendingItem"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
  url TEXT PRIMARY KEY,          -- canonical URL: one article, whichever feed lists it
  feed TEXT NOT NULL,
  link TEXT NOT NULL,            -- the URL as the feed gave it (what is fetched)
  title TEXT, published_at TEXT, language TEXT,
  status TEXT NOT NULL,          -- pending | published | dead | skipped
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try REAL NOT NULL DEFAULT 0,
  first_seen REAL NOT NULL,
  done_at REAL,
  reason TEXT
);
CREATE INDEX IF NOT EXISTS items_pending ON items (feed, status, next_try);
CREATE INDEX IF NOT EXISTS items_age ON items (first_seen);
CREATE TABLE IF NOT EXISTS validators (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, updated REAL);
CREATE TABLE IF NOT EXISTS hosts (host TEXT PRIMARY KEY, failures INTEGER NOT NULL, blocked_until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (
  name TEXT PRIMARY KEY, url TEXT, next_due REAL NOT NULL DEFAULT 0,
  last_success REAL, failures INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class PendingItem:
    url: str
    feed: str
    link: str
    title: str | None
    published_at: str | None
    language: str | None
    attempts: int


class FeedState:
    """One SQLite file (WAL), owned by one poller process. Every method commits: state is durable
    once a call returns."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        #: host back-off, read on every request: cached, written through (one process owns the file)
        self._hosts: dict[str, tuple[int, float]] | None = None

    def close(self) -> None:
        self.db.close()

    # -- items ------------------------------------------------------------------------------
    def add_items(
        self, feed: str, rows: Sequence[tuple[str, str, str | None, str | None, str | None]]
    ) -> int:
        """Insert ``(url, link, title, published_at, language)`` as pending unless known; returns new count."""
        now = time.time()
        with self.db:
            before = self.db.total_changes
            self.db.executemany(
                "INSERT OR IGNORE INTO items (url, feed, link, title, published_at, language, status,"
                " first_seen) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                [(u, feed, link, t, p, lang, now) for u, link, t, p, lang in rows],
            )
            return self.db.total_changes - before

    def pending(self, feed: str, *, now: float | None = None, limit: int = 10_000) -> list[PendingItem]:
        now = time.time() if now is None else now
        cur = self.db.execute(
            "SELECT url, feed, link, title, published_at, language, attempts FROM items"
            " WHERE feed = ? AND status = 'pending' AND next_try <= ? ORDER BY first_seen, url LIMIT ?",
            (feed, now, limit),
        )
        return [PendingItem(*row) for row in cur.fetchall()]

    def next_try(self, feed: str) -> float | None:
        """When the feed's earliest pending item is due (None: nothing pending)."""
        row = self.db.execute(
            "SELECT min(next_try) FROM items WHERE feed = ? AND status = 'pending'", (feed,)
        ).fetchone()
        return None if row[0] is None else float(row[0])

    def count(self, status: str, feed: str | None = None) -> int:
        if feed is None:
            return self.db.execute("SELECT count(*) FROM items WHERE status = ?", (status,)).fetchone()[0]
        row = self.db.execute("SELECT count(*) FROM items WHERE status = ? AND feed = ?", (status, feed))
        return row.fetchone()[0]

    def finish(self, urls: list[str], status: str, reason: str | None = None) -> None:
        """Mark items published / dead / skipped (called after the produce is acknowledged)."""
        now = time.time()
        with self.db:
            self.db.executemany(
                "UPDATE items SET status = ?, done_at = ?, reason = ? WHERE url = ?",
                [(status, now, reason, u) for u in urls],
            )

    def retry_later(self, url: str, delay: float, reason: str, *, attempt: bool = True) -> int:
        """Try the item again after ``delay`` s (``attempt``: this was one of its attempts); returns
        the attempt count."""
        with self.db:
            self.db.execute(
                "UPDATE items SET attempts = attempts + ?, next_try = ?, reason = ? WHERE url = ?",
                (int(attempt), time.time() + delay, reason, url),
            )
        return self.db.execute("SELECT attempts FROM items WHERE url = ?", (url,)).fetchone()[0]

    def prune(self, older_than_days: float) -> int:
        """Forget finished items first seen more than ``older_than_days`` ago (bounded state)."""
        cutoff = time.time() - older_than_days * 86400
        with self.db:
            cur = self.db.execute("DELETE FROM items WHERE status != 'pending' AND first_seen < ?", (cutoff,))
        return cur.rowcount

    # -- validators --------------------------------------------------------------------------
    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT etag, last_modified FROM validators WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        if not etag and not last_modified:
            return
        with self.db:
            self.db.execute(
                "INSERT INTO validators (url, etag, last_modified, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, updated = excluded.updated",
                (url, etag, last_modified, time.time()),
            )

    def set_validators_many(self, rows: Sequence[tuple[str, str | None, str | None]]) -> None:
        rows = [r for r in rows if r[1] or r[2]]
        if not rows:
            return
        now = time.time()
        with self.db:
            self.db.executemany(
                "INSERT INTO validators (url, etag, last_modified, updated) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, updated = excluded.updated",
                [(u, e, m, now) for u, e, m in rows],
            )

    # -- hosts -------------------------------------------------------------------------------
    def _hosts_cache(self) -> dict[str, tuple[int, float]]:
        if self._hosts is None:
            rows = self.db.execute("SELECT host, failures, blocked_until FROM hosts").fetchall()
            self._hosts = {h: (int(f), float(b)) for h, f, b in rows}
        return self._hosts

    def host_blocked_until(self, host: str) -> float:
        return self._hosts_cache().get(host, (0, 0.0))[1]

    def host_failures(self, host: str) -> int:
        return self._hosts_cache().get(host, (0, 0.0))[0]

    def host_failed(self, host: str, blocked_until: float) -> None:
        failures, until = self._hosts_cache().get(host, (0, 0.0))
        entry = (failures + 1, max(until, blocked_until))
        with self.db:
            self.db.execute(
                "INSERT INTO hosts (host, failures, blocked_until) VALUES (?, ?, ?) ON CONFLICT(host)"
                " DO UPDATE SET failures = excluded.failures, blocked_until = excluded.blocked_until",
                (host, *entry),
            )
        self._hosts_cache()[host] = entry

    def host_ok(self, host: str) -> None:
        if host in self._hosts_cache():
            with self.db:
                self.db.execute("DELETE FROM hosts WHERE host = ?", (host,))
            del self._hosts_cache()[host]

    # -- feeds -------------------------------------------------------------------------------
    def feed_status(self, name: str) -> tuple[float, float | None, int]:
        """(next_due, last_success, consecutive failures)."""
        row = self.db.execute(
            "SELECT next_due, last_success, failures FROM feeds WHERE name = ?", (name,)
        ).fetchone()
        return (float(row[0]), row[1], int(row[2])) if row else (0.0, None, 0)

    def feed_polled(self, name: str, url: str, *, ok: bool, next_due: float) -> None:
        now = time.time()
        with self.db:
            if ok:
                self.db.execute(
                    "INSERT INTO feeds (name, url, next_due, last_success, failures) VALUES (?, ?, ?, ?, 0)"
                    " ON CONFLICT(name) DO UPDATE SET url = excluded.url, next_due = excluded.next_due,"
                    " last_success = excluded.last_success, failures = 0",
                    (name, url, next_due, now),
                )
            else:
                self.db.execute(
                    "INSERT INTO feeds (name, url, next_due, failures) VALUES (?, ?, ?, 1)"
                    " ON CONFLICT(name) DO UPDATE SET url = excluded.url, next_due = excluded.next_due,"
                    " failures = failures + 1",
                    (name, url, next_due),
                )
