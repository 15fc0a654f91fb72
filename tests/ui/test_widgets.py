"""ui/widgets.py: what the upload page's error tables show."""
from __future__ import annotations

from analytics.ingest.issues import error, warning
from ui.widgets import issues_view


def test_a_file_level_error_shows_no_empty_places():
    """未识别出台账 has no sheet, row or cell: the table showed "None" in five columns."""
    df = issues_view([error("no_ledger", "未在文件中识别出任何台账")])
    assert list(df.columns) == ["级别", "原因"] and df.values.tolist() == [["错误", "未在文件中识别出任何台账"]]


def test_cell_errors_keep_their_places_and_an_empty_cell_says_so():
    df = issues_view([error("bad_vocab", "“特大”不是允许的取值", sheet="11月", row=5, column="隐患等级", value="特大", col=7),
                      error("missing_value", sheet="11月", row=6, column="隐患描述", value=None, col=2)])
    assert list(df.columns) == ["级别", "工作表", "行号", "单元格", "列", "单元格内容", "原因"]
    assert df["行号"].tolist() == [5, 6] and df["单元格"].tolist() == ["H5", "C6"]   # numbers: sortable
    assert df["单元格内容"].tolist() == ["特大", "（空）"]


def test_a_mix_leaves_blank_what_an_issue_lacks():
    df = issues_view([warning("hidden_sheet", sheet="备用"),
                      error("bad_date", "“2026-13-45”不是有效日期", sheet="11月", row=6, column="发现日期",
                            value="2026-13-45", col=2)])
    assert df[["工作表", "行号", "单元格", "列", "单元格内容"]].values.tolist() == [
        ["备用", "", "", "", ""], ["11月", "6", "C6", "发现日期", "2026-13-45"]]
    assert not df.isna().any().any()
