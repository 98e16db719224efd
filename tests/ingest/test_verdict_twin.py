"""clean's furniture-rule verdict on its compiled twin (``_pages_hot.rules_verdict``) equals the reference.

The twin mirrors ``clean._rules_verdict`` and is used only while that code is the one it was written against
(``streams.ingest.verdict_twin``): a change there fails :func:`test_the_twin_mirrors_the_reference` by name.
Compared on random lines built from the rules' own words, needs, marks and Unicode spaces (hypothesis), on
lines of every rule's pattern literals with an inline cut before or after them, and on every line of the
generated bench articles, the seeds and the realdev and realtrain pages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.core import hot as hot_state
from streams.ingest import clean, verdict_twin
from streams.ingest.rules import furniture_rules
from tests.compiled_paths import compiled_module, real_texts


@pytest.fixture(scope="module")
def twin() -> Any:
    compiled_module("streams.ingest._pages_hot", "furniture-rule verdict")
    return verdict_twin._twin


def _vocabulary() -> list[str]:
    words: set[str] = set()
    for rule in furniture_rules():
        words.update(rule.needs)
        words.update(re.findall(r"[A-Za-z©]{2,}", rule.regex.pattern))
    return sorted(words)


_WORDS = _vocabulary()
_MARKS = [
    ":",
    "|",
    "-",
    "–",
    "(AP)",
    "(ant)",
    "[red]",
    "©",
    "/",
    "(",
    ")",
    "]",
    "2024",
    "#",
    "•",
    "»",
    "http://x.co",
]
_SPACES = [" ", " ", " ", "  ", "\u00a0", "\t", "\u2009"]
_TOKEN = st.one_of(
    st.sampled_from(_WORDS),
    st.sampled_from(_WORDS).map(str.upper),
    st.sampled_from(_WORDS).map(str.title),
    st.sampled_from(_MARKS),
    st.sampled_from(["Jakarta", "kata", "the", "Menteri", "said", "ini", "x"]),
)


@st.composite
def _lines(draw: Any) -> str:
    toks = draw(st.lists(_TOKEN, min_size=0, max_size=draw(st.sampled_from([6, 20, 60]))))
    out = ""
    for tok in toks:
        out += tok + draw(st.sampled_from(_SPACES))
    return out.strip(draw(st.sampled_from(["", " "])))


def test_the_twin_mirrors_the_reference() -> None:
    assert verdict_twin.is_fresh(), (
        f"{verdict_twin.MIRRORED} changed (fingerprint {verdict_twin.fingerprint()}): the reference runs until "
        "_pages_hot.rules_verdict follows it and verdict_twin.RECORDED holds the new one (scripts/fingerprints.py --write)"
    )


@settings(max_examples=1500, deadline=None)
@given(line=_lines())
def test_random_lines(twin: Any, line: str) -> None:
    assert twin(line) == clean._rules_verdict(line)


@settings(max_examples=300, deadline=None)
@given(head=_lines(), tail=_lines(), k=st.integers(0, 10**6))
def test_rule_literals_with_cuts_around(twin: Any, head: str, tail: str, k: int) -> None:
    """A rule's literal start after or before text another rule cuts inline (the rules chosen for the uncut
    line go on after the cut)."""
    rules = furniture_rules()
    literal = " ".join(re.findall(r"[A-Za-z]{2,}:?", rules[k % len(rules)].regex.pattern)[:3])
    for line in (
        f"{literal} {tail}",
        f"{head} {literal}",
        f"{head} {literal} {tail} (AP)",
        f"© {literal} {head}",
    ):
        assert twin(line) == clean._rules_verdict(line)


def test_every_real_line(twin: Any) -> None:
    n = 0
    for _, text in real_texts():
        for line in text.splitlines():
            line = line.strip()
            if line:
                assert twin(line) == clean._rules_verdict(line), line
                n += 1
    assert n > 1000


def test_the_stage_runs_the_twin(twin: Any) -> None:
    """``_verdict`` chooses the twin on the compiled path and the reference under ``WARTA_COMPILED=0``."""
    old = hot_state.HOT
    try:
        hot_state.HOT = hot_state.load_compiled()
        assert verdict_twin.rules_verdict_twin() is twin
        hot_state.HOT = None
        assert verdict_twin.rules_verdict_twin() is None
    finally:
        hot_state.HOT = old
