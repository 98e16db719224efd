"""The generated tables of docs/ (settings, topics, error codes, stages) match the code."""

from __future__ import annotations

import re
from pathlib import Path

from streams.cli.docs_cmd import TABLES, sync_docs
from streams.core.errors import ERROR_CODES, ERROR_HINTS
from streams.core.registry import DEFAULT_STAGES
from streams.core.schemas import TOPIC_CONTRACTS
from streams.core.settings import TOPIC_ROLES, Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_docs_tables_match_the_code() -> None:
    drift = sync_docs(DOCS)
    assert not drift, f"docs out of sync with the code: {drift}; run `python -m streams docs write`"


def test_a_stale_table_is_reported_and_rewritten(tmp_path: Path) -> None:
    """The check would fail on a hand edit: a setting's row changed in a copy of the docs."""
    for path in DOCS.glob("*.md"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    ops = tmp_path / "operations.md"
    ops.write_text(
        ops.read_text(encoding="utf-8").replace("`WARTA_BATCH_SIZE` | `64`", "`WARTA_BATCH_SIZE` | `65`")
    )
    assert sync_docs(tmp_path) == ["operations.md: settings"]
    assert sync_docs(tmp_path, write=True) == ["operations.md: settings"]
    assert sync_docs(tmp_path) == []


def test_every_table_is_somewhere_and_covers_the_code() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))
    for name in TABLES:
        assert f"<!-- generated:{name} " in text
    for code in ERROR_CODES:
        assert f"| {code} |" in text
    for stage in DEFAULT_STAGES:
        assert f"| `{stage}` |" in text
    for name in Settings.model_fields:
        assert f"`WARTA_{name.upper()}" in text


def test_every_error_code_says_what_to_do_and_every_topic_role_has_a_contract() -> None:
    assert set(ERROR_HINTS) == set(ERROR_CODES)
    assert all(ERROR_HINTS.values())
    assert tuple(c.role for c in TOPIC_CONTRACTS) == TOPIC_ROLES


def test_every_setting_says_what_it_does() -> None:
    """A setting without an attribute docstring would be a blank row in the generated table."""
    undocumented = [n for n, f in Settings.model_fields.items() if not f.description]
    assert not undocumented


def test_readme_is_short_and_its_links_resolve() -> None:
    readme = ROOT / "README.md"
    assert readme.stat().st_size <= 15_000
    for doc in [readme, *DOCS.glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"
