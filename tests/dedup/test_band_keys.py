"""LSH band keys: the one-call encoding of the whole signature gives each band's own encoding, for every
band width and hash width (bands of more than 9 bytes are hashed, as before)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.dedup.config import load_config
from streams.dedup.minhash import band_keys


def reference_band_keys(sig: np.ndarray, bands: int) -> list[str]:
    """Each band's bytes encoded on their own (the definition)."""
    raw = sig.astype(sig.dtype.newbyteorder("<")).tobytes()
    width = len(raw) // bands
    keys = []
    for b in range(bands):
        chunk = raw[b * width : (b + 1) * width]
        if width > 9:
            chunk = hashlib.blake2b(chunk, digest_size=9).digest()
        keys.append(f"{b:x}" + base64.urlsafe_b64encode(chunk).rstrip(b"=").decode())
    return keys


@settings(max_examples=300, deadline=None)
@given(
    rows=st.integers(1, 8),
    bands=st.integers(1, 24),
    bits=st.sampled_from([16, 32]),
    seed=st.integers(0, 2**32 - 1),
)
def test_band_keys_are_each_bands_own_encoding(rows: int, bands: int, bits: int, seed: int) -> None:
    cfg = dataclasses.replace(load_config(), num_perm=rows * bands, bands=bands, rows=rows, hash_bits=bits)
    rng = np.random.default_rng(seed)
    sig = rng.integers(0, 2**bits, rows * bands, dtype=np.uint64).astype(
        np.uint16 if bits == 16 else np.uint32
    )
    keys = band_keys(sig, cfg)
    assert keys == reference_band_keys(sig, bands)
    assert len(set(keys)) == bands  # the band number leads every key


def test_shipped_configuration_takes_the_one_call_path_and_matches() -> None:
    cfg = load_config()
    assert (cfg.num_perm * cfg.hash_bits // 8 // cfg.bands) % 3 == 0  # 6-byte bands: the fast path
    rng = np.random.default_rng(7)
    for _ in range(2000):
        sig = rng.integers(0, 2**16, cfg.num_perm, dtype=np.uint64).astype(np.uint16)
        assert band_keys(sig, cfg) == reference_band_keys(sig, cfg.bands)
