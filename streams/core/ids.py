"""Deterministic ids: the same content and pipeline version always give the same ids."""

from __future__ import annotations

import hashlib
import unicodedata

from streams import PIPELINE_VERSION
from streams.core import hot

__all__ = ["article_id", "content_hash", "derived_id", "event_id", "normalize_for_hash"]


def normalize_for_hash(text: str) -> str:
    """NFKC, case-folded, whitespace collapsed: trivial re-encodings hash the same. The whitespace is
    collapsed in one compiled pass (``streams.core._hot.collapse_spaces``) when the hot path is on."""
    norm = unicodedata.normalize("NFKC", text)
    h = hot.HOT
    if h is not None and type(norm) is str:
        collapsed: str = h.collapse_spaces(norm)
        return collapsed.casefold()
    return " ".join(norm.split()).casefold()


def _digest(*parts: str, size: int = 16) -> str:
    h = hashlib.blake2b(digest_size=size)
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


def content_hash(text: str, *, normalized: bool = False) -> str:
    """Hash of the normalized text (used for exact-duplicate detection)."""
    return _digest(text if normalized else normalize_for_hash(text))


def article_id(*, url: str | None, text: str | None, html: str | None = None) -> str:
    """The id of an article that came without one: from its URL, else from its content."""
    if url and url.strip():
        return "u-" + _digest("url", url.strip(), size=10)
    return "c-" + _digest("content", normalize_for_hash(text or html or ""), size=10)


def event_id(
    article_id_: str, body: str, pipeline_version: str = PIPELINE_VERSION, *, normalized: bool = False
) -> str:
    """The id of one article's enrichment: content + article id + pipeline version."""
    return "ev-" + _digest(pipeline_version, article_id_, body if normalized else normalize_for_hash(body))


def derived_id(kind: str, *parts: str) -> str:
    """A deterministic id for a record derived from others (domain events, alerts...)."""
    return f"{kind}-" + _digest(kind, *parts, size=12)
