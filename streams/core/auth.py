"""Bearer-token checks shared by the HTTP endpoints (the ingest endpoint and the live page)."""

from __future__ import annotations

import hmac

__all__ = ["bearer_token", "token_ok"]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_ok(expected: str | None, *, query_token: str | None, authorization: str | None) -> bool:
    """True when no token is configured, or the query param / bearer header carries it (constant time)."""
    if not expected:
        return True
    for given in (query_token, bearer_token(authorization)):
        if given and hmac.compare_digest(given.encode(), expected.encode()):
            return True
    return False
