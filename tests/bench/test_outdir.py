"""A bench run writes the tracked bench/results/ only when asked (--save, BENCH_SAVE=1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import outdir


def test_default_is_the_ignored_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BENCH_RESULTS", raising=False)
    monkeypatch.delenv("BENCH_SAVE", raising=False)
    monkeypatch.setattr(outdir, "SCRATCH", tmp_path / "scratch")
    monkeypatch.setattr(outdir, "SAVED", tmp_path / "saved")
    assert outdir.results_dir() == tmp_path / "scratch"
    assert (tmp_path / "scratch").is_dir() and not (tmp_path / "saved").exists()
    assert outdir.results_dir(save=True) == tmp_path / "saved"
    monkeypatch.setenv("BENCH_SAVE", "1")
    assert outdir.results_dir() == tmp_path / "saved"
    monkeypatch.setenv("BENCH_RESULTS", str(tmp_path / "elsewhere"))
    assert outdir.results_dir(save=True) == tmp_path / "elsewhere"


def test_scratch_folder_is_git_ignored() -> None:
    root = Path(outdir.__file__).resolve().parents[1]
    assert "/bench/.out/" in (root / ".gitignore").read_text().splitlines()
    assert root / "bench" / "results" == outdir.SAVED
