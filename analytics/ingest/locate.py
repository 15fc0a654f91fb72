"""Header detection and column mapping.

A sheet's header is found among its first rows: the row (or the pair of rows, for a
two-row merged header such as 整改情况 over 整改措施/整改期限) whose cells match the most
synonyms of one ledger, with all of that ledger's required columns present. The lines
above it (title, 填报单位) give the company and the period when the sheet has no column
for them; the sheet name ("10月", "2026年10月") can give the month.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..ledgers import LEDGERS, Ledger
from .normalise import Context
from .read import CellError
from ..textnorm import header_key, nfkc

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


_header_key = functools.lru_cache(maxsize=4096)(header_key)   # detect() asks it of each cell per ledger and row pair


def map_columns(lg: Ledger, cells: list[str]) -> dict[str, int]:
    """field → column index, for one ledger. Exact synonym matches first, then a header
    that contains a synonym of 3+ characters (e.g. 隐患描述及具体位置 → description)."""
    idx = SYNONYMS[lg.name]
    keys = [_header_key(c) for c in cells]
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
        name = self.names.get(j) if j is not None else None
        return name if name is not None else self.ledger.field(fld).label


def _merge(top: list[str], sub: list[str]) -> list[str]:
    n = max(len(top), len(sub))
    top, sub = top + [""] * (n - len(top)), sub + [""] * (n - len(sub))
    return [s if s.strip() else t for t, s in zip(top, sub)]


def _best(cells: list[str]) -> tuple[int, Ledger, dict[str, int]] | None:
    best = None
    for lg in LEDGERS.values():
        cols = map_columns(lg, cells)
        if len(cols) < MIN_SCORE or any(f not in cols for f in lg.required_columns):
            continue
        if best is None or len(cols) > best[0]:
            best = (len(cols), lg, cols)
    return best


def _candidates(texts: list[list[str]]):
    """(header rows, cells) for every single row and every pair of rows in the scan range."""
    for r in range(min(MAX_HEADER_SCAN, len(texts))):
        yield (r,), texts[r]
        if r + 1 < len(texts) and any(t.strip() for t in texts[r + 1]):
            yield (r, r + 1), _merge(texts[r], texts[r + 1])


def detect(rows: list[list]) -> Header | None:
    """The header of a sheet, or None when no ledger's header is found. The best-scoring row
    wins; a pair of rows (two-row merged header) only when it scores higher than either of its
    rows alone (so a 填报单位 line above a one-row header is not taken for a header row)."""
    texts = [[cell_text(v) for v in row] for row in rows[: MAX_HEADER_SCAN + 1]]
    single = {}
    for r in range(min(MAX_HEADER_SCAN + 1, len(texts))):
        single[r] = _best(texts[r])
    found: tuple[int, Header] | None = None
    for hrows, cells in _candidates(texts):
        got = single[hrows[0]] if len(hrows) == 1 else _best(cells)
        if got is None:
            continue
        if len(hrows) == 2 and any(single.get(r) and single[r][0] >= got[0] for r in hrows):
            continue
        if found is None or got[0] > found[0]:
            found = (got[0], Header(got[1], hrows, got[2], _names(cells, got[2])))
    return found[1] if found else None


@dataclass
class NearMiss:
    """A header that is clearly one ledger's but lacks required columns (→ missing_column errors)."""
    header: Header
    missing: tuple[str, ...]


def near_miss(rows: list[list]) -> NearMiss | None:
    """For a sheet where detect() found nothing: the ledger header that misses only a few required
    columns (at most half of them, at least one present, three columns recognised), else None."""
    texts = [[cell_text(v) for v in row] for row in rows[: MAX_HEADER_SCAN + 1]]
    found: tuple[int, NearMiss] | None = None
    for hrows, cells in _candidates(texts):
        for lg in LEDGERS.values():
            cols = map_columns(lg, cells)
            need = lg.required_columns
            missing = tuple(f for f in need if f not in cols)
            present = len(need) - len(missing)
            if not missing or len(cols) < MIN_SCORE or present < 1 or len(missing) > max(1, len(need) // 2):
                continue
            score = len(cols) + present
            if found is None or score > found[0]:
                found = (score, NearMiss(Header(lg, hrows, cols, _names(cells, cols)), missing))
    return found[1] if found else None


def _names(cells: list[str], cols: dict[str, int]) -> dict[int, str]:
    return {j: " ".join(cells[j].split()).lstrip("*＊ ") for j in cols.values()}


# ------------------------------------------------------------ context from title lines
_FILLER = re.compile(r"(?:填报单位|单位名称|报送单位|填报部门)\s*(?:[(（]\s*(?:盖章|公章|签章|章)\s*[)）])?\s*[:：]\s*"
                     r"(.*?)(?:\s{2,}|\s*(?:填报|报送|填表|统计)(?:日期|时间|人)|\s+\S{0,4}[:：]|$)")
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
    company_row: int | None = None      # 0-based row of the line that named the company
    company_in_title: bool = False      # named in a title line (a guess), not after 填报单位：


def title_info(rows: list[list], header_row: int, lg: Ledger) -> TitleInfo:
    """Company and period named in the lines above the header."""
    info = TitleInfo()
    for i, row in enumerate(rows[:header_row]):
        line = " ".join(cell_text(v) for v in row if cell_text(v).strip())
        line = nfkc(line)
        if not line:
            continue
        if (filler := _filler(row)) is not None:
            if (info.company is None or info.company_in_title) and (name := _filled_in(filler)):
                info.company, info.company_row, info.company_in_title = name, i, False   # 填报单位 beats a title
        elif any(w in line for w in (*lg.title_words, "台账")) and info.company is None:
            head = re.split(r"\d{4}\s*年|[（(]|" + "|".join(map(re.escape, (*lg.title_words, "台账"))), line)[0]
            head = head.strip(" ：:")
            if m := _COMPANY_IN_TITLE.match(line):     # "XX有限公司安全教育培训台账" → up to the company suffix
                head = m.group(1)
            if 2 <= len(head) <= 40 and not head.startswith(("填报", "附件", "表")) and _filled_in(head):
                info.company, info.company_row, info.company_in_title = head, i, True
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


def _filler(row: list) -> str | None:
    """What follows 填报单位： in a row, in the same cell or the next filled one; None without the label."""
    cells = [nfkc(cell_text(v)).strip() for v in row]
    cells = [c for c in cells if c]
    for k, c in enumerate(cells):
        if m := _FILLER.search(c):
            if m.group(1).strip():
                return m.group(1)
            nxt = cells[k + 1] if k + 1 < len(cells) else ""
            return "" if re.search(r"[:：]", nxt) else nxt
    return None


_BLANKS = re.compile(r"[\s_＿—\-.．·…]+")


def _filled_in(text: str) -> str | None:
    """The company written after 填报单位：, or None when the blank was left empty
    ("填报单位：____  填报日期：" must not read as a company called 填报日期)."""
    name = _BLANKS.sub("", text).strip(" ：:")
    if not name or name.startswith(("填报", "日期", "报送", "时间", "月份", "年度")) or len(name) < 2:
        return None
    return text.strip().strip("_＿ ")


_ORG = re.compile(r"(公司|集团|厂|矿|站|中心|院|局|所|处|队|场|部)$")


def looks_like_company(name: str) -> bool:
    """A title's leading words name an organisation ("陇原电力有限公司…台账"), not e.g. "安全教育培训台账"."""
    return bool(_ORG.search(nfkc(name).strip()))


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
