"""Built-in accounts: scrypt password hashes with a per-user salt, lock-out after repeated failures,
a forced change of the first (and of every reset) password, and accounts for single sign-on
(the identity provider's e-mail or subject as the user name, no password).

Every change and every login attempt writes its audit row in the same transaction.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets

import pandas as pd

from ..store.db import Store
from ..textnorm import has_control
from . import audit
from .roles import ADMIN, ROLES, User, require

MAX_FAILURES = 5                        # failed logins in a row before the lock
LOCK_MINUTES = 15
MIN_PASSWORD = 8
_N, _R, _P = 2 ** 14, 8, 1              # scrypt cost (OWASP's minimum for scrypt), 16 MiB per hash


class UserError(ValueError):
    """A user change or login that cannot be made; the message is Chinese."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    h = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(h).decode()}"


def verify_password(password: str, stored: str | None) -> bool:
    try:
        kind, n, r, p, salt, h = (stored or "").split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(base64.b64decode(h)))
        return hmac.compare_digest(got, base64.b64decode(h))
    except (ValueError, TypeError):
        return False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 位")
    if password.isdigit() or password.isalpha():
        raise UserError("密码须同时包含字母和数字（或符号）")


def _user(store, row) -> User:
    """The account as the checks see it: a scope entry that names a 板块 (companies.parent) stands for every
    company of it, read now, so a company added to the 板块 later is in scope at once. `store` is a Store or,
    inside a write, its cursor."""
    username, display, role, companies, kind = row
    scope = tuple(json.loads(companies or "[]"))
    return User(username, role, display or "", expand_scope(store, scope), kind, scope)


def expand_scope(store, scope) -> tuple[str, ...]:
    """Registered companies named in `scope`, or whose 板块 is named there; registry order. A scope whose every
    entry has left the registry sees nothing (not everything)."""
    if not scope:
        return ()
    wanted, sql = set(scope), "SELECT name, parent FROM companies WHERE retired_at IS NULL ORDER BY id"
    rows = store.rows(sql) if isinstance(store, Store) else store.execute(sql).fetchall()
    return tuple(n for n, parent in rows
                 if n in wanted or (parent is not None and parent in wanted)) or ("",)   # nothing left: sees nothing


_COLS = "username, display_name, role, companies, kind"


def get_user(store: Store, username: str) -> User | None:
    """An enabled account, or None."""
    r = store.rows(f"SELECT {_COLS} FROM users WHERE username = ? AND NOT disabled", [username])
    return _user(store, r[0]) if r else None


def has_admin(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM users WHERE role = ? AND NOT disabled", [ADMIN]))


def list_users(store: Store) -> pd.DataFrame:
    return store.df("""SELECT username, display_name, role, companies, kind, disabled, must_change, failed_logins,
                              locked_until, created_at, last_login FROM users ORDER BY created_at, username""")


def _validate(store: Store, username: str, role: str, companies) -> None:
    if not username or has_control(username) or len(username) > 100 or username != username.strip():
        raise UserError("用户名不能为空，不能含控制字符或首尾空格，最长 100 个字符")
    if role not in ROLES:
        raise UserError(f"角色“{role}”不存在，应为：{'、'.join(ROLES)}")
    known = {n for r in store.rows("SELECT name, parent FROM companies WHERE retired_at IS NULL") for n in r if n}
    unknown = [c for c in companies if c not in known]
    if unknown:
        raise UserError(f"单位或板块未登记：{'、'.join(unknown)}")


def add_user(store: Store, actor: str, username: str, role: str, *, password: str | None = None,
             display_name: str = "", companies: list[str] | tuple[str, ...] = (), sso: bool = False,
             address: str | None = None) -> None:
    """Create an account. A password account must change its first password at the first login."""
    username = username.strip()
    _validate(store, username, role, companies)
    if not sso:
        _check_password(password or "")
    with store.write(changes_data=False) as cur:
        if cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
            raise UserError(f"用户“{username}”已存在")
        cur.execute("""INSERT INTO users (username, display_name, role, companies, kind, password_hash, must_change,
                                          created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    [username, display_name, role, json.dumps(list(companies), ensure_ascii=False),
                     "sso" if sso else "password", None if sso else hash_password(password), not sso,
                     dt.datetime.now().replace(microsecond=0)])
        audit.record(cur, actor, "user_add", target=username, address=address,
                     detail={"role": role, "companies": list(companies), "kind": "sso" if sso else "password"})


def update_user(store: Store, actor: str, username: str, *, role: str | None = None,
                companies: list[str] | None = None, display_name: str | None = None,
                address: str | None = None) -> None:
    cur_row = store.rows("SELECT role, companies, display_name FROM users WHERE username = ?", [username])
    if not cur_row:
        raise UserError(f"用户“{username}”不存在")
    role = role or cur_row[0][0]
    companies = list(json.loads(cur_row[0][1])) if companies is None else list(companies)
    _validate(store, username, role, companies)
    with store.write(changes_data=False) as cur:
        cur.execute("UPDATE users SET role = ?, companies = ?, display_name = ? WHERE username = ?",
                    [role, json.dumps(companies, ensure_ascii=False),
                     cur_row[0][2] if display_name is None else display_name, username])
        audit.record(cur, actor, "user_update", target=username, address=address,
                     detail={"role": role, "companies": companies})


def set_disabled(store: Store, actor: str, username: str, disabled: bool = True, address: str | None = None) -> None:
    with store.write(changes_data=False) as cur:
        if not cur.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
            raise UserError(f"用户“{username}”不存在")
        cur.execute("UPDATE users SET disabled = ?, failed_logins = 0, locked_until = NULL WHERE username = ?",
                    [disabled, username])
        audit.record(cur, actor, "user_disable" if disabled else "user_enable", target=username, address=address)


def reset_password(store: Store, actor: str, username: str, password: str, address: str | None = None) -> None:
    """A new password set by an administrator: the user must change it at the next login; the lock is lifted."""
    _check_password(password)
    with store.write(changes_data=False) as cur:
        if not cur.execute("SELECT 1 FROM users WHERE username = ? AND kind = 'password'", [username]).fetchall():
            raise UserError(f"没有名为“{username}”的密码账户")
        cur.execute("""UPDATE users SET password_hash = ?, must_change = true, failed_logins = 0, locked_until = NULL
                       WHERE username = ?""", [hash_password(password), username])
        audit.record(cur, actor, "user_reset", target=username, address=address)


def change_password(store: Store, username: str, old: str, new: str, address: str | None = None) -> None:
    """The user's own change (required after the first login and after a reset)."""
    r = store.rows("SELECT password_hash FROM users WHERE username = ? AND NOT disabled AND kind = 'password'",
                   [username])
    if not r or not verify_password(old, r[0][0]):
        raise UserError("原密码不正确")
    if new == old:
        raise UserError("新密码不能与原密码相同")
    _check_password(new)
    with store.write(changes_data=False) as cur:
        cur.execute("UPDATE users SET password_hash = ?, must_change = false WHERE username = ?",
                    [hash_password(new), username])
        audit.record(cur, username, "password_change", target=username, address=address)


class Login:
    """The outcome of a login attempt: the user, and whether they must change their password first."""
    def __init__(self, user: User, must_change: bool):
        self.user, self.must_change = user, must_change


def login(store: Store, username: str, password: str, address: str | None = None,
          now: dt.datetime | None = None) -> Login:
    """Check a password. Five failures in a row lock the account for 15 minutes. Raises UserError with
    one message for an unknown user and a wrong password (no hint which one)."""
    now = now or dt.datetime.now().replace(microsecond=0)
    username = username.strip()
    with store.write(changes_data=False) as cur:
        r = cur.execute(f"""SELECT {_COLS}, password_hash, must_change, failed_logins, locked_until, disabled
                            FROM users WHERE username = ?""", [username]).fetchall()
        if not r or r[0][9] or r[0][4] != "password":
            audit.record(cur, username or "（空）", "login_failed", outcome=audit.FAILED, target=username,
                         address=address, detail={"reason": "unknown" if not r else "disabled_or_sso"}, at=now)
            fail = UserError("用户名或密码不正确")
        elif r[0][8] is not None and r[0][8] > now:
            audit.record(cur, username, "login_failed", outcome=audit.DENIED, target=username, address=address,
                         detail={"reason": "locked"}, at=now)
            fail = UserError(f"连续 {MAX_FAILURES} 次密码错误，账户已锁定至 {r[0][8]:%H:%M}，请稍后再试或请管理员重置密码")
        elif not verify_password(password, r[0][5]):
            failures = r[0][7] + 1
            locked = now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
            cur.execute("UPDATE users SET failed_logins = ?, locked_until = ? WHERE username = ?",
                        [0 if locked else failures, locked, username])
            audit.record(cur, username, "login_failed", outcome=audit.FAILED, target=username, address=address,
                         detail={"reason": "password", "failures": failures, "locked": locked is not None}, at=now)
            fail = UserError("用户名或密码不正确" + (f"；账户已锁定 {LOCK_MINUTES} 分钟" if locked else ""))
        else:
            cur.execute("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login = ? WHERE username = ?",
                        [now, username])
            audit.record(cur, username, "login", target=username, address=address, detail={"kind": "password"}, at=now)
            return Login(_user(cur, r[0][:5]), bool(r[0][6]))
    raise fail


def sso_login(store: Store, identities: list[str], address: str | None = None) -> User:
    """The account an identity provider's user maps to: the first of (e-mail, subject) registered as an SSO
    account. Unknown identities are refused (and audited): an administrator adds them with their role."""
    ids = [i for i in identities if i]
    with store.write(changes_data=False) as cur:
        for ident in ids:
            r = cur.execute(f"SELECT {_COLS} FROM users WHERE username = ? AND kind = 'sso' AND NOT disabled",
                            [ident]).fetchall()
            if r:
                cur.execute("UPDATE users SET last_login = ? WHERE username = ?",
                            [dt.datetime.now().replace(microsecond=0), ident])
                audit.record(cur, ident, "login", target=ident, address=address, detail={"kind": "sso"})
                return _user(cur, r[0])
        audit.record(cur, ids[0] if ids else "（未知）", "login_failed", outcome=audit.DENIED, address=address,
                     target="、".join(ids), detail={"kind": "sso", "reason": "not_registered"})
    raise UserError(f"统一身份认证账户“{ids[0] if ids else '（未知）'}”未在本系统登记，请联系管理员分配角色。")


def require_admin(store: Store, actor: User | None) -> User:
    return require(actor, "users")
