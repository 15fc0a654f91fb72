"""The staged columns held as Arrow (Frame.arrow, docs/ingest.md §8 "Third pass"): the same values as the lists, and
the table the load inserts is the one the lists alone gave."""
from __future__ import annotations

import datetime as dt

import pyarrow as pa

from analytics.ingest import load, pipeline
from analytics.ingest.frame import Frame
from tests.builders import golden_files, merged_record_rows, new_store

TODAY = dt.date(2026, 11, 25)


def _staged(monkeypatch, paths) -> dict[str, Frame]:
    """The frames each ledger's batch would load (a preview: the comparison sees them)."""
    seen: dict[str, Frame] = {}
    real = pipeline.diff_records

    def spy(fetch, ledger, records, coverage=(), cur=None):
        seen[ledger] = records
        return real(fetch, ledger, records, coverage, cur)
    monkeypatch.setattr(pipeline, "diff_records", spy)
    s = new_store()
    for p in paths:
        res = pipeline.ingest_file(s, p, today=TODAY, dry_run=True)
        assert res.status == pipeline.PREVIEW, [e.line() for e in res.errors]
    return seen


def _by_lists(ledger: str, records: Frame, batch_id: int) -> pa.Table:
    """What the load inserted before the frames held Arrow: every column converted from its list."""
    types = load.arrow_types(ledger)
    data = {n: [batch_id] * len(records) if n == "batch_id" else records.column(n) for n in types}
    return pa.table(data, schema=pa.schema(list(types.items())))


def test_every_staged_arrow_column_holds_its_lists_values(monkeypatch, tmp_path):
    files = golden_files(tmp_path)
    frames = _staged(monkeypatch, [files["hazards"], files["training"], files["investment"]])
    assert set(frames) == {"hazards", "training", "investment"}
    hz = frames["hazards"]
    # staging built them (not the load's fallback): the table's columns and the raw texts the checks read
    assert {"sheet", "row_no", "company", "found_date", "deadline", "rectified_date", "description", "level",
            "level_raw", "status_raw", "source_raw"} <= set(hz.arrow)
    assert hz.arrow["found_date"].type == pa.date32() and hz.arrow["row_no"].type == pa.int32()
    for ledger, f in frames.items():
        for name, a in f.arrow.items():
            assert a.to_pylist() == pa.array(f.column(name), a.type).to_pylist(), (ledger, name)


def test_the_inserted_table_is_the_one_the_lists_gave(monkeypatch, tmp_path):
    files = golden_files(tmp_path)
    merged = merged_record_rows(tmp_path / "merged.xlsx")       # rows of one record joined: values added by merges
    frames = _staged(monkeypatch, [files["hazards"], files["training"], files["investment"], merged])
    for ledger, f in frames.items():
        fresh = Frame(dict(f.columns), len(f))                  # the same lists, no Arrow
        assert load._arrow(ledger, f, 7).equals(_by_lists(ledger, fresh, 7)), ledger


def test_a_replaced_or_taken_column_never_keeps_a_stale_arrow_array():
    f = Frame({"a": ["x", "y", None], "n": [1, 2, 3]}, 3, {"a": pa.array(["x", "y", None]), "n": pa.array([1, 2, 3])})
    f["a"] = ["p", None, "q"]
    assert "a" not in f.arrow and f.arrow_column("a", pa.string()).to_pylist() == ["p", None, "q"]
    assert f.texts("n") is None                                 # held as integers: no text
    t = f.take([2, 0])
    assert t.arrow["a"].to_pylist() == ["q", "p"] and t.arrow["n"].to_pylist() == [3, 1]
    both = Frame.concat([f, Frame({"a": ["z"]}, 1)])            # the second has no Arrow: the lists decide
    assert "a" not in both.arrow and both.arrow_column("a", pa.string()).to_pylist() == ["p", None, "q", "z"]
