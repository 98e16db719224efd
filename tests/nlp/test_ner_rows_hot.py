"""A new feature group's row of the tagger (``CrfModel._row``) is the same summed on the compiled path.

``_ner_hot.add_weights`` adds the weights of a group's features in C; it must give numpy's ``acc += w`` to
the bit (random weights, hypothesis), leave the row untouched and say so when a weight is not a list of
floats of the row's length (numpy then adds it), and build the same score matrix rows as the reference for
every feature group of real text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.nlp import ner_crf
from streams.nlp.ner_crf import LABELS, CrfModel, _group_keys
from tests.compiled_paths import compiled_module, on_path, real_texts

L = len(LABELS)


@pytest.fixture(scope="module")
def hot() -> Any:
    return compiled_module("streams.nlp._ner_hot", "tagger")


_FLOAT = st.floats(-1e6, 1e6, allow_nan=False, width=64)


@settings(max_examples=300, deadline=None)
@given(
    weights=st.dictionaries(
        st.sampled_from("abcdefgh"), st.lists(_FLOAT, min_size=L, max_size=L), max_size=8
    ),
    feats=st.lists(st.sampled_from("abcdefghxyz"), max_size=12),
    start=st.lists(_FLOAT, min_size=L, max_size=L),
)
def test_add_weights_is_numpys_sum(
    hot: Any, weights: dict[str, list[float]], feats: list[str], start: list[float]
) -> None:
    ref = np.array(start, dtype=float)
    for f in feats:
        w = weights.get(f)
        if w is not None:
            ref += w
    got = np.array(start, dtype=float)
    assert hot.add_weights(got, feats, weights) is True
    assert got.tobytes() == ref.tobytes()


@pytest.mark.parametrize("bad", [[1.0] * (L - 1), [1] * L, (1.0,) * L, np.ones(L), None])
def test_add_weights_leaves_other_weights_to_numpy(hot: Any, bad: Any) -> None:
    weights = {"a": [0.5] * L, "b": bad}
    acc = np.zeros(L)
    assert hot.add_weights(acc, ["a", "b"], weights) is (bad is None)
    assert acc.tolist() == ([0.5] * L if bad is None else [0.0] * L)


def test_rows_of_real_text_match_the_reference(hot: Any) -> None:
    shipped = ner_crf.load_model()
    keys: list[tuple[Any, ...]] = []
    for n, (_, text) in enumerate(real_texts()):
        if n >= 60:
            break
        words = text.split()[:400]
        firsts = [1 if k == 0 else 0 for k in range(len(words))]
        kbtags = ["O"] * len(words)
        for i in range(len(words)):
            keys += _group_keys(words, firsts, kbtags, i, 0, len(words), shipped.lang_of("id"))
    assert len(keys) > 5000

    def rows(compiled: bool) -> np.ndarray:
        model = CrfModel(shipped.weights, shipped.transitions, shipped.meta)
        got = on_path(compiled, lambda: [model._row(k) for k in keys])
        return model._mat[np.array(got)]

    assert rows(True).tobytes() == rows(False).tobytes()
