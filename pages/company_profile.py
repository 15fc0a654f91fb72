"""单位画像 — everything about one company on one page: its red/amber/green status and reasons, its figures
against the same period last year and against the group, monthly trends, its indicators, what needs a
question (需要关注), and its open problems with the records behind them."""
import streamlit as st

from analytics.figures import anomalies
from analytics.figures.accidents import safe_days
from analytics.figures.assessment import indicator_table, year_status
from analytics.figures.metrics import compute, frames
from analytics.figures.profile import comparison, monthly
from analytics.figures.scorecard import company_table
from ui import auth, charts, safe, state, widgets

KPIS = ("hazards_found", "rectification_rate", "on_time_rate", "overdue_open", "major_open", "accidents", "deaths")

f = state.filters()
s = state.store()
names = auth.visible(state.registered(s))
if not names:
    widgets.empty_note("登记的单位")
    st.stop()
preferred = f.companies[0] if f.companies else None
company = st.selectbox("选择单位", names, index=names.index(preferred) if preferred in names else 0, key="pf_company")
ly = f.last_year

frames(s, KPIS, [f.window, ly], [company])      # both periods by one query (the company table's rows, the KPIs)
now_row = company_table(s, f.window, [company]).set_index("company").loc[company]
ly_row = company_table(s, ly, [company]).set_index("company").loc[company]
st.markdown(f"# {safe.md(company)} {widgets.rag_badge(now_row['rag'], '0.8em')}", unsafe_allow_html=True, anchors=False)
reasons = safe.md(now_row["rag_reasons"] or "以上规则均未触发")
also = f"（另：{safe.md(now_row['rag_also'])}）" if now_row["rag_also"] else ""
st.markdown(f"**判定原因**：{reasons}{also}　　**上年同期**：{widgets.rag_badge(ly_row['rag'])}",
            unsafe_allow_html=True)
widgets.caption(f"红黄绿规则与“总览”页相同；上年同期为 {ly.start:%Y-%m-%d}—{ly.end:%Y-%m-%d}。", f)

values = compute(s, f.window, [company], KPIS)["companies"][company]
before = compute(s, ly, [company], KPIS)["companies"][company]
widgets.kpi_row(values, list(KPIS), before)
days = safe_days(s, f.window, [company]).iloc[-1]
st.caption(f"安全生产天数：**{widgets.fmt(days['days'], 'day_count')}**（{days['note']}）")

# ---------------------------------------------------------------- against last year and the group
st.subheader("与上年同期、与集团对比")
charts.comparison_table(comparison(s, f.window, ly, company))
widgets.caption("集团＝全部登记单位的合计（比率按集团全部记录计算，不是各单位比率的平均）；集团内排名 1＝最好"
                "（比率越高越好，逾期、事故等越少越好；排查数量不排名；数值相同者名次相同，注明几家并列）；同比箭头绿色＝好转、红色＝变差。", f)

left, right = st.columns(2)
with left:
    found = monthly(s, "hazards_found", f.window, ly, company)
    charts.compare_bars(found, "月份", {"本单位": "本期", "上年同期": "上年同月"},
                        f"每月排查隐患（{f.window.start:%Y年}起，项）", "隐患数（项）")
    widgets.metric_caption(["hazards_found"])
with right:
    rate = monthly(s, "rectification_rate", f.window, ly, company)
    charts.month_lines(rate, "月份", {"本单位": "本单位", "集团": "集团", "上年同期": "本单位上年同月"},
                       f"每月隐患整改率（{f.window.start:%Y年}起）", dash={"上年同期": "dot"})
    widgets.caption("每月发现的隐患中、到该月末（或截止日）已整改的占比；没有隐患的月份无点。")

# ---------------------------------------------------------------- indicators
st.subheader(f"目标责任书指标（{f.window.end.year} 年度）")
ind = indicator_table(year_status(s, f.window.end.year, f.window.as_of, [company]))
if ind.empty:
    st.info(f"{safe.md(company)} 没有 {f.window.end.year} 年度的目标责任书指标。", icon=":material/info:")
else:
    charts.records_table(ind.drop(columns=["单位"]))
widgets.caption("状态按台账计算值（无法计算时按填报完成值）判定；突破＝≤ 类控制指标被超出。")

# ---------------------------------------------------------------- needs a question
st.subheader("需要关注")
flags = anomalies.find(s, f.window, [company])
if flags.empty:
    st.success("统计期内没有需要关注的报送情况。", icon=":material/verified:")
else:
    charts.records_table(flags[["类型", "时间", "情况说明"]], wrap=("情况说明",))
    widgets.download(flags, f"{company}_需要关注.xlsx", key="dl_pf_flags")
with st.container(border=True):
    st.markdown("**判定规则**")
    widgets.flag_rules(anomalies.RULES)

# ---------------------------------------------------------------- open problems
st.subheader("问题明细")
charts.behind_row_section(s, f.window, company, f"{company}_问题明细.xlsx", "下载问题明细（Excel）", "dl_pf_sheets")

# ---------------------------------------------------------------- 通报 (the Word document is built on click)
from analytics.documents.bulletin import MIME, bulletin, bulletin_docx, bulletin_name  # noqa: E402
from analytics.documents.pdf import PDF_MIME, render_pdf  # noqa: E402

st.subheader("通报")
c1, c2 = st.columns(2)
with c1:
    widgets.download_file("下载通报（Word）", lambda s=s, c=company, w=f.window: bulletin_docx(s, c, w)[0],
                          bulletin_name(company, f.window), MIME, "dl_pf_bulletin", ":material/description:")
with c2:
    widgets.download_file("下载通报（PDF）", lambda s=s, c=company, w=f.window: render_pdf(bulletin(s, c, w)),
                          bulletin_name(company, f.window).removesuffix(".docx") + ".pdf", PDF_MIME, "dl_pf_bulletin_pdf",
                          ":material/picture_as_pdf:")
widgets.caption("集团公司安全环保部致本单位的安全生产情况通报：总体情况（红黄绿及同比）、隐患排查治理、生产安全事故、"
                "培训与投入、目标责任书指标、需要关注的问题、整改要求；数字与本页相同。", f)
