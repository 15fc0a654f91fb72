"""Issue 2's whole path on the golden hazard ledger: messy Excel → DuckDB → §3 metrics → CLI.

Expected figures are hand-computed from tests/builders.golden_hazard_rows() for the window
[2026-10-01, 2026-10-31], status as of 2026-10-31:
  found in window: LY-01..04, LY-06 = 5 (LY-05 is September, LY-07 November)
  rectified by as_of: LY-01 (10-08), LY-02 (10-20) = 2 → rate 0.4
  due by as_of (deadline ≤ 10-31): LY-01, LY-02, LY-04 = 3; on time: LY-01 only → 1/3
  overdue open at 10-31: LY-04 (deadline 10-25), LY-05 (09-30) = 2
  major: LY-03 found 10-12, open → found 1, open 1, rate 0.0
  days to rectify: LY-01 6, LY-02 15 → 10.5
"""
from __future__ import annotations

import datetime as dt
import json

import pytest

from analytics.cli import main
from analytics.store.history import batches
from analytics.ingest.pipeline import ingest_file
from analytics.ingest.load import revert_batch
from analytics.figures.metrics import Window, compute, series
from tests.dbs import GOLDEN_TODAY, golden_file, golden_store, registry_store

OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
EXPECTED = {"hazards_found": 5, "hazards_rectified": 2, "rectification_rate": 0.4, "on_time_rate": 1 / 3,
            "overdue_open": 2, "major_found": 1, "major_open": 1, "major_rectification_rate": 0.0,
            "avg_days_to_rectify": 10.5}


def test_golden_metrics(tmp_path, db):
    s = golden_store(tmp_path, db)
    got = compute(s, OCT)
    for k, v in EXPECTED.items():
        assert got["companies"]["陇原电力有限公司"][k] == pytest.approx(v), k
        assert got["group"][k] == pytest.approx(v), k
    empty = got["companies"]["河西新能源有限公司"]
    assert empty["hazards_found"] == 0 and empty["rectification_rate"] is None and empty["on_time_rate"] is None


def test_title_lines_total_and_signature_rows_are_skipped(tmp_path):
    s = golden_store(tmp_path)
    rows = s.df("SELECT hazard_no, row_no, company, found_date, level, status FROM hazards ORDER BY row_no")
    assert rows["hazard_no"].tolist() == ["LY-01", "LY-02", "LY-03", "LY-04", "LY-05", "LY-06", "LY-07"]
    assert rows["row_no"].tolist() == [4, 5, 6, 7, 9, 10, 11]            # Excel row numbers; row 8 is blank
    assert set(rows["company"]) == {"陇原电力有限公司"}                    # from the 填报单位 line
    assert rows["found_date"].dt.date.tolist()[:4] == [dt.date(2026, 10, 2), dt.date(2026, 10, 5),
                                                       dt.date(2026, 10, 12), dt.date(2026, 10, 20)]
    assert rows["level"].tolist() == ["一般", "一般", "重大", "一般", "一般", "一般", "一般"]
    assert rows["status"].tolist() == ["已整改", "已整改", "未整改", "未整改", "未整改", "未整改", "未整改"]


def test_same_file_twice_is_a_noop_that_says_so(tmp_path):
    s = golden_store(tmp_path)
    same = next(tmp_path.glob("*.xlsx"))            # the very file golden_store loaded (a re-save changes its bytes)
    again = ingest_file(s, same, today=GOLDEN_TODAY)
    assert again.status == "duplicate" and "未作任何改动" in again.message
    assert len(batches(s)) == 1 and s.scalar("SELECT count(*) FROM hazards_versions") == 7


def test_newest_upload_of_a_key_wins_and_revert_brings_back_the_old(tmp_path, db):
    from tests.builders import xlsx, HAZARD_HEADER
    s = golden_store(tmp_path, db)
    fix = xlsx(tmp_path / "fix.xlsx", {"隐患": [
        ["填报单位：陇原电力"], HAZARD_HEADER,
        [1, "LY-04", dt.date(2026, 10, 20), "公司自查", "升压站", "接地线锈蚀", "用电安全", "一般", "更换", "赵六",
         dt.date(2026, 10, 25), "已整改", dt.date(2026, 10, 24), None]]})
    res = ingest_file(s, fix, today=GOLDEN_TODAY)
    assert res.status == "loaded"
    b = batches(s).iloc[-1]
    assert (b["rows"], b["inserted"], b["updated"]) == (1, 0, 1)
    after = compute(s, OCT)["group"]
    assert (after["hazards_rectified"], after["overdue_open"]) == (3, 1)
    assert s.scalar("SELECT count(*) FROM hazards") == 7                  # keys not in the upload stay
    revert_batch(s, int(b["id"]))
    assert compute(s, OCT)["group"] == compute(golden_store(tmp_path / "again"), OCT)["group"]


def test_monthly_series_shows_empty_months_as_zero(tmp_path):
    s = golden_store(tmp_path)
    df = series(s, "hazards_found", Window.of(dt.date(2026, 8, 1), dt.date(2026, 11, 30)))
    ly = df[df["group"] == "陇原电力有限公司"].set_index(df[df["group"] == "陇原电力有限公司"]["period"].dt.month)
    assert ly["value"].to_dict() == {8: 0, 9: 1, 10: 5, 11: 1}
    hx = df[df["group"] == "河西新能源有限公司"]
    assert hx["value"].tolist() == [0, 0, 0, 0]
    lv = series(s, "hazards_found", Window.of(dt.date(2026, 8, 1), dt.date(2026, 11, 30)), by="level")
    assert sorted(set(lv["group"])) == ["一般", "重大"] and len(lv) == 8
    assert lv[(lv["group"] == "重大")]["value"].tolist() == [0, 0, 1, 0]


def test_cli_path_with_exit_codes(tmp_path, capsys, db):
    assert main(["--db", db, "companies", "add", "陇原电力有限公司", "--alias", "陇原电力"]) == 0
    assert main(["--db", db, "companies", "add", "河西新能源有限公司"]) == 0
    f = golden_file(tmp_path)
    assert main(["--db", db, "ingest", str(f)]) == 0
    assert main(["--db", db, "ingest", str(f)]) == 0                    # already loaded: accepted, changes nothing
    assert "未作任何改动" in capsys.readouterr().out
    assert main(["--db", db, "metrics", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["from"], doc["to"], doc["as_of"]) == ("2026-10-01", "2026-10-31", "2026-10-31")
    assert set(doc["companies"]) == {"陇原电力有限公司", "河西新能源有限公司"}
    for k, v in EXPECTED.items():
        assert doc["group"][k] == pytest.approx(v)
    assert doc["companies"]["河西新能源有限公司"]["hazards_found"] == 0
    assert doc["companies"]["河西新能源有限公司"]["rectification_rate"] is None
    assert main(["--db", db, "batches", "--format", "json"]) == 0
    bl = json.loads(capsys.readouterr().out)
    assert len(bl) == 1 and {"id", "file", "sha256", "ledger", "company", "status", "rows"} <= set(bl[0])
    assert (bl[0]["ledger"], bl[0]["company"], bl[0]["status"], bl[0]["rows"]) == ("hazards", "陇原电力有限公司", "loaded", 7)
    assert main(["--db", db, "revert", str(bl[0]["id"])]) == 0
    assert main(["--db", db, "revert", str(bl[0]["id"])]) == 1          # already reverted: a message, no traceback
    err = capsys.readouterr().err
    assert "已于此前撤销" in err and "Traceback" not in err
    assert main(["--db", db, "ingest", "--period", "2026-13", str(f)]) == 2
    assert main(["--db", db, "metrics", "--from", "2026-13-01"]) == 2
    assert main(["--db", db, "ingest", str(tmp_path / "missing.xlsx")]) == 1


def test_cli_rejected_file_prints_each_error_on_its_own_line(tmp_path, capsys):
    from tests.builders import xlsx, HAZARD_HEADER
    db = str(tmp_path / "cli.duckdb")
    main(["--db", db, "companies", "add", "陇原电力有限公司"])
    bad = xlsx(tmp_path / "bad.xlsx", {"隐患": [
        ["填报单位：陇原电力有限公司"], HAZARD_HEADER,
        [1, "A1", "2026-13-45", "自查", "x", "问题一", "其他", "特大", "m", "o", dt.date(2026, 10, 9), "未整改", None, None],
        [2, "A2", dt.date(2026, 10, 3), "自查", "x", "问题二", "其他", "一般", "m", "o", dt.date(2026, 10, 9), "已整改", None,
         None]]})
    assert main(["--db", db, "ingest", str(bad)]) == 1
    lines = [l for l in capsys.readouterr().out.splitlines() if "\t" in l]
    assert len(lines) == 3
    assert lines[0].split("\t")[:5] == ["bad.xlsx", "隐患", "第3行", "发现日期", "'2026-13-45'"]
    assert lines[1].split("\t")[:5] == ["bad.xlsx", "隐患", "第3行", "隐患等级", "'特大'"]
    assert lines[2].split("\t")[:4] == ["bad.xlsx", "隐患", "第4行", "整改完成日期"]
    s = registry_store(db) if False else None
    assert main(["--db", db, "batches", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_metrics_on_an_empty_registry_are_zeros_and_nulls():
    from analytics.store.db import Store
    got = compute(Store(":memory:"), OCT)
    assert got["companies"] == {}
    assert got["group"]["hazards_found"] == 0 and got["group"]["rectification_rate"] is None
