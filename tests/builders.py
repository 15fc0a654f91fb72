"""The tests' own generator of ledger files: real-world shapes and one bad file per failure mode."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import numbers

D = dt.date
T = dt.datetime


def xlsx(path: Path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = (), merges: dict[str, list[str]] | None = None) -> Path:
    """Write sheets (name → rows) to an .xlsx; dates become real date cells."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                cell = ws.cell(row=r, column=c, value=v)
                if isinstance(v, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(v, dt.date):
                    cell.number_format = numbers.FORMAT_DATE_YYYYMMDD2
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _ranges(merges: list[str]) -> list[tuple[int, int, int, int]]:
    """A1-style ranges ("B3:B5") as 0-based inclusive (r0, c0, r1, c1)."""
    from openpyxl.utils.cell import range_boundaries
    out = []
    for rng in merges:
        c0, r0, c1, r1 = range_boundaries(rng)
        out.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))
    return out


def xls(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """The same sheets as an old-Excel .xls (BIFF8, xlwt — a test-only pin): merged ranges carry their value
    at the top-left cell, as Excel/WPS write them; dates are real date cells."""
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    datef = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        ranges = _ranges((merges or {}).get(name, []))
        covered = {(r, c) for r0, c0, r1, c1 in ranges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r0, c0, r1, c1 in ranges:
            v = rows[r0][c0] if c0 < len(rows[r0]) else None
            ws.write_merge(r0, r1, c0, c1, v, datef if isinstance(v, dt.date) else xlwt.Style.default_style)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None or (r, c) in covered:
                    continue
                ws.write(r, c, v, datef) if isinstance(v, dt.date) else ws.write(r, c, v)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path


def ods(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """The same sheets as an OpenDocument spreadsheet written by hand (zip + content.xml): a merged range is
    its top-left cell with table:number-rows-spanned / number-columns-spanned and covered cells under it, as
    LibreOffice and WPS write them; dates are office:value-type="date"."""
    import zipfile
    from xml.sax.saxutils import escape, quoteattr
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')
    body = []
    for name, rows in sheets.items():
        ranges = _ranges((merges or {}).get(name, []))
        tops = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in ranges}
        covered = {(r, c) for r0, c0, r1, c1 in ranges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - set(tops)
        width = max(len(r) for r in rows)
        body.append(f"<table:table table:name={quoteattr(name)}>")
        for r, row in enumerate(rows):
            body.append("<table:table-row>")
            for c in range(width):
                v = row[c] if c < len(row) else None
                if (r, c) in covered:
                    body.append("<table:covered-table-cell/>")
                    continue
                span = tops.get((r, c))
                attrs = (f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
                         if span else "")
                if v is None:
                    body.append(f"<table:table-cell{attrs}/>")
                elif isinstance(v, dt.date):
                    body.append(f'<table:table-cell{attrs} office:value-type="date" office:date-value="{v.isoformat()}">'
                                f"<text:p>{v.isoformat()}</text:p></table:table-cell>")
                elif isinstance(v, (int, float)):
                    body.append(f'<table:table-cell{attrs} office:value-type="float" office:value="{v}">'
                                f"<text:p>{v}</text:p></table:table-cell>")
                else:
                    body.append(f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(str(v))}</text:p>'
                                "</table:table-cell>")
            body.append("</table:table-row>")
        body.append("</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>'
               f'<office:spreadsheet>{"".join(body)}</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


WRITERS = {".xlsx": xlsx, ".xls": xls, ".ods": ods}


def csv_file(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([["" if v is None else v for v in row] for row in rows])
    return path


HAZARD_HEADER = ["序号", "隐患编号", "发现日期", "检查类型", "隐患部位", "隐患描述", "隐患类别", "隐患等级",
                 "整改措施", "整改责任人", "整改期限", "整改状态", "整改完成日期", "备注"]


def golden_hazard_rows() -> list[list]:
    """陇原电力, October 2026, in the messy shape subsidiaries send (title, 填报单位, 合计, signature).
    Expected figures for [2026-10-01, 2026-10-31] as of 2026-10-31 are written in the tests."""
    return [
        ["陇原电力有限公司2026年10月隐患排查治理台账"],
        ["填报单位：陇原电力有限公司", None, None, None, None, None, None, None, None, "填报日期：2026年11月3日"],
        HAZARD_HEADER,
        [1, "LY-01", D(2026, 10, 2), "公司自查", "1号配电室", "配电箱未张贴警示标识", "用电安全", "一般隐患",
         "张贴标识", "张三", D(2026, 10, 10), "已整改", D(2026, 10, 8), None],
        [2, "LY-02", "2026.10.5", "集团督查", "仓库", "灭火器压力不足", "消防安全", "一般",
         "更换灭火器", "李四", "2026/10/15", "已完成", "2026年10月20日", None],
        [3, "LY-03", "2026年10月12日", "第三方检查", "锅炉房", "锅炉安全阀未校验", "特种设备", "重大隐患",
         "停炉校验", "王五", D(2026, 11, 30), "整改中", None, None],
        [4, "LY-04", "10月20日", "公司自查", "升压站", "接地线锈蚀", "用电安全", "一般事故隐患",
         "更换接地线", "赵六", D(2026, 10, 25), "未整改", None, None],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [5, "LY-05", 46280, "公司自查", "办公楼", "疏散通道堆放杂物", "消防安全", "一般隐患",
         "清理杂物", "孙七", D(2026, 9, 30), "未整改", None, "9月遗留"],
        [6, "LY-06", D(2026, 10, 28), "专项检查", "油库", "防雷检测过期", "消防安全", "一般隐患Ⅰ级",
         "委托检测", "周八", D(2026, 11, 10), None, None, None],
        [7, "LY-07", D(2026, 11, 2), "公司自查", "食堂", "燃气报警器失效", "消防安全", "一般",
         "更换报警器", "吴九", D(2026, 11, 5), "未整改", None, None],
        ["合计", "7项", None, None, None, None, None, None, None, None, None, None, None, None],
        [],
        ["填表人：张三", None, None, "审核人：李四", None, None, "负责人：王五"],
    ]


# ============================================================== every ledger (issue 3)
# Companies of the fixtures (tests.dbs registers the same two).
LY, HX = "陇原电力有限公司", "河西新能源有限公司"
COMPANIES = ((LY, ["陇原电力"]), (HX, ["河西新能源", "河西新能"]))


def new_store(path=":memory:"):
    """An empty store with the fixtures' companies registered."""
    from analytics.companies import add_company
    from analytics.store.db import Store
    s = Store(path)
    for name, aliases in COMPANIES:
        add_company(s, name, aliases)
    return s


ACCIDENT_HEADER = ["序号", "单位名称", "事故编号", "事故发生时间", "上报时间", "事故类别", "事故简要经过", "死亡人数", "重伤人数",
                   "轻伤人数", "直接经济损失（万元）", "原因查清", "责任人处理", "整改措施落实", "教训吸取"]


def golden_accident_rows() -> list[list]:
    """A group-level accident ledger with a 单位名称 column (two companies).
    For [2026-10-01, 2026-10-31]: 陇原 A1–A3 (A4 is September), 河西 H1:
      accidents 4, deaths 3, serious 1, minor 3, direct_loss 12.5+420+0.8+5 = 438.3
      four-no closed: A1, A3, H1 → 3/4 = 0.75 (陇原 2/3, 河西 1/1: the group is not their mean 0.833)
      late (> 1 h): A2 (2 h 30) → 1; A3 is exactly 1 h → not late
      levels: A2 较大 (3 deaths), A4 一般 (1 death), others 一般."""
    return [
        ["甘肃某某集团公司2026年生产安全事故台账"],
        ACCIDENT_HEADER,
        [1, "陇原电力", "SG-01", T(2026, 10, 5, 8, 0), T(2026, 10, 5, 8, 40), "机械伤害", "检修时手部卷入皮带",
         0, 1, 2, 12.5, "是", "是", "是", "是"],
        [2, "陇原电力有限公司", "SG-02", T(2026, 10, 18, 14, 0), "2026-10-18 16:30", "高处坠落", "脚手架坍塌坠落",
         3, 0, 0, 420, "是", "否", "是", "是"],
        [3, "陇原电力有限公司", "SG-03", "2026年10月25日 9:30", "2026/10/25 10:30", "触电", "误碰带电设备",
         0, 0, 1, 0.8, "√", "√", "√", "√"],
        [4, "陇原电力有限公司", "SG-04", T(2026, 9, 20, 10, 0), T(2026, 9, 21, 9, 0), "车辆伤害", "厂内车辆撞人",
         1, 0, 0, 60, "是", "是", "是", "否"],
        [5, "河西新能源", "HX-01", T(2026, 10, 10, 9, 0), T(2026, 10, 10, 9, 30), "其他", "搬运扭伤",
         0, 0, 0, 5, "是", "是", "是", "是"],
        ["合计", None, None, None, None, None, None, 4, 1, 3, 498.3],
    ]


TRAINING_HEADER = ["序号", "培训日期", "培训内容", "培训类别", "应参训人数", "实参训人数", "考核合格人数", "学时"]


def golden_training_sheets() -> dict[str, list[list]]:
    """陇原电力's training ledger, one sheet per month (year from the title), plus 填表说明.
    October: planned 30+10+5 = 45, attended 27+10+4 = 41, passed 25+9+4 = 38
      → completion 41/45, pass rate 38/41.  September: 20/18/18.  11月 is empty (no training)."""
    title = ["陇原电力有限公司2026年安全教育培训台账"]
    return {
        "填表说明": [["填表说明"], ["1. 每月一个工作表。"], ["2. 培训日期、应参训人数、实参训人数为必填。"]],
        "9月": [title, TRAINING_HEADER,
               [1, D(2026, 9, 10), "安全生产法宣贯", "全员培训", 20, 18, 18, 2]],
        "10月": [title, TRAINING_HEADER,
                [1, "10月8日", "消防安全知识培训", "全员培训", 30, 27, 25, 4],
                [2, D(2026, 10, 20), "电工作业复审", "特种作业人员", 10, 10, 9, 24],
                [3, "2026.10.28", "主要负责人安全生产知识", "主要负责人", 5, 4, 4, 16],
                [None, None, None, None, None, None, None, None],
                ["合计", None, None, None, 45, 41, 38, 44],
                ["填表人：张三", None, None, "审核人：李四"]],
        "11月": [title, TRAINING_HEADER],
    }


INVESTMENT_HEADER = ["序号", "月份", "投入项目", "投入类别", "计划投入（万元）", "实际投入（万元）"]


def golden_investment_rows() -> list[list]:
    """陇原电力's safety investment, months written four ways.
    September: 10 / 8.  October: planned 5+20+2 = 27, actual 5+12.5+3 = 20.5 → 20.5/27."""
    return [
        ["陇原电力有限公司2026年安全生产投入台账"],
        ["填报单位：陇原电力有限公司", None, None, "单位：万元"],
        INVESTMENT_HEADER,
        [1, "2026-09", "消防设施更新", "安全设施", 10, 8],
        [2, "2026年10月", "劳保用品", "劳动防护", 5, 5],
        [3, D(2026, 10, 15), "锅炉安全阀校验", "隐患治理", 20, 12.5],
        [4, "10月", "特种作业取证", "安全培训", 2, 3],
        ["小计", None, None, None, 37, 28.5],
    ]


INDICATOR_HEADER = ["序号", "单位", "年度", "指标名称", "控制目标", "计量单位", "完成值", "权重"]


def golden_indicator_rows() -> list[list]:
    """2026 目标责任书 of both companies. With the golden hazard, accident, training and investment
    ledgers loaded, as of 2026-10-31 (derived over 2026-01-01 … 2026-10-31):
      陇原 死亡人数 杜绝 → derived 3+1 = 4 → 未达标 (breach)
      陇原 隐患整改率 ≥95% → derived 2/6 → 未达标
      陇原 培训合格率 ≥90% → derived (18+38)/(18+41) = 56/59 = 0.949 → 达标
      陇原 安全投入完成率 达到100% → derived 28.5/37 → 未达标
      陇原 应急演练 ≥4次, reported 5 → 达标 (填报)
      陇原 安全检查 ≥12次, no actual → 无数据
      河西 事故起数 ≤1起 → derived 1 → 达标
      河西 重伤人数 为零, reported 0, derived 0 → 达标
      河西 培训完成率 ≥95%, reported 96 (%) → no training rows, so 0.96 (填报) → 达标
    → 陇原 2 of 6 met, 河西 3 of 3, group 5 of 9."""
    return [
        ["2026年度安全生产目标责任书指标"],
        INDICATOR_HEADER,
        [1, "陇原电力", 2026, "生产安全事故死亡人数", "杜绝死亡事故", "人", None, 30],
        [2, "陇原电力", 2026, "隐患整改率", "不低于95%", "%", None, 20],
        [3, "陇原电力", 2026, "培训合格率", "≥90%", "%", None, 10],
        [4, "陇原电力", 2026, "安全投入完成率", "达到100%", "%", None, 10],
        [5, "陇原电力", 2026, "应急演练次数", "不少于4次", "次", 5, 10],
        [6, "陇原电力", "2026年", "安全检查次数", "不少于12次", "次", None, 10],
        [7, "河西新能源", 2026, "事故起数", "不超过1起", "起", None, 40],
        [8, "河西新能源", 2026, "重伤人数", "为零", "人", 0, 30],
        [9, "河西新能源", 2026, "培训完成率", "不低于95%", "%", 96, 30],
    ]


def hx_hazard_rows() -> list[list]:
    """河西新能源, October 2026: one hazard, rectified on time. With the golden 陇原 ledger the group
    rectification rate for October is (2+1)/(5+1) = 0.5 — not the mean of 0.4 and 1.0."""
    return [["填报单位：河西新能源有限公司  填报月份：2026年10月"], HAZARD_HEADER,
            [1, "HX-01", D(2026, 10, 9), "公司自查", "风机平台", "护栏松动", "高处作业", "一般", "紧固", "钱一",
             D(2026, 10, 20), "已整改", D(2026, 10, 12), None]]


def golden_files(tmp: Path) -> dict[str, Path]:
    """Every golden ledger as a file (hazards from golden_hazard_rows)."""
    return {
        "hazards": xlsx(tmp / "陇原电力2026年10月隐患台账.xlsx", {"10月": golden_hazard_rows()}),
        "hx_hazards": xlsx(tmp / "河西新能源10月隐患.xlsx", {"隐患排查": hx_hazard_rows()}),
        "accidents": xlsx(tmp / "集团事故台账.xlsx", {"事故": golden_accident_rows()}),
        "training": xlsx(tmp / "陇原电力培训台账.xlsx", golden_training_sheets()),
        "investment": xlsx(tmp / "陇原电力安全投入.xlsx", {"投入": golden_investment_rows()}),
        "indicators": xlsx(tmp / "2026目标责任书.xlsx", {"指标": golden_indicator_rows()}),
    }


# ------------------------------------------------------------------- real-world shapes
def merged_header_hazard(path: Path) -> Path:
    """Two-row merged header: 整改情况 over 整改措施/责任人/整改期限/完成日期, the other headers merged
    vertically; title and 填报单位 lines, 序号, blank, 小计 and signature rows; dates in every style."""
    top = ["序号", "发现日期", "隐患部位", "隐患描述", "隐患等级", "整改情况", None, None, None, "整改状态", "备注"]
    sub = [None, None, None, None, None, "整改措施", "责任人", "整改期限", "完成日期", None, None]
    rows = [
        ["河西新能源有限公司隐患排查治理台账（2026年10月）"],
        ["填报单位：河西 新能源有限责任公司", None, None, None, None, None, None, None, "填报日期：2026年11月2日"],
        top, sub,
        [1, "2026.10.5", "升压站", "电缆沟盖板缺失", "一般", "补齐盖板", "张三", "2026/10/15", "2026年10月9日", "已整改", None],
        [2, 46300, "风机", "塔筒爬梯锈蚀", "一般隐患Ⅱ级", "除锈", "李四", "10月30日", None, "整改中", None],
        [3, "2026年10月12日", "仓库", "消防通道堵塞", "重大事故隐患", "清理", "王五", D(2026, 10, 20), None, None, None],
        [4],
        ["小计", None, None, None, None, None, None, None, None, None, None],
        [None, "填表人：赵六", None, "审核人：钱七", None, "负责人：孙八"],
    ]
    merges = ["A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:E4", "F3:I3", "J3:J4", "K3:K4", "A1:K1"]
    return xlsx(path, {"10月": rows}, merges={"10月": merges})


def error_cell_hazard(path: Path) -> Path:
    """An error cell (#REF!) in 整改期限 of the second data row (K5)."""
    rows = golden_hazard_rows()[:5]
    rows[4] = list(rows[4])
    rows[4][10] = "#REF!"
    return xlsx(path, {"10月": rows})


def multi_ledger_book(path: Path) -> Path:
    """One workbook holding four ledgers on four sheets, and an instruction sheet."""
    return xlsx(path, {"填表说明": [["本工作簿包含隐患、培训、投入、事故四个台账"]],
                       "隐患": golden_hazard_rows(),
                       "培训": [["陇原电力有限公司2026年10月安全教育培训台账"], TRAINING_HEADER,
                              [1, D(2026, 10, 8), "消防培训", "全员培训", 30, 27, 25, 4]],
                       "投入": golden_investment_rows(),
                       "事故": golden_accident_rows()})


def xlsm(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A macro-enabled workbook (.xlsm): an xlsx with the macro content type and a vbaProject.bin."""
    import zipfile
    tmp = xlsx(path.with_suffix(".tmp.xlsx"), sheets)
    with zipfile.ZipFile(tmp) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b"<Default Extension=\"xml\"",
                                    b"<Default Extension=\"bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/>"
                                    b"<Default Extension=\"xml\"")
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>",
                                    b"<Relationship Id=\"rIdVBA\" Type=\"http://schemas.microsoft.com/office/2006/"
                                    b"relationships/vbaProject\" Target=\"vbaProject.bin\"/></Relationships>")
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", VBA_MARKER)
    tmp.unlink()
    return path


VBA_MARKER = b"\xd0\xcf\x11\xe0fake-vba-project-kept-by-annotate"


# ----------------------------------------------------------- one bad file per failure mode
def bad_hazard(path: Path, col: int | None, value, row: int = 3, drop_col: int | None = None) -> Path:
    """The golden hazard ledger with one cell changed (row index into golden_hazard_rows(), 0-based;
    the first data row LY-01 is index 3 = Excel row 4) or one column removed."""
    rows = [list(r) for r in golden_hazard_rows()]
    if col is not None:
        rows[row][col] = value
    if drop_col is not None:
        rows = [r[:drop_col] + r[drop_col + 1:] if len(r) > drop_col else r for r in rows]
    return xlsx(path, {"10月": rows})


def training_passed_over_attended(path: Path) -> Path:
    rows = golden_training_sheets()["10月"]
    rows[3] = [2, D(2026, 10, 20), "电工作业复审", "特种作业人员", 10, 10, 12, 24]
    return xlsx(path, {"10月": rows})


def bad_target_indicators(path: Path) -> Path:
    rows = golden_indicator_rows()
    rows[3] = [2, "陇原电力", 2026, "隐患整改率", "争取更好", "%", None, 20]
    return xlsx(path, {"指标": rows})


def no_ledger_book(path: Path) -> Path:
    return xlsx(path, {"Sheet1": [["会议纪要"], ["时间", "地点", "参会人员"], ["2026-10-05", "会议室", "张三"]]})


# ============================================================== issue 8: the files subsidiaries really send
# Companies: LY (alias 陇原电力) and HX (aliases 河西新能源, 河西新能); sheet-per-company files also use
# 酒泉新能源 (registered as an alias of HX by the tests) and 武威物流 (an alias of WW).
WW = "丝路物流有限公司"
H8 = ["序号", "单位", "发现日期", "隐患部位", "隐患描述", "隐患等级", "整改措施", "整改责任人", "整改期限", "整改状态",
      "整改完成日期"]


def merged_company_down(path: Path) -> Path:
    """单位 merged down over all four data rows (A3:A6): the most common shape.
    Oct 2026 as of 10-31 for 陇原: found 4, rectified 2 (rate 0.5); due by 10-31: rows 3, 4, 6 → on time
    rows 3 (10-08 ≤ 10-10) and 4 (10-12 ≤ 10-15) → 2/3; overdue_open 1 (row 6, due 10-20); major_open 1 (row 5)."""
    rows = [["陇原电力有限公司2026年10月隐患排查治理台账"], H8,
            [1, "陇原电力", D(2026, 10, 2), "配电室", "警示标识缺失", "一般", "张贴", "张三", D(2026, 10, 10), "已整改",
             D(2026, 10, 8)],
            [2, None, D(2026, 10, 5), "仓库", "灭火器失效", "一般", "更换", "李四", D(2026, 10, 15), "已整改", D(2026, 10, 12)],
            [3, None, D(2026, 10, 9), "锅炉房", "安全阀未校验", "重大", "校验", "王五", D(2026, 11, 30), "整改中", None],
            [4, None, D(2026, 10, 11), "升压站", "接地线锈蚀", "一般", "更换", "赵六", D(2026, 10, 20), "未整改", None]]
    return WRITERS[path.suffix](path, {"10月": rows}, merges={"10月": ["A1:K1", "B3:B6"]})


def merged_company_blocks(path: Path) -> Path:
    """A group summary sheet: 单位 merged over each company's block (陇原 rows 3–5, 河西 rows 6–7).
    陇原: found 3, rectified 1; 河西: found 2, rectified 2 (both on time)."""
    rows = [["集团公司2026年10月隐患排查治理汇总表"], H8,
            [1, "陇原电力有限公司", D(2026, 10, 2), "配电室", "警示标识缺失", "一般", "张贴", "张三", D(2026, 10, 10),
             "已整改", D(2026, 10, 8)],
            [2, None, D(2026, 10, 5), "仓库", "灭火器失效", "一般", "更换", "李四", D(2026, 10, 25), "未整改", None],
            [3, None, D(2026, 10, 9), "锅炉房", "安全阀未校验", "重大", "校验", "王五", D(2026, 11, 30), "整改中", None],
            [4, "河西新能源有限公司", D(2026, 10, 3), "风机平台", "护栏松动", "一般", "紧固", "钱一", D(2026, 10, 20),
             "已整改", D(2026, 10, 12)],
            [5, None, D(2026, 10, 7), "升压站", "消防通道堵塞", "一般", "清理", "孙二", D(2026, 10, 17), "已整改",
             D(2026, 10, 9)]]
    return WRITERS[path.suffix](path, {"汇总": rows}, merges={"汇总": ["A1:K1", "B3:B5", "B6:B7"]})


def merged_record_rows(path: Path) -> Path:
    """One hazard over three rows (序号, 发现日期, 部位, 描述, 等级, 期限, 状态 merged over rows 4–6; the sub-rows
    hold further 整改措施 / 责任人 lines), then a one-row hazard. 填报单位 names the company.
    Expected: 2 hazards; the first has measures "1.停用设备；2.更换安全阀；3.复验" and owner "王五；李四"."""
    head = ["序号", "发现日期", "隐患部位", "隐患描述", "隐患等级", "整改措施", "整改责任人", "整改期限", "整改状态",
            "整改完成日期"]
    rows = [["填报单位：陇原电力有限公司"], head, [],
            [1, D(2026, 10, 9), "锅炉房", "安全阀未校验", "重大", "1.停用设备", "王五", D(2026, 11, 30), "整改中", "/"],
            [None, None, None, None, None, "2.更换安全阀", "李四"],
            [None, None, None, None, None, "3.复验"],
            [2, D(2026, 10, 12), "仓库", "灭火器失效", "一般", "更换", "赵六", D(2026, 10, 20), "已整改完毕", D(2026, 10, 18)]]
    merges = ["A4:A6", "B4:B6", "C4:C6", "D4:D6", "E4:E6", "H4:H6", "I4:I6", "J4:J6"]
    return xlsx(path, {"隐患": rows}, merges={"隐患": merges})


def two_company_column(path: Path) -> Path:
    """A sheet whose 单位 column names two companies, the second's rows blank below its first (no merge):
    with a company chosen at upload this must never book 河西's rows to the chosen company."""
    rows = [H8,
            [1, "陇原电力", D(2026, 10, 2), "配电室", "警示标识缺失", "一般", "张贴", "张三", D(2026, 10, 10), "已整改",
             D(2026, 10, 8)],
            [2, "河西新能源", D(2026, 10, 3), "风机平台", "护栏松动", "一般", "紧固", "钱一", D(2026, 10, 20), "已整改",
             D(2026, 10, 12)]]
    return xlsx(path, {"隐患": rows})


def no_company_anywhere(path: Path) -> Path:
    """Two hazards, no 单位 column, no 填报单位, no company-named sheet: only the upload's company can say."""
    head = [h for h in H8 if h != "单位"]
    rows = [["2026年10月隐患排查治理台账"], head,
            [1, D(2026, 10, 2), "配电室", "警示标识缺失", "一般", "张贴", "张三", D(2026, 10, 10), "已整改", D(2026, 10, 8)],
            [2, D(2026, 10, 5), "仓库", "灭火器失效", "一般", "更换", "李四", D(2026, 10, 15), "未整改", "/"]]
    return xlsx(path, {"Sheet1": rows})


def sheets_per_company(path: Path) -> Path:
    """One sheet per subsidiary named by its alias (酒泉新能源, 武威物流), no company anywhere else, and a
    填报说明 sheet. 河西: found 2, rectified 1; 丝路物流: found 1, rectified 0."""
    head = [h for h in H8 if h != "单位"]
    return xlsx(path, {
        "填表说明": [["每个单位一张工作表"]],
        "酒泉新能源": [head,
                   [1, D(2026, 10, 3), "风机平台", "护栏松动", "一般", "紧固", "钱一", D(2026, 10, 20), "已整改", D(2026, 10, 12)],
                   [2, D(2026, 10, 6), "箱变", "箱变门锁损坏", "一般", "更换", "孙二", D(2026, 10, 16), "未整改", None]],
        "武威物流": [head,
                 [1, D(2026, 10, 8), "仓库", "货架超载", "一般", "卸载", "周三", D(2026, 10, 28), "未整改", None]]})


def stamped_filler(path: Path) -> Path:
    """填报单位（盖章）：… and 填报日期 in the same merged cell over the header, no company column."""
    head = [h for h in H8 if h != "单位"]
    rows = [["填报单位（盖章）：河西新能源有限公司      填报日期：2026年11月3日"], head,
            [1, D(2026, 10, 3), "风机平台", "护栏松动", "一般", "紧固", "钱一", D(2026, 10, 20), "已整改", D(2026, 10, 12)]]
    return xlsx(path, {"10月": rows}, merges={"10月": ["A1:J1"]})


def dates_as_written(path: Path) -> Path:
    """Dates as people type them; the year from the title. Found dates: 10.5 (a number cell), "10.18" (text),
    "2026-10-5 上午", "2026年10月20日 14:30". Rectified 10.8 → on time (deadline 10.15)."""
    head = [h for h in H8 if h != "单位"]
    rows = [["陇原电力有限公司2026年10月隐患排查治理台账"], head,
            [1, 10.5, "配电室", "警示标识缺失", "一般", "张贴", "张三", "10.15", "已整改", 10.8],
            [2, "10.18", "仓库", "灭火器失效", "一般", "更换", "李四", "10.25", "未整改", None],
            [3, "2026-10-5 上午", "锅炉房", "安全阀未校验", "一般", "校验", "王五", "2026-10-30 下午", "未整改", "—"],
            [4, "2026年10月20日 14:30", "升压站", "接地线锈蚀", "一般", "更换", "赵六", "10月30日", "未整改", "无"]]
    return xlsx(path, {"10月": rows})


def words_as_written(path: Path) -> Path:
    """整改状态 as people write it: 已整改完毕, 整改完毕, 已闭环, 验收合格 (rectified), 整改中（已落实临时措施）
    (open), and "/", "——", "N/A" in the 完成日期 / 资金 / 验收人 of open hazards. 6 hazards, 4 rectified."""
    head = ["序号", "发现日期", "隐患描述", "隐患等级", "整改期限", "整改状态", "整改完成日期", "整改资金（万元）", "验收人"]
    rows = [["填报单位：陇原电力有限公司"], head,
            [1, D(2026, 10, 2), "标识缺失", "一般", D(2026, 10, 10), "已整改完毕", D(2026, 10, 8), 0.1, "张三"],
            [2, D(2026, 10, 3), "灭火器失效", "一般", D(2026, 10, 10), "整改完毕", D(2026, 10, 9), 0.2, "张三"],
            [3, D(2026, 10, 4), "护栏松动", "一般", D(2026, 10, 10), "已闭环", D(2026, 10, 12), 0.3, "李四"],
            [4, D(2026, 10, 5), "通道堵塞", "一般", D(2026, 10, 10), "验收合格", D(2026, 10, 6), "/", "李四"],
            [5, D(2026, 10, 6), "安全阀未校验", "一般", D(2026, 11, 30), "整改中（已落实临时措施）", "/", "——", "N/A"],
            [6, D(2026, 10, 7), "接地线锈蚀", "一般", D(2026, 10, 20), "未整改", "——", "无", "/"]]
    return xlsx(path, {"10月": rows})


def date_only_report(path: Path) -> Path:
    """Accidents whose 上报时间 is a date only: same day as a 09:30 accident (cannot judge: not late, warned),
    and the next day for an accident at 10:00 (at least 14 h later: late)."""
    rows = [ACCIDENT_HEADER,
            [1, LY, "D-01", T(2026, 10, 5, 9, 30), D(2026, 10, 5), "触电", "误碰带电设备", 0, 0, 1, 0.5, "是", "是", "是", "是"],
            [2, LY, "D-02", T(2026, 10, 8, 10, 0), "2026-10-09", "机械伤害", "手部划伤", 0, 0, 1, 0.2, "是", "是", "是", "是"]]
    return xlsx(path, {"事故": rows})


def hazard_revision(path: Path, changed: bool = True) -> Path:
    """Five numbered hazards of 陇原; the corrected re-send (changed=True) closes R-02 on 10-20 and moves R-04's
    deadline 10-25 → 11-05; R-01, R-03 and R-05 are as before, and R-06 is new."""
    head = ["隐患编号", "发现日期", "隐患描述", "隐患等级", "整改期限", "整改状态", "整改完成日期"]
    rows = [["填报单位：陇原电力有限公司"], head,
            ["R-01", D(2026, 10, 2), "标识缺失", "一般", D(2026, 10, 10), "已整改", D(2026, 10, 8)],
            ["R-02", D(2026, 10, 3), "灭火器失效", "一般", D(2026, 10, 15), "未整改", None],
            ["R-03", D(2026, 10, 4), "护栏松动", "一般", D(2026, 10, 20), "未整改", None],
            ["R-04", D(2026, 10, 5), "通道堵塞", "一般", D(2026, 10, 25), "未整改", None],
            ["R-05", D(2026, 10, 6), "安全阀未校验", "重大", D(2026, 11, 30), "未整改", None]]
    if changed:
        rows[3][5:7] = ["已整改", D(2026, 10, 20)]
        rows[5][4] = D(2026, 11, 5)
        rows.append(["R-06", D(2026, 10, 9), "接地线锈蚀", "一般", D(2026, 10, 30), "未整改", None])
    return xlsx(path, {"隐患": rows})
