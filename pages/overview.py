"""总览 — the group at a glance: hazard KPIs against last year, and the red/amber/green company table."""
import streamlit as st

from analytics.metrics import GROUP, HAZARD_KPIS, compute
from analytics.rag import GREEN_TEXT, NO_DATA_TEXT, RULES
from analytics.records import open_major_hazards
from analytics.scorecard import company_table
from ui import charts, state, widgets

f = state.filters()
s = state.store()
st.title("集团安全生产总览")

now = compute(s, f.window, f.companies, HAZARD_KPIS)["group"]
before = compute(s, f.last_year, f.companies, HAZARD_KPIS)["group"]
widgets.kpi_row(now, list(HAZARD_KPIS), before, lower_is_better=("overdue_open", "major_open"))
widgets.caption("箭头为与上年同期相比；悬停在数字上可看每项口径。", f)

st.subheader("各单位安全状况")
table = company_table(s, f.window, f.companies)
charts.rag_table(table[table["company"] != GROUP])
with st.expander("红黄绿判定规则", expanded=False):
    for color in ("红", "黄"):
        st.markdown(f"**{color}**（满足任一条）：" + "；".join(r.text for r in RULES if r.color == color))
    st.markdown(f"**绿**：{GREEN_TEXT}。**无数据**：{NO_DATA_TEXT}。")
widgets.metric_caption(["rectification_rate", "on_time_rate", "overdue_open", "major_open"], f)

st.subheader("未整改的重大隐患")
majors = open_major_hazards(s, f.window.as_of, f.companies)
if majors.empty:
    st.success(f"截至 {f.window.as_of:%Y-%m-%d}，所选单位没有未整改的重大隐患。")
else:
    charts.records_table(majors, highlight_overdue=True)
    widgets.download(majors, "未整改重大隐患.xlsx")
widgets.caption("发现日期不晚于截止日、截止日时仍未整改的重大隐患（存量，不限统计期）。", f)
