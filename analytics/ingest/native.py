"""The reading child's fast path for .xlsx (issue 11 point 1; docs/ingest.md §8 "The native scanner").

The workbook's small parts (relationships, workbook.xml, styles.xml) are read here with the standard library; the
shared strings and each worksheet's cells by `_xlsxscan` (C, analytics/ingest/_xlsxscan.c, built by `make`),
which hands back typed columns as buffers: no Python object per cell. The result is the reading child's own
(name, hidden, n_rows, width, merges, files) per sheet, with the values python-calamine gives - cell for cell, as
tests/analytics/ingest/test_native.py checks against python-calamine on every workbook of the test suite.

Anything outside the plain subset the scanner knows raises Unsupported, and the child reads the file with
python-calamine instead (read.py `_parse`): the fast path is never the only way a file can be read. Without the
compiled scanner (no C compiler where the app was installed) every .xlsx takes that way.

stdlib + pyarrow only: the child imports this module by path, never the analytics package.
"""
from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
import xml.etree.ElementTree as ET

try:                                                # Intel ISA-L's inflate: the sheet XML in a third of zlib's time
    from isal import isal_zlib as _inflater
except ImportError:
    _inflater = zlib

try:
    if __package__:
        from . import _xlsxscan
    else:
        import _xlsxscan
except ImportError:                                 # not built: python-calamine reads every file
    _xlsxscan = None

K_STR, K_FLOAT, K_BOOL, K_DATETIME, K_DATE, K_TIME, K_DELTA, K_ERROR = 1, 2, 4, 5, 6, 7, 8, 9
F_OTHER, F_DATETIME, F_TIMEDELTA = 0, 1, 2
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_MERGE = re.compile(rb"<mergeCell\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,7})")
_US_PER_DAY = 86_400_000_000


class Unsupported(Exception):
    """Something the fast path does not read: python-calamine reads the file instead."""


def available() -> bool:
    return _xlsxscan is not None


def format_kind(code: str) -> int:
    """calamine's `detect_custom_number_format`: a number format code → other / date-time / duration."""
    escaped = is_quote = hms = ap = False
    brackets, prev = 0, " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif is_quote:
            is_quote = s != '"'
        elif s == '"':
            is_quote = True
        elif s == ";":
            return F_OTHER
        elif s == "[":
            brackets += 1
        elif s == "]" and brackets == 1 and hms:
            return F_TIMEDELTA
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif s in "pm/PM" and ap and brackets == 0:
            return F_DATETIME
        elif s in "dmhysDMHYS" and not ap and brackets == 0:
            return F_DATETIME
        elif not (hms and s.lower() == prev.lower()):
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return F_OTHER


_BUILTIN = {**{str(i): F_DATETIME for i in (*range(14, 23), 45, 47)}, "46": F_TIMEDELTA}


def _formats(xml: bytes | None) -> bytes:
    """One byte per cell style (cellXfs/xf): the kind of its number format, as calamine's read_styles."""
    if xml is None:
        return b""
    root = _parse(xml, "styleSheet")
    custom = {f.get("numFmtId"): f.get("formatCode") for f in root.iter(_MAIN + "numFmt")
              if f.get("numFmtId") is not None and f.get("formatCode") is not None}
    out = bytearray()
    for xfs in root.iter(_MAIN + "cellXfs"):
        for xf in xfs.iter(_MAIN + "xf"):
            i = xf.get("numFmtId")
            out.append(F_OTHER if i is None else format_kind(custom[i]) if i in custom else _BUILTIN.get(i, F_OTHER))
    return bytes(out)


def _parse(xml: bytes, root_name: str):
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:4096]:
        raise Unsupported("doctype")                # no entity expansion in the small parts either
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as e:
        raise Unsupported(f"xml: {e}") from None
    if root.tag != _MAIN + root_name:
        raise Unsupported(f"root {root.tag}")       # strict OOXML, prefixes of other namespaces…
    return root


def _ref(text: str) -> tuple[int, int]:
    m = _REF.fullmatch(text)
    if not m:
        raise Unsupported(f"reference {text!r}")
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def _merges(tail: bytes, max_rows: int, max_cols: int) -> list[tuple[int, int, int, int]]:
    out = []
    for m in _MERGE.finditer(tail):
        a, _, b = m.group(1).decode("ascii", "replace").partition(":")
        (r0, c0), (r1, c1) = _ref(a), _ref(b or a)
        if (r1 > r0 or c1 > c0) and c0 < max_cols and r0 < max_rows:
            out.append((r0, c0, min(r1, max_rows - 1), min(c1, max_cols - 1)))
    return out


def _sheets(z: zipfile.ZipFile, parts: dict[str, str]) -> tuple[list[tuple[str, bool, str | None]], bool]:
    """The workbook's sheets in order: (name, hidden, part — None for a chart sheet), and its 1904 flag."""
    top = parts.get("_rels/.rels")
    if top is None:
        raise Unsupported("no package relationships")
    books = [r.get("Target", "") for r in ET.fromstring(z.read(top)).iter(_PKG + "Relationship")
             if r.get("Type") == _OFFICE_DOC + "officeDocument"]
    if [b.lstrip("/").replace("\\", "/").lower() for b in books] != ["xl/workbook.xml"]:
        raise Unsupported("workbook part")
    book = _parse(z.read(parts["xl/workbook.xml"]), "workbook")
    rels_part = parts.get("xl/_rels/workbook.xml.rels")
    if rels_part is None:
        raise Unsupported("no workbook relationships")
    rels = {}
    for r in ET.fromstring(z.read(rels_part)).iter(_PKG + "Relationship"):
        target = r.get("Target", "").replace("\\", "/")
        path = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        rels[r.get("Id")] = (r.get("Type", ""), posixpath.normpath(path).lower())
    pr = book.find(_MAIN + "workbookPr")
    is_1904 = pr is not None and pr.get("date1904") in ("1", "true")
    out = []
    for s in book.iter(_MAIN + "sheet"):
        name, state, rid = s.get("name"), s.get("state", "visible"), s.get(_REL + "id")
        if name is None or state not in ("visible", "hidden", "veryHidden") or rid not in rels:
            raise Unsupported("sheet entry")
        typ, path = rels[rid]
        if typ == _OFFICE_DOC + "chartsheet":
            out.append((name, state != "visible", None))
        elif typ == _OFFICE_DOC + "worksheet" and path in parts:
            out.append((name, state != "visible", parts[path]))
        else:
            raise Unsupported(f"sheet type {typ}")
    return out, is_1904


def _texts(n: int, offsets: bytes, data: bytes):
    import pyarrow as pa
    a = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        a.validate(full=True)                       # UTF-8, as calamine requires
    except pa.ArrowInvalid:
        raise Unsupported("text is not UTF-8") from None
    return a


def _body(kind: int, payload: bytes, valid: bytes, n: int, strings):
    import pyarrow as pa
    import pyarrow.compute as pc
    bufs = [pa.py_buffer(valid), pa.py_buffer(payload)]
    if kind == K_FLOAT:
        return pa.Array.from_buffers(pa.float64(), n, bufs)
    if kind == K_DATETIME:
        return pa.Array.from_buffers(pa.timestamp("us"), n, bufs)
    ints = pa.Array.from_buffers(pa.int64(), n, bufs)
    if kind == K_STR:
        return strings.take(ints)
    if kind == K_BOOL:
        return pc.not_equal(ints, 0)
    if kind == K_DATE:
        return pc.cast(ints, pa.int32()).view(pa.date32())
    raise Unsupported(f"kind {kind}")


def _exceptions(j: int, n: int, buf: bytes, strings, mixed):
    """One column's cells of other kinds → (col, row, MIXED value) arrays, as the calamine path's .other files."""
    import pyarrow as pa
    import pyarrow.compute as pc
    b = pa.py_buffer(buf)
    pays = pa.Array.from_buffers(pa.int64(), n, [None, b.slice(0, 8 * n)])
    rows = pa.Array.from_buffers(pa.int32(), n, [None, b.slice(8 * n, 4 * n)])
    kinds = pa.Array.from_buffers(pa.int8(), n, [None, b.slice(12 * n, n)])
    is_ = lambda *ks: pc.is_in(kinds, pa.array(ks, pa.int8()))            # noqa: E731
    s = strings.take(pc.if_else(is_(K_STR, K_ERROR), pays, pa.scalar(None, pa.int64())))
    floats = pa.Array.from_buffers(pa.float64(), n, [None, b.slice(0, 8 * n)])
    f = pc.if_else(is_(K_FLOAT), floats,
                   pc.if_else(is_(K_BOOL), pc.cast(pays, pa.float64(), safe=False), pa.scalar(None, pa.float64())))
    i = pc.if_else(is_(K_TIME, K_DELTA), pays, pa.scalar(None, pa.int64()))
    us = pc.if_else(is_(K_DATE), pc.multiply(pays, _US_PER_DAY), pays)
    t = pc.if_else(is_(K_DATETIME, K_DATE), pc.cast(us, pa.timestamp("us")), pa.scalar(None, pa.timestamp("us")))
    value = pa.StructArray.from_arrays([kinds, s, f, i, t], fields=list(mixed))
    return pa.array([j] * n, pa.int32()), pc.cast(rows, pa.int64()), value


def _member(z: zipfile.ZipFile, f, name: str) -> bytes:
    """A zip member's bytes: a deflated one inflated in one call (ISA-L when installed, else zlib), bounded by the
    size the archive declares and checked against its CRC-32 - zipfile's own read inflates in small steps and took
    0.12 s of the bench file's 0.04 s. Anything unusual (encrypted, another method, a size or CRC that does not
    match) is left to python-calamine."""
    info = z.getinfo(name)
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        raise Unsupported(f"zip member {name}: method {info.compress_type}")
    f.seek(info.header_offset)
    head = f.read(30)
    if len(head) != 30 or head[:4] != b"PK\x03\x04":
        raise Unsupported(f"zip member {name}: local header")
    n, m = struct.unpack("<HH", head[26:30])
    f.seek(info.header_offset + 30 + n + m)
    raw = f.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_STORED:
        out = raw
    else:
        d = _inflater.decompressobj(-15)
        out = d.decompress(raw, info.file_size + 1)
    if len(out) != info.file_size or (_inflater.crc32(out) & 0xFFFFFFFF) != info.CRC:
        raise Unsupported(f"zip member {name}: size or CRC")
    return out


def read_xlsx(src: str, tmp: str, max_sheets: int, max_rows: int, max_cols: int, mixed, write_ipc) -> list[tuple]:
    """Every sheet of the .xlsx at `src` → the reading child's sheet tuples
    (name, hidden, n_rows, width, merges, files), or (name, hidden, "rows" | "cols") for a sheet beyond a cap.
    Raises Unsupported when python-calamine must read the file instead."""
    if _xlsxscan is None:
        raise Unsupported("scanner not built")
    pa = sst = None                                 # pyarrow, imported by the child's other thread meanwhile
    with open(src, "rb") as raw, zipfile.ZipFile(raw) as z:
        parts = {n.replace("\\", "/").lower(): n for n in z.namelist()}
        sheets, is_1904 = _sheets(z, parts)
        formats = _formats(z.read(parts["xl/styles.xml"]) if "xl/styles.xml" in parts else None)
        sst_part = parts.get("xl/sharedstrings.xml")
        try:
            n_sst, sst_offs, sst_buf = _xlsxscan.sst(_member(z, raw, sst_part)) if sst_part else (0, b"\0\0\0\0", b"")
        except _xlsxscan.Unsupported as e:
            raise Unsupported(f"shared strings: {e}") from None
        if len(sheets) > max_sheets:
            raise Unsupported("too many sheets")    # python-calamine's path says so
        out = []
        for index, (name, hidden, part) in enumerate(sheets):
            if part is None:
                continue                            # a chart sheet: no cells
            xml = _member(z, raw, part)
            try:
                status, n_rows, width, t_offs, t_buf, tail, columns = _xlsxscan.sheet(
                    xml, sst_offs, n_sst, formats, is_1904, max_rows, max_cols)
            except _xlsxscan.Unsupported as e:
                raise Unsupported(f"{name}: {e}") from None
            merges = _merges(xml[tail:], max_rows, max_cols)
            del xml
            if pa is None:
                import pyarrow as pa
                sst = _texts(n_sst, sst_offs, sst_buf)
            if status != "ok":
                out.append((name, hidden, status))
                continue
            if not width:
                out.append((name, hidden, 0, 0, merges, []))
                continue
            texts = _texts((len(t_offs) // 4) - 1, t_offs, t_buf)
            strings = pa.concat_arrays([sst, texts]) if len(texts) else sst
            bodies, o_col, o_row, o_val = {}, [], [], []
            for j, c in enumerate(columns):
                if c is None:
                    bodies[str(j)] = pa.nulls(n_rows, pa.null())
                    continue
                kind, payload, valid, n_exc, exc = c
                bodies[str(j)] = pa.nulls(n_rows, pa.null()) if payload is None else \
                    _body(kind, payload, valid, n_rows, strings)
                if n_exc:
                    cc, rr, vv = _exceptions(j, n_exc, exc, strings, mixed)
                    o_col.append(cc)
                    o_row.append(rr)
                    o_val.append(vv)
            path = os.path.join(tmp, f"s{index}-0.arrow")
            write_ipc(path, pa.table(bodies))
            other_path = None
            if o_col:
                other_path = path[:-6] + ".other.arrow"
                write_ipc(other_path, pa.table({"col": pa.concat_arrays(o_col), "row": pa.concat_arrays(o_row),
                                                "value": pa.concat_arrays(o_val)}))
            out.append((name, hidden, n_rows, width, merges, [(path, other_path)]))
        return out
