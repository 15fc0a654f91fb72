"""Cell values → typed values (the normalising step).

Each parser takes one raw cell (as analytics.ingest.read gives it) and returns the typed value,
None for an empty cell, or raises `Bad(code, message)`. Dates come as datetimes, Excel
serial numbers, or text in the common Chinese styles (2026.10.5, 2026/10/05,
2026年10月5日, 10月5日 with the year from the title, sheet or period).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass

from ..ledgers import VOCABULARIES
from .read import CellError
from ..textnorm import compact, nfkc, vocab_key


class Bad(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Context:
    """What a date without a year (or month) takes from its file: title, sheet or --period."""
    year: int | None = None
    month: int | None = None


EXCEL_EPOCH = dt.date(1899, 12, 30)
MIN_DATE, MAX_DATE = dt.date(1990, 1, 1), dt.date(2100, 12, 31)


def is_blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


# "/", "—", "——", "无", "N/A" in a cell that does not apply (完成日期, 资金, 验收人 of an open hazard) mean blank.
NOT_APPLICABLE = frozenset({"/", "／", "\\", "-", "—", "——", "--", "―", "无", "n/a", "na", "#n/a", "不涉及", "暂无"})


def not_applicable(v) -> bool:
    return type(v) is str and len(v) <= 6 and compact(v) in NOT_APPLICABLE


def text(v) -> str | None:
    if v is None:
        return None
    if type(v) is str:                       # the common case, kept fast
        return " ".join(v.split()) or None
    if is_blank(v):
        return None
    if isinstance(v, CellError):
        raise Bad("error_cell", f"单元格为错误值 {v.code}")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    return " ".join(str(v).split())


_YMD = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_YMD8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_D = re.compile(r"^(\d{1,2})\s*日$")
_TIME = re.compile(r"(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?")
_YM = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?$")
_M = re.compile(r"^(\d{1,2})\s*月$")


def _check_range(d: dt.date, raw) -> dt.date:
    if not (MIN_DATE <= d <= MAX_DATE):
        raise Bad("bad_date", f"日期“{_typed(raw)}”超出合理范围（1990—2100年）")
    return d


def _typed(v) -> str:
    """A cell as the user typed it, for messages: a date cell as a date, a number as Excel shows it."""
    if isinstance(v, float):
        return f"{v:g}" if v.is_integer() or abs(v) >= 1e6 else repr(v)
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    return str(v)


_MD_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})$")          # 10.5, 10.18: month.day, year from context
_YM_DOT = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*月?$")   # 2026.10 in a day field is a month
_HALF_DAY = re.compile(r"\s*(上午|下午|中午|晚上|凌晨|早上|AM|PM|am|pm)\s*")


def _dotted(s: str, raw, ctx: Context) -> dt.date | None:
    """'10.5' → 5 October of the context year; '2026.10' → an error saying it is a month, not a day."""
    if m := _YM_DOT.match(s):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1990 <= y <= 2100 and 1 <= mo <= 12:
            raise Bad("month_not_day", f"“{_typed(raw)}”是月份（{y}年{mo}月），不是具体日期，请填写到日，如 {y}.{mo}.5")
    if m := _MD_DOT.match(s):
        mo, d = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            if ctx.year is None:
                raise Bad("bad_date", f"日期“{_typed(raw)}”缺少年份，且标题、工作表名和上传期间都未给出年份")
            return _make_date(ctx.year, mo, d, _typed(raw))
    return None


def _serial(x: float) -> dt.datetime:
    if not (1 <= x < 2958466):
        raise Bad("bad_date", f"数值 {x:g} 不是有效的Excel日期")
    return dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=x)


def _make_date(y: int, m: int, d: int, raw) -> dt.date:
    try:
        return _check_range(dt.date(y, m, d), raw)
    except ValueError:
        raise Bad("bad_date", f"“{raw}”不是有效日期") from None


def date(v, ctx: Context = Context()) -> dt.date | None:
    r = datetime_(v, ctx)
    return r.date() if r is not None else None


def datetime_(v, ctx: Context = Context()) -> dt.datetime | None:
    if is_blank(v):
        return None
    if isinstance(v, CellError):
        raise Bad("error_cell", f"单元格为错误值 {v.code}")
    if isinstance(v, dt.datetime):
        _check_range(v.date(), v)
        return v
    if isinstance(v, dt.date):
        return dt.datetime.combine(_check_range(v, v), dt.time())
    if isinstance(v, bool):
        raise Bad("bad_date", f"“{v}”不是日期")
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not v.is_integer() and (d := _dotted(_typed(v), v, ctx)):
            return dt.datetime.combine(d, dt.time())        # 10.5 typed into Excel is the number 10.5
        d = _serial(float(v))
        _check_range(d.date(), v)
        return d.replace(microsecond=0)
    s = nfkc(str(v)).strip()
    if d := _dotted(s, v, ctx):
        return dt.datetime.combine(d, dt.time())
    if re.fullmatch(r"\d+(\.\d+)?", s) and not _YMD8.match(s):
        try:
            return datetime_(float(s), ctx)
        except Bad as b:
            raise Bad(b.code, b.message.replace(f"“{_typed(float(s))}”", f"“{v}”")) from None
    half = _HALF_DAY.search(s)
    if half:
        s = (s[: half.start()] + " " + s[half.end():]).strip()
    t = dt.time()
    m = _TIME.search(s)
    if m and m.start() > 0:
        try:
            hour = int(m.group(1))
            if half and half.group(1) in ("下午", "晚上", "PM", "pm") and hour < 12:
                hour += 12
            t = dt.time(hour, int(m.group(2)), int(m.group(3) or 0))
        except ValueError:
            raise Bad("bad_date", f"“{v}”中的时间无效") from None
        s = s[: m.start()].strip()
    if (m := _YMD.match(s)) and (m.end() == len(s)):
        d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), v)
    elif m := _YMD8.match(s):
        d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), v)
    elif m := _MD.match(s):
        if ctx.year is None:
            raise Bad("bad_date", f"日期“{v}”缺少年份，且标题、工作表名和上传期间都未给出年份")
        d = _make_date(ctx.year, int(m.group(1)), int(m.group(2)), v)
    elif m := _D.match(s):
        if ctx.year is None or ctx.month is None:
            raise Bad("bad_date", f"日期“{v}”缺少年月，且标题、工作表名和上传期间都未给出")
        d = _make_date(ctx.year, ctx.month, int(m.group(1)), v)
    else:
        raise Bad("bad_date", f"“{v}”不是可识别的日期（可写作 2026-10-05、2026/10/5、2026.10.5 或 2026年10月5日）")
    return dt.datetime.combine(d, t)


def has_time(v) -> bool:
    """Whether a date-time cell says the time of day (a date cell, or text like 2026-10-05, does not)."""
    if isinstance(v, dt.datetime):
        return bool(v.hour or v.minute or v.second)
    if isinstance(v, str):
        return bool(_TIME.search(nfkc(v)))
    if isinstance(v, float):
        return not v.is_integer()
    return False


def month(v, ctx: Context = Context()) -> dt.date | None:
    """A month, stored as its first day: 2026-03, 2026年3月, 2026.3, a date, or 3月 with the year from context."""
    if is_blank(v):
        return None
    if isinstance(v, float) and not v.is_integer() and (m := _YM.match(_typed(v))):
        if m.group(2) == "1":                 # Excel shows 2026.10 typed as a number as 2026.1
            raise Bad("bad_date", f"月份“{_typed(v)}”不明确（2026.1 可能是1月，也可能是输入的 2026.10），"
                                  "请写作 2026-10 或 2026年10月")
        return _make_date(int(m.group(1)), int(m.group(2)), 1, _typed(v))
    if isinstance(v, (dt.date, int, float)) and not isinstance(v, bool):
        d = date(v, ctx)
        return d.replace(day=1)
    if isinstance(v, CellError):
        raise Bad("error_cell", f"单元格为错误值 {v.code}")
    s = nfkc(str(v)).strip()
    if m := _YM.match(s):
        return _make_date(int(m.group(1)), int(m.group(2)), 1, v)
    if m := _M.match(s):
        if ctx.year is None:
            raise Bad("bad_date", f"月份“{v}”缺少年份，且标题、工作表名和上传期间都未给出年份")
        return _make_date(ctx.year, int(m.group(1)), 1, v)
    try:
        return date(v, ctx).replace(day=1)
    except Bad:
        raise Bad("bad_date", f"“{v}”不是可识别的月份（可写作 2026-03 或 2026年3月）") from None


def year(v, ctx: Context = Context()) -> int | None:
    if is_blank(v):
        return None
    if isinstance(v, dt.date):
        return v.year
    s = nfkc(text(v)).strip().rstrip("年").replace("年度", "")
    if re.fullmatch(r"\d{4}(\.0+)?", s) and 1990 <= int(float(s)) <= 2100:
        return int(float(s))
    raise Bad("bad_date", f"“{v}”不是有效年度（应为 2026 或 2026年）")


_NUM = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$")
_UNITS = ("万元", "元", "人次", "人", "起", "次", "小时", "学时", "个", "项", "h", "%")


def number(v, ctx: Context = Context()) -> float | None:
    if is_blank(v):
        return None
    if isinstance(v, CellError):
        raise Bad("error_cell", f"单元格为错误值 {v.code}")
    if isinstance(v, bool):
        raise Bad("bad_number", f"“{v}”不是数值")
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        s = compact(str(v)).replace(",", "")
        pct = s.endswith("%")
        for u in _UNITS:
            if s.endswith(u.lower()):
                s = s[: -len(u)]
                break
        if not _NUM.match(s):
            raise Bad("bad_number", f"“{v}”不是数值")
        x = float(s) / (100 if pct else 1)
    if math.isnan(x) or math.isinf(x):
        raise Bad("bad_number", f"“{v}”不是数值")
    if x < 0:
        raise Bad("negative", f"数值 {v} 不能为负")
    return x


def integer(v, ctx: Context = Context()) -> int | None:
    x = number(v, ctx)
    if x is None:
        return None
    if not float(x).is_integer():
        raise Bad("bad_number", f"“{v}”应为整数")
    return int(x)


def _vocab_index(name: str) -> dict[str, str]:
    idx: dict[str, str] = {}
    for canon, spellings in VOCABULARIES[name].items():
        for s in (canon, *spellings):
            idx[vocab_key(s)] = canon
    return idx


_VOCAB_INDEX = {name: _vocab_index(name) for name in VOCABULARIES}


def vocab(v, name: str, closed: bool) -> str | None:
    """The canonical value of a vocabulary; open vocabularies keep unknown text as given."""
    s = text(v)
    return vocab_text(s, name, closed)


@functools.lru_cache(maxsize=4096)
def vocab_text(s: str | None, name: str, closed: bool) -> str | None:
    if s is None:
        return None
    canon = _VOCAB_INDEX[name].get(vocab_key(s))
    if canon is not None:
        return canon
    if name in _BY_RULE:
        return _BY_RULE[name](s)
    if closed:
        allowed = "、".join(VOCABULARIES[name])
        raise Bad("bad_vocab", f"“{s}”不是允许的取值（应为：{allowed}）")
    return s


# 整改状态 as people write it, by rule (the words in brackets do not count: 整改中（已落实临时措施） is open):
# 已/完/毕/销号/闭环/验收/合格 say it is done, 未/中/正在/待/尚/没/不 say it is not; both or neither is ambiguous.
_DONE_WORDS = ("已", "完", "毕", "销号", "闭环", "验收", "合格", "结案")
_OPEN_WORDS = ("未", "中", "正在", "待", "尚", "没", "不", "无法")


def _status_by_rule(s: str) -> str:
    k = vocab_key(s)
    done, still = any(w in k for w in _DONE_WORDS), any(w in k for w in _OPEN_WORDS)
    if done != still:
        return "已整改" if done else "未整改"
    ok = "、".join(dict.fromkeys(w for c, ws in VOCABULARIES["hazard_status"].items() for w in (c, *ws)))
    why = "既有表示完成的字，又有表示未完成的字" if done else "看不出是否已整改"
    raise Bad("ambiguous_status", f"整改状态“{s}”含义不明确（{why}），请改为：{ok}，或“已整改完毕”“整改中”等写法")


_BY_RULE = {"hazard_status": _status_by_rule}


def flag(v, ctx: Context = Context()) -> bool | None:
    c = vocab(v, "flag", closed=True)
    return None if c is None else c == "是"


# ------------------------------------------------------------------ indicator targets
_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_NUMBER_IN = re.compile(r"(\d+(?:\.\d+)?)")
# ≥ words are checked first: 不低于 contains 低于.
_GE_WORDS = ("不低于", "不少于", "不小于", "达到", "以上", "≥", ">=", ">")
_LE_WORDS = ("不超过", "不高于", "不大于", "控制在", "以内", "以下", "低于", "少于", "≤", "<=", "<")
_ZERO_WORDS = ("杜绝", "为零", "零", "无", "不发生", "不出现")
# "较大及以上事故0起": 以上 names the accident class, not the direction.
_CLASS_WORDS = re.compile(r"(及|级|类)?以上(等级)?(的)?(?=.*(事故|事件|隐患|伤亡|火灾))|(及|级)以上")
_CN_DIGITS = {"零": 0, "一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_CN_COUNT = re.compile(r"([零一两二三四五六七八九十])(?=\s*(起|次|人|项|个|名|期|场|天))")


@dataclass(frozen=True)
class Target:
    comparator: str       # "<=" | ">="
    value: float          # fractions for percentages (95% → 0.95)
    is_percent: bool


def target(v, ctx: Context = Context()) -> Target | None:
    """Targets in words: 杜绝死亡事故 → ≤0; 不超过1起 → ≤1; 不低于95% → ≥0.95; ≥ / ≤ signs.
    A bare 0 is ≤0; a bare 100% is ≥100% (the only reading that can be met or missed);
    other bare numbers have no direction and are an error."""
    s = text(v)
    if s is None:
        return None
    s = nfkc(s).replace("％", "%")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if float(v) == 0:
            return Target("<=", 0.0, False)
        raise Bad("bad_target", f"控制目标“{s}”缺少比较方向（请写作“≤{s}”或“不低于{s}”）")
    s = _CN_COUNT.sub(lambda m: str(_CN_DIGITS[m.group(1)]), s)
    words = _CLASS_WORDS.sub("", s)
    m = _PCT.search(s)
    if m:
        value, pct = float(m.group(1)) / 100, True
    elif m := _NUMBER_IN.search(s):
        value, pct = float(m.group(1)), False
    elif any(w in s for w in _ZERO_WORDS):
        return Target("<=", 0.0, False)
    else:
        raise Bad("bad_target", f"控制目标“{s}”无法识别（可写作 杜绝死亡事故、不超过1起、不低于95%、≤10）")
    if any(w in words for w in _GE_WORDS):
        return Target(">=", value, pct)
    if any(w in words for w in _LE_WORDS):
        return Target("<=", value, pct)
    if value == 0 or any(w in s for w in _ZERO_WORDS):
        return Target("<=", value, pct)
    if pct and value == 1.0:
        return Target(">=", value, pct)
    raise Bad("bad_target", f"控制目标“{s}”缺少比较方向（如 不超过、不低于、≤、≥）")


PARSERS = {
    "text": lambda v, ctx: text(v),
    "company": lambda v, ctx: text(v),
    "date": date,
    "datetime": datetime_,
    "month": month,
    "year": year,
    "int": integer,
    "number": number,
    "flag": flag,
    "target": target,
}
