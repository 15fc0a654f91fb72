"""ui/serve.py: a server stopped while work is under way lets it finish instead of aborting the process."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from ui.serve import finish_work

REPO = Path(__file__).resolve().parents[2]

# A process shaped like a stopping server: a daemon thread named as Streamlit's script threads runs a DuckDB
# query while the main thread returns. Without finish_at_exit the interpreter stops that thread inside DuckDB and
# the process aborts ("terminate called after throwing an instance of ''", exit -6).
STOPPING_SERVER = r"""
import sys, threading
sys.path.insert(0, sys.argv[1])
import duckdb
if sys.argv[2] == "finish":
    from ui.serve import finish_at_exit
    finish_at_exit()
con = duckdb.connect()
begun = threading.Event()
def run():
    cur = con.cursor()
    begun.set()
    n = cur.execute("SELECT count(*) FROM range(400000000) a WHERE a.range % 7 = 3").fetchone()[0]
    print("query finished", n, flush=True)
t = threading.Thread(target=run, name="ScriptRunner.scriptThread", daemon=True)
t.start()
begun.wait()
"""


def _stop(mode: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", STOPPING_SERVER, str(REPO), mode], capture_output=True, text=True,
                          timeout=300)


def test_a_stopping_server_lets_the_query_under_way_finish():
    r = _stop("finish")
    assert r.returncode == 0, (r.returncode, r.stderr[-500:])
    assert r.stdout.strip() == "query finished 57142857", r.stdout          # 3, 10, … below 400,000,000
    assert "terminate called" not in r.stderr


def test_finish_work_waits_for_script_runs_and_figures_within_its_bound(tmp_path):
    from analytics.figures import cache
    from analytics.store.db import Store
    release = threading.Event()
    done = threading.Thread(target=release.wait, args=(0.05,), name="ScriptRunner.scriptThread", daemon=True)
    other = threading.Thread(target=release.wait, name="someone-else", daemon=True)
    for t in (done, other):
        t.start()
    store = Store(tmp_path / "w.duckdb")
    stuck = cache.warm(store, lambda s: release.wait(), name="figures-warm")     # figures computing meanwhile
    try:
        assert finish_work(timeout_s=0.5) == ["figures-warm"]       # the unrelated thread is not waited for
        assert not done.is_alive() and stuck.is_alive() and other.is_alive()
    finally:
        release.set()
    assert finish_work(timeout_s=5) == [] and not stuck.is_alive()
    store.close()
