"""The drawn-output caches of the pages (ui/charts.py: figures built once per data, record and RAG table cells
replayed): a rerun without a write draws exactly what the first run drew, and an upload and a revert made by
another process (the command line) show on the very next rerun — never a stale figure or table."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from analytics.store import db
from analytics.figures import cache
from tests.dbs import golden_file, registry_store, use_db_for_app

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def cli(path: Path, *args: str) -> None:
    cache.join_rewarm()
    for s in list(db._STORES.values()):         # DuckDB: one process holds the file at a time
        s.close()
    subprocess.run([sys.executable, "-m", "analytics", "--db", str(path), *args], cwd=ROOT, check=True,
                   capture_output=True, text=True)


def drawn(at: AppTest) -> dict:
    """What the page shows: its numbers, its tables' rows and its charts' data."""
    return {"metrics": {m.label: m.value for m in at.metric},
            "tables": [d.value.astype(str).to_dict("records") for d in at.dataframe],
            "html_tables": [t.proto.arrow_data.data for t in at.table],
            "charts": [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]}


def majors(at: AppTest) -> list[str]:
    return [no for d in at.dataframe if "隐患编号" in d.value.columns and "逾期天数" in d.value.columns
            for no in d.value["隐患编号"]]


def rate_bars(at: AppTest) -> dict:
    """The 整改率 chart of 整改情况: company → the drawn 隐患整改率."""
    for c in at.get("plotly_chart"):
        for trace in json.loads(c.proto.spec)["data"]:
            if trace.get("name") == "隐患整改率":
                return {k: (None if v is None or v != v else v) for k, v in zip(_values(trace["customdata"]),
                                                                               _values(trace["x"]))}
    return {}


def _values(v) -> list:
    """A plotly JSON array: a list, or numbers packed as {"bdata": base64, "dtype": …}."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def test_rerun_replays_the_same_drawing_and_writes_elsewhere_show_next_run(monkeypatch, tmp_path):
    path = tmp_path / "caches.duckdb"
    registry_store(path).close()
    use_db_for_app(monkeypatch, path)
    cache.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/rectification.py").run()
    assert not at.exception, at.exception
    assert majors(at) == [] and set(rate_bars(at).values()) <= {None}

    cli(path, "ingest", str(golden_file(tmp_path)))               # another process uploads
    at.run()
    first = drawn(at)
    assert majors(at) == ["LY-05", "LY-04", "LY-03"]              # the golden open majors, most overdue first
    assert rate_bars(at) == {"陇原电力有限公司": 2 / 7, "河西新能源有限公司": None}     # 2 of 7 rectified
    at.run()                                                      # no write: the cached drawing, the same
    assert drawn(at) == first

    at.switch_page("pages/overview.py").run()
    assert {m.label: m.value for m in at.metric}["排查隐患"] == "7"
    cli(path, "revert", "1")                                      # another process reverts the batch
    at.run()
    assert {m.label: m.value for m in at.metric}["排查隐患"] == "0"
    at.switch_page("pages/rectification.py").run()
    assert majors(at) == [] and set(rate_bars(at).values()) <= {None}
    assert not at.exception
