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
