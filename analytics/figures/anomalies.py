"""需要关注: reporting patterns a safety engineer would question, that no figure shows by itself.

Four flags, each a named rule whose thresholds are the constants below and whose text (RULES)
is printed on the pages as written here:
  零隐患上报  a finished month with a hazard ledger submitted but no hazard in it, from a company
              that does report hazards in other months (a month "with nothing found" is rarely true);
  隐患数骤降  a finished month far below the company's own recent level;
  重复隐患    the same location and category found again and again within a short span
              (rectification that does not hold);
  台账未报送  a monthly ledger not uploaded after its due day.
零隐患上报, 隐患数骤降 and 台账未报送 are pure functions on small frames (unit-tested with hand-made
rows); 重复隐患 is one SQL query over the store (a RANGE window); `find` runs them for a window.
Months are judged only once they are over (month end ≤ as_of), so the running month never looks like a drop.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
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
def _by_month(monthly: pd.DataFrame, months: list[pd.Timestamp], look: int) -> pd.DataFrame:
    """hazards_found as a company × month matrix (companies in first-seen order) over the judged months and the
    `look` months before them, missing months 0 — the rules below are then column shifts, not lookups per cell.
    Built with numpy (factorize + add.at; a pandas groupby + unstack + reindex cost 7 ms at 200 companies)."""
    span = pd.date_range(months[0] - pd.DateOffset(months=look), months[-1], freq="MS")
    codes, companies = pd.factorize(monthly["company"].astype(object))
    col = span.get_indexer(pd.to_datetime(monthly["period"]))
    ok = (codes >= 0) & (col >= 0)
    mat = np.zeros((len(companies), len(span)), dtype="int64")
    np.add.at(mat, (codes[ok], col[ok]), monthly["hazards_found"].to_numpy(dtype="int64")[ok])
    return pd.DataFrame(mat, index=pd.Index(list(companies), dtype=object), columns=span)


def _before(mat: pd.DataFrame, n: int) -> pd.DataFrame:
    """For each month, the sum over the n months before it (of a numeric matrix): a difference of cumulative
    sums along the months (a pandas rolling window over the transposed matrix cost 7 ms at 200 companies)."""
    v = mat.to_numpy(dtype="float64")
    c = np.zeros((v.shape[0], v.shape[1] + 1))
    np.cumsum(v, axis=1, out=c[:, 1:])
    j = np.arange(v.shape[1])
    out = c[:, j] - c[:, np.maximum(j - n, 0)]          # months j-n … j-1 (fewer at the start)
    return pd.DataFrame(out, index=mat.index, columns=mat.columns)


def _hits(mat: pd.DataFrame, months: list[pd.Timestamp], hit: np.ndarray):
    """(company, month, row, column) of every True cell of `hit` (companies × judged months), company first."""
    cols = mat.columns.get_indexer(months)
    for i, j in np.argwhere(hit):
        yield mat.index[i], months[j], i, cols[j]


def zero_months(monthly: pd.DataFrame, months: list[pd.Timestamp],
                submitted: set[tuple[str, pd.Timestamp]] | None = None) -> pd.DataFrame:
    """零隐患上报. monthly: company, period (first day of month), hazards_found — covering the months
    judged and the ZERO_LOOKBACK_MONTHS before them (missing months count as 0). submitted: the
    (company, month) pairs with a hazard ledger uploaded; None = treat every month as submitted."""
    if monthly.empty or not months:
        return _empty()
    mat = _by_month(monthly, months, ZERO_LOOKBACK_MONTHS)
    active = _before((mat > 0).astype("int64"), ZERO_LOOKBACK_MONTHS).to_numpy()
    cols = mat.columns.get_indexer(months)
    v = mat.to_numpy()
    out = []
    for company, m, i, j in _hits(mat, months, (v[:, cols] == 0) & (active[:, cols] >= ZERO_MIN_ACTIVE_MONTHS)):
        if submitted is not None and (company, m) not in submitted:
            continue                           # not uploaded at all: that is 台账未报送, not zero
        out.append([company, ZERO, f"{m:%Y-%m}", f"{m:%Y年%m月}报送的隐患台账为 0 项；此前 {ZERO_LOOKBACK_MONTHS} "
                                                 f"个月中有 {int(active[i, j])} 个月上报过隐患"])
    return _ordered(out, list(mat.index))


def drops(monthly: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
    """隐患数骤降 against the company's own preceding DROP_BASELINE_MONTHS months (missing months = 0)."""
    if monthly.empty or not months:
        return _empty()
    mat = _by_month(monthly, months, DROP_BASELINE_MONTHS)
    base = _before(mat, DROP_BASELINE_MONTHS).to_numpy() / DROP_BASELINE_MONTHS
    cols = mat.columns.get_indexer(months)
    v = mat.to_numpy()
    found, b = v[:, cols], base[:, cols]
    out = []
    for company, m, i, j in _hits(mat, months, (found > 0) & (b >= DROP_MIN_BASELINE) & (found < DROP_RATIO * b)):
        n, avg = int(v[i, j]), float(base[i, j])
        out.append([company, DROP, f"{m:%Y-%m}", f"{m:%Y年%m月}排查隐患 {n} 项，为前 {DROP_BASELINE_MONTHS} "
                                                 f"个月月均 {avg:.1f} 项的 {n / avg:.0%}"])
    return _ordered(out, list(mat.index))


def _ordered(rows: list[list], companies: list[str]) -> pd.DataFrame:
    """Flags by company (first-seen order), then month, as the per-company loops gave them."""
    if not rows:
        return _empty()
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["_c"] = df["单位"].map({c: i for i, c in enumerate(companies)})
    return df.sort_values(["_c", "时间"], kind="stable").drop(columns="_c").reset_index(drop=True)


_SPANS_SQL = f"""
WITH m AS (SELECT unnest($texts) AS location, unnest($keys) AS loc_key),
r AS (SELECT * FROM hazards t
      WHERE t.found_date BETWEEN $from AND $end AND t.location IS NOT NULL
        AND ($companies IS NULL OR list_contains($companies, t.company))),
h AS (SELECT r.company, r.found_date, r.location, coalesce(r.category, '未填写类别') AS category, r.hazard_no,
             r.description, coalesce(m.loc_key, r.location) AS loc_key
      FROM r LEFT JOIN m ON m.location = r.location WHERE coalesce(m.loc_key, r.location) <> ''),
g AS (SELECT company, loc_key, category, location, hash(company, loc_key, category) AS gid, found_date,
             found_date - DATE '2000-01-01' AS day FROM h),
n AS (SELECT company, loc_key, category, location, gid, found_date,
             count(*) OVER span AS n, min(found_date) OVER span AS span_start,
             min(found_date) OVER (PARTITION BY gid) AS first_day
      FROM g WINDOW span AS (PARTITION BY gid ORDER BY day RANGE BETWEEN {REPEAT_DAYS} PRECEDING AND CURRENT ROW)),
b0 AS (SELECT arg_max(company, (n, found_date)) AS company, arg_max(loc_key, (n, found_date)) AS loc_key,
              arg_max(category, (n, found_date)) AS category, arg_max(location, (n, found_date)) AS location,
              arg_max(span_start, (n, found_date)) AS span_start, max((n, found_date)) AS top,
              min(first_day) AS first_day
       FROM n WHERE n >= {REPEAT_MIN} AND found_date >= $start GROUP BY gid),
best AS (SELECT company, loc_key, category, location, span_start, top[1] AS n, top[2] AS found_date, first_day
         FROM b0)"""
# The densest span of each group: company, 项数, 时间 (the span's first hazard ～ its last), the start of
# 情况说明 (location as typed on the span's last hazard · category：… 项) — formatted in SQL, 5,000 spans at 200
# companies took 20 ms as Python f-strings — and, with detail, the span's hazard numbers and descriptions.
def _span_text(t: str = "") -> str:
    return (f"strftime({t}span_start, '%Y-%m-%d') || '～' || strftime({t}found_date, '%Y-%m-%d') AS span, "
            f"{t}location || '·' || {t}category || '：{REPEAT_DAYS} 天内发现 ' || CAST({t}n AS VARCHAR) || ' 项' AS text")


_REPEATS_SQL = {
    False: _SPANS_SQL + f"""
SELECT company, n, {_span_text()}, NULL AS nos, NULL AS words
FROM best ORDER BY n DESC, first_day, company, loc_key, category""",
    True: _SPANS_SQL + f"""
SELECT b.company, b.n, {_span_text("b.")},
       list(h.hazard_no ORDER BY h.found_date, h.hazard_no) AS nos,
       list(h.description ORDER BY h.found_date, h.hazard_no) AS words
FROM best b JOIN h ON h.company = b.company AND h.loc_key = b.loc_key AND h.category = b.category
                  AND h.found_date BETWEEN b.found_date - INTERVAL {REPEAT_DAYS} DAY AND b.found_date
GROUP BY b.company, b.loc_key, b.category, b.location, b.span_start, b.n, b.first_day, b.found_date
ORDER BY b.n DESC, b.first_day, b.company, b.loc_key, b.category"""}


def repeats(store: Store, window: Window, companies: list[str] | None = None, detail: bool = True) -> pd.DataFrame:
    """重复隐患. One row per (company, location, category) with ≥ REPEAT_MIN hazards within REPEAT_DAYS days,
    the last of them found in the window; reports the densest such span (the latest of equally dense ones),
    the largest first. Set-based in SQL: each hazard's count of its group's hazards in the REPEAT_DAYS before
    it (ties of a day included) is a RANGE window. Locations match after textnorm.compact (no spaces, width,
    case), computed once per distinct text (those that change are bound as a list); a hazard without a location makes no claim.
    detail=False leaves the span's hazard numbers and descriptions out of 情况说明 (what the all-company summary
    lists do not show; everything else is the same)."""
    params = {"from": window.start - dt.timedelta(days=REPEAT_DAYS), "start": window.start, "end": window.end,
              "companies": companies}
    texts = [r[0] for r in store.rows("""SELECT DISTINCT t.location FROM hazards t
        WHERE t.found_date BETWEEN $from AND $end AND t.location IS NOT NULL
          AND ($companies IS NULL OR list_contains($companies, t.company))""",
                                      {k: params[k] for k in ("from", "end", "companies")})]
    keys = {v: k for v in texts if (k := compact(v)) != v}      # only the texts that normalise to another key
    if len(keys) == len(texts) and not any(keys.values()):
        return _empty()
    rows = store.rows(_REPEATS_SQL[detail], {**params, "texts": list(keys), "keys": list(keys.values())})
    if detail:
        out = []
        for company, n, span, text, nos, words in rows:
            words = "、".join(dict.fromkeys(str(v) for v in words if v is not None))
            nos = "、".join(str(v) for v in nos if v is not None)
            out.append([company, REPEAT, span, text + (f"（{nos}）" if nos else "") + f"：{words}", int(n)])
    else:
        out = [[company, REPEAT, span, text, int(n)] for company, n, span, text, _, _ in rows]
    return pd.DataFrame(out, columns=[*COLUMNS, "项数"]) if out else _empty()


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
def _first_uploads(store: Store) -> dict[str, pd.Timestamp]:
    rows = store.rows("""SELECT b.ledger, min(v.month) FROM batch_coverage v JOIN batches b ON b.id = v.batch_id
                         WHERE b.status = 'loaded' GROUP BY b.ledger""")
    return {ledger: pd.Timestamp(m) for ledger, m in rows if m is not None}


@cached
def find(store: Store, window: Window, companies: list[str] | None = None,
         kinds: tuple[str, ...] = KINDS, detail: bool = True) -> pd.DataFrame:
    """Every flag of the window: 单位, 类型, 时间, 情况说明, 项数 (重复隐患 only) — by company (registry order),
    then rule (the largest 重复隐患 first). detail=False: 重复隐患's 情况说明 without the span's hazard numbers and
    descriptions — all that `summary` needs (the all-company lists of 总览 and 会议), at a fraction of the cost."""
    months = finished_months(window)
    parts = []
    subs = (submissions(store, months[0].date(), _month_end(months[-1]))
            if months and (ZERO in kinds or MISSING in kinds) else None)      # one read serves both rules
    if months and (ZERO in kinds or DROP in kinds):
        look = max(ZERO_LOOKBACK_MONTHS, DROP_BASELINE_MONTHS)
        first = (months[0] - pd.DateOffset(months=look)).date()
        monthly = frame(store, ["hazards_found"], Window.of(first, _month_end(months[-1])), companies, freq="month")
        monthly = monthly[monthly["company"] != GROUP]
        if ZERO in kinds:
            sub = subs[(subs["ledger"] == "hazards") & (subs["batches"] > 0)]
            parts.append(zero_months(monthly, months, {(c, pd.Timestamp(m)) for c, m in zip(sub["company"], sub["month"])}))
        if DROP in kinds:
            parts.append(drops(monthly, months))
    if REPEAT in kinds:
        parts.append(repeats(store, window, companies, detail))
    if MISSING in kinds and months:
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


SUMMARY_ORDER_TEXT = "需要关注的条数（重复隐患处数与月份数之和）多的单位在前"


def summary(flags: pd.DataFrame) -> pd.DataFrame:
    """One line per company for the compact 需要关注 list: 单位, 需要关注 (e.g. "重复隐患 3 处；零隐患上报 1 个月"),
    the companies with the most flags first (SUMMARY_ORDER_TEXT; ties in registry order, as the flags come)."""
    if flags.empty:
        return pd.DataFrame({"单位": pd.Series(dtype="object"), "需要关注": pd.Series(dtype="object")})
    by: dict[str, dict[str, list]] = {}          # one pass over the flags (they come sorted by company, rule)
    for r in flags[["单位", "类型", "时间", "情况说明", "项数"]].itertuples(index=False):
        by.setdefault(r[0], {}).setdefault(r[1], []).append(r)
    rows = []
    for company, kinds in sorted(by.items(), key=lambda kv: -sum(len(v) for v in kv[1].values())):   # stable
        parts = []
        for k in KINDS:
            k_rows = kinds.get(k)
            if not k_rows:
                continue
            if k == REPEAT:
                top = k_rows[0]
                parts.append(f"{k} {len(k_rows)} 处（最多：{top[3].split('：')[0]} {top[4]} 项）")
            else:
                months = [x[2] for x in k_rows]
                parts.append(f"{k} {len(months)} 个月（{'、'.join(months[:3])}{'等' if len(months) > 3 else ''}）")
        rows.append([company, "；".join(parts)])
    return pd.DataFrame(rows, columns=["单位", "需要关注"])
