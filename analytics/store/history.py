"""Upload history (batches), their warnings, and 报送情况 (which ledgers arrived, per company and month)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .db import Store
from ..ledgers import LEDGERS


def batches(store: Store) -> pd.DataFrame:
    """Every batch, newest last: id, file, sha256, ledger, company, status, rows, …"""
    df = store.df("""
        SELECT id, file, sha256, ledger, array_to_string(companies, '、') AS company, status, rows, inserted, updated,
               unchanged, warnings, strftime(period_start, '%Y-%m') AS period_start, strftime(period_end, '%Y-%m') AS period_end,
               uploaded_by, uploaded_at, reverted_at, reverted_by
        FROM batches ORDER BY id""")
    df["ledger_label"] = df["ledger"].map(lambda k: LEDGERS[k].label)
    return df


def batch_changes(store: Store, batch_id: int) -> pd.DataFrame:
    """The fields a batch changed (old → new), per record, as recorded on load."""
    return store.df("""SELECT label, company, field, old_value, new_value FROM batch_changes
                       WHERE batch_id = ? ORDER BY rowid""", [batch_id])


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


def data_span(store: Store) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day any ledger has data for (hazards found, accidents, training, investment)."""
    r = store.rows("""
        SELECT min(d), max(d) FROM (
          SELECT found_date AS d FROM hazards UNION ALL SELECT CAST(occurred_at AS DATE) FROM accidents
          UNION ALL SELECT date FROM training UNION ALL SELECT month FROM investment)""")
    return r[0] if r else (None, None)


def last_arrivals(store: Store) -> pd.DataFrame:
    """Up to which day each registered company's ledgers have arrived (DOMAIN.md §3): per company the last
    found date (隐患), accident, training day and investment month in the current data; NULL where none."""
    return store.df("""
        SELECT c.name AS company,
               (SELECT max(found_date) FROM hazards h WHERE h.company = c.name) AS hazards,
               (SELECT max(CAST(occurred_at AS DATE)) FROM accidents a WHERE a.company = c.name) AS accidents,
               (SELECT max(date) FROM training t WHERE t.company = c.name) AS training,
               (SELECT max(month) FROM investment i WHERE i.company = c.name) AS investment
        FROM companies c ORDER BY c.id""")


def reference_date(store: Store, today: dt.date | None = None) -> dt.date:
    """'Today' for default windows (本年至今): the last day with data, if that is before today."""
    _, last = data_span(store)
    today = today or dt.date.today()
    return min(today, last) if last else today


def submission_matrix(store: Store, start: dt.date, end: dt.date) -> pd.DataFrame:
    """报送情况 as a table: one row per company, one column per month, each cell naming the
    ledgers that arrived (✓ 隐患 事故 培训 投入) or 未报送."""
    df = submissions(store, start, end)
    short = {"hazards": "隐患", "accidents": "事故", "training": "培训", "investment": "投入", "indicators": "指标"}
    df = df[(df["batches"] > 0) & (df["ledger"] != "indicators")]
    cells = (df.assign(s=df["ledger"].map(short))
               .groupby(["company", "month"], sort=False)["s"].agg(lambda x: "、".join(x)))
    months = pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(), pd.Timestamp(end), freq="MS")
    names = [r[0] for r in store.rows("SELECT name FROM companies ORDER BY id")]
    out = pd.DataFrame(index=names, columns=[m.strftime("%Y-%m") for m in months], dtype="object")
    for (company, month), v in cells.items():
        key = pd.Timestamp(month).strftime("%Y-%m")
        if company in out.index and key in out.columns:
            out.loc[company, key] = v
    return out.fillna("未报送").rename_axis("单位").reset_index()
