"""Tables → formatted Excel bytes for download (every table on every page, the 16号令 table's data).

Formatting: bold, shaded, frozen header row; column widths from the content; dates written as Excel dates
(yyyy-mm-dd, or with the time when a value has one); rate columns (a float column whose header names a rate:
…率 / 占比) as percentages 0.0%; money (万元) with two decimals. A sheet 说明 carries the window and the 口径
of every column that is a §3 metric (and any notes the caller gives).

Formula safety: no ledger text ever becomes a formula or a hyperlink. The workbook is written with
xlsxwriter's strings_to_formulas / strings_to_urls off, and a text beginning with = + - @ or a tab / CR
(FORMULA_START) is written as a string cell with Excel's quote prefix, so it shows as typed and no formula
runs, even when the user edits the cell. `safe_text` is the same rule for openpyxl (the annotated workbook).
"""
from __future__ import annotations

import datetime as dt
import io
import math

import pandas as pd

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NOTE_SHEET = "说明"
RATE_WORDS = ("率", "占比")
MAX_WIDTH = 60


def formula_like(value) -> bool:
    """A text Excel (or LibreOffice) would read as a formula or DDE payload: =… +… -… @… or a tab/CR first."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def safe_text(cell) -> None:
    """openpyxl: make a cell whose text looks like a formula a plain string cell with the quote prefix."""
    if formula_like(cell.value) or cell.data_type == "f" and isinstance(cell.value, str) and cell.value[:1] == "=":
        cell.data_type = "s"
        cell.quotePrefix = True


def is_rate_column(name, s: pd.Series) -> bool:
    return any(w in str(name) for w in RATE_WORDS) and pd.api.types.is_float_dtype(s)


def _kind(name, s: pd.Series) -> str:
    if is_rate_column(name, s):
        return "rate"
    if "万元" in str(name) and pd.api.types.is_numeric_dtype(s):
        return "money"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime" if (s.dropna().dt.normalize() != s.dropna()).any() else "date"
    sample = s.dropna().head(50)
    if len(sample) and all(isinstance(v, dt.date) for v in sample):
        return "datetime" if any(isinstance(v, dt.datetime) and (v.hour or v.minute) for v in sample) else "date"
    return "other"


def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _display_len(v) -> int:
    """Width in Excel character units: a CJK character is about two."""
    text = str(v)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def metric_notes(columns) -> list[str]:
    """The 口径 of every column whose header is a §3 metric's label."""
    from ..figures.metrics import METRICS
    labels = {m.label: m for m in METRICS}
    return [f"{c}：{labels[c].caption}" for c in dict.fromkeys(str(c) for c in columns) if c in labels]


def write_frame(wb, ws, df: pd.DataFrame, fmt: dict, first_row: int = 0, header=True) -> None:
    """One table on an xlsxwriter sheet at first_row: the header row (bold, shaded) and typed cells."""
    kinds = [_kind(c, df[c]) for c in df.columns]
    widths = [_display_len(c) for c in df.columns]
    r0 = first_row
    if header:
        for j, c in enumerate(df.columns):
            ws.write_string(r0, j, str(c), fmt["head"])
        r0 += 1
    for i, row in enumerate(df.itertuples(index=False, name=None)):
        for j, v in enumerate(row):
            r = r0 + i
            if _missing(v):
                ws.write_blank(r, j, None)
                continue
            k = kinds[j]
            if isinstance(v, str):
                ws.write_string(r, j, v, fmt["text"] if formula_like(v) else None)
            elif isinstance(v, (pd.Timestamp, dt.datetime)):
                ws.write_datetime(r, j, pd.Timestamp(v).to_pydatetime(), fmt["datetime" if k == "datetime" else "date"])
            elif isinstance(v, dt.date):
                ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), fmt["date"])
            elif isinstance(v, (bool,)):
                ws.write_string(r, j, "是" if v else "否")
            elif isinstance(v, (int, float)) or hasattr(v, "item"):
                ws.write_number(r, j, float(v), fmt.get(k))
            else:
                ws.write_string(r, j, str(v), fmt["text"] if formula_like(str(v)) else None)
            if i < 200:
                widths[j] = max(widths[j], 10 if k in ("date", "rate", "money") else 16 if k == "datetime"
                                else _display_len(v))
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(max(w + 2, 8), MAX_WIDTH))


def workbook(buf: io.BytesIO):
    """An xlsxwriter workbook that never turns a string into a formula, a number or a link, and its formats."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(buf, {"strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False, "in_memory": True})
    fmt = {"head": wb.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True,
                                  "valign": "vcenter", "align": "center"}),
           "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
           "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
           "rate": wb.add_format({"num_format": "0.0%"}),
           "money": wb.add_format({"num_format": "#,##0.00"}),
           "text": wb.add_format({"quote_prefix": True}),
           "note_h": wb.add_format({"bold": True}),
           "wrap": wb.add_format({"text_wrap": True, "valign": "top"})}
    return wb, fmt


def to_xlsx(sheets: dict[str, pd.DataFrame], window=None, notes: list[str] | None = None) -> bytes:
    """One sheet per table (bold frozen header, widths, dates, percentages), then a sheet 说明 with the
    window (a metrics.Window or a text), the 口径 of the metric columns and the caller's notes."""
    buf = io.BytesIO()
    wb, fmt = workbook(buf)
    columns: list = []
    for n, (name, df) in enumerate(sheets.items()):
        title = _sheet_name(name, n)
        ws = wb.add_worksheet(title)
        write_frame(wb, ws, df, fmt)
        ws.freeze_panes(1, 0)
        columns += list(df.columns)
    lines = []
    if window is not None:
        lines.append(f"统计期：{window}" if isinstance(window, str) else
                     f"统计期：{window.start:%Y-%m-%d} 至 {window.end:%Y-%m-%d}；状态截至 {window.as_of:%Y-%m-%d}")
    lines += list(notes or []) + metric_notes(columns)
    lines.append(f"导出时间：{dt.datetime.now():%Y-%m-%d %H:%M}；比率以百分比显示，空白表示无法计算（分母为 0）或未填。")
    ws = wb.add_worksheet(NOTE_SHEET)
    ws.write_string(0, 0, "说明（统计期与口径）", fmt["note_h"])
    for i, line in enumerate(lines, 1):
        ws.write_string(i, 0, line, fmt["wrap"])
    ws.set_column(0, 0, 120)
    wb.close()
    return buf.getvalue()


def _sheet_name(name: str, n: int) -> str:
    bad = '[]:*?/\\'
    t = "".join("_" if ch in bad else ch for ch in str(name))[:31] or f"Sheet{n + 1}"
    return t if t != NOTE_SHEET else f"{t}_{n + 1}"
