"""Builds the compiled hot path (Cython, ``streams/core/_hot.pyx``); the rest is in pyproject.toml.

``pip install -e .`` (or ``pip install .``) compiles it with the machine's C compiler and Python
headers (Debian: ``gcc`` and ``python3-dev``). The extension is optional for the package, which
falls back to the pure-Python reference when it is missing (``streams.core.hot``); the tests of
``make test`` fail when it was not built. ``WARTA_BUILD_COMPILED=0`` skips it.
"""

from __future__ import annotations

import os

from setuptools import Extension, setup

__all__: list[str] = []


def _extensions() -> list[Extension]:
    if os.environ.get("WARTA_BUILD_COMPILED", "1").strip().lower() in ("0", "false", "no", "off"):
        return []
    from Cython.Build import cythonize

    ext = Extension("streams.core._hot", ["streams/core/_hot.pyx"], extra_compile_args=["-O2"])
    ner = Extension("streams.nlp._ner_hot", ["streams/nlp/_ner_hot.pyx"], extra_compile_args=["-O2"])
    events = Extension("streams.nlp._events_hot", ["streams/nlp/_events_hot.pyx"], extra_compile_args=["-O2"])
    return list(cythonize([ext, ner, events], compiler_directives={"language_level": "3"}, quiet=True))


setup(ext_modules=_extensions())
