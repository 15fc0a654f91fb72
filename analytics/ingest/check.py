"""Record-level checks of one ledger's staged records (DOMAIN.md §1–§2).

Errors (错误) reject the file; warnings (警告) are kept with the batch. Every check runs
over the whole file, so the sender gets every problem at once.
"""
from __future__ import annotations

import datetime as dt

from . import issues as iss
from .locate import Header
from ..rules import record_key
from ..textnorm import has_control


def _where(rec: dict, header: Header | None, fld: str, value) -> dict:
    col = header.column_name(fld) if header else fld
    return dict(sheet=rec["sheet"], row=rec["row_no"], column=col,
                value=None if value is None else str(value),
                col=header.columns.get(fld) if header else None)


def check_records(ledger: str, records: list[dict], headers: dict[str, Header], today: dt.date) -> list[iss.Issue]:
    """Cross-field checks; also sets each entity record's key. `headers` maps sheet → Header."""
    out: list[iss.Issue] = _control_characters(records, headers)
    for rec in records:
        h = headers.get(rec["sheet"])
        w = lambda fld: _where(rec, h, fld, rec.get(fld))  # noqa: E731
        if ledger == "hazards":
            found, deadline, done = rec.get("found_date"), rec.get("deadline"), rec.get("rectified_date")
            if rec["status"] == "已整改" and done is None:
                out.append(iss.error("rectified_without_date", f"整改状态为“{rec.get('status_raw')}”，但“"
                                     f"{h.column_name('rectified_date') if h else '整改完成日期'}”为空，请填写整改完成日期",
                                     **w("rectified_date")))
            if rec.get("status_raw") and rec["status"] == "未整改" and done is not None:
                out.append(iss.error("date_with_open_status",
                                     f"填写了整改完成日期 {done}，但整改状态为“{rec['status_raw']}”", **w("status")))
            if found and done and done < found:
                out.append(iss.error("rectified_before_found", f"整改完成日期 {done} 早于发现日期 {found}",
                                     **w("rectified_date")))
            if found and deadline and deadline < found:
                out.append(iss.warning("deadline_before_found", f"整改期限 {deadline} 早于发现日期 {found}",
                                       **w("deadline")))
            for fld in ("found_date", "rectified_date"):
                if rec.get(fld) and rec[fld] > today:
                    out.append(iss.warning("future_date", f"日期 {rec[fld]} 晚于上传当天 {today}", **w(fld)))
            if rec.get("level") == "重大":
                missing = [lbl for fld, lbl in (("owner", "责任人"), ("measures", "整改措施"), ("funds", "整改资金"),
                                                ("deadline", "整改时限")) if rec.get(fld) in (None, "")]
                if missing:
                    out.append(iss.warning("major_incomplete", f"重大隐患“五落实”缺少：{'、'.join(missing)}（另需应急预案）",
                                           **w("level")))
        elif ledger == "accidents":
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
        if ledger in ("hazards", "accidents", "indicators"):
            rec["key"] = record_key(ledger, rec)
        else:
            rec["key"] = None
    out += _duplicates(ledger, records, headers)
    return out


def _control_characters(records: list[dict], headers: dict[str, Header]) -> list[iss.Issue]:
    """A text holding a control character (\\x01, \\x1b …; tab and line breaks are fine) is an error: it would
    break the documents and pages that show it, and it is never what the sender meant."""
    out, seen = [], set()
    for rec in records:
        h = headers.get(rec["sheet"])
        for fld, v in rec.items():
            fld = fld.removesuffix("_raw")
            if not (isinstance(v, str) and fld not in ("sheet", "key") and has_control(v)) \
                    or (id(rec), fld) in seen or (h and fld not in h.columns):
                continue
            seen.add((id(rec), fld))
            shown = "".join(f"\\x{ord(c):02x}" if has_control(c) else c for c in v[:60])
            out.append(iss.error("control_char", **{**_where(rec, h, fld, v), "value": shown}))
    return out


def _duplicates(ledger: str, records: list[dict], headers: dict[str, Header]) -> list[iss.Issue]:
    """A key twice in one sheet is an error; across sheets the later sheet wins, with a warning."""
    if ledger not in ("hazards", "accidents", "indicators"):
        return []
    out: list[iss.Issue] = []
    seen: dict[str, dict] = {}
    keep: dict[str, dict] = {}
    for rec in records:
        k = rec["key"]
        first = seen.get(k)
        if first is None:
            seen[k] = rec
        elif first["sheet"] == rec["sheet"]:
            what = {"hazards": "隐患编号", "accidents": "事故编号", "indicators": "指标"}[ledger]
            fld = {"hazards": "hazard_no", "accidents": "accident_no", "indicators": "indicator"}[ledger]
            h = headers.get(rec["sheet"])
            out.append(iss.error("duplicate_key", f"与第{first['row_no']}行重复（{what}相同，或日期、部位和描述都相同）",
                                 **_where(rec, h, fld, rec.get(fld) or rec.get("description"))))
        else:
            out.append(iss.warning("duplicate_key_across_sheets",
                                   f"与工作表“{first['sheet']}”第{first['row_no']}行重复，以本行为准",
                                   **_where(rec, headers.get(rec["sheet"]), "company", rec.get("company"))))
            seen[k] = rec
        keep[k] = seen[k]
    records[:] = list(keep.values()) if len(keep) != len(records) else records
    return out
