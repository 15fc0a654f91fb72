"""用户管理 — accounts, roles, company scope, and the access settings (管理 only)."""
import streamlit as st

from analytics import companies as reg
from analytics.access import roles, settings, users
from ui import auth, state

state.ensure_router()      # opened by its URL first: leave Streamlit's legacy pages/ mode

me = auth.require("users")
s = state.store()
st.title("用户管理", anchor=False)
st.dataframe(users.list_users(s).rename(columns={
    "username": "用户名", "display_name": "姓名", "role": "角色", "companies": "限定单位", "kind": "方式", "disabled": "已停用",
    "must_change": "须改密码", "failed_logins": "连续失败", "locked_until": "锁定至", "created_at": "创建", "last_login": "最近登录"}),
    hide_index=True, width="stretch")
# a scope entry is a company or a 板块 (all its companies, as the registry says at each check)
names = sorted({p for p in reg.parents(s).values() if p}) + reg.list_companies(s)


def _done(fn, msg: str) -> None:
    try:
        fn()
        st.session_state["usr_done"] = msg
        st.rerun()
    except users.UserError as e:
        st.error(str(e))


if done := st.session_state.pop("usr_done", None):
    st.success(done)
tab_add, tab_edit, tab_set = st.tabs(["添加用户", "修改、停用、重置密码", "系统设置"])
with tab_add, st.form("usr_add"):
    c1, c2 = st.columns(2)
    name = c1.text_input("用户名（统一身份认证账户填其邮箱或 subject）", key="usr_name")
    display = c2.text_input("姓名", key="usr_display")
    role = c1.selectbox("角色", roles.ROLES, key="usr_role")
    scope = c2.multiselect("限定单位或板块（不选即全部单位）", names, key="usr_scope")
    sso = st.checkbox("统一身份认证（SSO）账户，不设密码", key="usr_sso")
    pw = st.text_input("初始密码（首次登录须修改）", type="password", key="usr_pw")
    if st.form_submit_button("添加", type="primary"):
        _done(lambda: users.add_user(s, me.label, name, role, password=pw, display_name=display, companies=scope,
                                     sso=sso, address=auth.address()), f"已添加用户 {name}")
with tab_edit:
    all_users = users.list_users(s)["username"].tolist()
    who = st.selectbox("用户", all_users, index=None, key="usr_pick", placeholder="选择用户")
    if who:
        c1, c2 = st.columns(2)
        role = c1.selectbox("角色", roles.ROLES, key="usr_edit_role")
        scope = c2.multiselect("限定单位或板块", names, key="usr_edit_scope")
        if st.button("保存角色与单位", key="usr_save"):
            _done(lambda: users.update_user(s, me.label, who, role=role, companies=scope, address=auth.address()),
                  f"已修改 {who}")
        c1, c2 = st.columns(2)
        if c1.button("停用", key="usr_disable", disabled=who == me.username):
            _done(lambda: users.set_disabled(s, me.label, who, True, auth.address()), f"已停用 {who}")
        if c2.button("启用", key="usr_enable"):
            _done(lambda: users.set_disabled(s, me.label, who, False, auth.address()), f"已启用 {who}")
        pw = st.text_input("新的临时密码（用户下次登录须修改）", type="password", key="usr_reset_pw")
        if st.button("重置密码", key="usr_reset"):
            _done(lambda: users.reset_password(s, me.label, who, pw, auth.address()), f"已重置 {who} 的密码")
with tab_set:
    need = st.toggle(settings.SETTINGS["view_requires_login"][1], value=settings.flag(s, "view_requires_login"),
                     key="set_view_login", help="关闭时，未登录者可查看会议看板（如会议室大屏）；上传、撤销与管理始终需要登录。")
    if need != settings.flag(s, "view_requires_login"):
        settings.set_value(s, me, "view_requires_login", need, auth.address())
        st.session_state["usr_done"] = "设置已保存"
        st.rerun()
