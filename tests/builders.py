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
