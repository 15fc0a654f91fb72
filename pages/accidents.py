"""事故 — accidents by month (every month shown), by level (国务院令第493号) and type (GB 6441); deaths,
injuries, direct loss; late reports; 四不放过 closure with the open items; 安全生产天数 per company."""
import pandas as pd
import streamlit as st

from analytics.figures import ranking
from analytics.figures.accidents import by_level, by_type, monthly_by_level, safe_days
from analytics.figures.metrics import compute, frame
from analytics.figures.records import accidents
from ui import charts, state, theme, widgets

KPIS = ("accidents", "major_accidents", "deaths", "serious_injuries", "minor_injuries", "direct_loss", "late_reports",
        "four_no_closure_rate")
TABLE = ("accidents", "deaths", "serious_injuries", "minor_injuries", "direct_loss", "late_reports", "four_no_open")
SAFE_DAYS_CARDS = 10        # 安全生产天数 cards at most (the group first); more companies: all in a list below
LIST_COLUMNS = ["单位", "事故编号", "发生时间", "事故类别", "事故等级", "死亡人数", "重伤人数", "轻伤人数",
                "直接经济损失（万元）", "上报情况", "四不放过", "上报时间"]      # 上报用时: see 迟报 and the Excel

f = state.filters()
s = state.store()
state.require_companies()
st.title("生产安全事故", anchor=False)

now = compute(s, f.window, f.companies, KPIS)["group"]
before = compute(s, f.last_year, f.companies, KPIS)["group"]
widgets.kpi_row(now, list(KPIS[:4]), before)
widgets.kpi_row(now, list(KPIS[4:]), before)
widgets.caption("箭头为与上年同期相比；事故等级按《生产安全事故报告和调查处理条例》（国务院令第493号）由死亡、重伤、"
                "直接经济损失三项中最高者确定。", f)

# ---------------------------------------------------------------- by month (click a bar)
monthly = monthly_by_level(s, f.window, f.companies)
event = charts.month_bars(monthly, "value", "group", "每月事故起数（按事故等级）", theme.ACCIDENT_LEVEL_COLORS,
                          key="acc_month", y_label="事故起数（起）", height=380)
widgets.caption("发生时间在该月的生产安全事故起数；没有事故的月份显示为 0。点击柱子可查看该月事故明细并下载。", f)
hit = charts.clicked(event)
if hit:
    month = str(hit["x"])
    narrowed = {"level": hit["group"]} if hit["group"] else {}
    rows = accidents(s, f.window.month(month), f.companies, **narrowed)
    charts.records_panel(f"{month} {hit['group'] or ''}事故明细", rows, f"事故明细_{month}.xlsx", key="dl_acc_month")

# ---------------------------------------------------------------- by level and by type
left, right = st.columns([2, 3])
with left:
    lv = by_level(s, f.window, f.companies)
    st.markdown("##### 按事故等级")
    charts.records_table(lv.rename(columns={"level": "事故等级", "accidents": "起数", "deaths": "死亡",
                                            "serious_injuries": "重伤", "minor_injuries": "轻伤",
                                            "direct_loss": "直接经济损失（万元）"}))
    widgets.caption("四个等级全部列出（0 起也列）；死亡、重伤、轻伤单位为人。")
with right:
    types = by_type(s, f.window, f.companies)
    if types.empty:
        st.markdown("##### 按事故类别（GB 6441）")
        st.success("统计期内没有发生生产安全事故。", icon=":material/verified:")
    else:
        tev = charts.hbars(types, "type", "accidents", "按事故类别（GB 6441-1986，起）", "事故起数（起）", key="acc_type")
        widgets.caption("事故类别按《企业职工伤亡事故分类》GB 6441-1986；只列统计期内发生过的类别。点击柱子查看明细。")
        charts.drill(tev, "事故明细", lambda g: accidents(s, f.window, f.companies, type=g), key="dl_acc_type")

# ---------------------------------------------------------------- 安全生产天数
st.subheader("安全生产天数")
days = safe_days(s, f.window, f.companies)
cards = days if len(days) <= SAFE_DAYS_CARDS else pd.concat(        # many companies: the group and the fewest days
    [days.iloc[:1], days.iloc[1:].sort_values("days", kind="stable", na_position="last").head(SAFE_DAYS_CARDS - 1)])
widgets.metric_cards([dict(label=charts.short_name(r["company"]), value=widgets.fmt(r["days"], "day_count"),
                           help=f"{r['company']}：{r['note']}", delta=r["short"], delta_color="off", delta_arrow="off")
                      for r in cards.to_dict("records")], per_row=5)
if len(cards) < len(days):
    with st.expander(f"全部 {len(days) - 1} 个单位的安全生产天数"):
        charts.records_table(days.iloc[1:].rename(columns={"company": "单位", "days": "安全生产天数（天）",
                                                           "note": "说明"})[["单位", "安全生产天数（天）", "说明"]])
widgets.caption(f"截至 {f.window.as_of:%Y-%m-%d} 距该单位最近一起生产安全事故的天数（不限统计期）；"
                "没有事故记录的单位从台账最早日期起算。" + (f"单位较多：卡片为集团与天数最少的 {SAFE_DAYS_CARDS - 1} "
                                                   "个单位，全部单位见上方列表。" if len(cards) < len(days) else ""))

# ---------------------------------------------------------------- per company
st.subheader("各单位事故情况")
charts.folded_metric_table(frame(s, list(TABLE), f.window, f.companies), TABLE, ranking.accidents_worst_first,
                           "统计期内有事故的单位", ranking.ACCIDENT_ORDER_TEXT, quiet_text="统计期内无事故",
                           file_name="各单位事故情况.xlsx", key="dl_acc_company")
widgets.metric_caption(["late_reports", "four_no_open"], f)

# ---------------------------------------------------------------- 四不放过 and 迟报
st.subheader("“四不放过”未闭环的事故")
open_items = accidents(s, f.window, f.companies, only="four_no_open")
if open_items.empty:
    st.success("统计期内的事故“四不放过”均已闭环。", icon=":material/verified:")
else:
    charts.records_table(open_items[["单位", "事故编号", "发生时间", "事故等级", "四不放过", "原因查清", "责任人处理",
                                     "整改措施落实", "教训吸取"]], wrap=("四不放过",))
    widgets.download(open_items, "四不放过未闭环事故.xlsx", key="dl_acc_fourno")
widgets.caption(f"四不放过落实率＝{widgets.fmt(now['four_no_closure_rate'], 'rate')}：原因查清、责任人处理、整改措施落实、"
                "教训吸取四项均为“是”的事故占比；“否”或未填写的项列在“四不放过”列。")

st.subheader("迟报的事故")
late = accidents(s, f.window, f.companies, only="late")
if late.empty:
    st.success("统计期内没有迟报的事故。", icon=":material/verified:")
else:
    charts.records_table(late[["单位", "事故编号", "发生时间", "上报时间", "上报用时（分钟）", "事故类别", "事故等级"]])
widgets.caption("迟报＝上报时间晚于事故发生时间 1 小时以上（条例要求事故单位负责人 1 小时内报告）。")

st.subheader("事故明细")
all_rows = accidents(s, f.window, f.companies)
if all_rows.empty:
    widgets.empty_note("生产安全事故")
else:
    charts.records_table(all_rows[LIST_COLUMNS], wrap=("四不放过",))
    widgets.download(all_rows, "生产安全事故明细.xlsx", key="dl_acc_all")
widgets.caption("发生时间在统计期内的全部事故，最新的在前；下载的 Excel 含事故简要经过。", f)
