"""账户 — log in (built-in account or single sign-on), change the password, log out."""
import streamlit as st

from analytics.access import users
from ui import auth, safe, state

state.ensure_router()      # opened by its URL first: leave Streamlit's legacy pages/ mode

s = state.store()
st.title("账户", anchor=False)
u = auth.current()

if u is None:
    if err := st.session_state.pop("sso_error", None):
        st.error(err)
    if not users.has_admin(s):
        st.warning("尚未创建管理账户。请在服务器上运行：`python -m analytics users add 用户名 --role 管理`，"
                   "按提示设置初始密码后在此登录（首次登录须修改密码）。", icon=":material/admin_panel_settings:")
    with st.form("login"):
        name = st.text_input("用户名", key="login_user")
        pw = st.text_input("密码", type="password", key="login_password")
        if st.form_submit_button("登录", type="primary"):
            if err := auth.log_in(name, pw):
                st.error(err)
            else:
                st.rerun()
    if auth.sso_configured():
        st.button("使用统一身份认证登录", key="login_sso", on_click=st.login, icon=":material/key:")
    st.stop()

st.markdown(f"当前用户：**{safe.md(u.label)}**　角色：**{u.role}**"
            + (f"　范围：{safe.md(u.scope_label)}" if u.companies else ""))
if u.kind == "password":
    if auth.must_change_password():
        st.warning("这是初始密码或管理员重置的密码，请先修改密码，之后才能使用其他功能。", icon=":material/password:")
    with st.form("pw_change", clear_on_submit=True):
        old = st.text_input("原密码", type="password", key="pw_old")
        new = st.text_input("新密码（至少 8 位，含字母和数字）", type="password", key="pw_new")
        again = st.text_input("再次输入新密码", type="password", key="pw_again")
        if st.form_submit_button("修改密码"):
            if new != again:
                st.error("两次输入的新密码不一致")
            else:
                try:
                    users.change_password(s, u.username, old, new, auth.address())
                    auth.password_changed()
                    st.session_state["pw_done"] = True
                    st.rerun()
                except users.UserError as e:
                    st.error(str(e))
    if st.session_state.pop("pw_done", False):
        st.success("密码已修改。")
if st.button("退出登录", key="logout"):
    auth.log_out()
    st.rerun()
