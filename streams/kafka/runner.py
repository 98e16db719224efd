"""Run a Warta worker as a subprocess (demo, tests, benchmarks) and wait for it to be ready."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from streams.core.settings import TOPIC_ROLES
from streams.kafka.broker import free_port

__all__ = ["WorkerProcess", "isolated_env", "stop_group"]


def isolated_env(bootstrap: str, prefix: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """WARTA_* variables for a worker whose topics, group and state are private to ``prefix``."""
    env = {
        "WARTA_BROKERS": bootstrap,
        "WARTA_APP_ID": f"{prefix}-warta",
        "WARTA_DATA_DIR": str(data_dir),
        "WARTA_PARTITIONS": extra.pop("WARTA_PARTITIONS", "2"),
    }
    for role in TOPIC_ROLES:
        env[f"WARTA_TOPICS__{role.upper()}"] = f"{prefix}.{role}"
    env.update(extra)
    return env


def stop_group(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM to the process group of ``proc`` (started with ``start_new_session``), SIGKILL after
    ``timeout``; returns the exit code."""
    if proc.poll() is not None:
        return proc.returncode
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.wait()


class WorkerProcess:
    """A ``python -m streams worker`` subprocess with its own web port (or, with ``command``,
    another long-running role such as ``web`` that serves ``/health`` on that port)."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        log_path: Path,
        web_port: int | None = None,
        command: tuple[str, ...] = ("worker",),
        cwd: Path | None = None,
    ):
        self.web_port = web_port or free_port()
        self.command = command
        self.env = {**os.environ, **env, "WARTA_WEB_PORT": str(self.web_port), "PYTHONUNBUFFERED": "1"}
        self.log_path = log_path
        #: The working directory (``python -m`` imports the package found there first).
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self, timeout: float = 90.0) -> WorkerProcess:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streams", *self.command],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.cwd,
        )
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"worker not ready after {timeout}s:\n{self.log_tail()}")

    def metrics(self) -> str:
        with urllib.request.urlopen(self.url + "/metrics", timeout=5) as resp:
            return str(resp.read().decode())

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> int | None:
        """Graceful stop (SIGTERM to the process group), SIGKILL after ``timeout``."""
        return stop_group(self.proc, timeout) if self.proc is not None else None

    def kill(self) -> None:
        """``kill -9``: no chance to commit or flush anything."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
