"""`python -m analytics` ends with os._exit once its output is flushed and its databases are closed (cli.exit_at_once,
docs/ingest.md §8 "Third pass"), and falls back to the interpreter's own exit where that could still matter."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from analytics import cli
from analytics.store import db as dbmod
from analytics.store.db import Store
from tests.builders import LY, bad_hazard, golden_files

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_the_process_prints_everything_closes_the_database_and_keeps_its_exit_code(tmp_path):
    db = tmp_path / "x.duckdb"
    assert _cli("--db", db, "companies", "add", LY, "--alias", "陇原电力").returncode == 0
    f = golden_files(tmp_path)["hazards"]
    r = _cli("--db", db, "ingest", f)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith(f"{f.name}：已导入。")
    rows = int(re.search(r"隐患排查治理台账 (\d+) 行", r.stdout).group(1))
    assert not Path(f"{db}.wal").exists()                      # checkpointed and closed before the process ended
    s = Store(db)
    assert rows == 7 and s.scalar("SELECT count(*) FROM hazards") == rows and s.scalar("SELECT count(*) FROM batches") == 1
    s.close()
    r = _cli("--db", db, "ingest", bad_hazard(tmp_path / "bad.xlsx", 7, "特大"))
    assert r.returncode == 1 and "\t错误：“特大”不是允许的取值" in r.stdout
    r = _cli("--db", db, "--bogus")
    assert r.returncode == 2 and "用法错误" in r.stderr


def test_a_thread_still_running_gets_the_usual_exit():
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        with pytest.raises(SystemExit) as e:                   # sys.exit, not os._exit
            cli.exit_at_once(3)
        assert e.value.code == 3
    finally:
        stop.set()
        t.join()


def test_a_database_still_open_with_its_log_is_unsettled(tmp_path):
    path = str(tmp_path / "open.duckdb")
    s = Store(path, linger=60)                                 # the connection stays open after the write
    with s.write() as cur:
        cur.execute("INSERT INTO settings VALUES ('k', 'v')")
    assert path in dbmod.unsettled()
    s.close()
    assert path not in dbmod.unsettled()


def test_a_code_that_is_not_a_number_gets_the_usual_exit():
    with pytest.raises(SystemExit) as e:                       # os._exit(None) would raise TypeError instead
        cli.exit_at_once(None)
    assert e.value.code is None
