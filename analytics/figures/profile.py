"""单位画像: one company against the group and against the same period last year."""
from __future__ import annotations

import pandas as pd

from ..store.db import Store
from .metrics import BY_NAME, GROUP, Window, frame
from .scorecard import LOWER_IS_BETTER, NEUTRAL
from .cache import cached

PROFILE_METRICS = ("hazards_found", "rectification_rate", "on_time_rate", "overdue_open", "major_found", "major_open",
                   "avg_days_to_rectify", "accidents", "deaths", "serious_injuries", "direct_loss", "late_reports",
                   "four_no_open", "training_completion", "training_pass_rate", "investment_completion")


def same_period_last_year(window: Window) -> Window:
    """The same period one year earlier (29 February → 28 February)."""
    shift = lambda d: d.replace(year=d.year - 1, day=min(d.day, 28) if d.month == 2 else d.day)  # noqa: E731
    return Window.of(shift(window.start), shift(window.end), shift(window.as_of))


@cached
def comparison(store: Store, window: Window, last_year: Window, company: str,
               names: tuple[str, ...] = PROFILE_METRICS) -> pd.DataFrame:
    """One row per metric: metric, label, kind, company (this period), company_ly (same period last year),
    group (all registered companies, over the group's rows), rank ("3/8": the company's place among the
    companies, 1 = best; "1/200（200家并列）" where others have the same value — at 200 companies most have no
    accident, and a bare "1/200" would read as the best of the group; empty for neutral metrics and where the
    company's value is undefined), and its parts: place ("1/200") and ties (how many companies have that value,
    the company included; 0 where it is not ranked)."""
    now = frame(store, list(names), window, None)
    before = frame(store, list(names), last_year, [company])
    me = now[now["company"] == company].iloc[0]
    grp = now[now["company"] == GROUP].iloc[0]
    ly = before[before["company"] == company].iloc[0]
    peers = now[now["company"] != GROUP]
    rows = []
    for n in names:
        v = me[n]
        place, ties = "", 0
        if n not in NEUTRAL and v == v and v is not None:
            vals = peers[n].dropna()
            better = (vals < v) if n in LOWER_IS_BETTER else (vals > v)
            place, ties = f"{int(better.sum()) + 1}/{len(vals)}", int((vals == v).sum())   # ties: itself included
        rows.append({"metric": n, "label": BY_NAME[n].label, "kind": BY_NAME[n].kind, "company": v,
                     "company_ly": ly[n], "group": grp[n], "place": place, "ties": ties,
                     "rank": place + (f"（{ties}家并列）" if ties > 1 else "")})
    return pd.DataFrame(rows)


# The monthly series 单位画像 draws side by side: asked for together, one query per window and company set serves
# both charts (the two found-only series by month cost what one costs: 35 ms against 35 + 30 ms at 1M hazards).
PROFILE_SERIES = ("hazards_found", "rectification_rate")


@cached
def monthly(store: Store, name: str, window: Window, last_year: Window, company: str) -> pd.DataFrame:
    """One metric per month for the company, for the same month a year earlier (from the last_year window)
    and for the group: 月份 (e.g. "2026-03"), 本单位, 上年同期, 集团 — every month of the window (counts
    zero-filled; 上年同期 empty for a month the last_year window does not reach)."""
    names = list(PROFILE_SERIES) if name in PROFILE_SERIES else [name]   # a metric's value does not depend on
    now = frame(store, names, window, None, freq="month")[["period", "company", name]]          # its companions
    before = frame(store, names, last_year, [company], freq="month")[["period", "company", name]]
    me = now[now["company"] == company].reset_index(drop=True)
    grp = now[now["company"] == GROUP].reset_index(drop=True)
    ly = before[before["company"] == company]
    a_year_on = {(pd.Timestamp(p) + pd.DateOffset(years=1)).strftime("%Y-%m"): v for p, v in zip(ly["period"], ly[name])}
    months = pd.to_datetime(me["period"]).dt.strftime("%Y-%m")
    return pd.DataFrame({"月份": months, "本单位": me[name], "上年同期": [a_year_on.get(m) for m in months],
                         "集团": grp[name]})
