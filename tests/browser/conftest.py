"""Real-browser tests: one `streamlit run app.py` for the session on a fresh demo database, driven by
Chromium through Playwright. Marked `browser`, run last; SKIP_BROWSER=1 skips them."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.harness import CHROMIUM_ARGS, SHOTS, VIEWPORT, App, Server, find_chromium, load_demo

HERE = Path(__file__).resolve().parent
ACCOUNTS = (("lingdao", "浏览"), ("anquanbu", "上传"), ("guanli", "管理"))


def add_accounts(db: Path) -> None:
    """One account per role (first password already changed), before the server holds the database."""
    from analytics.store.db import Store
    from tests.dbs import add_user
    s = Store(db)
    for name, role in ACCOUNTS:
        add_user(s, name, role)
    s.close()


BROWSER_FIXTURES = {"app", "browser", "server", "chromium_path"}


def _is_browser_item(item) -> bool:
    """A test under tests/browser that drives the browser or the server (not the pure setup tests)."""
    return HERE in Path(str(item.path)).resolve().parents and bool(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Mark the tests under tests/browser that use the browser or server `browser`, move them to the end
    of the run (they are the slowest and need the rest to hold), and skip them when SKIP_BROWSER=1."""
    skip = os.environ.get("SKIP_BROWSER", "").strip() not in ("", "0")
    browser, others = [], []
    for item in items:
        if _is_browser_item(item):
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(pytest.mark.skip(reason="SKIP_BROWSER=1"))
            browser.append(item)
        else:
            others.append(item)
    items[:] = others + browser


@pytest.fixture(scope="session")
def chromium_path() -> str | None:
    try:
        path, _ = find_chromium()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    return path


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app on a fresh database filled with the demo data; stopped at the end of the session."""
    d = tmp_path_factory.mktemp("browser_app")
    db = d / "safety.duckdb"
    load_demo(db, d / "demo.log")
    add_accounts(db)
    srv = Server(db, d / "streamlit.log")
    try:
        srv.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import Error, sync_playwright
    for old in SHOTS.glob("*.png"):              # screenshots are of this run only
        old.unlink()
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        except Error as e:
            pytest.fail(f"Chromium ({chromium_path or 'Playwright build'}) does not start: {e}\n"
                        "Install it with: sudo apt-get install chromium fonts-noto-cjk "
                        "(or .venv/bin/python -m playwright install --with-deps chromium), or SKIP_BROWSER=1.",
                        pytrace=False)
        yield b
        b.close()


@pytest.fixture
def app(browser, server):
    """A fresh tab and Streamlit session (as a user in China would have it: zh-CN, Beijing time)."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True)
    try:
        yield App(ctx.new_page(), server)
    finally:
        ctx.close()
