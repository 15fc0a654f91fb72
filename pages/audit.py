"""审计日志 — who did what, when, from where (管理 only); filters and a CSV download."""
import datetime as dt

import streamlit as st

from analytics.access import audit
from ui import auth, charts, state, widgets

state.ensure_router()      # opened by its URL first: leave Streamlit's legacy pages/ mode

auth.require("audit")
s = state.store()
st.title("审计日志", anchor=False)
c1, c2, c3, c4 = st.columns(4)
today = dt.date.today()
span = c1.date_input("日期", value=(today - dt.timedelta(days=30), today), key="au_range", format="YYYY-MM-DD")
start, end = (span if isinstance(span, (list, tuple)) and len(span) == 2 else (None, None))
actors = audit.actors(s)
actor = c2.selectbox("操作人", actors, index=None, key="au_actor", placeholder="全部")
action = c3.selectbox("操作", list(audit.ACTIONS), index=None, key="au_action", placeholder="全部",
                      format_func=lambda a: audit.ACTIONS[a])
outcome = c4.selectbox("结果", [audit.OK, audit.FAILED, audit.DENIED], index=None, key="au_outcome", placeholder="全部")
df = audit.trail_view(audit.trail(s, start=start, end=end, actor=actor, action=action, outcome=outcome))
st.caption(f"共 {len(df)} 条；审计日志只追加，不可修改或删除。")
charts.records_table(df)      # an empty cell (no 来源地址) blank, long trails capped with their total
widgets.download(df, "审计日志.xlsx", key="au_dl")     # formula-safe: a target such as “=HYPERLINK(…)” stays text
