"""Child processes for the store's concurrency and kill tests: `python -m tests.analytics.store.procs ROLE …`.

Each prints one JSON line on stdout with what it saw; the parent test asserts on it.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sys
from contextlib import contextmanager

from analytics.ingest.load import NewBatch, write_batch
from analytics.store.db import Store


def hazard_batch(tag: str, n: int) -> NewBatch:
    recs = [{"sheet": "s", "row_no": r + 2, "key": f"甲公司|{tag}-{r}", "company": "甲公司", "hazard_no": f"{tag}-{r}",
             "found_date": dt.date(2026, 10, 1), "description": "d", "level": "一般", "deadline": dt.date(2026, 10, 9),
             "status": "未整改"} for r in range(n)]
    return NewBatch(f"{tag}.xlsx", f"sha-{tag}", "hazards", recs, [], ["甲公司"], dt.date(2026, 10, 1),
                    dt.date(2026, 10, 1), set(), "t", dt.datetime(2026, 11, 1))


def writer(path: str, wid: str, batches: int, rows: int) -> dict:
    s = Store(path)
    errors = []
    for i in range(batches):
        try:
            write_batch(s, hazard_batch(f"{wid}-{i}", rows))
        except Exception as e:  # counted, never hidden
            errors.append(f"{type(e).__name__}: {e}")
    return {"errors": errors, "opens": s.opens}


def reader(path: str, reads: int, rows: int) -> dict:
    """Every read is one snapshot: the current hazards must be exactly the rows of the loaded batches."""
    s = Store(path)
    errors, torn, versions = [], 0, []
    for _ in range(reads):
        try:
            with s.read() as cur:
                n = cur.execute("SELECT count(*) FROM hazards").fetchall()[0][0]
                b = cur.execute("SELECT coalesce(sum(rows), 0) FROM batches WHERE status = 'loaded'").fetchall()[0][0]
                v = int(cur.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchall()[0][0])
            torn += (n != b) or (n % rows != 0)
            versions.append(v)
            s.close()                    # let the writers in between reads
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}")
    return {"errors": errors, "torn": torn, "monotonic": versions == sorted(versions), "versions": versions}


class _Killer:
    """A cursor that kills its own process (SIGKILL) just before its `point`-th database call (DuckDB's or the
    PostgreSQL cursor's; `stage` is the PostgreSQL COPY of the batch's rows)."""

    CALLS = ("execute", "executemany", "register", "unregister", "stage", "unstage", "commit")

    def __init__(self, cur, state):
        self._cur, self._state = cur, state

    def __getattr__(self, name):
        attr = getattr(self._cur, name)
        if name not in self.CALLS:
            return attr

        def call(*a, **kw):
            self._state["calls"] += 1
            if self._state["calls"] == self._state["point"]:
                os.kill(os.getpid(), signal.SIGKILL)
            return attr(*a, **kw)
        return call


def ingest_killed(path: str, file: str, point: int) -> dict:
    """Ingest `file`, killed before database call number `point` (0: never; the count is printed)."""
    from analytics.ingest.pipeline import ingest_file
    s = Store(path)
    state = {"calls": 0, "point": point}
    plain = Store.write

    @contextmanager
    def write(self, **kw):
        with plain(self, **kw) as cur:
            yield _Killer(cur, state)
        state["calls"] += 1          # the point just after the commit returned
        if state["calls"] == state["point"]:
            os.kill(os.getpid(), signal.SIGKILL)

    Store.write = write
    res = ingest_file(s, file, today=dt.date(2026, 11, 3), uploaded_by="测试")
    return {"status": res.status, "calls": state["calls"]}


if __name__ == "__main__":
    role, *args = sys.argv[1:]
    if role == "writer":
        out = writer(args[0], args[1], int(args[2]), int(args[3]))
    elif role == "reader":
        out = reader(args[0], int(args[1]), int(args[2]))
    else:
        out = ingest_killed(args[0], args[1], int(args[2]))
    print(json.dumps(out, ensure_ascii=False))
