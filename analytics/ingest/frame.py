"""Staged records of one ledger, column by column: what staging produces, the checks read and the load inserts.

A `Frame` holds one list per field (name → values, every list as long as the frame), so the checks compare
whole columns (numpy) and the load hands the columns to DuckDB as they are; iterating it still gives one dict
per record, for the few places that look at single records (an error message, a changed field).
"""
from __future__ import annotations

from typing import Iterable, Iterator


class Frame:
    def __init__(self, columns: dict[str, list] | None = None, n: int | None = None):
        self.columns: dict[str, list] = dict(columns or {})
        lengths = {len(v) for v in self.columns.values()}
        if n is None:
            n = lengths.pop() if lengths else 0
        assert not lengths or lengths == {n}, "every column of a frame has one value per record"
        self.n = n

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
        return cls({k: [v for f in frames for v in f.column(k)] for k in names}, sum(f.n for f in frames))

    def __len__(self) -> int:
        return self.n

    def __bool__(self) -> bool:
        return self.n > 0

    def column(self, name: str) -> list:
        """A column's values; a column the frame does not have is all None."""
        col = self.columns.get(name)
        return col if col is not None else [None] * self.n

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __setitem__(self, name: str, values: list) -> None:
        assert len(values) == self.n
        self.columns[name] = values

    def __getitem__(self, i: int) -> dict:
        return {k: v[i] for k, v in self.columns.items()}

    def __iter__(self) -> Iterator[dict]:
        names = list(self.columns)
        for vals in zip(*self.columns.values()):
            yield dict(zip(names, vals))

    def take(self, rows: list[int]) -> "Frame":
        return Frame({k: [v[i] for i in rows] for k, v in self.columns.items()}, len(rows))

    def __repr__(self) -> str:
        return f"Frame({self.n} records: {', '.join(self.columns)})"
