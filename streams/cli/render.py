"""Readable rendering of topic records for ``warta tail`` and the demo."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

__all__ = ["enriched_table", "render_record"]


def _short(s: Any, n: int = 70) -> str:
    s = "" if s is None else str(s)
    return s if len(s) <= n else s[: n - 1] + "…"


def render_record(topic: str, value: Any, offset: int) -> Text:
    if not isinstance(value, dict):
        return Text(f"[{topic}@{offset}] (not JSON)")
    if "error_code" in value:
        return Text(f"[{topic}@{offset}] DLQ {value['error_code']}: {value.get('reason')} "
                    f"(from {value.get('source_topic')}/{value.get('source_partition')}@{value.get('source_offset')})")  # fmt: skip
    if "body" in value:
        topics = ",".join(t["code"].split(":")[-1] for t in value.get("topics", [])[:3])
        ents = ", ".join(e["name"] for e in value.get("entities", [])[:5])
        dup = value.get("dedup", {}).get("duplicate_of")
        return Text(f"[{topic}@{offset}] {value['id']} [{value.get('language')}] {_short(value.get('title'), 60)}"
                    f" topics={topics} entities={ents}" + (f" DUPLICATE of {dup}" if dup else ""))  # fmt: skip
    if "rule" in value:
        return Text(
            f"[{topic}@{offset}] ALERT {value.get('severity')} {value['rule']}: {_short(value.get('message'))}"
        )
    return Text(f"[{topic}@{offset}] {_short(value, 160)}")


def enriched_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="warta.articles.enriched", show_lines=False)
    for col in ("id", "lang", "title", "topics", "events", "entities", "dup of"):
        table.add_column(col, overflow="fold")
    for v in rows:
        table.add_row(
            _short(v.get("id"), 24),
            str(v.get("language")),
            _short(v.get("title"), 50),
            " ".join(t["code"].split(":")[-1] for t in v.get("topics", [])[:4]),
            " ".join(e["code"] for e in v.get("events", [])[:4]),
            _short(", ".join(e["name"] for e in v.get("entities", [])[:6]), 60),
            _short(v.get("dedup", {}).get("duplicate_of") or "", 24),
        )
    return table
