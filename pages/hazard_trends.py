"""隐患趋势 — hazards found per month by company, level, category or source; click a bar for its records."""
import streamlit as st

from analytics.figures.metrics import BREAKDOWNS, series
from analytics.figures.records import hazards_found
from ui import charts, state, theme, widgets, safe

f = state.filters()
s = state.store()
st.title("隐患排查趋势", anchor=False)

by = st.segmented_control("按何分组", list(BREAKDOWNS), format_func=BREAKDOWNS.get, default="company",
                          key="trend_by", required=True)
df = series(s, "hazards_found", f.window, f.companies, by=by)
colors = {"level": theme.LEVEL_COLORS}.get(by)
event = charts.month_bars(df, "value", "group", f"每月排查隐患数（按{BREAKDOWNS[by]}）", colors, key="trend_chart",
                          y_label="排查隐患（项）")
widgets.metric_caption(["hazards_found"], f)
widgets.caption("没有隐患的月份显示为 0；点击柱子可查看该月的隐患明细并下载。")

points = (event.selection.points if event and event.selection else []) or []
if points:
    p = points[0]
    month = str(safe.unlabel(p.get("x")))
    group = safe.unlabel((p.get("customdata") or [None])[0] if p.get("customdata") else p.get("legendgroup"))
    narrowed = {by: group} if group else {}
    rows = hazards_found(s, f.window.month(month), f.companies, **narrowed)
    st.subheader(f"{safe.md(month)} {safe.md(group or '')} 的隐患明细（{len(rows)} 项）")
    charts.records_table(rows)
    widgets.download(rows, f"隐患明细_{month}_{group or '全部'}.xlsx", key="dl_drill")
