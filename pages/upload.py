"""数据上传 — upload many ledgers at once, see every error of a rejected file, history with revert,
报送情况, and the company registry."""
import time

import streamlit as st

from analytics import companies as reg
from analytics.figures import cache
from analytics.store.history import batch_changes, batch_issues, batches, submission_matrix
from analytics.ingest.pipeline import STATUS_LABELS
from analytics.ledgers import LEDGERS
from analytics.ingest.load import RevertError
from analytics.access import actions
from analytics.documents.templates import template_bytes
from ui import auth, manage, registry, safe, state, widgets

me = auth.require("upload")      # server-side: the page stops here for anyone below 上传
f = state.filters()
s = state.store()
st.title("台账数据上传", anchor=False)
visible = auth.visible(reg.list_companies(s))       # a scoped account: its companies' batches, months, registry rows
tab_up, tab_hist, tab_sub, tab_reg = st.tabs(["上传台账", "上传记录与撤销", "报送情况", "单位管理"])

with tab_up:
    files = st.file_uploader("选择台账文件（可多选）：.xlsx .xlsm .xls .ods .csv", accept_multiple_files=True,
                             type=["xlsx", "xlsm", "xls", "ods", "csv"], key="up_files")
    st.caption(f"每个文件最大 {st.get_option('server.maxUploadSize')} MB。上传人：{safe.md(me.label)}（当前登录用户）")
    c2, c3 = st.columns(2)
    company = c2.selectbox("文件中未写明单位时，归属单位", visible, index=None, key="up_company",
                           placeholder="（按文件内容识别）")
    period = c3.text_input("报送期间（可选，YYYY-MM）", key="up_period", placeholder="如 2026-10")
    b1, b2 = st.columns([1, 5])
    preview = b1.button("预览改动（不导入）", disabled=not files, key="up_preview")
    go = b2.button("导入", type="primary", disabled=not files, key="up_go")
    if preview or go:
        bar = st.progress(0.0, text="准备中…")
        results = []
        for k, uf in enumerate(files):
            shown = lambda f, what, k=k, name=uf.name, t0=time.monotonic(): bar.progress(  # noqa: E731
                min((k + f) / len(files), 1.0),
                text=f"{name}（{k + 1}/{len(files)}）：{what} {f:.0%}（已用 {time.monotonic() - t0:.0f} 秒）")
            data = uf.getvalue()
            res = actions.upload(s, auth.current(), data, uf.name, company=company, period=period or None,
                                 address=auth.address(), dry_run=preview, progress=shown)
            results.append((res, data if res.status == "rejected" else None))   # kept only to annotate a rejection
        bar.empty()
        st.session_state["up_results"] = results
        if any(res.status == "loaded" for res, _ in st.session_state["up_results"]):
            cache.rewarm(s)  # the figures last shown, recomputed meanwhile for the new data
            st.rerun()       # the data changed: redraw from the top (the 演示数据 banner, the history), results kept
    for i, (res, data) in enumerate(st.session_state.get("up_results", [])):
        box = {"loaded": st.success, "duplicate": st.info, "preview": st.info}.get(res.status, st.error)
        box(f"**{safe.md(res.file)}**：{STATUS_LABELS[res.status]}。{safe.md(res.message)}")
        changes = widgets.changes_view(res.diffs)
        if len(changes):
            st.markdown(f"**{safe.md(res.file)}** {'将修改' if res.status == 'preview' else '修改了'}以下记录（原值 → 新值）：")
            st.dataframe(changes, hide_index=True, width="stretch")
        if res.errors:
            if any(e.sheet or e.row for e in res.errors) or any(e.message not in res.message for e in res.errors):
                st.dataframe(widgets.issues_view(res.errors), hide_index=True, width="stretch")   # else: said above
            if res.status == "rejected" and any(e.row for e in res.errors):
                marked, name = manage.annotated(res, data)     # built once per rejected file
                if marked is None:
                    st.caption(name)
                else:
                    st.download_button("下载标注了错误的原文件（红色单元格附批注），改正后重新上传", marked, file_name=name,
                                       key=f"annot_{i}", icon=":material/download:")
        if res.warnings:
            with st.expander(f"{safe.md(res.file)} 的 {len(res.warnings)} 条警告（不影响导入）"):
                st.dataframe(widgets.issues_view(res.warnings), hide_index=True, width="stretch")
    st.divider()
    st.markdown("**标准台账模板**（含下拉选项、日期格式和填表说明）")
    with st.container(horizontal=True):          # each button as wide as its name (none cut off)
        for lg in LEDGERS.values():
            st.download_button(lg.label, template_bytes(lg.name), file_name=f"{lg.label}模板.xlsx", key=f"tpl_{lg.name}",
                               icon=":material/download:", width="content")

with tab_hist:
    if done := st.session_state.pop("rv_done", None):
        st.success(done)
    hist = batches(s)
    if me.scoped:
        hist = hist[hist["company"].map(lambda c: all(x in visible for x in str(c).split("、")))]   # wholly theirs
    if hist.empty:
        st.info("还没有上传记录。")
    else:
        st.dataframe(widgets.history_view(hist), hide_index=True, width="stretch")
        loaded = hist[hist["status"] == "loaded"]
        pick = st.selectbox("选择要撤销的批次", loaded["id"].tolist()[::-1], index=None, key="rv_pick",
                            format_func=lambda i: widgets.batch_label(hist, i), placeholder="选择批次")
        if pick is not None:
            changed = batch_changes(s, pick)
            if len(changed):
                st.markdown("该批次修改的记录（原值 → 新值）：")
                st.dataframe(widgets.batch_changes_view(changed), hide_index=True, width="stretch")
            issues = batch_issues(s, pick)
            if len(issues):
                st.dataframe(issues.rename(columns=widgets.ISSUE_COLUMNS), hide_index=True)
            sure = st.checkbox("确认撤销：该批次的数据将被移除，此前的数据恢复", key="rv_sure")
            if st.button("撤销该批次", disabled=not sure, key="rv_go"):
                try:
                    b = actions.revert(s, auth.current(), int(pick), auth.address())
                    st.session_state["rv_done"] = f"已撤销批次 {b['id']}（{b['file']}），此前的数据已恢复。"
                    cache.rewarm(s)
                    st.rerun()   # redraw from the top: the history shows it 已撤销, the banner is up to date
                except (RevertError, auth.AccessDenied) as e:
                    st.error(str(e))

with tab_sub:
    sub = submission_matrix(s, f.window.start, f.window.end)
    st.dataframe(sub[sub["单位"].isin(visible)], hide_index=True, width="stretch")
    widgets.caption("每月收到的台账（隐患、事故、培训、投入）；“未报送”表示该单位该月没有任何有效批次覆盖。", f)

with tab_reg:
    manage.registry(s)
    if auth.can("registry"):          # 板块 and the registry import are 管理 actions too
        registry.panel(s, me, auth.address())
