"""Every metric of DOMAIN.md §3, defined once, in SQL.

A metric is an aggregate expression over one ledger's current table (alias `t`) and a
window `w` with columns w.start, w.end (the window, inclusive) and w.as_of (when status is
evaluated). The same expression serves the KPI for one window, the per-company table and
the monthly trend (one window per month), for the pages, the CLI and the exports alike.
Parameters are always bound ($start, $end, $as_of, $companies), never formatted in.
Group figures are computed over the group's rows (a grouping set), never as averages.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from ..companies import NO_PARENT
from ..store.db import Store
from .cache import cached


@dataclass(frozen=True)
class Metric:
    name: str
    label: str          # Chinese name on the pages
    caption: str        # 口径: what it counts, shown under every figure
    ledger: str
    sql: str            # aggregate over t and w
    kind: str = "count"  # count | rate | sum | money | days | day_count (whole days, null allowed)

    @property
    def is_rate(self) -> bool:
        return self.kind == "rate"


IN_WINDOW = "t.found_date BETWEEN w.start AND w.end"
DONE_BY_AS_OF = "t.rectified_date IS NOT NULL AND t.rectified_date <= w.as_of"
OPEN_AT_AS_OF = "t.found_date <= w.as_of AND (t.rectified_date IS NULL OR t.rectified_date > w.as_of)"
ACC_IN_WINDOW = "CAST(t.occurred_at AS DATE) BETWEEN w.start AND w.end"
FOUR_NO = "t.cause_found AND t.responsibility_handled AND t.measures_done AND t.lessons_learned"
LATE = "t.reported_at > t.occurred_at + INTERVAL 1 HOUR"


def _rate(num: str, den: str) -> str:
    return f"CAST({num} AS DOUBLE) / NULLIF({den}, 0)"


def _count(cond: str) -> str:
    return f"count(*) FILTER (WHERE {cond})"


def _sum(col: str, cond: str) -> str:
    return f"coalesce(sum({col}) FILTER (WHERE {cond}), 0)"


METRICS: tuple[Metric, ...] = (
    # ---- hazards (隐患排查治理)
    Metric("hazards_found", "排查隐患", "发现日期在统计期内的隐患数（项）", "hazards", _count(IN_WINDOW)),
    Metric("hazards_rectified", "已整改", "统计期内发现、且在截止日前已整改完成的隐患数（项）", "hazards",
           _count(f"{IN_WINDOW} AND {DONE_BY_AS_OF}")),
    Metric("rectification_rate", "隐患整改率", "已整改 ÷ 排查隐患（统计期内发现的隐患，截止日前整改完成的占比）",
           "hazards", _rate(_count(f"{IN_WINDOW} AND {DONE_BY_AS_OF}"), _count(IN_WINDOW)), "rate"),
    Metric("on_time_rate", "按期整改率",
           "统计期内发现、整改期限不晚于截止日的隐患中，在期限内（完成日期 ≤ 整改期限）整改完成的占比", "hazards",
           _rate(_count(f"{IN_WINDOW} AND t.deadline <= w.as_of AND t.rectified_date <= t.deadline"),
                 _count(f"{IN_WINDOW} AND t.deadline <= w.as_of")), "rate"),
    Metric("overdue_open", "逾期未整改", "截止日时已超过整改期限仍未整改的隐患数（存量，不限发现时间）", "hazards",
           _count(f"{OPEN_AT_AS_OF} AND t.deadline < w.as_of")),
    Metric("major_found", "重大隐患", "发现日期在统计期内的重大隐患数（项）", "hazards",
           _count(f"{IN_WINDOW} AND t.level = '重大'")),
    Metric("major_open", "重大隐患未整改", "截止日时仍未整改的重大隐患数（存量，不限发现时间）", "hazards",
           _count(f"{OPEN_AT_AS_OF} AND t.level = '重大'")),
    Metric("major_overdue", "逾期重大隐患", "截止日时已超过整改期限仍未整改的重大隐患数（存量）", "hazards",
           _count(f"{OPEN_AT_AS_OF} AND t.level = '重大' AND t.deadline < w.as_of")),
    Metric("major_rectification_rate", "重大隐患整改率", "统计期内发现的重大隐患中，截止日前整改完成的占比", "hazards",
           _rate(_count(f"{IN_WINDOW} AND t.level = '重大' AND {DONE_BY_AS_OF}"),
                 _count(f"{IN_WINDOW} AND t.level = '重大'")), "rate"),
    Metric("avg_days_to_rectify", "平均整改天数", "已整改隐患的（整改完成日期 − 发现日期）平均天数", "hazards",
           f"avg(t.rectified_date - t.found_date) FILTER (WHERE {IN_WINDOW} AND {DONE_BY_AS_OF})", "days"),
    # ---- accidents (生产安全事故)
    Metric("accidents", "事故起数", "发生时间在统计期内的生产安全事故（起）", "accidents", _count(ACC_IN_WINDOW)),
    Metric("deaths", "死亡人数", "统计期内事故的死亡人数合计（人）", "accidents", _sum("t.deaths", ACC_IN_WINDOW)),
    Metric("serious_injuries", "重伤人数", "统计期内事故的重伤人数合计，含急性工业中毒（人）", "accidents",
           _sum("t.serious_injuries", ACC_IN_WINDOW)),
    Metric("minor_injuries", "轻伤人数", "统计期内事故的轻伤人数合计（人）", "accidents",
           _sum("t.minor_injuries", ACC_IN_WINDOW)),
    Metric("direct_loss", "直接经济损失", "统计期内事故的直接经济损失合计（万元）", "accidents",
           _sum("t.direct_loss", ACC_IN_WINDOW), "money"),
    Metric("four_no_closure_rate", "四不放过落实率",
           "统计期内事故中，原因查清、责任人处理、整改措施落实、教训吸取四项均为“是”的占比", "accidents",
           _rate(_count(f"{ACC_IN_WINDOW} AND {FOUR_NO}"), _count(ACC_IN_WINDOW)), "rate"),
    Metric("late_reports", "迟报", "统计期内上报时间晚于发生时间 1 小时以上的事故（起）", "accidents",
           _count(f"{ACC_IN_WINDOW} AND {LATE}")),
    # ---- training (安全教育培训)
    Metric("training_planned", "应参训人次", "培训日期在统计期内的应参训人数合计", "training",
           _sum("t.planned", "t.date BETWEEN w.start AND w.end")),
    Metric("training_attended", "实参训人次", "培训日期在统计期内的实参训人数合计", "training",
           _sum("t.attended", "t.date BETWEEN w.start AND w.end")),
    Metric("training_completion", "培训完成率", "Σ实参训人数 ÷ Σ应参训人数（培训日期在统计期内）", "training",
           _rate("sum(t.attended) FILTER (WHERE t.date BETWEEN w.start AND w.end)",
                 "sum(t.planned) FILTER (WHERE t.date BETWEEN w.start AND w.end)"), "rate"),
    Metric("training_pass_rate", "培训合格率", "Σ考核合格人数 ÷ Σ实参训人数（培训日期在统计期内）", "training",
           _rate("sum(t.passed) FILTER (WHERE t.date BETWEEN w.start AND w.end)",
                 "sum(t.attended) FILTER (WHERE t.date BETWEEN w.start AND w.end)"), "rate"),
    # ---- investment (安全生产投入)
    Metric("investment_planned", "计划投入", "月份在统计期内的计划投入合计（万元）", "investment",
           _sum("t.planned", "t.month BETWEEN w.start AND w.end"), "money"),
    Metric("investment_actual", "实际投入", "月份在统计期内的实际投入合计（万元）", "investment",
           _sum("t.actual", "t.month BETWEEN w.start AND w.end"), "money"),
    Metric("investment_completion", "安全投入完成率", "Σ实际投入 ÷ Σ计划投入（月份的第一天在统计期内）", "investment",
           _rate("sum(t.actual) FILTER (WHERE t.month BETWEEN w.start AND w.end)",
                 "sum(t.planned) FILTER (WHERE t.month BETWEEN w.start AND w.end)"), "rate"),
    # ---- meeting-page additions (issue 4)
    Metric("major_accidents", "较大及以上事故", "统计期内事故等级为较大、重大或特别重大的事故（起，国务院令第493号）",
           "accidents", _count(f"{ACC_IN_WINDOW} AND t.level IN ('较大', '重大', '特别重大')")),
    Metric("four_no_open", "四不放过未闭环",
           "统计期内事故中，原因查清、责任人处理、整改措施落实、教训吸取四项不全为“是”（含未填）的事故（起）",
           "accidents", _count(f"{ACC_IN_WINDOW} AND NOT coalesce({FOUR_NO}, false)")),
    Metric("days_since_accident", "安全生产天数",
           "截止日距最近一起生产安全事故发生日的天数（不限统计期；无事故记录时为空）", "accidents",
           "datediff('day', max(CAST(t.occurred_at AS DATE)) FILTER (WHERE CAST(t.occurred_at AS DATE) <= w.as_of), "
           "min(w.as_of))", "day_count"),
    Metric("training_passed", "考核合格人次", "培训日期在统计期内的考核合格人数合计", "training",
           _sum("t.passed", "t.date BETWEEN w.start AND w.end")),
)
BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
# DOMAIN.md §3 metrics, in the order of the CLI's JSON (indicators_* come from analytics.figures.indicators).
DOMAIN_METRICS = ("hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "overdue_open",
                  "major_found", "major_open", "major_rectification_rate", "avg_days_to_rectify",
                  "accidents", "deaths", "serious_injuries", "direct_loss", "four_no_closure_rate", "late_reports",
                  "training_completion", "training_pass_rate", "investment_completion")
HAZARD_KPIS = ("hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "overdue_open",
               "major_open")


@dataclass(frozen=True)
class Window:
    start: dt.date
    end: dt.date
    as_of: dt.date

    @classmethod
    def of(cls, start: dt.date, end: dt.date, as_of: dt.date | None = None) -> "Window":
        if start > end:
            raise ValueError(f"开始日期 {start} 晚于结束日期 {end}")
        return cls(start, end, as_of or end)

    def month(self, label: str) -> "Window":
        """The part of this window in one month ('2026-10'), status as of that part's end."""
        y, m = map(int, label[:7].split("-"))
        first = dt.date(y, m, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        start, end = max(first, self.start), min(last, self.end)
        return Window.of(start, end, min(end, self.as_of))

    def params(self, companies: list[str] | None) -> dict:
        return {"start": self.start, "end": self.end, "as_of": self.as_of, "companies": companies}


def _windows_cte(freq: str | None) -> str:
    if freq == "windows":        # several windows (frames): bound as lists, period = the window's place in them
        return """SELECT i AS period, CAST(s AS DATE) AS start, CAST(e AS DATE) AS end, CAST(a AS DATE) AS as_of
                  FROM (SELECT unnest($ids) AS i, unnest($starts) AS s, unnest($ends) AS e, unnest($as_ofs) AS a)"""
    if freq is None:
        return "SELECT CAST($start AS DATE) AS period, CAST($start AS DATE) AS start, CAST($end AS DATE) AS end, " \
               "CAST($as_of AS DATE) AS as_of"
    assert freq == "month"
    return """SELECT CAST(m AS DATE) AS period,
                     greatest(CAST(m AS DATE), CAST($start AS DATE)) AS start,
                     least(CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE), CAST($end AS DATE)) AS end,
                     least(CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE), CAST($end AS DATE),
                           CAST($as_of AS DATE)) AS as_of
              FROM generate_series(date_trunc('month', CAST($start AS DATE)), CAST($end AS DATE),
                                   INTERVAL 1 MONTH) s(m)"""


_SELECTED = "SELECT name, id, {unit} AS unit FROM companies WHERE $companies IS NULL OR list_contains($companies, name)"
# What a row of the table is: a company, or its 板块 (a company without one stands under NO_PARENT).
UNITS = {"company": "name", "parent": f"coalesce(parent, '{NO_PARENT}')"}


# The hazard rows a window can count: every hazard metric filters on IN_WINDOW or OPEN_AT_AS_OF, so a hazard
# belongs to a window when it was found in it, or found before it and still open at its as_of. Pairing windows
# and rows by these two range joins (each pair at most once) instead of crossing every month with every row keeps
# the query near one pass over the table (issue 11: 12 months × 200 companies × 1M hazards).
# The bounds of all windows together filter the table before the range join (every window lies in [$start, $end]
# and every window's as_of is at least least($start, $as_of)), and so do the selected companies, so the join
# sees only rows that can pair.
_SELECTED_ROWS = "($companies IS NULL OR list_contains($companies, company))"
_FOUND_PAIRS = f"""SELECT w.period AS w_period, t.* FROM w JOIN (SELECT * FROM hazards WHERE {_SELECTED_ROWS}
    AND found_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE)) t ON t.found_date BETWEEN w.start AND w.end"""
_STOCK_PAIRS = f"""SELECT w.period, t.* FROM w JOIN (SELECT * FROM hazards WHERE {_SELECTED_ROWS}
    AND found_date < CAST($end AS DATE)
    AND coalesce(rectified_date, DATE '9999-12-31') > least(CAST($start AS DATE), CAST($as_of AS DATE))) t
    ON t.found_date < w.start AND coalesce(t.rectified_date, DATE '9999-12-31') > w.as_of"""
# One window (freq=None): the same rows by one filtered scan — found in it, or found before it and still open at its
# as_of — each row once, no range join and no union of two scans (the hazard family: 38 → 28 ms at 1M hazards).
_ONE_WINDOW_ROWS = f"""SELECT w.period AS w_period, t.* FROM w CROSS JOIN (SELECT * FROM hazards WHERE {_SELECTED_ROWS}
    AND (found_date BETWEEN CAST($start AS DATE) AND CAST($end AS DATE){{stock}})) t"""
_ONE_WINDOW_STOCK = """
         OR (found_date < CAST($start AS DATE)
             AND coalesce(rectified_date, DATE '9999-12-31') > CAST($as_of AS DATE))"""


def _ledger_query(ledger: str, metrics: list[Metric], freq: str | None, dims: tuple[str, ...],
                  unit: str = "company") -> str:
    exprs = ",\n  ".join(f"{m.sql} AS {m.name}" for m in metrics)
    if ledger == "hazards":
        stock = any(OPEN_AT_AS_OF in m.sql for m in metrics)
        if freq is None:
            pairs = _ONE_WINDOW_ROWS.format(stock=_ONE_WINDOW_STOCK if stock else "")
        else:
            pairs = f"{_FOUND_PAIRS}\n  UNION ALL\n  {_STOCK_PAIRS}" if stock else _FOUND_PAIRS
        rows, on = f"tw AS ({pairs}) ", "t.w_period = w.period AND "
        ledger = "tw"
    else:                # small ledgers (and days_since_accident looks at every earlier row): every row
        rows, on = "", ""
    ctes = f"WITH w AS ({_windows_cte(freq)}), c AS ({_SELECTED.format(unit=UNITS[unit])}){', ' + rows if rows else ''}"
    if dims:  # a breakdown by ledger columns (e.g. level): rows only where the ledger has them
        dim_cols = ", ".join(f"t.{d}" for d in dims)
        return f"""{ctes}
SELECT w.period, {dim_cols}, {exprs}
FROM w JOIN {ledger} t ON {on}true JOIN c ON c.name = t.company
GROUP BY w.period, {dim_cols}"""
    # Aggregate the rows first (one pass), then give every selected company (or 板块) of every window its row
    # (zeros where it has none): a 板块's figures and the group row are grouping sets over the rows, never sums
    # or averages of company figures.
    names = ", ".join(m.name for m in metrics)
    return f"""{ctes}, a AS (
SELECT w.period, c.unit AS company, {exprs}
FROM w JOIN {ledger} t ON {on}true JOIN c ON c.name = t.company
GROUP BY GROUPING SETS ((w.period, c.unit), (w.period))),
u AS (SELECT unit, min(id) AS id FROM c GROUP BY unit)
SELECT w.period, u.unit AS company, u.id AS company_order, {names}
FROM w CROSS JOIN u LEFT JOIN a ON a.period = w.period AND a.company = u.unit
UNION ALL
SELECT w.period, NULL, 0, {names} FROM w LEFT JOIN a ON a.period = w.period AND a.company IS NULL"""


GROUP = "集团合计"


def _family(ledger: str, names: list[str]) -> tuple[str, ...]:
    """Every metric of the ledger that the query for `names` can give at no extra pass: one query per ledger and
    window then serves every page's subset of it (总览's KPIs, the company table, 整改情况's rates) from the cache.
    The hazard stock metrics (open at as_of) need the rows found before the window too, so they join the family
    only when one is asked for. Each metric's value does not depend on which others are computed with it.
    Used for single windows; a monthly series computes only what it is asked for (a family's extra aggregates
    over every month cost more than the occasional second query)."""
    stock = any(OPEN_AT_AS_OF in BY_NAME[n].sql for n in names)
    return tuple(m.name for m in METRICS if m.ledger == ledger and (stock or OPEN_AT_AS_OF not in m.sql))


@cached
def _ledger_part(store: Store, ledger: str, names: tuple[str, ...], window: Window, companies: list[str] | None,
                 freq: str | None, dims: tuple[str, ...], by: str) -> pd.DataFrame:
    """One ledger's metrics `names` (the query of _ledger_query), the group row named GROUP."""
    part = store.df(_ledger_query(ledger, [BY_NAME[n] for n in names], freq, dims, by), window.params(companies))
    if not dims:
        part["company"] = part["company"].fillna(GROUP)
        part["company_order"] = part["company_order"].where(part["company"] != GROUP, 0)
    return part


@cached
def frame(store: Store, names: list[str] | tuple[str, ...], window: Window, companies: list[str] | None = None,
          freq: str | None = None, dims: tuple[str, ...] = (), by: str = "company") -> pd.DataFrame:
    """Metrics as a table. Without dims: one row per (period, company) plus the group row
    (company = GROUP), every selected company present with zeros where it has no rows.
    by='parent': one row per 板块 instead (column `company` holds the 板块; companies without one under
    NO_PARENT), each computed over its companies' rows.
    freq='month' gives one window per calendar month of [start, end] (status as of the
    month's end, or as_of if earlier), so empty months show as zero."""
    metrics = [BY_NAME[n] for n in names]
    companies = list(companies) if companies is not None else None
    out: pd.DataFrame | None = None
    keys = ["period", *dims] if dims else ["period", "company", "company_order"]
    for ledger in dict.fromkeys(m.ledger for m in metrics):
        wanted = [m.name for m in metrics if m.ledger == ledger]
        whole = not dims and freq is None     # one window: the family (pages ask it for many subsets); by month
        names = _family(ledger, wanted) if whole else tuple(wanted)  # (trends, 需要关注) each series alone — a
        part = None                                                   # family costs 1.7×
        if whole and names != (full := _family(ledger, [m.name for m in METRICS if m.ledger == ledger])):
            # the family with the stock metrics, computed already for this window (e.g. 总览's KPIs before
            # 指标考核's rates): the same values for the metrics asked, no second pass over the hazards
            part = _ledger_part.peek(store, ledger, full, window, companies, freq, dims, by)
        if part is None:
            part = _ledger_part(store, ledger, names, window, companies, freq, dims, by)
        part = part[keys + wanted]
        out = part if out is None else out.merge(part, on=keys, how="outer")
    assert out is not None
    if dims:
        out = out.sort_values(["period", *dims]).reset_index(drop=True)
    else:
        out = out.sort_values(["period", "company_order"]).drop(columns="company_order").reset_index(drop=True)
    for m in metrics:
        if m.sql.startswith("coalesce(") and not dims:       # a sum over no rows is 0, not undefined
            out[m.name] = out[m.name].fillna(0)
        if m.kind in ("count",):
            out[m.name] = out[m.name].fillna(0).astype("int64")
        elif m.kind in ("rate", "days", "money", "sum", "day_count"):
            out[m.name] = out[m.name].astype("float64")
    if freq is None:
        out = out.drop(columns="period")
    return out


def _windows_parts(store: Store, ledger: str, names: tuple[str, ...], windows: list[Window],
                   companies: list[str] | None, by: str) -> list[pd.DataFrame]:
    """_ledger_part for several single windows by one query (the range joins over all of them), split by window."""
    params = {"ids": list(range(len(windows))), "starts": [w.start for w in windows], "ends": [w.end for w in windows],
              "as_ofs": [w.as_of for w in windows], "companies": companies}
    sql = _ledger_query(ledger, [BY_NAME[n] for n in names], "windows", (), by)
    bounds = {"start": min(w.start for w in windows), "end": max(w.end for w in windows),   # every window together,
              "as_of": min(w.as_of for w in windows)}                   # for the range joins' prefilter (_FOUND_PAIRS)
    params.update({k: v for k, v in bounds.items() if re.search(rf"\${k}\b", sql)})
    both = store.df(sql, params)
    both["company"] = both["company"].fillna(GROUP)
    both["company_order"] = both["company_order"].where(both["company"] != GROUP, 0)
    parts = []
    for i, w in enumerate(windows):
        part = both[both["period"] == i].reset_index(drop=True)
        part["period"] = pd.Timestamp(w.start)          # as the single-window query gives it (frame drops it)
        parts.append(part)
    return parts


def frames(store: Store, names: list[str] | tuple[str, ...], windows: list[Window],
           companies: list[str] | None = None, by: str = "company") -> list[pd.DataFrame]:
    """frame(store, names, w, companies, by=by) for each single window w of `windows`, the same values; the
    ledger families missing from the cache for two or more of the windows are computed by one query per ledger
    (e.g. a page's period and the same period last year: one pass over the hazards instead of two)."""
    companies = list(companies) if companies is not None else None
    wanted = [BY_NAME[n] for n in names]
    for ledger in dict.fromkeys(m.ledger for m in wanted):
        family = _family(ledger, [m.name for m in wanted if m.ledger == ledger])
        _ledger_part.fill(store, [(ledger, family, w, companies, None, (), by) for w in windows],
                          lambda todo, ledger=ledger, family=family: _windows_parts(
                              store, ledger, family, [a[2] for a in todo], companies, by))
    return [frame(store, names, w, companies, by=by) for w in windows]


def compute(store: Store, window: Window, companies: list[str] | None = None,
            names: tuple[str, ...] = DOMAIN_METRICS, by: str = "company") -> dict:
    """{"group": {metric: value}, "companies": {name: {metric: value}}} — None where undefined. by='parent':
    "companies" holds the 板块 instead."""
    df = frame(store, names, window, companies, by=by)
    rows = {r["company"]: {n: _py(r[n]) for n in names} for r in df.to_dict("records")}
    empty = {n: (None if BY_NAME[n].kind in ("rate", "days") else 0) for n in names}
    group = rows.pop(GROUP, empty)          # no company registered yet: zeros and nulls, not an error
    return {"group": group, "companies": rows}


def _py(v):
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v


BREAKDOWNS = {"company": "单位", "parent": "板块", "level": "隐患等级", "category": "隐患类别", "source": "检查类型"}


def series(store: Store, name: str, window: Window, companies: list[str] | None = None,
           by: str = "company") -> pd.DataFrame:
    """One metric by month and by a breakdown (company, or a ledger column such as level), long format
    (period, group, value), zero-filled: every month of the window and every group appears."""
    months = pd.date_range(pd.Timestamp(window.start).to_period("M").to_timestamp(), pd.Timestamp(window.end),
                           freq="MS")
    if by in ("company", "parent"):
        df = frame(store, [name], window, companies, freq="month", by=by)
        df = df[df["company"] != GROUP].rename(columns={"company": "group", name: "value"})
        groups = list(dict.fromkeys(df["group"]))
    else:
        df = frame(store, [name], window, companies, freq="month", dims=(by,))
        df = df.rename(columns={by: "group", name: "value"})
        df["group"] = df["group"].fillna("未填写")
        groups = sorted(set(df["group"]))
    df["period"] = pd.to_datetime(df["period"])
    full = pd.MultiIndex.from_product([months, groups], names=["period", "group"])
    out = (df.groupby(["period", "group"], sort=False)["value"].sum()
             .reindex(full, fill_value=0).reset_index())
    return out
