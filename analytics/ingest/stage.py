"""Staging: the data rows of one sheet → typed records (mapping + normalising).

Skips what is not data: blank rows (序号 alone counts as blank), 合计/小计 rows,
signature lines (填表人、审核人…) and repeated header rows. Every cell problem becomes
an Issue with the row number Excel shows and the header text the file uses.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import issues as iss
from ..companies import Registry
from .locate import Header, cell_text
from .normalise import PARSERS, Bad, Context, Target, has_time, is_blank, not_applicable, text, vocab_text
from .frame import Frame
from .load import arrow_types
from .read import RawSheet
from ..rules import accident_level
from ..textnorm import compact, header_key

_TOTAL = re.compile(r"^(合计|小计|总计|共计|累计)")
_SIGNATURE = re.compile(r"^(填表人|填报人|制表人|审核人|审批人|负责人|单位负责人|主要负责人|分管领导|"
                        r"安全负责人|统计人|联系人|联系电话|填表日期|填报日期|报送日期|注[:：]|说明[:：]|备注[:：])")


@dataclass
class Staged:
    records: Frame = field(default_factory=Frame)
    issues: list[iss.Issue] = field(default_factory=list)


class _Column:
    """One sheet column over the data rows, dictionary-encoded: codes[i] is row (data_start + i)'s index into
    `values` (the distinct Python values, as the reader gave them), -1 for an empty cell. Every per-value rule
    (blank, 合计, parsing, vocabularies, companies) runs once per distinct value, and rows take its result by
    their code (numpy); only the failing rows become Python again, as issues."""
    __slots__ = ("codes", "values", "_index", "arrow", "folded")

    def __init__(self, codes: np.ndarray, values: list, arrow=None):
        self.codes, self.values, self._index = codes, values, None
        self.arrow = arrow                # the first len(arrow) values as an Arrow array (the column's dictionary)
        self.folded = None                # (len(values), its strings NFKC + lower case): for the prefilters

    @classmethod
    def of(cls, sheet: RawSheet, j: int, start: int, n: int) -> "_Column":
        body = sheet.table.column(j).slice(start) if j < sheet.width else None
        if body is None or body.type == pa.null() or body.null_count == len(body):
            codes, values, arrow = np.full(n, -1, np.int64), [], None
        else:
            enc = pc.dictionary_encode(body.combine_chunks())
            codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
            arrow = enc.dictionary
            values = arrow.to_pylist()
        col = cls(codes, values, arrow)
        for r, v in sheet.other.get(j, {}).items():
            if start <= r < start + n:
                codes[r - start] = col.code(v)
        return col

    def code(self, v) -> int:
        if v is None:
            return -1
        if self._index is None:
            self._index = {}
            for k, x in enumerate(self.values):
                self._index.setdefault((type(x), x), k)
        key = (type(v), v)
        k = self._index.get(key)
        if k is None:
            k = self._index[key] = len(self.values)
            self.values.append(v)
        return k

    def value(self, i: int):
        c = self.codes[i]
        return None if c < 0 else self.values[c]

    def take(self, per: np.ndarray) -> np.ndarray:
        return per[self.codes]            # code -1 takes the last slot: the empty cell's value


def _strings(col: _Column) -> pa.Array:
    """The column's distinct values as an Arrow string array (None where a value is not text). The dictionary of a
    column of another type (numbers, dates) holds no text: only the values added after it are looked at."""
    n0 = len(col.arrow) if col.arrow is not None else 0
    head = col.arrow if n0 and col.arrow.type == pa.string() else pa.nulls(n0, pa.string())
    rest = [v if type(v) is str else None for v in col.values[n0:]]
    if not n0:
        return pa.array(rest, pa.string())
    return pa.concat_arrays([head, pa.array(rest, pa.string())]) if rest else head


def _arrow_flags(col: _Column, pattern: str) -> np.ndarray:
    """Which distinct strings contain `pattern` (RE2, after NFKC and lower case): a cheap filter before a
    Python rule, so that e.g. 100,000 distinct descriptions are not each normalised to look for 合计."""
    if col.folded is None or col.folded[0] != len(col.values):
        a = _strings(col)
        col.folded = (len(col.values), a if a.null_count == len(a) else pc.utf8_lower(pc.utf8_normalize(a, "NFKC")))
    a = col.folded[1]
    if a.null_count == len(a):
        return np.zeros(len(a), bool)
    return pc.fill_null(pc.match_substring_regex(a, pattern), False).to_numpy(zero_copy_only=False)


def _flagged(col: _Column, pattern: str, rule) -> np.ndarray:
    """Per row: does its cell's value pass `rule` — asked only of the distinct values the Arrow prefilter
    `pattern` lets through (every other value fails it)."""
    per = np.zeros(len(col.values) + 1, bool)       # the last slot: the empty cell
    for k in np.flatnonzero(_arrow_flags(col, pattern)):
        per[k] = rule(col.values[k])
    return per[col.codes]


def _filled(col: _Column) -> np.ndarray:
    """Per distinct value (and the empty cell, last): does the cell hold something (not blank text)?"""
    a = _strings(col)
    out = np.ones(len(a) + 1, bool)
    out[-1] = False
    if a.null_count < len(a):
        blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(a), ""), False).to_numpy(zero_copy_only=False)
        out[:-1] &= ~blank
    return out


def _skip_rows(cols: list[_Column], n: int, header: Header, header_keys: dict[int, str]) -> np.ndarray:
    """Blank, 合计/小计, signature and repeated-header rows are not data (the same rules as row by row, set-based).
    Returns the rows to skip."""
    width = len(cols)
    filled = np.zeros((n, width), bool, order="F")  # column by column
    total = np.zeros((n, width), bool, order="F")
    sign = np.zeros((n, width), bool, order="F")
    for j, c in enumerate(cols):
        if not c.values:
            continue
        filled[:, j] = c.take(_filled(c))
        total[:, j] = _flagged(c, "计", lambda v: type(v) is str and bool(_TOTAL.match(compact(v))))
        sign[:, j] = _flagged(c, "[人导话期注明]", lambda v: bool(_SIGNATURE.match(compact(cell_text(v)))))
    skip = ~filled.any(axis=1)
    mapped = [j for j in header.columns.values() if j < width]
    skip |= ~filled[:, mapped].any(axis=1) if mapped else True
    if total.any() or sign.any():                   # a 合计 or signature line somewhere: which cells count
        rank = np.cumsum(filled, axis=1)
        skip |= (filled & (rank <= 3) & total).any(axis=1)         # only the first three filled cells count
        maybe = (filled & (rank <= 4) & sign).any(axis=1) & ~skip
        for i in np.flatnonzero(maybe):
            vals = [cols[j].value(i) for j in np.flatnonzero(filled[i])]
            if len(vals) <= 4 or len(set(map(str, vals))) == 1:
                skip[i] = True
    j0 = next(iter(header_keys), None)               # a header repeated on a printed page
    if j0 is not None and j0 < width:
        hits = np.zeros(n, np.int64)
        first = None
        for j, k in header_keys.items():
            if j >= width or not cols[j].values or not k:
                continue
            h = _flagged(cols[j], re.escape(k[0]), lambda v, k=k: isinstance(v, str) and header_key(v) == k)
            hits += h
            if j == j0:
                first = h
        if first is not None:
            skip |= first & (hits >= 3)
    return skip


# Columns whose vertical merge over several data rows makes those rows one record (DOMAIN.md §2): the
# 序号 and, in the entity ledgers, the record's number and description. A merged 单位 (or 整改期限…) cell
# down a block of rows only gives each row its value.
_RECORD_FIELDS = {"hazards": ("hazard_no", "description"), "accidents": ("accident_no", "description")}
_SERIAL_HEADS = {"序号", "序", "顺序号"}
JOIN = "；"


def _apply_merges(sheet: RawSheet, cols: list[_Column], n: int, header: Header) -> tuple[int, np.ndarray]:
    """Merged ranges applied to the data columns (in place): every cell of a merged range below the header holds
    the range's value; rows of one merged record (序号 / 编号 / 描述 merged over them) become one row at the
    range's top, whose other cells join the sub-rows' texts in order. Returns (the number of data rows, which
    may grow when a range reaches below the last row; the sub-rows to skip)."""
    start = header.data_start
    merges = [m for m in sheet.merges if m[2] >= start and m[2] > m[0]]   # a merge within one row stays at its left cell
    if not merges:
        return n, np.zeros(n, bool)
    last = max(m[2] for m in merges) - start + 1
    if last > n:
        for c in cols:
            c.codes = np.concatenate([c.codes, np.full(last - n, -1, np.int64)])
        n = last
    for c1 in {m[3] for m in merges}:
        while c1 >= len(cols):
            cols.append(_Column(np.full(n, -1, np.int64), []))
    head = sheet.head(start)

    def at(r: int, j: int):
        if r >= start:
            return cols[j].value(r - start)
        return head[r][j] if r < len(head) and j < len(head[r]) else None

    for r0, c0, r1, c1 in merges:
        top = at(r0, c0)
        for j in range(c0, c1 + 1):
            cols[j].codes[max(r0, start) - start:r1 - start + 1] = cols[j].code(top)
    head_cells = head[header.rows[-1]] if header.rows[-1] < len(head) else []
    keys = {j for j, v in enumerate(head_cells) if header_key(cell_text(v)) in _SERIAL_HEADS}
    keys |= {header.columns[f] for f in _RECORD_FIELDS.get(header.ledger.name, ()) if f in header.columns}
    spans = sorted({(r0, r1) for r0, c0, r1, c1 in merges if r1 > r0 and r0 >= start and c0 in keys})
    skip = np.zeros(n, bool)
    for r0, r1 in spans:
        if skip[r0 - start]:
            continue
        merged_cols = {j for m0, c0, m1, c1 in merges if m0 <= r0 and m1 >= r1 for j in range(c0, c1 + 1)}
        for j, c in enumerate(cols):
            if j in merged_cols:
                continue
            vals = [v for v in (c.value(i - start) for i in range(r0, r1 + 1)) if not is_blank(v)]
            if len(vals) <= 1 or all(v == vals[0] for v in vals):
                joined = vals[0] if vals else None
            else:                                    # texts join in order; differing dates/numbers are
                joined = JOIN.join(cell_text(v) for v in vals)   # quoted back if they cannot parse
            c.codes[r0 - start] = c.code(joined)
        skip[r0 - start + 1:r1 - start + 1] = True
    return n, skip


class _Parsed:
    """A field's result for each distinct value of its column: the typed value, the extras kept beside it
    (the raw text of a vocabulary, whether a time was given), the problem (code, message) or None, and the
    value as the message quotes it."""

    def __init__(self, size: int):
        self.val = np.empty(size, object)
        self.extra: dict[str, np.ndarray] = {}
        self.bad: list = [None] * size
        self.shown: list = [None] * size


def _parse_field(f, values: list, ctx: Context, lg_name: str) -> _Parsed:
    out = _Parsed(len(values) + 1)
    done = _parse_texts(f, values, out) if f.kind in ("text", "company") else ()
    for k, raw in enumerate([*values, None]):
        if k in done:
            continue
        out.shown[k] = None if is_blank(raw) else cell_text(raw)
        v = None if not_applicable(raw) else raw   # "/", "—", "无": the cell does not apply (the message quotes it)
        bad = None
        val = None
        try:
            if f.kind in ("enum", "open_enum"):
                t = text(v)                                     # raises on error cells
                out.extra.setdefault(f.name + "_raw", np.empty(len(values) + 1, object))[k] = t
                val = vocab_text(t, f.vocab, f.kind == "enum")
            elif f.kind == "target":
                out.extra.setdefault("target_raw", np.empty(len(values) + 1, object))[k] = text(v)
                val = PARSERS["target"](v, ctx)
            else:
                val = PARSERS[f.kind](v, ctx)
                if f.kind == "datetime":
                    out.extra.setdefault(f.name + "_date_only", np.empty(len(values) + 1, object))[k] = (
                        None if val is None else not has_time(v))
        except Bad as b:
            bad, val = (b.code, b.message), None
        if val is None and bad is None and f.context and f.kind in ("year", "month"):
            val = _from_context(f.kind, ctx)
        if val is None and bad is None and f.kind != "company" and f.required and not _blank_allowed(lg_name, f.name):
            hint = "（表头上方标题、工作表名和上传期间也未给出）" if f.context else ""
            bad = ("missing_value", f"必填项“{f.label}”为空{hint}")
        out.val[k], out.bad[k] = val, bad
    return out


def _parse_texts(f, values: list, out: _Parsed) -> set[int]:
    """text() of every distinct str cell of a text column, as the generic path gives it (a blank or "/" is empty,
    white space collapses) without its per-value overhead; returns the values done. Many values: in Arrow."""
    ks = [k for k, v in enumerate(values) if type(v) is str]
    if len(ks) >= 256:
        try:
            return _parse_texts_arrow(f, values, ks, out)
        except (pa.ArrowException, UnicodeError):
            pass
    required = f.required and f.kind != "company"
    for k in ks:
        v = values[k]
        out.shown[k] = v if v.strip() else None
        t = None if (len(v) <= 6 and not_applicable(v)) else (" ".join(v.split()) or None)
        out.val[k] = t
        if t is None and required:
            out.bad[k] = ("missing_value", f"必填项“{f.label}”为空")
    return set(ks)


# What Python's str.split() / str.strip() take for white space (str.isspace), for RE2
_SPACE = r"[\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"


def _parse_texts_arrow(f, values: list, ks: list[int], out: _Parsed) -> set[int]:
    """_parse_texts for many values: " ".join(v.split()) as one regex over the column, not_applicable asked only
    of the texts of up to 6 characters."""
    strs = [values[k] for k in ks]
    a = pa.array(strs, pa.string())
    blank = pc.match_substring_regex(a, f"^{_SPACE}*$").to_numpy(zero_copy_only=False)       # not v.strip()
    joined = pc.utf8_trim(pc.replace_substring_regex(a, f"{_SPACE}+", " "), " ").to_pylist()
    for i in np.flatnonzero(pc.less_equal(pc.utf8_length(a), 6).to_numpy(zero_copy_only=False)):
        if not_applicable(strs[i]):
            joined[i] = None
    shown = out.shown
    for k, v, b in zip(ks, strs, blank):
        shown[k] = None if b else v
    t = np.empty(len(ks), object)
    t[:] = joined
    t[t == ""] = None
    karr = np.array(ks, np.int64)
    out.val[karr] = t
    if f.required and f.kind != "company":
        missing = ("missing_value", f"必填项“{f.label}”为空")
        for k in karr[_is_none(t)]:
            out.bad[k] = missing
    return set(ks)


def _is_none(a: np.ndarray) -> np.ndarray:
    return np.equal(a, None)


def stage_sheet(sheet: RawSheet, header: Header, ctx: Context, file_company: str | None, registry: Registry,
                chosen: str | None = None) -> Staged:
    """Stage one sheet, column by column. `file_company` is the registered company the file names for the sheet
    (填报单位, title or sheet name); it fills the rows whose company cell is blank. `chosen` is the company picked
    at upload, used only where the file names no company at all."""
    lg = header.ledger
    out = Staged()
    start = header.data_start
    n = max(sheet.n_rows - start, 0)
    cols = [_Column.of(sheet, j, start, n) for j in range(sheet.width)]
    n, subrows = _apply_merges(sheet, cols, n, header)
    if n == 0:
        return out
    header_keys = {j: header_key(header.names.get(j, "")) for j in header.columns.values()}
    keep = ~(_skip_rows(cols, n, header, header_keys) | subrows)
    excel_rows = np.arange(start + 1, start + n + 1)
    empty = _Column(np.full(n, -1, np.int64), [])
    fields_out: list[tuple[str, np.ndarray, _Column]] = []     # (name, value per distinct value, its column)
    problems: list[tuple[int, int, iss.Issue]] = []      # (row, field index, issue): sorted as row by row
    failed = np.zeros(n, bool)
    by_choice = None
    for fi, f in enumerate(lg.fields):
        j = header.columns.get(f.name)
        col = cols[j] if j is not None and j < len(cols) else empty
        colname = header.column_name(f.name)
        parsed = _parse_field(f, col.values, ctx, lg.name)
        per, bad = parsed.val, parsed.bad
        if f.kind == "company":
            per, bad, choice = _companies(parsed, file_company, chosen, j is not None, registry)
            by_choice = col.take(choice) if choice.any() else None
        bad_codes = np.array([b is not None for b in bad])[col.codes] & keep
        for i in np.flatnonzero(bad_codes):
            code, msg = bad[col.codes[i]]
            raw = col.value(i)
            if code == "error_cell" and j is not None:
                msg = f"单元格 {iss.column_letter(j)}{excel_rows[i]} 为错误值 {raw.code}（公式出错，请改为实际内容）"
            shown = parsed.shown[col.codes[i]]
            if code == "unknown_company":
                shown = msg_value(parsed, col, i)
            problems.append((i, fi, iss.Issue(iss.ERROR, code, msg, sheet=sheet.name, row=int(excel_rows[i]),
                                              column=colname, value=shown, col=j)))
        failed |= bad_codes
        for name, x in parsed.extra.items():
            fields_out.append((name, x, col))
        fields_out.append((f.name, per, col))
    problems.sort(key=lambda p: (p[0], p[1]))
    out.issues = [p[2] for p in problems]
    rows = np.flatnonzero(keep & ~failed)
    columns = {"sheet": [sheet.name] * len(rows), "row_no": excel_rows[rows].tolist()}
    types = arrow_types(lg.name)
    arrow = {"sheet": pa.repeat(pa.scalar(sheet.name, pa.string()), len(rows)),
             "row_no": pa.array(excel_rows[rows], pa.int32())}
    for name, per, col in fields_out:
        codes = col.codes[rows]
        columns[name] = per[codes].tolist()
        typ = types.get(name) or (pa.string() if name.endswith("_raw") else None)   # raw texts: the checks read them
        if typ is not None and (a := _taken(per, codes, typ)) is not None:
            arrow[name] = a
    if by_choice is not None:
        columns["by_choice"] = by_choice[rows].tolist()
    out.records = _derive_all(lg.name, Frame(columns, len(rows), arrow))
    out.issues += _serial_numbers(lg.name, out.records, header, sheet.name)
    return out


def _taken(per: np.ndarray, codes: np.ndarray, type: pa.DataType) -> pa.Array | None:
    """The rows' values (`per[codes]`, code -1 = the last slot) as an Arrow array of `type`, converting each distinct
    value once — the very conversion the load makes of the rows' list (`pa.array(values, type)`); None where that
    conversion fails (the load then meets the failure on the list, as before)."""
    try:
        d = pa.array(per.tolist(), type)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return d.take(pa.array(np.where(codes < 0, len(per) - 1, codes), pa.int64()))


def msg_value(parsed: _Parsed, col: _Column, i: int):
    """The value an unknown-company message quotes: the name as written (its text)."""
    return parsed.val[col.codes[i]]


def _companies(parsed: _Parsed, file_company, chosen, has_column, registry):
    """Company per distinct value: blank → the sheet's company (or the one chosen at upload where the file names
    none), else the registered name; an unknown name or a blank without any company is an issue. Returns (company,
    problem, chosen at upload) per distinct value."""
    size = len(parsed.val)
    per = np.empty(size, object)
    bad = list(parsed.bad)
    choice = np.zeros(size, bool)
    for k in range(size):
        if bad[k] is not None:
            per[k] = None
            continue
        v = parsed.val[k]
        if v is None:
            if file_company is None and chosen:
                per[k], choice[k] = chosen, True           # the file names no company here
            else:
                per[k] = file_company
                if file_company is None and has_column:
                    bad[k] = ("no_company", "单位为空：本行未填写单位，表头上方也没有“填报单位：…”，"
                                            "工作表名也不是已登记的单位。请填写单位（整个文件都未写明单位时，"
                                            "也可在上传时选择单位）")
            continue
        name = registry.match(v)
        per[k] = name
        if name is None:
            bad[k] = ("unknown_company", unknown_company(v, registry).message)
    return per, bad, choice


def _from_context(kind: str, ctx: Context):
    if kind == "year":
        return ctx.year
    if ctx.year and ctx.month:
        return dt.date(ctx.year, ctx.month, 1)
    return None


def _blank_allowed(ledger: str, fld: str) -> bool:
    # A blank 整改状态 is "open" when there is no completion date (DOMAIN.md §1.1).
    return (ledger, fld) == ("hazards", "status")


def unknown_company(raw: str, registry: Registry, **where) -> iss.Issue:
    hint = registry.suggest(raw)
    tip = (f"，是否为：{'、'.join(hint)}？" if hint else "。") + "如确为新单位，请先在“单位管理”中登记该单位或为其添加别名"
    return iss.error("unknown_company", f"单位“{raw}”未登记{tip}", **where)


_KEY_FIELDS = {"hazards": "hazard_no", "accidents": "accident_no"}


def _serial_numbers(ledger: str, records: Frame, header: Header, sheet: str) -> list[iss.Issue]:
    """A 编号 column holding 1, 2, 3… is a row counter, not a hazard/accident number: used as a key
    it would make next month's hazard 1 overwrite this month's. Such numbers are dropped (the key
    then falls back to date, location and description) with a warning."""
    fld = _KEY_FIELDS.get(ledger)
    if fld is None or fld not in header.columns:
        return []
    vals = records.column(fld)
    if len(vals) < 2 or any(v is None or not str(v).isdigit() for v in vals):
        return []
    if sorted(int(v) for v in vals) != list(range(1, len(vals) + 1)):
        return []
    records[fld] = [None] * len(vals)
    j = header.columns[fld]
    return [iss.warning("serial_number_as_key", f"“{header.column_name(fld)}”列是顺序号（1、2、3…），不作为编号使用；"
                                                "记录按发现日期、部位和描述识别", sheet=sheet, row=header.rows[-1] + 1,
                        column=header.column_name(fld), col=j)]


def _derive_all(ledger: str, records: Frame) -> Frame:
    if ledger == "hazards":                       # the big one, column-wise: only blank statuses need a look
        if None in records.column("status"):
            records["status"] = [("已整改" if done else "未整改") if st is None else st
                                 for st, done in zip(records.column("status"), records.column("rectified_date"))]
        return records
    if ledger in ("accidents", "indicators"):     # a few rows each: record by record
        recs = list(records)
        for rec in recs:
            _derive(ledger, rec)
        return Frame.from_records(recs) if recs else records
    return records


def _derive(ledger: str, rec: dict) -> None:
    if ledger == "hazards":
        if rec.get("status") is None:
            rec["status"] = "已整改" if rec.get("rectified_date") else "未整改"
    elif ledger == "accidents":
        rec["level"] = accident_level(rec.get("deaths"), rec.get("serious_injuries"), rec.get("direct_loss"))
    elif ledger == "indicators":
        t: Target | None = rec.get("target")
        rec["target"] = rec.pop("target_raw", None) or (None if t is None else str(t))
        rec["comparator"] = t.comparator if t else None
        rec["target_value"] = t.value if t else None
        rec["is_percent"] = t.is_percent if t else None
        if t and t.is_percent and rec.get("actual") is not None and rec["actual"] > 1.0:
            rec["actual"] = rec["actual"] / 100.0          # 完成值 written as 96 for 96%
