"""The store for this Streamlit process and the global filters shared by every page."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from analytics import companies as reg
from analytics.store.db import Store, get_store
from analytics.store import history
from analytics.figures.profile import same_period_last_year
from analytics.figures.metrics import Window


@st.cache_resource
def store() -> Store:
    return get_store()


@dataclass(frozen=True)
class Filters:
    window: Window
    companies: list[str] | None     # None = all registered companies
    label: str                       # e.g. "2026年1月1日—2026年11月25日"

    @property
    def last_year(self) -> Window:
        """The same period one year earlier."""
        return same_period_last_year(self.window)


PRESETS = ("本年至今", "本月", "上月", "近12个月", "自定义")


def reference_date(s: Store) -> dt.date:
    """'Today' for the defaults: the last day with data, if that is before today."""
    return history.reference_date(s)


def _preset_window(preset: str, ref: dt.date) -> tuple[dt.date, dt.date]:
    first = ref.replace(day=1)
    if preset == "本月":
        return first, ref
    if preset == "上月":
        end = first - dt.timedelta(days=1)
        return end.replace(day=1), end
    if preset == "近12个月":
        start = (first.replace(year=first.year - 1) + dt.timedelta(days=32)).replace(day=1)
        return start, ref
    return dt.date(ref.year, 1, 1), ref


def sidebar_filters() -> Filters:
    """The global filters (period, companies), drawn once in the sidebar by app.py."""
    s = store()
    ref = reference_date(s)
    from ui import auth
    names = auth.visible(reg.list_companies(s))         # a scoped user sees only their companies
    with st.sidebar:
        st.markdown("### 统计范围")
        preset = st.selectbox("统计期间", PRESETS, key="f_preset")
        start, end = _preset_window(preset, ref)
        if preset == "自定义":
            picked = st.date_input("起止日期", value=(start, end), key="f_range", format="YYYY-MM-DD")
            if isinstance(picked, (list, tuple)) and len(picked) == 2:
                start, end = picked
        chosen = st.multiselect("单位（不选即全部）", names, key="f_companies", placeholder="全部单位")
        st.caption(f"统计期：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}；状态截至 {end:%Y-%m-%d}")
    scoped = auth.current() is not None and auth.current().scoped
    f = Filters(Window.of(start, end), chosen or (names if scoped else None), f"{start:%Y年%m月%d日}—{end:%Y年%m月%d日}")
    st.session_state["filters"] = f
    return f


def ensure_router() -> None:
    """The first run in a server process, and a page opened by its URL before app.py ever ran,
    are run by Streamlit's legacy pages/ mode (a pages/ folder exists), without the router. Switch that off and rerun, so the
    router (app.py) draws the navigation, the filters and the page that was asked for."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def filters() -> Filters:
    ensure_router()
    f = st.session_state.get("filters")
    return f if f is not None else sidebar_filters()


def require_companies() -> None:
    """Stop a page with a Chinese note when no company is registered yet (the figures need the registry)."""
    if not reg.list_companies(store()):
        st.info("还没有登记任何单位。请在“数据上传”页的“单位管理”中登记单位并上传台账（或用命令 "
                "`python -m analytics demo` 导入演示数据）。", icon=":material/info:")
        st.stop()
