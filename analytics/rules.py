"""Domain rules that classify a record: accident level (国务院令第493号) and record keys."""
from __future__ import annotations

import hashlib

from .ledgers import KEYS
from .textnorm import compact

# (level, deaths ≥, serious injuries ≥, direct loss ≥ 万元), highest first; "以上" includes the number.
ACCIDENT_LEVELS = (
    ("特别重大", 30, 100, 10000.0),
    ("重大", 10, 50, 5000.0),
    ("较大", 3, 10, 1000.0),
)
ACCIDENT_LEVEL_ORDER = ("一般", "较大", "重大", "特别重大")


def accident_level(deaths: int | None, serious: int | None, loss: float | None) -> str:
    """The highest level that any of the three criteria reaches (生产安全事故报告和调查处理条例 第三条)."""
    d, s, l = deaths or 0, serious or 0, loss or 0.0
    for level, dmin, smin, lmin in ACCIDENT_LEVELS:
        if d >= dmin or s >= smin or l >= lmin:
            return level
    return "一般"


def record_key(ledger: str, rec: dict) -> str:
    """The business key of an entity or keyed record, unique within the database."""
    primary, fallback = KEYS[ledger]
    company = rec["company"]
    if all(rec.get(f) not in (None, "") for f in primary):
        return company + "|" + "|".join(compact(str(rec[f])) for f in primary)
    raw = "\x1f".join([company, *(str(rec.get(f) or "") for f in fallback)])
    return company + "|#" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]
