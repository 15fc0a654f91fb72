"""The browser tests' harness: the Streamlit server, the Chromium to drive, and `App`, a page of the
dashboard as a person uses it (click the sidebar, pick a filter, upload, read a KPI), with the checks
every page must pass (no exception, no error box, no empty chart, Chinese text really rendered).

Waiting rule: never a fixed sleep. Every action that makes Streamlit rerun the script waits for the
server's `script_finished` message on the app's websocket (parsed with Streamlit's own protobuf
classes), then for the DOM to settle (see READY_JS)."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

REPO = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parent / "screenshots"
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1440, "height": 900}   # a meeting-room projector / a laptop
WAIT_MS = 30_000                            # any single wait; a healthy run takes 1–3 s

# Fonts that carry Chinese glyphs, as Chromium names them (CDP CSS.getPlatformFontsForNode).
CJK_FONT = re.compile(r"CJK|Source Han|Han Sans|Han Serif|WenQuanYi|Droid Sans Fallback|AR PL|YaHei|PingFang|"
                      r"Hiragino|SimHei|SimSun|NSimSun|DengXian|KaiTi|FangSong|Heiti|Songti|STHeiti|Noto Sans SC|"
                      r"Noto Serif SC|Noto Sans TC|Noto Sans JP|Noto Sans KR", re.I)


# --------------------------------------------------------------------------------------------- Chromium

def _run(cmd: list[str], timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return subprocess.CompletedProcess(cmd, 1, "", str(e))


def _apt_install(pkgs: list[str], log: list[str]) -> None:
    """apt-get install, with one apt-get update if the package lists are stale (root only)."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        log.append(f"not root or no apt-get: cannot apt-get install {' '.join(pkgs)}")
        return
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *pkgs]
    r = _run(cmd)
    if r.returncode != 0:
        _run(["apt-get", "update", "-q"])
        r = _run(cmd)
    log.append(f"{' '.join(cmd)} → exit {r.returncode}{(': ' + r.stderr.strip()[-400:]) if r.returncode else ''}")


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return True            # cannot tell here; the tofu check on every page will
    r = _run(["fc-list", ":lang=zh", "family"], timeout=60)
    return r.returncode == 0 and bool(r.stdout.strip())


def find_chromium() -> tuple[str | None, list[str]]:
    """The Chromium to drive: Debian's /usr/bin/chromium; if missing, apt-get install chromium
    fonts-noto-cjk (root with apt-get only), else Playwright's own build (`python -m playwright install
    chromium`; returns None = use it). Raises RuntimeError naming what to install when all fail.
    Also installs fonts-noto-cjk when no Chinese font is present (root with apt-get only)."""
    log: list[str] = []
    if not DEBIAN_CHROMIUM.exists():
        _apt_install(["chromium", "fonts-noto-cjk"], log)
    elif not _has_cjk_font():
        _apt_install(["fonts-noto-cjk"], log)
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM), log
    r = _run([sys.executable, "-m", "playwright", "install", "chromium"])
    log.append(f"python -m playwright install chromium → exit {r.returncode}"
               f"{(': ' + (r.stderr or r.stdout).strip()[-400:]) if r.returncode else ''}")
    if r.returncode == 0:
        return None, log
    raise RuntimeError(
        "No Chromium for the browser tests. Install Debian's chromium and a Chinese font:\n"
        "    sudo apt-get install chromium fonts-noto-cjk\n"
        "or Playwright's build: .venv/bin/python -m playwright install --with-deps chromium\n"
        "or skip them: SKIP_BROWSER=1 make test\nTried:\n  " + "\n  ".join(log))


# --------------------------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_demo(db: Path, log: Path) -> None:
    """Fill a fresh database with the demo data, as `make run` does (same CLI)."""
    r = subprocess.run([sys.executable, "-m", "analytics", "--db", str(db), "demo"], cwd=REPO,
                       env={**os.environ, "SAFETY_DB": str(db)}, capture_output=True, text=True, timeout=300)
    log.write_text(r.stdout + r.stderr, encoding="utf-8")
    if r.returncode != 0:
        raise RuntimeError(f"python -m analytics --db {db} demo failed (exit {r.returncode}):\n{r.stdout}{r.stderr}")


class Server:
    """The app's server (`python -m ui.serve`, i.e. `streamlit run app.py`) on 127.0.0.1:<free port> with
    SAFETY_DB=db; output to a log file."""

    def __init__(self, db: Path, log: Path, extra=None, script: str = "app.py"):
        self.db, self.log = db, log
        self.extra = extra               # port → further `streamlit run` arguments (e.g. a secrets file)
        self.script = script             # the app to run (the bench's baseline runs an empty one)
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, deadline_s: float = 60, attempts: int = 3) -> "Server":
        for _ in range(attempts):           # another process may take the free port before we bind it
            self.port = free_port()
            if self._start_once(deadline_s):
                return self
        raise RuntimeError(f"streamlit did not start; log {self.log}:\n{self.log_text()[-3000:]}")

    def _start_once(self, deadline_s: float) -> bool:
        # the app as make run and the README start it (ui.serve: `streamlit run app.py` with the first page's
        # imports and figures begun at start); any other script (the bench's empty baseline) by `streamlit run`
        run = ["-m", "ui.serve"] if self.script == "app.py" else ["-m", "streamlit", "run", self.script]
        cmd = [sys.executable, *run, "--server.address", "127.0.0.1",
               "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        cmd += self.extra(self.port) if self.extra else []
        env = {**os.environ, "SAFETY_DB": str(self.db), "PYTHONUNBUFFERED": "1"}
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200 and self.proc.poll() is None:   # ours answers, not a stranger's
                        return True
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            try:                             # the poll interval is a bounded wait on the process itself
                self.proc.wait(timeout=0.2)
                return False                 # it exited (e.g. port taken): try another port
            except subprocess.TimeoutExpired:
                pass
        self.stop()
        raise RuntimeError(f"streamlit not healthy within {deadline_s}s; log {self.log}:\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


# --------------------------------------------------------------------------------------------- the page

# The app is idle and drawn: script not running, connected, nothing stale or skeletal, every visible
# chart has its SVG and every visible table its canvas and accessible grid (glide-data-grid).
# The app is idle and drawn: script not running, connected, nothing stale or skeletal, every visible
# chart has its SVG and every visible table its canvas and accessible grid (glide-data-grid).
# Returns '' when ready, else what is still pending (shown when a wait times out).
PENDING_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return 'no stApp';
  if (app.dataset.testConnectionState !== 'CONNECTED') return `connection ${app.dataset.testConnectionState}`;
  if (app.dataset.testScriptState !== 'notRunning') return `script ${app.dataset.testScriptState}`;
  const busy = document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"], [data-testid="stSkeleton"], [data-testid="stAppSkeleton"]');
  if (busy) return `busy: ${busy.dataset.testid || 'stale element'}`;
  const shown = el => el.checkVisibility({visibilityProperty: true}) && !el.closest('details:not([open])');
  for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
    if (shown(c) && !c.querySelector('.js-plotly-plot .main-svg')) return 'chart not drawn';
  for (const d of document.querySelectorAll('[data-testid="stDataFrame"]'))
    if (shown(d) && !(d.querySelector('canvas') && d.querySelector('table[role="grid"] thead th'))) return 'table not drawn';
  return '';
}"""
READY_JS = f"() => ({PENDING_JS})() === ''"

# Everything a person would see as broken, except Chinese rendering (checked with CDP below).
PROBLEMS_JS = """() => {
  const shown = el => el.checkVisibility({visibilityProperty: true}) && !el.closest('details:not([open])');
  const out = {exceptions: [], traceback: false, errors: [], charts: []};
  for (const e of document.querySelectorAll('[data-testid="stException"]'))
    out.exceptions.push((e.querySelector('[data-testid="stExceptionMessage"]') || e).innerText.trim().slice(0, 400));
  out.traceback = document.body.innerText.includes('Traceback');
  for (const e of document.querySelectorAll('[data-testid="stAlertContentError"]'))
    if (shown(e) && !e.closest('[data-testid="stException"]')) out.errors.push(e.innerText.trim());
  const npts = t => Math.max(0, ...['x', 'y', 'z', 'values', 'labels', 'lat', 'lon', 'r', 'a', 'b']
      .map(k => (t[k] && typeof t[k].length === 'number') ? t[k].length : 0));
  document.querySelectorAll('.js-plotly-plot').forEach((el, i) => {
    if (!shown(el)) return;
    const title = (el.querySelector('.gtitle') || {}).textContent || `chart #${i + 1}`;
    const data = el._fullData || [];   // plotly's decoded traces (el.data may hold base64 typed arrays)
    const svg = el.querySelector('.main-svg');
    const r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    if (!data.some(t => npts(t) > 0)) out.charts.push(`empty chart “${title}”: no trace with data points`);
    else if (r.width < 10 || r.height < 10) out.charts.push(`chart “${title}” drawn at zero size (${r.width}×${r.height})`);
    else if (!el.querySelector('.main-svg .trace')) out.charts.push(`chart “${title}”: no marks drawn`);
  });
  return out;
}"""

# Mark the element holding the first text node with Chinese characters under `sel` (for CDP), and
# measure that text: per-character box widths (Range rects) and a canvas test — each distinct
# character drawn in the element's font-family must leave ink, differ from every other one and from
# a codepoint no font has (U+0378). Missing-glyph boxes ("tofu") are identical for every character,
# so this holds whatever the fallback font draws for a missing glyph.
CJK_JS = r"""(sel) => {
  const isCjk = c => /[\u3400-\u9fff\uf900-\ufaff]/.test(c);
  document.querySelectorAll('[data-e2e-cjk]').forEach(e => e.removeAttribute('data-e2e-cjk'));
  const shown = el => el.checkVisibility({visibilityProperty: true}) && !el.closest('details:not([open])');
  for (const root of document.querySelectorAll(sel)) {
    if (!shown(root)) continue;
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = w.nextNode())) {
      if (![...node.data].some(isCjk) || !shown(node.parentElement)) continue;
      const el = node.parentElement;
      el.setAttribute('data-e2e-cjk', '1');
      const widths = [];
      const range = document.createRange();
      for (let i = 0; i < node.data.length; i++) {
        if (!isCjk(node.data[i])) continue;
        range.setStart(node, i); range.setEnd(node, i + 1);
        widths.push([node.data[i], range.getBoundingClientRect().width]);
      }
      const fam = getComputedStyle(el).fontFamily;
      const c = document.createElement('canvas'); c.width = 56; c.height = 56;
      const ctx = c.getContext('2d', {willReadFrequently: true});
      const draw = ch => {
        ctx.clearRect(0, 0, 56, 56); ctx.font = `40px ${fam}`; ctx.textBaseline = 'top'; ctx.fillStyle = '#000';
        ctx.fillText(ch, 6, 6);
        const a = ctx.getImageData(0, 0, 56, 56).data;
        let ink = 0, sig = '';
        for (let k = 3; k < a.length; k += 4) { if (a[k] > 0) ink++; sig += a[k] > 127 ? '1' : '0'; }
        return {ink, sig, width: ctx.measureText(ch).width};
      };
      const chars = [...new Set([...node.data].filter(isCjk))].slice(0, 8);
      const drawn = chars.map(draw), missing = draw('\u0378');
      return {text: node.data, fontFamily: fam, widths,
              glyphs: chars.map((ch, k) => ({ch, ink: drawn[k].ink, width: drawn[k].width, tofu: drawn[k].sig === missing.sig})),
              distinct: new Set(drawn.map(d => d.sig)).size, cjkCount: [...node.data].filter(isCjk).length};
    }
  }
  return null;
}"""

def _forward_msg(payload) -> ForwardMsg | None:
    if isinstance(payload, str):
        return None
    try:
        return ForwardMsg.FromString(payload)
    except Exception:  # noqa: BLE001 — not a ForwardMsg
        return None


def _ends_run(msg: ForwardMsg | None) -> bool:
    return (msg is not None and msg.WhichOneof("type") == "script_finished"
            and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN)


def _is_run_end(payload) -> bool:
    """A ForwardMsg `script_finished` that ends a run (not one cut short for a rerun)."""
    return _ends_run(_forward_msg(payload))


def _download_button(msg: ForwardMsg | None):
    """The DownloadButton proto a ForwardMsg draws, if any."""
    if msg is None or msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    el = msg.delta.new_element
    return el.download_button if el.WhichOneof("type") == "download_button" else None


class App:
    """One browser tab on the dashboard (one Streamlit session)."""

    def __init__(self, page, server: Server):
        self.page, self.server = page, server
        self.ws = None
        self.runs = 0                  # script runs finished in this tab (ForwardMsg script_finished)
        self.download_specs: dict[str, tuple[bool, bool]] = {}   # label → (built on click, click reruns), as last drawn
        self._log_at = len(server.log_text())
        self._cdp = None
        page.on("websocket", self._on_ws)
        page.set_default_timeout(WAIT_MS)

    def _on_ws(self, ws) -> None:
        # Called while Playwright dispatches the websocket's creation, before any of its frames:
        # no frame can be missed.
        if ws.url.endswith("/_stcore/stream"):
            self.ws = ws
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        msg = _forward_msg(payload)
        if _ends_run(msg):
            self.runs += 1
        elif (b := _download_button(msg)) is not None:
            self.download_specs[b.label] = (bool(b.deferred_file_id), not b.ignore_rerun)

    def _wait_runs(self, since: int, timeout_ms: int = WAIT_MS) -> None:
        """Until a script run finished after `since`. Race-free: Playwright's sync API only
        dispatches events inside its own calls, so none is lost between the check and the wait."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.runs <= since:
            left = deadline - time.monotonic()
            if self.ws is None or left <= 0:
                raise AssertionError(f"{self.page.url}: no script run finished within {timeout_ms / 1000:.0f}s")
            try:
                with self.ws.expect_event("framereceived", predicate=_is_run_end, timeout=left * 1000):
                    pass
            except Exception:  # noqa: BLE001 — timeout or closed socket
                if self.runs <= since:
                    raise AssertionError(f"{self.page.url}: no script run finished within {timeout_ms / 1000:.0f}s") from None

    # ---- waiting
    def settle(self) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            self.page.wait_for_function(READY_JS, timeout=WAIT_MS)
        except PlaywrightTimeout:
            raise AssertionError(f"{self.page.url}: not settled after {WAIT_MS / 1000:.0f}s: "
                                 f"{self.page.evaluate(PENDING_JS)}") from None

    def run(self, action) -> None:
        """Do something that makes Streamlit rerun the script; return when that run has finished and
        the page is drawn."""
        assert self.ws is not None, "no Streamlit websocket: open() the app first"
        since = self.runs
        action()
        self._wait_runs(since)
        self.settle()

    # ---- navigation
    def open(self, path: str = "") -> None:
        since = self.runs
        with self.page.expect_websocket(lambda ws: ws.url.endswith("/_stcore/stream")):
            self.page.goto(f"{self.server.url}/{path.lstrip('/')}")
        self._wait_runs(since)
        self.settle()

    def login(self, username: str, password: str | None = None) -> None:
        """Log in through the 账户 page's form (a new session when the app is not open yet)."""
        from tests.dbs import TEST_PASSWORD
        if self.ws is None:
            self.open("account")
        else:
            self.go("账户")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码", exact=True).fill(password or TEST_PASSWORD)
        self.button("登录")
        self.go("总览")          # a reload would start a new, logged-out session: navigate by the sidebar

    def nav_pages(self) -> list[tuple[str, str]]:
        """(label, href) of every page in the sidebar navigation, in order."""
        more = self.page.get_by_test_id("stSidebarNavViewButton")
        if more.count() and "more" in more.inner_text().lower():
            more.click()
        return [tuple(x) for x in self.page.evaluate("""() => [...document.querySelectorAll('[data-testid="stSidebarNavLink"]')]
            .map(a => [a.innerText.split('\\n').map(s => s.trim()).filter(Boolean).pop(), a.href])""")]

    def go(self, label: str, href: str | None = None) -> None:
        """Click a page in the sidebar (same session: filters, uploads and the login stay). A page that hides
        the navigation (会议模式) is left by its own 退出会议模式 button, else by expanding the sidebar, else
        by its URL (`href`, from an earlier nav_pages(); a new, logged-out session then)."""
        if href is None:
            links = dict(self.nav_pages())
            assert label in links, f"no page “{label}” in the sidebar: {list(links)}"
            href = links[label]
        if self.page.url.rstrip("/") == href.rstrip("/"):
            return
        link = self.page.locator(f'[data-testid="stSidebarNavLink"][href="{href}"]')
        leave = self.page.get_by_role("button", name="退出会议模式")
        if not link.is_visible() and leave.count() and leave.first.is_visible():
            self.run(leave.first.click)         # back to 总览 in the same session
            if self.page.url.rstrip("/") == href.rstrip("/"):
                return
        expand = self.page.get_by_test_id("stExpandSidebarButton")
        if not link.is_visible() and expand.is_visible():
            expand.click()
            try:
                link.wait_for(state="visible", timeout=5_000)
            except Exception:  # noqa: BLE001 — still hidden: go by URL below
                pass
        if link.is_visible():
            self.run(link.click)
        else:
            self.open(href.removeprefix(self.server.url))

    def tabs(self) -> list[str]:
        return [t.strip() for t in self.page.get_by_test_id("stTab").all_inner_texts()]

    def tab(self, name: str) -> None:
        """Tabs switch in the browser (no rerun): wait for the tab to be selected and drawn."""
        t = self.page.get_by_test_id("stTab").filter(has_text=name).first
        t.click()
        self.page.wait_for_function("(t) => t.getAttribute('aria-selected') === 'true'", arg=t.element_handle())
        self.settle()

    # ---- widgets
    def select(self, label: str, option: str) -> None:
        """Pick `option` in the selectbox labelled `label` (no-op if already chosen)."""
        box = self.page.get_by_test_id("stSelectbox").filter(
            has=self.page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True))
        if option in box.inner_text().splitlines():
            return
        box.locator("input").click()
        self.run(self.page.get_by_role("option").filter(has_text=option).first.click)

    def button(self, name: str) -> None:
        self.run(self.page.get_by_role("button", name=name, exact=True).click)

    def upload(self, *paths: Path) -> None:
        inp = self.page.get_by_test_id("stFileUploader").first.locator('input[type="file"]')
        self.run(lambda: inp.set_input_files([str(p) for p in paths]))

    # ---- reading
    def window(self) -> tuple[dt.date, dt.date]:
        """The period shown in the sidebar caption: 统计期：2026-11-01 至 2026-11-25；…"""
        text = self.page.get_by_test_id("stSidebar").inner_text()
        m = re.search(r"统计期：(\d{4}-\d{2}-\d{2}) 至 (\d{4}-\d{2}-\d{2})", text)
        assert m, f"no 统计期 caption in the sidebar:\n{text}"
        return dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])

    def metric(self, label: str) -> int:
        """An integer KPI card's value, e.g. 排查隐患 → 1809."""
        card = self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        assert card.count() == 1, f"{card.count()} KPI cards labelled {label}"
        return int(card.get_by_test_id("stMetricValue").inner_text().replace(",", "").strip())

    def chart_totals(self) -> list[float]:
        """Per visible chart, the sum of its bar values (y, or x for horizontal bars)."""
        return self.page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')]
          .filter(el => el.checkVisibility() && !el.closest('details:not([open])')).map(el => (el._fullData || []).reduce((s, t) => s +
            Array.from((t.orientation === 'h' ? t.x : t.y) || []).reduce((a, v) => a + (Number(v) || 0), 0), 0))""")

    def tables(self) -> list[dict]:
        """Visible tables as the accessible grid shows them: headers, declared row count, drawn rows."""
        return self.page.evaluate("""() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
          .filter(d => d.checkVisibility() && !d.closest('details:not([open])')).map(d => {
            const t = d.querySelector('table[role="grid"]');
            if (!t) return {headers: [], rowcount: 0, colcount: 0, rows: []};
            return {headers: [...t.querySelectorAll('thead th')].map(th => th.innerText.trim()),
                    rowcount: Number(t.getAttribute('aria-rowcount')) - 1,
                    colcount: Number(t.getAttribute('aria-colcount')),
                    rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))};
          })""")

    def alerts(self, kind: str) -> list[str]:
        """Visible st.success / st.info / st.warning / st.error texts (kind = Success, Info, Warning, Error)."""
        loc = self.page.get_by_test_id(f"stAlertContent{kind}")
        return [t.strip() for i, t in enumerate(loc.all_inner_texts()) if loc.nth(i).is_visible()]

    def download(self, button, to: Path, timeout_ms: float = WAIT_MS):
        """Click a download button on an idle, drawn page; return the saved file. A button whose click reruns
        the script (on_click="rerun", Streamlit's default; as the server drew it) is followed by that run; one
        with on_click="ignore" (the app's built-on-click downloads, see ui.widgets.download_file) is not. A
        document built on click (the deck: Chromium renders its charts) may take longer on a loaded machine:
        pass timeout_ms."""
        self.settle()
        label = self.download_label(button)
        _, reruns = self.download_specs.get(label, (False, True))
        since = self.runs
        with self.page.expect_download(timeout=timeout_ms) as dl:
            button.click()
        d = dl.value
        path = to / d.suggested_filename
        d.save_as(path)
        if reruns:
            self._wait_runs(since)
        self.settle()
        return path

    @staticmethod
    def download_label(button) -> str:
        return button.inner_text().split("\n")[-1].strip()

    def rerunning_deferred_downloads(self) -> list[str]:
        """Labels of visible download buttons built on click whose click also reruns the page: Streamlit drops
        the built file when that rerun starts before the file is ready (no download; ui.widgets.download_file)."""
        shown = {self.download_label(b) for b in self.download_buttons()}
        return sorted(l for l, (deferred, reruns) in self.download_specs.items() if deferred and reruns and l in shown)

    def download_buttons(self):
        loc = self.page.get_by_test_id("stDownloadButton").get_by_role("button")
        return [loc.nth(i) for i in range(loc.count()) if loc.nth(i).is_visible()]

    # ---- checks
    def problems(self, expect_errors: bool = False) -> list[str]:
        """What a person would call broken on the page as it is now (empty list = fine)."""
        p = self.page.evaluate(PROBLEMS_JS)
        out = [f"Python exception shown: {e}" for e in p["exceptions"]]
        if p["traceback"]:
            out.append("the page text contains “Traceback”")
        if not expect_errors:
            out += [f"error box: {e}" for e in p["errors"]]
        out += p["charts"]
        title = "h1" if self.page.locator("h1").filter(visible=True).count() else "h2"
        out += self.cjk_problems(title, required=True, what=f"page title ({title})")
        out += self.cjk_problems(".js-plotly-plot .legendtext, .js-plotly-plot .gtitle, .js-plotly-plot .ytick text",
                                 required=False, what="chart text")
        log = self.server.log_text()
        new, self._log_at = log[self._log_at:], len(log)
        if "Traceback" in new:
            at = max(0, new.index("Traceback") - 200)
            out.append("the server logged a traceback:\n" + new[at:at + 3000])
        return out

    def cjk_problems(self, sel: str, required: bool, what: str = "page title (h1)") -> list[str]:
        """Chinese text under `sel` really drawn with a Chinese font (see the module function cjk_problems)."""
        if self._cdp is None:
            self._cdp = cdp_session(self.page)
        return cjk_problems(self.page, self._cdp, sel, required, what)

    # ---- screenshots
    def screenshot(self, name: str) -> Path:
        """The whole page (Streamlit scrolls inside stMain, so grow the viewport to the content)."""
        h = self.page.evaluate("""() => Math.max(...['stMain', 'stSidebarContent'].map(
            id => (document.querySelector(`[data-testid="${id}"]`) || {}).scrollHeight || 0))""")
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        grow = h > VIEWPORT["height"]
        if grow:
            self.page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(h) + 20, 12_000)})
            self.settle()
        self.page.screenshot(path=str(path), animations="disabled", caret="hide")
        if grow:
            self.page.set_viewport_size(VIEWPORT)
            self.settle()
        return path


BLANKS = {"nan", "NaN", "None", "NaT", "<NA>", "null", "#REF!", "#DIV/0!", "#VALUE!", "#N/A"}


def download_problems(path: Path) -> list[str]:
    """A downloaded file a person can open: .xlsx opens in openpyxl with a header and no “nan”/“None”
    cells; .docx is a Word package; .csv decodes; anything else is non-empty."""
    import zipfile
    name = path.name
    if path.stat().st_size == 0:
        return [f"{name}: empty file"]
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl
        try:
            wb = openpyxl.load_workbook(path, read_only=True)
        except Exception as e:  # noqa: BLE001
            return [f"{name}: does not open as Excel: {e}"]
        out = []
        for ws in wb.worksheets:
            rows = [r for r in ws.iter_rows(values_only=True) if any(v not in (None, "") for v in r)]
            if not rows:
                out.append(f"{name}: sheet {ws.title} is empty")
                continue
            bad = sorted({str(v) for r in rows for v in r if isinstance(v, str) and v.strip() in BLANKS})
            if bad:
                out.append(f"{name}: sheet {ws.title} has cells reading {bad}")
        wb.close()
        return out
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(path) as z:
                return [] if "word/document.xml" in z.namelist() else [f"{name}: not a Word document"]
        except zipfile.BadZipFile:
            return [f"{name}: not a Word document"]
    if suffix == ".csv":
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return [] if raw.decode(enc).strip() else [f"{name}: empty CSV"]
            except UnicodeDecodeError:
                continue
        return [f"{name}: CSV in neither UTF-8 nor GB18030"]
    return []


def slug(text: str) -> str:
    return re.sub(r"[^\w\u3400-\u9fff-]+", "_", text).strip("_") or "page"


def cdp_session(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    return cdp


def cjk_problems(page, cdp, sel: str, required: bool, what: str = "page title (h1)") -> list[str]:
    """Chinese text really drawn with a Chinese font, not as missing-glyph boxes (tofu), on any page (the app,
    or a slide composed as HTML — tests/browser/slides.py); `cdp` from cdp_session(page).

    Three independent signals, all must hold:
    1. Chromium itself says which font drew the text (CDP CSS.getPlatformFontsForNode): the
       glyphs drawn by fonts that carry Chinese (Noto Sans CJK, Source Han, WenQuanYi, …) must
       cover every Chinese character of the text node. When no Chinese font is installed, Chromium
       reports the Latin font that drew .notdef boxes (e.g. SourceSans3VF, DejaVu).
    2. Every Chinese character's box (DOM Range rect) has non-zero width.
    3. Canvas: each distinct character, drawn in the element's computed font-family, leaves ink
       and differs pixel-for-pixel from the others and from U+0378 (no font has it): tofu boxes
       are all alike, real glyphs are not. This holds whatever the fallback draws.
    `document.fonts.check()` is not used: it answers true for any installed system font without
    telling whether it has the glyphs."""
    info = page.evaluate(CJK_JS, sel)
    if info is None:
        return [f"{what}: no visible Chinese text found ({sel})"] if required else []
    out = []
    label = f"{what} “{info['text'][:30]}”"
    zero = [c for c, w in info["widths"] if w <= 0.5]
    if zero:
        out.append(f"{label}: characters drawn with zero width: {''.join(zero)}")
    tofu = [g["ch"] for g in info["glyphs"] if g["ink"] == 0 or g["tofu"]]
    if tofu or (len(info["glyphs"]) > 1 and info["distinct"] < len(info["glyphs"])):
        out.append(f"{label}: Chinese characters render as missing-glyph boxes (tofu) in {info['fontFamily']} "
                   f"— install fonts-noto-cjk")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-e2e-cjk]"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"] if node else []
    cjk = sum(f["glyphCount"] for f in fonts if CJK_FONT.search(f["familyName"]) or CJK_FONT.search(f.get("postScriptName", "")))
    if cjk < info["cjkCount"]:
        out.append(f"{label}: {info['cjkCount']} Chinese characters but only {cjk} glyphs drawn by a Chinese font; "
                   f"Chromium used {[(f['familyName'], f['glyphCount']) for f in fonts]} — install fonts-noto-cjk")
    return out
