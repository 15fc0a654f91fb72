"""The red/amber/green rules (analytics/rag.py) on hand-made rows: what the page prints is what they do."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.figures.rag import AMBER, GREEN, NO_DATA, RED, RULES, classify, classify_frame, rules_text, short_reasons

CLEAN = {"hazards_found": 20, "rectification_rate": 0.99, "on_time_rate": 0.97, "overdue_open": 0, "major_open": 0,
         "major_overdue": 0, "accidents": 0, "deaths": 0, "major_accidents": 0, "late_reports": 0,
         "four_no_open": 0, "breaches": 0}


def row(**kw) -> dict:
    return {**CLEAN, **kw}


def test_clean_company_is_green_with_no_reasons():
    assert classify(row()) == (GREEN, [])


def test_no_rows_at_all_is_no_data():
    empty = {k: 0 for k in CLEAN} | {"rectification_rate": None, "on_time_rate": None}
    color, reasons = classify(empty)
    assert color == NO_DATA and reasons == ["统计期内没有上报隐患、事故等任何台账数据"]


@pytest.mark.parametrize("change, reason", [
    ({"deaths": 1, "accidents": 1}, "发生死亡事故（统计期内死亡人数 > 0）"),
    ({"major_accidents": 1, "accidents": 1}, "发生较大及以上生产安全事故（国务院令第493号）"),
    ({"breaches": 1}, "突破目标责任书控制指标（≤ 类指标未达标）"),
    ({"major_overdue": 1, "major_open": 1}, "有逾期未整改的重大隐患"),
    ({"on_time_rate": 0.799}, "按期整改率低于 80%（已到整改期限的隐患中按期完成的不足八成）"),
])
def test_each_red_rule(change, reason):
    color, reasons = classify(row(**change))
    assert color == RED and reason in reasons


@pytest.mark.parametrize("change, reason", [
    ({"accidents": 1}, "发生生产安全事故（统计期内事故起数 > 0）"),
    ({"late_reports": 1, "accidents": 1}, "事故迟报（上报时间晚于发生时间 1 小时以上）"),
    ({"four_no_open": 1, "accidents": 1}, "事故“四不放过”未闭环（四项不全为“是”）"),
    ({"major_open": 1}, "有未整改的重大隐患（未逾期）"),
    ({"on_time_rate": 0.899}, "按期整改率低于 90%"),
    ({"overdue_open": 6}, "逾期未整改隐患超过 5 项"),
])
def test_each_amber_rule(change, reason):
    color, reasons = classify(row(**change))
    assert color == AMBER and reason in reasons and len(reasons) == 1 + ("accidents" in change and len(change) > 1)


def test_thresholds_are_exclusive_where_the_text_says_below_or_over():
    assert classify(row(on_time_rate=0.80))[0] == AMBER             # "低于 80%": not red at 80 %
    # 隐患整改率 is not a rule: this month's hazards are mostly open and not yet due, so the rate
    # would turn every company amber early in a month; 按期整改率 counts only what is due.
    assert classify(row(rectification_rate=0.10))[0] == GREEN
    assert classify(row(overdue_open=5))[0] == GREEN                # "超过 5 项"
    assert classify(row(on_time_rate=0.90))[0] == GREEN


def test_undefined_rates_do_not_trigger_rate_rules():
    assert classify(row(rectification_rate=None, on_time_rate=float("nan")))[0] == GREEN


def test_red_wins_and_the_amber_reasons_are_kept_beside_it():
    r = row(deaths=1, accidents=1, late_reports=1, on_time_rate=0.85)
    color, reasons = classify(r)
    assert color == RED and reasons == ["发生死亡事故（统计期内死亡人数 > 0）"]
    assert short_reasons(r, color) == "死亡事故｜另：发生事故、事故迟报、按期整改率<90%"
    df = classify_frame(pd.DataFrame([r, row()]))
    assert list(df["rag"]) == [RED, GREEN]
    assert df["rag_also"].iloc[0].startswith("发生生产安全事故") and df["rag_short"].iloc[1] == ""


def test_every_rule_is_printed_with_its_short_name():
    printed = dict(rules_text())
    for r in RULES:
        assert f"{r.text}〔{r.short}〕" in printed[r.color]
    assert set(printed) == {RED, AMBER, GREEN, NO_DATA}
    assert len({r.short for r in RULES}) == len(RULES)
