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
    "furniture_rules",
    "load_yaml",
    "metadata",
    "outlets",
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


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet or agency: canonical name, aliases as written, web domains."""

    name: str
    kind: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]


@lru_cache(maxsize=8)
def load_yaml(name: str) -> dict[str, Any]:
    """A data file of ``streams/data/ingest`` as a dict (cached per process)."""
    data = yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))
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
            )
        )
    return tuple(rules)


@lru_cache(maxsize=1)
def outlets() -> tuple[Outlet, ...]:
    """Known outlets and agencies."""
    return tuple(
        Outlet(
            name=o["name"],
            kind=o.get("kind", "outlet"),
            aliases=tuple(str(a) for a in o.get("aliases", [])),
            domains=tuple(str(d).lower() for d in o.get("domains", [])),
        )
        for o in load_yaml("outlets.yaml")["outlets"]
    )


def metadata() -> dict[str, Any]:
    """Dates, zones, byline labels and dateline settings."""
    return load_yaml("metadata.yaml")
