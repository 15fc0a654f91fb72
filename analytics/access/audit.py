"""The audit trail: who did what, when, from which address — written in the same transaction as the change.

`record(cur, …)` appends a row inside a write the caller already holds (user and setting changes).
`audited(store, actor, action, …)` wraps an engine action that writes through `Store.write()` (an
upload, a revert, a registry change): its row is added to each write transaction just before it commits,
so the change and its audit row are committed together or not at all; an action that wrote nothing
(a rejected file, a refused request) gets its row in a transaction of its own. Nothing in the engine
updates or deletes an audit row: the trail is append-only.
"""
from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pandas as pd

from ..store.db import BEFORE_COMMIT, Store

OK, FAILED, DENIED = "成功", "失败", "拒绝"

ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出登录", "password_change": "修改密码",
    "upload": "上传台账", "revert": "撤销批次",
    "company_add": "登记单位", "company_alias": "添加别名", "company_rename": "单位更名", "company_merge": "合并单位",
    "company_retire": "撤销登记", "registry_import": "导入单位登记表", "company_parent": "设置所属板块",
    "user_add": "添加用户", "user_update": "修改用户", "user_disable": "停用用户", "user_enable": "启用用户",
    "user_reset": "重置密码", "setting": "修改设置",
}


def record(cur, actor: str, action: str, *, outcome: str = OK, target: str = "", address: str | None = None,
           detail: dict | None = None, at: dt.datetime | None = None) -> None:
    """Append one audit row inside the caller's write transaction."""
    cur.execute("""INSERT INTO audit_log (id, ts, actor, address, action, outcome, target, detail)
                   SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM audit_log""",
                [at or dt.datetime.now().replace(microsecond=0), actor, address, action, outcome, target,
                 json.dumps(detail or {}, ensure_ascii=False, default=str)])


@dataclass
class Pending:
    """An audited action in progress: the caller may add to `detail` and set `outcome` before the write."""
    actor: str
    action: str
    target: str = ""
    address: str | None = None
    outcome: str = OK
    detail: dict = field(default_factory=dict)
    written: bool = False


@contextmanager
def audited(store: Store, actor: str, action: str, *, target: str = "", address: str | None = None,
            detail: dict | None = None, before: Callable[[Any, Pending], None] | None = None) -> Iterator[Pending]:
    """Run an action so that each of its write transactions carries its audit row. `before(cur, pending)` runs
    in the transaction first: it may read what the transaction did, add details, or raise to refuse it."""
    ev = Pending(actor, action, target, address, detail=dict(detail or {}))

    def step(cur) -> None:
        if before is not None:
            before(cur, ev)
        record(cur, ev.actor, ev.action, outcome=ev.outcome, target=ev.target, address=ev.address, detail=ev.detail)
        ev.written = True

    token = BEFORE_COMMIT.set(BEFORE_COMMIT.get() + (step,))
    try:
        yield ev
    except BaseException as e:
        if ev.outcome == OK:
            ev.outcome = DENIED if isinstance(e, PermissionError) else FAILED
        ev.detail.setdefault("error", str(e))
        ev.written = False       # a write that raised was rolled back with its audit row
        raise
    finally:
        BEFORE_COMMIT.reset(token)
        if not ev.written:
            with store.write(changes_data=False) as cur:
                record(cur, ev.actor, ev.action, outcome=ev.outcome, target=ev.target, address=ev.address,
                       detail=ev.detail)


def trail(store: Store, *, start: dt.date | None = None, end: dt.date | None = None, actor: str | None = None,
          action: str | None = None, outcome: str | None = None) -> pd.DataFrame:
    """The audit trail, newest first, filtered (bound parameters only)."""
    where, params = [], []
    if start:
        where.append("ts >= ?")
        params.append(dt.datetime.combine(start, dt.time()))
    if end:
        where.append("ts < ?")
        params.append(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))
    for col, v in (("actor", actor), ("action", action), ("outcome", outcome)):
        if v:
            where.append(f"{col} = ?")
            params.append(v)
    sql = "SELECT id, ts, actor, address, action, outcome, target, detail FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return store.df(sql + " ORDER BY id DESC", params)


def actors(store: Store) -> list[str]:
    """Everyone who appears in the trail (the page's filter)."""
    return [r[0] for r in store.rows("SELECT DISTINCT actor FROM audit_log ORDER BY actor")]


def trail_view(df: pd.DataFrame) -> pd.DataFrame:
    """Chinese column names and action labels, for the page and its download."""
    out = df.assign(action=df["action"].map(lambda a: ACTIONS.get(a, a)))
    return out.rename(columns={"id": "序号", "ts": "时间", "actor": "操作人", "address": "来源地址", "action": "操作",
                               "outcome": "结果", "target": "对象", "detail": "详情"})
