"""Text data shared by the stages: tokenizer abbreviations (``tokens.yaml``) and English stop words."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

__all__ = ["english_stop_words"]


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """The English stop words of ``stop_words_en.txt`` (lower case; ``#`` lines are comments)."""
    text = (resources.files(__name__) / "stop_words_en.txt").read_text(encoding="utf-8")
    return frozenset(w for w in (x.strip() for x in text.splitlines()) if w and not w.startswith("#"))
