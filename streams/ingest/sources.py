"""Outlets: the article's own source (from its URL or a leading outlet name) and the ones it cites."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from streams.core.records import SourceInfo
from streams.ingest.rules import Outlet, metadata, outlets

__all__ = [
    "cited_sources",
    "domain_of",
    "is_domain_like",
    "outlet_by_alias",
    "outlet_by_domain",
    "source_info",
]


def domain_of(url: str | None) -> str | None:
    """``https://www.kompas.com/a/b`` -> ``kompas.com`` (None when there is no host)."""
    if not url:
        return None
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return None
    host = host.lower().strip(".")
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    return host if "." in host else None


@lru_cache(maxsize=1)
def _domain_regex() -> re.Pattern[str]:
    tlds = sorted(metadata()["tlds"], key=len, reverse=True)
    alt = "|".join(re.escape(t) for t in tlds)
    return re.compile(rf"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{alt})$", re.IGNORECASE)


def is_domain_like(token: str) -> bool:
    """``Kompas.com``, ``KENDARIEKSPRES.COM``, ``Newestindonesia.co.id`` look like web addresses."""
    return bool(_domain_regex().match(token.strip()))


@lru_cache(maxsize=1)
def _by_domain() -> dict[str, Outlet]:
    return {d: o for o in outlets() for d in o.domains}


@lru_cache(maxsize=1)
def _by_alias() -> dict[str, Outlet]:
    table: dict[str, Outlet] = {}
    for o in outlets():
        for a in (*o.aliases, *o.credit_aliases, o.name):
            table.setdefault(a.casefold(), o)
    return table


def outlet_by_domain(domain: str | None) -> Outlet | None:
    """The known outlet of a domain, also for its subdomains (``news.detik.com``)."""
    if not domain:
        return None
    d = domain.lower()
    table = _by_domain()
    while d:
        if d in table:
            return table[d]
        _, _, d = d.partition(".")
        if "." not in d:
            break
    return None


def outlet_by_alias(text: str) -> Outlet | None:
    """The known outlet named exactly ``text`` (case-insensitive), if any."""
    return _by_alias().get(" ".join(text.split()).casefold())


@lru_cache(maxsize=1)
def _alias_automaton() -> Any:
    """Aho-Corasick automaton over every alias as written and in upper case."""
    import ahocorasick

    auto = ahocorasick.Automaton()
    for o in outlets():
        for a in o.aliases:
            for form in (a, a.upper()):
                if form not in auto:
                    auto.add_word(form, (len(form), o))
    auto.make_automaton()
    return auto


def _is_boundary(text: str, start: int, end: int) -> bool:
    """The match is a whole name: not inside a word, a web address or a hyphenated name."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isalnum() or before in "_.@/-" or after.isalnum() or after in "_-":
        return False
    return not (after == "." and end + 1 < len(text) and text[end + 1].isalpha())


def cited_sources(
    texts: Iterable[str],
    *,
    own: SourceInfo | None = None,
    credits: Iterable[str] = (),
    leading_credits: Iterable[str] = (),
) -> list[str]:
    """Canonical names of the outlets credited or mentioned: leading credits (a dateline's
    "(Reuters)"), then the texts in order of mention, then the other credits ("(VoI)")."""
    auto = _alias_automaton()
    own_domain = (own.domain or "").lower() if own else ""
    own_name = (own.name or "").casefold() if own else ""
    found: list[str] = []

    def add(outlet: Outlet) -> None:
        if outlet.name in found:
            return
        if own_domain and (
            own_domain in outlet.domains or any(own_domain.endswith("." + d) for d in outlet.domains)
        ):
            return
        if own_name and own_name in {outlet.name.casefold(), *(a.casefold() for a in outlet.aliases)}:
            return
        found.append(outlet.name)

    def scan(text: str) -> None:
        hits: list[tuple[int, int, Outlet]] = []
        for end_idx, (length, outlet) in auto.iter(text):
            start, end = end_idx - length + 1, end_idx + 1
            if _is_boundary(text, start, end):
                hits.append((start, -length, outlet))
        hits.sort(key=lambda h: (h[0], h[1]))
        covered = -1
        for start, neg_len, outlet in hits:
            if start >= covered:  # not inside a longer name already taken ("NBC" in "NBC News")
                covered = start - neg_len
                add(outlet)

    def credit(text: str) -> None:
        # a whole credit ("(AP)", "Reuters", "[Antara]") may use a credit-only short form
        named = outlet_by_alias(text.strip(" \t()[]"))
        if named is not None:
            add(named)
        elif text:
            scan(text)

    for c in leading_credits:
        credit(c)
    for t in texts:
        if t:
            scan(t)
    for c in credits:
        credit(c)
    return found


def source_info(
    *,
    url: str | None = None,
    raw_source: str | None = None,
    site_name: str | None = None,
    text_outlet: str | None = None,
) -> SourceInfo:
    """``{name, domain}`` from the URL, else the outlet named in the text, else the producer's label."""
    domain = domain_of(url)
    if domain is not None:
        # the URL decides; the outlet named in the text may be a wire agency it reprints
        known = outlet_by_domain(domain)
        return SourceInfo(
            name=(known.name if known else None) or raw_source or site_name or domain, domain=domain
        )
    if text_outlet and is_domain_like(text_outlet):
        domain = text_outlet.lower()
    elif raw_source and is_domain_like(raw_source):
        domain = raw_source.lower()
    known = (
        outlet_by_domain(domain) or outlet_by_alias(text_outlet or "") or outlet_by_alias(raw_source or "")
    )
    if domain is None and known is not None and known.domains:
        domain = known.domains[0]
    name = (known.name if known else None) or raw_source or site_name or text_outlet or domain
    return SourceInfo(name=name, domain=domain)
