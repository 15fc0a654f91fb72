"""The one way to the DuckDB database.

A `Store` holds one DuckDB connection per process and path. Reads run on their own
cursor (DuckDB cursors are separate connections to the same database, safe across
threads) and see only committed transactions, so a reader never sees half an upload.
Writes are serialised by a lock and run in one transaction: all or nothing.
"""
from __future__ import annotations

import contextvars
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from .schema import MIGRATIONS

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "safety.duckdb"


# Steps run inside every write transaction just before it commits: the audit row of the change, and checks that
# may still refuse it (analytics.access.audit.audited sets them). A step that raises rolls the whole change back.
BEFORE_COMMIT: contextvars.ContextVar[tuple] = contextvars.ContextVar("before_commit", default=())


class StoreError(Exception):
    """A database problem, described in Chinese for the user."""


def default_path() -> str:
    return os.environ.get("SAFETY_DB") or str(DEFAULT_DB)


class Store:
    def __init__(self, path: str | os.PathLike | None = None):
        self.path = str(path or default_path())
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(self.path)
        except duckdb.IOException as e:  # most often: another process holds the file
            raise StoreError(f"无法打开数据库 {self.path}：{e}。如看板正在运行，请先停止它或使用其 数据上传 页面。") from e
        self._lock = threading.RLock()
        self._migrate()

    # ------------------------------------------------------------------ reads
    def df(self, sql: str, params: Any = None) -> pd.DataFrame:
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params).df()
        finally:
            cur.close()

    def rows(self, sql: str, params: Any = None) -> list[tuple]:
        cur = self._con.cursor()
        try:
            return cur.execute(sql, params).fetchall()
        finally:
            cur.close()

    def scalar(self, sql: str, params: Any = None) -> Any:
        r = self.rows(sql, params)
        return r[0][0] if r else None

    # ----------------------------------------------------------------- writes
    @contextmanager
    def write(self, *, changes_data: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """One serialised transaction; rolled back entirely on any exception. A write that changes data
        moves the data version on in the same transaction."""
        with self._lock:
            cur = self._con.cursor()
            cur.begin()
            try:
                yield cur
                for step in BEFORE_COMMIT.get():
                    step(cur)
                if changes_data:
                    cur.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                                "WHERE key = 'data_version'")
                cur.commit()
            except BaseException:
                cur.rollback()
                raise
            finally:
                cur.close()

    def close(self) -> None:
        self._con.close()

    # ------------------------------------------------------------- migrations
    def _migrate(self) -> None:
        with self.write(changes_data=False) as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            row = next(iter(cur.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()), None)
            version = int(row[0]) if row else 0
            if version > len(MIGRATIONS):
                raise StoreError(f"数据库版本 {version} 高于程序支持的版本 {len(MIGRATIONS)}，请升级程序。")
            cur.execute("INSERT INTO meta SELECT 'data_version', '0' "
                        "WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'data_version')")
            for sql in MIGRATIONS[version:]:
                cur.execute(sql)
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(len(MIGRATIONS))])

    def data_version(self) -> int:
        """A counter that every committed write moves on, whichever process made it: the key for caches."""
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'"))

    @property
    def schema_version(self) -> int:
        return int(self.scalar("SELECT value FROM meta WHERE key = 'schema_version'"))


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def get_store(path: str | os.PathLike | None = None) -> Store:
    """The process-wide Store for a path (one DuckDB connection per file per process)."""
    key = str(Path(path or default_path()).resolve()) if str(path) != ":memory:" else ":memory:"
    with _STORES_LOCK:
        if key not in _STORES:
            _STORES[key] = Store(key)
        return _STORES[key]
