"""python -m bench.store — the embedded store shared by processes (issue 9), measured on this machine.

1. Opening the file (connect + close), and the §3 metrics (compute) over the demo data with the connection
   kept (a page's queries within the linger) against a fresh open for every query (linger 0).
2. How long a reader in another process waits while a writer loads one N-row batch (default 100 000),
   against the time that write itself takes.
Wall-clock medians; every ratio compares with a baseline of the same run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

READER = """
import sys, time
from analytics.store.db import Store
s = Store(sys.argv[1], linger=0)
print('ready', flush=True); sys.stdin.readline()
t = time.perf_counter(); s.scalar('SELECT count(*) FROM hazards'); print(time.perf_counter() - t, flush=True)
"""


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args(argv)
    import duckdb
    from bench.__main__ import timed
    from analytics.demo_load import load_demo
    from analytics.figures.metrics import Window, compute
    from analytics.ingest.load import write_batch
    from analytics.store.db import Store
    from tests.analytics.store.procs import hazard_batch

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "demo.duckdb"
        warm = Store(path, linger=3600)
        load_demo(warm)
        w = Window.of(dt.date(2026, 1, 1), dt.date(2026, 11, 25))
        warm.close()
        open_close = timed(lambda: duckdb.connect(str(path)).close(), a.repeat)
        compute(warm, w)
        t_warm = timed(lambda: compute(warm, w), a.repeat)
        warm.close()
        cold = Store(path, linger=0)
        t_cold = timed(lambda: compute(cold, w), a.repeat)
        print(f"open+close {open_close * 1000:.0f} ms; compute(): kept connection {t_warm:.3f} s, "
              f"open per query {t_cold:.3f} s ({t_cold / t_warm:.1f}x)")

        writer = Store(path, linger=0)
        from analytics.companies import add_company
        add_company(writer, "甲公司")
        b = hazard_batch("bench", a.rows)
        waits, writes = [], []
        for i in range(3):
            b.sha256 = f"bench-{i}"
            b.records = [{**r, "key": f"{r['key']}-{i}"} for r in b.records]
            p = subprocess.Popen([sys.executable, "-c", READER, str(path)], cwd=ROOT, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
            assert p.stdout.readline().strip() == "ready"
            t = time.perf_counter()
            with writer._connection():                 # the writer holds the file for the whole load
                p.stdin.write("go\n")
                p.stdin.flush()
                write_batch(writer, b)
                writes.append(time.perf_counter() - t)
            waits.append(float(p.communicate(timeout=600)[0]))
        print(f"{a.rows} rows written in {statistics.median(writes):.2f} s; a reader in another process waited "
              f"{statistics.median(waits):.2f} s (max {max(waits):.2f} s, "
              f"{max(waits) / statistics.median(writes):.2f}x the write)")


if __name__ == "__main__":
    main()
