"""The server store: PostgreSQL holds the truth, each process reads a local DuckDB mirror of it.

Only `analytics/store/db.py` uses this module (db.py is the gateway; `Store` picks this backend for a
`postgresql://` URL). See docs/store.md for the design and its measurements.

- Writes: `Store.write()` runs on PostgreSQL through psycopg in ONE transaction that first takes a
  transaction-scoped advisory lock, so writers of every process and machine take turns (no serialization
  failures, nothing to retry). The write SQL is written so that DuckDB and PostgreSQL both accept it; what
  differs (placeholders, `DOUBLE`) is translated here in `translate`. Bulk rows go in through COPY (`stage`).
- Reads: every metric, page and document keeps its DuckDB SQL. It runs on an in-memory DuckDB mirror of all
  tables, refreshed when PostgreSQL's data_version differs from the mirror's. A refresh copies every table in
  ONE `REPEATABLE READ READ ONLY` transaction (COPY … TO STDOUT as CSV, loaded by DuckDB's CSV reader), so the
  mirror is one consistent state; the new mirror replaces the old one atomically, and readers still working on
  the old one finish there.
"""
from __future__ import annotations

import io
import re
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .schema import MIGRATIONS

WRITE_LOCK = 7_300_916_001          # pg_advisory_xact_lock key: one writer at a time, across servers
_CHUNK = 1 << 20


class PgError(Exception):
    """Raised with a Chinese message; db.py turns it into StoreError."""


def is_url(path: str) -> bool:
    return str(path).startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _psycopg():
    try:
        import psycopg
    except ImportError as e:  # pragma: no cover - pinned in requirements.txt
        raise PgError("未安装 PostgreSQL 驱动 psycopg，请按 requirements.txt 安装依赖。") from e
    return psycopg


def _connect_error(url: str, e: Exception) -> PgError:
    text = str(e)
    where = redact(url)
    if "password authentication failed" in text or "no password supplied" in text or "pg_hba.conf" in text:
        return PgError(f"PostgreSQL 服务器拒绝登录（{where}）：用户名或密码错误，或该用户无权连接此数据库。")
    if "does not exist" in text and "database" in text:
        return PgError(f"PostgreSQL 服务器上没有这个数据库（{where}），请先创建（createdb）或检查地址。")
    return PgError(f"无法连接 PostgreSQL 服务器（{where}）：服务器未启动、地址或端口有误，或网络不通。")


# ----------------------------------------------------------------------------------------- the dialect layer
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\?|\$[A-Za-z_]\w*(?![\w$])|%|\bDOUBLE\b(?!\s+PRECISION)",
                    re.IGNORECASE)


def translate(sql: str, params: Any = None) -> str:
    """DuckDB-flavoured SQL of the write paths → PostgreSQL: `?` / `$name` placeholders become psycopg's, a bare
    `DOUBLE` type becomes `DOUBLE PRECISION`, and `%` is escaped when parameters are bound."""
    def sub(m: re.Match) -> str:
        t = m.group(0)
        if t == "?":
            return "%s"
        if t.startswith("$"):
            return f"%({t[1:]})s" if isinstance(params, dict) else t
        if t == "%":
            return "%%" if params is not None else "%"
        if t.upper() == "DOUBLE":
            return "DOUBLE PRECISION"
        return t.replace("%", "%%") if params is not None and t[0] in "'\"" else t
    return _TOKEN.sub(sub, sql)


def _adapt(params: Any) -> Any:
    if params is None:
        return None
    if isinstance(params, dict):
        return {k: _value(v) for k, v in params.items()}
    return [_value(v) for v in params]


def _value(v):
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, float) and v != v:
        return None
    if hasattr(v, "item") and not isinstance(v, (list, str, bytes)):   # numpy scalars
        return v.item()
    return v


_PG_TYPES = {pa.string(): "VARCHAR", pa.large_string(): "VARCHAR", pa.date32(): "DATE", pa.int32(): "INTEGER",
             pa.int64(): "BIGINT", pa.float64(): "DOUBLE PRECISION", pa.bool_(): "BOOLEAN"}


def _pg_type(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "TIMESTAMP"
    if pa.types.is_list(t):
        return _pg_type(t.value_type) + "[]"
    return _PG_TYPES[t]


class PgCursor:
    """A psycopg cursor inside the write transaction, answering like the DuckDB cursors the code uses
    (execute(...).fetchall() / fetchone() / df(), executemany)."""

    def __init__(self, cur):
        self._cur = cur
        self.raw = cur                     # the psycopg cursor (COPY, PostgreSQL-only statements)

    def execute(self, sql: str, params: Any = None) -> "PgCursor":
        self._cur.execute(translate(sql, params), _adapt(params))
        return self

    def executemany(self, sql: str, seq) -> "PgCursor":
        seq = [_adapt(p) for p in seq]
        if seq:
            self._cur.executemany(translate(sql, seq[0]), seq)
        return self

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall() if self._cur.description else []

    def fetchone(self):
        return self._cur.fetchone() if self._cur.description else None

    def df(self) -> pd.DataFrame:
        cols = [d.name for d in self._cur.description or ()]
        return pd.DataFrame(self.fetchall(), columns=cols)

    # bulk rows: a temp table filled through COPY, dropped at commit (DuckDB registers the Arrow table instead)
    def stage(self, name: str, table: pa.Table) -> None:
        cols = ", ".join(f'"{f.name}" {_pg_type(f.type)}' for f in table.schema)
        self._cur.execute(f'CREATE TEMP TABLE "{name}" ({cols}) ON COMMIT DROP')
        copy_in(self._cur, name, table.schema.names, duckdb_source=table)

    def unstage(self, name: str) -> None:
        self._cur.execute(f'DROP TABLE IF EXISTS "{name}"')


def copy_in(cur, table: str, columns: list[str], *, duckdb_source=None, duck=None, select: str | None = None) -> None:
    """COPY rows into a PostgreSQL table: from an Arrow table, or from `select` run on the DuckDB connection
    `duck`. DuckDB writes the CSV (NULL = empty, '' = ""), lists as PostgreSQL array literals."""
    if duckdb_source is not None and not any(pa.types.is_list(f.type) for f in duckdb_source.schema):
        buf = io.BytesIO()                # Arrow writes the CSV itself: strings quoted, NULL as nothing
        pacsv.write_csv(duckdb_source, buf, pacsv.WriteOptions(include_header=False))
        cols = ", ".join(_q(c) for c in columns)
        with cur.copy(f"COPY {_q(table)} ({cols}) FROM STDIN (FORMAT csv)") as cp:
            cp.write(buf.getvalue())
        return
    con = duck or duckdb.connect()
    try:
        if duckdb_source is not None:
            con.register("_copy_src", duckdb_source)
            select = "SELECT * FROM _copy_src"
        rel = con.sql(select)
        exprs = []
        for name, typ in zip(rel.columns, rel.types):
            q = f'"{name}"'
            if str(typ).endswith("[]"):      # '{"a","b"}', each element quoted and escaped
                q = (f"CASE WHEN {q} IS NULL THEN NULL ELSE '{{' || array_to_string(list_transform({q}, lambda x: "
                     f"CASE WHEN x IS NULL THEN 'NULL' ELSE '\"' || replace(replace(x, '\\', '\\\\'), '\"', '\\\"')"
                     f" || '\"' END), ',') || '}}' END")
            exprs.append(f"{q} AS \"{name}\"")
        with tempfile.TemporaryDirectory(prefix="safety-copy-") as d:
            f = Path(d) / "rows.csv"
            con.execute(f"COPY (SELECT {', '.join(exprs)} FROM ({select})) TO '{_sql_path(f)}' (FORMAT csv, HEADER false)")
            cols = ", ".join(f'"{c}"' for c in columns)
            with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN (FORMAT csv)') as cp, open(f, "rb") as src:
                while chunk := src.read(_CHUNK):
                    cp.write(chunk)
    finally:
        if duckdb_source is not None:
            con.unregister("_copy_src")
        if duck is None:
            con.close()


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")


# ----------------------------------------------------------------------------------------------- the mirror
_TEMPLATES: dict[int, dict[str, list[tuple[str, str]]]] = {}
_TEMPLATES_LOCK = threading.Lock()


def template(schema_version: int) -> dict[str, list[tuple[str, str]]]:
    """table → [(column, DuckDB type)] of the schema after `schema_version` migrations (built once, empty)."""
    with _TEMPLATES_LOCK:
        if schema_version not in _TEMPLATES:
            con = duckdb.connect()
            con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            for sql in MIGRATIONS[:schema_version]:
                con.execute(sql)
            out: dict[str, list[tuple[str, str]]] = {}
            for t, c, typ in con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                                         "WHERE schema_name = 'main' AND NOT internal "
                                         "ORDER BY table_name, column_index").fetchall():
                out.setdefault(t, []).append((c, typ))
            con.close()
            _TEMPLATES[schema_version] = out
        return _TEMPLATES[schema_version]


TOUCH_FUNCTION = """
CREATE OR REPLACE FUNCTION safety_touch() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  INSERT INTO meta VALUES ('table:' || TG_TABLE_NAME, '1')
  ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR);
  RETURN NULL;
END $body$"""


def install_counters(raw_cur) -> None:
    """PostgreSQL only, after the migrations: every table but meta gets a statement trigger that moves its
    counter `table:<name>` in meta on in the writing transaction, so a refresh copies only the tables that
    changed. (The write paths need not know; DuckDB has no such triggers and needs none.)"""
    raw_cur.execute(TOUCH_FUNCTION)
    for (t,) in raw_cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                "AND tablename <> 'meta'").fetchall():
        raw_cur.execute(f"CREATE OR REPLACE TRIGGER safety_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                        f"ON {_q(t)} FOR EACH STATEMENT EXECUTE FUNCTION safety_touch()")


class Mirror:
    """A local DuckDB copy of every table, as of one PostgreSQL snapshot (data_version `version`)."""

    def __init__(self, schema_version: int):
        self.con = duckdb.connect()
        self.schema_version = schema_version
        self.version = -1
        self.counters: dict[str, str | None] = {}
        self.epoch: str | None = None
        self.sequences: dict[str, int | None] = {}
        self.seconds = 0.0
        self.copied: list[str] = []                  # the tables the last refresh copied
        for t, cols in template(schema_version).items():
            self.con.execute(f'CREATE TABLE {_q(t)} ({", ".join(f"{_q(c)} {typ}" for c, typ in cols)})')

    def refresh(self, pg_cur, meta: dict[str, str]) -> None:
        """Bring the mirror to the state `pg_cur` sees (one REPEATABLE READ transaction): the tables whose
        counter moved are replaced inside one DuckDB transaction, so a reader sees all of the new state or none."""
        tables = template(self.schema_version)
        first = self.version < 0
        full = first or meta.get("epoch") != self.epoch          # a restore starts a new epoch: copy everything
        changed = [t for t in tables if full or t == "meta" or meta.get(f"table:{t}") != self.counters.get(t)]
        have = {r[0] for r in pg_cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        duck = self.con.cursor()
        duck.begin()
        try:
            with tempfile.TemporaryDirectory(prefix="safety-mirror-") as d:
                for t in changed:
                    if not first:
                        duck.execute(f"DELETE FROM {_q(t)}")
                    if t in have:
                        _copy_table(pg_cur, duck, t, tables[t], Path(d) / f"{t}.csv")
            duck.commit()
        except BaseException:
            duck.rollback()
            raise
        finally:
            duck.close()
        self.sequences = dict(pg_cur.execute("SELECT sequencename, last_value FROM pg_sequences "
                                             "WHERE schemaname = current_schema()").fetchall())
        self.counters = {t: meta.get(f"table:{t}") for t in tables}
        self.epoch = meta.get("epoch")
        self.copied = changed
        self.version = int(meta.get("data_version", 0))


_ARROW_OF = {"VARCHAR": pa.string(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "INTEGER": pa.int32(),
             "BIGINT": pa.int64(), "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_()}


def _copy_table(pg_cur, duck, t: str, cols: list[tuple[str, str]], f: Path) -> None:
    """One table PostgreSQL → DuckDB: COPY … TO STDOUT as CSV into a temp file, parsed by Arrow's CSV reader with
    the table's types (NULL = empty, '' = quoted), inserted into DuckDB; lists travel as JSON text."""
    sel = ", ".join(f"array_to_json({_q(c)})::text" if typ.endswith("[]") else _q(c) for c, typ in cols)
    with open(f, "wb") as out, pg_cur.copy(f"COPY (SELECT {sel} FROM {_q(t)}) TO STDOUT (FORMAT csv)") as cp:
        for chunk in cp:
            out.write(chunk)
    if f.stat().st_size == 0:
        return
    types = {c: _ARROW_OF.get(typ, pa.string()) for c, typ in cols}
    data = pacsv.read_csv(f, read_options=pacsv.ReadOptions(column_names=[c for c, _ in cols]),
                          parse_options=pacsv.ParseOptions(newlines_in_values=True),
                          convert_options=pacsv.ConvertOptions(
                              column_types=types, strings_can_be_null=True, quoted_strings_can_be_null=False,
                              null_values=[""], true_values=["t"], false_values=["f"]))
    casts = ", ".join(f"CAST(CAST({_q(c)} AS JSON) AS {typ})" if typ.endswith("[]") else _q(c) for c, typ in cols)
    duck.register("_mirror_rows", data)
    try:
        duck.execute(f"INSERT INTO {_q(t)} SELECT {casts} FROM _mirror_rows")
    finally:
        duck.unregister("_mirror_rows")


# ----------------------------------------------------------------------------------------------- the backend
class Backend:
    """One process's link to a PostgreSQL store: a small pool of write connections, one connection for
    data-version checks and refreshes, and the current mirror."""

    def __init__(self, url: str, timeout: float):
        self.url = url
        self.timeout = timeout
        self._pool: list = []
        self._pool_lock = threading.Lock()
        self._check = None
        self._check_lock = threading.Lock()      # the check/refresh connection, one user at a time
        self._mirror: Mirror | None = None
        self._mirror_lock = threading.Lock()
        self.refreshes = 0                       # for tests and the bench
        self.last_refresh_seconds = 0.0

    def _connect(self, autocommit: bool = False):
        psycopg = _psycopg()
        try:
            con = psycopg.connect(self.url, autocommit=autocommit, prepare_threshold=None,
                                  connect_timeout=max(1, int(min(self.timeout, 10))),
                                  application_name="safety-ledger")
        except psycopg.Error as e:
            raise _connect_error(self.url, e) from None
        con.execute("SET DateStyle = ISO; SET extra_float_digits = 1; SET TimeZone = 'UTC'")
        if not autocommit:
            con.commit()
        return con

    # ------------------------------------------------------------------ writes
    @contextmanager
    def transaction(self) -> Iterator[PgCursor]:
        psycopg = _psycopg()
        with self._pool_lock:
            con = self._pool.pop() if self._pool else None
        if con is None or con.closed:
            con = self._connect()
        ok = False
        try:
            with con.cursor() as cur:
                cur.execute(f"SET LOCAL lock_timeout = '{int(self.timeout * 1000)}ms'")
                try:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
                except psycopg.errors.LockNotAvailable:
                    raise PgError(f"PostgreSQL 数据库正被另一个写入任务占用，等待 {self.timeout:g} 秒后仍未释放。"
                                  f"请稍后重试。") from None
                cur.execute("SET LOCAL lock_timeout = 0")  # the lock is ours: later statements wait as usual
                yield PgCursor(cur)
            con.commit()
            ok = True
        except psycopg.OperationalError as e:
            raise PgError(f"与 PostgreSQL 服务器的连接中断（{redact(self.url)}），本次写入未生效：{_short(e)}") from None
        finally:
            if not ok:
                try:
                    con.rollback()
                except Exception:  # noqa: BLE001 - a broken connection is dropped below
                    con.close()
            if not con.closed:
                with self._pool_lock:
                    self._pool.append(con)

    # ------------------------------------------------------------------- reads
    def _checker(self):
        if self._check is None or self._check.closed:
            self._check = self._connect(autocommit=True)
        return self._check

    def data_version(self) -> int:
        """PostgreSQL's committed data version (one small query)."""
        psycopg = _psycopg()
        with self._check_lock:
            try:
                r = self._checker().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
            except psycopg.OperationalError:
                self._check = None              # a dropped connection: reconnect once
                try:
                    r = self._checker().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
                except psycopg.Error as e:
                    raise _connect_error(self.url, e) from None
        return int(r[0]) if r else 0

    def _refresh(self, m: Mirror | None) -> Mirror:
        """`m` brought up to date (or, without one or after a schema change, a new mirror), from one
        REPEATABLE READ READ ONLY transaction."""
        psycopg = _psycopg()
        t0 = time.perf_counter()
        with self._check_lock:
            con = self._checker()
            try:
                con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    with con.cursor() as cur:
                        meta = dict(cur.execute("SELECT key, value FROM meta").fetchall())
                        sv = int(meta.get("schema_version", 0))
                        if m is None or m.schema_version != sv:
                            m = Mirror(sv)               # swapped in whole; readers of the old one finish there
                        m.refresh(cur, meta)
                finally:
                    con.execute("ROLLBACK")
            except psycopg.OperationalError as e:
                self._check = None
                raise _connect_error(self.url, e) from None
        self.refreshes += 1
        m.seconds = self.last_refresh_seconds = time.perf_counter() - t0
        return m

    def snapshot(self) -> Mirror:
        """A new private mirror: every table from one REPEATABLE READ snapshot (for a backup)."""
        return self._refresh(None)

    def mirror(self) -> Mirror:
        """The mirror, refreshed first if PostgreSQL has moved on."""
        current = self.data_version()
        with self._mirror_lock:
            if self._mirror is None or self._mirror.version != current:
                self._mirror = self._refresh(self._mirror)
            return self._mirror

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, []
        for c in pool:
            c.close()
        with self._check_lock:
            if self._check is not None:
                self._check.close()
                self._check = None


def _short(e: Exception) -> str:
    return str(e).splitlines()[0][:200] if str(e) else type(e).__name__


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def restore_tables(cur: PgCursor, src, manifest: dict, migrations_before: list[str], migrations_after: list[str],
                   table_sums, kept_schema: str) -> None:
    """Inside one write transaction: keep the current tables in schema `kept_schema` (nothing is deleted), build
    the backup's schema, load every table from the DuckDB connection `src` (tables named as in the backup),
    advance the sequences, check every table's rows and content hash against the manifest (through a mirror read
    in this same transaction), then apply this program's later migrations. Raises PgError on any difference."""
    raw = cur.raw
    here = raw.execute("SELECT current_schema()").fetchone()[0]
    live_v = int(raw.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
    raw.execute(f"CREATE SCHEMA {_q(kept_schema)}")
    for (t,) in raw.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [here]).fetchall():
        raw.execute(f"ALTER TABLE {_q(here)}.{_q(t)} SET SCHEMA {_q(kept_schema)}")
    for (q,) in raw.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = %s", [here]).fetchall():
        raw.execute(f"ALTER SEQUENCE {_q(here)}.{_q(q)} SET SCHEMA {_q(kept_schema)}")
    cur.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    for sql in migrations_before:
        cur.execute(sql)
    made = {r[0] for r in raw.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [here])}
    for t in manifest["tables"]:
        cols = src.execute(f"SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                           f"ORDER BY column_index", [t]).fetchall()
        if t not in made:                      # a table no migration of that version makes
            cur.execute(f"CREATE TABLE {_q(t)} ({', '.join(f'{_q(c)} {typ}' for c, typ in cols)})")
        copy_in(raw, t, [c for c, _ in cols], duck=src, select=f"SELECT * FROM {_q(t)}")
    for name, last in manifest["sequences"].items():
        if last:
            raw.execute("SELECT setval(%s, %s)", [name, int(last)])
    meta = dict(raw.execute("SELECT key, value FROM meta").fetchall())
    check = Mirror(int(meta["schema_version"]))
    check.refresh(raw, meta)
    got = table_sums(check.con)
    check.con.close()
    bad = [t for t, v in manifest["tables"].items()
           if {k: got.get(t, {}).get(k) for k in ("rows", "hash")} != {"rows": v["rows"], "hash": v["hash"]}]
    if bad:
        raise PgError(f"恢复后的数据与备份不一致（{'、'.join(bad)}），未替换当前数据库。")
    for sql in migrations_after:
        cur.execute(sql)
    install_counters(cur)
    new_v = max(live_v, int(manifest["data_version"])) + 1
    cur.execute("DELETE FROM meta WHERE key LIKE 'table:%' OR key IN ('epoch', 'data_version', 'schema_version')")
    cur.executemany("INSERT INTO meta VALUES (?, ?)",
                    [["schema_version", str(len(migrations_before) + len(migrations_after))],
                     ["data_version", str(new_v)], ["epoch", uuid.uuid4().hex]])
