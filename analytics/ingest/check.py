"""Record-level checks of one ledger's staged records (DOMAIN.md §1–§2).

Errors (错误) reject the file; warnings (警告) are kept with the batch. Every check runs
over the whole file, so the sender gets every problem at once.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import issues as iss
from .frame import Frame
from .locate import Header
from ..ledgers import KEYS
from ..rules import record_key
from ..textnorm import has_control


def _where(rec: dict, header: Header | None, fld: str, value) -> dict:
    col = header.column_name(fld) if header else fld
    return dict(sheet=rec["sheet"], row=rec["row_no"], column=col,
                value=None if value is None else str(value),
                col=header.columns.get(fld) if header else None)


def check_records(ledger: str, records: Frame, headers: dict[str, Header],
                  today: dt.date) -> tuple[list[iss.Issue], Frame]:
    """Cross-field checks over a ledger's staged records (`headers` maps sheet → Header). Returns the issues
    and the records to load, each with its key (a key repeated across sheets: the later sheet's row)."""
    ctrl = _control_characters(records, headers)
    out: list[tuple[int, int, iss.Issue]] = []          # (record, order within the record, issue)
    if ledger == "hazards":
        out += _hazard_checks(records, headers, today)
    else:
        for i, rec in enumerate(records):
            out += [(i, k, x) for k, x in enumerate(_record_checks(ledger, rec, headers.get(rec["sheet"]), today))]
    out.sort(key=lambda t: (t[0], t[1]))
    issues = [x for _, _, x in out]
    if ledger in ("hazards", "accidents", "indicators"):
        records["key"] = keys(ledger, records)
    else:
        records["key"] = [None] * len(records)
    dup, kept = _duplicates(ledger, records, headers)
    return ctrl + issues + dup, kept


def _control_characters(records: Frame, headers: dict[str, Header]) -> list[iss.Issue]:
    """A text holding a control character (\\x01, \\x1b …; tab and line breaks are fine) is an error: it would
    break the documents and pages that show it, and it is never what the sender meant. A column is looked at row
    by row only when its texts, joined, hold one."""
    hits: dict[tuple[int, str], tuple[int, str]] = {}   # (record, field) → (column order, value)
    for order, (name, col) in enumerate(records.columns.items()):
        fld = name.removesuffix("_raw")
        if fld in ("sheet", "key") or not _any_control(records, name):
            continue
        for i, v in enumerate(col):
            if isinstance(v, str) and has_control(v):
                hits.setdefault((i, fld), (order, v))
    out = []
    sheets = records.column("sheet")
    for (i, fld), (_, v) in sorted(hits.items(), key=lambda kv: (kv[0][0], kv[1][0])):
        h = headers.get(sheets[i])
        if h and fld not in h.columns:
            continue
        shown = "".join(f"\\x{ord(c):02x}" if has_control(c) else c for c in v[:60])
        out.append(iss.error("control_char", **{**_where(records[i], h, fld, v), "value": shown}))
    return out


# The UTF-8 bytes that can start a control character (textnorm._CONTROL: C0 but tab and line breaks, DEL, and
# C1 = U+0080–U+009F, whose UTF-8 is \xc2 \x80–\x9f); a lead byte never occurs inside another character.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f, 0xc2])


def _any_control(records: Frame, name: str) -> bool:
    """Whether any text of a column holds a control character. A column of texts (and blanks) is looked at as its
    UTF-8 bytes in one pass (its Arrow array: staging's, or converted once), and searched text by text only when it
    holds one of those bytes (\xc2 also starts "°", "×"…); a column without texts (dates, numbers) is skipped."""
    a = records.texts(name)
    if a is not None:
        if a.null_count == len(a):
            return False
        off = np.frombuffer(a.buffers()[1], np.int32, count=len(a) + 1, offset=a.offset * 4)
        raw = bytes(memoryview(a.buffers()[2])[off[0]:off[-1]])
        if len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
            return False
    elif name in records.arrow:                         # held as Arrow of another type: no text in it
        return False
    col = records.column(name)
    return has_control("".join(v for v in col if type(v) is str))


def _dates(records: Frame, name: str) -> np.ndarray:
    """A column of dates (None = NaT) as numpy days, by Arrow (numpy's own conversion is 5× slower)."""
    return records.arrow_column(name, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")


def _hazard_checks(records: Frame, headers: dict[str, Header], today: dt.date) -> list[tuple[int, int, iss.Issue]]:
    """The hazard ledger's rules, column by column (numpy); only the failing records are looked at one by one."""
    out: list[tuple[int, int, iss.Issue]] = []
    if not records:
        return out
    c = records.column
    status = np.array(c("status"), object)
    raw = np.array(c("status_raw"), object)
    found, deadline, done = (_dates(records, f) for f in ("found_date", "deadline", "rectified_date"))
    has_done = ~np.isnat(done)
    rules = [
        (status == "已整改") & ~has_done,                                    # 0 rectified_without_date
        (raw != None) & (status == "未整改") & has_done,                     # 1 date_with_open_status  # noqa: E711
        done < found,                                                        # 2 rectified_before_found
        deadline < found,                                                    # 3 deadline_before_found
        found > np.datetime64(today),                                        # 4 future found date
        done > np.datetime64(today),                                         # 5 future completion date
        np.array(c("level"), object) == "重大",                              # 6 major: 五落实
    ]
    hit = np.flatnonzero(np.logical_or.reduce(rules))
    for i in hit:
        rec = records[i]
        for k, rule in enumerate(rules):
            if rule[i]:
                x = _hazard_issue(k, rec, headers.get(rec["sheet"]), today)
                if x is not None:
                    out.append((int(i), k, x))
    return out


def _hazard_issue(k: int, rec: dict, h: Header | None, today: dt.date) -> iss.Issue | None:
    w = lambda fld: _where(rec, h, fld, rec.get(fld))  # noqa: E731
    found, deadline, done = rec.get("found_date"), rec.get("deadline"), rec.get("rectified_date")
    if k == 0:
        return iss.error("rectified_without_date", f"整改状态为“{rec.get('status_raw')}”，但“"
                         f"{h.column_name('rectified_date') if h else '整改完成日期'}”为空，请填写整改完成日期",
                         **w("rectified_date"))
    if k == 1:
        return iss.error("date_with_open_status", f"填写了整改完成日期 {done}，但整改状态为“{rec['status_raw']}”",
                         **w("status"))
    if k == 2:
        return iss.error("rectified_before_found", f"整改完成日期 {done} 早于发现日期 {found}", **w("rectified_date"))
    if k == 3:
        return iss.warning("deadline_before_found", f"整改期限 {deadline} 早于发现日期 {found}", **w("deadline"))
    if k in (4, 5):
        fld = "found_date" if k == 4 else "rectified_date"
        return iss.warning("future_date", f"日期 {rec[fld]} 晚于上传当天 {today}", **w(fld))
    missing = [lbl for fld, lbl in (("owner", "责任人"), ("measures", "整改措施"), ("funds", "整改资金"),
                                    ("deadline", "整改时限")) if rec.get(fld) in (None, "")]
    if missing:
        return iss.warning("major_incomplete", f"重大隐患“五落实”缺少：{'、'.join(missing)}（另需应急预案）", **w("level"))
    return None


def _record_checks(ledger: str, rec: dict, h: Header | None, today: dt.date) -> list[iss.Issue]:
    """The rules of the small ledgers (accidents, training), record by record."""
    out: list[iss.Issue] = []
    w = lambda fld: _where(rec, h, fld, rec.get(fld))  # noqa: E731
    if ledger == "accidents":
        occ, rep = rec.get("occurred_at"), rec.get("reported_at")
        date_only = rec.get("reported_at_date_only")
        if occ and rep and date_only and rep.date() == occ.date():
            out.append(iss.warning("report_date_only", f"上报时间只填了日期 {rep:%Y-%m-%d}（事故发生于 {occ:%Y-%m-%d %H:%M}），"
                                   "无法判断是否在1小时内上报；按未迟报统计，请补填上报的时刻", **w("reported_at")))
        elif occ and rep and (rep.date() < occ.date() if date_only else rep < occ):
            shown = f"{rep:%Y-%m-%d}" if date_only else f"{rep:%Y-%m-%d %H:%M}"
            out.append(iss.warning("reported_before_occurred", f"上报时间 {shown} 早于发生时间 {occ:%Y-%m-%d %H:%M}",
                                   **w("reported_at")))
        if occ and occ.date() > today:
            out.append(iss.warning("future_date", f"日期 {occ.date()} 晚于上传当天 {today}", **w("occurred_at")))
        if occ and rep is None:
            out.append(iss.warning("report_time_missing", **w("reported_at")))
    elif ledger == "training":
        planned, attended, passed = rec.get("planned"), rec.get("attended"), rec.get("passed")
        if planned is not None and attended is not None and attended > planned:
            out.append(iss.warning("attended_over_planned", f"实参训 {attended} 人多于应参训 {planned} 人",
                                   **w("attended")))
        if passed is not None and attended is not None and passed > attended:
            out.append(iss.error("passed_over_attended", f"考核合格 {passed} 人多于实参训 {attended} 人",
                                 **w("passed")))
    return out


def keys(ledger: str, records: Frame) -> list[str]:
    """Every record's business key (rules.record_key), the primary keys' text normalised column-wise (Arrow)."""
    primary, _ = KEYS[ledger]
    company = records.column("company")
    if len(primary) == 1 and (texts := records.texts(primary[0])) is not None:
        norm = _compact_all(texts)
        if all(norm):                               # every record has its number
            return [c + "|" + k for c, k in zip(company, norm)]
        return [c + "|" + k if k else record_key(ledger, records[i])
                for i, (c, k) in enumerate(zip(company, norm))]
    return [record_key(ledger, rec) for rec in records]


# Python's str.split() white space, after NFKC (which already turns U+3000, U+00A0, U+2000… into a space)
_WHITE = r"[\s\x{0b}\x{1c}-\x{1f}\x{85}\x{1680}\x{2028}\x{2029}]+"


def _compact_all(a: pa.Array) -> list:
    """textnorm.compact of every text (NFKC, no white space, lower case) in one pass; '' stays ''."""
    a = pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(a, "NFKC"), _WHITE, ""))
    return a.to_pylist()


def _duplicates(ledger: str, records: Frame, headers: dict[str, Header]) -> tuple[list[iss.Issue], Frame]:
    """A key twice in one sheet is an error; across sheets the later sheet wins, with a warning."""
    if ledger not in ("hazards", "accidents", "indicators"):
        return [], records
    if len(set(records.column("key"))) == len(records):
        return [], records                              # every key once (the usual case): nothing to report
    out: list[iss.Issue] = []
    seen: dict[str, int] = {}
    keep: dict[str, int] = {}
    sheets = records.column("sheet")
    for i, k in enumerate(records.column("key")):
        first = seen.get(k)
        if first is None:
            seen[k] = keep[k] = i
            continue
        rec, prev = records[i], records[first]
        if sheets[first] == sheets[i]:
            what = {"hazards": "隐患编号", "accidents": "事故编号", "indicators": "指标"}[ledger]
            fld = {"hazards": "hazard_no", "accidents": "accident_no", "indicators": "indicator"}[ledger]
            h = headers.get(rec["sheet"])
            out.append(iss.error("duplicate_key", f"与第{prev['row_no']}行重复（{what}相同，或日期、部位和描述都相同）",
                                 **_where(rec, h, fld, rec.get(fld) or rec.get("description"))))
        else:
            out.append(iss.warning("duplicate_key_across_sheets",
                                   f"与工作表“{prev['sheet']}”第{prev['row_no']}行重复，以本行为准",
                                   **_where(rec, headers.get(rec["sheet"]), "company", rec.get("company"))))
            seen[k] = i
        keep[k] = seen[k]
    if len(keep) == len(records):
        return out, records
    return out, records.take(list(keep.values()))
