"""Issue 8 point 9: a freshly started server's first paint shows no English page file names. A new `streamlit run
app.py` on a free port, loaded as early as possible (goto wait_until="commit"), the DOM sampled on every animation
frame from the first script on, until the Chinese navigation and the overview are drawn."""
from __future__ import annotations

from tests.browser.harness import READY_JS, Server, load_demo

FILE_NAMES = ("app", "overview", "meeting", "indicators", "accidents", "hazard_trends", "hazard trends", "rectification",
              "training_investment", "training investment", "company_profile", "company profile", "documents",
              "upload")

# Records, on every frame from the document's start, the sidebar navigation texts and the document title.
SAMPLER = """
window.__frames = [];
const sample = () => {
  const nav = [...document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"], '
                                          + '[data-testid="stSidebarNavItems"] *')].map(e => e.innerText.trim());
  window.__frames.push({nav: nav.filter(Boolean), title: document.title,
                        body: document.body ? document.body.innerText.slice(0, 400) : ''});
  if (window.__frames.length < 20000) requestAnimationFrame(sample);
};
requestAnimationFrame(sample);
"""


def test_fresh_server_first_paint_has_no_english_page_names(browser, tmp_path):
    db = tmp_path / "safety.duckdb"
    load_demo(db, tmp_path / "demo.log")
    server = Server(db, tmp_path / "streamlit.log").start()
    try:
        ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        try:
            page = ctx.new_page()
            page.add_init_script(SAMPLER)
            page.goto(server.url, wait_until="commit")
            page.wait_for_function(READY_JS, timeout=120_000)
            page.wait_for_selector('[data-testid="stSidebarNav"] >> text=总览', timeout=30_000)
            frames = page.evaluate("() => window.__frames")
        finally:
            ctx.close()
    finally:
        server.stop()
    assert len(frames) > 5
    english = sorted({t for f in frames for t in f["nav"] if t.strip().lower() in FILE_NAMES})
    assert not english, f"the sidebar showed the file names {english} before the Chinese navigation"
    navs = [f["nav"] for f in frames if f["nav"]]
    assert navs and "总览" in navs[0], navs[:3]              # the first navigation ever drawn is the Chinese one
