"""Fixtures for both store backends: `db` is a new empty database, once as a DuckDB file and once on the test
session's own PostgreSQL 15 (tests/pgserver.py: initdb + pg_ctl on 127.0.0.1, a free port, a temp dir, stopped at
the end). Without the PostgreSQL binaries the PostgreSQL half is skipped with a message saying so."""
from __future__ import annotations

import pytest

from tests import pgserver

BACKENDS = ["duckdb", "postgresql"]


@pytest.fixture(scope="session")
def pg_server():
    if not pgserver.available():
        pytest.skip(f"PostgreSQL 15 is not installed ({pgserver.BIN}/initdb missing): "
                    f"`apt-get install postgresql` (.ci/run does) to run the server-store tests")
    s = pgserver.Server().start()
    yield s
    s.stop()


def new_database(backend: str, tmp_path, request) -> str:
    if backend == "duckdb":
        return str(tmp_path / "safety.duckdb")
    return request.getfixturevalue("pg_server").fresh_database()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A new empty database: a DuckDB file, or a PostgreSQL database (postgresql://… URL)."""
    url = new_database(request.param, tmp_path, request)
    yield url
    from analytics.store import db as store_db
    for s in list(store_db._LIVE):          # PostgreSQL connections of this test's stores
        if s.path == url:
            s.close()


@pytest.fixture
def pg_db(request, tmp_path):
    """A new empty PostgreSQL database (for the server-only tests)."""
    url = new_database("postgresql", tmp_path, request)
    yield url
    from analytics.store import db as store_db
    for s in list(store_db._LIVE):
        if s.path == url:
            s.close()
