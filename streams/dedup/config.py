"""Dedup and story parameters, loaded from the versioned ``streams/data/dedup/dedup.yaml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from streams.core.hot import read_yaml

__all__ = ["DedupConfig", "load_config"]


@dataclass(frozen=True)
class DedupConfig:
    version: int = 1
    shingle_size: int = 5
    num_perm: int = 48
    bands: int = 16
    rows: int = 3
    seed: int = 1
    hash_bits: int = 16
    max_bucket: int = 64
    near_jaccard: float = 0.55
    near_containment: float = 0.8
    containment_min_jaccard: float = 0.35
    min_shingles: int = 8
    window_days: float = 7.0
    story_window_hours: float = 72.0
    max_features: int = 14
    max_story_features: int = 40
    max_key_stories: int = 8
    common_key: int = 6
    max_sources: int = 20
    min_names_with_number: int = 2
    min_names_alone: int = 4
    min_overlap_alone: float = 0.5
    min_overlap: float = 0.3
    #: specific figures two articles must share to join one story when they were published far apart or
    #: either date is unknown (the text, not the names, says it is the same incident)
    min_numbers_apart: int = 2
    #: figure kinds whose headline values give close-figure keys, the smallest such value, the ratio within
    #: which two values share a key, and the specific names a close-figure match needs (dedup.yaml)
    close_kinds: frozenset[str] = field(default_factory=frozenset)
    close_min: float = 10.0
    close_ratio: float = 1.25
    min_names_with_close: int = 3
    not_names: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.bands * self.rows != self.num_perm:
            raise ValueError(
                f"dedup.yaml: bands*rows ({self.bands}*{self.rows}) must equal num_perm ({self.num_perm})"
            )
        if self.hash_bits not in (16, 32):
            raise ValueError("dedup.yaml: hash_bits must be 16 or 32")
        if self.close_ratio <= 1.0:
            raise ValueError("dedup.yaml: close_ratio must be above 1")


def _from_yaml(data: dict[str, Any], **overrides: Any) -> DedupConfig:
    mh, near, story = data.get("minhash", {}), data.get("near", {}), data.get("story", {})
    kw: dict[str, Any] = {
        "version": int(data.get("version", 1)),
        "shingle_size": mh["shingle_size"],
        "num_perm": mh["num_perm"],
        "bands": mh["bands"],
        "rows": mh["rows"],
        "seed": mh["seed"],
        "hash_bits": mh.get("hash_bits", 16),
        "max_bucket": mh.get("max_bucket", 64),
        "near_jaccard": near["jaccard"],
        "near_containment": near["containment"],
        "containment_min_jaccard": near["containment_min_jaccard"],
        "min_shingles": near["min_shingles"],
        "story_window_hours": story["window_hours"],
        "max_features": story["max_features"],
        "max_story_features": story["max_story_features"],
        "max_key_stories": story["max_key_stories"],
        "common_key": story["common_key"],
        "max_sources": story["max_sources"],
        "min_names_with_number": story["min_names_with_number"],
        "min_names_alone": story["min_names_alone"],
        "min_overlap_alone": story["min_overlap_alone"],
        "min_overlap": story["min_overlap"],
        "min_numbers_apart": story.get("min_numbers_apart", 2),
        "close_kinds": frozenset(str(k) for k in story.get("close_kinds", [])),
        "close_min": float(story.get("close_min", 10)),
        "close_ratio": float(story.get("close_ratio", 1.25)),
        "min_names_with_close": int(story.get("min_names_with_close", 3)),
        "not_names": frozenset(str(w).casefold() for w in data.get("not_names", [])),
    }
    kw.update(overrides)
    return DedupConfig(**kw)


@lru_cache(maxsize=4)
def _load_default() -> dict[str, Any]:
    text = (resources.files("streams.data.dedup") / "dedup.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = read_yaml(text)
    return data


def load_config(path: Path | None = None, **overrides: Any) -> DedupConfig:
    """The packaged configuration (or ``path``), with keyword overrides (e.g. ``window_days``)."""
    data = read_yaml(path.read_text(encoding="utf-8")) if path else _load_default()
    return _from_yaml(data, **overrides)
