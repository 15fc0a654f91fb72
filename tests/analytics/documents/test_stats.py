"""16号令 隐患排查治理情况统计分析表 (analytics.documents.stats): hand-computed figures on a small ledger with
funds and 五落实 gaps, the group row over rows, the form read back with openpyxl, and the `stats` command."""
from __future__ import annotations

import datetime as dt
import io
import math

import openpyxl
import pytest

from analytics.cli import main
from analytics.documents.stats import due_date, parse_period, statistics, stats_xlsx
from analytics.figures.metrics import compute
from analytics.ingest.pipeline import ingest_file
from analytics.store.db import get_store
from tests.builders import HX, LY, xlsx
from tests.dbs import registry_store
from tests.formula_safety import assert_no_formula

HEAD = ["序号", "单位", "隐患编号", "发现日期", "隐患描述", "隐患等级", "整改责任人", "整改措施", "整改期限",
        "整改资金（万元）", "整改状态", "整改完成日期"]
D = dt.date
ROWS = [  # Q3 2026 unless said
    [1, LY, "A1", D(2026, 7, 5), "护栏缺失", "一般", "甲", "补装", D(2026, 7, 20), 1.5, "已整改", D(2026, 7, 18)],
    [2, LY, "A2", D(2026, 8, 1), "标识不清", "一般", "乙", "更换", D(2026, 8, 20), 0, "未整改", None],
    [3, LY, "A3", D(2026, 9, 10), "尾矿坝浸润线偏高", "重大", "丙", "降水", D(2026, 10, 30), 20, "未整改", None],
    [4, LY, "A4", D(2026, 9, 12), "排水沟堵塞", "重大", "丁", None, D(2026, 10, 30), 5, "未整改", None],
    [5, LY, "A5", D(2026, 8, 15), "配电柜老化", "重大", "戊", "更换", D(2026, 9, 1), 8, "已整改", D(2026, 8, 30)],
    [6, LY, "A6", D(2026, 10, 2), "Q4 的重大隐患", "重大", "己", "处理", D(2026, 10, 25), None, "已整改", D(2026, 10, 20)],
    [7, HX, "B1", D(2026, 7, 10), "光伏支架松动", "一般", "庚", "紧固", D(2026, 9, 30), 2.25, "已整改", D(2026, 10, 5)],
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("stats")
    path = tmp / "s.duckdb"
    s = registry_store(path)
    res = ingest_file(s, xlsx(tmp / "隐患台账.xlsx", {"隐患": [HEAD, *ROWS]}), today=D(2026, 11, 3))
    assert res.status == "loaded", res.errors
    s.close()
    return str(path)


def test_periods_and_due_dates():
    q3, label = parse_period("2026Q3")
    assert (q3.start, q3.end, label) == (D(2026, 7, 1), D(2026, 9, 30), "2026年第三季度")
    q4, _ = parse_period("2026q4")
    assert (q4.start, q4.end, due_date(q4)) == (D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 15))
    y, label = parse_period("2026")
    assert (y.start, y.end, label, due_date(y)) == (D(2026, 1, 1), D(2026, 12, 31), "2026年度", D(2027, 1, 31))
    assert due_date(q3) == D(2026, 10, 15)
    with pytest.raises(ValueError):
        parse_period("2026Q5")


def rows_by_company(df):
    return {r["单位"]: r for r in df.to_dict("records")}


def test_quarter_figures_by_hand(db):
    s = get_store(db)
    w, _ = parse_period("2026Q3")
    t = rows_by_company(statistics(s, w))
    assert list(t) == [LY, HX, "合计"]
    ly, hx, g = t[LY], t[HX], t["合计"]
    assert [ly[k] for k in ("一般_排查数", "一般_已整改数", "重大_排查数", "重大_已整改数", "重大_未整改数",
                            "重大_列入治理计划数")] == [2, 1, 3, 1, 2, 1]      # A4 lacks 措施: not in the plan
    assert ly["一般_整改率"] == 0.5 and ly["重大_整改率"] == pytest.approx(1 / 3)
    assert ly["重大_落实治理资金"] == 33 and ly["整改资金合计"] == 34.5
    assert [hx["一般_排查数"], hx["一般_已整改数"], hx["一般_整改率"]] == [1, 0, 0.0]   # done after the quarter
    assert math.isnan(hx["重大_整改率"]) and hx["整改资金合计"] == 2.25
    assert [g["一般_排查数"], g["一般_已整改数"], g["重大_未整改数"], g["重大_列入治理计划数"]] == [3, 1, 2, 1]
    assert g["一般_整改率"] == pytest.approx(1 / 3) and g["整改资金合计"] == 36.75
    # the same counts as the engine's §3 metrics
    m = compute(s, w)
    assert m["group"]["hazards_found"] == g["一般_排查数"] + g["重大_排查数"]
    assert m["group"]["hazards_rectified"] == g["一般_已整改数"] + g["重大_已整改数"]
    assert m["companies"][LY]["major_found"] == ly["重大_排查数"]


def test_year_figures(db):
    s = get_store(db)
    t = rows_by_company(statistics(s, parse_period("2026")[0]))
    assert [t[LY]["重大_排查数"], t[LY]["重大_已整改数"], t[LY]["重大_未整改数"]] == [4, 2, 2]
    assert [t[HX]["一般_已整改数"], t["合计"]["一般_整改率"]] == [1, pytest.approx(2 / 3)]


def test_the_form_read_back(db):
    s = get_store(db)
    w, label = parse_period("2026Q3")
    data, name = stats_xlsx(s, w, label)
    assert name == "隐患排查治理情况统计分析表_2026年第三季度.xlsx"
    ws = assert_no_formula(data)["统计分析表"]
    assert ws["A1"].value == "隐患排查治理情况统计分析表（2026年第三季度）"
    assert ws["A2"].value.startswith("填报单位（盖章）：")
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A4", "B3:B4", "C3:E3", "F3:K3", "L3:L4"} <= merged
    assert [ws.cell(3, c).value for c in (3, 6, 12)] == ["一般隐患", "重大隐患", "整改资金合计（万元）"]
    assert [ws.cell(4, c).value for c in range(3, 12)] == ["排查数", "已整改数", "整改率", "排查数", "已整改数", "整改率",
                                                          "未整改数", "列入治理计划数", "落实治理资金（万元）"]
    assert [ws.cell(5, c).value for c in range(1, 13)] == ["1", LY, 2, 1, 0.5, 3, 1, pytest.approx(1 / 3), 2, 1, 33, 34.5]
    assert ws["E5"].number_format == "0.0%" and ws["K5"].number_format == "#,##0.00"
    assert ws.cell(7, 2).value == "集团合计" and ws.cell(7, 12).value == 36.75
    texts = [c.value for row in ws.iter_rows(min_row=8) for c in row if isinstance(c.value, str)]
    assert "填报人：" in texts and "审核人：" in texts and any("2026年10月15日前报送" in t for t in texts)


def test_stats_command(db, tmp_path, capsys):
    out = tmp_path / "q3.xlsx"
    assert main(["stats", "--period", "2026Q3", "--out", str(out), "--db", db]) == 0       # --db after
    ws = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))["统计分析表"]
    assert ws.cell(7, 12).value == 36.75
    assert main(["--db", db, "stats", "--period", "2026Q9", "--out", str(out)]) == 2
    assert "YYYYQN" in capsys.readouterr().err
