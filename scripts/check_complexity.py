"""List functions over cyclomatic complexity 25 (radon) and fail on any not in the allow-list.

    python scripts/check_complexity.py                  # check streams/ against the allow-list
    python scripts/check_complexity.py --write          # rewrite the allow-list from today's offenders
    python scripts/check_complexity.py --limit 20 PATH  # another limit or tree; prints every offender

The allow-list (scripts/complexity_allowlist.txt) names today's offenders, one ``path::function``
a line, so CI fails on a NEW function over the limit while the old ones are split into named passes;
an entry that is no longer over the limit is reported, so the list only shrinks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

__all__ = ["LIMIT", "main", "offenders"]

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 25
ALLOWLIST = ROOT / "scripts" / "complexity_allowlist.txt"


def _functions(blocks: list[Function | Class]) -> list[Function]:
    out: list[Function] = []
    for block in blocks:
        if isinstance(block, Class):
            out += _functions(list(block.methods) + list(block.inner_classes))
        else:
            out.append(block)
            out += _functions(list(block.closures))
    return out


def offenders(paths: list[Path], limit: int = LIMIT) -> dict[str, int]:
    """``path::qualified.name`` -> complexity of every function over ``limit`` under ``paths``."""
    found: dict[str, int] = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for path in files:
            full = path.resolve()
            rel = full.relative_to(ROOT).as_posix() if full.is_relative_to(ROOT) else full.as_posix()
            for fn in _functions(cc_visit(path.read_text(encoding="utf-8"))):
                if fn.complexity > limit:
                    name = f"{fn.classname}.{fn.name}" if fn.classname else fn.name
                    found[f"{rel}::{name}"] = max(found.get(f"{rel}::{name}", 0), fn.complexity)
    return found


def read_allowlist(path: Path = ALLOWLIST) -> set[str]:
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", type=Path, default=[ROOT / "streams"])
    ap.add_argument("--limit", type=int, default=LIMIT)
    ap.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    ap.add_argument("--write", action="store_true", help="rewrite the allow-list from today's offenders")
    args = ap.parse_args(argv)
    found = offenders(args.paths, args.limit)
    for key, cc in sorted(found.items(), key=lambda kv: -kv[1]):
        print(f"{cc:4d}  {key}")
    if args.write:
        header = (
            f"# Functions over cyclomatic complexity {args.limit} allowed for now (scripts/check_complexity.py).\n"
            "# Only remove lines: split a function into named passes, then delete its line.\n"
        )
        body = "".join(f"{key}  # {cc}\n" for key, cc in sorted(found.items()))
        args.allowlist.write_text(header + body, encoding="utf-8")
        print(f"wrote {len(found)} entries to {args.allowlist}")
        return 0
    allowed = read_allowlist(args.allowlist)
    new = sorted(set(found) - allowed)
    fixed = sorted(allowed - set(found))
    print(f"{len(found)} function(s) over {args.limit}; {len(new)} not in the allow-list")
    for key in fixed:
        print(f"now at most {args.limit}, remove from {args.allowlist.name}: {key}")
    for key in new:
        print(f"NEW over {args.limit}: {key} ({found[key]}): split it into named passes", file=sys.stderr)
    return 1 if new else 0


if __name__ == "__main__":
    raise SystemExit(main())
