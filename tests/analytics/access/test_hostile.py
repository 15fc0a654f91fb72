"""Nothing a ledger's text can do: control characters, path names, markup in names and texts (issue 10)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import plotly.graph_objects as go
import pytest

from analytics import cli
from analytics.companies import add_company
from analytics.ingest.pipeline import ingest_file
from analytics.textnorm import safe_filename
from tests.builders import HAZARD_HEADER, golden_hazard_rows, xlsx
from tests.dbs import GOLDEN_TODAY, registry_store
from ui import safe

HOSTILE = ["![x](http://127.0.0.1:9/leak.png)", "[点我](http://evil.example/)", "<img src=http://evil.example/a.png>",
           "<b>粗</b><script>alert(1)</script>", ":red[假警报] :material/home:", "www.evil.example 与 a@evil.example",
           "=HYPERLINK(\"http://evil.example\",\"x\")", "# 标题", "- 列表", "1. 列表", "`代码`", "$x^2$", "| a | b |"]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_shows_markup_as_text(text):
    out = safe.md(text)
    assert "<" not in out and "](" not in out and "![" not in out.replace("\\!\\[", "")
    assert "www." not in out and not out.startswith(("#", "- ", "1."))


def test_label_escapes_plotly_markup_and_unlabel_restores_it():
    fig = go.Figure(go.Bar(x=["<a href='http://evil'>甲</a>", "乙&丙"], y=[1, 2], name="<b>x</b>",
                           customdata=[["<img>"], ["ok"]]))
    safe.figure(fig)
    assert list(fig.data[0].x) == ["&lt;a href='http://evil'&gt;甲&lt;/a&gt;", "乙&amp;丙"]
    assert fig.data[0].name == "&lt;b&gt;x&lt;/b&gt;" and fig.data[0].customdata[0][0] == "&lt;img&gt;"
    assert safe.unlabel(fig.data[0].x[1]) == "乙&丙"


@pytest.mark.parametrize("name,expected", [("../../../X通报.docx", "X通报.docx"), ("a/b\\c.docx", "a_b_c.docx"),
                                           ("..", "文件"), ("x\x01y.docx", "xy.docx"), ("陇原电力_通报.docx", "陇原电力_通报.docx")])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_bulletin_for_a_company_named_like_a_path_stays_in_out(tmp_path, capsys):
    db = str(tmp_path / "b.duckdb")
    s = registry_store(db)
    add_company(s, "../../../X")
    s.close()
    from analytics.store import db as dbm
    dbm._STORES.clear()
    out = tmp_path / "a" / "b" / "c"
    assert cli.main(["--db", db, "bulletin", "../../../X", "--to", "2026-10-31", "--out", str(out)]) == 0
    written = [p for p in tmp_path.rglob("*.docx")]
    assert len(written) == 1 and written[0].parent == out, written


def test_a_control_character_in_a_cell_rejects_the_file_with_a_message(tmp_path):
    s = registry_store()
    rows = golden_hazard_rows()
    rows[3][5] = "配电箱\x01未张贴警示标识"
    rows[4][9] = "李四\x1b[31m"
    import csv   # a spreadsheet cannot hold \x01 (openpyxl refuses it); a CSV export from another system can
    path = tmp_path / "陇原电力2026年10月隐患台账.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[v.isoformat() if isinstance(v, dt.date) else v for v in r] for r in rows])
    res = ingest_file(s, path, today=GOLDEN_TODAY)
    assert res.status == "rejected" and s.scalar("SELECT count(*) FROM batches") == 0
    cc = [e for e in res.errors if e.code == "control_char"]
    assert [(e.row, e.column, e.value) for e in cc] == [(4, "隐患描述", "配电箱\\x01未张贴警示标识"),
                                                         (5, "整改责任人", "李四\\x1b[31m")]
    assert "控制字符" in cc[0].message


def test_control_characters_in_names_are_refused():
    from analytics.companies import CompanyError
    from analytics.access import users
    s = registry_store()
    with pytest.raises(CompanyError, match="控制字符"):
        add_company(s, "坏\x07公司")
    with pytest.raises(users.UserError, match="控制字符"):
        users.add_user(s, "x", "bad\x00name", "浏览", password="abc12345x")


def test_users_cli_add_list_disable_reset(tmp_path, capsys, monkeypatch):
    import io
    db = str(tmp_path / "u.duckdb")
    monkeypatch.setattr("sys.stdin", io.StringIO("chushi-mima-1\n"))
    assert cli.main(["--db", db, "users", "add", "guanli", "--role", "管理", "--display-name", "王管理"]) == 0
    assert "首次登录须修改密码" in capsys.readouterr().out
    assert cli.main(["--db", db, "users", "list"]) == 0
    assert "guanli" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("duan\n"))
    assert cli.main(["--db", db, "users", "reset", "guanli"]) == 2
    assert "至少 8 位" in capsys.readouterr().err
    assert cli.main(["--db", db, "users", "disable", "guanli"]) == 0
    assert cli.main(["--db", db, "users", "add", "x", "--role", "超级"]) == 2
    from analytics.store.db import get_store
    rows = get_store(db).rows("SELECT actor, action FROM audit_log ORDER BY id")
    assert [a for _, a in rows] == ["user_add", "user_disable"] and rows[0][0].startswith("命令行:")


def test_cli_ingest_is_audited_under_the_os_account(tmp_path, capsys):
    from tests.dbs import golden_file
    db = str(tmp_path / "i.duckdb")
    registry_store(db).close()
    from analytics.store import db as dbm
    dbm._STORES.clear()
    assert cli.main(["--db", db, "ingest", str(golden_file(tmp_path)), "--by", "安全部 李四"]) == 0
    from analytics.store.db import get_store
    s = get_store(db)
    assert s.scalar("SELECT uploaded_by FROM batches").startswith("安全部 李四（命令行:")
    assert s.rows("SELECT action, outcome FROM audit_log")[-1] == ("upload", "成功")
