"""No function over cyclomatic complexity 25 (radon) beyond today's allow-list."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("check_complexity", ROOT / "scripts" / "check_complexity.py")
assert _spec is not None and _spec.loader is not None
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)


def test_no_new_function_over_the_limit() -> None:
    assert check.main([]) == 0, "a function is over complexity 25: split it into named passes"


def test_a_new_offender_is_caught_and_a_listed_one_passes(tmp_path: Path) -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(30))
    src = tmp_path / "probe.py"
    src.write_text(f"def tangled(x):\n{branches}    return -1\n", encoding="utf-8")
    key = f"{src.resolve().as_posix()}::tangled"
    allow = tmp_path / "allow.txt"
    allow.write_text("")
    assert check.offenders([src]) == {key: 31}
    assert check.main([str(src), "--allowlist", str(allow)]) == 1
    allow.write_text(f"{key}  # 31\n")
    assert check.main([str(src), "--allowlist", str(allow)]) == 0
