"""The company registry (子（控）公司) and name matching with aliases (DOMAIN.md §2)."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from .store.db import Store
from .textnorm import company_key, nfkc


class CompanyError(ValueError):
    """A registry change that cannot be made; the message is Chinese."""


@dataclass(frozen=True)
class Registry:
    """A snapshot of the registry for matching many names quickly."""
    names: tuple[str, ...]
    by_key: dict[str, str]

    def match(self, raw: str) -> str | None:
        return self.by_key.get(company_key(raw))

    def suggest(self, raw: str, n: int = 3) -> list[str]:
        key = company_key(raw)
        keys = list(self.by_key)
        close = difflib.get_close_matches(key, keys, n=n * 2, cutoff=0.3)
        close += [k for k in keys if (key in k or k in key) and k not in close]
        out: list[str] = []
        for k in close:
            name = self.by_key[k]
            if name not in out:
                out.append(name)
        return out[:n]


def registry(store: Store) -> Registry:
    """The companies uploads may name: registered and not retired."""
    rows = store.rows("""
        SELECT a.alias_key, c.name FROM company_aliases a JOIN companies c ON c.id = a.company_id
        WHERE c.retired_at IS NULL ORDER BY c.id""")
    names = tuple(list_companies(store))
    return Registry(names, {k: n for k, n in rows})


def list_companies(store: Store) -> list[str]:
    """Registered companies, retired ones left out (they stay in the database with their history)."""
    return [r[0] for r in store.rows("SELECT name FROM companies WHERE retired_at IS NULL ORDER BY id")]


def aliases(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {n: [] for n in list_companies(store)}
    for name, alias in store.rows("""
            SELECT c.name, a.alias FROM company_aliases a JOIN companies c ON c.id = a.company_id
            WHERE a.alias <> c.name AND c.retired_at IS NULL ORDER BY c.id, a.alias"""):
        out[name].append(alias)
    return out


def add_company(store: Store, name: str, aliases: list[str] | tuple[str, ...] = ()) -> str:
    """Register a company (or add aliases to an existing one). Returns the registered name."""
    with store.write() as cur:
        return _register(cur, name, aliases)


def _register(cur, name: str, aliases, parent: str | None = None) -> str:
    """add_company inside an open write; parent (板块), when given, is set on the company."""
    name = _clean(name)
    reg = dict(cur.execute("""SELECT a.alias_key, c.name FROM company_aliases a
                              JOIN companies c ON c.id = a.company_id""").fetchall())
    existing = reg.get(company_key(name))
    if existing is None:
        cid = cur.execute("INSERT INTO companies (name) VALUES (?) RETURNING id", [name]).fetchall()[0][0]
    else:
        name = existing
        cid = cur.execute("SELECT id FROM companies WHERE name = ?", [name]).fetchall()[0][0]
    for alias in (name, *aliases):
        alias = _clean(alias)
        key = company_key(alias)
        if not key:
            continue
        owner = reg.get(key)
        if owner is not None and owner != name:
            raise CompanyError(f"别名“{alias}”已属于“{owner}”（与其名称或别名相同），不能使用")
        if owner is None:
            cur.execute("INSERT INTO company_aliases VALUES (?, ?, ?)", [key, alias, cid])
            reg[key] = name
        elif alias != name and key == company_key(name):
            # an alias equal to the name but for the 有限公司 suffix (the short name 陇原电力): it matches
            # already; keep its text so 单位管理 / companies list show it
            cur.execute("UPDATE company_aliases SET alias = ? WHERE alias_key = ?", [alias, key])
    if parent is not None:
        cur.execute("UPDATE companies SET parent = ? WHERE id = ?", [_parent(parent), cid])
    return name


def _clean(name: str) -> str:
    from .textnorm import has_control
    name = " ".join(nfkc(name or "").split())
    if not name:
        raise CompanyError("单位名称不能为空")
    if has_control(name) or len(name) > 100:
        raise CompanyError("单位名称不能含控制字符，最长 100 个字符")
    return name


def _id(cur, name: str) -> int:
    r = cur.execute("SELECT id FROM companies WHERE name = ? AND retired_at IS NULL", [name]).fetchall()
    if not r:
        raise CompanyError(f"单位“{name}”未登记")
    return r[0][0]


def _rewrite_company(cur, old: str, new: str) -> None:
    """Every row, batch, coverage month, revision change and user scope booked to `old` is booked to `new`."""
    import json
    from .ledgers import LEDGERS
    for lg in LEDGERS:
        for t in (lg, f"{lg}_versions"):
            cur.execute(f"UPDATE {t} SET company = ? WHERE company = ?", [new, old])
    for t in ("batch_coverage", "batch_changes"):
        cur.execute(f"UPDATE {t} SET company = ? WHERE company = ?", [new, old])
    for bid, comps in cur.execute("SELECT id, companies FROM batches WHERE ? = ANY(companies)", [old]).fetchall():
        cur.execute("UPDATE batches SET companies = ? WHERE id = ?",       # portable: no list lambdas
                    [sorted(set(new if c == old else c for c in comps)), bid])
    for user, comps in cur.execute("SELECT username, companies FROM users WHERE companies LIKE ?",
                                   [f"%{old}%"]).fetchall():
        lst = list(dict.fromkeys(new if c == old else c for c in json.loads(comps)))
        cur.execute("UPDATE users SET companies = ? WHERE username = ?", [json.dumps(lst, ensure_ascii=False), user])


def rename_company(store: Store, name: str, new_name: str) -> str:
    """A new registered name; the old name stays an alias, so files that still use it keep matching."""
    new_name = _clean(new_name)
    with store.write() as cur:
        cid = _id(cur, name)
        owner = cur.execute("""SELECT c.name FROM company_aliases a JOIN companies c ON c.id = a.company_id
                               WHERE a.alias_key = ?""", [company_key(new_name)]).fetchall()
        if owner and owner[0][0] != name:
            raise CompanyError(f"新名称“{new_name}”与已登记单位“{owner[0][0]}”的名称或别名相同")
        cur.execute("UPDATE companies SET name = ? WHERE id = ?", [new_name, cid])
        if not owner:
            cur.execute("INSERT INTO company_aliases VALUES (?, ?, ?)", [company_key(new_name), new_name, cid])
        _rewrite_company(cur, name, new_name)
    return new_name


def merge_companies(store: Store, source: str, target: str) -> None:
    """`source` was the same company as `target` (e.g. registered twice): its aliases and rows move to `target`,
    and `source` leaves the registry (its name becomes an alias of `target`)."""
    if source == target:
        raise CompanyError("不能把单位合并到它自己")
    with store.write() as cur:
        sid, tid = _id(cur, source), _id(cur, target)
        cur.execute("UPDATE company_aliases SET company_id = ? WHERE company_id = ?", [tid, sid])
        _rewrite_company(cur, source, target)
        cur.execute("DELETE FROM companies WHERE id = ?", [sid])


def retire_company(store: Store, name: str) -> None:
    """The company leaves the pickers and no longer matches uploads; its rows and history stay."""
    import datetime as dt
    with store.write() as cur:
        cid = _id(cur, name)
        cur.execute("UPDATE companies SET retired_at = ? WHERE id = ?", [dt.datetime.now().replace(microsecond=0), cid])


# ------------------------------------------------------------------ 板块 (the optional parent, issue 11)
NO_PARENT = "未分板块"          # how a company without a parent is shown when figures roll up by 板块


def _parent(text) -> str | None:
    t = " ".join(nfkc(str(text or "")).split())
    return t or None


def parents(store: Store) -> dict[str, str | None]:
    """Company → its 板块 (None where it has none), registry order."""
    return dict(store.rows("SELECT name, parent FROM companies ORDER BY id"))


def set_parent(store: Store, name: str, parent: str | None) -> None:
    """Set (or, with None / blank, clear) a company's 板块."""
    with store.write() as cur:
        if not cur.execute("UPDATE companies SET parent = ? WHERE name = ? RETURNING id",
                           [_parent(parent), name]).fetchall():
            raise CompanyError(f"没有登记单位“{name}”")


# ------------------------------------------------------------------ registry import (单位名称 / 简称或别名 / 所属板块)
REGISTRY_COLUMNS = {"name": ("单位名称", "单位全称", "单位", "公司名称"),
                    "aliases": ("简称或别名", "简称", "别名", "简称/别名"),
                    "parent": ("所属板块", "板块", "二级单位", "所属二级单位")}
REGISTRY_HEADERS = ("单位名称", "简称或别名", "所属板块")
_ALIAS_SPLIT = re.compile(r"[、,，;；/\n]+")


def read_registry(data: bytes, file_name: str = "单位登记.xlsx") -> list[tuple[int, str, list[str], str | None]]:
    """The rows of a registry sheet: (Excel row, name, aliases, parent). The header row is the first row that
    holds 单位名称 (title lines above it are skipped). Raises CompanyError naming every problem at once."""
    import io

    import pandas as pd
    from .textnorm import header_key
    try:
        if file_name.lower().endswith(".csv"):
            raw = pd.read_csv(io.BytesIO(data), header=None, dtype=str, encoding_errors="replace")
        else:
            raw = pd.read_excel(io.BytesIO(data), header=None, dtype=str)
    except Exception as e:  # noqa: BLE001 — any unreadable file is one Chinese message
        raise CompanyError(f"无法读取单位登记表 {file_name}：{type(e).__name__}") from None
    wanted = {header_key(w): field for field, words in REGISTRY_COLUMNS.items() for w in words}
    for i, row in raw.iterrows():
        cols = {wanted[header_key(str(v))]: j for j, v in enumerate(row) if isinstance(v, str) and header_key(v) in wanted}
        if "name" in cols:
            break
    else:
        raise CompanyError(f"{file_name}：没有找到“单位名称”列（表头应为：{'、'.join(REGISTRY_HEADERS)}）")
    out, errors, seen = [], [], {}
    for k in range(i + 1, len(raw)):
        cell = lambda f: raw.iat[k, cols[f]] if f in cols and isinstance(raw.iat[k, cols[f]], str) else ""  # noqa: E731
        name = " ".join(nfkc(cell("name")).split())
        if not name:
            continue
        if name.startswith(("填表", "说明", "注：")):
            continue
        key = company_key(name)
        if key in seen:
            errors.append(f"第 {k + 1} 行：单位“{name}”与第 {seen[key]} 行重复")
            continue
        seen[key] = k + 1
        aliases = [a.strip() for a in _ALIAS_SPLIT.split(cell("aliases")) if a.strip()]
        out.append((k + 1, name, aliases, cell("parent") if "parent" in cols else None))   # blank clears
    if errors:
        raise CompanyError("；".join(errors))
    if not out:
        raise CompanyError(f"{file_name}：表中没有单位")
    return out


def import_registry(store: Store, data: bytes, file_name: str = "单位登记.xlsx") -> dict:
    """Register every company of a registry sheet in one transaction (all or nothing): new companies are added,
    known ones gain the aliases listed, and the 板块 column (when the sheet has one) sets each company's parent.
    Returns {"added": n, "updated": n, "companies": [names]}."""
    rows = read_registry(data, file_name)
    before = set(list_companies(store))
    names, errors = [], []
    with store.write() as cur:
        for row_no, name, al, parent in rows:
            try:
                names.append(_register(cur, name, al, parent))
            except CompanyError as e:
                errors.append(f"第 {row_no} 行：{e}")
        if errors:
            raise CompanyError("；".join(errors))      # rolls the whole import back
    added = [n for n in names if n not in before]
    return {"added": len(added), "updated": len(names) - len(added), "companies": names}
