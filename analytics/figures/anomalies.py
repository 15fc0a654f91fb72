"""需要关注: reporting patterns a safety engineer would question, that no figure shows by itself.

Four flags, each a named rule whose thresholds are the constants below and whose text (RULES)
is printed on the pages as written here:
  零隐患上报  a finished month with a hazard ledger submitted but no hazard in it, from a company
              that does report hazards in other months (a month "with nothing found" is rarely true);
  隐患数骤降  a finished month far below the company's own recent level;
  重复隐患    the same location and category found again and again within a short span
              (rectification that does not hold);
  台账未报送  a monthly ledger not uploaded after its due day.
The rules are pure functions on small frames (unit-tested with hand-made rows); `find` reads
the store and runs them for a window. Months are judged only once they are over (month end ≤
as_of), so the running month never looks like a drop.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..store.db import Store
from ..store.history import submissions
from ..ledgers import LEDGERS
from .metrics import GROUP, Window, frame
from ..textnorm import compact
from .cache import cached

# ------------------------------------------------------------------ thresholds (named, printed)
ZERO_LOOKBACK_MONTHS = 12        # 零隐患上报: look back this many months …
ZERO_MIN_ACTIVE_MONTHS = 3       # … in which at least this many months had hazards
DROP_BASELINE_MONTHS = 6         # 隐患数骤降: baseline = mean of the preceding months
DROP_RATIO = 0.40                # flag when found < DROP_RATIO × baseline
DROP_MIN_BASELINE = 5.0          # only when the baseline is at least this many hazards a month
REPEAT_MIN = 4                   # 重复隐患: at least this many hazards …
REPEAT_DAYS = 60                 # … at one location and category within this many days
SUBMISSION_DUE_DAY = 5           # 台账未报送: a month's ledgers are due by this day of the next month
SUBMISSION_LEDGERS = ("hazards", "accidents", "training", "investment")

ZERO, DROP, REPEAT, MISSING = "零隐患上报", "隐患数骤降", "重复隐患", "台账未报送"
KINDS = (ZERO, DROP, REPEAT, MISSING)
RULES: dict[str, str] = {
    ZERO: (f"已结束的月份报送了隐患台账、但排查隐患为 0 项，而该单位此前 {ZERO_LOOKBACK_MONTHS} 个月中"
           f"至少有 {ZERO_MIN_ACTIVE_MONTHS} 个月上报过隐患"),
    DROP: (f"已结束月份的排查隐患数低于该单位前 {DROP_BASELINE_MONTHS} 个月月均值的 {DROP_RATIO:.0%}"
           f"（仅当前 {DROP_BASELINE_MONTHS} 个月月均值不少于 {DROP_MIN_BASELINE:g} 项；为 0 的月份归入“{ZERO}”）"),
    REPEAT: (f"同一单位、同一隐患部位、同一隐患类别在 {REPEAT_DAYS} 天内发现 {REPEAT_MIN} 项及以上"
             f"（其中最后一项在统计期内）——整改可能没有从根本上解决"),
    MISSING: (f"已过报送期限（次月 {SUBMISSION_DUE_DAY} 日）的月份，"
              f"{'、'.join(LEDGERS[k].label for k in SUBMISSION_LEDGERS)}中有未上传的"
              f"（该单位该月没有有效批次；集团首次上传该台账之前的月份不检查）"),
}
COLUMNS = ["单位", "类型", "时间", "情况说明"]     # 重复隐患 rows also carry 项数 (the hazards in the span)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS})


def _month_end(m: pd.Timestamp) -> dt.date:
    return (m + pd.offsets.MonthEnd(0)).date()


def finished_months(window: Window) -> list[pd.Timestamp]:
    """The calendar months of the window that are over by as_of (first days)."""
    months = pd.date_range(pd.Timestamp(window.start).to_period("M").to_timestamp(), pd.Timestamp(window.end),
                           freq="MS")
    return [m for m in months if _month_end(m) <= window.as_of]


# ------------------------------------------------------------------ the rules (pure)
def zero_months(monthly: pd.DataFrame, months: list[pd.Timestamp],
                submitted: set[tuple[str, pd.Timestamp]] | None = None) -> pd.DataFrame:
    """零隐患上报. monthly: company, period (first day of month), hazards_found — covering the months
    judged and the ZERO_LOOKBACK_MONTHS before them (missing months count as 0). submitted: the
    (company, month) pairs with a hazard ledger uploaded; None = treat every month as submitted."""
    out = []
    counts = {(r.company, pd.Timestamp(r.period)): int(r.hazards_found) for r in monthly.itertuples()}
    for company in dict.fromkeys(monthly["company"]):
        for m in months:
            if counts.get((company, m), 0) != 0:
                continue
            if submitted is not None and (company, m) not in submitted:
                continue                       # not uploaded at all: that is 台账未报送, not zero
            before = [m - pd.DateOffset(months=i) for i in range(1, ZERO_LOOKBACK_MONTHS + 1)]
            active = sum(1 for b in before if counts.get((company, b), 0) > 0)
            if active >= ZERO_MIN_ACTIVE_MONTHS:
                out.append([company, ZERO, f"{m:%Y-%m}",
                            f"{m:%Y年%m月}报送的隐患台账为 0 项；此前 {ZERO_LOOKBACK_MONTHS} 个月中有 {active} 个月上报过隐患"])
    return pd.DataFrame(out, columns=COLUMNS) if out else _empty()


def drops(monthly: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
    """隐患数骤降 against the company's own preceding DROP_BASELINE_MONTHS months (missing months = 0)."""
    out = []
    counts = {(r.company, pd.Timestamp(r.period)): int(r.hazards_found) for r in monthly.itertuples()}
    for company in dict.fromkeys(monthly["company"]):
        for m in months:
            found = counts.get((company, m), 0)
            if found == 0:
                continue                       # a zero month is 零隐患上报's business
            base = sum(counts.get((company, m - pd.DateOffset(months=i)), 0)
                       for i in range(1, DROP_BASELINE_MONTHS + 1)) / DROP_BASELINE_MONTHS
            if base >= DROP_MIN_BASELINE and found < DROP_RATIO * base:
                out.append([company, DROP, f"{m:%Y-%m}",
                            f"{m:%Y年%m月}排查隐患 {found} 项，为前 {DROP_BASELINE_MONTHS} 个月月均 {base:.1f} 项的 "
                            f"{found / base:.0%}"])
    return pd.DataFrame(out, columns=COLUMNS) if out else _empty()


def repeats(hazards: pd.DataFrame, window: Window) -> pd.DataFrame:
    """重复隐患. hazards: company, found_date, location, category, hazard_no, description. One row per
    (company, location, category) with ≥ REPEAT_MIN hazards within REPEAT_DAYS days, the last of
    them found in the window; reports the densest such span."""
    if hazards.empty:
        return _empty()
    h = hazards[hazards["location"].fillna("").map(lambda v: compact(str(v))) != ""].copy()
    h["found_date"] = pd.to_datetime(h["found_date"])
    h["loc_key"] = h["location"].map(lambda v: compact(str(v)))
    h["category"] = h["category"].fillna("未填写类别")
    start, end = pd.Timestamp(window.start), pd.Timestamp(window.end)
    out = []
    for (company, _, category), g in h.groupby(["company", "loc_key", "category"], sort=False):
        dates = g.sort_values("found_date").reset_index(drop=True)
        best = None
        lo = 0
        for hi in range(len(dates)):
            while (dates.at[hi, "found_date"] - dates.at[lo, "found_date"]).days > REPEAT_DAYS:
                lo += 1
            n = hi - lo + 1
            if n >= REPEAT_MIN and start <= dates.at[hi, "found_date"] <= end and (best is None or n >= best[0]):
                best = (n, lo, hi)
        if best:
            n, lo, hi = best
            span = dates.iloc[lo:hi + 1]
            words = "、".join(dict.fromkeys(span["description"].dropna().astype(str)))
            nos = "、".join(span["hazard_no"].dropna().astype(str))
            out.append([company, REPEAT,
                        f"{span['found_date'].iloc[0]:%Y-%m-%d}～{span['found_date'].iloc[-1]:%Y-%m-%d}",
                        f"{span['location'].iloc[-1]}·{category}：{REPEAT_DAYS} 天内发现 {n} 项"
                        + (f"（{nos}）" if nos else "") + f"：{words}", n])
    if not out:
        return _empty()
    df = pd.DataFrame(out, columns=[*COLUMNS, "项数"])
    return df.sort_values("项数", ascending=False, kind="stable").reset_index(drop=True)


def missing(subs: pd.DataFrame, months: list[pd.Timestamp], as_of: dt.date,
            started: dict[str, pd.Timestamp] | None = None) -> pd.DataFrame:
    """台账未报送. subs: company, month, ledger, batches (analytics.store.history.submissions). A month is checked
    once its due day (SUBMISSION_DUE_DAY of the next month) is before as_of; for each ledger only from
    `started[ledger]` on (the first month the group uploaded it; a ledger never uploaded is not checked)."""
    due = [m for m in months if (m + pd.DateOffset(months=1) + pd.DateOffset(days=SUBMISSION_DUE_DAY - 1)).date()
           < as_of]
    if subs.empty or not due:
        return _empty()
    s = subs.assign(month=pd.to_datetime(subs["month"]))
    s = s[s["ledger"].isin(SUBMISSION_LEDGERS) & s["month"].isin(due) & (s["batches"] == 0)]
    if started is not None:
        first = pd.to_datetime(s["ledger"].map(started))          # NaT for a ledger never uploaded
        s = s[first.notna() & (s["month"] >= first)]
    out = []
    for (company, month), g in s.groupby(["company", "month"], sort=False):
        names = "、".join(LEDGERS[k].label for k in SUBMISSION_LEDGERS if k in set(g["ledger"]))
        out.append([company, MISSING, f"{month:%Y-%m}", f"{month:%Y年%m月}未上传：{names}"])
    return pd.DataFrame(out, columns=COLUMNS) if out else _empty()


# ------------------------------------------------------------------ reading the store
def _hazard_rows(store: Store, start: dt.date, end: dt.date, companies: list[str] | None) -> pd.DataFrame:
    return store.df("""SELECT t.company, t.found_date, t.location, t.category, t.hazard_no, t.description
                       FROM hazards t
                       WHERE t.found_date BETWEEN $start AND $end
                         AND ($companies IS NULL OR list_contains($companies, t.company))
                       ORDER BY t.found_date""", {"start": start, "end": end, "companies": companies})


def _first_uploads(store: Store) -> dict[str, pd.Timestamp]:
    rows = store.rows("""SELECT b.ledger, min(v.month) FROM batch_coverage v JOIN batches b ON b.id = v.batch_id
                         WHERE b.status = 'loaded' GROUP BY b.ledger""")
    return {ledger: pd.Timestamp(m) for ledger, m in rows if m is not None}


@cached
def find(store: Store, window: Window, companies: list[str] | None = None,
         kinds: tuple[str, ...] = KINDS) -> pd.DataFrame:
    """Every flag of the window: 单位, 类型, 时间, 情况说明, 项数 (重复隐患 only) — by company (registry order),
    then rule (the largest 重复隐患 first)."""
    months = finished_months(window)
    parts = []
    if months and (ZERO in kinds or DROP in kinds):
        look = max(ZERO_LOOKBACK_MONTHS, DROP_BASELINE_MONTHS)
        first = (months[0] - pd.DateOffset(months=look)).date()
        monthly = frame(store, ["hazards_found"], Window.of(first, _month_end(months[-1])), companies, freq="month")
        monthly = monthly[monthly["company"] != GROUP]
        if ZERO in kinds:
            subs = submissions(store, months[0].date(), _month_end(months[-1]))
            sub = subs[(subs["ledger"] == "hazards") & (subs["batches"] > 0)]
            parts.append(zero_months(monthly, months, {(c, pd.Timestamp(m)) for c, m in zip(sub["company"], sub["month"])}))
        if DROP in kinds:
            parts.append(drops(monthly, months))
    if REPEAT in kinds:
        rows = _hazard_rows(store, window.start - dt.timedelta(days=REPEAT_DAYS), window.end, companies)
        parts.append(repeats(rows, window))
    if MISSING in kinds and months:
        subs = submissions(store, months[0].date(), _month_end(months[-1]))
        if companies is not None:
            subs = subs[subs["company"].isin(companies)]
        parts.append(missing(subs, months, window.as_of, _first_uploads(store)))
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    order = {n: i for i, (n,) in enumerate(store.rows("SELECT name FROM companies ORDER BY id"))}
    out["_c"] = out["单位"].map(order)
    out["_k"] = out["类型"].map({k: i for i, k in enumerate(KINDS)})
    out["_n"] = -out["项数"].fillna(0) if "项数" in out else 0
    out = out.sort_values(["_c", "_k", "_n", "时间"], kind="stable").drop(columns=["_c", "_k", "_n"])
    if "项数" not in out:
        out["项数"] = pd.NA
    out["项数"] = out["项数"].astype("Int64")
    return out.reset_index(drop=True)


def summary(flags: pd.DataFrame) -> pd.DataFrame:
    """One line per company for the compact 需要关注 list: 单位, 需要关注 (e.g. "重复隐患 3 处；零隐患上报 1 个月")."""
    if flags.empty:
        return pd.DataFrame({"单位": pd.Series(dtype="object"), "需要关注": pd.Series(dtype="object")})
    rows = []
    for company, g in flags.groupby("单位", sort=False):
        parts = []
        for k in KINDS:
            k_rows = g[g["类型"] == k]
            if k_rows.empty:
                continue
            if k == REPEAT:
                top = k_rows.iloc[0]
                parts.append(f"{k} {len(k_rows)} 处（最多：{top['情况说明'].split('：')[0]} {top['项数']} 项）")
            else:
                months = list(k_rows["时间"])
                parts.append(f"{k} {len(months)} 个月（{'、'.join(months[:3])}{'等' if len(months) > 3 else ''}）")
        rows.append([company, "；".join(parts)])
    return pd.DataFrame(rows, columns=["单位", "需要关注"])
