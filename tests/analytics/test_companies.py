"""The registry's 板块 (parent) and its import from a sheet of 单位名称 / 简称或别名 / 所属板块 (issue 11)."""
from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analytics import companies as reg
from analytics.documents.templates import HEADER_ROW, registry_template_bytes
from analytics.figures.metrics import GROUP, Window, frame
from analytics.store.db import Store

from ..builders import xlsx

ROOT = Path(__file__).resolve().parents[2]


def sheet(tmp: Path, rows: list[list], name: str = "单位.xlsx") -> Path:
    return xlsx(tmp / name, {"单位登记": [["集团子（控）公司登记表"], ["单位名称", "简称或别名", "所属板块"], *rows]})


def test_import_registers_aliases_and_parents_in_one_go(tmp_path):
    s = Store(":memory:")
    p = sheet(tmp_path, [["陇原电力有限公司", "陇原电力、陇电", "能源板块"], ["河西新能源有限公司", "河西新能源", "能源板块"],
                         ["陇建工程有限公司", None, "建设板块"], ["集团本部", None, None]])
    done = reg.import_registry(s, p.read_bytes(), p.name)
    assert (done["added"], done["updated"]) == (4, 0)
    assert reg.parents(s) == {"陇原电力有限公司": "能源板块", "河西新能源有限公司": "能源板块", "陇建工程有限公司": "建设板块",
                              "集团本部": None}
    assert reg.aliases(s)["陇原电力有限公司"] == ["陇原电力", "陇电"]   # 陇原电力 matches as the name; shown as typed (issue 8)
    assert reg.registry(s).match("陇电") == "陇原电力有限公司"


def test_reimport_updates_and_a_blank_parent_clears(tmp_path):
    s = Store(":memory:")
    reg.import_registry(s, sheet(tmp_path, [["陇原电力有限公司", None, "能源板块"]]).read_bytes())
    done = reg.import_registry(s, sheet(tmp_path, [["陇原电力 有限公司", "陇电", None], ["新单位有限公司", None, "建设板块"]],
                                        "again.xlsx").read_bytes())
    assert (done["added"], done["updated"]) == (1, 1)
    assert reg.parents(s) == {"陇原电力有限公司": None, "新单位有限公司": "建设板块"}
    reg.set_parent(s, "陇原电力有限公司", "能源板块")
    assert reg.parents(s)["陇原电力有限公司"] == "能源板块"
    with pytest.raises(reg.CompanyError, match="没有登记单位"):
        reg.set_parent(s, "不存在有限公司", "能源板块")


def test_a_bad_sheet_imports_nothing_and_names_every_problem(tmp_path):
    s = Store(":memory:")
    reg.add_company(s, "陇原电力有限公司", ["陇电"])
    p = sheet(tmp_path, [["甲有限公司", None, "A"], ["甲有限责任公司", None, "A"], ["乙有限公司", "陇电", "B"]])
    with pytest.raises(reg.CompanyError) as e:
        reg.import_registry(s, p.read_bytes(), p.name)
    assert "第 4 行：单位“甲有限责任公司”与第 3 行重复" in str(e.value)
    assert reg.list_companies(s) == ["陇原电力有限公司"]                  # all or nothing
    p2 = sheet(tmp_path, [["乙有限公司", "陇电", "B"]], "b.xlsx")
    with pytest.raises(reg.CompanyError, match="第 3 行：别名“陇电”已属于“陇原电力有限公司”"):
        reg.import_registry(s, p2.read_bytes(), p2.name)
    assert reg.list_companies(s) == ["陇原电力有限公司"]
    with pytest.raises(reg.CompanyError, match="没有找到“单位名称”列"):
        reg.import_registry(s, xlsx(tmp_path / "x.xlsx", {"a": [["名称"], ["甲"]]}).read_bytes())


def test_the_generated_template_reads_back(tmp_path):
    wb = load_workbook(io.BytesIO(registry_template_bytes()))
    ws = wb["单位登记"]
    assert [c.value for c in ws[HEADER_ROW + 1]][:3] == ["单位名称*", "简称或别名", "所属板块"]
    ws.append(["陇原电力有限公司", "陇电", "能源板块"])
    p = tmp_path / "filled.xlsx"
    wb.save(p)
    s = Store(":memory:")
    assert reg.import_registry(s, p.read_bytes(), p.name)["added"] == 1
    assert reg.parents(s) == {"陇原电力有限公司": "能源板块"}


def test_cli_import_and_list(tmp_path):
    db = tmp_path / "c.duckdb"
    p = sheet(tmp_path, [["陇原电力有限公司", "陇电", "能源板块"], ["集团本部", None, None]])
    run = lambda *a: subprocess.run([sys.executable, "-m", "analytics", "--db", str(db), *a], cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True)
    out = run("companies", "import", str(p))
    assert out.returncode == 0 and "新登记 2 个" in out.stdout
    listed = run("companies", "list").stdout.splitlines()
    assert listed == ["陇原电力有限公司（别名：陇电）〔能源板块〕", "集团本部"]
    assert run("companies", "import", str(tmp_path / "none.xlsx")).returncode == 2


def test_parent_roll_up_is_computed_over_the_rows(tmp_path):
    s = Store(":memory:")
    reg.import_registry(s, sheet(tmp_path, [["甲有限公司", None, "能源板块"], ["乙有限公司", None, "能源板块"],
                                            ["丙有限公司", None, "建设板块"], ["丁有限公司", None, None]]).read_bytes())
    with s.write() as cur:        # 甲 rectifies 9 of 10 on time, 乙 1 of 2, 丙 all 4, 丁 none of 3
        cur.execute("""INSERT INTO hazards (batch_id, key, company, found_date, level, deadline, status, rectified_date)
            SELECT 1, c || i, c || '有限公司', DATE '2026-03-01', '一般', DATE '2026-03-10', '',
                   CASE WHEN i < ok THEN DATE '2026-03-05' END
            FROM (VALUES ('甲', 10, 9), ('乙', 2, 1), ('丙', 4, 4), ('丁', 3, 0)) v(c, n, ok), range(n) r(i)""")
    w = Window.of(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    names = ["hazards_found", "hazards_rectified", "rectification_rate", "overdue_open"]
    by_co = frame(s, names, w).set_index("company")
    by_pa = frame(s, names, w, by="parent").set_index("company")
    assert set(by_pa.index) == {"能源板块", "建设板块", reg.NO_PARENT, GROUP}
    energy = by_co.loc[["甲有限公司", "乙有限公司"]]
    assert by_pa.at["能源板块", "hazards_found"] == energy["hazards_found"].sum() == 12
    assert by_pa.at["能源板块", "hazards_rectified"] == 10
    assert by_pa.at["能源板块", "rectification_rate"] == pytest.approx(10 / 12)        # over rows, not (0.9+0.5)/2
    assert by_pa.at["能源板块", "overdue_open"] == 2
    assert by_pa.at[reg.NO_PARENT, "hazards_found"] == 3 and by_pa.at[reg.NO_PARENT, "overdue_open"] == 3
    assert (by_pa.loc[GROUP, names] == by_co.loc[GROUP, names]).all()
    assert by_pa.drop(index=GROUP)["hazards_found"].sum() == by_co.drop(index=GROUP)["hazards_found"].sum() == 19
    only = frame(s, names, w, ["甲有限公司", "丙有限公司"], by="parent").set_index("company")   # a filter keeps rows out
    assert only.at["能源板块", "hazards_found"] == 10 and reg.NO_PARENT not in only.index
