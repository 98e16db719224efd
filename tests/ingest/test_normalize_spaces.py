"""normalize_text: any run of horizontal spaces becomes one space (a space before a tab too)."""

from __future__ import annotations

import pytest

from streams.ingest.normalize import normalize_text


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (": \t0", ": 0"),
        ("a \u00a0b", "a b"),
        ("a\t\tb", "a b"),
        ("a  b", "a b"),
        ("a b", "a b"),
        ("a\u2009b", "a b"),
    ],
)
def test_space_runs_become_one_space(text: str, want: str) -> None:
    assert normalize_text(text) == want
    assert normalize_text(normalize_text(text)) == want
