"""Ledger specifications: every ledger, its fields, header synonyms and vocabularies.

This is the one place where a ledger column is defined (DOMAIN.md §1). The reading,
header-detection, mapping, normalising and loading steps all read these specs; the
database tables are generated from them (analytics/schema.py).

Field kinds:
  text      free text                      date      a calendar day
  datetime  a moment (accidents)           month     a month (stored as its first day)
  year      a year                         int       a non-negative whole number
  number    a non-negative amount          flag      是/否
  enum      a closed vocabulary (row error otherwise)
  open_enum a suggested vocabulary (other text kept as given)
  target    an indicator target in words ("不低于95%") → comparator + value
  company   a company name, matched against the registry
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    name: str
    label: str                      # canonical Chinese header (templates, error messages)
    synonyms: tuple[str, ...]       # header words seen in practice (label included)
    kind: str = "text"
    required: bool = False
    vocab: str | None = None        # key into VOCABULARIES for enum/open_enum
    context: bool = False           # may instead come from the title line, sheet name or upload form


@dataclass(frozen=True)
class Ledger:
    name: str                       # table name: hazards, accidents, …
    label: str                      # 隐患排查治理台账 …
    semantics: str                  # entity | flow | keyed  (DOMAIN.md §2)
    fields: tuple[Field, ...]
    date_field: str                 # the field that places a row in a month
    title_words: tuple[str, ...] = field(default=())  # words naming the ledger in a title line

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Required fields that must have a column (the others may come from the title or form)."""
        return tuple(f.name for f in self.fields if f.required and not f.context)


COMPANY = Field("company", "单位名称",
                ("单位", "单位名称", "公司", "公司名称", "所属单位", "被检查单位", "填报单位"),
                "company", required=True, context=True)

# ---------------------------------------------------------------- vocabularies
# Each vocabulary maps a canonical value to the raw spellings seen in files (the
# canonical value itself always matches). Matching ignores spaces and width.
VOCABULARIES: dict[str, dict[str, tuple[str, ...]]] = {
    "hazard_level": {
        "一般": ("一般隐患", "一般事故隐患", "一般隐患Ⅰ级", "一般隐患Ⅱ级", "一般隐患I级", "一般隐患II级",
               "一般Ⅰ级", "一般Ⅱ级", "一般隐患1级", "一般隐患2级"),
        "重大": ("重大隐患", "重大事故隐患"),
    },
    "hazard_status": {
        "已整改": ("已整改", "已完成", "完成", "整改完成", "已销号", "已验收", "是", "√", "✓", "✔"),
        "未整改": ("未整改", "整改中", "正在整改", "未完成", "否", "×", "✗", "✘"),
    },
    "hazard_source": {
        "公司自查": ("自查", "公司自查", "单位自查", "日常检查", "自检"),
        "集团督查": ("集团督查", "集团检查", "集团公司检查", "集团督导"),
        "第三方检查": ("第三方检查", "第三方", "安全技术咨询公司", "专家检查"),
        "专项检查": ("专项检查", "冬季安全生产大检查", "专项整治", "安全大检查"),
        "上级检查": ("上级检查", "政府检查", "行业主管部门检查", "应急管理局检查"),
    },
    "hazard_category": {
        c: () for c in ("消防安全", "用电安全", "特种设备", "危险化学品", "高处作业", "有限空间", "动火作业",
                        "机械设备", "建筑施工", "交通运输", "职业健康", "应急管理", "安全管理", "其他")
    },
    "accident_type": {
        **{c: () for c in ("物体打击", "车辆伤害", "机械伤害", "起重伤害", "触电", "淹溺", "灼烫", "火灾",
                           "高处坠落", "坍塌", "冒顶片帮", "透水", "放炮", "火药爆炸", "瓦斯爆炸", "锅炉爆炸",
                           "容器爆炸", "中毒和窒息")},
        "其它爆炸": ("其他爆炸",),
        "其它伤害": ("其他伤害", "其它", "其他"),
    },
    "training_kind": {
        c: () for c in ("主要负责人", "安全管理人员", "特种作业人员", "三级安全教育", "全员培训", "其他")
    },
    "investment_category": {
        c: () for c in ("安全设施", "安全培训", "应急管理", "劳动防护", "隐患治理", "安全评价", "其他")
    },
    "flag": {
        "是": ("是", "√", "✓", "✔", "y", "yes", "已", "已落实", "已查清", "已处理", "已吸取", "已完成"),
        "否": ("否", "×", "✗", "✘", "n", "no", "未", "未落实", "未查清", "未处理", "未完成"),
    },
}
# 安全管理(制度/台账/培训) is written with its details in the domain text; they map to 安全管理.
VOCABULARIES["hazard_category"]["安全管理"] = ("安全管理(制度/台账/培训)", "安全管理制度", "台账", "制度")

# -------------------------------------------------------------------- ledgers
HAZARDS = Ledger(
    "hazards", "隐患排查治理台账", "entity",
    (
        COMPANY,
        Field("hazard_no", "隐患编号", ("隐患编号", "编号", "隐患编码")),
        Field("found_date", "发现日期", ("发现日期", "排查日期", "检查日期", "发现时间", "排查时间", "检查时间"),
              "date", required=True),
        Field("source", "检查类型", ("检查类型", "隐患来源", "检查形式", "排查方式", "检查类别"),
              "open_enum", vocab="hazard_source"),
        Field("location", "隐患部位", ("隐患部位", "隐患地点", "部位", "地点", "所在部位", "区域")),
        Field("description", "隐患描述", ("隐患描述", "隐患内容", "存在问题", "问题描述", "隐患情况", "隐患名称"),
              required=True),
        Field("category", "隐患类别", ("隐患类别", "隐患类型", "类别", "类型", "专业", "隐患分类"),
              "open_enum", vocab="hazard_category"),
        Field("level", "隐患等级", ("隐患等级", "隐患级别", "级别", "等级"), "enum", required=True,
              vocab="hazard_level"),
        Field("measures", "整改措施", ("整改措施", "治理措施", "整改要求", "整改意见")),
        Field("owner", "整改责任人", ("整改责任人", "责任人", "整改负责人", "责任部门/责任人")),
        Field("deadline", "整改期限", ("整改期限", "整改时限", "要求完成时间", "计划完成时间", "整改完成期限"),
              "date", required=True),
        Field("funds", "整改资金（万元）", ("整改资金", "治理资金", "资金"), "number"),
        Field("status", "整改状态", ("整改状态", "状态", "整改情况", "是否整改", "整改结果"), "enum",
              required=True, vocab="hazard_status"),
        Field("rectified_date", "整改完成日期", ("整改完成日期", "实际完成时间", "完成日期", "完成时间", "销号日期"),
              "date"),
        Field("verifier", "验收人", ("验收人", "复查人", "验收负责人")),
        Field("remarks", "备注", ("备注",)),
    ),
    date_field="found_date",
    title_words=("隐患排查治理台账", "隐患排查", "隐患台账", "隐患治理"),
)

ACCIDENTS = Ledger(
    "accidents", "生产安全事故台账", "entity",
    (
        COMPANY,
        Field("accident_no", "事故编号", ("事故编号", "编号")),
        Field("occurred_at", "事故发生时间", ("事故发生时间", "发生时间", "事故时间", "发生日期", "事故发生日期"),
              "datetime", required=True),
        Field("reported_at", "上报时间", ("上报时间", "报告时间", "上报日期"), "datetime"),
        Field("type", "事故类别", ("事故类别", "事故类型"), "enum", required=True, vocab="accident_type"),
        Field("description", "事故简要经过", ("事故经过", "事故简要经过", "事故概况", "事故简况")),
        Field("deaths", "死亡人数", ("死亡人数", "死亡"), "int", required=True),
        Field("serious_injuries", "重伤人数", ("重伤人数", "重伤"), "int"),
        Field("minor_injuries", "轻伤人数", ("轻伤人数", "轻伤"), "int"),
        Field("direct_loss", "直接经济损失（万元）", ("直接经济损失", "经济损失"), "number"),
        Field("cause_found", "原因查清", ("原因查清", "原因是否查清"), "flag"),
        Field("responsibility_handled", "责任人处理", ("责任人处理", "责任人是否处理", "责任追究"), "flag"),
        Field("measures_done", "整改措施落实", ("整改措施落实", "整改措施是否落实", "防范措施落实"), "flag"),
        Field("lessons_learned", "教训吸取", ("教训吸取", "员工受教育", "教训吸取/员工受教育", "是否受教育"), "flag"),
    ),
    date_field="occurred_at",
    title_words=("事故台账", "生产安全事故"),
)

TRAINING = Ledger(
    "training", "安全教育培训台账", "flow",
    (
        COMPANY,
        Field("date", "培训日期", ("培训日期", "培训时间"), "date", required=True),
        Field("topic", "培训内容", ("培训内容", "培训主题", "培训项目")),
        Field("kind", "培训类别", ("培训类别", "培训对象", "培训类型"), "open_enum", vocab="training_kind"),
        Field("planned", "应参训人数", ("应参训人数", "应参加人数", "应培训人数"), "int", required=True),
        Field("attended", "实参训人数", ("实参训人数", "实际参训人数", "参训人数", "实参加人数"), "int",
              required=True),
        Field("passed", "考核合格人数", ("考核合格人数", "合格人数"), "int"),
        Field("hours", "学时", ("学时", "培训学时"), "number"),
    ),
    date_field="date",
    title_words=("培训台账", "教育培训"),
)

INVESTMENT = Ledger(
    "investment", "安全生产投入台账", "flow",
    (
        COMPANY,
        Field("month", "月份", ("月份", "年月", "投入月份", "日期"), "month", required=True, context=True),
        Field("item", "投入项目", ("投入项目", "项目", "项目名称")),
        Field("category", "投入类别", ("投入类别", "类别"), "open_enum", vocab="investment_category"),
        Field("planned", "计划投入（万元）", ("计划投入", "计划金额", "计划投入金额"), "number", required=True),
        Field("actual", "实际投入（万元）", ("实际投入", "实际金额", "实际投入金额"), "number", required=True),
    ),
    date_field="month",
    title_words=("安全生产投入", "安全投入", "安全费用"),
)

INDICATORS = Ledger(
    "indicators", "安全生产目标责任书指标", "keyed",
    (
        COMPANY,
        Field("year", "年度", ("年度", "考核年度", "年份"), "year", required=True, context=True),
        Field("indicator", "指标名称", ("指标名称", "考核指标", "指标"), required=True),
        Field("target", "控制目标", ("目标值", "控制目标", "目标", "控制指标"), "target", required=True),
        Field("unit", "计量单位", ("计量单位",)),
        Field("actual", "完成值", ("实际值", "完成值", "完成情况"), "number"),
        Field("weight", "权重", ("权重", "分值"), "number"),
    ),
    date_field="year",
    title_words=("目标责任书", "控制指标", "考核指标"),
)

LEDGERS: dict[str, Ledger] = {lg.name: lg for lg in (HAZARDS, ACCIDENTS, TRAINING, INVESTMENT, INDICATORS)}

# Business key of each entity/keyed ledger: the fields that identify a record within a company.
# hazard_no / accident_no may be missing; then the key is a stable hash of the fallback fields.
KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "hazards": (("hazard_no",), ("found_date", "location", "description")),
    "accidents": (("accident_no",), ("occurred_at", "type", "description")),
    "indicators": (("year", "indicator"), ("year", "indicator")),
}
