"""The database schema, generated from the ledger specs, and its numbered migrations.

Every ledger has two tables with the same columns:
  <ledger>_versions  append-only: every row of every upload, tagged with its batch
  <ledger>           the current rows: what the newest active batch says (rebuilt on load/revert)
"""
from __future__ import annotations

from ..ledgers import LEDGERS, Ledger

SQL_TYPES = {
    "text": "VARCHAR", "open_enum": "VARCHAR", "enum": "VARCHAR", "company": "VARCHAR",
    "date": "DATE", "datetime": "TIMESTAMP", "month": "DATE", "year": "INTEGER",
    "int": "INTEGER", "number": "DOUBLE", "flag": "BOOLEAN", "target": "VARCHAR",
}

# Columns that the pipeline derives from the fields (analytics/derive.py fills them).
DERIVED: dict[str, tuple[tuple[str, str], ...]] = {
    "hazards": (("level_raw", "VARCHAR"), ("status_raw", "VARCHAR")),
    "accidents": (("level", "VARCHAR"), ("type_raw", "VARCHAR")),
    "training": (),
    "investment": (),
    "indicators": (("comparator", "VARCHAR"), ("target_value", "DOUBLE"), ("is_percent", "BOOLEAN")),
}


def ledger_columns(lg: Ledger) -> list[tuple[str, str]]:
    """(name, SQL type) of a ledger table, in order."""
    cols = [("batch_id", "INTEGER"), ("sheet", "VARCHAR"), ("row_no", "INTEGER"), ("key", "VARCHAR")]
    cols += [(f.name, SQL_TYPES[f.kind]) for f in lg.fields]
    cols += list(DERIVED[lg.name])
    return cols


def _ledger_ddl(lg: Ledger) -> str:
    cols = ",\n  ".join(f"{n} {t}" for n, t in ledger_columns(lg))
    return (f"CREATE TABLE {lg.name}_versions (\n  {cols}\n);\n"
            f"CREATE TABLE {lg.name} AS SELECT * FROM {lg.name}_versions WITH NO DATA;\n"
            f"CREATE INDEX {lg.name}_versions_batch ON {lg.name}_versions(batch_id);\n")


V1 = """
CREATE SEQUENCE company_seq START 1;
CREATE TABLE companies (
  id INTEGER PRIMARY KEY DEFAULT nextval('company_seq'),
  name VARCHAR NOT NULL UNIQUE,
  created_at TIMESTAMP DEFAULT current_timestamp
);
CREATE TABLE company_aliases (
  alias_key VARCHAR PRIMARY KEY,      -- textnorm.company_key of the alias
  alias VARCHAR NOT NULL,
  company_id INTEGER NOT NULL
);
CREATE SEQUENCE batch_seq START 1;
CREATE TABLE batches (
  id INTEGER PRIMARY KEY DEFAULT nextval('batch_seq'),
  file VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  ledger VARCHAR NOT NULL,
  companies VARCHAR[] NOT NULL,
  period_start DATE,
  period_end DATE,
  uploaded_by VARCHAR,
  uploaded_at TIMESTAMP NOT NULL,
  status VARCHAR NOT NULL,            -- loaded | reverted
  rows INTEGER NOT NULL,
  inserted INTEGER NOT NULL,          -- keys new to the database
  updated INTEGER NOT NULL,           -- keys that replaced an earlier version
  warnings INTEGER NOT NULL,
  reverted_at TIMESTAMP,
  reverted_by VARCHAR
);
CREATE TABLE batch_issues (
  batch_id INTEGER NOT NULL,
  level VARCHAR NOT NULL,             -- 警告 (errors never reach the database)
  code VARCHAR NOT NULL,
  sheet VARCHAR,
  row_no INTEGER,
  column_name VARCHAR,
  value VARCHAR,
  message VARCHAR NOT NULL
);
-- the (company, month) pairs a batch speaks for: what a flow ledger upload replaces, and 报送情况
CREATE TABLE batch_coverage (
  batch_id INTEGER NOT NULL,
  company VARCHAR NOT NULL,
  month DATE NOT NULL
);
""" + "".join(_ledger_ddl(lg) for lg in LEDGERS.values())

# issue 11: the registry's optional parent (板块 / 二级单位, e.g. 能源板块); NULL = the company stands alone.
COMPANY_PARENT = "ALTER TABLE companies ADD COLUMN parent VARCHAR;"

# issue 8: what a revision changed. updated now counts the keys whose content changed; unchanged those sent again
# as they were; batch_changes keeps every changed field (old → new) of a batch, as the upload page shows it.
V_REVISION_DIFF = """
ALTER TABLE batches ADD COLUMN unchanged INTEGER;
CREATE TABLE batch_changes (
  batch_id INTEGER NOT NULL,
  key VARCHAR NOT NULL,
  label VARCHAR,
  company VARCHAR,
  field VARCHAR NOT NULL,
  old_value VARCHAR,
  new_value VARCHAR
);
"""

# Issue 10: accounts, the audit trail, access settings, retired companies. Plain DDL (also for PostgreSQL);
# the audit id is max(id)+1 inside the serialised write transaction (no sequence).
ACCESS = """
CREATE TABLE users (
  username VARCHAR PRIMARY KEY,
  display_name VARCHAR,
  role VARCHAR NOT NULL,              -- 浏览 | 上传 | 管理
  companies VARCHAR NOT NULL DEFAULT '[]',   -- JSON list of registered names; [] = every company
  kind VARCHAR NOT NULL DEFAULT 'password',  -- password | sso (e-mail or subject of the identity provider)
  password_hash VARCHAR,
  must_change BOOLEAN NOT NULL DEFAULT true,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TIMESTAMP,
  disabled BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMP NOT NULL,
  last_login TIMESTAMP
);
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY,
  ts TIMESTAMP NOT NULL,
  actor VARCHAR NOT NULL,
  address VARCHAR,
  action VARCHAR NOT NULL,
  outcome VARCHAR NOT NULL,           -- 成功 | 失败 | 拒绝
  target VARCHAR,
  detail VARCHAR                      -- JSON
);
CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
ALTER TABLE companies ADD COLUMN retired_at TIMESTAMP;
"""

MIGRATIONS: list[str] = [V1, COMPANY_PARENT, V_REVISION_DIFF, ACCESS]
SCHEMA_VERSION = len(MIGRATIONS)
