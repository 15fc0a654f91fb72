"""Spreadsheet cells as Arrow columns: how the reading child hands a sheet to the ingest without a Python object
per cell (stdlib + pyarrow only: the child process imports this module by path, never the analytics package).

A column whose cells are all of one type (besides empty) is a plain Arrow array: string, float64, int64, bool,
timestamp[us] (a datetime cell), date32 (a date cell). A column that mixes types (a date column where someone
typed "10.5", an error cell #REF!, a time or duration cell) is a MIXED struct array: k = the cell's kind, and the
value in s (text, error code), f (float, bool), i (int; time and duration in microseconds) or t (datetime, date).
Decoding gives back exactly the Python values the reader produced (None, str, int, float, bool, datetime, date,
time, timedelta, CellError), so the as-typed value of every cell can still be quoted in a message.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class CellError:
    """An Excel error cell such as #REF!, #DIV/0!, #N/A, #VALUE!."""
    code: str


K_NONE, K_STR, K_FLOAT, K_INT, K_BOOL, K_DATETIME, K_DATE, K_TIME, K_DELTA, K_ERROR = range(10)
MIXED = pa.struct([("k", pa.int8()), ("s", pa.string()), ("f", pa.float64()), ("i", pa.int64()),
                   ("t", pa.timestamp("us"))])
TYPED = {str: pa.string(), float: pa.float64(), int: pa.int64(), bool: pa.bool_(),
         dt.datetime: pa.timestamp("us"), dt.date: pa.date32()}
_KIND_OF_TYPE = {pa.string(): K_STR, pa.float64(): K_FLOAT, pa.int64(): K_INT, pa.bool_(): K_BOOL,
                 pa.timestamp("us"): K_DATETIME, pa.date32(): K_DATE}
_MIDNIGHT = dt.datetime(1970, 1, 1)
_INT64 = (-(1 << 63), 1 << 63)


def encode(col: list) -> tuple[pa.Array, list[int], list]:
    """One column's cells ("" or None = empty) → (body, rows, values): the body is a typed Arrow array of the
    column's most common type; the cells of any other type (the header above a date column, a "10.5" typed
    into it, an error cell) are empty in the body and listed as (row index, value) exceptions."""
    n = len(col)
    try:                                            # texts only (most columns): one pass in Arrow
        a = pa.array(col, pa.string())
    except (pa.ArrowException, TypeError, ValueError):
        a = None
    if a is not None:
        empty = pc.equal(a, "")
        n_empty = pc.sum(empty).as_py() or 0
        if a.null_count + n_empty == n:             # an empty cell is no text: nothing here
            return pa.nulls(n, pa.null()), [], []
        if n_empty:
            a = pc.if_else(empty, pa.scalar(None, pa.string()), a)
        return a, [], []
    types = list(map(type, col))
    counts = Counter(types)
    counts.pop(type(None), None)
    empty = 0
    if str in counts:                               # an empty cell is no text: it must not make a column text
        empty = sum(1 for v, t in zip(col, types) if t is str and v == "")
        counts[str] -= empty
        if not counts[str]:
            del counts[str]
    typed = [(k, t) for t, k in counts.items() if t in TYPED]
    if not typed:                                   # empty, or only times, durations, errors…
        rows = [i for i, v in enumerate(col) if v is not None and v != ""]
        return pa.nulls(n, pa.null()), rows, [col[i] for i in rows]
    dom = max(typed, key=lambda x: (x[0], x[1] is str))[1]
    other = [i for i, t in enumerate(types) if t is not dom and t is not _NONE]
    body = col
    if other:                                       # "" and the cells of other types: empty in the body
        body = list(col)
        for i in other:
            body[i] = None
    rows = [i for i in other if not (types[i] is str and col[i] == "")]
    try:
        a = pa.array(body, TYPED[dom])
    except (pa.ArrowInvalid, OverflowError):        # e.g. an int beyond int64: every cell an exception
        rows = [i for i, v in enumerate(col) if v is not None and v != ""]
        return pa.nulls(n, pa.null()), rows, [col[i] for i in rows]
    if dom is str and empty:
        a = pc.if_else(pc.equal(a, ""), pa.scalar(None, pa.string()), a)
    return a, rows, [col[i] for i in rows]


_NONE = type(None)


def _encode_mixed(col: list) -> pa.Array:
    k, s, f, i, t = [], [], [], [], []
    for v in col:
        tp = type(v)
        ks = kf = ki = kt = None
        if v is None:
            kind = K_NONE
        elif tp is str:
            kind, ks = K_STR, v
        elif tp is float:
            kind, kf = K_FLOAT, v
        elif tp is bool:
            kind, kf = K_BOOL, float(v)
        elif tp is int:
            if _INT64[0] <= v < _INT64[1]:
                kind, ki = K_INT, v
            else:
                kind, kf = K_FLOAT, float(v)
        elif tp is dt.datetime:
            kind, kt = K_DATETIME, v.replace(tzinfo=None)
        elif tp is dt.date:
            kind, kt = K_DATE, dt.datetime.combine(v, dt.time())
        elif tp is dt.time:
            kind, ki = K_TIME, ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
        elif tp is dt.timedelta:
            kind, ki = K_DELTA, (v.days * 86400 + v.seconds) * 1_000_000 + v.microseconds
        elif tp.__name__ == "CellError":
            kind, ks = K_ERROR, v.code
        else:                                       # nothing else comes from the readers; keep its text
            kind, ks = K_STR, str(v)
        k.append(kind)
        s.append(ks)
        f.append(kf)
        i.append(ki)
        t.append(kt)
    return pa.StructArray.from_arrays([pa.array(k, pa.int8()), pa.array(s, pa.string()), pa.array(f, pa.float64()),
                                       pa.array(i, pa.int64()), pa.array(t, pa.timestamp("us"))], fields=list(MIXED))


def decode(a) -> list:
    """A column (typed or MIXED) → its Python values, as the reader produced them."""
    if a.type != MIXED:
        return a.to_pylist()
    if isinstance(a, pa.ChunkedArray):
        return [v for c in a.chunks for v in decode(c)]
    out = []
    for k, s, f, i, t in zip(*(a.field(n).to_pylist() for n in ("k", "s", "f", "i", "t"))):
        if k == K_NONE:
            out.append(None)
        elif k == K_STR:
            out.append(s)
        elif k == K_FLOAT:
            out.append(f)
        elif k == K_INT:
            out.append(i)
        elif k == K_BOOL:
            out.append(bool(f))
        elif k == K_DATETIME:
            out.append(t)
        elif k == K_DATE:
            out.append(t.date())
        elif k == K_TIME:
            out.append((_MIDNIGHT + dt.timedelta(microseconds=i)).time())
        elif k == K_DELTA:
            out.append(dt.timedelta(microseconds=i))
        else:
            out.append(CellError(s))
    return out


def encode_mixed(values: list) -> pa.Array:
    return _encode_mixed(values)


def join_chunks(chunks: list[pa.Array], offsets: list[int], other: dict[int, object]) -> pa.ChunkedArray:
    """One column's body from its chunks: where the chunks' types differ, the chunks not of the most common type
    become exceptions (`other`: row → value, updated) and empty in the body."""
    types = Counter()
    for c in chunks:
        if c.type != pa.null():
            types[c.type] += len(c) - c.null_count
    if not types:
        return pa.chunked_array(chunks, pa.null())
    t = types.most_common(1)[0][0]
    out = []
    for c, off in zip(chunks, offsets):
        if c.type != t and c.type != pa.null():
            for i, v in enumerate(c.to_pylist()):
                if v is not None:
                    other[off + i] = v
        out.append(c if c.type == t else pa.nulls(len(c), t))
    return pa.chunked_array(out, t)


def table_from_rows(rows: list[list]) -> tuple[pa.Table, dict[int, dict[int, object]]]:
    """A grid of Python values → (a table of column bodies "0", "1", …, the exceptions per column)."""
    width = max(map(len, rows), default=0)
    bodies, other = {}, {}
    for j in range(width):
        body, rs, vs = encode([r[j] if j < len(r) else None for r in rows])
        bodies[str(j)] = body
        if rs:
            other[j] = dict(zip(rs, vs))
    return (pa.table(bodies) if width else pa.table({})), other


def values(body, other: dict[int, object] | None) -> list:
    """A column's Python values: its body with its exceptions in place."""
    out = body.to_pylist()
    for i, v in (other or {}).items():
        if i < len(out):
            out[i] = v
    return out


def rows_of(table: pa.Table, other: dict[int, dict[int, object]], start: int = 0) -> list[list]:
    if table.num_columns == 0:
        return []
    n = table.num_rows
    cols = []
    for j, c in enumerate(table.columns):
        vals = c.to_pylist()
        for i, v in other.get(j, {}).items():
            if start <= i < start + n:
                vals[i - start] = v
        cols.append(vals)
    return [list(r) for r in zip(*cols)]
