"""Feed documents -> items: RSS 2.0 and Atom with feedparser, news sitemaps with lxml."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
from lxml import etree

from streams.feeds.config import FeedSpec

__all__ = ["FeedError", "FeedItem", "ParsedFeed", "parse_document", "parse_published"]

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_ROOT_RE = re.compile(rb"<\s*(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")


class FeedError(Exception):
    """A feed document that cannot be read; ``reason`` is the metric label."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FeedItem:
    link: str | None
    guid: str | None
    title: str | None
    published_at: str | None
    language: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    kind: str  # rss, atom, sitemap
    items: list[FeedItem]
    title: str | None = None
    #: problems feedparser recovered from (e.g. a declared charset that was wrong): reason label
    warning: str | None = None


def _zone(hint: str | None) -> tzinfo | None:
    if not hint:
        return None
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)", hint)
    if m:
        delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
        return timezone(-delta if m.group(1) == "-" else delta)
    return ZoneInfo(hint)


def parse_published(value: str | None, tz_hint: str | None = None) -> str | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, sitemaps) -> ISO 8601 with an offset.

    A date without an offset is read in the feed's time-zone hint; without a hint it stays naive
    (the pipeline's date stage decides). Unparseable dates are dropped (None).
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            dt = None
    if dt is None:
        return None
    if dt.tzinfo is None:
        zone = _zone(tz_hint)
        if zone is not None:
            dt = dt.replace(tzinfo=zone)
    return dt.isoformat()


def _root_name(body: bytes) -> str:
    head = body[:4096]
    head = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.S)
    m = _ROOT_RE.search(head)
    return m.group(1).decode("ascii", "replace").lower() if m else ""


def _parse_sitemap(body: bytes, spec: FeedSpec) -> ParsedFeed:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError("malformed_xml", str(exc)) from exc
    if etree.QName(root).localname == "sitemapindex":
        raise FeedError("sitemap_index", "a sitemap index: list its news sitemaps in the feeds file")
    items = []
    for url in root.iter(f"{{{_SITEMAP_NS}}}url"):
        loc = (url.findtext(f"{{{_SITEMAP_NS}}}loc") or "").strip() or None
        news = url.find(f"{{{_NEWS_NS}}}news")
        title = date = lang = None
        if news is not None:
            title = news.findtext(f"{{{_NEWS_NS}}}title")
            date = news.findtext(f"{{{_NEWS_NS}}}publication_date")
            lang = news.findtext(f"{{{_NEWS_NS}}}publication/{{{_NEWS_NS}}}language")
        date = date or url.findtext(f"{{{_SITEMAP_NS}}}lastmod")
        items.append(FeedItem(loc, loc, (title or "").strip() or None,
                              parse_published(date, spec.timezone), (lang or "").strip() or None))  # fmt: skip
    return ParsedFeed("sitemap", items)


def _entry_date(entry: feedparser.FeedParserDict, tz_hint: str | None) -> str | None:
    for key in ("published", "updated", "created"):
        parsed = parse_published(entry.get(key), tz_hint)
        if parsed:
            return parsed
    for key in ("published_parsed", "updated_parsed"):
        st = entry.get(key)
        if st:
            return datetime(st[0], st[1], st[2], st[3], st[4], st[5], tzinfo=UTC).isoformat()
    return None


def _entry_link(e: Any) -> str | None:
    """An entry's link, else its first alternate link."""
    link = e.get("link")
    if not link:
        for alt in e.get("links") or []:
            if alt.get("href") and alt.get("rel", "alternate") == "alternate":
                return str(alt["href"])
    return link


def _entry_item(e: Any, spec: FeedSpec) -> FeedItem:
    """One feedparser entry as a FeedItem."""
    link = _entry_link(e)
    title = e.get("title")
    return FeedItem((link or "").strip() or None, e.get("id") or link,
                    title.strip() if isinstance(title, str) and title.strip() else None,
                    _entry_date(e, spec.timezone), None)  # fmt: skip


def _unwrapped(body: bytes) -> bytes:
    """The body, gunzipped when a gzip file came without Content-Encoding; refuses an empty one."""
    if body[:2] == b"\x1f\x8b":  # a gzip file served without Content-Encoding (sitemap.xml.gz)
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as exc:
            raise FeedError("malformed_gzip", str(exc)) from exc
    if not body.strip():
        raise FeedError("empty", "the feed is empty")
    return body


def _bozo_warning(parsed: Any) -> str | None:
    """What a recoverable parse problem was: a charset problem or malformed XML."""
    if not parsed.get("bozo"):
        return None
    name = type(parsed.get("bozo_exception")).__name__
    return "charset" if "Encoding" in name else "malformed_xml"


def parse_document(body: bytes, spec: FeedSpec, content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched feed, whatever its kind; raises FeedError for what is not a feed."""
    body = _unwrapped(body)
    root = _root_name(body.lstrip(b"\xef\xbb\xbf"))
    if spec.kind == "sitemap" or (spec.kind == "auto" and root in ("urlset", "sitemapindex")):
        return _parse_sitemap(body, spec)
    if root == "html":
        raise FeedError("not_a_feed", "the URL answered an HTML page, not a feed")
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)  # fmt: skip
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries:
        problem = parsed.get("bozo_exception")
        if parsed.get("bozo"):
            raise FeedError("malformed_xml", str(problem) or type(problem).__name__)
        raise FeedError("not_a_feed", "no RSS or Atom elements found")
    kind = "atom" if version.startswith("atom") else "rss"
    items = [_entry_item(e, spec) for e in entries]
    feed_title = parsed.get("feed", {}).get("title")
    return ParsedFeed(kind, items, feed_title, _bozo_warning(parsed))
