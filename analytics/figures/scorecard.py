"""The company table of the meeting page: each company's key figures, indicator breaches and
its red/amber/green status, plus the group row."""
from __future__ import annotations

import pandas as pd

from .assessment import fmt_value, indicator_table, year_status
from ..store.db import Store
from .indicators import evaluate
from .metrics import GROUP, Window, frame
from .rag import classify_frame
from .records import accidents, open_major_hazards, overdue_hazards
from .cache import cached

# How a change reads: for these a rise is worse; for NEUTRAL ones (how much was found or planned) neither.
LOWER_IS_BETTER = frozenset({"overdue_open", "major_open", "major_overdue", "accidents", "deaths", "serious_injuries",
                             "minor_injuries", "direct_loss", "late_reports", "four_no_open", "major_accidents",
                             "avg_days_to_rectify", "breaches"})
NEUTRAL = frozenset({"hazards_found", "hazards_rectified", "major_found", "training_planned", "training_attended",
                     "training_passed", "investment_planned", "investment_actual"})

SCORECARD_METRICS = ("hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "overdue_open",
                     "major_open", "major_overdue", "accidents", "deaths", "major_accidents", "late_reports",
                     "four_no_open")


@cached
def company_table(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    df = frame(store, SCORECARD_METRICS, window, companies)
    ev = evaluate(store, window.end.year, window.as_of, companies)
    breaches = ev[ev["breach"]].groupby("company").size() if len(ev) else pd.Series(dtype="int64")
    df["breaches"] = df["company"].map(breaches).fillna(0).astype("int64")
    df.loc[df["company"] == GROUP, "breaches"] = int(breaches.sum()) if len(breaches) else 0
    return classify_frame(df)


def breached_indicators(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    ev = evaluate(store, window.end.year, window.as_of, companies)
    return ev[ev["breach"]] if len(ev) else ev


def with_last_year(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """The company table with the same period last year beside it: every metric column m gains m_ly,
    and rag_ly is last year's colour (both company tables from company_table)."""
    cols = [c for c in before.columns if c not in ("company", "rag_reasons", "rag_also", "rag_short")]
    return now.merge(before[["company", *cols]].rename(columns={c: f"{c}_ly" for c in cols}), on="company",
                     how="left")


@cached
def breach_list(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    """The breached indicators as the meeting reads them: 单位, 考核指标, 控制目标, 实际值."""
    b = breached_indicators(store, window, companies)
    return pd.DataFrame({"单位": b["company"], "考核指标": b["indicator"], "控制目标": b["target"],
                         "实际值": [fmt_value(v, bool(p), u, c) for v, p, u, c in
                                   zip(b["actual"], b["is_percent"], b["unit"], b["comparator"])],
                         "依据": b["source"].map({"台账": "台账计算", "填报": "单位填报"})}).reset_index(drop=True)


# The hazard sheets of behind_row and the metric that counts each one's rows (status at the window's as_of).
BEHIND_COUNTS = {"未整改重大隐患": "major_open", "逾期未整改隐患": "overdue_open"}


def behind_row(store: Store, window: Window, company: str, limit: int | None = None) -> dict[str, pd.DataFrame]:
    """What stands behind one company's row of the table, sheet by sheet: its open major hazards, overdue
    hazards, accidents of the window and the indicators it has not met (breaches first). limit: the two hazard
    sheets hold only their first `limit` rows (what a page draws; behind_counts says how many there are)."""
    ev = year_status(store, window.end.year, window.as_of, [company])
    ind = indicator_table(ev)
    return {"未整改重大隐患": open_major_hazards(store, window.as_of, [company], limit=limit),
            "逾期未整改隐患": overdue_hazards(store, window.as_of, [company], limit=limit),
            "事故": accidents(store, window, [company]),
            "未达标指标": ind[ind["状态"] != "达标"].reset_index(drop=True)}


def behind_counts(store: Store, window: Window, company: str) -> dict[str, int]:
    """How many rows behind_row's hazard sheets have in full: the metrics that count exactly those rows."""
    row = frame(store, list(BEHIND_COUNTS.values()), window, [company])
    row = row[row["company"] == company].iloc[0]
    return {sheet: int(row[m]) for sheet, m in BEHIND_COUNTS.items()}
