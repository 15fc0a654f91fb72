"""Upload history (batches), their warnings, and 报送情况 (which ledgers arrived, per company and month)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .db import Store
from .ledgers import LEDGERS


def batches(store: Store) -> pd.DataFrame:
    """Every batch, newest last: id, file, sha256, ledger, company, status, rows, …"""
    df = store.df("""
        SELECT id, file, sha256, ledger, array_to_string(companies, '、') AS company, status, rows, inserted, updated,
               warnings, strftime(period_start, '%Y-%m') AS period_start, strftime(period_end, '%Y-%m') AS period_end,
               uploaded_by, uploaded_at, reverted_at, reverted_by
        FROM batches ORDER BY id""")
    df["ledger_label"] = df["ledger"].map(lambda k: LEDGERS[k].label)
    return df


def batch_issues(store: Store, batch_id: int) -> pd.DataFrame:
    return store.df("""SELECT level, sheet, row_no, column_name, value, message FROM batch_issues
                       WHERE batch_id = ? ORDER BY sheet, row_no""", [batch_id])


def has_data(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM batches"))


def submissions(store: Store, start: dt.date, end: dt.date) -> pd.DataFrame:
    """报送情况: one row per (company, month, ledger) of the window with the number of active
    batches that cover it (0 = not submitted). Every registered company and month appears."""
    return store.df("""
        WITH m AS (SELECT CAST(x AS DATE) AS month FROM generate_series(date_trunc('month', CAST($start AS DATE)),
                                                                      CAST($end AS DATE), INTERVAL 1 MONTH) s(x)),
             l AS (SELECT unnest($ledgers) AS ledger)
        SELECT c.name AS company, m.month, l.ledger, count(b.id) AS batches
        FROM companies c CROSS JOIN m CROSS JOIN l
        LEFT JOIN batch_coverage v ON v.company = c.name AND v.month = m.month
        LEFT JOIN batches b ON b.id = v.batch_id AND b.status = 'loaded' AND b.ledger = l.ledger
        GROUP BY c.id, c.name, m.month, l.ledger
        ORDER BY c.id, m.month, l.ledger""", {"start": start, "end": end, "ledgers": list(LEDGERS)})
