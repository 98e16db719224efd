"""click's exception classes as the installed typer raises them (typer ≥ 0.22 vendors click under the
private ``typer._click``); tests/cli/test_click_compat.py fails when typer moves them."""

from __future__ import annotations

try:  # typer >= 0.22 vendors click; its exceptions are the ones raised
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover - older typer on plain click
    from click.exceptions import ClickException, UsageError  # type: ignore[assignment]

__all__ = ["ClickException", "UsageError"]
