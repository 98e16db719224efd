"""Load and compile the cleaning stage's versioned data files (furniture, outlets, metadata)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

__all__ = [
    "DATA_DIR",
    "FurnitureRule",
    "Outlet",
    "RuleScope",
    "anchored_max_words",
    "anchored_prefilter",
    "anchored_prefilter_for",
    "furniture_rules",
    "load_yaml",
    "metadata",
    "outlets",
    "place_zones",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "ingest"

RuleScope = Literal["line", "tail", "inline", "caption"]


@dataclass(frozen=True, slots=True)
class FurnitureRule:
    """One furniture pattern with its kind, language and how much of the text it removes."""

    id: str
    kind: str
    lang: str
    scope: RuleScope
    regex: re.Pattern[str]
    max_words: int | None = None
    #: True when the pattern starts with ``^``: tried with ``match`` (cheaper than ``search``).
    anchored: bool = False
    #: Search only the last N characters of the line (patterns anchored at the line's end).
    end_chars: int | None = None
    #: At least one of these lower-case strings must be in the line (cheap pre-filter).
    needs: tuple[str, ...] = ()
    #: The line heads a list (related links, topic tags): short lines after it go too.
    opens_list: bool = False

    def find(self, line: str, lower: str | None = None) -> re.Match[str] | None:
        if self.needs:
            low = lower if lower is not None else line.lower()
            for n in self.needs:
                if n in low:
                    break
            else:
                return None
        if self.anchored:
            return self.regex.match(line)
        if self.end_chars is not None and len(line) > self.end_chars:
            return self.regex.search(line, len(line) - self.end_chars)
        return self.regex.search(line)


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet or agency: canonical name, aliases as written, web domains."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    #: Short forms that name the outlet only in a credit ("(AP)", "WASHINGTON (AP) -"), never
    #: in running text, where they are often a person's initials.
    credit_aliases: tuple[str, ...] = ()
    #: IANA time zone the outlet states its times in (None for wire agencies, which use many).
    tz: str | None = None


@lru_cache(maxsize=8)
def load_yaml(name: str) -> dict[str, Any]:
    """A data file of ``streams/data/ingest`` as a dict (cached per process)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    data = yaml.load((DATA_DIR / name).read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(data, dict) or "version" not in data:
        raise ValueError(f"{name}: expected a mapping with a `version` key")
    return data


@lru_cache(maxsize=1)
def furniture_rules() -> tuple[FurnitureRule, ...]:
    """Compiled furniture rules, in file order."""
    rules = []
    for item in load_yaml("furniture.yaml")["rules"]:
        flags = 0 if item.get("case") == "sensitive" else re.IGNORECASE
        rules.append(
            FurnitureRule(
                id=item["id"],
                kind=item["kind"],
                lang=item.get("lang", "any"),
                scope=item.get("scope", "line"),
                regex=re.compile(item["pattern"], flags),
                max_words=item.get("max_words"),
                anchored=item["pattern"].startswith("^") and "|" not in _top_level(item["pattern"]),
                end_chars=item.get("end_chars"),
                needs=tuple(str(n).lower() for n in item.get("needs", ())),
                opens_list=bool(item.get("opens_list", False)),
            )
        )
    return tuple(rules)


def _top_level(pattern: str) -> str:
    """The pattern with every bracketed group removed (to see top-level alternations)."""
    depth, out, escaped = 0, [], False
    for ch in pattern:
        if escaped:
            escaped = False
            if depth == 0:
                out.append("_")  # an escaped character is a literal, never an operator
            continue
        if ch == "\\":
            escaped = True
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1)
def anchored_prefilter() -> re.Pattern[str]:
    """One regex matching wherever any anchored furniture rule could match (a fast first test)."""
    parts = []
    for item in load_yaml("furniture.yaml")["rules"]:
        pat = item["pattern"]
        if not (pat.startswith("^") and "|" not in _top_level(pat)):
            continue
        parts.append(f"(?-i:{pat})" if item.get("case") == "sensitive" else f"(?:{pat})")
    return re.compile("|".join(parts) or "(?!)", re.IGNORECASE)


def anchored_prefilter_for(words: int) -> re.Pattern[str]:
    """:func:`anchored_prefilter`, or for a line longer than every anchored rule but the most lenient
    allow (a paragraph), the alternation of those lenient rules alone: a paragraph tries one or two
    alternatives instead of every one. A line it does not match, no anchored rule can take (the
    others skip it for its length), so the verdicts are the same."""
    cut = _long_line_words()
    return anchored_prefilter() if cut is None or words <= cut else _long_line_prefilter()


def _anchored(item: dict[str, Any]) -> bool:
    pat = item["pattern"]
    return bool(pat.startswith("^") and "|" not in _top_level(pat))


@lru_cache(maxsize=1)
def _long_line_words() -> int | None:
    """The second-largest ``max_words`` of the anchored rules: longer lines meet only the most lenient."""
    limits = sorted(
        {item.get("max_words") or 10**9 for item in load_yaml("furniture.yaml")["rules"] if _anchored(item)}
    )
    return limits[-2] if len(limits) >= 2 else None


@lru_cache(maxsize=1)
def _long_line_prefilter() -> re.Pattern[str]:
    """The prefilter's alternation over the anchored rules that allow more than :func:`_long_line_words`."""
    cut = _long_line_words() or 0
    parts = []
    for item in load_yaml("furniture.yaml")["rules"]:
        if _anchored(item) and (item.get("max_words") or 10**9) > cut:
            pat = item["pattern"]
            parts.append(f"(?-i:{pat})" if item.get("case") == "sensitive" else f"(?:{pat})")
    return re.compile("|".join(parts) or "(?!)", re.IGNORECASE)


@lru_cache(maxsize=1)
def anchored_max_words() -> int | None:
    """The most words a line can have for any anchored rule to apply (None: no limit)."""
    limits = [r.max_words for r in furniture_rules() if r.anchored]
    if not limits or any(n is None for n in limits):
        return None
    return max(n for n in limits if n is not None)


@lru_cache(maxsize=1)
def outlets() -> tuple[Outlet, ...]:
    """Known outlets and agencies."""
    return tuple(
        Outlet(
            name=o["name"],
            kind=o.get("kind", "outlet"),
            aliases=tuple(str(a) for a in o.get("aliases", [])),
            domains=tuple(str(d).lower() for d in o.get("domains", [])),
            credit_aliases=tuple(str(a) for a in o.get("credit_aliases", [])),
            tz=o.get("tz"),
        )
        for o in load_yaml("outlets.yaml")["outlets"]
    )


@lru_cache(maxsize=1)
def place_zones() -> dict[str, str]:
    """Dateline place (case-folded) -> IANA time zone."""
    return {
        " ".join(p.split()).casefold(): zone
        for zone, places in (metadata().get("place_zones") or {}).items()
        for p in places
    }


def metadata() -> dict[str, Any]:
    """Dates, zones, byline labels and dateline settings."""
    return load_yaml("metadata.yaml")
