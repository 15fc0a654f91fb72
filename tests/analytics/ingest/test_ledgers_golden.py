"""Golden figures for every ledger (issue 3). The expected numbers are hand-computed from the
fixtures in tests/builders.py; each fixture's docstring shows the arithmetic."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics.figures.indicators import MET, NO_DATA, NOT_MET, evaluate
from analytics.ingest.pipeline import ingest_file
from analytics.figures.metrics import Window, compute
from tests.builders import HX, LY, golden_files, multi_ledger_book, new_store

TODAY = dt.date(2026, 11, 5)
OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture
def loaded(tmp_path, db):
    s = new_store(db)
    for name, p in golden_files(tmp_path).items():
        res = ingest_file(s, p, today=TODAY, uploaded_by="测试")
        assert res.status == "loaded" and not res.errors, (name, [e.line() for e in res.errors])
    return s


def test_accident_figures_levels_and_late_reports(loaded):
    got = compute(loaded, OCT)
    g, ly, hx = got["group"], got["companies"][LY], got["companies"][HX]
    assert (g["accidents"], g["deaths"], g["serious_injuries"], g["late_reports"]) == (4, 3, 1, 1)
    assert g["direct_loss"] == pytest.approx(438.3)
    assert g["four_no_closure_rate"] == pytest.approx(0.75)          # 3 of 4 rows, not mean(2/3, 1)
    assert ly["four_no_closure_rate"] == pytest.approx(2 / 3) and hx["four_no_closure_rate"] == 1.0
    assert (ly["accidents"], ly["deaths"], ly["direct_loss"]) == (3, 3, pytest.approx(433.3))
    levels = dict(loaded.rows("SELECT accident_no, level FROM accidents"))
    assert levels == {"SG-01": "一般", "SG-02": "较大", "SG-03": "一般", "SG-04": "一般", "HX-01": "一般"}
    assert loaded.scalar("SELECT type FROM accidents WHERE accident_no = 'HX-01'") == "其它伤害"   # 其他 = 其它
    sep = compute(loaded, Window.of(dt.date(2026, 9, 1), dt.date(2026, 9, 30)))["group"]
    assert (sep["accidents"], sep["deaths"], sep["late_reports"], sep["four_no_closure_rate"]) == (1, 1, 1, 0.0)


def test_training_figures_from_month_sheets(loaded):
    g = compute(loaded, OCT)["group"]
    assert g["training_completion"] == pytest.approx(41 / 45)
    assert g["training_pass_rate"] == pytest.approx(38 / 41)
    sep_oct = compute(loaded, Window.of(dt.date(2026, 9, 1), dt.date(2026, 10, 31)))["group"]
    assert sep_oct["training_completion"] == pytest.approx(59 / 65)
    assert compute(loaded, OCT)["companies"][HX]["training_completion"] is None


def test_investment_figures_months_written_four_ways(loaded):
    g = compute(loaded, OCT)["group"]
    assert g["investment_completion"] == pytest.approx(20.5 / 27)
    assert compute(loaded, Window.of(dt.date(2026, 9, 1), dt.date(2026, 10, 31)))["group"][
        "investment_completion"] == pytest.approx(28.5 / 37)
    months = [r[0] for r in loaded.rows("SELECT month FROM investment ORDER BY row_no")]
    assert months == [dt.date(2026, 9, 1)] + [dt.date(2026, 10, 1)] * 3


def test_hazard_group_rate_is_over_rows_not_a_mean_of_company_rates(loaded):
    got = compute(loaded, OCT)
    assert got["companies"][LY]["rectification_rate"] == pytest.approx(0.4)
    assert got["companies"][HX]["rectification_rate"] == 1.0
    assert got["group"]["rectification_rate"] == pytest.approx(3 / 6)
    assert got["group"]["on_time_rate"] == pytest.approx(2 / 4)
    assert got["group"]["avg_days_to_rectify"] == pytest.approx((6 + 15 + 3) / 3)


def test_indicators_derived_reported_and_status(loaded):
    ev = evaluate(loaded, 2026, dt.date(2026, 10, 31))
    by = {(r["company"], r["indicator"]): r for r in ev.to_dict("records")}
    expect = {
        (LY, "生产安全事故死亡人数"): (4.0, "台账", NOT_MET, True),
        (LY, "隐患整改率"): (2 / 6, "台账", NOT_MET, False),
        (LY, "培训合格率"): (56 / 59, "台账", MET, False),
        (LY, "安全投入完成率"): (28.5 / 37, "台账", NOT_MET, False),
        (LY, "应急演练次数"): (5.0, "填报", MET, False),
        (LY, "安全检查次数"): (None, None, NO_DATA, False),
        (HX, "事故起数"): (1.0, "台账", MET, False),
        (HX, "重伤人数"): (0.0, "台账", MET, False),
        (HX, "培训完成率"): (0.96, "填报", MET, False),
    }
    assert set(by) == set(expect)
    for key, (actual, source, status, breach) in expect.items():
        r = by[key]
        assert (r["status"], bool(r["breach"])) == (status, breach), key
        assert (r["source"] if isinstance(r["source"], str) else None) == source, key
        if actual is None:
            assert r["actual"] is None or r["actual"] != r["actual"], key
        else:
            assert r["actual"] == pytest.approx(actual), key
    t = by[(LY, "隐患整改率")]
    assert (t["comparator"], t["target_value"], bool(t["is_percent"])) == (">=", 0.95, True)
    assert by[(LY, "生产安全事故死亡人数")]["target"] == "杜绝死亡事故"          # the words are kept
    assert by[(LY, "安全检查次数")]["comparator"] == ">=" and by[(LY, "安全检查次数")]["target_value"] == 12


def test_indicator_derived_and_reported_that_differ_are_flagged(tmp_path):
    from tests.builders import golden_accident_rows, xlsx
    s = new_store()
    ingest_file(s, xlsx(tmp_path / "a.xlsx", {"事故": golden_accident_rows()}), today=TODAY)
    ingest_file(s, xlsx(tmp_path / "i.xlsx", {"指标": [
        ["序号", "单位", "年度", "指标名称", "控制目标", "完成值"],
        [1, "陇原电力", 2026, "事故起数", "不超过2起", 1]]}), today=TODAY)
    r = evaluate(s, 2026, dt.date(2026, 10, 31)).iloc[0]
    assert (r["derived"], r["reported"], r["actual"], r["source"], r["status"]) == (4.0, 1.0, 4.0, "台账", NOT_MET)
    assert bool(r["differs"]) and bool(r["breach"])


def test_one_workbook_with_four_ledgers_gives_four_batches(tmp_path):
    s = new_store()
    res = ingest_file(s, multi_ledger_book(tmp_path / "合订本.xlsx"), today=TODAY)
    assert res.status == "loaded", [e.line() for e in res.errors]
    assert res.ledgers == {"hazards": 7, "training": 1, "investment": 4, "accidents": 5}
    assert len(res.batch_ids) == 4
    ledgers = [r[0] for r in s.rows("SELECT ledger FROM batches ORDER BY id")]
    assert ledgers == ["hazards", "training", "investment", "accidents"]
    assert len({r[0] for r in s.rows("SELECT sha256 FROM batches")}) == 1
    assert res.notes == []                      # 填表说明 is skipped without a note


def test_a_bad_sheet_rejects_the_whole_multi_ledger_file(tmp_path):
    from tests.builders import TRAINING_HEADER, golden_hazard_rows, xlsx
    s = new_store()
    p = xlsx(tmp_path / "m.xlsx", {"隐患": golden_hazard_rows(),
                                   "培训": [["填报单位：陇原电力"], TRAINING_HEADER,
                                          [1, "2026-10-40", "消防", "全员培训", 3, 3, 3, 1]]})
    res = ingest_file(s, p, today=TODAY)
    assert res.status == "rejected" and [e.code for e in res.errors] == ["bad_date"]
    assert s.scalar("SELECT count(*) FROM batches") == 0 and s.scalar("SELECT count(*) FROM hazards") == 0
