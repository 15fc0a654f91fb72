"""Backup → restore gives back exactly the store: every table, the metrics and the batch history."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics.cli import main
from analytics.companies import add_company
from analytics.figures.metrics import Window, compute
from analytics.ingest.load import revert_batch
from analytics.ingest.pipeline import ingest_file
from analytics.store.backup import backup, fingerprint, restore
from analytics.store.db import Store, StoreError
from analytics.store.history import batches
from tests.analytics.store.procs import hazard_batch
from tests.builders import HX, LY, golden_files
from tests.dbs import GOLDEN_TODAY, registry_store

W = Window.of(dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 11, 3))


def _loaded(tmp_path, name="live.duckdb") -> Store:
    s = registry_store(tmp_path / name)
    for f in golden_files(tmp_path).values():
        assert ingest_file(s, f, today=GOLDEN_TODAY, uploaded_by="测试").accepted
    revert_batch(s, 2, "测试")                              # history holds a reverted batch too
    return s


def test_restore_gives_identical_tables_metrics_and_history(tmp_path):
    s = _loaded(tmp_path)
    want_fp, want_metrics, want_batches, v = fingerprint(s), compute(s, W), batches(s), s.data_version()
    m = backup(s, tmp_path / "bk")
    assert m["data_version"] == v and m["tables"]["batches"]["rows"] == len(want_batches) == 6
    add_company(s, "事后新增有限公司")                      # after the backup: not in it
    r = restore(tmp_path / "bk", tmp_path / "restored.duckdb")
    assert r["kept"] is None
    t = Store(tmp_path / "restored.duckdb")
    assert fingerprint(t) == want_fp
    assert compute(t, W) == want_metrics
    assert batches(t).equals(want_batches)
    assert t.data_version() == v
    # ids go on where they stopped: the next batch and company get new numbers, not reused ones
    add_company(t, "恢复后新增有限公司")
    assert t.scalar("SELECT max(id) FROM companies") == s.scalar("SELECT max(id) FROM companies")
    from analytics.ingest.load import write_batch
    assert write_batch(t, hazard_batch("next", 1)) == 7


def test_restore_over_the_live_file_keeps_the_replaced_one(tmp_path):
    s = _loaded(tmp_path)
    s.linger = 60                                            # this process keeps its connection open meanwhile
    want = fingerprint(s)
    backup(s, tmp_path / "bk")
    add_company(s, "事后新增有限公司")
    before = s.data_version()
    r = restore(tmp_path / "bk", s.path)                     # the same process still holds a Store on it
    got = fingerprint(s)                                     # it reopens the restored file
    assert got.pop("meta") != want.pop("meta")
    assert got == want
    assert s.data_version() == before + 1                    # a number the replaced state never had: no stale cache
    kept = Store(r["kept"])
    assert "事后新增有限公司" in [x[0] for x in kept.rows("SELECT name FROM companies")]


def test_a_backup_taken_while_a_writer_runs_is_one_consistent_state(tmp_path):
    import subprocess, sys, os
    from tests.analytics.store.test_processes import ROOT
    path = tmp_path / "busy.duckdb"
    s = Store(path)
    add_company(s, "甲公司")
    s.close()
    w = subprocess.Popen([sys.executable, "-m", "tests.analytics.store.procs", "writer", str(path), "w", "6", "2000"],
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "SAFETY_DB_TIMEOUT": "240"},
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    s = Store(path, timeout=240, linger=0)
    while s.scalar("SELECT count(*) FROM batches") == 0:    # bounded by the writer: it loads 6 batches
        assert w.poll() is None, w.communicate()
    m = backup(s, tmp_path / "bk")
    out, err = w.communicate(timeout=300)
    assert w.returncode == 0 and json.loads(out)["errors"] == [], err
    restore(tmp_path / "bk", tmp_path / "r.duckdb")
    t = Store(tmp_path / "r.duckdb")
    n = t.scalar("SELECT count(*) FROM batches")
    assert 1 <= n <= 6 and m["tables"]["batches"]["rows"] == n
    assert t.scalar("SELECT count(*) FROM hazards") == 2000 * n == t.scalar("SELECT sum(rows) FROM batches")
    assert t.data_version() == 1 + n


def test_an_unfinished_or_altered_backup_is_refused_and_changes_nothing(tmp_path):
    s = _loaded(tmp_path)
    backup(s, tmp_path / "bk")
    with pytest.raises(StoreError, match="不是空目录"):
        backup(s, tmp_path / "bk")
    (tmp_path / "bk" / "hazards.parquet").write_bytes(b"not parquet")
    with pytest.raises(StoreError, match="hazards.parquet 缺失或已被改动"):
        restore(tmp_path / "bk", tmp_path / "x.duckdb")
    (tmp_path / "bk" / "manifest.json").unlink()
    with pytest.raises(StoreError, match="不是备份目录"):
        restore(tmp_path / "bk", tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()


def test_cli_backup_and_restore(tmp_path, capsys):
    s = _loaded(tmp_path)
    path = s.path
    s.close()
    assert main(["--db", path, "backup", str(tmp_path / "bk")]) == 0
    assert "已备份到" in capsys.readouterr().out
    target = str(tmp_path / "new.duckdb")
    assert main(["--db", target, "restore", str(tmp_path / "bk")]) == 0
    assert "已恢复" in capsys.readouterr().out
    assert main(["--db", target, "batches", "--format", "json"]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert main(["--db", path, "batches", "--format", "json"]) == 0
    assert restored == json.loads(capsys.readouterr().out)
    assert main(["--db", target, "restore", str(tmp_path / "nothing")]) == 1
    assert "不是备份目录" in capsys.readouterr().err
