"""A local single-node Apache Kafka broker (KRaft) from Maven Central jars, for dev, demo and tests."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["KAFKA_VERSION", "POM", "BrokerError", "LocalBroker", "free_port", "wait_for_port"]

KAFKA_VERSION = "3.9.1"
#: The Maven project whose dependencies are the broker's jars (outside the Python package: a
#: build file, not code). ``warta kafka start`` and ``warta demo`` run from a source checkout.
POM = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "pom.xml"


class BrokerError(RuntimeError):
    """The local broker could not be fetched, started or reached; the message says what to do."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0, host: str = "127.0.0.1") -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


@dataclass
class BrokerState:
    pid: int
    port: int
    controller_port: int
    data_dir: str

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


class LocalBroker:
    """Fetches the Kafka jars into ``cache`` (git-ignored) and runs one KRaft broker in ``workdir``."""

    def __init__(self, cache: Path, workdir: Path, *, heap: str = "512m"):
        self.cache = Path(cache).absolute()
        self.workdir = Path(workdir).absolute()
        self.heap = heap
        self.libs = self.cache / "libs"
        self.state_file = self.workdir / "broker.json"

    # -- jars ---------------------------------------------------------------------------------
    def ensure_jars(self) -> Path:
        """Download Kafka and its dependencies once with Maven; later runs reuse the cache."""
        marker = self.libs / f".complete-{KAFKA_VERSION}"
        if marker.exists():
            return self.libs
        if shutil.which("java") is None:
            raise BrokerError("Java is not installed: install a JDK 17+ (e.g. apt-get install default-jdk)")
        if shutil.which("mvn") is None:
            raise BrokerError("Maven is not installed: install it (e.g. apt-get install maven)")
        self.libs.mkdir(parents=True, exist_ok=True)
        if not POM.is_file():
            raise BrokerError(f"{POM} is missing: run the local broker from a Warta source checkout")
        cmd = [
            "mvn", "-B", "-q", "-f", str(POM),
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={self.libs}",
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BrokerError(
                f"fetching Kafka jars with Maven failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
            )
        marker.touch()
        return self.libs

    # -- lifecycle -----------------------------------------------------------------------------
    def status(self) -> BrokerState | None:
        """The running broker started from this workdir, if any."""
        if not self.state_file.exists():
            return None
        state = BrokerState(**json.loads(self.state_file.read_text()))
        try:
            os.kill(state.pid, 0)
        except OSError:
            return None
        return state

    def _write_config(self, port: int, ctrl: int) -> Path:
        data = self.workdir / "data"
        data.mkdir(parents=True, exist_ok=True)
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{ctrl}",
            "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{ctrl}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": str(data),
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "true",
            "log.cleaner.dedupe.buffer.size": str(16 * 1024 * 1024),
            "log.retention.hours": "168",
            "delete.topic.enable": "true",
        }
        path = self.workdir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        return path

    def start(self, *, port: int | None = None, timeout: float = 90.0) -> BrokerState:
        """Start the broker (if not already running) and wait until it accepts connections."""
        running = self.status()
        if running is not None:
            return running
        libs = self.ensure_jars()
        self.workdir.mkdir(parents=True, exist_ok=True)
        # Reuse the previous ports so a restarted broker keeps its data and clients reconnect.
        previous = json.loads(self.state_file.read_text()) if self.state_file.exists() else None
        port = port or (previous["port"] if previous else free_port())
        ctrl = previous["controller_port"] if previous else free_port()
        config = self._write_config(port, ctrl)
        cp = f"{libs}/*"
        formatted = (self.workdir / "data" / "meta.properties").exists()
        cluster_id = "-"
        while cluster_id.startswith("-"):  # StorageTool would read "-t -abc..." as another option
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode()[:22]
        fmt = subprocess.CompletedProcess[str]([], 0, "", "") if formatted else subprocess.run(
            ["java", "-cp", cp, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config),
             "--ignore-formatted"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if fmt.returncode != 0:
            raise BrokerError(f"kafka storage format failed: {fmt.stderr[-2000:]}")
        log = (self.workdir / "kafka.log").open("ab")
        env = {
            **os.environ,
            "KAFKA_HEAP_OPTS": f"-Xmx{self.heap} -Xms{self.heap}",
            "LOG_DIR": str(self.workdir / "logs"),
        }
        log4j = self.workdir / "log4j.properties"
        log4j.write_text(
            "log4j.rootLogger=WARN, stdout\n"
            "log4j.appender.stdout=org.apache.log4j.ConsoleAppender\n"
            "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout\n"
            "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
        )
        proc = subprocess.Popen(
            ["java", f"-Xmx{self.heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
             f"-Dlog4j.configuration=file:{log4j}", "-cp", cp, "kafka.Kafka", str(config)],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
        state = BrokerState(
            pid=proc.pid, port=port, controller_port=ctrl, data_dir=str(self.workdir / "data")
        )
        self.state_file.write_text(json.dumps(asdict(state)))
        if not wait_for_port(port, timeout) or not self._ready(state.bootstrap, timeout):
            tail = (self.workdir / "kafka.log").read_text(errors="replace")[-3000:]
            self.stop()
            raise BrokerError(f"Kafka did not come up on 127.0.0.1:{port} within {timeout}s:\n{tail}")
        return state

    @staticmethod
    def _ready(bootstrap: str, timeout: float) -> bool:
        """The broker answers metadata requests (the port alone opens before the controller is ready)."""
        from streams.kafka.admin import broker_ready

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if broker_ready(bootstrap):
                return True
            time.sleep(0.5)
        return False

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the broker (SIGTERM, then SIGKILL); True when one was running."""
        if not self.state_file.exists():
            return False
        state = BrokerState(**json.loads(self.state_file.read_text()))
        try:
            os.killpg(state.pid, signal.SIGTERM)
        except OSError:
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(state.pid, 0)
                # reap if it is our child
                try:
                    os.waitpid(state.pid, os.WNOHANG)
                except ChildProcessError:
                    pass
            except OSError:
                return True
            time.sleep(0.2)
        try:
            os.killpg(state.pid, signal.SIGKILL)
        except OSError:
            pass
        return True

    def kill(self) -> None:
        """SIGKILL the broker (fault tests)."""
        state = self.status()
        if state is not None:
            os.killpg(state.pid, signal.SIGKILL)
            try:
                os.waitpid(state.pid, 0)
            except ChildProcessError:
                pass
