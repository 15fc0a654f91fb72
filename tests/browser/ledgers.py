"""Hazard ledgers the browser tests upload: the messy shape subsidiaries really send
(title line, 填报单位 line, 序号, blank row, 合计 row, signature line), written with
tests/builders.py, for 陇原电力有限公司 of the demo registry, dated inside the month the
dashboard's "本月" shows, with hazard numbers the demo never uses (LY-E2E-…)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.builders import HAZARD_HEADER, xlsx

COMPANY = "陇原电力有限公司"
BLANK = [None] * len(HAZARD_HEADER)


def _title(start: dt.date) -> list[list]:
    return [
        [f"{COMPANY}{start.year}年{start.month}月隐患排查治理台账"],
        [f"填报单位：{COMPANY}", None, None, None, None, None, None, None, None, f"填报日期：{start:%Y年%m月%d日}"],
        HAZARD_HEADER,
    ]


def _footer(n: int) -> list[list]:
    return [
        ["合计", f"{n}项", *BLANK[2:]],
        [],
        ["填表人：张三", None, None, "审核人：李四", None, None, "负责人：王五"],
    ]


def good_hazard_ledger(path: Path, start: dt.date, end: dt.date) -> tuple[Path, int, int]:
    """Five hazards found in [start, end] (dates as date cells and as text, as people type them);
    two of them rectified within the window. Returns (path, rows, rectified)."""
    def day(i: int) -> dt.date:
        return min(start + dt.timedelta(days=i), end)

    d = [day(i) for i in range(5)]
    rows = [
        [1, "LY-E2E-01", d[0], "公司自查", "2号配电室", "配电柜前未铺设绝缘胶垫", "用电安全", "一般隐患",
         "铺设绝缘胶垫", "张三", d[0] + dt.timedelta(days=10), "已整改", d[0], None],
        [2, "LY-E2E-02", f"{d[1]:%Y.%m.%d}", "集团督查", "材料库", "灭火器过期未更换", "消防安全", "一般",
         "更换灭火器", "李四", f"{d[1] + dt.timedelta(days=15):%Y/%m/%d}", "已完成", f"{d[1]:%Y年%m月%d日}", None],
        [3, "LY-E2E-03", f"{d[2]:%Y年%m月%d日}", "第三方检查", "升压站", "构架爬梯未设防坠装置", "高处作业", "一般事故隐患",
         "加装防坠器", "王五", d[2] + dt.timedelta(days=20), "整改中", None, None],
        BLANK,
        [4, "LY-E2E-04", d[3], "专项检查", "油罐区", "防雷接地检测报告过期", "消防安全", "一般隐患Ⅰ级",
         "委托检测", "赵六", d[3] + dt.timedelta(days=20), "未整改", None, "浏览器测试"],
        [5, "LY-E2E-05", d[4], "公司自查", "食堂", "燃气报警器失效", "消防安全", "一般",
         "更换报警器", "吴九", d[4] + dt.timedelta(days=20), None, None, None],
    ]
    xlsx(path, {f"{start.month}月": _title(start) + rows + _footer(5)})
    return path, 5, 2


# Excel row numbers (title 1, 填报单位 2, header 3, data from 4) of the bad cells below.
BAD_LEVEL_ROW, BAD_DATE_ROW = 5, 6


def bad_hazard_ledger(path: Path, start: dt.date) -> Path:
    """Same shape; row 5 has 隐患等级 “特大” (not a level), row 6 the date “2026-13-45”."""
    rows = [
        [1, "LY-E2E-91", start, "公司自查", "汽机房", "平台栏杆松动", "高处作业", "一般",
         "紧固栏杆", "张三", start + dt.timedelta(days=10), "未整改", None, None],
        [2, "LY-E2E-92", start, "公司自查", "锅炉房", "安全阀未校验", "特种设备", "特大",
         "校验安全阀", "李四", start + dt.timedelta(days=10), "未整改", None, None],
        [3, "LY-E2E-93", "2026-13-45", "公司自查", "化学车间", "洗眼器无水", "危险化学品", "一般",
         "恢复供水", "王五", start + dt.timedelta(days=10), "未整改", None, None],
    ]
    return xlsx(path, {f"{start.month}月": _title(start) + rows + _footer(3)})
