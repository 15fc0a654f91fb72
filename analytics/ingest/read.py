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
~50 ms. The grid comes back as Arrow IPC files, 65,536 rows at a time, one typed array per column
plus the cells of other types (cells.py; docs/ingest.md §8) - no Python object per cell crosses over.

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
import itertools
import os
import pickle
import posixpath
import re
import shutil
import signal
import selectors
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
import zipfile
from pathlib import Path

cells = None                                        # cells.py (pyarrow), imported on first use: _cells()
if not __package__:                                               # the reading child runs this file as a script (-P)
    class _NoPandas:                                # pyarrow would import pandas (0.5 s) to look for DataFrames
        @staticmethod
        def find_spec(name, *args):
            if name == "pandas" or name.startswith("pandas."):
                raise ImportError("not in the reading child")
    sys.meta_path.insert(0, _NoPandas)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _cells():
    """cells.py, imported on first use: the CLI starts the reading child before anything imports pyarrow (0.1 s),
    and the child imports it in a thread while calamine parses (which releases the GIL)."""
    global cells
    if cells is None:
        if __package__:
            from . import cells as c
        else:
            import cells as c                       # stdlib + pyarrow only
        cells = c
    return cells

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv")
MAX_SHEETS, MAX_ROWS, MAX_COLS = 200, 1_100_000, 300
MEMORY_LIMIT = 2 << 30          # bytes the child may add to its start size
PARSE_TIMEOUT_S = 60.0          # a read's wall-clock limit, plus a second per 10 MB the reader parses (read_timeout)
PARSE_S_PER_BYTE = 1 / 10e6
MAX_PARSE_TIMEOUT_S = 300.0
TMP_PREFIX = "ledger-read-"     # + the reading process's pid: ledger-read-<pid>-<random>/

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


def __getattr__(name: str):
    if name == "CellError":                         # cells.CellError, without importing pyarrow up front
        return _cells().CellError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class RawSheet:
    """One sheet as read: its cells as columns, hidden or not, and its merged ranges (r0, c0, r1, c1), 0-based,
    inclusive. Column j (A=0) is `table.column(j)` - a typed Arrow array, row i = Excel row i + 1 - with the
    cells of another type in `other[j]` ({row: value}, e.g. the header text above a date column, an error
    cell). `rows` gives the same grid as Python lists (rows[i][j]), built on first use; the ingest reads the
    columns, and only the first rows (`head`) as Python values."""

    def __init__(self, name: str, rows: list[list[object]] | None = None, hidden: bool = False,
                 merges: list[tuple[int, int, int, int]] | None = None, *, table=None, other=None):
        self.name, self.hidden, self.merges = name, hidden, list(merges or [])
        if table is None:
            table, other = _cells().table_from_rows(rows or [])
        self.table, self.other = table, other or {}
        self._rows = rows

    @property
    def n_rows(self) -> int:
        return self.table.num_rows

    @property
    def width(self) -> int:
        return self.table.num_columns

    @property
    def rows(self) -> list[list[object]]:
        if self._rows is None:
            self._rows = _cells().rows_of(self.table, self.other)
        return self._rows

    def head(self, n: int) -> list[list[object]]:
        """The first n rows as Python lists (what header detection and the title lines look at)."""
        if self._rows is not None:
            return self._rows[:n]
        return _cells().rows_of(self.table.slice(0, n), self.other)

    def column(self, j: int) -> list:
        """Column j's Python values (every row)."""
        return _cells().values(self.table.column(j), self.other.get(j))

    def __eq__(self, other) -> bool:
        if not isinstance(other, RawSheet):
            return NotImplemented
        return (self.name, self.hidden, self.merges, self.rows) == (other.name, other.hidden, other.merges, other.rows)

    def __repr__(self) -> str:
        return f"RawSheet({self.name!r}, {self.n_rows} rows × {self.width} columns, hidden={self.hidden})"


class ReadError(Exception):
    """The file cannot be read; str(e) is a message in Chinese for the user."""


def read_workbook(data: bytes, filename: str, progress=None) -> list[RawSheet]:
    """The sheets of a file. `progress(fraction)` (0 … 1), if given, is called from this thread while the child
    reads: the parse itself, then the rows turned into columns."""
    reading = start_read(data, filename)
    try:
        return reading.result(progress)
    finally:
        reading.cancel()


def start_read(data: bytes, filename: str) -> "Reading":
    """Start reading a file in the background (the capped child process) and return at once; `.result()` gives
    its sheets (or raises the ReadError), `.cancel()` stops it. The CLI starts the read before importing the store
    (pandas, DuckDB), so that the parse runs on the other core meanwhile."""
    return Reading(data, filename)


def read_timeout(n_bytes: int) -> float:
    """The wall-clock limit of a read that parses n_bytes (see _parse_bytes): 60 s, plus a second per 10 MB, at
    most 300 s. A flat 60 s left the 1,000,000-row file (670 MB of sheet XML: 12 s alone, 25–30 s on a loaded
    machine) only twice its time; it now has 127 s. The CPU limit follows it; the memory cap is unchanged."""
    return min(PARSE_TIMEOUT_S + n_bytes * PARSE_S_PER_BYTE, MAX_PARSE_TIMEOUT_S)


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

def sweep_stale(root: str | None = None) -> list[str]:
    """Remove the temporary read folders of processes that are gone (killed before anything could clean up);
    returns what was removed. Each read calls it, so such a leftover lives until the next read at most."""
    removed = []
    for p in Path(root or tempfile.gettempdir()).glob(TMP_PREFIX + "*"):
        m = re.match(re.escape(TMP_PREFIX) + r"(\d+)-", p.name)
        if m and not _alive(int(m.group(1))):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(str(p))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                                 # someone else's process: alive
        return True
    return True


class Reading:
    """One read under way: its child process, its temporary folder (the copy of the upload, the child's output),
    its deadline. A refusal found before the child starts (suffix, empty file, container) is raised by result()."""

    def __init__(self, data: bytes, filename: str):
        self.proc = self.tmp = self.err = None
        self.error: ReadError | None = None
        self._done = False
        try:
            suffix = Path(filename).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                raise ReadError(f"不支持的文件类型“{suffix or '无扩展名'}”，" + _FORMATS)
            if not data:
                raise ReadError("文件是空的（0 字节），请检查后重新上传")
            stem = Path(filename).stem.replace("\0", "").encode("utf-8", "replace").decode() or "CSV"
            self._start(data, _container(data, suffix), stem)
        except ReadError as e:
            self.error = e
        except BaseException:
            self.cancel()
            raise

    def _start(self, data: bytes, container: str, stem: str) -> None:
        sweep_stale()
        self.tmp = tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-")
        src, self.out = os.path.join(self.tmp, "upload." + container), os.path.join(self.tmp, "out.pickle")
        with open(src, "wb") as f:
            f.write(data)
        n_bytes = _parse_bytes(src, "xlsx" if container == "zip" else container)     # the child's ticks too
        self.timeout = read_timeout(n_bytes)
        cmd = [sys.executable, "-P", os.path.abspath(__file__), "--child", src, self.out, stem, f"{self.timeout:.0f}",
               str(n_bytes)]
        self.err = open(os.path.join(self.tmp, "stderr"), "w+b")
        # SIGTERM is held from before the fork until the child is recorded (self.proc, the finalizer): the CLI's
        # handler raises, and raised inside Popen (after the exec, before Popen returns) it would orphan a child
        # that nothing then kills. The held signal is handed on as the block ends, and unwinds as usual.
        with _sigterm_held():
            try:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=self.err, env=dict(os.environ, RUST_BACKTRACE="0",
                                                                       LEDGER_READ_PARENT=str(os.getpid())))
            except (OSError, ValueError) as e:
                raise ReadError(f"服务器无法启动读取进程（{e}），请联系管理员") from None
            self.deadline = time.monotonic() + self.timeout
            # a read started and then dropped without result() or cancel() still ends its child and folder
            self._gone = weakref.finalize(self, _end_read, self.proc, self.err, self.tmp)

    def result(self, progress=None) -> list[RawSheet]:
        """Wait for the child (passing its progress on), then the sheets; the temporary folder goes either way."""
        try:
            if self.error is not None:
                raise self.error
            if self._done:
                raise RuntimeError("a read's result is taken once")
            proc = self.proc
            _follow(proc, self.deadline, progress)
            self._stop()
            self.err.seek(0)
            stderr = self.err.read()
            if proc.returncode != 0 or not os.path.exists(self.out):
                # a signal (Rust aborts when an allocation hits the limit) or an out-of-memory exit
                big = proc.returncode < 0 or b"memory" in stderr.lower()
                raise ReadError(_MSG["too_big"] if big else _MSG["corrupt"])
            with open(self.out, "rb") as f:         # the sheet list: names, sizes, merges - no cells
                status, payload = pickle.load(f)
            if status != "ok":
                raise ReadError(payload)
            try:
                return [RawSheet(name, None, hidden, merges, **_load_sheet(files, n_rows, width))
                        for name, hidden, n_rows, width, merges, files in payload]
            except MemoryError:
                raise ReadError(_MSG["too_big"]) from None
        finally:
            self.cancel()

    def _stop(self) -> None:
        _stop_child(self.proc)

    def cancel(self) -> None:
        """Stop the child if it still runs and remove the temporary folder (idempotent)."""
        if self._done:
            return
        self._done = True
        gone = getattr(self, "_gone", None)
        if gone is not None:
            gone()                                  # _end_read, once (the finalizer is then dead)
        else:
            _end_read(self.proc, self.err, self.tmp)


@contextlib.contextmanager
def _sigterm_held():
    """Hold SIGTERM for the block: in the main thread (where Python runs signal handlers, e.g. the CLI's, which
    raises), a SIGTERM that arrives meanwhile is noted and handed to the handler it replaced as the block ends.
    Elsewhere (the app's script thread) there is nothing to hold: no handler runs in that thread. A signal mask
    would not do: the kernel gives a process's SIGTERM to any thread that does not block it (DuckDB's, pyarrow's)
    and Python then runs the handler in the main thread all the same."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got: list[int] = []
    before = signal.signal(signal.SIGTERM, lambda n, _frame: got.append(n))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
        if got:
            if callable(before):
                before(signal.SIGTERM, None)
            elif before == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGTERM)


def _stop_child(proc) -> None:
    if proc is None:
        return
    if proc.poll() is None:                         # timed out (or interrupted): the child goes
        proc.kill()
        proc.wait()
    if proc.stdout and not proc.stdout.closed:
        proc.stdout.close()


def _end_read(proc, err, tmp) -> None:
    try:
        _stop_child(proc)
    finally:
        if err is not None:
            err.close()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _follow(proc, deadline: float, progress) -> None:
    """Wait for the child until the deadline, passing on the progress lines it prints ("done total")."""
    fd = proc.stdout.fileno()
    buf = b""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ReadError(_MSG["timeout"])
            if not sel.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:                           # the child has closed its output: it is done
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            if progress and lines:
                done, total = (int(x) for x in lines[-1].split())
                progress(min(done / max(total, 1), 1.0))
    try:
        proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
    except subprocess.TimeoutExpired:
        raise ReadError(_MSG["timeout"]) from None


def _load_sheet(files: list[tuple[str, str | None]], n_rows: int, width: int) -> dict:
    """The sheet's chunks (Arrow IPC files the child wrote: column bodies, and the cells of other types) as one
    table of `width` columns and `n_rows` rows, and its exceptions {column: {row: value}}."""
    import pyarrow as pa
    bodies, offsets, other, start = [], [], {}, 0
    for path, other_path in files:
        with pa.OSFile(path) as f:
            t = pa.ipc.open_file(f).read_all()
        bodies.append(t)
        offsets.append(start)
        start += t.num_rows
        if other_path:
            with pa.OSFile(other_path) as f:
                o = pa.ipc.open_file(f).read_all()
            for j, r, v in zip(o.column("col").to_pylist(), o.column("row").to_pylist(), _cells().decode(o.column("value"))):
                if r < n_rows:
                    other.setdefault(j, {})[r] = v
    if not width:
        return {"table": pa.table({}), "other": {}}
    cols = {}
    for j in range(width):
        name = str(j)
        chunks = [c for t in bodies for c in (t.column(name).chunks if name in t.column_names
                                              else [pa.nulls(t.num_rows, pa.null())])]
        cols[name] = _cells().join_chunks(chunks, offsets, other.setdefault(j, {}))
    return {"table": pa.table(cols).slice(0, n_rows), "other": {j: o for j, o in other.items() if o}}


# --- child side (stdlib + python_calamine + pyarrow only) ------------------------------------

CHUNK_ROWS = 65536                                  # rows turned into Arrow columns at a time


def _vm_size() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _import_cells(capped: bool) -> None:
    """The child's thread that imports cells.py (pyarrow, ~0.1 s) while the main thread parses. The address
    space pyarrow maps (~0.3 GB: its libraries, its allocator) is not the file's: the cap is raised by what the
    import added, so the file still gets its MEMORY_LIMIT above the start size, as when pyarrow was imported
    before the cap was set."""
    before = _vm_size() if capped else 0
    try:
        _cells()
    except BaseException:                           # the main thread imports it again and meets the error itself
        return
    if capped:
        try:
            import resource
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            raised = soft + max(_vm_size() - before, 0)
            resource.setrlimit(resource.RLIMIT_AS, (raised if hard == resource.RLIM_INFINITY else min(raised, hard),
                                                    hard))
        except (ImportError, OSError, ValueError):
            pass


def _child_main(src: str, out: str, stem: str, n_bytes: int | None = None) -> None:
    gc.disable()                                    # short-lived, builds many objects
    capped = False
    try:
        import resource
        start_size = _vm_size()
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = start_size + MEMORY_LIMIT
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        capped = True
    except (ImportError, OSError, ValueError):
        pass                                        # not Linux: the timeout still holds
    threading.Thread(target=_import_cells, args=(capped,), daemon=True).start()
    try:
        result = ("ok", _parse(src, stem, os.path.dirname(out), n_bytes))
    except ReadError as e:
        result = ("err", str(e))
    except MemoryError:
        result = ("err", _MSG["too_big"])
    except BaseException as e:                      # CalamineError & co, OSError, pyo3 panics
        msg = f"{type(e).__name__}: {e}"[:200]
        low = msg.lower()
        result = ("err", _MSG["encrypted"] if "password" in low or "encrypt" in low else
                  _MSG["too_big"] if "limit exceeded" in low or "memory" in low else
                  f"{_MSG['corrupt']}（技术信息：{msg}）")
    with open(out + ".part", "wb") as f:
        pickle.dump(result, f, protocol=5)
    os.replace(out + ".part", out)
    os._exit(0)                                     # skip freeing what was built object by object


class _SheetWriter:
    """Turns a sheet's rows into Arrow column chunks, CHUNK_ROWS at a time, each written as an IPC file."""

    def __init__(self, tmp: str, index: int, pad: int, errors: list):
        self.tmp, self.index, self.pad, self.files = tmp, index, pad, []
        self.errors = sorted(errors)                # (row, col, code), absolute
        self.rows: list[list] = []
        self.start = 0                              # absolute index of self.rows[0]
        self.last = -1                              # last row holding anything (an error cell counts)
        self.width = pad

    def blank(self, n: int) -> None:
        self.extend([[] for _ in range(n)])

    def extend(self, rows: list[list]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        rows, n = self.rows, len(self.rows)
        if not n:
            return
        w = max(map(len, rows))
        self.width = max(self.width, self.pad + w)
        cols = [list(c) for c in zip(*(r if len(r) == w else r + [""] * (w - len(r)) for r in rows))] if w else []
        end = self.start + n
        for r, c, code in self.errors:              # error cells python-calamine reads as ""
            j = c - self.pad
            if self.start <= r < end and 0 <= j < w and cols[j][r - self.start] in ("", None):
                cols[j][r - self.start] = _cells().CellError(code)
        self.rows = []
        arrays, o_col, o_row, o_val = {}, [], [], []
        for j, c in enumerate(cols):
            body, rs, vs = _cells().encode(c)
            arrays[str(self.pad + j)] = body
            o_col += [self.pad + j] * len(rs)
            o_row += [self.start + r for r in rs]
            o_val += vs
        filled = None
        for a in arrays.values():
            v = pc.is_valid(a)
            filled = v if filled is None else pc.or_(filled, v)
        idx = pc.indices_nonzero(filled) if filled is not None else []
        if len(idx):
            self.last = self.start + idx[-1].as_py()
        if o_row:
            self.last = max(self.last, max(o_row))
        path = os.path.join(self.tmp, f"s{self.index}-{len(self.files)}.arrow")
        _write_ipc(path, pa.table(arrays) if arrays else pa.table({"0": pa.nulls(n, pa.null())}))
        other_path = None
        if o_row:
            other_path = path[:-6] + ".other.arrow"
            _write_ipc(other_path, pa.table({"col": pa.array(o_col, pa.int32()), "row": pa.array(o_row, pa.int64()),
                                             "value": _cells().encode_mixed(o_val)}))
        self.files.append((path, other_path))
        self.start = end
        _Progress.rows += n
        _Progress.report()

    def finish(self, name: str, hidden: bool, merges: list) -> tuple:
        self.flush()
        n_rows = self.last + 1                      # rows that held only "" at the end are dropped
        width = self.width if n_rows else 0
        return (name, hidden, n_rows, width, merges, self.files if width else [])


class _Progress:
    """Progress lines for the parent ("done total"): the parse counts for a third, the rows converted for the rest."""
    rows, total = 0, 0
    fallback = None                                 # why the native scanner left the file to python-calamine

    @classmethod
    def report(cls) -> None:
        if cls.total:
            done = cls.total // 3 + min(cls.rows, cls.total) * 2 // 3
            sys.stdout.write(f"{done} {cls.total}\n")
            sys.stdout.flush()


# How fast python-calamine parses a sheet's XML, for the progress of the parse itself (one call, no progress of its
# own: 10–12 s of a 1,000,000-row file). Measured on this 2-core machine: 86 MB/s alone, 64 MB/s in the server;
# the slower figure, so the bar rarely waits at its cap.
PARSE_BYTES_PER_S = 60e6
TICK_S = 0.25


def _parse_bytes(src: str, fmt: str) -> int:
    """The bytes python-calamine parses: the uncompressed worksheets and shared strings of an .xlsx, the
    content.xml of an .ods, the file itself otherwise."""
    try:
        if fmt in ("xlsx", "ods"):
            with zipfile.ZipFile(src) as z:
                return sum(i.file_size for i in z.infolist()
                           if (n := i.filename.replace("\\", "/").lower()).endswith("content.xml")
                           or n.startswith("xl/worksheets/") or n.endswith("sharedstrings.xml"))
        return os.path.getsize(src)
    except Exception:                               # the parse will say what is wrong
        return 0


def parse_fraction(elapsed: float, expected: float) -> float:
    """The parse's estimated share done after `elapsed` seconds of an `expected`-second parse, never 1 (it ends
    when it ends, at most 95 %: then the bar waits rather than claims)."""
    return min(elapsed / expected, 0.95) if expected > 0 else 0.0


class _ParseTicker(threading.Thread):
    """Progress lines during the parse (the first third of the bar), estimated from the bytes to parse."""

    def __init__(self, n_bytes: int):
        super().__init__(daemon=True)
        self.expected, self.stop = n_bytes / PARSE_BYTES_PER_S, threading.Event()

    def run(self) -> None:
        t0, last = time.monotonic(), 0
        while not self.stop.wait(TICK_S):
            done = int(333 * parse_fraction(time.monotonic() - t0, self.expected))
            if done > last:
                last = done
                sys.stdout.write(f"{done} 1000\n")
                sys.stdout.flush()

    def finish(self) -> None:
        self.stop.set()
        self.join()


def _write_ipc(path: str, table) -> None:
    import pyarrow as pa
    with pa.OSFile(path, "wb") as f, pa.ipc.new_file(f, table.schema) as w:
        w.write_table(table)


def _parse(src: str, stem: str, tmp: str, n_bytes: int | None = None) -> list[tuple]:
    container = src.rsplit(".", 1)[1]
    if container == "csv":
        with open(src, "rb") as f:
            rows = _read_csv(f.read(), stem)
        w = _SheetWriter(tmp, 0, 0, [])
        for k in range(0, len(rows), CHUNK_ROWS):
            w.extend(rows[k:k + CHUNK_ROWS])
        return [w.finish(stem, False, [])]
    fmt = "xls" if container == "ole" else _zip_format(src)
    os.rename(src, src := src[: -len(container)] + fmt)    # calamine picks its reader by suffix
    if fmt == "xlsx":
        ticker = _ParseTicker(_parse_bytes(src, fmt) if n_bytes is None else n_bytes)
        ticker.start()
        try:
            fast = _read_native(src, tmp)
        finally:
            ticker.finish()
        if fast is not None:
            return fast
    import python_calamine as pc
    wb = pc.CalamineWorkbook.from_path(src)
    meta = wb.sheets_metadata
    if len(meta) > MAX_SHEETS:
        raise ReadError(_MSG["sheets"])
    errors: dict[str, list] = {}
    scan = threading.Thread(target=_find_errors, args=(src, errors), daemon=True)
    scan.start()                                    # zlib and calamine release the GIL
    ticker = _ParseTicker(_parse_bytes(src, fmt) if n_bytes is None else n_bytes)   # given by the parent
    ticker.start()
    try:
        loaded = [(i, m, wb.get_sheet_by_index(i)) for i, m in enumerate(meta)
                  if m.typ not in (pc.SheetTypeEnum.ChartSheet, pc.SheetTypeEnum.Vba)]
    finally:
        ticker.finish()                             # no tick after the rows' progress begins
    ods = _ods_merges(src) if fmt == "ods" else {}  # calamine gives no merged ranges for .ods
    scan.join()
    total = sum(sh.end[0] + 1 for _, _, sh in loaded if sh.start is not None)
    _Progress.total = total
    _Progress.report()                              # the parse is about a third of the child's work
    result = []
    for i, m, sh in loaded:
        result.append(_write_sheet(sh, m.name, m.visible != pc.SheetVisibleEnum.Visible, tmp, i,
                                   errors.get(m.name, []), ods.get(m.name, [])))
    return result


def _native():
    if __package__:
        from . import native
    else:
        import native                               # stdlib + pyarrow + the compiled _xlsxscan
    return native


def _read_native(src: str, tmp: str) -> list[tuple] | None:
    """The sheets of an .xlsx read by the native scanner (native.py), or None when python-calamine must read it:
    the scanner is not built, or the file holds something outside what it reads (it says what)."""
    native = _native()
    if not native.available() or os.environ.get("LEDGER_XLSX_SCANNER") == "off":
        return None                                 # "off": python-calamine reads every file (tests, diagnosis)
    try:
        sheets = native.read_xlsx(src, tmp, MAX_SHEETS, MAX_ROWS, MAX_COLS, _cells().MIXED, _write_ipc)
    except MemoryError:
        raise
    except Exception as e:                          # Unsupported, or a damaged part: python-calamine says what
        _Progress.fallback = f"{type(e).__name__}: {e}"
        return None
    for s in sheets:
        if len(s) == 3:                             # (name, hidden, "rows" | "cols"): beyond a cap
            raise ReadError(_MSG[s[2]].format(s[0]))
    _Progress.total = _Progress.rows = max(sum(s[2] for s in sheets), 1)
    _Progress.report()
    return sheets


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


def _write_sheet(sheet, name: str, hidden: bool, tmp: str, index: int, errors: list,
                 other_merges: list | None = None) -> tuple:
    merges = _merges(sheet) or other_merges or []
    if sheet.start is None:
        return (name, hidden, 0, 0, merges, [])
    (r0, c0), (r1, _) = sheet.start, sheet.end
    if r1 >= MAX_ROWS:
        raise ReadError(_MSG["rows"].format(name))
    keep, pad = max(MAX_COLS - c0, 0), min(c0, MAX_COLS)
    w = _SheetWriter(tmp, index, pad, errors)
    rows = sheet.iter_rows()                        # one row at a time, from column c0
    first = next(rows, None)
    if first is None:
        return (name, hidden, 0, 0, merges, [])
    if r0 and any(v != "" for v in first):          # rows from 0, or (should a reader do so) from r0, whose
        w.blank(r0)                                 # row holds a value: then the rows above it are blank
    wide = sheet.end[1] - c0 + 1 > keep
    chunk = [first] + list(itertools.islice(rows, CHUNK_ROWS - 1))
    while chunk:
        if wide:
            for row in chunk:
                if any(v != "" for v in row[keep:]):
                    raise ReadError(_MSG["cols"].format(name))
                del row[keep:]
        w.extend(chunk)
        chunk = list(itertools.islice(rows, CHUNK_ROWS))
    return w.finish(name, hidden, merges)


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


def _die_with_parent(tmp: str, timeout_s: float = PARSE_TIMEOUT_S) -> None:
    """A reader whose parent (the CLI, the app server) is killed mid-read removes the read's folder (the copy
    of the upload, its partial output) and exits, instead of parsing on as an orphan: the kernel sends it
    SIGTERM when the parent dies (PR_SET_PDEATHSIG), and a CPU limit past the parent's timeout is the backstop."""
    def leave(*_):
        shutil.rmtree(tmp, ignore_errors=True)
        os._exit(1)
    signal.signal(signal.SIGTERM, leave)
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))      # PR_SET_PDEATHSIG = 1 (Linux)
        import resource
        cpu = int(timeout_s) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    except (ImportError, OSError, AttributeError, ValueError):
        pass                                        # not Linux: the parent's own cleanup still holds
    if os.environ.get("LEDGER_READ_PARENT", str(os.getppid())) != str(os.getppid()):
        leave()                                     # the parent died before the line above took effect


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    _die_with_parent(os.path.dirname(sys.argv[3]), float(sys.argv[5]) if len(sys.argv) > 5 else PARSE_TIMEOUT_S)
    _child_main(*sys.argv[2:5], *[int(x) for x in sys.argv[6:7]])
