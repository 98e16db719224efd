"""The ``language`` stage: ISO 639-1 language and confidence of the clean body (lingua, cached per process)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

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
    malay = len(ms_rx.findall(head))
    if malay < margin:  # (Indonesian markers count 0 or more: malay >= indonesian + margin fails)
        return False
    return malay >= len(id_rx.findall(head)) + margin


def detect_language(text: str, candidates: tuple[str, ...] = ("id", "en", "ms")) -> LanguageGuess:
    """Language of ``text`` among ``candidates``; Indonesian unless the text is clearly Malay."""
    ms_rx, id_rx, data = _lexicon()
    sample = _sample(text, int(data.get("sample_chars", 600)))
    if not any(ch.isalpha() for ch in sample):
        return LanguageGuess(None, None)
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
