"""Access settings kept in the store (a 管理 action, audited)."""
from __future__ import annotations

from ..store.db import Store
from . import audit

# key → (default, label). Viewing without a login suits a meeting-room screen; changing data always needs one.
SETTINGS = {
    "view_requires_login": ("false", "查看看板需要登录"),
}


def get(store: Store, key: str) -> str:
    v = store.scalar("SELECT value FROM settings WHERE key = ?", [key])
    return SETTINGS[key][0] if v is None else v


def flag(store: Store, key: str) -> bool:
    return get(store, key) == "true"


def set_value(store: Store, actor, key: str, value: str | bool, address: str | None = None) -> None:
    from .roles import require
    require(actor, "settings")
    if key not in SETTINGS:
        raise KeyError(key)
    value = ("true" if value else "false") if isinstance(value, bool) else str(value)
    with store.write(changes_data=False) as cur:
        old = next(iter(cur.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchall()), (SETTINGS[key][0],))[0]
        cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [key, value])                     # DuckDB and PostgreSQL alike
        audit.record(cur, actor.label, "setting", target=SETTINGS[key][1], address=address,
                     detail={"key": key, "from": old, "to": value})
