"""Text features for dedup and stories: word shingles, salient names and numbers."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["extract_names", "extract_numbers", "shingles", "words"]

_WORD = re.compile(r"\w+", re.UNICODE)
# A run of capitalised words ("Abu Dhabi", "Volodymyr Zelensky", "PBB"), allowing one lower-case
# connector inside a name ("Uni Emirat Arab", "Bank of England", "Gunung de Lima").
_NAME = re.compile(r"\b[A-Z][\w'’\-]*(?:[ \t]+(?:(?:of|de|van|von|bin|al)[ \t]+)?[A-Z][\w'’\-]*)*")
# 55.000 / 55,000 / 1.250.000 / 157 ; decimals are ignored (their separator is ambiguous).
_NUMBER = re.compile(r"\d+(?:[.,]\d{3})*(?:[.,]\d+)?")
_SENTENCE_END = frozenset(".!?:;\"“”'‘’()[]\n—–-")


def words(text: str) -> list[str]:
    """NFKC, case-folded word tokens; punctuation and line breaks do not matter."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.casefold())


def shingles(tokens: Sequence[str], k: int) -> list[str]:
    """Contiguous ``k``-word shingles (the whole text as one shingle when it is shorter)."""
    if len(tokens) < k:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)]


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def extract_names(text: str, not_names: Iterable[str] = ()) -> Counter[str]:
    """Capitalised names (case-folded) with their counts: the text-only stand-in for entities.

    A single capitalised word counts only if it also occurs inside a sentence (so sentence-initial
    words like "Menurut" or "However" are not names); words in ``not_names`` are dropped from the
    edges of a name.
    """
    stop = {w.casefold() for w in not_names}
    seen: Counter[str] = Counter()
    inside: set[str] = set()
    for m in _NAME.finditer(text):
        parts = m.group(0).split()
        initial = _sentence_initial(text, m.start())
        while parts and parts[0].casefold() in stop:
            parts.pop(0)
            initial = False
        while parts and parts[-1].casefold() in stop:
            parts.pop()
        if not parts:
            continue
        name = " ".join(parts).casefold()
        if len(name) < 3 and not name.isupper():
            continue
        seen[name] += 1
        if len(parts) > 1 or not initial:
            inside.add(name)
    names = Counter({n: c for n, c in seen.items() if n in inside})
    return _merge_variants(names)


def _merge_variants(names: Counter[str]) -> Counter[str]:
    """Fold short forms into the full name they belong to: "vinales" -> "maverick vinales", and
    drop a sentence-initial word glued to a name ("bahkan vinales" -> "vinales")."""
    singles = {n for n in names if " " not in n}
    out: Counter[str] = Counter()
    for name, count in names.items():
        parts = name.split()
        if len(parts) > 1 and " ".join(parts[1:]) in names and parts[0] not in names:
            name = " ".join(parts[1:])
        out[name] += count
    full: dict[str, str] = {}
    for name in sorted(out, key=lambda n: -out[n]):
        parts = name.split()
        if len(parts) > 1 and parts[-1] in singles and parts[-1] not in full:
            full[parts[-1]] = name
    merged: Counter[str] = Counter()
    for name, count in out.items():
        merged[full.get(name, name)] += count
    return merged


def extract_numbers(text: str, *, minimum: int = 100) -> Counter[str]:
    """Integers written in the text (``55.000`` and ``55,000`` both give ``55000``), except
    small numbers and years, which recur across unrelated articles."""
    out: Counter[str] = Counter()
    for tok in _NUMBER.findall(text):
        if len(tok) < 3:
            continue
        parts = re.split(r"[.,]", tok)
        if len(parts) > 1 and len(parts[-1]) != 3:
            continue  # a decimal (17,5 / 3.25)
        digits = "".join(parts)
        if len(digits) > 15:
            continue
        value = int(digits)
        if value < minimum or 1900 <= value <= 2100:
            continue
        out[str(value)] += 1
    return out
