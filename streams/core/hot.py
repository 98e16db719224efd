"""The compiled hot path (``streams.core._hot``, Cython) when it is built and selected, else None.

``pip install -e .`` builds the extension (``setup.py``). The setting ``compiled``
(``WARTA_COMPILED``, default true) chooses: the analysis stage calls :func:`select` with it when
the pipeline is built, and ``WARTA_COMPILED=0`` runs the pure-Python reference instead. Without
the extension the package runs the reference as well. Both give identical analyses
(``tests/core/test_hot.py``). Stages never use this module: they read the shared analysis
(``streams.core.analysis``); the analysis functions read :data:`HOT` on every call.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import Any

import yaml

__all__ = ["HOT", "compiled_extension", "extension", "is_compiled", "load_compiled", "read_yaml", "select"]

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
