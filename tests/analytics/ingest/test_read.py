"""Tests of analytics/read.py: file bytes -> raw sheet grids, built here in the tests themselves."""
from __future__ import annotations

import base64
import datetime as dt
import io
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from analytics.ingest import read
from analytics.ingest.read import SUPPORTED_SUFFIXES, CellError, RawSheet, ReadError, read_workbook

FOREIGN = Path(__file__).resolve().parents[3].parent / "shared" / "foreign-spreadsheets"
needs_foreign = pytest.mark.skipif(not FOREIGN.is_dir(), reason="shared/foreign-spreadsheets absent")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS is enforced on Linux")
HEADER = ["隐患编号", "发现日期", "隐患描述"]


def save(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def foreign(name: str) -> list[RawSheet]:
    return read_workbook((FOREIGN / name).read_bytes(), name)


def only(sheets: list[RawSheet], name: str) -> RawSheet:
    [sheet] = [s for s in sheets if s.name == name]
    return sheet


@pytest.fixture(scope="module")
def ledger_xlsx() -> bytes:
    """A ledger with a title, a blank row, header on Excel row 4 starting in column B."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "隐患台账"
    ws["B1"] = "  XX公司隐患排查治理台账  "
    ws.merge_cells("B1:D1")
    for col, h in zip("BCD", HEADER):
        ws[f"{col}4"] = h
    ws["B5"], ws["C5"], ws["D5"] = "YH-001", dt.date(2026, 10, 5), "配电箱未上锁"
    ws["C5"].number_format = "yyyy-mm-dd"
    ws["B6"], ws["C6"], ws["D6"] = 7, dt.datetime(2026, 10, 6, 14, 30), True
    ws["C6"].number_format = "yyyy-mm-dd hh:mm"
    ws["E6"] = 2.5
    ws["D7"] = "#REF!"
    ws["D7"].data_type = "e"                       # an error cell as Excel stores it
    hidden = wb.create_sheet("说明")
    hidden["A1"] = "填表说明"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("隐藏2")
    very["A1"] = 1
    very.sheet_state = "veryHidden"
    wb.create_sheet("空表")
    return save(wb)


def test_ledger_xlsx_grid_lines_up_with_excel_rows(ledger_xlsx):
    sheets = read_workbook(ledger_xlsx, "台账.xlsx")
    assert [s.name for s in sheets] == ["隐患台账", "说明", "隐藏2", "空表"]
    rows = sheets[0].rows
    assert len(rows) == 7                           # Excel rows 1..7
    assert {len(r) for r in rows} == {5}            # rectangular, A..E
    assert rows[0] == [None, "  XX公司隐患排查治理台账  ", None, None, None]   # unstripped, merged
    assert rows[1] == rows[2] == [None] * 5
    assert rows[3][1:4] == HEADER                   # Excel row 4, column B
    assert rows[4][1:4] == ["YH-001", dt.date(2026, 10, 5), "配电箱未上锁"]
    assert rows[5][1:5] == [7, dt.datetime(2026, 10, 6, 14, 30), True, 2.5]
    assert rows[6][3] == CellError("#REF!")
    assert rows[6][:3] == [None, None, None]


def test_hidden_and_empty_sheets(ledger_xlsx):
    sheets = {s.name: s for s in read_workbook(ledger_xlsx, "台账.xlsx")}
    assert not sheets["隐患台账"].hidden
    assert sheets["说明"].hidden and sheets["说明"].rows == [["填表说明"]]
    assert sheets["隐藏2"].hidden                 # very hidden counts as hidden
    assert sheets["空表"].rows == [] and not sheets["空表"].hidden


def test_formula_cached_values_and_errors_from_xlsxwriter():
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("计算")
    ws.write_row(0, 0, ["a", "b", "c"])
    ws.write_formula("A2", "=1/0", None, "#DIV/0!")
    ws.write_formula("B2", "=NA()", None, "#N/A")
    ws.write_formula("C2", "=1+1", None, 2)
    ws.write_formula("D2", '=A1&"x"', None, "ax")
    ws.write_formula("A4", "=#REF!+1", None, "#REF!")    # a trailing row holding only an error
    wb.close()
    [sheet] = read_workbook(buf.getvalue(), "calc.xlsx")
    assert sheet.rows[1] == [CellError("#DIV/0!"), CellError("#N/A"), 2, "ax"]
    assert sheet.rows[3][0] == CellError("#REF!")
    assert len(sheet.rows) == 4


def test_1904_workbook_dates_come_out_right():
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws["A1"], ws["B1"] = dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 8, 15)
    ws["A1"].number_format, ws["B1"].number_format = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
    data = save(wb)
    assert b"date1904" in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    [sheet] = read_workbook(data, "mac.xlsx")
    assert sheet.rows == [[dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 8, 15)]]


def test_xlsm_and_xlsx_under_an_xls_name(ledger_xlsx):
    as_xls = read_workbook(ledger_xlsx, "WPS导出.xls")       # WPS often does this
    as_xlsm = read_workbook(ledger_xlsx, "宏.XLSM")
    assert as_xls == as_xlsm == read_workbook(ledger_xlsx, "台账.xlsx")
    assert as_xls[0].rows[4][2] == dt.date(2026, 10, 5)


def test_xlsm_written_as_such():
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet("1月").write_row(0, 0, HEADER)
    wb.close()
    assert read_workbook(buf.getvalue(), "台账.xlsm")[0].rows == [HEADER]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_with_chinese_headers(encoding):
    text = "隐患编号,发现日期,隐患描述\r\nYH-001,2026/10/5, 配电箱未上锁 \r\n,,\r\n007,2026年10月6日,\"含逗号, 和\n换行\"\r\n"
    [sheet] = read_workbook(text.encode(encoding), "一车间隐患.csv")
    assert sheet.name == "一车间隐患"
    assert sheet.rows == [HEADER,
                          ["YH-001", "2026/10/5", " 配电箱未上锁 "],
                          [None, None, None],
                          ["007", "2026年10月6日", "含逗号, 和\n换行"]]


def test_csv_gbk_bytes_and_utf16():
    gbk = "编号,描述\n1,灭火器过期\n".encode("gbk")
    assert read_workbook(gbk, "a.csv")[0].rows == [["编号", "描述"], ["1", "灭火器过期"]]
    utf16 = "编号\t描述\n1\t通道堵塞\n".encode("utf-16")        # Excel's "Unicode text"
    assert read_workbook(utf16, "b.csv")[0].rows == [["编号", "描述"], ["1", "通道堵塞"]]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_csv_delimiters_with_a_title_line(sep):
    lines = ["XX公司隐患台账", sep.join(HEADER), sep.join(["YH-1", "2026-10-05", "地面湿滑, 无标识"])]
    [sheet] = read_workbook("\n".join(lines).encode(), "t.csv")
    assert sheet.rows == [["XX公司隐患台账", None, None], HEADER, ["YH-1", "2026-10-05", "地面湿滑, 无标识"]]


def test_tab_text_saved_as_xls_reads_as_csv():
    [sheet] = read_workbook("编号\t描述\n1\t护栏缺失\n".encode("gb18030"), "系统导出.xls")
    assert sheet.rows == [["编号", "描述"], ["1", "护栏缺失"]]


def test_csv_row_cap():
    assert read.MAX_ROWS == 1_100_000
    with pytest.raises(ReadError, match="行数超过上限"):          # ~1 s: parsed for real in the child
        read_workbook(b"a\n" + b"1\n" * read.MAX_ROWS, "big.csv")


@pytest.mark.parametrize("data, filename, message", [
    (b"\x00\x01garbage\xff\xfe" * 50, "x.xlsx", "无法识别的文件格式"),
    (b"%PDF-1.7 not a sheet", "x.xls", "无法识别的文件格式"),
    (b"", "x.xlsx", "空"),
    (b"a,b\n1,2\n", "notes.txt", "不支持的文件类型"),
    (b"a,b\n1,2\n", "noext", "不支持的文件类型"),
    (b"<html><table><tr><td>1</td></tr></table></html>", "export.xls", "网页"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "x.xls", "损坏"),
])
def test_unreadable_files_raise_read_error(data, filename, message):
    with pytest.raises(ReadError, match=message):
        read_workbook(data, filename)


def test_truncated_and_non_spreadsheet_zips(ledger_xlsx):
    with pytest.raises(ReadError, match="损坏或不完整"):
        read_workbook(ledger_xlsx[: len(ledger_xlsx) // 2], "half.xlsx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(ReadError, match="不是表格文件"):
        read_workbook(buf.getvalue(), "报告.xlsx")


def test_encrypted_ooxml_asks_for_the_password_to_be_removed():
    # Excel stores a password-protected xlsx as an OLE2 file holding an "EncryptedPackage" stream
    fake = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2048)
    name = "EncryptedPackage".encode("utf-16-le")
    fake[1024:1024 + len(name)] = name
    with pytest.raises(ReadError, match="密码"):
        read_workbook(bytes(fake), "加密.xlsx")


@needs_foreign
@pytest.mark.parametrize("name", ["pass_protected.xlsx", "pass_protected.xlsb", "pass_protected.ods", "issue_385.xls"])
def test_real_password_protected_files(name):
    with pytest.raises(ReadError, match="密码"):
        foreign(name)


def sparse_xlsx(cells: dict[str, object]) -> bytes:
    """A minimal xlsx whose only sheet holds the given cells (written by hand: no style, no size)."""
    ns = "http://schemas.openxmlformats.org"
    rel = f"{ns}/officeDocument/2006/relationships"
    data = "".join(f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}"><v>{v}</v></c></row>'
                   for ref, v in cells.items())
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{ns}/package/2006/content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="{ns}/package/2006/relationships">'
                       f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{ns}/spreadsheetml/2006/main" xmlns:r="{rel}">'
                           '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{ns}/package/2006/relationships">'
                                      f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                                      '</Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
    return buf.getvalue()


def test_sparse_helper_reads():
    [sheet] = read_workbook(sparse_xlsx({"B2": 1, "C3": 2}), "s.xlsx")
    assert sheet.rows == [[None, None, None], [None, 1.0, None], [None, None, 2.0]]


@linux_only
@pytest.mark.parametrize("far", ["XFD1048576", "WQJ6000"])
@pytest.mark.parametrize("scanner, says", [("off", "文件过大或结构异常"), ("on", "第 300 列之后仍有内容")])
def test_memory_bomb_is_refused_not_fatal(far, scanner, says, monkeypatch):
    # 1.5 KB: calamine would allocate 32 bytes for each of the 17 G / 96 M cells in between and is stopped by the
    # child's memory cap; the native scanner keeps only the two cells and names the column cap
    monkeypatch.setenv("LEDGER_XLSX_SCANNER", scanner)
    data = sparse_xlsx({"A1": 1, far: 2})
    assert len(data) < 2000
    with pytest.raises(ReadError, match=says):
        read_workbook(data, "bomb.xlsx")


def test_column_cap():
    assert len(read_workbook(sparse_xlsx({"A1": 1, "KN2": 2}), "ok.xlsx")[0].rows[1]) == 300   # KN = 300th
    with pytest.raises(ReadError, match="第 300 列之后仍有内容"):
        read_workbook(sparse_xlsx({"A1": 1, "KO2": 2}), "wide.xlsx")


def test_timeout_is_a_read_error(monkeypatch, ledger_xlsx):
    monkeypatch.setattr(read, "PARSE_TIMEOUT_S", 0.001)
    with pytest.raises(ReadError, match="读取超时"):
        read_workbook(ledger_xlsx, "slow.xlsx")


def test_supported_suffixes_and_no_streamlit():
    assert SUPPORTED_SUFFIXES == (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")
    assert "streamlit" not in Path(read.__file__).read_text(encoding="utf-8")


# A 5.6 KB BIFF8 .xls written by xlwt 1.3.0 (not a project dependency): header on row 3 from
# column B, a date cell, and BOOLERR error cells - #REF! in 隐患台账!C5, #DIV/0! in 说明!A1.
TINY_XLS = zlib.decompress(base64.b64decode(
    "eNrtWE1IVFEU/u6b95xRxpnRRkMDG4SszIGxNm10KijbJNYs+iFIbaYIU2NqY4u0bFYhCEFQtJFs0cZs0w+1qF2LwMpFIARj"
    "0apFBUYt1Nc5Z97T0SZwIKWJ9w333HPPOffeM/fce+577/VEWXrkQfU0lqEZLsybxSjKkikqxXYjANKbJrN27aFiOigoFHso"
    "kEUGnpa+cnMMOd7T0DCuvyAKfKByHOfQ2tuTCK0h9ogPHYp9aFI67T0Nt6n4UCV+lQs9KXSd0Pti+0zoLpEMCW0i27Q6holo"
    "a/1Oax8f0WpF5yOq8Ej6TImkERV4yfu4f1hlbA3sTp7pOFtgihrdi1FQSFsSPYkkt/24ixKgjxDu7g7H42kEKdyj+G6GgBn7"
    "XD8POfK1lSuQ/OdSufsPcg8Fcbn8uqYDAzDbFW/mFGXmsM4aXQ3fuNP+NVY3lIIXXwyWaWrmmu/ULCJgk0wRs8r+HzFi38TG"
    "z39KbDxNaeDo/nAk0mgz20s4+UuyCCxJFqVyhLxE4/ALXyYHKUC+zt779vZAZ1v0hEgG5ILIXCOb2GeYuMw9qLNPLAzRuojW"
    "S3ub0Csy6gbhq4UGyZLqurYKi9k3KDZXRVtH8+wQTEY3Z/FbiE99Pvi4JvUxupX4sZbpi8Gxd9ER1NK1Fqf+/BtEg2pQt24y"
    "nkTtWlkJ573Qqt+Sj0cLSO2Cad2VfszRccusByPT0qilLHtXDnvXwvpd0ril0bzJSU3s9Rz2utjzSIbmoRaPv141a+V4yINQ"
    "IlzEakdQ9teCvhAjmPF9cYV5TRllcCvWq2V6jpESfQ0/MvGqI9eqO3DgwIEDBw4c/ENQ1kOby3odMKyHQrf1XWeOyrzzmeS/"
    "xSH00u8CvVLuRQ/VSfTltX8qYSh7LLXCPvb3QsZhmj2JLnSKH1157196qFfZ/2fFHQN/7wjlO/98Pn6u8vy/AFACCPE="))


@pytest.mark.parametrize("filename", ["台账.xls", "renamed.xlsx"])
def test_xls_values_and_error_cells(filename):
    sheets = read_workbook(TINY_XLS, filename)
    assert [(s.name, s.hidden) for s in sheets] == [("隐患台账", False), ("说明", False)]
    assert sheets[0].rows == [[None, None, None], [None, None, None], [None, "隐患编号", "发现日期"],
                              [None, "YH-001", dt.date(2026, 10, 5)], [None, "YH-002", CellError("#REF!")]]
    assert sheets[1].rows == [[CellError("#DIV/0!")], [7]]


# ---------------------------------------------------------------- .xls / .ods / .xlsb from calamine

@needs_foreign
def test_xls_ods_xlsb_known_values():
    expected = [[dt.date(2021, 1, 1), 15], [dt.date(2021, 1, 2), 16], [dt.timedelta(days=10, seconds=54610), 17]]
    for name in ("date.xls", "date.xlsb", "date.xlsx"):
        assert foreign(name)[0].rows == expected, name
    ods = foreign("date.ods")[0].rows
    assert ods[0] == [dt.date(2021, 1, 1), 15.0]
    assert ods[1] == [dt.datetime(2021, 1, 1, 10, 10, 10), 16.0]
    assert ods[2] == [dt.time(10, 10, 10), 17.0]


@needs_foreign
def test_1904_foreign_files_match_1900_ones():
    for ext in ("xlsx", "xls", "xlsb"):
        assert foreign(f"date_1904.{ext}")[0].rows == foreign(f"date.{ext}")[0].rows, ext


@needs_foreign
@pytest.mark.parametrize("ext", ["xlsx", "xls", "xlsb", "ods"])
def test_foreign_hidden_sheets(ext):
    sheets = {s.name: s for s in foreign(f"any_sheets.{ext}")}
    visible = sheets["Visible"]
    assert not visible.hidden and visible.rows[:4] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [None, None]]
    assert visible.rows[4][0].startswith("This workbook contains 4 sheets")
    assert sheets["Hidden"].hidden and sheets["VeryHidden"].hidden
    assert ("Chart" in sheets) == (ext == "ods")       # chart sheets hold no cells; ODS cannot tell


@needs_foreign
def test_foreign_error_cells():
    assert [r[0] for r in foreign("errors.xlsx")[0].rows] == [
        CellError(c) for c in ("#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A")]
    mapping = only(foreign("gh548_incorrect_sst_unique_count.xls"), "Acute Trust Mapping")
    assert mapping.hidden
    assert mapping.rows[12][10:14] == [CellError("#VALUE!")] * 4
    assert mapping.rows[12][0] == "RQM"


@needs_foreign
def test_foreign_xls_merged_and_leading_rows():
    rows = only(foreign("merged_range.xls"), "Sheet1").rows
    assert rows[0][:3] == ["A1", "B1", "C1"] and rows[1] == [None] * 8
    assert only(foreign("issues.xls"), "Sheet1").rows == [[None], [0.0]]   # value on row 2 stays on row 2


def test_the_parse_itself_reports_progress_up_to_its_cap(monkeypatch, capsys):
    """python-calamine parses a sheet in one call (10–12 s for a million rows): the child ticks an estimate from
    the bytes to parse meanwhile, always below the third of the bar that ends with the parse, never claiming it."""
    assert [read.parse_fraction(e, 2.0) for e in (0, 1, 1.9, 2, 60)] == [0, 0.5, 0.95, 0.95, 0.95]
    assert read.parse_fraction(3, 0) == 0
    monkeypatch.setattr(read, "TICK_S", 0.001)
    ticker = read._ParseTicker(int(read.PARSE_BYTES_PER_S * 0.05))          # a parse expected to take 50 ms
    ticker.start()
    out = ""
    while "316 1000" not in out and ticker.is_alive():                       # 316 = 95 % of the first third
        out += capsys.readouterr().out
        ticker.stop.wait(0.01)
    ticker.finish()
    out += capsys.readouterr().out
    done = [int(line.split()[0]) for line in out.splitlines()]
    assert done and done == sorted(set(done)) and done[-1] == 316 and all(line.endswith(" 1000") for line in out.splitlines())
    assert capsys.readouterr().out == ""                                     # finished: no tick after the rows begin


def test_the_bytes_to_parse_are_the_uncompressed_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    wb.create_sheet("第二张").append(["x"] * 50)
    path = tmp_path / "two.xlsx"
    path.write_bytes(save(wb))
    with zipfile.ZipFile(path) as z:
        sheets = sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/")
                     or i.filename.endswith("sharedStrings.xml"))
        everything = sum(i.file_size for i in z.infolist())
    assert 0 < read._parse_bytes(str(path), "xlsx") == sheets < everything
    csv = tmp_path / "a.csv"
    csv.write_bytes(b"a,b\n1,2\n")
    assert read._parse_bytes(str(csv), "csv") == 8
    assert read._parse_bytes(str(tmp_path / "missing.xlsx"), "xlsx") == 0


def test_a_big_read_gets_time_in_proportion_to_what_it_parses(tmp_path):
    assert read.read_timeout(0) == 60 and read.read_timeout(670_000_000) == 127
    assert read.read_timeout(10 ** 12) == read.MAX_PARSE_TIMEOUT_S == 300      # sizes a crafted zip may claim
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    data = save(wb)
    reading = read.start_read(data, "small.xlsx")
    try:
        path = tmp_path / "small.xlsx"
        path.write_bytes(data)
        assert reading.timeout == read.read_timeout(read._parse_bytes(str(path), "xlsx")) < 61
        assert [s.name for s in reading.result()] == ["Sheet"]
    finally:
        reading.cancel()
