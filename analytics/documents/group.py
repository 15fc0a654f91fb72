"""集团通报: the bulletin for the whole group, announcing every company's problems in turn as the meeting does
("通报各子（控）公司安全生产督查检查中发现的问题"). Same document model and renderers as the company 通报
(bulletin.Bulletin → render_docx / pdf.render_pdf); every figure from the engine (metrics.compute for the group,
scorecard.company_table, records.*, the per-company facts of bulletin._Facts).

Decisions (docs/documents.md): companies in registry order, each with its 红黄绿 status; a company is named in
二 with its problems by 检查类型 (公司自查 / 集团督查 / 第三方检查 …), its rectification, its overdue and open
major hazards with owners, its breaches and accidents; 五、整改要求 lists per company the same generated
requirements as its own 通报 (companies with nothing to correct are named together). Above LARGE_GROUP companies
the compact form: at most NAMED_CAP red / amber companies named, worst first (ranking.rag_worst_first), the rest
counted by colour in one sentence (rest_sentence), and the summary of every company as the 附件.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from ..companies import registry
from ..figures.metrics import GROUP, Window, compute
from ..figures.rag import AMBER, GREEN, NO_DATA, RED, own_reasons
from ..figures.ranking import RAG_ORDER_TEXT, rag_counts, rag_worst_first
from ..figures.records import hazards_found
from ..figures.scorecard import breach_list, company_table
from ..store.db import Store
from .bulletin import (FIGURES, accident_rows, GROUP_TO, ISSUER, MAJOR_OVERDUE_DAYS, NUMERALS, major_rows, major_table, RAG_COLORS, WORSE, Bulletin, Run, _Facts, _cn, _join,
                       _masthead, _notes, _text, _Writer, fmt, iso, long_date, period_label, requirements, span_label)

OK_ASK = "保持良好安全生产态势"
SOURCES = ("公司自查", "集团督查", "第三方检查", "专项检查", "上级检查")
LARGE_GROUP = 20        # more companies than this: the compact form (docs/documents.md, "the group 通报 at 200 companies")
MAJORS_LISTED = 10      # open major hazards tabled per company (most overdue first); the rest are counted
MAJORS_NAMED = 3        # … named in the compact form's one paragraph per company
ACCIDENTS_TABLED = 30   # accidents tabled in 三 (the worst first); more are counted and left to the 事故 page
NAMED_CAP = 30          # the compact form names at most this many red / amber companies (worst first); the rest counted
BREACHES_TABLED = 30    # breached indicators tabled in 四 (the worst companies first); more are counted
ANNEX_SIZE = 9          # pt: the compact form's 附件 (every company, one line each)


def group_name(window: Window) -> str:
    return f"集团公司_安全生产通报_{period_label(window, '-')}"


def bulletin_group(store: Store, window: Window) -> Bulletin:
    """The group 通报 for a window: 总体情况, each company's problems in turn, accidents, breaches, 整改要求."""
    names = list(registry(store).names)
    v = compute(store, window, names, FIGURES)["group"]
    table = company_table(store, window, names)
    rows = table[table["company"] != GROUP].set_index("company")
    b = Bulletin("集团公司", window, f"关于{period_label(window)}各子（控）公司安全生产情况的通报",
                 group_name(window) + ".docx")
    w = _Writer(b)
    _masthead(w, window)
    w.p(b.title, kind="title")
    w.p(f"{GROUP_TO}：", kind="to")
    facts = _Facts.read_all(store, names, window)
    as_of = next(iter(facts.values())).as_of if facts else long_date(window.as_of)
    w.p(f"根据各子（控）公司报送的安全生产台账和集团公司督查检查情况，{ISSUER}对{span_label(window)}全集团安全生产情况"
        f"进行了统计分析（隐患整改、逾期等状态截至{as_of}）。现将有关情况通报如下：")

    w.p("一、总体情况", kind="h1")
    val = lambda n: fmt(n, v[n])  # noqa: E731
    count = rag_counts(rows)
    w.p(f"统计期内，集团共{len(names)}家子（控）公司，安全生产状态评定为",
        *[x for c in (RED, AMBER, GREEN) for x in (Run(f"“{c}”", True, RAG_COLORS[c]), f" {count[c]} 家、")],
        f"无数据 {count[NO_DATA]} 家。全集团排查隐患 {val('hazards_found')}，已整改 {val('hazards_rectified')}，"
        f"隐患整改率 {val('rectification_rate')}，按期整改率 {val('on_time_rate')}；截至{as_of}逾期未整改隐患 "
        f"{val('overdue_open')}，未整改重大隐患 {val('major_open')}（其中逾期 {val('major_overdue')}）；发生生产安全事故 "
        f"{val('accidents')}，死亡 {val('deaths')}、重伤 {val('serious_injuries')}，直接经济损失 {val('direct_loss')}。")
    large = len(names) > LARGE_GROUP
    worst = list(rag_worst_first(table[table["company"] != GROUP])["company"])
    attention = [n for n in worst if rows.loc[n, "rag"] in (RED, AMBER)]
    named = attention[:NAMED_CAP]          # the compact form's companies, worst first (ranking.RAG_ORDER_TEXT)
    trows, colors = [], {}
    for i, n in enumerate(names):
        r = rows.loc[n]
        reasons = "—" if r["rag"] == GREEN else own_reasons(r["rag_short"]) if large else r["rag_reasons"]
        trows.append([n, r["rag"], fmt("hazards_found", r["hazards_found"])]
                     + ([] if large else [fmt("rectification_rate", r["rectification_rate"])])
                     + [fmt("on_time_rate", r["on_time_rate"]), fmt("overdue_open", r["overdue_open"]),
                        fmt("major_open", r["major_open"]), fmt("accidents", r["accidents"]), reasons])
        colors[(i, 1)] = RAG_COLORS[r["rag"]]
    if large:       # the 附件: one line a company as far as the reasons allow (9 pt, only the colour's own rules)
        summary = (["单位", "状态", "排查隐患", "按期整改率", "逾期未整改", "重大隐患未整改", "事故", "评定依据"], trows,
                   [5.0, 1.7, 2.2, 2.0, 2.2, 2.2, 1.5, 5.2], colors, ANNEX_SIZE)
    else:
        summary = (["单位", "状态", "排查隐患", "整改率", "按期整改率", "逾期未整改", "重大隐患未整改", "事故", "评定依据"],
                   trows, [3.2, 1.2, 1.6, 1.6, 1.6, 1.6, 1.6, 1.2, 4.0], colors)
    if large:
        which = ("在第二部分逐一通报" if len(named) == len(attention) else
                 f"第二部分通报其中最需关注的 {len(named)} 家，其余 {len(attention) - len(named)} 家计数列出")
        w.p(f"评定为“{RED}”的单位 {count[RED]} 家、“{AMBER}”的 {count[AMBER]} 家，{which}（{RAG_ORDER_TEXT}）；"
            f"各单位主要指标见附件《各子（控）公司安全生产情况汇总表》。")
    else:
        w.table(*summary)

    w.p("二、各子（控）公司安全生产督查检查中发现的问题", kind="h1")
    by_source = _by_source(hazards_found(store, window, names))
    due = next(iter(facts.values())).due if facts else None
    if large:
        for k, n in enumerate(named, 1):
            _company_brief(w, facts[n], by_source.get(n, {}), k)
        rest = [n for n in names if n not in set(named)]
        if rest:
            w.p(rest_sentence(rag_counts(rows.loc[rest]), len(named), facts[rest[0]].day(due)))
    else:
        for k, n in enumerate(names, 1):
            _company(w, facts[n], by_source.get(n, {}), k)

    w.p("三、生产安全事故情况", kind="h1")
    acc = [(n, r) for n in names for r in facts[n].acc.to_dict("records")]
    if not acc:
        w.p("统计期内，集团各子（控）公司未发生生产安全事故。")
    else:
        listed = acc
        if len(acc) > ACCIDENTS_TABLED:      # the worst first: deaths, serious injuries, then the latest
            listed = sorted(acc, key=lambda x: (-int(x[1]["死亡人数"] or 0), -int(x[1]["重伤人数"] or 0),
                                                -pd.Timestamp(x[1]["发生时间"]).value))[:ACCIDENTS_TABLED]
        more = (f"伤亡最重的 {ACCIDENTS_TABLED} 起列于下表（按死亡、重伤人数，其次发生时间排列），其余 "
                f"{len(acc) - ACCIDENTS_TABLED} 起见看板“事故”页的下载明细：" if len(acc) > ACCIDENTS_TABLED else "明细如下：")
        w.p(f"统计期内，集团发生生产安全事故 {val('accidents')}，其中迟报 {val('late_reports')}，“四不放过”未闭环 "
            f"{val('four_no_open')}，{more}")
        arows, acol = accident_rows([{**r, "单位": n} for n, r in listed], company=True)
        w.table(["单位", "事故编号", "发生时间", "类别／等级", "伤亡（人）", "上报情况", "四不放过"], arows,
                [3.0, 2.2, 2.0, 2.4, 2.4, 1.6, 2.6], acol)

    w.p("四、安全生产目标责任书控制指标突破情况", kind="h1")
    br = breach_list(store, window, names)
    if br.empty:
        w.p(f"截至{as_of}，集团各子（控）公司无突破目标责任书控制指标的情况。")
    else:
        who = list(dict.fromkeys(br["单位"]))
        listed = br
        if len(br) > BREACHES_TABLED:     # the worst companies' breaches first (the order of 二), the rest counted
            rank = {n: i for i, n in enumerate(worst)}
            listed = br.assign(_r=br["单位"].map(rank)).sort_values("_r", kind="stable").drop(columns="_r")
            listed = listed.head(BREACHES_TABLED).reset_index(drop=True)
        lead = f"{_join(who)}突破" if len(listed) == len(br) else f"{len(who)} 家单位突破"
        more = ("明细如下：" if len(listed) == len(br) else
                f"下表列出评定最差单位的 {len(listed)} 项，其余 {len(br) - len(listed)} 项见会议看板“指标考核”页：")
        w.p(f"截至{as_of}，{lead}目标责任书控制指标 {len(br)} 项，{more}")
        w.table(["单位", "考核指标", "控制目标", "实际值", "依据"], listed.astype(str).values.tolist(),
                [3.2, 3.2, 2.4, 2.4, 2.0], {(i, 3): WORSE for i in range(len(listed))})

    w.p("五、整改要求", kind="h1")
    fine = []
    k = 0
    for n in ([] if large else names):
        asks = [a.replace("你公司", n) for a in requirements(facts[n])]
        if len(asks) == 1 and asks[0].startswith(OK_ASK):
            fine.append(n)
            continue
        k += 1
        w.p(f"（{_cn(k)}）{n}", kind="h2")
        for j, a in enumerate(asks, 1):
            w.p(f"{j}. {a}", kind="item")
    if large:
        _asks_table(w, [facts[n] for n in names], worst)
    if fine:
        k += 1
        w.p(f"（{_cn(k)}）{_join(fine)}：{OK_ASK}，持续做好隐患排查治理和安全教育培训工作，巩固安全生产成果。", kind="h2")
    w.p(f"请各子（控）公司于{long_date(due) if due else '次月5日'}前将整改要求的落实情况（含整改报告、验收资料）书面报{ISSUER}。"
        f"{ISSUER}将对整改落实情况进行跟踪督查，对整改不力、问题反复出现的单位和责任人严肃考核问责。")
    w.p(ISSUER, kind="sign")
    w.p(long_date(window.end), kind="sign")
    if facts:
        _notes(w, next(iter(facts.values())))
    if large:
        w.p("附件", kind="note_h")
        w.p("各子（控）公司安全生产情况汇总表", kind="title")
        w.p(f"（按单位登记顺序排列；统计期{span_label(window)}，逾期、未整改状态截至{as_of}；评定依据列出决定颜色的"
            f"规则，红色单位另触发的黄色规则见会议看板“总览”页。）", kind="note")
        w.table(*summary)
    return b


def _by_source(found: pd.DataFrame) -> dict[str, dict[str, int]]:
    """company → {检查类型: hazards found}, in the order SOURCES then others as written (one pass for all)."""
    out: dict[str, dict[str, int]] = {}
    if found.empty:
        return out
    counts = found.assign(检查类型=found["检查类型"].fillna("未填")).groupby(["单位", "检查类型"], sort=False).size()
    for (company, source), n in counts.items():
        out.setdefault(company, {})[source] = int(n)
    for company, by in out.items():
        order = [x for x in SOURCES if x in by] + [x for x in by if x not in SOURCES]
        out[company] = {x: by[x] for x in order}
    return out


def _company_brief(w: _Writer, f: _Facts, by: dict[str, int], k: int) -> None:
    """The compact form (more than LARGE_GROUP companies): one company's problems in one paragraph."""
    v, val = f.v, f.val
    parts = []
    if v["hazards_found"]:
        parts.append(f"排查隐患 {val('hazards_found')}（" + "、".join(f"{s} {n} 项" for s, n in by.items())
                     + f"），隐患整改率 {val('rectification_rate')}，按期整改率 {val('on_time_rate')}")
    else:
        parts.append("统计期内未上报排查发现的隐患")
    if v["overdue_open"]:
        parts.append(f"逾期未整改隐患 {val('overdue_open')}（其中重大隐患 {val('major_overdue')}）")
    if not f.majors.empty:
        named = "；".join(f"{a}（{b}，{d}，责任人{e}，{'逾期 ' + o if o.endswith('天') else o}）"
                         for a, b, _, e, d, o in major_rows(f, MAJORS_NAMED)[0])
        more = len(f.majors) - MAJORS_NAMED
        parts.append(f"未整改重大隐患 {val('major_open')}：{named}" + (f"等（另有 {more} 项）" if more > 0 else ""))
    parts += _also(f)
    w.p(Run(f"（{_cn(k)}）{f.company}（", True), Run(f.rag, True, RAG_COLORS[f.rag]), Run("）", True),
        f"（{f.row['rag_short']}）" if f.row["rag_short"] else "", "；".join(parts) + "。", kind="body")


def rest_sentence(count: dict[str, int], named: int, due: str) -> str:
    """The compact form's line for the companies 二 does not name, counted by colour (ranking.rag_counts of them):
    "其余 170 家单位各项指标正常（评定为“绿”，未触发红、黄评定规则）。…" — or, when red / amber companies are left
    over (more than NAMED_CAP), how many of each, that they rank after the `named` ones, and where they are listed."""
    total = sum(count.values())
    parts = []
    if count[RED] or count[AMBER]:
        parts.append("、".join(f"{count[c]} 家评定为“{c}”" for c in (RED, AMBER) if count[c])
                     + f"，按严重程度排在前 {named} 家之后，本通报不再逐一列出")
    if count[GREEN]:
        parts.append(f"{count[GREEN]} 家各项指标正常（评定为“{GREEN}”，未触发红、黄评定规则）")
    if count[NO_DATA]:
        parts.append(f"{count[NO_DATA]} 家统计期内未报送任何台账（{NO_DATA}），须于{due}前补报")
    which = "其余" if named else "全部"                  # 二 named none: every company is in this sentence
    if len(parts) == 1 and max(count.values()) == total:
        head = f"{which} {total} 家单位" + parts[0].removeprefix(f"{total} 家")
    else:
        head = f"{which} {total} 家单位中，" + "；".join(parts)
    return head + "。各单位主要指标和评定依据见附件，逐项明细见会议看板“总览”页。"


def _asks_table(w: _Writer, facts: list[_Facts], worst: list[str]) -> None:
    """The compact form's 整改要求: what applies to every company once, then one table row for each of the first
    NAMED_CAP companies (in `worst`'s order, ranking.rag_worst_first) that have something to correct — the same
    findings and deadlines its own 通报's 整改要求 sets —, and a count of the further ones (same requirements; the
    附件 has their figures)."""
    first = facts[0]
    until = first.day(first.window.end + dt.timedelta(days=MAJOR_OVERDUE_DAYS))
    due = first.day(first.due)
    w.p(f"（一）逾期未整改的重大隐患，由所在单位主要负责人亲自督办，按照“五落实”（责任、措施、资金、时限、预案）要求逐项"
        f"落实，于{until}前完成整改并报送整改报告；整改完成前必须落实监控和应急措施。", kind="item")
    w.p(f"（二）逾期未整改的一般隐患，逐项明确整改责任人和完成时限，于{due}前完成整改；突破目标责任书控制指标的，分析原因、"
        f"追究责任，分析报告于{due}前报{ISSUER}；事故“四不放过”未闭环的，于{due}前报送闭环材料；未报送台账的，于{due}前"
        "补报。", kind="item")
    rows, colors, others = [], {}, 0
    order = {n: i for i, n in enumerate(worst)}
    for f in sorted(facts, key=lambda f: order.get(f.company, len(order))):
        items = _asks(f, until, due)
        if items and len(rows) == NAMED_CAP:
            others += 1
        elif items:
            if items[0].startswith("逾期重大隐患") or f.indicators("突破"):
                colors[(len(rows), 1)] = WORSE
            rows.append([f.company, "；".join(items)])
    if not rows:
        w.p("各单位无逾期隐患、突破指标或未闭环事故。")
        return
    w.p(("（三）各单位须整改的事项如下" if not others else f"（三）须整改的单位中评定最差的 {len(rows)} 家（排序同第二部分）"
         "须整改的事项如下") + "（数量截至状态日期，完成时限按上述要求）：", kind="item")
    w.table(["单位", "须整改事项"], rows, [5.0, 11.0], colors)
    if others:
        w.p(f"（四）另有 {others} 家单位存在逾期隐患、未报送台账等须整改事项，同样按上述（一）（二）要求和时限办理，"
            "各单位逾期未整改隐患、未整改重大隐患数量见附件，逐项清单见会议看板“整改情况”页。", kind="item")


def _asks(f: _Facts, until: str, due: str) -> list[str]:
    """What one company must correct, in the compact form's short words (the same findings as requirements())."""
    items = []
    major_over = int((f.majors["逾期天数"] > 0).sum()) if len(f.majors) else 0
    general = int(f.v["overdue_open"]) - int(f.v["major_overdue"])
    if major_over:
        items.append(f"逾期重大隐患 {major_over} 项（{until}前）")
    if len(f.majors) - major_over:
        items.append(f"未到期重大隐患 {len(f.majors) - major_over} 项（按期）")
    if general > 0:
        items.append(f"逾期一般隐患 {general} 项（{due}前）")
    if f.indicators("突破"):
        items.append(f"突破指标 {len(f.indicators('突破'))} 项（{due}前报分析）")
    if len(f.four_no_open):
        items.append(f"四不放过未闭环 {len(f.four_no_open)} 起（{due}前）")
    if f.rag == NO_DATA:
        items.append(f"补报台账（{due}前）")
    return items


def _company(w: _Writer, f: _Facts, by: dict[str, int], k: int) -> None:
    """（k）one company's problems: by source, rectification, overdue and major hazards, breaches, accidents."""
    v, val = f.v, f.val
    w.p(f"（{_cn(k)}）{f.company}（", Run(f.rag, True, RAG_COLORS[f.rag]), "）", kind="h2")
    if not v["hazards_found"]:
        w.p("统计期内未上报排查发现的隐患。" if f.rag != NO_DATA else f"统计期内未报送台账：{f.row['rag_reasons']}。")
    else:
        w.p(f"统计期内排查隐患 {val('hazards_found')}，其中" + "、".join(f"{s} {n} 项" for s, n in by.items())
            + f"；已整改 {val('hazards_rectified')}，隐患整改率 {val('rectification_rate')}，按期整改率 {val('on_time_rate')}；"
            f"重大隐患 {val('major_found')}。")
    if v["overdue_open"]:
        w.p(f"截至{f.as_of}，逾期未整改隐患 {val('overdue_open')}（其中重大隐患 {val('major_overdue')}）。")
    if not f.majors.empty:
        w.p(f"未整改的重大隐患 {val('major_open')}：")
        major_table(w, f, MAJORS_LISTED)
    for sentence in _also(f):
        w.p(f"{sentence}。")


def _also(f: _Facts) -> list[str]:
    """A company's breaches, accidents and 需要关注, one clause each (both forms of the group 通报)."""
    out, val = [], f.val
    if f.indicators("突破"):
        out.append(f"突破目标责任书控制指标：{_join(f.indicators('突破'))}")
    if f.v["accidents"]:
        out.append(f"发生生产安全事故 {val('accidents')}，死亡 {val('deaths')}、重伤 {val('serious_injuries')}，迟报 "
                   f"{val('late_reports')}，“四不放过”未闭环 {val('four_no_open')}")
    if f.kinds:
        out.append(f"需要关注：{_join(f.kinds)}")
    return out


__all__ = ["bulletin_group", "group_name", "NUMERALS"]
