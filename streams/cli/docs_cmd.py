"""``warta docs write|check``: the tables of docs/ generated from the code (settings, topics, codes, stages)."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console

__all__ = ["TABLES", "docs_app", "render_table", "sync_docs"]

docs_app = typer.Typer(
    no_args_is_help=True, help="The generated tables of docs/ (settings, topics, codes, stages)."
)
err = Console(stderr=True)
DOCS_DIR = Path("docs")
_BLOCK = re.compile(
    r"(<!-- generated:(?P<name>[a-z-]+) [^>]*-->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S
)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _default(value: Any) -> str:
    from streams import __version__

    if value is None:
        return "none"
    if isinstance(value, tuple | list):
        return "`[" + ",".join(f'"{v}"' for v in value) + "]`" if value else "—"
    text = str(value).replace(__version__, "<version>")
    return f"`{text}`"


def _settings_rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        annotation = field.annotation
        if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
            rows += _settings_rows(annotation, f"{env}__")
            continue
        default = "all stages of the registry, in order" if name == "stages" else _default(field.default)
        rows.append(f"| `{env}` | {default} | {_cell(field.description or '')} |")
    return rows


def settings_table() -> str:
    from streams.core.settings import Settings

    head = ["| setting | default | meaning |", "| --- | --- | --- |"]
    return "\n".join(head + _settings_rows(Settings, "WARTA_"))


def topics_table() -> str:
    from streams.core.schemas import TOPIC_CONTRACTS
    from streams.core.settings import TopicNames

    names = TopicNames()
    rows = ["| role | topic (default) | value | key | written by |", "| --- | --- | --- | --- | --- |"]
    for c in TOPIC_CONTRACTS:
        rows.append(
            f"| `{c.role}` | `{names.name(c.role)}` | `{c.model.__name__}` "
            f"([schema](../schemas/{names.name(c.role)}.json)) | {c.key} | {c.written_by} |"
        )
    return "\n".join(rows)


def errors_table() -> str:
    from streams.core.errors import ERROR_CODES, ERROR_HINTS

    rows = ["| code | meaning | what to do |", "| --- | --- | --- |"]
    rows += [f"| {c} | {_cell(m)} | {_cell(ERROR_HINTS.get(c, ''))} |" for c, m in ERROR_CODES.items()]
    return "\n".join(rows)


def stages_table() -> str:
    from streams.core.registry import DEFAULT_STAGES, STAGE_REGISTRY

    rows = ["| stage | class | reads | writes | what it does |", "| --- | --- | --- | --- | --- |"]
    for name in DEFAULT_STAGES:
        module, _, attr = STAGE_REGISTRY[name].partition(":")
        cls = getattr(importlib.import_module(module), attr)
        summary = (inspect.getdoc(cls) or "").split("\n\n")[0]
        reads = ", ".join(f"`{f}`" for f in cls.requires)
        if getattr(cls, "optional", ()):
            reads += "; when present: " + ", ".join(f"`{f}`" for f in cls.optional)
        writes = ", ".join(f"`{f}`" for f in cls.assigns)
        rows.append(f"| `{name}` | `{STAGE_REGISTRY[name]}` | {reads} | {writes} | {_cell(summary)} |")
    return "\n".join(rows)


#: Table name (as in ``<!-- generated:NAME -->``) -> renderer.
TABLES: dict[str, Callable[[], str]] = {
    "settings": settings_table,
    "topics": topics_table,
    "error-codes": errors_table,
    "stages": stages_table,
}


def render_table(name: str) -> str:
    return TABLES[name]()


def sync_docs(directory: Path = DOCS_DIR, *, write: bool = False) -> list[str]:
    """``file: table`` for every generated block of ``directory/*.md`` that differs from the code
    (rewritten when ``write``), and ``missing: table`` for a table no file holds."""
    drift, seen = [], set()
    rendered = {name: fn() for name, fn in TABLES.items()}
    for path in sorted(directory.glob("*.md")):
        text = path.read_text(encoding="utf-8")

        def _fill(m: re.Match[str], path: Path = path) -> str:
            name = m.group("name")
            seen.add(name)
            if name not in rendered:
                drift.append(f"{path.name}: unknown table {name}")
                return m.group(0)
            body = rendered[name] + "\n"
            if m.group("body") != body:
                drift.append(f"{path.name}: {name}")
            return m.group(1) + body + m.group(4)

        new = _BLOCK.sub(_fill, text)
        if write and new != text:
            path.write_text(new, encoding="utf-8")
    drift += [f"missing: {name}" for name in rendered if name not in seen]
    return drift


@docs_app.command("write")
def docs_write(directory: Path = typer.Option(DOCS_DIR, "--dir")) -> None:
    """Rewrite the generated tables of docs/*.md from the code."""
    drift = sync_docs(directory, write=True)
    err.print(f"rewrote: {', '.join(drift)}" if drift else "docs tables already match the code")


@docs_app.command("check")
def docs_check(directory: Path = typer.Option(DOCS_DIR, "--dir")) -> None:
    """Fail when a generated table of docs/ differs from the code (run `warta docs write`)."""
    drift = sync_docs(directory)
    if drift:
        err.print(f"[red]docs out of sync:[/red] {', '.join(drift)}; run `warta docs write`")
        raise typer.Exit(1)
    err.print("docs tables match the code")
