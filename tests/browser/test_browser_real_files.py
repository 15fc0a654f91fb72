"""Issue 8 through the page in a real browser: a merged-cell workbook with two companies loads under both
(point 1), a chosen company never overrides the companies the file names (point 2), and a corrected re-send
shows which hazards change which fields before and after loading (point 7). Each test reverts what it loaded,
so the session's demo copy is as before for the tests that follow."""
from __future__ import annotations

from tests import builders as b
from tests.browser.harness import App


def _revert(app: App, file_name: str, *, selected: bool = False) -> None:
    """Revert the batch of file_name; selected: it is already picked (picking it again runs no script)."""
    if not app.page.url.rstrip("/").endswith("/upload"):
        app.go("数据上传")
    app.tab("上传记录与撤销")
    if not selected:
        app.select("选择要撤销的批次", file_name)
    box = app.page.get_by_test_id("stCheckbox").filter(has_text="确认撤销")
    if not box.locator("input").is_checked():
        app.run(box.locator("label").click)
    app.button("撤销该批次")
    assert any("已撤销批次" in a and file_name in a for a in app.alerts("Success")), app.alerts("Success")


def _history_row(app: App, file_name: str) -> dict:
    app.tab("上传记录与撤销")
    t = app.tables()[0]
    rows = [dict(zip(t["headers"], r)) for r in t["rows"] if file_name in r]
    assert rows, f"{file_name} not in the history: {t['rows'][:3]}"
    return rows[0]


def test_merged_company_blocks_load_under_both_companies(app: App, tmp_path):
    app.login("anquanbu")          # 数据上传 is for 上传 and up (issue 10)
    app.go("总览")
    before = app.metric("排查隐患")
    path = b.merged_company_blocks(tmp_path / "集团汇总_合并单元格_e2e.xlsx")
    app.go("数据上传")
    app.upload(path)
    app.button("导入")
    ok = app.alerts("Success")
    assert any(path.name in a and "隐患排查治理台账 5 行" in a and "新增 5" in a for a in ok), (ok, app.alerts("Error"))
    assert not app.problems()
    row = _history_row(app, path.name)
    assert set(row["单位"].split("、")) == {"陇原电力有限公司", "河西新能源有限公司"} and row["行数"] == "5", row
    app.screenshot("issue8_1_merged_loaded")
    app.go("总览")
    assert app.metric("排查隐患") == before + 5
    _revert(app, path.name)
    app.go("总览")
    assert app.metric("排查隐患") == before


def test_chosen_company_does_not_override_the_file(app: App, tmp_path):
    app.login("anquanbu")          # 数据上传 is for 上传 and up (issue 10)
    path = b.two_company_column(tmp_path / "两家单位_e2e.xlsx")
    app.go("数据上传")
    app.select("文件中未写明单位时，归属单位", "陇原电力有限公司")
    app.upload(path)
    app.button("导入")
    errors = app.alerts("Error")
    assert len(errors) == 1 and "已拒收" in errors[0], errors
    t = app.tables()[0]
    listed = [dict(zip(t["headers"], r)) for r in t["rows"]]
    assert len(listed) == 1 and "河西新能源有限公司" in listed[0]["原因"] and "陇原电力有限公司" in listed[0]["原因"], listed
    assert "不一致" in listed[0]["原因"] and listed[0]["单元格内容"] == "河西新能源有限公司", listed
    assert not app.problems(expect_errors=True)
    app.screenshot("issue8_2_company_conflict")
    app.tab("上传记录与撤销")
    assert not any(path.name in r for r in app.tables()[0]["rows"]), "a rejected file must not become a batch"


def test_revision_shows_changed_fields_before_and_after_loading(app: App, tmp_path):
    app.login("anquanbu")          # 数据上传 is for 上传 and up (issue 10)
    first = b.hazard_revision(tmp_path / "陇原电力_修订前_e2e.xlsx", changed=False)
    second = b.hazard_revision(tmp_path / "陇原电力_修订后_e2e.xlsx")
    app.go("数据上传")
    app.upload(first)
    app.button("导入")
    assert any("新增 5、修改 0、未变 0" in a for a in app.alerts("Success")), app.alerts("Success")
    app.upload(second)
    app.button("预览改动（不导入）")
    info = app.alerts("Info")
    assert any(second.name in a and "预览" in a and "新增 1、修改 2、未变 3" in a for a in info), info
    expected = [["隐患排查治理台账", "R-02", "陇原电力有限公司", "整改状态", "未整改", "已整改"],
                ["隐患排查治理台账", "R-02", "陇原电力有限公司", "整改完成日期", "（空）", "2026-10-20"],
                ["隐患排查治理台账", "R-04", "陇原电力有限公司", "整改期限", "2026-10-25", "2026-11-05"]]
    changes = [t for t in app.tables() if "原值" in t["headers"]]
    assert changes and changes[0]["rows"] == expected, changes
    app.screenshot("issue8_3_revision_preview")
    app.tab("上传记录与撤销")
    assert not any(second.name in r for r in app.tables()[0]["rows"]), "a preview must not become a batch"
    app.tab("上传台账")
    app.button("导入")
    ok = app.alerts("Success")
    assert any(second.name in a and "新增 1、修改 2、未变 3" in a for a in ok), ok
    changes = [t for t in app.tables() if "原值" in t["headers"]]
    assert changes and changes[0]["rows"] == expected, changes
    app.screenshot("issue8_4_revision_loaded")
    app.tab("上传记录与撤销")                         # the batch keeps what it changed
    app.select("选择要撤销的批次", second.name)
    kept = [t for t in app.tables() if "原值" in t["headers"]]
    assert kept and kept[0]["rows"] == [r[1:] for r in expected], kept
    _revert(app, second.name, selected=True)     # the first upload's five numbered hazards stay (its batch is far down the list)
