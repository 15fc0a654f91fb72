"""Roles in the real browser: a 浏览 user sees no upload or revert control and a forged request (the upload
page's URL) is refused; an 上传 user's upload and revert appear in the audit trail under their name (issue 10)."""
from __future__ import annotations

from tests.browser.harness import App
from tests.browser.ledgers import good_hazard_ledger


def test_a_viewer_has_no_upload_or_revert_and_the_url_is_refused(app: App):
    app.login("lingdao")
    labels = [label for label, _ in app.nav_pages()]
    assert "数据上传" not in labels and "用户管理" not in labels and "审计日志" not in labels, labels
    assert not app.page.get_by_role("button", name="导入").count()
    app.open("upload")                        # forged: the page's URL typed in (a new session, not logged in)
    assert not app.page.get_by_test_id("stFileUploader").count()
    assert not app.page.get_by_role("button", name="撤销该批次").count()
    assert "数据上传" not in [label for label, _ in app.nav_pages()]
    app.screenshot("access_1_viewer_forged_upload_url")


def test_an_uploaders_upload_and_revert_are_in_the_audit_trail(app: App, browser, server, tmp_path):
    app.login("anquanbu")
    start, end = app.window()
    path, rows, _ = good_hazard_ledger(tmp_path / f"陇原电力_{start:%Y%m}_审计测试.xlsx", start, end)
    app.go("数据上传")
    app.upload(path)
    app.button("导入")
    assert any(path.name in a and "已导入" in a for a in app.alerts("Success")), app.alerts("Success")
    app.tab("上传记录与撤销")
    app.select("选择要撤销的批次", path.name)
    app.run(app.page.get_by_test_id("stCheckbox").filter(has_text="确认撤销").locator("label").click)
    app.button("撤销该批次")
    assert any("已撤销批次" in a for a in app.alerts("Success"))

    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    try:
        admin = App(ctx.new_page(), server)
        admin.login("guanli")
        admin.go("审计日志")
        table = admin.tables()[0]
        lines = [" | ".join(r) for r in table["rows"]]
        mine = [x for x in lines if "anquanbu" in x]
        assert any("撤销批次" in x and "成功" in x for x in mine), lines[:5]
        assert any("上传台账" in x and path.name in x and "成功" in x for x in mine), lines[:5]
        assert any("登录" in x for x in mine), lines[:5]
        admin.screenshot("access_2_audit_trail")
    finally:
        ctx.close()
