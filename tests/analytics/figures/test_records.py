"""The records behind the figures (analytics/figures/records.py): a page reads the first rows (and takes their
count from the metric), the download every row — the same rows in the same order, and as many as the metric counts."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.figures import records
from analytics.figures.metrics import GROUP, Window, frame
from tests.analytics.figures.test_metric_families import store  # noqa: F401  (the random ledgers fixture)
from tests.builders import HX


@pytest.mark.parametrize("rows, metric", [(records.overdue_hazards, "overdue_open"),
                                           (records.open_major_hazards, "major_open")])
def test_head_count_and_whole_list_agree_with_the_metric(store, rows, metric):  # noqa: F811
    for as_of, companies in ((dt.date(2026, 6, 30), None), (dt.date(2025, 9, 14), [HX])):
        whole = rows(store, as_of, companies)
        head = rows(store, as_of, companies, limit=3)
        counted = frame(store, [metric], Window.of(dt.date(2025, 1, 1), as_of), companies)
        assert len(whole) == int(counted.loc[counted["company"] == GROUP, metric].iloc[0]) > 3
        pd.testing.assert_frame_equal(head, whole.head(3), check_dtype=False)   # all-null columns read as object
        assert whole["逾期天数"].dropna().is_monotonic_decreasing    # longest overdue first (no deadline: last)
    if metric == "major_open":
        assert (whole["隐患等级"] == "重大").all()
