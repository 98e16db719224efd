"""Load YAML while keeping each node's line, so rule errors can point at ``file:line``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

__all__ = ["PositionedYaml", "YamlError", "load_positioned"]


class YamlError(ValueError):
    """The text is not YAML (with the line where the parser stopped)."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class PositionedYaml:
    """The plain data and the node tree it came from."""

    data: Any
    root: yaml.Node | None

    def line_of(self, loc: Sequence[int | str]) -> int | None:
        """1-based line of the deepest node reachable along ``loc`` (a pydantic error location)."""
        node = self.root
        if node is None:
            return None
        line = node.start_mark.line + 1
        for part in loc:
            nxt: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                        nxt = v
                        line = k.start_mark.line + 1
                        break
            elif (
                isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value)
            ):
                nxt = node.value[part]
            if nxt is None:
                continue  # pydantic adds union tags and model names to locations; skip them
            node = nxt
            line = node.start_mark.line + 1
        return line


def load_positioned(text: str) -> PositionedYaml:
    """Parse one YAML document (safe loader) and keep its node tree."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            return PositionedYaml(None, None)
        loader = yaml.SafeLoader("")
        try:
            data = loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlError(f"not valid YAML: {exc.problem or exc}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {exc}", None) from exc
    return PositionedYaml(data, root)
