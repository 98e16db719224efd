"""Canonical article URLs: courlan normalisation plus AMP and tracker rules from data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import courlan
import yaml

__all__ = ["canonical_rules", "canonical_url"]


@lru_cache(maxsize=1)
def canonical_rules() -> dict[str, Any]:
    path = resources.files("streams.data") / "ingest" / "canonical.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["drop_params"] = frozenset(p.lower() for p in data.get("drop_params", ()))
    return data


def _strip_amp_cache(parts: Any, cache_hosts: list[str]) -> str | None:
    host = (parts.hostname or "").lower()
    if not any(host.endswith(h) for h in cache_hosts):
        return None
    # /c/s/www.example.com/path  (s = https) or /c/www.example.com/path ; also /v/..
    segs = parts.path.split("/")[1:]
    while segs and segs[0] in ("c", "v", "i", "s"):
        scheme = "https" if segs[0] == "s" else None
        segs = segs[1:]
        if scheme:
            return f"https://{'/'.join(segs)}"
    return f"https://{'/'.join(segs)}" if segs else None


def canonical_url(url: str) -> str:
    """The canonical form of an article URL (same article, same string).

    Lower-cased scheme and host, default port and fragment dropped, tracking parameters
    (courlan's tracker list and ``streams/data/ingest/canonical.yaml``) removed, remaining parameters
    sorted, AMP variants mapped to the regular page. Unparseable input is returned stripped.
    """
    rules = canonical_rules()
    amp = rules.get("amp", {})
    text = url.strip()
    try:
        parts = urlsplit(text)
        origin = _strip_amp_cache(parts, amp.get("cache_hosts", []))
        if origin:
            parts = urlsplit(origin)
        host = (parts.hostname or "").lower()
        for prefix in amp.get("host_prefixes", []):
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
        netloc = host
        if parts.port and not (
            (parts.scheme == "http" and parts.port == 80) or (parts.scheme == "https" and parts.port == 443)
        ):
            netloc = f"{host}:{parts.port}"
        path = parts.path or "/"
        low = path.lower()
        for suffix in amp.get("path_suffixes", []):
            if low.endswith(suffix) and len(path) > len(suffix):
                path = path[: -len(suffix)]
                if (
                    suffix.endswith(".html")
                    and not path.endswith(".html")
                    and "." not in path.rsplit("/", 1)[-1]
                ):
                    path += ".html"
                break
        for prefix in amp.get("path_prefixes", []):
            if path.lower().startswith(prefix):
                path = "/" + path[len(prefix) :]
                break
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k.lower() not in rules["drop_params"]]  # fmt: skip
        rebuilt = urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))
        return courlan.normalize_url(courlan.scrub_url(rebuilt), strict=False, trailing_slash=True)
    except (ValueError, TypeError):
        return text
