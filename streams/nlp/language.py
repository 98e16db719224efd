"""The ``language`` stage: ISO 639-1 language and confidence of the clean body (lingua, cached per process)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from streams.core import hot
from streams.core.doc import Doc
from streams.ingest.rules import load_yaml

__all__ = ["LanguageGuess", "LanguageStage", "detect_language", "detector"]


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str | None
    confidence: float | None


@lru_cache(maxsize=8)
def detector(candidates: tuple[str, ...]) -> Any:
    """A lingua detector restricted to ``candidates`` (ISO 639-1), built once per process."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    langs = []
    for code in candidates:
        try:
            langs.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    if len(langs) < 2:
        # lingua needs at least two languages; add English as the contrast
        langs = [*{*langs, Language.ENGLISH, Language.INDONESIAN}]
    return LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models().build()


def _rx(words: list[str]) -> re.Pattern[str]:
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alt})\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, Any]]:
    data = load_yaml("language.yaml")
    return _rx(data["malay_markers"]), _rx(data["indonesian_markers"]), data


#: Characters ``re.IGNORECASE`` takes for an ASCII letter other than their ``str.lower()`` (U+0130, whose
#: lower form is two characters, changes the length and is caught by that): where they occur, the
#: markers are counted by the regex.
_CASE_ODD = ("\u0131", "\u017f")


@lru_cache(maxsize=1)
def _marker_automata() -> dict[re.Pattern[str], Any]:
    """An Aho-Corasick automaton (value: the marker's length) per marker regex of :func:`_lexicon`, when
    every marker is lower-case ASCII letters and single spaces (else none: the regex counts)."""
    import ahocorasick

    ms_rx, id_rx, data = _lexicon()
    out: dict[re.Pattern[str], Any] = {}
    for rx, words in ((ms_rx, data["malay_markers"]), (id_rx, data["indonesian_markers"])):
        if not words or not all(re.fullmatch(r"[a-z]+(?: [a-z]+)*", w) for w in words):
            continue
        auto = ahocorasick.Automaton()
        for w in words:
            auto.add_word(w, len(w))
        auto.make_automaton()
        out[rx] = auto
    return out


def _is_word(c: str) -> bool:
    """Whether ``c`` is a word character of ``re``'s ``\\b`` (str patterns)."""
    return c.isalnum() or c == "_"


def _count_markers(head: str, rx: re.Pattern[str]) -> int:
    """``len(rx.findall(head))`` for a marker regex of :func:`_lexicon`. On the compiled path, one
    automaton pass over ``head.lower()``: at each start the longest marker with a word boundary on
    both sides, then the leftmost non-overlapping ones (what the regex's longest-first alternation
    finds); the regex itself where the case folding could differ."""
    auto = _marker_automata().get(rx) if hot.HOT is not None else None
    low = head.lower()
    if auto is None or len(low) != len(head) or any(c in head for c in _CASE_ODD):
        return len(rx.findall(head))
    n = len(head)
    best: dict[int, int] = {}
    for end, size in auto.iter(low):
        start = end - size + 1
        if (start and _is_word(head[start - 1])) or (end + 1 < n and _is_word(head[end + 1])):
            continue
        if size > best.get(start, 0):
            best[start] = size
    count = pos = 0
    for start in sorted(best):
        if start >= pos:
            count += 1
            pos = start + best[start]
    return count


_SHORTCUT = Path(__file__).resolve().parent.parent / "data" / "text" / "language_shortcut.yaml"
_SHORTCUT_CANDIDATES = frozenset({"id", "en", "ms"})


@lru_cache(maxsize=1)
def _shortcut_rules() -> dict[str, Any]:
    rules: dict[str, Any] = hot.read_yaml(_SHORTCUT.read_text(encoding="utf-8"))
    return rules


def _shortcut(text: str, sample: str, candidates: tuple[str, ...]) -> LanguageGuess | None:
    """Indonesian or English with confidence 1.0, without lingua, for a text of at least ``min_chars``
    whose lingua sample is ``min_letter_share`` letters and holds ``min_words`` function words of one
    language and none of the other (``data/text/language_shortcut.yaml``), when lingua's answer could
    not be another: an Indonesian sample needs fewer Malay markers than the Malay margin (so the text
    cannot be clearly Malay), an English one a whole-text vote that is not Indonesian (else the vote
    would override lingua). None: lingua decides."""
    rules = _shortcut_rules()
    if not rules.get("enabled") or len(text) < int(rules["min_chars"]):
        return None
    if frozenset(candidates) != _SHORTCUT_CANDIDATES:
        return None
    if sum(map(str.isalpha, sample)) < float(rules["min_letter_share"]) * len(sample):
        return None  # tables, scores, prices: lingua's confidence is not saturated there
    words = _function_words()
    toks = sample.lower().split()
    ind = sum(map(words["id"].__contains__, toks))
    eng = sum(map(words["en"].__contains__, toks))
    need = int(rules["min_words"])
    if ind >= need and not eng:
        ms_rx, _, data = _lexicon()
        if _count_markers(text[:4000], ms_rx) < int(data.get("malay_margin", 2)):
            return LanguageGuess("id", 1.0)
    elif eng >= need and not ind and _vote(text) != "id":
        return LanguageGuess("en", 1.0)
    return None


@lru_cache(maxsize=1)
def _function_words() -> dict[str, frozenset[str]]:
    return {lang: frozenset(words) for lang, words in load_yaml("language.yaml")["function_words"].items()}


def _vote(text: str, *, window: int = 4000) -> str | None:
    """``id`` or ``en`` when the whole text's function words clearly favour one, else None."""
    tokens = text[:window].lower().split()
    counts = {lang: sum(map(words.__contains__, tokens)) for lang, words in _function_words().items()}
    ratio = float(_lexicon()[2].get("function_vote_ratio", 3.0))
    ind, eng = counts.get("id", 0), counts.get("en", 0)
    if ind >= 5 and ind >= ratio * eng:
        return "id"
    if eng >= 5 and eng >= ratio * ind:
        return "en"
    return None


def _sample(text: str, size: int) -> str:
    """Start and middle of a long text (a quote at the top should not decide the language)."""
    if len(text) <= size:
        return text
    half = size // 2
    mid = len(text) // 2
    return text[:half] + " " + text[mid : mid + half]


def _clearly_malay(
    text: str, confidence: float, ms_rx: re.Pattern[str], id_rx: re.Pattern[str], data: dict[str, Any]
) -> bool:
    """Malay when the sample's Malay confidence reaches ``malay_min_confidence`` and the first 4,000
    characters hold ``malay_margin`` more Malay markers than Indonesian ones. The markers are counted
    only when the confidence is reached, the Indonesian ones only when the Malay count alone reaches
    the margin (each count is a scan of a long alternation: ~0.3 ms)."""
    if confidence < float(data.get("malay_min_confidence", 0.5)):
        return False
    head = text[:4000]
    margin = int(data.get("malay_margin", 2))
    malay = _count_markers(head, ms_rx)
    if malay < margin:  # (Indonesian markers count 0 or more: malay >= indonesian + margin fails)
        return False
    return malay >= _count_markers(head, id_rx) + margin


def detect_language(
    text: str, candidates: tuple[str, ...] = ("id", "en", "ms"), *, shortcut: bool = True
) -> LanguageGuess:
    """Language of ``text`` among ``candidates``; Indonesian unless the text is clearly Malay.
    ``shortcut=False``: lingua decides every text (:func:`_shortcut` skipped; the measurement's side)."""
    ms_rx, id_rx, data = _lexicon()
    sample = _sample(text, int(data.get("sample_chars", 600)))
    if not any(ch.isalpha() for ch in sample):
        return LanguageGuess(None, None)
    if shortcut:
        quick = _shortcut(text, sample, candidates)
        if quick is not None:
            return quick
    values = detector(tuple(candidates)).compute_language_confidence_values(sample)
    if not values:
        return LanguageGuess(None, None)
    scores = {v.language.iso_code_639_1.name.lower(): float(v.value) for v in values}
    best = max(scores, key=lambda k: scores[k])
    if best == "ms" and "id" in scores and not _clearly_malay(text, scores["ms"], ms_rx, id_rx, data):
        return LanguageGuess("id", round(scores["id"] + scores["ms"], 4))
    if scores[best] <= 0.0:
        return LanguageGuess(None, None)
    if best == "en" and "id" in scores and _vote(text) == "id":
        # an Indonesian article opening with (or centred on) an English quote: the sample
        # disagrees with the whole text's function words, so trust the whole text
        conf = scores["id"] + scores.get("ms", 0.0)
        return LanguageGuess("id", round(max(conf, 0.5), 4))
    if best == "id" and "ms" in scores:
        # id and ms share most words: their joint mass is the confidence that it is Indonesian
        return LanguageGuess("id", round(scores["id"] + scores["ms"], 4))
    return LanguageGuess(best, round(scores[best], 4))


class LanguageStage:
    """Assigns ``language`` and ``language_confidence`` from the title and the clean body."""

    name: ClassVar[str] = "language"
    requires: ClassVar[tuple[str, ...]] = ("body",)
    #: the title votes too when there is one
    optional: ClassVar[tuple[str, ...]] = ("title",)
    assigns: ClassVar[tuple[str, ...]] = ("language", "language_confidence")

    def __init__(self, settings: Any = None, state: Any = None):
        cands = tuple(getattr(settings, "language_candidates", None) or ("id", "en", "ms"))
        self.candidates = cands
        detector(cands)  # build once, up front, so the first article is not slow

    def __call__(self, doc: Doc) -> None:
        text = f"{doc.title}\n\n{doc.body}" if doc.title else doc.body
        guess = detect_language(text, self.candidates)
        if guess.language is None and doc.raw.language:
            doc.language, doc.language_confidence = doc.raw.language.lower()[:2], None
            return
        doc.language, doc.language_confidence = guess.language, guess.confidence
