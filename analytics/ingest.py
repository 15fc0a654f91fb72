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
from .companies import registry
from .db import Store
from .header import Header, date_context, detect, sheet_month, title_info
from .ledgers import LEDGERS
from .load import NewBatch, write_batch
from .read import ReadError, read_workbook
from .stage import stage_sheet
from .validate import check_records

LOADED, DUPLICATE, REJECTED, NO_LEDGER = "loaded", "duplicate", "rejected", "no_ledger"
STATUS_LABELS = {LOADED: "已导入", DUPLICATE: "重复文件，未改动", REJECTED: "已拒收", NO_LEDGER: "未识别出台账"}


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
                 today: dt.date | None = None) -> FileResult:
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
        res.errors.append(iss.error("bad_date", str(e)))
        res.message = str(e)
        return res
    try:
        sheets = read_workbook(data, filename)
    except ReadError as e:
        res.errors.append(iss.error("unreadable", str(e)))
        res.message = f"文件无法读取：{e}"
        return res

    reg = registry(store)
    forced = None
    if company:
        forced = reg.match(company)
        if forced is None:
            hint = reg.suggest(company)
            res.errors.append(iss.error("unknown_company", f"单位“{company}”未登记" +
                                        (f"，是否为：{'、'.join(hint)}？" if hint else ""), value=company))
            res.message = "所选单位未登记"
            return res

    staged: dict[str, list[dict]] = defaultdict(list)
    headers: dict[str, dict[str, Header]] = defaultdict(dict)
    months: dict[str, set[tuple[int, int]]] = defaultdict(set)     # title/sheet months per ledger
    file_companies: dict[str, str] = {}                            # ledger → company named by form or title
    for sh in sheets:
        if sh.hidden:
            if detect(sh.rows):
                res.notes.append(iss.warning("hidden_sheet", f"隐藏工作表“{sh.name}”已跳过", sheet=sh.name))
            continue
        h = detect(sh.rows)
        if h is None:
            if any(any(v is not None for v in r) for r in sh.rows):
                res.notes.append(iss.warning("sheet_skipped", f"工作表“{sh.name}”未识别为台账，已跳过", sheet=sh.name))
            continue
        info = title_info(sh.rows, h.rows[0], h.ledger)
        ctx = date_context(info, sh.name, per)
        file_company = forced or info.company
        st = stage_sheet(sh.name, sh.rows, h, ctx, file_company, reg)
        staged[h.ledger.name].extend(st.records)
        headers[h.ledger.name][sh.name] = h
        res.errors += [x for x in st.issues if x.is_error]
        res.warnings += [x for x in st.issues if not x.is_error]
        sy, sm = sheet_month(sh.name)
        if sm and (sy or ctx.year):
            months[h.ledger.name].add((sy or ctx.year, sm))
        months[h.ledger.name].update(info.months)
        if file_company and reg.match(file_company):
            file_companies[h.ledger.name] = reg.match(file_company)

    if not headers:
        res.status = NO_LEDGER
        res.message = ("未在文件中识别出任何台账：请确认表头包含台账的必填列（如 隐患：发现日期、隐患描述、隐患等级、整改期限、"
                       "整改状态），或下载标准模板填写。")
        return res

    for ledger, recs in staged.items():
        checks = check_records(ledger, recs, headers[ledger], today)
        res.errors += [x for x in checks if x.is_error]
        res.warnings += [x for x in checks if not x.is_error]

    if res.errors:
        res.status = REJECTED
        res.message = f"发现 {len(res.errors)} 处错误，整个文件未导入。请按清单修改后重新上传。"
        return res

    now = dt.datetime.now().replace(microsecond=0)
    who = uploaded_by or getpass.getuser()
    batches = []
    for ledger in headers:
        recs = staged.get(ledger, [])
        start, end, coverage = _period(ledger, recs, per, months[ledger], file_companies.get(ledger))
        companies = sorted({r["company"] for r in recs} | ({c for c, _ in coverage}))
        warns = [w for w in res.warnings if w.sheet in headers[ledger] or w.sheet is None]
        batches.append(NewBatch(filename, sha, ledger, recs, warns, companies, start, end, coverage, who, now))
    for b in batches:      # one transaction per ledger batch; a file's batches share its hash
        res.batch_ids.append(write_batch(store, b))
        res.ledgers[b.ledger] = len(b.records)
    res.status = LOADED
    parts = "，".join(f"{LEDGERS[k].label} {n} 行" for k, n in res.ledgers.items())
    res.message = f"已导入：{parts}" + (f"；{len(res.warnings)} 条警告" if res.warnings else "")
    return res


def _period(ledger: str, recs: list[dict], per, named: set, file_company: str | None):
    """The months an upload speaks for: --period, else the months named in titles/sheets, else the data's."""
    lg = LEDGERS[ledger]

    def first_of(v) -> dt.date | None:
        if v is None:
            return None
        if isinstance(v, int):
            return dt.date(v, 1, 1)
        if isinstance(v, dt.datetime):
            v = v.date()
        return v.replace(day=1)

    data_months = {first_of(r.get(lg.date_field)) for r in recs} - {None}
    if per:
        named_months = {dt.date(per[0], per[1], 1)}
    else:
        named_months = {dt.date(y, m, 1) for y, m in named if 1 <= m <= 12}
    span = named_months | data_months
    if ledger == "indicators":
        years = {r["year"] for r in recs}
        start = dt.date(min(years), 1, 1) if years else None
        end = dt.date(max(years), 12, 1) if years else None
    else:
        start, end = (min(span), max(span)) if span else (None, None)
    coverage: set[tuple[str, dt.date]] = set()
    if lg.semantics == "flow":
        for r in recs:
            coverage.add((r["company"], first_of(r.get(lg.date_field))))
        if file_company and named_months and len(named_months) <= 1:
            coverage |= {(file_company, m) for m in named_months}
    elif start and end:
        companies = {r["company"] for r in recs} or ({file_company} if file_company else set())
        m = start
        while m <= end:
            coverage |= {(c, m) for c in companies}
            m = (m + dt.timedelta(days=32)).replace(day=1)
    return start, end, coverage
