"""会议材料 in a real browser on the demo data: download the group 通报 as PDF and the meeting deck, and open
them (pdftotext, python-pptx) — the figures are the engine's for the sidebar's window."""
from __future__ import annotations

import subprocess

from pptx import Presentation

from tests.browser.harness import App


def _button(app: App, label: str):
    return next(b for b in app.download_buttons() if label in b.inner_text())


def test_download_the_group_pdf_and_the_deck(app: App, tmp_path):
    app.open()
    app.go("会议材料")
    assert not app.problems()
    app.screenshot("documents_page")
    pdf = app.download(_button(app, "下载集团通报（PDF）"), tmp_path)
    assert pdf.name.startswith("集团公司_安全生产通报_") and pdf.suffix == ".pdf"
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "各子（控）公司安全生产督查检查中发现的问题" in text and "（四）祁连矿业有限责任公司（红）" in text
    deck = app.download(_button(app, "下载会议幻灯片（PowerPoint）"), tmp_path)
    prs = Presentation(str(deck))
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    assert "各单位安全生产状态（红黄绿）" in titles and "未整改的重大隐患" in titles
    assert sum(1 for s in prs.slides for sh in s.shapes if sh.shape_type == 13) == 3      # the three charts
    assert not app.problems()
