"""Roles on the pages (server side: pages a role may not open are not registered) and hostile ledger text
through every page, shown as text (issue 10)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.access import settings
from analytics.access.roles import User
from analytics.companies import add_company
from analytics.ingest.pipeline import ingest_file
from tests.builders import golden_hazard_rows, xlsx
from tests.dbs import GOLDEN_TODAY, TEST_PASSWORD, add_user, log_in, registry_store, use_db_for_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = ["pages/overview.py", "pages/meeting.py", "pages/indicators.py", "pages/accidents.py",
         "pages/hazard_trends.py", "pages/rectification.py", "pages/training_investment.py",
         "pages/company_profile.py"]
EVIL_COMPANY = "![x](http://127.0.0.1:9/c.png)<b>恶意</b>有限公司"
EVIL_TEXT = "<img src=http://127.0.0.1:9/d.png>[点我](http://127.0.0.1:9/) :red[假] www.evil.example"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "acc.duckdb"
    s = registry_store(path)
    for name, role in (("lingdao", "浏览"), ("anquanbu", "上传"), ("guanli", "管理")):
        add_user(s, name, role)
    s.close()
    return path


def _app(monkeypatch, path, user: str | None) -> AppTest:
    use_db_for_app(monkeypatch, path)
    at = AppTest.from_file(APP, default_timeout=60)
    if user:
        log_in(at, user)
    at.run()
    assert not at.exception, at.exception
    return at


def _can_open(at: AppTest, page: str) -> bool:
    try:
        at.switch_page(page).run()
    except ValueError:               # not registered for this session: its URL leads nowhere
        return False
    assert not at.exception
    return True


ROLE_PAGES = {None: {"pages/account.py"} | set(PAGES), "lingdao": {"pages/account.py"} | set(PAGES),
              "anquanbu": {"pages/account.py", "pages/upload.py"} | set(PAGES),
              "guanli": {"pages/account.py", "pages/upload.py", "pages/users.py", "pages/audit.py"} | set(PAGES)}


@pytest.mark.parametrize("user", list(ROLE_PAGES))
def test_each_role_gets_exactly_its_pages(monkeypatch, db, user):
    at = _app(monkeypatch, db, user)
    allowed = {p for p in ["pages/upload.py", "pages/users.py", "pages/audit.py", "pages/account.py", *PAGES[:1]]
               if _can_open(at, p)}
    assert allowed == {p for p in ROLE_PAGES[user] if p in ["pages/upload.py", "pages/users.py", "pages/audit.py",
                                                            "pages/account.py", *PAGES[:1]]}


def test_a_run_reads_the_user_once_and_the_next_run_sees_a_disabled_account(monkeypatch, db):
    """The role checks of one run (the navigation, the page, the sidebar: ≈ 9) share one read of the user; the next
    run reads again, so an account disabled meanwhile is logged out there."""
    from analytics.access import users
    from analytics.store.db import Store
    at = _app(monkeypatch, db, "guanli")
    at.switch_page("pages/upload.py").run()
    reads = []
    real = users.get_user
    monkeypatch.setattr(users, "get_user", lambda store, name: reads.append(name) or real(store, name))
    at.run()
    assert not at.exception and reads == ["guanli"]
    assert any(b.label == "登记" for b in at.button)          # the admin's registry controls: the read user's role
    s = Store(db)
    users.set_disabled(s, "测试管理员", "guanli")
    s.close()
    at.run()
    assert reads == ["guanli", "guanli"]
    assert "auth_user" not in at.session_state                # logged out by the next run's read
    assert not _can_open(at, "pages/upload.py")


def test_viewing_can_require_a_login(monkeypatch, db):
    from analytics.store.db import Store
    s = Store(db)
    settings.set_value(s, User("guanli", "管理"), "view_requires_login", True)
    s.close()
    at = _app(monkeypatch, db, None)
    assert not _can_open(at, "pages/overview.py") and _can_open(at, "pages/account.py")
    assert any(b.label == "登录" for b in at.button)


def test_login_form_logs_in_forces_the_first_change_and_is_audited(monkeypatch, db):
    from analytics.access import users
    from analytics.store.db import Store
    s = Store(db)
    users.add_user(s, "guanli", "xin", "上传", password="chushi-123")
    s.close()
    at = _app(monkeypatch, db, None)
    at.switch_page("pages/account.py").run()
    at.text_input(key="login_user").input("xin")
    at.text_input(key="login_password").input("wrong-999")
    at.button[0].click().run()
    assert any("用户名或密码不正确" in e.value for e in at.error)
    at.text_input(key="login_password").input("chushi-123")
    at.button[0].click().run()
    assert not _can_open(at, "pages/upload.py")              # first the password change
    at.switch_page("pages/account.py").run()
    at.text_input(key="pw_old").input("chushi-123")
    at.text_input(key="pw_new").input("xin-mima-456")
    at.text_input(key="pw_again").input("xin-mima-456")
    next(b for b in at.button if b.label == "修改密码").click().run()
    assert _can_open(at, "pages/upload.py")
    assert any("上传人：xin" in c.value for c in at.caption)
    from analytics.store import db as dbm
    log = [r[0] for r in dbm.get_store(str(db)).rows("SELECT action FROM audit_log ORDER BY id")]
    assert log[-3:] == ["login_failed", "login", "password_change"]


def test_an_uploader_sees_no_registry_controls_and_an_admin_does(monkeypatch, db):
    at = _app(monkeypatch, db, "anquanbu")
    at.switch_page("pages/upload.py").run()
    assert not [b for b in at.button if b.label == "登记"]
    assert any("需要“管理”角色" in c.value for c in at.caption)
    at = _app(monkeypatch, db, "guanli")
    at.switch_page("pages/upload.py").run()
    assert [b for b in at.button if b.label == "登记"]


def test_a_scoped_user_sees_only_its_companies(monkeypatch, db):
    from analytics.store.db import Store
    s = Store(db)
    add_user(s, "hexi", "上传", ("河西新能源有限公司",))
    s.close()
    at = _app(monkeypatch, db, "hexi")
    assert at.multiselect(key="f_companies").options == ["河西新能源有限公司"]
    at.switch_page("pages/company_profile.py").run()
    assert at.selectbox(key="pf_company").options == ["河西新能源有限公司"]


def _markup_leaks(at: AppTest) -> list[str]:
    """Hostile text that would render as markup: a markdown source holding it unescaped."""
    out = []
    for el in [*at.markdown, *at.title, *at.header, *at.subheader, *at.caption, *at.info, *at.error, *at.success,
               *at.warning]:
        v = el.value
        for bad in ("![x](", "](http", "<img", "<b>恶意", ":red[", "www.evil"):
            if bad in v:
                out.append(f"{type(el).__name__}: {v[:120]}")
    return out


def test_hostile_ledger_text_is_text_on_every_page(monkeypatch, tmp_path):
    path = tmp_path / "evil.duckdb"
    s = registry_store(path)
    add_company(s, EVIL_COMPANY)
    rows = [list(r) for r in golden_hazard_rows()]
    rows[0] = [f"{EVIL_COMPANY}2026年10月隐患排查治理台账"]
    rows[1][0] = f"填报单位：{EVIL_COMPANY}"
    for r in rows[3:9]:
        if r and isinstance(r[0], int):
            r[4], r[5], r[9] = EVIL_TEXT, EVIL_TEXT + str(r[0]), "<a href=x>王五</a>"
    res = ingest_file(s, xlsx(tmp_path / "evil.xlsx", {"10月": rows}), today=GOLDEN_TODAY)
    assert res.status == "loaded", res.errors
    s.close()
    at = _app(monkeypatch, path, None)
    at.selectbox(key="f_preset").select("自定义").run()
    at.date_input(key="f_range").set_value((dt.date(2026, 10, 1), dt.date(2026, 10, 31))).run()
    leaks, checked = [], 0
    for page in PAGES:
        at.switch_page(page).run()
        if page == "pages/company_profile.py":
            at.selectbox(key="pf_company").select(EVIL_COMPANY).run()
        assert not at.exception, (page, at.exception)
        leaks += [f"{page}: {x}" for x in _markup_leaks(at)]
        for chart in at.get("plotly_chart"):
            spec = json.loads(chart.proto.spec)
            text = json.dumps(spec.get("data", []), ensure_ascii=False)
            assert "<img" not in text and "<a href" not in text and "<b>恶意" not in text, page
            checked += 1
    assert leaks == []
    assert checked > 0


def test_audit_page_shows_empty_cells_empty_and_downloads_text_not_formulas(monkeypatch, db):
    """审计日志: an entry without a source address shows a blank cell, not “None”; the download is an .xlsx built
    on click in which an audited target that looks like a formula stays text."""
    import io
    import openpyxl
    from analytics.access import audit
    from analytics.store.db import Store
    from tests.dbs import deferred_downloads
    s = Store(db)
    with s.write(changes_data=False) as cur:
        audit.record(cur, "guanli", "company_add", target='=HYPERLINK("http://127.0.0.1:9/","点我")')
    s.close()
    deferred = deferred_downloads(monkeypatch)
    at = _app(monkeypatch, db, "guanli")
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "来源地址" in d.value.columns)
    assert "None" not in table.astype(str).to_numpy().ravel().tolist()
    data, _ = deferred["审计日志.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data()))["数据"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
