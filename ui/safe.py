"""The one escaping helper: ledger text (company names, descriptions, owners, file names …) shown as text.

`md(text)` for anything that Streamlit renders as markdown (st.markdown, st.title/subheader, st.caption,
st.info/error/success, expander labels) — with or without unsafe_allow_html: HTML is written as entities,
every markdown mark (links, images, emphasis, Streamlit's :color[…] and :material/…: directives) is
backslash-escaped, and bare URLs cannot become links. `label(text)` for plotly texts (axis categories,
legend names, hover text, titles), where plotly reads <a>, <b>, <br> and <img>-like tags.
`figure(fig)` applies `label` to every text of a figure (ui.theme.style calls it for every chart).
"""
from __future__ import annotations

import html
import re

from analytics.textnorm import strip_control

_MD = re.compile(r"([\\`*_{}\[\]()#!|~:$@])")     # marks that start markup anywhere in a line
_WWW = re.compile(r"(www)\.", re.I)                  # "www.x.cn" would become a link (GFM autolink)


def md(text) -> str:
    """Text for markdown: shown exactly as written, never a link, image, markup or directive."""
    s = strip_control("" if text is None else str(text))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    s = _WWW.sub(r"\1\\.", _MD.sub(r"\\\1", s))
    s = re.sub(r"^([-+>=])", r"\\\1", s)                # a list, quote or heading mark at the start
    s = re.sub(r"^(\d+)([.)])", r"\1\\\2", s)
    return s.replace("\n", " ")


def label(text):
    """Text for a plotly label; non-strings pass through."""
    if not isinstance(text, str):
        return text
    return html.escape(strip_control(text), quote=False)


def unlabel(text):
    """The value behind a clicked plotly label (the inverse of `label`)."""
    return html.unescape(text) if isinstance(text, str) else text


def _labels(values):
    """Strings escaped at any depth of lists, tuples and numpy arrays; other values unchanged."""
    if isinstance(values, str):
        return label(values)
    if hasattr(values, "tolist") and not isinstance(values, (int, float)):
        values = values.tolist()
    if isinstance(values, (list, tuple)):
        return [_labels(v) for v in values]
    return values


_TRACE_TEXT = ("x", "y", "text", "hovertext", "labels", "customdata", "ids", "parents")


def figure(fig):
    """Every text of a figure that plotly would render as markup, escaped (in place; returns the figure)."""
    for tr in fig.data:
        for attr in _TRACE_TEXT:
            if attr in tr and tr[attr] is not None and _has_str(tr[attr]):
                tr[attr] = _labels(tr[attr])
        if "name" in tr and isinstance(tr.name, str):
            tr.name = label(tr.name)
        if "legendgroup" in tr and isinstance(tr.legendgroup, str):
            tr.legendgroup = label(tr.legendgroup)
    for ax in ("xaxis", "yaxis"):
        a = fig.layout[ax]
        if a.ticktext is not None:
            a.ticktext = _labels(a.ticktext)
        if a.categoryarray is not None:
            a.categoryarray = _labels(a.categoryarray)
    for ann in fig.layout.annotations or ():
        if isinstance(ann.text, str) and "<" in ann.text and not ann.text.startswith("<b>"):
            ann.text = label(ann.text)
    return fig


def _has_str(values) -> bool:
    if isinstance(values, str):
        return True
    if hasattr(values, "dtype"):
        return values.dtype == object and any(_has_str(v) for v in values)
    if isinstance(values, (list, tuple)):
        return any(_has_str(v) for v in values)
    return False


def frame(df):
    """A table for st.table (whose cells Streamlit renders as markdown): every text cell through `md`."""
    return df.map(lambda v: md(v) if isinstance(v, str) else v)
