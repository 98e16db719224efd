"""The compiled page-line path (``streams.ingest._pages_hot``) gives exactly what the pure-Python reference gives.

Tokens, line shapes, label probabilities, second-pass features and neighbour windows are compared function
by function on random text (hypothesis, with the Unicode corner cases of case, digits and spaces) and on
real lines; the whole page decision (every line's probabilities to the float, the heads' scores, the
cleaned body, title and byline) on generated bench articles, the seeds and the realdev and realtrain pages
under ``../shared``, in ``full`` and ``meta`` mode. ``make test`` builds the extension (``pip install -e .``),
so a missing extension fails here instead of testing the reference against itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.ingest import linemodel as lm
from streams.ingest.clean import clean_article, clear_line_caches, line_view
from tests.compiled_paths import compiled_module, on_path, real_texts

#: Characters that stress the tokenizer and the shape: letters whose case or length changes when lowered,
#: digits that are not decimal, combining marks, zero-width and non-breaking spaces, end marks.
_ALPHABET = "aZk _-.,:;!?'\"”’)]|/(1٣²Ⅻİıßẞǅ\u0301\u200b\u00a0\t éÉ漢Σσς\U0001f600"


@pytest.fixture(scope="module")
def hot() -> Any:
    return compiled_module(lm._HOT_NAME, "page-line")


_TEXT = st.text(alphabet=st.sampled_from(_ALPHABET), max_size=60)


@settings(max_examples=400, deadline=None)
@given(line=_TEXT)
def test_tokens_and_shape_match_the_reference(hot: Any, line: str) -> None:
    words, lowered = lm._words_ref(line)
    assert hot.words(line) == (words, lowered)
    assert hot.shape_base(line, words, lowered) == lm._shape_base_ref(line, words)


@settings(max_examples=200, deadline=None)
@given(
    vecs=st.lists(
        st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=len(lm.LABELS), max_size=len(lm.LABELS)),
        min_size=1,
        max_size=9,
    ),
    data=st.data(),
)
def test_second_pass_features_match_the_reference(hot: Any, vecs: list[list[float]], data: Any) -> None:
    i = data.draw(st.integers(0, len(vecs) - 1))
    assert hot.stack_features(vecs, i, lm.LABELS) == lm.stack_features(vecs, i)


def _model() -> lm.LineModel:
    model = lm.load_line_model()
    if model is None:
        pytest.skip("no shipped line model")
    return model


@settings(max_examples=200, deadline=None)
@given(
    feats=st.lists(st.sampled_from(["bias", "len=3", "rule=kept", "end=.", "nope", "first=the"]), max_size=12)
)
def test_probabilities_match_the_reference(hot: Any, feats: list[str]) -> None:
    model = _model()
    assert hot.probs(feats, model.weights, len(model.labels)) == model._probs_ref(feats, model.weights)


def _pages() -> list[tuple[str, str]]:
    return list(real_texts())


def _decisions(text: str, full: bool) -> Any:
    """Every decision of the line model on one page: the probabilities and head scores it returns (floats
    exact), the features of every line, and the cleaned record's body, title, byline and removed lines."""
    model = _model()
    seen: list[Any] = []
    decide = model.decide

    def spy(*args: Any) -> Any:
        out = decide(*args)
        seen.append(out)
        return out

    model.decide = spy  # type: ignore[method-assign]
    try:
        clear_line_caches()
        res = clean_article(text, line_model=model, model_body=full)
    finally:
        del model.decide
    lines, _, hints = line_view(text)
    feats = lm.page_features(lines, hints)
    return repr(seen), feats, res.body, res.title, res.byline, res.removed


@pytest.mark.parametrize("full", [True, False], ids=["full", "meta"])
def test_real_pages_decide_the_same(hot: Any, full: bool) -> None:
    pages = _pages()
    assert len(pages) >= 30
    differ = [
        pid
        for pid, text in pages
        if on_path(True, lambda t=text: _decisions(t, full))
        != on_path(False, lambda t=text: _decisions(t, full))
    ]
    assert differ == []


def test_real_lines_window_and_scores(hot: Any) -> None:
    """The neighbour window and the two-pass scores on every page of real text, line by line."""
    model = _model()
    for _pid, text in _pages():
        lines, _, hints = line_view(text)
        if not lines:
            continue
        shown = {i: lm._shown_at(lines, i, hints) for i in range(len(lines))}
        for i in range(len(lines)):
            assert hot.window(shown, i, len(lines)) == lm._window(shown, i, len(lines))
        feats = dict(enumerate(lm.page_features(lines, hints)))
        scored = list(range(0, len(lines), 2))
        args = (model.weights, model.stack, model._stack_below, model._stack_own, model.labels)
        assert hot.score(feats, scored, len(lines), *args) == model._score_ref(feats, scored, len(lines))


def test_words_and_shapes_of_real_lines(hot: Any) -> None:
    n = 0
    for _pid, text in _pages():
        for line in text.split("\n"):
            words, lowered = lm._words_ref(line)
            assert hot.words(line) == (words, lowered)
            assert hot.shape_base(line, words, lowered) == lm._shape_base_ref(line, words)
            n += 1
    assert n > 100
