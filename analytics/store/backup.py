"""Backup and restore of the embedded store: every table, read from one snapshot, restored exactly.

A backup is a directory: one Parquet file per table and `manifest.json` (written last; a directory without it is
an unfinished backup and is refused). The manifest records the schema version, the data version, each
sequence's last value, and per table its row count and a content hash (sum of the row hashes), so a restore
can prove it brought back exactly what was saved. Tables are found in the database, not listed here, so tables
that later migrations add (users, audit, …) are saved too.

Restore builds the database in a new file next to the target, checks every table against the manifest, brings
the schema up to this program's version, and only then swaps it in while holding the database, keeping the
replaced file as `<file>.before-restore-<time>` — nothing is deleted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import duckdb

from .db import _LIVE, ENGINE_VERSION, Store, StoreError, new_database
from .schema import MIGRATIONS

MANIFEST = "manifest.json"
FORMAT = 1


def tables(cur) -> list[str]:
    return [r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                                      "AND schema_name = 'main' ORDER BY table_name").fetchall()]


def _table_sums(cur) -> dict[str, dict]:
    return {t: dict(zip(("rows", "hash"), map(int, cur.execute(
        f'SELECT count(*), coalesce(sum(hash(x)), 0) FROM "{t}" x').fetchall()[0]))) for t in tables(cur)}


def fingerprint(store: Store, ignore: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every row of every table, as sorted text (for tests and checks; `ignore` drops columns such as times)."""
    out = {}
    with store.read() as cur:
        for t in tables(cur):
            df = cur.execute(f'SELECT * FROM "{t}"').df()
            df = df.drop(columns=[c for c in ignore if c in df.columns])
            out[t] = sorted(repr(tuple(r)) for r in df.astype(str).itertuples(index=False))
    return out


def _sha(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def backup(store: Store, out_dir: str | os.PathLike) -> dict:
    """Write a consistent backup of the whole store into `out_dir` (new or empty). Returns the manifest."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise StoreError(f"备份目录 {out} 不是空目录，请指定一个新目录。")
    out.mkdir(parents=True, exist_ok=True)
    with store.read() as cur:                       # one snapshot: writers may go on meanwhile
        sums = _table_sums(cur)
        for t in sums:
            cur.execute(f"COPY (SELECT * FROM \"{t}\") TO '{_sql_path(out / (t + '.parquet'))}' (FORMAT parquet)")
        meta = dict(cur.execute("SELECT key, value FROM meta").fetchall())
        seqs = {n: v for n, v in cur.execute("SELECT sequence_name, last_value FROM duckdb_sequences() "
                                             "WHERE NOT temporary").fetchall()}
    manifest = {
        "format": FORMAT, "created_at": dt.datetime.now().isoformat(timespec="seconds"),
        "duckdb": ENGINE_VERSION, "schema_version": int(meta["schema_version"]),
        "data_version": int(meta["data_version"]), "sequences": seqs,
        "tables": {t: {**v, "sha256": _sha(out / f"{t}.parquet")} for t, v in sums.items()},
    }
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(out / MANIFEST)
    return manifest


def read_manifest(src: str | os.PathLike) -> dict:
    src = Path(src)
    try:
        m = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{src} 中没有 {MANIFEST}：不是备份目录，或备份没有完成。") from None
    except ValueError:
        raise StoreError(f"{src / MANIFEST} 已损坏，无法读取。") from None
    if m.get("format") != FORMAT:
        raise StoreError(f"备份格式 {m.get('format')} 不受本程序支持。")
    if m["schema_version"] > len(MIGRATIONS):
        raise StoreError(f"备份的数据库版本 {m['schema_version']} 高于程序支持的版本 {len(MIGRATIONS)}，请升级程序。")
    for t, v in m["tables"].items():
        p = src / f"{t}.parquet"
        if not p.is_file() or _sha(p) != v["sha256"]:
            raise StoreError(f"备份文件 {p.name} 缺失或已被改动，备份不完整，未恢复任何内容。")
    return m


def restore(src: str | os.PathLike, target: str | os.PathLike) -> dict:
    """Replace the database at `target` by the backup in `src`, exactly. Returns the manifest (plus `kept`)."""
    src, target = Path(src), Path(target)
    m = read_manifest(src)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".restoring")
    with new_database(tmp, m["schema_version"]) as con:
        for t in m["tables"]:
            src_sql = f"read_parquet('{_sql_path(src / (t + '.parquet'))}')"
            if t != "meta":                            # a table no migration of that version makes
                con.execute(f'CREATE TABLE IF NOT EXISTS "{t}" AS SELECT * FROM {src_sql} WITH NO DATA')
            con.execute(f'INSERT INTO "{t}" BY NAME SELECT * FROM {src_sql}')
        for name, last in m["sequences"].items():
            if last:
                con.execute(f"SELECT max(nextval('{name}')) FROM range(?)", [int(last)])
        got = _table_sums(con)
        bad = [t for t, v in m["tables"].items() if {k: got.get(t, {}).get(k) for k in ("rows", "hash")}
               != {"rows": v["rows"], "hash": v["hash"]}]
        if bad:
            raise StoreError(f"恢复后的数据与备份不一致（{'、'.join(bad)}），未替换当前数据库。")
    Store(tmp, linger=0).close()                     # later migrations of this program, if the backup is older
    kept = None
    holder = Store(target, linger=0) if target.exists() else None
    try:
        if holder is not None:                       # hold the file: no other process is in it during the swap
            with holder._connection() as live:
                live.execute("CHECKPOINT")
                # caches are keyed on data_version: the restored file must not reuse a number the live one had
                live_v = int(live.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
                with duckdb.connect(str(tmp)) as t:
                    t.execute("UPDATE meta SET value = ? WHERE key = 'data_version'",
                              [str(max(live_v, int(m["data_version"])) + 1)])
                for other in list(_LIVE):            # this process's idle connections follow the swap
                    if other is not holder and _same_file(other.path, target):
                        other.close()
                kept = target.with_name(f"{target.name}.before-restore-{dt.datetime.now():%Y%m%d-%H%M%S}")
                os.replace(target, kept)
                os.replace(tmp, target)
        else:
            os.replace(tmp, target)
    finally:
        if holder is not None:
            holder.close()
    return {**m, "kept": str(kept) if kept else None}


def _same_file(a: str, b: Path) -> bool:
    return a != ":memory:" and Path(a).resolve() == b.resolve()


def _sql_path(p: Path) -> str:
    return str(p).replace("'", "''")
