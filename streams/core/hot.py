"""The compiled hot path (``streams.core._hot``, Cython) when it is built and selected, else None.

``pip install -e .`` builds the extension (``setup.py``). The setting ``compiled``
(``WARTA_COMPILED``, default true) chooses: the analysis stage calls :func:`select` with it when
the pipeline is built, and ``WARTA_COMPILED=0`` runs the pure-Python reference instead. Without
the extension the package runs the reference as well. Both give identical analyses
(``tests/core/test_hot.py``). Stages never use this module: they read the shared analysis
(``streams.core.analysis``); the analysis functions read :data:`HOT` on every call.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import operator
import sys
from collections.abc import Callable, Iterable
from functools import cache
from types import CodeType, ModuleType
from typing import Any

import yaml

__all__ = [
    "HOT",
    "Guard",
    "code_fingerprint",
    "compiled_extension",
    "extension",
    "is_compiled",
    "load_compiled",
    "read_yaml",
    "reference",
    "select",
]

_LOG = logging.getLogger(__name__)

#: libyaml's parser with the safe constructor when PyYAML was built with it (the same objects as
#: ``yaml.safe_load``, several times faster: start-up reads a few MB of lexicons and rules).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    """``yaml.safe_load(text)``, through libyaml when it is available."""
    return yaml.load(text, Loader=_YAML_LOADER)


def load_compiled() -> ModuleType | None:
    """The compiled extension module, or None when it is not built."""
    try:
        from streams.core import _hot
    except ImportError:
        return None
    return _hot


#: The extension module the analysis runs, or None for the pure-Python reference (the compiled
#: path by default, when it is built).
HOT: ModuleType | None = load_compiled()


def select(compiled: bool) -> bool:
    """Run the compiled path (when it is built) or, with ``compiled=False``, the pure-Python
    reference, for the whole process; returns whether the compiled path runs."""
    global HOT
    HOT = load_compiled() if compiled else None
    return HOT is not None


def is_compiled() -> bool:
    """Whether the analysis runs the compiled path."""
    return HOT is not None


@cache
def extension(name: str) -> ModuleType | None:
    """The optional compiled module ``name`` (e.g. ``streams.nlp._events_hot``), or None when it is
    not built."""
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def compiled_extension(name: str) -> ModuleType | None:
    """:func:`extension` when the analysis runs compiled (:data:`HOT` set: the ``compiled`` setting,
    ``WARTA_COMPILED``), else None: the stage runs its pure-Python reference."""
    return extension(name) if HOT is not None else None


def reference(module: str, qualname: str) -> Any:
    """The object ``module.qualname`` names now (``qualname`` may be dotted: a class's method), imported if it is
    not yet: how a guard finds the reference functions a compiled copy mirrors (:func:`code_fingerprint`)."""
    obj: Any = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def code_fingerprint(*funcs: Callable[..., Any]) -> str:
    """16 hex digits of a SHA-1 of what these Python functions compute, in order: the guard of a compiled
    pass that copies them (``ner_twins.MIRRORS``, ``_figures_hot._WHOLE``; docs/guards.md).

    Per function (``__wrapped__`` followed to the function a decorator wraps, a method's ``__func__``):
    its code object's byte code (``co_code``), names (``co_names``: globals and attributes it reads),
    local, free and cell variable names, argument counts and flags, and constants, nested code objects
    (inner functions, lambdas, comprehensions) the same way; and its default argument values. Left out:
    docstrings (a function's first constant slot), comments, blank lines and line numbers (not in the
    code object), annotations, and what the names it reads are bound to (module settings, helpers it
    calls: both paths read those at run time). Constants are keyed by type and ``repr`` (sets sorted, so
    the hash does not depend on ``PYTHONHASHSEED``); a default that is not a plain constant by its type
    only. The byte code is the running interpreter's: the interpreter's cache tag (``cpython-311``) is
    hashed too, so on another Python version every recorded fingerprint differs and every guarded pass
    runs its reference until the fingerprints are recorded again on it."""
    plain = (type(None), bool, int, float, complex, str, bytes, type(...))
    comprehensions = ("<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>")

    def key(c: Any, default: bool = False) -> Any:
        if isinstance(c, CodeType):
            consts = c.co_consts
            # a function's (or lambda's) first constant is its docstring, or None without one
            if c.co_flags & 1 and c.co_name not in comprehensions:  # CO_OPTIMIZED: a function body
                consts = consts[1:]
            return (
                c.co_name,
                c.co_argcount,
                c.co_posonlyargcount,
                c.co_kwonlyargcount,
                c.co_flags,
                c.co_code,
                c.co_names,
                c.co_varnames,
                c.co_freevars,
                c.co_cellvars,
                tuple(key(x) for x in consts),
            )
        if isinstance(c, tuple):
            return ("tuple", tuple(key(x, default) for x in c))
        if isinstance(c, frozenset):
            return ("frozenset", tuple(sorted(repr(key(x, default)) for x in c)))
        if isinstance(c, dict):
            return ("dict", tuple(sorted(repr((k, key(v, default))) for k, v in c.items())))
        if default and not isinstance(c, plain):
            return (type(c).__module__, type(c).__qualname__)  # (its repr may hold an address)
        return (type(c).__name__, repr(c))

    h = hashlib.sha1(sys.implementation.cache_tag.encode())
    for func in funcs:
        fn: Any = func
        while hasattr(fn, "__wrapped__"):
            fn = fn.__wrapped__
        fn = getattr(fn, "__func__", fn)
        code = fn.__code__
        h.update(repr((key(code), key(fn.__defaults__, True), key(fn.__kwdefaults__, True))).encode())
    return h.hexdigest()[:16]


class Guard:
    """The guard of one compiled copy of Python reference functions (an entity twin, a figures whole pass, the
    quote twins, clean's rule verdict; docs/guards.md): the copy runs only while those functions, as their
    modules hold them now, hash to the fingerprint it was written against (:func:`code_fingerprint`).

    ``refs`` are ``(module, qualname)`` pairs (:func:`reference`; ``qualname`` may be a class's method). The
    verdict (:meth:`fresh`) is kept until one of the functions is bound to another object (a monkeypatch, a
    stand-in): each call compares the bindings with those last hashed (a few dict reads, no hashing) and hashes
    again only when one moved. A function that cannot be hashed (a name gone, not Python code) makes the copy
    stale. A stale verdict is logged once per check, naming ``what``."""

    __slots__ = ("_ok", "_reads", "_seen", "_spaces", "recorded", "refs", "what")

    def __init__(self, recorded: str, refs: Iterable[tuple[str, str]], what: str) -> None:
        self.recorded = recorded
        self.refs: tuple[tuple[str, str], ...] = tuple(refs)
        self.what = what
        #: the namespaces holding the functions (a module's, a class's), and per namespace an ``itemgetter`` of
        #: the names read there: what :meth:`fresh` compares
        self._spaces: tuple[Any, ...] = ()
        self._reads: tuple[Callable[[Any], Any], ...] = ()
        self._seen: tuple[Any, ...] | None = None  # what those reads gave when last hashed
        self._ok = False

    def functions(self) -> list[Any]:
        """The reference functions as their modules hold them now."""
        return [reference(module, qualname) for module, qualname in self.refs]

    def fingerprint(self) -> str:
        """:func:`code_fingerprint` of :meth:`functions`."""
        return code_fingerprint(*self.functions())

    def stale(self) -> bool:
        """Whether the functions no longer hash to :attr:`recorded` (hashed now, not kept)."""
        return self.fingerprint() != self.recorded

    def fresh(self) -> bool:
        """Whether the compiled copy may run: the functions hash to :attr:`recorded` (see the class)."""
        if self._seen is not None:
            try:
                if tuple(map(operator.call, self._reads, self._spaces)) == self._seen:
                    return self._ok
            except KeyError:  # a name is gone from its namespace
                pass
        self._bind()
        try:
            ok = self.fingerprint() == self.recorded
        except (ImportError, TypeError, AttributeError, KeyError):  # a name is gone, or it is not Python code
            ok = False
        if not ok:
            _LOG.warning("%s changed since its compiled copy was written: the reference runs", self.what)
        self._ok = ok
        return ok

    def _bind(self) -> None:
        """Note where each function is bound: its module's namespace, then the ``__dict__`` of the class on
        its ``__mro__`` that defines each further name (as attribute lookup finds a method)."""
        names: dict[int, tuple[Any, list[str]]] = {}  # id(owner) -> (its namespace, the names read there)
        for module, qualname in self.refs:
            try:
                obj: Any = importlib.import_module(module)
            except ImportError:
                continue
            for part in qualname.split("."):
                owners = obj.__mro__ if isinstance(obj, type) else (obj,)
                owner = next((o for o in owners if part in vars(o)), obj)  # none: read where it is missing
                names.setdefault(id(owner), (vars(owner), []))[1].append(part)
                obj = vars(owner).get(part)
                if not hasattr(obj, "__dict__"):
                    break
        self._spaces = tuple(space for space, _ in names.values())
        self._reads = tuple(operator.itemgetter(*read) for _, read in names.values())
        try:
            self._seen = tuple(map(operator.call, self._reads, self._spaces))
        except KeyError:  # a name is missing: checked again at every call until it is back
            self._seen = None
