"""Staged records of one ledger, column by column: what staging produces, the checks read and the load inserts.

A `Frame` holds one list per field (name → values, every list as long as the frame), so the checks compare
whole columns (numpy) and the load hands the columns to DuckDB as they are; iterating it still gives one dict
per record, for the few places that look at single records (an error message, a changed field).

Beside the lists a frame may hold columns as Arrow arrays of the same values (`arrow`): staging builds them from
each column's distinct values (one conversion per distinct value, then a take by the rows' codes), and
`arrow_column` keeps any conversion it makes, so the checks, the comparison and the load convert a column at most
once. A column's list is never changed in place: `frame[name] = values` sets a new one (and drops its Arrow array).
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pyarrow as pa


class Frame:
    def __init__(self, columns: dict[str, list] | None = None, n: int | None = None,
                 arrow: dict[str, pa.Array] | None = None):
        self.columns: dict[str, list] = dict(columns or {})
        lengths = {len(v) for v in self.columns.values()}
        if n is None:
            n = lengths.pop() if lengths else 0
        assert not lengths or lengths == {n}, "every column of a frame has one value per record"
        self.n = n
        self.arrow: dict[str, pa.Array] = {k: a for k, a in (arrow or {}).items() if k in self.columns}
        assert all(len(a) == n for a in self.arrow.values()), "an Arrow column has one value per record"

    @classmethod
    def from_records(cls, records: Iterable[dict]) -> "Frame":
        records = list(records)
        names = list(dict.fromkeys(k for r in records for k in r))
        return cls({k: [r.get(k) for r in records] for k in names}, len(records))

    @classmethod
    def concat(cls, frames: list["Frame"]) -> "Frame":
        frames = [f for f in frames if f.n]
        if len(frames) == 1:
            return frames[0]
        names = list(dict.fromkeys(k for f in frames for k in f.columns))
        arrow = {}
        for k in names:
            parts = [f.arrow.get(k) for f in frames]
            if all(a is not None and a.type == parts[0].type for a in parts):
                arrow[k] = pa.concat_arrays(parts)
        return cls({k: [v for f in frames for v in f.column(k)] for k in names}, sum(f.n for f in frames), arrow)

    def __len__(self) -> int:
        return self.n

    def __bool__(self) -> bool:
        return self.n > 0

    def column(self, name: str) -> list:
        """A column's values; a column the frame does not have is all None."""
        col = self.columns.get(name)
        return col if col is not None else [None] * self.n

    def arrow_column(self, name: str, type: pa.DataType) -> pa.Array:
        """A column as an Arrow array of `type`: the one the frame holds (the same values), else the list converted
        (`pa.array(values, type)`, as the load always did), kept for the next caller."""
        a = self.arrow.get(name)
        if a is not None and a.type == type:
            return a
        a = pa.array(self.column(name), type)
        if name in self.columns:
            self.arrow[name] = a
        return a

    def texts(self, name: str) -> pa.Array | None:
        """The column as an Arrow string array when it holds only texts and blanks (None otherwise): a column the
        frame holds as Arrow of another type holds no text."""
        a = self.arrow.get(name)
        if a is not None:
            return a if a.type == pa.string() else None
        if set(map(type, self.column(name))) <= {str, type(None)}:
            return self.arrow_column(name, pa.string())
        return None

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __setitem__(self, name: str, values: list) -> None:
        assert len(values) == self.n
        self.columns[name] = values
        self.arrow.pop(name, None)

    def __getitem__(self, i: int) -> dict:
        return {k: v[i] for k, v in self.columns.items()}

    def __iter__(self) -> Iterator[dict]:
        names = list(self.columns)
        for vals in zip(*self.columns.values()):
            yield dict(zip(names, vals))

    def take(self, rows: list[int]) -> "Frame":
        idx = pa.array(rows, pa.int64())
        return Frame({k: [v[i] for i in rows] for k, v in self.columns.items()}, len(rows),
                     {k: a.take(idx) for k, a in self.arrow.items()})

    def __repr__(self) -> str:
        return f"Frame({self.n} records: {', '.join(self.columns)})"
