import math

import pytest

from scoring.margin import margin_of_error, response_rate, z_value
from scoring.stats import Summary, summarize

# scores 6, 7, 7, 8: n = 4, sd = sqrt(2/3) = 0.8165
FOUR = summarize({6: 1, 7: 2, 8: 1})


@pytest.mark.parametrize(
    ("confidence", "z"), [(0.90, 1.644854), (0.95, 1.959964), (0.99, 2.575829)]
)
def test_z_values(confidence: float, z: float) -> None:
    assert z_value(confidence) == pytest.approx(z, abs=1e-6)


def test_margin_of_a_mean() -> None:
    # se = 0.8165 / sqrt(4) = 0.40825; margin = 1.959964 * 0.40825 = 0.80015
    assert margin_of_error(FOUR) == pytest.approx(0.80015, abs=1e-5)


def test_finite_population_correction() -> None:
    # 4 of 10 invited: correction sqrt((10 - 4) / (10 - 1)) = 0.8165 -> 0.80015 * 0.8165 = 0.65332
    assert margin_of_error(FOUR, population=10) == pytest.approx(0.65332, abs=1e-5)


def test_higher_confidence_gives_a_wider_margin() -> None:
    # 2.575829 / 1.959964 times the 95 % margin
    assert margin_of_error(FOUR, confidence=0.99) == pytest.approx(
        0.80015 * 2.575829 / 1.959964, abs=1e-5
    )


def test_everyone_invited_answered_means_no_sampling_error() -> None:
    assert margin_of_error(FOUR, population=4) == 0.0


def test_more_respondents_than_invited_skips_the_correction() -> None:
    assert margin_of_error(FOUR, population=3) == margin_of_error(FOUR)


@pytest.mark.parametrize("summary", [Summary(1, 7.0, None), Summary(0, None, None)])
def test_no_margin_without_a_spread(summary: Summary) -> None:
    assert margin_of_error(summary, population=100) is None


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95.0])
def test_confidence_must_be_a_fraction(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        margin_of_error(FOUR, confidence=confidence)


def test_negative_population_is_refused() -> None:
    with pytest.raises(ValueError, match="population"):
        margin_of_error(FOUR, population=-1)


@pytest.mark.parametrize(
    ("completed", "invited", "rate"),
    [(45, 120, 0.375), (0, 10, 0.0), (10, 10, 1.0), (0, 0, None), (11, 10, None)],
)
def test_response_rate(completed: int, invited: int, rate: float | None) -> None:
    assert response_rate(completed, invited) == rate


def test_negative_counts_have_no_response_rate() -> None:
    with pytest.raises(ValueError):
        response_rate(-1, 10)


def test_margin_matches_the_textbook_formula() -> None:
    # z * sd / sqrt(n) * sqrt((N - n) / (N - 1)) for sd 2, n 100, N 1000
    expected = 1.959964 * 2 / 10 * math.sqrt(900 / 999)
    assert margin_of_error(Summary(100, 5.0, 2.0), population=1000) == pytest.approx(
        expected, abs=1e-6
    )
