"""Databases for tests: an empty store with the registry, and a store holding the golden hazard ledger."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from analytics.store import db
from analytics.companies import add_company
from analytics.store.db import Store
from analytics.ingest.pipeline import ingest_file

from .builders import golden_hazard_rows, xlsx

GOLDEN_COMPANIES = (("陇原电力有限公司", ["陇原电力"]), ("河西新能源有限公司", ["河西新能源"]))
GOLDEN_TODAY = dt.date(2026, 11, 3)


def registry_store(path: Path | str = ":memory:") -> Store:
    s = Store(path)
    for name, aliases in GOLDEN_COMPANIES:
        add_company(s, name, aliases)
    return s


def golden_file(tmp: Path) -> Path:
    return xlsx(tmp / "陇原电力2026年10月隐患台账.xlsx", {"10月": golden_hazard_rows()})


def golden_store(tmp: Path, path: Path | str = ":memory:") -> Store:
    s = registry_store(path)
    res = ingest_file(s, golden_file(tmp), today=GOLDEN_TODAY, uploaded_by="测试")
    assert res.status == "loaded", res.errors
    return s


def use_db_for_app(monkeypatch, path: Path) -> None:
    """Point the app (AppTest) at a database file and forget stores/caches of earlier tests."""
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    # AppTest resets Streamlit's legacy pages/ flag before every run, so each run would start in
    # legacy mode, and ui.state's router guard would rerun it, dropping a button click. A real
    # server does that at most once per process, before any click. Keep the router mode on.
    original = PagesManager.__init__

    def init(self, *a, **kw):
        original(self, *a, **kw)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setenv("SAFETY_DB", str(path))
    if "SAFETY_TODAY" not in os.environ:       # the pages judge by "today": fix it (a test may set its own)
        monkeypatch.setenv("SAFETY_TODAY", GOLDEN_TODAY.isoformat())
    from analytics.figures import cache
    cache.join_rewarm()                         # an upload in an earlier test may still be recomputing figures
    for s in list(db._STORES.values()):
        s.close()
    db._STORES.clear()
    st.cache_resource.clear()


@contextmanager
def file_held(path: Path | str):
    """Another process holds the DuckDB file (as a running app or CLI import would) until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.communicate("", timeout=30)


TEST_PASSWORD = "ceshi-2026-pw"


def add_user(store: Store, username: str, role: str, companies: tuple[str, ...] = (), *, changed: bool = True) -> None:
    """An account as an administrator creates it; changed=True: its first password already changed."""
    from analytics.access import users
    users.add_user(store, "测试管理员", username, role, password=TEST_PASSWORD, companies=list(companies))
    if changed:
        with store.write(changes_data=False) as cur:
            cur.execute("UPDATE users SET must_change = false WHERE username = ?", [username])


def log_in(at, username: str) -> None:
    """An AppTest session logged in as the account (what the login form stores in the server-side session)."""
    at.session_state["auth_user"] = username
    at.session_state["auth_must_change"] = False


def deferred_downloads(monkeypatch) -> dict:
    """file name → (the callable a click on its download button would run, MIME type), for every deferred
    download the app registers from now on (Streamlit builds their bytes on click)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    deferred = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        deferred[file_name] = (data_callable, mimetype)
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return deferred
