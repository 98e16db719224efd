"""``streams.core.hot.code_fingerprint``, the one guard of the compiled passes that copy Python reference
code (the entity twins' ``MIRRORS``, the figures' ``_WHOLE``, the quotes' ``_TWINS``, clean's verdict): it
moves when a function's logic moves, not when only its docstrings, comments or layout do, and it is the same
in every process of one interpreter; and ``streams.core.hot.Guard``, which every one of them asks."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from streams.core.hot import code_fingerprint

ROOT = Path(__file__).resolve().parents[2]

BASE = '''
def f(x, y=3, *, z=("a", 1.5)):
    """What f does."""
    # a comment
    def inner(w):
        """Inner docstring."""
        return w in {"a", "b", "c"}

    return [inner(i) for i in range(x) if i > y] or (lambda q: q + 1)(x)
'''

#: the same logic: docstrings changed or removed, comments and blank lines moved, the function moved down
SAME = {
    "no docstrings": """
def f(x, y=3, *, z=("a", 1.5)):
    def inner(w):
        return w in {"a", "b", "c"}
    return [inner(i) for i in range(x) if i > y] or (lambda q: q + 1)(x)
""",
    "other docstrings, comments, layout": '''



def f(x, y=3, *, z=("a", 1.5)):
    """Something else entirely, over
    two lines."""

    def inner(w):  # a comment here
        # and here
        """Another inner docstring."""
        return w in {"a", "b", "c"}   # a set of three

    # the result
    return [inner(i) for i in range(x) if i > y] or (lambda q: q + 1)(x)
''',
}

#: one change of logic each
CHANGED = {
    "an operator": BASE.replace("i > y", "i >= y"),
    "a constant in a nested set": BASE.replace('"c"}', '"d"}'),
    "a name read": BASE.replace("range(x)", "reversed(x)"),
    "a comprehension's filter": BASE.replace("if i > y", "if i > y + 0"),
    "a lambda's body": BASE.replace("q + 1", "q + 2"),
    "a default": BASE.replace("y=3", "y=4"),
    "a keyword-only default": BASE.replace("1.5)", "2.5)"),
    "a local's name": BASE.replace("inner(w)", "inner(v)").replace("w in", "v in"),
    "an argument made keyword-only": BASE.replace("x, y=3, *,", "x, *, y=3,"),
    "an int constant made a float": BASE.replace("q + 1", "q + 1.0"),
}


def _f(source: str) -> Any:
    ns: dict[str, Any] = {}
    exec(compile(source, "<test>", "exec"), ns)
    return ns["f"]


def test_docstrings_comments_and_layout_do_not_move_it() -> None:
    want = code_fingerprint(_f(BASE))
    for what, source in SAME.items():
        assert code_fingerprint(_f(source)) == want, what


@pytest.mark.parametrize("what", sorted(CHANGED))
def test_a_change_of_logic_moves_it(what: str) -> None:
    assert CHANGED[what] != BASE
    assert code_fingerprint(_f(CHANGED[what])) != code_fingerprint(_f(BASE)), what


def test_several_functions_hash_in_order_and_a_decorator_is_seen_through() -> None:
    one, two = _f(BASE), _f(CHANGED["an operator"])
    assert code_fingerprint(one, two) != code_fingerprint(two, one)
    assert code_fingerprint(one, two) not in {code_fingerprint(one), code_fingerprint(two)}

    @functools.wraps(one)
    def dispatch(*args: Any) -> Any:
        return one(*args)

    assert code_fingerprint(dispatch) == code_fingerprint(one)

    class K:
        @classmethod
        def m(cls) -> int:
            return 1

    assert code_fingerprint(K.m) == code_fingerprint(K.__dict__["m"].__func__)


def test_it_is_pinned_to_the_running_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The byte code is the interpreter's own, so the interpreter's cache tag is hashed too: recorded on
    one Python version, every guarded pass runs its reference on another until recorded again there."""
    f = _f(BASE)
    here = code_fingerprint(f)
    monkeypatch.setattr(sys.implementation, "cache_tag", "cpython-3999")
    elsewhere = code_fingerprint(f)
    monkeypatch.undo()
    assert elsewhere != here and code_fingerprint(f) == here


def test_it_is_the_same_in_every_process() -> None:
    """Set constants and defaults whose ``repr`` holds an address do not make it differ between processes
    (string hashing is randomized per process: ``PYTHONHASHSEED``)."""
    prog = (
        "from streams.core.hot import code_fingerprint\n"
        "MARK = object()\n"
        "def f(x, m=MARK, s=frozenset({'p', 'q', 'r', 's'})):\n"
        "    return x in {'a', 'b', 'c', 'd', 'e'} and m is MARK and x in s\n"
        "from streams.nlp import entities\n"
        "print(code_fingerprint(f), code_fingerprint(entities._coref, entities.group_mentions))\n"
    )
    outs = set()
    for seed in ("0", "1", "12345"):
        env = {"PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        done = subprocess.run(
            [sys.executable, "-c", prog], env=env, capture_output=True, text=True, check=True, cwd=ROOT
        )
        outs.add(done.stdout)
    assert len(outs) == 1


def _guarded_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A module ``guarded_here`` holding a function, a class's method and a method it inherits."""
    import types

    mod: Any = types.ModuleType("guarded_here")
    exec(
        "def f(x):\n    return x + 1\n"
        "class B:\n    def inherited(self):\n        return 1\n"
        "class C(B):\n    def m(self):\n        return 2\n",
        mod.__dict__,
    )
    monkeypatch.setitem(sys.modules, "guarded_here", mod)
    return mod


def test_a_guard_keeps_its_verdict_until_a_function_is_bound_to_another_object(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``Guard.fresh`` hashes once, then only when a followed function was replaced (in its module, in its
    class, in the base class it is inherited from) or removed; a stale verdict is logged by name."""
    from streams.core import hot

    mod = _guarded_module(monkeypatch)
    refs = [("guarded_here", "f"), ("guarded_here", "C.m"), ("guarded_here", "C.inherited")]
    guard = hot.Guard(code_fingerprint(mod.f, mod.C.m, mod.B.inherited), refs, "the test's copy")
    hashed: list[int] = []
    real = hot.code_fingerprint
    monkeypatch.setattr(hot, "code_fingerprint", lambda *fs: hashed.append(1) or real(*fs))
    assert guard.fresh() and guard.fresh() and guard.fresh() and hashed == [1]
    assert not guard.stale() and guard.functions() == [mod.f, mod.C.m, mod.B.inherited]

    def other(self: Any) -> int:
        return 3

    for owner, name in ((mod, "f"), (mod.C, "m"), (mod.B, "inherited")):
        was = vars(owner)[name]
        hashed.clear()
        with monkeypatch.context() as m:
            m.setattr(owner, name, other)
            assert not guard.fresh() and not guard.fresh() and hashed == [1], name
        assert guard.fresh() and hashed == [1, 1], name
        assert vars(owner)[name] is was
    with monkeypatch.context() as m:
        m.delattr(mod.C, "m")
        assert not guard.fresh() and not guard.fresh()  # the inherited name is still there, m is not
    assert guard.fresh()
    assert "the test's copy changed since its compiled copy was written" in caplog.text


def test_a_guard_of_a_missing_module_is_stale() -> None:
    from streams.core.hot import Guard

    guard = Guard("0" * 16, [("streams.no_such_module", "f")], "nothing")
    assert not guard.fresh() and not guard.fresh()
