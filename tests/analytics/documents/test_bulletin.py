"""通报 (analytics.documents.bulletin): the Word document read back with python-docx — the real figures of the golden
hazard ledger (陇原电力, October 2026) and of the demo (祁连矿业, 2026 year to date), a company without rows,
and the `bulletin` command."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest

from analytics.figures import anomalies
from analytics.documents.bulletin import bulletin, bulletin_docx, bulletin_name, change, period_label
from analytics.cli import main
from analytics.companies import CompanyError
from analytics.store.db import get_store
from analytics.demo_load import load_demo
from analytics.figures.indicators import evaluate
from analytics.figures.metrics import BY_NAME, Window, compute
from analytics.figures.rag import NO_DATA_TEXT
from analytics.figures.records import open_major_hazards
from analytics.figures.scorecard import company_table
from tests.builders import HX, LY
from tests.dbs import golden_store

OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
QL = "祁连矿业有限责任公司"
YTD = Window.of(dt.date(2026, 1, 1), dt.date(2026, 11, 25))


def read(data: bytes) -> tuple[str, list[list[list[str]]], docx.document.Document]:
    """(all paragraph text, the tables as lists of rows of cell texts, the document)."""
    d = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in d.paragraphs)
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
    return text, tables, d


def table_with(tables, first_header: str) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == first_header)


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bulletin")
    path = tmp / "golden.duckdb"
    golden_store(tmp, path).close()
    return str(path)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    s = get_store(tmp_path_factory.mktemp("demo") / "d.duckdb")
    assert load_demo(s) > 0
    return s


# ---------------------------------------------------------------- the golden hazard ledger
def test_golden_bulletin_states_the_known_figures(golden):
    s = get_store(golden)
    data, name = bulletin_docx(s, LY, OCT)
    assert name == "陇原电力有限公司_安全生产通报_2026年10月.docx"
    text, tables, d = read(data)
    assert d.paragraphs[2].text == "关于陇原电力有限公司2026年10月安全生产情况的通报"
    assert d.core_properties.title == d.paragraphs[2].text and d.core_properties.author == "集团公司安全环保部"
    assert d.paragraphs[3].text == "陇原电力有限公司："
    assert [p.text for p in d.paragraphs if p.text[:2] in {f"{n}、" for n in "一二三四五六七"}] == [
        "一、总体情况", "二、隐患排查治理情况", "三、生产安全事故情况", "四、安全教育培训与安全生产投入情况",
        "五、安全生产目标责任书指标完成情况", "六、需要关注的问题", "七、整改要求"]

    # 一: the colour and its reasons, from the same rules as the meeting table
    row = company_table(s, OCT, [LY]).set_index("company").loc[LY]
    assert row["rag"] == "红"                                  # 按期整改率 33.3% < 80%
    assert "安全生产状态评定为“红”（上年同期无数据）" in text
    assert f"评定依据：{row['rag_reasons']}。" in text and "按期整改率低于 80%" in text
    comp = {r[0]: r[1:] for r in table_with(tables, "指标")[1:]}
    assert comp["隐患整改率"] == ["40.0%", "—", "—", "1/1"]
    assert comp["排查隐患"] == ["5 项", "0 项", "↑ 增加 5 项", "—"]
    assert comp["事故起数"][2] == "持平"
    assert comp["事故起数"][3] == "1/2 并列" and comp["逾期未整改"][3] == "2/2"     # neither company had one

    # 二: found 5, rectified 2, 40.0 %, on time 33.3 %, overdue 2 (ageing), major open LY-03
    assert "共排查隐患 5 项，已整改 2 项，隐患整改率 40.0%；按期整改率 33.3%" in text
    assert "逾期未整改隐患 2 项" in text and "0–30天 1 项，31–90天 1 项" in text
    assert "LY-05（办公楼，疏散通道堆放杂物，责任人孙七，逾期 31 天）" in text
    majors = table_with(tables, "编号")
    assert majors == [["编号", "部位", "隐患描述", "责任人", "整改期限", "逾期天数"],
                      ["LY-03", "锅炉房", "锅炉安全阀未校验", "王五", "2026-11-30", "未到期"]]

    # 三 … 六: no accident, no training, no indicators, nothing to question
    assert "统计期内未发生生产安全事故。" in text
    assert "无安全教育培训记录" in text and "无安全生产投入记录" in text
    assert "2026年度安全生产目标责任书指标尚未报送集团公司" in text
    assert "未发现需要关注的报送情况" in text

    # 七: from the findings, then the closing lines; 落款 and 口径
    assert "（一）重大隐患 LY-03（锅炉安全阀未校验，整改期限11月30日）尚未整改，须严格按整改期限完成整改" in text
    assert "对逾期未整改的 2 项一般隐患逐项明确整改责任人和完成时限，于11月5日前完成整改" in text
    assert "请你公司于2026年11月5日前将上述整改要求的落实情况" in text
    paras = [p.text for p in d.paragraphs]
    i = paras.index("附：数据口径")
    assert paras[i - 2:i] == ["集团公司安全环保部", "2026年10月31日"]
    assert f"隐患整改率：{BY_NAME['rectification_rate'].caption}。" in paras[i:]


def test_a_company_without_rows_gets_a_valid_document_saying_so(golden):
    data, name = bulletin_docx(get_store(golden), "河西新能源", OCT)           # an alias works too
    assert name == "河西新能源有限公司_安全生产通报_2026年10月.docx"
    text, tables, _ = read(data)
    assert "本期评定为“无数据”" in text and NO_DATA_TEXT in text
    assert "本期与上年同期均无台账数据，不作同比分析。" in text and tables == []
    assert "未上报排查发现的隐患" in text and "统计期内未发生生产安全事故。" in text
    assert "安全生产天数" not in text                       # no claim about a company that reported nothing
    assert "你公司统计期内未报送隐患排查治理、生产安全事故等安全生产台账。请于11月5日前补报" in text
    assert text.rstrip().endswith(BY_NAME["investment_completion"].caption + "。")


def test_an_unknown_company_names_the_closest(golden):
    with pytest.raises(CompanyError, match="陇原电力有限公司"):
        bulletin(get_store(golden), "陇原电", OCT)


# ---------------------------------------------------------------- the demo: 祁连矿业, year to date
def test_demo_bulletin_matches_the_engine(demo):
    data, name = bulletin_docx(demo, "祁连矿业", YTD)
    assert name == "祁连矿业有限责任公司_安全生产通报_2026年1-11月.docx"
    text, tables, d = read(data)
    assert d.paragraphs[2].text == "关于祁连矿业有限责任公司2026年1—11月安全生产情况的通报"
    v = compute(demo, YTD, [QL], tuple(BY_NAME))["companies"][QL]
    row = company_table(demo, YTD, [QL]).set_index("company").loc[QL]
    assert f"安全生产状态评定为“{row['rag']}”" in text and row["rag"] in "红黄绿"

    # every figure is the engine's, as the bulletin writes it
    assert f"共排查隐患 {v['hazards_found']} 项，已整改 {v['hazards_rectified']} 项" in text
    for n in ("rectification_rate", "on_time_rate", "training_completion", "training_pass_rate",
              "investment_completion"):
        assert f"{BY_NAME[n].label} {int(v[n] * 1000) / 10:.1f}%" in text, n
    assert f"逾期未整改隐患 {v['overdue_open']} 项" in text
    majors = open_major_hazards(demo, YTD.as_of, [QL])
    table = table_with(tables, "编号")
    assert [r[0] for r in table[1:]] == list(majors["隐患编号"]) and len(majors) == v["major_open"]
    overdue = majors[majors["逾期天数"] > 0]
    assert len(overdue) == v["major_overdue"] > 0
    for no, days in zip(overdue["隐患编号"], overdue["逾期天数"]):
        assert f"重大隐患 {no}（" in text
        assert f"已超过整改期限 {days} 天，于12月25日前完成整改并报送整改报告。" in text

    # 三: the accident, its late report and its open 四不放过 item
    assert f"发生生产安全事故 {v['accidents']} 起" in text and f"其中迟报 {v['late_reports']} 起" in text
    acc = table_with(tables, "事故编号")
    assert len(acc) == 1 + v["accidents"] and acc[1][5].startswith("迟报") and acc[1][6].startswith("未闭环")

    # 五: breaches first, every indicator of the year, each with its status
    ev = evaluate(demo, 2026, YTD.as_of, [QL])
    ind = table_with(tables, "考核指标")
    assert len(ind) == 1 + len(ev)
    breached = set(ev.loc[ev["breach"], "indicator"])
    assert breached and {r[0] for r in ind[1:1 + len(breached)]} == breached
    assert all(r[3] == "突破" for r in ind[1:1 + len(breached)])
    for b in breached:
        assert f"对突破“{b}”控制指标" in text and "的原因进行分析" in text

    # 六: the anomaly flags of this company
    flags = anomalies.find(demo, YTD, [QL])
    assert len(flags) and f"（一）{flags['类型'].iloc[0]}。判定规则：" in text
    assert all(f"{r['时间']}：{r['情况说明']}" in text for r in flags.to_dict("records"))
    assert "请你公司于2026年12月5日前将上述整改要求的落实情况" in text


def test_every_demo_company_gets_a_bulletin(demo):
    for name in company_table(demo, YTD)["company"].iloc[1:]:
        b = bulletin(demo, name, YTD)
        assert b.text().count("整改要求") >= 1 and "集团公司安全环保部\n2026年11月25日" in b.text()


# ---------------------------------------------------------------- wording helpers
def test_period_labels_and_changes():
    assert period_label(YTD) == "2026年1—11月" and bulletin_name(LY, YTD).endswith("_2026年1-11月.docx")
    assert period_label(Window.of(dt.date(2025, 12, 1), dt.date(2026, 2, 28))) == "2025年12月—2026年2月"
    assert change("rectification_rate", 0.91, 0.883) == ("↑ 上升 2.7 个百分点", "better")
    assert change("overdue_open", 46, 32) == ("↑ 上升 43.8%", "worse")
    assert change("hazards_found", 357, 361) == ("↓ 下降 1.1%", None)           # how much is found: neutral
    assert change("deaths", 0, 0) == ("持平", None) and change("on_time_rate", None, 0.5) == ("—", None)


# ---------------------------------------------------------------- the command
def test_cli_writes_the_document(golden, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["--db", golden, "bulletin", "陇原电力", "--from", "2026-10-01", "--to", "2026-10-31",
                 "--out", str(out)])
    assert code == 0
    path = out / "陇原电力有限公司_安全生产通报_2026年10月.docx"
    assert capsys.readouterr().out.strip() == str(path)
    text, _, _ = read(path.read_bytes())
    assert "隐患整改率 40.0%" in text
    # without --from/--to: 本年至今 up to the last day with data (LY-07, found 2026-11-02)
    assert main(["--db", golden, "bulletin", LY, "--out", str(out)]) == 0
    assert Path(capsys.readouterr().out.strip()).name == "陇原电力有限公司_安全生产通报_2026年1-11月.docx"


def test_cli_unknown_company_exits_2_with_the_closest_names(golden, tmp_path, capsys):
    assert main(["--db", golden, "bulletin", "陇原电", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "未登记的单位“陇原电”" in err and "陇原电力有限公司" in err
    assert main(["--db", golden, "bulletin", HX, "--from", "2026-11-01", "--to", "2026-10-01"]) == 2
    assert "晚于" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
