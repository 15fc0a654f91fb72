"""需要关注 rules (analytics/anomalies.py) on hand-made rows, and once through a store."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics.figures import anomalies as a
from analytics.ingest.pipeline import ingest_file
from analytics.figures.metrics import Window
from tests.builders import HX, LY, golden_files, new_store

M = pd.Timestamp


def monthly(company: str, counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"company": company, "period": [M(k + "-01") for k in counts],
                         "hazards_found": list(counts.values())})


def months(*labels: str) -> list[pd.Timestamp]:
    return [M(x + "-01") for x in labels]


# ---------------------------------------------------------------- 零隐患上报
def test_zero_month_flagged_when_the_company_reports_in_other_months():
    df = monthly(LY, {"2025-11": 2, "2025-12": 4, "2026-01": 3, "2026-02": 0, "2026-03": 5})
    out = a.zero_months(df, months("2026-02", "2026-03"))
    assert out.to_dict("records") == [{"单位": LY, "类型": a.ZERO, "时间": "2026-02",
                                       "情况说明": "2026年02月报送的隐患台账为 0 项；此前 12 个月中有 3 个月上报过隐患"}]


def test_zero_month_needs_enough_active_months_before_it():
    busy = monthly(LY, {"2025-11": 2, "2025-12": 4, "2026-01": 3, "2026-02": 0})
    quiet = monthly(HX, {"2026-01": 3, "2026-02": 0})                      # only one active month before
    out = a.zero_months(pd.concat([busy, quiet]), months("2026-02"))
    assert list(out["单位"]) == [LY] and out["情况说明"].iloc[0].endswith("有 3 个月上报过隐患")


def test_zero_month_not_flagged_when_the_ledger_was_not_submitted():
    df = monthly(LY, {"2025-11": 2, "2025-12": 4, "2026-01": 3, "2026-02": 0})
    assert a.zero_months(df, months("2026-02"), submitted=set()).empty
    assert len(a.zero_months(df, months("2026-02"), submitted={(LY, M("2026-02-01"))})) == 1


def test_missing_months_count_as_zero():
    df = monthly(LY, {"2025-11": 2, "2025-12": 4, "2026-01": 3})           # February has no row at all
    assert list(a.zero_months(df, months("2026-02"))["时间"]) == ["2026-02"]


# ---------------------------------------------------------------- 隐患数骤降
def test_drop_below_forty_percent_of_the_six_month_mean():
    base = {f"2025-{m:02d}": 10 for m in range(7, 13)}                     # mean 10
    df = monthly(LY, base | {"2026-01": 3})
    out = a.drops(df, months("2026-01"))
    assert out.to_dict("records") == [{"单位": LY, "类型": a.DROP, "时间": "2026-01",
                                       "情况说明": "2026年01月排查隐患 3 项，为前 6 个月月均 10.0 项的 30%"}]
    assert a.drops(monthly(LY, base | {"2026-01": 4}), months("2026-01")).empty      # 40 % is not below 40 %


def test_drop_needs_a_baseline_and_leaves_zero_months_to_the_zero_rule():
    small = {f"2025-{m:02d}": 4 for m in range(7, 13)}                     # mean 4 < DROP_MIN_BASELINE
    assert a.drops(monthly(LY, small | {"2026-01": 1}), months("2026-01")).empty
    big = {f"2025-{m:02d}": 10 for m in range(7, 13)}
    assert a.drops(monthly(LY, big | {"2026-01": 0}), months("2026-01")).empty


# ---------------------------------------------------------------- 重复隐患
def hazards(rows: list[tuple]):
    """A store holding these hazards (company, found_date, location, category, hazard_no, description)."""
    s = new_store()
    with s.write() as cur:
        for i, r in enumerate(rows):
            cur.execute("INSERT INTO hazards (batch_id, key, company, found_date, location, category, hazard_no, "
                        "description, level) VALUES (1, ?, ?, ?, ?, ?, ?, ?, '一般')", [f"k{i}", *r])
    return s


OCT_DEC = Window.of(dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def test_four_at_one_location_and_category_within_sixty_days():
    h = hazards([(LY, dt.date(2026, 9, 1), "1号配电室", "用电安全", "A1", "配电箱未接地"),
                 (LY, dt.date(2026, 9, 15), "1号 配电室", "用电安全", "A2", "线路老化"),   # spaces do not matter
                 (LY, dt.date(2026, 10, 1), "1号配电室", "用电安全", "A3", "配电箱未接地"),
                 (LY, dt.date(2026, 10, 20), "1号配电室", "用电安全", "A4", "插座破损"),
                 (LY, dt.date(2026, 10, 21), "1号配电室", "消防安全", "A5", "灭火器过期"),   # other category
                 (HX, dt.date(2026, 10, 22), "1号配电室", "用电安全", "B1", "x")])           # other company
    out = a.repeats(h, OCT_DEC)
    assert len(out) == 1
    r = out.iloc[0]
    assert (r["单位"], r["类型"], r["时间"], r["项数"]) == (LY, a.REPEAT, "2026-09-01～2026-10-20", 4)
    assert r["情况说明"] == "1号配电室·用电安全：60 天内发现 4 项（A1、A2、A3、A4）：配电箱未接地、线路老化、插座破损"


def test_repeats_outside_sixty_days_too_few_or_before_the_window_are_not_flagged():
    spread = hazards([(LY, dt.date(2026, 8, 1), "仓库", "消防安全", "A1", "x"),
                      (LY, dt.date(2026, 8, 15), "仓库", "消防安全", "A2", "x"),
                      (LY, dt.date(2026, 9, 1), "仓库", "消防安全", "A3", "x"),
                      (LY, dt.date(2026, 10, 1), "仓库", "消防安全", "A4", "x")])          # 61 days apart
    assert a.repeats(spread, OCT_DEC).empty
    three = hazards([(LY, dt.date(2026, 10, d), "仓库", "消防安全", f"A{d}", "x") for d in (1, 2, 3)])
    assert a.repeats(three, OCT_DEC).empty                                  # three are not yet a pattern
    before = hazards([(LY, dt.date(2026, 7, d), "仓库", "消防安全", f"A{d}", "x") for d in (1, 8, 15, 22)])
    assert a.repeats(before, OCT_DEC).empty                                 # all before October
    no_place = hazards([(LY, dt.date(2026, 10, d), None, "消防安全", f"A{d}", "x") for d in (1, 2, 3, 4)])
    assert a.repeats(no_place, OCT_DEC).empty                               # without a location, no claim
    blank = hazards([(LY, dt.date(2026, 10, d), " ", "消防安全", f"A{d}", "x") for d in (1, 2, 3, 4)])
    assert a.repeats(blank, OCT_DEC).empty


def test_repeats_report_the_densest_span_and_count_a_day_whole():
    rows = [(LY, dt.date(2026, 10, d), "仓库", None, f"A{d:02d}", "堆放杂物") for d in (1, 10, 20, 30)]
    rows += [(LY, dt.date(2026, 11, 20), "仓库", None, f"B{i}", "通道堵塞") for i in (1, 2, 3, 4, 5)]   # one day, 5
    rows += [(HX, dt.date(2026, 12, d), "ＡＢ 车间", "机械设备", None, "护罩缺失") for d in (1, 2, 3, 4)]
    out = a.repeats(hazards(rows), OCT_DEC)
    assert out[["单位", "时间", "项数"]].values.tolist() == [
        [LY, "2026-10-01～2026-11-20", 9], [HX, "2026-12-01～2026-12-04", 4]]
    assert out["情况说明"].tolist() == [
        "仓库·未填写类别：60 天内发现 9 项（A01、A10、A20、A30、B1、B2、B3、B4、B5）：堆放杂物、通道堵塞",
        "ＡＢ 车间·机械设备：60 天内发现 4 项：护罩缺失"]
    assert a.repeats(hazards(rows), OCT_DEC, [HX])["单位"].tolist() == [HX]


def test_repeats_without_detail_are_the_same_spans_without_the_hazard_lists():
    rows = [(LY, dt.date(2026, 10, d), "仓库", None, f"A{d:02d}", "堆放杂物") for d in (1, 10, 20, 30)]
    rows += [(LY, dt.date(2026, 11, 20), "仓 库", None, f"B{i}", "通道堵塞") for i in (1, 2, 3, 4, 5)]
    rows += [(HX, dt.date(2026, 12, d), "ＡＢ 车间", "机械设备", f"C{d}", "护罩缺失") for d in (1, 2, 3, 4)]
    s = hazards(rows)
    full, short = a.repeats(s, OCT_DEC), a.repeats(s, OCT_DEC, detail=False)
    assert short[["单位", "时间", "项数"]].values.tolist() == full[["单位", "时间", "项数"]].values.tolist() == [
        [LY, "2026-10-01～2026-11-20", 9], [HX, "2026-12-01～2026-12-04", 4]]
    # the location as typed on the span's last hazard, in both forms
    assert short["情况说明"].tolist() == ["仓 库·未填写类别：60 天内发现 9 项", "ＡＢ 车间·机械设备：60 天内发现 4 项"]
    assert [f.startswith(x + "（") for f, x in zip(full["情况说明"], short["情况说明"])] == [True, True]
    flags, flags_short = a.find(s, OCT_DEC), a.find(s, OCT_DEC, detail=False)
    assert len(flags) == 2 and a.summary(flags_short).equals(a.summary(flags))


# ---------------------------------------------------------------- 台账未报送
def subs(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["company", "month", "ledger", "batches"])


def test_missing_ledgers_after_the_due_day_one_line_per_company_month():
    s = subs([(LY, dt.date(2026, 9, 1), "hazards", 0), (LY, dt.date(2026, 9, 1), "training", 0),
              (LY, dt.date(2026, 9, 1), "accidents", 1), (LY, dt.date(2026, 9, 1), "investment", 1),
              (LY, dt.date(2026, 9, 1), "indicators", 0),                        # yearly: never checked
              (LY, dt.date(2026, 10, 1), "hazards", 0)])
    out = a.missing(s, months("2026-09", "2026-10"), as_of=dt.date(2026, 10, 6))   # Oct due 11-05: not yet
    assert out.to_dict("records") == [{"单位": LY, "类型": a.MISSING, "时间": "2026-09",
                                       "情况说明": "2026年09月未上传：隐患排查治理台账、安全教育培训台账"}]
    assert a.missing(s, months("2026-09"), as_of=dt.date(2026, 10, 5)).empty      # on the due day: not late


def test_missing_not_checked_before_the_group_first_uploaded_a_ledger():
    s = subs([(LY, dt.date(2026, 9, 1), "hazards", 0), (LY, dt.date(2026, 9, 1), "training", 0)])
    out = a.missing(s, months("2026-09"), dt.date(2026, 11, 1), started={"hazards": M("2026-10-01")})
    assert out.empty                                     # hazards start in October; training never uploaded
    assert a.missing(s, months("2026-09"), dt.date(2026, 11, 1), started={}).empty   # nothing uploaded (all reverted)


# ---------------------------------------------------------------- through the store
@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("anomalies")
    s = new_store()
    for p in golden_files(tmp).values():
        assert ingest_file(s, p, today=dt.date(2026, 11, 5), uploaded_by="测试").status == "loaded"
    return s


def test_find_on_the_golden_ledgers(loaded):
    # The group first uploaded accident, training and investment ledgers for September, hazards for October
    # (each upload covers the months it speaks for). September is past its due day on 2026-11-02; 河西新能源
    # sent no accident (零报告), training or investment ledger for it. Nothing else is flagged: no zero month
    # with enough history, no drop, no repeated location.
    ytd = Window.of(dt.date(2026, 1, 1), dt.date(2026, 11, 2))
    out = a.find(loaded, ytd)
    assert out[a.COLUMNS].to_dict("records") == [
        {"单位": HX, "类型": a.MISSING, "时间": "2026-09",
         "情况说明": "2026年09月未上传：生产安全事故台账、安全教育培训台账、安全生产投入台账"}]
    assert a.summary(out).to_dict("records") == [{"单位": HX, "需要关注": "台账未报送 1 个月（2026-09）"}]
    assert a.find(loaded, ytd, [LY]).empty
    assert a.finished_months(Window.of(dt.date(2026, 10, 1), dt.date(2026, 10, 30))) == []


def test_rule_texts_carry_the_thresholds():
    assert f"{a.REPEAT_DAYS} 天内发现 {a.REPEAT_MIN} 项及以上" in a.RULES[a.REPEAT]
    assert f"{a.DROP_RATIO:.0%}" in a.RULES[a.DROP] and f"{a.DROP_MIN_BASELINE:g} 项" in a.RULES[a.DROP]
    assert f"次月 {a.SUBMISSION_DUE_DAY} 日" in a.RULES[a.MISSING]
    assert set(a.RULES) == set(a.KINDS)


def test_before_is_the_sum_over_the_n_preceding_months():
    import numpy as np
    from analytics.figures.anomalies import _before
    rng = np.random.default_rng(7)
    mat = pd.DataFrame(rng.integers(0, 9, size=(5, 20)), index=list("abcde"),
                       columns=pd.date_range("2025-01-01", periods=20, freq="MS"))
    for n in (1, 6, 12, 25):
        want = mat.T.rolling(n, min_periods=1).sum().shift(1).fillna(0).T      # the definition, in pandas
        pd.testing.assert_frame_equal(_before(mat, n), want.astype("float64"))


def test_repeats_time_is_the_span_not_the_group_first_hazard():
    rows = [(LY, dt.date(2026, 8, 5), "仓库", "消防安全", "A0", "x")]                       # same group, long before
    rows += [(LY, dt.date(2026, 10, d), "仓库", "消防安全", f"A{d}", "x") for d in (10, 11, 12, 13)]
    s = hazards(rows)
    for detail in (True, False):
        assert a.repeats(s, OCT_DEC, detail=detail)[["时间", "项数"]].values.tolist() == [["2026-10-10～2026-10-13", 4]]


@pytest.mark.parametrize("seed", range(40))
def test_zero_and_drop_rules_equal_a_cell_by_cell_reading_of_their_definition(seed):
    import random
    r = random.Random(seed)
    comps = [f"c{i}" for i in range(r.randint(1, 6))]
    span = list(pd.date_range("2024-01-01", "2026-12-01", freq="MS"))
    found = {}
    for c in comps:
        base = r.choice([0, 3, 8, 20])
        for p in span:
            if r.random() < 0.8:           # a month missing from the frame counts as 0
                found[c, p] = 0 if r.random() < 0.15 else max(0, int(r.gauss(base, base / 2 + 1)))
    rows = [[c, p.date(), n] for (c, p), n in found.items()]
    r.shuffle(rows)
    df = pd.DataFrame(rows, columns=["company", "period", "hazards_found"])
    order = list(dict.fromkeys(df["company"]))
    start = r.randint(12, len(span) - 1)
    judged = span[start:start + r.randint(1, 12)]
    sub = {(c, m) for c in comps for m in judged if r.random() < 0.8}
    n = lambda c, m: found.get((c, m), 0)                                       # noqa: E731
    before = lambda c, m, k: [n(c, m - pd.DateOffset(months=i)) for i in range(1, k + 1)]   # noqa: E731
    want_zero = [(c, f"{m:%Y-%m}", sum(x > 0 for x in before(c, m, a.ZERO_LOOKBACK_MONTHS)))
                 for c in order for m in judged
                 if n(c, m) == 0 and sum(x > 0 for x in before(c, m, a.ZERO_LOOKBACK_MONTHS)) >= a.ZERO_MIN_ACTIVE_MONTHS
                 and (c, m) in sub]
    got = a.zero_months(df, judged, sub)
    assert [[u, t] for u, t, _ in want_zero] == got[["单位", "时间"]].values.tolist()
    assert all(f"有 {k} 个月上报过" in text for (_, _, k), text in zip(want_zero, got["情况说明"]))
    base = lambda c, m: sum(before(c, m, a.DROP_BASELINE_MONTHS)) / a.DROP_BASELINE_MONTHS   # noqa: E731
    want_drop = [[c, f"{m:%Y-%m}"] for c in order for m in judged
                 if 0 < n(c, m) < a.DROP_RATIO * base(c, m) and base(c, m) >= a.DROP_MIN_BASELINE]
    assert want_drop == a.drops(df, judged)[["单位", "时间"]].values.tolist()


def test_the_summary_lists_the_companies_with_most_flags_first():
    """总览 / 会议's 需要关注 list at 200 companies: the most flagged first; ties keep the flags' (registry) order."""
    rows = [("乙公司", a.REPEAT, "2026-01", "部位A：隐患", 2), ("甲公司", a.REPEAT, "2026-02", "部位B：隐患", 3),
            ("乙公司", a.REPEAT, "2026-03", "部位C：隐患", 2), ("丙公司", a.REPEAT, "2026-04", "部位D：隐患", 2),
            ("丁公司", a.REPEAT, "2026-05", "部位E：隐患", 2)]
    flags = pd.DataFrame(rows, columns=["单位", "类型", "时间", "情况说明", "项数"])
    assert list(a.summary(flags)["单位"]) == ["乙公司", "甲公司", "丙公司", "丁公司"]
    assert a.summary(flags)["需要关注"].iloc[0].startswith(f"{a.REPEAT} 2 处")
