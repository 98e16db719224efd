"""Where a bench writes its results: the tracked ``bench/results/`` only when asked.

Why: ``bench/results/*`` are the figures the docs cite; a bench run for a comparison must not
rewrite them. By default the files go to the git-ignored ``bench/.out/``; ``--save`` (or
``BENCH_SAVE=1``) writes the tracked ones; ``BENCH_RESULTS=DIR`` writes to ``DIR`` either way.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["SAVED", "SCRATCH", "results_dir"]

SAVED = Path(__file__).parent / "results"
SCRATCH = Path(__file__).parent / ".out"


def results_dir(save: bool = False) -> Path:
    """The folder to write into (created): ``BENCH_RESULTS``, else the tracked ``bench/results``
    with ``save`` (or ``BENCH_SAVE=1``), else the ignored ``bench/.out``."""
    env = os.environ.get("BENCH_RESULTS")
    save = save or os.environ.get("BENCH_SAVE") == "1"
    out = Path(env) if env else (SAVED if save else SCRATCH)
    out.mkdir(parents=True, exist_ok=True)
    return out
