"""The store: versioned schema, one serialised writer, readers that never see half an upload."""
from __future__ import annotations

import threading

import duckdb
import pytest

from analytics.companies import CompanyError, add_company, registry
from analytics.store.db import Store, StoreError
from analytics.ingest.load import write_batch
from analytics.store.schema import MIGRATIONS
from tests.analytics.store.procs import hazard_batch


def test_schema_is_migrated_once_and_versioned(tmp_path):
    p = tmp_path / "s.duckdb"
    s = Store(p)
    assert s.schema_version == len(MIGRATIONS)
    s.close()
    s = Store(p)                           # opening again applies nothing twice
    assert s.schema_version == len(MIGRATIONS)
    assert s.scalar("SELECT count(*) FROM companies") == 0
    s.close()


def test_a_newer_database_is_refused_with_a_message(tmp_path):
    p = tmp_path / "new.duckdb"
    Store(p).close()
    con = duckdb.connect(str(p))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="高于程序支持的版本"):
        Store(p)


def test_company_names_match_regardless_of_suffix_width_and_spaces():
    s = Store(":memory:")
    add_company(s, "陇原电力有限公司", ["陇原电力"])
    reg = registry(s)
    for raw in ("陇原电力有限责任公司", "陇原电力 有限公司", "陇原电力（有限公司）", "陇原电力公司", "　陇原电力　"):
        assert reg.match(raw) == "陇原电力有限公司", raw
    assert reg.match("河西新能源") is None
    assert reg.suggest("陇原电厂") == ["陇原电力有限公司"]
    add_company(s, "河西新能源有限公司")
    with pytest.raises(CompanyError, match="已属于"):
        add_company(s, "河西新能源有限公司", ["陇原电力"])


def test_writers_are_serialised_and_readers_never_see_half_an_upload(tmp_path):
    s = Store(tmp_path / "c.duckdb")
    add_company(s, "甲公司")
    n, writers = 20_000, 4
    seen: list[int] = []
    done = threading.Event()

    def read():
        while not done.is_set():
            seen.append(s.scalar("SELECT count(*) FROM hazards"))
        seen.append(s.scalar("SELECT count(*) FROM hazards"))

    def write(i):
        write_batch(s, hazard_batch(str(i), n))

    reader = threading.Thread(target=read)
    reader.start()
    ts = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    done.set()
    reader.join()
    assert seen[-1] == n * writers
    assert set(seen) <= {k * n for k in range(writers + 1)}, sorted(set(seen))
    assert s.scalar("SELECT count(DISTINCT id) FROM batches") == writers


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    s = Store(tmp_path / "f.duckdb")
    with pytest.raises(RuntimeError):
        with s.write() as cur:
            cur.execute("INSERT INTO companies (name) VALUES ('半途公司')")
            raise RuntimeError("boom")
    assert s.scalar("SELECT count(*) FROM companies") == 0


def test_data_version_moves_with_every_committed_write_only(tmp_path):
    from analytics.store.db import Store
    s = Store(tmp_path / "v.duckdb")
    v0 = s.data_version()
    with s.write() as cur:
        cur.execute("INSERT INTO companies (name) VALUES ('甲公司')")
    assert s.data_version() == v0 + 1
    try:
        with s.write() as cur:
            cur.execute("INSERT INTO companies (name) VALUES ('乙公司')")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert s.data_version() == v0 + 1
    s.close()
    assert Store(tmp_path / "v.duckdb").data_version() == v0 + 1


def test_default_database_is_the_projects_data_folder(monkeypatch):
    from pathlib import Path

    from analytics.store.db import default_path
    monkeypatch.delenv("SAFETY_DB", raising=False)
    assert Path(default_path()) == Path(__file__).resolve().parents[3] / "data" / "safety.duckdb"
