"""The columnar pieces of the ingest: cells ↔ Arrow columns, the Frame of staged records, progress."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pyarrow as pa

from analytics.ingest import cells
from analytics.ingest.cells import CellError
from analytics.ingest.frame import Frame
from analytics.ingest.pipeline import CHECKING, DONE, LOADING, READING, ingest_bytes
from analytics.ingest.read import RawSheet, read_workbook
from analytics.companies import add_company
from analytics.store.db import Store

MIXED_COLUMN = ["发现日期", dt.date(2026, 10, 5), "10.5", None, dt.date(2026, 10, 6), CellError("#REF!"), 10.5,
                dt.time(9, 30), dt.timedelta(hours=2), True, 7, dt.date(2026, 10, 7)]


def test_a_mixed_column_keeps_every_value_and_type():
    body, rows, values = cells.encode(list(MIXED_COLUMN))
    assert body.type == pa.date32()                       # the most common type is the body
    assert body.to_pylist() == [None, dt.date(2026, 10, 5), None, None, dt.date(2026, 10, 6)] + [None] * 6 + [
        dt.date(2026, 10, 7)]
    assert rows == [0, 2, 5, 6, 7, 8, 9, 10]
    back = cells.values(body, dict(zip(rows, values)))
    assert back == MIXED_COLUMN
    assert [type(v) for v in back] == [type(v) for v in MIXED_COLUMN]
    mixed = cells.encode_mixed(values)                    # the exceptions' own encoding, as the child writes it
    assert cells.decode(mixed) == values and [type(v) for v in cells.decode(mixed)] == [type(v) for v in values]


def test_empty_strings_are_empty_cells_and_whitespace_is_kept():
    body, rows, _ = cells.encode(["", " a ", "", "b"])
    assert body.to_pylist() == [None, " a ", None, "b"] and rows == []
    body, rows, values = cells.encode(["", 1.0, "", 2.5])
    assert body.type == pa.float64() and body.to_pylist() == [None, 1.0, None, 2.5] and rows == []


def test_chunks_of_different_types_join_with_the_minority_as_exceptions():
    other: dict = {}
    col = cells.join_chunks([pa.array([1.0, 2.0, None]), pa.array(["x", None]), pa.nulls(2, pa.null())], [0, 3, 5],
                            other)
    assert col.type == pa.float64() and col.to_pylist() == [1.0, 2.0, None, None, None, None, None]
    assert other == {3: "x"}


def test_raw_sheet_from_rows_round_trips():
    rows = [["标题", None], [1.0, dt.datetime(2026, 10, 5, 14, 30)], [None, CellError("#N/A")]]
    sh = RawSheet("S", rows)
    fresh = RawSheet("S", table=sh.table, other=sh.other)
    assert fresh.rows == rows and fresh.head(1) == [["标题", None]] and fresh.n_rows == 3 and fresh.width == 2
    assert fresh == sh


def test_the_reader_hands_over_columns_not_python_cells():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["隐患编号", "发现日期"])
    for i in range(200):
        ws.append([f"YH-{i}", dt.date(2026, 10, 1) + dt.timedelta(days=i % 30)])
    ws.append(["合计", "10.5"])
    buf = io.BytesIO()
    wb.save(buf)
    [sheet] = read_workbook(buf.getvalue(), "a.xlsx")
    assert sheet._rows is None                            # nothing built per cell yet
    assert sheet.table.column(1).type == pa.date32()
    assert sheet.other == {1: {0: "发现日期", 201: "10.5"}}
    assert sheet.rows[201] == ["合计", "10.5"] and sheet.rows[1] == ["YH-0", dt.date(2026, 10, 1)]


def test_frame_columns_records_and_concat():
    a = Frame({"sheet": ["s1", "s1"], "row_no": [3, 4], "x": [1, None]})
    b = Frame({"sheet": ["s2"], "row_no": [3], "y": ["z"]})
    both = Frame.concat([a, b])
    assert len(both) == 3 and both.column("x") == [1, None, None] and both.column("y") == [None, None, "z"]
    assert list(both)[2] == {"sheet": "s2", "row_no": 3, "x": None, "y": "z"}
    assert both.take([2, 0]).column("row_no") == [3, 3] and both.column("absent") == [None] * 3
    assert Frame.from_records([{"a": 1}, {"b": 2}]).columns == {"a": [1, None], "b": [None, 2]}


def test_progress_is_reported_in_order_up_to_done(tmp_path):
    s = Store(tmp_path / "p.duckdb")
    add_company(s, "陇原电力有限公司")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "发现日期", "隐患描述", "隐患等级", "整改期限", "整改状态"])
    ws.append(["陇原电力有限公司", dt.date(2026, 10, 5), "配电箱未上锁", "一般", dt.date(2026, 10, 20), "整改中"])
    buf = io.BytesIO()
    wb.save(buf)
    seen = []
    res = ingest_bytes(s, buf.getvalue(), "p.xlsx", today=dt.date(2026, 11, 1),
                       progress=lambda f, what: seen.append((round(f, 2), what)))
    assert res.status == "loaded", res.errors
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and seen[0] == (0.0, READING) and seen[-1] == (1.0, DONE)
    assert [w for w in dict.fromkeys(w for _, w in seen)] == [READING, CHECKING, LOADING, DONE]
    s.close()
