"""The engine's changing actions as a user takes them: the role and company scope checked on the server, the
audit row written in the same transaction as the change. Pages and the CLI call these, never the bare engine."""
from __future__ import annotations

import json

from .. import companies as reg
from ..store.db import Store
from . import audit
from .roles import AccessDenied, User, require


def upload(store: Store, user: User | None, data: bytes, filename: str, *, address: str | None = None, **kw):
    """Ingest one file as `user` (上传人 = the user). A scoped user's file may only name their companies, and
    only 管理 may load 目标责任书指标; a file that breaks either is refused whole, before anything is committed."""
    from ..ingest import issues as iss
    from ..ingest.pipeline import REJECTED, FileResult, ingest_bytes
    import hashlib
    try:
        require(user, "upload")
    except AccessDenied as e:
        with audit.audited(store, user.label if user else "（未登录）", "upload", target=filename, address=address,
                           detail={"sha256": hashlib.sha256(data).hexdigest()}) as ev:
            ev.outcome = audit.DENIED
            ev.detail["error"] = str(e)
        raise

    def check(cur, ev: audit.Pending) -> None:
        rows = cur.execute("""SELECT id, ledger, companies, rows, inserted, updated FROM batches
                              WHERE sha256 = ? AND status = 'loaded' ORDER BY id""", [ev.detail["sha256"]]).fetchall()
        for _, ledger, comps, *_ in rows:
            require(user, "indicators" if ledger == "indicators" else "upload", comps)
        ev.detail["batches"] = [{"id": r[0], "ledger": r[1], "companies": list(r[2]), "rows": r[3],
                                 "inserted": r[4], "updated": r[5]} for r in rows]

    sha = hashlib.sha256(data).hexdigest()
    try:
        with audit.audited(store, user.label, "upload", target=filename, address=address,
                           detail={"sha256": sha, "bytes": len(data)}, before=check) as ev:
            res = ingest_bytes(store, data, filename, uploaded_by=user.label, **kw)
            ev.detail["status"] = res.status
            if not res.accepted:
                ev.outcome = audit.FAILED
                ev.detail["errors"] = len(res.errors)
    except AccessDenied as e:
        res = FileResult(filename, sha, REJECTED, str(e))
        res.errors.append(iss.error("access_denied", str(e)))
    return res


def revert(store: Store, user: User | None, batch_id: int, address: str | None = None) -> dict:
    from ..ingest.load import batch_info, revert_batch
    try:
        info = batch_info(store, batch_id)
    except IndexError:
        info = {}
    got = info.get("companies") if info else None        # a list, or a numpy array from the data frame
    comps = [] if got is None else [str(c) for c in got]
    with audit.audited(store, user.label if user else "（未登录）", "revert", target=f"批次 {batch_id}", address=address,
                       detail={"batch": batch_id, "file": info.get("file") if info else None,
                               "sha256": info.get("sha256") if info else None, "rows": info.get("rows") if info else None,
                               "companies": comps}):
        require(user, "indicators" if info and info.get("ledger") == "indicators" else "revert", comps)
        return revert_batch(store, batch_id, user.label)


def _registry_action(store: Store, user: User | None, action: str, target: str, detail: dict, fn, address=None):
    with audit.audited(store, user.label if user else "（未登录）", action, target=target, address=address,
                       detail=detail):
        require(user, "registry")
        return fn()


def add_company(store: Store, user: User | None, name: str, aliases: list[str] = (), address: str | None = None) -> str:
    existing = reg.registry(store).match(name)
    return _registry_action(store, user, "company_alias" if existing else "company_add", name,
                            {"aliases": list(aliases)}, lambda: reg.add_company(store, name, list(aliases)), address)


def rename_company(store: Store, user: User | None, name: str, new_name: str, address: str | None = None) -> str:
    return _registry_action(store, user, "company_rename", name, {"to": new_name},
                            lambda: reg.rename_company(store, name, new_name), address)


def merge_companies(store: Store, user: User | None, source: str, target: str, address: str | None = None) -> None:
    return _registry_action(store, user, "company_merge", source, {"into": target},
                            lambda: reg.merge_companies(store, source, target), address)


def retire_company(store: Store, user: User | None, name: str, address: str | None = None) -> None:
    return _registry_action(store, user, "company_retire", name, {}, lambda: reg.retire_company(store, name), address)


def import_registry(store: Store, user: User | None, data: bytes, file_name: str, address: str | None = None) -> dict:
    """单位管理's registry sheet import (all or nothing), a 管理 action: its audit row (file, sha256, the companies
    listed, how many are new) is committed in the import's own transaction."""
    import hashlib
    with audit.audited(store, user.label if user else "（未登录）", "registry_import", target=file_name,
                       address=address, detail={"file": file_name, "sha256": hashlib.sha256(data).hexdigest()}) as ev:
        require(user, "registry")
        rows = reg.read_registry(data, file_name)          # a bad sheet: CompanyError, audited as 失败
        known = reg.registry(store)
        ev.detail.update(companies=[n for _, n, _, _ in rows], new=sum(known.match(n) is None for _, n, _, _ in rows))
        return reg.import_registry(store, data, file_name)


def set_parent(store: Store, user: User | None, name: str, parent: str | None, address: str | None = None) -> None:
    """Set or clear a company's 板块 (a 管理 action; the scope of users scoped to a 板块 follows at once)."""
    before = reg.parents(store).get(name)
    return _registry_action(store, user, "company_parent", name, {"from": before, "to": (parent or "").strip() or None},
                            lambda: reg.set_parent(store, name, parent), address)


def detail_text(detail: str) -> str:
    """An audit row's detail as one readable line."""
    try:
        d = json.loads(detail or "{}")
    except ValueError:
        return detail
    return "；".join(f"{k}={v}" for k, v in d.items())
