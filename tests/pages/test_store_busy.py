"""A page while another process keeps the database busy: a Chinese notice, no error page; then normal again."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.store import db
from tests.dbs import file_held, golden_store, use_db_for_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_a_busy_database_shows_a_notice_and_the_next_rerun_recovers(monkeypatch, tmp_path):
    path = tmp_path / "busy.duckdb"
    golden_store(tmp_path, path).close()
    use_db_for_app(monkeypatch, path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception and not at.warning
    (store,) = db._STORES.values()
    store.timeout, store.linger = 0.3, 0
    store.close()
    with file_held(path):
        at.run()
        assert not at.exception and not at.error
        assert any("正被另一个程序" in w.value and "请稍后刷新页面" in w.value for w in at.warning), \
            [w.value for w in at.warning]
    at.run()
    assert not at.exception and not at.error and not at.warning
