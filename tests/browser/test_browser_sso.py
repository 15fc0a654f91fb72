"""Single sign-on end to end: the app against a local OpenID Connect provider (oidc-provider-mock) started by the
test on 127.0.0.1 — log in through the provider, get the role mapped to the e-mail, log out (issue 10)."""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser.harness import VIEWPORT, App, Server, free_port


@pytest.fixture
def idp(tmp_path):
    port = free_port()
    claims = json.dumps({"sub": "li-0001", "email": "li@example.cn", "name": "李领导"})
    log = open(tmp_path / "idp.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "-p", str(port), "--user-claims", claims],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):
                break
        except OSError:
            try:
                proc.wait(timeout=0.2)
                pytest.fail(f"oidc-provider-mock exited: {(tmp_path / 'idp.log').read_text()}")
            except subprocess.TimeoutExpired:
                pass
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_sso_login_gets_the_mapped_role_and_logs_out(browser, idp, tmp_path):
    from analytics.access import users
    from tests.dbs import registry_store
    db = tmp_path / "sso.duckdb"
    s = registry_store(db)
    users.add_user(s, "测试管理员", "li@example.cn", "上传", sso=True, display_name="李领导")
    s.close()

    def secrets(port: int) -> list[str]:
        f = tmp_path / f"secrets_{port}.toml"
        f.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "test-cookie-secret-0123456789abcdef"
client_id = "safety-dashboard"
client_secret = "test-secret"
server_metadata_url = "{idp}/.well-known/openid-configuration"
''', encoding="utf-8")
        return ["--secrets.files", str(f)]

    srv = Server(db, tmp_path / "streamlit.log", extra=secrets).start()
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        app = App(ctx.new_page(), srv)
        app.open("account")
        assert "数据上传" not in [label for label, _ in app.nav_pages()]
        app.page.get_by_role("button", name="使用统一身份认证登录").click()
        app.page.wait_for_url(f"{idp}/**", timeout=30_000)
        app.page.locator('input[name="sub"]').first.fill("li-0001")
        with app.page.expect_websocket(lambda ws: ws.url.endswith("/_stcore/stream"), timeout=30_000):
            app.page.get_by_role("button", name="Authorize").click()
        app.page.wait_for_url(f"{srv.url}/**", timeout=30_000)
        app.page.get_by_test_id("stSidebarNavLink").filter(has_text="数据上传").wait_for(timeout=30_000)
        app.go("账户")
        text = app.page.get_by_test_id("stMain").inner_text()
        assert "li@example.cn" in text and "上传" in text, text[:300]
        app.screenshot("access_3_sso_logged_in")
        app.page.get_by_role("button", name="退出登录").click()
        app.page.wait_for_url(f"{idp}/**", timeout=30_000)            # the provider ends its session too
        app.page.get_by_role("button", name="End session").click()
        app.page.wait_for_url(f"{srv.url}/**", timeout=30_000)
        app.open("account")                                           # back in the app, logged out
        app.page.get_by_role("button", name="使用统一身份认证登录").wait_for(timeout=30_000)
        assert "数据上传" not in [label for label, _ in app.nav_pages()]
        from analytics.store.db import Store

    finally:
        ctx.close()
        srv.stop()
    s = Store(db)
    actions = [r[0] for r in s.rows("SELECT action FROM audit_log WHERE actor LIKE '%li@example.cn%' ORDER BY id")]
    s.close()
    assert actions[-2:] == ["login", "logout"], actions
