"""指标考核 — each company's 目标责任书 indicators: target, derived and reported actual, status; breaches first;
a company × indicator status table (click a cell for the records behind it); group attainment."""
import datetime as dt

import streamlit as st

from analytics.figures.assessment import BREACH, DIFFERS_TEXT, attainment, indicator_table, matrix, metric_of, year_status
from analytics.figures import ranking
from analytics.figures.metrics import GROUP, Window
from analytics.figures.records import behind
from ui import charts, state, theme, widgets, safe

f = state.filters()
s = state.store()
state.require_companies()
year, as_of = f.window.end.year, min(f.window.as_of, dt.date(f.window.end.year, 12, 31))
st.title(f"目标责任书指标考核（{year} 年度）", anchor=False)
st.caption(f"考核年度取统计期结束日所在年份；实际值为 {year}-01-01 至 {as_of:%Y-%m-%d} 的累计。"
           "查看其他年度，请在左侧“统计期间”选择该年的日期。")

ev = year_status(s, year, as_of, f.companies)
if ev.empty:
    widgets.empty_note(f"{year} 年度的目标责任书指标")
    st.stop()

# ---------------------------------------------------------------- attainment
att = attainment(ev)
g = att.iloc[0]
c = st.columns(5)
c[0].metric("集团达标", f"{g['达标']}/{g['指标数']}", help="达标指标数 ÷ 指标总数（无数据的指标计入总数、不计达标）", border=True)
c[1].metric("达标率", widgets.fmt(g["达标率"], "rate"), border=True, help="达标 ÷ 指标总数")
c[2].metric("突破控制指标", f"{g['突破']} 项", border=True, help="≤ 类控制指标（如死亡人数、事故起数）实际值超过目标")
c[3].metric("未达标（含突破）", f"{g['未达标']} 项", border=True)
c[4].metric("无数据", f"{g['无数据']} 项", border=True, help="台账无法计算且单位未填报完成值")

# ---------------------------------------------------------------- breaches first
table = indicator_table(ev)
st.subheader("突破指标与未达标指标")
bad = table[table["状态"] == "未达标"]
if bad.empty:
    st.success("所有有数据的指标均已达标。", icon=":material/verified:")
else:
    charts.records_table(bad)
widgets.caption("突破＝≤ 类控制指标被超出（追责的依据），排在最前；其后为 ≥ 类未达标指标。百分比向不利方向截取一位小数"
                "（如 97.97% 显示为 97.9%），不会把未达标显示成达标值。")

# ---------------------------------------------------------------- heat table
st.subheader("各单位 × 指标")
grid, cols = matrix(ev)
many = len(grid) > charts.FOLD_GREEN_OVER
if many:                  # a group: the worst companies on top (the table scrolls)
    grid = ranking.matrix_worst_first(grid, att)
picked = charts.status_matrix(grid, cols, key="ind_matrix")
widgets.legend(theme.INDICATOR_STATUS_COLORS, "— ＝该单位无此项指标")
widgets.caption(f"单元格＝考核状态 + 实际值；{BREACH}＝≤ 类控制指标被超出。点击单元格可查看该指标的依据记录并下载。"
                + (f"共 {len(grid)} 个单位，{ranking.ATTAINMENT_ORDER_TEXT}；表格内滚动查看，全部指标见下方“全部指标”及其 Excel。"
                   if many else ""))

if picked and picked[1]:
    company, indicator = picked
    row = table[(table["单位"] == company) & (table["考核指标"] == indicator)]
    st.markdown(f"#### {safe.md(company)} · {safe.md(indicator)}")
    charts.records_table(row)
    metric = metric_of(indicator)
    if metric:
        rows = behind(s, metric, Window.of(dt.date(year, 1, 1), as_of), [company])
        charts.records_panel(f"台账计算值的依据：{year}-01-01 至 {as_of:%Y-%m-%d} 的记录", rows,
                             f"{company}_{indicator}_{year}.xlsx", key="dl_ind_cell")
    else:
        st.info("该指标无法由台账计算，考核采用单位填报的完成值。", icon=":material/info:")

# ---------------------------------------------------------------- attainment by company
st.subheader("各单位达标情况")
per = att[att["单位"] != GROUP]
charts.indicator_bars(per, f"{year} 年度各单位指标达标情况（项）")
widgets.caption("每个单位的指标按状态计数：达标、未达标（其中突破单列）、无数据。"
                + (f"单位较多：只画出{ranking.ATTAINMENT_ORDER_TEXT}的前 {charts.TOP_N} 个单位，全部单位见上方“各单位 × 指标”。"
                   if len(per) > charts.TOP_N else ""))

# ---------------------------------------------------------------- every indicator
st.subheader("全部指标")
differs = int((table["数据核对"] == DIFFERS_TEXT).sum())
if differs:
    st.warning(f"有 {differs} 项指标的单位填报完成值与台账计算值不一致（见“数据核对”列），考核以台账计算值为准。",
               icon=":material/rule:")
charts.records_table(table)
widgets.download(table, f"目标责任书指标考核_{year}.xlsx", key="dl_ind_all")
widgets.caption("台账计算值＝由台账按指标口径计算（事故起数、死亡人数、重伤人数、直接经济损失、隐患整改率、按期整改率、"
                "重大隐患整改率、培训完成率、培训合格率、安全投入完成率）；填报完成值＝单位在指标表中填写的“完成值”；"
                "两者都有时以台账计算值考核，不一致的标出。")
