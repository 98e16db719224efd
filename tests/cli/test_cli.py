"""The CLI through typer's test runner: process, schemas, errors."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from streams.cli.main import app

runner = CliRunner()


def _lines(out: str) -> list[dict]:  # type: ignore[type-arg]
    return [orjson.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_process_txt_files_in_order(tmp_path: Path) -> None:
    a, b = tmp_path / "b_second.txt", tmp_path / "a_first.txt"
    a.write_text("Judul kedua\n\nIsi berita kedua yang cukup panjang.")
    b.write_text("Judul pertama\n\nIsi berita pertama yang cukup panjang.")
    res = runner.invoke(app, ["process", str(a), str(b)])
    assert res.exit_code == 0, res.output
    rows = _lines(res.stdout)
    assert [r["id"] for r in rows] == ["b_second", "a_first"]
    assert all(r["event_id"].startswith("ev-") and r["schema_version"] == 3 for r in rows)


def test_process_jsonl_with_a_malformed_line(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text(
        '{"id": "one", "text": "Berita satu."}\n'
        "{broken\n"
        '{"id": "three", "text": "Berita tiga."}\n'
        '{"id": "four", "text": ""}\n'
    )
    res = runner.invoke(app, ["process", str(f)])
    assert res.exit_code == 0
    rows = _lines(res.stdout)
    assert [r.get("id") for r in rows] == ["one", "in.jsonl:2", "three", "four"]
    assert rows[1]["code"] == "W101" and "error" in rows[1]
    assert rows[3]["code"] == "W103"
    assert "body" in rows[2]


def test_process_stdin_and_nothing_readable(tmp_path: Path) -> None:
    res = runner.invoke(app, ["process", "-"], input='{"text": "Dari stdin."}\n')
    assert res.exit_code == 0 and _lines(res.stdout)[0]["body"] == "Dari stdin."
    res = runner.invoke(app, ["process", str(tmp_path / "missing.txt")])
    assert res.exit_code != 0
    assert _lines(res.stdout)[0]["code"] == "W105"


def test_process_seeds(seed_paths: list[Path]) -> None:
    res = runner.invoke(app, ["process", *map(str, seed_paths)])
    assert res.exit_code == 0
    rows = _lines(res.stdout)
    assert len(rows) == 5 and all("body" in r for r in rows)
    assert [r["id"] for r in rows] == [p.stem for p in seed_paths]


def test_schemas_export_then_check(tmp_path: Path) -> None:
    assert runner.invoke(app, ["schemas", "check", "--dir", str(tmp_path)]).exit_code == 1
    assert runner.invoke(app, ["schemas", "export", "--dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(app, ["schemas", "check", "--dir", str(tmp_path)]).exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "warta.articles.enriched.json" in names and len(names) == 6
    (tmp_path / "warta.dlq.json").write_text("{}")
    assert runner.invoke(app, ["schemas", "check", "--dir", str(tmp_path)]).exit_code == 1


def test_committed_schemas_match_models() -> None:
    root = Path(__file__).resolve().parents[2] / "schemas"
    res = runner.invoke(app, ["schemas", "check", "--dir", str(root)])
    assert res.exit_code == 0, "run `warta schemas export`: " + res.output


def test_eval_seeds_passes_every_check_and_accepts_the_seeds_dir(shared_dir: Path) -> None:
    """Needs ../shared (seeds + eval/seeds.gold.yaml): the whole gold check over the five seeds."""
    import re

    from typer.testing import CliRunner

    from streams.cli.main import app

    for arg in (str(shared_dir / "eval" / "seeds.gold.yaml"), str(shared_dir / "seeds")):
        res = CliRunner().invoke(app, ["eval", "seeds", arg])
        assert res.exit_code == 0, res.output
        m = re.search(r"seed checks passed: (\d+)/(\d+)", res.output)
        assert m and m.group(1) == m.group(2) and int(m.group(2)) >= 50, res.output
    res = CliRunner().invoke(app, ["eval", "seeds", str(shared_dir / "nowhere")])
    assert res.exit_code == 2


def test_process_exits_non_zero_when_no_input_reads_as_an_article(tmp_path: Path) -> None:
    """DESIGN.md: non-zero only when nothing could be read at all. Every line undecodable (W101,
    W102, W103) is nothing read; one article dead-lettered by a stage still counts as read."""
    f = tmp_path / "bad.jsonl"
    f.write_text('{broken\n{"text": 5}\n{"id": "e", "text": ""}\n')
    res = runner.invoke(app, ["process", str(f)])
    assert res.exit_code == 1
    assert [r["code"] for r in _lines(res.stdout)] == ["W101", "W102", "W103"]
    empty = tmp_path / "furniture.txt"
    empty.write_text("Baca juga: Berita lain\nFOLLOW US\n")
    res = runner.invoke(app, ["process", str(f), str(empty)])
    rows = _lines(res.stdout)
    assert rows[-1]["id"] == "furniture" and not rows[-1]["code"].startswith("W1")
    assert res.exit_code == 0


def test_search_without_an_archive_says_where_to_find_one(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No empty database is created: the default path and an explicit one both stay absent."""
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["search", "banjir"])
    assert res.exit_code == 2
    assert "W802" in res.output and "--archive" in res.output and "warta archive" in res.output
    assert not (tmp_path / "var").exists()
    res = runner.invoke(app, ["search", "--archive", f"sqlite:///{tmp_path / 'none.db'}"])
    assert res.exit_code == 2 and not (tmp_path / "none.db").exists()
