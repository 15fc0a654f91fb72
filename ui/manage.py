"""Pieces of 数据上传 that need a role or a bound: the registry panel (管理) and the annotated error workbook."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import companies as reg
from analytics.access import actions
from analytics.access.roles import AccessDenied
from analytics.textnorm import safe_filename
from ui import auth

# The annotated workbook is built in the app process: only for files up to this size and error count (a rejected
# 100k-row file gets its error list, not a 95 s rebuild), and once per rejected file (cached by its sha256).
ANNOTATE_MAX_BYTES = 5 * 1024 * 1024
ANNOTATE_MAX_ERRORS = 5000


def annotated(res, data: bytes) -> tuple[bytes | None, str]:
    """(workbook bytes, file name), or (None, a Chinese note why there is none)."""
    if len(data) > ANNOTATE_MAX_BYTES or len(res.errors) > ANNOTATE_MAX_ERRORS:
        return None, (f"文件较大（{len(data) / 1048576:.1f} MB，{len(res.errors)} 处错误），不生成标注文件："
                      "请按上方错误清单修改（可在表格右上角下载清单）。")
    cache = st.session_state.setdefault("annotated", {})
    if res.sha256 not in cache:
        from analytics.ingest.annotate import annotate_workbook
        cache.clear()                      # keep only the latest file's workbook in the session
        marked, name = annotate_workbook(data, res.file, res.errors)
        cache[res.sha256] = (marked, safe_filename(name))
    return cache[res.sha256]


def registry(s) -> None:
    """The company registry: everyone with 上传 sees it; add, alias, rename, merge and retire are 管理 actions."""
    al = reg.aliases(s)
    shown = set(auth.visible(list(al)))           # a scoped account sees its own companies' rows only
    al = {k: v for k, v in al.items() if k in shown}
    st.dataframe(pd.DataFrame({"单位": list(al), "别名": ["、".join(v) for v in al.values()]}), hide_index=True)
    if not auth.can("registry"):
        st.caption("单位登记、更名、别名、合并和撤销登记需要“管理”角色。")
        return
    if done := st.session_state.pop("reg_done", None):
        st.success(done)
    me, addr, names = auth.current(), auth.address(), list(al)

    def run(fn, msg):
        try:
            fn()
            st.session_state["reg_done"] = msg
            st.rerun()
        except (reg.CompanyError, AccessDenied) as e:
            st.error(str(e))

    add, ren, mer, ret = st.tabs(["登记/别名", "更名", "合并", "撤销登记"])
    with add, st.form("reg_add"):
        name = st.text_input("单位全称（已登记的单位则为其添加别名）")
        aliases = st.text_input("别名（多个用逗号分隔）")
        if st.form_submit_button("登记"):
            run(lambda: actions.add_company(s, me, name, [a.strip() for a in aliases.replace("，", ",").split(",")
                                                           if a.strip()], addr), "已登记")
    with ren, st.form("reg_rename"):
        old = st.selectbox("单位", names, index=None, key="reg_ren_old")
        new = st.text_input("新名称（原名称保留为别名）", key="reg_ren_new")
        if st.form_submit_button("更名") and old:
            run(lambda: actions.rename_company(s, me, old, new, addr), "已更名")
    with mer, st.form("reg_merge"):
        src = st.selectbox("被合并的单位（其别名和数据并入右侧单位）", names, index=None, key="reg_mer_src")
        dst = st.selectbox("并入", names, index=None, key="reg_mer_dst")
        if st.form_submit_button("合并") and src and dst:
            run(lambda: actions.merge_companies(s, me, src, dst, addr), "已合并")
    with ret, st.form("reg_retire"):
        gone = st.selectbox("单位（数据和历史保留，不再出现在选择框中，也不再匹配上传的台账）", names, index=None,
                            key="reg_ret")
        if st.form_submit_button("撤销登记") and gone:
            run(lambda: actions.retire_company(s, me, gone, addr), "已撤销登记")
