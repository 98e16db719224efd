"""Sample a running worker (and its pipeline processes) with py-spy; summarise inclusive shares."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

__all__ = ["start_profile", "summarise_raw"]

_PROCESS = re.compile(r'process \d+:"([^"]*)";?')


def start_profile(
    pid: int, out: Path, seconds: int = 25, rate: int = 50, *, subprocesses: bool = True, gil: bool = False
) -> subprocess.Popen[bytes] | None:
    """Start ``py-spy record`` on ``pid`` and, with ``subprocesses``, its children (raw collapsed
    stacks into ``out``); None when py-spy is not installed (the bench goes on without a profile).
    ``gil``: only the thread holding the GIL is sampled (Python work, not waits)."""
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists():
        return None
    cmd = [exe, "record", "-p", str(pid), *(["--subprocesses"] if subprocesses else []), "-d", str(seconds),
           "-r", str(rate), "-f", "raw", "-o", str(out), "--nonblocking", *(["--gil"] if gil else [])]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise_raw(raw: Path, header: str, top: int = 60) -> str:
    """Collapsed stacks (``frame;frame;... count``) -> the share of samples whose stack includes
    each function (inclusive), highest first; the process (parent or pipeline child) is named by
    its command line."""
    incl: Counter[str] = Counter()
    per_process: Counter[str] = Counter()
    total = 0
    text = raw.read_text(errors="replace")
    # one record per stack: "frame;frame;... COUNT"; a process frame may hold a multi-line command
    for m in re.finditer(r"(.+?) (\d+)\n", text, flags=re.S):
        stack, count = m.group(1), int(m.group(2))
        total += count
        # py-spy --subprocesses: 'process PID:"command line";' per process, parent first
        procs = _PROCESS.findall(stack)
        stack = _PROCESS.sub("", stack)
        if procs:
            child = "multiprocessing" in procs[-1] or "pebble" in procs[-1]
            per_process["pipeline process" if child else "worker (event loop)"] += count
        frames = stack.split(";")
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
