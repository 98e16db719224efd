"""Compatibility only: the token check moved to ``streams.core.auth`` and the live page's helpers
to ``streams.sinks.live.events``. Kept while ``streams/feeds/http_api.py`` imports ``token_ok`` from
here; remove it once that import reads ``streams.core.auth``."""

from __future__ import annotations

from streams.core.auth import bearer_token, token_ok

__all__ = ["bearer_token", "token_ok"]
