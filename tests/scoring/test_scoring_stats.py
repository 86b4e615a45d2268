import math

import pytest

from scoring.stats import Summary, merge, summarize


def test_summary_of_a_small_histogram() -> None:
    # scores 6, 7, 7, 8: mean 28 / 4 = 7.0; squared deviations 1 + 0 + 0 + 1 = 2;
    # sample variance 2 / (4 - 1) = 0.6667; sd = sqrt(2/3) = 0.8165
    summary = summarize({6: 1, 7: 2, 8: 1})
    assert summary.n == 4
    assert summary.mean == 7.0
    assert summary.sd == pytest.approx(math.sqrt(2 / 3))


def test_one_respondent_has_a_mean_but_no_spread() -> None:
    assert summarize({9: 1}) == Summary(n=1, mean=9.0, sd=None)


def test_no_respondents_gives_no_figures() -> None:
    assert summarize({}) == Summary(n=0, mean=None, sd=None)


def test_identical_answers_have_zero_spread() -> None:
    assert summarize({7: 5}) == Summary(n=5, mean=7.0, sd=0.0)


def test_a_million_answers_stay_exact() -> None:
    # 10^6 zeros and 10^6 tens: mean 5; variance = (n*sum(x^2) - sum(x)^2) / (n(n-1))
    # = (2e6 * 1e8 - 1e14) / (2e6 * (2e6 - 1)) = 1e14 / 3.999998e12 = 25.0000125
    summary = summarize({0: 10**6, 10: 10**6})
    assert summary.n == 2 * 10**6
    assert summary.mean == 5.0
    assert summary.sd == pytest.approx(math.sqrt(25.0000125), rel=1e-12)


@pytest.mark.parametrize("histogram", [{7: 0}, {7: 3, 8: -1}])
def test_zero_or_negative_counts_are_refused(histogram: dict[int, int]) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        summarize(histogram)


def test_merge_adds_respondents_per_score() -> None:
    merged = merge({1: 2, 3: 1}, {5: 1, 3: 4}, {})
    assert merged == {1: 2, 3: 5, 5: 1}
    assert list(merged) == [1, 3, 5]


def test_merged_summary_is_the_pooled_summary() -> None:
    # two regions answered 6, 7, 7, 8 and 9, 9: pooled mean (28 + 18) / 6 = 7.6667
    assert summarize(merge({6: 1, 7: 2, 8: 1}, {9: 2})).mean == pytest.approx(46 / 6)


def test_merge_refuses_an_invalid_histogram() -> None:
    with pytest.raises(ValueError):
        merge({1: 2}, {3: 0})
