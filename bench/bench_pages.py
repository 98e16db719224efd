"""HTML extraction speed: pages/s of trafilatura alone and of Warta's decode (+ clean) on generated
news pages of realistic weight (menus, sidebars, scripts, related links around a real article text).

    PYTHONPATH=. python bench/bench_pages.py [--pages 60] [--rounds 3] [--cpu]

``--cpu`` times with the thread's CPU time (``time.thread_time``) instead of the wall clock: steadier
on a machine other jobs share.

Run it from two trees (e.g. PYTHONPATH=/work/main and PYTHONPATH=.) in the same shell command to
compare code versions under the same load; trafilatura's own rate in each run is the yardstick.
"""

from __future__ import annotations

import argparse
import glob
import html as html_lib
import os
import time
from collections.abc import Callable

__all__ = ["main", "make_pages"]


def _page(text: str, i: int) -> str:
    lines = [x for x in text.split("\n") if x.strip()]
    title = html_lib.escape(lines[0])
    nav = (
        "<nav><ul>"
        + "".join(
            f'<li><a href="/c/{k}">Kanal {k}</a><ul>'
            + "".join(f'<li><a href="/c/{k}/{j}">Sub {j}</a></li>' for j in range(8))
            + "</ul></li>"
            for k in range(15)
        )
        + "</ul></nav>"
    )
    side = (
        '<aside class="sidebar">'
        + "".join(
            f'<div class="item"><a href="/a/{k}"><img src="/i/{k}.jpg"><h3>Berita terpopuler nomor {k}</h3></a>'
            f'<span class="date">{k + 1} jam lalu</span></div>'
            for k in range(20)
        )
        + "</aside>"
    )
    scripts = "".join(
        f"<script>var x{k} = {{a: {k}}}; function f{k}() {{ return x{k}.a * 2; }}</script>" for k in range(30)
    )
    body = "".join(f"<p>{html_lib.escape(x)}</p>" for x in lines[1:])
    related = "".join(
        f'<p><a href="/r/{k}">Artikel terkait nomor {k} tentang topik lain</a></p>' for k in range(10)
    )
    meta = (
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="2024-05-0{i % 9 + 1}T10:00:00+07:00">'
    )
    return (
        f"<!DOCTYPE html><html><head><title>{title} - Portal</title>{meta}{scripts}</head><body>"
        f'<header>{nav}</header><div class="container"><main><article><h1>{title}</h1>'
        f'<div class="byline">Oleh Redaksi</div>{body}</article><section class="related"><h2>Baca juga</h2>'
        f"{related}</section></main>{side}</div><footer>{nav}<p>Copyright 2024</p></footer></body></html>"
    )


def make_pages(n: int) -> list[str]:
    """``n`` pages around the realtrain article texts (sorted; none when ../shared is absent)."""
    shared = os.environ.get("WARTA_SHARED", "../shared")
    paths = sorted(glob.glob(f"{shared}/eval/realtrain/articles/*.txt"))[:n]
    return [_page(open(p, encoding="utf-8").read(), i) for i, p in enumerate(paths)]


def _rates(
    fns: dict[str, Callable[[str], object]],
    pages: list[str],
    rounds: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Pages/s of each function, timed page by page in turn (a load spike hits all of them alike);
    the best round of each."""
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        total = dict.fromkeys(fns, 0.0)
        for p in pages:
            for name, fn in fns.items():
                t0 = clock()
                fn(p)
                total[name] += clock() - t0
        best = {k: min(best[k], total[k]) for k in fns}
    return {k: len(pages) / v for k, v in best.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cpu", action="store_true", help="thread CPU time instead of wall time")
    args = ap.parse_args(argv)
    import trafilatura

    from streams.core.doc import Doc
    from streams.core.errors import WartaError
    from streams.core.records import RawArticle
    from streams.ingest.clean import CleanStage
    from streams.ingest.normalize import DecodeStage

    pages = make_pages(args.pages)
    if not pages:
        print("no realtrain articles found (set WARTA_SHARED)")
        return 1
    decode, clean = DecodeStage(), CleanStage()

    def warta(page: str, *, with_clean: bool) -> None:
        doc = Doc.from_raw(RawArticle(id="p", html=page))
        try:
            decode(doc)
            if with_clean:
                clean(doc)
        except WartaError:
            pass

    kb = sum(len(p) for p in pages) / len(pages) / 1024
    rates = _rates(
        {
            "trafilatura.extract": trafilatura.extract,
            "warta decode": lambda p: warta(p, with_clean=False),
            "warta decode+clean": lambda p: warta(p, with_clean=True),
        },
        pages,
        args.rounds,
        time.thread_time if args.cpu else time.perf_counter,
    )
    base = rates["trafilatura.extract"]
    print(
        f"{len(pages)} pages of {kb:.0f} KB: "
        + ", ".join(f"{k} {v:.1f} pages/s ({v / base:.2f}x)" for k, v in rates.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
