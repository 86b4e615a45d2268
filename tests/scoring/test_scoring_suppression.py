import pytest

from scoring.suppression import (
    ABSOLUTE_MIN_GROUP,
    DEFAULT_MIN_GROUP,
    Group,
    check_min_group,
    guard,
    withhold,
)


def _never() -> float:
    raise AssertionError("figures of a small group were computed")


def test_defaults_follow_the_guideline() -> None:
    assert (DEFAULT_MIN_GROUP, ABSOLUTE_MIN_GROUP) == (5, 3)


def test_a_small_group_shows_its_count_but_no_figures() -> None:
    group = guard("region north", 4, _never)
    assert group == Group("region north", 4, None, suppressed=True)


def test_a_group_at_the_minimum_shows_its_figures() -> None:
    assert guard("region north", 5, lambda: 7.4).figures == 7.4


def test_a_lower_configured_minimum_is_honoured_down_to_three() -> None:
    assert guard("team", 3, lambda: 6.0, min_group=3).figures == 6.0
    assert guard("team", 3, _never, min_group=4).suppressed


@pytest.mark.parametrize("min_group", [0, 1, 2])
def test_a_minimum_below_three_is_refused(min_group: int) -> None:
    with pytest.raises(ValueError, match="at least 3"):
        check_min_group(min_group)
    with pytest.raises(ValueError, match="at least 3"):
        guard("team", 10, lambda: 6.0, min_group=min_group)


def test_a_group_cannot_be_built_to_leak_a_small_group() -> None:
    with pytest.raises(ValueError, match="must be suppressed"):
        Group("team", 2, 6.0, suppressed=False)
    with pytest.raises(ValueError, match="cannot carry figures"):
        Group("team", 2, 6.0, suppressed=True)


def test_withholding_hides_figures_and_keeps_the_count() -> None:
    group = withhold(guard("team", 8, lambda: 6.0))
    assert group == Group("team", 8, None, suppressed=True)
