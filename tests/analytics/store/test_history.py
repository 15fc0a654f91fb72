"""Upload history: every batch with who/when/file/hash/ledger/company/period/rows/warnings; revert
brings back exactly what was there before (entity and flow ledgers); 报送情况 per company and month."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from analytics.store.history import batch_issues, batches, submission_matrix, submissions
from analytics.ingest.pipeline import ingest_file
from analytics.ingest.load import RevertError, revert_batch
from tests.builders import (HAZARD_HEADER, HX, LY, TRAINING_HEADER, golden_hazard_rows, golden_training_sheets,
                            hx_hazard_rows, new_store, xlsx)

TODAY = dt.date(2026, 11, 5)
D = dt.date


def table(s, t: str) -> list[tuple]:
    return s.rows(f"SELECT * FROM {t} ORDER BY ALL")


def load(s, path, **kw):
    res = ingest_file(s, path, today=TODAY, **kw)
    assert res.status == "loaded", [e.line() for e in res.errors]
    return res


def test_each_batch_records_who_when_file_hash_ledger_company_period_rows_and_warnings(tmp_path):
    s = new_store()
    p = xlsx(tmp_path / "陇原10月.xlsx", {"10月": golden_hazard_rows()})
    before = dt.datetime.now().replace(microsecond=0)
    res = load(s, p, uploaded_by="安全部 张三")
    b = batches(s).iloc[0]
    assert b["id"] == res.batch_ids[0]
    assert (b["file"], b["sha256"], b["ledger"], b["ledger_label"], b["company"], b["status"]) == (
        "陇原10月.xlsx", hashlib.sha256(p.read_bytes()).hexdigest(), "hazards", "隐患排查治理台账", LY, "loaded")
    assert (b["rows"], b["inserted"], b["updated"], b["warnings"]) == (7, 7, 0, 1)
    assert (b["period_start"], b["period_end"], b["uploaded_by"]) == ("2026-10", "2026-10", "安全部 张三")
    assert before <= b["uploaded_at"].to_pydatetime() <= dt.datetime.now()
    iss = batch_issues(s, int(b["id"]))
    assert iss[["level", "sheet", "row_no", "column_name", "value"]].values.tolist() == [["警告", "10月", 6, "隐患等级", "重大"]]


def test_revert_of_an_entity_batch_restores_exactly_the_state_before(tmp_path, db):
    s = new_store(db)
    load(s, xlsx(tmp_path / "a.xlsx", {"10月": golden_hazard_rows()}))
    after_a = table(s, "hazards")
    b_rows = [["填报单位：陇原电力"], HAZARD_HEADER,
              [1, "LY-04", D(2026, 10, 20), "公司自查", "升压站", "接地线锈蚀", "用电安全", "一般", "更换", "赵六",
               D(2026, 10, 25), "已整改", D(2026, 10, 24), None],
              [2, "LY-06", D(2026, 10, 28), "专项检查", "油库", "防雷检测过期", "消防安全", "重大隐患", "委托检测", "周八",
               D(2026, 11, 10), "整改中", None, "升级为重大"],
              [3, "LY-08", D(2026, 10, 30), "公司自查", "车间", "护栏缺失", "高处作业", "一般", "加装", "郑十",
               D(2026, 11, 15), "未整改", None, None]]
    res = load(s, xlsx(tmp_path / "b.xlsx", {"更正": b_rows}))
    b = batches(s).iloc[-1]
    assert (b["rows"], b["inserted"], b["updated"]) == (3, 1, 2)
    now = dict(s.rows("SELECT hazard_no, status FROM hazards"))
    assert (len(now), now["LY-04"], now["LY-08"]) == (8, "已整改", "未整改")
    assert s.scalar("SELECT level FROM hazards WHERE hazard_no = 'LY-06'") == "重大"
    revert_batch(s, res.batch_ids[0], by="李四")
    assert table(s, "hazards") == after_a
    r = batches(s).iloc[-1]
    assert (r["status"], r["reverted_by"]) == ("reverted", "李四") and r["reverted_at"] is not None
    with pytest.raises(RevertError, match="已于此前撤销"):
        revert_batch(s, res.batch_ids[0])
    with pytest.raises(RevertError, match="不存在"):
        revert_batch(s, 999)


def test_revert_of_a_middle_batch_keeps_the_newer_upload(tmp_path, db):
    s = new_store(db)
    rows = lambda status, done: [["填报单位：陇原电力"], HAZARD_HEADER,  # noqa: E731
                                 [1, "K-1", D(2026, 10, 1), None, "x", "问题", None, "一般", None, None,
                                  D(2026, 10, 9), status, done, None]]
    a = load(s, xlsx(tmp_path / "a.xlsx", {"h": rows("未整改", None)})).batch_ids[0]
    b = load(s, xlsx(tmp_path / "b.xlsx", {"h": rows("整改中", None)})).batch_ids[0]
    load(s, xlsx(tmp_path / "c.xlsx", {"h": rows("已整改", D(2026, 10, 5))}))
    revert_batch(s, b)
    assert s.rows("SELECT status_raw FROM hazards") == [("已整改",)]
    revert_batch(s, a)
    assert s.rows("SELECT status_raw FROM hazards") == [("已整改",)]


def test_flow_ledger_replaces_the_months_covered_and_revert_restores_them(tmp_path, db):
    s = new_store(db)
    load(s, xlsx(tmp_path / "a.xlsx", golden_training_sheets()))                 # 9月, 10月, 11月 (empty)
    after_a = table(s, "training")
    hx = load(s, xlsx(tmp_path / "hx.xlsx", {"10月": [["河西新能源有限公司2026年培训台账"], TRAINING_HEADER,
                                                        [1, D(2026, 10, 3), "安全例会", "全员培训", 8, 8, 8, 1]]}))
    ly_b = xlsx(tmp_path / "b.xlsx", {"10月": [["陇原电力有限公司2026年10月安全教育培训台账"], TRAINING_HEADER,
                                              [1, D(2026, 10, 9), "补录：消防培训", "全员培训", 30, 30, 30, 4]]})
    res = load(s, ly_b)
    b = batches(s).iloc[-1]
    assert (b["rows"], b["updated"], b["period_start"], b["period_end"]) == (1, 3, "2026-10", "2026-10")
    got = s.rows("SELECT company, date, attended FROM training ORDER BY company, date")
    assert got == [(HX, D(2026, 10, 3), 8), (LY, D(2026, 9, 10), 18), (LY, D(2026, 10, 9), 30)]
    revert_batch(s, res.batch_ids[0])
    assert [r for r in table(s, "training") if r[4] == LY] == [r for r in after_a]
    revert_batch(s, hx.batch_ids[0])
    assert table(s, "training") == after_a


def test_an_empty_month_sheet_clears_that_month(tmp_path, db):
    s = new_store(db)
    load(s, xlsx(tmp_path / "a.xlsx", golden_training_sheets()))
    res = load(s, xlsx(tmp_path / "b.xlsx", {"10月": [["陇原电力有限公司2026年安全教育培训台账"], TRAINING_HEADER]}))
    assert res.ledgers == {"training": 0}
    assert s.rows("SELECT date FROM training") == [(D(2026, 9, 10),)]
    revert_batch(s, res.batch_ids[0])
    assert s.scalar("SELECT count(*) FROM training") == 4


def test_the_same_file_after_a_revert_loads_again(tmp_path, db):
    s = new_store(db)
    p = xlsx(tmp_path / "a.xlsx", {"10月": golden_hazard_rows()})
    first = load(s, p)
    assert ingest_file(s, p, today=TODAY).status == "duplicate"
    revert_batch(s, first.batch_ids[0])
    assert s.scalar("SELECT count(*) FROM hazards") == 0
    assert load(s, p).batch_ids != first.batch_ids and s.scalar("SELECT count(*) FROM hazards") == 7


def test_submissions_mark_which_ledgers_arrived_per_company_and_month(tmp_path):
    s = new_store()
    load(s, xlsx(tmp_path / "h.xlsx", {"10月": golden_hazard_rows()}))
    t = load(s, xlsx(tmp_path / "t.xlsx", golden_training_sheets()))
    load(s, xlsx(tmp_path / "hx.xlsx", {"隐患": hx_hazard_rows()}))
    sub = submissions(s, D(2026, 9, 1), D(2026, 11, 30))
    assert len(sub) == 2 * 3 * 5                                   # every company × month × ledger
    arrived = {(r["company"], r["month"].strftime("%Y-%m"), r["ledger"]) for r in sub.to_dict("records")
               if r["batches"] > 0}
    assert arrived == {(LY, "2026-10", "hazards"), (HX, "2026-10", "hazards"),
                       (LY, "2026-09", "training"), (LY, "2026-10", "training"), (LY, "2026-11", "training")}
    m = submission_matrix(s, D(2026, 9, 1), D(2026, 11, 30)).set_index("单位")
    assert m.loc[LY].tolist() == ["培训", "隐患、培训", "培训"] and m.loc[HX].tolist() == ["未报送", "隐患", "未报送"]
    revert_batch(s, t.batch_ids[0])
    sub = submissions(s, D(2026, 9, 1), D(2026, 11, 30))
    assert sub[sub["ledger"] == "training"]["batches"].sum() == 0


def test_the_batches_of_one_file_are_written_in_one_transaction(tmp_path, monkeypatch):
    from analytics.ingest import load as load_mod
    from tests.builders import multi_ledger_book
    s = new_store()
    real, calls = load_mod._write, []

    def flaky(cur, b):
        calls.append(b.ledger)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(cur, b)

    monkeypatch.setattr(load_mod, "_write", flaky)
    with pytest.raises(RuntimeError):
        ingest_file(s, multi_ledger_book(tmp_path / "m.xlsx"), today=TODAY)
    assert calls == ["hazards", "training", "investment"]
    assert s.scalar("SELECT count(*) FROM batches") == 0
    assert s.scalar("SELECT count(*) FROM hazards") == 0 and s.scalar("SELECT count(*) FROM training") == 0
