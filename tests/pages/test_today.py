"""Issue 8 point 8: the pages judge stock figures as of today (injectable), the demo keeps its own day, and
each company shows up to which day its ledgers have arrived."""
from __future__ import annotations

import datetime as dt

from analytics.demo import DEMO_END
from analytics.figures.metrics import Window, compute
from analytics.ingest.pipeline import ingest_file
from tests import builders as b
from tests.dbs import golden_store
from ui import state


def test_today_is_injectable_and_beats_the_last_data_day(tmp_path, monkeypatch):
    s = golden_store(tmp_path)                       # data up to 2026-11-02
    monkeypatch.setenv("SAFETY_TODAY", "2026-12-01")
    assert state.reference_date(s) == dt.date(2026, 12, 1)
    monkeypatch.delenv("SAFETY_TODAY")
    assert state.today(s) == dt.date.today()


def test_a_major_hazard_due_after_the_last_upload_is_overdue_as_of_today(tmp_path):
    # The meeting: ledgers up to 2026-10-30, a major hazard due 2026-11-12, meeting on 2026-12-01.
    s = b.new_store()
    p = b.xlsx(tmp_path / "m.xlsx", {"10月": [["填报单位：陇原电力有限公司"], b.HAZARD_HEADER,
        [1, "M-1", b.D(2026, 10, 30), "公司自查", "锅炉房", "安全阀未校验", "特种设备", "重大", "校验", "王五",
         b.D(2026, 11, 12), "未整改", None, None]]})
    assert ingest_file(s, p, today=dt.date(2026, 10, 31)).status == "loaded"
    ytd = Window.of(dt.date(2026, 1, 1), dt.date(2026, 12, 1))
    got = compute(s, ytd)["companies"][b.LY]
    assert (got["overdue_open"], got["major_open"]) == (1, 1)
    old = compute(s, Window.of(dt.date(2026, 1, 1), dt.date(2026, 10, 30)))["companies"][b.LY]
    assert old["overdue_open"] == 0                                        # what the last-data-day rule showed


def test_demo_keeps_its_day(tmp_path, monkeypatch):
    from analytics.demo_load import DEMO_USER
    s = golden_store(tmp_path)
    monkeypatch.delenv("SAFETY_TODAY", raising=False)
    s.rows("UPDATE batches SET uploaded_by = ?", [DEMO_USER])
    assert state.today(s) == DEMO_END


def test_last_arrival_per_company(tmp_path):
    s = golden_store(tmp_path)
    assert state.arrivals_text(s) == ["陇原电力有限公司：隐患 2026-11-02", "河西新能源有限公司：尚无台账"]
