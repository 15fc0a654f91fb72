"""A rejected file comes back annotated: bad cells red with a comment, an error list in front."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl

from analytics.ingest.annotate import BAD_FILL, LIST_SHEET, annotate_workbook
from analytics.ingest.pipeline import ingest_bytes
from analytics.ingest.issues import error
from tests.builders import VBA_MARKER, csv_file, golden_hazard_rows, merged_header_hazard, new_store, xlsm, xlsx

TODAY = dt.date(2026, 11, 5)


def bad_rows():
    rows = [list(r) for r in golden_hazard_rows()]
    rows[3][2] = "2026年13月5日"                 # C4 bad date
    rows[4][7] = "特大"                         # H5 bad level
    return rows


def rejected(data: bytes, name: str):
    res = ingest_bytes(new_store(), data, name, today=TODAY)
    assert res.status == "rejected"
    return res


def red(cell) -> bool:
    return cell.fill is not None and cell.fill.fgColor.rgb in ("00" + BAD_FILL.fgColor.rgb[2:], BAD_FILL.fgColor.rgb)


def test_xlsx_bad_cells_are_red_with_the_reason_and_listed_first(tmp_path):
    data = xlsx(tmp_path / "陇原10月.xlsx", {"10月": bad_rows()}).read_bytes()
    res = rejected(data, "陇原10月.xlsx")
    out, name = annotate_workbook(data, "陇原10月.xlsx", res.errors)
    assert name == "陇原10月_错误标注.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(out))
    assert wb.sheetnames == [LIST_SHEET, "10月"]
    ws = wb["10月"]
    assert red(ws["C4"]) and "日期" in ws["C4"].comment.text and "2026年13月5日" in ws["C4"].comment.text
    assert red(ws["H5"]) and "一般、重大" in ws["H5"].comment.text
    assert not red(ws["C5"]) and ws["C5"].comment is None
    assert ws["F4"].value == "配电箱未张贴警示标识"             # the sender's data is untouched
    lst = [r for r in wb[LIST_SHEET].iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in lst] == [("10月", 4, "发现日期", "C4", "2026年13月5日"),
                                                           ("10月", 5, "隐患等级", "H5", "特大")]
    assert all(r[5] == "错误" and r[6] for r in lst)
    assert "2 处错误" in wb[LIST_SHEET]["A1"].value


def test_several_reasons_on_one_cell_are_joined(tmp_path):
    data = xlsx(tmp_path / "a.xlsx", {"10月": bad_rows()}).read_bytes()
    errs = [error("bad_date", "第一个原因", sheet="10月", row=4, column="发现日期", col=2),
            error("rectified_before_found", "第二个原因", sheet="10月", row=4, column="发现日期", col=2),
            error("missing_column", "缺少必填列“整改期限”", sheet="10月", row=3, column="整改期限")]
    out, _ = annotate_workbook(data, "a.xlsx", errs)
    wb = openpyxl.load_workbook(io.BytesIO(out))
    assert wb["10月"]["C4"].comment.text == "错误：第一个原因\n错误：第二个原因"
    assert wb[LIST_SHEET].max_row == 2 + 3                     # the column error is listed, too


def test_xlsm_keeps_its_macros(tmp_path):
    data = xlsm(tmp_path / "m.xlsm", {"10月": bad_rows()}).read_bytes()
    res = rejected(data, "m.xlsm")
    out, name = annotate_workbook(data, "m.xlsm", res.errors)
    assert name == "m_错误标注.xlsm"
    z = zipfile.ZipFile(io.BytesIO(out))
    assert z.read("xl/vbaProject.bin") == VBA_MARKER
    assert b"macroEnabled" in z.read("[Content_Types].xml")
    assert red(openpyxl.load_workbook(io.BytesIO(out), keep_vba=True)["10月"]["H5"])


def test_csv_becomes_an_xlsx_of_the_grid_with_the_same_cells(tmp_path):
    rows = [[v.isoformat() if isinstance(v, dt.date) else v for v in r] for r in bad_rows()]
    data = csv_file(tmp_path / "h.csv", rows, encoding="gb18030").read_bytes()
    res = rejected(data, "h.csv")
    out, name = annotate_workbook(data, "h.csv", res.errors)
    assert name == "h_错误标注.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(out))
    assert wb.sheetnames == [LIST_SHEET, "h"]
    ws = wb["h"]
    assert ws["C4"].value == "2026年13月5日" and red(ws["C4"]) and red(ws["H5"])
    assert ws["A1"].value == "陇原电力有限公司2026年10月隐患排查治理台账"


def test_a_cell_inside_a_merged_range_is_marked_at_its_top_left(tmp_path):
    data = merged_header_hazard(tmp_path / "m.xlsx").read_bytes()
    errs = [error("no_company", "示例", sheet="10月", row=1, column="标题", col=3)]
    out, _ = annotate_workbook(data, "m.xlsx", errs)
    ws = openpyxl.load_workbook(io.BytesIO(out))["10月"]
    assert red(ws["A1"]) and ws["A1"].comment.text == "错误：示例"


def test_an_annotated_file_fixed_and_sent_again_loads(tmp_path):
    data = xlsx(tmp_path / "a.xlsx", {"10月": bad_rows()}).read_bytes()
    out, _ = annotate_workbook(data, "a.xlsx", rejected(data, "a.xlsx").errors)
    wb = openpyxl.load_workbook(io.BytesIO(out))
    wb["10月"]["C4"], wb["10月"]["H5"] = dt.date(2026, 10, 2), "一般"
    buf = io.BytesIO()
    wb.save(buf)
    res = ingest_bytes(new_store(), buf.getvalue(), "a_错误标注.xlsx", today=TODAY)
    assert res.status == "loaded" and res.notes == []            # the error list is not a ledger, and not noted
    again, _ = annotate_workbook(buf.getvalue(), "a_错误标注.xlsx", [])
    assert openpyxl.load_workbook(io.BytesIO(again)).sheetnames.count(LIST_SHEET) == 1


def test_an_unreadable_file_gets_just_the_error_list():
    res = rejected(b"not a spreadsheet at all", "x.xlsx")
    out, name = annotate_workbook(b"not a spreadsheet at all", "x.xlsx", res.errors)
    wb = openpyxl.load_workbook(io.BytesIO(out))
    assert name == "x_错误标注.xlsx" and wb.sheetnames == [LIST_SHEET]
    assert wb[LIST_SHEET]["G3"].value.startswith("文件无法读取")


def test_formula_payloads_in_a_rejected_csv_come_back_as_text(tmp_path):
    from tests.formula_safety import PAYLOADS, assert_no_formula
    rows = [[v.isoformat() if isinstance(v, dt.date) else v for v in r] for r in bad_rows()]
    for i, p in enumerate(PAYLOADS[:5]):
        rows[3 + i][5] = p                          # 隐患描述 column F, data rows from Excel row 4
    rows[3][7] = "=cmd|' /C calc'!A0"                # the bad level cell: also in the error list
    data = csv_file(tmp_path / "p.csv", rows).read_bytes()
    res = rejected(data, "p.csv")
    out, _ = annotate_workbook(data, "p.csv", res.errors)
    wb = assert_no_formula(out)
    assert [wb["p"].cell(4 + i, 6).value for i in range(5)] == list(PAYLOADS[:5])
    assert "=cmd|' /C calc'!A0" in [c.value for c in wb[LIST_SHEET]["E"]]
