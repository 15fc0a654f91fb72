"""The 通报 as PDF: the same Bulletin blocks as the Word document, typeset by typst (PyPI `typst`, the compiler
in a wheel; no office suite, no browser) with the system's Noto CJK fonts (docs/documents.md gives the choice
and the measurements).

Layout of a 公文 (GB/T 9704 as far as the fonts allow): A4, margins 3.7/3.5/2.8/2.6 cm, the red masthead and
the red rule under the 文号, 小标宋-like bold serif title, 黑体 (Noto Sans CJK) for 一、 headings, serif body in
三号 (16 pt) with 28 pt lines, tables with a shaded header repeated on every page, page numbers "— 1 —".

Ledger text never becomes markup: every text goes into the typst source as a string literal (escaped), never
as markup, so # [ ] * _ $ @ < in a hazard description are printed as typed.
"""
from __future__ import annotations

from pathlib import Path

from .bulletin import RED_HEAD, Bulletin, Para, Table

FONT_DIRS = [d for d in ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto") if Path(d).is_dir()]
SERIF, SANS = "Noto Serif CJK SC", "Noto Sans CJK SC"
PDF_MIME = "application/pdf"

# kind → (font, size pt, bold, align, first-line indent in em, leading pt, space after pt)
STYLE = {
    "red": (SERIF, 34, True, "center", 0, 12, 6),
    "docno": (SERIF, 16, False, "center", 0, 10, 0),
    "title": (SERIF, 22, True, "center", 0, 14, 18),
    "to": (SERIF, 16, False, "left", 0, 12, 0),
    "h1": (SANS, 16, False, "left", 2, 12, 0),
    "h2": (SERIF, 16, True, "justify", 2, 12, 0),
    "body": (SERIF, 16, False, "justify", 2, 12, 0),
    "item": (SERIF, 16, False, "justify", 2, 12, 0),
    "sign": (SERIF, 16, False, "right", 0, 12, 0),
    "note_h": (SANS, 12, False, "left", 0, 6, 4),
    "note": (SERIF, 10.5, False, "justify", 2, 5, 0),
}


def lit(text: str) -> str:
    """A typst string literal: the text as data, never markup."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t") + '"'


def _runs(p: Para, bold: bool, color: str | None) -> str:
    out = []
    for r in p.runs:
        args = []
        if bold or r.bold:
            args.append('weight: "bold"')
        c = color or r.color
        if c:
            args.append(f'fill: rgb("#{c}")')
        out.append(f"text({', '.join(args)}, {lit(r.text)})" if args else lit(r.text))
    return " + ".join(out) or '""'


def _para(p: Para, first_sign: bool) -> str:
    font, size, bold, align, indent, leading, after = STYLE[p.kind]
    body = _runs(p, bold, RED_HEAD if p.kind == "red" else None)
    pad = f"right: {2 * size}pt" if p.kind == "sign" else "0pt"
    above = "28pt" if (p.kind == "sign" and first_sign) or p.kind == "note_h" else "0pt"
    src = (f'#block(above: {above}, below: {max(after, leading // 2)}pt, inset: (x: 0pt), width: 100%)[#pad({pad})[#set text(font: ("{font}"), '
           f'size: {size}pt)\n#set par(justify: {str(align == "justify").lower()}, leading: {leading // 2}pt, '
           f'first-line-indent: (amount: {indent}em, all: true))\n#align({"left" if align == "justify" else align})'
           f'[#({body})]]]')
    if p.kind == "docno":
        src += f'\n#line(length: 100%, stroke: 1.5pt + rgb("#{RED_HEAD}"))\n#v(16pt)'
    return src


def _table(t: Table) -> str:
    cols = ", ".join(f"{w}fr" for w in t.widths)
    head = ", ".join(f'[#text(font: ("{SANS}"), {lit(x)})]' for x in t.header)
    cells = [f"table.header(repeat: true, {head})"]
    for i, row in enumerate(t.rows):
        for j, x in enumerate(row):
            c = t.colors.get((i, j))
            style = f'fill: rgb("#{c}"), weight: "bold", ' if c else ""
            al = "center" if len(x) <= 12 else "left"
            cells.append(f"table.cell(align: {al})[#text({style}{lit(x)})]")
    size, inset = (t.size, 3) if t.size else (10.5, 4)
    return (f'#block(above: 6pt, below: 12pt)[#set text(font: ("{SERIF}"), size: {size}pt)\n#set par(justify: false, '
            f'leading: {inset}pt, first-line-indent: 0pt)\n#table(columns: ({cols},), stroke: 0.5pt, inset: {inset}pt, '
            f'fill: (x, y) => if y == 0 {{ rgb("#D9D9D9") }}, align: center + horizon,\n' + ",\n".join(cells) + ")]")


def typst_source(b: Bulletin) -> str:
    head = f"""#set document(title: {lit(b.title)}, author: {lit("集团公司安全环保部")})
#set page(paper: "a4", margin: (top: 3.7cm, bottom: 3.5cm, left: 2.8cm, right: 2.6cm),
  footer: context align(center, text(font: ("{SERIF}"), size: 14pt, "— " + counter(page).display() + " —")))
#set text(font: ("{SERIF}"), lang: "zh", region: "cn", size: 16pt, top-edge: "ascender", bottom-edge: "descender")
"""
    parts, first_sign = [head], True
    for block in b.blocks:
        if isinstance(block, Table):
            parts.append(_table(block))
        else:
            parts.append(_para(block, first_sign))
            if block.kind == "sign":
                first_sign = False
    return "\n".join(parts) + "\n"


def render_pdf(b: Bulletin) -> bytes:
    """The bulletin as a PDF (same content as render_docx)."""
    import typst
    return typst.compile(typst_source(b).encode("utf-8"), font_paths=FONT_DIRS)
