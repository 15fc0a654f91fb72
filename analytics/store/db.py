"""The one way to the database.

The embedded store is one DuckDB file that the app, any number of CLI processes and a backup share on one
machine. DuckDB lets only one process at a time have a file open for writing, so a `Store` does not keep the
file open: each unit of work (a read, or a `write()` transaction) borrows a connection that is opened on demand,
shared by the threads of this process that work at the same time, and closed once the process has been idle for
`linger` seconds (default 0.3 s, `SAFETY_DB_LINGER`). Another process that finds the file busy retries with
back-off for up to `timeout` seconds (default 30 s, `SAFETY_DB_TIMEOUT`) and then says so in Chinese.
Reads see only committed transactions, so a reader never sees half an upload; a write runs in one
transaction, all or nothing, and a process killed mid-write leaves the state before it (DuckDB replays only
committed transactions from its write-ahead log). See docs/store.md for the measurements behind this design.
"""
from __future__ import annotations

import atexit
import contextvars
import collections
import os
import random
import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from . import pg
from .schema import MIGRATIONS

DEFAULT_DB = Path(__file__).resolve().parents[2] / "data" / "safety.duckdb"
DEFAULT_TIMEOUT = 30.0
DEFAULT_LINGER = 0.3


# Steps run inside every write transaction just before it commits: the audit row of the change, and checks that
# may still refuse it (analytics.access.audit.audited sets them). A step that raises rolls the whole change back.
BEFORE_COMMIT: contextvars.ContextVar[tuple] = contextvars.ContextVar("before_commit", default=())


class StoreError(Exception):
    """A database problem, described in Chinese for the user."""


class StoreBusy(StoreError):
    """Another process kept the database busy for longer than the timeout."""


def default_path() -> str:
    return os.environ.get("SAFETY_DB") or str(DEFAULT_DB)


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _is_lock_error(e: Exception) -> bool:
    return "lock" in str(e).lower()


_COMMITS: collections.Counter = collections.Counter()      # database path → writes committed by this process


class Store:
    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float | None = None,
                 linger: float | None = None):
        self.path = str(path or default_path())
        self.server = pg.is_url(self.path)        # PostgreSQL holds the data; reads run on a local mirror
        self.memory = self.path == ":memory:"
        if not self.memory and not self.server:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.timeout = _env_float("SAFETY_DB_TIMEOUT", DEFAULT_TIMEOUT) if timeout is None else timeout
        self._pg = pg.Backend(self.path, self.timeout) if self.server else None
        self.linger = _env_float("SAFETY_DB_LINGER", DEFAULT_LINGER) if linger is None else linger
        self._lock = threading.RLock()           # serialises this process's writers
        self._con_lock = threading.Lock()        # guards the shared connection below
        self._con: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._close_when_idle = False            # close() asked while a unit of work ran
        self._idle_since = 0.0
        self._closer: threading.Timer | None = None
        self.opens = 0                           # how often the file was opened (for tests and bench)
        _LIVE.add(self)
        self._migrate()

    # ------------------------------------------------------------ connections
    def _open(self) -> duckdb.DuckDBPyConnection:
        """Open the file, waiting (bounded) while another process holds it."""
        deadline = time.monotonic() + self.timeout
        pause = 0.005
        while True:
            try:
                con = duckdb.connect(self.path)
                self.opens += 1
                _OPENED.add(self.path)
                return con
            except duckdb.IOException as e:
                if not _is_lock_error(e):
                    raise StoreError(f"无法打开数据库 {self.path}：文件无法读写（{_short(e)}）。") from e
                if time.monotonic() >= deadline:
                    raise StoreBusy(f"数据库 {self.path} 正被另一个程序（看板、命令行或备份）占用，"
                                    f"等待 {self.timeout:g} 秒后仍未释放。请稍后重试；如持续出现，"
                                    f"请检查是否有卡住的导入任务。") from e
                time.sleep(pause * (0.5 + random.random()))
                pause = min(pause * 2, 0.1)
            except duckdb.Error as e:
                raise StoreError(f"无法打开数据库 {self.path}：文件可能已损坏或由更新版本的程序写入（{_short(e)}）。") from e

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._con_lock:
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None
            if self._con is None:
                self._con = self._open()
            self._users += 1
            con = self._con
        try:
            yield con
        finally:
            with self._con_lock:
                self._users -= 1
                if self._users == 0 and self._close_when_idle:
                    self._close_when_idle = False
                    self._release()
                elif self._users == 0 and not self.memory:
                    if self.linger <= 0:
                        self._release()
                    else:
                        self._closer = threading.Timer(self.linger, self._release_if_idle)
                        self._closer.daemon = True
                        self._closer.start()

    def _release_if_idle(self) -> None:
        with self._con_lock:
            if self._users == 0:
                self._release()

    def _release(self) -> None:
        """Close the file so other processes can open it (caller holds _con_lock)."""
        if self._con is not None:
            self._con.close()
            self._con = None

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._pg is not None:                  # the mirror, brought up to PostgreSQL's data version
            con = _pg_call(self._pg.mirror).con
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()
            return
        with self._connection() as con:
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    # ------------------------------------------------------------------ reads
    def df(self, sql: str, params: Any = None) -> pd.DataFrame:
        with self._cursor() as cur:
            return cur.execute(sql, params).df()

    def rows(self, sql: str, params: Any = None) -> list[tuple]:
        with self._cursor() as cur:
            return cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Any = None) -> Any:
        r = self.rows(sql, params)
        return r[0][0] if r else None

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Several reads from one consistent snapshot (one read transaction)."""
        with self._cursor() as cur:
            cur.begin()
            try:
                yield cur
            finally:
                cur.rollback()

    # ----------------------------------------------------------------- writes
    @contextmanager
    def write(self, *, changes_data: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """One serialised transaction; rolled back entirely on any exception. A write that changes data
        moves the data version on in the same transaction. On PostgreSQL the cursor is a `pg.PgCursor` (the
        same execute/fetchall/df calls; bulk rows through `stage`), and reads made with it see the transaction."""
        if self._pg is not None:
            with self._lock, _pg_errors(), self._pg.transaction() as cur:
                yield cur
                for step in BEFORE_COMMIT.get():
                    step(cur)
                if changes_data or not self._migrating:   # PostgreSQL: the mirrors refresh when it moves
                    cur.execute(BUMP_VERSION)             # (settings and users too)
            _COMMITS[self.path] += 1
            return
        with self._lock, self._cursor() as cur:
            cur.begin()
            try:
                yield cur
                for step in BEFORE_COMMIT.get():
                    step(cur)
                if changes_data:
                    cur.execute(BUMP_VERSION)
                cur.commit()
            except BaseException:
                cur.rollback()
                raise
            _COMMITS[self.path] += 1

    def close(self) -> None:
        """Close the file now (it reopens on the next unit of work); if another thread is inside a unit of work
        (a background rewarm, say), when that unit ends — a connection is never closed under a running query."""
        if self._pg is not None:
            self._pg.close()
        with self._con_lock:
            if self._closer is not None:
                self._closer.cancel()
                self._closer = None
            if self._users:
                self._close_when_idle = True
            else:
                self._release()

    # ------------------------------------------------------------- migrations
    def _migrate(self) -> None:
        self._migrating = True
        try:
            self._migrate_in()
        finally:
            self._migrating = False

    def _migrate_in(self) -> None:
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
            if self._pg is not None and (version < len(MIGRATIONS) or not cur.execute(
                    "SELECT 1 FROM pg_proc WHERE proname = 'safety_touch'").fetchall()):
                pg.install_counters(cur)             # per-table counters for the mirror's refresh
                cur.execute(BUMP_VERSION)            # the mirrors of other processes pick up the new schema
            cur.execute(SET_META, ["schema_version", str(len(MIGRATIONS))])

    @property
    def commits(self) -> int:
        """Writes this process has committed to this database, through any Store (a pinned data version —
        analytics.figures.cache.pinned — is read again when this moves)."""
        return _COMMITS[self.path]

    def data_version(self) -> int:
        """A counter that every committed write moves on, whichever process made it: the key for caches.
        On PostgreSQL: the version of the mirror the next reads use (refreshed first if PostgreSQL moved on)."""
        if self._pg is not None:
            return _pg_call(self._pg.mirror).version
        return int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'"))

    def snapshot(self) -> "pg.Mirror":
        """PostgreSQL only: a private copy of every table from one REPEATABLE READ snapshot (for a backup)."""
        return _pg_call(self._pg.snapshot)

    @property
    def schema_version(self) -> int:
        return int(self.scalar("SELECT value FROM meta WHERE key = 'schema_version'"))


ENGINE_VERSION = duckdb.__version__
BUMP_VERSION = "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) WHERE key = 'data_version'"
SET_META = "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"


@contextmanager
def _pg_errors() -> Iterator[None]:
    try:
        yield
    except pg.PgError as e:
        raise (StoreBusy if "占用" in str(e) else StoreError)(str(e)) from None


def _pg_call(fn, *a):
    with _pg_errors():
        return fn(*a)


def stage(cur, name: str, table) -> None:
    """Make an Arrow table readable as `name` inside a write (DuckDB: registered; PostgreSQL: a temp table
    filled through COPY). `unstage` when done."""
    if hasattr(cur, "stage"):                  # a pg.PgCursor (or a test's wrapper of one)
        cur.stage(name, table)
    else:
        cur.register(name, table)


def unstage(cur, name: str) -> None:
    if hasattr(cur, "unstage"):
        cur.unstage(name)
    else:
        cur.unregister(name)


@contextmanager
def new_database(path: str | os.PathLike, migrations: int) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new database file holding the first `migrations` migrations and an empty meta table, in one open
    transaction (for a restore to fill); committed and closed when the block ends, removed on any failure."""
    path = Path(path)
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.begin()
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        for sql in MIGRATIONS[:migrations]:
            con.execute(sql)
        yield con
        con.commit()
    except BaseException:
        con.close()
        path.unlink(missing_ok=True)
        raise
    con.close()


_LIVE: "weakref.WeakSet[Store]" = weakref.WeakSet()
_OPENED: set[str] = set()                      # the DuckDB files this process has opened


def unsettled() -> list[str]:
    """The DuckDB files this process opened that still have a write-ahead log beside them: not yet checkpointed
    into the file, or still open (the CLI's quick exit waits for the interpreter's own teardown then)."""
    return sorted(p for p in _OPENED if os.path.exists(f"{p}.wal"))


@atexit.register
def _close_all() -> None:
    """Close lingering files before the interpreter goes (no connection is torn down by a dying timer)."""
    for s in list(_LIVE):
        s.close()


def _short(e: Exception) -> str:
    return str(e).splitlines()[0][:200]


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def get_store(path: str | os.PathLike | None = None) -> Store:
    """The process-wide Store for a path."""
    raw = str(path or default_path())
    key = raw if raw == ":memory:" or "://" in raw else str(Path(raw).resolve())
    with _STORES_LOCK:
        if key not in _STORES:
            _STORES[key] = Store(key)
        return _STORES[key]
