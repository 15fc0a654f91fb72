"""Domain rules in isolation: accident level (国务院令第493号), targets in words, dates, company names."""
from __future__ import annotations

import datetime as dt

import pytest

from analytics.companies import registry
from analytics.ingest.normalise import Bad, Context, date, datetime_, month, target
from analytics.rules import accident_level
from tests.builders import HX, LY, new_store


@pytest.mark.parametrize("deaths, serious, loss, level", [
    (0, 0, 0.0, "一般"), (2, 9, 999.99, "一般"), (None, None, None, "一般"),
    (3, 0, 0, "较大"), (0, 10, 0, "较大"), (0, 0, 1000, "较大"), (9, 49, 4999.9, "较大"),
    (10, 0, 0, "重大"), (0, 50, 0, "重大"), (0, 0, 5000, "重大"), (29, 99, 9999, "重大"),
    (30, 0, 0, "特别重大"), (0, 100, 0, "特别重大"), (0, 0, 10000, "特别重大"),
    (1, 12, 200, "较大"),          # the highest level any criterion reaches wins
])
def test_accident_level_boundaries(deaths, serious, loss, level):
    assert accident_level(deaths, serious, loss) == level


@pytest.mark.parametrize("words, comparator, value, pct", [
    ("杜绝死亡事故", "<=", 0, False), ("为零", "<=", 0, False), ("不发生较大及以上事故", "<=", 0, False),
    ("较大及以上事故0起", "<=", 0, False), ("不超过1起", "<=", 1, False), ("不超过一起", "<=", 1, False),
    ("控制在10万元以内", "<=", 10, False), ("≤3", "<=", 3, False), ("<=3", "<=", 3, False),
    ("不低于95%", ">=", 0.95, True), ("不低于９５％", ">=", 0.95, True), ("不少于4次", ">=", 4, False),
    ("不少于四次", ">=", 4, False), ("达到100%", ">=", 1.0, True), ("≥90%", ">=", 0.9, True),
    ("100%", ">=", 1.0, True), (0, "<=", 0, False),
])
def test_targets_in_words(words, comparator, value, pct):
    t = target(words)
    assert (t.comparator, t.value, t.is_percent) == (comparator, pytest.approx(value), pct)


@pytest.mark.parametrize("words", ["争取更好", "95", 95, "95%"])
def test_targets_without_direction_or_number_are_errors(words):
    with pytest.raises(Bad) as e:
        target(words)
    assert e.value.code == "bad_target"


@pytest.mark.parametrize("raw", [dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 0, 0), 46300, 46300.0, "46300",
                                 "2026-10-05", "2026.10.5", "2026/10/05", "2026年10月5日", "2026 年 10 月 5 日",
                                 "10月5日", "10-5", "5日", "20261005", "２０２６．１０．５"])
def test_dates_in_every_style(raw):
    assert date(raw, Context(2026, 10)) == dt.date(2026, 10, 5)


@pytest.mark.parametrize("raw", ["2026-13-01", "2026-02-30", "去年", "10月5日", "1899-01-01", True])
def test_bad_dates(raw):
    with pytest.raises(Bad) as e:
        date(raw, Context())
    assert e.value.code == "bad_date"


def test_datetimes_and_months():
    assert datetime_("2026年10月25日 9:30") == dt.datetime(2026, 10, 25, 9, 30)
    assert datetime_("2026/10/25 10:30") == dt.datetime(2026, 10, 25, 10, 30)
    assert month("2026-03") == month("2026年3月") == month(dt.date(2026, 3, 17)) == dt.date(2026, 3, 1)
    assert month("3月", Context(2026)) == dt.date(2026, 3, 1)


def test_company_names_match_by_alias_suffix_spaces_and_width():
    reg = registry(new_store())
    for raw in ("陇原电力有限公司", "陇原电力", "陇原电力有限责任公司", " 陇原 电力 有限公司 ", "陇原电力（有限公司）",
                "陇原电力公司", "陇原电力股份有限公司"):
        assert reg.match(raw) == LY, raw
    assert reg.match("河西新能") == HX and reg.match("河西新能源有限公司") == HX
    assert reg.match("陇原电力集团有限公司") is None
    assert reg.suggest("陇原电力集团有限公司")[0] == LY
    assert reg.suggest("河西能源")[0] == HX


def test_docs_ingest_lists_every_reason_code_with_its_message():
    from pathlib import Path

    from analytics.ingest.issues import REASONS
    doc = (Path(__file__).resolve().parents[2] / "docs" / "ingest.md").read_text(encoding="utf-8")
    missing = [code for code, msg in REASONS.items() if f"| `{code}` |" not in doc or msg not in doc]
    assert missing == []


def test_accident_times_in_words():
    assert datetime_("2026年10月5日 14时30分") == dt.datetime(2026, 10, 5, 14, 30)
    assert datetime_("2026-10-05 14:30:15") == dt.datetime(2026, 10, 5, 14, 30, 15)
