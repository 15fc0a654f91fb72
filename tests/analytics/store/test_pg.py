"""The PostgreSQL server store: the dialect layer, the mirror (one consistent state, refreshed per table), two
stores (two app servers) on one database, and the Chinese messages when the server cannot be reached."""
from __future__ import annotations

import threading

import pytest

from analytics.companies import add_company, list_companies
from analytics.store import pg
from analytics.store.db import Store, StoreError
from tests.analytics.store.procs import hazard_batch
from tests.dbs import registry_store


def test_translate_placeholders_types_and_percent():
    assert pg.translate("SELECT ? , '?' , x FROM t WHERE a = ?", [1, 2]) == "SELECT %s , '?' , x FROM t WHERE a = %s"
    assert pg.translate("SELECT $start, '$x'", {"start": 1}) == "SELECT %(start)s, '$x'"
    assert pg.translate("CREATE TABLE t (a DOUBLE, b DOUBLE PRECISION)") == \
        "CREATE TABLE t (a DOUBLE PRECISION, b DOUBLE PRECISION)"
    assert pg.translate("SELECT strftime(d, '%Y') || ?", [1]) == "SELECT strftime(d, '%%Y') || %s"
    assert pg.translate("AS $body$ BEGIN END $body$") == "AS $body$ BEGIN END $body$"


def test_two_stores_on_one_database_see_each_others_writes_on_the_next_read(pg_db):
    a, b = Store(pg_db), Store(pg_db)               # two app servers (or an app and the CLI)
    assert list_companies(b) == []
    v = b.data_version()                            # 1: creating the schema moved it once
    add_company(a, "甲公司", ["甲"])
    assert list_companies(b) == ["甲公司"] and b.data_version() == a.data_version() == v + 1 == 2


def test_the_mirror_copies_only_the_tables_a_write_changed(pg_db):
    s = registry_store(pg_db)
    s.scalar("SELECT 1")
    from analytics.ingest.load import write_batch
    add_company(s, "甲公司")
    s.scalar("SELECT 1")
    assert set(s._pg._mirror.copied) == {"meta", "companies", "company_aliases"}
    write_batch(s, hazard_batch("a", 3))
    assert s.scalar("SELECT count(*) FROM hazards") == 3
    assert set(s._pg._mirror.copied) == {"meta", "hazards", "hazards_versions", "batches"}


def test_a_read_that_started_keeps_its_state_while_a_refresh_lands(pg_db):
    s = registry_store(pg_db)
    other = Store(pg_db)                                # another server writes meanwhile
    started, refreshed = threading.Event(), threading.Event()
    seen = {}

    def long_read():
        with s.read() as cur:
            seen["first"] = cur.execute("SELECT count(*) FROM companies").fetchall()[0][0]
            started.set()
            assert refreshed.wait(60)
            seen["second"] = cur.execute("SELECT count(*) FROM companies").fetchall()[0][0]

    t = threading.Thread(target=long_read)
    t.start()
    assert started.wait(60)
    add_company(other, "丙公司")
    assert s.scalar("SELECT count(*) FROM companies") == 3     # this thread's next read: the new state
    refreshed.set()
    t.join(60)
    assert seen == {"first": 2, "second": 2}                     # the read in progress: one state throughout


def test_reads_inside_a_write_see_the_transaction(pg_db):
    s = registry_store(pg_db)
    with pytest.raises(RuntimeError):
        with s.write() as cur:
            cur.execute("INSERT INTO companies (name) VALUES (?)", ["乙公司"])
            assert cur.execute("SELECT count(*) FROM companies").fetchall()[0][0] == 3
            raise RuntimeError("roll back")
    assert s.scalar("SELECT count(*) FROM companies") == 2 and s.data_version() == 3   # schema + 2 companies


def test_unreachable_server_and_refused_login_are_said_in_chinese(pg_server, pg_db, capsys):
    from analytics.cli import main
    down = f"postgresql://safety:secret@127.0.0.1:{pgserver_free_port()}/x"
    with pytest.raises(StoreError, match="无法连接 PostgreSQL 服务器") as e:
        Store(down, timeout=2)
    assert "secret" not in str(e.value)
    bad = pg_db.replace(pg_server.password, "wrong-password")
    with pytest.raises(StoreError, match="拒绝登录.*用户名或密码错误"):
        Store(bad)
    missing = pg_server.url("no_such_db")
    with pytest.raises(StoreError, match="没有这个数据库"):
        Store(missing)
    assert main(["--db", bad, "batches"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：PostgreSQL 服务器拒绝登录") and "Traceback" not in err and "wrong-password" not in err


def test_the_app_shows_the_message_when_the_server_is_down(monkeypatch, pg_server):
    from pathlib import Path
    from streamlit.testing.v1 import AppTest
    from tests.dbs import use_db_for_app
    use_db_for_app(monkeypatch, f"postgresql://safety:x@127.0.0.1:{pgserver_free_port()}/x")
    monkeypatch.setenv("SAFETY_DB_TIMEOUT", "2")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[3] / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("无法连接 PostgreSQL 服务器" in e.value for e in at.error), [e.value for e in at.error]


def pgserver_free_port() -> int:
    from tests.pgserver import _free_port
    return _free_port()
