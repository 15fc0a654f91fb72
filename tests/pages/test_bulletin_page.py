"""单位画像 → 通报: the download button builds the Word document on click (a deferred download)."""
from __future__ import annotations

import io
from pathlib import Path

import docx
from streamlit.testing.v1 import AppTest

from tests.builders import LY
from tests.dbs import deferred_downloads, golden_store, use_db_for_app

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_company_profile_offers_the_bulletin(monkeypatch, tmp_path):
    path = tmp_path / "golden.duckdb"
    golden_store(tmp_path, path).close()
    use_db_for_app(monkeypatch, path)
    deferred = deferred_downloads(monkeypatch)     # file name → the callable a click would run
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/company_profile.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "通报" in [h.value for h in at.subheader]
    button = [b for b in at.get("download_button") if b.proto.id.endswith("dl_pf_bulletin")]
    assert button and button[0].proto.label == "下载通报（Word）"
    name = f"{LY}_安全生产通报_2026年1-11月.docx"            # 本年至今 up to the last day with data
    data, mime = deferred[name]
    assert mime.endswith("wordprocessingml.document")
    doc = docx.Document(io.BytesIO(data()))
    assert doc.paragraphs[2].text == f"关于{LY}2026年1—11月安全生产情况的通报"


def test_company_heading_shows_a_hostile_name_as_text(monkeypatch, tmp_path):
    """单位画像's heading is markdown with HTML allowed (the RAG badge): the company name must stay text."""
    from analytics import companies
    from analytics.store.db import Store
    path = tmp_path / "golden.duckdb"
    golden_store(tmp_path, path).close()
    hostile = '<b onmouseover="x">红</b>![i](http://127.0.0.1:9/i.png)[链](http://127.0.0.1:9)'
    s = Store(path)
    companies.add_company(s, hostile)
    s.close()
    use_db_for_app(monkeypatch, path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["pf_company"] = companies.registry(Store(path)).match(hostile)
    at.switch_page("pages/company_profile.py").run()
    assert not at.exception, [e.value for e in at.exception]
    heads = [m.value for m in at.markdown if m.value.startswith("# ")]
    assert heads, [m.value for m in at.markdown][:5]
    assert "<b" not in heads[0] and "](" not in heads[0] and "&lt;b onmouseover" in heads[0], heads[0]
