"""The dashboard and the command line at once on one embedded database (issue 9): a real `streamlit run`
serves a page while the CLI ingests into the same file; both succeed and the next rerun shows the new figures."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.browser.harness import REPO, SHOTS, VIEWPORT, App, Server
from tests.builders import golden_files
from tests.dbs import registry_store


def _cli(db, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analytics", "--db", str(db), *map(str, args)], cwd=REPO,
                            env={**os.environ, "SAFETY_DB": str(db)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _done(p: subprocess.Popen) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=300)
    return p.returncode, out, err


def test_cli_ingests_while_the_app_serves_and_the_page_shows_it(browser, tmp_path):
    db = tmp_path / "shared.duckdb"
    registry_store(db).close()
    files = golden_files(tmp_path)
    assert _done(_cli(db, "ingest", files["hazards"]))[0] == 0
    srv = Server(db, tmp_path / "streamlit.log").start()
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        app = App(ctx.new_page(), srv)
        app.open()
        before = app.metric("排查隐患")
        assert before == 7                           # the golden 陇原 ledger, this year
        ingest = _cli(db, "ingest", files["hx_hazards"])
        app.run(lambda: app.page.reload())          # a rerun while the CLI writes: waits, never errors
        assert app.alerts("error") == []
        code, out, err = _done(ingest)
        assert code == 0 and "已导入" in out, out + err
        reader = _cli(db, "batches", "--format", "json")
        app.run(lambda: app.page.reload())
        assert app.metric("排查隐患") == before + 1  # the CLI's batch, on the next rerun
        code, out, err = _done(reader)
        assert code == 0, err
        assert [b["file"] for b in json.loads(out)] == [files["hazards"].name, files["hx_hazards"].name]
        assert "Traceback" not in srv.log_text()
    finally:
        ctx.close()
        srv.stop()


def test_two_app_servers_on_one_postgresql_and_the_cli(browser, tmp_path, pg_db):
    """Issue 9's server set-up: two `streamlit run` servers share one PostgreSQL database; an ingest through the
    CLI shows on both servers' next rerun."""
    registry_store(pg_db).close()
    files = golden_files(tmp_path)
    assert _done(_cli(pg_db, "ingest", files["hazards"]))[0] == 0
    servers = [Server(pg_db, tmp_path / f"streamlit{i}.log").start() for i in (1, 2)]
    ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        apps = [App(ctx.new_page(), srv) for srv in servers]
        for app in apps:
            app.open()
            assert app.metric("排查隐患") == 7
        code, out, err = _done(_cli(pg_db, "ingest", files["hx_hazards"]))
        assert code == 0 and "已导入" in out, out + err
        for app in apps:
            app.run(lambda: app.page.reload())
            assert app.metric("排查隐患") == 8 and app.alerts("error") == []
        for i, app in enumerate(apps):
            app.page.screenshot(path=str(SHOTS / f"pg_server{i + 1}.png"))
        assert all("Traceback" not in srv.log_text() for srv in servers)
    finally:
        ctx.close()
        for srv in servers:
            srv.stop()
