"""The safety department's flows end to end in a real browser: upload a messy ledger and see the
figures move, revert it and see them come back, upload a bad file and read the error list, download
a table as Excel. (Runs after the page tour; the database is the session's demo copy.)"""
from __future__ import annotations

import openpyxl

from tests.browser.harness import App
from tests.browser.ledgers import BAD_DATE_ROW, BAD_LEVEL_ROW, bad_hazard_ledger, good_hazard_ledger


def _figures(app: App) -> dict:
    """排查隐患 / 已整改 on 总览 and the 隐患趋势 chart total, for the period chosen in the sidebar."""
    app.go("总览")
    found, rectified = app.metric("排查隐患"), app.metric("已整改")
    app.go("隐患趋势")
    totals = app.chart_totals()
    assert totals, "隐患趋势 shows no chart"
    return {"排查隐患": found, "已整改": rectified, "隐患趋势": totals[0]}


def test_upload_moves_the_figures_and_revert_brings_them_back(app: App, tmp_path):
    app.login("anquanbu")
    app.select("统计期间", "本月")
    start, end = app.window()
    before = _figures(app)
    assert before["隐患趋势"] == before["排查隐患"], f"the trend chart and the KPI disagree: {before}"

    path, rows, rectified = good_hazard_ledger(tmp_path / f"陇原电力_{start:%Y%m}_隐患排查治理台账_e2e.xlsx", start, end)
    app.go("数据上传")
    app.upload(path)
    app.button("导入")
    ok = app.alerts("Success")
    assert any(path.name in a and "已导入" in a for a in ok), f"no success message for {path.name}: {ok}"
    assert not app.alerts("Error"), app.alerts("Error")
    assert not app.problems()
    app.screenshot("upload_1_loaded")

    after = _figures(app)
    assert after == {"排查隐患": before["排查隐患"] + rows, "已整改": before["已整改"] + rectified,
                     "隐患趋势": before["隐患趋势"] + rows}, (before, after)
    app.screenshot("upload_2_trend_after_upload")

    app.go("数据上传")
    app.tab("上传记录与撤销")
    history = app.tables()[0]
    assert history["rows"] and path.name in history["rows"][0], f"newest batch is not ours: {history['rows'][:1]}"
    app.select("选择要撤销的批次", path.name)
    app.run(app.page.get_by_test_id("stCheckbox").filter(has_text="确认撤销").locator("label").click)
    app.button("撤销该批次")
    done = app.alerts("Success")
    assert any("已撤销批次" in a and path.name in a for a in done), done
    assert not app.problems()
    app.screenshot("upload_3_reverted")

    assert _figures(app) == before, "the figures did not come back after the revert"
    app.go("数据上传")
    app.tab("上传记录与撤销")
    history_after = app.tables()[0]
    ours = [r for r in history_after["rows"] if path.name in r]
    assert ours and "已撤销" in ours[0], f"the batch is not shown as reverted: {ours}"


def test_bad_file_shows_every_error(app: App, tmp_path):
    app.login("anquanbu")
    start, _ = app.window()
    path = bad_hazard_ledger(tmp_path / f"陇原电力_{start:%Y%m}_隐患台账_有错.xlsx", start.replace(day=1))
    app.go("数据上传")
    app.upload(path)
    app.button("导入")
    errors = app.alerts("Error")
    assert len(errors) == 1 and path.name in errors[0] and "已拒收" in errors[0], errors
    assert not app.problems(expect_errors=True)
    app.screenshot("upload_4_rejected")

    table = app.tables()[0]
    listed = [dict(zip(table["headers"], r)) for r in table["rows"]]
    assert table["rowcount"] == 2 and len(listed) == 2, f"expected exactly the 2 bad cells: {listed}"
    by_row = {r["行号"]: r for r in listed}
    assert {str(BAD_LEVEL_ROW), str(BAD_DATE_ROW)} == set(by_row), listed
    level, date = by_row[str(BAD_LEVEL_ROW)], by_row[str(BAD_DATE_ROW)]
    assert "隐患等级" in level["列"] and level["单元格内容"] == "特大" and "特大" in level["原因"], level
    assert "发现日期" in date["列"] and date["单元格内容"] == "2026-13-45" and "日期" in date["原因"], date

    app.tab("上传记录与撤销")
    assert not any(path.name in r for r in app.tables()[0]["rows"]), "a rejected file must not become a batch"


def test_download_excel_has_the_table_header(app: App, tmp_path):
    """The 下载 Excel under the first hazard table on 总览 (open major hazards) gives that table's rows
    with at least the columns shown."""
    app.open()
    app.go("总览")
    grid = app.page.get_by_test_id("stDataFrame").filter(
        has=app.page.locator("thead th").get_by_text("隐患编号", exact=True)).first
    shown = grid.evaluate("""d => { const t = d.querySelector('table[role="grid"]');
        return {headers: [...t.querySelectorAll('thead th')].map(th => th.innerText.trim()),
                rowcount: Number(t.getAttribute('aria-rowcount')) - 1, colcount: Number(t.getAttribute('aria-colcount'))}; }""")
    button = grid.locator('xpath=following::*[@data-testid="stDownloadButton"][1]').get_by_role("button")
    assert "下载 Excel" in button.inner_text(), button.inner_text()
    with app.page.expect_download() as dl:
        button.click()
    d = dl.value
    assert d.suggested_filename.endswith(".xlsx"), d.suggested_filename
    d.save_as(tmp_path / d.suggested_filename)
    ws = openpyxl.load_workbook(tmp_path / d.suggested_filename, read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    # every column the page shows is in the file (the file may carry more, e.g. the full record);
    # the grid only puts the columns in view into the DOM, hence its colcount for the count
    assert set(shown["headers"]) <= set(header) and len(header) >= shown["colcount"], (header, shown)
    assert {"单位", "隐患编号", "隐患描述"} <= set(header), header
    assert len(rows) - 1 == shown["rowcount"] > 0, (len(rows) - 1, shown)
    assert all(r[0] for r in rows[1:]), "a downloaded row without 单位"
