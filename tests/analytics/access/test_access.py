"""Accounts, roles × actions, the audit trail written with its change, registry rules (issue 10)."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics.access import actions, audit, roles, settings, users
from analytics.access.roles import ADMIN, UPLOAD, VIEW, AccessDenied, User
from analytics.companies import CompanyError, aliases, list_companies, registry
from tests.builders import golden_hazard_rows, xlsx
from tests.dbs import GOLDEN_TODAY, TEST_PASSWORD, add_user, golden_file, registry_store

ADMIN_U = User("guanli", ADMIN)
UPLOAD_U = User("anquanbu", UPLOAD, "安全部 张三")
VIEW_U = User("lingdao", VIEW)
SCOPED_U = User("hexi", UPLOAD, companies=("河西新能源有限公司",))


def _audit(s) -> list[tuple]:
    return s.rows("SELECT actor, action, outcome, target, detail FROM audit_log ORDER BY id")


# ------------------------------------------------------------------ passwords, lock-out, forced change
def test_password_hash_is_salted_scrypt_and_verifies():
    a, b = users.hash_password("abc12345"), users.hash_password("abc12345")
    assert a != b and a.startswith("scrypt$16384$8$1$")
    assert users.verify_password("abc12345", a) and not users.verify_password("abc12346", a)
    assert not users.verify_password("abc12345", "md5$x") and not users.verify_password("x", None)


def test_first_login_must_change_the_password_and_the_change_is_audited():
    s = registry_store()
    users.add_user(s, "命令行:root", "zhang", UPLOAD, password="chushi-123")
    res = users.login(s, "zhang", "chushi-123", "10.0.0.5")
    assert res.must_change and res.user.role == UPLOAD
    with pytest.raises(users.UserError, match="原密码不正确"):
        users.change_password(s, "zhang", "wrong-123", "xin-mima-456")
    with pytest.raises(users.UserError, match="不能与原密码相同"):
        users.change_password(s, "zhang", "chushi-123", "chushi-123")
    users.change_password(s, "zhang", "chushi-123", "xin-mima-456")
    assert not users.login(s, "zhang", "xin-mima-456").must_change
    assert [(a, act, o) for a, act, o, *_ in _audit(s)] == [
        ("命令行:root", "user_add", "成功"), ("zhang", "login", "成功"), ("zhang", "password_change", "成功"),
        ("zhang", "login", "成功")]
    assert s.scalar("SELECT address FROM audit_log WHERE id = 2") == "10.0.0.5"


@pytest.mark.parametrize("pw", ["short1", "12345678901", "abcdefghij"])
def test_weak_passwords_are_refused(pw):
    with pytest.raises(users.UserError):
        users.add_user(registry_store(), "a", "x", VIEW, password=pw)


def test_five_failures_lock_the_account_and_a_reset_lifts_the_lock():
    s = registry_store()
    add_user(s, "zhang", UPLOAD)
    t0 = dt.datetime(2026, 11, 3, 9, 0)
    for i in range(5):
        with pytest.raises(users.UserError, match="用户名或密码不正确"):
            users.login(s, "zhang", "wrong-pass-1", now=t0)
    with pytest.raises(users.UserError, match="已锁定"):         # even the right password while locked
        users.login(s, "zhang", TEST_PASSWORD, now=t0 + dt.timedelta(minutes=14))
    assert users.login(s, "zhang", TEST_PASSWORD, now=t0 + dt.timedelta(minutes=16)).user.username == "zhang"
    outcomes = [(act, o) for _, act, o, *_ in _audit(s)][1:]
    assert outcomes == [("login_failed", "失败")] * 5 + [("login_failed", "拒绝"), ("login", "成功")]
    for i in range(5):
        with pytest.raises(users.UserError):
            users.login(s, "zhang", "wrong-pass-1", now=t0 + dt.timedelta(minutes=20))
    users.reset_password(s, "guanli", "zhang", "linshi-789")
    assert users.login(s, "zhang", "linshi-789", now=t0 + dt.timedelta(minutes=21)).must_change


def test_unknown_and_disabled_users_get_the_same_answer_and_are_audited():
    s = registry_store()
    add_user(s, "zhang", UPLOAD)
    users.set_disabled(s, "guanli", "zhang")
    for name in ("zhang", "nobody"):
        with pytest.raises(users.UserError, match="^用户名或密码不正确$"):
            users.login(s, name, TEST_PASSWORD)
    assert users.get_user(s, "zhang") is None
    assert [(a, act) for a, act, *_ in _audit(s)][-2:] == [("zhang", "login_failed"), ("nobody", "login_failed")]


def test_sso_identity_maps_to_its_registered_role_and_strangers_are_refused():
    s = registry_store()
    users.add_user(s, "guanli", "li@example.cn", VIEW, sso=True)
    assert users.sso_login(s, ["li@example.cn", "sub-1"]).role == VIEW
    with pytest.raises(users.UserError, match="未在本系统登记"):
        users.sso_login(s, ["eve@example.cn", "sub-2"])
    with pytest.raises(users.UserError):          # an SSO account has no password to log in with
        users.login(s, "li@example.cn", "")
    assert [o for _, _, o, *_ in _audit(s)][-3:] == ["成功", "拒绝", "失败"]


# ------------------------------------------------------------------ roles × actions
EXPECTED = {VIEW: {"view", "download"}, UPLOAD: {"view", "download", "upload", "revert", "submissions"},
            ADMIN: set(roles.ACTIONS)}


@pytest.mark.parametrize("role", roles.ROLES)
@pytest.mark.parametrize("action", list(roles.ACTIONS))
def test_roles_by_actions(role, action):
    u = User("u", role)
    if action in EXPECTED[role]:
        assert roles.require(u, action) is u
    else:
        with pytest.raises(AccessDenied, match=roles.ACTIONS[action]):
            roles.require(u, action)
    with pytest.raises(AccessDenied, match="需要登录"):
        roles.require(None, action)


def test_a_scoped_user_may_act_on_its_own_companies_only():
    roles.require(SCOPED_U, "upload", ["河西新能源有限公司"])
    with pytest.raises(AccessDenied, match="只能处理本单位"):
        roles.require(SCOPED_U, "upload", ["河西新能源有限公司", "陇原电力有限公司"])
    assert roles.visible_companies(SCOPED_U, ["陇原电力有限公司", "河西新能源有限公司"]) == ["河西新能源有限公司"]


# ------------------------------------------------------------------ upload and revert, audited atomically
def test_upload_and_revert_are_audited_under_the_user_with_batch_file_and_sha(tmp_path, db):
    s = registry_store(db)
    data = golden_file(tmp_path).read_bytes()
    res = actions.upload(s, UPLOAD_U, data, "陇原10月.xlsx", today=GOLDEN_TODAY, address="10.1.1.1")
    assert res.status == "loaded"
    assert s.scalar("SELECT uploaded_by FROM batches") == "安全部 张三（anquanbu）"
    actor, action, outcome, target, detail = _audit(s)[-1]
    d = json.loads(detail)
    assert (actor, action, outcome, target) == ("安全部 张三（anquanbu）", "upload", "成功", "陇原10月.xlsx")
    assert d["sha256"] == res.sha256 and d["batches"] == [{"id": res.batch_ids[0], "ledger": "hazards",
                                                           "companies": ["陇原电力有限公司"], "rows": 7,
                                                           "inserted": 7, "updated": 0}]
    actions.revert(s, UPLOAD_U, res.batch_ids[0])
    actor, action, outcome, target, detail = _audit(s)[-1]
    assert (action, outcome, target, json.loads(detail)["rows"]) == ("revert", "成功", f"批次 {res.batch_ids[0]}", 7)
    assert s.scalar("SELECT reverted_by FROM batches") == "安全部 张三（anquanbu）"


def test_a_viewer_cannot_upload_or_revert_and_the_refusal_is_audited(tmp_path):
    s = registry_store()
    data = golden_file(tmp_path).read_bytes()
    with pytest.raises(AccessDenied):
        actions.upload(s, VIEW_U, data, "x.xlsx")
    with pytest.raises(AccessDenied):
        actions.upload(s, None, data, "x.xlsx")
    bid = actions.upload(s, UPLOAD_U, data, "x.xlsx", today=GOLDEN_TODAY).batch_ids[0]
    with pytest.raises(AccessDenied):
        actions.revert(s, VIEW_U, bid)
    assert s.scalar("SELECT status FROM batches") == "loaded"
    assert [(a, act, o) for a, act, o, *_ in _audit(s)] == [
        ("lingdao", "upload", "拒绝"), ("（未登录）", "upload", "拒绝"), ("安全部 张三（anquanbu）", "upload", "成功"),
        ("lingdao", "revert", "拒绝")]


def test_a_scoped_users_file_naming_another_company_is_refused_whole(tmp_path):
    s = registry_store()
    before = s.data_version()
    res = actions.upload(s, SCOPED_U, golden_file(tmp_path).read_bytes(), "陇原.xlsx", today=GOLDEN_TODAY)
    assert res.status == "rejected" and "只能处理本单位" in res.message
    assert s.scalar("SELECT count(*) FROM batches") == 0 and s.scalar("SELECT count(*) FROM hazards") == 0
    assert _audit(s)[-1][1:3] == ("upload", "拒绝")
    assert s.data_version() == before     # the refused write was rolled back with everything in it


def test_the_audit_row_and_the_change_commit_together(db):
    s = registry_store(db)

    def refuse(cur, ev):
        raise RuntimeError("磁盘已满")
    with pytest.raises(RuntimeError):
        with audit.audited(s, "x", "company_add", target="新单位", before=refuse):
            from analytics.companies import add_company
            add_company(s, "新单位有限公司")
    assert "新单位有限公司" not in list_companies(s)
    assert _audit(s) == [("x", "company_add", "失败", "新单位", json.dumps({"error": "磁盘已满"}, ensure_ascii=False))]


def test_the_engine_has_no_way_to_change_an_audit_row():
    import inspect
    import analytics
    from pathlib import Path
    root = Path(inspect.getfile(analytics)).parent
    hits = [p for p in root.rglob("*.py") if any(w in p.read_text(encoding="utf-8").upper()
                                                 for w in ("UPDATE AUDIT_LOG", "DELETE FROM AUDIT_LOG"))]
    assert hits == []


# ------------------------------------------------------------------ registry as 管理 actions
def test_registry_changes_are_admin_actions_and_a_taken_alias_is_refused():
    s = registry_store()
    with pytest.raises(AccessDenied):
        actions.add_company(s, UPLOAD_U, "假公司", ["陇原电力集团"])
    with pytest.raises(CompanyError, match="已属于“陇原电力有限公司”"):
        actions.add_company(s, ADMIN_U, "假公司", ["陇原电力有限责任公司"])
    assert "假公司" not in list_companies(s)
    actions.add_company(s, ADMIN_U, "假公司", ["假公司二号"])
    actions.rename_company(s, ADMIN_U, "假公司", "甲公司")
    assert registry(s).match("假公司") == "甲公司"             # the old name stays an alias
    actions.merge_companies(s, ADMIN_U, "甲公司", "河西新能源有限公司")
    assert registry(s).match("假公司二号") == "河西新能源有限公司" and "甲公司" not in list_companies(s)
    actions.retire_company(s, ADMIN_U, "河西新能源有限公司")
    assert list_companies(s) == ["陇原电力有限公司"] and registry(s).match("河西新能源") is None
    assert [(act, o) for _, act, o, *_ in _audit(s)] == [
        ("company_add", "拒绝"), ("company_add", "失败"), ("company_add", "成功"), ("company_rename", "成功"),
        ("company_merge", "成功"), ("company_retire", "成功")]


def test_rename_moves_the_rows_and_batches_to_the_new_name(tmp_path, db):
    s = registry_store(db)
    actions.upload(s, UPLOAD_U, golden_file(tmp_path).read_bytes(), "x.xlsx", today=GOLDEN_TODAY)
    actions.rename_company(s, ADMIN_U, "陇原电力有限公司", "陇原电力集团有限公司")
    assert s.rows("SELECT DISTINCT company FROM hazards") == [("陇原电力集团有限公司",)]
    assert s.scalar("SELECT companies FROM batches") == ["陇原电力集团有限公司"]
    # the old name stays matching: its alias row (kept as the short name 陇原电力 the registry lists) moved along
    assert aliases(s)["陇原电力集团有限公司"] == ["陇原电力"]
    assert registry(s).match("陇原电力有限公司") == "陇原电力集团有限公司"


def test_settings_are_admin_only_and_audited(db):
    s = registry_store(db)
    assert not settings.flag(s, "view_requires_login")
    with pytest.raises(AccessDenied):
        settings.set_value(s, UPLOAD_U, "view_requires_login", True)
    settings.set_value(s, ADMIN_U, "view_requires_login", True)
    assert settings.flag(s, "view_requires_login")
    assert _audit(s)[-1][:3] == ("guanli", "setting", "成功")


def test_trail_filters_by_actor_action_and_day(tmp_path):
    s = registry_store()
    add_user(s, "zhang", UPLOAD)
    users.login(s, "zhang", TEST_PASSWORD)
    with pytest.raises(users.UserError):
        users.login(s, "zhang", "nope-1234")
    assert len(audit.trail(s)) == 3
    assert audit.trail(s, actor="zhang", action="login_failed")["outcome"].tolist() == ["失败"]
    assert audit.trail(s, start=dt.date.today() + dt.timedelta(days=1)).empty
    view = audit.trail_view(audit.trail(s))
    assert list(view.columns)[:5] == ["序号", "时间", "操作人", "来源地址", "操作"] and "登录失败" in set(view["操作"])


# ------------------------------------------------------------------ 板块 scope and the registry import (issue 10 leftovers)
def _blocks(tmp_path):
    """陇原电力 and 河西新能源 in 能源板块; 丝路物流 alone; a 能源板块 officer `nengyuan`."""
    s = registry_store()
    actions.add_company(s, ADMIN_U, "丝路物流有限公司")
    for c in ("陇原电力有限公司", "河西新能源有限公司"):
        actions.set_parent(s, ADMIN_U, c, "能源板块")
    users.add_user(s, "guanli", "nengyuan", UPLOAD, password=TEST_PASSWORD, companies=["能源板块"])
    return s


def test_a_user_scoped_to_a_block_has_all_its_companies_and_follows_registry_changes(tmp_path):
    s = _blocks(tmp_path)
    u = users.get_user(s, "nengyuan")
    assert u.companies == ("陇原电力有限公司", "河西新能源有限公司") and u.scope == ("能源板块",)
    assert roles.visible_companies(u, list_companies(s)) == ["陇原电力有限公司", "河西新能源有限公司"]
    res = actions.upload(s, u, golden_file(tmp_path).read_bytes(), "x.xlsx", today=GOLDEN_TODAY)
    assert res.accepted, res.errors                                      # 陇原电力 is in 能源板块
    with pytest.raises(AccessDenied, match="能源板块"):
        roles.require(u, "upload", ["丝路物流有限公司"])
    actions.set_parent(s, ADMIN_U, "丝路物流有限公司", "能源板块")       # joins the 板块: in scope at once
    assert "丝路物流有限公司" in users.get_user(s, "nengyuan").companies
    actions.set_parent(s, ADMIN_U, "陇原电力有限公司", None)            # leaves it: out of scope at once
    assert "陇原电力有限公司" not in users.get_user(s, "nengyuan").companies
    with pytest.raises(users.UserError, match="单位或板块未登记"):
        users.add_user(s, "guanli", "x", UPLOAD, password=TEST_PASSWORD, companies=["不存在板块"])


def test_a_block_user_cannot_upload_another_blocks_file(tmp_path):
    s = registry_store()
    actions.set_parent(s, ADMIN_U, "河西新能源有限公司", "新能源板块")
    users.add_user(s, "guanli", "xny", UPLOAD, password=TEST_PASSWORD, companies=["新能源板块"])
    res = actions.upload(s, users.get_user(s, "xny"), golden_file(tmp_path).read_bytes(), "x.xlsx", today=GOLDEN_TODAY)
    assert not res.accepted and "新能源板块" in res.errors[0].message and "陇原电力有限公司" in res.errors[0].message
    assert s.scalar("SELECT count(*) FROM batches") == 0 and s.scalar("SELECT count(*) FROM hazards") == 0


def test_registry_import_and_block_edits_are_admin_actions_audited_in_their_transaction(tmp_path):
    s = registry_store()
    p = xlsx(tmp_path / "单位.xlsx", {"单位登记": [["单位名称", "简称或别名", "所属板块"],
                                                 ["陇原电力有限公司", "陇电", "能源板块"], ["丝路物流有限公司", None, None]]})
    with pytest.raises(AccessDenied):
        actions.import_registry(s, UPLOAD_U, p.read_bytes(), p.name)
    with pytest.raises(AccessDenied):
        actions.set_parent(s, UPLOAD_U, "陇原电力有限公司", "能源板块")
    assert "丝路物流有限公司" not in list_companies(s)
    done = actions.import_registry(s, ADMIN_U, p.read_bytes(), p.name)
    assert (done["added"], done["updated"]) == (1, 1)
    actions.set_parent(s, ADMIN_U, "丝路物流有限公司", "物流板块")
    bad = xlsx(tmp_path / "坏.xlsx", {"单位登记": [["单位名称"], ["甲公司"], ["甲公司"]]})
    with pytest.raises(CompanyError):
        actions.import_registry(s, ADMIN_U, bad.read_bytes(), bad.name)
    log = [(a, act, o, t, json.loads(d)) for a, act, o, t, d in _audit(s)]
    assert [(act, o) for _, act, o, _, _ in log] == [("registry_import", "拒绝"), ("company_parent", "拒绝"),
                                                    ("registry_import", "成功"), ("company_parent", "成功"),
                                                    ("registry_import", "失败")]
    ok = log[2][4]
    assert ok["companies"] == ["陇原电力有限公司", "丝路物流有限公司"] and ok["new"] == 1 and len(ok["sha256"]) == 64
    assert log[3][4] == {"from": None, "to": "物流板块"} and log[3][3] == "丝路物流有限公司"


def test_registry_import_audit_row_rolls_back_with_a_failed_import(tmp_path, monkeypatch):
    """The audit row is written by Store.write() before it commits: an import that fails inside its transaction
    leaves no 成功 row (and a 失败 row in its own transaction), and the registry as it was."""
    s = registry_store()
    p = xlsx(tmp_path / "单位.xlsx", {"单位登记": [["单位名称", "所属板块"], ["新单位有限公司", "能源板块"]]})
    from analytics import companies as reg
    real = reg._register

    def boom(cur, *a, **k):
        real(cur, *a, **k)
        raise RuntimeError("磁盘已满")
    monkeypatch.setattr(reg, "_register", boom)
    with pytest.raises(RuntimeError):
        actions.import_registry(s, ADMIN_U, p.read_bytes(), p.name)
    assert "新单位有限公司" not in list_companies(s)
    assert [(act, o) for _, act, o, *_ in _audit(s)] == [("registry_import", "失败")]


def test_revert_of_a_batch_naming_two_companies_is_allowed_and_audited(tmp_path):
    from tests import builders as b
    s = registry_store()
    p = b.merged_company_blocks(tmp_path / "两家.xlsx")
    assert actions.upload(s, UPLOAD_U, p.read_bytes(), p.name).status == "loaded"
    bid = s.scalar("SELECT max(id) FROM batches")
    assert actions.revert(s, UPLOAD_U, bid)["id"] == bid
    act, o, det = s.rows("SELECT action, outcome, detail FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert (act, o) == ("revert", "成功")
    assert sorted(json.loads(det)["companies"]) == ["河西新能源有限公司", "陇原电力有限公司"]
