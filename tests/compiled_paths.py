"""Helpers of the tests that compare a compiled stage path with its pure-Python reference."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from streams.core import hot as hot_state
from tests.conftest import SHARED

__all__ = ["compiled_module", "instance_state", "on_path", "real_texts", "require_compiled"]

T = TypeVar("T")


def require_compiled(built: object, what: str) -> None:
    """Fail when ``what``'s extension is missing although compiled paths are on; skip under
    ``WARTA_COMPILED=0`` or when the analysis extension is not built."""
    from streams.core.settings import Settings

    if built is None:
        if Settings().compiled:
            pytest.fail(
                f"the compiled {what} path is not built: run `pip install -e .`; WARTA_COMPILED=0 runs "
                "the tests on the pure-Python reference"
            )
        pytest.skip("WARTA_COMPILED=0: the pure-Python reference only")
    if hot_state.load_compiled() is None:
        pytest.skip("the analysis extension is not built")


def compiled_module(built: str | Any, what: str) -> Any:
    """What a test module's ``hot`` fixture returns: ``built`` (a compiled module or None, or the name of an
    extension, imported when it is built), after :func:`require_compiled` (fails when it is missing although
    compiled paths are on, skips under ``WARTA_COMPILED=0``)."""
    mod = hot_state.extension(built) if isinstance(built, str) else built
    require_compiled(mod, what)
    assert mod is not None
    return mod


def on_path(compiled: bool, fn: Callable[[], T]) -> T:
    """``fn()`` on the compiled path or on the reference (``streams.core.hot.HOT``), then back."""
    old = hot_state.HOT
    hot_state.HOT = hot_state.load_compiled() if compiled else None
    try:
        return fn()
    finally:
        hot_state.HOT = old


def real_texts() -> Iterator[tuple[str, str]]:
    """(id, text) of 30 generated 3 KB articles, then the seeds and the realdev and realtrain pages of
    ``../shared`` when present."""
    from bench.generate import generate_articles

    for a in generate_articles(30, seed=7, size_kb=3.0):
        yield str(a["id"]), str(a["text"])
    for sub in ("seeds", "eval/realdev/articles", "eval/realtrain/articles"):
        d = SHARED / sub
        if d.is_dir():
            yield from ((p.stem, p.read_text(encoding="utf-8")) for p in sorted(d.glob("*.txt")))


def instance_state(m: Any) -> tuple[Any, ...]:
    """Everything a pydantic instance holds: type, ``__dict__`` items in order, fields set, extra, private, JSON."""
    return (
        type(m),
        list(m.__dict__.items()),
        m.__pydantic_fields_set__,
        m.__pydantic_extra__,
        m.__pydantic_private__,
        m.model_dump_json(),
    )
