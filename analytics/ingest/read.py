"""Reading step of the ingest pipeline: uploaded file bytes -> raw sheet grids (DOMAIN.md §2).

The container comes from the content (zip / OLE2 magic / text), the suffix is only a hint, so a
WPS ".xls" that is really an xlsx still reads. Spreadsheets (.xlsx .xlsm .xls .xlsb .ods) are
parsed by python-calamine; CSV is UTF-8 (with or without BOM), UTF-16 with BOM, else
GB18030/GBK, delimiter , ; or tab sniffed, values kept as str; a CSV is one sheet named after
the file stem.

Why every parse runs in a child process: on calamine's bug-report corpus
(/work/shared/foreign-spreadsheets, incl. OOM_alloc*.xls and issue_594_dos.ods) python-calamine
0.9.1 is quick and safe (worst file 16 ms, 15 MB RSS; it refuses the ODS bomb with its own cell
limit). But calamine expands each sheet into a dense range of 32 bytes per cell: a crafted
1.5 KB xlsx holding only A1 and WQJ6000 takes 3.6 GB and 34 s, and A1 + XFD1048576 makes Rust
abort the whole process ("memory allocation of 549755813888 bytes failed") - in-process, that
kills the Streamlit server. So the parse runs in a fresh interpreter (`python -P read.py
--child`: stdlib + calamine only, never the analytics package) whose address space is limited
to its start size + 2 GiB and whose wall clock is limited to 60 s; those bombs now fail in
~50 ms. The grid comes back as a pickle file (protocol 5, no memo, gc paused while loading).
Cost: ~50 ms per file; ~0.4 s on a 100k-row x 16-column xlsx (8 MB) that takes ~1.5 s to parse
in-process. The 2 GiB fit about 1,000,000 such rows (400k rows: 810 MB peak, 7 s).

Caps, each a ReadError when data lies beyond it, never a silent cut: 200 sheets, 1,100,000 rows
(Excel stops at 1,048,576) and 300 columns per sheet (a real ledger has fewer than 50).

Cell values: None (empty, or an empty string), str (unstripped), int, float, bool,
datetime.datetime / date / time, datetime.timedelta (duration formats such as [h]:mm:ss - as
calamine gives them), CellError. 1904-based workbooks come out right (calamine converts).
Merged cells hold their value at the top-left cell only; the merged ranges come with each sheet
(RawSheet.merges) and staging applies them. python-calamine reports error cells
as "": they are recovered from the sheet XML (xlsx/xlsm) and the BIFF records (xls); in .xlsb
and .ods an error cell reads as None.
"""
from __future__ import annotations

import contextlib
import csv
import gc
import io
import os
import pickle
import posixpath
import re
import struct
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")
MAX_SHEETS, MAX_ROWS, MAX_COLS = 200, 1_100_000, 300
MEMORY_LIMIT = 2 << 30          # bytes the child may add to its start size
PARSE_TIMEOUT_S = 60.0

_SAVE_AS = "请用 Excel 或 WPS 打开后另存为 .xlsx 再上传"
_FORMATS = "请上传 Excel（.xlsx/.xlsm/.xls/.xlsb）、.ods 或 CSV 文件"
_MSG = {
    "encrypted": "文件已加密（有密码保护），请取消密码后再上传",
    "corrupt": "文件已损坏或不完整，无法读取，" + _SAVE_AS,
    "too_big": "文件过大或结构异常（读取所需内存超出上限），请删除多余的行、列或工作表后再上传",
    "timeout": "文件过大或结构异常，读取超时，请删除多余的行、列或工作表后再上传",
    "unknown": "无法识别的文件格式，" + _FORMATS,
    "sheets": f"工作表数量超过上限（{MAX_SHEETS} 个），请删除多余的工作表后再上传",
    "rows": f"工作表“{{}}”的行数超过上限（{MAX_ROWS:,} 行），请拆分后再上传",
    "cols": f"工作表“{{}}”第 {MAX_COLS} 列之后仍有内容，请删除多余的列后再上传",
}


@dataclass(frozen=True)
class CellError:
    """An Excel error cell such as #REF!, #DIV/0!, #N/A, #VALUE!."""
    code: str


@dataclass
class RawSheet:
    name: str
    rows: list[list[object]]    # rows[0] is Excel row 1, rows[i][j] is column j (A=0)
    hidden: bool = False        # hidden or very hidden
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)   # (r0, c0, r1, c1), 0-based, inclusive


class ReadError(Exception):
    """The file cannot be read; str(e) is a message in Chinese for the user."""


def read_workbook(data: bytes, filename: str) -> list[RawSheet]:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(f"不支持的文件类型“{suffix or '无扩展名'}”，" + _FORMATS)
    if not data:
        raise ReadError("文件是空的（0 字节），请检查后重新上传")
    stem = Path(filename).stem.replace("\0", "").encode("utf-8", "replace").decode() or "CSV"
    return _parse_in_child(data, _container(data, suffix), stem)


def _container(data: bytes, suffix: str) -> str:
    """zip (xlsx/xlsm/xlsb/ods, told apart in the child), ole (xls) or csv - from the content."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: xls, or encrypted OOXML
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ReadError(_MSG["encrypted"])
        return "ole"
    if suffix == ".csv" or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith(b"<"):
        raise ReadError("文件实际是网页（HTML）或 XML 格式（常见于系统导出的“Excel”），" + _SAVE_AS)
    first = head.split(b"\n", 1)[0]
    if b"\0" not in head and (b"\t" in first or b"," in first):
        return "csv"                                # delimited text saved under an Excel name
    raise ReadError(_MSG["unknown"])


# --- parent side: every parse runs in a memory- and time-limited child process --------------

def _parse_in_child(data: bytes, container: str, stem: str) -> list[RawSheet]:
    with tempfile.TemporaryDirectory(prefix="ledger-read-") as tmp:
        src, out = os.path.join(tmp, "upload." + container), os.path.join(tmp, "out.pickle")
        with open(src, "wb") as f:
            f.write(data)
        cmd = [sys.executable, "-P", os.path.abspath(__file__), "--child", src, out, stem]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=PARSE_TIMEOUT_S,
                                  env=dict(os.environ, RUST_BACKTRACE="0"))
        except subprocess.TimeoutExpired:           # run() has killed the child
            raise ReadError(_MSG["timeout"]) from None
        except (OSError, ValueError) as e:
            raise ReadError(f"服务器无法启动读取进程（{e}），请联系管理员") from None
        if proc.returncode != 0 or not os.path.exists(out):
            # a signal (Rust aborts when an allocation hits the limit) or an out-of-memory exit
            big = proc.returncode < 0 or b"memory" in proc.stderr.lower()
            raise ReadError(_MSG["too_big"] if big else _MSG["corrupt"])
        try:
            with open(out, "rb") as f, _gc_paused():   # halves the load time
                status, payload = pickle.load(f)
        except MemoryError:
            raise ReadError(_MSG["too_big"]) from None
    if status != "ok":
        raise ReadError(payload)
    sheets = []
    for name, hidden, rows, errors, merges in payload:
        for r, c, code in errors:
            rows[r][c] = CellError(code)
        sheets.append(RawSheet(name, rows, hidden, merges))
    return sheets


@contextlib.contextmanager
def _gc_paused():
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- child side (stdlib + python_calamine only) ----------------------------------------------

def _child_main(src: str, out: str, stem: str) -> None:
    gc.disable()                                    # short-lived, builds millions of objects
    try:
        import resource
        with open("/proc/self/statm") as f:
            start_size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = start_size + MEMORY_LIMIT
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass                                        # not Linux: the timeout still holds
    try:
        result = ("ok", _parse(src, stem))
    except ReadError as e:
        result = ("err", str(e))
    except MemoryError:
        result = ("err", _MSG["too_big"])
    except BaseException as e:                      # CalamineError & co, OSError, pyo3 panics
        msg = f"{type(e).__name__}: {e}"[:200]
        low = msg.lower()
        result = ("err", _MSG["encrypted"] if "password" in low or "encrypt" in low else
                  _MSG["too_big"] if "limit exceeded" in low else f"{_MSG['corrupt']}（技术信息：{msg}）")
    with open(out + ".part", "wb") as f:
        pickler = pickle.Pickler(f, protocol=5)
        pickler.fast = True                         # no memo: nothing in the grid is shared
        pickler.dump(result)
    os.replace(out + ".part", out)
    os._exit(0)                                     # skip freeing the grid object by object


def _parse(src: str, stem: str) -> list[tuple]:
    container = src.rsplit(".", 1)[1]
    if container == "csv":
        with open(src, "rb") as f:
            return [(stem, False, _read_csv(f.read(), stem), [], [])]
    fmt = "xls" if container == "ole" else _zip_format(src)
    os.rename(src, src := src[: -len(container)] + fmt)    # calamine picks its reader by suffix
    import python_calamine as pc
    wb = pc.CalamineWorkbook.from_path(src)
    meta = wb.sheets_metadata
    if len(meta) > MAX_SHEETS:
        raise ReadError(_MSG["sheets"])
    errors: dict[str, list] = {}
    scan = threading.Thread(target=_find_errors, args=(src, errors), daemon=True)
    scan.start()                                    # zlib and calamine release the GIL
    sheets = []
    ods = _ods_merges(src) if fmt == "ods" else {}  # calamine gives no merged ranges for .ods
    for i, m in enumerate(meta):
        if m.typ not in (pc.SheetTypeEnum.ChartSheet, pc.SheetTypeEnum.Vba):
            sh = wb.get_sheet_by_index(i)
            grid = _grid(sh, m.name)
            sheets.append((m.name, m.visible != pc.SheetVisibleEnum.Visible, grid, _merges(sh) or ods.get(m.name, [])))
    scan.join()
    result = []
    for name, hidden, rows, merges in sheets:
        errs = [(r, c, code) for r, c, code in errors.get(name, ())
                if r < len(rows) and c < len(rows[r]) and rows[r][c] is None]
        last = max((r for r, _, _ in errs), default=-1)
        while len(rows) > last + 1 and all(v is None for v in rows[-1]):
            rows.pop()                              # rows that held only ""
        result.append((name, hidden, rows, errs, merges))
    return result


def _merges(sheet) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges that span more than one cell, clipped to the column limit."""
    try:
        got = sheet.merged_cell_ranges or []
    except Exception:                               # a reader without merged-range support
        return []
    out = []
    for (r0, c0), (r1, c1) in got:
        if (r1 > r0 or c1 > c0) and c0 < MAX_COLS and r0 < MAX_ROWS:
            out.append((r0, c0, min(r1, MAX_ROWS - 1), min(c1, MAX_COLS - 1)))
    return out


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merges(src: str) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name → merged ranges of an .ods, read from content.xml: a cell with table:number-rows-spanned /
    number-columns-spanned starts a range (rows and cells repeated by number-*-repeated are counted)."""
    from xml.etree.ElementTree import iterparse
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    t = _ODS_TABLE
    try:
        with zipfile.ZipFile(src) as z, z.open(_zip_names(z)["content.xml"]) as f:
            name, row, col, depth = None, 0, 0, 0
            for ev, el in iterparse(f, events=("start", "end")):
                tag = el.tag
                if ev == "start":
                    if tag == t + "table":
                        name, row, depth = el.get(t + "name"), 0, depth + 1
                        out.setdefault(name, [])
                    elif tag == t + "table-row":
                        col = 0
                    elif tag in (t + "table-cell", t + "covered-table-cell") and name is not None and row < MAX_ROWS:
                        rs, cs = int(el.get(t + "number-rows-spanned", 1)), int(el.get(t + "number-columns-spanned", 1))
                        if (rs > 1 or cs > 1) and col < MAX_COLS:
                            out[name].append((row, col, min(row + rs - 1, MAX_ROWS - 1), min(col + cs - 1, MAX_COLS - 1)))
                        col += int(el.get(t + "number-columns-repeated", 1))
                elif tag == t + "table-row":
                    row += int(el.get(t + "number-rows-repeated", 1))
                    el.clear()
                elif tag == t + "table":
                    depth -= 1
                    name = None if depth == 0 else name
    except Exception:                               # merged ranges are a help, never a reason to reject
        return {}
    return out


def _zip_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Normalised (lower case, forward slashes) -> stored name; some writers use backslashes."""
    return {n.replace("\\", "/").lower(): n for n in z.namelist()}


def _zip_format(src: str) -> str:
    try:
        with zipfile.ZipFile(src) as z:
            names = _zip_names(z)
            mimetype = z.open(names["mimetype"]).read(80) if "mimetype" in names else b""
    except Exception:                               # BadZipFile, truncated archive...
        raise ReadError(_MSG["corrupt"]) from None
    if any(n.endswith("workbook.bin") for n in names):
        return "xlsb"
    if "content.xml" in names and (not mimetype or b"spreadsheet" in mimetype):
        return "ods"
    if "[content_types].xml" in names and any(n.endswith("workbook.xml") for n in names):
        return "xlsx"                               # .xlsm is read by the same reader
    raise ReadError("这是压缩包或其他文档（如 Word），不是表格文件，" + _FORMATS)


def _grid(sheet, name: str) -> list[list[object]]:
    if sheet.start is None:
        return []
    (r0, c0), (r1, _) = sheet.start, sheet.end
    if r1 >= MAX_ROWS:
        raise ReadError(_MSG["rows"].format(name))
    keep, pad = max(MAX_COLS - c0, 0), [None] * min(c0, MAX_COLS)
    rows: list[list[object]] = sheet.to_python(skip_empty_area=True)  # from (r0, c0): pad it
    for k, row in enumerate(rows):
        if len(row) > keep:
            if any(v != "" for v in row[keep:]):
                raise ReadError(_MSG["cols"].format(name))
            del row[keep:]
        rows[k] = pad + [None if v == "" else v for v in row]          # frees calamine's row
    width = len(rows[0]) if rows else 0
    rows[:0] = [[None] * width for _ in range(r0)]
    return rows


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    for enc in ("utf-8-sig", "gb18030", "gbk"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    raise ReadError("无法识别 CSV 文件的文字编码（支持 UTF-8 和 GB18030/GBK），请另存为“CSV UTF-8”后再上传")


def _sniff_delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:                               # e.g. a title line above the header
        lines = sample.splitlines()[:20]
        counts = {d: sum(line.count(d) for line in lines) for d in ",;\t"}
        best = max(counts, key=counts.__getitem__)
        return best if counts[best] else ","


def _read_csv(data: bytes, name: str) -> list[list[object]]:
    text = _decode(data)
    rows: list[list[object]] = []
    try:
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text)):
            if len(rec) > MAX_COLS:
                if any(rec[MAX_COLS:]):
                    raise ReadError(_MSG["cols"].format(name))
                del rec[MAX_COLS:]
            if len(rows) == MAX_ROWS:
                raise ReadError(_MSG["rows"].format(name))
            rows.append([v if v != "" else None for v in rec])
    except csv.Error as e:
        raise ReadError(f"CSV 文件格式有误（第 {len(rows) + 1} 行：{e}），请检查后重新上传") from None
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max(map(len, rows), default=0)
    for r in rows:
        r.extend([None] * (width - len(r)))
    return rows


# error cells, which python-calamine reports as "": {sheet name: [(row, col, code)]}

def _find_errors(src: str, found: dict) -> None:
    try:                                            # best effort: never fails the read
        with open(src, "rb") as f:
            data = f.read()
        found.update(_xlsx_errors(data) if src.endswith(".xlsx") else
                     _xls_errors(data) if src.endswith(".xls") else {})
    except Exception:
        pass


_XLSX_ERROR_CELL = re.compile(
    rb"<(?:\w+:)?c\s([^>]*?\bt\s*=\s*[\"']e[\"'][^>]*)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_XLSX_REF = re.compile(rb"\br\s*=\s*[\"']([A-Z]{1,3})(\d+)")
_XLSX_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)<")


def _xlsx_errors(data: bytes) -> dict[str, list]:
    import xml.etree.ElementTree as ET
    z = zipfile.ZipFile(io.BytesIO(data))
    parts = _zip_names(z)
    local = lambda tag: tag.rsplit("}", 1)[-1]     # noqa: E731 - namespaces vary (strict OOXML)

    def rels(part: str) -> dict[str, str]:          # relationship id -> normalised part name
        base, name = posixpath.split(part)
        path = posixpath.join(base, "_rels", name + ".rels")
        if path not in parts:
            return {}
        return {el.get("Id"): posixpath.normpath(t[1:] if t.startswith("/") else posixpath.join(base, t)).lower()
                for el in ET.fromstring(z.read(parts[path])).iter()
                if local(el.tag) == "Relationship" and (t := el.get("Target", "").replace("\\", "/"))}

    book = next((p for p in rels("").values() if p.endswith("workbook.xml")), "xl/workbook.xml")
    targets, found = rels(book), {}
    for el in ET.fromstring(z.read(parts[book])).iter():
        rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
        if local(el.tag) != "sheet" or targets.get(rid) not in parts:
            continue
        cells = found.setdefault(el.get("name"), [])
        with z.open(parts[targets[rid]]) as f:      # streamed: a sheet part may be huge
            buf = b""
            while chunk := f.read(1 << 22):
                buf += chunk
                end = buf.rfind(b"row>")
                end = end + 4 if end >= 0 else 0    # up to a row end, all cells are whole
                _scan_xlsx(buf[:end], cells)
                buf = buf[end:]
            _scan_xlsx(buf, cells)
    return found


def _scan_xlsx(xml: bytes, cells: list) -> None:
    if b"t=\"e\"" not in xml and b"t='e'" not in xml:
        return
    for m in _XLSX_ERROR_CELL.finditer(xml):
        ref, value = _XLSX_REF.search(m.group(1)), _XLSX_VALUE.search(m.group(2))
        if ref and value:
            col = 0
            for ch in ref.group(1):
                col = col * 26 + ch - 64
            cells.append((int(ref.group(2)) - 1, col - 1, value.group(1).decode()))


_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
                0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
_BIFF_ERROR_HINT = re.compile(  # a BOOLERR holding an error, or a FORMULA whose cached value is one
    rb"\x05\x02\x08\x00.{6}[\x00\x07\x0f\x17\x1d\x24\x2a\x2b]\x01"
    rb"|\x02\x00[\x00\x07\x0f\x17\x1d\x24\x2a\x2b]\x00\x00\x00\xff\xff", re.S)


def _xls_errors(data: bytes) -> dict[str, list]:
    stream = _ole_stream(data, ("workbook", "book"))
    if not stream or not _BIFF_ERROR_HINT.search(stream):
        return {}
    found: dict[str, list] = {}
    sheet_at: dict[int, str] = {}                   # stream offset of a sheet's BOF -> name
    biff8, current, pos = True, None, 0
    while pos + 4 <= len(stream):
        rid, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        current = sheet_at.get(pos, current)
        if rid == 0x0809 and current is None and len(body) >= 2:      # BOF of the globals
            biff8 = body[:2] == b"\x00\x06"
        elif rid == 0x0085 and len(body) >= 8:                        # BOUNDSHEET
            n = body[6]
            name = (body[7:7 + n].decode("cp1252", "replace") if not biff8 else
                    body[8:8 + 2 * n].decode("utf-16-le") if body[7] & 1 else body[8:8 + n].decode("latin-1"))
            sheet_at[struct.unpack_from("<I", body)[0]] = name
        elif current is not None and (code := _biff_error(rid, body)):
            row, col = struct.unpack_from("<HH", body)
            found.setdefault(current, []).append((row, col, code))
        pos += 4 + size
    return found


def _biff_error(rid: int, body: bytes) -> str | None:
    if rid == 0x0205 and len(body) >= 8 and body[7] == 1:                 # BOOLERR, fError
        return _BIFF_ERRORS.get(body[6])
    if rid == 0x0006 and len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
        return _BIFF_ERRORS.get(body[8])                                  # FORMULA, error value
    return None


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """A stream (stored in regular sectors) of an OLE2 compound file, or None."""
    ssz = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    nsec = len(data) // ssz
    sector = lambda i: data[(i + 1) * ssz:(i + 2) * ssz].ljust(ssz, b"\0")  # noqa: E731
    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    nxt = struct.unpack_from("<I", data, 0x44)[0]
    for _ in range(nsec):                           # the DIFAT chain
        if nxt >= nsec:
            break
        *more, nxt = struct.unpack(f"<{ssz // 4}I", sector(nxt))
        fat_sectors += more
    fat_sectors = fat_sectors[:min(struct.unpack_from("<I", data, 0x2C)[0], nsec)]   # as declared
    fat = [v for s in fat_sectors if s < nsec for v in struct.unpack(f"<{ssz // 4}I", sector(s))]

    def chain(i: int) -> bytes:
        out = []
        while i < len(fat) and len(out) < nsec:     # bounded even if the chain loops
            out.append(sector(i))
            i = fat[i]
        return b"".join(out)

    directory = chain(struct.unpack_from("<I", data, 0x30)[0])
    cutoff = struct.unpack_from("<I", data, 0x38)[0]
    for off in range(0, len(directory) - 127, 128):
        n = min(struct.unpack_from("<H", directory, off + 64)[0], 64)
        name = directory[off:off + n].decode("utf-16-le", "ignore").rstrip("\0").lower()
        if name in names and directory[off + 66] == 2:                # a stream entry
            start, size = struct.unpack_from("<II", directory, off + 116)
            return chain(start)[:size] if size >= cutoff else None    # tiny: in the mini stream
    return None


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    _child_main(*sys.argv[2:5])
