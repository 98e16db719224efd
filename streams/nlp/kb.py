"""The news knowledge base: countries, places, organisations and people, matched with Aho-Corasick."""

from __future__ import annotations

import csv
import hashlib
import os
import pickle
import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

import ahocorasick
import pycountry
import yaml

from streams.core import hot as _core_hot

__all__ = [
    "CACHE_DIR",
    "KB_DIR",
    "KBEntry",
    "KBMatch",
    "KnowledgeBase",
    "kb_matches",
    "load_given_names",
    "load_kb",
    "load_rules",
    "py_kb_select",
]

#: The sort key of matches by their start (C-level, no Python call per match).
_START = attrgetter("start")

KB_DIR = Path(__file__).resolve().parent.parent / "data" / "kb"
_FILES = ("countries_id.tsv", "places.yaml", "orgs.yaml", "people.yaml", "rules.yaml")
_CACHE_VERSION = 1


_NON_WORD = re.compile(r"[\W_]")
#: Punctuation that separates words, mapped to spaces (same length, so offsets are kept).
_BOUNDARY = str.maketrans(
    {
        c: " "
        for c in "\t\n\r!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u00ab\u00bb\u2022\u2026"
    }
)


def _key(alias: str) -> str:
    """Automaton key of an alias: lower case, non-word characters as spaces, padded with spaces."""
    return " " + alias.lower().translate(_BOUNDARY) + " "


@dataclass(frozen=True, slots=True)
class KBEntry:
    """One referent of the knowledge base."""

    key: str
    name: str
    type: str
    id: str | None = None
    country: str | None = None
    agency: bool = False
    ambiguous: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class KBMatch:
    """An alias found in a text: ``[start, end)`` offsets, the entry and the alias form matched. Not
    frozen: a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, three
    times dearer, and an article makes ~100 of these (nothing changes one after it is made)."""

    start: int
    end: int
    entry: KBEntry
    alias: str


def _case_ok(alias: str, surface: str) -> bool:
    """Whether ``surface`` (found case-insensitively) is written the way this alias may be."""
    if surface == alias:
        return True
    if len(alias) <= 3:  # AS, UE, AP, WHO: only as written ("as", "Who" are words)
        return False
    if alias.isupper():  # NATO / Nato / ASEAN
        return surface.isupper() or surface.istitle()
    if not alias[:1].isupper():
        return surface[:1].isupper() or surface == alias
    # Names: the first letter must be a capital; ALL-CAPS headlines and datelines are fine.
    return surface[:1].isupper()


@dataclass
class KnowledgeBase:
    """Entries plus an automaton over their lower-cased aliases."""

    entries: list[KBEntry] = field(default_factory=list)
    by_key: dict[str, KBEntry] = field(default_factory=dict)
    automaton: Any = None

    def match(self, text: str) -> list[KBMatch]:
        """Longest, leftmost, non-overlapping alias matches on word boundaries."""
        low = text.lower()
        if len(low) != len(text):  # rare characters whose lower case changes length
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        norm = " " + low.translate(_BOUNDARY) + " "
        found = [(end_idx - klen + 1, klen, values) for end_idx, (klen, values) in self.automaton.iter(norm)]
        found.sort(key=lambda m: (-m[1], m[0]))
        out: list[KBMatch] = []
        used = bytearray(len(text) + 1)
        by_key = self.by_key
        for start, klen, values in found:
            end = start + klen - 2
            if used[start] or used[end - 1]:
                continue
            surface = text[start:end]
            for alias, key in values:
                if _case_ok(alias, surface):
                    used[start:end] = b"\x01" * (end - start)
                    out.append(KBMatch(start, end, by_key[key], alias))
                    break
        out.sort(key=_START)
        return out

    def candidates(self, alias: str) -> list[KBEntry]:
        """Entries having ``alias`` (case-insensitive)."""
        got = self.automaton.get(_key(alias), None)
        return [self.by_key[k] for _, k in got[1]] if got else []


def _tsv_rows(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _split(cell: str | None) -> list[str]:
    return [p.strip() for p in (cell or "").split("|") if p.strip()]


def _country_entries() -> list[KBEntry]:
    out = []
    for row in _tsv_rows(KB_DIR / "countries_id.tsv"):
        a2 = row["alpha2"].strip()
        c = pycountry.countries.get(alpha_2=a2)
        names: list[str] = []
        if c is not None:
            for attr in ("common_name", "name", "official_name"):
                v = getattr(c, attr, None)
                if v and "," not in v and "(" not in v:
                    names.append(v)
        id_names = _split(row.get("id_names"))
        extra = _split(row.get("aliases"))
        override = (row.get("name") or "").strip()
        canonical = override or (names[0] if names else (extra[0] if extra else id_names[0]))
        aliases = tuple(dict.fromkeys([*names, *id_names, *extra]))
        qid = (row.get("qid") or "").strip() or None
        out.append(KBEntry(f"country:{a2}", canonical, "GPE", qid, a2, aliases=aliases))
    return out


def _yaml(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.load((KB_DIR / name).read_text(encoding="utf-8"), Loader=_Loader)
    return data


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _entries_from(items: list[dict[str, Any]], kind: str, default_type: str) -> list[KBEntry]:
    out = []
    for it in items:
        typ = it.get("type", default_type)
        country = it.get("country")
        if country is not None and not (isinstance(country, str) and len(country) == 2):
            # YAML 1.1 reads an unquoted NO (Norway) as False: quote alpha-2 codes in the data files
            raise ValueError(
                f"{kind}:{it.get('name')}: country must be a quoted ISO alpha-2 code, got {country!r}"
            )
        aliases = tuple(dict.fromkeys([it["name"], *it.get("aliases", [])]))
        out.append(
            KBEntry(
                key=f"{kind}:{it['name']}",
                name=it["name"],
                type=typ,
                id=it.get("id"),
                country=country,
                agency=bool(it.get("agency", False)),
                ambiguous=it.get("ambiguous"),
                aliases=aliases,
            )
        )
    return out


def _build() -> KnowledgeBase:
    rules = _yaml("rules.yaml")
    entries: list[KBEntry] = []
    entries += _country_entries()
    entries += _entries_from(_yaml("places.yaml")["places"], "place", "GPE")
    entries += _entries_from(_yaml("orgs.yaml")["orgs"], "org", "ORG")
    entries += _entries_from(_yaml("people.yaml")["people"], "person", "PERSON")
    entries += _entries_from(rules.get("norp", []), "norp", "NORP")
    entries += _entries_from(rules.get("events", []), "event", "EVENT")
    kb = KnowledgeBase()
    for e in entries:
        if e.key in kb.by_key:  # the same referent listed twice: merge aliases
            old = kb.by_key[e.key]
            e = KBEntry(
                e.key, e.name, e.type, e.id or old.id, e.country or old.country, e.agency or old.agency,
                e.ambiguous or old.ambiguous, tuple(dict.fromkeys(old.aliases + e.aliases)),
            )  # fmt: skip
        kb.by_key[e.key] = e
    kb.entries = list(kb.by_key.values())
    table: dict[str, list[tuple[str, str]]] = {}
    for e in kb.entries:
        for a in e.aliases:
            table.setdefault(a.lower(), []).append((a, e.key))
    auto = ahocorasick.Automaton()
    for low, values in table.items():
        key = _key(low)
        # Prefer people over places for the same alias ("Austin"), then by specificity.
        order = {"PERSON": 0, "ORG": 1, "GPE": 2, "LOC": 3, "NORP": 4, "EVENT": 5}
        values.sort(key=lambda v: order.get(kb.by_key[v[1]].type, 9))
        if key.strip():
            old = auto.get(key, None)
            auto.add_word(key, (len(key), (old[1] if old else []) + values))
    auto.make_automaton()
    kb.automaton = auto
    return kb


def _fingerprint() -> str:
    h = hashlib.sha256(str(_CACHE_VERSION).encode())
    for name in _FILES:
        h.update((KB_DIR / name).read_bytes())
    h.update(Path(__file__).read_bytes())  # the build code shapes the cached automaton too
    return h.hexdigest()[:16]


#: Where the built knowledge base is cached (a pickle named by the data files' hash).
CACHE_DIR = Path(os.path.expanduser("~")) / ".cache" / "warta"


@lru_cache(maxsize=2)
def load_kb(cache_dir: Path = CACHE_DIR) -> KnowledgeBase:
    """The knowledge base, from a pickled cache in ``cache_dir`` keyed by the data files' hash when
    present (the caller passes the directory; nothing here reads the environment)."""
    fp = _fingerprint()
    path = cache_dir / f"kb-{fp}.pkl"
    try:
        with path.open("rb") as fh:
            kb: KnowledgeBase = pickle.load(fh)
        return kb
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    kb = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass
    return kb


@lru_cache(maxsize=1)
def load_given_names() -> frozenset[str]:
    """Common given names (``given_names.txt``): a cue that a capitalized run is a person."""
    lines = (KB_DIR / "given_names.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Any]:
    """Cue words and patterns for names outside the knowledge base (``rules.yaml``)."""
    return _yaml("rules.yaml")


def _minus_length(h: Any) -> int:
    """Sort key of hits, longest first."""
    return h.start - h.end


def py_kb_select(
    found: list[Any], text: str, by_key: dict[str, KBEntry], case_ok: Any, make: Any
) -> list[Any]:
    """Reference of ``_ner_hot.kb_select``: of the lexicon hits ``found`` (sorted by start then end),
    longest first then leftmost, each that overlaps no hit taken before and has an alias form written
    the way the surface may be (equal, or ``case_ok(form, surface)``) of a known key (``by_key``), as
    ``make(start, end, entry, form)`` (its first such key), sorted by start."""
    # longest first, then leftmost: the hits come sorted by start then end, and the sort is stable
    used = bytearray(len(text) + 1)
    out: list[Any] = []
    for h in sorted(found, key=_minus_length):
        if h.start < 0 or h.end <= h.start or h.end > len(text):
            raise ValueError("a hit is empty or outside the text")
        if used[h.start] or used[h.end - 1]:
            continue
        surface = text[h.start : h.end]
        for key, form in zip(h.keys, h.forms, strict=True):
            entry = by_key.get(key)
            if entry is not None and (form == surface or case_ok(form, surface)):
                used[h.start : h.end] = b"\x01" * (h.end - h.start)
                out.append(make(h.start, h.end, entry, form))
                break
    out.sort(key=_START)
    return out


def kb_matches(an: Any) -> list[KBMatch]:
    """Knowledge-base matches from the shared analysis's lexicon hits (one automaton for every lexicon):
    longest first, then leftmost, non-overlapping, written the way the alias may be (``_case_ok``)."""
    hot = _core_hot.compiled_extension("streams.nlp._ner_hot")
    select = hot.kb_select if hot is not None else py_kb_select
    return select(an.hits_by_tag("kb"), an.text, load_kb().by_key, _case_ok, KBMatch)  # type: ignore[no-any-return]
