"""Staging: the data rows of one sheet → typed records (mapping + normalising).

Skips what is not data: blank rows (序号 alone counts as blank), 合计/小计 rows,
signature lines (填表人、审核人…) and repeated header rows. Every cell problem becomes
an Issue with the row number Excel shows and the header text the file uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import issues as iss
from .companies import Registry
from .header import Header, cell_text
from .normalise import PARSERS, Bad, Context, Target, is_blank, vocab
from .rules import accident_level
from .textnorm import compact, header_key

_TOTAL = re.compile(r"^(合计|小计|总计|共计|累计)")
_SIGNATURE = re.compile(r"^(填表人|填报人|制表人|审核人|审批人|负责人|单位负责人|主要负责人|分管领导|"
                        r"安全负责人|统计人|联系人|联系电话|填表日期|填报日期|报送日期|注[:：]|说明[:：]|备注[:：])")


@dataclass
class Staged:
    records: list[dict] = field(default_factory=list)
    issues: list[iss.Issue] = field(default_factory=list)


def _skip(row: list, header: Header) -> bool:
    texts = [compact(cell_text(v)) for v in row]
    filled = [t for t in texts if t]
    if not filled:
        return True
    mapped = [texts[j] for j in header.columns.values() if j < len(texts)]
    if not any(mapped):
        return True                                   # only 序号 or notes outside the ledger's columns
    if any(_TOTAL.match(t) for t in filled[:3]):
        return True
    if len(filled) <= 4 and any(_SIGNATURE.match(t) for t in filled):
        return True
    keys = [header_key(cell_text(row[j])) for j in header.columns.values() if j < len(row)]
    if sum(1 for j, k in zip(header.columns.values(), keys) if k and k == header_key(header.names.get(j, ""))) >= 3:
        return True                                   # a header repeated on a printed page
    return False


def stage_sheet(sheet_name: str, rows: list[list], header: Header, ctx: Context,
                file_company: str | None, registry: Registry) -> Staged:
    lg = header.ledger
    out = Staged()
    fields = [(f, header.columns.get(f.name)) for f in lg.fields]
    company_cache: dict[str, str | None] = {}
    for i in range(header.data_start, len(rows)):
        row = rows[i]
        if _skip(row, header):
            continue
        excel_row = i + 1
        rec: dict = {"sheet": sheet_name, "row_no": excel_row}
        row_issues: list[iss.Issue] = []
        for f, j in fields:
            raw = row[j] if j is not None and j < len(row) else None
            where = dict(sheet=sheet_name, row=excel_row, column=header.column_name(f.name),
                         value=None if is_blank(raw) else cell_text(raw))
            try:
                if f.kind in ("enum", "open_enum"):
                    PARSERS["text"](raw, ctx)                       # error cells
                    val = vocab(raw, f.vocab, closed=f.kind == "enum")
                    rec[f.name + "_raw"] = PARSERS["text"](raw, ctx)
                elif f.kind == "target":
                    rec["target_raw"] = PARSERS["text"](raw, ctx)
                    val = PARSERS["target"](raw, ctx)
                else:
                    val = PARSERS[f.kind](raw, ctx)
            except Bad as b:
                row_issues.append(iss.Issue(iss.ERROR, b.code, b.message, **where))
                val = None
            if f.kind == "company":
                val = _company(val, file_company, registry, company_cache, row_issues, where)
            elif val is None and f.required and not _blank_allowed(lg.name, f.name) \
                    and not any(x.column == where["column"] for x in row_issues):
                row_issues.append(iss.error("missing_value", f"必填项“{f.label}”为空", **where))
            rec[f.name] = val
        _derive(lg.name, rec)
        out.issues.extend(row_issues)
        if not any(x.is_error for x in row_issues):
            out.records.append(rec)
    return out


def _blank_allowed(ledger: str, fld: str) -> bool:
    # A blank 整改状态 is "open" when there is no completion date (DOMAIN.md §1.1).
    return (ledger, fld) == ("hazards", "status")


def _company(val, file_company, registry, cache, row_issues, where) -> str | None:
    raw = val or file_company
    if raw is None:
        row_issues.append(iss.error("no_company", "无法确定所属单位：表中没有单位列，标题中也没有“填报单位”，"
                                                  "请在上传时选择单位", **where))
        return None
    if raw not in cache:
        cache[raw] = registry.match(raw)
    name = cache[raw]
    if name is None:
        hint = registry.suggest(raw)
        tip = f"，是否为：{'、'.join(hint)}？" if hint else "，请先在“单位管理”中登记该单位或其别名"
        row_issues.append(iss.error("unknown_company", f"单位“{raw}”未登记{tip}", **{**where, "value": raw}))
    return name


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
