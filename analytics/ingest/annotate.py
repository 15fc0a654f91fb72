"""A rejected file, annotated: the sender's own workbook with every bad cell marked.

Every cell an error points at is filled light red and carries a comment giving the reason
(several reasons on one cell are joined, one per line). A first sheet 错误清单 lists every
error: sheet, row, column, cell, value, reason — also those without a cell (a missing column,
an unreadable file). .xlsx/.xlsm files are annotated in place with openpyxl (an .xlsm keeps its
macros); .csv, .xls, .xlsb and .ods files are written as a new .xlsx of the grid as read, so the
rows and columns are where the error list says.

Formula safety: a text the file or an error message brings in that begins with = + - @ or a tab/CR is
written as a string cell with the quote prefix (documents.exports.safe_text), never as a formula or a link.
The sender's own formula cells in an annotated .xlsx/.xlsm stay as they were (it is their workbook).
"""
from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..documents.exports import safe_text
from .issues import Issue
from .read import CellError, ReadError, read_workbook

LIST_SHEET = "错误清单"
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")          # Excel's light red "bad" fill
HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")
AUTHOR = "台账校验"
LIST_COLUMNS = (("工作表", 14), ("行号", 7), ("列", 16), ("单元格", 8), ("单元格内容", 22), ("级别", 6), ("原因", 80))


def annotated_name(filename: str, keep_macros: bool = False) -> str:
    stem = Path(filename).stem or "台账"
    return f"{stem}_错误标注{'.xlsm' if keep_macros else '.xlsx'}"


def annotate_workbook(data: bytes, filename: str, errors: list[Issue]) -> tuple[bytes, str]:
    """The workbook with its bad cells marked and an error list in front; returns (bytes, file name)."""
    suffix = Path(filename).suffix.lower()
    wb, macros = None, False
    if suffix in (".xlsx", ".xlsm") and data[:4] == b"PK\x03\x04":
        try:
            macros = suffix == ".xlsm"
            wb = load_workbook(io.BytesIO(data), keep_vba=macros, rich_text=True)
        except Exception:               # openpyxl cannot open what calamine read: fall back to the grid
            wb, macros = None, False
    if wb is None:
        wb = _grid_workbook(data, filename)
    if LIST_SHEET in wb.sheetnames:     # a file annotated before, fixed and sent again
        del wb[LIST_SHEET]
    _mark_cells(wb, errors)
    _error_list(wb, errors)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), annotated_name(filename, macros)


def _grid_workbook(data: bytes, filename: str) -> Workbook:
    """A new workbook holding the sheets as read (for .csv, .xls, .xlsb, .ods)."""
    wb = Workbook()
    wb.remove(wb.active)
    try:
        sheets = read_workbook(data, filename)
    except ReadError:
        return wb
    for sh in sheets:
        ws = wb.create_sheet(_sheet_title(sh.name, wb.sheetnames))
        for r, row in enumerate(sh.rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                if isinstance(v, CellError):
                    v = v.code
                elif isinstance(v, dt.timedelta):
                    v = str(v)
                cell = ws.cell(row=r, column=c, value=v)
                safe_text(cell)
                if isinstance(v, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm" if (v.hour or v.minute) else "yyyy-mm-dd"
                elif isinstance(v, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        if sh.hidden:
            ws.sheet_state = "hidden"
    return wb


def _sheet_title(name: str, taken: list[str]) -> str:
    bad = '[]:*?/\\'
    t = "".join("_" if ch in bad else ch for ch in name)[:31] or "Sheet"
    k = 1
    while t in taken:
        k += 1
        t = f"{t[:28]}_{k}"
    return t


def _mark_cells(wb: Workbook, errors: list[Issue]) -> None:
    reasons: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for e in errors:
        if e.sheet in wb.sheetnames and e.row and e.col is not None:
            text = f"{e.level}：{e.message}"
            if text not in reasons[(e.sheet, e.row, e.col)]:
                reasons[(e.sheet, e.row, e.col)].append(text)
    for (sheet, row, col), texts in reasons.items():
        ws = wb[sheet]
        r, c = _top_left(ws, row, col + 1)
        cell = ws.cell(row=r, column=c)
        cell.fill = BAD_FILL
        body = "\n".join(texts)
        if cell.comment is not None and cell.comment.author == AUTHOR:
            cell.comment = None         # an earlier annotation: replace it
        elif cell.comment is not None:
            body = cell.comment.text + "\n" + body
        cell.comment = Comment(body, AUTHOR, width=320, height=min(60 + 40 * len(texts), 400))


def _top_left(ws, row: int, col: int) -> tuple[int, int]:
    """The cell that holds a merged range's value (comments and fills go there)."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng.min_row, rng.min_col
    return row, col


def _error_list(wb: Workbook, errors: list[Issue]) -> None:
    ws = wb.create_sheet(LIST_SHEET, 0)
    ws.append([f"本文件有 {sum(e.is_error for e in errors)} 处错误，整个文件未导入。请按下表修改（原表中出错的单元格已标红，"
               "鼠标移到单元格上可看到原因），改好后重新上传。"])
    ws.append([name for name, _ in LIST_COLUMNS])
    for j, (_, width) in enumerate(LIST_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
        head = ws.cell(row=2, column=j)
        head.font, head.fill = Font(bold=True), HEAD_FILL
    ws["A1"].font = Font(bold=True, color="9C0006")
    for e in errors:
        ws.append([e.sheet or "", e.row, e.column or "", e.cell or "", e.value or "", e.level, e.message])
        for cell in ws[ws.max_row]:
            safe_text(cell)
        ws.cell(row=ws.max_row, column=7).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
