"""A metric's value does not depend on the metrics computed with it: `frame` computes a ledger's whole family of
metrics in one query (analytics/figures/metrics.py `_family`) and serves every subset from it; on random ledgers,
windows ending mid-month, status as of a later day, by company, by 板块 and by month, every metric equals the
query that computes that metric alone."""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from analytics.companies import set_parent
from analytics.figures import metrics as M
from tests.builders import HX, LY, new_store

DAY0 = dt.date(2025, 1, 1)


def fill(s):
    rnd = random.Random(11)
    set_parent(s, LY, "能源板块")
    rows = []
    for i in range(600):
        found = DAY0 + dt.timedelta(days=rnd.randrange(700))
        deadline = found + dt.timedelta(days=rnd.randrange(-3, 40)) if rnd.random() < 0.95 else None
        done = found + dt.timedelta(days=rnd.randrange(0, 80)) if rnd.random() < 0.8 else None
        rows.append([f"k{i}", rnd.choice([LY, HX]), found, rnd.choice(["一般", "一般", "重大"]), deadline, done,
                     rnd.choice(["消防安全", "用电安全", None])])
    accidents = []
    for i in range(40):
        at = dt.datetime(2025, 1, 1, 8) + dt.timedelta(hours=rnd.randrange(700 * 24))
        accidents.append([f"a{i}", rnd.choice([LY, HX]), at, at + dt.timedelta(minutes=rnd.randrange(200)),
                          rnd.randrange(2), rnd.randrange(3), rnd.random() < 0.7])
    with s.write() as cur:
        cur.executemany("INSERT INTO hazards (batch_id, key, company, found_date, level, deadline, rectified_date, "
                        "category) VALUES (1, ?, ?, ?, ?, ?, ?, ?)", rows)
        cur.executemany("INSERT INTO accidents (batch_id, key, company, occurred_at, reported_at, deaths, "
                        "serious_injuries, cause_found, responsibility_handled, measures_done, lessons_learned) "
                        "VALUES (1, ?, ?, ?, ?, ?, ?, ?, true, true, true)", accidents)
    return s


@pytest.fixture(scope="module")
def store():
    return fill(new_store())


WINDOWS = [M.Window.of(dt.date(2026, 1, 1), dt.date(2026, 6, 17)),                       # 本年至今, mid-month
           M.Window.of(dt.date(2025, 3, 1), dt.date(2025, 3, 31), dt.date(2025, 5, 9)),  # as of a later day
           M.Window.of(dt.date(2025, 10, 12), dt.date(2026, 2, 3))]


def alone(store, name: str, window: M.Window, freq: str | None, by: str) -> pd.DataFrame:
    """The metric computed by the query of that metric alone."""
    m = M.BY_NAME[name]
    df = store.df(M._ledger_query(m.ledger, [m], freq, (), by), window.params(None))
    df["company"] = df["company"].fillna(M.GROUP)
    return df


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("freq,by", [(None, "company"), (None, "parent"), ("month", "company")])
def test_every_metric_equals_its_query_alone(store, window, freq, by):
    names = [m.name for m in M.METRICS if m.ledger in ("hazards", "accidents")]
    got = M.frame.uncached(store, names, window, None, freq=freq, by=by)
    assert len(got) == 3 * (1 if freq is None else len(got["period"].unique()))       # two units + the group
    keys = ["company"] + (["period"] if freq else [])
    for name in names:
        want = alone(store, name, window, freq, by).set_index(keys)[name]
        have = got.set_index(keys)[name]
        want = want.reindex(have.index)
        if M.BY_NAME[name].kind == "count" or M.BY_NAME[name].sql.startswith("coalesce("):
            want = want.fillna(0)
        assert have.astype(float).fillna(-1).round(9).tolist() == want.astype(float).fillna(-1).round(9).tolist(), name


def test_a_subset_is_served_from_the_family_with_the_same_values(store):
    w = WINDOWS[0]
    some = M.frame.uncached(store, ["on_time_rate", "overdue_open"], w)
    every = M.frame.uncached(store, [m.name for m in M.METRICS if m.ledger == "hazards"], w)
    assert some.equals(every[["company", "on_time_rate", "overdue_open"]])
    assert M._family("hazards", ["hazards_found"]) == tuple(
        m.name for m in M.METRICS if m.ledger == "hazards" and M.OPEN_AT_AS_OF not in m.sql)
    assert "overdue_open" in M._family("hazards", ["major_open"])


@pytest.mark.parametrize("window", [M.Window.of(dt.date(2025, 3, 5), dt.date(2025, 3, 20)),
                                    M.Window.of(dt.date(2025, 11, 1), dt.date(2025, 11, 30), dt.date(2025, 11, 12)),
                                    M.Window.of(dt.date(2026, 2, 1), dt.date(2026, 2, 28))])
@pytest.mark.parametrize("by", ["company", "parent"])
def test_the_one_window_scan_equals_the_range_joins(store, window, by):
    """One window pairs its rows by one filtered scan (no range join); a window within one month computed by month
    goes through the range joins (found in it, or found before it and open at its as_of): the same figures."""
    names = [m.name for m in M.METRICS if m.ledger == "hazards"]
    assert "CROSS JOIN (SELECT * FROM hazards" in M._ledger_query("hazards", [M.BY_NAME[n] for n in names], None, ())
    one = M.frame.uncached(store, names, window, None, by=by)
    monthly = M.frame.uncached(store, names, window, None, freq="month", by=by)
    assert len(monthly["period"].unique()) == 1
    assert one["hazards_found"].sum() > 0 and one["overdue_open"].sum() > 0      # both kinds of rows are there
    pd.testing.assert_frame_equal(one, monthly.drop(columns="period"))


PAIRS = [[WINDOWS[0], M.Window.of(dt.date(2025, 1, 1), dt.date(2025, 6, 17))],     # this year and the last
         [WINDOWS[1], WINDOWS[2], WINDOWS[0]]]                                         # as_of later, overlapping


@pytest.mark.parametrize("windows", PAIRS)
@pytest.mark.parametrize("by,companies", [("company", None), ("parent", None), ("company", [LY])])
def test_several_windows_by_one_query_equal_each_window_alone(store, windows, by, companies):
    for ledger in ("hazards", "accidents"):
        for family in (M._family(ledger, ["accidents" if ledger == "accidents" else "hazards_found"]),
                       M._family(ledger, ["major_open"])):
            parts = M._windows_parts(store, ledger, family, windows, companies, by)
            for w, part in zip(windows, parts):
                alone = M._ledger_part.uncached(store, ledger, family, w, companies, None, (), by)
                assert len(alone) == len(part) == (2 if companies else 3)
                order = lambda d: d.drop(columns="period").sort_values("company_order").reset_index(drop=True)  # noqa: E731
                pd.testing.assert_frame_equal(order(part), order(alone), check_dtype=False)   # frame sorts so


@pytest.mark.parametrize("companies", [None, [LY]])
def test_frames_on_a_file_store_compute_the_missing_windows_together_and_cache_each(tmp_path, companies):
    from analytics.figures import cache
    cache.clear()
    s = fill(new_store(tmp_path / "f.duckdb"))
    names = ["hazards_found", "overdue_open", "accidents", "deaths"]
    queries = []
    real = type(s).df

    def counted(self, sql, params=None):
        queries.append(sql)
        return real(self, sql, params)
    type(s).df = counted
    try:
        got = M.frames(s, names, PAIRS[0], companies)
        assert len(queries) == 2                   # one per ledger for both windows
        again = [M.frame(s, names, w, companies) for w in PAIRS[0]]
        assert len(queries) == 2                   # each window's figures came from the cache
    finally:
        type(s).df = real
    for w, a, b in zip(PAIRS[0], got, again):
        want = M.frame.uncached(s, names, w, companies)
        pd.testing.assert_frame_equal(a, want)
        pd.testing.assert_frame_equal(b, want)
    cache.clear()
