"""Fuzz (hypothesis): a valid ledger with its cells, types, header words or zip bytes mutated is either loaded
whole or rejected with errors — never a traceback, a hang or a partial load (issue 10)."""
from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from analytics.ingest.pipeline import ingest_bytes
from tests.builders import golden_hazard_rows, xlsx
from tests.dbs import GOLDEN_TODAY, registry_store

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_VALUE = st.one_of(st.none(), _TEXT, st.integers(-10 ** 6, 10 ** 6), st.floats(allow_nan=True, allow_infinity=True),
                   st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(
                       ["已整改", "未整改", "重大", "一般", "=1/0", "#REF!", "/", "——", "2026.13.40", "陇原电力", "合计"]))
_HEADER_WORDS = ["单位", "编号", "发现日期", "隐患描述", "隐患等级", "整改期限", "整改状态", "完成日期", "备注", "", "序号"]
_ILLEGAL = set(range(0x00, 0x20)) - {0x09, 0x0a, 0x0d}


def _cellsafe(v):
    """openpyxl cannot write C0 control characters into a cell (a real workbook cannot hold them either)."""
    return "".join(c for c in v if ord(c) not in _ILLEGAL) if isinstance(v, str) else v


_MUTATION = st.one_of(
    st.tuples(st.just("cell"), st.integers(3, 12), st.integers(0, 13), _VALUE),
    st.tuples(st.just("header"), st.integers(0, 13), st.sampled_from(_HEADER_WORDS), st.none()),
    st.tuples(st.just("row"), st.integers(3, 14), st.none(), st.none()),
)
_BYTES = st.tuples(st.just("bytes"), st.integers(0, 10 ** 6), st.integers(0, 255), st.none())


def _workbook(mutations) -> bytes:
    rows = [list(r) for r in golden_hazard_rows()]
    for kind, a, b, v in mutations:
        if kind == "cell" and a < len(rows):
            rows[a] += [None] * (b + 1 - len(rows[a]))
            rows[a][b] = _cellsafe(v)
        elif kind == "header":
            rows[2][a] = b
        elif kind == "row" and a < len(rows):
            del rows[a]
    with tempfile.TemporaryDirectory() as d:
        return xlsx(Path(d) / "f.xlsx", {"10月": rows}).read_bytes()


def _check(data: bytes) -> None:
    s = registry_store()
    res = ingest_bytes(s, data, "陇原电力2026年10月隐患台账.xlsx", today=GOLDEN_TODAY)
    n_batches, n_rows = s.scalar("SELECT count(*) FROM batches"), s.scalar("SELECT count(*) FROM hazards_versions")
    if res.status == "loaded":
        assert res.batch_ids and n_batches == len(res.batch_ids) and n_rows == sum(res.ledgers.values())
        assert not res.errors
    else:
        assert res.status in ("rejected", "no_ledger") and res.errors and res.message
        assert n_batches == 0 and n_rows == 0                      # nothing of a rejected file is kept
        assert all(e.message for e in res.errors)


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


@FUZZ
@given(st.lists(_MUTATION, min_size=1, max_size=6))
def test_mutated_cells_headers_and_rows_load_whole_or_are_rejected(mutations):
    _check(_workbook(mutations))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(_BYTES, min_size=1, max_size=8))
def test_mutated_zip_bytes_load_whole_or_are_rejected(flips):
    data = bytearray(_workbook([]))
    for _, at, byte, _ in flips:
        data[at % len(data)] = byte
    _check(bytes(data))
