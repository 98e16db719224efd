"""``warta demo`` end to end: its own broker, worker, live page, alerting and archive, clean exit."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_demo_runs_end_to_end_and_shows_every_step(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "COLUMNS": "200", "TMPDIR": str(tmp_path)}
    env.pop("WARTA_DEMO_HOLD", None)
    proc = subprocess.run([sys.executable, "-m", "streams", "demo"], env=env, capture_output=True,
                          text=True, timeout=600, check=False)  # fmt: skip
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-4000:]
    assert "live page: open http://127.0.0.1:" in out
    # the near-duplicate sample is flagged, malformed records are dead-lettered with codes
    # (which of the two counts as the copy depends on which partition the worker reads first)
    assert re.search(r"duplicate: id_banjir_semarang(_copy)? is a copy of id_banjir_semarang", out), out
    for code in ("W101", "W102", "W103"):
        assert code in out
    assert "warta.alerts" in out and "archive sqlite:" in out
    assert "id_banjir_semarang" in out.split("warta search")[-1]  # the archive search found it
    assert "poll 1: 3 new items, 3 published" in out and "poll 2 (same state): 0 new, 0 published" in out
    assert "live page stopped" in out and "Kafka stopped" in out
    # quiet: no Kafka client narration between the tables; tidy: its temporary folder is gone
    both = out + proc.stderr
    assert "aiokafka" not in both and "Updating subscribed topics" not in both, both[-4000:]
    assert not list(tmp_path.glob("warta-demo-*")), list(tmp_path.iterdir())
