"""会议材料: every document button builds its file on click (deferred downloads); each file opens with its own
library and carries the engine's figures for the golden ledger (陇原电力, 本年至今 up to 2026-11-02)."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import openpyxl
from streamlit.testing.v1 import AppTest

from tests.builders import LY
from tests.dbs import deferred_downloads, golden_store, use_db_for_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_documents_page_offers_every_document(monkeypatch, tmp_path):
    path = tmp_path / "golden.duckdb"
    golden_store(tmp_path, path).close()
    use_db_for_app(monkeypatch, path)
    deferred = deferred_downloads(monkeypatch)     # file name → the callable a click would run
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/documents.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.subheader] == ["集团通报", "单位通报", "会议幻灯片", "隐患排查治理情况统计分析表（16号令）"]
    period = "2026年1-11月"
    assert set(deferred) >= {f"集团公司_安全生产通报_{period}.docx", f"集团公司_安全生产通报_{period}.pdf",
                             f"{LY}_安全生产通报_{period}.docx", f"{LY}_安全生产通报_{period}.pdf",
                             f"安全生产专题会议材料_{period}.pptx", "隐患排查治理情况统计分析表_2026年第四季度.xlsx"}
    d = docx.Document(io.BytesIO(deferred[f"集团公司_安全生产通报_{period}.docx"][0]()))
    assert d.paragraphs[2].text == "关于2026年1—11月各子（控）公司安全生产情况的通报"
    pdf, mime = deferred[f"集团公司_安全生产通报_{period}.pdf"]
    out = tmp_path / "g.pdf"
    out.write_bytes(pdf())
    assert mime == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "各子（控）公司安全生产督查检查中发现的问题" in text
    ws = openpyxl.load_workbook(io.BytesIO(deferred["隐患排查治理情况统计分析表_2026年第四季度.xlsx"][0]()))["统计分析表"]
    assert ws.cell(5, 2).value == LY and ws.cell(5, 3).value == 5          # golden: 5 一般 found in Q4
