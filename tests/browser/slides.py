"""A whole slide of a python-pptx deck rendered in Chromium (no LibreOffice here, docs/documents.md): each shape is
composed into an absolutely positioned HTML element at its place and size — text boxes and auto shapes with their
runs (font, size, weight, colour, alignment) and fill, tables cell by cell with their fills, pictures (the kaleido
charts) as <img> — at 96 px per inch, and the page is screenshot. Every text element carries data-shape="k" so that
a test can check each one's Chinese glyphs (harness.cjk_problems)."""
from __future__ import annotations

import base64
import html

from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu

PX_PER_INCH = 96
ALIGN = {PP_ALIGN.CENTER: "center", PP_ALIGN.RIGHT: "right", PP_ALIGN.JUSTIFY: "justify"}


def px(emu) -> float:
    return Emu(int(emu or 0)).inches * PX_PER_INCH


def _rgb(color) -> str | None:
    try:
        return f"#{color.rgb}" if color.type is not None and color.rgb is not None else None
    except AttributeError:
        return None


def _fill(fill) -> str | None:
    try:
        return _rgb(fill.fore_color) if fill.type == 1 else None     # MSO_FILL.SOLID
    except (AttributeError, TypeError):
        return None


def _runs_html(tf) -> str:
    out = []
    for p in tf.paragraphs:
        spans = []
        for r in p.runs:
            f = r.font
            style = [f"font-family: '{f.name or 'Noto Sans CJK SC'}'"]
            if f.size:
                style.append(f"font-size: {f.size.pt * PX_PER_INCH / 72:.1f}px")
            if f.bold:
                style.append("font-weight: bold")
            c = _rgb(f.color)
            if c:
                style.append(f"color: {c}")
            spans.append(f'<span style="{"; ".join(style)}">{html.escape(r.text)}</span>')
        out.append(f'<p style="margin: 0; text-align: {ALIGN.get(p.alignment, "left")}">{"".join(spans) or "&nbsp;"}</p>')
    return "".join(out)


def slide_html(prs, index: int) -> str:
    """The slide `index` of `prs` as one HTML page of the slide's size."""
    slide = prs.slides[index]
    w, h = px(prs.slide_width), px(prs.slide_height)
    parts = []
    for k, sh in enumerate(slide.shapes):
        box = f"position: absolute; left: {px(sh.left):.1f}px; top: {px(sh.top):.1f}px; width: {px(sh.width):.1f}px"
        if sh.shape_type == MSO_SHAPE_TYPE.PICTURE:
            data = base64.b64encode(sh.image.blob).decode()
            parts.append(f'<img style="{box}; height: {px(sh.height):.1f}px" src="data:{sh.image.content_type};base64,{data}">')
        elif sh.has_table:
            t = sh.table
            cols = "".join(f'<col style="width: {px(c.width):.1f}px">' for c in t.columns)
            rows = []
            for i, r in enumerate(t.rows):
                cells = []
                for j, c in enumerate(r.cells):
                    bg = _fill(c.fill)
                    cells.append(f'<td data-shape="{k}-{i}-{j}" style="border: 1px solid #fff; padding: 4px 8px;'
                                 f'{f" background: {bg};" if bg else ""}">'
                                 f"{_runs_html(c.text_frame)}</td>")
                rows.append(f'<tr style="height: {px(r.height):.1f}px; background: #E9EBF5">{"".join(cells)}</tr>')
            parts.append(f'<table data-shape="{k}" style="{box}; border-collapse: collapse; table-layout: fixed">'
                         f'{cols}{"".join(rows)}</table>')
        elif sh.has_text_frame:
            bg = _fill(sh.fill) if sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE else None
            line = _rgb(sh.line.color) if sh.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE else None
            style = f"{box}; height: {px(sh.height):.1f}px; box-sizing: border-box; padding: 4px 10px; overflow: hidden"
            if bg:
                style += f"; background: {bg}"
            if line:
                style += f"; border: 1px solid {line}"
            parts.append(f'<div data-shape="{k}" style="{style}">{_runs_html(sh.text_frame)}</div>')
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"></head>'
            f'<body style="margin: 0"><div style="position: relative; width: {w:.0f}px; height: {h:.0f}px; '
            f'background: #fff; overflow: hidden">{"".join(parts)}</div></body></html>')


def text_elements(prs, index: int) -> list[str]:
    """The data-shape keys of the slide's elements holding Chinese text: text boxes, and every table cell."""
    out = []
    for k, sh in enumerate(prs.slides[index].shapes):
        if sh.has_table:
            out += [f"{k}-{i}-{j}" for i, r in enumerate(sh.table.rows) for j, c in enumerate(r.cells)
                    if any("\u3400" <= ch <= "\u9fff" for ch in c.text)]
        elif sh.has_text_frame and any("\u3400" <= ch <= "\u9fff" for ch in sh.text_frame.text):
            out.append(str(k))
    return out
