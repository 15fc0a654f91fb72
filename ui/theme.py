"""The one chart theme: CJK fonts, a colour-blind-safe palette (Okabe–Ito), fixed colours for
hazard level, rectification status and red/amber/green, large type readable from the back of
a meeting room. Every plotly figure of the app goes through `style()`."""
from __future__ import annotations

import json

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
INDICATOR_STATUS_COLORS = {"达标": GREEN, "未达标": RED, "无数据": GREY, "突破": "#8B0000"}  # 突破 = a ≤ indicator exceeded
AGEING_COLORS = {"0–30天": AMBER, "31–90天": RED, ">90天": "#7F2704"}

pio.templates["safety"] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=16, color="#222"),
        title=dict(font=dict(size=20), x=0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(showgrid=False, linecolor="#888", ticks="outside", tickfont=dict(size=15), automargin=True,
                   title=dict(standoff=14)),
        yaxis=dict(gridcolor="#e5e5e5", zerolinecolor="#888", tickfont=dict(size=15), rangemode="tozero",
                   automargin=True, title=dict(standoff=12), ticklabelstandoff=6),
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0, font=dict(size=15), title=None),
        margin=dict(l=70, r=20, t=60, b=40),
        hoverlabel=dict(font=dict(family=FONT, size=15)),
        separators=".,",
    )
)

pio.templates.default = "plotly_white+safety"      # px figures take the palette when they are built


ANOMALY_COLORS = {"零隐患上报": "#CC79A7", "隐患数骤降": "#E69F00", "重复隐患": "#0072B2", "台账未报送": "#999999"}
REFERENCE = "#888888"               # a reference line (100 %): grey, dotted, never a status colour
BETTER, WORSE = GREEN, RED          # the colour of an arrow against last year (the arrow itself carries the direction)


def style(fig: go.Figure, title: str | None = None, height: int = 420, large: bool = False) -> go.Figure:
    """The one theme. large=True is the projector size of 会议模式 (bigger type, thicker bars' text)."""
    from ui import safe
    fig.update_layout(template="safety", height=height)
    if title:
        fig.update_layout(title=safe.label(title))
    safe.figure(fig)                    # ledger text in labels is text, never a link or markup
    if large:
        fig.update_layout(font=dict(size=22), title=dict(font=dict(size=28)),
                          legend=dict(font=dict(size=22), y=1.02, yanchor="bottom", x=1, xanchor="right"),
                          hoverlabel=dict(font=dict(size=22)), margin=dict(t=90))
        fig.update_xaxes(tickfont=dict(size=22))
        fig.update_yaxes(tickfont=dict(size=22))
    return fig


# Every page (app.py, st.html): Chinese text in the Simplified Chinese face whatever the browser's language,
# KPI labels and their 同比 lines wrap instead of being cut to "直接经济…", a little more width for the tables.
LANG_JS = '<script>document.documentElement.lang = "zh-CN";</script>'


def chart_prefetch_js() -> str:
    """A script that loads Streamlit's chart code (plotly.js, a 4.7 MB module its frontend fetches and compiles only
    when a page first shows a chart: 1–2 s on the first chart page of a session) once the first page is drawn and
    the browser is idle, so that opening a chart page costs only its own drawing. The module is imported by the URL
    the frontend itself uses (next to its index script), so the frontend's import then finds it loaded. Empty when
    this Streamlit has no such module."""
    import streamlit
    from pathlib import Path
    js = Path(streamlit.__file__).parent / "static" / "static" / "js"
    names = sorted(p.name for p in js.glob("PlotlyChart.*.js"))
    if not names:
        return ""
    return """<script>
if (!window.__safetyChartsPrefetched) {
  window.__safetyChartsPrefetched = true;
  const names = %s;
  const load = () => {
    const index = [...document.querySelectorAll('script[src]')].find(s => /\/static\/js\/index\.[^/]+\.js/.test(s.src));
    if (index) names.forEach(n => import(new URL(n, index.src).href).catch(() => {}));
  };
  const idle = () => (window.requestIdleCallback || (f => setTimeout(f, 200)))(load, {timeout: 5000});
  const drawn = () => {       // the first page's run over and its title drawn (the server's first run draws none)
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testConnectionState === 'CONNECTED' && app.dataset.testScriptState === 'notRunning'
      && document.querySelector('[data-testid="stMain"] h1, [data-testid="stMain"] h2')
      && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]')
      && [...document.querySelectorAll('[data-testid="stDataFrame"]')]
           .every(d => d.querySelector('canvas') && d.querySelector('table[role="grid"] thead th'));
  };
  let calm = 0;               // drawn on two checks in a row, half a second apart: never in the way of the page
  const wait = () => (calm = drawn() ? calm + 1 : 0) >= 2 ? idle() : setTimeout(wait, 250);
  wait();
}
</script>""" % json.dumps(names)


CHART_PREFETCH_JS = chart_prefetch_js()
APP_CSS = """<style>
div[data-testid="stMainBlockContainer"] { padding-left: 3rem !important; padding-right: 3rem !important; }
[data-testid="stMetricLabel"] { height: auto !important; min-height: 1.5rem; }
[data-testid="stMetricLabel"] .stMarkdownEllipsis, [data-testid="stMetricLabel"] p,
[data-testid="stMetricDelta"] .stMarkdownEllipsis, [data-testid="stMetricDelta"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricDelta"] { height: auto !important; }
[data-testid="stMetricDelta"] p { word-break: keep-all; }     /* “+0.1 个百分点 同比” breaks at its spaces only */
/* st.table: a cell's text uses the whole cell (Streamlit caps its inner block at 400 px: a sentence wrapped at a
   third of a wide column) */
div[data-testid="stTable"] td > div[data-testid="stMarkdownContainer"],
div[data-testid="stTable"] th > div[data-testid="stMarkdownContainer"] { max-width: none !important; }
/* st.table inside st.container(key="nowrap_…"): a cell keeps the white-space of its Styler CSS (one line for
   names, heads and figures; the reasons say white-space: normal) instead of wrapping anywhere */
div[class*="st-key-nowrap_"] td > div[data-testid="stMarkdownContainer"],
div[class*="st-key-nowrap_"] th > div[data-testid="stMarkdownContainer"],
div[class*="st-key-nowrap_"] td > div[data-testid="stMarkdownContainer"] p,
div[class*="st-key-nowrap_"] th > div[data-testid="stMarkdownContainer"] p { white-space: inherit; }
</style>"""

# Page-level CSS (st.html). Projector mode: no sidebar, no header chrome, large type, one topic per screen.
MEETING_CSS = """<style>
section[data-testid="stSidebar"], div[data-testid="stSidebarCollapsedControl"], button[data-testid="stExpandSidebarButton"],
div[data-testid="collapsedControl"], header[data-testid="stHeader"], div[data-testid="stToolbar"] { display: none !important; }
div[data-testid="stMainBlockContainer"], .block-container { padding: 1.2rem 2rem 2rem 2rem !important;
  max-width: 100% !important; }
.stApp h2 { font-size: 2.6rem !important; }
.stApp h2 small { font-size: 1.6rem; color: #555; font-weight: normal; margin-left: 1rem; }
.stApp h4 { font-size: 1.7rem !important; }
div.stMarkdown p, div.stMarkdown li { font-size: 1.5rem; line-height: 1.5; }
div[data-testid="stCaptionContainer"] p { font-size: 1.1rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.35rem !important; }
.stApp button p, div[data-testid="stToggle"] p { font-size: 1.25rem !important; }
div[data-testid="stMetricValue"] p { font-size: 3.8rem !important; line-height: 1.15 !important; font-weight: 600; }
div[data-testid="stMetricDelta"] div, div[data-testid="stMetricDelta"] p { font-size: 1.2rem !important; }
div[data-testid="stTable"] table { font-size: 1.35rem; }
div[data-testid="stTable"] th { font-size: 1.15rem; }
div[data-testid="stTable"] td, div[data-testid="stTable"] th { padding: 0.3rem 0.6rem !important; line-height: 1.35;
  max-width: none !important; }
div[data-testid="stAlert"] p { font-size: 1.6rem; }
</style>"""
