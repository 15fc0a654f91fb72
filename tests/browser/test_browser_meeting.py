"""会议模式 as it is used on the projector: open it, page through every slide with the → key, one
back with the button, leave with Esc. Each slide is checked and screenshotted."""
from __future__ import annotations

import re

import pytest

from tests.browser.harness import App

PAGE = "会议模式"


def _slide(app: App) -> tuple[int, int, str] | None:
    """(i, n, name) from the slide caption “第 i/n 页：name”; None when the slide has no caption
    (it did not finish drawing). The page has settled already: no waiting here."""
    cap = app.page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"第 \d+/\d+ 页"))
    if not cap.count():
        return None
    m = re.search(r"第 (\d+)/(\d+) 页：(\S+)", cap.last.inner_text())
    return (int(m[1]), int(m[2]), m[3]) if m else None


def test_meeting_mode_slides(app: App):
    app.open()
    links = dict(app.nav_pages())
    if PAGE not in links:
        pytest.skip(f"no {PAGE} page in the navigation yet")
    app.go(PAGE)
    assert not app.page.get_by_test_id("stSidebar").is_visible(), "the projector view must hide the sidebar"
    first = _slide(app)
    assert first and first[0] == 1 and first[1] >= 5, (first, app.problems())

    n = first[1]
    failures: dict[str, list[str]] = {}
    names = []
    for k in range(1, n + 1):
        problems = app.problems()
        app.screenshot(f"meeting_{k:02d}")
        now = _slide(app)
        if now is None:
            problems.append("no slide caption: the slide did not finish drawing")
        elif now[0] != k:
            problems.append(f"after {k - 1} × → the deck shows slide {now[0]}")
        else:
            names.append(now[2])
        if problems:
            failures[f"slide {k}{' ' + now[2] if now else ''}"] = problems
        if k < n:
            app.run(lambda: app.page.keyboard.press("ArrowRight"))
    assert not failures, "slides with problems (see tests/browser/screenshots/meeting_*):\n" + "\n".join(
        f"- {s}:\n    " + "\n    ".join(p) for s, p in failures.items())
    assert len(set(names)) == n, f"slides repeat: {names}"

    app.run(app.page.get_by_role("button", name=re.compile("上一页")).click)
    assert _slide(app)[0] == n - 1
    app.run(lambda: app.page.keyboard.press("Escape"))
    assert app.page.get_by_test_id("stSidebar").is_visible(), "Esc must leave the projector view"
    assert app.page.locator("h1").first.inner_text().strip() == "集团安全生产总览"
