"""Shared page pieces: KPI cards, captions (口径), formatted numbers, downloads, banners."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analytics.exports import to_xlsx
from analytics.metrics import BY_NAME
from analytics.scorecard import LOWER_IS_BETTER, NEUTRAL

from .state import Filters


def fmt(value, kind: str) -> str:
    """A metric value as leadership reads it: 95.2%, 12, 3.5 万元, 8.4 天, — when undefined.
    Rates are cut, not rounded, to 0.1 % (94.97 % shows 94.9 %, never a 95.0 % that misses a 95 % rule)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "—"
    if kind == "rate":
        return f"{math.floor(value * 1000 + 1e-6) / 10:.1f}%"
    if kind == "money":
        return f"{value:,.1f} 万元"
    if kind == "days":
        return f"{value:.1f} 天"
    if kind == "day_count":
        return f"{int(value):,} 天"
    return f"{int(value):,}"


def fmt_metric(name: str, value) -> str:
    return fmt(value, BY_NAME[name].kind)


def kpi_row(values: dict, names: list[str], last_year: dict | None = None, lower_is_better: tuple = (),
            extra: list[dict] | None = None) -> None:
    """Big numbers with their 口径 as tooltip; an arrow against the same period last year, green when better,
    red when worse, grey for counts that are neither (how many hazards were found) or unchanged.
    extra: further cards in the same row, each a dict of st.metric arguments (label, value, …)."""
    cols = st.columns(len(names) + len(extra or []))
    for col, name in zip(cols, names):
        m = BY_NAME[name]
        delta, color, arrow = None, ("inverse" if name in lower_is_better or name in LOWER_IS_BETTER else
                                     "off" if name in NEUTRAL else "normal"), "auto"
        if last_year is not None:
            v, lv = values.get(name), last_year.get(name)
            if v is not None and lv is not None:
                d = v - lv
                if abs(d) < 1e-9:
                    delta, color, arrow = "与上年同期持平", "off", "off"
                else:
                    delta = (f"{d * 100:+.1f} 个百分点" if m.kind == "rate" else f"{d:+,.1f}" if m.kind in ("money", "days")
                             else f"{int(d):+,}") + " 同比"
        money = m.kind == "money"        # the unit goes to the label, so the number fits a narrow card
        col.metric(f"{m.label}（万元）" if money else m.label,
                   f"{values[name]:,.1f}" if money and values.get(name) is not None else fmt(values.get(name), m.kind),
                   delta, delta_color=color, delta_arrow=arrow, help=m.caption, border=True)
    for col, card in zip(cols[len(names):], extra or []):
        col.metric(**{"border": True, **card})


def caption(text: str, filters: Filters | None = None) -> None:
    prefix = f"统计期 {filters.label}，状态截至 {filters.window.as_of:%Y-%m-%d}。" if filters else ""
    st.caption(f"口径：{prefix}{text}")


def metric_caption(names: list[str], filters: Filters | None = None) -> None:
    caption("；".join(f"{BY_NAME[n].label}＝{BY_NAME[n].caption}" for n in names), filters)


def download(df: pd.DataFrame, file_name: str, label: str = "下载 Excel", key: str | None = None) -> None:
    st.download_button(label, to_xlsx({"数据": df}), file_name=file_name, key=key or f"dl_{file_name}",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:")


def download_sheets(sheets: dict[str, pd.DataFrame], file_name: str, label: str = "下载 Excel",
                    key: str | None = None) -> None:
    """Several tables in one workbook, one sheet each."""
    st.download_button(label, to_xlsx(sheets), file_name=file_name, key=key or f"dl_{file_name}",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", icon=":material/download:")


def demo_banner(is_demo: bool) -> None:
    if is_demo:
        st.info("当前显示的是**演示数据**（8 家虚拟子公司、24 个月）。在“数据上传”页上传真实台账后，可撤销演示批次。",
                icon=":material/info:")


def empty_note(what: str = "数据") -> None:
    st.info(f"所选范围内暂无{what}。请调整左侧统计期间或单位，或在“数据上传”页上传台账。", icon=":material/info:")


ISSUE_COLUMNS = {"level": "级别", "code": "代码", "message": "原因", "sheet": "工作表", "row": "行号", "row_no": "行号",
                 "column": "列", "column_name": "列", "value": "单元格内容", "col": "列序号"}
BATCH_STATUS = {"loaded": "有效", "reverted": "已撤销"}


def history_view(hist: pd.DataFrame) -> pd.DataFrame:
    """Upload history, newest first, in Chinese."""
    v = hist.sort_values("id", ascending=False)
    return pd.DataFrame({
        "批次": v["id"], "文件": v["file"], "台账": v["ledger_label"], "单位": v["company"],
        "期间": v["period_start"].fillna("") + "～" + v["period_end"].fillna(""),
        "行数": v["rows"], "新增": v["inserted"], "更新": v["updated"], "警告": v["warnings"],
        "状态": v["status"].map(BATCH_STATUS), "上传人": v["uploaded_by"], "上传时间": v["uploaded_at"],
        "撤销时间": v["reverted_at"], "SHA-256": v["sha256"].str[:12]})


def batch_label(hist: pd.DataFrame, batch_id: int) -> str:
    r = hist[hist["id"] == batch_id].iloc[0]
    return f"#{r['id']} {r['file']}（{r['ledger_label']}，{r['company']}，{r['rows']} 行，{r['uploaded_at']:%Y-%m-%d %H:%M}）"


RAG_BG = {"红": "#D55E00", "黄": "#E69F00", "绿": "#009E73", "无数据": "#999999"}


def rag_badge(color: str, size: str = "1.0em") -> str:
    """A red/amber/green badge as HTML: the colour and its word (never colour alone)."""
    return (f'<span style="background:{RAG_BG.get(color, "#999")};color:white;font-weight:bold;'
            f'padding:0.1em 0.55em;border-radius:0.3em;font-size:{size}">● {color}</span>')


def legend(colors: dict[str, str], note: str = "") -> None:
    """A colour legend as chips, each with its word."""
    chips = "　".join(f'<span style="background:{c};color:white;font-weight:bold;padding:0.1em 0.5em;'
                     f'border-radius:0.3em">{w}</span>' for w, c in colors.items())
    st.markdown(f"图例：{chips}　{note}", unsafe_allow_html=True)


def rag_rules(rules: list[tuple[str, str]]) -> None:
    """The red/amber/green rules, printed from analytics.rag (what the code does is what the page says)."""
    lines = [f"{rag_badge(c)}&nbsp; {text}" for c, text in rules]
    st.markdown("  \n".join(lines), unsafe_allow_html=True)


def flag_rules(rules: dict[str, str]) -> None:
    """The 需要关注 rules, printed from analytics.anomalies.RULES."""
    st.markdown("\n".join(f"- **{k}**：{v}" for k, v in rules.items()))


def issues_view(issues) -> pd.DataFrame:
    """Errors or warnings of a file as a table: 工作表, 行号, 单元格, 列, 单元格内容, 原因."""
    return pd.DataFrame([{"级别": x.level, "工作表": x.sheet, "行号": x.row, "单元格": getattr(x, "cell", None),
                          "列": x.column, "单元格内容": x.value, "原因": x.message} for x in issues])
