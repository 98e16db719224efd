"""Type stub of the compiled events path (``_events_hot.pyx``); see ``streams.nlp.events``."""

from collections.abc import Iterable
from typing import Any

__all__ = ["RoleScorer", "TriggerScorer"]

class RoleScorer:
    ids: dict[str, int]
    bias_source: float
    bias_target: float
    def __init__(
        self, bias_source: float, bias_target: float, weights: dict[str, tuple[float, float]]
    ) -> None: ...
    def id(self, name: str) -> int: ...
    def name_ids(self, names: Iterable[str]) -> tuple[int, ...]: ...
    def scores(
        self,
        cs: int,
        ce: int,
        root: str,
        passive: bool,
        speech: tuple[int, ...],
        break_ends: list[int],
        mentions: list[Any],
        consts: list[tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...] | None]],
    ) -> list[tuple[float, float, Any]]: ...

class TriggerScorer:
    ids: dict[str, int]
    bias: float
    mod_bias: tuple[float, float, float]
    def __init__(
        self,
        bias: float,
        mod_bias: tuple[float, ...],
        weights: dict[str, tuple[float, tuple[float, ...] | None]],
    ) -> None: ...
    def scores(self, feats: dict[str, float]) -> tuple[float, list[float]]: ...
