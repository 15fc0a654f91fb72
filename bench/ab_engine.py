"""python -m bench.ab_engine OLD_ROOT NEW_ROOT DB [ROUNDS]

A/B of two checkouts' engines on one database (a copy of the bench's group, e.g. a copy of the one `python -m
bench` builds): 总览's and 单位画像's figure calls as the pages make them, cache cleared, inside one pinned data
version (as app.py runs a page), in alternating fresh processes (old, new, old, new …). Each process reports the
best of three cold runs per page; printed is the median over ROUNDS processes. A tree without `metrics.frames`
makes the calls without it; one whose record lists take no limit reads the whole lists, as its pages did (总览 now
also reads its open major hazards, 单位画像 its 问题明细: the first 500 rows and their counts). Only the engine: no Streamlit, no drawing. Wall and CPU seconds (the process's, DuckDB's
threads included): on a machine loaded by others the CPU figure is the steadier comparison."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys

CHILD = r'''
import sys, time, datetime as dt, json
sys.path.insert(0, sys.argv[1])
from analytics.store.db import Store
from analytics.figures import anomalies, cache, metrics
from analytics.figures.accidents import safe_days
from analytics.figures.assessment import year_status
from analytics.figures.metrics import HAZARD_KPIS, compute, Window
from analytics.figures.scorecard import breach_list, company_table, behind_row
from analytics.figures.profile import comparison, monthly
ACC = ("accidents", "deaths", "serious_injuries", "direct_loss", "late_reports")              # ui/warmup.py
KPIS = ("hazards_found", "rectification_rate", "on_time_rate", "overdue_open", "major_open", "accidents", "deaths")
frames = getattr(metrics, "frames", lambda *a, **k: None)
import inspect
from analytics.figures import records, scorecard
LIMITED = "limit" in inspect.signature(records.open_major_hazards.uncached).parameters   # lists read what is drawn
def majors(s, w, companies):                 # 总览's 未整改的重大隐患 (charts.open_major_hazards_section)
    if not LIMITED:
        return records.open_major_hazards(s, w.as_of, companies)
    compute(s, w, companies, ("major_open",))
    return records.open_major_hazards(s, w.as_of, companies, limit=500)
def behind(s, w, c):                         # 单位画像's 问题明细 (charts.behind_row_section)
    if not LIMITED:
        return behind_row(s, w, c)
    scorecard.behind_counts(s, w, c)
    return behind_row(s, w, c, limit=500)
s = Store(sys.argv[2], linger=60)
w = Window.of(dt.date(2026, 1, 1), dt.date(2026, 11, 25))
ly = Window.of(dt.date(2025, 1, 1), dt.date(2025, 11, 25))
c = s.scalar("SELECT name FROM companies ORDER BY id LIMIT 1")
pages = {
    "总览": [lambda: frames(s, ACC + HAZARD_KPIS, [w, ly], None), lambda: compute(s, w, None, ACC + HAZARD_KPIS),
             lambda: compute(s, ly, None, ACC + HAZARD_KPIS), lambda: safe_days(s, w, None),
             lambda: year_status(s, 2026, w.as_of, None), lambda: company_table(s, w, None),
             lambda: company_table(s, ly, None), lambda: breach_list(s, w, None),
             lambda: majors(s, w, None), lambda: anomalies.find(s, w, None, detail=False)],
    "单位画像": [lambda: frames(s, KPIS, [w, ly], [c]), lambda: company_table(s, w, [c]),
              lambda: company_table(s, ly, [c]), lambda: compute(s, w, [c], KPIS), lambda: compute(s, ly, [c], KPIS),
              lambda: safe_days(s, w, [c]), lambda: comparison(s, w, ly, c),
              lambda: monthly(s, "hazards_found", w, ly, c), lambda: monthly(s, "rectification_rate", w, ly, c),
              lambda: year_status(s, 2026, w.as_of, [c]), lambda: anomalies.find(s, w, [c]),
              lambda: behind(s, w, c)],
}
best = {}
for rep in range(4):                         # the first run opens the file and warms DuckDB's buffers
    for name, calls in pages.items():
        cache.clear()
        with cache.pinned():
            t, c0 = time.perf_counter(), time.process_time()
            for f in calls:
                f()
            d, cpu = time.perf_counter() - t, time.process_time() - c0
        if rep:
            best[name] = min(best.get(name, 1e9), d)
            best[name + " CPU"] = min(best.get(name + " CPU", 1e9), cpu)
print(json.dumps(best))
'''


def main() -> None:
    old, new, db = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    res: dict[str, list[dict]] = {"old": [], "new": []}
    for _ in range(rounds):
        for tag, root in (("old", old), ("new", new)):
            out = subprocess.run([sys.executable, "-c", CHILD, root, db], capture_output=True, text=True, check=True)
            res[tag].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for page in res["old"][0]:
        a, b = (statistics.median(x[page] for x in res[t]) * 1000 for t in ("old", "new"))
        print(f"{page}: old {a:.0f} ms, new {b:.0f} ms (median of {rounds} processes, each the best of 3 cold runs)")


if __name__ == "__main__":
    main()
