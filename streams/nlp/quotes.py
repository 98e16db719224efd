"""Quotations: direct quotes in the body and who said them, resolved to entities where possible."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.records import Entity, Quote

__all__ = ["QuoteStage", "extract_quotes"]

_DATA = Path(__file__).resolve().parent.parent / "data" / "kb" / "speech.yaml"

# Opening mark -> pattern of the quoted text up to its closing mark (same paragraph).
_QUOTE = re.compile(
    r"“(?P<a>[^”\n]+)”"
    r"|«(?P<b>[^»\n]+)»"
    r"|(?<!\w)\"(?P<c>[^\"\n]+)\""
    r"|(?<!\w)‘(?P<d>[^’\n]{12,}?)’(?!\w)"
    r"|(?m:^[“\"](?P<e>[^”\"\n]+)$)"
)


@dataclass(frozen=True)
class _Speech:
    after: re.Pattern[str]
    after_rev: re.Pattern[str]
    before: re.Pattern[str]
    colon: re.Pattern[str]
    according: re.Pattern[str]
    pronouns: frozenset[str]
    demonstratives: frozenset[str]
    min_words: int


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


@lru_cache(maxsize=1)
def _speech() -> _Speech:
    d: dict[str, Any] = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    inv = _alt(d["verbs_inverted"])
    verbs = _alt(d["verbs"])
    term = _alt(d["terminators"])
    # speaker: up to 8 words, stopping at punctuation or a terminator word
    spk = rf"(?P<spk>(?:(?!(?-i:{term})\b)[^\s.,;:!?“”\"()]+(?:\s+|(?=[.,;:!?\n]|$))){{0,8}})"
    return _Speech(
        after=re.compile(rf"^\s*[,.!?]?\s*[-–—]?\s*(?P<verb>{inv})\b\s*{spk}", re.IGNORECASE),
        after_rev=re.compile(
            rf"^\s*[,.!?]?\s*(?P<spk>(?:[^\s.,;:!?“”\"]+\s+){{1,6}}?)(?P<verb>{verbs})\b", re.IGNORECASE
        ),
        before=re.compile(
            rf"(?P<spk>(?:[^\s.,;:!?“”\"]+\s+){{1,8}}?)(?:{verbs})(?:\s+(?:bahwa|that))?\s*[:,]?\s*$",
            re.IGNORECASE,
        ),
        colon=re.compile(r"(?P<spk>(?:[^\s.,;:!?“”\"]+\s+){0,6}[^\s.,;:!?“”\"]+)\s*:\s*$"),
        according=re.compile(rf"(?:{_alt(d['according'])})\s+(?P<spk>[^,.;:]+?)\s*,\s*$", re.IGNORECASE),
        pronouns=frozenset(p.lower() for p in d["pronouns"]),
        demonstratives=frozenset(d["demonstratives"]),
        min_words=int(d.get("min_words", 4)),
    )


def _resolve(
    phrase: str, p_start: int, entities: list[Entity], previous: list[tuple[str, str | None, str]]
) -> tuple[str | None, str | None]:
    """Speaker name and QID for a speaker phrase found at ``p_start`` in the body."""
    sp = _speech()
    phrase = phrase.strip()
    words = phrase.split()
    low = phrase.lower()
    if low in sp.pronouns or (words and low.endswith("nya") and len(words) == 1):
        return (previous[-1][0], previous[-1][1]) if previous else (None, None)
    p_end = p_start + len(phrase)
    # A person named inside the phrase is the speaker; an organisation or place only if it is the phrase.
    best: Entity | None = None
    for e in entities:
        for s, t in e.spans:
            if p_start <= s and t <= p_end:
                if e.type == "PERSON":
                    return e.name, e.id
                if (t - s) >= len(phrase) - 1 and best is None:
                    best = e
    if best is not None:
        return best.name, best.id
    # "juru bicara itu" -> the earlier "juru bicara Kepala Staf Gabungan AS"
    if (words and words[-1] in sp.demonstratives) or (words and words[0].lower() in sp.demonstratives):
        head = " ".join(w for w in words if w not in sp.demonstratives).lower()
        for name, qid, ph in reversed(previous):
            if head and head in ph.lower():
                return name, qid
    return (phrase or None), None


def extract_quotes(text: str, entities: list[Entity] | None = None) -> list[Quote]:
    """Direct quotations with their (resolved) speakers."""
    sp = _speech()
    entities = entities or []
    out: list[Quote] = []
    previous: list[tuple[str, str | None, str]] = []  # (speaker, qid, phrase) of attributed quotes
    last_para_end = -2
    last_speaker: tuple[str | None, str | None] = (None, None)
    for m in _QUOTE.finditer(text):
        group = m.lastgroup or "a"
        inner = m.group(group)
        q_start, q_end = m.start(group), m.end(group)
        if len(inner.split()) < sp.min_words:
            continue
        para_start = text.rfind("\n", 0, m.start()) + 1
        para_end = text.find("\n", m.end())
        para_end = len(text) if para_end < 0 else para_end
        tail = text[m.end() : para_end]
        head = text[para_start : m.start()]
        phrase = None
        p_start = 0
        a = sp.after.match(tail)
        if (
            a
            and a.group("spk").strip() is not None
            and (a.group("spk").strip() or a.group("verb").lower().endswith("nya"))
        ):
            phrase, p_start = a.group("spk"), m.end() + a.start("spk")
            if not phrase.strip():
                phrase = ""
        else:
            r = sp.after_rev.match(tail)
            if r:
                phrase, p_start = r.group("spk"), m.end() + r.start("spk")
            else:
                for pat in (sp.before, sp.colon, sp.according):
                    b = pat.search(head)
                    if b:
                        phrase, p_start = b.group("spk"), para_start + b.start("spk")
                        break
        speaker: str | None
        qid: str | None
        at_para_start = not head.strip()
        if phrase is not None:
            speaker, qid = _resolve(phrase, p_start, entities, previous)
            if speaker:
                previous.append((speaker, qid, phrase.strip()))
        elif at_para_start and last_para_end >= 0 and _next_paragraph(text, last_para_end, para_start):
            speaker, qid = last_speaker  # a follow-on quote paragraph keeps its speaker
        elif at_para_start:
            speaker, qid = None, None
        else:
            continue  # a phrase in quotation marks inside a sentence, not a quotation
        out.append(Quote(speaker=speaker, text=inner.strip(), span=(q_start, q_end), speaker_id=qid))
        if speaker:
            last_speaker = (speaker, qid)
            last_para_end = para_end
        else:
            last_para_end = -2
    return out


def _next_paragraph(text: str, prev_end: int, start: int) -> bool:
    """Whether ``start`` opens the paragraph right after the one ending at ``prev_end``."""
    return prev_end <= start and not text[prev_end:start].strip()


class QuoteStage:
    """Fills ``quotes`` from ``body`` (after ``entities``, which resolve speakers)."""

    name: ClassVar[str] = "quotes"
    requires: ClassVar[tuple[str, ...]] = ("body", "entities")
    assigns: ClassVar[tuple[str, ...]] = ("quotes",)

    def __init__(self, settings: Any = None, state: Any = None):
        _speech()

    def __call__(self, doc: Doc) -> None:
        if not isinstance(doc.body, str):
            raise StageError("W600", "article body is not text", hint="run the decode stage first")
        doc.quotes = extract_quotes(doc.body, doc.entities)
