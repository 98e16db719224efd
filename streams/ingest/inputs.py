"""Read articles from files (.txt, .html, .jsonl) or stdin, as used by ``publish`` and ``process``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from streams.core.decode import InputItem, parse_raw_obj
from streams.core.errors import WartaError

__all__ = ["iter_inputs"]


def _jsonl(lines: Iterable[bytes], origin: str, max_bytes: int) -> Iterator[InputItem]:
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        ref = f"{Path(origin).name}:{lineno}"
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield InputItem(ref, None, WartaError("W101", f"line {lineno} is not JSON: {exc}"), line)
            continue
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            ref = obj["id"]
        try:
            yield InputItem(ref, parse_raw_obj(obj, max_bytes=max_bytes), payload=line)
        except WartaError as exc:
            yield InputItem(ref, None, exc, line)


def _file(path: Path, max_bytes: int) -> Iterator[InputItem]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        with path.open("rb") as fh:
            yield from _jsonl(fh, str(path), max_bytes)
        return
    data = path.read_bytes()
    ref = path.stem if suffix in (".txt", ".html", ".htm") else path.name
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield InputItem(ref, None, WartaError("W100", f"{path} is not UTF-8: {exc.reason}"), data)
        return
    fields = {"id": ref, "url": None}
    obj = {**fields, "html": content} if suffix in (".html", ".htm") else {**fields, "text": content}
    try:
        yield InputItem(ref, parse_raw_obj(obj, max_bytes=max_bytes), payload=data)
    except WartaError as exc:
        yield InputItem(ref, None, exc, data)


def iter_inputs(paths: Iterable[str], *, max_bytes: int = 2_000_000) -> Iterator[InputItem]:
    """Yield the articles of every path in order; ``-`` reads JSONL from stdin."""
    for p in paths:
        if p == "-":
            yield from _jsonl(sys.stdin.buffer, "stdin", max_bytes)
            continue
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.suffix.lower() in (".txt", ".html", ".htm", ".jsonl"):
                    yield from _file(child, max_bytes)
            continue
        if not path.exists():
            yield InputItem(p, None, WartaError("W105", f"no such file: {p}"))
            continue
        yield from _file(path, max_bytes)
