"""The walls between Warta's layers (import-linter contracts in pyproject.toml) hold."""

from __future__ import annotations

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
