"""Staging: the data rows of one sheet → typed records (mapping + normalising).

Skips what is not data: blank rows (序号 alone counts as blank), 合计/小计 rows,
signature lines (填表人、审核人…) and repeated header rows. Every cell problem becomes
an Issue with the row number Excel shows and the header text the file uses.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from . import issues as iss
from ..companies import Registry
from .locate import Header, cell_text
from .normalise import PARSERS, Bad, Context, Target, has_time, is_blank, not_applicable, text, vocab_text
from ..rules import accident_level
from ..textnorm import compact, header_key

_TOTAL = re.compile(r"^(合计|小计|总计|共计|累计)")
_SIGNATURE = re.compile(r"^(填表人|填报人|制表人|审核人|审批人|负责人|单位负责人|主要负责人|分管领导|"
                        r"安全负责人|统计人|联系人|联系电话|填表日期|填报日期|报送日期|注[:：]|说明[:：]|备注[:：])")


class _Where:
    """Where a cell is, as keyword arguments for an Issue (`**where`); the value text is made
    only when an issue needs it."""
    __slots__ = ("sheet", "row", "column", "raw", "col")

    def __init__(self, sheet, row, column, raw, col=None):
        self.sheet, self.row, self.column, self.raw, self.col = sheet, row, column, raw, col

    def keys(self):
        return ("sheet", "row", "column", "value", "col")

    def __getitem__(self, k):
        if k == "value":
            return None if is_blank(self.raw) else cell_text(self.raw)
        return getattr(self, k)


@dataclass
class Staged:
    records: list[dict] = field(default_factory=list)
    issues: list[iss.Issue] = field(default_factory=list)


def _skip(row: list, header: Header, header_keys: dict[int, str]) -> bool:
    """Blank, 合计/小计, signature and repeated-header rows are not data. Fast path first:
    most rows are data, so look at strings only, and only as far as needed."""
    filled = [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())]
    if not filled:
        return True
    if all(j >= len(row) or row[j] is None or (isinstance(row[j], str) and not row[j].strip())
           for j in header.columns.values()):
        return True                                   # only 序号 or notes outside the ledger's columns
    heads = [compact(v) for v in filled[:3] if isinstance(v, str)]
    if any(_TOTAL.match(t) for t in heads):
        return True
    if (len(filled) <= 4 or len(set(map(str, filled))) == 1) and any(_SIGNATURE.match(compact(cell_text(v)))
                                                                       for v in filled[:4]):
        return True
    j0 = next(iter(header_keys), None)               # a header repeated on a printed page:
    if j0 is None or j0 >= len(row) or not isinstance(row[j0], str) or header_key(row[j0]) != header_keys[j0]:
        return False                                  # cheap test on one column first
    return sum(1 for j, k in header_keys.items()
               if j < len(row) and isinstance(row[j], str) and header_key(row[j]) == k) >= 3


# Columns whose vertical merge over several data rows makes those rows one record (DOMAIN.md §2): the
# 序号 and, in the entity ledgers, the record's number and description. A merged 单位 (or 整改期限…) cell
# down a block of rows only gives each row its value.
_RECORD_FIELDS = {"hazards": ("hazard_no", "description"), "accidents": ("accident_no", "description")}
_SERIAL_HEADS = {"序号", "序", "顺序号"}
JOIN = "；"


def apply_merges(rows: list[list], merges, header: Header) -> tuple[list[list], set[int]]:
    """The data rows with merged ranges applied: every cell of a merged range below the header holds
    the range's value; rows of one merged record (序号 / 编号 / 描述 merged over them) become one row at
    the range's top, whose other cells join the sub-rows' texts in order. Returns (rows, the sub-row
    indices to skip). Without merges below the header the rows come back untouched."""
    start = header.data_start
    merges = [m for m in merges if m[2] >= start and m[2] > m[0]]   # a merge within one row stays at its left cell
    if not merges:
        return rows, set()
    rows = list(rows)
    width = max((m[3] + 1 for m in merges), default=0)
    for r0, c0, r1, c1 in merges:
        top = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
        for i in range(max(r0, start), r1 + 1):
            while i >= len(rows):
                rows.append([])
            row = rows[i] = list(rows[i]) + [None] * max(0, width - len(rows[i]))
            for j in range(c0, c1 + 1):
                row[j] = top
    head_cells = rows[header.rows[-1]] if header.rows[-1] < len(rows) else []
    keys = {j for j, v in enumerate(head_cells) if header_key(cell_text(v)) in _SERIAL_HEADS}
    keys |= {header.columns[f] for f in _RECORD_FIELDS.get(header.ledger.name, ()) if f in header.columns}
    spans = sorted({(r0, r1) for r0, c0, r1, c1 in merges if r1 > r0 and r0 >= start and c0 in keys})
    skip: set[int] = set()
    for r0, r1 in spans:
        if r0 in skip:
            continue
        merged_cols = {j for m0, c0, m1, c1 in merges if m0 <= r0 and m1 >= r1 for j in range(c0, c1 + 1)}
        group = [rows[i] for i in range(r0, r1 + 1)]
        n = max(len(g) for g in group)
        joined = []
        for j in range(n):
            if j in merged_cols:
                joined.append(group[0][j] if j < len(group[0]) else None)
                continue
            vals = [g[j] for g in group if j < len(g) and not is_blank(g[j])]
            if len(vals) <= 1 or all(v == vals[0] for v in vals):
                joined.append(vals[0] if vals else None)
            else:                                    # texts join in order; differing dates/numbers are
                joined.append(JOIN.join(cell_text(v) for v in vals))   # quoted back if they cannot parse
        rows[r0] = joined
        skip |= set(range(r0 + 1, r1 + 1))
    return rows, skip


def stage_sheet(sheet_name: str, rows: list[list], header: Header, ctx: Context,
                file_company: str | None, registry: Registry, merges=(),
                chosen: str | None = None) -> Staged:
    """Stage one sheet. `file_company` is the registered company the file names for the sheet
    (填报单位, title or sheet name); it fills the rows whose company cell is blank. `chosen` is the
    company picked at upload, used only where the file names no company at all."""
    lg = header.ledger
    out = Staged()
    rows, subrows = apply_merges(rows, merges, header)
    fields = [(f, header.columns.get(f.name), header.column_name(f.name)) for f in lg.fields]
    header_keys = {j: header_key(header.names.get(j, "")) for j in header.columns.values()}
    company_cache: dict[str, str | None] = {}
    for i in range(header.data_start, len(rows)):
        row = rows[i]
        if i in subrows or _skip(row, header, header_keys):
            continue
        excel_row = i + 1
        rec: dict = {"sheet": sheet_name, "row_no": excel_row}
        row_issues: list[iss.Issue] = []
        for f, j, colname in fields:
            raw = row[j] if j is not None and j < len(row) else None
            where = _Where(sheet_name, excel_row, colname, raw, j)
            if not_applicable(raw):
                raw = None                        # "/", "—", "无": the cell does not apply (the message still quotes it)
            bad = False
            try:
                if f.kind in ("enum", "open_enum"):
                    t = text(raw)                                   # raises on error cells
                    val = vocab_text(t, f.vocab, f.kind == "enum")
                    rec[f.name + "_raw"] = t
                elif f.kind == "target":
                    rec["target_raw"] = text(raw)
                    val = PARSERS["target"](raw, ctx)
                else:
                    val = PARSERS[f.kind](raw, ctx)
                    if f.kind == "datetime" and val is not None:
                        rec[f.name + "_date_only"] = not has_time(raw)
            except Bad as b:
                msg = b.message
                if b.code == "error_cell" and j is not None:
                    msg = f"单元格 {iss.column_letter(j)}{excel_row} 为错误值 {raw.code}（公式出错，请改为实际内容）"
                row_issues.append(iss.Issue(iss.ERROR, b.code, msg, **where))
                val, bad = None, True
            if val is None and not bad and f.context and f.kind in ("year", "month"):
                val = _from_context(f.kind, ctx)
            if f.kind == "company":
                if not bad:
                    if val is None and file_company is None and chosen:
                        val, rec["by_choice"] = chosen, True        # the file names no company here
                    else:
                        val = _company(val, file_company, j is not None, registry, company_cache, row_issues, where)
            elif val is None and not bad and f.required and not _blank_allowed(lg.name, f.name):
                hint = "（表头上方标题、工作表名和上传期间也未给出）" if f.context else ""
                row_issues.append(iss.error("missing_value", f"必填项“{f.label}”为空{hint}", **where))
            rec[f.name] = val
        _derive(lg.name, rec)
        if row_issues:
            out.issues.extend(row_issues)
            if any(x.is_error for x in row_issues):
                continue
        out.records.append(rec)
    out.issues += _serial_numbers(lg.name, out.records, header, sheet_name)
    return out


def _from_context(kind: str, ctx: Context):
    if kind == "year":
        return ctx.year
    if ctx.year and ctx.month:
        return dt.date(ctx.year, ctx.month, 1)
    return None


def _blank_allowed(ledger: str, fld: str) -> bool:
    # A blank 整改状态 is "open" when there is no completion date (DOMAIN.md §1.1).
    return (ledger, fld) == ("hazards", "status")


def _company(val, file_company, has_column, registry, cache, row_issues, where) -> str | None:
    if val is None:
        if file_company is None and has_column:
            row_issues.append(iss.error("no_company", "单位为空：本行未填写单位，表头上方也没有“填报单位：…”，"
                                                      "工作表名也不是已登记的单位。请填写单位（整个文件都未写明单位时，"
                                                      "也可在上传时选择单位）", **where))
        return file_company            # without a column, ingest has reported a missing company once per sheet
    if val not in cache:
        cache[val] = registry.match(val)
    name = cache[val]
    if name is None:
        row_issues.append(unknown_company(val, registry, **{**dict(where), "value": val}))
    return name


def unknown_company(raw: str, registry: Registry, **where) -> iss.Issue:
    hint = registry.suggest(raw)
    tip = (f"，是否为：{'、'.join(hint)}？" if hint else "。") + "如确为新单位，请先在“单位管理”中登记该单位或为其添加别名"
    return iss.error("unknown_company", f"单位“{raw}”未登记{tip}", **where)


_KEY_FIELDS = {"hazards": "hazard_no", "accidents": "accident_no"}


def _serial_numbers(ledger: str, records: list[dict], header: Header, sheet: str) -> list[iss.Issue]:
    """A 编号 column holding 1, 2, 3… is a row counter, not a hazard/accident number: used as a key
    it would make next month's hazard 1 overwrite this month's. Such numbers are dropped (the key
    then falls back to date, location and description) with a warning."""
    fld = _KEY_FIELDS.get(ledger)
    if fld is None or fld not in header.columns:
        return []
    vals = [r.get(fld) for r in records]
    if len(vals) < 2 or any(v is None or not str(v).isdigit() for v in vals):
        return []
    if sorted(int(v) for v in vals) != list(range(1, len(vals) + 1)):
        return []
    for r in records:
        r[fld] = None
    j = header.columns[fld]
    return [iss.warning("serial_number_as_key", f"“{header.column_name(fld)}”列是顺序号（1、2、3…），不作为编号使用；"
                                                "记录按发现日期、部位和描述识别", sheet=sheet, row=header.rows[-1] + 1,
                        column=header.column_name(fld), col=j)]


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
