"""The meeting deck (.pptx, python-pptx): one topic per slide, 16:9, large type for the back of the room —
title, 总览 KPIs against the same period last year, the red/amber/green company table, breached indicators,
open major hazards with owners and deadlines, accidents, and the trend charts.

Charts are plotly figures rendered to PNG by kaleido 1.x with the system Chromium (/usr/bin/chromium, or
$BROWSER_PATH): one persistent browser for the whole deck (kaleido.start_sync_server … stop_sync_server),
MathJax off and plotly.js from the installed plotly package, so nothing is downloaded. Every figure comes from
the engine (metrics.compute / frame, scorecard.company_table, records.*).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import time

import pandas as pd

from ..companies import registry
from ..figures.metrics import BY_NAME, GROUP, Window, compute, frame
from ..figures.profile import same_period_last_year
from ..figures.rag import AMBER, GREEN, NO_DATA, RED, own_reasons
from ..figures.ranking import rag_worst_first
from ..figures.records import accidents, open_major_hazards
from ..figures.scorecard import breach_list, company_table
from ..store.db import Store
from .bulletin import ISSUER, change, fmt, iso, long_date, period_label

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
BROWSER = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
FONT = "Noto Sans CJK SC"
KPIS = ("hazards_found", "rectification_rate", "on_time_rate", "overdue_open", "major_open", "accidents",
        "deaths", "training_completion", "investment_completion")
RAG_RGB = {RED: "C00000", AMBER: "E0A000", GREEN: "00803C", NO_DATA: "7F7F7F"}
TABLE_SLIDES = 3                # at most this many slides per table (worst rows first); the rest are counted
# Table layout (inches / points). python-pptx's row height is a minimum: PowerPoint and LibreOffice grow a row whose
# text needs more, so each row is given the height its text needs (estimate_row_height) and a slide takes rows until
# the next one would pass TABLE_BOTTOM (paginate). Noto Sans CJK SC: a CJK or full-width character is 1 em wide, a
# Latin letter or digit about 0.56 em (m W % about 0.9), a line 1.45 em high (ascender 1.16 + descender 0.29).
SLIDE_W, TABLE_LEFT, TABLE_TOP, TABLE_BOTTOM, TABLE_W = 13.333, 0.5, 1.25, 6.8, 12.3
HEAD_PT, BODY_PT = 16, 16       # header and body type size in the table cells
CELL_MARGIN_X, CELL_MARGIN_Y = 0.1, 0.05    # python-pptx's default cell margins (each side)
LINE_EM = 1.45
MAX_CELL_LINES = 3              # a longer cell text is cut with “…” (the full text is in the 通报 and on the pages)
CHART_COMPANIES = 20            # the per-company chart shows at most this many companies (the lowest rates)
CHART_PX = (1600, 760)
timings: dict[str, float] = {}  # the last deck's chart rendering times (docs/documents.md)


def deck_name(window: Window) -> str:
    return f"安全生产专题会议材料_{period_label(window, '-')}.pptx"


START_ATTEMPTS = 3


@contextlib.contextmanager
def chart_browser():
    """One kaleido server (one Chromium) for every chart of a deck, checked by drawing a one-point figure first:
    on a loaded machine kaleido 1.5.1 can bind its tab to the blank page's JavaScript context instead of its own
    page's (Runtime.enable after Page.navigate), and then every chart of that browser fails with "ReferenceError:
    kaleido_scopes is not defined". Such a browser is stopped and started again (START_ATTEMPTS in all)."""
    import kaleido
    os.environ.setdefault("BROWSER_PATH", BROWSER)
    for attempt in range(1, START_ATTEMPTS + 1):
        kaleido.start_sync_server(n=1, timeout=60, mathjax=False, silence_warnings=True)
        try:
            chart_png(_probe())
            break
        except Exception as e:                      # noqa: BLE001 - only kaleido's unready page is retried
            kaleido.stop_sync_server(silence_warnings=True)
            if attempt == START_ATTEMPTS or "kaleido_scopes is not defined" not in str(e):
                raise
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def _probe():
    import plotly.graph_objects as go
    return go.Figure(go.Scatter(x=[0], y=[0]))


def chart_png(fig) -> bytes:
    import kaleido
    return kaleido.calc_fig_sync(fig, opts={"format": "png", "width": CHART_PX[0], "height": CHART_PX[1]})


# ------------------------------------------------------------------ slides
def _prs():
    from pptx import Presentation
    from pptx.util import Inches
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    return prs


def _text(tf, text: str, size: int, bold: bool = False, color: str | None = None, align=None) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt
    p = tf.paragraphs[0]
    p.text = ""
    r = p.add_run()
    r.text = text
    r.font.size, r.font.bold, r.font.name = Pt(size), bold, FONT
    if color:
        r.font.color.rgb = RGBColor.from_string(color)
    if align is not None:
        p.alignment = align


def _line(tf, text: str, size: int, bold: bool = False, color: str | None = None, align=None) -> None:
    """One more paragraph in a text frame (the first is _text's)."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt
    p = tf.add_paragraph()
    if align is not None:
        p.alignment = align
    r = p.add_run()
    r.text = text
    r.font.size, r.font.bold, r.font.name = Pt(size), bold, FONT
    if color:
        r.font.color.rgb = RGBColor.from_string(color)


def _slide(prs, title: str, note: str = ""):
    from pptx.util import Inches
    s = prs.slides.add_slide(prs.slide_layouts[6])
    box = s.shapes.add_textbox(Inches(0.5), Inches(0.25), Inches(12.3), Inches(0.9))
    _text(box.text_frame, title, 34, True, "1F3864")
    if note:
        nb = s.shapes.add_textbox(Inches(0.5), Inches(6.85), Inches(12.3), Inches(0.5))
        nb.text_frame.word_wrap = True
        _text(nb.text_frame, note, 12, color="595959")
    return s


def char_em(ch: str) -> float:
    """The width of one character in em of Noto Sans CJK SC, rounded up: CJK, full-width and East Asian ambiguous
    (… — × ①, drawn full-width by a CJK font) 1, wide Latin 0.95, other Latin, digits and punctuation 0.6."""
    return 1.0 if _wide(ch) else 0.95 if ch in "MWmw%@" else 0.6


def _wide(ch: str) -> bool:
    import unicodedata
    return unicodedata.east_asian_width(ch) in ("W", "F", "A")


NO_LINE_START = "、，。：；！？）」』》〉％"      # CJK punctuation that never begins a line (it pulls the character before)


def _tokens(line: str) -> list[tuple[str, bool]]:
    """A line cut where it may wrap: each CJK character alone (closing punctuation stays with the one before), each
    run of Latin letters / digits / signs whole (as renderers break Latin only at spaces); (text, is_cjk)."""
    out: list[tuple[str, bool]] = []
    for ch in line:
        if ch in NO_LINE_START and out:
            out[-1] = (out[-1][0] + ch, out[-1][1])
        elif _wide(ch):
            out.append((ch, True))
        elif ch == " ":
            out.append((ch, False))
        elif out and not out[-1][1] and out[-1][0] != " ":
            out[-1] = (out[-1][0] + ch, False)
        else:
            out.append((ch, False))
    return out


AUTOSPACE_EM = 0.25             # LibreOffice widens the gap where CJK meets Latin text (PowerPoint does not)


def text_lines(text: str, width_in: float, size_pt: float) -> int:
    """How many lines `text` takes in a cell `width_in` wide (margins included) at `size_pt`: line breaks kept, each
    line wrapped token by token (_tokens), the CJK–Latin gap counted; a token wider than a line breaks anywhere."""
    room = max((width_in - 2 * CELL_MARGIN_X) * 72 / size_pt, 1.0)     # em per line (at least one character)
    n = 0
    for part in str(text).split("\n"):
        used, lines, prev = 0.0, 1, None
        for tok, cjk in _tokens(part):
            w = sum(char_em(c) for c in tok) + (AUTOSPACE_EM if prev is not None and prev != cjk else 0.0)
            if used and used + w > room:
                lines, used = lines + 1, 0.0
                w = sum(char_em(c) for c in tok.lstrip(" "))
            while w > room:                                      # a token longer than a whole line
                lines, w = lines + 1, w - room
            used, prev = used + w, cjk
        n += lines
    return n


def clip_text(text: str, width_in: float, size_pt: float, max_lines: int = MAX_CELL_LINES) -> str:
    """The text cut with “…” so that it takes at most max_lines lines."""
    text = str(text)
    if text_lines(text, width_in, size_pt) <= max_lines:
        return text
    lo, hi = 0, len(text)
    while lo < hi:                                             # the longest prefix that still fits with the “…”
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if text_lines(text[:mid] + "…", width_in, size_pt) <= max_lines else (lo, mid - 1)
    return text[:lo] + "…"


def estimate_row_height(cells: list[str], widths_in: list[float], size_pt: float) -> float:
    """A table row's height in inches: its tallest cell's lines × the line height, plus the top and bottom margins."""
    lines = max(text_lines(c, w, size_pt) for c, w in zip(cells, widths_in))
    return lines * LINE_EM * size_pt / 72 + 2 * CELL_MARGIN_Y


def paginate(heights: list[float], head: float, room: float = TABLE_BOTTOM - TABLE_TOP,
             slides: int = TABLE_SLIDES) -> list[list[int]]:
    """Row indexes per slide: each slide takes rows (in order) while the header and its rows fit in `room` inches,
    at most `slides` slides; rows that do not fit then are left out (the caller counts them)."""
    pages, cur, used = [], [], head
    for i, h in enumerate(heights):
        if cur and used + h > room:
            pages.append(cur)
            if len(pages) == slides:
                return pages
            cur, used = [], head
        cur.append(i)
        used += h
    if cur:
        pages.append(cur)
    return pages


def column_inches(widths: list[float]) -> list[float]:
    total = sum(widths)
    return [TABLE_W * w / total for w in widths]


def layout_table(header: list[str], rows: list[list[str]], widths: list[float]):
    """(the rows with every cell clipped to MAX_CELL_LINES, their estimated heights, the header's, the row indexes
    per slide) for a table of relative column `widths` — what _table draws."""
    cols = column_inches(widths)
    rows = [[clip_text(v, w, BODY_PT) for v, w in zip(r, cols)] for r in rows]
    heights = [estimate_row_height(r, cols, BODY_PT) for r in rows]
    head = estimate_row_height([str(x) for x in header], cols, HEAD_PT)
    return rows, heights, head, paginate(heights, head)


def _table(prs, title: str, header: list[str], rows: list[list[str]], widths: list[float], note: str = "",
           colors: dict | None = None, empty: str = "无") -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt
    colors = colors or {}
    if not rows:
        s = _slide(prs, title, note)
        box = s.shapes.add_textbox(Inches(0.8), Inches(2.8), Inches(11.7), Inches(1.5))
        _text(box.text_frame, empty, 36, True, "00803C")
        return
    rows, heights, head, pages = layout_table(header, [[str(v) for v in r] for r in rows], widths)
    shown = sum(len(p) for p in pages)
    if shown < len(rows):
        note = f"表中列出最需关注的前 {shown} 行，另有 {len(rows) - shown} 行未列出，见集团通报及会议看板。" + note
    cols = column_inches(widths)
    for k, page in enumerate(pages):
        s = _slide(prs, title + (f"（{k + 1}/{len(pages)}）" if len(pages) > 1 else ""), note)
        shape = s.shapes.add_table(1 + len(page), len(header), Inches(TABLE_LEFT), Inches(TABLE_TOP), Inches(TABLE_W),
                                   Inches(head + sum(heights[i] for i in page)))
        t = shape.table
        for j, w in enumerate(cols):
            t.columns[j].width = Inches(w)
        t.rows[0].height = Inches(head)
        for i, g in enumerate(page, 1):
            t.rows[i].height = Inches(heights[g])
        for i, (g, cells) in enumerate([(None, header), *((g, rows[g]) for g in page)]):
            for j, v in enumerate(cells):
                cell = t.cell(i, j)
                cell.text = v
                para = cell.text_frame.paragraphs[0]
                for r in para.runs:
                    r.font.size, r.font.name, r.font.bold = Pt(HEAD_PT if i == 0 else BODY_PT), FONT, i == 0
                c = colors.get((g, j)) if i else None
                if c:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor.from_string(c)
                    for r in para.runs:
                        r.font.color.rgb, r.font.bold = RGBColor(0xFF, 0xFF, 0xFF), True


def _kpis(prs, store: Store, window: Window, names: list[str]) -> dict:
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches
    ly = same_period_last_year(window)
    now = compute(store, window, names, KPIS)["group"]
    before = compute(store, ly, names, KPIS)["group"]
    s = _slide(prs, f"总览：{period_label(window)}集团安全生产主要指标",
               f"状态截至 {long_date(window.as_of)}；同比＝与上年同期（{long_date(ly.start)}至{long_date(ly.end)}）相比。")
    for i, name in enumerate(KPIS):
        x, y = 0.5 + (i % 3) * 4.15, 1.3 + (i // 3) * 1.8
        card = s.shapes.add_shape(1, Inches(x), Inches(y), Inches(3.95), Inches(1.65))
        card.fill.solid()
        card.fill.fore_color.rgb = RGBColor.from_string("F2F2F2")
        card.line.color.rgb = RGBColor.from_string("BFBFBF")
        words, judge = change(name, now[name], before[name])
        tf = card.text_frame
        tf.word_wrap = True
        _text(tf, BY_NAME[name].label, 18, color="404040", align=PP_ALIGN.CENTER)
        _line(tf, fmt(name, now[name]), 36, True, "000000", PP_ALIGN.CENTER)
        _line(tf, f"同比 {words}", 14, False, {"worse": "C00000", "better": "00803C"}.get(judge, "595959"), PP_ALIGN.CENTER)
    return now


def _chart_slide(prs, title: str, fig, note: str) -> None:
    from pptx.util import Inches
    s = _slide(prs, title, note)
    t = time.perf_counter()
    png = chart_png(fig)
    timings.setdefault("charts", []).append(time.perf_counter() - t)
    height = 5.55                                  # from 1.2 in to above the note line at 6.85 in
    width = height * CHART_PX[0] / CHART_PX[1]
    s.shapes.add_picture(io.BytesIO(png), Inches((13.333 - width) / 2), Inches(1.2), height=Inches(height))


def _layout(fig, y_title: str, percent: bool = False):
    fig.update_layout(font=dict(family=FONT, size=22), template="plotly_white", margin=dict(l=90, r=30, t=30, b=90),
                      legend=dict(orientation="h", y=1.08, x=0), yaxis_title=y_title)
    fig.update_xaxes(type="category")
    if percent:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def trend_figures(store: Store, window: Window, names: list[str]):
    """The trend charts: 12 months to the window's end, group rows."""
    import plotly.graph_objects as go
    first = (window.end.replace(day=1) - pd.DateOffset(months=11)).date()
    tw = Window.of(first, window.end, window.as_of)
    df = frame(store, ["hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "major_found"],
               tw, names, freq="month")
    g = df[df["company"] == GROUP]
    months = [f"{p:%Y-%m}" for p in pd.to_datetime(g["period"])]
    bars = go.Figure([go.Bar(x=months, y=g["hazards_found"], name="排查隐患", marker_color="#4472C4",
                             text=g["hazards_found"], textposition="outside"),
                      go.Bar(x=months, y=g["hazards_rectified"], name="已整改", marker_color="#70AD47")])
    lines = go.Figure([go.Scatter(x=months, y=g["rectification_rate"], name="隐患整改率", mode="lines+markers",
                                  line=dict(width=4)),
                       go.Scatter(x=months, y=g["on_time_rate"], name="按期整改率", mode="lines+markers",
                                  line=dict(width=4))])
    now = df[(df["company"] != GROUP)].groupby("company", sort=False)[["hazards_found"]].sum().reset_index()
    return (_layout(bars, "项"), _layout(lines, "", True), now, months)


def _company_rates(store: Store, window: Window, names: list[str]):
    import plotly.graph_objects as go
    t = company_table(store, window, names)
    t = t[t["company"] != GROUP]
    if len(t) > CHART_COMPANIES:
        t = t.sort_values("on_time_rate", kind="stable", na_position="last").head(CHART_COMPANIES)
    short = [n.replace("有限责任公司", "").replace("有限公司", "") for n in t["company"]]
    fig = go.Figure([go.Bar(x=short, y=t["on_time_rate"], name="按期整改率",
                            marker_color=[f"#{RAG_RGB[r]}" for r in t["rag"]],
                            text=[fmt("on_time_rate", v) for v in t["on_time_rate"]], textposition="outside")])
    for y, dash in ((0.9, "dash"), (0.8, "dot")):      # the labels right of the plot (inside, a bar covered them)
        fig.add_hline(y=y, line_dash=dash, annotation_text=f"{y:.0%}", annotation_position="right")
    return _layout(fig, "按期整改率", True).update_layout(margin=dict(r=90))


def build_deck(store: Store, window: Window):
    """The deck as a python-pptx Presentation."""
    from pptx.util import Inches
    names = list(registry(store).names)
    prs = _prs()
    s = prs.slides.add_slide(prs.slide_layouts[6])
    box = s.shapes.add_textbox(Inches(0.8), Inches(2.3), Inches(11.7), Inches(1.5))
    _text(box.text_frame, f"{period_label(window)}安全生产专题会议", 48, True, "C00000")
    sub = s.shapes.add_textbox(Inches(0.8), Inches(4.0), Inches(11.7), Inches(1.2))
    sub.text_frame.word_wrap = True             # one line would be wider than the slide (it ran off both edges)
    _text(sub.text_frame, f"{ISSUER}　{long_date(window.end)}", 24, color="404040")
    _line(sub.text_frame, f"统计期 {long_date(window.start)}至{long_date(window.end)}", 24, color="404040")

    _kpis(prs, store, window, names)
    t = company_table(store, window, names)
    t = t[t["company"] != GROUP]
    t = rag_worst_first(t)                      # red, then amber, worst first (the pages' order)
    rows = [[r["company"], r["rag"], fmt("on_time_rate", r["on_time_rate"]), fmt("overdue_open", r["overdue_open"]),
             fmt("major_open", r["major_open"]), fmt("accidents", r["accidents"]),
             own_reasons(r["rag_short"]) if r["rag"] != GREEN else "—"] for r in t.to_dict("records")]
    _table(prs, "各单位安全生产状态（红黄绿）", ["单位", "状态", "按期整改率", "逾期未整改", "重大隐患未整改", "事故", "依据"],
           rows, [2.7, 1.0, 1.4, 1.4, 1.85, 0.95, 3.5], "红：死亡事故、较大及以上事故、突破控制指标、逾期重大隐患、按期整改率<80%；"
           "黄：事故、迟报、四不放过未闭环、未整改重大隐患、按期整改率<90%、逾期隐患>5项。依据＝决定颜色的规则；先红后黄，同色按严重程度排列。",
           {(i, 1): RAG_RGB[r] for i, r in enumerate(t["rag"])})
    br = breach_list(store, window, names)
    _table(prs, "突破目标责任书控制指标", ["单位", "考核指标", "控制目标", "实际值", "依据"],
           br.astype(str).values.tolist(), [3.6, 3.0, 2.4, 2.0, 1.6], f"{window.end.year}年1月1日至截止日累计。",
           {(i, 3): "C00000" for i in range(len(br))}, "无突破控制指标")
    mj = open_major_hazards(store, window.as_of, names)
    mrows, mcol = [], {}
    for i, r in enumerate(mj.to_dict("records")):
        over = r["逾期天数"]
        over = None if over is None or over != over else int(over)
        mrows.append([r["单位"], str(r["隐患描述"] or "—"), str(r["整改责任人"] or "未明确"), iso(r["整改期限"]),
                      "—" if over is None else f"逾期 {over} 天" if over > 0 else "未到期"])
        if over is not None and over > 0:
            mcol[(i, 4)] = "C00000"
    _table(prs, "未整改的重大隐患", ["单位", "隐患描述", "责任人", "整改期限", "状态"], mrows, [2.6, 5.0, 1.4, 1.6, 1.9],
           f"截至 {long_date(window.as_of)}，不限发现时间。", mcol, "无未整改的重大隐患")
    acc = accidents(store, window, names)
    arows, acol = [], {}
    for i, r in enumerate(acc.to_dict("records")):
        arows.append([r["单位"], f"{pd.Timestamp(r['发生时间']):%Y-%m-%d}", f"{r['事故类别'] or '—'}／{r['事故等级'] or '—'}",
                      f"死亡 {int(r['死亡人数'] or 0)}／重伤 {int(r['重伤人数'] or 0)}", r["上报情况"], r["四不放过"]])
        if r["上报情况"] != "按时":
            acol[(i, 4)] = "C00000"
        if r["四不放过"] != "已闭环":
            acol[(i, 5)] = "C00000"
    _table(prs, "生产安全事故", ["单位", "发生时间", "类别／等级", "伤亡", "上报", "四不放过"], arows,
           [3.0, 1.6, 2.2, 2.2, 1.2, 2.4], "事故等级按国务院令第493号；迟报＝发生后 1 小时以上报告。", acol,
           "统计期内未发生生产安全事故")
    bars, lines, _, months = trend_figures(store, window, names)
    timings.clear()
    with chart_browser():
        _chart_slide(prs, f"隐患排查与整改趋势（{months[0]}—{months[-1]}）", bars,
                     "排查隐患＝当月发现的隐患；已整改＝其中当月末前整改完成的。")
        _chart_slide(prs, "隐患整改率与按期整改率趋势", lines, f"{BY_NAME['on_time_rate'].label}：{BY_NAME['on_time_rate'].caption}。")
        _chart_slide(prs, "各单位按期整改率（颜色＝红黄绿状态）" if len(names) <= CHART_COMPANIES else
                     f"按期整改率最低的 {CHART_COMPANIES} 家单位（颜色＝红黄绿状态）", _company_rates(store, window, names),
                     "虚线 90%（低于为黄）、点线 80%（低于为红）。")
    return prs


def deck_pptx(store: Store, window: Window) -> bytes:
    buf = io.BytesIO()
    build_deck(store, window).save(buf)
    return buf.getvalue()


__all__ = ["PPTX_MIME", "build_deck", "chart_browser", "chart_png", "deck_name", "deck_pptx", "dt"]
