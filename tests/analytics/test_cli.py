"""The command line end to end (DOMAIN.md §5), through analytics.cli.main with captured output."""
from __future__ import annotations

import json

import pytest

from analytics.cli import main
from analytics.figures.metrics import DOMAIN_METRICS
from tests.builders import HX, LY, bad_hazard, golden_files

EXTRA = "陇南水务有限公司"                       # registered, no rows


@pytest.fixture
def db(tmp_path, capsys):
    path = str(tmp_path / "cli.duckdb")
    assert main(["--db", path, "companies", "add", LY, "--alias", "陇原电力"]) == 0
    assert main(["--db", path, "companies", "add", HX, "--alias", "河西新能", "--alias", "河西新能源"]) == 0
    assert main(["--db", path, "companies", "add", EXTRA]) == 0
    assert capsys.readouterr().out.splitlines() == [f"已登记：{LY}", f"已登记：{HX}", f"已登记：{EXTRA}"]
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_companies_alias_conflict_is_a_usage_error(db, capsys):
    code, _, err = run(capsys, "--db", db, "companies", "add", "陇原电力有限责任公司", "--alias", "河西新能")
    assert code == 2 and "别名“河西新能”已属于“河西新能源有限公司”" in err
    code, out, _ = run(capsys, "--db", db, "companies", "list")
    # an alias that is the name without 有限公司 (the short name) is listed too (issue 8)
    assert code == 0 and out.splitlines() == [f"{LY}（别名：陇原电力）", f"{HX}（别名：河西新能、河西新能源）", EXTRA]


def test_ingest_metrics_batches_revert(db, tmp_path, capsys):
    files = golden_files(tmp_path)
    code, out, _ = run(capsys, "--db", db, "ingest", *map(str, files.values()))
    assert code == 0, out
    assert sum("已导入" in line for line in out.splitlines()) == 6
    code, out, _ = run(capsys, "--db", db, "ingest", str(files["hazards"]))
    assert code == 0 and "未作任何改动" in out                           # the same file again: a no-op

    code, out, _ = run(capsys, "--db", db, "metrics", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"from", "to", "as_of", "group", "companies"}
    assert (doc["from"], doc["to"], doc["as_of"]) == ("2026-10-01", "2026-10-31", "2026-10-31")
    assert list(doc["companies"]) == [LY, HX, EXTRA]                    # every registered company
    names = [*DOMAIN_METRICS, "indicators_met", "indicators_total"]
    assert all(list(v) == names for v in [doc["group"], *doc["companies"].values()])
    g, ly, extra = doc["group"], doc["companies"][LY], doc["companies"][EXTRA]
    assert (g["hazards_found"], g["hazards_rectified"], g["rectification_rate"]) == (6, 3, 0.5)
    assert (g["accidents"], g["deaths"], g["late_reports"], g["four_no_closure_rate"]) == (4, 3, 1, 0.75)
    assert g["training_completion"] == pytest.approx(41 / 45) and g["investment_completion"] == pytest.approx(20.5 / 27)
    assert (g["indicators_met"], g["indicators_total"]) == (5, 9)
    assert (ly["indicators_met"], ly["indicators_total"], ly["on_time_rate"]) == (2, 6, pytest.approx(1 / 3))
    assert all(extra[k] == 0 for k in ("hazards_found", "overdue_open", "accidents", "deaths", "late_reports",
                                       "indicators_met", "indicators_total"))
    assert all(extra[k] is None for k in ("rectification_rate", "on_time_rate", "avg_days_to_rectify",
                                          "four_no_closure_rate", "training_completion", "investment_completion"))

    code, out, _ = run(capsys, "--db", db, "batches", "--format", "json")
    assert code == 0
    bs = json.loads(out)
    assert [b["ledger"] for b in bs] == ["hazards", "hazards", "accidents", "training", "investment", "indicators"]
    assert [b["id"] for b in bs] == sorted(b["id"] for b in bs)        # newest last
    assert all({"id", "file", "sha256", "ledger", "company", "status", "rows"} <= set(b) for b in bs)
    assert (bs[0]["file"], bs[0]["company"], bs[0]["status"], bs[0]["rows"]) == (files["hazards"].name, LY, "loaded", 7)
    assert len(bs[0]["sha256"]) == 64

    code, out, _ = run(capsys, "--db", db, "revert", str(bs[0]["id"]))
    assert code == 0 and "已撤销批次" in out
    code, _, err = run(capsys, "--db", db, "revert", str(bs[0]["id"]))
    assert code == 1 and "已于此前撤销" in err
    _, out, _ = run(capsys, "--db", db, "metrics", "--from", "2026-10-01", "--to", "2026-10-31", "--format", "json")
    assert json.loads(out)["group"]["hazards_found"] == 1
    _, out, _ = run(capsys, "--db", db, "batches", "--format", "json")
    assert json.loads(out)[0]["status"] == "reverted"


def test_ingest_rejected_prints_one_line_per_error_and_loads_nothing(db, tmp_path, capsys):
    bad = bad_hazard(tmp_path / "bad.xlsx", 7, "特大")
    code, out, _ = run(capsys, "--db", db, "ingest", str(bad))
    assert code == 1
    lines = [line.split("\t") for line in out.splitlines() if "\t错误：" in line]
    assert lines == [["bad.xlsx", "10月", "第4行", "隐患等级", "'特大'", lines[0][5]]]
    assert lines[0][5].startswith("错误：“特大”不是允许的取值")
    _, out, _ = run(capsys, "--db", db, "batches", "--format", "json")
    assert json.loads(out) == []


def test_usage_errors_exit_2(db, tmp_path, capsys):
    f = golden_files(tmp_path)["hazards"]
    code, _, err = run(capsys, "--db", db, "ingest", str(f), "--period", "2026-13")
    assert code == 2 and "YYYY-MM" in err
    code, _, err = run(capsys, "--db", db, "metrics", "--from", "2026-10-31", "--to", "2026-10-01")
    assert code == 2 and "晚于" in err
    assert run(capsys, "--db", db, "metrics", "--from", "10/01/2026")[0] == 2
    assert run(capsys, "--db", db, "frobnicate")[0] == 2
    code, _, err = run(capsys, "--db", db, "ingest", str(tmp_path / "nope.xlsx"))
    assert code == 1 and "文件不存在" in err


def test_templates_command(db, tmp_path, capsys):
    code, out, _ = run(capsys, "--db", db, "templates", str(tmp_path / "tpl"))
    assert code == 0 and len(out.splitlines()) == 6            # five ledgers and the registry sheet (单位登记表)
    assert sorted(p.name for p in (tmp_path / "tpl").iterdir())[0].endswith("（标准模板）.xlsx")


def test_db_anywhere_on_the_line_and_chinese_usage_errors(db, tmp_path, capsys):
    from tests.builders import merged_company_down
    f = merged_company_down(tmp_path / "down.xlsx")
    code, out, _ = run(capsys, "ingest", str(f), "--db", db)                # the form DOMAIN.md §5 gives
    assert code == 0 and "已导入" in out and "新增 4、修改 0、未变 0" in out
    code, out, _ = run(capsys, "batches", f"--db={db}", "--format", "json")
    assert code == 0 and [b["rows"] for b in json.loads(out)] == [4]
    code, _, err = run(capsys, "ingest", str(f), "--db", db, "--bogus")
    assert code == 2 and "用法错误：无法识别的参数：--bogus" in err and "unrecognized" not in err
    code, _, err = run(capsys, "metrics", "--db", db, "--format", "xml")
    assert code == 2 and "用法错误：参数 --format 的取值 'xml' 无效" in err
    code, _, err = run(capsys, "ingest", "--db")
    assert code == 2 and "参数 --db 需要一个值" in err
    code, _, err = run(capsys, "--db", db, "ingest")
    assert code == 2 and "缺少必需的参数：files" in err
