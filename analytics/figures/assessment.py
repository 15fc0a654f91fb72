"""指标考核: the 目标责任书 indicators of a year as leadership reads them — breaches first, a company ×
indicator status table, attainment per company — built on analytics.figures.indicators.evaluate."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from ..store.db import Store
from .cache import cached
from .indicators import MET, NO_DATA, NOT_MET, derived_metric, evaluate
from .metrics import GROUP

STATUS_ORDER = {NOT_MET: 1, NO_DATA: 2, MET: 3}          # breaches (突破指标) come before all: 0
NOT_ASSESSED = "—"                                       # the company has no such indicator
COMPARATOR_TEXT = {"<=": "≤", ">=": "≥"}
# column order of the heat table: the indicators the ledgers can derive, in a fixed reading order
CANONICAL = ("死亡人数", "重伤人数", "事故起数", "直接经济损失", "隐患整改率", "按期整改率", "重大隐患整改率",
             "培训完成率", "培训合格率", "安全投入完成率")
DIFFERS_TEXT = "填报完成值与台账计算值不一致"


def fmt_value(value, is_percent: bool, unit: str | None, comparator: str | None = ">=") -> str:
    """An indicator value as written in the 责任书: 95.0%, 1 起, 10 万元; — when there is none.
    Percentages are cut (not rounded) to 0.1 % towards failing the target — down for ≥ targets, up for ≤ —
    so that 97.97 % never reads as a 98.0 % that is 未达标."""
    if value is None or value != value:
        return "—"
    if is_percent:
        tenths = value * 1000
        tenths = math.ceil(tenths - 1e-6) if comparator == "<=" else math.floor(tenths + 1e-6)
        return f"{tenths / 10:.1f}%"
    v = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return f"{v} {unit}".strip() if unit and unit != "%" else v


@cached
def year_status(store: Store, year: int, as_of: dt.date, companies: list[str] | None = None) -> pd.DataFrame:
    """evaluate() plus a sort rank (breaches, 未达标, 无数据, 达标) and the company's registry order."""
    ev = evaluate(store, year, as_of, companies)
    order = {n: i for i, (n,) in enumerate(store.rows("SELECT name FROM companies ORDER BY id"))}
    ev = ev.assign(rank=[0 if b else STATUS_ORDER[s] for b, s in zip(ev["breach"], ev["status"])],
                   company_order=ev["company"].map(order))
    return ev.sort_values(["rank", "company_order"], kind="stable").reset_index(drop=True)


def indicator_table(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator, breaches first, in Chinese: 单位, 考核指标, 控制目标, 目标值, 台账计算值,
    填报完成值, 考核采用, 状态, 突破指标, 数据核对, 权重."""
    if ev.empty:
        return pd.DataFrame(columns=["单位", "考核指标", "控制目标", "目标值", "台账计算值", "填报完成值", "考核采用",
                                     "状态", "突破指标", "数据核对", "权重"])
    rows = []
    for r in ev.to_dict("records"):
        p, u = bool(r["is_percent"]), r["unit"]
        rows.append({
            "单位": r["company"], "考核指标": r["indicator"], "控制目标": r["target"],
            "目标值": f"{COMPARATOR_TEXT.get(r['comparator'], '')} {fmt_value(r['target_value'], p, u)}".strip(),
            "台账计算值": fmt_value(r["derived"], p, u, r["comparator"]),
            "填报完成值": fmt_value(r["reported"], p, u, r["comparator"]),
            "考核采用": {"台账": "台账计算值", "填报": "填报完成值"}.get(r["source"], "—"),
            "状态": r["status"], "突破指标": "突破" if r["breach"] else "",
            "数据核对": DIFFERS_TEXT if r["differs"] else "",
            "权重": fmt_value(r["weight"], False, None)})
    return pd.DataFrame(rows)


BREACH = "突破"      # the word of a breached (≤) indicator in the heat table


def cell(r: dict) -> str:
    """One heat-table cell: the status word, then the actual (e.g. "达标 96.5%", "突破 1 人", "无数据")."""
    if r["status"] == NO_DATA:
        return NO_DATA
    word = BREACH if r["breach"] else r["status"]
    return f"{word} {fmt_value(r['actual'], bool(r['is_percent']), r['unit'], r['comparator'])}"


def matrix(ev: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The company × indicator heat table: each cell "状态 实际值" (e.g. "未达标 93.7%", "突破 1 人"), "—"
    where the company has no such indicator, "无数据" where it has no actual. Returns (table with a 单位
    column, the indicator columns in order)."""
    if ev.empty:
        return pd.DataFrame(columns=["单位"]), []
    present = list(dict.fromkeys(ev["indicator"]))
    cols = [c for c in CANONICAL if c in present] + sorted(c for c in present if c not in CANONICAL)
    companies = list(dict.fromkeys(ev.sort_values("company_order", kind="stable")["company"]))
    cells = {(r["company"], r["indicator"]): cell(r) for r in ev.to_dict("records")}
    data = [{"单位": c, **{i: cells.get((c, i), NOT_ASSESSED) for i in cols}} for c in companies]
    return pd.DataFrame(data), cols


def attainment(ev: pd.DataFrame) -> pd.DataFrame:
    """Per company and for the group (first row, 单位 = 集团合计): 指标数, 达标, 未达标, 突破, 无数据, 达标率
    (达标 ÷ 指标数; indicators without data count as not met). Companies in registry order (company_order)."""
    cols = ["单位", "指标数", "达标", "未达标", "突破", "无数据", "达标率"]
    if ev.empty:
        return pd.DataFrame([{"单位": GROUP, "指标数": 0, "达标": 0, "未达标": 0, "突破": 0, "无数据": 0,
                              "达标率": None}], columns=cols)
    flags = pd.DataFrame({"单位": ev["company"], "指标数": 1, "达标": (ev["status"] == MET).astype("int64"),
                          "未达标": (ev["status"] == NOT_MET).astype("int64"),
                          "突破": ev["breach"].astype(bool).astype("int64"),
                          "无数据": (ev["status"] == NO_DATA).astype("int64")})
    order = ev.sort_values("company_order", kind="stable")["company"].drop_duplicates()
    per = flags.groupby("单位", sort=False).sum().reindex(order)
    group = flags.drop(columns="单位").sum().rename(GROUP).to_frame().T
    out = pd.concat([group, per]).astype("int64").rename_axis("单位").reset_index()
    out["达标率"] = out["达标"] / out["指标数"]
    return out[cols]


def metric_of(indicator: str) -> str | None:
    """The §3 metric an indicator is derived from (None when only the reported 完成值 exists)."""
    return derived_metric(indicator)
