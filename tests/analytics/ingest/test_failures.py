"""One small bad file per failure mode (DOMAIN.md §2): the exact reason code, row and column, and
nothing loaded — the batches and every ledger table are exactly as before the upload."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics.ingest.pipeline import ingest_bytes, ingest_file
from analytics.ledgers import LEDGERS
from tests.builders import (HAZARD_HEADER, bad_hazard, bad_target_indicators, error_cell_hazard, golden_hazard_rows,
                            hx_hazard_rows, new_store, no_ledger_book, training_passed_over_attended, xlsx)

TODAY = dt.date(2026, 11, 5)


def snapshot(s) -> dict:
    out = {"batches": s.rows("SELECT id, sha256, status FROM batches ORDER BY id"),
           "coverage": s.rows("SELECT * FROM batch_coverage ORDER BY ALL")}
    for t in LEDGERS:
        out[t] = s.rows(f"SELECT * EXCLUDE (batch_id) FROM {t} ORDER BY ALL")
        out[t + "_versions"] = s.scalar(f"SELECT count(*) FROM {t}_versions")
    return out


@pytest.fixture
def store(tmp_path):
    s = new_store()
    assert ingest_file(s, xlsx(tmp_path / "hx.xlsx", {"隐患": hx_hazard_rows()}), today=TODAY).status == "loaded"
    return s


def rejected(store, path, **kw):
    before = snapshot(store)
    res = ingest_file(store, path, today=TODAY, **kw)
    assert not res.accepted and res.batch_ids == []
    assert snapshot(store) == before                   # nothing loaded, nothing changed
    return res


def only(res):
    assert len(res.errors) == 1, [e.line() for e in res.errors]
    e = res.errors[0]
    return e.code, e.sheet, e.row, e.column, e.col


def test_missing_required_column(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", None, None, drop_col=10))      # 整改期限
    assert only(res) == ("missing_column", "10月", 3, "整改期限", None)
    assert "整改时限" in res.errors[0].message                                      # the synonyms are listed


def test_missing_required_value(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", 5, None))                     # 隐患描述 of LY-01
    assert only(res) == ("missing_value", "10月", 4, "隐患描述", 5)


def test_bad_date_text(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", 2, "2026年13月5日"))
    assert only(res) == ("bad_date", "10月", 4, "发现日期", 2)
    assert res.errors[0].value == "2026年13月5日"


def test_bad_level(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", 7, "特大"))
    assert only(res) == ("bad_vocab", "10月", 4, "隐患等级", 7)
    assert "一般、重大" in res.errors[0].message


def test_rectified_without_date(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", 11, "已整改", row=6))          # LY-04 has no date
    assert only(res) == ("rectified_without_date", "10月", 7, "整改完成日期", 12)


def test_date_with_open_status(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", 11, "整改中"))                 # LY-01 has 10-08
    assert only(res) == ("date_with_open_status", "10月", 4, "整改状态", 11)


def test_error_cell_names_the_cell(store, tmp_path):
    res = rejected(store, error_cell_hazard(tmp_path / "b.xlsx"))
    assert only(res) == ("error_cell", "10月", 5, "整改期限", 10)
    assert res.errors[0].cell == "K5" and "K5" in res.errors[0].message and "#REF!" in res.errors[0].message


def test_unknown_company_suggests_the_closest_names(store, tmp_path):
    rows = golden_hazard_rows()
    rows[0] = ["陇原电力集团有限公司2026年10月隐患排查治理台账"]
    rows[1] = ["填报单位：陇原电力集团有限公司"]
    res = rejected(store, xlsx(tmp_path / "b.xlsx", {"10月": rows}))
    assert only(res) == ("unknown_company", "10月", 2, "填报单位", 0)
    e = res.errors[0]
    assert e.value == "陇原电力集团有限公司"
    assert e.message.startswith("单位“陇原电力集团有限公司”未登记，是否为：陇原电力有限公司")
    assert "单位管理" in e.message


def test_unknown_company_in_a_company_column_is_reported_per_row(store, tmp_path):
    rows = [["单位名称"] + HAZARD_HEADER] + [["新疆某某公司"] + list(r) for r in golden_hazard_rows()[3:5]]
    res = rejected(store, xlsx(tmp_path / "b.xlsx", {"隐患": rows}))
    assert [(e.code, e.row, e.col, e.value) for e in res.errors] == [("unknown_company", 2, 0, "新疆某某公司"),
                                                                     ("unknown_company", 3, 0, "新疆某某公司")]
    assert "未登记。如确为新单位" in res.errors[0].message                       # no close name: no suggestion


def test_unknown_company_chosen_on_upload(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", None, None), company="陇原电力集团")
    assert only(res)[0] == "unknown_company" and "陇原电力有限公司" in res.errors[0].message


def test_no_company_at_all(store, tmp_path):
    res = rejected(store, xlsx(tmp_path / "b.xlsx", {"10月": [HAZARD_HEADER, *golden_hazard_rows()[3:6]]}))
    assert only(res) == ("no_company", "10月", 1, "填报单位", None)


def test_duplicate_hazard_number_in_one_sheet(store, tmp_path):
    res = rejected(store, bad_hazard(tmp_path / "b.xlsx", 1, "LY-01", row=4))
    assert only(res) == ("duplicate_key", "10月", 5, "隐患编号", 1)
    assert "第4行" in res.errors[0].message


def test_passed_over_attended(store, tmp_path):
    res = rejected(store, training_passed_over_attended(tmp_path / "b.xlsx"))
    assert only(res) == ("passed_over_attended", "10月", 4, "考核合格人数", 6)


def test_bad_target_words(store, tmp_path):
    res = rejected(store, bad_target_indicators(tmp_path / "b.xlsx"))
    assert only(res) == ("bad_target", "指标", 4, "控制目标", 4)


def test_a_file_with_no_ledger(store, tmp_path):
    res = rejected(store, no_ledger_book(tmp_path / "纪要.xlsx"))
    assert res.status == "no_ledger" and [e.code for e in res.errors] == ["no_ledger"]


@pytest.mark.parametrize("data, name", [(b"\x00\x01\x02 garbage \xff" * 20, "台账.xlsx"), (b"PK\x03\x04broken", "台账.xlsx"),
                                        (b"", "台账.xlsx"), (b"hello", "台账.docx")])
def test_an_unreadable_file(store, data, name):
    before = snapshot(store)
    res = ingest_bytes(store, data, name, today=TODAY)
    assert res.status == "rejected" and [e.code for e in res.errors] == ["unreadable"]
    assert res.errors[0].message.startswith("文件无法读取：")
    assert snapshot(store) == before


def test_every_error_of_a_file_is_reported_at_once(store, tmp_path):
    rows = [list(r) for r in golden_hazard_rows()]
    rows[3][2], rows[4][7], rows[5][11] = "昨天", "特大", "已完成"       # LY-03 已完成 without a date
    res = rejected(store, xlsx(tmp_path / "b.xlsx", {"10月": rows}))
    assert [(e.code, e.row, e.column) for e in res.errors] == [
        ("bad_date", 4, "发现日期"), ("bad_vocab", 5, "隐患等级"), ("rectified_without_date", 6, "整改完成日期")]


def test_a_blank_template_is_refused_with_a_reason(store):
    from analytics.documents.templates import template_bytes
    before = snapshot(store)
    res = ingest_bytes(store, template_bytes("hazards"), "空模板.xlsx", today=TODAY)
    assert res.status == "rejected" and [e.code for e in res.errors] == ["empty_ledger"]
    assert snapshot(store) == before
