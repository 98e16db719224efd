"""Basic text normalization and deterministic ids: the first and last stages of every pipeline."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, ClassVar

from streams.core.doc import Doc
from streams.core.errors import StageError
from streams.core.ids import article_id, content_hash, event_id, normalize_for_hash
from streams.core.records import DedupInfo

__all__ = ["DecodeStage", "IdStage", "normalize_text"]

# C0/C1 controls except tab/newline; zero-width and BOM characters; lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200d\u2060\ufeff\ud800-\udfff]")
# Only runs that change: two or more spaces, or any other horizontal space (single spaces are kept
# as they are, which makes this several times faster than replacing every space).
_SPACES = re.compile(
    r" {2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000][ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]*"
)
_BLANKS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """NFC, unified newlines, controls removed, runs of spaces collapsed, lines stripped."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANKS.sub("\n\n", text)
    return text.strip()


class DecodeStage:
    """Normalizes the raw text (whitespace, Unicode) into ``text`` and a provisional ``body``."""

    name: ClassVar[str] = "decode"
    requires: ClassVar[tuple[str, ...]] = ("raw",)
    assigns: ClassVar[tuple[str, ...]] = ("text", "body")

    def __init__(self, settings: Any = None, state: Any = None):
        pass

    def __call__(self, doc: Doc) -> None:
        doc.text = normalize_text(doc.raw.text or "")
        doc.body = doc.text
        if not doc.text and not (doc.raw.html or "").strip():
            raise StageError("W200", "article text is empty after normalization", hint="send real text")


class IdStage:
    """Assigns ``id`` (when absent), ``event_id`` and ``dedup.content_hash`` from the final body."""

    name: ClassVar[str] = "ids"
    requires: ClassVar[tuple[str, ...]] = ("body",)
    assigns: ClassVar[tuple[str, ...]] = ("id", "event_id", "dedup")

    def __init__(self, settings: Any = None, state: Any = None):
        pass

    def __call__(self, doc: Doc) -> None:
        if not doc.body.strip():
            raise StageError("W200", "article text is empty after cleaning", hint="send article text")
        if not doc.id:
            doc.id = article_id(url=doc.raw.url, text=doc.raw.text, html=doc.raw.html)
        norm = normalize_for_hash(doc.body)
        doc.event_id = event_id(doc.id, norm, doc.pipeline_version, normalized=True)
        doc.dedup = DedupInfo(content_hash=content_hash(norm, normalized=True))
