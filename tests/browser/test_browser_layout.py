"""What a projector shows: Chinese in the Simplified Chinese face whatever the browser's language, the app
name above the navigation, and nothing cut off at 1440 px (KPI labels and their 同比 lines, HTML tables)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.browser.harness import App, VIEWPORT

# Text whose glyphs a browser may draw from the wrong CJK face when the page is lang="en".
SAMPLES = ("h1", '[data-testid="stCaptionContainer"] p', '[data-testid="stMetricLabel"] p',
           '[data-testid="stSidebarNavLink"] p', '[data-testid="stTable"] td p')
OTHER_FACES = ("JP", "KR", "TC", "HK")

CUT_JS = """() => {
  const cut = [];
  const clipped = e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible';
  for (const e of document.querySelectorAll('[data-testid="stMetricLabel"] *, [data-testid="stMetricDelta"] *, [data-testid="stMetricValue"] *'))
    if (e.checkVisibility() && (clipped(e) || getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1))
      cut.push('KPI: ' + e.innerText.trim());
  for (const t of document.querySelectorAll('[data-testid="stTable"]'))
    if (t.checkVisibility() && t.querySelector('table').getBoundingClientRect().width > t.getBoundingClientRect().width + 1)
      cut.push('table wider than its place: ' + t.innerText.trim().slice(0, 40));
  return cut;
}"""


def _sc_installed() -> bool:
    if not shutil.which("fc-list"):
        return False
    r = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    return "CJK SC" in r.stdout or "Han Sans SC" in r.stdout


@pytest.fixture
def english_app(browser, server):
    """A projector PC with an English system: the browser's language does not choose the Chinese face."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="en-US", timezone_id="Asia/Shanghai")
    try:
        yield App(ctx.new_page(), server)
    finally:
        ctx.close()


def test_chinese_text_uses_the_simplified_chinese_face(english_app: App):
    if not _sc_installed():
        pytest.skip("no Simplified Chinese CJK font installed (fonts-noto-cjk)")
    app = english_app
    app.open()
    assert app.page.evaluate("document.documentElement.lang") == "zh-CN"
    cdp = app.page.context.new_cdp_session(app.page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    wrong = {}
    for sel in SAMPLES:
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": sel})["nodeId"]
        assert node, f"nothing on 总览 matches {sel}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        cjk = [f for f in fonts if "CJK" in f["familyName"] or "Han Sans" in f["familyName"]]
        assert cjk, f"{sel}: no CJK font drew it: {fonts}"
        bad = [f["familyName"] for f in cjk if any(f["familyName"].endswith(x) for x in OTHER_FACES)]
        if bad:
            wrong[sel] = bad
    assert not wrong, f"Chinese drawn with a non-Simplified face (Japanese/Korean/Traditional glyph shapes): {wrong}"


def test_app_name_is_above_the_navigation(app: App):
    app.open()
    logo = app.page.get_by_test_id("stSidebarLogo")
    nav = app.page.get_by_test_id("stSidebarNav")
    assert logo.is_visible() and nav.is_visible()
    assert logo.bounding_box()["y"] < nav.bounding_box()["y"]
    assert "安全生产台账看板" in (logo.get_attribute("src") and app.page.evaluate(
        "async (src) => await (await fetch(src)).text()", logo.get_attribute("src")))


def test_nothing_cut_off_at_1440(app: App):
    """KPI cards wrap their labels and 同比 lines; HTML tables fit their column (总览, 事故, 会议模式 slides)."""
    failures = {}
    for path in ("", "accidents", "training_investment", "company_profile"):
        app.open(path)
        cut = app.page.evaluate(CUT_JS)
        if cut:
            failures[path or "总览"] = cut
    app.open("meeting")
    for k in range(1, 8):
        cut = app.page.evaluate(CUT_JS)
        if cut:
            failures[f"会议模式 slide {k}"] = cut
        if k < 7:
            app.run(lambda: app.page.keyboard.press("ArrowRight"))
    assert not failures, failures
