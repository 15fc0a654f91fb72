"""Red/amber/green status of a company for the meeting table. The rules are data, and the
page prints them as written here, so what leadership reads is what the code does."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

RED, AMBER, GREEN, NO_DATA = "红", "黄", "绿", "无数据"


@dataclass(frozen=True)
class Rule:
    color: str
    text: str                      # shown on the page
    test: callable                 # row (dict of metrics) → bool


def _lt(name, x):
    return lambda r: r.get(name) is not None and r[name] == r[name] and r[name] < x


def _gt(name, x):
    return lambda r: (r.get(name) or 0) > x


RULES: tuple[Rule, ...] = (
    Rule(RED, "发生死亡事故（统计期内死亡人数 > 0）", _gt("deaths", 0)),
    Rule(RED, "突破目标责任书控制指标（≤ 类指标未达标）", _gt("breaches", 0)),
    Rule(RED, "有逾期未整改的重大隐患", _gt("major_overdue", 0)),
    Rule(RED, "隐患整改率低于 80%", _lt("rectification_rate", 0.80)),
    Rule(AMBER, "发生生产安全事故（统计期内事故起数 > 0）", _gt("accidents", 0)),
    Rule(AMBER, "有未整改的重大隐患（未逾期）", _gt("major_open", 0)),
    Rule(AMBER, "隐患整改率低于 95%", _lt("rectification_rate", 0.95)),
    Rule(AMBER, "按期整改率低于 90%", _lt("on_time_rate", 0.90)),
    Rule(AMBER, "逾期未整改隐患超过 5 项", _gt("overdue_open", 5)),
)
NO_DATA_TEXT = "统计期内没有上报隐患、事故等任何台账数据"
GREEN_TEXT = "以上情况均无"


def classify(row: dict) -> tuple[str, list[str]]:
    """(colour, the reasons) for one company's metrics."""
    if not any((row.get(k) or 0) for k in ("hazards_found", "accidents", "overdue_open", "major_open", "has_rows")):
        return NO_DATA, [NO_DATA_TEXT]
    for color in (RED, AMBER):
        reasons = [r.text for r in RULES if r.color == color and r.test(row)]
        if reasons:
            return color, reasons
    return GREEN, []


def classify_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Adds columns rag and rag_reasons to a per-company metrics table."""
    res = [classify(r) for r in df.to_dict("records")]
    return df.assign(rag=[c for c, _ in res], rag_reasons=["；".join(x) for _, x in res])
