"""Readable at 200 companies (issue 11 point 3): the RAG table stays one glance (a count line, the worst rows, the
rest folded and downloadable), 各单位事故情况 lists the companies with accidents worst first and folds the others
into one line, 培训与投入 draws the top N companies and one “其余” bar whose rate is Σ actual ÷ Σ planned — and at
a few companies every one of them is as before (no folding)."""
from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path

import openpyxl
import pytest

from analytics import companies as reg
from analytics.store.db import Store
from ui import charts

from tests.builders import xlsx
from tests.dbs import deferred_downloads
from tests.pages.test_scale_pages import _page, _values   # the same page runner and plotly values

APP = str(Path(__file__).resolve().parents[2] / "app.py")
N = 200


def name(i: int) -> str:
    return f"折叠单位{i:03d}有限公司"


@pytest.fixture(scope="module")
def fold_db(tmp_path_factory):
    """200 companies. Hazards: company i has i % 7 + 1 hazards, none rectified, all past their deadline (every
    company red: 按期整改率 0 %); company 003's are major (重大隐患逾期 too: two red rules). Accidents: 005 one with a
    death, 009 one with a serious injury, 007 two without injuries. Indicators 2026: 死亡人数 ≤ 0 (005 breaches it),
    事故起数 ≤ 1 (007 breaches it), 隐患整改率 ≥ 95 % (nobody meets it). Training: every company plans 100, company i
    attends 100 − i % 50 (the lowest, 51 %, at 049, 099, 149, 199)."""
    tmp = tmp_path_factory.mktemp("fold")
    path = tmp / "fold.duckdb"
    s = Store(path)
    rows = [[name(i), f"折叠{i:03d}", f"第{i % 5 + 1}板块"] for i in range(N)]
    reg.import_registry(s, xlsx(tmp / "reg.xlsx", {"单位": [["单位名称", "简称或别名", "所属板块"], *rows]}).read_bytes())
    with s.write() as cur:
        for i in range(N):
            for j in range(i % 7 + 1):
                cur.execute("""INSERT INTO hazards (batch_id, key, company, hazard_no, found_date, level, deadline,
                                                    status, description)
                               VALUES (1, ?, ?, ?, DATE '2026-02-01', ?, DATE '2026-02-10', '未整改', '隐患')""",
                            [f"h{i}-{j}", name(i), f"H{i}-{j}", "重大" if i == 3 else "一般"])
            cur.execute("INSERT INTO training (batch_id, key, company, date, topic, planned, attended, passed) "
                        "VALUES (1, ?, ?, DATE '2026-03-01', '全员培训', 100, ?, ?)",
                        [f"t{i}", name(i), 100 - i % 50, 100 - i % 50])
        for k, (i, deaths, serious) in enumerate([(5, 1, 0), (9, 0, 1), (7, 0, 0), (7, 0, 0)]):
            cur.execute("""INSERT INTO accidents (batch_id, key, company, accident_no, occurred_at, reported_at, type,
                                                  deaths, serious_injuries, minor_injuries, direct_loss, level,
                                                  cause_found, responsibility_handled, measures_done, lessons_learned)
                           VALUES (1, ?, ?, ?, TIMESTAMP '2026-04-01 08:00', TIMESTAMP '2026-04-01 08:30', '机械伤害',
                                   ?, ?, 0, 1.0, '一般', true, true, true, true)""",
                        [f"a{k}", name(i), f"A{k}", deaths, serious])
        for i in range(N):       # 2026 目标责任书: no death, at most 1 accident, 隐患整改率 ≥ 95 % (every company misses it)
            for k, (ind, target, unit, comp, value, pct) in enumerate([
                    ("死亡人数", "杜绝死亡事故", "人", "<=", 0, False), ("事故起数", "事故起数不超过1起", "起", "<=", 1, False),
                    ("隐患整改率", "隐患整改率不低于95%", "%", ">=", 0.95, True)]):
                cur.execute("""INSERT INTO indicators (batch_id, key, company, year, indicator, target, unit, weight,
                                                       comparator, target_value, is_percent)
                               VALUES (1, ?, ?, 2026, ?, ?, ?, 10, ?, ?, ?)""",
                            [f"i{i}-{k}", name(i), ind, target, unit, comp, value, pct])
        cur.execute("""INSERT INTO hazards (batch_id, key, company, found_date, level, deadline, status, rectified_date)
                       VALUES (1, 'last', ?, DATE '2026-06-30', '一般', DATE '2026-07-05', '已整改', DATE '2026-06-30')""",
                    [name(0)])
    s.close()
    return path


def test_rag_table_at_200_red_companies_is_one_glance(monkeypatch, fold_db):
    deferred = deferred_downloads(monkeypatch)
    at = _page(monkeypatch, fold_db, "pages/overview.py")
    assert any("**200**" in m.value and "共 200 个单位" in m.value for m in at.markdown)     # 红 200 · 黄 0 · 绿 0
    rag = at.table[0].value
    assert len(rag) == charts.RAG_TOP
    # worst first: 005 meets three red rules (死亡事故, 突破控制指标, 按期整改率<80%); 007 and 003 two (突破控制指标 /
    # 重大隐患逾期, and 按期整改率<80%), 007 has the breach; then the one-rule company with an accident, 009 (amber
    # reasons do not count for a red company's rank)
    assert list(rag["单位"][:4]) == ["折叠单位005", "折叠单位007", "折叠单位003", "折叠单位009"]
    assert any(f"其余 {N - charts.RAG_TOP} 个红/黄单位" in c.value for c in at.caption)
    assert any(e.label.startswith(f"全部 {N} 个单位的红黄绿表") for e in at.expander)
    full = next(d.value for d in at.dataframe if "原因" in d.value.columns and len(d.value) == N)
    assert full["单位"].iloc[0] == name(5)
    data, _ = deferred["各单位红黄绿表.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data()))["数据"]
    got = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(got) == N and got[0] == name(5) and set(got) == {name(i) for i in range(N)}
    assert at.selectbox(key="ov_rag").options[0].startswith("折叠单位005")


def test_meeting_rag_slide_folds_too(monkeypatch, fold_db):
    at = _page(monkeypatch, fold_db, "pages/meeting.py")
    at.session_state["mt_slide"] = 1                      # 各单位安全状况
    at.run()
    assert not at.exception
    tables = [t.value for t in at.table if "状态" in t.value.columns]
    assert len(tables) == 1 and len(tables[0]) == charts.RAG_TOP and tables[0]["单位"].iloc[0] == "折叠单位005"
    assert any(e.label.startswith(f"全部 {N} 个单位的红黄绿表") for e in at.expander)
    at.session_state["mt_slide"] = 2                      # 突破控制指标: the worst 8 companies' bars
    at.run()
    assert not at.exception
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert f"突破、未达标最多的 {charts.MEETING_BARS} 个单位，共 {N} 个" in json.dumps(fig["layout"]["title"], ensure_ascii=False)
    assert _values(fig["data"][0]["y"])[:2] == ["折叠单位005", "折叠单位007"]


def test_accidents_per_company_worst_first_and_the_rest_in_one_line(monkeypatch, fold_db):
    deferred = deferred_downloads(monkeypatch)
    at = _page(monkeypatch, fold_db, "pages/accidents.py")
    table = next(d.value for d in at.dataframe if "事故起数" in d.value.columns and "四不放过未闭环" in d.value.columns)
    assert list(table["单位"]) == ["集团合计", name(5), name(9), name(7)]          # death, serious injury, 2 accidents
    assert list(table["事故起数"]) == [4, 1, 1, 2]
    assert any(m.value == f"**其余 {N - 3} 个单位统计期内无事故**" for m in at.markdown)
    assert any(e.label == f"全部 {N} 个单位" for e in at.expander)
    data, _ = deferred["各单位事故情况.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data()))["数据"]
    assert ws.max_row == N + 2                                                     # head, 集团合计, 200 companies


def test_training_chart_top_n_and_one_folded_bar(monkeypatch, fold_db):
    at = _page(monkeypatch, fold_db, "pages/training_investment.py")
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    fig = next(f for f in figs if "各单位培训人次与培训完成率" in json.dumps(f["layout"]["title"], ensure_ascii=False))
    bars = fig["data"][0]
    xs = _values(bars["x"])
    assert len(xs) == charts.TOP_N + 1 and xs[-1] == f"其余 {N - charts.TOP_N} 个单位"
    assert xs[:4] == ["折叠单位049", "折叠单位099", "折叠单位149", "折叠单位199"]           # 51 %, the lowest
    axis = fig["layout"]["xaxis"]                                             # level, wrapped labels
    assert axis["tickangle"] == 0 and axis["tickvals"] == xs
    assert axis["ticktext"][:2] == ["折叠单位<br>049", "折叠单位<br>099"] and axis["ticktext"][-1] == "其余 185<br>个单位"
    assert _values(bars["customdata"])[-1] == f"其余 {N - charts.TOP_N} 个单位"        # a click names the full group
    rate = _values(fig["data"][2]["y"])
    shown = sum(100 - i % 50 for i in range(N)) - sum(sorted(100 - i % 50 for i in range(N))[:charts.TOP_N])
    assert rate[-1] == pytest.approx(shown / (100 * (N - charts.TOP_N)))          # Σ attended ÷ Σ planned of the rest
    # the rest's sums are written, not drawn: a bar of 185 companies would dwarf every company's bars
    for trace in fig["data"][:2]:
        ys = _values(trace["y"])
        assert math.isnan(ys[-1]) and all(y > 0 for y in ys[:-1])
    totals = [a["text"] for a in fig["layout"]["annotations"] if a["text"].startswith("合计")]
    assert [re.sub(r"<[^>]+>", " ", t).split() for t in totals] == [["合计", f"{100 * (N - charts.TOP_N):,}", f"{shown:,}"]]
    assert fig["layout"]["yaxis"]["range"][1] == pytest.approx(100 * 1.7)        # scaled to the companies' bars
    assert "其余 185 个单位合并" in json.dumps(fig["layout"]["title"], ensure_ascii=False)
    summary = next(d.value for d in at.dataframe if "培训完成率" in d.value.columns and "安全投入完成率" in d.value.columns)
    assert len(summary) == charts.TOP_N + 1 and summary["单位"].iloc[1] == name(49)
    assert any(e.label == f"全部 {N} 个单位" for e in at.expander)
    # the folded bar's click lists the training of its 185 companies
    rest = f"其余 {N - charts.TOP_N} 个单位"
    at.session_state["tr_company"] = {"selection": {"points": [{"x": xs[-1], "customdata": rest}],
                                                    "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    assert any(f"{rest} 培训记录（{N - charts.TOP_N} 条）" in m.value for m in at.markdown)


def test_training_page_says_when_a_ledger_has_no_rows_instead_of_empty_bars(monkeypatch, fold_db):
    """fold_db holds training but no safety investment: the investment tab says so, with no chart of zeros."""
    at = _page(monkeypatch, fold_db, "pages/training_investment.py")
    titles = [json.dumps(json.loads(c.proto.spec)["layout"]["title"], ensure_ascii=False) for c in at.get("plotly_chart")]
    assert any("各单位培训人次与培训完成率" in t for t in titles)
    assert not any("安全投入" in t for t in titles)
    infos = [i.value for i in at.info]
    assert any("没有安全生产投入记录" in i for i in infos) and not any("没有培训记录" in i for i in infos)


def test_indicator_bars_and_matrix_worst_first(monkeypatch, fold_db):
    at = _page(monkeypatch, fold_db, "pages/indicators.py")
    fig = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
               if "各单位指标达标情况" in json.dumps(json.loads(c.proto.spec)["layout"]["title"], ensure_ascii=False))
    assert f"突破、未达标最多的 {charts.TOP_N} 个单位，共 {N} 个" in json.dumps(fig["layout"]["title"], ensure_ascii=False)
    names = _values(fig["data"][0]["y"])
    assert len(names) == charts.TOP_N and names[:3] == ["折叠单位005", "折叠单位007", "折叠单位000"]
    breach = dict(zip(names, _values(fig["data"][2]["x"])))                     # the 突破 trace
    assert breach["折叠单位005"] == 1 and breach["折叠单位007"] == 1 and breach["折叠单位000"] == 0
    grid = next(d.value for d in at.dataframe if "隐患整改率" in d.value.columns and "死亡人数" in d.value.columns)
    assert len(grid) == N and list(grid["单位"][:2]) == [name(5), name(7)]


def test_trend_by_company_top_n_legend_short_and_a_click_lists_the_company(monkeypatch, fold_db):
    at = _page(monkeypatch, fold_db, "pages/hazard_trends.py")
    total, top = (json.loads(c.proto.spec) for c in at.get("plotly_chart")[:2])
    assert sum(sum(_values(t["y"])) for t in total["data"]) == sum(i % 7 + 1 for i in range(N)) + 1
    names = [t["name"] for t in top["data"]]
    assert len(names) == charts.TOP_N and names[:2] == ["折叠单位006", "折叠单位013"]        # 7 hazards each, first
    at.session_state["trend_chart"] = {"selection": {"points": [{"x": "2026-02", "customdata": [name(6)]}],
                                                     "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    assert any(f"2026-02 {name(6)} 的隐患明细（7 项）" in h.value for h in at.subheader)
    at.session_state["trend_chart"] = {"selection": {"points": [], "point_indices": [], "box": [], "lasso": []}}
    at.session_state["trend_total"] = {"selection": {"points": [{"x": "2026-02"}], "point_indices": [0], "box": [],
                                                     "lasso": []}}
    at.run()                              # a click on the total: every selected company's hazards of that month
    assert not at.exception
    assert any(f"2026-02  的隐患明细（{sum(i % 7 + 1 for i in range(N))} 项）" in h.value for h in at.subheader)


@pytest.mark.parametrize("name, wrapped", [
    ("丝路物流", "丝路物流"),                        # short: unchanged
    ("基准单位008", "基准单位<br>008"),              # digits stay together and count half
    ("其余 185 个单位", "其余 185<br>个单位"),
    ("华电新能源发电", "华电新能<br>源发电"),
    ("A&amp;B能源集团", "A&amp;B能源<br>集团"),      # an escaped entity is never cut (labels come escaped)
    ("&lt;b&gt;能源集团公司", "&lt;b&gt;能源<br>集团公司"),
])
def test_column_chart_labels_wrap_without_cutting_numbers_or_entities(name, wrapped):
    assert charts.wrap_label(name) == wrapped
