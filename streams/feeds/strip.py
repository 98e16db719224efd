"""Page slimming before the size check: scripts, styles, inline SVG and comments out, metadata kept."""

from __future__ import annotations

import re

__all__ = ["strip_page"]

#: What opens a stripped block: a comment, or one of the tags whose content no article needs.
_OPEN = re.compile(r"<!--|<(script|style|svg|template)\b([^>]*)>", re.I)
#: Scripts that carry the page's metadata (JSON-LD: headline, author, dates): trafilatura reads them.
_KEEP_SCRIPT = re.compile(r"""type\s*=\s*["']?application/ld\+json""", re.I)


def _block_end(html: str, lower: str, m: re.Match[str]) -> int:
    """Offset just past the end of the block opened at ``m``, or -1 when it is never closed."""
    if m.group(0) == "<!--":
        end = html.find("-->", m.end())
        return -1 if end < 0 else end + 3
    tag = m.group(1).lower()
    close = lower.find("</" + tag, m.end())
    if close < 0:
        return -1
    gt = html.find(">", close)
    return -1 if gt < 0 else gt + 1


def strip_page(html: str) -> str:
    """``html`` without ``<script>`` (JSON-LD kept), ``<style>``, ``<svg>``, ``<template>`` and
    comments: the furniture that makes real pages 1-2 MB while their article is 5-50 KB.

    One left-to-right scan (linear in the page, also for unclosed blocks, whose rest is kept as
    is); the markup of everything else is untouched, so extraction sees the same document."""
    lower = html.lower()
    out: list[str] = []
    pos = 0
    while True:
        m = _OPEN.search(html, pos)
        if m is None:
            break
        end = _block_end(html, lower, m)
        if end < 0:
            break  # an unclosed block: keep the rest as it is
        out.append(html[pos : m.start()])
        if m.group(1) and m.group(1).lower() == "script" and _KEEP_SCRIPT.search(m.group(2) or ""):
            out.append(html[m.start() : end])
        pos = end
    out.append(html[pos:])
    return "".join(out)
