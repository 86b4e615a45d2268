import math

import pytest

from scoring.nps import NpsGroup, NpsResult, net_promoter_score, nps_group, nps_margin_of_error

# 3 x 10, 2 x 9, 2 x 8, 1 x 7, 1 x 5, 1 x 3: 5 promoters, 3 passives, 2 detractors
MIXED = {10: 3, 9: 2, 8: 2, 7: 1, 5: 1, 3: 1}


@pytest.mark.parametrize(
    ("score", "group"),
    [
        (0, NpsGroup.DETRACTOR),
        (6, NpsGroup.DETRACTOR),
        (7, NpsGroup.PASSIVE),
        (8, NpsGroup.PASSIVE),
        (9, NpsGroup.PROMOTER),
        (10, NpsGroup.PROMOTER),
    ],
)
def test_groups_at_their_boundaries(score: int, group: NpsGroup) -> None:
    assert nps_group(score) is group


def test_thresholds_can_be_moved() -> None:
    assert nps_group(8, promoter_from=8) is NpsGroup.PROMOTER
    assert nps_group(6, passive_from=6) is NpsGroup.PASSIVE


def test_crossed_thresholds_are_refused() -> None:
    with pytest.raises(ValueError):
        nps_group(5, promoter_from=7, passive_from=8)


def test_nps_of_a_mixed_wave() -> None:
    # 50 % promoters - 20 % detractors = 30
    assert net_promoter_score(MIXED) == NpsResult(
        n=10, promoters=5, passives=3, detractors=2, nps=30.0
    )


def test_all_promoters_is_plus_100_with_no_spread() -> None:
    result = net_promoter_score({9: 4, 10: 6})
    assert result.nps == 100.0
    assert nps_margin_of_error(result) == 0.0


def test_all_detractors_is_minus_100() -> None:
    result = net_promoter_score({0: 2, 6: 3})
    assert (result.detractors, result.nps) == (5, -100.0)


def test_a_single_respondent_has_an_nps_but_no_margin() -> None:
    result = net_promoter_score({10: 1})
    assert result.nps == 100.0
    assert nps_margin_of_error(result) is None


def test_no_respondents_has_no_nps() -> None:
    result = net_promoter_score({})
    assert result == NpsResult(0, 0, 0, 0, None)
    assert nps_margin_of_error(result) is None


def test_answers_off_the_scale_are_refused() -> None:
    with pytest.raises(ValueError):
        net_promoter_score({11: 1})


def test_margin_of_error_from_the_trinomial_variance() -> None:
    # values +1 x 5, 0 x 3, -1 x 2: sum 3, sum of squares 7
    # sample variance (10 * 7 - 3^2) / (10 * 9) = 61 / 90; se = sqrt(61/90) / sqrt(10) = 0.26034
    # margin = 1.959964 * 0.26034 = 0.51026 -> 51.03 NPS points
    expected = 1.959963984540054 * math.sqrt(61 / 90 / 10) * 100
    result = net_promoter_score(MIXED)
    assert nps_margin_of_error(result) == pytest.approx(expected)
    assert nps_margin_of_error(result) == pytest.approx(51.026, abs=1e-3)


def test_margin_of_error_shrinks_with_the_population_correction() -> None:
    # 10 of 50 invited: correction sqrt((50 - 10) / 49) = 0.90351 -> 51.026 * 0.90351 = 46.10
    result = net_promoter_score(MIXED)
    assert nps_margin_of_error(result, population=50) == pytest.approx(46.102, abs=1e-3)


def test_margin_of_error_of_a_census_is_zero() -> None:
    assert nps_margin_of_error(net_promoter_score(MIXED), population=10) == 0.0
