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
    r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
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
    """Normalizes the raw text (whitespace, Unicode) into ``text`` and a provisional ``body``.

    An ``html`` article (no ``text``) goes through trafilatura first: its main text becomes
    ``text`` and the page's metadata (title, author, date, site name, url) goes to
    ``scratch["html_meta"]`` for the clean stage. A page with no article text is W202.
    """

    name: ClassVar[str] = "decode"
    requires: ClassVar[tuple[str, ...]] = ("raw",)
    #: ``scratch`` hands the page's metadata (title, byline, date lines) to ``clean``.
    assigns: ClassVar[tuple[str, ...]] = ("text", "body", "scratch")

    def __init__(self, settings: Any = None, state: Any = None):
        pass

    def __call__(self, doc: Doc) -> None:
        from streams.ingest.extract import html_to_article, looks_binary

        raw_text = doc.raw.text or ""
        html = doc.raw.html or ""
        if raw_text.strip() and looks_binary(raw_text):
            raise StageError(
                "W201", "article looks like binary data, not text", hint="send UTF-8 article text"
            )
        if not raw_text.strip() and html.strip():
            if looks_binary(html):
                raise StageError(
                    "W201", "HTML looks like binary data, not text", hint="send the page as UTF-8"
                )
            page = html_to_article(html, url=doc.raw.url)
            if page is None:
                raise StageError(
                    "W202",
                    "HTML page holds no article text",
                    hint="send the article page itself (not an index, login or error page), or its text",
                )
            doc.scratch["html_meta"] = {
                "title": page.title,
                "author": page.author,
                "date": page.date,
                "sitename": page.sitename,
                "url": page.url,
                "hostname": page.hostname,
                "captions": list(page.captions),
            }
            raw_text = page.text
        doc.text = normalize_text(raw_text)
        doc.body = doc.text
        doc.scratch["normalized"] = True
        if not doc.text:
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
        digest = content_hash(norm, normalized=True)
        doc.dedup = (
            doc.dedup.model_copy(update={"content_hash": digest})
            if doc.dedup
            else DedupInfo(content_hash=digest)
        )
