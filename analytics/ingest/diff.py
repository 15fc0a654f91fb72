"""What an upload changes (DOMAIN.md §2: the newest upload of a key wins): per batch the rows inserted, changed
and unchanged, and for entity / keyed ledgers every changed field (old → new).

The same comparison serves the preview (a dry run on the store's committed rows, nothing written) and the load
itself (inside the write transaction, before the current rows are replaced), so what the page shows before
loading is what the batch records after it.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from ..ledgers import LEDGERS
from .frame import Frame
from ..store.schema import ledger_columns

_META = {"batch_id", "sheet", "row_no", "key"}
KEY_SEP = "\x1f"                                # no key holds it: keys are compacted text or hashes
_LABEL_FIELDS = {"hazards": ("hazard_no", "description"), "accidents": ("accident_no", "description"),
                 "indicators": ("indicator",)}


@dataclass
class Change:
    key: str
    label: str                                   # how the user recognises the record: 编号, else 描述
    company: str
    fields: list[tuple[str, str, str]]           # (field label, old, new) as shown


@dataclass
class Diff:
    ledger: str
    inserted: int = 0
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    replaced: int = 0                            # flow ledgers: earlier rows of the covered months now gone

    @property
    def summary(self) -> str:
        if LEDGERS[self.ledger].semantics == "flow":
            return f"新增 {self.inserted} 行、未变 {self.unchanged} 行、替换原有 {self.replaced} 行"
        return f"新增 {self.inserted}、修改 {len(self.changed)}、未变 {self.unchanged}"


def compared(ledger: str) -> list[str]:
    """The columns that make a row's content (not where it sat in the file, nor which batch)."""
    return [n for n, _ in ledger_columns(LEDGERS[ledger]) if n not in _META]


def shown(v) -> str:
    if v is None or v != v:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    if isinstance(a, dt.datetime) != isinstance(b, dt.datetime) and isinstance(a, dt.date) and isinstance(b, dt.date):
        return shown(a) == shown(b)
    return a == b


def diff_records(fetch, ledger: str, records: list[dict], coverage=(), cur=None) -> Diff:
    """`fetch(sql, params)` → rows (Store.rows for a preview, a write cursor's execute().fetchall() on load);
    `cur`, the write cursor on load: the keys are staged as an Arrow table there (5× quicker than the string)."""
    lg = LEDGERS[ledger]
    cols = compared(ledger)
    out = Diff(ledger)
    records = records if isinstance(records, Frame) else Frame.from_records(records)
    if lg.semantics == "flow":
        from .load import month_expr
        cov = sorted(coverage)
        old = fetch(f"SELECT {', '.join(cols)} FROM {ledger} WHERE (company || '|' || "
                    f"CAST({month_expr(ledger)} AS VARCHAR)) = ANY(?)",         # DuckDB and PostgreSQL alike
                    [[f"{c}|{m:%Y-%m}-01" for c, m in cov]]) if cov else []
        before = Counter(tuple(shown(v) for v in r) for r in old)
        after = Counter(zip(*(map(shown, records.column(c)) for c in cols)))
        same = sum((before & after).values())
        out.inserted, out.unchanged, out.replaced = len(records) - same, same, len(old) - same
        return out
    keys = records.column("key")
    # the keys go as one string (binding a list of 100,000 values costs a second; splitting it, milliseconds),
    # or, inside the write, as a staged Arrow table
    if not keys:
        old = {}
    elif cur is not None:
        import pyarrow as pa
        from ..store.db import stage, unstage
        stage(cur, "diff_keys", pa.table({"key": records.arrow_column("key", pa.string())}))
        try:
            old = {r[0]: r[1:] for r in fetch(f"SELECT key, {', '.join(cols)} FROM {ledger} WHERE key IN "
                                              "(SELECT key FROM diff_keys)", None)}
        finally:
            unstage(cur, "diff_keys")
    else:
        old = {r[0]: r[1:] for r in fetch(f"SELECT key, {', '.join(cols)} FROM {ledger} WHERE key IN "
                                          "(SELECT unnest(string_to_array(?, chr(31))))", [KEY_SEP.join(keys)])}
    labels = {c: (lg.field(c).label if any(f.name == c for f in lg.fields) else c) for c in cols}
    out.inserted = sum(1 for k in keys if k not in old)
    for i in (i for i, k in enumerate(keys) if k in old):
        rec, prev = records[i], old[keys[i]]
        changes = [(labels[c], shown(o), shown(rec.get(c))) for c, o in zip(cols, prev)
                   if not c.endswith("_raw") and not _same(o, rec.get(c))]
        raw = [(labels[c[:-4]] + "（原文）", shown(o), shown(rec.get(c))) for c, o in zip(cols, prev)
               if c.endswith("_raw") and not _same(o, rec.get(c)) and not any(x[0] == labels[c[:-4]] for x in changes)]
        if changes or raw:
            label = next((shown(rec.get(f)) for f in _LABEL_FIELDS.get(ledger, ()) if rec.get(f)), rec["key"][:8])
            out.changed.append(Change(rec["key"], label, rec.get("company") or "", changes + raw))
        else:
            out.unchanged += 1
    return out
