"""The feeds file: which feeds to poll, how often, and the outlet/language/time-zone hints."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from streams.core.errors import WartaError

__all__ = ["FeedList", "FeedSpec", "load_feeds", "parse_feeds"]

FeedKind = Literal["auto", "rss", "atom", "sitemap"]


class FeedSpec(BaseModel):
    """One feed. ``name`` is the ``feed`` label of the metrics (defaults to host + path)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    #: the ``feed`` label of the metrics: short (a label value), unique in the file
    name: str = Field(default="", max_length=40)
    kind: FeedKind = "auto"
    interval: float = Field(default=300.0, ge=1.0)
    outlet: str | None = None
    language: str | None = Field(default=None, max_length=16)
    timezone: str | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v.strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if re.fullmatch(r"[+-]\d\d:?\d\d", v):
            return v
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {v!r} (use an IANA name or +07:00)") from exc
        return v

    def model_post_init(self, __context: object) -> None:
        if not self.name:
            parts = urlsplit(self.url)
            name = f"{parts.hostname}{parts.path}".rstrip("/")
            object.__setattr__(self, "name", name if len(name) <= 40 else name[:31] + "~" + _short_hash(name))


class FeedList(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    feeds: tuple[FeedSpec, ...] = ()


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def parse_feeds(data: object, origin: str = "feeds file") -> FeedList:
    """A decoded feeds YAML (``defaults:`` merged into every entry of ``feeds:``) -> FeedList."""
    if not isinstance(data, dict):
        raise WartaError("W107", f"{origin}: expected a mapping with a `feeds:` list")
    defaults = data.get("defaults") or {}
    entries = []
    for i, entry in enumerate(data.get("feeds") or []):
        if isinstance(entry, str):
            entry = {"url": entry}
        if not isinstance(entry, dict):
            raise WartaError("W107", f"{origin}: feeds[{i}] must be a URL or a mapping")
        entries.append({**defaults, **entry})
    try:
        feeds = FeedList(feeds=tuple(FeedSpec(**e) for e in entries))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise WartaError("W107", f"{origin}: {loc}: {first.get('msg')}", hint="fix the feeds file") from exc
    names = [f.name for f in feeds.feeds]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise WartaError("W107", f"{origin}: duplicate feed names {dupes}", hint="give each feed a `name`")
    return feeds


def load_feeds(path: Path) -> FeedList:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WartaError(
            "W107", f"cannot read feeds file {path}: {exc}", hint="check the path and YAML"
        ) from exc
    return parse_feeds(data, str(path))
