"""Who is using this session: a built-in account (login form) or single sign-on (st.login / st.user, OIDC
configured in .streamlit/secrets.toml). The user lives in the server-side session state and is re-read from
the store on every run, so a disabled account or a changed role takes effect at once — once per run: inside
`one_read_per_run()` (app.py wraps each run in it) the user is read once, not at each of the run's ≈ 9 checks.
Pages call `require(action)`; the engine checks again in analytics.access.actions."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import streamlit as st

from analytics.access import roles, settings, users
from analytics.access.roles import AccessDenied, User
from ui import state

_KEY = "auth_user"           # username of the built-in account logged in in this session
_MUST_CHANGE = "auth_must_change"


def address() -> str | None:
    try:
        ip = st.context.ip_address
    except Exception:  # outside a browser session
        return None
    return ip if isinstance(ip, str) else None     # AppTest has no client


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets and bool(st.secrets["auth"].get("client_id") or
                                             any(isinstance(v, dict) for v in st.secrets["auth"].values()))
    except Exception:  # no secrets file
        return False


def _sso_user() -> User | None:
    if not sso_configured():
        return None
    try:
        info = st.user
        if not info.is_logged_in:
            return None
    except Exception:
        return None
    ids = [str(info.get("email") or ""), str(info.get("sub") or "")]
    if st.session_state.get("sso_checked") != ids:     # once per SSO session: audit the login, refuse strangers
        try:
            st.session_state["sso_user"] = users.sso_login(state.store(), ids, address()).username
        except users.UserError as e:
            st.session_state["sso_user"] = None
            st.session_state["sso_error"] = str(e)
        st.session_state["sso_checked"] = ids
    name = st.session_state.get("sso_user")
    return users.get_user(state.store(), name) if name else None


_run = threading.local()     # inside one_read_per_run(): {session keys: the user read for them} of this run


@contextmanager
def one_read_per_run():
    """Read the logged-in user once for the block (one script run; app.py): every check of the run then uses that
    read. A log-in or log-out inside the run changes the session keys, so the user is read again; the next run reads
    afresh (a disabled account or a changed role takes effect there). Outside the block every call reads."""
    outer = getattr(_run, "users", None)
    _run.users = {} if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            _run.users = None


def current() -> User | None:
    """The logged-in user, or None."""
    memo = getattr(_run, "users", None)
    if memo is None:
        return _current()
    key = (st.session_state.get(_KEY), st.session_state.get("sso_user"), repr(st.session_state.get("sso_checked")))
    if key not in memo:
        memo[key] = _current()
    return memo[key]


def _current() -> User | None:
    name = st.session_state.get(_KEY)
    if name:
        u = users.get_user(state.store(), name)
        if u is None:                       # disabled or deleted meanwhile
            st.session_state.pop(_KEY, None)
        return u
    return _sso_user()


def must_change_password() -> bool:
    return bool(st.session_state.get(_MUST_CHANGE))


def viewing_needs_login() -> bool:
    return settings.flag(state.store(), "view_requires_login")


def can(action: str) -> bool:
    u = current()
    if action in ("view", "download") and u is None:
        return not viewing_needs_login()
    return roles.can(u, action) and not must_change_password()


def require(action: str) -> User | None:
    """Stop the page with a Chinese note unless the session may take the action (the server-side check)."""
    if not can(action):
        u = current()
        st.error(f"无权访问：{roles.ACTION_LABELS[action]}需要“{roles.ACTIONS[action]}”角色"
                 + ("，请先在“账户”页登录。" if u is None else f"（当前用户 {u.username}，角色 {u.role}）。"),
                 icon=":material/lock:")
        st.stop()
    return current()


def visible(names: list[str]) -> list[str]:
    return roles.visible_companies(current(), names)


def log_in(username: str, password: str) -> str | None:
    """Log the session in; the Chinese error message, or None."""
    try:
        res = users.login(state.store(), username, password, address())
    except users.UserError as e:
        return str(e)
    st.session_state[_KEY] = res.user.username
    st.session_state[_MUST_CHANGE] = res.must_change
    return None


def log_out() -> None:
    from analytics.access import audit
    u = current()
    if u is not None:
        with state.store().write(changes_data=False) as cur:
            audit.record(cur, u.label, "logout", target=u.username, address=address())
    for k in (_KEY, _MUST_CHANGE, "sso_user", "sso_checked"):
        st.session_state.pop(k, None)
    if u is not None and u.kind == "sso":
        st.logout()     # queues the redirect to the provider's end_session: no st.rerun after it (that would drop it)
        st.stop()


def password_changed() -> None:
    st.session_state[_MUST_CHANGE] = False


__all__ = ["AccessDenied", "User", "current", "require", "can", "visible", "address"]
