"""会议材料 in a real browser on the demo data: download the group 通报 as PDF and the meeting deck, and open
them (pdftotext, python-pptx) — the figures are the engine's for the sidebar's window."""
from __future__ import annotations

import subprocess

from pptx import Presentation

from tests.browser.harness import App

BUILT_ON_CLICK_MS = 180_000     # the documents are built on click; the deck took 27-38 s on the shared 2-core machine


def _button(app: App, label: str):
    return next(b for b in app.download_buttons() if label in b.inner_text())


def test_download_the_group_pdf_and_the_deck(app: App, tmp_path):
    app.open()
    app.go("会议材料")
    assert not app.problems()
    app.screenshot("documents_page")
    pdf = app.download(_button(app, "下载集团通报（PDF）"), tmp_path, BUILT_ON_CLICK_MS)
    assert pdf.name.startswith("集团公司_安全生产通报_") and pdf.suffix == ".pdf"
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "各子（控）公司安全生产督查检查中发现的问题" in text and "（四）祁连矿业有限责任公司（红）" in text
    deck = app.download(_button(app, "下载会议幻灯片（PowerPoint）"), tmp_path, BUILT_ON_CLICK_MS)
    prs = Presentation(str(deck))
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    assert "各单位安全生产状态（红黄绿）" in titles and "未整改的重大隐患" in titles
    assert sum(1 for s in prs.slides for sh in s.shapes if sh.shape_type == 13) == 3      # the three charts
    assert not app.problems()


def test_deck_slides_render_whole_with_every_chinese_glyph(browser, tmp_path):
    """Issue 12 point 6: whole slides — text boxes, KPI cards, table cells and the chart image — composed from their
    shapes in Chromium (tests/browser/slides.py), screenshot to PNG, and every Chinese text element drawn by a CJK
    font with no missing glyph (harness.cjk_problems, the check the pages get)."""
    import datetime as dt
    import io

    from PIL import Image

    from analytics.documents.deck import build_deck
    from analytics.figures.metrics import Window
    from analytics.store.db import Store
    from tests.browser.harness import SHOTS, cdp_session, cjk_problems
    from tests.browser.slides import slide_html, text_elements
    from tests.dbs import golden_store

    golden_store(tmp_path, tmp_path / "g.duckdb").close()
    s = Store(tmp_path / "g.duckdb")
    prs = build_deck(s, Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
    s.close()
    titles = [next(sh.text_frame.text for sh in sl.shapes if sh.has_text_frame) for sl in prs.slides]
    chart = next(i for i, sl in enumerate(prs.slides) if any(sh.shape_type == 13 for sh in sl.shapes))
    wanted = [0, titles.index("总览：2026年10月集团安全生产主要指标"), titles.index("各单位安全生产状态（红黄绿）"), chart]
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    try:
        page = ctx.new_page()
        cdp = cdp_session(page)
        for i in wanted:
            page.set_content(slide_html(prs, i))
            keys = text_elements(prs, i)
            assert keys, titles[i]
            problems = [p for k in keys for p in cjk_problems(page, cdp, f'[data-shape="{k}"]', True, f"slide {i + 1}")]
            assert not problems, problems
            png = page.screenshot(path=str(SHOTS / f"deck_slide_{i + 1}.png"))
            img = Image.open(io.BytesIO(png)).convert("RGB")
            assert img.size == (1280, 720)                                           # 16:9 at 96 px per inch
            dark = sum(1 for px in img.resize((320, 180)).getdata() if sum(px) < 300)
            assert dark > 100, f"slide {i + 1} shows almost nothing"
        assert page.evaluate("() => document.images.length === 1 && document.images[0].naturalWidth === 1600")
    finally:
        ctx.close()
