"""How the browser tests find a Chromium on a fresh machine (commands recorded, nothing installed)."""
from __future__ import annotations

import subprocess

import pytest

from tests.browser import harness


@pytest.fixture
def machine(monkeypatch, tmp_path):
    """A fake machine: where chromium lives, whether we are root, which commands succeed."""
    state = {"chromium": tmp_path / "chromium", "root": True, "apt": True, "fonts": True, "ok": set(), "ran": []}

    def run(cmd, timeout=900):
        state["ran"].append(" ".join(cmd[:4]) if cmd[0] != harness.sys.executable else " ".join(cmd[1:]))
        key = "apt-update" if cmd[:2] == ["apt-get", "update"] else "apt" if cmd[0] == "apt-get" else \
            "fc-list" if cmd[0] == "fc-list" else "playwright"
        if key == "fc-list":
            return subprocess.CompletedProcess(cmd, 0, "Noto Sans CJK SC\n" if state["fonts"] else "", "")
        ok = key in state["ok"]
        if ok and key == "apt" and "chromium" in cmd:
            state["chromium"].write_text("#!/bin/sh\n")
        if ok and key == "apt-update":
            state["ok"].add("apt")
        return subprocess.CompletedProcess(cmd, 0 if ok else 100, "", "" if ok else "E: Unable to locate package")

    monkeypatch.setattr(harness, "DEBIAN_CHROMIUM", state["chromium"])
    monkeypatch.setattr(harness, "_run", run)
    monkeypatch.setattr(harness.os, "geteuid", lambda: 0 if state["root"] else 1000)
    monkeypatch.setattr(harness.shutil, "which", lambda name: f"/usr/bin/{name}" if state["apt"] or name != "apt-get" else None)
    return state


def test_debian_chromium_present_nothing_installed(machine):
    machine["chromium"].write_text("#!/bin/sh\n")
    assert harness.find_chromium()[0] == str(machine["chromium"])
    assert machine["ran"] == ["fc-list :lang=zh family"]


def test_missing_chinese_font_installed_with_apt(machine):
    machine["chromium"].write_text("#!/bin/sh\n")
    machine["fonts"] = False
    machine["ok"].add("apt")
    harness.find_chromium()
    assert any(r.startswith("apt-get install -y -q") for r in machine["ran"]), machine["ran"]


def test_missing_chromium_root_uses_apt_get_with_one_update(machine):
    machine["ok"].add("apt-update")           # install works only after apt-get update
    path, log = harness.find_chromium()
    assert path == str(machine["chromium"])
    assert [r.split()[1] for r in machine["ran"] if r.startswith("apt-get")] == ["install", "update", "install"]
    assert "playwright" not in " ".join(machine["ran"])


def test_missing_chromium_not_root_uses_playwright_build(machine):
    machine["root"] = False
    machine["ok"].add("playwright")
    path, log = harness.find_chromium()
    assert path is None                        # = Playwright's own Chromium
    assert machine["ran"] == ["-m playwright install chromium"]
    assert any("not root" in line for line in log)


def test_nothing_works_names_what_to_install(machine):
    machine["apt"] = False
    with pytest.raises(RuntimeError) as e:
        harness.find_chromium()
    msg = str(e.value)
    assert "apt-get install chromium fonts-noto-cjk" in msg and "playwright install" in msg and "SKIP_BROWSER=1" in msg


def test_download_check_flags_broken_files_and_nan_cells(tmp_path):
    from tests.builders import xlsx
    good = xlsx(tmp_path / "good.xlsx", {"数据": [["单位", "隐患编号"], ["陇原电力有限公司", "LY-01"]]})
    nan = xlsx(tmp_path / "nan.xlsx", {"数据": [["单位", "整改完成日期"], ["陇原电力有限公司", "NaT"], ["x", "nan"]]})
    (tmp_path / "broken.xlsx").write_bytes(b"not excel")
    (tmp_path / "empty.csv").write_bytes(b"")
    assert harness.download_problems(good) == []
    assert "['NaT', 'nan']" in harness.download_problems(nan)[0]
    assert "does not open as Excel" in harness.download_problems(tmp_path / "broken.xlsx")[0]
    assert harness.download_problems(tmp_path / "empty.csv") == ["empty.csv: empty file"]
