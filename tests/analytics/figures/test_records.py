"""The records behind the figures (analytics/figures/records.py): a page reads the first rows (and takes their
count from the metric), the download every row — the same rows in the same order, and as many as the metric counts."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.figures import records
from analytics.figures.metrics import GROUP, Window, frame
from tests.analytics.figures.test_metric_families import store  # noqa: F401  (the random ledgers fixture)
from tests.builders import HX


def test_overdue_head_count_and_whole_list_agree_with_the_metric(store):  # noqa: F811
    for as_of, companies in ((dt.date(2026, 6, 30), None), (dt.date(2025, 9, 14), [HX])):
        whole = records.overdue_hazards(store, as_of, companies)
        head = records.overdue_hazards(store, as_of, companies, limit=7)
        metric = frame(store, ["overdue_open"], Window.of(dt.date(2025, 1, 1), as_of), companies)
        assert len(whole) == int(metric.loc[metric["company"] == GROUP, "overdue_open"].iloc[0]) > 7
        assert head.equals(whole.head(7))
        assert whole["逾期天数"].is_monotonic_decreasing            # longest overdue first


def test_open_majors_head_count_and_whole_list_agree_with_the_metric(store):  # noqa: F811
    for as_of, companies in ((dt.date(2026, 6, 30), None), (dt.date(2025, 9, 14), [HX])):
        whole = records.open_major_hazards(store, as_of, companies)
        head = records.open_major_hazards(store, as_of, companies, limit=3)
        metric = frame(store, ["major_open"], Window.of(dt.date(2025, 1, 1), as_of), companies)
        assert len(whole) == int(metric.loc[metric["company"] == GROUP, "major_open"].iloc[0]) > 3
        pd.testing.assert_frame_equal(head, whole.head(3), check_dtype=False)   # all-null columns read as object
        assert (whole["隐患等级"] == "重大").all()
        assert whole["逾期天数"].dropna().is_monotonic_decreasing    # most overdue first (no deadline: last)
