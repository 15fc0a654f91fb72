"""事故 page shapes (analytics/accidents_view.py), accident records (analytics/records.py) and the
单位画像 comparison (analytics/profile.py) on the golden ledgers."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics.figures.accidents import by_level, by_type, monthly_by_level, safe_days
from analytics.ingest.pipeline import ingest_file
from analytics.figures.metrics import GROUP, Window
from analytics.figures.profile import comparison, monthly
from analytics.figures.records import accidents, behind
from tests.builders import HX, LY, golden_files, new_store

OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
OCT_LY = Window.of(dt.date(2025, 10, 1), dt.date(2025, 10, 31))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("accidents_view")
    s = new_store()
    for p in golden_files(tmp).values():
        assert ingest_file(s, p, today=dt.date(2026, 11, 5), uploaded_by="测试").status == "loaded"
    return s


def test_levels_all_four_and_types(loaded):
    lv = by_level(loaded, OCT)
    assert lv[["level", "accidents", "deaths"]].values.tolist() == [
        ["一般", 3, 0], ["较大", 1, 3], ["重大", 0, 0], ["特别重大", 0, 0]]
    t = by_type(loaded, OCT)
    assert dict(zip(t["type"], t["accidents"])) == {"高处坠落": 1, "机械伤害": 1, "触电": 1, "其它伤害": 1}
    assert t["type"].iloc[0] == "高处坠落"                      # ties broken by deaths


def test_every_month_even_without_accidents(loaded):
    spring = monthly_by_level(loaded, Window.of(dt.date(2026, 3, 1), dt.date(2026, 5, 31)))
    assert spring.groupby("period")["value"].sum().tolist() == [0, 0, 0]
    ytd = monthly_by_level(loaded, Window.of(dt.date(2026, 1, 1), dt.date(2026, 10, 31)))
    assert ytd.groupby("period")["value"].sum().tolist() == [0] * 8 + [1, 4]


def test_safe_days(loaded):
    d = safe_days(loaded, OCT).set_index("company")
    assert d.loc[GROUP, "days"] == 6 and d.loc[LY, "days"] == 6 and d.loc[HX, "days"] == 21
    assert d.loc[HX, "last_accident"] == dt.date(2026, 10, 10)
    early = safe_days(loaded, Window.of(dt.date(2026, 9, 1), dt.date(2026, 9, 30))).set_index("company")
    assert early.loc[HX, "last_accident"] is None and early.loc[HX, "short"] == "无事故记录"
    assert early.loc[HX, "note"].startswith("自 2026-09-01（台账最早日期）以来无事故记录")


def test_accident_records_late_and_open_items(loaded):
    rows = accidents(loaded, OCT).set_index("事故编号")
    assert rows.loc["SG-02", "上报情况"] == "迟报" and rows.loc["SG-02", "上报用时（分钟）"] == 150
    assert rows.loc["SG-03", "上报情况"] == "按时"                # exactly one hour is on time
    assert rows.loc["SG-02", "四不放过"] == "未闭环：责任人处理（否）" and rows.loc["SG-01", "四不放过"] == "已闭环"
    assert list(accidents(loaded, OCT, only="late")["事故编号"]) == ["SG-02"]
    assert list(accidents(loaded, OCT, only="major")["事故编号"]) == ["SG-02"]
    assert list(accidents(loaded, OCT, [LY], level="一般")["事故编号"]) == ["SG-03", "SG-01"]
    assert len(behind(loaded, "training_completion", OCT, [LY])) == 3
    assert len(behind(loaded, "investment_completion", OCT, [LY])) == 3
    assert list(behind(loaded, "major_open", OCT)["隐患编号"]) == ["LY-03"]


def test_profile_against_the_group_and_last_year(loaded):
    c = comparison(loaded, OCT, OCT_LY, LY).set_index("metric")
    assert (c.loc["hazards_found", "company"], c.loc["hazards_found", "group"]) == (5, 6)
    assert c.loc["rectification_rate", "rank"] == "2/2" and c.loc["hazards_found", "rank"] == ""
    assert c.loc["deaths", "company_ly"] == 0 and c.loc["deaths", "rank"] == "2/2"
    m = monthly(loaded, "hazards_found", Window.of(dt.date(2026, 9, 1), dt.date(2026, 10, 31)), OCT_LY, LY)
    assert (m["月份"].tolist(), m["本单位"].tolist(), m["集团"].tolist()) == (["2026-09", "2026-10"], [1, 5], [1, 6])
    assert m["上年同期"].isna().tolist() == [True, False] and m["上年同期"].iloc[1] == 0   # October beside October


def test_a_rank_shared_with_others_says_so(tmp_path):
    """At 200 companies most have no accident: a bare "1/200" would read as the best of the group."""
    from analytics.companies import add_company
    s = new_store()
    for p in golden_files(tmp_path).values():
        assert ingest_file(s, p, today=dt.date(2026, 11, 5), uploaded_by="测试").status == "loaded"
    add_company(s, "无台账有限公司")                 # registered, nothing reported: 0 accidents, no rates
    c = comparison(s, OCT, OCT_LY, HX).set_index("metric")
    assert c.loc["deaths", "company"] == 0 and c.loc["deaths", "rank"] == "1/3（2家并列）"   # 陇原电力 3 deaths
    assert c.loc["accidents", "rank"] == "2/3"              # one accident: behind the company without any
    assert c.loc["rectification_rate", "rank"] == "1/2"     # the company without hazards has no rate: not ranked
    alone = comparison(s, OCT, OCT_LY, "无台账有限公司").set_index("metric")
    assert alone.loc["accidents", "rank"] == "1/3" and alone.loc["deaths", "rank"] == "1/3（2家并列）"
    assert comparison(s, OCT, OCT_LY, LY).set_index("metric").loc["deaths", "rank"] == "3/3"


def test_profile_series_asked_together_equal_each_series_alone(loaded):
    from analytics.figures import metrics
    from analytics.figures.profile import PROFILE_SERIES
    w = Window.of(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    for name in PROFILE_SERIES:
        m = monthly.uncached(loaded, name, w, OCT_LY, LY)
        alone = metrics.frame.uncached(loaded, [name], w, None, freq="month")
        assert m["本单位"].tolist() == alone[alone["company"] == LY][name].tolist()
        assert m["集团"].tolist() == alone[alone["company"] == GROUP][name].tolist()
