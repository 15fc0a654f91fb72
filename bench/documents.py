"""python -m bench.documents [--hazards 200000]   — the 会议材料 at the bench's 200-company group (issue 12).

Builds the group with bench's builder (bench.__main__.build_group, fewer hazards by default) in a temp dir, then
times, in this process with the figure cache cleared before each: the facts of every company read the old way
(one company after another, bulletin._Facts.read — the baseline) against the set-based read (_Facts.read_all);
the group 通报 (content, Word, PDF and its page count), one company's 通报, the 16号令 table and the deck. Then
the same documents on the demo data (8 companies) when --demo DB is given. Wall-clock, one run each."""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _t(fn):
    from analytics.figures import cache
    cache.clear()
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def documents(db: Path, label: str, baseline: bool) -> None:
    from analytics.companies import registry
    from analytics.documents import bulletin as B, deck as D, group as G, pdf as P, stats as S
    from analytics.figures.metrics import Window
    from analytics.store.db import Store
    s = Store(db)
    names = list(registry(s).names)
    w = Window.of(dt.date(2026, 11, 1), dt.date(2026, 11, 25))
    print(f"{label}: {len(names)} companies, window {w.start} … {w.end}")
    if baseline:
        t_old, _ = _t(lambda: {n: B._Facts.read(s, n, w) for n in names})
        t_new, _ = _t(lambda: B._Facts.read_all(s, names, w))
        print(f"  facts of every company: one by one {t_old:.1f} s (baseline) → set-based {t_new:.2f} s "
              f"({t_old / t_new:.0f}× faster)")
    t, g = _t(lambda: G.bulletin_group(s, w))
    td, _ = _t(lambda: B.render_docx(g))
    tp, pdf = _t(lambda: P.render_pdf(g))
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    named = sum(1 for b in g.blocks if getattr(b, "kind", "") == "body" and re.match(r"（[一二三四五六七八九十百零]+）", b.text))
    print(f"  group 通报: content {t:.2f} s, Word {td:.2f} s, PDF {tp:.2f} s ({pages} pages; companies named one by "
          f"one in the compact form: {named})")
    t, b = _t(lambda: B.bulletin(s, names[0], w))
    td, _ = _t(lambda: B.render_docx(b))
    tp, _ = _t(lambda: P.render_pdf(b))
    print(f"  one company's 通报 ({names[0]}): content {t:.2f} s, Word {td:.2f} s, PDF {tp:.2f} s")
    q, qlabel = S.parse_period("2026Q3")
    t, _ = _t(lambda: S.stats_xlsx(s, q, qlabel))
    print(f"  16号令 table 2026Q3: {t:.2f} s")
    t, deck = _t(lambda: D.build_deck(s, w))
    print(f"  deck: {t:.1f} s, {len(deck.slides)} slides, charts {', '.join(f'{x:.2f}' for x in D.timings['charts'])} s")
    tables: dict[str, list[int]] = {}
    for sl in deck.slides:
        for sh in (x for x in sl.shapes if x.has_table):
            title = re.sub(r"（\d+/\d+）$", "", next(x.text_frame.text for x in sl.shapes if x.has_text_frame))
            tables.setdefault(title, []).append(len(sh.table.rows) - 1)
    print("  deck tables (rows per slide): " + "; ".join(f"{k} {'+'.join(map(str, v))}" for k, v in tables.items()))
    s.close()


def main() -> None:
    from bench.__main__ import build_group
    ap = argparse.ArgumentParser()
    ap.add_argument("--hazards", type=int, default=200_000)
    ap.add_argument("--demo", type=Path, help="a database holding the demo data (python -m analytics --db X demo)")
    ap.add_argument("--no-baseline", action="store_true")
    a = ap.parse_args()
    if a.demo:
        documents(a.demo, "demo data", not a.no_baseline)
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "group.duckdb"
        t = time.perf_counter()
        build_group(db, a.hazards)
        print(f"built the group ({a.hazards:,} hazards) in {time.perf_counter() - t:.1f} s")
        documents(db, "the large group", not a.no_baseline)


if __name__ == "__main__":
    main()
