"""会议材料 — the documents that leave the meeting room, each built when its button is clicked: the group 通报
and one company's 通报 (Word and PDF, same content), the meeting deck (PowerPoint) and the 16号令 隐患排查治理情况
统计分析表 (Excel) for a quarter or a year. The window is the sidebar's; every figure is the engine's."""
import streamlit as st

from analytics.documents.bulletin import MIME as DOCX_MIME, bulletin, bulletin_name, render_docx
from analytics.documents.deck import PPTX_MIME, deck_name, deck_pptx
from analytics.documents.group import bulletin_group, group_name
from analytics.documents.pdf import PDF_MIME, render_pdf
from analytics.documents.stats import MIME as XLSX_MIME, due_date, parse_period, stats_name, stats_xlsx
from ui import auth, safe, state, widgets

f = state.filters()
s = state.store()
names = auth.visible(state.registered(s))       # a scoped user: their companies only
me = auth.current()
scoped = me is not None and me.scoped
if not names:
    state.require_companies()
    st.stop()
w = f.window
st.title("会议材料")
widgets.caption("通报、会议幻灯片和统计分析表，点击按钮时按当前统计期生成（数字与各页面相同）。", f)

if scoped:     # the group 通报 and the deck speak of every company: not for an account limited to some
    st.info(f"集团通报和会议幻灯片涵盖全部单位；本账户限定于 {safe.md(me.scope_label)}，可下载本范围的单位通报和统计分析表。",
            icon=":material/lock:")
else:
    st.subheader("集团通报")
    st.caption("逐一通报各子（控）公司安全生产督查检查中发现的问题：总体情况、各单位问题、事故、突破指标、整改要求。")
    stem = group_name(w)
    c1, c2 = st.columns(2)
    with c1:
        widgets.download_file("下载集团通报（Word）", lambda: render_docx(bulletin_group(s, w)), f"{stem}.docx", DOCX_MIME,
                              "dl_doc_group_docx", ":material/description:")
    with c2:
        widgets.download_file("下载集团通报（PDF）", lambda: render_pdf(bulletin_group(s, w)), f"{stem}.pdf", PDF_MIME,
                              "dl_doc_group_pdf", ":material/picture_as_pdf:")

st.subheader("单位通报")
company = st.selectbox("单位", names, key="doc_company")
stem = bulletin_name(company, w).removesuffix(".docx")
c1, c2 = st.columns(2)
with c1:
    widgets.download_file("下载单位通报（Word）", lambda: render_docx(bulletin(s, company, w)), f"{stem}.docx", DOCX_MIME,
                          "dl_doc_company_docx", ":material/description:")
with c2:
    widgets.download_file("下载单位通报（PDF）", lambda: render_pdf(bulletin(s, company, w)), f"{stem}.pdf", PDF_MIME,
                          "dl_doc_company_pdf", ":material/picture_as_pdf:")

if not scoped:
    st.subheader("会议幻灯片")
    st.caption("16:9，一页一个议题：主要指标、红黄绿、突破指标、未整改重大隐患、事故、趋势图。生成约需 10 秒。")
    widgets.download_file("下载会议幻灯片（PowerPoint）", lambda: deck_pptx(s, w), deck_name(w), PPTX_MIME, "dl_doc_deck",
                          ":material/slideshow:")

st.subheader("隐患排查治理情况统计分析表（16号令）")
year = w.end.year
periods = [f"{year}Q{q}" for q in range(1, 5)] + [str(year), str(year - 1)]
labels = {p: parse_period(p)[1] for p in periods}
period = st.selectbox("统计期", periods, index=(w.end.month - 1) // 3, format_func=labels.get, key="doc_period")
pw, label = parse_period(period)
st.caption(f"依据安监总局令第16号第十四条：季度表于下季度第一个月15日前、年度表于次年1月31日前报送；本表应于"
           f"{due_date(pw):%Y年%m月%d日}前报送。各单位一行，集团合计按全部隐患记录计算。")
widgets.download_file("下载统计分析表（Excel）", lambda: stats_xlsx(s, pw, label, names if scoped else None)[0], stats_name(label), XLSX_MIME,
                      "dl_doc_stats", ":material/table:")
