"""The shapes real files come in (DOMAIN.md §2): titles and 填报单位 lines, two-row merged headers,
序号 / blank / 合计 / signature rows, instruction and hidden sheets, one sheet per month, text dates,
.xlsx / .xlsm / .csv (UTF-8 and GB18030), and .xls / .ods where LibreOffice can make them."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from analytics.ingest.pipeline import ingest_bytes, ingest_file
from analytics.figures.metrics import Window, compute
from tests.builders import (HAZARD_HEADER, HX, LY, TRAINING_HEADER, csv_file, golden_hazard_rows,
                            golden_training_sheets, merged_header_hazard, new_store, xlsm, xlsx)

TODAY = dt.date(2026, 11, 5)
OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
GOLDEN = {"hazards_found": 5, "hazards_rectified": 2, "rectification_rate": 0.4, "on_time_rate": 1 / 3,
          "overdue_open": 2, "major_found": 1, "major_open": 1, "major_rectification_rate": 0.0,
          "avg_days_to_rectify": 10.5}


def golden_ok(s):
    got = compute(s, OCT)["companies"][LY]
    assert {k: got[k] for k in GOLDEN} == pytest.approx(GOLDEN)


def test_two_row_merged_header_with_title_filler_and_junk_rows(tmp_path):
    s = new_store()
    res = ingest_file(s, merged_header_hazard(tmp_path / "hx.xlsx"), today=TODAY)
    assert res.status == "loaded", [e.line() for e in res.errors]
    rows = s.rows("""SELECT row_no, company, found_date, owner, deadline, status, rectified_date, level
                     FROM hazards ORDER BY row_no""")
    assert rows == [
        (5, HX, dt.date(2026, 10, 5), "张三", dt.date(2026, 10, 15), "已整改", dt.date(2026, 10, 9), "一般"),
        (6, HX, dt.date(2026, 10, 5), "李四", dt.date(2026, 10, 30), "未整改", None, "一般"),
        (7, HX, dt.date(2026, 10, 12), "王五", dt.date(2026, 10, 20), "未整改", None, "重大"),
    ]
    assert s.scalar("SELECT level_raw FROM hazards WHERE row_no = 6") == "一般隐患Ⅱ级"      # raw text kept
    assert [w.code for w in res.warnings] == ["major_incomplete"]
    assert s.rows("SELECT period_start, period_end FROM batches") == [(dt.date(2026, 10, 1), dt.date(2026, 10, 1))]


def test_header_names_in_errors_are_as_the_file_writes_them(tmp_path):
    p = merged_header_hazard(tmp_path / "hx.xlsx")
    import openpyxl
    wb = openpyxl.load_workbook(p)
    wb["10月"]["H5"] = "下周"
    wb.save(p)
    res = ingest_file(new_store(), p, today=TODAY)
    assert [(e.code, e.row, e.column, e.cell) for e in res.errors] == [("bad_date", 5, "整改期限", "H5")]


def test_instruction_sheet_hidden_sheet_and_repeated_header(tmp_path):
    rows = golden_hazard_rows()
    rows.insert(7, HAZARD_HEADER)                          # a header repeated on a printed page
    p = xlsx(tmp_path / "h.xlsx", {"填表说明": [["填表说明"], ["整改状态填写 已整改/未整改"]], "10月": rows,
                                   "旧表": golden_hazard_rows(), "统计": [["本月隐患", 7]]}, hidden=("旧表",))
    s = new_store()
    res = ingest_file(s, p, today=TODAY)
    assert res.status == "loaded" and res.ledgers == {"hazards": 7}
    assert [(n.code, n.sheet) for n in res.notes] == [("hidden_sheet", "旧表"), ("sheet_skipped", "统计")]
    golden_ok(s)


def test_one_sheet_per_month_takes_the_year_from_the_title(tmp_path):
    s = new_store()
    res = ingest_file(s, xlsx(tmp_path / "t.xlsx", golden_training_sheets()), today=TODAY)
    assert res.status == "loaded" and res.ledgers == {"training": 4}
    dates = [r[0] for r in s.rows("SELECT date FROM training ORDER BY date")]
    assert dates == [dt.date(2026, 9, 10), dt.date(2026, 10, 8), dt.date(2026, 10, 20), dt.date(2026, 10, 28)]
    cov = s.rows("SELECT company, month FROM batch_coverage ORDER BY month")
    assert cov == [(LY, dt.date(2026, m, 1)) for m in (9, 10, 11)]     # the empty 11月 sheet counts too


def test_period_gives_the_year_when_nothing_else_does(tmp_path):
    p = xlsx(tmp_path / "t.xlsx", {"培训": [["安全教育培训台账"], TRAINING_HEADER,
                                          [1, "10月8日", "消防", "全员培训", 3, 3, 3, 1]]})
    s = new_store()
    res = ingest_file(s, p, today=TODAY)                   # 安全教育培训台账 is not taken for a company name
    assert [e.code for e in res.errors] == ["no_company", "bad_date"]       # and 10月8日 has no year
    res = ingest_file(s, p, today=TODAY, company="陇原电力", period="2026-10")
    assert res.status == "loaded"
    assert s.rows("SELECT company, date FROM training") == [(LY, dt.date(2026, 10, 8))]


def test_serial_numbers_in_a_number_column_are_not_keys(tmp_path):
    rows = [list(r) for r in golden_hazard_rows()]
    for k, r in enumerate(rows[3:7] + rows[8:11], start=1):
        r[1] = k
    s = new_store()
    res = ingest_file(s, xlsx(tmp_path / "h.xlsx", {"10月": rows}), today=TODAY)
    assert "serial_number_as_key" in [w.code for w in res.warnings]
    assert s.scalar("SELECT count(*) FROM hazards WHERE hazard_no IS NULL AND key LIKE '%|#%'") == 7
    golden_ok(s)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_and_gb18030(tmp_path, encoding):
    rows = [[v.isoformat() if isinstance(v, dt.date) else v for v in r] for r in golden_hazard_rows()]
    p = csv_file(tmp_path / "陇原电力10月隐患.csv", rows, encoding=encoding)
    s = new_store()
    res = ingest_file(s, p, today=TODAY)
    assert res.status == "loaded" and res.ledgers == {"hazards": 7}, [e.line() for e in res.errors]
    golden_ok(s)


def test_xlsm(tmp_path):
    s = new_store()
    res = ingest_file(s, xlsm(tmp_path / "h.xlsm", {"10月": golden_hazard_rows()}), today=TODAY)
    assert res.status == "loaded"
    golden_ok(s)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed: .xls/.ods are covered by the reader tests "
                                            "on /work/shared/foreign-spreadsheets")
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_xls_and_ods_converted_by_libreoffice(tmp_path, fmt):
    src = xlsx(tmp_path / "h.xlsx", {"10月": golden_hazard_rows()})
    subprocess.run([SOFFICE, "--headless", "--convert-to", fmt, "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=120)
    s = new_store()
    res = ingest_file(s, tmp_path / f"h.{fmt}", today=TODAY)
    assert res.status == "loaded", [e.line() for e in res.errors]
    golden_ok(s)


def test_company_in_a_column_with_aliases_and_widths(tmp_path):
    rows = [["单位"] + HAZARD_HEADER]
    names = ["陇原电力", "陇原电力有限责任公司", "陇原 电力有限公司", "陇原电力（有限公司）", "陇原电力有限公司", "陇原电力", "陇原电力"]
    data = [r for r in golden_hazard_rows()[3:] if r and isinstance(r[0], int)]
    rows += [[n] + list(r) for n, r in zip(names, data)]
    s = new_store()
    res = ingest_file(s, xlsx(tmp_path / "h.xlsx", {"10月": rows}), today=TODAY, period="2026-10")
    assert res.status == "loaded", [e.line() for e in res.errors]
    assert s.rows("SELECT DISTINCT company FROM hazards") == [(LY,)]
    golden_ok(s)


def test_a_wps_xls_that_is_really_xlsx_still_reads(tmp_path):
    data = xlsx(tmp_path / "h.xlsx", {"10月": golden_hazard_rows()}).read_bytes()
    s = new_store()
    assert ingest_bytes(s, data, "隐患台账.xls", today=TODAY).status == "loaded"
    golden_ok(s)


def test_a_summary_sheet_beside_the_ledger_is_skipped_with_its_reason(tmp_path):
    summary = [["培训统计"], ["单位", "应参训人数", "实参训人数", "考核合格人数"], ["陇原电力", 45, 41, 38]]
    s = new_store()
    res = ingest_file(s, xlsx(tmp_path / "t.xlsx", {**golden_training_sheets(), "统计": summary}), today=TODAY)
    assert res.status == "loaded" and res.ledgers == {"training": 4}
    assert [(n.code, n.sheet) for n in res.notes] == [("sheet_skipped", "统计")]
    assert "培训日期" in res.notes[0].message
    alone = ingest_file(s, xlsx(tmp_path / "s.xlsx", {"统计": summary}), today=TODAY)
    assert [(e.code, e.row, e.column) for e in alone.errors] == [("missing_column", 2, "培训日期")]
