"""A bench worker run from another checkout (``BENCH_WORKER_PYTHONPATH``) imports that checkout's
``streams``: ``python -m`` puts its working directory before PYTHONPATH."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.run import worker_code, worker_cwd


def _imported_from(env_path: str | None, cwd: Path | None) -> str:
    env = {"PYTHONPATH": env_path} if env_path else {}
    code = "import streams, os; print(os.path.dirname(os.path.abspath(streams.__file__)))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
                         check=True)  # fmt: skip
    return out.stdout.strip()


def test_a_baseline_worker_runs_in_the_baseline_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "baseline"
    (other / "streams").mkdir(parents=True)
    (other / "streams" / "__init__.py").write_text("")
    here = Path(__file__).resolve().parents[2]
    # the bug this guards against: PYTHONPATH alone, started in this checkout, imports this one
    assert _imported_from(str(other), here) == str(here / "streams")
    monkeypatch.setenv("BENCH_WORKER_PYTHONPATH", str(other))
    assert worker_code() == {"PYTHONPATH": str(other)}
    assert worker_cwd() == other
    assert _imported_from(worker_code()["PYTHONPATH"], worker_cwd()) == str(other / "streams")


def test_without_a_baseline_the_worker_runs_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_WORKER_PYTHONPATH", raising=False)
    assert worker_code() == {} and worker_cwd() is None
