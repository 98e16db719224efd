"""List every compiled pass guarded by a code fingerprint, with its recorded and current fingerprint.

    python scripts/fingerprints.py            # one line a pass; exits 1 when one is stale
    python scripts/fingerprints.py --write    # record the current fingerprints of the stale passes

Every guard is a ``streams.core.hot.Guard`` (``code_fingerprint`` of the functions a pass copies): the
entity twins (``streams/nlp/ner_twins.py``, ``MIRRORS``), the figures' whole passes
(``streams/nlp/_figures_hot.pyx``, ``_WHOLE``), the quote twins (``streams/nlp/_quotes_hot.pyx``, ``_TWINS``), the tagger's feature
strings (``streams/nlp/ner_features_twin.py``, ``RECORDED``)
and clean's rule verdict (``streams/ingest/verdict_twin.py``, ``RECORDED``). A stale pass runs its Python
reference (identical output, slower). Record again only after the compiled pass follows the reference
(docs/guards.md): ``--write`` replaces the recorded value in the source file; a figures or quotes pass then
needs ``python setup.py build_ext --inplace``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["Guarded", "guarded", "main"]

ROOT = Path(__file__).resolve().parent.parent
#: (guard, pass, recorded, now, file holding the recorded value)
Guarded = tuple[str, str, str, str, Path]


def guarded() -> list[Guarded]:
    """Every guarded pass: entity twins, figures' whole passes, quotes' twins, the tagger's feature strings,
    clean's rule verdict, the compiled events passes."""
    from streams.core import hot
    from streams.ingest import verdict_twin  # hot11: clean's furniture-rule verdict
    from streams.nlp import (
        entities,  # noqa: F401  (ner_twins reads the loaded module)
        events_guard,  # evhot13: the compiled events passes
        ner_features_twin,  # hot12: the tagger's feature strings
        ner_twins,
    )

    guards: list[tuple[str, str, hot.Guard, str]] = [
        ("entities", name, ner_twins.guard(name), "streams/nlp/ner_twins.py") for name in ner_twins.MIRRORS
    ]
    figures: Any = hot.extension("streams.nlp._figures_hot")
    if figures is not None:
        for name in ("classify_mentions", "figures_from_analysis"):
            guards.append(("figures", name, figures.guard(name), "streams/nlp/_figures_hot.pyx"))
    quotes: Any = hot.extension("streams.nlp._quotes_hot")
    if quotes is not None:
        guards.append(("quotes", "twins", quotes.GUARD, "streams/nlp/_quotes_hot.pyx"))
    guards.append(("entities", "name_heads.head_runs", ner_twins.HEAD_RUNS, "streams/nlp/ner_twins.py"))
    guards.append(("tagger", "_group_features", ner_features_twin.GUARD, "streams/nlp/ner_features_twin.py"))
    guards.append(("clean", "_rules_verdict", verdict_twin.GUARD, "streams/ingest/verdict_twin.py"))
    guards.append(("events", "compiled passes", events_guard.GUARD, "streams/nlp/events_guard.py"))
    return [(what, name, g.recorded, g.fingerprint(), ROOT / path) for what, name, g, path in guards]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="record the current fingerprints of stale passes")
    args = ap.parse_args(argv)
    rows = guarded()
    stale = [r for r in rows if r[2] != r[3]]
    for guard, name, want, now, _path in rows:
        print(f"{guard:9} {name:22} recorded {want}  now {now}  {'STALE' if want != now else 'ok'}")
    if args.write:
        for _guard, _name, want, now, path in stale:
            text = path.read_text(encoding="utf-8")
            if text.count(f'"{want}"') != 1:
                print(f"{path}: {want} is not recorded exactly once; not written", file=sys.stderr)
                return 1
            path.write_text(text.replace(f'"{want}"', f'"{now}"'), encoding="utf-8")
            print(f"recorded {now} in {path.relative_to(ROOT)}")
        return 0
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
