"""安全生产台账看板 — the router. Pages live in pages/; shared pieces in ui/; the engine in analytics/."""
from __future__ import annotations

import streamlit as st

from analytics.store.db import StoreError
from analytics.demo_load import is_demo, real_batches
from ui import auth, state, theme, widgets

state.ensure_router()      # first run of a fresh server: leave Streamlit's legacy pages/ mode before drawing
st.set_page_config(page_title="安全生产台账看板", page_icon=":material/health_and_safety:", layout="wide")
# The app name on top of the sidebar, above the navigation (st.logo is the only element drawn there).
st.logo(str(widgets.UI_DIR / "logo.svg"), size="large", icon_image=str(widgets.UI_DIR / "logo_icon.svg"))
st.html(theme.APP_CSS)
st.html(theme.LANG_JS, unsafe_allow_javascript=True)     # lang="zh-CN": Chinese glyph shapes, not Japanese

BOARD = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/meeting.py", title="会议模式", icon=":material/slideshow:"),
    st.Page("pages/indicators.py", title="指标考核", icon=":material/fact_check:"),
    st.Page("pages/accidents.py", title="事故", icon=":material/personal_injury:"),
    st.Page("pages/hazard_trends.py", title="隐患趋势", icon=":material/trending_up:"),
    st.Page("pages/rectification.py", title="整改情况", icon=":material/task_alt:"),
    st.Page("pages/training_investment.py", title="培训与投入", icon=":material/school:"),
    st.Page("pages/company_profile.py", title="单位画像", icon=":material/domain:"),
]
ACCOUNT = st.Page("pages/account.py", title="账户", icon=":material/account_circle:")


def pages_for_session() -> dict:
    """Only the pages this session may open are registered: a page left out cannot be run by its URL either
    (the server-side check; each page checks its role again, and the engine once more)."""
    if auth.must_change_password():
        return {"账户": [ACCOUNT]}
    out = {"会议看板": BOARD} if auth.can("view") else {}
    manage = [p for action, p in (
        ("upload", st.Page("pages/upload.py", title="数据上传", icon=":material/upload_file:")),
        ("users", st.Page("pages/users.py", title="用户管理", icon=":material/manage_accounts:")),
        ("audit", st.Page("pages/audit.py", title="审计日志", icon=":material/history:"))) if auth.can(action)]
    if manage:
        out["数据管理"] = manage
    out["账户"] = [ACCOUNT]
    return out


try:
    s = state.store()
except StoreError as e:
    st.error(str(e))
    st.stop()

page = st.navigation(pages_for_session())
if page.url_path != "account":
    state.sidebar_filters()
if page.url_path not in ("meeting", "account"):      # the projector view keeps the whole screen for the slides
    widgets.demo_banner(is_demo(s), real_batches(s))
try:
    page.run()
except Exception:  # nobody sees a traceback: log it, tell the user in Chinese
    widgets.internal_error(f"page {page.url_path or 'overview'}")
