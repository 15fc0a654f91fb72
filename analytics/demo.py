"""Deterministic demo ledgers for a fictitious company group (安全生产台账演示数据).

Eight subsidiaries, 24 months (2024-12 … 2026-11, last data day ``DEMO_END``), written as the
Excel files subsidiaries really send: one cumulative workbook per company and ledger
(隐患排查治理台账, 生产安全事故台账, 安全教育培训台账, 安全生产投入台账) plus one group workbook
``目标责任书指标.xlsx``. The product loads them through its normal ingest, so every file obeys
DOMAIN.md: a title line, a "填报单位：… 填报日期：…" line, the header row (a two-row merged
header for one company), the data rows, a blank row and a signature line; dates are real
Excel date cells.

The story the data tells (see ``STORY``):
  * 祁连矿业 (mining) is the red company: most hazards, the worst rectification (overdue open
    hazards, an overdue open 重大隐患), a 较大 accident with 3 deaths 14 months before the end,
    a serious injury this year that was reported late, and a 2025 hazard-rectification rate
    reported far better than its own ledger shows.
  * 黄河化工 (chemicals) is amber: many hazards, rectification, on-time rectification and training
    a little below target, open 重大隐患 still within their deadline, a minor accident in 2026-05.
  * 陇原电力 is amber as well: a minor accident on 2026-10-26 whose "四不放过" is not closed yet
    (责任人处理, 整改措施落实, 教训吸取 still 否).
  * The others are green in the current year (金城建设 had one minor accident in 2026-03, closed).
    2025 was the bad year: besides 祁连矿业's 较大 accident (2025-09-01, 3 deaths), 陇原电力,
    黄河化工, 金城建设 (a serious injury reported late) and 丝路物流 had injury accidents; 丝路物流
    reported a 2025 direct loss (8.5 万元) smaller than its ledger shows (above its 10 万元 limit).
  * 敦煌文旅 reported zero hazards in 2026-02 (零隐患上报 — a month to question).
  * Seasonality: more hazards in winter (冬季安全生产大检查, Dec–Jan), in June (安全生产月)
    and before holidays (Sep, before 国庆), fewer in February (春节); 集团督查 twice a year per
    company, quarterly 第三方检查 in the high-risk companies, yearly 上级检查.

Determinism: only ``random.Random`` instances seeded from (seed, company, ledger) are used,
no clock; the files are written with xlsxwriter with a fixed document date, so the same seed
gives byte-identical files (and therefore identical cell values).

This module never imports streamlit.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import pathlib
import random
from dataclasses import dataclass, field

import xlsxwriter

# ============================================================================ data lists

COMPANIES: list[tuple[str, list[str]]] = [
    ("陇原电力有限公司", ["陇原电力", "陇原电力公司"]),
    ("河西新能源有限公司", ["河西新能源"]),
    ("金城建设工程有限公司", ["金城建设", "金城建工"]),
    ("祁连矿业有限责任公司", ["祁连矿业"]),
    ("黄河化工有限公司", ["黄河化工"]),
    ("丝路物流有限公司", ["丝路物流"]),
    ("敦煌文旅发展有限公司", ["敦煌文旅"]),
    ("陇南水务有限公司", ["陇南水务"]),
]

DEMO_END = dt.date(2026, 11, 25)

RED_COMPANY = "祁连矿业有限责任公司"
AMBER_COMPANY = "黄河化工有限公司"
ZERO_HAZARD_COMPANY = "敦煌文旅发展有限公司"
ZERO_HAZARD_MONTHS_BEFORE_END = 9          # 2026-02 for DEMO_END
TWO_ROW_HEADER_COMPANY = "金城建设工程有限公司"
MAJOR_ACCIDENT_MONTHS_BEFORE_END = 14      # 2025-09 for DEMO_END

HAZARD_CATEGORIES = ("消防安全", "用电安全", "特种设备", "危险化学品", "高处作业", "有限空间", "动火作业",
                     "机械设备", "建筑施工", "交通运输", "职业健康", "应急管理", "安全管理", "其他")

# (description, measures[, location keywords]) per category — the everyday hazards every company finds.
# With keywords, the hazard is placed at a location whose name contains one of them (if the company has one).
Desc = tuple  # (description, measures) or (description, measures, keywords)
DESCRIPTIONS: dict[str, list[Desc]] = {
    "消防安全": [
        ("灭火器压力不足", "更换或重新充装灭火器，纳入月度巡检"),
        ("消防通道被杂物占用", "立即清理杂物，保持消防通道畅通"),
        ("应急照明灯损坏不亮", "更换应急照明灯具，定期测试"),
        ("安全出口指示标志不亮", "维修更换疏散指示标志"),
        ("室内消火栓箱内水带缺失", "配齐消火栓水带、水枪"),
        ("消防水泵未定期启泵试验", "按规定定期启泵试验并做好记录", ("泵", "水厂", "锅炉房", "中心", "仓库")),
        ("灭火器未按月检查，检查卡填写不全", "落实每月灭火器巡检并签字确认"),
        ("防火门闭门器损坏，防火门处于常开状态", "维修闭门器，保持防火门常闭"),
        ("电缆沟防火封堵不严", "采用防火材料重新封堵", ("配电", "kV", "升压", "开关室", "变电所", "储能")),
    ],
    "用电安全": [
        ("配电箱未张贴警示标识", "张贴“当心触电”警示标识"),
        ("配电箱门锁损坏，箱门未关闭", "更换门锁，配电箱上锁管理"),
        ("临时用电线路私拉乱接", "拆除私接线路，按规范架设临时用电", ("楼", "施工", "项目", "生活区", "检修", "机修", "营地", "加工")),
        ("电缆绝缘层破损", "更换破损电缆，做好绝缘处理"),
        ("漏电保护器试跳不动作", "更换漏电保护器，定期试跳"),
        ("设备金属外壳未可靠接地", "设置可靠接地并测试接地电阻"),
        ("配电室未配备绝缘垫、绝缘手套", "配齐绝缘防护用具并定期检验", ("配电", "kV", "升压", "开关室", "变电所")),
        ("插座板串接使用，线路超负荷", "拆除串接插座，合理分配负荷"),
        ("配电柜内积尘严重，接线端子发热", "停电清扫，紧固接线端子"),
    ],
    "特种设备": [
        ("起重机钢丝绳断丝超标", "更换钢丝绳，加强日常点检", ("车间", "汽机房", "塔吊", "钢筋", "机房", "备品")),
        ("叉车未定期检验", "联系特检机构检验，检验合格前停止使用", ("仓库", "叉车", "库", "装卸", "分拣")),
        ("压力容器安全阀超期未校验", "拆下送检，校验合格后安装", ("空压", "锅炉", "合成", "制氢", "空分", "汽机房", "储罐")),
        ("压力表超期未检定", "更换检定合格的压力表", ("空压", "锅炉", "合成", "精馏", "制氢", "空分", "泵", "循环水", "机房")),
        ("电梯维保记录不全", "督促维保单位补全维保记录", ("办公楼", "综合楼", "客房楼", "服务中心", "中控室")),
        ("桥式起重机限位器失灵", "维修限位器，试验合格后使用", ("车间", "汽机房", "机房", "加工")),
        ("特种设备作业人员证件过期", "停止其作业，组织复审取证"),
        ("吊索具无标识、未定期检查", "对吊索具编号标识，建立检查台账", ("车间", "汽机房", "塔吊", "钢筋", "机房", "备品", "装卸", "材料")),
    ],
    "危险化学品": [
        ("危险化学品未分类存放", "按性质分类分区存放"),
        ("化学品储存场所未张贴安全技术说明书", "张贴安全技术说明书及安全周知卡"),
        ("气瓶未固定，未设防倾倒措施", "加装气瓶防倒链", ("检修", "机修", "维修", "钢筋", "材料", "化验", "备品")),
        ("乙炔瓶与氧气瓶间距不足5米", "调整存放位置，保持安全间距", ("检修", "机修", "维修", "钢筋", "材料", "备品")),
        ("危化品出入库台账记录不全", "完善出入库登记台账"),
        ("可燃气体报警器未定期校验", "委托有资质单位校验", ("罐区", "燃油", "制氢", "厨房", "合成", "精馏", "危化", "锅炉")),
        ("洗眼器无水或损坏", "维修洗眼器并定期放水测试", ("化学", "化验", "加药", "加氯", "危化", "合成", "罐区", "浮选", "储能")),
    ],
    "高处作业": [
        ("高处作业人员未系挂安全带", "立即纠正，加强现场监护和教育"),
        ("作业平台防护栏杆缺失", "按标准恢复防护栏杆及挡脚板"),
        ("爬梯护笼锈蚀变形", "修复或更换爬梯护笼", ("风机", "罐区", "池", "锅炉", "脱硫", "循环水", "浮选")),
        ("脚手架连墙件缺失", "按方案补设连墙件，验收后使用", ("楼", "锅炉", "脱硫", "施工")),
        ("脚手架未挂验收合格牌即投入使用", "组织验收并挂牌后使用", ("楼", "锅炉", "脱硫", "施工", "舞台", "车间")),
        ("屋面作业未设置安全生命线", "设置安全生命线，作业人员全程系挂"),
        ("移动式脚手架脚轮未锁止", "作业前锁止脚轮并设专人监护"),
    ],
    "有限空间": [
        ("有限空间作业未进行气体检测", "严格执行“先通风、再检测、后作业”"),
        ("有限空间未设置安全警示标识", "设置有限空间安全警示标识"),
        ("有限空间作业无专人监护", "落实作业审批和专人监护"),
        ("有限空间救援器材配备不足", "配备正压式空气呼吸器、三脚架等救援器材"),
        ("有限空间管理台账未及时更新", "重新辨识并更新有限空间台账"),
        ("井盖、人孔未上锁管理", "加装锁具，实行钥匙管理", ("池", "污水", "管网", "泵站", "道路", "卸煤", "循环水")),
    ],
    "动火作业": [
        ("动火作业未办理动火作业票", "停止作业，办理审批后方可作业"),
        ("动火点周边可燃物未清理", "清理可燃物，配备灭火器材"),
        ("动火作业无监火人", "安排专职监火人全程监护"),
        ("电焊机二次线破损", "更换焊接线缆，规范接线", ("检修", "机修", "维修", "钢筋", "施工", "楼", "抢修")),
        ("动火作业前未进行可燃气体分析", "按规定进行气体分析并记录"),
        ("动火作业票安全措施未逐项确认", "规范填写作业票，逐项确认安全措施"),
    ],
    "机械设备": [
        ("皮带机防护罩缺失", "恢复安装防护罩", ("输煤", "卸煤", "破碎", "选矿", "分拣", "污泥")),
        ("设备旋转部位未设防护罩", "加装防护罩"),
        ("皮带机急停拉绳开关失效", "维修急停开关并试验", ("输煤", "卸煤", "破碎", "选矿", "分拣")),
        ("砂轮机防护罩缺失，托架间隙过大", "恢复防护罩，调整托架间隙不大于3mm", ("检修", "机修", "维修", "钢筋加工", "抢修")),
        ("设备检修未执行挂牌上锁", "严格执行能量隔离挂牌上锁制度"),
        ("钻床操作人员戴手套作业", "现场纠正，加强岗位教育", ("检修", "机修", "维修", "抢修")),
        ("设备安全操作规程未上墙", "制作安全操作规程并上墙"),
    ],
    "建筑施工": [
        ("基坑临边防护不到位", "设置临边防护栏杆及警示标志", ("基坑", "施工", "楼")),
        ("塔吊基础积水", "清理积水，完善排水设施", ("塔吊",)),
        ("施工现场材料堆放超高", "整理材料，控制堆放高度"),
        ("模板支撑体系未按方案搭设", "按专项方案整改并经验收", ("楼", "施工", "项目", "模板")),
        ("楼层洞口未设置防护盖板", "设置固定盖板并标识"),
        ("施工升降机防坠安全器超期未检测", "送检防坠安全器，合格后使用", ("升降机",)),
        ("外架安全网破损未更换", "更换破损安全网", ("楼", "施工")),
    ],
    "交通运输": [
        ("车辆未按规定进行年检", "立即安排车辆年检", ("车队", "道路", "停车场", "观光车", "维修", "项目")),
        ("驾驶员超速行驶", "约谈驾驶员，加强卫星定位监控", ("车队", "道路", "排土场", "观光车", "运输巷")),
        ("厂区道路限速标志缺失", "增设限速标志", ("道路", "停车场", "项目")),
        ("车载灭火器过期", "更换车载灭火器"),
        ("货物装载未捆扎固定", "重新捆扎加固货物", ("车队", "装卸", "道路", "材料", "备品")),
        ("驾驶员连续驾驶超过4小时未休息", "合理安排行程，严禁疲劳驾驶", ("车队",)),
        ("车辆轮胎磨损超限", "更换轮胎", ("车队", "道路", "停车场", "排土场", "观光车", "维修")),
    ],
    "职业健康": [
        ("噪声作业场所未设置职业病危害告知卡", "设置职业病危害告知卡", ("车间", "机房", "泵", "破碎", "风机", "锅炉", "钢筋", "空分", "汽机")),
        ("作业人员未正确佩戴防尘口罩", "现场纠正，加强劳保用品佩戴检查", ("输煤", "卸煤", "破碎", "选矿", "钢筋", "脱硫", "井下", "施工", "加药")),
        ("职业健康体检未按期开展", "组织补检并完善健康监护档案"),
        ("粉尘作业场所除尘设施运行不正常", "维修除尘设施", ("输煤", "卸煤", "破碎", "选矿", "钢筋", "脱硫")),
        ("职业病危害因素检测超期", "委托有资质机构开展检测"),
    ],
    "应急管理": [
        ("应急预案未按期演练", "制定演练计划并组织演练"),
        ("应急物资柜物资过期", "更换过期物资，建立物资检查台账"),
        ("应急救援器材未定期维护", "落实维护保养责任"),
        ("应急疏散示意图未更新", "更新疏散示意图"),
        ("应急值班记录不全", "规范应急值班记录"),
    ],
    "安全管理": [
        ("安全生产责任制未及时修订", "修订安全生产责任制并组织签订"),
        ("班组安全活动记录不全", "规范开展班组安全活动并记录"),
        ("新员工三级安全教育记录缺失", "补充教育培训并完善档案"),
        ("隐患排查台账填写不规范", "规范台账填写，落实闭环管理"),
        ("相关方安全管理协议未签订", "补签安全生产管理协议"),
        ("安全操作规程未及时修订", "组织修订安全操作规程"),
        ("作业人员劳动防护用品佩戴不规范", "现场纠正，加强检查考核"),
        ("安全检查记录无整改闭环", "完善检查记录，落实整改销号"),
    ],
    "其他": [
        ("作业现场照明不足", "增设照明灯具"),
        ("地面油污未及时清理，存在滑倒风险", "清理油污，设置防滑警示"),
        ("楼梯扶手松动", "加固楼梯扶手"),
        ("安全警示标志褪色、缺失", "更换安全警示标志"),
    ],
}

# Industry-specific everyday hazards, added to the lists above for that industry.
INDUSTRY_DESCRIPTIONS: dict[str, dict[str, list[Desc]]] = {
    "电力": {
        "用电安全": [("高压开关柜“五防”闭锁功能失效", "检修闭锁装置，恢复“五防”功能", ("kV", "升压"))],
        "特种设备": [("锅炉汽包水位计显示不清晰", "清洗或更换水位计", ("锅炉",))],
        "机械设备": [("输煤皮带机跑偏开关失灵", "调整并更换跑偏开关", ("输煤",))],
    },
    "新能源": {
        "高处作业": [("风机登塔作业未使用防坠器", "停止作业，配齐防坠器后登塔", ("风机",))],
        "用电安全": [("光伏组件支架接地扁铁锈蚀断开", "更换接地扁铁并测试接地电阻", ("光伏",)),
                   ("箱式变压器门锁缺失", "加装门锁并上锁管理", ("箱变", "光伏"))],
    },
    "建设": {
        "建筑施工": [("卸料平台未设置限载标识", "设置限载标识牌", ("楼",)),
                   ("施工现场未设置安全通道防护棚", "搭设双层防护棚", ("楼", "项目"))],
        "特种设备": [("塔吊司机与信号工无对讲设备", "配备对讲设备，统一指挥信号", ("塔吊",))],
    },
    "矿业": {
        "其他": [("巷道顶板存在浮石未及时撬除", "立即敲帮问顶，撬除浮石", ("井下",)),
               ("采场作业面支护不及时", "按作业规程及时支护", ("采场",)),
               ("井下局部通风机风筒破损漏风", "更换破损风筒，保证供风量", ("井下",))],
        "机械设备": [("提升机制动闸瓦间隙超标", "调整闸瓦间隙并做制动试验", ("提升机",)),
                 ("破碎机检修口防护门未关闭", "关闭防护门并加装联锁", ("破碎",))],
        "应急管理": [("井下作业人员未随身携带自救器", "现场纠正，下井前逐人检查", ("井下",))],
        "危险化学品": [("炸药库温湿度记录不全", "完善库房温湿度记录", ("炸药库",)),
                  ("爆破器材领退记录不一致", "核对领退数量，规范登记", ("炸药库",))],
    },
    "化工": {
        "危险化学品": [("甲醇装卸未使用静电接地装置", "装卸前连接静电接地并检测", ("装卸",)),
                  ("储罐呼吸阀堵塞", "清理检修呼吸阀", ("罐区",)),
                  ("可燃气体报警器探头被覆盖", "清理探头并测试报警功能", ("罐区", "合成", "精馏"))],
        "动火作业": [("一级动火作业未升级审批", "按规定升级审批后方可作业")],
    },
    "物流": {
        "交通运输": [("危险货物运输车辆未安装卫星定位装置", "安装卫星定位装置并接入监控平台", ("车队",)),
                 ("装卸平台车辆未设止轮器", "配备止轮器并规范使用", ("装卸",))],
        "特种设备": [("叉车司机无证驾驶", "停止驾驶，组织取证培训", ("叉车", "仓库", "冷链"))],
    },
    "文旅": {
        "特种设备": [("游乐设施日常检查记录缺失", "落实运营前日检并记录", ("游乐",)),
                 ("观光车未办理场（厂）内机动车辆使用登记", "办理使用登记后投入运营", ("观光车",))],
        "消防安全": [("演艺厅吊顶内电线未穿管保护", "电线穿管保护", ("演艺",)),
                 ("酒店厨房油烟管道未定期清洗", "委托专业单位清洗油烟管道", ("厨房",))],
    },
    "水务": {
        "危险化学品": [("加氯间氯气泄漏报警器失灵", "维修更换泄漏报警器", ("加氯",)),
                  ("液氯钢瓶未设置防震圈", "配齐防震圈和瓶帽", ("加氯",))],
        "有限空间": [("污水井清淤作业未办理有限空间作业审批", "停止作业，办理审批并落实监护", ("污水", "管网", "污泥"))],
    },
}

# Major hazards (重大隐患) per industry: (category, description, measures, location keywords).
MAJOR_HAZARDS: dict[str, list[tuple[str, str, str, tuple[str, ...]]]] = {
    "电力": [("特种设备", "锅炉安全阀失效，未按期校验仍投入运行", "停炉校验安全阀，制定专项整改方案，落实资金、责任人、时限和应急预案", ("锅炉",)),
           ("消防安全", "输煤栈桥自动喷水灭火系统瘫痪", "修复喷淋系统，整改期间加强巡检并配备临时消防器材", ("输煤",))],
    "新能源": [("用电安全", "储能电站电池舱热失控监测系统失效", "更换监测系统，整改期间储能电站降功率运行并加强巡检", ("储能",)),
            ("高处作业", "风机塔筒爬梯防坠落装置失效仍组织登塔作业", "停止登塔作业，更换防坠落装置，验收合格后恢复", ("风机",))],
    "建设": [("建筑施工", "深基坑监测数据超预警值未停止作业", "立即停工撤人，组织专家论证并加固支护", ("基坑",)),
           ("建筑施工", "高大模板支撑体系未按专项方案搭设且未经专家论证", "停止浇筑，按论证方案重新搭设并验收", ("楼",)),
           ("特种设备", "塔式起重机力矩限制器失效", "停止使用，更换力矩限制器并检验合格", ("塔吊",))],
    "矿业": [("其他", "尾矿库浸润线超过控制值", "加密监测，实施降水排渗工程，制定应急预案", ("尾矿库",)),
           ("其他", "井下采空区未按设计及时充填处理", "编制充填治理方案，落实资金和责任人，设置警戒", ("采场",)),
           ("机械设备", "主井提升系统防过卷装置失效", "停止提升作业，更换防过卷装置并试验合格", ("提升机",)),
           ("危险化学品", "炸药库储存量超过设计核定量", "立即转移超量爆破器材，按核定量储存", ("炸药库",))],
    "化工": [("危险化学品", "液氨储罐区未设置紧急切断装置", "加装紧急切断装置，整改期间加强巡检并制定应急预案", ("液氨",)),
           ("动火作业", "在运行的甲醇管线上违规动火作业", "立即停止作业，清洗置换后重新审批", ("甲醇", "精馏")),
           ("危险化学品", "重点监管危险化工工艺装置未实现自动化控制", "实施自动化控制改造，整改期间人工监护并限产", ("合成", "精馏"))],
    "物流": [("交通运输", "危险货物运输车辆罐体未按规定检验仍在运营", "停运车辆，罐体检验合格后恢复运营", ("车队",)),
           ("消防安全", "中心仓库自动喷水灭火系统瘫痪", "修复喷淋系统，整改期间限制储存量并加强巡查", ("中心仓库",))],
    "文旅": [("特种设备", "大型游乐设施超期未检验仍在运营", "停止运营，检验合格后恢复", ("游乐",)),
           ("消防安全", "演艺中心演出期间疏散通道被锁闭", "立即打开锁闭通道，落实演出前安全检查", ("演艺",))],
    "水务": [("危险化学品", "加氯间液氯泄漏吸收装置失效", "修复吸收装置，整改期间加强监测并制定应急预案", ("加氯",)),
           ("有限空间", "污水处理厂有限空间作业未检测即进入作业", "停止作业，落实审批、检测、监护，组织全员警示教育", ("污水",))],
}

# The two open 重大隐患 the story needs (rows are added on top of the random ones).
STORY_MAJORS: dict[str, tuple[str, str, str, str, int, int, float]] = {
    # company: (category, description, measures, location, days before end, deadline days, funds)
    RED_COMPANY: ("其他", "尾矿库排洪设施淤堵，排洪能力不满足设计要求",
                  "清淤疏通排洪设施，编制尾矿库度汛方案，整改期间加密监测并落实应急预案",
                  "尾矿库", 120, 60, 185.0),
    AMBER_COMPANY: ("危险化学品", "甲醇储罐区可燃气体检测报警装置失效",
                    "更换可燃气体检测报警装置并接入DCS，整改期间人工巡检每2小时一次",
                    "甲醇罐区", 24, 45, 36.5),
}

SURNAMES = ("王李张刘陈杨赵马何魏黄周吴徐孙朱胡郭高林罗郑梁谢宋唐许韩冯邓曹彭曾田董袁潘蒋蔡余杜叶程苏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万严武戴孔汤牛")
GIVEN_NAMES = ("建国", "志强", "海军", "文斌", "红梅", "小军", "永平", "卫东", "国庆", "立新", "晓燕", "丽娟",
               "鹏", "涛", "磊", "强", "伟", "斌", "洋", "静", "敏", "婷", "丹", "明", "亮", "刚", "军", "勇",
               "杰", "浩", "宁", "霞", "芳", "鑫", "宏伟", "振华", "海涛", "永红", "玉兰", "德福", "学文",
               "兴旺", "春生", "秀英", "建军", "俊杰", "文博", "志刚", "国栋", "天明", "建平", "新民", "金龙",
               "玉成", "保平", "生福", "有才", "彦军", "世伟", "成林")


@dataclass(frozen=True)
class Profile:
    """How one company behaves (hazards per month, risk mix, quality of its safety work)."""
    code: str                       # hazard / accident number prefix
    industry: str
    base: float                     # hazards per ordinary month
    category_weights: dict[str, int]
    locations: tuple[str, ...]
    p_major: float                  # share of 重大隐患
    p_instant: float                # 立查立改 share
    p_late: float                   # rectified after the deadline
    p_stuck: float                  # never rectified (stays open, overdue)
    late_max: int                   # days late at most
    staff: int                      # employees (training sizes)
    att: tuple[float, float]        # attendance ratio: low, mode (triangular up to 1.0)
    inv: tuple[float, float]        # investment completion range
    inv_scale: float                # investment amounts scale (万元)
    third_party: bool = False       # quarterly 第三方检查
    upper: int = 0                  # month of the yearly 上级检查 (0 = none)
    where: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category → location keywords


def _w(*weights: int) -> dict[str, int]:
    return dict(zip(HAZARD_CATEGORIES, weights))


PROFILES: dict[str, Profile] = {
    "陇原电力有限公司": Profile(
        "LY", "电力", 18, _w(12, 18, 10, 4, 8, 5, 6, 12, 1, 3, 5, 5, 10, 1),
        ("#1机组汽机房", "#2机组锅炉房", "输煤栈桥", "卸煤沟", "110kV升压站", "6kV配电室", "化学水处理车间",
         "脱硫区域", "检修车间", "燃油泵房", "制氢站", "综合办公楼", "材料库", "厂区道路"),
        p_major=0.014, p_instant=0.34, p_late=0.04, p_stuck=0.002, late_max=20, staff=680,
        att=(0.90, 0.99), inv=(0.92, 1.08), inv_scale=1.0, third_party=True,
        where={"特种设备": ("锅炉", "汽机", "检修", "制氢", "材料"), "危险化学品": ("化学水", "制氢", "燃油", "脱硫"),
                "高处作业": ("锅炉", "输煤", "脱硫", "汽机"), "有限空间": ("卸煤沟", "脱硫", "锅炉", "化学水"),
                "动火作业": ("检修", "锅炉", "输煤", "燃油"), "机械设备": ("输煤", "卸煤", "检修", "汽机"),
                "建筑施工": ("厂区", "脱硫"), "交通运输": ("道路", "卸煤")}),
    "河西新能源有限公司": Profile(
        "HX", "新能源", 15, _w(10, 22, 6, 1, 14, 3, 4, 10, 2, 6, 3, 6, 12, 1),
        ("风电场升压站", "35kV开关室", "#08风机", "#23风机", "#31风机", "光伏区3号方阵", "光伏区7号方阵",
         "集电线路", "储能电站", "综合楼", "备品备件库", "场内道路", "箱变区域"),
        p_major=0.012, p_instant=0.36, p_late=0.03, p_stuck=0.002, late_max=15, staff=220,
        att=(0.90, 1.0), inv=(0.92, 1.08), inv_scale=0.6,
        where={"特种设备": ("备品", "升压站", "风机"), "危险化学品": ("备品", "储能"),
                "高处作业": ("风机", "集电", "光伏"), "有限空间": ("风机", "箱变"), "动火作业": ("风机", "备品", "升压站"),
                "机械设备": ("风机", "备品"), "建筑施工": ("光伏", "集电"), "交通运输": ("道路",)}),
    "金城建设工程有限公司": Profile(
        "JC", "建设", 24, _w(8, 15, 10, 1, 18, 3, 6, 8, 20, 3, 3, 2, 8, 1),
        ("兰州新区安置房项目", "3#楼施工区", "7#楼主体施工层", "钢筋加工场", "塔吊作业区", "施工升降机",
         "临时用电配电房", "深基坑区域", "模板堆放区", "生活区", "材料库房", "项目部办公区"),
        p_major=0.018, p_instant=0.32, p_late=0.05, p_stuck=0.003, late_max=20, staff=950,
        att=(0.90, 0.99), inv=(0.90, 1.08), inv_scale=1.1, upper=5,
        where={"特种设备": ("塔吊", "升降机", "钢筋"), "危险化学品": ("材料",), "高处作业": ("楼", "升降机"),
                "有限空间": ("基坑",), "动火作业": ("钢筋", "楼"), "机械设备": ("钢筋", "模板"),
                "建筑施工": ("楼", "基坑", "塔吊", "模板", "项目"), "交通运输": ("项目", "材料")}),
    "祁连矿业有限责任公司": Profile(
        "QL", "矿业", 32, _w(7, 12, 12, 5, 6, 6, 4, 18, 2, 8, 8, 5, 8, 10),
        ("井下-350m运输巷", "井下-410m中段采场", "主井提升机房", "副井井口", "通风机房", "空压机房",
         "选矿车间球磨工段", "浮选车间", "尾矿库", "炸药库", "排土场", "机修车间", "井下中央变电所",
         "破碎车间"),
        p_major=0.018, p_instant=0.22, p_late=0.30, p_stuck=0.05, late_max=60, staff=1200,
        att=(0.80, 0.93), inv=(0.70, 0.95), inv_scale=2.2, third_party=True, upper=6,
        where={"特种设备": ("提升机", "井口", "空压", "机修"), "危险化学品": ("炸药库", "浮选"),
                "高处作业": ("球磨", "破碎", "井口"), "有限空间": ("浮选", "尾矿库", "运输巷"),
                "动火作业": ("机修", "破碎", "运输巷"), "机械设备": ("球磨", "破碎", "提升机", "机修", "空压", "通风"),
                "建筑施工": ("排土场", "尾矿库"), "交通运输": ("运输巷", "排土场"), "其他": ("井下", "尾矿库", "排土场")}),
    "黄河化工有限公司": Profile(
        "HH", "化工", 28, _w(10, 10, 10, 20, 5, 8, 10, 8, 1, 3, 6, 5, 8, 1),
        ("合成车间", "精馏工段", "甲醇罐区", "液氨储罐区", "装卸站台", "危化品仓库", "污水处理站",
         "循环水站", "中控室", "空分装置", "锅炉房", "机修车间", "质检化验室"),
        p_major=0.016, p_instant=0.30, p_late=0.12, p_stuck=0.03, late_max=35, staff=760,
        att=(0.85, 0.96), inv=(0.82, 1.05), inv_scale=1.8, third_party=True, upper=8,
        where={"特种设备": ("合成", "精馏", "空分", "锅炉", "机修"), "危险化学品": ("罐区", "装卸", "危化品", "合成", "精馏", "化验"),
                "高处作业": ("合成", "精馏", "罐区", "空分"), "有限空间": ("污水", "循环水", "罐区", "合成"),
                "动火作业": ("机修", "合成", "精馏", "罐区"), "机械设备": ("机修", "循环水", "空分", "锅炉", "污水"),
                "交通运输": ("装卸",)}),
    "丝路物流有限公司": Profile(
        "SL", "物流", 15, _w(16, 10, 12, 3, 4, 1, 2, 6, 1, 26, 3, 5, 10, 1),
        ("中心仓库A区", "中心仓库B区", "冷链库", "装卸平台", "叉车作业区", "货运车队", "车辆维修车间",
         "停车场", "危险货物暂存区", "分拣中心", "办公楼", "场内道路"),
        p_major=0.012, p_instant=0.36, p_late=0.04, p_stuck=0.002, late_max=15, staff=430,
        att=(0.90, 0.99), inv=(0.92, 1.08), inv_scale=0.7,
        where={"特种设备": ("仓库", "叉车", "冷链", "维修", "分拣"), "危险化学品": ("危险货物", "维修"),
                "高处作业": ("仓库", "分拣"), "动火作业": ("维修",), "机械设备": ("分拣", "维修", "装卸"),
                "交通运输": ("车队", "道路", "停车场", "装卸"), "有限空间": ("冷链",)}),
    "敦煌文旅发展有限公司": Profile(
        "DH", "文旅", 13, _w(24, 14, 12, 2, 4, 1, 3, 4, 3, 10, 2, 8, 12, 1),
        ("景区游客服务中心", "观光车停靠站", "演艺中心舞台", "演艺中心观众厅", "酒店厨房", "酒店客房楼",
         "沙漠营地", "游乐设施区", "配电室", "文创商店", "停车场", "锅炉房"),
        p_major=0.012, p_instant=0.38, p_late=0.03, p_stuck=0.002, late_max=15, staff=310,
        att=(0.90, 1.0), inv=(0.92, 1.08), inv_scale=0.5,
        where={"特种设备": ("游乐", "观光车", "客房楼", "锅炉"), "危险化学品": ("锅炉", "厨房"),
                "高处作业": ("舞台", "客房楼", "服务中心"), "有限空间": ("锅炉", "配电室"), "动火作业": ("厨房", "舞台"),
                "机械设备": ("游乐", "舞台"), "交通运输": ("观光车", "停车场", "营地")}),
    "陇南水务有限公司": Profile(
        "LN", "水务", 14, _w(10, 14, 6, 14, 6, 14, 3, 12, 2, 4, 4, 5, 10, 1),
        ("第一水厂加氯间", "第一水厂加药间", "第二水厂滤池", "取水泵站", "加压泵站", "污水处理厂曝气池",
         "污泥脱水车间", "水质化验室", "高压配电室", "管网抢修班", "清水池", "厂区道路"),
        p_major=0.012, p_instant=0.34, p_late=0.04, p_stuck=0.002, late_max=15, staff=280,
        att=(0.90, 0.99), inv=(0.92, 1.08), inv_scale=0.6,
        where={"特种设备": ("泵站", "加氯", "脱水"), "危险化学品": ("加氯", "加药", "化验"),
                "高处作业": ("滤池", "清水池", "曝气池"), "有限空间": ("清水池", "曝气池", "管网", "脱水", "泵站"),
                "动火作业": ("抢修", "泵站"), "机械设备": ("泵站", "脱水", "滤池"), "交通运输": ("道路", "管网")}),
}

# Hazards found per month relative to an ordinary month.
SEASON = {1: 1.25, 2: 0.72, 3: 0.95, 4: 1.0, 5: 1.05, 6: 1.30, 7: 1.0, 8: 0.95, 9: 1.15, 10: 0.95,
          11: 1.15, 12: 1.35}
# 专项检查 waves: month → (share of the month's hazards, name written into 备注).
WAVES = {12: (0.30, "冬季安全生产大检查“防风险、查隐患、保安全”"),
         1: (0.30, "冬季安全生产大检查“防风险、查隐患、保安全”"),
         2: (0.12, "春节节前安全专项检查"),
         6: (0.25, "“安全生产月”专项检查"),
         9: (0.20, "国庆节前安全专项检查")}
FLOOD_WAVE = (0.20, "汛期安全专项检查")           # Jun–Aug for water and mining
UPPER_INSPECTORS = {"矿业": "市应急管理局执法检查", "化工": "市应急管理局执法检查", "建设": "市住建局安全检查"}

DEADLINE_DAYS = (3, 5, 7, 10, 15, 20, 30)
DEADLINE_WEIGHTS = (8, 14, 22, 18, 20, 8, 10)

# Accidents: (company, months before end, type, deaths, serious, minor, loss range 万元,
#             minutes to report, where, what happened). Four-no flags are all 是 unless below.
ACCIDENT_PLAN = [
    ("陇原电力有限公司", 20, "触电", 0, 0, 1, (1.2, 3.5), 25, "6kV配电室",
     "检修人员在低压配电柜检修时未验电即接触带电部位，造成1人手臂电击轻伤"),
    ("黄河化工有限公司", 19, "灼烫", 0, 0, 1, (0.8, 2.5), 30, "合成车间",
     "操作工在取样时未佩戴防护面屏，碱液喷溅造成1人面部化学灼伤（轻伤）"),
    ("金城建设工程有限公司", 17, "高处坠落", 0, 1, 0, (18.0, 32.0), 165, "7#楼主体施工层",
     "架子工在拆除外架时未系挂安全带，从约6米高处坠落，造成1人腰椎骨折（重伤）"),
    ("河西新能源有限公司", 15, "物体打击", 0, 0, 1, (0.4, 1.6), 22, "#23风机",
     "检修人员在机舱内作业时扳手滑落，砸中塔底配合人员肩部，造成1人轻伤"),
    ("祁连矿业有限责任公司", MAJOR_ACCIDENT_MONTHS_BEFORE_END, "冒顶片帮", 3, 0, 2, (560.0, 720.0), 42,
     "井下-410m中段3号采场",
     "出矿作业时采场顶板突然冒落，造成3人死亡、2人轻伤；事故调查认定未严格执行敲帮问顶制度、支护不及时"),
    ("丝路物流有限公司", 12, "车辆伤害", 0, 0, 1, (11.5, 14.5), 35, "场内道路",
     "货车倒车时未安排专人指挥，挤撞装卸工造成1人腿部轻伤，车辆及货物受损"),
    ("金城建设工程有限公司", 11, "物体打击", 0, 0, 1, (0.5, 2.0), 20, "3#楼施工区",
     "楼层临边堆放的扣件坠落，砸中下方作业人员肩部，造成1人轻伤"),
    ("祁连矿业有限责任公司", 3, "机械伤害", 0, 1, 0, (18.0, 35.0), 110, "选矿车间球磨工段",
     "检修球磨机时未执行挂牌上锁，设备误启动造成1人右臂骨折（重伤）"),
    ("黄河化工有限公司", 2, "灼烫", 0, 0, 1, (0.6, 2.2), 28, "精馏工段",
     "检修人员拆卸法兰时管线内残留热介质喷出，造成1人手部烫伤（轻伤）"),
]
# Four-no flags (原因查清, 责任人处理, 整改措施落实, 教训吸取) of the recent accidents still being handled.
ACCIDENT_OPEN_FLAGS = {
    ("祁连矿业有限责任公司", 3): ("是", "是", "否", "是"),
    ("黄河化工有限公司", 2): ("是", "是", "否", "否"),
}

TRAINING_TOPICS: dict[str, list[str]] = {
    "主要负责人": ["主要负责人安全生产知识和管理能力再培训", "新《安全生产法》及主要负责人法定职责解读",
              "安全生产治本攻坚三年行动专题培训"],
    "安全管理人员": ["安全管理人员继续教育", "双重预防机制建设专题培训", "隐患排查治理及台账规范培训",
                "生产安全事故报告和调查处理培训"],
    "特种作业人员": ["电工作业复审培训", "焊接与热切割作业培训", "高处作业人员安全培训", "场（厂）内机动车辆司机培训",
                "起重机械指挥及司索培训"],
    "三级安全教育": ["新入职员工三级安全教育", "转岗复工人员安全教育", "外包单位人员入场三级安全教育"],
    "全员培训": ["消防安全知识及灭火器实操培训", "应急预案演练及自救互救培训", "事故案例警示教育",
             "岗位安全操作规程培训", "职业健康防护知识培训"],
    "其他": ["相关方（承包商）安全管理培训", "班组长安全管理能力培训", "有限空间作业安全培训"],
}
TRAINING_KIND_WEIGHTS = {"主要负责人": 4, "安全管理人员": 14, "特种作业人员": 18, "三级安全教育": 16,
                         "全员培训": 32, "其他": 16}
TRAINING_HOURS = {"主要负责人": (12, 16, 32), "安全管理人员": (8, 12, 16), "特种作业人员": (16, 24, 32),
                  "三级安全教育": (24, 24, 32), "全员培训": (2, 2, 4), "其他": (2, 4, 8)}

INVESTMENT_ITEMS: dict[str, list[tuple[str, float]]] = {   # category → (item, typical 万元)
    "安全设施": [("消防设施维护保养", 6.0), ("视频监控系统升级改造", 18.0), ("可燃气体报警器更换", 8.0),
             ("防雷接地检测及整改", 4.0), ("安全防护栏杆改造", 5.0)],
    "安全培训": [("安全教育培训费用", 3.0), ("特种作业人员取证复审", 2.5)],
    "应急管理": [("应急物资储备补充", 4.0), ("应急演练费用", 2.0), ("应急救援器材购置", 6.0)],
    "劳动防护": [("劳动防护用品采购", 8.0), ("职业健康体检", 6.0)],
    "隐患治理": [("隐患治理专项资金", 12.0), ("重大隐患治理工程", 30.0)],
    "安全评价": [("安全现状评价", 9.0), ("职业病危害因素检测", 4.0), ("安全生产标准化评审", 6.0)],
}

# Indicators per company: (indicator, target words, unit, weight).
_IND = {
    "死亡人数": ("杜绝死亡事故", "人"),
    "事故起数": ("事故起数不超过1起", "起"),
    "重伤人数": ("重伤人数为零", "人"),
    "直接经济损失": ("直接经济损失控制在10万元以内", "万元"),
    "隐患整改率": ("隐患整改率不低于95%", "%"),
    "按期整改率": ("按期整改率不低于90%", "%"),
    "重大隐患整改率": ("重大隐患整改率达到100%", "%"),
    "培训完成率": ("培训完成率不低于95%", "%"),
    "培训合格率": ("培训合格率不低于95%", "%"),
    "安全投入完成率": ("安全投入完成率不低于90%", "%"),
}
INDICATOR_PLAN: dict[str, list[tuple[str, int]]] = {
    "陇原电力有限公司": [("死亡人数", 25), ("事故起数", 15), ("隐患整改率", 15), ("按期整改率", 10),
                   ("重大隐患整改率", 15), ("培训完成率", 10), ("安全投入完成率", 10)],
    "河西新能源有限公司": [("死亡人数", 25), ("事故起数", 15), ("隐患整改率", 15), ("按期整改率", 10),
                    ("重大隐患整改率", 15), ("培训完成率", 10), ("培训合格率", 10)],
    "金城建设工程有限公司": [("死亡人数", 25), ("事故起数", 15), ("隐患整改率", 15), ("按期整改率", 10),
                     ("重大隐患整改率", 15), ("培训完成率", 10), ("培训合格率", 10)],
    "祁连矿业有限责任公司": [("死亡人数", 25), ("重伤人数", 10), ("事故起数", 15), ("隐患整改率", 15),
                     ("按期整改率", 10), ("重大隐患整改率", 15), ("安全投入完成率", 10)],
    "黄河化工有限公司": [("死亡人数", 25), ("事故起数", 15), ("直接经济损失", 10), ("隐患整改率", 15),
                   ("按期整改率", 10), ("重大隐患整改率", 15), ("培训完成率", 10)],
    "丝路物流有限公司": [("死亡人数", 25), ("事故起数", 15), ("直接经济损失", 10), ("隐患整改率", 20),
                   ("按期整改率", 10), ("培训完成率", 10), ("培训合格率", 10)],
    "敦煌文旅发展有限公司": [("死亡人数", 25), ("事故起数", 15), ("隐患整改率", 20), ("按期整改率", 10),
                     ("培训完成率", 10), ("培训合格率", 10), ("安全投入完成率", 10)],
    "陇南水务有限公司": [("死亡人数", 25), ("事故起数", 15), ("隐患整改率", 15), ("按期整改率", 10),
                   ("重大隐患整改率", 15), ("培训完成率", 10), ("安全投入完成率", 10)],
}
# Reported values of the earlier year that deliberately differ from the ledgers (as in real reporting).
MISREPORTED = {
    ("祁连矿业有限责任公司", "隐患整改率"): "reported far better than the ledger shows",
    ("丝路物流有限公司", "直接经济损失"): "reported net of the insurance payout (8.5 万元)",
}
# Companies that already filled in the current year's 事故/死亡 figures.
CURRENT_YEAR_REPORTERS = ("陇原电力有限公司", "陇南水务有限公司")

STORY = {
    "red": RED_COMPANY,
    "amber": AMBER_COMPANY,
    "zero_hazard_company": ZERO_HAZARD_COMPANY,
    "two_row_header_company": TWO_ROW_HEADER_COMPANY,
    "misreported": MISREPORTED,
}

# ============================================================================ helpers


def short_name(company: str) -> str:
    """The first alias: used in file names and texts."""
    return dict(COMPANIES)[company][0]


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    i = year * 12 + (month - 1) + k
    return i // 12, i % 12 + 1


def month_list(end: dt.date = DEMO_END, months: int = 24) -> list[tuple[int, int]]:
    """The (year, month) pairs covered, oldest first; the last one is end's month."""
    return [_add_months(end.year, end.month, k) for k in range(-(months - 1), 1)]


def _last_day(y: int, m: int, end: dt.date) -> int:
    return end.day if (y, m) == (end.year, end.month) else calendar.monthrange(y, m)[1]


def _workday(rng: random.Random, y: int, m: int, last: int, first: int = 1) -> dt.date:
    d = dt.date(y, m, rng.randint(first, last))
    for _ in range(12):
        if d.weekday() < 5:
            return d
        d = dt.date(y, m, rng.randint(first, last))
    return d


def _people(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in names:
            names.append(name)
    return names


def _rng(seed: int, *parts: object) -> random.Random:
    # str seeds are hashed with SHA-512 by random.Random: stable across runs and processes.
    return random.Random(":".join(str(p) for p in (seed, *parts)))


# ============================================================================ the data


@dataclass
class CompanyData:
    name: str
    people: dict[str, object]
    hazards: list[dict] = field(default_factory=list)
    accidents: list[dict] = field(default_factory=list)
    training: list[dict] = field(default_factory=list)
    investment: list[dict] = field(default_factory=list)


@dataclass
class DemoData:
    start: dt.date
    end: dt.date
    months: list[tuple[int, int]]
    companies: dict[str, CompanyData]
    indicators: list[dict]


def _descriptions(p: Profile, category: str) -> list[Desc]:
    """The category's descriptions that fit this company (a keyword matches one of its locations)."""
    pool = DESCRIPTIONS[category] + INDUSTRY_DESCRIPTIONS.get(p.industry, {}).get(category, [])
    fits = [d for d in pool if len(d) < 3 or any(k in loc for k in d[2] for loc in p.locations)]
    return fits or pool


def _rectify(rng: random.Random, p: Profile, h: dict, end: dt.date, mode: str = "normal") -> None:
    """Deadline and completion date of one hazard. ``mode``: normal; major_closed (closed on time:
    green companies); major_on_time (closed on time unless found too recently: the amber company)."""
    major = h["level"] == "重大隐患"
    if major:
        days = rng.choice((30, 45, 60, 90))
    else:
        days = rng.choices(DEADLINE_DAYS, DEADLINE_WEIGHTS)[0]
    h["deadline"] = h["found"] + dt.timedelta(days=days)
    r = rng.random()
    on_time = rng.randint(max(2, math.ceil(days * 0.5)), max(2, days))
    h["_open_status"] = rng.choice(("整改中", "整改中", "未整改"))
    h["_verifier"] = rng.choice(h["_verifiers"])
    if not major and r < p.p_instant:
        took: int | None = rng.choice((0, 0, 1))                  # 立查立改
    elif mode in ("major_closed", "major_on_time"):
        took = rng.randint(max(1, days // 2), days)
    elif r < p.p_instant + p.p_stuck:
        took = None
    elif r < p.p_instant + p.p_stuck + p.p_late:
        took = days + rng.randint(1, p.late_max)
    else:
        took = on_time
    done = h["found"] + dt.timedelta(days=took) if took is not None else None
    h["rectified"] = done if done is not None and done <= end else None


def _finish(h: dict, end: dt.date) -> None:
    """Status, verifier and remarks follow from the dates (rectified status ⇔ completion date)."""
    notes = [h["_note"]] if h.get("_note") else []
    done = h["rectified"]
    if done is not None:
        h["status"], h["verifier"] = "已整改", h["_verifier"]
        if (done - h["found"]).days <= 1 and h["level"] == "一般隐患":
            notes.append("立查立改")
        if done > h["deadline"]:
            notes.append("超期完成")
    else:
        h["verifier"] = None
        if h["deadline"] < end:
            h["status"] = h["_open_status"]
            notes.append("逾期未整改，已通报")
        else:
            h["status"] = "未整改" if (end - h["found"]).days <= 3 else h["_open_status"]
    if h["level"] == "重大隐患":
        notes.append("已上报集团挂牌督办，落实责任、措施、资金、时限和预案")
    h["remarks"] = "；".join(notes) or None


def _keep_green(rng: random.Random, hazards: list[dict], start: dt.date, as_of: dt.date,
                rate: float = 0.965, on_time_rate: float = 0.93) -> None:
    """A green company closes what it finds: raise its rates in [start, as_of] to the given levels,
    closing the oldest open hazards first and then making late closures of the window on time."""
    hz = [h for h in hazards if start <= h["found"] <= as_of]
    if not hz:
        return
    opened = sorted((h for h in hz if h["rectified"] is None or h["rectified"] > as_of), key=lambda h: h["found"])
    need = len(opened) - math.floor(len(hz) * (1 - rate))
    for h in opened[:max(0, need)]:
        days = (h["deadline"] - h["found"]).days
        done = h["found"] + dt.timedelta(days=rng.randint(max(1, math.ceil(days * 0.4)), days))
        h["rectified"] = min(done, as_of)
    due = [h for h in hz if h["deadline"] <= as_of]
    late = [h for h in due if h["rectified"] is None or h["rectified"] > h["deadline"]]
    need = len(late) - math.floor(len(due) * (1 - on_time_rate))
    for h in rng.sample(late, need) if need > 0 else []:
        days = (h["deadline"] - h["found"]).days
        h["rectified"] = h["found"] + dt.timedelta(days=rng.randint(max(1, math.ceil(days * 0.4)), days))


def _location(rng: random.Random, p: Profile, category: str, keywords: tuple[str, ...] = ()) -> str:
    """A location that fits the hazard: by its own keywords, else by its category, else any."""
    for kws in (keywords, p.where.get(category, ())):
        fits = [loc for loc in p.locations if any(k in loc for k in kws)]
        if fits:
            return rng.choice(fits)
    return rng.choice(p.locations)


def _new_hazard(rng: random.Random, p: Profile, company: CompanyData, found: dt.date, source: str,
                remark: str | None, allow_major: bool, recent_majors: list[str]) -> dict:
    h = {"found": found, "source": source, "_note": remark, "_verifiers": company.people["verifiers"],
         "owner": rng.choice(company.people["owners"])}
    if allow_major and rng.random() < p.p_major:
        options = [m for m in MAJOR_HAZARDS[p.industry] if m[1] not in recent_majors[-2:]]
        cat, desc, measures, kws = rng.choice(options or MAJOR_HAZARDS[p.industry])
        recent_majors.append(desc)
        h.update(category=cat, description=desc, measures=measures, level="重大隐患",
                 location=_location(rng, p, cat, kws), funds=round(rng.uniform(8, 260), 1))
    else:
        cat = rng.choices(list(p.category_weights), list(p.category_weights.values()))[0]
        desc, measures, *kws = rng.choice(_descriptions(p, cat))
        funds = round(rng.uniform(0.02, 2.5), 2) if rng.random() < 0.25 else None
        h.update(category=cat, description=desc, measures=measures, level="一般隐患",
                 location=_location(rng, p, cat, kws[0] if kws else ()), funds=funds)
    return h


def _gen_hazards(seed: int, ci: int, cd: CompanyData, months: list[tuple[int, int]], end: dt.date) -> None:
    p = PROFILES[cd.name]
    rng = _rng(seed, "hazards", cd.name)
    red_or_amber = cd.name in (RED_COMPANY, AMBER_COMPANY)
    group_months = {(3 + ci) % 12 + 1, (9 + ci) % 12 + 1}
    group_round: dict[int, int] = {}
    recent_majors: list[str] = []
    out: list[dict] = []
    for idx, (y, m) in enumerate(months):
        before_end = len(months) - 1 - idx
        if cd.name == ZERO_HAZARD_COMPANY and before_end == ZERO_HAZARD_MONTHS_BEFORE_END:
            continue                                            # 零隐患上报
        last = _last_day(y, m, end)
        frac = last / calendar.monthrange(y, m)[1]
        n = round(p.base * SEASON[m] * rng.uniform(0.85, 1.15) * frac)
        events: list[tuple[str, int, str | None]] = []
        if m in group_months:
            group_round[y] = group_round.get(y, 0) + 1
            k = rng.randint(10, 15) if cd.name == RED_COMPANY else rng.randint(5, 10)
            events.append(("集团督查", k, f"集团{y}年第{'一二'[min(group_round[y], 2) - 1]}次安全督查"))
        if p.third_party and m % 3 == 0:
            events.append(("第三方检查", rng.randint(3, 7), "安全技术服务机构检查"))
        if p.upper and m == p.upper:
            events.append(("上级检查", rng.randint(2, 5), UPPER_INSPECTORS[p.industry]))
        wave = WAVES.get(m)
        if p.industry in ("水务", "矿业") and m in (6, 7, 8):
            wave = FLOOD_WAVE if m != 6 else wave
        if wave:
            events.append(("专项检查", max(1, round(n * wave[0])), wave[1]))
        n = min(max(n, sum(e[1] for e in events) + 2, 3), 42)
        n_self = n - sum(e[1] for e in events)
        # major hazards of green companies are found early enough to be closed in time
        allow_major = red_or_amber or (m <= 9 and dt.date(y, m, last) <= end - dt.timedelta(days=100))
        for source, k, remark in events:
            day = _workday(rng, y, m, last)
            for _ in range(k):
                out.append(_new_hazard(rng, p, cd, day, source, remark, allow_major, recent_majors))
        for _ in range(max(n_self, 0)):
            out.append(_new_hazard(rng, p, cd, _workday(rng, y, m, last), "公司自查", None, allow_major,
                                   recent_majors))
    if not red_or_amber and any(name == "重大隐患整改率" for name, _ in INDICATOR_PLAN[cd.name]):
        # a green company that is measured on 重大隐患整改率 finds (and closes) at least one each year
        for year in (end.year - 1, end.year):
            if any(h["level"] == "重大隐患" and h["found"].year == year for h in out):
                continue
            lo, hi = dt.date(year, 3, 1), min(dt.date(year, 8, 31), end - dt.timedelta(days=100))
            pool = [h for h in out if lo <= h["found"] <= hi and h["source"] != "公司自查"]
            if pool:
                h = rng.choice(pool)
                cat, desc, measures, kws = rng.choice(MAJOR_HAZARDS[p.industry])
                h.update(category=cat, description=desc, measures=measures, level="重大隐患",
                         location=_location(rng, p, cat, kws), funds=round(rng.uniform(8, 260), 1))
    for h in out:
        mode = "normal"
        if h["level"] == "重大隐患":
            mode = "major_closed" if not red_or_amber else "major_on_time" if cd.name == AMBER_COMPANY else mode
        _rectify(rng, p, h, end, mode)

    # repeated hazards: same location, category and description again within a few months
    start = dt.date(*months[0], 1)
    zero = _add_months(end.year, end.month, -ZERO_HAZARD_MONTHS_BEFORE_END)
    repeats = 8 if cd.name == RED_COMPANY else 5 if cd.name == AMBER_COMPANY else rng.randint(2, 3)
    candidates = [h for h in out if h["rectified"] is not None and h["level"] == "一般隐患"
                  and start <= h["found"] <= end - dt.timedelta(days=150)]
    for origin in rng.sample(candidates, min(repeats, len(candidates))):
        found = origin["found"] + dt.timedelta(days=rng.randint(25, 110))
        if cd.name == ZERO_HAZARD_COMPANY and (found.year, found.month) == zero:
            found += dt.timedelta(days=31)
        h = {k: origin[k] for k in ("location", "category", "description", "measures", "level", "_verifiers")}
        h.update(found=found, source="公司自查", owner=origin["owner"], funds=None,
                 _note=f"同一部位同类隐患重复出现（上次发现{origin['found']:%Y-%m-%d}）")
        _rectify(rng, p, h, end)
        out.append(h)

    story = STORY_MAJORS.get(cd.name)
    if story:
        cat, desc, measures, loc, days_before, deadline_days, funds = story
        found = end - dt.timedelta(days=days_before)
        while found.weekday() >= 5:
            found -= dt.timedelta(days=1)
        if found >= start:
            out.append({"found": found, "source": "集团督查", "location": loc, "category": cat,
                        "description": desc, "measures": measures, "level": "重大隐患",
                        "owner": cd.people["leaders"][2], "deadline": found + dt.timedelta(days=deadline_days),
                        "funds": funds, "rectified": None, "_open_status": "整改中", "_verifier": None})

    if not red_or_amber:
        _keep_green(rng, out, dt.date(end.year - 1, 1, 1), dt.date(end.year - 1, 12, 31))
        _keep_green(rng, out, dt.date(end.year, 1, 1), end)
    for h in out:
        _finish(h, end)
    out.sort(key=lambda h: h["found"])                      # stable: same-day order kept
    seq: dict[int, int] = {}
    for h in out:
        for k in ("_verifiers", "_verifier", "_open_status", "_note"):
            h.pop(k, None)
        seq[h["found"].year] = seq.get(h["found"].year, 0) + 1
        h["no"] = f"{p.code}-{h['found'].year}-{seq[h['found'].year]:04d}"
    cd.hazards = out


def _gen_accidents(seed: int, data: dict[str, CompanyData], end: dt.date, months: int) -> None:
    counter: dict[tuple[str, int], int] = {}
    for company, before, kind, deaths, serious, minor, loss, minutes, where, what in ACCIDENT_PLAN:
        if before >= months:
            continue
        rng = _rng(seed, "accident", company, before)
        y, m = _add_months(end.year, end.month, -before)
        last = _last_day(y, m, end)
        occurred = dt.datetime(y, m, rng.randint(1, last), rng.randint(7, 17), rng.choice((5, 10, 20, 30, 40, 50)))
        reported = occurred + dt.timedelta(minutes=minutes + rng.randint(-5, 5))
        counter[(company, y)] = counter.get((company, y), 0) + 1
        flags = ACCIDENT_OPEN_FLAGS.get((company, before), ("是", "是", "是", "是"))
        data[company].accidents.append({
            "no": f"{PROFILES[company].code}-SG-{y}-{counter[(company, y)]:02d}",
            "occurred": occurred, "reported": reported, "type": kind,
            "description": (f"{y}年{m}月{occurred.day}日{occurred:%H时%M分}许，"
                            f"{short_name(company)}{where}{what}。"),
            "deaths": deaths, "serious": serious, "minor": minor,
            "loss": round(rng.uniform(*loss), 2),
            "cause_found": flags[0], "handled": flags[1], "measures_done": flags[2], "lessons": flags[3],
        })


def _gen_training(seed: int, cd: CompanyData, months: list[tuple[int, int]], end: dt.date) -> None:
    p = PROFILES[cd.name]
    rng = _rng(seed, "training", cd.name)
    major_y, major_m = _add_months(end.year, end.month, -MAJOR_ACCIDENT_MONTHS_BEFORE_END + 1)
    kinds, weights = list(TRAINING_KIND_WEIGHTS), list(TRAINING_KIND_WEIGHTS.values())
    out = []
    for y, m in months:
        last = _last_day(y, m, end)
        sessions: list[tuple[str, str]] = []
        if m == 6:
            sessions.append(("全员培训", "“安全生产月”全员安全警示教育"))
        elif m in (11, 12):
            sessions.append(("全员培训", "冬季安全生产及防火防冻专题培训"))
        if (y, m) == (major_y, major_m):
            sessions.append(("全员培训", "祁连矿业冒顶片帮较大事故警示教育"))
        for _ in range(rng.randint(2, 5) - len(sessions)):
            kind = rng.choices(kinds, weights)[0]
            sessions.append((kind, rng.choice(TRAINING_TOPICS[kind])))
        for kind, topic in sessions:
            day = _workday(rng, y, m, last)
            if kind == "主要负责人":
                planned = rng.randint(2, 6)
            elif kind == "全员培训":
                planned = min(p.staff, rng.randint(40, 160))
            elif kind == "三级安全教育":
                planned = rng.randint(5, 30 if p.staff > 500 else 15)
            else:
                planned = rng.randint(6, 30)
            ratio = min(1.0, rng.triangular(p.att[0], 1.0, p.att[1]))
            attended = max(1, min(planned, round(planned * ratio)))
            passed = attended - sum(1 for _ in range(attended) if rng.random() < 0.02)
            out.append({"date": day, "topic": topic, "kind": kind, "planned": planned, "attended": attended,
                        "passed": passed, "hours": rng.choice(TRAINING_HOURS[kind])})
    out.sort(key=lambda t: t["date"])
    cd.training = out


def _gen_investment(seed: int, cd: CompanyData, months: list[tuple[int, int]]) -> None:
    p = PROFILES[cd.name]
    rng = _rng(seed, "investment", cd.name)
    out = []
    for y, m in months:
        cats = ["劳动防护"] if m in (5, 11) else []          # summer / winter protective equipment
        if m in (6, 12):
            cats.append("安全培训")
        others = [c for c in INVESTMENT_ITEMS if c not in cats]
        cats += rng.sample(others, rng.randint(2, 3) - len(cats)) if len(cats) < 2 else []
        for cat in cats[:3]:
            item, typical = rng.choice(INVESTMENT_ITEMS[cat])
            planned = round(typical * p.inv_scale * rng.uniform(0.6, 1.5) * 2) / 2 or 0.5
            actual = round(planned * rng.uniform(*p.inv), 2)
            out.append({"month": f"{y}年{m}月", "ym": (y, m), "item": item, "category": cat,
                        "planned": planned, "actual": actual})
    cd.investment = out


# ============================================================================ indicators

def ledger_metrics(cd: CompanyData, start: dt.date, to: dt.date, as_of: dt.date | None = None) -> dict:
    """DOMAIN.md §3 metrics of one company over [start, to], status as of ``as_of`` (default ``to``)."""
    as_of = as_of or to
    hz = [h for h in cd.hazards if start <= h["found"] <= to]
    done = [h for h in hz if h["rectified"] is not None and h["rectified"] <= as_of]
    due = [h for h in hz if h["deadline"] <= as_of]
    on_time = [h for h in due if h["rectified"] is not None and h["rectified"] <= h["deadline"]]
    majors = [h for h in hz if h["level"] == "重大隐患"]
    majors_done = [h for h in majors if h["rectified"] is not None and h["rectified"] <= as_of]
    acc = [a for a in cd.accidents if start <= a["occurred"].date() <= to]
    tr = [t for t in cd.training if start <= t["date"] <= to]
    inv = [i for i in cd.investment if start <= dt.date(*i["ym"], 1) <= to]

    def ratio(a: float, b: float) -> float | None:
        return a / b if b else None

    return {
        "事故起数": len(acc),
        "死亡人数": sum(a["deaths"] for a in acc),
        "重伤人数": sum(a["serious"] for a in acc),
        "直接经济损失": round(sum(a["loss"] for a in acc), 2),
        "隐患整改率": ratio(len(done), len(hz)),
        "按期整改率": ratio(len(on_time), len(due)),
        "重大隐患整改率": ratio(len(majors_done), len(majors)),
        "培训完成率": ratio(sum(t["attended"] for t in tr), sum(t["planned"] for t in tr)),
        "培训合格率": ratio(sum(t["passed"] for t in tr), sum(t["attended"] for t in tr)),
        "安全投入完成率": ratio(sum(i["actual"] for i in inv), sum(i["planned"] for i in inv)),
    }


def _gen_indicators(data: dict[str, CompanyData], end: dt.date, start: dt.date) -> list[dict]:
    rows = []
    prev, cur = end.year - 1, end.year
    for company, _ in COMPANIES:
        cd = data[company]
        closed = ledger_metrics(cd, max(start, dt.date(prev, 1, 1)), dt.date(prev, 12, 31))
        for year in (prev, cur):
            for name, weight in INDICATOR_PLAN[company]:
                target, unit = _IND[name]
                if company in (RED_COMPANY, "金城建设工程有限公司") and name == "事故起数":
                    target = "事故起数不超过2起"
                actual = None
                if year == prev and dt.date(prev, 12, 31) >= start:
                    actual = closed[name]
                    if (company, name) in MISREPORTED:
                        actual = 8.5 if name == "直接经济损失" else max(0.962, min(0.995, (actual or 0) + 0.05))
                elif year == cur and company in CURRENT_YEAR_REPORTERS and name in ("死亡人数", "事故起数"):
                    actual = ledger_metrics(cd, dt.date(cur, 1, 1), end)[name]
                if isinstance(actual, float) and unit == "%":
                    actual = round(actual, 4)
                rows.append({"company": company, "year": year, "indicator": name, "target": target,
                             "unit": unit, "actual": actual, "weight": weight})
    return rows


def generate_demo(seed: int = 2026, end: dt.date = DEMO_END, months: int = 24) -> DemoData:
    """All demo records in memory (what ``write_demo_files`` writes)."""
    if months < 1:
        raise ValueError("months must be ≥ 1")
    ms = month_list(end, months)
    start = dt.date(*ms[0], 1)
    data: dict[str, CompanyData] = {}
    for ci, (company, _) in enumerate(COMPANIES):
        rng = _rng(seed, "people", company)
        names = _people(rng, 16)
        data[company] = CompanyData(company, {"owners": names[:10], "verifiers": names[10:13],
                                              "leaders": names[13:16]})
    for ci, (company, _) in enumerate(COMPANIES):
        _gen_hazards(seed, ci, data[company], ms, end)
        _gen_training(seed, data[company], ms, end)
        _gen_investment(seed, data[company], ms)
    _gen_accidents(seed, data, end, months)
    return DemoData(start, end, ms, data, _gen_indicators(data, end, start))


# ============================================================================ writing

HAZARD_COLUMNS = ["序号", "隐患编号", "发现日期", "检查类型", "隐患部位", "隐患描述", "隐患类别", "隐患等级",
                  "整改措施", "整改责任人", "整改期限", "整改资金（万元）", "整改状态", "整改完成日期", "验收人", "备注"]
# The two-row layout: 整改情况 spans these four columns of the second header row.
HAZARD_GROUP = ["整改措施", "整改责任人", "整改期限", "整改完成日期"]
HAZARD_COLUMNS_TWO_ROW = ["序号", "隐患编号", "发现日期", "检查类型", "隐患部位", "隐患描述", "隐患类别",
                          "隐患等级", *HAZARD_GROUP, "整改资金（万元）", "整改状态", "验收人", "备注"]
ACCIDENT_COLUMNS = ["序号", "事故编号", "事故发生时间", "上报时间", "事故类别", "事故简要经过", "死亡人数",
                    "重伤人数", "轻伤人数", "直接经济损失（万元）", "原因查清", "责任人处理", "整改措施落实",
                    "教训吸取"]
TRAINING_COLUMNS = ["序号", "培训日期", "培训内容", "培训类别", "应参训人数", "实参训人数", "考核合格人数", "学时"]
INVESTMENT_COLUMNS = ["序号", "月份", "投入项目", "投入类别", "计划投入（万元）", "实际投入（万元）"]
INDICATOR_COLUMNS = ["序号", "单位", "年度", "指标名称", "控制目标", "计量单位", "完成值", "权重"]

_WIDTHS = {"序号": 6, "隐患编号": 14, "发现日期": 12, "检查类型": 11, "隐患部位": 18, "隐患描述": 34,
           "隐患类别": 11, "隐患等级": 10, "整改措施": 34, "整改责任人": 10, "整改期限": 12, "整改资金（万元）": 10,
           "整改状态": 9, "整改完成日期": 12, "验收人": 9, "备注": 30, "事故编号": 15, "事故发生时间": 17,
           "上报时间": 17, "事故类别": 10, "事故简要经过": 60, "直接经济损失（万元）": 12, "培训日期": 12,
           "培训内容": 36, "培训类别": 13, "月份": 11, "投入项目": 24, "投入类别": 10, "单位": 24, "指标名称": 14,
           "控制目标": 28, "完成值": 10}

LEDGER_FILES = {"hazards": "隐患排查治理台账", "accidents": "生产安全事故台账",
                "training": "安全教育培训台账", "investment": "安全生产投入台账"}
INDICATOR_FILE = "目标责任书指标.xlsx"


class _Book:
    """An xlsxwriter workbook with the formats every ledger uses and a fixed document date."""

    def __init__(self, path: pathlib.Path, end: dt.date):
        self.wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
        self.wb.set_properties({"created": dt.datetime(end.year, end.month, end.day, 9, 0, 0),
                                "author": "安全管理部", "company": ""})
        base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter"}
        add = self.wb.add_format
        self.f = {
            "title": add({"font_name": "宋体", "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            "info": add({"font_name": "宋体", "font_size": 10, "align": "left", "valign": "vcenter"}),
            "head": add({**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#D9E1F2"}),
            "text": add({**base, "text_wrap": True}),
            "center": add({**base, "align": "center"}),
            "int": add({**base, "align": "center", "num_format": "0"}),
            "money": add({**base, "num_format": "0.00"}),
            "pct": add({**base, "num_format": "0.00%"}),
            "date": add({**base, "align": "center", "num_format": "yyyy-mm-dd"}),
            "datetime": add({**base, "align": "center", "num_format": "yyyy-mm-dd hh:mm"}),
            "sign": add({"font_name": "宋体", "font_size": 10, "align": "left"}),
        }

    def close(self) -> None:
        self.wb.close()


def _write_ledger(path: pathlib.Path, end: dt.date, sheet: str, title: str, company: str | None,
                  columns: list[str], rows: list[list], kinds: dict[str, str], signature: str | None,
                  group: tuple[str, list[str]] | None = None) -> None:
    """Title, info line, header (one row, or two with ``group`` spanning some columns), rows, signature."""
    book = _Book(path, end)
    ws = book.wb.add_worksheet(sheet)
    f = book.f
    last_col = len(columns) - 1
    ws.merge_range(0, 0, 0, last_col, title, f["title"])
    ws.set_row(0, 30)
    r = 1
    if company:
        ws.merge_range(1, 0, 1, last_col,
                       f"填报单位：{company}        填报日期：{end.year}年{end.month}月{end.day}日", f["info"])
        r = 2
    if group:
        name, members = group
        first = columns.index(members[0])
        ws.merge_range(r, first, r, first + len(members) - 1, name, f["head"])
        for c, col in enumerate(columns):
            if col in members:
                ws.write_string(r + 1, c, col, f["head"])
            else:
                ws.merge_range(r, c, r + 1, c, col, f["head"])
        header_rows = 2
    else:
        for c, col in enumerate(columns):
            ws.write_string(r, c, col, f["head"])
        header_rows = 1
    for c, col in enumerate(columns):
        ws.set_column(c, c, _WIDTHS.get(col, 10))
    r += header_rows
    ws.freeze_panes(r, 0)
    for values in rows:
        for c, (col, v) in enumerate(zip(columns, values)):
            kind = kinds.get(col, "text")
            if v is None or v == "":
                ws.write_blank(r, c, None, f["text"])
            elif kind in ("date", "datetime"):
                ws.write_datetime(r, c, v, f[kind])
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v, f[kind if kind in f else "int"])
            else:
                ws.write_string(r, c, str(v), f[kind if kind in ("center", "text") else "text"])
        r += 1
    if signature:
        r += 1                                              # a blank row, then the signature line
        ws.merge_range(r, 0, r, last_col, signature, f["sign"])
    book.close()


def _signature(cd: CompanyData) -> str:
    a, b, c = cd.people["leaders"]
    return f"填表人：{cd.people['verifiers'][0]}    审核人：{b}    负责人：{a}"


def write_demo_files(out_dir: pathlib.Path, *, seed: int = 2026, end: dt.date = DEMO_END,
                     months: int = 24) -> list[pathlib.Path]:
    """Write the demo workbooks into out_dir (created if needed); return their paths, sorted.
    Same seed → same cell contents (in fact byte-identical files)."""
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    demo = generate_demo(seed, end, months)
    (y0, m0), (y1, m1) = demo.months[0], demo.months[-1]
    period = f"（{y0}年{m0}月—{y1}年{m1}月）"
    paths: list[pathlib.Path] = []
    for company, _ in COMPANIES:
        cd = demo.companies[company]
        short = short_name(company)
        sign = _signature(cd)

        two_row = company == TWO_ROW_HEADER_COMPANY
        cols = HAZARD_COLUMNS_TWO_ROW if two_row else HAZARD_COLUMNS
        rows = []
        for i, h in enumerate(cd.hazards, 1):
            rec = {"序号": i, "隐患编号": h["no"], "发现日期": h["found"], "检查类型": h["source"],
                   "隐患部位": h["location"], "隐患描述": h["description"], "隐患类别": h["category"],
                   "隐患等级": h["level"], "整改措施": h["measures"], "整改责任人": h["owner"],
                   "整改期限": h["deadline"], "整改资金（万元）": h["funds"], "整改状态": h["status"],
                   "整改完成日期": h["rectified"], "验收人": h["verifier"], "备注": h["remarks"]}
            rows.append([rec[c] for c in cols])
        path = out_dir / f"{short}_{LEDGER_FILES['hazards']}.xlsx"
        _write_ledger(path, end, "隐患台账", f"{company}隐患排查治理台账{period}", company, cols, rows,
                      {"序号": "int", "发现日期": "date", "整改期限": "date", "整改完成日期": "date",
                       "整改资金（万元）": "money", "隐患编号": "center", "检查类型": "center",
                       "隐患等级": "center", "整改状态": "center"}, sign,
                      group=("整改情况", HAZARD_GROUP) if two_row else None)
        paths.append(path)

        rows = [[i, a["no"], a["occurred"], a["reported"], a["type"], a["description"], a["deaths"],
                 a["serious"], a["minor"], a["loss"], a["cause_found"], a["handled"], a["measures_done"],
                 a["lessons"]] for i, a in enumerate(cd.accidents, 1)]
        path = out_dir / f"{short}_{LEDGER_FILES['accidents']}.xlsx"
        _write_ledger(path, end, "事故台账", f"{company}生产安全事故台账{period}", company, ACCIDENT_COLUMNS,
                      rows, {"序号": "int", "事故发生时间": "datetime", "上报时间": "datetime", "死亡人数": "int",
                             "重伤人数": "int", "轻伤人数": "int", "直接经济损失（万元）": "money",
                             "事故类别": "center", "原因查清": "center", "责任人处理": "center",
                             "整改措施落实": "center", "教训吸取": "center"}, sign)
        paths.append(path)

        rows = [[i, t["date"], t["topic"], t["kind"], t["planned"], t["attended"], t["passed"], t["hours"]]
                for i, t in enumerate(cd.training, 1)]
        path = out_dir / f"{short}_{LEDGER_FILES['training']}.xlsx"
        _write_ledger(path, end, "培训台账", f"{company}安全教育培训台账{period}", company, TRAINING_COLUMNS,
                      rows, {"序号": "int", "培训日期": "date", "应参训人数": "int", "实参训人数": "int",
                             "考核合格人数": "int", "学时": "int", "培训类别": "center"}, sign)
        paths.append(path)

        rows = [[i, v["month"], v["item"], v["category"], v["planned"], v["actual"]]
                for i, v in enumerate(cd.investment, 1)]
        path = out_dir / f"{short}_{LEDGER_FILES['investment']}.xlsx"
        _write_ledger(path, end, "安全投入台账", f"{company}安全生产投入台账{period}", company,
                      INVESTMENT_COLUMNS, rows, {"序号": "int", "月份": "center", "投入类别": "center",
                                                 "计划投入（万元）": "money", "实际投入（万元）": "money"}, sign)
        paths.append(path)

    rows = []
    for i, ind in enumerate(demo.indicators, 1):
        actual = ind["actual"]
        rows.append([i, ind["company"], ind["year"], ind["indicator"], ind["target"], ind["unit"], actual,
                     ind["weight"]])
    path = out_dir / INDICATOR_FILE
    years = sorted({ind["year"] for ind in demo.indicators})
    _write_indicators(path, end, f"{years[0]}—{years[-1]}年度安全生产目标管理责任书控制指标汇总表", rows)
    paths.append(path)
    return sorted(paths)


def _write_indicators(path: pathlib.Path, end: dt.date, title: str, rows: list[list]) -> None:
    """The group's indicator sheet: rate actuals as percentages, counts and 万元 as numbers."""
    book = _Book(path, end)
    ws = book.wb.add_worksheet("目标责任书指标")
    f = book.f
    cols = INDICATOR_COLUMNS
    ws.merge_range(0, 0, 0, len(cols) - 1, title, f["title"])
    ws.set_row(0, 30)
    for c, col in enumerate(cols):
        ws.write_string(1, c, col, f["head"])
        ws.set_column(c, c, _WIDTHS.get(col, 10))
    ws.freeze_panes(2, 0)
    for r, row in enumerate(rows, 2):
        unit = row[5]
        for c, v in enumerate(row):
            if v is None:
                ws.write_blank(r, c, None, f["text"])
            elif c == 6:
                ws.write_number(r, c, v, f["pct"] if unit == "%" else f["money"] if unit == "万元" else f["int"])
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v, f["int"])
            else:
                ws.write_string(r, c, v, f["center"] if c in (5,) else f["text"])
    book.close()
