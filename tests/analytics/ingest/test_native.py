"""The native .xlsx scanner (analytics/ingest/_xlsxscan.c, native.py) against python-calamine, cell for cell.

Every .xlsx the suite owns, the demo ledgers, calamine's corpus of odd files and generated workbooks holding each
kind of cell are read twice - by the scanner and by python-calamine (the scanner switched off) - and must give the
same sheets: names, hidden flags, merged ranges, sizes and every value with its type. The scanner must take the
files we write and the ledgers subsidiaries send (no silent fallback), and on anything it does not read it must
fall back, never crash: mutated XML is fed to it directly.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import random
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from analytics.ingest import native, read
from analytics.ingest.read import CellError, read_workbook

ROOT = Path(__file__).resolve().parents[3]
FOREIGN = ROOT.parent / "shared" / "foreign-spreadsheets"
OWN = sorted(p for p in [*ROOT.glob("tests/**/*.xlsx"), *ROOT.glob("tests/**/*.xlsm"), *ROOT.glob("data/**/*.xlsx")]
             if ".venv" not in p.parts)
FOREIGN_FILES = sorted(FOREIGN.glob("*.xlsx")) + sorted(FOREIGN.glob("*.xlsm")) if FOREIGN.is_dir() else []


def scanned(data: bytes, tmp_path: Path) -> tuple[list[read.RawSheet] | None, str | None]:
    """The sheets as the native scanner reads them in this process, or (None, why it falls back)."""
    d = Path(tmp_path) / f"n{random.random()}"
    d.mkdir()
    src = d / "upload.xlsx"
    src.write_bytes(data)
    read._Progress.fallback = None
    got = read._read_native(str(src), str(d))
    if got is None:
        return None, read._Progress.fallback
    return [read.RawSheet(name, None, hidden, merges, **read._load_sheet(files, n_rows, width))
            for name, hidden, n_rows, width, merges, files in got], None


def by_calamine(data: bytes, monkeypatch, name="x.xlsx"):
    monkeypatch.setenv("LEDGER_XLSX_SCANNER", "off")
    try:
        return read_workbook(data, name)
    finally:
        monkeypatch.delenv("LEDGER_XLSX_SCANNER")


def typed_rows(sheets):
    return [(s.name, s.hidden, s.merges, s.n_rows, s.width, [[(type(v), v) for v in r] for r in s.rows])
            for s in sheets]


def same_as_calamine(data: bytes, tmp_path, monkeypatch) -> list[read.RawSheet]:
    mine, why = scanned(data, tmp_path)
    assert mine is not None, f"the scanner fell back: {why}"
    theirs = by_calamine(data, monkeypatch)
    assert typed_rows(mine) == typed_rows(theirs)
    return mine


def test_the_scanner_is_built():
    assert native.available(), "make builds analytics/ingest/_xlsxscan*.so"


@pytest.mark.parametrize("path", OWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_workbook_we_own_is_scanned_as_calamine_reads_it(path, tmp_path, monkeypatch):
    same_as_calamine(path.read_bytes(), tmp_path, monkeypatch)


def test_the_odd_files_read_the_same_either_way(tmp_path, monkeypatch):
    """calamine's corpus: the scanner reads most files itself, falls back on the rest, and the sheets (or the
    refusal) are those python-calamine gives."""
    if not FOREIGN_FILES:
        pytest.skip("shared/foreign-spreadsheets is absent")
    scanned_n, reasons = 0, {}
    for path in FOREIGN_FILES:
        data = path.read_bytes()
        try:
            mine, why = scanned(data, tmp_path)
        except read.ReadError as e:                # a cap: python-calamine must refuse the file too
            with pytest.raises(read.ReadError):
                by_calamine(data, monkeypatch, path.name)
            reasons[path.name] = str(e)
            continue
        if mine is None:
            reasons[path.name] = why
            continue
        scanned_n += 1
        try:
            theirs = by_calamine(data, monkeypatch, path.name)
        except read.ReadError as e:
            pytest.fail(f"{path.name}: scanned, but python-calamine refuses it: {e}")
        assert typed_rows(mine) == typed_rows(theirs), path.name
    assert scanned_n >= 45, reasons
    # what it leaves to python-calamine, by kind: escapes, blanks a version may trim, prefixes, ISO dates…
    assert reasons.get("has_x000D_inline.xlsx", "").endswith("x escape")
    assert "cell type" in reasons.get("date_iso.xlsx", "")
    assert "root" in reasons.get("nonstandard-xml-ns-prefix.xlsx", "")


def workbook(build, **save) -> bytes:
    wb = openpyxl.Workbook()
    build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_every_kind_of_cell(tmp_path, monkeypatch):
    def build(wb):
        ws = wb.active
        ws.title = "台账"
        rows = [
            ["文本", "日期", "日期时间", "时间", "时长", "数字", "布尔", "错误", "混合"],
            ["张三 ", dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 9, 30), dt.time(9, 30), dt.timedelta(hours=26),
             1.5, True, "#DIV/0!", "10.5"],
            ["<&>\"'", dt.date(1900, 1, 15), dt.datetime(1900, 2, 28, 23, 59, 59), dt.time(0, 0, 1),
             dt.timedelta(minutes=90), -2, False, "#N/A", dt.date(2026, 1, 1)],
            ["😀 第二行\n换行", dt.date(1900, 3, 1), dt.datetime(2026, 12, 31, 23, 59, 59, 500000), dt.time(23, 59),
             dt.timedelta(0), 12345678901234567890, True, "#REF!", 3],
            ["  两端空格  ", dt.date(9999, 12, 31), dt.datetime(1970, 1, 1), None, None, 1e-300, None, None, True],
        ]
        for r in rows:
            ws.append(r)
        for row in ws.iter_rows(min_row=2):
            row[7].data_type = "e" if row[7].value else row[7].data_type
        ws["F6"] = 0.1
        ws["F6"].number_format = 'yyyy"年"m"月"d"日"'
        ws["G6"] = 45000.25
        ws["G6"].number_format = "[h]:mm:ss"
        ws["H6"] = 45000
        ws["H6"].number_format = "0.00"
        ws["I6"] = "=1+1"                               # no cached value: empty
        ws.merge_cells("A8:C9")
        ws["A8"] = "合并"
        hidden = wb.create_sheet("隐藏")
        hidden.sheet_state = "hidden"
        hidden["B3"] = "只在 B3"
        wb.create_sheet("空")
    sheets = same_as_calamine(workbook(build), tmp_path, monkeypatch)
    first = sheets[0]
    assert first.rows[1][:8] == ["张三 ", dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 9, 30), dt.time(9, 30),
                                 dt.timedelta(hours=26), 1.5, True, CellError("#DIV/0!")]
    assert first.merges == [(7, 0, 8, 2)]
    assert [(s.name, s.hidden, s.n_rows, s.width) for s in sheets] == [("台账", False, 8, 9), ("隐藏", True, 3, 2),
                                                                       ("空", False, 0, 0)]


def test_ties_between_types_in_a_column(tmp_path, monkeypatch):
    def build(wb):
        ws = wb.active
        for col, values in enumerate([[1.0, dt.date(2026, 1, 1), 2.0, dt.date(2026, 1, 2)],
                                      [dt.date(2026, 1, 1), 1.0, dt.date(2026, 1, 2), 2.0],
                                      [1.0, "a", 2.0, "b"], [True, 1.0, False, 2.0]], start=1):
            for row, v in enumerate(values, start=1):
                ws.cell(row, col, v)
    sheets = same_as_calamine(workbook(build), tmp_path, monkeypatch)
    assert sheets[0].column(0) == [1.0, dt.date(2026, 1, 1), 2.0, dt.date(2026, 1, 2)]


def test_1904_workbook(tmp_path, monkeypatch):
    def build(wb):
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
        wb.active["A1"] = dt.date(2026, 10, 5)
        wb.active["A2"] = dt.datetime(2026, 10, 5, 8, 0)
    sheets = same_as_calamine(workbook(build), tmp_path, monkeypatch)
    assert sheets[0].column(0) == [dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 8, 0)]


NS = "http://schemas.openxmlformats.org"


def package(sheet_xml: str, sst_xml: str | None = None, styles_xml: str | None = None) -> bytes:
    rel = f"{NS}/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{NS}/package/2006/content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="{NS}/package/2006/relationships">'
                       f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}/spreadsheetml/2006/main" xmlns:r="{rel}">'
                           '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{NS}/package/2006/relationships">'
                                      f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                                      '</Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{NS}/spreadsheetml/2006/main">{sheet_xml}</worksheet>',
    }
    if sst_xml is not None:
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{NS}/spreadsheetml/2006/main">{sst_xml}</sst>'
    if styles_xml is not None:
        parts["xl/styles.xml"] = f'<styleSheet xmlns="{NS}/spreadsheetml/2006/main">{styles_xml}</styleSheet>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
    return buf.getvalue()


SST = ('<si><t>甲</t></si><si><t></t></si><si><r><rPr><b/></rPr><t>富</t></r><r><t xml:space="preserve"> 文本</t></r>'
       '<rPh sb="0" eb="1"><t>フ</t></rPh></si><si><t>&amp;&lt;&#20013;&#x6587;</t></si>')
STYLES = ('<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/>'
          '<numFmt numFmtId="165" formatCode="[h]:mm"/></numFmts>'
          '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf/></cellXfs>')


def test_what_excel_and_other_writers_put_in_a_cell(tmp_path, monkeypatch):
    """Shared strings with runs, phonetics and entities, an empty shared string, inline strings, str results,
    formulas before their value, styles without a format, numbers in exponent form, cells without a style."""
    cells = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
             '<c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><t>内联</t></is></c>'
             '<c r="F1" t="str"><f>A1&amp;"x"</f><v>甲&amp;x</v></c></row>'
             '<row r="2"><c r="A2" s="1"><v>46300</v></c><c r="B2" s="2"><v>46300.5</v></c><c r="C2" s="3"><v>1.25</v></c>'
             '<c r="D2" s="4"><v>1E3</v></c><c r="E2"><f t="shared" si="0" ref="E2:E3">1+1</f><v>2</v></c>'
             '<c r="F2" s="9"><v>-0.5</v></c><c r="G2" t="b"><v>1</v></c><c r="H2" t="e"><v>#VALUE!</v></c>'
             '<c r="I2" t="inlineStr"><is><r><t>运</t></r><r><t>行</t></r></is></c></row>'
             '<row r="3"><c r="E3"><f t="shared" si="0"/><v>3</v></c><c r="J3" t="s"/><c r="K3"/></row>')
    data = package(f'<dimension ref="A1:K3"/><sheetData>{cells}</sheetData><mergeCells count="1">'
                   '<mergeCell ref="A2:B2"/></mergeCells>', SST, STYLES)
    [s] = same_as_calamine(data, tmp_path, monkeypatch)
    assert s.rows[0][:6] == ["甲", None, "富 文本", "&<中文", "内联", "甲&x"]
    assert s.rows[1][:5] == [dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 12, 0), dt.timedelta(hours=30), 1000.0, 2.0]
    assert s.merges == [(1, 0, 1, 1)] and s.width == 9


@pytest.mark.parametrize("sheet_xml, why", [
    ('<sheetData><row r="1"><c r="A1" t="d"><v>2026-10-05</v></c></row></sheetData>', "cell type"),
    ('<sheetData><row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row></sheetData>', "out of order"),
    ('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c></row></sheetData>', "x escape"),
    ('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t> a</t></is></c></row></sheetData>', "blank ends"),
    ('<sheetData><!-- a comment --><row r="1"><c r="A1"><v>1</v></c></row></sheetData>', "tag in sheetData"),
    ('<sheetData><row r="1"><c r="A1"><v>0x10</v></c></row></sheetData>', "number"),
    ('<sheetData><row r="1"><c r="A1" t="e"><v>#SPILL!</v></c></row></sheetData>', "error code"),
    ('<sheetData><row r="1"><c><v>1</v></c></row></sheetData>', "cell reference"),
])
def test_what_the_scanner_leaves_to_calamine(sheet_xml, why, tmp_path, monkeypatch):
    data = package(sheet_xml)
    mine, reason = scanned(data, tmp_path)
    assert mine is None and why in reason
    try:                                            # read the way the child does: the same result as calamine's
        got = typed_rows(read_workbook(data, "x.xlsx"))
    except read.ReadError as e:
        got = str(e)
    try:
        theirs = typed_rows(by_calamine(data, monkeypatch))
    except read.ReadError as e:
        theirs = str(e)
    assert got == theirs


def test_caps_are_the_readers_messages(tmp_path):
    wide = package('<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="KO1"><v>2</v></c></row></sheetData>')
    with pytest.raises(read.ReadError, match="第 300 列之后仍有内容"):
        scanned(wide, tmp_path)
    tall = package('<sheetData><row r="1100001"><c r="A1100001"><v>1</v></c></row></sheetData>')
    with pytest.raises(read.ReadError, match="行数超过上限"):
        scanned(tall, tmp_path)
    # an error cell beyond the column cap is no value (python-calamine reads it as empty)
    err = package('<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="KO1" t="e"><v>#N/A</v></c></row></sheetData>')
    [s] = scanned(err, tmp_path)[0]
    assert s.width == 300 and s.rows == [[1.0] + [None] * 299]


def test_mutated_xml_never_crashes_the_scanner():
    """Bytes flipped, cut and inserted at random in a sheet and a string table: the scanner returns columns or
    raises Unsupported - nothing else, and never takes the process down."""
    scan = native._xlsxscan
    sheet = (f'<worksheet xmlns="{NS}/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
             '<c r="B1" s="1"><v>46300.5</v></c><c r="C1" t="inlineStr"><is><r><t>x&amp;y</t></r></is></c>'
             '<c r="D1" t="e"><v>#N/A</v></c></row><row r="2"><c r="A2" t="str"><f>1</f><v>&#x4e2d;</v></c>'
             '<c r="B2" t="b"><v>0</v></c></row></sheetData><mergeCells><mergeCell ref="A1:B1"/></mergeCells>'
             '</worksheet>').encode()
    sst = f'<sst xmlns="{NS}/spreadsheetml/2006/main"><si><t>甲</t></si><si><r><t>乙</t></r></si></sst>'.encode()
    n, offs, _ = scan.sst(sst)
    assert n == 2
    status, n_rows, width, *_ = scan.sheet(sheet, offs, n, b"\x00\x01", False, 1_100_000, 300)
    assert (status, n_rows, width) == ("ok", 2, 4)
    rng = random.Random(20261203)
    noise = b'<>/="\'&;#x _:rvcsti0123456789AZ\x00\xff\xe4'
    outcomes = {"ok": 0, "unsupported": 0}
    for i in range(4000):
        src = bytearray(sst if i % 4 == 0 else sheet)
        for _ in range(rng.randint(1, 4)):
            if not src:
                break
            op, at = rng.random(), rng.randrange(len(src))
            if op < 0.4:
                src[at] = rng.choice(noise)
            elif op < 0.7:
                src[at:at] = bytes(rng.choice(noise) for _ in range(rng.randint(1, 6)))
            elif op < 0.85:
                del src[at:at + rng.randint(1, 20)]
            else:
                del src[at:]
        try:
            if i % 4 == 0:
                m, o, b = scan.sst(bytes(src))
                assert len(o) == 4 * (m + 1) and int.from_bytes(o[-4:], "little") == len(b)
            else:
                st, rows, w, t_offs, t_buf, tail, cols = scan.sheet(bytes(src), offs, n, b"\x00\x01", False,
                                                                    1_100_000, 300)
                assert st in ("ok", "rows", "cols") and len(cols) == w and 0 <= tail <= len(src)
                assert int.from_bytes(t_offs[-4:], "little") == len(t_buf)
            outcomes["ok"] += 1
        except scan.Unsupported:
            outcomes["unsupported"] += 1
    assert outcomes["ok"] > 200 and outcomes["unsupported"] > 1000, outcomes


def test_without_the_scanner_calamine_reads_everything(monkeypatch, tmp_path):
    monkeypatch.setattr(native, "_xlsxscan", None)
    data = package('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>')
    assert scanned(data, tmp_path) == (None, None)


def test_a_large_sheet_is_scanned_in_two_halves_as_one(tmp_path, monkeypatch):
    """Over 4 MB of sheet XML the scanner splits the cells at a <row> near the middle and scans both halves side
    by side: texts, numbers, dates and an exception on either side of the split come out as one sheet."""
    n = 40_000
    rows = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>第{i}行&amp;</t></is></c>'
                   f'<c r="B{i}" s="1"><v>{46000 + i % 300}</v></c><c r="C{i}" t="s"><v>{i % 2}</v></c>'
                   + (f'<c r="D{i}" t="str"><v>文本{i}</v></c>' if i % 9999 == 0 else f'<c r="D{i}"><v>{i}.5</v></c>')
                   + "</row>" for i in range(1, n + 1))
    assert len(rows.encode()) > 4 << 20
    data = package(f"<sheetData>{rows}</sheetData>", "<si><t>甲</t></si><si><t>乙</t></si>",
                   '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs>')
    [s] = same_as_calamine(data, tmp_path, monkeypatch)
    assert s.n_rows == n and s.rows[n - 1] == [f"第{n}行&", dt.date(1900, 1, 1) + dt.timedelta(days=46000 + n % 300 - 2),
                                               "甲", n + 0.5]
    assert s.other[3] == {i - 1: f"文本{i}" for i in range(9999, n + 1, 9999)}
