"""Issue 8: the files subsidiaries really send — merged cells, several companies per workbook, the upload's
company only where the file names none, dates and words as written, messages that quote the cell, and what a
revision changed. Every figure below is counted by hand from the fixture (tests/builders.py)."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from analytics.companies import add_company
from analytics.figures.metrics import Window, compute
from analytics.ingest.pipeline import ingest_file
from tests import builders as b
from tests.builders import HX, LY, WW

TODAY = dt.date(2026, 11, 5)
OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
KEYS = ("hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "overdue_open", "major_open")


def store():
    s = b.new_store()
    add_company(s, WW, ["武威物流"])
    add_company(s, HX, ["酒泉新能源"])
    return s


def load(s, path, **kw):
    res = ingest_file(s, path, today=TODAY, **kw)
    assert res.status == "loaded", [e.line() for e in res.errors]
    return res


def figures(s, company):
    got = compute(s, OCT)["companies"][company]
    return {k: got[k] for k in KEYS}


# ------------------------------------------------------------------ 1. merged cells
def test_company_merged_down_the_sheet(tmp_path):
    s = store()
    res = load(s, b.merged_company_down(tmp_path / "down.xlsx"))
    assert res.ledgers == {"hazards": 4} and not res.errors
    assert s.rows("SELECT DISTINCT company FROM hazards") == [(LY,)]
    assert figures(s, LY) == pytest.approx({"hazards_found": 4, "hazards_rectified": 2, "rectification_rate": 0.5,
                                            "on_time_rate": 2 / 3, "overdue_open": 1, "major_open": 1})
    assert compute(s, OCT)["companies"][LY]["avg_days_to_rectify"] == pytest.approx(6.5)   # (6 + 7) / 2


def test_company_merged_over_each_block(tmp_path):
    s = store()
    load(s, b.merged_company_blocks(tmp_path / "blocks.xlsx"))
    assert s.rows("SELECT row_no, company FROM hazards ORDER BY row_no") == [
        (3, LY), (4, LY), (5, LY), (6, HX), (7, HX)]
    assert figures(s, LY) == pytest.approx({"hazards_found": 3, "hazards_rectified": 1, "rectification_rate": 1 / 3,
                                            "on_time_rate": 0.5, "overdue_open": 1, "major_open": 1})
    assert figures(s, HX) == pytest.approx({"hazards_found": 2, "hazards_rectified": 2, "rectification_rate": 1.0,
                                            "on_time_rate": 1.0, "overdue_open": 0, "major_open": 0})
    assert compute(s, OCT)["group"]["rectification_rate"] == pytest.approx(3 / 5)


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_merged_company_ranges_in_xls_and_ods_apply_like_xlsx(tmp_path, suffix):
    """The same merged 单位 shapes as .xls (xlwt) and .ods (content.xml with number-rows-spanned): the calamine
    read gives the merged ranges, and every row lands under the right company with the .xlsx figures."""
    s = store()
    res = load(s, b.merged_company_down(tmp_path / f"down{suffix}"))
    assert res.ledgers == {"hazards": 4} and not res.errors
    assert s.rows("SELECT row_no, company FROM hazards ORDER BY row_no") == [(3, LY), (4, LY), (5, LY), (6, LY)]
    assert figures(s, LY) == pytest.approx({"hazards_found": 4, "hazards_rectified": 2, "rectification_rate": 0.5,
                                            "on_time_rate": 2 / 3, "overdue_open": 1, "major_open": 1})
    s = store()
    load(s, b.merged_company_blocks(tmp_path / f"blocks{suffix}"))
    assert s.rows("SELECT row_no, company FROM hazards ORDER BY row_no") == [
        (3, LY), (4, LY), (5, LY), (6, HX), (7, HX)]
    assert figures(s, HX) == pytest.approx({"hazards_found": 2, "hazards_rectified": 2, "rectification_rate": 1.0,
                                            "on_time_rate": 1.0, "overdue_open": 0, "major_open": 0})
    assert compute(s, OCT)["group"]["rectification_rate"] == pytest.approx(3 / 5)


def test_one_hazard_over_three_merged_rows_is_one_record(tmp_path):
    s = store()
    load(s, b.merged_record_rows(tmp_path / "rec.xlsx"))
    assert s.rows("SELECT row_no, description, measures, owner, deadline, status, rectified_date FROM hazards "
                  "ORDER BY row_no") == [
        (4, "安全阀未校验", "1.停用设备；2.更换安全阀；3.复验", "王五；李四", dt.date(2026, 11, 30), "未整改", None),
        (7, "灭火器失效", "更换", "赵六", dt.date(2026, 10, 20), "已整改", dt.date(2026, 10, 18))]
    assert figures(s, LY)["hazards_found"] == 2 and figures(s, LY)["major_open"] == 1


def test_errors_in_a_merged_range_quote_its_value_not_none(tmp_path):
    p = b.merged_company_down(tmp_path / "down.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["10月"]["B3"] = "陇原电力集团"               # the merged 单位 cell names an unknown company
    wb.save(p)
    res = ingest_file(store(), p, today=TODAY)
    assert res.status == "rejected"
    assert {(e.code, e.row, e.value) for e in res.errors} == {("unknown_company", r, "陇原电力集团") for r in (3, 4, 5, 6)}
    assert not any("None" in e.message or e.value == "None" for e in res.errors)


# ------------------------------------------------------------------ 2. the upload's company never overrides the file
def test_chosen_company_on_a_two_company_file_is_an_error_naming_both(tmp_path):
    for make in (b.two_company_column, b.merged_company_blocks):
        s = store()
        res = ingest_file(s, make(tmp_path / f"{make.__name__}.xlsx"), company="陇原电力", today=TODAY)
        assert res.status == "rejected"
        conflict = [e for e in res.errors if e.code == "company_conflict"]
        assert len(conflict) == 1 and LY in conflict[0].message and HX in conflict[0].message
        assert conflict[0].value == HX
        assert s.scalar("SELECT count(*) FROM hazards") == 0                 # nothing booked anywhere


def test_chosen_company_fills_in_only_where_the_file_names_none(tmp_path):
    s = store()
    load(s, b.no_company_anywhere(tmp_path / "none.xlsx"), company="陇原电力")
    assert s.rows("SELECT company, count(*) FROM hazards GROUP BY ALL") == [(LY, 2)]
    res = ingest_file(store(), b.no_company_anywhere(tmp_path / "none2.xlsx"), today=TODAY)
    assert [e.code for e in res.errors] == ["no_company"]
    s = store()                                      # the chosen company is the one the file names: fine
    load(s, b.merged_company_down(tmp_path / "down.xlsx"), company=LY)
    assert s.rows("SELECT company, count(*) FROM hazards GROUP BY ALL") == [(LY, 4)]


def test_a_chosen_company_against_the_filler_line_is_an_error(tmp_path):
    res = ingest_file(store(), b.stamped_filler(tmp_path / "f.xlsx"), company=LY, today=TODAY)
    assert [e.code for e in res.errors] == ["company_conflict"]
    assert f"“{HX}”" in res.errors[0].message and f"“{LY}”" in res.errors[0].message


# ------------------------------------------------------------------ 3. several companies in one workbook
def test_one_sheet_per_company_named_by_alias(tmp_path):
    s = store()
    load(s, b.sheets_per_company(tmp_path / "per.xlsx"))
    assert figures(s, HX)["hazards_found"] == 2 and figures(s, HX)["hazards_rectified"] == 1
    assert figures(s, WW)["hazards_found"] == 1 and figures(s, WW)["hazards_rectified"] == 0
    assert figures(s, LY)["hazards_found"] == 0


def test_filler_with_seal_and_date_in_one_merged_cell(tmp_path):
    s = store()
    load(s, b.stamped_filler(tmp_path / "f.xlsx"))
    assert s.rows("SELECT company, found_date FROM hazards") == [(HX, dt.date(2026, 10, 3))]


# ------------------------------------------------------------------ 4. dates as written
def test_dates_as_written(tmp_path):
    s = store()
    load(s, b.dates_as_written(tmp_path / "d.xlsx"))
    assert s.rows("SELECT found_date, deadline, rectified_date FROM hazards ORDER BY row_no") == [
        (dt.date(2026, 10, 5), dt.date(2026, 10, 15), dt.date(2026, 10, 8)),
        (dt.date(2026, 10, 18), dt.date(2026, 10, 25), None),
        (dt.date(2026, 10, 5), dt.date(2026, 10, 30), None),
        (dt.date(2026, 10, 20), dt.date(2026, 10, 30), None)]
    assert figures(s, LY) == pytest.approx({"hazards_found": 4, "hazards_rectified": 1, "rectification_rate": 0.25,
                                            "on_time_rate": 0.25, "overdue_open": 3, "major_open": 0})


@pytest.mark.parametrize("typed, code, quoted", [
    ("2026.10", "month_not_day", "“2026.10”是月份（2026年10月），不是具体日期"),
    ("13.40", "bad_date", "“13.40”"),
    ("2026.10.45", "bad_date", "“2026.10.45”"),
])
def test_a_bad_date_is_quoted_as_typed(tmp_path, typed, code, quoted):
    p = b.dates_as_written(tmp_path / "d.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["10月"]["B4"] = typed
    wb.save(p)
    res = ingest_file(store(), p, today=TODAY)
    assert [(e.code, e.row, e.value) for e in res.errors] == [(code, 4, typed)]
    assert quoted in res.errors[0].message


def test_accident_times_with_half_day_words():
    from analytics.ingest.normalise import Context, datetime_
    assert datetime_("2026-10-5 下午 2:30", Context()) == dt.datetime(2026, 10, 5, 14, 30)
    assert datetime_("2026年10月5日 14:30", Context()) == dt.datetime(2026, 10, 5, 14, 30)
    assert datetime_("2026-10-5 上午", Context()) == dt.datetime(2026, 10, 5)


# ------------------------------------------------------------------ 5. words as written
def test_status_words_by_rule_and_not_applicable_cells(tmp_path):
    s = store()
    res = load(s, b.words_as_written(tmp_path / "w.xlsx"))
    assert not res.errors
    assert s.rows("SELECT status_raw, status, rectified_date IS NOT NULL, funds, verifier FROM hazards "
                  "ORDER BY row_no") == [
        ("已整改完毕", "已整改", True, 0.1, "张三"), ("整改完毕", "已整改", True, 0.2, "张三"),
        ("已闭环", "已整改", True, 0.3, "李四"), ("验收合格", "已整改", True, None, "李四"),
        ("整改中（已落实临时措施）", "未整改", False, None, None), ("未整改", "未整改", False, None, None)]
    assert figures(s, LY)["hazards_found"] == 6 and figures(s, LY)["hazards_rectified"] == 4


def test_an_ambiguous_status_lists_what_is_accepted(tmp_path):
    p = b.words_as_written(tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["10月"]["F3"] = "已整改待验收"
    wb.save(p)
    res = ingest_file(store(), p, today=TODAY)
    assert [(e.code, e.row, e.value) for e in res.errors] == [("ambiguous_status", 3, "已整改待验收")]
    assert "“已整改待验收”" in res.errors[0].message and "已整改、已完成" in res.errors[0].message


# ------------------------------------------------------------------ 6. messages that point at the right thing
def test_rectified_without_date_is_reported_on_the_empty_date_cell(tmp_path):
    p = b.words_as_written(tmp_path / "w.xlsx")
    wb = openpyxl.load_workbook(p)
    wb["10月"]["G3"] = None
    wb.save(p)
    res = ingest_file(store(), p, today=TODAY)
    [e] = res.errors
    assert (e.code, e.row, e.column, e.value, e.cell) == ("rectified_without_date", 3, "整改完成日期", None, "G3")
    assert "“已整改完毕”" in e.message


def test_date_only_report_time_is_not_called_before_the_accident(tmp_path):
    s = store()
    res = load(s, b.date_only_report(tmp_path / "a.xlsx"))
    assert [(w.code, w.row) for w in res.warnings] == [("report_date_only", 2)]
    assert "无法判断" in res.warnings[0].message
    assert compute(s, OCT)["companies"][LY]["late_reports"] == 1             # D-02: next day, ≥ 14 h later


# ------------------------------------------------------------------ 7. a revision says what it changed
def test_revision_counts_and_field_diff_before_and_after_loading(tmp_path):
    s = store()
    load(s, b.hazard_revision(tmp_path / "v1.xlsx", changed=False))
    version = s.data_version()
    pre = ingest_file(s, b.hazard_revision(tmp_path / "v2.xlsx"), today=TODAY, dry_run=True)
    assert pre.status == "preview" and s.data_version() == version            # nothing written
    assert s.scalar("SELECT count(*) FROM batches") == 1
    d = pre.diffs["hazards"]
    assert (d.inserted, len(d.changed), d.unchanged) == (1, 2, 3)
    assert [(c.label, c.fields) for c in d.changed] == [
        ("R-02", [("整改状态", "未整改", "已整改"), ("整改完成日期", "", "2026-10-20")]),
        ("R-04", [("整改期限", "2026-10-25", "2026-11-05")])]
    assert "新增 1、修改 2、未变 3" in pre.message

    res = load(s, b.hazard_revision(tmp_path / "v2.xlsx"))
    assert "新增 1、修改 2、未变 3" in res.message
    assert s.rows("SELECT rows, inserted, updated, unchanged FROM batches ORDER BY id") == [(5, 5, 0, 0), (6, 1, 2, 3)]
    assert s.rows("SELECT label, field, old_value, new_value FROM batch_changes WHERE batch_id = ? ORDER BY rowid",
                  [res.batch_ids[0]]) == [("R-02", "整改状态", "未整改", "已整改"), ("R-02", "整改完成日期", "", "2026-10-20"),
                                          ("R-04", "整改期限", "2026-10-25", "2026-11-05")]
    assert figures(s, LY)["hazards_rectified"] == 2


def test_flow_ledger_resend_counts_unchanged_rows(tmp_path):
    s = store()
    p = b.golden_files(tmp_path)["training"]
    load(s, p)
    again = tmp_path / "again.xlsx"
    wb = openpyxl.load_workbook(p)
    wb.properties.title = "again"                    # a different file (hash) with the same rows
    wb.save(again)
    res = load(s, again)
    d = res.diffs["training"]
    assert (d.inserted, d.unchanged, d.replaced) == (0, 4, 0)
