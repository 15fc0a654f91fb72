"""The one chart theme: CJK fonts, a colour-blind-safe palette (Okabe–Ito), fixed colours for
hazard level, rectification status and red/amber/green, large type readable from the back of
a meeting room. Every plotly figure of the app goes through `style()`."""
from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, WenQuanYi Micro Hei, sans-serif"

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000", "#999999"]

RED, AMBER, GREEN, GREY = "#D55E00", "#E69F00", "#009E73", "#999999"
RAG_COLORS = {"红": RED, "黄": AMBER, "绿": GREEN, "无数据": GREY}
LEVEL_COLORS = {"一般": "#56B4E9", "重大": RED}
STATUS_COLORS = {"已整改": GREEN, "未整改": AMBER, "逾期未整改": RED}
ACCIDENT_LEVEL_COLORS = {"一般": AMBER, "较大": RED, "重大": "#8B0000", "特别重大": "#000000"}
INDICATOR_STATUS_COLORS = {"达标": GREEN, "未达标": RED, "无数据": GREY}
AGEING_COLORS = {"0–30天": AMBER, "31–90天": RED, ">90天": "#7F2704"}

pio.templates["safety"] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=16, color="#222"),
        title=dict(font=dict(size=20), x=0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(showgrid=False, linecolor="#888", ticks="outside", tickfont=dict(size=15)),
        yaxis=dict(gridcolor="#e5e5e5", zerolinecolor="#888", tickfont=dict(size=15), rangemode="tozero",
                   automargin=True),
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0, font=dict(size=15), title=None),
        margin=dict(l=70, r=20, t=60, b=40),
        hoverlabel=dict(font=dict(family=FONT, size=15)),
        separators=".,",
    )
)

pio.templates.default = "plotly_white+safety"      # px figures take the palette when they are built


def style(fig: go.Figure, title: str | None = None, height: int = 420) -> go.Figure:
    fig.update_layout(template="safety", height=height)
    if title:
        fig.update_layout(title=title)
    return fig
