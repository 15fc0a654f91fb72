"""培训与投入 — training completion and pass rates, planned vs actual safety investment, per company and per
month; click a bar for the ledger rows behind it."""
import streamlit as st

from analytics.figures import ranking
from analytics.figures.metrics import BY_NAME, GROUP, compute, frame
from analytics.figures.records import investment, training
from ui import charts, state, widgets

TRAINING = ("training_planned", "training_attended", "training_passed", "training_completion", "training_pass_rate")
INVEST = ("investment_planned", "investment_actual", "investment_completion")

f = state.filters()
s = state.store()
state.require_companies()
st.title("安全教育培训与安全生产投入", anchor=False)

now = compute(s, f.window, f.companies, TRAINING + INVEST)["group"]
before = compute(s, f.last_year, f.companies, TRAINING + INVEST)["group"]
st.markdown("##### 安全教育培训")
widgets.kpi_row(now, list(TRAINING), before)
st.markdown("##### 安全生产投入")
widgets.kpi_row(now, list(INVEST), before)
widgets.caption("箭头为与上年同期相比。", f)

per_company = frame(s, list(TRAINING + INVEST), f.window, f.companies)
companies = per_company[per_company["company"] != GROUP]
monthly = frame(s, list(TRAINING + INVEST), f.window, f.companies, freq="month")
group_months = monthly[monthly["company"] == GROUP].assign(月份=lambda d: d["period"].astype(str).str[:7])


def planned_actual_tab(t: dict) -> None:
    """One tab (TABS): by company — the worst first, the rest folded into one bar — and by month, each bar
    clickable for the ledger rows behind it; a ledger without rows in the period says so instead of zero bars."""
    planned, actual, rate, key = t["planned"], t["actual"], t["rate"], t["key"]
    if not (now[planned] or now[actual]):
        st.info(f"统计期（{f.label}）内所选单位没有{t['ledger']}记录：没有可画的{t['nothing']}。", icon=":material/info:")
        return
    bars, rest = ranking.fold_rate_rows(companies, planned, actual, rate, charts.TOP_N)
    ev = charts.planned_actual_bars(bars, "company", planned, actual, rate,
                                    t["by_company"] + charts.fold_note(rest, BY_NAME[rate].label), key=f"{key}_company",
                                    fold=charts.fold_label(len(rest)) if rest else None)
    widgets.metric_caption(t["captions"], f)
    charts.fold_caption(rest, t["order"])
    charts.drill(ev, t["rows_title"], lambda g: t["rows"](f.window, charts.members(g, rest)), key=f"dl_{key}_company")
    if t.get("between"):
        t["between"]()                      # 培训: the completion and pass rates by company
    ev_m = charts.planned_actual_bars(group_months, "月份", planned, actual, rate, t["by_month"], key=f"{key}_month")
    widgets.caption(t["month_note"])
    charts.drill(ev_m, t["rows_title"], lambda g: t["rows"](f.window.month(g), f.companies), key=f"dl_{key}_month")


def training_rates() -> None:
    charts.company_rate_bars(companies, ["training_completion", "training_pass_rate"], "各单位培训完成率与合格率")
    widgets.metric_caption(["training_completion", "training_pass_rate"], f)
    widgets.caption("“—”表示统计期内该单位没有培训记录（不是 0%）。")


TABS = {
    "安全教育培训": dict(
        key="tr", between=training_rates, planned="training_planned", actual="training_attended", rate="training_completion",
        ledger="培训", nothing="培训人次与完成率", rows_title="培训记录", rows=lambda w, c: training(s, w, c),
        by_company="各单位培训人次与培训完成率", captions=["training_completion"],
        order="培训完成率最低的在前（相同时应参训人次多的在前）",
        by_month="每月培训人次与培训完成率（所选单位合计）",
        month_note="培训日期在该月的培训；没有培训的月份人次为 0、完成率空缺。点击柱子查看该月培训记录。"),
    "安全生产投入": dict(
        key="inv", planned="investment_planned", actual="investment_actual", rate="investment_completion",
        ledger="安全生产投入", nothing="计划与实际投入", rows_title="安全投入明细",
        rows=lambda w, c: investment(s, w, c), by_company="各单位计划与实际安全投入（万元）",
        captions=["investment_planned", "investment_actual", "investment_completion"],
        order="安全投入完成率最低的在前（相同时计划投入多的在前）",
        by_month="每月计划与实际安全投入（所选单位合计，万元）",
        month_note="月份的第一天在统计期内的投入；没有投入的月份为 0。点击柱子查看该月投入明细。"),
}
for tab, t in zip(st.tabs(list(TABS)), TABS.values()):
    with tab:
        planned_actual_tab(t)

st.subheader("各单位汇总")
charts.folded_metric_table(per_company, TRAINING + INVEST, ranking.training_worst_first, "培训完成率最低的单位",
                           ranking.TRAINING_ORDER_TEXT)
table = per_company.rename(columns={"company": "单位", **{m: BY_NAME[m].label for m in TRAINING + INVEST}})
widgets.download(table, "培训与投入汇总.xlsx", key="dl_ti_table")
widgets.metric_caption(list(TRAINING + INVEST), f)
