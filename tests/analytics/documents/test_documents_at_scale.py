"""The meeting documents at many companies (docs/documents.md, "readable at 200 companies as at 8"): the group 通报
names the worst red / amber companies up to NAMED_CAP and counts the rest in one sentence; a deck table is paged
over slides by the row heights its text needs and never runs past the note line.

The store: 40 companies in October 2026 (as of 10-31). 单位00…32 are red, each with i+1 overdue open general hazards
(按期整改率 0 %), and 单位05 has an overdue major hazard as well (two red rules: the worst); 单位33, 34 are amber (an
open major hazard not yet due); 单位35…37 green; 单位38, 39 have no rows at all."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from pptx.util import Emu, Inches

from analytics.companies import add_company
from analytics.documents import deck as D
from analytics.documents.group import NAMED_CAP, bulletin_group, rest_sentence
from analytics.documents.pdf import render_pdf
from analytics.figures.metrics import Window
from analytics.figures.rag import AMBER, GREEN, NO_DATA, RED
from analytics.store.db import Store

OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
N = 40


def name(i: int) -> str:
    return f"测试单位{i:02d}有限公司"


def hazard(i: int, k: int, level: str, deadline: str, rectified: str | None, found: str = "2026-10-01") -> tuple:
    return (f"{i}-{k}", name(i), f"T{i:02d}-{k:02d}", found, level, deadline, "已整改" if rectified else "未整改",
            rectified, f"部位{k}", "消防安全", f"隐患描述{i}-{k}", f"责任人{i}")


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    path = tmp_path_factory.mktemp("many") / "many.duckdb"
    s = Store(path)
    for i in range(N):
        add_company(s, name(i))
    rows = [hazard(i, k, "一般", "2026-10-10", None) for i in range(33) for k in range(i + 1)]
    rows.append(hazard(5, 99, "重大", "2026-10-15", None))
    for i in (33, 34):
        rows += [hazard(i, 0, "一般", "2026-10-10", "2026-10-05"), hazard(i, 1, "重大", "2026-12-31", None, "2026-10-20")]
    rows += [hazard(i, 0, "一般", "2026-10-10", "2026-10-05") for i in (35, 36, 37)]
    with s.write() as cur:
        cur.executemany("""INSERT INTO hazards (batch_id, key, company, hazard_no, found_date, level, deadline, status,
                                                rectified_date, location, category, description, owner)
                           VALUES (1, ?, ?, ?, CAST(? AS DATE), ?, CAST(? AS DATE), ?, CAST(? AS DATE), ?, ?, ?, ?)""", rows)
    s.close()
    return str(path)


def test_group_bulletin_names_the_worst_30_and_counts_the_rest(many, tmp_path):
    s = Store(many)
    b = bulletin_group(s, OCT)
    text = b.text()
    body = text.split("二、各子（控）公司安全生产督查检查中发现的问题")[1].split("三、生产安全事故情况")[0]
    named = re.findall(r"^（[一二三四五六七八九十]+）(测试单位\d\d有限公司)（(.)）", body, re.M)
    # worst first: 单位05 (two red rules), then by 逾期未整改 (单位32 has 33 … 单位06 has 7), then 单位04, 03
    assert [n for n, _ in named] == [name(5)] + [name(i) for i in range(32, 5, -1)] + [name(4), name(3)]
    assert len(named) == NAMED_CAP and {c for _, c in named} == {RED}
    assert ("其余 10 家单位中，3 家评定为“红”、2 家评定为“黄”，按严重程度排在前 30 家之后，本通报不再逐一列出；"
            "3 家各项指标正常（评定为“绿”，未触发红、黄评定规则）；2 家统计期内未报送任何台账（无数据），须于11月5日前补报。"
            "各单位主要指标和评定依据见附件，逐项明细见会议看板“总览”页。") in body
    assert ("评定为“红”的单位 33 家、“黄”的 2 家，第二部分通报其中最需关注的 30 家，其余 5 家计数列出（红色在前" in text)
    asks = next(t for t in b.blocks if getattr(t, "header", None) == ["单位", "须整改事项"])
    assert len(asks.rows) == NAMED_CAP and asks.rows[0][0] == name(5)
    assert asks.rows[0][1] == "逾期重大隐患 1 项（11月30日前）；逾期一般隐患 6 项（11月5日前）"
    # the 3 red companies not named, the 2 amber (majors not yet due) and the 2 without data (补报)
    assert "（四）另有 7 家单位存在逾期隐患、未报送台账等须整改事项" in text
    annex = [t for t in b.blocks if hasattr(t, "header")][-1]
    assert len(annex.rows) == N and annex.size == 9 and [r[0] for r in annex.rows] == [name(i) for i in range(N)]
    assert annex.rows[5][-1] == "重大隐患逾期、按期整改率<80%"                      # the colour's own rules only
    pdf = render_pdf(b)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 9      # 30 paragraphs, tables of 30 and the 附件 of 40 rows
    s.close()


def test_rest_sentence_when_every_other_company_is_green():
    assert rest_sentence({RED: 0, AMBER: 0, GREEN: 170, NO_DATA: 0}, 30, "12月5日") == (
        "其余 170 家单位各项指标正常（评定为“绿”，未触发红、黄评定规则）。各单位主要指标和评定依据见附件，逐项明细见会议看板“总览”页。")
    assert rest_sentence({RED: 0, AMBER: 0, GREEN: 21, NO_DATA: 1}, 0, "12月5日").startswith(
        "全部 22 家单位中，21 家各项指标正常（评定为“绿”，未触发红、黄评定规则）；1 家统计期内未报送任何台账（无数据），须于12月5日前补报。")
    assert rest_sentence({RED: 4, AMBER: 0, GREEN: 0, NO_DATA: 0}, 30, "12月5日").startswith(
        "其余 4 家单位评定为“红”，按严重程度排在前 30 家之后，本通报不再逐一列出。")


def test_row_heights_count_cjk_wider_and_wrapped_cells_as_more_lines():
    # 2.0 in wide at 16 pt: (2.0 − 2 × 0.1) × 72 / 16 = 8.1 em a line
    assert D.text_lines("安" * 8, 2.0, 16) == 1 and D.text_lines("安" * 9, 2.0, 16) == 2
    assert D.text_lines("安" * 20, 2.0, 16) == 3                    # 20 em of CJK
    assert D.text_lines("1" * 13, 2.0, 16) == 1                     # 13 × 0.6 = 7.8 em of digits
    assert D.text_lines("甲\n乙", 2.0, 16) == 2                     # a line break is a line
    # a Latin run wraps whole: "<80%" does not split (LibreOffice drew this reason on 3 lines in the 3.16 in column)
    assert D.text_lines("按期整改率<80%｜另：按期整改率<90%、逾期隐患>5项", 3.16, 16) == 3
    one, three = D.estimate_row_height(["安"], [2.0], 16), D.estimate_row_height(["安" * 20, "x"], [2.0, 1.0], 16)
    assert one == pytest.approx(1.45 * 16 / 72 + 0.1) and three == pytest.approx(3 * 1.45 * 16 / 72 + 0.1)
    long = D.clip_text("隐患描述" * 40, 2.0, 16)
    assert long.endswith("…") and D.text_lines(long, 2.0, 16) == D.MAX_CELL_LINES


def test_table_slides_for_n_rows():
    """One-line rows (0.422 in) under a one-line header: 12 a slide in the 5.55 in between the top and the note line."""
    header, widths = ["单位", "说明"], [3.0, 9.0]
    for n, slides, shown in ((8, 1, 8), (12, 1, 12), (13, 2, 13), (30, 3, 30), (36, 3, 36), (50, 3, 36)):
        rows = [[name(i), f"第{i}行"] for i in range(n)]
        _, heights, head, pages = D.layout_table(header, rows, widths)
        assert (len(pages), sum(len(p) for p in pages)) == (slides, shown), n
    rows = [[name(i), "很长的说明" * 18 if i % 2 else "短"] for i in range(20)]     # 90 em: every other row 3 lines
    _, heights, head, pages = D.layout_table(header, rows, widths)
    assert heights[1] == pytest.approx(3 * 1.45 * 16 / 72 + 0.1)
    assert [len(p) for p in pages] == [7, 6, 6]                     # 0.42 + 3 × 1.49 + 0.42 = 5.31 in; the 20th is left out


def _table_slides(prs, title: str) -> list:
    return [sl for sl in prs.slides if next(sh.text_frame.text for sh in sl.shapes if sh.has_text_frame).startswith(title)]


def test_deck_at_40_companies_pages_the_tables_inside_the_slide(many):
    s = Store(many)
    prs = D.build_deck(s, OCT)
    s.close()
    rag = _table_slides(prs, "各单位安全生产状态（红黄绿）")
    titles = [next(sh.text_frame.text for sh in sl.shapes if sh.has_text_frame) for sl in rag]
    assert titles == [f"各单位安全生产状态（红黄绿）（{k}/3）" for k in (1, 2, 3)]
    tables = [next(sh for sh in sl.shapes if sh.has_table) for sl in rag]
    firsts = [tables[0].table.cell(i, 0).text for i in (1, 2, 3)]
    assert firsts == [name(5), name(32), name(31)]                                  # worst first
    shown = sum(len(t.table.rows) - 1 for t in tables)
    assert shown == 35                                     # 单位05's reasons take 2 lines: 11 + 12 + 12
    notes = [sh.text_frame.text for sh in rag[0].shapes if sh.has_text_frame]
    assert any(f"表中列出最需关注的前 35 行，另有 {N - 35} 行未列出" in x for x in notes)
    for sl in prs.slides:
        for sh in (x for x in sl.shapes if x.has_table):
            t = sh.table
            cols = [Emu(c.width).inches for c in t.columns]
            for i, row in enumerate(t.rows):
                cells = [t.cell(i, j).text for j in range(len(cols))]
                need = D.estimate_row_height(cells, cols, D.HEAD_PT if i == 0 else D.BODY_PT)
                assert Emu(row.height).inches == pytest.approx(need, abs=1e-3)     # each row as tall as its text
            bottom = sh.top + sum(r.height for r in t.rows)
            assert bottom <= Inches(D.TABLE_BOTTOM) < Inches(6.85) < prs.slide_height  # above the note line
