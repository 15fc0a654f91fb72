"""安全生产台账看板 — the router. Pages live in pages/; shared pieces in ui/; the engine in analytics/."""
from __future__ import annotations

import logging

import streamlit as st

from analytics.db import StoreError
from analytics.demo_load import is_demo
from ui import state, widgets

st.set_page_config(page_title="安全生产台账看板", page_icon=":material/health_and_safety:", layout="wide")

PAGES = {
    "会议看板": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("pages/meeting.py", title="会议模式", icon=":material/slideshow:"),
        st.Page("pages/indicators.py", title="指标考核", icon=":material/fact_check:"),
        st.Page("pages/accidents.py", title="事故", icon=":material/personal_injury:"),
        st.Page("pages/hazard_trends.py", title="隐患趋势", icon=":material/trending_up:"),
        st.Page("pages/rectification.py", title="整改情况", icon=":material/task_alt:"),
        st.Page("pages/training_investment.py", title="培训与投入", icon=":material/school:"),
        st.Page("pages/company_profile.py", title="单位画像", icon=":material/domain:"),
    ],
    "数据管理": [
        st.Page("pages/upload.py", title="数据上传", icon=":material/upload_file:"),
    ],
}

try:
    s = state.store()
except StoreError as e:
    st.error(str(e))
    st.stop()

page = st.navigation(PAGES)
st.sidebar.markdown("## 安全生产台账看板")
state.sidebar_filters()
if page.url_path != "meeting":      # the projector view keeps the whole screen for the slides
    widgets.demo_banner(is_demo(s))
try:
    page.run()
except Exception:  # nobody sees a traceback: log it, tell the user in Chinese
    logging.getLogger("safety").exception("page failed")
    st.error("页面出现内部错误，数据未受影响。请刷新页面重试；如仍出现，请联系安全部系统管理员。")
