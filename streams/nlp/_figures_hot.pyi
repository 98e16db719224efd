"""Type stub of the compiled figures path (``_figures_hot.pyx``); see ``streams.nlp.figure_model``."""

from typing import Any

__all__ = ["scan"]

def scan(view: Any, n: Any, q_i: int, head_end: int, f: list[str], after: bool, weapon: bool) -> str: ...
