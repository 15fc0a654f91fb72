"""集团通报 (docx + pdf with the same content), the PDF rendered to PNG with the Noto CJK fonts, and the deck read
back with python-pptx — all against the engine's figures on the golden hazard ledger (陇原电力, October 2026:
5 found, 2 rectified, 40.0%, 按期 33.3%, one open major hazard LY-03 owned by 王五)."""
from __future__ import annotations

import datetime as dt
import io
import subprocess

import docx
import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Inches

from analytics.cli import main
from analytics.documents.bulletin import bulletin, render_docx
from analytics.documents.deck import FONT, build_deck
from analytics.documents.group import bulletin_group
from analytics.documents.pdf import lit, render_pdf
from analytics.figures.metrics import Window, compute
from analytics.store.db import get_store
from tests.builders import HX, LY
from tests.dbs import golden_store

OCT = Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31))


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    path = tmp / "golden.duckdb"
    golden_store(tmp, path).close()
    return str(path)


def pdf_text(data: bytes, tmp_path) -> str:
    p = tmp_path / "x.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", str(p), "-"], capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return "".join(text.split())


def test_group_bulletin_names_every_company_with_the_engine_figures(golden):
    s = get_store(golden)
    b = bulletin_group(s, OCT)
    text = b.text()
    v = compute(s, OCT)
    assert (v["group"]["hazards_found"], v["companies"][LY]["hazards_found"], v["companies"][HX]["hazards_found"]) == (5, 5, 0)
    assert b.title == "关于2026年10月各子（控）公司安全生产情况的通报"
    assert "集团公司安全环保部文件" in text and "安环〔2026〕" in text and "各子（控）公司：" in text
    assert "二、各子（控）公司安全生产督查检查中发现的问题" in text
    assert "（一）陇原电力有限公司（红）" in text and "（二）河西新能源有限公司（无数据）" in text
    # by source: the golden ledger has 公司自查 2 (Oct), 集团督查 1, 第三方检查 1, 专项检查 1 — and LY-07 is November
    assert "统计期内排查隐患 5 项，其中公司自查 2 项、集团督查 1 项、第三方检查 1 项、专项检查 1 项；已整改 2 项，" \
           "隐患整改率 40.0%，按期整改率 33.3%" in text
    assert "LY-03\t锅炉房\t锅炉安全阀未校验\t王五\t2026-11-30\t未到期" in text
    assert "（一）陇原电力有限公司\n1. " in text                # 整改要求 per company


def test_group_docx_and_pdf_carry_the_same_paragraphs(golden, tmp_path):
    b = bulletin_group(get_store(golden), OCT)
    d = docx.Document(io.BytesIO(render_docx(b)))
    paras = [p.text for p in d.paragraphs if p.text]
    assert paras[:4] == ["集团公司安全环保部文件", "安环〔2026〕　　号", b.title, "各子（控）公司："]
    pdf = squash(pdf_text(render_pdf(b), tmp_path))
    for p in paras:
        assert squash(p) in pdf, p
    for row in d.tables[0].rows[1:]:
        assert squash(row.cells[0].text) in pdf
    assert "—1—" in pdf and "—2—" in pdf                      # page numbers


def test_pdf_page_renders_chinese_with_the_noto_fonts(golden, tmp_path):
    data = render_pdf(bulletin(get_store(golden), LY, OCT))
    (tmp_path / "b.pdf").write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "b.pdf")], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("NotoSerifCJK" in n or "NotoSansCJK" in n for n in names), names   # no fallback font
    assert all(" yes " in line for line in fonts.splitlines()[2:])                           # embedded
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(tmp_path / "b.pdf"), str(tmp_path / "p")],
                   check=True)
    img = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    w, h = img.size
    assert w < h                                                                             # A4 portrait
    top = img.crop((0, 0, w, h // 5))
    reds = sum(1 for r, g, b in top.getdata() if r > 180 and g < 80 and b < 80)
    assert reds > 500                                                                        # the red masthead
    text = pdf_text(data, tmp_path)
    assert "关于陇原电力有限公司2026年10月安全生产情况的通报" in squash(text)
    assert "\ufffd" not in text


def test_ledger_text_never_becomes_typst_markup():
    assert lit('#panic("x") [*a*] $b$ @c \\ "q"') == '"#panic(\\"x\\") [*a*] $b$ @c \\\\ \\"q\\""'


def test_deck_slides_carry_the_engine_figures(golden, tmp_path):
    s = get_store(golden)
    prs = build_deck(s, OCT)
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    texts = [[sh.text_frame.text for sh in sl.shapes if sh.has_text_frame] for sl in prs.slides]
    titles = [t[0] for t in texts]
    assert titles[0] == "2026年10月安全生产专题会议"
    assert titles[1:6] == ["总览：2026年10月集团安全生产主要指标", "各单位安全生产状态（红黄绿）", "突破目标责任书控制指标",
                           "未整改的重大隐患", "生产安全事故"]
    kpi = "\n".join(texts[1])
    assert "排查隐患\n5 项" in kpi and "隐患整改率\n40.0%" in kpi and "按期整改率\n33.3%" in kpi
    rag = next(sh.table for sh in prs.slides[2].shapes if sh.has_table)
    assert [rag.cell(1, j).text for j in range(3)] == [LY, "红", "33.3%"]
    majors = next(sh.table for sh in prs.slides[4].shapes if sh.has_table)
    assert [majors.cell(1, j).text for j in range(5)] == [LY, "锅炉安全阀未校验", "王五", "2026-11-30", "未到期"]
    pics = [sh for sl in prs.slides for sh in sl.shapes if sh.shape_type == 13]
    assert len(pics) == 3
    png = Image.open(io.BytesIO(pics[0].image.blob))
    assert png.size == (1600, 760) and len(set(png.convert("L").getdata())) > 10
    fc = subprocess.run(["fc-match", FONT], capture_output=True, text=True).stdout
    assert "NotoSansCJK" in fc                                   # the slides' font exists on this machine
    out = tmp_path / "d.pptx"
    assert main(["deck", "--month", "2026-10", "--out", str(out), "--db", golden]) == 0
    assert len(Presentation(str(out)).slides) == len(prs.slides)


def _unready_once(monkeypatch, message):
    """kaleido's first drawing fails with `message` (as when its tab is bound to the blank page's JavaScript);
    returns the list of server starts."""
    import kaleido
    from kaleido._kaleido_tab._errors import JavascriptError
    starts, real_start, real_calc = [], kaleido.start_sync_server, kaleido.calc_fig_sync

    def start(*a, **k):
        starts.append(1)
        return real_start(*a, **k)

    def calc(fig, *a, **k):
        if len(starts) == 1:
            raise JavascriptError(message)
        return real_calc(fig, *a, **k)
    monkeypatch.setattr(kaleido, "start_sync_server", start)
    monkeypatch.setattr(kaleido, "calc_fig_sync", calc)
    return starts


def test_deck_restarts_a_chart_browser_whose_page_is_not_ready(golden, monkeypatch):
    starts = _unready_once(monkeypatch, "ReferenceError: kaleido_scopes is not defined")
    prs = build_deck(get_store(golden), OCT)
    pics = [sh for sl in prs.slides for sh in sl.shapes if sh.shape_type == 13]
    assert len(starts) == 2 and len(pics) == 3
    assert Image.open(io.BytesIO(pics[0].image.blob)).size == (1600, 760)


def test_deck_does_not_retry_other_chart_errors(golden, monkeypatch):
    starts = _unready_once(monkeypatch, "TypeError: something else")
    with pytest.raises(RuntimeError, match="something else"):
        build_deck(get_store(golden), OCT)
    assert len(starts) == 1


def test_bulletin_command_group_pdf_and_month(golden, tmp_path):
    out = tmp_path / "g.pdf"
    assert main(["bulletin", "--group", "--month", "2026-10", "--out", str(out), "--db", golden]) == 0
    assert "各子（控）公司安全生产督查检查中发现的问题" in squash(pdf_text(out.read_bytes(), tmp_path))
    one = tmp_path / "ly.docx"
    assert main(["--db", golden, "bulletin", "--company", "陇原电力", "--month", "2026-10", "--out", str(one)]) == 0
    assert docx.Document(str(one)).paragraphs[2].text == "关于陇原电力有限公司2026年10月安全生产情况的通报"
    assert main(["--db", golden, "bulletin", "--group", "--company", LY, "--month", "2026-10"]) == 2
    assert main(["--db", golden, "bulletin", "--group", "--month", "2026-13"]) == 2
    assert main(["--db", golden, "bulletin", "--group", "--month", "2026-10", "--out", str(tmp_path / "x.txt")]) == 2


def test_facts_read_set_based_equal_the_facts_read_one_by_one(golden):
    from analytics.documents.bulletin import _Facts
    s = get_store(golden)
    every = _Facts.read_all(s, [LY, HX], OCT)
    for name in (LY, HX):
        one = _Facts.read(s, name, OCT)
        assert every[name].v == one.v and every[name].rag == one.rag
        for kind in ("majors", "acc", "overdue", "ev", "flags"):
            a, b = getattr(every[name], kind), getattr(one, kind)
            assert list(a.columns) == list(b.columns) and a.astype(str).to_dict("records") == b.astype(str).to_dict("records")
    assert list(every[LY].majors["隐患编号"]) == ["LY-03"] and every[HX].majors.empty


def test_group_bulletin_above_20_companies_takes_the_compact_form(golden, tmp_path):
    """22 companies: 陇原 (red) in 二 as one paragraph, the 20 new ones and 河西 (no data) named by count, one
    整改要求 table row for 陇原, and the summary table of all as the 附件."""
    import shutil
    from analytics.companies import add_company
    from analytics.documents.group import LARGE_GROUP
    path = tmp_path / "big.duckdb"
    shutil.copy(golden, path)
    s = get_store(str(path))
    for i in range(LARGE_GROUP):
        add_company(s, f"测试单位{i:02d}有限公司")
    b = bulletin_group(s, OCT)
    text = b.text()
    assert "统计期内，集团共22家子（控）公司" in text
    assert "（一）陇原电力有限公司（红）（" in text and "排查隐患 5 项（公司自查 2 项、集团督查 1 项、第三方检查 1 项、专项检查 1 项）" in text
    assert "LY-03（锅炉房，2026-11-30，责任人王五，未到期）" in text
    assert "（二）" not in text.split("三、生产安全事故情况")[0]          # only 陇原 is red or amber
    assert "其余 21 家单位" in text
    assert "陇原电力有限公司\t逾期一般隐患 2 项（12月5日前）；未到期重大隐患 1 项（按期）" in text \
        or "陇原电力有限公司\t未到期重大隐患 1 项（按期）" in text
    tables = [t for t in b.blocks if hasattr(t, "header")]
    assert tables[-1].header[0] == "单位" and len(tables[-1].rows) == 22            # the 附件: every company
    assert text.rindex("附件\n各子（控）公司安全生产情况汇总表") > text.index("附：数据口径")


def test_group_accident_table_lists_the_worst_and_counts_the_rest(golden, tmp_path):
    """35 accidents in October: the group 通报's 三 tables the 30 with the most casualties (deaths, then serious
    injuries, then the latest) and says how many more there are and where they are listed."""
    import shutil
    from analytics.documents.group import ACCIDENTS_TABLED
    path = tmp_path / "acc.duckdb"
    shutil.copy(golden, path)
    s = get_store(str(path))
    with s.write() as cur:
        cur.execute("""INSERT INTO accidents (batch_id, key, company, accident_no, occurred_at, reported_at, type, level,
                                              deaths, serious_injuries, minor_injuries, direct_loss, cause_found,
                                              responsibility_handled, measures_done, lessons_learned)
                       SELECT 1, 'x' || i, ?, 'X-' || lpad(CAST(i AS VARCHAR), 2, '0'),
                              TIMESTAMP '2026-10-01 08:00' + INTERVAL (i * 10) HOUR,
                              TIMESTAMP '2026-10-01 08:20' + INTERVAL (i * 10) HOUR, '物体打击', '一般',
                              CASE WHEN i = 3 THEN 1 ELSE 0 END, CASE WHEN i = 7 THEN 2 ELSE 0 END, 1, 0.1,
                              true, true, true, true
                       FROM range(35) r(i)""", [LY])
    total = compute(s, OCT)["group"]["accidents"]
    b = bulletin_group(s, OCT)
    text = b.text()
    assert total >= 35
    assert (f"伤亡最重的 {ACCIDENTS_TABLED} 起列于下表（按死亡、重伤人数，其次发生时间排列），其余 "
            f"{total - ACCIDENTS_TABLED} 起见看板“事故”页的下载明细") in text
    table = next(t for t in b.blocks if hasattr(t, "header") and t.header[:2] == ["单位", "事故编号"])
    assert len(table.rows) == ACCIDENTS_TABLED
    assert [r[1] for r in table.rows[:3]] == ["X-03", "X-07", "X-34"]     # 1 death, 2 serious, then the latest
