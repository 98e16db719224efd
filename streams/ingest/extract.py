"""HTML pages to article text plus metadata (trafilatura), and a check for binary-looking text."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["MIN_ARTICLE_WORDS", "HtmlArticle", "html_to_article", "looks_binary", "page_blocks"]

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
    #: Where the text came from: trafilatura's "precise", "default" or "recall" setting, or "blocks".
    extractor: str = "precise"


def _str(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


#: trafilatura settings tried in turn: the precise one first, then the others when it finds
#: nothing or much less than the recall setting (a table, a list or a short page it throws away).
_SETTINGS: dict[str, dict[str, Any]] = {
    "precise": {"favor_precision": True, "include_tables": False},
    "default": {"include_tables": True},
    "recall": {"favor_recall": True, "include_tables": True},
}
#: Below this many words the precise text is checked against the recall setting.
_CHECK_BELOW_WORDS = 400
#: The precise text is "much less" when the recall setting finds this many times its words.
_MUCH_MORE = 1.6
_DATE_PARAMS = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def _bare(html: str, url: str | None, setting: str, *, metadata: bool) -> Any:
    """trafilatura's ``bare_extraction`` with one of the settings; None when it raises or finds nothing."""
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=metadata,
            include_comments=False,
            include_images=False,
            include_links=False,
            date_extraction_params=_DATE_PARAMS if metadata else None,
            **_SETTINGS[setting],
        )
    except Exception:  # trafilatura/lxml raise on malformed markup; no article then
        return None


def _get(doc: Any, key: str) -> Any:
    if doc is None:
        return None
    return doc.get(key) if isinstance(doc, dict) else getattr(doc, key, None)


def _words(doc: Any) -> int:
    return len(str(_get(doc, "text") or "").split())


def _best_text(html: str, url: str | None, precise: Any, block_words: int) -> tuple[str, str]:
    """The article text and the setting it came from: the precise one unless it found nothing or
    much less than the recall setting; then the default or recall setting, then the page's blocks.

    ``block_words`` (the words of the page's text blocks that are not mostly links) spares the
    recall run when the precise text already holds most of the page's prose."""
    n = _words(precise)
    if n >= MIN_ARTICLE_WORDS and (n >= _CHECK_BELOW_WORDS or block_words < _MUCH_MORE * n):
        return str(_get(precise, "text")), "precise"
    recall = _bare(html, url, "recall", metadata=False)
    r = _words(recall)
    if n >= MIN_ARTICLE_WORDS and r < _MUCH_MORE * n:
        return str(_get(precise, "text")), "precise"
    default = _bare(html, url, "default", metadata=False)
    found = [(w, name, doc) for name, doc in (("default", default), ("recall", recall)) if (w := _words(doc)) > n]
    top = max((w for w, _, _ in found), default=0)
    # the shortest text that still holds most of what the longest one finds (less navigation)
    for w, name, doc in sorted(found, key=lambda x: x[0]):
        if w >= MIN_ARTICLE_WORDS and w >= 0.8 * top:
            return str(_get(doc, "text")), name
    if n >= MIN_ARTICLE_WORDS:
        return str(_get(precise, "text")), "precise"
    blocks = page_blocks(html)
    return "\n".join(blocks), "blocks"


def html_to_article(html: str, *, url: str | None = None) -> HtmlArticle | None:
    """The article in an HTML page, or None when the page holds no article text.

    trafilatura's precise setting first; when it finds nothing or much less than its recall
    setting, the other settings, then the page's own text blocks (links and navigation left out).
    """
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    doc = _bare(html, url, "precise", metadata=True)
    captions, published, block_words = _page_extras(html)
    text, how = _best_text(html, url, doc, block_words)
    text = _plain_tables(text)
    if len(text.split()) < MIN_ARTICLE_WORDS:
        return None  # a menu, a login box or an error message is not an article
    date = _str(_get(doc, "date"))
    if published and (date is None or published.startswith(date[:10])):
        date = published  # the page's own timestamp, with time and zone, for the same day
    return HtmlArticle(
        text=text,
        title=_str(_get(doc, "title")),
        author=_str(_get(doc, "author")),
        date=date,
        sitename=_str(_get(doc, "sitename")),
        url=_str(_get(doc, "url")) or url,
        hostname=_str(_get(doc, "hostname")),
        captions=captions,
        extractor=how,
    )


_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")


def _plain_tables(text: str) -> str:
    """trafilatura's Markdown tables as plain rows ("Aceh | 12 | 4"), without the rule lines."""
    if "|" not in text:
        return text
    out = []
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("|") and s.endswith("|") and s.count("|") >= 3:
            if _TABLE_RULE.match(s):
                continue
            line = " | ".join(c.strip() for c in s[1:-1].split("|"))
        out.append(line)
    return "\n".join(out)


_SKIP_TAGS = frozenset({"script", "style", "nav", "footer", "header", "aside", "form", "noscript", "button", "select"})
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "li", "td", "th", "pre", "blockquote", "figcaption", "div")


def page_blocks(html: str, *, max_link_density: float = 0.5) -> list[str]:
    """The page's text blocks in order (paragraphs, headings, list items, table rows), leaving out
    navigation, scripts and blocks that are mostly links: the last resort when no setting finds text."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # lxml raises on empty or odd documents
        return []
    out: list[str] = []
    for el in tree.iter(*_BLOCK_TAGS, "tr"):
        if any(a.tag in _SKIP_TAGS for a in el.iterancestors()) or el.tag in _SKIP_TAGS:
            continue
        if el.tag == "div" and any(c.tag in _BLOCK_TAGS or c.tag == "tr" for c in el):
            continue  # a container: its blocks come on their own
        if el.tag in ("td", "th") or (el.tag != "tr" and any(a.tag == "tr" for a in el.iterancestors())):
            continue  # cells come with their row
        cells = [_str(c.text_content()) for c in el if c.tag in ("td", "th")] if el.tag == "tr" else []
        text = " | ".join(c for c in cells if c) if el.tag == "tr" else _str(el.text_content())
        if not text:
            continue
        links = sum(len(a.text_content()) for a in el.iter("a"))
        if links / max(1, len(text)) > max_link_density:
            continue
        if text not in out[-1:]:
            out.append(text)
    return out


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


def _page_extras(html: str) -> tuple[tuple[str, ...], str | None, int]:
    """Figure captions, the publication timestamp the page declares in its meta tags, and the
    words of its prose blocks (paragraphs, list items, table cells not mostly links)."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(html)
    except Exception:  # lxml raises on empty or odd documents; no extras then
        return (), None, 0
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
    return tuple(captions), published, _prose_words(tree)


def _prose_words(tree: Any) -> int:
    """Words in the page's paragraphs, list items and table cells, leaving out navigation and
    blocks that are mostly links (one walk; a block's inner blocks count with it)."""
    words = 0
    stack = [tree]
    while stack:
        el = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS:
            continue
        if tag in _PROSE_TAGS:
            text = el.text_content()
            links = sum(len(a.text_content()) for a in el.iter("a"))
            if links <= 0.5 * len(text):
                words += len(text.split())
            continue
        stack.extend(el)
    return words


_PROSE_TAGS = frozenset({"p", "li", "td", "pre", "blockquote"})


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
