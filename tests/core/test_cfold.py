"""The shared ``ignorecase_fold`` (``streams/core/_cfold.pxd``) against ``re.IGNORECASE``, through both compiled modules."""

from __future__ import annotations

import re
import string
import sys
from types import ModuleType

import pytest

from tests.compiled_paths import compiled_module

__all__: list[str] = []


@pytest.fixture(scope="module", params=["streams.nlp._events_hot", "streams.nlp._quotes_hot"])
def hot(request: pytest.FixtureRequest) -> ModuleType:
    return compiled_module(request.param, request.param)


def test_fold_is_what_ignorecase_matches_for_every_character(hot: ModuleType) -> None:
    """Every character that ``re.IGNORECASE`` matches to an ASCII character folds to it (the pre-checks compare
    folded characters: they may never reject a text the regex accepts)."""
    alphabet = string.ascii_letters + string.digits + string.punctuation + " "
    anyone = re.compile("[" + re.escape(alphabet) + "]", re.IGNORECASE)
    n = 0
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if anyone.fullmatch(c):
            for x in alphabet:
                if re.fullmatch(re.escape(x), c, re.IGNORECASE):
                    assert hot.fold(c) == hot.fold(x) == x.lower(), (hex(cp), x)
                    n += 1
    assert n > 2 * len(string.ascii_letters) + 4  # both cases of the letters, and "İ", "ı", "ſ", "K"
