"""The compiled hot path (``streams.core._hot``, Cython) when it is built and selected, else None.

``pip install -e .`` builds the extension (``setup.py``). ``WARTA_COMPILED=0`` selects the
pure-Python reference implementation instead (read once, at import); without the extension the
package runs the reference as well. Both give identical analyses (``tests/core/test_hot.py``).
Stages never use this module: they read the shared analysis (``streams.core.analysis``).
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["COMPILED", "HOT", "compiled_requested", "load_compiled"]


def compiled_requested() -> bool:
    """False when ``WARTA_COMPILED`` is ``0``/``false``/``no``/``off``."""
    return os.environ.get("WARTA_COMPILED", "1").strip().lower() not in ("0", "false", "no", "off")


def load_compiled() -> ModuleType | None:
    """The compiled extension module, or None when it is not built."""
    try:
        from streams.core import _hot
    except ImportError:
        return None
    return _hot


#: The extension module the analysis uses, or None for the pure-Python reference.
HOT: ModuleType | None = load_compiled() if compiled_requested() else None
#: Whether the analysis runs the compiled path.
COMPILED: bool = HOT is not None
