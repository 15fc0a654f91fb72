"""Which companies are worst: the orders the pages use when a group has too many companies to list them all
(issue 11 point 3 — the worst first, the rest folded). Each order is written out here, and the pages' captions
say it in words (ORDER_TEXT), so what a meeting reads is what the code does."""
from __future__ import annotations

import pandas as pd

from .metrics import GROUP
from .rag import AMBER, GREEN, NO_DATA, RED, RULES

RAG_RANK = {RED: 0, AMBER: 1, GREEN: 2, NO_DATA: 3}
# The red/amber/green table, worst first: colour, then how many of its colour's rules a company triggers, then
# the figures that make a rule (a death outweighs an accident, an overdue major hazard an overdue one).
RAG_KEYS = (("deaths", True), ("major_accidents", True), ("breaches", True), ("major_overdue", True),
            ("accidents", True), ("on_time_rate", False), ("overdue_open", True), ("major_open", True))
RAG_ORDER_TEXT = ("红色在前、黄色其次；同色按触发的规则条数（多的在前），再按死亡人数、较大及以上事故、突破指标、"
                  "重大隐患逾期、事故起数（多的在前）、按期整改率（低的在前）、逾期未整改隐患数排序")
# 各单位事故情况: the companies with accidents, worst first.
ACCIDENT_KEYS = (("deaths", True), ("serious_injuries", True), ("accidents", True), ("direct_loss", True),
                 ("minor_injuries", True), ("four_no_open", True), ("late_reports", True))
ACCIDENT_ORDER_TEXT = "按死亡人数、重伤人数、事故起数、直接经济损失排序（多的在前）"
TRAINING_ORDER_TEXT = "按培训完成率排序（低的在前；相同时按安全投入完成率，低的在前；没有培训记录的在后）"


def rules_met(row: dict, color: str) -> int:
    """How many of the rules of the company's own colour it triggers (0 for green / 无数据)."""
    return sum(1 for r in RULES if r.color == color and r.test(row))


def sort_worst(df: pd.DataFrame, keys, first: list | None = None) -> pd.DataFrame:
    """Rows sorted by keys = ((column, higher_is_worse), …), missing values last, ties in the frame's order;
    `first` are leading sort columns already numeric (smaller = worse). Columns not in the frame are skipped."""
    d = df.reset_index(drop=True)
    cols, asc = [], []
    for c in first or []:
        cols.append(c)
        asc.append(True)
    tmp = {}
    for c, worse_high in keys:
        if c not in d:
            continue
        v = pd.to_numeric(d[c], errors="coerce").astype("float64")
        tmp[f"_k_{c}"] = (-v if worse_high else v).fillna(float("inf"))
        cols.append(f"_k_{c}")
        asc.append(True)
    if not cols:
        return d
    d = d.assign(**tmp)
    return d.sort_values(cols, ascending=asc, kind="stable").drop(columns=list(tmp)).reset_index(drop=True)


def rag_worst_first(df: pd.DataFrame) -> pd.DataFrame:
    """The company table (scorecard.company_table, without the group row) in RAG_ORDER_TEXT's order."""
    rows = df.to_dict("records")
    d = df.reset_index(drop=True).assign(
        _c=[RAG_RANK.get(r["rag"], 4) for r in rows], _n=[-rules_met(r, r["rag"]) for r in rows])
    return sort_worst(d, RAG_KEYS, first=["_c", "_n"]).drop(columns=["_c", "_n"])


def rag_counts(df: pd.DataFrame) -> dict[str, int]:
    """How many companies of each colour: {红: n, 黄: n, 绿: n, 无数据: n}."""
    got = df["rag"].value_counts()
    return {c: int(got.get(c, 0)) for c in (RED, AMBER, GREEN, NO_DATA)}


def accidents_worst_first(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-company accident figures (metrics.frame with the group row): (the group row and the companies with at
    least one accident in ACCIDENT_ORDER_TEXT's order, the companies without any accident in the frame's order)."""
    group = df[df["company"] == GROUP]
    rest = df[df["company"] != GROUP]
    hit = pd.to_numeric(rest["accidents"], errors="coerce").fillna(0) > 0
    worst = sort_worst(rest[hit], ACCIDENT_KEYS)
    return pd.concat([group, worst], ignore_index=True), rest[~hit].reset_index(drop=True)


def lowest_rate_first(df: pd.DataFrame, rates: tuple[str, ...], then: str | None = None) -> pd.DataFrame:
    """Company rows with the lowest first rate first (companies without a rate last), ties by the next rates, then
    by `then` (larger first, e.g. the planned figure: the bigger gap matters more); the group row, if any, first."""
    group = df[df["company"] == GROUP]
    rest = sort_worst(df[df["company"] != GROUP], tuple((r, False) for r in rates) + (((then, True),) if then else ()))
    return pd.concat([group, rest], ignore_index=True)


def fold_label(k: int, noun: str = "单位") -> str:
    return f"其余 {k} 个{noun}"


def fold_rate_rows(df: pd.DataFrame, planned: str, actual: str, rate: str, n: int) -> tuple[pd.DataFrame, list[str]]:
    """Planned/actual per company (no group row) with more than n companies: the n of the lowest `rate` (then the
    largest planned) and one row “其余 K 个单位” whose planned and actual are the rest's sums and whose rate is
    Σactual ÷ Σplanned (the metric's own definition, never an average of rates). Returns the rows and the
    folded companies ([] when nothing was folded; then the frame's order is kept)."""
    d = df[df["company"] != GROUP].reset_index(drop=True)
    if len(d) <= n:
        return d, []
    d = lowest_rate_first(d, (rate,), planned)
    top, rest = d.head(n), d.iloc[n:]
    p, a = float(pd.to_numeric(rest[planned]).sum()), float(pd.to_numeric(rest[actual]).sum())
    row = pd.DataFrame({"company": [fold_label(len(rest))], planned: [p], actual: [a],
                        rate: [a / p if p else float("nan")]})
    return pd.concat([top[["company", planned, actual, rate]], row], ignore_index=True), list(rest["company"])


def training_worst_first(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-company training and investment figures (with the group row) in TRAINING_ORDER_TEXT's order; no quiet
    companies (a company without training records is listed last, shown as “—”)."""
    return lowest_rate_first(df, ("training_completion", "investment_completion")), df.iloc[0:0]


# 指标考核 per company (assessment.attainment), worst first.
ATTAINMENT_ORDER_TEXT = "按突破控制指标项数、未达标项数、无数据项数排序（多的在前），相同时达标率低的在前"


def attainment_worst_first(att: pd.DataFrame) -> pd.DataFrame:
    """assessment.attainment's rows (单位, 突破, 未达标, 无数据, 达标率; the group row, if any, first) in
    ATTAINMENT_ORDER_TEXT's order."""
    group = att[att["单位"] == GROUP]
    rest = sort_worst(att[att["单位"] != GROUP], (("突破", True), ("未达标", True), ("无数据", True), ("达标率", False)))
    return pd.concat([group, rest], ignore_index=True)


def matrix_worst_first(grid: pd.DataFrame, att: pd.DataFrame) -> pd.DataFrame:
    """The company × indicator table (assessment.matrix) in the order of attainment_worst_first(att)."""
    order = {c: i for i, c in enumerate(attainment_worst_first(att)["单位"])}
    return grid.assign(_o=grid["单位"].map(order)).sort_values("_o", kind="stable").drop(columns="_o").reset_index(
        drop=True)


def total_and_top(series: pd.DataFrame, rest_label: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A monthly series by company folded into the top N and one rest group (long rows period, group, value):
    (the monthly total over every group — the selected companies' own figure, since counts add over rows —, the
    rows of the top N alone, without the rest group)."""
    total = series.groupby("period", as_index=False)["value"].sum()
    return total, series[series["group"] != rest_label].reset_index(drop=True)
