"""Excel exports (analytics.documents.exports): formatted (header, widths, dates, percentages, 说明 sheet)
and formula-safe — a table full of formula payloads opens with no formula and no link."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd

from analytics.documents.exports import NOTE_SHEET, formula_like, to_xlsx
from analytics.figures.metrics import BY_NAME, Window
from tests.formula_safety import PAYLOADS, assert_no_formula

OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def test_formula_payloads_are_text_and_show_as_typed():
    df = pd.DataFrame({"隐患描述": list(PAYLOADS), "n": range(len(PAYLOADS))})
    data = to_xlsx({"数据": df, "=SUM(A1)": df}, OCT)
    wb = assert_no_formula(data)
    assert wb.sheetnames == ["数据", "=SUM(A1)", NOTE_SHEET]
    ws = wb["数据"]
    # openpyxl does not decode the _x000D_ escape Excel uses for a CR; Excel shows the CR
    assert [ws.cell(r, 1).value.replace("_x000D_", "\r") for r in range(2, 2 + len(PAYLOADS))] == list(PAYLOADS)
    assert all(ws.cell(r, 1).quotePrefix for r in range(2, 2 + len(PAYLOADS)))
    assert not ws["A1"].quotePrefix and ws["B2"].value == 0


def test_formula_like_is_the_excel_rule():
    assert [formula_like(p) for p in PAYLOADS] == [True] * len(PAYLOADS)
    assert not any(formula_like(x) for x in ("隐患", "1-1", " =1", "", None, 3))


def test_header_dates_rates_money_and_the_note_sheet():
    df = pd.DataFrame({"单位": ["陇原电力有限公司", "河西新能源有限公司"],
                       "发现日期": pd.to_datetime(["2026-10-05", "2026-10-20"]),
                       "上报时间": pd.to_datetime(["2026-10-05 14:30", "2026-10-20 08:00"]),
                       "整改期限": [dt.date(2026, 11, 1), None],
                       "隐患整改率": [0.4, None], "整改资金（万元）": [1.5, 12.25]})
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx({"数据": df}, OCT)))
    ws = wb["数据"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b and ws["F1"].font.b
    assert ws["B2"].value == dt.datetime(2026, 10, 5) and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == dt.datetime(2026, 10, 5, 14, 30) and ws["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["D2"].value == dt.datetime(2026, 11, 1) and ws["D3"].value is None
    assert ws["E2"].value == 0.4 and ws["E2"].number_format == "0.0%" and ws["E3"].value is None
    assert ws["F3"].value == 12.25 and ws["F3"].number_format == "#,##0.00"
    assert ws.column_dimensions["A"].width >= 18          # 9 CJK characters ≈ 18 Excel units
    notes = [c.value for c in wb[NOTE_SHEET]["A"]]
    assert "统计期：2026-10-01 至 2026-10-31；状态截至 2026-10-31" in notes
    assert f"隐患整改率：{BY_NAME['rectification_rate'].caption}" in notes
