"""The walls between Warta's layers (import-linter contracts in pyproject.toml) hold."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

from streams.core.registry import STAGE_REGISTRY

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"


def _contracts() -> list[dict]:
    return tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]


def test_every_contract_is_kept() -> None:
    """core imports no stage/sink; stages import no Kafka/DB/metrics; sinks import no stage and
    build no pipeline. Fails, naming the import chain, when a change crosses a wall."""
    assert len(_contracts()) >= 3
    assert lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True) == 0


def test_every_registered_stage_is_inside_the_stage_contract() -> None:
    """A stage registered outside the checked packages would escape the wall: refuse it."""
    (stages,) = [c for c in _contracts() if c.get("id") == "stages"]
    packages = tuple(stages["source_modules"])
    for name, path in STAGE_REGISTRY.items():
        module = path.partition(":")[0]
        assert module.startswith(tuple(p + "." for p in packages)), f"stage {name!r} lives in {module}"


def test_a_crossed_wall_is_reported(tmp_path: Path) -> None:
    """The checker sees indirect imports: the CLI reaches faust through streams.app."""
    cfg = tmp_path / "walls.toml"
    cfg.write_text(
        '[tool.importlinter]\nroot_packages = ["streams"]\ninclude_external_packages = true\n\n'
        '[[tool.importlinter.contracts]]\nname = "crossed on purpose"\ntype = "forbidden"\n'
        'source_modules = ["streams.cli.main"]\nforbidden_modules = ["faust"]\n'
    )
    assert lint_imports(config_filename=str(cfg), no_cache=True, no_logo=True) == 1


def _reads_of_the_environment(source: str) -> list[int]:
    """Lines that read a ``WARTA_*`` variable (``os.environ``, ``os.getenv``) or call get_settings()."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] == "get_settings":
            lines.append(node.lineno)
        elif isinstance(node, ast.Call | ast.Subscript) and (
            "environ" in ast.unparse(node) or "getenv" in ast.unparse(node)
        ):
            names = [
                c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)
            ]
            if any(n.startswith("WARTA_") for n in names):
                lines.append(node.lineno)
    return sorted(set(lines))


def test_the_environment_check_sees_a_deep_read() -> None:
    old_kb = (
        'root = os.environ.get("WARTA_CACHE_DIR") or "~"\nx = os.environ["WARTA_X"]\ns = get_settings()\n'
    )
    assert _reads_of_the_environment(old_kb) == [1, 2, 3]
    assert _reads_of_the_environment('env = {**os.environ, "WARTA_WEB_PORT": "1"}\n') == []


def test_settings_are_built_by_the_entry_points_only() -> None:
    """Only the CLI and the app entry build Settings (and settings.py reads its own sources);
    every other module gets them passed down."""
    allowed = {"streams/core/settings.py", "streams/app.py"}
    offenders = []
    for path in sorted((ROOT / "streams").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed or rel.startswith("streams/cli/"):
            continue
        offenders += [f"{rel}:{n}" for n in _reads_of_the_environment(path.read_text(encoding="utf-8"))]
    assert not offenders, f"modules reading WARTA_* or calling get_settings(): {offenders}"


def test_every_package_sits_in_a_layer() -> None:
    """A new package of streams/ must take its place in the layers contract (or escape the check)."""
    (layers,) = [c for c in _contracts() if c.get("id") == "layers"]
    named = {p.strip() for layer in layers["layers"] for p in layer.split("|")}
    packages = {p.parent.name for p in (ROOT / "streams").glob("*/__init__.py")} | {"app"}
    assert packages == named, f"not layered: {packages - named}; layered but absent: {named - packages}"


def test_an_import_inside_a_function_that_climbs_a_layer_is_reported(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Imports hidden in functions count: a low layer importing a high one in a function breaks."""
    pkg = tmp_path / "walltest"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "high.py").write_text("from walltest import low\n")
    (pkg / "low.py").write_text("def render():\n    from walltest.high import low as _\n    return _\n")
    cfg = tmp_path / "walls.toml"
    cfg.write_text(
        '[tool.importlinter]\nroot_packages = ["walltest"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "layers"\ntype = "layers"\n'
        'containers = ["walltest"]\nlayers = ["high", "low"]\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert lint_imports(config_filename=str(cfg), no_cache=True, no_logo=True) == 1
    (pkg / "low.py").write_text("def render():\n    return None\n")
    assert lint_imports(config_filename=str(cfg), no_cache=True, no_logo=True) == 0
