"""Standard templates generated from the ledger specs, and the round trip template → filled → ingested."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from analytics.figures.indicators import evaluate
from analytics.ingest.pipeline import ingest_bytes
from analytics.ledgers import LEDGERS, VOCABULARIES
from analytics.figures.metrics import Window, compute
from analytics.documents.templates import HEADER_ROW, template_bytes, write_templates
from tests.builders import LY, new_store

TODAY = dt.date(2026, 11, 5)
OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def book(ledger: str):
    return openpyxl.load_workbook(io.BytesIO(template_bytes(ledger)))


def test_write_templates_one_file_per_ledger(tmp_path):
    paths = write_templates(tmp_path / "out")
    assert [p.name for p in paths] == [f"{lg.label}（标准模板）.xlsx" for lg in LEDGERS.values()]
    assert all(p.stat().st_size > 5000 for p in paths)


@pytest.mark.parametrize("ledger", list(LEDGERS))
def test_header_title_frozen_and_instructions(ledger):
    lg = LEDGERS[ledger]
    wb = book(ledger)
    ws = wb.worksheets[0]
    assert wb.sheetnames == [lg.label, "填表说明"]
    assert ws["A1"].value == lg.label and ws["A2"].value == "填报单位："
    header = [c.value for c in ws[HEADER_ROW + 1]]
    assert [h.lstrip("*") for h in header] == [f.label for f in lg.fields]
    assert [h.startswith("*") for h in header] == [f.required and not f.context for f in lg.fields]
    assert ws.freeze_panes == f"A{HEADER_ROW + 2}"
    notes = {r[0]: r for r in wb["填表说明"].iter_rows(values_only=True) if r and r[0] in {f.label for f in lg.fields}}
    assert set(notes) == {f.label for f in lg.fields}
    for f in lg.fields:
        assert notes[f.label][1] == ("必填" if f.required and not f.context else
                                     "可留空（取上方填写内容）" if f.context else "选填")


def test_dropdowns_date_formats_and_number_checks():
    def validations(ledger):
        ws = book(ledger).worksheets[0]
        header = [c.value.lstrip("*") for c in ws[HEADER_ROW + 1]]
        out = {}
        for dv in ws.data_validations.dataValidation:
            col = openpyxl.utils.column_index_from_string(str(dv.sqref).split(":")[0].rstrip("0123456789")) - 1
            out[header[col]] = (dv.type, (dv.formula1 or "").strip('"').split(","), dv.errorStyle)
        return ws, out

    ws, v = validations("hazards")
    assert v["隐患等级"] == ("list", ["一般", "重大"], None)                       # closed: stop
    assert v["整改状态"][1] == ["已整改", "未整改"]
    assert v["检查类型"] == ("list", list(VOCABULARIES["hazard_source"]), "information")   # other text allowed
    assert v["隐患类别"][1] == list(VOCABULARIES["hazard_category"])
    assert v["整改资金（万元）"][0] == "decimal"
    assert ws.column_dimensions["C"].number_format == "yyyy-mm-dd"               # 发现日期
    _, v = validations("accidents")
    assert v["事故类别"][1] == list(VOCABULARIES["accident_type"]) and len(v["事故类别"][1]) == 20
    assert all(v[k][1] == ["是", "否"] for k in ("原因查清", "责任人处理", "整改措施落实", "教训吸取"))
    assert v["死亡人数"][0] == "whole"
    _, v = validations("training")
    assert v["培训类别"][1] == list(VOCABULARIES["training_kind"])
    _, v = validations("investment")
    assert v["投入类别"][1] == list(VOCABULARIES["investment_category"])


def fill(ledger: str, rows: list[list], company="陇原电力有限公司", month="2026年10月") -> bytes:
    wb = book(ledger)
    ws = wb.worksheets[0]
    ws["B2"] = company
    if month:
        ws["F2"] = month
    for i, row in enumerate(rows, start=HEADER_ROW + 2):
        for j, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(row=i, column=j, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def load(s, ledger, rows, **kw):
    res = ingest_bytes(s, fill(ledger, rows, **kw), f"{ledger}.xlsx", today=TODAY)
    assert res.status == "loaded", [e.line() for e in res.errors]
    return res


D = dt.date


def test_round_trip_every_ledger():
    s = new_store()
    load(s, "hazards", [
        [None, "LY-2026-001", D(2026, 10, 2), "公司自查", "配电室", "警示标识缺失", "用电安全", "一般", "张贴", "张三",
         D(2026, 10, 10), None, "已整改", D(2026, 10, 8)],
        [None, "LY-2026-002", "10月12日", "集团督查", "锅炉房", "安全阀未校验", "特种设备", "重大", "校验", "王五",
         D(2026, 11, 30), 3.5, "未整改"]])
    load(s, "accidents", [[None, "SG-1", dt.datetime(2026, 10, 5, 8), dt.datetime(2026, 10, 5, 10), "机械伤害", "卷入",
                           0, 1, 0, 12, "是", "是", "是", "否"]])
    load(s, "training", [[None, D(2026, 10, 8), "消防", "全员培训", 40, 36, 30, 4]])
    load(s, "investment", [[None, None, "劳保", "劳动防护", 10, 8], [None, "2026-10", "消防", "安全设施", 6, 4]])
    load(s, "indicators", [[None, 2026, "死亡人数", "杜绝死亡事故", "人"], [None, 2026, "隐患整改率", "不低于95%", "%"]],
         month=None)
    g = compute(s, OCT)["companies"][LY]
    assert (g["hazards_found"], g["hazards_rectified"], g["major_open"], g["overdue_open"]) == (2, 1, 1, 0)
    assert (g["accidents"], g["serious_injuries"], g["late_reports"], g["four_no_closure_rate"]) == (1, 1, 1, 0.0)
    assert g["training_completion"] == pytest.approx(36 / 40) and g["training_pass_rate"] == pytest.approx(30 / 36)
    assert g["investment_completion"] == pytest.approx(12 / 16)      # the blank 月份 is 填报月份's
    ev = evaluate(s, 2026, D(2026, 10, 31)).set_index("indicator")
    assert ev.loc["死亡人数", "status"] == "达标" and ev.loc["隐患整改率", "status"] == "未达标"
    assert ev.loc["隐患整改率", "actual"] == pytest.approx(0.5)


def test_a_template_without_company_is_refused_row_by_row():
    s = new_store()
    res = ingest_bytes(s, fill("training", [[None, D(2026, 10, 8), "消防", "全员培训", 4, 4, 4, 1]], company=None),
                       "t.xlsx", today=TODAY)
    assert [(e.code, e.row, e.column, e.col) for e in res.errors] == [("no_company", 4, "单位名称", 0)]
