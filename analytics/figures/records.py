"""The records behind the figures: lists for tables and drill-downs (same windows as the metrics)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..store.db import Store
from .metrics import Window
from .cache import cached

AGEING_BUCKETS = ("0–30天", "31–90天", ">90天")

_SEL = "($companies IS NULL OR list_contains($companies, t.company))"
HAZARD_COLUMNS = """t.company AS 单位, t.hazard_no AS 隐患编号, t.found_date AS 发现日期, t.source AS 检查类型,
    t.location AS 隐患部位, t.description AS 隐患描述, t.category AS 隐患类别, t.level AS 隐患等级,
    t.measures AS 整改措施, t.owner AS 整改责任人, t.deadline AS 整改期限, t.status AS 整改状态,
    t.rectified_date AS 整改完成日期"""


@cached
def open_major_hazards(store: Store, as_of: dt.date, companies: list[str] | None = None,
                       limit: int | None = None) -> pd.DataFrame:
    """重大隐患 found by as_of and not rectified by as_of (the major_open metric's rows), most overdue first (a total
    order — deadline, company, key — so the first `limit` rows are the first rows of the whole list)."""
    return store.df(f"""
        SELECT {HAZARD_COLUMNS}, CAST($as_of AS DATE) - t.deadline AS 逾期天数
        FROM hazards t JOIN companies c ON c.name = t.company
        WHERE {_SEL} AND t.level = '重大' AND t.found_date <= $as_of
          AND (t.rectified_date IS NULL OR t.rectified_date > $as_of)
        ORDER BY t.deadline, c.id, t.key{" LIMIT $limit" if limit is not None else ""}""",
                    {"as_of": as_of, "companies": companies, **({"limit": limit} if limit is not None else {})})


_OVERDUE = """FROM hazards t JOIN companies c ON c.name = t.company
        WHERE {sel} AND t.found_date <= $as_of AND (t.rectified_date IS NULL OR t.rectified_date > $as_of)
          AND t.deadline < $as_of""".format(sel=_SEL)


@cached
def overdue_hazards(store: Store, as_of: dt.date, companies: list[str] | None = None,
                    limit: int | None = None) -> pd.DataFrame:
    """The overdue_open metric's rows, with days overdue and ageing bucket, longest overdue first (a total
    order: the first `limit` rows are the first rows of the whole list)."""
    return store.df(f"""
        SELECT {HAZARD_COLUMNS}, CAST($as_of AS DATE) - t.deadline AS 逾期天数,
               CASE WHEN CAST($as_of AS DATE) - t.deadline <= 30 THEN '{AGEING_BUCKETS[0]}'
                    WHEN CAST($as_of AS DATE) - t.deadline <= 90 THEN '{AGEING_BUCKETS[1]}'
                    ELSE '{AGEING_BUCKETS[2]}' END AS 逾期区间
        {_OVERDUE}
        ORDER BY t.deadline, c.id, t.key{" LIMIT $limit" if limit is not None else ""}""",
                    {"as_of": as_of, "companies": companies, **({"limit": limit} if limit is not None else {})})


@cached
def overdue_ageing(store: Store, as_of: dt.date, companies: list[str] | None = None) -> pd.DataFrame:
    """Overdue open hazards per company and ageing bucket (every company and bucket, zeros included)."""
    return store.df(f"""
        WITH b AS (SELECT unnest($buckets) AS bucket, generate_subscripts($buckets, 1) AS i),
             c AS (SELECT id, name FROM companies WHERE $companies IS NULL OR list_contains($companies, name)),
             o AS (SELECT t.company, CASE WHEN CAST($as_of AS DATE) - t.deadline <= 30 THEN 1
                                          WHEN CAST($as_of AS DATE) - t.deadline <= 90 THEN 2 ELSE 3 END AS i
                   FROM hazards t
                   WHERE t.found_date <= $as_of AND (t.rectified_date IS NULL OR t.rectified_date > $as_of)
                     AND t.deadline < $as_of)
        SELECT c.name AS company, b.bucket, count(o.company) AS hazards
        FROM c CROSS JOIN b LEFT JOIN o ON o.company = c.name AND o.i = b.i
        GROUP BY c.id, c.name, b.i, b.bucket ORDER BY c.id, b.i""",
                    {"as_of": as_of, "companies": companies, "buckets": list(AGEING_BUCKETS)})


@cached
def hazards_found(store: Store, window: Window, companies: list[str] | None = None, **equals) -> pd.DataFrame:
    """Hazards found in the window (the hazards_found metric's rows), optionally narrowed by column values
    such as level='重大' or category='消防安全' — the drill-down behind a bar."""
    allowed = {"level", "category", "source", "status", "company"}
    where = "".join(f" AND t.{k} = ${k}" for k in equals if k in allowed)
    params = {"start": window.start, "end": window.end, "companies": companies,
              **{k: v for k, v in equals.items() if k in allowed}}
    return store.df(f"""SELECT {HAZARD_COLUMNS} FROM hazards t JOIN companies c ON c.name = t.company
                        WHERE {_SEL} AND t.found_date BETWEEN $start AND $end{where}
                        ORDER BY t.found_date, c.id""", params)


# ---------------------------------------------------------------- accidents (生产安全事故)
FOUR_NO_FLAGS = (("cause_found", "原因查清"), ("responsibility_handled", "责任人处理"),
                 ("measures_done", "整改措施落实"), ("lessons_learned", "教训吸取"))


def _flag(col: str) -> str:
    return f"CASE WHEN t.{col} THEN '是' WHEN NOT t.{col} THEN '否' ELSE '未填' END"


_OPEN_ITEMS = "concat_ws('、', " + ", ".join(
    f"CASE WHEN t.{c} IS NULL THEN '{label}（未填）' WHEN NOT t.{c} THEN '{label}（否）' END"
    for c, label in FOUR_NO_FLAGS) + ")"
ACCIDENT_COLUMNS = f"""t.company AS 单位, t.accident_no AS 事故编号, t.occurred_at AS 发生时间, t.reported_at AS 上报时间,
    CAST(datediff('minute', t.occurred_at, t.reported_at) AS INTEGER) AS "上报用时（分钟）",
    CASE WHEN t.reported_at IS NULL THEN '未填上报时间'
         WHEN t.reported_at > t.occurred_at + INTERVAL 1 HOUR THEN '迟报' ELSE '按时' END AS 上报情况,
    t.type AS 事故类别, t.level AS 事故等级, t.deaths AS 死亡人数, t.serious_injuries AS 重伤人数,
    t.minor_injuries AS 轻伤人数, t.direct_loss AS "直接经济损失（万元）",
    {", ".join(f"{_flag(c)} AS {label}" for c, label in FOUR_NO_FLAGS)},
    CASE WHEN {_OPEN_ITEMS} = '' THEN '已闭环' ELSE '未闭环：' || {_OPEN_ITEMS} END AS 四不放过,
    t.description AS 事故简要经过"""
_ACC_IN = "CAST(t.occurred_at AS DATE) BETWEEN $start AND $end"


@cached
def accidents(store: Store, window: Window, companies: list[str] | None = None, only: str | None = None,
              **equals) -> pd.DataFrame:
    """Accidents that occurred in the window (the accidents metric's rows), newest first, optionally narrowed:
    only='late' (the late_reports rows), 'four_no_open' (四不放过未闭环), 'major' (较大及以上); equals on
    level / type / company — the drill-down behind a bar."""
    allowed = {"level", "type", "company"}
    where = "".join(f" AND t.{k} = ${k}" for k in equals if k in allowed)
    where += {"late": " AND t.reported_at > t.occurred_at + INTERVAL 1 HOUR",
              "four_no_open": " AND NOT coalesce(t.cause_found AND t.responsibility_handled AND t.measures_done "
                              "AND t.lessons_learned, false)",
              "major": " AND t.level IN ('较大', '重大', '特别重大')", None: ""}[only]
    params = {"start": window.start, "end": window.end, "companies": companies,
              **{k: v for k, v in equals.items() if k in allowed}}
    return store.df(f"""SELECT {ACCIDENT_COLUMNS} FROM accidents t JOIN companies c ON c.name = t.company
                        WHERE {_SEL} AND {_ACC_IN}{where}
                        ORDER BY t.occurred_at DESC, c.id""", params)


# ---------------------------------------------------------------- training and investment
@cached
def training(store: Store, window: Window, companies: list[str] | None = None, **equals) -> pd.DataFrame:
    """Training sessions dated in the window (the rows behind training_completion / training_pass_rate)."""
    allowed = {"company", "kind"}
    where = "".join(f" AND t.{k} = ${k}" for k in equals if k in allowed)
    return store.df(f"""
        SELECT t.company AS 单位, t.date AS 培训日期, t.topic AS 培训内容, t.kind AS 培训类别,
               t.planned AS 应参训人数, t.attended AS 实参训人数, t.passed AS 考核合格人数,
               CAST(t.attended AS DOUBLE) / NULLIF(t.planned, 0) AS 完成率,
               CAST(t.passed AS DOUBLE) / NULLIF(t.attended, 0) AS 合格率, t.hours AS 学时
        FROM training t JOIN companies c ON c.name = t.company
        WHERE {_SEL} AND t.date BETWEEN $start AND $end{where}
        ORDER BY t.date, c.id""", {"start": window.start, "end": window.end, "companies": companies,
                                   **{k: v for k, v in equals.items() if k in allowed}})


@cached
def investment(store: Store, window: Window, companies: list[str] | None = None, **equals) -> pd.DataFrame:
    """Investment items whose month's first day lies in the window (the rows behind investment_*)."""
    allowed = {"company", "category"}
    where = "".join(f" AND t.{k} = ${k}" for k in equals if k in allowed)
    return store.df(f"""
        SELECT t.company AS 单位, strftime(t.month, '%Y-%m') AS 月份, t.item AS 投入项目, t.category AS 投入类别,
               t.planned AS "计划投入（万元）", t.actual AS "实际投入（万元）",
               CAST(t.actual AS DOUBLE) / NULLIF(t.planned, 0) AS 完成率
        FROM investment t JOIN companies c ON c.name = t.company
        WHERE {_SEL} AND t.month BETWEEN $start AND $end{where}
        ORDER BY t.month, c.id""", {"start": window.start, "end": window.end, "companies": companies,
                                    **{k: v for k, v in equals.items() if k in allowed}})


# ---------------------------------------------------------------- the rows behind any metric
@cached
def behind(store: Store, metric: str, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    """The records behind one metric's value (what a click on a figure shows and downloads)."""
    if metric in ("overdue_open",):
        return overdue_hazards(store, window.as_of, companies)
    if metric in ("major_open", "major_overdue"):
        rows = open_major_hazards(store, window.as_of, companies)
        return rows[rows["逾期天数"] > 0].reset_index(drop=True) if metric == "major_overdue" else rows
    if metric in ("major_found", "major_rectification_rate"):
        return hazards_found(store, window, companies, level="重大")
    if metric in ("hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate",
                  "avg_days_to_rectify"):
        return hazards_found(store, window, companies)
    if metric == "late_reports":
        return accidents(store, window, companies, only="late")
    if metric == "four_no_open":
        return accidents(store, window, companies, only="four_no_open")
    if metric == "major_accidents":
        return accidents(store, window, companies, only="major")
    if metric == "days_since_accident":
        return accidents(store, Window.of(dt.date(1900, 1, 1), window.as_of), companies).head(1 if companies and
                                                                                              len(companies) == 1 else 50)
    if metric.startswith("training"):
        return training(store, window, companies)
    if metric.startswith("investment"):
        return investment(store, window, companies)
    return accidents(store, window, companies)
