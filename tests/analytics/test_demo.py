"""Tests of analytics/demo.py: the demo ledgers, read back from the written Excel files."""
from __future__ import annotations

import ast
import collections
import datetime as dt
import hashlib
import pathlib
import re
import time

import openpyxl
import pytest

from analytics import demo
from analytics.demo import COMPANIES, DEMO_END, write_demo_files

START = dt.date(2024, 12, 1)                       # 24 months ending DEMO_END: 2024-12 … 2026-11
SHORT = {full: aliases[0] for full, aliases in COMPANIES}
FLAGS = {"是", "否"}
GB6441 = {"物体打击", "车辆伤害", "机械伤害", "起重伤害", "触电", "淹溺", "灼烫", "火灾", "高处坠落", "坍塌", "冒顶片帮",
          "透水", "放炮", "火药爆炸", "瓦斯爆炸", "锅炉爆炸", "容器爆炸", "其它爆炸", "中毒和窒息", "其它伤害"}


# ----------------------------------------------------------------------------- fixtures / helpers

@pytest.fixture(scope="module")
def written(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("demo_a"), tmp_path_factory.mktemp("demo_b")
    t0 = time.perf_counter()
    paths_a = write_demo_files(a)
    elapsed = time.perf_counter() - t0
    paths_b = write_demo_files(b)
    return {"a": a, "b": b, "paths_a": paths_a, "paths_b": paths_b, "elapsed": elapsed}


_BOOKS: dict[pathlib.Path, openpyxl.Workbook] = {}


def book(path: pathlib.Path) -> openpyxl.Workbook:
    if path not in _BOOKS:
        _BOOKS[path] = openpyxl.load_workbook(path)
    return _BOOKS[path]


def read_ledger(path: pathlib.Path, key: str) -> tuple[list[dict], list]:
    """Data rows as dicts, found the way a person reads the sheet: the header row holds ``key``;
    a second header row (two-row merged header) fills in the names under a group heading;
    data stops at the first blank row. Returns (records, all rows)."""
    ws = book(path).active
    rows = list(ws.iter_rows(values_only=True))
    hi = next(i for i, r in enumerate(rows) if key in r)
    header = list(rows[hi])
    first = hi + 1
    if first < len(rows) and rows[first][0] is None and any(v for v in rows[first]):
        header = [sub if sub is not None else top for top, sub in zip(header, rows[first])]
        first += 1
    records = []
    for r in rows[first:]:
        if all(v is None for v in r):
            break
        records.append(dict(zip(header, r)))
    return records, rows


def as_date(v) -> dt.date:
    assert isinstance(v, dt.datetime), f"not a date cell: {v!r}"
    return v.date()


def hazards(written, company: str) -> list[dict]:
    return read_ledger(written["a"] / f"{SHORT[company]}_隐患排查治理台账.xlsx", "隐患编号")[0]


def accidents(written, company: str) -> list[dict]:
    return read_ledger(written["a"] / f"{SHORT[company]}_生产安全事故台账.xlsx", "事故编号")[0]


def indicators(written) -> list[dict]:
    return read_ledger(written["a"] / "目标责任书指标.xlsx", "指标名称")[0]


def rectification_rate(rows: list[dict], start: dt.date, to: dt.date) -> float:
    """DOMAIN §3 隐患整改率 over [start, to], as of ``to``."""
    found = [r for r in rows if start <= as_date(r["发现日期"]) <= to]
    done = [r for r in found if r["整改完成日期"] is not None and as_date(r["整改完成日期"]) <= to]
    return len(done) / len(found)


# ----------------------------------------------------------------------------- files and determinism

def test_file_set(written):
    expected = sorted([written["a"] / f"{SHORT[c]}_{kind}.xlsx" for c, _ in COMPANIES
                       for kind in ("隐患排查治理台账", "生产安全事故台账", "安全教育培训台账", "安全生产投入台账")]
                      + [written["a"] / "目标责任书指标.xlsx"])
    assert len(expected) == 8 * 4 + 1
    assert written["paths_a"] == expected
    assert sorted(written["a"].iterdir()) == expected


def test_same_seed_same_cells(written):
    assert [p.name for p in written["paths_a"]] == [p.name for p in written["paths_b"]]
    for pa, pb in zip(written["paths_a"], written["paths_b"]):
        wa, wb = book(pa), book(pb)
        assert wa.sheetnames == wb.sheetnames
        for sa, sb in zip(wa.worksheets, wb.worksheets):
            assert list(sa.iter_rows(values_only=True)) == list(sb.iter_rows(values_only=True)), pa.name
            assert sorted(map(str, sa.merged_cells.ranges)) == sorted(map(str, sb.merged_cells.ranges))
        # stronger: the files are byte-identical (a re-generated demo upload is "the same file")
        assert hashlib.sha256(pa.read_bytes()).digest() == hashlib.sha256(pb.read_bytes()).digest(), pa.name


def test_other_seed_other_cells(tmp_path):
    p = write_demo_files(tmp_path, seed=7)
    name = f"{SHORT[COMPANIES[0][0]]}_隐患排查治理台账.xlsx"
    other = read_ledger(tmp_path / name, "隐患编号")[0]
    base = demo.generate_demo(2026).companies[COMPANIES[0][0]].hazards
    assert len(p) == 33
    assert [r["隐患描述"] for r in other] != [h["description"] for h in base]


def test_never_imports_streamlit():
    tree = ast.parse(pathlib.Path(demo.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "streamlit" not in imported


def test_companies_contract():
    assert len(COMPANIES) == 8
    assert DEMO_END == dt.date(2026, 11, 25)
    for full, aliases in COMPANIES:
        assert full.endswith(("有限公司", "有限责任公司")) and 1 <= len(aliases) <= 2
    assert demo.month_list()[0] == (2024, 12) and demo.month_list()[-1] == (2026, 11)


# ----------------------------------------------------------------------------- layout

def test_layout_title_info_signature_and_date_cells(written):
    for full, _ in COMPANIES:
        path = written["a"] / f"{SHORT[full]}_隐患排查治理台账.xlsx"
        rows = read_ledger(path, "隐患编号")[1]
        assert rows[0][0] == f"{full}隐患排查治理台账（2024年12月—2026年11月）"
        assert rows[1][0] == f"填报单位：{full}        填报日期：2026年11月25日"
        assert re.fullmatch(r"填表人：\S+    审核人：\S+    负责人：\S+", rows[-1][0])
        assert all(v is None for v in rows[-2])                      # blank row before the signature
        ws = book(path).active
        assert "A1:P1" in {str(r) for r in ws.merged_cells.ranges}    # merged title
        hdr = next(i for i, r in enumerate(rows, 1) if "隐患编号" in r)
        data_row = hdr + (2 if full == demo.TWO_ROW_HEADER_COMPANY else 1)
        col = rows[hdr - 1].index("发现日期") + 1
        assert ws.cell(data_row, col).number_format == "yyyy-mm-dd"


def test_two_row_merged_header(written):
    path = written["a"] / f"{SHORT[demo.TWO_ROW_HEADER_COMPANY]}_隐患排查治理台账.xlsx"
    ws = book(path).active
    rows = list(ws.iter_rows(values_only=True))
    top, sub = rows[2], rows[3]
    i = top.index("整改情况")
    assert list(sub[i:i + 4]) == ["整改措施", "整改责任人", "整改期限", "整改完成日期"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    letters = [openpyxl.utils.get_column_letter(c) for c in (i + 1, i + 4)]
    assert f"{letters[0]}3:{letters[1]}3" in merged
    for c, name in enumerate(top, 1):
        if name and name != "整改情况":
            col = openpyxl.utils.get_column_letter(c)
            assert f"{col}3:{col}4" in merged, name                   # other headers span both rows
    # the other companies use a single header row
    other = written["a"] / f"{SHORT[COMPANIES[0][0]]}_隐患排查治理台账.xlsx"
    assert "整改情况" not in list(book(other).active.iter_rows(values_only=True))[2]


# ----------------------------------------------------------------------------- hazards

def test_hazard_rules_hold_in_the_files(written):
    for full, _ in COMPANIES:
        rows = hazards(written, full)
        assert rows, full
        numbers = [r["隐患编号"] for r in rows]
        assert len(set(numbers)) == len(numbers), f"{full}: duplicate 隐患编号"
        code = demo.PROFILES[full].code
        for r in rows:
            where = f"{full} {r['隐患编号']}"
            assert re.fullmatch(rf"{code}-20\d\d-\d{{4}}", r["隐患编号"]), where
            found, deadline = as_date(r["发现日期"]), as_date(r["整改期限"])
            assert START <= found <= DEMO_END, where
            assert deadline >= found, where
            assert r["隐患等级"] in ("一般隐患", "重大隐患"), where
            assert r["整改状态"] in ("已整改", "整改中", "未整改"), where
            assert r["隐患类别"] in demo.HAZARD_CATEGORIES, where
            assert r["检查类型"] in ("公司自查", "集团督查", "第三方检查", "专项检查", "上级检查"), where
            assert r["隐患描述"] and r["整改措施"] and r["整改责任人"] and r["隐患部位"], where
            done = r["整改完成日期"]
            assert (r["整改状态"] == "已整改") == (done is not None), where      # rectified ⇔ completion date
            if done is not None:
                assert found <= as_date(done) <= DEMO_END, where
                assert r["验收人"], where
            if r["隐患等级"] == "重大隐患":
                assert r["整改资金（万元）"] and r["整改资金（万元）"] > 0, where  # 五落实: funds
        # mostly rectified on time; recent ones mostly open; a few overdue
        old = [r for r in rows if as_date(r["发现日期"]) <= DEMO_END - dt.timedelta(days=90)]
        assert sum(r["整改完成日期"] is not None for r in old) / len(old) > 0.85, full
        ontime = [r for r in old if r["整改完成日期"] and as_date(r["整改完成日期"]) <= as_date(r["整改期限"])]
        assert len(ontime) / len(old) > 0.55, full


def test_recent_hazards_mostly_open_older_mostly_rectified(written):
    recent = old = recent_open = old_open = 0
    for full, _ in COMPANIES:
        for r in hazards(written, full):
            age = (DEMO_END - as_date(r["发现日期"])).days
            if age <= 7:
                recent += 1
                recent_open += r["整改完成日期"] is None
            elif age > 60:
                old += 1
                old_open += r["整改完成日期"] is None
    assert recent_open / recent > 0.5
    assert 0 < old_open / old < 0.03


def test_monthly_counts_and_exactly_one_zero_month(written):
    zero = []
    per_company = {}
    for full, _ in COMPANIES:
        per = collections.Counter((as_date(r["发现日期"]).year, as_date(r["发现日期"]).month)
                                  for r in hazards(written, full))
        per_company[full] = per
        for ym in demo.month_list():
            n = per.get(ym, 0)
            if n == 0:
                zero.append((full, ym))
            else:
                assert 5 <= n <= 46, (full, ym, n)
    assert zero == [(demo.ZERO_HAZARD_COMPANY, (2026, 2))]
    # the mining and chemical companies find the most hazards
    totals = {c: sum(p.values()) for c, p in per_company.items()}
    top_two = sorted(totals, key=totals.get, reverse=True)[:2]
    assert set(top_two) == {"祁连矿业有限责任公司", "黄河化工有限公司"}
    # seasonality: winter inspection months above February (Spring Festival) for the group
    group = collections.Counter()
    for p in per_company.values():
        group.update(p)
    for y in (2025, 2026):
        assert group[(y, 1)] > 1.4 * group[(y, 2)]
        assert group[(y, 6)] > group[(y, 5)]                          # 安全生产月


def test_major_hazards(written):
    rows = [(full, r) for full, _ in COMPANIES for r in hazards(written, full)]
    majors = [(c, r) for c, r in rows if r["隐患等级"] == "重大隐患"]
    assert 0.008 <= len(majors) / len(rows) <= 0.025
    still_open = [(c, r) for c, r in majors if r["整改状态"] != "已整改"]
    assert still_open
    for c, r in still_open:
        assert r["整改责任人"] and r["整改期限"] and r["整改措施"]
    # an overdue open major at the red company, an open one within its deadline at the amber one
    assert any(c == demo.RED_COMPANY and as_date(r["整改期限"]) < DEMO_END for c, r in still_open)
    assert any(c == demo.AMBER_COMPANY and as_date(r["整改期限"]) >= DEMO_END for c, r in still_open)
    # green companies have no open major hazard
    assert {c for c, _ in still_open} <= {demo.RED_COMPANY, demo.AMBER_COMPANY}


def test_red_company_is_visibly_worst_at_rectification(written):
    y0, to = dt.date(2026, 1, 1), DEMO_END
    rates = {full: rectification_rate(hazards(written, full), y0, to) for full, _ in COMPANIES}
    assert min(rates, key=rates.get) == demo.RED_COMPANY
    assert rates[demo.RED_COMPANY] < 0.94
    for full, rate in rates.items():
        if full not in (demo.RED_COMPANY, demo.AMBER_COMPANY):
            assert rate >= 0.95, (full, rate)                         # green: target 95 % met

    def overdue(full):
        return sum(1 for r in hazards(written, full)
                   if r["整改完成日期"] is None and as_date(r["整改期限"]) < DEMO_END)
    assert overdue(demo.RED_COMPANY) == max(overdue(c) for c, _ in COMPANIES)


def test_repeated_hazards_at_same_place(written):
    for full, _ in COMPANIES:
        seen: dict[tuple, dt.date] = {}
        repeats = 0
        for r in hazards(written, full):
            key = (r["隐患部位"], r["隐患类别"], r["隐患描述"])
            found = as_date(r["发现日期"])
            if key in seen and 0 < (found - seen[key]).days <= 120 and "重复出现" in (r["备注"] or ""):
                repeats += 1
            seen[key] = found
        assert repeats >= 2, full


# ----------------------------------------------------------------------------- accidents

def test_accidents(written):
    all_rows = {full: accidents(written, full) for full, _ in COMPANIES}
    total = sum(len(v) for v in all_rows.values())
    assert 8 <= total <= 12
    deaths = {full: sum(r["死亡人数"] for r in rows) for full, rows in all_rows.items()}
    assert deaths["祁连矿业有限责任公司"] == 3
    assert sum(1 for d in deaths.values() if d == 0) == 7                # zero deaths for the others
    larger = [r for r in all_rows["祁连矿业有限责任公司"] if r["死亡人数"] >= 3]
    assert len(larger) == 1 and larger[0]["死亡人数"] == 3                  # the 较大 accident
    occurred = larger[0]["事故发生时间"]
    assert (occurred.year, occurred.month) == (2025, 9)                  # 14 months before the end
    late = 0
    latest = None
    for full, rows in all_rows.items():
        for r in rows:
            occ, rep = r["事故发生时间"], r["上报时间"]
            assert isinstance(occ, dt.datetime) and isinstance(rep, dt.datetime)
            assert START <= occ.date() <= DEMO_END and rep >= occ
            late += rep - occ > dt.timedelta(hours=1)
            assert r["事故类别"] in GB6441
            assert {r[k] for k in ("原因查清", "责任人处理", "整改措施落实", "教训吸取")} <= FLAGS
            assert r["死亡人数"] + r["重伤人数"] + r["轻伤人数"] >= 1
            if latest is None or occ > latest["事故发生时间"]:
                latest = r
    assert 1 <= late <= 2
    assert "否" in {latest[k] for k in ("原因查清", "责任人处理", "整改措施落实", "教训吸取")}
    # companies without accidents still send the ledger: header, no data rows
    empty = [full for full, rows in all_rows.items() if not rows]
    assert empty
    for full in empty:
        rows = read_ledger(written["a"] / f"{SHORT[full]}_生产安全事故台账.xlsx", "事故编号")[1]
        assert "死亡人数" in rows[2] and all(v is None for v in rows[3])


# ----------------------------------------------------------------------------- training, investment

def test_training(written):
    kinds = {"主要负责人", "安全管理人员", "特种作业人员", "三级安全教育", "全员培训", "其他"}
    for full, _ in COMPANIES:
        rows, _ = read_ledger(written["a"] / f"{SHORT[full]}_安全教育培训台账.xlsx", "培训内容")
        per = collections.Counter()
        for r in rows:
            d = as_date(r["培训日期"])
            assert START <= d <= DEMO_END
            per[(d.year, d.month)] += 1
            assert r["培训类别"] in kinds and r["培训内容"]
            assert 0 < r["实参训人数"] <= r["应参训人数"]
            assert 0 <= r["考核合格人数"] <= r["实参训人数"]
            assert r["学时"] > 0
        assert all(2 <= per[ym] <= 5 for ym in demo.month_list()), full
        completion = sum(r["实参训人数"] for r in rows) / sum(r["应参训人数"] for r in rows)
        assert 0.85 <= completion <= 1.0


def test_investment(written):
    cats = {"安全设施", "安全培训", "应急管理", "劳动防护", "隐患治理", "安全评价"}
    for full, _ in COMPANIES:
        rows, _ = read_ledger(written["a"] / f"{SHORT[full]}_安全生产投入台账.xlsx", "投入项目")
        per = collections.Counter()
        for r in rows:
            m = re.fullmatch(r"(\d{4})年(\d{1,2})月", r["月份"])
            assert m, r["月份"]
            per[(int(m[1]), int(m[2]))] += 1
            assert r["投入类别"] in cats and r["投入项目"]
            assert r["计划投入（万元）"] > 0
            assert 0.69 <= r["实际投入（万元）"] / r["计划投入（万元）"] <= 1.11
        assert sorted(per) == demo.month_list() and all(2 <= n <= 3 for n in per.values()), full


# ----------------------------------------------------------------------------- indicators

def test_indicators(written):
    rows = indicators(written)
    derived = {"事故起数", "死亡人数", "重伤人数", "直接经济损失", "隐患整改率", "按期整改率", "重大隐患整改率",
               "培训完成率", "培训合格率", "安全投入完成率"}
    by = collections.defaultdict(list)
    for r in rows:
        by[(r["单位"], r["年度"])].append(r)
        assert r["指标名称"] in derived and r["控制目标"] and r["计量单位"] and r["权重"] > 0
    assert set(by) == {(c, y) for c, _ in COMPANIES for y in (2025, 2026)}
    for key, items in by.items():
        assert 6 <= len(items) <= 8, key
        assert sum(r["权重"] for r in items) == 100, key
        assert len({r["指标名称"] for r in items}) == len(items), key
    filled_2025 = [r for r in rows if r["年度"] == 2025 and r["完成值"] is not None]
    filled_2026 = [r for r in rows if r["年度"] == 2026 and r["完成值"] is not None]
    assert len(filled_2025) >= 0.9 * sum(1 for r in rows if r["年度"] == 2025)
    assert len(filled_2026) <= 0.1 * sum(1 for r in rows if r["年度"] == 2026)
    assert {r["控制目标"] for r in rows} >= {"杜绝死亡事故", "隐患整改率不低于95%", "重大隐患整改率达到100%"}


def test_reported_2025_values_match_the_ledgers_except_the_misreported(written):
    rows = {(r["单位"], r["年度"], r["指标名称"]): r["完成值"] for r in indicators(written)}
    y0, y1 = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    # an honest one: reported = ledger (DOMAIN §3, as of 2025-12-31)
    honest = rectification_rate(hazards(written, "陇原电力有限公司"), y0, y1)
    assert rows[("陇原电力有限公司", 2025, "隐患整改率")] == pytest.approx(honest, abs=1e-4)
    # the red company reports a far better rectification rate than its ledger shows
    ledger = rectification_rate(hazards(written, demo.RED_COMPANY), y0, y1)
    assert rows[(demo.RED_COMPANY, 2025, "隐患整改率")] - ledger > 0.02
    # 丝路物流 reports a smaller direct loss than its accident ledger shows
    loss = sum(r["直接经济损失（万元）"] for r in accidents(written, "丝路物流有限公司")
               if r["事故发生时间"].year == 2025)
    assert loss > 10 and rows[("丝路物流有限公司", 2025, "直接经济损失")] == 8.5
    # deaths reported for 2025 match the accident ledgers
    for full, _ in COMPANIES:
        d = sum(r["死亡人数"] for r in accidents(written, full) if r["事故发生时间"].year == 2025)
        assert rows[(full, 2025, "死亡人数")] == d


# ----------------------------------------------------------------------------- other windows

def test_custom_window(tmp_path):
    end = dt.date(2025, 6, 18)
    paths = write_demo_files(tmp_path / "short", seed=3, end=end, months=6)
    assert len(paths) == 33
    start = dt.date(2025, 1, 1)
    for full, _ in COMPANIES:
        rows, _ = read_ledger(tmp_path / "short" / f"{SHORT[full]}_隐患排查治理台账.xlsx", "隐患编号")
        for r in rows:
            found = as_date(r["发现日期"])
            assert start <= found <= end
            assert (r["整改状态"] == "已整改") == (r["整改完成日期"] is not None)
            if r["整改完成日期"] is not None:
                assert found <= as_date(r["整改完成日期"]) <= end
        acc, _ = read_ledger(tmp_path / "short" / f"{SHORT[full]}_生产安全事故台账.xlsx", "事故编号")
        assert all(start <= r["事故发生时间"].date() <= end for r in acc)
