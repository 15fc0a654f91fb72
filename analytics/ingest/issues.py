"""What the checks report: every problem of a file, with where it is and why (in Chinese).

Modelled on pandera's lazy validation: the pipeline collects every issue of a file and
reports them all at once. An 错误 (error) rejects the file; a 警告 (warning) is kept with
the batch and shown, but does not block.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "错误"
WARNING = "警告"

# Reason codes → the Chinese explanation shown to the user (docs/ingest.md lists them too).
REASONS: dict[str, str] = {
    "unreadable": "文件无法读取",
    "no_ledger": "未识别出任何台账（表头与已知台账不符）",
    "empty_ledger": "台账没有数据行，也未写明填报单位",
    "missing_column": "缺少必填列",
    "missing_value": "必填项为空",
    "error_cell": "单元格为错误值",
    "bad_date": "日期无法识别",
    "bad_number": "数值无法识别",
    "negative": "数值不能为负",
    "bad_vocab": "取值不在允许范围内",
    "bad_target": "控制目标无法识别",
    "no_company": "无法确定所属单位",
    "unknown_company": "单位未登记",
    "company_conflict": "文件中写明的单位与上传时选择的单位不一致",
    "month_not_day": "填写的是月份，不是具体日期",
    "ambiguous_status": "整改状态含义不明确",
    "rectified_without_date": "状态为已整改，但缺少整改完成日期",
    "date_with_open_status": "填写了整改完成日期，但状态为未整改",
    "duplicate_key": "同一文件中编号重复",
    "passed_over_attended": "考核合格人数大于实参训人数",
    "rectified_before_found": "整改完成日期早于发现日期",
    "bad_period": "报送期间格式不对（应为 YYYY-MM）",
    "control_char": "单元格含不可见的控制字符（如从其他系统复制时带入），请删除后重新上传",
    "access_denied": "无权导入",
    # warnings
    "deadline_before_found": "整改期限早于发现日期",
    "attended_over_planned": "实参训人数大于应参训人数",
    "future_date": "日期晚于上传当天",
    "major_incomplete": "重大隐患“五落实”信息不全",
    "duplicate_key_across_sheets": "编号在多个工作表中出现，以后一个工作表为准",
    "reported_before_occurred": "上报时间早于事故发生时间",
    "hidden_sheet": "隐藏工作表已跳过",
    "sheet_skipped": "工作表未识别为台账，已跳过",
    "serial_number_as_key": "“编号”列是顺序号（1、2、3…），不作为台账编号使用",
    "report_date_only": "上报时间只填了日期，无法判断是否迟报",
    "report_time_missing": "未填写上报时间，无法判断是否迟报",
}


@dataclass(frozen=True)
class Issue:
    level: str            # 错误 | 警告
    code: str             # a key of REASONS
    message: str          # the reason in Chinese, specific to this cell
    sheet: str | None = None
    row: int | None = None        # row number as Excel shows it (1-based)
    column: str | None = None     # the header text as in the file (or the field label)
    value: str | None = None      # the value seen
    col: int | None = None        # 0-based column index in the sheet (for annotating the cell)

    @property
    def cell(self) -> str | None:
        """The cell reference as Excel shows it (F7), when both row and column are known."""
        if self.row is None or self.col is None:
            return None
        return f"{column_letter(self.col)}{self.row}"

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self, file: str = "") -> str:
        """One line for the command line: file, sheet, row, column, value, reason."""
        parts = [file, self.sheet or "-", f"第{self.row}行" if self.row else "-", self.column or "-",
                 repr(self.value) if self.value not in (None, "") else "-", f"{self.level}：{self.message}"]
        return "\t".join(parts)


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    n = col + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def error(code: str, detail: str | None = None, **where) -> Issue:
    return Issue(ERROR, code, detail or REASONS[code], **where)


def warning(code: str, detail: str | None = None, **where) -> Issue:
    return Issue(WARNING, code, detail or REASONS[code], **where)
