"""read_workbook on calamine's corpus of odd and broken spreadsheets (shared/foreign-spreadsheets).

Every file must either give sheets of allowed cell values or a ReadError with a Chinese
message: never another exception, never a hang, never unbounded memory (the parse runs in a
memory- and time-limited child process). The files stay beside the project; they are not copied.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from analytics.ingest.read import CellError, RawSheet, ReadError, read_workbook

FOLDER = Path(__file__).resolve().parents[3].parent / "shared" / "foreign-spreadsheets"
if not FOLDER.is_dir():
    pytest.skip("shared/foreign-spreadsheets is absent", allow_module_level=True)

FILES = sorted(p for p in FOLDER.iterdir() if p.is_file() and p.name not in ("README.md", "LICENSE-MIT.md"))
ALLOWED = (type(None), str, int, float, bool, dt.datetime, dt.date, dt.time, dt.timedelta, CellError)
CJK = re.compile(r"[\u4e00-\u9fff]")
ENCRYPTED = {"pass_protected.xlsx", "pass_protected.xlsb", "pass_protected.ods", "issue_385.xls"}


def test_the_corpus_is_there():
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_sheets_or_read_error(path: Path):
    try:
        sheets = read_workbook(path.read_bytes(), path.name)
    except ReadError as e:
        assert CJK.search(str(e)), str(e)
        assert path.name not in ENCRYPTED or "密码" in str(e)
        return
    assert path.name not in ENCRYPTED
    assert isinstance(sheets, list)
    for sheet in sheets:
        assert isinstance(sheet, RawSheet)
        assert isinstance(sheet.name, str) and isinstance(sheet.hidden, bool)
        assert isinstance(sheet.rows, list)
        for row in sheet.rows:
            assert isinstance(row, list)
            for v in row:
                assert isinstance(v, ALLOWED), (sheet.name, type(v), v)
                assert v != "", "empty strings must read as None"
                if isinstance(v, CellError):
                    assert v.code.startswith("#"), v
