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
    short: str = ""                # the reason as the company table's 原因 column says it


def _lt(name, x):
    return lambda r: r.get(name) is not None and r[name] == r[name] and r[name] < x


def _gt(name, x):
    return lambda r: (r.get(name) or 0) > x


RULES: tuple[Rule, ...] = (
    Rule(RED, "发生死亡事故（统计期内死亡人数 > 0）", _gt("deaths", 0), "死亡事故"),
    Rule(RED, "发生较大及以上生产安全事故（国务院令第493号）", _gt("major_accidents", 0), "较大及以上事故"),
    Rule(RED, "突破目标责任书控制指标（≤ 类指标未达标）", _gt("breaches", 0), "突破控制指标"),
    Rule(RED, "有逾期未整改的重大隐患", _gt("major_overdue", 0), "重大隐患逾期"),
    Rule(RED, "按期整改率低于 80%（已到整改期限的隐患中按期完成的不足八成）", _lt("on_time_rate", 0.80), "按期整改率<80%"),
    Rule(AMBER, "发生生产安全事故（统计期内事故起数 > 0）", _gt("accidents", 0), "发生事故"),
    Rule(AMBER, "事故迟报（上报时间晚于发生时间 1 小时以上）", _gt("late_reports", 0), "事故迟报"),
    Rule(AMBER, "事故“四不放过”未闭环（四项不全为“是”）", _gt("four_no_open", 0), "四不放过未闭环"),
    Rule(AMBER, "有未整改的重大隐患（未逾期）", _gt("major_open", 0), "重大隐患未整改"),
    Rule(AMBER, "按期整改率低于 90%", _lt("on_time_rate", 0.90), "按期整改率<90%"),
    Rule(AMBER, "逾期未整改隐患超过 5 项", _gt("overdue_open", 5), "逾期隐患>5项"),
)
RULE_METRICS = ("deaths", "major_accidents", "major_overdue", "accidents", "late_reports",
                "four_no_open", "major_open", "on_time_rate", "overdue_open")   # what classify() reads (+ breaches)
NO_DATA_TEXT = "统计期内没有上报隐患、事故等任何台账数据"
GREEN_TEXT = "以上情况均无"


def rules_text() -> list[tuple[str, str]]:
    """The rules as printed on the pages: (colour, sentence), in the order classify() applies them."""
    out = [(c, "满足任一条：" + "；".join(f"{r.text}〔{r.short}〕" for r in RULES if r.color == c)) for c in (RED, AMBER)]
    return out + [(GREEN, GREEN_TEXT), (NO_DATA, NO_DATA_TEXT)]


def classify(row: dict) -> tuple[str, list[str]]:
    """(colour, the reasons) for one company's metrics; red is checked first, then amber."""
    if not any((row.get(k) or 0) for k in ("hazards_found", "accidents", "overdue_open", "major_open", "has_rows")):
        return NO_DATA, [NO_DATA_TEXT]
    for color in (RED, AMBER):
        reasons = [r.text for r in RULES if r.color == color and r.test(row)]
        if reasons:
            return color, reasons
    return GREEN, []


def also(row: dict, color: str) -> list[str]:
    """The amber reasons of a red company (shown beside its red reasons, so nothing is hidden)."""
    return [r.text for r in RULES if r.color == AMBER and r.test(row)] if color == RED else []


def short_reasons(row: dict, color: str) -> str:
    """Every rule the row meets, in short words, the colour's own first: "突破控制指标、重大隐患逾期｜另：发生事故"."""
    if color not in (RED, AMBER):
        return ""
    own = [r.short for r in RULES if r.color == color and r.test(row)]
    rest = [r.short for r in RULES if r.color == AMBER and r.test(row)] if color == RED else []
    return "、".join(own) + (f"｜另：{'、'.join(rest)}" if rest else "")


def own_reasons(short: str) -> str:
    """Of short_reasons' words, the rules of the company's own colour only (what decides it): "突破控制指标、重大隐患逾期"."""
    return short.split("｜")[0]


def classify_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Adds columns rag, rag_reasons, rag_also (a red company's amber reasons) and rag_short (all of them in
    short words) to a per-company table."""
    rows = df.to_dict("records")
    res = [classify(r) for r in rows]
    return df.assign(rag=[c for c, _ in res], rag_reasons=["；".join(x) for _, x in res],
                     rag_also=["；".join(also(r, c)) for r, (c, _) in zip(rows, res)],
                     rag_short=[short_reasons(r, c) for r, (c, _) in zip(rows, res)])
