"""MinHash signatures (rensa), packed b-bit for compact state, LSH band keys and estimates."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import numpy as np
from rensa import RMinHash

from streams.dedup.config import DedupConfig

__all__ = [
    "band_keys",
    "estimate_containment",
    "estimate_jaccard",
    "pack",
    "short_ref",
    "signature",
    "unpack",
]


def signature(shingle_list: Sequence[str], cfg: DedupConfig) -> np.ndarray:
    """The MinHash signature of a shingle set, truncated to ``hash_bits`` (b-bit MinHash)."""
    m = RMinHash(num_perm=cfg.num_perm, seed=cfg.seed)
    m.update(list(shingle_list))
    sig = np.asarray(m.digest(), dtype=np.uint32)
    return sig.astype(np.uint16) if cfg.hash_bits == 16 else sig


def pack(sig: np.ndarray) -> str:
    """Little-endian bytes, URL-safe base64 without padding (48 x 16 bits -> 128 characters)."""
    return base64.urlsafe_b64encode(sig.astype(sig.dtype.newbyteorder("<")).tobytes()).rstrip(b"=").decode()


def unpack(packed: str, cfg: DedupConfig) -> np.ndarray:
    raw = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))
    dtype = "<u2" if cfg.hash_bits == 16 else "<u4"
    return np.frombuffer(raw, dtype=dtype)


def band_keys(sig: np.ndarray, cfg: DedupConfig) -> list[str]:
    """One table key per LSH band: the band number and the band's values, base64 (compact)."""
    raw = sig.astype(sig.dtype.newbyteorder("<")).tobytes()
    width = len(raw) // cfg.bands
    if width <= 9 and width % 3 == 0 and width * cfg.bands == len(raw):
        # base64 turns every 3 bytes into 4 characters: the encoding of the whole signature, cut
        # every 4 * width / 3 characters, is each band's own encoding (no padding), in one call
        text = base64.urlsafe_b64encode(raw).decode()
        step = width // 3 * 4
        return [f"{b:x}" + text[b * step : (b + 1) * step] for b in range(cfg.bands)]
    keys = []
    for b in range(cfg.bands):
        chunk = raw[b * width : (b + 1) * width]
        if width > 9:  # keep keys short for wide bands
            chunk = hashlib.blake2b(chunk, digest_size=9).digest()
        keys.append(f"{b:x}" + base64.urlsafe_b64encode(chunk).rstrip(b"=").decode())
    return keys


def estimate_jaccard(a: np.ndarray, b: np.ndarray, cfg: DedupConfig) -> float:
    """Share of equal signature positions, corrected for b-bit collisions."""
    if a.shape != b.shape or not len(a):
        return 0.0
    eq = float(np.count_nonzero(a == b)) / len(a)
    c = 2.0**-cfg.hash_bits
    return max(0.0, min(1.0, (eq - c) / (1.0 - c)))


def estimate_containment(j: float, n_a: int, n_b: int) -> float:
    """How much of the smaller shingle set lies in the larger one, from Jaccard and set sizes."""
    small = min(n_a, n_b)
    if small <= 0:
        return 0.0
    inter = j * (n_a + n_b) / (1.0 + j)
    return max(0.0, min(1.0, inter / small))


def short_ref(text: str, size: int = 6) -> str:
    """A short, stable reference (``size`` bytes, base64) used as a compact table key."""
    return base64.urlsafe_b64encode(
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=size).digest()
    ).decode()
