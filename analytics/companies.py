"""The company registry (子（控）公司) and name matching with aliases (DOMAIN.md §2)."""
from __future__ import annotations

import difflib
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
    rows = store.rows("""
        SELECT a.alias_key, c.name FROM company_aliases a JOIN companies c ON c.id = a.company_id
        ORDER BY c.id""")
    names = tuple(r[0] for r in store.rows("SELECT name FROM companies ORDER BY id"))
    return Registry(names, {k: n for k, n in rows})


def list_companies(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT name FROM companies ORDER BY id")]


def aliases(store: Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {n: [] for n in list_companies(store)}
    for name, alias in store.rows("""
            SELECT c.name, a.alias FROM company_aliases a JOIN companies c ON c.id = a.company_id
            WHERE a.alias <> c.name ORDER BY c.id, a.alias"""):
        out[name].append(alias)
    return out


def add_company(store: Store, name: str, aliases: list[str] | tuple[str, ...] = ()) -> str:
    """Register a company (or add aliases to an existing one). Returns the registered name."""
    name = " ".join(nfkc(name).split())
    if not name:
        raise CompanyError("单位名称不能为空")
    with store.write() as cur:
        reg = dict(cur.execute("""SELECT a.alias_key, c.name FROM company_aliases a
                                  JOIN companies c ON c.id = a.company_id""").fetchall())
        existing = reg.get(company_key(name))
        if existing is None:
            cid = cur.execute("INSERT INTO companies (name) VALUES (?) RETURNING id", [name]).fetchall()[0][0]
        else:
            name = existing
            cid = cur.execute("SELECT id FROM companies WHERE name = ?", [name]).fetchall()[0][0]
        for alias in (name, *aliases):
            alias = " ".join(nfkc(alias).split())
            key = company_key(alias)
            if not key:
                continue
            owner = reg.get(key)
            if owner is not None and owner != name:
                raise CompanyError(f"别名“{alias}”已属于“{owner}”")
            if owner is None:
                cur.execute("INSERT INTO company_aliases VALUES (?, ?, ?)", [key, alias, cid])
                reg[key] = name
            elif alias != name and key == company_key(name):
                # an alias equal to the name but for the 有限公司 suffix (the short name 陇原电力): it matches
                # already; keep its text so 单位管理 / companies list show it
                cur.execute("UPDATE company_aliases SET alias = ? WHERE alias_key = ?", [alias, key])
    return name

