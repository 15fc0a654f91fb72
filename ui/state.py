"""The store for this Streamlit process and the global filters shared by every page."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics import companies as reg
from analytics.demo import DEMO_END
from analytics.demo_load import is_demo, real_batches
from analytics.store.db import Store, get_store
from analytics.store import history
from analytics.figures.profile import same_period_last_year
from analytics.figures.cache import cached
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


def today(s: Store) -> dt.date:
    """The day the pages judge by (DOMAIN.md §3): today; for a store holding the demo data, the demo's own
    fixed day (DEMO_END). SAFETY_TODAY=YYYY-MM-DD fixes it (tests, or a meeting held on a set day)."""
    if fixed := os.environ.get("SAFETY_TODAY"):
        return dt.date.fromisoformat(fixed)
    if demo_flags(s)[0]:            # demo data (also with uploads on top of it, as the banner says) keeps its day
        return DEMO_END
    return dt.date.today()


def reference_date(s: Store) -> dt.date:
    """The end of the default windows and the day stock figures (逾期未整改, 重大隐患未整改, 剩余天数) are judged
    on: today, not the last day with data - a hazard due after the last upload but before today is overdue."""
    return today(s)


_last_arrivals = cached(history.last_arrivals)     # every page's sidebar asks; the data version keys it
# The registry and the demo flags, asked by the sidebar, the banner and the pages several times a run: cached on
# the data version like the figures (a registry change or an upload moves it on), so that inside a page run
# (cache.pinned: one version read) they cost no query once computed.
registered = cached(reg.list_companies)             # registered companies, retired ones left out
parents = cached(reg.parents)                       # company → its 板块 (None: none)


@cached
def demo_flags(s: Store) -> tuple[bool, int]:
    """(the demo data is loaded, active batches uploaded by people) — the banner's two facts."""
    return is_demo(s), real_batches(s)


def arrivals_text(s: Store, names: list[str] | None = None) -> list[str]:
    """One line per company (of `names`, default all): up to which day its ledgers have arrived, so a month not
    yet sent shows."""
    df = _last_arrivals(s)
    out = []
    for r in df.itertuples(index=False):
        if names is not None and r.company not in names:
            continue
        parts = [f"{w} {pd.Timestamp(v):%Y-%m-%d}" if w != "投入" else f"{w} {pd.Timestamp(v):%Y-%m}"
                 for w, v in (("隐患", r.hazards), ("培训", r.training), ("投入", r.investment)) if not pd.isna(v)]
        out.append(f"{r.company}：{'、'.join(parts) if parts else '尚无台账'}")
    return out


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
    names = auth.visible(registered(s))                 # a scoped user sees only their companies
    with st.sidebar:
        st.markdown("### 统计范围")
        preset = st.selectbox("统计期间", PRESETS, key="f_preset")
        start, end = _preset_window(preset, ref)
        if preset == "自定义":
            picked = st.date_input("起止日期", value=(start, end), key="f_range", format="YYYY-MM-DD")
            if isinstance(picked, (list, tuple)) and len(picked) == 2:
                start, end = picked
        ups = parents(s)
        blocks = sorted({ups.get(n) for n in names if ups.get(n)})     # the 板块 of the companies one may see
        block = st.selectbox("板块", blocks, index=None, key="f_parent", placeholder="全部板块") if blocks else None
        if block:                 # drill into a 板块: its companies only (each 板块 keeps its own choice)
            names = [n for n in names if ups.get(n) == block]
        chosen = st.multiselect("单位（不选即全部）", names, key=f"f_companies_{block}" if block else "f_companies",
                                placeholder=f"{block}全部单位" if block else "全部单位")
        st.caption(f"统计期：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}；状态截至 {end:%Y-%m-%d}")
        if names:
            with st.expander("各单位台账截至"):
                st.text("\n".join(arrivals_text(s, names)))     # plain text: names never become markup
    scoped = auth.current() is not None and auth.current().scoped
    f = Filters(Window.of(start, end), chosen or (names if block or scoped else None), f"{start:%Y年%m月%d日}—{end:%Y年%m月%d日}")
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
    """The sidebar's filters, for a 会议看板 page: the server-side role check of every such page is here (each
    calls it first); a session that may not view stops with a Chinese note."""
    ensure_router()
    from ui import auth
    auth.require("view")
    f = st.session_state.get("filters")
    return f if f is not None else sidebar_filters()


def require_companies() -> None:
    """Stop a page with a Chinese note when no company is registered yet (the figures need the registry)."""
    if not registered(store()):
        st.info("还没有登记任何单位。请在“数据上传”页的“单位管理”中登记单位并上传台账（或用命令 "
                "`python -m analytics demo` 导入演示数据）。", icon=":material/info:")
        st.stop()
