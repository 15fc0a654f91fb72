"""整改情况 — rectification rates per company, overdue ageing, and open major hazards with owners."""
import streamlit as st

from analytics.figures.metrics import GROUP, frame
from analytics.figures.records import overdue_ageing, overdue_hazards
from ui import charts, state, theme, widgets

f = state.filters()
s = state.store()
st.title("隐患整改情况", anchor=False)

rates = frame(s, ["rectification_rate", "on_time_rate", "major_rectification_rate", "overdue_open"], f.window,
              f.companies)
companies = rates[rates["company"] != GROUP]
group = rates[rates["company"] == GROUP].iloc[0]
st.markdown(f"#### 集团：整改率 **{widgets.fmt(group['rectification_rate'], 'rate')}**，"
            f"按期整改率 **{widgets.fmt(group['on_time_rate'], 'rate')}**，"
            f"逾期未整改 **{int(group['overdue_open'])}** 项")
charts.company_rate_bars(companies, ["rectification_rate", "on_time_rate"], "各单位整改率与按期整改率", target=0.95)
widgets.metric_caption(["rectification_rate", "on_time_rate"], f)
widgets.caption("柱内数字为该单位的比率，红色虚线为目标 95%；“—”表示统计期内该单位没有可计算的隐患（无隐患或无到期隐患），"
                "不是 0%。")

st.subheader("逾期未整改隐患账龄")
ageing = overdue_ageing(s, f.window.as_of, f.companies)
charts.stacked_company_bars(ageing, "company", "hazards", "bucket", "逾期天数分布（截止日）", theme.AGEING_COLORS)
widgets.caption(f"截至 {f.window.as_of:%Y-%m-%d} 已超过整改期限仍未整改的隐患，按逾期天数（截止日 − 整改期限）分段；存量，不限统计期。")
total = int(group["overdue_open"])       # the overdue_open metric counts exactly these rows
with st.expander(f"逾期未整改隐患明细（{total} 项）"):
    charts.records_table(overdue_hazards(s, f.window.as_of, f.companies, limit=charts.MAX_TABLE_ROWS),
                         highlight_overdue=True, first=charts.OWNER_FIRST, wrap=("隐患描述",), total=total)
    widgets.download(lambda: overdue_hazards(s, f.window.as_of, f.companies), "逾期未整改隐患.xlsx",
                     key="dl_overdue")       # every row, read on click

charts.open_major_hazards_section(s, f, key="dl_majors")
