"""Chart and table builders shared by the pages (all styled by ui.theme)."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from analytics.metrics import BY_NAME
from analytics.scorecard import LOWER_IS_BETTER, NEUTRAL

from . import theme
from .widgets import download, fmt


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
    size = f"{abs(d) * 100:.1f}" if kind == "rate" else f"{abs(d):,.1f}" if kind in ("money", "days") else f"{abs(d):,.0f}"
    good = "" if name in NEUTRAL else ("better" if (d < 0) == (name in LOWER_IS_BETTER) else "worse")
    return ("↑" if d > 0 else "↓") + size, good


def _rag_cell(v) -> str:
    return f"●\u00a0{v}" if isinstance(v, str) and v else "—"          # no-break space: one line on a projector


def rag_frame(df: pd.DataFrame, metrics: tuple[str, ...] = RAG_METRICS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The company table as shown, red first, and a same-shaped frame of CSS (status colours, arrow colours).
    With the columns of analytics.scorecard.with_last_year, each figure carries its arrow against last year
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
        for i, v in enumerate(d[m]):
            arrow, good = change(m, v, d[f"{m}_ly"].iloc[i]) if f"{m}_ly" in d else ("", "")
            texts.append(fmt(v, kind) + (f"\u00a0{arrow}" if arrow and arrow != "→" else ""))
            styles.append({"better": f"color: {theme.BETTER}", "worse": f"color: {theme.WORSE}; font-weight: bold"}
                          .get(good, ""))
        show[label], css[label] = texts, styles
    show.insert(3 if "上年同期" in show else 2, "原因",
                list(d["rag_short"].replace("", "—")) if "rag_short" in d else list(d["rag_reasons"].replace("", "—")))
    css.insert(3 if "上年同期" in css else 2, "原因", "")
    return show, css


def rag_table(df: pd.DataFrame, metrics: tuple[str, ...] = RAG_METRICS, key: str | None = None, big: bool = False):
    """The red/amber/green company table: colour with its word (never colour alone) and the reasons.
    With key, a row can be clicked: returns the selected company (or None)."""
    show, css = rag_frame(df, metrics)
    if big:      # the projector: short names on one line
        show["单位"] = show["单位"].map(short_name)
        css["单位"] = "white-space: nowrap; font-weight: bold"
    sty = show.style.apply(lambda _: css, axis=None)
    if big:
        st.table(sty.hide(axis="index"))
        return None
    ev = st.dataframe(sty, hide_index=True, width="stretch", height=min(40 + 36 * len(show), 640),
                      key=key, on_select="rerun" if key else "ignore", selection_mode="single-row",
                      column_config={"原因": st.column_config.TextColumn(width="large"),
                                     "单位": st.column_config.TextColumn(pinned=True)})
    rows = (ev.selection.rows if key and ev is not None and ev.selection else []) or []
    return show["单位"].iloc[rows[0]] if rows else None


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
    return out


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


OWNER_FIRST = ("单位", "隐患描述", "整改责任人", "整改期限", "逾期天数")     # what a meeting asks of an open hazard


def records_table(df: pd.DataFrame, highlight_overdue: bool = False, big: bool = False,
                  first: tuple[str, ...] = ()) -> None:
    """Records as a table; `first` columns (those present) move to the front, e.g. OWNER_FIRST."""
    if first:
        lead = [c for c in first if c in df.columns]
        df = df[lead + [c for c in df.columns if c not in lead]]
    df = display(df)
    sty = df.style
    words = [c for c in df.columns if c in ("状态", "突破指标", "原因查清", "责任人处理", "整改措施落实", "教训吸取",
                                            "四不放过", "上报情况")]
    if words:
        sty = sty.map(_word_style, subset=words)
    if highlight_overdue and "逾期天数" in df:
        sty = sty.map(lambda v: f"color: {theme.RED}; font-weight: bold" if pd.notna(v) and v > 0 else "",
                      subset=["逾期天数"])
    if big:      # the projector: short company names
        if "单位" in df:
            sty = sty.format(short_name, subset=["单位"])
        st.table(sty.hide(axis="index"))
        return
    st.dataframe(sty, hide_index=True, width="stretch", height=min(40 + 36 * len(df), 480))


def records_panel(title: str, rows: pd.DataFrame, file_name: str, key: str, highlight_overdue: bool = False) -> None:
    """The records behind a clicked figure: a heading with the count, the table and its Excel download."""
    st.markdown(f"#### {title}（{len(rows)} 条）")
    if rows.empty:
        st.info("没有对应的记录。", icon=":material/info:")
        return
    records_table(rows, highlight_overdue=highlight_overdue, first=OWNER_FIRST if "整改责任人" in rows else ())
    download(rows, file_name, key=key)


def month_bars(df: pd.DataFrame, y: str, color: str | None, title: str, color_map: dict | None = None,
               barmode: str = "stack", key: str | None = None, height: int = 440, y_label: str | None = None,
               large: bool = False):
    """Monthly bars; every month of the window is on the axis (empty months at zero); the colour groups
    keep the order of color_map (e.g. 一般, 较大, 重大, 特别重大). Returns the selection state when key is
    given (click a bar to see its records). large=True: projector size."""
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
    theme.style(fig, title, height, large=large)
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


def clicked(event) -> dict | None:
    """The first clicked point of a plotly selection: {"x", "y", "group"} (group = the point's customdata)."""
    sel = (event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)) if event else None
    points = (sel.get("points") if isinstance(sel, dict) else getattr(sel, "points", None)) if sel else None
    if not points:
        return None
    p = points[0]
    cd = p.get("customdata")
    group = cd[0] if isinstance(cd, (list, tuple)) and cd else cd if isinstance(cd, str) else None
    return {"x": p.get("x"), "y": p.get("y"), "group": group}


def hbars(df: pd.DataFrame, cat: str, val: str, title: str, x_title: str, color: str | None = None,
          color_map: dict | None = None, key: str | None = None, height: int | None = None, text_kind: str = "count",
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
        fig.update_xaxes(tickformat=".0%", range=[0, 1.15])
    elif len(d) and d[val].max() <= 8:
        fig.update_xaxes(dtick=1, range=[0, d[val].max() + 1])
    theme.style(fig, title, height or max(280, 48 * d[cat].nunique() + 150), large=large)
    if key:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points",), theme=None)
    st.plotly_chart(fig, theme=None)
    return None


def short_name(company: str) -> str:
    """A company name for a chart axis: without the 有限公司 / 有限责任公司 / 股份有限公司 suffix."""
    for suffix in ("股份有限公司", "有限责任公司", "有限公司"):
        if company.endswith(suffix) and len(company) > len(suffix):
            return company[: -len(suffix)]
    return company


def planned_actual_bars(df: pd.DataFrame, x: str, planned: str, actual: str, rate: str, title: str,
                        key: str | None = None, height: int = 460):
    """Planned vs actual as grouped bars (left axis) with the completion rate as a line above them (right
    axis). x is a company or a month column (company names are shortened on the axis); clickable with key:
    the clicked point's group is the full value of x."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    money = BY_NAME[planned].kind == "money"
    labels = [short_name(str(v)) for v in df[x]] if x == "company" else list(df[x])
    for i, m in enumerate((planned, actual)):
        fig.add_bar(x=labels, y=df[m], name=BY_NAME[m].label, marker_color=theme.PALETTE[4 if i == 0 else 0],
                    customdata=df[x], hovertemplate="%{x}<br>" + BY_NAME[m].label + "：%{y:,.1f}<extra></extra>")
    fig.add_scatter(x=labels, y=df[rate], name=BY_NAME[rate].label, mode="lines+markers+text",
                    line=dict(color=theme.PALETTE[3], width=3), marker=dict(size=10), customdata=df[x],
                    text=[fmt(v, "rate") for v in df[rate]], textposition="top center",
                    hovertemplate="%{x}<br>" + BY_NAME[rate].label + "：%{y:.1%}<extra></extra>", secondary_y=True)
    top = float(pd.concat([df[planned], df[actual]]).max() or 1)
    fig.update_yaxes(title="万元" if money else "人次", secondary_y=False, range=[0, top * 1.7])
    fig.update_yaxes(title=BY_NAME[rate].label, tickformat=".0%", range=[0, 1.2], dtick=0.2, secondary_y=True,
                     showgrid=False)
    fig.update_xaxes(type="category", title=None)
    fig.update_layout(barmode="group")
    theme.style(fig, title, height)
    if key:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode=("points",), theme=None)
    st.plotly_chart(fig, theme=None)
    return None


def month_lines(df: pd.DataFrame, x: str, lines: dict[str, str], title: str, kind: str = "rate",
                height: int = 400, dash: dict[str, str] | None = None) -> None:
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
    st.plotly_chart(fig, theme=None)


def status_matrix(df: pd.DataFrame, cols: list[str], key: str | None = None, big: bool = False):
    """The company × indicator heat table: each cell coloured by the status word it starts with
    (theme.INDICATOR_STATUS_COLORS) — the word is always written. With key, a cell can be clicked:
    returns (company, indicator or None) or None."""
    def cell_style(v) -> str:
        c = theme.INDICATOR_STATUS_COLORS.get(str(v).split(" ")[0])
        return f"background-color: {c}; color: white; font-weight: bold" if c else "color: #666; text-align: center"
    sty = df.style.map(cell_style, subset=cols)
    if big:
        st.table(sty.hide(axis="index"))
        return None
    ev = st.dataframe(sty, hide_index=True, width="stretch", height=min(40 + 36 * len(df), 640), key=key,
                      on_select="rerun" if key else "ignore", selection_mode="single-cell")
    cells = (ev.selection.cells if key and ev is not None and ev.selection else []) or []
    if not cells:
        return None
    row, col = cells[0][0], cells[0][1]
    return df["单位"].iloc[row], (col if col in cols else None)


def indicator_bars(att: pd.DataFrame, title: str) -> None:
    """Indicators per company by status (达标 / 未达标 / 突破 / 无数据) as stacked horizontal bars."""
    parts = {"达标": att["达标"], "未达标": att["未达标"] - att["突破"], "突破": att["突破"], "无数据": att["无数据"]}
    fig = go.Figure()
    for word, values in parts.items():
        fig.add_bar(y=att["单位"], x=values, name=word, orientation="h",
                    marker_color=theme.INDICATOR_STATUS_COLORS[word],
                    text=[str(int(v)) if v else "" for v in values], textposition="inside",
                    insidetextfont=dict(color="white", size=16),
                    hovertemplate="%{y}<br>" + word + "：%{x} 项<extra></extra>")
    fig.update_layout(barmode="stack", legend=dict(traceorder="normal", y=1.0, yanchor="bottom"))
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(title=dict(text="指标数（项）", standoff=14), dtick=1)
    theme.style(fig, title, max(300, 48 * len(att) + 150))
    st.plotly_chart(fig, theme=None)


def comparison_table(df: pd.DataFrame) -> None:
    """analytics.profile.comparison as shown: 指标 | 本单位 | 上年同期 | 同比 | 集团 | 集团内排名; the 同比 arrow is
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
                 height=40 + 36 * len(show))


def month_labels(months) -> list[str]:
    """Month axis labels: "3月" when every month is in one year (the year is in the title), else "2026-03"."""
    months = [str(m)[:7] for m in months]
    if len({m[:4] for m in months}) == 1:
        return [f"{int(m[5:7])}月" for m in months]
    return months


def compare_bars(df: pd.DataFrame, x: str, cols: dict[str, str], title: str, y_title: str, height: int = 420) -> None:
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
    st.plotly_chart(fig, theme=None)


def record_tabs(sheets: dict[str, pd.DataFrame]) -> None:
    """Several record lists as tabs titled with their counts (open hazards with owner and deadline first)."""
    tabs = st.tabs([f"{name}（{len(df)}）" for name, df in sheets.items()])
    for tab, (name, df) in zip(tabs, sheets.items()):
        with tab:
            if df.empty:
                st.info(f"没有{name}。", icon=":material/check_circle:")
            else:
                records_table(df, highlight_overdue=True, first=OWNER_FIRST)
