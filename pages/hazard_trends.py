"""隐患趋势 — hazards found per month by company, level, category or source; click a bar for its records."""
import streamlit as st

from analytics import companies as reg
from analytics.figures import ranking
from analytics.figures.metrics import BREAKDOWNS, series
from analytics.figures.records import hazards_found
from ui import charts, state, theme, widgets, safe

f = state.filters()
s = state.store()
st.title("隐患排查趋势", anchor=False)

by = st.segmented_control("按何分组", list(BREAKDOWNS), format_func=BREAKDOWNS.get, default="company",
                          key="trend_by", required=True)
df = series(s, "hazards_found", f.window, f.companies, by=by)
folded = []
if by in ("company", "parent"):       # many companies: the top N and the rest as one group
    df, folded = charts.fold_top(df, "group", "value", "period", noun=BREAKDOWNS[by])
colors = {"level": theme.LEVEL_COLORS}.get(by)
title = f"每月排查隐患数（按{BREAKDOWNS[by]}）"
if folded:            # the top N stacked would be a sliver under the rest's bar: the total, then the top N alone
    sums, df = ranking.total_and_top(df, charts.fold_label(len(folded), BREAKDOWNS[by]))
    total = charts.month_bars(sums, "value", None, "每月排查隐患数（所选单位合计）", key="trend_total",
                              y_label="排查隐患（项）", height=360)
    title = f"每月排查隐患数（全期隐患最多的 {charts.TOP_N} 个{BREAKDOWNS[by]}）"
event = charts.month_bars(df, "value", "group", title, colors, key="trend_chart", y_label="排查隐患（项）",
                          short_legend=by == "company")
widgets.metric_caption(["hazards_found"], f)
widgets.caption("没有隐患的月份显示为 0；点击柱子可查看该月的隐患明细并下载。"
                + (f"{BREAKDOWNS[by]}较多：上图为所选单位每月合计；下图为全期隐患最多的 {charts.TOP_N} 个{BREAKDOWNS[by]}（按全期隐患数"
                   f"从多到少），其余 {len(folded)} 个{BREAKDOWNS[by]}只计入上图合计。" if folded else ""))
if folded and not charts.points(event):
    event = total                     # a click on the total: that month's hazards of every selected company

points = charts.points(event)
if points:
    p = points[0]
    month = str(safe.unlabel(p.get("x")))
    group = safe.unlabel((p.get("customdata") or [None])[0] if p.get("customdata") else p.get("legendgroup"))
    groups = folded if folded and group == charts.fold_label(len(folded), BREAKDOWNS[by]) else [group] if group else []
    narrowed, picked = ({by: group} if group else {}), f.companies
    if by in ("company", "parent") and groups:      # a company, a 板块 or the folded rest: their companies
        up = state.parents(s)
        picked = [c for c in (f.companies or list(up)) if (c if by == "company" else up[c] or reg.NO_PARENT) in groups]
        narrowed = {}
    rows = hazards_found(s, f.window.month(month), picked, **narrowed)
    st.subheader(f"{safe.md(month)} {safe.md(group or '')} 的隐患明细（{len(rows)} 项）")
    charts.records_table(rows)
    widgets.download(rows, f"隐患明细_{month}_{group or '全部'}.xlsx", key="dl_drill")
