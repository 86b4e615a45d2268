import math

import pytest

from scoring.cvs import respondent_cvs, wave_cvs
from scoring.stats import Summary


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ((8, 9, 10), 9.0),  # 27 / 3
        ((7, 8, 8), 7.7),  # 23 / 3 = 7.667
        ((0, 0, 1), 0.3),  # 1 / 3 = 0.333
        ((10, 10, 10), 10.0),
        ((0, 0, 0), 0.0),
    ],
)
def test_respondent_cvs_is_the_rounded_mean(answers: tuple[int, int, int], expected: float) -> None:
    assert respondent_cvs(*answers) == expected


@pytest.mark.parametrize("answers", [(11, 5, 5), (5, -1, 5), (5, 5, 12)])
def test_respondent_cvs_refuses_answers_off_the_scale(answers: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError, match=r"outside the scale 0\.\.10"):
        respondent_cvs(*answers)


def test_wave_cvs_from_sums() -> None:
    # respondents (8, 9, 10) twice, (6, 7, 8) and (5, 5, 5): sums 27, 27, 21, 15
    # respondent means 9, 9, 7, 5 -> wave CVS 30 / 4 = 7.5
    # deviations 1.5, 1.5, -0.5, -2.5 -> squares sum 11 -> sd sqrt(11 / 3) = 1.9149
    summary = wave_cvs({27: 2, 21: 1, 15: 1})
    assert summary.n == 4
    assert summary.mean == 7.5
    assert summary.sd == pytest.approx(math.sqrt(11 / 3))


def test_wave_cvs_averages_unrounded_respondent_means() -> None:
    # three respondents with sum 23: each is shown as 7.7, the wave is 23 / 3 = 7.667
    assert wave_cvs({23: 3}).mean == pytest.approx(23 / 3)


def test_wave_cvs_without_respondents() -> None:
    assert wave_cvs({}) == Summary(0, None, None)


def test_wave_cvs_refuses_impossible_sums() -> None:
    with pytest.raises(ValueError, match=r"outside the scale 0\.\.30"):
        wave_cvs({31: 1})
