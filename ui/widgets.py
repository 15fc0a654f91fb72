"""Shared page pieces: KPI cards, captions (口径), formatted numbers, downloads, banners."""
from __future__ import annotations

import functools
import html
import logging
import math
from pathlib import Path

import pandas as pd
import streamlit as st

from analytics.documents.exports import MIME as XLSX_MIME, to_xlsx
from analytics.textnorm import safe_filename
from analytics.figures.metrics import BY_NAME
from analytics.figures.scorecard import LOWER_IS_BETTER, NEUTRAL

from . import safe
from .state import Filters

UI_DIR = Path(__file__).resolve().parent
ERROR_TEXT = "页面出现内部错误，数据未受影响。请刷新页面重试；如仍出现，请联系安全部系统管理员。"


def internal_error(where: str) -> None:
    """Nobody sees a traceback: log it (with the page or slide it came from), tell the user in Chinese.
    Call inside an `except Exception` block."""
    logging.getLogger("safety").exception("%s failed", where)
    st.error(ERROR_TEXT, icon=":material/error:")


def guarded(where: str):
    """A decorator for code that runs outside app.py's guard (fragment reruns, widget callbacks): an
    exception is logged and shown as ERROR_TEXT instead of Streamlit's English error page. Streamlit's own
    rerun/stop signals are BaseExceptions and pass through."""
    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception:  # noqa: BLE001
                internal_error(where)
                return None
        return run
    return wrap


def is_missing(value) -> bool:
    """None, NaN, pd.NA or NaT: shown as —."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def fmt(value, kind: str, unit: bool = True) -> str:
    """A metric value as leadership reads it: 95.2%, 1,809, 0.37 万元, 8.4 天, — when undefined. The one
    number formatter of the app (cards, tables, chart labels).
    Rates are cut, not rounded, to 0.1 % (94.97 % shows 94.9 %, never a 95.0 % that misses a 95 % rule).
    Money (万元) always has two decimals and a thousands separator; unit=False leaves the unit out (for a card
    or a column whose label already says 万元)."""
    if is_missing(value):
        return "—"
    if kind == "rate":
        return f"{math.floor(value * 1000 + 1e-6) / 10:.1f}%"
    if kind == "money":
        return f"{value:,.2f}" + (" 万元" if unit else "")
    if kind == "days":
        return f"{value:.1f}" + (" 天" if unit else "")
    if kind == "day_count":
        return f"{int(value):,}" + (" 天" if unit else "")
    return f"{int(value):,}"


def fmt_change(d: float, kind: str) -> str:
    """A signed difference against last year, as a card shows it: +0.4 个百分点 (rates), -727.50 (万元), +21."""
    if kind == "rate":
        return f"{d * 100:+.1f} 个百分点"
    if kind == "money":
        return f"{d:+,.2f}"
    if kind in ("days",):
        return f"{d:+,.1f}"
    return f"{int(round(d)):+,}"


def due_text(days) -> str:
    """逾期天数 (as-of date − deadline) as a meeting reads it: 537 天 when overdue, 今日到期, 未到期（剩 19 天）."""
    if is_missing(days):
        return "—"
    d = int(days)
    return f"{d:,} 天" if d > 0 else "今日到期" if d == 0 else f"未到期（剩 {-d:,} 天）"


def due_split(df: pd.DataFrame) -> pd.DataFrame:
    """An open-hazard list for Excel: 逾期天数 only where overdue, 剩余天数 where not yet due (no negative days)."""
    if "逾期天数" not in df:
        return df
    days = pd.to_numeric(df["逾期天数"], errors="coerce")
    out = df.copy()
    at = list(out.columns).index("逾期天数")
    out["逾期天数"] = days.where(days > 0).astype("Int64")
    out.insert(at + 1, "剩余天数", (-days).where(days <= 0).astype("Int64"))
    return out


def table_height(rows: int, row_height: int = 35, cap: int | None = None) -> int:
    """The pixel height of an st.dataframe that shows every row and no empty row below the last one
    (header + rows + the 2 px border); cap = the most it may take before it scrolls."""
    h = 35 + rows * row_height + 3
    return min(h, cap) if cap else h


def fmt_metric(name: str, value) -> str:
    return fmt(value, BY_NAME[name].kind)


def kpi_card(values: dict, name: str, last_year: dict | None = None, lower_is_better: tuple = ()) -> dict:
    """The st.metric arguments of one metric: its value, its 口径 as tooltip and an arrow against the same
    period last year, green when better, red when worse, grey for counts that are neither (how many hazards
    were found) or unchanged. Money keeps its unit in the label (万元), so the number stays large."""
    m = BY_NAME[name]
    delta, color, arrow = None, ("inverse" if name in lower_is_better or name in LOWER_IS_BETTER else
                                 "off" if name in NEUTRAL else "normal"), "auto"
    if last_year is not None:
        v, lv = values.get(name), last_year.get(name)
        if not is_missing(v) and not is_missing(lv):
            d = v - lv
            if abs(d) < 1e-9:
                delta, color, arrow = "与上年同期持平", "off", "off"
            else:
                delta = fmt_change(d, m.kind) + " 同比"
    money = m.kind == "money"
    return dict(label=f"{m.label}（万元）" if money else m.label, value=fmt(values.get(name), m.kind, unit=not money),
                delta=delta, delta_color=color, delta_arrow=arrow, help=m.caption)


def metric_cards(cards: list[dict], per_row: int = 6) -> None:
    """KPI cards in rows of at most per_row, the rows balanced (7 cards: 4 + 3), every card of the same width
    and height, labels and 同比 lines wrapped (never cut to “直接经济…”)."""
    if not cards:
        return
    rows = math.ceil(len(cards) / per_row)
    width = math.ceil(len(cards) / rows)
    for r in range(rows):
        cols = st.columns(width)
        for col, card in zip(cols, cards[r * width:(r + 1) * width]):
            col.metric(**{"border": True, "height": "stretch", **card})


def kpi_row(values: dict, names: list[str], last_year: dict | None = None, lower_is_better: tuple = (),
            extra: list[dict] | None = None, per_row: int = 6) -> None:
    """Big numbers (see kpi_card); extra: further cards after them, each a dict of st.metric arguments."""
    metric_cards([kpi_card(values, n, last_year, lower_is_better) for n in names] + list(extra or []), per_row)


def caption(text: str, filters: Filters | None = None) -> None:
    prefix = f"统计期 {filters.label}，状态截至 {filters.window.as_of:%Y-%m-%d}。" if filters else ""
    st.caption(f"口径：{prefix}{text}")


def metric_caption(names: list[str], filters: Filters | None = None) -> None:
    caption("；".join(f"{BY_NAME[n].label}＝{BY_NAME[n].caption}" for n in names), filters)


def download(df, file_name: str, label: str = "下载 Excel", key: str | None = None) -> None:
    """A table as a formatted .xlsx (the one download widget of every table). `df` may be a function giving
    the table: it then runs on click (e.g. every record behind a page that shows the first ones)."""
    download_sheets({"数据": df}, file_name, label, key)


def download_sheets(sheets: dict[str, pd.DataFrame], file_name: str, label: str = "下载 Excel",
                    key: str | None = None) -> None:
    """Several tables in one workbook, one sheet each, plus a sheet 说明 with the window and the 口径;
    formula-safe (analytics.documents.exports). The bytes are made when the button is clicked."""
    f = st.session_state.get("filters")
    window = f.window if f is not None else None
    def make() -> bytes:
        return to_xlsx({k: v() if callable(v) else v for k, v in sheets.items()}, window)
    download_file(label, make, safe_filename(file_name), XLSX_MIME, key or f"dl_{file_name}")


def download_file(label: str, make, file_name: str, mime: str, key: str, icon: str = ":material/download:") -> None:
    """A download button whose bytes `make()` builds on click (documents: 通报, deck, 统计表).

    on_click="ignore": the click must not rerun the page. Streamlit (1.67) sends the built file's URL back on
    the session's message queue, and a run that starts clears that queue of everything but lifecycle messages:
    when the rerun a click causes starts while `make()` is still building (a loaded machine), the answer is
    dropped, no download starts and the button spins for 3 minutes. Nothing on a page depends on that rerun."""
    st.download_button(label, make, file_name=file_name, key=key, mime=mime, icon=icon, on_click="ignore")


def demo_banner(is_demo: bool, real_batches: int = 0) -> None:
    """Says plainly when demo data is shown — and, once real ledgers have been uploaded, that the demo batches
    are still active and counted with them (until they are reverted)."""
    if not is_demo:
        return
    if real_batches:
        st.warning(f"**演示数据仍在库中**：已上传 {real_batches} 个真实台账批次，但演示批次（上传人“演示数据”）尚未撤销，"
                   "各页数字是真实数据与演示数据的合计。请在“数据上传 → 上传记录与撤销”撤销全部演示批次。",
                   icon=":material/warning:")
    else:
        st.info("当前显示的是**演示数据**（8 家虚拟子公司、24 个月）。在“数据上传”页上传真实台账后，请撤销演示批次。",
                icon=":material/info:")


def empty_note(what: str = "数据") -> None:
    st.info(f"所选范围内暂无{what}。请调整左侧统计期间或单位，或在“数据上传”页上传台账。", icon=":material/info:")


ISSUE_COLUMNS = {"level": "级别", "code": "代码", "message": "原因", "sheet": "工作表", "row": "行号", "row_no": "行号",
                 "column": "列", "column_name": "列", "value": "单元格内容", "col": "列序号"}
BATCH_STATUS = {"loaded": "有效", "reverted": "已撤销"}


def history_view(hist: pd.DataFrame) -> pd.DataFrame:
    """Upload history, newest first, in Chinese."""
    v = hist.sort_values("id", ascending=False)
    when = lambda c: pd.to_datetime(v[c]).dt.strftime("%Y-%m-%d %H:%M").fillna("")  # noqa: E731
    return pd.DataFrame({
        "批次": v["id"], "上传时间": when("uploaded_at"), "状态": v["status"].map(BATCH_STATUS),
        "文件": v["file"], "台账": v["ledger_label"], "单位": v["company"],
        "期间": v["period_start"].fillna("") + "～" + v["period_end"].fillna(""),
        "行数": v["rows"], "新增": v["inserted"], "修改": v["updated"], "未变": v["unchanged"], "警告": v["warnings"],
        "上传人": v["uploaded_by"], "撤销时间": when("reverted_at"), "SHA-256": v["sha256"].str[:12]})


def batch_label(hist: pd.DataFrame, batch_id: int) -> str:
    r = hist[hist["id"] == batch_id].iloc[0]
    return f"#{r['id']} {r['file']}（{r['ledger_label']}，{r['company']}，{r['rows']} 行，{r['uploaded_at']:%Y-%m-%d %H:%M}）"


RAG_BG = {"红": "#D55E00", "黄": "#E69F00", "绿": "#009E73", "无数据": "#999999"}


def rag_badge(color: str, size: str = "1.0em") -> str:
    """A red/amber/green badge as HTML: the colour and its word (never colour alone)."""
    return (f'<span style="background:{RAG_BG.get(color, "#999")};color:white;font-weight:bold;'
            f'padding:0.1em 0.55em;border-radius:0.3em;font-size:{size}">● {html.escape(str(color))}</span>')


def legend(colors: dict[str, str], note: str = "") -> None:
    """A colour legend as chips, each with its word."""
    chips = "　".join(f'<span style="background:{c};color:white;font-weight:bold;padding:0.1em 0.5em;'
                     f'border-radius:0.3em">{safe.md(w)}</span>' for w, c in colors.items())
    st.markdown(f"图例：{chips}　{safe.md(note)}", unsafe_allow_html=True)


def rag_rules(rules: list[tuple[str, str]]) -> None:
    """The red/amber/green rules, printed from analytics.figures.rag (what the code does is what the page says)."""
    lines = [f"{rag_badge(c)}&nbsp; {safe.md(text)}" for c, text in rules]
    st.markdown("  \n".join(lines), unsafe_allow_html=True)


def flag_rules(rules: dict[str, str]) -> None:
    """The 需要关注 rules, printed from analytics.figures.anomalies.RULES."""
    st.markdown("\n".join(f"- **{k}**：{v}" for k, v in rules.items()))


_PLACE = ("工作表", "行号", "单元格", "列", "单元格内容")


def issues_view(issues) -> pd.DataFrame:
    """Errors or warnings of a file as a table: 级别, 工作表, 行号, 单元格, 列, 单元格内容, 原因. A place that no
    issue of the table has (a file-level error such as 未识别出台账: no sheet, row or cell) is left out, one that
    some lack is blank, and an empty cell of a row reads （空） — st.dataframe draws a missing value as "None"."""
    df = pd.DataFrame([{"级别": x.level, "工作表": x.sheet, "行号": x.row, "单元格": getattr(x, "cell", None),
                        "列": x.column, "单元格内容": x.value, "原因": x.message} for x in issues],
                      columns=["级别", *_PLACE, "原因"])
    in_row = df["行号"].notna()
    df["单元格内容"] = df["单元格内容"].where(df["单元格内容"].fillna("") != "", in_row.map({True: "（空）", False: None}))
    df = df.drop(columns=[c for c in _PLACE if df[c].isna().all()])
    if "行号" in df and not in_row.all():           # numbers where every issue has one, else text (blank: none)
        df["行号"] = [str(int(r)) if r == r else "" for r in df["行号"]]
    return df.fillna("")


CHANGE_COLUMNS = {"label": "记录", "company": "单位", "field": "字段", "old_value": "原值", "new_value": "新值"}


def batch_changes_view(df: pd.DataFrame) -> pd.DataFrame:
    """A batch's recorded changes (analytics.store.history.batch_changes), as changes_view shows them."""
    out = df.rename(columns=CHANGE_COLUMNS)
    for c in ("原值", "新值"):
        out[c] = out[c].fillna("").replace("", "（空）")
    return out


def changes_view(diffs: dict) -> pd.DataFrame:
    """The fields an upload changes (or changed), one line per field: 台账, 记录 (编号 or 描述), 单位, 字段, 原值, 新值."""
    from analytics.ledgers import LEDGERS
    return pd.DataFrame([{"台账": LEDGERS[lg].label, "记录": c.label, "单位": c.company, "字段": f, "原值": old or "（空）",
                          "新值": new or "（空）"}
                         for lg, d in diffs.items() if d is not None for c in d.changed for f, old, new in c.fields])
