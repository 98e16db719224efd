"""Decode a Kafka message value into a RawArticle, or raise a WartaError with a stable code."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from streams.core.errors import WartaError
from streams.core.records import RawArticle

__all__ = ["InputItem", "decode_raw", "parse_raw_obj"]


@dataclass(frozen=True)
class InputItem:
    """One input: a RawArticle, or the error that kept it from being one."""

    ref: str  # the input's id: file name, or "path:line"
    raw: RawArticle | None
    error: WartaError | None = None
    payload: bytes = b""


def parse_raw_obj(obj: object, *, max_bytes: int = 2_000_000) -> RawArticle:
    """Validate a decoded JSON value as a RawArticle."""
    if not isinstance(obj, dict):
        raise WartaError(
            "W102",
            f"expected a JSON object, got {type(obj).__name__}",
            hint="publish one RawArticle object per message: {'text': ..., 'id': ...}",
        )
    text, html = obj.get("text"), obj.get("html")
    for field, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise WartaError(
                "W102",
                f"`{field}` must be a string, got {type(value).__name__}",
                hint="send article text as a string",
            )
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
        raise WartaError("W103", "article has no text and no html", hint="set `text` or `html`")
    size = len(text.encode("utf-8", "surrogatepass")) if isinstance(text, str) else 0
    size += len(html.encode("utf-8", "surrogatepass")) if isinstance(html, str) else 0
    if size > max_bytes:
        raise WartaError(
            "W104",
            f"article is {size} bytes, over the limit of {max_bytes}",
            hint="raise WARTA_MAX_ARTICLE_BYTES or split the input",
        )
    try:
        return RawArticle.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "(root)"
        raise WartaError(
            "W102",
            f"invalid RawArticle at {loc}: {first.get('msg')}",
            hint="see schemas/warta.articles.raw.json for the expected fields",
        ) from exc


def decode_raw(value: bytes | None, *, max_bytes: int = 2_000_000) -> RawArticle:
    """Bytes of a ``warta.articles.raw`` message -> RawArticle."""
    if value is None or len(value) == 0:
        raise WartaError("W105", "message has no value", hint="tombstones are not articles")
    if len(value) > max_bytes * 2 + 65536:
        raise WartaError(
            "W104",
            f"message is {len(value)} bytes, over the limit of {max_bytes}",
            hint="raise WARTA_MAX_ARTICLE_BYTES or split the input",
        )
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WartaError(
            "W100",
            f"message is not UTF-8 ({exc.reason} at byte {exc.start})",
            hint="producers must send UTF-8 JSON",
        ) from exc
    try:
        obj = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise WartaError(
            "W101", f"message is not JSON: {exc}", hint="send one JSON object per message"
        ) from exc
    return parse_raw_obj(obj, max_bytes=max_bytes)
