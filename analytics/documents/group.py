"""集团通报: the bulletin for the whole group, announcing every company's problems in turn as the meeting does
("通报各子（控）公司安全生产督查检查中发现的问题"). Same document model and renderers as the company 通报
(bulletin.Bulletin → render_docx / pdf.render_pdf); every figure from the engine (metrics.compute for the group,
scorecard.company_table, records.*, the per-company facts of bulletin._Facts).

Decisions (docs/documents.md): companies in registry order, each with its 红黄绿 status; a company is named in
二 with its problems by 检查类型 (公司自查 / 集团督查 / 第三方检查 …), its rectification, its overdue and open
major hazards with owners, its breaches and accidents; 五、整改要求 lists per company the same generated
requirements as its own 通报 (companies with nothing to correct are named together).
"""
from __future__ import annotations

import pandas as pd

from ..companies import registry
from ..figures.metrics import GROUP, Window, compute
from ..figures.rag import AMBER, GREEN, NO_DATA, RED
from ..figures.records import hazards_found
from ..figures.scorecard import breach_list, company_table
from ..store.db import Store
from .bulletin import (FIGURES, GROUP_TO, ISSUER, NUMERALS, RAG_COLORS, WORSE, Bulletin, Run, _Facts, _cn, _join,
                       _masthead, _notes, _text, _Writer, fmt, iso, long_date, period_label, requirements, span_label)

OK_ASK = "保持良好安全生产态势"
SOURCES = ("公司自查", "集团督查", "第三方检查", "专项检查", "上级检查")


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
    facts = {n: _Facts.read(store, n, window) for n in names}
    as_of = next(iter(facts.values())).as_of if facts else long_date(window.as_of)
    w.p(f"根据各子（控）公司报送的安全生产台账和集团公司督查检查情况，{ISSUER}对{span_label(window)}全集团安全生产情况"
        f"进行了统计分析（隐患整改、逾期等状态截至{as_of}）。现将有关情况通报如下：")

    w.p("一、总体情况", kind="h1")
    val = lambda n: fmt(n, v[n])  # noqa: E731
    count = {c: int((rows["rag"] == c).sum()) for c in (RED, AMBER, GREEN, NO_DATA)}
    w.p(f"统计期内，集团共{len(names)}家子（控）公司，安全生产状态评定为",
        *[x for c in (RED, AMBER, GREEN) for x in (Run(f"“{c}”", True, RAG_COLORS[c]), f" {count[c]} 家、")],
        f"无数据 {count[NO_DATA]} 家。全集团排查隐患 {val('hazards_found')}，已整改 {val('hazards_rectified')}，"
        f"隐患整改率 {val('rectification_rate')}，按期整改率 {val('on_time_rate')}；截至{as_of}逾期未整改隐患 "
        f"{val('overdue_open')}，未整改重大隐患 {val('major_open')}（其中逾期 {val('major_overdue')}）；发生生产安全事故 "
        f"{val('accidents')}，死亡 {val('deaths')}、重伤 {val('serious_injuries')}，直接经济损失 {val('direct_loss')}。")
    trows, colors = [], {}
    for i, n in enumerate(names):
        r = rows.loc[n]
        trows.append([n, r["rag"], fmt("hazards_found", r["hazards_found"]), fmt("rectification_rate", r["rectification_rate"]),
                      fmt("on_time_rate", r["on_time_rate"]), fmt("overdue_open", r["overdue_open"]),
                      fmt("major_open", r["major_open"]), fmt("accidents", r["accidents"]),
                      r["rag_reasons"] if r["rag"] != GREEN else "—"])
        colors[(i, 1)] = RAG_COLORS[r["rag"]]
    w.table(["单位", "状态", "排查隐患", "整改率", "按期整改率", "逾期未整改", "重大隐患未整改", "事故", "评定依据"],
            trows, [3.2, 1.2, 1.6, 1.6, 1.6, 1.6, 1.6, 1.2, 4.0], colors)

    w.p("二、各子（控）公司安全生产督查检查中发现的问题", kind="h1")
    found = hazards_found(store, window, names)
    for k, n in enumerate(names, 1):
        _company(w, facts[n], found[found["单位"] == n], k)

    w.p("三、生产安全事故情况", kind="h1")
    acc = [(n, r) for n in names for r in facts[n].acc.to_dict("records")]
    if not acc:
        w.p("统计期内，集团各子（控）公司未发生生产安全事故。")
    else:
        w.p(f"统计期内，集团发生生产安全事故 {val('accidents')}，其中迟报 {val('late_reports')}，“四不放过”未闭环 "
            f"{val('four_no_open')}，明细如下：")
        arows, acol = [], {}
        for i, (n, r) in enumerate(acc):
            arows.append([n, _text(r["事故编号"]), f"{pd.Timestamp(r['发生时间']):%Y-%m-%d}",
                          f"{_text(r['事故类别'], '未填')}／{_text(r['事故等级'], '未填')}",
                          f"死亡 {int(r['死亡人数'] or 0)}／重伤 {int(r['重伤人数'] or 0)}", r["上报情况"], r["四不放过"]])
            if r["上报情况"] != "按时":
                acol[(i, 5)] = WORSE
            if r["四不放过"] != "已闭环":
                acol[(i, 6)] = WORSE
        w.table(["单位", "事故编号", "发生时间", "类别／等级", "伤亡（人）", "上报情况", "四不放过"], arows,
                [3.0, 2.2, 2.0, 2.4, 2.4, 1.6, 2.6], acol)

    w.p("四、安全生产目标责任书控制指标突破情况", kind="h1")
    br = breach_list(store, window, names)
    if br.empty:
        w.p(f"截至{as_of}，集团各子（控）公司无突破目标责任书控制指标的情况。")
    else:
        w.p(f"截至{as_of}，{_join(list(dict.fromkeys(br['单位'])))}突破目标责任书控制指标 {len(br)} 项，明细如下：")
        w.table(["单位", "考核指标", "控制目标", "实际值", "依据"], br.astype(str).values.tolist(),
                [3.2, 3.2, 2.4, 2.4, 2.0], {(i, 3): WORSE for i in range(len(br))})

    w.p("五、整改要求", kind="h1")
    fine = []
    k = 0
    for n in names:
        asks = [a.replace("你公司", n) for a in requirements(facts[n])]
        if len(asks) == 1 and asks[0].startswith(OK_ASK):
            fine.append(n)
            continue
        k += 1
        w.p(f"（{_cn(k)}）{n}", kind="h2")
        for j, a in enumerate(asks, 1):
            w.p(f"{j}. {a}", kind="item")
    if fine:
        k += 1
        w.p(f"（{_cn(k)}）{_join(fine)}：{OK_ASK}，持续做好隐患排查治理和安全教育培训工作，巩固安全生产成果。", kind="h2")
    due = next(iter(facts.values())).due if facts else None
    w.p(f"请各子（控）公司于{long_date(due) if due else '次月5日'}前将整改要求的落实情况（含整改报告、验收资料）书面报{ISSUER}。"
        f"{ISSUER}将对整改落实情况进行跟踪督查，对整改不力、问题反复出现的单位和责任人严肃考核问责。")
    w.p(ISSUER, kind="sign")
    w.p(long_date(window.end), kind="sign")
    if facts:
        _notes(w, next(iter(facts.values())))
    return b


def _company(w: _Writer, f: _Facts, found: pd.DataFrame, k: int) -> None:
    """（k）one company's problems: by source, rectification, overdue and major hazards, breaches, accidents."""
    v, val = f.v, f.val
    w.p(f"（{_cn(k)}）{f.company}（", Run(f.rag, True, RAG_COLORS[f.rag]), "）", kind="h2")
    if not v["hazards_found"]:
        w.p("统计期内未上报排查发现的隐患。" if f.rag != NO_DATA else f"统计期内未报送台账：{f.row['rag_reasons']}。")
    else:
        by = found["检查类型"].fillna("未填").value_counts()
        order = [s for s in SOURCES if s in by.index] + [s for s in by.index if s not in SOURCES]
        w.p(f"统计期内排查隐患 {val('hazards_found')}，其中" + "、".join(f"{s} {int(by[s])} 项" for s in order)
            + f"；已整改 {val('hazards_rectified')}，隐患整改率 {val('rectification_rate')}，按期整改率 {val('on_time_rate')}；"
            f"重大隐患 {val('major_found')}。")
    if v["overdue_open"]:
        w.p(f"截至{f.as_of}，逾期未整改隐患 {val('overdue_open')}（其中重大隐患 {val('major_overdue')}）。")
    if not f.majors.empty:
        rows, colors = [], {}
        for i, r in enumerate(f.majors.to_dict("records")):
            over = r["逾期天数"]
            over = None if over is None or over != over else int(over)
            rows.append([_text(r["隐患编号"]), _text(r["隐患部位"]), _text(r["隐患描述"]), _text(r["整改责任人"], "未明确"),
                         iso(r["整改期限"]), "—" if over is None else f"{over} 天" if over > 0 else "未到期"])
            if over is not None and over > 0:
                colors[(i, 5)] = WORSE
        w.p(f"未整改的重大隐患 {val('major_open')}：")
        w.table(["编号", "部位", "隐患描述", "责任人", "整改期限", "逾期天数"], rows, [2.6, 2.6, 5.0, 1.8, 2.4, 1.8], colors)
    breaches = f.indicators("突破")
    if breaches:
        w.p(f"突破目标责任书控制指标：{_join(breaches)}。")
    if v["accidents"]:
        w.p(f"发生生产安全事故 {val('accidents')}，死亡 {val('deaths')}、重伤 {val('serious_injuries')}；迟报 "
            f"{val('late_reports')}，“四不放过”未闭环 {val('four_no_open')}。")
    if f.kinds:
        w.p(f"需要关注：{_join(f.kinds)}。")


__all__ = ["bulletin_group", "group_name", "NUMERALS"]
