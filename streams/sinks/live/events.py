"""Plain functions behind the live page: SSE encoding, filters, token check, article summaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from streams.core.auth import bearer_token, token_ok

__all__ = [
    "MAX_BODY_CHARS",
    "Filters",
    "ItemKind",
    "bearer_token",
    "highlight_marks",
    "matches",
    "parse_filters",
    "sse_comment",
    "sse_encode",
    "summarize_alert",
    "summarize_article",
    "token_ok",
]

ItemKind = Literal["article", "alert"]

#: Bodies are cut here for the page (marks beyond the cut are dropped); the topic keeps the full text.
MAX_BODY_CHARS = 20_000
_MAX_FILTER_CHARS = 200


def sse_encode(data: Any, *, event: str | None = None, event_id: str | int | None = None) -> bytes:
    """One Server-Sent Event: optional ``event:`` and ``id:`` fields, the data as one JSON line.

    JSON never contains a raw newline, but field values are still stripped of CR/LF so a
    crafted event name or id cannot start a new field.
    """
    parts = []
    if event is not None:
        parts.append(b"event: " + _one_line(str(event)))
    if event_id is not None:
        parts.append(b"id: " + _one_line(str(event_id)))
    for line in orjson.dumps(data).split(b"\n"):
        parts.append(b"data: " + line)
    return b"\n".join(parts) + b"\n\n"


def sse_comment(text: str = "keep-alive") -> bytes:
    """A comment line: keeps proxies from closing an idle stream; ignored by EventSource."""
    return b": " + _one_line(text) + b"\n\n"


def _one_line(text: str) -> bytes:
    return text.replace("\r", " ").replace("\n", " ").encode("utf-8", "replace")


@dataclass(frozen=True)
class Filters:
    """What a client asked to see. Empty fields match everything; matching is case-insensitive.

    - ``topic``: an IPTC code (``16000000`` or ``medtop:16000000``) or part of a topic label
    - ``event``: a CAMEO code prefix (``19`` matches 190, 195, 1952) or part of an event label
    - ``entity``: part of an entity's name or mention text, or its Wikidata id (``Q212``)
    - ``language``: an ISO 639-1 code (``id``, ``en``)
    """

    topic: str = ""
    event: str = ""
    entity: str = ""
    language: str = ""

    @property
    def empty(self) -> bool:
        return not (self.topic or self.event or self.entity or self.language)

    def as_dict(self) -> dict[str, str]:
        return {"topic": self.topic, "event": self.event, "entity": self.entity, "language": self.language}


def parse_filters(params: Mapping[str, str]) -> Filters:
    """Filters from query parameters; unknown parameters are ignored, values trimmed and bounded."""

    def get(name: str) -> str:
        value = params.get(name) or ""
        return value.strip()[:_MAX_FILTER_CHARS]

    return Filters(
        topic=get("topic"), event=get("event"), entity=get("entity"), language=get("language").lower()
    )


def _contains(haystack: Any, needle: str) -> bool:
    return isinstance(haystack, str) and needle in haystack.casefold()


def matches(filters: Filters, kind: ItemKind, item: Mapping[str, Any]) -> bool:
    """Whether a summarized item passes the filters. Alerts always pass (they are rare and urgent)."""
    if kind != "article" or filters.empty:
        return True
    if filters.language and (item.get("language") or "").lower() != filters.language:
        return False
    if filters.topic:
        needle = filters.topic.casefold()
        code = needle.removeprefix("medtop:")
        if not any(
            (t.get("code") or "").casefold().removeprefix("medtop:") == code
            or _contains(t.get("label"), needle)
            for t in item.get("topics", ())
        ):
            return False
    if filters.event:
        needle = filters.event.casefold()
        if not any(
            (needle.isdigit() and (e.get("code") or "").startswith(needle))
            or _contains(e.get("label"), needle)
            for e in item.get("events", ())
        ):
            return False
    if filters.entity:
        needle = filters.entity.casefold()
        if not any(
            _contains(e.get("name"), needle)
            or _contains(e.get("text"), needle)
            or (e.get("id") or "").casefold() == needle
            for e in item.get("entities", ())
        ):
            return False
    return True


def _span(value: Any) -> tuple[int, int] | None:
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        start, end = value
        if 0 <= start < end:
            return int(start), int(end)
    return None


def highlight_marks(body: str, entities: list[Any], figures: list[Any]) -> list[dict[str, Any]]:
    """Non-overlapping marks ``{start, end, kind, label, type}`` over ``body``, sorted by start.

    Spans outside the body or malformed are dropped; where marks overlap, figures win over
    entities (they are more specific), then the longer mark, then the earlier one.
    """
    n = len(body)
    cands: list[tuple[int, int, int, dict[str, Any]]] = []
    for fig in figures:
        if not isinstance(fig, Mapping):
            continue
        span = _span(fig.get("span"))
        if span and span[1] <= n:
            label = f"{fig.get('kind', '')}: {fig.get('value', '')}{(' ' + str(fig['unit'])) if fig.get('unit') else ''}"
            cands.append(
                (0, span[0], span[1], {"kind": "figure", "type": str(fig.get("kind", "")), "label": label})
            )
    for ent in entities:
        if not isinstance(ent, Mapping):
            continue
        label = f"{ent.get('type', '')}: {ent.get('name', '')}" + (f" ({ent['id']})" if ent.get("id") else "")
        for raw in ent.get("spans") or ():
            span = _span(raw)
            if span and span[1] <= n:
                cands.append(
                    (
                        1,
                        span[0],
                        span[1],
                        {"kind": "entity", "type": str(ent.get("type", "")), "label": label},
                    )
                )
    cands.sort(key=lambda c: (c[0], -(c[2] - c[1]), c[1]))
    taken: list[tuple[int, int]] = []
    out = []
    for _prio, start, end, info in cands:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        out.append({"start": start, "end": end, **info})
    out.sort(key=lambda m: m["start"])
    return out


def _strs(items: Any, key: str) -> list[Any]:
    return [i for i in (items or ()) if isinstance(i, Mapping) and isinstance(i.get(key), str)]


def summarize_article(value: Any) -> dict[str, Any] | None:
    """The fields the page shows, from an EnrichedArticle JSON object; None when it is not one."""
    if (
        not isinstance(value, Mapping)
        or not isinstance(value.get("id"), str)
        or not isinstance(value.get("body"), str)
    ):
        return None
    body: str = value["body"][:MAX_BODY_CHARS]
    entities = _strs(value.get("entities"), "name")
    figures = _strs(value.get("figures"), "kind")
    source: Mapping[str, Any] = value["source"] if isinstance(value.get("source"), Mapping) else {}
    dedup: Mapping[str, Any] = value["dedup"] if isinstance(value.get("dedup"), Mapping) else {}
    return {
        "id": value["id"],
        "event_id": value.get("event_id"),
        "title": value.get("title") if isinstance(value.get("title"), str) else None,
        "body": body,
        "truncated": len(value["body"]) > MAX_BODY_CHARS,
        "url": value.get("url") if isinstance(value.get("url"), str) else None,
        "language": value.get("language"),
        "published_at": value.get("published_at"),
        "processed_at": value.get("processed_at"),
        "source": {"name": source.get("name"), "domain": source.get("domain")},
        "topics": [
            {"code": t["code"], "label": t.get("label"), "score": t.get("score")}
            for t in _strs(value.get("topics"), "code")
        ],
        "events": [
            {"code": e["code"], "label": e.get("label"), "score": e.get("score")}
            for e in _strs(value.get("events"), "code")
        ],
        "entities": [
            {"name": e["name"], "text": e.get("text"), "type": e.get("type"), "id": e.get("id")}
            for e in entities
        ],
        "marks": highlight_marks(body, entities, figures),
        "story_id": dedup.get("story_id"),
        "duplicate_of": dedup.get("duplicate_of"),
        "similarity": dedup.get("similarity"),
    }


def summarize_alert(value: Any) -> dict[str, Any] | None:
    """The fields the page shows from an Alert JSON object; None when it is not one."""
    if (
        not isinstance(value, Mapping)
        or not isinstance(value.get("rule"), str)
        or not isinstance(value.get("id"), str)
    ):
        return None
    return {
        "id": value["id"],
        "rule": value["rule"],
        "severity": value.get("severity")
        if value.get("severity") in ("info", "warning", "critical")
        else "warning",
        "message": value.get("message") if isinstance(value.get("message"), str) else "",
        "story_id": value.get("story_id"),
        "article_ids": [a for a in value.get("article_ids") or () if isinstance(a, str)][:20],
        "revision": value.get("revision"),
        "fired_at": value.get("fired_at") or value.get("updated_at"),
    }
