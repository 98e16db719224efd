"""Sample a running worker (and its pipeline processes) with py-spy; summarise inclusive shares."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

__all__ = ["start_profile", "summarise_raw"]


def start_profile(pid: int, out: Path, seconds: int = 25, rate: int = 50) -> subprocess.Popen[bytes] | None:
    """Start ``py-spy record`` on ``pid`` and its children (raw collapsed stacks into ``out``);
    None when py-spy is not installed (the bench goes on without a profile)."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists():
        return None
    cmd = [exe, "record", "-p", str(pid), "--subprocesses", "-d", str(seconds), "-r", str(rate),
           "-f", "raw", "-o", str(out), "--nonblocking"]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise_raw(raw: Path, header: str, top: int = 60) -> str:
    """Collapsed stacks (``frame;frame;... count``) -> the share of samples whose stack includes
    each function (inclusive), highest first; the process (parent or pipeline child) is named by
    its command line."""
    incl: Counter[str] = Counter()
    per_process: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        count = int(n)
        total += count
        frames = stack.split(";")
        if frames[0].startswith("process "):  # py-spy --subprocesses: 'process PID:"command line"'
            label = frames[0].split(":", 1)[-1].strip('"')
            per_process[
                "pipeline child" if "multiprocessing" in label or "pebble" in label else "worker"
            ] += count
            frames = frames[1:]
        seen = set()
        for f in frames:
            name = f.split(" (")[0] + (" " + f.split(" (")[1].split(":")[0] if " (" in f else "")
            name = name.replace(str(Path.cwd()) + "/", "")
            if name not in seen:
                seen.add(name)
                incl[name] += count
    lines = [header, f"# samples: {total}; share of samples whose stack includes the function (inclusive)"]
    lines += [f"# process {p}: {c / max(1, total):.1%}" for p, c in per_process.most_common()]
    lines += [f"{c / max(1, total):6.1%} {name}" for name, c in incl.most_common(top)]
    return "\n".join(lines) + "\n"
