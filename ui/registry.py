"""单位管理 pieces (issue 11): import the registry from a sheet (单位名称 / 简称或别名 / 所属板块) and set a
company's 板块. Both are 管理 actions taken through analytics.access.actions (role checked, audit row in the same
transaction); this only draws and reports in Chinese."""
from __future__ import annotations

import streamlit as st

from analytics import companies as reg
from analytics.access import actions
from analytics.access.roles import AccessDenied
from analytics.documents.templates import REGISTRY_TEMPLATE_NAME, registry_template_bytes
from ui import safe


def panel(store, user, address: str | None = None) -> None:
    with st.expander("批量导入单位登记表（单位名称 / 简称或别名 / 所属板块）", icon=":material/upload_file:"):
        st.download_button("下载单位登记表模板", registry_template_bytes(), file_name=REGISTRY_TEMPLATE_NAME,
                           key="reg_tpl", icon=":material/download:")
        up = st.file_uploader("选择单位登记表（.xlsx .xls .ods .csv）", type=["xlsx", "xls", "ods", "csv"], key="reg_file")
        if st.button("导入登记表", disabled=up is None, key="reg_import"):
            try:
                done = actions.import_registry(store, user, up.getvalue(), up.name, address)
                st.success(f"已导入 {len(done['companies'])} 个单位：新登记 {done['added']} 个，更新 {done['updated']} 个。")
            except (reg.CompanyError, AccessDenied) as e:
                st.error(f"未导入（整表不导入）：{safe.md(str(e))}")
    names = reg.list_companies(store)
    if not names:
        return
    with st.form("reg_parent"):
        st.markdown("**设置所属板块**（留空即取消板块；看板可按板块汇总并查看其下属单位）")
        c1, c2 = st.columns(2)
        who = c1.selectbox("单位", names, index=None, placeholder="选择单位", key="reg_parent_company")
        ups = reg.parents(store)
        blocks = sorted({p for p in ups.values() if p})
        parent = c2.text_input("所属板块", key="reg_parent_name",
                               placeholder=("如 " + "、".join(blocks[:3])) if blocks else "如 能源板块")
        if st.form_submit_button("保存板块"):
            if who is None:
                st.error("请选择单位")
            else:
                try:
                    actions.set_parent(store, user, who, parent, address)
                    st.success(f"已将 {safe.md(who)} 的所属板块设为：{safe.md(parent.strip()) or '（无）'}")
                except (reg.CompanyError, AccessDenied) as e:
                    st.error(safe.md(str(e)))
