"""docker-compose.yml validates with Compose and its service graph is complete and consistent."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_V1 = shutil.which("docker-compose")
DOCKER = shutil.which("docker")

EXPECTED = {
    "kafka",
    "topics",
    "worker",
    "web",
    "alerting",
    "archive",
    "postgres",
    "prometheus",
    "alertmanager",
    "grafana",
    "ingest",
}
WARTA_ROLES = {"topics", "worker", "web", "alerting", "archive", "ingest"}


def _config_with(cmd: list[str]) -> dict:
    res = subprocess.run([*cmd, "-f", str(ROOT / "docker-compose.yml"), "config"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert res.returncode == 0, res.stderr
    return yaml.safe_load(res.stdout)


@pytest.fixture(scope="module")
def config() -> dict:
    """The resolved configuration: ``docker-compose config`` (v1), else the file itself."""
    if COMPOSE_V1:
        return _config_with([COMPOSE_V1])
    pytest.skip("docker-compose not found: apt-get install docker-compose")


def test_docker_compose_v2_config_if_available():
    if (
        not DOCKER
        or subprocess.run([DOCKER, "compose", "version"], capture_output=True, timeout=20).returncode != 0
    ):
        pytest.skip(
            "`docker compose` (v2 plugin) is not installed here; docker-compose v1 validates the file"
        )
    cfg = _config_with([DOCKER, "compose"])
    assert set(cfg["services"]) >= EXPECTED


def test_services_and_images(config):
    services = config["services"]
    assert set(services) == EXPECTED
    assert services["kafka"]["image"] == "apache/kafka:3.9.1"
    env = services["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", env["CLUSTER_ID"]), (
        "CLUSTER_ID must be 22 chars of URL-safe base64"
    )
    for name in WARTA_ROLES:
        svc = services[name]
        assert svc["build"]["context"] == str(ROOT) and svc["image"] == "warta:latest"
        assert svc["environment"]["WARTA_BROKERS"] == "kafka:9092"
        assert svc["command"], f"{name} has no command"
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["deploy"]["replicas"] >= 1
    assert services["web"]["command"][0] == "web"


def test_depends_on_graph_is_closed_and_acyclic(config):
    services = config["services"]
    graph = {name: set(svc.get("depends_on") or {}) for name, svc in services.items()}
    for name, deps in graph.items():
        assert deps <= set(services), f"{name} depends on unknown {deps - set(services)}"
    for name in WARTA_ROLES:
        assert "kafka" in graph[name]
    assert graph["worker"] >= {"kafka", "topics"}
    assert services["worker"]["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    assert "postgres" in graph["archive"] and "prometheus" in graph["grafana"]

    state: dict[str, int] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert state.get(node) != 1, f"dependency cycle: {' -> '.join((*path, node))}"
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in graph[node]:
            visit(dep, (*path, node))
        state[node] = 2

    for node in graph:
        visit(node, ())


def test_ports_are_published_for_the_uis(config):
    published = {}
    for name, svc in config["services"].items():
        for port in svc.get("ports") or []:
            if isinstance(port, str):  # "HOST_IP:PUBLISHED:TARGET" (Compose v1 keeps a host IP as text)
                port = dict(zip(("published", "target"), port.split("/")[0].split(":")[-2:], strict=True))
            published[int(port["published"])] = (name, int(port["target"]))
    assert published[8080] == ("web", 8080)
    assert published[3000] == ("grafana", 3000)
    assert published[9090] == ("prometheus", 9090)
    assert published[9093] == ("alertmanager", 9093)
    assert published[9094] == ("kafka", 9094)
    assert published[8090] == ("ingest", 8090)
    assert "ports" not in config["services"]["worker"], "scaled workers cannot share a host port"


def test_bind_mounts_reference_existing_files(config):
    named = set(config.get("volumes") or {})
    mounts = 0
    for name, svc in config["services"].items():
        for vol in svc.get("volumes") or []:
            source = vol.split(":")[0] if isinstance(vol, str) else vol["source"]
            if source.startswith("/"):
                assert Path(source).exists(), f"{name} mounts missing {source}"
                assert Path(source).resolve().is_relative_to(ROOT), source
                mounts += 1
            else:
                assert source in named, f"{name} uses undeclared volume {source}"
    assert mounts >= 5


def test_prometheus_targets_are_compose_services(config):
    prom = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    services = config["services"]
    hosts = set()
    for job in prom["scrape_configs"]:
        for sc in job.get("static_configs", []):
            hosts |= {t.split(":")[0] for t in sc["targets"]}
        for sd in job.get("dns_sd_configs", []):
            hosts |= set(sd["names"])
    hosts.discard("localhost")
    assert hosts <= set(services), f"Prometheus scrapes hosts that are not services: {hosts - set(services)}"
    assert "worker" in hosts and "web" in hosts
    cmd = " ".join(services["prometheus"]["command"])
    assert "--config.file=/etc/prometheus/prometheus.yml" in cmd


def test_dockerfile():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    # the package is installed from source in the image, compiling the Cython hot path (setup.py)
    assert re.search(r"^RUN [^\n]*(?:\\\n[^\n]*)*pip install \.", text, re.M)
    assert re.search(r"^COPY [^\n]*setup\.py", text, re.M), "setup.py builds the compiled hot path"
    assert 'ENTRYPOINT ["warta"]' in text and 'CMD ["worker"]' in text
    assert re.search(r"^USER (?!root)\w+", text, re.M), "the image should not run as root"
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ".git" in ignore and ".venv" in ignore
    assert "**/*.so" in ignore, "a host-built extension must not reach the image: it is compiled there"


def test_compose_commands_are_warta_commands(config):
    from typer.main import get_command

    from streams.cli.main import app

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    missing = []
    for name in WARTA_ROLES:
        cmd = config["services"][name]["command"][0]
        if cmd not in commands:
            missing.append(cmd)
    assert not missing, f"compose runs unknown warta commands: {missing}"
