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

tab_t, tab_i = st.tabs(["安全教育培训", "安全生产投入"])
with tab_t:
    if not (now["training_planned"] or now["training_attended"]):
        st.info(f"统计期（{f.label}）内所选单位没有培训记录：没有可画的培训人次与完成率。",
                icon=":material/info:")
    else:
        bars, rest = ranking.fold_rate_rows(companies, "training_planned", "training_attended", "training_completion",
                                            charts.TOP_N)
        ev = charts.planned_actual_bars(bars, "company", "training_planned", "training_attended", "training_completion",
                                        "各单位培训人次与培训完成率" + charts.fold_note(rest, "培训完成率"), key="tr_company")
        widgets.metric_caption(["training_completion"], f)
        charts.fold_caption(rest, "培训完成率最低的在前（相同时应参训人次多的在前）")
        charts.drill(ev, "培训记录", lambda g: training(s, f.window, charts.members(g, rest)), key="dl_tr_company")
        charts.company_rate_bars(companies, ["training_completion", "training_pass_rate"], "各单位培训完成率与合格率")
        widgets.metric_caption(["training_completion", "training_pass_rate"], f)
        widgets.caption("“—”表示统计期内该单位没有培训记录（不是 0%）。")

        ev_m = charts.planned_actual_bars(group_months, "月份", "training_planned", "training_attended",
                                          "training_completion", "每月培训人次与培训完成率（所选单位合计）", key="tr_month")
        widgets.caption("培训日期在该月的培训；没有培训的月份人次为 0、完成率空缺。点击柱子查看该月培训记录。")
        charts.drill(ev_m, "培训记录", lambda g: training(s, f.window.month(g), f.companies), key="dl_tr_month")

with tab_i:
    if not (now["investment_planned"] or now["investment_actual"]):
        st.info(f"统计期（{f.label}）内所选单位没有安全生产投入记录：没有可画的计划与实际投入。",
                icon=":material/info:")
    else:
        bars, rest = ranking.fold_rate_rows(companies, "investment_planned", "investment_actual", "investment_completion",
                                            charts.TOP_N)
        ev = charts.planned_actual_bars(bars, "company", "investment_planned", "investment_actual", "investment_completion",
                                        "各单位计划与实际安全投入（万元）" + charts.fold_note(rest, "安全投入完成率"),
                                        key="inv_company")
        widgets.metric_caption(["investment_planned", "investment_actual", "investment_completion"], f)
        charts.fold_caption(rest, "安全投入完成率最低的在前（相同时计划投入多的在前）")
        charts.drill(ev, "安全投入明细", lambda g: investment(s, f.window, charts.members(g, rest)), key="dl_inv_company")

        ev_m = charts.planned_actual_bars(group_months, "月份", "investment_planned", "investment_actual",
                                          "investment_completion", "每月计划与实际安全投入（所选单位合计，万元）", key="inv_month")
        widgets.caption("月份的第一天在统计期内的投入；没有投入的月份为 0。点击柱子查看该月投入明细。")
        charts.drill(ev_m, "安全投入明细", lambda g: investment(s, f.window.month(g), f.companies), key="dl_inv_month")

st.subheader("各单位汇总")
charts.folded_metric_table(per_company, TRAINING + INVEST, ranking.training_worst_first, "培训完成率最低的单位",
                           ranking.TRAINING_ORDER_TEXT)
table = per_company.rename(columns={"company": "单位", **{m: BY_NAME[m].label for m in TRAINING + INVEST}})
widgets.download(table, "培训与投入汇总.xlsx", key="dl_ti_table")
widgets.metric_caption(list(TRAINING + INVEST), f)
