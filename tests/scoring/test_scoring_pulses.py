import math

import pytest

from scoring.pulses import CsatResult, ces, csat, csat_margin_of_error


def test_csat_counts_fours_and_fives() -> None:
    # 3 x 5, 3 x 4, 2 x 3, 1 x 2, 1 x 1: 6 of 10 satisfied = 60 %
    assert csat({5: 3, 4: 3, 3: 2, 2: 1, 1: 1}) == CsatResult(n=10, satisfied=6, csat=60.0)


def test_csat_margin_of_error() -> None:
    # values 1 x 6, 0 x 4: sample variance (10 * 6 - 6^2) / 90 = 24 / 90
    # margin = 1.959964 * sqrt(24 / 90 / 10) = 0.32006 -> 32.01 percentage points
    result = csat({5: 3, 4: 3, 3: 2, 2: 1, 1: 1})
    assert csat_margin_of_error(result) == pytest.approx(32.006, abs=1e-3)


def test_all_satisfied_is_100_percent_with_no_spread() -> None:
    result = csat({4: 2, 5: 3})
    assert result.csat == 100.0
    assert csat_margin_of_error(result) == 0.0


def test_csat_without_respondents() -> None:
    result = csat({})
    assert result.csat is None
    assert csat_margin_of_error(result) is None


def test_csat_refuses_answers_off_the_scale() -> None:
    with pytest.raises(ValueError):
        csat({6: 1})


def test_ces_is_the_mean_effort() -> None:
    # 1, 1, 2, 2, 2, 7: mean 15 / 6 = 2.5
    # squared deviations 2 * 2.25 + 3 * 0.25 + 20.25 = 25.5 -> sd sqrt(25.5 / 5) = 2.2583
    summary = ces({1: 2, 2: 3, 7: 1})
    assert summary.mean == 2.5
    assert summary.sd == pytest.approx(math.sqrt(5.1))


@pytest.mark.parametrize("score", [0, 8])
def test_ces_refuses_answers_off_the_scale(score: int) -> None:
    with pytest.raises(ValueError):
        ces({score: 1})
