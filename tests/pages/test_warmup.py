"""A fresh server computes the overview's figures ahead (ui/warmup.py, analytics.figures.cache.warm): the warm-up
makes exactly the overview's calls for the default filters, with the database's current data version, and after a
write — also one made while it was computing — the page shows the new figures, never the warm ones."""
from __future__ import annotations

import threading

from streamlit.testing.v1 import AppTest

from analytics.figures import cache
from analytics.figures.metrics import Window
from analytics.ingest.load import revert_batch
from analytics.store import db
from tests.dbs import GOLDEN_TODAY, golden_store, use_db_for_app
from tests.pages.test_page_caches import APP
from ui import warmup


def kpis(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def test_warm_up_makes_the_overviews_calls_with_the_current_version(monkeypatch, tmp_path):
    path = tmp_path / "warm.duckdb"
    golden_store(tmp_path, path).close()
    use_db_for_app(monkeypatch, path)
    cache.clear()
    s = db.get_store(path)
    f = warmup.default_filters(s)
    assert (f.window.start, f.window.end, f.companies) == (GOLDEN_TODAY.replace(month=1, day=1), GOLDEN_TODAY, None)

    t = cache.warm(s, warmup.overview)
    t.join()
    assert cache.warm(s, warmup.overview) is None            # once per database in a process
    version = s.data_version()
    with cache._lock:
        keys = [k for k in cache._entries if k[1] == str(s.path)]
    assert keys and {k[2] for k in keys} == {version}        # computed with the current data version

    before = cache.stats()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()                                                 # the overview, as a fresh session opens it
    assert not at.exception, at.exception
    assert cache.stats()["misses"] == before["misses"]       # every figure of the page was warmed
    assert kpis(at)["排查隐患"] == "7"

    revert_batch(s, 1, "测试")                                # a write after the warm-up
    at.run()
    assert kpis(at)["排查隐患"] == "0"                         # the new figures, not the warm ones


def test_a_warm_up_finishing_after_a_write_neither_serves_nor_evicts(tmp_path):
    """The warm computation reads version v, a write moves it to v + 1 and the page computes at v + 1; then the
    warm computation ends: its (v) result is not stored and the page's v + 1 figures stay cached."""
    s = golden_store(tmp_path, tmp_path / "late.duckdb")
    cache.clear()
    started, release = threading.Event(), threading.Event()
    calls = []

    @cache.cached
    def figure(store, window):
        n = int(store.scalar("SELECT count(*) FROM hazards h JOIN batches b ON b.id = h.batch_id "
                             "WHERE b.status = 'loaded'"))
        calls.append(n)
        if len(calls) == 1:              # the warm-up's call: held until the write and the page's call are done
            started.set()
            release.wait(10)
        return n

    w = Window.of(GOLDEN_TODAY.replace(month=1, day=1), GOLDEN_TODAY)
    t = cache.warm(s, lambda store: figure(store, w))
    assert started.wait(10)
    revert_batch(s, 1, "测试")                                 # v → v + 1 while the warm-up computes
    assert figure(s, w) == 0                                  # the page, at v + 1
    release.set()
    t.join()
    hits = cache.stats()["hits"]
    assert figure(s, w) == 0 and cache.stats()["hits"] == hits + 1     # still the v + 1 entry, served
    assert calls == [7, 0]
    s.close()
