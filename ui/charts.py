"""Chart and table builders shared by the pages (all styled by ui.theme)."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from analytics.metrics import BY_NAME

from . import theme
from .widgets import fmt


def _rag_style(v: str) -> str:
    c = {"红": theme.RED, "黄": theme.AMBER, "绿": theme.GREEN}.get(str(v).lstrip("● "), theme.GREY)
    return f"background-color: {c}; color: white; font-weight: bold; text-align: center"


def rag_table(df: pd.DataFrame, metrics: tuple[str, ...] = ("hazards_found", "rectification_rate", "on_time_rate",
                                                            "overdue_open", "major_open", "accidents", "deaths")) -> None:
    """The red/amber/green company table: colour with its word (never colour alone) and the reasons."""
    order = {"红": 0, "黄": 1, "绿": 2, "无数据": 3}
    d = df.assign(_o=df["rag"].map(order)).sort_values(["_o"], kind="stable")
    show = pd.DataFrame({"单位": d["company"], "状态": "● " + d["rag"]})
    for m in metrics:
        show[BY_NAME[m].label] = [fmt(v, BY_NAME[m].kind) for v in d[m]]
    if "breaches" in d:
        show["突破指标"] = d["breaches"].astype(int)
    show["原因"] = d["rag_reasons"].replace("", "—")
    st.dataframe(show.style.map(_rag_style, subset=["状态"]), hide_index=True, width="stretch",
                 height=min(40 + 36 * len(show), 600))


def records_table(df: pd.DataFrame, highlight_overdue: bool = False) -> None:
    df = df.copy()
    for c in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[c]):
            has_time = bool((df[c].dropna().dt.normalize() != df[c].dropna()).any())
            df[c] = df[c].dt.strftime("%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d").fillna("")
    sty = df.style
    if highlight_overdue and "逾期天数" in df:
        sty = sty.map(lambda v: f"color: {theme.RED}; font-weight: bold" if pd.notna(v) and v > 0 else "",
                      subset=["逾期天数"])
    st.dataframe(sty, hide_index=True, width="stretch", height=min(40 + 36 * len(df), 480))


def month_bars(df: pd.DataFrame, y: str, color: str | None, title: str, color_map: dict | None = None,
               barmode: str = "stack", key: str | None = None, height: int = 440, y_label: str | None = None):
    """Monthly bars; every month of the window is on the axis (empty months at zero).
    Returns the selection state when key is given (click a bar to see its records)."""
    d = df.copy()
    d["月份"] = pd.to_datetime(d["period"]).dt.strftime("%Y-%m")
    fig = px.bar(d, x="月份", y=y, color=color, barmode=barmode, color_discrete_map=color_map or {},
                 custom_data=[color] if color else None,
                 labels={y: y_label or (BY_NAME[y].label if y in BY_NAME else y), color or "": ""},
                 category_orders={"月份": sorted(d["月份"].unique())})
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=y_label or (BY_NAME[y].label if y in BY_NAME else y))
    theme.style(fig, title, height)
    if key:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points",), theme=None)
    st.plotly_chart(fig, theme=None)
    return None


def company_rate_bars(df: pd.DataFrame, rates: list[str], title: str, target: float | None = None) -> None:
    """Rates per company as horizontal bars (percent), with an optional target line."""
    fig = go.Figure()
    for i, m in enumerate(rates):
        fig.add_bar(y=df["company"], x=df[m], name=BY_NAME[m].label, orientation="h",
                    marker_color=theme.PALETTE[i], text=[fmt(v, "rate") for v in df[m]], textposition="outside",
                    hovertemplate="%{y}<br>" + BY_NAME[m].label + "：%{x:.1%}<extra></extra>")
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color=theme.RED,
                      annotation_text=f"目标 {target:.0%}", annotation_position="top")
    fig.update_layout(barmode="group", xaxis=dict(tickformat=".0%", range=[0, 1.15]),
                      yaxis=dict(autorange="reversed"))
    theme.style(fig, title, max(300, 70 * len(df) + 100))
    st.plotly_chart(fig, theme=None)


def stacked_company_bars(df: pd.DataFrame, x: str, y: str, color: str, title: str, color_map: dict) -> None:
    """Horizontal stacked bars, one per company (names stay readable on a projector)."""
    fig = px.bar(df, y=x, x=y, color=color, color_discrete_map=color_map, barmode="stack", orientation="h",
                 labels={x: "", y: "隐患数（项）", color: ""})
    fig.update_layout(yaxis=dict(autorange="reversed"))
    theme.style(fig, title, max(320, 48 * df[x].nunique() + 140))
    st.plotly_chart(fig, theme=None)
