"""Limits of the archive that the CLI checks before opening a database (no SQLAlchemy import)."""

from __future__ import annotations

__all__ = ["MAX_SEARCH_LIMIT"]

#: Most rows one search returns (the CLI's --limit is bounded by the same figure).
MAX_SEARCH_LIMIT = 10_000
