"""Header detection and column mapping.

A sheet's header is found among its first rows: the row (or the pair of rows, for a
two-row merged header such as 整改情况 over 整改措施/整改期限) whose cells match the most
synonyms of one ledger, with all of that ledger's required columns present. The lines
above it (title, 填报单位) give the company and the period when the sheet has no column
for them; the sheet name ("10月", "2026年10月") can give the month.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .ledgers import LEDGERS, Ledger
from .normalise import Context
from .read import CellError
from .textnorm import header_key, nfkc

MAX_HEADER_SCAN = 30        # the header must start within the first 30 rows
MIN_SCORE = 3               # at least three recognised columns


def _index() -> dict[str, dict[str, str]]:
    """ledger → {synonym key → field}."""
    out: dict[str, dict[str, str]] = {}
    for lg in LEDGERS.values():
        idx: dict[str, str] = {}
        for f in lg.fields:
            for syn in (f.label, *f.synonyms):
                idx.setdefault(header_key(syn), f.name)
        out[lg.name] = idx
    return out


SYNONYMS = _index()


def cell_text(v) -> str:
    if v is None or isinstance(v, CellError):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def map_columns(lg: Ledger, cells: list[str]) -> dict[str, int]:
    """field → column index, for one ledger. Exact synonym matches first, then a header
    that contains a synonym of 3+ characters (e.g. 隐患描述及具体位置 → description)."""
    idx = SYNONYMS[lg.name]
    keys = [header_key(c) for c in cells]
    out: dict[str, int] = {}
    for j, k in enumerate(keys):
        f = idx.get(k)
        if f and f not in out:
            out[f] = j
    for j, k in enumerate(keys):
        if not k or k in idx or len(k) > 16 or j in out.values():
            continue
        best = max((s for s in idx if len(s) >= 3 and s in k), key=len, default=None)
        if best and idx[best] not in out:
            out[idx[best]] = j
    return out


@dataclass
class Header:
    ledger: Ledger
    rows: tuple[int, ...]               # 0-based indices of the header row(s)
    columns: dict[str, int]             # field → column index
    names: dict[int, str]               # column index → header text as the file shows it

    @property
    def data_start(self) -> int:
        return self.rows[-1] + 1

    def column_name(self, fld: str) -> str:
        j = self.columns.get(fld)
        return self.names.get(j, self.ledger.field(fld).label) if j is not None else self.ledger.field(fld).label


def _merge(top: list[str], sub: list[str]) -> list[str]:
    n = max(len(top), len(sub))
    top, sub = top + [""] * (n - len(top)), sub + [""] * (n - len(sub))
    return [s if s.strip() else t for t, s in zip(top, sub)]


def _best(cells: list[str]) -> tuple[int, Ledger, dict[str, int]] | None:
    best = None
    for lg in LEDGERS.values():
        cols = map_columns(lg, cells)
        need = [f for f in lg.required if f != "company"]
        if len(cols) < MIN_SCORE or any(f not in cols for f in need):
            continue
        if best is None or len(cols) > best[0]:
            best = (len(cols), lg, cols)
    return best


def detect(rows: list[list]) -> Header | None:
    """The header of a sheet, or None when no ledger's header is found."""
    texts = [[cell_text(v) for v in row] for row in rows[: MAX_HEADER_SCAN + 1]]
    found: tuple[int, Header] | None = None
    for r in range(min(MAX_HEADER_SCAN, len(texts))):
        single = _best(texts[r])
        cand = None
        if single:
            cand = (single[0], Header(single[1], (r,), single[2], _names(texts[r], single[2])))
        if r + 1 < len(texts) and any(t.strip() for t in texts[r + 1]):
            merged = _merge(texts[r], texts[r + 1])
            double = _best(merged)
            if double and (cand is None or double[0] > cand[0]):
                cand = (double[0], Header(double[1], (r, r + 1), double[2], _names(merged, double[2])))
        if cand and (found is None or cand[0] > found[0]):
            found = cand
    return found[1] if found else None


def _names(cells: list[str], cols: dict[str, int]) -> dict[int, str]:
    return {j: " ".join(cells[j].split()) for j in cols.values()}


# ------------------------------------------------------------ context from title lines
_FILLER = re.compile(r"(?:填报单位|单位名称|报送单位|填报部门)\s*[:：]\s*(.+?)(?:\s{2,}|\s+(?:填报|日期|时间|报送)|$)")
_YM = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_Y = re.compile(r"(\d{4})\s*年")
_YM_DASH = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})(?![\d])")
_COMPANY_IN_TITLE = re.compile(r"^\s*(\S{2,30}?(?:有限责任公司|股份有限公司|有限公司|分公司|公司))")
_SHEET_M = re.compile(r"^(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月(?:份)?$")


@dataclass
class TitleInfo:
    company: str | None = None
    year: int | None = None
    month: int | None = None
    months: list[tuple[int, int]] = field(default_factory=list)   # every 年月 named in the title lines


def title_info(rows: list[list], header_row: int, lg: Ledger) -> TitleInfo:
    """Company and period named in the lines above the header."""
    info = TitleInfo()
    for row in rows[:header_row]:
        line = " ".join(cell_text(v) for v in row if cell_text(v).strip())
        line = nfkc(line)
        if not line:
            continue
        if m := _FILLER.search(line):
            info.company = info.company or m.group(1).strip()
        elif any(w in line for w in (*lg.title_words, "台账")) and info.company is None:
            head = re.split(r"\d{4}\s*年|[（(]|" + "|".join(map(re.escape, (*lg.title_words, "台账"))), line)[0]
            head = head.strip(" ：:")
            if m := _COMPANY_IN_TITLE.match(line):     # "XX有限公司安全教育培训台账" → up to the company suffix
                head = m.group(1)
            if 2 <= len(head) <= 40 and not head.startswith(("填报", "附件", "表")):
                info.company = head
        if "填报日期" in line or "报送日期" in line:
            line = re.split(r"填报日期|报送日期", line)[0]
        for y, m in _YM.findall(line):
            info.months.append((int(y), int(m)))
        if not info.months:
            for y, m in _YM_DASH.findall(line):
                if 1 <= int(m) <= 12:
                    info.months.append((int(y), int(m)))
        if info.year is None and (m := _Y.search(line)):
            info.year = int(m.group(1))
    if info.months:
        info.year, info.month = info.months[0]
        if len(set(info.months)) > 1:
            info.month = None
    return info


def sheet_month(name: str) -> tuple[int | None, int | None]:
    m = _SHEET_M.match(nfkc(name).strip())
    if not m:
        return None, None
    return (int(m.group(1)) if m.group(1) else None), int(m.group(2))


def date_context(info: TitleInfo, sheet_name: str, period: tuple[int, int] | None) -> Context:
    """Year and month for dates written without them: sheet name, then title, then --period."""
    sy, sm = sheet_month(sheet_name)
    year = sy or info.year or (period[0] if period else None)
    month = sm or info.month or (period[1] if period else None)
    return Context(year, month)
