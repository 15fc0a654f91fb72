"""事故 page figures that are shapes of the accident metrics: by 国务院令第493号 level (all four levels,
zeros included), by GB 6441 type, by month and level (every month), and 安全生产天数 per company."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..store.db import Store
from ..store.history import data_span
from .metrics import GROUP, Window, frame, series
from .cache import cached

LEVELS = ("一般", "较大", "重大", "特别重大")            # 国务院令第493号, lowest first
SUMS = ("accidents", "deaths", "serious_injuries", "minor_injuries", "direct_loss")


@cached
def by_level(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    """One row per level (all four, zeros included): level, accidents, deaths, serious_injuries, minor_injuries,
    direct_loss."""
    df = frame(store, list(SUMS), window, companies, dims=("level",))
    df = df[df["level"].notna()].set_index("level")[list(SUMS)]
    out = df.reindex(list(LEVELS) + [x for x in df.index if x not in LEVELS], fill_value=0)
    return out.rename_axis("level").reset_index()


@cached
def by_type(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    """Accident types (GB 6441) that occurred in the window, most frequent first: type, accidents, deaths,
    serious_injuries, direct_loss."""
    df = frame(store, list(SUMS), window, companies, dims=("type",))
    df = df[df["accidents"] > 0].assign(type=lambda d: d["type"].fillna("未填写"))
    return df.sort_values(["accidents", "deaths", "type"], ascending=[False, False, True])[
        ["type", *SUMS]].reset_index(drop=True)


@cached
def monthly_by_level(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    """Accidents per month and level (period, group, value): every month of the window, zeros included,
    even when no accident occurred at all."""
    df = series(store, "accidents", window, companies, by="level")
    if df.empty:
        months = pd.date_range(pd.Timestamp(window.start).to_period("M").to_timestamp(), pd.Timestamp(window.end),
                               freq="MS")
        df = pd.DataFrame({"period": months, "group": LEVELS[0], "value": 0})
    return df


@cached
def safe_days(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    """安全生产天数 per company and for the group (first row): company, days, last_accident, note, short (a few words).
    days = as_of − the day of the last accident on or before as_of; with no accident on record, the days
    since the first day the ledgers have data for, and the note says so."""
    df = frame(store, ["days_since_accident"], window, companies)
    first, _ = data_span(store)
    as_of = window.as_of
    rows = []
    for r in df.to_dict("records"):
        d = r["days_since_accident"]
        if d == d and d is not None:
            last = as_of - dt.timedelta(days=int(d))
            rows.append({"company": r["company"], "days": int(d), "last_accident": last,
                         "note": f"最近一起事故：{last:%Y-%m-%d}", "short": f"最近事故 {last:%Y-%m-%d}"})
        else:
            since = first if first and first <= as_of else None
            rows.append({"company": r["company"], "days": (as_of - since).days if since else None,
                         "last_accident": None,
                         "note": f"自 {since:%Y-%m-%d}（台账最早日期）以来无事故记录" if since else "无事故记录",
                         "short": "无事故记录"})
    out = pd.DataFrame(rows)
    return pd.concat([out[out["company"] == GROUP], out[out["company"] != GROUP]], ignore_index=True)
