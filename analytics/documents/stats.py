"""隐患排查治理情况统计分析表 — the quarterly and yearly table 安监总局令第16号 第十四条 asks every unit to
compile (quarter: due by the 15th of the next quarter's first month; year: by 31 January), per company and
for the group, as an .xlsx in the layout of a 安监 form (title, 填报单位 line, two-row merged header,
填报人 / 审核人 / 日期 line).

Definitions (DOMAIN.md §4; the choices it leaves open are in docs/documents.md):
- 排查数: hazards with found_date in the period (§3 hazards_found, per level);
- 已整改数: of those, rectified with rectified_date ≤ the period's end (§3 hazards_rectified);
- 整改率: 已整改数 ÷ 排查数, blank when 排查数 = 0;
- 重大隐患 未整改数: majors found in the period and not rectified by its end (排查数 − 已整改数);
- 列入治理计划数: of those open majors, the ones whose 五落实 are filled in the ledger — 责任人 (owner),
  措施 (measures), 资金 (funds > 0), 时限 (deadline); the 预案 cannot be read from the ledger and is not asked;
- 落实治理资金（万元）: Σ funds of the majors found in the period;
- 整改资金合计（万元）: Σ funds of every hazard found in the period.
The group row (合计) is computed over the group's rows (GROUPING SETS), never as a sum of rates.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd

from ..figures.metrics import Window
from ..store.db import Store
from .exports import MIME, workbook

GROUP = "合计"
COLUMNS = ("单位", "一般_排查数", "一般_已整改数", "一般_整改率", "重大_排查数", "重大_已整改数", "重大_整改率",
           "重大_未整改数", "重大_列入治理计划数", "重大_落实治理资金", "整改资金合计")
ISSUER = "集团公司安全环保部"


def parse_period(text: str) -> tuple[Window, str]:
    """'2026Q3' → (2026-07-01 … 2026-09-30, '2026年第三季度'); '2026' → (the year, '2026年度')."""
    m = re.fullmatch(r"\s*(\d{4})\s*(?:[Qq]([1-4]))?\s*", text or "")
    if not m:
        raise ValueError(f"统计期“{text}”格式不对，应为 YYYYQN（如 2026Q3）或 YYYY")
    year = int(m.group(1))
    if m.group(2) is None:
        return Window.of(dt.date(year, 1, 1), dt.date(year, 12, 31)), f"{year}年度"
    q = int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - dt.timedelta(days=1)
    return Window.of(start, end), f"{year}年第{'一二三四'[q - 1]}季度"


def due_date(window: Window) -> dt.date:
    """A quarter's table is due by the 15th of the next quarter's first month; a year's by 31 January."""
    if (window.start.month, window.end.month) == (1, 12):
        return dt.date(window.end.year + 1, 1, 31)
    nxt = window.end + dt.timedelta(days=1)
    return nxt.replace(day=15)


def statistics(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    """One row per registered company (zeros where it has no rows), then the group row 合计."""
    df = store.df("""
        WITH h AS (
            SELECT t.company, t.level, coalesce(t.funds, 0) AS funds,
                   t.rectified_date IS NOT NULL AND t.rectified_date <= $as_of AS done,
                   coalesce(trim(t.owner), '') <> '' AND coalesce(trim(t.measures), '') <> ''
                       AND coalesce(t.funds, 0) > 0 AND t.deadline IS NOT NULL AS planned
            FROM hazards t
            WHERE t.found_date BETWEEN $start AND $end),
        c AS (SELECT id, name FROM companies WHERE $companies IS NULL OR list_contains($companies, name)),
        x AS (SELECT c.id, c.name, h.* EXCLUDE (company) FROM c LEFT JOIN h ON h.company = c.name)
        SELECT CASE WHEN grouping(name) = 1 THEN '合计' ELSE name END AS 单位, min(id) AS ord,
               count(*) FILTER (WHERE level = '一般') AS 一般_排查数,
               count(*) FILTER (WHERE level = '一般' AND done) AS 一般_已整改数,
               count(*) FILTER (WHERE level = '重大') AS 重大_排查数,
               count(*) FILTER (WHERE level = '重大' AND done) AS 重大_已整改数,
               count(*) FILTER (WHERE level = '重大' AND NOT done) AS 重大_未整改数,
               count(*) FILTER (WHERE level = '重大' AND NOT done AND planned) AS 重大_列入治理计划数,
               coalesce(sum(funds) FILTER (WHERE level = '重大'), 0) AS 重大_落实治理资金,
               coalesce(sum(funds), 0) AS 整改资金合计
        FROM x GROUP BY GROUPING SETS ((name), ())
        ORDER BY grouping(name), ord""", window.params(companies))
    for lv in ("一般", "重大"):
        found = df[f"{lv}_排查数"].astype(float)
        df[f"{lv}_整改率"] = (df[f"{lv}_已整改数"] / found.where(found > 0)).astype("float64")
    return df[list(COLUMNS)].reset_index(drop=True)


def stats_name(label: str) -> str:
    return f"隐患排查治理情况统计分析表_{label}.xlsx"


def stats_xlsx(store: Store, window: Window, label: str, companies: list[str] | None = None,
               unit: str = ISSUER) -> tuple[bytes, str]:
    """The table as a 安监-style .xlsx: (bytes, file name)."""
    df = statistics(store, window, companies)
    buf = io.BytesIO()
    wb, fmt = workbook(buf)
    ws = wb.add_worksheet("统计分析表")
    border = {"border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = wb.add_format({**border, "bold": True, "bg_color": "#D9D9D9"})
    cell = wb.add_format(border)
    left = wb.add_format({**border, "align": "left"})
    rate = wb.add_format({**border, "num_format": "0.0%"})
    money = wb.add_format({**border, "num_format": "#,##0.00"})
    bold = {k: wb.add_format({**border, "bold": True, **extra}) for k, extra in
            (("cell", {}), ("left", {"align": "left"}), ("rate", {"num_format": "0.0%"}),
             ("money", {"num_format": "#,##0.00"}))}
    last = len(COLUMNS)                                    # 序号 + the columns
    ws.merge_range(0, 0, 0, last, f"隐患排查治理情况统计分析表（{label}）", title)
    ws.set_row(0, 32)
    ws.merge_range(1, 0, 1, 5, f"填报单位（盖章）：{unit}", fmt["note_h"])
    ws.merge_range(1, 6, 1, last, f"统计期：{window.start:%Y年%m月%d日}至{window.end:%Y年%m月%d日}　单位：项、万元",
                   wb.add_format({"align": "right"}))
    ws.merge_range(2, 0, 3, 0, "序号", head)
    ws.merge_range(2, 1, 3, 1, "单位名称", head)
    ws.merge_range(2, 2, 2, 4, "一般隐患", head)
    ws.merge_range(2, 5, 2, 10, "重大隐患", head)
    ws.merge_range(2, 11, 3, 11, "整改资金合计（万元）", head)
    for j, h in enumerate(("排查数", "已整改数", "整改率", "排查数", "已整改数", "整改率", "未整改数",
                           "列入治理计划数", "落实治理资金（万元）"), start=2):
        ws.write_string(3, j, h, head)
    ws.set_row(3, 36)
    kinds = ["left", "cell", "cell", "rate", "cell", "cell", "rate", "cell", "cell", "money", "money"]
    plain = {"left": left, "cell": cell, "rate": rate, "money": money}
    r = 4
    for i, row in enumerate(df.itertuples(index=False, name=None)):
        total = row[0] == GROUP
        f = bold if total else plain
        ws.write_string(r, 0, "" if total else str(i + 1), f["cell"])
        for j, (v, k) in enumerate(zip(row, kinds), start=1):
            if j == 1:
                ws.write_string(r, j, "集团合计" if total else str(v), f[k])
            elif pd.isna(v):
                ws.write_blank(r, j, None, f[k])
            else:
                ws.write_number(r, j, float(v), f[k])
        r += 1
    r += 1
    ws.write_string(r, 0, "填报人：", fmt["note_h"])
    ws.write_string(r, 4, "审核人：", fmt["note_h"])
    ws.write_string(r, 8, f"填报日期：{'　' * 3}年{'　' * 2}月{'　' * 2}日", fmt["note_h"])
    notes = (f"说明：1. 依据《安全生产事故隐患排查治理暂行规定》（国家安全生产监督管理总局令第16号）第十四条编制，"
             f"本表应于{due_date(window):%Y年%m月%d日}前报送。",
             "2. 排查数：发现日期在统计期内的隐患；已整改数：其中在统计期末前整改完成的；整改率＝已整改数÷排查数。",
             "3. 重大隐患未整改数：统计期内发现、统计期末仍未整改的重大隐患；列入治理计划数：其中责任人、整改措施、"
             "整改资金、整改时限均已落实的（应急预案无法从台账核验）。",
             "4. 落实治理资金：统计期内发现的重大隐患的整改资金合计；整改资金合计：统计期内发现的全部隐患的整改资金合计。"
             "集团合计按全部隐患记录计算，不是各单位整改率的平均。")
    for k, line in enumerate(notes, start=r + 2):
        ws.merge_range(k, 0, k, last, line, fmt["wrap"])
        ws.set_row(k, 30)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 22)
    ws.set_column(2, last, 10)
    ws.freeze_panes(4, 2)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2, 3)
    wb.close()
    return buf.getvalue(), stats_name(label)


__all__ = ["GROUP", "MIME", "due_date", "parse_period", "statistics", "stats_name", "stats_xlsx"]
