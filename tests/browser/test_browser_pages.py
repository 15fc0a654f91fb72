"""Every page of the sidebar, opened as a person does (click in the navigation), checked and
screenshotted into tests/browser/screenshots/; every visible download button pressed and its file
opened. Pages are discovered from the navigation links, so pages added to app.py join this test
without an edit here."""
from __future__ import annotations

from urllib.parse import urlparse

from tests.browser.harness import App, download_problems, slug

# The pages that exist today; the navigation may have more (they are visited too), never fewer.
KNOWN = {"总览", "隐患趋势", "整改情况", "数据上传", "用户管理", "审计日志", "账户"}


def _check_view(app: App, shot: str, downloads, seen: set[str]) -> list[str]:
    """Problems of what is on screen now, its screenshot, and each download not pressed before."""
    problems = app.problems()
    app.screenshot(shot)
    problems += [f"download “{label}” is built on click and reruns the page (on_click must be \"ignore\"): "
                 "Streamlit drops the file when the rerun starts first" for label in app.rerunning_deferred_downloads()]
    for button in app.download_buttons():
        label = app.download_label(button)
        try:
            path = app.download(button, downloads)
        except Exception as e:  # noqa: BLE001 — a dead button is a problem of the page
            problems.append(f"download “{label}” failed: {type(e).__name__}: {str(e)[:300]}")
            continue
        if path.name in seen:
            continue
        seen.add(path.name)
        problems += [f"download “{label}”: {p}" for p in download_problems(path)]
        problems += app.problems()            # the rerun the click caused must be clean too
    return problems


def test_every_page_opens_clean(app: App, tmp_path):
    """Each page (and each tab of a page) must show: no Python exception or “Traceback”, no error box,
    no empty chart, a Chinese page title drawn with a Chinese font, no traceback in the server log;
    each download must open. All pages are visited and screenshotted before the test reports every
    problem, page by page. Logged in as 管理, so every page is in the navigation."""
    app.login("guanli")
    pages = app.nav_pages()
    labels = [label for label, _ in pages]
    assert KNOWN <= set(labels), f"sidebar navigation lacks {KNOWN - set(labels)}: {labels}"

    failures: dict[str, list[str]] = {}
    seen: set[str] = set()
    for i, (label, href) in enumerate(pages, start=1):
        name = f"{i:02d}_{slug(urlparse(href).path.strip('/') or 'home')}_{slug(label)}"
        try:
            app.go(label, href)
        except Exception as e:  # noqa: BLE001 — a page that never finishes fails alone, the tour goes on
            failures[label] = [f"did not finish loading: {type(e).__name__}: {str(e)[:500]}"]
            app.screenshot(f"{name}__FAILED")
            app.open()
            continue
        if urlparse(app.page.url).path.rstrip("/") != urlparse(href).path.rstrip("/"):   # e.g. a lost login
            failures[label] = [f"landed on {app.page.url} instead of {href} (did the session lose its login?)"]
            app.screenshot(f"{name}__FAILED")
            continue
        problems = _check_view(app, name, tmp_path, seen)
        tabs = app.tabs()
        for j, tab in enumerate(tabs[1:], start=2):
            app.tab(tab)
            problems += [f"[tab {tab}] {p}" for p in _check_view(app, f"{name}__tab{j}_{slug(tab)}", tmp_path, seen)]
        if problems:
            failures[label] = problems
    assert not failures, "pages with problems (see tests/browser/screenshots/):\n" + "\n".join(
        f"- {page}:\n    " + "\n    ".join(probs) for page, probs in failures.items())
