"""HTML pages to article text plus metadata (trafilatura), and a check for binary-looking text."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MIN_ARTICLE_WORDS",
    "ORIGINALS",
    "HtmlArticle",
    "fast_readability",
    "guarded_xpath",
    "html_to_article",
    "looks_binary",
    "page_blocks",
    "trafilatura_xpath_lists",
]

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


_REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}
#: ``re:test(@a|@b, 'pattern')`` in an XPath: lxml calls back into Python for every element.
_RE_TEST = re.compile(r"re:test\((@[\w-]+(?:\|@[\w-]+)*),\s*'([^'\\]*)'\)")


def _guard_re_test(match: re.Match[str]) -> str:
    """An equivalent of one ``re:test`` that skips elements without the attributes (the pattern
    cannot match the empty string) and tests a literal pattern with ``contains`` (no callback)."""
    attrs, pattern = match.group(1), match.group(2)
    if re.search(pattern, "") is not None:
        raise ValueError(pattern)  # would match a missing attribute: not equivalent
    if re.escape(pattern) == pattern:
        return f"contains({attrs}, '{pattern}')"
    names = attrs.split("|")
    present = names[0] if len(names) == 1 else "(" + " or ".join(names) + ")"
    return f"({present} and {match.group(0)})"


#: An attribute test against a non-empty literal (false on an element without the attributes):
#: ``contains(@a|@b, 'x')``, ``starts-with(...)``, ``re:test(...)``, ``contains(translate(@a, 'N', 'n'), 'x')``.
_ATTR_CALL = re.compile(
    r"(contains|starts-with|re:test)\((?:translate\()?@[\w-]+(?:\|@[\w-]+)*"
    r"(?:,\s*'[^']*',\s*'[^']*'\))?,\s*'([^']+)'\)"
)
_ATTR_EQ = re.compile(r"@[\w-]+\s*=\s*'[^']+'")
_ATTR = re.compile(r"@[\w-]+")
_AND_OR = re.compile(r"(?:\s|\(|\)|\band\b|\bor\b)*")
_LITERAL = re.compile(r"'[^']*'")


def _only_attribute_tests(pred: str) -> bool:
    """True when a predicate is and/or over attribute tests that all fail without the attribute."""
    for m in _ATTR_CALL.finditer(pred):
        if m.group(1) == "re:test" and re.search(m.group(2), "") is not None:
            return False
    rest = _ATTR.sub(" ", _ATTR_EQ.sub(" ", _ATTR_CALL.sub(" ", pred)))
    return _AND_OR.fullmatch(rest) is not None


def _attribute_prefilter(path: str) -> str:
    """The path with "has one of the attributes it reads" before its last predicate, when that
    predicate cannot hold on an element without them: lxml then skips most elements of a page after
    one cheap test instead of a dozen (the same elements in the same order; no position() here)."""
    body = path.strip()
    if not body.startswith(".//*[") or not body.endswith("]"):
        return path
    masked = _LITERAL.sub(lambda m: "'" + "_" * (len(m.group(0)) - 2) + "'", body)
    start = masked.rfind("][") + 1 or 4  # the last predicate's "["
    if "[" in masked[start + 1 :] or "]" in masked[start + 1 : -1]:
        return path  # a nested predicate
    pred = body[start + 1 : -1]
    names = sorted(set(_ATTR.findall(pred)))
    if not names or not _only_attribute_tests(pred):
        return path
    return f"{body[:start]}[{' or '.join(names)}]{body[start:]}"


def guarded_xpath(xpath: Any) -> Any:
    """The same selection as a trafilatura XPath, without calling Python's regex on elements that
    lack the tested attributes and, where its last predicate only tests attributes, with one
    "has one of them" test first (the same elements in the same order); the XPath itself when its
    expression does not allow the rewrite."""
    from lxml.etree import XPath, XPathSyntaxError

    try:
        path = _attribute_prefilter(_RE_TEST.sub(_guard_re_test, xpath.path))
        return XPath(path, namespaces=_REGEXP_NS)
    except (ValueError, XPathSyntaxError, AttributeError):
        return xpath


def trafilatura_xpath_lists() -> list[tuple[Any, str]]:
    """The (module, name) of every list of XPaths trafilatura's extraction reads at call time."""
    import trafilatura.core as core
    import trafilatura.external as external
    import trafilatura.main_extractor as main_extractor

    return [
        (module, name)
        for module in (core, main_extractor, external)
        for name, value in sorted(vars(module).items())
        if isinstance(value, list) and value and all(hasattr(x, "path") for x in value)
    ]


#: sha256 (first 16 hex digits) of ``readability_lxml.Document.remove_unlikely_candidates``'s source,
#: whitespace-normalised, that ``_remove_unlikely_candidates`` reproduces (trafilatura 2.3.1).
_READABILITY_SOURCE = "dd0dec538ee8fc7e"
#: trafilatura's own functions that ``fast_readability`` replaced, by name (tests compare them).
ORIGINALS: dict[str, Any] = {}


def _remove_unlikely_candidates(self: Any) -> None:
    """trafilatura's readability step, visiting only the elements with a class or an id: the ones
    it looks at (the others have no attributes to judge), in the same order, without a Python
    object for every element of the page."""
    from trafilatura.readability_lxml import FRAME_TAGS, REGEXES

    verdicts: dict[str, bool] = {}
    for elem in self.doc.xpath(".//*[@class or @id]"):
        attrs = " ".join(filter(None, (elem.get("class"), elem.get("id"))))
        if len(attrs) < 2 or elem.tag in FRAME_TAGS:
            continue
        if attrs not in verdicts:
            low = attrs.lower()
            verdicts[attrs] = bool(REGEXES["unlikelyCandidatesRe"].search(low)) and not REGEXES[
                "okMaybeItsACandidateRe"
            ].search(low)
        if verdicts[attrs]:
            elem.drop_tree()


def fast_readability() -> bool:
    """Put ``_remove_unlikely_candidates`` in place of readability's own when the installed
    trafilatura has the version it reproduces; True when it is in place."""
    import hashlib
    import inspect

    from trafilatura.readability_lxml import Document

    method = Document.remove_unlikely_candidates
    if method is _remove_unlikely_candidates:
        return True
    try:
        source = " ".join(inspect.getsource(method).split())
    except (OSError, TypeError):  # no source shipped: leave it
        return False
    if hashlib.sha256(source.encode()).hexdigest()[:16] != _READABILITY_SOURCE:
        return False
    ORIGINALS["remove_unlikely_candidates"] = method
    Document.remove_unlikely_candidates = _remove_unlikely_candidates  # type: ignore[method-assign]
    return True


@functools.cache
def _fast_trafilatura() -> None:
    """trafilatura's precise setting prunes the raw page with ``OVERALL_DISCARD_XPATH`` before
    readability; its regex tests ran on every element and took a third of the extraction. The
    guarded equivalents (of that list and of the others its extraction reads) select the same
    elements; readability's unlikely-candidates step visits only elements with a class or id."""
    for module, name in trafilatura_xpath_lists():
        setattr(module, name, [guarded_xpath(x) for x in getattr(module, name)])
    fast_readability()


def _load(html: str) -> Any:
    """The page as trafilatura parses it (its loader: comments dropped, markup repaired), or None
    when it does not parse; ``bare_extraction`` copies a tree it is given, so one parse serves
    every setting."""
    from trafilatura.utils import load_html

    try:
        return load_html(html)
    except Exception:  # the loader raises on odd input; bare_extraction returns None then
        return None


def _bare(page: Any, url: str | None, setting: str, *, metadata: bool) -> Any:
    """trafilatura's ``bare_extraction`` with one of the settings on a page (markup or a tree from
    ``_load``); None when it raises or finds nothing."""
    import trafilatura

    _fast_trafilatura()
    if page is None:
        return None  # trafilatura's loader found no tree: bare_extraction would return None
    try:
        return trafilatura.bare_extraction(
            page,
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


def _best_text(html: str, page: Any, url: str | None, precise: Any, block_words: int) -> tuple[str, str]:
    """The article text and the setting it came from: the precise one unless it found nothing or
    much less than the recall setting; then the default or recall setting, then the page's blocks.

    ``block_words`` (the words of the page's text blocks that are not mostly links) spares the
    recall run when the precise text already holds most of the page's prose."""
    n = _words(precise)
    if n >= MIN_ARTICLE_WORDS and (n >= _CHECK_BELOW_WORDS or block_words < _MUCH_MORE * n):
        return str(_get(precise, "text")), "precise"
    recall = _bare(page, url, "recall", metadata=False)
    r = _words(recall)
    if n >= MIN_ARTICLE_WORDS and r < _MUCH_MORE * n:
        return str(_get(precise, "text")), "precise"
    default = _bare(page, url, "default", metadata=False)
    found = [
        (w, name, doc) for name, doc in (("default", default), ("recall", recall)) if (w := _words(doc)) > n
    ]
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
    The metadata (title, author, date, site) comes from one lxml pass over the page's meta tags
    and elements; htmldate searches the page only when no timestamp is declared.
    """
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    page = _load(html)
    info = _page_info(page if _same_metadata_tree(html, page) else html)
    doc = _bare(page, url, "precise", metadata=False)
    text, how = _best_text(html, page, url, doc, info.block_words)
    text = _plain_tables(text)
    if len(text.split()) < MIN_ARTICLE_WORDS:
        return None  # a menu, a login box or an error message is not an article
    page_url = info.url or url
    return HtmlArticle(
        text=text,
        title=info.title,
        author=info.author,
        date=info.published or _htmldate(html, page_url),
        sitename=info.sitename,
        url=page_url,
        hostname=_hostname(page_url),
        captions=info.captions,
        extractor=how,
    )


def _hostname(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlsplit

    host = urlsplit(url if "//" in url else "//" + url).hostname
    return host or None


def _htmldate(html: str, url: str | None) -> str | None:
    """The page's date as htmldate finds it (URL, text, markup), when no meta tag declares one."""
    try:
        from htmldate import find_date

        found = find_date(html, url=url, extensive_search=True, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate raises on odd markup; no date then
        return None
    return _str(found)


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


_SKIP_TAGS = frozenset(
    {"script", "style", "nav", "footer", "header", "aside", "form", "noscript", "button", "select"}
)
_BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "li", "td", "th", "pre", "blockquote", "figcaption", "div")


def page_blocks(html: str, *, max_link_density: float = 0.5) -> list[str]:
    """The page's text blocks in order (paragraphs, headings, list items, table rows), leaving out
    navigation, scripts and blocks that are mostly links: the last resort when no setting finds text."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(_without_xml_declaration(html))
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


@dataclass
class _PageInfo:
    """What one lxml pass finds in a page besides its text."""

    captions: tuple[str, ...] = ()
    published: str | None = None
    block_words: int = 0
    title: str | None = None
    author: str | None = None
    sitename: str | None = None
    url: str | None = None


_META_TITLE = ("og:title", "twitter:title", "title", "dc.title", "headline")
_META_AUTHOR = (
    "author",
    "article:author",
    "byl",
    "parsely-author",
    "dc.creator",
    "sailthru.author",
    "dcterms.creator",
)
_META_SITE = ("og:site_name", "application-name", "twitter:site")
_META_URL = ("og:url", "twitter:url")


def _meta_tags(tree: Any) -> dict[str, str]:
    """Every ``<meta>`` of the page by its lower-cased property/name/itemprop (first one wins)."""
    tags: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = _str(el.get("content"))
        if key and value and key not in tags:
            tags[key] = value
    return tags


def _first(tags: dict[str, str], keys: tuple[str, ...], *, no_url: bool = False) -> str | None:
    for k in keys:
        v = tags.get(k)
        if v and not (no_url and re.match(r"https?://", v)):
            return v
    return None


def _published(tree: Any, tags: dict[str, str]) -> str | None:
    """The publication timestamp the page declares (meta tags, ``<time datetime>``, a date element)."""
    for key in _PUBLISHED_META:
        value = tags.get(key.lower())
        if value and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
            return value
    for el in tree.iter("time"):
        value = _str(el.get("datetime"))
        if value and re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", value):
            return value
    return _date_element(tree)


def _page_author(tree: Any, tags: dict[str, str]) -> str | None:
    author = _first(tags, _META_AUTHOR, no_url=True)
    if author:
        return author
    # only elements with one of the attributes read below can match (the same ones, in order)
    for el in tree.xpath(
        "descendant-or-self::*[self::a or self::span or self::div or self::p][@rel or @class or @itemprop]"
    ):
        rel = (el.get("rel") or "").lower()
        attrs = f"{el.get('class') or ''} {el.get('itemprop') or ''}".lower()
        if rel == "author" or re.search(r"\b(?:author|byline)(?:-?name)?\b", attrs):
            text = _str(el.text_content())
            if text and len(text) <= 60:
                return text
    return None


def _same_metadata_tree(html: str, page: Any) -> bool:
    """True when trafilatura's tree of the page reads the same in the metadata pass as
    ``lxml.html.fromstring``'s: it only lacks comments and processing instructions, which that
    pass never reads. Not so when its loader deleted characters, repaired a self-closing
    ``<html/>``, or parsed bytes for an XML declaration that ``fromstring`` refuses."""
    if page is None or html.lstrip()[:5].lower() == "<?xml":
        return False
    if any("<html" in line and line.endswith("/>") for line in html[:4096].splitlines()[:4]):
        return False
    from trafilatura.utils import INVALID_XML_CHARS  # what its loader deletes

    return INVALID_XML_CHARS.search(html) is None


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _without_xml_declaration(html: str) -> str:
    """The markup without a leading ``<?xml … encoding="…"?>``: ``lxml.html.fromstring`` refuses a str
    that declares an encoding (the text is already decoded), and the page would lose its metadata."""
    return _XML_DECLARATION.sub("", html, count=1) if html.lstrip()[:5].lower() == "<?xml" else html


def _page_info(page: Any) -> _PageInfo:
    """Captions, timestamp, prose words, title, author, site name and URL of a page (its markup,
    or a tree that reads the same)."""
    import lxml.html

    if isinstance(page, str):
        try:
            tree = lxml.html.fromstring(_without_xml_declaration(page))
        except Exception:  # lxml raises on empty or odd documents; nothing then
            return _PageInfo()
    else:
        tree = page
    captions: list[str] = []
    for el in tree.iter("figcaption"):
        cap = _str(el.text_content())
        if cap and cap not in captions:
            captions.append(cap)
    tags = _meta_tags(tree)
    h1 = next((t for el in tree.iter("h1") if (t := _str(el.text_content()))), None)
    head_title = next((t for el in tree.iter("title") if (t := _str(el.text_content()))), None)
    canonical = next(
        (_str(el.get("href")) for el in tree.iter("link") if (el.get("rel") or "").lower() == "canonical"),
        None,
    )
    return _PageInfo(
        captions=tuple(captions),
        published=_published(tree, tags),
        block_words=_prose_words(tree),
        title=_first(tags, _META_TITLE) or h1 or head_title,
        author=_page_author(tree, tags),
        sitename=_first(tags, _META_SITE),
        url=canonical if canonical and canonical.startswith("http") else _first(tags, _META_URL),
    )


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

    # only elements with a class or an id can name a date (the same ones, in order)
    for el in tree.xpath(
        "descendant-or-self::*[self::div or self::span or self::p or self::time or self::li][@class or @id]"
    ):
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
