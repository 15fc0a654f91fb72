"""安全生产台账看板 — the router. Pages live in pages/; shared pieces in ui/; the engine in analytics/."""
from __future__ import annotations

import streamlit as st
from streamlit import config as st_config
from streamlit.runtime.pages_manager import PagesManager

# The first run of a fresh server is Streamlit's legacy pages/ mode, whose sidebar lists the English file
# names. Leave it before anything else (before the engine's imports, which take seconds), so that list is
# replaced at once by the Chinese navigation and the overview (ui.state.ensure_router guards pages opened by URL).
# .streamlit/config.toml hides the sidebar navigation, so that legacy first run draws no page list at all; the
# router's own navigation (below) is shown again from the next run on.
st_config.set_option("client.showSidebarNavigation", True)
if PagesManager.uses_pages_directory:
    PagesManager.uses_pages_directory = False
    if not st_config.get_option("global.appTest"):     # AppTest resets this mode for every app it creates
        from ui import warmup
        warmup.start()      # the server's first run: compute the overview's figures in the background (ui/warmup.py)
    st.rerun()

from analytics.figures import cache  # noqa: E402
from analytics.store.db import StoreError  # noqa: E402
from ui import auth, state, theme, widgets  # noqa: E402
st.set_page_config(page_title="安全生产台账看板", page_icon=":material/health_and_safety:", layout="wide")
# The app name on top of the sidebar, above the navigation (st.logo is the only element drawn there).
st.logo(str(widgets.UI_DIR / "logo.svg"), size="large", icon_image=str(widgets.UI_DIR / "logo_icon.svg"))
st.html(theme.APP_CSS)
st.html(theme.LANG_JS, unsafe_allow_javascript=True)     # lang="zh-CN": Chinese glyph shapes, not Japanese
st.html(theme.CHART_PREFETCH_JS, unsafe_allow_javascript=True)   # the chart code, loaded once the first page is drawn

BOARD = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/meeting.py", title="会议模式", icon=":material/slideshow:"),
    st.Page("pages/indicators.py", title="指标考核", icon=":material/fact_check:"),
    st.Page("pages/accidents.py", title="事故", icon=":material/personal_injury:"),
    st.Page("pages/hazard_trends.py", title="隐患趋势", icon=":material/trending_up:"),
    st.Page("pages/rectification.py", title="整改情况", icon=":material/task_alt:"),
    st.Page("pages/training_investment.py", title="培训与投入", icon=":material/school:"),
    st.Page("pages/company_profile.py", title="单位画像", icon=":material/domain:"),
    st.Page("pages/documents.py", title="会议材料", icon=":material/folder_open:"),
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


def busy(e: StoreError) -> None:
    """The database stayed busy too long (a long CLI import elsewhere): say so, no error page."""
    st.warning(f"{e} 本次未能读取数据，请稍后刷新页面。", icon=":material/hourglass_top:")


try:
    s = state.store()
except StoreError as e:
    st.error(str(e))
    st.stop()

with auth.one_read_per_run():       # the logged-in user read once for the run, not at each of its checks
    try:
        nav = pages_for_session()       # the role comes from the store (users, settings): busy → no page this rerun
    except StoreError as e:
        busy(e)
        st.stop()
    page = st.navigation(nav, expanded=True)     # every page listed: no English “View more / View less” button
    try:
        with cache.pinned():        # one data version for the whole run: no page mixes figures of two versions
            if page.url_path != "account":
                state.sidebar_filters()
            if page.url_path not in ("meeting", "account"):  # the projector view keeps the whole screen for the slides
                widgets.demo_banner(*state.demo_flags(s))
            page.run()
    except StoreError as e:
        busy(e)
    except Exception:  # nobody sees a traceback: log it, tell the user in Chinese
        widgets.internal_error(f"page {page.url_path or 'overview'}")
