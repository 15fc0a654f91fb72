"""总览 — the monthly safety meeting page: the group at a glance against last year, the red/amber/green
company table with its rules, the companies that breached an indicator, open major hazards with owners
and deadlines, and what needs a question (需要关注)."""
import streamlit as st

from analytics.figures import anomalies
from analytics.figures.accidents import safe_days
from analytics.figures.assessment import attainment, year_status
from analytics.figures.metrics import GROUP, HAZARD_KPIS, compute, frames
from analytics.figures.rag import rules_text
from analytics.figures.scorecard import breach_list, company_table, with_last_year
from ui import charts, state, widgets, safe
from ui.warmup import ACCIDENT_KPIS       # a fresh server computes this page's figures ahead (ui/warmup.py)

f = state.filters()
s = state.store()
state.require_companies()
ly = f.last_year
st.title("集团安全生产总览", anchor=False)
st.caption(f"统计期 {f.label}（状态截至 {f.window.as_of:%Y-%m-%d}）；箭头与上年同期 "
           f"{ly.start:%Y-%m-%d}—{ly.end:%Y-%m-%d} 相比。")

# ---------------------------------------------------------------- the group at a glance
frames(s, ACCIDENT_KPIS + HAZARD_KPIS, [f.window, ly], f.companies)   # both periods by one query (KPIs, company table)
now = compute(s, f.window, f.companies, ACCIDENT_KPIS + HAZARD_KPIS)["group"]
before = compute(s, ly, f.companies, ACCIDENT_KPIS + HAZARD_KPIS)["group"]
days = safe_days(s, f.window, f.companies).iloc[0]
ev = year_status(s, f.window.end.year, f.window.as_of, f.companies)
att = attainment(ev).iloc[0]

st.markdown("##### 事故与目标责任书")
widgets.kpi_row(now, list(ACCIDENT_KPIS), before, extra=[
    dict(label="安全生产天数", value=widgets.fmt(days["days"], "day_count"),
         help=f"截止日距所选单位最近一起生产安全事故的天数。{days['note']}"),
    dict(label="指标达标", value=f"{att['达标']}/{att['指标数']}", delta=f"突破 {att['突破']} 项" if att["突破"] else "无突破",
         delta_color="red" if att["突破"] else "green", delta_arrow="off",
         help=f"{f.window.end.year} 年度目标责任书指标：达标数/指标总数（截至 {f.window.as_of:%Y-%m-%d}）；"
              "突破＝≤ 类控制指标被超出。详见“指标考核”页。")])
st.markdown("##### 隐患排查治理")
widgets.kpi_row(now, list(HAZARD_KPIS), before)
widgets.caption("悬停在数字上可看每项口径；箭头绿色＝好转、红色＝变差、灰色＝不分好坏（如排查数量）。", f)

# ---------------------------------------------------------------- red / amber / green
st.subheader("各单位安全状况（红黄绿）")
table = with_last_year(company_table(s, f.window, f.companies), company_table(s, ly, f.companies))
picked = charts.rag_table(table[table["company"] != GROUP], key="ov_rag")
widgets.caption("红色单位在前；“上年同期”为同一规则下上年同期的颜色；↑↓ 为与上年同期之差（比率为百分点），绿色＝好转、"
                "红色＝变差。点击表下的单位可查看其重大隐患、逾期隐患、事故和未达标指标并下载。", f)
if picked:
    st.markdown(f"#### {safe.md(picked)}：问题明细")
    charts.behind_row_section(s, f.window, picked, f"{picked}_问题明细.xlsx", f"下载 {safe.md(picked)} 问题明细（Excel）",
                              "dl_ov_row")
with st.container(border=True):
    st.markdown("**判定规则**（先判红、再判黄；满足任一条即为该色。“原因”列用〔〕中的简称写明触发的每一条，红色单位另列其黄色原因）")
    widgets.rag_rules(rules_text())

# ---------------------------------------------------------------- breaches
st.subheader(f"突破控制指标的单位（{f.window.end.year} 年度）")
breaches = breach_list(s, f.window, f.companies)
if breaches.empty:
    st.success(f"截至 {f.window.as_of:%Y-%m-%d}，所选单位没有突破目标责任书控制指标。", icon=":material/verified:")
else:
    charts.records_table(breaches, wrap=("控制目标",))
    widgets.download(breaches, "突破控制指标.xlsx", key="dl_ov_breach")
widgets.caption("≤ 类控制指标（如死亡人数、事故起数、直接经济损失）的实际值超过目标；实际值优先取台账计算值，"
                "无法由台账计算时取单位填报的完成值。各指标明细见“指标考核”页。")

# ---------------------------------------------------------------- open major hazards
charts.open_major_hazards_section(s, f, key="dl_ov_major")

# ---------------------------------------------------------------- needs a question
st.subheader("需要关注")
flags = anomalies.find(s, f.window, f.companies, detail=False)   # the summary list: no hazard lists
if flags.empty:
    st.success("统计期内没有需要关注的报送情况。", icon=":material/verified:")
else:
    charts.records_table(anomalies.summary(flags), wrap=("需要关注",))
    widgets.caption(f"排序：{anomalies.SUMMARY_ORDER_TEXT}；下载的 Excel 含每一条及其隐患清单。")
    widgets.download(lambda: anomalies.find(s, f.window, f.companies), "需要关注.xlsx", key="dl_ov_flags")  # with lists
st.page_link("pages/company_profile.py", label="在“单位画像”页查看每一条", icon=":material/arrow_forward:")
with st.expander("需要关注的判定规则", expanded=False):
    widgets.flag_rules(anomalies.RULES)
