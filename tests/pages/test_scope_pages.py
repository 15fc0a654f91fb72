"""A user scoped to a 板块 (issue 10 leftovers): on every page they may open, no other company's name and no
group figure that counts other companies; the figures shown are their 板块's. Demo data, 能源板块 = 陇原电力 +
河西新能源; the officer `nengyuan` (上传, scope 能源板块)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.demo import COMPANIES
from analytics.demo_load import load_demo
from analytics.figures.metrics import compute
from analytics.store.db import Store
from analytics import companies as reg
from tests.dbs import add_user, log_in, use_db_for_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")
BLOCK = ("陇原电力有限公司", "河西新能源有限公司")
PAGES = ["pages/overview.py", "pages/meeting.py", "pages/indicators.py", "pages/accidents.py",
         "pages/hazard_trends.py", "pages/rectification.py", "pages/training_investment.py",
         "pages/company_profile.py", "pages/documents.py", "pages/upload.py", "pages/account.py"]


def _short(name: str) -> str:
    return name.removesuffix("有限公司").removesuffix("工程")


OTHERS = [_short(n) for n, _ in COMPANIES if n not in BLOCK]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("scope") / "scope.duckdb"
    s = Store(path)
    load_demo(s, out_dir=path.parent / "demo")
    for c in BLOCK:
        reg.set_parent(s, c, "能源板块")
    add_user(s, "nengyuan", "上传", ("能源板块",))
    s.close()
    return path


def _texts(at: AppTest) -> list[str]:
    """Everything a reader can see on the page: text elements, metric labels and values, widget options, table
    and dataframe cells, every chart's figure JSON."""
    out = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            walk(child)
        v = getattr(node, "value", None)
        if hasattr(v, "to_csv"):
            out.append(v.to_csv())
        elif isinstance(v, (str, int, float)):
            out.append(str(v))
        for attr in ("label", "options", "help"):
            a = getattr(node, attr, None)
            if a:
                out.append(json.dumps(a, ensure_ascii=False, default=str) if not isinstance(a, str) else a)
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "spec"):
            out.append(proto.spec)                  # plotly figure JSON
    walk(at._tree)
    return out


@pytest.mark.parametrize("page", PAGES)
def test_a_block_officer_sees_only_the_blocks_companies(monkeypatch, demo_db, page):
    path = demo_db
    use_db_for_app(monkeypatch, path)
    at = AppTest.from_file(APP, default_timeout=120)
    log_in(at, "nengyuan")
    at.run()
    at.switch_page(page).run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    seen = "\n".join(_texts(at))
    assert "陇原电力" in seen or "河西新能源" in seen or page == "pages/account.py"
    leaks = [o for o in OTHERS if o in seen]
    where = [t[:200] for t in _texts(at) if any(o in t for o in OTHERS)]
    assert not leaks, f"{page} shows {leaks}: {where[:3]}"
    if page == "pages/overview.py":            # the 排查隐患 figure counts the 板块's hazards, not the group's
        window = at.session_state["filters"].window
        s = Store(path)
        mine, everyone = (compute(s, window, c)["group"]["hazards_found"] for c in (list(BLOCK), None))
        s.close()
        assert 0 < mine < everyone
        assert {m.label: m.value for m in at.metric}["排查隐患"] == f"{mine:,}"
