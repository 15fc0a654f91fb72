"""Shared page pieces: KPI cards, captions (口径), formatted numbers, downloads, banners."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.exports import to_xlsx
from analytics.metrics import BY_NAME

from .state import Filters


def fmt(value, kind: str) -> str:
    """A metric value as leadership reads it: 95.2%, 12, 3.5 万元, 8.4 天, — when undefined."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "money":
        return f"{value:,.1f} 万元"
    if kind == "days":
        return f"{value:.1f} 天"
    return f"{int(value):,}"


def fmt_metric(name: str, value) -> str:
    return fmt(value, BY_NAME[name].kind)


def kpi_row(values: dict, names: list[str], last_year: dict | None = None, lower_is_better: tuple = ()) -> None:
    """Big numbers with their 口径 as tooltip; an arrow against the same period last year."""
    cols = st.columns(len(names))
    for col, name in zip(cols, names):
        m = BY_NAME[name]
        delta = None
        if last_year is not None:
            v, lv = values.get(name), last_year.get(name)
            if v is not None and lv is not None:
                d = v - lv
                delta = (f"{d * 100:+.1f} 个百分点" if m.kind == "rate" else f"{d:+,.1f}" if m.kind in ("money", "days")
                         else f"{int(d):+,}") + " 同比"
        col.metric(m.label, fmt(values.get(name), m.kind), delta,
                   delta_color="inverse" if name in lower_is_better else "normal",
                   help=m.caption, border=True)


def caption(text: str, filters: Filters | None = None) -> None:
    prefix = f"统计期 {filters.label}，状态截至 {filters.window.as_of:%Y-%m-%d}。" if filters else ""
    st.caption(f"口径：{prefix}{text}")


def metric_caption(names: list[str], filters: Filters | None = None) -> None:
    caption("；".join(f"{BY_NAME[n].label}＝{BY_NAME[n].caption}" for n in names), filters)


def download(df: pd.DataFrame, file_name: str, label: str = "下载 Excel", key: str | None = None) -> None:
    st.download_button(label, to_xlsx({"数据": df}), file_name=file_name, key=key or f"dl_{file_name}",
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
