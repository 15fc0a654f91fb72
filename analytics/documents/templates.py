"""Standard ledger templates (标准台账模板), generated from the specs in analytics/ledgers.py.

One .xlsx per ledger: a title line, a 填报单位 / 填报月份 line, the header row with the
canonical labels (required columns marked *), dropdown lists for every vocabulary, date
formats on date columns, whole-number / amount checks, column widths, a frozen header, and
a 填表说明 sheet listing each column, whether it is required and the allowed values. What the
template produces is read back by the same ingest as any file (tests/analytics/test_templates.py).
"""
from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter

from ..ledgers import LEDGERS, VOCABULARIES, Field, Ledger

DATA_ROWS = 500                 # rows prepared with formats and dropdowns
HEADER_ROW = 2                  # 0-based: title, 填报单位 line, header
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "month": "yyyy-mm"}
KIND_HELP = {
    "text": "文字",
    "company": "单位全称或登记的简称；可留空，留空时取上方“填报单位”",
    "date": "日期，如 2026-10-05（也可写 2026/10/5、2026.10.5、2026年10月5日）",
    "datetime": "日期和时间，如 2026-10-05 14:30",
    "month": "月份，如 2026-10 或 2026年10月；可留空，留空时取上方“填报月份”",
    "year": "年度，如 2026",
    "int": "非负整数",
    "number": "非负数",
    "flag": "是 / 否",
    "target": "控制目标，可写文字：杜绝死亡事故、不超过1起、不低于95%、≤10、≥4次",
}
NOTES = {
    "hazards": ("“整改状态”为已整改时必须填写“整改完成日期”；填写了整改完成日期的，状态不能为未整改。",
                "“隐患编号”请使用本单位固定编号（如 LY-2026-001），不要用 1、2、3 顺序号：同一编号再次上报即为更新该隐患。",
                "重大隐患请填全责任人、整改措施、整改资金和整改期限（“五落实”），缺项会给出警告。"),
    "accidents": ("事故等级由死亡、重伤人数和直接经济损失按国务院令第493号自动判定，无需填写。",
                  "上报时间晚于发生时间 1 小时以上计为迟报。",
                  "原因查清、责任人处理、整改措施落实、教训吸取四项即“四不放过”，填 是/否。"),
    "training": ("考核合格人数不能大于实参训人数；实参训人数多于应参训人数会给出警告。",
                 "本台账按月替换：上传某月的台账，即以文件内容替换本单位该月的全部培训记录；空白的月份工作表表示该月无培训。"),
    "investment": ("金额单位为万元。",
                   "本台账按月替换：上传某月的台账，即以文件内容替换本单位该月的全部投入记录。"),
    "indicators": ("每个单位、年度、指标一行；同一指标再次上报即为更新。",
                   "百分数指标的完成值可写 96% 或 96。",
                   "事故起数、死亡人数、隐患整改率、培训完成率等可由台账计算的指标，看板以台账计算值判定是否达标。"),
}


def template_name(ledger: str) -> str:
    return f"{LEDGERS[ledger].label}（标准模板）.xlsx"


def write_templates(out_dir: Path) -> list[Path]:
    """Write one template per ledger into out_dir; returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in LEDGERS:
        p = out_dir / template_name(name)
        p.write_bytes(template_bytes(name))
        paths.append(p)
    return paths


def template_bytes(ledger: str) -> bytes:
    lg = LEDGERS[ledger]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    _ledger_sheet(wb, lg)
    _instructions(wb, lg)
    wb.close()
    return buf.getvalue()


def allowed_values(f: Field) -> list[str]:
    if f.kind == "flag":
        return ["是", "否"]
    if f.vocab:
        return list(VOCABULARIES[f.vocab])
    return []


def column_label(f: Field) -> str:
    return ("*" if f.required and not f.context else "") + f.label


def _width(f: Field) -> float:
    if f.kind in ("date", "month", "year", "int", "flag"):
        return max(12, len(f.label) * 2.2)
    if f.kind == "datetime":
        return 18
    if f.name in ("description", "measures", "topic", "item", "indicator", "target"):
        return 30
    return max(12, len(f.label) * 2.4)


def _ledger_sheet(wb, lg: Ledger) -> None:
    ws = wb.add_worksheet(lg.label[:31])
    n = len(lg.fields)
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    label = wb.add_format({"bold": True, "align": "right"})
    blank = wb.add_format({"bottom": 1, "bg_color": "#FFF2CC"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center", "valign": "vcenter",
                          "text_wrap": True})
    req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "align": "center", "valign": "vcenter",
                         "text_wrap": True, "font_color": "#C00000"})
    ws.merge_range(0, 0, 0, n - 1, lg.label, title)
    ws.set_row(0, 30)
    ws.write(1, 0, "填报单位：", label)
    ws.merge_range(1, 1, 1, min(3, n - 1), "", blank)
    if lg.name != "indicators" and n >= 6:
        ws.write(1, 4, "填报月份：", label)
        ws.write_blank(1, 5, None, blank)
    for j, f in enumerate(lg.fields):
        ws.write(HEADER_ROW, j, column_label(f), req if f.required and not f.context else head)
        fmt = wb.add_format({"num_format": FORMATS[f.kind]}) if f.kind in FORMATS else None
        ws.set_column(j, j, _width(f), fmt)
        _validation(ws, f, j)
    ws.set_row(HEADER_ROW, 32)
    ws.freeze_panes(HEADER_ROW + 1, 0)


def _validation(ws, f: Field, j: int) -> None:
    first, last = HEADER_ROW + 1, HEADER_ROW + DATA_ROWS
    values = allowed_values(f)
    if values:
        closed = f.kind in ("enum", "flag")
        ws.data_validation(first, j, last, j, {
            "validate": "list", "source": values,
            "input_title": f.label[:32], "input_message": ("请从下拉列表中选择" if closed else "可从列表选择，也可填写其他内容")[:255],
            "error_type": "stop" if closed else "information",
            "error_title": "取值不在允许范围内", "error_message": ("应为：" + "、".join(values))[:255]})
    elif f.kind == "int":
        ws.data_validation(first, j, last, j, {"validate": "integer", "criteria": ">=", "value": 0,
                                               "error_title": "应为非负整数", "error_message": f"“{f.label}”应为非负整数"})
    elif f.kind == "number":
        ws.data_validation(first, j, last, j, {"validate": "decimal", "criteria": ">=", "value": 0,
                                               "error_title": "应为非负数", "error_message": f"“{f.label}”应为非负数"})
    elif f.kind in ("date", "datetime", "target", "month"):
        ws.data_validation(first, j, last, j, {"validate": "any", "input_title": f.label[:32],
                                               "input_message": KIND_HELP[f.kind][:255]})


def _instructions(wb, lg: Ledger) -> None:
    ws = wb.add_worksheet("填表说明")
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    ws.write(0, 0, f"{lg.label} 填表说明", wb.add_format({"bold": True, "font_size": 14}))
    lines = ["1. 表头（第3行）请勿修改；带 * 的列为必填。一个文件可含多个工作表（如每月一个：1月、2月…），"
             "本说明工作表不会被导入。",
             "2. 第2行“填报单位”填写单位全称；表中“单位名称”列可留空。"
             + ("“填报月份”填写本表所属月份（如 2026年10月），日期只写“10月5日”时据此补足年份。" if lg.name != "indicators" else ""),
             "3. 合计、小计行和填表人、审核人签字行可以保留，导入时自动跳过。",
             *(f"{k}. {t}" for k, t in enumerate(NOTES.get(lg.name, ()), start=4))]
    for i, line in enumerate(lines, start=2):
        ws.write(i, 0, line)
    top = len(lines) + 3
    ws.write_row(top, 0, ["列名", "是否必填", "填写要求", "允许的取值", "表头也可写作"], head)
    for i, f in enumerate(lg.fields, start=top + 1):
        need = "必填" if f.required and not f.context else ("可留空（取上方填写内容）" if f.context else "选填")
        vals = allowed_values(f)
        allowed = "、".join(vals) + ("（也可填写其他内容）" if f.kind == "open_enum" else "") if vals else ""
        ws.write_row(i, 0, [f.label, need, KIND_HELP.get(f.kind, "文字") if f.kind not in ("enum", "open_enum") else
                            "从下拉列表选择", allowed, "、".join(s for s in f.synonyms if s != f.label)], wrap)
    ws.set_column(0, 0, 18, bold)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 3, 50)
    ws.set_column(4, 4, 40)


# ------------------------------------------------------------------ the registry sheet (issue 11)
REGISTRY_TEMPLATE_NAME = "单位登记表（标准模板）.xlsx"


def registry_template_bytes() -> bytes:
    """The sheet `python -m analytics companies import` and 单位管理 read: 单位名称* / 简称或别名 / 所属板块, with a
    title line, an example row and a 填表说明 sheet, laid out like the ledger templates."""
    from ..companies import REGISTRY_HEADERS
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "align": "center"})
    text = wb.add_format({"num_format": "@"})
    ws = wb.add_worksheet("单位登记")
    ws.write(0, 0, "集团子（控）公司登记表", title)
    ws.write(1, 0, "每个单位一行；已登记的单位再次导入时补充别名、更新所属板块")
    ws.write_row(HEADER_ROW, 0, [f"{REGISTRY_HEADERS[0]}*", *REGISTRY_HEADERS[1:]], head)
    ws.set_column(0, 0, 36, text)
    ws.set_column(1, 1, 30, text)
    ws.set_column(2, 2, 18, text)
    ws.freeze_panes(HEADER_ROW + 1, 0)
    notes = wb.add_worksheet("填表说明")
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 80)
    notes.write_row(0, 0, ["列", "说明"], head)
    for i, (col, note) in enumerate((
            ("单位名称*", "单位全称，如 陇原电力有限公司（全角/半角、空格和“有限公司/有限责任公司”后缀不区分）"),
            ("简称或别名", "可填多个，用顿号、逗号或分号分隔，如 陇原电力、陇电；别名不能属于另一个单位"),
            ("所属板块", "可留空；如 能源板块、建设板块。看板可按板块汇总并查看其下属单位；留空则清除该单位的板块"),
            ("导入", "整表一次导入：任何一行有误（重复、别名冲突）则整表不导入，并列出每一处错误")), start=1):
        notes.write_row(i, 0, [col, note])
    wb.close()
    return buf.getvalue()
