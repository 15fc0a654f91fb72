"""python -m bench [--rows 100000] [--hazards 1000000]

1. Ingest a generated N-row hazard .xlsx through the CLI (`python -m analytics ingest`),
   against the baseline of merely reading the same file with pandas + openpyxl.
2. The metrics of DOMAIN.md §3 (compute) and a 12-month trend (series) over M hazards,
   against the baseline of a bare DuckDB GROUP BY month, company over the same table.
Timings are wall-clock medians; ratios compare with the baseline of this same run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_hazard_xlsx(path: Path, n: int, company: str) -> None:
    import xlsxwriter
    rnd = random.Random(7)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("隐患")
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, [f"{company}隐患排查治理台账"])
    header = ["序号", "隐患编号", "发现日期", "检查类型", "隐患部位", "隐患描述", "隐患类别", "隐患等级", "整改措施",
              "整改责任人", "整改期限", "整改状态", "整改完成日期", "备注"]
    ws.write_row(1, 0, header)
    base = dt.date(2025, 1, 1)
    for i in range(n):
        found = base + dt.timedelta(days=rnd.randrange(690))
        deadline = found + dt.timedelta(days=rnd.randrange(3, 30))
        done = found + dt.timedelta(days=rnd.randrange(0, 40)) if rnd.random() < 0.9 else None
        if done and done > dt.date(2026, 11, 25):
            done = None
        r = i + 2
        ws.write_row(r, 0, [i + 1, f"B-{i:07d}"])
        ws.write_datetime(r, 2, dt.datetime.combine(found, dt.time()), datef)
        ws.write_row(r, 3, ["公司自查", f"部位{i % 500}", f"隐患描述{i % 2000}", "消防安全",
                            "重大隐患" if i % 100 == 0 else "一般隐患", "整改", "张三"])
        ws.write_datetime(r, 10, dt.datetime.combine(deadline, dt.time()), datef)
        ws.write(r, 11, "已整改" if done else "整改中")
        if done:
            ws.write_datetime(r, 12, dt.datetime.combine(done, dt.time()), datef)
    wb.close()


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench_ingest(rows: int, tmp: Path) -> None:
    import pandas as pd
    company = "基准测试有限公司"
    xlsx = tmp / f"hazards_{rows}.xlsx"
    write_hazard_xlsx(xlsx, rows, company)
    db = tmp / "ingest.duckdb"
    py = sys.executable
    subprocess.run([py, "-m", "analytics", "--db", str(db), "companies", "add", company], cwd=ROOT, check=True,
                   capture_output=True)
    t_base = timed(lambda: pd.read_excel(xlsx, engine="openpyxl", header=1))
    t_ingest = timed(lambda: subprocess.run([py, "-m", "analytics", "--db", str(db), "ingest", str(xlsx)], cwd=ROOT,
                                            check=True, capture_output=True))
    print(f"ingest {rows:,}-row hazard .xlsx via CLI: {t_ingest:.2f} s "
          f"(baseline pandas+openpyxl read only: {t_base:.2f} s; ratio {t_ingest / t_base:.2f}×)")


def bench_metrics(n: int, tmp: Path) -> None:
    from analytics.companies import add_company
    from analytics.store.db import Store
    from analytics.figures.metrics import Window, compute, series
    s = Store(tmp / "metrics.duckdb")
    names = [f"基准单位{i}有限公司" for i in range(8)]
    for nm in names:
        add_company(s, nm)
    with s.write() as cur:
        cur.execute("""
            INSERT INTO hazards (batch_id, key, company, found_date, level, deadline, status, rectified_date)
            SELECT 1, 'k' || i, '基准单位' || CAST(i % 8 AS VARCHAR) || '有限公司',
                   DATE '2025-01-01' + CAST(i % 690 AS INTEGER),
                   CASE WHEN i % 100 = 0 THEN '重大' ELSE '一般' END,
                   DATE '2025-01-01' + CAST(i % 690 AS INTEGER) + CAST(3 + i % 27 AS INTEGER),
                   CASE WHEN i % 10 = 0 THEN '未整改' ELSE '已整改' END,
                   CASE WHEN i % 10 = 0 THEN NULL
                        ELSE DATE '2025-01-01' + CAST(i % 690 AS INTEGER) + CAST(i % 35 AS INTEGER) END
            FROM range(?) r(i)""", [n])
    w = Window.of(dt.date(2026, 1, 1), dt.date(2026, 11, 25))
    compute(s, w)  # warm
    t_base = timed(lambda: s.df("""SELECT company, date_trunc('month', found_date) m, count(*),
                                          count(rectified_date) FROM hazards GROUP BY ALL"""), 5)
    t_compute = timed(lambda: compute(s, w), 5)
    t_series = timed(lambda: series(s, "hazards_found", Window.of(dt.date(2025, 12, 1), dt.date(2026, 11, 25))), 5)
    print(f"metrics at {n:,} hazards: compute (all §3 metrics, 8 companies + group) {t_compute * 1000:.0f} ms; "
          f"12-month series {t_series * 1000:.0f} ms "
          f"(baseline bare GROUP BY month, company: {t_base * 1000:.0f} ms; ratios {t_compute / t_base:.1f}× / "
          f"{t_series / t_base:.1f}×)")
    s.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--hazards", type=int, default=1_000_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        bench_ingest(a.rows, Path(d))
        bench_metrics(a.hazards, Path(d))


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    main()
