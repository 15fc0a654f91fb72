"""The store across processes, on both backends: the app, CLI runs and a killed writer share one DuckDB file or
one PostgreSQL database."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.companies import add_company
from analytics.store.backup import fingerprint
from analytics.store.db import Store, StoreBusy
from tests.dbs import file_held, golden_file, registry_store

ROOT = Path(__file__).resolve().parents[3]


def _child(*args: str, timeout: float = 300) -> subprocess.Popen:
    env = {**os.environ, "SAFETY_DB_TIMEOUT": "240", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.analytics.store.procs", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(p: subprocess.Popen) -> dict:
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def copy_db(src: str | Path, tmp_path: Path, name: str) -> str:
    """A copy of a closed database: a file copy, or on PostgreSQL a database made from it as template."""
    if "://" not in str(src):
        shutil.copy(src, tmp_path / name)
        return str(tmp_path / name)
    import psycopg
    base, _, db = str(src).rpartition("/")
    new = f"{db}_{name.replace('.', '_')}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{new}" TEMPLATE "{db}"')
    return f"{base}/{new}"


def test_two_writer_processes_and_twenty_readers_share_the_file(tmp_path, db):
    path = db
    s = Store(path)
    add_company(s, "甲公司")
    v0 = s.data_version()                      # the company (and, on PostgreSQL, creating the schema)
    s.close()
    batches, rows = 4, 500
    writers = [_child("writer", path, f"w{w}", batches, rows) for w in range(2)]
    readers = [_child("reader", path, 3, rows) for _ in range(20)]
    w_out = [_result(p) for p in writers]
    r_out = [_result(p) for p in readers]
    assert [e for o in w_out + r_out for e in o["errors"]] == []
    assert sum(o["torn"] for o in r_out) == 0
    assert all(o["monotonic"] for o in r_out)
    s = Store(path)
    assert s.scalar("SELECT count(*) FROM hazards") == 2 * batches * rows                 # nothing lost
    assert s.scalar("SELECT count(DISTINCT key) FROM hazards") == 2 * batches * rows      # nothing doubled
    assert s.scalar("SELECT count(*) FROM batches") == 2 * batches
    assert s.data_version() == v0 + 2 * batches                     # then every batch


def test_a_busy_file_waits_and_then_says_so_in_chinese(tmp_path):
    path = tmp_path / "busy.duckdb"
    Store(path).close()
    with file_held(path):
        with pytest.raises(StoreBusy, match="正被另一个程序.*占用，等待 0.2 秒后仍未释放"):
            Store(path, timeout=0.2)
    assert Store(path, timeout=0.2).data_version() == 0          # free again: opens at once


def test_the_cli_says_in_chinese_when_the_file_stays_busy(tmp_path, monkeypatch, capsys):
    from analytics.cli import main
    from analytics.store import db
    path = tmp_path / "cli-busy.duckdb"
    Store(path).close()
    monkeypatch.setenv("SAFETY_DB_TIMEOUT", "0.2")
    monkeypatch.setattr(db, "_STORES", {})
    with file_held(path):
        assert main(["--db", str(path), "batches"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：数据库 ") and "正被另一个程序" in err and "lock" not in err.lower(), err
    assert main(["--db", str(path), "batches"]) == 0          # free again


def test_the_file_is_free_once_the_process_is_idle(tmp_path):
    path = tmp_path / "idle.duckdb"
    s = Store(path, linger=0)
    s.scalar("SELECT 1")
    r = subprocess.run([sys.executable, "-c", "import duckdb,sys; duckdb.connect(sys.argv[1]).close()", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert s.scalar("SELECT 41 + 1") == 42                        # and reopens on the next read


def _state(path: Path) -> dict:
    s = Store(path, linger=0)
    try:
        return fingerprint(s, ignore=("uploaded_at",))
    finally:
        s.close()


def test_a_writer_killed_at_any_point_leaves_the_state_before_or_after(tmp_path, db):
    base = db
    registry_store(base).close()
    f = golden_file(tmp_path)
    before = _state(base)
    full = copy_db(base, tmp_path, "full.duckdb")
    run = _result(_child("kill", full, f, 0))
    assert run["status"] == "loaded"
    after = _state(full)
    assert after != before
    points = run["calls"]
    assert points >= 10, points                      # database calls of one ingest, plus the point after commit
    outcomes = []
    for k in range(1, points + 1):
        copy = copy_db(base, tmp_path, f"k{k}.duckdb")
        p = _child("kill", copy, f, k)
        p.communicate(timeout=300)
        assert p.returncode == -signal.SIGKILL, k
        got = _state(copy)
        assert got in (before, after), f"killed before call {k}: a state between before and after"
        outcomes.append("after" if got == after else "before")
    # killed before the commit: nothing; killed after it: the whole batch
    assert outcomes == ["before"] * (points - 1) + ["after"]


def test_close_while_another_thread_queries_waits_for_it(tmp_path):
    import threading
    s = Store(tmp_path / "c.duckdb", linger=60)
    inside, go = threading.Event(), threading.Event()
    got = []

    def reader():
        with s.read() as cur:
            inside.set()
            go.wait(30)
            got.append(cur.execute("SELECT 42").fetchone()[0])

    t = threading.Thread(target=reader)
    t.start()
    assert inside.wait(30)
    s.close()                                   # must not close the connection under the running read
    assert s._con is not None
    go.set()
    t.join(30)
    assert got == [42] and s._con is None       # released once the read ended
