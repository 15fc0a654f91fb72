"""指标考核 tables (analytics/assessment.py) and the meeting company table (analytics/scorecard.py)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.figures.assessment import attainment, fmt_value, indicator_table, matrix, year_status
from analytics.ingest.pipeline import ingest_file
from analytics.figures.metrics import GROUP, Window
from analytics.figures.scorecard import behind_counts, behind_row, breach_list, company_table, with_last_year
from tests.builders import HX, LY, golden_files, new_store

OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("assessment")
    s = new_store()
    for p in golden_files(tmp).values():
        assert ingest_file(s, p, today=dt.date(2026, 11, 5), uploaded_by="测试").status == "loaded"
    return s


@pytest.mark.parametrize("value, pct, unit, comp, shown", [
    (0.9797, True, "%", ">=", "97.9%"),      # cut towards failing a ≥ target, never 98.0 %
    (0.98, True, "%", ">=", "98.0%"),        # exactly the target stays the target
    (0.9999, True, "%", ">=", "99.9%"),
    (0.0501, True, "%", "<=", "5.1%"),       # a ≤ target is cut upwards
    (1.0, False, "起", "<=", "1 起"),
    (12.78, False, "万元", "<=", "12.78 万元"),
    (None, True, "%", ">=", "—"),
    (float("nan"), False, "人", "<=", "—"),
])
def test_fmt_value(value, pct, unit, comp, shown):
    assert fmt_value(value, pct, unit, comp) == shown


def test_breaches_first_then_not_met_then_no_data_then_met(loaded):
    ev = year_status(loaded, 2026, dt.date(2026, 10, 31))
    t = indicator_table(ev)
    assert list(t["状态"]) == ["未达标"] * 3 + ["无数据"] + ["达标"] * 5
    assert t["突破指标"].iloc[0] == "突破" and t["考核指标"].iloc[0] == "生产安全事故死亡人数"
    assert list(t["目标值"].head(3)) == ["≤ 0 人", "≥ 95.0%", "≥ 100.0%"]


def test_matrix_cells_and_attainment(loaded):
    ev = year_status(loaded, 2026, dt.date(2026, 10, 31))
    grid, cols = matrix(ev)
    assert cols[:3] == ["重伤人数", "事故起数", "隐患整改率"]               # canonical order first
    row = grid.set_index("单位")
    assert row.loc[LY, "安全投入完成率"] == "未达标 77.0%" and row.loc[HX, "事故起数"] == "达标 1 起"
    att = attainment(ev).set_index("单位")
    assert att.loc[GROUP, ["指标数", "达标", "未达标", "突破", "无数据"]].tolist() == [9, 5, 3, 1, 1]
    assert att.loc[LY, "达标率"] == pytest.approx(2 / 6) and att.loc[HX, "达标率"] == 1.0


def test_reported_and_derived_disagree_is_flagged():
    ev = pd.DataFrame([{"company": LY, "indicator": "直接经济损失", "target": "≤10万元", "comparator": "<=",
                        "target_value": 10.0, "is_percent": False, "unit": "万元", "weight": 10.0, "reported": 8.5,
                        "derived": 12.78, "actual": 12.78, "source": "台账", "status": "未达标", "breach": True,
                        "differs": True, "rank": 0, "company_order": 0}])
    t = indicator_table(ev)
    assert t.loc[0, ["台账计算值", "填报完成值", "数据核对"]].tolist() == ["12.78 万元", "8.5 万元", "填报完成值与台账计算值不一致"]


def test_company_table_with_last_year_and_what_stands_behind_a_row(loaded):
    now = company_table(loaded, OCT)
    before = company_table(loaded, Window.of(dt.date(2025, 10, 1), dt.date(2025, 10, 31)))
    t = with_last_year(now, before).set_index("company")
    assert t.loc[LY, "rag"] == "红" and t.loc[LY, "rag_ly"] == "无数据" and t.loc[LY, "deaths_ly"] == 0
    assert t.loc[LY, "rag_short"].startswith("死亡事故、较大及以上事故、突破控制指标")
    assert t.loc[HX, "rag"] == "黄" and t.loc[HX, "rag_short"] == "发生事故"
    sheets = behind_row(loaded, OCT, LY)
    assert {k: len(v) for k, v in sheets.items()} == {"未整改重大隐患": 1, "逾期未整改隐患": 2, "事故": 3, "未达标指标": 4}
    assert behind_counts(loaded, OCT, LY) == {"未整改重大隐患": 1, "逾期未整改隐患": 2}     # the metrics count those rows
    head = behind_row(loaded, OCT, LY, limit=1)                  # a page reads the first rows of the hazard sheets
    assert {k: len(v) for k, v in head.items()} == {"未整改重大隐患": 1, "逾期未整改隐患": 1, "事故": 3, "未达标指标": 4}
    assert head["逾期未整改隐患"].equals(sheets["逾期未整改隐患"].head(1))
    assert breach_list(loaded, OCT).to_dict("records") == [
        {"单位": LY, "考核指标": "生产安全事故死亡人数", "控制目标": "杜绝死亡事故", "实际值": "4 人", "依据": "台账计算"}]
