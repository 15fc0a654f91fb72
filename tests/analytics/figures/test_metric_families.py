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


@pytest.fixture(scope="module")
def store():
    rnd = random.Random(11)
    s = new_store()
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
