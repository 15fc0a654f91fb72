"""会议模式 — the projector view of the monthly safety meeting: no sidebar, large type, one topic per screen,
advanced with the ← → keys (or the buttons), or automatically every N seconds. Nothing to configure: the
year to date and this month as of the last day with data, all selected companies."""
import datetime as dt
import time

import streamlit as st

from analytics.figures import anomalies
from analytics.figures.accidents import monthly_by_level, safe_days
from analytics.figures.assessment import attainment, year_status
from analytics.figures.metrics import GROUP, HAZARD_KPIS, Window, compute, frames, series
from analytics.figures.rag import rules_text
from analytics.figures.records import accidents, open_major_hazards
from analytics.figures.scorecard import breach_list, company_table, with_last_year
from ui import charts, state, theme, widgets, safe

SLIDES = ("集团总览", "红黄绿表", "突破指标", "重大隐患", "事故", "隐患趋势", "需要关注")
INTERVALS = (15, 30, 60, 120)

f = state.filters()
s = state.store()
state.require_companies()
st.html(theme.MEETING_CSS)
as_of = f.window.as_of
year = Window.of(dt.date(as_of.year, 1, 1), as_of)
month = Window.of(as_of.replace(day=1), as_of)
last_year = Window.of(dt.date(as_of.year - 1, 1, 1), as_of.replace(year=as_of.year - 1, day=min(as_of.day, 28)))
scope = "全部单位" if not f.companies else "、".join(f.companies)
st.session_state.setdefault("mt_slide", 0)
st.session_state.setdefault("mt_last", time.monotonic())


def heading(title: str, sub: str) -> None:
    """A slide's title (no anchor link icon on a projector) and its period in smaller type."""
    st.markdown(f"## {safe.md(title)}　<small>{safe.md(sub)}</small>", unsafe_allow_html=True, anchors=False)


@widgets.guarded("meeting: next/previous slide")
def go(step: int) -> None:
    st.session_state["mt_slide"] = (st.session_state["mt_slide"] + step) % len(SLIDES)
    st.session_state["mt_last"] = time.monotonic()


@widgets.guarded("meeting: jump to a slide")
def jump() -> None:
    picked = st.session_state.get("mt_pick")
    if picked in SLIDES:
        st.session_state["mt_slide"] = SLIDES.index(picked)
    st.session_state["mt_last"] = time.monotonic()


# ---------------------------------------------------------------- the slides
def s_overview() -> None:
    heading("集团安全生产总览", f"{year.start:%Y年%m月%d日}—{as_of:%m月%d日}")
    names = ("accidents", "deaths", "serious_injuries", "rectification_rate", "overdue_open", "major_open")
    frames(s, names, [year, last_year], f.companies)     # both periods by one query per ledger (as 总览 does)
    now = compute(s, year, f.companies, names)["group"]
    before = compute(s, last_year, f.companies, names)["group"]
    st.markdown("#### 本年累计（箭头：与上年同期相比）", anchors=False)
    widgets.kpi_row(now, list(names), before)
    st.markdown(f"#### 本月（{month.start:%m月%d日}—{as_of:%m月%d日}）", anchors=False)
    m_names = ("hazards_found", "hazards_rectified", "major_found", "accidents")
    days = safe_days(s, year, f.companies).iloc[0]
    att = attainment(year_status(s, as_of.year, as_of, f.companies)).iloc[0]
    widgets.kpi_row(compute(s, month, f.companies, m_names)["group"], list(m_names), extra=[
        dict(label="安全生产天数", value=widgets.fmt(days["days"], "day_count"), help=days["note"]),
        dict(label="指标达标率", value=widgets.fmt(att["达标率"], "rate"),      # “846/1400” overflowed the card
             delta=f"{att['达标']}/{att['指标数']} 项达标", delta_color="gray", delta_arrow="off",
             help=f"{as_of.year} 年度目标责任书指标：达标数 ÷ 指标总数（无数据的指标算未达标）")])
    widgets.caption(f"{days['note']}；口径见“总览”页各数字的说明。")


def s_rag() -> None:
    heading("各单位安全状况", f"{year.start:%Y-%m-%d}—{as_of:%Y-%m-%d}")
    table = with_last_year(company_table(s, year, f.companies), company_table(s, last_year, f.companies))
    charts.rag_table(table[table["company"] != GROUP],
                     ("rectification_rate", "on_time_rate", "overdue_open", "major_open", "accidents", "deaths"),
                     big=True)
    st.caption("整改率＝隐患整改率，按期率＝按期整改率，逾期未改＝逾期未整改隐患（项），重大未改＝未整改的重大隐患（项），"
               "事故＝事故起数（起），死亡＝死亡人数（人），突破＝突破的控制指标（项）；↑↓ 为与上年同期之差。")
    for color, text in rules_text()[:2]:
        st.caption(f"{color}：{text}")


def s_breaches() -> None:
    heading("突破控制指标", f"{as_of.year} 年度")
    b = breach_list(s, year, f.companies)
    if b.empty:
        st.success("没有单位突破目标责任书控制指标。", icon=":material/verified:")
    else:
        charts.records_table(b, big=True)
    att = attainment(year_status(s, as_of.year, as_of, f.companies))
    charts.indicator_bars(att[att["单位"] != GROUP], "各单位指标达标情况（项）", large=True, height=470,
                          top=charts.MEETING_BARS)
    st.caption("≤ 类控制指标实际值超过目标＝突破；实际值优先取台账计算值，无法计算时取单位填报的完成值。")


def s_majors() -> None:
    heading("未整改的重大隐患", f"截至 {as_of:%Y-%m-%d}")
    m = open_major_hazards(s, as_of, f.companies)
    if m.empty:
        st.success("没有未整改的重大隐患。", icon=":material/verified:")
    else:
        charts.records_table(m[["单位", "隐患描述", "整改责任人", "整改期限", "逾期天数", "隐患部位"]],
                             highlight_overdue=True, big=True)
        st.caption("逾期天数＝截止日已超过整改期限的天数（未到期限的写“未到期（剩 N 天）”）；逾期最久的在前。")


def s_accidents() -> None:
    heading("生产安全事故", f"{year.start:%Y-%m-%d}—{as_of:%Y-%m-%d}")
    charts.month_bars(monthly_by_level(s, year, f.companies), "value", "group", "每月事故起数（按事故等级）",
                      theme.ACCIDENT_LEVEL_COLORS, y_label="事故起数（起）", large=True, height=360)
    rows = accidents(s, year, f.companies)
    if rows.empty:
        st.success("本年没有发生生产安全事故。", icon=":material/verified:")
    else:
        charts.records_table(rows[["单位", "发生时间", "事故类别", "事故等级", "死亡人数", "重伤人数", "上报情况",
                                   "四不放过"]], big=True)
        st.caption("事故等级按国务院令第493号；迟报＝上报晚于发生 1 小时以上；四不放过四项不全为“是”即未闭环。")


def s_trend() -> None:
    heading("隐患排查趋势", f"{year.start:%Y-%m-%d}—{as_of:%Y-%m-%d}")
    charts.month_bars(series(s, "hazards_found", year, f.companies, by="level"), "value", "group",
                      "每月排查隐患数（按隐患等级）", theme.LEVEL_COLORS, y_label="隐患数（项）", large=True, height=540)
    st.caption(f"发现日期在该月的隐患数；没有隐患的月份显示为 0；{as_of:%Y-%m} 截至 {as_of:%d} 日。")


def s_flags() -> None:
    heading("需要关注", f"{year.start:%Y-%m-%d}—{as_of:%Y-%m-%d}")
    flags = anomalies.find(s, year, f.companies, detail=False)     # the summary list: no hazard lists
    if flags.empty:
        st.success("没有需要关注的报送情况。", icon=":material/verified:")
    else:
        charts.records_table(anomalies.summary(flags), big=True)
        st.caption(f"排序：{anomalies.SUMMARY_ORDER_TEXT}。")
    for k, v in anomalies.RULES.items():
        st.caption(f"{k}：{v}")


RENDER = dict(zip(SLIDES, (s_overview, s_rag, s_breaches, s_majors, s_accidents, s_trend, s_flags)))

# ---------------------------------------------------------------- controls (outside the deck: they change its timer)
top = st.columns([3.2, 1, 1.1, 1.5], vertical_alignment="center")
top[0].markdown(f"**会议模式**　{scope}　·　数据截至 {as_of:%Y-%m-%d}")
auto = top[1].toggle("自动翻页", key="mt_auto", on_change=lambda: st.session_state.update(mt_last=time.monotonic()))
every = top[2].selectbox("间隔", INTERVALS, index=1, key="mt_every", format_func=lambda x: f"每 {x} 秒",
                         label_visibility="collapsed", disabled=not auto)
if top[3].button("退出会议模式", key="mt_exit", icon=":material/close:", shortcut="Esc", width="stretch"):
    st.switch_page("pages/overview.py")


@st.fragment(run_every=every if auto else None)
@widgets.guarded("meeting deck")      # a timer rerun of the fragment is outside app.py's guard
def deck() -> None:
    if auto and time.monotonic() - st.session_state["mt_last"] >= every - 0.5:
        go(1)
    i = st.session_state["mt_slide"]
    nav = st.columns([1, 6, 1], vertical_alignment="center")
    nav[0].button("◀ 上一页", key="mt_prev", on_click=go, args=(-1,), shortcut="Left", width="stretch")
    nav[1].segmented_control("页", SLIDES, default=SLIDES[i], key=f"mt_pick_{i}", label_visibility="collapsed",
                             format_func=lambda x: f"{SLIDES.index(x) + 1} {x}",
                             on_change=lambda k=f"mt_pick_{i}": (st.session_state.update(mt_pick=st.session_state[k]),
                                                                 jump()))
    nav[2].button("下一页 ▶", key="mt_next", on_click=go, args=(1,), shortcut="Right", width="stretch")
    try:
        RENDER[SLIDES[i]]()
    except Exception:  # noqa: BLE001 — one slide failing leaves the deck (and the ← → keys) working
        widgets.internal_error(f"meeting slide {i + 1} {SLIDES[i]}")
    st.caption(f"第 {i + 1}/{len(SLIDES)} 页：{SLIDES[i]}　·　键盘 ← → 翻页，Esc 退出"
               + (f"　·　自动翻页：每 {every} 秒" if auto else ""))


deck()
