"""HTML pages to article text plus metadata (trafilatura), and a check for binary-looking text."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

__all__ = ["MIN_ARTICLE_WORDS", "HtmlArticle", "html_to_article", "looks_binary"]

#: An HTML page whose main text has fewer words than this holds no article.
MIN_ARTICLE_WORDS = 12

# controls other than whitespace, C1 controls, and the replacement character
_BAD = re.compile("[\x01-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


@dataclass(frozen=True, slots=True)
class HtmlArticle:
    """What trafilatura finds in a page: the main text and the page's metadata."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None
    hostname: str | None = None


def _str(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def html_to_article(html: str, *, url: str | None = None) -> HtmlArticle | None:
    """The article in an HTML page, or None when the page holds no article text."""
    import trafilatura

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            favor_precision=True,
            date_extraction_params={
                "extensive_search": True,
                "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except Exception:  # trafilatura/lxml raise on malformed markup; no article then
        return None
    if doc is None:
        return None
    get = doc.get if isinstance(doc, dict) else lambda k: getattr(doc, k, None)
    text = get("text") or ""
    if len(str(text).split()) < MIN_ARTICLE_WORDS:
        return None  # a menu, a login box or an error message is not an article
    return HtmlArticle(
        text=str(text),
        title=_str(get("title")),
        author=_str(get("author")),
        date=_str(get("date")),
        sitename=_str(get("sitename")),
        url=_str(get("url")),
        hostname=_str(get("hostname")),
    )


def looks_binary(text: str, *, sample: int = 4096) -> bool:
    """True when the text looks like binary data: NULs, or many controls / replacement chars."""
    if not text:
        return False
    head = text[:sample]
    if "\x00" in head:
        return True
    bad = len(_BAD.findall(head))
    return bad >= 4 and bad / len(head) > 0.05
