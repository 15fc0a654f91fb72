"""python -m bench.pg [--hazards 1000000] [--url postgresql://…] — the PostgreSQL server store (issue 9).

Builds the bench's large group (bench.build_group: 200 companies, M hazards, 1,000 accidents) in a DuckDB file,
moves it into PostgreSQL with `backup` + `restore` (a throw-away server from tests/pgserver.py unless --url), then
measures in this process:
1. the data-version check every read makes (baseline: the same query on the embedded file);
2. the mirror's refresh: the first (every table), after a registry change (companies only), after a one-row hazard
   batch (hazards, hazards_versions, batches); and a backup of the PostgreSQL store;
3. all §3 metrics (compute) on the mirror against the embedded file.
Wall-clock medians; ratios compare with the baseline of this same run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hazards", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--url", default=None, help="an empty PostgreSQL database (default: start a throw-away server)")
    a = ap.parse_args(argv)
    from bench.__main__ import build_group, timed
    from analytics.companies import add_company
    from analytics.figures.metrics import Window, compute
    from analytics.ingest.load import write_batch
    from analytics.store.backup import backup, restore
    from analytics.store.db import Store
    from tests.analytics.store.procs import hazard_batch

    server = None
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as d:
        d = Path(d)
        url = a.url
        if url is None:
            from tests.pgserver import Server
            server = Server().start()               # its own temp dir (the postgres user must reach it)
            url = server.fresh_database()
        try:
            t0 = time.perf_counter()
            build_group(d / "group.duckdb", a.hazards)
            emb = Store(d / "group.duckdb", linger=3600)
            backup(emb, d / "bk")
            t_move = time.perf_counter() - t0
            t0 = time.perf_counter()
            restore(d / "bk", url)
            print(f"built {a.hazards:,} hazards and backed up: {t_move:.1f} s; restore into PostgreSQL "
                  f"{time.perf_counter() - t0:.1f} s")

            s = Store(url)
            t0 = time.perf_counter()
            s.scalar("SELECT 1")
            full = time.perf_counter() - t0
            n = s.scalar("SELECT count(*) FROM hazards")
            print(f"first read (full refresh of every table, {n:,} hazards): {full:.2f} s")
            base = timed(lambda: emb.scalar("SELECT value FROM meta WHERE key = 'data_version'"), 51)
            check = timed(lambda: s._pg.data_version(), 51)
            print(f"data-version check: {check * 1000:.2f} ms (embedded file, connection kept: "
                  f"{base * 1000:.2f} ms, {check / base:.1f}×)")

            def after(write, label):
                times, copied = [], []
                for i in range(a.repeat):
                    write(i)
                    t0 = time.perf_counter()
                    s.scalar("SELECT 1")
                    times.append(time.perf_counter() - t0)
                    copied = s._pg._mirror.copied
                med = statistics.median(times)
                print(f"refresh after {label}: {med:.2f} s ({med / full:.2f}× the full refresh; copies "
                      f"{', '.join(sorted(copied))})")

            after(lambda i: add_company(s, f"新增单位{i}有限公司"), "a registry change")
            after(lambda i: write_batch(s, hazard_batch(f"b{i}", 1)), "a one-row hazard batch")

            t0 = time.perf_counter()
            backup(s, d / "bk-pg")
            print(f"backup of the PostgreSQL store (one REPEATABLE READ snapshot → Parquet): "
                  f"{time.perf_counter() - t0:.2f} s")

            w = Window.of(dt.date(2026, 1, 1), dt.date(2026, 11, 25))
            t_emb = timed(lambda: compute(emb, w), a.repeat)
            t_pg = timed(lambda: compute(s, w), a.repeat)
            print(f"all §3 metrics: mirror {t_pg:.3f} s, embedded file {t_emb:.3f} s ({t_pg / t_emb:.2f}×)")
            import resource
            print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
            s.close()
            emb.close()
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
