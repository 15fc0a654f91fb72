"""AppTest smoke and golden checks for the hazard pages and the upload page (issue 2)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.builders import HAZARD_HEADER, xlsx
from tests.dbs import add_user, golden_file, golden_store, log_in, registry_store, use_db_for_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _app(monkeypatch, path, page: str | None = None, user: str | None = None) -> AppTest:
    use_db_for_app(monkeypatch, path)
    at = AppTest.from_file(APP, default_timeout=60)
    if user:
        log_in(at, user)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def _custom_october(at: AppTest) -> None:
    at.selectbox(key="f_preset").select("自定义").run()
    at.date_input(key="f_range").set_value((dt.date(2026, 10, 1), dt.date(2026, 10, 31))).run()


@pytest.fixture
def golden_db(tmp_path, db):
    """The golden hazard ledger, on each backend (a DuckDB file; a PostgreSQL database)."""
    golden_store(tmp_path, db).close()
    return db


def test_overview_kpis_match_golden(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db)
    _custom_october(at)
    assert not at.exception
    kpis = {m.label: m.value for m in at.metric}
    assert kpis["排查隐患"] == "5" and kpis["已整改"] == "2" and kpis["隐患整改率"] == "40.0%"
    assert kpis["按期整改率"] == "33.3%" and kpis["逾期未整改"] == "2" and kpis["重大隐患未整改"] == "1"
    assert not at.error


def test_trend_page_renders_zero_months(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/hazard_trends.py")
    _custom_october(at)
    assert not at.exception and not at.error
    assert any("排查" in t.value for t in at.title)
    at.segmented_control(key="trend_by").set_value("level").run()
    assert not at.exception


def test_rectification_page_lists_the_open_major_hazard(monkeypatch, golden_db):
    at = _app(monkeypatch, golden_db, "pages/rectification.py")
    _custom_october(at)
    assert not at.exception and not at.error
    majors = [d.value for d in at.dataframe if "隐患编号" in d.value.columns and "逾期天数" in d.value.columns]
    assert any(list(df["隐患编号"]) == ["LY-03"] and df["整改责任人"].iloc[0] == "王五" for df in majors)


def test_upload_through_the_page_changes_the_figures_and_revert_restores(monkeypatch, tmp_path, db):
    path = db
    s = registry_store(path)
    add_user(s, "anquanbu", "上传")
    s.close()
    at = _app(monkeypatch, path, "pages/upload.py", user="anquanbu")
    data = golden_file(tmp_path).read_bytes()
    at.file_uploader[0].set_value([("陇原电力10月隐患台账.xlsx", data, XLSX)])
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception
    assert any("已导入" in s.value and "7 行" in s.value for s in at.success), [s.value for s in at.success]
    at.switch_page("app.py" if False else "pages/overview.py").run()
    _custom_october(at)
    assert {m.label: m.value for m in at.metric}["排查隐患"] == "5"
    # the same file again: a no-op that says so
    at.switch_page("pages/upload.py").run()
    at.file_uploader[0].set_value([("陇原电力10月隐患台账.xlsx", data, XLSX)])
    at.run()
    at.button(key="up_go").click().run()
    assert any("未作任何改动" in i.value for i in at.info)
    # revert from the history tab
    at.selectbox(key="rv_pick").select_index(0).run()
    at.checkbox(key="rv_sure").check().run()
    at.button(key="rv_go").click().run()
    assert any("已撤销批次" in s.value for s in at.success)
    at.switch_page("pages/overview.py").run()
    _custom_october(at)
    assert {m.label: m.value for m in at.metric}["排查隐患"] == "0"


def test_upload_of_a_bad_file_lists_every_error_and_loads_nothing(monkeypatch, tmp_path):
    path = tmp_path / "bad.duckdb"
    s = registry_store(path)
    add_user(s, "anquanbu", "上传")
    s.close()
    bad = xlsx(tmp_path / "bad.xlsx", {"隐患": [
        ["填报单位：陇原电力有限公司"], HAZARD_HEADER,
        [1, "A1", "2026-13-45", "自查", "x", "问题一", "其他", "特大", "m", "o", dt.date(2026, 10, 9), "未整改", None, None],
        [2, "A2", dt.date(2026, 10, 3), "自查", "x", "问题二", "其他", "一般", "m", "o", dt.date(2026, 10, 9), "已整改",
         None, None]]})
    at = _app(monkeypatch, path, "pages/upload.py", user="anquanbu")
    at.file_uploader[0].set_value([("bad.xlsx", bad.read_bytes(), XLSX)])
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception
    assert any("已拒收" in e.value and "3 处错误" in e.value for e in at.error), [e.value for e in at.error]
    table = next(d.value for d in at.dataframe if "原因" in d.value.columns)
    assert table["行号"].tolist() == [3, 3, 4]
    assert table["列"].tolist() == ["发现日期", "隐患等级", "整改完成日期"]
    assert at.tabs[1] is not None
    assert any("还没有上传记录" in i.value for i in at.info)

    # a file with no ledger in it: the one reason is in the red box; no table of empty places repeats it
    other = xlsx(tmp_path / "other.xlsx", {"Sheet1": [["姓名", "电话"], ["张三", "123"]]})
    at.file_uploader[0].set_value([("other.xlsx", other.read_bytes(), XLSX)])
    at.run()
    at.button(key="up_go").click().run()
    assert not at.exception
    assert any("other.xlsx" in e.value and "未识别出台账" in e.value for e in at.error), [e.value for e in at.error]
    assert not [d for d in at.dataframe if "原因" in d.value.columns]
