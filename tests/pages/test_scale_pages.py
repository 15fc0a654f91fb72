"""Pages at a large group's size (issue 11): 200 companies in five 板块, 50,000 overdue hazards — every page draws
without an error, records tables cap with their total stated, company charts keep the top N."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics import companies as reg
from analytics.store.db import Store
from ui import charts

from tests.builders import xlsx
from tests.dbs import use_db_for_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
N_OVERDUE = 50_000


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scale")
    path = tmp / "scale.duckdb"
    s = Store(path)
    rows = [[f"规模单位{i:03d}有限公司", f"规模{i:03d}", f"第{i % 5 + 1}板块"] for i in range(200)]
    reg.import_registry(s, xlsx(tmp / "reg.xlsx", {"单位": [["单位名称", "简称或别名", "所属板块"], *rows]}).read_bytes())
    with s.write() as cur:            # every hazard found in 2026, none rectified, all past their deadline
        cur.execute("""INSERT INTO hazards (batch_id, key, company, hazard_no, found_date, level, deadline, status,
                                            description, owner, location, category)
            SELECT 1, 'k' || i, '规模单位' || lpad(CAST(i % 200 AS VARCHAR), 3, '0') || '有限公司', 'H-' || i,
                   DATE '2026-01-01' + CAST(i % 100 AS INTEGER), CASE WHEN i % 50 = 0 THEN '重大' ELSE '一般' END,
                   DATE '2026-01-04' + CAST(i % 100 AS INTEGER), '未整改', '隐患' || i, '责任人' || (i % 97),
                   '部位' || (i % 300), '消防安全'
            FROM range(?) r(i)""", [N_OVERDUE])
        # one later, rectified hazard: the pages' "today" (the last day with data) is after every deadline above
        cur.execute("""INSERT INTO hazards (batch_id, key, company, found_date, level, deadline, status, rectified_date)
                       VALUES (1, 'last', '规模单位000有限公司', DATE '2026-06-30', '一般', DATE '2026-07-05', '已整改',
                               DATE '2026-06-30')""")
    s.close()
    return path


def _values(v) -> list:
    """A plotly array from the chart's JSON (numbers come base64-encoded as {"dtype", "bdata"})."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def _page(monkeypatch, path, page: str) -> AppTest:
    use_db_for_app(monkeypatch, path)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def test_rectification_with_50000_overdue_hazards(monkeypatch, big_db):
    at = _page(monkeypatch, big_db, "pages/rectification.py")
    assert any(f"共 {N_OVERDUE:,} 条，表中显示前 {charts.MAX_TABLE_ROWS:,} 条" in c.value for c in at.caption)
    assert any(f"逾期未整改隐患明细（{N_OVERDUE} 项）" in e.label for e in at.expander)
    bars = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    ageing = next(b for b in bars if "逾期天数分布" in json.dumps(b["layout"]["title"], ensure_ascii=False))
    companies = {y for trace in ageing["data"] for y in trace["y"]}
    assert len(companies) == charts.TOP_N + 1 and "其余 185 个单位" in companies
    for trace in ageing["data"]:         # the folded bar is paler than the companies' bars, its total written
        assert [o for y, o in zip(trace["y"], _values(trace["marker"]["opacity"])) if y == "其余 185 个单位"] == [charts.FOLD_OPACITY]
        assert {o for y, o in zip(trace["y"], _values(trace["marker"]["opacity"])) if y != "其余 185 个单位"} == {1.0}
    rest = sum(x for t in ageing["data"] for y, x in zip(t["y"], _values(t["x"])) if y == "其余 185 个单位")
    assert sum(sum(_values(t["x"])) for t in ageing["data"]) == N_OVERDUE and 0 < rest < N_OVERDUE
    assert [a["text"] for a in ageing["layout"]["annotations"]] == [f"合计 {rest:,} 项"]
    assert "（最多的 15 个单位，其余 185 个单位合并）" in json.dumps(ageing["layout"]["title"], ensure_ascii=False)


def test_overview_folds_green_and_draws(monkeypatch, big_db):
    at = _page(monkeypatch, big_db, "pages/overview.py")
    assert len(at.metric) >= 10


def test_trends_by_company_keep_top_n_and_fold_the_rest(monkeypatch, big_db):
    at = _page(monkeypatch, big_db, "pages/hazard_trends.py")
    total, top = (json.loads(c.proto.spec) for c in at.get("plotly_chart")[:2])
    assert "所选单位合计" in json.dumps(total["layout"]["title"], ensure_ascii=False)
    assert sum(sum(_values(t["y"])) for t in total["data"]) == N_OVERDUE + 1           # every hazard of the window
    names = [t["name"] for t in top["data"]]
    assert len(names) == charts.TOP_N and "其余 185 个单位" not in names               # the rest only in the total
    assert names[0] == "规模单位000" and all(not n.endswith("有限公司") for n in names)      # short names in the legend
    assert top["data"][0]["customdata"][0][0] == "规模单位000有限公司"                     # a click: the full name
    assert sum(sum(_values(t["y"])) for t in top["data"]) == 15 * N_OVERDUE // 200 + 1  # 250 each, 000 has “last”
    assert any("其余 185 个单位只计入上图合计" in c.value for c in at.caption)
    at.segmented_control(key="trend_by").set_value("parent").run()
    assert not at.exception
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert sorted(t["name"] for t in fig["data"]) == [f"第{i}板块" for i in range(1, 6)]


def test_sidebar_drills_into_a_parent(monkeypatch, big_db):
    at = _page(monkeypatch, big_db, "pages/rectification.py")
    at.selectbox(key="f_parent").select("第1板块").run()
    assert not at.exception and not at.error
    assert any("逾期未整改隐患明细（10000 项）" in e.label for e in at.expander)


def test_overview_summary_of_repeats_and_its_download_with_the_hazard_lists(monkeypatch, big_db):
    """总览 lists 需要关注 one line per company (read without the spans' hazard lists); its download, built on
    click, holds every flag with the hazard numbers of each span."""
    import io
    import openpyxl
    from tests.dbs import deferred_downloads
    deferred = deferred_downloads(monkeypatch)
    at = _page(monkeypatch, big_db, "pages/overview.py")
    summary = next(df.value for df in at.dataframe if "需要关注" in df.value.columns)
    assert len(summary) == 200 and summary["需要关注"].str.contains(r"重复隐患 3 处（最多：部位\d+·消防安全 84 项）").all()
    data, _ = deferred["需要关注.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data()))["数据"]
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    texts = [r[head.index("情况说明")] for r in ws.iter_rows(min_row=2, values_only=True) if r[head.index("类型")] == "重复隐患"]
    assert len(texts) == 600 and all("（H-" in t and "天内发现" in t for t in texts)
