"""AppTests of the meeting pages (issue 4): 总览, 会议模式, 指标考核, 事故, 培训与投入, 单位画像.

One database per module, built from every golden ledger of tests/builders.py (golden_files: the 陇原电力
hazard, training and investment ledgers, a 河西新能源 hazard ledger, the group accident ledger and the
2026 目标责任书). The expected figures are the hand-computed ones in those fixtures' docstrings, for
October 2026 (统计期 2026-10-01 … 2026-10-31, status as of 2026-10-31) unless a test says otherwise."""
from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics.ingest.pipeline import ingest_file
from tests.builders import HX, LY, golden_files, new_store
from tests.dbs import use_db_for_app

TODAY = dt.date(2026, 11, 5)
APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="module")
def golden_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("meeting")
    path = tmp / "golden.duckdb"
    s = new_store(str(path))
    for name, p in golden_files(tmp).items():
        res = ingest_file(s, p, today=TODAY, uploaded_by="测试")
        assert res.status == "loaded", (name, [e.line() for e in res.errors])
    s.close()
    return path


def _app(monkeypatch, path, page: str | None = None, october: bool = True) -> AppTest:
    use_db_for_app(monkeypatch, path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(page).run()
    if october:
        at.selectbox(key="f_preset").select("自定义").run()
        at.date_input(key="f_range").set_value((dt.date(2026, 10, 1), dt.date(2026, 10, 31))).run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at: AppTest, *columns: str, last: bool = False):
    """The first (or last) dataframe holding all these columns."""
    for d in (reversed(list(at.dataframe)) if last else at.dataframe):
        if all(c in d.value.columns for c in columns):
            return d.value
    raise AssertionError(f"no dataframe with {columns}: {[list(d.value.columns) for d in at.dataframe]}")


# ---------------------------------------------------------------- 总览
def test_overview_group_figures_rag_table_breaches_and_majors(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db)
    m = _metrics(at)
    assert (m["事故起数"], m["死亡人数"], m["重伤人数"], m["直接经济损失（万元）"], m["迟报"]) == ("4", "3", "1", "438.30", "1")
    assert m["安全生产天数"] == "6 天"                 # last accident 2026-10-25, as of 2026-10-31
    assert m["指标达标"] == "5/9"
    assert (m["排查隐患"], m["已整改"], m["隐患整改率"], m["逾期未整改"], m["重大隐患未整改"]) == ("6", "3", "50.0%", "2", "1")
    rag = next(t.value for t in at.table if {"单位", "状态", "原因"} <= set(t.value.columns))   # an HTML table
    assert dict(zip(rag["单位"], rag["状态"])) == {"陇原电力": "●\u00a0红", "河西新能源": "●\u00a0黄"}  # short names
    ly_reasons = rag.loc[rag["单位"] == "陇原电力", "原因"].iloc[0]
    assert ly_reasons.startswith("死亡事故、较大及以上事故、突破控制指标") and "另：发生事故" in ly_reasons
    assert rag.loc[rag["单位"] == "河西新能源", "原因"].iloc[0] == "发生事故"
    assert any("满足任一条：发生死亡事故" in md.value for md in at.markdown)     # the rules are printed
    breaches = _table(at, "考核指标", "控制目标", "实际值")
    assert breaches.to_dict("records") == [{"单位": LY, "考核指标": "生产安全事故死亡人数", "控制目标": "杜绝死亡事故",
                                            "实际值": "4 人", "依据": "台账计算"}]
    majors = _table(at, "隐患描述", "整改责任人", "整改期限")
    assert list(majors["隐患编号"]) == ["LY-03"] and majors["整改责任人"].iloc[0] == "王五"
    assert majors["整改期限"].iloc[0] == "2026-11-30"


def test_overview_row_click_shows_the_company_records(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db)
    pick = at.pills(key="ov_rag")                  # the companies under the table, red first
    assert pick.options[0].startswith("陇原电力（红）")
    pick.set_value(LY).run()
    _ok(at)
    assert [t.label for t in at.tabs] == ["未整改重大隐患（1）", "逾期未整改隐患（2）", "事故（3）", "未达标指标（4）"]
    assert any(b.label.startswith(f"下载 {LY} 问题明细") for b in at.get("download_button"))


def test_overview_needs_attention_lists_the_missing_ledgers(monkeypatch, golden_db):
    # 本年至今 ends on the last day with data (2026-11-02): September is past its due day (10-05),
    # and 河西新能源 sent no hazard, training or investment ledger for it.
    at = _app(monkeypatch, golden_db, october=False)
    flags = _table(at, "单位", "需要关注")
    assert flags.to_dict("records") == [{"单位": HX, "需要关注": "台账未报送 1 个月（2026-09）"}]


# ---------------------------------------------------------------- 指标考核
def test_indicator_page_statuses_breaches_first_and_heat_table(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/indicators.py")
    m = _metrics(at)
    assert (m["集团达标"], m["达标率"], m["突破控制指标"], m["未达标（含突破）"], m["无数据"]) == \
        ("5/9", "55.5%", "1 项", "3 项", "1 项")
    bad = _table(at, "考核指标", "状态", "突破指标")
    assert list(bad["考核指标"]) == ["生产安全事故死亡人数", "隐患整改率", "安全投入完成率"]   # the breach first
    assert list(bad["突破指标"]) == ["突破", "", ""]
    assert list(bad["台账计算值"]) == ["4 人", "33.3%", "77.0%"]
    grid = _table(at, "单位", "隐患整改率", "事故起数")
    row = grid.set_index("单位")
    assert row.loc[LY, "生产安全事故死亡人数"] == "突破 4 人"
    assert row.loc[LY, "培训合格率"] == "达标 94.9%"            # 56/59 = 0.9491
    assert row.loc[LY, "安全检查次数"] == "无数据"
    assert row.loc[LY, "应急演练次数"] == "达标 5 次"           # the reported 完成值
    assert row.loc[HX, "培训完成率"] == "达标 96.0%"
    assert row.loc[HX, "隐患整改率"] == "—"                    # 河西 has no such indicator
    full = _table(at, "考核指标", "考核采用", "数据核对", last=True)
    assert len(full) == 9
    assert dict(zip(full["考核指标"], full["考核采用"]))["应急演练次数"] == "填报完成值"


def test_indicator_cell_click_shows_the_records_behind_it(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/indicators.py")
    at.session_state["ind_matrix"] = {"selection": {"rows": [], "columns": [], "cells": [(0, "隐患整改率")]}}
    at.run()
    _ok(at)
    rows = _table(at, "隐患编号", "发现日期")
    assert sorted(rows["隐患编号"]) == ["LY-01", "LY-02", "LY-03", "LY-04", "LY-05", "LY-06"]   # the 6 of 2/6
    assert any("依据" in md.value and "6 条" in md.value for md in at.markdown)


# ---------------------------------------------------------------- 事故
def test_accident_page_figures_levels_and_open_items(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/accidents.py")
    m = _metrics(at)
    assert (m["事故起数"], m["较大及以上事故"], m["死亡人数"], m["重伤人数"], m["轻伤人数"]) == ("4", "1", "3", "1", "3")
    assert (m["直接经济损失（万元）"], m["迟报"], m["四不放过落实率"]) == ("438.30", "1", "75.0%")
    assert (m["集团合计"], m["陇原电力"], m["河西新能源"]) == ("6 天", "6 天", "21 天")     # short names on the cards
    levels = _table(at, "事故等级", "起数")
    assert dict(zip(levels["事故等级"], levels["起数"])) == {"一般": 3, "较大": 1, "重大": 0, "特别重大": 0}
    open_items = _table(at, "事故编号", "四不放过", "责任人处理")
    assert list(open_items["事故编号"]) == ["SG-02"] and open_items["四不放过"].iloc[0] == "未闭环：责任人处理（否）"
    late = _table(at, "事故编号", "上报用时（分钟）")
    assert list(late["事故编号"]) == ["SG-02"] and late["上报用时（分钟）"].iloc[0] == 150


def test_accident_month_bar_click_lists_and_downloads_its_accidents(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/accidents.py")
    at.session_state["acc_month"] = {"selection": {"points": [{"x": "2026-10", "customdata": ["一般"]}],
                                                   "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    _ok(at)
    assert any(md.value.startswith("#### 2026-10 一般事故明细（3 条）") for md in at.markdown)
    rows = _table(at, "事故编号", "事故简要经过")
    assert sorted(rows["事故编号"]) == ["HX-01", "SG-01", "SG-03"]
    assert any(b.label == "下载 Excel" for b in at.get("download_button"))


def test_accident_page_shows_every_month_with_zeros(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/accidents.py", october=False)     # 2026-01-01 … 2026-11-02
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    months = sorted({x for trace in fig["data"] for x in _values(trace["x"])})
    assert months == [f"2026-{m:02d}" for m in range(1, 12)]
    ys = {x: 0 for x in months}
    for trace in fig["data"]:
        for x, y in zip(_values(trace["x"]), _values(trace["y"])):
            ys[x] += int(y)
    assert ys["2026-09"] == 1 and ys["2026-10"] == 4 and ys["2026-01"] == 0


def _values(v) -> list:
    """A plotly array from the chart's JSON (numbers come base64-encoded as {"dtype", "bdata"})."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


# ---------------------------------------------------------------- 培训与投入
def test_training_and_investment_page_figures(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/training_investment.py")
    m = _metrics(at)
    assert (m["应参训人次"], m["实参训人次"], m["考核合格人次"]) == ("45", "41", "38")
    assert (m["培训完成率"], m["培训合格率"]) == ("91.1%", "92.6%")          # 41/45, 38/41
    assert (m["计划投入（万元）"], m["实际投入（万元）"], m["安全投入完成率"]) == ("27.00", "20.50", "75.9%")
    table = _table(at, "单位", "培训完成率", "安全投入完成率").set_index("单位")
    assert table.loc[LY, "培训完成率"] == "91.1%" and table.loc[HX, "培训完成率"] == "—"


def test_training_company_bar_click_lists_its_sessions(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/training_investment.py")
    at.session_state["tr_company"] = {"selection": {"points": [{"x": "陇原电力", "customdata": LY}],
                                                    "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    _ok(at)
    rows = _table(at, "培训日期", "培训内容", "应参训人数")
    assert len(rows) == 3 and rows["应参训人数"].sum() == 45


# ---------------------------------------------------------------- 单位画像
def test_company_profile_against_last_year_and_group(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/company_profile.py")
    assert at.selectbox(key="pf_company").value == LY
    m = _metrics(at)
    assert (m["排查隐患"], m["隐患整改率"], m["事故起数"], m["死亡人数"]) == ("5", "40.0%", "3", "3")
    comp = _table(at, "指标", "本单位", "上年同期", "集团", "集团内排名").set_index("指标")
    assert (comp.loc["排查隐患", "本单位"], comp.loc["排查隐患", "集团"]) == ("5", "6")
    assert comp.loc["隐患整改率", "集团"] == "50.0%" and comp.loc["隐患整改率", "集团内排名"] == "2/2"
    assert comp.loc["死亡人数", "上年同期"] == "0" and comp.loc["死亡人数", "同比"] == "↑3"
    ind = _table(at, "考核指标", "状态")
    assert len(ind) == 6 and ind["状态"].tolist().count("达标") == 2
    at.selectbox(key="pf_company").select(HX).run()
    _ok(at)
    assert _metrics(at)["排查隐患"] == "1"


# ---------------------------------------------------------------- 会议模式
def test_meeting_mode_slides_advance_and_show_the_year(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/meeting.py")
    m = _metrics(at)                                  # 本年累计 to 2026-10-31, and October
    assert (m["死亡人数"], m["重伤人数"], m["逾期未整改"], m["重大隐患未整改"]) == ("4", "1", "2", "1")
    assert m["隐患整改率"] == "42.8%"                  # 3/7, cut not rounded
    assert (m["排查隐患"], m["已整改"], m["重大隐患"], m["指标达标率"]) == ("6", "3", "1", "55.5%")   # 5/9, cut
    assert next(x.delta for x in at.metric if x.label == "指标达标率") == "5/9 项达标"
    at.button(key="mt_next").click().run()
    _ok(at)
    rag = at.table[0].value
    assert list(rag.iloc[:, 0]) == ["陇原电力", "河西新能源"]          # short names, red first
    at.button(key="mt_next").click().run()
    at.button(key="mt_next").click().run()
    _ok(at)
    assert any("未整改的重大隐患" in md.value for md in at.markdown)
    at.button(key="mt_prev").click().run()
    assert any("突破控制指标" in md.value for md in at.markdown)
    for _ in range(5):                                # 3 → 4 … 7 → 1
        at.button(key="mt_next").click().run()
        _ok(at)
    assert any(md.value.startswith("## 集团安全生产总览") for md in at.markdown)   # wraps round to slide 1
    at.toggle(key="mt_auto").set_value(True).run()
    _ok(at)


def test_meeting_slide_failure_shows_the_chinese_message_and_logs_it(monkeypatch, golden_db, caplog):
    """A slide is drawn inside an auto-refreshing fragment, outside app.py's guard: its failure must still be
    the Chinese message of app.py (never Streamlit's English error page), logged with its traceback, and the
    deck must keep working."""
    import analytics.figures.scorecard
    from ui.widgets import ERROR_TEXT
    at = _app(monkeypatch, golden_db, "pages/meeting.py")

    def broken(*a, **k):
        raise RuntimeError("boom")
    monkeypatch.setattr(analytics.figures.scorecard, "company_table", broken)     # slide 2 (红黄绿表) uses it
    with caplog.at_level("ERROR", logger="safety"):
        at.button(key="mt_next").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [ERROR_TEXT]
    assert any("meeting slide 2" in r.getMessage() and r.exc_info for r in caplog.records)
    assert any(c.value.startswith("第 2/7 页") for c in at.caption)          # the deck is still drawn
    at.button(key="mt_next").click().run()
    _ok(at)                                                                 # slide 3 works
