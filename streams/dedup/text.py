"""Text features for dedup and stories: word shingles, salient names and numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import cast

from streams.core import hot
from streams.core.analysis import Analysis
from streams.nlp.analysis import analyze

__all__ = ["analysis_of", "extract_names", "extract_numbers", "py_shingles", "shingles", "words"]

# Words that may join two capitalised words inside one name ("Bank of England", "Gunung de Lima").
_CONNECTORS = frozenset({"of", "de", "van", "von", "bin", "al"})
# Characters after which a capitalised word starts a sentence (or a clause) rather than a name.
_SENTENCE_END = frozenset(".!?:;\"“”'‘’()[]\n—–-")
_INSIDE_WORD = frozenset("'’-")


def analysis_of(source: str | Analysis) -> Analysis:
    """The shared analysis of ``source`` (its tokens only: no lexicons or numbers)."""
    return source if isinstance(source, Analysis) else analyze(source, lexicons=False)


def words(source: str | Analysis) -> list[str]:
    """NFKC, case-folded word tokens of the analysis; punctuation and line breaks do not matter."""
    return analysis_of(source).word_lowers()


def shingles(tokens: Sequence[str], k: int) -> list[str]:
    """Contiguous ``k``-word shingles (the whole text as one shingle when it is shorter): compiled
    (``streams.core._hot.shingles``, cut out of one join) when the hot path is on, else :func:`py_shingles`."""
    h = hot.HOT
    if h is not None and type(tokens) is list:
        return cast("list[str]", h.shingles(tokens, k))
    return py_shingles(tokens, k)


def py_shingles(tokens: Sequence[str], k: int) -> list[str]:
    """The pure-Python reference of :func:`shingles`."""
    if len(tokens) < k:
        return [" ".join(tokens)] if tokens else []
    # k shifted views zipped (the shorter ones end it): one C-level join per shingle, no slice per position
    return list(map(" ".join, zip(*(tokens[i:] for i in range(k)), strict=False)))


def _name_words(an: Analysis) -> list[tuple[int, int]]:
    """Token ranges of capitalised words: a token starting with A-Z at a word boundary, with the
    letters, digits, hyphens and apostrophes attached to it ("Al-Jazeera", "O'Neil")."""
    words, starts, ends = an.words, an.starts, an.ends
    n = len(words)
    out: list[tuple[int, int]] = []
    i = 0
    while i < n:
        w = words[i]
        if "A" <= w[0] <= "Z" and (i == 0 or starts[i] > ends[i - 1] or not words[i - 1][-1].isalnum()):
            j = i + 1
            while (
                j < n and starts[j] == ends[j - 1] and (words[j][0].isalnum() or words[j][0] in _INSIDE_WORD)
            ):
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _names(an: Analysis) -> list[tuple[list[str], bool]]:
    """Runs of capitalised words separated by spaces or tabs, each as its words and whether it
    opens a sentence."""
    text, starts, ends = an.text, an.starts, an.ends
    runs: list[tuple[list[str], bool]] = []
    last = -1  # token end of the previous name word

    def spaced(a: int) -> bool:  # only spaces or tabs between token a - 1 and token a
        return starts[a] > ends[a - 1] and not text[ends[a - 1] : starts[a]].strip(" \t")

    for a, b in _name_words(an):
        word = text[starts[a] : ends[b - 1]]
        if runs and a == last and spaced(a):
            runs[-1][0].append(word)
            last = b
            continue
        if runs and a == last + 1 and an.words[a - 1] in _CONNECTORS and spaced(a) and spaced(a - 1):
            runs[-1][0].extend((an.words[a - 1], word))
            last = b
            continue
        # a sentence opens after sentence punctuation or a line break (spaces and tabs skipped)
        gap = text[ends[a - 1] : starts[a]].rstrip(" \t") if a else ""
        initial = a == 0 or (gap[-1] if gap else an.words[a - 1][-1]) in _SENTENCE_END
        runs.append(([word], initial))
        last = b
    return runs


def extract_names(source: str | Analysis, not_names: Iterable[str] = ()) -> Counter[str]:
    """Capitalised names (case-folded) with their counts: the text-only stand-in for entities.

    A single capitalised word counts only if it also occurs inside a sentence (so sentence-initial
    words like "Menurut" or "However" are not names); words in ``not_names`` are dropped from the
    edges of a name.
    """
    stop = {w.casefold() for w in not_names}
    seen: Counter[str] = Counter()
    inside: set[str] = set()
    for parts, initial in _names(analysis_of(source)):
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


def extract_numbers(source: str | Analysis, *, minimum: int = 100) -> Counter[str]:
    """Integers written in digits (``55.000`` and ``55,000`` both give ``55000``; ``5 juta`` gives
    ``5000000``), except small numbers and years, which recur across unrelated articles, and
    decimals. Read from the analysis numbers (parsed once); a text is analysed here."""
    an = source if isinstance(source, Analysis) and source.numbers else None
    if an is None:
        from streams.nlp.numbers import parse_numbers

        an = analysis_of(source)
        numbers = parse_numbers(an)
    else:
        numbers = an.numbers
    out: Counter[str] = Counter()
    for num in numbers:
        v = num.value
        if num.is_word or num.vague or v != int(v) or v > 1e15:
            continue
        if v < minimum or 1900 <= v <= 2100:
            continue
        out[str(int(v))] += 1
    return out
