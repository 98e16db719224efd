"""Hostile command-line arguments and settings give a W-code line and exit 2, never a traceback."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import structlog

from streams.archive.store import MAX_SEARCH_LIMIT, ArchiveStore
from streams.core.errors import ERROR_CODES, WartaError
from streams.core.records import RawArticle
from streams.observability.logging import configure_logging


def _warta(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("WARTA_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "streams", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["search", "--limit", "99999999999999999999", "x"], "--limit"),
        (["search", "--limit", "-1", "x"], "--limit"),
        (["search", "--until", "99999999999999999999", "x"], "Unix seconds"),
        (["search", "--since", "nan", "x"], "Unix seconds"),
        (["search", "--since", "yesterday-ish", "x"], "ISO 8601"),
        (["search", "--bogus"], "--bogus"),
        (["tail", "raw", "--limit", "0"], "--limit"),
        (["web", "--port", "70000"], "--port"),
    ],
)
def test_bad_arguments_are_w003_usage_errors(args: list[str], needle: str, tmp_path: Path) -> None:
    res = _warta(*args, env={"WARTA_ARCHIVE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert "error W003" in res.stderr and needle in res.stderr
    assert "hint:" in res.stderr


def test_invalid_setting_is_w001(tmp_path: Path) -> None:
    res = _warta("search", "x", env={"WARTA_LOG_FORMAT": "xml"})
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "error W001" in res.stderr and "log_format" in res.stderr


def test_search_within_bounds_still_works(tmp_path: Path) -> None:
    ArchiveStore(f"sqlite:///{tmp_path / 'a.db'}").close()  # search reads an archive, never makes one
    res = _warta(
        "search",
        "--limit",
        str(MAX_SEARCH_LIMIT),
        "x",
        "--json",
        env={"WARTA_ARCHIVE_URL": f"sqlite:///{tmp_path / 'a.db'}"},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""


@pytest.mark.parametrize("limit", [0, -1, MAX_SEARCH_LIMIT + 1, 10**20])
def test_store_rejects_out_of_range_limit_as_w806(tmp_path: Path, limit: int) -> None:
    store = ArchiveStore(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        with pytest.raises(WartaError) as info:
            store.search("banjir", limit=limit)
    finally:
        store.close()
    assert info.value.code == "W806"
    assert "W806" in ERROR_CODES and "unreachable" not in ERROR_CODES["W806"]


@pytest.mark.parametrize("bad", ["a\x00b", "tab\there", "bell\x07", "c1\x85x"])
def test_ids_with_control_characters_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="control characters"):
        RawArticle(id=bad, text="Banjir di Semarang.")


def test_process_reports_control_character_id_as_w102() -> None:
    line = json.dumps({"id": "a\u0000b", "text": "Banjir merendam Semarang."})
    ok = json.dumps({"id": "fine", "text": "Banjir merendam Semarang pada Senin."})
    res = _warta("process", "-", stdin=line + "\n" + ok + "\n")
    assert res.returncode == 0, res.stderr
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert out[0]["code"] == "W102" and "control" in out[0]["reason"]
    assert out[1]["id"] == "fine" and "error" not in out[1]


def test_json_log_format_covers_structlog_and_stdlib_loggers(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        configure_logging("INFO", "json")
        structlog.get_logger("warta.test").info("first line", n=1)
        logging.getLogger("aiokafka.consumer").warning("library line %s", 2)
        lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    finally:
        configure_logging("INFO", "console")
    assert len(lines) == 2
    first, second = (json.loads(ln) for ln in lines)
    assert first["event"] == "first line" and first["n"] == 1 and first["level"] == "info"
    assert second["event"] == "library line 2" and second["logger"] == "aiokafka.consumer"
