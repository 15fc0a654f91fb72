"""Text normalisation shared by header matching, vocabularies and company names."""
from __future__ import annotations

import re
import unicodedata

_PARENS = re.compile(r"[（(][^（）()]*[）)]")
_SPACE = re.compile(r"\s+")
_MARKS = re.compile(r"[*＊★:：、，,。.;；\"'“”‘’·]")


def nfkc(s: str) -> str:
    """Full-width → half-width (（）→(), ＡＢ→AB, 　→space)."""
    return unicodedata.normalize("NFKC", s)


def compact(s: str) -> str:
    """NFKC, no white space at all, lower case."""
    return _SPACE.sub("", nfkc(s)).lower()


def header_key(s: str) -> str:
    """A header cell as matched against synonyms: no spaces or line breaks, no (units), no marks."""
    s = compact(s)
    s = _PARENS.sub("", s)
    return _MARKS.sub("", s)


def vocab_key(s: str) -> str:
    return _MARKS.sub("", _PARENS.sub("", compact(s))) or compact(s)


_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "公司")


def company_key(s: str) -> str:
    """Company names match regardless of width, spaces and the 有限公司/有限责任公司 suffix."""
    k = compact(s).replace("(", "").replace(")", "")
    for suf in _SUFFIXES:
        if k.endswith(suf) and len(k) > len(suf):
            return k[: -len(suf)]
    return k


# Control characters (C0 and C1, DEL) other than tab and the line breaks a wrapped Excel cell holds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control(s: str) -> bool:
    return bool(_CONTROL.search(s))


def strip_control(s: str) -> str:
    return _CONTROL.sub("", s)


_UNSAFE_FILE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str, fallback: str = "文件") -> str:
    """A file name built from data: no folders (../, /, \\), no control or reserved characters, no leading dot,
    at most 120 characters; e.g. "../../../X通报.docx" → "X通报.docx"."""
    s = _UNSAFE_FILE.sub("_", strip_control(nfkc(name)))
    s = re.sub(r"_*\.\.+_*", ".", s).strip(" ._")
    if len(s) > 120:
        stem, dot, ext = s.rpartition(".")
        s = (stem[: 120 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else s[:120]
    return s or fallback
