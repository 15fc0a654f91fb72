"""analytics.figures.ranking: which companies are worst, in the orders the captions print."""
import math

import pandas as pd
import pytest

from analytics.figures import ranking
from analytics.figures.metrics import GROUP
from analytics.figures.rag import classify_frame


def _rag(rows):
    base = {"hazards_found": 10, "deaths": 0, "major_accidents": 0, "breaches": 0, "major_overdue": 0, "accidents": 0,
            "late_reports": 0, "four_no_open": 0, "major_open": 0, "on_time_rate": 0.95, "overdue_open": 0}
    return classify_frame(pd.DataFrame([{**base, **r} for r in rows]))


def test_rag_worst_first_colour_then_rules_then_figures():
    df = _rag([{"company": "绿A"},
               {"company": "黄B", "accidents": 1},
               {"company": "红C", "on_time_rate": 0.5},                               # one red rule
               {"company": "红D", "on_time_rate": 0.5, "major_overdue": 2},           # two red rules
               {"company": "红E", "on_time_rate": 0.5, "overdue_open": 40},           # one rule, more overdue
               {"company": "红F", "on_time_rate": 0.4, "overdue_open": 40},           # …and a lower 按期整改率
               {"company": "无G", "hazards_found": 0, "on_time_rate": None}])
    assert list(ranking.rag_worst_first(df)["company"]) == ["红D", "红F", "红E", "红C", "黄B", "绿A", "无G"]
    assert ranking.rag_counts(df) == {"红": 4, "黄": 1, "绿": 1, "无数据": 1}


def test_accidents_worst_first_and_the_quiet_companies():
    df = pd.DataFrame({"company": [GROUP, "a", "b", "c", "d"], "accidents": [4, 0, 2, 1, 1],
                       "deaths": [1, 0, 0, 0, 1], "serious_injuries": [1, 0, 0, 1, 0], "direct_loss": [3.0, 0, 1, 1, 1]})
    listed, quiet = ranking.accidents_worst_first(df)
    assert list(listed["company"]) == [GROUP, "d", "c", "b"] and list(quiet["company"]) == ["a"]


def test_fold_rate_rows_rate_of_the_rest_is_a_ratio_of_sums():
    df = pd.DataFrame({"company": [GROUP] + list("abcde"), "p": [0, 10, 10, 100, 10, 0], "a": [0, 9, 2, 50, 10, 0]})
    df["r"] = [x / y if y else math.nan for x, y in zip(df["a"], df["p"])]
    rows, rest = ranking.fold_rate_rows(df, "p", "a", "r", 2)
    assert list(rows["company"]) == ["b", "c", "其余 3 个单位"] and rest == ["a", "d", "e"]
    assert rows["p"].iloc[-1] == 20 and rows["a"].iloc[-1] == 19 and rows["r"].iloc[-1] == pytest.approx(19 / 20)
    same, none = ranking.fold_rate_rows(df, "p", "a", "r", 5)
    assert none == [] and list(same["company"]) == list("abcde")                    # nothing folded: order kept


def test_attainment_worst_first():
    att = pd.DataFrame({"单位": [GROUP, "a", "b", "c"], "突破": [1, 0, 1, 0], "未达标": [3, 2, 1, 1],
                        "无数据": [0, 0, 0, 0], "达标率": [0.5, 0.3, 0.6, 0.4]})
    assert list(ranking.attainment_worst_first(att)["单位"]) == [GROUP, "b", "a", "c"]
