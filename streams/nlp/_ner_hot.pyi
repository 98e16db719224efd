"""Type stub of the compiled tagger path (``_ner_hot.pyx``); see ``streams.nlp.ner_crf``."""

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["decode", "emissions", "window_rows", "windows"]

def window_rows(
    words: list[str],
    firsts: list[int],
    kbtags: list[str],
    windows: list[tuple[int, int, int, int]],
    wc: tuple[dict[str, int], ...],
    cm2: dict[Any, int],
    cm1: dict[Any, int],
    cp1: dict[Any, int],
    cp2: dict[Any, int],
    gc: dict[Any, int],
    kc: dict[Any, int],
    row: Callable[[tuple[Any, ...]], int],
    lang: str,
) -> tuple[list[tuple[int, int, bool, bool]], list[int]]: ...
def decode(
    emit: np.ndarray, wins: list[tuple[int, int, bool, bool]], trans: np.ndarray
) -> list[tuple[int, int]]: ...
def emissions(mat: np.ndarray, rows: list[int], bias: np.ndarray) -> np.ndarray: ...
def windows(
    flags: list[bool], sentences: list[tuple[int, int]], gap: int, pad: int
) -> list[tuple[int, int, int, int]]: ...
