"""Builds the compiled hot path (six Cython extensions: ``_SOURCES``); the rest is in pyproject.toml.

``pip install -e .`` (or ``pip install .``) compiles it with the machine's C compiler and Python
headers (Debian: ``gcc`` and ``python3-dev``). The extension is optional for the package, which
falls back to the pure-Python reference when it is missing (``streams.core.hot``); the tests of
``make test`` fail when it was not built. ``WARTA_BUILD_COMPILED=0`` skips it.
"""

from __future__ import annotations

import os
import sys

from setuptools import Extension, setup

__all__: list[str] = []


#: the six extensions (a module ``streams.x._y`` per source; the ``.pxd`` of ``streams/core`` they cimport are
#: followed by ``cythonize``)
_SOURCES = (
    "streams/core/_hot.pyx",
    "streams/nlp/_ner_hot.pyx",
    "streams/nlp/_events_hot.pyx",
    "streams/nlp/_figures_hot.pyx",
    "streams/ingest/_pages_hot.pyx",
    "streams/nlp/_quotes_hot.pyx",
)


def _extensions() -> list[Extension]:
    if os.environ.get("WARTA_BUILD_COMPILED", "1").strip().lower() in ("0", "false", "no", "off"):
        return []
    from Cython.Build import cythonize

    exts = [Extension(path[:-4].replace("/", "."), [path], extra_compile_args=["-O2"]) for path in _SOURCES]
    return list(cythonize(exts, compiler_directives={"language_level": "3"}, quiet=True))


def _build_in_place_only() -> bool:
    """``python setup.py build_ext ...`` with a setuptools older than 77, which rejects
    ``pyproject.toml``'s licence expression before building anything (the shared venv has 65)."""
    import setuptools

    major = int(setuptools.__version__.split(".")[0])
    return __name__ == "__main__" and sys.argv[1:2] == ["build_ext"] and major < 77


if _build_in_place_only():  # build the extensions without reading pyproject.toml
    from setuptools import Distribution

    dist = Distribution({"ext_modules": _extensions(), "script_args": sys.argv[1:]})
    dist.parse_command_line()
    dist.run_commands()
else:
    setup(ext_modules=_extensions())
