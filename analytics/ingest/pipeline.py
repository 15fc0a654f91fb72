"""The ingest pipeline for one file: read → detect headers → stage → validate → load.

A file is accepted whole or not at all (DOMAIN.md §2): every sheet that holds a ledger is
staged and checked; if any error is found nothing is loaded and every error is returned.
Otherwise each ledger found becomes one batch. The same file loaded again is a no-op.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import issues as iss
from ..companies import registry
from ..store.db import Store
from .locate import MAX_HEADER_SCAN, Header, NearMiss, date_context, detect, looks_like_company, near_miss, sheet_month, title_info
from ..ledgers import LEDGERS
from .diff import Diff, diff_records
from .frame import Frame
from .load import NewBatch, write_batches
from .read import Reading, ReadError, start_read
from .stage import stage_sheet, unknown_company
from ..textnorm import nfkc
from .check import check_records

LOADED, DUPLICATE, REJECTED, NO_LEDGER = "loaded", "duplicate", "rejected", "no_ledger"
PREVIEW = "preview"                     # a dry run that passed every check: nothing written yet
READING, CHECKING, LOADING, DONE = "读取文件", "检查数据", "写入数据库", "完成"   # the steps progress() hears
STATUS_LABELS = {LOADED: "已导入", DUPLICATE: "重复文件，未改动", REJECTED: "已拒收", NO_LEDGER: "未识别出台账",
                 PREVIEW: "检查通过（预览，尚未导入）"}


@dataclass
class FileResult:
    file: str
    sha256: str
    status: str
    message: str
    batch_ids: list[int] = field(default_factory=list)
    ledgers: dict[str, int] = field(default_factory=dict)     # ledger → rows loaded
    errors: list[iss.Issue] = field(default_factory=list)
    warnings: list[iss.Issue] = field(default_factory=list)
    notes: list[iss.Issue] = field(default_factory=list)      # skipped sheets
    diffs: dict[str, Diff] = field(default_factory=dict)     # ledger → inserted / changed (old → new) / unchanged

    @property
    def accepted(self) -> bool:
        return self.status in (LOADED, DUPLICATE)


def parse_period(period: str | None) -> tuple[int, int] | None:
    """'2026-10' → (2026, 10); raises ValueError with a Chinese message."""
    if not period:
        return None
    try:
        d = dt.datetime.strptime(period.strip(), "%Y-%m")
    except ValueError:
        raise ValueError(f"期间“{period}”格式不对，应为 YYYY-MM，例如 2026-10") from None
    return d.year, d.month


def ingest_file(store: Store, path: str | Path, **kw) -> FileResult:
    p = Path(path)
    return ingest_bytes(store, p.read_bytes(), p.name, **kw)


def ingest_bytes(store: Store, data: bytes, filename: str, *, company: str | None = None,
                 period: str | None = None, uploaded_by: str | None = None,
                 today: dt.date | None = None, dry_run: bool = False, progress=None,
                 reading: Reading | None = None) -> FileResult:
    """Check a file and load it (all or nothing). With dry_run, check it and say what loading it would
    change (FileResult.diffs, status PREVIEW) without writing anything. `progress(fraction, step)`, if given,
    hears how far it got (reading is most of the time: 0 … 0.7, checking to 0.85, then loading). `reading`: the
    read of these bytes already started (read.start_read, the CLI); it is collected here, or cancelled."""
    try:
        return _ingest(store, data, filename, company=company, period=period, uploaded_by=uploaded_by,
                       today=today, dry_run=dry_run, progress=progress, reading=reading)
    finally:
        if reading is not None:
            reading.cancel()


def _ingest(store: Store, data: bytes, filename: str, *, company, period, uploaded_by, today, dry_run, progress,
            reading) -> FileResult:
    step = progress or (lambda fraction, what: None)
    today = today or dt.date.today()
    sha = hashlib.sha256(data).hexdigest()
    res = FileResult(filename, sha, REJECTED, "")
    prior = store.rows("SELECT id, uploaded_at FROM batches WHERE sha256 = ? AND status = 'loaded' ORDER BY id", [sha])
    if prior:
        res.status, res.batch_ids = DUPLICATE, [r[0] for r in prior]
        res.message = (f"该文件已于 {prior[0][1]:%Y-%m-%d %H:%M} 导入（批次 {'、'.join(str(r[0]) for r in prior)}），"
                       "本次未作任何改动。如需按其他单位重新导入，请先撤销该批次。")
        return res
    try:
        per = parse_period(period)
    except ValueError as e:
        res.errors.append(iss.error("bad_period", str(e), value=period))
        res.message = str(e)
        return res
    step(0.0, READING)
    try:
        if reading is None:
            reading = start_read(data, filename)
        reg = registry(store)                       # while the child reads
        sheets = reading.result(progress=lambda f: step(0.7 * f, READING))
    except ReadError as e:
        res.errors.append(iss.error("unreadable", f"文件无法读取：{e}"))
        res.message = f"文件无法读取：{e}"
        return res

    step(0.7, CHECKING)
    forced = None
    if company:
        forced = reg.match(company)
        if forced is None:
            res.errors.append(unknown_company(company, reg, column="上传时选择的单位", value=company))
            res.message = "所选单位未登记"
            return res

    parts: list[_Part] = []
    near: list[tuple[str, NearMiss]] = []          # sheets whose header lacks required columns
    recognised = False
    for sh in sheets:
        if sh.name in IGNORED_SHEETS:
            continue
        head = sh.head(HEAD_ROWS)
        if sh.hidden:
            if detect(head):
                res.notes.append(iss.warning("hidden_sheet", f"隐藏工作表“{sh.name}”已跳过", sheet=sh.name))
            continue
        h = detect(head)
        if h is None:
            if not _is_instructions(sh.name) and (nm := near_miss(head)):
                recognised = True
                near.append((sh.name, nm))
            elif sh.n_rows and not _is_instructions(sh.name):
                res.notes.append(iss.warning("sheet_skipped", f"工作表“{sh.name}”未识别为台账，已跳过", sheet=sh.name))
            continue
        recognised = True
        info = title_info(head, h.rows[0], h.ledger)
        ctx = date_context(info, sh.name, per)
        sheet_company, company_issue = _sheet_company(sh.name, head, h, info, reg)
        st = stage_sheet(sh, h, ctx, sheet_company, reg, forced)
        if sheet_company is None and "company" not in h.columns and (st.records or st.issues) and not forced:
            st.issues.insert(0, company_issue or _no_company(sh.name, h))
            st.records = Frame()            # rows without a company cannot be checked further
        elif not st.records and not st.issues and sheet_company is None:
            res.notes.append(iss.warning("sheet_skipped", f"工作表“{sh.name}”没有数据行，也未写明单位，已跳过",
                                         sheet=sh.name))
            continue
        res.errors += [x for x in st.issues if x.is_error]
        res.warnings += [x for x in st.issues if not x.is_error]
        parts.append(_Part(h.ledger.name, sh.name, h, sheet_company, _named_months(sh.name, info, ctx, per),
                           st.records))

    if forced:
        res.errors += _chosen_conflicts(forced, parts, res.errors)
    found = {p.ledger for p in parts}
    for name, nm in near:
        if nm.header.ledger.name in found:    # e.g. a summary sheet beside the real ledger: skip it, say why
            missing = "、".join(nm.header.ledger.field(f).label for f in nm.missing)
            res.notes.append(iss.warning("sheet_skipped", f"工作表“{name}”缺少必填列（{missing}），未作为"
                                         f"{nm.header.ledger.label}导入，已跳过", sheet=name))
        else:
            res.errors += _missing_columns(name, nm)
    if not recognised:
        res.status = NO_LEDGER
        res.message = ("未在文件中识别出任何台账：请确认表头包含台账的必填列（如 隐患：发现日期、隐患描述、隐患等级、整改期限、"
                       "整改状态），或下载标准模板填写。")
        res.errors.append(iss.error("no_ledger", res.message))
        return res

    if not parts and not res.errors:
        res.errors.append(iss.error("empty_ledger", "台账没有数据行，也未写明填报单位，没有可导入的内容"))
    by_ledger: dict[str, list[_Part]] = defaultdict(list)
    for p in parts:
        by_ledger[p.ledger].append(p)
    staged: dict[str, Frame] = {}
    for ledger, ps in by_ledger.items():
        recs = Frame.concat([p.records for p in ps])
        checks, recs = check_records(ledger, recs, {p.sheet: p.header for p in ps}, today)
        res.errors += [x for x in checks if x.is_error]
        res.warnings += [x for x in checks if not x.is_error]
        staged[ledger] = recs           # without the keys repeated across sheets (the later wins)

    if res.errors:
        res.status = REJECTED
        res.message = f"发现 {len(res.errors)} 处错误，整个文件未导入。请按清单修改后重新上传。"
        return res

    step(0.85, LOADING)
    now = dt.datetime.now().replace(microsecond=0)
    who = uploaded_by or getpass.getuser()
    batches = []
    for ledger, ps in by_ledger.items():
        recs = staged[ledger]
        coverage = _coverage(ledger, ps, recs)
        months = sorted({m for _, m in coverage})
        start, end = (months[0], months[-1]) if months else (None, None)
        if ledger == "indicators" and months:
            end = dt.date(end.year, 12, 1)
        companies = sorted(set(recs.column("company")) | {c for c, _ in coverage})
        sheets_of = {p.sheet for p in ps}
        warns = [w for w in res.warnings if w.sheet in sheets_of or w.sheet is None]
        batches.append(NewBatch(filename, sha, ledger, recs, warns, companies, start, end, coverage, who, now))
    if dry_run:
        for b in batches:
            res.diffs[b.ledger] = diff_records(store.rows, b.ledger, b.records, b.coverage)
            res.ledgers[b.ledger] = len(b.records)
        res.status = PREVIEW
    else:
        for b, bid in zip(batches, write_batches(store, batches)):   # one transaction for the whole file
            res.batch_ids.append(bid)
            res.ledgers[b.ledger] = len(b.records)
            res.diffs[b.ledger] = b.diff
        res.status = LOADED
    step(1.0, DONE)
    parts_msg = "，".join(f"{LEDGERS[k].label} {n} 行（{res.diffs[k].summary}）" for k, n in res.ledgers.items())
    res.message = (("检查通过，导入后将写入：" if dry_run else "已导入：") + parts_msg
                   + (f"；{len(res.warnings)} 条警告" if res.warnings else ""))
    return res


HEAD_ROWS = MAX_HEADER_SCAN + 1           # the rows header detection and the title lines look at

# Sheets that are never a ledger: the error list of an annotated file sent back after fixing.
IGNORED_SHEETS = ("错误清单",)
_INSTRUCTIONS = ("说明", "填表说明", "填报说明", "目录", "封面", "参数", "下拉", "选项", "字典")


def _is_instructions(name: str) -> bool:
    return any(w in name for w in _INSTRUCTIONS)


@dataclass
class _Part:
    """One sheet's contribution to a ledger's batch."""
    ledger: str
    sheet: str
    header: Header
    company: str | None                  # the registered company named by form or title
    named: set[dt.date]                  # months the sheet speaks for (sheet name, title, --period)
    records: Frame


def _missing_columns(sheet: str, nm: NearMiss) -> list[iss.Issue]:
    lg, h = nm.header.ledger, nm.header
    out = []
    for fld in nm.missing:
        f = lg.field(fld)
        seen = "、".join(dict.fromkeys((f.label, *f.synonyms)))
        out.append(iss.error("missing_column", f"{lg.label}缺少必填列“{f.label}”（表头可写作：{seen}）",
                             sheet=sheet, row=h.rows[-1] + 1, column=f.label))
    return out


def _no_company(sheet: str, h: Header) -> iss.Issue:
    return iss.error("no_company", "无法确定所属单位：表中没有“单位”列，表头上方也没有“填报单位：…”，"
                                   "请在上传时选择单位（命令行用 --company）",
                     sheet=sheet, row=h.rows[0] + 1, column="填报单位")


def _chosen_conflicts(chosen: str, parts: list[_Part], errors: list[iss.Issue]) -> list[iss.Issue]:
    """A company chosen at upload only fills in where the file names none (DOMAIN.md §2). Where the file
    names companies (a column, 填报单位, a title, a sheet name) and any of them is not the chosen one, that
    is an error naming both: the rows are never booked to the chosen company."""
    named: dict[str, tuple] = {}
    for p in parts:
        if p.company:
            named.setdefault(p.company, (p.sheet, None))
        r = p.records
        for company, sheet, row, chosen_ in zip(r.column("company"), r.column("sheet"), r.column("row_no"),
                                                r.column("by_choice")):
            if not chosen_:
                named.setdefault(company, (sheet, row))
    for e in errors:                         # names the file gives that are not registered
        if e.code == "unknown_company" and e.column != "上传时选择的单位" and e.value:
            named.setdefault(e.value, (e.sheet, e.row))
    others = [n for n in named if n != chosen]
    if not others:
        return []
    listed = "、".join(f"“{n}”" for n in named)
    where = named[others[0]]
    return [iss.error("company_conflict",
                      f"文件中写明的单位为{listed}，与上传时选择的单位“{chosen}”不一致。上传时选择的单位只用于"
                      "整个文件都未写明单位的情况；请取消选择（按文件中的单位导入），或改正文件中的单位",
                      sheet=where[0], row=where[1], column="单位", value=others[0])]


def _sheet_company(sheet: str, head: list[list], h: Header, info, reg) -> tuple[str | None, iss.Issue | None]:
    """The registered company a sheet speaks for (填报单位, else a sheet named by a registered name or alias,
    else the title), and the error to report once when the sheet has no company column and the named
    company is unknown."""
    if info.company and not info.company_in_title and (name := reg.match(info.company)):
        return name, None
    if name := reg.match(sheet):
        return name, None
    if not info.company:
        return None, None
    name = reg.match(info.company)
    if name:
        return name, None
    if info.company_in_title and not looks_like_company(info.company):
        return None, None                # e.g. "安全教育培训台账": the title's words are not a company
    r = info.company_row
    row = head[r] if r is not None else []
    col = next((j for j, v in enumerate(row) if isinstance(v, str) and info.company in nfkc(v)), None)
    if col is None:
        col = next((j for j, v in enumerate(row) if v is not None), None)
    return None, unknown_company(info.company, reg, sheet=sheet, row=None if r is None else r + 1,
                                 column="填报单位" if not info.company_in_title else "标题",
                                 value=info.company, col=col)


def _named_months(sheet: str, info, ctx, per) -> set[dt.date]:
    """The months a sheet speaks for: its name (10月), else the month or the range of months in its
    title ("2026年10月", "（2024年12月—2026年11月）"), else --period."""
    sy, sm = sheet_month(sheet)
    if sm and (sy or ctx.year):
        return {dt.date(sy or ctx.year, sm, 1)}
    named = sorted({dt.date(y, m, 1) for y, m in info.months if 1 <= m <= 12})
    if named:
        return set(_months_between(named[0], named[-1]))
    if per:
        return {dt.date(per[0], per[1], 1)}
    return set()


def _first_of(v) -> dt.date | None:
    if v is None:
        return None
    if isinstance(v, int):
        return dt.date(v, 1, 1)
    if isinstance(v, dt.datetime):
        v = v.date()
    return v.replace(day=1)


def _months_between(a: dt.date, b: dt.date) -> list[dt.date]:
    out, m = [], a
    while m <= b:
        out.append(m)
        m = (m + dt.timedelta(days=32)).replace(day=1)
    return out


def _coverage(ledger: str, parts: list[_Part], kept: Frame) -> set[tuple[str, dt.date]]:
    """The (company, month) pairs a ledger's batch speaks for.

    flow (training, investment): every month a row falls in, and every month a sheet names
      (an empty sheet "11月" says: no training in November) — these are what the upload replaces.
    entity (hazards, accidents): the months the sheets name, else the months between the sheet's
      first and last date (a month's ledger carries older open hazards; it still speaks for its month).
    indicators: every month of each year the file holds.
    Each sheet's company (form/title) and the companies of its rows are covered."""
    lg = LEDGERS[ledger]
    out: set[tuple[str, dt.date]] = set()
    for p in parts:
        recs = p.records
        if lg.semantics == "flow":
            pairs = set(zip(recs.column("company"), recs.column(lg.date_field)))
        else:                                   # the records loaded from this sheet (a key repeated later is not)
            pairs = {(c, d) for c, d, sh in zip(kept.column("company"), kept.column(lg.date_field),
                                               kept.column("sheet")) if sh == p.sheet}
        companies = set(recs.column("company")) | ({p.company} if p.company else set())
        data = {(c, _first_of(d)) for c, d in pairs} - {(c, None) for c in companies}
        if ledger == "indicators":
            for c, m in data:
                out |= {(c, dt.date(m.year, k, 1)) for k in range(1, 13)}
        elif lg.semantics == "flow":
            out |= data | {(c, m) for c in companies for m in p.named}
        elif p.named:
            out |= {(c, m) for c in companies for m in p.named}
        else:
            for c in companies:
                ms = sorted(m for cc, m in data if cc == c)
                if ms:
                    out |= {(c, m) for m in _months_between(ms[0], ms[-1])}
    return out
