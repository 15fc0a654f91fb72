"""通报: the bulletin the group's safety department hands to one subsidiary after the monthly meeting,
as a Word document (DOMAIN.md §4).

Every figure comes from the engine — metrics.compute, scorecard.company_table (红黄绿 and its reasons),
profile.comparison (against the same period last year), records.* (the hazards and accidents named),
assessment.year_status (目标责任书 indicators), anomalies.find (需要关注) — this module only words them.
`bulletin()` builds the content (paragraphs and tables, also readable as plain text); `bulletin_docx()`
lays it out as a 公文 (GB/T 9704: A4, 仿宋 三号 body, 黑体/楷体 headings, page numbers "— 1 —").

Decisions (where DOMAIN.md is silent; also in README):
- the 整改要求 deadlines: an overdue major hazard gets MAJOR_OVERDUE_DAYS from the window's end; every
  other report (整改落实情况, breach analysis, overdue general hazards) is due on the ledgers' due day of
  the next month (anomalies.SUBMISSION_DUE_DAY, "次月5日");
- counts change against last year in per cent (同比上升 12.3%), rates in percentage points;
- 落款 date = the window's end.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import pandas as pd

from ..figures import anomalies
from ..figures.accidents import by_level, safe_days
from ..figures.assessment import COMPARATOR_TEXT, attainment, fmt_value, year_status
from ..companies import CompanyError, registry
from ..store.db import Store
from ..figures.indicators import NO_DATA as IND_NO_DATA, NOT_MET
from ..figures.metrics import BY_NAME, Window, compute
from ..figures.profile import comparison, same_period_last_year
from ..figures.rag import AMBER, GREEN, NO_DATA, RED, RULES
from ..figures.records import accidents, open_major_hazards, overdue_ageing, overdue_hazards, training
from ..figures.scorecard import LOWER_IS_BETTER, NEUTRAL, company_table

ISSUER = "集团公司安全环保部"
MAJOR_OVERDUE_DAYS = 30          # an overdue major hazard: rectified and reported within this many days
LONGEST_OVERDUE_NAMED = 3        # the longest-overdue hazards named in 二
MAJORS_TABLED = 50               # open major hazards tabled in a company's 通报 (most overdue first; more are counted)
MAJORS_ASKED = 10                # overdue major hazards given a requirement of their own in 整改要求; more are summed up
MAJORS_PAGE = "整改情况"          # the page whose download lists every open major hazard
MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MASTHEAD = f"{ISSUER}文件"        # the 红头 (a 公文's issuing-organ mark, printed red)
GROUP_TO = "各子（控）公司"

# units of the counts as the bulletin writes them (the metric's kind says rate / money / days)
UNITS = {"hazards_found": "项", "hazards_rectified": "项", "overdue_open": "项", "major_found": "项",
         "major_open": "项", "major_overdue": "项", "accidents": "起", "late_reports": "起", "four_no_open": "起",
         "major_accidents": "起", "deaths": "人", "serious_injuries": "人", "minor_injuries": "人",
         "training_planned": "人次", "training_attended": "人次", "training_passed": "人次",
         "direct_loss": "万元", "investment_planned": "万元", "investment_actual": "万元"}
FIGURES = ("hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "avg_days_to_rectify",
           "overdue_open", "major_found", "major_rectification_rate", "major_open", "major_overdue",
           "accidents", "deaths", "serious_injuries", "minor_injuries", "direct_loss", "late_reports",
           "four_no_open", "four_no_closure_rate", "training_planned", "training_attended", "training_passed",
           "training_completion", "training_pass_rate", "investment_planned", "investment_actual",
           "investment_completion")
RAG_COLORS = {RED: "C00000", AMBER: "B8860B", GREEN: "00803C", NO_DATA: "7F7F7F"}
WORSE, BETTER, GREY = "C00000", "00803C", "7F7F7F"
NUMERALS = "一二三四五六七八九十"


# ------------------------------------------------------------------ words for numbers and dates
def _missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def fmt(name: str, value) -> str:
    """A metric value as the bulletin writes it: 96.0%, 12 项, 0.37 万元, 14.1 天; — when undefined."""
    kind = BY_NAME[name].kind
    if _missing(value):
        return "—"
    if kind == "rate":
        return fmt_value(value, True, None)
    if kind == "days":
        return f"{value:.1f} 天"
    if kind == "day_count":
        return f"{int(value):,} 天"
    return fmt_value(value, False, UNITS.get(name))


def change(name: str, now, before) -> tuple[str, str | None]:
    """Against the same period last year: ("↑ 上升 12.3%", "worse"), ("↓ 下降 2.0 个百分点", "better"),
    ("持平", None). Rates change in percentage points, counts in per cent (增加 N when last year was 0)."""
    if _missing(now) or _missing(before):
        return "—", None
    d = float(now) - float(before)
    if abs(d) < 1e-9:
        return "持平", None
    up = d > 0
    if BY_NAME[name].kind == "rate":
        words = f"{'上升' if up else '下降'} {abs(d) * 100:.1f} 个百分点"
    elif before:
        words = f"{'上升' if up else '下降'} {abs(d) / abs(float(before)) * 100:.1f}%"
    else:
        words = f"增加 {fmt(name, abs(d))}"
    judge = None if name in NEUTRAL else "worse" if up == (name in LOWER_IS_BETTER) else "better"
    return f"{'↑' if up else '↓'} {words}", judge


def long_date(d) -> str:
    d = pd.Timestamp(d)
    return f"{d.year}年{d.month}月{d.day}日"


def short_date(d, year: int) -> str:
    """"12月5日" within the bulletin's year, else with the year."""
    d = pd.Timestamp(d)
    return f"{d.month}月{d.day}日" if d.year == year else long_date(d)


def iso(d) -> str:
    return "—" if _missing(d) else f"{pd.Timestamp(d):%Y-%m-%d}"


def period_label(window: Window, sep: str = "—") -> str:
    """The months of the window: 2026年1—11月, 2026年10月, 2025年12月—2026年11月."""
    s, e = window.start, window.end
    if (s.year, s.month) == (e.year, e.month):
        return f"{s.year}年{s.month}月"
    if s.year == e.year:
        return f"{s.year}年{s.month}{sep}{e.month}月"
    return f"{s.year}年{s.month}月{sep}{e.year}年{e.month}月"


def span_label(window: Window) -> str:
    """2026年1月1日至11月25日."""
    return f"{long_date(window.start)}至{short_date(window.end, window.start.year)}"


def bulletin_name(company: str, window: Window) -> str:
    """陇原电力有限公司_安全生产通报_2026年1-11月.docx"""
    return f"{company}_安全生产通报_{period_label(window, '-')}.docx"


def next_due(window: Window) -> dt.date:
    """The ledgers' due day of the month after the window's end (次月5日)."""
    first_next = (window.end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next.replace(day=anomalies.SUBMISSION_DUE_DAY)


def _text(v, empty: str = "—") -> str:
    return empty if _missing(v) or str(v).strip() == "" else str(v).strip()


def _join(items: list[str], sep: str = "、") -> str:
    return sep.join(items)


# ------------------------------------------------------------------ content
@dataclass
class Run:
    text: str
    bold: bool = False
    color: str | None = None


@dataclass
class Para:
    runs: list[Run]
    kind: str = "body"       # red | docno | title | to | h1 | h2 | body | item | sign | note_h | note

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float]                                  # relative column widths
    colors: dict[tuple[int, int], str] = field(default_factory=dict)
    size: float | None = None                            # the cells' type size in pt (None: the documents' 10.5 / 11)


@dataclass
class Bulletin:
    company: str
    window: Window
    title: str
    file_name: str
    blocks: list = field(default_factory=list)

    def text(self) -> str:
        """The bulletin as plain text (tables as tab-separated lines)."""
        out = []
        for b in self.blocks:
            if isinstance(b, Para):
                out.append(b.text)
            else:
                out += ["\t".join(b.header), *("\t".join(r) for r in b.rows)]
        return "\n".join(out)


class _Writer:
    def __init__(self, b: Bulletin):
        self.b = b

    def p(self, *parts, kind: str = "body") -> None:
        runs = [x if isinstance(x, Run) else Run(str(x)) for x in parts if x != ""]
        self.b.blocks.append(Para(runs, kind))

    def table(self, header, rows, widths, colors=None, size: float | None = None) -> None:
        self.b.blocks.append(Table(list(header), [[str(c) for c in r] for r in rows], list(widths), colors or {}, size))


def resolve(store: Store, company: str) -> str:
    """The registered name for a name or alias; CompanyError naming the closest registered names otherwise."""
    reg = registry(store)
    name = company if company in reg.names else reg.match(company)
    if name is None:
        close = reg.suggest(company)
        hint = f"最接近的已登记单位：{'、'.join(close)}" if close else f"已登记单位：{'、'.join(reg.names) or '无'}"
        raise CompanyError(f"未登记的单位“{company}”。{hint}")
    return name


@dataclass
class _Facts:
    """What the bulletin states, read once from the engine."""
    store: Store
    company: str
    window: Window
    last_year: Window
    v: dict                      # metrics.compute for the company
    row: pd.Series               # scorecard.company_table row: rag, rag_reasons, rag_also, …
    row_ly: pd.Series            # the same, same period last year
    majors: pd.DataFrame         # records.open_major_hazards
    overdue: pd.DataFrame        # records.overdue_hazards
    acc: pd.DataFrame            # records.accidents, oldest first
    ev: pd.DataFrame             # assessment.year_status (breaches first)
    flags: pd.DataFrame          # anomalies.find

    @classmethod
    def read(cls, store: Store, company: str, window: Window) -> "_Facts":
        return cls.read_all(store, [company], window)[company]

    @classmethod
    def read_all(cls, store: Store, names: list[str], window: Window) -> dict[str, "_Facts"]:
        """The facts of every company in `names`, set-based: one engine call per kind of fact for all of them
        (the group 通报 at 200 companies would otherwise cost ~0.5 s a company), then split by company."""
        ly = same_period_last_year(window)
        names = list(names)
        v = compute(store, window, names, FIGURES)["companies"]
        row = company_table(store, window, names).set_index("company")
        row_ly = company_table(store, ly, names).set_index("company")
        majors = _split(open_major_hazards(store, window.as_of, names), "单位")
        overdue = _split(overdue_hazards(store, window.as_of, names), "单位")
        acc = _split(accidents(store, window, names).iloc[::-1], "单位")
        ev = _split(year_status(store, window.end.year, window.as_of, names), "company")
        flags = _split(anomalies.find(store, window, names), "单位")
        return {n: cls(store, n, window, ly, v[n], row.loc[n], row_ly.loc[n], majors(n), overdue(n), acc(n), ev(n),
                       flags(n)) for n in names}

    def val(self, name: str) -> str:
        return fmt(name, self.v[name])

    @property
    def year(self) -> int:
        return self.window.end.year

    def day(self, d) -> str:
        return short_date(d, self.year)

    @property
    def as_of(self) -> str:
        return self.day(self.window.as_of)

    @property
    def due(self) -> dt.date:
        return next_due(self.window)

    @property
    def rag(self) -> str:
        return self.row["rag"]

    @property
    def late(self) -> pd.DataFrame:
        return self.acc[self.acc["上报情况"] == "迟报"]

    @property
    def four_no_open(self) -> pd.DataFrame:
        return self.acc[self.acc["四不放过"] != "已闭环"]

    def indicators(self, status: str) -> list[str]:
        """Indicators of the year by status word: 突破, 未达标 (not breached), 无数据, 达标."""
        words = ["突破" if b else s for b, s in zip(self.ev["breach"], self.ev["status"])]
        return [i for i, w in zip(self.ev["indicator"], words) if w == status]

    @property
    def kinds(self) -> list[str]:
        """The anomaly kinds flagged, in their rule order."""
        return [k for k in anomalies.KINDS if k in set(self.flags["类型"])]


def _split(df: pd.DataFrame, column: str):
    """company → its rows of `df` (in their order, index 0…n-1; an empty frame with the columns when none)."""
    groups = {k: g.reset_index(drop=True) for k, g in df.groupby(column, sort=False)} if len(df) else {}
    empty = df.iloc[0:0].reset_index(drop=True)
    return lambda name: groups[name] if name in groups else empty.copy()


def bulletin(store: Store, company: str, window: Window) -> Bulletin:
    """The 通报 of one company for a window (status as of window.as_of), as paragraphs and tables."""
    company = resolve(store, company)
    f = _Facts.read(store, company, window)
    b = Bulletin(company, window, f"关于{company}{period_label(window)}安全生产情况的通报",
                 bulletin_name(company, window))
    w = _Writer(b)
    _masthead(w, window)
    w.p(b.title, kind="title")
    w.p(f"{company}：", kind="to")
    w.p(f"根据你公司报送的安全生产台账，{ISSUER}对你公司{span_label(window)}的安全生产情况进行了统计分析"
        f"（隐患整改、逾期等状态截至{f.as_of}）。现将有关情况通报如下：")
    for numeral, (heading, section) in zip(NUMERALS, SECTIONS):
        w.p(f"{numeral}、{heading}", kind="h1")
        section(w, f)
    w.p(ISSUER, kind="sign")
    w.p(long_date(window.end), kind="sign")
    _notes(w, f)
    return b


def doc_no(window: Window) -> str:
    """The 文号 placeholder the office fills in: 安环〔2026〕  号."""
    return f"安环〔{window.end.year}〕{'　' * 2}号"


def _masthead(w: "_Writer", window: Window) -> None:
    w.p(MASTHEAD, kind="red")
    w.p(doc_no(window), kind="docno")


# ------------------------------------------------------------------ the sections
def _overall(w: _Writer, f: _Facts) -> None:
    rag, rag_ly = f.rag, f.row_ly["rag"]
    ly_words = "上年同期无数据" if rag_ly == NO_DATA else f"上年同期为“{rag_ly}”"
    if rag == NO_DATA:
        w.p("按照集团公司安全生产红黄绿评定规则，你公司本期评定为", Run(f"“{NO_DATA}”", True, RAG_COLORS[NO_DATA]),
            f"：{f.row['rag_reasons']}，无法对你公司本期安全生产状况作出评价（{ly_words}）。")
    else:
        w.p("按照集团公司安全生产红黄绿评定规则，你公司本期安全生产状态评定为",
            Run(f"“{rag}”", True, RAG_COLORS[rag]), f"（{ly_words}）。",
            f"评定依据：{f.row['rag_reasons']}。" if rag != GREEN else "统计期内未触发红、黄评定规则。",
            f"此外还存在：{f.row['rag_also']}。" if f.row["rag_also"] else "")
    if (rag, rag_ly) == (NO_DATA, NO_DATA):
        w.p("本期与上年同期均无台账数据，不作同比分析。")
        return
    rows, colors, better, worse = [], {}, [], []
    for i, r in enumerate(comparison(f.store, f.window, f.last_year, f.company).to_dict("records")):
        words, judge = change(r["metric"], r["company"], r["company_ly"])
        rows.append([r["label"], fmt(r["metric"], r["company"]), fmt(r["metric"], r["company_ly"]), words,
                     (r["place"] + " 并列" * (r["ties"] > 1)) or "—"])      # how many share it: on 单位画像
        if judge:
            colors[(i, 3)] = WORSE if judge == "worse" else BETTER
            (worse if judge == "worse" else better).append(r["label"])
    w.p(f"主要指标与上年同期（{span_label(f.last_year)}）对比如下（集团内排名：1＝最好，数值相同者并列）：")
    w.table(["指标", "本期", "上年同期", "同比", "集团内排名"], rows, [3.0, 2.3, 2.3, 3.6, 2.4], colors)
    if better or worse:
        w.p("与上年同期相比，" + "；".join([f"{_join(better)}有所好转"] * bool(better)
                                     + [f"{_join(worse)}有所恶化，须引起高度重视"] * bool(worse)) + "。")


def _hazards(w: _Writer, f: _Facts) -> None:
    v, val = f.v, f.val
    if v["hazards_found"]:
        w.p(f"统计期内，你公司共排查隐患 {val('hazards_found')}，已整改 {val('hazards_rectified')}，"
            f"隐患整改率 {val('rectification_rate')}；按期整改率 {val('on_time_rate')}；"
            f"平均整改用时 {val('avg_days_to_rectify')}。其中重大隐患 {val('major_found')}"
            + (f"，重大隐患整改率 {val('major_rectification_rate')}。" if v["major_found"] else "。"))
    else:
        w.p("统计期内，你公司未上报排查发现的隐患（隐患整改率、按期整改率无法计算）。")
    if v["overdue_open"]:
        ageing = overdue_ageing(f.store, f.window.as_of, [f.company])
        parts = [f"{r['bucket']} {r['hazards']} 项" for r in ageing.to_dict("records") if r["hazards"]]
        longest = f.overdue.sort_values("逾期天数", ascending=False, kind="stable").head(LONGEST_OVERDUE_NAMED)
        named = [f"{_text(r['隐患编号'], '')}（{_text(r['隐患部位'], '')}，{_text(r['隐患描述'], '')}，"
                 f"责任人{_text(r['整改责任人'], '未明确')}，逾期 {int(r['逾期天数'])} 天）" for r in longest.to_dict("records")]
        w.p(f"截至{f.as_of}，你公司逾期未整改隐患 {val('overdue_open')}（存量，含统计期以前发现的隐患），"
            f"按逾期时间分：{'，'.join(parts)}；其中重大隐患 {val('major_overdue')}。逾期时间最长的是：{'；'.join(named)}。")
    else:
        w.p(f"截至{f.as_of}，你公司无逾期未整改的隐患。")
    if f.majors.empty:
        w.p(f"截至{f.as_of}，你公司无未整改的重大隐患。")
        return
    w.p(f"截至{f.as_of}，你公司未整改的重大隐患 {val('major_open')}"
        + (f"，其中已超过整改期限 {val('major_overdue')}" if v["major_overdue"] else "") + "，明细如下：")
    major_table(w, f, MAJORS_TABLED)


MAJOR_HEADER = (["编号", "部位", "隐患描述", "责任人", "整改期限", "逾期天数"], [2.6, 2.6, 5.0, 1.8, 2.4, 1.8])


def major_rows(f: _Facts, limit: int) -> tuple[list[list[str]], dict]:
    """The first `limit` open major hazards (most overdue first) as table rows, with the cells to colour."""
    rows, colors = [], {}
    for i, r in enumerate(f.majors.head(limit).to_dict("records")):
        over = None if _missing(r["逾期天数"]) else int(r["逾期天数"])
        rows.append([_text(r["隐患编号"]), _text(r["隐患部位"]), _text(r["隐患描述"]), _text(r["整改责任人"], "未明确"),
                     iso(r["整改期限"]), "—" if over is None else f"{over} 天" if over > 0 else "未到期"])
        if over is not None and over > 0:
            colors[(i, 5)] = WORSE
        if _text(r["整改责任人"], "") == "":
            colors[(i, 3)] = WORSE
    return rows, colors


def major_table(w: _Writer, f: _Facts, limit: int) -> None:
    """The open major hazards table, at most `limit` rows; a line says how many more there are and where."""
    rows, colors = major_rows(f, limit)
    w.table(*MAJOR_HEADER[:1], rows, MAJOR_HEADER[1], colors)
    if len(f.majors) > len(rows):
        w.p(f"（上表列出逾期最久的 {len(rows)} 项，另有 {len(f.majors) - len(rows)} 项未整改重大隐患未列出，"
            f"完整清单见会议看板“{MAJORS_PAGE}”页下载。）")


def _accidents(w: _Writer, f: _Facts) -> None:
    v, val = f.v, f.val
    days = safe_days(f.store, f.window, [f.company])
    days = days[days["company"] == f.company].iloc[0]
    safe = (f"截至{f.as_of}，你公司安全生产天数 {fmt('days_since_accident', days['days'])}（{days['note']}）。"
            if not _missing(days["days"]) and f.rag != NO_DATA else "")
    if not v["accidents"]:
        w.p("统计期内未发生生产安全事故。", safe)
        return
    levels = by_level(f.store, f.window, [f.company])
    lv = "、".join(f"{r['level']}事故 {int(r['accidents'])} 起" for r in levels.to_dict("records") if r["accidents"])
    w.p(f"统计期内，你公司发生生产安全事故 {val('accidents')}（{lv}），造成死亡 {val('deaths')}、重伤 "
        f"{val('serious_injuries')}、轻伤 {val('minor_injuries')}，直接经济损失 {val('direct_loss')}。", safe)
    rows, colors = accident_rows(f.acc.to_dict("records"))
    w.table(["事故编号", "发生时间", "类别／等级", "伤亡（人）", "直接经济损失", "上报情况", "四不放过"], rows,
            [2.4, 2.4, 2.2, 2.6, 1.8, 2.0, 2.8], colors)
    if len(f.late):
        w.p(f"其中迟报 {val('late_reports')}（{_join([_text(x) for x in f.late['事故编号']])}），未在事故发生后 1 小时内"
            "报告，违反《生产安全事故报告和调查处理条例》（国务院令第493号）的规定。")
    open_ = f.four_no_open
    w.p(f"事故“四不放过”落实率 {val('four_no_closure_rate')}" + (
        f"，未闭环 {val('four_no_open')}：" + "；".join(f"{_text(r['事故编号'])}（{r['四不放过'].removeprefix('未闭环：')}）"
                                                   for r in open_.to_dict("records")) + "。"
        if len(open_) else "，统计期内事故均已闭环。"))
    for r in f.acc.to_dict("records"):
        if not _missing(r["事故简要经过"]):
            w.p(f"{_text(r['事故编号'])}事故简要经过：{_text(r['事故简要经过'])}")


def accident_rows(records: list[dict], company: bool = False) -> tuple[list[list[str]], dict]:
    """Accidents (records.accidents rows) as 通报 table rows and their colours. The company 通报's: 事故编号,
    发生时间 (to the minute), 类别／等级, 伤亡 (死亡／重伤／轻伤), 直接经济损失, 上报情况 (with the minutes), 四不放过;
    company=True (the group 通报's): 单位 first, the day only, 死亡／重伤, no loss column."""
    rows, colors = [], {}
    for i, r in enumerate(records):
        kind = f"{_text(r['事故类别'], '未填')}／{_text(r['事故等级'], '未填')}"
        hurt = f"死亡 {int(r['死亡人数'] or 0)}／重伤 {int(r['重伤人数'] or 0)}"
        if company:
            rows.append([r["单位"], _text(r["事故编号"]), f"{pd.Timestamp(r['发生时间']):%Y-%m-%d}", kind, hurt,
                         r["上报情况"], r["四不放过"]])
        else:
            mins = r["上报用时（分钟）"]
            rows.append([_text(r["事故编号"]), f"{pd.Timestamp(r['发生时间']):%Y-%m-%d %H:%M}", kind,
                         f"{hurt}／轻伤 {int(r['轻伤人数'] or 0)}", fmt("direct_loss", r["直接经济损失（万元）"]),
                         r["上报情况"] + ("" if _missing(mins) else f"（{int(mins)} 分钟）"), r["四不放过"]])
        if r["上报情况"] != "按时":
            colors[(i, 5)] = WORSE
        if r["四不放过"] != "已闭环":
            colors[(i, 6)] = WORSE
    return rows, colors


def _training_investment(w: _Writer, f: _Facts) -> None:
    v, val = f.v, f.val
    sessions = len(training(f.store, f.window, [f.company]))
    if sessions:
        w.p(f"统计期内，你公司开展安全教育培训 {sessions} 期，应参训 {val('training_planned')}，实参训 "
            f"{val('training_attended')}，培训完成率 {val('training_completion')}；考核合格 {val('training_passed')}，"
            f"培训合格率 {val('training_pass_rate')}。")
    else:
        w.p("统计期内，你公司无安全教育培训记录（培训完成率、合格率无法计算）。")
    if v["investment_planned"] or v["investment_actual"]:
        w.p(f"统计期内，你公司安全生产投入计划 {val('investment_planned')}，实际投入 {val('investment_actual')}，"
            f"安全投入完成率 {val('investment_completion')}。")
    else:
        w.p("统计期内，你公司无安全生产投入记录（安全投入完成率无法计算）。")


def _indicator_cells(r: dict) -> tuple[str, str, str, str]:
    """One 目标责任书 row as written: (目标, 实际, 状态, 备注 — the reported≠ledger flag)."""
    p, u, c = bool(r["is_percent"]), r["unit"], r["comparator"]
    target = f"{COMPARATOR_TEXT.get(c, '')} {fmt_value(r['target_value'], p, u)}".strip()
    note = ""
    if r["differs"]:
        note = (f"填报完成值 {fmt_value(r['reported'], p, u, c)} 与台账计算值 {fmt_value(r['derived'], p, u, c)} "
                "不一致，按台账计算值考核")
    elif r["source"] == "填报":
        note = "台账无法计算，按单位填报值考核"
    return target, fmt_value(r["actual"], p, u, c), "突破" if r["breach"] else r["status"], note


def _indicators(w: _Writer, f: _Facts) -> None:
    if f.ev.empty:
        w.p(f"你公司{f.year}年度安全生产目标责任书指标尚未报送集团公司，本期无法考核。")
        return
    a = attainment(f.ev).iloc[-1]
    rows, colors, breaches, differs = [], {}, [], []
    for i, r in enumerate(f.ev.to_dict("records")):
        target, actual, status, note = _indicator_cells(r)
        rows.append([r["indicator"], target, actual, status, note])
        colors[(i, 3)] = {"突破": WORSE, "未达标": WORSE, "达标": BETTER}.get(status, GREY)
        if r["breach"]:
            breaches.append(f"{r['indicator']}（目标 {target}，实际 {actual}）")
        if r["differs"]:
            differs.append(r["indicator"])
    w.p(f"你公司{f.year}年度安全生产目标责任书共有考核指标 {int(a['指标数'])} 项（按{f.year}年1月1日至{f.as_of}累计"
        f"计算），达标 {int(a['达标'])} 项，未达标 {int(a['未达标'])} 项，无数据 {int(a['无数据'])} 项"
        + (f"；其中突破控制指标 {len(breaches)} 项：{'；'.join(breaches)}" if breaches else "，无突破控制指标情况")
        + "。指标完成情况如下（突破指标列在最前）：")
    w.table(["考核指标", "目标", "实际", "状态", "备注"], rows, [3.2, 2.4, 2.4, 1.6, 5.0], colors)
    if differs:
        w.p(f"经核对，{_join(differs)}的填报完成值与台账计算值不一致（见上表备注），请核实并更正报送数据。")


def _flags(w: _Writer, f: _Facts) -> None:
    if not f.kinds:
        w.p("经对你公司报送的台账进行分析，统计期内未发现需要关注的报送情况。")
        return
    w.p(f"经对你公司报送的台账进行分析，发现以下情况需要关注：{anomalies.summary(f.flags).iloc[0]['需要关注']}。")
    for numeral, k in zip(NUMERALS, f.kinds):
        w.p(f"（{numeral}）{k}。判定规则：{anomalies.RULES[k]}。", kind="h2")
        for n, r in enumerate(f.flags[f.flags["类型"] == k].to_dict("records"), 1):
            w.p(f"{n}. {r['时间']}：{r['情况说明']}", kind="item")


def requirements(f: _Facts) -> list[str]:
    """七、整改要求, generated from the findings, most serious first."""
    v, due, asks = f.v, f.day(f.due), []
    if f.rag == NO_DATA:
        asks.append(f"你公司统计期内未报送隐患排查治理、生产安全事故等安全生产台账。请于{due}前补报统计期内的各项台账；"
                    "确无隐患、无事故的，应如实报送并注明。")
    overdue = f.majors[f.majors["逾期天数"] > 0]
    until = f.day(f.window.end + dt.timedelta(days=MAJOR_OVERDUE_DAYS))
    for r in overdue.head(MAJORS_ASKED).to_dict("records"):
        asks.append(f"重大隐患 {_text(r['隐患编号'], '')}（{_text(r['隐患部位'], '')}，{_text(r['隐患描述'], '')}，"
                    f"整改责任人{_text(r['整改责任人'], '未明确')}）已超过整改期限 {int(r['逾期天数'])} 天，"
                    f"于{until}前完成整改并报送整改报告。")
    if len(overdue) > MAJORS_ASKED:
        asks.append(f"其余 {len(overdue) - MAJORS_ASKED} 项逾期重大隐患（清单见会议看板“{MAJORS_PAGE}”页）同样于{until}前"
                    "完成整改并逐项报送整改报告。")
    if len(overdue):
        asks.append("上述逾期重大隐患由你公司主要负责人亲自督办，按照“五落实”（责任、措施、资金、时限、预案）要求逐项落实，"
                    "整改完成前必须落实监控和应急措施，确保安全；整改完成后组织验收销号。")
    pending = f.majors[~(f.majors["逾期天数"] > 0)]
    if len(pending):
        asks.append("重大隐患 " + "、".join(
            f"{_text(r['隐患编号'], '')}（{_text(r['隐患描述'], '')}，整改期限"
            f"{'未明确' if _missing(r['整改期限']) else f.day(r['整改期限'])}）"
            for r in pending.head(MAJORS_ASKED).to_dict("records"))
            + (f"等 {len(pending)} 项" if len(pending) > MAJORS_ASKED else "") + "尚未整改，须严格按整改期限完成整改，整改期间落实安全防范措施，完成后组织验收销号。")
    general = int(v["overdue_open"]) - int(v["major_overdue"])
    if general > 0:
        asks.append(f"对逾期未整改的 {general} 项一般隐患逐项明确整改责任人和完成时限，于{due}前完成整改；"
                    "确因客观原因无法按期完成的，须说明原因并落实临时管控措施。")
    for r in f.ev[f.ev["breach"]].to_dict("records") if len(f.ev) else []:
        target, actual, _, _ = _indicator_cells(r)
        asks.append(f"对突破“{r['indicator']}”控制指标（目标 {target}，实际 {actual}）的原因进行分析，按照安全生产目标"
                    f"责任书追究相关人员责任，制定针对性防范措施，分析报告于{due}前报{ISSUER}。")
    fired = {r.short for r in RULES if r.text in f"{f.row['rag_reasons']}；{f.row['rag_also']}".split("；")}
    if f.indicators(NOT_MET):
        asks.append(f"针对{_join(f.indicators(NOT_MET))}未达到年度目标的情况，制定专项提升措施，确保完成全年目标任务。")
    elif any("整改率" in s for s in fired):
        asks.append("加强隐患排查治理闭环管理，逐项跟踪整改进度，提高隐患整改率和按期整改率。")
    if f.indicators(IND_NO_DATA):
        asks.append(f"{_join(f.indicators(IND_NO_DATA))}无完成数据，请于{due}前补报。")
    if len(f.acc):
        if len(f.four_no_open):
            asks.append(f"对{_join([_text(x) for x in f.four_no_open['事故编号']])}事故未落实的“四不放过”事项限期闭环，"
                        f"于{due}前报送闭环材料。")
        if len(f.late):
            asks.append("严格执行事故报告制度，事故发生后 1 小时内按规定报告，对迟报行为追究相关人员责任。")
        asks.append("深刻吸取事故教训，举一反三，全面排查同类风险，防止同类事故再次发生。")
    if anomalies.REPEAT in f.kinds:
        texts = f.flags.loc[f.flags["类型"] == anomalies.REPEAT, "情况说明"]
        places = list(dict.fromkeys(str(x).split("：")[0] for x in texts))
        asks.append(f"对隐患反复出现的部位（{_join(places[:5])}{'等' if len(places) > 5 else ''}）开展原因分析，"
                    "从管理和技术上根治，防止同类隐患反复出现。")
    if anomalies.ZERO in f.kinds or anomalies.DROP in f.kinds:
        asks.append("对隐患排查数量异常的月份进行核实，确保隐患排查真实、全面，杜绝隐患漏报、瞒报。")
    if anomalies.MISSING in f.kinds:
        asks.append(f"严格按时报送安全生产台账（每月{anomalies.SUBMISSION_DUE_DAY}日前报送上月台账），"
                    f"于{due}前补报未报送的台账。")
    return asks or ["保持良好安全生产态势，持续做好隐患排查治理和安全教育培训工作，巩固安全生产成果。"]


def _requirements(w: _Writer, f: _Facts) -> None:
    for n, text in enumerate(requirements(f), 1):
        w.p(f"（{_cn(n)}）{text}", kind="item")
    w.p(f"请你公司于{long_date(f.due)}前将上述整改要求的落实情况（含整改报告、验收资料）书面报{ISSUER}。{ISSUER}将对"
        "整改落实情况进行跟踪督查，对整改不力、问题反复出现的单位和责任人，按照安全生产目标责任书和集团公司安全生产"
        "奖惩规定严肃考核问责。")


NOTE_METRICS = ("hazards_found", "rectification_rate", "on_time_rate", "overdue_open", "major_open", "major_overdue",
                "accidents", "late_reports", "four_no_closure_rate", "training_completion", "training_pass_rate",
                "investment_completion")


def _notes(w: _Writer, f: _Facts) -> None:
    """附：数据口径 — the period, and each figure's 口径 as Metric.caption says it."""
    win, ly = f.window, f.last_year
    w.p("附：数据口径", kind="note_h")
    w.p(f"统计期 {long_date(win.start)}至{long_date(win.end)}，状态截至 {long_date(win.as_of)}；上年同期 "
        f"{long_date(ly.start)}至{long_date(ly.end)}；目标责任书指标按{f.year}年1月1日至截止日累计。", kind="note")
    for n in NOTE_METRICS:
        w.p(f"{BY_NAME[n].label}：{BY_NAME[n].caption}。", kind="note")


SECTIONS = (("总体情况", _overall), ("隐患排查治理情况", _hazards), ("生产安全事故情况", _accidents),
            ("安全教育培训与安全生产投入情况", _training_investment), ("安全生产目标责任书指标完成情况", _indicators),
            ("需要关注的问题", _flags), ("整改要求", _requirements))


def _cn(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五, 200 → 二百 (for （一）…（二百）)."""
    if n <= 10:
        return NUMERALS[n - 1]
    if n >= 100:
        hundreds, rest = divmod(n, 100)
        return NUMERALS[hundreds - 1] + "百" + ("" if not rest else "零" + NUMERALS[rest - 1] if rest < 10
                                               else ("一" if rest < 20 else "") + _cn(rest))
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


# ------------------------------------------------------------------ Word layout (GB/T 9704)
BODY_FONT, HEAD_FONT, SUB_FONT, TITLE_FONT, LATIN = "仿宋", "黑体", "楷体", "宋体", "Times New Roman"


_RPR: dict[tuple, object] = {}     # (east, size, bold, colour) → a finished <w:rPr>, copied into each run


def _font(run, east: str, size: float, bold: bool = False, color: str | None = None) -> None:
    """Set a run's fonts, size, weight and colour. The run properties are built once per style through
    python-docx and copied as XML into every further run (a table of 200 rows has thousands of runs)."""
    import copy
    key = (east, size, bool(bold), color)
    if key not in _RPR:
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor
        run.font.name = LATIN
        run.font.size = Pt(size)
        run.font.bold = bold
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
        _RPR[key] = copy.deepcopy(run._element.rPr)
        return
    r = run._element
    if r.rPr is not None:
        r.remove(r.rPr)
    r.insert(0, copy.deepcopy(_RPR[key]))


def _page_number(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), BODY_FONT, 14)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = p.add_run("1")
    _font(r, BODY_FONT, 14)
    p._p.remove(r._r)
    fld.append(r._r)
    p._p.append(fld)
    _font(p.add_run(" —"), BODY_FONT, 14)


def _table(doc, t: Table, width_cm: float) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm
    table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(t.widths)
    widths = [Cm(width_cm * x / total) for x in t.widths]
    head = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")          # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    head.append(repeat)
    for i, (cells, row) in enumerate(zip([t.header, *t.rows], table.rows)):
        row_cells = row.cells                    # once per row: table.cell(i, j) walks the whole table each time
        for j, text in enumerate(cells):
            cell = row_cells[j]
            cell.width = widths[j]
            p = cell.paragraphs[0]
            p.paragraph_format.space_after = 0
            p.paragraph_format.line_spacing = 1.0
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER if i == 0 or len(text) <= 12 else WD_ALIGN_PARAGRAPH.LEFT
            if i == 0:
                shade = OxmlElement("w:shd")
                shade.set(qn("w:val"), "clear")
                shade.set(qn("w:fill"), "D9D9D9")
                cell._tc.get_or_add_tcPr().append(shade)
                _font(p.add_run(text), HEAD_FONT, t.size or 11)
            else:
                color = t.colors.get((i - 1, j))
                _font(p.add_run(text), BODY_FONT, t.size or 11, bold=color == WORSE, color=color)
    doc.add_paragraph().paragraph_format.space_after = 0


RED_HEAD = "E00000"


def _red_rule(p) -> None:
    """The red line under the 文号 (a bottom border on its paragraph)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("val", "single"), ("sz", "18"), ("space", "8"), ("color", RED_HEAD)):
        bottom.set(qn(f"w:{k}"), v)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def render_docx(b: Bulletin) -> bytes:
    """The bulletin as a .docx (A4, margins and fonts of a 公文)."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Pt
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn
    doc = docx.Document()
    pkg = doc.part.package
    for rel in [r for r in pkg.rels.values() if r.reltype == RT.THUMBNAIL]:
        pkg.rels.pop(rel.rId)                    # the template's preview picture is not this document
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    text_width = 21.0 - 2.8 - 2.6
    _page_number(sec)
    doc.core_properties.title = b.title
    doc.core_properties.author = ISSUER
    doc.core_properties.subject = f"{b.company}安全生产通报"
    style = {  # kind → (east-asian font, size, bold, alignment, first-line indent in characters)
        "red": (TITLE_FONT, 36, True, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "docno": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "title": (TITLE_FONT, 22, True, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "to": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
        "h1": (HEAD_FONT, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
        "h2": (SUB_FONT, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
        "body": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
        "item": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
        "sign": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.RIGHT, 0),
        "note_h": (HEAD_FONT, 12, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
        "note": (BODY_FONT, 10.5, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    }
    first_sign = True
    for block in b.blocks:
        if isinstance(block, Table):
            _table(doc, block, text_width)
            continue
        east, size, bold, align, indent = style[block.kind]
        p = doc.add_paragraph()
        pf = p.paragraph_format
        pf.alignment = align
        pf.first_line_indent = Pt(size * indent) if indent else None
        pf.space_before, pf.space_after = Pt(0), Pt(0)
        if block.kind == "title":
            pf.space_after = Pt(16)
            pf.line_spacing = Pt(36)
        elif block.kind == "red":
            pf.space_after = Pt(12)
            pf.line_spacing = Pt(56)
        elif block.kind == "docno":
            pf.space_after = Pt(24)
            _red_rule(p)
        elif block.kind in ("note", "note_h"):
            pf.line_spacing = 1.15
        else:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(28)
        if block.kind == "sign":
            pf.right_indent = Pt(16 * 2)
            if first_sign:
                pf.space_before, first_sign = Pt(28), False
        if block.kind == "note_h":
            pf.space_before = Pt(28)
        for r in block.runs:
            _font(p.add_run(r.text), east, size, bold or r.bold, RED_HEAD if block.kind == "red" else r.color)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def bulletin_docx(store: Store, company: str, window: Window) -> tuple[bytes, str]:
    """The 通报 of one company as a Word document: (bytes of the .docx, file name such as
    陇原电力有限公司_安全生产通报_2026年1-11月.docx). `company` is a registered name or alias; an unknown
    name raises CompanyError naming the closest registered names."""
    b = bulletin(store, company, window)
    return render_docx(b), b.file_name
