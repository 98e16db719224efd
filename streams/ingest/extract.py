"""HTML pages to article text plus metadata (trafilatura), and a check for binary-looking text."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

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
    #: Photo captions of the page (``<figcaption>``), moved out of the text.
    captions: tuple[str, ...] = ()


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
    captions, published = _page_extras(html)
    date = _str(get("date"))
    if published and (date is None or published.startswith(date[:10])):
        date = published  # the page's own timestamp, with time and zone, for the same day
    return HtmlArticle(
        text=str(text),
        title=_str(get("title")),
        author=_str(get("author")),
        date=date,
        sitename=_str(get("sitename")),
        url=_str(get("url")),
        hostname=_str(get("hostname")),
        captions=captions,
    )


_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "sailthru.date",
)


def _page_extras(html: str) -> tuple[tuple[str, ...], str | None]:
    """Figure captions and the publication timestamp the page declares in its meta tags."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # lxml raises on empty or odd documents; no extras then
        return (), None
    captions = []
    for el in tree.iter("figcaption"):
        cap = _str(el.text_content())
        if cap and cap not in captions:
            captions.append(cap)
    published = None
    for el in tree.iter("meta", "time"):
        if el.tag == "time":
            value = _str(el.get("datetime"))
            if value and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
                published = published or value
            continue
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip()
        if key in _PUBLISHED_META or key.lower() in _PUBLISHED_META:
            value = _str(el.get("content"))
            if value and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
                published = value
                break
    if published is None:
        published = _date_element(tree)
    return tuple(captions), published


def _date_element(tree: Any) -> str | None:
    """The first short element whose class or id names a date or time and holds one with a time
    of day ("PortalContoh.com - 14/12/2023, 15:20 WIB")."""
    from streams.ingest.dates import find_date

    for el in tree.iter("div", "span", "p", "time", "li"):
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if not re.search(r"date|time|publish|tanggal|waktu", attrs):
            continue
        text = _str(el.text_content())
        if not text or len(text) > 100:
            continue
        found = find_date(text)
        if found is not None and "T" in found[0] and found[0][11:19] != "00:00:00":
            return found[0]
    return None


def looks_binary(text: str, *, sample: int = 4096) -> bool:
    """True when the text looks like binary data: NULs, or many controls / replacement chars."""
    if not text:
        return False
    head = text[:sample]
    if "\x00" in head:
        return True
    bad = len(_BAD.findall(head))
    return bad >= 4 and bad / len(head) > 0.05
