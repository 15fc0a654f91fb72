"""Chart and table builders shared by the pages (all styled by ui.theme)."""
from __future__ import annotations

import functools
import hashlib
import html
import math
import re

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from analytics.figures import ranking
from analytics.figures.metrics import BY_NAME, GROUP
from analytics.figures.scorecard import LOWER_IS_BETTER, NEUTRAL

from . import safe, theme
from . import widgets
from .widgets import is_missing, download, due_split, due_text, fmt, table_height


def _rag_style(v: str) -> str:
    c = {"红": theme.RED, "黄": theme.AMBER, "绿": theme.GREEN}.get(str(v).lstrip("●\u00a0 "), theme.GREY)
    return f"background-color: {c}; color: white; font-weight: bold; text-align: center; white-space: nowrap"


RAG_METRICS = ("rectification_rate", "on_time_rate", "overdue_open", "major_open", "accidents",
               "deaths")


def change(name: str, value, before) -> tuple[str, str]:
    """(arrow text, 'better' | 'worse' | '') of a value against the same period last year, e.g. ("↓2.1", "worse")."""
    if value is None or before is None or value != value or before != before:
        return "", ""
    d = float(value) - float(before)
    kind = BY_NAME[name].kind if name in BY_NAME else "count"
    if abs(d) < (0.0005 if kind == "rate" else 1e-9):
        return "→", ""
    size = (f"{abs(d) * 100:.1f}" if kind == "rate" else f"{abs(d):,.2f}" if kind == "money" else
            f"{abs(d):,.1f}" if kind == "days" else f"{abs(d):,.0f}")
    good = "" if name in NEUTRAL else ("better" if (d < 0) == (name in LOWER_IS_BETTER) else "worse")
    return ("↑" if d > 0 else "↓") + size, good


def _rag_cell(v) -> str:
    return f"●\u00a0{v}" if isinstance(v, str) and v else "—"          # no-break space: one line on a projector


def rag_frame(df: pd.DataFrame, metrics: tuple[str, ...] = RAG_METRICS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The company table as shown, red first, and a same-shaped frame of CSS (status colours, arrow colours).
    With the columns of analytics.figures.scorecard.with_last_year, each figure carries its arrow against last year
    (↑/↓ and the change; green = better, red = worse) and 上年同期 shows last year's colour."""
    order = {"红": 0, "黄": 1, "绿": 2, "无数据": 3}
    d = df.assign(_o=df["rag"].map(order)).sort_values(["_o"], kind="stable").reset_index(drop=True)
    show = pd.DataFrame({"单位": d["company"], "状态": d["rag"].map(_rag_cell)})
    css = pd.DataFrame("", index=show.index, columns=show.columns)
    css["状态"] = [_rag_style(v) for v in d["rag"]]
    if "rag_ly" in d:
        show["上年同期"] = d["rag_ly"].map(_rag_cell)
        css["上年同期"] = [_rag_style(v) + "; opacity: 0.8" for v in d["rag_ly"]]
    cols = [m for m in metrics if m in d] + (["breaches"] if "breaches" in d else [])
    for m in cols:
        label = BY_NAME[m].label if m in BY_NAME else "突破指标"
        kind = BY_NAME[m].kind if m in BY_NAME else "count"
        texts, styles = [], []
        befores = d[f"{m}_ly"].tolist() if f"{m}_ly" in d else [None] * len(d)
        for v, b in zip(d[m].tolist(), befores):
            arrow, good = change(m, v, b) if b is not None else ("", "")
            texts.append(fmt(v, kind) + (f"\u00a0{arrow}" if arrow and arrow != "→" else ""))
            styles.append({"better": f"color: {theme.BETTER}", "worse": f"color: {theme.WORSE}; font-weight: bold"}
                          .get(good, ""))
        show[label], css[label] = texts, styles
    show.insert(3 if "上年同期" in show else 2, "原因",
                list(d["rag_short"].replace("", "—")) if "rag_short" in d else list(d["rag_reasons"].replace("", "—")))
    css.insert(3 if "上年同期" in css else 2, "原因", "")
    return show, css


def _text_px(text: str, font_px: float = 14) -> float:
    """The drawn width of a text: a Chinese character is one em, Latin letters and digits about half."""
    return sum(font_px if ord(ch) > 0x2E7F else font_px * 0.56 for ch in str(text))


def wrap_row_height(texts, width_px: int, font_px: float = 14, line_px: int = 20) -> int | None:
    """The st.dataframe row height that shows the longest of texts in a column width_px wide, wrapped
    (glide wraps only rows taller than 64 px); None when every text fits on one line."""
    widest = max((_text_px(t, font_px) for t in texts), default=0)
    lines = math.ceil(widest / max(width_px - 18, 1)) if widest else 1
    return None if lines <= 1 else max(66, lines * line_px + 12)


# Short column heads of the company table on the projector (会议模式 explains them under the table).
RAG_HEADS = {"隐患整改率": "整改率", "按期整改率": "按期率", "逾期未整改": "逾期未改", "重大隐患未整改": "重大未改",
             "事故起数": "事故", "死亡人数": "死亡", "突破指标": "突破"}


FOLD_GREEN_OVER = 12       # above this many companies the RAG table lists green ones by name under the table
PILLS_MAX = 24             # above this many companies under the RAG table, a select box replaces the buttons


RAG_TOP = 10               # above FOLD_GREEN_OVER companies, the RAG table draws the worst this many red/amber rows


def rag_table(df: pd.DataFrame, metrics: tuple[str, ...] = RAG_METRICS, key: str | None = None, big: bool = False):
    """The red/amber/green company table: colour with its word (never colour alone) and the reasons, as an
    HTML table whose reasons wrap inside their cells, so the whole table is readable without scrolling (short
    company names, figures on one line). With key, the companies follow as buttons (red first): returns the
    one clicked (its full name) or None. big=True: the projector (会议模式), larger type from MEETING_CSS.
    Above FOLD_GREEN_OVER companies it stays one glance: a count line (红 N · 黄 N · 绿 N), the companies worst
    first (analytics.figures.ranking.rag_worst_first), the first RAG_TOP red/amber rows drawn, green ones named
    below, and the full table folded in an expander and downloadable (.xlsx built on click)."""
    many = len(df) > FOLD_GREEN_OVER
    if many:
        df = ranking.rag_worst_first(df)
    show, css = rag_frame(df, metrics)
    full = show.copy()                   # every company, full names: the folded table and the download
    companies, rags = list(show["单位"]), list(df.set_index("company").loc[show["单位"], "rag"])
    green = [c for c, r in zip(companies, rags) if r == "绿"]
    if many and green:                   # one glance: red, amber (and 无数据) rows; green named below
        keep = [r != "绿" for r in rags]
        show, css = show[keep].reset_index(drop=True), css[keep].reset_index(drop=True)
        companies, rags = [c for c, k in zip(companies, keep) if k], [r for r, k in zip(rags, keep) if k]
    hidden = len(show) - RAG_TOP if many and len(show) > RAG_TOP + 2 else 0     # never fold just one or two rows
    if hidden:
        show, css = show.head(RAG_TOP), css.head(RAG_TOP)
    show["单位"] = show["单位"].map(short_name)
    css["单位"] = "white-space: nowrap; font-weight: bold"
    for c in show.columns:
        if c not in ("单位", "原因"):
            css[c] = [f"{v}; white-space: nowrap" if v else "white-space: nowrap" for v in css[c]]
    css["原因"] = "white-space: normal; min-width: 14em"
    if big:
        show, css = show.rename(columns=RAG_HEADS), css.rename(columns=RAG_HEADS)
    show = safe.frame(show)              # st.table renders its cells as markdown: ledger text as text
    if many:
        counts = ranking.rag_counts(df)
        badges = " · ".join(f"{widgets.rag_badge(c)} **{n}**" for c, n in counts.items() if n or c != "无数据")
        st.markdown(f"{badges}　（共 {len(df)} 个单位）", unsafe_allow_html=True)
    with st.container(key=f"nowrap_rag_{key or 'big'}"):      # theme.APP_CSS: cells keep their white-space
        _rag_cells(show, css, green if many else [])
    if many:
        shown = f"表中为最严重的 {len(show)} 个单位，其余 {hidden} 个红/黄单位见下方“全部单位”。" if hidden else ""
        st.caption(f"排序：{ranking.RAG_ORDER_TEXT}。{shown}绿色单位只列名称。")
        with st.expander(f"全部 {len(full)} 个单位的红黄绿表（同上排序）"):
            _rag_full(full, rag_frame(df, metrics)[1])
        download(lambda: full, "各单位红黄绿表.xlsx", label="下载全部单位红黄绿表（Excel）",
                 key=f"dl_rag_{key or 'big'}")
    if not key or big:
        return None
    labels = dict(zip(companies, rags))
    label = "查看单位的问题明细（重大隐患、逾期隐患、事故、未达标指标）"
    if len(companies) > PILLS_MAX:       # 200 buttons are no choice: a searchable list, in the table's order
        return st.selectbox(label, companies, index=None, key=key, placeholder="选择或输入单位名称",
                            format_func=lambda c: f"{short_name(c)}（{labels[c]}）")
    return st.pills(label, companies, key=key, format_func=lambda c: f"{safe.md(short_name(c))}（{labels[c]}）")


def _rag_full(show: pd.DataFrame, css: pd.DataFrame) -> None:
    """Every company of the RAG table as a scrolling st.dataframe (short names on screen, colours kept)."""
    sty = show.style.apply(lambda _: css, axis=None).format(short_name, subset=["单位"])
    st.dataframe(sty, hide_index=True, width="stretch", height=table_height(len(show), cap=560),
                 column_config={"原因": st.column_config.TextColumn(width=420)})


@st.cache_data(show_spinner=False, max_entries=64)
def _rag_cells(show: pd.DataFrame, css: pd.DataFrame, green: list[str]) -> None:
    """The RAG table's cells and the green companies' names. Cached on the frames' contents (hashing 200 rows
    is cheap): a rerun with the same figures replays the drawn table instead of styling every cell again."""
    if len(show):
        st.table(show.style.apply(lambda _: css, axis=None).hide(axis="index"))
    if green:
        st.markdown(f"**绿色单位 {len(green)} 个**（以上规则均未触发）：")
        st.text("、".join(short_name(c) for c in green))          # names as text, never markup


def display(df: pd.DataFrame) -> pd.DataFrame:
    """Records as people read them: dates without 00:00, moments to the minute, …率 columns as percent."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            has_time = bool((col.dropna().dt.normalize() != col.dropna()).any())
            out[c] = col.dt.strftime("%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d").fillna("")
        elif str(c).endswith("率") and pd.api.types.is_float_dtype(col):
            out[c] = [fmt(v, "rate") for v in col]
        elif (col.dtype == object or pd.api.types.is_string_dtype(col)) and col.isna().any():
            out[c] = col.astype(object).where(col.notna(), "")     # an empty ledger cell stays empty, not “None”
    return out


MONEY_SUFFIX = "（万元）"


def _number(v) -> str:
    """A float cell that is not money: whole numbers without decimals, others to two."""
    if is_missing(v):
        return "—"
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def format_cells(sty, df: pd.DataFrame, config: dict) -> tuple:
    """The one cell formatting of record tables (on the Styler, so the data stays numeric and sorts as
    numbers): money (a …（万元） column) as “0.37 万元” under a head without the unit, other floats without
    pandas' six decimals, 逾期天数 as “537 天” / “未到期（剩 19 天）”."""
    for c in df.columns:
        if str(c).endswith(MONEY_SUFFIX) and pd.api.types.is_numeric_dtype(df[c]):
            sty = sty.format(lambda v: fmt(v, "money"), subset=[c])
            config.setdefault(c, st.column_config.TextColumn(str(c)[: -len(MONEY_SUFFIX)], alignment="right"))
        elif c == "逾期天数" and pd.api.types.is_numeric_dtype(df[c]):
            sty = sty.format(due_text, subset=[c])
            config.setdefault(c, st.column_config.TextColumn(
                "逾期天数", alignment="right", help="截止日 − 整改期限；未到整改期限的写“未到期（剩 N 天）”"))
        elif pd.api.types.is_float_dtype(df[c]):
            sty = sty.format(_number, subset=[c])
    return sty, config


_BAD_WORDS = ("否", "未填", "迟报", "未填上报时间", "突破")


def _word_style(v) -> str:
    """Words that carry a verdict get its colour (the word stays): 否/未填/迟报/未闭环 red, 已闭环 green,
    indicator statuses in their fixed colours."""
    t = str(v)
    if t in theme.INDICATOR_STATUS_COLORS:
        return f"background-color: {theme.INDICATOR_STATUS_COLORS[t]}; color: white; font-weight: bold"
    if t in _BAD_WORDS or t.startswith("未闭环"):
        return f"color: {theme.RED}; font-weight: bold"
    if t == "已闭环":
        return f"color: {theme.GREEN}"
    return ""


# Short heads of record columns whose unit the page states (the full name is the column's tooltip).
SHORT_HEADS = {"死亡人数": "死亡", "重伤人数": "重伤", "轻伤人数": "轻伤", "上报用时（分钟）": "上报用时（分）"}
OWNER_FIRST = ("单位", "隐患描述", "整改责任人", "整改期限", "逾期天数")     # what a meeting asks of an open hazard
# Record columns that hold sentences: wrapped in a column of this width (px) instead of being cut off.
WRAP_COLUMNS = {"隐患描述": 340, "情况说明": 520, "需要关注": 560, "原因": 420, "四不放过": 260, "整改措施": 260,
                "事故简要经过": 360, "控制目标": 190}


MAX_TABLE_ROWS = 500       # rows a records table draws (the total is stated; the Excel download holds every row)
MEETING_BARS = 8           # company bars a 会议模式 slide of fixed height draws (the worst; the title says so)
MEETING_ROWS = 12          # rows a records table shows in 会议模式 (big=True); the total is stated
FOLD_OPACITY = 0.45        # the “其余 K 个单位” bar of a stacked company chart: paler than the companies' bars
TOP_N = 15                 # companies a company chart draws, worst first (the rest folded into one bar or listed)


def records_table(df: pd.DataFrame, highlight_overdue: bool = False, big: bool = False,
                  first: tuple[str, ...] = (), wrap: tuple[str, ...] = (), max_height: int = 560,
                  total: int | None = None) -> None:
    """Records as a table; `first` columns (those present) move to the front, e.g. OWNER_FIRST, so they are
    never pushed off-screen; company names short on screen (the Excel download keeps the full names);
    `wrap` columns (see WRAP_COLUMNS) wrap their sentences. `total`: how many records there are when `df`
    holds only the first of them (read with a limit)."""
    if first:
        lead = [c for c in first if c in df.columns]
        df = df[lead + [c for c in df.columns if c not in lead]]
    n = len(df) if total is None else total
    if big and n > MEETING_ROWS:   # the projector: one screen of rows, never a 500-row HTML table
        st.caption(f"共 {n:,} 条，此处显示前 {MEETING_ROWS} 条（顺序同各页列表）；全部记录见对应页面，可下载 Excel。")
        df = df.head(MEETING_ROWS)
    elif n > MAX_TABLE_ROWS:      # a page stays fast and no Styler limit can break it; the download has all
        st.caption(f"共 {n:,} 条，表中显示前 {MAX_TABLE_ROWS:,} 条（顺序同下载文件）；全部记录请用下方“下载 Excel”。")
        df = df.head(MAX_TABLE_ROWS)
    elif not big and table_height(n, cap=max_height) < table_height(n):     # it scrolls: say how many there are
        st.caption(f"共 {n:,} 条（在表格内滚动查看）。")
    (_records_draw if big else _records_cells)(df.reset_index(drop=True), highlight_overdue, big, tuple(wrap),
                                               max_height)


def _records_draw(df: pd.DataFrame, highlight_overdue: bool, big: bool, wrap: tuple[str, ...],
                  max_height: int) -> None:
    df = display(df).reset_index(drop=True)
    if big:                              # st.table renders its cells as markdown: ledger text as text
        df = safe.frame(df)
    sty = df.style
    words = [c for c in df.columns if c in ("状态", "突破指标", "原因查清", "责任人处理", "整改措施落实", "教训吸取",
                                            "四不放过", "上报情况")]
    if words:
        sty = sty.map(_word_style, subset=words)
    if highlight_overdue and "逾期天数" in df:
        sty = sty.map(lambda v: f"color: {theme.RED}; font-weight: bold" if pd.notna(v) and v > 0 else "",
                      subset=["逾期天数"])
    if "单位" in df:
        sty = sty.format(short_name, subset=["单位"])
    config: dict = {}
    sty, config = format_cells(sty, df, config)
    if big:      # the projector: an HTML table; figures, names and dates on one line, sentences wrap
        long = [c for c in df.columns if c in WRAP_COLUMNS or c in wrap]
        short = [c for c in df.columns if c not in long]
        if short:
            sty = sty.set_properties(subset=short, **{"white-space": "nowrap"})
        if long:
            sty = sty.set_properties(subset=long, **{"white-space": "normal", "min-width": "12em"})
        tag = hashlib.md5("|".join(map(str, df.columns)).encode()).hexdigest()[:8]
        with st.container(key=f"nowrap_records_{tag}"):          # theme.APP_CSS: cells keep their white-space
            st.table(sty.hide(axis="index"))
        return
    for c, head in SHORT_HEADS.items():
        if c in df and c not in config:
            config[c] = st.column_config.Column(head, help=c)
    row_h = None
    for c in wrap:
        if c in df:
            config[c] = st.column_config.TextColumn(width=WRAP_COLUMNS.get(c, 300))
            row_h = max(row_h or 0, wrap_row_height(df[c].astype(str), WRAP_COLUMNS.get(c, 300)) or 0) or None
    st.dataframe(sty, hide_index=True, width="stretch", height=table_height(len(df), row_h or 35, cap=max_height),
                 row_height=row_h, column_config=config)


# records_table's drawing (at most MAX_TABLE_ROWS rows) cached on the rows' contents (hashing them is cheap):
# styling every cell is what a records table costs, and a rerun with the same rows replays the drawn table.
_records_cells = st.cache_data(show_spinner=False, max_entries=256)(_records_draw)


def metric_table(df: pd.DataFrame, metrics, height_cap: int | None = None) -> None:
    """Metrics per company (analytics.figures.metrics.frame: company + one column per metric) as a table: each
    figure in the app's one format (1,234 · 96.1% · 2,056.00 万元), counts and money still sorting as numbers,
    short company names, the metric's 口径 as the column tooltip."""
    show = df.rename(columns={"company": "单位", **{m: BY_NAME[m].label for m in metrics}})
    rates = [BY_NAME[m].label for m in metrics if BY_NAME[m].kind == "rate"]
    for c in rates:
        show[c] = [fmt(v, "rate") for v in show[c]]
    sty = show.style.format(short_name, subset=["单位"])
    config = {"单位": st.column_config.TextColumn(width=int(max(_text_px(short_name(c)) for c in show["单位"]) + 24))}
    for m in metrics:
        label, kind = BY_NAME[m].label, BY_NAME[m].kind
        if kind != "rate":
            sty = sty.format(lambda v, k=kind: fmt(v, k), subset=[label])
        config[label] = st.column_config.TextColumn(label, help=BY_NAME[m].caption, alignment="right")
    st.dataframe(sty, hide_index=True, width="stretch", height=table_height(len(show), cap=height_cap),
                 column_config=config)


def folded_metric_table(df: pd.DataFrame, metrics, order, listed: str, order_text: str, quiet_text: str = "",
                        file_name: str | None = None, key: str | None = None, n: int = TOP_N) -> None:
    """metric_table at a large group's size. Up to FOLD_GREEN_OVER companies: metric_table as it is. More:
    `order(df)` (from analytics.figures.ranking) gives (the group row and the companies to list, worst first;
    the quiet companies, e.g. those without any accident); the table draws the group row and the first n of
    the list (`listed` names them, `order_text` says their order), one line says how many quiet companies there
    are (“其余 N 个单位{quiet_text}”), and the full table is in an expander and (with file_name) an Excel
    download built on click."""
    companies = int((df["company"] != GROUP).sum())
    if companies <= FOLD_GREEN_OVER:
        metric_table(df, metrics)
        return
    listed_rows, quiet = order(df)
    group, worst = listed_rows[listed_rows["company"] == GROUP], listed_rows[listed_rows["company"] != GROUP]
    metric_table(pd.concat([group, worst.head(n)], ignore_index=True), metrics)
    k = min(n, len(worst))
    st.caption(f"共 {companies} 个单位。" + (
        f"表中列出{listed} {k} 个" + (f"（共 {len(worst)} 个，只列前 {n} 个）" if len(worst) > n else "") + f"，{order_text}。"
        if k else f"没有{listed}，表中只有{group['company'].iloc[0] if len(group) else '合计'}。")
        + "全部单位见下方“全部单位”，或下载 Excel。")
    if len(quiet):
        st.markdown(f"**{fold_label(len(quiet))}{quiet_text}**")
    with st.expander(f"全部 {companies} 个单位"):
        metric_table(df, metrics, height_cap=560)
    if file_name:
        table = df[["company", *metrics]].rename(columns={"company": "单位", **{m: BY_NAME[m].label for m in metrics}})
        download(lambda: table, file_name, key=key)


def records_panel(title: str, rows: pd.DataFrame, file_name: str, key: str, highlight_overdue: bool = False) -> None:
    """The records behind a clicked figure: a heading with the count, the table and its Excel download."""
    st.markdown(f"#### {safe.md(title)}（{len(rows)} 条）")      # callers pass raw text: escaped here once
    if rows.empty:
        st.info("没有对应的记录。", icon=":material/info:")
        return
    owners = "整改责任人" in rows
    records_table(rows, highlight_overdue=highlight_overdue or owners, first=OWNER_FIRST if owners else ())
    download(due_split(rows) if owners else rows, file_name, key=key)


def drill(event, what: str, fetch, key: str) -> None:
    """Under a clickable chart: the records behind the clicked bar. fetch(group) returns the rows,
    group being the bar's company or month (its customdata)."""
    hit = clicked(event)
    if hit and hit["group"]:
        g = hit["group"]
        records_panel(f"{g} {what}", fetch(g), f"{what}_{g}.xlsx", key=key)


def _plot(fig: go.Figure, key: str | None = None):
    """Draw a figure; with key it is clickable and the selection state is returned."""
    if key:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points",), theme=None)
    st.plotly_chart(fig, theme=None)
    return None


def chart(build):
    """A chart builder `build(data, …) -> go.Figure` made into a drawing function `f(data, …, key=None)`. The
    figure is built once per distinct arguments (their contents hashed by st.cache_resource) and reused by every
    rerun and session until the figures change: building a plotly figure is most of what a chart costs (figures
    are never changed after they are built)."""
    build_once = st.cache_resource(show_spinner=False, max_entries=256)(build)

    @functools.wraps(build)
    def draw(*args, key: str | None = None, **kwargs):
        return _plot(build_once(*args, **kwargs), key)
    return draw


@chart
def month_bars(df: pd.DataFrame, y: str, color: str | None, title: str, color_map: dict | None = None,
               barmode: str = "stack", height: int = 440, y_label: str | None = None,
               large: bool = False, short_legend: bool = False):
    """Monthly bars; every month of the window is on the axis (empty months at zero); the colour groups
    keep the order of color_map (e.g. 一般, 较大, 重大, 特别重大). Returns the selection state when key is
    given (click a bar to see its records). large=True: projector size. short_legend: the groups are
    companies, named without 有限公司 in the legend."""
    d = df.copy()
    d["月份"] = pd.to_datetime(d["period"]).dt.strftime("%Y-%m")
    orders = {"月份": sorted(d["月份"].unique())}
    if color and color_map:
        orders[color] = [g for g in color_map if g in set(d[color])] + sorted(set(d[color]) - set(color_map))
    fig = px.bar(d, x="月份", y=y, color=color, barmode=barmode, color_discrete_map=color_map or {},
                 custom_data=[color] if color else None,
                 labels={y: y_label or (BY_NAME[y].label if y in BY_NAME else y), color or "": ""},
                 category_orders=orders)
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=y_label or (BY_NAME[y].label if y in BY_NAME else y))
    if color:
        fig.update_traces(hovertemplate="%{x}　%{customdata[0]}<br>" + (y_label or (BY_NAME[y].label if y in BY_NAME
                                                                                   else y)) + "：%{y}<extra></extra>")
    if len(d) and d.groupby("月份")[y].sum().max() <= 8:
        fig.update_yaxes(dtick=1)           # small counts (accidents): whole numbers on the axis
    if short_legend:      # colour groups are companies: short names in the legend (customdata keeps the full name)
        fig.for_each_trace(lambda t: t.update(name=short_name(str(t.name))))
    theme.style(fig, title, height, large=large)
    return fig


@chart
def company_rate_bars(df: pd.DataFrame, rates: list[str], title: str, target: float | None = None) -> go.Figure:
    """Rates per company as horizontal bars (percent), with an optional target line. The value is written
    inside each bar at its base, so the target line (drawn across the bars' ends) never runs through it.
    A bar too short to hold its value (below 12 %, e.g. 0 %) has it written just after its end, so a company at
    0 % never looks like a missing bar. Worst first (lowest first rate; companies without a rate last); beyond
    TOP_N companies only the worst TOP_N are drawn, and the title says so."""
    df = df.assign(_k=df[rates[0]].fillna(9.0)).sort_values(["_k", *rates[1:2]], kind="stable").drop(columns="_k")
    if len(df) > TOP_N:
        title = f"{title}（最低的 {TOP_N} 个单位，共 {len(df)} 个）"
        df = df.head(TOP_N)
    fig = go.Figure()
    names = [short_name(c) for c in df["company"]]
    for i, m in enumerate(rates):
        fig.add_bar(y=names, x=df[m], name=BY_NAME[m].label, orientation="h", customdata=df["company"],
                    marker_color=theme.PALETTE[i], text=[fmt(v, "rate") for v in df[m]],
                    textposition=["outside" if v == v and v is not None and v < 0.12 else "inside" for v in df[m]],
                    insidetextanchor="start", insidetextfont=dict(color="white" if i == 0 else "#111", size=16),
                    outsidetextfont=dict(color="#111", size=16), constraintext="none",
                    hovertemplate="%{customdata}<br>" + BY_NAME[m].label + "：%{x:.1%}<extra></extra>")
    top = float(pd.to_numeric(df[rates].stack(), errors="coerce").max() or 1)
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color=theme.RED, line_width=2,
                      annotation_text=f"目标 {target:.0%}", annotation_position="top",
                      annotation_font=dict(color=theme.RED, size=16))
    else:
        fig.add_vline(x=1, line_dash="dot", line_color=theme.REFERENCE, line_width=1)
    fig.update_layout(barmode="group", xaxis=dict(tickformat=".0%", range=[0, max(1.0, top) * 1.03],
                                                  tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0]),
                      yaxis=dict(autorange="reversed", type="category"))
    theme.style(fig, title, max(300, 70 * len(df) + 100))
    return fig


fold_label = ranking.fold_label      # “其余 K 个单位”: the one label of a folded bar or row


def fold_note(folded: list[str], rate_label: str) -> str:
    """A company chart's title suffix when fold_rate_rows folded it: “（{rate}最低的 15 个单位，其余 185 个单位合并）”."""
    return f"（{rate_label}最低的 {TOP_N} 个单位，{fold_label(len(folded))}合并）" if folded else ""


def fold_caption(folded: list[str], order_text: str) -> None:
    """The 口径 of a folded company chart: its order and what the “其余 K 个单位” bar counts."""
    if folded:
        st.caption(f"单位较多：按{order_text}，前 {TOP_N} 个单位各一组；{fold_label(len(folded))}合并为“"
                   f"{fold_label(len(folded))}”一组（人次、金额为合计，完成率＝合计实际 ÷ 合计计划）。点击该组可查看这些单位的明细。")


def members(group: str, folded: list[str]) -> list[str]:
    """The companies behind a clicked bar: the folded ones for the “其余 K 个单位” bar, else the bar's own."""
    return list(folded) if folded and group == fold_label(len(folded)) else [group]


def fold_top(df: pd.DataFrame, group: str, value: str, *keep: str | None, n: int = TOP_N,
             noun: str = "单位") -> tuple[pd.DataFrame, list]:
    """Long rows (group, value, other keys …) with more than n groups: the n groups of the largest total, in that
    order, and the rest added up under one group “其余 K 个单位” (for counts only: a sum over rows). Returns the
    frame and the folded groups ([] when nothing was folded)."""
    totals = df.groupby(group, sort=False)[value].sum().sort_values(ascending=False, kind="stable")
    if len(totals) <= n:
        return df.set_index(group).loc[totals.index].reset_index(), []
    top, rest = list(totals.index[:n]), list(totals.index[n:])
    label = fold_label(len(rest), noun)
    keys = [k for k in keep if k]
    folded = (df[df[group].isin(rest)].groupby(keys, sort=False)[value].sum().reset_index().assign(**{group: label})
              if keys else pd.DataFrame({group: [label], value: [df[df[group].isin(rest)][value].sum()]}))
    head = df[df[group].isin(top)].set_index(group).loc[top].reset_index()
    return pd.concat([head, folded[head.columns]], ignore_index=True), rest


@chart
def stacked_company_bars(df: pd.DataFrame, x: str, y: str, color: str, title: str, color_map: dict) -> go.Figure:
    """Horizontal stacked bars, one per company (names stay readable on a projector), the largest total first;
    beyond TOP_N companies the rest are folded into one bar “其余 K 个单位” (their counts added), drawn paler and
    with its total written at its end: it adds up many companies, so it is usually the longest bar, and it must
    not read as one company."""
    d, folded = fold_top(df, x, y, color)
    d = d.assign(**{x: d[x].map(short_name)}) if x == "company" else d
    fig = px.bar(d, y=x, x=y, color=color, color_discrete_map=color_map, barmode="stack", orientation="h",
                 labels={x: "", y: "隐患数（项）", color: ""})
    fig.update_layout(yaxis=dict(autorange="reversed", title=None))
    if folded:
        label = fold_label(len(folded))
        for trace in fig.data:
            trace.marker.opacity = [FOLD_OPACITY if v == label else 1.0 for v in trace.y]
        total = float(d.loc[d[x] == label, y].sum())
        fig.add_annotation(x=total, y=label, text=f"合计 {fmt(total, 'count')} 项", showarrow=False, xanchor="left",
                           xshift=6)
        fig.update_xaxes(range=[0, max(total, float(d.groupby(x)[y].sum().max())) * 1.2])   # room for the total
    if folded:
        title += f"（最多的 {TOP_N} 个单位，{fold_label(len(folded))}合并）"
    theme.style(fig, title, max(320, 48 * d[x].nunique() + 160))
    # the legend above the bars: at the bottom it shared a row with the axis title
    fig.update_layout(legend=dict(y=1.0, yanchor="bottom", x=0, xanchor="left"))
    fig.update_xaxes(title=dict(text="隐患数（项）", standoff=12))
    return fig


def points(event) -> list:
    """The selected points of a plotly selection state (an attribute dict, or a plain dict in AppTest)."""
    sel = (event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)) if event else None
    return list((sel.get("points") if isinstance(sel, dict) else getattr(sel, "points", None)) or []) if sel else []


def clicked(event) -> dict | None:
    """The first clicked point of a plotly selection: {"x", "y", "group"} (group = the point's customdata)."""
    sel = (event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)) if event else None
    points = (sel.get("points") if isinstance(sel, dict) else getattr(sel, "points", None)) if sel else None
    if not points:
        return None
    p = points[0]
    cd = p.get("customdata")
    group = cd[0] if isinstance(cd, (list, tuple)) and cd else cd if isinstance(cd, str) else None
    return {"x": safe.unlabel(p.get("x")), "y": safe.unlabel(p.get("y")), "group": safe.unlabel(group)}


@chart
def hbars(df: pd.DataFrame, cat: str, val: str, title: str, x_title: str, color: str | None = None,
          color_map: dict | None = None, height: int | None = None, text_kind: str = "count",
          large: bool = False):
    """Horizontal bars, one per category in the frame's order (first on top), the value written on each bar.
    Clickable with key (customdata = the category)."""
    d = df.copy()
    fig = px.bar(d, y=cat, x=val, color=color, orientation="h", color_discrete_map=color_map or {},
                 custom_data=[cat], labels={val: x_title, cat: "", color or "": ""},
                 text=[fmt(v, text_kind) for v in d[val]])
    fig.update_traces(textposition="outside", cliponaxis=False)
    fig.update_yaxes(autorange="reversed", type="category", title=None)
    fig.update_xaxes(title=None, rangemode="tozero")        # the unit is in the title (x_title names the hover)
    if text_kind == "rate":
        fig.update_xaxes(tickformat=".0%", range=[0, max(1.1, float(d[val].max() or 0) * 1.1)],
                         tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0])
    elif len(d) and d[val].max() <= 8:
        fig.update_xaxes(dtick=1, range=[0, d[val].max() + 1])
    theme.style(fig, title, height or max(280, 48 * d[cat].nunique() + 150), large=large)
    return fig


FEW_LABELS = 8            # beyond this many categories a column chart wraps its company labels instead of tilting them


def wrap_label(name: str, per_line: int = 4) -> str:
    """An (already escaped) category label of a column chart with many categories, broken into lines of about
    per_line CJK characters (CJK text breaks anywhere; a run of digits or Latin letters, or an HTML entity, stays
    whole; they count half a character), so 16 companies stay level and readable instead of tilted."""
    width = lambda t: sum(0.5 if c.isascii() else 1 for c in html.unescape(t.strip()))     # noqa: E731
    if width(name) <= per_line + 1:
        return name
    lines, line = [], ""
    for p in re.findall(r"&#?\w+;|[0-9A-Za-z.%]+|\s+|.", name):
        if line.strip() and not p.isspace() and width(line + p) > per_line:
            lines.append(line.strip())
            line = ""
        line += p
    lines.append(line.strip())
    return "<br>".join(x for x in lines if x)


def short_name(company: str) -> str:
    """A company name for a chart axis: without the 有限公司 / 有限责任公司 / 股份有限公司 suffix."""
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if company.endswith(suffix) and len(company) > len(suffix):
            return company[: -len(suffix)]
    return company


@chart
def planned_actual_bars(df: pd.DataFrame, x: str, planned: str, actual: str, rate: str, title: str,
                        height: int = 460, fold: str | None = None):
    """Planned vs actual as grouped bars (left axis) with the completion rate as a line above them (right
    axis). x is a company or a month column (company names are shortened on the axis, and wrapped when there
    are many); clickable with key: the clicked point's group is the full value of x. `fold`: the label of the
    row that adds up the companies not drawn one by one (“其余 K 个单位”): its rate is drawn, but not its bars —
    a sum over many companies would dwarf every company's bars — and its totals are written in its place."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    money = BY_NAME[planned].kind == "money"
    labels = [short_name(str(v)) for v in df[x]] if x == "company" else list(df[x])
    folded = (df[x] == fold) if fold else pd.Series(False, index=df.index)
    for i, m in enumerate((planned, actual)):
        fig.add_bar(x=labels, y=df[m].mask(folded), name=BY_NAME[m].label,
                    marker_color=theme.PALETTE[4 if i == 0 else 0],
                    customdata=df[x], hovertemplate="%{x}<br>" + BY_NAME[m].label
                    + ("：%{y:,.2f} 万元" if money else "：%{y:,} 人次") + "<extra></extra>")
    fig.add_scatter(x=labels, y=df[rate], name=BY_NAME[rate].label, mode="lines+markers+text",
                    line=dict(color=theme.PALETTE[3], width=3), marker=dict(size=10), customdata=df[x],
                    text=[fmt(v, "rate") for v in df[rate]], textposition="top center",
                    hovertemplate="%{x}<br>" + BY_NAME[rate].label + "：%{y:.1%}<extra></extra>", secondary_y=True)
    top = float(pd.concat([df[planned].mask(folded), df[actual].mask(folded)]).max() or 1)
    fig.update_yaxes(title="万元" if money else "人次", secondary_y=False, range=[0, top * 1.7])
    rtop = float(pd.to_numeric(df[rate], errors="coerce").max() or 0)
    fig.update_yaxes(title=BY_NAME[rate].label, tickformat=".0%", range=[0, max(1.1, rtop * 1.06)],
                     tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0], secondary_y=True, showgrid=False)
    fig.add_hline(y=1, line_dash="dot", line_color=theme.REFERENCE, line_width=1, secondary_y=True)   # 100 %
    fig.update_xaxes(type="category", title=None)
    fig.update_layout(barmode="group")
    theme.style(fig, title, height)
    # after theme.style, which escaped every label: the line breaks and the totals below are this code's own
    shown = list(fig.data[0].x)
    if x == "company" and len(shown) > FEW_LABELS:      # level labels of two lines; the legend above the bars
        fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=[wrap_label(v) for v in shown], tickangle=0)
        fig.update_layout(legend=dict(y=1.0, yanchor="bottom", x=0, xanchor="left"))
    for k in folded[folded].index:                      # the rest's sums in the bars' colours, where they would be
        fig.add_annotation(x=shown[df.index.get_loc(k)], y=0, yanchor="bottom", showarrow=False, align="center",
                           font=dict(size=14), text="合计<br>" + "<br>".join(
                               f'<span style="color:{theme.PALETTE[4 if i == 0 else 0]}">'
                               f"{fmt(df.at[k, m], BY_NAME[m].kind, unit=False)}</span>"
                               for i, m in enumerate((planned, actual))))
    return fig


@chart
def month_lines(df: pd.DataFrame, x: str, lines: dict[str, str], title: str, kind: str = "rate",
                height: int = 400, dash: dict[str, str] | None = None) -> go.Figure:
    """A few monthly lines (e.g. this company, the group, last year); lines = {column: legend name}."""
    fig = go.Figure()
    ticks = month_labels(df[x])
    for i, (col, name) in enumerate(lines.items()):
        fig.add_scatter(x=ticks, y=df[col], name=name, mode="lines+markers",
                        line=dict(color=theme.PALETTE[i], width=3, dash=(dash or {}).get(col, "solid")),
                        marker=dict(size=8),
                        hovertemplate="%{x}<br>" + name + ("：%{y:.1%}" if kind == "rate" else "：%{y:,}")
                        + "<extra></extra>")
    fig.update_xaxes(type="category", title=None)
    if kind == "rate":
        fig.update_yaxes(tickformat=".0%")
    theme.style(fig, title, height)
    return fig


# Short heads of the company × indicator table (the full indicator name is the column's tooltip).
INDICATOR_HEADS = {"死亡人数": "死亡", "生产安全事故死亡人数": "死亡", "重伤人数": "重伤", "事故起数": "事故",
                   "生产安全事故起数": "事故", "直接经济损失": "经济损失", "隐患整改率": "整改率", "按期整改率": "按期率",
                   "重大隐患整改率": "重大整改", "培训完成率": "培训完成", "培训合格率": "培训合格",
                   "安全投入完成率": "投入完成", "安全检查次数": "安全检查", "应急演练次数": "应急演练"}


def status_matrix(df: pd.DataFrame, cols: list[str], key: str | None = None, big: bool = False):
    """The company × indicator heat table: each cell coloured by the status word it starts with
    (theme.INDICATOR_STATUS_COLORS) — the word is always written. Short company names and short indicator
    heads (full name in the tooltip), each column as wide as its content, so the table fits the screen.
    With key, a cell can be clicked: returns (company, indicator or None) or None."""
    def cell_style(v) -> str:
        c = theme.INDICATOR_STATUS_COLORS.get(str(v).split(" ")[0])
        return (f"background-color: {c}; color: white; font-weight: bold; white-space: nowrap" if c
                else "color: #666; text-align: center")
    sty = (safe.frame(df) if big else df).style.map(cell_style, subset=cols).format(short_name, subset=["单位"])
    if big:
        st.table(sty.hide(axis="index"))
        return None
    width = lambda texts: int(max(_text_px(t) for t in texts) + 20)  # noqa: E731
    name_w = width(df["单位"].map(short_name))
    config = {"单位": st.column_config.TextColumn(width=name_w)}
    one_line = {c: max(width([INDICATOR_HEADS.get(c, c)]) + 8, width(df[c].astype(str))) for c in cols}
    # Too wide for one line a cell (a 1440 px screen with the sidebar has ~1000 px): the status word above
    # its value, in narrower columns (glide wraps text in rows taller than 64 px).
    two_lines = name_w + sum(one_line.values()) > 1000
    for c in cols:
        head = INDICATOR_HEADS.get(c, c)
        w = (max(width([head]) + 8, width(p for v in df[c].astype(str) for p in v.split(" ", 1))) if two_lines
             else one_line[c])
        config[c] = st.column_config.TextColumn(head, help=c, width=w)
    row_h = 66 if two_lines else None
    ev = st.dataframe(sty, hide_index=True, width="stretch", height=table_height(len(df), row_h or 35, cap=700),
                      key=key, on_select="rerun" if key else "ignore", selection_mode="single-cell",
                      column_config=config, row_height=row_h)
    cells = (ev.selection.cells if key and ev is not None and ev.selection else []) or []
    if not cells:
        return None
    row, col = cells[0][0], cells[0][1]
    return df["单位"].iloc[row], (col if col in cols else None)


@chart
def indicator_bars(att: pd.DataFrame, title: str, large: bool = False, height: int | None = None,
                   top: int = TOP_N) -> go.Figure:
    """Indicators per company by status (达标 / 未达标 / 突破 / 无数据) as stacked horizontal bars
    (short company names; the unit 项 is in the title and the axis title sits clear of the ticks). Beyond `top`
    companies only the worst `top` are drawn (ranking.ATTAINMENT_ORDER_TEXT) and the title says so (会议模式 passes
    MEETING_BARS: its slide has room for 8 readable bars)."""
    if len(att) > top:           # a group: the worst `top` companies (analytics.figures.ranking), the title says so
        title = f"{title}（突破、未达标最多的 {top} 个单位，共 {len(att)} 个）"
        att = ranking.attainment_worst_first(att).head(top)
    parts = {"达标": att["达标"], "未达标": att["未达标"] - att["突破"], "突破": att["突破"], "无数据": att["无数据"]}
    fig = go.Figure()
    for word, values in parts.items():
        fig.add_bar(y=[short_name(c) for c in att["单位"]], x=values, name=word, orientation="h",
                    marker_color=theme.INDICATOR_STATUS_COLORS[word], customdata=att["单位"],
                    text=[str(int(v)) if v else "" for v in values], textposition="inside", textangle=0,
                    insidetextanchor="middle", insidetextfont=dict(color="white", size=22 if large else 16),
                    hovertemplate="%{customdata}<br>" + word + "：%{x} 项<extra></extra>")
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=dict(text="指标数（项）", standoff=16), dtick=1, automargin=True)
    theme.style(fig, title, height or max(300, 48 * len(att) + 170), large=large)
    fig.update_layout(legend=dict(traceorder="normal", y=1.0, yanchor="bottom", x=0, xanchor="left"))
    return fig


def comparison_table(df: pd.DataFrame) -> None:
    """analytics.figures.profile.comparison as shown: 指标 | 本单位 | 上年同期 | 同比 | 集团 | 集团内排名; the 同比 arrow is
    green when better, red when worse."""
    show = pd.DataFrame({
        "指标": df["label"],
        "本单位": [fmt(v, k) for v, k in zip(df["company"], df["kind"])],
        "上年同期": [fmt(v, k) for v, k in zip(df["company_ly"], df["kind"])],
        "同比": [change(m, v, b)[0] or "—" for m, v, b in zip(df["metric"], df["company"], df["company_ly"])],
        "集团": [fmt(v, k) for v, k in zip(df["group"], df["kind"])],
        "集团内排名": df["rank"].replace("", "—")})
    goods = [change(m, v, b)[1] for m, v, b in zip(df["metric"], df["company"], df["company_ly"])]
    css = pd.DataFrame("", index=show.index, columns=show.columns)
    css["同比"] = [{"better": f"color: {theme.BETTER}; font-weight: bold",
                  "worse": f"color: {theme.WORSE}; font-weight: bold"}.get(g, "") for g in goods]
    st.dataframe(show.style.apply(lambda _: css, axis=None), hide_index=True, width="stretch",
                 height=table_height(len(show)))


def month_labels(months) -> list[str]:
    """Month axis labels: "3月" when every month is in one year (the year is in the title), else "2026-03"."""
    months = [str(m)[:7] for m in months]
    if len({m[:4] for m in months}) == 1:
        return [f"{int(m[5:7])}月" for m in months]
    return months


@chart
def compare_bars(df: pd.DataFrame, x: str, cols: dict[str, str], title: str, y_title: str,
                 height: int = 420) -> go.Figure:
    """Side-by-side bars per month (e.g. this company this year and the same month last year)."""
    fig = go.Figure()
    colors = [theme.PALETTE[0], theme.PALETTE[8], theme.PALETTE[1]]
    ticks = month_labels(df[x])
    for i, (col, name) in enumerate(cols.items()):
        fig.add_bar(x=ticks, y=df[col], name=name, marker_color=colors[i % len(colors)],
                    hovertemplate="%{x}<br>" + name + "：%{y:,}<extra></extra>")
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=y_title, rangemode="tozero")
    theme.style(fig, title, height)
    return fig


def record_tabs(sheets: dict[str, pd.DataFrame], totals: dict[str, int] | None = None) -> None:
    """Several record lists as tabs titled with their counts (open hazards with owner and deadline first).
    totals: how many records a sheet has when it holds only its first rows (read with a limit)."""
    totals = totals or {}
    tabs = st.tabs([f"{name}（{totals.get(name, len(df))}）" for name, df in sheets.items()])
    for tab, (name, df) in zip(tabs, sheets.items()):
        with tab:
            if df.empty:
                st.info(f"没有{name}。", icon=":material/check_circle:")
            else:
                records_table(df, highlight_overdue=True, first=OWNER_FIRST, wrap=("隐患描述", "原因", "四不放过"),
                              total=totals.get(name))


def behind_row_section(store, window, company: str, file_name: str, label: str, key: str) -> None:
    """One company's problem records (scorecard.behind_row) as tabs: the hazard sheets read the rows the tables
    draw and take their counts from the metrics; the download reads every row, on click (总览, 单位画像)."""
    from analytics.figures.scorecard import behind_counts, behind_row
    from .widgets import download_sheets
    sheets = behind_row(store, window, company, limit=MAX_TABLE_ROWS)
    record_tabs(sheets, behind_counts(store, window, company))
    download_sheets({name: functools.partial(lambda n: behind_row(store, window, company)[n], name) for name in sheets},
                    file_name, label=label, key=key)


def open_major_hazards_section(store, filters, key: str) -> None:
    """未整改的重大隐患: the list with owners and deadlines, its download and its 口径 (总览, 整改情况)."""
    from analytics.figures.metrics import compute
    from analytics.figures.records import open_major_hazards
    from .widgets import caption, download, due_split
    st.subheader("未整改的重大隐患")
    as_of, companies = filters.window.as_of, filters.companies
    total = int(compute(store, filters.window, companies, ("major_open",))["group"]["major_open"])   # counts these rows
    if not total:
        st.success(f"截至 {as_of:%Y-%m-%d}，所选单位没有未整改的重大隐患。", icon=":material/verified:")
    else:                  # the table reads the rows it draws; the download every row, on click
        records_table(open_major_hazards(store, as_of, companies, limit=MAX_TABLE_ROWS), highlight_overdue=True,
                      first=OWNER_FIRST, wrap=("隐患描述",), total=total)
        download(lambda: due_split(open_major_hazards(store, as_of, companies)), "未整改重大隐患.xlsx", key=key)
    caption("发现日期不晚于截止日、截止日时仍未整改的重大隐患（存量，不限统计期），逾期最久的在前；含整改责任人与整改期限；"
            "逾期天数＝截止日已超过整改期限的天数，未到期限的写“未到期（剩 N 天）”。", filters)
