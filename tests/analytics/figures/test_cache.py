"""The figure cache (analytics/figures/cache.py): keyed on the data version, so an upload or a revert — in this
process or another one (the command line) — is seen by the very next call, and a call without a write is served
from the cache."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from analytics.figures import cache
from analytics.figures.metrics import Window, compute, frame
from analytics.ingest.load import revert_batch
from analytics.ingest.pipeline import ingest_file
from analytics.store.db import Store

from ...dbs import GOLDEN_TODAY, golden_file, registry_store

ROOT = Path(__file__).resolve().parents[3]
YEAR = Window.of(dt.date(2026, 1, 1), dt.date(2026, 11, 3))
LY = "陇原电力有限公司"


def found(store) -> int:
    return compute(store, YEAR)["companies"][LY]["hazards_found"]


def cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", "--db", str(db), *args], cwd=ROOT, capture_output=True,
                          text=True, check=True)


def test_repeat_call_is_a_hit_and_a_copy(tmp_path):
    s = registry_store(tmp_path / "c.duckdb")
    first = frame(s, ["hazards_found"], YEAR)
    before = cache.stats()["hits"]
    first.loc[0, "hazards_found"] = 999                     # a caller changing its copy …
    again = frame(s, ["hazards_found"], YEAR)
    assert cache.stats()["hits"] == before + 1
    assert 999 not in set(again["hazards_found"])           # … does not change the cache


def test_upload_and_revert_in_this_process_are_seen_next_call(tmp_path):
    s = registry_store(tmp_path / "c.duckdb")
    assert found(s) == 0
    res = ingest_file(s, golden_file(tmp_path), today=GOLDEN_TODAY, uploaded_by="测试")
    assert res.status == "loaded"
    after = found(s)
    assert after == frame.uncached(s, ["hazards_found"], YEAR).set_index("company").loc[LY, "hazards_found"]
    assert after == 7
    revert_batch(s, res.batch_ids[0], "测试")
    assert found(s) == 0


def test_upload_and_revert_from_another_process_are_seen(tmp_path):
    db = tmp_path / "c.duckdb"
    s = registry_store(db)
    assert found(s) == 0
    s.close()                                   # DuckDB: one process holds the file at a time
    cli(db, "ingest", str(golden_file(tmp_path)))
    s = Store(db)
    assert found(s) == 7
    batch = s.scalar("SELECT max(id) FROM batches")
    s.close()
    cli(db, "revert", str(batch))
    s = Store(db)
    assert found(s) == 0
    s.close()


def test_rewarm_recomputes_the_recent_figures_for_the_new_data(tmp_path):
    s = registry_store(tmp_path / "c.duckdb")
    cache.clear()
    assert found(s) == 0
    frame(s, ["overdue_open"], YEAR, [LY])                  # two figures asked for before the upload
    res = ingest_file(s, golden_file(tmp_path), today=GOLDEN_TODAY, uploaded_by="测试")
    cache.rewarm(s).join()                                  # what the upload page does after a write
    stats = cache.stats()
    assert found(s) == 7                                    # a hit, computed by rewarm for the new version
    again = frame(s, ["overdue_open"], YEAR, [LY])
    assert cache.stats()["hits"] == stats["hits"] + 2 and cache.stats()["misses"] == stats["misses"]
    assert again.equals(frame.uncached(s, ["overdue_open"], YEAR, [LY]))
    revert_batch(s, res.batch_ids[0], "测试")
    cache.rewarm(s).join()
    stats = cache.stats()
    assert found(s) == 0 and cache.stats()["misses"] == stats["misses"]
    assert cache.rewarm(registry_store()) is None           # in-memory stores are not cached


def test_a_pinned_run_reads_the_version_once_and_sees_its_own_writes(tmp_path, monkeypatch):
    """Inside cache.pinned() (every page run): one data-version read for all figures; a write this process
    commits is seen by the next call; a write by another process only after the run (the next rerun)."""
    db = tmp_path / "c.duckdb"
    s = registry_store(db)
    reads = []
    original = Store.data_version
    monkeypatch.setattr(Store, "data_version", lambda self: reads.append(1) or original(self))
    with cache.pinned():
        assert found(s) == 0 and found(s) == 0 and frame(s, ["hazards_rectified"], YEAR) is not None
        assert len(reads) == 1
        res = ingest_file(s, golden_file(tmp_path), today=GOLDEN_TODAY, uploaded_by="测试")   # this process
        assert res.status == "loaded" and found(s) == 7 and len(reads) == 2
        s.close()
        cli(db, "revert", str(res.batch_ids[0]))                     # another process, during the run
        assert found(s) == 7                                         # the run keeps its version …
    assert found(s) == 0                                             # … the next run sees the revert


def test_the_size_estimate_counts_rows_and_column_kinds_and_bounds_the_cache(monkeypatch):
    import pandas as pd
    df = pd.DataFrame({"n": range(1000), "d": pd.to_datetime(["2026-01-01"] * 1000), "s": ["消防通道堵塞"] * 1000})
    assert cache._size(df) == 1000 * (8 + 8 + cache.TEXT_CELL_BYTES + 8) + 256     # two 8-byte columns, one text
    assert cache._size({"a": df, "b": df.head(10)}) == cache._size(df) + 10 * (8 + 8 + cache.TEXT_CELL_BYTES + 8) + 256
    assert cache._size(df) >= df.memory_usage(index=True, deep=False).sum()
    cache.clear()
    monkeypatch.setattr(cache, "MAX_BYTES", 2 * cache._size(df))             # room for two such frames
    with cache._lock:
        for i in range(3):
            cache._keep("x.duckdb", 1, ("f", "x.duckdb", 1, i), df)
        kept = [k[3] for k in cache._entries if k[1] == "x.duckdb"]
    cache.clear()
    assert kept == [1, 2]                                                   # the oldest went first


def test_rates_asked_after_the_stock_family_take_it_without_a_second_query(tmp_path, monkeypatch):
    """frame() for hazard metrics without a stock figure, after the family with the stock metrics was computed for
    the same window (总览's KPIs, then 指标考核's rates), reads that family from the cache: no query, same values."""
    s = registry_store(tmp_path / "c.duckdb")
    assert ingest_file(s, golden_file(tmp_path), today=GOLDEN_TODAY, uploaded_by="测试").status == "loaded"
    rates = ["hazards_found", "rectification_rate", "on_time_rate"]
    frame(s, ["overdue_open", "hazards_found"], YEAR)         # the stock family of this window, cached
    queries = []
    real = Store.df
    monkeypatch.setattr(Store, "df", lambda self, sql, params=None: queries.append(sql) or real(self, sql, params))
    got = frame(s, rates, YEAR)
    assert queries == []
    assert got.set_index("company").loc[LY, "hazards_found"] == 7
    cache.clear()
    assert got.equals(frame(s, rates, YEAR)) and len(queries) == 1      # as computed by the rates' own query
    other = Window.of(dt.date(2026, 2, 1), dt.date(2026, 11, 3))   # another window: computed, by its own query
    assert frame(s, rates, other).equals(frame.uncached(s, rates, other)) and len(queries) == 2
