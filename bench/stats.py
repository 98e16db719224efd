"""Small statistics shared by the benchmarks."""

from __future__ import annotations

__all__ = ["percentile"]


def percentile(xs: list[float], p: float) -> float:
    """The ``p``-th percentile of ``xs`` (nearest rank); NaN for no values."""
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, round(p / 100 * (len(xs) - 1))))
    return xs[k]
