"""The click exception classes the CLI catches are the ones the installed typer raises."""

from __future__ import annotations

import typer

from streams.cli.click_compat import ClickException, UsageError


def test_typer_raises_the_classes_we_catch() -> None:
    """Fails when typer stops vendoring click at ``typer._click`` (or changes its classes): then
    ``warta`` would print tracebacks for bad arguments instead of W003 lines."""
    assert issubclass(typer.BadParameter, UsageError)
    assert issubclass(UsageError, ClickException)
