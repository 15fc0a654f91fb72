"""The records behind the figures: lists for tables and drill-downs (same windows as the metrics)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .db import Store
from .metrics import Window

AGEING_BUCKETS = ("0–30天", "31–90天", ">90天")

_SEL = "($companies IS NULL OR list_contains($companies, t.company))"
HAZARD_COLUMNS = """t.company AS 单位, t.hazard_no AS 隐患编号, t.found_date AS 发现日期, t.source AS 检查类型,
    t.location AS 隐患部位, t.description AS 隐患描述, t.category AS 隐患类别, t.level AS 隐患等级,
    t.measures AS 整改措施, t.owner AS 整改责任人, t.deadline AS 整改期限, t.status AS 整改状态,
    t.rectified_date AS 整改完成日期"""


def open_major_hazards(store: Store, as_of: dt.date, companies: list[str] | None = None) -> pd.DataFrame:
    """重大隐患 found by as_of and not rectified by as_of (the major_open metric's rows), most overdue first."""
    return store.df(f"""
        SELECT {HAZARD_COLUMNS}, CAST($as_of AS DATE) - t.deadline AS 逾期天数
        FROM hazards t JOIN companies c ON c.name = t.company
        WHERE {_SEL} AND t.level = '重大' AND t.found_date <= $as_of
          AND (t.rectified_date IS NULL OR t.rectified_date > $as_of)
        ORDER BY t.deadline, c.id""", {"as_of": as_of, "companies": companies})


def overdue_hazards(store: Store, as_of: dt.date, companies: list[str] | None = None) -> pd.DataFrame:
    """The overdue_open metric's rows, with days overdue and ageing bucket."""
    return store.df(f"""
        SELECT {HAZARD_COLUMNS}, CAST($as_of AS DATE) - t.deadline AS 逾期天数,
               CASE WHEN CAST($as_of AS DATE) - t.deadline <= 30 THEN '{AGEING_BUCKETS[0]}'
                    WHEN CAST($as_of AS DATE) - t.deadline <= 90 THEN '{AGEING_BUCKETS[1]}'
                    ELSE '{AGEING_BUCKETS[2]}' END AS 逾期区间
        FROM hazards t JOIN companies c ON c.name = t.company
        WHERE {_SEL} AND t.found_date <= $as_of AND (t.rectified_date IS NULL OR t.rectified_date > $as_of)
          AND t.deadline < $as_of
        ORDER BY t.deadline, c.id""", {"as_of": as_of, "companies": companies})


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
