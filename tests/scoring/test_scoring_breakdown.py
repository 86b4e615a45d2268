import pytest

from scoring.breakdown import breakdown, breakdown_by, trend
from scoring.cvs import wave_cvs
from scoring.nps import net_promoter_score


def test_breakdown_per_attribute_sorted_by_label() -> None:
    # midden 6, 6, 6, 7, 7 -> 32 / 5 = 6.4; noord 8 x 4, 9 x 2 -> 50 / 6 = 8.333; zuid 7 x 5 -> 7.0
    rows = breakdown({"zuid": {7: 5}, "noord": {8: 4, 9: 2}, "midden": {6: 3, 7: 2}}, anonymous={})
    assert [row.label for row in rows] == ["midden", "noord", "zuid"]
    means = [row.figures.mean if row.figures else None for row in rows]
    assert means == pytest.approx([6.4, 50 / 6, 7.0])


def test_a_lone_small_group_takes_the_next_smallest_with_it() -> None:
    # oost (3) is hidden; otherwise total minus the rest would reveal it, so zuid (5),
    # the smallest shown group, is withheld too: 8 hidden respondents >= 5
    rows = breakdown(
        {"noord": {8: 6}, "oost": {6: 2, 9: 1}, "zuid": {7: 5}, "west": {5: 7}}, anonymous={}
    )
    shown = {row.label: row.figures is not None for row in rows}
    assert shown == {"noord": True, "oost": False, "west": True, "zuid": False}
    assert {row.label: row.n for row in rows}["oost"] == 3


def test_small_groups_that_together_reach_the_minimum_protect_each_other() -> None:
    rows = breakdown({"a": {7: 2}, "b": {8: 3}, "c": {9: 10}}, anonymous={})
    assert [row.suppressed for row in rows] == [True, True, False]


def test_all_small_groups_are_all_hidden() -> None:
    rows = breakdown({"a": {7: 2}, "b": {8: 1}}, anonymous={})
    assert all(row.figures is None for row in rows)


def test_breakdown_of_nps_per_segment() -> None:
    # retail: 9, 9, 10, 6, 7 -> 3 promoters, 1 detractor of 5 -> 40
    rows = breakdown_by(
        {"retail": {9: 2, 10: 1, 6: 1, 7: 1}}, net_promoter_score, anonymous={"retail": 5}
    )
    assert rows[0].figures is not None
    assert rows[0].figures.nps == 40.0


def test_trend_judges_each_wave_against_the_one_before() -> None:
    # Q1 6.0: fails. Q2 7.0: passes by level and by +1.0.
    # Q3 has 4 respondents: hidden. Q4 5.0: fails, and Q3 cannot serve as its previous wave.
    waves = [
        ("2024-Q1", {6: 5}),
        ("2024-Q2", {7: 5}),
        ("2024-Q3", {6: 2, 7: 2}),
        ("2024-Q4", {5: 5}),
    ]
    rows = trend(waves, anonymous={})
    assert [row.label for row in rows] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    q1, q2, q3, q4 = (row.figures for row in rows)
    assert q1 is not None and not q1.passing.passed
    assert q2 is not None and q2.passing.by_level and q2.passing.by_improvement
    assert q3 is None
    assert q4 is not None and q4.passing.previous is None and not q4.passing.passed


def test_cvs_trend_from_sum_histograms() -> None:
    # sums 18 -> 6.0, then 21 -> 7.0: passes by level and by improvement
    rows = trend([("spring", {18: 5}), ("autumn", {21: 5})], anonymous={}, figures=wave_cvs)
    autumn = rows[1].figures
    assert autumn is not None
    assert autumn.summary.mean == 7.0
    assert autumn.passing.change == 1.0


def test_dimension_grade_trend_on_the_1_to_10_scale() -> None:
    # 5 x 4, 6 x 1 -> 26 / 5 = 5.2; then 6 x 8, 7 x 2 -> 62 / 10 = 6.2: +1.0 = 10 pp of 10
    waves = [("2023", {5: 4, 6: 1}), ("2024", {6: 8, 7: 2})]
    improved = trend(waves, anonymous={}, low=1)[1].figures
    assert improved is not None and improved.passing.by_improvement
    # 6 x 9, 7 x 1 -> 6.1: +0.9 falls short
    short = trend([("2023", {5: 4, 6: 1}), ("2024", {6: 9, 7: 1})], anonymous={}, low=1)[1]
    short = short.figures
    assert short is not None and not short.passing.by_improvement


def test_a_group_with_a_few_anonymous_respondents_is_hidden_with_what_would_reveal_it() -> None:
    # a: 7 respondents, 2 anonymous -> hidden. Withholding c (6 named) would hide 13, but
    # total minus b would still be a and c, whose anonymous part is only 2: b (6, all
    # anonymous) is withheld instead, the smallest group with anonymous respondents.
    rows = breakdown(
        {"a": {7: 7}, "b": {8: 6}, "c": {9: 5, 6: 1}}, anonymous={"a": 2, "b": 6, "c": 0}
    )
    assert {row.label: row.suppressed for row in rows} == {"a": True, "b": True, "c": False}


def test_a_wave_with_a_few_anonymous_respondents_is_hidden_in_the_trend() -> None:
    rows = trend([("spring", {6: 5}), ("autumn", {7: 5})], anonymous={"spring": 1, "autumn": 5})
    assert rows[0].figures is None
    assert rows[1].figures is not None and rows[1].figures.passing.previous is None
